"""The terminal view: the recommendation, a ranked table, exclusions and the summary line."""

from __future__ import annotations

from collections import Counter

from rich.console import Group
from rich.table import Table
from rich.text import Text

from makebuy.models.result import Assessment
from makebuy.render.format import money, number, rich_text

MAX_ROWS = 15
MAX_KEY_ASSUMPTIONS = 5
"""Assumptions listed at the end; the rest are counted."""


def render(assessment: Assessment, *, width: int = 100, color: bool = False) -> str:
    """Render with rich into a string (ANSI colours only when `color`)."""
    return rich_text(_view(assessment), width=width, color=color)


def _view(a: Assessment) -> Group:
    cur = a.currency
    by_id = {o.id: o for o in a.options}
    parts: list[object] = [Text(f"makebuy: {a.usecase.name}", style="bold")]
    rec = a.recommendation
    if rec.option:
        win = by_id[rec.option]
        assert win.cost is not None
        parts.append(
            Text.assemble(
                ("Recommendation: ", "bold green"),
                (win.title, "bold"),
                f", {money(win.cost.total, cur)} over the horizon",
            )
        )
    else:
        parts.append(Text("No recommendation: every option was ruled out.", style="bold red"))
    parts.extend(Text(f"- {line}") for line in rec.rationale)
    if a.robustness is not None:
        parts.append(Text("Robustness:", style="bold"))
        parts.extend(Text(f"- {line}") for line in a.robustness.statements)
    parts.append(Text(""))

    eligible = [o for o in a.options if o.status == "eligible"]
    if eligible:
        table = Table(title=f"Options compared ({a.method})", title_justify="left", expand=False)
        for name, justify in [
            ("#", "right"),
            ("Option", "left"),
            ("Kind", "left"),
            ("Score", "right"),
            ("Total cost", "right"),
            ("Per 1M tok", "right"),
            ("Quality", "right"),
        ]:
            table.add_column(name, justify=justify)  # type: ignore[arg-type]
        for o in eligible[:MAX_ROWS]:
            assert o.cost is not None
            table.add_row(
                str(o.rank),
                o.title,
                o.kind,
                number(o.score),
                money(o.cost.total, cur),
                money(o.cost.per_million_tokens, cur),
                f"{o.quality:g}" if o.quality is not None else "n/a",
            )
        parts.append(table)
        if len(eligible) > MAX_ROWS:
            parts.append(
                Text(
                    f"… and {len(eligible) - MAX_ROWS} more eligible options"
                    " (see --format markdown or json)."
                )
            )
    titles = {o.id: o.title for o in a.options}
    for o in eligible:
        if o.kind == "hybrid":
            legs = "; ".join(
                f"{leg.share:.0%} {leg.complexity} -> {titles.get(leg.option, leg.option)}"
                for leg in o.legs
            )
            parts.append(Text(f"Hybrid rank {o.rank}: {legs}"))
    if a.break_even or a.break_even_note:
        parts.append(Text("Break-even:", style="bold"))
        parts.extend(Text(f"- {b.statement}") for b in a.break_even)
        if a.break_even_note:
            parts.append(Text(f"- {a.break_even_note}"))
    excluded = [o for o in a.options if o.status == "excluded"]
    if excluded:
        counts = Counter(o.exclusions[0].code for o in excluded)
        lines = [
            f"{n:>3} x {code}" for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        ]
        parts.append(Text("Ruled out, by first reason:\n" + "\n".join(lines)))
    parts.append(Text(a.summary.line + ".", style="bold"))
    parts.extend(_assumptions(a))
    return Group(*parts)  # type: ignore[arg-type]


def _assumptions(a: Assessment) -> list[Text]:
    """The assumptions that moved the outcome, then how many more there are and where."""
    shown = a.key_assumptions[:MAX_KEY_ASSUMPTIONS]
    out: list[Text] = []
    if shown:
        out.append(Text("Assumptions that matter most:", style="bold"))
        out.extend(Text(f"- {k.field} = {k.value} ({k.origin}): {k.why}") for k in shown)
    rest = len(a.assumptions) - len(shown)
    if rest > 0:
        more = "more " if shown else ""
        out.append(
            Text(
                f"{rest} {more}assumption{'' if rest == 1 else 's'}: see --format markdown"
                " (Assumptions section) or json."
            )
        )
    return out
