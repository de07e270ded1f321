"""GitHub-flavoured Markdown for a job summary ($GITHUB_STEP_SUMMARY) or a PR comment."""

from __future__ import annotations

from makebuy.check import DecisionReport
from makebuy.render.check import inert
from makebuy.render.format import md

_ICON = {
    "holds": "✅ holds",
    "review": "⚠️ review",
    "invalidated": "❌ invalidated",
    "error": "💥 error",
}


def render(report: DecisionReport, *, width: int = 100, color: bool = False) -> str:
    """A table of machine-checked records with their findings, then the other files."""
    out = ["## makebuy check", "", f"{md(report.summary.line)}.", ""]
    checked = [r for r in report.records if r.outcome == "checked"]
    if checked:
        out += ["| Verdict | Record | Chosen | Best today | Findings |", "|---|---|---|---|---|"]
        for r in checked:
            findings = "<br>".join(
                f"{f.severity}: {md(f.message)}" + (f" (line {f.line})" if f.line else "")
                for f in r.findings
                if f.severity != "info"
            )
            out.append(
                f"| {_ICON[r.verdict or 'error']} | `{r.path}` | {md(r.chosen or '')} |"
                f" {md(r.best_today or '')} | {findings or 'none'} |"
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
        out += ["<details>", f"<summary>{heading}: {len(rows)}</summary>", ""]
        for r in rows:
            status = f" ({md(r.status)})" if r.status else ""
            out.append(f"- `{r.path}`{status}")
        out += ["", "</details>", ""]
    out.append(f"Checked on {report.today}{' with --strict' if report.strict else ''}.")
    return inert("\n".join(out) + "\n")
