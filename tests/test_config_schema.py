"""`makebuy schema config`: the JSON Schema of makebuy.toml (and of pyproject.toml's
[tool.makebuy] table) accepts the documented examples and rejects what the loader rejects."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from makebuy.config import load_config
from makebuy.errors import InputError
from makebuy.schemas import schema_id
from tests.conftest import ROOT


def config_schema(cli: Any) -> dict[str, Any]:
    result = cli("schema", "config")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def documented_examples() -> list[dict[str, Any]]:
    """Every ```toml block of the README, as the table makebuy reads from it."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```toml\n(.*?)^```", text, re.MULTILINE | re.DOTALL)
    tables = []
    for block in blocks:
        data = tomllib.loads(block)
        tables.append(data["tool"]["makebuy"] if "tool" in data else data)
    return tables


def test_the_config_schema_has_an_id_and_a_version(cli: Any) -> None:
    document = config_schema(cli)
    assert document["$id"] == schema_id("config") == "urn:makebuy:schema:config:1"
    jsonschema.Draft202012Validator.check_schema(document)


def test_the_documented_examples_are_valid(cli: Any) -> None:
    examples = documented_examples()
    assert examples, "the README documents no makebuy.toml"
    validator = jsonschema.Draft202012Validator(config_schema(cli))
    for example in examples:
        assert list(validator.iter_errors(example)) == []


BAD = {
    "unknown-key": {"colour": "red"},
    "unknown-policy-key": {"policy": {"deny_provider": ["x"]}},
    "wrong-type": {"usd_to": "0.9"},
    "negative-rate": {"usd_to": -1},
    "bad-kind": {"policy": {"allowed_kinds": ["lease"]}},
    "no-rate": {"currency": "EUR"},
    "lowercase-currency": {"currency": "eur", "usd_to": 0.9},
    "bad-method": {"method": "vibes"},
    "policy-not-a-table": {"policy": ["openai"]},
    "list-of-numbers": {"policy": {"deny_models": [1]}},
}
GOOD = {
    "empty": {},
    "usd": {"currency": "USD"},
    "eur": {"currency": "EUR", "usd_to": 0.92},
    "integer-cost": {"engineer_cost_per_year": 150000},
    "policy-only": {"policy": {"allowed_kinds": ["buy", "hybrid"], "required_regions": ["eu"]}},
}


def _toml(value: Any) -> str:
    return json.dumps(value)  # JSON scalars and arrays of them are valid TOML values


def write_toml(folder: Path, table: dict[str, Any]) -> None:
    lines = [f"{k} = {_toml(v)}" for k, v in table.items() if not isinstance(v, dict)]
    for key, value in table.items():
        if isinstance(value, dict):
            lines.append(f"[{key}]")
            lines += [f"{k} = {_toml(v)}" for k, v in value.items()]
    (folder / "makebuy.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize("name", sorted(BAD))
def test_a_bad_config_is_rejected_by_the_schema_and_the_loader(
    cli: Any, tmp_path: Path, name: str
) -> None:
    validator = jsonschema.Draft202012Validator(config_schema(cli))
    assert list(validator.iter_errors(BAD[name])), name
    write_toml(tmp_path, BAD[name])
    with pytest.raises(InputError):
        load_config(tmp_path, {})


@pytest.mark.parametrize("name", sorted(GOOD))
def test_a_good_config_is_accepted_by_the_schema_and_the_loader(
    cli: Any, tmp_path: Path, name: str
) -> None:
    validator = jsonschema.Draft202012Validator(config_schema(cli))
    assert list(validator.iter_errors(GOOD[name])) == []
    write_toml(tmp_path, GOOD[name])
    load_config(tmp_path, {})
