"""Exit codes and typed errors: core code raises, only the CLI turns them into a message."""

from __future__ import annotations

from enum import IntEnum
from pathlib import Path


class ExitCode(IntEnum):
    """Process exit codes shared by every command."""

    OK = 0
    DECISION_FAILED = 1  # no option survived the gate, or a recorded decision no longer holds
    BAD_INPUT = 2  # unreadable or invalid input, or wrong usage
    INTERNAL = 70  # a bug: message on stderr, traceback only with --debug


class MakebuyError(Exception):
    """Base of every error makebuy reports to a user."""

    exit_code: ExitCode = ExitCode.INTERNAL


class InputError(MakebuyError):
    """Bad input: names the file, the line and the field path so the user can fix it."""

    exit_code = ExitCode.BAD_INPUT

    def __init__(
        self,
        message: str,
        *,
        path: Path | str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.field = field
        super().__init__(self.render())

    def render(self) -> str:
        """One line: ``file:line: field: message``, leaving out what is unknown."""
        where = ""
        if self.path is not None:
            where = self.path if self.line is None else f"{self.path}:{self.line}"
        parts = [p for p in (where, self.field) if p]
        return ": ".join([*parts, self.message])


class InputErrors(MakebuyError):
    """Several input errors found in one pass (a catalog with many mistakes)."""

    exit_code = ExitCode.BAD_INPUT

    def __init__(self, errors: list[InputError]) -> None:
        self.errors = errors
        super().__init__("\n".join(e.render() for e in errors))


class NoEligibleOptionError(MakebuyError):
    """Every option was ruled out: the decision cannot be made as asked."""

    exit_code = ExitCode.DECISION_FAILED
