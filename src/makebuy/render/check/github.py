"""GitHub Actions workflow commands: one annotation per finding, shown on the ADR's line."""

from __future__ import annotations

from makebuy.check import DecisionReport


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render(report: DecisionReport, *, width: int = 100, color: bool = False) -> str:
    """`::error` for invalidated records and bad input, `::warning` for reviews
    (`::error` with --strict), `::notice` for the summary."""
    out = []
    for r in report.records:
        if r.outcome != "checked":
            continue
        for f in r.findings:
            if f.severity == "info":
                continue
            level = "warning" if f.severity == "review" and not report.strict else "error"
            line = f.line or r.line
            props = [f"file={_prop(r.path)}"] + ([f"line={line}"] if line else [])
            props.append(f"title={_prop(f'makebuy check: {r.verdict} ({f.code})')}")
            out.append(f"::{level} {','.join(props)}::{_data(f.message)}")
    out.append(f"::notice title=makebuy check::{_data(report.summary.line)}")
    return "\n".join(out) + "\n"
