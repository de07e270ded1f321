"""Load shape and purchase options: when traffic comes, and what can be bought cheaper.

The questionnaire's `load` section (all optional; absent, today's behaviour) says:

- `load_shape`: how the request rate moves over a week, relative to the peak rate.
  `flat` is the peak all week; `business_hours` is the peak for `peak_hours_per_day` hours
  on each of 5 weekdays and `off_peak_share` of it the rest of the week; `diurnal` is the
  same cosine curve every day, from `off_peak_share` of the peak at 02:00 to the peak at
  14:00 (24 hourly levels). A shape is a set of segments: the share of the week's hours it
  covers and the rate in it as a share of the peak (`segments`).
- Self-hosted replicas follow the shape: in each segment as many run as its rate needs,
  at least one (a person may be waiting), or none off-peak when every request is
  batchable (a batch job runs when the peak comes back). GPU-hours are the time-weighted
  replicas times the hours of the month (`mean_replicas`).
- `batchable_share` of requests go through the offering's batch API at its batch prices,
  and `cacheable_input_share` of input tokens are billed at its cached-input price, where
  the catalog has those prices (`Price.discounts`); where it has none, that share pays the
  list price and the cost line says the discount was not applied. The two discounts do not
  stack: a cached input token of a batch request pays the lower of the two prices.
- `spot_acceptable`: the batchable share of each self-hosted replica's hours runs on spot
  capacity where the catalog holds a lower spot price for the same shape (`makebuy.spot`).

Every function works on whole numpy arrays, so the cost stage, the hybrid legs and the
robustness scenarios apply exactly the same shape and the same prices.
"""

from __future__ import annotations

import numpy as np

from makebuy import spot
from makebuy.models.catalog import Catalog, Price
from makebuy.models.result import Assumption
from makebuy.models.usecase import Load, UseCase
from makebuy.units import HOURS_PER_MONTH

WEEKDAYS = 5
HOURS_PER_WEEK = 7 * 24
DIURNAL_PEAK_HOUR = 14
"""Hour of the day (local time) at which the diurnal curve peaks; its low is 12 hours later."""

SHAPE_NAMES = {"flat": "flat", "business_hours": "business-hours", "diurnal": "diurnal"}


def is_default(load: Load) -> bool:
    """True when the section changes nothing: flat load, no batch, no cache, no spot."""
    return (
        load.load_shape == "flat"
        and load.batchable_share == 0
        and load.cacheable_input_share == 0
        and not load.spot_acceptable
    )


def segments(load: Load) -> tuple[np.ndarray, np.ndarray]:
    """(share of the week's hours, rate as a share of the peak) of each segment of the
    shape; the shares sum to 1 and the highest rate is 1."""
    if load.load_shape == "business_hours":
        peak_hours = WEEKDAYS * load.peak_hours_per_day / HOURS_PER_WEEK
        if peak_hours >= 1.0:
            return np.array([1.0]), np.array([1.0])
        return np.array([peak_hours, 1.0 - peak_hours]), np.array([1.0, load.off_peak_share])
    if load.load_shape == "diurnal":
        hours = np.arange(24)
        wave = (1.0 + np.cos(2 * np.pi * (hours - DIURNAL_PEAK_HOUR) / 24)) / 2
        return np.full(24, 1 / 24), load.off_peak_share + (1.0 - load.off_peak_share) * wave
    return np.array([1.0]), np.array([1.0])


def mean_level(load: Load) -> float:
    """The week's average rate as a share of the peak (flat: 1)."""
    weights, levels = segments(load)
    return float(weights @ levels)


def minimum_replicas(load: Load) -> int:
    """Replicas kept running off-peak: none for a batch-only workload, else one."""
    return 0 if load.batchable_share >= 1.0 else 1


def mean_replicas(peak_load: np.ndarray, load: Load) -> np.ndarray:
    """Replicas running on average over the week, for `peak_load` = the peak rate over one
    replica's capacity (any array shape). Flat: exactly the peak replicas, at least one.

    In each segment the replicas its rate needs run (whole replicas; the 1e-9 keeps an exact
    fit from rounding up), at least `minimum_replicas` off-peak and one at the peak."""
    peak_load = np.asarray(peak_load, dtype=float)
    if load.load_shape == "flat":
        return np.maximum(1, np.ceil(peak_load - 1e-9))
    weights, levels = segments(load)
    floor = np.where(levels >= 1.0, 1, minimum_replicas(load))
    running = np.maximum(floor, np.ceil(peak_load[..., None] * levels - 1e-9))
    return np.asarray(running @ weights)


def breakpoints(per_replica: np.ndarray, upto: float, load: Load) -> list[np.ndarray]:
    """Volumes (requests a month) at which the running replicas step, per configuration
    with `per_replica` requests a month at the peak, up to `upto`: k x per_replica / level
    for every segment's level."""
    _, levels = segments(load)
    out = []
    for unit in per_replica:
        for level in np.unique(levels[levels > 0]):
            step = unit / level
            out.append(np.arange(1, int(np.ceil(upto / step)) + 2) * step)
    return out


def describe(load: Load) -> str:
    """The shape in words, as the report shows it."""
    if load.load_shape == "business_hours":
        return (
            f"business-hours load: the peak rate {load.peak_hours_per_day} hours a day on"
            f" {WEEKDAYS} weekdays, {load.off_peak_share:.0%} of it the rest of the week"
            f" ({mean_level(load):.0%} of the peak on average)"
        )
    if load.load_shape == "diurnal":
        return (
            f"diurnal load: a daily cosine curve from {load.off_peak_share:.0%} of the peak"
            f" rate at 02:00 to the peak at {DIURNAL_PEAK_HOUR}:00"
            f" ({mean_level(load):.0%} of the peak on average)"
        )
    return "flat load: the peak rate all week"


def gpus_note(load: Load, running: np.ndarray, peak: np.ndarray, gpus_per_replica: int) -> str:
    """`; replicas follow the business-hours load (...): 1.6 running on average against
    3 at the peak, 1,168 GPU-hours a month instead of 2,190 around the clock` (flat: "")."""
    if load.load_shape == "flat":
        return ""
    shaped = float(running.mean()) * gpus_per_replica * HOURS_PER_MONTH
    flat = float(peak.mean()) * gpus_per_replica * HOURS_PER_MONTH
    floor = minimum_replicas(load)
    return (
        f"; replicas follow the {describe(load)}, down to {floor} off-peak:"
        f" {float(running.mean()):.2f} running on average against {float(peak.mean()):.2f}"
        f" for the peak, {shaped:,.0f} GPU-hours a month instead of {flat:,.0f} around the"
        " clock (monthly average over the horizon)"
    )


# ------------------------------------------------------------------ API prices


def batch_prices(price: Price) -> tuple[float, float] | None:
    """(input, output) batch prices per 1M tokens, or None when the catalog has none."""
    d = price.discounts
    if d is None or d.batch_input_per_1m is None or d.batch_output_per_1m is None:
        return None
    return d.batch_input_per_1m, d.batch_output_per_1m


def cached_price(price: Price) -> float | None:
    """The cached-input price per 1M tokens, or None when the catalog has none."""
    return price.discounts.cached_input_per_1m if price.discounts is not None else None


def token_split(price: Price, load: Load, side: str) -> list[tuple[float, str, float]]:
    """How one token of `side` ("input" or "output") is billed: (share, label, USD per 1M)
    for each way it is bought; the shares sum to 1. Without a discount price, that share
    is billed at the list price (and labelled as such)."""
    b, c = load.batchable_share, load.cacheable_input_share
    batch = batch_prices(price)
    if batch is None:
        b = 0.0
    if side == "output":
        rows = [(1.0 - b, "", price.output_per_1m)]
        if batch is not None:
            rows.append((b, "by batch", batch[1]))
        return [r for r in rows if r[0] > 0]
    cached = cached_price(price)
    if cached is None:
        c = 0.0
    rows = [((1.0 - b) * (1.0 - c), "", price.input_per_1m)]
    if cached is not None:
        rows.append(((1.0 - b) * c, "cached", cached))
    if batch is not None:
        rows.append((b * (1.0 - c), "by batch", batch[0]))
        if cached is not None:
            rows.append((b * c, "cached by batch", min(batch[0], cached)))
    return [r for r in rows if r[0] > 0]


def effective_per_1m(price: Price, load: Load, side: str) -> float:
    """The price paid per 1M `side` tokens ("input_per_1m" or "output_per_1m") with the
    batchable and cacheable shares; the list price itself when neither applies."""
    if load.batchable_share == 0 and load.cacheable_input_share == 0:
        return float(getattr(price, side))
    kind = "input" if side == "input_per_1m" else "output"
    return float(sum(share * usd for share, _, usd in token_split(price, load, kind)))


def split_detail(tokens_m: float, kind: str, price: Price, load: Load) -> str:
    """`100.0M input tokens: 50.0M at $0.15, 30.0M cached at $0.075, 20.0M by batch at
    $0.075 per 1M; the batch discount was not applied (...)`."""
    split = token_split(price, load, kind)
    if len(split) == 1 and not split[0][1]:  # nothing discounted: the plain line
        text = f"{tokens_m:,.1f}M {kind} tokens at ${split[0][2]:g} per 1M"
    else:
        parts = [
            f"{tokens_m * share:,.1f}M{' ' + label if label else ''} at ${usd:g}"
            for share, label, usd in split
        ]
        text = f"{tokens_m:,.1f}M {kind} tokens: {', '.join(parts)} per 1M"
    missing = []
    if load.batchable_share > 0 and batch_prices(price) is None:
        missing.append("batch")
    if kind == "input" and load.cacheable_input_share > 0 and cached_price(price) is None:
        missing.append("cached-input")
    if missing:
        text += (
            f"; the {' and '.join(missing)} discount{'s were' if len(missing) > 1 else ' was'}"
            f" not applied: the catalog has no {' or '.join(missing)} price for this offering"
        )
    return text


def shares_apply(load: Load) -> bool:
    """True when a batchable or cacheable share changes what API tokens cost."""
    return load.batchable_share > 0 or load.cacheable_input_share > 0


# ------------------------------------------------------------------ assumptions


def replica_load(usecase: UseCase) -> Load:
    """The load shape self-hosted replicas follow: the questionnaire's, except on owned
    servers. Those are bought for the peak and depreciate whether they run or not, so they
    do not scale down; their power off-peak is counted as if they ran (an overstatement
    the report names)."""
    if usecase.organisation.gpu_commitment == "owned" and usecase.load.load_shape != "flat":
        return usecase.load.model_copy(update={"load_shape": "flat"})
    return usecase.load


def make_assumptions(usecase: UseCase, catalog: Catalog) -> list[Assumption]:
    """What the report assumes about the load shape and spot capacity for make options
    (spot: `makebuy.spot`, which needs the catalog to say which prices it found)."""
    load = usecase.load
    out = []
    if load.load_shape != "flat" and replica_load(usecase).load_shape == "flat":
        out.append(
            Assumption(
                field="load.load_shape",
                value=f"{describe(load)}; owned servers do not scale down",
                origin="estimate",
                reason="Owned servers are bought for the peak and depreciate whether they run"
                " or not, so self-hosted replicas are costed at the peak all month; their power"
                " off-peak is counted as if they ran, which overstates it. API options still"
                " use the shape's batchable and cacheable shares.",
            )
        )
    elif load.load_shape != "flat":
        out.append(
            Assumption(
                field="load.load_shape",
                value=describe(load),
                origin="estimate",
                reason="Self-hosted replicas scale with the load segment by segment, down to"
                f" {minimum_replicas(load)} outside the peak"
                + (
                    " (every request is batchable, so a batch job waits for the peak)"
                    if minimum_replicas(load) == 0
                    else " (one kept warm for requests a person waits on)"
                )
                + "; scaling is taken as instant and free (start-up time and the GPUs held"
                " while a replica loads are not costed). The curve is the questionnaire's"
                " stated shape, not a measurement.",
            )
        )
    if load.spot_acceptable:
        out.append(spot.assumption(usecase, catalog))
    return out


def api_assumptions(usecase: UseCase, prices: list[Price]) -> list[Assumption]:
    """Which buy/rent prices carried the batch and cached-input discounts, and what was
    not costed (cache writes)."""
    load = usecase.load
    if not shares_apply(load) or not prices:
        return []
    parts = []
    if load.batchable_share > 0:
        have = sum(batch_prices(p) is not None for p in prices)
        parts.append(
            f"{have} of {len(prices)} buy/rent options have batch prices"
            f" ({load.batchable_share:.0%} of requests batchable)"
        )
    if load.cacheable_input_share > 0:
        have = sum(cached_price(p) is not None for p in prices)
        parts.append(
            f"{have} of {len(prices)} have cached-input prices"
            f" ({load.cacheable_input_share:.0%} of input tokens cacheable)"
        )
    return [
        Assumption(
            field="load.api_discounts",
            value="; ".join(parts),
            origin="estimate",
            reason="Where an offering's catalog price has a batch or cached-input price, that"
            " share of tokens is billed at it; where it has none, the share pays the list"
            " price and the option's token lines say the discount was not applied. Cache"
            " writes (which some providers bill above the input price) are not costed, and"
            " a cached token of a batch request pays the lower of the two prices (the"
            " discounts are not stacked).",
        )
    ]
