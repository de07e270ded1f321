"""The decision record's Markdown (MADR 4) from `templates/adr.md.j2`.

`makebuy.adr.new_record` drafts the record as data; this module lays it out. Every
verdict it writes ("Good, because ...") reads a comparison the recommend stage defines, so
a record never disagrees with the report about which option is ahead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from makebuy.models.result import CRITERION_LABELS
from makebuy.money import money
from makebuy.recommend import advantages, standings

if TYPE_CHECKING:
    import datetime as dt

    from makebuy.adr import DecisionBlock, NewRecord
    from makebuy.models.result import Assessment
    from makebuy.models.usecase import UseCase

CONSIDERED = 5
"""Scored options a record describes in full; the rest are counted."""


def render_record(record: NewRecord) -> str:
    """The record's Markdown from `templates/adr.md.j2`."""
    from makebuy.render.format import environment

    template = environment(autoescape=False).get_template("adr.md.j2")
    return template.render(
        **record_context(
            record.assessment, record.usecase, record.block, title=record.title, on=record.on
        ),
        supersedes=record.supersedes,
        supersedes_file=record.supersedes_file,
    )


def record_context(
    a: Assessment, usecase: UseCase, block: DecisionBlock, *, title: str, on: dt.date
) -> dict[str, Any]:
    """Everything the record template shows, as text and lists (the template only lays out)."""
    by_id = {o.id: o for o in a.options}
    winner = by_id[block.chosen]
    runner = by_id.get(block.runner_up) if block.runner_up else None
    ranked = [o for o in a.options if o.rank is not None]
    considered = ranked[:CONSIDERED]
    alt = by_id.get(a.recommendation.alternative) if a.recommendation.alternative else None
    if alt is not None and alt not in considered:
        considered.append(alt)
    weights = {c: s.weight for c, s in winner.criteria.items()}
    prio = usecase.priorities.model_dump()
    horizon = usecase.volume.horizon_months

    consequences: list[tuple[str, str]] = []
    if runner is not None:
        for c, diff in advantages(winner, runner, a.method).items():
            if abs(diff) <= 1e-9:
                continue
            verdict = "Good" if diff > 0 else "Bad"
            consequences.append(
                (
                    verdict,
                    f"{CRITERION_LABELS.get(c, c)}: {winner.figure(c)} against"
                    f" {runner.figure(c)} for the runner-up, {runner.title}",
                )
            )
        consequences.sort(key=lambda kv: (kv[0] != "Good", kv[1]))
    consequences += [
        ("Neutral", f"it comes with a duty: {ob.message}") for ob in winner.obligations
    ]

    varying = {c for c in winner.criteria if len({round(o.criteria[c].raw, 9) for o in ranked}) > 1}
    standing = standings(ranked, a.method)
    pros_cons = []
    for o in considered:
        assert o.cost is not None
        lines = [
            (
                "Neutral",
                f"rank {o.rank}, score {o.score:.3f}; total cost {money(o.cost.total, a.currency)}"
                f" over {horizon} months ({money(o.cost.per_million_tokens, a.currency)}"
                " per 1M tokens)",
            )
        ]
        for c, s in o.criteria.items():
            if s.weight <= 0 or c not in varying:
                continue
            if standing[o.id][c] >= 0.75:
                lines.append(("Good", f"{CRITERION_LABELS.get(c, c)}: {o.figure(c)}"))
            elif standing[o.id][c] <= 0.25:
                lines.append(("Bad", f"{CRITERION_LABELS.get(c, c)}: {o.figure(c)}"))
        if o.obligations:
            codes = ", ".join(sorted({ob.code for ob in o.obligations}))
            lines.append(("Neutral", f"{len(o.obligations)} obligations ({codes})"))
        pros_cons.append({"option": o, "lines": lines})

    excluded = [o for o in a.options if o.status == "excluded"]
    clauses: dict[tuple[str, str, str], int] = {}
    for o in excluded:
        for ex in o.exclusions:
            if ex.clause:
                key = (ex.code, (o.licence or o.terms or "").strip(), ex.clause)
                clauses[key] = clauses.get(key, 0) + 1
    top = sorted((c for c in weights if prio.get(c, 0) > 0), key=lambda c: (-weights[c], c))[:2]
    neglected = [o.title for o in ranked if o.id != winner.id][:2]
    losses = [text for verdict, text in consequences if verdict == "Bad"]
    y_statement = (
        f"In the context of {usecase.name}, facing the choice between buying a proprietary"
        f" API, renting a hosted open-weight model and self-hosting one, we decided for"
        f" {winner.title}"
        + (f" and neglected {' and '.join(neglected)}" if neglected else "")
        + ", to achieve the best score on our priorities (chiefly "
        + " and ".join(CRITERION_LABELS[c] for c in top)
        + ")"
        + (f", accepting {losses[0]}" if losses else "")
        + f", because it ranks first with a score of {winner.score:.3f}"
        + (f" against {runner.score:.3f} for the runner-up" if runner and runner.score else "")
        + "."
    )
    return {
        "a": a,
        "u": usecase,
        "title": title,
        "date": on.isoformat(),
        "decision_makers": [usecase.owner] if usecase.owner else [],
        "winner": winner,
        "runner_up": runner,
        "considered": considered,
        "more_scored": len(ranked) - len([o for o in considered if o.rank is not None]),
        "requirements": requirement_lines(usecase),
        "priorities": [
            (CRITERION_LABELS.get(c, c), prio.get(c, 0), weights[c]) for c in winner.criteria
        ],
        "consequences": consequences,
        "pros_cons": pros_cons,
        "block_yaml": block.to_yaml(),
        "use_case_path": block.use_case,
        "excluded_by_code": sorted(a.summary.by_code.items(), key=lambda kv: (-kv[1], kv[0])),
        "clauses": [
            {"code": k[0], "licence": k[1], "clause": k[2], "options": n}
            for k, n in sorted(clauses.items())
        ],
        "y_statement": y_statement,
        "sources": len(a.sources),
        "sources_from": min((s.as_of for s in a.sources), default=None),
        "sources_to": max((s.as_of for s in a.sources), default=None),
        "horizon": horizon,
    }


def requirement_lines(u: UseCase) -> list[str]:
    """The questionnaire's gating answers as short sentences (defaults included)."""
    v, t, d, r, org = u.volume, u.task, u.data, u.requirements, u.organisation
    lines = [
        f"Volume: {v.requests_per_month:,.0f} requests a month, {v.input_tokens_per_request:,}"
        f" input and {v.output_tokens_per_request:,} output tokens each, growing"
        f" {v.growth_per_year:.0%} a year, over {v.horizon_months} months.",
        f"Task: {t.kind}, {t.complexity} complexity"
        + (f", up to {t.context_tokens:,} tokens of context" if t.context_tokens else "")
        + f"; languages {', '.join(t.languages)}; input {', '.join(t.modalities)}.",
        f"Data: {d.classification}"
        + ("; must stay in our environment" if d.must_stay_in_environment else "")
        + (f"; processed only in {', '.join(d.regions)}" if d.regions else "")
        + ("; zero data retention required" if d.zero_retention_required else "")
        + ".",
        f"Quality: at least {r.min_quality}"
        + (f"; p95 latency under {r.max_latency_p95_ms:,} ms" if r.max_latency_p95_ms else "")
        + f"; fine-tuning {r.fine_tuning}"
        + ("; a contractual SLA" if r.sla_required else "")
        + ("; commercial use" if r.commercial else "")
        + ".",
        f"Organisation: cloud {org.cloud}, GPUs {org.gpu_commitment},"
        + (" an MLOps team in place" if org.mlops_team else " no MLOps team yet")
        + ".",
    ]
    return lines
