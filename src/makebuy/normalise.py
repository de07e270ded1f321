"""Fill the questionnaire's unanswered keys and record each as an assumption.

Runs right after load: every later stage sees a complete questionnaire, and every report
shows which figures the user did not give.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from makebuy import loadshape
from makebuy.errors import InputError
from makebuy.load import LoadedUseCase
from makebuy.models.result import Assumption
from makebuy.models.usecase import INTERACTIVE_KINDS, UseCase
from makebuy.units import SECONDS_PER_MONTH

DEFAULT_ENGINEER_COST_USD = 180_000.0
"""Fully loaded engineer cost a year when the questionnaire gives none (the spec's example)."""
PEAK_TO_AVERAGE = 3.0
"""Peak-to-average request-rate ratio used when the questionnaire gives no peak (estimate)."""

_REASONS: dict[str, str] = {
    "task.kind": "not answered; treated as general chat",
    "task.complexity": "not answered; medium complexity assumed",
    "task.languages": "not answered; English only assumed",
    "task.modalities": "not answered; text input only assumed",
    "volume.growth_per_year": "not answered; flat volume assumed",
    "volume.horizon_months": "not answered; a 3-year total cost of ownership",
    "users.external": "not answered; external users assumed (the stricter case)",
    "data.classification": "not answered; internal data assumed",
    "data.must_stay_in_environment": "not answered; external processing allowed",
    "data.regions": "not answered; processing anywhere allowed",
    "data.zero_retention_required": "not answered; vendor retention accepted",
    "requirements.commercial": "not answered; commercial use assumed (the stricter case)",
    "requirements.min_quality": "not answered; medium quality required",
    "requirements.fine_tuning": "not answered; no fine-tuning planned",
    "requirements.train_on_outputs": "not answered; outputs do not train other models",
    "requirements.redistribute_weights": "not answered; weights stay in-house",
    "requirements.serve_model_to_third_parties": "not answered; the model is not resold",
    "requirements.uses": "not answered; no field-of-use tags to check",
    "requirements.sla_required": "not answered; no contractual SLA needed",
    "requirements.human_review": "not answered; no human review assumed",
    "organisation.mlops_team": "not answered; no team runs GPU inference today",
    "organisation.cloud": "not answered; GPUs priced on any cloud in the catalog",
    "organisation.gpu_commitment": "not answered; on-demand GPU prices",
    "organisation.currency": "not answered; report in USD",
}


def normalise(loaded: LoadedUseCase) -> tuple[UseCase, list[Assumption]]:
    """Complete the questionnaire; return it with one assumption per unanswered key."""
    uc = loaded.usecase
    answered = loaded.answered
    assumptions: list[Assumption] = []
    reasons = _REASONS
    platform = uc.organisation.platform
    if "organisation.mlops_team" not in answered and platform is not None and platform.exists:
        # A shared platform is run by a team that runs GPU inference in production.
        org = uc.organisation.model_copy(update={"mlops_team": True})
        uc = uc.model_copy(update={"organisation": org})
        reasons = {
            **_REASONS,
            "organisation.mlops_team": "not answered; organisation.platform says a platform"
            " team runs GPU inference today",
        }
    for key, reason in reasons.items():
        if key not in answered:
            assumptions.append(
                Assumption(field=key, value=_show(_get(uc, key)), origin="default", reason=reason)
            )
    if "priorities" not in answered:
        assumptions.append(
            Assumption(
                field="priorities",
                value="3 for every criterion",
                origin="default",
                reason="not answered; all criteria weigh the same",
            )
        )
    else:
        for name in type(uc.priorities).model_fields:
            if f"priorities.{name}" not in answered:
                assumptions.append(
                    Assumption(
                        field=f"priorities.{name}",
                        value="3",
                        origin="default",
                        reason="not answered; middle priority",
                    )
                )
    updates_task: dict[str, Any] = {}
    updates_volume: dict[str, Any] = {}
    vol = uc.volume
    if uc.task.context_tokens is None:
        ctx = vol.tokens_per_request
        updates_task["context_tokens"] = ctx
        assumptions.append(
            Assumption(
                field="task.context_tokens",
                value=f"{ctx:,}",
                origin="derived",
                reason="not answered; input + output tokens per request",
            )
        )
    average = vol.requests_per_month / SECONDS_PER_MONTH
    if vol.peak_requests_per_second is not None and vol.peak_requests_per_second < average:
        raise InputError(
            f"peak {vol.peak_requests_per_second:g} requests/s is below the average rate of"
            f" {vol.requests_per_month:,.0f} requests a month ({average:.3g}/s): raise the peak"
            " or leave it out to derive it",
            path=loaded.path,
            line=loaded.lines.get(("volume", "peak_requests_per_second")),
            field="volume.peak_requests_per_second",
        )
    if uc.load.load_shape != "flat":
        _check_peak_carries_shape(loaded, uc, average)
    if vol.peak_requests_per_second is None and uc.load.load_shape != "flat":
        # The shape fixes the peak-to-average ratio: the peak is what carries the month.
        peak = average / loadshape.mean_level(uc.load)
        updates_volume["peak_requests_per_second"] = peak
        assumptions.append(
            Assumption(
                field="volume.peak_requests_per_second",
                value=f"{peak:.3g}",
                origin="derived",
                reason="not answered; the average rate over the load shape's share of the"
                f" peak ({loadshape.mean_level(uc.load):.0%}, load.load_shape)",
            )
        )
    elif vol.peak_requests_per_second is None:
        peak = vol.requests_per_month / SECONDS_PER_MONTH * PEAK_TO_AVERAGE
        updates_volume["peak_requests_per_second"] = peak
        assumptions.append(
            Assumption(
                field="volume.peak_requests_per_second",
                value=f"{peak:.3g}",
                origin="derived",
                reason=f"not answered; {PEAK_TO_AVERAGE:g}x the average rate over a month",
            )
        )
    if uc.users.monthly_active_users is None:
        assumptions.append(
            Assumption(
                field="users.monthly_active_users",
                value="unknown",
                origin="default",
                reason="not answered; licence MAU caps are listed as obligations, not checked",
            )
        )
    if uc.requirements.max_latency_p95_ms is None:
        assumptions.append(
            Assumption(
                field="requirements.max_latency_p95_ms",
                value="none",
                origin="default",
                reason="not answered; answers are held to the time-to-first-token and"
                " tokens-per-second targets only",
            )
        )
    uc, latency_notes = _latency_targets(uc)
    assumptions += latency_notes
    org = uc.organisation
    if "organisation.engineer_cost_per_year" not in answered:
        cost = DEFAULT_ENGINEER_COST_USD * org.usd_to
        uc = uc.model_copy(
            update={"organisation": org.model_copy(update={"engineer_cost_per_year": cost})}
        )
        assumptions.append(
            Assumption(
                field="organisation.engineer_cost_per_year",
                value=f"{cost:,.0f} {org.currency}",
                origin="default",
                reason=f"not answered; USD {DEFAULT_ENGINEER_COST_USD:,.0f} a year fully loaded"
                " (the questionnaire spec's example figure), in the report currency",
            )
        )
    if updates_task:
        uc = uc.model_copy(update={"task": uc.task.model_copy(update=updates_task)})
    if updates_volume:
        uc = uc.model_copy(update={"volume": uc.volume.model_copy(update=updates_volume)})
    return uc, assumptions


def _get(obj: BaseModel, dotted: str) -> Any:
    cur: Any = obj
    for part in dotted.split("."):
        cur = getattr(cur, part)
    return cur


LATENCY_DEFAULTS: dict[bool, tuple[int, float]] = {True: (2_000, 20.0), False: (30_000, 5.0)}
"""(time to first token in ms, output tokens/s per answer) when the questionnaire gives none:
interactive task kinds (a person waits) and batch kinds. Estimates: a first token within two
seconds and generation faster than reading speed for a person; a looser bound for batch work
so that no answer takes minutes."""


def _latency_targets(uc: UseCase) -> tuple[UseCase, list[Assumption]]:
    """Fill the time-to-first-token and tokens-per-second targets from the task kind."""
    req = uc.requirements
    interactive = uc.task.kind in INTERACTIVE_KINDS
    ttft, speed = LATENCY_DEFAULTS[interactive]
    kind = "interactive" if interactive else "batch"
    updates: dict[str, Any] = {}
    notes = []
    if req.max_time_to_first_token_ms is None:
        updates["max_time_to_first_token_ms"] = ttft
        notes.append(
            Assumption(
                field="requirements.max_time_to_first_token_ms",
                value=f"{ttft:,}",
                origin="default",
                reason=f"not answered; the default for {kind} task kinds ({uc.task.kind})",
            )
        )
    if req.min_output_tokens_per_s is None:
        updates["min_output_tokens_per_s"] = speed
        notes.append(
            Assumption(
                field="requirements.min_output_tokens_per_s",
                value=f"{speed:g}",
                origin="default",
                reason=f"not answered; the default for {kind} task kinds ({uc.task.kind})",
            )
        )
    if updates:
        uc = uc.model_copy(update={"requirements": req.model_copy(update=updates)})
    return uc, notes


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]"
    if isinstance(value, float):
        return f"{value:,.0f}" if value >= 1000 else f"{value:g}"
    return str(value)


def _check_peak_carries_shape(loaded: LoadedUseCase, uc: UseCase, average: float) -> None:
    """A stated peak under a load shape must carry the month's requests: the shape runs at
    the peak only part of the week, so the peak is at least the average over its mean."""
    peak = uc.volume.peak_requests_per_second
    level = loadshape.mean_level(uc.load)
    if peak is not None and peak * level < average * (1 - 1e-9):
        raise InputError(
            f"peak {peak:g} requests/s under the {uc.load.load_shape} load shape (on average"
            f" {level:.0%} of the peak) serves fewer than the {uc.volume.requests_per_month:,.0f}"
            f" requests a month ({average:.3g}/s on average): raise the peak to at least"
            f" {average / level:.3g} or leave it out to derive it",
            path=loaded.path,
            line=loaded.lines.get(("volume", "peak_requests_per_second")),
            field="volume.peak_requests_per_second",
        )
