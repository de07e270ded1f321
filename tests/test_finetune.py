"""Fine-tuning (issue 12, item 8): `fine_tuning: planned` rules out the buy and rent options
whose provider cannot tune the model and costs the others at training runs plus the tuned
model's serving price; self-hosted tuning is costed for LoRA or full fine-tuning. Runs the
real CLI over the frozen fixture catalog, with small catalog overlays that give one
offering a `fine_tuning` block."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from makebuy import cost, finetune, pipeline
from makebuy.environment import MockEnvironment, use_environment

from .conftest import EXAMPLES, SHIPPED_VARIABLES
from .helpers import assess_json, codes, option, questionnaire

FIXTURE_OFFERINGS = Path(__file__).parent / "fixtures" / "catalog" / "offerings-openai.yaml"
MINI = "buy:openai/gpt-4o-mini"
BEFORE_CLOSURE = "2025-06-01"
"""An evaluation date on which gpt-4o-mini is priced and no retirement is known yet."""
SOURCE = {"id": "test-ft", "title": "test data", "url": "https://example.org/ft"}


def _figure(value: Any) -> dict[str, Any]:
    return {"value": value, "source": "test-ft", "as_of": "2025-05-01"}


def _overlay(tmp_path: Path, **fine_tuning: Any) -> Path:
    """gpt-4o-mini as the fixture has it, plus a `fine_tuning` block."""
    doc = yaml.safe_load(FIXTURE_OFFERINGS.read_text(encoding="utf-8"))
    mini = next(dict(o) for o in doc["offerings"] if o["id"] == "openai/gpt-4o-mini")
    mini["fine_tuning"] = fine_tuning
    text = yaml.safe_dump(
        {"makebuy-catalog": 1, "sources": [SOURCE], "offerings": [mini]}, sort_keys=False
    )
    # One file per content: reports are cached by the arguments, the overlay's path too.
    path = tmp_path / f"fine-tuning-{hashlib.sha256(text.encode()).hexdigest()[:12]}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _tunable(tmp_path: Path, **extra: Any) -> Path:
    """gpt-4o-mini tunable at $3 per 1M training tokens, served at $0.30 / $1.20."""
    block = {
        "methods": _figure(["supervised"]),
        "training_per_1m": _figure(3.0),
        "serving": _figure("per-token"),
        "input_per_1m": _figure(0.3),
        "output_per_1m": _figure(1.2),
        **extra,
    }
    return _overlay(tmp_path, **block)


def _usecase(tmp_path: Path, **requirements: Any) -> Path:
    """100,000 requests a month of 500 input and 200 output tokens, flat, for 12 months;
    one open model to self-host, so the runs stay quick."""
    return questionnaire(
        tmp_path,
        volume={
            "requests_per_month": 100_000,
            "input_tokens_per_request": 500,
            "output_tokens_per_request": 200,
            "horizon_months": 12,
        },
        requirements={"min_quality": 0, **requirements},
        candidates={"include": ["openai/gpt-4o-mini", "meta/llama-3.1-8b-instruct"]},
    )


def test_planned_rules_out_an_api_whose_provider_cannot_tune_the_model(tmp_path: Path) -> None:
    report = assess_json(_usecase(tmp_path, fine_tuning="planned"), "--as-of", BEFORE_CLOSURE)
    assert codes(report, MINI) == ["requirements.fine_tuning"]
    message = option(report, MINI)["exclusions"][0]["message"]
    assert message == (
        "Fine-tuning is planned and the catalog records no fine-tuning of this model on openai."
    )
    assert report["summary"]["by_code"]["requirements.fine_tuning"] >= 1
    # The self-hosted option can always be tuned: it stays in.
    assert option(report, "make:meta/llama-3.1-8b-instruct")["exclusions"] == []


def test_without_planned_tuning_nothing_is_ruled_out_for_it(tmp_path: Path) -> None:
    for wanted in ("none", "maybe"):
        report = assess_json(_usecase(tmp_path, fine_tuning=wanted), "--as-of", BEFORE_CLOSURE)
        assert codes(report, MINI) == []
        assert "requirements.fine_tuning" not in report["summary"]["by_code"]
        lines = option(report, MINI)["cost"]["breakdown"]
        assert all(line["item"] != "fine_tuning" for line in lines)


def test_maybe_lists_the_options_that_could_be_tuned(tmp_path: Path) -> None:
    report = assess_json(
        _usecase(tmp_path, fine_tuning="maybe"),
        "--catalog",
        str(_tunable(tmp_path)),
        "--as-of",
        BEFORE_CLOSURE,
    )
    said = next(a for a in report["assumptions"] if a["field"] == "requirements.fine_tuning")
    assert said["value"] == "1 of 4 buy/rent options can be fine-tuned"  # 3 hosts of Llama 3.1 8B
    assert said["reason"].endswith(f"Tunable per the catalog: {MINI}.")
    method = next(
        a for a in report["assumptions"] if a["field"] == "requirements.fine_tuning_method"
    )
    assert method["value"] == "lora" and method["origin"] == "default"


def test_a_tunable_api_costs_training_runs_plus_the_tuned_serving_price(tmp_path: Path) -> None:
    report = assess_json(
        _usecase(tmp_path, fine_tuning="planned"),
        "--catalog",
        str(_tunable(tmp_path)),
        "--as-of",
        BEFORE_CLOSURE,
    )
    mini = option(report, MINI)
    assert mini["exclusions"] == []
    got = mini["cost"]
    # 1.2M requests: 600M input tokens at $0.30 and 240M output tokens at $1.20 (the tuned
    # model's prices, not the base $0.15 / $0.60); two runs (months 1 and 7), each 30M
    # training tokens at $3 plus one engineer-month at $180,000 a year.
    serving = 600 * 0.3 + 240 * 1.2
    per_run = 30 * 3.0 + 180_000 / 12
    assert got["input_per_1m_usd"] == 0.3 and got["output_per_1m_usd"] == 1.2
    assert got["price_source"] == "test-ft"
    lines = {line["item"]: line for line in got["breakdown"]}
    assert lines["fine_tuning"]["total"] == pytest.approx(2 * per_run)
    assert lines["fine_tuning"]["fixed"] is True
    assert lines["fine_tuning"]["detail"].startswith(
        "2 run(s) on openai, each 30.0M training tokens at $3 per 1M (test-ft, 2025-05-01)"
    )
    assert got["total"] == pytest.approx(serving + 2 * per_run)
    assert got["monthly"][0] == pytest.approx(serving / 12 + per_run, abs=0.01)
    fields = {a["field"] for a in report["assumptions"]}
    assert {"cost.fine_tuning_runs_per_year", "cost.fine_tuning_tokens"} <= fields
    # Break-even against the tuned API counts its training runs as fixed monthly costs.
    pair = next(b for b in report["break_even"] if b["versus"] == MINI)
    today = next(p for p in pair["series"] if p["requests_per_month"] == 100_000)
    assert today["monthly_cost"][MINI] == pytest.approx(got["total"] / 12, abs=0.01)


def test_tuned_models_served_at_the_base_price_pay_only_the_training(tmp_path: Path) -> None:
    overlay = _overlay(
        tmp_path,
        methods=_figure(["lora"]),
        training_per_1m=_figure(0.5),
        serving=_figure("base-price"),
    )
    usecase = _usecase(tmp_path, fine_tuning="planned")
    report = assess_json(usecase, "--catalog", str(overlay), "--as-of", BEFORE_CLOSURE)
    got = option(report, MINI)["cost"]
    assert got["input_per_1m_usd"] == 0.15 and got["output_per_1m_usd"] == 0.6
    assert got["total"] == pytest.approx(600 * 0.15 + 240 * 0.6 + 2 * (30 * 0.5 + 15_000))


def test_an_unpriced_tuning_or_dedicated_serving_is_a_missing_price(tmp_path: Path) -> None:
    usecase = _usecase(tmp_path, fine_tuning="planned")
    dedicated = _overlay(
        tmp_path,
        methods=_figure(["lora"]),
        training_per_1m=_figure(0.5),
        serving=_figure("dedicated"),
    )
    report = assess_json(usecase, "--catalog", str(dedicated), "--as-of", BEFORE_CLOSURE)
    assert codes(report, MINI) == ["price.missing"]
    assert (
        "only on a dedicated deployment billed per GPU time"
        in (option(report, MINI)["exclusions"][0]["message"])
    )

    untrained = _overlay(tmp_path, methods=_figure(["supervised"]), serving=_figure("base-price"))
    report = assess_json(usecase, "--catalog", str(untrained), "--as-of", BEFORE_CLOSURE)
    assert codes(report, MINI) == ["price.missing"]
    assert option(report, MINI)["exclusions"][0]["message"] == (
        "The catalog holds no fine-tuning training price for this model on openai."
    )


def test_a_provider_closed_to_new_fine_tuning_customers_is_ruled_out(tmp_path: Path) -> None:
    overlay = _tunable(tmp_path, closed_to_new_customers=_figure("2026-05-07"))
    usecase = _usecase(tmp_path, fine_tuning="planned")
    after = assess_json(usecase, "--catalog", str(overlay), "--as-of", "2026-06-01")
    assert codes(after, MINI) == ["requirements.fine_tuning"]
    assert option(after, MINI)["exclusions"][0]["message"] == (
        "Fine-tuning is planned and openai has taken no new fine-tuning customers since"
        " 2026-05-07 (test-ft)."
    )
    before = assess_json(usecase, "--catalog", str(overlay), "--as-of", BEFORE_CLOSURE)
    assert codes(before, MINI) == []


def _make_tuning(report: dict[str, Any]) -> dict[str, Any]:
    lines = option(report, "make:meta/llama-3.1-8b-instruct")["cost"]["breakdown"]
    return next(line for line in lines if line["item"] == "fine_tuning")


def test_lora_is_cheaper_than_full_fine_tuning_when_self_hosting(tmp_path: Path) -> None:
    lora = assess_json(_usecase(tmp_path, fine_tuning="planned", fine_tuning_method="lora"))
    full = assess_json(_usecase(tmp_path, fine_tuning="planned", fine_tuning_method="full"))
    cheap, dear = _make_tuning(lora), _make_tuning(full)
    assert cheap["total"] < dear["total"]
    assert "LoRA (25% less compute than full fine-tuning, Hu et al. 2021)" in cheap["detail"]
    assert "full fine-tuning (6 x parameters x tokens FLOPs)" in dear["detail"]
    # Same GPU, same engineer-months: only the GPU-hours differ, by LoRA's 1.25 speed-up.
    people = 2 * 180_000 / 12
    assert dear["total"] - people == pytest.approx(1.25 * (cheap["total"] - people), abs=0.02)
    # The default, stated as an assumption, is LoRA.
    unset = assess_json(_usecase(tmp_path, fine_tuning="planned"))
    assert _make_tuning(unset)["total"] == pytest.approx(cheap["total"])
    said = next(a for a in unset["assumptions"] if a["field"] == "requirements.fine_tuning_method")
    assert said["value"] == "lora" and "arXiv:2106.09685" in said["reason"]


def test_training_flops_follow_the_cited_figures() -> None:
    assert finetune.training_flops(8e9, 30e6, "full") == 6 * 8e9 * 30e6
    assert finetune.training_flops(8e9, 30e6, "lora") == 6 * 8e9 * 30e6 / 1.25
    assert list(np.flatnonzero(finetune.run_months(24, 2.0))) == [0, 6, 12, 18]


def test_a_mixture_of_experts_model_trains_at_its_active_parameters(tmp_path: Path) -> None:
    """gpt-oss-20b has 20.91B parameters, 3.61B active per token: its training compute
    follows the 3.61B (Switch Transformers: FLOPs per token follow the experts used)."""
    run = pipeline.assess(
        _usecase(tmp_path, fine_tuning="planned", fine_tuning_method="full"),
        with_robustness=False,
    )
    moe = run.catalog.models["openai/gpt-oss-20b"]
    dense = run.catalog.models["meta/llama-3.1-8b-instruct"]
    assert moe.active_parameters_b is not None and moe.parameters_b is not None
    assert finetune.compute_parameters_b(moe) == moe.active_parameters_b.value == 3.61
    assert dense.parameters_b is not None and dense.active_parameters_b is None
    assert finetune.compute_parameters_b(dense) == dense.parameters_b.value
    row = {"tflops": 100.0, "usd_per_gpu_hour": 2.0}
    params = cost.DEFAULT_PARAMETERS
    _, hours = cost.fine_tuning_run(run.usecase, run.catalog, moe.id, row, params)
    flops = 6 * 3.61e9 * params.fine_tuning_tokens
    assert hours == pytest.approx(flops / (100e12 * params.compute_efficiency * 3600))


def test_scenario_totals_match_the_cost_stage_and_hold_the_training_fixed(
    tmp_path: Path,
) -> None:
    run = pipeline.assess(
        _usecase(tmp_path, fine_tuning="planned"),
        [_tunable(tmp_path)],
        evaluated_on=dt.date.fromisoformat(BEFORE_CLOSURE),
        with_robustness=False,
    )
    factors = np.array([1.0, 2.0])
    totals, _ = cost.totals_at_volumes(run.usecase, run.catalog, run.costed, run.capacity, factors)
    checked = 0
    for c in run.costed:
        if c.cost is None or not c.gate.eligible:
            continue
        assert totals[c.gate.option.id][0] == pytest.approx(c.cost.total, rel=1e-6, abs=0.5)
        checked += 1
    mini = next(c for c in run.costed if c.gate.option.id == MINI)
    assert mini.cost is not None
    training = next(line.total for line in mini.cost.breakdown if line.item == "fine_tuning")
    doubled = 2 * (mini.cost.total - training) + training
    assert totals[MINI][1] == pytest.approx(doubled, rel=1e-9)
    assert checked >= 2  # the tuned API and the self-hosted model


def test_a_bad_tuning_method_exits_2_naming_file_line_and_field(cli, tmp_path: Path) -> None:
    path = _usecase(tmp_path, fine_tuning="planned", fine_tuning_method="qlora")
    result = cli("assess", path)
    assert result.exit_code == 2
    line = next(i for i, text in enumerate(path.read_text().splitlines(), 1) if "qlora" in text)
    assert f"{path}:{line}" in result.stderr
    assert "requirements.fine_tuning_method" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_bad_fine_tuning_block_exits_2_naming_file_line_and_field(cli, tmp_path: Path) -> None:
    overlay = _overlay(tmp_path, methods=_figure(["supervised"]), serving=_figure("per-token"))
    result = cli("assess", _usecase(tmp_path, fine_tuning="planned"), "--catalog", overlay)
    assert result.exit_code == 2
    assert str(overlay) in result.stderr and "fine_tuning" in result.stderr
    assert "serving per-token needs input_per_1m and output_per_1m" in result.stderr
    assert "Traceback" not in result.stderr


# ---------------------------------------------------------------- the shipped catalog
# What `fine_tuning: planned` does on the shipped catalog today (issue 12): no provider's
# training price is sourced, and OpenAI, the one provider with sourced tuned-serving prices,
# has taken no new fine-tuning customers since 2026-05-07. These tests change when a
# training price is sourced: the tunable offering then becomes eligible before the closure.

CLASSIFIER = EXAMPLES / "fine-tuned-classifier.yaml"


@pytest.fixture
def shipped() -> Iterator[None]:
    with use_environment(MockEnvironment(width=100, variables=SHIPPED_VARIABLES)):
        yield


def test_on_the_shipped_catalog_openai_takes_no_new_tuning_customers(shipped: None) -> None:
    from makebuy.load import load_catalog

    catalog = load_catalog().catalog
    report = assess_json(CLASSIFIER, "--as-of", "2026-12-02")
    tunable = [o for o in catalog.offerings.values() if o.fine_tuning and o.provider == "openai"]
    assert tunable, "the shipped catalog records OpenAI's tunable snapshots"
    for off in tunable:
        assert off.fine_tuning is not None
        closed = off.fine_tuning.closed_to_new_customers
        assert closed is not None and closed.value == dt.date(2026, 5, 7), off.id
        assert catalog.sources[closed.source].kind == "primary", off.id
        assert closed.status != "unverified", off.id
        reasons = [
            e["message"]
            for e in option(report, f"buy:{off.id}")["exclusions"]
            if e["code"] == "requirements.fine_tuning"
        ]
        assert reasons == [
            "Fine-tuning is planned and openai has taken no new fine-tuning customers since"
            f" 2026-05-07 ({closed.source})."
        ], off.id


def test_before_the_closure_a_tunable_openai_model_lacks_only_its_training_price(
    shipped: None,
) -> None:
    report = assess_json(CLASSIFIER, "--as-of", "2026-05-01")
    mini = "buy:openai/gpt-4.1-mini"
    assert codes(report, mini) == ["price.missing"]
    assert option(report, mini)["exclusions"][0]["message"] == (
        "The catalog holds no fine-tuning training price for this model on openai."
    )
