"""Shared helpers for the speed benchmarks: paired, alternating runs and their medians.

Each benchmark times a makebuy measure and its floor (the same work done by the libraries
alone) in alternation, so both see the same machine state, and prints the median of each
and the ratio of the medians.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
MAKEBUY = str(BIN / "makebuy")


def run_process(argv: Sequence[str], env: dict[str, str] | None = None) -> tuple[float, int]:
    """Wall time in seconds and peak RSS in KiB of one child process (output discarded)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        list(argv),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} exited with {proc.returncode}")
    return elapsed, usage.ru_maxrss


def paired(
    measure: Callable[[], float], floor: Callable[[], float], runs: int = 11, warmup: int = 1
) -> tuple[float, float]:
    """Medians (seconds) of `measure` and `floor`, run alternately `runs` times each."""
    for _ in range(warmup):
        measure()
        floor()
    ours: list[float] = []
    base: list[float] = []
    for i in range(runs):
        first, second = (measure, floor) if i % 2 == 0 else (floor, measure)
        a = first()
        b = second()
        if first is measure:
            ours.append(a)
            base.append(b)
        else:
            ours.append(b)
            base.append(a)
    return statistics.median(ours), statistics.median(base)


def report(name: str, ours: float, floor: float, target: float) -> None:
    """One line: both medians, their ratio, and the target ratio."""
    ratio = ours / floor
    verdict = "ok" if ratio <= target else "over"
    print(
        f"{name}: makebuy {ours * 1000:.1f} ms, floor {floor * 1000:.1f} ms,"
        f" ratio {ratio:.2f}x (target <= {target}x: {verdict})"
    )


def runs_from_argv(default: int = 11) -> int:
    """`--runs N` on the command line, else `default`."""
    if "--runs" in sys.argv:
        return int(sys.argv[sys.argv.index("--runs") + 1])
    return default
