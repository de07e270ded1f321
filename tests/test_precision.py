"""Precision and attention in sizing (issue 12, item 2): models are sized in the precisions
they are published in (gpt-oss in MXFP4), plus the quantisations the questionnaire allows;
sliding-window layers hold at most their window of KV cache."""

from __future__ import annotations

import datetime as dt
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from makebuy import cost, gate, options, sizing
from makebuy.load import LoadedCatalog, load_catalog
from makebuy.models.catalog import Architecture
from makebuy.models.usecase import UseCase

GB = 1e9


@cache
def builtin() -> LoadedCatalog:
    return load_catalog()


def test_gpt_oss_is_sized_in_mxfp4_and_fits_where_openai_says() -> None:
    # OpenAI's model card: MoE weights in MXFP4 (4.25 bits), 90+% of the parameters; the
    # 20b runs within 16 GB of memory, the 120b on a single 80 GB GPU.
    cat = builtin().catalog
    small, large = cat.models["openai/gpt-oss-20b"], cat.models["openai/gpt-oss-120b"]
    assert sizing.serving_precisions(small, "bf16") == ["mxfp4"]
    assert sizing.model_weight_bytes(small, "mxfp4") / GB == pytest.approx(12.8, abs=0.3)
    assert sizing.model_weight_bytes(small, "mxfp4") < 16 * GB
    assert sizing.model_weight_bytes(large, "mxfp4") / GB == pytest.approx(64.3, abs=1)
    h100 = cat.gpus["nvidia-h100-80gb"]
    assert sizing.min_gpus(sizing.model_weight_bytes(large, "mxfp4"), h100.memory_gb.value) == 1
    # In bf16 it would be 42 GB: the size the issue found the old sizing using.
    assert sizing.model_weight_bytes(small, "bf16") / GB == pytest.approx(41.8, abs=0.1)


def test_gemma_3_keeps_a_full_kv_cache_on_one_layer_in_six() -> None:
    # Gemma 3 12B: 48 layers, 40 of them local with a 1,024-token window.
    arch = builtin().catalog.models["google/gemma-3-12b-it"].architecture
    assert arch is not None
    full = sizing.kv_bytes_per_token(arch) * 131_072
    windowed = sizing.kv_cache_bytes(arch, 131_072)
    assert full / windowed == pytest.approx(48 / (8 + 40 * 1024 / 131_072), rel=1e-9)
    assert full / windowed > 5


archs = st.builds(
    lambda layers, frac, window, kv: Architecture(
        layers=layers,
        hidden_size=1024,
        attention_heads=8,
        kv_heads=kv,
        head_dim=64,
        source="s",
        as_of=dt.date(2025, 1, 1),
        sliding_window=window,
        sliding_window_layers=int(layers * frac),
    ),
    st.integers(1, 128),
    st.floats(0, 1),
    st.integers(1, 100_000),
    st.integers(1, 16),
)


@settings(max_examples=200, deadline=None)
@given(archs, st.integers(1, 1_000_000), st.integers(1, 1_000_000))
def test_a_sliding_window_cache_grows_with_tokens_and_never_beyond_full_attention(
    arch: Architecture, a: int, b: int
) -> None:
    short, long = sorted((a, b))
    full = sizing.kv_bytes_per_token(arch)
    assert sizing.kv_cache_bytes(arch, short) <= sizing.kv_cache_bytes(arch, long)
    assert sizing.kv_cache_bytes(arch, long) <= full * long * (1 + 1e-12)
    if arch.sliding_window is not None and long <= arch.sliding_window:
        assert sizing.kv_cache_bytes(arch, long) == pytest.approx(full * long)


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(list(sizing.BYTES_PER_PARAMETER)),
    st.floats(0, 1e3),
    st.floats(0, 1e3),
    st.floats(0.001, 1),
    st.integers(1, 4096),
)
def test_weights_read_in_a_pass_never_exceed_the_weights_held(
    precision: str, shared: float, routed: float, share: float, tokens: int
) -> None:
    split = (shared, routed, share)
    held = 1e9 * (
        shared * sizing.bytes_per_weight(precision, routed=False)
        + routed * sizing.bytes_per_weight(precision)
    )
    read = sizing.weight_read_bytes(split, tokens, precision)
    assert read <= held * (1 + 1e-12)
    floor = 1e9 * shared * sizing.bytes_per_weight(precision, routed=False)
    assert read >= floor * (1 - 1e-12)


def test_quantisation_is_added_only_below_a_16_or_8_bit_checkpoint() -> None:
    cat = builtin().catalog
    llama = cat.models["meta/llama-3.1-8b-instruct"]
    assert sizing.serving_precisions(llama, "bf16") == ["bf16"]
    assert sizing.serving_precisions(llama, "bf16", ["fp8", "int4"]) == ["bf16", "fp8", "int4"]
    oss = cat.models["openai/gpt-oss-20b"]
    assert sizing.serving_precisions(oss, "bf16", ["fp8", "int8", "int4"]) == ["mxfp4"]


def _make_totals(quantisation: list[str]) -> tuple[dict[str, float], list[str]]:
    uc = UseCase.model_validate(
        {
            "makebuy": 1,
            "name": "quantised",
            "task": {"context_tokens": 4096},
            "volume": {
                "requests_per_month": 2e6,
                "input_tokens_per_request": 1000,
                "output_tokens_per_request": 300,
            },
            "requirements": {"min_quality": 0, "quantisation": quantisation},
            "organisation": {"cloud": "aws"},
        }
    )
    cat = builtin().catalog
    wanted = {"make:meta/llama-3.1-8b-instruct", "make:meta/llama-3.3-70b-instruct"}
    opts = [o for o in options.enumerate_options(cat) if o.id in wanted]
    on = dt.date(2026, 12, 1)
    gated = [g for g in gate.gate(uc, cat, opts, on) if g.eligible]
    sized = cost.make_capacity(uc, cat, gated)
    costed, notes = cost.cost_options(uc, cat, gated, on, sized)
    totals = {c.gate.option.id: c.cost.total for c in costed if c.cost is not None}
    return totals, [a.field for a in notes]


def test_allowing_quantisation_never_raises_a_make_cost_and_is_listed_as_an_assumption() -> None:
    plain, plain_notes = _make_totals([])
    quantised, notes = _make_totals(["fp8", "int8", "int4"])
    assert plain
    for option_id, total in plain.items():
        assert quantised[option_id] <= total + 1e-6
    assert "cost.quantisation_quality" in notes
    assert "cost.quantisation_quality" not in plain_notes
