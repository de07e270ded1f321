"""The GPU catalog's provenance rules and the instance shapes it prices (catalogs/gpus.yaml).

Specs must come from the vendor or a secondary copy of the vendor's figures, prices from the
cloud's own list or a maintained catalog of it; whatever rests on a community copy alone is
shipped only as unverified, so every report flags it. Instance prices carry their shape's GPU
count and are the instance price divided by it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from makebuy.environment import Environment, MockEnvironment, use_environment
from makebuy.load import load_catalog
from makebuy.models.catalog import Catalog, Gpu

from .conftest import SHIPPED_VARIABLES

SPEC_FIELDS = ("memory_gb", "bandwidth_gb_s", "bf16_dense_tflops", "fp8_dense_tflops")
HYPERSCALERS = {"aws", "gcp", "azure"}


@pytest.fixture(autouse=True, scope="module")
def environment() -> Iterator[Environment]:
    """These tests are about the shipped catalog itself, not the frozen fixture."""
    with use_environment(MockEnvironment(width=100, variables=SHIPPED_VARIABLES)) as env:
        yield env


@pytest.fixture(scope="module")
def cat() -> Catalog:
    return load_catalog().catalog


def gpu_sources(gpu: Gpu) -> list[tuple[str, str, str]]:
    """(what, source id, status) for every spec figure and price row of one GPU."""
    rows = [
        (f"{gpu.id}.{name}", fig.source, fig.status)
        for name in SPEC_FIELDS
        if (fig := getattr(gpu, name)) is not None
    ]
    rows += [(f"{gpu.id}.prices[{i}]", p.source, p.status) for i, p in enumerate(gpu.prices)]
    return rows


def test_every_gpu_figure_cites_a_source_with_a_kind(cat: Catalog) -> None:
    unclassified = [
        (what, source)
        for gpu in cat.gpus.values()
        for what, source, _ in gpu_sources(gpu)
        if cat.sources[source].kind is None
    ]
    assert unclassified == []


def test_a_gpu_figure_resting_on_a_community_source_is_shipped_unverified(cat: Catalog) -> None:
    """A blog, wiki, scraper or user copy alone never makes a figure verified or secondary."""
    overclaimed = [
        (what, source, status)
        for gpu in cat.gpus.values()
        for what, source, status in gpu_sources(gpu)
        if cat.sources[source].kind == "community" and status != "unverified"
    ]
    assert overclaimed == []


def test_a_figure_marked_verified_comes_from_the_vendor_itself(cat: Catalog) -> None:
    """status verified (the default) means read in the primary source."""
    misfiled = [
        (what, source)
        for gpu in cat.gpus.values()
        for what, source, status in gpu_sources(gpu)
        if status == "verified" and cat.sources[source].kind != "primary"
    ]
    assert misfiled == []


def test_every_hyperscaler_price_names_its_instance_shape(cat: Catalog) -> None:
    unshaped = [
        (gpu.id, p.instance)
        for gpu in cat.gpus.values()
        for p in gpu.prices
        if p.cloud in HYPERSCALERS and (p.instance is None or p.gpus_per_instance is None)
    ]
    assert unshaped == []


def test_gpus_per_instance_matches_the_gpu_count_the_instance_names(cat: Catalog) -> None:
    """'p5.48xlarge (8 GPUs, …)' is priced with gpus_per_instance 8, and so on."""
    mismatched = []
    for gpu in cat.gpus.values():
        for p in gpu.prices:
            named = re.search(r"\((\d+) GPUs?\b", p.instance or "")
            if named and int(named.group(1)) != p.gpus_per_instance:
                mismatched.append((gpu.id, p.instance, p.gpus_per_instance))
    assert mismatched == []


@pytest.mark.parametrize(
    ("gpu", "instance", "instance_usd_per_hour", "gpus"),
    [
        # AWS us-east-1 on-demand Linux, SkyPilot's catalog of the AWS price list
        ("nvidia-a10g", "g5.12xlarge", 5.672, 4),
        ("nvidia-a10g", "g5.48xlarge", 16.288, 8),
        ("nvidia-l4", "g6.12xlarge", 4.6016, 4),
        ("nvidia-l4", "g6.48xlarge", 13.3504, 8),
        ("nvidia-l40s", "g6e.12xlarge", 10.49264, 4),
        ("nvidia-l40s", "g6e.48xlarge", 30.13118, 8),
        ("nvidia-a100-40gb", "p4d.24xlarge", 21.957642, 8),
        ("nvidia-a100-80gb", "p4de.24xlarge", 27.44705, 8),
        ("nvidia-h100-80gb", "p5.48xlarge", 55.04, 8),
        ("nvidia-h200", "p5en.48xlarge", 63.296, 8),
        ("nvidia-b200", "p6-b200.48xlarge", 113.9328, 8),
    ],
)
def test_an_aws_instance_is_priced_per_gpu_as_instance_price_over_its_gpus(
    cat: Catalog, gpu: str, instance: str, instance_usd_per_hour: float, gpus: int
) -> None:
    [price] = [
        p
        for p in cat.gpus[gpu].prices
        if p.cloud == "aws"
        and p.commitment == "on-demand"
        and (p.instance or "").startswith(instance + " ")
    ]
    assert price.gpus_per_instance == gpus
    assert price.region == "us-east-1"
    assert price.usd_per_gpu_hour == pytest.approx(instance_usd_per_hour / gpus)


def test_mi300x_figures_are_amds_dense_peaks(cat: Catalog) -> None:
    """ROCm docs, MI300 microarchitecture: Matrix BF16 1307.4, Matrix FP8 2614.9 TFLOPS (dense,
    2048 and 4096 FLOPS/clock/CU), 5.3 TB/s; hardware specifications: 192 VRAM."""
    mi300x = cat.gpus["amd-mi300x"]
    assert mi300x.fp8_dense_tflops is not None
    figures = (mi300x.memory_gb, mi300x.bandwidth_gb_s, mi300x.bf16_dense_tflops)
    assert [f.value for f in figures] == [192, 5300, 1307.4]
    assert mi300x.fp8_dense_tflops.value == 2614.9
    assert {cat.sources[f.source].kind for f in (*figures, mi300x.fp8_dense_tflops)} == {"primary"}


@pytest.mark.parametrize(
    ("gpu", "sparse_bf16", "sparse_fp8"),
    [("nvidia-h100-80gb", 1979, 3958), ("nvidia-h100-pcie", 1513, 3026)],
)
def test_h100_dense_figures_are_half_the_datasheets_with_sparsity_figures(
    cat: Catalog, gpu: str, sparse_bf16: float, sparse_fp8: float
) -> None:
    """NVIDIA's H100 table: '* Shown with sparsity. Specifications 1/2 lower without sparsity.'"""
    h100 = cat.gpus[gpu]
    assert h100.fp8_dense_tflops is not None
    assert h100.bf16_dense_tflops.value == pytest.approx(sparse_bf16 / 2)
    assert h100.fp8_dense_tflops.value == pytest.approx(sparse_fp8 / 2)
