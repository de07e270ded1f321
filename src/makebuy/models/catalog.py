"""The catalog: models, licences, API offerings, GPUs and quality evidence.

Every figure carries a source id and an as-of date (see docs/catalog-format.md), so every
number a report shows can be traced and flagged when it is old or unverified.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from typing import Any, Generic, Literal, TypeVar, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    model_validator,
)

from makebuy.models.usecase import TaskKind

T = TypeVar("T")
URL_PATTERN = "^https?://[^\\s()<>\\[\\]{}|\\\\\"'`]+$"
"""http(s) URLs without spaces, brackets, pipes or quotes: safe inside Markdown links.

The same regex in Python and in ECMA-262 with the `u` flag (JSON Schema's dialect, as
editors and ajv read it): only syntax characters are escaped, so no `\\"`."""
FigureStatus = Literal["verified", "secondary", "unverified"]
SourceKind = Literal["primary", "secondary", "community"]
"""primary: the vendor, provider or licensor itself (price list, datasheet, licence text, model
card, config.json in the publisher's repository); secondary: a maintained catalog or reputable
publication that copies the primary (LiteLLM's price map, genai-prices, a cloud price tracker);
community: anything else (user copies, blogs, forums, wikis, scrapers)."""


class _Entry(BaseModel):
    """A catalog entry: frozen, unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Figure(_Entry, Generic[T]):
    """One sourced, dated fact."""

    value: T = Field(..., description="The fact itself.")
    source: str = Field(..., description="Id of the source it was read from.")
    as_of: dt.date = Field(..., description="Date on which the fact was true or read.")
    status: FigureStatus = Field("verified", description="verified | secondary | unverified")
    note: str | None = Field(None, description="One line of context.")


def value_of(fig: Figure[T] | None) -> T | None:
    """A figure's value, or None when the catalog leaves the figure unset."""
    return None if fig is None else fig.value


class Source(_Entry):
    """Where figures come from."""

    id: str = Field(..., pattern=r"^[a-z0-9][a-z0-9._-]*$")
    title: str = Field(..., min_length=1)
    url: str = Field(..., pattern=URL_PATTERN)
    publisher: str | None = None
    kind: SourceKind | None = Field(
        None,
        description="primary (the vendor itself), secondary (a maintained catalog of the"
        " primary) or community (anything else); unset: unclassified.",
    )


class Term(_Entry, Generic[T]):
    """One licence term with the clause that states it."""

    value: T = Field(..., description="What the term says, in structured form.")
    clause: str = Field(..., min_length=1, description="The clause, quoted verbatim.")
    url: str | None = Field(
        None,
        pattern=URL_PATTERN,
        description="Where the clause is (default: the licence URL).",
    )
    status: FigureStatus = "verified"
    scope: str | None = Field(None, description="Which models or uses the term covers.")
    multimodal_only: bool = Field(False, description="The term binds multimodal models only.")
    note: str | None = None


class LicenceTerms(_Entry):
    """A licence's terms; a term left out means the licence says nothing about it."""

    commercial_use: Term[Literal["allowed", "conditional", "forbidden"]] | None = None
    mau_cap: Term[int] | None = None
    output_training: Term[Literal["allowed", "restricted", "forbidden"]] | None = None
    hosting_service: Term[Literal["allowed", "separate-licence", "forbidden"]] | None = None
    redistribution: Term[Literal["allowed", "with-conditions", "forbidden"]] | None = None
    share_alike: Term[bool] | None = None
    attribution: Term[str] | None = None
    naming: Term[str] | None = None
    acceptable_use: Term[list[str]] | None = None
    region: Term[list[str]] | None = None
    pass_through: Term[bool] | None = None
    remote_restriction: Term[bool] | None = None
    royalties: Term[str] | None = None


class Licence(_Entry):
    """An open-weight licence or a provider's API terms."""

    id: str = Field(..., pattern=r"^[a-z0-9][a-z0-9._-]*$")
    name: str
    spdx: str | None = None
    kind: Literal["open-weights", "api-terms"]
    url: str = Field(..., pattern=URL_PATTERN)
    source: str
    as_of: dt.date
    terms: LicenceTerms = Field(default_factory=LicenceTerms)
    note: str | None = None


class Architecture(_Entry):
    """Figure group from the model's config: enough for weight and KV-cache sizing."""

    layers: int = Field(..., gt=0)
    hidden_size: int = Field(..., gt=0)
    attention_heads: int = Field(..., gt=0)
    kv_heads: int = Field(..., gt=0, description="= heads for MHA, 1 for MQA, between for GQA.")
    head_dim: int = Field(..., gt=0)
    kv_cache_values_per_layer: int | None = Field(
        None,
        gt=0,
        description="Values cached per token and layer when not 2 x kv_heads x head_dim"
        " (latent attention, e.g. DeepSeek's MLA).",
    )
    source: str
    as_of: dt.date
    status: FigureStatus = "verified"
    note: str | None = None
    sliding_window: int | None = Field(
        None, gt=0, description="Tokens a sliding-window (local) attention layer keeps."
    )
    sliding_window_layers: int | None = Field(
        None,
        ge=0,
        description="How many of `layers` use the sliding window (Gemma 3: 5 of every 6;"
        " gpt-oss, Gemma 2: every other); their KV cache stops growing at `sliding_window`"
        " tokens. Unset: the window is not counted (every layer keeps the full context).",
    )
    experts: int | None = None
    experts_per_token: int | None = None
    vocab_size: int | None = None
    intermediate_size: int | None = None
    recurrent_state_bytes: int | None = Field(
        None,
        gt=0,
        description="Bytes of fixed per-sequence state in recurrent layers (Mamba-2, Gated"
        " DeltaNet) that does not grow with the context; held and read every decode step like"
        " the KV cache. Unset: no such layers (or not counted).",
    )

    @model_validator(mode="after")
    def _sliding_layers_fit(self) -> Architecture:
        if self.sliding_window_layers is not None:
            if self.sliding_window is None:
                raise ValueError("sliding_window_layers needs sliding_window")
            if self.sliding_window_layers > self.layers:
                raise ValueError("sliding_window_layers cannot exceed layers")
        return self


class Lifecycle(_Entry):
    """Figure group: when an API product stops being usable."""

    deprecated: dt.date | None = Field(None, description="Announced deprecation date.")
    retires: dt.date | None = Field(None, description="Date the API stops serving.")
    successor: str | None = None
    source: str
    as_of: dt.date
    status: FigureStatus = "verified"
    note: str | None = None


CheckpointPrecision = Literal["fp16", "bf16", "fp8", "int8", "int4", "mxfp4"]
"""Number formats a checkpoint's weights come in. mxfp4 (OCP Microscaling FP4: 4-bit values
with one 8-bit scale per 32, so 4.25 bits a weight) covers the routed expert weights of a
mixture-of-experts model; its other weights stay in bf16."""


class Model(_Entry):
    """A model: facts about the weights, independent of who serves them."""

    id: str = Field(..., pattern=r"^[a-z0-9][a-z0-9._-]*/[a-z0-9][a-z0-9._-]*$")
    name: str
    family: str
    developer: str
    open_weights: bool
    licence: str | None = Field(None, description="Licence id; required for open weights.")
    released: Figure[dt.date] | None = None
    parameters_b: Figure[float] | None = None
    active_parameters_b: Figure[float] | None = None
    architecture: Architecture | None = None
    context_tokens: Figure[int] | None = None
    languages: Figure[list[str]] | None = None
    modalities: Figure[list[str]] | None = None
    lifecycle: Lifecycle | None = None
    note: str | None = None

    precisions: Figure[list[CheckpointPrecision]] | None = Field(
        None,
        description="Precisions the publisher ships checkpoints in (e.g. [bf16, fp8], or"
        " [mxfp4] for gpt-oss, whose MoE expert weights are MXFP4 and the rest bf16);"
        " unset: bf16 only. Self-hosting is sized in each of them.",
    )

    @model_validator(mode="after")
    def _positive_sizes(self) -> Model:
        for name in ("parameters_b", "active_parameters_b", "context_tokens"):
            fig = getattr(self, name)
            if fig is not None and fig.value <= 0:
                raise ValueError(f"{name} must be above 0")
        return self

    @model_validator(mode="after")
    def _open_weights_have_licence(self) -> Model:
        if self.open_weights and not self.licence:
            raise ValueError("open-weight models need a licence id")
        return self


class PriceDiscounts(_Entry):
    """Figure group: the offering's cached-input and batch prices, read beside its standard
    price (USD per 1M tokens). A price left out means the catalog has none: the report then
    says the discount was not applied."""

    cached_input_per_1m: float | None = Field(
        None, ge=0, description="USD per 1M input tokens read from the prompt cache."
    )
    batch_input_per_1m: float | None = Field(
        None, ge=0, description="USD per 1M input tokens sent through the batch API."
    )
    batch_output_per_1m: float | None = Field(
        None, ge=0, description="USD per 1M output tokens from the batch API."
    )
    source: str
    as_of: dt.date
    status: FigureStatus = "verified"
    note: str | None = None

    @model_validator(mode="after")
    def _batch_pair(self) -> PriceDiscounts:
        if (self.batch_input_per_1m is None) != (self.batch_output_per_1m is None):
            raise ValueError("batch_input_per_1m and batch_output_per_1m go together")
        if self.cached_input_per_1m is None and self.batch_input_per_1m is None:
            raise ValueError("give cached_input_per_1m or the batch prices")
        return self


class Price(_Entry):
    """One price of an offering, valid from `effective_from` until `effective_to` (exclusive)."""

    effective_from: dt.date
    effective_to: dt.date | None = None
    input_per_1m: float = Field(..., ge=0, description="USD per 1M input tokens.")
    output_per_1m: float = Field(..., ge=0, description="USD per 1M output tokens.")
    source: str
    as_of: dt.date
    status: FigureStatus = "verified"
    note: str | None = None
    discounts: PriceDiscounts | None = Field(
        None,
        description="Cached-input and batch prices in force with this price (own source).",
    )

    @model_validator(mode="after")
    def _discounts_below_list(self) -> Price:
        d = self.discounts
        if d is None:
            return self
        for name, value, list_price in (
            ("cached_input_per_1m", d.cached_input_per_1m, self.input_per_1m),
            ("batch_input_per_1m", d.batch_input_per_1m, self.input_per_1m),
            ("batch_output_per_1m", d.batch_output_per_1m, self.output_per_1m),
        ):
            if value is not None and value > list_price:
                raise ValueError(f"discounts.{name} ({value:g}) is above the list price")
        return self

    @property
    def shown(self) -> str:
        """`$0.15 / $0.6`: input and output per 1M tokens, as importers and diffs quote it."""
        return f"${self.input_per_1m:g} / ${self.output_per_1m:g}"


def effective_price(prices: Sequence[Price], on: dt.date) -> Price | None:
    """The row in effect on `on` (effective_to is exclusive; the latest start wins)."""
    live = [
        p
        for p in prices
        if p.effective_from <= on and (p.effective_to is None or on < p.effective_to)
    ]
    return max(live, key=lambda p: p.effective_from) if live else None


class DataTerms(_Entry):
    """Figure group: what the provider does with prompts and outputs."""

    training_on_inputs: bool | None = None
    retention_days: int | None = Field(None, ge=0)
    zero_retention: Literal["available", "on-approval", "unavailable"] | None = None
    source: str
    as_of: dt.date
    status: FigureStatus = "verified"
    note: str | None = None


class OfferingLatency(_Entry):
    """Figure group: how fast the offering answers (medians of a published measurement)."""

    ttft_ms: float | None = Field(
        None, gt=0, description="Median time to first token, ms (network included)."
    )
    output_tokens_per_s: float | None = Field(
        None, gt=0, description="Median output tokens per second of one answer."
    )
    source: str
    as_of: dt.date
    status: FigureStatus = "verified"
    note: str | None = None


FineTuningMethod = Literal["supervised", "lora", "full"]
"""How a provider tunes a model: supervised (supervised fine-tuning, the provider does not
say whether all weights or an adapter are trained), lora (a low-rank adapter) or full (every
weight)."""


class OfferingFineTuning(_Entry):
    """Figure group: whether the provider fine-tunes this model, and at what price.

    Absent from an offering: the catalog records no fine-tuning of the model there, so a
    questionnaire with `fine_tuning: planned` rules the offering out."""

    methods: Figure[list[FineTuningMethod]] = Field(
        ..., description="How the provider tunes the model (supervised | lora | full)."
    )
    training_per_1m: Figure[float] | None = Field(
        None,
        description="USD per 1M training tokens (dataset tokens x epochs); unset: not sourced,"
        " so a planned fine-tuning cannot be costed on this offering.",
    )
    serving: Figure[Literal["per-token", "base-price", "dedicated"]] = Field(
        ...,
        description="How the tuned model is billed: per-token (its own input_per_1m and"
        " output_per_1m), base-price (the offering's own price rows) or dedicated (only on a"
        " deployment billed per GPU time, which the catalog does not price).",
    )
    input_per_1m: Figure[float] | None = Field(
        None, description="USD per 1M input tokens to the tuned model (serving: per-token)."
    )
    output_per_1m: Figure[float] | None = Field(
        None, description="USD per 1M output tokens from the tuned model (serving: per-token)."
    )
    closed_to_new_customers: Figure[dt.date] | None = Field(
        None,
        description="Date from which the provider takes no new fine-tuning customers; an"
        " assessment on or after it rules the offering out for a planned fine-tuning.",
    )
    note: str | None = None

    @model_validator(mode="after")
    def _per_token_prices(self) -> OfferingFineTuning:
        per_token = self.serving.value == "per-token"
        if per_token and (self.input_per_1m is None or self.output_per_1m is None):
            raise ValueError("serving per-token needs input_per_1m and output_per_1m")
        if not per_token and (self.input_per_1m is not None or self.output_per_1m is not None):
            raise ValueError("input_per_1m and output_per_1m belong to serving per-token")
        for name in ("training_per_1m", "input_per_1m", "output_per_1m"):
            fig = getattr(self, name)
            if fig is not None and fig.value < 0:
                raise ValueError(f"{name} must not be negative")
        if not self.methods.value:
            raise ValueError("methods needs at least one of supervised, lora, full")
        return self


class Offering(_Entry):
    """An API product serving one model: buy (closed weights) or rent (open weights)."""

    id: str = Field(..., pattern=r"^[a-z0-9][a-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._:/@-]*$")
    model: str
    provider: str
    api_model_id: str
    terms: str | None = Field(None, description="Licence id of the provider's API terms.")
    released: Figure[dt.date] | None = Field(
        None, description="Date the provider started serving this offering."
    )
    context_tokens: Figure[int] | None = None
    prices: list[Price] = Field(default_factory=list)
    regions: Figure[list[str]] | None = None
    data: DataTerms | None = None
    sla: Figure[bool] | None = None
    latency: OfferingLatency | None = Field(
        None, description="Median latency and speed, checked against the latency targets."
    )
    lifecycle: Lifecycle | None = None
    note: str | None = None
    fine_tuning: OfferingFineTuning | None = Field(
        None,
        description="Whether and at what price the provider fine-tunes this model; unset:"
        " the catalog records no fine-tuning here.",
    )


class SeatPrice(_Entry):
    """A per-seat product's list price for one billing term, in USD per seat per month."""

    billing: Literal["monthly", "annual"] = Field(
        ...,
        description="monthly: month to month; annual: a one-year commitment, quoted per month.",
    )
    usd_per_seat_month: float = Field(..., gt=0, description="USD per seat per month.")
    source: str
    as_of: dt.date
    status: FigureStatus = "verified"
    note: str | None = None


class SeatProduct(_Entry):
    """A chat product for the organisation's own people, priced per seat (ChatGPT Business,
    Claude Team, ...): no token price; the seat gives access to a model family."""

    id: str = Field(..., pattern=r"^[a-z0-9][a-z0-9._-]*/[a-z0-9][a-z0-9._-]*$")
    name: str = Field(..., min_length=1, description="Product and plan, as the vendor names it.")
    provider: str = Field(..., min_length=1)
    model: Figure[str] | None = Field(
        None,
        description="Catalog model id of the model the seat gives (its quality stands for the"
        " product's); unset: no source names it, and the product is not weighed.",
    )
    prices: list[SeatPrice] = Field(
        default_factory=list,
        description="Published list prices (at most one per billing term); empty: no list"
        " price is published, and the questionnaire must give one in users.seat_prices.",
    )
    min_seats: Figure[int] | None = Field(None, description="Fewest seats the vendor sells.")
    context_tokens: Figure[int] | None = None
    regions: Figure[list[str]] | None = None
    data: DataTerms | None = None
    sla: Figure[bool] | None = None
    lifecycle: Lifecycle | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _one_price_per_term(self) -> SeatProduct:
        terms = [p.billing for p in self.prices]
        if len(terms) != len(set(terms)):
            raise ValueError("prices: at most one price per billing term (monthly, annual)")
        if self.min_seats is not None and self.min_seats.value < 1:
            raise ValueError("min_seats must be at least 1")
        return self


class GpuPrice(_Entry):
    """Hourly price of one GPU on one cloud at one commitment."""

    cloud: str
    commitment: Literal["on-demand", "reserved-1y", "reserved-3y", "owned", "spot"] = Field(
        ...,
        description="How the hour is bought; spot: preemptible capacity the cloud can"
        " reclaim (used only for the batchable share when load.spot_acceptable, see"
        " makebuy.spot).",
    )
    usd_per_gpu_hour: float = Field(..., gt=0)
    instance: str | None = None
    gpus_per_instance: int | None = Field(
        None,
        gt=0,
        description="GPUs in the instance shape the price was read for; unset: a per-GPU"
        " price with no shape (a single-GPU instance or a per-GPU rental).",
    )
    region: str | None = None
    source: str
    as_of: dt.date
    status: FigureStatus = "verified"
    note: str | None = None


class Gpu(_Entry):
    """An accelerator: what it holds, how fast it moves bytes and does maths, what it costs."""

    id: str = Field(..., pattern=r"^[a-z0-9][a-z0-9._-]*$")
    name: str
    memory_gb: Figure[float]
    bandwidth_gb_s: Figure[float]
    bf16_dense_tflops: Figure[float]
    fp8_dense_tflops: Figure[float] | None = None
    prices: list[GpuPrice] = Field(default_factory=list)
    note: str | None = None

    @model_validator(mode="after")
    def _positive_figures(self) -> Gpu:
        for name in ("memory_gb", "bandwidth_gb_s", "bf16_dense_tflops", "fp8_dense_tflops"):
            fig = getattr(self, name)
            if fig is not None and fig.value <= 0:
                raise ValueError(f"{name} must be above 0")
        return self


class Server(_Entry):
    """A GPU server an organisation can buy and run itself (`gpu_commitment: owned`)."""

    id: str = Field(..., pattern=r"^[a-z0-9][a-z0-9._-]*$")
    name: str = Field(..., min_length=1, description="How reports name the server.")
    gpu: str = Field(..., description="GPU id of its accelerators.")
    gpus: int = Field(..., gt=0, description="GPUs in one server.")
    power_kw: Figure[float] = Field(
        ..., description="Maximum system power, kW (the vendor's datasheet figure)."
    )
    price_usd: Figure[float] | None = Field(
        None,
        description="Purchase price of one server, USD; unset: the questionnaire's"
        " organisation.server_prices_usd must give it.",
    )
    note: str | None = None

    @model_validator(mode="after")
    def _positive_figures(self) -> Server:
        for name in ("power_kw", "price_usd"):
            fig = getattr(self, name)
            if fig is not None and fig.value <= 0:
                raise ValueError(f"{name} must be above 0")
        return self


class Facility(_Entry):
    """Defaults for running owned servers: the questionnaire's organisation may override
    each one."""

    pue: Figure[float] | None = Field(
        None, description="Power usage effectiveness: facility power over IT power (>= 1)."
    )
    electricity_usd_per_kwh: Figure[float] | None = Field(
        None, description="Electricity price, USD per kWh."
    )
    depreciation_years: Figure[float] | None = Field(
        None, description="Years over which a server's purchase price is depreciated."
    )
    note: str | None = None

    @model_validator(mode="after")
    def _plausible(self) -> Facility:
        if self.pue is not None and not 1.0 <= self.pue.value <= 3.0:
            raise ValueError("pue must lie between 1 and 3")
        for name in ("electricity_usd_per_kwh", "depreciation_years"):
            fig = getattr(self, name)
            if fig is not None and fig.value <= 0:
                raise ValueError(f"{name} must be above 0")
        return self


class Evidence(_Entry):
    """One benchmark result for one model."""

    model: str
    benchmark: str
    value: float
    ci95: float | None = None
    votes: int | None = None
    source: str
    as_of: dt.date
    status: FigureStatus = "verified"
    note: str | None = None


class Throughput(_Entry):
    """One published serving measurement: output tokens/s of one GPU group at one load.

    Where a measurement matches a configuration the cost model sizes (model, GPU, GPU
    count, precision and concurrent requests), it replaces the roofline estimate.
    """

    id: str = Field(..., pattern=r"^[a-z0-9][a-z0-9._-]*$")
    models: list[str] = Field(
        ..., min_length=1, description="Model ids it applies to (the same weights shape)."
    )
    gpu: str = Field(..., description="GPU id.")
    gpus: int = Field(..., gt=0, description="GPUs in the group (tensor-parallel size).")
    precision: CheckpointPrecision
    concurrency: int | None = Field(
        None, gt=0, description="Concurrent requests (batch); null: the engine's maximum."
    )
    input_tokens: int | None = Field(None, gt=0, description="Prompt tokens per request.")
    output_tokens: int | None = Field(None, gt=0, description="Generated tokens per request.")
    output_tokens_per_s: float = Field(
        ..., gt=0, description="Generated tokens per second of the whole group."
    )
    ms_per_output_token: float | None = Field(
        None, gt=0, description="Time between output tokens of one request (median), ms."
    )
    engine: str = Field(..., description="Serving engine and version.")
    source: str
    as_of: dt.date
    status: FigureStatus = "verified"
    note: str | None = None


class BenchmarkScale(_Entry):
    """How one benchmark maps onto the 0..100 quality scale."""

    name: str
    points: list[tuple[float, float]] = Field(..., min_length=2)
    source: str | None = None
    tasks: list[TaskKind] = Field(
        default_factory=list,
        description="Task kinds (the questionnaire's task.kind) this benchmark measures;"
        " empty: a general benchmark, read for every task kind without its own evidence.",
    )
    note: str | None = None

    @model_validator(mode="after")
    def _increasing(self) -> BenchmarkScale:
        xs = [p[0] for p in self.points]
        if xs != sorted(xs) or len(set(xs)) != len(xs):
            raise ValueError("anchor points must have strictly increasing benchmark values")
        return self


class QualityScale(_Entry):
    """One 0..100 quality scale shared by the gate and the capability criterion."""

    description: str
    tiers: dict[Literal["low", "medium", "high", "frontier"], float] = Field(
        description="Minimum scale value of each tier; all four are required."
    )
    tier_gaps: dict[Literal["medium", "high", "frontier"], float] | None = Field(
        None,
        description="Relative tiers: each tier starts this many scale points below the best"
        " quality among the models available on the evaluation date (for the task kind"
        " assessed); absent: `tiers` are absolute. `low` always starts at 0.",
    )
    benchmarks: dict[str, BenchmarkScale]
    precedence: list[str] = Field(
        description="Benchmarks in order of precedence; a task kind's own benchmarks are"
        " read in this order before the general ones."
    )
    note: str | None = None

    @model_validator(mode="after")
    def _every_tier(self) -> QualityScale:
        missing = {"low", "medium", "high", "frontier"} - set(self.tiers)
        if missing:
            raise ValueError(
                f"tiers needs low, medium, high and frontier; missing {sorted(missing)}"
            )
        if self.tier_gaps is not None:
            gaps = self.tier_gaps
            if set(gaps) != {"medium", "high", "frontier"}:
                raise ValueError("tier_gaps needs medium, high and frontier")
            if not gaps["medium"] > gaps["high"] > gaps["frontier"] >= 0:
                raise ValueError("tier_gaps must shrink from medium to high to frontier")
        return self


class CatalogFile(_Entry):
    """One catalog file as written."""

    makebuy_catalog: Literal[1] = Field(..., alias="makebuy-catalog")
    sources: list[Source] = Field(default_factory=list)
    licences: list[Licence] = Field(default_factory=list)
    models: list[Model] = Field(default_factory=list)
    offerings: list[Offering] = Field(default_factory=list)
    gpus: list[Gpu] = Field(default_factory=list)
    evidence: list[Evidence] = Field(default_factory=list)
    throughput: list[Throughput] = Field(
        default_factory=list, description="Published serving measurements."
    )
    quality_scale: QualityScale | None = None
    seats: list[SeatProduct] = Field(
        default_factory=list, description="Per-seat products (see docs/catalog-format.md)."
    )
    servers: list[Server] = Field(
        default_factory=list, description="GPU servers to buy (gpu_commitment: owned)."
    )
    facility: Facility | None = Field(
        None, description="Defaults for running owned servers (PUE, electricity, depreciation)."
    )


class Catalog(BaseModel):
    """The merged catalog: every entry by id, after overrides."""

    model_config = ConfigDict(frozen=True)

    sources: dict[str, Source]
    licences: dict[str, Licence]
    models: dict[str, Model]
    offerings: dict[str, Offering]
    gpus: dict[str, Gpu]
    evidence: dict[tuple[str, str], Evidence]
    quality_scale: QualityScale
    throughput: dict[str, Throughput] = Field(
        default_factory=dict, description="Published serving measurements by id."
    )
    seats: dict[str, SeatProduct] = Field(
        default_factory=dict, description="Per-seat products by id."
    )
    servers: dict[str, Server] = Field(
        default_factory=dict, description="GPU servers to buy, by id (gpu_commitment: owned)."
    )
    facility: Facility | None = Field(
        None, description="Defaults for running owned servers (the last file's wins)."
    )
    files: list[str] = Field(description="Files read, in order (built-in ones as builtin:NAME).")
    fingerprint: str = Field(description="sha256 of the merged catalog's canonical JSON.")
    as_of: dt.date = Field(description="Newest as-of date of any figure in the catalog.")

    def canonical(self) -> dict[str, Any]:
        """The merged content, in a stable order, for fingerprints and `catalog show`, without
        the `LATER_KEYS` left at their defaults."""
        unused = _unused_later_keys(self)
        return {
            name: _canonical(getattr(self, name))
            for name in type(self).model_fields
            if name not in unused and name not in ("files", "fingerprint", "as_of")
        }


LATER_KEYS: dict[type[BaseModel], tuple[str, ...]] = {
    Architecture: ("recurrent_state_bytes",),
    Price: ("discounts",),
    Offering: ("fine_tuning",),
    Catalog: ("seats", "servers", "facility"),
}
"""Catalog keys added after the first catalogs, by the entry type that holds them: each is
left out of the canonical form (so of the fingerprint) while it holds its default, so a
catalog that does not use them keeps the fingerprint it had before they existed."""


def _unused_later_keys(entry: BaseModel) -> set[str]:
    later = LATER_KEYS.get(type(entry), ())
    fields = type(entry).model_fields if later else {}
    return {
        name
        for name in later
        if getattr(entry, name) == fields[name].get_default(call_default_factory=True)
    }


@functools.cache
def _fields_holding_later_keys(cls: type[BaseModel]) -> frozenset[str]:
    """Fields of `cls` whose type nests an entry type of `LATER_KEYS`."""

    def holds(annotation: Any) -> bool:
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            return annotation in LATER_KEYS or bool(_fields_holding_later_keys(annotation))
        return any(holds(arg) for arg in get_args(annotation))

    return frozenset(name for name, f in cls.model_fields.items() if holds(f.annotation))


def _exclude(entry: BaseModel) -> dict[Any, Any]:
    """pydantic `exclude` for the unused `LATER_KEYS` of an entry and the entries in it."""
    spec: dict[Any, Any] = dict.fromkeys(_unused_later_keys(entry), True)
    for name in _fields_holding_later_keys(type(entry)) - spec.keys():
        value = getattr(entry, name)
        if isinstance(value, BaseModel):
            if inner := _exclude(value):
                spec[name] = inner
        elif isinstance(value, list | dict):
            items = value.items() if isinstance(value, dict) else enumerate(value)
            if inner := {k: e for k, v in items if isinstance(v, BaseModel) and (e := _exclude(v))}:
                spec[name] = inner
    return spec


def _canonical(section: Any) -> Any:
    """A section as JSON: entries sorted by key, without their unused `LATER_KEYS`."""
    if isinstance(section, dict):
        return [_canonical(section[key]) for key in sorted(section)]
    return section.model_dump(mode="json", exclude=_exclude(section))
