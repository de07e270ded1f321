"""Loading questionnaires and catalogs: bad input names the file, the line and the field."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from makebuy.errors import ExitCode, InputError
from makebuy.load import load_usecase, parse_yaml

from .conftest import EXAMPLES

BASE = (EXAMPLES / "support-assistant.yaml").read_text()


def write(tmp_path: Path, text: str, name: str = "usecase.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.mark.parametrize(
    ("edit", "needle", "field", "message"),
    [
        (
            ("  requests_per_month: 400000", "  requests_per_month: 0"),
            "requests_per_month: 0",
            "volume.requests_per_month",
            "greater than or equal to 0.001",
        ),
        (
            ("  requests_per_month: 400000", "  requests_per_month: -5"),
            "requests_per_month: -5",
            "volume.requests_per_month",
            "greater than or equal to 0.001",
        ),
        (
            ("  horizon_months: 36", "  horizon_months: three years"),
            "horizon_months: three",
            "volume.horizon_months",
            "valid integer",
        ),
        (
            ("  complexity: low", "  complexity: trivial"),
            "complexity: trivial",
            "task.complexity",
            "'low', 'medium' or 'high'",
        ),
        (
            ("  growth_per_year: 0.5", "  growth_per_yeer: 0.5"),
            "growth_per_yeer",
            "volume.growth_per_yeer",
            "did you mean 'growth_per_year'?",
        ),
        (
            ("    high: 0.2", "    high: 0.3"),
            "  mix:",
            "task.mix",
            "must sum to 1, they sum to 1.1",
        ),
        (
            ("  mlops_team: true", "  mlops_team: maybe-later"),
            "mlops_team: maybe",
            "organisation.mlops_team",
            "valid boolean",
        ),
    ],
)
def test_a_bad_value_is_reported_with_file_line_and_field(
    cli, tmp_path: Path, edit: tuple[str, str], needle: str, field: str, message: str
) -> None:
    old, new = edit
    assert old in BASE
    text = BASE.replace(old, new)
    path = write(tmp_path, text)
    result = cli("assess", path)
    assert result.exit_code == ExitCode.BAD_INPUT
    assert result.stdout == ""
    err = result.stderr
    assert f"{path}:{line_of(text, needle)}: {field}: " in err, err
    assert message in err
    assert "Traceback" not in err


def test_a_yaml_syntax_error_names_the_line(cli, tmp_path: Path) -> None:
    text = BASE.replace("  kind: chat", "  kind: [chat")
    path = write(tmp_path, text)
    result = cli("assess", path)
    assert result.exit_code == ExitCode.BAD_INPUT
    assert f"{path}:" in result.stderr and "YAML syntax error" in result.stderr


def test_a_duplicate_key_is_an_error_not_a_silent_overwrite(cli, tmp_path: Path) -> None:
    text = BASE.replace("  horizon_months: 36", "  horizon_months: 36\n  horizon_months: 12")
    path = write(tmp_path, text)
    result = cli("assess", path)
    assert result.exit_code == ExitCode.BAD_INPUT
    expected = f"{path}:{line_of(text, 'horizon_months: 12')}: volume.horizon_months: duplicate"
    assert expected in result.stderr


def test_an_unknown_candidate_model_is_reported_with_a_suggestion(cli, tmp_path: Path) -> None:
    text = (
        BASE
        + "\ncandidates:\n  include: [meta/llama-3.1-70b-instruct, meta/llama-3.1-70b-instrct]\n"
    )
    path = write(tmp_path, text)
    result = cli("assess", path)
    assert result.exit_code == ExitCode.BAD_INPUT
    assert (
        f"{path}:{line_of(text, 'include:')}: candidates.include[1]: unknown model id"
        in result.stderr
    )
    assert "did you mean 'meta/llama-3.1-70b-instruct'?" in result.stderr


def test_a_missing_required_key_is_named(cli, tmp_path: Path) -> None:
    text = BASE.replace("  input_tokens_per_request: 1500\n", "")
    path = write(tmp_path, text)
    result = cli("assess", path)
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "volume.input_tokens_per_request: required key is missing" in result.stderr


def test_several_errors_are_all_reported(cli, tmp_path: Path) -> None:
    text = BASE.replace("  cost: 4", "  cost: 9").replace("  capability: 3", "  capabilty: 3")
    result = cli("assess", write(tmp_path, text))
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "priorities.cost" in result.stderr and "priorities.capabilty" in result.stderr


@pytest.mark.parametrize("target", ["missing.yaml", "."])
def test_a_missing_or_unreadable_file_is_bad_input(cli, tmp_path: Path, target: str) -> None:
    result = cli("assess", tmp_path / target)
    assert result.exit_code == ExitCode.BAD_INPUT
    assert str(tmp_path) in result.stderr
    assert "Traceback" not in result.stderr


def test_a_file_that_is_not_a_mapping_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="expected a mapping"):
        load_usecase(write(tmp_path, "- just\n- a list\n"))


def test_a_non_usd_currency_needs_an_exchange_rate(cli, tmp_path: Path) -> None:
    text = BASE.replace("  currency: USD\n  usd_to: 1.0\n", "  currency: EUR\n")
    result = cli("assess", write(tmp_path, text))
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "organisation: " in result.stderr and "needs usd_to" in result.stderr


# ------------------------------------------------------------------ the YAML parser

keys = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8)
scalars = (
    st.integers(-(10**9), 10**9)
    | st.floats(allow_nan=False, allow_infinity=False, width=32)
    | st.booleans()
    | st.none()
    | st.text(alphabet="abc xyz-:#'\"", max_size=12)
    | st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 1, 1))
)
documents = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=20,
)


def _dates_as_text(value: object) -> object:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _dates_as_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_dates_as_text(v) for v in value]
    return value


@given(st.dictionaries(keys, documents, min_size=1, max_size=5), st.sampled_from([True, False]))
def test_the_parser_reads_what_pyyaml_writes_and_knows_every_line(data: dict, flow: bool) -> None:
    text = yaml.safe_dump(data, default_flow_style=flow, sort_keys=False)
    doc = parse_yaml(text, "generated.yaml")
    assert doc.data == _dates_as_text(data)  # YAML 1.2 scalars: a plain date is text
    n_lines = len(text.splitlines())
    for key in data:
        assert 1 <= doc.lines[(key,)] <= n_lines


def test_a_broken_user_catalog_names_its_file_line_and_field(cli, tmp_path: Path) -> None:
    catalog = tmp_path / "ours.yaml"
    catalog.write_text(
        "makebuy-catalog: 1\n"
        "sources:\n"
        "  - {id: our-quote, title: Our negotiated price, url: https://example.com/quote}\n"
        "offerings:\n"
        "  - id: openai/gpt-4o\n"
        "    model: openai/gpt-4o\n"
        "    provider: openai\n"
        "    api_model_id: gpt-4o\n"
        "    prices:\n"
        "      - {effective_from: 2025-01-01, input_per_1m: cheap, output_per_1m: 8,\n"
        "         source: our-quote, as_of: 2025-01-01}\n"
    )
    result = cli("assess", EXAMPLES / "support-assistant.yaml", "--catalog", catalog)
    assert result.exit_code == ExitCode.BAD_INPUT
    assert f"{catalog}:10: offerings[0].prices[0].input_per_1m: " in result.stderr


def test_a_user_catalog_source_must_exist(cli, tmp_path: Path) -> None:
    catalog = tmp_path / "ours.yaml"
    catalog.write_text(
        "makebuy-catalog: 1\n"
        "gpus:\n"
        "  - id: nvidia-h100-80gb\n"
        "    name: H100 at our colo\n"
        "    memory_gb: {value: 80, source: nowhere, as_of: 2026-01-01}\n"
        "    bandwidth_gb_s: {value: 3350, source: nowhere, as_of: 2026-01-01}\n"
        "    bf16_dense_tflops: {value: 989, source: nowhere, as_of: 2026-01-01}\n"
    )
    result = cli("assess", EXAMPLES / "support-assistant.yaml", "--catalog", catalog)
    assert result.exit_code == ExitCode.BAD_INPUT
    assert (
        f"{catalog}:5: gpus[nvidia-h100-80gb].memory_gb.source: unknown source id" in result.stderr
    )


def test_a_user_catalog_overrides_a_builtin_price_by_id(tmp_path: Path) -> None:
    from .helpers import assess_json, option

    catalog = tmp_path / "ours.yaml"
    catalog.write_text(
        "makebuy-catalog: 1\n"
        "sources:\n"
        "  - {id: our-quote, title: Our negotiated price, url: https://example.com/quote}\n"
        "offerings:\n"
        "  - id: openai/gpt-4o-2024-08-06\n"
        "    model: openai/gpt-4o\n"
        "    provider: openai\n"
        "    api_model_id: gpt-4o-2024-08-06\n"
        "    terms: openai-api-terms\n"
        "    prices:\n"
        "      - {effective_from: 2024-01-01, input_per_1m: 1.0, output_per_1m: 4.0,\n"
        "         source: our-quote, as_of: 2024-06-01}\n"
    )
    report = assess_json(
        EXAMPLES / "contract-analysis-low-volume.yaml",
        "--catalog",
        str(catalog),
        "--as-of",
        "2025-01-01",
    )
    cost = option(report, "buy:openai/gpt-4o-2024-08-06")["cost"]
    assert (cost["input_per_1m_usd"], cost["output_per_1m_usd"]) == (1.0, 4.0)
    assert str(catalog) in report["catalog"]["files"]
