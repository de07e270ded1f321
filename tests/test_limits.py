"""Issue 15, hardening: input limits, numbers checked at the edge, outputs never clobber inputs.

Every YAML input goes through one reader with documented limits (aliases, nesting,
value length, integer digits, plain tags only); each breach is exit 2 with one line
naming the file, the line and the field, never exit 70, a hang or a memory blow-up.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from makebuy.errors import ExitCode

from .conftest import EXAMPLES
from .helpers import questionnaire

SUPPORT = EXAMPLES / "support-assistant.yaml"

LAUGHS = "".join(
    f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10) if i else ', '.join(['lol'] * 10)}]\n"
    for i in range(10)
)
"""Ten levels of ten aliases each: 10**10 values once expanded."""


def _makebuy(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """A real process with a timeout, so a regression hangs no test run."""
    return subprocess.run(
        [sys.executable, "-m", "makebuy", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _one_line_error(stderr: str, *parts: str) -> None:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    for part in parts:
        assert part in lines[0], stderr


# ------------------------------------------------------------------- one YAML reader


def test_a_billion_laughs_questionnaire_fails_at_once(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(LAUGHS)
    result = _makebuy("assess", bomb)
    assert result.returncode == ExitCode.BAD_INPUT
    _one_line_error(result.stderr, f"{bomb}:4: l3[", "aliases copy more than 10,000 values")


def test_a_billion_laughs_catalog_file_fails_at_once(tmp_path: Path) -> None:
    bomb = tmp_path / "catalog.yaml"
    bomb.write_text("makebuy-catalog: 1\n" + LAUGHS)
    result = _makebuy("assess", SUPPORT, "--catalog", bomb)
    assert result.returncode == ExitCode.BAD_INPUT
    _one_line_error(result.stderr, f"{bomb}:5:", "aliases copy")


def test_a_billion_laughs_evals_file_fails_at_once(tmp_path: Path) -> None:
    bomb = tmp_path / "evals.yaml"
    bomb.write_text(LAUGHS)
    result = _makebuy("assess", SUPPORT, "--evals", bomb)
    assert result.returncode == ExitCode.BAD_INPUT
    _one_line_error(result.stderr, f"{bomb}:4:", "aliases copy")


def test_a_billion_laughs_in_a_records_block_fails_at_once(cli, tmp_path: Path) -> None:
    folder = tmp_path / "adr"
    made = cli("adr", "new", SUPPORT, "--dir", folder, "--date", "2026-11-28")
    assert made.exit_code == 0, made.stderr
    record = next(folder.glob("*.md"))
    text = record.read_text()
    record.write_text(text.replace("makebuy-adr: 1\n", "makebuy-adr: 1\n" + LAUGHS, 1))
    result = _makebuy("check", folder, "--today", "2026-11-28")
    assert result.returncode == ExitCode.BAD_INPUT
    assert "aliases copy more than 10,000 values" in result.stdout + result.stderr


def test_a_billion_laughs_in_a_set_value_fails_at_once(tmp_path: Path) -> None:
    value = "[" + ", ".join(["*x"] * 3) + "]"
    result = _makebuy("what-if", SUPPORT, "--set", f"name=[&x [a, b], {value}]")
    # a tiny alias is fine; the value is then refused by the questionnaire's schema
    assert result.returncode == ExitCode.BAD_INPUT
    bomb = "{" + LAUGHS.strip().replace("\n", ", ") + "}"
    result = _makebuy("what-if", SUPPORT, "--set", f"name={bomb}")
    assert result.returncode == ExitCode.BAD_INPUT
    _one_line_error(result.stderr, "--set", "aliases copy")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("!!timestamp soon", "'soon' is not a valid timestamp"),
        ("!!int twelve", "'twelve' is not a valid int"),
        ("!!python/object:os.system ls", "unsupported YAML tag !!python/object:os.system"),
        ("!!binary aGk=", "unsupported YAML tag !!binary"),
        ("!local x", "unsupported YAML tag !local"),
        ("1" + "0" * 30, "an integer of more than 30 digits"),
        ("[" * 70 + "]" * 70, "nested more than 64 levels deep"),
        ("x" * (1024 * 1024 + 1), "a value longer than 1,048,576 characters"),
    ],
    ids=["timestamp", "int", "python", "binary", "local", "digits", "depth", "length"],
)
def test_a_value_beyond_the_yaml_limits_is_one_line_exit_2(
    cli, tmp_path: Path, value: str, message: str
) -> None:
    path = questionnaire(tmp_path)
    path.write_text(path.read_text() + f"notes: {value}\n")
    line = len(path.read_text().splitlines())
    result = cli("assess", path)
    assert result.exit_code == ExitCode.BAD_INPUT, result.stderr
    _one_line_error(result.stderr, f"{path}:{line}: notes", message)


def test_a_few_aliases_and_merge_keys_still_read(cli, tmp_path: Path) -> None:
    path = questionnaire(tmp_path)
    text = path.read_text().replace("volume:", "volume: &v", 1)
    path.write_text(text + "x-copy: *v\n")
    result = cli("assess", path, "--format", "json")
    # read, then refused by the questionnaire's schema for its one unknown key
    _one_line_error(result.stderr, f"{path}:9: x-copy: unknown key")
