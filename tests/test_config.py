"""Organisation settings: makebuy.toml, [tool.makebuy] in pyproject.toml and MAKEBUY_*
variables give defaults under the questionnaire's answers and a policy the gate applies."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from makebuy.environment import MockEnvironment, use_environment
from makebuy.errors import ExitCode
from tests.conftest import EXAMPLES, FIXTURE_CATALOG, FIXTURE_VARIABLES

EXAMPLE = EXAMPLES / "support-assistant.yaml"


def run_in(cli: Any, folder: Path, *args: str | Path, **variables: str) -> Any:
    """`makebuy ARGS` with `folder` as the working directory and extra variables."""
    env = MockEnvironment(width=100, cwd=folder, variables={**FIXTURE_VARIABLES, **variables})
    with use_environment(env):
        return cli(*args)


def show_json(cli: Any, folder: Path, **variables: str) -> dict[str, Any]:
    result = run_in(cli, folder, "config", "show", "--format", "json", **variables)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def questionnaire(folder: Path, drop_organisation: tuple[str, ...] = ()) -> Path:
    """The support-assistant example, with some organisation answers left out."""
    doc = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    for key in drop_organisation:
        doc["organisation"].pop(key)
    path = folder / "usecase.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def assess_json(cli: Any, folder: Path, usecase: Path, *args: str, **variables: str) -> Any:
    result = run_in(cli, folder, "assess", usecase, "--format", "json", "-q", *args, **variables)
    assert result.exit_code in (0, 1), result.stderr
    return json.loads(result.stdout)


def exclusions(report: dict[str, Any], prefix: str = "policy.") -> dict[str, list[Any]]:
    """Option id -> its exclusions whose code starts with `prefix`."""
    out = {}
    for option in report["options"]:
        hits = [e for e in option.get("exclusions") or [] if e["code"].startswith(prefix)]
        if hits:
            out[option["id"]] = hits
    return out


# ---------------------------------------------------------------- finding the settings


def test_without_a_config_file_every_setting_is_a_default(cli: Any, tmp_path: Path) -> None:
    result = run_in(cli, tmp_path, "config", "show")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == "config file: none found"
    doc = show_json(cli, tmp_path)
    assert doc["file"] is None
    assert {s["origin"] for s in doc["settings"].values()} == {"default"}


def test_makebuy_toml_is_found_from_the_working_directory_upward(cli: Any, tmp_path: Path) -> None:
    (tmp_path / "makebuy.toml").write_text(
        'currency = "EUR"\nusd_to = 0.92\n[policy]\ndeny_providers = ["deepseek"]\n',
        encoding="utf-8",
    )
    deep = tmp_path / "team" / "project"
    deep.mkdir(parents=True)
    doc = show_json(cli, deep)
    config = str(tmp_path / "makebuy.toml")
    assert doc["file"] == config
    assert doc["settings"]["currency"] == {"value": "EUR", "origin": config}
    assert doc["settings"]["policy.deny_providers"] == {"value": ["deepseek"], "origin": config}
    assert doc["settings"]["method"] == {"value": None, "origin": "default"}
    table = run_in(cli, deep, "config", "show").stdout
    row = next(line for line in table.splitlines() if line.startswith("policy.deny_providers"))
    assert row.split() == ["policy.deny_providers", '["deepseek"]', f"[{config}]"]


def test_environment_variables_beat_the_file(cli: Any, tmp_path: Path) -> None:
    (tmp_path / "makebuy.toml").write_text('currency = "EUR"\nusd_to = 0.92\n', encoding="utf-8")
    doc = show_json(
        cli,
        tmp_path,
        MAKEBUY_CURRENCY="GBP",
        MAKEBUY_USD_TO="0.79",
        MAKEBUY_POLICY_ALLOWED_KINDS="buy, rent",
    )
    assert doc["settings"]["currency"] == {"value": "GBP", "origin": "MAKEBUY_CURRENCY"}
    assert doc["settings"]["usd_to"] == {"value": 0.79, "origin": "MAKEBUY_USD_TO"}
    assert doc["settings"]["policy.allowed_kinds"] == {
        "value": ["buy", "rent"],
        "origin": "MAKEBUY_POLICY_ALLOWED_KINDS",
    }


def test_pyproject_counts_only_with_a_tool_makebuy_table(cli: Any, tmp_path: Path) -> None:
    (tmp_path / "makebuy.toml").write_text('method = "topsis"\n', encoding="utf-8")
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    assert show_json(cli, plain)["file"] == str(tmp_path / "makebuy.toml")

    tooled = tmp_path / "tooled"
    tooled.mkdir()
    (tooled / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.makebuy]\nengineer_cost_per_year = 150000\n'
        '\n[tool.makebuy.policy]\ndeny_models = ["openai/gpt-4o"]\n',
        encoding="utf-8",
    )
    doc = show_json(cli, tooled)
    assert doc["file"] == str(tooled / "pyproject.toml")
    assert doc["settings"]["engineer_cost_per_year"]["value"] == 150000
    assert doc["settings"]["method"]["origin"] == "default"  # first file found wins, alone


def test_makebuy_toml_wins_over_pyproject_in_the_same_folder(cli: Any, tmp_path: Path) -> None:
    (tmp_path / "makebuy.toml").write_text('method = "topsis"\n', encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.makebuy]\nmethod = "weighted-sum"\n', encoding="utf-8"
    )
    assert show_json(cli, tmp_path)["settings"]["method"]["value"] == "topsis"


# ---------------------------------------------------------------- bad settings


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('currency = "EUR\n', "makebuy.toml:1: invalid TOML"),
        ('method = "topsis"\ncolour = "red"\n', "makebuy.toml:2: colour: unknown key"),
        ('[policy]\ndeny_provider = ["x"]\n', "makebuy.toml:2: policy.deny_provider: unknown key"),
        ('\nusd_to = "0.9"\n', "makebuy.toml:2: usd_to: Input should be a valid number"),
        ('[policy]\nallowed_kinds = ["lease"]\n', "makebuy.toml:2: policy.allowed_kinds"),
        ('currency = "EUR"\n', "currency EUR needs usd_to"),
    ],
    ids=["syntax", "unknown-key", "unknown-policy-key", "wrong-type", "bad-kind", "no-rate"],
)
def test_a_broken_config_file_is_a_one_line_input_error(
    cli: Any, tmp_path: Path, text: str, expected: str
) -> None:
    (tmp_path / "makebuy.toml").write_text(text, encoding="utf-8")
    for args in (("config", "show"), ("assess", questionnaire(tmp_path))):
        result = run_in(cli, tmp_path, *args)
        assert result.exit_code == ExitCode.BAD_INPUT
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert expected in result.stderr
        assert "Traceback" not in result.stderr


def test_a_bad_variable_names_itself(cli: Any, tmp_path: Path) -> None:
    result = run_in(cli, tmp_path, "config", "show", MAKEBUY_USD_TO="lots")
    assert result.exit_code == ExitCode.BAD_INPUT
    assert result.stderr.strip() == "error: MAKEBUY_USD_TO: expected a number, got 'lots'"


# ---------------------------------------------------------------- the policy in the gate


def test_a_denied_provider_is_ruled_out_with_the_policy_line_quoted(
    cli: Any, tmp_path: Path
) -> None:
    org, other = tmp_path / "org", tmp_path / "other"
    org.mkdir()
    other.mkdir()
    (org / "makebuy.toml").write_text('[policy]\ndeny_providers = ["openai"]\n', encoding="utf-8")
    report = assess_json(cli, org, questionnaire(org))
    hit = exclusions(report)
    assert hit, "no option was ruled out by the policy"
    for option_id, found in hit.items():
        assert [e["code"] for e in found] == ["policy.provider"], option_id
        assert found[0]["message"] == (
            "Provider openai is denied by the organisation policy"
            ' (makebuy.toml: policy.deny_providers = ["openai"]).'
        )
    assert {o["provider"] for o in report["options"] if o["id"] in hit} == {"openai"}
    assert not exclusions(assess_json(cli, other, questionnaire(other)))


def test_allowed_kinds_rule_out_other_kinds_and_hybrids(cli: Any, tmp_path: Path) -> None:
    report = assess_json(
        cli, tmp_path, questionnaire(tmp_path), MAKEBUY_POLICY_ALLOWED_KINDS="buy,rent"
    )
    kinds = {o["kind"] for o in report["options"]}
    assert "hybrid" not in kinds
    hit = exclusions(report, "policy.kind")
    assert hit
    assert {o["id"] for o in report["options"] if o["kind"] == "make"} == set(hit)
    for found in hit.values():
        assert found[0]["message"] == (
            "Option kind make is not allowed by the organisation policy"
            " (MAKEBUY_POLICY_ALLOWED_KINDS=buy,rent)."
        )
    unrestricted = assess_json(cli, tmp_path, questionnaire(tmp_path))
    assert "hybrid" in {o["kind"] for o in unrestricted["options"]}


def test_model_licence_and_region_policies(cli: Any, tmp_path: Path) -> None:
    (tmp_path / "makebuy.toml").write_text(
        '[policy]\ndeny_models = ["openai/gpt-4o"]\nallow_licences = ["apache-2.0"]\n'
        'required_regions = ["us"]\n',
        encoding="utf-8",
    )
    report = assess_json(cli, tmp_path, questionnaire(tmp_path))
    by_code: dict[str, set[str]] = {}
    for option_id, found in exclusions(report).items():
        for e in found:
            by_code.setdefault(e["code"], set()).add(option_id)
    assert set(by_code) == {"policy.model", "policy.licence", "policy.region"}
    options = {o["id"]: o for o in report["options"]}
    assert {options[i]["model"] for i in by_code["policy.model"]} == {"openai/gpt-4o"}
    assert all(options[i]["licence"] != "apache-2.0" for i in by_code["policy.licence"])
    assert all(options[i]["kind"] != "make" for i in by_code["policy.region"])


# ---------------------------------------------------------------- defaults


def test_a_configured_default_fills_an_unanswered_key_and_is_reported(
    cli: Any, tmp_path: Path
) -> None:
    (tmp_path / "makebuy.toml").write_text("engineer_cost_per_year = 150000\n", encoding="utf-8")
    usecase = questionnaire(tmp_path, drop_organisation=("engineer_cost_per_year",))
    report = assess_json(cli, tmp_path, usecase)
    (assumption,) = [
        a for a in report["assumptions"] if a["field"] == "organisation.engineer_cost_per_year"
    ]
    assert assumption == {
        "field": "organisation.engineer_cost_per_year",
        "value": "150,000 USD",
        "origin": "config",
        "reason": f"not answered; the organisation default from {tmp_path / 'makebuy.toml'}",
    }


def test_the_questionnaire_answer_wins_over_a_configured_default(cli: Any, tmp_path: Path) -> None:
    (tmp_path / "makebuy.toml").write_text(
        'currency = "EUR"\nusd_to = 0.9\nengineer_cost_per_year = 150000\n', encoding="utf-8"
    )
    report = assess_json(cli, tmp_path, questionnaire(tmp_path))  # answers USD and 180,000
    assert report["currency"] == "USD"
    assert not [a for a in report["assumptions"] if a["origin"] == "config"]

    usecase = questionnaire(tmp_path, drop_organisation=("currency", "usd_to"))
    report = assess_json(cli, tmp_path, usecase)
    assert report["currency"] == "EUR"
    assert {a["field"] for a in report["assumptions"] if a["origin"] == "config"} == {
        "organisation.currency",
        "organisation.usd_to",
    }  # the questionnaire's engineer cost still wins


def test_the_configured_method_yields_to_the_command_line(cli: Any, tmp_path: Path) -> None:
    (tmp_path / "makebuy.toml").write_text('method = "topsis"\n', encoding="utf-8")
    usecase = questionnaire(tmp_path)
    assert assess_json(cli, tmp_path, usecase)["method"] == "topsis"
    assert assess_json(cli, tmp_path, usecase, "--method", "weighted-sum")["method"] == (
        "weighted-sum"
    )


def test_configured_catalogs_are_relative_to_the_config_file(cli: Any, tmp_path: Path) -> None:
    shutil.copy(FIXTURE_CATALOG / "gpus.yaml", tmp_path / "our-gpus.yaml")
    (tmp_path / "makebuy.toml").write_text('catalogs = ["our-gpus.yaml"]\n', encoding="utf-8")
    deep = tmp_path / "sub"
    deep.mkdir()
    report = assess_json(cli, deep, questionnaire(deep))
    assert str(tmp_path / "our-gpus.yaml") in json.dumps(report["catalog"]["files"])
    doc = show_json(cli, deep)
    assert doc["catalog_paths"] == [str(tmp_path / "our-gpus.yaml")]


def test_the_portfolio_applies_the_policy_to_every_use_case(cli: Any, tmp_path: Path) -> None:
    """Denying the model a use case would pick changes its pick in the portfolio too, and
    the configured method is the portfolio's."""
    org, folder = tmp_path / "org", tmp_path / "cases"
    org.mkdir()
    folder.mkdir()
    questionnaire(folder)
    free = run_in(cli, folder, "portfolio", folder, "--format", "json", "-q")
    assert free.exit_code == 0, free.stderr
    (before,) = json.loads(free.stdout)["use_cases"]
    assert json.loads(free.stdout)["method"] == "weighted-sum"
    assert before["recommended"]["kind"] == "make"
    model = before["recommended"]["option"].split(":", 1)[1]  # make:MODEL
    (org / "makebuy.toml").write_text(
        f'method = "topsis"\n[policy]\ndeny_models = ["{model}"]\n', encoding="utf-8"
    )
    result = run_in(cli, org, "portfolio", folder, "--format", "json", "-q")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["method"] == "topsis"
    (after,) = report["use_cases"]
    assert not after["recommended"]["option"].endswith(model)
