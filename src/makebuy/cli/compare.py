"""`makebuy what-if` and `makebuy diff`: how a recommendation moves.

what-if re-assesses the questionnaire with some answers changed (`--set KEY=VALUE`) and
compares it with the questionnaire as written; diff compares two saved JSON assessments.
Both print `makebuy.compare.AssessmentDiff` in the format asked for.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from makebuy.cli.common import (
    AS_OF_OPTION,
    CATALOG_OPTION,
    CONFIGURED_METHOD_OPTION,
    DEBUG_OPTION,
    NO_BUILTIN_OPTION,
    OUTPUT_OPTION,
    ScoreMethod,
    choices,
    configured_method,
    questionnaire_source,
    render_and_emit,
    reported_errors,
)
from makebuy.cli.config import effective_config
from makebuy.errors import InputError
from makebuy.render import COMPARISON_RENDERERS

if TYPE_CHECKING:
    from makebuy.models.result import Assessment

    ComparisonFormat = StrEnum
else:
    ComparisonFormat = choices("ComparisonFormat", COMPARISON_RENDERERS)
    """Formats: the names in makebuy.render.COMPARISON_RENDERERS."""

FORMAT_OPTION: Any = typer.Option(
    ComparisonFormat("table"), "--format", "-f", help="Output format."
)


def register(app: typer.Typer) -> None:
    app.command("what-if")(what_if)
    app.command("diff")(diff)


def parse_setting(text: str) -> tuple[str, Any]:
    """`volume.requests_per_month=2e6` -> ("volume.requests_per_month", 2000000.0): the value
    is read as a YAML scalar or flow collection (`[en, de]`), as in the questionnaire."""
    from makebuy.load import parse_yaml

    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key or any(not part for part in key.split(".")):
        raise InputError(
            f"--set expects KEY=VALUE with a dotted questionnaire key, got {text!r}",
            path="--set",
        )
    try:
        value = parse_yaml(raw, "--set").data
    except InputError as exc:
        raise InputError(f"cannot read the value of {key}: {exc.message}", path="--set") from None
    return key, value


def what_if(
    usecase: Path = typer.Argument(
        ..., help="The use-case questionnaire (YAML); '-' reads it from stdin."
    ),
    settings: list[str] = typer.Option(
        [],
        "--set",
        "-s",
        help="KEY=VALUE: change one answer (dotted key, e.g. priorities.cost=5); repeatable.",
    ),
    catalog: list[Path] = CATALOG_OPTION,
    no_builtin: bool = NO_BUILTIN_OPTION,
    output_format: ComparisonFormat = FORMAT_OPTION,
    output: Path | None = OUTPUT_OPTION,
    method: ScoreMethod | None = CONFIGURED_METHOD_OPTION,
    as_of: dt.datetime | None = AS_OF_OPTION,
    debug: bool = DEBUG_OPTION,
) -> None:
    """Change some answers and see how the recommendation and costs move.

    The organisation config applies to both runs as in assess (defaults, policy, catalogs,
    method)."""
    with reported_errors(debug):
        from makebuy import compare, load, pipeline
        from makebuy.render import get_catalog_renderer

        if not settings:
            raise InputError("give at least one --set KEY=VALUE to compare against")
        overrides = [parse_setting(s) for s in settings]
        config = effective_config()
        catalogs = [*config.catalog_paths, *catalog]
        loaded = load.load_catalog(catalogs, builtin=not no_builtin)
        common: dict[str, Any] = {
            "method": configured_method(method, config.settings.method).value,
            "evaluated_on": as_of.date() if as_of else None,
            "loaded_catalog": loaded,
            "settings": config,
        }
        source = questionnaire_source(usecase)
        base = pipeline.assess(source, catalogs, **common).assessment
        changed = pipeline.assess(source, catalogs, overrides=overrides, **common).assessment
        label = ", ".join(f"{k}={_shown(v)}" for k, v in overrides)
        result = compare.compare(base, changed, ("as written", f"with {label}"))
        renderer = get_catalog_renderer(COMPARISON_RENDERERS, output_format.value)
        render_and_emit(
            renderer, result, output, inputs=[usecase, *catalog], colour=output_format == "table"
        )


def _shown(value: Any) -> str:
    """A --set value as the user would write it again (YAML flow style)."""
    import yaml

    if isinstance(value, dict | list):
        return yaml.safe_dump(value, default_flow_style=True, width=10_000).strip()
    return str(value)


def read_assessment(path: Path) -> Assessment:
    """A saved `makebuy assess --format json` report; errors name the file and field."""
    from pydantic import ValidationError

    from makebuy import load, saved
    from makebuy.models.result import Assessment

    text = load.read_text(path)
    try:
        return Assessment.model_validate_json(text)
    except ValidationError as exc:
        what = "not a makebuy assessment (makebuy assess --format json)"
        raise saved.not_a_report(exc, what, path) from None


def diff(
    before: Path = typer.Argument(..., help="The earlier assessment (JSON)."),
    after: Path = typer.Argument(..., help="The later assessment (JSON)."),
    output_format: ComparisonFormat = FORMAT_OPTION,
    output: Path | None = OUTPUT_OPTION,
    debug: bool = DEBUG_OPTION,
) -> None:
    """Compare two saved assessments: winner, ranks, costs, exclusions and catalogs."""
    with reported_errors(debug):
        from makebuy import compare
        from makebuy.render import get_catalog_renderer

        result = compare.compare(
            read_assessment(before), read_assessment(after), (before.name, after.name)
        )
        renderer = get_catalog_renderer(COMPARISON_RENDERERS, output_format.value)
        render_and_emit(
            renderer, result, output, inputs=[before, after], colour=output_format == "table"
        )
