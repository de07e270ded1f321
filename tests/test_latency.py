"""Latency for every option (issue 12, item 3): default targets from the task kind, make
options held to them by the roofline's time to first token and per-token time (the batch
is capped), buy and rent options checked against the catalog's latency figure where it
has one, and said to be unchecked where it has none."""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from makebuy import capacity, cost
from makebuy.load import LoadedCatalog, load_catalog
from makebuy.models.catalog import OfferingLatency
from makebuy.models.usecase import UseCase

from .conftest import EXAMPLES
from .helpers import assess_json, questionnaire


@cache
def builtin() -> LoadedCatalog:
    return load_catalog()


def _usecase(**requirements: object) -> UseCase:
    return UseCase.model_validate(
        {
            "makebuy": 1,
            "name": "latency",
            "task": {"context_tokens": 4096},
            "volume": {
                "requests_per_month": 1e6,
                "input_tokens_per_request": 1000,
                "output_tokens_per_request": 400,
            },
            "requirements": requirements,
            "organisation": {"cloud": "aws"},
        }
    )


@cache
def _grid() -> pd.DataFrame:
    # No targets at all: every feasible batch, so targets can be applied afterwards.
    uc = _usecase()
    cat = builtin().catalog
    prices = capacity.gpu_price_table(cat, "aws", "on-demand")
    return capacity.size_make_options(
        uc, cat, ["meta/llama-3.1-8b-instruct"], prices, "bf16", cost.DEFAULT_PARAMETERS
    )


def _best_capacity(ttft: int, speed: float) -> pd.Series:
    grid = _grid()
    ok = capacity.meets_latency_targets(
        _usecase(max_time_to_first_token_ms=ttft, min_output_tokens_per_s=speed),
        grid["ttft_ms"],
        1e3 / grid["ms_per_output_token"],
        grid["latency_ms"],
    )
    return grid[ok].groupby(["gpu", "tp"])["capacity_rps"].max()


@settings(max_examples=60, deadline=None)
@given(st.integers(10, 60_000), st.floats(1, 200), st.floats(0.1, 1), st.floats(1, 5))
def test_a_tighter_target_never_raises_what_a_replica_can_serve(
    ttft: int, speed: float, ttft_factor: float, speed_factor: float
) -> None:
    loose = _best_capacity(ttft, speed)
    tight = _best_capacity(max(1, int(ttft * ttft_factor)), speed * speed_factor)
    for key, rps in tight.items():
        assert rps <= loose[key] + 1e-9


def test_a_speed_target_caps_the_batch_where_throughput_alone_would_not() -> None:
    grid = _grid()
    unlimited = capacity.best_configurations(grid).set_index(["gpu", "tp"])["batch"]
    best = capacity.best_configurations(
        grid.assign(
            meets_latency=capacity.meets_latency_targets(
                _usecase(max_time_to_first_token_ms=2000, min_output_tokens_per_s=60),
                grid["ttft_ms"],
                1e3 / grid["ms_per_output_token"],
                grid["latency_ms"],
            )
        )
    )
    assert not best.empty
    assert (best["ttft_ms"] <= 2000).all()
    assert (1e3 / best["ms_per_output_token"] >= 60).all()
    capped = best.set_index(["gpu", "tp", "precision"])["batch"].droplevel("precision")
    assert (capped <= unlimited.loc[capped.index]).all()
    assert (capped < unlimited.loc[capped.index]).any()


@pytest.mark.parametrize(
    ("kind", "ttft", "speed"), [("chat", "2,000", "20"), ("summarisation", "30,000", "5")]
)
def test_default_targets_come_from_the_task_kind_and_are_listed(
    tmp_path: Path, kind: str, ttft: str, speed: str
) -> None:
    report = assess_json(questionnaire(tmp_path, task={"kind": kind}))
    notes = {a["field"]: a for a in report["assumptions"]}
    assert notes["requirements.max_time_to_first_token_ms"]["value"] == ttft
    assert notes["requirements.min_output_tokens_per_s"]["value"] == speed
    assert notes["requirements.max_time_to_first_token_ms"]["origin"] == "default"


def test_a_stated_target_is_not_replaced_by_the_default(tmp_path: Path) -> None:
    path = questionnaire(tmp_path, requirements={"max_time_to_first_token_ms": 500})
    report = assess_json(path)
    fields = {a["field"] for a in report["assumptions"]}
    assert "requirements.max_time_to_first_token_ms" not in fields


def test_an_api_is_held_to_its_catalog_latency_figure() -> None:
    # A synthetic figure (not catalog data): 3 s to the first token misses a 2 s target.
    offering = builtin().catalog.offerings["groq/openai/gpt-oss-20b"]
    slow = OfferingLatency(
        ttft_ms=3000, output_tokens_per_s=50, source="s", as_of=dt.date(2026, 1, 1)
    )
    fast = OfferingLatency(
        ttft_ms=300, output_tokens_per_s=500, source="s", as_of=dt.date(2026, 1, 1)
    )
    uc = _usecase(max_time_to_first_token_ms=2000, min_output_tokens_per_s=20)
    miss = cost.api_latency_miss(uc, offering.model_copy(update={"latency": slow}))
    assert miss is not None and "first token 3,000 ms" in miss and "2,000 ms" in miss
    assert cost.api_latency_miss(uc, offering.model_copy(update={"latency": fast})) is None
    # 400 tokens at 50 tokens/s plus 300 ms: 8.3 s, above an 8 s whole-answer target.
    whole = _usecase(max_latency_p95_ms=8000)
    medium = OfferingLatency(
        ttft_ms=300, output_tokens_per_s=50, source="s", as_of=dt.date(2026, 1, 1)
    )
    assert cost.api_latency_miss(whole, offering.model_copy(update={"latency": medium}))
    assert cost.api_latency_miss(uc, offering) is None  # no figure: not checked, not excluded


def test_every_option_of_the_example_states_its_latency_or_that_it_is_unchecked() -> None:
    report = assess_json(EXAMPLES / "internal-assistant-self-hosted.yaml")
    costed = [o for o in report["options"] if o["cost"] and o["kind"] != "hybrid"]
    assert {o["kind"] for o in costed} >= {"make", "rent"}
    for o in costed:
        c = o["cost"]
        if o["kind"] == "make":
            assert c["time_to_first_token_ms"] <= 2000
            assert c["output_tokens_per_s"] >= 20
            assert c["latency_source"] in ("roofline", "measured")
        elif c["latency_source"] is None:
            line = next(x for x in c["breakdown"] if x["item"] == "output_tokens")["detail"]
            assert "latency not checked" in line
    notes = {a["field"] for a in report["assumptions"]}
    assert {"cost.latency", "cost.api_latency", "cost.quantisation_quality"} <= notes
