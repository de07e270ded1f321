"""Two assessments compared (`makebuy what-if`, `makebuy diff`): table, markdown, json."""

from __future__ import annotations

from typing import TYPE_CHECKING

from makebuy.render.format import md, money, rich_text
from makebuy.render.json import dumps

if TYPE_CHECKING:
    from makebuy.compare import AssessmentDiff, OptionChange

MAX_ROWS = 25
"""Changed options a table or markdown report lists (json lists them all)."""


def _rank(value: int | None, status: str) -> str:
    return str(value) if value is not None else ("—" if status == "absent" else status)


def _cost(value: float | None, currency: str) -> str:
    return money(value, currency) if value is not None else "—"


def _row(c: OptionChange, currency: str) -> list[str]:
    return [
        c.title,
        _rank(c.rank_before, c.exclusion_before or c.status_before),
        _rank(c.rank_after, c.exclusion_after or c.status_after),
        _cost(c.cost_before, currency),
        _cost(c.cost_after, currency),
    ]


HEADERS = ("Option", "Rank before", "Rank after", "Cost before", "Cost after")


def render_table(diff: AssessmentDiff, *, width: int = 100, color: bool = False) -> str:
    """The statements, then the changed options, drawn with rich."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    parts: list[Text | Table] = [
        Text(f"makebuy: {diff.before.label} → {diff.after.label}", style="bold"),
        *(Text(f"- {line}") for line in diff.statements),
    ]
    if diff.changes:
        table = Table(title="Options that moved", title_justify="left")
        for name in HEADERS:
            table.add_column(name, justify="left" if name == "Option" else "right")
        for c in diff.changes[:MAX_ROWS]:
            table.add_row(*_row(c, diff.after.currency))
        parts.append(table)
        if len(diff.changes) > MAX_ROWS:
            parts.append(Text(f"… and {len(diff.changes) - MAX_ROWS} more (see --format json)."))
    else:
        parts.append(Text("No option changed status, rank or cost."))
    return rich_text(Group(*parts), width=width, color=color)


def render_markdown(diff: AssessmentDiff, *, width: int = 100, color: bool = False) -> str:
    """For a pull request: the statements and a table of the options that moved."""
    lines = [f"# makebuy: {md(diff.before.label)} → {md(diff.after.label)}", ""]
    lines += [f"- {md(line)}" for line in diff.statements]
    lines.append("")
    if diff.changes:
        lines.append("| " + " | ".join(HEADERS) + " |")
        lines.append("|---|---:|---:|---:|---:|")
        for c in diff.changes[:MAX_ROWS]:
            lines.append(
                "| " + " | ".join(md(cell) for cell in _row(c, diff.after.currency)) + " |"
            )
        if len(diff.changes) > MAX_ROWS:
            lines += ["", f"… and {len(diff.changes) - MAX_ROWS} more (see --format json)."]
    else:
        lines.append("No option changed status, rank or cost.")
    return "\n".join(lines) + "\n"


def render_json(diff: AssessmentDiff, *, width: int = 100, color: bool = False) -> str:
    """The `makebuy.compare.AssessmentDiff` model as it is."""
    return dumps(diff.model_dump(mode="json"))
