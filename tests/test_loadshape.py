"""Load shape and purchase options (the questionnaire's `load` section).

Runs the real CLI over the frozen fixture catalog; the batch and cached-input prices come
from a small catalog overlay with known figures, so every expected total is worked out
here by hand."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from makebuy import loadshape, pipeline
from makebuy.cost import DEFAULT_PARAMETERS, totals_at_volumes
from makebuy.errors import ExitCode
from makebuy.models.catalog import Price
from makebuy.models.usecase import Load
from makebuy.units import HOURS_PER_MONTH

from .conftest import EXAMPLES, FIXTURE_CATALOG
from .helpers import assess_json, option, questionnaire

HAIKU = "anthropic/claude-haiku-4-5-20251001"
"""A buy offering the fixture catalog prices at $1 / $5 per 1M tokens, eligible in the
minimal questionnaire."""
MAKE_MODEL = "meta/llama-3.1-8b-instruct"
WEEKLY_PEAK_SHARE = 5 * 10 / 168
"""business_hours with the default 10 peak hours a weekday: the share of the week at peak."""


def _overlay(tmp_path: Path) -> Path:
    """The fixture's Haiku 4.5 offering with batch ($0.5 / $2.5) and cached-input ($0.1)
    prices added to its price row."""
    doc = yaml.safe_load((FIXTURE_CATALOG / "offerings-anthropic.yaml").read_text(encoding="utf-8"))
    haiku = next(dict(o) for o in doc["offerings"] if o["id"] == HAIKU)
    [row] = [p for p in haiku["prices"] if p.get("effective_to") is None]
    assert (row["input_per_1m"], row["output_per_1m"]) == (1.0, 5.0)
    row["discounts"] = {
        "cached_input_per_1m": 0.1,
        "batch_input_per_1m": 0.5,
        "batch_output_per_1m": 2.5,
        "source": "test-source",
        "as_of": "2026-10-29",
    }
    haiku["prices"] = [row]
    path = tmp_path / "overlay.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "makebuy-catalog": 1,
                "sources": [
                    {"id": "test-source", "title": "test data", "url": "https://example.org/t"}
                ],
                "offerings": [haiku],
            },
            sort_keys=False,
        ),
        encoding="utf-8",
    )
    return path


def _usecase(tmp_path: Path, load: dict[str, Any] | None = None, **sections: Any) -> Path:
    """100,000 requests a month of 500 input and 200 output tokens, for 12 months."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    volume = {"horizon_months": 12, **sections.pop("volume", {})}
    extra = {"load": load} if load is not None else {}
    return questionnaire(tmp_path, volume=volume, **extra, **sections)


INPUT_M = 100_000 * 500 * 12 / 1e6
OUTPUT_M = 100_000 * 200 * 12 / 1e6


def test_batch_and_cached_prices_lower_the_api_total_by_the_worked_out_amount(
    tmp_path: Path,
) -> None:
    overlay = str(_overlay(tmp_path))
    plain = option(assess_json(_usecase(tmp_path / "a"), "--catalog", overlay), f"buy:{HAIKU}")
    assert plain["cost"]["total"] == pytest.approx(INPUT_M * 1.0 + OUTPUT_M * 5.0)
    shaped = _usecase(tmp_path / "b", load={"batchable_share": 0.4, "cacheable_input_share": 0.5})
    haiku = option(assess_json(shaped, "--catalog", overlay), f"buy:{HAIKU}")
    # Interactive 60 %: half the input cached at $0.1, half at $1; output at $5.
    # Batch 40 %: input at $0.5 (cached: the lower of $0.5 and $0.1), output at $2.5.
    per_input = 0.6 * (0.5 * 1.0 + 0.5 * 0.1) + 0.4 * (0.5 * 0.5 + 0.5 * 0.1)
    per_output = 0.6 * 5.0 + 0.4 * 2.5
    lines = {line["item"]: line for line in haiku["cost"]["breakdown"]}
    assert lines["input_tokens"]["total"] == pytest.approx(INPUT_M * per_input)
    assert lines["output_tokens"]["total"] == pytest.approx(OUTPUT_M * per_output)
    assert haiku["cost"]["total"] == pytest.approx(INPUT_M * per_input + OUTPUT_M * per_output)
    assert haiku["cost"]["input_per_1m_usd"] == pytest.approx(per_input)
    # The line shows the split, token counts and prices.
    assert lines["input_tokens"]["detail"] == (
        "600.0M input tokens: 180.0M at $1, 180.0M cached at $0.1, 120.0M by batch at $0.5,"
        " 120.0M cached by batch at $0.1 per 1M"
    )
    assert lines["output_tokens"]["detail"].startswith(
        "240.0M output tokens: 144.0M at $5, 96.0M by batch at $2.5 per 1M"
    )


def test_an_offering_without_discount_prices_says_the_discount_was_not_applied(
    tmp_path: Path,
) -> None:
    report = assess_json(_usecase(tmp_path, load={"batchable_share": 0.5}))
    haiku = option(report, f"buy:{HAIKU}")
    assert haiku["cost"]["total"] == pytest.approx(INPUT_M * 1.0 + OUTPUT_M * 5.0)
    detail = haiku["cost"]["breakdown"][0]["detail"]
    assert detail.endswith(
        "; the batch discount was not applied: the catalog has no batch price for this offering"
    )
    noted = next(a for a in report["assumptions"] if a["field"] == "load.api_discounts")
    assert noted["value"].startswith("0 of ")


def _make(tmp_path: Path, load: dict[str, Any] | None) -> dict[str, Any]:
    path = _usecase(
        tmp_path,
        load=load,
        volume={"peak_requests_per_second": 40},
        candidates={"include": [MAKE_MODEL]},
    )
    return option(assess_json(path), f"make:{MAKE_MODEL}")["cost"]


def test_business_hours_cut_make_gpu_hours_by_the_share_of_the_week_at_peak(
    tmp_path: Path,
) -> None:
    flat = _make(tmp_path / "flat", None)
    shaped = _make(tmp_path / "bh", {"load_shape": "business_hours", "off_peak_share": 0})
    batch = _make(
        tmp_path / "batch",
        {"load_shape": "business_hours", "off_peak_share": 0, "batchable_share": 1},
    )

    def gpus(cost: dict[str, Any]) -> float:
        return next(line["total"] for line in cost["breakdown"] if line["item"] == "gpus")

    def around_the_clock(cost: dict[str, Any]) -> float:
        """The same configuration's GPU bill with its peak replicas running all month."""
        replica_hour = cost["gpu_hour_usd"] * cost["gpus_per_replica"]
        return cost["replicas_peak"] * replica_hour * HOURS_PER_MONTH * 12

    assert gpus(flat) == pytest.approx(around_the_clock(flat))
    assert shaped["replicas_peak"] > 1
    for cost in (shaped, batch):
        # The shape may pick another configuration (smaller GPUs pay off when they can be
        # switched off), never a dearer bill.
        assert gpus(cost) < gpus(flat)
    # Off-peak one replica stays warm; a batch-only workload scales to zero.
    replicas = shaped["replicas_peak"]
    expected = WEEKLY_PEAK_SHARE + (1 - WEEKLY_PEAK_SHARE) / replicas
    assert gpus(shaped) / around_the_clock(shaped) == pytest.approx(expected)
    assert gpus(batch) / around_the_clock(batch) == pytest.approx(WEEKLY_PEAK_SHARE)
    assert "replicas follow the business-hours load" in shaped["breakdown"][0]["detail"]
    assert "replicas follow" not in flat["breakdown"][0]["detail"]


def test_an_all_default_load_section_changes_nothing(tmp_path: Path) -> None:
    defaults = {
        "load_shape": "flat",
        "batchable_share": 0,
        "cacheable_input_share": 0,
        "spot_acceptable": False,
    }
    without = assess_json(_usecase(tmp_path / "a"))
    with_defaults = assess_json(_usecase(tmp_path / "b", load=defaults))
    assert with_defaults["usecase"]["digest"] == without["usecase"]["digest"]
    assert with_defaults["options"] == without["options"]
    assert with_defaults["assumptions"] == without["assumptions"]


def test_spot_acceptable_says_no_spot_price_was_used(tmp_path: Path) -> None:
    report = assess_json(_usecase(tmp_path, load={"spot_acceptable": True}))
    spot = next(a for a in report["assumptions"] if a["field"] == "load.spot_acceptable")
    assert spot["value"] == "no spot price used"


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("batchable_share", 1.5, "less than or equal to 1"),
        ("cacheable_input_share", -0.1, "greater than or equal to 0"),
        ("load_shape", "weekly", "flat"),
    ],
)
def test_a_bad_load_value_names_file_line_and_field(
    cli, tmp_path: Path, key: str, value: Any, message: str
) -> None:
    path = _usecase(tmp_path, load={key: value})
    result = cli("assess", path)
    assert result.exit_code == ExitCode.BAD_INPUT
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if f"{key}:" in text)
    assert f"{path}:{line}: load.{key}: " in result.stderr, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_a_stated_peak_too_low_for_the_shape_is_an_input_error(cli, tmp_path: Path) -> None:
    # 100,000 requests a month is 0.038/s on average; business hours run at the peak 30 %
    # of the week, so a peak of 0.05/s cannot carry the month.
    path = _usecase(
        tmp_path,
        load={"load_shape": "business_hours", "off_peak_share": 0},
        volume={"peak_requests_per_second": 0.05},
    )
    result = cli("assess", path)
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "volume.peak_requests_per_second" in result.stderr
    assert "business_hours load shape" in result.stderr


def test_scenario_totals_at_factor_one_match_the_cost_stage_with_a_load_shape(
    tmp_path: Path,
) -> None:
    """The robustness stage recomputes make costs and scales API costs: with a load shape,
    batch and cached prices set, factor 1 gives back every option's total."""
    run = pipeline.assess(
        EXAMPLES / "invoice-extraction-batch.yaml", [_overlay(tmp_path)], with_robustness=False
    )
    assert run.usecase.load.load_shape == "business_hours"
    totals, _ = totals_at_volumes(
        run.usecase,
        run.catalog,
        run.costed,
        run.capacity,
        np.array([1.0, 2.0]),
        params=DEFAULT_PARAMETERS,
    )
    costed = {c.gate.option.id: c for c in run.costed if c.cost is not None and c.gate.eligible}
    kinds = {c.gate.option.kind for c in costed.values()}
    assert {"buy", "make"} <= kinds
    assert f"buy:{HAIKU}" in costed
    for oid, c in costed.items():
        assert c.cost is not None
        # API costs scale the cost stage's monthly figures, which are rounded to cents.
        cents = 0.005 * run.usecase.volume.horizon_months
        assert totals[oid][0] == pytest.approx(c.cost.total, abs=cents, rel=1e-9), oid


def test_the_diurnal_curve_peaks_at_two_in_the_afternoon() -> None:
    load = Load(load_shape="diurnal", off_peak_share=0.2)
    weights, levels = loadshape.segments(load)
    assert weights.sum() == pytest.approx(1.0)
    assert levels[14] == pytest.approx(1.0) and levels[2] == pytest.approx(0.2)
    assert loadshape.mean_level(load) == pytest.approx(0.6)


PRICES = st.floats(0.01, 100, allow_nan=False)
SHARES = st.floats(0, 1, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(
    list_in=PRICES,
    list_out=PRICES,
    cached=SHARES,
    batch_in=SHARES,
    batch_out=SHARES,
    batchable=SHARES,
    low=SHARES,
    high=SHARES,
)
def test_a_larger_cacheable_share_never_raises_the_api_price(
    list_in: float,
    list_out: float,
    cached: float,
    batch_in: float,
    batch_out: float,
    batchable: float,
    low: float,
    high: float,
) -> None:
    low, high = sorted((low, high))
    price = Price(
        effective_from=dt.date(2026, 1, 1),
        input_per_1m=list_in,
        output_per_1m=list_out,
        source="s",
        as_of=dt.date(2026, 1, 1),
        discounts={
            "cached_input_per_1m": list_in * cached,
            "batch_input_per_1m": list_in * batch_in,
            "batch_output_per_1m": list_out * batch_out,
            "source": "s",
            "as_of": "2026-01-01",
        },
    )

    def paid(share: float) -> float:
        load = Load(batchable_share=batchable, cacheable_input_share=share)
        return 3 * loadshape.effective_per_1m(
            price, load, "input_per_1m"
        ) + loadshape.effective_per_1m(price, load, "output_per_1m")

    assert paid(high) <= paid(low) + 1e-9
    assert paid(high) <= 3 * list_in + list_out + 1e-9


def test_hybrid_totals_at_factor_one_match_the_cost_stage_with_a_load_shape(
    tmp_path: Path,
) -> None:
    """Hybrid legs are costed at their share with the same shape and discounts, and the
    scenario totals give them back."""
    path = _usecase(
        tmp_path,
        load={"load_shape": "diurnal", "batchable_share": 0.5, "cacheable_input_share": 0.3},
        task={"mix": {"low": 0.6, "medium": 0.3, "high": 0.1}},
        volume={"requests_per_month": 3_000_000},
    )
    run = pipeline.assess(path, [_overlay(tmp_path)], with_robustness=False)
    totals, _ = totals_at_volumes(
        run.usecase,
        run.catalog,
        run.costed,
        run.capacity,
        np.array([1.0]),
        params=DEFAULT_PARAMETERS,
    )
    hybrids = [c for c in run.costed if c.gate.option.kind == "hybrid" and c.cost is not None]
    assert hybrids
    cents = 0.005 * run.usecase.volume.horizon_months * 3
    for c in hybrids:
        assert c.cost is not None
        oid = c.gate.option.id
        assert totals[oid][0] == pytest.approx(c.cost.total, abs=cents, rel=1e-9), oid
