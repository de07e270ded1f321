"""The fuzzing harness: generates hostile inputs and runs them through the real CLI.

Three generators, all seeded so a run can be replayed:

- questionnaires drawn by hypothesis strategies walking the questionnaire's JSON Schema
  (`makebuy schema usecase`), with boundary and hostile leaves (huge, negative and
  non-finite numbers, 5,000-digit integers, long strings, deep nesting, YAML 1.1 booleans,
  dates, unknown and bad tags, anchors and aliases) and hostile whole documents (alias
  bombs, nesting bombs, several documents, binary junk);
- catalog overlays: a small valid overlay (tests/data/fuzz/overlay.yaml) whose leaves,
  keys and entries hypothesis replaces, deletes or duplicates, plus schema-drawn entries;
- byte-level mutations (flip, insert, delete, duplicate bytes and lines) of examples/*.yaml
  and of the overlay.

Each input is run by `run_case` through `python -m makebuy` in a subprocess with a time
limit and an address-space cap, and classified: exit 0/1 (a report), 2 (bad input, named)
are fine; 70, a timeout, running out of memory, a signal or a traceback on stderr is a
FAILURE. The CI test (tests/test_fuzz.py) runs a fixed corpus; benchmarks/fuzz.py runs
the long mode.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
OVERLAY = ROOT / "tests" / "data" / "fuzz" / "overlay.yaml"
FIXTURE_CATALOG = ROOT / "tests" / "fixtures" / "catalog"
BASE_USECASE = ROOT / "examples" / "support-assistant.yaml"

TIMEOUT_S = 20.0
"""A run longer than this is a hang."""
MEMORY_CAP_BYTES = 1024**3
"""RLIMIT_AS of each run: 1 GiB of address space; a run that needs more is a failure."""
OK_CODES = frozenset({0, 1, 2})

# ---------------------------------------------------------------- raw YAML leaves

HOSTILE_SCALARS: tuple[str, ...] = (
    # numbers: boundaries, overflow, non-finite, odd notations
    "0",
    "-1",
    "-0.0",
    "1e308",
    "-1e308",
    "1.7976931348623157e308",
    "1e400",
    "5e-324",
    ".nan",
    ".inf",
    "-.inf",
    ".NaN",
    "9" * 40,
    "9" * 5000,
    "-" + "9" * 5000,
    "0x7fffffffffffffff",
    "0o777",
    "0b1010",
    "1_000_000",
    "1:30:00",
    "+12",
    "1e13",
    "10000000000001",
    "1e-300",
    # YAML 1.1 booleans and nulls
    "yes",
    "no",
    "on",
    "off",
    "y",
    "n",
    "True",
    "FALSE",
    "~",
    "null",
    "''",
    # dates and times
    "2024-01-01",
    "2024-02-30",
    "9999-12-31",
    "0001-01-01",
    "2024-01-01T25:61:00Z",
    "!!timestamp 2024-13-45",
    "!!timestamp not-a-date",
    "!!timestamp 99999-01-01",
    # tags
    "!!float nan",
    "!!float 1e999",
    "!!int 99999999999999999999999999999999999999",
    "!!int 0x",
    "!!str 12",
    "!!binary AAAA",
    "!!python/object/apply:os.system ['true']",
    "!!python/name:os.system ''",
    "!custom 1",
    "!!set {a, b}",
    "!!omap [a: 1]",
    "!!merge x",
    # aliases
    "*undefined",
    "&a [1, 2]",
    # structures in scalar places and vice versa
    "[]",
    "{}",
    "[1, [2, [3]]]",
    "{a: {b: {c: 1}}}",
    "[" * 500 + "]" * 500,
    "{a: " * 200 + "1" + "}" * 200,
    # strings
    '"' + "x" * 100_000 + '"',
    '"\\u0000\\ud800"',
    '"\\x00"',
    '"../../../../etc/passwd"',
    '"/dev/zero"',
    '"<script>alert(1)</script>"',
    '"{{ 7*7 }}"',
    '"' + "é" * 1000 + '"',
)

HOSTILE_DOCUMENTS: tuple[str, ...] = (
    "",
    "---\n",
    "~\n",
    "[]\n",
    "42\n",
    "makebuy: 1\n---\nmakebuy: 1\n",
    "\ufeffmakebuy: 1\nname: bom\n",
    "makebuy: 1\nname: a\nname: b\n",
    "makebuy: 1\n\tname: tab\n",
    "makebuy: 1\nname: \x00\n",
    # billion laughs, 10 levels
    "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(9)
    ),
    # nesting bomb
    "makebuy: 1\nvolume: " + "[" * 10_000 + "]" * 10_000 + "\n",
    "makebuy: 1\nvolume:\n" + "".join(" " * i + f"k{i}:\n" for i in range(1, 600)),
    # a merge key and a recursive alias
    "base: &b {makebuy: 1}\n<<: *b\nname: merged\n",
    "a: &a [*a]\n",
    "makebuy: 1\nname: " + "x" * 2_000_000 + "\n",
)


BOUNDARY_NUMBERS: tuple[int | float, ...] = (
    0,
    1,
    0.0,
    1e-9,
    0.999999,
    5,
    36,
    120,
    1e8,
    1e12,
    1e13,
    10_000_000,
    100_000_000,
    2**53,
    1e300,
)
"""Numbers at or near the documented limits, valid where the field allows them, so
runs reach the cost arithmetic with extreme but accepted figures."""


class Raw(str):
    """A leaf written into the YAML text verbatim (a tag, an alias, a 1.1 boolean, …)."""


def _placeholder(index: int) -> str:
    return f"rawleafq{index:06d}q"


def to_yaml(doc: Any) -> str:
    """Dump `doc` as YAML, writing `Raw` leaves verbatim (as flow YAML)."""
    raws: list[str] = []

    def swap(node: Any) -> Any:
        if isinstance(node, Raw):
            raws.append(str(node))
            return _placeholder(len(raws) - 1)
        if isinstance(node, dict):
            return {swap(k) if isinstance(k, Raw) else k: swap(v) for k, v in node.items()}
        if isinstance(node, list):
            return [swap(v) for v in node]
        return node

    text = yaml.safe_dump(swap(doc), sort_keys=False, allow_unicode=True, width=10_000)
    for index, raw in enumerate(raws):
        text = text.replace(_placeholder(index), raw, 1)
    return text


# ---------------------------------------------------------------- schema strategies

_HOSTILE = st.sampled_from(HOSTILE_SCALARS).map(Raw)


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = {**root["$defs"][name], **{k: v for k, v in schema.items() if k != "$ref"}}
    return schema


def _number(schema: dict[str, Any], integer: bool) -> st.SearchStrategy[Any]:
    low = schema.get("minimum", schema.get("exclusiveMinimum"))
    high = schema.get("maximum", schema.get("exclusiveMaximum"))
    edges = [v for v in (low, high) if v is not None]
    edges += [e + d for e in list(edges) for d in (-1, 1)]
    if integer:
        inner = st.integers(
            min_value=int(low) if low is not None else -(10**6),
            max_value=int(high) if high is not None else 10**9,
        )
        return st.one_of(inner, st.sampled_from(edges or [0]).map(int))
    inner_f = st.floats(
        min_value=float(low) if low is not None else -1e6,
        max_value=float(high) if high is not None else 1e12,
        allow_nan=False,
    )
    return st.one_of(inner_f, st.sampled_from(edges or [0.0]).map(float))


def schema_strategy(
    schema: dict[str, Any], root: dict[str, Any], depth: int = 0, hostile: float = 0.1
) -> st.SearchStrategy[Any]:
    """Values for `schema`: mostly valid, sometimes boundary, sometimes hostile."""
    schema = _resolve(schema, root)
    valid = _valid_strategy(schema, root, depth, hostile)
    weight = max(1, round(hostile * 100))
    return st.integers(0, 99).flatmap(lambda roll: _HOSTILE if roll < weight else valid)


def _valid_strategy(
    schema: dict[str, Any], root: dict[str, Any], depth: int, hostile: float
) -> st.SearchStrategy[Any]:
    if depth > 8:
        return st.none()
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return st.one_of(
                [_valid_strategy(_resolve(s, root), root, depth + 1, hostile) for s in schema[key]]
            )
    if "allOf" in schema:
        return _valid_strategy(_resolve(schema["allOf"][0], root), root, depth + 1, hostile)
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = kind[0]
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties", {})
        required = set(schema.get("required", ()))
        fields = {
            name: schema_strategy(sub, root, depth + 1, hostile) for name, sub in properties.items()
        }
        optional = [n for n in fields if n not in required]

        @st.composite
        def draw_object(draw: Callable[..., Any]) -> dict[Any, Any]:
            out: dict[Any, Any] = {}
            keep = draw(st.sets(st.sampled_from(optional))) if optional else set()
            for name, strategy in fields.items():
                if name in required or name in keep:
                    out[name] = draw(strategy)
            if draw(st.integers(0, 30)) == 0:
                out[draw(st.text(min_size=1, max_size=12))] = draw(_HOSTILE)
            extra = schema.get("additionalProperties")
            if isinstance(extra, dict) and not properties:
                for _ in range(draw(st.integers(0, 3))):
                    out[draw(st.text(min_size=1, max_size=12))] = draw(
                        schema_strategy(extra, root, depth + 1, hostile)
                    )
            return out

        return draw_object()
    if kind == "array":
        items = schema.get("items", {})
        return st.lists(schema_strategy(items, root, depth + 1, hostile), max_size=4)
    if kind == "integer":
        return _number(schema, integer=True)
    if kind == "number":
        return _number(schema, integer=False)
    if kind == "boolean":
        return st.booleans()
    if kind == "string":
        if schema.get("format") == "date":
            return st.dates().map(lambda d: d.isoformat())
        pattern = schema.get("pattern")
        if pattern:
            return st.from_regex(pattern, fullmatch=True)
        return st.text(max_size=40)
    if kind == "null":
        return st.none()
    return st.one_of(st.none(), st.integers(), st.text(max_size=10))


def usecase_schema() -> dict[str, Any]:
    """The questionnaire's JSON Schema, as `makebuy schema usecase` prints it."""
    from makebuy.models.usecase import UseCase

    return UseCase.model_json_schema()


def catalog_schema() -> dict[str, Any]:
    """One catalog file's JSON Schema, as `makebuy schema catalog` prints it."""
    from makebuy.models.catalog import CatalogFile

    return CatalogFile.model_json_schema()


# ---------------------------------------------------------------- mutations of a valid base


def _paths(node: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [at]
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*at, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out += _paths(value, (*at, index))
    return out


def _mutate(base: Any, path: tuple[Any, ...], op: str, value: Any) -> Any:
    if not path:
        return value if op == "replace" else base
    head, rest = path[0], path[1:]
    if isinstance(base, dict):
        out: Any = dict(base)
    else:
        out = list(base)
    if rest:
        out[head] = _mutate(out[head], rest, op, value)
    elif op == "replace":
        out[head] = value
    elif op == "delete":
        del out[head]
    elif op == "duplicate" and isinstance(out, list):
        out.insert(head, out[head])
    elif op == "nest":
        out[head] = {"x": out[head]} if isinstance(out, dict) else [out[head]]
    return out


@st.composite
def mutated_document(
    draw: Callable[..., Any],
    base: Any,
    depth: int = 3,
    hostile: st.SearchStrategy[Any] | None = None,
) -> Any:
    """`base` with 1..depth leaves replaced by hostile or wrong-typed values, deleted,
    duplicated or nested one level deeper (`hostile`: the raw leaves, YAML's by default)."""
    doc = base
    for _ in range(draw(st.integers(1, depth))):
        paths = _paths(doc)
        path = draw(st.sampled_from(paths[1:] or paths))
        op = draw(st.sampled_from(["replace", "replace", "replace", "delete", "duplicate", "nest"]))
        value = draw(
            st.one_of(
                hostile if hostile is not None else _HOSTILE,
                st.sampled_from(BOUNDARY_NUMBERS),
                st.sampled_from(BOUNDARY_NUMBERS),
                st.integers(-(10**20), 10**20),
                st.floats(allow_nan=False),
                st.text(max_size=20),
                st.booleans(),
                st.none(),
                st.lists(st.integers(), max_size=3),
            )
        )
        with contextlib.suppress(KeyError, IndexError, TypeError):
            doc = _mutate(doc, path, op, value)
    return doc


def questionnaire_strategy() -> st.SearchStrategy[str]:
    """Questionnaire texts: schema-drawn, mutated examples, and hostile documents."""
    schema = usecase_schema()
    drawn = schema_strategy(schema, schema, hostile=0.01).map(
        lambda doc: to_yaml({"makebuy": 1, **doc} if isinstance(doc, dict) else doc)
    )
    bases = [yaml.safe_load(p.read_text()) for p in EXAMPLES]
    mutated = st.sampled_from(bases).flatmap(mutated_document).map(to_yaml)
    return st.one_of(drawn, mutated, mutated, st.sampled_from(HOSTILE_DOCUMENTS))


def catalog_strategy() -> st.SearchStrategy[str]:
    """Catalog overlay texts: the seed overlay mutated, schema-drawn files, hostile ones."""
    schema = catalog_schema()
    base = yaml.safe_load(OVERLAY.read_text())
    mutated = mutated_document(base).map(to_yaml)
    drawn = schema_strategy(schema, schema, hostile=0.01).map(
        lambda doc: to_yaml({**doc, "makebuy-catalog": 1} if isinstance(doc, dict) else doc)
    )
    hostile_docs = st.sampled_from(HOSTILE_DOCUMENTS).map(
        lambda text: text.replace("makebuy: 1", "makebuy-catalog: 1")
    )
    return st.one_of(mutated, mutated, mutated, drawn, hostile_docs)


# ---------------------------------------------------------------- config files (TOML)

HOSTILE_TOML_SCALARS: tuple[str, ...] = (
    "0",
    "-1",
    "-0.0",
    "1e308",
    "1.7976931348623157e308",
    "1e400",
    "-1e400",
    "5e-324",
    "nan",
    "inf",
    "-inf",
    "9" * 40,
    "9" * 400,
    "9" * 5000,
    "0x7fffffffffffffff",
    "0o777",
    "1_000_000",
    "true",
    "1979-05-27",
    "1979-05-27T07:32:00Z",
    "07:32:00",
    "[]",
    "{}",
    '[1, "a", [2]]',
    "[" * 3000 + "]" * 3000,
    "{a = " * 500 + "1" + "}" * 500,
    '"' + "x" * 100_000 + '"',
    '"\\u0000"',
    '"/dev/zero"',
    '"../../../../etc/passwd"',
    '["/dev/zero"]',
    '["' + "x" * 5000 + '"]',
    '"<script>alert(1)</script>"',
    "'EUR'",
    '"eur"',
    '"USD"',
    '"topsis"',
    '["buy", "lease"]',
)
"""Leaves written verbatim into a config file's TOML: boundary and non-finite numbers, huge
integers, dates, wrong types, nesting bombs, device and parent paths."""

HOSTILE_TOML_DOCUMENTS: tuple[str, ...] = (
    "",
    "\x00",
    "\ufeffmethod = 'topsis'\n",
    "method = 'topsis'\nmethod = 'topsis'\n",
    "[policy]\n[policy]\n",
    "[[policy]]\ndeny_models = ['a']\n",
    "policy = 1\n",
    "policy = {deny_models = ['a'], policy = {}}\n",
    "[policy.deny_models]\nx = 1\n",
    "catalogs = " + "[" * 10_000 + "]" * 10_000 + "\n",
    "[policy]\ndeny_models = [" + ", ".join(f'"m{i}"' for i in range(50_000)) + "]\n",
    "currency = 'EUR'\n",
    "currency = 'EUR'\nusd_to = 0\n",
    "engineer_cost_per_year = " + "9" * 5000 + "\n",
    "method = '" + "x" * 2_000_000 + "'\n",
    "a.b.c.d.e.f = 1\n",
    "[" + ".".join(["x"] * 2000) + "]\n",
)
"""Whole config documents: empty, binary, BOM, duplicate keys and tables, arrays of tables
where a table belongs, nesting and size bombs."""

CONFIG_BASE: dict[str, Any] = {
    "catalogs": [],
    "currency": "EUR",
    "usd_to": 0.92,
    "engineer_cost_per_year": 150000,
    "method": "topsis",
    "policy": {
        "deny_providers": ["deepseek"],
        "allow_providers": [],
        "deny_models": ["openai/gpt-4o"],
        "allow_models": [],
        "deny_licences": [],
        "allow_licences": [],
        "allowed_kinds": ["buy", "rent", "make", "hybrid"],
        "required_regions": [],
    },
}
"""A valid config with every key (the README's example), mutated by the strategies."""

CONFIG_USECASE_DROPPED = ("currency", "usd_to", "engineer_cost_per_year")
"""Organisation answers the fuzzed configs' questionnaire leaves out, so defaults apply."""

_HOSTILE_TOML = st.sampled_from(HOSTILE_TOML_SCALARS).map(Raw)
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _toml_key(key: Any) -> str:
    text = str(key)
    return text if _BARE_KEY.fullmatch(text) else json.dumps(text)


def _toml_value(value: Any) -> str:
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value:
            return "nan"
        if value in (float("inf"), float("-inf")):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        inner = ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items())
        return "{" + inner + "}"
    if value is None:
        return '""'  # TOML has no null
    return json.dumps(str(value))


def to_toml(doc: Any, table: str = "") -> str:
    """`doc` as a TOML document (its tables under `table`, e.g. "tool.makebuy"), `Raw`
    leaves verbatim. A document that is not a table becomes one key holding it."""
    if not isinstance(doc, dict) or isinstance(doc, Raw):
        doc = {"value": doc}
    lines = [f"[{table}]"] if table else []
    tables = {k: v for k, v in doc.items() if isinstance(v, dict)}
    for key, value in doc.items():
        if key not in tables and value is not None:
            lines.append(f"{_toml_key(key)} = {_toml_value(value)}")
    for key, value in tables.items():
        lines.append(f"[{table + '.' if table else ''}{_toml_key(key)}]")
        lines += [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items() if v is not None]
    return "\n".join(lines) + "\n"


def config_schema() -> dict[str, Any]:
    """The config file's JSON Schema, as `makebuy schema config` prints it."""
    from makebuy.config import Settings

    return Settings.model_json_schema()


def config_strategy(table: str = "") -> st.SearchStrategy[str]:
    """Config file texts (makebuy.toml, or pyproject.toml with `table` "tool.makebuy"):
    the full example mutated with TOML's hostile leaves, schema-drawn settings, and
    hostile whole documents."""
    schema = config_schema()
    mutated = mutated_document(CONFIG_BASE, hostile=_HOSTILE_TOML).map(
        lambda doc: to_toml(doc, table)
    )
    drawn = _valid_strategy(schema, schema, 0, 0.0).map(lambda doc: to_toml(doc, table))
    hostile = st.sampled_from(HOSTILE_TOML_DOCUMENTS)
    if table:
        hostile = hostile.map(lambda text: f'[project]\nname = "x"\n\n[{table}]\n{text}')
    return st.one_of(mutated, mutated, mutated, drawn, hostile)


def write_config_case(kind: str, folder: Path, text: bytes, record: str | None = None) -> Path:
    """A folder holding one fuzzed config file (makebuy.toml, or pyproject.toml for
    "pyproject"), the questionnaire it applies to (`usecase.yaml`, the base example without
    the organisation answers a config may default) and, given one, `record.md`; the path
    of the config file."""
    folder.mkdir(parents=True, exist_ok=True)
    doc = yaml.safe_load(BASE_USECASE.read_text(encoding="utf-8"))
    for key in CONFIG_USECASE_DROPPED:
        doc["organisation"].pop(key, None)
    (folder / "usecase.yaml").write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    if record is not None:
        (folder / "record.md").write_text(record, encoding="utf-8")
    path = folder / ("pyproject.toml" if kind == "pyproject" else "makebuy.toml")
    path.write_bytes(text)
    return path


# ---------------------------------------------------------------- decision records

CHECK_DAY = "2026-11-28"
"""The `--today` of every fuzzed `check` run (the seed record's date)."""

STATUS_VALUES: tuple[str, ...] = (
    "accepted",
    "Superseded by [ADR-0005](0005-x.md)",
    "Accepted | Amended by [9. Handle superseded records](0009-x.md)",
    "superseded by [x](../../../../../../dev/zero)",
    "superseded by [x](/proc/self/environ)",
    "superseded by ADR-" + "9" * 5000,
    "[proposed | rejected | accepted | deprecated | … | superseded by [ADR-0005](0005.md)]",
    "{status}",
    "[" * 2000 + "](x)" * 2000,
    "x" * 100_000,
    "\x00\x01\x7f",
    "deprecated",
    "rejected",
)
"""Status values put in a record's front matter: relations, placeholders, paths leaving
the folder, huge numbers and links, control characters."""

_FRONT = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)
_BLOCK = re.compile(r"(```yaml makebuy\n)(.*?)(```\n)", re.DOTALL)


def with_front_matter(record: str, text: str) -> str:
    """`record` with its front matter's YAML replaced by `text`."""
    return _FRONT.sub(lambda m: f"---\n{text.rstrip(chr(10))}\n---\n", record, count=1)


def with_block(record: str, text: str) -> str:
    """`record` with its `yaml makebuy` block's YAML replaced by `text`."""
    return _BLOCK.sub(lambda m: m.group(1) + text.rstrip("\n") + "\n" + m.group(3), record, 1)


def adr_strategy(record: str) -> st.SearchStrategy[str]:
    """ADR texts from a real record (`makebuy adr new`'s): its front matter and its
    makebuy block mutated leaf by leaf, replaced by hostile documents, and odd statuses."""
    front_match, block_match = _FRONT.search(record), _BLOCK.search(record)
    assert front_match and block_match, "the seed record has front matter and a block"
    front = yaml.safe_load(front_match.group(1))
    block = yaml.safe_load(block_match.group(2))
    hostile = st.sampled_from(HOSTILE_DOCUMENTS)
    return st.one_of(
        mutated_document(front).map(lambda doc: with_front_matter(record, to_yaml(doc))),
        mutated_document(block).map(lambda doc: with_block(record, to_yaml(doc))),
        mutated_document(block).map(lambda doc: with_block(record, to_yaml(doc))),
        mutated_document(block).map(lambda doc: with_block(record, to_yaml(doc))),
        hostile.map(lambda text: with_front_matter(record, text)),
        hostile.map(lambda text: with_block(record, text)),
        st.sampled_from(STATUS_VALUES).map(
            lambda status: with_front_matter(record, to_yaml({**front, "status": status}))
        ),
    )


def draw_many(strategy: st.SearchStrategy[str], count: int, seed_value: int) -> list[str]:
    """`count` examples of `strategy`, the same ones for the same seed and hypothesis."""
    out: list[str] = []

    @settings(
        max_examples=count,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @seed(seed_value)
    @given(strategy)
    def collect(text: str) -> None:
        out.append(text)

    collect()
    return out


# ---------------------------------------------------------------- byte-level mutations


def mutate_bytes(data: bytes, rng: random.Random, rounds: int = 4) -> bytes:
    """`data` with a few bytes or lines flipped, inserted, deleted or duplicated."""
    buf = bytearray(data)
    for _ in range(rng.randint(1, rounds)):
        op = rng.choice(["flip", "insert", "delete", "dup", "line-dup", "line-del", "line-swap"])
        if not buf:
            buf += b"\x00"
        pos = rng.randrange(len(buf))
        if op == "flip":
            buf[pos] ^= 1 << rng.randrange(8)
        elif op == "insert":
            junk = rng.choice(
                [b"\x00", b"\xff", b":", b"&a ", b"*a", b"!!", b"[", b"{", b"\t", b"-"]
            )
            buf[pos:pos] = junk
        elif op == "delete":
            del buf[pos : pos + rng.randint(1, 8)]
        elif op == "dup":
            end = min(len(buf), pos + rng.randint(1, 64))
            buf[pos:pos] = buf[pos:end] * rng.randint(1, 50)
        else:
            lines = bytes(buf).split(b"\n")
            i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
            if op == "line-dup":
                lines.insert(i, lines[j])
            elif op == "line-del":
                del lines[i]
            else:
                lines[i], lines[j] = lines[j], lines[i]
            buf = bytearray(b"\n".join(lines))
    return bytes(buf)


def byte_mutants(sources: list[Path], count: int, seed_value: int) -> list[bytes]:
    """`count` byte-level mutants of `sources`, seeded."""
    rng = random.Random(seed_value)
    blobs = [p.read_bytes() for p in sources]
    return [mutate_bytes(rng.choice(blobs), rng) for _ in range(count)]


# ---------------------------------------------------------------- running and classifying


@dataclass(frozen=True)
class Outcome:
    """How one run ended."""

    kind: str  # "questionnaire" | "catalog"
    exit_code: int | None  # None: killed by the time limit
    seconds: float
    verdict: str  # "ok" | "exit-70" | "timeout" | "memory" | "traceback" | "signal"
    stderr_tail: str

    @property
    def failed(self) -> bool:
        return self.verdict != "ok"


def _limit_memory() -> None:  # pragma: no cover - runs in the child
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP_BYTES, MEMORY_CAP_BYTES))


def command_for(kind: str, path: Path) -> list[str]:
    """The command line a fuzzed file is run with: a questionnaire or catalog is assessed;
    an ADR is checked; a config file (makebuy.toml, pyproject.toml) applies to the run in
    its folder, an assessment of `usecase.yaml` or, for "config-check", a check of
    `record.md` (see `write_config_case`)."""
    makebuy = [sys.executable, "-m", "makebuy"]
    if kind == "questionnaire":
        return [*makebuy, "assess", str(path), "--format", "json"]
    if kind == "adr":
        return [*makebuy, "check", str(path), "--today", CHECK_DAY, "--format", "json"]
    if kind in ("config", "pyproject"):
        return [*makebuy, "assess", str(path.parent / "usecase.yaml"), "--format", "json"]
    if kind == "config-check":
        return [*makebuy, "check", str(path.parent / "record.md"), "--today", CHECK_DAY]
    return [
        sys.executable,
        "-m",
        "makebuy",
        "assess",
        str(BASE_USECASE),
        "--catalog",
        str(path),
        "--format",
        "json",
    ]


def child_environment() -> dict[str, str]:
    """The environment of each run: the frozen fixture catalog, no colour, no cache."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKEBUY_")}
    env["MAKEBUY_BUILTIN_CATALOG"] = str(FIXTURE_CATALOG)
    env["NO_COLOR"] = "1"
    env["COLUMNS"] = "100"
    env["XDG_CACHE_HOME"] = str(Path(tempfile.gettempdir()) / "makebuy-fuzz-cache")
    return env


_MEMORY_MARKERS = re.compile(r"MemoryError|Cannot allocate memory|std::bad_alloc")


def classify(kind: str, code: int | None, seconds: float, stderr: str) -> Outcome:
    """The verdict of one run from its exit code and stderr."""
    tail = stderr[-2000:]
    if code is None:
        verdict = "timeout"
    elif _MEMORY_MARKERS.search(stderr):
        verdict = "memory"
    elif "Traceback (most recent call last)" in stderr:
        verdict = "traceback"
    elif code == 70:
        verdict = "exit-70"
    elif code < 0:
        verdict = "signal"
    elif code in OK_CODES:
        verdict = "ok"
    else:
        verdict = f"exit-{code}"
    return Outcome(kind, code, seconds, verdict, tail)


def run_case(
    kind: str, path: Path, timeout: float = TIMEOUT_S, command: list[str] | None = None
) -> Outcome:
    """Run one fuzzed file through the real CLI in a subprocess, capped, and classify it
    (`command` replaces the CLI, for testing the harness itself)."""
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            command or command_for(kind, path),
            capture_output=True,
            timeout=timeout,
            env=child_environment(),
            cwd=path.parent,
            preexec_fn=_limit_memory,
            stdin=subprocess.DEVNULL,
            check=False,
        )
        code: int | None = proc.returncode
        stderr = proc.stderr.decode("utf-8", "replace")
    except subprocess.TimeoutExpired as exc:
        code = None
        stderr = (exc.stderr or b"").decode("utf-8", "replace")
    return classify(kind, code, time.perf_counter() - start, stderr)


def arguments_for(kind: str, path: Path) -> list[str]:
    """The makebuy arguments (after the program name) a fuzzed file is run with."""
    return command_for(kind, path)[3:]


_FORK_ENVIRONMENT: dict[str, str] = {}


def prepare_forked_runs(cache_dir: Path) -> None:
    """Set this process up as a fork server: the children's environment (with `cache_dir`
    as their cache), and every module an assessment needs imported once (one warm-up
    run), so a forked run costs what the assessment costs, not the interpreter's start.
    This process's own environment is left as it was."""
    _FORK_ENVIRONMENT.clear()
    _FORK_ENVIRONMENT.update(child_environment())
    _FORK_ENVIRONMENT["XDG_CACHE_HOME"] = str(cache_dir)
    from typer.testing import CliRunner

    from makebuy.cli import app

    CliRunner().invoke(app, arguments_for("catalog", OVERLAY), env=_FORK_ENVIRONMENT)


def run_case_forked(kind: str, path: Path, timeout: float = TIMEOUT_S) -> Outcome:
    """Run one fuzzed file through the CLI's entry point (`makebuy.cli.main`) in a forked
    child of this process (see `prepare_forked_runs`), with the same time limit, address
    space cap and classification as `run_case`. The child is a real process: its exit
    code, signals and stderr are what a user would see."""
    err_path = path.with_suffix(path.suffix + ".stderr")
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 71
        try:
            _limit_memory()
            null = os.open(os.devnull, os.O_RDWR)
            err = os.open(err_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(null, 0)
            os.dup2(null, 1)
            os.dup2(err, 2)
            sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115
            sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
            sys.stderr = open(2, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
            os.environ.clear()
            os.environ.update(_FORK_ENVIRONMENT or child_environment())
            from makebuy import environment

            environment._ACTIVE.set(None)  # a fresh process has no test environment
            os.chdir(path.parent)
            sys.argv = ["makebuy", *arguments_for(kind, path)]
            from makebuy.cli import main

            try:
                main()
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except BaseException:
            import traceback

            traceback.print_exc()
        finally:
            with contextlib.suppress(Exception):
                sys.stdout.flush()
                sys.stderr.flush()
            os._exit(code)
    deadline = start + timeout
    status: int | None = None
    while True:
        done, raw = os.waitpid(pid, os.WNOHANG)
        if done:
            status = raw
            break
        if time.perf_counter() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            break
        time.sleep(0.005)
    seconds = time.perf_counter() - start
    stderr = err_path.read_text("utf-8", "replace") if err_path.exists() else ""
    err_path.unlink(missing_ok=True)
    code: int | None = None if status is None else os.waitstatus_to_exitcode(status)
    return classify(kind, code, seconds, stderr)


def summary(outcomes: list[Outcome]) -> dict[str, Any]:
    """Counts by exit code and verdict, and the slowest run."""
    codes: dict[str, int] = {}
    verdicts: dict[str, int] = {}
    for o in outcomes:
        key = "timeout" if o.exit_code is None else str(o.exit_code)
        codes[key] = codes.get(key, 0) + 1
        verdicts[o.verdict] = verdicts.get(o.verdict, 0) + 1
    return {"runs": len(outcomes), "exit_codes": codes, "verdicts": verdicts}


def dump(outcome: Outcome) -> str:
    return json.dumps(outcome.__dict__)
