"""A shared inference platform (organisation.platform): self-hosted options pay their
marginal staff and a share of the platform, the same way in every stage that costs them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from makebuy import cost, pipeline, platform
from makebuy.errors import ExitCode

from .conftest import EXAMPLES
from .helpers import assess_json, option

EXAMPLE = EXAMPLES / "platform-existing.yaml"
MONTHS = 24  # the example's horizon
ENGINEER = 180_000.0  # the example's engineer_cost_per_year


def variant(tmp_path: Path, source: Path, name: str, platform_section: Any) -> Path:
    """`source` with organisation.platform replaced (None: removed)."""
    doc = yaml.safe_load(source.read_text())
    doc["organisation"].pop("platform", None)
    if platform_section is not None:
        doc["organisation"]["platform"] = platform_section
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def lines(report: dict[str, Any], option_id: str) -> dict[str, dict[str, Any]]:
    return {line["item"]: line for line in option(report, option_id)["cost"]["breakdown"]}


def assumption(report: dict[str, Any], field: str) -> dict[str, Any] | None:
    return next((a for a in report["assumptions"] if a["field"] == field), None)


MAKE = "make:openai/gpt-oss-120b"


def test_a_make_option_on_the_platform_pays_marginal_staff_and_its_share() -> None:
    report = assess_json(EXAMPLE)
    by_item = lines(report, MAKE)
    # 0.1 FTE (the listed assumption) at 180,000 a year, over 24 months.
    assert by_item["operations"]["total"] == pytest.approx(0.1 * ENGINEER / 12 * MONTHS)
    assert (
        "marginal staff of one more model on the existing platform"
        in (by_item["operations"]["detail"])
    )
    assert "an assumption: cost.platform_fte_per_model" in by_item["operations"]["detail"]
    # 30,000 a month shared by 10 use cases.
    assert by_item["platform"]["total"] == pytest.approx(3_000 * MONTHS)
    assert by_item["platform"]["fixed"] is True
    assert "1/10 of the shared platform's $30,000 a month" in by_item["platform"]["detail"]
    fte = assumption(report, "cost.platform_fte_per_model")
    assert fte is not None and fte["value"] == "0.1" and fte["origin"] == "estimate"
    assert "Not a sourced figure" in fte["reason"]
    # The per-model staff figures are not used, so not listed.
    assert assumption(report, "cost.ops_fte_with_mlops_team") is None
    assert assumption(report, "cost.platform_share") is None


def test_without_the_platform_the_same_option_carries_its_own_staff(tmp_path: Path) -> None:
    for name, section in (("absent", None), ("no", {"exists": False})):
        report = assess_json(variant(tmp_path, EXAMPLE, name, section))
        by_item = lines(report, MAKE)
        assert by_item["operations"]["total"] == pytest.approx(0.5 * ENGINEER / 12 * MONTHS)
        detail = by_item["operations"]["detail"]
        assert detail == "0.5 FTE at 180,000 USD/year (MLOps team in place)"
        assert "platform" not in by_item
        assert assumption(report, "cost.ops_fte_with_mlops_team") is not None
        assert assumption(report, "cost.platform_fte_per_model") is None


def test_the_questionnaires_own_figures_replace_the_assumption(tmp_path: Path) -> None:
    own = {"exists": True, "team_fte": 4, "use_cases": 8, "fte_per_model": 0.25}
    path = variant(tmp_path, EXAMPLE, "own", own)
    report = assess_json(path)
    by_item = lines(report, MAKE)
    assert by_item["operations"]["total"] == pytest.approx(0.25 * ENGINEER / 12 * MONTHS)
    assert "(organisation.platform.fte_per_model)" in by_item["operations"]["detail"]
    # No monthly_cost: the team's cost is the platform's cost, 4 x 15,000 a month, / 8.
    assert by_item["platform"]["total"] == pytest.approx(4 * ENGINEER / 12 / 8 * MONTHS)
    assert "(4 FTE team at 180,000 USD/year)" in by_item["platform"]["detail"]
    assert assumption(report, "cost.platform_fte_per_model") is None


def test_a_platform_without_a_cost_charges_no_share_and_says_so(tmp_path: Path) -> None:
    report = assess_json(variant(tmp_path, EXAMPLE, "bare", {"exists": True}))
    assert "platform" not in lines(report, MAKE)
    share = assumption(report, "cost.platform_share")
    assert share is not None and share["value"] == "not charged"
    assert "monthly_cost (or team_fte) and use_cases" in share["reason"]


def test_a_hybrid_with_two_self_hosted_legs_pays_the_platform_share_once(
    tmp_path: Path,
) -> None:
    section = {"exists": True, "monthly_cost": 30_000, "use_cases": 10}
    report = assess_json(variant(tmp_path, EXAMPLES / "support-assistant.yaml", "sa", section))
    months = 36
    hybrids = [
        o
        for o in report["options"]
        if o["kind"] == "hybrid"
        and o["cost"]
        and sum(leg["option"].startswith("make:") for leg in o["legs"]) == 2
    ]
    assert hybrids, "the support assistant routes to two self-hosted models"
    for h in hybrids:
        breakdown = h["cost"]["breakdown"]
        shares = [line for line in breakdown if line["item"] == "platform"]
        assert len(shares) == 1
        assert shares[0]["total"] == pytest.approx(3_000 * months)
        assert "charged once for the 2 self-hosted legs" in shares[0]["detail"]
        assert sum(line["total"] for line in breakdown) == pytest.approx(
            h["cost"]["total"], abs=1.0
        )
        # Each model pays its own marginal staff: two models, 0.1 FTE each; the legs are
        # distinct models (one deployment per model, never two staff charges for one).
        models = [leg["option"] for leg in h["legs"]]
        assert len(set(models)) == len(models)


def test_robustness_totals_at_todays_volume_equal_the_costs_with_a_platform(
    tmp_path: Path,
) -> None:
    section = {"exists": True, "monthly_cost": 30_000, "use_cases": 10}
    paths = [EXAMPLE, variant(tmp_path, EXAMPLES / "support-assistant.yaml", "sa", section)]
    for path in paths:
        run = pipeline.assess(path, with_robustness=False)
        assert platform.on_platform(run.usecase)
        totals, _ = cost.totals_at_volumes(
            run.usecase, run.catalog, run.costed, run.capacity, np.array([1.0])
        )
        checked = {"make": 0, "hybrid": 0}
        for c in run.costed:
            if c.cost is not None and c.gate.eligible:
                assert totals[c.gate.option.id][0] == pytest.approx(
                    c.cost.total, rel=1e-6, abs=0.5
                ), c.gate.option.id
                if c.gate.option.kind in checked:
                    checked[c.gate.option.kind] += 1
        assert checked["make"] >= 1
    assert checked["hybrid"] >= 1  # the support assistant's hybrids, on the platform


def _break_even_tokens(report: dict[str, Any], versus: str) -> float:
    found = [b for b in report["break_even"] if b["versus"] == versus]
    assert found and found[0]["tokens_per_month"] is not None
    return float(found[0]["tokens_per_month"])


def test_break_even_drops_substantially_on_an_existing_platform(tmp_path: Path) -> None:
    # The example against Claude Haiku 4.5: 0.5 FTE of its own (7,500 a month) versus 0.1
    # FTE (1,500) on a platform whose cost is already paid.
    versus = "buy:anthropic/claude-haiku-4-5-20251001"
    alone = _break_even_tokens(assess_json(variant(tmp_path, EXAMPLE, "a", None)), versus)
    marginal = _break_even_tokens(
        assess_json(variant(tmp_path, EXAMPLE, "m", {"exists": True})), versus
    )
    shared = _break_even_tokens(assess_json(EXAMPLE), versus)
    assert alone == pytest.approx(12.01e9, rel=0.01)
    assert marginal == pytest.approx(6.11e9, rel=0.01)
    assert marginal < 0.55 * alone
    assert marginal < shared < alone  # a 3,000 a month share sits in between
    # The ticket router against its best buy option: 7.0B tokens a month alone, 1.6B on a
    # platform (without an MLOps team it would be higher still).
    ticket = EXAMPLES / "ticket-routing-high-volume.yaml"
    versus = "buy:anthropic/claude-haiku-4-5-20251001"
    alone = _break_even_tokens(assess_json(ticket), versus)
    marginal = _break_even_tokens(
        assess_json(variant(tmp_path, ticket, "t", {"exists": True})), versus
    )
    assert alone == pytest.approx(6.95e9, rel=0.01)
    assert marginal == pytest.approx(1.59e9, rel=0.01)


@pytest.mark.parametrize(
    ("section", "field", "message"),
    [
        ({"exists": True, "monthly_cost": -5}, "monthly_cost", "greater than or equal to 0"),
        ({"exists": True, "use_cases": 0}, "use_cases", "greater than or equal to 1"),
        ({"exists": True, "fte_per_model": -0.1}, "fte_per_model", "greater than or equal"),
        ({"exists": "maybe"}, "exists", "boolean"),
        ({"exists": True, "team": 3}, "team", "unknown key; did you mean 'team_fte'?"),
        ({"monthly_cost": 1000}, "", "monthly_cost is given but exists is false"),
    ],
)
def test_bad_platform_values_exit_2_naming_file_line_and_field(
    cli, tmp_path: Path, section: dict[str, Any], field: str, message: str
) -> None:
    path = variant(tmp_path, EXAMPLE, "bad", section)
    result = cli("assess", path)
    assert result.exit_code == ExitCode.BAD_INPUT
    err = result.stderr.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert err.startswith(f"error: {path}:")
    assert f"organisation.platform{'.' + field if field else ''}" in err
    assert message in err


def test_the_questionnaire_schema_documents_the_platform(cli) -> None:
    schema = json.loads(cli("schema", "usecase").stdout)
    props = schema["$defs"]["Platform"]["properties"]
    assert {"exists", "monthly_cost", "team_fte", "use_cases", "fte_per_model"} <= set(props)
    assert "default 0.1, an assumption" in props["fte_per_model"]["description"]


# ------------------------------------------------------------------ portfolio

SHARED = EXAMPLES / "shared-platform"


def portfolio(cli, *args: object) -> dict[str, Any]:
    result = cli("portfolio", *args, "--format", "json", "-q")
    assert result.exit_code == ExitCode.OK, result.stderr
    return json.loads(result.stdout)


def test_the_portfolio_spreads_the_platform_over_the_use_cases_on_it(cli, schema_validator) -> None:
    report = portfolio(cli, SHARED)
    schema_validator("portfolio").validate(report)
    p = report["platform"]
    assert p["monthly_cost"] == 30_000
    # Two self-hosted recommendations run on it; the help centre rents an API.
    by_name = {u["name"]: u for u in p["use_cases"]}
    assert {n for n, u in by_name.items() if u["on_platform"]} == {
        "Post-incident drafts",
        "Code review comments",
    }
    assert p["on_platform"] == 2 and p["share_monthly"] == pytest.approx(15_000)
    assert by_name["Post-incident drafts"]["share_spread"] == pytest.approx(15_000)
    assert by_name["Post-incident drafts"]["share_charged"] == pytest.approx(15_000)
    assert by_name["Public help-centre answers"]["share_spread"] is None
    assert by_name["Public help-centre answers"]["share_charged"] is None
    assert p["fte_per_model"] == 0.1 and p["marginal_staff_monthly"] == pytest.approx(1_500)
    assert p["notes"] == [
        "The strategy totals count the platform's $30,000 a month once, spread over the use"
        " cases each strategy runs on it whose questionnaire declares it (buy everything: 2,"
        " make everything that may be made: 3, recommended mix: 2) (or over the 2 use cases"
        " the questionnaires say share it, when that is more), in place of the shares the"
        " questionnaires charged; a use case's own total is as its assessment charged it."
    ]


def test_each_strategy_counts_the_platform_once(cli) -> None:
    """Each questionnaire charges 1/2 of the platform (use_cases: 2); making all three would
    charge it 1.5 times. The make strategy spreads it over the three instead."""
    report = portfolio(cli, SHARED)
    totals = {s["name"]: s["total"] for s in report["strategies"]}
    lines = report["use_cases"]
    months = {u["horizon_months"] for u in lines}
    assert months == {24}
    make_as_assessed = sum(u["best_make"]["total"] for u in lines)
    assert totals["make"] == pytest.approx(make_as_assessed - 3 * 15_000 * 24 + 30_000 * 24)
    # buy and the mix run the same two use cases on it, each charged half: unchanged.
    assert totals["mix"] == pytest.approx(sum(u["recommended"]["total"] for u in lines))
    assert sum(k["total"] for k in report["mix"]) == pytest.approx(totals["mix"])
    buy = sum((u["best_buy"] or u["recommended"])["total"] for u in lines)
    assert totals["buy"] == pytest.approx(buy)


def test_one_more_use_case_pays_its_gpus_and_marginal_staff_only(cli) -> None:
    report = portfolio(cli, SHARED)
    for u in report["platform"]["use_cases"]:
        assessed = assess_json(Path(u["path"]))
        make = option(assessed, u["marginal_option"])
        months = len(make["cost"]["monthly"])
        items = {line["item"]: line["total"] for line in make["cost"]["breakdown"]}
        own = make["cost"]["total"] - items["operations"] - items.get("platform", 0.0)
        assert u["marginal_monthly"] == pytest.approx(own / months + 1_500)
        assert u["marginal_monthly"] < make["cost"]["total"] / months


def test_the_portfolio_says_so_when_a_use_case_on_it_declares_no_platform(
    cli, tmp_path: Path
) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    for f in SHARED.glob("*.yaml"):
        (folder / f.name).write_text(f.read_text())
    # The code review questionnaire forgets the platform, the incident one costs it higher.
    variant(folder, SHARED / "code-review.yaml", "code-review", None)
    variant(
        folder,
        SHARED / "incident-summaries.yaml",
        "incident-summaries",
        {"exists": True, "monthly_cost": 40_000, "use_cases": 2},
    )
    p = portfolio(cli, folder)["platform"]
    assert p["monthly_cost"] == 40_000 and p["share_monthly"] == pytest.approx(20_000)
    assert any("different platform costs a month ($30,000, $40,000)" in n for n in p["notes"])
    assert any(
        n.startswith("Code review comments runs on the platform but its questionnaire does not")
        for n in p["notes"]
    )


def test_without_a_declared_platform_the_portfolio_has_no_platform_key(cli) -> None:
    report = portfolio(cli, EXAMPLES / "support-assistant.yaml")
    assert "platform" not in report


@pytest.mark.parametrize("fmt", ["table", "markdown", "csv", "html"])
def test_every_portfolio_format_shows_the_platform(cli, fmt: str) -> None:
    result = cli("portfolio", SHARED, "--format", fmt, "-q")
    assert result.exit_code == ExitCode.OK, result.stderr
    text = " ".join(result.stdout.split())
    assert "Shared platform" in text
    assert "$30,000 a month spread over the 2 use cases on it ($15,000 each)" in text
    assert "0.1 FTE ($1,500 a month)" in text
    if fmt == "csv":
        rows = [r for r in result.stdout.splitlines() if r.startswith("platform_use_case,")]
        assert len(rows) == 3


def test_the_portfolio_schema_documents_the_platform(cli) -> None:
    schema = json.loads(cli("schema", "portfolio").stdout)
    assert "platform" in schema["properties"]
    assert "platform" not in schema.get("required", [])
    fields = schema["$defs"]["PlatformUseCase"]["properties"]
    assert "no platform share" in fields["marginal_monthly"]["description"]


def test_a_platform_means_a_team_runs_gpu_inference_when_mlops_team_is_unanswered(
    tmp_path: Path,
) -> None:
    doc = yaml.safe_load(EXAMPLE.read_text())
    del doc["organisation"]["mlops_team"]
    unanswered = tmp_path / "unanswered.yaml"
    unanswered.write_text(yaml.safe_dump(doc, sort_keys=False))
    report = assess_json(unanswered)
    team = assumption(report, "organisation.mlops_team")
    assert team is not None and team["value"] == "true"
    assert "organisation.platform says a platform team runs GPU inference" in team["reason"]
    simplicity = option(report, MAKE)["criteria"]["operational_simplicity"]["raw"]
    assert (
        simplicity
        == option(assess_json(EXAMPLE), MAKE)["criteria"]["operational_simplicity"]["raw"]
    )
    # Without the platform, the unanswered default is still "no team".
    alone = assess_json(variant(tmp_path, unanswered, "alone", None))
    assert assumption(alone, "organisation.mlops_team")["value"] == "false"
    assert option(alone, MAKE)["criteria"]["operational_simplicity"]["raw"] < simplicity


def test_every_self_hosting_pick_is_charged_the_questionnaires_share_once(tmp_path: Path) -> None:
    """Whatever its cost lines look like (a hybrid with one self-hosted leg folds the share
    into that leg), a make or hybrid recommendation was charged the questionnaire's share,
    and a buy one nothing: the strategy totals take that off before spreading the platform."""
    from makebuy.portfolio import platform_facts

    path = variant(
        tmp_path,
        EXAMPLES / "support-assistant.yaml",
        "sa",
        {"exists": True, "monthly_cost": 30_000, "use_cases": 3},
    )
    run = pipeline.assess(path, with_robustness=False)
    a = run.assessment
    checked = set()
    for o in a.options:
        if o.cost is None or o.kind in checked:
            continue
        picked = a.model_copy(
            update={"recommendation": a.recommendation.model_copy(update={"option": o.id})}
        )
        facts = platform_facts(path, picked, run.usecase)
        assert facts.share_charged == (pytest.approx(10_000) if o.kind != "buy" else None), o.id
        checked.add(o.kind)
    assert {"make", "hybrid"} <= checked


def test_the_spread_uses_one_questionnaires_cost_and_use_cases(cli, tmp_path: Path) -> None:
    """One questionnaire says $100,000 shared by 1, another $10,000 shared by 10: the larger
    cost is spread with its own use_cases (1), never $100,000 over 10."""
    folder = tmp_path / "two"
    folder.mkdir()
    variant(
        folder,
        SHARED / "code-review.yaml",
        "code-review",
        {"exists": True, "monthly_cost": 100_000, "use_cases": 1},
    )
    variant(
        folder,
        SHARED / "incident-summaries.yaml",
        "incident-summaries",
        {"exists": True, "monthly_cost": 10_000, "use_cases": 10},
    )
    p = portfolio(cli, folder)["platform"]
    assert p["monthly_cost"] == 100_000
    assert p["share_monthly"] == pytest.approx(100_000 / 2)  # both run on it: 2 > 1
