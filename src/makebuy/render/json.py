"""JSON: the contract. Field names are those of `makebuy.models.result.Assessment`."""

from __future__ import annotations

import json
import math
from typing import Any

from makebuy.models.result import Assessment

SIGNIFICANT_DIGITS = 12
"""Floats are written to 12 significant digits: far finer than any figure the catalog
holds, and coarse enough that the last-bit differences between numpy / pandas releases
(summation order, SIMD kernels) never reach the bytes of a report."""


def stable(value: Any) -> Any:
    """`value` with every float rounded to `SIGNIFICANT_DIGITS` significant digits."""
    if isinstance(value, float):
        if value == 0.0 or not math.isfinite(value):
            return value
        return float(f"{value:.{SIGNIFICANT_DIGITS}g}")
    if isinstance(value, dict):
        return {k: stable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [stable(v) for v in value]
    return value


def dumps(data: Any) -> str:
    """Pretty, stable JSON ending in a newline (the one way every JSON output is written)."""
    return json.dumps(stable(data), indent=2, ensure_ascii=False) + "\n"


def render(assessment: Assessment, *, width: int = 100, color: bool = False) -> str:
    """The assessment as pretty, stable JSON."""
    return dumps(assessment.model_dump(mode="json"))
