"""Output formats: one module per format, listed once in a registry.

A renderer only formats: every figure it shows was computed by an earlier stage. Adding a
format means adding a module and one line here; no command changes. Formats drawn from
Jinja2 templates are listed in `TEMPLATED`: they accept a user's template folder.

The CLI builds its `--format` choices from these registries, so this module stays cheap to
import: it names renderer modules as strings and imports none of them (nor pydantic).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from makebuy.models.result import Assessment
    from makebuy.portfolio import Portfolio


class Renderer(Protocol):
    """Turns an assessment into the bytes of one format."""

    def __call__(self, assessment: Assessment, *, width: int, color: bool) -> str: ...


class PortfolioRenderer(Protocol):
    """Turns a portfolio of assessments into the bytes of one format."""

    def __call__(self, portfolio: Portfolio, *, width: int, color: bool) -> str: ...


# name -> "module:function"; modules are imported only when their format is asked for.
RENDERERS: dict[str, str] = {
    "table": "makebuy.render.table:render",
    "markdown": "makebuy.render.markdown:render",
    "html": "makebuy.render.html:render",
    "json": "makebuy.render.json:render",
    "csv": "makebuy.render.csv:render_assessment",
}

PORTFOLIO_RENDERERS: dict[str, str] = {
    "table": "makebuy.render.portfolio_text:render_table",
    "markdown": "makebuy.render.markdown:render_portfolio",
    "html": "makebuy.render.html:render_portfolio",
    "json": "makebuy.render.portfolio_text:render_json",
    "csv": "makebuy.render.csv:render_portfolio",
}

# `makebuy catalog list|show|validate|diff`: a listing, entry views, a validation report,
# the changes between two catalogs.
CATALOG_LIST_RENDERERS: dict[str, str] = {
    "table": "makebuy.render.catalog:list_table",
    "json": "makebuy.render.catalog:list_json",
    "csv": "makebuy.render.catalog:list_csv",
}

CATALOG_SHOW_RENDERERS: dict[str, str] = {
    "table": "makebuy.render.catalog:show_table",
    "json": "makebuy.render.catalog:show_json",
}

CATALOG_VALIDATE_RENDERERS: dict[str, str] = {
    "text": "makebuy.render.catalog:validate_text",
    "json": "makebuy.render.catalog:validate_json",
}

CATALOG_DIFF_RENDERERS: dict[str, str] = {
    "table": "makebuy.render.catalog:diff_table",
    "markdown": "makebuy.render.catalog:diff_markdown",
    "json": "makebuy.render.catalog:diff_json",
}

# `makebuy what-if` and `makebuy diff`: two assessments compared.
COMPARISON_RENDERERS: dict[str, str] = {
    "table": "makebuy.render.diff:render_table",
    "markdown": "makebuy.render.diff:render_markdown",
    "json": "makebuy.render.diff:render_json",
}

TEMPLATED: frozenset[str] = frozenset({"markdown", "html"})
"""Formats drawn from templates/ (the user's `--template DIR` is searched first)."""


def _load(spec: str, name: str, template_dir: Path | None) -> Callable[..., str]:
    """Import `module:function`; bind the template folder when the format is templated."""
    module_name, _, attr = spec.partition(":")
    function: Callable[..., str] = getattr(importlib.import_module(module_name), attr)
    if name in TEMPLATED:
        return partial(function, template_dir=template_dir)
    return function


def get_renderer(name: str, template_dir: Path | None = None) -> Renderer:
    """The assessment renderer registered under `name`, bound to `template_dir` if templated."""
    renderer: Renderer = _load(RENDERERS[name], name, template_dir)
    return renderer


SUMMARY_RENDERERS: dict[str, str] = {
    "assessment": "makebuy.render.summary:render",
    "portfolio": "makebuy.render.summary:render_portfolio",
}
"""`--format markdown --summary`: a report that fits one pull-request comment."""


def get_summary_renderer(kind: str, full_report: str | None, command: str) -> Renderer:
    """The summary renderer of an assessment or a portfolio, bound to where the full
    report is (`full_report`, a URL) or the `command` that writes it."""
    renderer: Renderer = partial(
        _load(SUMMARY_RENDERERS[kind], kind, None), full_report=full_report, command=command
    )
    return renderer


def get_portfolio_renderer(name: str, template_dir: Path | None = None) -> PortfolioRenderer:
    """The portfolio renderer registered under `name`, bound to `template_dir` if templated."""
    renderer: PortfolioRenderer = _load(PORTFOLIO_RENDERERS[name], name, template_dir)
    return renderer


def get_catalog_renderer(registry: Mapping[str, str], name: str) -> Callable[..., str]:
    """The renderer under `name` in one of the CATALOG_*_RENDERERS registries."""
    return _load(registry[name], "", None)
