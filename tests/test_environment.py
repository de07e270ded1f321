"""Commands see the outside world only through the Environment: tests replace it whole."""

from __future__ import annotations

import datetime as dt
import io

from makebuy.environment import Environment, MockEnvironment, current, use_environment

from .conftest import EXAMPLES

TICKETS = EXAMPLES / "ticket-routing-high-volume.yaml"


def test_the_table_is_drawn_at_the_environments_width(cli) -> None:
    with use_environment(MockEnvironment(width=60)):
        narrow = cli("assess", TICKETS).stdout
    wide = cli("assess", TICKETS).stdout  # the suite's environment: 100 columns
    assert max(len(line) for line in narrow.splitlines()) <= 60
    assert max(len(line) for line in wide.splitlines()) > 60


def test_colour_only_on_a_terminal_and_never_into_a_file(cli, tmp_path) -> None:
    with use_environment(MockEnvironment(tty=True)):
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
    with use_environment(MockEnvironment(width=42)):
        assert current().columns == 42
    env = Environment()
    assert env.today() == dt.date.today()
    assert env.working_dir.is_dir()
