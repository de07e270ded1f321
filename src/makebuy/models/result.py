"""What the pipeline produces: the data contract behind every report format.

The JSON renderer dumps `Assessment` as it is, so these field names are the JSON contract.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal, get_args

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from makebuy.models.methods import Method

OptionKind = Literal["buy", "rent", "make", "hybrid", "seat"]
OPTION_KINDS: tuple[OptionKind, ...] = get_args(OptionKind)
"""The option kinds, in report order."""
CRITERIA: tuple[str, ...] = (
    "cost",
    "capability",
    "data_control",
    "customisation",
    "vendor_independence",
    "operational_simplicity",
    "support_and_safety",
)
CRITERION_LABELS: dict[str, str] = {
    "cost": "total cost",
    "capability": "capability (0-100 quality scale)",
    "data_control": "data control",
    "customisation": "customisation",
    "vendor_independence": "vendor independence",
    "operational_simplicity": "operational simplicity",
    "support_and_safety": "support and safety",
}
"""How rationale lines and decision records name each criterion."""
CRITERION_SHORT_LABELS: dict[str, str] = {
    **CRITERION_LABELS,
    "cost": "cost",
    "capability": "capability",
}
"""How charts and table headers name each criterion, where the long label does not fit."""
SCHEMA_VERSION = 1


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Assumption(_Frozen):
    """A figure the report uses that the questionnaire did not give."""

    field: str = Field(description="Questionnaire key or cost-model parameter it stands for.")
    value: str = Field(description="The value used, as shown to the reader.")
    origin: Literal["default", "derived", "estimate", "catalog", "config"] = Field(
        description="default: the questionnaire left it out; derived: computed from other"
        " answers; estimate: a cost-model parameter without a catalog source; catalog: a"
        " warning of `catalog validate` on a user's catalog file (a stale figure); config:"
        " the questionnaire left it out and the organisation's config file or a MAKEBUY_*"
        " variable gave it (the reason names which)."
    )
    reason: str = Field(description="Why this value, in one sentence.")


class KeyAssumption(_Frozen):
    """An assumption that moved the outcome, and how (shown at the end of the table)."""

    field: str = Field(description="Questionnaire key or cost-model parameter it stands for.")
    value: str = Field(description="The value used, as shown to the reader.")
    origin: Literal["default", "derived", "estimate", "catalog"] = Field(
        description="As in `Assumption.origin`."
    )
    why: str = Field(
        description="How it moved the outcome: the options it ruled out, or the tipping"
        " point next to it."
    )


class Exclusion(_Frozen):
    """Why an option was ruled out."""

    code: str = Field(description="Stable code, e.g. licence.mau_cap or data.environment.")
    message: str = Field(description="One human sentence.")
    clause: str | None = Field(None, description="The licence clause, quoted, where one applies.")
    url: str | None = None


class Obligation(_Frozen):
    """A duty that does not exclude the option but comes with choosing it."""

    code: str
    message: str
    clause: str | None = None
    url: str | None = None


class Option(_Frozen):
    """One way to get a model: buy a proprietary API, rent a hosted open model, or make."""

    id: str = Field(description="kind:model-or-offering id, unique in one assessment.")
    kind: OptionKind
    model: str = Field(description="Model id (hybrid: the model serving the largest share).")
    model_name: str
    offering: str | None = Field(None, description="Offering id for buy and rent options.")
    provider: str = Field(description="API provider, or 'self-hosted'.")
    licence: str | None = Field(None, description="The model's licence id.")
    terms: str | None = Field(None, description="The provider's API terms id.")
    open_weights: bool
    quality: float | None = Field(None, description="Position on the catalog's 0-100 scale.")
    quality_evidence: str | None = Field(None, description="Benchmark the quality comes from.")
    context_tokens: int | None = None

    @property
    def title(self) -> str:
        """How reports name the option."""
        if self.kind == "make":
            return f"{self.model_name} (make: self-hosted)"
        if self.kind == "hybrid":
            return self.model_name
        return f"{self.model_name} ({self.kind}: {self.provider})"


class Migration(_Frozen):
    """A forced move to the provider's documented successor within the horizon.

    An offering that retires (or is deprecated) before the horizon ends, and whose
    provider names a successor that is itself eligible, stays an option: it is costed at
    its own price until `on` and at the successor's price after, plus a one-off migration
    effort."""

    on: dt.date = Field(description="Retirement date (deprecation date when none is known).")
    month: int = Field(description="Month of the horizon (0-based) the successor starts in.")
    successor: str = Field(description="Offering id of the successor.")
    successor_option: str = Field(description="Option id of the successor.")
    source: str = Field(description="Source id of the lifecycle that names the successor.")


class GateResult(_Frozen):
    """The gate's verdict on one option."""

    option: Option
    exclusions: list[Exclusion] = Field(default_factory=list)
    obligations: list[Obligation] = Field(default_factory=list)
    migration: Migration | None = Field(
        None, description="The move to a successor the horizon forces, when one is costed."
    )

    @property
    def eligible(self) -> bool:
        return not self.exclusions


class CostLine(_Frozen):
    """One component of an option's total cost."""

    item: str = Field(description="e.g. tokens, gpus, operations, fine_tuning.")
    total: float = Field(description="Over the horizon, in the report currency.")
    detail: str = Field(description="How it was computed, with the figures used.")
    fixed: bool = Field(
        False,
        description="True when the line does not grow with volume (staff, fine-tuning);"
        " break-even and the volume tipping points hold these fixed and scale the rest.",
    )


class Cost(_Frozen):
    """Total cost of ownership of one option over the horizon."""

    model_config = ConfigDict(frozen=True, serialize_by_alias=True)

    currency: str
    total: float = Field(description="Over the horizon, in the report currency.")
    monthly: list[float] = Field(description="One figure per month of the horizon.")
    per_million_tokens: float = Field(description="Total cost per 1M tokens (input + output).")
    breakdown: list[CostLine]
    input_per_1m_usd: float | None = Field(
        None,
        description="USD per 1M input tokens: the API price used; for make, the total cost"
        " over the horizon times the share of GPU time spent on prompts, per 1M input tokens;"
        " for hybrid, the share-weighted legs.",
    )
    output_per_1m_usd: float | None = Field(
        None,
        description="USD per 1M output tokens: the API price used; for make, the rest of the"
        " total cost per 1M output tokens; for hybrid, the share-weighted legs.",
    )
    price_source: str | None = Field(None, description="Source id of the API price used.")
    price_as_of: dt.date | None = None
    gpu: str | None = Field(None, description="GPU id a make option runs on.")
    gpus_per_replica: int | None = None
    replicas_peak: int | None = Field(None, description="Replicas at the horizon's peak.")
    # Named as the catalog names it (GpuPrice.usd_per_gpu_hour). The JSON key stays
    # gpu_hour_usd until the next SCHEMA_VERSION renames it; saved JSON loads with either.
    usd_per_gpu_hour: float | None = Field(
        None,
        validation_alias=AliasChoices("gpu_hour_usd", "usd_per_gpu_hour"),
        serialization_alias="gpu_hour_usd",
    )
    utilisation: float | None = Field(
        None,
        description="Make: average share of provisioned replica capacity the traffic uses"
        " over the horizon, 0..1.",
    )
    throughput_basis: Literal["measured", "estimated"] | None = Field(
        None,
        description="Make: whether serving speed came from a published measurement in the"
        " catalog or from the roofline estimate.",
    )
    throughput_source: str | None = Field(
        None, description="Source id of the measurement used, when measured."
    )
    instance: str | None = Field(
        None,
        description="Make: the instance shape one replica runs on, e.g. `g5.12xlarge (4 x"
        " nvidia-a10g)`, or `per-GPU rental`.",
    )
    precision: str | None = Field(None, description="Make: the precision the weights are in.")
    time_to_first_token_ms: float | None = Field(
        None,
        description="Time to the first token of one answer, ms: make, the roofline's prefill"
        " of one prompt; buy and rent, the catalog's latency figure (null: none).",
    )
    output_tokens_per_s: float | None = Field(
        None,
        description="Generation speed of one answer, output tokens/s: make, at the batch"
        " size chosen; buy and rent, the catalog's figure (null: none).",
    )
    latency_source: str | None = Field(
        None,
        description="Where the latency figures come from: `roofline`, `measured`, or the"
        " source id of the offering's catalog latency figure; null: the catalog has none.",
    )
    # Make on spot capacity: the two catalog prices behind a blended usd_per_gpu_hour, so
    # the report's sources cite both rows. Kept out of the JSON (the breakdown says them).
    spot_usd_per_gpu_hour: float | None = Field(None, exclude=True)
    commitment_usd_per_gpu_hour: float | None = Field(None, exclude=True)

    def line_total(self, *items: str) -> float:
        """The breakdown's lines named `items`, added up over the horizon."""
        return sum(line.total for line in self.breakdown if line.item in items)

    @property
    def monthly_average(self) -> float:
        """The total spread evenly over the horizon's months (the cost per month that
        summaries and `--fail-above AMOUNT/month` read)."""
        return self.total / len(self.monthly) if self.monthly else self.total


class CriterionScore(_Frozen):
    """One criterion of one option, from raw value to contribution."""

    raw: float = Field(description="The value before normalisation, in the criterion's unit.")
    unit: str
    normalised: float = Field(
        description="Weighted sum: 0..1, 1 best. TOPSIS: the vector-normalised raw value"
        " (lower is better for cost)."
    )
    weight: float = Field(description="Priority divided by the sum of priorities.")
    contribution: float = Field(description="weight x normalised (weighted sum).")


class HybridLeg(_Frozen):
    """One share of traffic in a hybrid option, and the option that serves it."""

    complexity: Literal["low", "medium", "high"]
    share: float = Field(description="Share of requests, 0..1.")
    option: str = Field(description="Id of the buy, rent or make option serving this share.")


class CostPoint(_Frozen):
    """Monthly cost of options at one volume (for cost-versus-volume charts)."""

    requests_per_month: float
    monthly_cost: dict[str, float] = Field(
        description="Option id -> average monthly cost at this volume, report currency."
    )


class BreakEven(_Frozen):
    """Where a make option's cost crosses another option's as volume grows."""

    make: str = Field(
        description="The make option id (or a seat option id: a flat seat bill against an API)."
    )
    versus: str = Field(description="The buy or rent option id it is compared with.")
    requests_per_month: float | None = Field(
        description="Volume at which the costs cross; null when they never cross."
    )
    tokens_per_month: float | None = None
    statement: str = Field(description="One plain sentence, e.g. when they never cross.")
    series: list[CostPoint] = Field(default_factory=list)


class Payback(_Frozen):
    """How soon an owned make option's servers pay for themselves against one API."""

    make: str = Field(description="The make option id (gpu_commitment: owned).")
    versus: str = Field(description="The buy or rent option id it is compared with.")
    capital: float = Field(
        description="Purchase price of every server bought over the horizon, report currency."
    )
    months: int | None = Field(
        description="Month (1 = the first) in which the savings against the API so far cover"
        " the servers bought so far; null: not within the horizon."
    )
    statement: str = Field(description="One plain sentence.")


class OptionResult(_Frozen):
    """Everything one option went through."""

    id: str = Field(description="kind:model-or-offering id, unique in one assessment.")
    model: str = Field(description="Catalog model id (hybrid: the model of the largest share).")
    model_name: str = Field(description="The model's display name.")
    kind: OptionKind = Field(description="buy, rent, make, hybrid or seat.")
    provider: str = Field(description="API provider id, or 'self-hosted'.")
    offering: str | None = Field(description="Catalog offering id (buy and rent), else null.")
    licence: str | None = Field(description="The model's licence id, where the catalog has one.")
    terms: str | None = Field(description="The provider's API terms id (buy and rent).")
    title: str = Field(description="How reports name the option.")
    status: Literal["eligible", "excluded"] = Field(
        description="excluded when the gate or the cost stage ruled it out."
    )
    exclusions: list[Exclusion] = Field(description="Why it was ruled out, in rule order.")
    obligations: list[Obligation] = Field(description="Duties that come with choosing it.")
    quality: float | None = Field(description="Position on the catalog's 0-100 quality scale.")
    quality_evidence: str | None = Field(
        None,
        description="What the quality rests on: the benchmark read for the task kind, the"
        " general scale it fell back to, or your own eval.",
    )
    cost: Cost | None = Field(description="Total cost of ownership; null when excluded.")
    criteria: dict[str, CriterionScore] = Field(
        description="Criterion name -> its raw value, normalised value and contribution;"
        " empty when excluded."
    )
    score: float | None = Field(description="Overall score; null when excluded.")
    rank: int | None = Field(description="1 = recommended; null when excluded.")
    rank_note: str | None = Field(
        None,
        description="Why the ranking rule moved this option below a cheaper, more capable"
        " one, or which priority let it stand above one; null when the rule did not apply.",
    )
    legs: list[HybridLeg] = Field(
        default_factory=list, description="For hybrid options: which option serves which share."
    )

    def figure(self, criterion: str) -> str:
        """The raw value on one criterion as a sentence quotes it ($12,509; 63; 0.80)."""
        from makebuy.money import money

        c = self.criteria[criterion]
        if criterion == "cost" and self.cost is not None:
            return money(self.cost.total, self.cost.currency)
        if criterion == "capability":
            return f"{c.raw:g}"
        return f"{c.raw:.2f}"


class Recommendation(_Frozen):
    """The decision and why."""

    option: str | None = Field(description="Winning option id; null when all were ruled out.")
    runner_up: str | None
    alternative: str | None = Field(
        description="Best option of the other kind: the best make when buy wins, and the"
        " other way round."
    )
    rationale: list[str]


class SourceRef(_Frozen):
    """A source a report cites."""

    id: str = Field(description="Catalog source id.")
    title: str = Field(description="The source's title.")
    url: str = Field(description="Where the source can be read.")
    as_of: dt.date = Field(description="Newest as-of date of the figures used from it.")
    status: Literal["verified", "secondary", "unverified"] = Field(
        "verified",
        description="Weakest status of those figures: verified (read in the primary"
        " source), secondary (a third-party copy) or unverified (not confirmed).",
    )


class UseCaseRef(_Frozen):
    """Which questionnaire was assessed."""

    name: str = Field(description="The questionnaire's name.")
    description: str = Field(description="The questionnaire's description.")
    owner: str | None = Field(description="The owning team, where given.")
    path: str = Field(description="The questionnaire file as given on the command line.")
    digest: str = Field(description="sha256 of the normalised questionnaire.")


class CatalogRef(_Frozen):
    """Which catalog the assessment read."""

    fingerprint: str = Field(description="sha256 over the merged catalog's content.")
    as_of: dt.date = Field(description="Newest as-of date of any figure in the catalog.")
    files: list[str] = Field(description="The catalog files read, built-in ones first.")


class Summary(_Frozen):
    """Counts behind the one-line summary."""

    options: int = Field(description="Options considered, hybrids included.")
    eligible: int = Field(description="Options scored.")
    excluded: int = Field(description="Every ruled-out option, the unpriced ones included.")
    by_code: dict[str, int] = Field(description="Excluded options by their first exclusion code.")
    unpriced: int = Field(description="Options ruled out only because they lacked a price.")
    line: str = Field(description="The one-line summary shown at the end of every report.")


class MethodCheck(_Frozen):
    """The winner under the other scoring method."""

    method: Method = Field(description="The method not used for the ranking.")
    winner: str = Field(description="Option id it recommends.")
    agrees: bool = Field(description="Whether it recommends the same option.")


class PriorityTip(_Frozen):
    """How far one priority may move before the winner changes (whole steps, 0-5)."""

    criterion: str
    priority: int = Field(description="The questionnaire's priority (or its default).")
    lower: int | None = Field(description="Nearest lower priority that changes the winner.")
    lower_winner: str | None = Field(description="The winner at `lower`.")
    higher: int | None = Field(description="Nearest higher priority that changes the winner.")
    higher_winner: str | None = Field(description="The winner at `higher`.")


class PriceTip(_Frozen):
    """The price multiplier at which the winner changes."""

    what: Literal["api_price", "gpu_price"] = Field(
        description="api_price: every buy and rent price times `factor` (a cut, 0.01-1);"
        " gpu_price: every GPU hourly price times `factor` (a rise, 1-100)."
    )
    factor: float | None = Field(description="The multiplier; null when none in range.")
    winner: str | None = Field(description="The winner at that multiplier.")


class VolumeTip(_Frozen):
    """A monthly volume at which the winner changes."""

    requests_per_month: float
    factor: float = Field(description="The volume as a multiple of today's.")
    below: str = Field(description="The winner just below this volume.")
    above: str = Field(description="The winner from this volume.")


class InputRange(_Frozen):
    """One uncertain input as it was sampled (triangular: low, likely, high)."""

    input: str = Field(description="The questionnaire key under `uncertainty`.")
    low: float
    likely: float
    high: float
    basis: str = Field(
        description="Where the range came from: the questionnaire, or the"
        " catalog's price history (with the offerings it rests on)."
    )


class OptionCostRange(_Frozen):
    """An option's total cost over the sampled scenarios."""

    option: str
    p10: float = Field(description="10th percentile of total cost, report currency.")
    p50: float
    p90: float
    cheapest_share: float = Field(description="Share of scenarios in which it costs least.")


class CostUncertainty(_Frozen):
    """Total cost under the questionnaire's low / likely / high ranges."""

    scenarios: int
    seed: int
    inputs: list[InputRange]
    options: list[OptionCostRange] = Field(
        description="The ten best-ranked options and every option that is cheapest in some"
        " scenario, in rank order."
    )


class Robustness(_Frozen):
    """How far the inputs may move before the recommendation changes."""

    samples: int = Field(description="Weight samples drawn (SMAA-2).")
    seed: int = Field(description="Seed of the sampler: reports are byte-identical.")
    weight_spread: str = Field(description="How the samples move the stated priorities.")
    first_rank_acceptability: dict[str, float] = Field(
        description="Option id -> share of weight samples in which it wins (0..1), for every"
        " option that wins at least one, most first."
    )
    rank_acceptability: dict[str, list[float]] = Field(
        default_factory=dict,
        description="Option id -> share of weight samples in which it is placed first,"
        " second and third (ranking rule applied), for every option placed there at least"
        " once; best first.",
    )
    central_weights: dict[str, dict[str, float]] = Field(
        description="Option id -> mean criterion weights of the samples it wins."
    )
    verdict: str = Field(description="One sentence: how often the winner wins.")
    method_check: MethodCheck
    priority_tipping: list[PriorityTip]
    price_tipping: list[PriceTip]
    volume_tipping: list[VolumeTip] = Field(
        description="Volumes between 0.1x and 100x today's at which the winner changes."
    )
    cost_uncertainty: CostUncertainty | None = Field(
        None, description="P10 / P50 / P90 total cost; null without an `uncertainty` section."
    )
    statements: list[str] = Field(description="The findings as sentences, verdict first.")


class Assessment(_Frozen):
    """The result of `makebuy assess`."""

    schema_version: int = SCHEMA_VERSION
    usecase: UseCaseRef
    catalog: CatalogRef
    evaluated_on: dt.date = Field(
        description="Date prices and lifecycles are read at (default: the catalog's as-of)."
    )
    method: Method
    normalisation: str
    neutral_criteria: list[str] = Field(
        default_factory=list,
        description="Criteria on which every scored option ties: they did not move the ranking.",
    )
    currency: str
    options: list[OptionResult]
    recommendation: Recommendation
    assumptions: list[Assumption]
    key_assumptions: list[KeyAssumption] = Field(
        default_factory=list,
        description="The assumptions that moved the outcome (defaults that ruled options"
        " out, or that a tipping point lies next to), most options affected first.",
    )
    summary: Summary
    sources: list[SourceRef]
    break_even: list[BreakEven] = Field(
        default_factory=list,
        description="Cost crossings of the best make option with the best buy and rent.",
    )
    robustness: Robustness | None = Field(
        None,
        description="Weight sampling, method agreement and tipping points; null with fewer"
        " than two scored options.",
    )
    break_even_note: str | None = Field(
        None,
        description="Why there is no break-even to show: no make option, or no buy or rent"
        " option, survived the gate and costing.",
    )
    payback: list[Payback] | None = Field(
        None,
        exclude_if=lambda value: value is None,
        description="gpu_commitment owned: months until each owned make option's servers are"
        " paid back by its savings against each buy and rent option; absent otherwise.",
    )
