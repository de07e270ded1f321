"""Hybrid routing: each complexity share goes to the cheapest option meeting its tier."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from makebuy.load import load_catalog

from .conftest import EXAMPLES
from .helpers import assess_json, option, questionnaire

TIERS = load_catalog().catalog.quality_scale.tiers


def hybrids(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [o for o in report["options"] if o["kind"] == "hybrid"]


def mixed(tmp_path: Path, **overrides: Any) -> Path:
    """30M requests a month, 80 % easy and 20 % hard, cost weighed far above quality."""
    sections: dict[str, Any] = {
        "task": {"mix": {"low": 0.8, "high": 0.2}},
        "volume": {
            "requests_per_month": 30_000_000,
            "input_tokens_per_request": 1500,
            "output_tokens_per_request": 300,
            "horizon_months": 24,
        },
        "requirements": {"min_quality": 40},
        "organisation": {"mlops_team": True},
        "priorities": {
            "cost": 5,
            "capability": 1,
            "data_control": 2,
            "customisation": 0,
            "vendor_independence": 0,
            "operational_simplicity": 2,
            "support_and_safety": 0,
        },
        "candidates": {
            "include": ["meta/llama-3.1-8b-instruct", "google/gemma-3-27b-it"],
            "exclude": [],
        },
    }
    sections.update(overrides)
    return questionnaire(tmp_path, **sections)


def test_the_support_assistant_example_offers_a_hybrid() -> None:
    report = assess_json(EXAMPLES / "support-assistant.yaml")
    [h] = hybrids(report)
    assert [(leg["complexity"], leg["share"]) for leg in h["legs"]] == [("low", 0.8), ("high", 0.2)]
    for leg in h["legs"]:
        served = option(report, leg["option"])
        assert served["status"] == "eligible"  # every gate rule applies to every leg
        assert served["quality"] >= TIERS[leg["complexity"]]
    # Blended quality and summed leg costs.
    qualities = {leg["option"]: option(report, leg["option"])["quality"] for leg in h["legs"]}
    blended = sum(leg["share"] * qualities[leg["option"]] for leg in h["legs"])
    assert h["quality"] == pytest.approx(blended, abs=0.01)
    assert h["cost"]["total"] == pytest.approx(sum(x["total"] for x in h["cost"]["breakdown"]))
    assert h["rank"] is not None
    assert any("Best hybrid option" in line for line in report["recommendation"]["rationale"])


def test_each_share_goes_to_the_cheapest_option_that_meets_its_tier(tmp_path: Path) -> None:
    report = assess_json(mixed(tmp_path))
    by_id = {o["id"]: o for o in report["options"] if o["status"] == "eligible"}
    [h] = [o for o in hybrids(report) if o["model_name"].startswith("Hybrid (any)")]
    legs = {leg["complexity"]: leg["option"] for leg in h["legs"]}
    # low: anything eligible qualifies; the cheapest single option is Llama 3.1 8B rented.
    cheapest = min(
        (o for o in by_id.values() if o["kind"] != "hybrid"), key=lambda o: o["cost"]["total"]
    )
    assert legs["low"] == cheapest["id"]
    # high: needs the high tier; Llama 3.1 8B (50.6) does not reach it, Gemma 3 27B does.
    assert by_id[legs["high"]]["quality"] >= TIERS["high"] > by_id[legs["low"]]["quality"]


def test_a_hybrid_can_be_the_recommendation(tmp_path: Path) -> None:
    report = assess_json(mixed(tmp_path))
    winner = option(report, report["recommendation"]["option"])
    assert winner["kind"] == "hybrid"
    assert report["recommendation"]["rationale"][1].startswith("It routes 80% of requests (low)")
    # It costs less than serving everything with the model good enough for the hard share,
    # and more than serving everything with the cheap one.
    gemma = option(report, "rent:deepinfra/google/gemma-3-27b-it")
    llama = option(report, "rent:deepinfra/meta-llama/Meta-Llama-3.1-8B-Instruct")
    assert llama["cost"]["total"] < winner["cost"]["total"] < gemma["cost"]["total"]


def test_api_legs_cost_their_share_of_the_tokens(tmp_path: Path) -> None:
    report = assess_json(mixed(tmp_path))
    [h] = [o for o in hybrids(report) if o["model_name"].startswith("Hybrid (any)")]
    expected = 0.0
    for leg in h["legs"]:
        served = option(report, leg["option"])
        assert served["kind"] == "rent"
        expected += leg["share"] * served["cost"]["total"]
    assert h["cost"]["total"] == pytest.approx(expected, rel=1e-6)


def test_gate_rules_bind_every_leg(tmp_path: Path) -> None:
    # Data that must stay in the environment rules out every API: no leg may be one.
    report = assess_json(mixed(tmp_path, data={"must_stay_in_environment": True}))
    for h in hybrids(report):
        for leg in h["legs"]:
            assert option(report, leg["option"])["kind"] == "make"


def test_no_mix_no_hybrid(tmp_path: Path) -> None:
    report = assess_json(mixed(tmp_path, task={"kind": "chat"}))
    assert hybrids(report) == []


def test_a_routing_to_one_option_is_not_a_hybrid(tmp_path: Path) -> None:
    # With only Gemma 3 27B, every share lands on its cheapest offering: nothing to route.
    path = mixed(tmp_path, candidates={"include": ["google/gemma-3-27b-it"], "exclude": []})
    assert hybrids(assess_json(path)) == []


def test_the_support_assistant_reports_show_the_hybrid_legs(cli) -> None:  # type: ignore[no-untyped-def]
    markdown = cli("assess", EXAMPLES / "support-assistant.yaml", "--format", "markdown").stdout
    assert "## Hybrid routing" in markdown
    assert "| 80% | low |" in markdown and "| 20% | high |" in markdown
    table = cli("assess", EXAMPLES / "support-assistant.yaml").stdout
    assert "80% low ->" in table and "20% high ->" in table
