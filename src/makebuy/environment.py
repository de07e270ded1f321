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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

DEFAULT_WIDTH = 100
"""Columns for rich output when stdout is not a terminal: fixed, so piped output is stable."""


def _system_width(stdout: TextIO) -> int:
    if _isatty(stdout):
        try:
            return os.get_terminal_size(stdout.fileno()).columns or DEFAULT_WIDTH
        except (OSError, ValueError):
            return DEFAULT_WIDTH
    try:
        return int(os.environ.get("MAKEBUY_WIDTH", str(DEFAULT_WIDTH)))
    except ValueError:
        return DEFAULT_WIDTH


def _isatty(stream: TextIO | None) -> bool:
    try:
        return bool(stream is not None and stream.isatty())
    except (ValueError, OSError):  # a closed or detached stream
        return False


@dataclass(frozen=True)
class Environment:
    """Clock, terminal (width, colour, TTY), standard streams and working directory.

    Streams left as None are read from `sys` when used, so a test runner that swaps
    `sys.stdout` (typer's CliRunner) still captures the output.
    """

    width: int | None = None
    stdout_isatty: bool | None = None
    stderr_isatty: bool | None = None
    cwd: Path | None = None
    today: Callable[[], dt.date] = field(default=dt.date.today)
    stdin_stream: TextIO | None = None
    stdout_stream: TextIO | None = None
    stderr_stream: TextIO | None = None

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
    def columns(self) -> int:
        """Width for rich output: the terminal's, or a fixed 100 when piped."""
        return self.width if self.width is not None else _system_width(self.stdout)

    @property
    def working_dir(self) -> Path:
        return self.cwd if self.cwd is not None else Path.cwd()

    def color_for(self, output: Path | None) -> bool:
        """Colour only for a report drawn on the terminal, never into a file."""
        return output is None and self.is_tty


def MockEnvironment(
    *,
    width: int = DEFAULT_WIDTH,
    tty: bool = False,
    cwd: Path | None = None,
    today: dt.date | None = None,
) -> Environment:
    """A fixed environment for tests (named like the class it builds, as in httpie):
    no terminal, a pinned width, optionally a fixed day."""
    return Environment(
        width=width,
        stdout_isatty=tty,
        stderr_isatty=tty,
        cwd=cwd,
        today=(lambda: today) if today is not None else dt.date.today,
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
