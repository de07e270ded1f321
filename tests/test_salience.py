"""The assumptions that matter most, at the end of the terminal report."""

from __future__ import annotations

import json
from pathlib import Path

from makebuy import salience
from makebuy.models.result import Assessment

from .conftest import GOLDEN

MINIMAL = """\
makebuy: 1
name: minimal
volume:
  requests_per_month: 2000000
  input_tokens_per_request: 800
  output_tokens_per_request: 300
"""


def test_the_table_ends_with_the_defaults_that_ruled_options_out(cli, tmp_path: Path) -> None:
    path = tmp_path / "minimal.yaml"
    path.write_text(MINIMAL)
    table = cli("assess", path, "-q")
    assert table.exit_code == 0, table.stderr
    report = json.loads(cli("assess", path, "-q", "--format", "json").stdout)
    keys = report["key_assumptions"]
    first_codes: dict[str, int] = {}
    for o in report["options"]:
        if o["exclusions"]:
            code = o["exclusions"][0]["code"]
            first_codes[code] = first_codes.get(code, 0) + 1
    commercial = next(k for k in keys if k["field"] == "requirements.commercial")
    assert commercial["origin"] == "default"
    n = first_codes["licence.commercial"]
    assert commercial["why"] == f"rules out {n} options (licence.commercial)"
    lines = table.stdout.rstrip("\n").splitlines()
    shown = keys[: salience.MAX_KEY_ASSUMPTIONS]
    assert lines[-len(shown) - 2] == "Assumptions that matter most:"
    assert lines[-len(shown) - 1 : -1] == [
        f"- {k['field']} = {k['value']} ({k['origin']}): {k['why']}" for k in shown
    ]
    rest = len(report["assumptions"]) - len(shown)
    assert lines[-1] == (
        f"{rest} more assumptions: see --format markdown (Assumptions section) or json."
    )


def test_a_default_priority_next_to_a_tipping_point_matters() -> None:
    data = json.loads((GOLDEN / "ticket-routing-high-volume.json").read_text())
    tip = data["robustness"]["priority_tipping"][0]  # cost 5: lower tip at 2
    tip |= {"priority": 3, "lower": 2}
    data["assumptions"].append(
        {"field": "priorities.cost", "value": "3", "origin": "default", "reason": "not answered"}
    )
    keys = salience.key_assumptions(Assessment.model_validate(data))
    (priority,) = [k for k in keys if k.field == "priorities.cost"]
    winner = next(o["title"] for o in data["options"] if o["id"] == tip["lower_winner"])
    assert priority.why == f"cost priority 2 instead of 3 makes {winner} the winner"


def test_answered_keys_and_cost_model_estimates_are_never_key_assumptions() -> None:
    data = json.loads((GOLDEN / "support-assistant.json").read_text())
    keys = salience.key_assumptions(Assessment.model_validate(data))
    assert all(k.origin in ("default", "derived") for k in keys)
    answered = {"requirements.commercial", "data.regions", "requirements.min_quality"}
    assert not answered & {k.field for k in keys}
