"""Facts of the 2026-12-01 refresh of the hosted open-weight offerings (issue 11).

These read the eight host files on their own (each one parsed and validated as a catalog
file), so they hold whatever models the rest of the catalog has: the facts pinned here are
the hosts' own (prices, retirements, successors, terms, data and regions), each with where
it comes from. A change to one of them must change this file, and say why in review.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from makebuy.load import parse_catalog_file
from makebuy.models.catalog import CatalogFile, Offering, effective_price

CATALOGS = Path(__file__).resolve().parent.parent / "catalogs"
HOSTS = ("groq", "deepinfra", "fireworks", "together", "cerebras", "sambanova", "nebius", "baseten")
REFRESH = dt.date(2026, 12, 1)


def host_file(host: str) -> CatalogFile:
    path = CATALOGS / f"offerings-{host}.yaml"
    parsed, _ = parse_catalog_file(path, f"builtin:{path.name}")
    return parsed


@pytest.fixture(scope="module")
def files() -> dict[str, CatalogFile]:
    return {host: host_file(host) for host in HOSTS}


@pytest.fixture(scope="module")
def offerings(files: dict[str, CatalogFile]) -> dict[str, Offering]:
    return {o.id: o for f in files.values() for o in f.offerings}


def test_every_host_file_offers_only_its_own_provider(files: dict[str, CatalogFile]) -> None:
    for host, f in files.items():
        assert f.offerings, host
        assert {o.provider for o in f.offerings} == {host}
        assert all(o.id.startswith(f"{host}/") for o in f.offerings)


def test_groq_llama3_70b_8192_is_kept_but_decommissioned_with_a_successor(
    offerings: dict[str, Offering],
) -> None:
    """Groq answered model_decommissioned for llama3-70b-8192 by 2025-09-03 (issue 59 of
    bklieger-groq/stockbot-on-groq); users moved to llama-3.3-70b-versatile."""
    off = offerings["groq/llama3-70b-8192"]
    assert off.lifecycle is not None
    assert off.lifecycle.retires == dt.date(2025, 9, 3)
    assert off.lifecycle.successor == "groq/llama-3.3-70b-versatile"
    assert off.prices, "the price history stays"


def test_deepinfra_mixtral_costs_40_cents_now_and_27_cents_in_2024(
    offerings: dict[str, Offering],
) -> None:
    """$0.40 per 1M tokens in LiteLLM 1.110.2; DeepInfra's December 2023 post said $0.27."""
    prices = offerings["deepinfra/mistralai/Mixtral-8x7B-Instruct-v0.1"].prices
    now = effective_price(prices, REFRESH)
    assert now is not None and (now.input_per_1m, now.output_per_1m) == (0.4, 0.4)
    then = effective_price(prices, dt.date(2024, 1, 1))
    assert then is not None and (then.input_per_1m, then.output_per_1m) == (0.27, 0.27)
    assert then.status == "unverified", "DeepInfra's post was read in a third-party copy"


def test_successors_are_offerings_of_the_same_provider(offerings: dict[str, Offering]) -> None:
    """A retiring offering's successor is the provider's replacement offering, not a model."""
    successors = {
        o.id: o.lifecycle.successor
        for o in offerings.values()
        if o.lifecycle is not None and o.lifecycle.successor
    }
    assert successors, "some retirements name their replacement"
    for oid, successor in successors.items():
        assert successor in offerings, (oid, successor)
        assert offerings[successor].provider == offerings[oid].provider


def test_every_host_offering_names_the_providers_api_terms(files: dict[str, CatalogFile]) -> None:
    for host, f in files.items():
        own = {lic.id for lic in f.licences}
        assert all(lic.kind == "api-terms" for lic in f.licences), host
        for off in f.offerings:
            assert off.terms, off.id
            # DeepInfra's terms predate this refresh and live in licences.yaml.
            assert off.terms in own or (host == "deepinfra" and off.terms == "deepinfra-terms")


def test_every_source_says_its_kind_and_licences_rest_on_primary_pages(
    files: dict[str, CatalogFile],
) -> None:
    for host, f in files.items():
        kinds = {s.id: s.kind for s in f.sources}
        assert None not in kinds.values(), host
        for lic in f.licences:
            assert kinds[lic.source] == "primary", lic.id


def test_no_price_rests_on_a_community_source_unless_flagged(
    files: dict[str, CatalogFile],
) -> None:
    for f in files.values():
        kinds = {s.id: s.kind for s in f.sources}
        for off in f.offerings:
            for p in off.prices:
                if kinds.get(p.source) == "community":
                    assert p.status == "unverified", (off.id, p.source)


def test_nebius_per_token_endpoints_are_not_eu_only(files: dict[str, CatalogFile]) -> None:
    """Nebius' DPA names a Finnish and a Kansas data centre and no region choice for
    per-token endpoints, so an EU-residency requirement must not pass them."""
    for off in files["nebius"].offerings:
        assert off.regions is not None and off.regions.value == ["global"], off.id


def test_together_stores_prompts_unless_zero_retention_is_enabled(
    files: dict[str, CatalogFile],
) -> None:
    """Together's zero-data-retention page: 'ZDR is not enabled by default'; training is a
    separate opt-in, off by default."""
    for off in files["together"].offerings:
        if off.data is None:
            continue
        assert off.data.retention_days != 0, off.id
        assert off.data.zero_retention == "available"
        assert off.data.training_on_inputs is False


def test_cerebras_retired_llama_3_3_70b_for_gpt_oss_120b(offerings: dict[str, Offering]) -> None:
    """Cerebras' deprecations page, 2026-02-16: 'Deprecated qwen-3-32b and llama-3.3-70b …
    We recommend migrating to GPT OSS 120B.'"""
    for oid in ("cerebras/llama-3.3-70b", "cerebras/qwen-3-32b"):
        life = offerings[oid].lifecycle
        assert life is not None and life.retires == dt.date(2026, 2, 16)
        assert life.successor == "cerebras/gpt-oss-120b"
