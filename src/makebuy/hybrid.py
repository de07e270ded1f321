"""Hybrid stage: route each complexity share of the traffic to its own option.

Runs when the questionnaire gives `task.mix`. Every share (low, medium, high) needs a
quality of at least its tier on the evaluation date (`options.quality_tiers`: relative to
the best model available then when the scale has `tier_gaps`); it goes to
the cheapest option that meets that need among the options that passed the gate (so
every gate rule applies to every leg) and could be costed at the share's volume. Each
leg is costed at its own share of requests and peak rate: a self-hosted leg sized for
20 % of the traffic needs fewer replicas but keeps its full operations cost. Shares that
land on the same option are served by one deployment, costed at their summed share. On a
shared platform (`organisation.platform`) each self-hosted leg pays its model's marginal
staff, and the use case's platform share is paid once, not once per self-hosted leg.

Three routings are tried: any kind of leg, self-hosted legs only, and API legs only (buy
and rent). A routing that sends everything to one option is not a hybrid and is dropped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np

from makebuy import cost, platform
from makebuy.models.catalog import Catalog
from makebuy.models.result import (
    Cost,
    CostLine,
    GateResult,
    HybridLeg,
    Obligation,
    Option,
)
from makebuy.models.stages import Capacity, CostedOption, QualityTiers
from makebuy.models.usecase import Complexity, UseCase
from makebuy.money import money

COMPLEXITIES: tuple[Complexity, ...] = ("low", "medium", "high")
ROUTINGS: tuple[tuple[str, frozenset[str]], ...] = (
    ("any", frozenset({"buy", "rent", "make"})),
    ("self-hosted", frozenset({"make"})),
    ("API", frozenset({"buy", "rent"})),
)


def scaled_usecase(usecase: UseCase, share: float) -> UseCase:
    """The questionnaire with `share` of its requests and of its peak rate."""
    vol = usecase.volume
    peak = vol.peak_requests_per_second
    return usecase.model_copy(
        update={
            "volume": vol.model_copy(
                update={
                    "requests_per_month": vol.requests_per_month * share,
                    "peak_requests_per_second": peak * share if peak is not None else None,
                }
            )
        }
    )


def hybrid_options(
    usecase: UseCase,
    catalog: Catalog,
    costed: list[CostedOption],
    on: dt.date,
    sized: Capacity,
    params: cost.CostParameters = cost.DEFAULT_PARAMETERS,
    *,
    tiers: QualityTiers,
) -> list[CostedOption]:
    """Hybrid options for `task.mix`, each with its legs, blended cost and quality."""
    mix = usecase.task.mix
    if mix is None:
        return []
    shares: dict[Complexity, float] = {
        c: float(getattr(mix, c)) for c in COMPLEXITIES if getattr(mix, c) > 0
    }
    eligible = {
        c.gate.option.id: c.gate
        for c in costed
        if c.gate.eligible and c.cost is not None and c.gate.option.quality is not None
    }
    if len(shares) < 2 or len(eligible) < 2:
        return []
    costs_at = _cost_cache(usecase, catalog, list(eligible.values()), on, sized, params)
    minimum = tiers.minimum
    out: list[CostedOption] = []
    seen: set[tuple[tuple[Complexity, str], ...]] = set()
    for label, kinds in ROUTINGS:
        route: dict[Complexity, str] = {}
        for complexity, share in shares.items():
            priced = costs_at(share)
            fits = [
                (priced[oid].total, oid)
                for oid, g in eligible.items()
                if oid in priced
                and g.option.kind in kinds
                and (g.option.quality or 0.0) >= minimum[complexity]
            ]
            if not fits:
                break
            route[complexity] = min(fits)[1]
        else:
            key = tuple(sorted(route.items()))
            if len(set(route.values())) > 1 and key not in seen:
                seen.add(key)
                out.append(_hybrid(usecase, label, route, shares, eligible, costs_at))
    return out


def _cost_cache(
    usecase: UseCase,
    catalog: Catalog,
    gated: list[GateResult],
    on: dt.date,
    sized: Capacity,
    params: cost.CostParameters,
) -> Callable[[float], dict[str, Cost]]:
    """Costs of every eligible option at a share of the volume, computed once per share on
    the assessment's capacity tables (a share changes replica counts, not sizing)."""
    cache: dict[float, dict[str, Cost]] = {}

    def at(share: float) -> dict[str, Cost]:
        key = round(share, 9)
        if key not in cache:
            priced, _ = cost.cost_options(
                scaled_usecase(usecase, key), catalog, gated, on, sized, params
            )
            cache[key] = {
                c.gate.option.id: c.cost for c in priced if c.gate.eligible and c.cost is not None
            }
        return cache[key]

    return at


def _hybrid(
    usecase: UseCase,
    label: str,
    route: dict[Complexity, str],
    shares: dict[Complexity, float],
    eligible: dict[str, GateResult],
    costs_at: Callable[[float], dict[str, Cost]],
) -> CostedOption:
    """One hybrid option from its routing: legs, summed cost, blended quality."""
    by_option: dict[str, float] = {}
    for complexity, oid in route.items():
        by_option[oid] = by_option.get(oid, 0.0) + shares[complexity]
    cur = usecase.organisation.currency
    monthly = np.zeros(usecase.volume.horizon_months)
    lines = []
    input_usd = output_usd = 0.0
    make_legs = sum(1 for oid in by_option if eligible[oid].option.kind == "make")
    # With two or more self-hosted legs the platform share comes off each leg and is
    # charged once, on its own line.
    once = platform.share_monthly(usecase) if make_legs > 1 else 0.0
    for oid, share in sorted(by_option.items(), key=lambda kv: (-kv[1], kv[0])):
        leg_cost = costs_at(share)[oid]
        shared = once if eligible[oid].option.kind == "make" else 0.0
        monthly += np.array(leg_cost.monthly) - shared
        input_usd += share * (leg_cost.input_per_1m_usd or 0.0)
        output_usd += share * (leg_cost.output_per_1m_usd or 0.0)
        served = ", ".join(c for c in COMPLEXITIES if route.get(c) == oid)
        lines.append(
            CostLine(
                item=f"leg:{served}",
                total=leg_cost.total - shared * len(monthly),
                detail=f"{share:.0%} of requests ({served}) to {eligible[oid].option.title}"
                f" ({money(leg_cost.per_million_tokens, cur)} per 1M tokens at that volume)"
                + ("; its platform share is on the platform line" if shared else ""),
            )
        )
    if once:
        monthly += once
        line = platform.share_line(usecase, len(monthly), legs=make_legs)
        assert line is not None
        lines.append(line)
    legs = [
        HybridLeg(complexity=c, share=shares[c], option=route[c])
        for c in COMPLEXITIES
        if c in route
    ]
    options = [eligible[oid].option for oid in sorted(by_option)]
    main = min(by_option, key=lambda oid: (-by_option[oid], oid))
    quality = sum(shares[c] * (eligible[route[c]].option.quality or 0.0) for c in route)
    vol = usecase.volume
    volumes = cost.month_volumes(usecase)
    tokens_m = float(volumes.sum()) * vol.tokens_per_request / 1e6
    total = float(monthly.sum())
    name = " + ".join(
        f"{eligible[route[c]].option.model_name} ({c} {shares[c]:.0%})" for c in route
    )
    contexts = [o.context_tokens for o in options if o.context_tokens is not None]
    option = Option(
        id="hybrid:" + ";".join(f"{c}={route[c]}" for c in COMPLEXITIES if c in route),
        kind="hybrid",
        model=eligible[main].option.model,
        model_name=f"Hybrid ({label}): {name}",
        provider=" + ".join(sorted({o.provider for o in options})),
        open_weights=all(o.open_weights for o in options),
        quality=round(quality, 2),
        quality_evidence="share-weighted quality of the legs",
        context_tokens=min(contexts) if contexts else None,
    )
    obligations: dict[tuple[str, str], Obligation] = {}
    for oid in sorted(by_option):
        for ob in eligible[oid].obligations:
            obligations.setdefault((ob.code, ob.message), ob)
    hybrid_cost = Cost(
        currency=cur,
        total=total,
        monthly=[round(float(x), 2) for x in monthly],
        per_million_tokens=total / tokens_m,
        breakdown=lines,
        input_per_1m_usd=input_usd,
        output_per_1m_usd=output_usd,
    )
    return CostedOption(
        gate=GateResult(option=option, obligations=list(obligations.values())),
        cost=hybrid_cost,
        legs=legs,
    )
