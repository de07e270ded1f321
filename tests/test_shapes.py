"""Replicas on real instance shapes (issue 12, item 1): a tensor-parallel group of N GPUs
runs on the cheapest priced shape with at least N GPUs of its type and pays the whole
instance; a per-GPU rental hosts any N; a combination no row can host is never chosen."""

from __future__ import annotations

import re
from functools import cache

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from makebuy import capacity, cost, sizing
from makebuy.load import LoadedCatalog, load_catalog
from makebuy.models.usecase import UseCase

from .conftest import EXAMPLES
from .helpers import assess_json, option

TP = (1, 2, 4, 8)


@cache
def builtin() -> LoadedCatalog:
    return load_catalog()


def _rows(draw_rows: list[tuple[int | None, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "gpu": "g",
                "cloud": f"c{i}",
                "instance": None if n is None else f"shape{i} ({n} GPUs)",
                "gpus_per_instance": float("nan") if n is None else float(n),
                "usd_per_gpu_hour": rate,
                "source": f"s{i}",
                "as_of": None,
            }
            for i, (n, rate) in enumerate(draw_rows)
        ],
        columns=list(sizing.PRICE_ROW_COLUMNS),
    )


price_rows = st.lists(
    st.tuples(st.sampled_from([None, 1, 2, 4, 8]), st.floats(0.1, 100)), min_size=1, max_size=6
)


@settings(max_examples=200, deadline=None)
@given(price_rows)
def test_a_replica_takes_the_cheapest_row_that_holds_it_and_pays_the_whole_instance(
    rows: list[tuple[int | None, float]],
) -> None:
    placed = sizing.place_replicas(_rows(rows), TP).set_index("tp")
    for tp in TP:
        # Brute force: every row that can hold tp GPUs alone, priced as a whole instance.
        hosts = [rate * (tp if n is None else n) for n, rate in rows if n is None or n >= tp]
        if not hosts:
            assert tp not in placed.index  # never chosen
            continue
        row = placed.loc[tp]
        assert row["replica_usd_per_hour"] == pytest.approx(min(hosts))
        shape = row["gpus_per_instance"]
        assert pd.isna(shape) or shape >= tp
        # the replica never costs less than its own GPUs at the row's rate
        assert row["replica_usd_per_hour"] >= tp * row["usd_per_gpu_hour"] - 1e-9


@settings(max_examples=100, deadline=None)
@given(price_rows, st.floats(0.1, 100))
def test_a_cheaper_row_never_raises_a_replica_price(
    rows: list[tuple[int | None, float]], extra_rate: float
) -> None:
    before = sizing.place_replicas(_rows(rows), TP).set_index("tp")["replica_usd_per_hour"]
    after = sizing.place_replicas(_rows([*rows, (None, extra_rate)]), TP).set_index("tp")
    for tp, price in before.items():
        assert after.loc[tp, "replica_usd_per_hour"] <= price + 1e-9


def test_a_single_gpu_shape_cannot_host_a_tensor_parallel_group() -> None:
    # Only g5.xlarge (1 GPU) at $1.006: TP 2-8 are unavailable, not 2-8 x $1.006.
    placed = sizing.place_replicas(_rows([(1, 1.006)]), TP)
    assert list(placed["tp"]) == [1]


def test_a10g_groups_run_on_g5_12xlarge_and_g5_48xlarge_at_their_instance_prices() -> None:
    # g5.12xlarge $5.672/h (4 GPUs), g5.48xlarge $16.288/h (8 GPUs), us-east-1 on-demand,
    # read from the vantage-derived snapshot the fixture cites (gpu-price-aws-g5-vantage-20260826).
    prices = capacity.gpu_price_table(builtin().catalog, "aws", "on-demand")
    placed = sizing.place_replicas(prices[prices["gpu"] == "nvidia-a10g"], TP).set_index("tp")
    assert placed.loc[1, "replica_usd_per_hour"] == pytest.approx(1.006)
    assert placed.loc[2, "replica_usd_per_hour"] == pytest.approx(5.672)  # a 4-GPU shape
    assert placed.loc[4, "replica_usd_per_hour"] == pytest.approx(5.672)
    assert placed.loc[8, "replica_usd_per_hour"] == pytest.approx(16.288)
    assert placed.loc[4, "shape"] == "g5.12xlarge (4 x nvidia-a10g)"
    # More per GPU than the 1-GPU shape: 8 x $1.006 is not an instance anyone rents.
    assert placed.loc[8, "replica_usd_per_hour"] > 8 * 1.006


def test_the_sizing_grid_holds_only_hostable_groups() -> None:
    uc = UseCase.model_validate(
        {
            "makebuy": 1,
            "name": "shapes",
            "volume": {
                "requests_per_month": 1e5,
                "input_tokens_per_request": 500,
                "output_tokens_per_request": 200,
            },
            "organisation": {"cloud": "aws"},
        }
    )
    cat = builtin().catalog
    prices = capacity.gpu_price_table(cat, "aws", "on-demand")
    grid = capacity.size_make_options(
        uc, cat, ["meta/llama-2-70b-chat"], prices, "bf16", cost.DEFAULT_PARAMETERS
    )
    assert not grid.empty
    shaped = grid[grid["gpus_per_instance"].notna()]
    assert (shaped["gpus_per_instance"] >= shaped["tp"]).all()
    per_gpu = grid["replica_usd_per_hour"] / grid["gpus_per_instance"].fillna(grid["tp"])
    assert (per_gpu == grid["usd_per_gpu_hour"]).all()


def test_the_instances_example_names_the_instance_it_rents() -> None:
    report = assess_json(EXAMPLES / "internal-assistant-self-hosted.yaml")
    make = [o for o in report["options"] if o["kind"] == "make" and o["cost"]]
    assert make
    for o in make:
        line = next(x for x in o["cost"]["breakdown"] if x["item"] == "gpus")["detail"]
        assert " per replica on one " in line or "rented per GPU" in line
    llama = option(report, "make:meta/llama-3.1-8b-instruct")["cost"]
    line = next(x for x in llama["breakdown"] if x["item"] == "gpus")["detail"]
    # e.g. "up to 7 x g6e.xlarge (1 x nvidia-l40s)": how many instances of which shape
    assert re.search(r"up to \d+ x \S+ \(\d x nvidia-[a-z0-9-]+\)", line), line
    assert llama["instance"] in line
