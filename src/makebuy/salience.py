"""Which assumptions matter most: the ones the terminal report shows at its end.

An assessment makes twenty or more assumptions; the table cannot list them all, and most
(a cost-model constant, a default nobody would change) do not move the outcome. This stage
picks, from what earlier stages recorded, the defaults that did move it:

- a default that ruled options out (commercial use assumed, so a non-commercial licence
  is out): the exclusion codes that rule reads are listed in `RULED_OUT_BY`;
- a priority left at its default when the robustness stage found a tipping point next to
  it (one step up or down changes the winner);
- the default horizon or growth when a volume tipping point lies within 2x today's volume;
- the default engineer cost or MLOps answer when a self-hosted option is first or second.

It computes no figure: it quotes counts and tipping points the earlier stages found.
"""

from __future__ import annotations

from collections import Counter

from makebuy.models.result import Assessment, Assumption, KeyAssumption

MAX_KEY_ASSUMPTIONS = 5
"""Most assumptions the terminal report lists; the rest are counted."""

RULED_OUT_BY: dict[str, tuple[str, ...]] = {
    "requirements.commercial": ("licence.commercial",),
    "users.external": ("licence.mau_cap",),
    "users.monthly_active_users": ("licence.mau_cap",),
    "requirements.train_on_outputs": ("licence.output_training", "data.training"),
    "requirements.serve_model_to_third_parties": ("licence.hosting",),
    "requirements.uses": ("licence.acceptable_use",),
    "requirements.redistribute_weights": ("licence.redistribution",),
    "data.must_stay_in_environment": ("data.environment",),
    "data.regions": ("data.region",),
    "data.zero_retention_required": ("data.retention",),
    "task.context_tokens": ("context",),
    "requirements.min_quality": ("quality",),
    "quality tiers": ("quality",),
    "requirements.sla_required": ("sla",),
    "requirements.max_latency_p95_ms": ("latency",),
    "organisation.cloud": ("capacity", "price.missing"),
    "organisation.gpu_commitment": ("capacity", "price.missing"),
}
"""A questionnaire default -> the exclusion codes of the rules that read it."""

VOLUME_DEFAULTS = ("volume.horizon_months", "volume.growth_per_year")
STAFF_DEFAULTS = ("organisation.engineer_cost_per_year", "organisation.mlops_team")
NEAR_VOLUME_FACTOR = 2.0
"""A volume tipping point within this factor of today's volume makes growth matter."""


def key_assumptions(a: Assessment) -> list[KeyAssumption]:
    """The assumptions that moved this outcome, most options affected first."""
    titles = {o.id: o.title for o in a.options}
    first_codes = Counter(
        o.exclusions[0].code for o in a.options if o.status == "excluded" and o.exclusions
    )
    ranked = sorted((o for o in a.options if o.rank is not None), key=lambda o: o.rank or 0)
    found: list[tuple[int, KeyAssumption]] = []
    for x in a.assumptions:
        if x.origin not in ("default", "derived"):
            continue
        why: str | None = None
        weight = 0
        codes = RULED_OUT_BY.get(x.field, ())
        ruled_out = sum(first_codes[c] for c in codes)
        if ruled_out:
            which = ", ".join(c for c in codes if first_codes[c])
            why = f"rules out {ruled_out} option{'' if ruled_out == 1 else 's'} ({which})"
            weight = ruled_out
        elif a.robustness is not None and x.origin == "default":
            why = _tipping(x.field, a, titles)
            weight = 1 if why else 0
        staff = x.field in STAFF_DEFAULTS and x.origin == "default"
        if why is None and staff and any(o.kind == "make" for o in ranked[:2]):
            why = "a self-hosted option is first or second, and its staff cost rests on this"
            weight = 1
        if why is not None:
            found.append((weight, _key(x, why)))
    found.sort(key=lambda pair: -pair[0])  # stable: ties keep the assumptions' order
    return [k for _, k in found]


def _tipping(field: str, a: Assessment, titles: dict[str, str]) -> str | None:
    """The tipping point next to a default, as a phrase; None when there is none."""
    r = a.robustness
    assert r is not None
    if field == "priorities" or field.startswith("priorities."):
        criterion = field.partition(".")[2]
        for t in r.priority_tipping:
            if criterion and t.criterion != criterion:
                continue
            for step, winner in ((t.lower, t.lower_winner), (t.higher, t.higher_winner)):
                if step is not None and winner is not None and abs(step - t.priority) == 1:
                    return (
                        f"{t.criterion} priority {step} instead of {t.priority} makes"
                        f" {titles.get(winner, winner)} the winner"
                    )
        return None
    if field in VOLUME_DEFAULTS:
        for v in r.volume_tipping:
            if 1 / NEAR_VOLUME_FACTOR <= v.factor <= NEAR_VOLUME_FACTOR:
                return (
                    f"the winner changes at {v.factor:.2g}x today's volume"
                    f" ({titles.get(v.above, v.above)} above it)"
                )
    return None


def _key(x: Assumption, why: str) -> KeyAssumption:
    return KeyAssumption(field=x.field, value=x.value, origin=x.origin, why=why)
