"""`makebuy catalog list|show|validate`: look inside the catalog and check it.

`list` and `show` let a reader trace every figure a report uses to its source and date;
`validate` is what CI runs on the built-in catalog and what a user runs on an override
file before `assess --catalog` reads it.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from makebuy.catalog_query import ENTRY_KINDS, WEIGHTS
from makebuy.cli.common import (
    CATALOG_OPTION,
    DEBUG_OPTION,
    NO_BUILTIN_OPTION,
    NO_CACHE_OPTION,
    choices,
    current_environment,
    emit,
    reported_errors,
    terminal_width,
)
from makebuy.errors import ExitCode
from makebuy.render import (
    CATALOG_LIST_RENDERERS,
    CATALOG_SHOW_RENDERERS,
    CATALOG_VALIDATE_RENDERERS,
)

catalog_app = typer.Typer(
    rich_markup_mode=None,  # click's plain help: no rich_utils, markdown or pygments
    name="catalog",
    help="List, show and validate the catalog (built-in plus --catalog files).",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(catalog_app, name="catalog")


if TYPE_CHECKING:
    ListFormat = StrEnum
    ShowFormat = StrEnum
    ValidateFormat = StrEnum
    Weights = StrEnum
    Kind = StrEnum
else:
    ListFormat = choices("ListFormat", CATALOG_LIST_RENDERERS)
    """Formats of `catalog list`: the names in makebuy.render.CATALOG_LIST_RENDERERS."""
    ShowFormat = choices("ShowFormat", CATALOG_SHOW_RENDERERS)
    """Formats of `catalog show`: the names in makebuy.render.CATALOG_SHOW_RENDERERS."""
    ValidateFormat = choices("ValidateFormat", CATALOG_VALIDATE_RENDERERS)
    """Formats of `catalog validate`: one finding per line (file:line first), or JSON."""
    Weights = choices("Weights", WEIGHTS)
    """The `--weights` filter: open or closed."""
    Kind = choices("Kind", ENTRY_KINDS)
    """Entry kinds `catalog show` can look an id up in."""


_OUTPUT_OPT = typer.Option(None, "--output", "-o", help="Write the output here.")


@catalog_app.command("list")
def list_models(
    weights: Weights | None = typer.Option(None, "--weights", help="open or closed weights."),
    family: list[str] = typer.Option([], "--family", help="Model family; repeatable."),
    licence: list[str] = typer.Option(
        [], "--licence", help="Licence id of the weights, or API terms id; repeatable."
    ),
    provider: list[str] = typer.Option(
        [], "--provider", help="Only models an API provider offers; repeatable."
    ),
    output_format: ListFormat = typer.Option(ListFormat("table"), "--format", "-f"),
    catalog: list[Path] = CATALOG_OPTION,
    no_builtin: bool = NO_BUILTIN_OPTION,
    output: Path | None = _OUTPUT_OPT,
    no_cache: bool = NO_CACHE_OPTION,
    debug: bool = DEBUG_OPTION,
) -> None:
    """List the models, sorted by id, with licence, size, context and who serves them."""
    with reported_errors(debug, no_cache=no_cache):
        from makebuy.catalog_query import list_models
        from makebuy.load import load_catalog
        from makebuy.render import get_catalog_renderer

        listing = list_models(
            load_catalog(catalog, builtin=not no_builtin).catalog,
            weights=weights.value if weights else None,
            families=set(family),
            licences=set(licence),
            providers=set(provider),
        )
        renderer = get_catalog_renderer(CATALOG_LIST_RENDERERS, output_format.value)
        color = current_environment().color_for(output)
        emit(renderer(listing, width=terminal_width(), color=color), output)


# ---------------------------------------------------------------- show


@catalog_app.command("show")
def show(
    entry_id: str = typer.Argument(
        ..., metavar="ID", help="A model, offering, licence, GPU or source id."
    ),
    kind: Kind | None = typer.Option(
        None, "--kind", help="Only look in this kind (model and offering ids can coincide)."
    ),
    output_format: ShowFormat = typer.Option(ShowFormat("table"), "--format", "-f"),
    catalog: list[Path] = CATALOG_OPTION,
    no_builtin: bool = NO_BUILTIN_OPTION,
    output: Path | None = _OUTPUT_OPT,
    no_cache: bool = NO_CACHE_OPTION,
    debug: bool = DEBUG_OPTION,
) -> None:
    """Show one entry: every figure with its source, as-of date and status."""
    with reported_errors(debug, no_cache=no_cache):
        from makebuy.catalog_query import entry_views
        from makebuy.load import load_catalog
        from makebuy.render import get_catalog_renderer

        loaded = load_catalog(catalog, builtin=not no_builtin)
        views = entry_views(loaded, entry_id, kind.value if kind else None)
        renderer = get_catalog_renderer(CATALOG_SHOW_RENDERERS, output_format.value)
        color = current_environment().color_for(output)
        emit(renderer(views, width=terminal_width(), color=color), output)


# ---------------------------------------------------------------- validate


@catalog_app.command("validate")
def validate(
    paths: list[Path] | None = typer.Argument(
        None, metavar="PATH", help="Catalog files or folders (default: the built-in one)."
    ),
    no_builtin: bool = typer.Option(
        False,
        "--no-builtin-catalog",
        help="Check PATHs alone (their references must then resolve among themselves).",
    ),
    max_age_days: int = typer.Option(
        365,
        "--max-age-days",
        min=1,
        max=36_500,
        help="Warn on current prices, regions, data terms and GPU prices older than this.",
    ),
    as_of: dt.datetime | None = typer.Option(
        None,
        "--as-of",
        formats=["%Y-%m-%d"],
        help="Check ages and dates as of this day (default: today).",
    ),
    output_format: ValidateFormat = typer.Option(ValidateFormat("text"), "--format", "-f"),
    output: Path | None = _OUTPUT_OPT,
    debug: bool = DEBUG_OPTION,
) -> None:
    """Check catalog files: schema, duplicate ids, references, implausible and stale figures.

    Exit 0 when there are no errors (warnings allowed), 1 when there are, 2 on bad usage.
    """
    with reported_errors(debug):
        from makebuy.catalog_check import check_catalog
        from makebuy.render import get_catalog_renderer

        report = check_catalog(
            paths or [],
            builtin=not no_builtin,
            as_of=as_of.date() if as_of else current_environment().today(),
            max_age_days=max_age_days,
        )
        renderer = get_catalog_renderer(CATALOG_VALIDATE_RENDERERS, output_format.value)
        emit(renderer(report, width=terminal_width(), color=False), output)
        if not report.ok:
            raise typer.Exit(int(ExitCode.DECISION_FAILED))
