"""SMAA-2 speed: 10,000 weight samples over 200 options, one core (target <= 0.2 s).

Runs `makebuy.robustness.smaa` on a seeded random decision matrix of makebuy's seven
criteria, both scoring methods, and prints the median of 7 runs. Run with one thread:
OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python benchmarks/smaa.py
"""

from __future__ import annotations

import statistics
import time

import numpy as np
import pandas as pd

from makebuy.models.result import CRITERIA
from makebuy.robustness import smaa

OPTIONS = 200
SAMPLES = 10_000
RUNS = 7


def matrix(seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    data = {
        "cost": 10 ** rng.uniform(3, 7, OPTIONS),
        "capability": rng.uniform(20, 90, OPTIONS),
        **{c: rng.choice([0.1, 0.25, 0.5, 0.75, 1.0], OPTIONS) for c in CRITERIA[2:]},
    }
    return pd.DataFrame(data, index=[f"option-{i:03d}" for i in range(OPTIONS)])[list(CRITERIA)]


def main() -> None:
    m = matrix()
    priorities = dict.fromkeys(CRITERIA, 3)
    ranking = list(m.index)
    for method in ("weighted-sum", "topsis"):
        times = []
        for _ in range(RUNS):
            start = time.perf_counter()
            smaa(m, ranking, priorities, method, samples=SAMPLES)  # type: ignore[arg-type]
            times.append(time.perf_counter() - start)
        print(
            f"smaa {method}: {OPTIONS} options x {SAMPLES:,} samples:"
            f" median {statistics.median(times):.3f} s over {RUNS} runs (target <= 0.2 s)"
        )
        start = time.perf_counter()
        smaa(m, ranking, priorities, method, samples=SAMPLES, places=3)  # type: ignore[arg-type]
        print(f"  with ranks 1-3 as in reports: {time.perf_counter() - start:.3f} s")


if __name__ == "__main__":
    main()
