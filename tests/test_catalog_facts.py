"""Facts of the built-in catalog pinned against the licence clauses and published prices.

Each test names the fact and where it comes from, so a change to the catalog that alters
one of them must also change this file (and say why in review). Wrong data is the worst
bug makebuy can have; these are the facts the examples' decisions turn on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from makebuy.environment import Environment, MockEnvironment, use_environment
from makebuy.load import load_catalog
from makebuy.models.catalog import Catalog, Offering, Price

from .conftest import SHIPPED_VARIABLES


@pytest.fixture(autouse=True, scope="module")
def environment() -> Iterator[Environment]:
    """These tests are about the shipped catalog itself, not the frozen fixture (module
    scope: the module's catalog fixtures are built inside it)."""
    with use_environment(MockEnvironment(width=100, variables=SHIPPED_VARIABLES)) as env:
        yield env


@pytest.fixture(scope="module")
def cat() -> Catalog:
    return load_catalog().catalog


def price_on(offering: Offering, day: dt.date) -> Price:
    [price] = [
        p
        for p in offering.prices
        if p.effective_from <= day and (p.effective_to is None or day < p.effective_to)
    ]
    return price


# ---------------------------------------------------------------- licences


def test_llama_2_needs_a_separate_licence_above_700_million_monthly_users(cat: Catalog) -> None:
    """Llama 2 licence, section 2 (Additional Commercial Terms)."""
    terms = cat.licences["llama2-community"].terms
    assert terms.mau_cap is not None and terms.mau_cap.value == 700_000_000
    assert "700 million monthly active users" in terms.mau_cap.clause
    assert "request a license from Meta" in terms.mau_cap.clause
    assert terms.commercial_use is not None and terms.commercial_use.value == "conditional"
    for model in ("llama-2-7b-chat", "llama-2-13b-chat", "llama-2-70b-chat"):
        assert cat.models[f"meta/{model}"].licence == "llama2-community"


def test_llama_2_outputs_may_not_improve_another_model(cat: Catalog) -> None:
    """Llama 2 licence, section 1.b.v."""
    term = cat.licences["llama2-community"].terms.output_training
    assert term is not None and term.value == "forbidden"
    assert term.clause.startswith(
        "You will not use the Llama Materials or any output or results of the Llama Materials"
        " to improve any other large language model"
    )


def test_llama_3_1_derivatives_must_start_their_name_with_llama(cat: Catalog) -> None:
    """Llama 3.1 licence, section 1.b.i: the naming duty (and outputs may train models)."""
    terms = cat.licences["llama3.1-community"].terms
    assert terms.naming is not None
    assert "include “Llama” at the beginning of any such AI model name" in terms.naming.clause
    assert terms.output_training is not None and terms.output_training.value == "allowed"
    assert terms.attribution is not None and "Built with Llama" in terms.attribution.value
    assert cat.models["meta/llama-3.1-70b-instruct"].licence == "llama3.1-community"


def test_falcon_180b_hosting_use_needs_a_separate_licence(cat: Catalog) -> None:
    """Falcon-180B TII licence 1.0: 'Hosting Use' (sections 1 and 9)."""
    term = cat.licences["falcon-180b-tii"].terms.hosting_service
    assert term is not None and term.value == "separate-licence"
    # Verbatim, including the source's mixed quote marks around "Hosting Use”.
    assert 'Subject to section 9.2, "Hosting Use” means any use of the Work' in term.clause
    assert "inference or finetuning API form" in term.clause
    assert cat.models["tii/falcon-180b-chat"].licence == "falcon-180b-tii"


def test_mpt_7b_chat_is_licensed_for_non_commercial_use_only(cat: Catalog) -> None:
    """MPT-7B-Chat model card: CC-By-NC-SA-4.0, unlike Apache-2.0 MPT-7B and -Instruct."""
    assert cat.models["mosaicml/mpt-7b-chat"].licence == "cc-by-nc-sa-4.0"
    lic = cat.licences["cc-by-nc-sa-4.0"]
    assert lic.spdx == "CC-BY-NC-SA-4.0"
    assert lic.terms.commercial_use is not None
    assert lic.terms.commercial_use.value == "forbidden"
    assert "NonCommercial purposes only" in lic.terms.commercial_use.clause
    assert lic.terms.share_alike is not None and lic.terms.share_alike.value is True
    assert cat.models["mosaicml/mpt-7b"].licence == "apache-2.0"


def test_every_open_weight_model_has_an_open_weights_licence(cat: Catalog) -> None:
    for model in cat.models.values():
        if model.open_weights:
            assert model.licence is not None
            assert cat.licences[model.licence].kind == "open-weights", model.id


# ---------------------------------------------------------------- prices


def test_gpt_4_cost_30_and_60_dollars_per_million_tokens_in_2023(cat: Catalog) -> None:
    """OpenAI pricing at GPT-4's launch (2023-03-14): $0.03 / $0.06 per 1K tokens (8K
    context), $0.06 / $0.12 for the 32K context."""
    day = dt.date(2023, 9, 1)
    for offering in ("openai/gpt-4", "openai/gpt-4-0613"):
        p = price_on(cat.offerings[offering], day)
        assert (p.input_per_1m, p.output_per_1m) == (30.0, 60.0)
    p = price_on(cat.offerings["openai/gpt-4-32k"], day)
    assert (p.input_per_1m, p.output_per_1m) == (60.0, 120.0)


def test_gpt_4o_launched_at_5_and_15_and_fell_to_2_50_and_10(cat: Catalog) -> None:
    """GPT-4o launch price (2024-05-13), then the alias moved to gpt-4o-2024-08-06 pricing."""
    gpt4o = cat.offerings["openai/gpt-4o"]
    launch = price_on(gpt4o, dt.date(2024, 6, 1))
    assert (launch.input_per_1m, launch.output_per_1m) == (5.0, 15.0)
    now = price_on(gpt4o, dt.date(2025, 6, 1))
    assert (now.input_per_1m, now.output_per_1m) == (2.5, 10.0)


def test_gpt_4_1_lists_at_2_and_8_dollars(cat: Catalog) -> None:
    """OpenAI GPT-4.1 launch post (2025-04-14): $2.00 input, $8.00 output per 1M tokens."""
    p = price_on(cat.offerings["openai/gpt-4.1"], dt.date(2025, 6, 1))
    assert (p.input_per_1m, p.output_per_1m) == (2.0, 8.0)


@pytest.mark.parametrize(
    ("offering", "day", "price"),
    [
        ("anthropic/claude-3-opus-20240229", dt.date(2025, 7, 1), (15.0, 75.0)),
        ("anthropic/claude-3-5-sonnet-20240620", dt.date(2024, 12, 1), (3.0, 15.0)),
        ("anthropic/claude-3-haiku-20240307", dt.date(2024, 12, 1), (0.25, 1.25)),
    ],
)
def test_claude_3_list_prices(
    cat: Catalog, offering: str, day: dt.date, price: tuple[float, float]
) -> None:
    """Anthropic's published per-1M-token prices for the Claude 3 family."""
    p = price_on(cat.offerings[offering], day)
    assert (p.input_per_1m, p.output_per_1m) == price


def test_llama_2_70b_has_the_published_shape(cat: Catalog) -> None:
    """meta-llama/Llama-2-70b-chat-hf config.json: 80 layers, 64 heads, 8 KV heads, 4096."""
    m = cat.models["meta/llama-2-70b-chat"]
    assert m.architecture is not None
    arch = m.architecture
    assert (arch.layers, arch.hidden_size, arch.attention_heads, arch.kv_heads) == (
        80,
        8192,
        64,
        8,
    )
    assert m.context_tokens is not None and m.context_tokens.value == 4096


def test_h100_has_80_gb(cat: Catalog) -> None:
    assert cat.gpus["nvidia-h100-80gb"].memory_gb.value == 80


# ---------------------------------------------------------------- regions, data terms, lifecycles


def test_openai_eu_data_residency_covers_only_the_listed_snapshots(cat: Catalog) -> None:
    """OpenAI's data-residency FAQ lists snapshots (gpt-4o-2024-08-06, gpt-4o-mini-2024-07-18,
    ...) for Europe; the undated aliases inherit it only as an unverified reading."""
    listed = cat.offerings["openai/gpt-4o-2024-08-06"].regions
    assert listed is not None and listed.value == ["us", "eu"] and listed.status == "verified"
    alias = cat.offerings["openai/gpt-4o"].regions
    assert alias is not None and alias.status == "unverified"
    assert cat.offerings["openai/gpt-4o-2024-05-13"].regions is None
    assert cat.offerings["openai/gpt-4.1"].regions is None


def test_bedrock_does_not_train_on_or_keep_prompts(cat: Catalog) -> None:
    """Amazon Bedrock data protection: prompts and completions are not stored or used to train."""
    bedrock = [o for o in cat.offerings.values() if o.provider == "aws-bedrock"]
    assert bedrock
    for off in bedrock:
        assert off.data is not None, off.id
        assert (off.data.training_on_inputs, off.data.retention_days) == (False, 0), off.id


def test_claude_3_haiku_was_retired_in_april_2026(cat: Catalog) -> None:
    """Anthropic's model deprecations page: claude-3-haiku-20240307 deprecated February 19,
    retired April 20, 2026 (a third-party post had April 19)."""
    life = cat.offerings["anthropic/claude-3-haiku-20240307"].lifecycle
    assert life is not None and life.retires == dt.date(2026, 4, 20)


def test_gpt_4_and_gpt_3_5_turbo_shut_down_on_2026_10_23(cat: Catalog) -> None:
    """OpenAI deprecations, 2026-04-22 announcement: gpt-4-0613 (and the gpt-4 alias) and
    gpt-3.5-turbo-0125 (and its alias) shut down on 2026-10-23."""
    for offering in ("openai/gpt-4", "openai/gpt-4-0613", "openai/gpt-3.5-turbo-0125"):
        life = cat.offerings[offering].lifecycle
        assert life is not None and life.retires == dt.date(2026, 10, 23), offering


def test_h100_hourly_prices_on_the_three_hyperscalers(cat: Catalog) -> None:
    """AWS p5.48xlarge $55.04/h, Azure ND96isr H100 v5 $98.32/h, GCP a3-highgpu-8g $88.49/h,
    each for 8 GPUs; stored per GPU-hour."""
    prices = {(p.cloud, p.commitment): p for p in cat.gpus["nvidia-h100-80gb"].prices}
    assert prices[("aws", "on-demand")].usd_per_gpu_hour == pytest.approx(55.04 / 8)
    assert prices[("azure", "on-demand")].usd_per_gpu_hour == pytest.approx(98.32 / 8)
    assert prices[("azure", "on-demand")].status == "unverified"
    assert prices[("gcp", "on-demand")].usd_per_gpu_hour == pytest.approx(88.49 / 8, rel=1e-4)
    assert (
        prices[("gcp", "reserved-3y")].usd_per_gpu_hour
        < prices[("gcp", "on-demand")].usd_per_gpu_hour
    )
