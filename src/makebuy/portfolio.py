"""Portfolio stage: assess many questionnaires against one catalog and add them up.

Leadership asks three questions of a set of use cases: what each one should do, what the
whole set costs under a simple policy ("buy everything", "make everything we may") versus
the recommended mix, and how the mix splits between buy, rent and make. The sums and
differences are computed here, so renderers only format them.

Use cases may report in different currencies; the portfolio then adds up in USD, each
figure divided by its questionnaire's `organisation.usd_to` (and says so per use case).

A policy takes, per use case, the option of its kind that the assessment ranks highest;
where no option of that kind survived the gate, the use case keeps its recommended option
(and the policy counts it as a fallback), so the three totals cover the same use cases.

When a questionnaire declares a shared inference platform (`organisation.platform`), the
portfolio spreads the platform's monthly cost across the use cases that run on it (those
whose recommendation is make or hybrid) and shows the marginal cost of one more use case:
its own GPUs (and fine-tuning) plus the marginal staff of one more model, no new platform.
"""

from __future__ import annotations

import datetime as dt
import glob
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field

from makebuy import platform as shared
from makebuy.errors import MakebuyError
from makebuy.models.result import OPTION_KINDS, Assessment, OptionKind, OptionResult
from makebuy.money import money
from makebuy.score import Method

if TYPE_CHECKING:
    from makebuy.config import Config
    from makebuy.models.usecase import UseCase

PORTFOLIO_SCHEMA_VERSION = 1
QUESTIONNAIRE_SUFFIXES = (".yaml", ".yml")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Pick(_Frozen):
    """One option chosen for a use case: by the recommendation or by a policy."""

    option: str = Field(description="Option id.")
    title: str
    kind: OptionKind
    total: float = Field(description="Total cost over the use case's horizon.")
    per_million_tokens: float


class UseCaseLine(_Frozen):
    """One questionnaire of the portfolio and what the assessment made of it."""

    path: str
    name: str
    owner: str | None
    horizon_months: int | None = Field(description="Months the totals cover.")
    recommended: Pick | None = Field(description="Null when every option was ruled out.")
    best_buy: Pick | None = Field(description="Highest-ranked buy option, if any survived.")
    best_make: Pick | None = Field(description="Highest-ranked make option, if any survived.")
    summary: str = Field(description="The assessment's one-line summary.")
    converted_from: str | None = Field(
        None, description="The use case's own currency when its figures were converted to USD."
    )
    usd_to: float | None = Field(None, description="The rate its figures were divided by.")


class Failure(_Frozen):
    """A questionnaire that could not be assessed; the others still were."""

    path: str
    message: str


class Strategy(_Frozen):
    """The portfolio's total under one policy."""

    name: Literal["buy", "make", "mix"]
    label: str
    total: float = Field(
        description="Sum over use cases with a recommendation, each horizon; with a shared"
        " platform, its cost counted once (spread over the use cases on it)."
    )
    use_cases: int = Field(description="Use cases the total covers.")
    fallbacks: int = Field(
        description="Use cases with no option of the policy's kind; they keep the"
        " recommended option."
    )


class Saving(_Frozen):
    """How much one strategy saves against another (negative: it costs more)."""

    strategy: Literal["buy", "make", "mix"]
    versus: Literal["buy", "make", "mix"]
    amount: float = Field(description="versus.total - strategy.total.")
    share: float | None = Field(description="amount / versus.total; null when that is 0.")


class KindShare(_Frozen):
    """The recommended mix: use cases and cost by kind of option."""

    kind: OptionKind
    use_cases: int
    total: float
    share: float | None = Field(description="total / the mix's total; null when that is 0.")


class PlatformUseCase(_Frozen):
    """One use case of the portfolio seen from the shared platform (portfolio currency)."""

    path: str
    name: str
    declared: bool = Field(description="Its questionnaire declares the platform (exists: true).")
    on_platform: bool = Field(
        description="Its recommendation is make or hybrid, so it runs on the platform."
    )
    share_charged: float | None = Field(
        description="Platform share a month its own assessment charged (its questionnaire's"
        " monthly_cost / use_cases); null when it charged none."
    )
    share_spread: float | None = Field(
        description="Platform cost a month spread over the use cases on the platform; null"
        " when it is not on the platform or no questionnaire gives the platform's cost."
    )
    marginal_option: str | None = Field(
        description="Its best self-hosted option, whose marginal cost is shown; null when"
        " no self-hosted option survived the gate."
    )
    marginal_monthly: float | None = Field(
        description="What that option costs a month on the platform as one more use case:"
        " everything but staff and platform share (GPUs, fine-tuning), averaged over the"
        " horizon, plus the marginal staff of one more model; no platform share."
    )


class PlatformSummary(_Frozen):
    """The shared inference platform across the portfolio (portfolio currency, per month)."""

    monthly_cost: float | None = Field(
        description="The platform and its team a month, as the questionnaires give it (the"
        " largest when they differ); null when none gives monthly_cost or team_fte."
    )
    on_platform: int = Field(description="Use cases whose recommendation runs on it.")
    share_monthly: float | None = Field(
        description="monthly_cost spread over the use cases on it whose questionnaire declares"
        " it, or over the `use_cases` that questionnaire gives when more; null when no cost is"
        " given or no declaring use case runs on it."
    )
    fte_per_model: float = Field(
        description="Engineers one more model needs on the platform (questionnaire or the"
        " default assumption, makebuy.platform.FTE_PER_MODEL_ON_PLATFORM)."
    )
    marginal_staff_monthly: float = Field(
        description="What fte_per_model costs a month at the declaring questionnaire's"
        " engineer cost: the staff one more use case adds."
    )
    use_cases: list[PlatformUseCase]
    notes: list[str] = Field(description="What the figures rest on, in sentences.")
    line: str = Field(description="One sentence: the spread and the next use case's cost.")


class Portfolio(_Frozen):
    """The result of `makebuy portfolio`."""

    schema_version: int = PORTFOLIO_SCHEMA_VERSION
    currency: str
    catalog_fingerprint: str
    catalog_as_of: dt.date
    evaluated_on: dt.date | None = Field(description="Null when no questionnaire assessed.")
    method: Method
    use_cases: list[UseCaseLine]
    failures: list[Failure]
    strategies: list[Strategy]
    savings: list[Saving]
    mix: list[KindShare]
    line: str = Field(description="The one-line summary at the end of every portfolio report.")
    platform: PlatformSummary | None = Field(
        None,
        exclude_if=lambda v: v is None,
        description="The shared inference platform, when a questionnaire declares one"
        " (organisation.platform.exists); the key is absent otherwise.",
    )

    def strategy(self, name: str) -> Strategy | None:
        """The strategy called `name` (buy, make or mix), for templates."""
        return next((s for s in self.strategies if s.name == name), None)

    @property
    def failed(self) -> bool:
        """True when a questionnaire failed or a use case got no recommendation."""
        return bool(self.failures) or any(u.recommended is None for u in self.use_cases)


def expand_paths(paths: Iterable[str | Path]) -> tuple[list[Path], list[Failure]]:
    """Files as given, folders' own *.yaml/*.yml (not subfolders': use a `**` glob for
    those), globs expanded; each folder or glob sorted, a file named twice kept once."""
    found: list[Path] = []
    failures: list[Failure] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            matches = sorted(
                p for p in path.iterdir() if p.suffix in QUESTIONNAIRE_SUFFIXES and p.is_file()
            )
            if not matches:
                failures.append(
                    Failure(
                        path=str(path),
                        message="no questionnaires (*.yaml, *.yml) found under this folder",
                    )
                )
        elif path.exists():
            matches = [path]
        elif glob.has_magic(str(raw)):
            matches = sorted(Path(p) for p in glob.glob(str(raw), recursive=True))
            matches = [p for p in matches if p.is_file()]
            if not matches:
                failures.append(Failure(path=str(raw), message="no file matches this pattern"))
        else:
            matches = []
            failures.append(Failure(path=str(raw), message="no such file or folder"))
        found.extend(matches)
    unique = {p.resolve(): p for p in reversed(found)}  # the first mention wins
    return sorted(unique.values(), key=found.index), failures


def _pick(option: OptionResult | None) -> Pick | None:
    if option is None or option.cost is None:
        return None
    return Pick(
        option=option.id,
        title=option.title,
        kind=option.kind,
        total=option.cost.total,
        per_million_tokens=option.cost.per_million_tokens,
    )


def use_case_line(path: Path, a: Assessment) -> UseCaseLine:
    """What the portfolio keeps of one assessment, in its own currency (`in_usd` converts)."""
    by_id = {o.id: o for o in a.options}
    ranked = sorted((o for o in a.options if o.rank is not None), key=lambda o: o.rank or 0)
    recommended = by_id.get(a.recommendation.option or "")
    return UseCaseLine(
        path=str(path),
        name=a.usecase.name,
        owner=a.usecase.owner,
        horizon_months=len(recommended.cost.monthly) if recommended and recommended.cost else None,
        recommended=_pick(recommended),
        best_buy=_pick(next((o for o in ranked if o.kind == "buy"), None)),
        best_make=_pick(next((o for o in ranked if o.kind == "make"), None)),
        summary=a.summary.line,
        converted_from=None,
        usd_to=None,
    )


def in_usd(line: UseCaseLine, currency: str, usd_to: float | None) -> UseCaseLine:
    """`line` (figures in `currency`) with its figures divided by `usd_to` (units of
    `currency` per USD), and the conversion noted."""
    if not usd_to:
        return line.model_copy(update={"usd_to": usd_to})
    factor = 1.0 / usd_to

    def scaled(pick: Pick | None) -> Pick | None:
        if pick is None:
            return None
        return pick.model_copy(
            update={
                "total": pick.total * factor,
                "per_million_tokens": pick.per_million_tokens * factor,
            }
        )

    return line.model_copy(
        update={
            "recommended": scaled(line.recommended),
            "best_buy": scaled(line.best_buy),
            "best_make": scaled(line.best_make),
            "converted_from": currency,
            "usd_to": usd_to,
        }
    )


_LABELS = {
    "buy": "Buy everything",
    "make": "Make everything that may be made",
    "mix": "Recommended mix",
}


class PlatformCharge(_Frozen):
    """What one use case's questionnaire says of the platform (portfolio currency), so a
    strategy total can count the platform once instead of once per questionnaire."""

    share: float = Field(
        description="The share a month its self-hosting options were charged (0: none)."
    )
    recommended_on: bool = Field(description="Its recommendation runs on the platform.")
    declared: bool = Field(
        description="Its questionnaire declares the platform; one that does not pays its own"
        " operations staff and no share, whatever it runs."
    )


class PlatformSpread(_Frozen):
    """The platform's cost a month and what each use case was charged for it."""

    monthly_cost: float
    sharing: int | None = Field(
        description="Use cases the questionnaires say share it (the largest `use_cases`);"
        " the portfolio may hold only some of them."
    )
    charges: list[PlatformCharge]


class PolicyPick(NamedTuple):
    """One use case under one policy: its pick, whether it fell back to the recommendation,
    its total, and whether the platform's cost is spread over it."""

    pick: Pick
    fell_back: bool
    total: float
    counted: bool


def _policy_picks(
    lines: Sequence[UseCaseLine], name: str, spread: PlatformSpread | None
) -> list[PolicyPick]:
    """Each decided use case under policy `name` (buy, make or mix). With a platform
    spread, the share its questionnaire charged a self-hosting pick is replaced by the
    platform's cost spread over the declaring use cases this policy runs on it."""
    chosen = []
    for i, u in enumerate(lines):
        if u.recommended is None:
            continue
        charge = spread.charges[i] if spread else None
        pick = {"buy": u.best_buy, "make": u.best_make, "mix": u.recommended}[name]
        fell_back = pick is None
        if pick is None or name == "mix":
            pick, runs = u.recommended, bool(charge and charge.recommended_on)
        else:
            runs = name == "make"
        counted = runs and bool(charge and charge.declared)
        chosen.append((u, pick, fell_back, runs, counted, charge))
    on = sum(1 for *_, counted, _ in chosen if counted)
    each = spread.monthly_cost / max(on, spread.sharing or 0) if spread and on else 0.0
    result = []
    for u, pick, fell_back, runs, counted, charge in chosen:
        total = pick.total
        if charge is not None:
            paid = charge.share if runs else 0.0
            total += ((each if counted else 0.0) - paid) * (u.horizon_months or 0)
        result.append(PolicyPick(pick, fell_back, total, counted))
    return result


def strategies(
    lines: Sequence[UseCaseLine], spread: PlatformSpread | None = None
) -> list[Strategy]:
    """Totals of the three policies over the use cases that have a recommendation; with a
    shared platform, each counts the platform's cost once (see `_policy_picks`)."""
    decided = sum(1 for u in lines if u.recommended is not None)
    result = []
    for name in ("buy", "make", "mix"):
        picks = _policy_picks(lines, name, spread)
        result.append(
            Strategy(
                name=name,
                label=_LABELS[name],
                total=sum(p.total for p in picks),
                use_cases=decided,
                fallbacks=sum(1 for p in picks if p.fell_back),
            )
        )
    return result


def savings(strategy_totals: Sequence[Strategy]) -> list[Saving]:
    """The mix against each policy, and make against buy."""
    by_name = {s.name: s for s in strategy_totals}
    pairs = [("mix", "buy"), ("mix", "make"), ("make", "buy")]
    result = []
    for strategy, versus in pairs:
        if strategy not in by_name or versus not in by_name:
            continue
        amount = by_name[versus].total - by_name[strategy].total
        base = by_name[versus].total
        result.append(
            Saving(
                strategy=strategy,
                versus=versus,
                amount=amount,
                share=amount / base if base else None,
            )
        )
    return result


def kind_mix(lines: Sequence[UseCaseLine], spread: PlatformSpread | None = None) -> list[KindShare]:
    """The recommended options by kind, in the order buy, rent, make, hybrid; their totals
    add up to the mix strategy's."""
    picks = [(p.pick.kind, p.total) for p in _policy_picks(lines, "mix", spread)]
    grand = sum(total for _, total in picks)
    result = []
    for kind in OPTION_KINDS:
        of_kind = [total for k, total in picks if k == kind]
        if of_kind:
            total = sum(of_kind)
            result.append(
                KindShare(
                    kind=kind,
                    use_cases=len(of_kind),
                    total=total,
                    share=total / grand if grand else None,
                )
            )
    return result


def summary_line(lines: Sequence[UseCaseLine], failures: Sequence[Failure]) -> str:
    """`4 questionnaires: 3 recommended (2 make, 1 buy), 1 without an option, 1 failed`."""
    decided = [u.recommended for u in lines if u.recommended is not None]
    counts = {k: sum(1 for p in decided if p.kind == k) for k in OPTION_KINDS}
    kinds = ", ".join(f"{n} {k}" for k, n in counts.items() if n)
    line = f"{len(lines) + len(failures)} questionnaires: {len(decided)} recommended"
    if kinds:
        line += f" ({kinds})"
    undecided = len(lines) - len(decided)
    if undecided:
        line += f", {undecided} with every option ruled out"
    if failures:
        line += f", {len(failures)} failed"
    return line


class PlatformFacts(_Frozen):
    """What the portfolio keeps of one assessment for the platform, in its own currency."""

    path: str
    name: str
    declared: bool
    platform_cost: float | None = Field(description="The platform's cost a month it gives.")
    fte_per_model: float
    staff_monthly: float = Field(description="fte_per_model at its engineer cost, a month.")
    on_platform: bool
    share: float = Field(description="The share a month a self-hosting option is charged.")
    sharing: int | None = Field(None, description="use_cases its questionnaire gives.")
    marginal_option: str | None
    marginal_monthly: float | None

    @property
    def share_charged(self) -> float | None:
        """The share its recommendation was charged a month; None when it was not."""
        return self.share if self.on_platform and self.share else None


def runs_on_platform(option: OptionResult | None) -> bool:
    """A recommendation runs on the platform when it self-hosts: make, or a hybrid with a
    self-hosted leg."""
    if option is None:
        return False
    if option.kind == "make":
        return True
    return option.kind == "hybrid" and any(leg.option.startswith("make:") for leg in option.legs)


def _monthly(option: OptionResult, items: Sequence[str]) -> float:
    assert option.cost is not None
    months = len(option.cost.monthly) or 1
    return option.cost.line_total(*items) / months


def platform_facts(path: Path, a: Assessment, usecase: UseCase) -> PlatformFacts:
    """The platform figures of one assessment (own currency): the share its recommendation
    was charged, and what its best self-hosted option costs as one more use case."""
    by_id = {o.id: o for o in a.options}
    ranked = sorted((o for o in a.options if o.rank is not None), key=lambda o: o.rank or 0)
    recommended = by_id.get(a.recommendation.option or "")
    best_make = next((o for o in ranked if o.kind == "make" and o.cost is not None), None)
    p = shared.platform_of(usecase)
    org = usecase.organisation
    staff = shared.marginal_staff_monthly(usecase)
    marginal = None
    if best_make is not None and best_make.cost is not None:
        months = len(best_make.cost.monthly) or 1
        own = best_make.cost.total / months - _monthly(best_make, ("operations", "platform"))
        marginal = own + staff
    return PlatformFacts(
        path=str(path),
        name=a.usecase.name,
        declared=p is not None,
        platform_cost=(
            shared.platform_monthly_cost(p, org.engineer_cost_per_year) if p is not None else None
        ),
        fte_per_model=shared.fte_per_model(usecase),
        staff_monthly=staff,
        on_platform=runs_on_platform(recommended),
        # Make options and hybrids with a self-hosted leg pay the questionnaire's share once
        # (a hybrid with one such leg folds it into that leg's cost line).
        share=shared.share_monthly(usecase),
        sharing=p.use_cases if p is not None else None,
        marginal_option=best_make.id if best_make is not None else None,
        marginal_monthly=marginal,
    )


def spread_basis(
    declaring: Sequence[tuple[PlatformFacts, float]],
) -> tuple[float | None, int | None]:
    """The platform cost a month the portfolio spreads (the largest a questionnaire gives, in
    the portfolio's currency) and the `use_cases` that same questionnaire says share it."""
    costed = [(round(f.platform_cost * k, 2), f.sharing) for f, k in declaring if f.platform_cost]
    if not costed:
        return None, None
    cost = max(c for c, _ in costed)
    return cost, next(n for c, n in costed if c == cost)


def platform_summary(
    facts: Sequence[tuple[PlatformFacts, float]], currency: str
) -> PlatformSummary | None:
    """The platform across the portfolio from each use case's facts and the factor that
    converts its currency into the portfolio's; None when no questionnaire declares one."""
    declaring = [(f, k) for f, k in facts if f.declared]
    if not declaring:
        return None
    notes: list[str] = []
    costs = sorted({round(f.platform_cost * k, 2) for f, k in declaring if f.platform_cost})
    monthly_cost, sharing = spread_basis(declaring)
    if len(costs) > 1:
        notes.append(
            "The questionnaires give different platform costs a month ("
            + ", ".join(money(c, currency) for c in costs)
            + "); the largest is spread."
        )
    if monthly_cost is None:
        notes.append(
            "No questionnaire gives the platform's cost (monthly_cost or team_fte), so none"
            " is spread; use cases on it pay their GPUs and marginal staff."
        )
    first, factor = declaring[0]
    ftes = sorted({f.fte_per_model for f, _ in declaring})
    if len(ftes) > 1:
        notes.append(
            "The questionnaires give different staff per model ("
            + ", ".join(f"{x:g}" for x in ftes)
            + f" FTE); the next use case is shown at {first.fte_per_model:g} ({first.name})."
        )
    on = [f for f, _ in facts if f.on_platform]
    spread_over = [f for f in on if f.declared]
    divisor = max(len(spread_over), sharing or 0)
    share = monthly_cost / divisor if monthly_cost and spread_over else None
    lines = []
    for f, k in facts:
        lines.append(
            PlatformUseCase(
                path=f.path,
                name=f.name,
                declared=f.declared,
                on_platform=f.on_platform,
                share_charged=f.share_charged * k if f.share_charged else None,
                share_spread=share if f.on_platform and f.declared else None,
                marginal_option=f.marginal_option,
                marginal_monthly=f.marginal_monthly * k if f.marginal_monthly is not None else None,
            )
        )
        if f.on_platform and not f.declared:
            notes.append(
                f"{f.name} runs on the platform but its questionnaire does not declare it:"
                " its assessment charged its own operations staff; add organisation.platform"
                " to cost it on the platform."
            )
    staff = first.staff_monthly * factor
    marginal = sorted(u.marginal_monthly for u in lines if u.marginal_monthly is not None)
    cases = f"{len(on)} use case{'' if len(on) == 1 else 's'}"
    if monthly_cost is None:
        spread = f"{cases} on it, no platform cost given"
    elif share is None:
        spread = (
            f"{money(monthly_cost, currency)} a month and no use case that declares it runs"
            " on it yet"
        )
    elif divisor > len(spread_over):
        spread = (
            f"{money(monthly_cost, currency)} a month spread over the {divisor} use cases the"
            f" questionnaire says share it ({money(share, currency)} each; {len(spread_over)}"
            " of them in this portfolio)"
        )
    else:
        n = len(spread_over)
        spread = (
            f"{money(monthly_cost, currency)} a month spread over the {n} use"
            f" case{'' if n == 1 else 's'} on it ({money(share, currency)} each)"
        )
    nxt = (
        f"one more use case pays its own GPUs plus {first.fte_per_model:g} FTE"
        f" ({money(staff, currency)} a month) and no platform cost"
    )
    if marginal:
        low, high = marginal[0], marginal[-1]
        nxt += (
            f": {money(low, currency)} a month for these use cases' self-hosted options"
            if low == high
            else f": {money(low, currency)} to {money(high, currency)} a month for these use"
            " cases' self-hosted options"
        )
    return PlatformSummary(
        monthly_cost=monthly_cost,
        on_platform=len(on),
        share_monthly=share,
        fte_per_model=first.fte_per_model,
        marginal_staff_monthly=staff,
        use_cases=lines,
        notes=notes,
        line=f"Shared platform: {spread}; {nxt}.",
    )


def platform_spread(
    platform: PlatformSummary | None, facts: Sequence[PlatformFacts], factors: Sequence[float]
) -> PlatformSpread | None:
    """The platform's cost and each use case's charges, in the portfolio's currency; None
    when no questionnaire gives the platform's cost (totals then stay as assessed)."""
    if platform is None or not platform.monthly_cost:
        return None
    _, sharing = spread_basis([(f, k) for f, k in zip(facts, factors, strict=True) if f.declared])
    return PlatformSpread(
        monthly_cost=platform.monthly_cost,
        sharing=sharing,
        charges=[
            PlatformCharge(share=f.share * k, recommended_on=f.on_platform, declared=f.declared)
            for f, k in zip(facts, factors, strict=True)
        ],
    )


def spread_note(lines: Sequence[UseCaseLine], spread: PlatformSpread, currency: str) -> str:
    """How the strategy totals count the platform, with the use cases each runs on it."""
    counts = [
        f"{_LABELS[name].lower()}: {sum(p.counted for p in _policy_picks(lines, name, spread))}"
        for name in ("buy", "make", "mix")
    ]
    among = (
        f" (or over the {spread.sharing} use cases the questionnaires say share it, when that"
        " is more)"
        if spread.sharing
        else ""
    )
    return (
        f"The strategy totals count the platform's {money(spread.monthly_cost, currency)} a"
        " month once, spread over the use cases each strategy runs on it whose questionnaire"
        " declares it ("
        + ", ".join(counts)
        + f"){among}, in place of the shares the questionnaires charged; a use case's own"
        " total is as its assessment charged it."
    )


def _without_path(message: str, path: Path) -> str:
    """The error's message without the file name the failure already records."""
    lines = []
    for line in message.splitlines():
        if line.startswith(str(path)):
            line = line[len(str(path)) :].lstrip(":").strip()
            line = f"line {line}" if line[:1].isdigit() else line
        lines.append(line)
    return "; ".join(lines)


def assess_portfolio(
    paths: Sequence[str | Path],
    catalog_paths: Sequence[Path] = (),
    *,
    method: Method = "weighted-sum",
    evaluated_on: dt.date | None = None,
    builtin_catalog: bool = True,
    on_progress: Callable[[Path | None, int], None] | None = None,
    settings: Config | None = None,
) -> Portfolio:
    """Assess every questionnaire under `paths` against one catalog and total them, each
    under the organisation's `settings` (defaults and policy) when given.

    A questionnaire that fails to load or assess becomes a `Failure`; the rest go on. A
    broken catalog stops everything (raises), since no assessment could be trusted.
    `on_progress(path, total)` is called before each file (path None first, to size it).
    """
    from makebuy import load, pipeline

    files, failures = expand_paths(paths)
    if on_progress:
        on_progress(None, len(files))
    catalog = load.load_catalog(catalog_paths, builtin=builtin_catalog)
    # Each assessment contributes its line (in its own currency) and is released: the
    # portfolio never holds more than one full assessment.
    own: list[tuple[UseCaseLine, str, float]] = []
    facts: list[PlatformFacts] = []
    evaluated: dt.date | None = None
    for path in files:
        if on_progress:
            on_progress(path, len(files))
        try:
            run = pipeline.assess(
                path,
                method=method,
                evaluated_on=evaluated_on,
                loaded_catalog=catalog,
                settings=settings,
                with_robustness=False,  # the portfolio shows totals, not tipping points
            )
        except MakebuyError as exc:
            failures.append(Failure(path=str(path), message=_without_path(str(exc), path)))
            continue
        a = run.assessment
        own.append((use_case_line(path, a), a.currency, run.usecase.organisation.usd_to))
        facts.append(platform_facts(path, a, run.usecase))
        evaluated = a.evaluated_on
        del run, a
    currencies = sorted({c for _, c, _ in own})
    currency = currencies[0] if len(currencies) == 1 else "USD"
    lines = [line if c == currency else in_usd(line, c, usd_to) for line, c, usd_to in own]
    factors = [1.0 if c == currency or not usd_to else 1.0 / usd_to for _, c, usd_to in own]
    platform = platform_summary(list(zip(facts, factors, strict=True)), currency)
    spread = platform_spread(platform, facts, factors)
    totals = strategies(lines, spread)
    if platform is not None and spread is not None:
        platform = platform.model_copy(
            update={"notes": [*platform.notes, spread_note(lines, spread, currency)]}
        )
    return Portfolio(
        currency=currency,
        catalog_fingerprint=catalog.catalog.fingerprint,
        catalog_as_of=catalog.catalog.as_of,
        evaluated_on=evaluated,
        method=method,
        use_cases=lines,
        failures=failures,
        strategies=totals,
        savings=savings(totals),
        mix=kind_mix(lines, spread),
        line=summary_line(lines, failures),
        platform=platform,
    )
