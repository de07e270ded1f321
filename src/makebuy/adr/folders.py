"""Where records live and how they are named: the ADR folder, numbering, finding a record.

Teams name their decision log in many ways (.adr-dir, log4brains' adrFolder, the usual
folders) and number records in many schemes; a new record follows the folder it joins.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from makebuy.errors import InputError
from makebuy.load import parse_yaml

ADR_DIR_CANDIDATES = ("docs/decisions", "docs/adr", "doc/adr", "docs/architecture-decisions")
"""Folders searched, in order, when neither .adr-dir nor log4brains names one."""
DEFAULT_ADR_DIR = "docs/decisions"
"""Where `adr new` starts a decision log when the repository has none (MADR 3+)."""


# ---------------------------------------------------------------- paths recorded in a block


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
        conf = parse_yaml(l4b.read_text(encoding="utf-8"), str(l4b)).data
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
