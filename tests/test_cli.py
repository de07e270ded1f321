"""The real CLI on the real examples: outcomes, the JSON contract, determinism, output."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import types
from functools import partial
from pathlib import Path
from typing import get_type_hints

import pytest
import yaml

from makebuy.errors import ExitCode
from makebuy.models.methods import METHODS
from makebuy.models.result import CRITERIA
from makebuy.render import (
    CATALOG_LIST_RENDERERS,
    CATALOG_SHOW_RENDERERS,
    CATALOG_VALIDATE_RENDERERS,
    PORTFOLIO_RENDERERS,
    RENDERERS,
    get_catalog_renderer,
    get_portfolio_renderer,
    get_renderer,
)
from makebuy.render.check import CHECK_RENDERERS, get_check_renderer

from .conftest import EXAMPLE_FILES, EXAMPLES, FIXTURE_VARIABLES
from .helpers import assess_json, questionnaire


def offered(command: str, parameter: str) -> list[str]:
    """The choices the CLI offers for one parameter of a command (its typer annotation)."""
    module, _, function = COMMANDS[command].partition(":")
    hint = get_type_hints(getattr(importlib.import_module(module), function))[parameter]
    if isinstance(hint, types.UnionType):  # `ScoreMethod | None`: None means "configured"
        (hint,) = [arg for arg in hint.__args__ if arg is not type(None)]
    return [member.value for member in hint]


COMMANDS = {
    "assess": "makebuy.cli.assess:assess",
    "portfolio": "makebuy.cli.portfolio:portfolio",
    "check": "makebuy.cli.check:check",
    "adr new": "makebuy.cli.adr:new",
    "catalog list": "makebuy.cli.catalog:list_models",
    "catalog show": "makebuy.cli.catalog:show",
    "catalog validate": "makebuy.cli.catalog:validate",
}
REGISTRIES = {
    "assess": (RENDERERS, get_renderer),
    "portfolio": (PORTFOLIO_RENDERERS, get_portfolio_renderer),
    "check": (CHECK_RENDERERS, get_check_renderer),
    "catalog list": (CATALOG_LIST_RENDERERS, partial(get_catalog_renderer, CATALOG_LIST_RENDERERS)),
    "catalog show": (CATALOG_SHOW_RENDERERS, partial(get_catalog_renderer, CATALOG_SHOW_RENDERERS)),
    "catalog validate": (
        CATALOG_VALIDATE_RENDERERS,
        partial(get_catalog_renderer, CATALOG_VALIDATE_RENDERERS),
    ),
}


@pytest.mark.parametrize("command", REGISTRIES)
def test_every_format_the_cli_offers_is_exactly_a_registered_renderer(command: str) -> None:
    """Like pip-audit's test_to_format_is_exhaustive: the registry is the --format list."""
    registry, get = REGISTRIES[command]
    formats = offered(command, "output_format")
    assert formats == list(registry)
    for name in formats:
        assert callable(get(name)), f"{command} --format {name} has no renderer"


@pytest.mark.parametrize("command", ["assess", "portfolio", "adr new"])
def test_every_scoring_method_is_offered_in_order(command: str) -> None:
    assert offered(command, "method") == list(METHODS)


def test_help_imports_neither_pandas_nor_jinja2_nor_pydantic() -> None:
    code = (
        "import sys; import makebuy.cli; "
        "print(sorted({'pandas', 'numpy', 'jinja2', 'pydantic', 'rich'} & set(sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_every_example_gives_a_recommendation_with_rationale(cli, example: Path) -> None:
    result = cli("assess", example)
    assert result.exit_code == ExitCode.OK, result.stderr
    assert "Recommendation:" in result.stdout
    report = assess_json(example)
    rec = report["recommendation"]
    assert rec["option"] and rec["runner_up"] and len(rec["rationale"]) >= 2


def test_the_examples_lead_to_different_outcomes() -> None:
    kinds = {}
    for p in EXAMPLE_FILES:
        report = assess_json(p)
        winner = report["recommendation"]["option"]
        kinds[p.stem] = next(o["kind"] for o in report["options"] if o["id"] == winner)
    assert kinds["claims-summaries-regulated"] == "make"
    assert kinds["contract-analysis-low-volume"] == "buy"
    assert len(set(kinds.values())) >= 2, kinds


def test_the_json_report_holds_the_contract_keys() -> None:
    report = assess_json(EXAMPLES / "support-assistant.yaml")
    assert report["schema_version"] == 1
    assert {"name", "digest"} <= set(report["usecase"])
    assert len(report["usecase"]["digest"]) == 64
    assert len(report["catalog"]["fingerprint"]) == 64
    for o in report["options"]:
        assert {
            "id",
            "model",
            "kind",
            "status",
            "exclusions",
            "obligations",
            "cost",
            "criteria",
            "score",
            "rank",
        } <= set(o)
        assert o["kind"] in ("buy", "rent", "make", "hybrid")
        assert o["status"] in ("eligible", "excluded")
        for e in o["exclusions"]:
            assert {"code", "message", "clause"} <= set(e)
        if o["status"] == "eligible":
            assert {"total", "monthly", "per_million_tokens", "breakdown"} <= set(o["cost"])
            for c in o["criteria"].values():
                assert {"raw", "normalised", "weight", "contribution"} <= set(c)
    assert {"option", "runner_up", "alternative", "rationale"} <= set(report["recommendation"])
    assert report["assumptions"]
    assert {"options", "eligible", "excluded", "by_code"} <= set(report["summary"])


@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_the_assessment_json_validates_against_its_published_schema(
    schema_validator, example: Path
) -> None:
    # The schema enumerates exclusion codes and criterion names: a report holding a code
    # the schema does not list fails here.
    schema_validator("assessment").validate(assess_json(example))


def test_the_schema_lists_exclusion_codes_in_the_order_they_are_applied(cli) -> None:
    from makebuy import cost, gate

    schema = json.loads(cli("schema", "assessment").stdout)
    codes = schema["$defs"]["Exclusion"]["properties"]["code"]["enum"]
    assert codes == [*gate.GATE_CODES, *cost.COST_CODES]
    criteria = schema["$defs"]["OptionResult"]["properties"]["criteria"]["propertyNames"]
    assert criteria["enum"] == list(CRITERIA)


@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_the_questionnaire_schema_accepts_every_example(schema_validator, example: Path) -> None:
    schema_validator("usecase").validate(yaml.safe_load(example.read_text()))


def test_the_spec_questionnaire_is_valid(cli) -> None:
    spec = Path(__file__).resolve().parents[2] / "shared" / "spec" / "usecase.yaml"
    if not spec.exists():
        pytest.skip("shared/spec is not beside this checkout")
    assert cli("assess", spec, "--format", "json").exit_code == ExitCode.OK


def test_the_catalog_schema_accepts_the_builtin_catalog(schema_validator) -> None:
    validator = schema_validator("catalog")
    root = Path(__file__).resolve().parents[1] / "catalogs"
    for path in sorted(root.glob("*.yaml")):
        as_json = json.loads(json.dumps(yaml.safe_load(path.read_text()), default=str))
        validator.validate(as_json)


@pytest.mark.parametrize("fmt", ["table", "markdown", "json"])
def test_the_same_inputs_give_the_same_bytes(cli, fmt: str) -> None:
    example = EXAMPLES / "support-assistant.yaml"
    first = cli("assess", example, "--format", fmt).stdout
    second = cli("assess", example, "--format", fmt).stdout
    assert first == second and first


def test_output_goes_to_the_file_and_nothing_to_stdout(cli, tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    target.write_text("old report")
    result = cli("assess", EXAMPLES / "support-assistant.yaml", "-f", "markdown", "-o", target)
    assert result.exit_code == 0 and result.stdout == ""
    assert target.read_text().startswith("# makebuy: Tier-1 support assistant")
    assert [p.name for p in tmp_path.iterdir()] == ["report.md"]  # no temp file left behind


def test_an_unwritable_output_is_bad_input(cli, tmp_path: Path) -> None:
    result = cli("assess", EXAMPLES / "support-assistant.yaml", "-o", tmp_path / "no" / "r.md")
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "r.md" in result.stderr


def test_when_every_option_is_ruled_out_the_report_says_why_and_exits_1(
    cli, tmp_path: Path
) -> None:
    path = questionnaire(
        tmp_path,
        data={"must_stay_in_environment": True},
        requirements={"min_quality": 100},
    )
    result = cli("assess", path)
    assert result.exit_code == ExitCode.DECISION_FAILED
    assert "every option was ruled out" in result.stdout.lower()
    report = json.loads(cli("assess", path, "-f", "json").stdout)
    assert report["recommendation"]["option"] is None
    assert report["summary"]["eligible"] == 0
    assert "quality" in report["recommendation"]["rationale"][0]


def test_topsis_is_available_and_states_its_normalisation() -> None:
    report = assess_json(EXAMPLES / "support-assistant.yaml", "--method", "topsis")
    assert report["method"] == "topsis"
    assert "vector normalisation" in report["normalisation"]


def test_python_dash_m_runs_the_same_cli() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "makebuy", "--help"], capture_output=True, text=True, check=True
    )
    assert "assess" in result.stdout


def test_unanswered_keys_become_assumptions(tmp_path: Path) -> None:
    report = assess_json(questionnaire(tmp_path))
    fields = {a["field"]: a for a in report["assumptions"]}
    assert fields["volume.horizon_months"]["value"] == "36"
    assert fields["volume.peak_requests_per_second"]["origin"] == "derived"
    assert fields["task.context_tokens"]["value"] == "700"
    assert "requirements.min_quality" not in fields  # answered


def test_an_internal_error_is_a_message_and_exit_70_not_a_traceback(capsys) -> None:
    import typer

    from makebuy.cli.common import reported_errors

    with pytest.raises(typer.Exit) as raised, reported_errors(debug=False):
        raise KeyError("boom")
    assert raised.value.exit_code == ExitCode.INTERNAL
    err = capsys.readouterr().err
    assert "internal error: KeyError" in err and "--debug" in err and "Traceback" not in err


# ------------------------------------------------ '-' is stdin and stdout


def test_dash_reads_the_questionnaire_from_stdin(cli) -> None:
    from typer.testing import CliRunner

    from makebuy.cli import app

    example = EXAMPLES / "support-assistant.yaml"
    piped = CliRunner().invoke(app, ["assess", "-", "-f", "json"], input=example.read_text())
    assert piped.exit_code == 0, piped.stderr
    from_file = json.loads(cli("assess", example, "-f", "json").stdout)
    report = json.loads(piped.stdout)
    assert report["usecase"]["path"] == "<stdin>"
    assert report["recommendation"] == from_file["recommendation"]


def test_what_if_reads_stdin_once_for_both_runs(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from makebuy.cli import app

    text = questionnaire(tmp_path).read_text()
    args = ["what-if", "-", "--set", "priorities.cost=5", "-f", "json"]
    result = CliRunner().invoke(app, args, input=text)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)


def test_an_error_in_stdin_names_stdin_line_and_field() -> None:
    from typer.testing import CliRunner

    from makebuy.cli import app

    text = "makebuy: 1\nname: x\nvolume:\n  requests_per_month: lots\n"
    result = CliRunner().invoke(app, ["assess", "-"], input=text)
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "<stdin>:4: volume.requests_per_month" in result.stderr


def test_a_questionnaire_from_stdin_finds_its_evals_in_the_working_folder(
    tmp_path: Path,
) -> None:
    from typer.testing import CliRunner

    from makebuy.cli import app
    from makebuy.environment import MockEnvironment, use_environment

    (tmp_path / "evals.csv").write_text(
        "model,score,eval,date\nopenai/gpt-4o,12,smoke,2024-08-01\n"
    )
    text = questionnaire(
        tmp_path, evidence={"file": "evals.csv"}, candidates={"include": ["openai/gpt-4o"]}
    ).read_text()
    with use_environment(MockEnvironment(cwd=tmp_path, variables=FIXTURE_VARIABLES)):
        result = CliRunner().invoke(app, ["assess", "-", "-f", "json"], input=text)
    assert result.exit_code in (0, 1), result.stderr
    assert "your eval: smoke, 2024-08-01" in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["assess", str(EXAMPLES / "support-assistant.yaml"), "-f", "json"],
        ["catalog", "list", "-f", "json"],
        ["size", "meta/llama-3.1-8b-instruct"],
    ],
    ids=["assess", "catalog-list", "size"],
)
def test_dash_o_dash_writes_to_stdout_not_a_file(cli, tmp_path: Path, args, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = cli(*args, "-o", "-")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip()
    assert not (tmp_path / "-").exists()


# ------------------------------------------------ shell completion


def test_completion_offers_catalog_ids_for_a_prefix() -> None:
    from makebuy.cli.common import complete_entry, complete_gpu, complete_model

    models = complete_model("meta/llama-3.1")
    assert "meta/llama-3.1-8b-instruct" in models
    assert all(m.startswith("meta/llama-3.1") for m in models)
    gpus = complete_gpu("")
    assert gpus == sorted(gpus) and any("h100" in g.lower() for g in gpus)
    assert complete_gpu("no-such-gpu") == []
    assert "meta/llama-3.1-8b-instruct" in complete_entry("meta/llama-3.1-8")


def test_the_shell_asks_the_cli_for_completions() -> None:
    import os

    env = {
        **os.environ,
        "_MAKEBUY_COMPLETE": "complete_bash",
        "COMP_WORDS": "makebuy size meta/llama-3.1-8",
        "COMP_CWORD": "2",
    }
    out = subprocess.run(
        [sys.executable, "-c", "from makebuy.cli import app; app(prog_name='makebuy')"],
        capture_output=True,
        text=True,
        env=env,
    ).stdout
    assert "meta/llama-3.1-8b-instruct" in out
