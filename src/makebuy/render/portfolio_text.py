"""The portfolio on a terminal (rich) and as JSON (the `Portfolio` model as it is)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group
from rich.table import Table
from rich.text import Text

from makebuy.render.format import money, percent, rich_text
from makebuy.render.json import dumps

if TYPE_CHECKING:
    from makebuy.portfolio import PlatformSummary, Portfolio


def render_json(portfolio: Portfolio, *, width: int = 100, color: bool = False) -> str:
    """Pretty, stable JSON ending in a newline; the contract is `makebuy.portfolio.Portfolio`."""
    return dumps(portfolio.model_dump(mode="json"))


def render_table(portfolio: Portfolio, *, width: int = 100, color: bool = False) -> str:
    """Use cases, strategy totals, savings and the mix by kind, drawn with rich."""
    return rich_text(_view(portfolio), width=width, color=color)


def _platform(platform: PlatformSummary, cur: str) -> Group:
    """The shared platform: who runs on it, the spread share, one more use case's cost."""
    table = Table(title="Shared platform (a month)", title_justify="left")
    table.add_column("Use case")
    table.add_column("On platform")
    table.add_column("Share charged", justify="right")
    table.add_column("Share spread", justify="right")
    table.add_column("As one more use case", justify="right")
    for u in platform.use_cases:
        table.add_row(
            u.name,
            "yes" if u.on_platform else "no",
            money(u.share_charged, cur) if u.share_charged is not None else "-",
            money(u.share_spread, cur) if u.share_spread is not None else "-",
            money(u.marginal_monthly, cur) if u.marginal_monthly is not None else "-",
        )
    notes = [Text(n) for n in platform.notes]
    return Group(table, *notes, Text(platform.line))


def _view(p: Portfolio) -> Group:
    cur = p.currency
    parts: list[object] = [Text("makebuy portfolio", style="bold")]
    cases = Table(title="Use cases", title_justify="left")
    for name, justify in [
        ("Use case", "left"),
        ("Recommendation", "left"),
        ("Kind", "left"),
        ("Total cost", "right"),
        ("Months", "right"),
    ]:
        cases.add_column(name, justify=justify)  # type: ignore[arg-type]
    for u in p.use_cases:
        rec = u.recommended
        cases.add_row(
            u.name,
            rec.title if rec else "every option ruled out",
            rec.kind if rec else "-",
            money(rec.total, cur) if rec else "-",
            str(u.horizon_months) if u.horizon_months is not None else "-",
        )
    parts.append(cases)
    if p.strategies:
        strat = Table(title="Strategies", title_justify="left")
        strat.add_column("Strategy")
        strat.add_column("Total cost", justify="right")
        strat.add_column("Kept the recommendation", justify="right")
        for s in p.strategies:
            strat.add_row(s.label, money(s.total, cur), f"{s.fallbacks} of {s.use_cases}")
        parts.append(strat)
        labels = {s.name: s.label for s in p.strategies}
        for sv in p.savings:
            verb = "saves" if sv.amount >= 0 else "costs"
            than = "against" if sv.amount >= 0 else "more than"
            parts.append(
                Text(
                    f"{labels[sv.strategy]} {verb} {money(abs(sv.amount), cur)}"
                    f" ({percent(sv.share)}) {than} {labels[sv.versus].lower()}."
                )
            )
    if p.mix:
        mix = Table(title="Recommended mix by kind", title_justify="left")
        mix.add_column("Kind")
        mix.add_column("Use cases", justify="right")
        mix.add_column("Total cost", justify="right")
        mix.add_column("Share", justify="right")
        for k in p.mix:
            mix.add_row(k.kind, str(k.use_cases), money(k.total, cur), percent(k.share))
        parts.append(mix)
    for u in p.use_cases:
        if u.converted_from:
            parts.append(
                Text(f"{u.name}: figures converted from {u.converted_from} at usd_to {u.usd_to:g}.")
            )
    if p.platform is not None:
        parts.append(_platform(p.platform, cur))
    for f in p.failures:
        parts.append(Text(f"failed: {f.path}: {f.message}", style="red"))
    parts.append(Text(p.line + ".", style="bold"))
    return Group(*parts)  # type: ignore[arg-type]
