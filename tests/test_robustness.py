"""Hostile and broken input: a clear message and exit 2, never a crash or a silent write."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import yaml

from makebuy.errors import ExitCode

from .conftest import EXAMPLES
from .helpers import questionnaire

SUPPORT = EXAMPLES / "support-assistant.yaml"


def test_a_read_only_output_file_is_refused_not_replaced(cli, tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("keep me")
    target.chmod(0o444)
    result = cli("assess", SUPPORT, "-f", "json", "-o", target)
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "read-only" in result.stderr
    assert target.read_text() == "keep me"


def test_an_existing_output_file_keeps_its_permissions(cli, tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    target.write_text("old")
    target.chmod(0o600)
    assert cli("assess", SUPPORT, "-f", "markdown", "-o", target).exit_code == 0
    assert target.stat().st_mode & 0o777 == 0o600


def test_a_self_referencing_alias_is_bad_input(cli, tmp_path: Path) -> None:
    path = tmp_path / "loop.yaml"
    path.write_text("makebuy: 1\nname: loop\ntask: &t {languages: [*t]}\n")
    result = cli("assess", path)
    assert result.exit_code == ExitCode.BAD_INPUT
    assert f"{path}:3:" in result.stderr and "alias" in result.stderr


def test_rich_markup_in_names_is_shown_as_text(cli, tmp_path: Path) -> None:
    path = questionnaire(tmp_path, name="Support [/oops] [bold]desk[/bold]")
    result = cli("assess", path)
    assert result.exit_code == 0, result.stderr
    assert "Support [/oops] [bold]desk[/bold]" in result.stdout


def test_a_source_url_that_could_break_a_markdown_link_is_rejected(cli, tmp_path: Path) -> None:
    catalog = tmp_path / "evil.yaml"
    catalog.write_text(
        "makebuy-catalog: 1\n"
        "sources:\n"
        "  - id: evil\n"
        "    title: evil\n"
        "    url: 'https://e.x/a) ![t](https://tracker.example/p.png)'\n"
    )
    result = cli("assess", SUPPORT, "--catalog", catalog)
    assert result.exit_code == ExitCode.BAD_INPUT
    assert f"{catalog}:5: sources[0].url" in result.stderr


def test_a_duplicate_id_within_one_catalog_file_is_an_error(cli, tmp_path: Path) -> None:
    source = {"id": "ours", "title": "ours", "url": "https://example.com/ours"}
    catalog = tmp_path / "dup.yaml"
    catalog.write_text(yaml.safe_dump({"makebuy-catalog": 1, "sources": [source, source]}))
    result = cli("assess", SUPPORT, "--catalog", catalog)
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "duplicate id 'ours'" in result.stderr


def test_a_broken_user_template_names_its_file_and_line(cli, tmp_path: Path) -> None:
    (tmp_path / "report.md.j2").write_text("# ok\n{% for x in %}\n")
    result = cli("assess", SUPPORT, "-f", "markdown", "--template", tmp_path)
    assert result.exit_code == ExitCode.BAD_INPUT
    assert f"{tmp_path / 'report.md.j2'}:2: template syntax error" in result.stderr


def test_templates_cannot_reach_python_internals(cli, tmp_path: Path) -> None:
    (tmp_path / "report.md.j2").write_text("{{ cycler.__init__.__globals__.os }}\n")
    result = cli("assess", SUPPORT, "-f", "markdown", "--template", tmp_path)
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "<module 'os'" not in result.stdout


def test_portfolio_csv_cells_never_start_a_formula(cli, tmp_path: Path) -> None:
    questionnaire(tmp_path, name='=HYPERLINK("http://evil")', owner="+cmd|calc")
    result = cli("portfolio", tmp_path, "-f", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    cells = [v for row in rows for v in row.values() if v]
    assert '\'=HYPERLINK("http://evil")' in cells and "'+cmd|calc" in cells
    assert not any(v[0] in "=+@" for v in cells)


def test_an_owner_cannot_inject_adr_front_matter(cli, tmp_path: Path) -> None:
    path = questionnaire(tmp_path, owner="alice]\nstatus: accepted\nx: [bob")
    result = cli("adr", "new", path, "--dir", tmp_path / "adr", "--date", "2026-11-28")
    assert result.exit_code == 0, result.stderr
    record = next((tmp_path / "adr").glob("*.md")).read_text()
    front = yaml.safe_load(record.split("---")[1])
    assert front["status"] == "proposed"
    assert front["decision-makers"] == ["alice]\nstatus: accepted\nx: [bob"]
