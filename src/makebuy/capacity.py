"""Capacity stage: what each self-hosted model can serve on each priced GPU configuration.

Computed once per assessment, before costing. For every make option that passed the gate,
every (model, GPU, tensor-parallel size, batch) whose weights plus KV cache fit is sized
with `makebuy.sizing` (a roofline with calibrated efficiency factors); a published
measurement of the same model, GPU, count, precision and batch replaces the estimate.
The tables depend on the request shape and the latency target, never on the monthly
volume, so the cost stage, every hybrid leg and the break-even search read the same
`Capacity` and none of them sizes anything again.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from makebuy import owned, sizing, spot
from makebuy.models.catalog import Catalog
from makebuy.models.stages import Capacity
from makebuy.models.usecase import UseCase
from makebuy.sizing import Precision, SizingParameters

TENSOR_PARALLEL_SIZES = (1, 2, 4, 8)
BATCH_SIZES = (1, 2, 4, 8, 16, 32, 64, 128, 256)


def capacity(
    usecase: UseCase,
    catalog: Catalog,
    model_ids: list[str],
    precision: Precision,
    params: SizingParameters,
) -> Capacity:
    """Size every make model once on the questionnaire's cloud and commitment.

    The tables depend only on the models, the GPU prices, the request shape, the latency
    target, the precision and the sizing parameters, so they are kept per process under
    those values (not the objects): a portfolio sizes each distinct shape once.
    """
    org = usecase.organisation
    gpus = gpu_price_table(catalog, org.cloud, org.gpu_commitment)
    if org.gpu_commitment == "owned":
        gpus = owned.with_servers(gpus, usecase, catalog)
    if usecase.load.spot_acceptable:
        gpus = spot.with_spot(gpus, usecase, catalog)
    if gpus.empty or not model_ids:
        return Capacity(grid=pd.DataFrame(), best=pd.DataFrame(), gpus_priced=not gpus.empty)
    ids = sorted(model_ids)
    vol = usecase.volume
    key = (
        tuple(catalog.models[m].model_dump_json() for m in ids if m in catalog.models),
        tuple(ids),
        gpus.to_json(),
        tuple(t.model_dump_json() for t in catalog.throughput.values()),
        vol.input_tokens_per_request,
        vol.output_tokens_per_request,
        usecase.task.context_tokens,
        usecase.requirements.max_latency_p95_ms,
        usecase.requirements.max_time_to_first_token_ms,
        usecase.requirements.min_output_tokens_per_s,
        precision,
        tuple(usecase.requirements.quantisation),
        params.model_dump_json(),
    )
    found = _SIZED.get(key)
    if found is None:
        grid = size_make_options(
            usecase, catalog, ids, gpus, precision, params, usecase.requirements.quantisation
        )
        found = Capacity(grid=grid, best=best_configurations(grid), gpus_priced=True)
        if len(_SIZED) >= _SIZED_MAX:
            _SIZED.pop(next(iter(_SIZED)))
        _SIZED[key] = found
    return found


_SIZED: dict[tuple[object, ...], Capacity] = {}
"""Capacity tables computed in this process, by the values they depend on (oldest first)."""
_SIZED_MAX = 256


def gpu_price_table(catalog: Catalog, cloud: str, commitment: str) -> pd.DataFrame:
    """Every price row of every GPU on the cloud (any: every cloud) and commitment, with
    the GPU's memory, bandwidth and tensor rates: one row per priced instance shape (or
    per-GPU rental), so a replica can be placed on the shapes that hold it."""
    columns = [*sizing.PRICE_ROW_COLUMNS, "memory_gb", "bandwidth_gb_s", "tflops", "fp8_tflops"]
    tables = [
        sizing.price_rows(gpu, cloud, commitment).assign(
            memory_gb=gpu.memory_gb.value,
            bandwidth_gb_s=gpu.bandwidth_gb_s.value,
            tflops=gpu.bf16_dense_tflops.value,
            fp8_tflops=gpu.fp8_dense_tflops.value if gpu.fp8_dense_tflops else np.nan,
        )
        for gpu in catalog.gpus.values()
        if sizing.prices_on(gpu, cloud, commitment)
    ]
    if not tables:
        return pd.DataFrame(columns=columns)
    table = pd.concat(tables, ignore_index=True)[columns]
    return table.sort_values(["gpu", "usd_per_gpu_hour", "cloud", "source"], ignore_index=True)


def measured_table(catalog: Catalog, precisions: Sequence[str]) -> pd.DataFrame:
    """Published measurements at any of `precisions` (fp16 stands for bf16 and back) with a
    stated concurrency, one row per model, configuration and precision (`precision_key`)."""
    keys = {sizing.precision_key(p) for p in precisions}
    rows = [
        {
            "model": model_id,
            "gpu": m.gpu,
            "tp": m.gpus,
            "batch": m.concurrency,
            "precision_key": sizing.precision_key(m.precision),
            "measured_tokens_per_s": m.output_tokens_per_s,
            "measured_ms_per_token": m.ms_per_output_token or np.nan,
            "measured_id": m.id,
            "measured_source": m.source,
        }
        for m in catalog.throughput.values()
        for model_id in m.models
        if sizing.precision_key(m.precision) in keys and m.concurrency is not None
    ]
    columns = [
        "model",
        "gpu",
        "tp",
        "batch",
        "precision_key",
        "measured_tokens_per_s",
        "measured_ms_per_token",
        "measured_id",
        "measured_source",
    ]
    table = pd.DataFrame(rows, columns=columns)
    key = ["model", "gpu", "tp", "batch", "precision_key"]
    return table.sort_values([*key, "measured_id"]).drop_duplicates(key)


def size_make_options(
    usecase: UseCase,
    catalog: Catalog,
    model_ids: list[str],
    gpus: pd.DataFrame,
    precision: Precision,
    params: SizingParameters,
    quantisations: Sequence[Precision] = (),
) -> pd.DataFrame:
    """Every feasible (model, precision, GPU, tensor-parallel size, batch) with its serving
    capacity.

    Precisions: those the model is published in (`Model.precisions`; unset: `precision`),
    plus the `quantisations` the questionnaire allows below a 16- or 8-bit checkpoint
    (`sizing.serving_precisions`). Memory: weights + KV cache (sliding-window layers hold
    at most their window) for `batch` sequences of the full context must fit in the
    usable memory of `tp` GPUs, placed on an instance shape that holds them
    (`sizing.place_replicas`). Decode step time is the roofline of streaming weights (for
    mixture-of-experts models, the experts the batch touches) and KV cache against 2 x
    active parameters FLOPs per sequence; prefill is compute-bound. Where the catalog
    holds a measurement of the same model, GPU, count, precision and batch, its tokens/s
    replace the estimate (`measured_id`). Capacity is requests per second per replica;
    `input_share` is the share of a replica's time spent reading prompts (it splits cost
    between input and output tokens).
    """
    vol = usecase.volume
    context = usecase.task.context_tokens or vol.tokens_per_request
    kv_tokens = vol.input_tokens_per_request + vol.output_tokens_per_request / 2
    models = []
    splits = {}
    for mid in model_ids:
        m = catalog.models[mid]
        if m.parameters_b is None or m.architecture is None:
            continue
        active = m.active_parameters_b.value if m.active_parameters_b else m.parameters_b.value
        splits[mid] = sizing.split_or_dense(m)
        published = list(m.precisions.value) if m.precisions else [precision]
        for p in sizing.serving_precisions(m, precision, quantisations):
            models.append(
                {
                    "model": mid,
                    "precision": p,
                    "quantised": p not in published,
                    "precision_key": sizing.precision_key(p),
                    "params_b": m.parameters_b.value,
                    "active_b": active,
                    "weights_bytes": sizing.model_weight_bytes(m, p, params),
                    "kv_bytes_per_token": float(
                        sizing.kv_bytes_per_token_at(m.architecture, context, params)
                    ),
                    "kv_decode_bytes_per_token": float(
                        sizing.kv_bytes_per_token_at(m.architecture, kv_tokens, params)
                    ),
                }
            )
    if not models or gpus.empty:
        return pd.DataFrame()
    measured = measured_table(catalog, sorted({str(r["precision"]) for r in models}))
    measured = measured[measured["model"].isin(model_ids)]
    batches = sorted(set(BATCH_SIZES) | {int(b) for b in measured["batch"]})
    grid = (
        pd.DataFrame(models)
        .merge(sizing.place_replicas(gpus, TENSOR_PARALLEL_SIZES), how="cross")
        .merge(pd.DataFrame({"batch": batches}), how="cross")
    )
    usable = sizing.usable_bytes(grid["memory_gb"], grid["tp"], params)
    needed = sizing.memory_needed_bytes(
        grid["weights_bytes"], grid["kv_bytes_per_token"], context, grid["batch"]
    )
    grid["memory_needed_gb"] = sizing.total_memory_gb(needed, grid["tp"], params)
    grid = grid[needed <= usable].reset_index(drop=True)
    if grid.empty:
        return grid
    # Ties between precisions go to the one that stores more bytes a weight (less lossy).
    grid["precision_rank"] = -grid["precision"].map(sizing.BYTES_PER_PARAMETER)
    tflops = grid["fp8_tflops"].where(grid["precision"] == "fp8", grid["tflops"])
    tflops = tflops.fillna(grid["tflops"])
    flops = sizing.effective_flops(tflops, grid["tp"], params)
    bandwidth = sizing.effective_bandwidth(grid["bandwidth_gb_s"], grid["tp"], params)
    read_bytes = np.empty(len(grid))
    prefill_read_bytes = np.empty(len(grid))
    for (mid, prec), rows in grid.groupby(["model", "precision"]).groups.items():
        idx = grid.index.get_indexer(rows)
        read_bytes[idx] = sizing.paced_weight_bytes(
            splits[mid], grid.loc[rows, "batch"].to_numpy(), prec, params
        )
        prefill_read_bytes[idx] = sizing.paced_weight_bytes(
            splits[mid], vol.input_tokens_per_request, prec, params
        )
    step = sizing.decode_step_s(
        read_bytes=read_bytes,
        kv_per_token=grid["kv_decode_bytes_per_token"],
        kv_tokens=kv_tokens,
        batch=grid["batch"],
        active_b=grid["active_b"],
        bandwidth=bandwidth,
        flops=flops,
    )
    grid["prefill_s"] = sizing.prefill_s(
        input_tokens=vol.input_tokens_per_request,
        active_b=grid["active_b"],
        read_bytes=prefill_read_bytes,
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
    grid = grid.merge(measured, on=["model", "gpu", "tp", "batch", "precision_key"], how="left")
    # With no measurement of any of the models the merged columns come out as objects.
    speed = ["measured_tokens_per_s", "measured_ms_per_token"]
    grid[speed] = grid[speed].astype(float)
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
    grid["ttft_ms"] = grid["prefill_s"] * 1e3
    grid["ms_per_output_token"] = grid["step_s"] * 1e3
    grid["meets_latency"] = meets_latency_targets(
        usecase, grid["ttft_ms"], 1e3 / grid["ms_per_output_token"], grid["latency_ms"]
    )
    return grid


def meets_latency_targets(
    usecase: UseCase, ttft_ms: pd.Series, tokens_per_s: pd.Series, latency_ms: pd.Series
) -> pd.Series:
    """Whether each row's time to first token, generation speed of one answer (output
    tokens/s) and whole-request latency meet the questionnaire's targets (an unset target
    is met). NaN (a figure not known) meets nothing it is checked against."""
    req = usecase.requirements
    ok = pd.Series(True, index=ttft_ms.index)
    if req.max_time_to_first_token_ms is not None:
        ok &= ttft_ms <= req.max_time_to_first_token_ms
    if req.min_output_tokens_per_s is not None:
        ok &= tokens_per_s >= req.min_output_tokens_per_s
    if req.max_latency_p95_ms is not None:
        ok &= latency_ms <= req.max_latency_p95_ms
    return ok


def best_configurations(sized: pd.DataFrame) -> pd.DataFrame:
    """Per (model, GPU, tensor-parallel size, precision): the batch with the most requests
    per second within the latency target (the replica's instance shape and hourly price
    ride along)."""
    grid = sized[sized["meets_latency"]] if not sized.empty else sized
    if grid.empty:
        return grid
    best = (
        grid.sort_values(
            ["model", "gpu", "tp", "precision", "capacity_rps", "batch"],
            ascending=[True, True, True, True, False, True],
        )
        .groupby(["model", "gpu", "tp", "precision"], as_index=False)
        .first()
    )
    return best
