"""Shared fixtures: the real CLI in-process, the examples, and golden files."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

# The suite never reads or writes the user's catalog cache: one throwaway cache folder
# per session, set before makebuy is imported.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="makebuy-test-cache-")
os.environ.pop("MAKEBUY_NO_CACHE", None)

from makebuy.cli import app
from makebuy.environment import Environment, MockEnvironment, use_environment

ROOT = Path(__file__).resolve().parents[1]
FIXTURE_CATALOG = Path(__file__).parent / "fixtures" / "catalog"
"""A frozen copy of the shipped catalog (see its README): every test that pins figures
reads it as the built-in catalog, so a refresh of catalogs/ never rewrites a golden file."""
FIXTURE_VARIABLES = {"MAKEBUY_BUILTIN_CATALOG": str(FIXTURE_CATALOG)}
os.environ.update(FIXTURE_VARIABLES)  # subprocesses too
SHIPPED_VARIABLES = {"MAKEBUY_BUILTIN_CATALOG": str(ROOT / "catalogs")}
"""For the tests that are about the shipped catalog itself."""
EXAMPLES = ROOT / "examples"
GOLDEN = Path(__file__).parent / "golden"
DATA = Path(__file__).parent / "data"
EXAMPLE_FILES = sorted(EXAMPLES.glob("*.yaml"))
TODAY = dt.date(2026, 12, 1)
"""The suite's today (in-process runs): what depends on the day (`check`'s stale facts,
the catalog-age warning) does not change with the day the suite runs."""


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        help="Rewrite tests/golden/ from the current output (review the diff like code).",
    )


@pytest.fixture(autouse=True)
def environment() -> Iterator[Environment]:
    """Every test runs commands in a fixed environment: no terminal, 100 columns, the
    frozen fixture catalog as the built-in one, and a fixed today."""
    with use_environment(
        MockEnvironment(width=100, variables=FIXTURE_VARIABLES, today=TODAY)
    ) as env:
        yield env


@pytest.fixture(scope="module")
def shipped() -> Any:
    """The shipped catalog, parsed afresh, for modules about it (they also override
    `environment` to make it the built-in one)."""
    from makebuy import catalog_cache, load

    with catalog_cache.bypassed():
        return load.load_catalog()


@pytest.fixture(scope="module")
def cat(shipped: Any) -> Any:
    """The merged catalog of `shipped`."""
    return shipped.catalog


@pytest.fixture
def cli() -> Callable[..., object]:
    """Run `makebuy ARGS` in-process; returns click's Result (exit_code, stdout, stderr)."""
    runner = CliRunner()

    def run(*args: str | Path):
        return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)

    return run


@pytest.fixture(scope="session")
def schema_validator() -> Callable[[str], Any]:
    """One JSON-Schema validator per published schema for the whole session, built from
    what `makebuy schema NAME` prints (the schema itself is checked once, here)."""
    import json

    from jsonschema import Draft202012Validator

    validators: dict[str, Any] = {}

    def get(name: str) -> Any:
        if name not in validators:
            result = CliRunner().invoke(app, ["schema", name], catch_exceptions=False)
            assert result.exit_code == 0, result.stderr
            schema = json.loads(result.stdout)
            Draft202012Validator.check_schema(schema)
            validators[name] = Draft202012Validator(schema)
        return validators[name]

    return get


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Callable[[str, str], None]:
    """Compare text with tests/golden/NAME, or rewrite it with --update-goldens."""
    update = request.config.getoption("--update-goldens")

    def check(name: str, text: str) -> None:
        path = GOLDEN / name
        if update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            return
        assert path.exists(), f"missing golden file {path}; run pytest --update-goldens"
        expected = path.read_text(encoding="utf-8")
        assert text == expected, f"{name} differs from its golden file (pytest --update-goldens)"

    return check
