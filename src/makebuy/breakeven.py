"""Break-even stage: the monthly volume at which self-hosting and an API cost the same.

For the best-ranked make option against the best-ranked buy and rent options. Both are
costed at steady volume V (requests a month, today's request shape and peak-to-average
ratio, no growth):

- API: V x (input tokens x input price + output tokens x output price) / 1M;
- make: the cheapest of the model's serving configurations (the ones the cost stage
  capacity stage kept) at the replicas V's peak needs, plus its fixed monthly cost (operations
  staff and fine-tuning, as in its cost breakdown).

The make curve is a staircase (one step per replica), the API curve a line. Between two
steps make is flat and the API rises, so the last volume at which make is dearer is found
exactly, piece by piece. Past one replica's worth of headroom make grows at its cheapest
GPU cost per request; when that is at or above the API's price per request the two never
cross, and the statement says so.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from makebuy import cost, loadshape, seats
from makebuy.models.result import BreakEven, CostPoint, OptionResult
from makebuy.models.stages import Capacity
from makebuy.models.usecase import Load, UseCase
from makebuy.money import money

SERIES_POINTS = 25
MAX_BREAKPOINTS = 200_000


def break_even(
    usecase: UseCase,
    results: list[OptionResult],
    sized: Capacity,
) -> tuple[list[BreakEven], str | None]:
    """Crossings of the best make option with the best buy and the best rent option, or,
    when one side has no eligible option, a sentence saying why there is none."""
    ranked = sorted((r for r in results if r.rank is not None), key=lambda r: r.rank or 0)
    make = next((r for r in ranked if r.kind == "make" and r.cost is not None), None)
    apis = [
        api
        for kind in ("buy", "rent")
        if (api := next((r for r in ranked if r.kind == kind and r.cost is not None), None))
    ]
    if make is None and apis:
        return [], (
            "No self-hosted option survived the gate and costing, so there is no break-even"
            " volume: only APIs are open for these requirements."
        )
    if make is None:
        return [], None
    if not apis:
        return [], (
            f"No buy or rent option survived the gate, so {make.title} has no API to break"
            " even against: self-hosting is the only way open, at any volume."
        )
    configs = sized.configurations(make.model)
    if configs.empty:
        return [], None
    return [_pair(usecase, make, api, configs) for api in apis], None


def _pair(
    usecase: UseCase, make: OptionResult, api: OptionResult, configs: pd.DataFrame
) -> BreakEven:
    assert make.cost is not None and api.cost is not None
    vol = usecase.volume
    rate = usecase.organisation.usd_to
    cur = usecase.organisation.currency
    tokens_per_request = vol.tokens_per_request
    api_per_request = _api_per_request(usecase, api)
    months = len(make.cost.monthly)
    fixed = sum(line.total for line in make.cost.breakdown if line.fixed) / months
    # A tuned API's training runs are fixed too: the crossing nets them off make's.
    api_fixed = api.cost.line_total("fine_tuning") / months
    net_fixed = max(fixed - api_fixed, 0.0)
    peak_ratio = (vol.peak_requests_per_second or 0.0) / vol.requests_per_month
    # Requests a month one replica covers, and what it costs a month, per configuration.
    per_replica = configs["capacity_rps"].to_numpy() / max(peak_ratio, 1e-30)
    replica_month = configs["replica_usd_per_hour"].to_numpy() * cost.HOURS_PER_MONTH * rate
    # A load shape runs the replicas part of the week: on average its mean share of the peak.
    shape = loadshape.replica_load(usecase)
    make_per_request = float((replica_month / per_replica).min()) * loadshape.mean_level(shape)

    def make_monthly(v: np.ndarray) -> np.ndarray:
        replicas = loadshape.mean_replicas(v[:, None] / per_replica[None, :], shape)
        return (replicas * replica_month[None, :]).min(axis=1) + fixed

    volume: float | None = None
    if make_per_request >= api_per_request:
        statement = (
            f"{make.title} never becomes cheaper than {api.title}: even with every replica"
            f" busy at peak its GPUs cost {money(make_per_request * 1e3, cur)} per 1,000"
            f" requests, at or above the API's {money(api_per_request * 1e3, cur)},"
            f" before {money(fixed, cur)} a month of fixed costs."
        )
        lo, hi = vol.requests_per_month / 10, vol.requests_per_month * 100
    else:
        best = int(np.argmin(replica_month / per_replica))
        beyond = (replica_month[best] + net_fixed) / (api_per_request - make_per_request)
        volume = _last_dearer(per_replica, replica_month, net_fixed, api_per_request, beyond, shape)
        today = vol.requests_per_month
        tokens = volume * tokens_per_request
        crossing = f"{_count(volume)} requests a month ({_count(tokens)} tokens)"
        if today >= volume:
            statement = (
                f"{make.title} is already cheaper than {api.title} at today's"
                f" {_count(today)} requests a month; the costs cross at {crossing}."
            )
        else:
            statement = (
                f"{make.title} becomes cheaper than {api.title} above {crossing};"
                f" today's volume is {_count(today)} requests a month."
            )
        lo = min(today, volume) / 10
        hi = max(today, volume) * 10
    grid = np.unique(
        np.concatenate(
            [
                np.geomspace(lo, hi, SERIES_POINTS),
                [vol.requests_per_month],
                [volume] if volume is not None else [],
            ]
        )
    )
    make_costs = make_monthly(grid)
    api_costs = grid * api_per_request + api_fixed
    series = [
        CostPoint(
            requests_per_month=round(float(v), 2),
            monthly_cost={make.id: round(float(m), 2), api.id: round(float(a), 2)},
        )
        for v, m, a in zip(grid, make_costs, api_costs, strict=True)
    ]
    return BreakEven(
        make=make.id,
        versus=api.id,
        requests_per_month=round(volume, 2) if volume is not None else None,
        tokens_per_month=round(volume * tokens_per_request, 2) if volume is not None else None,
        statement=statement,
        series=series,
    )


def _api_per_request(usecase: UseCase, api: OptionResult) -> float:
    """What one request of today's shape costs on an API option (report currency)."""
    assert api.cost is not None
    vol = usecase.volume
    return (
        (
            vol.input_tokens_per_request * (api.cost.input_per_1m_usd or 0.0)
            + vol.output_tokens_per_request * (api.cost.output_per_1m_usd or 0.0)
        )
        / 1e6
        * usecase.organisation.usd_to
    )


def _last_dearer(
    per_replica: np.ndarray,
    replica_month: np.ndarray,
    fixed: float,
    api_per_request: float,
    beyond: float,
    load: Load,
) -> float:
    """The largest volume at which make costs more than the API (make is cheaper above it).

    Pieces lie between the replica steps of every configuration, up to `beyond`, past which
    make is always cheaper. On a piece make is flat at its level L and the API line reaches
    it at V = L / price, so make is dearer on (start, min(end, L / price)).
    """
    counts = np.ceil(beyond / per_replica).astype(int) + 1
    steps = len(loadshape.segments(load)[1])
    if counts.sum() * steps > MAX_BREAKPOINTS:  # very many steps: sample the curve instead
        points = np.geomspace(1.0, beyond, MAX_BREAKPOINTS)
    elif load.load_shape == "flat":
        points = np.concatenate(
            [np.arange(1, n + 1) * u for n, u in zip(counts, per_replica, strict=True)]
        )
    else:  # each segment's replicas step at its own volumes
        points = np.concatenate(loadshape.breakpoints(per_replica, beyond, load))
    edges = np.unique(np.concatenate([[0.0], points[points <= beyond], [beyond]]))
    starts, ends = edges[:-1], edges[1:]
    mid = (starts + ends) / 2
    replicas = loadshape.mean_replicas(mid[:, None] / per_replica[None, :], load)
    level = (replicas * replica_month[None, :]).min(axis=1) + fixed
    reach = level / api_per_request
    dearer = reach > starts
    return float(np.minimum(ends, reach)[dearer].max())


def _count(value: float) -> str:
    """12,300 / 1.2M / 3.4B: volumes in one short sentence."""
    for limit, suffix in ((1e9, "B"), (1e6, "M")):
        if value >= limit:
            return f"{value / limit:,.1f}{suffix}"
    return f"{value:,.0f}"


def seat_break_even(usecase: UseCase, results: Sequence[OptionResult]) -> list[BreakEven]:
    """Where the best-ranked seat option's flat bill meets the best buy and the best rent
    option's token bill, at steady volume V (requests a month, today's request shape):
    seats cost their total over the horizon / months whatever V is; an API costs V x its
    price per request. They cross at V = seat bill / API price per request, above which
    the seats are cheaper. Empty without a ranked seat option."""
    ranked = sorted((r for r in results if r.rank is not None), key=lambda r: r.rank or 0)
    seat = next((r for r in ranked if r.kind == seats.SEAT_KIND and r.cost is not None), None)
    if seat is None or seat.cost is None:
        return []
    vol = usecase.volume
    months = len(seat.cost.monthly)
    flat = seat.cost.total / months
    tokens_per_request = vol.tokens_per_request
    today = vol.requests_per_month
    out = []
    for kind in ("buy", "rent"):
        api = next((r for r in ranked if r.kind == kind and r.cost is not None), None)
        if api is None or api.cost is None:
            continue
        per_request = _api_per_request(usecase, api)
        if per_request <= 0:
            continue
        volume = flat / per_request
        crossing = (
            f"{_count(volume)} requests a month ({_count(volume * tokens_per_request)} tokens)"
        )
        if today >= volume:
            statement = (
                f"{seat.title} is already cheaper than {api.title} at today's"
                f" {_count(today)} requests a month; the costs cross at {crossing}."
            )
        else:
            statement = (
                f"{seat.title} becomes cheaper than {api.title} above {crossing}: its bill"
                f" stays {money(flat, usecase.organisation.currency)} a month whatever the"
                f" volume; today's volume is {_count(today)} requests a month."
            )
        lo, hi = min(today, volume) / 10, max(today, volume) * 10
        grid = np.unique(np.concatenate([np.geomspace(lo, hi, SERIES_POINTS), [today, volume]]))
        out.append(
            BreakEven(
                make=seat.id,
                versus=api.id,
                requests_per_month=round(volume, 2),
                tokens_per_month=round(volume * tokens_per_request, 2),
                statement=statement,
                series=[
                    CostPoint(
                        requests_per_month=round(float(v), 2),
                        monthly_cost={
                            seat.id: round(flat, 2),
                            api.id: round(float(v) * per_request, 2),
                        },
                    )
                    for v in grid
                ],
            )
        )
    return out
