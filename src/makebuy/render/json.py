"""JSON: the contract. Field names are those of `makebuy.models.result.Assessment`."""

from __future__ import annotations

import json

from makebuy.models.result import Assessment


def render(assessment: Assessment, *, width: int = 100, color: bool = False) -> str:
    """Pretty, stable JSON ending in a newline."""
    return json.dumps(assessment.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"
