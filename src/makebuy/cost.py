"""Cost stage: total cost of ownership of every eligible option over the horizon.

buy and rent: tokens times the API price effective on the evaluation date.
make: the cheapest GPU configuration (on the questionnaire's cloud and commitment) that
holds the weights plus the KV cache for the context, served at the batch size that gives
the most requests per second within the latency target; enough replicas for the peak rate
as it grows; plus operations staff and, when planned, fine-tuning. Memory and speed come
from `makebuy.sizing` (a roofline with calibrated efficiency factors); a published
measurement of the same model, GPU, count, precision and batch in the catalog replaces the
estimate, and the cost line says which was used. Every make option also reports its
average utilisation and its cost per 1M input and per 1M output tokens (the total split by
the share of GPU time prompts take), to set beside API prices.

Everything is computed on whole tables (numpy/pandas): one row per option, or per option x
GPU x tensor-parallel size x batch size for sizing. Parameters without a catalog source
are listed in `CostParameters` and reported as assumptions whenever a make option is
costed.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from makebuy import sizing
from makebuy.models.catalog import Catalog, Offering, Price
from makebuy.models.result import (
    Assumption,
    Cost,
    CostLine,
    Exclusion,
    GateResult,
    HybridLeg,
)
from makebuy.models.usecase import UseCase
from makebuy.money import money
from makebuy.sizing import Precision, SizingParameters
from makebuy.units import HOURS_PER_MONTH, SECONDS_PER_MONTH

TENSOR_PARALLEL_SIZES = (1, 2, 4, 8)
BATCH_SIZES = (1, 2, 4, 8, 16, 32, 64, 128, 256)


class CostParameters(SizingParameters):
    """Cost-model parameters that are estimates, not catalog facts. Each is reported.

    The memory and throughput estimates are inherited from `sizing.SizingParameters`.
    """

    serving_precision: Precision = Field(
        "bf16",
        description="Weights are served in bf16, the precision quality benchmarks measure;"
        " makebuy size shows fp8, int8 and int4.",
    )
    ops_fte_with_mlops_team: float = Field(
        0.5, description="Engineers needed to run one self-hosted model, with an MLOps team."
    )
    ops_fte_without_mlops_team: float = Field(
        1.5, description="Engineers needed without one (hiring and learning included)."
    )
    fine_tuning_runs_per_year: float = Field(2.0, description="Fine-tuning runs a year.")
    fine_tuning_tokens: float = Field(
        30e6, description="Training tokens per run (10M-token dataset, 3 epochs)."
    )
    fine_tuning_engineer_months: float = Field(
        1.0, description="Engineer-months of data preparation and evaluation per run."
    )


DEFAULT_PARAMETERS = CostParameters()


class CostedOption(BaseModel):
    """An option after costing: its gate result (perhaps with new exclusions) and cost."""

    model_config = ConfigDict(frozen=True)

    gate: GateResult
    cost: Cost | None
    legs: list[HybridLeg] = Field(
        default_factory=list, description="For hybrid options: which option serves which share."
    )


def month_volumes(usecase: UseCase) -> np.ndarray:
    """Requests in each month of the horizon, growing smoothly at `growth_per_year`."""
    vol = usecase.volume
    months = np.arange(vol.horizon_months)
    return vol.requests_per_month * (1.0 + vol.growth_per_year) ** (months / 12.0)


def price_on(offering: Offering, on: dt.date) -> Price | None:
    """The offering's price effective on `on` (effective_to is exclusive)."""
    live = [
        p
        for p in offering.prices
        if p.effective_from <= on and (p.effective_to is None or on < p.effective_to)
    ]
    return max(live, key=lambda p: p.effective_from) if live else None


def cost_options(
    usecase: UseCase,
    catalog: Catalog,
    gated: list[GateResult],
    on: dt.date,
    params: CostParameters = DEFAULT_PARAMETERS,
) -> tuple[list[CostedOption], list[Assumption]]:
    """Cost every eligible option; options that cannot be costed gain an exclusion."""
    volumes = month_volumes(usecase)
    eligible = [g for g in gated if g.eligible]
    api = [g for g in eligible if g.option.kind != "make"]
    make = [g for g in eligible if g.option.kind == "make"]
    costs: dict[str, Cost] = {}
    new_exclusions: dict[str, Exclusion] = {}
    _cost_api(usecase, catalog, api, on, volumes, costs, new_exclusions)
    assumptions: list[Assumption] = []
    if make:
        assumptions = _cost_make(usecase, catalog, make, volumes, params, costs, new_exclusions)
    out = []
    for g in gated:
        if g.option.id in new_exclusions:
            g = g.model_copy(update={"exclusions": [*g.exclusions, new_exclusions[g.option.id]]})
        out.append(CostedOption(gate=g, cost=costs.get(g.option.id)))
    return out, assumptions


def _cost_api(
    usecase: UseCase,
    catalog: Catalog,
    api: list[GateResult],
    on: dt.date,
    volumes: np.ndarray,
    costs: dict[str, Cost],
    exclusions: dict[str, Exclusion],
) -> None:
    rate = usecase.organisation.usd_to
    vol = usecase.volume
    priced: list[tuple[GateResult, Price]] = []
    for g in api:
        assert g.option.offering is not None
        price = price_on(catalog.offerings[g.option.offering], on)
        if price is None:
            exclusions[g.option.id] = Exclusion(
                code="price.missing",
                message=f"The catalog holds no price effective on {on.isoformat()}.",
            )
        else:
            priced.append((g, price))
    if not priced:
        return
    prices_in = np.array([p.input_per_1m for _, p in priced])[:, None]
    prices_out = np.array([p.output_per_1m for _, p in priced])[:, None]
    tokens_in = volumes[None, :] * vol.input_tokens_per_request / 1e6
    tokens_out = volumes[None, :] * vol.output_tokens_per_request / 1e6
    monthly_in = prices_in * tokens_in * rate
    monthly_out = prices_out * tokens_out * rate
    monthly = monthly_in + monthly_out
    total_tokens_m = float((tokens_in + tokens_out).sum())
    for i, (g, price) in enumerate(priced):
        total = float(monthly[i].sum())
        costs[g.option.id] = Cost(
            currency=usecase.organisation.currency,
            total=total,
            monthly=[round(float(x), 2) for x in monthly[i]],
            per_million_tokens=total / total_tokens_m,
            breakdown=[
                CostLine(
                    item="input_tokens",
                    total=float(monthly_in[i].sum()),
                    detail=f"{tokens_in.sum():,.1f}M input tokens at ${price.input_per_1m:g}"
                    " per 1M",
                ),
                CostLine(
                    item="output_tokens",
                    total=float(monthly_out[i].sum()),
                    detail=f"{tokens_out.sum():,.1f}M output tokens at ${price.output_per_1m:g}"
                    " per 1M",
                ),
            ],
            input_per_1m_usd=price.input_per_1m,
            output_per_1m_usd=price.output_per_1m,
            price_source=price.source,
            price_as_of=price.as_of,
        )


def gpu_price_table(catalog: Catalog, cloud: str, commitment: str) -> pd.DataFrame:
    """Cheapest hourly price per GPU type on the cloud (any: every cloud) and commitment."""
    rows = [
        {
            "gpu": gpu.id,
            "cloud": p.cloud,
            "usd_per_gpu_hour": p.usd_per_gpu_hour,
            "source": p.source,
            "as_of": p.as_of,
            "memory_gb": gpu.memory_gb.value,
            "bandwidth_gb_s": gpu.bandwidth_gb_s.value,
            "tflops": gpu.bf16_dense_tflops.value,
            "fp8_tflops": gpu.fp8_dense_tflops.value if gpu.fp8_dense_tflops else np.nan,
        }
        for gpu in catalog.gpus.values()
        for p in sizing.prices_on(gpu, cloud, commitment)[:1]
    ]
    if not rows:
        return pd.DataFrame(
            columns=[
                "gpu",
                "cloud",
                "usd_per_gpu_hour",
                "source",
                "as_of",
                "memory_gb",
                "bandwidth_gb_s",
                "tflops",
                "fp8_tflops",
            ]
        )
    return pd.DataFrame(rows).sort_values("gpu", ignore_index=True)


def measured_table(catalog: Catalog, precision: str) -> pd.DataFrame:
    """Published measurements at `precision` (or one it stands for) with a stated
    concurrency, one row per model and configuration."""
    same = sizing.same_precisions(precision)
    rows = [
        {
            "model": model_id,
            "gpu": m.gpu,
            "tp": m.gpus,
            "batch": m.concurrency,
            "measured_tokens_per_s": m.output_tokens_per_s,
            "measured_ms_per_token": m.ms_per_output_token or np.nan,
            "measured_id": m.id,
            "measured_source": m.source,
        }
        for m in catalog.throughput.values()
        for model_id in m.models
        if m.precision in same and m.concurrency is not None
    ]
    columns = [
        "model",
        "gpu",
        "tp",
        "batch",
        "measured_tokens_per_s",
        "measured_ms_per_token",
        "measured_id",
        "measured_source",
    ]
    table = pd.DataFrame(rows, columns=columns)
    return table.sort_values(["model", "gpu", "tp", "batch", "measured_id"]).drop_duplicates(
        ["model", "gpu", "tp", "batch"]
    )


def size_make_options(
    usecase: UseCase,
    catalog: Catalog,
    model_ids: list[str],
    gpus: pd.DataFrame,
    params: CostParameters = DEFAULT_PARAMETERS,
) -> pd.DataFrame:
    """Every feasible (model, GPU, tensor-parallel size, batch) with its serving capacity.

    Memory: weights + KV cache for `batch` sequences of the full context must fit in the
    usable memory of `tp` GPUs (see `makebuy.sizing`). Decode step time is the roofline of
    streaming weights and KV cache against 2 x active parameters FLOPs per sequence;
    prefill is compute-bound. Where the catalog holds a measurement of the same model,
    GPU, count, precision and batch, its tokens/s replace the estimate (`measured_id`).
    Capacity is requests per second per replica; `input_share` is the share of a
    replica's time spent reading prompts (it splits cost between input and output tokens).
    """
    vol = usecase.volume
    context = usecase.task.context_tokens or (
        vol.input_tokens_per_request + vol.output_tokens_per_request
    )
    precision = params.serving_precision
    per_param_bytes = sizing.BYTES_PER_PARAMETER[precision] * sizing.weight_overhead(
        precision, params
    )
    models = []
    splits = {}
    for mid in model_ids:
        m = catalog.models[mid]
        if m.parameters_b is None or m.architecture is None:
            continue
        active = m.active_parameters_b.value if m.active_parameters_b else m.parameters_b.value
        splits[mid] = sizing.expert_split(m)
        models.append(
            {
                "model": mid,
                "params_b": m.parameters_b.value,
                "active_b": active,
                "kv_bytes_per_token": sizing.kv_bytes_per_token(m.architecture, params),
            }
        )
    if not models or gpus.empty:
        return pd.DataFrame()
    measured = measured_table(catalog, precision)
    measured = measured[measured["model"].isin(model_ids)]
    batches = sorted(set(BATCH_SIZES) | {int(b) for b in measured["batch"]})
    grid = (
        pd.DataFrame(models)
        .merge(gpus, how="cross")
        .merge(pd.DataFrame({"tp": TENSOR_PARALLEL_SIZES}), how="cross")
        .merge(pd.DataFrame({"batch": batches}), how="cross")
    )
    weights = sizing.weight_bytes(grid["params_b"], precision, params)
    usable = sizing.usable_bytes(grid["memory_gb"], grid["tp"], params)
    needed = sizing.memory_needed_bytes(weights, grid["kv_bytes_per_token"], context, grid["batch"])
    grid["memory_needed_gb"] = sizing.total_memory_gb(needed, grid["tp"], params)
    grid = grid[needed <= usable].reset_index(drop=True)
    if grid.empty:
        return grid
    tflops = grid["fp8_tflops"] if precision == "fp8" else grid["tflops"]
    tflops = tflops.fillna(grid["tflops"])
    flops = sizing.effective_flops(tflops, grid["tp"], params)
    bandwidth = sizing.effective_bandwidth(grid["bandwidth_gb_s"], grid["tp"], params)
    read_b = np.empty(len(grid))
    prefill_read_b = np.empty(len(grid))
    for mid, rows in grid.groupby("model").groups.items():
        idx = grid.index.get_indexer(rows)
        read_b[idx] = sizing.weights_read_b(
            grid.loc[rows, "params_b"].to_numpy(), grid.loc[rows, "batch"].to_numpy(), splits[mid]
        )
        prefill_read_b[idx] = sizing.weights_read_b(
            grid.loc[rows, "params_b"].to_numpy(), vol.input_tokens_per_request, splits[mid]
        )
    step = sizing.decode_step_s(
        read_bytes=read_b * 1e9 * per_param_bytes,
        kv_per_token=grid["kv_bytes_per_token"],
        kv_tokens=vol.input_tokens_per_request + vol.output_tokens_per_request / 2,
        batch=grid["batch"],
        active_b=grid["active_b"],
        bandwidth=bandwidth,
        flops=flops,
    )
    grid["prefill_s"] = sizing.prefill_s(
        input_tokens=vol.input_tokens_per_request,
        active_b=grid["active_b"],
        read_bytes=prefill_read_b * 1e9 * per_param_bytes,
        bandwidth=bandwidth,
        flops=flops,
    )
    grid["step_s"] = step
    out = vol.output_tokens_per_request
    decode_share_s = out * grid["step_s"] / grid["batch"]
    grid["input_share"] = grid["prefill_s"] / (grid["prefill_s"] + decode_share_s)
    grid["capacity_rps"] = 1.0 / (grid["prefill_s"] + decode_share_s)
    grid["decode_tokens_per_s"] = grid["batch"] / grid["step_s"]
    grid["prefill_tokens_per_s"] = vol.input_tokens_per_request / grid["prefill_s"]
    # A published measurement of the same configuration replaces the estimate.
    grid = grid.merge(measured, on=["model", "gpu", "tp", "batch"], how="left")
    hit = grid["measured_id"].notna()
    grid["throughput_basis"] = np.where(hit, "measured", "estimated")
    measured_step = (
        grid["measured_ms_per_token"].fillna(grid["batch"] / grid["measured_tokens_per_s"] * 1e3)
        / 1e3
    )
    grid.loc[hit, "step_s"] = measured_step[hit]
    grid.loc[hit, "decode_tokens_per_s"] = grid.loc[hit, "measured_tokens_per_s"]
    # The measurement's own prompt lengths rarely match the use case's, so the estimated
    # prefill of this use case's prompts is added to the measured decode time (cautious:
    # a measurement that already includes prefill is counted slower, never faster).
    measured_decode_s = out / grid["measured_tokens_per_s"]
    grid.loc[hit, "capacity_rps"] = 1.0 / (grid["prefill_s"] + measured_decode_s)[hit]
    grid.loc[hit, "input_share"] = (grid["prefill_s"] / (grid["prefill_s"] + measured_decode_s))[
        hit
    ]
    grid["latency_ms"] = (grid["prefill_s"] + out * grid["step_s"]) * 1e3
    target = usecase.requirements.max_latency_p95_ms
    grid["meets_latency"] = True if target is None else grid["latency_ms"] <= target
    return grid


def best_configurations(sized: pd.DataFrame) -> pd.DataFrame:
    """Per (model, GPU, tensor-parallel size): the batch with the most requests per second
    within the latency target, and the hourly price of one replica."""
    grid = sized[sized["meets_latency"]] if not sized.empty else sized
    if grid.empty:
        return grid
    best = (
        grid.sort_values(
            ["model", "gpu", "tp", "capacity_rps", "batch"],
            ascending=[True, True, True, False, True],
        )
        .groupby(["model", "gpu", "tp"], as_index=False)
        .first()
    )
    best["replica_usd_per_hour"] = best["tp"] * best["usd_per_gpu_hour"]
    return best


def make_configurations(
    usecase: UseCase,
    catalog: Catalog,
    model_ids: list[str],
    params: CostParameters = DEFAULT_PARAMETERS,
) -> pd.DataFrame:
    """The serving configurations `best_configurations` keeps, on the questionnaire's cloud
    and commitment (empty when the catalog prices no GPU there)."""
    org = usecase.organisation
    gpus = gpu_price_table(catalog, org.cloud, org.gpu_commitment)
    if gpus.empty:
        return pd.DataFrame()
    return best_configurations(size_make_options(usecase, catalog, model_ids, gpus, params))


def replicas_needed(peak_rps: np.ndarray, capacity_rps: np.ndarray) -> np.ndarray:
    """Replicas (rows: configurations) that serve each peak rate (columns): at least one."""
    return np.maximum(1, np.ceil(peak_rps[None, :] / capacity_rps[:, None] - 1e-9))


def fixed_monthly(usecase: UseCase, params: CostParameters) -> tuple[float, float]:
    """Operations staff per month and its FTE count (report currency)."""
    org = usecase.organisation
    fte = params.ops_fte_with_mlops_team if org.mlops_team else params.ops_fte_without_mlops_team
    return fte * org.engineer_cost_per_year / 12.0, fte


def fine_tuning_run(
    usecase: UseCase,
    catalog: Catalog,
    model_id: str,
    row: Mapping[Any, Any],
    params: CostParameters,
) -> tuple[float, float]:
    """Cost of one fine-tuning run (report currency) and its GPU-hours.

    Training FLOPs = 6 x parameters x tokens, at the compute efficiency on the serving GPU.
    """
    org = usecase.organisation
    m = catalog.models[model_id]
    assert m.parameters_b is not None
    train_flops = 6 * m.parameters_b.value * 1e9 * params.fine_tuning_tokens
    gpu_hours = train_flops / (row["tflops"] * 1e12 * params.compute_efficiency * 3600)
    per_run = (
        gpu_hours * row["usd_per_gpu_hour"] * org.usd_to
        + params.fine_tuning_engineer_months * org.engineer_cost_per_year / 12
    )
    return per_run, gpu_hours


def _cost_make(
    usecase: UseCase,
    catalog: Catalog,
    make: list[GateResult],
    volumes: np.ndarray,
    params: CostParameters,
    costs: dict[str, Cost],
    exclusions: dict[str, Exclusion],
) -> list[Assumption]:
    org = usecase.organisation
    vol = usecase.volume
    rate = org.usd_to
    gpus = gpu_price_table(catalog, org.cloud, org.gpu_commitment)
    by_model = {g.option.model: g for g in make}
    if gpus.empty:
        for g in make:
            exclusions[g.option.id] = Exclusion(
                code="price.missing",
                message=f"The catalog holds no {org.gpu_commitment} GPU price on {org.cloud}."
                + (
                    " Add one per GPU as an amortised hourly cost: purchase price over its"
                    " service hours, plus power x PUE x electricity price (see"
                    " docs/catalog-format.md)."
                    if org.gpu_commitment == "owned"
                    else ""
                ),
            )
        return []
    sized = size_make_options(usecase, catalog, list(by_model), gpus, params)
    grid = best_configurations(sized)
    growth = volumes / vol.requests_per_month
    peak = (usecase.volume.peak_requests_per_second or 0.0) * growth  # per month
    average_rps = volumes / SECONDS_PER_MONTH
    if not grid.empty:
        replicas = replicas_needed(peak, grid["capacity_rps"].to_numpy())
        hourly = grid["replica_usd_per_hour"].to_numpy()[:, None]
        gpu_monthly = replicas * hourly * HOURS_PER_MONTH * rate
        grid["gpu_total"] = gpu_monthly.sum(axis=1)
        grid["replicas_peak"] = replicas.max(axis=1).astype(int)
        grid["_row"] = np.arange(len(grid))
        # Cheapest configuration per model; ties: fewer GPUs, then GPU id.
        best = grid.sort_values(["model", "gpu_total", "tp", "gpu"]).groupby("model").first()
    else:
        best = pd.DataFrame()
        gpu_monthly = np.zeros((0, len(volumes)))
        replicas = np.zeros((0, len(volumes)))
    ops_monthly, ops_fte = fixed_monthly(usecase, params)
    months = len(volumes)
    tokens_in_m = float(volumes.sum()) * vol.input_tokens_per_request / 1e6
    tokens_out_m = float(volumes.sum()) * vol.output_tokens_per_request / 1e6
    for model_id, g in sorted(by_model.items()):
        if model_id not in best.index:
            exclusions[g.option.id] = _unservable(usecase, catalog, model_id, sized, params)
            continue
        row = best.loc[model_id].to_dict()
        i = int(row["_row"])
        gpu_series = gpu_monthly[i]
        utilisation = np.minimum(1.0, average_rps / (replicas[i] * row["capacity_rps"]))
        mean_util = float((utilisation * replicas[i]).sum() / replicas[i].sum())
        ops_series = np.full(months, ops_monthly)
        ft_series = np.zeros(months)
        measured = row["throughput_basis"] == "measured"
        basis = (
            f"measured: {row['measured_id']} ({row['measured_source']})"
            if measured
            else "roofline estimate"
        )
        lines = [
            CostLine(
                item="gpus",
                total=float(gpu_series.sum()),
                detail=(
                    f"{int(row['tp'])} x {row['gpu']} per replica on {row['cloud']}"
                    f" ({org.gpu_commitment}, ${row['usd_per_gpu_hour']:g}/GPU-hour),"
                    f" up to {int(row['replicas_peak'])} replica(s) for a peak of"
                    f" {peak.max():.2f} requests/s; batch {int(row['batch'])},"
                    f" {row['capacity_rps']:.2f} requests/s and about"
                    f" {row['decode_tokens_per_s']:,.0f} output tokens/s per replica"
                    f" ({basis}); {mean_util:.0%} average utilisation"
                ),
            ),
            CostLine(
                item="operations",
                total=float(ops_series.sum()),
                detail=f"{ops_fte:g} FTE at {org.engineer_cost_per_year:,.0f} {org.currency}/year"
                + (" (MLOps team in place)" if org.mlops_team else " (no MLOps team today)"),
            ),
        ]
        if usecase.requirements.fine_tuning == "planned":
            per_run, gpu_hours = fine_tuning_run(usecase, catalog, model_id, row, params)
            interval = max(1, round(12 / params.fine_tuning_runs_per_year))
            ft_series[::interval] = per_run
            lines.append(
                CostLine(
                    item="fine_tuning",
                    total=float(ft_series.sum()),
                    detail=f"{int((ft_series > 0).sum())} run(s), each {math.ceil(gpu_hours)}"
                    f" GPU-hours on {row['gpu']} and {params.fine_tuning_engineer_months:g}"
                    " engineer-month(s)",
                ),
            )
        monthly = gpu_series + ops_series + ft_series
        total = float(monthly.sum())
        share_in = float(row["input_share"])
        input_per_1m = total * share_in / tokens_in_m / rate
        output_per_1m = total * (1 - share_in) / tokens_out_m / rate
        lines[0] = lines[0].model_copy(
            update={
                "detail": f"{lines[0].detail}; all costs included,"
                f" {money(input_per_1m, 'USD')} per 1M input and"
                f" {money(output_per_1m, 'USD')} per 1M output tokens (prompts take"
                f" {share_in:.0%} of GPU time)"
            }
        )
        costs[g.option.id] = Cost(
            currency=org.currency,
            total=total,
            monthly=[round(float(x), 2) for x in monthly],
            per_million_tokens=total / (tokens_in_m + tokens_out_m),
            breakdown=lines,
            input_per_1m_usd=input_per_1m,
            output_per_1m_usd=output_per_1m,
            gpu=str(row["gpu"]),
            gpus_per_replica=int(row["tp"]),
            replicas_peak=int(row["replicas_peak"]),
            gpu_hour_usd=float(row["usd_per_gpu_hour"]),
            utilisation=round(mean_util, 4),
            throughput_basis="measured" if measured else "estimated",
            throughput_source=str(row["measured_source"]) if measured else None,
        )
    return _make_assumptions(usecase, params)


def _unservable(
    usecase: UseCase,
    catalog: Catalog,
    model_id: str,
    sized: pd.DataFrame,
    params: CostParameters = DEFAULT_PARAMETERS,
) -> Exclusion:
    """Why no GPU configuration can serve the model: missing facts, memory or latency."""
    m = catalog.models[model_id]
    if m.parameters_b is None or m.architecture is None:
        return Exclusion(
            code="capacity",
            message="The catalog lacks the parameter count or architecture needed to size it.",
        )
    mine = sized[sized["model"] == model_id] if not sized.empty else sized
    if mine.empty:
        return Exclusion(
            code="capacity",
            message=f"No priced GPU configuration of up to {max(TENSOR_PARALLEL_SIZES)} GPUs"
            f" holds the {m.parameters_b.value:g}B parameters in {params.serving_precision}"
            " plus the KV cache for"
            f" {usecase.task.context_tokens:,} tokens of context.",
        )
    fastest = float(mine["latency_ms"].min())
    return Exclusion(
        code="latency",
        message=f"The fastest configuration answers in about {fastest:,.0f} ms, above the"
        f" {usecase.requirements.max_latency_p95_ms:,} ms target.",
    )


def _make_assumptions(usecase: UseCase, params: CostParameters) -> list[Assumption]:
    """The cost-model estimates behind every make option, as the report shows them."""
    org = usecase.organisation
    gpu_prices = Assumption(
        field="cost.gpu_prices",
        value="the catalog's latest",
        origin="estimate",
        reason="GPU hourly prices carry no effective dates: an assessment --as-of an earlier"
        " date still uses them, and they are read in the regions the catalog lists"
        " (mostly US), whatever data.regions says.",
    )
    fields = [
        "serving_precision",
        "kv_bytes_per_value",
        "memory_fraction",
        "runtime_overhead_gb",
        "bandwidth_efficiency",
        "compute_efficiency",
        "tensor_parallel_efficiency",
        "ops_fte_with_mlops_team" if org.mlops_team else "ops_fte_without_mlops_team",
    ]
    if params.serving_precision in ("fp8", "int8"):
        fields.append("quantisation_overhead_8bit")
    elif params.serving_precision == "int4":
        fields.append("quantisation_overhead_4bit")
    if usecase.requirements.fine_tuning == "planned":
        fields += [
            "fine_tuning_runs_per_year",
            "fine_tuning_tokens",
            "fine_tuning_engineer_months",
        ]
    out = [
        Assumption(
            field=f"cost.{name}",
            value=_show(getattr(params, name)),
            origin="estimate",
            reason=CostParameters.model_fields[name].description or "",
        )
        for name in fields
    ]
    out.append(
        Assumption(
            field="cost.throughput",
            value="measured where the catalog holds a measurement, else roofline",
            origin="estimate",
            reason="A published tokens/s of the same model, GPU, count, precision and batch"
            " replaces the roofline estimate; each make option's gpus line says which.",
        )
    )
    out.append(
        Assumption(
            field="cost.gpu_hours_per_month",
            value=f"{HOURS_PER_MONTH:g}",
            origin="estimate",
            reason="Self-hosted replicas run around the clock (8,760 hours a year / 12).",
        )
    )
    if usecase.requirements.fine_tuning == "maybe":
        out.append(
            Assumption(
                field="cost.fine_tuning",
                value="not costed",
                origin="estimate",
                reason="fine_tuning is 'maybe': only 'planned' adds fine-tuning cost.",
            )
        )
    out.append(gpu_prices)
    return out


def _show(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)
