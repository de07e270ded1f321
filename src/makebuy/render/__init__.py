"""Output formats: one module per format, listed once in `RENDERERS`.

A renderer only formats: every figure it shows was computed by an earlier stage. Adding a
format means adding a module and one line here; no command changes.
"""

from __future__ import annotations

import importlib
from typing import Protocol

from makebuy.models.result import Assessment


class Renderer(Protocol):
    """Turns an assessment into the bytes of one format."""

    def __call__(self, assessment: Assessment, *, width: int, color: bool) -> str: ...


# name -> "module:function"; modules are imported only when their format is asked for.
RENDERERS: dict[str, str] = {
    "table": "makebuy.render.table:render",
    "markdown": "makebuy.render.markdown:render",
    "json": "makebuy.render.json:render",
}


def get_renderer(name: str) -> Renderer:
    """The renderer registered under `name`."""
    module_name, _, attr = RENDERERS[name].partition(":")
    renderer: Renderer = getattr(importlib.import_module(module_name), attr)
    return renderer
