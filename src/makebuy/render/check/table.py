"""Plain text for terminals and CI logs: machine-checked records first, then the rest."""

from __future__ import annotations

import textwrap

from makebuy.check import DecisionReport, RecordCheck
from makebuy.render.check import inert

_MARK = {"holds": "ok", "review": "REVIEW", "invalidated": "FAIL", "error": "ERROR"}


def render(report: DecisionReport, *, width: int = 100, color: bool = False) -> str:
    """The verdict of each machine-checked record with its findings, then the other files."""
    out: list[str] = []
    checked = [r for r in report.records if r.outcome == "checked"]
    if checked:
        out.append(f"Decision records checked (today {report.today}):")
        for r in checked:
            status = "" if r.status_kind == "accepted" else f"  [{r.status_kind or 'no status'}]"
            out.append(f"  {_MARK[r.verdict or 'error']:<6}  {r.verdict:<11}  {_where(r)}{status}")
            if r.chosen:
                out.append(f"          chosen: {r.chosen}; best today: {r.best_today or 'none'}")
            for f in r.findings:
                where = f"line {f.line}: " if f.line else ""
                text = f"- [{f.severity}] {f.code}: {where}{f.message}"
                out.extend(
                    textwrap.wrap(
                        text,
                        width=max(40, width - 10),
                        initial_indent="          ",
                        subsequent_indent="            ",
                    )
                )
        out.append("")
    for outcome, heading in (
        ("not-checked", "Not machine-checked (no `yaml makebuy` block)"),
        ("skipped", "Skipped (rejected, deprecated or superseded)"),
        ("not-adr", "Not ADRs"),
    ):
        rows = [r for r in report.records if r.outcome == outcome]
        if not rows:
            continue
        out.append(f"{heading}: {len(rows)}")
        for r in rows:
            status = f"  [{r.status_kind}: {r.status}]" if r.status else ""
            out.append(f"  {r.path}{status}")
            for f in r.findings:
                out.append(f"    - {f.code}: {f.message}")
        out.append("")
    out.append(report.summary.line + ".")
    return inert("\n".join(out) + "\n")


def _where(r: RecordCheck) -> str:
    return f"{r.path}:{r.line}" if r.line else r.path
