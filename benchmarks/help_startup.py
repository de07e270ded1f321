"""`makebuy --help` against the import floor `python -c "import typer, rich"`.

Run from the repository root:  .venv/bin/python benchmarks/help_startup.py [--runs 11]
Target: ratio <= 1.2x.
"""

from __future__ import annotations

import sys

from _paired import MAKEBUY, paired, report, run_process, runs_from_argv


def main() -> None:
    ours, floor = paired(
        lambda: run_process([MAKEBUY, "--help"])[0],
        lambda: run_process([sys.executable, "-c", "import typer, rich"])[0],
        runs=runs_from_argv(),
    )
    report("makebuy --help", ours, floor, 1.2)


if __name__ == "__main__":
    main()
