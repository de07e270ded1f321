"""`makebuy portfolio`: many questionnaires, one report, and totals that add up."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from makebuy.portfolio import Pick, UseCaseLine, kind_mix, savings, strategies

from .conftest import EXAMPLE_FILES, EXAMPLES, ROOT
from .helpers import assess_json

FORMATS = {"table": "txt", "markdown": "md", "html": "html", "json": "json", "csv": "csv"}


def portfolio_json(cli, *paths: object) -> tuple[int, dict]:
    result = cli("portfolio", *paths, "--format", "json")
    return result.exit_code, json.loads(result.stdout)


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_examples_portfolio_matches_its_golden_files(cli, golden, fmt: str) -> None:
    result = cli("portfolio", EXAMPLES, "--format", fmt)
    assert result.exit_code == 0, result.stderr
    golden(f"portfolio.{FORMATS[fmt]}", result.stdout.replace(str(EXAMPLES), "examples"))


def test_totals_are_the_sums_of_the_use_cases(cli) -> None:
    code, p = portfolio_json(cli, EXAMPLES)
    assert code == 0
    assert len(p["use_cases"]) == len(EXAMPLE_FILES) and p["failures"] == []
    by = {s["name"]: s for s in p["strategies"]}
    rec = [u["recommended"]["total"] for u in p["use_cases"]]
    assert by["mix"]["total"] == pytest.approx(sum(rec))
    buy = [(u["best_buy"] or u["recommended"])["total"] for u in p["use_cases"]]
    assert by["buy"]["total"] == pytest.approx(sum(buy))
    assert by["buy"]["fallbacks"] == sum(1 for u in p["use_cases"] if u["best_buy"] is None)
    make = [(u["best_make"] or u["recommended"])["total"] for u in p["use_cases"]]
    assert by["make"]["total"] == pytest.approx(sum(make))
    mix_vs_buy = next(s for s in p["savings"] if (s["strategy"], s["versus"]) == ("mix", "buy"))
    assert mix_vs_buy["amount"] == pytest.approx(by["buy"]["total"] - by["mix"]["total"])
    assert sum(k["use_cases"] for k in p["mix"]) == len(p["use_cases"])
    assert sum(k["total"] for k in p["mix"]) == pytest.approx(by["mix"]["total"])


def test_use_cases_in_another_currency_are_converted_to_usd(cli) -> None:
    """The claims example reports in EUR (usd_to 0.92); the others in USD."""
    _, p = portfolio_json(cli, EXAMPLES)
    assert p["currency"] == "USD"
    claims = next(
        u for u in p["use_cases"] if u["path"].endswith("claims-summaries-regulated.yaml")
    )
    assert (claims["converted_from"], claims["usd_to"]) == ("EUR", 0.92)
    report = assess_json(EXAMPLES / "claims-summaries-regulated.yaml")
    winner = next(o for o in report["options"] if o["id"] == report["recommendation"]["option"])
    assert claims["recommended"]["total"] == pytest.approx(winner["cost"]["total"] / 0.92)
    _, alone = portfolio_json(cli, EXAMPLES / "claims-summaries-regulated.yaml")
    assert alone["currency"] == "EUR" and alone["use_cases"][0]["converted_from"] is None


def test_a_broken_questionnaire_is_reported_and_the_others_still_assessed(
    cli, tmp_path: Path
) -> None:
    for example in EXAMPLE_FILES[:2]:
        shutil.copy(example, tmp_path / example.name)
    (tmp_path / "broken.yaml").write_text("makebuy: 1\nname: broken\nvolume: {}\n")
    result = cli("portfolio", tmp_path, "--format", "json")
    assert result.exit_code == 1
    p = json.loads(result.stdout)
    assert [Path(u["path"]).name for u in p["use_cases"]] == [f.name for f in EXAMPLE_FILES[:2]]
    assert [Path(f["path"]).name for f in p["failures"]] == ["broken.yaml"]
    assert "volume" in p["failures"][0]["message"]
    assert "broken.yaml" in result.stderr
    assert p["line"].endswith("1 failed")
    md = cli("portfolio", tmp_path, "--format", "markdown")
    assert md.exit_code == 1 and "## Failed (1)" in md.stdout


def test_files_folders_and_globs_name_the_same_questionnaires(cli) -> None:
    _, by_folder = portfolio_json(cli, EXAMPLES)
    _, by_glob = portfolio_json(cli, f"{EXAMPLES}/*.yaml")
    _, by_file = portfolio_json(cli, *EXAMPLE_FILES, EXAMPLE_FILES[0])  # a repeat counts once
    assert by_folder == by_glob == by_file


def test_a_path_that_names_nothing_is_a_failure(cli, tmp_path: Path) -> None:
    code, p = portfolio_json(cli, EXAMPLE_FILES[0], tmp_path / "missing.yaml", f"{tmp_path}/*.yml")
    assert code == 1
    assert [f["message"] for f in p["failures"]] == [
        "no such file or folder",
        "no file matches this pattern",
    ]
    assert len(p["use_cases"]) == 1


def test_markup_in_a_use_case_name_is_text_in_every_portfolio_format(cli, tmp_path: Path):
    from .helpers import questionnaire

    path = questionnaire(tmp_path, name="<script>alert(1)</script>", description="<b>x</b>")
    html = cli("portfolio", path, "--format", "html").stdout
    assert "<script" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    md = cli("portfolio", path, "--format", "markdown").stdout
    assert "<script" not in md and "&lt;script&gt;alert(1)&lt;/script&gt;" in md
    rows = list(csv.DictReader(io.StringIO(cli("portfolio", path, "--format", "csv").stdout)))
    assert rows[0]["name"] == "<script>alert(1)</script>"  # CSV keeps data as data


@pytest.mark.parametrize("fmt", ["html", "csv"])
def test_portfolio_reports_are_the_same_bytes_across_processes(fmt: str) -> None:
    outputs = {
        subprocess.run(
            [sys.executable, "-m", "makebuy", "portfolio", "examples", "-f", fmt],
            capture_output=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
            cwd=ROOT,
            check=False,
        ).stdout
        for seed in ("1", "2")
    }
    assert len(outputs) == 1


def test_a_template_folder_restyles_the_portfolio(cli, tmp_path: Path) -> None:
    (tmp_path / "portfolio.md.j2").write_text(
        "{% for u in p.use_cases %}{{ u.name }}: {{ u.recommended.kind }}\n{% endfor %}"
    )
    result = cli("portfolio", EXAMPLE_FILES[1], "-f", "markdown", "--template", tmp_path)
    assert result.stdout == "Contract risk review: buy\n"
    csv_run = cli("portfolio", EXAMPLE_FILES[1], "-f", "csv", "--template", tmp_path)
    assert csv_run.exit_code == 2


def _line(name: str, rec: tuple[str, float], buy: float | None, make: float | None):
    def pick(kind: str, total: float) -> Pick:
        return Pick(
            option=f"{kind}:{name}",
            title=name,
            kind=kind,
            total=total,  # type: ignore[arg-type]
            per_million_tokens=1.0,
        )

    return UseCaseLine(
        path=name,
        name=name,
        owner=None,
        horizon_months=12,
        recommended=pick(*rec),
        best_buy=pick("buy", buy) if buy is not None else None,
        best_make=pick("make", make) if make is not None else None,
        summary="",
    )


money = st.floats(min_value=0, max_value=1e8, allow_nan=False)


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["buy", "rent", "make"]),
            money,
            st.one_of(st.none(), money),
            st.one_of(st.none(), money),
        ),
        max_size=8,
    )
)
def test_strategy_arithmetic(cases) -> None:
    lines = [
        _line(str(i), (kind, total), buy, make) for i, (kind, total, buy, make) in enumerate(cases)
    ]
    totals = {s.name: s for s in strategies(lines)}
    assert totals["mix"].total == pytest.approx(sum(c[1] for c in cases))
    assert totals["buy"].fallbacks == sum(1 for c in cases if c[2] is None)
    for sv in savings(list(totals.values())):
        assert sv.amount == pytest.approx(totals[sv.versus].total - totals[sv.strategy].total)
        if sv.share is not None:
            assert sv.share == pytest.approx(sv.amount / totals[sv.versus].total)
    mix = kind_mix(lines)
    assert sum(k.use_cases for k in mix) == len(cases)
    assert sum(k.total for k in mix) == pytest.approx(totals["mix"].total)


def test_an_empty_folder_is_bad_input_and_reports_no_totals(cli, tmp_path: Path) -> None:
    result = cli("portfolio", tmp_path, "--format", "json")
    assert result.exit_code == 2
    assert result.stdout == ""  # no report of $0.00 totals
    assert f"error: {tmp_path}: no questionnaires" in result.stderr
    assert "found under this folder" in result.stderr


def test_a_single_broken_yaml_file_is_bad_input(cli, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("makebuy: 1\nname: [unclosed\n")
    result = cli("portfolio", broken)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "broken.yaml" in result.stderr and "YAML syntax error" in result.stderr


def test_some_fine_and_one_broken_is_partly_failed_exit_1(cli, tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text("makebuy: 1\nname: [unclosed\n")
    code, p = portfolio_json(cli, EXAMPLE_FILES[0], tmp_path / "broken.yaml")
    assert code == 1  # partly failed: a report of what worked, never exit 0
    assert [Path(f["path"]).name for f in p["failures"]] == ["broken.yaml"]
    assert len(p["use_cases"]) == 1
