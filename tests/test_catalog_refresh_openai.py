"""The OpenAI and Azure OpenAI part of the 2026-12-01 catalog refresh (issue 11).

Before the refresh every OpenAI offering with a documented EU region shut down by
2027-01-14, so an EU, zero-retention use case found no API option at all. These tests pin
what the refresh brings back, on the shipped catalog: GPT-5.x and GPT-6.x offerings with
their sourced release dates, prices and shutdowns, and Azure OpenAI EU Data Zone
deployments under Microsoft's data terms.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from makebuy import pipeline
from makebuy.environment import Environment, MockEnvironment, use_environment
from makebuy.load import LoadedCatalog, load_catalog
from makebuy.models.catalog import Catalog, Offering, Price

from .conftest import ROOT, SHIPPED_VARIABLES

OWN_FILES = ("models-openai.yaml", "offerings-openai.yaml", "offerings-azure.yaml")


@pytest.fixture(autouse=True, scope="module")
def environment() -> Iterator[Environment]:
    """These tests are about the shipped catalog, not the frozen fixture."""
    with use_environment(MockEnvironment(width=100, variables=SHIPPED_VARIABLES)) as env:
        yield env


@pytest.fixture(scope="module")
def loaded() -> LoadedCatalog:
    return load_catalog()


@pytest.fixture(scope="module")
def cat(loaded: LoadedCatalog) -> Catalog:
    return loaded.catalog


def price_on(offering: Offering, day: dt.date) -> Price:
    [price] = [
        p
        for p in offering.prices
        if p.effective_from <= day and (p.effective_to is None or day < p.effective_to)
    ]
    return price


def own_file(name: str) -> dict:
    return yaml.safe_load((ROOT / "catalogs" / name).read_text())


# ---------------------------------------------------------------- an EU, zero-retention use case


def eu_zero_retention_usecase(tmp_path: Path, *, evals: bool) -> Path:
    """Like examples/support-assistant.yaml (EU processing, zero retention, confidential
    data), over a 12-month horizon; with `evals`, the team's own eval scores for two
    GPT-6.x models (the catalog's evidence may not cover models this new)."""
    doc = {
        "makebuy": 1,
        "name": "EU support drafts, zero retention",
        "task": {"kind": "chat", "complexity": "low", "context_tokens": 6000,
                 "languages": ["en", "de"], "modalities": ["text"]},
        "volume": {"requests_per_month": 400000, "input_tokens_per_request": 1500,
                   "output_tokens_per_request": 300, "peak_requests_per_second": 4,
                   "horizon_months": 12},
        "users": {"monthly_active_users": 20000, "external": True},
        "data": {"classification": "confidential", "must_stay_in_environment": False,
                 "regions": ["eu"], "zero_retention_required": True},
        "requirements": {"commercial": True, "min_quality": 0, "uses": ["customer-support"],
                         "human_review": True},
    }  # fmt: skip
    if evals:
        (tmp_path / "evals.csv").write_text(
            "model,score,eval,date\n"
            "openai/gpt-6.1-sol,70,support-drafts-v3,2026-11-20\n"
            "openai/gpt-6-luna,60,support-drafts-v3,2026-11-20\n"
        )
        doc["evidence"] = {"file": "evals.csv"}
    path = tmp_path / "usecase.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def test_an_eu_zero_retention_use_case_finds_eligible_api_options_again(tmp_path: Path) -> None:
    """With quality known (here from the team's own evals), Azure OpenAI EU Data Zone and
    OpenAI EU-residency offerings pass the gate on the catalog's date."""
    run = pipeline.assess(eu_zero_retention_usecase(tmp_path, evals=True), with_robustness=False)
    eligible = {
        o.offering for o in run.assessment.options if o.kind == "buy" and o.status == "eligible"
    }
    assert {"azure/eu/gpt-6.1-sol", "azure/eu/gpt-6-luna"} <= eligible
    assert {"openai/gpt-6.1-sol", "openai/gpt-6-luna"} <= eligible
    cat = run.catalog
    for offering_id in eligible:
        offering = cat.offerings[offering_id]
        assert offering.regions is not None and "eu" in offering.regions.value, offering_id
        assert offering.data is not None and offering.data.zero_retention in {
            "available",
            "on-approval",
        }, offering_id


def test_eu_data_zone_offerings_are_never_ruled_out_for_region_or_retention(
    tmp_path: Path,
) -> None:
    """Whatever evidence the catalog holds, the EU Data Zone deployments pass the data rules;
    the Azure deployments without a region (global) do not."""
    run = pipeline.assess(eu_zero_retention_usecase(tmp_path, evals=False), with_robustness=False)
    by_offering = {o.offering: o for o in run.assessment.options if o.offering}
    eu = [oid for oid in by_offering if oid.startswith("azure/eu/")]
    assert len(eu) >= 15
    for oid in eu:
        codes = {e.code for e in by_offering[oid].exclusions}
        assert not codes & {"data.region", "data.retention", "data.training"}, (oid, codes)
    codes = {e.code for e in by_offering["azure/gpt-6.1-sol"].exclusions}
    assert "data.region" in codes


# ---------------------------------------------------------------- Azure OpenAI data terms


def test_azure_openai_does_not_train_on_prompts_and_offers_zero_retention_on_approval(
    cat: Catalog,
) -> None:
    """Microsoft, Data, privacy, and security for Azure Direct Models: prompts and
    completions are not used to train foundation models; abuse-monitoring storage can be
    turned off on approval (modified abuse monitoring)."""
    azure = [o for o in cat.offerings.values() if o.provider == "azure"]
    assert len(azure) >= 30
    for off in azure:
        assert off.terms == "azure-openai-terms", off.id
        assert off.data is not None, off.id
        assert (off.data.training_on_inputs, off.data.zero_retention) == (False, "on-approval")
        eu = off.id.startswith("azure/eu/")
        assert (off.regions is not None and off.regions.value == ["eu"]) == eu, off.id
    terms = cat.licences["azure-openai-terms"]
    assert terms.kind == "api-terms"
    assert cat.sources[terms.source].kind == "primary"


def test_azure_eu_data_zone_prices_run_above_the_global_ones(cat: Catalog) -> None:
    """LiteLLM 1.110.2: EU Data Zone GPT-6 Sol $2.40 / $12 against $2 / $10 global."""
    day = dt.date(2026, 12, 1)
    eu, world = (
        price_on(cat.offerings["azure/eu/gpt-6-sol"], day),
        price_on(cat.offerings["azure/gpt-6-sol"], day),
    )
    assert (eu.input_per_1m, eu.output_per_1m) == (2.4, 12.0)
    assert (world.input_per_1m, world.output_per_1m) == (2.0, 10.0)


# ---------------------------------------------------------------- OpenAI GPT-5.x and GPT-6.x


def test_gpt_5_and_o3_shut_down_on_2026_12_11_with_gpt_6_successors(cat: Catalog) -> None:
    """OpenAI deprecations (notice 2026-06-11): gpt-5 and o3 -> gpt-6.1-sol, gpt-5-mini ->
    gpt-6.1-terra, gpt-5-nano -> gpt-6-luna; the dated snapshots go with them."""
    expected = {
        "openai/gpt-5": "openai/gpt-6.1-sol",
        "openai/gpt-5-2025-08-07": "openai/gpt-6.1-sol",
        "openai/gpt-5-mini": "openai/gpt-6.1-terra",
        "openai/gpt-5-nano-2025-08-07": "openai/gpt-6-luna",
        "openai/o3": "openai/gpt-6.1-sol",
    }
    for offering, successor in expected.items():
        life = cat.offerings[offering].lifecycle
        assert life is not None, offering
        assert (life.retires, life.successor) == (dt.date(2026, 12, 11), successor), offering


def test_gpt_6_1_terra_lists_at_1_and_5_dollars(cat: Catalog) -> None:
    """OpenAI's GPT-6.1 Terra model page: $1 input, $5 output per 1M tokens."""
    price = price_on(cat.offerings["openai/gpt-6.1-terra"], dt.date(2026, 12, 1))
    assert (price.input_per_1m, price.output_per_1m) == (1.0, 5.0)
    assert cat.sources[price.source].kind == "primary"


def test_gpt_5_6_sol_launched_at_5_and_30_and_fell_to_4_and_20(cat: Catalog) -> None:
    """genai-prices 0.2.3: an undated launch price, then $4 / $20 from 2026-08-21."""
    sol = cat.offerings["openai/gpt-5.6-sol"]
    launch, cut = price_on(sol, dt.date(2026, 7, 9)), price_on(sol, dt.date(2026, 8, 21))
    assert (launch.input_per_1m, launch.output_per_1m) == (5.0, 30.0)
    assert (cut.input_per_1m, cut.output_per_1m) == (4.0, 20.0)


# ---------------------------------------------------------------- sourcing rules


def test_every_openai_and_azure_offering_and_openai_model_has_a_release_date(
    cat: Catalog,
) -> None:
    undated = [
        o.id for o in cat.offerings.values() if o.provider in {"openai", "azure"} and not o.released
    ]
    undated += [m.id for m in cat.models.values() if m.developer == "OpenAI" and not m.released]
    assert undated == []


def test_every_source_in_these_files_has_a_kind() -> None:
    unkinded = [
        (name, s["id"])
        for name in OWN_FILES
        for s in own_file(name)["sources"]
        if not s.get("kind")
    ]
    assert unkinded == []


def test_successors_are_offerings_of_the_catalog(cat: Catalog) -> None:
    dangling = [
        (o.id, o.lifecycle.successor)
        for o in cat.offerings.values()
        if o.provider in {"openai", "azure"}
        and o.lifecycle is not None
        and o.lifecycle.successor is not None
        and o.lifecycle.successor not in cat.offerings
    ]
    assert dangling == []


def test_no_openai_or_azure_price_rests_on_a_community_source(cat: Catalog) -> None:
    community = [
        (o.id, p.source)
        for o in cat.offerings.values()
        if o.provider in {"openai", "azure"}
        for p in o.prices
        if cat.sources[p.source].kind == "community"
    ]
    assert community == []
