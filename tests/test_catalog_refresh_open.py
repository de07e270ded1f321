"""Facts of the 2026-12 open-weight refresh (issue 11), pinned against their sources.

Covers the files the open-model refresh owns: every model there carries a sourced release
date, every source a kind; latent and hybrid attention is sized from what is cached, not from
the nominal head counts; the Kimi K2 licence keeps its naming clause; DeepSeek's own API keeps
prompts in the PRC; Mistral's API cards give Medium 3 its price and retirement. A change to
one of these facts must change this file and say why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from makebuy.environment import Environment, MockEnvironment, use_environment
from makebuy.load import LoadedCatalog
from makebuy.models.catalog import Catalog
from makebuy.sizing import kv_bytes_per_token

from .conftest import SHIPPED_VARIABLES

REFRESHED_FILES = {
    "builtin:models-qwen.yaml",
    "builtin:models-deepseek.yaml",
    "builtin:models-mistral.yaml",
    "builtin:models-gemma.yaml",
    "builtin:models-moonshot.yaml",
    "builtin:models-zhipu.yaml",
    "builtin:offerings-deepseek.yaml",
    "builtin:offerings-mistral.yaml",
}

# Models in the refreshed files whose release day no primary or secondary source gave.
UNDATED: dict[str, str] = {}


@pytest.fixture(autouse=True, scope="module")
def environment() -> Iterator[Environment]:
    with use_environment(MockEnvironment(width=100, variables=SHIPPED_VARIABLES)) as env:
        yield env


def documents(loaded: LoadedCatalog) -> dict[str, Any]:
    """The refreshed files' YAML as written, by label."""
    docs: dict[str, Any] = {}
    for origin in loaded.origins.values():
        if origin.doc is not None and origin.doc.path in REFRESHED_FILES:
            docs[origin.doc.path] = origin.doc.data
    return docs


def test_every_refreshed_file_is_shipped(shipped: LoadedCatalog) -> None:
    assert set(documents(shipped)) == REFRESHED_FILES


def test_every_source_in_the_refreshed_files_has_a_kind(shipped: LoadedCatalog) -> None:
    unkinded = [
        f"{path}: {source['id']}"
        for path, data in documents(shipped).items()
        for source in data.get("sources", [])
        if source.get("kind") not in ("primary", "secondary", "community")
    ]
    assert unkinded == []


def test_every_model_in_the_refreshed_files_has_a_sourced_release_date(
    shipped: LoadedCatalog, cat: Catalog
) -> None:
    ids = [m["id"] for data in documents(shipped).values() for m in data.get("models", [])]
    undated = {i for i in ids if cat.models[i].released is None}
    assert undated == set(UNDATED)
    for i in set(ids) - undated:
        released = cat.models[i].released
        assert released is not None and released.source in cat.sources


def test_no_licence_in_the_refreshed_files_rests_on_a_community_source(
    shipped: LoadedCatalog, cat: Catalog
) -> None:
    for data in documents(shipped).values():
        for lic in data.get("licences", []):
            assert cat.sources[lic["source"]].kind in ("primary", "secondary"), lic["id"]


@pytest.mark.parametrize(
    ("model", "values_per_layer"),
    [
        # MLA: kv_lora_rank 512 + qk_rope_head_dim 64, not 128 heads x 128 x 2.
        ("deepseek/deepseek-v3", 576),
        ("deepseek/deepseek-v3.1", 576),
        ("moonshotai/kimi-k2-instruct", 576),
        # DeepSeek Sparse Attention adds the indexer's 128-value key.
        ("deepseek/deepseek-v3.2-exp", 704),
        # Hybrid: only every 4th layer is full attention (15 of 60 x 2 x 2 KV heads x 256).
        ("qwen/qwen3.5-397b-a17b", 256),
        ("qwen/qwen3.5-27b", 512),
        ("qwen/qwen3.6-35b-a3b", 256),
        # Gemma: only the 1-in-6 global layers cache the whole context.
        ("google/gemma-3-27b-it", 661),
        ("google/gemma-4-31b-it", 683),
        ("google/gemma-4-26b-a4b-it", 342),
    ],
)
def test_kv_cache_counts_only_what_grows_with_the_context(
    cat: Catalog, model: str, values_per_layer: int
) -> None:
    arch = cat.models[model].architecture
    assert arch is not None and arch.kv_cache_values_per_layer == values_per_layer
    naive = 2 * arch.kv_heads * arch.head_dim
    assert kv_bytes_per_token(arch) < arch.layers * naive * 2


def test_gemma_3_27b_is_sized_from_google_deepmind_code(cat: Catalog) -> None:
    """google-deepmind/gemma Gemma3_27B: 62 layers, 5376 wide, 32 heads of 128, 16 KV heads."""
    model = cat.models["google/gemma-3-27b-it"]
    arch = model.architecture
    assert arch is not None and model.parameters_b is not None
    assert (arch.layers, arch.hidden_size) == (62, 5376)
    assert (arch.attention_heads, arch.kv_heads) == (32, 16)
    assert (arch.head_dim, arch.sliding_window) == (128, 1024)
    assert cat.sources[arch.source].kind == "primary"


def test_kimi_k2_must_be_named_in_large_commercial_products(cat: Catalog) -> None:
    """Kimi K2 Modified MIT License: the one added condition."""
    lic = cat.licences["kimi-k2-modified-mit"]
    assert lic.kind == "open-weights"
    assert lic.terms.naming is not None
    assert "100 million monthly active users" in lic.terms.naming.clause
    assert '"Kimi K2"' in lic.terms.naming.clause
    assert lic.terms.commercial_use is not None and lic.terms.commercial_use.value == "allowed"
    assert cat.models["moonshotai/kimi-k2-instruct"].licence == "kimi-k2-modified-mit"


def test_deepseek_api_keeps_data_in_the_prc_and_never_in_the_eu(cat: Catalog) -> None:
    """DeepSeek privacy policy: personal data is collected, processed and stored in the PRC."""
    offerings = [o for o in cat.offerings.values() if o.provider == "deepseek"]
    assert offerings
    for off in offerings:
        assert off.regions is not None and off.regions.value == ["cn"], off.id
        assert off.terms == "deepseek-api-terms"


def test_deepseek_aliases_follow_the_api_change_log(cat: Catalog) -> None:
    """api-docs.deepseek.com/updates: V3.1 from 2025-08-21, V3.2-Exp from 2025-09-29 to 12-01."""
    v31 = cat.offerings["deepseek/deepseek-chat@v3.1"]
    exp = cat.offerings["deepseek/deepseek-reasoner@v3.2-exp"]
    assert v31.model == "deepseek/deepseek-v3.1" and v31.api_model_id == "deepseek-chat"
    assert v31.released is not None and v31.released.value == dt.date(2025, 8, 21)
    assert exp.model == "deepseek/deepseek-v3.2-exp" and exp.api_model_id == "deepseek-reasoner"
    assert exp.lifecycle is not None and exp.lifecycle.retires == dt.date(2025, 12, 1)


def test_deepseek_api_lets_outputs_train_other_models(cat: Catalog) -> None:
    """DeepSeek Open Platform Terms of Service §4.2(3): distillation is an allowed use."""
    term = cat.licences["deepseek-api-terms"].terms.output_training
    assert term is not None and term.value == "allowed"
    assert "model distillation" in term.clause


def test_mistral_medium_3_is_closed_and_priced_from_mistral_docs(cat: Catalog) -> None:
    """platform-docs-public mistral-medium-3-25-05.ts: $0.4 / $2, retired 2026-08-31."""
    model = cat.models["mistral/mistral-medium-3"]
    assert model.open_weights is False
    assert model.released is not None and model.released.value == dt.date(2025, 5, 7)
    off = cat.offerings["mistral/mistral-medium-2505"]
    assert off.model == "mistral/mistral-medium-3" and off.terms == "mistral-api-terms"
    assert [(p.input_per_1m, p.output_per_1m) for p in off.prices] == [(0.4, 2.0)]
    assert off.lifecycle is not None and off.lifecycle.retires == dt.date(2026, 8, 31)


def test_mistral_api_does_not_train_on_paid_inputs(cat: Catalog) -> None:
    """Mistral docs: 'API: data sent through the API isn't used for model training.'"""
    served = [o for o in cat.offerings.values() if o.provider == "mistral" and o.data is not None]
    assert served
    for off in served:
        assert off.data is not None and off.data.training_on_inputs is False, off.id
    term = cat.licences["mistral-api-terms"].terms.pass_through
    assert term is not None and term.value is True
    assert "with its End Users" in term.clause
