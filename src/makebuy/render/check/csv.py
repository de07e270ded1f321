"""CSV of `makebuy check`, for spreadsheets: one row per file, in the order they were found.

Each finding that weighs on a verdict (not the `info` ones) is listed by code in
`findings`, separated by `; `, with the first such finding's sentence in `message`.
"""

from __future__ import annotations

import io

from makebuy.check import DecisionReport
from makebuy.render.check import inert
from makebuy.render.csv import InertWriter

COLUMNS = (
    "path",
    "title",
    "status",
    "outcome",
    "verdict",
    "chosen",
    "best_today",
    "findings",
    "message",
    "line",
    "note",
)


def render(report: DecisionReport, *, width: int = 100, color: bool = False) -> str:
    """The check report as CSV (RFC 4180, `\\n` line ends, a header row)."""
    buffer = io.StringIO()
    writer = InertWriter(buffer, fieldnames=COLUMNS, lineterminator="\n", restval="")
    writer.writeheader()
    for r in report.records:
        weighing = [f for f in r.findings if f.severity != "info"]
        writer.writerow(
            {
                "path": inert(r.path),
                "title": inert(r.title or ""),
                "status": inert(r.status or ""),
                "outcome": r.outcome,
                "verdict": r.verdict or "",
                "chosen": r.chosen or "",
                "best_today": r.best_today or "",
                "findings": "; ".join(f.code for f in weighing),
                "message": inert(weighing[0].message) if weighing else "",
                "line": "" if r.line is None else str(r.line),
                "note": inert(r.note or ""),
            }
        )
    return buffer.getvalue()
