"""`makebuy check`: does each recorded decision still hold against today's catalog?

Every ADR found is classified: machine-checked (it has a `yaml makebuy` block), not
machine-checked (an ADR without one), skipped (rejected, deprecated or superseded) or not
an ADR. Each machine-checked record is re-assessed (its questionnaire as it is now, the
catalog files it recorded as they are now) and gets a verdict:

- holds: nothing the decision rests on has moved beyond its tolerances;
- review: inputs moved but the outcome stands (questionnaire changed, a price moved beyond
  the tolerance, a recorded fact is stale, another option leads within the margin, the
  runner-up is gone, or the review-by date passed);
- invalidated: the chosen option is ruled out, deprecated or gone, or another option now
  beats it by more than the margin;
- error: the block is malformed or what it points to cannot be read.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from makebuy import adr
from makebuy.errors import ExitCode, InputError, InputErrors
from makebuy.models.result import Cost
from makebuy.money import money

if TYPE_CHECKING:
    from makebuy.config import Config

Verdict = Literal["holds", "review", "invalidated", "error"]
Outcome = Literal["checked", "not-checked", "skipped", "not-adr"]
DecisionSeverity = Literal["invalidated", "review", "error", "info"]
"""How a finding on a recorded decision weighs on its verdict (catalog files have their own
findings: `makebuy.catalog_check.CatalogFinding`)."""
VERDICTS: tuple[Verdict, ...] = ("holds", "review", "invalidated", "error")
OUTCOMES: tuple[Outcome, ...] = ("checked", "not-checked", "skipped", "not-adr")
CHECK_SCHEMA_VERSION = 1


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class DecisionFinding(_Frozen):
    """One reason behind a verdict, pointing at the block line it concerns."""

    code: str = Field(
        description="Stable code: chosen.gone, chosen.ruled-out, outcome.beaten,"
        " outcome.close, use-case.changed, price.changed, fact.stale, runner-up.gone,"
        " review-by.passed, catalog.changed, block.invalid, input.invalid,"
        " supersede.unfinished."
    )
    severity: DecisionSeverity
    message: str = Field(description="One human sentence with the figures.")
    line: int | None = Field(None, description="1-based line in the ADR file.")
    field: str | None = Field(None, description="Block key the finding concerns.")


class RecordCheck(_Frozen):
    """What `check` made of one file."""

    path: str = Field(description="The file, relative to the working folder when inside it.")
    title: str | None
    style: adr.Style
    status: str | None = Field(description="The status as written, wherever the file keeps it.")
    status_kind: adr.StatusKind | None
    outcome: Outcome
    verdict: Verdict | None = Field(None, description="Only for machine-checked records.")
    chosen: str | None = None
    best_today: str | None = Field(None, description="Today's first-ranked option.")
    chosen_total: float | None = Field(
        None,
        description="Today's total cost of the chosen option over the record's horizon, in"
        " `currency`; null when it is ruled out, gone or the record could not be assessed.",
    )
    chosen_monthly: float | None = Field(
        None, description="The same total spread over the horizon's months."
    )
    horizon_months: int | None = Field(None, description="Months `chosen_total` covers.")
    currency: str | None = Field(None, description="Currency of the two costs.")
    line: int | None = Field(None, description="Line of the makebuy block's opening fence.")
    findings: list[DecisionFinding] = Field(default_factory=list)
    note: str | None = Field(None, description="Why a record was skipped or is not checked.")


class CheckSummary(_Frozen):
    files: int
    outcomes: dict[str, int]
    verdicts: dict[str, int]
    line: str


class DecisionReport(_Frozen):
    """The result of `makebuy check`: the JSON contract of its report."""

    schema_version: int = CHECK_SCHEMA_VERSION
    today: dt.date = Field(description="Date the review-by dates were compared with.")
    strict: bool = Field(description="Whether a review fails the run.")
    records: list[RecordCheck]
    summary: CheckSummary
    exit_code: int = Field(description="0 all hold, 1 a decision no longer holds, 2 bad input.")


def check(
    paths: Sequence[Path],
    *,
    today: dt.date,
    extra_catalogs: Sequence[Path] = (),
    strict: bool = False,
    cwd: Path,
    settings: Config | None = None,
    cache: adr.CatalogCache | None = None,
) -> DecisionReport:
    """Classify every file under `paths` and re-assess each record with a makebuy block.

    `cwd` is the folder paths are shown relative to (the CLI passes its environment's).
    `settings`: the organisation config; its defaults, policy and catalogs apply to every
    re-assessment (so a policy that now denies a chosen option invalidates the record)."""
    cwd = cwd.resolve()
    for extra in extra_catalogs:  # a typo here would otherwise fail every record alike
        if not extra.exists():
            raise InputError("catalog path not found", path=extra, field="--catalog")
    if settings is not None:
        _check_configured_catalogs(settings)
    cache = cache if cache is not None else adr.CatalogCache()
    records = [
        check_file(
            p,
            today=today,
            extra_catalogs=extra_catalogs,
            cache=cache,
            shown=_shown(p, cwd),
            settings=settings,
        )
        for p in adr.adr_files(paths)
    ]
    return report(records, today=today, strict=strict)


def _check_configured_catalogs(settings: Config) -> None:
    """A configured catalog that is missing names the config file (or variable) once."""
    origin = settings.origin("catalogs")  # the config file, or MAKEBUY_CATALOGS
    in_file = settings.file is not None and origin == str(settings.file)
    for extra in settings.catalog_paths:
        if not extra.exists():
            raise InputError(
                f"configured catalog path not found: {extra}",
                path=settings.file if in_file else None,
                field="catalogs" if in_file else origin,
            )


def report(records: list[RecordCheck], *, today: dt.date, strict: bool) -> DecisionReport:
    """The report with counts, its one-line summary and the exit code."""
    outcomes = {o: sum(r.outcome == o for r in records) for o in OUTCOMES}
    verdicts = {v: sum(r.verdict == v for r in records) for v in VERDICTS}
    checked = ", ".join(f"{verdicts[v]} {v}" for v in VERDICTS if verdicts[v])
    not_adr = outcomes["not-adr"]
    line = (
        f"{len(records)} file{'' if len(records) == 1 else 's'}:"
        f" {outcomes['checked']} machine-checked"
        + (f" ({checked})" if checked else "")
        + f", {outcomes['not-checked']} not machine-checked, {outcomes['skipped']} skipped,"
        f" {not_adr} not {'an ADR' if not_adr == 1 else 'ADRs'}"
    )
    if verdicts["error"]:
        code = ExitCode.BAD_INPUT
    elif verdicts["invalidated"] or (strict and verdicts["review"]):
        code = ExitCode.DECISION_FAILED
    else:
        code = ExitCode.OK
    return DecisionReport(
        today=today,
        strict=strict,
        records=records,
        summary=CheckSummary(files=len(records), outcomes=outcomes, verdicts=verdicts, line=line),
        exit_code=int(code),
    )


def _shown(path: Path, cwd: Path) -> str:
    try:
        return path.resolve().relative_to(cwd).as_posix()
    except ValueError:
        return str(path)


def check_file(
    path: Path,
    *,
    today: dt.date,
    extra_catalogs: Sequence[Path] = (),
    cache: adr.CatalogCache | None = None,
    shown: str | None = None,
    settings: Config | None = None,
) -> RecordCheck:
    """One file's outcome and, for a record with a block, its verdict. Never raises on content."""
    shown = shown or str(path)
    result = _check_file(
        path,
        today=today,
        extra_catalogs=extra_catalogs,
        cache=cache,
        shown=shown,
        settings=settings,
    )
    if result.outcome in ("skipped", "not-adr"):
        return result
    unfinished = _unfinished_supersede(path)
    if unfinished is None:
        return result
    update = {"outcome": "checked", "verdict": "error", "findings": [unfinished, *result.findings]}
    return result.model_copy(update=update)


def _unfinished_supersede(path: Path) -> DecisionFinding | None:
    """A record that supersedes another one still standing: `adr new --supersedes` stopped
    between its two renames (the new record is renamed first), or someone undid half."""
    try:
        doc = adr.read_document(path)
    except InputError:
        return None
    link = adr.supersedes_link(doc)
    if link is None:
        return None
    try:
        old = adr.read_document(link.path)
    except InputError:
        return None  # the old record is gone: nothing stands beside this one
    if old.status_kind in adr.SKIPPED_STATUSES:
        return None
    status = old.status.raw if old.status else "no status"
    return DecisionFinding(
        code="supersede.unfinished",
        severity="error",
        message=f"{path.name} supersedes {link.name} ({link.path.name}), but {link.path.name}"
        f" is still {status!r}, not superseded: two decisions stand for one question (an"
        f" interrupted `adr new --supersedes`?); mark {link.path.name}"
        f" `superseded by` {path.name} or remove this line",
        line=link.line + 1,
        field="supersedes",
    )


def _check_file(
    path: Path,
    *,
    today: dt.date,
    extra_catalogs: Sequence[Path],
    cache: adr.CatalogCache | None,
    shown: str,
    settings: Config | None = None,
) -> RecordCheck:
    try:
        doc = adr.read_document(path)
    except InputError as exc:
        return RecordCheck(
            path=shown,
            title=None,
            style="other",
            status=None,
            status_kind=None,
            outcome="checked",
            verdict="error",
            findings=[DecisionFinding(code="input.invalid", severity="error", message=exc.message)],
        )
    base = {
        "path": shown,
        "title": doc.title,
        "style": doc.style,
        "status": doc.status.raw if doc.status else None,
        "status_kind": doc.status_kind,
    }
    if not doc.is_adr:
        return RecordCheck(**base, outcome="not-adr", note="no status, no decision sections")
    if doc.status_kind in adr.SKIPPED_STATUSES:
        return RecordCheck(
            **base, outcome="skipped", note=f"status {doc.status_kind}", findings=_successor(doc)
        )
    try:
        found = adr.find_block(doc)
    except InputError as exc:
        line = exc.line or (doc.block_fences[0].start + 1 if doc.block_fences else None)
        return RecordCheck(
            **base,
            outcome="checked",
            verdict="error",
            line=line,
            findings=[
                DecisionFinding(
                    code="block.invalid",
                    severity="error",
                    message=exc.message,
                    line=line,
                    field=exc.field,
                )
            ],
        )
    if found is None:
        return RecordCheck(**base, outcome="not-checked", note="no `yaml makebuy` block")
    block_line = found.fence.start + 1
    costs: dict[str, Any] = {}
    try:
        findings, best, cost = evaluate(
            doc, found, today=today, extra_catalogs=extra_catalogs, cache=cache, settings=settings
        )
        if cost is not None:
            costs = {
                "chosen_total": cost.total,
                "chosen_monthly": cost.monthly_average,
                "horizon_months": len(cost.monthly),
                "currency": cost.currency,
            }
    except (InputError, InputErrors) as exc:
        errors = exc.errors if isinstance(exc, InputErrors) else [exc]
        findings = [
            DecisionFinding(
                code="input.invalid",
                severity="error",
                message=e.render() if e.path and Path(e.path) != doc.path else e.message,
                line=e.line if e.path and Path(e.path) == doc.path else block_line,
                field=e.field,
            )
            for e in errors
        ]
        best = None
    return RecordCheck(
        **base,
        outcome="checked",
        verdict=verdict_of(findings),
        chosen=found.block.chosen,
        best_today=best,
        line=block_line,
        findings=findings,
        **costs,
    )


def verdict_of(findings: Sequence[DecisionFinding]) -> Verdict:
    """The worst finding decides: error, then invalidated, then review; else it holds."""
    severities = {f.severity for f in findings}
    order: tuple[Verdict, ...] = ("error", "invalidated", "review")
    return next((v for v in order if v in severities), "holds")


def evaluate(
    doc: adr.AdrDocument,
    found: adr.FoundBlock,
    *,
    today: dt.date,
    extra_catalogs: Sequence[Path] = (),
    cache: adr.CatalogCache | None = None,
    settings: Config | None = None,
) -> tuple[list[DecisionFinding], str | None, Cost | None]:
    """Re-assess a record and compare today's outcome and facts with the recorded ones.

    Returns the findings, today's first-ranked option and the chosen option's cost today
    (None when it is ruled out or gone)."""
    block = found.block
    assessment, catalog = adr.reassess(doc, found, extra_catalogs, cache, settings=settings)
    by_id = {o.id: o for o in assessment.options}
    ranked = [o for o in assessment.options if o.rank is not None]
    best = ranked[0] if ranked else None
    out: list[DecisionFinding] = []

    def add(code: str, severity: DecisionSeverity, message: str, *loc: str | int) -> None:
        out.append(
            DecisionFinding(
                code=code,
                severity=severity,
                message=message,
                line=found.line_of(*loc),
                field=".".join(str(p) for p in loc) if loc else None,
            )
        )

    chosen = by_id.get(block.chosen)
    if chosen is None:
        add(
            "chosen.gone",
            "invalidated",
            f"the chosen option {block.chosen} is no longer in the catalog",
            "chosen",
        )
    elif chosen.rank is None:
        reasons = "; ".join(f"{e.code}: {e.message}" for e in chosen.exclusions)
        add(
            "chosen.ruled-out",
            "invalidated",
            f"the chosen option {block.chosen} is ruled out now ({reasons})",
            "chosen",
        )
    elif best is not None and best.id != chosen.id:
        lead = (best.score or 0.0) - (chosen.score or 0.0)
        margin = block.tolerances.margin
        verb = "beats" if lead > margin else "leads"
        add(
            "outcome.beaten" if lead > margin else "outcome.close",
            "invalidated" if lead > margin else "review",
            f"{best.title} now {verb} the chosen option by {lead:.3f}"
            f" ({best.score:.3f} against {chosen.score:.3f}); the margin is {margin:g}",
            "tolerances",
            "margin",
        )
    if assessment.usecase.digest != block.use_case_sha256:
        add(
            "use-case.changed",
            "review",
            f"the questionnaire {block.use_case} changed since the decision was recorded",
            "use-case-sha256",
        )
    if block.runner_up is not None:
        runner = by_id.get(block.runner_up)
        if runner is None or runner.rank is None:
            state = "is no longer in the catalog" if runner is None else "is ruled out now"
            add(
                "runner-up.gone",
                "review",
                f"the runner-up {block.runner_up} {state}; the comparison behind the decision"
                " no longer stands",
                "runner-up",
            )
    for oid, recorded in block.evidence.items():
        result = by_id.get(oid)
        if result is None:
            continue
        now = adr.option_facts(result, catalog, assessment.evaluated_on)
        out.extend(_fact_findings(oid, recorded, now, block.tolerances, found, result.rank))
    if block.review_by is not None and today > block.review_by:
        add(
            "review-by.passed",
            "review",
            f"the review-by date {block.review_by} has passed (today is {today})",
            "review-by",
        )
    if assessment.catalog.fingerprint != block.catalog_sha256:
        add(
            "catalog.changed",
            "info",
            f"the catalog changed since the record (as of {block.catalog_as_of}, now"
            f" {assessment.catalog.as_of})",
            "catalog-sha256",
        )
    chosen_cost = chosen.cost if chosen is not None and chosen.rank is not None else None
    return out, best.id if best else None, chosen_cost


_PRICES = (
    ("input_usd_per_1m", "input-usd-per-1m", "input price", "per 1M tokens"),
    ("output_usd_per_1m", "output-usd-per-1m", "output price", "per 1M tokens"),
    ("usd_per_gpu_hour", "gpu-usd-per-hour", "GPU price", "per hour"),
)
_FACTS = (
    ("licence", "licence"),
    ("terms", "API terms"),
    ("gpu", "GPU"),
    ("deprecation", "deprecation date"),
)


def _fact_findings(
    oid: str,
    recorded: adr.OptionFacts,
    now: adr.OptionFacts,
    tol: adr.Tolerances,
    found: adr.FoundBlock,
    rank: int | None,
) -> list[DecisionFinding]:
    """Prices beyond tolerance and recorded facts that no longer match the catalog."""
    out = []
    for attr, key, label, unit in _PRICES:
        old, new = getattr(recorded, attr), getattr(now, attr)
        if old is None or new is None:
            continue
        change = relative_change(old, new)
        if change > tol.price_change:
            out.append(
                DecisionFinding(
                    code="price.changed",
                    severity="review",
                    message=f"{label} of {oid} moved from {money(old, 'USD')} to"
                    f" {money(new, 'USD')} {unit} ({_percent(old, new)}; tolerance"
                    f" {tol.price_change:.0%})",
                    line=found.line_of("evidence", oid, key),
                    field=f"evidence.{oid}.{key}",
                )
            )
    if rank is None:
        return out  # an excluded option has no costed figures to compare
    for attr, label in _FACTS:
        old, new = getattr(recorded, attr), getattr(now, attr)
        if old != new:
            out.append(
                DecisionFinding(
                    code="fact.stale",
                    severity="review",
                    message=f"{label} of {oid} is {_text(new)} in today's catalog; the record"
                    f" says {_text(old)}",
                    line=found.line_of("evidence", oid, attr),
                    field=f"evidence.{oid}.{attr}",
                )
            )
    return out


def relative_change(old: float, new: float) -> float:
    """|new - old| / old; any change from zero is infinite."""
    if old == new:
        return 0.0
    if old == 0:
        return math.inf
    return abs(new - old) / abs(old)


def _percent(old: float, new: float) -> str:
    if old == 0:
        return "from zero"
    return f"{(new - old) / old:+.0%}"


def _text(value: object) -> str:
    return "none" if value is None else str(value)


_LINK_TARGET = re.compile(r"\]\(([^)\s#]+)")
_ADR_ID = re.compile(r"\bADR[-_ ]?(\d+)\b", re.IGNORECASE)


def _successor(doc: adr.AdrDocument) -> list[DecisionFinding]:
    """For superseded records: say so when the successor it names does not exist."""
    if doc.status is None or doc.status_kind != "superseded":
        return []
    raw = doc.status.raw
    missing = []
    for target in _LINK_TARGET.findall(raw):
        if "://" in target:
            continue
        if not (doc.path.parent / target).exists():
            missing.append(target)
    if not _LINK_TARGET.search(raw):
        for number in _ADR_ID.findall(raw):
            siblings = [
                p for p in doc.path.parent.glob("*.md") if adr.record_number(p) == int(number)
            ]
            if not siblings:
                missing.append(f"ADR-{number}")
    return [
        DecisionFinding(
            code="successor.missing",
            severity="info",
            message=f"the successor {m} named in the status does not exist",
            line=doc.status.line + 1,
            field="status",
        )
        for m in missing
    ]


def error_lines(result: DecisionReport) -> list[str]:
    """`file:line: field: message` for every error, for stderr."""
    lines = []
    for r in result.records:
        for f in r.findings:
            if f.severity == "error":
                lines.append(
                    InputError(f.message, path=r.path, line=f.line, field=f.field).render()
                )
    return lines
