"""Commands see the outside world only through the Environment: tests replace it whole."""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys

import pytest

from makebuy.environment import Environment, MockEnvironment, current, use_environment

from .conftest import EXAMPLES, FIXTURE_VARIABLES

TICKETS = EXAMPLES / "ticket-routing-high-volume.yaml"


def test_the_table_is_drawn_at_the_environments_width(cli) -> None:
    with use_environment(MockEnvironment(width=60, variables=FIXTURE_VARIABLES)):
        narrow = cli("assess", TICKETS).stdout
    wide = cli("assess", TICKETS).stdout  # the suite's environment: 100 columns
    assert max(len(line) for line in narrow.splitlines()) <= 60
    assert max(len(line) for line in wide.splitlines()) > 60


def test_colour_only_on_a_terminal_and_never_into_a_file(cli, tmp_path) -> None:
    with use_environment(MockEnvironment(tty=True, variables=FIXTURE_VARIABLES)):
        on_terminal = cli("assess", TICKETS).stdout
        out = tmp_path / "report.txt"
        assert cli("assess", TICKETS, "-o", out).exit_code == 0
    assert "\x1b[" in on_terminal
    assert "\x1b[" not in out.read_text()
    assert "\x1b[" not in cli("assess", TICKETS).stdout


def test_the_clock_comes_from_the_environment(cli) -> None:
    # catalog validate judges staleness against today: a far-future day makes every
    # dated figure stale, a day in the catalog's past makes none stale.
    with use_environment(MockEnvironment(today=dt.date(2099, 1, 1))):
        future = cli("catalog", "validate", "--format", "json").stdout
    with use_environment(MockEnvironment(today=dt.date(2020, 1, 1))):
        past = cli("catalog", "validate", "--format", "json").stdout
    assert future.count("stale") > past.count("stale")


def test_a_report_goes_to_the_environments_stdout(cli) -> None:
    buffer = io.StringIO()
    with use_environment(Environment(width=100, stdout_isatty=False, stdout_stream=buffer)):
        result = cli("assess", TICKETS, "--format", "json")
    assert result.exit_code == 0
    assert buffer.getvalue().startswith("{") and result.stdout == ""


def test_the_system_environment_is_used_when_none_is_installed() -> None:
    with use_environment(MockEnvironment(width=42, variables=FIXTURE_VARIABLES)):
        assert current().columns == 42
    env = Environment()
    assert env.today() == dt.date.today()
    assert env.working_dir.is_dir()


# ------------------------------------------------ NO_COLOR, FORCE_COLOR and COLUMNS


@pytest.mark.parametrize(
    ("tty", "variables", "coloured"),
    [
        (True, {}, True),
        (True, {"NO_COLOR": "1"}, False),
        (True, {"NO_COLOR": "0"}, False),  # any non-empty value, as no-color.org says
        (True, {"NO_COLOR": ""}, True),
        (False, {}, False),
        (False, {"FORCE_COLOR": "1"}, True),
        (False, {"FORCE_COLOR": ""}, False),
        (False, {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),  # NO_COLOR wins
    ],
)
def test_no_color_and_force_color(cli, tty: bool, variables: dict[str, str], coloured: bool):
    with use_environment(MockEnvironment(tty=tty, variables={**FIXTURE_VARIABLES, **variables})):
        out = cli("assess", TICKETS).stdout
    assert ("\x1b[" in out) is coloured


def test_force_color_never_colours_a_file_but_does_colour_dash_o_dash(cli, tmp_path) -> None:
    out = tmp_path / "report.txt"
    with use_environment(MockEnvironment(variables={**FIXTURE_VARIABLES, "FORCE_COLOR": "1"})):
        assert cli("assess", TICKETS, "-o", out).exit_code == 0
        to_stdout = cli("assess", TICKETS, "-o", "-").stdout
    assert "\x1b[" not in out.read_text()
    assert "\x1b[" in to_stdout


def test_columns_sets_the_width() -> None:
    assert MockEnvironment(variables={"COLUMNS": "60"}).columns == 60
    assert MockEnvironment(variables=FIXTURE_VARIABLES).columns == 100
    assert MockEnvironment(variables={"COLUMNS": "wide"}).columns == 100
    # the system environment: COLUMNS wins over the terminal and over MAKEBUY_WIDTH
    piped = io.StringIO()
    assert Environment(stdout_stream=piped, variables={"COLUMNS": "72"}).columns == 72
    assert Environment(stdout_stream=piped, variables={}).columns == 100
    assert Environment(stdout_stream=piped, variables={"MAKEBUY_WIDTH": "90"}).columns == 90
    both = {"COLUMNS": "72", "MAKEBUY_WIDTH": "90"}
    assert Environment(stdout_stream=piped, stdout_isatty=True, variables=both).columns == 72


def test_columns_draws_the_table_at_that_width(cli) -> None:
    with use_environment(MockEnvironment(variables={**FIXTURE_VARIABLES, "COLUMNS": "60"})):
        narrow = cli("assess", TICKETS).stdout
    assert max(len(line) for line in narrow.splitlines()) <= 60


def _run_on_a_terminal(variables: dict[str, str]) -> str:
    """`makebuy assess` in a subprocess whose stdout is a real pseudo-terminal."""
    import pty

    primary, secondary = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env.update(variables)
    proc = subprocess.Popen(
        [sys.executable, "-m", "makebuy", "assess", str(TICKETS)],
        stdout=secondary,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        env=env,
    )
    os.close(secondary)
    chunks = []
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(primary)
    proc.wait(timeout=120)
    return b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_on_a_real_terminal_no_color_and_columns_apply() -> None:
    plain = _run_on_a_terminal({"NO_COLOR": "1", "COLUMNS": "70"})
    assert "\x1b[" not in plain
    assert max(len(line) for line in plain.splitlines()) <= 70
    assert "\x1b[" in _run_on_a_terminal({"COLUMNS": "70"})
