"""What every importer shares: the cited file, the no-silent-replacement rules, the YAML.

An overlay is an ordinary catalog file. Because a later entry with the same id replaces an
earlier one whole, an overlay entry for an offering or model the base catalog already has
is the base entry with the imported figures merged in:

- a figure the base lacks is added;
- an equal figure keeps the curated one (and its source);
- a different figure replaces a `secondary` or `unverified` one, but a `verified`
  (primary-sourced) one is kept and reported as a conflict unless `force` is set;
- a price is history: a different price from a later date becomes a new dated row (the
  open row before it is closed on that date); a different price for the same date as a
  verified curated row is a conflict.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from makebuy.errors import InputError
from makebuy.models.catalog import Architecture, Figure, Model, Offering, Price, Source


@dataclass(frozen=True)
class ImportedFile:
    """The file an import read: its name, bytes and sha256, and the release it came in."""

    path: Path
    name: str
    data: bytes
    sha256: str
    package: str | None = None
    version: str | None = None

    @property
    def release(self) -> str:
        """`package version`, or what is known of it."""
        return " ".join(p for p in (self.package, self.version) if p)


def read_file(
    path: Path, *, package: str | None = None, version: str | None = None
) -> ImportedFile:
    """Read the input whole and fingerprint it (through the same guard as every input:
    regular files only, at most `load.MAX_INPUT_BYTES`)."""
    from makebuy.load import check_input_file

    check_input_file(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", path=path) from None
    return from_bytes(path, path.name, data, package=package, version=version)


def from_bytes(
    path: Path, name: str, data: bytes, *, package: str | None = None, version: str | None = None
) -> ImportedFile:
    """An ImportedFile for bytes already read (a member of a wheel, say)."""
    return ImportedFile(
        path=path,
        name=name,
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
        package=package,
        version=version,
    )


def source_for(file: ImportedFile, *, importer: str, url: str, publisher: str) -> Source:
    """The `sources:` entry every imported figure cites: file name, release and sha256."""
    release = f" ({file.release})" if file.release else ""
    return Source(
        id=f"import-{importer}-{file.sha256[:12]}",
        title=f"{file.name}{release}, sha256 {file.sha256}",
        url=url,
        publisher=publisher,
    )


@dataclass(frozen=True)
class Conflict:
    """An imported figure that differs from a verified, hand-curated one (kept unless forced)."""

    entry: str
    field: str
    curated: str
    imported: str
    curated_source: str


@dataclass(frozen=True)
class Unmapped:
    """An entry of the input that produced nothing, and why."""

    key: str
    reason: str


@dataclass
class ImportResult:
    """What an import produced: the overlay's entries and the report around them."""

    importer: str
    file: ImportedFile
    as_of: dt.date
    source: Source
    forced: bool
    models: dict[str, Model] = field(default_factory=dict)
    offerings: dict[str, Offering] = field(default_factory=dict)
    changes: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    unmapped: list[Unmapped] = field(default_factory=list)
    mapped: int = 0

    @property
    def conflicts_kept_out(self) -> bool:
        """Some imported figure was left out because a curated one differs."""
        return bool(self.conflicts) and not self.forced


def parse_json(file: ImportedFile, path: Path) -> Any:
    """The file's JSON; anything else is an input error naming the file."""
    try:
        return json.loads(file.data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"not JSON: {exc}", path=path) from None


# ---------------------------------------------------------------- merge rules


_RANK = {"unverified": 0, "secondary": 1, "verified": 2}
"""An imported figure never replaces a curated one of higher status."""


def merge_figure(
    result: ImportResult,
    entry: str,
    name: str,
    curated: Figure[Any] | None,
    imported: Figure[Any] | None,
) -> Figure[Any] | None:
    """The figure the overlay carries for `entry.name` (see the module docstring)."""
    if imported is None:
        return curated
    if curated is None:
        result.changes.append(f"{entry}: {name} added ({imported.value!s})")
        return imported
    if curated.value == imported.value:
        return curated
    if curated.status == "verified":
        result.conflicts.append(
            Conflict(entry, name, str(curated.value), str(imported.value), curated.source)
        )
        if not result.forced:
            return curated
    elif _RANK[imported.status] < _RANK[curated.status]:
        return curated
    result.changes.append(
        f"{entry}: {name} {curated.value!s} -> {imported.value!s}"
        f" (replaces {curated.status} figure from {curated.source})"
    )
    return imported


ARCHITECTURE_FIGURES = (
    "layers",
    "hidden_size",
    "attention_heads",
    "kv_heads",
    "head_dim",
    "kv_cache_values_per_layer",
    "sliding_window",
    "experts",
    "experts_per_token",
    "vocab_size",
    "intermediate_size",
)
"""The numbers of an `architecture` group that sizing reads or reports."""


def merge_architecture(
    result: ImportResult, entry: str, curated: Architecture | None, imported: Architecture
) -> Architecture:
    """A whole figure group: kept when equal or verified-and-different, else replaced."""
    if curated is None:
        result.changes.append(f"{entry}: architecture added")
        return imported
    differing = [
        n
        for n in ARCHITECTURE_FIGURES
        if getattr(imported, n) is not None and getattr(curated, n) != getattr(imported, n)
    ]
    if not differing:
        return curated
    if curated.status == "verified":
        for n in differing:
            result.conflicts.append(
                Conflict(
                    entry,
                    f"architecture.{n}",
                    str(getattr(curated, n)),
                    str(getattr(imported, n)),
                    curated.source,
                )
            )
        if not result.forced:
            return curated
    shown = ", ".join(f"{n} {getattr(curated, n)} -> {getattr(imported, n)}" for n in differing)
    result.changes.append(
        f"{entry}: architecture {shown} (replaces {curated.status} group from {curated.source})"
    )
    return imported


def _same_price(a: Price, b: Price) -> bool:
    return (a.input_per_1m, a.output_per_1m) == (b.input_per_1m, b.output_per_1m)


def merge_price(
    result: ImportResult, entry: str, prices: Sequence[Price], new: Price
) -> list[Price]:
    """The price history with `new` merged in as history (see the module docstring)."""
    rows = sorted(prices, key=lambda p: p.effective_from)
    same_day = [i for i, p in enumerate(rows) if p.effective_from == new.effective_from]
    if same_day:
        i = same_day[0]
        old = rows[i]
        if _same_price(old, new):
            return rows
        if old.status == "verified":
            result.conflicts.append(
                Conflict(
                    entry,
                    f"price from {old.effective_from}",
                    old.shown,
                    new.shown,
                    old.source,
                )
            )
            if not result.forced:
                return rows
        rows[i] = new.model_copy(update={"effective_to": old.effective_to})
        result.changes.append(
            f"{entry}: price from {old.effective_from} {old.shown} -> {new.shown}"
            f" (replaces {old.status} row from {old.source})"
        )
        return rows
    later = [p for p in rows if p.effective_from > new.effective_from]
    if later:
        covering = [p for p in rows if p.effective_from < new.effective_from]
        if covering and _same_price(covering[-1], new):
            return rows
        result.unmapped.append(
            Unmapped(
                f"{entry}@{new.effective_from}",
                f"price {new.shown} is older than the curated history"
                f" (which has a row from {later[0].effective_from})",
            )
        )
        return rows
    if rows and _same_price(rows[-1], new) and rows[-1].effective_to is None:
        return rows
    if rows:
        last = rows[-1]
        if last.effective_to is None or last.effective_to > new.effective_from:
            rows[-1] = last.model_copy(update={"effective_to": new.effective_from})
        result.changes.append(
            f"{entry}: price {last.shown} -> {new.shown} from {new.effective_from}"
        )
    else:
        result.changes.append(f"{entry}: price {new.shown} from {new.effective_from} added")
    rows.append(new)
    return rows


def update_offering(
    result: ImportResult,
    base: Offering,
    *,
    prices: Sequence[Price] = (),
    context_tokens: Figure[int] | None = None,
) -> None:
    """Merge imported prices and context into a base offering; keep it if anything changed."""
    current = result.offerings.get(base.id, base)
    rows = list(current.prices)
    for price in sorted(prices, key=lambda p: p.effective_from):
        rows = merge_price(result, base.id, rows, price)
    context = merge_figure(
        result, base.id, "context_tokens", current.context_tokens, context_tokens
    )
    updated = current.model_copy(update={"prices": rows, "context_tokens": context})
    result.mapped += 1
    if updated != base:
        result.offerings[base.id] = updated
    else:
        result.unchanged.append(base.id)


def usd_per_1m(per_token: Any) -> float | None:
    """USD per token (a number or a decimal string) -> USD per 1M tokens, rounded to 1e-6."""
    if per_token is None or isinstance(per_token, bool):
        return None
    try:
        value = float(per_token)
    except (TypeError, ValueError):
        return None
    if value < 0:
        return None
    return round(value * 1_000_000, 6)


def parse_mappings(pairs: Sequence[str]) -> dict[str, str]:
    """`--map KEY=ID` options as a dict; a malformed one is an InputError."""
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise InputError(f"--map expects KEY=ID, got {pair!r}")
        out[key.strip()] = value.strip()
    return out


# ---------------------------------------------------------------- YAML


class _Dumper(yaml.SafeDumper):
    """Block style, long lines kept whole, no anchors (a date shared by figures is repeated)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


_HEADER_NAMES = 40
"""Unmapped entries named in the overlay's header; `--unmapped FILE` lists all."""


def overlay_document(result: ImportResult) -> dict[str, Any]:
    """The overlay as a catalog file mapping, entries sorted by id."""
    doc: dict[str, Any] = {"makebuy-catalog": 1, "sources": [_dump(result.source)]}
    if result.models:
        doc["models"] = [_dump(result.models[k]) for k in sorted(result.models)]
    if result.offerings:
        doc["offerings"] = [_dump(result.offerings[k]) for k in sorted(result.offerings)]
    return doc


def _dump(entry: Any) -> dict[str, Any]:
    dumped: dict[str, Any] = entry.model_dump(mode="python", exclude_none=True, by_alias=True)
    return dumped


def header(result: ImportResult) -> str:
    """The overlay's comment block: what was read, what changed, conflicts, unmapped."""
    f = result.file
    lines = [
        f"Catalog overlay written by `makebuy catalog import {result.importer}`.",
        f"Read: {f.name}" + (f" ({f.release})" if f.release else ""),
        f"sha256: {f.sha256}",
        f"As of: {result.as_of.isoformat()}",
        f"Mapped: {result.mapped} catalog entries; {len(result.changes)} changes,"
        f" {len(result.unchanged)} unchanged, {len(result.conflicts)} conflicts,"
        f" {len(result.unmapped)} unmapped input entries.",
    ]
    if result.changes:
        lines += ["", "Changes:"] + [f"  {c}" for c in sorted(result.changes)]
    if result.conflicts:
        what = "replaced (--force)" if result.forced else "kept; pass --force to take the import"
        lines += ["", f"Conflicts with verified curated figures ({what}):"]
        lines += [f"  {line}" for line in conflict_lines(result)]
    if result.unmapped:
        names = sorted(result.unmapped, key=lambda u: u.key)
        lines += ["", f"Unmapped ({len(names)}):"]
        lines += [f"  {u.key}: {u.reason}" for u in names[:_HEADER_NAMES]]
        if len(names) > _HEADER_NAMES:
            lines.append(f"  ... and {len(names) - _HEADER_NAMES} more (--unmapped FILE lists all)")
    return "".join(f"# {line}".rstrip() + "\n" for line in lines)


def overlay_yaml(result: ImportResult) -> str:
    """The overlay file's text: the header comment, then the catalog YAML."""
    body = yaml.dump(
        overlay_document(result),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=1000,
        default_flow_style=False,
    )
    return header(result) + "\n" + body


def unmapped_report(result: ImportResult) -> str:
    """Every unmapped input entry, one a line: `key<TAB>reason`, sorted."""
    return "".join(f"{u.key}\t{u.reason}\n" for u in sorted(result.unmapped, key=lambda u: u.key))


def conflict_lines(result: ImportResult) -> list[str]:
    """One line per conflict with a verified curated figure, sorted (header and stderr)."""
    return [
        f"{c.entry}: {c.field}: curated {c.curated} ({c.curated_source}), imported {c.imported}"
        for c in sorted(result.conflicts, key=lambda c: (c.entry, c.field))
    ]


def summary(result: ImportResult) -> str:
    """One line for stderr."""
    kept = " (curated values kept; --force to replace)" if result.conflicts_kept_out else ""
    return (
        f"{result.importer}: {result.mapped} catalog entries matched, {len(result.changes)}"
        f" changes, {len(result.unchanged)} unchanged, {len(result.conflicts)} conflicts{kept},"
        f" {len(result.unmapped)} unmapped"
    )
