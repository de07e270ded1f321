"""Issue 15, hardening: input limits, numbers checked at the edge, outputs never clobber inputs.

Every YAML input goes through one reader with documented limits (aliases, nesting,
value length, integer digits, plain tags only); each breach is exit 2 with one line
naming the file, the line and the field, never exit 70, a hang or a memory blow-up.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from makebuy.errors import ExitCode

from .conftest import DATA, EXAMPLES
from .helpers import questionnaire

SUPPORT = EXAMPLES / "support-assistant.yaml"

LAUGHS = "".join(
    f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10) if i else ', '.join(['lol'] * 10)}]\n"
    for i in range(10)
)
"""Ten levels of ten aliases each: 10**10 values once expanded."""


def _makebuy(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """A real process with a timeout, so a regression hangs no test run."""
    return subprocess.run(
        [sys.executable, "-m", "makebuy", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _one_line_error(stderr: str, *parts: str) -> None:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    for part in parts:
        assert part in lines[0], stderr


# ------------------------------------------------------------------- one YAML reader


def test_a_billion_laughs_questionnaire_fails_at_once(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(LAUGHS)
    result = _makebuy("assess", bomb)
    assert result.returncode == ExitCode.BAD_INPUT
    _one_line_error(result.stderr, f"{bomb}:4: l3[", "aliases copy more than 10,000 values")


def test_a_billion_laughs_catalog_file_fails_at_once(tmp_path: Path) -> None:
    bomb = tmp_path / "catalog.yaml"
    bomb.write_text("makebuy-catalog: 1\n" + LAUGHS)
    result = _makebuy("assess", SUPPORT, "--catalog", bomb)
    assert result.returncode == ExitCode.BAD_INPUT
    _one_line_error(result.stderr, f"{bomb}:5:", "aliases copy")


def test_a_billion_laughs_evals_file_fails_at_once(tmp_path: Path) -> None:
    bomb = tmp_path / "evals.yaml"
    bomb.write_text(LAUGHS)
    result = _makebuy("assess", SUPPORT, "--evals", bomb)
    assert result.returncode == ExitCode.BAD_INPUT
    _one_line_error(result.stderr, f"{bomb}:4:", "aliases copy")


def test_a_billion_laughs_in_a_records_block_fails_at_once(cli, tmp_path: Path) -> None:
    folder = tmp_path / "adr"
    made = cli("adr", "new", SUPPORT, "--dir", folder, "--date", "2026-11-28")
    assert made.exit_code == 0, made.stderr
    record = next(folder.glob("*.md"))
    text = record.read_text()
    record.write_text(text.replace("makebuy-adr: 1\n", "makebuy-adr: 1\n" + LAUGHS, 1))
    result = _makebuy("check", folder, "--today", "2026-11-28")
    assert result.returncode == ExitCode.BAD_INPUT
    assert "aliases copy more than 10,000 values" in result.stdout + result.stderr


def test_a_billion_laughs_in_a_set_value_fails_at_once(tmp_path: Path) -> None:
    value = "[" + ", ".join(["*x"] * 3) + "]"
    result = _makebuy("what-if", SUPPORT, "--set", f"name=[&x [a, b], {value}]")
    # a tiny alias is fine; the value is then refused by the questionnaire's schema
    assert result.returncode == ExitCode.BAD_INPUT
    bomb = "{" + LAUGHS.strip().replace("\n", ", ") + "}"
    result = _makebuy("what-if", SUPPORT, "--set", f"name={bomb}")
    assert result.returncode == ExitCode.BAD_INPUT
    _one_line_error(result.stderr, "--set", "aliases copy")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("!!timestamp soon", "'soon' is not a valid timestamp"),
        ("!!int twelve", "'twelve' is not a valid int"),
        ("!!python/object:os.system ls", "unsupported YAML tag !!python/object:os.system"),
        ("!!binary aGk=", "unsupported YAML tag !!binary"),
        ("!local x", "unsupported YAML tag !local"),
        ("1" + "0" * 30, "an integer of more than 30 digits"),
        ("[" * 70 + "]" * 70, "nested more than 64 levels deep"),
        ("x" * (1024 * 1024 + 1), "a value longer than 1,048,576 characters"),
    ],
    ids=["timestamp", "int", "python", "binary", "local", "digits", "depth", "length"],
)
def test_a_value_beyond_the_yaml_limits_is_one_line_exit_2(
    cli, tmp_path: Path, value: str, message: str
) -> None:
    path = questionnaire(tmp_path)
    path.write_text(path.read_text() + f"notes: {value}\n")
    line = len(path.read_text().splitlines())
    result = cli("assess", path)
    assert result.exit_code == ExitCode.BAD_INPUT, result.stderr
    _one_line_error(result.stderr, f"{path}:{line}: notes", message)


def test_a_few_aliases_and_merge_keys_still_read(cli, tmp_path: Path) -> None:
    path = questionnaire(tmp_path)
    text = path.read_text().replace("volume:", "volume: &v", 1)
    path.write_text(text + "x-copy: *v\n")
    result = cli("assess", path, "--format", "json")
    # read, then refused by the questionnaire's schema for its one unknown key
    _one_line_error(result.stderr, f"{path}:9: x-copy: unknown key")


# ------------------------------------------------------------ numbers at the edge


@pytest.mark.parametrize(
    ("section", "key", "value", "field"),
    [
        ("volume", "requests_per_month", "1e308", "volume.requests_per_month"),
        ("volume", "requests_per_month", "1.7976931348623157e308", "volume.requests_per_month"),
        ("volume", "requests_per_month", "2e13", "volume.requests_per_month"),
        ("volume", "input_tokens_per_request", "10000001", "volume.input_tokens_per_request"),
        ("volume", "output_tokens_per_request", "10000001", "volume.output_tokens_per_request"),
        ("volume", "peak_requests_per_second", "1e300", "volume.peak_requests_per_second"),
        ("task", "context_tokens", "1000000000", "task.context_tokens"),
        # Found by fuzzing the config file: infinite costs, exit 0, before the bound.
        (
            "organisation",
            "engineer_cost_per_year",
            "1.7e308",
            "organisation.engineer_cost_per_year",
        ),
        ("organisation", "usd_to", "1e300", "organisation.usd_to"),
    ],
)
def test_a_physically_impossible_number_is_exit_2_naming_the_field(
    cli, tmp_path: Path, section: str, key: str, value: str, field: str
) -> None:
    path = questionnaire(tmp_path)
    lines = path.read_text().splitlines()
    lines = [ln for ln in lines if not ln.strip().startswith(f"{key}:")]
    at = lines.index(f"{section}:") if f"{section}:" in lines else None
    if at is None:
        lines += [f"{section}:", f"  {key}: {value}"]
    else:
        lines.insert(at + 1, f"  {key}: {value}")
    path.write_text("\n".join(lines) + "\n")
    result = cli("assess", path, "--format", "json")
    assert result.exit_code == ExitCode.BAD_INPUT, result.stderr
    _one_line_error(result.stderr, f"{path}:", f"{field}: Input should be less than or equal")


@pytest.mark.parametrize("value", ["5.0e-324", "1e-300", "0.0009"])
def test_a_vanishing_volume_is_exit_2_naming_the_field(cli, tmp_path: Path, value: str) -> None:
    """Found by the long fuzzing run (seed 3): a denormal volume made every token count
    zero and the per-token price a division by zero (exit 70)."""
    path = questionnaire(tmp_path)
    text = path.read_text()
    path.write_text(re.sub(r"requests_per_month: .*", f"requests_per_month: {value}", text))
    result = cli("assess", path, "--format", "json")
    assert result.exit_code == ExitCode.BAD_INPUT, result.stderr
    _one_line_error(
        result.stderr, f"{path}:", "volume.requests_per_month: Input should be greater than or"
    )


def test_an_impossible_uncertain_volume_is_exit_2(cli, tmp_path: Path) -> None:
    path = questionnaire(
        tmp_path,
        uncertainty={"requests_per_month": {"low": 1, "likely": 2, "high": 1e308}},
    )
    result = cli("assess", path, "--format", "json")
    assert result.exit_code == ExitCode.BAD_INPUT, result.stderr
    _one_line_error(result.stderr, "uncertainty", "requests_per_month.high must be at most 1e+13")


def test_the_schema_publishes_the_bounds(cli) -> None:
    import json

    schema = json.loads(cli("schema", "usecase").stdout)
    volume = schema["$defs"]["Volume"]["properties"]
    assert volume["requests_per_month"]["maximum"] == 1e13
    assert volume["input_tokens_per_request"]["maximum"] == 10_000_000
    peak = volume["peak_requests_per_second"]["anyOf"]
    assert 1e8 in [branch.get("maximum") for branch in peak]
    context = schema["$defs"]["Task"]["properties"]["context_tokens"]["anyOf"]
    assert 100_000_000 in [branch.get("maximum") for branch in context]


@pytest.mark.parametrize(
    ("before", "after", "field"),
    [
        ("  make:openai/gpt-oss-20b: 0.973", "  make:openai/gpt-oss-20b: .nan", "scores."),
        ("  price-change: 0.15", "  price-change: .nan", "tolerances.price-change"),
        ("  margin: 0.05", "  margin: .inf", "tolerances.margin"),
    ],
)
def test_a_nan_in_a_records_block_is_exit_2(
    cli, tmp_path: Path, before: str, after: str, field: str
) -> None:
    folder = tmp_path / "adr"
    made = cli("adr", "new", SUPPORT, "--dir", folder, "--date", "2026-11-28")
    assert made.exit_code == 0, made.stderr
    record = next(folder.glob("*.md"))
    text = record.read_text()
    assert before in text
    record.write_text(text.replace(before, after, 1))
    result = cli("check", folder, "--today", "2026-11-28")
    assert result.exit_code == ExitCode.BAD_INPUT
    assert f"{field}" in result.stderr and "finite number" in result.stderr


# ------------------------------------------------------ outputs never clobber inputs

CLOBBER = "the output would overwrite an input file"


def _copy(source: Path, tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    path.write_bytes(source.read_bytes())
    return path


def _refused(result, path: Path, before: bytes) -> None:
    assert result.exit_code == ExitCode.BAD_INPUT, result.stderr
    _one_line_error(result.stderr, CLOBBER)
    assert path.read_bytes() == before


@pytest.mark.parametrize("how", ["same", "dotted", "symlink", "hardlink"])
def test_assess_refuses_to_write_over_its_questionnaire(cli, tmp_path: Path, how: str) -> None:
    usecase = _copy(SUPPORT, tmp_path, "usecase.yaml")
    before = usecase.read_bytes()
    output = {"same": usecase, "dotted": tmp_path / "x" / ".." / "usecase.yaml"}.get(how)
    if how == "symlink":
        output = tmp_path / "link.yaml"
        output.symlink_to(usecase)
    elif how == "hardlink":
        output = tmp_path / "other-name.yaml"
        output.hardlink_to(usecase)
    assert output is not None
    result = cli("assess", usecase, "--format", "json", "-o", output)
    _refused(result, usecase, before)


def test_assess_refuses_to_write_over_a_catalog_evals_or_template_file(cli, tmp_path: Path) -> None:
    catalog = _copy(DATA / "importers" / "curated-deepinfra-mixtral.yaml", tmp_path, "c.yaml")
    before = catalog.read_bytes()
    _refused(cli("assess", SUPPORT, "-c", catalog, "-f", "json", "-o", catalog), catalog, before)
    evals = tmp_path / "evals.yaml"
    evals.write_text("evals: []\n")
    result = cli("assess", SUPPORT, "--evals", evals, "-f", "json", "-o", evals)
    _refused(result, evals, b"evals: []\n")
    templates = tmp_path / "templates"
    templates.mkdir()
    template = templates / "report.md.j2"
    template.write_text("a fixed report\n")
    result = cli("assess", SUPPORT, "--template", templates, "-f", "markdown", "-o", template)
    _refused(result, template, b"a fixed report\n")


def test_what_if_portfolio_and_size_refuse_to_write_over_an_input(cli, tmp_path: Path) -> None:
    usecase = _copy(SUPPORT, tmp_path, "usecase.yaml")
    before = usecase.read_bytes()
    _refused(cli("what-if", usecase, "-s", "priorities.cost=5", "-o", usecase), usecase, before)
    _refused(cli("portfolio", usecase, "-f", "json", "-o", usecase), usecase, before)
    catalog = _copy(DATA / "importers" / "curated-deepinfra-mixtral.yaml", tmp_path, "c.yaml")
    before = catalog.read_bytes()
    result = cli("size", "meta/llama-2-70b-chat", "-c", catalog, "-o", catalog)
    _refused(result, catalog, before)


def test_catalog_import_refuses_to_write_over_the_file_it_imports(cli, tmp_path: Path) -> None:
    source = _copy(DATA / "importers" / "litellm-excerpt.json", tmp_path, "prices.json")
    before = source.read_bytes()
    result = cli("catalog", "import", "litellm", source, "--as-of", "2026-01-01", "-o", source)
    _refused(result, source, before)


def test_a_new_report_file_respects_the_umask(tmp_path: Path) -> None:
    import os

    output = tmp_path / "report.json"
    subprocess.run(
        [sys.executable, "-m", "makebuy", "assess", str(SUPPORT), "-f", "json", "-o", str(output)],
        check=True,
        capture_output=True,
        timeout=120,
        preexec_fn=lambda: os.umask(0o077),
    )
    assert output.stat().st_mode & 0o777 == 0o600


def test_a_report_file_with_other_hard_links_is_refused_not_split(cli, tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    report.write_text("old\n")
    (tmp_path / "alias.json").hardlink_to(report)
    result = cli("assess", SUPPORT, "-f", "json", "-o", report)
    assert result.exit_code == ExitCode.BAD_INPUT
    _one_line_error(result.stderr, f"{report}: cannot write: the file has 1 other hard link")
    assert (tmp_path / "alias.json").read_text() == "old\n"
