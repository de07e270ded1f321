"""Gate stage: rule out what a licence or a requirement forbids, and say why.

Each rule is a vectorised test over the whole options table (one row per option) plus a
sentence for the rows it hits. Licence rules quote the clause. Duties that do not exclude
(attribution, naming, passing use restrictions on) become obligations on the option.

Which terms bind which option: a make option is bound by the model's licence; a buy
option by the provider's API terms; a rent option by both (the licence governs your use
of the model even when someone else hosts it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from makebuy import finetune
from makebuy.config import Config
from makebuy.models.catalog import Catalog, Licence, Term, effective_price
from makebuy.models.result import (
    Assumption,
    Exclusion,
    GateResult,
    Migration,
    Obligation,
    Option,
)
from makebuy.models.stages import QualityTiers
from makebuy.models.usecase import UseCase
from makebuy.options import quality_tiers
from makebuy.seats import lifecycle_dates, product_of, use_case_exclusions
from makebuy.units import add_months


def quality_threshold(usecase: UseCase, tiers: QualityTiers) -> float:
    """The minimum quality on the catalog's scale that the questionnaire asks for: a tier
    starts where it does on the evaluation date (`options.quality_tiers`); a number stays
    absolute."""
    wanted = usecase.requirements.min_quality
    if isinstance(wanted, str):
        return float(tiers.minimum[wanted])
    return float(wanted)


@dataclass(frozen=True)
class _Ctx:
    usecase: UseCase
    catalog: Catalog
    on: dt.date
    horizon_end: dt.date
    tiers: QualityTiers | None = None
    """The quality tiers on `on`; computed from the options gated when not handed in."""
    config: Config | None = None
    """The organisation settings whose policy the `policy.*` rules apply."""

    def binding(self, option: Option) -> list[Licence]:
        """The licences whose terms bind this option (see the module docstring)."""
        ids = []
        if option.kind in ("make", "rent") and option.licence:
            ids.append(option.licence)
        if option.kind in ("buy", "rent") and option.terms:
            ids.append(option.terms)
        return [self.catalog.licences[i] for i in ids if i in self.catalog.licences]


def _term_hit(
    ctx: _Ctx, option: Option, name: str, test: Callable[[Term], bool]
) -> tuple[Licence, Term] | None:
    for lic in ctx.binding(option):
        term = getattr(lic.terms, name)
        if term is not None and test(term):
            return lic, term
    return None


def _licence_exclusion(code: str, lic: Licence, term: Term, message: str) -> Exclusion:
    return Exclusion(code=code, message=message, clause=term.clause, url=term.url or lic.url)


def lifecycle_on(
    catalog: Catalog, model: str, offering: str | None, on: dt.date
) -> tuple[dt.date | None, dt.date | None]:
    """Earliest deprecation and retirement dates of a model and its offering, as known on `on`.

    Only what was known on that date: a retirement announced later must not rule out an
    option, or change a recorded decision's facts, when looking back at an earlier date.
    """
    found = catalog.models.get(model)
    off = catalog.offerings.get(offering) if offering else None
    life = [
        x
        for x in ((off.lifecycle if off else None), (found.lifecycle if found else None))
        if x is not None and x.as_of <= on
    ]
    deprecated = [lf.deprecated for lf in life if lf.deprecated is not None]
    retires = [lf.retires for lf in life if lf.retires is not None]
    return (min(deprecated) if deprecated else None), (min(retires) if retires else None)


def _options_table(ctx: _Ctx, options: list[Option]) -> pd.DataFrame:
    """One row per option with the facts the rules read."""
    cat = ctx.catalog
    rows = []
    for o in options:
        model = cat.models[o.model]
        off = cat.offerings.get(o.offering) if o.offering else product_of(cat, o)
        deprecated, retires = (
            lifecycle_dates(cat, o, ctx.on)
            if o.kind == "seat"
            else lifecycle_on(cat, o.model, o.offering, ctx.on)
        )
        rows.append(
            {
                "id": o.id,
                "kind": o.kind,
                "model": o.model,
                "quality": o.quality,
                "context": o.context_tokens,
                "languages": model.languages.value if model.languages else None,
                "modalities": model.modalities.value if model.modalities else None,
                "regions": off.regions.value if off and off.regions else None,
                "zero_retention": off.data.zero_retention if off and off.data else None,
                "training_on_inputs": off.data.training_on_inputs if off and off.data else None,
                "sla": off.sla.value if off and off.sla else None,
                "deprecated": deprecated,
                "retires": retires,
            }
        )
    return pd.DataFrame(rows).set_index("id")


def gate(
    usecase: UseCase,
    catalog: Catalog,
    options: list[Option],
    on: dt.date,
    tiers: QualityTiers | None = None,
    config: Config | None = None,
) -> list[GateResult]:
    """Decide, for every option, whether it may be considered and what it obliges.

    `tiers`: the quality tiers on `on` (computed from `options` when not handed in).
    `config`: organisation settings whose policy rules options out (`policy.*` codes)."""
    ctx = _Ctx(
        usecase,
        catalog,
        on,
        add_months(on, usecase.volume.horizon_months),
        tiers,
        config,
    )
    if not options:
        return []
    table = _options_table(ctx, options)
    by_id = {o.id: o for o in options}
    exclusions: dict[str, list[Exclusion]] = {o.id: [] for o in options}
    for registered in _RULES:
        for option_id, exclusion in registered.rule(ctx, table, by_id):
            exclusions[option_id].append(exclusion)
    migrations = _plan_migrations(ctx, by_id, exclusions)
    results = []
    for o in options:
        obligations = _obligations(ctx, o)
        move = migrations.get(o.id)
        if move is not None:
            obligations.append(
                Obligation(
                    code="lifecycle.migration",
                    message=f"Retires on {move.on.isoformat()}; the provider names"
                    f" {move.successor} as its successor, so the horizon is costed at the"
                    " successor's price from then on, plus a one-off migration effort.",
                )
            )
        results.append(
            GateResult(
                option=o, exclusions=exclusions[o.id], obligations=obligations, migration=move
            )
        )
    return results


MIGRATION_TOLERATES: frozenset[str] = frozenset({"candidates", "released"})
"""Exclusions of a successor that do not stop a migration to it: the questionnaire's
candidate list names what to consider today, and a successor need only exist by the time
its predecessor retires (checked against its release date)."""


def successor_offering(catalog: Catalog, offering_id: str, on: dt.date) -> tuple[str, str] | None:
    """The offering the provider names as successor, as known on `on`, and the source id
    that names it. A successor given as a model id resolves to the same provider's
    offering of that model (the first by id)."""
    off = catalog.offerings[offering_id]
    model = catalog.models.get(off.model)
    for life in (off.lifecycle, model.lifecycle if model else None):
        if life is None or life.as_of > on or not life.successor:
            continue
        if life.successor in catalog.offerings:
            return life.successor, life.source
        same_provider = sorted(
            o.id
            for o in catalog.offerings.values()
            if o.model == life.successor and o.provider == off.provider
        )
        if same_provider:
            return same_provider[0], life.source
    return None


def _month_of(on: dt.date, day: dt.date, months: int) -> int:
    """The 0-based month of the horizon starting on `on` that contains `day`."""
    month = 0
    while month + 1 < months and add_months(on, month + 1) <= day:
        month += 1
    return month


def _plan_migrations(
    ctx: _Ctx, by_id: dict[str, Option], exclusions: dict[str, list[Exclusion]]
) -> dict[str, Migration]:
    """Options ruled out only because they retire within the horizon, whose documented
    successor is itself an option that passes the gate: the lifecycle exclusion is lifted
    and the move is recorded for the cost stage. Exclusions that stay say why."""
    out: dict[str, Migration] = {}
    cat = ctx.catalog
    as_gated = {k: list(v) for k, v in exclusions.items()}  # one hop: a retiring successor blocks
    for oid, found in as_gated.items():
        option = by_id[oid]
        if option.offering is None or [e.code for e in found] != ["lifecycle"]:
            continue
        deprecated, retires = lifecycle_on(cat, option.model, option.offering, ctx.on)
        # Migrate on retirement; when that is past the horizon, on the deprecation date
        # (what the provider asks for), so the move happens within the horizon either way.
        day = retires if retires is not None and retires <= ctx.horizon_end else deprecated
        if day is None or day <= ctx.on or (retires is not None and retires <= ctx.on):
            continue
        named = successor_offering(cat, option.offering, ctx.on)
        why = None
        if named is None:
            why = "The catalog names no successor."
        else:
            successor, source = named
            succ = cat.offerings[successor]
            kind = "rent" if cat.models[succ.model].open_weights else "buy"
            succ_id = f"{kind}:{successor}"
            blocking = [
                e.code for e in as_gated.get(succ_id, []) if e.code not in MIGRATION_TOLERATES
            ]
            released = succ.released or cat.models[succ.model].released
            if succ_id not in by_id:
                why = f"Its successor {successor} is not an option here."
            elif blocking:
                why = f"Its successor {successor} is ruled out too ({', '.join(blocking)})."
            elif released is not None and released.value > day:
                why = f"Its successor {successor} is released only on {released.value}."
            elif effective_price(succ.prices, day) is None:
                why = f"Its successor {successor} has no price on {day.isoformat()}."
            else:
                out[oid] = Migration(
                    on=day,
                    month=_month_of(ctx.on, day, ctx.usecase.volume.horizon_months),
                    successor=successor,
                    successor_option=succ_id,
                    source=source,
                )
                exclusions[oid] = []
                continue
        exclusions[oid] = [e.model_copy(update={"message": f"{e.message} {why}"}) for e in found]
    return out


Rule = Callable[[_Ctx, pd.DataFrame, dict[str, Option]], list[tuple[str, Exclusion]]]


@dataclass(frozen=True)
class _Registered:
    """A rule and the exclusion codes it may emit, declared where the rule is registered."""

    codes: tuple[str, ...]
    rule: Rule


_RULES: list[_Registered] = []
"""The rules in the order they run; an option's exclusions follow this order, so its first
exclusion (what summaries count it under) comes from the earliest rule that hit it."""


def _rule(*codes: str) -> Callable[[Rule], Rule]:
    """Register a rule under the codes it emits; GATE_CODES is read from these."""

    def register(fn: Rule) -> Rule:
        _RULES.append(_Registered(codes, fn))
        return fn

    return register


@_rule("candidates")
def _candidates(
    ctx: _Ctx, t: pd.DataFrame, by_id: dict[str, Option]
) -> list[tuple[str, Exclusion]]:
    cand = ctx.usecase.candidates
    out = []
    if cand.include:
        for oid in t.index[~t["model"].isin(cand.include)]:
            out.append((oid, Exclusion(code="candidates", message="not in candidates.include")))
    for oid in t.index[t["model"].isin(cand.exclude)]:
        out.append((oid, Exclusion(code="candidates", message="listed in candidates.exclude")))
    return out


def _term_rule(
    code: str,
    term_name: str,
    applies: Callable[[_Ctx], bool],
    test: Callable[[_Ctx, Term], bool],
    message: Callable[[_Ctx, Licence, Term], str],
) -> Rule:
    def rule(ctx: _Ctx, t: pd.DataFrame, by_id: dict[str, Option]) -> list[tuple[str, Exclusion]]:
        if not applies(ctx):
            return []
        out = []
        for oid in t.index:
            hit = _term_hit(ctx, by_id[oid], term_name, lambda term: test(ctx, term))
            if hit:
                lic, term = hit
                out.append((oid, _licence_exclusion(code, lic, term, message(ctx, lic, term))))
        return out

    return _rule(code)(rule)


_term_rule(
    "licence.commercial",
    "commercial_use",
    lambda c: c.usecase.requirements.commercial,
    lambda c, term: term.value == "forbidden",
    lambda c, lic, term: f"{lic.name} forbids commercial use, and this use case is commercial.",
)
_term_rule(
    "licence.mau_cap",
    "mau_cap",
    lambda c: c.usecase.users.monthly_active_users is not None,
    lambda c, term: (c.usecase.users.monthly_active_users or 0) > term.value,
    lambda c, lic, term: (
        f"{c.usecase.users.monthly_active_users:,} monthly active users exceed {lic.name}'s"
        f" cap of {term.value:,}: a separate licence from the licensor would be needed."
    ),
)
_term_rule(
    "licence.output_training",
    "output_training",
    lambda c: c.usecase.requirements.train_on_outputs,
    lambda c, term: term.value == "forbidden",
    lambda c, lic, term: (
        f"{lic.name} forbids using outputs to train or improve other models, and this use"
        " case trains on its outputs."
    ),
)
_term_rule(
    "licence.hosting",
    "hosting_service",
    lambda c: c.usecase.requirements.serve_model_to_third_parties,
    lambda c, term: term.value in ("forbidden", "separate-licence"),
    lambda c, lic, term: (
        f"{lic.name} "
        + ("forbids" if term.value == "forbidden" else "needs a separate licence for")
        + " offering the model to third parties as a hosted service."
    ),
)
_term_rule(
    "licence.acceptable_use",
    "acceptable_use",
    lambda c: bool(c.usecase.requirements.uses),
    lambda c, term: bool(set(c.usecase.requirements.uses) & set(term.value)),
    lambda c, lic, term: (
        f"{lic.name}'s acceptable-use policy bans "
        + ", ".join(sorted(set(c.usecase.requirements.uses) & set(term.value)))
        + "."
    ),
)


def _policy_hits(
    ctx: _Ctx,
    code: str,
    key: str,
    rows: list[str],
    value_of: Callable[[str], str | None],
    what: str,
    deny: bool,
) -> list[tuple[str, Exclusion]]:
    """Options whose value is on a deny list, or off a non-empty allow list."""
    if ctx.config is None:
        return []
    listed = getattr(ctx.config.policy, key)
    if not listed:
        return []
    quote = ctx.config.quotes.get(key, f"policy.{key}")
    out = []
    for oid in rows:
        value = value_of(oid)
        if deny and value is not None and value in listed:
            message = f"{what} {value} is denied by the organisation policy ({quote})."
        elif not deny and value not in listed:
            shown = value if value is not None else "(none recorded)"
            message = f"{what} {shown} is not allowed by the organisation policy ({quote})."
        else:
            continue
        out.append((oid, Exclusion(code=code, message=message)))
    return out


def _deny_and_allow(
    ctx: _Ctx,
    code: str,
    listed: str,
    rows: list[str],
    value_of: Callable[[str], str | None],
    what: str,
) -> list[tuple[str, Exclusion]]:
    """The `deny_<listed>` list's hits, then the `allow_<listed>` list's."""
    return [
        *_policy_hits(ctx, code, f"deny_{listed}", rows, value_of, what, deny=True),
        *_policy_hits(ctx, code, f"allow_{listed}", rows, value_of, what, deny=False),
    ]


@_rule("policy.provider")
def _policy_provider(
    ctx: _Ctx, t: pd.DataFrame, by_id: dict[str, Option]
) -> list[tuple[str, Exclusion]]:
    """Provider lists bind API options (buy and rent); self-hosting has no provider."""
    rows = [oid for oid in t.index if by_id[oid].kind in ("buy", "rent")]
    return _deny_and_allow(
        ctx, "policy.provider", "providers", rows, lambda o: by_id[o].provider, "Provider"
    )


@_rule("policy.model")
def _policy_model(
    ctx: _Ctx, t: pd.DataFrame, by_id: dict[str, Option]
) -> list[tuple[str, Exclusion]]:
    return _deny_and_allow(
        ctx, "policy.model", "models", list(t.index), lambda o: by_id[o].model, "Model"
    )


@_rule("policy.licence")
def _policy_licence(
    ctx: _Ctx, t: pd.DataFrame, by_id: dict[str, Option]
) -> list[tuple[str, Exclusion]]:
    """Licence lists bind the model's licence, whoever serves it."""
    return _deny_and_allow(
        ctx, "policy.licence", "licences", list(t.index), lambda o: by_id[o].licence, "Licence"
    )


@_rule("policy.kind")
def _policy_kind(
    ctx: _Ctx, t: pd.DataFrame, by_id: dict[str, Option]
) -> list[tuple[str, Exclusion]]:
    return _policy_hits(
        ctx,
        "policy.kind",
        "allowed_kinds",
        list(t.index),
        lambda o: by_id[o].kind,
        "Option kind",
        deny=False,
    )


@_rule("policy.region")
def _policy_region(
    ctx: _Ctx, t: pd.DataFrame, by_id: dict[str, Option]
) -> list[tuple[str, Exclusion]]:
    """API options must document processing in a required region; self-hosting is placed
    by the organisation itself."""
    if ctx.config is None or not ctx.config.policy.required_regions:
        return []
    wanted = set(ctx.config.policy.required_regions)
    quote = ctx.config.quotes.get("required_regions", "policy.required_regions")
    out = []
    for oid in t.index[_api_rows(t)]:
        regions = t.at[oid, "regions"]
        if isinstance(regions, list) and wanted & set(regions):
            continue
        have = ", ".join(regions) if isinstance(regions, list) else "no documented region"
        out.append(
            (
                oid,
                Exclusion(
                    code="policy.region",
                    message=f"The organisation policy requires processing in"
                    f" {', '.join(sorted(wanted))} ({quote}); the offering documents {have}.",
                ),
            )
        )
    return out


@_rule("licence.redistribution")
def _redistribution(
    ctx: _Ctx, t: pd.DataFrame, by_id: dict[str, Option]
) -> list[tuple[str, Exclusion]]:
    if not ctx.usecase.requirements.redistribute_weights:
        return []
    out = []
    for oid in t.index[t["kind"] != "make"]:
        out.append(
            (
                oid,
                Exclusion(
                    code="licence.redistribution",
                    message="Weights must ship to customers or devices, which an API option"
                    " cannot do.",
                ),
            )
        )
    for oid in t.index[t["kind"] == "make"]:
        hit = _term_hit(ctx, by_id[oid], "redistribution", lambda term: term.value == "forbidden")
        if hit:
            lic, term = hit
            out.append(
                (
                    oid,
                    _licence_exclusion(
                        "licence.redistribution",
                        lic,
                        term,
                        f"{lic.name} forbids redistributing the weights.",
                    ),
                )
            )
    return out


@_rule("licence.region")
def _licence_region(
    ctx: _Ctx, t: pd.DataFrame, by_id: dict[str, Option]
) -> list[tuple[str, Exclusion]]:
    domicile = ctx.usecase.organisation.domicile
    if domicile is None:
        return []
    out = []
    for oid in t.index:
        modalities: list[str] | None = t.loc[oid, "modalities"]
        multimodal = bool(set(modalities or ["text"]) - {"text"})

        def blocks(term: Term, mm: bool = multimodal) -> bool:
            return domicile in term.value and (mm or not term.multimodal_only)

        hit = _term_hit(ctx, by_id[oid], "region", blocks)
        if hit:
            lic, term = hit
            out.append(
                (
                    oid,
                    _licence_exclusion(
                        "licence.region",
                        lic,
                        term,
                        f"{lic.name} grants no rights to organisations domiciled in {domicile}"
                        + (" for multimodal models." if term.multimodal_only else "."),
                    ),
                )
            )
    return out


def _api_rows(t: pd.DataFrame) -> pd.Series:
    return t["kind"] != "make"


@_rule("data.environment")
def _data_environment(
    ctx: _Ctx, t: pd.DataFrame, by_id: dict[str, Option]
) -> list[tuple[str, Exclusion]]:
    if not ctx.usecase.data.must_stay_in_environment:
        return []
    msg = "Prompts must stay in the organisation's environment; an external API processes them."
    return [(oid, Exclusion(code="data.environment", message=msg)) for oid in t.index[_api_rows(t)]]


@_rule("data.region")
def _data_region(
    ctx: _Ctx, t: pd.DataFrame, by_id: dict[str, Option]
) -> list[tuple[str, Exclusion]]:
    wanted = set(ctx.usecase.data.regions)
    if not wanted:
        return []
    ok = t["regions"].map(lambda r: bool(wanted & set(r)) if isinstance(r, list) else False)
    out = []
    for oid in t.index[_api_rows(t) & ~ok]:
        regions = t.at[oid, "regions"]
        have = ", ".join(regions) if isinstance(regions, list) else "no documented region"
        out.append(
            (
                oid,
                Exclusion(
                    code="data.region",
                    message=f"Processing must happen in {', '.join(sorted(wanted))}; the"
                    f" offering documents {have}.",
                ),
            )
        )
    return out


@_rule("data.retention")
def _data_retention(
    ctx: _Ctx, t: pd.DataFrame, by_id: dict[str, Option]
) -> list[tuple[str, Exclusion]]:
    if not ctx.usecase.data.zero_retention_required:
        return []
    bad = _api_rows(t) & ~t["zero_retention"].isin(["available", "on-approval"])
    out = []
    for oid in t.index[bad]:
        state = t.at[oid, "zero_retention"]
        why = "is not offered" if state == "unavailable" else "is not documented in the catalog"
        out.append(
            (
                oid,
                Exclusion(
                    code="data.retention",
                    message=f"Zero data retention is required and {why} for this offering.",
                ),
            )
        )
    return out


@_rule("data.training")
def _data_training(
    ctx: _Ctx, t: pd.DataFrame, by_id: dict[str, Option]
) -> list[tuple[str, Exclusion]]:
    if ctx.usecase.data.classification not in ("confidential", "regulated"):
        return []
    bad = _api_rows(t) & t["training_on_inputs"].map(lambda v: v is True)
    msg = (
        f"The provider trains on API inputs by default, and the data is"
        f" {ctx.usecase.data.classification}."
    )
    return [(oid, Exclusion(code="data.training", message=msg)) for oid in t.index[bad]]


@_rule("context")
def _context(ctx: _Ctx, t: pd.DataFrame, by_id: dict[str, Option]) -> list[tuple[str, Exclusion]]:
    need = ctx.usecase.task.context_tokens or 0
    context = pd.to_numeric(t["context"], errors="coerce")
    out = []
    for oid in t.index[context.isna() | (context < need)]:
        have = context[oid]
        msg = (
            "The catalog holds no context window for this option."
            if pd.isna(have)
            else f"Needs {need:,} tokens of context; the model has {int(have):,}."
        )
        out.append((oid, Exclusion(code="context", message=msg)))
    return out


def _missing(wanted: list[str], column: pd.Series) -> pd.Series:
    return column.map(
        lambda have: sorted(set(wanted) - set(have)) if isinstance(have, list) else []
    )


@_rule("language")
def _language(ctx: _Ctx, t: pd.DataFrame, by_id: dict[str, Option]) -> list[tuple[str, Exclusion]]:
    missing = _missing(ctx.usecase.task.languages, t["languages"])
    return [
        (
            oid,
            Exclusion(
                code="language",
                message=f"The model does not list {', '.join(missing[oid])} among its languages.",
            ),
        )
        for oid in t.index[missing.map(bool)]
    ]


@_rule("modality")
def _modality(ctx: _Ctx, t: pd.DataFrame, by_id: dict[str, Option]) -> list[tuple[str, Exclusion]]:
    wanted = ctx.usecase.task.modalities
    filled = t["modalities"].map(lambda m: m if isinstance(m, list) else ["text"])
    missing = _missing(list(wanted), filled)
    return [
        (
            oid,
            Exclusion(
                code="modality",
                message=f"The model does not accept {', '.join(missing[oid])} input.",
            ),
        )
        for oid in t.index[missing.map(bool)]
    ]


@_rule("quality")
def _quality(ctx: _Ctx, t: pd.DataFrame, by_id: dict[str, Option]) -> list[tuple[str, Exclusion]]:
    tiers = ctx.tiers or quality_tiers(ctx.catalog, list(by_id.values()), ctx.on)
    need = quality_threshold(ctx.usecase, tiers)
    quality = pd.to_numeric(t["quality"], errors="coerce")
    wanted = ctx.usecase.requirements.min_quality
    label = f"{wanted} ({need:g})" if isinstance(wanted, str) else f"{need:g}"
    if isinstance(wanted, str) and tiers.relative:
        label = f"{wanted} ({need:g} on {ctx.on.isoformat()}, relative to the best model then)"
    out = []
    # No evidence is never read as quality 0: the option cannot be scored on capability.
    for oid in t.index[quality.isna()]:
        out.append(
            (oid, Exclusion(code="quality", message="The catalog holds no quality evidence."))
        )
    for oid in t.index[quality < need]:
        out.append(
            (
                oid,
                Exclusion(
                    code="quality",
                    message=f"Quality {quality[oid]:g} is below the required {label} on the"
                    " catalog's scale.",
                ),
            )
        )
    return out


@_rule("released")
def _released(ctx: _Ctx, t: pd.DataFrame, by_id: dict[str, Option]) -> list[tuple[str, Exclusion]]:
    """Looking back (--as-of), a model released, or an offering first served, after the
    evaluation date was no option."""
    out = []
    for oid in t.index:
        option = by_id[oid]
        off = ctx.catalog.offerings.get(option.offering) if option.offering else None
        dates = [
            (what, fig.value)
            for what, fig in (
                ("Released", ctx.catalog.models[option.model].released),
                ("First served by the provider", off.released if off else None),
            )
            if fig is not None and fig.value > ctx.on
        ]
        if dates:
            what, day = dates[0]
            out.append(
                (
                    oid,
                    Exclusion(
                        code="released",
                        message=f"{what} on {day.isoformat()}, after the evaluation"
                        f" date {ctx.on.isoformat()}.",
                    ),
                )
            )
    return out


def undated_models(catalog: Catalog, options: list[Option], on: dt.date) -> list[Assumption]:
    """When looking back, say which models and offerings could not be checked for existing
    yet."""
    if on >= catalog.as_of:
        return []
    undated = sorted({o.model for o in options if catalog.models[o.model].released is None})
    unserved = sorted(
        {
            o.offering
            for o in options
            if o.offering is not None and catalog.offerings[o.offering].released is None
        }
    )
    return [
        Assumption(
            field=field,
            value=f"{len(ids)} {noun} undated",
            origin="default",
            reason=f"the catalog gives no {what} "
            + ", ".join(ids)
            + f"; they were not ruled out as {when} after {on.isoformat()}.",
        )
        for field, ids, noun, what, when in (
            ("catalog.released", undated, "models", "release date for", "released"),
            (
                "catalog.offerings.released",
                unserved,
                "offerings",
                "date the provider started serving",
                "first served",
            ),
        )
        if ids
    ]


def _date(value: object) -> dt.date | None:
    return value if isinstance(value, dt.date) else None


@_rule("lifecycle")
def _lifecycle(ctx: _Ctx, t: pd.DataFrame, by_id: dict[str, Option]) -> list[tuple[str, Exclusion]]:
    end = ctx.horizon_end

    def before_end(day: object) -> bool:
        return isinstance(day, dt.date) and day <= end

    hit = t["deprecated"].map(before_end) | t["retires"].map(before_end)
    out = []
    for oid in t.index[hit]:
        dep, ret = _date(t.at[oid, "deprecated"]), _date(t.at[oid, "retires"])
        if ret is not None and ret <= ctx.on:
            message = f"Retired on {ret.isoformat()}."
        else:
            parts = [f"deprecated on {dep.isoformat()}"] if dep is not None else []
            parts += [f"retires on {ret.isoformat()}"] if ret is not None else []
            said = "; ".join(parts)
            message = f"{said[0].upper()}{said[1:]}, within the horizon ending {end.isoformat()}."
        out.append((oid, Exclusion(code="lifecycle", message=message)))
    return out


@_rule("sla")
def _sla(ctx: _Ctx, t: pd.DataFrame, by_id: dict[str, Option]) -> list[tuple[str, Exclusion]]:
    if not ctx.usecase.requirements.sla_required:
        return []
    bad = _api_rows(t) & ~t["sla"].map(lambda v: v is True)
    msg = "A contractual SLA is required and the catalog records none for this offering."
    return [(oid, Exclusion(code="sla", message=msg)) for oid in t.index[bad]]


@_rule("seat.use_case")
def _seat_use_case(
    ctx: _Ctx, t: pd.DataFrame, by_id: dict[str, Option]
) -> list[tuple[str, Exclusion]]:
    return use_case_exclusions(ctx.usecase, list(t.index[t["kind"] == "seat"]))


@_rule(finetune.EXCLUSION_CODE)
def _fine_tuning(
    ctx: _Ctx, t: pd.DataFrame, by_id: dict[str, Option]
) -> list[tuple[str, Exclusion]]:
    api = [by_id[oid] for oid in t.index[_api_rows(t)]]
    seats = [by_id[oid] for oid in t.index[t["kind"] == "seat"]]
    return finetune.gate_exclusions(ctx.usecase, ctx.catalog, ctx.on, api) + (
        finetune.seat_exclusions(seats) if ctx.usecase.requirements.fine_tuning == "planned" else []
    )


GATE_CODES: tuple[str, ...] = tuple(code for registered in _RULES for code in registered.codes)
"""Every exclusion code the gate emits, in the order its rules run (read from the rules, so
a new rule is listed by registering it). The enum for a JSON Schema of gate exclusions."""


def _obligations(ctx: _Ctx, option: Option) -> list[Obligation]:
    """Duties that come with choosing the option, each with its clause."""
    req = ctx.usecase.requirements
    out: list[Obligation] = []

    def add(code: str, lic: Licence, term: Term, message: str) -> None:
        out.append(
            Obligation(code=code, message=message, clause=term.clause, url=term.url or lic.url)
        )

    for lic in ctx.binding(option):
        terms = lic.terms
        if terms.attribution:
            add(
                "licence.attribution",
                lic,
                terms.attribution,
                f"{lic.name}: {terms.attribution.value}",
            )
        if terms.naming and req.fine_tuning != "none":
            add("licence.naming", lic, terms.naming, f"{lic.name}: {terms.naming.value}")
        if terms.share_alike and terms.share_alike.value and req.fine_tuning != "none":
            add(
                "licence.share_alike",
                lic,
                terms.share_alike,
                f"{lic.name}: fine-tuned derivatives must be shared under the same licence.",
            )
        if terms.pass_through and terms.pass_through.value:
            add(
                "licence.pass_through",
                lic,
                terms.pass_through,
                f"{lic.name}: pass its use restrictions on to anyone you distribute the model"
                " or its derivatives to.",
            )
        if terms.mau_cap and ctx.usecase.users.monthly_active_users is None:
            add(
                "licence.mau_cap",
                lic,
                terms.mau_cap,
                f"{lic.name}: above {terms.mau_cap.value:,} monthly active users a separate"
                " licence is needed (the questionnaire gives no MAU).",
            )
        if (
            terms.output_training
            and terms.output_training.value != "allowed"
            and not req.train_on_outputs
        ):
            add(
                "licence.output_training",
                lic,
                terms.output_training,
                f"{lic.name}: do not use outputs to train or improve other models.",
            )
        if terms.acceptable_use and terms.acceptable_use.value:
            add(
                "licence.acceptable_use",
                lic,
                terms.acceptable_use,
                f"{lic.name}: comply with its acceptable-use policy (bans "
                + ", ".join(terms.acceptable_use.value)
                + ").",
            )
        if terms.royalties:
            add("licence.royalties", lic, terms.royalties, f"{lic.name}: {terms.royalties.value}")
        if terms.remote_restriction and terms.remote_restriction.value:
            add(
                "licence.remote_restriction",
                lic,
                terms.remote_restriction,
                f"{lic.name}: the licensor may restrict usage remotely if it believes the"
                " licence is breached.",
            )
        if terms.region and ctx.usecase.organisation.domicile is None:
            add(
                "licence.region",
                lic,
                terms.region,
                f"{lic.name}: no rights for organisations domiciled in "
                + ", ".join(terms.region.value)
                + (" (multimodal models only)" if terms.region.multimodal_only else "")
                + "; the questionnaire gives no organisation.domicile.",
            )
    if option.offering:
        off = ctx.catalog.offerings[option.offering]
        if (
            ctx.usecase.data.zero_retention_required
            and off.data
            and off.data.zero_retention == "on-approval"
        ):
            out.append(
                Obligation(
                    code="data.retention",
                    message=f"Apply to {option.provider} for zero data retention: it is granted"
                    " on approval only.",
                )
            )
    if option.kind == "make":
        out.append(
            Obligation(
                code="operations.safety",
                message="You carry safety filtering, monitoring, uptime and model updates:"
                " no vendor does it for you.",
            )
        )
    return sorted(out, key=lambda o: (o.code, o.message))
