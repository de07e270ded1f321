"""`makebuy catalog diff OLD NEW`: what a catalog update changes, for its pull request.

Golden files pin every format on two small hand-made catalogs under tests/data/catalog-diff/.
"""

from __future__ import annotations

import json

import pytest

from makebuy.environment import MockEnvironment, use_environment
from makebuy.errors import ExitCode
from makebuy.render import CATALOG_DIFF_RENDERERS, get_catalog_renderer
from tests.conftest import ROOT, SHIPPED_VARIABLES

OLD = "tests/data/catalog-diff/old.yaml"
NEW = "tests/data/catalog-diff/new.yaml"
SUFFIX = {"table": "txt", "markdown": "md", "json": "json"}


@pytest.fixture(autouse=True)
def _in_repository_root(monkeypatch) -> None:
    """Relative paths, so the reports name the files the same on every machine."""
    monkeypatch.chdir(ROOT)


@pytest.mark.parametrize("fmt", sorted(CATALOG_DIFF_RENDERERS))
def test_every_diff_format_matches_its_golden_file(cli, golden, fmt: str) -> None:
    result = cli("catalog", "diff", OLD, NEW, "--format", fmt)
    assert result.exit_code == 0, result.stderr
    golden(f"catalog-diff.{SUFFIX[fmt]}", result.stdout)


def test_every_diff_format_name_maps_to_a_renderer() -> None:
    for name in CATALOG_DIFF_RENDERERS:
        assert callable(get_catalog_renderer(CATALOG_DIFF_RENDERERS, name))


def test_a_price_change_reads_old_to_new_on_its_date(cli) -> None:
    changes = json.loads(cli("catalog", "diff", OLD, NEW, "-f", "json").stdout)["changes"]
    assert {
        "kind": "offering",
        "id": "host/open-7b",
        "change": "price",
        "old": "$0.2 / $0.2",
        "new": "$0.15 / $0.18",
        "effective": "2025-09-01",
        "detail": None,
    } in changes


def test_the_reverse_diff_swaps_added_and_removed(cli) -> None:
    forward = json.loads(cli("catalog", "diff", OLD, NEW, "-f", "json").stdout)["counts"]
    backward = json.loads(cli("catalog", "diff", NEW, OLD, "-f", "json").stdout)["counts"]
    assert (forward["added"], forward["removed"]) == (backward["removed"], backward["added"])


def test_identical_catalogs_have_no_differences_and_exit_0(cli) -> None:
    result = cli("catalog", "diff", OLD, OLD)
    assert result.exit_code == 0
    assert result.stdout.strip() == "no differences"


def test_an_invalid_side_is_bad_input(cli, tmp_path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("makebuy-catalog: 1\nmodels: [{id: nope}]\n", encoding="utf-8")
    result = cli("catalog", "diff", OLD, broken)
    assert result.exit_code == ExitCode.BAD_INPUT


def test_builtin_on_both_sides_shows_only_what_an_overlay_changes(cli, tmp_path) -> None:
    overlay = tmp_path / "overlay.yaml"
    # The excerpt's Mixtral price ($0.40) is the shipped one since the 2026-12-01 refresh, so
    # the import is given a later price to propose; the shipped catalog is the built-in one
    # here, as the overlay's entry cites the shipped sources.
    data = json.loads((ROOT / "tests/data/importers/litellm-excerpt.json").read_text())
    mixtral = data["deepinfra/mistralai/Mixtral-8x7B-Instruct-v0.1"]
    mixtral["input_cost_per_token"] = mixtral["output_cost_per_token"] = 4.5e-07
    excerpt = tmp_path / "litellm-excerpt.json"
    excerpt.write_text(json.dumps(data))
    with use_environment(MockEnvironment(width=100, variables=SHIPPED_VARIABLES)):
        imported = cli(
            "catalog", "import", "litellm", excerpt, "--as-of", "2026-12-01", "-o", overlay
        )
        assert imported.exit_code == 0, imported.stderr
        result = cli("catalog", "diff", "--builtin", "catalogs", overlay, "-f", "json")
    assert result.exit_code == 0, result.stderr
    (change,) = json.loads(result.stdout)["changes"]
    assert (change["id"], change["change"], change["new"]) == (
        "deepinfra/mistralai/Mixtral-8x7B-Instruct-v0.1",
        "price",
        "$0.45 / $0.45",
    )


def test_seats_servers_and_facility_changes_are_listed(cli) -> None:
    changes = json.loads(cli("catalog", "diff", OLD, NEW, "-f", "json").stdout)["changes"]
    picked = {(c["kind"], c["id"], c["change"], c["detail"]): (c["old"], c["new"]) for c in changes}
    assert picked[("seat", "vendor/chat-team", "price", "monthly billing")] == (
        "$30/seat-month",
        "$25/seat-month",
    )
    assert ("seat", "vendor/chat-enterprise", "removed", None) in picked
    assert picked[("server", "test-server", "price", "purchase price")] == ("$300,000", "$280,000")
    assert picked[("server", "test-server", "figure", "power")] == ("10.2 kW", "10.5 kW")
    assert picked[("server", "test-server", "figure", "GPUs")] == (
        "8 x test-gpu-80gb",
        "4 x test-gpu-80gb",
    )
    assert picked[("seat", "vendor/chat-team", "figure", "minimum seats")] == (None, "3")
    assert picked[("facility", "facility", "price", "electricity")] == ("$0.08/kWh", "$0.09/kWh")


def test_catalog_show_finds_a_server(cli) -> None:
    with use_environment(MockEnvironment(variables=SHIPPED_VARIABLES)):
        result = cli("catalog", "show", "nvidia-dgx-b200", "-f", "json")
    assert result.exit_code == 0, result.stderr
    (view,) = json.loads(result.stdout)
    assert view["kind"] == "server" and view["defined_at"].startswith("builtin:servers.yaml:")
    assert any(f["field"] == "power_kw" and f["value"] == 14.3 for f in view["facts"])
