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
"""

from __future__ import annotations

import datetime as dt
import glob
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

from makebuy.errors import MakebuyError
from makebuy.models.result import Assessment, OptionKind, OptionResult
from makebuy.score import Method

if TYPE_CHECKING:
    from makebuy.config import Config

PORTFOLIO_SCHEMA_VERSION = 1
QUESTIONNAIRE_SUFFIXES = (".yaml", ".yml")
KIND_ORDER: tuple[OptionKind, ...] = ("buy", "rent", "make", "hybrid", "seat")


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
    total: float = Field(description="Sum over use cases with a recommendation, each horizon.")
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


def strategies(lines: Sequence[UseCaseLine]) -> list[Strategy]:
    """Totals of the three policies over the use cases that have a recommendation."""
    decided = [u for u in lines if u.recommended is not None]
    result = []
    for name in ("buy", "make", "mix"):
        total = 0.0
        fallbacks = 0
        for u in decided:
            assert u.recommended is not None
            chosen = {"buy": u.best_buy, "make": u.best_make, "mix": u.recommended}[name]
            if chosen is None:
                fallbacks += 1
                chosen = u.recommended
            total += chosen.total
        result.append(
            Strategy(
                name=name,
                label=_LABELS[name],
                total=total,
                use_cases=len(decided),
                fallbacks=fallbacks,
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


def kind_mix(lines: Sequence[UseCaseLine]) -> list[KindShare]:
    """The recommended options by kind, in the order buy, rent, make, hybrid."""
    picks = [u.recommended for u in lines if u.recommended is not None]
    grand = sum(p.total for p in picks)
    result = []
    for kind in KIND_ORDER:
        of_kind = [p for p in picks if p.kind == kind]
        if of_kind:
            total = sum(p.total for p in of_kind)
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
    counts = {k: sum(1 for p in decided if p.kind == k) for k in KIND_ORDER}
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
        evaluated = a.evaluated_on
        del run, a
    currencies = sorted({c for _, c, _ in own})
    currency = currencies[0] if len(currencies) == 1 else "USD"
    lines = [line if c == currency else in_usd(line, c, usd_to) for line, c, usd_to in own]
    totals = strategies(lines)
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
        mix=kind_mix(lines),
        line=summary_line(lines, failures),
    )
