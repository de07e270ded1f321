"""`makebuy check`: fail the build when a recorded decision no longer holds."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from makebuy.cli.common import (
    DEBUG_OPTION,
    FAIL_ABOVE_OPTION,
    NO_CACHE_OPTION,
    OUTPUT_OPTION,
    QUIET_OPTION,
    budget_of,
    choices,
    current_environment,
    render_and_emit,
    report_outcome,
    reported_errors,
)
from makebuy.cli.config import effective_config
from makebuy.render.check import CHECK_RENDERERS

if TYPE_CHECKING:
    CheckFormat = StrEnum
else:
    CheckFormat = choices("CheckFormat", CHECK_RENDERERS)
    """Report formats: the names in makebuy.render.check.CHECK_RENDERERS."""


def register(app: typer.Typer) -> None:
    app.command("check")(check)


def check(
    paths: list[Path] = typer.Argument(
        None, help="ADR files or folders (default: the repository's ADR folder)."
    ),
    catalog: list[Path] = typer.Option(
        [], "--catalog", "-c", help="Extra catalog file or folder on top of each record's own."
    ),
    today: dt.datetime | None = typer.Option(
        None,
        "--today",
        formats=["%Y-%m-%d"],
        help="Date compared with review-by dates (default: today).",
    ),
    strict: bool = typer.Option(False, "--strict", help="A record needing review fails too."),
    output_format: CheckFormat = typer.Option(
        CheckFormat("table"), "--format", "-f", help="Report format."
    ),
    output: Path | None = OUTPUT_OPTION,
    fail_above: str | None = FAIL_ABOVE_OPTION,
    quiet: bool = QUIET_OPTION,
    no_cache: bool = NO_CACHE_OPTION,
    debug: bool = DEBUG_OPTION,
) -> None:
    """Re-assess every decision record with a makebuy block against today's catalog.

    The organisation config (makebuy.toml, [tool.makebuy], MAKEBUY_*) applies as in
    assess: its defaults, its policy and its catalogs; each record keeps its own method.

    Ends with one line per checked record on stderr: the chosen option's cost today, per
    month and over the horizon (--quiet drops them). Exit 0 when all hold, 1 when one is
    invalidated (or needs review, with --strict) or a chosen option costs more than
    --fail-above, 2 for bad input (the message names the file, line and field).
    """
    with reported_errors(debug, no_cache=no_cache):
        from makebuy import adr, headline
        from makebuy import check as checking
        from makebuy.errors import InputError
        from makebuy.render.check import get_check_renderer

        budget = budget_of(fail_above)
        settings = effective_config()

        if not paths:
            folder = adr.find_adr_dir(current_environment().working_dir)
            if folder is None or not folder.is_dir():
                raise InputError(
                    "no ADR folder found (.adr-dir, .log4brains.yml, docs/decisions, docs/adr,"
                    " doc/adr, docs/architecture-decisions); pass the files or folders to check"
                )
            paths = [folder]
        on = today.date() if today else current_environment().today()
        catalogs = adr.CatalogCache()
        result = checking.check(
            paths,
            today=on,
            extra_catalogs=catalog,
            strict=strict,
            cwd=current_environment().working_dir,
            settings=settings,
            cache=catalogs,
        )
        oldest = catalogs.oldest_as_of()
        stale = headline.catalog_age_warning(oldest, on) if oldest else None
        delivered = render_and_emit(
            get_check_renderer(output_format.value), result, output, inputs=[*paths, *catalog]
        )
        for line in checking.error_lines(result):
            typer.echo(f"error: {line}", err=True)
        code = report_outcome(
            headline.for_check(result),
            quiet=quiet or not delivered,
            budget=budget,
            warnings=[stale] if stale else [],
        )
        raise typer.Exit(max(result.exit_code, int(code)))
