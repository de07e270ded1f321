"""Decision records: read ADRs of any style, and draft MADR 4 records from an assessment.

One job per module:

- `document`: read a Markdown file as an ADR, whatever its style (forgiving), and rewrite
  one status line when a record is superseded;
- `block`: the `yaml makebuy` block, the one part of a record makebuy writes and checks;
- `folders`: where the decision log lives, how its records are numbered and found;
- `workflow`: `adr new`, `adr refresh` and the re-assessment `check` runs, as data.

The record's Markdown is laid out by `makebuy.render.adr`; nothing here formats a report.
The names below are re-exported so callers write `adr.read_document(...)`.
"""

from __future__ import annotations

from makebuy.adr.block import (
    BUILTIN,
    DecisionBlock,
    FoundBlock,
    OptionFacts,
    Tolerances,
    build_block,
    find_block,
    option_facts,
    replace_block,
)
from makebuy.adr.document import (
    BLOCK_INFO,
    SKIPPED_STATUSES,
    AdrDocument,
    Fence,
    StatusKind,
    StatusLine,
    Style,
    SupersedesLink,
    classify_status,
    parse_document,
    plain_status,
    read_document,
    supersede_text,
    supersedes_link,
)
from makebuy.adr.folders import (
    ADR_DIR_CANDIDATES,
    DEFAULT_ADR_DIR,
    Numbering,
    adr_files,
    find_adr_dir,
    find_record,
    numbering,
    project_root,
    record_number,
    relative_to,
    resolve_from,
    slugify,
)
from makebuy.adr.workflow import (
    CatalogCache,
    NewRecord,
    new_record,
    reassess,
    record_title,
    refresh_record,
)

__all__ = [
    "ADR_DIR_CANDIDATES",
    "BLOCK_INFO",
    "BUILTIN",
    "DEFAULT_ADR_DIR",
    "SKIPPED_STATUSES",
    "AdrDocument",
    "CatalogCache",
    "DecisionBlock",
    "Fence",
    "FoundBlock",
    "NewRecord",
    "Numbering",
    "OptionFacts",
    "StatusKind",
    "StatusLine",
    "Style",
    "SupersedesLink",
    "Tolerances",
    "adr_files",
    "build_block",
    "classify_status",
    "find_adr_dir",
    "find_block",
    "find_record",
    "new_record",
    "numbering",
    "option_facts",
    "parse_document",
    "plain_status",
    "project_root",
    "read_document",
    "reassess",
    "record_number",
    "record_title",
    "refresh_record",
    "relative_to",
    "replace_block",
    "resolve_from",
    "slugify",
    "supersede_text",
    "supersedes_link",
]
