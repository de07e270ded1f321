"""`decision_scores(method="topsis")` on 100,000 x 8 against plain numpy doing the same
method (vector normalisation, weights, distances to the ideal and anti-ideal, closeness,
and a ranking by score, then tie-breaker, then name).

Run from the repository root:  .venv/bin/python benchmarks/topsis.py [--runs 11]
Target: ratio <= 1.3x.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
from _paired import paired, report, runs_from_argv

from makebuy.score import decision_scores

ROWS, COLS = 100_000, 8


def numpy_topsis(
    x: np.ndarray, w: np.ndarray, benefit: np.ndarray, tie: np.ndarray, names: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The same method in plain numpy: scores and the ranking (row order)."""
    w = w / w.sum()
    denom = np.sqrt((x**2).sum(axis=0))
    denom[denom == 0] = np.nan
    weighted = np.nan_to_num(x / denom, nan=0.0) * w
    hi, lo = weighted.max(axis=0), weighted.min(axis=0)
    best = np.where(benefit, hi, lo)
    worst = np.where(benefit, lo, hi)
    d_best = np.sqrt(((weighted - best) ** 2).sum(axis=1))
    d_worst = np.sqrt(((weighted - worst) ** 2).sum(axis=1))
    total = d_best + d_worst
    with np.errstate(invalid="ignore", divide="ignore"):
        scores = np.where(total == 0, 1.0, d_worst / total)
    order = np.lexsort((names, tie, -scores.round(12)))
    return scores, order


def main() -> None:
    rng = np.random.default_rng(13)
    x = rng.uniform(1, 1000, size=(ROWS, COLS))
    columns = [f"c{i}" for i in range(COLS)]
    names = np.array([f"option-{i:06d}" for i in range(ROWS)])
    matrix = pd.DataFrame(x, index=names, columns=columns)
    weights = {c: float(i + 1) for i, c in enumerate(columns)}
    benefit = {c: i % 3 != 0 for i, c in enumerate(columns)}
    tie = matrix["c0"]
    w = np.array([weights[c] for c in columns])
    b = np.array([benefit[c] for c in columns])

    def ours() -> float:
        start = time.perf_counter()
        decision_scores(matrix, weights, benefit, method="topsis", tie_breaker=tie)
        return time.perf_counter() - start

    def floor() -> float:
        start = time.perf_counter()
        numpy_topsis(x, w, b, tie.to_numpy(), names)
        return time.perf_counter() - start

    a, f = paired(ours, floor, runs=runs_from_argv())
    report(f"decision_scores topsis {ROWS:,} x {COLS}", a, f, 1.3)


if __name__ == "__main__":
    main()
