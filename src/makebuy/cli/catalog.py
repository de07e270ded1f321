"""`makebuy catalog list|show|validate`: look inside the catalog and check it.

`list` and `show` let a reader trace every figure a report uses to its source and date;
`validate` is what CI runs on the built-in catalog and what a user runs on an override
file before `assess --catalog` reads it.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from makebuy.cli.common import (
    CATALOG_OPTION,
    DEBUG_OPTION,
    NO_BUILTIN_OPTION,
    emit,
    reported_errors,
    terminal_width,
)
from makebuy.errors import ExitCode, InputError

if TYPE_CHECKING:
    from makebuy.load import LoadedCatalog
    from makebuy.models.catalog import Catalog

catalog_app = typer.Typer(
    name="catalog",
    help="List, show and validate the catalog (built-in plus --catalog files).",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(catalog_app, name="catalog")


class ListFormat(StrEnum):
    """Formats of `catalog list`."""

    table = "table"
    json = "json"
    csv = "csv"


class ShowFormat(StrEnum):
    """Formats of `catalog show` and `catalog validate`."""

    table = "table"
    json = "json"


class ValidateFormat(StrEnum):
    """Formats of `catalog validate`: one finding per line (file:line first), or JSON."""

    text = "text"
    json = "json"


class Weights(StrEnum):
    open = "open"
    closed = "closed"


class Kind(StrEnum):
    """Entry kinds `catalog show` can look an id up in."""

    models = "models"
    offerings = "offerings"
    licences = "licences"
    gpus = "gpus"
    throughput = "throughput"
    sources = "sources"


_OUTPUT_OPT = typer.Option(None, "--output", "-o", help="Write the output here.")


# ---------------------------------------------------------------- list

LIST_COLUMNS = (
    "id",
    "name",
    "family",
    "weights",
    "licence",
    "released",
    "parameters_b",
    "context_tokens",
    "providers",
)

TABLE_COLUMNS = ("id", "weights", "licence", "context_tokens", "providers")
"""The terminal table fits 100 columns; json and csv carry every column of LIST_COLUMNS."""
TABLE_HEADERS = {"context_tokens": "context"}
"""Table headers that differ from the column name."""


@catalog_app.command("list")
def list_models(
    weights: Weights | None = typer.Option(None, "--weights", help="open or closed weights."),
    family: list[str] = typer.Option([], "--family", help="Model family; repeatable."),
    licence: list[str] = typer.Option(
        [], "--licence", help="Licence id of the weights, or API terms id; repeatable."
    ),
    provider: list[str] = typer.Option(
        [], "--provider", help="Only models an API provider offers; repeatable."
    ),
    output_format: ListFormat = typer.Option(ListFormat.table, "--format", "-f"),
    catalog: list[Path] = CATALOG_OPTION,
    no_builtin: bool = NO_BUILTIN_OPTION,
    output: Path | None = _OUTPUT_OPT,
    debug: bool = DEBUG_OPTION,
) -> None:
    """List the models, sorted by id, with licence, size, context and who serves them."""
    with reported_errors(debug):
        from makebuy.load import load_catalog

        cat = load_catalog(catalog, builtin=not no_builtin).catalog
        rows = model_rows(
            cat,
            weights=weights.value if weights else None,
            families=set(family),
            licences=set(licence),
            providers=set(provider),
        )
        if output_format is ListFormat.json:
            text = json.dumps(rows, indent=2, sort_keys=False) + "\n"
        elif output_format is ListFormat.csv:
            text = _csv(rows)
        else:
            text = _table(
                f"{len(rows)} of {len(cat.models)} models",
                [TABLE_HEADERS.get(c, c) for c in TABLE_COLUMNS],
                [[_cell(r[c]) for c in TABLE_COLUMNS] for r in rows],
                color=output is None and sys.stdout.isatty(),
            )
        emit(text, output)


def model_rows(
    cat: Catalog,
    *,
    weights: str | None = None,
    families: set[str] | frozenset[str] = frozenset(),
    licences: set[str] | frozenset[str] = frozenset(),
    providers: set[str] | frozenset[str] = frozenset(),
) -> list[dict[str, Any]]:
    """One row per model matching every filter given (an empty filter matches all)."""
    offered: dict[str, set[str]] = {}
    terms: dict[str, set[str]] = {}
    for off in cat.offerings.values():
        offered.setdefault(off.model, set()).add(off.provider)
        if off.terms:
            terms.setdefault(off.model, set()).add(off.terms)
    rows = []
    for key in sorted(cat.models):
        m = cat.models[key]
        provs = sorted(offered.get(key, set()))
        lics = ({m.licence} if m.licence else set()) | terms.get(key, set())
        if weights is not None and m.open_weights != (weights == "open"):
            continue
        if families and m.family not in families:
            continue
        if licences and not licences & lics:
            continue
        if providers and not providers & set(provs):
            continue
        rows.append(
            {
                "id": key,
                "name": m.name,
                "family": m.family,
                "weights": "open" if m.open_weights else "closed",
                "licence": m.licence,
                "released": m.released.value.isoformat() if m.released else None,
                "parameters_b": m.parameters_b.value if m.parameters_b else None,
                "context_tokens": m.context_tokens.value if m.context_tokens else None,
                "providers": provs,
            }
        )
    return rows


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "-"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _csv(rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(LIST_COLUMNS)
    for r in rows:
        writer.writerow(
            [
                ";".join(r[c]) if isinstance(r[c], list) else ("" if r[c] is None else _cell(r[c]))
                for c in LIST_COLUMNS
            ]
        )
    return buffer.getvalue()


def _table(title: str, columns: list[str], rows: list[list[str]], *, color: bool) -> str:
    from rich import box
    from rich.console import Console
    from rich.table import Table

    buffer = io.StringIO()
    console = Console(
        markup=False,
        file=buffer,
        width=terminal_width(),
        force_terminal=color,
        color_system="standard" if color else None,
        no_color=not color,
        highlight=False,
        legacy_windows=False,
    )
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    for i, c in enumerate(columns):
        # every column but the last keeps its values whole; the last folds to the width
        last = i == len(columns) - 1
        table.add_column(c, overflow="fold", no_wrap=not last, min_width=12 if last else None)
    for r in rows:
        table.add_row(*r)
    console.print(table)
    return buffer.getvalue()


# ---------------------------------------------------------------- show


@catalog_app.command("show")
def show(
    entry_id: str = typer.Argument(
        ..., metavar="ID", help="A model, offering, licence, GPU or source id."
    ),
    kind: Kind | None = typer.Option(
        None, "--kind", help="Only look in this kind (model and offering ids can coincide)."
    ),
    output_format: ShowFormat = typer.Option(ShowFormat.table, "--format", "-f"),
    catalog: list[Path] = CATALOG_OPTION,
    no_builtin: bool = NO_BUILTIN_OPTION,
    output: Path | None = _OUTPUT_OPT,
    debug: bool = DEBUG_OPTION,
) -> None:
    """Show one entry: every figure with its source, as-of date and status."""
    with reported_errors(debug):
        from makebuy.load import load_catalog

        loaded = load_catalog(catalog, builtin=not no_builtin)
        views = entry_views(loaded, entry_id, kind.value if kind else None)
        if output_format is ShowFormat.json:
            text = json.dumps(views, indent=2) + "\n"
        else:
            color = output is None and sys.stdout.isatty()
            text = "\n".join(_render_view(v, color=color) for v in views)
        emit(text, output)


def entry_views(loaded: LoadedCatalog, entry_id: str, kind: str | None) -> list[dict[str, Any]]:
    """Every entry with this id (model and offering ids may coincide), as facts and sources."""
    cat = loaded.catalog
    kinds = [kind] if kind else [k.value for k in Kind]
    views = []
    for k in kinds:
        entry = getattr(cat, k, {}).get(entry_id)
        if entry is None:
            continue
        origin = loaded.origins.get((k, entry_id))
        dump = entry.model_dump(mode="json")
        facts = list(_facts(dump)) if k != "licences" else list(_licence_facts(dump))
        attributes = {
            a: v
            for a, v in dump.items()
            if not isinstance(v, dict | list) and a not in {"source", "as_of", "status"}
        }
        view: dict[str, Any] = {
            "kind": k.removesuffix("s"),
            "id": entry_id,
            "defined_at": f"{origin.path}:{origin.line}" if origin and origin.line else None,
            "attributes": attributes,
            "facts": facts,
        }
        if k == "models":
            evidence = [
                {
                    "field": f"evidence.{bench}",
                    "value": ev.value if ev.ci95 is None else f"{ev.value:g} ± {ev.ci95:g}",
                    "source": ev.source,
                    "as_of": ev.as_of.isoformat(),
                    "status": ev.status,
                    "note": ev.note,
                }
                for (model, bench), ev in sorted(cat.evidence.items())
                if model == entry_id
            ]
            view["facts"] = facts + evidence
            view["offerings"] = sorted(o.id for o in cat.offerings.values() if o.model == entry_id)
        cited = sorted({f["source"] for f in view["facts"] if f["source"]})
        if k == "sources":
            cited = []
        view["sources"] = [
            {"id": s, "title": cat.sources[s].title, "url": cat.sources[s].url}
            for s in cited
            if s in cat.sources
        ]
        views.append(view)
    if not views:
        known = [key for k in kinds for key in getattr(cat, k, {})]
        close = difflib.get_close_matches(entry_id, known, n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise InputError(f"no catalog entry with id {entry_id!r}{hint}")
    return views


_META = {"source", "as_of", "status", "note"}


def _facts(node: Any, at: str = "") -> Any:
    """Flatten an entry's figures: one row per figure, group or price, with its source."""
    if isinstance(node, dict):
        if "source" in node and "as_of" in node:
            if "value" in node:
                value: Any = node["value"]
            else:
                value = ", ".join(
                    f"{k}={_cell(v)}" for k, v in node.items() if k not in _META and v is not None
                )
            yield {
                "field": at or "entry",
                "value": value,
                "source": node["source"],
                "as_of": node["as_of"],
                "status": node.get("status", "verified"),
                "note": node.get("note"),
            }
            return
        for k, v in node.items():
            yield from _facts(v, f"{at}.{k}" if at else k)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _facts(v, f"{at}[{i}]")


def _licence_facts(dump: dict[str, Any]) -> Any:
    """A licence's terms: the licence text is the source of every term; the clause is quoted."""
    yield {
        "field": "text",
        "value": dump["url"],
        "source": dump["source"],
        "as_of": dump["as_of"],
        "status": "verified",
        "note": None,
    }
    for name, term in (dump.get("terms") or {}).items():
        if term is None:
            continue
        yield {
            "field": f"terms.{name}",
            "value": term["value"],
            "source": dump["source"],
            "as_of": dump["as_of"],
            "status": term.get("status", "verified"),
            "note": f'"{term["clause"]}"' + (f" ({term['url']})" if term.get("url") else ""),
        }


def _render_view(view: dict[str, Any], *, color: bool) -> str:
    from rich.console import Console, Group
    from rich.table import Table
    from rich.text import Text

    buffer = io.StringIO()
    console = Console(
        markup=False,
        file=buffer,
        width=terminal_width(),
        force_terminal=color,
        color_system="standard" if color else None,
        no_color=not color,
        highlight=False,
        legacy_windows=False,
    )
    parts: list[Any] = [Text(f"{view['kind']} {view['id']}", style="bold")]
    if view["defined_at"]:
        parts.append(Text(f"defined at {view['defined_at']}"))
    for k, v in view["attributes"].items():
        if k != "id" and v is not None:
            parts.append(Text(f"{k}: {_cell(v)}"))
    if view["facts"]:
        table = Table(title="Figures", title_justify="left")
        for c in ("field", "value", "source", "as of", "status"):
            table.add_column(c, overflow="fold", no_wrap=c in {"field", "as of", "status"})
        for f in view["facts"]:
            value = _cell(f["value"]) + (f"\n{f['note']}" if f.get("note") else "")
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
    console.print(Group(*parts))
    return buffer.getvalue()


# ---------------------------------------------------------------- validate


@catalog_app.command("validate")
def validate(
    paths: list[Path] | None = typer.Argument(
        None, metavar="PATH", help="Catalog files or folders (default: the built-in one)."
    ),
    no_builtin: bool = typer.Option(
        False,
        "--no-builtin-catalog",
        help="Check PATHs alone (their references must then resolve among themselves).",
    ),
    max_age_days: int = typer.Option(
        365,
        "--max-age-days",
        min=1,
        max=36_500,
        help="Warn on current prices, regions, data terms and GPU prices older than this.",
    ),
    as_of: dt.datetime | None = typer.Option(
        None,
        "--as-of",
        formats=["%Y-%m-%d"],
        help="Check ages and dates as of this day (default: today).",
    ),
    output_format: ValidateFormat = typer.Option(ValidateFormat.text, "--format", "-f"),
    output: Path | None = _OUTPUT_OPT,
    debug: bool = DEBUG_OPTION,
) -> None:
    """Check catalog files: schema, duplicate ids, references, implausible and stale figures.

    Exit 0 when there are no errors (warnings allowed), 1 when there are, 2 on bad usage.
    """
    with reported_errors(debug):
        from makebuy.catalog_check import check_catalog

        report = check_catalog(
            paths or [],
            builtin=not no_builtin,
            as_of=as_of.date() if as_of else dt.date.today(),
            max_age_days=max_age_days,
        )
        if output_format is ValidateFormat.json:
            text = json.dumps(report.to_json(), indent=2) + "\n"
        else:
            text = "".join(f.render() + "\n" for f in report.findings) + report.summary() + "\n"
        emit(text, output)
        if not report.ok:
            raise typer.Exit(int(ExitCode.DECISION_FAILED))
