"""The organisation config applies to `check`, `what-if` and `adr new|refresh` as to `assess`:
its defaults under the questionnaire's answers, its policy in the gate, its catalogs, and its
scoring method (a recorded decision keeps the method it was scored with)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import yaml

from makebuy import adr
from makebuy.errors import ExitCode
from tests.conftest import FIXTURE_CATALOG
from tests.test_adr import DATE, repo_with
from tests.test_config import run_in

CONTRACT = "contract-analysis-low-volume.yaml"


def block_of(path: Path) -> adr.DecisionBlock:
    found = adr.find_block(adr.read_document(path))
    assert found is not None
    return found.block


def adr_new(cli: Any, root: Path, *args: str, **variables: str) -> Path:
    """`makebuy adr new examples/CONTRACT` run in `root`; the record it wrote."""
    result = run_in(
        cli, root, "adr", "new", root / "examples" / CONTRACT, "--date", DATE, *args, **variables
    )
    assert result.exit_code == 0, result.stderr
    return root / result.stdout.strip()


def model_of(cli: Any, root: Path, option_id: str) -> str:
    """The model id behind an option (option ids name the offering, not the model)."""
    result = run_in(cli, root, "assess", root / "examples" / CONTRACT, "-f", "json", "-q")
    report = json.loads(result.stdout)
    return str(next(o["model"] for o in report["options"] if o["id"] == option_id))


def check_json(cli: Any, root: Path, **variables: str) -> tuple[int, dict[str, Any], str]:
    result = run_in(cli, root, "check", "--today", DATE, "--format", "json", "-q", **variables)
    return result.exit_code, json.loads(result.stdout), result.stderr


def drop_engineer_cost(root: Path) -> None:
    """The questionnaire leaves the engineer cost to the organisation default."""
    path = root / "examples" / CONTRACT
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["organisation"].pop("engineer_cost_per_year", None)
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")


# ---------------------------------------------------------------- check


def test_a_policy_that_denies_the_chosen_model_invalidates_the_record(
    cli: Any, tmp_path: Path
) -> None:
    root = repo_with(tmp_path, CONTRACT)
    path = adr_new(cli, root)
    code, report, _ = check_json(cli, root)
    assert code == ExitCode.OK
    assert report["records"][0]["verdict"] == "holds"

    chosen = block_of(path).chosen
    model = model_of(cli, root, chosen)
    (root / "makebuy.toml").write_text(f'[policy]\ndeny_models = ["{model}"]\n', encoding="utf-8")
    code, report, _ = check_json(cli, root)
    assert code == ExitCode.DECISION_FAILED
    (record,) = report["records"]
    assert record["verdict"] == "invalidated"
    (finding,) = [f for f in record["findings"] if f["code"] == "chosen.ruled-out"]
    assert "policy.model" in finding["message"]
    assert f'makebuy.toml: policy.deny_models = ["{model}"]' in finding["message"]
    assert record["best_today"] != chosen


def test_check_applies_a_policy_from_the_environment_too(cli: Any, tmp_path: Path) -> None:
    root = repo_with(tmp_path, CONTRACT)
    path = adr_new(cli, root)
    kind = block_of(path).evidence[block_of(path).chosen].kind
    other = "make" if kind != "make" else "buy"
    code, report, _ = check_json(cli, root, MAKEBUY_POLICY_ALLOWED_KINDS=other)
    assert code == ExitCode.DECISION_FAILED
    assert report["records"][0]["verdict"] == "invalidated"


def test_a_configured_missing_catalog_is_one_input_error_naming_the_config(
    cli: Any, tmp_path: Path
) -> None:
    root = repo_with(tmp_path, CONTRACT)
    adr_new(cli, root)
    (root / "makebuy.toml").write_text('catalogs = ["nowhere.yaml"]\n', encoding="utf-8")
    result = run_in(cli, root, "check", "--today", DATE, "-q")
    assert result.exit_code == ExitCode.BAD_INPUT
    assert result.stderr.strip().splitlines() == [
        f"error: {root / 'makebuy.toml'}: catalogs: configured catalog path not found:"
        f" {root / 'nowhere.yaml'}"
    ]


# ---------------------------------------------------------------- adr new and refresh


def test_adr_new_records_the_configured_method_defaults_and_catalogs(
    cli: Any, tmp_path: Path
) -> None:
    """The record is made under the config; `check` under the same config finds it holds
    (same digest: the default engineer cost applied both times; the configured catalog is
    recorded in the block and not loaded twice)."""
    root = repo_with(tmp_path, CONTRACT)
    drop_engineer_cost(root)
    shutil.copy(FIXTURE_CATALOG / "gpus.yaml", root / "our-gpus.yaml")
    (root / "makebuy.toml").write_text(
        'method = "topsis"\nengineer_cost_per_year = 99000\ncatalogs = ["our-gpus.yaml"]\n',
        encoding="utf-8",
    )
    path = adr_new(cli, root)
    block = block_of(path)
    assert block.method == "topsis"
    assert block.catalog == ["builtin", "../../our-gpus.yaml"]

    code, report, stderr = check_json(cli, root)
    assert code == ExitCode.OK, stderr
    (record,) = report["records"]
    assert record["verdict"] == "holds", record["findings"]
    assert "use-case.changed" not in {f["code"] for f in record["findings"]}

    # Without the config, the engineer cost falls back to the built-in default: the
    # normalised questionnaire differs from the recorded one.
    (root / "makebuy.toml").unlink()
    code, report, _ = check_json(cli, root)
    assert "use-case.changed" in {f["code"] for f in report["records"][0]["findings"]}


def test_adr_new_method_option_beats_the_configured_method(cli: Any, tmp_path: Path) -> None:
    root = repo_with(tmp_path, CONTRACT)
    (root / "makebuy.toml").write_text('method = "topsis"\n', encoding="utf-8")
    assert block_of(adr_new(cli, root, "--method", "weighted-sum")).method == "weighted-sum"


def test_adr_new_applies_the_policy(cli: Any, tmp_path: Path) -> None:
    free = repo_with(tmp_path / "free", CONTRACT)
    chosen = block_of(adr_new(cli, free)).chosen
    root = repo_with(tmp_path / "org", CONTRACT)
    (root / "makebuy.toml").write_text(
        f'[policy]\ndeny_models = ["{model_of(cli, free, chosen)}"]\n', encoding="utf-8"
    )
    assert block_of(adr_new(cli, root)).chosen != chosen


def test_adr_refresh_applies_the_config_as_check_does(cli: Any, tmp_path: Path) -> None:
    root = repo_with(tmp_path, CONTRACT)
    drop_engineer_cost(root)
    path = adr_new(cli, root)
    (root / "makebuy.toml").write_text("engineer_cost_per_year = 99000\n", encoding="utf-8")
    code, report, _ = check_json(cli, root)
    assert "use-case.changed" in {f["code"] for f in report["records"][0]["findings"]}
    result = run_in(cli, root, "adr", "refresh", path.name, "--date", DATE)
    assert result.exit_code == 0, result.stderr
    code, report, _ = check_json(cli, root)
    assert code == ExitCode.OK
    assert "use-case.changed" not in {f["code"] for f in report["records"][0]["findings"]}


# ---------------------------------------------------------------- what-if


def what_if_json(cli: Any, root: Path, *args: str) -> dict[str, Any]:
    result = run_in(
        cli, root, "what-if", root / "examples" / CONTRACT, "--set", "priorities.cost=5",
        "-f", "json", *args,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_what_if_applies_the_configured_method_and_policy(cli: Any, tmp_path: Path) -> None:
    root = repo_with(tmp_path, CONTRACT)
    free = what_if_json(cli, root)
    assert free["before"]["method"] == free["after"]["method"] == "weighted-sum"
    winner = free["before"]["winner"]
    (root / "makebuy.toml").write_text(
        f'method = "topsis"\n[policy]\ndeny_models = ["{model_of(cli, root, winner)}"]\n',
        encoding="utf-8",
    )
    governed = what_if_json(cli, root)
    assert governed["before"]["method"] == governed["after"]["method"] == "topsis"
    assert winner not in (governed["before"]["winner"], governed["after"]["winner"])
    assert what_if_json(cli, root, "--method", "weighted-sum")["before"]["method"] == (
        "weighted-sum"
    )


def test_what_if_applies_configured_defaults_and_catalogs(cli: Any, tmp_path: Path) -> None:
    root = repo_with(tmp_path, CONTRACT)
    plain = what_if_json(cli, root)
    doc = yaml.safe_load((root / "examples" / CONTRACT).read_text(encoding="utf-8"))
    doc["organisation"].pop("currency", None)
    doc["organisation"].pop("usd_to", None)
    (root / "examples" / CONTRACT).write_text(yaml.safe_dump(doc), encoding="utf-8")
    shutil.copy(FIXTURE_CATALOG / "gpus.yaml", root / "our-gpus.yaml")
    (root / "makebuy.toml").write_text(
        'currency = "EUR"\nusd_to = 0.9\ncatalogs = ["our-gpus.yaml"]\n', encoding="utf-8"
    )
    report = what_if_json(cli, root)
    assert report["before"]["currency"] == report["after"]["currency"] == "EUR"
    assert plain["before"]["currency"] == "USD"
    (root / "makebuy.toml").write_text('catalogs = ["nowhere.yaml"]\n', encoding="utf-8")
    result = run_in(
        cli, root, "what-if", root / "examples" / CONTRACT, "--set", "priorities.cost=5"
    )
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "nowhere.yaml" in result.stderr and "Traceback" not in result.stderr


# ---------------------------------------------------------------- init


def test_the_init_template_points_at_the_config_file(cli: Any, tmp_path: Path) -> None:
    result = run_in(cli, tmp_path, "init", "-")
    assert result.exit_code == 0, result.stderr
    head = [line for line in result.stdout.splitlines() if line.startswith("#")][:12]
    text = " ".join(line.lstrip("# ") for line in head)
    assert "Organisation defaults" in text and "policies can live in makebuy.toml" in text
    assert "[tool.makebuy] in pyproject.toml" in text
    assert "`makebuy config show`" in text
