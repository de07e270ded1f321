"""The gate's rules, pinned against the real clauses in the built-in catalog."""

from __future__ import annotations

from pathlib import Path

from .helpers import assess_json, codes, option, questionnaire

LLAMA2 = "make:meta/llama-2-70b-chat"
LLAMA31 = "make:meta/llama-3.1-70b-instruct"


def test_llama_2_is_ruled_out_above_700_million_monthly_active_users(tmp_path: Path) -> None:
    path = questionnaire(tmp_path, users={"monthly_active_users": 800_000_000})
    report = assess_json(path)
    exclusion = next(
        e for e in option(report, LLAMA2)["exclusions"] if e["code"] == "licence.mau_cap"
    )
    assert "700 million monthly active users" in exclusion["clause"]
    assert "800,000,000 monthly active users exceed" in exclusion["message"]
    assert exclusion["url"].startswith("https://github.com/meta-llama/llama/")
    assert "licence.mau_cap" in codes(report, LLAMA31)


def test_below_the_cap_llama_2_passes_the_mau_rule(tmp_path: Path) -> None:
    report = assess_json(questionnaire(tmp_path, users={"monthly_active_users": 699_000_000}))
    assert "licence.mau_cap" not in codes(report, LLAMA2)


def test_llama_2_outputs_may_not_train_other_models_but_llama_3_1_outputs_may(
    tmp_path: Path,
) -> None:
    report = assess_json(questionnaire(tmp_path, requirements={"train_on_outputs": True}))
    exclusion = next(
        e for e in option(report, LLAMA2)["exclusions"] if e["code"] == "licence.output_training"
    )
    assert "to improve any other large language model" in exclusion["clause"]
    assert "licence.output_training" not in codes(report, LLAMA31)


def test_llama_3_1_fine_tunes_carry_the_llama_naming_duty(tmp_path: Path) -> None:
    report = assess_json(questionnaire(tmp_path, requirements={"fine_tuning": "planned"}))
    naming = [o for o in option(report, LLAMA31)["obligations"] if o["code"] == "licence.naming"]
    assert naming and "“Llama” at the beginning of any such AI model name" in naming[0]["clause"]
    attribution = [
        o for o in option(report, LLAMA31)["obligations"] if o["code"] == "licence.attribution"
    ]
    assert "Built with Llama" in attribution[0]["clause"]


def test_mpt_7b_chat_is_non_commercial(tmp_path: Path) -> None:
    commercial = assess_json(questionnaire(tmp_path, requirements={"commercial": True}))
    exclusion = next(
        e
        for e in option(commercial, "make:mosaicml/mpt-7b-chat")["exclusions"]
        if e["code"] == "licence.commercial"
    )
    assert (
        "NonCommercial" in exclusion["message"] or "non-commercial" in exclusion["message"].lower()
    )
    assert exclusion["clause"]
    research = assess_json(questionnaire(tmp_path, requirements={"commercial": False}))
    assert "licence.commercial" not in codes(research, "make:mosaicml/mpt-7b-chat")


def test_falcon_180b_cannot_be_offered_as_a_hosted_service(tmp_path: Path) -> None:
    report = assess_json(
        questionnaire(tmp_path, requirements={"serve_model_to_third_parties": True})
    )
    exclusion = next(
        e
        for e in option(report, "make:tii/falcon-180b")["exclusions"]
        if e["code"] == "licence.hosting"
    )
    assert "Hosting Use" in exclusion["clause"] or "hosting" in exclusion["clause"].lower()
    assert "licence.hosting" not in codes(report, "make:tii/falcon-40b-instruct")


def test_data_that_must_stay_in_the_environment_rules_out_every_api(tmp_path: Path) -> None:
    report = assess_json(questionnaire(tmp_path, data={"must_stay_in_environment": True}))
    for o in report["options"]:
        has = "data.environment" in [e["code"] for e in o["exclusions"]]
        assert has == (o["kind"] in ("buy", "rent")), o["id"]


def test_a_long_context_rules_out_short_context_models(tmp_path: Path) -> None:
    report = assess_json(questionnaire(tmp_path, task={"context_tokens": 32_000}))
    exclusion = next(e for e in option(report, LLAMA2)["exclusions"] if e["code"] == "context")
    assert exclusion["message"] == "Needs 32,000 tokens of context; the model has 4,096."
    assert "context" not in codes(report, LLAMA31)


def test_gpt_4_32k_was_an_option_in_2023_and_is_retired_now(tmp_path: Path) -> None:
    path = questionnaire(tmp_path, volume={"horizon_months": 12})
    then = assess_json(path, "--as-of", "2023-09-01")
    assert "lifecycle" not in codes(then, "buy:openai/gpt-4-32k-0613")
    now = assess_json(path)
    assert "lifecycle" in codes(now, "buy:openai/gpt-4-32k-0613")


def test_an_unmet_quality_bar_is_a_coded_exclusion(tmp_path: Path) -> None:
    report = assess_json(questionnaire(tmp_path, requirements={"min_quality": "high"}))
    assert "quality" in codes(report, "make:databricks/dolly-v2-12b")


def test_candidates_narrow_the_catalog(tmp_path: Path) -> None:
    path = questionnaire(
        tmp_path, candidates={"include": ["meta/llama-3.1-70b-instruct"], "exclude": []}
    )
    report = assess_json(path)
    for o in report["options"]:
        assert ("candidates" in [e["code"] for e in o["exclusions"]]) == (
            o["model"] != "meta/llama-3.1-70b-instruct"
        )


def test_a_banned_field_of_use_quotes_the_acceptable_use_policy(tmp_path: Path) -> None:
    report = assess_json(questionnaire(tmp_path, requirements={"uses": ["military"]}))
    exclusion = next(
        e for e in option(report, LLAMA2)["exclusions"] if e["code"] == "licence.acceptable_use"
    )
    assert "Military, warfare" in exclusion["clause"]
    assert "USE_POLICY.md" in exclusion["url"]


def test_shipping_weights_rules_out_every_api(tmp_path: Path) -> None:
    report = assess_json(questionnaire(tmp_path, requirements={"redistribute_weights": True}))
    for o in report["options"]:
        has = "licence.redistribution" in [e["code"] for e in o["exclusions"]]
        if o["kind"] != "make":
            assert has, o["id"]
    assert "licence.redistribution" not in codes(report, LLAMA31)


def test_the_eu_clause_binds_multimodal_llama_3_2_only(tmp_path: Path) -> None:
    report = assess_json(questionnaire(tmp_path, organisation={"domicile": "eu"}))
    vision = option(report, "make:meta/llama-3.2-11b-vision-instruct")
    exclusion = next(e for e in vision["exclusions"] if e["code"] == "licence.region")
    assert "European Union" in exclusion["clause"]
    assert "licence.region" not in codes(report, "make:meta/llama-3.2-3b-instruct")
    unknown = assess_json(questionnaire(tmp_path))
    duties = option(unknown, "make:meta/llama-3.2-11b-vision-instruct")["obligations"]
    assert any(d["code"] == "licence.region" for d in duties)


def test_zero_retention_keeps_only_apis_that_offer_it(tmp_path: Path) -> None:
    report = assess_json(questionnaire(tmp_path, data={"zero_retention_required": True}))
    gpt4o = option(report, "buy:openai/gpt-4o-2024-08-06")
    assert "data.retention" not in [e["code"] for e in gpt4o["exclusions"]]
    assert any(d["code"] == "data.retention" for d in gpt4o["obligations"])  # on approval
    for o in report["options"]:
        if o["kind"] == "make":
            assert "data.retention" not in [e["code"] for e in o["exclusions"]]


def test_gate_codes_are_the_codes_the_rules_declare_in_the_order_they_run(
    tmp_path: Path,
) -> None:
    """GATE_CODES is read from the rules; each rule emits only the codes it declares, and an
    option's exclusions come in rule order, so its first one (what summaries count it
    under) is from the earliest rule that hit it."""
    import datetime as dt

    from makebuy import gate, normalise, options
    from makebuy.config import Config, Policy, Settings
    from makebuy.load import load_catalog, load_usecase

    declared = [code for registered in gate._RULES for code in registered.codes]
    assert tuple(declared) == gate.GATE_CODES
    assert len(set(declared)) == len(declared)

    demanding = questionnaire(
        tmp_path,
        users={"monthly_active_users": 800_000_000},
        organisation={"domicile": "eu"},
        task={"context_tokens": 150_000, "languages": ["en", "is"], "modalities": ["image"]},
        data={
            "must_stay_in_environment": True,
            "regions": ["eu"],
            "zero_retention_required": True,
            "classification": "regulated",
        },
        requirements={
            "min_quality": 60,
            "commercial": True,
            "train_on_outputs": True,
            "serve_model_to_third_parties": True,
            "redistribute_weights": True,
            "uses": ["military"],
            "sla_required": True,
        },
        candidates={"include": [], "exclude": ["openai/gpt-4o"]},
    )
    catalog = load_catalog().catalog
    usecase, _ = normalise.normalise(load_usecase(demanding))
    all_options = options.enumerate_options(catalog)
    policy = Policy(
        deny_providers=["openai"],
        deny_models=["openai/gpt-4o"],
        allow_licences=["apache-2.0"],
        allowed_kinds=["buy"],
        required_regions=["eu"],
    )
    settings = Config(settings=Settings(policy=policy))
    seen: set[str] = set()
    for on in (dt.date(2023, 6, 1), catalog.as_of):
        ctx = gate._Ctx(usecase, catalog, on, gate.add_months(on, 12), config=settings)
        table = gate._options_table(ctx, all_options)
        by_id = {o.id: o for o in all_options}
        for registered in gate._RULES:
            emitted = {e.code for _, e in registered.rule(ctx, table, by_id)}
            assert emitted <= set(registered.codes), registered.rule.__name__
            seen |= emitted
        for result in gate.gate(usecase, catalog, all_options, on, config=settings):
            order = [gate.GATE_CODES.index(e.code) for e in result.exclusions]
            assert order == sorted(order), result.option.id
    assert len(seen) >= len(gate.GATE_CODES) - 3, set(gate.GATE_CODES) - seen
