"""`makebuy portfolio`: many questionnaires in, one leadership report out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from makebuy.cli.assess import check_template_dir
from makebuy.cli.common import (
    AS_OF_OPTION,
    CATALOG_OPTION,
    CONFIGURED_METHOD_OPTION,
    DEBUG_OPTION,
    FAIL_ABOVE_OPTION,
    FULL_REPORT_URL_OPTION,
    NO_BUILTIN_OPTION,
    NO_CACHE_OPTION,
    OUTPUT_OPTION,
    QUIET_OPTION,
    SUMMARY_OPTION,
    ScoreMethod,
    budget_of,
    choices,
    configured_method,
    current_environment,
    render_and_emit,
    report_outcome,
    reported_errors,
    summary_settings,
)
from makebuy.cli.config import effective_config
from makebuy.errors import ExitCode, InputError
from makebuy.render import PORTFOLIO_RENDERERS

if TYPE_CHECKING:
    PortfolioFormat = StrEnum
else:
    PortfolioFormat = choices("PortfolioFormat", PORTFOLIO_RENDERERS)
    """Portfolio formats: the names in makebuy.render.PORTFOLIO_RENDERERS."""


def register(app: typer.Typer) -> None:
    app.command("portfolio")(portfolio)


def portfolio(
    paths: list[str] = typer.Argument(
        ..., help="Questionnaires: files, folders (searched for *.yaml) or quoted globs."
    ),
    catalog: list[Path] = CATALOG_OPTION,
    no_builtin: bool = NO_BUILTIN_OPTION,
    output_format: PortfolioFormat = typer.Option(
        PortfolioFormat("table"), "--format", "-f", help="Report format."
    ),
    output: Path | None = OUTPUT_OPTION,
    method: ScoreMethod | None = CONFIGURED_METHOD_OPTION,
    as_of: dt.datetime | None = AS_OF_OPTION,
    template: Path | None = typer.Option(
        None,
        "--template",
        help="Folder of Jinja2 templates (portfolio.md.j2, portfolio.html.j2) that replace"
        " the shipped ones of the same name; markdown and html only.",
    ),
    summary: bool = SUMMARY_OPTION,
    full_report_url: str | None = FULL_REPORT_URL_OPTION,
    fail_above: str | None = FAIL_ABOVE_OPTION,
    quiet: bool = QUIET_OPTION,
    no_cache: bool = NO_CACHE_OPTION,
    debug: bool = DEBUG_OPTION,
) -> None:
    """Assess many use cases and total them: buy everything, make what may be made, the mix.

    Ends with one line on stderr: the recommended mix's cost per month and over the use
    cases' horizons (--quiet drops it); --fail-above compares that mix with a budget."""
    with reported_errors(debug, no_cache=no_cache):
        from makebuy import headline
        from makebuy.portfolio import assess_portfolio
        from makebuy.render import get_portfolio_renderer, get_summary_renderer

        check_template_dir(template, output_format.value)
        summary, full_report_url = summary_settings(summary, output_format.value, full_report_url)
        budget = budget_of(fail_above)
        settings = effective_config()
        method = configured_method(method, settings.settings.method)
        with _progress() as on_progress:
            result = assess_portfolio(
                paths,
                [*settings.catalog_paths, *catalog],
                settings=settings,
                method=method.value,
                evaluated_on=as_of.date() if as_of else None,
                builtin_catalog=not no_builtin,
                on_progress=on_progress,
            )
        if not result.use_cases and not result.failures:
            raise InputError("no questionnaire given")
        for failure in result.failures:
            typer.echo(f"error: {failure.path}: {failure.message}", err=True)
        if not result.use_cases:
            # Nothing could be assessed (an empty folder, a broken file): bad input, and
            # no report, since $0 totals would read as a portfolio that costs nothing.
            raise typer.Exit(int(ExitCode.BAD_INPUT))
        renderer = (
            get_summary_renderer(
                "portfolio",
                full_report_url,
                f"makebuy portfolio {' '.join(paths)} --format markdown",
            )
            if summary
            else get_portfolio_renderer(output_format.value, template_dir=template)
        )
        delivered = render_and_emit(
            renderer,
            result,
            output,
            inputs=[*map(Path, paths), *catalog, template],
            colour=output_format == "table",
        )
        stale = (
            None
            if as_of
            else headline.catalog_age_warning(result.catalog_as_of, current_environment().today())
        )
        code = report_outcome(
            [headline.for_portfolio(result)],
            quiet=quiet or not delivered,
            budget=budget,
            warnings=[stale] if stale else [],
        )
        if result.failed:  # partly failed (some files broken) never exits 0
            raise typer.Exit(int(ExitCode.DECISION_FAILED))
        raise typer.Exit(int(code))


@contextmanager
def _progress() -> Iterator[Callable[[Path | None, int], None] | None]:
    """A rich progress bar on stderr when it is a terminal; nothing otherwise (stable logs)."""
    if not current_environment().stderr_is_tty:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    bar = Progress(
        TextColumn("assessing"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        console=Console(markup=False, stderr=True),
        transient=True,
    )
    task = bar.add_task("", total=None)
    started: list[Path] = []

    def on_progress(path: Path | None, total: int) -> None:
        if path is not None:
            started.append(path)
        done = max(len(started) - 1, 0)
        bar.update(task, total=total, completed=done, description=path.name if path else "")

    with bar:
        yield on_progress
