"""Load stage: YAML files into validated pydantic models, and nothing else.

Errors name the file, the line and the field path. YAML is parsed node by node so that
every value keeps the line it was written on, and duplicate keys are errors (PyYAML would
silently keep the last one).
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import difflib
import hashlib
import io
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar, TextIO

import yaml
from pydantic import BaseModel, ValidationError

from makebuy import catalog_cache
from makebuy.errors import InputError, InputErrors
from makebuy.models.catalog import Catalog, CatalogFile
from makebuy.models.result import Assumption
from makebuy.models.usecase import EvalResult, EvalsFile, UseCase

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class LoadedYaml:
    """Parsed YAML plus the line of every key and list item, by path."""

    data: Any
    lines: dict[Path_, int]
    path: str

    def line_of(self, loc: Iterable[str | int]) -> int | None:
        """The line of the deepest known prefix of `loc` (pydantic locations may go deeper)."""
        loc = tuple(loc)
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return self.lines.get((), None)


_TAG_PREFIX = "tag:yaml.org,2002:"

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's loader when PyYAML was built with it (ten times faster), else the pure one."""


class _Loader(_BaseLoader):  # type: ignore[valid-type,misc]
    """The safe loader with YAML 1.2 core-schema scalars, as editors read YAML.

    PyYAML resolves plain scalars by YAML 1.1: `no`, `off`, `y` are booleans, `2024-01-01`
    a date, `0777` octal. The YAML language server (VS Code and others), reading with 1.2,
    sees the strings `no` and `2024-01-01`, so a questionnaire it accepts against
    `makebuy schema usecase` (`languages: [en, no]`, Norwegian; `name: 2024-01-01`) must
    load here too: only `true`/`false` are booleans, only `null`, `~` and an empty value
    are null, and dates stay text until a model field reads them as dates. Numbers follow
    1.2 (`1e6` is a float, `0o17` octal, `0x1F` hex); digits grouped with `_` still read
    as numbers, as PyYAML always read them.
    """

    yaml_implicit_resolvers: ClassVar[dict[Any, list[tuple[str, re.Pattern[str]]]]] = {}


for _tag, _pattern, _first in (
    ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    (
        "int",
        r"^(?:[-+]?[0-9][0-9_]*|0o[0-7]+|0x[0-9a-fA-F]+)$",
        "-+0123456789",
    ),
    (
        "float",
        r"^(?:[-+]?(?:\.[0-9][0-9_]*|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        "-+0123456789.",
    ),
    ("merge", r"^(?:<<)$", "<"),
):
    _Loader.add_implicit_resolver(_TAG_PREFIX + _tag, re.compile(_pattern), list(_first))


def _construct_yaml12_int(loader: Any, node: yaml.ScalarNode) -> int:
    """A 1.2 integer: decimal (leading zeros are decimal, not octal), 0o octal, 0x hex."""
    text = str(loader.construct_scalar(node)).replace("_", "")
    if text.startswith("0o"):
        return int(text[2:], 8)
    if text.startswith("0x"):
        return int(text[2:], 16)
    return int(text, 10)


_Loader.add_constructor(_TAG_PREFIX + "int", _construct_yaml12_int)

MAX_YAML_DEPTH = 64
"""Deepest nesting of collections in any YAML input (the built-in catalog needs 6)."""
MAX_ALIAS_NODES = 10_000
"""Most values that aliases (`*name`, merge keys) may copy in one YAML document, so that
a "billion laughs" document fails at once instead of filling memory."""
MAX_SCALAR_CHARS = 1024 * 1024
"""Longest single YAML value: 1 MiB of text."""
MAX_INT_DIGITS = 30
"""Most digits in a YAML integer (a million times more than any count makebuy uses)."""

_TAG = "tag:yaml.org,2002:"
_KNOWN_TAGS = {
    _TAG + name
    for name in ("null", "bool", "int", "float", "str", "timestamp", "merge", "seq", "map")
}
"""The plain-data tags every makebuy input may use; any other (`!!python/object`,
`!!binary`, `!!set`, a local `!tag`) is refused."""


def parse_yaml(text: str, path: str) -> LoadedYaml:
    """Parse one YAML document keeping line numbers; raise InputError on bad YAML.

    This is the one YAML reader of makebuy (questionnaires, catalogs, evals, decision
    records and their front matter, `--set` values, model cards): safe tags only, and the
    limits above, checked on the parsed node graph before any value is built.
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        lines: dict[Path_, int] = {}
        data = None
        if node is not None:
            _check_limits(node, path)
            data = _construct(loader, node, (), lines, path)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise InputError(f"YAML syntax error: {problem}", path=path, line=line) from None
    except yaml.YAMLError as exc:
        raise InputError(f"YAML error: {exc}", path=path) from None
    except RecursionError:
        raise InputError(f"YAML nested more than {MAX_YAML_DEPTH} levels deep", path=path) from None
    finally:
        loader.dispose()
    return LoadedYaml(data=data, lines=lines, path=path)


def _children(node: yaml.Node) -> list[tuple[str | int | None, yaml.Node]]:
    """Each child with its name in the field path (a key is named by itself)."""
    if isinstance(node, yaml.MappingNode):
        out: list[tuple[str | int | None, yaml.Node]] = []
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else None
            out += [(name, key), (name, value)]
        return out
    if isinstance(node, yaml.SequenceNode):
        return list(enumerate(node.value))
    return []


def _check_limits(root: yaml.Node, path: str) -> None:
    """Refuse, before building anything, a node graph beyond the documented limits.

    One depth-first walk without recursion: each node is entered once; a node met again
    is an alias, and the size of what it copies (known by then) is added to a running
    total, which is exactly the number of values aliases would add to the document.
    """
    # A frame: node, its name in the field path, children left, expanded size, height.
    stack: list[list[Any]] = [[root, None, iter(_children(root)), 1, 1]]

    def fail(message: str, node: yaml.Node, name: str | int | None = None) -> InputError:
        at = tuple(f[1] for f in stack[1:] if f[1] is not None)
        at = at if name is None else (*at, name)
        line = node.start_mark.line + 1
        return InputError(message, path=path, line=line, field=_dotted(at) or None)

    done: dict[int, tuple[int, int]] = {}  # id -> (values once expanded, height)
    open_ids = {id(root)}
    copied = 0
    _check_node(root, fail, None)
    while stack:
        frame = stack[-1]
        name, child = next(frame[2], (None, None))
        if child is None:
            stack.pop()
            open_ids.discard(id(frame[0]))
            done[id(frame[0])] = (frame[3], frame[4])
            if stack:
                stack[-1][3] += frame[3]
                stack[-1][4] = max(stack[-1][4], frame[4] + 1)
            continue
        if id(child) in open_ids:
            raise fail("an alias refers to the collection that contains it", child, name)
        known = done.get(id(child))
        if known is not None:
            copied += known[0]
            if copied > MAX_ALIAS_NODES:
                raise fail(f"aliases copy more than {MAX_ALIAS_NODES:,} values", frame[0], name)
            if len(stack) + known[1] > MAX_YAML_DEPTH:
                raise fail(f"nested more than {MAX_YAML_DEPTH} levels deep", frame[0], name)
            frame[3] += known[0]
            frame[4] = max(frame[4], known[1] + 1)
            continue
        if len(stack) + 1 > MAX_YAML_DEPTH:
            raise fail(f"nested more than {MAX_YAML_DEPTH} levels deep", child, name)
        _check_node(child, fail, name)
        if isinstance(child, yaml.ScalarNode):
            done[id(child)] = (1, 1)
            frame[3] += 1
            frame[4] = max(frame[4], 2)
            continue
        open_ids.add(id(child))
        stack.append([child, name, iter(_children(child)), 1, 1])


_INT_DIGIT = re.compile(r"[0-9a-fA-F]")


def _check_node(node: yaml.Node, fail: Any, name: str | int | None) -> None:
    if node.tag not in _KNOWN_TAGS:
        tag = node.tag.replace(_TAG, "!!", 1)
        raise fail(f"unsupported YAML tag {tag}: only plain data is read", node, name)
    if not isinstance(node, yaml.ScalarNode):
        return
    if len(node.value) > MAX_SCALAR_CHARS:
        raise fail(f"a value longer than {MAX_SCALAR_CHARS:,} characters", node, name)
    if node.tag == _TAG + "int" and len(_INT_DIGIT.findall(node.value)) > MAX_INT_DIGITS:
        raise fail(f"an integer of more than {MAX_INT_DIGITS} digits", node, name)


def _scalar(loader: Any, node: yaml.Node, at: Path_, path: str) -> Any:
    """One scalar; a value its tag cannot read (`!!timestamp soon`) is an input error."""
    try:
        return loader.construct_object(node, deep=True)
    except yaml.YAMLError:
        raise
    except (ValueError, TypeError, AttributeError, OverflowError, IndexError):
        kind = node.tag.removeprefix(_TAG)
        raise InputError(
            f"{node.value[:40]!r} is not a valid {kind}",
            path=path,
            line=node.start_mark.line + 1,
            field=_dotted(at) or None,
        ) from None


def _construct(
    loader: Any,
    node: yaml.Node,
    at: Path_,
    lines: dict[Path_, int],
    path: str,
    open_nodes: frozenset[int] = frozenset(),
) -> Any:
    if id(node) in open_nodes:
        raise InputError(
            "an alias refers to the collection that contains it",
            path=path,
            line=node.start_mark.line + 1,
            field=_dotted(at) or None,
        )
    open_nodes = open_nodes | {id(node)}
    lines.setdefault(at, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise InputError(
                    "a mapping key must be a plain value",
                    path=path,
                    line=key_node.start_mark.line + 1,
                )
            key = _scalar(loader, key_node, at, path)
            key = key if isinstance(key, str) else str(key)
            if key in out:
                raise InputError(
                    f"duplicate key {key!r}",
                    path=path,
                    line=key_node.start_mark.line + 1,
                    field=_dotted((*at, key)),
                )
            lines[(*at, key)] = key_node.start_mark.line + 1
            out[key] = _construct(loader, value_node, (*at, key), lines, path, open_nodes)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [
            _construct(loader, item, (*at, i), lines, path, open_nodes)
            for i, item in enumerate(node.value)
        ]
    return _scalar(loader, node, at, path)


def _dotted(loc: Iterable[str | int]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


MAX_INPUT_BYTES = 20 * 1024 * 1024
"""Largest file makebuy reads (questionnaire, catalog, ADR, template): 20 MiB, a hundred
times the built-in catalog. A bigger file is refused before it is read."""


def check_input_file(path: Path) -> None:
    """Refuse, before opening it, what is not a regular file of at most MAX_INPUT_BYTES.

    A device (`/dev/zero`) would be read forever and a FIFO would block on open, so both
    are refused by their type; symbolic links are followed to what they name.
    """
    import stat

    try:
        info = path.stat()
    except FileNotFoundError:
        raise InputError("file not found", path=path) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", path=path) from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError("is a folder, expected a file", path=path)
    if not stat.S_ISREG(info.st_mode):
        raise InputError("not a regular file (a device, FIFO or socket); refused", path=path)
    if info.st_size > MAX_INPUT_BYTES:
        raise InputError(
            f"{info.st_size:,} bytes is above the {MAX_INPUT_BYTES // 2**20} MiB input limit",
            path=path,
        )


def read_text(path: Path) -> str:
    """Read a UTF-8 file, turning OS errors into an InputError naming the file."""
    check_input_file(path)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("file not found", path=path) from None
    except IsADirectoryError:
        raise InputError("is a folder, expected a YAML file", path=path) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason})", path=path) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", path=path) from None


def validation_errors(
    exc: ValidationError, doc: LoadedYaml, model: type[BaseModel], prefix: Path_ = ()
) -> list[InputError]:
    """Turn pydantic's errors into InputErrors with line, field path and a suggestion."""
    out: list[InputError] = []
    for err in exc.errors(include_url=False):
        loc = tuple(p for p in err["loc"] if not _is_union_tag(p))
        full = (*prefix, *loc)
        message = err["msg"]
        if err["type"] == "extra_forbidden":
            message = "unknown key"
            hint = _suggest(model, loc)
            if hint:
                message += f"; did you mean {hint!r}?"
        elif err["type"] == "missing":
            message = "required key is missing"
        elif err["type"].startswith("literal_error"):
            message = f"{message} (got {err.get('input')!r})"
        out.append(InputError(message, path=doc.path, line=doc.line_of(full), field=_dotted(full)))
    # One message per field: unions report every branch, the first is the clearest.
    seen: set[tuple[int | None, str | None]] = set()
    unique = []
    for e in out:
        if (e.line, e.field) not in seen:
            seen.add((e.line, e.field))
            unique.append(e)
    return unique


def _is_union_tag(part: str | int) -> bool:
    """pydantic adds the union member's type name to locations: not a field of the YAML."""
    return isinstance(part, str) and (
        part in {"float", "int", "str", "bool", "list[str]", "date"}
        or part.startswith(("literal[", "function-", "Figure[", "Term["))
    )


def _suggest(model: type[BaseModel], loc: tuple[str | int, ...]) -> str | None:
    """Close known key names for an unknown key at `loc`."""
    current: Any = model
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", None)
        if not fields or (part not in fields and not _alias_field(current, part)):
            return None
        info = fields.get(part) or _alias_field(current, part)
        current = _model_of(info.annotation)
        if current is None:
            return None
    known = [info.alias or name for name, info in getattr(current, "model_fields", {}).items()]
    matches = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.6)
    return matches[0] if matches else None


def _alias_field(model: Any, alias: str) -> Any:
    for info in model.model_fields.values():
        if info.alias == alias:
            return info
    return None


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model inside an annotation such as `Task | None` or `list[Model]`."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_of(arg)
        if found is not None:
            return found
    return None


# ---------------------------------------------------------------- questionnaire


@dataclass(frozen=True)
class LoadedUseCase:
    """A validated questionnaire, where it came from and which keys it answered."""

    usecase: UseCase
    path: str
    answered: frozenset[str] = field(default_factory=frozenset)
    lines: dict[Path_, int] = field(default_factory=dict)
    evals: tuple[LoadedEval, ...] = ()


@dataclass(frozen=True)
class LoadedEval:
    """One row of the user's eval file and where it was written (for messages)."""

    result: EvalResult
    path: str
    line: int | None


STDIN_NAME = "<stdin>"
"""How errors and reports name a questionnaire read from standard input (`assess -`)."""


@dataclass(frozen=True)
class QuestionnaireText:
    """A questionnaire already read (from stdin: `makebuy assess - < usecase.yaml`).

    The CLI reads standard input once, through the Environment, and hands this on, so
    `what-if` can assess it twice. Relative paths inside it (`evidence.file`) resolve
    against `base_dir`, the working directory, as there is no file to be next to."""

    text: str
    name: str
    base_dir: Path


def read_stdin(stream: TextIO, base_dir: Path) -> QuestionnaireText:
    """Read a questionnaire from `stream`, refusing more than MAX_INPUT_BYTES."""
    text = stream.read(MAX_INPUT_BYTES + 1)
    if len(text) > MAX_INPUT_BYTES:
        raise InputError(
            f"more than the {MAX_INPUT_BYTES // 2**20} MiB input limit", path=STDIN_NAME
        )
    return QuestionnaireText(text=text, name=STDIN_NAME, base_dir=base_dir)


def load_usecase(
    path: Path | QuestionnaireText,
    evals_path: Path | None = None,
    overrides: Sequence[tuple[str, Any]] = (),
) -> LoadedUseCase:
    """Read and validate one questionnaire (a file, or text read from stdin), and the
    eval files it names or `evals_path` (`--evals`; its rows come after the
    questionnaire's, so they win a tie).

    `overrides` ((dotted key, value) pairs, from `what-if --set`) replace answers before
    validation; an error in one names the key as the field."""
    if isinstance(path, QuestionnaireText):
        doc = parse_yaml(path.text, path.name)
        base_dir = path.base_dir
    else:
        doc = parse_yaml(read_text(path), str(path))
        base_dir = path.parent
    if overrides:
        doc = with_overrides(doc, overrides)
    loaded = validate_usecase(doc)
    named = loaded.usecase.evidence.file
    rows: list[LoadedEval] = []
    if named is not None:
        rows += load_evals(base_dir / named)
    if evals_path is not None:
        rows += load_evals(evals_path)
    if not rows:
        return loaded
    return LoadedUseCase(
        usecase=loaded.usecase,
        path=loaded.path,
        answered=loaded.answered,
        lines=loaded.lines,
        evals=tuple(rows),
    )


def with_overrides(doc: LoadedYaml, overrides: Sequence[tuple[str, Any]]) -> LoadedYaml:
    """The parsed questionnaire with each dotted key set to its value (missing sections are
    created; a key that runs through a non-mapping is an input error)."""
    if not isinstance(doc.data, dict):
        raise InputError("expected a mapping of questionnaire keys", path=doc.path, line=1)
    data: dict[str, Any] = copy.deepcopy(doc.data)
    for key, value in overrides:
        parts = key.split(".")
        node = data
        for part in parts[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise InputError(
                    f"cannot set {key}: {part} is not a section", path="--set", field=key
                )
            node = child
        node[parts[-1]] = value
    return LoadedYaml(data=data, lines=doc.lines, path=doc.path)


EVAL_COLUMNS = ("model", "score", "benchmark", "value", "eval", "date", "task", "note")
"""Columns of a CSV eval file (a header row names them; empty cells are left out)."""


def load_evals(path: Path) -> list[LoadedEval]:
    """Read a YAML (`evals:` list) or CSV eval file; errors name file, line and field."""
    text = read_text(path)
    if path.suffix.lower() == ".csv":
        return _csv_evals(text, str(path))
    doc = parse_yaml(text, str(path))
    if not isinstance(doc.data, dict):
        raise InputError("expected a mapping with an evals: list", path=doc.path, line=1)
    try:
        parsed = EvalsFile.model_validate(doc.data)
    except ValidationError as exc:
        errors = validation_errors(exc, doc, EvalsFile)
        raise (errors[0] if len(errors) == 1 else InputErrors(errors)) from None
    return [
        LoadedEval(row, doc.path, doc.line_of(("evals", i))) for i, row in enumerate(parsed.evals)
    ]


def _csv_evals(text: str, path: str) -> list[LoadedEval]:
    reader = csv.DictReader(io.StringIO(text))
    unknown = [c for c in reader.fieldnames or [] if c not in EVAL_COLUMNS]
    if not reader.fieldnames or unknown:
        raise InputError(
            f"unknown column {unknown[0]!r}; columns are {', '.join(EVAL_COLUMNS)}"
            if unknown
            else "empty file; expected a header row",
            path=path,
            line=1,
        )
    rows: list[LoadedEval] = []
    errors: list[InputError] = []
    for record in reader:
        line = reader.line_num
        data = {k: v.strip() for k, v in record.items() if k and v is not None and v.strip()}
        try:
            rows.append(LoadedEval(EvalResult.model_validate(data), path, line))
        except ValidationError as exc:
            for err in exc.errors(include_url=False):
                loc = [p for p in err["loc"] if not _is_union_tag(p)]
                errors.append(
                    InputError(err["msg"], path=path, line=line, field=_dotted(loc) or None)
                )
    if errors:
        raise errors[0] if len(errors) == 1 else InputErrors(errors)
    return rows


def validate_usecase(doc: LoadedYaml) -> LoadedUseCase:
    """Validate parsed YAML as a questionnaire; raise InputError naming line and field."""
    if not isinstance(doc.data, dict):
        raise InputError("expected a mapping of questionnaire keys", path=doc.path, line=1)
    try:
        usecase = UseCase.model_validate(doc.data)
    except ValidationError as exc:
        errors = validation_errors(exc, doc, UseCase)
        raise (errors[0] if len(errors) == 1 else InputErrors(errors)) from None
    return LoadedUseCase(
        usecase=usecase, path=doc.path, answered=frozenset(_keys(doc.data)), lines=doc.lines
    )


def check_candidates(loaded: LoadedUseCase, catalog: Catalog) -> None:
    """Model ids in `candidates` must exist in the catalog (a typo would silently match none)."""
    for key in ("include", "exclude"):
        for i, model_id in enumerate(getattr(loaded.usecase.candidates, key)):
            if model_id not in catalog.models:
                close = difflib.get_close_matches(model_id, list(catalog.models), n=1, cutoff=0.6)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise InputError(
                    f"unknown model id {model_id!r}{hint}",
                    path=loaded.path,
                    line=loaded.lines.get(("candidates", key, i)),
                    field=f"candidates.{key}[{i}]",
                )


def _keys(data: Any, prefix: str = "") -> Iterator[str]:
    if isinstance(data, dict):
        for key, value in data.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            yield name
            yield from _keys(value, name)


LATER_KEYS: tuple[tuple[str, ...], ...] = (
    ("evidence",),
    ("uncertainty",),
    ("load",),
    ("users.seats", "users.seat_prices"),
    ("organisation.server_prices_usd",),
    ("organisation.electricity_usd_per_kwh",),
    ("organisation.pue",),
    ("organisation.depreciation_years",),
    ("organisation.platform",),
    ("requirements.fine_tuning_method",),
)
"""Keys added to the questionnaire after its first release, each group left out of the
digest while all of it holds its default: the digest of a questionnaire that does not use
them stays as it was, so recorded decisions do not read as changed."""


def _at_default(usecase: UseCase, path: str) -> bool:
    *parents, name = path.split(".")
    section: BaseModel = usecase
    for part in parents:
        section = getattr(section, part)
    field = type(section).model_fields[name]
    return bool(getattr(section, name) == field.get_default(call_default_factory=True))


def canonical_sha256(data: Any) -> str:
    """sha256 of `data` as compact JSON with sorted keys: the questionnaire digest and the
    catalog fingerprint, so equal content always gives equal hashes."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def usecase_digest(usecase: UseCase) -> str:
    """sha256 of the normalised questionnaire: defaults filled in, keys sorted, and the
    `LATER_KEYS` left out while unused."""
    dumped = usecase.model_dump(mode="json")
    for group in LATER_KEYS:
        if all(_at_default(usecase, path) for path in group):
            for path in group:
                *parents, name = path.split(".")
                section = dumped
                for part in parents:
                    section = section[part]
                del section[name]
    return canonical_sha256(dumped)


# ---------------------------------------------------------------- catalog


BUILTIN_CATALOG_VARIABLE = "MAKEBUY_BUILTIN_CATALOG"
"""Names a folder that stands in for the shipped catalog: an organisation's curated
catalog, or a frozen copy so that reports stay the same across makebuy upgrades (the
test suite pins its golden reports this way)."""


def builtin_catalog_dir() -> Path:
    """The built-in catalog folder: the one `MAKEBUY_BUILTIN_CATALOG` names, else the one
    inside the installed package, or the source tree."""
    from makebuy import environment

    chosen = environment.current().env_vars.get(BUILTIN_CATALOG_VARIABLE, "")
    if chosen:
        folder = Path(chosen).expanduser()
        if not folder.is_dir():
            raise InputError(
                f"{BUILTIN_CATALOG_VARIABLE} names {chosen!r}, which is not a folder",
                path=chosen,
            )
        return folder
    packaged = resources.files("makebuy") / "catalogs"
    if packaged.is_dir():
        return Path(str(packaged))
    source_tree = Path(__file__).resolve().parents[2] / "catalogs"
    if source_tree.is_dir():
        return source_tree
    raise InputError("the built-in catalog is missing from this installation")


def catalog_files(paths: Iterable[Path]) -> list[Path]:
    """Expand folders into their YAML files, sorted by name, so merge order is stable."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            found = sorted(q for q in p.rglob("*") if q.suffix in {".yaml", ".yml"})
            if not found:
                raise InputError("catalog folder holds no .yaml or .yml file", path=p)
            out.extend(found)
        elif p.exists():
            out.append(p)
        else:
            raise InputError("catalog path not found", path=p)
    return out


@dataclass
class CatalogEntryOrigin:
    """Where a merged catalog entry was last defined."""

    path: str
    line: int | None
    doc: LoadedYaml | None = None
    at: Path_ = ()

    def line_of(self, dotted_field: str) -> int | None:
        """The line of a field inside the entry (`prices[0].source`), else the entry's."""
        if self.doc is None:
            return self.line
        parts: list[str | int] = []
        for piece in re.split(r"\.|\[(\d+)\]", dotted_field):
            if piece:
                parts.append(int(piece) if piece.isdigit() else piece)
        return self.doc.line_of((*self.at, *parts)) or self.line


@dataclass
class LoadedCatalog:
    """The merged catalog plus the origin of every entry (for file:line messages)."""

    catalog: Catalog
    origins: dict[tuple[str, str], CatalogEntryOrigin]
    overrides: list[tuple[str, str, str]] = field(default_factory=list)
    warnings: list[Assumption] = field(default_factory=list)
    """`catalog validate`'s warnings on the user's files, for the report's assumptions."""


def load_catalog(
    extra: Iterable[Path] = (), *, builtin: bool = True, today: dt.date | None = None
) -> LoadedCatalog:
    """Read the built-in catalog (unless disabled) and the user's files, in that order.

    The user's files pass every check of `makebuy catalog validate` here, so no command
    can use a figure validate calls wrong: an error raises InputErrors (file, line, field),
    a warning is kept in `warnings`. `today` dates the future-date and staleness checks
    (default: the active Environment's day).
    """
    base = builtin_catalog_dir()
    files: list[tuple[Path, str]] = []
    if builtin:
        files += [(p, f"builtin:{p.relative_to(base).as_posix()}") for p in catalog_files([base])]
    n_builtin = len(files)
    files += [(p, str(p)) for p in catalog_files(list(extra))]
    for path, _ in files:  # devices, FIFOs and huge files are refused before anything reads
        check_input_file(path)
    loaded = catalog_cache.cached(
        files,
        lambda: merge_catalog([parse_catalog_file(p, label) for p, label in files]),
        _dump_loaded,
        _restore_loaded,
    )
    if len(files) > n_builtin:
        # The user's files pass validate's checks on every run (staleness depends on the
        # day); parsing them again is cheap and memoised per process.
        user = [parse_catalog_file(p, label) for p, label in files[n_builtin:]]
        _validate_user_files(loaded, user, today)
    return loaded


def _validate_user_files(
    loaded: LoadedCatalog,
    user_files: list[tuple[CatalogFile, LoadedYaml]],
    today: dt.date | None,
) -> None:
    # catalog_check builds on this module (same layer), hence the import here.
    from makebuy import catalog_check, environment

    on = today if today is not None else environment.current().today()
    findings = catalog_check.check_loaded(loaded, user_files, as_of=on)
    errors = [
        InputError(f"{f.message} [{f.code}]", path=f.path, line=f.line or None, field=f.field)
        for f in findings
        if f.severity == "error"
    ]
    if errors:
        raise InputErrors(errors)
    loaded.warnings = [
        Assumption(
            field=f"{f.path}:{f.line}: {f.field}" if f.line else f"{f.path}: {f.field}",
            value=f.code,
            origin="catalog",
            reason=f.message,
        )
        for f in findings
        if f.severity == "warning"
    ]


def _dump_loaded(loaded: LoadedCatalog) -> dict[str, Any]:
    """What the catalog cache keeps: the validated catalog as plain data and each entry's
    file and line (not every field's line: those only matter for reference errors, which
    are reported when the catalog is built and never cached)."""
    return {
        "catalog": loaded.catalog.model_dump(mode="python", round_trip=True),
        "origins": [(k, o.path, o.line) for k, o in loaded.origins.items()],
        "overrides": loaded.overrides,
    }


def _restore_loaded(data: dict[str, Any]) -> LoadedCatalog:
    return LoadedCatalog(
        catalog=Catalog.model_validate(data["catalog"]),
        origins={k: CatalogEntryOrigin(path, line) for k, path, line in data["origins"]},
        overrides=[tuple(o) for o in data["overrides"]],
    )


_PARSED: dict[tuple[str, str, int, int], tuple[CatalogFile, LoadedYaml]] = {}


def parse_catalog_file(path: Path, label: str) -> tuple[CatalogFile, LoadedYaml]:
    """Validate one catalog file; collect every error in it.

    Parsed files are kept per process, keyed by path, size and modification time, so a
    portfolio or a test session parses the built-in catalog once.
    """
    try:
        stat = path.stat()
    except OSError:
        return _parse_catalog_file(path, label)
    key = (str(path.resolve()), label, stat.st_size, stat.st_mtime_ns)
    if key not in _PARSED:
        _PARSED[key] = _parse_catalog_file(path, label)
    return _PARSED[key]


def _parse_catalog_file(path: Path, label: str) -> tuple[CatalogFile, LoadedYaml]:
    doc = parse_yaml(read_text(path), label)
    if not isinstance(doc.data, dict):
        raise InputError("expected a mapping with makebuy-catalog: 1", path=label, line=1)
    try:
        return CatalogFile.model_validate(doc.data), doc
    except ValidationError as exc:
        errors = validation_errors(exc, doc, CatalogFile)
        raise (errors[0] if len(errors) == 1 else InputErrors(errors)) from None


_SECTIONS = (
    "sources",
    "licences",
    "models",
    "offerings",
    "gpus",
    "throughput",
    "seats",
    "servers",
)


def merge_catalog(parsed: list[tuple[CatalogFile, LoadedYaml]]) -> LoadedCatalog:
    """Merge files in order: a later entry with the same id replaces the earlier one."""
    merged: dict[str, dict[Any, Any]] = {s: {} for s in (*_SECTIONS, "evidence")}
    origins: dict[tuple[str, str], CatalogEntryOrigin] = {}
    overrides: list[tuple[str, str, str]] = []
    scale = None
    scale_origin: str | None = None
    facility = None
    for file, doc in parsed:
        if file.facility is not None:
            facility = file.facility
            origins[("facility", "facility")] = CatalogEntryOrigin(
                doc.path, doc.line_of(("facility",)), doc, ("facility",)
            )
        for section in _SECTIONS:
            seen_here: set[str] = set()
            for i, entry in enumerate(getattr(file, section)):
                if entry.id in seen_here:
                    raise InputError(
                        f"duplicate id {entry.id!r} in this file",
                        path=doc.path,
                        line=doc.line_of((section, i)),
                        field=f"{section}[{i}].id",
                    )
                seen_here.add(entry.id)
                if entry.id in merged[section]:
                    overrides.append((section, entry.id, doc.path))
                merged[section][entry.id] = entry
                origins[(section, entry.id)] = CatalogEntryOrigin(
                    doc.path, doc.line_of((section, i)), doc, (section, i)
                )
        for i, ev in enumerate(file.evidence):
            key = (ev.model, ev.benchmark)
            merged["evidence"][key] = ev
            origins[("evidence", f"{ev.model}#{ev.benchmark}")] = CatalogEntryOrigin(
                doc.path, doc.line_of(("evidence", i)), doc, ("evidence", i)
            )
        if file.quality_scale is not None:
            scale = file.quality_scale
            scale_origin = doc.path
    if scale is None:
        raise InputError(
            "no catalog file defines quality_scale (with --no-builtin-catalog, one of the"
            " --catalog files must)",
            path=", ".join(doc.path for _, doc in parsed) or None,
        )
    origins[("quality_scale", "quality_scale")] = CatalogEntryOrigin(scale_origin or "", None)
    body = {
        "sources": merged["sources"],
        "licences": merged["licences"],
        "models": merged["models"],
        "offerings": merged["offerings"],
        "gpus": merged["gpus"],
        "evidence": merged["evidence"],
        "quality_scale": scale,
        "throughput": merged["throughput"],
        "seats": merged["seats"],
        "servers": merged["servers"],
        "facility": facility,
    }
    draft = Catalog(
        **body,
        files=[doc.path for _, doc in parsed],
        fingerprint="",
        as_of=dt.date(1970, 1, 1),
    )
    canonical = draft.canonical()
    catalog = draft.model_copy(
        update={"fingerprint": canonical_sha256(canonical), "as_of": _newest_as_of(canonical)}
    )
    loaded = LoadedCatalog(catalog=catalog, origins=origins, overrides=overrides)
    errors = reference_errors(loaded)
    if errors:
        raise InputErrors(errors)
    return loaded


def _newest_as_of(node: Any) -> dt.date:
    newest = dt.date(1970, 1, 1)
    stack = [node]
    while stack:
        cur = stack.pop()
        if isinstance(cur, dict):
            for key, value in cur.items():
                if key == "as_of" and isinstance(value, str):
                    newest = max(newest, dt.date.fromisoformat(value))
                else:
                    stack.append(value)
        elif isinstance(cur, list):
            stack.extend(cur)
    return newest


def reference_errors(loaded: LoadedCatalog) -> list[InputError]:
    """Dangling references: source ids, licence ids, model ids, benchmarks."""
    cat = loaded.catalog
    errors: list[InputError] = []

    def err(section: str, key: str, fld: str, message: str) -> None:
        origin = loaded.origins.get((section, key))
        errors.append(
            InputError(
                message,
                path=origin.path if origin else None,
                line=origin.line_of(fld) if origin else None,
                field=f"{section}[{key}].{fld}",
            )
        )

    def check_sources(section: str, key: str, node: Any, at: str = "") -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if k == "source" and isinstance(v, str) and v not in cat.sources:
                    err(section, key, f"{at}source".lstrip("."), f"unknown source id {v!r}")
                else:
                    check_sources(section, key, v, f"{at}{k}.")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                check_sources(section, key, v, f"{at.rstrip('.')}[{i}].")

    for section in _SECTIONS:
        if section == "sources":
            continue
        for key, entry in getattr(cat, section).items():
            check_sources(section, key, entry.model_dump(mode="json"))
    if cat.facility is not None:
        check_sources("facility", "facility", cat.facility.model_dump(mode="json"))
    for key, server in cat.servers.items():
        if server.gpu not in cat.gpus:
            err("servers", key, "gpu", f"unknown GPU id {server.gpu!r}")
    for (model, bench), ev in cat.evidence.items():
        key = f"{model}#{bench}"
        if ev.source not in cat.sources:
            err("evidence", key, "source", f"unknown source id {ev.source!r}")
        if model not in cat.models:
            err("evidence", key, "model", f"unknown model id {model!r}")
        if bench not in cat.quality_scale.benchmarks:
            err("evidence", key, "benchmark", f"benchmark {bench!r} is not on the quality scale")
    for key, model_entry in cat.models.items():
        if model_entry.licence and model_entry.licence not in cat.licences:
            err("models", key, "licence", f"unknown licence id {model_entry.licence!r}")
    for key, off in cat.offerings.items():
        if off.model not in cat.models:
            err("offerings", key, "model", f"unknown model id {off.model!r}")
        if off.terms and off.terms not in cat.licences:
            err("offerings", key, "terms", f"unknown licence id {off.terms!r}")
    for key, seat in cat.seats.items():
        if seat.model is not None and seat.model.value not in cat.models:
            err("seats", key, "model.value", f"unknown model id {seat.model.value!r}")
    for key, measured in cat.throughput.items():
        for i, model_id in enumerate(measured.models):
            if model_id not in cat.models:
                err("throughput", key, f"models[{i}]", f"unknown model id {model_id!r}")
        if measured.gpu not in cat.gpus:
            err("throughput", key, "gpu", f"unknown GPU id {measured.gpu!r}")
    for name in cat.quality_scale.precedence:
        if name not in cat.quality_scale.benchmarks:
            err("quality_scale", "quality_scale", "precedence", f"unknown benchmark {name!r}")
    return errors
