"""The catalog fingerprint: keys added to the catalog format later (`LATER_KEYS`) are left
out of it while unused, so a catalog that does not use them keeps the fingerprint it had
before they existed, and one that uses them gets a new one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from pydantic import BaseModel

from makebuy import load
from makebuy.models.catalog import (
    LATER_KEYS,
    Architecture,
    Catalog,
    Facility,
    Figure,
    Offering,
    OfferingFineTuning,
    Price,
    PriceDiscounts,
    SeatProduct,
    Server,
)

FIXTURE_FINGERPRINT = "c50a9cd2ac47884981a709c3012c1ac83a6cb899624a598c04a537fd6d2f040f"
"""The frozen fixture catalog's fingerprint, as the golden JSON reports record it. The
fixture uses none of the `LATER_KEYS`: this is the fingerprint it had before they existed."""

OFFERING = "openai/gpt-4o-mini"
HYBRID = "qwen/qwen3-32b"
SOURCE = "off-llm-prices-51497f0"
ON = dt.date(2026, 11, 1)


def fingerprint(catalog: Catalog) -> str:
    """As `load.merge_catalog` computes it."""
    return load.canonical_sha256(catalog.canonical())


def with_offering(catalog: Catalog, **update: object) -> Catalog:
    offering = catalog.offerings[OFFERING].model_copy(update=update)
    return catalog.model_copy(update={"offerings": {**catalog.offerings, OFFERING: offering}})


def with_recurrent_state(catalog: Catalog) -> Catalog:
    model = catalog.models[HYBRID]
    assert model.architecture is not None
    architecture = model.architecture.model_copy(update={"recurrent_state_bytes": 64_389_120})
    hybrid = model.model_copy(update={"architecture": architecture})
    return catalog.model_copy(update={"models": {**catalog.models, HYBRID: hybrid}})


def with_discounts(catalog: Catalog) -> Catalog:
    first, *rest = catalog.offerings[OFFERING].prices
    discounts = PriceDiscounts(cached_input_per_1m=0.075, source=SOURCE, as_of=ON)
    return with_offering(catalog, prices=[first.model_copy(update={"discounts": discounts}), *rest])


def with_fine_tuning(catalog: Catalog) -> Catalog:
    tuning = OfferingFineTuning(
        methods=Figure[list[str]](value=["supervised"], source=SOURCE, as_of=ON),
        serving=Figure[str](value="base-price", source=SOURCE, as_of=ON),
    )
    return with_offering(catalog, fine_tuning=tuning)


def with_seats(catalog: Catalog) -> Catalog:
    seat = SeatProduct(id="openai/chatgpt-business", name="ChatGPT Business", provider="openai")
    return catalog.model_copy(update={"seats": {seat.id: seat}})


def with_servers(catalog: Catalog) -> Catalog:
    power = Figure[float](value=10.2, source=SOURCE, as_of=ON)
    server = Server(id="dgx-h100", name="DGX H100", gpu="nvidia-h100-80gb", gpus=8, power_kw=power)
    return catalog.model_copy(update={"servers": {server.id: server}})


def with_facility(catalog: Catalog) -> Catalog:
    pue = Figure[float](value=1.4, source=SOURCE, as_of=ON)
    return catalog.model_copy(update={"facility": Facility(pue=pue)})


USES: dict[tuple[type[BaseModel], str], Callable[[Catalog], Catalog]] = {
    (Architecture, "recurrent_state_bytes"): with_recurrent_state,
    (Price, "discounts"): with_discounts,
    (Offering, "fine_tuning"): with_fine_tuning,
    (Catalog, "seats"): with_seats,
    (Catalog, "servers"): with_servers,
    (Catalog, "facility"): with_facility,
}
"""One use of each later key, applied to the fixture catalog."""


@pytest.fixture(scope="module")
def fixture_catalog() -> Catalog:
    return load.load_catalog().catalog


def test_every_later_key_is_exercised_here() -> None:
    assert set(USES) == {(cls, key) for cls, keys in LATER_KEYS.items() for key in keys}


def test_a_catalog_without_the_later_keys_keeps_its_fingerprint(fixture_catalog: Catalog) -> None:
    assert fixture_catalog.fingerprint == FIXTURE_FINGERPRINT
    assert fingerprint(fixture_catalog) == FIXTURE_FINGERPRINT
    canonical = fixture_catalog.canonical()
    assert not {"seats", "servers", "facility"} & set(canonical)
    assert all(
        "recurrent_state_bytes" not in (m["architecture"] or {}) for m in canonical["models"]
    )
    for offering in canonical["offerings"]:
        assert "fine_tuning" not in offering
        assert all("discounts" not in price for price in offering["prices"])


@pytest.mark.parametrize("use", USES.values(), ids=[f"{c.__name__}.{k}" for c, k in USES])
def test_using_a_later_key_changes_the_fingerprint(
    fixture_catalog: Catalog, use: Callable[[Catalog], Catalog]
) -> None:
    assert fingerprint(use(fixture_catalog)) != FIXTURE_FINGERPRINT
