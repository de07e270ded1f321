"""CSV for spreadsheets: an assessment (one row per option) and a portfolio (one row per
use case, failure, strategy and kind; with a shared platform, one `platform` row and one
`platform_use_case` row per use case, whose `total` is its marginal cost a month on the
platform).

In the portfolio CSV the first column, `record`, says what a row is, so one file holds the
whole portfolio and a spreadsheet filter separates the parts. Money has two decimals, in
the report currency.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from makebuy.models.result import Assessment
    from makebuy.portfolio import Pick, PlatformSummary, Portfolio

COLUMNS = (
    "record",
    "path",
    "name",
    "owner",
    "status",
    "option",
    "kind",
    "total",
    "per_million_tokens",
    "horizon_months",
    "best_buy",
    "best_buy_total",
    "best_make",
    "best_make_total",
    "use_cases",
    "fallbacks",
    "share",
    "versus",
    "currency",
    "message",
)


def _money(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _pick(pick: Pick | None, prefix: str) -> dict[str, str]:
    if pick is None:
        return {}
    return {prefix: pick.option, f"{prefix}_total": _money(pick.total)}


class InertWriter(csv.DictWriter):
    """Text that a spreadsheet would run as a formula (=, +, -, @) gets a leading quote."""

    def writerow(self, rowdict: Mapping[str, Any]) -> Any:
        return super().writerow({k: spreadsheet_safe(v) for k, v in rowdict.items()})


def spreadsheet_safe(value: Any) -> Any:
    """`value`, with a leading quote when a spreadsheet would run it as a formula.

    The one guard for every CSV makebuy writes (portfolio, catalog list): catalog and
    questionnaire text is not ours, and `=HYPERLINK(...)` in a cell is an attack.
    """
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        try:
            float(value)  # a negative number stays a number
        except ValueError:
            return "'" + value
    return value


def render_portfolio(portfolio: Portfolio, *, width: int = 100, color: bool = False) -> str:
    """The portfolio as CSV (RFC 4180, `\\n` line ends, a header row)."""
    buffer = io.StringIO()
    writer = InertWriter(buffer, fieldnames=COLUMNS, lineterminator="\n", restval="")
    writer.writeheader()
    cur = portfolio.currency
    for u in portfolio.use_cases:
        rec = u.recommended
        row = {
            "record": "use_case",
            "path": u.path,
            "name": u.name,
            "owner": u.owner or "",
            "status": "recommended" if rec else "all options ruled out",
            "horizon_months": "" if u.horizon_months is None else str(u.horizon_months),
            "currency": cur,
            "message": u.summary,
            **_pick(u.best_buy, "best_buy"),
            **_pick(u.best_make, "best_make"),
        }
        if rec is not None:
            row |= {
                "option": rec.option,
                "kind": rec.kind,
                "total": _money(rec.total),
                "per_million_tokens": _money(rec.per_million_tokens),
            }
        writer.writerow(row)
    for f in portfolio.failures:
        writer.writerow(
            {"record": "failure", "path": f.path, "status": "failed", "message": f.message}
        )
    for s in portfolio.strategies:
        writer.writerow(
            {
                "record": "strategy",
                "name": s.label,
                "option": s.name,
                "total": _money(s.total),
                "use_cases": str(s.use_cases),
                "fallbacks": str(s.fallbacks),
                "currency": cur,
            }
        )
    labels = {s.name: s.label for s in portfolio.strategies}
    for sv in portfolio.savings:
        writer.writerow(
            {
                "record": "saving",
                "name": f"{labels[sv.strategy]} against {labels[sv.versus]}",
                "option": sv.strategy,
                "versus": sv.versus,
                "total": _money(sv.amount),
                "share": "" if sv.share is None else f"{sv.share:.4f}",
                "currency": cur,
            }
        )
    for k in portfolio.mix:
        writer.writerow(
            {
                "record": "kind",
                "kind": k.kind,
                "total": _money(k.total),
                "use_cases": str(k.use_cases),
                "share": "" if k.share is None else f"{k.share:.4f}",
                "currency": cur,
            }
        )
    if portfolio.platform is not None:
        _platform_rows(writer, portfolio.platform, cur)
    return buffer.getvalue()


def _platform_rows(writer: InertWriter, platform: PlatformSummary, cur: str) -> None:
    """The shared platform: its cost a month, then each use case's marginal cost a month."""
    writer.writerow(
        {
            "record": "platform",
            "name": "Shared platform",
            "total": _money(platform.monthly_cost),
            "use_cases": str(platform.on_platform),
            "currency": cur,
            "message": platform.line,
        }
    )
    for u in platform.use_cases:
        spread = "" if u.share_spread is None else f"{u.share_spread:,.2f} {cur}"
        charged = "none" if u.share_charged is None else f"{u.share_charged:,.2f} {cur} a month"
        writer.writerow(
            {
                "record": "platform_use_case",
                "path": u.path,
                "name": u.name,
                "status": "on platform" if u.on_platform else "not on platform",
                "option": u.marginal_option or "",
                "kind": "make" if u.marginal_option else "",
                "total": _money(u.marginal_monthly),
                "currency": cur,
                "message": "total: marginal cost a month as one more use case (GPUs and"
                f" marginal staff, no platform share); platform share charged: {charged}"
                + (f"; spread across the portfolio: {spread} a month" if spread else ""),
            }
        )


OPTION_COLUMNS = (
    "rank",
    "option",
    "title",
    "kind",
    "model",
    "provider",
    "offering",
    "licence",
    "status",
    "score",
    "total",
    "monthly_average",
    "per_million_tokens",
    "input_per_1m_usd",
    "output_per_1m_usd",
    "quality",
    "exclusion_code",
    "exclusion",
    "currency",
)
"""Columns of `makebuy assess --format csv`: one row per option."""


def _figure(value: float | None, digits: int = 4) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def render_assessment(assessment: Assessment, *, width: int = 100, color: bool = False) -> str:
    """The assessment as CSV: one row per option, ranked options first (rank 1 is the
    recommendation), then the ruled-out ones in the order they were considered, each with
    its first exclusion. Money has two decimals, in the report currency; the per-1M-token
    API prices are in USD, as the JSON names them."""
    buffer = io.StringIO()
    writer = InertWriter(buffer, fieldnames=OPTION_COLUMNS, lineterminator="\n", restval="")
    writer.writeheader()
    ranked = sorted(
        (o for o in assessment.options if o.rank is not None), key=lambda o: o.rank or 0
    )
    rest = [o for o in assessment.options if o.rank is None]
    for o in [*ranked, *rest]:
        first = o.exclusions[0] if o.exclusions else None
        cost = o.cost
        writer.writerow(
            {
                "rank": "" if o.rank is None else str(o.rank),
                "option": o.id,
                "title": o.title,
                "kind": o.kind,
                "model": o.model,
                "provider": o.provider,
                "offering": o.offering or "",
                "licence": o.licence or "",
                "status": o.status,
                "score": _figure(o.score),
                "total": _money(cost.total if cost else None),
                "monthly_average": _money(
                    cost.total / len(cost.monthly) if cost and cost.monthly else None
                ),
                "per_million_tokens": _money(cost.per_million_tokens if cost else None),
                "input_per_1m_usd": _figure(cost.input_per_1m_usd if cost else None),
                "output_per_1m_usd": _figure(cost.output_per_1m_usd if cost else None),
                "quality": "" if o.quality is None else f"{o.quality:g}",
                "exclusion_code": first.code if first else "",
                "exclusion": first.message if first else "",
                "currency": assessment.currency,
            }
        )
    return buffer.getvalue()
