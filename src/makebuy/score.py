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
from typing import Any

import numpy as np
import pandas as pd

from makebuy import seats
from makebuy.models.catalog import Catalog
from makebuy.models.methods import Method
from makebuy.models.result import CRITERIA, CriterionScore
from makebuy.models.stages import CostedOption, QualityTiers, Scored
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
LOG_DECADES = 2.0
"""How many orders of magnitude a log-scaled criterion spans from 1 (best) to 0."""
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
    log_decades: float = LOG_DECADES,
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


LEVERAGE_TERMS: tuple[str, ...] = ("acceptable_use", "mau_cap", "commercial_use", "hosting_service")
"""Licence terms that leave the licensor a say over your use of open weights: a use policy
it can point to, a user cap above which you need its permission, conditional commercial
use, or hosting that needs a separate licence."""


def option_facts(usecase: UseCase, catalog: Catalog, costed: list[CostedOption]) -> pd.DataFrame:
    """One row per eligible, costed, non-hybrid option: the facts the rule criteria read.

    Every column is a fact of that option or of the use case, read from the catalog or the
    cost stage, never from the option's kind alone (see docs/criteria.md)."""
    channels: dict[str, set[str]] = {}
    for offering in catalog.offerings.values():
        channels.setdefault(offering.model, set()).add(offering.provider)
    rows = []
    for c in costed:
        o = c.gate.option
        if not c.gate.eligible or c.cost is None or o.kind == "hybrid":
            continue
        off = catalog.offerings.get(o.offering) if o.offering else seats.product_of(catalog, o)
        data = off.data if off else None
        model = catalog.models.get(o.model)
        lic = catalog.licences.get(model.licence) if model and model.licence else None
        terms = lic.terms if lic else None
        leverage = 0
        if terms is not None and o.open_weights:
            leverage += terms.acceptable_use is not None
            leverage += terms.mau_cap is not None
            leverage += bool(terms.commercial_use and terms.commercial_use.value != "allowed")
            leverage += bool(terms.hosting_service and terms.hosting_service.value != "allowed")
        ways = len(channels.get(o.model, set())) + (1 if o.open_weights else 0)
        rows.append(
            {
                "id": o.id,
                "kind": o.kind,
                "cost": c.cost.total,
                "quality": o.quality,
                "open_weights": o.open_weights,
                "self_hosted": o.kind == "make",
                "sla": bool(off and off.sla and off.sla.value),
                "no_training": bool(data is not None and data.training_on_inputs is False),
                "zero_retention": (data.zero_retention if data is not None else None) or "",
                "short_retention": bool(
                    data is not None
                    and data.retention_days is not None
                    and data.retention_days <= 30
                ),
                "regional": bool(off and off.regions and set(off.regions.value) - {"global"}),
                "ways": ways,
                "leverage": leverage,
                "gpus": c.cost.gpus_per_replica or 0,
                "replicas": c.cost.replicas_peak or 0,
            }
        )
    columns = [
        "id", "kind", "cost", "quality", "open_weights", "self_hosted", "sla", "no_training",
        "zero_retention", "short_retention", "regional", "ways", "leverage", "gpus", "replicas",
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=columns).set_index("id")


def make_simplicity(mlops_team: bool, gpus: Any, replicas: Any) -> Any:
    """Operational simplicity of self-hosting: 0.5 with an MLOps team (0.25 without), 0.05
    less per further GPU in a replica and per further replica at peak, at least 0.05.
    Works on numbers and arrays alike (the robustness stage reads it at other volumes)."""
    base = 0.5 if mlops_team else 0.25
    extra_gpus = np.maximum(np.asarray(gpus, dtype=float) - 1, 0)
    extra_replicas = np.maximum(np.asarray(replicas, dtype=float) - 1, 0)
    return np.maximum(base - 0.05 * extra_gpus - 0.05 * extra_replicas, 0.05)


def criteria_matrix(
    usecase: UseCase,
    catalog: Catalog,
    costed: list[CostedOption],
    tiers: QualityTiers,
) -> pd.DataFrame:
    """Raw criterion values for eligible options, each read from the option's own facts.

    The rules (0..1, 1 best; documented with their sources in docs/criteria.md):
    - data_control: where prompts go and how long they stay. Self-hosted 1.0 (prompts never
      leave your environment); an API 0.2, +0.3 when the terms rule out training on inputs,
      +0.2 with zero retention available (+0.1 on approval), +0.1 with retention of 30 days
      or less, +0.1 with documented regional processing.
    - customisation: counts only when the questionnaire plans or considers fine-tuning
      (otherwise every option ties and the criterion is neutral). Open weights 0.6 (they can
      be tuned and served anywhere), +0.4 when you tune and serve them yourself.
    - vendor_independence: open weights 0.5; +0.2 when you run them yourself; +0.1 per
      further way to get the same model in the catalog (other API providers, or
      self-hosting), at most +0.3; -0.1 per licence term that leaves the licensor a say
      (`LEVERAGE_TERMS`).
    - operational_simplicity: an API 0.9, 1.0 with a contractual SLA; self-hosting 0.5 with
      an MLOps team (0.25 without), -0.05 per further GPU in a replica and per further
      replica at peak, at least 0.05.
    - support_and_safety: a contractual SLA +0.4; a provider that serves and filters the
      model +0.4 for its developer's own API (buy), +0.2 for a host (rent); self-hosting
      0.1 (you carry safety and support).

    With `task.mix`, capability is the quality counted over the shares of requests whose
    tier (`tiers`, relative to the evaluation date) the option meets: an option below the
    high tier serves the high-complexity share badly, and that share adds nothing. (A
    hybrid meets every share's tier by construction, so its capability is its blended
    quality.)
    """
    f = option_facts(usecase, catalog, costed)
    if f.empty:
        return pd.DataFrame(columns=list(CRITERIA), index=pd.Index([], name="id"))
    api = ~f["self_hosted"]
    control = np.where(
        api,
        0.2
        + 0.3 * f["no_training"]
        + f["zero_retention"].map({"available": 0.2, "on-approval": 0.1}).fillna(0.0)
        + 0.1 * f["short_retention"]
        + 0.1 * f["regional"],
        1.0,
    )
    if usecase.requirements.fine_tuning in ("planned", "maybe"):
        custom = 0.6 * f["open_weights"] + 0.4 * f["self_hosted"]
    else:
        custom = pd.Series(0.0, index=f.index)
    independence = (
        0.5 * f["open_weights"]
        + 0.2 * f["self_hosted"]
        + np.minimum(0.3, 0.1 * (f["ways"] - 1).clip(lower=0))
        - 0.1 * f["leverage"]
    ).clip(0.0, 1.0)
    simplicity = np.where(
        api,
        0.9 + 0.1 * f["sla"],
        make_simplicity(
            usecase.organisation.mlops_team, f["gpus"].to_numpy(), f["replicas"].to_numpy()
        ),
    )
    provider = f["kind"].map({"buy": 0.4, "rent": 0.2, "seat": 0.4}).fillna(0.0)
    support = np.where(api, 0.4 * f["sla"] + provider, 0.1)
    quality = f["quality"].fillna(0.0).astype(float)
    mix = usecase.task.mix
    if mix is not None:
        minimum = tiers.minimum
        quality = sum(
            (getattr(mix, c) * quality * (quality >= minimum[c])) for c in ("low", "medium", "high")
        ).round(6)
    matrix = pd.DataFrame(
        {
            "cost": f["cost"],
            "capability": quality,
            "data_control": np.round(control, 3),
            "customisation": np.round(custom, 3),
            "vendor_independence": np.round(independence, 3),
            "operational_simplicity": np.round(simplicity, 3),
            "support_and_safety": np.round(support, 3),
        },
        index=f.index,
    )
    return matrix[list(CRITERIA)].astype(float)


PREFERENCE_CRITERIA: tuple[str, ...] = ("data_control", "customisation", "vendor_independence")
"""The criteria that may justify choosing a dearer and weaker option: only these, and only
when the questionnaire ranks them above both cost and capability."""


def neutral_criteria(matrix: pd.DataFrame) -> list[str]:
    """Criteria on which every scored option has the same raw value: they cannot move the
    ranking (min-max gives all the same score; TOPSIS distances ignore them)."""
    if len(matrix) < 2:
        return []
    values = matrix.to_numpy(dtype=float)
    return [
        c for c, same in zip(matrix.columns, np.ptp(values, axis=0) <= 1e-9, strict=True) if same
    ]


def dominance_order(
    matrix: pd.DataFrame, ranking: list[str], priorities: Mapping[str, float]
) -> tuple[list[str], dict[str, tuple[str, str, str | None]]]:
    """The ranking with one rule applied: an option that is both dearer and weaker in
    capability than another ranks above it only when the questionnaire puts one of
    `PREFERENCE_CRITERIA` above both cost and capability, and the option is better on it.

    Returns the new order (kept as close to `ranking` as the rule allows: the first free
    option in score order is placed next) and, per option the rule touched, a note
    (relation, the other option's id, the deciding criterion): "held-below" a cheaper,
    more capable option it outscored, or "stands-above" one thanks to that criterion.
    """
    ids = list(matrix.index)
    n = len(ids)
    if n < 2:
        return ranking, {}
    cost = matrix["cost"].to_numpy(dtype=float)
    cap = matrix["capability"].to_numpy(dtype=float)
    # dominates[a, b]: a is cheaper and stronger than b.
    dominates = (cost[:, None] < cost[None, :] - 1e-9) & (cap[:, None] > cap[None, :] + 1e-9)
    floor = max(priorities.get("cost", 0), priorities.get("capability", 0))
    deciding = [c for c in PREFERENCE_CRITERIA if priorities.get(c, 0) > floor]
    justified = np.zeros((n, n), dtype=bool)
    reason = np.full((n, n), -1)
    for k, c in enumerate(deciding):
        v = matrix[c].to_numpy(dtype=float)
        better = v[None, :] > v[:, None] + 1e-9  # b better than a on c
        reason = np.where(better & ~justified, k, reason)
        justified |= better
    must_precede = dominates & ~justified
    position = {oid: i for i, oid in enumerate(ranking)}
    pending = sorted(range(n), key=lambda i: position[ids[i]])
    blockers = must_precede.sum(axis=0)
    order: list[int] = []
    placed = np.zeros(n, dtype=bool)
    while pending:
        nxt = next(i for i in pending if blockers[i] == 0)
        pending.remove(nxt)
        order.append(nxt)
        placed[nxt] = True
        blockers = blockers - must_precede[nxt]
    new_ranking = [ids[i] for i in order]
    notes: dict[str, tuple[str, str, str | None]] = {}
    new_pos = {oid: i for i, oid in enumerate(new_ranking)}
    for b in range(n):
        above = [a for a in range(n) if dominates[a, b] and new_pos[ids[b]] < new_pos[ids[a]]]
        if above:
            a = min(above, key=lambda i: new_pos[ids[i]])
            notes[ids[b]] = ("stands-above", ids[a], deciding[int(reason[a, b])])
            continue
        held = [
            ids[a]
            for a in sorted(range(n), key=lambda i: new_pos[ids[i]])
            if must_precede[a, b] and position[ids[a]] > position[ids[b]]
        ]
        if held:
            notes[ids[b]] = ("held-below", held[0], None)
    return new_ranking, notes


def score_options(usecase: UseCase, matrix: pd.DataFrame, method: Method) -> Scored:
    """Per option: criterion breakdown, score and rank order; plus the normalisation text,
    the neutral criteria and the notes of the dominance rule."""
    if matrix.empty:
        return Scored(breakdown={}, scores={}, ranking=[], normalisation="")
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
    ranking, notes = dominance_order(matrix, table.ranking, weights)
    return Scored(
        breakdown=breakdown,
        scores=scores,
        ranking=ranking,
        normalisation=table.normalisation,
        neutral=neutral_criteria(matrix),
        rank_notes=notes,
    )
