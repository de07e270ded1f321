"""Self-contained HTML for leadership: inline CSS and SVG, no scripts, nothing fetched.

The page is one file that reads on screen and prints on A4. Charts are drawn here from
figures the stages computed (monthly costs, the break-even series, criterion
contributions); the template only places them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from markupsafe import Markup

from makebuy.models.result import CRITERIA, CRITERION_SHORT_LABELS, Assessment, OptionResult
from makebuy.render import svg
from makebuy.render.format import (
    compact_money,
    compact_number,
    environment,
    number,
    render_template,
    report_context,
    sample_months,
)

if TYPE_CHECKING:
    from makebuy.portfolio import Portfolio

SCORE_CHART_ROWS = 8
"""Options shown in the score-breakdown chart (the full breakdown is in the table)."""


def render(
    assessment: Assessment,
    *,
    width: int = 100,
    color: bool = False,
    template_dir: Path | None = None,
) -> str:
    """The assessment as one HTML page from `report.html.j2` (the user's folder first)."""
    context = report_context(assessment)
    charts = {
        "monthly": monthly_chart(assessment, context["leading"]),  # type: ignore[arg-type]
        "break_even": break_even_charts(assessment),
        "scores": score_chart(assessment, context["eligible"]),  # type: ignore[arg-type]
        "acceptability": acceptability_chart(assessment),
        "tornado": tornado_chart(assessment),
    }
    return render_template(
        environment(autoescape=True, template_dir=template_dir),
        "report.html.j2",
        a=assessment,
        charts=charts,
        criterion_labels=CRITERION_SHORT_LABELS,
        **context,
    )


KIND_COLOURS = {
    "buy": "#0072B2",
    "rent": "#E69F00",
    "make": "#009E73",
    "hybrid": "#CC79A7",
    "seat": "#56B4E9",
}
"""One colour per kind of option in every chart, so a reader learns it once."""


def styled_lines(
    series: list[tuple[OptionResult | None, str, list[tuple[float, float]]]],
) -> list[svg.Line]:
    """Lines coloured by their option's kind; options of the same kind differ by dash."""
    seen: dict[str, int] = {}
    lines = []
    for option, label, points in series:
        kind = option.kind if option else ""
        n = seen.get(kind, 0)
        seen[kind] = n + 1
        lines.append(
            svg.Line(label, points, KIND_COLOURS.get(kind), svg.DASHES[n % len(svg.DASHES)])
        )
    return lines


def monthly_chart(a: Assessment, leading: list[OptionResult]) -> Markup | None:
    """Monthly cost over the horizon for the leading options."""
    lines = styled_lines(
        [
            (o, o.title, [(m + 1.0, v) for m, v in enumerate(o.cost.monthly)])
            for o in leading
            if o.cost and o.cost.monthly
        ]
    )
    if not lines:
        return None
    return svg.line_chart(
        "Monthly cost over the horizon",
        lines,
        x_label="month",
        y_format=lambda v: compact_money(v, a.currency),
        x_format=lambda v: f"{v:g}",
        x_ticks=[float(m) for m in sample_months(max(len(line.points) for line in lines))],
        y_log=spans_orders_of_magnitude([y for line in lines for _, y in line.points]),
    )


def spans_orders_of_magnitude(values: list[float], ratio: float = 30.0) -> bool:
    """Whether a log axis reads better: the largest positive value is `ratio` x the smallest."""
    positive = [v for v in values if v > 0]
    return bool(positive) and max(positive) / min(positive) >= ratio


def break_even_charts(a: Assessment) -> list[tuple[Markup, str]]:
    """One cost-against-volume chart per break-even pair the cost stage worked out."""
    by_id = {o.id: o for o in a.options}
    titles = {o.id: o.title for o in a.options}
    charts = []
    for pair in a.break_even:
        if not pair.series:
            continue
        ids = list(dict.fromkeys(i for point in pair.series for i in point.monthly_cost))
        lines = styled_lines(
            [
                (
                    by_id.get(i),
                    titles.get(i, i),
                    [
                        (p.requests_per_month, p.monthly_cost[i])
                        for p in pair.series
                        if i in p.monthly_cost
                    ],
                )
                for i in ids
            ]
        )
        log = spans_orders_of_magnitude([p.requests_per_month for p in pair.series])
        markers = []
        if pair.requests_per_month is not None:
            markers.append(
                svg.Marker(
                    pair.requests_per_month,
                    f"break-even {compact_number(pair.requests_per_month)} requests/month",
                )
            )
        chart = svg.line_chart(
            f"Monthly cost against volume: {titles.get(pair.make, pair.make)}"
            f" and {titles.get(pair.versus, pair.versus)}",
            lines,
            x_label="requests per month" + (" (log scale)" if log else ""),
            y_format=lambda v: compact_money(v, a.currency),
            x_format=compact_number,
            x_log=log,
            y_log=spans_orders_of_magnitude([y for line in lines for _, y in line.points]),
            markers=markers,
        )
        charts.append((chart, pair.statement))
    return charts


def score_chart(a: Assessment, eligible: list[OptionResult]) -> Markup | None:
    """Each leading option's score as stacked contributions of the criteria."""
    rows = [o for o in eligible if o.criteria][:SCORE_CHART_ROWS]
    if not rows:
        return None
    criteria = [c for c in CRITERIA if c in rows[0].criteria]
    bars = [
        svg.Bar(o.title, [o.criteria[c].contribution for c in criteria], number(o.score))
        for o in rows
    ]
    title = "Score by criterion (weight x normalised value)"
    return svg.stacked_bars(title, bars, [CRITERION_SHORT_LABELS.get(c, c) for c in criteria])


def acceptability_chart(a: Assessment) -> Markup | None:
    """Rank acceptability (SMAA-2): the share of weight samples that place each option
    first, second and third, one stacked bar per option."""
    r = a.robustness
    if r is None or not r.rank_acceptability:
        return None
    titles = {o.id: o.title for o in a.options}
    bars = [
        svg.Bar(titles.get(oid, oid), shares, f"{shares[0]:.0%}")
        for oid, shares in list(r.rank_acceptability.items())[:SCORE_CHART_ROWS]
    ]
    places = ["placed first", "placed second", "placed third"]
    return svg.stacked_bars(
        "Share of weight samples placing each option first, second and third",
        bars,
        places[: len(bars[0].segments)],
        scale_max=1.0,
        tick_format=lambda v: f"{v:.0%}",
    )


def tornado_chart(a: Assessment) -> Markup | None:
    """Per priority, the span (0-5) within which the winner stays the same, narrowest first."""
    r = a.robustness
    if r is None:
        return None
    titles = {o.id: o.title for o in a.options}
    rows = []
    for t in r.priority_tipping:
        low = t.lower + 1 if t.lower is not None else 0
        high = t.higher - 1 if t.higher is not None else 5
        changes = [
            f"{new}: {titles.get(w, w)}"
            for new, w in ((t.lower, t.lower_winner), (t.higher, t.higher_winner))
            if new is not None and w is not None
        ]
        note = "; ".join(changes) if changes else "no change within 0-5"
        rows.append(
            svg.Range(
                CRITERION_SHORT_LABELS[t.criterion],
                low,
                high,
                t.priority,
                note if len(note) <= 34 else note[:33] + "…",
            )
        )
    rows.sort(key=lambda row: (row.high - row.low, row.label))
    return svg.range_bars("Priorities within which the winner holds", rows, axis_max=5)


def render_portfolio(
    portfolio: Portfolio,
    *,
    width: int = 100,
    color: bool = False,
    template_dir: Path | None = None,
) -> str:
    """The portfolio as one HTML page from `portfolio.html.j2`."""
    return render_template(
        environment(autoescape=True, template_dir=template_dir),
        "portfolio.html.j2",
        p=portfolio,
        charts={"strategies": strategy_chart(portfolio)},
    )


def strategy_chart(p: Portfolio) -> Markup | None:
    """The three strategies' totals side by side."""
    if not p.strategies:
        return None
    top = max(s.total for s in p.strategies) or 1.0
    bars = [svg.Bar(s.label, [s.total], compact_money(s.total, p.currency)) for s in p.strategies]
    return svg.stacked_bars(
        "Total cost of each strategy",
        bars,
        [],
        scale_max=top,
        tick_format=lambda v: compact_money(v, p.currency),
    )
