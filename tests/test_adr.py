"""Decision records: reading every ADR style, and `makebuy adr new|refresh` writing MADR 4.

Records are written into copies of the examples in temporary repositories, so the paths
in their blocks are relative and the bytes do not depend on where the tests run.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from makebuy import adr
from makebuy.environment import MockEnvironment, current, use_environment
from makebuy.errors import ExitCode, InputError
from makebuy.units import add_months

from .conftest import EXAMPLES, FIXTURE_VARIABLES

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "adr-corpus"
DATE = "2026-11-28"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="shared/adr-corpus is absent")


def repo_with(tmp_path: Path, *examples: str, adr_dir: str = "docs/decisions") -> Path:
    """A git-less repository: examples/ with copies of `examples`, and an empty ADR folder."""
    root = tmp_path / "repo"
    (root / "examples").mkdir(parents=True)
    (root / ".git").mkdir()
    for name in examples:
        shutil.copy(EXAMPLES / name, root / "examples" / name)
    (root / adr_dir).mkdir(parents=True)
    return root


def new_adr(cli, root: Path, example: str, *args: str) -> Path:
    """Run `makebuy adr new` in `root`; return the record it wrote."""
    result = cli("adr", "new", root / "examples" / example, "--date", DATE, *args)
    assert result.exit_code == 0, result.stderr
    path = Path(result.stdout.strip())
    return path if path.is_absolute() else current().working_dir / path


# ---------------------------------------------------------------- reading every style


@needs_corpus
def test_the_status_is_read_as_written_from_every_corpus_file() -> None:
    """INDEX.tsv records each file's status as written (empty when it has none)."""
    with (CORPUS / "INDEX.tsv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    assert len(rows) >= 60
    for row in rows:
        path = CORPUS / row["repo"].replace("/", "__") / Path(row["path"]).name
        doc = adr.read_document(path)
        assert (doc.status.raw if doc.status else "") == row["status"], path.name
        assert doc.is_adr, path.name


@needs_corpus
def test_the_style_is_recognised_in_the_corpus() -> None:
    with (CORPUS / "INDEX.tsv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    wrong = {
        Path(r["path"]).name: (
            adr.read_document(CORPUS / r["repo"].replace("/", "__") / Path(r["path"]).name).style,
            r["style"],
        )
        for r in rows
    }
    wrong = {k: v for k, v in wrong.items() if v[0] != v[1]}
    # JabRef 0002 is MADR 3 by its headings and front matter; the index calls it "other"
    # because its prose has one word per line.
    assert set(wrong) <= {"0002-use-slf4j-for-logging.md"}, wrong


def test_a_fenced_yaml_example_is_not_the_status(tmp_path: Path) -> None:
    text = "# Title\n\n## Decision Outcome\n\n```yaml\nstatus: accepted\n```\n"
    doc = adr.parse_document(text, tmp_path / "x.md")
    assert doc.status is None


@pytest.mark.parametrize(
    ("written", "kind"),
    [
        ("Accepted", "accepted"),
        ("> Accepted", "accepted"),
        ("`Rejected`", "rejected"),
        ("[Approved](https://github.com/o/r/pull/1)", "accepted"),
        ("Accepted | Amends [5. Help comments](0005-help-comments.md)", "accepted"),
        ("proposé", "proposed"),
        ("on hold", "proposed"),
        ("Superceded by [3. X](0003-x.md)", "superseded"),
        ('"superseded by ADR-0123"', "superseded"),
        ("Accepted or Rejected", "unknown"),
        ("{proposed | rejected | accepted}", "unknown"),
    ],
)
def test_status_spellings_map_onto_the_canonical_set(written: str, kind: str) -> None:
    assert adr.classify_status(written) == kind


_STATUS_TEXT = (
    st.text(
        alphabet=st.characters(whitelist_categories=("L", "N"), whitelist_characters=" -.()[]"),
        min_size=1,
        max_size=40,
    )
    .map(str.strip)
    .filter(lambda s: s and not s.startswith(("-", "[")) and "  " not in s)
)


@given(status=_STATUS_TEXT, where=st.sampled_from(["front", "bullet", "bold", "section"]))
def test_the_status_is_found_wherever_the_file_keeps_it(status: str, where: str) -> None:
    texts = {
        "front": f'---\nstatus: "{status}"\ndate: 2024-01-01\n---\n# T\n\n## Context\n\nx\n',
        "bullet": f"# T\n\n* Status: {status}\n* Date: 2024-01-01\n\n## Context\n\nx\n",
        "bold": f"# T\n\n**Status:** {status}\n\n## Context\n\nx\n",
        "section": f"# 1. T\n\nDate: 2024-01-01\n\n## Status\n\n{status}\n\n## Context\n\nx\n",
    }
    doc = adr.parse_document(texts[where], Path("0001-t.md"))
    assert doc.status is not None
    assert doc.status.raw == status


def test_files_that_are_not_decision_records_are_recognised(tmp_path: Path) -> None:
    readme = adr.parse_document("# Decisions\n\nOur ADRs live here.\n", tmp_path / "README.md")
    binary = adr.parse_document("\x00\x01PNG\x02", tmp_path / "x.md")
    assert not readme.is_adr and not binary.is_adr


# ---------------------------------------------------------------- where and how records are named


def test_the_adr_folder_comes_from_adr_dir_then_log4brains_then_the_usual_folders(
    tmp_path: Path,
) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "doc" / "adr").mkdir(parents=True)
    assert adr.find_adr_dir(tmp_path) == tmp_path / "doc" / "adr"
    (tmp_path / ".log4brains.yml").write_text("project:\n  adrFolder: ./architecture/adr\n")
    assert adr.find_adr_dir(tmp_path / "doc") == tmp_path / "./architecture/adr"
    (tmp_path / ".adr-dir").write_text("records/decisions\n")
    assert adr.find_adr_dir(tmp_path) == tmp_path / "records/decisions"


@pytest.mark.parametrize(
    ("existing", "expected"),
    [
        ([], "0001-x.md"),
        (["0000-use-madr.md", "0007-b.md", "template.md"], "0008-x.md"),
        (["ADR025-a.md", "ADR041-b.md", "ADR041-c.md"], "ADR042-x.md"),
        (["adr001-a.md", "adr013-b.md"], "adr014-x.md"),
        (["20200924-a.md", "20201016-b.md"], "20261128-x.md"),
        (["1-a.md", "2-b.md", "10-c.md"], "11-x.md"),
    ],
)
def test_new_records_continue_the_folders_numbering(
    tmp_path: Path, existing: list[str], expected: str
) -> None:
    for name in existing:
        (tmp_path / name).write_text("# x\n")
    scheme, number = adr.numbering(tmp_path)
    assert scheme.filename(number, "x", dt.date(2026, 11, 28)) == expected


@given(
    day=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2090, 12, 31)),
    months=st.integers(min_value=0, max_value=120),
)
def test_review_dates_add_whole_months(day: dt.date, months: int) -> None:
    later = add_months(day, months)
    assert (later.year - day.year) * 12 + later.month - day.month == months
    assert later.day == day.day or (later.day < day.day and (later + dt.timedelta(1)).day == 1)


def test_slugs_are_lowercase_words_joined_by_dashes() -> None:
    assert adr.slugify("Self-host Gemma 2 9B IT for Tier-1 support") == (
        "self-host-gemma-2-9b-it-for-tier-1-support"
    )
    assert len(adr.slugify("word " * 40)) <= 60


# ---------------------------------------------------------------- adr new


def test_adr_new_writes_a_madr4_record_that_matches_its_golden_file(
    cli, golden, tmp_path: Path
) -> None:
    root = repo_with(tmp_path, "support-assistant.yaml")
    with use_environment(MockEnvironment(cwd=root, variables=FIXTURE_VARIABLES)):
        path = new_adr(cli, root, "support-assistant.yaml")
    assert path.parent == root / "docs" / "decisions"
    assert path.name.startswith("0001-self-host-") or path.name.startswith("0001-")
    text = path.read_text(encoding="utf-8")
    golden("adr-support-assistant.md", text)


def test_adr_new_is_deterministic_with_a_date(cli, tmp_path: Path) -> None:
    first = repo_with(tmp_path / "a", "contract-analysis-low-volume.yaml")
    second = repo_with(tmp_path / "b", "contract-analysis-low-volume.yaml")
    one = new_adr(
        cli, first, "contract-analysis-low-volume.yaml", "--dir", first / "docs" / "decisions"
    )
    two = new_adr(
        cli, second, "contract-analysis-low-volume.yaml", "--dir", second / "docs" / "decisions"
    )
    assert one.name == two.name
    assert one.read_bytes() == two.read_bytes()


def _dollars(figure: str) -> float:
    return float(figure.removeprefix("$").replace(",", ""))


def _pros_and_cons(text: str) -> dict[str, list[str]]:
    """Each option's bullet lines under `## Pros and Cons of the Options`, by title."""
    section = text.split("## Pros and Cons of the Options", 1)[1].split("\n## ", 1)[0]
    out: dict[str, list[str]] = {}
    for part in section.split("\n### ")[1:]:
        title, _, body = part.partition("\n")
        out[title] = [ln for ln in body.splitlines() if ln.startswith("* ")]
    return out


def test_under_topsis_a_cheaper_winner_counts_cost_as_good(cli, tmp_path: Path) -> None:
    """TOPSIS contributions are weighted raw values, so lower cost is the smaller number:
    the record must read the comparison as `assess` does, not as a bigger-is-better sum."""
    root = repo_with(tmp_path, "support-assistant.yaml")
    folder = root / "docs" / "decisions"
    record = new_adr(cli, root, "support-assistant.yaml", "--dir", folder, "--method", "topsis")
    text = record.read_text()
    consequences = text.split("### Consequences", 1)[1].split("### Confirmation", 1)[0]
    cost = re.search(
        r"^\* (Good|Bad), because total cost: (\$[\d,]+) against (\$[\d,]+) for the runner-up",
        consequences,
        re.MULTILINE,
    )
    assert cost is not None, consequences
    verdict, winner, runner = cost.group(1), _dollars(cost.group(2)), _dollars(cost.group(3))
    assert winner != runner
    assert verdict == ("Good" if winner < runner else "Bad"), "cheaper is good, dearer is bad"
    if winner < runner:
        assert "accepting total cost" not in text  # the Y-statement accepts only real losses
    options = _pros_and_cons(text)
    costs = {
        title: _dollars(m.group(1))
        for title, lines in options.items()
        if (m := re.search(r"total cost (\$[\d,]+) over", lines[0]))
    }
    cheapest = min(costs, key=costs.__getitem__)
    assert "* Bad, because total cost" not in "\n".join(options[cheapest])


def test_an_options_pros_and_cons_do_not_depend_on_the_scoring_method(cli, tmp_path: Path) -> None:
    """Each option is judged against the other scored options on the same 0..1 scale (1
    best), whichever method ranked them."""
    by_method = {}
    for method in ("weighted-sum", "topsis"):
        root = repo_with(tmp_path / method, "support-assistant.yaml")
        folder = root / "docs" / "decisions"
        record = new_adr(cli, root, "support-assistant.yaml", "--dir", folder, "--method", method)
        by_method[method] = _pros_and_cons(record.read_text())
    shared = set(by_method["weighted-sum"]) & set(by_method["topsis"])
    assert shared
    for title in shared:
        verdicts = {
            method: [ln for ln in options[title] if ln.startswith(("* Good", "* Bad"))]
            for method, options in by_method.items()
        }
        assert verdicts["topsis"] == verdicts["weighted-sum"], title


def test_the_record_has_standard_front_matter_and_one_block_under_confirmation(
    cli, tmp_path: Path
) -> None:
    root = repo_with(tmp_path, "contract-analysis-low-volume.yaml")
    path = new_adr(
        cli, root, "contract-analysis-low-volume.yaml", "--dir", root / "docs" / "decisions"
    )
    doc = adr.read_document(path)
    assert doc.front_matter is not None
    assert list(doc.front_matter) == ["status", "date", "decision-makers", "consulted", "informed"]
    assert doc.front_matter["status"] == "proposed"
    assert doc.front_matter["date"] == "2026-11-28"  # YAML 1.2 scalars: a date is text
    assert doc.front_matter["decision-makers"] == ["legal-platform"] or isinstance(
        doc.front_matter["decision-makers"], list
    )
    assert doc.style == "madr4"
    headings = [t for _, level, t in doc.headings if level == 2]
    assert headings == [
        "Context and Problem Statement",
        "Decision Drivers",
        "Considered Options",
        "Decision Outcome",
        "Pros and Cons of the Options",
        "More Information",
    ]
    (fence,) = doc.block_fences
    confirmation = next(i for i, _, t in doc.headings if t == "Confirmation")
    assert confirmation < fence.start
    found = adr.find_block(doc)
    assert found is not None
    block = found.block
    assert block.use_case == "../../examples/contract-analysis-low-volume.yaml"
    assert block.catalog == ["builtin"]
    assert block.review_by == dt.date(2027, 11, 28)
    assert block.chosen.startswith("buy:")
    assert set(block.evidence) == {block.chosen, block.runner_up}
    chosen_facts = block.evidence[block.chosen]
    assert chosen_facts.input_usd_per_1m is not None and chosen_facts.output_usd_per_1m
    assert block.scores[block.chosen] >= block.scores[block.runner_up]  # type: ignore[index]
    assert 'Chosen option: "' in path.read_text()


def test_adr_new_records_extra_catalogs_relative_to_the_record(cli, tmp_path: Path) -> None:
    root = repo_with(tmp_path, "support-assistant.yaml")
    extra = root / "catalog" / "local.yaml"
    extra.parent.mkdir()
    extra.write_text("makebuy-catalog: 1\n")
    path = new_adr(
        cli,
        root,
        "support-assistant.yaml",
        "--dir",
        root / "docs" / "decisions",
        "--catalog",
        extra,
    )
    found = adr.find_block(adr.read_document(path))
    assert found is not None
    assert found.block.catalog == ["builtin", "../../catalog/local.yaml"]


def test_supersedes_changes_only_the_old_records_status_line(cli, tmp_path: Path) -> None:
    root = repo_with(tmp_path, "support-assistant.yaml")
    folder = root / "docs" / "decisions"
    old = new_adr(cli, root, "support-assistant.yaml", "--dir", folder)
    before = old.read_text().splitlines(keepends=True)
    new = new_adr(cli, root, "support-assistant.yaml", "--dir", folder, "--supersedes", "1")
    assert new.name.startswith("0002-")
    after = old.read_text().splitlines(keepends=True)
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert changed == [('status: "proposed"\n', 'status: "superseded by ADR-0002"\n')]
    assert "This record supersedes [ADR-0001](" in new.read_text()


@needs_corpus
@pytest.mark.parametrize(
    ("corpus_file", "old_line", "new_line"),
    [
        (
            "npryce__adr-tools/0002-implement-as-shell-scripts.md",
            "Accepted",
            "Superseded by [ADR-0010](0010-",
        ),
        (
            "Flagsmith__flagsmith-jira-integration/0001-use-atlassian-forge.md",
            "- Status: Accepted",
            "- Status: superseded by ADR-0005",
        ),
        (
            "adr__madr/0003-provide-own-madr-tools.md",
            "status: on hold",
            'status: "superseded by ADR-0019"',
        ),
    ],
)
def test_supersedes_rewrites_the_status_where_each_style_keeps_it(
    cli, tmp_path: Path, corpus_file: str, old_line: str, new_line: str
) -> None:
    root = repo_with(tmp_path, "support-assistant.yaml")
    folder = root / "docs" / "decisions"
    # copyfile, not copy2: a checkout is writable even where shared/ is read-only
    shutil.copytree(
        CORPUS / Path(corpus_file).parent, folder, dirs_exist_ok=True, copy_function=shutil.copyfile
    )
    old = folder / Path(corpus_file).name
    before = old.read_bytes()
    number = str(adr.record_number(old))
    new_adr(cli, root, "support-assistant.yaml", "--dir", folder, "--supersedes", number)
    before_lines = before.decode().splitlines()
    after_lines = old.read_text().splitlines()
    changed = [(a, b) for a, b in zip(before_lines, after_lines, strict=True) if a != b]
    assert len(changed) == 1
    assert changed[0][0] == old_line
    assert changed[0][1].startswith(new_line)


def test_superseding_a_record_without_a_status_is_refused_before_writing(
    cli, tmp_path: Path
) -> None:
    root = repo_with(tmp_path, "support-assistant.yaml")
    folder = root / "docs" / "decisions"
    (folder / "0001-old.md").write_text("# Old\n\n## Context\n\nx\n\n## Decision\n\ny\n")
    result = cli(
        "adr",
        "new",
        root / "examples" / "support-assistant.yaml",
        "--dir",
        folder,
        "--date",
        DATE,
        "--supersedes",
        "1",
    )
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "0001-old.md" in result.stderr and "status" in result.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["0001-old.md"]


def test_an_unknown_record_to_supersede_is_bad_input(cli, tmp_path: Path) -> None:
    root = repo_with(tmp_path, "support-assistant.yaml")
    result = cli(
        "adr",
        "new",
        root / "examples" / "support-assistant.yaml",
        "--dir",
        root / "docs" / "decisions",
        "--date",
        DATE,
        "--supersedes",
        "9",
    )
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "no record '9'" in result.stderr


def test_adr_new_finds_the_folder_from_adr_dir(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = repo_with(tmp_path, "support-assistant.yaml", adr_dir="doc/arch")
    (root / ".adr-dir").write_text("doc/arch\n")
    (root / "doc" / "arch" / "0001-record-architecture-decisions.md").write_text(
        "# 1. Record architecture decisions\n\nDate: 2020-01-01\n\n## Status\n\nAccepted\n"
    )
    with use_environment(MockEnvironment(cwd=root / "examples", variables=FIXTURE_VARIABLES)):
        path = new_adr(cli, root, "support-assistant.yaml")
    assert path.resolve().parent == (root / "doc" / "arch").resolve()
    assert path.name.startswith("0002-")


def test_a_block_round_trips_through_yaml() -> None:
    block = adr.DecisionBlock(
        makebuy_adr=1,
        use_case="../../u.yaml",
        use_case_sha256="a" * 64,
        catalog=["builtin"],
        catalog_as_of=dt.date(2026, 1, 2),
        catalog_sha256="b" * 64,
        chosen="buy:x/y",
        runner_up=None,
        scores={"buy:x/y": 0.5},
        evidence={"buy:x/y": adr.OptionFacts(kind="buy", input_usd_per_1m=1.5)},
        review_by=dt.date(2027, 1, 2),
    )
    text = block.to_yaml()
    assert "catalog-as-of: 2026-01-02\n" in text  # a YAML date, not a quoted string
    assert adr.DecisionBlock.model_validate(yaml.safe_load(text)) == block


# ---------------------------------------------------------------- adr refresh


def test_refresh_rewrites_only_the_block(cli, tmp_path: Path) -> None:
    root = repo_with(tmp_path, "support-assistant.yaml")
    folder = root / "docs" / "decisions"
    path = new_adr(cli, root, "support-assistant.yaml", "--dir", folder)
    original = path.read_text()
    doc = adr.read_document(path)
    (fence,) = doc.block_fences
    # Pretend the record was written long ago against other figures.
    stale = original.replace("review-by: 2027-11-28", "review-by: 2020-01-01")
    path.write_text(stale)
    result = cli("adr", "refresh", "1", "--dir", folder, "--date", "2027-03-01")
    assert result.exit_code == 0, result.stderr
    refreshed = path.read_text()
    assert "review-by: 2028-03-01" in refreshed
    lines_before, lines_after = stale.splitlines(), refreshed.splitlines()
    assert lines_after[: fence.start + 1] == lines_before[: fence.start + 1]
    assert fence.end is not None
    assert lines_after[fence.end :] == lines_before[fence.end :]


def test_refresh_refuses_a_record_without_a_block(cli, tmp_path: Path) -> None:
    (tmp_path / "0001-x.md").write_text("# X\n\n* Status: accepted\n\n## Decision Outcome\n\ny\n")
    result = cli("adr", "refresh", "1", "--dir", tmp_path, "--date", DATE)
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "no `yaml makebuy` block" in result.stderr


def test_find_record_reports_duplicate_numbers(tmp_path: Path) -> None:
    for name in ("ADR025-a.md", "ADR025-b.md"):
        (tmp_path / name).write_text("# x\n")
    with pytest.raises(InputError, match="2 records are numbered 025"):
        adr.find_record(tmp_path, "025")
    assert adr.find_record(tmp_path, "ADR025-b") == tmp_path / "ADR025-b.md"


def test_no_record_is_written_when_every_option_is_ruled_out(cli, tmp_path: Path) -> None:
    from .helpers import questionnaire

    usecase = questionnaire(tmp_path, requirements={"min_quality": 100})
    folder = tmp_path / "docs" / "decisions"
    result = cli("adr", "new", usecase, "--dir", folder, "--date", DATE)
    assert result.exit_code == ExitCode.DECISION_FAILED
    assert "every option was ruled out" in result.stderr
    assert not folder.exists() or not any(folder.iterdir())


def test_a_hybrid_decision_rests_on_the_facts_of_its_legs() -> None:
    from makebuy import load, pipeline

    loaded = load.load_catalog()
    assessment = pipeline.assess(
        EXAMPLES / "support-assistant.yaml", loaded_catalog=loaded
    ).assessment
    hybrid = next((o for o in assessment.options if o.kind == "hybrid" and o.rank), None)
    assert hybrid is not None, "the support-assistant example scores a hybrid option"
    block = adr.build_block(
        assessment,
        loaded.catalog,
        use_case="u.yaml",
        catalog_entries=["builtin"],
        chosen=hybrid.id,
        tolerances=adr.Tolerances(),
        review_by=None,
    )
    legs = {leg.option for leg in hybrid.legs}
    assert legs and legs <= set(block.evidence)
    assert block.evidence[hybrid.id].kind == "hybrid"
    for leg in legs:
        facts = block.evidence[leg]
        priced = facts.usd_per_gpu_hour if facts.kind == "make" else facts.input_usd_per_1m
        assert priced is not None


def test_a_misspelt_block_key_gets_a_suggestion_spelt_as_in_the_block(tmp_path: Path) -> None:
    text = (
        "# x\n\n```yaml makebuy\nmakebuy-adr: 1\nuse-case: u.yaml\n"
        f"use-case-sha256: {'a' * 64}\ncatalog: [builtin]\ncatalog-as-of: 2026-01-01\n"
        f"catalog-sha256: {'b' * 64}\nchosen: buy:x/y\nreviewby: 2027-01-01\n```\n"
    )
    with pytest.raises(InputError) as info:
        adr.find_block(adr.parse_document(text, tmp_path / "0001-x.md"))
    assert info.value.line == 11 and info.value.field == "reviewby"
    assert "did you mean 'review-by'?" in info.value.message


def test_the_adr_package_never_reaches_up_into_render_or_the_cli() -> None:
    """Records are drafted as data; `render.adr` lays them out and the CLI writes them."""
    import ast

    package = Path(adr.__file__).parent
    for module in sorted(package.glob("*.py")):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        imported = [
            name
            for node in ast.walk(tree)
            for name in (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [f"{node.module}.{a.name}" for a in node.names]
                if isinstance(node, ast.ImportFrom) and node.module
                else []
            )
        ]
        upward = [n for n in imported if n.startswith(("makebuy.render", "makebuy.cli"))]
        assert not upward, f"{module.name} imports {upward}"
