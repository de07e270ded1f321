"""Saved JSON reports read back: an assessment, a portfolio or a check report.

`makebuy render` re-draws a report from the JSON a run saved (`--format json`), with no
catalog and no re-assessment: the JSON contracts carry every figure the renderers show, so
a CI job assesses or checks once and renders the other formats from the file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ValidationError

from makebuy.errors import InputError

if TYPE_CHECKING:
    from makebuy.check import DecisionReport
    from makebuy.models.result import Assessment
    from makebuy.portfolio import Portfolio

ReportKind = Literal["assessment", "portfolio", "check"]
REPORT_KINDS: tuple[ReportKind, ...] = ("assessment", "portfolio", "check")

PRODUCED_BY: dict[ReportKind, str] = {
    "assessment": "makebuy assess --format json",
    "portfolio": "makebuy portfolio --format json",
    "check": "makebuy check --format json",
}


@dataclass(frozen=True)
class SavedReport:
    """A saved report, parsed into the model its command dumped."""

    kind: ReportKind
    report: Assessment | Portfolio | DecisionReport


def kind_of(data: object) -> ReportKind:
    """Which command wrote this JSON: a check report has `records`, a portfolio
    `strategies`; anything else is read as an assessment."""
    if isinstance(data, dict):
        if "records" in data:
            return "check"
        if "strategies" in data:
            return "portfolio"
    return "assessment"


def _model(kind: ReportKind) -> type[BaseModel]:
    if kind == "check":
        from makebuy.check import DecisionReport

        return DecisionReport
    if kind == "portfolio":
        from makebuy.portfolio import Portfolio

        return Portfolio
    from makebuy.models.result import Assessment

    return Assessment


def parse(text: str, path: str) -> SavedReport:
    """Parse saved report text; errors name the file and the field, with the command that
    writes this kind of file."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"not JSON: {exc.msg}", path=path, line=exc.lineno) from None
    kind = kind_of(data)
    try:
        report = _model(kind).model_validate(data)
    except ValidationError as exc:
        raise not_a_report(exc, f"not a saved {kind} report ({PRODUCED_BY[kind]})", path) from None
    return SavedReport(kind=kind, report=report)  # type: ignore[arg-type]


def not_a_report(exc: ValidationError, what: str, path: Path | str) -> InputError:
    """pydantic's first error on a saved report as one line: `what` says which report was
    expected (and the command that writes it); the field is where the report went wrong."""
    err = exc.errors(include_url=False)[0]
    where = ".".join(str(p) for p in err["loc"]) or None
    return InputError(f"{what}: {err['msg']}", path=path, field=where)
