"""The pipeline: load, options, gate, cost, score, recommend. It holds no logic of its own."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from makebuy import (
    breakeven,
    cite,
    config,
    cost,
    gate,
    hybrid,
    load,
    normalise,
    options,
    owned,
    recommend,
    robustness,
    salience,
    score,
    seats,
)
from makebuy.models.result import Assessment, CatalogRef, UseCaseRef
from makebuy.models.stages import AssessmentRun
from makebuy.score import Method


def assess(
    usecase_path: Path | load.QuestionnaireText,
    catalog_paths: Sequence[Path] = (),
    *,
    method: Method = "weighted-sum",
    evaluated_on: dt.date | None = None,
    builtin_catalog: bool = True,
    loaded_catalog: load.LoadedCatalog | None = None,
    with_robustness: bool = True,
    evals: Path | None = None,
    overrides: Sequence[tuple[str, Any]] = (),
    settings: config.Config | None = None,
) -> AssessmentRun:
    """Assess one questionnaire against the catalog (built-in plus `catalog_paths`).

    The run carries the report (`.assessment`) and everything it was built from: the
    normalised questionnaire, the catalog, and each stage's result. `settings`: the
    organisation's defaults (under the questionnaire's answers) and policy (in the gate)."""
    loaded = load.load_usecase(usecase_path, evals, overrides)
    settings = settings or config.Config()
    loaded, config_assumptions = settings.apply_defaults(loaded)
    catalog_state = loaded_catalog or load.load_catalog(catalog_paths, builtin=builtin_catalog)
    catalog = catalog_state.catalog
    load.check_candidates(loaded, catalog)
    seats.check_seat_prices(loaded.usecase, loaded.lines, loaded.path, catalog)
    owned.check_server_ids(loaded, catalog)
    usecase, assumptions = normalise.normalise(loaded)
    on = evaluated_on or catalog.as_of
    all_options = options.enumerate_options(catalog, usecase.task.kind, loaded.evals)
    all_options += seats.seat_options(usecase, catalog, all_options)  # none without users.seats
    tiers = options.quality_tiers(catalog, all_options, on)
    gated = gate.gate(usecase, catalog, all_options, on, tiers, settings)
    sized = cost.make_capacity(usecase, catalog, gated)
    costed, cost_assumptions = cost.cost_options(usecase, catalog, gated, on, sized)
    if settings.allows_kind("hybrid"):
        costed = [*costed, *hybrid.hybrid_options(usecase, catalog, costed, on, sized, tiers=tiers)]
    matrix = score.criteria_matrix(usecase, catalog, costed, tiers)
    matrix = score.add_hybrid_rows(matrix, costed)
    scored = score.score_options(usecase, matrix, method)
    results = recommend.build_results(costed, scored, usecase.priorities.model_dump())
    crossings, no_crossing = breakeven.break_even(usecase, results, sized)
    crossings += breakeven.seat_break_even(usecase, results)  # none without a seat option
    robust = (
        robustness.for_assessment(usecase, catalog, costed, sized, matrix, scored, method)
        if with_robustness
        else None
    )
    assessment = Assessment(
        usecase=UseCaseRef(
            name=usecase.name,
            description=usecase.description,
            owner=usecase.owner,
            path=loaded.path,
            digest=load.usecase_digest(usecase),
        ),
        catalog=CatalogRef(
            fingerprint=catalog.fingerprint, as_of=catalog.as_of, files=catalog.files
        ),
        evaluated_on=on,
        method=method,
        normalisation=scored.normalisation,
        neutral_criteria=scored.neutral,
        currency=usecase.organisation.currency,
        options=results,
        recommendation=recommend.recommend(
            results, usecase.volume.horizon_months, method, scored.neutral
        ),
        assumptions=[
            *config_assumptions,
            *assumptions,
            *options.quality_assumptions(catalog, usecase.task.kind, all_options, on, tiers),
            *gate.undated_models(catalog, all_options, on),
            *cost_assumptions,
            *cost.price_age_assumptions(costed, on),
            *catalog_state.warnings,
        ],
        summary=recommend.summarise(results),
        sources=cite.cited_sources(catalog, results),
        break_even=crossings,
        break_even_note=no_crossing,
        robustness=robust,
        payback=owned.payback(usecase, results, sized.best),
    )
    assessment = assessment.model_copy(
        update={"key_assumptions": salience.key_assumptions(assessment)}
    )
    return AssessmentRun(
        assessment=assessment,
        usecase=usecase,
        catalog=catalog,
        evaluated_on=on,
        gated=gated,
        costed=costed,
        capacity=sized,
    )
