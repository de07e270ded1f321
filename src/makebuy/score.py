"""Score stage: criteria into numbers, numbers into one ranked score.

`decision_scores` is the engine and works on any decision matrix (rows: alternatives,
columns: criteria), so it can be used from Python on its own::

    import pandas as pd
    from makebuy.score import decision_scores

    matrix = pd.DataFrame({"price": [250, 200, 300], "quality": [16, 16, 32]},
                          index=["a", "b", "c"])
    result = decision_scores(matrix, weights={"price": 1, "quality": 1},
                             benefit={"price": False, "quality": True}, method="topsis")
    result.scores    # pandas Series: one score per alternative
    result.ranking   # alternatives best first (ties broken as documented below)

Methods
-------
weighted-sum (default): each criterion is min-max normalised to 0..1 (1 best; a
criterion where all alternatives are equal gives 1 to all), times its weight; the score is
the sum of contributions. Criteria in `log_scale` (makebuy uses it for cost, which spans
orders of magnitude) are instead scored on a log10 scale anchored at the best value: 1 for
the best, falling linearly to 0 at 10**log_decades times worse (100x by default), so an
expensive outlier cannot reorder the options ahead of it.

topsis: vector normalisation (x / sqrt(sum x^2)), weighted; the score is the relative
closeness to the ideal solution, d- / (d+ + d-) (Hwang & Yoon, 1981).

Weights are normalised to sum to 1. Ties break deterministically: higher score first, then
the lower value of `tie_breaker` (makebuy passes total cost), then the alternative's name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from makebuy.models.catalog import Catalog
from makebuy.models.methods import Method
from makebuy.models.result import CRITERIA, CriterionScore
from makebuy.models.stages import CostedOption
from makebuy.models.usecase import UseCase

CRITERION_UNITS: dict[str, str] = {
    "cost": "currency over the horizon",
    "capability": "quality scale 0-100 (with task.mix: over the shares whose tier it meets)",
    "data_control": "rule score 0-1",
    "customisation": "rule score 0-1",
    "vendor_independence": "rule score 0-1",
    "operational_simplicity": "rule score 0-1",
    "support_and_safety": "rule score 0-1",
}
BENEFIT: dict[str, bool] = {c: c != "cost" for c in CRITERIA}
LOG_SCALE: frozenset[str] = frozenset({"cost"})
"""Criteria the weighted sum scores on a log10 scale: cost spans orders of magnitude."""


@dataclass(frozen=True)
class ScoreTable:
    """The engine's output: every intermediate table, indexed like the input matrix."""

    normalised: pd.DataFrame
    weights: pd.Series
    contributions: pd.DataFrame
    scores: pd.Series
    ranking: list[str]
    normalisation: str


def decision_scores(
    matrix: pd.DataFrame,
    weights: Mapping[str, float],
    benefit: Mapping[str, bool],
    method: Method = "weighted-sum",
    log_scale: frozenset[str] = frozenset(),
    log_decades: float = 2.0,
    tie_breaker: pd.Series | None = None,
) -> ScoreTable:
    """Score and rank the alternatives of a decision matrix (see the module docstring)."""
    columns = list(matrix.columns)
    w = pd.Series({c: float(weights.get(c, 0.0)) for c in columns})
    if (w < 0).any():
        raise ValueError("weights must not be negative")
    w = w / w.sum() if w.sum() > 0 else pd.Series(1.0 / len(columns), index=columns)
    values = matrix.astype(float)
    is_benefit = np.array([bool(benefit[c]) for c in columns])
    if method == "weighted-sum":
        x = values.copy()
        for c in log_scale & set(columns):
            x[c] = np.log10(np.maximum(x[c], 1e-9))
        lo, hi = x.min(), x.max()
        span = (hi - lo).replace(0.0, np.nan)
        up = (x - lo) / span
        norm = pd.DataFrame(
            np.where(is_benefit[None, :], up, 1.0 - up), index=x.index, columns=columns
        ).fillna(1.0)
        for c in log_scale & set(columns):
            # Anchored at the best value, not min-max: an outlier far down the ranking
            # must not change how the leading options compare on this criterion.
            gap = (hi[c] - x[c]) if benefit[c] else (x[c] - lo[c])
            norm[c] = np.clip(1.0 - gap / log_decades, 0.0, 1.0)
        contributions = norm * w
        scores = contributions.sum(axis=1)
        logs = ", ".join(sorted(log_scale & set(columns)))
        described = "min-max to 0..1 per criterion (1 best)" + (
            f"; {logs} on a log10 scale anchored at the best value: 1 for the best,"
            f" 0 at {10**log_decades:,.0f} times worse"
            if logs
            else ""
        )
    elif method == "topsis":
        # On one (alternatives x criteria) array, criteria contiguous as pandas lays them
        # out, so every sum adds in the same order as pandas did; DataFrames built once.
        arr = np.asfortranarray(values.to_numpy())
        sizes = np.sqrt(_sum(arr**2, axis=0))
        sizes[sizes == 0.0] = np.nan
        norm_a = arr / sizes
        norm_a[np.isnan(norm_a)] = 0.0
        contrib_a = norm_a * w.to_numpy()
        top, bottom = _column_max(contrib_a), _column_min(contrib_a)
        best = np.where(is_benefit, top, bottom)
        worst = np.where(is_benefit, bottom, top)
        d_best = np.sqrt(_sum((contrib_a - best) ** 2, axis=1))
        d_worst = np.sqrt(_sum((contrib_a - worst) ** 2, axis=1))
        both = d_best + d_worst
        both[both == 0.0] = np.nan
        score_a = d_worst / both
        score_a[np.isnan(score_a)] = 1.0
        norm = pd.DataFrame(norm_a, index=matrix.index, columns=columns)
        contributions = pd.DataFrame(contrib_a, index=matrix.index, columns=columns)
        scores = pd.Series(score_a, index=matrix.index)
        described = (
            "TOPSIS: vector normalisation x/sqrt(sum x^2), weighted; score = closeness to the"
            " ideal, d-/(d+ + d-)"
        )
    else:
        raise ValueError(f"unknown method {method!r}")
    names = matrix.index.astype(str).to_numpy()
    tie = (
        tie_breaker.reindex(matrix.index).to_numpy(dtype=float)
        if tie_breaker is not None
        else np.zeros(len(matrix.index))
    )
    # Highest score first, then the lower tie-breaker, then the name; NaN sorts last.
    rounded = scores.to_numpy().round(12)
    order = np.lexsort((tie, -rounded))
    if (
        len(order) > 1
        and (
            _same(rounded[order][1:], rounded[order][:-1]) & _same(tie[order][1:], tie[order][:-1])
        ).any()
    ):
        order = np.lexsort((names, tie, -rounded))  # exact ties: the name decides
    ranking = names[order].tolist()
    return ScoreTable(
        normalised=norm,
        weights=w,
        contributions=contributions,
        scores=scores,
        ranking=ranking,
        normalisation=described,
    )


def _sum(values: np.ndarray, axis: int) -> np.ndarray:
    """Sum skipping NaN, as pandas does (numpy's plain sum when there is none: faster)."""
    return np.nansum(values, axis=axis) if np.isnan(values).any() else values.sum(axis=axis)


def _same(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Element-wise equality where NaN equals NaN (as in sorting)."""
    return (a == b) | (np.isnan(a) & np.isnan(b))


def _column_min(values: np.ndarray) -> np.ndarray:
    """Per-column minimum that skips NaN (as pandas does); NaN for an empty column."""
    if not len(values):
        return np.full(values.shape[1], np.nan)
    return np.fmin.reduce(values, axis=0)


def _column_max(values: np.ndarray) -> np.ndarray:
    """Per-column maximum that skips NaN (as pandas does); NaN for an empty column."""
    if not len(values):
        return np.full(values.shape[1], np.nan)
    return np.fmax.reduce(values, axis=0)


def matrix_rows(
    costed: list[CostedOption],
) -> list[tuple[str, str, str | None, float, float, int | None]]:
    """The facts `criteria_matrix` needs from every eligible, costed option."""
    return [
        (
            c.gate.option.id,
            c.gate.option.kind,
            c.gate.option.offering,
            c.cost.total,
            c.gate.option.quality or 0.0,
            c.cost.gpus_per_replica,
        )
        for c in costed
        if c.gate.eligible and c.cost is not None and c.gate.option.kind != "hybrid"
    ]


def add_hybrid_rows(matrix: pd.DataFrame, costed: list[CostedOption]) -> pd.DataFrame:
    """Append one row per hybrid option: its own total cost and blended quality, and the
    rule scores of its legs weighted by their share of requests (a hybrid is as
    controllable, customisable and simple to run as the traffic it routes)."""
    rows = []
    for c in costed:
        if c.gate.option.kind != "hybrid" or c.cost is None or not c.gate.eligible:
            continue
        weights: dict[str, float] = {}
        for leg in c.legs:
            weights[leg.option] = weights.get(leg.option, 0.0) + leg.share
        if not all(oid in matrix.index for oid in weights):
            continue
        legs = matrix.loc[list(weights)]
        blend = legs.mul(pd.Series(weights), axis=0).sum() / sum(weights.values())
        blend["cost"] = c.cost.total
        blend["capability"] = c.gate.option.quality or 0.0
        rows.append(blend.round(6).rename(c.gate.option.id))
    if not rows:
        return matrix
    return pd.concat([matrix, pd.DataFrame(rows)[matrix.columns]])


def criteria_matrix(
    usecase: UseCase,
    catalog: Catalog,
    rows: list[tuple[str, str, str | None, float, float, int | None]],
) -> pd.DataFrame:
    """Raw criterion values for eligible options.

    `rows` holds (option id, kind, offering id, total cost, quality, GPUs per replica).
    The rule scores (0..1) encode the trade-offs of the seed article:
    - data_control: make 1.0; an API 0.2, +0.3 without training on inputs, +0.2 with zero
      retention available (+0.1 on approval), +0.1 with retention of 30 days or less,
      +0.1 with documented regional processing;
    - customisation: make 1.0 (any fine-tuning), rent 0.5 (open weights, provider
      fine-tuning varies), buy 0.2 (the vendor's fine-tuning API at best);
    - vendor_independence: make 1.0, rent 0.7 (open weights can move), buy 0.2;
    - operational_simplicity: buy 1.0, rent 0.9, make 0.4 with an MLOps team (0.15
      without), 0.1 less when one replica spans several GPUs;
    - support_and_safety: buy 0.8, rent 0.5, make 0.2; +0.2 for an API with an SLA.

    With `task.mix`, capability is the quality counted over the shares of requests whose
    tier (`quality_scale.tiers`) the option meets: an option below the high tier serves
    the high-complexity share badly, and that share adds nothing. (A hybrid meets every
    share's tier by construction, so its capability is its blended quality.)
    """
    mlops = usecase.organisation.mlops_team
    mix = usecase.task.mix
    tiers = catalog.quality_scale.tiers
    records = []
    for option_id, kind, offering_id, total, quality, gpus in rows:
        off = catalog.offerings.get(offering_id) if offering_id else None
        data = off.data if off else None
        sla = bool(off and off.sla and off.sla.value)
        if kind == "make":
            control = 1.0
        else:
            control = 0.2
            if data is not None:
                control += 0.3 if data.training_on_inputs is False else 0.0
                control += {"available": 0.2, "on-approval": 0.1}.get(
                    data.zero_retention or "", 0.0
                )
                control += (
                    0.1 if data.retention_days is not None and data.retention_days <= 30 else 0.0
                )
            if off and off.regions and set(off.regions.value) - {"global"}:
                control += 0.1
        if kind == "make":
            simplicity = (0.4 if mlops else 0.15) - (0.1 if (gpus or 1) > 1 else 0.0)
        else:
            simplicity = 1.0 if kind == "buy" else 0.9
        records.append(
            {
                "id": option_id,
                "cost": total,
                "capability": quality
                if mix is None
                else round(
                    sum(
                        getattr(mix, c) * quality
                        for c in ("low", "medium", "high")
                        if quality >= tiers[c]
                    ),
                    6,
                ),
                "data_control": round(control, 3),
                "customisation": {"make": 1.0, "rent": 0.5, "buy": 0.2}[kind],
                "vendor_independence": {"make": 1.0, "rent": 0.7, "buy": 0.2}[kind],
                "operational_simplicity": round(max(simplicity, 0.05), 3),
                "support_and_safety": {"make": 0.2, "rent": 0.5, "buy": 0.8}[kind]
                + (0.2 if sla and kind != "make" else 0.0),
            }
        )
    return pd.DataFrame(records, columns=["id", *CRITERIA]).set_index("id")


def score_options(
    usecase: UseCase,
    matrix: pd.DataFrame,
    method: Method,
) -> tuple[dict[str, dict[str, CriterionScore]], dict[str, float], list[str], str]:
    """Per option: criterion breakdown, score and rank order; plus the normalisation text."""
    if matrix.empty:
        return {}, {}, [], ""
    weights = usecase.priorities.model_dump()
    table = decision_scores(
        matrix,
        weights=weights,
        benefit=BENEFIT,
        method=method,
        log_scale=LOG_SCALE,
        tie_breaker=matrix["cost"],
    )
    raw = matrix.to_dict(orient="index")
    normalised = table.normalised.to_dict(orient="index")
    contributions = table.contributions.to_dict(orient="index")
    breakdown = {
        str(oid): {
            c: CriterionScore(
                raw=float(raw[oid][c]),
                unit=CRITERION_UNITS[c],
                normalised=round(float(normalised[oid][c]), 6),
                weight=round(float(table.weights[c]), 6),
                contribution=round(float(contributions[oid][c]), 6),
            )
            for c in CRITERIA
        }
        for oid in matrix.index
    }
    scores = {str(oid): round(float(s), 6) for oid, s in table.scores.items()}
    return breakdown, scores, table.ranking, table.normalisation
