"""`makebuy render`: draw a saved JSON report in another format, with no catalog."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from makebuy.cli.common import (
    DEBUG_OPTION,
    FULL_REPORT_URL_OPTION,
    OUTPUT_OPTION,
    SUMMARY_OPTION,
    choices,
    current_environment,
    render_and_emit,
    reported_errors,
    summary_settings,
)
from makebuy.errors import ExitCode, InputError
from makebuy.render import PORTFOLIO_RENDERERS, RENDERERS
from makebuy.render.check import CHECK_RENDERERS

if TYPE_CHECKING:
    from makebuy.saved import SavedReport

    RenderFormat = StrEnum
else:
    RenderFormat = choices(
        "RenderFormat", dict.fromkeys([*RENDERERS, *PORTFOLIO_RENDERERS, *CHECK_RENDERERS])
    )
    """Every format of the three registries; each kind of report takes its own."""

FORMATS_BY_KIND: dict[str, dict[str, str]] = {
    "assessment": RENDERERS,
    "portfolio": PORTFOLIO_RENDERERS,
    "check": CHECK_RENDERERS,
}


def register(app: typer.Typer) -> None:
    app.command("render")(render)


def render(
    report: Path = typer.Argument(
        ...,
        help="A saved JSON report (assess, portfolio or check --format json); '-' reads stdin.",
    ),
    output_format: RenderFormat = typer.Option(
        RenderFormat("table"), "--format", "-f", help="Format to draw."
    ),
    output: Path | None = OUTPUT_OPTION,
    template: Path | None = typer.Option(
        None, "--template", help="Folder of Jinja2 templates (markdown and html only)."
    ),
    summary: bool = SUMMARY_OPTION,
    full_report_url: str | None = FULL_REPORT_URL_OPTION,
    debug: bool = DEBUG_OPTION,
) -> None:
    """Re-draw a saved JSON report (assessment, portfolio or check) in another format.

    Exit codes follow the command that saved it: 1 when the assessment recommended
    nothing, or the check found a decision that no longer holds."""
    with reported_errors(debug):
        from makebuy.cli.assess import check_template_dir

        saved = read_saved(report)
        fmt = output_format.value
        if fmt not in FORMATS_BY_KIND[saved.kind]:
            raise InputError(
                f"a {saved.kind} report renders as {', '.join(FORMATS_BY_KIND[saved.kind])},"
                f" not {fmt}",
                field="--format",
            )
        check_template_dir(template, fmt)
        summary, full_report_url = summary_settings(summary, fmt, full_report_url)
        if summary and saved.kind == "check":
            raise InputError("--summary applies to assessment and portfolio reports")
        if summary:
            from makebuy.render import get_summary_renderer

            renderer = get_summary_renderer(
                saved.kind, full_report_url, f"makebuy render {report} --format markdown"
            )
        else:
            renderer = renderer_for(saved.kind, fmt, template)
        render_and_emit(
            renderer,
            saved.report,
            output,
            inputs=[report, template],
            colour=fmt == "table",
        )
        raise typer.Exit(exit_code(saved))


def read_saved(path: Path) -> SavedReport:
    """The saved report at `path`, or on stdin for `-`."""
    from makebuy import load, saved
    from makebuy.environment import is_stdio

    if is_stdio(path):
        return saved.parse(current_environment().stdin.read(load.MAX_INPUT_BYTES), "<stdin>")
    return saved.parse(load.read_text(path), str(path))


def renderer_for(kind: str, fmt: str, template: Path | None) -> Any:
    """The renderer of `fmt` in the registry of this kind of report."""
    from makebuy.render import get_portfolio_renderer, get_renderer
    from makebuy.render.check import get_check_renderer

    if kind == "check":
        return get_check_renderer(fmt)
    if kind == "portfolio":
        return get_portfolio_renderer(fmt, template_dir=template)
    return get_renderer(fmt, template_dir=template)


def exit_code(saved: SavedReport) -> int:
    """The exit code the saving command had, as far as the report records it."""
    from makebuy.check import DecisionReport
    from makebuy.models.result import Assessment
    from makebuy.portfolio import Portfolio

    report = saved.report
    if isinstance(report, DecisionReport):
        return report.exit_code
    if isinstance(report, Portfolio) and report.failed:
        return int(ExitCode.DECISION_FAILED)
    if isinstance(report, Assessment) and report.recommendation.option is None:
        return int(ExitCode.DECISION_FAILED)
    return int(ExitCode.OK)
