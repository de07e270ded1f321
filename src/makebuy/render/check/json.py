"""JSON: the contract of `makebuy check`, the fields of `makebuy.check.DecisionReport`."""

from __future__ import annotations

from makebuy.check import DecisionReport
from makebuy.render.json import dumps


def render(report: DecisionReport, *, width: int = 100, color: bool = False) -> str:
    """Pretty, stable JSON ending in a newline."""
    return dumps(report.model_dump(mode="json"))
