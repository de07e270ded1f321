"""Spot capacity for self-hosted replicas (the questionnaire's `load.spot_acceptable`).

Spot (AWS), Spot VM (Google Cloud) and Spot Virtual Machine (Azure) capacity is sold below
the on-demand price, and the cloud takes it back whenever it needs the capacity. A request
running on a reclaimed instance is lost and must be run again, so makebuy puts only work
that can wait on it:

- The rule: with `spot_acceptable: true`, the batchable share of requests
  (`load.batchable_share`) runs on spot capacity; requests a person waits on stay at the
  organisation's commitment (`organisation.gpu_commitment`). That share of every replica's
  hours is priced at the shape's spot price, the rest at the commitment's price: a replica
  of a shape with both prices costs `(1 - share) x commitment + share x spot` an hour. With
  no batchable share, no spot capacity is used (the report says so).
- A spot price counts only for the very shape priced at the commitment: the catalog's
  `commitment: spot` row of the same GPU, cloud, instance type, GPU count and region. It is
  used only where it is lower than the commitment's price (a reserved or committed-use price
  can be the lower one).
- Owned servers are bought, not rented: spot does not apply to them.
- No overhead is added for interruptions: no published rate of reclaims and re-runs was
  found for GPU instances, so none is assumed; the report names the risk instead.

Without `spot_acceptable`, or with a catalog that holds no spot price, nothing here changes
a figure: the price table goes through untouched.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any

import pandas as pd

from makebuy.models.catalog import Catalog, GpuPrice
from makebuy.models.result import Assumption, Cost
from makebuy.models.usecase import UseCase

SPOT = "spot"
"""The catalog commitment of a spot (preemptible) price row."""

SPOT_COLUMNS = (
    "spot_share",
    "spot_usd_per_gpu_hour",
    "commit_usd_per_gpu_hour",
    "spot_source",
    "spot_as_of",
)
"""Columns `with_spot` adds to the GPU price table. None is ever null (pandas' `first()`
skips nulls, which would mix rows), so a row without spot carries share 0 and empty ids."""


def shape_name(instance: str | None) -> str:
    """`g5.12xlarge` of `g5.12xlarge (4 GPUs, 48 vCPU, 192 GB)`; "" for a per-GPU rental."""
    return (instance or "").split(" (", 1)[0].strip()


def _same_shape(spot: GpuPrice, other: GpuPrice) -> bool:
    return (
        spot.cloud == other.cloud
        and spot.region == other.region
        and shape_name(spot.instance) == shape_name(other.instance)
        and spot.gpus_per_instance == other.gpus_per_instance
    )


def pairs(
    catalog: Catalog, cloud: str, commitment: str
) -> Iterator[tuple[str, GpuPrice, GpuPrice]]:
    """(GPU id, commitment price, spot price) for every shape on `cloud` (any: every cloud)
    priced at `commitment` that also has a spot price (the cheapest, when several)."""
    for gpu in catalog.gpus.values():
        spots = [p for p in gpu.prices if p.commitment == SPOT and p.instance]
        if not spots:
            continue
        for price in gpu.prices:
            if price.commitment != commitment or cloud not in ("any", price.cloud):
                continue
            same = [s for s in spots if _same_shape(s, price)]
            if same:
                yield gpu.id, price, min(same, key=lambda s: (s.usd_per_gpu_hour, s.source))


def spot_share(usecase: UseCase) -> float:
    """Share of replica-hours that may run on spot capacity: the batchable share of
    requests, when spot is acceptable and the servers are rented; else 0."""
    load = usecase.load
    if not load.spot_acceptable or usecase.organisation.gpu_commitment == "owned":
        return 0.0
    return float(load.batchable_share)


def with_spot(gpus: pd.DataFrame, usecase: UseCase, catalog: Catalog) -> pd.DataFrame:
    """The GPU price table (`capacity.gpu_price_table`) with the spot share of each shape's
    hours at its spot price where that is lower: `usd_per_gpu_hour` becomes the blended
    rate, and the `SPOT_COLUMNS` say what was blended. Unchanged (no new columns) when no
    shape can use spot."""
    share = spot_share(usecase)
    org = usecase.organisation
    if share <= 0 or gpus.empty:
        return gpus
    cheaper: dict[tuple[Any, ...], GpuPrice] = {
        (gpu, c.cloud, c.instance, c.usd_per_gpu_hour, c.source): s
        for gpu, c, s in pairs(catalog, org.cloud, org.gpu_commitment)
        if s.usd_per_gpu_hour < c.usd_per_gpu_hour
    }
    if not cheaper:
        return gpus
    out = gpus.copy()
    columns = ("gpu", "cloud", "instance", "usd_per_gpu_hour", "source")
    keys = zip(*(out[c] for c in columns), strict=True)
    found = [cheaper.get(tuple(key)) for key in keys]
    commit = out["usd_per_gpu_hour"].astype(float)
    spot = pd.Series([s.usd_per_gpu_hour if s else math.nan for s in found], index=out.index)
    used = spot.notna()
    out["spot_share"] = used.astype(float) * share
    out["spot_usd_per_gpu_hour"] = spot.fillna(commit)
    out["commit_usd_per_gpu_hour"] = commit
    out["spot_source"] = [s.source if s else "" for s in found]
    out["spot_as_of"] = [s.as_of.isoformat() if s else "" for s in found]
    out["usd_per_gpu_hour"] = (
        commit * (1 - out["spot_share"]) + out["spot_usd_per_gpu_hour"] * out["spot_share"]
    )
    return out.sort_values(["gpu", "usd_per_gpu_hour", "cloud", "source"], ignore_index=True)


def used(row: Mapping[Any, Any]) -> bool:
    """Whether a sized configuration's replicas run partly on spot capacity."""
    share = row.get("spot_share")
    return share is not None and not pd.isna(share) and float(share) > 0


def replica_placement(row: Mapping[Any, Any], commitment: str) -> str:
    """`1 x nvidia-l40s per replica on one g6e.xlarge (1 x nvidia-l40s) on aws: 70% of its
    hours on spot at $0.9302/GPU-hour (the batchable share), the rest on-demand at
    $1.861/GPU-hour ($1.21/hour = $1.21/GPU-hour blended)`."""
    tp, gpu, cloud = int(row["tp"]), row["gpu"], row["cloud"]
    where = (
        f"rented per GPU on {cloud}"
        if pd.isna(row["gpus_per_instance"])
        else f"on one {row['shape']} on {cloud}"
    )
    return (
        f"{tp} x {gpu} per replica {where}: {float(row['spot_share']):.0%} of its hours on"
        f" spot at ${float(row['spot_usd_per_gpu_hour']):.4g}/GPU-hour (the batchable"
        f" share), the rest {commitment} at ${float(row['commit_usd_per_gpu_hour']):.4g}"
        f"/GPU-hour (${float(row['replica_usd_per_hour']):.4g}/hour ="
        f" ${float(row['usd_per_gpu_hour']):.4g}/GPU-hour blended)"
    )


def prices_used(row: Mapping[Any, Any]) -> dict[str, float]:
    """The spot and commitment prices behind a configuration's blended rate, as `Cost`
    fields; {} when its replicas use no spot capacity."""
    if not used(row):
        return {}
    return {
        "spot_usd_per_gpu_hour": float(row["spot_usd_per_gpu_hour"]),
        "commitment_usd_per_gpu_hour": float(row["commit_usd_per_gpu_hour"]),
    }


def cited_prices(gpu_prices: list[dict[str, Any]], cost: Cost) -> list[dict[str, Any]]:
    """The commitment and spot price rows (as JSON) behind a blended GPU rate, for the
    report's sources; [] when the option used no spot capacity."""
    if cost.spot_usd_per_gpu_hour is None:
        return []
    shape = shape_name(cost.instance)
    out: list[dict[str, Any]] = []
    for s in gpu_prices:
        if (
            s["commitment"] != SPOT
            or shape_name(s["instance"]) != shape
            or s["usd_per_gpu_hour"] != cost.spot_usd_per_gpu_hour
        ):
            continue
        for c in gpu_prices:
            if (
                c["commitment"] != SPOT
                and (c["cloud"], c["region"], c["gpus_per_instance"])
                == (s["cloud"], s["region"], s["gpus_per_instance"])
                and shape_name(c["instance"]) == shape
                and c["usd_per_gpu_hour"] == cost.commitment_usd_per_gpu_hour
            ):
                out += [c, s]
    return out


def assumption(usecase: UseCase, catalog: Catalog) -> Assumption:
    """What the report assumes about spot capacity when the questionnaire accepts it."""
    org, load = usecase.organisation, usecase.load
    has_spot = any(p.commitment == SPOT for g in catalog.gpus.values() for p in g.prices)
    if not has_spot:
        return Assumption(
            field="load.spot_acceptable",
            value="no spot price used",
            origin="estimate",
            reason="Spot or preemptible capacity is acceptable, but the catalog holds no"
            " sourced spot GPU price (its GPU prices are on-demand, reserved or owned),"
            " so make options are costed at the organisation's commitment; no spot"
            " discount is assumed.",
        )
    risk = (
        " Spot capacity can be reclaimed by the cloud at short notice: a request running on"
        " a reclaimed instance is lost and must be run again, so makebuy places only"
        " requests that can wait (load.batchable_share) on it; requests a person waits on"
        f" stay at the organisation's commitment ({org.gpu_commitment})."
    )
    if org.gpu_commitment == "owned":
        return Assumption(
            field="load.spot_acceptable",
            value="not applicable to owned servers",
            origin="estimate",
            reason="Spot capacity is rented; owned servers are bought and costed as such,"
            " so no spot price is used.",
        )
    if load.batchable_share <= 0:
        return Assumption(
            field="load.spot_acceptable",
            value="no spot capacity used: no request is batchable",
            origin="estimate",
            reason="Spot or preemptible capacity is acceptable, but load.batchable_share is 0."
            + risk,
        )
    found = list(pairs(catalog, org.cloud, org.gpu_commitment))
    cheaper = sum(s.usd_per_gpu_hour < c.usd_per_gpu_hour for _, c, s in found)
    shapes = sum(
        p.commitment == org.gpu_commitment and org.cloud in ("any", p.cloud)
        for g in catalog.gpus.values()
        for p in g.prices
    )
    where = "any cloud" if org.cloud == "any" else org.cloud
    return Assumption(
        field="load.spot_acceptable",
        value=f"spot for the batchable share ({load.batchable_share:.0%} of replica-hours)"
        f" where cheaper: {cheaper} of {shapes} {org.gpu_commitment} GPU prices on {where}"
        " have a lower spot price",
        origin="estimate",
        reason="On a shape with a spot price (the same instance type and region) that is"
        f" lower than its {org.gpu_commitment} price, the batchable share of each replica's"
        " hours is priced at the spot price and the rest at the commitment's; each make"
        " option's gpus line says whether it used spot." + risk + " Spot prices move with"
        " demand and differ between availability zones: the catalog holds one dated reading"
        " (the dearest zone of the region where a copy lists several), and the work lost to"
        " reclaims (re-run requests, replicas starting again) is not costed.",
    )
