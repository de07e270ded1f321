"""The published JSON Schemas: stable ids and versions, and patterns every validator reads."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from makebuy.models.result import SCHEMA_VERSION
from makebuy.schemas import SCHEMA_NAMES

_ECMA_IDENTITY_ESCAPES = set("^$\\.*+?()[]{}|/-")
"""Characters ECMA-262 lets a `u`-flag regex escape as themselves (`-` inside a class)."""
_ECMA_CLASS_ESCAPES = set("dDsSwWbBfnrtv0")


def _patterns(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "pattern" and isinstance(value, str):
                yield value
            else:
                yield from _patterns(value)
    elif isinstance(node, list):
        for item in node:
            yield from _patterns(item)


def _schema(cli, name: str) -> dict[str, Any]:
    result = cli("schema", name)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_every_schema_has_a_stable_id_and_a_version(cli, name: str) -> None:
    document = _schema(cli, name)
    assert document["$id"] == f"urn:makebuy:schema:{name}:{document['version']}"
    assert isinstance(document["version"], int)


def test_the_assessment_schema_requires_its_version(cli) -> None:
    document = _schema(cli, "assessment")
    assert "schema_version" in document["required"]
    assert document["version"] == SCHEMA_VERSION
    assert document["properties"]["schema_version"]["const"] == SCHEMA_VERSION


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_patterns_are_ecma_262_regexes(cli, name: str) -> None:
    patterns = list(_patterns(_schema(cli, name)))
    for pattern in patterns:
        # Python-only constructs an ECMA-262 engine rejects or reads differently
        for construct in ("(?P<", "(?P=", "\\Z", "\\A", "*+", "++", "?+", "(?#", "(?i"):
            assert construct not in pattern, (pattern, construct)
        for escaped in re.findall(r"\\(.)", pattern):
            assert escaped in _ECMA_IDENTITY_ESCAPES | _ECMA_CLASS_ESCAPES, (pattern, escaped)
    node = shutil.which("node")
    if node and patterns:  # the real thing, where a JavaScript engine is at hand
        script = "for (const p of JSON.parse(process.argv[1])) new RegExp(p, 'u');"
        subprocess.run([node, "-e", script, json.dumps(patterns)], check=True)


def test_the_catalog_url_pattern_still_refuses_what_it_should(cli) -> None:
    from makebuy.models.catalog import URL_PATTERN

    assert URL_PATTERN in list(_patterns(_schema(cli, "catalog")))
    url = re.compile(URL_PATTERN)
    assert url.match("https://example.com/a?b=c#d")
    for bad in ('https://x.com/"q"', "https://x.com/a b", "https://x.com/[x]", "ftp://x.com"):
        assert not url.match(bad), bad
    assert not url.match("https://x.com/a\\b")
