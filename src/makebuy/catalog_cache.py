"""A cache of the validated catalog, so a command parses the catalog's YAML once.

Parsing and validating two dozen YAML files with line numbers costs a quarter of a
second; reading the validated result back costs a few milliseconds. The cache lives in
the user cache directory (`$XDG_CACHE_HOME/makebuy`, else `~/.cache/makebuy`), one file
per catalog, named by the sha256 of every catalog file's label and content, of the code
that builds a catalog (schema and merge), makebuy's version and the Python version: edit
a file, upgrade makebuy, and the name changes, so a stale entry is never read. Files are
written to a temporary name and renamed into place, so processes that start together
each see a whole file or none. A file that fails to load for any reason is ignored and
rebuilt.

`--no-cache` on a command (see `bypassed`) or `MAKEBUY_NO_CACHE=1` in the environment
skips the cache: read nothing, write nothing.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from pathlib import Path
from typing import Any, TypeVar

from makebuy import __version__

T = TypeVar("T")

CODE_FILES: tuple[str, ...] = ("models/catalog.py", "load.py")
"""makebuy's own files (under the package) whose content is part of every cache key."""

_BYPASS: ContextVar[bool] = ContextVar("makebuy_catalog_cache_bypass", default=False)


@contextmanager
def bypassed(active: bool = True) -> Iterator[None]:
    """Within this block (when `active`), read and write no cache (a command's --no-cache)."""
    token = _BYPASS.set(active or _BYPASS.get())
    try:
        yield
    finally:
        _BYPASS.reset(token)


def enabled() -> bool:
    """False under `--no-cache` or `MAKEBUY_NO_CACHE` set to anything but 0 or empty."""
    return not _BYPASS.get() and os.environ.get("MAKEBUY_NO_CACHE", "") in ("", "0")


def cache_dir() -> Path:
    """`$XDG_CACHE_HOME/makebuy`, else `~/.cache/makebuy`."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "makebuy"


def cache_key(files: Sequence[tuple[Path, str]]) -> str:
    """sha256 over makebuy's and Python's versions and every file's label and content."""
    import hashlib

    digest = hashlib.sha256(f"makebuy {__version__}\0python {sys.version}\0".encode())
    # The code that shapes a cached catalog: a change to the schema or the merge between
    # releases (a development install) must not read a catalog built by the old code.
    for code in CODE_FILES:
        digest.update((Path(__file__).parent / code).read_bytes())
    for path, label in files:
        content = path.read_bytes()
        digest.update(f"{label}\0{len(content)}\0".encode())
        digest.update(content)
    return digest.hexdigest()


def cached(
    files: Sequence[tuple[Path, str]],
    build: Callable[[], T],
    dump: Callable[[T], Any],
    restore: Callable[[Any], T],
) -> T:
    """`build()`'s result for these catalog files, from the cache when it holds one.

    `dump` turns the result into plain picklable data and `restore` turns that back;
    whatever `restore` fails on is rebuilt. Errors from `build` are never cached.
    """
    if not enabled():
        return build()
    import pickle

    try:
        path = cache_dir() / f"catalog-{cache_key(files)}.pickle"
    except OSError:
        return build()  # an unreadable file: let the loader report it
    try:
        with path.open("rb") as fh:
            return restore(pickle.load(fh))
    except Exception:  # missing, truncated, corrupt or from another layout: rebuild
        pass
    result = build()
    with suppress(OSError):  # a read-only home or a full disk only costs speed
        _write(path, pickle.dumps(dump(result), protocol=pickle.HIGHEST_PROTOCOL))
    return result


def _write(path: Path, data: bytes) -> None:
    """Write to a temporary file in the same folder, then rename it into place."""
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
