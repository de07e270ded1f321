"""The cost arithmetic, self-host sizing against published facts, and cost properties."""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from makebuy import cost, gate, options
from makebuy.load import LoadedCatalog, load_catalog
from makebuy.models.usecase import UseCase

from .helpers import assess_json, option, questionnaire


@cache
def builtin() -> LoadedCatalog:
    return load_catalog()


def test_api_cost_is_tokens_times_the_price_in_force(tmp_path: Path) -> None:
    # GPT-4o at $2.50 / $10 per 1M tokens (from 2024-08-06): 100k requests x (500 in, 200 out)
    # = 50M input ($125) + 20M output ($200) = $325 a month, flat for 12 months.
    path = questionnaire(
        tmp_path,
        volume={"horizon_months": 12, "growth_per_year": 0},
        candidates={"include": ["openai/gpt-4o"], "exclude": []},
    )
    report = assess_json(path, "--as-of", "2025-01-01")
    c = option(report, "buy:openai/gpt-4o-2024-08-06")["cost"]
    assert (c["input_per_1m_usd"], c["output_per_1m_usd"]) == (2.5, 10.0)
    assert c["monthly"] == [325.0] * 12
    assert c["total"] == pytest.approx(3900.0)
    assert c["per_million_tokens"] == pytest.approx(3900.0 / 840.0)


def test_gpt_4_is_priced_at_its_2023_list_price_in_2023(tmp_path: Path) -> None:
    path = questionnaire(tmp_path, volume={"horizon_months": 3})
    report = assess_json(path, "--as-of", "2023-09-01")
    c = option(report, "buy:openai/gpt-4-0613")["cost"]
    assert (c["input_per_1m_usd"], c["output_per_1m_usd"]) == (30.0, 60.0)
    c32 = option(report, "buy:openai/gpt-4-32k-0613")["cost"]
    assert (c32["input_per_1m_usd"], c32["output_per_1m_usd"]) == (60.0, 120.0)


def test_the_report_currency_converts_every_amount(tmp_path: Path) -> None:
    base = {"horizon_months": 12, "growth_per_year": 0}
    usd = assess_json(questionnaire(tmp_path, volume=base), "--as-of", "2025-01-01")
    eur = assess_json(
        questionnaire(tmp_path, volume=base, organisation={"currency": "EUR", "usd_to": 0.5}),
        "--as-of",
        "2025-01-01",
    )
    a = option(usd, "buy:openai/gpt-4o-2024-08-06")["cost"]["total"]
    b = option(eur, "buy:openai/gpt-4o-2024-08-06")["cost"]["total"]
    assert b == pytest.approx(a * 0.5)


def test_growth_compounds_monthly_to_the_yearly_rate(tmp_path: Path) -> None:
    path = questionnaire(tmp_path, volume={"horizon_months": 13, "growth_per_year": 0.5})
    report = assess_json(path, "--as-of", "2025-01-01")
    monthly = option(report, "buy:openai/gpt-4o-2024-08-06")["cost"]["monthly"]
    assert monthly[12] == pytest.approx(monthly[0] * 1.5, rel=1e-4)


def test_llama_2_70b_in_fp16_needs_at_least_two_80gb_a100s() -> None:
    # Published: 70B parameters x 2 bytes = 140 GB of weights, more than one 80 GB A100.
    cat = builtin().catalog
    uc = UseCase.model_validate(
        {
            "makebuy": 1,
            "name": "sizing",
            "task": {"context_tokens": 4096},
            "volume": {
                "requests_per_month": 1000,
                "input_tokens_per_request": 2000,
                "output_tokens_per_request": 500,
            },
        }
    )
    gpus = cost.gpu_price_table(cat, "any", "on-demand")
    a100 = gpus[gpus["gpu"] == "nvidia-a100-80gb"]
    sized = cost.size_make_options(uc, cat, ["meta/llama-2-70b-chat"], a100)
    assert sized["tp"].min() == 2
    h200 = gpus[gpus["gpu"] == "nvidia-h200"]
    assert cost.size_make_options(uc, cat, ["meta/llama-2-70b-chat"], h200)["tp"].min() == 2
    seven_b = cost.size_make_options(uc, cat, ["meta/llama-2-7b-chat"], a100)
    assert seven_b["tp"].min() == 1


def _usecase(requests: float, growth: float, horizon: int) -> UseCase:
    return UseCase.model_validate(
        {
            "makebuy": 1,
            "name": "property",
            "task": {"context_tokens": 3000},
            "volume": {
                "requests_per_month": requests,
                "input_tokens_per_request": 1000,
                "output_tokens_per_request": 300,
                "peak_requests_per_second": requests / 2.6e6 * 3,
                "growth_per_year": growth,
                "horizon_months": horizon,
            },
            "requirements": {"min_quality": 0},
        }
    )


def _totals(uc: UseCase) -> dict[str, float]:
    cat = builtin().catalog
    wanted = {"make:meta/llama-3.1-8b-instruct", "make:meta/llama-3.1-70b-instruct"}
    opts = [o for o in options.enumerate_options(cat) if o.id in wanted or o.kind != "make"]
    on = dt.date(2025, 1, 1)
    gated = [g for g in gate.gate(uc, cat, opts, on) if g.eligible]
    costed, _ = cost.cost_options(uc, cat, gated, on)
    return {c.gate.option.id: c.cost.total for c in costed if c.cost is not None}


@settings(max_examples=25, deadline=None)
@given(
    st.floats(1_000, 5e7),
    st.floats(1.01, 10),
    st.floats(0, 2),
    st.integers(1, 60),
)
def test_more_volume_never_lowers_total_cost(
    requests: float, factor: float, growth: float, horizon: int
) -> None:
    low = _totals(_usecase(requests, growth, horizon))
    high = _totals(_usecase(requests * factor, growth, horizon))
    assert low, "no option was costed"
    for option_id, total in low.items():
        if option_id in high:
            assert high[option_id] >= total - 1e-6, option_id
