"""Signals that end a command let it clean up first.

Python turns SIGINT into KeyboardInterrupt, so `finally` blocks run; but SIGTERM (what
`kill`, CI runners and container stops send) and SIGHUP (a closed terminal) end the
process on the spot, leaving the temporary files of an atomic write behind. Inside
`cleanup_on_signals()` all three raise `Signalled` instead, which unwinds every `finally`
and `except BaseException` (the temporaries go); the process then ends by the same signal
with its default action, so whoever sent it sees what it asked for (a shell reports
128+N), as a well-behaved Unix tool does.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

HANDLED: tuple[signal.Signals, ...] = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


class Signalled(BaseException):
    """A handled signal arrived; a BaseException, so no `except Exception` swallows it."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"stopped by signal {signum}")
        self.signum = signum


def _raise(signum: int, frame: FrameType | None) -> None:
    for handled in HANDLED:  # a second Ctrl-C must not cut the cleanup short
        signal.signal(handled, signal.SIG_IGN)
    raise Signalled(signum)


@contextmanager
def cleanup_on_signals() -> Iterator[None]:
    """Run the body with SIGINT, SIGTERM and SIGHUP raising `Signalled`; on one, let the
    cleanup run, then end the process by that signal. Outside the main thread (where
    handlers cannot be set) the body runs as it is."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {
        s: h for s in HANDLED if (h := signal.getsignal(s)) not in (None, signal.SIG_IGN)
    }  # an ignored signal (nohup, a background job) stays ignored; None cannot be put back
    for s in previous:
        signal.signal(s, _raise)
    try:
        yield
    except Signalled as stopped:
        signal.signal(stopped.signum, signal.SIG_DFL)
        os.kill(os.getpid(), stopped.signum)
        raise SystemExit(128 + stopped.signum) from None  # only if the signal was blocked
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
