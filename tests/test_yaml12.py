"""YAML is read as editors read it (1.2 scalars), and the published schema agrees with the
loader: check-jsonschema, in its default mode, accepts exactly the questionnaires makebuy does.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from makebuy.errors import ExitCode
from makebuy.load import parse_yaml

from .conftest import EXAMPLE_FILES, EXAMPLES


def _check_jsonschema() -> str | None:
    local = Path(sys.executable).parent / "check-jsonschema"
    return str(local) if local.exists() else shutil.which("check-jsonschema")


CHECK_JSONSCHEMA = _check_jsonschema()
needs_check_jsonschema = pytest.mark.skipif(
    CHECK_JSONSCHEMA is None, reason="check-jsonschema is not installed (pip install '.[test]')"
)

NORWEGIAN = """\
makebuy: 1
name: 2024-01-01
task:
  languages: [en, no]
volume:
  requests_per_month: 1e5
  input_tokens_per_request: 500
  output_tokens_per_request: 200
requirements:
  min_quality: 0
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[en, no, yes, on, off, y, n]", ["en", "no", "yes", "on", "off", "y", "n"]),
        ("2024-01-01", "2024-01-01"),
        ("true", True),
        ("False", False),
        ("~", None),
        ("null", None),
        ("1e6", 1e6),
        ("0777", 777),
        ("0o17", 15),
        ("0x1F", 31),
        ("400_000", 400000),
        ("12:30", "12:30"),
        ("!!timestamp 2024-01-01", __import__("datetime").date(2024, 1, 1)),
    ],
)
def test_scalars_are_read_with_yaml_1_2_semantics(text: str, expected: object) -> None:
    assert parse_yaml(f"key: {text}\n", "x.yaml").data == {"key": expected}


def test_norwegian_and_a_date_as_name_are_accepted(cli, tmp_path: Path) -> None:
    path = tmp_path / "norwegian.yaml"
    path.write_text(NORWEGIAN)
    result = cli("assess", path, "--format", "json", "-q")
    assert result.exit_code == ExitCode.OK, result.stderr
    report = json.loads(result.stdout)
    assert report["usecase"]["name"] == "2024-01-01"


@pytest.fixture(scope="module")
def usecase_schema(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from typer.testing import CliRunner

    from makebuy.cli import app

    result = CliRunner().invoke(app, ["schema", "usecase"])
    assert result.exit_code == 0
    path = tmp_path_factory.mktemp("schema") / "usecase.schema.json"
    path.write_text(result.stdout)
    return path


def _validate(schema: Path, *files: Path) -> subprocess.CompletedProcess[str]:
    assert CHECK_JSONSCHEMA is not None
    return subprocess.run(
        [CHECK_JSONSCHEMA, "--schemafile", str(schema), *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
    )


@needs_check_jsonschema
def test_check_jsonschema_validates_the_examples_in_its_default_mode(
    usecase_schema: Path,
) -> None:
    done = _validate(usecase_schema, *EXAMPLE_FILES)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ok -- validation done" in done.stdout


@needs_check_jsonschema
def test_check_jsonschema_and_makebuy_agree_on_yaml_1_1_lookalikes(
    cli, usecase_schema: Path, tmp_path: Path
) -> None:
    good = tmp_path / "norwegian.yaml"
    good.write_text(NORWEGIAN)
    assert _validate(usecase_schema, good).returncode == 0
    assert cli("assess", good, "-q").exit_code == ExitCode.OK
    bad = tmp_path / "bad.yaml"
    bad.write_text(NORWEGIAN.replace("[en, no]", "[en, norwegian]"))
    assert _validate(usecase_schema, bad).returncode == 1
    result = cli("assess", bad, "-q")
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "task.languages[1]" in result.stderr


@needs_check_jsonschema
def test_the_template_init_writes_validates_once_filled_in(
    cli, usecase_schema: Path, tmp_path: Path
) -> None:
    target = tmp_path / "u.yaml"
    assert cli("init", "--example", "support-assistant", target).exit_code == 0
    assert _validate(usecase_schema, target).returncode == 0


def test_the_examples_directory_is_what_the_test_validates() -> None:
    assert {p.parent for p in EXAMPLE_FILES} == {EXAMPLES} and len(EXAMPLE_FILES) >= 4
