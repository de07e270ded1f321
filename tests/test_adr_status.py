"""Status edge cases, drawn from real records in shared/adr-corpus: relations to other
records (amends, amended by, supersedes, superseded by) in Nygard and MADR 2 styles, and
the status kept in a heading, a table row, a bold line or a front-matter list.

Each case takes a real file and changes only what the case is about, so the rest of the
record (its headings, dates, prose) is what real teams write.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from makebuy import adr
from tests.test_adr import CORPUS, DATE, needs_corpus, new_adr, repo_with

ADR_TOOLS = CORPUS / "npryce__adr-tools"
FLAGSMITH = CORPUS / "Flagsmith__flagsmith-jira-integration"
LOG4BRAINS = CORPUS / "thomvaill__log4brains"


def corpus_text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def edited(tmp_path: Path, source: Path, old: str, new: str) -> Path:
    """A copy of a corpus record with one passage changed."""
    text = corpus_text(source)
    assert old in text, (source.name, old)
    copy = tmp_path / source.name
    copy.write_text(text.replace(old, new, 1), encoding="utf-8")
    return copy


@needs_corpus
@pytest.mark.parametrize(
    ("path", "kind"),
    [
        (ADR_TOOLS / "0005-help-comments.md", "accepted"),  # Accepted | Amended by [9. …]
        (ADR_TOOLS / "0009-help-scripts.md", "accepted"),  # Accepted | Amends [5. …]
        (FLAGSMITH / "0002-use-current-forge-runtime.md", "superseded"),
        (FLAGSMITH / "0003-use-ui-kit.md", "superseded"),
        (LOG4BRAINS / "20201028-superseded-adr.md", "superseded"),
        (LOG4BRAINS / "20201029-superseder.md", "accepted"),
    ],
    ids=lambda v: v.name if isinstance(v, Path) else v,
)
def test_real_records_with_relations_are_read_as_written(path: Path, kind: str) -> None:
    assert adr.read_document(path).status_kind == kind


# Each: (corpus file, passage, replacement, status as read, kind). The replacements are
# what other teams write in the same place; every one was misread before.
EDGE_CASES = {
    "amended-by-a-record-whose-title-says-superseded": (
        ADR_TOOLS / "0005-help-comments.md",
        "Amended by [9. Help scripts](0009-help-scripts.md)",
        "Amended by [9. Handle superseded records](0009-help-scripts.md)",
        "Accepted | Amended by [9. Handle superseded records](0009-help-scripts.md)",
        "accepted",
    ),
    "supersedes-a-record-whose-title-says-deprecated": (
        ADR_TOOLS / "0009-help-scripts.md",
        "Amends [5. Help comments](0005-help-comments.md)",
        "Supersedes [5. Deprecated help comments](0005-help-comments.md)",
        "Accepted | Supersedes [5. Deprecated help comments](0005-help-comments.md)",
        "accepted",
    ),
    "amends-by-number": (
        ADR_TOOLS / "0009-help-scripts.md",
        "Amends [5. Help comments](0005-help-comments.md)",
        "Amends 0005, which was rejected in part",
        "Accepted | Amends 0005, which was rejected in part",
        "accepted",
    ),
    "status-in-the-heading": (
        ADR_TOOLS / "0002-implement-as-shell-scripts.md",
        "## Status\n\nAccepted\n",
        "## Status: Accepted\n",
        "Accepted",
        "accepted",
    ),
    "status-in-a-table-row": (
        ADR_TOOLS / "0002-implement-as-shell-scripts.md",
        "## Status\n\nAccepted\n",
        "| Status | Superseded by [ADR-0005](0005-x.md) |\n|---|---|\n",
        "Superseded by [ADR-0005](0005-x.md)",
        "superseded",
    ),
    "bold-status-line-replaced-by": (
        FLAGSMITH / "0002-use-current-forge-runtime.md",
        "- Status: Superseded by [Use UI Kit 2](0004-use-ui-kit-2.md)",
        "**Status:** Replaced by [Use UI Kit 2](0004-use-ui-kit-2.md)",
        "Replaced by [Use UI Kit 2](0004-use-ui-kit-2.md)",
        "superseded",
    ),
    "not-superseded": (
        LOG4BRAINS / "20201029-superseder.md",
        "- Status: accepted",
        "- Status: accepted (not superseded by the draft)",
        "accepted (not superseded by the draft)",
        "accepted",
    ),
    "front-matter-list": (
        CORPUS / "adr__madr" / "0003-provide-own-madr-tools.md",
        "status: on hold",
        "status: [accepted]",
        "accepted",
        "accepted",
    ),
}


@needs_corpus
@pytest.mark.parametrize("case", sorted(EDGE_CASES))
def test_status_edge_cases(tmp_path: Path, case: str) -> None:
    source, old, new, raw, kind = EDGE_CASES[case]
    doc = adr.read_document(edited(tmp_path, source, old, new))
    assert doc.status is not None
    assert doc.status.raw == raw
    assert doc.status_kind == kind


@pytest.mark.parametrize(
    ("written", "kind"),
    [
        ("Accepted | Amended by [9. Handle superseded records](0009-x.md)", "accepted"),
        ("Accepted | Supersedes [3. Deprecated API](0003-deprecated-api.md)", "accepted"),
        ("Accepted | Superseded by [5. Accepted way](0005-y.md)", "superseded"),
        ("Superseded by [ADR-0005](0005-x.md)", "superseded"),
        ("Deprecated in favour of [ADR-7 Accepted approach](0007.md)", "deprecated"),
        ("Accepted, amended by 9. Deprecate the flags", "accepted"),
        ("Amends 0003", "unknown"),  # says how it relates, not whether it stands
        ("[Approved](https://github.com/o/r/pull/1)", "accepted"),
        ("[proposed | rejected | accepted | deprecated | … | superseded by [ADR-0005](0005.md)]",
         "unknown"),  # MADR 2's template line, left unfilled
        ("accepted \x000\x00", "accepted"),
    ],
)  # fmt: skip
def test_relations_to_other_records_do_not_decide_the_status(written: str, kind: str) -> None:
    assert adr.classify_status(written) == kind


def test_a_table_header_row_is_not_a_status(tmp_path: Path) -> None:
    text = "# Index\n\n| Status | Owner |\n|---|---|\n| accepted | ops |\n\n## Context\n\nx\n"
    doc = adr.parse_document(text, tmp_path / "0001-index.md")
    assert doc.status is None  # not "Owner |"


@needs_corpus
@pytest.mark.parametrize(
    ("new", "expected"),
    [
        ("## Status: Accepted\n", "## Status: superseded by ADR-0011\n"),
        ("| Status | Accepted |\n", "| Status | superseded by ADR-0011 |\n"),
    ],
    ids=["heading", "table-row"],
)
def test_superseding_keeps_the_shape_of_the_status_line(
    tmp_path: Path, new: str, expected: str
) -> None:
    path = edited(
        tmp_path, ADR_TOOLS / "0002-implement-as-shell-scripts.md", "## Status\n\nAccepted\n", new
    )
    doc = adr.read_document(path)
    text = adr.supersede_text(doc, "ADR-0011", tmp_path / "0011-x.md")
    assert expected in text
    assert text.replace(expected, new) == path.read_text(encoding="utf-8")
    assert adr.parse_document(text, path).status_kind == "superseded"


def test_check_re_assesses_a_record_amended_by_one_whose_title_says_superseded(
    cli, tmp_path: Path
) -> None:
    """Misread as superseded, the decision would be skipped: never checked again."""
    root = repo_with(tmp_path, "contract-analysis-low-volume.yaml")
    folder = root / "docs" / "decisions"
    path = new_adr(cli, root, "contract-analysis-low-volume.yaml", "--dir", folder)
    text = path.read_text(encoding="utf-8")
    assert 'status: "proposed"\n' in text
    path.write_text(
        text.replace(
            'status: "proposed"\n',
            'status: "accepted; amended by [2. Superseded pricing tiers](0002-tiers.md)"\n',
        ),
        encoding="utf-8",
    )
    result = cli("check", folder, "--today", DATE, "--format", "json", "-q")
    assert result.exit_code == 0, result.stderr
    (record,) = json.loads(result.stdout)["records"]
    assert record["status_kind"] == "accepted"
    assert record["outcome"] == "checked" and record["verdict"] == "holds"


@needs_corpus
@pytest.mark.parametrize(
    "block", ["status:\n  - on hold\n", "status: >\n  on hold\n"], ids=["list", "folded"]
)
def test_superseding_a_front_matter_status_written_as_a_block(tmp_path: Path, block: str) -> None:
    """The status value on the lines below its key (a list, a folded scalar) is replaced
    whole, so the front matter stays valid YAML."""
    source = CORPUS / "adr__madr" / "0003-provide-own-madr-tools.md"
    path = edited(tmp_path, source, "status: on hold\n", block)
    doc = adr.read_document(path)
    assert doc.status is not None and doc.status_kind == "proposed"
    text = adr.supersede_text(doc, "ADR-0011", tmp_path / "0011-x.md")
    again = adr.parse_document(text, path)
    assert again.front_matter is not None and again.front_matter["status"] == (
        "superseded by ADR-0011"
    )
    assert again.status_kind == "superseded"
    assert text.replace('status: "superseded by ADR-0011"\n', block) == path.read_text(
        encoding="utf-8"
    )
