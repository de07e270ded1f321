"""Compare makebuy's throughput estimates with the published measurements they were
calibrated on, and print the estimate / measured ratio of each.

Run from the repository root:  .venv/bin/python benchmarks/calibration.py

The measurements are the `throughput:` entries of the built-in catalog
(catalogs/throughput.yaml), each with its source. A ratio above 1 means the roofline is
optimistic. The efficiency factors in makebuy.sizing.SizingParameters were chosen so that
the geometric mean of the ratios is close to 1 and no ratio is off by more than 2x.
"""

from __future__ import annotations

import math
import sys

from makebuy.load import load_catalog
from makebuy.sizing import ASSUMED_SHAPE, DEFAULT_SIZING, estimate_measured, precision_key


def main() -> int:
    catalog = load_catalog().catalog
    p = DEFAULT_SIZING
    print(
        f"efficiency factors: bandwidth {p.bandwidth_efficiency:g}, compute"
        f" {p.compute_efficiency:g}, per tensor-parallel doubling {p.tensor_parallel_efficiency:g}"
    )
    header = (
        f"{'measurement':<48} {'batch':>5} {'measured':>9} {'estimate':>9} {'ratio':>6}  source"
    )
    print(header)
    print("-" * len(header))
    logs = []
    by_precision: dict[str, list[float]] = {}
    for key in sorted(catalog.throughput):
        m = catalog.throughput[key]
        est = estimate_measured(m, catalog)
        ratio = est.output_tokens_per_s / m.output_tokens_per_s
        logs.append(math.log(ratio))
        by_precision.setdefault(precision_key(m.precision), []).append(math.log(ratio))
        shape = "" if m.input_tokens else "*"
        print(
            f"{key + shape:<48} {est.batch:>5} {m.output_tokens_per_s:>9,.0f}"
            f" {est.output_tokens_per_s:>9,.0f} {ratio:>6.2f}  {m.source}"
        )
    gmean = math.exp(sum(logs) / len(logs))
    worst = math.exp(max(abs(x) for x in logs))
    print("-" * len(header))
    print(
        f"{len(logs)} measurements: geometric mean ratio {gmean:.2f}, worst factor {worst:.2f}"
        f" (* lengths not stated by the source: {ASSUMED_SHAPE[0]} in / {ASSUMED_SHAPE[1]} out"
        " assumed)"
    )
    # Per precision: a quantised format whose ratios sit apart from the bf16/fp8 ones points
    # at its kernels reaching less (or more) of the memory bandwidth than the roofline assumes.
    for precision in sorted(by_precision):
        xs = by_precision[precision]
        print(
            f"  {precision:<5} {len(xs):>3} measurements: geometric mean ratio"
            f" {math.exp(sum(xs) / len(xs)):.2f}, range {math.exp(min(xs)):.2f}"
            f"-{math.exp(max(xs)):.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
