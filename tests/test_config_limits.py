"""Hostile organisation config files (found by fuzzing makebuy.toml and [tool.makebuy]) are
one-line input errors naming the file, never an internal error or an infinite cost."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from makebuy.errors import ExitCode
from tests.test_config import questionnaire, run_in

CASES = {
    "nested-arrays": ("catalogs = " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply"),
    "nested-inline-tables": (
        "[policy]\ndeny_models = " + "{a = " * 3000 + "1" + "}" * 3000 + "\n",
        "nested too deeply",
    ),
    "5000-digit-integer": ("engineer_cost_per_year = " + "9" * 5000 + "\n", "invalid TOML"),
    "400-digit-integer": (
        "engineer_cost_per_year = " + "9" * 400 + "\n",
        "engineer_cost_per_year: Input should be a finite number",
    ),
    "float-overflow": ('currency = "EUR"\nusd_to = 1e400\n', "usd_to: Input should be a finite"),
    "nan": ("usd_to = nan\n", "usd_to"),
    "inf": ("engineer_cost_per_year = inf\n", "engineer_cost_per_year"),
    "largest-float": (
        "engineer_cost_per_year = 1.7e308\n",
        "engineer_cost_per_year: Input should be less than or equal to 1000000000000",
    ),
    "not-utf-8": ("\udcff\udcfe = 1\n", "cannot read the config file"),
    "array-of-tables": ('[[policy]]\ndeny_models = ["a"]\n', "expected a [policy] table"),
    "date-as-rate": ('currency = "EUR"\nusd_to = 2024-01-01\n', "usd_to"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_hostile_config_is_one_input_error(cli: Any, tmp_path: Path, name: str) -> None:
    text, expected = CASES[name]
    (tmp_path / "makebuy.toml").write_bytes(text.encode("utf-8", "surrogateescape"))
    usecase = questionnaire(tmp_path, drop_organisation=("engineer_cost_per_year",))
    for args in (("config", "show"), ("assess", usecase, "-q")):
        result = run_in(cli, tmp_path, *args)
        assert result.exit_code == ExitCode.BAD_INPUT, (args, result.stderr)
        assert result.stderr.count("\n") == 1, result.stderr
        assert result.stderr.startswith(f"error: {tmp_path / 'makebuy.toml'}")
        assert expected in result.stderr


def test_variables_are_bounded_too(cli: Any, tmp_path: Path) -> None:
    result = run_in(cli, tmp_path, "config", "show", MAKEBUY_USD_TO="1e999")
    assert result.exit_code == ExitCode.BAD_INPUT
    assert result.stderr.startswith("error: MAKEBUY_USD_TO: Input should be a finite number")


def test_a_huge_pyproject_is_not_read_in_search_of_a_tool_table(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("makebuy.load.MAX_INPUT_BYTES", 100)
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n' + "# padding\n" * 20 + "[tool.makebuy]\nmethod = 'topsis'\n",
        encoding="utf-8",
    )
    result = run_in(cli, tmp_path, "config", "show")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == "config file: none found"
