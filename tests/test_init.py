"""`makebuy init`: the questionnaire template, the questions on a terminal, the examples."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
import yaml

from makebuy import starter
from makebuy.environment import MockEnvironment, use_environment
from makebuy.models.usecase import UseCase
from tests.conftest import EXAMPLE_FILES, FIXTURE_VARIABLES


def test_the_template_explains_every_key_required_ones_first(cli, tmp_path: Path) -> None:
    target = tmp_path / "usecase.yaml"
    result = cli("init", target)
    assert result.exit_code == 0, result.stderr
    text = target.read_text()
    assert text.startswith("# yaml-language-server: $schema=makebuy-usecase.schema.json\n")
    for key in starter.dotted_keys():
        name = key.rsplit(".", 1)[-1]
        assert re.search(rf"^\s*(# )?{name}:", text, re.M), f"{key} is missing"
        assert starter.field_at(key).description, f"{key} has no description to show"
    top = [m.group(1) for m in re.finditer(r"^(?:# )?([a-z_]+):", text, re.M)]
    assert top[:3] == ["makebuy", "name", "volume"]
    assert top == [
        *[k for k, f in UseCase.model_fields.items() if f.is_required()],
        *[k for k, f in UseCase.model_fields.items() if not f.is_required()],
    ]
    # the schema the modeline names is written next to it
    schema = json.loads((tmp_path / starter.SCHEMA_FILE_NAME).read_text())
    assert schema["$id"].startswith("urn:makebuy:schema:usecase:")


def test_the_template_fails_until_the_required_keys_are_filled_in(cli, tmp_path: Path) -> None:
    target = tmp_path / "usecase.yaml"
    cli("init", target)
    result = cli("assess", target)
    assert result.exit_code == 2
    for field in ("name", "volume.requests_per_month", "volume.input_tokens_per_request"):
        assert f": {field}: " in result.stderr
    text = target.read_text()
    text = re.sub(r"^name:$", "name: Filled in", text, flags=re.M)
    for key, value in (
        ("requests_per_month", "100000"),
        ("input_tokens_per_request", "800"),
        ("output_tokens_per_request", "200"),
    ):
        text = re.sub(rf"^  {key}:$", f"  {key}: {value}", text, flags=re.M)
    target.write_text(text)
    result = cli("assess", target, "--format", "json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    # what the template left commented out is reported as a default, not answered
    defaults = {a["field"] for a in report["assumptions"] if a["origin"] == "default"}
    assert "volume.horizon_months" in defaults


def test_init_refuses_to_overwrite_without_force(cli, tmp_path: Path) -> None:
    target = tmp_path / "usecase.yaml"
    target.write_text("mine\n")
    result = cli("init", target)
    assert result.exit_code == 2
    assert "the file exists; pass --force" in result.stderr
    assert target.read_text() == "mine\n"
    assert cli("init", target, "--force").exit_code == 0
    assert target.read_text().startswith("# yaml-language-server:")


def test_init_asks_on_a_terminal_and_the_answers_assess(cli, tmp_path: Path) -> None:
    answers = "\n".join(
        [
            "",  # name: keep the file's name
            "Drafts replies",
            "rag",
            "lots",  # not a number: asked again
            "250000",
            "",  # required: asked again
            "1200",
            "300",
            "secret",  # not a classification: asked again
            "confidential",
            "",  # cloud: keep the default
        ]
    )
    env = MockEnvironment(
        variables=FIXTURE_VARIABLES, stdin=io.StringIO(answers + "\n"), stdin_tty=True
    )
    target = tmp_path / "ticket-drafts.yaml"
    with use_environment(env):
        result = cli("init", target)
    assert result.exit_code == 0, result.stderr
    assert "Requests per month today: " in result.stderr
    assert "an answer is needed here" in result.stderr
    assert "Input should be 'public', 'internal', 'confidential' or 'regulated'" in result.stderr
    data = yaml.safe_load(target.read_text())
    assert data["name"] == "ticket drafts"
    assert data["task"] == {"kind": "rag"}
    assert data["volume"] == {
        "requests_per_month": 250000,
        "input_tokens_per_request": 1200,
        "output_tokens_per_request": 300,
    }
    assert data["data"] == {"classification": "confidential"}
    assert "organisation" not in data  # a default kept stays commented out
    assert "# organisation:" in target.read_text()
    assert cli("assess", target).exit_code == 0


def test_init_stops_when_input_ends(cli, tmp_path: Path) -> None:
    env = MockEnvironment(variables=FIXTURE_VARIABLES, stdin=io.StringIO("x\n"), stdin_tty=True)
    with use_environment(env):
        result = cli("init", tmp_path / "u.yaml")
    assert result.exit_code == 2
    assert "input ended before every question was answered" in result.stderr
    assert not (tmp_path / "u.yaml").exists()


def test_no_input_writes_the_template_on_a_terminal_too(cli, tmp_path: Path) -> None:
    env = MockEnvironment(variables=FIXTURE_VARIABLES, stdin=io.StringIO(""), stdin_tty=True)
    with use_environment(env):
        result = cli("init", tmp_path / "u.yaml", "--no-input")
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "u.yaml").read_text() == starter.template()


def test_init_to_stdout_writes_only_the_questionnaire(cli, tmp_path: Path) -> None:
    result = cli("init", "-", "--schema-url", "https://example.org/usecase.json")
    assert result.exit_code == 0
    assert result.stdout.startswith(
        "# yaml-language-server: $schema=https://example.org/usecase.json\n"
    )
    assert result.stdout == starter.template(schema_url="https://example.org/usecase.json")


def test_every_example_ships_and_can_be_written(cli, tmp_path: Path) -> None:
    listed = cli("init", "--list-examples")
    assert listed.exit_code == 0
    names = [line.split("\t")[0] for line in listed.stdout.splitlines()]
    assert names == [p.stem for p in EXAMPLE_FILES]
    target = tmp_path / "support.yaml"
    result = cli("init", "--example", "support-assistant", target)
    assert result.exit_code == 0, result.stderr
    source = (starter.examples_dir() / "support-assistant.yaml").read_text()
    assert target.read_text().splitlines()[1:] == source.splitlines()
    assert cli("assess", target).exit_code == 0


def test_an_unknown_example_names_the_known_ones(cli, tmp_path: Path) -> None:
    result = cli("init", "--example", "nope", tmp_path / "x.yaml")
    assert result.exit_code == 2
    assert "no example named 'nope'; choose one of: claims-summaries-regulated" in result.stderr


def test_the_wheel_ships_the_examples() -> None:
    text = (Path(__file__).resolve().parents[1] / "pyproject.toml").read_text()
    assert '"examples" = "makebuy/examples"' in text


@pytest.mark.parametrize(
    ("key", "text", "expected"),
    [
        ("volume.requests_per_month", "2e6", 2e6),
        ("name", "2024", "2024"),
        ("task.kind", "code", "code"),
    ],
)
def test_answers_are_read_as_yaml_and_checked(key: str, text: str, expected: object) -> None:
    assert starter.check_answer(key, text) == expected


def test_an_answer_out_of_bounds_says_why() -> None:
    with pytest.raises(ValueError, match="less than or equal to 10000000"):
        starter.check_answer("volume.input_tokens_per_request", "20000000")
