"""A Markdown summary that always fits one pull-request comment (`--format markdown --summary`).

GitHub refuses a comment over 65,536 characters; full reports run to 100 KB and more. The
summary keeps what a reviewer decides on: the recommendation and its cost, the leading
options, the robustness verdict, what was ruled out, and a last line saying where the full
report is. Parts are added in order of importance while they fit `MAX_CHARS`; the link line
is always kept, and any text from the questionnaire or a catalog is shortened first.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from makebuy.models.result import Assessment
from makebuy.render.format import md, money, number, percent

if TYPE_CHECKING:
    from makebuy.portfolio import Portfolio

MAX_CHARS = 60_000
"""Below GitHub's 65,536-character comment limit, with room for a CI job's own header."""
MAX_TEXT = 300
"""Longest piece of questionnaire or catalog text shown (a name, a rationale line)."""
OPTION_ROWS = 10
"""Leading options in the summary's table."""
USE_CASE_ROWS = 100
"""Use cases in a portfolio summary's table (the rest are counted)."""


def short(text: object, limit: int = MAX_TEXT) -> str:
    """`text` escaped for Markdown, cut at `limit` characters with an ellipsis."""
    raw = " ".join(str(text).split())
    if len(raw) > limit:
        raw = raw[: limit - 1].rstrip() + "…"
    return md(raw)


def full_report_line(full_report: str | None, command: str) -> str:
    """Where the full report is: the URL given, else the command that writes it."""
    if full_report:
        return f"Full report: <{full_report}>"
    return f"Full report: run `{command}`."


def fit(parts: list[str], last: str, limit: int = MAX_CHARS) -> str:
    """`parts` in order while they fit in `limit` with `last` after them; a part that does
    not fit is left out, and a note says how many were."""
    out: list[str] = []
    left = 0
    room = limit - len(last) - 200
    for part in parts:
        if len(part) + 2 <= room:
            out.append(part)
            room -= len(part) + 2
        else:
            left += 1
    if left:
        out.append(f"_{left} part{'' if left == 1 else 's'} left out to fit one comment._")
    return "\n\n".join([*out, last]) + "\n"


def render(
    assessment: Assessment,
    *,
    width: int = 100,
    color: bool = False,
    full_report: str | None = None,
    command: str = "makebuy assess USECASE.yaml --format markdown",
) -> str:
    """The assessment's summary in Markdown, under `MAX_CHARS` whatever the input."""
    a = assessment
    cur = a.currency
    by_id = {o.id: o for o in a.options}
    win = by_id.get(a.recommendation.option or "")
    parts = [f"## makebuy: {short(a.usecase.name)}"]
    if win is not None and win.cost is not None:
        months = len(win.cost.monthly)
        parts.append(
            f"**Recommendation: {short(win.title)}**: {money(win.cost.monthly_average, cur)}"
            f" per month, {money(win.cost.total, cur)} over {months} months"
            f" ({money(win.cost.per_million_tokens, cur)} per 1M tokens, score"
            f" {number(win.score)})."
        )
    else:
        parts.append("**No recommendation: every option was ruled out.**")
    parts.append(short(a.summary.line, 1000) + ".")
    ranked = sorted((o for o in a.options if o.rank is not None), key=lambda o: o.rank or 0)
    if ranked:
        rows = [
            "| Rank | Option | Kind | Score | Per month | Total cost |",
            "|---:|---|---|---:|---:|---:|",
        ]
        for o in ranked[:OPTION_ROWS]:
            assert o.cost is not None
            rows.append(
                f"| {o.rank} | {short(o.title, 120)} | {o.kind} | {number(o.score)}"
                f" | {money(o.cost.monthly_average, cur)} | {money(o.cost.total, cur)} |"
            )
        if len(ranked) > OPTION_ROWS:
            rows.append(f"\n{len(ranked) - OPTION_ROWS} more ranked options in the full report.")
        parts.append("\n".join(rows))
    if a.recommendation.rationale:
        parts.append("\n".join(f"- {short(line)}" for line in a.recommendation.rationale[:6]))
    if a.robustness is not None:
        parts.append(f"**Robustness:** {short(a.robustness.verdict, 1000)}")
    excluded = [o for o in a.options if o.status == "excluded" and o.exclusions]
    if excluded:
        counts = Counter(o.exclusions[0].code for o in excluded)
        listed = ", ".join(
            f"{n} {code}" for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        )
        parts.append(f"Ruled out, by first reason: {short(listed, 2000)}.")
    defaults = [x for x in a.assumptions if x.origin == "default"]
    if a.assumptions:
        parts.append(
            f"{len(a.assumptions)} assumptions ({len(defaults)} defaults the questionnaire"
            " left out) are listed in the full report."
        )
    return fit(parts, full_report_line(full_report, command))


def render_portfolio(
    portfolio: Portfolio,
    *,
    width: int = 100,
    color: bool = False,
    full_report: str | None = None,
    command: str = "makebuy portfolio PATH... --format markdown",
) -> str:
    """The portfolio's summary in Markdown, under `MAX_CHARS` whatever the input."""
    p = portfolio
    cur = p.currency
    parts = ["## makebuy portfolio", short(p.line, 2000) + "."]
    if p.strategies:
        rows = ["| Strategy | Total cost | Kept the recommendation |", "|---|---:|---:|"]
        rows += [
            f"| {md(s.label)} | {money(s.total, cur)} | {s.fallbacks} of {s.use_cases} |"
            for s in p.strategies
        ]
        parts.append("\n".join(rows))
        labels = {s.name: s.label for s in p.strategies}
        parts.append(
            "\n".join(
                f"- {md(labels[sv.strategy])} {'saves' if sv.amount >= 0 else 'costs'}"
                f" {money(abs(sv.amount), cur)} ({percent(sv.share)})"
                f" {'against' if sv.amount >= 0 else 'more than'} {md(labels[sv.versus].lower())}."
                for sv in p.savings
            )
        )
    if p.use_cases:
        rows = ["| Use case | Recommendation | Kind | Total cost |", "|---|---|---|---:|"]
        for u in p.use_cases[:USE_CASE_ROWS]:
            rec = u.recommended
            choice = short(rec.title, 120) if rec else "every option ruled out"
            rows.append(
                f"| {short(u.name, 120)} | {choice}"
                f" | {rec.kind if rec else '-'} | {money(rec.total, cur) if rec else '-'} |"
            )
        if len(p.use_cases) > USE_CASE_ROWS:
            rows.append(f"\n{len(p.use_cases) - USE_CASE_ROWS} more use cases in the full report.")
        parts.append("\n".join(rows))
    if p.failures:
        parts.append(
            f"{len(p.failures)} questionnaire{'' if len(p.failures) == 1 else 's'} could not be"
            " assessed: "
            + "; ".join(short(f.path, 200) for f in p.failures[:20])
            + ("; …" if len(p.failures) > 20 else "")
        )
    return fit(parts, full_report_line(full_report, command))
