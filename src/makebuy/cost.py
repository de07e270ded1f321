"""Cost stage: total cost of ownership of every eligible option over the horizon.

buy and rent: tokens times the API price effective on the evaluation date.
make: the cheapest GPU configuration that holds the weights plus the KV cache for the
context, served at the batch size that gives the most requests per second within the
latency target; enough replicas for the peak rate as it grows; plus operations staff and,
when planned, fine-tuning. Everything is computed on whole tables (numpy/pandas): one row
per option, or per option x GPU x tensor-parallel size x batch size for sizing.

Parameters without a catalog source are listed in `CostParameters` and reported as
assumptions whenever a make option is costed.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from makebuy.models.catalog import Architecture, Catalog, Offering, Price
from makebuy.models.result import Assumption, Cost, CostLine, Exclusion, GateResult
from makebuy.models.usecase import UseCase

HOURS_PER_MONTH = 8760 / 12
TENSOR_PARALLEL_SIZES = (1, 2, 4, 8)
BATCH_SIZES = (1, 2, 4, 8, 16, 32, 64, 128, 256)


class CostParameters(BaseModel):
    """Cost-model parameters that are estimates, not catalog facts. Each is reported."""

    model_config = ConfigDict(frozen=True)

    weight_bytes_per_parameter: float = Field(
        2.0, description="bf16/fp16 weights: 2 bytes per parameter."
    )
    kv_bytes_per_value: float = Field(2.0, description="fp16 KV cache: 2 bytes per value.")
    memory_fraction: float = Field(
        0.9, description="Share of GPU memory the engine may use (vLLM's default, 0.9)."
    )
    runtime_overhead_gb: float = Field(
        1.0, description="Per-GPU memory for CUDA context and activations, GB."
    )
    bandwidth_efficiency: float = Field(
        0.7, description="Share of peak HBM bandwidth reached while decoding."
    )
    compute_efficiency: float = Field(
        0.5, description="Share of peak dense bf16 throughput reached (prefill, large batches)."
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
        }
        for gpu in catalog.gpus.values()
        for p in gpu.prices
        if p.commitment == commitment and (cloud == "any" or p.cloud == cloud)
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
            ]
        )
    table = pd.DataFrame(rows).sort_values(["gpu", "usd_per_gpu_hour", "cloud", "source"])
    return table.groupby("gpu", as_index=False).first()


def kv_bytes_per_token(arch: Architecture, params: CostParameters = DEFAULT_PARAMETERS) -> float:
    """KV-cache bytes one token occupies: 2 (K and V) x layers x KV heads x head dim x bytes.

    Grouped-query and multi-query attention are covered by `kv_heads`; latent attention
    by the architecture's explicit `kv_cache_values_per_layer`.
    """
    per_layer = arch.kv_cache_values_per_layer or 2 * arch.kv_heads * arch.head_dim
    return float(arch.layers * per_layer * params.kv_bytes_per_value)


def size_make_options(
    usecase: UseCase,
    catalog: Catalog,
    model_ids: list[str],
    gpus: pd.DataFrame,
    params: CostParameters = DEFAULT_PARAMETERS,
) -> pd.DataFrame:
    """Every feasible (model, GPU, tensor-parallel size, batch) with its serving capacity.

    Memory: weights + KV cache for `batch` sequences of the full context + overhead must
    fit in `tp` GPUs. Decode step time is the larger of streaming the weights and KV
    cache from HBM and doing 2 x active parameters FLOPs per token; prefill is
    compute-bound. Capacity is requests per second per replica.
    """
    vol = usecase.volume
    context = (
        usecase.task.context_tokens or vol.input_tokens_per_request + vol.output_tokens_per_request
    )
    models = []
    for mid in model_ids:
        m = catalog.models[mid]
        if m.parameters_b is None or m.architecture is None:
            continue
        a = m.architecture
        active = m.active_parameters_b.value if m.active_parameters_b else m.parameters_b.value
        models.append(
            {
                "model": mid,
                "params_b": m.parameters_b.value,
                "active_b": active,
                "kv_bytes_per_token": kv_bytes_per_token(m.architecture, params),
            }
        )
    if not models or gpus.empty:
        return pd.DataFrame()
    grid = (
        pd.DataFrame(models)
        .merge(gpus, how="cross")
        .merge(pd.DataFrame({"tp": TENSOR_PARALLEL_SIZES}), how="cross")
        .merge(pd.DataFrame({"batch": BATCH_SIZES}), how="cross")
    )
    weight_bytes = grid["params_b"] * 1e9 * params.weight_bytes_per_parameter
    usable = (
        grid["tp"] * (grid["memory_gb"] * params.memory_fraction - params.runtime_overhead_gb) * 1e9
    )
    kv_full = grid["batch"] * context * grid["kv_bytes_per_token"]
    grid["memory_needed_gb"] = (weight_bytes + kv_full) / 1e9 + grid[
        "tp"
    ] * params.runtime_overhead_gb
    grid = grid[weight_bytes + kv_full <= usable].copy()
    if grid.empty:
        return grid
    weight_bytes = grid["params_b"] * 1e9 * params.weight_bytes_per_parameter
    flops_per_token = 2 * grid["active_b"] * 1e9
    compute = grid["tp"] * grid["tflops"] * 1e12 * params.compute_efficiency
    bandwidth = grid["tp"] * grid["bandwidth_gb_s"] * 1e9 * params.bandwidth_efficiency
    avg_kv_tokens = vol.input_tokens_per_request + vol.output_tokens_per_request / 2
    step_memory = (
        weight_bytes + grid["batch"] * avg_kv_tokens * grid["kv_bytes_per_token"]
    ) / bandwidth
    step_compute = grid["batch"] * flops_per_token / compute
    grid["step_s"] = np.maximum(step_memory, step_compute)
    grid["prefill_s"] = vol.input_tokens_per_request * flops_per_token / compute
    grid["latency_ms"] = (grid["prefill_s"] + vol.output_tokens_per_request * grid["step_s"]) * 1e3
    grid["decode_tokens_per_s"] = grid["batch"] / grid["step_s"]
    grid["capacity_rps"] = 1.0 / (
        grid["prefill_s"] + vol.output_tokens_per_request * grid["step_s"] / grid["batch"]
    )
    target = usecase.requirements.max_latency_p95_ms
    grid["meets_latency"] = True if target is None else grid["latency_ms"] <= target
    return grid.reset_index(drop=True)


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
                message=f"The catalog holds no {org.gpu_commitment} GPU price on {org.cloud}.",
            )
        return []
    sized = size_make_options(usecase, catalog, list(by_model), gpus, params)
    grid = sized[sized["meets_latency"]] if not sized.empty else sized
    growth = volumes / vol.requests_per_month
    peak = (usecase.volume.peak_requests_per_second or 0.0) * growth  # per month
    if not grid.empty:
        # Best batch per (model, gpu, tp): the most requests per second per replica.
        grid = (
            grid.sort_values(
                ["model", "gpu", "tp", "capacity_rps", "batch"],
                ascending=[True, True, True, False, True],
            )
            .groupby(["model", "gpu", "tp"], as_index=False)
            .first()
        )
        replicas = np.maximum(
            1, np.ceil(peak[None, :] / grid["capacity_rps"].to_numpy()[:, None] - 1e-9)
        )
        hourly = (grid["tp"] * grid["usd_per_gpu_hour"]).to_numpy()[:, None]
        gpu_monthly = replicas * hourly * HOURS_PER_MONTH * rate
        grid["gpu_total"] = gpu_monthly.sum(axis=1)
        grid["replicas_peak"] = replicas.max(axis=1).astype(int)
        grid["_row"] = np.arange(len(grid))
        # Cheapest configuration per model; ties: fewer GPUs, then GPU id.
        best = grid.sort_values(["model", "gpu_total", "tp", "gpu"]).groupby("model").first()
    else:
        best = pd.DataFrame()
        gpu_monthly = np.zeros((0, len(volumes)))
    ops_fte = (
        params.ops_fte_with_mlops_team if org.mlops_team else params.ops_fte_without_mlops_team
    )
    ops_monthly = ops_fte * org.engineer_cost_per_year / 12.0
    months = len(volumes)
    tokens_m = volumes * (vol.input_tokens_per_request + vol.output_tokens_per_request) / 1e6
    for model_id, g in sorted(by_model.items()):
        if model_id not in best.index:
            exclusions[g.option.id] = _unservable(usecase, catalog, model_id, sized)
            continue
        row = best.loc[model_id].to_dict()
        gpu_series = gpu_monthly[int(row["_row"])]
        ops_series = np.full(months, ops_monthly)
        ft_series = np.zeros(months)
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
            m = catalog.models[model_id]
            assert m.parameters_b is not None
            train_flops = 6 * m.parameters_b.value * 1e9 * params.fine_tuning_tokens
            gpu_hours = train_flops / (row["tflops"] * 1e12 * params.compute_efficiency * 3600)
            per_run = (
                gpu_hours * row["usd_per_gpu_hour"] * rate
                + params.fine_tuning_engineer_months * org.engineer_cost_per_year / 12
            )
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
        costs[g.option.id] = Cost(
            currency=org.currency,
            total=total,
            monthly=[round(float(x), 2) for x in monthly],
            per_million_tokens=total / float(tokens_m.sum()),
            breakdown=lines,
            gpu=str(row["gpu"]),
            gpus_per_replica=int(row["tp"]),
            replicas_peak=int(row["replicas_peak"]),
            gpu_hour_usd=float(row["usd_per_gpu_hour"]),
        )
    return _make_assumptions(usecase, params)


def _unservable(
    usecase: UseCase, catalog: Catalog, model_id: str, sized: pd.DataFrame
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
            f" holds the {m.parameters_b.value:g}B parameters in bf16 plus the KV cache for"
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
    fields = [
        "weight_bytes_per_parameter",
        "kv_bytes_per_value",
        "memory_fraction",
        "runtime_overhead_gb",
        "bandwidth_efficiency",
        "compute_efficiency",
        "ops_fte_with_mlops_team" if org.mlops_team else "ops_fte_without_mlops_team",
    ]
    if usecase.requirements.fine_tuning == "planned":
        fields += [
            "fine_tuning_runs_per_year",
            "fine_tuning_tokens",
            "fine_tuning_engineer_months",
        ]
    out = [
        Assumption(
            field=f"cost.{name}",
            value=f"{getattr(params, name):g}",
            origin="estimate",
            reason=CostParameters.model_fields[name].description or "",
        )
        for name in fields
    ]
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
    return out
