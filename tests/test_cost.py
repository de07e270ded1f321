"""The cost arithmetic, self-host sizing against published facts, and cost properties."""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from makebuy import capacity, cost, gate, options
from makebuy.load import LoadedCatalog, load_catalog
from makebuy.models.usecase import UseCase

from .conftest import EXAMPLES
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
    gpus = capacity.gpu_price_table(cat, "any", "on-demand")
    a100 = gpus[gpus["gpu"] == "nvidia-a100-80gb"]
    sized = capacity.size_make_options(
        uc, cat, ["meta/llama-2-70b-chat"], a100, "bf16", cost.DEFAULT_PARAMETERS
    )
    assert sized["tp"].min() == 2
    h200 = gpus[gpus["gpu"] == "nvidia-h200"]
    assert (
        capacity.size_make_options(
            uc, cat, ["meta/llama-2-70b-chat"], h200, "bf16", cost.DEFAULT_PARAMETERS
        )["tp"].min()
        == 2
    )
    seven_b = capacity.size_make_options(
        uc, cat, ["meta/llama-2-7b-chat"], a100, "bf16", cost.DEFAULT_PARAMETERS
    )
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
    sized = cost.make_capacity(uc, cat, gated)
    costed, _ = cost.cost_options(uc, cat, gated, on, sized)
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


# ---------------------------------------------------------------- make: measured speed, per 1M


def _a10g_usecase() -> UseCase:
    return UseCase.model_validate(
        {
            "makebuy": 1,
            "name": "measured",
            "volume": {
                "requests_per_month": 1e6,
                "input_tokens_per_request": 500,
                "output_tokens_per_request": 250,
                "peak_requests_per_second": 2,
            },
            "organisation": {"cloud": "aws"},
        }
    )


def test_a_published_measurement_replaces_the_roofline_for_its_configuration() -> None:
    # TGI 1.0.3 on 4x A10G served Llama 2 7B at 449.94 output tokens/s with 20 concurrent
    # requests (Hugging Face SageMaker benchmark): that row uses the measurement.
    uc = _a10g_usecase()
    gpus = capacity.gpu_price_table(builtin().catalog, "aws", "on-demand")
    sized = capacity.size_make_options(
        uc,
        builtin().catalog,
        ["meta/llama-2-7b-chat"],
        gpus[gpus["gpu"] == "nvidia-a10g"],
        "bf16",
        cost.DEFAULT_PARAMETERS,
    )
    row = sized[(sized["tp"] == 4) & (sized["batch"] == 20)].iloc[0]
    assert row["throughput_basis"] == "measured"
    assert row["measured_id"] == "tgi-llama-2-7b-4xa10g-c20"
    assert row["decode_tokens_per_s"] == pytest.approx(449.94)
    # requests/s: this use case's estimated prefill plus the measured decode of 250 tokens
    assert row["capacity_rps"] == pytest.approx(1 / (row["prefill_s"] + 250 / 449.94))
    assert row["capacity_rps"] < 449.94 / 250
    assert row["step_s"] == pytest.approx(0.044)  # the measured 44 ms between tokens
    others = sized[(sized["tp"] == 4) & (sized["batch"] == 16)].iloc[0]
    assert others["throughput_basis"] == "estimated"


def test_make_costs_split_into_input_and_output_per_million_tokens() -> None:
    report = assess_json(EXAMPLES / "ticket-routing-high-volume.yaml")
    vol = {"in": 600, "out": 20}
    makes = [o for o in report["options"] if o["kind"] == "make" and o["cost"]]
    assert makes
    for o in makes:
        c = o["cost"]
        monthly_requests_total = sum(30_000_000 * 1.3 ** (m / 12) for m in range(len(c["monthly"])))
        rebuilt = (
            c["input_per_1m_usd"] * monthly_requests_total * vol["in"] / 1e6
            + c["output_per_1m_usd"] * monthly_requests_total * vol["out"] / 1e6
        )
        assert rebuilt == pytest.approx(c["total"], rel=1e-6)
        assert 0 < c["utilisation"] <= 1
        assert c["throughput_basis"] in ("measured", "estimated")
        gpus_line = next(x for x in c["breakdown"] if x["item"] == "gpus")["detail"]
        said = "roofline estimate" if c["throughput_basis"] == "estimated" else "measured:"
        assert said in gpus_line


def test_every_make_estimate_is_reported_as_an_assumption() -> None:
    report = assess_json(EXAMPLES / "claims-summaries-regulated.yaml")
    fields = {a["field"] for a in report["assumptions"] if a["origin"] == "estimate"}
    for name in (
        "serving_precision",
        "bandwidth_efficiency",
        "compute_efficiency",
        "tensor_parallel_efficiency",
        "memory_fraction",
        "kv_bytes_per_value",
        "throughput",
    ):
        assert f"cost.{name}" in fields


# ---------------------------------------------------------------- break-even


def test_ticket_routing_reports_where_make_and_buy_cross() -> None:
    report = assess_json(EXAMPLES / "ticket-routing-high-volume.yaml")
    pairs = {(b["make"], b["versus"]): b for b in report["break_even"]}
    assert pairs, "no break-even in the report"
    best_make = next(o["id"] for o in report["options"] if o["kind"] == "make" and o["rank"])
    best_buy = next(o["id"] for o in report["options"] if o["kind"] == "buy" and o["rank"])
    b = pairs[(best_make, best_buy)]
    assert b["requests_per_month"] > 0
    assert b["tokens_per_month"] == pytest.approx(b["requests_per_month"] * 620, rel=1e-6)
    series = b["series"]
    assert len(series) >= 20
    assert [p["requests_per_month"] for p in series] == sorted(
        p["requests_per_month"] for p in series
    )
    for p in series:
        make, api = p["monthly_cost"][best_make], p["monthly_cost"][best_buy]
        if p["requests_per_month"] > b["requests_per_month"] * 1.0001:
            assert make <= api, p
    at = next(p for p in series if p["requests_per_month"] == b["requests_per_month"])
    assert at["monthly_cost"][best_make] == pytest.approx(at["monthly_cost"][best_buy], rel=1e-3)


def test_the_report_says_plainly_when_costs_never_cross() -> None:
    # 2,000 long requests a month: self-hosting never gets cheaper than a frontier API.
    report = assess_json(EXAMPLES / "contract-analysis-low-volume.yaml")
    assert report["break_even"]
    for b in report["break_even"]:
        assert b["requests_per_month"] is None and b["tokens_per_month"] is None
        assert "never becomes cheaper" in b["statement"]
        first, last = b["series"][0], b["series"][-1]
        for p in (first, last):
            assert p["monthly_cost"][b["make"]] > p["monthly_cost"][b["versus"]]


def test_api_cost_is_linear_in_volume_in_the_series() -> None:
    report = assess_json(EXAMPLES / "ticket-routing-high-volume.yaml")
    for b in report["break_even"]:
        per_request = {
            round(p["monthly_cost"][b["versus"]] / p["requests_per_month"], 9) for p in b["series"]
        }
        assert max(per_request) == pytest.approx(min(per_request), rel=1e-3)


@settings(max_examples=15, deadline=None)
@given(st.floats(1e4, 1e8), st.floats(0.2, 20))
def test_break_even_is_where_make_stays_cheaper(requests: float, peak_factor: float) -> None:
    from makebuy import breakeven
    from makebuy.models.result import Cost, CostLine, OptionResult

    cat = builtin().catalog
    uc = _usecase(requests, 0.0, 12).model_copy(
        update={
            "volume": _usecase(requests, 0.0, 12).volume.model_copy(
                update={"peak_requests_per_second": requests / 2.6e6 * peak_factor}
            )
        }
    )

    def result(oid: str, kind: str, c: Cost) -> OptionResult:
        return OptionResult(
            id=oid, model="meta/llama-3.1-8b-instruct", model_name="m", kind=kind,
            provider="p", offering=None, licence=None, terms=None, title=oid,
            status="eligible", exclusions=[], obligations=[], quality=50, cost=c,
            criteria={}, score=1.0, rank=1 if kind == "make" else 2,
        )  # fmt: skip

    make_cost = Cost(
        currency="USD", total=12 * 9000.0, monthly=[9000.0] * 12, per_million_tokens=1.0,
        breakdown=[CostLine(item="gpus", total=12 * 1500.0, detail=""),
                   CostLine(item="operations", total=12 * 7500.0, detail="", fixed=True)],
    )  # fmt: skip
    api_cost = Cost(
        currency="USD", total=1.0, monthly=[1.0] * 12, per_million_tokens=1.0, breakdown=[],
        input_per_1m_usd=0.5, output_per_1m_usd=1.5,
    )  # fmt: skip
    results = [result("make:x", "make", make_cost), result("buy:y", "buy", api_cost)]
    sized = capacity.capacity(
        uc, cat, ["meta/llama-3.1-8b-instruct"], "bf16", cost.DEFAULT_PARAMETERS
    )
    [b], _ = breakeven.break_even(uc, results, sized)
    if b.requests_per_month is None:
        assert "never" in b.statement
        return
    for p in b.series:
        if p.requests_per_month > b.requests_per_month * 1.0001:
            assert p.monthly_cost["make:x"] <= p.monthly_cost["buy:y"] + 1e-6


@pytest.mark.parametrize("example", [p.name for p in sorted(EXAMPLES.glob("*.yaml"))])
def test_every_example_report_shows_its_break_even(cli, example: str) -> None:  # type: ignore[no-untyped-def]
    result = cli("assess", EXAMPLES / example, "--format", "markdown")
    assert result.exit_code == 0, result.stderr
    section = result.stdout.split("## Break-even", 1)
    assert len(section) == 2, "no break-even section"
    first = section[1].strip().splitlines()[0]
    assert any(
        words in first
        for words in (
            "cheaper than",
            "never becomes cheaper",
            "no API to break",
            # owned-gpu-servers on the frozen fixture catalog, which lists no server to buy
            "No self-hosted option survived",
        )
    ), first


def test_with_no_api_left_the_report_says_there_is_nothing_to_break_even_against() -> None:
    report = assess_json(EXAMPLES / "claims-summaries-regulated.yaml")
    assert report["break_even"] == []
    assert "No buy or rent option survived the gate" in report["break_even_note"]


def test_the_gpu_hour_price_keeps_its_json_key_and_saved_reports_still_load() -> None:
    """Python says usd_per_gpu_hour, as the catalog does; the JSON key stays gpu_hour_usd
    until the next schema version, and a report saved under either key loads."""
    from makebuy.models.result import Cost

    fields = {"currency": "USD", "total": 1.0, "monthly": [1.0], "per_million_tokens": 1.0}
    dumped = Cost(**fields, breakdown=[], usd_per_gpu_hour=2.5).model_dump(mode="json")
    assert dumped["gpu_hour_usd"] == 2.5 and "usd_per_gpu_hour" not in dumped
    for key in ("gpu_hour_usd", "usd_per_gpu_hour"):
        saved = {**fields, "breakdown": [], key: 3.0}
        assert Cost.model_validate(saved).usd_per_gpu_hour == 3.0
