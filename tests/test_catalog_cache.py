"""The catalog cache: the validated catalog is read back instead of re-parsed, and any
change to a catalog file, a broken cache file, `--no-cache` or MAKEBUY_NO_CACHE=1 falls
back to parsing the YAML."""

from __future__ import annotations

from pathlib import Path

import pytest

from makebuy import catalog_cache, load

from .conftest import EXAMPLES

EXTRA = """\
makebuy-catalog: 1
sources:
  - id: cache-test-source
    title: {title}
    url: https://example.com/cache-test
    publisher: Cache Test
"""


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty user cache directory for this test."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("MAKEBUY_NO_CACHE", raising=False)
    return tmp_path / "cache" / "makebuy"


def cache_files(home: Path) -> list[Path]:
    return sorted(home.glob("catalog-*.pickle")) if home.exists() else []


def test_a_second_load_reads_the_cache_and_equals_a_fresh_parse(cache_home: Path) -> None:
    fresh = load.load_catalog()
    assert len(cache_files(cache_home)) == 1
    cached = load.load_catalog()
    assert cached.catalog == fresh.catalog
    assert cached.overrides == fresh.overrides
    assert {k: (o.path, o.line) for k, o in cached.origins.items()} == {
        k: (o.path, o.line) for k, o in fresh.origins.items()
    }


def test_editing_a_catalog_file_gives_the_new_catalog(cache_home: Path, tmp_path: Path) -> None:
    extra = tmp_path / "extra.yaml"
    extra.write_text(EXTRA.format(title="First title"), encoding="utf-8")
    first = load.load_catalog([extra])
    assert first.catalog.sources["cache-test-source"].title == "First title"
    extra.write_text(EXTRA.format(title="Second, longer title"), encoding="utf-8")
    second = load.load_catalog([extra])
    assert second.catalog.sources["cache-test-source"].title == "Second, longer title"
    assert second.catalog.fingerprint != first.catalog.fingerprint
    assert len(cache_files(cache_home)) == 2


@pytest.mark.parametrize("content", [b"", b"not a pickle", b"\x80\x05N."])
def test_a_corrupt_cache_file_is_rebuilt(cache_home: Path, content: bytes) -> None:
    fresh = load.load_catalog()
    (path,) = cache_files(cache_home)
    path.write_bytes(content)
    again = load.load_catalog()
    assert again.catalog == fresh.catalog
    assert path.read_bytes() != content  # rewritten with a good entry


def test_the_environment_variable_bypasses_the_cache(
    cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAKEBUY_NO_CACHE", "1")
    load.load_catalog()
    assert cache_files(cache_home) == []


def test_no_cache_option_bypasses_the_cache(cache_home: Path, cli) -> None:
    result = cli("assess", EXAMPLES / "support-assistant.yaml", "--format", "json", "--no-cache")
    assert result.exit_code == 0, result.stderr
    assert cache_files(cache_home) == []
    assert catalog_cache.enabled()  # only for that command
    result = cli("assess", EXAMPLES / "support-assistant.yaml", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert len(cache_files(cache_home)) == 1


def test_an_unwritable_cache_folder_only_costs_speed(cache_home: Path) -> None:
    cache_home.parent.mkdir(parents=True)
    cache_home.write_text("a file where the folder should be", encoding="utf-8")
    assert load.load_catalog().catalog.sources
