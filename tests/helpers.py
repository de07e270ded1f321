"""Small builders shared by tests: questionnaires from dicts, assessments as JSON."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from makebuy.cli import app


def questionnaire(tmp_path: Path, **sections: Any) -> Path:
    """A minimal valid questionnaire, with `sections` merged in (one level deep)."""
    doc: dict[str, Any] = {
        "makebuy": 1,
        "name": "test use case",
        "volume": {
            "requests_per_month": 100_000,
            "input_tokens_per_request": 500,
            "output_tokens_per_request": 200,
        },
        "requirements": {"min_quality": 0},
    }
    for key, value in sections.items():
        if isinstance(value, dict) and isinstance(doc.get(key), dict):
            doc[key] = {**doc[key], **value}
        else:
            doc[key] = value
    path = tmp_path / "usecase.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def assess_json(path: Path, *args: str) -> dict[str, Any]:
    """Run `makebuy assess PATH --format json ARGS` and parse the report.

    The same file with the same content and arguments is assessed once per test session
    (reports are deterministic); each call gets its own parsed copy."""
    from makebuy.environment import current

    builtin = current().env_vars.get("MAKEBUY_BUILTIN_CATALOG")
    return json.loads(_assess_text(path.resolve(), path.read_bytes(), tuple(args), builtin))


@cache
def _assess_text(path: Path, content: bytes, args: tuple[str, ...], builtin: str | None) -> str:
    """One assessment per file, content, arguments and built-in catalog (tests of the
    shipped catalog and of the frozen fixture assess the same examples)."""
    from typer.testing import CliRunner

    result = CliRunner().invoke(app, ["assess", str(path), "--format", "json", *args])
    assert result.exit_code in (0, 1), result.stderr
    return result.stdout


def option(report: dict[str, Any], option_id: str) -> dict[str, Any]:
    """One option of a JSON report by id."""
    found = [o for o in report["options"] if o["id"] == option_id]
    assert found, f"no option {option_id}; have {[o['id'] for o in report['options']][:20]}…"
    return found[0]


def codes(report: dict[str, Any], option_id: str) -> list[str]:
    return [e["code"] for e in option(report, option_id)["exclusions"]]
