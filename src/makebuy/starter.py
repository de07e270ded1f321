"""The starter questionnaire `makebuy init` writes, and the examples shipped with makebuy.

The template is drawn from the questionnaire's own models (`makebuy.models.usecase`): every
key, its description and its default come from the same `Field(description=...)` that
feeds `makebuy schema usecase`, so the template can never document a key the loader does
not read, or miss one. Required keys come first. Keys the user did not answer are written
commented out with their default: the assessment then takes the default and the report
lists it as an assumption, instead of the template answering for the user.

The interactive questions (`QUESTIONS`) are asked through plain `ask` / `say` callables,
so tests drive them with a scripted stdin (the CLI passes the Environment's streams).
"""

from __future__ import annotations

import types
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from makebuy.errors import InputError
from makebuy.models.usecase import UseCase

SCHEMA_FILE_NAME = "makebuy-usecase.schema.json"
"""The schema file `makebuy init` writes next to a new questionnaire, which the
yaml-language-server modeline points at (no server is promised to host the schema)."""

DEFAULT_PATH = "usecase.yaml"
"""Where `makebuy init` writes when no path is given."""

MODELINE = "# yaml-language-server: $schema={url}"
"""The first line: editors with the YAML language server (VS Code, Neovim, Helix, ...)
validate and complete the questionnaire against the schema it names."""


@dataclass(frozen=True)
class Question:
    """One interactive question: the dotted questionnaire key it answers, and its wording."""

    key: str
    prompt: str


QUESTIONS: tuple[Question, ...] = (
    Question("name", "Name of the use case"),
    Question("description", "What it does, in a sentence"),
    Question("task.kind", "Task kind"),
    Question("volume.requests_per_month", "Requests per month today"),
    Question("volume.input_tokens_per_request", "Average prompt tokens per request"),
    Question("volume.output_tokens_per_request", "Average answer tokens per request"),
    Question("data.classification", "Data classification"),
    Question("organisation.cloud", "Where self-hosted GPUs would run"),
)
"""What `makebuy init` asks on a terminal: the required keys and the few answers that rule
options in or out most often. Everything else stays in the file, commented out."""


# ------------------------------------------------------------------ the model, walked


def _section_model(annotation: Any) -> type[BaseModel] | None:
    """The questionnaire section a field holds (`Task`, or `ComplexityMix | None`), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if get_origin(annotation) in (Union, types.UnionType):
        for arg in get_args(annotation):
            found = _section_model(arg)
            if found is not None:
                return found
    return None


def _ordered(model: type[BaseModel]) -> list[tuple[str, FieldInfo]]:
    """The model's fields, required ones first, otherwise in the model's order."""
    fields = list(model.model_fields.items())
    return [f for f in fields if f[1].is_required()] + [f for f in fields if not f[1].is_required()]


def field_at(key: str) -> FieldInfo:
    """The pydantic field behind a dotted questionnaire key (`volume.horizon_months`)."""
    model: type[BaseModel] | None = UseCase
    info: FieldInfo | None = None
    for part in key.split("."):
        if model is None or part not in model.model_fields:
            raise KeyError(key)
        info = model.model_fields[part]
        model = _section_model(info.annotation)
    assert info is not None
    return info


def dotted_keys(model: type[BaseModel] = UseCase, prefix: str = "") -> Iterator[str]:
    """Every dotted key of the questionnaire, sections included, in template order."""
    for name, info in _ordered(model):
        key = f"{prefix}{name}"
        yield key
        section = _section_model(info.annotation)
        if section is not None:
            yield from dotted_keys(section, f"{key}.")


# ------------------------------------------------------------------ the template


def _flow(value: Any) -> str:
    """A value as one line of YAML (`[en]`, `36`, `USD`, `''`)."""
    if value is None:
        return ""
    text = yaml.safe_dump(value, default_flow_style=True, width=10_000, allow_unicode=True)
    return text.removesuffix("\n...\n").strip()


def _default(info: FieldInfo) -> Any:
    if info.default_factory is not None:
        made = info.default_factory()  # type: ignore[call-arg]
        return made.model_dump() if isinstance(made, BaseModel) else made
    return info.default


def _description(info: FieldInfo, section: type[BaseModel] | None, depth: int) -> str:
    """A top-level section is explained by its class docstring (the fuller text); a key,
    or a nested section such as `uncertainty.requests_per_month`, by its field."""
    if depth == 0 and section is not None and section.__doc__:
        return " ".join(section.__doc__.split())
    return info.description or ""


def _comment_lines(text: str, indent: str, width: int = 88) -> list[str]:
    """`text` as `# ` comment lines wrapped at `width` columns."""
    import textwrap

    return [
        f"{indent}# {line}"
        for line in textwrap.wrap(text, width=max(width - len(indent) - 2, 30)) or [""]
    ]


def _lines(
    model: type[BaseModel],
    answers: Mapping[str, Any],
    prefix: str,
    depth: int,
    required_here: bool = True,
) -> Iterator[str]:
    """Template lines for `model`'s keys; `required_here` is false inside an optional
    section, whose required keys are only needed once the section is used."""
    indent = "  " * depth
    for name, info in _ordered(model):
        key = f"{prefix}{name}"
        section = _section_model(info.annotation)
        active = info.is_required() or any(a == key or a.startswith(f"{key}.") for a in answers)
        mark = "" if active else "# "
        note = _description(info, section, depth)
        if info.is_required() and required_here:
            note = f"REQUIRED. {note}"
        if depth == 0:
            yield ""
        yield from _comment_lines(note, indent)
        if section is not None and (active or key not in answers):
            yield f"{indent}{mark}{name}:"
            for line in _lines(
                section, answers, f"{key}.", depth + 1, required_here and info.is_required()
            ):
                # a commented-out section comments out its keys too
                yield line if active or line.lstrip().startswith("#") else _commented(line)
            continue
        if key in answers:
            value = _flow(answers[key])
        elif info.is_required():
            value = _flow(_REQUIRED_VALUES.get(key))
        else:
            value = _flow(_default(info))
        yield f"{indent}{mark}{name}: {value}".rstrip()


def _commented(line: str) -> str:
    stripped = line.lstrip()
    return f"{line[: len(line) - len(stripped)]}# {stripped}"


_REQUIRED_VALUES: dict[str, Any] = {"makebuy": 1}
"""Required keys the template can answer itself (the format version); every other required
key is left empty for the user, since any figure written here would be made up."""


def template(
    answers: Mapping[str, Any] | None = None, *, schema_url: str = SCHEMA_FILE_NAME
) -> str:
    """The commented questionnaire: modeline, how to use it, then every key explained,
    required keys first. `answers` (dotted key -> value) are written in; other optional keys
    stay commented out with their default."""
    answers = dict(answers or {})
    head = [
        MODELINE.format(url=schema_url),
        "# makebuy questionnaire: one AI use case, one file.",
        "# Fill in every key marked REQUIRED, then run `makebuy assess` on this file.",
        "# A key left commented out takes the default shown; the report lists every default",
        "# it used as an assumption. Uncomment a section's line too when you set a key in it.",
        "# Reference: `makebuy schema usecase` (JSON Schema) and the README.",
        "# Organisation defaults (currency, exchange rate, engineer cost, catalogs, method)",
        "# and policies can live in makebuy.toml (or [tool.makebuy] in pyproject.toml); an",
        "# answer here beats a configured default. `makebuy config show` prints the settings",
        "# in force and where each came from.",
    ]
    body = list(_lines(UseCase, answers, "", 0))
    return "\n".join(head + body) + "\n"


# ------------------------------------------------------------------ questions


def check_answer(key: str, text: str) -> Any:
    """The answer typed for `key`, read as a YAML scalar and checked against the field (its
    type and bounds) inside a minimal questionnaire; raises ValueError with the reason."""
    from makebuy.load import parse_yaml

    try:
        value = parse_yaml(text, key).data
    except InputError as exc:
        raise ValueError(exc.message) from None
    if field_at(key).annotation is str and not isinstance(value, str):
        value = text.strip()  # a name such as `2024` or `1.0` stays text
    doc: dict[str, Any] = {
        "makebuy": 1,
        "name": "x",
        "volume": {
            "requests_per_month": 1,
            "input_tokens_per_request": 1,
            "output_tokens_per_request": 1,
        },
    }
    *parents, last = key.split(".")
    node = doc
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = value
    path = tuple(key.split("."))
    try:
        checked: Any = UseCase.model_validate(doc)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            if tuple(str(p) for p in err["loc"][: len(path)]) == path:
                raise ValueError(err["msg"]) from None
        raise ValueError(exc.errors(include_url=False)[0]["msg"]) from None
    for part in path:  # the value as the model reads it (`2e6` -> 2000000.0)
        checked = getattr(checked, part)
    return checked


def _shown_default(key: str) -> str | None:
    info = field_at(key)
    if info.is_required():
        return None
    default = _default(info)
    return None if default in (None, "") else _flow(default)


def ask_questions(
    ask: Callable[[str], str | None],
    say: Callable[[str], None],
    *,
    name_default: str | None = None,
) -> dict[str, Any]:
    """Ask `QUESTIONS`; returns the answers given (an empty answer keeps the default,
    which then stays commented out in the file). `ask` returns None at end of input."""
    answers: dict[str, Any] = {}
    say("Answer a few questions; press Enter to keep the default in brackets.")
    for q in QUESTIONS:
        default = name_default if q.key == "name" else _shown_default(q.key)
        choices = _choices(q.key)
        prompt = q.prompt + (f" ({choices})" if choices else "")
        prompt += f" [{default}]: " if default is not None else ": "
        while True:
            text = ask(prompt)
            if text is None:
                raise InputError("input ended before every question was answered")
            text = text.strip()
            if not text:
                if q.key == "name" and default is not None:
                    answers[q.key] = default
                    break
                if default is not None or not field_at(q.key).is_required():
                    break
                say("  an answer is needed here")
                continue
            try:
                answers[q.key] = check_answer(q.key, text)
            except ValueError as exc:
                say(f"  {exc}")
                continue
            break
    return answers


def _choices(key: str) -> str | None:
    annotation = field_at(key).annotation
    args = get_args(annotation)
    if get_origin(annotation) is not None and args and all(isinstance(a, str) for a in args):
        return " | ".join(args)
    return None


# ------------------------------------------------------------------ examples


def examples_dir() -> Path:
    """The shipped examples: inside the installed package, or the source tree."""
    packaged = resources.files("makebuy") / "examples"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "examples"


def example_names() -> list[str]:
    """Names of the shipped example questionnaires (`support-assistant`, ...), sorted."""
    return sorted(p.stem for p in examples_dir().glob("*.yaml"))


def example_summary(name: str) -> str:
    """An example's `name:` line, for `makebuy init --list-examples`."""
    from makebuy.load import parse_yaml

    data = parse_yaml(example_path(name).read_text(encoding="utf-8"), name).data
    return str(data.get("name", "")) if isinstance(data, dict) else ""


def example_path(name: str) -> Path:
    """The file of a shipped example; an unknown name lists the known ones."""
    if name not in example_names():
        raise InputError(
            f"no example named {name!r}; choose one of: {', '.join(example_names())}",
            field="--example",
        )
    return examples_dir() / f"{name}.yaml"


def example_text(name: str, *, schema_url: str = SCHEMA_FILE_NAME) -> str:
    """A shipped example with the modeline as its first line."""
    text = example_path(name).read_text(encoding="utf-8")
    if text.startswith("# yaml-language-server:"):
        return text
    return MODELINE.format(url=schema_url) + "\n" + text
