"""Facts of the open models added for issue 11 ("missing entirely"), pinned against their sources.

DeepSeek-V3.2 and V4, Mistral Large 3 and NVIDIA Nemotron 3 Nano / Super: each is sizable, dated
and licensed from a primary or secondary source; the KV cache counts only what grows with the
context (latent, compressed or hybrid attention); the NVIDIA licences keep their clauses; the
vendors' own APIs carry their sourced prices. A change to one of these facts must change this
file and say why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from makebuy.environment import Environment, MockEnvironment, use_environment
from makebuy.models.catalog import Catalog
from makebuy.sizing import kv_bytes_per_token

from .conftest import SHIPPED_VARIABLES

NEW_MODELS = (
    "deepseek/deepseek-v3.2",
    "deepseek/deepseek-v4-flash",
    "deepseek/deepseek-v4-pro",
    "mistral/mistral-large-3",
    "nvidia/nemotron-3-nano-30b-a3b",
    "nvidia/nemotron-3-super-120b-a12b",
)


@pytest.fixture(autouse=True, scope="module")
def environment() -> Iterator[Environment]:
    with use_environment(MockEnvironment(width=100, variables=SHIPPED_VARIABLES)) as env:
        yield env


@pytest.mark.parametrize("model_id", NEW_MODELS)
def test_each_new_model_is_open_sizable_dated_and_licensed(cat: Catalog, model_id: str) -> None:
    model = cat.models[model_id]
    assert model.open_weights
    assert model.parameters_b is not None and model.architecture is not None
    assert model.released is not None
    assert cat.sources[model.released.source].kind in ("primary", "secondary")
    assert model.licence is not None and model.licence in cat.licences
    assert cat.sources[cat.licences[model.licence].source].kind in ("primary", "secondary")


@pytest.mark.parametrize(
    ("model_id", "values_per_layer", "layers"),
    [
        # MLA latent 512 + rope 64, plus the DSA indexer key 128.
        ("deepseek/deepseek-v3.2", 704, 61),
        # Mistral Large 3 is MLA like DeepSeek-V3: 512 + 64.
        ("mistral/mistral-large-3", 576, 61),
        # CSA (512/4 + 128/4) and HCA (512/128) layers averaged: 3,440 / 43.
        ("deepseek/deepseek-v4-flash", 80, 43),
        # 30 CSA and 31 HCA layers: 4,924 / 61 = 80.7, rounded up.
        ("deepseek/deepseek-v4-pro", 81, 61),
        # Only 6 of 52 (Nano) and 8 of 88 (Super) layers are attention, 2 KV heads x 128.
        ("nvidia/nemotron-3-nano-30b-a3b", 60, 52),
        ("nvidia/nemotron-3-super-120b-a12b", 47, 88),
    ],
)
def test_kv_cache_counts_only_what_grows_with_the_context(
    cat: Catalog, model_id: str, values_per_layer: int, layers: int
) -> None:
    arch = cat.models[model_id].architecture
    assert arch is not None
    assert (arch.layers, arch.kv_cache_values_per_layer) == (layers, values_per_layer)
    naive = 2 * arch.kv_heads * arch.head_dim
    assert kv_bytes_per_token(arch) < arch.layers * naive * 2


def test_nemotron_3_nano_is_the_hybrid_nvidia_describes(cat: Catalog) -> None:
    """NVIDIA Megatron-LM config: 52 layers (6 attention), 2688 wide, 32 Q / 2 KV heads of 128,
    128 experts top-6; the report: 31.6B total, 3.6B active with embeddings."""
    model = cat.models["nvidia/nemotron-3-nano-30b-a3b"]
    arch = model.architecture
    assert arch is not None and model.parameters_b is not None
    assert (arch.hidden_size, arch.attention_heads, arch.kv_heads, arch.head_dim) == (
        2688,
        32,
        2,
        128,
    )
    assert (arch.experts, arch.experts_per_token) == (128, 6)
    assert model.parameters_b.value == 31.6
    assert cat.sources[arch.source].kind == "primary"
    assert model.released is not None and model.released.value == dt.date(2025, 12, 15)


def test_mistral_large_3_is_apache_and_sold_by_mistral_at_its_card_price(cat: Catalog) -> None:
    """platform-docs-public mistral-large-3-25-12.ts: weights 'Apache 2.0', released
    2025-12-02, mistral-large-2512 at $0.5 / $1.5 per M tokens."""
    model = cat.models["mistral/mistral-large-3"]
    assert model.licence == "apache-2.0"
    assert model.released is not None and model.released.value == dt.date(2025, 12, 2)
    off = cat.offerings["mistral/mistral-large-2512"]
    assert off.model == "mistral/mistral-large-3" and off.terms == "mistral-api-terms"
    assert [(p.effective_from, p.input_per_1m, p.output_per_1m) for p in off.prices] == [
        (dt.date(2025, 12, 2), 0.5, 1.5)
    ]
    assert cat.sources[off.prices[0].source].kind == "primary"


def test_deepseek_v3_2_and_v4_weights_are_mit(cat: Catalog) -> None:
    for model_id in (
        "deepseek/deepseek-v3.2",
        "deepseek/deepseek-v4-flash",
        "deepseek/deepseek-v4-pro",
    ):
        assert cat.models[model_id].licence == "mit", model_id
    released = cat.models["deepseek/deepseek-v3.2"].released
    assert released is not None and released.value == dt.date(2025, 12, 1)


def test_deepseek_v4_api_ids_are_not_priced_as_the_april_models(cat: Catalog) -> None:
    """Since 2026-09-10 deepseek-v4-flash serves V4.1-Flash, and LiteLLM's prices for both V4
    ids are those later updates' peak rates: no V4 API offering until dated V4 prices are
    sourced; the V4 weights stay for self-hosting."""
    assert {
        o.id for o in cat.offerings.values() if o.model.startswith("deepseek/deepseek-v4")
    } == set()
    assert cat.models["deepseek/deepseek-v4-flash"].architecture is not None


def test_nvidia_open_model_licence_keeps_its_notice_and_permits_commerce(cat: Catalog) -> None:
    """NVIDIA Open Model License Agreement (April 28, 2025): commercially usable; redistribution
    needs a copy of the agreement and the 'Licensed by NVIDIA Corporation …' notice."""
    lic = cat.licences["nvidia-open-model"]
    assert lic.kind == "open-weights" and lic.spdx is None
    terms = lic.terms
    assert terms.commercial_use is not None and terms.commercial_use.value == "allowed"
    assert terms.commercial_use.clause == "Models are commercially usable."
    assert terms.attribution is not None
    assert "Licensed by NVIDIA Corporation under the NVIDIA Open Model License" in (
        terms.attribution.clause
    )
    assert terms.redistribution is not None and terms.redistribution.value == "with-conditions"
    assert terms.mau_cap is None and terms.region is None


def test_nemotron_3_models_carry_the_nemotron_open_model_licence(cat: Catalog) -> None:
    lic = cat.licences["nvidia-nemotron-open-model"]
    assert lic.terms.commercial_use is not None and lic.terms.commercial_use.value == "allowed"
    assert cat.sources[lic.source].kind == "primary"
    for model_id in ("nvidia/nemotron-3-nano-30b-a3b", "nvidia/nemotron-3-super-120b-a12b"):
        assert cat.models[model_id].licence == "nvidia-nemotron-open-model", model_id


@pytest.mark.parametrize("model_id", NEW_MODELS)
def test_each_new_model_has_quality_evidence(cat: Catalog, model_id: str) -> None:
    benchmarks = {bench for model, bench in cat.evidence if model == model_id}
    assert benchmarks & {"lmarena-text", "lmarena-text-2026-08"}, model_id
