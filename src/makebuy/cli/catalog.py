"""`makebuy catalog list|show|validate|import|diff`: look inside the catalog, check it, refresh it.

`list` and `show` let a reader trace every figure a report uses to its source and date;
`validate` is what CI runs on the built-in catalog and what a user runs on an override
file before `assess --catalog` reads it.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from makebuy.catalog_query import ENTRY_KINDS, LISTED_KINDS, WEIGHTS
from makebuy.cli.common import (
    CATALOG_OPTION,
    DEBUG_OPTION,
    NO_BUILTIN_OPTION,
    NO_CACHE_OPTION,
    choices,
    complete_entry,
    current_environment,
    emit,
    render_and_emit,
    reported_errors,
)
from makebuy.errors import ExitCode
from makebuy.render import (
    CATALOG_DIFF_RENDERERS,
    CATALOG_LIST_RENDERERS,
    CATALOG_SHOW_RENDERERS,
    CATALOG_VALIDATE_RENDERERS,
)

catalog_app = typer.Typer(
    rich_markup_mode=None,  # click's plain help: no rich_utils, markdown or pygments
    name="catalog",
    help="List, show, validate, import into and compare catalogs (built-in plus --catalog files).",
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
    ListedKind = StrEnum
    DiffFormat = StrEnum
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
    ListedKind = choices("ListedKind", LISTED_KINDS)
    """Sections `catalog list` lists."""
    DiffFormat = choices("DiffFormat", CATALOG_DIFF_RENDERERS)
    """Formats of `catalog diff`: the names in makebuy.render.CATALOG_DIFF_RENDERERS."""


_OUTPUT_OPT = typer.Option(
    None, "--output", "-o", help="Write the output to this file ('-' for stdout)."
)


@catalog_app.command("list")
def list_models(
    kind: ListedKind = typer.Option(
        ListedKind("models"),
        "--kind",
        help="What to list: models, gpus, seats (per-seat products) or servers (to buy);"
        " the filters apply to models.",
    ),
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
    """List the models, sorted by id, with licence, size, context and who serves them
    (--kind gpus, seats or servers lists those instead)."""
    with reported_errors(debug, no_cache=no_cache):
        from makebuy.catalog_query import list_entries, list_models
        from makebuy.errors import InputError
        from makebuy.load import load_catalog
        from makebuy.render import get_catalog_renderer

        loaded = load_catalog(catalog, builtin=not no_builtin).catalog
        if kind.value != "models":
            if weights or family or licence or provider:
                raise InputError(
                    "--weights, --family, --licence and --provider filter models,"
                    f" not {kind.value}",
                    field="--kind",
                )
            listing = list_entries(loaded, kind.value)
        else:
            listing = list_models(
                loaded,
                weights=weights.value if weights else None,
                families=set(family),
                licences=set(licence),
                providers=set(provider),
            )
        renderer = get_catalog_renderer(CATALOG_LIST_RENDERERS, output_format.value)
        render_and_emit(renderer, listing, output, inputs=catalog)


# ---------------------------------------------------------------- show


@catalog_app.command("show")
def show(
    entry_id: str = typer.Argument(
        ...,
        metavar="ID",
        help="A model, offering, licence, GPU or source id.",
        autocompletion=complete_entry,
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
        render_and_emit(renderer, views, output, inputs=catalog)


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
        render_and_emit(renderer, report, output, inputs=paths or [], colour=False)
        if not report.ok:
            raise typer.Exit(int(ExitCode.DECISION_FAILED))


# ---------------------------------------------------------------- import

import_app = typer.Typer(
    name="import",
    help="Write a catalog overlay from a file you already have (no network).",
    no_args_is_help=True,
)
catalog_app.add_typer(import_app, name="import")

_IMPORT_AS_OF: Any = typer.Option(
    ...,
    "--as-of",
    formats=["%Y-%m-%d"],
    help="The date the file's figures were true or read (it carries none); every"
    " imported figure is dated with it.",
)
_FORCE: Any = typer.Option(
    False, "--force", help="Replace verified curated figures that differ (else kept, exit 1)."
)
_UNMAPPED: Any = typer.Option(
    None, "--unmapped", help="Write every unmapped input entry here (key, tab, reason)."
)
_MAP: Any = typer.Option(
    [], "--map", help="KEY=MODEL_ID: add an offering for an input key; repeatable."
)
_RELEASE_VERSION: Any = typer.Option(
    None, "--version", help="Version of the package the file came from (cited in the source)."
)


def _run_import(
    *,
    catalog: list[Path],
    no_builtin: bool,
    output: Path | None,
    unmapped: Path | None,
    source: Path,
    call: Callable[..., Any],
) -> None:
    """Load the base catalog, run an importer, write the overlay and its report."""
    from makebuy.importers import overlay
    from makebuy.load import load_catalog

    base = load_catalog(catalog, builtin=not no_builtin).catalog
    result = call(base)
    inputs = [source, *catalog]
    emit(overlay.overlay_yaml(result), output, inputs=inputs)
    if unmapped is not None:
        emit(overlay.unmapped_report(result), unmapped, inputs=[*inputs, output])
    typer.echo(overlay.summary(result), err=True)
    for line in overlay.conflict_lines(result):
        typer.echo(f"conflict: {line}", err=True)
    if result.conflicts_kept_out:
        raise typer.Exit(int(ExitCode.DECISION_FAILED))


def _file_importer(
    name: str, doc: str, file_help: str, *, takes_version: bool, takes_map: bool
) -> None:
    """Add `catalog import NAME FILE`: `import_file` of the importer module NAME (`-` read
    as `_`) on FILE, with --version and --map only where the importer takes them."""
    module_name = name.replace("-", "_")

    def command(
        file: Path = typer.Argument(..., help=file_help),
        as_of: dt.datetime = _IMPORT_AS_OF,
        version: str | None = _RELEASE_VERSION,
        mapping: list[str] = _MAP,
        force: bool = _FORCE,
        catalog: list[Path] = CATALOG_OPTION,
        no_builtin: bool = NO_BUILTIN_OPTION,
        output: Path | None = _OUTPUT_OPT,
        unmapped: Path | None = _UNMAPPED,
        debug: bool = DEBUG_OPTION,
    ) -> None:
        with reported_errors(debug):
            from makebuy.importers.overlay import parse_mappings

            module = importlib.import_module(f"makebuy.importers.{module_name}")
            options: dict[str, Any] = {"as_of": as_of.date(), "force": force}
            if takes_map:
                options["mappings"] = parse_mappings(mapping)
            if takes_version:
                options["version"] = version
            _run_import(
                catalog=catalog,
                no_builtin=no_builtin,
                output=output,
                unmapped=unmapped,
                source=file,
                call=lambda base: module.import_file(file, base, **options),
            )

    # typer reads the options from the signature: leave out those this importer lacks.
    left_out = {n for n, takes in (("version", takes_version), ("mapping", takes_map)) if not takes}
    signature = inspect.signature(command, eval_str=True)
    command.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[p for p in signature.parameters.values() if p.name not in left_out]
    )
    command.__doc__ = doc
    command.__name__ = f"import_{module_name}"
    import_app.command(name)(command)


_file_importer(
    "litellm",
    "Prices and context windows of known offerings from LiteLLM's price file.",
    "model_prices_and_context_window.json, or a litellm .whl holding its copy.",
    takes_version=True,
    takes_map=True,
)


@import_app.command("hf")
def import_hf(
    folder: Path = typer.Argument(
        ..., metavar="DIR", help="A Hugging Face model folder: config.json and README.md."
    ),
    as_of: dt.datetime = _IMPORT_AS_OF,
    model_id: str | None = typer.Option(
        None, "--model-id", help="makebuy model id (default: the repository id, lowercased)."
    ),
    repo_id: str | None = typer.Option(
        None, "--repo-id", help="owner/name on Hugging Face (default: config _name_or_path)."
    ),
    licence: str | None = typer.Option(
        None, "--licence", help="Licence id when the card's license: has no catalog entry."
    ),
    parameters_b: float | None = typer.Option(
        None, "--parameters-b", min=0.001, help="Parameters in billions, as published."
    ),
    force: bool = _FORCE,
    catalog: list[Path] = CATALOG_OPTION,
    no_builtin: bool = NO_BUILTIN_OPTION,
    output: Path | None = _OUTPUT_OPT,
    debug: bool = DEBUG_OPTION,
) -> None:
    """A sizable model entry (architecture, parameters, licence, context) from a model folder."""
    with reported_errors(debug):
        from makebuy.importers import hf

        _run_import(
            catalog=catalog,
            no_builtin=no_builtin,
            output=output,
            unmapped=None,
            source=folder,
            call=lambda base: hf.import_folder(
                folder,
                base,
                as_of=as_of.date(),
                force=force,
                model_id=model_id,
                repo_id=repo_id,
                licence=licence,
                parameters_b=parameters_b,
            ),
        )


_file_importer(
    "genai-prices",
    "Dated price history of known offerings from genai-prices (undated prices: --as-of).",
    "prices/data.json of pydantic/genai-prices.",
    takes_version=True,
    takes_map=False,
)
_file_importer(
    "openrouter",
    "OpenRouter offerings (price, context) of models the catalog has.",
    "A saved response of openrouter.ai/api/v1/models.",
    takes_version=False,
    takes_map=True,
)


# ---------------------------------------------------------------- diff


@catalog_app.command("diff")
def diff(
    old: Path = typer.Argument(..., metavar="OLD", help="The catalog before: a file or folder."),
    new: Path = typer.Argument(..., metavar="NEW", help="The catalog after: a file or folder."),
    builtin: bool = typer.Option(
        False,
        "--builtin",
        help="Read the built-in catalog first on both sides (OLD, NEW overlay it).",
    ),
    output_format: DiffFormat = typer.Option(DiffFormat("table"), "--format", "-f"),
    output: Path | None = _OUTPUT_OPT,
    debug: bool = DEBUG_OPTION,
) -> None:
    """Added and removed entries; price, licence and lifecycle changes from OLD to NEW.

    Exit 0 when both sides load (differences or not), 2 when either is not a valid catalog.
    """
    with reported_errors(debug):
        from makebuy.catalog_diff import diff_catalogs
        from makebuy.load import load_catalog
        from makebuy.render import get_catalog_renderer

        before = load_catalog([old], builtin=builtin).catalog
        after = load_catalog([new], builtin=builtin).catalog
        changes = diff_catalogs(before, after)
        renderer = get_catalog_renderer(CATALOG_DIFF_RENDERERS, output_format.value)
        render_and_emit(renderer, changes, output, inputs=[old, new])
