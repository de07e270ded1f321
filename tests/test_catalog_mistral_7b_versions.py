"""Mistral 7B Instruct versions are told apart in the shipped catalog.

`mistral/mistral-7b-instruct` is v0.3 (vocab 32768, released 2024-05-22); hosts that serve v0.2
point at `mistral/mistral-7b-instruct-v0.2` (vocab 32000, rope theta 1e6, no sliding window,
released 2023-12-11 per Mistral's own model card in mistralai/platform-docs-public). Evidence
measured on one version is not filed under another. A change to one of these facts must change
this file and say why.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest

from makebuy.environment import Environment, MockEnvironment, use_environment
from makebuy.importers.hf import estimated_parameters
from makebuy.models.catalog import Architecture, Catalog

from .conftest import SHIPPED_VARIABLES

V02 = "mistral/mistral-7b-instruct-v0.2"
V03 = "mistral/mistral-7b-instruct"


@pytest.fixture(autouse=True, scope="module")
def environment() -> Iterator[Environment]:
    with use_environment(MockEnvironment(width=100, variables=SHIPPED_VARIABLES)) as env:
        yield env


def _version(api_model_id: str) -> str | None:
    """'0.2' from 'mistralai/Mistral-7B-Instruct-v0.2' or 'mistral.mistral-7b-instruct-v0:2'."""
    found = re.search(r"mistral-7b-instruct-v0[.:](\d)", api_model_id.lower())
    return f"0.{found.group(1)}" if found else None


def test_every_offering_naming_a_mistral_7b_version_points_at_that_version(cat: Catalog) -> None:
    expected = {"0.2": V02, "0.3": V03}
    named = {
        off.id: (_version(off.api_model_id), off.model)
        for off in cat.offerings.values()
        if _version(off.api_model_id)
    }
    assert named, "no offering names a Mistral 7B Instruct version"
    wrong = {i: (v, m) for i, (v, m) in named.items() if expected.get(v or "") != m}
    assert wrong == {}
    assert {i for i, (_, m) in named.items() if m == V02} == {
        "aws-bedrock/mistral.mistral-7b-instruct-v0:2",
        "together/mistralai/Mistral-7B-Instruct-v0.2",
    }


def test_v02_is_its_own_model_sized_from_its_config(cat: Catalog) -> None:
    """Shapes as v0.3 but vocab 32000: 7,241,732,096 parameters, 6,291,456 fewer than v0.3."""
    v02, v03 = cat.models[V02], cat.models[V03]
    assert v02.family == v03.family == "mistral-7b" and v02.licence == "apache-2.0"
    assert v02.released is not None and v02.released.value == dt.date(2023, 12, 11)
    assert cat.sources[v02.released.source].kind == "primary"
    assert v02.context_tokens is not None and v02.context_tokens.value == 32768
    assert v02.architecture is not None and v03.architecture is not None
    shapes = ("layers", "hidden_size", "attention_heads", "kv_heads", "head_dim")
    assert [getattr(v02.architecture, k) for k in shapes] == [32, 4096, 32, 8, 128]
    assert [getattr(v03.architecture, k) for k in shapes] == [32, 4096, 32, 8, 128]
    assert v02.architecture.sliding_window is None

    def total(vocab: int) -> float:
        arch = Architecture(
            **{k: getattr(v02.architecture, k) for k in shapes},
            vocab_size=vocab,
            intermediate_size=14336,
            source=v02.architecture.source,
            as_of=v02.architecture.as_of,
        )
        return estimated_parameters(arch, tied_embeddings=False)[0]

    assert round(total(32000) * 1e9) == 7_241_732_096
    assert round(total(32768) * 1e9) - round(total(32000) * 1e9) == 768 * 4096 * 2
    assert v02.parameters_b is not None and v02.parameters_b.value == round(total(32000), 2)
    assert v03.parameters_b is not None and v03.parameters_b.value == round(total(32768), 2)


def test_bedrock_v02_is_dated_by_its_own_first_sighting(cat: Catalog) -> None:
    """No longer held at v0.3's release: GenU commit daa68982 lists it on 2024-03-05."""
    off = cat.offerings["aws-bedrock/mistral.mistral-7b-instruct-v0:2"]
    assert off.released is not None and off.released.value == dt.date(2024, 3, 5)
    assert off.released.source == "off-genu-bedrock-model-history"


def test_arena_rates_v02_under_its_own_entry(cat: Catalog) -> None:
    """The 2026-01-16 board lists mistral-7b-instruct-v0.2 (1151 +/-7) apart from
    mistral-7b-instruct (v0.1, 1111 +/-9), which stays a flagged stand-in for v0.3."""
    v02 = cat.evidence[(V02, "lmarena-text")]
    assert (v02.value, v02.ci95, v02.votes, v02.status) == (1151, 7, 19402, "secondary")
    v03 = cat.evidence[(V03, "lmarena-text")]
    assert v03.value == 1111 and v03.status == "unverified"
