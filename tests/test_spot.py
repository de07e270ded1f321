"""Spot capacity (`load.spot_acceptable`, `makebuy.spot`).

Runs the real CLI over a copy of the frozen fixture catalog with spot rows of known figures
added to it (the fixture itself holds none and stays frozen), so every expected figure is
worked out here by hand; the shipped catalog's spot rows are checked by invariants and one
example."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from makebuy import capacity, catalog_cache, load, spot
from makebuy.environment import MockEnvironment, use_environment
from makebuy.models.usecase import UseCase
from makebuy.spot import SPOT, shape_name

from .conftest import EXAMPLES, FIXTURE_CATALOG, FIXTURE_VARIABLES, SHIPPED_VARIABLES, TODAY
from .helpers import assess_json, option, questionnaire

MAKE_MODEL = "meta/llama-3.1-8b-instruct"
SPOT_SOURCE = "test-spot-prices"
L40S_SPOT = 0.9
"""Test spot price of g6e.xlarge (1 x L40S): on-demand is $1.861, reserved-1y $1.17243."""
A10G_SPOT = 1.5
"""Test spot price of g5.xlarge (1 x A10G), above its $1.006 on-demand price: never used."""


def _spot_row(instance: str, usd: float) -> dict[str, Any]:
    return {
        "cloud": "aws",
        "commitment": "spot",
        "usd_per_gpu_hour": usd,
        "instance": instance,
        "gpus_per_instance": 1,
        "region": "us-east-1",
        "source": SPOT_SOURCE,
        "as_of": "2026-11-28",
    }


@pytest.fixture(scope="module")
def spot_catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture catalog plus two spot rows (one cheaper than on-demand, one dearer)."""
    root = tmp_path_factory.mktemp("spot-catalog") / "catalog"
    shutil.copytree(FIXTURE_CATALOG, root)
    path = root / "gpus.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["sources"].append(
        {"id": SPOT_SOURCE, "title": "test spot prices", "url": "https://example.org/spot"}
    )
    gpus = {g["id"]: g for g in doc["gpus"]}
    gpus["nvidia-l40s"]["prices"].append(_spot_row("g6e.xlarge (1 GPU, 4 vCPU, 32 GB)", L40S_SPOT))
    gpus["nvidia-a10g"]["prices"].append(_spot_row("g5.xlarge (1 GPU, 4 vCPU, 16 GB)", A10G_SPOT))
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return root


@pytest.fixture
def with_spot_catalog(spot_catalog: Path) -> Iterator[None]:
    variables = {"MAKEBUY_BUILTIN_CATALOG": str(spot_catalog)}
    with use_environment(MockEnvironment(width=100, variables=variables, today=TODAY)):
        yield


def _usecase(tmp_path: Path, load: dict[str, Any] | None = None, **org: Any) -> Path:
    """40 requests/s at peak of one 8B model, on aws, for 12 months: self-hosted only."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    extra = {"load": load} if load is not None else {}
    return questionnaire(
        tmp_path,
        volume={"horizon_months": 12, "peak_requests_per_second": 40},
        candidates={"include": [MAKE_MODEL]},
        organisation={"cloud": "aws", **org},
        **extra,
    )


def _make(report: dict[str, Any]) -> dict[str, Any]:
    return option(report, f"make:{MAKE_MODEL}")["cost"]


def _gpus(cost: dict[str, Any]) -> dict[str, Any]:
    return next(line for line in cost["breakdown"] if line["item"] == "gpus")


def _spot_assumption(report: dict[str, Any]) -> dict[str, Any]:
    return next(a for a in report["assumptions"] if a["field"] == "load.spot_acceptable")


@pytest.mark.usefixtures("with_spot_catalog")
def test_the_batchable_share_of_replica_hours_is_priced_at_spot(tmp_path: Path) -> None:
    plain = _make(assess_json(_usecase(tmp_path / "a", {"batchable_share": 0.6})))
    # The cheapest configuration on demand is one L40S on a g6e.xlarge.
    assert plain["instance"] == "g6e.xlarge (1 x nvidia-l40s)"
    assert plain["gpu_hour_usd"] == pytest.approx(1.861)
    report = assess_json(
        _usecase(tmp_path / "b", {"batchable_share": 0.6, "spot_acceptable": True})
    )
    spot = _make(report)
    blended = 0.4 * 1.861 + 0.6 * L40S_SPOT
    assert spot["instance"] == plain["instance"]
    assert spot["replicas_peak"] == plain["replicas_peak"]
    assert spot["gpu_hour_usd"] == pytest.approx(blended)
    # The same replica-hours at the blended rate.
    assert _gpus(spot)["total"] == pytest.approx(_gpus(plain)["total"] * blended / 1.861)
    assert _gpus(spot)["detail"].startswith(
        "1 x nvidia-l40s per replica on one g6e.xlarge (1 x nvidia-l40s) on aws: 60% of its"
        f" hours on spot at $0.9/GPU-hour (the batchable share), the rest on-demand at"
        f" $1.861/GPU-hour (${blended:.4g}/hour = ${blended:.4g}/GPU-hour blended)"
    )
    # Operations do not change; the report names the rule and cites the spot price.
    assert spot["total"] - _gpus(spot)["total"] == pytest.approx(
        plain["total"] - _gpus(plain)["total"]
    )
    noted = _spot_assumption(report)
    assert noted["value"].startswith("spot for the batchable share (60% of replica-hours)")
    assert "reclaimed" in noted["reason"]
    # Both rows behind the blended rate are cited: the spot price and the on-demand one.
    cited = {s["id"] for s in report["sources"]}
    assert {SPOT_SOURCE, "gpu-price-aws-g6e-vantage-20260826"} <= cited


@pytest.mark.usefixtures("with_spot_catalog")
def test_no_batchable_share_means_no_spot(tmp_path: Path) -> None:
    plain = _make(assess_json(_usecase(tmp_path / "a")))
    report = assess_json(_usecase(tmp_path / "b", {"spot_acceptable": True}))
    assert _make(report) == plain
    assert _spot_assumption(report)["value"] == "no spot capacity used: no request is batchable"
    assert SPOT_SOURCE not in {s["id"] for s in report["sources"]}


@pytest.mark.usefixtures("with_spot_catalog")
def test_a_spot_price_above_the_commitment_price_is_not_used(tmp_path: Path) -> None:
    # The A10G's test spot price ($1.5) is above its on-demand $1.006: the g5.xlarge row is
    # left at on-demand; the L40S row still blends.
    usecase = UseCase.model_validate(
        yaml.safe_load(
            _usecase(tmp_path, {"batchable_share": 1, "spot_acceptable": True}).read_text()
        )
    )
    catalog = load.load_catalog().catalog
    table = spot.with_spot(capacity.gpu_price_table(catalog, "aws", "on-demand"), usecase, catalog)
    rows = {r["instance"]: r for r in table.to_dict("records")}
    g5 = rows["g5.xlarge (1 GPU, 4 vCPU, 16 GB)"]
    assert (g5["spot_share"], g5["usd_per_gpu_hour"]) == (0.0, 1.006)
    g6e = rows["g6e.xlarge (1 GPU, 4 vCPU, 32 GB)"]
    assert (g6e["spot_share"], g6e["usd_per_gpu_hour"]) == (1.0, L40S_SPOT)
    assert g6e["spot_source"] == SPOT_SOURCE


@pytest.mark.usefixtures("with_spot_catalog")
def test_spot_blends_with_a_reserved_commitment_where_it_is_lower(tmp_path: Path) -> None:
    report = assess_json(
        _usecase(
            tmp_path,
            {"batchable_share": 0.5, "spot_acceptable": True},
            gpu_commitment="reserved-1y",
        )
    )
    cost = _make(report)
    assert cost["instance"] == "g6e.xlarge (1 x nvidia-l40s)"
    assert cost["gpu_hour_usd"] == pytest.approx(0.5 * 1.17243 + 0.5 * L40S_SPOT)
    assert "the rest reserved-1y at $1.172/GPU-hour" in _gpus(cost)["detail"]


@pytest.mark.usefixtures("with_spot_catalog")
def test_spot_rows_change_nothing_unless_spot_is_acceptable(tmp_path: Path) -> None:
    path = _usecase(tmp_path, {"batchable_share": 0.6})
    with_rows = assess_json(path)
    with use_environment(MockEnvironment(width=100, variables=FIXTURE_VARIABLES, today=TODAY)):
        frozen = assess_json(path)
    assert with_rows["options"] == frozen["options"]
    assert with_rows["assumptions"] == frozen["assumptions"]


def test_without_spot_rows_the_report_says_no_spot_price_was_used(tmp_path: Path) -> None:
    report = assess_json(_usecase(tmp_path, {"batchable_share": 0.6, "spot_acceptable": True}))
    assert _spot_assumption(report)["value"] == "no spot price used"
    assert "on spot at" not in _gpus(_make(report))["detail"]


def test_the_shipped_example_places_batch_work_on_spot() -> None:
    with use_environment(MockEnvironment(width=100, variables=SHIPPED_VARIABLES, today=TODAY)):
        report = assess_json(EXAMPLES / "invoice-extraction-batch.yaml")
    noted = _spot_assumption(report)
    assert noted["value"].startswith("spot for the batchable share (70% of replica-hours)")
    lines = [
        _gpus(o["cost"])["detail"]
        for o in report["options"]
        if o["kind"] == "make" and o["cost"] is not None
    ]
    # Most configurations run on a shape with a cheaper spot price; the others (no spot
    # price for the shape, or none below on-demand) keep the plain on-demand line.
    on_spot = [line for line in lines if "70% of its hours on spot at $" in line]
    assert len(on_spot) > len(lines) / 2
    assert all("(on-demand, $" in line for line in lines if line not in on_spot)
    assert "skypilot-catalog-aws-v8-spot" in {s["id"] for s in report["sources"]}


def test_every_shipped_spot_price_matches_a_priced_shape() -> None:
    """A spot row names the instance type, GPU count and region of a shape the catalog also
    prices at another commitment (that is what it is blended with)."""
    with (
        use_environment(MockEnvironment(width=100, variables=SHIPPED_VARIABLES, today=TODAY)),
        catalog_cache.bypassed(),
    ):
        catalog = load.load_catalog().catalog

    found = 0
    for gpu in catalog.gpus.values():
        for p in gpu.prices:
            if p.commitment != SPOT:
                continue
            found += 1
            assert p.instance and p.region and p.gpus_per_instance, (gpu.id, p)
            assert any(
                o.commitment != SPOT
                and (o.cloud, o.region, o.gpus_per_instance)
                == (p.cloud, p.region, p.gpus_per_instance)
                and shape_name(o.instance) == shape_name(p.instance)
                for o in gpu.prices
            ), (gpu.id, p.instance)
    assert found >= 15
