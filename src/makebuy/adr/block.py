"""The `yaml makebuy` block: everything `makebuy check` needs from a record, in one place.

A record keeps what its decision rests on in exactly one fenced block whose info string
is `yaml makebuy`, under `### Confirmation`. makebuy only ever rewrites that block's
lines, so the rest of the record stays the team's own text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from makebuy.adr.document import AdrDocument, Fence
from makebuy.errors import InputError
from makebuy.gate import lifecycle_on
from makebuy.models.result import OptionKind

if TYPE_CHECKING:
    from makebuy.models.catalog import Catalog
    from makebuy.models.result import Assessment, OptionResult

BUILTIN = "builtin"
"""How the block names the built-in catalog in its `catalog` list."""


class _Block(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False
    )


class OptionFacts(_Block):
    """Catalog facts about one option that the decision rests on."""

    kind: OptionKind
    licence: str | None = Field(None, description="The model's licence id (open weights).")
    terms: str | None = Field(None, description="The provider's API terms id (buy, rent).")
    input_usd_per_1m: float | None = Field(
        None, alias="input-usd-per-1m", description="API price per 1M input tokens, USD."
    )
    output_usd_per_1m: float | None = Field(
        None, alias="output-usd-per-1m", description="API price per 1M output tokens, USD."
    )
    gpu: str | None = Field(None, description="GPU id a make option runs on.")
    usd_per_gpu_hour: float | None = Field(
        None, alias="gpu-usd-per-hour", description="GPU price per hour, USD (make)."
    )
    deprecation: dt.date | None = Field(
        None, description="Earliest announced deprecation or retirement date, if any."
    )


class Tolerances(_Block):
    """How far today's figures may move before a person must look again."""

    margin: float = Field(
        0.05,
        ge=0,
        le=1,
        description="Score lead another option may take before the decision"
        " is invalidated (scores are 0..1).",
    )
    price_change: float = Field(
        0.15,
        alias="price-change",
        ge=0,
        description="Relative price change that asks for a review (0.15 = 15 %).",
    )


class DecisionBlock(_Block):
    """The `yaml makebuy` block: what a recorded decision rests on."""

    makebuy_adr: Literal[1] = Field(..., alias="makebuy-adr", description="Block format version.")
    use_case: str = Field(
        ..., alias="use-case", description="Questionnaire path, relative to the ADR's folder."
    )
    use_case_sha256: str = Field(
        ...,
        alias="use-case-sha256",
        pattern=r"^[0-9a-f]{64}$",
        description="Digest of the normalised questionnaire.",
    )
    catalog: list[str] = Field(
        ..., min_length=1, description="'builtin' and catalog paths relative to the ADR's folder."
    )
    catalog_as_of: dt.date = Field(..., alias="catalog-as-of")
    catalog_sha256: str = Field(..., alias="catalog-sha256", pattern=r"^[0-9a-f]{64}$")
    method: Literal["weighted-sum", "topsis"] = "weighted-sum"
    chosen: str = Field(..., min_length=1, description="The chosen option id.")
    runner_up: str | None = Field(None, alias="runner-up")
    scores: dict[str, float] = Field(default_factory=dict)
    evidence: dict[str, OptionFacts] = Field(default_factory=dict)
    tolerances: Tolerances = Field(default_factory=Tolerances)
    review_by: dt.date | None = Field(None, alias="review-by")

    def to_yaml(self) -> str:
        """The block's YAML, keys in the documented order, stable bytes."""
        data = self.model_dump(by_alias=True)  # python mode: dates stay unquoted YAML dates
        return yaml.safe_dump(
            data, sort_keys=False, allow_unicode=True, width=1000, default_flow_style=False
        )


@dataclass(frozen=True)
class FoundBlock:
    """A parsed `yaml makebuy` block and the 1-based file line of each key."""

    block: DecisionBlock
    fence: Fence
    lines: dict[tuple[str | int, ...], int]

    def line_of(self, *loc: str | int) -> int:
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return self.fence.start + 2


def find_block(doc: AdrDocument) -> FoundBlock | None:
    """The document's makebuy block; None when it has none. Raises InputError when malformed."""
    from makebuy import load

    fences = doc.block_fences
    if not fences:
        return None
    where = str(doc.path)
    if len(fences) > 1:
        raise InputError(
            f"more than one `yaml makebuy` block (the first is on line {fences[0].start + 1})",
            path=where,
            line=fences[1].start + 1,
            field="makebuy-adr",
        )
    fence = fences[0]
    if fence.end is None:
        raise InputError(
            "the `yaml makebuy` block is never closed", path=where, line=fence.start + 1
        )
    # Pad with blank lines so YAML line numbers are the file's line numbers.
    text = "\n" * (fence.start + 1) + "".join(
        ln.rstrip("\r\n") + "\n" for ln in doc.lines[fence.start + 1 : fence.end]
    )
    parsed = load.parse_yaml(text, where)
    if not isinstance(parsed.data, dict):
        raise InputError(
            "the `yaml makebuy` block must be a mapping starting with makebuy-adr: 1",
            path=where,
            line=fence.start + 2,
        )
    version = parsed.data.get("makebuy-adr")
    if version != 1:
        raise InputError(
            "required key is missing"
            if version is None
            else f"unknown block version {version!r}; this makebuy reads makebuy-adr: 1",
            path=where,
            line=parsed.line_of(("makebuy-adr",)) if version is not None else fence.start + 2,
            field="makebuy-adr",
        )
    try:
        block = DecisionBlock.model_validate(parsed.data)
    except ValidationError as exc:
        first = load.validation_errors(exc, parsed, DecisionBlock)[0]
        raise InputError(
            _alias_hint(first.message), path=where, line=first.line, field=first.field
        ) from None
    return FoundBlock(block=block, fence=fence, lines=dict(parsed.lines))


def _alias_hint(message: str) -> str:
    """Suggestions name fields as the block spells them ('review-by', not 'review_by')."""
    for model in (DecisionBlock, OptionFacts, Tolerances):
        for name, info in model.model_fields.items():
            if info.alias:
                message = message.replace(f"'{name}'", f"'{info.alias}'")
    return message


def replace_block(doc: AdrDocument, block: DecisionBlock) -> str:
    """The document's text with only the block's lines replaced."""
    fences = doc.block_fences
    if len(fences) != 1 or fences[0].end is None:
        raise InputError("expected exactly one closed `yaml makebuy` block", path=doc.path)
    fence = fences[0]
    newline = "\r\n" if doc.lines[fence.start].endswith("\r\n") else "\n"
    body = [ln + newline for ln in block.to_yaml().splitlines()]
    return "".join([*doc.lines[: fence.start + 1], *body, *doc.lines[fence.end :]])


def option_facts(result: OptionResult, catalog: Catalog, on: dt.date) -> OptionFacts:
    """The facts a decision rests on for one option, as the catalog states them on `on`."""
    ends = [d for d in lifecycle_on(catalog, result.model, result.offering, on) if d is not None]
    cost = result.cost
    api = cost is not None and result.kind in {"buy", "rent"}  # make's per-token figures
    make = cost is not None and result.kind == "make"  # are derived, not catalog prices
    return OptionFacts(
        kind=result.kind,
        licence=result.licence,
        terms=result.terms,
        input_usd_per_1m=_round(cost.input_per_1m_usd) if api and cost else None,
        output_usd_per_1m=_round(cost.output_per_1m_usd) if api and cost else None,
        gpu=cost.gpu if make and cost else None,
        usd_per_gpu_hour=_round(cost.usd_per_gpu_hour) if make and cost else None,
        deprecation=min(ends) if ends else None,
    )


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def build_block(
    assessment: Assessment,
    catalog: Catalog,
    *,
    use_case: str,
    catalog_entries: list[str],
    chosen: str,
    tolerances: Tolerances,
    review_by: dt.date | None,
) -> DecisionBlock:
    """The block for `chosen`, with the runner-up as the best other eligible option."""
    by_id = {o.id: o for o in assessment.options}
    ranked = [o for o in assessment.options if o.rank is not None]
    runner = next((o for o in ranked if o.id != chosen), None)
    kept = [o for o in (by_id.get(chosen), runner) if o is not None]
    facts = list(kept)  # a hybrid rests on the options serving its legs too
    for leg in (leg for o in kept for leg in o.legs):
        if leg.option in by_id and all(f.id != leg.option for f in facts):
            facts.append(by_id[leg.option])
    return DecisionBlock(
        makebuy_adr=1,
        use_case=use_case,
        use_case_sha256=assessment.usecase.digest,
        catalog=catalog_entries,
        catalog_as_of=assessment.catalog.as_of,
        catalog_sha256=assessment.catalog.fingerprint,
        method=assessment.method,
        chosen=chosen,
        runner_up=runner.id if runner else None,
        scores={o.id: round(o.score, 4) for o in kept if o.score is not None},
        evidence={o.id: option_facts(o, catalog, assessment.evaluated_on) for o in facts},
        tolerances=tolerances,
        review_by=review_by,
    )
