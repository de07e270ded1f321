"""What a run recommended and what it costs, in one line; and the `--fail-above` budget.

`assess`, `portfolio` and `check` end with this line on stderr (after the report, so a
CI log shows the outcome without opening the report), and compare it with the budget a
user set with `--fail-above`. The figures are read from the results as the stages left
them: the recommendation's total over the horizon and its average per month.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from makebuy.errors import InputError
from makebuy.money import money

if TYPE_CHECKING:
    from makebuy.check import DecisionReport
    from makebuy.models.result import Assessment
    from makebuy.portfolio import Portfolio

Per = Literal["horizon", "month"]

STALE_CATALOG_DAYS = 180
"""A catalog older than this (by today's date) gets a warning: the age after which the
report also lists each API price it used as an assumption (cost.price_age_assumptions)."""


@dataclass(frozen=True)
class Headline:
    """One run's outcome: what it recommends and its cost per month and over the horizon."""

    subject: str
    """What was assessed: the use case's name, `portfolio of N use cases`, a record."""
    choice: str | None
    """The recommended option (or the strategy); None when nothing was recommended."""
    monthly: float | None
    """Average cost per month, report currency."""
    total: float | None
    """Cost over the horizon, report currency."""
    horizon: str
    """How the horizon reads: `36 months`, `the use cases' horizons`."""
    currency: str

    def line(self) -> str:
        """`makebuy: NAME: CHOICE, $X/month, $Y over 36 months`."""
        if self.choice is None or self.total is None or self.monthly is None:
            return f"makebuy: {self.subject}: nothing recommended"
        return (
            f"makebuy: {self.subject}: {self.choice}, {money(self.monthly, self.currency)}/month,"
            f" {money(self.total, self.currency)} over {self.horizon}"
        )


def for_assessment(a: Assessment) -> Headline:
    """The recommendation of one assessment."""
    win = next((o for o in a.options if o.id == a.recommendation.option), None)
    cost = win.cost if win else None
    months = len(cost.monthly) if cost else 0
    return Headline(
        subject=a.usecase.name,
        choice=win.title if win else None,
        monthly=cost.monthly_average if cost else None,
        total=cost.total if cost else None,
        horizon=f"{months} month{'' if months == 1 else 's'}",
        currency=a.currency,
    )


def for_portfolio(p: Portfolio) -> Headline:
    """The recommended mix: every use case's recommendation, summed (per month: each
    total spread over its own horizon)."""
    picked = [
        (u.recommended.total, u.horizon_months)
        for u in p.use_cases
        if u.recommended is not None and u.horizon_months
    ]
    n = len(p.use_cases)
    mix = p.strategy("mix")
    return Headline(
        subject=f"portfolio of {n} use case{'' if n == 1 else 's'}",
        choice="the recommended mix" if mix and picked else None,
        monthly=sum(total / months for total, months in picked) if picked else None,
        total=mix.total if mix else None,
        horizon="their horizons",
        currency=p.currency,
    )


def for_check(report: DecisionReport) -> list[Headline]:
    """Each machine-checked record's chosen option at today's prices."""
    return [
        Headline(
            subject=r.path,
            choice=r.chosen,
            monthly=r.chosen_monthly,
            total=r.chosen_total,
            horizon=f"{r.horizon_months} months",
            currency=r.currency or "USD",
        )
        for r in report.records
        if r.outcome == "checked" and r.chosen_total is not None
    ]


def catalog_age_warning(catalog_as_of: dt.date, today: dt.date) -> str | None:
    """Why the catalog may no longer describe today's market, for stderr; None when it is
    recent. Not asked when the run chose its own evaluation date (`--as-of`).

    Without `--as-of` a run evaluates on the catalog's own date, so its report does not
    change with the day it runs (same inputs, same bytes). The catalog's age by today's
    date therefore goes to stderr, beside the headline, not into the report."""
    age = (today - catalog_as_of).days
    if age <= STALE_CATALOG_DAYS:
        return None
    return (
        f"makebuy: warning: the catalog is as of {catalog_as_of}, {age} days before today"
        f" ({today}); prices, models and lifecycles may have changed since. Refresh it"
        " (README: Refreshing prices from a new LiteLLM release), or pass --as-of to"
        " evaluate on a date you choose."
    )


@dataclass(frozen=True)
class Budget:
    """A `--fail-above` limit: an amount over the horizon, or per month."""

    amount: float
    per: Per

    def exceeded_by(self, h: Headline) -> str | None:
        """Why `h` is over this budget, naming the figure; None when within it."""
        figure = h.total if self.per == "horizon" else h.monthly
        if figure is None or figure <= self.amount:
            return None
        if self.per == "horizon":
            what = f"the cost over {h.horizon}, {money(figure, h.currency)},"
            limit = money(self.amount, h.currency)
        else:
            what = f"the cost per month, {money(figure, h.currency)},"
            limit = f"{money(self.amount, h.currency)}/month"
        return f"{h.subject}: {h.choice}: {what} is above --fail-above {limit}"


_BUDGET = re.compile(r"^\s*([0-9][0-9_,]*(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)\s*(/\s*months?)?\s*$")


def parse_budget(text: str) -> Budget:
    """`50000` (over the horizon) or `2000/month`; commas and underscores group digits."""
    found = _BUDGET.match(text)
    if not found:
        raise InputError(
            f"expected an amount over the horizon (50000) or per month (2000/month), got {text!r}",
            field="--fail-above",
        )
    amount = float(found.group(1).replace(",", "").replace("_", ""))
    return Budget(amount=amount, per="month" if found.group(2) else "horizon")
