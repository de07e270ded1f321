"""`adr new`, `adr refresh` and `check`'s re-assessment: the steps, returned as data.

The workflow assesses, builds the block and names the file; it writes nothing and formats
nothing. The record's Markdown comes from `makebuy.render.adr`, called by the CLI.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from makebuy.adr.block import (
    BUILTIN,
    DecisionBlock,
    FoundBlock,
    Tolerances,
    build_block,
    find_block,
    replace_block,
)
from makebuy.adr.document import AdrDocument, read_document, supersede_text
from makebuy.adr.folders import (
    find_record,
    numbering,
    record_number,
    relative_to,
    resolve_from,
    slugify,
)
from makebuy.errors import InputError, NoEligibleOptionError
from makebuy.units import add_months

if TYPE_CHECKING:
    from makebuy.config import Config
    from makebuy.load import LoadedCatalog
    from makebuy.models.catalog import Catalog
    from makebuy.models.result import Assessment, OptionResult
    from makebuy.models.usecase import UseCase


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

    def oldest_as_of(self) -> dt.date | None:
        """The oldest as-of date of the catalogs loaded so far (None before any)."""
        return min((c.catalog.as_of for c in self._loaded.values()), default=None)


def reassess(
    doc: AdrDocument,
    found: FoundBlock,
    extra_catalogs: Sequence[Path] = (),
    cache: CatalogCache | None = None,
    settings: Config | None = None,
) -> tuple[Assessment, Catalog]:
    """Re-run the recorded questionnaire against today's catalog (same files, plus extras).

    `settings`: the organisation config; its defaults and policy apply as in `assess`, its
    catalogs join the extras (once: a file the block records already is not loaded twice).
    The recorded method wins over a configured one: the decision was scored with it."""
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
    configured = settings.catalog_paths if settings is not None else []
    for extra in [*configured, *extra_catalogs]:
        if extra.resolve() not in {p.resolve() for p in paths}:
            paths.append(extra)
    loaded = (cache or CatalogCache()).get(BUILTIN in block.catalog, paths)
    run = pipeline.assess(
        usecase,
        paths,
        method=block.method,
        loaded_catalog=loaded,
        evaluated_on=None,
        settings=settings,
    )
    return run.assessment, run.catalog


# ---------------------------------------------------------------- drafting a record


@dataclass(frozen=True)
class NewRecord:
    """What `adr new` writes, as data: `makebuy.render.adr` turns it into the record's text.

    The superseded record's new text is here already: it is one rewritten status line of
    the team's own file, not something makebuy lays out.
    """

    path: Path
    title: str
    on: dt.date
    assessment: Assessment
    usecase: UseCase
    """The normalised questionnaire the assessment read."""
    block: DecisionBlock
    supersedes: str | None = None
    """How the record names the one it supersedes (ADR-0007, or a log4brains slug)."""
    supersedes_file: str | None = None
    superseded: tuple[Path, str] | None = None
    """The superseded record's path and its text with the status line rewritten."""


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
    settings: Config | None = None,
) -> NewRecord:
    """Assess the questionnaire and draft a MADR 4 record in `folder` (nothing is written).

    The run hands forward the questionnaire and catalog it read, so neither is loaded again.
    `settings`: the organisation config (defaults and policy); the caller puts its catalogs
    in `catalog_paths`, so the block records them like any other catalog file.
    """
    from makebuy import pipeline

    run = pipeline.assess(
        usecase_path,
        catalog_paths,
        method=method,
        builtin_catalog=builtin_catalog,
        settings=settings,
    )
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
    return NewRecord(
        path=path,
        title=title,
        on=on,
        assessment=assessment,
        usecase=usecase,
        block=block,
        supersedes=old_id,
        supersedes_file=old.path.name if old else None,
        superseded=superseded,
    )


def refresh_record(
    path: Path,
    *,
    extra_catalogs: Sequence[Path] = (),
    on: dt.date,
    review_months: int = 12,
    settings: Config | None = None,
) -> str:
    """The record's text with its block rebuilt from today's figures (a person re-confirmed it).

    `settings` as for `reassess`, so the refreshed block matches what `check` computes."""
    doc = read_document(path)
    found = find_block(doc)
    if found is None:
        raise InputError("no `yaml makebuy` block to refresh", path=path)
    assessment, catalog = reassess(doc, found, extra_catalogs, settings=settings)
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
    if winner.kind == "seat":
        return f"Buy seats of {winner.model_name} from {winner.provider} for {usecase_name}"
    return f"Use {winner.title} for {usecase_name}"
