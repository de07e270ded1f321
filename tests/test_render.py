"""Every format against exact expected output, and escaping of user-supplied text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import EXAMPLE_FILES
from .helpers import questionnaire

FORMATS = {"table": "txt", "markdown": "md", "json": "json"}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_reports_match_their_golden_files(cli, golden, example: Path, fmt: str) -> None:
    result = cli("assess", example, "--format", fmt)
    assert result.exit_code == 0, result.stderr
    text = result.stdout.replace(str(example), f"examples/{example.name}")
    golden(f"{example.stem}.{FORMATS[fmt]}", text)


def test_markup_in_the_questionnaire_is_shown_as_text(cli, tmp_path: Path) -> None:
    path = questionnaire(
        tmp_path,
        name="<script>alert('x')</script> | *bold* [link](http://evil)",
        description="<img src=x onerror=alert(1)> & more",
    )
    md = cli("assess", path, "--format", "markdown").stdout
    assert "<script>" not in md and "<img" not in md
    assert "&lt;script&gt;alert('x')&lt;/script&gt; \\| \\*bold\\* \\[link\\](http://evil)" in md
    assert "&lt;img src=x onerror=alert(1)&gt; &amp; more" in md
    report = json.loads(cli("assess", path, "--format", "json").stdout)
    assert report["usecase"]["name"].startswith("<script>")  # JSON keeps the data as data
