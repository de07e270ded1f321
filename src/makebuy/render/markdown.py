"""GitHub-flavoured Markdown, for pull requests and wikis."""

from __future__ import annotations

from makebuy.models.result import Assessment
from makebuy.render.format import environment


def render(assessment: Assessment, *, width: int = 100, color: bool = False) -> str:
    """The assessment as Markdown from `templates/report.md.j2`."""
    template = environment(autoescape=False).get_template("report.md.j2")
    return template.render(a=assessment, **context(assessment))


def context(a: Assessment) -> dict[str, object]:
    """Lookups the template needs; no figures are computed here."""
    by_id = {o.id: o for o in a.options}
    rec = a.recommendation
    return {
        "winner": by_id.get(rec.option) if rec.option else None,
        "runner_up": by_id.get(rec.runner_up) if rec.runner_up else None,
        "alternative": by_id.get(rec.alternative) if rec.alternative else None,
        "eligible": [o for o in a.options if o.status == "eligible"],
        "excluded": [o for o in a.options if o.status == "excluded"],
        "criteria": list(next((o.criteria for o in a.options if o.criteria), {})),
    }
