"""`makebuy check`: a recorded decision holds, needs review, or is invalidated; bad input is 2.

End to end: `adr new` writes a record into a temporary repository, the test changes what
the decision rests on (the questionnaire, a catalog override, the block itself) and runs
the real CLI.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
import yaml

from makebuy import adr, load
from makebuy.check import DecisionFinding, DecisionReport, RecordCheck, relative_change, report
from makebuy.cli.check import CheckFormat
from makebuy.environment import MockEnvironment, use_environment
from makebuy.errors import ExitCode
from makebuy.render.check import CHECK_RENDERERS, get_check_renderer

from .conftest import FIXTURE_VARIABLES
from .helpers import assess_json, option
from .test_adr import CORPUS, DATE, needs_corpus, new_adr, repo_with

CONTRACT = "contract-analysis-low-volume.yaml"
SUPPORT = "support-assistant.yaml"


def check_json(cli, *args: str | Path) -> tuple[int, dict, str]:
    """Run `makebuy check ARGS --format json`; return exit code, report and stderr."""
    result = cli("check", *args, "--today", DATE, "--format", "json")
    return result.exit_code, json.loads(result.stdout), result.stderr


def block_of(path: Path) -> adr.DecisionBlock:
    found = adr.find_block(adr.read_document(path))
    assert found is not None
    return found.block


def edit_block(path: Path, **changes: object) -> None:
    """Rewrite the record's block with `changes` (keys as written, e.g. 'runner-up')."""
    doc = adr.read_document(path)
    data = block_of(path).model_dump(by_alias=True)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    path.write_text(adr.replace_block(doc, adr.DecisionBlock.model_validate(data)))


@pytest.fixture
def recorded(cli, tmp_path: Path) -> tuple[Path, Path]:
    """A repository with one fresh record of the contract-analysis decision (buy wins)."""
    root = repo_with(tmp_path, CONTRACT)
    return root, new_adr(cli, root, CONTRACT, "--dir", root / "docs" / "decisions")


# ---------------------------------------------------------------- verdicts


def test_a_fresh_record_holds(cli, recorded: tuple[Path, Path]) -> None:
    root, path = recorded
    code, rep, _ = check_json(cli, root / "docs" / "decisions")
    assert code == ExitCode.OK
    (record,) = rep["records"]
    assert record["outcome"] == "checked" and record["verdict"] == "holds"
    assert record["chosen"] == record["best_today"] == block_of(path).chosen
    assert [f for f in record["findings"] if f["severity"] != "info"] == []


def test_the_default_path_is_the_repositorys_adr_folder(cli, recorded: tuple[Path, Path]) -> None:
    root, path = recorded
    with use_environment(MockEnvironment(cwd=root / "examples", variables=FIXTURE_VARIABLES)):
        result = cli("check", "--today", DATE)
    assert result.exit_code == ExitCode.OK, result.stderr
    assert "holds" in result.stdout and path.name in result.stdout


def test_ruling_out_the_chosen_option_in_the_questionnaire_invalidates_it(
    cli, recorded: tuple[Path, Path]
) -> None:
    root, path = recorded
    usecase = root / "examples" / CONTRACT
    chosen = block_of(path).chosen
    model = option(assess_json(usecase), chosen)["model"]
    doc = yaml.safe_load(usecase.read_text())
    doc["candidates"] = {"exclude": [model]}
    usecase.write_text(yaml.safe_dump(doc, sort_keys=False))
    code, rep, _ = check_json(cli, path)
    assert code == ExitCode.DECISION_FAILED
    (record,) = rep["records"]
    assert record["verdict"] == "invalidated"
    codes = {f["code"] for f in record["findings"]}
    assert {"chosen.ruled-out", "use-case.changed"} <= codes
    ruled_out = next(f for f in record["findings"] if f["code"] == "chosen.ruled-out")
    assert "candidates" in ruled_out["message"]
    assert ruled_out["line"] == _line(path, "chosen:")


def test_a_price_rise_beyond_the_tolerance_asks_for_review(
    cli, recorded: tuple[Path, Path], tmp_path: Path
) -> None:
    root, path = recorded
    block = block_of(path)
    offering_id = option(assess_json(root / "examples" / CONTRACT), block.chosen)["offering"]
    override = _price_override(tmp_path / "override.yaml", offering_id, factor=1.25)
    code, rep, _ = check_json(cli, path, "--catalog", override)
    assert code == ExitCode.OK  # a review warns; it does not fail without --strict
    (record,) = rep["records"]
    assert record["verdict"] == "review"
    prices = [f for f in record["findings"] if f["code"] == "price.changed"]
    assert {f["field"] for f in prices} == {
        f"evidence.{block.chosen}.input-usd-per-1m",
        f"evidence.{block.chosen}.output-usd-per-1m",
    }
    assert "+25%" in prices[0]["message"] and "tolerance 15%" in prices[0]["message"]
    assert prices[0]["line"] == _line(path, "input-usd-per-1m:")
    strict = cli("check", path, "--catalog", override, "--today", DATE, "--strict")
    assert strict.exit_code == ExitCode.DECISION_FAILED


def test_a_price_change_within_the_tolerance_holds(
    cli, recorded: tuple[Path, Path], tmp_path: Path
) -> None:
    root, path = recorded
    block = block_of(path)
    offering_id = option(assess_json(root / "examples" / CONTRACT), block.chosen)["offering"]
    override = _price_override(tmp_path / "override.yaml", offering_id, factor=1.10)
    code, rep, _ = check_json(cli, path, "--catalog", override)
    assert code == ExitCode.OK
    assert rep["records"][0]["verdict"] == "holds"
    assert "catalog.changed" in {f["code"] for f in rep["records"][0]["findings"]}


@pytest.mark.parametrize(
    ("deprecated", "verdict", "code"),
    [("2027-01-31", "invalidated", "chosen.ruled-out"), ("2040-01-31", "review", "fact.stale")],
    ids=["within-the-horizon", "after-the-horizon"],
)
def test_a_deprecation_announced_for_the_chosen_option(
    cli, recorded: tuple[Path, Path], tmp_path: Path, deprecated: str, verdict: str, code: str
) -> None:
    root, path = recorded
    block = block_of(path)
    offering_id = option(assess_json(root / "examples" / CONTRACT), block.chosen)["offering"]
    override = _price_override(
        tmp_path / "override.yaml", offering_id, factor=1.0, deprecated=deprecated
    )
    exit_code, rep, _ = check_json(cli, path, "--catalog", override)
    (record,) = rep["records"]
    assert record["verdict"] == verdict
    finding = next(f for f in record["findings"] if f["code"] == code)
    assert ("lifecycle" if verdict == "invalidated" else deprecated) in finding["message"]
    assert exit_code == (ExitCode.DECISION_FAILED if verdict == "invalidated" else ExitCode.OK)


def test_refresh_after_review_makes_the_record_hold_again(
    cli, recorded: tuple[Path, Path], tmp_path: Path
) -> None:
    root, path = recorded
    block = block_of(path)
    offering_id = option(assess_json(root / "examples" / CONTRACT), block.chosen)["offering"]
    override = _price_override(tmp_path / "override.yaml", offering_id, factor=1.25)
    refreshed = cli("adr", "refresh", path, "--catalog", override, "--date", DATE)
    assert refreshed.exit_code == 0, refreshed.stderr
    _code, rep, _ = check_json(cli, path, "--catalog", override)
    assert rep["records"][0]["verdict"] == "holds", rep["records"][0]["findings"]
    new = block_of(path).evidence[block.chosen]
    old = block.evidence[block.chosen]
    assert new.input_usd_per_1m == pytest.approx(old.input_usd_per_1m * 1.25)  # type: ignore[operator]


def test_the_review_by_date_passing_asks_for_review(cli, recorded: tuple[Path, Path]) -> None:
    _, path = recorded
    result = cli("check", path, "--today", "2027-11-29", "--format", "json")
    assert result.exit_code == ExitCode.OK
    (record,) = json.loads(result.stdout)["records"]
    assert record["verdict"] == "review"
    assert [f["code"] for f in record["findings"] if f["severity"] == "review"] == [
        "review-by.passed"
    ]
    on_the_day = cli("check", path, "--today", "2027-11-28", "--strict")
    assert on_the_day.exit_code == ExitCode.OK


def test_another_option_ahead_by_more_than_the_margin_invalidates(
    cli, recorded: tuple[Path, Path]
) -> None:
    _, path = recorded
    block = block_of(path)
    assert block.runner_up is not None
    # The team chose the runner-up instead; the winner leads it by more than a zero margin.
    edit_block(
        path, chosen=block.runner_up, **{"runner-up": block.chosen}, tolerances={"margin": 0.0}
    )
    code, rep, _ = check_json(cli, path)
    assert code == ExitCode.DECISION_FAILED
    assert "outcome.beaten" in {f["code"] for f in rep["records"][0]["findings"]}
    edit_block(path, tolerances={"margin": 1.0})
    code, rep, _ = check_json(cli, path)
    assert code == ExitCode.OK
    assert rep["records"][0]["verdict"] == "review"
    assert "outcome.close" in {f["code"] for f in rep["records"][0]["findings"]}


def test_a_stale_fact_asks_for_review(cli, recorded: tuple[Path, Path]) -> None:
    _, path = recorded
    block = block_of(path)
    edit_block(
        path,
        evidence={
            block.chosen: {
                **block.evidence[block.chosen].model_dump(by_alias=True),
                "terms": "some-other-terms",
            }
        },
    )
    code, rep, _ = check_json(cli, path)
    assert code == ExitCode.OK
    stale = [f for f in rep["records"][0]["findings"] if f["code"] == "fact.stale"]
    assert len(stale) == 1 and "some-other-terms" in stale[0]["message"]


def test_a_broken_block_is_bad_input_naming_file_line_and_field(
    cli, recorded: tuple[Path, Path]
) -> None:
    _, path = recorded
    text = path.read_text()
    path.write_text(text.replace("review-by: 2027-11-28", "review-by: next spring"))
    line = _line(path, "review-by:")
    result = cli("check", path, "--today", DATE)
    assert result.exit_code == ExitCode.BAD_INPUT
    assert re.search(rf"{re.escape(path.name)}:{line}: review-by: ", result.stderr), result.stderr
    assert "ERROR" in result.stdout


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda t: t.replace("makebuy-adr: 1", "makebuy-adr: 2"), "makebuy-adr"),
        (lambda t: t.replace("chosen: ", "chosen_option: "), "chosen"),
        (lambda t: t.replace("scores:\n", "scores: [\n", 1), None),
        (lambda t: t + "\n```yaml makebuy\nmakebuy-adr: 1\n```\n", "makebuy-adr"),
    ],
    ids=["unknown-version", "unknown-key", "yaml-syntax", "two-blocks"],
)
def test_malformed_blocks_are_errors_with_a_line(
    cli, recorded: tuple[Path, Path], mutate, field: str | None
) -> None:
    _, path = recorded
    path.write_text(mutate(path.read_text()))
    code, rep, stderr = check_json(cli, path)
    assert code == ExitCode.BAD_INPUT
    (record,) = rep["records"]
    assert record["verdict"] == "error"
    finding = record["findings"][0]
    assert finding["line"] and f"{path.name}:{finding['line']}:" in stderr
    if field:
        assert finding["field"] == field


def test_a_missing_questionnaire_is_bad_input_at_the_use_case_line(
    cli, recorded: tuple[Path, Path]
) -> None:
    root, path = recorded
    (root / "examples" / CONTRACT).unlink()
    code, _rep, stderr = check_json(cli, path)
    assert code == ExitCode.BAD_INPUT
    assert f"{path.name}:{_line(path, 'use-case:')}: use-case: questionnaire" in stderr


def test_rejected_and_superseded_records_are_skipped_even_with_a_block(
    cli, recorded: tuple[Path, Path]
) -> None:
    root, path = recorded
    usecase = root / "examples" / CONTRACT
    usecase.write_text(usecase.read_text().replace("makebuy: 1", "makebuy: 1\nbogus: 1"))
    path.write_text(path.read_text().replace('status: "proposed"', "status: rejected"))
    code, rep, _ = check_json(cli, path)
    assert code == ExitCode.OK
    assert rep["records"][0]["outcome"] == "skipped"


def test_a_superseded_record_names_a_missing_successor(cli, tmp_path: Path) -> None:
    (tmp_path / "0001-a.md").write_text(
        "# A\n\n## Status\n\nSuperseded by [2. B](0002-b.md)\n\n## Context\n\nx\n"
    )
    code, rep, _ = check_json(cli, tmp_path)
    assert code == ExitCode.OK
    (record,) = rep["records"]
    assert record["outcome"] == "skipped"
    assert record["findings"][0]["code"] == "successor.missing"


@needs_corpus
def test_every_corpus_file_is_read_and_classified(cli, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus, copy_function=shutil.copyfile)
    files = sorted(p for p in corpus.rglob("*") if p.is_file())
    code, rep, stderr = check_json(cli, *files)
    assert code == ExitCode.OK, stderr
    assert len(rep["records"]) == len(files)
    outcomes: dict[str, list[str]] = {}
    for r in rep["records"]:
        outcomes.setdefault(r["outcome"], []).append(Path(r["path"]).name)
    assert sorted(outcomes["not-adr"]) == ["INDEX.tsv", "README.md"]
    assert sorted(outcomes["skipped"]) == [
        "0002-use-current-forge-runtime.md",
        "0003-use-ui-kit.md",
        "20200926-use-the-adr-number-as-its-unique-id.md",
        "20201028-superseded-adr.md",
        "20201029-rejected-adr.md",
    ]
    assert len(outcomes["not-checked"]) == len(files) - 7
    assert "checked" not in outcomes


@needs_corpus
def test_a_makebuy_block_added_to_a_hand_written_adr_is_checked(
    cli, recorded: tuple[Path, Path]
) -> None:
    """The block works in any style: here a Nygard record from adr-tools."""
    _root, path = recorded
    doc = adr.read_document(path)
    (fence,) = doc.block_fences
    assert fence.end is not None
    block = "".join(doc.lines[fence.start : fence.end + 1])
    nygard = path.parent / "0002-implement-as-shell-scripts.md"
    text = (CORPUS / "npryce__adr-tools" / nygard.name).read_text()
    nygard.write_text(text + "\n## Verification\n\n" + block)
    code, rep, _ = check_json(cli, path.parent)
    assert code == ExitCode.OK
    verdicts = {Path(r["path"]).name: (r["style"], r["verdict"]) for r in rep["records"]}
    assert verdicts[nygard.name] == ("nygard", "holds")


# ---------------------------------------------------------------- formats


def test_every_check_format_maps_to_a_renderer() -> None:
    assert {f.value for f in CheckFormat} == set(CHECK_RENDERERS)
    for name in CHECK_RENDERERS:
        assert callable(get_check_renderer(name))


def sample_report(strict: bool = False) -> DecisionReport:
    """One record of each kind, built by hand so the formats are pinned independently of the
    catalog."""
    review = DecisionFinding(
        code="price.changed",
        severity="review",
        line=71,
        field="evidence.buy:x/y.input-usd-per-1m",
        message="input price of buy:x/y moved from $3.00 to $3.75 per 1M tokens"
        " (+25%; tolerance 15%)",
    )
    gone = DecisionFinding(
        code="chosen.ruled-out",
        severity="invalidated",
        line=66,
        field="chosen",
        message="the chosen option buy:x/y is ruled out now (candidates: excluded)",
    )
    bad = DecisionFinding(
        code="block.invalid",
        severity="error",
        line=80,
        field="review-by",
        message="Input should be a valid date",
    )
    base = {"style": "madr4", "status": "accepted", "status_kind": "accepted"}
    records = [
        RecordCheck(
            path="docs/decisions/0001-a.md",
            title="A",
            outcome="checked",
            verdict="holds",
            chosen="buy:x/y",
            best_today="buy:x/y",
            line=60,
            **base,
        ),
        RecordCheck(
            path="docs/decisions/0002-b.md",
            title="B",
            outcome="checked",
            verdict="review",
            chosen="buy:x/y",
            best_today="buy:x/y",
            line=60,
            findings=[review],
            **base,
        ),
        RecordCheck(
            path="docs/decisions/0003-c.md",
            title="C, with a comma",
            outcome="checked",
            verdict="invalidated",
            chosen="buy:x/y",
            best_today="make:z/w",
            line=60,
            findings=[gone],
            **base,
        ),
        RecordCheck(
            path="docs/decisions/0004-d.md",
            title="D",
            outcome="checked",
            verdict="error",
            line=60,
            findings=[bad],
            **base,
        ),
        RecordCheck(
            path="docs/decisions/0005-e.md",
            title="E",
            style="nygard",
            status="Accepted",
            status_kind="accepted",
            outcome="not-checked",
            note="no `yaml makebuy` block",
        ),
        RecordCheck(
            path="docs/decisions/0006-f.md",
            title="F",
            style="madr2",
            status="superseded by [G](0007-g.md)",
            status_kind="superseded",
            outcome="skipped",
            note="status superseded",
        ),
        RecordCheck(
            path="docs/decisions/README.md",
            title="Decisions",
            style="other",
            status=None,
            status_kind=None,
            outcome="not-adr",
        ),
    ]
    return report(records, today=dt.date(2026, 11, 28), strict=strict)


def test_the_sample_report_counts_and_exit_code() -> None:
    rep = sample_report()
    assert rep.summary.line == (
        "7 files: 4 machine-checked (1 holds, 1 review, 1 invalidated, 1 error), 1 not"
        " machine-checked, 1 skipped, 1 not an ADR"
    )
    assert rep.exit_code == ExitCode.BAD_INPUT
    only_review = report(rep.records[:2], today=rep.today, strict=False)
    assert only_review.exit_code == ExitCode.OK
    assert report(rep.records[:2], today=rep.today, strict=True).exit_code == 1
    assert report(rep.records[:3], today=rep.today, strict=False).exit_code == 1


def test_markdown_for_a_job_summary_matches_its_golden_file(golden) -> None:
    golden(
        "adr-check-report.md",
        get_check_renderer("markdown")(sample_report(), width=100, color=False),
    )


def test_github_annotations_point_at_the_record_line() -> None:
    text = get_check_renderer("github")(sample_report(), width=100, color=False)
    assert text.splitlines() == [
        "::warning file=docs/decisions/0002-b.md,line=71,title=makebuy check%3A review"
        " (price.changed)::input price of buy:x/y moved from $3.00 to $3.75 per 1M tokens"
        " (+25%25; tolerance 15%25)",
        "::error file=docs/decisions/0003-c.md,line=66,title=makebuy check%3A invalidated"
        " (chosen.ruled-out)::the chosen option buy:x/y is ruled out now (candidates: excluded)",
        "::error file=docs/decisions/0004-d.md,line=80,title=makebuy check%3A error"
        " (block.invalid)::Input should be a valid date",
        "::notice title=makebuy check::7 files: 4 machine-checked (1 holds, 1 review, 1"
        " invalidated, 1 error), 1 not machine-checked, 1 skipped, 1 not an ADR",
    ]
    strict = get_check_renderer("github")(sample_report(strict=True), width=100, color=False)
    assert strict.startswith("::error file=docs/decisions/0002-b.md")


def test_junit_has_one_case_per_record_and_no_timestamps() -> None:
    text = get_check_renderer("junit")(sample_report(), width=100, color=False)
    suite = ET.fromstring(text).find("testsuite")
    assert suite is not None
    assert {k: suite.get(k) for k in ("tests", "failures", "errors", "skipped")} == {
        "tests": "6",
        "failures": "1",
        "errors": "1",
        "skipped": "2",
    }
    cases = {c.get("name"): [child.tag for child in c] for c in suite}
    assert cases == {
        "docs/decisions/0001-a.md": [],
        "docs/decisions/0002-b.md": ["system-out"],
        "docs/decisions/0003-c.md": ["failure"],
        "docs/decisions/0004-d.md": ["error"],
        "docs/decisions/0005-e.md": ["skipped"],
        "docs/decisions/0006-f.md": ["skipped"],
    }
    assert "timestamp" not in text and "time=" not in text


def test_json_is_the_report_model() -> None:
    rep = sample_report()
    text = get_check_renderer("json")(rep, width=100, color=False)
    assert DecisionReport.model_validate_json(text) == rep


def test_the_table_lists_findings_under_each_record() -> None:
    text = get_check_renderer("table")(sample_report(), width=100, color=False)
    assert "FAIL    invalidated  docs/decisions/0003-c.md:60" in text
    assert "[invalidated] chosen.ruled-out: line 66: the chosen option" in text
    assert text.rstrip().endswith("1 skipped, 1 not an ADR.")


@pytest.mark.parametrize(
    ("old", "new", "change"),
    [(2.0, 2.3, 0.15), (2.0, 1.0, 0.5), (0.0, 0.0, 0.0), (0.0, 1.0, float("inf"))],
)
def test_price_changes_are_relative_to_the_recorded_price(
    old: float, new: float, change: float
) -> None:
    assert relative_change(old, new) == pytest.approx(change)


# ---------------------------------------------------------------- helpers


def _line(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def _price_override(
    path: Path, offering_id: str, factor: float, deprecated: str | None = None
) -> Path:
    """A catalog file that replaces one offering with every price scaled by `factor` and,
    optionally, a deprecation announced on the catalog's as-of date."""
    catalog = load.load_catalog().catalog
    entry = catalog.offerings[offering_id].model_dump(mode="json", by_alias=True, exclude_none=True)
    if deprecated is not None:
        source = entry["prices"][0]["source"]
        as_of = catalog.as_of.isoformat()
        entry["lifecycle"] = {"deprecated": deprecated, "source": source, "as_of": as_of}
    for price in entry["prices"]:
        price["input_per_1m"] = round(price["input_per_1m"] * factor, 6)
        price["output_per_1m"] = round(price["output_per_1m"] * factor, 6)
    path.write_text(yaml.safe_dump({"makebuy-catalog": 1, "offerings": [entry]}, sort_keys=False))
    return path


# ---------------------------------------------------------------- CI wiring

ROOT = Path(__file__).resolve().parents[1]


def test_the_pre_commit_hooks_run_makebuy_check() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert [h["id"] for h in hooks] == ["makebuy-check", "makebuy-check-strict"]
    for hook in hooks:
        assert hook["entry"].startswith("makebuy check")
        assert hook["pass_filenames"] is False
        assert re.search(hook["files"], "docs/decisions/0001-x.md")


def test_the_example_workflow_runs_on_pull_requests_and_nightly_with_known_formats() -> None:
    workflow = yaml.safe_load((ROOT / "examples" / "ci" / "makebuy-decisions.yml").read_text())
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert {"pull_request", "schedule"} <= set(triggers)
    script = "\n".join(s.get("run", "") for s in workflow["jobs"]["check"]["steps"])
    formats = re.findall(r"makebuy check --format (\w+)", script)
    assert formats and set(formats) <= {f.value for f in CheckFormat}


def test_a_missing_extra_catalog_is_bad_input_before_any_record(
    cli, recorded: tuple[Path, Path], tmp_path: Path
) -> None:
    _, path = recorded
    result = cli("check", path, "--catalog", tmp_path / "nope.yaml", "--today", DATE)
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "nope.yaml: --catalog: catalog path not found" in result.stderr
    assert result.stdout == ""


def test_junit_stays_well_formed_xml_with_control_characters_in_a_record(
    cli, tmp_path: Path
) -> None:
    from xml.etree import ElementTree as ET

    (tmp_path / "0001-a\x01title.md").write_text(
        "# A\x01 title\x0b\n\n## Status\n\nSuperseded by [2. B\x1f](0002-b\x01.md)\n\n"
        "## Context\n\nx\x00\n"
    )
    result = cli("check", tmp_path, "--format", "junit")
    root = ET.fromstring(result.stdout.encode("utf-8"))  # raises on ill-formed XML
    (case,) = root.iter("testcase")
    assert case.get("name", "").endswith("0001-a\\x01title.md")
