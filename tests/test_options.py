"""Quality per task kind: the task's own benchmarks first, the general scale as a stated
fallback, tiers relative to the best model available on the evaluation date, and the
user's own evals ahead of the catalog."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from makebuy import options, pipeline
from makebuy.errors import ExitCode
from makebuy.load import load_catalog

from .helpers import assess_json, codes, option, questionnaire

CODE_PAIR = ("openai/o3", "openai/gpt-4.1-mini")
"""General scale: o3 (arena 1433) above GPT-4.1 mini (1382); HumanEval (simple-evals):
GPT-4.1 mini (93.8) above o3 (87.4)."""
PRIORITY_ON_CAPABILITY = {
    "cost": 0,
    "capability": 5,
    "data_control": 0,
    "customisation": 0,
    "vendor_independence": 0,
    "operational_simplicity": 0,
    "support_and_safety": 0,
}


def _quality(task: str | None, **kwargs) -> dict[str, options.Quality]:
    return options.model_quality(load_catalog().catalog, task, **kwargs)  # type: ignore[arg-type]


def test_a_coding_task_reads_code_evidence_and_reorders_models() -> None:
    general, code = _quality("chat"), _quality("code")
    o3, mini = CODE_PAIR
    assert general[o3].value > general[mini].value
    assert code[mini].value > code[o3].value
    assert code[mini].evidence == "humaneval (code)"
    assert general[mini].evidence == "lmarena-text"


def test_a_coding_use_case_ranks_by_code_evidence(tmp_path: Path) -> None:
    def ranking(kind: str) -> list[str]:
        path = questionnaire(
            tmp_path,
            task={"kind": kind},
            candidates={"include": list(CODE_PAIR)},
            priorities=PRIORITY_ON_CAPABILITY,
        )
        run = pipeline.assess(path, evaluated_on=dt.date(2025, 6, 1))
        ranked = sorted((r for r in run.assessment.options if r.rank), key=lambda r: r.rank or 0)
        return [r.model for r in ranked]

    assert ranking("chat") == ["openai/o3", "openai/gpt-4.1-mini"]
    assert ranking("code") == ["openai/gpt-4.1-mini", "openai/o3"]


def test_without_task_evidence_the_general_scale_is_used_and_said() -> None:
    code = _quality("code")
    gemma = code["google/gemma-3-12b-it"]
    assert gemma.fallback
    assert gemma.evidence == "lmarena-text (general scale: no code evidence)"
    assert gemma.value == _quality("chat")["google/gemma-3-12b-it"].value


def test_the_fallback_is_an_assumption_in_the_report(tmp_path: Path) -> None:
    report = assess_json(questionnaire(tmp_path, task={"kind": "summarisation"}))
    said = [a for a in report["assumptions"] if a["field"] == "task.kind"]
    assert said and "no summarisation benchmark" in said[0]["reason"]
    assert "general scale" in said[0]["reason"]


def test_missing_evidence_is_never_read_as_zero(tmp_path: Path) -> None:
    assert "databricks/dolly-v2-3b" not in _quality("code")
    report = assess_json(
        questionnaire(tmp_path, task={"kind": "code"}, requirements={"min_quality": 0})
    )
    dolly = option(report, "make:databricks/dolly-v2-3b")
    assert dolly["quality"] is None
    assert "quality" in codes(report, "make:databricks/dolly-v2-3b")


def test_tiers_are_relative_to_the_best_model_available_on_the_date() -> None:
    cat = load_catalog().catalog
    opts = options.enumerate_options(cat, "chat")
    today = options.quality_tiers(cat, opts, cat.as_of)
    assert today.minimum == {"low": 0.0, "medium": 40.0, "high": 55.0, "frontier": 75.0}
    then = options.quality_tiers(cat, opts, dt.date(2023, 9, 1))
    assert then.best_model in {"openai/gpt-4", "openai/gpt-4-32k"}
    assert then.minimum["frontier"] < 58.1


def test_gpt4_is_frontier_when_assessed_as_of_september_2023(tmp_path: Path) -> None:
    path = questionnaire(
        tmp_path,
        requirements={"min_quality": "frontier"},
        candidates={"include": ["openai/gpt-4", "meta/llama-2-7b-chat"]},
    )
    report = assess_json(path, "--as-of", "2023-09-01")
    assert option(report, "buy:openai/gpt-4")["status"] == "eligible"
    assert "quality" in codes(report, "rent:together/meta-llama/Llama-2-7b-chat-hf")
    today = assess_json(path)
    assert "quality" in codes(today, "buy:openai/gpt-4-0613")


def test_a_numeric_min_quality_stays_absolute(tmp_path: Path) -> None:
    path = questionnaire(
        tmp_path,
        requirements={"min_quality": 60},
        candidates={"include": ["openai/gpt-4"]},
    )
    report = assess_json(path, "--as-of", "2023-09-01")
    assert "quality" in codes(report, "buy:openai/gpt-4")


def test_a_user_eval_overrides_the_catalog_and_is_cited(tmp_path: Path) -> None:
    evals = tmp_path / "evals.yaml"
    evals.write_text(
        "evals:\n"
        "  - {model: openai/o3, score: 90, eval: our-code-review, date: 2024-08-01,"
        " task: code}\n"
        "  - {model: openai/gpt-4.1-mini, benchmark: humaneval, value: 50, eval: our-humaneval,"
        " date: 2024-08-02}\n"
        "  - {model: openai/gpt-4.1-mini, score: 99, eval: other-task, date: 2024-08-03,"
        " task: translation}\n"
    )
    path = questionnaire(
        tmp_path,
        task={"kind": "code"},
        evidence={"file": "evals.yaml"},
        candidates={"include": list(CODE_PAIR)},
    )
    run = pipeline.assess(path, evaluated_on=dt.date(2025, 6, 1))
    by_model = {g.option.model: g.option for g in run.gated}
    o3, mini = by_model["openai/o3"], by_model["openai/gpt-4.1-mini"]
    assert o3.quality == 90.0
    assert o3.quality_evidence == "your eval: our-code-review, 2024-08-01"
    # humaneval 50 on the catalog's anchors; the row for translation does not count
    assert mini.quality == 45.6
    assert mini.quality_evidence == "your eval: our-humaneval, 2024-08-02"
    cited = [a for a in run.assessment.assumptions if a.field == "evidence.file"]
    assert "your eval: our-code-review, 2024-08-01" in cited[0].value


def test_evals_from_the_command_line_as_csv(cli, tmp_path: Path) -> None:
    evals = tmp_path / "evals.csv"
    evals.write_text("model,score,eval,date\ngoogle/gemini-1.5-pro,12,smoke,2024-08-01\n")
    path = questionnaire(tmp_path, candidates={"include": ["google/gemini-1.5-pro"]})
    result = cli("assess", path, "--evals", evals, "--format", "json")
    assert "your eval: smoke, 2024-08-01" in result.stdout


def test_a_bad_eval_row_names_file_line_and_field(cli, tmp_path: Path) -> None:
    evals = tmp_path / "evals.csv"
    evals.write_text(
        "model,score,eval,date\n"
        "google/gemini-1.5-pro,12,smoke,2024-08-01\n"
        "openai/gpt-4o,120,smoke,2024-08-01\n"
    )
    path = questionnaire(tmp_path)
    result = cli("assess", path, "--evals", evals)
    assert result.exit_code == ExitCode.BAD_INPUT
    assert f"{evals}:3: score:" in result.stderr

    yaml_evals = tmp_path / "evals.yaml"
    yaml_evals.write_text(
        "evals:\n"
        "  - {model: openai/gpt-4o, benchmark: no-such, value: 3, eval: x, date: 2024-01-01}\n"
    )
    result = cli("assess", path, "--evals", yaml_evals)
    assert result.exit_code == ExitCode.BAD_INPUT
    assert f"{yaml_evals}:2: benchmark: benchmark 'no-such'" in result.stderr


def test_validate_rejects_a_per_task_figure_without_source(cli, tmp_path: Path) -> None:
    path = tmp_path / "cat.yaml"
    path.write_text(
        "makebuy-catalog: 1\n"
        "evidence:\n"
        "  - {model: openai/gpt-4o, benchmark: humaneval, value: 90.2, as_of: 2025-07-09}\n"
    )
    result = cli("catalog", "validate", "--as-of", "2026-11-28", path)
    assert result.exit_code == ExitCode.DECISION_FAILED
    assert f"{path}:3: error[schema]: evidence[0].source: required key is missing" in (
        result.stdout
    )


def test_validate_rejects_an_unknown_task_kind(cli, tmp_path: Path) -> None:
    path = tmp_path / "cat.yaml"
    path.write_text(
        "makebuy-catalog: 1\n"
        "sources:\n  - {id: s1, title: t, url: 'https://example.org/'}\n"
        "quality_scale:\n"
        "  description: test\n"
        "  tiers: {low: 0, medium: 40, high: 55, frontier: 75}\n"
        "  benchmarks:\n"
        "    poems: {name: Poems, points: [[0, 0], [100, 100]], source: s1, tasks: [poetry]}\n"
        "  precedence: [poems]\n"
    )
    result = cli("catalog", "validate", "--as-of", "2026-11-28", path)
    assert result.exit_code == ExitCode.DECISION_FAILED
    assert "quality_scale.benchmarks.poems.tasks" in result.stdout
