"""Reading decision records of any style: front matter, fences, headings, status, style.

Reading is forgiving because teams write ADRs in many styles (MADR 2/3/4, Nygard, free
form; status in front matter, a bullet, a `## Status` section or a bold line). The one
write here, `supersede_text`, changes a single status line and keeps every other byte.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from makebuy.errors import InputError
from makebuy.load import check_input_file, parse_yaml

BLOCK_INFO = ("yaml", "makebuy")
"""The fence info string that marks makebuy's block; any other fence is ignored."""
StatusKind = Literal["accepted", "proposed", "rejected", "deprecated", "superseded", "unknown"]
"""The canonical statuses every spelling maps onto (placeholders stay unknown)."""
Style = Literal["madr2", "madr3", "madr4", "nygard", "other"]
SKIPPED_STATUSES: frozenset[str] = frozenset({"rejected", "deprecated", "superseded"})
"""Statuses whose decision no longer stands, so `check` does not re-assess it."""


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
    r"^(?P<lead>\s*(?:[-*+]\s+|\#{2,6}[ \t]+|\|\s*)?(?:\*\*|__)?(?:status|statut)\s*(?:\*\*|__)?"
    r"\s*[:|]\s*(?:\*\*|__)?\s*)"
    r"(?P<value>.*?)(?P<tail>\s*\|?\s*)$",
    re.IGNORECASE,
)
"""A status on one line: `Status: x`, `- **Status:** x`, `## Status: x` (a heading holding
the value) or a table row `| Status | x |` (`tail` keeps the row's closing bar)."""
_LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]*)[^)]*\)")


def read_document(path: Path) -> AdrDocument:
    """Read any file as a possible ADR. Never raises on content, only on unreadable files."""
    check_input_file(path)
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
                # Padded so that an error names the file's own line.
                text = "\n" + "\n".join(bare[1:i])
                data = parse_yaml(text, "front matter").data
            except InputError:
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
                if isinstance(value, list):  # `status: [accepted]`
                    value = ", ".join(str(v) for v in value)
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
        is_row = m is not None and m.group("lead").lstrip().startswith("|")
        if m and is_row and classify_status(m.group("value")) == "unknown":
            continue  # a table's header row (`| Status | Owner |`), not a status
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


_LINK_ANY = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\([^)]*\)")
_RELATION = re.compile(
    r"(?<!\w)(?P<verb>superseded by|superceded by|replaced by|obsoleted by|amended by|amends"
    r"|supersedes|supercedes|replaces|obsoletes|extended by|extends|clarified by|clarifies"
    r"|refined by|refines|relates to|related to|in favou?r of|see also|see)(?!\w)[^|;,()\n]*"
)
"""A relation to another record and its target, up to the end of the clause: the target's
title ("Amended by [9. Handle superseded records](…)") is never read as this record's status."""
_SUCCEEDED = re.compile(r"(?<!not )(?<!\w)(?:superseded|superceded|replaced by|obsoleted by)(?!\w)")


def classify_status(raw: str) -> StatusKind:
    """Map a status as written onto the canonical set; placeholders stay unknown.

    Links and the targets of relations to other records ("Amends 0003", "Supersedes
    [3. Deprecated API](…)", "Amended by …") are set aside first, so only this record's
    own status words count. A record superseded (or replaced) is superseded wherever the
    status says so; otherwise the earliest status word wins ("Accepted | Amended by …" is
    accepted). A template placeholder is unknown: it starts with `{`, lists three statuses
    or more, or joins two with "or", "/" or "|" ("Accepted or Rejected").
    """
    links: list[str] = []

    def stash(link: re.Match[str]) -> str:  # a link stays one opaque word for now
        links.append(plain_status(link.group(0)))
        return f" \x00{len(links) - 1}\x00 "

    text = _LINK_ANY.sub(stash, raw.replace("\x00", " ").lower())
    text = re.sub(r"[`*_>\[\]]", " ", text).strip()
    if text.startswith("{"):  # MADR's template placeholder, left unfilled
        return "unknown"
    text = _RELATION.sub(
        lambda m: m.group("verb") if _SUCCEEDED.match(m.group("verb")) else " ", text
    )
    text = re.sub("\x00(\\d+)\x00", lambda m: links[int(m.group(1))], text)  # "[Approved](…)"
    hits: list[tuple[int, StatusKind]] = []
    for kind, words in _STATUS_WORDS.items():
        found = re.search(r"(?<!\w)(?:" + "|".join(map(re.escape, words)) + r")(?!\w)", text)
        if found:
            hits.append((found.start(), kind))  # type: ignore[arg-type]
    if len(hits) >= 3 and re.search(r"\bor\b|/|\|", text):
        return "unknown"
    if _SUCCEEDED.search(text):
        return "superseded"
    if not hits:
        return "unknown"
    if len(hits) > 1 and _ALTERNATIVES.search(text):
        return "unknown"
    return min(hits)[1]


_ANY_STATUS = "|".join(re.escape(w) for words in _STATUS_WORDS.values() for w in words)
_ALTERNATIVES = re.compile(rf"(?<!\w)(?:{_ANY_STATUS})\s*(?:\bor\b|/|\|)\s*(?:{_ANY_STATUS})(?!\w)")
"""Two statuses offered side by side ("Accepted or Rejected", "proposed | accepted")."""


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


# ---------------------------------------------------------------- superseding

_SUPERSEDES_LINE = re.compile(r"^This record supersedes \[(?P<name>[^\]]*)\]\((?P<file>[^)\s]+)\)")


@dataclass(frozen=True)
class SupersedesLink:
    """The line `adr new --supersedes` writes into the new record, naming the old one."""

    name: str  # as the record names it: ADR-0007, or a log4brains slug
    path: Path  # the old record's file, resolved from the new record's folder
    line: int  # 0-based line index in the new record


def supersedes_link(doc: AdrDocument) -> SupersedesLink | None:
    """Where a record says which record it supersedes (only makebuy's own sentence)."""
    for i, text in enumerate(doc.lines):
        m = _SUPERSEDES_LINE.match(text)
        if m and "://" not in m.group("file"):
            return SupersedesLink(m.group("name"), doc.path.parent / m.group("file"), i)
    return None


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
    following = i + 1
    if doc.status.where == "front-matter":
        m = _STATUS_KEY.match(bare)
        assert m is not None
        colon = m.group(3) if m.group(3)[-1:].isspace() else m.group(3) + " "
        new = f'{m.group(1)}{m.group(2)}{colon}"superseded by {identifier}"'
        if m.group(4).strip() in ("", "|", ">", "|-", ">-"):  # a block value on the lines below
            end = doc.front_matter_end - 1  # the closing `---`
            while following < end and doc.lines[following].startswith((" ", "\t", "-")):
                following += 1
    elif doc.status.where == "line":
        m = _STATUS_LINE.match(bare)
        assert m is not None
        new = f"{m.group('lead')}superseded by {identifier}{m.group('tail')}"
    else:  # a Nygard status section: adr-tools links the successor by number and title
        indent = bare[: len(bare) - len(bare.lstrip())]
        new = f"{indent}Superseded by [{identifier}]({successor.name})"
    return "".join([*doc.lines[:i], new + ending, *doc.lines[following:]])
