"""Invariants of the shipped catalog: what every refresh of `catalogs/` must keep true.

Golden reports run on the frozen copy under tests/fixtures/catalog/; these tests hold the
shipped data itself to its rules instead of to exact figures, so a refresh passes as long
as it stays sourced, dated, sizable and priced. Schema, duplicate-id and dangling-reference
errors are `catalog validate`'s (test_catalog_cli.test_the_builtin_catalog_validates_clean);
the sources of each entry's facts, per entry, are test_catalog_cli's
test_every_builtin_entry_shows_its_sources. Loaded once, in-process.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from makebuy import catalog_cache, load
from makebuy.cost import price_on
from makebuy.environment import Environment, MockEnvironment, use_environment
from makebuy.gate import lifecycle_on
from makebuy.load import LoadedCatalog

from .conftest import SHIPPED_VARIABLES


@pytest.fixture(autouse=True, scope="module")
def environment() -> Iterator[Environment]:
    """These tests are about the shipped catalog itself, not the frozen fixture (module
    scope: the module's catalog fixtures are built inside it)."""
    with use_environment(MockEnvironment(width=100, variables=SHIPPED_VARIABLES)) as env:
        yield env


UNSIZABLE_OPEN_MODELS: dict[str, str] = {
    # Known gaps: open-weight models the catalog cannot size yet (no parameter count or no
    # architecture), so they are never offered as a make option. Remove an id when its
    # figures land; a model missing from here that cannot be sized fails the test.
}


@pytest.fixture(scope="module")
def shipped() -> LoadedCatalog:
    # Parsed afresh: the catalog cache keeps entries' lines, not the YAML as written.
    with catalog_cache.bypassed():
        return load.load_catalog()


def raw_documents(loaded: LoadedCatalog) -> Iterator[tuple[str, Any]]:
    """Each shipped file's YAML as written (label, data), once per file."""
    seen: set[str] = set()
    for origin in loaded.origins.values():
        if origin.doc is not None and origin.doc.path not in seen:
            seen.add(origin.doc.path)
            yield origin.doc.path, origin.doc.data


def mappings(node: Any, at: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every mapping inside `node`, with its dotted place."""
    if isinstance(node, dict):
        yield at, node
        for key, value in node.items():
            yield from mappings(value, f"{at}.{key}" if at else str(key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from mappings(value, f"{at}[{i}]")


def test_every_shipped_file_is_read(shipped: LoadedCatalog) -> None:
    assert {path for path, _ in raw_documents(shipped)} == {
        f"builtin:{p.name}" for p in load.catalog_files([load.builtin_catalog_dir()])
    }


def test_every_figure_names_a_known_source_and_a_date(shipped: LoadedCatalog) -> None:
    """Every mapping that states a figure (a `value`, a price, a group of terms) carries a
    `source` defined under `sources:` and an `as_of` date. Two exceptions the format
    allows: a licence term is a verbatim clause of its licence, which carries the source and
    date; a quality-scale anchor is a calibration with a source and no date."""
    sources = shipped.catalog.sources
    undated, unknown = [], []
    for path, data in raw_documents(shipped):
        for at, node in mappings(data):
            if "source" in node and node["source"] not in sources:
                unknown.append(f"{path}: {at}.source = {node['source']!r}")
            states = "source" in node or "value" in node
            if at.startswith("licences[") and ".terms." in at:
                states = not node.get("clause")  # a quoted clause of its dated licence
            if at.startswith("quality_scale.benchmarks."):
                states = False
            if states and not ("as_of" in node and "source" in node):
                undated.append(f"{path}: {at}")
    assert unknown == [], "sources not defined under sources:"
    assert undated == [], "figures without both a source and an as_of date"


def test_every_open_weight_model_can_be_sized(shipped: LoadedCatalog) -> None:
    """`size` and every make option need the parameter count and the architecture."""
    models = shipped.catalog.models
    unsizable = {
        m.id
        for m in models.values()
        if m.open_weights and (m.parameters_b is None or m.architecture is None)
    }
    assert unsizable - UNSIZABLE_OPEN_MODELS.keys() == set(), "new unsizable open models"
    assert UNSIZABLE_OPEN_MODELS.keys() - unsizable == set(), "sizable now: drop from the list"


def test_every_current_offering_has_a_price_on_the_catalog_date(shipped: LoadedCatalog) -> None:
    """An offering (or its model) not retired on the catalog's as-of date must have a price
    effective that day, or every assessment on the default date would lack it."""
    cat = shipped.catalog
    unpriced = []
    for off in cat.offerings.values():
        _, retires = lifecycle_on(cat, off.model, off.id, cat.as_of)
        if (retires is None or retires > cat.as_of) and price_on(off, cat.as_of) is None:
            unpriced.append(off.id)
    assert unpriced == []


UNPRICED_GPUS = {
    # Known gaps: GPUs whose specs are sourced but whose hourly price was found in no primary
    # or secondary price list (the sizing stage skips an unpriced GPU). Remove an id when its
    # price lands; a new unpriced GPU, or a gap closed but still listed, fails.
    "amd-mi325x": "no cloud price list or maintained catalog of one lists it",
}


def test_every_gpu_has_an_hourly_price(shipped: LoadedCatalog) -> None:
    unpriced = {g.id for g in shipped.catalog.gpus.values() if not g.prices}
    assert unpriced - UNPRICED_GPUS.keys() == set(), "GPUs without an hourly price"
    assert UNPRICED_GPUS.keys() - unpriced == set(), "priced now: drop from UNPRICED_GPUS"
