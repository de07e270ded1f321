"""`makebuy schema`: JSON Schemas for editors and CI."""

from __future__ import annotations

import json
from enum import StrEnum

import typer

from makebuy.cli.common import reported_errors


class SchemaName(StrEnum):
    usecase = "usecase"
    catalog = "catalog"
    assessment = "assessment"


def register(app: typer.Typer) -> None:
    app.command("schema")(schema)


def schema(
    name: SchemaName = typer.Argument(..., help="usecase | catalog | assessment"),
) -> None:
    """Print a JSON Schema (questionnaire, catalog file, or assessment JSON report)."""
    with reported_errors(False):
        if name is SchemaName.usecase:
            from makebuy.models.usecase import UseCase as model
        elif name is SchemaName.catalog:
            from makebuy.models.catalog import CatalogFile as model  # type: ignore[assignment]
        else:
            from makebuy.models.result import Assessment as model  # type: ignore[assignment]
        document = model.model_json_schema(by_alias=True)
        document["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        typer.echo(json.dumps(document, indent=2, sort_keys=True))
