"""A user template folder reads only itself and renders within bounds (issue 15): a
symlink out of the folder, a huge range, a repetition bomb, a self-extending loop and a
call into the report's data models each end in a one-line exit 2 naming the template,
never a report that leaks a file, a hang or a traceback."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from makebuy.errors import ExitCode

SUPPORT = Path(__file__).parent.parent / "examples" / "support-assistant.yaml"


def _assess(cli, folder: Path):
    return cli("assess", SUPPORT, "-f", "markdown", "--template", folder)


def test_a_symlink_out_of_the_template_folder_is_refused(cli, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("RUNNER_TOKEN=hunter2\n")
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "report.md.j2").symlink_to(secret)
    result = _assess(cli, folder)
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "hunter2" not in result.stdout + result.stderr
    assert "outside its folder" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs /proc")
def test_an_included_symlink_to_proc_environ_is_refused(cli, tmp_path: Path) -> None:
    os.environ["MAKEBUY_TEST_SECRET"] = "do-not-publish"
    try:
        (tmp_path / "report.md.j2").write_text('# report\n{% include "env.txt" %}\n')
        (tmp_path / "env.txt").symlink_to("/proc/self/environ")
        result = _assess(cli, tmp_path)
    finally:
        del os.environ["MAKEBUY_TEST_SECRET"]
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "do-not-publish" not in result.stdout + result.stderr


def test_a_symlink_inside_the_folder_is_allowed(cli, tmp_path: Path) -> None:
    (tmp_path / "base.md.j2").write_text("# {{ a.usecase.name }}\n")
    (tmp_path / "report.md.j2").symlink_to(tmp_path / "base.md.j2")
    result = _assess(cli, tmp_path)
    assert result.exit_code == ExitCode.OK, result.stderr
    assert result.stdout.startswith("# Tier-1 support assistant")


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ("{% for i in range(10**12) %}x{% endfor %}", "Range too big"),
        ("{{ 'x' * 10**9 }}", "times builds more than"),
        ("{{ 2 ** 10000000 }}", "exponent"),
        ("{% set xs = [1] %}{% for x in xs %}{{ xs.append(x) }}{% endfor %}", "unsafe"),
        ("{{ a.model_dump_json() }}", "not safely callable"),
        ("{{ a.options[0].cost.total / 0 }}", "ZeroDivisionError"),
    ],
)
def test_runaway_templates_stop_with_a_named_error(
    cli, tmp_path: Path, body: str, said: str
) -> None:
    (tmp_path / "report.md.j2").write_text("# report\n\n" + body + "\n")
    result = _assess(cli, tmp_path)
    assert result.exit_code == ExitCode.BAD_INPUT, result.stdout[:200]
    assert said in result.stderr
    assert f"{tmp_path / 'report.md.j2'}:3" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_output_past_the_size_limit_stops(cli, tmp_path: Path, monkeypatch) -> None:
    from makebuy.render import format as fmt

    monkeypatch.setattr(fmt, "MAX_OUTPUT_CHARS", 10_000)
    (tmp_path / "report.md.j2").write_text(
        "{% for i in range(100000) %}{{ a.usecase.name }}\n{% endfor %}"
    )
    result = _assess(cli, tmp_path)
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "the report passed" in result.stderr
