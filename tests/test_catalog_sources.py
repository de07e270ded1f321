"""How close the shipped catalog's sources are to the facts they carry.

Every source says what it is (`kind`: primary, secondary or community; see
docs/catalog-format.md), and a licence, whose terms decide what a user may legally do,
never rests on a community copy alone: its own source and the place each of its clauses
was read must be the licensor's text or a maintained copy of it. A model states the date
it was released, so an assessment dated in the past never offers a model from its future.

Known gaps are listed by name (LICENCE_GAPS, RELEASE_DATE_GAPS): a new one fails, and so
does one that has been closed but is still listed.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from makebuy.environment import Environment, MockEnvironment, use_environment
from makebuy.load import LoadedCatalog

from .conftest import SHIPPED_VARIABLES

RELEASE_DATE_GAPS: set[str] = set()
# Known gaps: models whose release date is missing or read only in a community copy.
# Add an id only with a reason; a new gap, or a closed gap still listed, fails.


@pytest.fixture(autouse=True, scope="module")
def environment() -> Iterator[Environment]:
    with use_environment(MockEnvironment(width=100, variables=SHIPPED_VARIABLES)) as env:
        yield env


def test_every_source_says_what_kind_it_is(shipped: LoadedCatalog) -> None:
    unclassified = [
        f"{shipped.origins[('sources', s.id)].path}: {s.id}"
        for s in shipped.catalog.sources.values()
        if s.kind is None
    ]
    assert unclassified == []


LICENCE_GAPS = {
    # Known gaps: licence figures that still rest on a community copy because neither the
    # licensor's text nor a maintained copy of it could be read. Remove an entry when its
    # source lands; a new community-only licence figure, or a gap that has been closed but is
    # still listed here, fails the test.
    **{
        f"falcon-180b-tii.{term}": "TII's LICENSE.txt (Space tiiuae/falcon-180b-license)"
        " could not be read; the clause comes from a third-party mirror"
        for term in (
            "commercial_use",
            "hosting_service",
            "output_training",
            "redistribution",
            "pass_through",
            "share_alike",
            "attribution",
        )
    },
    "mnpl-0.1.hosting_service": "MNPL §3.2 is read only in a third-party quotation; Mistral's"
    " own README states the licence is non-commercial but not the hosting ban",
}


def community_only_licence_figures(loaded: LoadedCatalog) -> set[str]:
    """Licences (by id) whose source is neither primary nor secondary, and licence terms
    (`id.term`) whose clause was read at the address of a community source."""
    sources = loaded.catalog.sources
    community_urls = {s.url for s in sources.values() if s.kind == "community"}
    found = set()
    for lic in loaded.catalog.licences.values():
        if sources[lic.source].kind not in ("primary", "secondary"):
            found.add(lic.id)
        for name, term in lic.terms:
            if term is not None and term.url in community_urls:
                found.add(f"{lic.id}.{name}")
    return found


def test_no_licence_rests_on_a_community_copy(shipped: LoadedCatalog) -> None:
    """A licence's source is the licensor's text (primary) or a maintained copy of it
    (secondary), and no clause was read at the address of a community source."""
    found = community_only_licence_figures(shipped)
    assert found - LICENCE_GAPS.keys() == set(), "licence figures resting on a community copy"
    assert LICENCE_GAPS.keys() - found == set(), "sourced now: drop from LICENCE_GAPS"


def test_every_model_has_a_sourced_release_date(shipped: LoadedCatalog) -> None:
    """Without `released` a model counts as available only from the catalog's own date,
    so an assessment dated in the past would lack it; a date read only in a community
    copy is not good enough to decide that."""
    sources = shipped.catalog.sources
    undated = {
        m.id
        for m in shipped.catalog.models.values()
        if m.released is None or sources[m.released.source].kind == "community"
    }
    assert undated - RELEASE_DATE_GAPS == set(), "models without a sourced release date"
    assert RELEASE_DATE_GAPS - undated == set(), "dated now: drop from RELEASE_DATE_GAPS"


OFFERING_RELEASE_GAPS: dict[str, str] = {
    # Known gaps: offerings whose first-served date is missing or read only in a community
    # copy. Add an id only with a reason; a new gap, or a closed gap still listed, fails.
}


def test_every_offering_has_a_sourced_first_served_date(shipped: LoadedCatalog) -> None:
    """Looking back, an offering without `released` is never ruled out as not served yet;
    where a host's launch day is unpublished the catalog gives the first dated record of it
    being served (an upper bound), which the figure's note says."""
    sources = shipped.catalog.sources
    undated = {
        o.id
        for o in shipped.catalog.offerings.values()
        if o.released is None or sources[o.released.source].kind == "community"
    }
    assert undated - OFFERING_RELEASE_GAPS.keys() == set(), "offerings without a first-served date"
    assert OFFERING_RELEASE_GAPS.keys() - undated == set(), "dated now: drop from the gaps"


def test_no_first_served_date_is_only_the_models_release(shipped: LoadedCatalog) -> None:
    """A `released` that is only the model's own release date ("not before the model's
    release") is a lower bound: an assessment dated before the host's launch would offer the
    option too early. Every offering now carries the host's own dated record or a dated
    upper bound (served no later than); a new lower bound fails."""
    lower = sorted(
        o.id
        for o in shipped.catalog.offerings.values()
        if o.released is not None
        and o.released.note is not None
        and "not before the model's release" in o.released.note
    )
    assert lower == []


def test_no_offering_is_served_before_its_model_is_released(shipped: LoadedCatalog) -> None:
    models = shipped.catalog.models
    early = {
        o.id: (o.released.value, models[o.model].released.value)
        for o in shipped.catalog.offerings.values()
        if o.released is not None
        and models[o.model].released is not None
        and o.released.value < models[o.model].released.value
    }
    assert early == {}
