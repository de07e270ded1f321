"""JSON: the contract of `makebuy check`, the fields of `makebuy.check.CheckReport`."""

from __future__ import annotations

import json

from makebuy.check import CheckReport


def render(report: CheckReport, *, width: int = 100, color: bool = False) -> str:
    """Pretty, stable JSON ending in a newline."""
    return json.dumps(report.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"
