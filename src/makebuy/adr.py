"""Decision records: read ADRs of any style, and write MADR 4 records from an assessment.

Reading is forgiving because teams write ADRs in many styles (MADR 2/3/4, Nygard, free
form; status in front matter, a bullet, a `## Status` section or a bold line). Writing is
strict: one MADR 4 record with standard front matter, and everything `makebuy check`
needs in exactly one fenced block whose info string is `yaml makebuy`, under
`### Confirmation`. makebuy only ever rewrites that block's lines, or one status line
when a record is superseded.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from makebuy.errors import InputError
from makebuy.models.result import CRITERION_LABELS
from makebuy.units import add_months

if TYPE_CHECKING:
    from makebuy.load import LoadedCatalog
    from makebuy.models.catalog import Catalog
    from makebuy.models.result import Assessment, OptionResult
    from makebuy.models.usecase import UseCase

BLOCK_INFO = ("yaml", "makebuy")
"""The fence info string that marks makebuy's block; any other fence is ignored."""
BUILTIN = "builtin"
"""How the block names the built-in catalog in its `catalog` list."""
ADR_DIR_CANDIDATES = ("docs/decisions", "docs/adr", "doc/adr", "docs/architecture-decisions")
"""Folders searched, in order, when neither .adr-dir nor log4brains names one."""
DEFAULT_ADR_DIR = "docs/decisions"
"""Where `adr new` starts a decision log when the repository has none (MADR 3+)."""

StatusKind = Literal["accepted", "proposed", "rejected", "deprecated", "superseded", "unknown"]
Style = Literal["madr2", "madr3", "madr4", "nygard", "other"]
SKIPPED_STATUSES: frozenset[str] = frozenset({"rejected", "deprecated", "superseded"})


# ---------------------------------------------------------------- the block


class _Block(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class OptionFacts(_Block):
    """Catalog facts about one option that the decision rests on."""

    kind: Literal["buy", "rent", "make", "hybrid"]
    licence: str | None = Field(None, description="The model's licence id (open weights).")
    terms: str | None = Field(None, description="The provider's API terms id (buy, rent).")
    input_usd_per_1m: float | None = Field(
        None, alias="input-usd-per-1m", description="API price per 1M input tokens, USD."
    )
    output_usd_per_1m: float | None = Field(
        None, alias="output-usd-per-1m", description="API price per 1M output tokens, USD."
    )
    gpu: str | None = Field(None, description="GPU id a make option runs on.")
    gpu_usd_per_hour: float | None = Field(
        None, alias="gpu-usd-per-hour", description="GPU price per hour, USD (make)."
    )
    deprecation: dt.date | None = Field(
        None, description="Earliest announced deprecation or retirement date, if any."
    )


class Tolerances(_Block):
    """How far today's figures may move before a person must look again."""

    margin: float = Field(
        0.05,
        ge=0,
        le=1,
        description="Score lead another option may take before the decision"
        " is invalidated (scores are 0..1).",
    )
    price_change: float = Field(
        0.15,
        alias="price-change",
        ge=0,
        description="Relative price change that asks for a review (0.15 = 15 %).",
    )


class DecisionBlock(_Block):
    """The `yaml makebuy` block: what a recorded decision rests on."""

    makebuy_adr: Literal[1] = Field(..., alias="makebuy-adr", description="Block format version.")
    use_case: str = Field(
        ..., alias="use-case", description="Questionnaire path, relative to the ADR's folder."
    )
    use_case_sha256: str = Field(
        ...,
        alias="use-case-sha256",
        pattern=r"^[0-9a-f]{64}$",
        description="Digest of the normalised questionnaire.",
    )
    catalog: list[str] = Field(
        ..., min_length=1, description="'builtin' and catalog paths relative to the ADR's folder."
    )
    catalog_as_of: dt.date = Field(..., alias="catalog-as-of")
    catalog_sha256: str = Field(..., alias="catalog-sha256", pattern=r"^[0-9a-f]{64}$")
    method: Literal["weighted-sum", "topsis"] = "weighted-sum"
    chosen: str = Field(..., min_length=1, description="The chosen option id.")
    runner_up: str | None = Field(None, alias="runner-up")
    scores: dict[str, float] = Field(default_factory=dict)
    evidence: dict[str, OptionFacts] = Field(default_factory=dict)
    tolerances: Tolerances = Field(default_factory=Tolerances)
    review_by: dt.date | None = Field(None, alias="review-by")

    def to_yaml(self) -> str:
        """The block's YAML, keys in the documented order, stable bytes."""
        data = self.model_dump(by_alias=True)  # python mode: dates stay unquoted YAML dates
        return yaml.safe_dump(
            data, sort_keys=False, allow_unicode=True, width=1000, default_flow_style=False
        )


# ---------------------------------------------------------------- reading


@dataclass(frozen=True)
class Fence:
    """A fenced code block: 0-based line indexes of its opening and closing fence lines."""

    start: int
    end: int | None
    info: str


@dataclass(frozen=True)
class StatusLine:
    """Where a record keeps its status, and the status as written."""

    line: int  # 0-based line index
    where: Literal["front-matter", "section", "line"]
    raw: str


@dataclass(frozen=True)
class AdrDocument:
    """One file read as an ADR: what makebuy needs from it, whatever its style."""

    path: Path
    lines: list[str]  # with line endings, so rewrites keep every other byte
    front_matter: dict[str, Any] | None
    front_matter_end: int  # index of the first body line
    fences: list[Fence]
    status: StatusLine | None
    title: str | None
    style: Style
    headings: list[tuple[int, int, str]] = field(default_factory=list)  # (line, level, text)

    @property
    def status_kind(self) -> StatusKind | None:
        return classify_status(self.status.raw) if self.status else None

    @property
    def block_fences(self) -> list[Fence]:
        return [f for f in self.fences if tuple(f.info.split()) == BLOCK_INFO]

    @property
    def is_adr(self) -> bool:
        """Has the marks of a decision record: a status, ADR sections, or a makebuy block."""
        names = {text.lower() for _, _, text in self.headings}
        decision_heading = any(
            n in {"decision", "decision outcome", "context", "considered options"}
            or n.startswith("decision:")
            for n in names
        )
        return bool(self.status or decision_heading or self.style != "other" or self.block_fences)


_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$")
_STATUS_KEY = re.compile(r"^(\s*)(status)(\s*:\s*)(.*?)\s*$", re.IGNORECASE)
_STATUS_LINE = re.compile(
    r"^(?P<lead>\s*(?:[-*+]\s+)?(?:\*\*|__)?(?:status|statut)\s*(?:\*\*|__)?\s*:\s*(?:\*\*|__)?\s*)"
    r"(?P<value>.*?)\s*$",
    re.IGNORECASE,
)
_LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]*)[^)]*\)")


def read_document(path: Path) -> AdrDocument:
    """Read any file as a possible ADR. Never raises on content, only on unreadable files."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", path=path) from None
    return parse_document(raw.decode("utf-8", errors="replace"), path)


def parse_document(text: str, path: Path) -> AdrDocument:
    """Parse ADR text: front matter, fences, headings, status, title and style."""
    text = text.removeprefix("\ufeff")
    lines = text.splitlines(keepends=True)
    bare = [ln.rstrip("\r\n") for ln in lines]
    front, body_start = _front_matter(bare)
    fences = _fences(bare, body_start)
    inside = _fenced_lines(fences, len(bare))
    headings = [
        (i, len(m.group(1)), m.group(2).strip())
        for i in range(body_start, len(bare))
        if i not in inside and (m := _HEADING.match(bare[i]))
    ]
    status = _status(bare, front, body_start, inside, headings)
    title = next((t for _, level, t in headings if level == 1), None)
    if title is None and front is not None and isinstance(front.get("title"), str):
        title = str(front["title"]).strip()
    first_section = next((i for i, level, _ in headings if level >= 2), len(bare))
    meta_bullets = any(
        _META_BULLET.match(bare[i]) for i in range(body_start, first_section) if i not in inside
    )
    style = _style(front, headings, meta_bullets)
    return AdrDocument(
        path=path,
        lines=lines,
        front_matter=front,
        front_matter_end=body_start,
        fences=fences,
        status=status,
        title=title,
        style=style,
        headings=headings,
    )


def _front_matter(bare: list[str]) -> tuple[dict[str, Any] | None, int]:
    """YAML front matter between `---` lines at the top; `{}` when it is not valid YAML."""
    if not bare or bare[0].strip() != "---":
        return None, 0
    for i in range(1, len(bare)):
        if bare[i].strip() in {"---", "..."}:
            try:
                data = yaml.safe_load("\n".join(bare[1:i]))
            except yaml.YAMLError:
                data = None
            return (data if isinstance(data, dict) else {}), i + 1
    return None, 0


def _fences(bare: list[str], start: int) -> list[Fence]:
    out: list[Fence] = []
    open_at: int | None = None
    marker = ""
    info = ""
    for i in range(start, len(bare)):
        m = _FENCE.match(bare[i])
        if open_at is None:
            if m and not (m.group(1)[0] == "`" and "`" in m.group(2)):
                open_at, marker, info = i, m.group(1), m.group(2).strip()
        elif (
            m
            and m.group(1)[0] == marker[0]
            and len(m.group(1)) >= len(marker)
            and not m.group(2).strip()
        ):
            out.append(Fence(open_at, i, info))
            open_at = None
    if open_at is not None:
        out.append(Fence(open_at, None, info))
    return out


def _fenced_lines(fences: list[Fence], n: int) -> set[int]:
    inside: set[int] = set()
    for f in fences:
        inside.update(range(f.start, (f.end if f.end is not None else n - 1) + 1))
    return inside


def _status(
    bare: list[str],
    front: dict[str, Any] | None,
    body_start: int,
    inside: set[int],
    headings: list[tuple[int, int, str]],
) -> StatusLine | None:
    """The status as written: front matter first, else the first section or status line."""
    if front is not None:
        for i in range(1, body_start - 1):
            m = _STATUS_KEY.match(bare[i])
            if m and not bare[i].startswith((" ", "\t")):
                value = next((v for k, v in front.items() if str(k).lower() == "status"), None)
                raw = str(value).strip() if value is not None else _unquote(m.group(4))
                if raw:
                    return StatusLine(i, "front-matter", raw)
    found: list[StatusLine] = []
    for n, (i, level, text) in enumerate(headings):
        if level >= 2 and text.strip("*_ :").lower() in {"status", "statut"}:
            end = headings[n + 1][0] if n + 1 < len(headings) else len(bare)
            body = [(j, bare[j].strip()) for j in range(i + 1, end) if j not in inside]
            body = [(j, t) for j, t in body if t and not t.startswith("<!--")]
            if body:
                found.append(StatusLine(body[0][0], "section", " | ".join(t for _, t in body)))
            break
    for i in range(body_start, len(bare)):
        if i in inside:
            continue
        m = _STATUS_LINE.match(bare[i])
        if m and m.group("value"):
            found.append(StatusLine(i, "line", m.group("value")))
            break
    return min(found, key=lambda s: s.line) if found else None


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def plain_status(raw: str) -> str:
    """The status without Markdown: links become their text, emphasis and quotes go."""
    text = _LINK.sub(r"\1", raw)
    return re.sub(r"[`*_>]", " ", text).strip()


_STATUS_WORDS: dict[str, tuple[str, ...]] = {
    "superseded": ("superseded", "superceded"),
    "deprecated": ("deprecated",),
    "rejected": ("rejected", "declined"),
    "accepted": ("accepted", "approved", "adopted", "accepté", "done"),
    "proposed": ("proposed", "proposé", "draft", "pending", "on hold", "in progress", "open"),
}


def classify_status(raw: str) -> StatusKind:
    """Map a status as written onto the canonical set; placeholders stay unknown.

    The earliest status word wins ("Accepted | Amended by …" is accepted); two different
    words joined by "or" or "/" are a template placeholder ("Accepted or Rejected").
    """
    text = plain_status(raw).lower()
    if text.startswith("{"):  # MADR's template placeholder, left unfilled
        return "unknown"
    if any(w in text for w in _STATUS_WORDS["superseded"]):
        return "superseded"
    hits: list[tuple[int, StatusKind]] = []
    for kind, words in _STATUS_WORDS.items():
        m = re.search(r"(?<!\w)(?:" + "|".join(map(re.escape, words)) + r")(?!\w)", text)
        if m:
            hits.append((m.start(), kind))  # type: ignore[arg-type]
    if not hits:
        return "unknown"
    if len(hits) > 1 and re.search(r"\bor\b|/|\|", text):
        return "unknown"
    return min(hits)[1]


_META_BULLET = re.compile(
    r"^\s*[-*+]\s+(?:\*\*)?(?:status|date|deciders|statut)(?:\*\*)?\s*:", re.IGNORECASE
)


def _style(
    front: dict[str, Any] | None, headings: list[tuple[int, int, str]], meta_bullets: bool
) -> Style:
    """MADR 4 has Confirmation or decision-makers; MADR 3 front matter; MADR 2 a bullet list
    of metadata under the title; Nygard Context and Decision sections."""
    names = {t.lower() for _, _, t in headings}
    madr = bool({"context and problem statement", "considered options", "decision outcome"} & names)
    if "confirmation" in names or (front and "decision-makers" in front):
        return "madr4"
    if front is None and meta_bullets:
        return "madr2"
    if madr:
        return "madr3" if front is not None else "madr2"
    if "decision" in names and ("context" in names or "status" in names):
        return "nygard"
    return "other"


# ---------------------------------------------------------------- the block in a document


@dataclass(frozen=True)
class FoundBlock:
    """A parsed `yaml makebuy` block and the 1-based file line of each key."""

    block: DecisionBlock
    fence: Fence
    lines: dict[tuple[str | int, ...], int]

    def line_of(self, *loc: str | int) -> int:
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return self.fence.start + 2


def find_block(doc: AdrDocument) -> FoundBlock | None:
    """The document's makebuy block; None when it has none. Raises InputError when malformed."""
    from makebuy import load

    fences = doc.block_fences
    if not fences:
        return None
    where = str(doc.path)
    if len(fences) > 1:
        raise InputError(
            f"more than one `yaml makebuy` block (the first is on line {fences[0].start + 1})",
            path=where,
            line=fences[1].start + 1,
            field="makebuy-adr",
        )
    fence = fences[0]
    if fence.end is None:
        raise InputError(
            "the `yaml makebuy` block is never closed", path=where, line=fence.start + 1
        )
    # Pad with blank lines so YAML line numbers are the file's line numbers.
    text = "\n" * (fence.start + 1) + "".join(
        ln.rstrip("\r\n") + "\n" for ln in doc.lines[fence.start + 1 : fence.end]
    )
    parsed = load.parse_yaml(text, where)
    if not isinstance(parsed.data, dict):
        raise InputError(
            "the `yaml makebuy` block must be a mapping starting with makebuy-adr: 1",
            path=where,
            line=fence.start + 2,
        )
    version = parsed.data.get("makebuy-adr")
    if version != 1:
        raise InputError(
            "required key is missing"
            if version is None
            else f"unknown block version {version!r}; this makebuy reads makebuy-adr: 1",
            path=where,
            line=parsed.line_of(("makebuy-adr",)) if version is not None else fence.start + 2,
            field="makebuy-adr",
        )
    try:
        block = DecisionBlock.model_validate(parsed.data)
    except ValidationError as exc:
        first = load.validation_errors(exc, parsed, DecisionBlock)[0]
        raise InputError(
            _alias_hint(first.message), path=where, line=first.line, field=first.field
        ) from None
    return FoundBlock(block=block, fence=fence, lines=dict(parsed.lines))


def _alias_hint(message: str) -> str:
    """Suggestions name fields as the block spells them ('review-by', not 'review_by')."""
    for model in (DecisionBlock, OptionFacts, Tolerances):
        for name, info in model.model_fields.items():
            if info.alias:
                message = message.replace(f"'{name}'", f"'{info.alias}'")
    return message


def replace_block(doc: AdrDocument, block: DecisionBlock) -> str:
    """The document's text with only the block's lines replaced."""
    fences = doc.block_fences
    if len(fences) != 1 or fences[0].end is None:
        raise InputError("expected exactly one closed `yaml makebuy` block", path=doc.path)
    fence = fences[0]
    newline = "\r\n" if doc.lines[fence.start].endswith("\r\n") else "\n"
    body = [ln + newline for ln in block.to_yaml().splitlines()]
    return "".join([*doc.lines[: fence.start + 1], *body, *doc.lines[fence.end :]])


def resolve_from(doc_path: Path, recorded: str) -> Path:
    """A path recorded in a block, resolved against the ADR's folder."""
    p = Path(recorded)
    return p if p.is_absolute() else (doc_path.parent / p)


def relative_to(doc_path: Path, target: Path) -> str:
    """`target` as a POSIX path relative to the ADR's folder, so records are portable."""
    rel = os.path.relpath(target.resolve(), doc_path.parent.resolve())
    return Path(rel).as_posix()


# ---------------------------------------------------------------- the ADR folder


def project_root(start: Path) -> Path:
    """The nearest folder up from `start` with .adr-dir, .log4brains.yml or .git."""
    start = start.resolve()
    for d in (start, *start.parents):
        if any((d / name).exists() for name in (".adr-dir", ".log4brains.yml", ".git")):
            return d
    return start


def find_adr_dir(start: Path) -> Path | None:
    """The team's ADR folder: .adr-dir, log4brains' adrFolder, then the usual folders."""
    root = project_root(start)
    marker = root / ".adr-dir"
    if marker.is_file():
        name = marker.read_text(encoding="utf-8", errors="replace").strip()
        if name:
            return root / name
    l4b = root / ".log4brains.yml"
    if l4b.is_file():
        try:
            conf = yaml.safe_load(l4b.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise InputError(f"not valid YAML: {exc}", path=l4b) from None
        folder = (
            (conf or {}).get("project", {}).get("adrFolder") if isinstance(conf, dict) else None
        )
        if isinstance(folder, str) and folder.strip():
            return root / folder.strip()
    for name in ADR_DIR_CANDIDATES:
        if (root / name).is_dir():
            return root / name
    return None


@dataclass(frozen=True)
class Numbering:
    """A folder's file-naming scheme: `0007-`, `ADR025-`, `adr013-` or log4brains' dates."""

    prefix: str
    width: int
    by_date: bool = False

    def filename(self, number: int, slug: str, on: dt.date) -> str:
        if self.by_date:
            return f"{on:%Y%m%d}-{slug}.md"
        return f"{self.prefix}{number:0{self.width}d}-{slug}.md"

    def identifier(self, number: int, stem: str) -> str:
        """How status lines name the record: ADR-0007 (MADR 4), or the slug for dates."""
        return stem if self.by_date else f"ADR-{number:0{self.width}d}"


_NUMBERED = re.compile(r"^(?P<prefix>[A-Za-z]*?)(?P<num>\d+)[-_]")


def numbering(folder: Path) -> tuple[Numbering, int]:
    """The scheme used by most records in `folder`, and the next number in it."""
    schemes: dict[tuple[str, bool], list[str]] = {}
    for p in _markdown_files(folder):
        m = _NUMBERED.match(p.name)
        if not m:
            continue
        digits = m.group("num")
        by_date = len(digits) == 8 and not m.group("prefix") and _is_date(digits)
        schemes.setdefault((m.group("prefix"), by_date), []).append(digits)
    if not schemes:
        return Numbering("", 4), 1
    (prefix, by_date), numbers = max(
        schemes.items(), key=lambda kv: (len(kv[1]), max(map(int, kv[1])), kv[0])
    )
    width = min(map(len, numbers))  # padded schemes share one width; unpadded ones grow
    return Numbering(prefix, width, by_date), max(map(int, numbers)) + 1


def _is_date(digits: str) -> bool:
    try:
        dt.datetime.strptime(digits, "%Y%m%d")
    except ValueError:
        return False
    return True


def _markdown_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() == ".md")


def find_record(folder: Path, ref: str) -> Path:
    """The record `ref` names: a number (7, 0007, ADR-0007), a file name, stem or path."""
    direct = Path(ref)
    if direct.suffix.lower() == ".md" and direct.is_file():
        return direct
    files = _markdown_files(folder)
    by_name = [p for p in files if ref in {p.name, p.stem}]
    if by_name:
        return by_name[0]
    digits = re.sub(r"^(?:adr)?[-_ ]?", "", ref.strip(), flags=re.IGNORECASE)
    if digits.isdigit():
        hits = [
            p
            for p in files
            if (m := _NUMBERED.match(p.name)) and int(m.group("num")) == int(digits)
        ]
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            names = ", ".join(p.name for p in hits)
            raise InputError(
                f"{len(hits)} records are numbered {digits}: {names}; pass the file", field="ADR"
            )
    raise InputError(f"no record {ref!r} in {folder}", field="ADR")


def record_number(path: Path) -> int | None:
    m = _NUMBERED.match(path.name)
    return int(m.group("num")) if m else None


# ---------------------------------------------------------------- superseding


def supersede_text(doc: AdrDocument, identifier: str, successor: Path) -> str:
    """The old record's text with only its status line saying who supersedes it."""
    if doc.status is None:
        raise InputError(
            "no status line to mark as superseded; add one (for example `status: accepted`)",
            path=doc.path,
            field="status",
        )
    i = doc.status.line
    line = doc.lines[i]
    ending = line[len(line.rstrip("\r\n")) :]
    bare = line.rstrip("\r\n")
    if doc.status.where == "front-matter":
        m = _STATUS_KEY.match(bare)
        assert m is not None
        new = f'{m.group(1)}{m.group(2)}{m.group(3)}"superseded by {identifier}"'
    elif doc.status.where == "line":
        m = _STATUS_LINE.match(bare)
        assert m is not None
        new = f"{m.group('lead')}superseded by {identifier}"
    else:  # a Nygard status section: adr-tools links the successor by number and title
        indent = bare[: len(bare) - len(bare.lstrip())]
        new = f"{indent}Superseded by [{identifier}]({successor.name})"
    return "".join([*doc.lines[:i], new + ending, *doc.lines[i + 1 :]])


# ---------------------------------------------------------------- finding records


def adr_files(paths: Sequence[Path]) -> list[Path]:
    """Files to check: given files as they are, folders searched for Markdown, sorted."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(
                sorted(
                    q
                    for q in p.rglob("*")
                    if q.is_file()
                    and q.suffix.lower() in {".md", ".markdown", ".mdx"}
                    and not any(part.startswith(".") for part in q.relative_to(p).parts)
                )
            )
        elif p.exists():
            out.append(p)
        else:
            raise InputError("no such file or folder", path=p)
    seen: set[Path] = set()
    unique = []
    for p in out:
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique


def slugify(title: str, limit: int = 60) -> str:
    """`Self-host Gemma 2 9B IT for …` -> `self-host-gemma-2-9b-it-for-…`, cut at a word."""
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    if len(slug) > limit:
        slug = slug[:limit].rsplit("-", 1)[0]
    return slug or "decision"


# ---------------------------------------------------------------- assessing for a record


def option_facts(result: OptionResult, catalog: Catalog, on: dt.date) -> OptionFacts:
    """The facts a decision rests on for one option, as the catalog states them on `on`."""
    model = catalog.models.get(result.model)
    offering = catalog.offerings.get(result.offering) if result.offering else None
    lifecycles = [
        lf
        for lf in ((offering.lifecycle if offering else None), (model.lifecycle if model else None))
        if lf is not None and lf.as_of <= on
    ]
    ends = [d for lf in lifecycles for d in (lf.deprecated, lf.retires) if d is not None]
    cost = result.cost
    api = cost is not None and result.kind in {"buy", "rent"}  # make's per-token figures
    make = cost is not None and result.kind == "make"  # are derived, not catalog prices
    return OptionFacts(
        kind=result.kind,
        licence=result.licence,
        terms=result.terms,
        input_usd_per_1m=_round(cost.input_per_1m_usd) if api and cost else None,
        output_usd_per_1m=_round(cost.output_per_1m_usd) if api and cost else None,
        gpu=cost.gpu if make and cost else None,
        gpu_usd_per_hour=_round(cost.gpu_hour_usd) if make and cost else None,
        deprecation=min(ends) if ends else None,
    )


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def build_block(
    assessment: Assessment,
    catalog: Catalog,
    *,
    use_case: str,
    catalog_entries: list[str],
    chosen: str,
    tolerances: Tolerances,
    review_by: dt.date | None,
) -> DecisionBlock:
    """The block for `chosen`, with the runner-up as the best other eligible option."""
    by_id = {o.id: o for o in assessment.options}
    ranked = [o for o in assessment.options if o.rank is not None]
    runner = next((o for o in ranked if o.id != chosen), None)
    kept = [o for o in (by_id.get(chosen), runner) if o is not None]
    facts = list(kept)  # a hybrid rests on the options serving its legs too
    for leg in (leg for o in kept for leg in o.legs):
        if leg.option in by_id and all(f.id != leg.option for f in facts):
            facts.append(by_id[leg.option])
    return DecisionBlock(
        makebuy_adr=1,
        use_case=use_case,
        use_case_sha256=assessment.usecase.digest,
        catalog=catalog_entries,
        catalog_as_of=assessment.catalog.as_of,
        catalog_sha256=assessment.catalog.fingerprint,
        method=assessment.method,
        chosen=chosen,
        runner_up=runner.id if runner else None,
        scores={o.id: round(o.score, 4) for o in kept if o.score is not None},
        evidence={o.id: option_facts(o, catalog, assessment.evaluated_on) for o in facts},
        tolerances=tolerances,
        review_by=review_by,
    )


class CatalogCache:
    """Loaded catalogs by (builtin, paths): records that share a catalog load it once."""

    def __init__(self) -> None:
        self._loaded: dict[tuple[bool, tuple[str, ...]], LoadedCatalog] = {}

    def get(self, builtin: bool, paths: Sequence[Path]) -> LoadedCatalog:
        from makebuy import load

        key = (builtin, tuple(str(p.resolve()) for p in paths))
        if key not in self._loaded:
            self._loaded[key] = load.load_catalog(list(paths), builtin=builtin)
        return self._loaded[key]


def reassess(
    doc: AdrDocument,
    found: FoundBlock,
    extra_catalogs: Sequence[Path] = (),
    cache: CatalogCache | None = None,
) -> tuple[Assessment, Catalog]:
    """Re-run the recorded questionnaire against today's catalog (same files, plus extras)."""
    from makebuy import pipeline

    block = found.block
    usecase = resolve_from(doc.path, block.use_case)
    if not usecase.is_file():
        raise InputError(
            f"questionnaire {block.use_case!r} not found (looked for {usecase})",
            path=doc.path,
            line=found.line_of("use-case"),
            field="use-case",
        )
    paths: list[Path] = []
    for i, entry in enumerate(block.catalog):
        if entry == BUILTIN:
            continue
        p = resolve_from(doc.path, entry)
        if not p.exists():
            raise InputError(
                f"catalog {entry!r} not found (looked for {p})",
                path=doc.path,
                line=found.line_of("catalog", i),
                field=f"catalog[{i}]",
            )
        paths.append(p)
    paths.extend(extra_catalogs)
    loaded = (cache or CatalogCache()).get(BUILTIN in block.catalog, paths)
    run = pipeline.assess(
        usecase, paths, method=block.method, loaded_catalog=loaded, evaluated_on=None
    )
    return run.assessment, run.catalog


# ---------------------------------------------------------------- writing a record

CONSIDERED = 5
"""Scored options a record describes in full; the rest are counted."""


@dataclass(frozen=True)
class NewRecord:
    """What `adr new` writes: the record, and the superseded record's new text if any."""

    path: Path
    text: str
    superseded: tuple[Path, str] | None = None


def new_record(
    usecase_path: Path,
    catalog_paths: Sequence[Path],
    *,
    folder: Path,
    on: dt.date,
    builtin_catalog: bool = True,
    method: Literal["weighted-sum", "topsis"] = "weighted-sum",
    supersedes: str | None = None,
    review_months: int = 12,
    tolerances: Tolerances | None = None,
) -> NewRecord:
    """Assess the questionnaire and draft a MADR 4 record in `folder` (nothing is written)."""
    from makebuy import load, pipeline
    from makebuy.errors import NoEligibleOptionError

    loaded = load.load_catalog(list(catalog_paths), builtin=builtin_catalog)
    run = pipeline.assess(usecase_path, catalog_paths, method=method, loaded_catalog=loaded)
    assessment, usecase = run.assessment, run.usecase
    chosen = assessment.recommendation.option
    if chosen is None:
        raise NoEligibleOptionError(
            "every option was ruled out, so there is no decision to record: "
            + " ".join(assessment.recommendation.rationale)
        )
    old: AdrDocument | None = None
    if supersedes is not None:
        old = read_document(find_record(folder, supersedes))
    scheme, number = numbering(folder)
    winner = next(o for o in assessment.options if o.id == chosen)
    title = record_title(winner, usecase.name)
    path = folder / scheme.filename(number, slugify(title), on)
    block = build_block(
        assessment,
        run.catalog,
        use_case=relative_to(path, usecase_path),
        catalog_entries=[
            *([BUILTIN] if builtin_catalog else []),
            *(relative_to(path, p) for p in catalog_paths),
        ],
        chosen=chosen,
        tolerances=tolerances or Tolerances(),
        review_by=add_months(on, review_months),
    )
    old_id = None
    superseded = None
    if old is not None:
        old_number = record_number(old.path)
        old_id = scheme.identifier(old_number, old.path.stem) if old_number is not None else None
        old_id = old_id or old.path.stem
        new_id = scheme.identifier(number, path.stem)
        superseded = (old.path, supersede_text(old, new_id, path))
    text = render_record(
        assessment,
        usecase,
        block,
        title=title,
        on=on,
        supersedes=old_id,
        supersedes_file=old.path.name if old else None,
    )
    return NewRecord(path=path, text=text, superseded=superseded)


def refresh_record(
    path: Path,
    *,
    extra_catalogs: Sequence[Path] = (),
    on: dt.date,
    review_months: int = 12,
) -> str:
    """The record's text with its block rebuilt from today's figures (a person re-confirmed it)."""
    from makebuy.errors import NoEligibleOptionError

    doc = read_document(path)
    found = find_block(doc)
    if found is None:
        raise InputError("no `yaml makebuy` block to refresh", path=path)
    assessment, catalog = reassess(doc, found, extra_catalogs)
    block = found.block
    chosen = next((o for o in assessment.options if o.id == block.chosen), None)
    if chosen is None or chosen.rank is None:
        why = "is gone from the catalog" if chosen is None else "is ruled out now"
        raise NoEligibleOptionError(
            f"{path}: the chosen option {block.chosen} {why}; record a new decision with"
            " `makebuy adr new --supersedes`"
        )
    fresh = build_block(
        assessment,
        catalog,
        use_case=block.use_case,
        catalog_entries=block.catalog,
        chosen=block.chosen,
        tolerances=block.tolerances,
        review_by=add_months(on, review_months),
    )
    return replace_block(doc, fresh)


def record_title(winner: OptionResult, usecase_name: str) -> str:
    """`Self-host Gemma 2 9B IT for Tier-1 support assistant`, and so on for each kind."""
    if winner.kind == "make":
        return f"Self-host {winner.model_name} for {usecase_name}"
    if winner.kind == "buy":
        return f"Buy {winner.model_name} from {winner.provider} for {usecase_name}"
    if winner.kind == "rent":
        return f"Rent {winner.model_name} hosted by {winner.provider} for {usecase_name}"
    return f"Use {winner.title} for {usecase_name}"


def render_record(
    assessment: Assessment,
    usecase: UseCase,
    block: DecisionBlock,
    *,
    title: str,
    on: dt.date,
    supersedes: str | None = None,
    supersedes_file: str | None = None,
) -> str:
    """The record's Markdown from `templates/adr.md.j2`."""
    from makebuy.render.format import environment

    template = environment(autoescape=False).get_template("adr.md.j2")
    return template.render(
        **record_context(assessment, usecase, block, title=title, on=on),
        supersedes=supersedes,
        supersedes_file=supersedes_file,
    )


def record_context(
    a: Assessment, usecase: UseCase, block: DecisionBlock, *, title: str, on: dt.date
) -> dict[str, Any]:
    """Everything the record template shows, as text and lists (the template only lays out)."""
    from makebuy.money import money

    by_id = {o.id: o for o in a.options}
    winner = by_id[block.chosen]
    runner = by_id.get(block.runner_up) if block.runner_up else None
    ranked = [o for o in a.options if o.rank is not None]
    considered = ranked[:CONSIDERED]
    alt = by_id.get(a.recommendation.alternative) if a.recommendation.alternative else None
    if alt is not None and alt not in considered:
        considered.append(alt)
    weights = {c: s.weight for c, s in winner.criteria.items()}
    prio = usecase.priorities.model_dump()
    horizon = usecase.volume.horizon_months

    consequences: list[tuple[str, str]] = []
    if runner is not None:
        for c in winner.criteria:
            diff = winner.criteria[c].contribution - runner.criteria[c].contribution
            if abs(diff) <= 1e-9:
                continue
            verdict = "Good" if diff > 0 else "Bad"
            consequences.append(
                (
                    verdict,
                    f"{CRITERION_LABELS.get(c, c)}: {winner.figure(c)} against"
                    f" {runner.figure(c)} for the runner-up, {runner.title}",
                )
            )
        consequences.sort(key=lambda kv: (kv[0] != "Good", kv[1]))
    consequences += [
        ("Neutral", f"it comes with a duty: {ob.message}") for ob in winner.obligations
    ]

    varying = {c for c in winner.criteria if len({round(o.criteria[c].raw, 9) for o in ranked}) > 1}
    pros_cons = []
    for o in considered:
        assert o.cost is not None
        lines = [
            (
                "Neutral",
                f"rank {o.rank}, score {o.score:.3f}; total cost {money(o.cost.total, a.currency)}"
                f" over {horizon} months ({money(o.cost.per_million_tokens, a.currency)}"
                " per 1M tokens)",
            )
        ]
        for c, s in o.criteria.items():
            if s.weight <= 0 or c not in varying:
                continue
            if s.normalised >= 0.75:
                lines.append(("Good", f"{CRITERION_LABELS.get(c, c)}: {o.figure(c)}"))
            elif s.normalised <= 0.25:
                lines.append(("Bad", f"{CRITERION_LABELS.get(c, c)}: {o.figure(c)}"))
        if o.obligations:
            codes = ", ".join(sorted({ob.code for ob in o.obligations}))
            lines.append(("Neutral", f"{len(o.obligations)} obligations ({codes})"))
        pros_cons.append({"option": o, "lines": lines})

    excluded = [o for o in a.options if o.status == "excluded"]
    clauses: dict[tuple[str, str, str], int] = {}
    for o in excluded:
        for ex in o.exclusions:
            if ex.clause:
                key = (ex.code, (o.licence or o.terms or "").strip(), ex.clause)
                clauses[key] = clauses.get(key, 0) + 1
    top = sorted((c for c in weights if prio.get(c, 0) > 0), key=lambda c: (-weights[c], c))[:2]
    neglected = [o.title for o in ranked if o.id != winner.id][:2]
    losses = [text for verdict, text in consequences if verdict == "Bad"]
    y_statement = (
        f"In the context of {usecase.name}, facing the choice between buying a proprietary"
        f" API, renting a hosted open-weight model and self-hosting one, we decided for"
        f" {winner.title}"
        + (f" and neglected {' and '.join(neglected)}" if neglected else "")
        + ", to achieve the best score on our priorities (chiefly "
        + " and ".join(CRITERION_LABELS[c] for c in top)
        + ")"
        + (f", accepting {losses[0]}" if losses else "")
        + f", because it ranks first with a score of {winner.score:.3f}"
        + (f" against {runner.score:.3f} for the runner-up" if runner and runner.score else "")
        + "."
    )
    return {
        "a": a,
        "u": usecase,
        "title": title,
        "date": on.isoformat(),
        "decision_makers": [usecase.owner] if usecase.owner else [],
        "winner": winner,
        "runner_up": runner,
        "considered": considered,
        "more_scored": len(ranked) - len([o for o in considered if o.rank is not None]),
        "requirements": requirement_lines(usecase),
        "priorities": [
            (CRITERION_LABELS.get(c, c), prio.get(c, 0), weights[c]) for c in winner.criteria
        ],
        "consequences": consequences,
        "pros_cons": pros_cons,
        "block_yaml": block.to_yaml(),
        "use_case_path": block.use_case,
        "excluded_by_code": sorted(a.summary.by_code.items(), key=lambda kv: (-kv[1], kv[0])),
        "clauses": [
            {"code": k[0], "licence": k[1], "clause": k[2], "options": n}
            for k, n in sorted(clauses.items())
        ],
        "y_statement": y_statement,
        "sources": len(a.sources),
        "sources_from": min((s.as_of for s in a.sources), default=None),
        "sources_to": max((s.as_of for s in a.sources), default=None),
        "horizon": horizon,
    }


def requirement_lines(u: UseCase) -> list[str]:
    """The questionnaire's gating answers as short sentences (defaults included)."""
    v, t, d, r, org = u.volume, u.task, u.data, u.requirements, u.organisation
    lines = [
        f"Volume: {v.requests_per_month:,.0f} requests a month, {v.input_tokens_per_request:,}"
        f" input and {v.output_tokens_per_request:,} output tokens each, growing"
        f" {v.growth_per_year:.0%} a year, over {v.horizon_months} months.",
        f"Task: {t.kind}, {t.complexity} complexity"
        + (f", up to {t.context_tokens:,} tokens of context" if t.context_tokens else "")
        + f"; languages {', '.join(t.languages)}; input {', '.join(t.modalities)}.",
        f"Data: {d.classification}"
        + ("; must stay in our environment" if d.must_stay_in_environment else "")
        + (f"; processed only in {', '.join(d.regions)}" if d.regions else "")
        + ("; zero data retention required" if d.zero_retention_required else "")
        + ".",
        f"Quality: at least {r.min_quality}"
        + (f"; p95 latency under {r.max_latency_p95_ms:,} ms" if r.max_latency_p95_ms else "")
        + f"; fine-tuning {r.fine_tuning}"
        + ("; a contractual SLA" if r.sla_required else "")
        + ("; commercial use" if r.commercial else "")
        + ".",
        f"Organisation: cloud {org.cloud}, GPUs {org.gpu_commitment},"
        + (" an MLOps team in place" if org.mlops_team else " no MLOps team yet")
        + ".",
    ]
    return lines
