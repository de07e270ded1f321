"""The `makebuy catalog` outputs: model listings, entry views, validation reports, diffs.

Each function formats what `makebuy.catalog_query` or `makebuy.catalog_check` computed;
the registries in `makebuy.render` name them, so the CLI offers exactly these formats.
"""

from __future__ import annotations

import csv
import io
import json
from typing import TYPE_CHECKING, Any

from makebuy.catalog_query import cell
from makebuy.render.csv import spreadsheet_safe
from makebuy.render.format import rich_text

if TYPE_CHECKING:
    from makebuy.catalog_check import CatalogReport
    from makebuy.catalog_diff import CatalogDiff, Change
    from makebuy.catalog_query import ModelListing

TABLE_HEADERS = {
    "context_tokens": "context",
    "cheapest_on_demand_usd_per_gpu_hour": "from $/GPU-h",
    "monthly_usd_per_seat": "$/seat monthly",
    "annual_usd_per_seat_month": "$/seat-month annual",
}
"""Table headers that differ from the column name."""


# ---------------------------------------------------------------- list


def list_table(listing: ModelListing, *, width: int = 100, color: bool = False) -> str:
    """The listing as a terminal table of its table columns."""
    from rich import box
    from rich.table import Table

    title = f"{len(listing.rows)} of {listing.total} {listing.kind}"
    columns = listing.table_columns
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    for i, c in enumerate(columns):
        # every column but the last keeps its values whole; the last folds to the width
        last = i == len(columns) - 1
        table.add_column(
            TABLE_HEADERS.get(c, c),
            overflow="fold",
            no_wrap=not last,
            min_width=12 if last else None,
        )
    for r in listing.rows:
        table.add_row(*(cell(r[c]) for c in columns))
    return rich_text(table, width=width, color=color)


def list_json(listing: ModelListing, *, width: int = 100, color: bool = False) -> str:
    """The listing as a JSON array of rows with every column."""
    return json.dumps(listing.rows, indent=2, sort_keys=False) + "\n"


def list_csv(listing: ModelListing, *, width: int = 100, color: bool = False) -> str:
    """The listing as CSV; lists joined with `;`, text a spreadsheet would run made inert."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(listing.columns)
    for r in listing.rows:
        writer.writerow(
            [
                spreadsheet_safe(
                    ";".join(r[c])
                    if isinstance(r[c], list)
                    else ("" if r[c] is None else cell(r[c]))
                )
                for c in listing.columns
            ]
        )
    return buffer.getvalue()


# ---------------------------------------------------------------- show


def show_table(views: list[dict[str, Any]], *, width: int = 100, color: bool = False) -> str:
    """Each entry view as its attributes, a table of figures and a table of sources."""
    return "\n".join(_view(v, width=width, color=color) for v in views)


def show_json(views: list[dict[str, Any]], *, width: int = 100, color: bool = False) -> str:
    """The entry views as JSON."""
    return json.dumps(views, indent=2) + "\n"


def _view(view: dict[str, Any], *, width: int, color: bool) -> str:
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    parts: list[Any] = [Text(f"{view['kind']} {view['id']}", style="bold")]
    if view["defined_at"]:
        parts.append(Text(f"defined at {view['defined_at']}"))
    for k, v in view["attributes"].items():
        if k != "id" and v is not None:
            parts.append(Text(f"{k}: {cell(v)}"))
    if view["facts"]:
        table = Table(title="Figures", title_justify="left")
        for c in ("field", "value", "source", "as of", "status"):
            table.add_column(c, overflow="fold", no_wrap=c in {"field", "as of", "status"})
        for f in view["facts"]:
            value = cell(f["value"]) + (f"\n{f['note']}" if f.get("note") else "")
            table.add_row(f["field"], value, f["source"], str(f["as_of"]), f["status"])
        parts.append(table)
    if view.get("offerings"):
        parts.append(Text("offerings: " + ", ".join(view["offerings"])))
    if view["sources"]:
        table = Table(title="Sources", title_justify="left")
        for c in ("id", "title", "url"):
            table.add_column(c, overflow="fold", ratio=2 if c == "title" else 1)
        for s in view["sources"]:
            table.add_row(s["id"], s["title"], s["url"])
        parts.append(table)
    return rich_text(Group(*parts), width=width, color=color)


# ---------------------------------------------------------------- validate


def validate_text(report: CatalogReport, *, width: int = 100, color: bool = False) -> str:
    """One finding per line, `file:line` first (editors jump to it), then the summary."""
    kinds = report.kinds_line()
    return (
        "".join(f.render() + "\n" for f in report.findings)
        + (kinds + "\n" if kinds else "")
        + report.summary()
        + "\n"
    )


def validate_json(report: CatalogReport, *, width: int = 100, color: bool = False) -> str:
    """The validation report as JSON."""
    return json.dumps(report.to_json(), indent=2) + "\n"


# ---------------------------------------------------------------- diff


def _diff_summary(diff: CatalogDiff) -> str:
    counts = diff.counts()
    if not counts:
        return "no differences"
    return f"{len(diff.changes)} changes: " + ", ".join(f"{v} {k}" for k, v in counts.items())


def _diff_row(c: Change) -> list[str]:
    what = c.change if not c.detail else f"{c.change} ({c.detail})"
    return [
        c.kind,
        c.id,
        what,
        c.old or "-",
        c.new or "-",
        c.effective.isoformat() if c.effective else "",
    ]


DIFF_COLUMNS = ("kind", "id", "change", "old", "new", "effective")
"""Columns of the diff table and Markdown; JSON carries the same fields."""


def diff_table(diff: CatalogDiff, *, width: int = 100, color: bool = False) -> str:
    """The changes as a terminal table, then a one-line summary."""
    from rich import box
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    parts: list[Any] = []
    if diff.changes:
        table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
        for c in DIFF_COLUMNS:
            table.add_column(c, overflow="fold", no_wrap=c in {"kind", "id", "effective"})
        for change in diff.changes:
            table.add_row(*_diff_row(change))
        parts.append(table)
    parts.append(Text(_diff_summary(diff)))
    return rich_text(Group(*parts), width=width, color=color)


def diff_markdown(diff: CatalogDiff, *, width: int = 100, color: bool = False) -> str:
    """The changes as a Markdown table for a pull request description."""
    lines = ["## Catalog changes", "", _diff_summary(diff), ""]
    if diff.changes:
        lines.append("| " + " | ".join(DIFF_COLUMNS) + " |")
        lines.append("|" + "---|" * len(DIFF_COLUMNS))
        for change in diff.changes:
            cells = [v.replace("|", "\\|") for v in _diff_row(change)]
            cells[1] = f"`{cells[1]}`"
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def diff_json(diff: CatalogDiff, *, width: int = 100, color: bool = False) -> str:
    """The changes as JSON: the files compared, counts per change and every change."""
    body = {
        "old_files": diff.old_files,
        "new_files": diff.new_files,
        "counts": diff.counts(),
        "changes": [
            {
                "kind": c.kind,
                "id": c.id,
                "change": c.change,
                "old": c.old,
                "new": c.new,
                "effective": c.effective.isoformat() if c.effective else None,
                "detail": c.detail,
            }
            for c in diff.changes
        ],
    }
    return json.dumps(body, indent=2) + "\n"
