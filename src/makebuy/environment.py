"""The outside world a command sees, in one object: clock, terminal, streams, working folder.

Core code never reads the clock, the terminal or the working directory itself: the CLI
takes them from the active `Environment` and passes plain values down. Tests replace the
whole environment at once (`use_environment(MockEnvironment(...))`) instead of
monkeypatching `sys`, `os` or `datetime` (after httpie's `context.Environment`).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

DEFAULT_WIDTH = 100
"""Columns for rich output when stdout is not a terminal: fixed, so piped output is stable."""


def _positive_int(text: str | None) -> int | None:
    try:
        value = int(text or "")
    except ValueError:
        return None
    return value if value > 0 else None


def _system_width(variables: Mapping[str, str], is_tty: bool, stdout: TextIO) -> int:
    """COLUMNS wins; then the terminal's own width; then (piped) the undocumented
    MAKEBUY_WIDTH fallback; then a fixed DEFAULT_WIDTH."""
    columns = _positive_int(variables.get("COLUMNS"))
    if columns is not None:
        return columns
    if is_tty:
        try:
            return os.get_terminal_size(stdout.fileno()).columns or DEFAULT_WIDTH
        except (OSError, ValueError, AttributeError):
            return DEFAULT_WIDTH
    return _positive_int(variables.get("MAKEBUY_WIDTH")) or DEFAULT_WIDTH


def _isatty(stream: TextIO | None) -> bool:
    try:
        return bool(stream is not None and stream.isatty())
    except (ValueError, OSError):  # a closed or detached stream
        return False


@dataclass(frozen=True)
class Environment:
    """Clock, terminal (width, colour, TTY), standard streams, working directory and the
    environment variables that shape output (COLUMNS, NO_COLOR, FORCE_COLOR).

    Streams left as None are read from `sys` when used, so a test runner that swaps
    `sys.stdout` (typer's CliRunner) still captures the output; `variables` left as None
    are read from `os.environ`. A `width` given here wins over COLUMNS (tests pin it).
    """

    width: int | None = None
    stdout_isatty: bool | None = None
    stderr_isatty: bool | None = None
    stdin_isatty: bool | None = None
    cwd: Path | None = None
    today: Callable[[], dt.date] = field(default=dt.date.today)
    stdin_stream: TextIO | None = None
    stdout_stream: TextIO | None = None
    stderr_stream: TextIO | None = None
    variables: Mapping[str, str] | None = None

    @property
    def env_vars(self) -> Mapping[str, str]:
        """The process environment variables (a test's own mapping when it set one)."""
        return self.variables if self.variables is not None else os.environ

    @property
    def stdin(self) -> TextIO:
        return self.stdin_stream or sys.stdin

    @property
    def stdout(self) -> TextIO:
        return self.stdout_stream or sys.stdout

    @property
    def stderr(self) -> TextIO:
        return self.stderr_stream or sys.stderr

    @property
    def is_tty(self) -> bool:
        """Whether stdout is a terminal (colour and the terminal's own width apply)."""
        return self.stdout_isatty if self.stdout_isatty is not None else _isatty(self.stdout)

    @property
    def stderr_is_tty(self) -> bool:
        """Whether stderr is a terminal (progress bars are drawn only there)."""
        return self.stderr_isatty if self.stderr_isatty is not None else _isatty(self.stderr)

    @property
    def stdin_is_tty(self) -> bool:
        """Whether stdin is a terminal (`makebuy init` asks its questions only there)."""
        return self.stdin_isatty if self.stdin_isatty is not None else _isatty(self.stdin)

    @property
    def columns(self) -> int:
        """Width for rich output: COLUMNS if set, else the terminal's, else a fixed 100
        when piped (golden files and scripts rely on that)."""
        if self.width is not None:
            return self.width
        return _system_width(self.env_vars, self.is_tty, self.stdout)

    @property
    def working_dir(self) -> Path:
        return self.cwd if self.cwd is not None else Path.cwd()

    def color_for(self, output: Path | None) -> bool:
        """Colour for a report on stdout when it is a terminal, never into a file.

        NO_COLOR (any non-empty value, https://no-color.org) turns colour off even on a
        terminal; FORCE_COLOR (non-empty) turns it on when stdout is not a terminal.
        NO_COLOR wins when both are set. `-o -` is stdout, so it follows the same rule.
        """
        if output is not None and not is_stdio(output):
            return False
        if self.env_vars.get("NO_COLOR", ""):
            return False
        return self.is_tty or bool(self.env_vars.get("FORCE_COLOR", ""))


def is_stdio(path: Path | str | None) -> bool:
    """Whether an `-o` value or a questionnaire argument is `-`: stdout or stdin."""
    return path is not None and str(path) == STDIO_NAME


STDIO_NAME = "-"
"""The file name that means standard input (a questionnaire) or standard output (`-o`)."""


def MockEnvironment(
    *,
    width: int | None = None,
    tty: bool = False,
    cwd: Path | None = None,
    today: dt.date | None = None,
    variables: Mapping[str, str] | None = None,
    stdin: TextIO | None = None,
    stdin_tty: bool = False,
) -> Environment:
    """A fixed environment for tests (named like the class it builds, as in httpie):
    no terminal, no environment variables, optionally a fixed day, stdin or variables
    (COLUMNS, NO_COLOR, FORCE_COLOR); `stdin_tty` makes stdin a terminal (a scripted
    `stdin` then answers `makebuy init`'s questions). The width is `width`, else COLUMNS from
    `variables`, else DEFAULT_WIDTH (a terminal's own size is never asked)."""
    variables = dict(variables or {})
    if width is None:
        width = _positive_int(variables.get("COLUMNS")) or DEFAULT_WIDTH
    return Environment(
        width=width,
        stdout_isatty=tty,
        stderr_isatty=tty,
        stdin_isatty=stdin_tty,
        cwd=cwd,
        today=(lambda: today) if today is not None else dt.date.today,
        stdin_stream=stdin,
        variables=variables,
    )


_ACTIVE: ContextVar[Environment | None] = ContextVar("makebuy_environment", default=None)


def current() -> Environment:
    """The environment commands run in: the one a caller installed, else the system's."""
    return _ACTIVE.get() or Environment()


@contextmanager
def use_environment(env: Environment) -> Iterator[Environment]:
    """Run commands inside `env` (tests, and programs embedding makebuy's CLI)."""
    token = _ACTIVE.set(env)
    try:
        yield env
    finally:
        _ACTIVE.reset(token)
