"""Fuzzing in CI: a fixed, seeded corpus through the real CLI ends in exit 0, 1 or 2.

The corpus (tests/fuzzing.py): questionnaires and catalog overlays drawn by hypothesis over
the two schemas with hostile leaves, every hostile whole document (alias bombs, nesting
bombs, several documents, binary junk) as a questionnaire and as a catalog, and byte-level
mutants of the examples and of the seed overlay; decision records (`check FILE`) whose
front matter and makebuy block are mutated or replaced by the hostile documents; and
organisation config files (makebuy.toml, pyproject.toml's [tool.makebuy]) drawn from their
schema, mutated with hostile TOML leaves, or hostile whole, applied to `assess` and
`check`. Each runs as a child process with a 20 s
limit and a 1 GiB address-space cap; exit 70, a timeout, running out of memory, a signal
or a traceback fails the test, and the input is written to a file named in the message.
The long mode is `benchmarks/fuzz.py`.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import fuzzing

SEED = 20261201
QUESTIONNAIRES = 60
CATALOGS = 30
QUESTIONNAIRE_MUTANTS = 24
CATALOG_MUTANTS = 12
ADRS = 14
ADR_MUTANTS = 6
CONFIGS = 16
PYPROJECTS = 8
CONFIG_CHECKS = 8

FAILURES = Path(__file__).resolve().parent.parent / "fuzz-failures"
"""Where a failing input is written (ignored by git)."""


@pytest.fixture(scope="module")
def fork_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """This process, warmed up to fork one child per input; yields a folder for inputs."""
    fuzzing.prepare_forked_runs(tmp_path_factory.mktemp("cache"))
    yield tmp_path_factory.mktemp("inputs")


def _run_all(kind: str, blobs: list[bytes], folder: Path, label: str) -> list[str]:
    """Run each input; the failures, each with the file its input was saved to."""
    problems = []
    for index, blob in enumerate(blobs):
        path = folder / f"{label}-{index}.yaml"
        path.write_bytes(blob)
        outcome = fuzzing.run_case_forked(kind, path)
        if outcome.failed:
            FAILURES.mkdir(exist_ok=True)
            saved = FAILURES / path.name
            saved.write_bytes(blob)
            last = outcome.stderr_tail.strip().splitlines()[-1:] or [""]
            problems.append(f"{outcome.verdict} ({outcome.exit_code}) on {saved}: {last[0]}")
    return problems


def _run_configs(kind: str, blobs: list[bytes], folder: Path, label: str, record: str) -> list[str]:
    """Run each config file in a folder of its own (with the questionnaire and, for
    config-check, the seed record); the failures, each with the file it was saved to."""
    problems = []
    for index, blob in enumerate(blobs):
        path = fuzzing.write_config_case(kind, folder / f"{label}-{index}", blob, record)
        outcome = fuzzing.run_case_forked(kind, path)
        if outcome.failed:
            FAILURES.mkdir(exist_ok=True)
            saved = FAILURES / f"{label}-{index}-{path.name}"
            saved.write_bytes(blob)
            last = outcome.stderr_tail.strip().splitlines()[-1:] or [""]
            problems.append(f"{outcome.verdict} ({outcome.exit_code}) on {saved}: {last[0]}")
    return problems


@pytest.fixture(scope="module")
def seed_record(fork_server: Path) -> str:
    """A real record, as `makebuy adr new` writes it, of the base questionnaire copied
    next to it as usecase.yaml: fuzzed records are written beside it, so a block that
    survives its mutation is re-assessed for real."""
    from typer.testing import CliRunner

    from makebuy.cli import app

    (fork_server / "usecase.yaml").write_bytes(fuzzing.BASE_USECASE.read_bytes())
    made = CliRunner().invoke(
        app,
        ["adr", "new", str(fork_server / "usecase.yaml"), "--dir", str(fork_server),
         "--date", fuzzing.CHECK_DAY],
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    (record,) = fork_server.glob("0001-*.md")
    text = record.read_text(encoding="utf-8")
    record.unlink()  # the fuzzed records are checked one file at a time, beside usecase.yaml
    return text


def _texts(texts: list[str]) -> list[bytes]:
    return [t.encode("utf-8", "surrogatepass") for t in texts]


def test_generated_questionnaires_never_fail_internally(fork_server: Path) -> None:
    blobs = _texts(fuzzing.draw_many(fuzzing.questionnaire_strategy(), QUESTIONNAIRES, SEED))
    assert len(blobs) >= QUESTIONNAIRES // 2
    assert _run_all("questionnaire", blobs, fork_server, "questionnaire") == []


def test_generated_catalogs_never_fail_internally(fork_server: Path) -> None:
    blobs = _texts(fuzzing.draw_many(fuzzing.catalog_strategy(), CATALOGS, SEED))
    assert len(blobs) >= CATALOGS // 2
    assert _run_all("catalog", blobs, fork_server, "catalog") == []


@pytest.mark.parametrize("kind", ["questionnaire", "catalog"])
def test_hostile_documents_are_bad_input(kind: str, fork_server: Path) -> None:
    """Every hostile document (the defects of issue 15: alias bombs, 10,000-deep nesting,
    5,000-digit integers, bad timestamps, 2 MB scalars, several documents) is exit 2."""
    docs = fuzzing.HOSTILE_DOCUMENTS
    if kind == "catalog":
        docs = tuple(d.replace("makebuy: 1", "makebuy-catalog: 1") for d in docs)
    blobs = _texts(list(docs))
    assert _run_all(kind, blobs, fork_server, f"hostile-{kind}") == []


@pytest.mark.parametrize("leaf", fuzzing.HOSTILE_SCALARS[:: len(fuzzing.HOSTILE_SCALARS) // 12])
def test_hostile_leaves_in_volume_are_bad_input_or_assessed(leaf: str, fork_server: Path) -> None:
    base = fuzzing.BASE_USECASE.read_text(encoding="utf-8")
    text = base.replace("requests_per_month: 400000", f"requests_per_month: {leaf}")
    assert text != base
    assert _run_all("questionnaire", _texts([text]), fork_server, "leaf") == []


def test_byte_mutants_never_fail_internally(fork_server: Path) -> None:
    questionnaires = fuzzing.byte_mutants(fuzzing.EXAMPLES, QUESTIONNAIRE_MUTANTS, SEED)
    catalogs = fuzzing.byte_mutants([fuzzing.OVERLAY], CATALOG_MUTANTS, SEED)
    problems = _run_all("questionnaire", questionnaires, fork_server, "mutant-q")
    problems += _run_all("catalog", catalogs, fork_server, "mutant-c")
    assert problems == []


def test_generated_records_never_fail_internally(fork_server: Path, seed_record: str) -> None:
    """Records whose front matter and makebuy block are mutated leaf by leaf or replaced
    by hostile documents, and odd statuses, checked with `makebuy check FILE`."""
    blobs = _texts(fuzzing.draw_many(fuzzing.adr_strategy(seed_record), ADRS, SEED))
    assert len(blobs) >= ADRS // 2
    assert _run_all("adr", blobs, fork_server, "adr") == []


@pytest.mark.parametrize("where", ["front-matter", "block"])
def test_hostile_documents_in_a_record_are_bad_input(
    where: str, fork_server: Path, seed_record: str
) -> None:
    """The defects of issue 15 in an ADR: alias bombs, nesting bombs, 5,000-digit integers,
    bad timestamps in the front matter or the makebuy block."""
    put = fuzzing.with_front_matter if where == "front-matter" else fuzzing.with_block
    docs = fuzzing.HOSTILE_DOCUMENTS
    if where == "front-matter":  # the front matter is read forgivingly, so the block is
        docs = docs[7:]  # re-assessed each time: only the bombs, to keep the corpus fast
    blobs = _texts([put(seed_record, doc) for doc in docs])
    assert all(b != seed_record.encode() for b in blobs)
    assert _run_all("adr", blobs, fork_server, f"hostile-adr-{where}") == []


def test_byte_mutants_of_a_record_never_fail_internally(
    fork_server: Path, seed_record: str
) -> None:
    source = fork_server / "seed-record.md"
    source.write_text(seed_record, encoding="utf-8")
    blobs = fuzzing.byte_mutants([source], ADR_MUTANTS, SEED)
    source.unlink()
    assert _run_all("adr", blobs, fork_server, "mutant-adr") == []


@pytest.mark.parametrize(
    "kind, table, count",
    [
        ("config", "", CONFIGS),
        ("pyproject", "tool.makebuy", PYPROJECTS),
        ("config-check", "", CONFIG_CHECKS),
    ],
)
def test_generated_config_files_never_fail_internally(
    kind: str, table: str, count: int, fork_server: Path, seed_record: str
) -> None:
    """makebuy.toml and pyproject.toml's [tool.makebuy], drawn and mutated, applied to an
    assessment (config, pyproject) or to `check` of a record (config-check)."""
    blobs = _texts(fuzzing.draw_many(fuzzing.config_strategy(table), count, SEED + len(kind)))
    assert len(blobs) >= count // 2
    assert _run_configs(kind, blobs, fork_server, kind, seed_record) == []


def test_hostile_config_documents_are_bad_input(fork_server: Path, seed_record: str) -> None:
    blobs = _texts(list(fuzzing.HOSTILE_TOML_DOCUMENTS))
    assert _run_configs("config", blobs, fork_server, "hostile-config", seed_record) == []


# ------------------------------------------------- a few runs as fresh subprocesses


@pytest.mark.parametrize(
    "kind, text",
    [
        ("questionnaire", fuzzing.HOSTILE_DOCUMENTS[10]),  # billion laughs
        ("catalog", fuzzing.HOSTILE_DOCUMENTS[11].replace("makebuy:", "makebuy-catalog:")),
    ],
    ids=["alias-bomb", "nesting-bomb"],
)
def test_bombs_in_a_fresh_capped_interpreter_are_bad_input(
    kind: str, text: str, tmp_path: Path
) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(text, encoding="utf-8")
    outcome = fuzzing.run_case(kind, path)
    assert outcome.exit_code == 2, outcome.stderr_tail
    assert outcome.stderr_tail.count("\n") == 1, outcome.stderr_tail
    assert str(path.name) in outcome.stderr_tail


def test_an_example_in_a_fresh_capped_interpreter_is_assessed(tmp_path: Path) -> None:
    outcome = fuzzing.run_case("questionnaire", fuzzing.BASE_USECASE)
    assert outcome.verdict == "ok" and outcome.exit_code in (0, 1), outcome.stderr_tail


# ------------------------------------------------- the harness itself can fail


def test_the_memory_cap_turns_a_large_allocation_into_a_memory_failure(tmp_path: Path) -> None:
    command = [sys.executable, "-c", "b = bytearray(2 * 1024**3)"]
    outcome = fuzzing.run_case("questionnaire", tmp_path, command=command)
    assert outcome.verdict == "memory"


def test_a_run_over_the_time_limit_is_a_timeout(tmp_path: Path) -> None:
    command = [sys.executable, "-c", "import time; time.sleep(5)"]
    outcome = fuzzing.run_case("questionnaire", tmp_path, timeout=0.5, command=command)
    assert outcome.verdict == "timeout" and outcome.exit_code is None


def test_a_forked_run_over_the_time_limit_is_a_timeout(tmp_path: Path) -> None:
    path = tmp_path / "usecase.yaml"
    path.write_bytes(fuzzing.BASE_USECASE.read_bytes())
    outcome = fuzzing.run_case_forked("questionnaire", path, timeout=0.01)
    assert outcome.verdict == "timeout" and outcome.exit_code is None


@pytest.mark.parametrize(
    "code, stderr, verdict",
    [
        (0, "", "ok"),
        (1, "", "ok"),
        (2, "error: x.yaml:3: volume: must be finite\n", "ok"),
        (70, "internal error: boom\n", "exit-70"),
        (2, "Traceback (most recent call last):\n  ...\n", "traceback"),
        (70, "internal error: MemoryError\n", "memory"),
        (-9, "", "signal"),
        (None, "", "timeout"),
    ],
)
def test_outcomes_are_classified_by_exit_code_and_stderr(
    code: int | None, stderr: str, verdict: str
) -> None:
    assert fuzzing.classify("questionnaire", code, 0.1, stderr).verdict == verdict
