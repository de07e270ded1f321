"""Recommend stage: pick the winner, the runner-up and the best of the other kind, and say why.

The other kind: when a buy option wins, the best make option (else the best rent); when
make or rent wins, the best buy option. Rationale lines name the criteria that decided it
and the figures behind them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import pandas as pd

from makebuy.models.result import (
    CRITERION_LABELS,
    OptionResult,
    Recommendation,
    Summary,
)
from makebuy.models.stages import CostedOption, Scored
from makebuy.money import money
from makebuy.score import BENEFIT, LOG_SCALE, Method, decision_scores

_OTHER_KIND = {
    "buy": ("make", "rent"),
    "make": ("buy",),
    "rent": ("buy", "make"),
    "hybrid": ("buy", "make", "rent"),
    "seat": ("buy", "rent", "make"),
}


def rank_note(
    relation: str, other_title: str, criterion: str | None, priorities: dict[str, int]
) -> str:
    """One sentence for an option the ranking rule touched (see `score.dominance_order`)."""
    if relation == "stands-above" and criterion is not None:
        return (
            f"ranks above {other_title}, which is cheaper and more capable, because"
            f" {CRITERION_LABELS[criterion]} (priority {priorities[criterion]}) is above cost"
            f" ({priorities['cost']}) and capability ({priorities['capability']})"
        )
    return (
        f"scores higher than {other_title} but ranks below it: {other_title} is cheaper and"
        " more capable, and no priority ranked above cost and capability favours this option"
    )


def build_results(
    costed: list[CostedOption], scored: Scored, priorities: dict[str, int]
) -> list[OptionResult]:
    """One result per option: eligible ones by rank, then excluded ones by id."""
    rank = {oid: i + 1 for i, oid in enumerate(scored.ranking)}
    breakdown, scores = scored.breakdown, scored.scores
    titles = {c.gate.option.id: c.gate.option.title for c in costed}
    notes = {
        oid: rank_note(relation, titles.get(other, other), criterion, priorities)
        for oid, (relation, other, criterion) in scored.rank_notes.items()
    }
    results = []
    for c in costed:
        o = c.gate.option
        eligible = c.gate.eligible
        results.append(
            OptionResult(
                id=o.id,
                model=o.model,
                model_name=o.model_name,
                kind=o.kind,
                provider=o.provider,
                offering=o.offering,
                licence=o.licence,
                terms=o.terms,
                title=o.title,
                status="eligible" if eligible else "excluded",
                exclusions=c.gate.exclusions,
                obligations=c.gate.obligations,
                quality=o.quality,
                quality_evidence=o.quality_evidence,
                cost=c.cost if eligible else None,
                criteria=breakdown.get(o.id, {}),
                score=scores.get(o.id),
                rank=rank.get(o.id),
                rank_note=notes.get(o.id),
                legs=c.legs,
            )
        )
    return sorted(results, key=lambda r: (r.rank is None, r.rank or 0, r.id))


def advantages(option: OptionResult, other: OptionResult, method: Method) -> dict[str, float]:
    """Per criterion, how far `option` is ahead of `other` (positive: ahead, negative: behind).

    The one comparison every rationale reads (reports and decision records alike). Under
    the weighted sum it is the difference of contributions; under TOPSIS contributions are
    weighted normalised raw values, so for cost (lower is better) the sign turns.
    """
    return {
        c: (1.0 if method == "weighted-sum" or BENEFIT[c] else -1.0)
        * (option.criteria[c].contribution - other.criteria[c].contribution)
        for c in option.criteria
    }


def standings(ranked: list[OptionResult], method: Method) -> dict[str, dict[str, float]]:
    """Per scored option and criterion, where it stands among the scored options: 0..1, 1 best.

    Pros and cons read this, not `normalised`: under TOPSIS that is a vector-normalised
    raw value (lower is better for cost), not a standing. Under the weighted sum it is
    `normalised` itself; under TOPSIS the weighted sum's normalisation is applied to the
    same raw values, so an option's pros and cons do not depend on the method.
    """
    if method == "weighted-sum":
        return {o.id: {c: s.normalised for c, s in o.criteria.items()} for o in ranked}
    if not ranked:
        return {}
    matrix = pd.DataFrame({o.id: {c: s.raw for c, s in o.criteria.items()} for o in ranked}).T
    table = decision_scores(
        matrix, weights={}, benefit=BENEFIT, method="weighted-sum", log_scale=LOG_SCALE
    )
    normalised = table.normalised.to_dict(orient="index")
    return {
        str(oid): {str(c): round(float(v), 6) for c, v in row.items()}
        for oid, row in normalised.items()
    }


def recommend(
    results: list[OptionResult],
    horizon_months: int,
    method: Method = "weighted-sum",
    neutral: Sequence[str] = (),
) -> Recommendation:
    """The decision with rationale lines naming the deciding criteria and figures.

    A criterion decided in the winner's favour when its contribution is larger; under
    TOPSIS contributions are weighted normalised raw values, so for cost (lower is better)
    a smaller contribution is the win.
    """
    ranked = [r for r in results if r.rank is not None]
    if not ranked:
        codes = Counter(r.exclusions[0].code for r in results if r.exclusions)
        reasons = ", ".join(
            f"{n} {code}" for code, n in sorted(codes.items(), key=lambda kv: (-kv[1], kv[0]))
        )
        return Recommendation(
            option=None,
            runner_up=None,
            alternative=None,
            rationale=[f"Every option was ruled out ({reasons or 'no options in the catalog'})."],
        )
    win = ranked[0]
    runner = ranked[1] if len(ranked) > 1 else None
    alt = next(
        (r for kind in _OTHER_KIND[win.kind] for r in ranked if r.kind == kind),
        None,
    )
    assert win.cost is not None
    lines = [
        f"{win.title} ranks first with a score of {win.score:.3f}; total cost"
        f" {money(win.cost.total, win.cost.currency)} over {horizon_months} months"
        f" ({money(win.cost.per_million_tokens, win.cost.currency)} per 1M tokens)."
    ]
    if win.rank_note:
        lines.append(f"It {win.rank_note}.")
    outscored = [r for r in ranked[1:] if (r.score or 0.0) > (win.score or 0.0)]
    if outscored and outscored[0].rank_note:
        lines.append(f"{outscored[0].title} {outscored[0].rank_note}.")
    if neutral:
        lines.append(
            "Neutral: "
            + ", ".join(CRITERION_LABELS[c] for c in neutral)
            + (
                " (every scored option ties on it, so it did not move the ranking)."
                if len(neutral) == 1
                else " (every scored option ties on them, so they did not move the ranking)."
            )
        )
    if runner is not None:
        assert runner.cost is not None
        diffs = advantages(win, runner, method)
        if win.score == runner.score:
            lines.append(
                f"It ties with {runner.title} on score; the tie goes to the lower total cost,"
                " then to the option id."
            )
        gains = [c for c, d in sorted(diffs.items(), key=lambda kv: (-kv[1], kv[0])) if d > 1e-9]
        losses = [c for c, d in sorted(diffs.items(), key=lambda kv: (kv[1], kv[0])) if d < -1e-9]
        if gains:
            lines.append(
                f"Against the runner-up, {runner.title} ({runner.score:.3f}), it wins on "
                + "; ".join(
                    f"{CRITERION_LABELS[c]}: {win.figure(c)} vs {runner.figure(c)}"
                    for c in gains[:2]
                )
                + "."
            )
        if losses:
            lines.append(
                "It gives up "
                + "; ".join(
                    f"{CRITERION_LABELS[c]}: {win.figure(c)} vs {runner.figure(c)}"
                    for c in losses[:2]
                )
                + "."
            )
    titles = {r.id: r.title for r in results}
    if win.kind == "hybrid":
        lines.insert(1, f"It routes {_routing(win, titles)}.")
    else:
        mixed = next((r for r in ranked if r.kind == "hybrid"), None)
        if mixed is not None:
            assert mixed.cost is not None
            dearer = (
                f", {money(mixed.cost.total - win.cost.total, win.cost.currency)} more than"
                " the recommendation serving all traffic alone"
                if mixed.cost.total > win.cost.total
                else ""
            )
            lines.append(
                f"Best hybrid option: rank {mixed.rank}, score {mixed.score:.3f}, total cost"
                f" {money(mixed.cost.total, mixed.cost.currency)}{dearer}; it routes"
                f" {_routing(mixed, titles)}."
            )
    if alt is not None:
        assert alt.cost is not None
        lines.append(
            f"Best {alt.kind} option: {alt.title}, rank {alt.rank}, score {alt.score:.3f},"
            f" total cost {money(alt.cost.total, alt.cost.currency)}."
        )
    else:
        other = " or ".join(_OTHER_KIND[win.kind])
        lines.append(f"No {other} option survived the gate and the candidates list.")
    return Recommendation(
        option=win.id,
        runner_up=runner.id if runner else None,
        alternative=alt.id if alt else None,
        rationale=lines,
    )


def _routing(hybrid: OptionResult, titles: dict[str, str]) -> str:
    """`80% of requests (low) to A; 20% (high) to B`: a hybrid's legs in one phrase."""
    return "; ".join(
        f"{leg.share:.0%} of requests ({leg.complexity}) to {titles.get(leg.option, leg.option)}"
        for leg in hybrid.legs
    )


def summarise(results: list[OptionResult]) -> Summary:
    """Counts by status and exclusion code, and the one-line summary."""
    excluded = [r for r in results if r.status == "excluded"]
    unpriced = sum(1 for r in excluded if [e.code for e in r.exclusions] == ["price.missing"])
    codes = Counter(
        r.exclusions[0].code for r in excluded if r.exclusions[0].code != "price.missing"
    )
    by_code = dict(sorted(codes.items()))
    eligible = len(results) - len(excluded)
    parts = ", ".join(
        f"{n} {code}" for code, n in sorted(codes.items(), key=lambda kv: (-kv[1], kv[0]))
    )
    line = f"{len(results)} options: {eligible} scored, {len(excluded) - unpriced} excluded"
    if parts:
        line += f" ({parts})"
    if unpriced:
        line += f", {unpriced} lacked a price"
    return Summary(
        options=len(results),
        eligible=eligible,
        excluded=len(excluded),
        by_code=by_code | ({"price.missing": unpriced} if unpriced else {}),
        unpriced=unpriced,
        line=line,
    )
