"""Seat-priced offerings (makebuy.seats): chat products bought per person per month.

Behaviour is pinned on a small seat catalog written here (over the frozen fixture catalog),
so no figure of the shipped catalog moves these tests; the last tests read the shipped
catalog's own entries and the shipped example.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from makebuy.environment import MockEnvironment, use_environment
from makebuy.errors import ExitCode

from .conftest import EXAMPLES, SHIPPED_VARIABLES
from .helpers import assess_json, codes, option, questionnaire

AS_OF = "2026-06-01"
GPT_4O = {"value": "openai/gpt-4o", "source": "test-vendor-pricing", "as_of": AS_OF}


def seat_catalog(tmp_path: Path, **extra: Any) -> Path:
    """Three seat products on fixture models: one with monthly and annual list prices and a
    five-seat minimum, one sold by quote only, one whose price rests on a forum post."""
    doc: dict[str, Any] = {
        "makebuy-catalog": 1,
        "sources": [
            {
                "id": "test-vendor-pricing",
                "title": "Test vendor pricing page",
                "url": "https://vendor.example/pricing",
                "kind": "primary",
            },
            {
                "id": "test-forum",
                "title": "A forum post quoting a price",
                "url": "https://forum.example/post",
                "kind": "community",
            },
        ],
        "seats": [
            {
                "id": "test/team-plan",
                "name": "Team Plan",
                "provider": "Test Vendor",
                "model": {
                    "value": "openai/gpt-4o",
                    "source": "test-vendor-pricing",
                    "as_of": AS_OF,
                },
                "prices": [
                    {
                        "billing": "monthly",
                        "usd_per_seat_month": 25,
                        "source": "test-vendor-pricing",
                        "as_of": AS_OF,
                    },
                    {
                        "billing": "annual",
                        "usd_per_seat_month": 20,
                        "source": "test-vendor-pricing",
                        "as_of": AS_OF,
                    },
                ],
                "min_seats": {"value": 5, "source": "test-vendor-pricing", "as_of": AS_OF},
            },
            {
                "id": "test/enterprise-plan",
                "name": "Enterprise Plan",
                "provider": "Test Vendor",
                "model": {
                    "value": "openai/gpt-4o",
                    "source": "test-vendor-pricing",
                    "as_of": AS_OF,
                },
                "prices": [],
            },
        ],
    }
    doc.update(extra)
    path = tmp_path / "seats.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def internal_chat(tmp_path: Path, seats: int | None = 50, **sections: Any) -> Path:
    users: dict[str, Any] = {"external": False}
    if seats is not None:
        users["seats"] = seats
    users.update(sections.pop("users", {}))
    return questionnaire(tmp_path, task={"kind": "chat"}, users=users, **sections)


def report(tmp_path: Path, usecase: Path) -> dict[str, Any]:
    return assess_json(usecase, "--catalog", str(seat_catalog(tmp_path)))


def seat_ids(rep: dict[str, Any]) -> list[str]:
    return sorted(o["id"] for o in rep["options"] if o["kind"] == "seat")


# ---------------------------------------------------------------- when seat options exist


def test_seat_options_appear_only_when_the_questionnaire_states_seats(tmp_path: Path) -> None:
    without = report(tmp_path, internal_chat(tmp_path, seats=None))
    assert seat_ids(without) == []
    with_seats = report(tmp_path, internal_chat(tmp_path, seats=50))
    assert seat_ids(with_seats) == ["seat:test/enterprise-plan", "seat:test/team-plan"]
    team = option(with_seats, "seat:test/team-plan")
    assert team["status"] == "eligible" and team["provider"] == "Test Vendor"


def test_a_questionnaire_without_seats_gives_the_same_report_as_before(tmp_path: Path) -> None:
    """The seat catalog adds nothing to a report that states no seats (beyond the file list)."""
    usecase = internal_chat(tmp_path, seats=None)
    plain = assess_json(usecase)
    seated = report(tmp_path, usecase)
    assert [o["id"] for o in plain["options"]] == [o["id"] for o in seated["options"]]
    assert plain["recommendation"] == seated["recommendation"]
    assert plain["usecase"]["digest"] == seated["usecase"]["digest"]


@pytest.mark.parametrize(
    ("sections", "words"),
    [
        ({"users": {"external": True}}, "outside it (users.external)"),
        ({"task": {"kind": "extraction"}}, "extraction task is built on an API (task.kind)"),
    ],
)
def test_a_seat_product_only_fits_an_internal_chat_use_case(
    tmp_path: Path, sections: dict[str, Any], words: str
) -> None:
    users = sections.get("users", {})
    task = sections.get("task", {"kind": "chat"})
    path = questionnaire(tmp_path, task=task, users={"external": False, "seats": 50, **users})
    team = option(report(tmp_path, path), "seat:test/team-plan")
    assert [e["code"] for e in team["exclusions"]] == ["seat.use_case"]
    assert words in team["exclusions"][0]["message"]


def test_planned_fine_tuning_rules_out_every_seat_product(tmp_path: Path) -> None:
    path = internal_chat(tmp_path, requirements={"fine_tuning": "planned"})
    rep = report(tmp_path, path)
    for oid in seat_ids(rep):
        seat = option(rep, oid)
        assert seat["status"] == "excluded"
        assert "requirements.fine_tuning" in [e["code"] for e in seat["exclusions"]]
    maybe = report(tmp_path, internal_chat(tmp_path, requirements={"fine_tuning": "maybe"}))
    assert option(maybe, "seat:test/team-plan")["status"] == "eligible"


def test_the_data_rules_of_an_api_bind_a_seat_product_too(tmp_path: Path) -> None:
    path = internal_chat(tmp_path, data={"must_stay_in_environment": True, "regions": ["eu"]})
    rep = report(tmp_path, path)
    assert codes(rep, "seat:test/team-plan")[:2] == ["data.environment", "data.region"]


# ---------------------------------------------------------------- cost


def test_cost_is_seats_times_price_times_months_at_the_cheaper_billing(tmp_path: Path) -> None:
    rep = report(tmp_path, internal_chat(tmp_path, seats=50, volume={"horizon_months": 36}))
    cost = option(rep, "seat:test/team-plan")["cost"]
    assert cost["total"] == pytest.approx(50 * 20 * 36)  # annual: $20 a seat-month
    assert cost["monthly"] == [1000.0] * 36
    [line] = cost["breakdown"]
    assert line["item"] == "seats" and line["fixed"] is True
    assert "50 seats x $20 per seat-month (annual billing, test-vendor-pricing" in line["detail"]
    assert cost["price_source"] == "test-vendor-pricing"
    assert "test-vendor-pricing" in [s["id"] for s in rep["sources"]]


def test_an_annual_term_commits_whole_years_so_a_short_horizon_pays_monthly(
    tmp_path: Path,
) -> None:
    """18 months: annual pays 24 x $20 = $480 a seat, monthly 18 x $25 = $450."""
    rep = report(tmp_path, internal_chat(tmp_path, seats=10, volume={"horizon_months": 18}))
    cost = option(rep, "seat:test/team-plan")["cost"]
    assert cost["total"] == pytest.approx(10 * 25 * 18)
    assert "(monthly billing" in cost["breakdown"][0]["detail"]


def test_fewer_seats_than_the_vendor_sells_are_billed_at_its_minimum(tmp_path: Path) -> None:
    rep = report(tmp_path, internal_chat(tmp_path, seats=3, volume={"horizon_months": 12}))
    cost = option(rep, "seat:test/team-plan")["cost"]
    assert cost["total"] == pytest.approx(5 * 20 * 12)
    assert "5 seats (the vendor's minimum of 5; 3 asked)" in cost["breakdown"][0]["detail"]


def test_the_users_own_price_is_used_and_cited_as_theirs(tmp_path: Path) -> None:
    path = internal_chat(
        tmp_path,
        volume={"horizon_months": 24},
        users={"seat_prices": {"test/enterprise-plan": 45, "test/team-plan": 18}},
    )
    rep = report(tmp_path, path)
    enterprise = option(rep, "seat:test/enterprise-plan")["cost"]
    assert enterprise["total"] == pytest.approx(50 * 45 * 24)
    assert enterprise["price_source"] is None
    assert (
        "$45 per seat-month (your price (users.seat_prices))"
        in (enterprise["breakdown"][0]["detail"])
    )
    team = option(rep, "seat:test/team-plan")["cost"]  # a quote replaces the list price
    assert team["total"] == pytest.approx(50 * 18 * 24)


def test_a_product_with_no_list_price_and_no_user_price_is_ruled_out(tmp_path: Path) -> None:
    rep = report(tmp_path, internal_chat(tmp_path))
    enterprise = option(rep, "seat:test/enterprise-plan")
    assert enterprise["status"] == "excluded" and enterprise["cost"] is None
    [exclusion] = enterprise["exclusions"]
    assert exclusion["code"] == "price.missing"
    assert exclusion["message"] == (
        "Test Vendor publishes no list price for Enterprise Plan; give your quote in"
        " users.seat_prices (test/enterprise-plan: USD per seat per month)."
    )


def test_seat_cost_stays_flat_when_volume_moves(tmp_path: Path) -> None:
    """Break-even lines and robustness scenarios scale token volume: a seat bill does not."""
    from makebuy import cost, pipeline

    run = pipeline.assess(internal_chat(tmp_path), [seat_catalog(tmp_path)], with_robustness=False)
    costed = list(run.costed)
    totals, _ = cost.totals_at_volumes(
        run.usecase, run.catalog, costed, run.capacity, np.array([1.0, 10.0, 0.1])
    )
    assert totals["seat:test/team-plan"].tolist() == [50 * 20 * 36] * 3
    api = totals[next(k for k in sorted(totals) if k.startswith("buy:"))]
    assert api[1] == pytest.approx(10 * api[0])
    halved = np.full((1, 36), 0.5)  # every API token price halved: seats are not token-priced
    priced, _ = cost.totals_under(
        run.usecase, run.catalog, costed, run.capacity, np.ones((1, 36)), api_price_factor=halved
    )
    assert priced["seat:test/team-plan"].tolist() == [50 * 20 * 36]


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("users", "field", "needle"),
    [
        ({"seats": 0}, "users.seats", "seats: 0"),
        ({"seats": "many"}, "users.seats", "seats: many"),
        (
            {"seats": 5, "seat_prices": {"test/team-plan": -3}},
            "users.seat_prices.test/team-plan",
            "test/team-plan: -3",
        ),
        (
            {"seats": 5, "seat_prices": {"test/no-such-plan": 20}},
            "users.seat_prices.test/no-such-plan",
            "test/no-such-plan: 20",
        ),
    ],
)
def test_bad_seat_values_exit_2_naming_file_line_and_field(
    cli, tmp_path: Path, users: dict[str, Any], field: str, needle: str
) -> None:
    path = questionnaire(tmp_path, task={"kind": "chat"}, users={"external": False, **users})
    result = cli("assess", path, "--catalog", seat_catalog(tmp_path))
    assert result.exit_code == ExitCode.BAD_INPUT, result.stdout
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1 and "Traceback" not in message, message
    lines = path.read_text().splitlines()
    line = next(i for i, text in enumerate(lines, 1) if text.strip() == needle)
    assert f"{path}:{line}" in message and field in message, message


def test_catalog_validate_checks_seat_products(cli, tmp_path: Path) -> None:
    bad = seat_catalog(
        tmp_path,
        seats=[
            {
                "id": "test/forum-plan",
                "name": "Forum Plan",
                "provider": "Test Vendor",
                "model": {
                    "value": "openai/gpt-4o",
                    "source": "test-vendor-pricing",
                    "as_of": AS_OF,
                },
                "prices": [
                    {
                        "billing": "monthly",
                        "usd_per_seat_month": 2400,
                        "source": "test-forum",
                        "as_of": AS_OF,
                    }
                ],
            },
        ],
    )
    result = cli("catalog", "validate", bad)
    assert result.exit_code != ExitCode.OK
    out = result.stdout + result.stderr
    assert "error[source.community]: seats[test/forum-plan].prices[0].source" in out
    assert "error[implausible]: seats[test/forum-plan].prices[0].usd_per_seat_month" in out


def test_catalog_validate_names_a_seat_products_unknown_model(cli, tmp_path: Path) -> None:
    ghost = {
        "id": "test/ghost-plan",
        "name": "Ghost Plan",
        "provider": "Test Vendor",
        "model": {"value": "test/no-such-model", "source": "test-vendor-pricing", "as_of": AS_OF},
    }
    result = cli("catalog", "validate", seat_catalog(tmp_path, seats=[ghost]))
    assert result.exit_code != ExitCode.OK
    out = result.stdout + result.stderr
    assert "seats[test/ghost-plan].model.value" in out
    assert "unknown model id 'test/no-such-model'" in out


def test_a_seat_product_may_list_one_price_per_billing_term(cli, tmp_path: Path) -> None:
    twice = {
        "billing": "annual",
        "usd_per_seat_month": 20,
        "source": "test-vendor-pricing",
        "as_of": AS_OF,
    }
    bad = seat_catalog(
        tmp_path,
        seats=[
            {
                "id": "test/twice",
                "name": "Twice",
                "provider": "Test Vendor",
                "prices": [twice, twice],
            }
        ],
    )
    result = cli("catalog", "validate", bad)
    assert result.exit_code != ExitCode.OK
    assert "at most one price per billing term" in result.stdout + result.stderr


# ---------------------------------------------------------------- the shipped catalog


@pytest.fixture
def shipped() -> Iterator[None]:
    with use_environment(MockEnvironment(width=100, variables=SHIPPED_VARIABLES)):
        yield


def test_the_shipped_example_weighs_seats_beside_apis_and_self_hosting(shipped: None) -> None:
    from makebuy.load import load_catalog

    catalog = load_catalog().catalog
    rep = assess_json(EXAMPLES / "internal-assistant-seats.yaml")
    kinds = {o["kind"] for o in rep["options"] if o["status"] == "eligible"}
    assert {"seat", "buy", "rent", "make"} <= kinds
    business = option(rep, "seat:openai/chatgpt-business")
    annual = next(
        p for p in catalog.seats["openai/chatgpt-business"].prices if p.billing == "annual"
    )
    assert business["cost"]["total"] == pytest.approx(400 * annual.usd_per_seat_month * 24)
    assert business["cost"]["price_source"] == annual.source
    assert codes(rep, "seat:openai/chatgpt-enterprise") == ["price.missing"]


def test_the_shipped_seat_prices_rest_on_the_vendors_own_pages(shipped: None) -> None:
    from makebuy.load import load_catalog

    catalog = load_catalog().catalog
    assert catalog.seats, "catalogs/seats.yaml is read"
    for seat in catalog.seats.values():
        for price in seat.prices:
            assert catalog.sources[price.source].kind == "primary", seat.id
            assert price.as_of <= dt.date(2026, 12, 1)
        if seat.model is not None:
            assert seat.model.value in catalog.models


# ---------------------------------------------------------------- a seat in every report


def test_a_seat_option_can_win_and_every_format_shows_it(cli, tmp_path: Path) -> None:
    """A cheap quoted seat wins on cost; the recommendation names an alternative of another
    kind, and each format renders the seat option and its cost line."""
    priorities = {"cost": 5, "capability": 1, "data_control": 0, "customisation": 0}
    priorities |= {"vendor_independence": 0, "operational_simplicity": 0, "support_and_safety": 0}
    path = internal_chat(
        tmp_path,
        seats=5,
        users={"seat_prices": {"test/team-plan": 0.1}},
        priorities=priorities,
    )
    catalog = seat_catalog(tmp_path)
    rep = assess_json(path, "--catalog", str(catalog))
    rec = rep["recommendation"]
    assert rec["option"] == "seat:test/team-plan"
    assert rec["alternative"] is None or not rec["alternative"].startswith("seat:")
    for fmt in ("table", "markdown", "html", "csv"):
        result = cli("assess", path, "--catalog", catalog, "--format", fmt)
        assert result.exit_code == ExitCode.OK, result.stderr
        assert "Team Plan (GPT-4o) (seat: Test Vendor)" in result.stdout.replace("&#39;", "'")


def test_break_even_says_at_what_volume_the_flat_seat_bill_beats_an_api(tmp_path: Path) -> None:
    rep = report(tmp_path, internal_chat(tmp_path, seats=50, volume={"horizon_months": 36}))
    pairs = [b for b in rep["break_even"] if b["make"] == "seat:test/team-plan"]
    assert pairs, rep["break_even"]
    for pair in pairs:
        api = option(rep, pair["versus"])["cost"]
        per_request = (500 * api["input_per_1m_usd"] + 200 * api["output_per_1m_usd"]) / 1e6
        assert pair["requests_per_month"] == pytest.approx(1000 / per_request, rel=1e-6)
        assert "Team Plan (GPT-4o) (seat: Test Vendor)" in pair["statement"]
        assert {p["monthly_cost"]["seat:test/team-plan"] for p in pair["series"]} == {1000.0}


def test_catalog_show_finds_a_seat_product(cli, shipped: None) -> None:
    result = cli("catalog", "show", "openai/chatgpt-business", "--kind", "seats")
    assert result.exit_code == ExitCode.OK, result.stderr
    assert result.stdout.startswith("seat openai/chatgpt-business\n")
    assert "seat-openai-business-billing" in result.stdout
