"""Hand-offs between stages: what one stage computes once and the next ones read.

These types are internal to a run (they hold tables and the loaded catalog); the report
contract is `makebuy.models.result.Assessment`. `AssessmentRun` carries both, so a command
that needs the questionnaire, the catalog or a stage's table never loads or computes it
again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from makebuy.models.catalog import Catalog
from makebuy.models.result import Assessment, Cost, CriterionScore, GateResult, HybridLeg
from makebuy.models.usecase import QualityTier, UseCase

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class QualityTiers:
    """Where each quality tier starts on the evaluation date, and what it was measured
    against: computed once per assessment (`options.quality_tiers`) and read by the gate,
    the hybrid stage and the capability criterion."""

    minimum: dict[QualityTier, float]
    best: float | None = None
    """Best quality among the models available on the date (relative tiers only)."""
    best_model: str | None = None
    relative: bool = False


class CostedOption(BaseModel):
    """An option after costing: its gate result (perhaps with new exclusions) and cost."""

    model_config = ConfigDict(frozen=True)

    gate: GateResult
    cost: Cost | None
    legs: list[HybridLeg] = Field(
        default_factory=list, description="For hybrid options: which option serves which share."
    )


class Scored(BaseModel):
    """The score stage's result: per-option breakdown and score, and the final order."""

    model_config = ConfigDict(frozen=True)

    breakdown: dict[str, dict[str, CriterionScore]]
    scores: dict[str, float]
    ranking: list[str] = Field(description="Option ids, best first, after the dominance rule.")
    normalisation: str
    neutral: list[str] = Field(
        default_factory=list, description="Criteria on which every scored option ties."
    )
    rank_notes: dict[str, tuple[str, str, str | None]] = Field(
        default_factory=dict,
        description="Option id -> (relation, other option id, deciding criterion): held-below"
        " a cheaper, more capable option it outscored, or stands-above one thanks to a"
        " preference criterion ranked above cost and capability.",
    )


class Capacity(BaseModel):
    """The capacity stage's tables for one questionnaire, computed once per assessment.

    `grid`: every feasible (model, GPU, tensor-parallel size, batch) with its memory,
    speed and requests per second per replica. `best`: per (model, GPU, tensor-parallel
    size), the batch with the most requests per second within the latency target, and
    the replica's hourly price. Neither depends on the monthly volume, so cost, hybrid
    legs and break-even all read them as they are. Empty frames when nothing can be sized.
    """

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    grid: Any = Field(description="pandas DataFrame: the feasible sizing grid.")
    best: Any = Field(description="pandas DataFrame: the best batch per configuration.")
    gpus_priced: bool = Field(
        description="Whether the catalog prices any GPU on the questionnaire's cloud and"
        " commitment."
    )

    def configurations(self, model_id: str) -> pd.DataFrame:
        """The serving configurations kept for one model (empty when there are none).
        Callers read them and never change them: the tables are split by model once."""
        best = self.best
        if best.empty:
            return best
        found = self._by_model.get(model_id)
        return best.iloc[0:0].reset_index(drop=True) if found is None else found

    @cached_property
    def _by_model(self) -> dict[str, pd.DataFrame]:
        """`best` split by model (robustness asks for each model's rows many times)."""
        return {
            str(model): rows.reset_index(drop=True)
            for model, rows in self.best.groupby("model", sort=False)
        }


class AssessmentRun(BaseModel):
    """Everything one run of the pipeline knows: the report and what it was built from."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    assessment: Assessment = Field(description="The report contract every format renders.")
    usecase: UseCase = Field(description="The normalised questionnaire.")
    catalog: Catalog = Field(description="The merged catalog the run read.")
    evaluated_on: dt.date
    gated: list[GateResult] = Field(description="The gate's verdict on every option.")
    costed: list[CostedOption] = Field(description="Every option after costing, hybrids included.")
    capacity: Capacity = Field(description="The sizing tables the make options were costed on.")
