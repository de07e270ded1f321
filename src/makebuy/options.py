"""Options stage: every way to get each model in the catalog.

buy: a proprietary model's API; rent: a hosted open-weight model's API; make: self-host
open weights. One model may have several buy or rent options (one per offering) and at
most one make option (the cost stage picks its GPUs).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from makebuy.errors import InputError
from makebuy.load import LoadedEval
from makebuy.models.catalog import Catalog
from makebuy.models.result import Assumption, Option
from makebuy.models.stages import QualityTiers
from makebuy.models.usecase import QualityTier, TaskKind

GENERAL_KINDS: frozenset[str] = frozenset({"chat", "other"})
"""Task kinds the general scale measures as it is: reading it is no fallback for them."""


@dataclass(frozen=True)
class Quality:
    """A model's position on the 0-100 scale for one task kind, and what it rests on."""

    value: float
    evidence: str
    """The label the report shows: benchmark, task kind, fallback or the user's eval."""
    fallback: bool = False
    """True when the task kind has its own benchmarks but none covered this model."""
    user_eval: bool = False


def _mapped(catalog: Catalog, bench: str, value: float) -> float:
    points = catalog.quality_scale.benchmarks[bench].points
    return round(float(np.interp(value, [p[0] for p in points], [p[1] for p in points])), 1)


def model_quality(
    catalog: Catalog, task: TaskKind | None = None, evals: Sequence[LoadedEval] = ()
) -> dict[str, Quality]:
    """Each model's quality for the task kind assessed, and the evidence it came from.

    In order: the user's own evals (a row for this task kind before a row for any task;
    the latest date, then the last row, wins); the first of the task kind's benchmarks
    (`tasks` on the scale, in `precedence` order) with evidence; else the first general
    benchmark (no `tasks`) with evidence, marked as a fallback unless the task kind is
    one the general scale measures as it is (chat, other). A benchmark value maps onto the
    scale by piecewise-linear interpolation between its anchors (clamped at the ends). A
    model with no evidence at all is absent: a missing figure is never read as 0.
    """
    scale = catalog.quality_scale
    general = [b for b in scale.precedence if not scale.benchmarks[b].tasks]
    own = [b for b in scale.precedence if task is not None and task in scale.benchmarks[b].tasks]
    out: dict[str, Quality] = {}
    for model in catalog.models:
        found = next((b for b in own if (model, b) in catalog.evidence), None)
        if found is not None:
            value = _mapped(catalog, found, catalog.evidence[(model, found)].value)
            out[model] = Quality(value, f"{found} ({task})")
            continue
        found = next((b for b in general if (model, b) in catalog.evidence), None)
        if found is not None:
            value = _mapped(catalog, found, catalog.evidence[(model, found)].value)
            if task is not None and task not in GENERAL_KINDS:
                out[model] = Quality(
                    value, f"{found} (general scale: no {task} evidence)", fallback=True
                )
            else:
                out[model] = Quality(value, found)
    for model, row in _user_rows(catalog, task, evals).items():
        result = row.result
        if result.score is not None:
            value = round(result.score, 1)
        else:
            assert result.benchmark is not None and result.value is not None
            value = _mapped(catalog, result.benchmark, result.value)
        out[model] = Quality(value, result.label, user_eval=True)
    return out


def _user_rows(
    catalog: Catalog, task: TaskKind | None, evals: Sequence[LoadedEval]
) -> dict[str, LoadedEval]:
    """The user's eval row that counts for each model (see `model_quality`)."""
    chosen: dict[str, tuple[tuple[int, dt.date, int], LoadedEval]] = {}
    for i, row in enumerate(evals):
        result = row.result
        if result.model not in catalog.models:
            raise InputError(
                f"unknown model id {result.model!r}", path=row.path, line=row.line, field="model"
            )
        if (
            result.benchmark is not None
            and result.benchmark not in catalog.quality_scale.benchmarks
        ):
            known = ", ".join(sorted(catalog.quality_scale.benchmarks))
            raise InputError(
                f"benchmark {result.benchmark!r} is not on the catalog's quality scale"
                f" (known: {known}); give a 0-100 score instead",
                path=row.path,
                line=row.line,
                field="benchmark",
            )
        if result.task is not None and result.task != task:
            continue
        key = (1 if result.task is not None else 0, result.date, i)
        if result.model not in chosen or key > chosen[result.model][0]:
            chosen[result.model] = (key, row)
    return {model: row for model, (_, row) in chosen.items()}


def quality_tiers(catalog: Catalog, options: Sequence[Option], on: dt.date) -> QualityTiers:
    """The tier minima for the options assessed on `on`.

    With `tier_gaps` in the scale, each tier starts its gap below the best quality (for
    the task kind, as the options carry it) among the models available on `on`: released
    on or before it, or undated when `on` is on or after the catalog's as-of date (an
    undated model is known to exist then, but not earlier). `low` starts at 0. With no
    gaps, or no model known to be available, the scale's absolute `tiers` apply.
    """
    scale = catalog.quality_scale
    absolute: dict[QualityTier, float] = {t: float(v) for t, v in scale.tiers.items()}
    if scale.tier_gaps is None:
        return QualityTiers(absolute)
    best: tuple[float, str] | None = None
    for o in options:
        if o.kind == "hybrid" or o.quality is None:
            continue
        released = catalog.models[o.model].released
        available = released.value <= on if released is not None else on >= catalog.as_of
        if available and (best is None or (o.quality, o.model) > best):
            best = (o.quality, o.model)
    if best is None:
        return QualityTiers(absolute)
    gaps = scale.tier_gaps
    minimum: dict[QualityTier, float] = {
        "low": 0.0,
        "medium": round(max(best[0] - gaps["medium"], 0.0), 2),
        "high": round(max(best[0] - gaps["high"], 0.0), 2),
        "frontier": round(max(best[0] - gaps["frontier"], 0.0), 2),
    }
    return QualityTiers(minimum, best=best[0], best_model=best[1], relative=True)


def quality_assumptions(
    catalog: Catalog,
    task: TaskKind,
    options: Sequence[Option],
    on: dt.date,
    tiers: QualityTiers,
) -> list[Assumption]:
    """What the report's quality figures rest on: fallbacks, the user's evals, the tiers."""
    out: list[Assumption] = []
    quality = {o.model: o.quality_evidence or "" for o in options if o.kind != "hybrid"}
    fallback = sorted(m for m, label in quality.items() if "general scale: no" in label)
    if fallback:
        own = [
            b
            for b in catalog.quality_scale.precedence
            if task in catalog.quality_scale.benchmarks[b].tasks
        ]
        general = ", ".join(
            b
            for b in catalog.quality_scale.precedence
            if not catalog.quality_scale.benchmarks[b].tasks
        )
        if own:
            reason = (
                f"the catalog has no {task} evidence ({', '.join(own)}) for them, so their"
                f" quality is read on the general scale ({general}): " + ", ".join(fallback)
            )
        else:
            reason = (
                f"the catalog has no {task} benchmark, so every model's quality is read on"
                f" the general scale ({general})"
            )
        out.append(
            Assumption(
                field="task.kind",
                value=f"{task}: general scale for {len(fallback)} of {len(quality)} models",
                origin="default",
                reason=reason,
            )
        )
    users = sorted({label for label in quality.values() if label.startswith("your eval:")})
    if users:
        out.append(
            Assumption(
                field="evidence.file",
                value="; ".join(users),
                origin="derived",
                reason="your own eval results take precedence over the catalog's evidence for "
                + ", ".join(sorted(m for m, lb in quality.items() if lb.startswith("your eval:"))),
            )
        )
    shown = ", ".join(f"{t} {v:g}" for t, v in tiers.minimum.items())
    if tiers.relative:
        gaps = catalog.quality_scale.tier_gaps or {}
        out.append(
            Assumption(
                field="quality tiers",
                value=shown,
                origin="derived",
                reason=f"tiers are relative to the best quality available on {on.isoformat()}"
                f" ({tiers.best_model}, {tiers.best:g}): medium, high and frontier start"
                f" {gaps['medium']:g}, {gaps['high']:g} and {gaps['frontier']:g} points below"
                " it; a numeric min_quality stays absolute",
            )
        )
    return out


def enumerate_options(
    catalog: Catalog, task: TaskKind | None = None, evals: Sequence[LoadedEval] = ()
) -> list[Option]:
    """All options, sorted by id so every later stage sees them in a stable order; their
    quality is the one for `task` (see `model_quality`)."""
    quality = model_quality(catalog, task, evals)
    options: list[Option] = []
    for off in catalog.offerings.values():
        model = catalog.models[off.model]
        q = quality.get(model.id)
        context = off.context_tokens or model.context_tokens
        kind = "rent" if model.open_weights else "buy"
        options.append(
            Option(
                id=f"{kind}:{off.id}",
                kind=kind,
                model=model.id,
                model_name=model.name,
                offering=off.id,
                provider=off.provider,
                licence=model.licence,
                terms=off.terms,
                open_weights=model.open_weights,
                quality=q.value if q else None,
                quality_evidence=q.evidence if q else None,
                context_tokens=context.value if context else None,
            )
        )
    for model in catalog.models.values():
        if not model.open_weights:
            continue
        q = quality.get(model.id)
        options.append(
            Option(
                id=f"make:{model.id}",
                kind="make",
                model=model.id,
                model_name=model.name,
                provider="self-hosted",
                licence=model.licence,
                open_weights=True,
                quality=q.value if q else None,
                quality_evidence=q.evidence if q else None,
                context_tokens=model.context_tokens.value if model.context_tokens else None,
            )
        )
    return sorted(options, key=lambda o: o.id)
