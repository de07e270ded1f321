"""Every format against exact expected output, and escaping of user-supplied text."""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from makebuy.cli.assess import Format
from makebuy.cli.portfolio import PortfolioFormat
from makebuy.environment import MockEnvironment, use_environment
from makebuy.models.result import Assessment
from makebuy.render import (
    PORTFOLIO_RENDERERS,
    RENDERERS,
    TEMPLATED,
    get_portfolio_renderer,
    get_renderer,
)
from makebuy.render.svg import log_ticks, nice_ticks

from .conftest import EXAMPLE_FILES, EXAMPLES, FIXTURE_VARIABLES, ROOT
from .helpers import questionnaire

FORMATS = {"table": "txt", "markdown": "md", "html": "html", "json": "json"}


@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_reports_match_their_golden_files(cli, golden, example: Path) -> None:
    # The real CLI writes the JSON; the other formats render the same run (one pipeline
    # run per example, every format compared byte for byte).
    result = cli("assess", example, "--format", "json")
    assert result.exit_code == 0, result.stderr
    golden(f"{example.stem}.json", result.stdout.replace(str(example), f"examples/{example.name}"))
    assessment = Assessment.model_validate_json(result.stdout)
    for fmt in ("table", "markdown", "html"):
        text = get_renderer(fmt)(assessment, width=100, color=False)
        golden(
            f"{example.stem}.{FORMATS[fmt]}", text.replace(str(example), f"examples/{example.name}")
        )


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
    html = cli("assess", path, "--format", "html").stdout
    assert "<script" not in html and "<img" not in html
    assert "<title>Make-or-buy: &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt; &amp; more" in html


def test_every_format_name_maps_to_a_renderer() -> None:
    assert set(RENDERERS) == {f.value for f in Format}
    assert set(PORTFOLIO_RENDERERS) == {f.value for f in PortfolioFormat}
    for name in RENDERERS:
        assert callable(get_renderer(name))
    for name in PORTFOLIO_RENDERERS:
        assert callable(get_portfolio_renderer(name))
    assert set(TEMPLATED) <= set(RENDERERS) & set(PORTFOLIO_RENDERERS)


def test_markdown_uses_no_html_beyond_what_github_renders(cli) -> None:
    for example in EXAMPLE_FILES:
        md = cli("assess", example, "--format", "markdown").stdout
        tags = set(re.findall(r"</?([a-zA-Z][a-zA-Z0-9]*)", md))
        assert tags <= {"details", "summary"}, tags


@pytest.mark.parametrize("fmt", ["markdown", "html"])
def test_reports_are_the_same_bytes_across_processes(fmt: str) -> None:
    """Hash randomisation differs between processes: no set or dict order may leak out."""
    outputs = set()
    for seed in ("1", "2"):
        run = subprocess.run(
            [sys.executable, "-m", "makebuy", "assess", str(EXAMPLE_FILES[-1]), "-f", fmt],
            capture_output=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
            cwd=ROOT,
            check=True,
        )
        outputs.add(run.stdout)
    assert len(outputs) == 1


def test_a_template_folder_restyles_the_report_without_code(cli, tmp_path: Path) -> None:
    (tmp_path / "report.md.j2").write_text("Custom: {{ a.usecase.name }} / {{ winner.kind }}\n")
    (tmp_path / "report.html.j2").write_text(
        "<p>{{ a.usecase.name }}</p><style>{% include '_style.css' %}</style>\n"
    )
    md = cli("assess", EXAMPLE_FILES[-1], "-f", "markdown", "--template", tmp_path)
    assert md.exit_code == 0, md.stderr
    assert md.stdout.startswith("Custom: Ticket routing classifier / ")
    path = questionnaire(tmp_path, name="<b>bold</b>")
    html = cli("assess", path, "-f", "html", "--template", tmp_path)
    assert html.stdout.startswith("<p>&lt;b&gt;bold&lt;/b&gt;</p><style>")  # still escaped
    assert "@page { size: A4" in html.stdout  # the shipped partial is still found


def test_template_applies_only_to_templated_formats(cli, tmp_path: Path) -> None:
    result = cli("assess", EXAMPLE_FILES[0], "-f", "table", "--template", tmp_path)
    assert result.exit_code == 2
    assert "--template applies to html and markdown reports, not table" in result.stderr
    missing = cli("assess", EXAMPLE_FILES[0], "-f", "html", "--template", tmp_path / "nope")
    assert missing.exit_code == 2
    assert "must be a folder" in missing.stderr


def test_html_report_without_break_even_data_says_so(cli, tmp_path: Path) -> None:
    path = questionnaire(tmp_path)
    html = cli("assess", path, "-f", "html").stdout
    if '<figure class="chart-break-even">' not in html:
        assert "No break-even data" in html
    assert html.count("<svg") >= 2


@given(
    st.floats(min_value=0, max_value=1e9, allow_nan=False),
    st.floats(min_value=1e-3, max_value=1e9, allow_nan=False),
)
def test_chart_ticks_are_round_and_cover_the_data(low: float, span: float) -> None:
    # Charts span at least a millionth of their values (money from 0, months from 1);
    # narrower ranges hit the limits of float precision, not of the tick rule.
    assume(span >= low * 1e-6)
    high = low + span
    ticks = nice_ticks(low, high)
    assert ticks == sorted(ticks) and len(set(ticks)) == len(ticks)
    assert ticks[0] <= low + 1e-9 * max(1.0, abs(low)) and ticks[-1] >= high * (1 - 1e-9)
    assert 2 <= len(ticks) <= 12
    step = ticks[1] - ticks[0]
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert any(abs(mantissa - m) < 1e-3 for m in (1, 2, 2.5, 5, 10))


@given(st.floats(min_value=1e-2, max_value=1e9), st.floats(min_value=1, max_value=1e6))
def test_log_ticks_are_powers_of_ten_around_the_data(low: float, factor: float) -> None:
    ticks = log_ticks(low, low * factor)
    assert ticks[0] <= low and ticks[-1] >= low * factor * (1 - 1e-12)


@pytest.mark.parametrize("fmt", ["markdown", "html"])
def test_a_report_with_every_option_ruled_out_still_renders(cli, tmp_path: Path, fmt: str):
    path = questionnaire(tmp_path, requirements={"min_quality": 100})
    result = cli("assess", path, "--format", fmt)
    assert result.exit_code == 1
    assert "No recommendation: every option was ruled out." in result.stdout
    assert "No option survived the gate." in result.stdout


# ------------------------------------------------ narrow terminals: money is never cut

_CUT_FIGURE = re.compile(r"(?<![\w.])[$€£]?[0-9][0-9,.]*…")
"""A number or amount cut short by rich (names such as `Qwen2…` may be cut, figures not)."""


@pytest.mark.parametrize("width", [40, 60, 80])
def test_at_any_width_every_money_figure_of_the_report_is_shown_whole(cli, width: int) -> None:
    from makebuy.money import money
    from makebuy.render.table import MAX_ROWS

    example = EXAMPLES / "support-assistant.yaml"
    report = json.loads(cli("assess", example, "-f", "json").stdout)
    with use_environment(MockEnvironment(variables={"COLUMNS": str(width), **FIXTURE_VARIABLES})):
        table = cli("assess", example).stdout
    eligible = [o for o in report["options"] if o["status"] == "eligible"][:MAX_ROWS]
    assert eligible
    for option in eligible:
        assert money(option["cost"]["total"], "USD") in table
        assert money(option["cost"]["per_million_tokens"], "USD") in table
    assert not _CUT_FIGURE.search(table), _CUT_FIGURE.search(table)


@pytest.mark.parametrize("width", [40, 60, 80])
@pytest.mark.parametrize(
    "args",
    [
        ["portfolio", str(EXAMPLES)],
        ["catalog", "list"],
        ["catalog", "show", "meta/llama-3.1-8b-instruct"],
    ],
    ids=["portfolio", "catalog-list", "catalog-show"],
)
def test_no_table_cuts_a_figure_at_any_width(cli, width: int, args: list[str]) -> None:
    with use_environment(MockEnvironment(width=width, variables=FIXTURE_VARIABLES)):
        out = cli(*args).stdout
    assert out.strip()
    assert not _CUT_FIGURE.search(out), _CUT_FIGURE.search(out)
