"""What every command shares: error handling, exit codes, atomic output."""

from __future__ import annotations

import datetime as dt
import functools
import os
import stat
import tempfile
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
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
    from makebuy.headline import Budget, Headline
    from makebuy.load import QuestionnaireText

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
OUTPUT_OPTION: Any = typer.Option(
    None, "--output", "-o", help="Write the report to this file ('-' for stdout)."
)
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
CONFIGURED_METHOD_OPTION: Any = typer.Option(
    None,
    "--method",
    help="Scoring method [default: the configured method, else weighted-sum].",
)
"""--method on commands that read the organisation config (see `configured_method`)."""


def configured_method(method: ScoreMethod | None, configured: str | None) -> ScoreMethod:
    """The scoring method: --method, else the organisation config's, else the first."""
    return method or ScoreMethod(configured or METHODS[0])


QUIET_OPTION: Any = typer.Option(
    False, "--quiet", "-q", help="No one-line summary on stderr (errors are still shown)."
)
FAIL_ABOVE_OPTION: Any = typer.Option(
    None,
    "--fail-above",
    metavar="AMOUNT",
    help="Exit 1 when the recommendation costs more than AMOUNT in the report currency:"
    " over the horizon (50000) or per month (2000/month).",
)
SUMMARY_OPTION: Any = typer.Option(
    False,
    "--summary",
    help="With --format markdown: a summary that fits one pull-request comment"
    " (under 65,536 characters), ending with where the full report is.",
)
FULL_REPORT_URL_OPTION: Any = typer.Option(
    None,
    "--full-report-url",
    metavar="URL",
    help="With --summary: link the full report here (else the summary names the command"
    " that writes it).",
)


def summary_settings(
    summary: bool, output_format: str, full_report_url: str | None
) -> tuple[bool, str | None]:
    """Check --summary and --full-report-url go with --format markdown; a URL must be one
    token (it is written as a Markdown autolink)."""
    if summary and output_format != "markdown":
        raise InputError("--summary goes with --format markdown", field="--summary")
    if full_report_url is not None:
        if not summary:
            raise InputError("--full-report-url goes with --summary", field="--full-report-url")
        if not full_report_url or any(c.isspace() or c in "<>" for c in full_report_url):
            raise InputError(
                "a URL without spaces or angle brackets is expected", field="--full-report-url"
            )
    return summary, full_report_url


def budget_of(fail_above: str | None) -> Budget | None:
    """The parsed --fail-above, read before any work so a typo fails at once."""
    if fail_above is None:
        return None
    from makebuy.headline import parse_budget

    return parse_budget(fail_above)


def catalog_age_warnings(
    catalog_as_of: dt.date | None, today: dt.date, *, chosen_date: bool = False
) -> list[str]:
    """The stale-catalog warning for stderr, as a list for `report_outcome`; none when the
    run chose its own evaluation date (`--as-of`) or no catalog was read."""
    from makebuy import headline

    if chosen_date or catalog_as_of is None:
        return []
    warning = headline.catalog_age_warning(catalog_as_of, today)
    return [warning] if warning else []


def report_outcome(
    headlines: Sequence[Headline],
    *,
    quiet: bool,
    budget: Budget | None,
    warnings: Sequence[str] = (),
) -> ExitCode:
    """Each warning on stderr (`--quiet` too: a warning is not the summary), the one-line
    summary of each headline (unless `quiet`), then each figure over the budget as an
    error; DECISION_FAILED when one is over, else OK."""
    for warning in warnings:
        typer.echo(warning, err=True)
    if not quiet:
        for h in headlines:
            typer.echo(h.line(), err=True)
    over = [why for h in headlines if budget and (why := budget.exceeded_by(h))]
    for why in over:
        typer.echo(f"error: over budget: {why}", err=True)
    return ExitCode.DECISION_FAILED if over else ExitCode.OK


@contextmanager
def reported_errors(debug: bool, *, no_cache: bool = False) -> Iterator[None]:
    """Turn makebuy's typed errors into a message on stderr and an exit code; with
    `no_cache`, the command reads and writes no catalog cache."""
    try:
        with catalog_cache.bypassed(no_cache):
            yield
    except typer.Exit:
        raise
    except BrokenPipeError:  # the reader of stdout left (`| head`): nothing more to say
        silence_stdout()
        raise typer.Exit(int(ExitCode.OK)) from None
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


@functools.cache
def new_file_mode() -> int:
    """Permissions of a new output file: 0o666 less the process umask, as `open` gives.

    The umask can only be read by setting it, so it is read once (set to 0 and put back
    at once) and remembered for the rest of the process.
    """
    old = os.umask(0)
    os.umask(old)
    return 0o666 & ~old


def refuse_overwriting_inputs(output: Path, inputs: Iterable[Path | None]) -> None:
    """Refuse an output path that is one of the run's input files.

    Compared both by resolved path (`./x.yaml` and `sub/../x.yaml`, symbolic links) and
    by inode (a hard link under another name); an input folder (a catalog or template
    folder) is hit by any existing file inside it. Standard input (`-`) is never a file.
    """
    from makebuy.environment import is_stdio

    if is_stdio(output):
        return
    target = output.resolve()
    for source in inputs:
        if source is None or is_stdio(source):
            continue
        if source.is_dir():
            hit = output.is_file() and target.is_relative_to(source.resolve())
        else:
            hit = target == source.resolve() or _same_file(output, source)
        if hit:
            raise InputError(f"the output would overwrite an input file ({source})", path=output)


def _same_file(one: Path, other: Path) -> bool:
    try:
        return os.path.samefile(one, other)
    except (OSError, ValueError):
        return False


def write_atomically(path: Path, text: str, *, inputs: Iterable[Path | None] = ()) -> None:
    """Write `text` to `path` so readers see the old file or the new one, never half.

    A path that is one of the run's `inputs` is refused. A read-only file is refused, not
    replaced; so is a file with other hard links (a rename would leave them holding the
    old text). A device or FIFO (`/dev/stdout`, a pipe) is written to directly, since
    renaming over it would destroy it. An existing file keeps its permissions; a new one
    gets 0o666 less the umask.
    """
    refuse_overwriting_inputs(path, inputs)
    if path.exists() and not path.is_file():
        with path.open("w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        return
    write_files_atomically([(path, text)])


def write_files_atomically(
    files: Sequence[tuple[Path, str]], *, inputs: Iterable[Path | None] = ()
) -> None:
    """Write several regular files as one step, as far as a filesystem allows.

    Every file's temporary is written and synced before the first rename, so a failure
    while writing (a full disk, a read-only file, an interrupt) leaves every file as it
    was. The renames then happen in the order given: a kill between two of them leaves
    the first files new and the rest old, which is why `adr new --supersedes` renames the
    new record before the old one's status line (see `makebuy check`'s supersede.unfinished).
    Temporaries are removed on every exit path Python sees.
    """
    inputs = list(inputs)
    for path, _ in files:
        refuse_overwriting_inputs(path, inputs)
    staged: list[tuple[str, Path]] = []
    try:
        for path, text in files:
            mode = new_file_mode()
            if path.exists():
                info = path.stat()
                mode = stat.S_IMODE(info.st_mode)
                if not mode & 0o222:
                    raise InputError("cannot write: the file is read-only", path=path)
                if info.st_nlink > 1:
                    raise InputError(
                        f"cannot write: the file has {info.st_nlink - 1} other hard link(s),"
                        " which replacing it would leave with the old text; remove it first"
                        " or write elsewhere",
                        path=path,
                    )
            target = path.resolve()
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
            staged.append((tmp, target))
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, mode)
        while staged:
            tmp, target = staged[0]
            os.replace(tmp, target)
            staged.pop(0)
    finally:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)


def render_and_emit(
    renderer: Callable[..., str],
    result: Any,
    output: Path | None,
    *,
    inputs: Iterable[Path | None] = (),
    colour: bool = True,
) -> bool:
    """Draw `result` at the environment's width, in colour only on a terminal (never into
    a file) and where the format allows it (`colour`), and `emit` it; False when the
    reader of stdout had gone."""
    env = current_environment()
    text = renderer(result, width=env.columns, color=colour and env.color_for(output))
    return emit(text, output, inputs=inputs)


def emit(text: str, output: Path | None, *, inputs: Iterable[Path | None] = ()) -> bool:
    """The report goes to `output` (atomically) or stdout; nothing else goes to stdout.
    `-o -` means stdout, as in most Unix tools (never a file named `-`).

    A report is UTF-8 wherever it lands except on a terminal: a file given with -o and a
    pipe or redirection get UTF-8 bytes whatever the locale (an HTML report declares
    UTF-8), a terminal gets its own encoding with what it cannot show replaced. When the
    reader of stdout has gone (`makebuy assess x.yaml | head -0`) the report is dropped
    quietly and the run keeps its own exit code. An `output` that is one of the run's
    `inputs` (questionnaire, catalog files, templates, evals) is refused: exit 2.
    Returns False when the reader of stdout had gone (the run then says nothing more).
    """
    from makebuy.environment import is_stdio

    if is_stdio(output):
        output = None
    try:
        if output is None:
            write_stdout(text)
        else:
            write_atomically(output, text, inputs=inputs)
    except BrokenPipeError:
        silence_stdout()
        return False
    except OSError as exc:
        raise InputError(
            f"cannot write: {exc.strerror or exc}", path=output or "standard output"
        ) from None
    return True


def questionnaire_source(path: Path) -> Path | QuestionnaireText:
    """`path` itself, or for `-` the questionnaire read (once) from the environment's stdin;
    relative paths inside it then resolve against the working directory."""
    from makebuy.environment import is_stdio
    from makebuy.load import read_stdin

    if not is_stdio(path):
        return path
    env = current_environment()
    return read_stdin(env.stdin, env.working_dir)


def current_environment() -> Environment:
    """The environment this command runs in (tests install a MockEnvironment)."""
    from makebuy import environment

    return environment.current()


def write_stdout(text: str) -> None:
    """`text` on stdout: UTF-8 bytes when piped, the terminal's encoding (lossy) on a TTY."""
    env = current_environment()
    stdout = env.stdout
    binary = getattr(stdout, "buffer", None)
    if binary is not None and not env.is_tty:
        stdout.flush()
        binary.write(text.encode("utf-8"))
        binary.flush()
        return
    encoding = getattr(stdout, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        text = text.encode(encoding, errors="replace").decode(encoding)
    except LookupError:
        pass
    stdout.write(text)
    stdout.flush()


def silence_stdout() -> None:
    """Point stdout's descriptor at /dev/null once its reader has gone.

    Python would otherwise fail again flushing stdout at exit ("Exception ignored ...
    BrokenPipeError", exit 120). A stream without a descriptor (tests) is left alone.
    """
    stdout = current_environment().stdout
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


def configure_standard_streams() -> None:
    """Never fail on a character the locale cannot encode: messages on stderr (and the
    rare line a command echoes on stdout) replace it with a backslash escape instead."""
    import io
    import sys

    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            with suppress(OSError, ValueError):
                stream.reconfigure(errors="backslashreplace")


def _builtin_ids(section: str, prefix: str) -> list[str]:
    """Ids of the built-in catalog's `section` that start with `prefix`, sorted.

    For shell completion: the catalog (pydantic, yaml) is loaded here, when the shell asks,
    never when the CLI is imported, so `makebuy --help` stays fast. A catalog that fails
    to load completes nothing rather than print a traceback into the shell."""
    try:
        from makebuy.load import load_catalog

        catalog = load_catalog().catalog
    except Exception:
        return []
    ids = getattr(catalog, section)
    return sorted(i for i in ids if i.startswith(prefix))


def complete_model(incomplete: str) -> list[str]:
    """Shell completion of model ids (`makebuy size MODEL`)."""
    return _builtin_ids("models", incomplete)


def complete_gpu(incomplete: str) -> list[str]:
    """Shell completion of GPU ids (`--gpu`)."""
    return _builtin_ids("gpus", incomplete)


def complete_entry(incomplete: str) -> list[str]:
    """Shell completion of `makebuy catalog show ID`: models, offerings, GPUs, licences."""
    found: set[str] = set()
    for section in ("models", "offerings", "gpus", "licences"):
        found.update(_builtin_ids(section, incomplete))
    return sorted(found)
