"""`makebuy schema portfolio|check`: the JSON the commands write validates against them."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from .conftest import EXAMPLES, GOLDEN
from .test_adr import DATE, new_adr, repo_with


@pytest.mark.parametrize("name", ["portfolio", "check"])
def test_the_report_schemas_require_their_version(cli, name: str) -> None:
    document = json.loads(cli("schema", name).stdout)
    assert document["$id"] == f"urn:makebuy:schema:{name}:1"
    assert document["required"][0] == "schema_version"
    assert document["properties"]["schema_version"]["const"] == 1


def test_a_real_portfolio_validates(cli, schema_validator: Callable[[str], Any]) -> None:
    result = cli("portfolio", EXAMPLES, "--format", "json", "-q")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    schema_validator("portfolio").validate(report)
    schema_validator("portfolio").validate(json.loads((GOLDEN / "portfolio.json").read_text()))
    broken = {**report, "schema_version": 2}
    assert list(schema_validator("portfolio").iter_errors(broken))


def test_a_portfolio_with_a_failure_validates(
    cli, tmp_path: Path, schema_validator: Callable[[str], Any]
) -> None:
    (tmp_path / "good.yaml").write_text((EXAMPLES / "support-assistant.yaml").read_text())
    (tmp_path / "broken.yaml").write_text("makebuy: 1\nname: [\n")
    result = cli("portfolio", tmp_path, "--format", "json", "-q")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["failures"]
    schema_validator("portfolio").validate(report)


def test_a_real_check_report_validates(
    cli, tmp_path: Path, schema_validator: Callable[[str], Any]
) -> None:
    root = repo_with(tmp_path, "contract-analysis-low-volume.yaml")
    folder = root / "docs" / "decisions"
    new_adr(cli, root, "contract-analysis-low-volume.yaml", "--dir", folder)
    (folder / "notes.md").write_text("# Notes\n\nNot a decision.\n")
    (folder / "0002-broken.md").write_text(
        "# Broken\n\n## Status\n\nAccepted\n\n## Confirmation\n\n```yaml makebuy\nchosen: [\n```\n"
    )
    result = cli("check", folder, "--today", DATE, "--format", "json", "-q")
    report = json.loads(result.stdout)
    assert {r["outcome"] for r in report["records"]} >= {"checked", "not-adr"}
    assert any(r["verdict"] == "error" for r in report["records"])
    schema_validator("check").validate(report)
    assert list(schema_validator("check").iter_errors({**report, "records": "none"}))
