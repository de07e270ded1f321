"""`makebuy render`: a saved JSON report re-drawn in another format, with no catalog; and the
example CI workflow, which checks once and renders the rest."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from makebuy.environment import MockEnvironment, use_environment
from makebuy.errors import ExitCode

from .conftest import EXAMPLES, FIXTURE_VARIABLES, GOLDEN, ROOT
from .test_adr import DATE, new_adr, repo_with

REPORTS = ("support-assistant", "ticket-routing-high-volume")
EXTENSIONS = {"table": "txt", "markdown": "md", "html": "html", "json": "json"}
NO_CATALOG = {"MAKEBUY_BUILTIN_CATALOG": "/nonexistent/catalog"}
"""A built-in catalog that cannot be read: render must not need one."""


@pytest.mark.parametrize("name", REPORTS)
@pytest.mark.parametrize("fmt", sorted(EXTENSIONS))
def test_a_saved_assessment_renders_as_assess_would_with_no_catalog(
    cli, name: str, fmt: str
) -> None:
    with use_environment(MockEnvironment(width=100, variables=NO_CATALOG)):
        result = cli("render", GOLDEN / f"{name}.json", "--format", fmt)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (GOLDEN / f"{name}.{EXTENSIONS[fmt]}").read_text()


def test_a_saved_assessment_renders_as_csv(cli, tmp_path: Path) -> None:
    saved = GOLDEN / "support-assistant.json"
    rendered = cli("render", saved, "--format", "csv")
    assessed = cli("assess", EXAMPLES / "support-assistant.yaml", "--format", "csv")
    assert rendered.exit_code == 0, rendered.stderr
    assert rendered.stdout == assessed.stdout


def test_a_saved_portfolio_renders_in_every_portfolio_format(cli) -> None:
    for fmt, ext in (("table", "txt"), ("markdown", "md"), ("csv", "csv")):
        with use_environment(MockEnvironment(width=100, variables=NO_CATALOG)):
            result = cli("render", GOLDEN / "portfolio.json", "--format", fmt)
        assert result.exit_code == 0, result.stderr
        assert result.stdout == (GOLDEN / f"portfolio.{ext}").read_text()


def test_a_saved_check_report_renders_like_check(cli, tmp_path: Path) -> None:
    root = repo_with(tmp_path, "contract-analysis-low-volume.yaml")
    folder = root / "docs" / "decisions"
    new_adr(cli, root, "contract-analysis-low-volume.yaml", "--dir", folder)
    saved = tmp_path / "check.json"
    first = cli("check", folder, "--today", DATE, "--format", "json", "-o", saved)
    assert first.exit_code == 0, first.stderr
    for fmt in ("table", "markdown", "github", "junit", "json"):
        direct = cli("check", folder, "--today", DATE, "--format", fmt)
        rendered = cli("render", saved, "--format", fmt)
        assert rendered.exit_code == direct.exit_code == 0
        assert rendered.stdout == direct.stdout, fmt


def test_render_keeps_the_exit_code_of_the_saved_run(cli, tmp_path: Path) -> None:
    data = json.loads((GOLDEN / "support-assistant.json").read_text())
    data["recommendation"] |= {"option": None, "runner_up": None, "alternative": None}
    for o in data["options"]:
        o["rank"] = None
    saved = tmp_path / "none.json"
    saved.write_text(json.dumps(data))
    result = cli("render", saved, "--format", "json")
    assert result.exit_code == ExitCode.DECISION_FAILED


def test_render_reads_stdin(cli) -> None:
    text = (GOLDEN / "support-assistant.json").read_text()
    with use_environment(MockEnvironment(width=100, stdin=__import__("io").StringIO(text))):
        result = cli("render", "-", "--format", "table")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (GOLDEN / "support-assistant.txt").read_text()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "x.json:1: not JSON: Expecting property name enclosed in double quotes"),
        ('{"usecase": 1}', "x.json: usecase: not a saved assessment report"),
        ('{"records": []}', "x.json: today: not a saved check report (makebuy check --format"),
    ],
)
def test_a_file_that_is_no_saved_report_is_bad_input(
    cli, tmp_path: Path, content: str, message: str
) -> None:
    (tmp_path / "x.json").write_text(content)
    result = cli("render", tmp_path / "x.json")
    assert result.exit_code == ExitCode.BAD_INPUT
    assert message in result.stderr.replace(str(tmp_path) + "/", "")
    assert "Traceback" not in result.stderr


def test_a_format_the_kind_of_report_lacks_is_refused(cli) -> None:
    result = cli("render", GOLDEN / "portfolio.json", "--format", "junit")
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "a portfolio report renders as table, markdown, html, json, csv, not junit" in (
        result.stderr
    )


# ---------------------------------------------------------------- the example workflow

WORKFLOW = ROOT / "examples" / "ci" / "makebuy-decisions.yml"


def _steps(job: str = "check") -> list[dict]:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    return workflow["jobs"][job]["steps"]


@pytest.mark.parametrize("job", ["check", "assess"])
def test_the_example_workflow_installs_makebuy_from_the_repository(job: str) -> None:
    (install,) = [s for s in _steps(job) if s.get("name") == "Install makebuy"]
    assert install["run"] == 'python -m pip install "$MAKEBUY_SOURCE"'
    assert install["env"]["MAKEBUY_SOURCE"] == "."
    assert not re.search(r"pip install[^\n]*\bmakebuy\b", WORKFLOW.read_text())


def test_the_example_workflow_checks_once_and_renders_the_rest() -> None:
    script = "\n".join(s.get("run", "") for job in ("check", "assess") for s in _steps(job))
    assert len(re.findall(r"makebuy check\b", script)) == 1
    assert len(re.findall(r"makebuy portfolio\b", script)) == 1
    assert "makebuy check --format json" in script
    assert sorted(re.findall(r"makebuy render \S+ --format (\w+)", script)) == [
        "github",
        "html",
        "junit",
        "markdown",
        "markdown",
    ]


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_the_example_workflow_script_runs(cli, tmp_path: Path) -> None:
    root = repo_with(tmp_path, "contract-analysis-low-volume.yaml")
    new_adr(cli, root, "contract-analysis-low-volume.yaml", "--dir", root / "docs" / "decisions")
    (step,) = [s for s in _steps() if s.get("name") == "Check recorded decisions"]
    summary = tmp_path / "summary.md"
    env = {
        **os.environ,
        **FIXTURE_VARIABLES,
        "GITHUB_STEP_SUMMARY": str(summary),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    done = subprocess.run(
        ["bash", "-e", "-c", step["run"]],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "holds" in summary.read_text()
    assert (root / "makebuy-check.xml").read_text().startswith("<?xml")
    assert json.loads((root / "makebuy-check.json").read_text())["exit_code"] == 0


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_the_example_workflows_assess_script_runs(tmp_path: Path) -> None:
    (tmp_path / "usecases").mkdir()
    for name in ("support-assistant.yaml", "contract-analysis-low-volume.yaml"):
        shutil.copy(EXAMPLES / name, tmp_path / "usecases" / name)
    (step,) = [s for s in _steps("assess") if s.get("name") == "Assess the use cases"]
    summary = tmp_path / "summary.md"
    env = {
        **os.environ,
        **FIXTURE_VARIABLES,
        **step["env"],
        "GITHUB_STEP_SUMMARY": str(summary),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    done = subprocess.run(
        ["bash", "-e", "-c", step["run"]],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    text = summary.read_text()
    assert text.startswith("## makebuy portfolio") and len(text) < 65_536
    assert "makebuy: portfolio of 2 use cases: the recommended mix" in done.stderr
    assert (tmp_path / "makebuy-portfolio.html").read_text().startswith("<!DOCTYPE html>")
