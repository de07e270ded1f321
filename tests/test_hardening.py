"""Issue 16, hardening part two: each defect driven through the real CLI.

- a catalog file `catalog validate` rejects stops every command that reads it;
- `adr new --supersedes` writes its two files as a pair, and `check` names a half pair;
- any locale: reports are UTF-8, a terminal's encoding never makes a run exit 70;
- a closed stdout ends the run quietly; devices, FIFOs and huge files are refused;
- every CSV writer makes formula cells inert.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from makebuy import render
from makebuy.environment import MockEnvironment, use_environment
from makebuy.errors import ExitCode

from .conftest import EXAMPLES
from .helpers import questionnaire

SUPPORT = EXAMPLES / "support-assistant.yaml"

OVERRIDE = """\
makebuy-catalog: 1
offerings:
  - id: openai/gpt-4o-mini
    model: openai/gpt-4o-mini
    provider: openai
    api_model_id: gpt-4o-mini
    terms: openai-api-terms
    prices:
      - {{effective_from: 2024-10-16, effective_to: null, input_per_1m: {price},
         output_per_1m: 0.6, source: off-llm-prices-51497f0, as_of: 2024-10-16}}
"""


def override(tmp_path: Path, price: float, name: str = "override.yaml") -> Path:
    """gpt-4o-mini with its input price per 1M tokens set to `price`, dated 2024-10-16."""
    path = tmp_path / name
    path.write_text(OVERRIDE.format(price=price))
    return path


# ---------------------------------------------------------------- one validation path


@pytest.mark.parametrize(
    "command",
    [
        ("assess", str(SUPPORT)),
        ("portfolio", str(SUPPORT)),
        ("size", "meta/llama-2-70b-chat"),
        ("catalog", "list"),
        ("catalog", "show", "openai/gpt-4o-mini"),
    ],
    ids=lambda c: " ".join(a for a in c[:2] if "/" not in a),
)
def test_a_figure_validate_calls_wrong_stops_every_command(
    cli, tmp_path: Path, command: tuple[str, ...]
) -> None:
    bad = override(tmp_path, 150_000)
    result = cli(*command, "--catalog", bad)
    assert result.exit_code == ExitCode.BAD_INPUT, result.stdout
    assert (
        f"error: {bad}:9: offerings[openai/gpt-4o-mini].prices[0].input_per_1m:"
        " $150,000.00 per 1M tokens is above $1,000"
    ) in result.stderr
    assert "[implausible]" in result.stderr
    assert not result.stdout


def test_adr_new_with_a_rejected_catalog_writes_no_record(cli, tmp_path: Path) -> None:
    bad = override(tmp_path, 150_000)
    result = cli("adr", "new", SUPPORT, "--dir", tmp_path / "adr", "--catalog", bad)
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "$150,000.00 per 1M tokens" in result.stderr
    assert not (tmp_path / "adr").exists() or not list((tmp_path / "adr").iterdir())


def test_a_user_catalogs_warnings_are_listed_under_the_reports_assumptions(
    cli, tmp_path: Path
) -> None:
    import json

    stale = override(tmp_path, 0.15)
    with use_environment(MockEnvironment(today=dt.date(2026, 12, 1))):
        result = cli("assess", SUPPORT, "--catalog", stale, "-f", "json")
    assert result.exit_code == 0, result.stderr
    assumptions = json.loads(result.stdout)["assumptions"]
    catalog_notes = [a for a in assumptions if a["origin"] == "catalog"]
    assert catalog_notes == [
        {
            "field": f"{stale}:9: offerings[openai/gpt-4o-mini].prices[0]",
            "value": "stale",
            "origin": "catalog",
            "reason": "as_of 2024-10-16 is more than 365 days before 2026-12-01; re-check it",
        }
    ]


def test_the_builtin_catalogs_warnings_stay_out_of_reports(cli) -> None:
    import json

    result = cli("assess", SUPPORT, "-f", "json")
    assert not [a for a in json.loads(result.stdout)["assumptions"] if a["origin"] == "catalog"]


def test_a_record_naming_a_device_as_catalog_is_an_error_in_check(cli, tmp_path: Path) -> None:
    good = override(tmp_path, 0.15)
    folder = tmp_path / "adr"
    made = cli("adr", "new", SUPPORT, "--dir", folder, "--catalog", good, "--date", "2026-11-28")
    assert made.exit_code == 0, made.stderr
    record = next(folder.glob("*.md"))
    text = record.read_text()
    assert "../override.yaml" in text
    record.write_text(text.replace("../override.yaml", "/dev/zero"))
    result = cli("check", folder, "--today", "2026-11-28")
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "/dev/zero: not a regular file" in result.stdout + result.stderr


# ---------------------------------------------------------------- supersede pairs


def _two_records(cli, tmp_path: Path) -> tuple[Path, Path]:
    folder = tmp_path / "adr"
    first = cli("adr", "new", SUPPORT, "--dir", folder, "--date", "2026-11-28")
    assert first.exit_code == 0, first.stderr
    old = next(folder.glob("0001-*.md"))
    old.write_text(old.read_text().replace('status: "proposed"', 'status: "accepted"', 1))
    return folder, old


def test_a_run_stopped_between_the_two_renames_leaves_a_pair_check_names(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, old = _two_records(cli, tmp_path)
    before = old.read_text()
    real_replace = os.replace
    calls: list[str] = []

    class Killed(BaseException):
        """Stands for a kill after the first rename (nothing in makebuy catches it)."""

    def replace_then_die(src: str, dst: str) -> None:
        calls.append(str(dst))
        if len(calls) == 2:
            raise Killed
        real_replace(src, dst)

    monkeypatch.setattr("makebuy.cli.common.os.replace", replace_then_die)
    with pytest.raises(Killed):
        cli("adr", "new", SUPPORT, "--dir", folder, "--date", "2026-11-29", "--supersedes", "1")
    monkeypatch.undo()

    new = next(folder.glob("0002-*.md"))
    assert calls == [str(new.resolve()), str(old.resolve())]  # the new record goes first
    assert old.read_text() == before  # the old one is untouched, still accepted
    assert sorted(p.name for p in folder.iterdir()) == [old.name, new.name]  # no temporaries

    result = cli("check", folder, "--today", "2026-11-29", "-f", "json")
    assert result.exit_code == ExitCode.BAD_INPUT
    assert f"error: {new}:" in result.stderr or f"{new.name}:" in result.stderr
    line = next(ln for ln in result.stderr.splitlines() if "supersedes" in ln)
    assert new.name in line and old.name in line and "still 'accepted'" in line


def test_a_failure_before_the_first_rename_leaves_both_records_as_they_were(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, old = _two_records(cli, tmp_path)
    before = old.read_text()

    def no_rename(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("makebuy.cli.common.os.replace", no_rename)
    result = cli("adr", "new", SUPPORT, "--dir", folder, "--supersedes", "1")
    monkeypatch.undo()
    assert result.exit_code == ExitCode.BAD_INPUT
    assert [p.name for p in folder.iterdir()] == [old.name]  # no new record, no temporaries
    assert old.read_text() == before
    assert cli("check", folder, "--today", "2026-11-29").exit_code == 0


def test_a_finished_supersede_checks_clean(cli, tmp_path: Path) -> None:
    folder, old = _two_records(cli, tmp_path)
    made = cli("adr", "new", SUPPORT, "--dir", folder, "--date", "2026-11-29", "--supersedes", "1")
    assert made.exit_code == 0, made.stderr
    assert "superseded by" in old.read_text()
    result = cli("check", folder, "--today", "2026-11-29")
    assert result.exit_code == 0, result.stdout + result.stderr


# ---------------------------------------------------------------- the real process


def makebuy(*args: str | Path, env: dict[str, str] | None = None, **kw: object):
    """Run the installed CLI in a child process (its own locale, streams and signals)."""
    return subprocess.run(
        [sys.executable, "-m", "makebuy", *map(str, args)],
        capture_output=True,
        env={**os.environ, **(env or {})},
        timeout=120,
        check=False,
        **kw,  # type: ignore[arg-type]
    )


LATIN1 = {"PYTHONIOENCODING": "latin-1"}
ASCII_LOCALE = {"LC_ALL": "C", "PYTHONCOERCECLOCALE": "0", "PYTHONUTF8": "0"}


@pytest.fixture(scope="module")
def record_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("records") / "adr"
    made = makebuy("adr", "new", SUPPORT, "--dir", folder, "--date", "2026-11-28")
    assert made.returncode == 0, made.stderr
    return folder


COMMANDS_THAT_PRINT: list[tuple[str, ...]] = [
    ("assess", str(SUPPORT)),
    ("assess", str(SUPPORT), "-f", "markdown"),
    ("assess", str(SUPPORT), "-f", "html"),
    ("portfolio", str(EXAMPLES)),
    ("portfolio", str(EXAMPLES), "-f", "html"),
    ("portfolio", str(EXAMPLES), "-f", "markdown"),
    ("size", "meta/llama-2-70b-chat"),
    ("catalog", "list"),
    ("catalog", "show", "meta/llama-2-70b-chat"),
    ("catalog", "validate"),
    ("check", "{records}", "--today", "2026-11-28"),
    ("check", "{records}", "--today", "2026-11-28", "-f", "markdown"),
]


@pytest.mark.parametrize("locale_env", [LATIN1, ASCII_LOCALE], ids=["latin-1", "ascii"])
def test_no_locale_makes_a_command_fail(record_folder: Path, locale_env: dict[str, str]) -> None:
    runs = {
        args: subprocess.Popen(
            [sys.executable, "-m", "makebuy", *(a.format(records=record_folder) for a in args)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, **locale_env},
        )
        for args in COMMANDS_THAT_PRINT
    }
    for args, proc in runs.items():
        out, err = proc.communicate(timeout=180)
        assert proc.returncode in (0, 1), (args, err.decode(errors="replace"))
        assert b"internal error" not in err
        out.decode("utf-8")  # piped output is UTF-8 whatever the locale


def test_html_on_a_latin1_stdout_is_the_utf8_it_declares(tmp_path: Path) -> None:
    written = tmp_path / "portfolio.html"
    assert makebuy("portfolio", EXAMPLES, "-f", "html", "-o", written).returncode == 0
    result = makebuy("portfolio", EXAMPLES, "-f", "html", env=LATIN1)
    assert result.returncode == 0, result.stderr
    assert "charset=utf-8" in result.stdout.decode("utf-8").lower().replace('"', "")
    assert "\u00b7".encode() in result.stdout  # the middle dot, as UTF-8 (Latin-1: b"\xb7")
    assert result.stdout == written.read_bytes()


def test_a_file_report_is_utf8_under_an_ascii_locale(tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    result = makebuy("assess", SUPPORT, "-f", "markdown", "-o", target, env=ASCII_LOCALE)
    assert result.returncode == 0, result.stderr
    assert any(ord(c) > 127 for c in target.read_text(encoding="utf-8"))


def test_an_error_message_the_terminal_cannot_encode_is_escaped_not_a_crash(
    tmp_path: Path,
) -> None:
    missing = tmp_path / "ёлка→.yaml"
    result = makebuy("assess", missing, env=ASCII_LOCALE)
    assert result.returncode == ExitCode.BAD_INPUT
    assert b"file not found" in result.stderr and b"internal error" not in result.stderr


@pytest.mark.parametrize(
    "args",
    [("assess", str(SUPPORT)), ("portfolio", str(EXAMPLES), "-f", "csv"), ("catalog", "list")],
    ids=lambda a: " ".join(a[:2]),
)
def test_a_closed_stdout_ends_the_run_quietly(args: tuple[str, ...]) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "makebuy", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader is gone before the first byte: `| head -0`
    err = proc.stderr.read()
    assert proc.wait(timeout=120) == 0
    assert err == b""


def test_a_closed_stdout_through_a_shell_pipe_to_head() -> None:
    command = f"set -o pipefail; {sys.executable} -m makebuy assess {SUPPORT} | head -0"
    result = subprocess.run(["bash", "-c", command], capture_output=True, timeout=120, check=False)
    assert result.returncode == 0
    assert result.stderr == b""


# ---------------------------------------------------------------- devices, FIFOs, sizes


def test_dev_zero_as_questionnaire_is_refused_before_reading() -> None:
    result = makebuy("assess", "/dev/zero")
    assert result.returncode == ExitCode.BAD_INPUT
    assert b"/dev/zero: not a regular file" in result.stderr


@pytest.mark.parametrize("where", ["questionnaire", "catalog", "catalog folder", "adr", "template"])
def test_a_fifo_input_is_refused_without_blocking(cli, tmp_path: Path, where: str) -> None:
    fifo = tmp_path / "in" / ("report.md.j2" if where == "template" else "x.yaml")
    fifo.parent.mkdir()
    os.mkfifo(fifo)
    if where == "adr":
        fifo = fifo.rename(fifo.with_suffix(".md"))
    args: tuple[str | Path, ...] = {
        "questionnaire": ("assess", fifo),
        "catalog": ("assess", SUPPORT, "--catalog", fifo),
        "catalog folder": ("assess", SUPPORT, "--catalog", fifo.parent),
        "adr": ("check", fifo, "--today", "2026-11-28"),
        "template": ("assess", SUPPORT, "-f", "markdown", "--template", fifo.parent),
    }[where]
    result = cli(*args)  # would block forever on open() if the FIFO were read
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "not a regular file" in result.stdout + result.stderr


def test_a_questionnaire_above_the_size_limit_is_refused(cli, tmp_path: Path) -> None:
    from makebuy.load import MAX_INPUT_BYTES

    huge = tmp_path / "huge.yaml"
    with huge.open("wb") as fh:
        fh.truncate(MAX_INPUT_BYTES + 1)  # sparse: costs no disk
    result = cli("assess", huge)
    assert result.exit_code == ExitCode.BAD_INPUT
    assert f"{huge}: {MAX_INPUT_BYTES + 1:,} bytes is above the 20 MiB input limit" in (
        result.stderr
    )


# ---------------------------------------------------------------- CSV


def test_every_csv_renderer_is_one_that_neutralises_formulas() -> None:
    registries = {name: getattr(render, name) for name in dir(render) if name.endswith("RENDERERS")}
    csv_targets = {reg["csv"] for reg in registries.values() if "csv" in reg}
    assert csv_targets == {
        "makebuy.render.csv:render_portfolio",
        "makebuy.render.csv:render_assessment",
        "makebuy.render.catalog:list_csv",
    }, "a new CSV writer: cover it in the tests below"
    from makebuy.render.check import CHECK_RENDERERS

    assert CHECK_RENDERERS["csv"] == "makebuy.render.check.csv:render"


def test_assessment_csv_cells_never_start_a_formula(cli, tmp_path: Path) -> None:
    import json

    data = json.loads((Path(__file__).parent / "golden" / "support-assistant.json").read_text())
    first = data["options"][0]
    first["model_name"] = first["title"] = '=HYPERLINK("http://evil")'
    first["model"] = "@SUM(A1)"
    saved = tmp_path / "saved.json"
    saved.write_text(json.dumps(data))
    result = cli("render", saved, "-f", "csv")
    cells = [v for row in csv.DictReader(io.StringIO(result.stdout)) for v in row.values() if v]
    assert '\'=HYPERLINK("http://evil")' in cells and "'@SUM(A1)" in cells
    assert not any(v[0] in "=+@" for v in cells)


def test_check_csv_cells_never_start_a_formula(cli, tmp_path: Path) -> None:
    (tmp_path / "0001-x.md").write_text("# =1+1\n\n## Status\n\nAccepted\n\n## Context\n\nx\n")
    result = cli("check", tmp_path, "-f", "csv", "-q")
    cells = [v for row in csv.DictReader(io.StringIO(result.stdout)) for v in row.values() if v]
    assert "'=1+1" in cells
    assert not any(v[0] in "=+@" for v in cells)


def test_catalog_list_csv_cells_never_start_a_formula(cli, tmp_path: Path) -> None:
    evil = tmp_path / "evil.yaml"
    evil.write_text(
        "makebuy-catalog: 1\n"
        "models:\n"
        "  - id: evil/model\n"
        "    name: '=HYPERLINK(\"http://evil\")'\n"
        "    family: '+cmd|calc'\n"
        "    developer: '@SUM(A1)'\n"
        "    open_weights: false\n"
    )
    result = cli("catalog", "list", "--catalog", evil, "-f", "csv")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    cells = [v for row in rows for v in row.values() if v]
    assert "'+cmd|calc" in cells or '\'=HYPERLINK("http://evil")' in cells
    assert not any(v[0] in "=+@" for v in cells)


def test_portfolio_csv_cells_never_start_a_formula(cli, tmp_path: Path) -> None:
    questionnaire(tmp_path, name="@SUM(A1)", owner="=1+1")
    result = cli("portfolio", tmp_path, "-f", "csv")
    cells = [v for row in csv.DictReader(io.StringIO(result.stdout)) for v in row.values() if v]
    assert "'@SUM(A1)" in cells and "'=1+1" in cells
    assert not any(v[0] in "=+@" for v in cells)
