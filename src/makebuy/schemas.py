"""The published JSON Schemas (`makebuy schema NAME`), with the codes read from their source.

Pydantic writes the shape of each model; what only the stages know is added here: the
exclusion codes come from the gate's rule list and the cost stage, in the order they are
applied, and criterion names from `models.result.CRITERIA`. So the schema an editor or CI
validates against can never list a code the program does not emit, or miss one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, get_args

if TYPE_CHECKING:
    from pydantic import BaseModel

SchemaName = Literal["usecase", "catalog", "assessment", "portfolio", "check", "config"]
SCHEMA_NAMES: tuple[SchemaName, ...] = get_args(SchemaName)
DRAFT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_VERSIONS: dict[SchemaName, int] = {
    "usecase": 1,
    "catalog": 1,
    "assessment": 1,
    "portfolio": 1,
    "check": 1,
    "config": 1,
}
"""The version of each published schema: the questionnaire's `makebuy: 1`, the catalog
file format, the reports' `schema_version` (assess, portfolio and check JSON), and the
organisation config (makebuy.toml, or the `[tool.makebuy]` table of pyproject.toml). A
change that rejects documents valid before raises it (and with it the `$id`)."""


def schema_id(name: SchemaName) -> str:
    """The stable `$id` of a schema: a URN, since no server is promised to host it."""
    return f"urn:makebuy:schema:{name}:{SCHEMA_VERSIONS[name]}"


def exclusion_codes() -> tuple[str, ...]:
    """Every exclusion code an assessment can hold: the gate's rules, then the cost stage's."""
    from makebuy import cost, gate

    return (*gate.GATE_CODES, *(c for c in cost.COST_CODES if c not in gate.GATE_CODES))


def schema(name: SchemaName) -> dict[str, Any]:
    """The JSON Schema document for one of `SCHEMA_NAMES`."""
    if name == "usecase":
        from makebuy.models.usecase import UseCase

        document = UseCase.model_json_schema(by_alias=True)
    elif name == "catalog":
        from makebuy.models.catalog import CatalogFile

        document = CatalogFile.model_json_schema(by_alias=True)
    elif name == "portfolio":
        from makebuy.portfolio import PORTFOLIO_SCHEMA_VERSION, Portfolio

        document = _report(Portfolio, PORTFOLIO_SCHEMA_VERSION)
    elif name == "check":
        from makebuy.check import CHECK_SCHEMA_VERSION, DecisionReport

        document = _report(DecisionReport, CHECK_SCHEMA_VERSION)
    elif name == "config":
        document = _config()
    else:
        document = _assessment()
    document = {
        "$schema": DRAFT,
        "$id": schema_id(name),
        "version": SCHEMA_VERSIONS[name],
        **{k: v for k, v in document.items() if k not in ("$schema", "$id")},
    }
    return document


def _report(model: type[BaseModel], version: int) -> dict[str, Any]:
    """A JSON report's schema as it is written (serialization mode), with `schema_version`
    required and fixed to this version."""
    document = model.model_json_schema(by_alias=True, mode="serialization")
    # Every report carries schema_version (it has a default in the model, so pydantic
    # leaves it optional); a reader must be able to rely on it.
    required = document.setdefault("required", [])
    if "schema_version" not in required:
        required.insert(0, "schema_version")
    document["properties"]["schema_version"]["const"] = version
    return document


def _assessment() -> dict[str, Any]:
    from makebuy.models.result import CRITERIA, SCHEMA_VERSION, Assessment

    document = _report(Assessment, SCHEMA_VERSION)
    defs = document["$defs"]
    codes = list(exclusion_codes())
    defs["Exclusion"]["properties"]["code"]["enum"] = codes
    defs["Summary"]["properties"]["by_code"]["propertyNames"] = {"enum": codes}
    defs["OptionResult"]["properties"]["criteria"]["propertyNames"] = {"enum": list(CRITERIA)}
    return document


def _config() -> dict[str, Any]:
    """The organisation config as a TOML file holds it (makebuy.toml, or pyproject.toml's
    `[tool.makebuy]` table read as a document): `Settings`, plus the one cross-key rule its
    validator applies (a currency other than USD needs `usd_to`)."""
    from makebuy.config import Settings

    document = Settings.model_json_schema(by_alias=True)
    document["description"] = (
        "makebuy organisation config: makebuy.toml, or the [tool.makebuy] table of"
        " pyproject.toml. " + (document.get("description") or "")
    ).strip()
    document["if"] = {
        "required": ["currency"],
        "properties": {"currency": {"not": {"const": "USD"}}},
    }
    document["then"] = {"required": ["usd_to"]}
    return document
