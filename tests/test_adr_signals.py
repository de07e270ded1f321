"""`adr new` and `adr refresh` leave no temporary file behind when a signal stops them.

The real CLI runs in a child process whose disk is made slow: `os.fsync` (called while the
record's temporary file exists, before it is renamed into place) blocks. The test waits
until the temporary is there, sends the signal, and expects the child to die by that very
signal with the ADR folder as it was.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES

CONTRACT = EXAMPLES / "contract-analysis-low-volume.yaml"

DRIVER = textwrap.dedent(
    """
    import os, sys, time
    marker = sys.argv[1]
    real_fsync = os.fsync
    def slow_fsync(fd):
        real_fsync(fd)
        if os.path.basename(os.readlink(f"/proc/self/fd/{fd}")).startswith(".0"):
            open(marker, "w").close()  # a record's temporary exists now
            time.sleep(120)
    os.fsync = slow_fsync
    from makebuy.cli import main
    sys.argv = ["makebuy", *sys.argv[2:]]
    main()
    """
)

SIGNALS = [signal.SIGTERM, signal.SIGINT, signal.SIGHUP]
SUPPORT = EXAMPLES / "support-assistant.yaml"


def stopped_while_writing(
    tmp_path: Path, sig: signal.Signals, *args: str | Path, temporary: str = ".0"
) -> int:
    """Run `makebuy ARGS` with a blocking fsync, signal it once a temporary file whose name
    starts with `temporary` exists; its exit status."""
    marker = tmp_path / "blocked"
    driver = DRIVER.replace('startswith(".0")', f"startswith({temporary!r})")
    proc = subprocess.Popen(
        [sys.executable, "-c", driver, str(marker), *map(str, args)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
    )
    try:
        deadline = time.monotonic() + 90
        while not marker.exists():
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            assert time.monotonic() < deadline, "the child never reached the write"
            time.sleep(0.05)
        proc.send_signal(sig)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    err = proc.stderr.read().decode() if proc.stderr else ""
    assert "Traceback" not in err and "internal error" not in err, err
    return proc.returncode


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")
@pytest.mark.parametrize("sig", SIGNALS, ids=[s.name for s in SIGNALS])
def test_adr_new_removes_its_temporary_file_when_signalled(
    tmp_path: Path, sig: signal.Signals
) -> None:
    folder = tmp_path / "decisions"
    folder.mkdir()
    code = stopped_while_writing(
        tmp_path, sig, "adr", "new", CONTRACT, "--dir", folder, "--date", "2026-11-28"
    )
    assert code == -sig  # ended by the signal it was sent, after cleaning up
    assert list(folder.iterdir()) == []  # no record, no temporary


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")
def test_adr_refresh_removes_its_temporary_file_when_signalled(tmp_path: Path) -> None:
    folder = tmp_path / "decisions"
    folder.mkdir()
    shutil.copy(CONTRACT, tmp_path / CONTRACT.name)
    made = subprocess.run(
        [sys.executable, "-m", "makebuy", "adr", "new", CONTRACT.name, "--dir", folder,
         "--date", "2026-11-28"],
        cwd=tmp_path, capture_output=True, check=False, timeout=120,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr.decode()
    (record,) = folder.iterdir()
    before = record.read_bytes()
    code = stopped_while_writing(
        tmp_path, signal.SIGTERM, "adr", "refresh", "1", "--dir", folder, "--date", "2027-01-01"
    )
    assert code == -signal.SIGTERM
    assert list(folder.iterdir()) == [record]
    assert record.read_bytes() == before
    assert os.stat(record).st_nlink == 1


def test_an_ignored_signal_stays_ignored_and_handlers_are_put_back() -> None:
    from makebuy.cli.signals import cleanup_on_signals

    before_term = signal.getsignal(signal.SIGTERM)
    before_hup = signal.signal(signal.SIGHUP, signal.SIG_IGN)  # as under nohup
    try:
        with cleanup_on_signals():
            assert signal.getsignal(signal.SIGHUP) == signal.SIG_IGN
            assert signal.getsignal(signal.SIGTERM) not in (before_term, signal.SIG_DFL)
        assert signal.getsignal(signal.SIGTERM) == before_term
        assert signal.getsignal(signal.SIGHUP) == signal.SIG_IGN
    finally:
        signal.signal(signal.SIGHUP, before_hup)


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")
def test_any_command_writing_a_report_removes_its_temporary_file_when_signalled(
    tmp_path: Path,
) -> None:
    """`assess -o` (like every command that writes a file) cleans up on SIGTERM too."""
    out = tmp_path / "reports"
    out.mkdir()
    code = stopped_while_writing(
        tmp_path,
        signal.SIGTERM,
        "assess",
        SUPPORT,
        "--format",
        "json",
        "-o",
        out / "report.json",
        temporary=".report.json",
    )
    assert code == -signal.SIGTERM
    assert list(out.iterdir()) == []
