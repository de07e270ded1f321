"""What every command shares: error handling, exit codes, atomic output."""

from __future__ import annotations

import os
import stat
import tempfile
import traceback
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from makebuy import catalog_cache
from makebuy.errors import ExitCode, InputError, InputErrors, MakebuyError
from makebuy.models.methods import METHODS, Method


def choices(name: str, names: Iterable[str]) -> type[StrEnum]:
    """A typer choice type whose members are `names`, in order.

    Commands build their `--format` and `--method` choices from the registries with this,
    so a new renderer or method is offered without editing a command. Modules that use
    one declare it to mypy as plain `StrEnum` (mypy cannot see members made at run time).
    """
    functional: Any = StrEnum
    enum: type[StrEnum] = functional(name, [(n.replace("-", "_"), n) for n in names])
    return enum


if TYPE_CHECKING:
    from makebuy.environment import Environment

    class ScoreMethod(StrEnum):
        """What mypy sees: a choice whose value is a `Method`."""

        _value_: Method

else:
    ScoreMethod = choices("ScoreMethod", METHODS)
    """The `--method` choices: every method in `makebuy.models.methods.METHODS`."""

# Options that several commands take, declared once so they read the same everywhere.
CATALOG_OPTION: Any = typer.Option(
    [], "--catalog", "-c", help="Extra catalog file or folder; repeatable; overrides by id."
)
NO_BUILTIN_OPTION: Any = typer.Option(
    False, "--no-builtin-catalog", help="Use only the --catalog files."
)
OUTPUT_OPTION: Any = typer.Option(None, "--output", "-o", help="Write the report here.")
AS_OF_OPTION: Any = typer.Option(
    None,
    "--as-of",
    formats=["%Y-%m-%d"],
    help="Read prices and lifecycles on this date (default: the catalog's as-of date).",
)
DEBUG_OPTION: Any = typer.Option(False, "--debug", help="Show tracebacks for errors.")
NO_CACHE_OPTION: Any = typer.Option(
    False,
    "--no-cache",
    help="Parse the catalog files instead of reading the validated catalog from the user"
    " cache (also: MAKEBUY_NO_CACHE=1).",
)
METHOD_OPTION: Any = typer.Option(ScoreMethod(METHODS[0]), "--method", help="Scoring method.")


@contextmanager
def reported_errors(debug: bool, *, no_cache: bool = False) -> Iterator[None]:
    """Turn makebuy's typed errors into a message on stderr and an exit code; with
    `no_cache`, the command reads and writes no catalog cache."""
    try:
        with catalog_cache.bypassed(no_cache):
            yield
    except typer.Exit:
        raise
    except InputErrors as exc:
        for err in exc.errors:
            typer.echo(f"error: {err.render()}", err=True)
        if debug:
            traceback.print_exc()
        raise typer.Exit(int(exc.exit_code)) from None
    except MakebuyError as exc:
        typer.echo(f"error: {exc}", err=True)
        if debug:
            traceback.print_exc()
        raise typer.Exit(int(exc.exit_code)) from None
    except OSError as exc:  # a file or folder the user named cannot be read or written
        where = f"{exc.filename}: " if exc.filename else ""
        typer.echo(f"error: {where}{exc.strerror or exc}", err=True)
        if debug:
            traceback.print_exc()
        raise typer.Exit(int(ExitCode.BAD_INPUT)) from None
    except Exception as exc:  # a bug: say so without a traceback unless asked
        typer.echo(
            f"internal error: {type(exc).__name__}: {exc} (run with --debug for details)",
            err=True,
        )
        if debug:
            traceback.print_exc()
        raise typer.Exit(int(ExitCode.INTERNAL)) from None


def write_atomically(path: Path, text: str) -> None:
    """Write `text` to `path` so readers see the old file or the new one, never half.

    A read-only file is refused, not replaced; a device or FIFO (`/dev/stdout`, a pipe)
    is written to directly, since renaming over it would destroy it. An existing file
    keeps its permissions.
    """
    if path.exists() and not path.is_file():
        with path.open("w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        return
    mode = 0o644
    if path.exists():
        mode = stat.S_IMODE(path.stat().st_mode)
        if not mode & 0o222:
            raise InputError("cannot write: the file is read-only", path=path)
    path = path.resolve()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def emit(text: str, output: Path | None) -> None:
    """The report goes to `output` (atomically) or stdout; nothing else goes to stdout."""
    try:
        if output is None:
            stdout = current_environment().stdout
            stdout.write(text)
            stdout.flush()
        else:
            write_atomically(output, text)
    except OSError as exc:
        raise InputError(
            f"cannot write: {exc.strerror or exc}", path=output or "standard output"
        ) from None


def terminal_width() -> int:
    """Width for rich output: the terminal's, or a fixed 100 when piped (stable output)."""
    return current_environment().columns


def current_environment() -> Environment:
    """The environment this command runs in (tests install a MockEnvironment)."""
    from makebuy import environment

    return environment.current()
