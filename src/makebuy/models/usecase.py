"""The questionnaire: one AI use case, one file. Field descriptions are the documentation.

The models mirror ``spec/usecase.yaml`` key for key; `makebuy schema usecase` prints their
JSON Schema so editors can validate questionnaires as they are typed.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

TaskKind = Literal[
    "chat",
    "summarisation",
    "extraction",
    "classification",
    "code",
    "rag",
    "agent",
    "translation",
    "other",
]
INTERACTIVE_KINDS: frozenset[str] = frozenset({"chat", "code", "rag", "agent", "translation"})
"""Task kinds a person usually waits on; the others (summarisation, extraction,
classification, other) are taken as batch work when latency targets are defaulted."""
Complexity = Literal["low", "medium", "high"]
QualityTier = Literal["low", "medium", "high", "frontier"]
Modality = Literal["text", "image", "audio"]
Cloud = Literal["aws", "azure", "gcp", "on-prem", "any"]
Commitment = Literal["on-demand", "reserved-1y", "reserved-3y", "owned"]
Priority = Annotated[int, Field(ge=0, le=5)]

MAX_REQUESTS_PER_MONTH = 1e13
"""Ten trillion requests a month (about 4 million a second): above any service on earth,
low enough that costs over ten years of 1,000 % growth stay finite."""
MIN_REQUESTS_PER_MONTH = 1e-3
"""A thousandth of a request a month: any real use case is above it, and a volume this
small times the fewest tokens a request still costs a representable amount (a denormal
such as 5e-324 made per-token prices divide by zero)."""
MAX_TOKENS_PER_REQUEST = 10_000_000
"""Ten million tokens in one prompt or one answer (the largest context windows)."""
MAX_CONTEXT_TOKENS = 100_000_000
"""A hundred million tokens: ten times the largest context in any catalog today."""
MAX_PEAK_REQUESTS_PER_SECOND = 1e8
"""A hundred million requests a second: above any service on earth."""
RegionCode = Annotated[str, Field(pattern=r"^[a-z]{2,8}$")]
LanguageCode = Annotated[str, Field(pattern=r"^[a-z]{2}$")]


class _Section(BaseModel):
    """A questionnaire section: frozen, and unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class ComplexityMix(_Section):
    """Share of requests by complexity; the shares sum to 1 and enable hybrid routing."""

    low: float = Field(0.0, ge=0, le=1, description="Share of low-complexity requests.")
    medium: float = Field(0.0, ge=0, le=1, description="Share of medium-complexity requests.")
    high: float = Field(0.0, ge=0, le=1, description="Share of high-complexity requests.")

    @model_validator(mode="after")
    def _sums_to_one(self) -> ComplexityMix:
        total = self.low + self.medium + self.high
        if not math.isclose(total, 1.0, abs_tol=1e-6):
            raise ValueError(f"the shares must sum to 1, they sum to {total:g}")
        return self


class Task(_Section):
    """What the model is asked to do."""

    kind: TaskKind = Field(
        "chat",
        description="chat | summarisation | extraction | classification | code | rag | agent"
        " | translation | other",
    )
    complexity: Complexity = Field(
        "medium",
        description="low | medium | high: how much multi-step reasoning a typical request needs.",
    )
    mix: ComplexityMix | None = Field(
        None,
        description="Optional share of requests by complexity (sums to 1); enables hybrid routing.",
    )
    context_tokens: int | None = Field(
        None,
        gt=0,
        le=MAX_CONTEXT_TOKENS,
        description="Longest prompt + answer one request needs, in tokens"
        " (default: input + output tokens per request; at most 100,000,000).",
    )
    languages: list[LanguageCode] = Field(
        default_factory=lambda: ["en"], description="ISO 639-1 codes of the languages served."
    )
    modalities: list[Modality] = Field(
        default_factory=lambda: list[Modality](["text"]),
        description="Input modalities: text | image | audio.",
    )


class Volume(_Section):
    """How much traffic the use case brings, and how it grows."""

    requests_per_month: float = Field(
        ...,
        ge=MIN_REQUESTS_PER_MONTH,
        le=MAX_REQUESTS_PER_MONTH,
        description="Requests per month today (0.001 to 1e13).",
    )
    input_tokens_per_request: int = Field(
        ...,
        gt=0,
        le=MAX_TOKENS_PER_REQUEST,
        description="Average prompt tokens (at most 10,000,000).",
    )
    output_tokens_per_request: int = Field(
        ...,
        gt=0,
        le=MAX_TOKENS_PER_REQUEST,
        description="Average completion tokens (at most 10,000,000).",
    )
    peak_requests_per_second: float | None = Field(
        None,
        gt=0,
        le=MAX_PEAK_REQUESTS_PER_SECOND,
        description="Peak request rate; sizes self-hosted capacity"
        " (default: 3x the monthly average rate; at most 1e8).",
    )
    growth_per_year: float = Field(
        0.0, gt=-1, le=10, description="Volume growth per year: 0.5 = +50 % a year (at most 10)."
    )
    horizon_months: int = Field(
        36, ge=1, le=120, description="Period the total cost of ownership covers, in months."
    )

    @property
    def tokens_per_request(self) -> int:
        """Input plus output tokens of one request."""
        return self.input_tokens_per_request + self.output_tokens_per_request


LoadShape = Literal["flat", "business_hours", "diurnal"]


class Load(_Section):
    """How traffic spreads over the week and which cheaper ways of buying it fit (all
    optional; absent, every request is served as it comes at list prices, around the clock)."""

    load_shape: LoadShape = Field(
        "flat",
        description="flat | business_hours | diurnal. flat: the peak rate all week (self-hosted"
        " replicas run around the clock). business_hours: the peak rate for"
        " `peak_hours_per_day` hours on each of 5 weekdays, `off_peak_share` of it the rest of"
        " the week. diurnal: every day follows a cosine curve from `off_peak_share` of the"
        " peak at 02:00 to the peak at 14:00. Self-hosted replicas follow the curve hour by"
        " hour, down to a minimum (1, or 0 when every request is batchable).",
    )
    peak_hours_per_day: int = Field(
        10, ge=1, le=24, description="business_hours: hours a weekday at the peak rate."
    )
    off_peak_share: float = Field(
        0.1,
        ge=0,
        le=1,
        description="business_hours: the rate outside peak hours; diurnal: the lowest rate"
        " of the day; both as a share of the peak rate.",
    )
    batchable_share: float = Field(
        0.0,
        ge=0,
        le=1,
        description="Share of requests that can wait for a batch API or a batch job (hours);"
        " billed at the offering's batch prices where it has them. 1: a batch-only workload"
        " (self-hosted replicas may scale to zero off-peak).",
    )
    cacheable_input_share: float = Field(
        0.0,
        ge=0,
        le=1,
        description="Share of input tokens that are a repeated prefix (system prompt, shared"
        " documents), billed at the offering's cached-input price where it has one.",
    )
    spot_acceptable: bool = Field(
        False,
        description="Spot or preemptible GPU capacity is acceptable: the batchable share of"
        " self-hosted replica-hours runs on spot where the catalog holds a lower spot price"
        " for the same instance shape (spot capacity can be reclaimed, so requests a person"
        " waits on stay at gpu_commitment).",
    )


class Users(_Section):
    """Who uses the product or service this use case powers."""

    monthly_active_users: int | None = Field(
        None, ge=0, description="Monthly active users of the product (checked against MAU caps)."
    )
    external: bool = Field(True, description="Used by people outside the organisation.")
    seats: int | None = Field(
        None,
        ge=1,
        le=10_000_000,
        description="People in the organisation who would each get a seat of a per-seat"
        " product (ChatGPT Business, Claude Team, ...); stated, the catalog's seat products"
        " are weighed beside the APIs and self-hosting (internal chat use cases only).",
    )
    seat_prices: dict[str, Annotated[float, Field(gt=0, le=100_000)]] = Field(
        default_factory=dict,
        description="Your price in USD per seat per month (converted with usd_to like every"
        " catalog price), by seat product id (e.g. openai/chatgpt-enterprise: 45): a quote"
        " for a product without a published list price, or a negotiated one; it replaces"
        " the list price.",
    )


class Data(_Section):
    """What data the prompts carry and where it may go."""

    classification: Literal["public", "internal", "confidential", "regulated"] = Field(
        "internal", description="public | internal | confidential | regulated"
    )
    must_stay_in_environment: bool = Field(
        False,
        description="true: no third party may process prompts (rules out external APIs).",
    )
    regions: list[RegionCode] = Field(
        default_factory=list,
        description="Where processing may happen (us, eu, uk, …); [] = anywhere.",
    )
    zero_retention_required: bool = Field(
        False, description="Vendors must offer zero data retention."
    )


class Requirements(_Section):
    """What the decision must satisfy: these become gate rules."""

    commercial: bool = Field(True, description="Used in a commercial product or service.")
    min_quality: QualityTier | float = Field(
        "medium",
        description="low | medium | high | frontier, or a number on the catalog's 0-100"
        " quality scale.",
    )
    max_latency_p95_ms: int | None = Field(
        None, gt=0, description="95th-percentile latency target for one request, in ms."
    )
    max_time_to_first_token_ms: int | None = Field(
        None,
        gt=0,
        le=3_600_000,
        description="Longest wait for the first token of an answer, in ms (default from"
        " task.kind: 2,000 for interactive kinds, 30,000 for batch kinds).",
    )
    min_output_tokens_per_s: float | None = Field(
        None,
        gt=0,
        le=100_000,
        description="Slowest acceptable generation speed of one answer, output tokens per"
        " second (default from task.kind: 20 for interactive kinds, 5 for batch kinds).",
    )
    fine_tuning: Literal["none", "maybe", "planned"] = Field(
        "none", description="none | maybe | planned"
    )
    fine_tuning_method: Literal["lora", "full"] | None = Field(
        None,
        description="How a self-hosted model would be tuned: lora (a low-rank adapter; about"
        " 25% less training compute and a third of the memory, Hu et al. 2021) or full (every"
        " weight). Unset: lora, listed as an assumption when fine_tuning is planned or maybe."
        " API providers tune with their own method (the catalog says which).",
    )
    quantisation: list[Literal["fp8", "int8", "int4"]] = Field(
        default_factory=list,
        description="Lower precisions a self-hosted model may be quantised to where that is"
        " cheaper (fp8 | int8 | int4); its quality is then read from the published model's"
        " evidence, an assumption the report lists. []: only the precisions the model is"
        " published in.",
    )
    train_on_outputs: bool = Field(
        False, description="Outputs will be used to train or improve another model."
    )
    redistribute_weights: bool = Field(
        False, description="Model weights ship to customers or devices."
    )
    serve_model_to_third_parties: bool = Field(
        False, description="The model itself is offered to others as a hosted service."
    )
    uses: list[str] = Field(
        default_factory=list,
        description="Field-of-use tags, checked against acceptable-use policies.",
    )
    sla_required: bool = Field(
        False, description="A contractual uptime / support commitment is needed."
    )
    human_review: bool = Field(
        False, description="A person checks outputs before they take effect."
    )

    @field_validator("min_quality")
    @classmethod
    def _quality_on_scale(cls, value: QualityTier | float) -> QualityTier | float:
        if isinstance(value, float) and not 0 <= value <= 100:
            raise ValueError("a numeric quality must lie on the 0-100 scale")
        return value


class Platform(_Section):
    """An inference platform and team the organisation already runs, shared by use cases.

    With `exists: true` a self-hosted option is charged only the staff one more model
    needs on it (`fte_per_model`), plus its share of the platform's cost when
    `monthly_cost` (or `team_fte`) and `use_cases` say what that share is."""

    exists: bool = Field(
        False, description="An inference platform and its team run GPU models in production today."
    )
    monthly_cost: float | None = Field(
        None,
        ge=0,
        le=1e10,
        description="What the platform and its team cost a month, in `currency` (optional).",
    )
    team_fte: float | None = Field(
        None,
        ge=0,
        le=10000,
        description="Engineers on the platform team; with no monthly_cost, the team's cost"
        " (team_fte x engineer_cost_per_year / 12) is the platform's cost (optional).",
    )
    use_cases: int | None = Field(
        None,
        ge=1,
        le=100000,
        description="Use cases that share the platform, this one included; each is charged"
        " monthly_cost / use_cases (optional: no share is charged without it).",
    )
    fte_per_model: float | None = Field(
        None,
        ge=0,
        le=100,
        description="Engineers one more model needs on the platform (deploy, evaluate, upgrade,"
        " on-call share); default 0.1, an assumption the report lists.",
    )

    @model_validator(mode="after")
    def _figures_need_a_platform(self) -> Platform:
        given = [
            k
            for k in ("monthly_cost", "team_fte", "use_cases", "fte_per_model")
            if getattr(self, k) is not None
        ]
        if given and not self.exists:
            raise ValueError(f"{given[0]} is given but exists is false; set exists: true")
        return self


class Organisation(_Section):
    """What the organisation can run, and what its people cost."""

    mlops_team: bool = Field(
        False, description="People who can run GPU inference in production today."
    )
    engineer_cost_per_year: float = Field(
        180000.0,
        gt=0,
        le=1e12,
        description="Fully loaded cost of one engineer per year, in `currency` (at most 1e12).",
    )
    cloud: Cloud = Field(
        "any", description="aws | azure | gcp | on-prem | any: where self-hosted GPUs would run."
    )
    gpu_commitment: Commitment = Field(
        "on-demand", description="on-demand | reserved-1y | reserved-3y | owned"
    )
    domicile: RegionCode | None = Field(
        None,
        description="Region of the organisation's principal place of business (eu, us, …);"
        " checked against licences' regional restrictions. Added by makebuy.",
    )
    currency: str = Field(
        "USD", pattern=r"^[A-Z]{3}$", description="ISO 4217 currency of the report."
    )
    usd_to: float = Field(
        1.0, gt=0, le=1e6, description="Exchange rate from USD into `currency` (at most 1e6)."
    )
    server_prices_usd: dict[str, Annotated[float, Field(gt=0)]] | None = Field(
        None,
        description="gpu_commitment owned: purchase price in USD of each server you would buy,"
        " by catalog server id (e.g. {nvidia-dgx-h100: 300000}); replaces the catalog's price."
        " A server with no price from either is not used. Added by makebuy.",
    )
    electricity_usd_per_kwh: float | None = Field(
        None,
        gt=0,
        le=10,
        description="gpu_commitment owned: electricity price in USD per kWh (default: the"
        " catalog's facility figure, if it has one). Added by makebuy.",
    )
    pue: float | None = Field(
        None,
        ge=1,
        le=3,
        description="gpu_commitment owned: power usage effectiveness of your data centre,"
        " facility power over IT power (default: the catalog's industry average). Added by"
        " makebuy.",
    )
    depreciation_years: float | None = Field(
        None,
        gt=0,
        le=15,
        description="gpu_commitment owned: years over which a server's price is depreciated"
        " (default: the catalog's figure). Added by makebuy.",
    )
    platform: Platform | None = Field(
        None,
        description="An existing shared inference platform and team (optional); without it"
        " every self-hosted model is charged its own operations staff.",
    )

    @model_validator(mode="after")
    def _rate_for_other_currency(self) -> Organisation:
        if self.currency != "USD" and "usd_to" not in self.model_fields_set:
            raise ValueError(f"currency {self.currency} needs usd_to, the rate from USD")
        return self


class Priorities(_Section):
    """0 (ignore) .. 5 (critical); they become criterion weights."""

    cost: Priority = Field(3, description="Total cost of ownership over the horizon.")
    capability: Priority = Field(3, description="Quality on the catalog's scale.")
    data_control: Priority = Field(3, description="Where prompts go and how long they stay.")
    customisation: Priority = Field(3, description="Fine-tuning and adaptation freedom.")
    vendor_independence: Priority = Field(3, description="Freedom from one vendor's terms.")
    operational_simplicity: Priority = Field(3, description="How little you must operate.")
    support_and_safety: Priority = Field(3, description="Vendor support, SLAs, safety filters.")

    @model_validator(mode="after")
    def _something_matters(self) -> Priorities:
        if not any(self.model_dump().values()):
            raise ValueError("at least one priority must be above 0")
        return self


class Candidates(_Section):
    """Optional narrowing of the catalog."""

    include: list[str] = Field(
        default_factory=list, description="Only these model ids (empty: the whole catalog)."
    )
    exclude: list[str] = Field(default_factory=list, description="Never these model ids.")


class EvidenceFiles(_Section):
    """The organisation's own evaluation results (added by makebuy)."""

    file: str | None = Field(
        None,
        min_length=1,
        description="YAML or CSV file of your own eval results, relative to the questionnaire;"
        " its figures take precedence over the catalog's evidence (see the README).",
    )


class EvalResult(_Section):
    """One row of the user's eval file: one model's result on one of their evals."""

    model: str = Field(..., min_length=1, description="Catalog model id.")
    score: float | None = Field(
        None, ge=0, le=100, description="Result on the catalog's 0-100 quality scale."
    )
    benchmark: str | None = Field(
        None,
        min_length=1,
        description="Instead of `score`: a benchmark on the catalog's quality scale, whose"
        " anchors map `value` onto the scale.",
    )
    value: float | None = Field(None, description="The result on `benchmark`'s own scale.")
    eval: str = Field(..., min_length=1, description="Name of your eval (cited in the report).")
    date: dt.date = Field(..., description="Date the eval was run.")
    task: TaskKind | None = Field(
        None, description="Task kind it measures; empty: it counts for every task kind."
    )
    note: str | None = Field(None, description="One line of context.")

    @model_validator(mode="after")
    def _score_or_benchmark(self) -> EvalResult:
        has_bench = self.benchmark is not None or self.value is not None
        if self.score is None and not has_bench:
            raise ValueError("give either score (0-100) or benchmark and value")
        if self.score is not None and has_bench:
            raise ValueError("give either score or benchmark and value, not both")
        if has_bench and (self.benchmark is None or self.value is None):
            raise ValueError("benchmark and value go together")
        return self

    @property
    def label(self) -> str:
        """How the report cites it."""
        return f"your eval: {self.eval}, {self.date.isoformat()}"


class EvalsFile(_Section):
    """A YAML eval file: `evals:` followed by a list of results."""

    evals: list[EvalResult] = Field(..., description="One row per model and eval.")


class Estimate(_Section):
    """A figure you are unsure of: the lowest, the most likely and the highest value."""

    low: float = Field(..., description="The lowest value you expect.")
    likely: float = Field(..., description="The value you expect most.")
    high: float = Field(..., description="The highest value you expect.")

    @model_validator(mode="after")
    def _ordered(self) -> Estimate:
        if not self.low <= self.likely <= self.high:
            raise ValueError("needs low <= likely <= high")
        return self


class Uncertainty(_Section):
    """Ranges for the inputs you are unsure of; each turns into a triangular distribution
    (low, likely, high) and the report shows P10 / P50 / P90 total cost per option."""

    requests_per_month: Estimate | None = Field(
        None, description="Requests per month today (the peak moves with it)."
    )
    growth_per_year: Estimate | None = Field(
        None, description="Yearly volume growth, e.g. {low: 0, likely: 0.3, high: 1}."
    )
    gpu_price_factor: Estimate | None = Field(
        None, description="GPU hourly prices as a multiple of the catalog's, e.g. 0.8 / 1 / 1.5."
    )
    api_price_trend_per_year: Estimate | None = Field(
        None,
        description="Yearly change of API prices, e.g. {low: -0.5, likely: -0.2, high: 0};"
        " default: the decline observed in the catalog's own price history.",
    )
    utilisation: Estimate | None = Field(
        None,
        description="Share of the estimated serving capacity a self-hosted replica achieves,"
        " e.g. {low: 0.6, likely: 0.9, high: 1}.",
    )

    @model_validator(mode="after")
    def _in_range(self) -> Uncertainty:
        for name, lowest in (
            ("requests_per_month", MIN_REQUESTS_PER_MONTH),
            ("gpu_price_factor", 0.0),
            ("utilisation", 0.0),
            ("growth_per_year", -1.0),
            ("api_price_trend_per_year", -1.0),
        ):
            est = getattr(self, name)
            if est is not None and est.low <= lowest:
                raise ValueError(f"{name}.low must be above {lowest:g}")
        for name, highest in (
            ("requests_per_month", MAX_REQUESTS_PER_MONTH),
            ("growth_per_year", 10.0),
            ("gpu_price_factor", 1000.0),
            ("api_price_trend_per_year", 10.0),
        ):
            est = getattr(self, name)
            if est is not None and est.high > highest:
                raise ValueError(f"{name}.high must be at most {highest:g}")
        if self.utilisation is not None and self.utilisation.high > 1.5:
            raise ValueError("utilisation.high above 1.5 is not credible")
        return self

    @property
    def given(self) -> bool:
        return any(getattr(self, f) is not None for f in type(self).model_fields)


class UseCase(_Section):
    """One AI use case: the questionnaire `makebuy assess` reads."""

    makebuy: Literal[1] = Field(..., description="Questionnaire format version.")
    name: str = Field(..., min_length=1, description="Name of the use case.")
    description: str = Field("", description="What the use case does, in a sentence or two.")
    owner: str | None = Field(None, description="Team accountable for the decision.")
    task: Task = Field(default_factory=Task, description="What the model is asked to do.")
    volume: Volume = Field(..., description="How much traffic, and how it grows.")
    load: Load = Field(
        default_factory=Load,
        description="Load shape over the week, batchable and cacheable shares, spot capacity.",
    )
    users: Users = Field(default_factory=Users, description="Who uses the product.")
    data: Data = Field(default_factory=Data, description="What data prompts carry.")
    requirements: Requirements = Field(
        default_factory=Requirements,
        description="What the decision must satisfy.",
    )
    organisation: Organisation = Field(
        default_factory=Organisation,
        description="What the organisation can run.",
    )
    priorities: Priorities = Field(
        default_factory=Priorities,
        description="Criterion weights, 0..5.",
    )
    candidates: Candidates = Field(
        default_factory=Candidates,
        description="Optional narrowing of the catalog.",
    )
    evidence: EvidenceFiles = Field(
        default_factory=EvidenceFiles,
        description="Your own eval results, which take precedence over the catalog's evidence.",
    )
    uncertainty: Uncertainty = Field(
        default_factory=Uncertainty,
        description="Low / likely / high ranges for uncertain inputs: the report then shows"
        " P10 / P50 / P90 total cost and how often each option is the cheapest.",
    )

    @model_validator(mode="after")
    def _context_holds_a_request(self) -> UseCase:
        vol, ctx = self.volume, self.task.context_tokens
        need = vol.tokens_per_request
        if ctx is not None and ctx < need:
            raise ValueError(
                f"task.context_tokens ({ctx:,}) is smaller than one average request"
                f" (input + output = {need:,} tokens)"
            )
        return self
