"""Output formats of `makebuy check`: one module per format, listed once in `CHECK_RENDERERS`.

Kept apart from `makebuy.render.RENDERERS` (assessment reports) because the input differs:
these renderers format a `makebuy.check.DecisionReport` and compute nothing. Cheap to import
(the CLI reads `CHECK_RENDERERS` for its `--format` choices): no renderer is imported here.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from makebuy.check import DecisionReport


class CheckRenderer(Protocol):
    """Turns a check report into the bytes of one format."""

    def __call__(self, report: DecisionReport, *, width: int, color: bool) -> str: ...


# name -> "module:function"; modules are imported only when their format is asked for.
CHECK_RENDERERS: dict[str, str] = {
    "table": "makebuy.render.check.table:render",
    "json": "makebuy.render.check.json:render",
    "markdown": "makebuy.render.check.markdown:render",
    "github": "makebuy.render.check.github:render",
    "junit": "makebuy.render.check.junit:render",
    "csv": "makebuy.render.check.csv:render",
}


_CONTROLS = {c: "?" for c in (*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0))}


def inert(text: str) -> str:
    """Text from ADR files with control characters (terminal escapes) made visible as `?`."""
    return text.translate(_CONTROLS)


def get_check_renderer(name: str) -> CheckRenderer:
    """The check renderer registered under `name`."""
    module_name, _, attr = CHECK_RENDERERS[name].partition(":")
    renderer: CheckRenderer = getattr(importlib.import_module(module_name), attr)
    return renderer
