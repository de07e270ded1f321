"""An offering that retires within the horizon, with a documented successor, is costed
with the move (its price until it retires, the successor's after, plus the migration
effort) instead of being ruled out; without a usable successor it stays ruled out and the
report says why. Runs the real CLI on the support-assistant example with a small catalog
overlay, over the frozen fixture catalog."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from makebuy import pipeline
from makebuy.cost import DEFAULT_PARAMETERS, totals_under

from .helpers import assess_json, option

SUPPORT = Path(__file__).parent.parent / "examples" / "support-assistant.yaml"


def _without_fine_tuning(path: Path) -> Path:
    """The example with fine-tuning not planned: planned rules out every API offering the
    fixture catalog records no tuning for (tests/test_finetune.py), and these tests are
    about retirements."""
    copy = Path(tempfile.mkdtemp(prefix="makebuy-migration-")) / path.name
    copy.write_text(
        path.read_text(encoding="utf-8").replace("fine_tuning: planned", "fine_tuning: none"),
        encoding="utf-8",
    )
    return copy


EXAMPLE = _without_fine_tuning(SUPPORT)
FIXTURE_OFFERINGS = Path(__file__).parent / "fixtures" / "catalog" / "offerings-openai.yaml"


def _fixture_offering(offering_id: str) -> dict[str, Any]:
    doc = yaml.safe_load(FIXTURE_OFFERINGS.read_text(encoding="utf-8"))
    return next(dict(o) for o in doc["offerings"] if o["id"] == offering_id)


def _overlay(tmp_path: Path, successor: str | None, *, next_price: float = 0.10) -> Path:
    """gpt-4o-mini names `successor`; a made-up successor offering of the same model (EU
    region, same terms) that never retires, first served 2026-11-01."""
    mini = _fixture_offering("openai/gpt-4o-mini")
    mini["lifecycle"] = {**mini["lifecycle"], "successor": successor}
    nxt = {
        **_fixture_offering("openai/gpt-4o-mini"),
        "id": "openai/gpt-4o-mini-next",
        "api_model_id": "gpt-4o-mini-next",
        "released": {"value": "2026-11-01", "source": "test-source", "as_of": "2026-11-01"},
        "prices": [
            {
                "effective_from": "2026-11-01",
                "input_per_1m": next_price,
                "output_per_1m": next_price * 4,
                "source": "test-source",
                "as_of": "2026-11-01",
            }
        ],
        "lifecycle": None,
    }
    path = tmp_path / "overlay.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "makebuy-catalog": 1,
                "sources": [
                    {"id": "test-source", "title": "test data", "url": "https://example.org/t"}
                ],
                "offerings": [mini, nxt],
            },
            sort_keys=False,
        ),
        encoding="utf-8",
    )
    return path


def test_without_a_successor_the_retiring_offering_stays_ruled_out_and_says_why() -> None:
    report = assess_json(EXAMPLE)
    mini = option(report, "buy:openai/gpt-4o-mini")
    assert [e["code"] for e in mini["exclusions"]] == ["lifecycle"]
    assert mini["exclusions"][0]["message"].endswith("The catalog names no successor.")


def test_a_successor_keeps_the_option_and_costs_the_move(tmp_path: Path) -> None:
    report = assess_json(EXAMPLE, "--catalog", str(_overlay(tmp_path, "openai/gpt-4o-mini-next")))
    mini = option(report, "buy:openai/gpt-4o-mini")
    assert mini["exclusions"] == []
    assert "lifecycle.migration" in [o["code"] for o in mini["obligations"]]
    cost = mini["cost"]
    lines = {line["item"]: line for line in cost["breakdown"]}
    # 2 engineer-weeks at the example's engineer cost, paid once, in the month it retires
    # (2027-01-14 lies in month 2 of a horizon starting 2026-11-28).
    engineer = yaml.safe_load(EXAMPLE.read_text())["organisation"].get(
        "engineer_cost_per_year", 180000.0
    )
    effort = 2.0 * engineer / 52
    assert lines["migration"]["total"] == pytest.approx(effort)
    assert lines["migration"]["fixed"] is True
    assert "successor's $0.1 per 1M" in lines["input_tokens"]["detail"]
    # Month 0 at the old price, month 1 at the new one plus the effort.
    vol = yaml.safe_load(EXAMPLE.read_text())["volume"]
    growth = (1 + vol["growth_per_year"]) ** (np.arange(2) / 12)
    requests = vol["requests_per_month"] * growth
    old = (
        requests[0]
        * (vol["input_tokens_per_request"] * 0.15 + vol["output_tokens_per_request"] * 0.6)
        / 1e6
    )
    new = (
        requests[1]
        * (vol["input_tokens_per_request"] * 0.10 + vol["output_tokens_per_request"] * 0.4)
        / 1e6
    )
    assert cost["monthly"][0] == pytest.approx(old, abs=0.01)
    assert cost["monthly"][1] == pytest.approx(new + effort, abs=0.01)
    assert cost["total"] == pytest.approx(sum(cost["monthly"]), abs=0.5)


def test_a_successor_that_retires_too_does_not_lift_the_exclusion(tmp_path: Path) -> None:
    report = assess_json(EXAMPLE, "--catalog", str(_overlay(tmp_path, "openai/gpt-4o")))
    mini = option(report, "buy:openai/gpt-4o-mini")
    assert [e["code"] for e in mini["exclusions"]] == ["lifecycle"]
    assert (
        "successor openai/gpt-4o is ruled out too (lifecycle)" in mini["exclusions"][0]["message"]
    )


def test_looking_back_before_the_successor_existed_there_is_no_move(tmp_path: Path) -> None:
    # On 2026-10-20 the retirement was known (announced 2026-10-14) but the successor was
    # first served only on 2026-11-01: the move may still happen by the retirement date.
    overlay = _overlay(tmp_path, "openai/gpt-4o-mini-next")
    report = assess_json(EXAMPLE, "--catalog", str(overlay), "--as-of", "2026-10-20")
    mini = option(report, "buy:openai/gpt-4o-mini")
    assert mini["exclusions"] == []
    nxt = option(report, "buy:openai/gpt-4o-mini-next")
    assert [e["code"] for e in nxt["exclusions"]] == ["released"]


def test_scenario_totals_hold_the_migration_effort_fixed(tmp_path: Path) -> None:
    """The robustness stage's scenario costs match the cost stage at today's volume, and
    a doubled volume doubles everything but the one-off effort."""
    overlay = _overlay(tmp_path, "openai/gpt-4o-mini-next")
    run = pipeline.assess(EXAMPLE, [overlay], with_robustness=False)
    mini = next(c for c in run.costed if c.gate.option.id == "buy:openai/gpt-4o-mini")
    assert mini.cost is not None and mini.gate.migration is not None
    months = run.usecase.volume.horizon_months
    factors = np.vstack([np.ones(months), 2 * np.ones(months)])
    totals, _ = totals_under(
        run.usecase, run.catalog, run.costed, run.capacity, factors, params=DEFAULT_PARAMETERS
    )
    effort = next(line.total for line in mini.cost.breakdown if line.item == "migration")
    got = totals["buy:openai/gpt-4o-mini"]
    assert got[0] == pytest.approx(mini.cost.total, rel=1e-6)
    assert got[1] == pytest.approx(2 * (mini.cost.total - effort) + effort, rel=1e-6)


def test_prices_older_than_180_days_are_flagged_and_only_those() -> None:
    import datetime as dt

    example = SUPPORT.parent / "ticket-routing-high-volume.yaml"
    report = assess_json(example)
    on = dt.date.fromisoformat(report["evaluated_on"])
    flagged = next(a for a in report["assumptions"] if a["field"] == "catalog.price_age")
    used = {
        o["offering"]: dt.date.fromisoformat(o["cost"]["price_as_of"])
        for o in report["options"]
        if o["status"] != "excluded" and o["cost"] and o["cost"].get("price_as_of")
    }
    old = sorted(k for k, day in used.items() if (on - day).days > 180)
    assert old and len(old) < len(used)
    assert flagged["value"] == f"{len(old)} API prices older than 180 days"
    for offering in old:
        assert f"{offering} (read {used[offering].isoformat()})" in flagged["reason"]
    for offering in set(used) - set(old):
        assert f"{offering} (read" not in flagged["reason"]
