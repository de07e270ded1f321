"""Issue 15's YAML defects in a decision record's front matter, which no other test pins
(the makebuy block's are in tests/test_limits.py): an alias bomb, 500-deep nesting, a
5,000-digit integer and a bad timestamp. The front matter is read forgivingly, so the
record is still checked (its status line is read as written), in bounded time."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from makebuy.errors import ExitCode
from tests.conftest import EXAMPLES
from tests.test_limits import LAUGHS

SUPPORT = EXAMPLES / "support-assistant.yaml"

FRONT_MATTER = {
    "alias-bomb": LAUGHS,
    "nesting-500": "deep: " + "[" * 500 + "]" * 500 + "\n",
    "5000-digits": "size: " + "9" * 5000 + "\n",
    "bad-timestamp": "date: !!timestamp 2024-13-45\n",
}


@pytest.fixture(scope="module")
def record(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    folder = tmp_path_factory.mktemp("records")
    made = subprocess.run(
        [sys.executable, "-m", "makebuy", "adr", "new", str(SUPPORT), "--dir", str(folder),
         "--date", "2026-11-28"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    (path,) = folder.glob("*.md")
    return path, path.read_text(encoding="utf-8")


@pytest.mark.parametrize("case", sorted(FRONT_MATTER))
def test_hostile_front_matter_is_read_forgivingly_in_bounded_time(
    record: tuple[Path, str], case: str
) -> None:
    path, text = record
    assert text.startswith("---\n")
    path.write_text("---\n" + FRONT_MATTER[case] + text.removeprefix("---\n"), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "makebuy", "check", str(path), "--today", "2026-11-28",
         "--format", "json", "-q"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    path.write_text(text, encoding="utf-8")
    assert result.returncode == ExitCode.OK, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    (checked,) = json.loads(result.stdout)["records"]
    assert checked["status"] == "proposed" and checked["verdict"] == "holds"
