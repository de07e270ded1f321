"""`makebuy assess`: one questionnaire in, one recommendation report out."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

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
    catalog_age_warnings,
    choices,
    configured_method,
    current_environment,
    questionnaire_source,
    render_and_emit,
    report_outcome,
    reported_errors,
    summary_settings,
)
from makebuy.cli.config import effective_config
from makebuy.errors import ExitCode, InputError
from makebuy.render import RENDERERS

if TYPE_CHECKING:
    Format = StrEnum
else:
    Format = choices("Format", RENDERERS)
    """Report formats: the names in makebuy.render.RENDERERS, nothing listed here."""


def register(app: typer.Typer) -> None:
    app.command("assess")(assess)


def assess(
    usecase: Path = typer.Argument(
        ..., help="The use-case questionnaire (YAML); '-' reads it from stdin."
    ),
    catalog: list[Path] = CATALOG_OPTION,
    no_builtin: bool = NO_BUILTIN_OPTION,
    output_format: Format = typer.Option(Format("table"), "--format", "-f", help="Report format."),
    output: Path | None = OUTPUT_OPTION,
    method: ScoreMethod | None = CONFIGURED_METHOD_OPTION,
    as_of: dt.datetime | None = AS_OF_OPTION,
    template: Path | None = typer.Option(
        None,
        "--template",
        help="Folder of Jinja2 templates (report.md.j2, report.html.j2) that replace the"
        " shipped ones of the same name; markdown and html only.",
    ),
    evals: Path | None = typer.Option(
        None,
        "--evals",
        help="Your own eval results (YAML or CSV; see the README); they take precedence over"
        " the catalog's quality evidence and are cited as yours.",
    ),
    summary: bool = SUMMARY_OPTION,
    full_report_url: str | None = FULL_REPORT_URL_OPTION,
    fail_above: str | None = FAIL_ABOVE_OPTION,
    quiet: bool = QUIET_OPTION,
    no_cache: bool = NO_CACHE_OPTION,
    debug: bool = DEBUG_OPTION,
) -> None:
    """Assess a use case: rule out, cost, score and recommend buy, rent or make.

    Ends with one line on stderr: the recommendation, its cost per month and over the
    horizon (--quiet drops it). Exit 0 with a recommendation; 1 when every option was
    ruled out or the recommendation costs more than --fail-above; 2 for bad input."""
    with reported_errors(debug, no_cache=no_cache):
        from makebuy import headline, pipeline
        from makebuy.render import get_renderer, get_summary_renderer

        check_template_dir(template, output_format.value)
        summary, full_report_url = summary_settings(summary, output_format.value, full_report_url)
        budget = budget_of(fail_above)
        settings = effective_config()
        method = configured_method(method, settings.settings.method)

        result = pipeline.assess(
            questionnaire_source(usecase),
            [*settings.catalog_paths, *catalog],
            settings=settings,
            method=method.value,
            evaluated_on=as_of.date() if as_of else None,
            builtin_catalog=not no_builtin,
            evals=evals,
        ).assessment
        renderer = (
            get_summary_renderer(
                "assessment",
                full_report_url,
                f"makebuy assess {usecase} --format markdown",
            )
            if summary
            else get_renderer(output_format.value, template_dir=template)
        )
        delivered = render_and_emit(
            renderer,
            result,
            output,
            inputs=[usecase, *catalog, template, evals],
            colour=output_format == "table",
        )
        code = report_outcome(
            [headline.for_assessment(result)],
            quiet=quiet or not delivered,
            budget=budget,
            warnings=catalog_age_warnings(
                result.catalog.as_of, current_environment().today(), chosen_date=bool(as_of)
            ),
        )
        if result.recommendation.option is None:
            raise typer.Exit(int(ExitCode.DECISION_FAILED))
        raise typer.Exit(int(code))


def check_template_dir(template: Path | None, output_format: str) -> None:
    """--template needs a folder and a format drawn from templates."""
    from makebuy.render import TEMPLATED

    if template is None:
        return
    if output_format not in TEMPLATED:
        raise InputError(
            f"--template applies to {' and '.join(sorted(TEMPLATED))} reports, not {output_format}",
            path=template,
        )
    if not template.is_dir():
        raise InputError("--template must be a folder of templates", path=template)
    from makebuy.load import check_input_file

    for entry in template.rglob("*"):  # jinja2 would block on a FIFO or read a device forever
        if not entry.is_dir():
            check_input_file(entry)
