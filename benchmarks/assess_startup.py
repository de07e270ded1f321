"""`makebuy assess examples/support-assistant.yaml --format json` against importing the
libraries it uses (typer, rich, pydantic, yaml, jinja2, pandas, numpy).

Run from the repository root:  .venv/bin/python benchmarks/assess_startup.py [--runs 11]
Target: ratio <= 1.3x. The catalog cache is warmed by the first (untimed) run.
"""

from __future__ import annotations

import sys

from _paired import MAKEBUY, paired, report, run_process, runs_from_argv

FLOOR = "import typer, rich, pydantic, yaml, jinja2, pandas, numpy"


def main() -> None:
    argv = [MAKEBUY, "assess", "examples/support-assistant.yaml", "--format", "json"]
    ours, floor = paired(
        lambda: run_process(argv)[0],
        lambda: run_process([sys.executable, "-c", FLOOR])[0],
        runs=runs_from_argv(),
    )
    report("makebuy assess --format json", ours, floor, 1.3)


if __name__ == "__main__":
    main()
