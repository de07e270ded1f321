"""Compare two assessments: what moved between a decision and another version of it.

One engine for two commands: `makebuy what-if` (the questionnaire with some answers
changed, against the catalog as it is) and `makebuy diff` (two saved JSON assessments,
e.g. before and after a catalog update, or last quarter's decision against today's). It
compares winners, ranks, costs, exclusions and catalog fingerprints; it computes no new
figure, only differences of figures both assessments hold.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from makebuy.models.result import Assessment, OptionResult

COST_CHANGE = 0.005
"""Relative change in total cost below which an option's cost counts as unchanged."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Side(_Frozen):
    """One of the two assessments, in brief."""

    label: str = Field(description="What the side is: a file name, or 'baseline' / 'what-if'.")
    usecase: str
    digest: str = Field(description="sha256 of its normalised questionnaire.")
    catalog_fingerprint: str
    catalog_as_of: dt.date
    evaluated_on: dt.date
    method: str
    winner: str | None
    winner_title: str | None
    winner_cost: float | None = Field(description="The winner's total cost, its currency.")
    currency: str


class OptionChange(_Frozen):
    """One option whose status, rank or total cost differs between the two sides."""

    id: str
    title: str
    status_before: Literal["eligible", "excluded", "absent"]
    status_after: Literal["eligible", "excluded", "absent"]
    rank_before: int | None
    rank_after: int | None
    cost_before: float | None
    cost_after: float | None
    exclusion_before: str | None = Field(description="First exclusion code before, if any.")
    exclusion_after: str | None = Field(description="First exclusion code after, if any.")


class AssessmentDiff(_Frozen):
    """What changed between two assessments of a use case."""

    before: Side
    after: Side
    winner_changed: bool
    catalog_changed: bool
    questionnaire_changed: bool
    changes: list[OptionChange] = Field(
        description="Options whose status, rank or total cost (by 0.5% or more) changed,"
        " best rank after first."
    )
    statements: list[str] = Field(description="The differences as sentences, winner first.")


def _side(label: str, a: Assessment) -> Side:
    by_id = {o.id: o for o in a.options}
    win = by_id.get(a.recommendation.option) if a.recommendation.option else None
    return Side(
        label=label,
        usecase=a.usecase.name,
        digest=a.usecase.digest,
        catalog_fingerprint=a.catalog.fingerprint,
        catalog_as_of=a.catalog.as_of,
        evaluated_on=a.evaluated_on,
        method=a.method,
        winner=win.id if win else None,
        winner_title=win.title if win else None,
        winner_cost=win.cost.total if win and win.cost else None,
        currency=a.currency,
    )


def _status(o: OptionResult | None) -> Literal["eligible", "excluded", "absent"]:
    return "absent" if o is None else o.status


def _first_code(o: OptionResult | None) -> str | None:
    return o.exclusions[0].code if o is not None and o.exclusions else None


def _cost(o: OptionResult | None) -> float | None:
    return o.cost.total if o is not None and o.cost is not None else None


def compare(before: Assessment, after: Assessment, labels: tuple[str, str]) -> AssessmentDiff:
    """The differences between two assessments (`labels` name them in the output)."""
    b, a = _side(labels[0], before), _side(labels[1], after)
    old = {o.id: o for o in before.options}
    new = {o.id: o for o in after.options}
    changes = []
    for oid in sorted(old.keys() | new.keys()):
        o0, o1 = old.get(oid), new.get(oid)
        c0, c1 = _cost(o0), _cost(o1)
        cost_moved = (c0 is None) != (c1 is None) or (
            c0 is not None and c1 is not None and abs(c1 - c0) > COST_CHANGE * max(c0, 1e-9)
        )
        ranks = (o0.rank if o0 else None, o1.rank if o1 else None)
        if _status(o0) == _status(o1) and ranks[0] == ranks[1] and not cost_moved:
            continue
        changes.append(
            OptionChange(
                id=oid,
                title=(o1 or o0).title,  # type: ignore[union-attr]
                status_before=_status(o0),
                status_after=_status(o1),
                rank_before=ranks[0],
                rank_after=ranks[1],
                cost_before=c0,
                cost_after=c1,
                exclusion_before=_first_code(o0),
                exclusion_after=_first_code(o1),
            )
        )
    changes.sort(
        key=lambda c: (
            c.rank_after is None,
            c.rank_after or 0,
            c.rank_before is None,
            c.rank_before or 0,
            c.id,
        )
    )
    return AssessmentDiff(
        before=b,
        after=a,
        winner_changed=b.winner != a.winner,
        catalog_changed=b.catalog_fingerprint != a.catalog_fingerprint,
        questionnaire_changed=b.digest != a.digest,
        changes=changes,
        statements=_statements(b, a, changes),
    )


def _change(before: float, after: float) -> str:
    """+12.5% / -40.0% / 1,000x: a change in cost as a reader takes it in."""
    if before > 0 and after / before >= 3:
        return f"{after / before:,.0f}x"
    return f"{(after - before) / before:+.1%}" if before > 0 else "from zero"


def _statements(b: Side, a: Side, changes: list[OptionChange]) -> list[str]:
    from makebuy.money import money

    lines = []
    if b.winner == a.winner:
        if b.winner_cost is not None and a.winner_cost is not None:
            moved = a.winner_cost - b.winner_cost
            how = (
                "at the same total cost"
                if abs(moved) <= COST_CHANGE * max(b.winner_cost, 1e-9)
                else f"total cost {money(b.winner_cost, b.currency)} →"
                f" {money(a.winner_cost, a.currency)} ({_change(b.winner_cost, a.winner_cost)})"
            )
            lines.append(f"The recommendation holds: {a.winner_title}, {how}.")
        else:
            lines.append("Neither assessment recommends anything: every option was ruled out.")
    else:
        before = b.winner_title or "nothing (every option ruled out)"
        after = a.winner_title or "nothing (every option ruled out)"
        cost = (
            f" ({money(b.winner_cost, b.currency)} → {money(a.winner_cost, a.currency)})"
            if b.winner_cost is not None and a.winner_cost is not None
            else ""
        )
        lines.append(f"The recommendation changes: {before} → {after}{cost}.")
    if b.catalog_fingerprint != a.catalog_fingerprint:
        lines.append(
            f"The catalog changed (as of {b.catalog_as_of.isoformat()} →"
            f" {a.catalog_as_of.isoformat()})."
        )
    if b.digest != a.digest:
        lines.append("The questionnaire's answers differ.")
    if b.evaluated_on != a.evaluated_on:
        lines.append(f"Evaluated on {b.evaluated_on.isoformat()} → {a.evaluated_on.isoformat()}.")
    if b.method != a.method:
        lines.append(f"Scoring method {b.method} → {a.method}.")
    ruled_out = [
        c for c in changes if c.status_before == "eligible" and c.status_after != "eligible"
    ]
    let_in = [c for c in changes if c.status_after == "eligible" and c.status_before != "eligible"]
    if ruled_out:
        lines.append(f"{len(ruled_out)} option(s) no longer eligible.")
    if let_in:
        lines.append(f"{len(let_in)} option(s) newly eligible.")
    rescored = [c for c in changes if c.rank_before is not None and c.rank_after is not None]
    if rescored:
        lines.append(f"{len(rescored)} scored option(s) changed rank or cost.")
    return lines
