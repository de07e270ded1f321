"""Self-hosting maths: memory to hold a model, and how fast a GPU group serves it.

Usable on its own (``makebuy size`` and the cost stage both call it). Every function works
element-wise on floats, numpy arrays or pandas Series, so the cost stage can size a whole
model x GPU x tensor-parallel x batch grid at once.

Memory (facts in docs/catalog-format.md and the sizing references):

- weights = parameters x bytes per parameter (2 for fp16/bf16, 1 for fp8/int8, 0.5 for
  int4) x (1 + quantisation overhead: scales, zero points and layers kept in 16 bits);
- KV cache per token = 2 (K and V) x layers x KV heads x head dimension x bytes per value;
  grouped-query and multi-query attention enter through the KV-head count, latent
  attention through the architecture's explicit values per layer;
- a GPU group of ``tp`` GPUs offers ``tp x (memory x memory_fraction - runtime_overhead)``.

Throughput is a roofline: a decode step streams the weights (or, for mixture-of-experts,
the experts the batch touches) and the batch's KV cache from HBM, and does
2 x active parameters FLOPs per sequence; it takes the longer of the two. Prefill is
compute-bound. Aggregate decode throughput therefore grows with batch size until the
compute limit. Efficiency factors (share of peak bandwidth and FLOPs an engine reaches,
and the loss per doubling of tensor-parallel size) are estimates calibrated against the
measurements in ``catalogs/throughput.yaml``; ``benchmarks/calibration.py`` prints the ratios.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from makebuy.models.catalog import Architecture, Catalog, Gpu, GpuPrice, Model, Throughput

Precision = Literal["fp16", "bf16", "fp8", "int8", "int4", "mxfp4"]
PRECISIONS: tuple[Precision, ...] = ("bf16", "fp16", "fp8", "int8", "int4")
"""Precisions `makebuy size` offers; mxfp4 is sized where a model is published in it."""
QUANTISATIONS: tuple[Precision, ...] = ("fp8", "int8", "int4")
"""Precisions a questionnaire may allow a self-hosted bf16 model to be quantised to."""
BYTES_PER_PARAMETER: dict[str, float] = {
    "fp16": 2.0,
    "bf16": 2.0,
    "fp8": 1.0,
    "int8": 1.0,
    "int4": 0.5,
    "mxfp4": 4.25 / 8,
}
"""Storage per weight by precision (a fact of the number format). MXFP4 (OCP Microscaling
Formats v1.0) stores 4-bit values with one shared 8-bit scale per block of 32: 4.25 bits
a weight, the figure OpenAI's gpt-oss model card gives."""

Values = Any
"""A float, a numpy array or a pandas Series: the functions below work element-wise."""


class SizingParameters(BaseModel):
    """Estimates behind memory and throughput sizing. Each is reported as an assumption."""

    model_config = ConfigDict(frozen=True)

    quantisation_overhead_8bit: float = Field(
        0.02,
        description="Extra weight memory of fp8/int8 checkpoints (scales, embeddings kept in"
        " 16 bits): +2 % (the sizing references give +2-5 %).",
    )
    quantisation_overhead_4bit: float = Field(
        0.125,
        description="Extra weight memory of int4 checkpoints: 4.5 bits per weight with group"
        " scales (GGUF Q4 is about 4.5 bits), +12.5 %.",
    )
    kv_bytes_per_value: float = Field(2.0, description="fp16 KV cache: 2 bytes per value.")
    memory_fraction: float = Field(
        0.9, description="Share of GPU memory the engine may use (vLLM's default, 0.9)."
    )
    runtime_overhead_gb: float = Field(
        1.0, description="Per-GPU memory for CUDA context and activations, GB."
    )
    bandwidth_efficiency: float = Field(
        0.7,
        description="Share of peak HBM bandwidth reached while decoding (calibrated:"
        " benchmarks/calibration.py).",
    )
    compute_efficiency: float = Field(
        0.55,
        description="Share of peak dense tensor throughput reached in prefill and large"
        " batches (calibrated: benchmarks/calibration.py).",
    )
    int4_read_efficiency: float = Field(
        0.6,
        description="Share of the bandwidth roofline int4 weight-only decoding keeps"
        " (dequantising in the kernel): measured int4 runs reach 1.9x the bf16 speed where"
        " the byte count alone gives 3.2-3.4x (calibrated: benchmarks/calibration.py).",
    )
    tensor_parallel_efficiency: float = Field(
        0.8,
        description="Share of speed kept per doubling of tensor-parallel GPUs (all-reduce"
        " cost; calibrated: benchmarks/calibration.py).",
    )


DEFAULT_SIZING = SizingParameters()


def weight_overhead(precision: str, params: SizingParameters = DEFAULT_SIZING) -> float:
    """1 + the quantisation overhead of `precision` (1 for fp16/bf16)."""
    if precision in ("fp8", "int8"):
        return 1.0 + params.quantisation_overhead_8bit
    if precision == "int4":
        return 1.0 + params.quantisation_overhead_4bit
    return 1.0


def weight_bytes(
    parameters_b: Values, precision: str, params: SizingParameters = DEFAULT_SIZING
) -> Values:
    """Bytes the weights occupy in `precision`."""
    return parameters_b * 1e9 * BYTES_PER_PARAMETER[precision] * weight_overhead(precision, params)


def kv_cache_bytes(
    arch: Architecture, tokens: Values, params: SizingParameters = DEFAULT_SIZING
) -> Values:
    """KV-cache bytes of one sequence of `tokens`: full-attention layers cache every token,
    sliding-window layers (`sliding_window_layers` of them) at most `sliding_window`, and
    recurrent layers (Mamba-2, Gated DeltaNet) a fixed state whatever the length."""
    per_layer_token = kv_bytes_per_token(arch, params) / arch.layers
    sliding = arch.sliding_window_layers or 0
    window = arch.sliding_window or 0
    full = arch.layers - sliding
    cached = per_layer_token * (full * tokens + sliding * np.minimum(tokens, window))
    return cached + (arch.recurrent_state_bytes or 0)


def kv_bytes_per_token_at(
    arch: Architecture, tokens: Values, params: SizingParameters = DEFAULT_SIZING
) -> Values:
    """Average KV-cache bytes per token of a sequence of `tokens` (sliding windows counted)."""
    return kv_cache_bytes(arch, tokens, params) / tokens


def kv_bytes_per_token(arch: Architecture, params: SizingParameters = DEFAULT_SIZING) -> float:
    """KV-cache bytes one token occupies: 2 (K and V) x layers x KV heads x head dim x bytes.

    Grouped-query and multi-query attention are covered by `kv_heads`; latent attention
    by the architecture's explicit `kv_cache_values_per_layer`.
    """
    per_layer = arch.kv_cache_values_per_layer or 2 * arch.kv_heads * arch.head_dim
    return float(arch.layers * per_layer * params.kv_bytes_per_value)


def split_or_dense(model: Model) -> tuple[float, float, float]:
    """(always-read, routed, share per token) in billions, as `expert_split`; a dense model
    is all routed with a share of 1 (every weight read by every token)."""
    assert model.parameters_b is not None
    return expert_split(model) or (0.0, model.parameters_b.value, 1.0)


def bytes_per_weight(
    precision: str, params: SizingParameters = DEFAULT_SIZING, *, routed: bool = True
) -> float:
    """Bytes one weight takes in `precision`, quantisation overhead included. mxfp4 covers
    routed expert weights only: the always-read weights of a mixture-of-experts model stay
    in bf16 (as in gpt-oss); a dense model's weights count as routed."""
    if precision == "mxfp4" and not routed:
        return BYTES_PER_PARAMETER["bf16"]
    return BYTES_PER_PARAMETER[precision] * weight_overhead(precision, params)


def model_weight_bytes(
    model: Model, precision: str, params: SizingParameters = DEFAULT_SIZING
) -> float:
    """Bytes the model's weights occupy in `precision` (mixed where mxfp4 is)."""
    shared, routed, _ = split_or_dense(model)
    return 1e9 * (
        shared * bytes_per_weight(precision, params, routed=False)
        + routed * bytes_per_weight(precision, params)
    )


def weight_read_bytes(
    split: tuple[float, float, float],
    tokens: Values,
    precision: str,
    params: SizingParameters = DEFAULT_SIZING,
) -> Values:
    """Bytes of weights one forward pass over `tokens` tokens streams: the always-read part
    plus the routed weights they touch (see `weights_read_b`), each at its own precision."""
    shared, routed, share = split
    touched = routed * (1.0 - (1.0 - share) ** tokens)
    return 1e9 * (
        shared * bytes_per_weight(precision, params, routed=False)
        + touched * bytes_per_weight(precision, params)
    )


def paced_weight_bytes(
    split: tuple[float, float, float],
    tokens: Values,
    precision: str,
    params: SizingParameters = DEFAULT_SIZING,
) -> Values:
    """`weight_read_bytes` at the pace of the bandwidth roofline: what the read costs in
    time. int4 weight-only kernels dequantise as they read and keep only
    `int4_read_efficiency` of the speed its byte count promises; other precisions all."""
    read = weight_read_bytes(split, tokens, precision, params)
    return read / params.int4_read_efficiency if precision == "int4" else read


def memory_needed_bytes(
    weights: Values,
    kv_per_token: Values,
    context_tokens: Values,
    concurrency: Values,
) -> Values:
    """Weights plus the KV cache of `concurrency` sequences of `context_tokens` each."""
    return weights + kv_per_token * context_tokens * concurrency


def usable_bytes(
    memory_gb: Values, tp: Values, params: SizingParameters = DEFAULT_SIZING
) -> Values:
    """Memory an engine can use on `tp` GPUs: the memory fraction less per-GPU overhead."""
    return tp * (memory_gb * params.memory_fraction - params.runtime_overhead_gb) * 1e9


def total_memory_gb(
    needed_bytes: Values, tp: Values, params: SizingParameters = DEFAULT_SIZING
) -> Values:
    """GPU memory to provision: what the engine holds, grossed up for its fraction and overhead."""
    return (needed_bytes / 1e9 + tp * params.runtime_overhead_gb) / params.memory_fraction


def min_gpus(
    needed_bytes: float,
    memory_gb: float,
    sizes: tuple[int, ...] = (1, 2, 4, 8),
    params: SizingParameters = DEFAULT_SIZING,
) -> int | None:
    """The smallest tensor-parallel size in `sizes` whose usable memory holds `needed_bytes`."""
    for tp in sizes:
        if needed_bytes <= usable_bytes(memory_gb, tp, params):
            return tp
    return None


def precision_key(precision: str) -> str:
    """The precision a measurement stands for: fp16 and bf16 are one (see `same_precisions`)."""
    return "bf16" if precision in ("fp16", "bf16") else precision


def serving_precisions(model: Model, default: str, quantisations: Sequence[str] = ()) -> list[str]:
    """Precisions a self-hosted model is sized in: those it is published in (`default`
    when the catalog names none), plus each allowed quantisation that stores fewer bytes
    per weight than every published checkpoint of 8 bits or more (a 4-bit or MXFP4
    checkpoint is not quantised further)."""
    published = list(model.precisions.value) if model.precisions else [default]
    smallest = min(BYTES_PER_PARAMETER[p] for p in published)
    extra = [
        q
        for q in quantisations
        if smallest >= 1.0 and BYTES_PER_PARAMETER[q] < smallest and q not in published
    ]
    return list(dict.fromkeys([*published, *extra]))


def same_precisions(precision: str) -> frozenset[str]:
    """Precisions a measurement at `precision` stands for: fp16 and bf16 store 2 bytes per
    weight and run at the same tensor rate, so they are interchangeable."""
    return frozenset({"fp16", "bf16"}) if precision in ("fp16", "bf16") else frozenset({precision})


def prices_on(gpu: Gpu, cloud: str, commitment: str) -> list[GpuPrice]:
    """The GPU's hourly prices on `cloud` (any: every cloud) at `commitment`, cheapest first
    (ties: cloud, then source id, so the choice is stable)."""
    return sorted(
        (p for p in gpu.prices if p.commitment == commitment and cloud in ("any", p.cloud)),
        key=lambda p: (p.usd_per_gpu_hour, p.cloud, p.source),
    )


PRICE_ROW_COLUMNS = (
    "gpu",
    "cloud",
    "instance",
    "gpus_per_instance",
    "usd_per_gpu_hour",
    "source",
    "as_of",
)


def place_replicas(prices: pd.DataFrame, tp_sizes: Sequence[int]) -> pd.DataFrame:
    """Where a replica of each tensor-parallel size runs, per GPU: the cheapest price row
    that can hold it alone, and what that replica then costs an hour.

    `prices` holds one row per GPU price (columns `PRICE_ROW_COLUMNS`, `gpus_per_instance`
    NaN for a per-GPU rental). A row with an instance shape of G GPUs hosts a replica of
    up to G GPUs and is paid whole: G x its per-GPU rate, idle GPUs included (one replica
    per instance; a replica never spans instances). A per-GPU rental hosts any size at
    tp x its rate. Sizes no row can host are absent: an unavailable combination is never
    chosen. Ties: cloud, then source id. Extra columns of `prices` are carried along.
    """
    if prices.empty:
        return prices.assign(tp=pd.Series(dtype=int), replica_usd_per_hour=0.0, shape="")
    rows = prices.merge(pd.DataFrame({"tp": list(tp_sizes)}), how="cross")
    per_gpu = rows["gpus_per_instance"].isna()
    rows = rows[per_gpu | (rows["gpus_per_instance"] >= rows["tp"])].copy()
    rows["replica_usd_per_hour"] = rows["usd_per_gpu_hour"] * rows["gpus_per_instance"].fillna(
        rows["tp"]
    )
    rows = rows.sort_values(["gpu", "tp", "replica_usd_per_hour", "cloud", "source"])
    best = rows.drop_duplicates(["gpu", "tp"]).reset_index(drop=True)
    names = best["instance"].fillna(best["cloud"]).astype(str).str.split(" (", regex=False).str[0]
    shaped = best["gpus_per_instance"].notna()
    best["shape"] = np.where(
        shaped,
        names.str.strip()
        + " ("
        + best["gpus_per_instance"].fillna(0).astype(int).astype(str)
        + " x "
        + best["gpu"]
        + ")",
        "per-GPU rental",
    )
    return best


def price_rows(gpu: Gpu, cloud: str, commitment: str) -> pd.DataFrame:
    """The GPU's price rows on `cloud` (any: every cloud) at `commitment`, as a table."""
    return pd.DataFrame(
        [
            {
                "gpu": gpu.id,
                "cloud": p.cloud,
                "instance": p.instance,
                "gpus_per_instance": p.gpus_per_instance,
                "usd_per_gpu_hour": p.usd_per_gpu_hour,
                "source": p.source,
                "as_of": p.as_of,
            }
            for p in prices_on(gpu, cloud, commitment)
        ],
        columns=list(PRICE_ROW_COLUMNS),
    ).astype({"gpus_per_instance": float})


def tflops_for(gpu: Gpu, precision: str) -> float:
    """Dense tensor TFLOPS at which `precision` computes on `gpu`.

    fp8 uses the GPU's fp8 rate where it has one; int8/int4 weight-only quantisation and
    fp8 on GPUs without fp8 units dequantise and compute at the bf16 rate.
    """
    if precision == "fp8" and gpu.fp8_dense_tflops is not None:
        return gpu.fp8_dense_tflops.value
    return gpu.bf16_dense_tflops.value


def tp_scaling(tp: Values, params: SizingParameters = DEFAULT_SIZING) -> Values:
    """Share of linear speed-up kept on `tp` GPUs: efficiency ** log2(tp)."""
    return params.tensor_parallel_efficiency ** np.log2(tp)


def effective_bandwidth(
    bandwidth_gb_s: Values, tp: Values, params: SizingParameters = DEFAULT_SIZING
) -> Values:
    """Bytes per second a group of `tp` GPUs streams while decoding."""
    return tp * bandwidth_gb_s * 1e9 * params.bandwidth_efficiency * tp_scaling(tp, params)


def effective_flops(
    tflops: Values, tp: Values, params: SizingParameters = DEFAULT_SIZING
) -> Values:
    """FLOPs per second a group of `tp` GPUs sustains."""
    return tp * tflops * 1e12 * params.compute_efficiency * tp_scaling(tp, params)


def expert_split(model: Model) -> tuple[float, float, float] | None:
    """(always-read parameters, routed parameters, share of routed ones one token uses),
    in billions, for a mixture-of-experts model; None for a dense one.

    With the architecture's expert counts: total = shared + E x e and active = shared +
    k x e, so routed = E x e and the share is k / E. Without them (the catalog often gives
    only total and active parameters), every parameter is treated as routed with a share
    of active / total: one token then reads exactly the active parameters and a large
    batch reads them all, which brackets the truth between its two known ends.
    """
    a = model.architecture
    if model.parameters_b is None or model.active_parameters_b is None:
        return None
    total, active = model.parameters_b.value, model.active_parameters_b.value
    if active >= total:
        return None
    if a is not None and a.experts and a.experts_per_token and a.experts > a.experts_per_token:
        per_expert = (total - active) / (a.experts - a.experts_per_token)
        routed = min(a.experts * per_expert, total)
        return total - routed, routed, a.experts_per_token / a.experts
    return 0.0, total, active / total


def weights_read_b(
    parameters_b: Values,
    batch: Values,
    split: tuple[float, float, float] | None,
) -> Values:
    """Billions of parameters one forward pass over `batch` tokens reads: all of a dense
    model; for a mixture-of-experts model, the always-read part plus the routed
    parameters the tokens touch (expected share 1 - (1 - share per token) ** batch)."""
    if split is None:
        return parameters_b + 0.0 * batch
    shared, routed, share = split
    return shared + routed * (1.0 - (1.0 - share) ** batch)


def decode_step_s(
    *,
    read_bytes: Values,
    kv_per_token: Values,
    kv_tokens: Values,
    batch: Values,
    active_b: Values,
    bandwidth: Values,
    flops: Values,
) -> Values:
    """Seconds for one decode step of `batch` sequences: the slower of memory and compute.

    Memory: the weights read plus every sequence's KV cache (`kv_tokens` each), at the
    group's effective bandwidth. Compute: 2 x active parameters FLOPs per sequence.
    """
    memory = (read_bytes + batch * kv_tokens * kv_per_token) / bandwidth
    compute = batch * 2.0 * active_b * 1e9 / flops
    return np.maximum(memory, compute)


def prefill_s(
    *, input_tokens: Values, active_b: Values, read_bytes: Values, bandwidth: Values, flops: Values
) -> Values:
    """Seconds to read a prompt of `input_tokens`: compute-bound, never under one weight pass."""
    return np.maximum(input_tokens * 2.0 * active_b * 1e9 / flops, read_bytes / bandwidth)


def cost_per_million_tokens(
    usd_per_gpu_hour: Values, gpus: Values, tokens_per_s: Values, utilisation: Values
) -> Values:
    """USD per 1M tokens of a GPU group busy `utilisation` of the time at `tokens_per_s`.

    $/1M = $/GPU-hour x GPUs x 1e6 / (3600 x tokens/s x utilisation).
    """
    return usd_per_gpu_hour * gpus * 1e6 / (3600.0 * tokens_per_s * utilisation)


class Estimate(BaseModel):
    """What one GPU group does with one model at one batch size (a roofline estimate)."""

    model_config = ConfigDict(frozen=True)

    model: str
    gpu: str
    gpus: int = Field(description="Tensor-parallel size.")
    precision: str
    batch: int = Field(description="Concurrent sequences decoded together.")
    weights_gb: float
    kv_bytes_per_token: float
    memory_needed_gb: float = Field(description="Weights + KV cache for `batch` full contexts.")
    fits: bool
    max_batch: int = Field(description="Most full-context sequences the group's memory holds.")
    prefill_tokens_per_s: float = Field(description="Prompt tokens read per second (one group).")
    decode_tokens_per_s: float = Field(description="Output tokens per second while decoding.")
    output_tokens_per_s: float = Field(
        description="Output tokens per second of whole requests (prefill included)."
    )
    ms_per_output_token: float = Field(description="Time between two tokens of one request.")
    latency_s: float = Field(description="One request: its prefill plus all its decode steps.")


def estimate(
    model: Model,
    gpu: Gpu,
    *,
    gpus: int,
    precision: str,
    batch: int,
    input_tokens: int,
    output_tokens: int,
    context_tokens: int | None = None,
    params: SizingParameters = DEFAULT_SIZING,
) -> Estimate:
    """Roofline estimate for one configuration; `context_tokens` defaults to input + output."""
    if model.parameters_b is None or model.architecture is None:
        raise ValueError(f"{model.id}: the catalog lacks parameters or architecture")
    total_b = model.parameters_b.value
    active_b = model.active_parameters_b.value if model.active_parameters_b else total_b
    context = context_tokens or input_tokens + output_tokens
    arch = model.architecture
    kv = float(kv_bytes_per_token_at(arch, context, params))
    weights = model_weight_bytes(model, precision, params)
    usable = float(usable_bytes(gpu.memory_gb.value, gpus, params))
    needed = float(memory_needed_bytes(weights, kv, context, batch))
    max_batch = max(int((usable - weights) // (kv * context)), 0) if usable > weights else 0
    bandwidth = float(effective_bandwidth(gpu.bandwidth_gb_s.value, gpus, params))
    flops = float(effective_flops(tflops_for(gpu, precision), gpus, params))
    split = split_or_dense(model)
    kv_tokens = input_tokens + output_tokens / 2
    step = float(
        decode_step_s(
            read_bytes=paced_weight_bytes(split, batch, precision, params),
            kv_per_token=kv_bytes_per_token_at(arch, kv_tokens, params),
            kv_tokens=kv_tokens,
            batch=batch,
            active_b=active_b,
            bandwidth=bandwidth,
            flops=flops,
        )
    )
    prefill = float(
        prefill_s(
            input_tokens=input_tokens,
            active_b=active_b,
            read_bytes=paced_weight_bytes(split, input_tokens, precision, params),
            bandwidth=bandwidth,
            flops=flops,
        )
    )
    return Estimate(
        model=model.id,
        gpu=gpu.id,
        gpus=gpus,
        precision=precision,
        batch=batch,
        weights_gb=weights / 1e9,
        kv_bytes_per_token=kv,
        memory_needed_gb=needed / 1e9,
        fits=needed <= usable,
        max_batch=max_batch,
        prefill_tokens_per_s=input_tokens / prefill,
        decode_tokens_per_s=batch / step,
        output_tokens_per_s=output_tokens / (prefill + output_tokens * step / batch),
        ms_per_output_token=step * 1e3,
        latency_s=prefill + output_tokens * step,
    )


ASSUMED_SHAPE = (512, 256)
"""Input and output tokens assumed for a measurement whose source does not state them."""
MAX_BATCH = 2048
"""Largest batch considered when a measurement ran the engine at maximum load."""


def estimate_measured(
    measured: Throughput, catalog: Catalog, params: SizingParameters = DEFAULT_SIZING
) -> Estimate:
    """The roofline's estimate for the configuration and load of a published measurement.

    Maximum-load runs (no concurrency given) use the largest batch the memory holds, up to
    `MAX_BATCH`; runs without stated lengths use `ASSUMED_SHAPE`.
    """
    model = catalog.models[measured.models[0]]
    gpu = catalog.gpus[measured.gpu]
    inp = measured.input_tokens or ASSUMED_SHAPE[0]
    out = measured.output_tokens or ASSUMED_SHAPE[1]
    batch = measured.concurrency
    if batch is None:
        probe = estimate(
            model,
            gpu,
            gpus=measured.gpus,
            precision=measured.precision,
            batch=1,
            input_tokens=inp,
            output_tokens=out,
            params=params,
        )
        batch = max(1, min(probe.max_batch, MAX_BATCH))
    return estimate(
        model,
        gpu,
        gpus=measured.gpus,
        precision=measured.precision,
        batch=batch,
        input_tokens=inp,
        output_tokens=out,
        params=params,
    )


class GpuFit(BaseModel):
    """What one GPU type needs to run the model, and what it then delivers."""

    model_config = ConfigDict(frozen=True)

    gpu: str
    gpu_name: str
    memory_gb: float = Field(description="Memory of one GPU, GB.")
    gpus: int | None = Field(
        description="Smallest tensor-parallel size (1-8) that fits; null: none."
    )
    prefill_tokens_per_s: float | None = Field(None, description="Prompt tokens/s of the group.")
    decode_tokens_per_s: float | None = Field(
        None, description="Output tokens/s of the group at the stated concurrency."
    )
    throughput_basis: Literal["measured", "estimated"] | None = None
    measurement: str | None = Field(None, description="Id of the measurement used, if any.")
    max_concurrency: int | None = Field(
        None, description="Most full-context sequences the group's memory holds."
    )
    decode_tokens_per_s_by_batch: dict[int, float] = Field(
        default_factory=dict,
        description="Estimated output tokens/s of the group by batch size (powers of two up"
        " to the memory limit): how aggregate throughput grows until compute caps it.",
    )
    usd_per_gpu_hour: float | None = Field(
        None,
        description="Per-GPU rate of the cheapest price row on the cloud and commitment"
        " asked for that can hold the group (its instance shape has enough GPUs).",
    )
    instance: str | None = Field(
        None, description="The instance shape the group runs on, or `per-GPU rental`."
    )
    usd_per_replica_hour: float | None = Field(
        None, description="Hourly price of the group: the whole instance, idle GPUs included."
    )
    price_source: str | None = None
    input_per_1m_usd: float | None = Field(None, description="USD per 1M prompt tokens.")
    output_per_1m_usd: float | None = Field(None, description="USD per 1M output tokens.")


class SizeReport(BaseModel):
    """`makebuy size`: what it takes to run one model."""

    model_config = ConfigDict(frozen=True)

    model: str
    model_name: str
    parameters_b: float
    active_parameters_b: float
    precision: str
    context_tokens: int
    concurrency: int
    utilisation: float = Field(description="Share of time the GPUs are busy, for the costs.")
    cloud: str
    commitment: str
    weights_gb: float
    kv_bytes_per_token: float = Field(
        description="Average KV-cache bytes per token at the context (sliding-window layers"
        " hold at most their window; a hybrid model's recurrent state is counted apart)."
    )
    recurrent_state_bytes: int | None = Field(
        None,
        exclude_if=lambda v: v is None,
        description="A hybrid model's fixed recurrent state per sequence (Mamba-2, Gated"
        " DeltaNet layers), in kv_cache_gb besides the per-token cache; absent otherwise.",
    )
    kv_cache_gb: float = Field(
        description="KV cache (and recurrent state) for `concurrency` full contexts, GB."
    )
    memory_needed_gb: float = Field(
        description="Weights + KV cache + per-GPU overhead on one GPU, grossed up for the"
        " engine's memory fraction (add per-GPU overhead for more GPUs)."
    )
    gpus: list[GpuFit]
    assumptions: list[str] = Field(description="Estimates behind the figures, one line each.")


def size_model(
    catalog: Catalog,
    model_id: str,
    *,
    gpu_ids: list[str] | None = None,
    precision: str | None = None,
    context_tokens: int = 4096,
    concurrency: int = 1,
    utilisation: float = 0.5,
    cloud: str = "any",
    commitment: str = "on-demand",
    params: SizingParameters = DEFAULT_SIZING,
) -> SizeReport:
    """Memory, GPUs per type, speed and cost per 1M tokens of one model (see `makebuy size`).

    Speeds are for sequences at the full context: prefill reads a prompt of
    `context_tokens`; decode runs `concurrency` sequences together. A measurement in the
    catalog of the same model, GPU, count, precision and concurrency replaces the decode
    estimate.
    """
    model = catalog.models[model_id]
    if model.parameters_b is None or model.architecture is None:
        raise ValueError(f"{model_id}: the catalog lacks parameters or architecture")
    if precision is None:
        precision = model.precisions.value[0] if model.precisions else "bf16"
    total_b = model.parameters_b.value
    active_b = model.active_parameters_b.value if model.active_parameters_b else total_b
    kv = float(kv_bytes_per_token_at(model.architecture, context_tokens, params))
    state = model.architecture.recurrent_state_bytes
    weights = model_weight_bytes(model, precision, params)
    needed = float(memory_needed_bytes(weights, kv, context_tokens, concurrency))
    same = same_precisions(precision)
    fits = []
    for gid in gpu_ids or sorted(catalog.gpus):
        gpu = catalog.gpus[gid]
        tp = min_gpus(needed, gpu.memory_gb.value, params=params)
        placed = place_replicas(price_rows(gpu, cloud, commitment), (tp,) if tp else ())
        price = placed.iloc[0].to_dict() if not placed.empty else None
        if tp is None:
            fits.append(
                GpuFit(gpu=gid, gpu_name=gpu.name, memory_gb=gpu.memory_gb.value, gpus=None)
            )
            continue
        est = estimate(
            model,
            gpu,
            gpus=tp,
            precision=precision,
            batch=concurrency,
            input_tokens=context_tokens,
            output_tokens=1,
            context_tokens=context_tokens,
            params=params,
        )
        measured = next(
            (
                m
                for m in sorted(catalog.throughput.values(), key=lambda m: m.id)
                if model_id in m.models
                and m.gpu == gid
                and m.gpus == tp
                and m.precision in same
                and m.concurrency == concurrency
            ),
            None,
        )
        decode = measured.output_tokens_per_s if measured else est.decode_tokens_per_s
        curve = {
            b: round(
                estimate(
                    model,
                    gpu,
                    gpus=tp,
                    precision=precision,
                    batch=b,
                    input_tokens=context_tokens,
                    output_tokens=1,
                    context_tokens=context_tokens,
                    params=params,
                ).decode_tokens_per_s,
                1,
            )
            for b in (2**k for k in range(11))
            if b <= max(est.max_batch, 1)
        }
        cost_in = cost_out = None
        if price is not None:
            per_gpu = price["replica_usd_per_hour"] / tp  # idle GPUs of the shape included
            cost_in = cost_per_million_tokens(per_gpu, tp, est.prefill_tokens_per_s, utilisation)
            cost_out = cost_per_million_tokens(per_gpu, tp, decode, utilisation)
        fits.append(
            GpuFit(
                gpu=gid,
                gpu_name=gpu.name,
                memory_gb=gpu.memory_gb.value,
                gpus=tp,
                prefill_tokens_per_s=round(est.prefill_tokens_per_s, 1),
                decode_tokens_per_s=round(decode, 1),
                throughput_basis="measured" if measured else "estimated",
                measurement=measured.id if measured else None,
                max_concurrency=est.max_batch,
                decode_tokens_per_s_by_batch=curve,
                usd_per_gpu_hour=price["usd_per_gpu_hour"] if price else None,
                instance=str(price["shape"]) if price else None,
                usd_per_replica_hour=price["replica_usd_per_hour"] if price else None,
                price_source=price["source"] if price else None,
                input_per_1m_usd=round(float(cost_in), 4) if cost_in is not None else None,
                output_per_1m_usd=round(float(cost_out), 4) if cost_out is not None else None,
            )
        )
    notes = [
        f"{name} = {getattr(params, name):g}: {SizingParameters.model_fields[name].description}"
        for name in (
            "memory_fraction",
            "runtime_overhead_gb",
            "kv_bytes_per_value",
            "bandwidth_efficiency",
            "compute_efficiency",
            "tensor_parallel_efficiency",
        )
    ]
    lowered = {
        "fp8": ["quantisation_overhead_8bit"],
        "int8": ["quantisation_overhead_8bit"],
        "int4": ["quantisation_overhead_4bit", "int4_read_efficiency"],
    }
    notes[:0] = [
        f"{name} = {getattr(params, name):g}: {SizingParameters.model_fields[name].description}"
        for name in lowered.get(precision, [])
    ]
    notes.append(
        f"utilisation = {utilisation:g}: share of the time the GPUs serve traffic; cost per 1M"
        " tokens = $/GPU-hour x GPUs x 1e6 / (3600 x tokens/s x utilisation)."
    )
    return SizeReport(
        model=model_id,
        model_name=model.name,
        parameters_b=total_b,
        active_parameters_b=active_b,
        precision=precision,
        context_tokens=context_tokens,
        concurrency=concurrency,
        utilisation=utilisation,
        cloud=cloud,
        commitment=commitment,
        weights_gb=round(weights / 1e9, 3),
        kv_bytes_per_token=kv - (state or 0) / context_tokens,
        recurrent_state_bytes=state,
        kv_cache_gb=round(kv * context_tokens * concurrency / 1e9, 3),
        memory_needed_gb=round(float(total_memory_gb(needed, 1, params)), 3),
        gpus=fits,
        assumptions=notes,
    )
