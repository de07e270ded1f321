"""`makebuy catalog validate`: find what is wrong in catalog files before a report uses it.

Wrong data is the worst bug makebuy can have, and the load stage stops at the first file
that fails. This module reads every file it can, and reports, each with file:line:

- schema errors (pydantic, per file; a broken file does not hide the others' findings),
- duplicate ids: within one file, or across two built-in files (an error); a user file
  that reuses a built-in id is an override (allowed, reported as information),
- dangling references (source, licence, model, benchmark and successor ids),
- implausible values (a price per 1M tokens above $1,000, a GPU with more memory than any
  accelerator made, prices whose periods overlap, an as-of date after today, ...),
- stale figures: perishable facts (current prices, regions, data terms, SLA, lifecycle,
  GPU prices) whose as-of date is older than a configurable age: a warning only,
- weak sources: a price (API or GPU) or a licence whose only source is a community one
  (a blog, a user's copy, a scraper) is an error unless the figure is marked
  `unverified`; the share of figures per source kind is reported.
"""

from __future__ import annotations

import datetime as dt
import typing
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from makebuy import seats
from makebuy.errors import InputError, InputErrors
from makebuy.load import (
    LoadedCatalog,
    LoadedYaml,
    builtin_catalog_dir,
    catalog_files,
    merge_catalog,
    parse_catalog_file,
    reference_errors,
)
from makebuy.models.catalog import CatalogFile

CatalogSeverity = Literal["error", "warning", "info"]
"""How bad a problem in a catalog file is (decision records have their own findings:
`makebuy.check.DecisionFinding`)."""

# Implausibility bounds: each is above anything real, so a hit is a typo or a unit slip
# (a price per 1K tokens stored as per 1M, GB entered as GiB x 1024, ...).
MAX_PRICE_PER_1M_USD = 1_000.0
"""No API lists more than this per 1M tokens (GPT-4-32k output was $120 in 2023)."""
MAX_GPU_MEMORY_GB = 288.0
"""The largest accelerator memory shipping in 2026: 288 GB HBM3e (AMD MI355X, NVIDIA B300)."""
MAX_GPU_BANDWIDTH_GB_S = 10_000.0
"""Above every single accelerator's HBM bandwidth (B200/MI355X: 8 TB/s)."""
MAX_GPU_DENSE_TFLOPS = 10_000.0
"""Above every single accelerator's dense BF16/FP8 throughput."""
MAX_USD_PER_GPU_HOUR = 100.0
"""Per GPU, not per instance: a price above this was probably entered per instance."""
MAX_CONTEXT_TOKENS = 10_000_000
"""Llama 4 Scout's 10M tokens is the largest published context window."""
MAX_PARAMETERS_B = 10_000.0
"""Parameters in billions; open models top out near 1T, so 10T is a unit slip."""
MAX_RETENTION_DAYS = 3_650
DEFAULT_MAX_AGE_DAYS = 365


def _keyed_sections() -> tuple[str, ...]:
    """Sections of a catalog file whose entries carry an `id` (read off the schema, so a new
    section such as `throughput` is checked for duplicates without a change here)."""
    out = []
    for name, info in CatalogFile.model_fields.items():
        args = typing.get_args(info.annotation)
        item = args[0] if args else None
        if isinstance(item, type) and issubclass(item, BaseModel) and "id" in item.model_fields:
            out.append(name)
    return tuple(out)


_SECTIONS = _keyed_sections()


@dataclass(frozen=True, order=True)
class CatalogFinding:
    """One problem (or note) in a catalog file, with where it is."""

    path: str
    line: int
    severity: CatalogSeverity
    code: str
    field: str
    message: str

    def render(self) -> str:
        """``file:line: severity[code]: field: message`` (the grep- and editor-friendly form)."""
        where = f"{self.path}:{self.line}" if self.line else self.path
        fld = f"{self.field}: " if self.field else ""
        return f"{where}: {self.severity}[{self.code}]: {fld}{self.message}"


@dataclass(frozen=True)
class CatalogReport:
    """Every finding of one validation run, sorted, plus what was read."""

    files: tuple[str, ...]
    entries: dict[str, int]
    findings: tuple[CatalogFinding, ...]
    as_of: dt.date
    max_age_days: int
    source_kinds: dict[str, int] = field(default_factory=dict)
    """Figures (anything carrying a source id) by their source's kind, in the merged catalog."""

    def count(self, severity: CatalogSeverity) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings and overrides do not fail a catalog)."""
        return self.count("error") == 0

    def summary(self) -> str:
        """One line: files, entries, errors, warnings, overrides."""
        n_entries = sum(self.entries.values())
        parts = ", ".join(f"{n} {k}" for k, n in sorted(self.entries.items()) if n)
        return (
            f"{len(self.files)} files, {n_entries} entries ({parts}): "
            f"{self.count('error')} errors, {self.count('warning')} warnings, "
            f"{self.count('info')} overrides"
        )

    def kinds_line(self) -> str:
        """`Figures by source kind: 61% primary, ...` (empty when nothing was merged)."""
        total = sum(self.source_kinds.values())
        if not total:
            return ""
        parts = ", ".join(
            f"{self.source_kinds[k] / total:.0%} {k} ({self.source_kinds[k]})"
            for k in SOURCE_KIND_ORDER
            if self.source_kinds.get(k)
        )
        return f"Figures by source kind: {parts}"

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "source_kinds": {
                k: self.source_kinds[k] for k in SOURCE_KIND_ORDER if k in self.source_kinds
            },
            "as_of": self.as_of.isoformat(),
            "max_age_days": self.max_age_days,
            "files": list(self.files),
            "entries": dict(sorted(self.entries.items())),
            "counts": {s: self.count(s) for s in ("error", "warning", "info")},
            "findings": [
                {
                    "path": f.path,
                    "line": f.line or None,
                    "severity": f.severity,
                    "code": f.code,
                    "field": f.field or None,
                    "message": f.message,
                }
                for f in self.findings
            ],
        }


@dataclass
class _Collector:
    findings: list[CatalogFinding] = field(default_factory=list)

    def add(
        self,
        severity: CatalogSeverity,
        code: str,
        message: str,
        *,
        path: str | None,
        line: int | None = None,
        field: str = "",
    ) -> None:
        self.findings.append(
            CatalogFinding(path or "<catalog>", line or 0, severity, code, field, message)
        )

    def from_input_error(self, code: str, err: InputError) -> None:
        self.add("error", code, err.message, path=err.path, line=err.line, field=err.field or "")


def check_catalog(
    paths: Sequence[Path] = (),
    *,
    builtin: bool = True,
    as_of: dt.date,
    max_age_days: int = DEFAULT_MAX_AGE_DAYS,
) -> CatalogReport:
    """Validate the built-in catalog (unless disabled) plus `paths`.

    Figure-level checks (implausible values, staleness) run on the files named in `paths`,
    or on the built-in files when none are named: a user validating their override file
    wants its findings, not warnings about the built-in data. Cross-file checks
    (duplicates, overrides, references) always run on everything read.
    Raises InputError only for bad usage (a path that does not exist).
    """
    files: list[tuple[Path, str, bool]] = []
    if builtin:
        base = builtin_catalog_dir()
        files += [
            (p, f"builtin:{p.relative_to(base).as_posix()}", True) for p in catalog_files([base])
        ]
    files += [(p, str(p), False) for p in catalog_files(list(paths))]
    if not files:
        raise InputError("no catalog file to validate (give a PATH or drop --no-builtin-catalog)")

    out = _Collector()
    parsed: list[tuple[CatalogFile, LoadedYaml, bool]] = []
    for path, label, is_builtin in files:
        try:
            file, doc = parse_catalog_file(path, label)
        except InputErrors as exc:
            for err in exc.errors:
                out.from_input_error("schema", err)
            continue
        except InputError as exc:
            out.from_input_error("schema", exc)
            continue
        parsed.append((file, doc, is_builtin))

    _check_duplicates(parsed, out)
    entries, kinds = _merged_checks(parsed, out)
    targets = (
        [(f, d) for f, d, b in parsed if b]
        if not paths
        else [(f, d) for f, d, b in parsed if not b]
    )
    for file, doc in targets:
        _check_values(file, doc, out, as_of=as_of)
        _check_age(file, doc, out, as_of=as_of, max_age_days=max_age_days)

    return CatalogReport(
        files=tuple(label for _, label, _ in files),
        entries=entries,
        findings=tuple(sorted(set(out.findings))),
        as_of=as_of,
        max_age_days=max_age_days,
        source_kinds=kinds,
    )


def check_loaded(
    loaded: LoadedCatalog,
    user_files: Sequence[tuple[CatalogFile, LoadedYaml]],
    *,
    as_of: dt.date,
    max_age_days: int = DEFAULT_MAX_AGE_DAYS,
) -> list[CatalogFinding]:
    """`validate`'s checks on a catalog `load_catalog` has merged already (no second read).

    Schema, duplicate and reference errors stopped the merge before this is called; what is
    left are the relations between entries and, for the user's files, implausible values,
    dates after `as_of` and stale figures. The built-in files are not checked here: the
    test suite validates them, and their stale-figure warnings are not the user's to fix.
    """
    out = _Collector()
    _relation_checks(loaded, out)
    _check_task_evidence(loaded, out)
    for file, doc in user_files:
        _check_values(file, doc, out, as_of=as_of)
        _check_age(file, doc, out, as_of=as_of, max_age_days=max_age_days)
    return sorted(set(out.findings))


# ---------------------------------------------------------------- duplicates and overrides


def _entry_keys(file: CatalogFile) -> Iterator[tuple[str, int, str]]:
    """(section, index, key) of every keyed entry; evidence is keyed by model#benchmark."""
    for section in _SECTIONS:
        for i, entry in enumerate(getattr(file, section)):
            yield section, i, entry.id
    for i, ev in enumerate(file.evidence):
        yield "evidence", i, f"{ev.model}#{ev.benchmark}"


def _check_duplicates(parsed: list[tuple[CatalogFile, LoadedYaml, bool]], out: _Collector) -> None:
    """Same id twice in one file, or in two built-in files: an error. User reuse: override."""
    first: dict[tuple[str, str], tuple[str, int | None, bool]] = {}
    scale_at: tuple[str, bool] | None = None
    for file, doc, is_builtin in parsed:
        seen_here: dict[tuple[str, str], int | None] = {}
        for section, i, key in _entry_keys(file):
            line = doc.line_of((section, i))
            where = f"{section}[{key}]"
            if (section, key) in seen_here:
                out.add(
                    "error",
                    "duplicate-id",
                    f"duplicate id {key!r} in this file (first at line {seen_here[section, key]})",
                    path=doc.path,
                    line=line,
                    field=where,
                )
                continue
            seen_here[(section, key)] = line
            if (section, key) in first:
                prev_path, prev_line, prev_builtin = first[(section, key)]
                prev = f"{prev_path}:{prev_line}" if prev_line else prev_path
                if is_builtin and prev_builtin:
                    out.add(
                        "error",
                        "duplicate-id",
                        f"id {key!r} is also defined in {prev}; built-in ids must be unique",
                        path=doc.path,
                        line=line,
                        field=where,
                    )
                else:
                    out.add(
                        "info",
                        "override",
                        f"replaces the entry defined at {prev}",
                        path=doc.path,
                        line=line,
                        field=where,
                    )
            first[(section, key)] = (doc.path, line, is_builtin)
        if file.quality_scale is not None:
            line = doc.line_of(("quality_scale",))
            if scale_at is not None and scale_at[1] and is_builtin:
                out.add(
                    "error",
                    "duplicate-id",
                    f"quality_scale is also defined in {scale_at[0]}; at most one built-in file"
                    " may define it",
                    path=doc.path,
                    line=line,
                    field="quality_scale",
                )
            elif scale_at is not None:
                out.add(
                    "info",
                    "override",
                    f"replaces the quality_scale of {scale_at[0]}",
                    path=doc.path,
                    line=line,
                    field="quality_scale",
                )
            scale_at = (doc.path, is_builtin)


# ---------------------------------------------------------------- references (merged)


def _merged_checks(
    parsed: list[tuple[CatalogFile, LoadedYaml, bool]], out: _Collector
) -> tuple[dict[str, int], dict[str, int]]:
    """Merge like `assess` does and report dangling references and weak sources; returns
    entry counts and figures per source kind."""
    pairs = [(f, d) for f, d, _ in parsed]
    try:
        loaded = merge_catalog(pairs)
    except InputErrors as exc:
        for err in exc.errors:
            out.from_input_error("reference", err)
        return _count_entries(pairs), {}
    except InputError as exc:
        out.from_input_error("reference", exc)
        return _count_entries(pairs), {}
    # merge_catalog raises on these already; kept explicit so the check does not depend
    # on that side effect.
    for err in reference_errors(loaded):
        out.from_input_error("reference", err)
    _relation_checks(loaded, out)
    _check_task_evidence(loaded, out)
    _check_weak_sources(loaded, out)
    cat = loaded.catalog
    return {s: len(getattr(cat, s)) for s in (*_SECTIONS, "evidence")}, _source_kinds(loaded)


SOURCE_KIND_ORDER: tuple[str, ...] = ("primary", "secondary", "community", "unclassified")


def _source_kinds(loaded: LoadedCatalog) -> dict[str, int]:
    """Every figure of the merged catalog (anything with a source id) by its source's kind."""
    sources = loaded.catalog.sources
    counts: dict[str, int] = {}
    for _, node in _figures(loaded.catalog.canonical()):
        src = sources.get(str(node["source"]))
        kind = (src.kind if src is not None else None) or "unclassified"
        counts[kind] = counts.get(kind, 0) + 1
    return counts


def _check_weak_sources(loaded: LoadedCatalog, out: _Collector) -> None:
    """A price or a licence must not rest on a community source alone: an error, unless
    the figure says so itself (status `unverified`, flagged in every report using it)."""
    cat = loaded.catalog

    def community(source: str) -> bool:
        src = cat.sources.get(source)
        return src is not None and src.kind == "community"

    def report(section: str, key: str, field_: str, source: str) -> None:
        o = loaded.origins.get((section, key))
        out.add(
            "error",
            "source.community",
            f"rests on the community source {source!r} alone: cite the provider's own page"
            " or a maintained catalog of it, or mark the figure status: unverified",
            path=o.path if o else None,
            line=o.line if o else None,
            field=field_,
        )

    for oid in sorted(cat.offerings):
        for j, p in enumerate(cat.offerings[oid].prices):
            if p.status != "unverified" and community(p.source):
                report("offerings", oid, f"offerings[{oid}].prices[{j}].source", p.source)
    for gid in sorted(cat.gpus):
        for j, gp in enumerate(cat.gpus[gid].prices):
            if gp.status != "unverified" and community(gp.source):
                report("gpus", gid, f"gpus[{gid}].prices[{j}].source", gp.source)
    for sid in sorted(cat.servers):
        price = cat.servers[sid].price_usd
        if price is not None and price.status != "unverified" and community(price.source):
            report("servers", sid, f"servers[{sid}].price_usd.source", price.source)
    for lid in sorted(cat.licences):
        lic = cat.licences[lid]
        if community(lic.source):
            report("licences", lid, f"licences[{lid}].source", lic.source)
    for sid, field_, source in seats.community_priced(cat):
        report("seats", sid, field_, source)


def _relation_checks(loaded: LoadedCatalog, out: _Collector) -> None:
    """References `merge_catalog` does not check: successors and the kind of a licence."""
    cat = loaded.catalog

    def origin(section: str, key: str) -> tuple[str | None, int | None]:
        o = loaded.origins.get((section, key))
        return (o.path, o.line) if o else (None, None)

    known_successors = set(cat.models) | set(cat.offerings)
    for section in ("models", "offerings"):
        for key, entry in getattr(cat, section).items():
            life = entry.lifecycle
            if life is not None and life.successor and life.successor not in known_successors:
                path, line = origin(section, key)
                out.add(
                    "error",
                    "reference",
                    f"unknown model or offering id {life.successor!r}",
                    path=path,
                    line=line,
                    field=f"{section}[{key}].lifecycle.successor",
                )
    for key, off in cat.offerings.items():
        terms = cat.licences.get(off.terms) if off.terms else None
        if terms is not None and terms.kind != "api-terms":
            path, line = origin("offerings", key)
            out.add(
                "error",
                "reference",
                f"terms {off.terms!r} is a licence of kind {terms.kind!r}, expected api-terms",
                path=path,
                line=line,
                field=f"offerings[{key}].terms",
            )
    for key, model in cat.models.items():
        lic = cat.licences.get(model.licence) if model.licence else None
        if model.open_weights and lic is not None and lic.kind != "open-weights":
            path, line = origin("models", key)
            out.add(
                "error",
                "reference",
                f"open-weight model with licence {model.licence!r} of kind {lic.kind!r}",
                path=path,
                line=line,
                field=f"models[{key}].licence",
            )


def _check_task_evidence(loaded: LoadedCatalog, out: _Collector) -> None:
    """A benchmark outside `precedence` is never read, and evidence on it is dead weight;
    a per-task figure whose source has no URL-bearing entry is caught by the references."""
    cat = loaded.catalog
    scale = cat.quality_scale
    origin = loaded.origins.get(("quality_scale", "quality_scale"))
    path = origin.path if origin else None
    for bench, entry in scale.benchmarks.items():
        if bench not in scale.precedence:
            kinds = f" (tasks: {', '.join(entry.tasks)})" if entry.tasks else ""
            out.add(
                "error",
                "reference",
                f"benchmark {bench!r}{kinds} is not in quality_scale.precedence, so its"
                " evidence is never read",
                path=path,
                field=f"quality_scale.benchmarks.{bench}",
            )


def _count_entries(pairs: Iterable[tuple[CatalogFile, LoadedYaml]]) -> dict[str, int]:
    keys: dict[str, set[str]] = {s: set() for s in (*_SECTIONS, "evidence")}
    for file, _ in pairs:
        for section, _, key in _entry_keys(file):
            keys[section].add(key)
    return {s: len(v) for s, v in keys.items()}


# ---------------------------------------------------------------- values (per file)


def _check_values(file: CatalogFile, doc: LoadedYaml, out: _Collector, *, as_of: dt.date) -> None:
    """Implausible numbers, inconsistent price periods and dates after `as_of`."""

    def bad(at: tuple[str | int, ...], field_: str, message: str) -> None:
        out.add("error", "implausible", message, path=doc.path, line=doc.line_of(at), field=field_)

    for at, field_, message in seats.implausible(file.seats):
        bad(at, field_, message)
    for i, model in enumerate(file.models):
        if model.precisions is not None and not model.open_weights:
            bad(
                ("models", i, "precisions"),
                f"models[{model.id}].precisions",
                "checkpoint precisions are for open-weight models (nothing to self-host)",
            )
    for i, off in enumerate(file.offerings):
        name = f"offerings[{off.id}]"
        lat = off.latency
        if lat is not None and lat.ttft_ms is None and lat.output_tokens_per_s is None:
            bad(
                ("offerings", i, "latency"),
                f"{name}.latency",
                "a latency figure needs ttft_ms, output_tokens_per_s or both",
            )
        for j, p in enumerate(off.prices):
            at = ("offerings", i, "prices", j)
            for kind, value in (("input", p.input_per_1m), ("output", p.output_per_1m)):
                if value > MAX_PRICE_PER_1M_USD:
                    bad(
                        at,
                        f"{name}.prices[{j}].{kind}_per_1m",
                        f"${value:,.2f} per 1M tokens is above ${MAX_PRICE_PER_1M_USD:,.0f}"
                        " (a price per 1K tokens stored as per 1M?)",
                    )
            if p.effective_to is not None and p.effective_to <= p.effective_from:
                bad(
                    at,
                    f"{name}.prices[{j}].effective_to",
                    f"effective_to {p.effective_to} is not after effective_from {p.effective_from}",
                )
        for j, (a, b) in enumerate(zip(off.prices, off.prices[1:], strict=False), start=1):
            at = ("offerings", i, "prices", j)
            if b.effective_from < a.effective_from:
                bad(at, f"{name}.prices[{j}]", "prices must be in date order, newest last")
            elif a.effective_to is None or a.effective_to > b.effective_from:
                bad(
                    at,
                    f"{name}.prices[{j}]",
                    f"starts {b.effective_from} while the previous price (from"
                    f" {a.effective_from}) is still in effect",
                )
        if off.context_tokens is not None and off.context_tokens.value > MAX_CONTEXT_TOKENS:
            bad(
                ("offerings", i, "context_tokens"),
                f"{name}.context_tokens",
                f"{off.context_tokens.value:,} tokens is above {MAX_CONTEXT_TOKENS:,}",
            )
        if off.data and off.data.retention_days and off.data.retention_days > MAX_RETENTION_DAYS:
            bad(
                ("offerings", i, "data"),
                f"{name}.data.retention_days",
                f"{off.data.retention_days} days is above {MAX_RETENTION_DAYS}",
            )
        life = off.lifecycle
        if life and life.deprecated and life.retires and life.retires < life.deprecated:
            bad(
                ("offerings", i, "lifecycle"),
                f"{name}.lifecycle.retires",
                f"retires {life.retires} before it was deprecated ({life.deprecated})",
            )

    for i, gpu in enumerate(file.gpus):
        name = f"gpus[{gpu.id}]"
        for fld, value, limit, unit in (
            ("memory_gb", gpu.memory_gb.value, MAX_GPU_MEMORY_GB, "GB"),
            ("bandwidth_gb_s", gpu.bandwidth_gb_s.value, MAX_GPU_BANDWIDTH_GB_S, "GB/s"),
            ("bf16_dense_tflops", gpu.bf16_dense_tflops.value, MAX_GPU_DENSE_TFLOPS, "TFLOPS"),
            (
                "fp8_dense_tflops",
                gpu.fp8_dense_tflops.value if gpu.fp8_dense_tflops else 0.0,
                MAX_GPU_DENSE_TFLOPS,
                "TFLOPS",
            ),
        ):
            if value > limit:
                bad(
                    ("gpus", i, fld),
                    f"{name}.{fld}",
                    f"{value:g} {unit} is more than any GPU made (limit {limit:g} {unit})",
                )
            if value <= 0 and fld != "fp8_dense_tflops":
                bad(("gpus", i, fld), f"{name}.{fld}", f"{value:g} {unit} must be positive")
        for j, gp in enumerate(gpu.prices):
            if gp.usd_per_gpu_hour > MAX_USD_PER_GPU_HOUR:
                bad(
                    ("gpus", i, "prices", j),
                    f"{name}.prices[{j}].usd_per_gpu_hour",
                    f"${gp.usd_per_gpu_hour:,.2f} per GPU-hour is above"
                    f" ${MAX_USD_PER_GPU_HOUR:,.0f} (a per-instance price?)",
                )

    for i, model in enumerate(file.models):
        name = f"models[{model.id}]"
        params = model.parameters_b.value if model.parameters_b else None
        active = model.active_parameters_b.value if model.active_parameters_b else None
        if params is not None and not 0 < params <= MAX_PARAMETERS_B:
            bad(
                ("models", i, "parameters_b"),
                f"{name}.parameters_b",
                f"{params:g} billion parameters is outside (0, {MAX_PARAMETERS_B:g}]",
            )
        if params is not None and active is not None and active > params:
            bad(
                ("models", i, "active_parameters_b"),
                f"{name}.active_parameters_b",
                f"{active:g}B active parameters exceed the total of {params:g}B",
            )
        if model.context_tokens is not None and not (
            0 < model.context_tokens.value <= MAX_CONTEXT_TOKENS
        ):
            bad(
                ("models", i, "context_tokens"),
                f"{name}.context_tokens",
                f"{model.context_tokens.value:,} tokens is outside (0, {MAX_CONTEXT_TOKENS:,}]",
            )
        arch = model.architecture
        if arch is not None and (
            arch.kv_heads > arch.attention_heads or arch.attention_heads % arch.kv_heads
        ):
            bad(
                ("models", i, "architecture"),
                f"{name}.architecture.kv_heads",
                f"{arch.kv_heads} KV heads must divide {arch.attention_heads} attention heads",
            )

    benchmarks = file.quality_scale.benchmarks if file.quality_scale else {}
    for bench, scale in benchmarks.items():
        if scale.source is None:
            out.add(
                "error",
                "missing-source",
                "benchmark anchors need a source",
                path=doc.path,
                line=doc.line_of(("quality_scale", "benchmarks", bench)),
                field=f"quality_scale.benchmarks.{bench}.source",
            )

    for at, node in _figures(doc.data):
        day = _date(node.get("as_of"))
        if day is not None and day > as_of:
            out.add(
                "error",
                "future-date",
                f"as_of {day} is after {as_of}",
                path=doc.path,
                line=doc.line_of((*at, "as_of")),
                field=_dotted(at) + ".as_of",
            )


def _figures(node: Any, at: tuple[str | int, ...] = ()) -> Iterator[tuple[Any, dict[str, Any]]]:
    """Every mapping in the raw YAML that carries a source (a figure, group, price, ...)."""
    if isinstance(node, dict):
        if "source" in node and "as_of" in node:
            yield at, node
        for key, value in node.items():
            yield from _figures(value, (*at, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _figures(value, (*at, i))


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def _dotted(at: Iterable[str | int]) -> str:
    out = ""
    for part in at:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


# ---------------------------------------------------------------- staleness (per file)


def _check_age(
    file: CatalogFile, doc: LoadedYaml, out: _Collector, *, as_of: dt.date, max_age_days: int
) -> None:
    """Warn on perishable figures read more than `max_age_days` before `as_of`.

    Only facts that change are checked: the current price of an offering still served,
    its regions, data terms, SLA and lifecycle, and GPU prices. A model's parameter count
    or a superseded 2023 price does not go stale.
    """
    oldest = as_of - dt.timedelta(days=max_age_days)

    def warn(at: tuple[str | int, ...], field_: str, day: dt.date) -> None:
        out.add(
            "warning",
            "stale",
            f"as_of {day} is more than {max_age_days} days before {as_of}; re-check it",
            path=doc.path,
            line=doc.line_of(at),
            field=field_,
        )

    for i, off in enumerate(file.offerings):
        if off.lifecycle and off.lifecycle.retires and off.lifecycle.retires <= as_of:
            continue  # retired: nothing about it can change any more
        name = f"offerings[{off.id}]"
        for j, p in enumerate(off.prices):
            if p.effective_to is None and p.as_of < oldest:
                warn(("offerings", i, "prices", j), f"{name}.prices[{j}]", p.as_of)
        for fld in ("regions", "data", "sla", "lifecycle"):
            fig = getattr(off, fld)
            if fig is not None and fig.as_of < oldest:
                warn(("offerings", i, fld), f"{name}.{fld}", fig.as_of)
    for i, gpu in enumerate(file.gpus):
        for j, gp in enumerate(gpu.prices):
            if gp.as_of < oldest:
                warn(("gpus", i, "prices", j), f"gpus[{gpu.id}].prices[{j}]", gp.as_of)
    for i, seat in enumerate(file.seats):
        for j, sp in enumerate(seat.prices):
            if sp.as_of < oldest:
                warn(("seats", i, "prices", j), f"seats[{seat.id}].prices[{j}]", sp.as_of)
