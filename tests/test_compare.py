"""`makebuy what-if` and `makebuy diff`: how a recommendation moves, through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from makebuy.errors import ExitCode

from .conftest import EXAMPLES, GOLDEN
from .helpers import assess_json

CONTRACT = EXAMPLES / "contract-analysis-low-volume.yaml"
TICKETS = EXAMPLES / "ticket-routing-high-volume.yaml"


def test_what_if_shows_the_costs_move_with_volume(cli) -> None:
    result = cli(
        "what-if", CONTRACT, "--set", "volume.requests_per_month=2e5",
        "--set", "volume.peak_requests_per_second=0.5", "-f", "json",
    )  # fmt: skip
    assert result.exit_code == ExitCode.OK, result.stderr
    diff = json.loads(result.stdout)
    assert diff["questionnaire_changed"] and not diff["catalog_changed"]
    before = assess_json(CONTRACT)
    winner = before["recommendation"]["option"]
    change = next(c for c in diff["changes"] if c["id"] == winner)
    old = next(o for o in before["options"] if o["id"] == winner)["cost"]["total"]
    assert change["cost_before"] == pytest.approx(old)
    assert change["cost_after"] == pytest.approx(old * 100, rel=1e-6)  # API cost is linear
    assert diff["statements"][0].startswith("The recommendation")


def test_what_if_a_priority_can_change_the_winner_and_says_so(cli, tmp_path) -> None:
    # The robustness section names the nearest priority tipping point; what-if at that
    # priority must show the same new winner.
    report = assess_json(TICKETS)
    tip = next(
        t
        for t in report["robustness"]["priority_tipping"]
        if t["higher"] is not None or t["lower"] is not None
    )
    new, winner = (
        (tip["higher"], tip["higher_winner"])
        if tip["higher"] is not None
        else (tip["lower"], tip["lower_winner"])
    )
    result = cli("what-if", TICKETS, "--set", f"priorities.{tip['criterion']}={new}", "-f", "json")
    diff = json.loads(result.stdout)
    assert diff["winner_changed"]
    assert diff["after"]["winner"] == winner
    assert "The recommendation changes:" in diff["statements"][0]
    table = cli("what-if", TICKETS, "--set", f"priorities.{tip['criterion']}={new}").stdout
    assert "The recommendation changes:" in " ".join(table.split())


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("priorities.cost", "KEY=VALUE"),
        ("priorities.cost=9", "priorities.cost"),
        ("volume.requests_per_month=12000000", "below the average rate"),
        ("name.first=x", "not a section"),
    ],
)
def test_a_bad_setting_is_an_input_error(cli, setting: str, message: str) -> None:
    result = cli("what-if", CONTRACT, "--set", setting)
    assert result.exit_code == ExitCode.BAD_INPUT
    assert message in result.stderr and "Traceback" not in result.stderr


def test_diff_compares_two_saved_assessments(cli, tmp_path: Path, golden) -> None:
    doc = yaml.safe_load(TICKETS.read_text())
    doc["priorities"] = {**doc.get("priorities", {}), "capability": 5}
    changed = tmp_path / "tickets-capability.yaml"
    changed.write_text(yaml.safe_dump(doc))
    before, after = tmp_path / "before.json", tmp_path / "after.json"
    assert cli("assess", TICKETS, "-f", "json", "-o", before).exit_code == 0
    assert cli("assess", changed, "-f", "json", "-o", after).exit_code == 0
    result = cli("diff", before, after, "-f", "markdown")
    assert result.exit_code == ExitCode.OK, result.stderr
    golden("diff-tickets-capability.md", result.stdout)
    same = json.loads(cli("diff", before, before, "-f", "json").stdout)
    assert not same["winner_changed"] and same["changes"] == []
    assert same["statements"][0].startswith("The recommendation holds")


def test_diff_names_the_file_that_is_not_an_assessment(cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema_version": 1}')
    result = cli("diff", bad, GOLDEN / "support-assistant.json")
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "bad.json" in result.stderr and "not a makebuy assessment" in result.stderr
