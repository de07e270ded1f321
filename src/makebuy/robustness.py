"""Robustness stage: how far the inputs may move before the recommendation changes.

Four checks, each on the scored matrix the score stage produced (nothing is sized again):

- **Weight uncertainty (SMAA-2).** Priorities are statements on a 0-5 scale, not exact
  weights. Each sample moves every non-zero priority uniformly by up to one step either
  way (a priority of 0, "ignore", stays 0), normalises the weights, scores every option
  and picks the winner under the same ranking rule as the report. The first-rank
  acceptability of an option is the share of samples it wins; its central weights are the
  mean weights of those samples (Lahdelma & Salminen, 2001, "SMAA-2: Stochastic
  multicriteria acceptability analysis for group decision making", Operations Research
  49(3)). Sampling is seeded, so reports stay byte-identical. Vectorised over samples.
- **Method disagreement.** The winner under the other scoring method.
- **Priority tipping points.** For each criterion, the smallest change of its priority
  (in whole steps, within 0-5) that changes the winner.
- **Price tipping points.** The cut of every API price, or the rise of every GPU price,
  at which the winner changes (a coarse grid, then a fine one inside the bracket; hybrid
  options are left at their computed cost).
- **Volume tipping points.** The monthly volumes at which the winner changes, between a
  tenth and a hundred times today's: the whole ranking's break-even. This one re-costs,
  through a function the pipeline passes in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from makebuy import cost, score
from makebuy.models.catalog import Catalog
from makebuy.models.methods import METHODS, Method
from makebuy.models.result import (
    CRITERIA,
    CRITERION_LABELS,
    CostUncertainty,
    InputRange,
    MethodCheck,
    OptionCostRange,
    PriceTip,
    PriorityTip,
    Robustness,
    VolumeTip,
)
from makebuy.models.stages import Capacity, CostedOption, Scored
from makebuy.models.usecase import UseCase
from makebuy.score import (
    BENEFIT,
    LOG_DECADES,
    LOG_SCALE,
    PREFERENCE_CRITERIA,
    decision_scores,
    dominance_order,
)

SAMPLES = 10_000
RANK_PLACES = 3
"""Places whose acceptability every report shows (first, second, third)."""
SEED = 20_230_718  # Llama 2's release day: any fixed seed would do
STEP = 1.0
CHUNK = 1_000


def priority_vector(priorities: Mapping[str, float]) -> np.ndarray:
    """The priorities as one array in `CRITERIA` order (0 where a criterion is missing)."""
    return np.array([float(priorities.get(c, 0)) for c in CRITERIA])


def winner(matrix: pd.DataFrame, priorities: Mapping[str, float], method: Method) -> str:
    """The option the report would recommend for these priorities (ranking rule applied)."""
    table = decision_scores(
        matrix,
        weights=priorities,
        benefit=BENEFIT,
        method=method,
        log_scale=LOG_SCALE,
        tie_breaker=matrix["cost"],
    )
    ranking, _ = dominance_order(matrix, table.ranking, priorities)
    return ranking[0]


def sample_weights(priorities: Mapping[str, float], samples: int, seed: int) -> np.ndarray:
    """`samples` x criteria weights around the stated priorities, rows summing to 1."""
    stated = np.array([float(priorities.get(c, 0.0)) for c in CRITERIA])
    rng = np.random.default_rng(seed)
    moved = stated[None, :] + rng.uniform(-STEP, STEP, size=(samples, len(CRITERIA)))
    weights = np.where(stated[None, :] > 0, np.clip(moved, 0.0, 5.0), 0.0)
    totals = weights.sum(axis=1, keepdims=True)
    fallback = stated / stated.sum()
    return np.where(totals > 0, weights / np.where(totals > 0, totals, 1.0), fallback)


def _pick(scores: np.ndarray, tie_rank: np.ndarray) -> np.ndarray:
    """Per row, the best score, ties broken as `score.decision_scores` breaks them: the
    lower total cost, then the option id (`tie_rank`: each option's place in that order,
    per row or shared)."""
    best = np.round(scores, 12)
    top = best == best.max(axis=1, keepdims=True)
    return np.where(top, np.broadcast_to(tie_rank, scores.shape), np.iinfo(np.int64).max).argmin(
        axis=1
    )


def _tie_rank(costs: np.ndarray, names: list[str]) -> np.ndarray:
    """Each option's place when sorted by cost, then name (last axis: options)."""
    by_name = np.argsort(np.array(names), kind="stable")
    order = by_name[np.argsort(costs[..., by_name], axis=-1, kind="stable")]
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(order.shape[-1]), axis=-1)
    return ranks


def sample_winners(
    matrix: pd.DataFrame, ranking: list[str], weights: np.ndarray, method: Method
) -> np.ndarray:
    """Index (into `ranking`) of the winner in each weight sample (see `sample_orders`)."""
    return sample_orders(matrix, ranking, weights, method, places=1)[:, 0]


@dataclass(frozen=True)
class Prepared:
    """What every weight sample of one matrix shares: the normalised criteria (weight-free
    under both methods), the ranking rule's precedences per pattern, and the tie order.
    Computed once per assessment and handed to `smaa` and `priority_tipping`."""

    norm: np.ndarray
    precedes: np.ndarray
    ties: np.ndarray
    size: int


def prepare(matrix: pd.DataFrame, ranking: list[str], method: Method) -> Prepared:
    """The sample-independent part of scoring `matrix`'s options (in `ranking` order)."""
    m = matrix.loc[ranking, list(CRITERIA)].astype(float)
    table = decision_scores(
        m,
        weights=dict.fromkeys(CRITERIA, 1.0),
        benefit=BENEFIT,
        method=method,
        log_scale=LOG_SCALE,
        tie_breaker=m["cost"],
    )
    return Prepared(
        norm=table.normalised[list(CRITERIA)].to_numpy(dtype=float),
        precedes=_precedence_by_pattern(m),
        ties=_tie_rank(m["cost"].to_numpy(dtype=float), list(m.index)),
        size=len(m),
    )


def sample_orders(
    matrix: pd.DataFrame,
    ranking: list[str],
    weights: np.ndarray,
    method: Method,
    places: int = 1,
    prepared: Prepared | None = None,
) -> np.ndarray:
    """Samples x places: the indices (into `ranking`) of the options placed first, second,
    ... in each weight sample, ranking rule applied (an option is placed once every cheaper,
    more capable option that must precede it is placed, as in `score.dominance_order`).

    Ties go to the lower total cost, then the option id, as in the report. The rule
    depends on a sample only through which preference criteria outweigh
    both cost and capability: 2^3 patterns, each with its own set of options that a
    cheaper, stronger option keeps from first place.
    """
    prep = prepared or prepare(matrix, ranking, method)
    norm, precedes, ties = prep.norm, prep.precedes, prep.ties
    blocked = np.asarray(precedes.any(axis=1), dtype=bool)
    places = min(places, prep.size)
    pref = [CRITERIA.index(c) for c in PREFERENCE_CRITERIA]
    floor = np.maximum(weights[:, CRITERIA.index("cost")], weights[:, CRITERIA.index("capability")])
    pattern = np.zeros(len(weights), dtype=int)
    for i, k in enumerate(pref):  # which preference criteria outweigh cost and capability
        pattern |= (weights[:, k] > floor + 1e-12).astype(int) << i
    benefit = np.array([BENEFIT[c] for c in CRITERIA])
    # TOPSIS with non-negative weights: the weighted ideal is the weight times the
    # normalised ideal, so both squared distances are one matrix product each.
    ideal = np.where(benefit, norm.max(axis=0), norm.min(axis=0))
    anti = np.where(benefit, norm.min(axis=0), norm.max(axis=0))
    to_ideal = ((norm - ideal) ** 2).T  # criteria x options
    to_anti = ((norm - anti) ** 2).T
    out = np.empty((len(weights), places), dtype=int)
    for start in range(0, len(weights), CHUNK):
        w = weights[start : start + CHUNK]
        if method == "weighted-sum":
            scores = w @ norm.T
        else:
            d_best = np.sqrt((w**2) @ to_ideal)
            d_worst = np.sqrt((w**2) @ to_anti)
            total = d_best + d_worst
            scores = np.where(total > 0, d_worst / np.where(total > 0, total, 1.0), 1.0)
        pat = pattern[start : start + CHUNK]
        rows = np.arange(len(w))
        remaining = np.ones(scores.shape, dtype=bool)
        for place in range(places):
            if place == 0:
                held = blocked[pat]
            else:  # held back by a predecessor not yet placed
                held = np.zeros(scores.shape, dtype=bool)
                for p in np.unique(pat):
                    idx = pat == p
                    waiting = remaining[idx].astype(float) @ precedes[p].astype(float)
                    held[idx] = waiting > 0
            pick = _pick(np.where(held | ~remaining, -np.inf, scores), ties)
            out[start : start + CHUNK, place] = pick
            remaining[rows, pick] = False
    return out


def _precedence_by_pattern(m: pd.DataFrame) -> np.ndarray:
    """8 x options x options: for each pattern of outweighing preference criteria,
    [a, b] when a is cheaper and more capable than b and nothing justifies b above it."""
    cost = m["cost"].to_numpy()
    cap = m["capability"].to_numpy()
    dominates = (cost[:, None] < cost[None, :] - 1e-9) & (cap[:, None] > cap[None, :] + 1e-9)
    better = [
        (lambda v: v[None, :] > v[:, None] + 1e-9)(m[c].to_numpy()) for c in PREFERENCE_CRITERIA
    ]
    out = np.zeros((8, len(m), len(m)), dtype=bool)
    for pattern in range(8):
        justified = np.zeros_like(dominates)
        for i, b in enumerate(better):
            if pattern >> i & 1:
                justified |= b
        out[pattern] = dominates & ~justified
    return out


def batch_winners(
    values: np.ndarray, weights: np.ndarray, method: Method, names: list[str]
) -> np.ndarray:
    """Winner (option index) of each of B decision matrices that share their options and
    weights: values is B x options x criteria (in `CRITERIA` order, options in report
    order, so a tie goes to the option ranked higher). Same normalisation as
    `score.decision_scores` and the same ranking rule, vectorised over B."""
    benefit = np.array([BENEFIT[c] for c in CRITERIA])
    w = weights / weights.sum()
    icost = CRITERIA.index("cost")
    if method == "weighted-sum":
        x = values.copy()
        x[:, :, icost] = np.log10(np.maximum(x[:, :, icost], 1e-9))
        lo, hi = x.min(axis=1, keepdims=True), x.max(axis=1, keepdims=True)
        span = hi - lo
        up = np.where(span > 0, (x - lo) / np.where(span > 0, span, 1.0), 1.0)
        norm = np.where(benefit, up, np.where(span > 0, 1.0 - up, 1.0))
        norm[:, :, icost] = np.clip(
            1.0 - (x[:, :, icost] - lo[:, :, icost]) / LOG_DECADES, 0.0, 1.0
        )
        scores = (norm * w).sum(axis=2)
    else:
        denom = np.sqrt((values**2).sum(axis=1, keepdims=True))
        v = np.where(denom > 0, values / np.where(denom > 0, denom, 1.0), 0.0) * w
        best = np.where(benefit, v.max(axis=1), v.min(axis=1))[:, None, :]
        worst = np.where(benefit, v.min(axis=1), v.max(axis=1))[:, None, :]
        d_best = np.sqrt(((v - best) ** 2).sum(axis=2))
        d_worst = np.sqrt(((v - worst) ** 2).sum(axis=2))
        total = d_best + d_worst
        scores = np.where(total > 0, d_worst / np.where(total > 0, total, 1.0), 1.0)
    cost = values[:, :, icost]
    cap = values[:, :, CRITERIA.index("capability")]
    dominates = (cost[:, :, None] < cost[:, None, :] - 1e-9) & (
        cap[:, :, None] > cap[:, None, :] + 1e-9
    )
    floor = max(w[icost], w[CRITERIA.index("capability")])
    justified = np.zeros_like(dominates)
    for c in PREFERENCE_CRITERIA:
        k = CRITERIA.index(c)
        if w[k] > floor + 1e-12:
            col = values[:, :, k]
            justified |= col[:, None, :] > col[:, :, None] + 1e-9
    blocked = (dominates & ~justified).any(axis=1)
    return _pick(np.where(blocked, -np.inf, scores), _tie_rank(cost, names))


def smaa(
    matrix: pd.DataFrame,
    ranking: list[str],
    priorities: Mapping[str, float],
    method: Method,
    samples: int = SAMPLES,
    seed: int = SEED,
    places: int = 1,
    prepared: Prepared | None = None,
) -> tuple[dict[str, float], dict[str, dict[str, float]], dict[str, list[float]]]:
    """First-rank acceptability and central weights of every option that wins a sample,
    and, per option placed in the first `places` places of any sample, its share at each
    of them (rank acceptability)."""
    weights = sample_weights(priorities, samples, seed)
    orders = sample_orders(matrix, ranking, weights, method, places, prepared)
    wins = orders[:, 0]
    counts = np.bincount(wins, minlength=len(ranking))
    acceptability: dict[str, float] = {}
    central: dict[str, dict[str, float]] = {}
    for i in np.argsort(-counts, kind="stable"):
        if counts[i] == 0:
            break
        oid = ranking[int(i)]
        acceptability[oid] = round(float(counts[i] / samples), 4)
        mean = weights[wins == i].mean(axis=0)
        central[oid] = {c: round(float(x), 4) for c, x in zip(CRITERIA, mean, strict=True)}
    at = np.stack(
        [np.bincount(orders[:, r], minlength=len(ranking)) for r in range(orders.shape[1])],
        axis=1,
    )  # options x places
    placed = [i for i in np.lexsort((-at).T[::-1]) if at[i].any()]
    ranks = {ranking[int(i)]: [round(float(n / samples), 4) for n in at[i]] for i in placed}
    return acceptability, central, ranks


def priority_tipping(
    matrix: pd.DataFrame,
    ranking: list[str],
    priorities: Mapping[str, int],
    method: Method,
    prepared: Prepared | None = None,
) -> list[PriorityTip]:
    """Per criterion: the nearest lower and higher priority that changes the winner (all
    candidate priority sets scored in one batch)."""
    stated = priority_vector(priorities)
    candidates: list[tuple[int, int]] = []  # (criterion index, new priority)
    rows = []
    for k in range(len(CRITERIA)):
        for new in range(6):
            if new == stated[k]:
                continue
            row = stated.copy()
            row[k] = new
            if row.sum() > 0:
                candidates.append((k, new))
                rows.append(row / row.sum())
    winners: np.ndarray | list[int] = (
        sample_orders(matrix, ranking, np.array(rows), method, 1, prepared)[:, 0] if rows else []
    )
    found: dict[tuple[int, int], str] = {
        kn: ranking[int(i)] for kn, i in zip(candidates, winners, strict=True)
    }
    tips = []
    for k, c in enumerate(CRITERIA):
        p = int(stated[k])
        lower = next(
            (n for n in range(p - 1, -1, -1) if found.get((k, n), ranking[0]) != ranking[0]), None
        )
        higher = next(
            (n for n in range(p + 1, 6) if found.get((k, n), ranking[0]) != ranking[0]), None
        )
        tips.append(
            PriorityTip(
                criterion=c,
                priority=p,
                lower=lower,
                lower_winner=found[(k, lower)] if lower is not None else None,
                higher=higher,
                higher_winner=found[(k, higher)] if higher is not None else None,
            )
        )
    return tips


def _first_change(winners: list[str], current: str) -> tuple[int | None, str | None]:
    """Index of the first winner (in the order given) that is not `current`."""
    for i, w in enumerate(winners):
        if w != current:
            return i, w
    return None, None


def price_tipping(
    matrix: pd.DataFrame,
    ranking: list[str],
    priorities: Mapping[str, int],
    method: Method,
    api_share: pd.Series,
    gpu_share: pd.Series,
) -> list[PriceTip]:
    """The API price cut and the GPU price rise at which the winner changes.

    `api_share` and `gpu_share` hold, per option, the part of its total cost that scales
    with API prices and with GPU prices (hybrids: 0, left at their computed cost). A
    coarse grid finds the bracket, a fine one the multiplier (to 0.1% of the step)."""
    m = matrix.loc[ranking, list(CRITERIA)].to_numpy(dtype=float)
    weights = priority_vector(priorities)
    icost = CRITERIA.index("cost")
    current = ranking[0]
    out = []
    for what, share, far in (("api_price", api_share, 0.01), ("gpu_price", gpu_share, 100.0)):
        s = share.reindex(ranking).fillna(0.0).to_numpy()
        if not (s > 0).any():
            continue

        def winners_at(factors: np.ndarray, s: np.ndarray = s) -> list[str]:
            values = np.repeat(m[None, :, :], len(factors), axis=0)
            values[:, :, icost] = np.maximum(
                m[:, icost][None, :] + s * (factors[:, None] - 1), 1e-6
            )
            return [ranking[int(i)] for i in batch_winners(values, weights, method, ranking)]

        coarse = np.geomspace(1.0, far, 97)[1:]
        i, _ = _first_change(winners_at(coarse), current)
        if i is None:
            out.append(PriceTip(what=what, factor=None, winner=None))
            continue
        near = coarse[i - 1] if i > 0 else 1.0
        fine = np.geomspace(near, coarse[i], 65)[1:]
        j, w = _first_change(winners_at(fine), current)
        assert j is not None
        out.append(PriceTip(what=what, factor=round(float(fine[j]), 4), winner=w))
    return out


def volume_tipping(
    winners_at: Callable[[np.ndarray], list[str]], requests_per_month: float
) -> list[VolumeTip]:
    """Volumes (0.1x to 100x today's) at which the winner changes: a coarse grid finds each
    bracket, a fine grid inside it the volume (to about 1%)."""
    coarse = np.geomspace(0.1, 100.0, 61)
    winners = winners_at(coarse)
    tips = []
    for i in range(len(coarse) - 1):
        if winners[i] == winners[i + 1]:
            continue
        fine = np.geomspace(coarse[i], coarse[i + 1], 17)
        fw = winners_at(fine)
        j = next(k for k in range(1, len(fine)) if fw[k] != fw[k - 1])
        tips.append(
            VolumeTip(
                requests_per_month=round(float(fine[j]) * requests_per_month, 0),
                factor=round(float(fine[j]), 6),
                below=fw[j - 1],
                above=fw[j],
            )
        )
    return tips


def assess_robustness(
    matrix: pd.DataFrame,
    ranking: list[str],
    priorities: Mapping[str, int],
    method: Method,
    titles: Mapping[str, str],
    api_share: pd.Series,
    gpu_share: pd.Series,
    winners_at_volumes: Callable[[np.ndarray], list[str]] | None,
    requests_per_month: float,
    samples: int = SAMPLES,
) -> Robustness | None:
    """Every robustness figure for one scored matrix; None when fewer than two options."""
    if len(ranking) < 2:
        return None
    current = ranking[0]
    prep = prepare(matrix, ranking, method)  # shared by the weight samples and the tips
    acceptability, central, ranks = smaa(
        matrix, ranking, priorities, method, samples, places=RANK_PLACES, prepared=prep
    )
    share = acceptability.get(current, 0.0)
    other = next(m for m in METHODS if m != method)
    other_winner = winner(matrix, priorities, other)
    tips = priority_tipping(matrix, ranking, priorities, method, prep)
    prices = price_tipping(matrix, ranking, priorities, method, api_share, gpu_share)
    volumes = (
        volume_tipping(winners_at_volumes, requests_per_month)
        if winners_at_volumes is not None
        else []
    )
    name = titles.get(current, current)
    verdict = (
        f"{name} wins in {share:.0%} of {samples:,} weight samples (every priority moved by"
        " up to one step)"
    )
    challengers = [oid for oid in acceptability if oid != current]
    if challengers:
        top = challengers[0]
        more = acceptability[top] > share
        verdict += (
            f"; {titles.get(top, top)} wins {'more often, in ' if more else ''}"
            f"{acceptability[top]:.0%}"
        )
    verdict += "."
    if share < 0.5:
        verdict += " The recommendation is fragile: small changes of priority change it."
    statements = [verdict]
    agrees = other_winner == current
    other_name = {"weighted-sum": "The weighted sum", "topsis": "TOPSIS"}.get(other, other)
    method_statement = (
        f"{other_name} agrees: it also recommends {name}."
        if agrees
        else f"{other_name} disagrees: it recommends {titles.get(other_winner, other_winner)}."
    )
    statements.append(method_statement)
    nearest = sorted(
        (
            (abs(t.priority - new), t.criterion, new, w)
            for t in tips
            for new, w in ((t.lower, t.lower_winner), (t.higher, t.higher_winner))
            if new is not None and w is not None
        ),
    )
    if nearest:
        _, c, new, w = nearest[0]
        statements.append(
            f"Nearest priority tipping point: {CRITERION_LABELS[c]} from"
            f" {priorities.get(c, 0)} to {new} makes {titles.get(w, w)} the winner."
        )
    else:
        statements.append("No single priority change within 0-5 changes the winner.")
    for p in prices:
        label = "every API price" if p.what == "api_price" else "every GPU price"
        if p.factor is None:
            bound = "cut by 99%" if p.what == "api_price" else "up 100-fold"
            statements.append(f"With {label} {bound}, {name} still wins.")
        elif p.what == "api_price":
            statements.append(
                f"A cut of {1 - p.factor:.0%} in {label} makes"
                f" {titles.get(p.winner or '', p.winner)} the winner."
            )
        else:
            statements.append(
                f"A rise of {p.factor - 1:.0%} in {label} makes"
                f" {titles.get(p.winner or '', p.winner)} the winner."
            )
    for v in volumes:
        statements.append(
            f"At {v.requests_per_month:,.0f} requests a month ({v.factor:.2g}x today's) the winner"
            f" changes from {titles.get(v.below, v.below)} to {titles.get(v.above, v.above)}."
        )
    if winners_at_volumes is not None and not volumes:
        statements.append(
            f"{name} stays the winner from a tenth to a hundred times today's volume."
        )
    return Robustness(
        samples=samples,
        seed=SEED,
        weight_spread=f"each non-zero priority moved uniformly by up to {STEP:g} step",
        first_rank_acceptability=acceptability,
        rank_acceptability=ranks,
        central_weights=central,
        verdict=verdict,
        method_check=MethodCheck(method=other, winner=other_winner, agrees=agrees),
        priority_tipping=tips,
        price_tipping=prices,
        volume_tipping=volumes,
        statements=statements,
    )


SCENARIOS = 1_000


def _triangular(
    rng: np.random.Generator, low: float, likely: float, high: float, n: int
) -> np.ndarray:
    if high <= low:
        return np.full(n, likely)
    return rng.triangular(low, likely, high, n)


def cost_uncertainty(
    usecase: UseCase,
    catalog: Catalog,
    costed: list[CostedOption],
    sized: Capacity,
    ranking: list[str],
    scenarios: int = SCENARIOS,
    seed: int = SEED,
) -> CostUncertainty | None:
    """P10 / P50 / P90 total cost of each option, and how often it is the cheapest, when
    the questionnaire gives low / likely / high ranges (`uncertainty`). Each input is
    drawn from its triangular distribution, independently, seeded; the API price trend
    defaults to the decline the catalog's price history shows. Costs come from
    `cost.totals_under`: nothing is sized again."""
    u = usecase.uncertainty
    if not u.given or not ranking:
        return None
    rng = np.random.default_rng(seed)
    vol = usecase.volume
    months = vol.horizon_months
    m = np.arange(months) / 12.0
    inputs: list[InputRange] = []

    def draw(name: str, fallback: float) -> np.ndarray:
        est = getattr(u, name)
        if est is None:
            return np.full(scenarios, fallback)
        inputs.append(InputRange(input=name, low=est.low, likely=est.likely, high=est.high,
                                 basis="questionnaire"))  # fmt: skip
        return _triangular(rng, est.low, est.likely, est.high, scenarios)

    volume = draw("requests_per_month", vol.requests_per_month) / vol.requests_per_month
    growth = draw("growth_per_year", vol.growth_per_year)
    gpu = draw("gpu_price_factor", 1.0)
    utilisation = draw("utilisation", 1.0)
    if u.api_price_trend_per_year is not None:
        trend = draw("api_price_trend_per_year", 0.0)
    else:
        (low, likely, high), offerings = cost.observed_api_price_trend(catalog)
        inputs.append(
            InputRange(
                input="api_price_trend_per_year",
                low=low,
                likely=likely,
                high=high,
                basis="the catalog's price history: the yearly change of "
                + (", ".join(offerings) if offerings else "no offering (none changed price)"),
            )
        )
        trend = _triangular(rng, low, likely, high, scenarios)
    month_factor = (
        volume[:, None] * ((1 + growth[:, None]) / (1 + vol.growth_per_year)) ** m[None, :]
    )
    api = (1 + trend[:, None]) ** m[None, :]
    totals, _ = cost.totals_under(
        usecase,
        catalog,
        costed,
        sized,
        month_factor,
        gpu_price_factor=gpu,
        capacity_factor=utilisation,
        api_price_factor=api,
    )
    ids = [oid for oid in ranking if oid in totals]
    if not ids:
        return None
    table = np.stack([totals[oid] for oid in ids], axis=1)  # scenarios x options
    cheapest = np.bincount(table.argmin(axis=1), minlength=len(ids)) / scenarios
    p10, p50, p90 = np.percentile(table, [10, 50, 90], axis=0)
    keep = [i for i in range(len(ids)) if i < 10 or cheapest[i] > 0]
    return CostUncertainty(
        scenarios=scenarios,
        seed=seed,
        inputs=inputs,
        options=[
            OptionCostRange(
                option=ids[i],
                p10=round(float(p10[i]), 2),
                p50=round(float(p50[i]), 2),
                p90=round(float(p90[i]), 2),
                cheapest_share=round(float(cheapest[i]), 4),
            )
            for i in keep
        ],
    )


def uncertainty_statements(
    c: CostUncertainty, winner: str, titles: Mapping[str, str], currency: str
) -> list[str]:
    """The cost ranges as sentences: the winner's P10-P90, and the most often cheapest."""
    from makebuy.money import money

    by_id = {o.option: o for o in c.options}
    lines = []
    w = by_id.get(winner)
    if w is not None:
        lines.append(
            f"Under the stated ranges ({c.scenarios:,} scenarios), {titles.get(winner, winner)}"
            f" costs {money(w.p10, currency)} to {money(w.p90, currency)} (P10-P90, median"
            f" {money(w.p50, currency)}) and is the cheapest in {w.cheapest_share:.0%} of them."
        )
    top = max(c.options, key=lambda o: (o.cheapest_share, -c.options.index(o)))
    if top.option != winner and top.cheapest_share > 0:
        lines.append(
            f"The most often cheapest is {titles.get(top.option, top.option)}"
            f" ({top.cheapest_share:.0%} of scenarios)."
        )
    return lines


def for_assessment(
    usecase: UseCase,
    catalog: Catalog,
    costed: list[CostedOption],
    sized: Capacity,
    matrix: pd.DataFrame,
    scored: Scored,
    method: Method,
) -> Robustness | None:
    """The robustness section of one assessment, from the stages' own results."""
    if len(scored.ranking) < 2:
        return None
    priorities = usecase.priorities.model_dump()
    titles = {c.gate.option.id: c.gate.option.title for c in costed}
    api_share = pd.Series(0.0, index=matrix.index)
    gpu_share = pd.Series(0.0, index=matrix.index)
    for c in costed:
        oid, kind = c.gate.option.id, c.gate.option.kind
        if c.cost is None or oid not in matrix.index:
            continue
        if kind in ("buy", "rent"):
            api_share[oid] = c.cost.total
        elif kind == "make":
            gpu_share[oid] = sum(line.total for line in c.cost.breakdown if not line.fixed)

    ids = list(scored.ranking)
    base = matrix.loc[ids, list(CRITERIA)].to_numpy(dtype=float)
    icost = CRITERIA.index("cost")
    isimple = CRITERIA.index("operational_simplicity")
    weights = priority_vector(priorities)

    def winners_at(factors: np.ndarray) -> list[str]:
        totals, shapes = cost.totals_at_volumes(usecase, catalog, costed, sized, factors)
        values = np.repeat(base[None, :, :], len(factors), axis=0)
        for i, oid in enumerate(ids):
            if oid in totals:
                values[:, i, icost] = totals[oid]
            if oid in shapes:
                gpus, replicas = shapes[oid]
                values[:, i, isimple] = score.make_simplicity(
                    usecase.organisation.mlops_team, gpus, replicas
                )
        return [ids[int(i)] for i in batch_winners(values, weights, method, ids)]

    found = assess_robustness(
        matrix,
        scored.ranking,
        priorities,
        method,
        titles,
        api_share,
        gpu_share,
        winners_at,
        usecase.volume.requests_per_month,
    )
    ranges = cost_uncertainty(usecase, catalog, costed, sized, scored.ranking)
    if found is None or ranges is None:
        return found
    extra = uncertainty_statements(ranges, scored.ranking[0], titles, usecase.organisation.currency)
    return found.model_copy(
        update={"cost_uncertainty": ranges, "statements": [*found.statements, *extra]}
    )
