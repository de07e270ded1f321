"""GitHub-flavoured Markdown, for pull requests and wikis."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from makebuy.models.result import Assessment
from makebuy.render.format import environment, render_template, report_context

if TYPE_CHECKING:
    from makebuy.portfolio import Portfolio


def render(
    assessment: Assessment,
    *,
    width: int = 100,
    color: bool = False,
    template_dir: Path | None = None,
) -> str:
    """The assessment as Markdown from `report.md.j2` (the user's folder first)."""
    return render_template(
        environment(autoescape=False, template_dir=template_dir),
        "report.md.j2",
        a=assessment,
        **report_context(assessment),
    )


def render_portfolio(
    portfolio: Portfolio,
    *,
    width: int = 100,
    color: bool = False,
    template_dir: Path | None = None,
) -> str:
    """The portfolio as Markdown from `portfolio.md.j2`."""
    return render_template(
        environment(autoescape=False, template_dir=template_dir), "portfolio.md.j2", p=portfolio
    )
