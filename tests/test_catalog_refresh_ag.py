"""Issue 11, catalog refresh to 2026-12-01: the Anthropic, Google, Bedrock and Vertex files.

The refresh's goal: an EU, zero-retention use case finds eligible API options in the shipped
catalog again (before it, every buy or rent option was ruled out by region, retention or
lifecycle). The other tests pin the facts and conventions the refresh relies on: source
kinds, successors that name offerings, the Claude and Bedrock EU figures read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from makebuy import load, pipeline
from makebuy.environment import Environment, MockEnvironment, use_environment
from makebuy.models.catalog import Catalog

from .conftest import ROOT, SHIPPED_VARIABLES

FILES = (
    "models-anthropic.yaml",
    "offerings-anthropic.yaml",
    "offerings-google.yaml",
    "offerings-bedrock.yaml",
    "offerings-vertex.yaml",
)
EXAMPLE = ROOT / "examples" / "support-assistant.yaml"


@pytest.fixture(autouse=True, scope="module")
def environment() -> Iterator[Environment]:
    """The shipped catalog, not the frozen fixture."""
    with use_environment(MockEnvironment(width=100, variables=SHIPPED_VARIABLES)) as env:
        yield env


@pytest.fixture(scope="module")
def cat() -> Catalog:
    return load.load_catalog().catalog


def documents() -> Iterator[tuple[str, dict[str, Any]]]:
    for name in FILES:
        path = ROOT / "catalogs" / name
        if path.exists():
            yield name, yaml.safe_load(path.read_text(encoding="utf-8"))


def eu_zero_retention_usecase(tmp_path: Path) -> Path:
    """The support-assistant example: EU processing, zero retention, medium quality."""
    doc = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    assert doc["data"]["regions"] == ["eu"] and doc["data"]["zero_retention_required"] is True
    # Without planned fine-tuning: no EU API in the catalog records a tuning price, so
    # `planned` rules every API out for that reason alone (tests/test_finetune.py).
    doc["requirements"]["fine_tuning"] = "none"
    path = tmp_path / "eu.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def test_an_eu_zero_retention_use_case_finds_eligible_api_options(tmp_path: Path) -> None:
    run = pipeline.assess(eu_zero_retention_usecase(tmp_path), with_robustness=False)
    api = [o for o in run.assessment.options if o.kind in ("buy", "rent")]
    eligible = [o for o in api if o.status == "eligible"]
    assert eligible, "no API option survives an EU, zero-retention use case"
    for option in eligible:
        off = run.catalog.offerings[option.offering or ""]
        assert off.regions is not None and "eu" in off.regions.value, option.id
        assert off.data is not None and off.data.zero_retention in ("available", "on-approval")
    assert "aws-bedrock/eu.anthropic.claude-opus-4-5-20251101-v1:0" in {
        o.offering for o in eligible
    }


def test_every_source_in_these_files_has_a_kind() -> None:
    for name, doc in documents():
        for source in doc.get("sources") or []:
            assert source.get("kind") in ("primary", "secondary", "community"), (
                name,
                source["id"],
            )


def test_successors_in_these_files_name_existing_offerings(cat: Catalog) -> None:
    """lifecycle.successor is the successor offering (a model id would not say where)."""
    mine = {o["id"] for _, doc in documents() for o in doc.get("offerings") or []}
    assert mine
    for oid in mine:
        life = cat.offerings[oid].lifecycle
        if life is not None and life.successor is not None:
            assert life.successor in cat.offerings, (oid, life.successor)


def test_released_dates_are_not_after_the_catalog_date(cat: Catalog) -> None:
    for _, doc in documents():
        for entry in [*(doc.get("models") or []), *(doc.get("offerings") or [])]:
            key = entry["id"]
            item = cat.models.get(key) or cat.offerings.get(key)
            assert item is not None, key
            if item.released is not None:
                assert item.released.value <= cat.as_of, key


def test_claude_sonnet_4_5_retired_on_2026_11_30_for_sonnet_5_5(cat: Catalog) -> None:
    """Anthropic's Sonnet 4.5 page: 'retires on November 30, 2026. Recommended replacement:
    Claude Sonnet 5.5.'"""
    life = cat.offerings["anthropic/claude-sonnet-4-5-20250929"].lifecycle
    assert life is not None
    assert (life.retires, life.successor) == (
        dt.date(2026, 11, 30),
        "anthropic/claude-sonnet-5-5",
    )


def test_current_claude_api_prices(cat: Catalog) -> None:
    """Anthropic's model pages: Opus 5.5 $4 / $20, Sonnet 5.5 $2 / $10, Haiku 5.5 $0.10 /
    $0.50 (prompts up to 100K tokens), all with a 1M-token context window."""
    expected = {
        "anthropic/claude-opus-5-5": (4.0, 20.0),
        "anthropic/claude-sonnet-5-5": (2.0, 10.0),
        "anthropic/claude-haiku-5-5": (0.1, 0.5),
    }
    for oid, (inp, out) in expected.items():
        off = cat.offerings[oid]
        [price] = [p for p in off.prices if p.effective_to is None]
        assert (price.input_per_1m, price.output_per_1m) == (inp, out), oid
        model = cat.models[off.model]
        assert model.context_tokens is not None and model.context_tokens.value == 1_000_000


def test_bedrock_eu_profiles_cost_ten_percent_more_and_stay_in_the_eu(cat: Catalog) -> None:
    """EU cross-Region inference profiles carry the 10% regional premium (LiteLLM and
    genai-prices agree): Opus 4.5 $5.50 / $27.50 against $5 / $25 on the Claude API."""
    eu = cat.offerings["aws-bedrock/eu.anthropic.claude-opus-4-5-20251101-v1:0"]
    direct = cat.offerings["anthropic/claude-opus-4-5-20251101"]
    [eu_price] = [p for p in eu.prices if p.effective_to is None]
    [direct_price] = [p for p in direct.prices if p.effective_to is None]
    assert eu_price.input_per_1m == pytest.approx(direct_price.input_per_1m * 1.1)
    assert eu_price.output_per_1m == pytest.approx(direct_price.output_per_1m * 1.1)
    assert eu.regions is not None and eu.regions.value == ["eu"]
    assert eu.model == direct.model


def test_eu_offerings_pass_the_region_and_retention_rules(tmp_path: Path) -> None:
    """Every current offering documented for the EU (Bedrock EU profiles, Vertex eu
    endpoints) clears the region and retention rules of an EU, zero-retention use case;
    what still rules some out is quality evidence or lifecycle, not data terms."""
    run = pipeline.assess(eu_zero_retention_usecase(tmp_path), with_robustness=False)
    eu = [
        o
        for o in run.assessment.options
        if o.offering and (o.offering.startswith("aws-bedrock/eu.") or o.offering.endswith("@eu"))
    ]
    assert len(eu) >= 10
    for option in eu:
        codes = {e.code for e in option.exclusions}
        assert not codes & {"data.region", "data.retention", "data.training"}, (
            option.id,
            codes,
        )
