"""`makebuy adr new|refresh`: write a decision record from an assessment, or renew its block."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

from makebuy.cli.common import (
    CATALOG_OPTION,
    CONFIGURED_METHOD_OPTION,
    DEBUG_OPTION,
    NO_BUILTIN_OPTION,
    NO_CACHE_OPTION,
    ScoreMethod,
    configured_method,
    current_environment,
    reported_errors,
    write_atomically,
    write_files_atomically,
)
from makebuy.cli.config import effective_config

adr_app = typer.Typer(
    rich_markup_mode=None,  # click's plain help: no rich_utils, markdown or pygments
    help="Architecture decision records (MADR 4) backed by a makebuy assessment.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(adr_app, name="adr")


def _folder(folder: Path | None) -> Path:
    from makebuy import adr

    if folder is not None:
        return folder
    found = adr.find_adr_dir(current_environment().working_dir)
    return (
        found
        if found is not None
        else adr.project_root(current_environment().working_dir) / adr.DEFAULT_ADR_DIR
    )


def _shown(path: Path) -> str:
    """The path relative to the working folder when it is inside it."""
    try:
        return path.resolve().relative_to(current_environment().working_dir.resolve()).as_posix()
    except ValueError:
        return str(path)


@adr_app.command("new")
def new(
    usecase: Path = typer.Argument(..., help="The use-case questionnaire (YAML)."),
    folder: Path | None = typer.Option(
        None,
        "--dir",
        help="ADR folder (default: .adr-dir, log4brains' adrFolder, docs/decisions,"
        " docs/adr, doc/adr or docs/architecture-decisions).",
    ),
    supersedes: str | None = typer.Option(
        None, "--supersedes", help="Number or file of the record this one supersedes."
    ),
    date: dt.datetime | None = typer.Option(
        None, "--date", formats=["%Y-%m-%d"], help="Decision date (default: today)."
    ),
    catalog: list[Path] = CATALOG_OPTION,
    no_builtin: bool = NO_BUILTIN_OPTION,
    method: ScoreMethod | None = CONFIGURED_METHOD_OPTION,
    review_months: int = typer.Option(
        12, "--review-months", min=1, help="Review-by date: this many months after the date."
    ),
    margin: float = typer.Option(
        0.05, "--margin", min=0, max=1, help="Score lead that invalidates the decision."
    ),
    price_change: float = typer.Option(
        0.15, "--price-change", min=0, help="Relative price change that asks for a review."
    ),
    no_cache: bool = NO_CACHE_OPTION,
    debug: bool = DEBUG_OPTION,
) -> None:
    """Assess a use case and write a MADR 4 record of the decision (status: proposed).

    The organisation config applies as in assess (defaults, policy, method); its catalogs
    are recorded in the block like --catalog ones, so `check` re-reads them. Killed by
    SIGINT, SIGTERM or SIGHUP, it removes its temporary files before it ends."""
    with reported_errors(debug, no_cache=no_cache):
        from makebuy import adr
        from makebuy.render.adr import render_record

        on = date.date() if date else current_environment().today()
        target = _folder(folder)
        settings = effective_config()
        record = adr.new_record(
            usecase,
            [*settings.catalog_paths, *catalog],
            folder=target,
            on=on,
            builtin_catalog=not no_builtin,
            method=configured_method(method, settings.settings.method).value,
            settings=settings,
            supersedes=supersedes,
            review_months=review_months,
            tolerances=adr.Tolerances(margin=margin, price_change=price_change),
        )
        target.mkdir(parents=True, exist_ok=True)
        if record.path.exists():
            from makebuy.errors import InputError

            raise InputError("a record with this name exists already", path=record.path)
        # The new record is renamed into place before the old one's status line changes:
        # a run killed in between leaves a pair `makebuy check` reports as unfinished.
        files = [(record.path, render_record(record))]
        if record.superseded is not None:
            files.append(record.superseded)
        write_files_atomically(files, inputs=[usecase, *catalog])
        if record.superseded is not None:
            typer.echo(f"marked {_shown(record.superseded[0])} as superseded", err=True)
        typer.echo(_shown(record.path))


@adr_app.command("refresh")
def refresh(
    record: str = typer.Argument(..., help="Number or file of the record to refresh."),
    folder: Path | None = typer.Option(None, "--dir", help="ADR folder (default: as for new)."),
    date: dt.datetime | None = typer.Option(
        None, "--date", formats=["%Y-%m-%d"], help="Re-confirmation date (default: today)."
    ),
    catalog: list[Path] = typer.Option(
        [], "--catalog", "-c", help="Extra catalog file or folder on top of the recorded ones."
    ),
    review_months: int = typer.Option(
        12, "--review-months", min=1, help="New review-by date: this many months after the date."
    ),
    no_cache: bool = NO_CACHE_OPTION,
    debug: bool = DEBUG_OPTION,
) -> None:
    """After a person re-confirms a decision: rewrite only its block with today's figures.

    The organisation config applies as in check; signals clean up as in new."""
    with reported_errors(debug, no_cache=no_cache):
        from makebuy import adr

        on = date.date() if date else current_environment().today()
        path = adr.find_record(_folder(folder), record)
        text = adr.refresh_record(
            path,
            extra_catalogs=catalog,
            on=on,
            review_months=review_months,
            settings=effective_config(),
        )
        write_atomically(path, text, inputs=catalog)
        typer.echo(_shown(path))
