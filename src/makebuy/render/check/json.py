"""JSON: the contract of `makebuy check`, the fields of `makebuy.check.CheckReport`."""

from __future__ import annotations

from makebuy.check import CheckReport
from makebuy.render.json import dumps


def render(report: CheckReport, *, width: int = 100, color: bool = False) -> str:
    """Pretty, stable JSON ending in a newline."""
    return dumps(report.model_dump(mode="json"))
