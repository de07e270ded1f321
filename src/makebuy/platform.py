"""Shared inference platform: what a self-hosted model costs when a platform and its team
already run other models.

Without `organisation.platform` (or with `exists: false`) every self-hosted model carries
its own operations staff (`cost.CostParameters.ops_fte_*`: 0.5 FTE with an MLOps team,
1.5 without). That is the cost of standing up self-hosting for one use case; on a platform
that already exists, one more model needs only its own share of the team's work: deploying
it, evaluating upgrades, its slice of on-call. This module answers, for the cost stage:

- the FTE one more model needs (`fte_per_model`: the questionnaire's figure, else
  `FTE_PER_MODEL_ON_PLATFORM`, an assumption the report lists);
- the use case's share of the platform's own cost, when the questionnaire says what the
  platform costs (`monthly_cost`, or `team_fte` x engineer cost) and how many use cases
  share it (`use_cases`); without both no share is charged and the report says so.

A use case pays its platform share once, however many self-hosted models it runs (a
hybrid with two self-hosted legs pays two models' marginal staff and one share).
`makebuy portfolio` spreads the platform cost across the use cases that run on it
(`makebuy.portfolio`).
"""

from __future__ import annotations

from makebuy.models.result import Assumption, CostLine
from makebuy.models.usecase import Platform, UseCase
from makebuy.money import money

FTE_PER_MODEL_ON_PLATFORM = 0.1
"""Engineers one more model needs on an existing platform. NOT a sourced figure: no
published study measures it. It is a tenth of an engineer (about half a day a week) for
deploying the model, evaluating its upgrades and its share of on-call, on tooling, runbooks
and monitoring the platform team already runs. Pan et al. (2025, arXiv:2509.18101), whose
50-130M tokens a month break-even the issue compares against, count hardware and
electricity but no staff line, i.e. they assume the operating team exists."""

FTE_REASON = (
    "Not a sourced figure: no published study measures the staff one more model needs on"
    " an existing inference platform. A tenth of an engineer (about half a day a week)"
    " covers deploying it, evaluating its upgrades and its share of on-call, on tooling the"
    " platform team already runs. Pan et al. 2025 (arXiv:2509.18101) count no staff at all."
    " Set organisation.platform.fte_per_model to your own figure."
)


def platform_of(usecase: UseCase) -> Platform | None:
    """The questionnaire's platform when one exists, else None."""
    p = usecase.organisation.platform
    return p if p is not None and p.exists else None


def on_platform(usecase: UseCase) -> bool:
    """True when self-hosted models run on an existing shared platform."""
    return platform_of(usecase) is not None


def fte_per_model(usecase: UseCase) -> float:
    """Engineers one more model needs on the platform (questionnaire, else the default)."""
    p = platform_of(usecase)
    if p is not None and p.fte_per_model is not None:
        return p.fte_per_model
    return FTE_PER_MODEL_ON_PLATFORM


def marginal_staff_monthly(usecase: UseCase) -> float:
    """What one more model's staff costs a month on the platform (report currency)."""
    return fte_per_model(usecase) * usecase.organisation.engineer_cost_per_year / 12.0


def platform_monthly_cost(p: Platform, engineer_cost_per_year: float) -> float | None:
    """The platform's own cost a month: `monthly_cost`, else the team's cost, else None."""
    if p.monthly_cost is not None:
        return p.monthly_cost
    if p.team_fte is not None:
        return p.team_fte * engineer_cost_per_year / 12.0
    return None


def share_monthly(usecase: UseCase) -> float:
    """This use case's share of the platform's cost a month (0 when none is charged)."""
    p = platform_of(usecase)
    if p is None or p.use_cases is None:
        return 0.0
    whole = platform_monthly_cost(p, usecase.organisation.engineer_cost_per_year)
    return 0.0 if whole is None else whole / p.use_cases


def _basis(p: Platform, usecase: UseCase) -> str:
    org = usecase.organisation
    if p.monthly_cost is not None:
        return f"{money(p.monthly_cost, org.currency)} a month (organisation.platform.monthly_cost)"
    whole = platform_monthly_cost(p, org.engineer_cost_per_year)
    assert p.team_fte is not None and whole is not None
    return (
        f"{money(whole, org.currency)} a month"
        f" ({p.team_fte:g} FTE team at {org.engineer_cost_per_year:,.0f} {org.currency}/year)"
    )


def operations_detail(usecase: UseCase, fte: float) -> str:
    """The operations cost line's words for a model on the platform."""
    org = usecase.organisation
    p = platform_of(usecase)
    given = p is not None and p.fte_per_model is not None
    return (
        f"{fte:g} FTE at {org.engineer_cost_per_year:,.0f} {org.currency}/year: the marginal"
        " staff of one more model on the existing platform"
        + (
            " (organisation.platform.fte_per_model)"
            if given
            else " (an assumption: cost.platform_fte_per_model)"
        )
    )


def share_line(usecase: UseCase, months: int, *, legs: int = 1) -> CostLine | None:
    """The `platform` cost line (fixed): the use case's share over `months`, or None when
    no share is charged. `legs` > 1 says the share is paid once for that many models."""
    p = platform_of(usecase)
    share = share_monthly(usecase)
    if p is None or share <= 0:
        return None
    once = f"; charged once for the {legs} self-hosted legs" if legs > 1 else ""
    return CostLine(
        item="platform",
        fixed=True,
        total=share * months,
        detail=f"{money(share, usecase.organisation.currency)} a month: 1/{p.use_cases} of the"
        f" shared platform's {_basis(p, usecase)}{once}",
    )


def assumptions(usecase: UseCase) -> list[Assumption]:
    """What the report lists when a make option is costed on the platform."""
    p = platform_of(usecase)
    if p is None:
        return []
    out = []
    if p.fte_per_model is None:
        out.append(
            Assumption(
                field="cost.platform_fte_per_model",
                value=f"{FTE_PER_MODEL_ON_PLATFORM:g}",
                origin="estimate",
                reason=FTE_REASON,
            )
        )
    if share_monthly(usecase) <= 0:
        missing = (
            "use_cases"
            if platform_monthly_cost(p, usecase.organisation.engineer_cost_per_year) is not None
            else "monthly_cost (or team_fte) and use_cases"
            if p.use_cases is None
            else "monthly_cost (or team_fte)"
        )
        out.append(
            Assumption(
                field="cost.platform_share",
                value="not charged",
                origin="default",
                reason="organisation.platform gives no "
                + missing
                + ", so the platform's own cost is treated as already paid and no share of it"
                " is charged to this use case; self-hosted options pay their GPUs and"
                " marginal staff only.",
            )
        )
    return out
