"""CSV for `assess` (one row per option) and `check` (one row per file), through the CLI."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from makebuy.render.check.csv import COLUMNS as CHECK_COLUMNS
from makebuy.render.csv import OPTION_COLUMNS

from .conftest import EXAMPLES
from .test_adr import DATE, new_adr, repo_with


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_assess_csv_has_one_row_per_option_ranked_first(cli) -> None:
    example = EXAMPLES / "contract-analysis-low-volume.yaml"
    first = cli("assess", example, "--format", "csv")
    assert first.exit_code == 0, first.stderr
    assert first.stdout == cli("assess", example, "--format", "csv").stdout  # deterministic
    report = json.loads(cli("assess", example, "--format", "json").stdout)
    table = rows(first.stdout)
    assert list(table[0]) == list(OPTION_COLUMNS)
    assert len(table) == len(report["options"])
    assert {r["option"] for r in table} == {o["id"] for o in report["options"]}
    ranked = [r for r in table if r["rank"]]
    assert [int(r["rank"]) for r in ranked] == list(range(1, len(ranked) + 1))
    assert table[: len(ranked)] == ranked
    winner = next(o for o in report["options"] if o["id"] == report["recommendation"]["option"])
    assert table[0]["option"] == winner["id"]
    assert float(table[0]["total"]) == round(winner["cost"]["total"], 2)
    excluded = [r for r in table if r["status"] == "excluded"]
    assert excluded and all(r["exclusion_code"] and r["exclusion"] for r in excluded)
    assert all(r["total"] == "" for r in excluded if r["rank"] == "")


def test_check_csv_has_one_row_per_file(cli, tmp_path: Path) -> None:
    root = repo_with(tmp_path, "contract-analysis-low-volume.yaml")
    folder = root / "docs" / "decisions"
    record = new_adr(cli, root, "contract-analysis-low-volume.yaml", "--dir", folder)
    (folder / "notes.md").write_text("# Not a decision\n\nJust notes.\n")
    result = cli("check", folder, "--today", DATE, "--format", "csv")
    assert result.exit_code == 0, result.stderr
    table = rows(result.stdout)
    assert list(table[0]) == list(CHECK_COLUMNS)
    by_name = {Path(r["path"]).name: r for r in table}
    assert set(by_name) == {record.name, "notes.md"}
    assert by_name[record.name]["verdict"] == "holds"
    assert by_name[record.name]["chosen"].startswith("buy:")
    assert by_name["notes.md"]["outcome"] != "checked"
