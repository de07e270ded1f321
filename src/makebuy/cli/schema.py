"""`makebuy schema`: JSON Schemas for editors and CI."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import typer

from makebuy.cli.common import choices, reported_errors
from makebuy.schemas import SCHEMA_NAMES

if TYPE_CHECKING:
    from enum import StrEnum

    class SchemaName(StrEnum): ...
else:
    SchemaName = choices("SchemaName", SCHEMA_NAMES)


def register(app: typer.Typer) -> None:
    app.command("schema")(schema)


def schema(
    name: SchemaName = typer.Argument(..., help="Which schema."),
) -> None:
    """Print a JSON Schema: the questionnaire, a catalog file, or the JSON report of
    assess (assessment), portfolio or check."""
    with reported_errors(False):
        from makebuy.schemas import schema as build

        document = build(name.value)  # type: ignore[arg-type]  # choices are SCHEMA_NAMES
        typer.echo(json.dumps(document, indent=2, sort_keys=True))
