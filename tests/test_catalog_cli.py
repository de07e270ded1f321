"""`makebuy catalog list|show|validate`: the built-in catalog is clean, and broken files
are reported with file:line, the right severity and the right exit code."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from makebuy.catalog_check import MAX_GPU_MEMORY_GB, MAX_PRICE_PER_1M_USD, check_catalog
from makebuy.catalog_query import LIST_COLUMNS, entry_views
from makebuy.cli.catalog import ListFormat
from makebuy.environment import Environment, MockEnvironment, use_environment
from makebuy.errors import ExitCode
from makebuy.load import load_catalog

from .conftest import SHIPPED_VARIABLES


@pytest.fixture(autouse=True, scope="module")
def environment() -> Iterator[Environment]:
    """These tests are about the shipped catalog itself, not the frozen fixture (module
    scope: the module's catalog fixtures are built inside it)."""
    with use_environment(MockEnvironment(width=100, variables=SHIPPED_VARIABLES)) as env:
        yield env


TODAY = "2026-12-01"
"""Validation date pinned so age warnings do not change with the wall clock."""

# A user override file that leans on the built-in catalog's sources and models.
OVERRIDE = """\
makebuy-catalog: 1
sources:
  - {id: test-price-page, title: A test price page, url: https://example.com/prices}
offerings:
  - id: test/llama-2-70b-chat
    model: meta/llama-2-70b-chat
    provider: test
    api_model_id: llama-2-70b-chat
    prices:
      - {effective_from: 2026-01-01, input_per_1m: 0.5, output_per_1m: 0.75,
         source: test-price-page, as_of: 2026-06-01}
    regions: {value: [eu], source: test-price-page, as_of: 2026-06-01}
"""

# A self-contained catalog (for --no-builtin-catalog): one source, model, offering, GPU.
STANDALONE = """\
makebuy-catalog: 1
sources:
  - {id: s1, title: Source one, url: https://example.com/one}
licences:
  - {id: apache-2.0, name: Apache 2.0, kind: open-weights, url: https://example.com/a,
     source: s1, as_of: 2024-01-01}
models:
  - id: acme/small
    name: Acme Small
    family: acme
    developer: Acme
    open_weights: true
    licence: apache-2.0
    parameters_b: {value: 7.0, source: s1, as_of: 2024-01-01}
    context_tokens: {value: 8192, source: s1, as_of: 2024-01-01}
  - id: acme/closed
    name: Acme Closed
    family: acme-pro
    developer: Acme
    open_weights: false
offerings:
  - id: acme/closed
    model: acme/closed
    provider: acme
    api_model_id: closed-1
    prices:
      - {effective_from: 2024-01-01, input_per_1m: 1.0, output_per_1m: 2.0, source: s1,
         as_of: 2024-01-01}
gpus:
  - id: test-gpu
    name: Test GPU
    memory_gb: {value: 80, source: s1, as_of: 2024-01-01}
    bandwidth_gb_s: {value: 2000, source: s1, as_of: 2024-01-01}
    bf16_dense_tflops: {value: 300, source: s1, as_of: 2024-01-01}
    prices:
      - {cloud: aws, commitment: on-demand, usd_per_gpu_hour: 4.0, source: s1, as_of: 2024-01-01}
quality_scale:
  description: test
  tiers: {low: 0, medium: 40, high: 55, frontier: 75}
  benchmarks:
    mmlu-5shot: {name: MMLU, points: [[25, 0], [90, 80]], source: s1}
  precedence: [mmlu-5shot]
"""


def write(tmp_path: Path, text: str, name: str = "cat.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def validate(cli, *args: str | Path):
    return cli("catalog", "validate", "--as-of", TODAY, *args)


# ---------------------------------------------------------------- validate: the built-in catalog


def test_the_builtin_catalog_validates_clean(cli) -> None:
    """What CI runs: no errors in the shipped catalog (stale warnings are allowed)."""
    result = validate(cli)
    assert result.exit_code == ExitCode.OK, result.stdout
    summary = result.stdout.splitlines()[-1]
    assert " 0 errors, " in summary
    assert "error[" not in result.stdout


def test_validate_json_counts_every_entry_of_the_builtin_catalog(cli) -> None:
    report = json.loads(validate(cli, "--format", "json").stdout)
    cat = load_catalog().catalog
    assert report["ok"] is True
    assert report["counts"]["error"] == 0
    assert report["entries"]["models"] == len(cat.models)
    assert report["entries"]["offerings"] == len(cat.offerings)
    assert all(f.startswith("builtin:") for f in report["files"])


def test_a_short_max_age_turns_current_prices_into_warnings_not_errors(cli) -> None:
    result = validate(cli, "--max-age-days", "1")
    assert result.exit_code == ExitCode.OK
    assert "warning[stale]" in result.stdout
    assert " 0 errors, " in result.stdout


# ---------------------------------------------------------------- validate: broken files


def test_a_user_override_is_reported_but_allowed(cli, tmp_path: Path) -> None:
    path = write(tmp_path, OVERRIDE.replace("test/llama-2-70b-chat", "openai/gpt-4"))
    result = validate(cli, path)
    assert result.exit_code == ExitCode.OK, result.stdout
    line = next(x for x in result.stdout.splitlines() if "info[override]" in x)
    assert line.startswith(f"{path}:5: info[override]: offerings[openai/gpt-4]")
    assert "builtin:offerings-openai.yaml:" in line
    assert result.stdout.splitlines()[-1].endswith("0 errors, 0 warnings, 1 overrides")


def test_schema_errors_name_file_line_and_field(cli, tmp_path: Path) -> None:
    text = OVERRIDE.replace("output_per_1m: 0.75", "output_per_1m: cheap")
    path = write(tmp_path, text)
    result = validate(cli, path)
    assert result.exit_code == ExitCode.DECISION_FAILED
    assert f"{path}:10: error[schema]: offerings[0].prices[0].output_per_1m:" in result.stdout


def test_a_figure_without_as_of_is_an_error(cli, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        OVERRIDE.replace(
            "regions: {value: [eu], source: test-price-page, as_of: 2026-06-01}",
            "regions: {value: [eu], source: test-price-page}",
        ),
    )
    result = validate(cli, path)
    assert result.exit_code == ExitCode.DECISION_FAILED
    assert f"{path}:12: error[schema]: offerings[0].regions.as_of: required key is missing" in (
        result.stdout
    )


def test_yaml_syntax_errors_are_findings_not_crashes(cli, tmp_path: Path) -> None:
    path = write(tmp_path, "makebuy-catalog: 1\nmodels: [\n")
    result = validate(cli, path)
    assert result.exit_code == ExitCode.DECISION_FAILED
    assert f"{path}:3: error[schema]: YAML syntax error" in result.stdout


def test_dangling_references_are_errors(cli, tmp_path: Path) -> None:
    text = OVERRIDE.replace("model: meta/llama-2-70b-chat", "model: meta/llama-9").replace(
        "source: test-price-page, as_of: 2026-06-01}\n    regions",
        "source: no-such-source, as_of: 2026-06-01}\n    regions",
    )
    result = validate(cli, write(tmp_path, text))
    assert result.exit_code == ExitCode.DECISION_FAILED
    assert "error[reference]: offerings[test/llama-2-70b-chat].model: unknown model id" in (
        result.stdout
    )
    assert "unknown source id 'no-such-source'" in result.stdout


def test_duplicate_ids_within_one_file_are_errors(cli, tmp_path: Path) -> None:
    doc = yaml.safe_load(OVERRIDE)
    doc["offerings"].append(doc["offerings"][0])
    path = write(tmp_path, yaml.safe_dump(doc, sort_keys=False))
    result = validate(cli, path)
    assert result.exit_code == ExitCode.DECISION_FAILED
    assert "error[duplicate-id]: offerings[test/llama-2-70b-chat]: duplicate id" in result.stdout


def test_duplicate_ids_across_two_builtin_files_are_errors(monkeypatch, tmp_path: Path) -> None:
    write(tmp_path, STANDALONE, "a.yaml")
    again = "makebuy-catalog: 1\nsources:\n  - {id: s1, title: Again, url: https://example.com/2}\n"
    write(tmp_path, again, "b.yaml")
    monkeypatch.setattr("makebuy.catalog_check.builtin_catalog_dir", lambda: tmp_path)
    report = check_catalog(as_of=dt.date(2026, 11, 28))
    dupes = [f for f in report.findings if f.code == "duplicate-id"]
    assert [(f.path, f.field) for f in dupes] == [("builtin:b.yaml", "sources[s1]")]
    assert "builtin:a.yaml:3" in dupes[0].message
    assert not report.ok


def test_implausible_values_are_errors(cli, tmp_path: Path) -> None:
    text = (
        STANDALONE.replace("input_per_1m: 1.0", "input_per_1m: 30000.0")
        .replace("memory_gb: {value: 80", "memory_gb: {value: 800")
        .replace("usd_per_gpu_hour: 4.0", "usd_per_gpu_hour: 98.32")
    )
    result = validate(cli, "--no-builtin-catalog", write(tmp_path, text))
    assert result.exit_code == ExitCode.DECISION_FAILED
    out = result.stdout
    assert "error[implausible]: offerings[acme/closed].prices[0].input_per_1m: $30,000.00" in out
    assert "error[implausible]: gpus[test-gpu].memory_gb: 800 GB is more than any GPU" in out
    assert "usd_per_gpu_hour" not in out  # $98.32 per GPU-hour is expensive, not impossible


def test_overlapping_price_periods_are_errors(tmp_path: Path) -> None:
    text = STANDALONE.replace(
        "         as_of: 2024-01-01}\ngpus:",
        "         as_of: 2024-01-01}\n      - {effective_from: 2024-06-01, input_per_1m: 0.5,"
        " output_per_1m: 1.0, source: s1, as_of: 2024-06-01}\ngpus:",
    )
    report = check_catalog([write(tmp_path, text)], builtin=False, as_of=dt.date(2026, 11, 28))
    [finding] = [f for f in report.findings if f.severity == "error"]
    assert finding.field == "offerings[acme/closed].prices[1]"
    assert "still in effect" in finding.message


def test_dates_after_the_validation_day_are_errors(tmp_path: Path) -> None:
    path = write(tmp_path, STANDALONE)
    report = check_catalog([path], builtin=False, as_of=dt.date(2023, 12, 31))
    assert {f.code for f in report.findings if f.severity == "error"} == {"future-date"}
    report = check_catalog([path], builtin=False, as_of=dt.date(2024, 1, 1))
    assert report.ok


def test_stale_prices_warn_and_only_perishable_figures_do(tmp_path: Path) -> None:
    report = check_catalog(
        [write(tmp_path, STANDALONE)], builtin=False, as_of=dt.date(2026, 1, 1), max_age_days=365
    )
    assert report.ok
    assert sorted(f.field for f in report.findings if f.code == "stale") == [
        "gpus[test-gpu].prices[0]",
        "offerings[acme/closed].prices[0]",
    ]


@settings(max_examples=25, deadline=None)
@given(price=st.floats(min_value=0, max_value=5 * MAX_PRICE_PER_1M_USD, allow_nan=False))
def test_the_price_bound_flags_exactly_the_prices_above_it(price: float) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = write(
            Path(tmp), STANDALONE.replace("output_per_1m: 2.0", f"output_per_1m: {price!r}")
        )
        report = check_catalog([path], builtin=False, as_of=dt.date(2024, 1, 1))
    assert report.ok == (price <= MAX_PRICE_PER_1M_USD)


def test_the_gpu_memory_bound_is_above_every_builtin_gpu() -> None:
    cat = load_catalog().catalog
    assert max(g.memory_gb.value for g in cat.gpus.values()) <= MAX_GPU_MEMORY_GB


def test_a_missing_path_is_bad_usage(cli, tmp_path: Path) -> None:
    result = validate(cli, tmp_path / "nope.yaml")
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "catalog path not found" in result.stderr


# ---------------------------------------------------------------- list


def test_list_json_is_sorted_and_covers_every_model(cli) -> None:
    result = cli("catalog", "list", "--format", "json")
    assert result.exit_code == ExitCode.OK
    rows = json.loads(result.stdout)
    ids = [r["id"] for r in rows]
    assert ids == sorted(ids) == sorted(load_catalog().catalog.models)
    assert list(rows[0]) == list(LIST_COLUMNS)


def test_list_filters_combine(cli) -> None:
    rows = json.loads(
        cli("catalog", "list", "-f", "json", "--weights", "open", "--provider", "groq").stdout
    )
    assert rows and all(r["weights"] == "open" and "groq" in r["providers"] for r in rows)
    rows = json.loads(cli("catalog", "list", "-f", "json", "--licence", "llama2-community").stdout)
    assert {r["family"] for r in rows} == {"llama-2"}
    rows = json.loads(cli("catalog", "list", "-f", "json", "--family", "dbrx").stdout)
    assert [r["id"] for r in rows] == ["databricks/dbrx-instruct"]
    closed = json.loads(cli("catalog", "list", "-f", "json", "--weights", "closed").stdout)
    assert closed and all(r["weights"] == "closed" for r in closed)


def test_list_by_api_terms_finds_the_proprietary_models(cli) -> None:
    rows = json.loads(cli("catalog", "list", "-f", "json", "--licence", "openai-api-terms").stdout)
    assert "openai/gpt-4" in {r["id"] for r in rows}


def test_list_csv_has_one_row_per_model(cli) -> None:
    text = cli("catalog", "list", "-f", "csv", "--family", "llama-2").stdout
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["id"] for r in rows] == sorted(r["id"] for r in rows)
    chat = next(r for r in rows if r["id"] == "meta/llama-2-70b-chat")
    assert chat["licence"] == "llama2-community" and chat["context_tokens"] == "4096"


def test_list_table_matches_its_golden_file(cli, golden, tmp_path: Path) -> None:
    path = write(tmp_path, STANDALONE)
    result = cli("catalog", "list", "--no-builtin-catalog", "-c", path)
    assert result.exit_code == ExitCode.OK
    golden("catalog-list.txt", result.stdout)
    assert cli("catalog", "list").stdout == cli("catalog", "list").stdout


@pytest.mark.parametrize("fmt", [f.value for f in ListFormat])
def test_every_list_format_renders_the_same_models(cli, fmt: str) -> None:
    result = cli("catalog", "list", "--family", "llama-2", "--format", fmt)
    assert result.exit_code == ExitCode.OK
    for model in ("meta/llama-2-7b-chat", "meta/llama-2-70b-chat"):
        assert model in result.stdout


def test_list_rejects_an_unknown_weights_value(cli) -> None:
    assert cli("catalog", "list", "--weights", "ajar").exit_code == ExitCode.BAD_INPUT


def test_list_kind_gpus_gives_each_gpus_figures_and_cheapest_on_demand_price(cli) -> None:
    rows = json.loads(cli("catalog", "list", "--kind", "gpus", "-f", "json").stdout)
    gpus = load_catalog().catalog.gpus
    assert [r["id"] for r in rows] == sorted(gpus)
    for r in rows:
        g = gpus[r["id"]]
        assert r["memory_gb"] == g.memory_gb.value
        on_demand = [p.usd_per_gpu_hour for p in g.prices if p.commitment == "on-demand"]
        assert r["cheapest_on_demand_usd_per_gpu_hour"] == (min(on_demand) if on_demand else None)
        assert r["clouds"] == sorted({p.cloud for p in g.prices})


def test_list_kind_seats_and_servers_show_prices_or_their_absence(cli) -> None:
    cat = load_catalog().catalog
    seats = json.loads(cli("catalog", "list", "--kind", "seats", "-f", "json").stdout)
    assert [r["id"] for r in seats] == sorted(cat.seats)
    for r in seats:
        prices = {p.billing: p.usd_per_seat_month for p in cat.seats[r["id"]].prices}
        assert r["monthly_usd_per_seat"] == prices.get("monthly")
        assert r["annual_usd_per_seat_month"] == prices.get("annual")
    text = cli("catalog", "list", "--kind", "servers", "-f", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["id"] for r in rows] == sorted(cat.servers)
    assert list(rows[0]) == ["id", "name", "gpu", "gpus", "power_kw", "price_usd"]
    table = cli("catalog", "list", "--kind", "servers").stdout
    assert f"{len(cat.servers)} of {len(cat.servers)} servers" in table


def test_model_filters_with_another_kind_are_bad_input(cli) -> None:
    result = cli("catalog", "list", "--kind", "seats", "--weights", "open")
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "filter models, not seats" in result.stderr


# ---------------------------------------------------------------- show


def test_show_prints_every_figure_with_source_and_date(cli) -> None:
    result = cli("catalog", "show", "meta/llama-2-70b-chat", "--format", "json")
    assert result.exit_code == ExitCode.OK
    [view] = json.loads(result.stdout)
    fields = {f["field"] for f in view["facts"]}
    assert {"parameters_b", "architecture", "context_tokens", "evidence.mmlu-5shot"} <= fields
    cited = {s["id"] for s in view["sources"]}
    assert all(f["source"] in cited and f["as_of"] for f in view["facts"])


def test_show_finds_a_model_and_an_offering_with_the_same_id(cli) -> None:
    views = json.loads(cli("catalog", "show", "openai/gpt-4", "-f", "json").stdout)
    assert [v["kind"] for v in views] == ["model", "offering"]
    only = json.loads(
        cli("catalog", "show", "openai/gpt-4", "--kind", "offerings", "-f", "json").stdout
    )
    assert [v["kind"] for v in only] == ["offering"]
    prices = [f for f in only[0]["facts"] if f["field"].startswith("prices[")]
    assert prices and all(f["source"] and f["as_of"] for f in prices)


def test_show_a_licence_quotes_its_clauses(cli) -> None:
    result = cli("catalog", "show", "llama2-community")
    assert result.exit_code == ExitCode.OK
    assert "terms.mau_cap" in result.stdout and "700 million" in result.stdout


def test_show_an_unknown_id_suggests_the_closest(cli) -> None:
    result = cli("catalog", "show", "meta/llama-2-70b-chatt")
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "did you mean 'meta/llama-2-70b-chat'" in result.stderr


@pytest.mark.parametrize("kind", ["models", "offerings", "licences", "gpus"])
def test_every_builtin_entry_shows_its_sources(kind: str) -> None:
    """Done-when of issue 3: every entry's figures trace to a defined source and a date."""
    loaded = load_catalog()
    cat = loaded.catalog
    for key in getattr(cat, kind):
        [view] = entry_views(loaded, key, kind)
        assert view["facts"] or (kind == "models" and not cat.models[key].open_weights), key
        for fact in view["facts"]:
            assert fact["source"] in cat.sources, (key, fact)
            assert dt.date.fromisoformat(str(fact["as_of"])), (key, fact)
        assert {s["id"] for s in view["sources"]} == {f["source"] for f in view["facts"]}


# ---------------------------------------------------------------- assess draws on the catalog


def test_assess_considers_every_offering_and_open_model_and_explains_each_exclusion() -> None:
    """Issue 3, done-when: the examples draw on the full catalog, and the summary line counts
    the options considered and why each excluded one was ruled out."""
    from .conftest import EXAMPLES
    from .helpers import assess_json

    cat = load_catalog().catalog
    report = assess_json(EXAMPLES / "support-assistant.yaml")
    options = report["options"]
    offered = {o["offering"] for o in options if o["kind"] in ("buy", "rent")}
    assert offered == set(cat.offerings)
    made = {o["model"] for o in options if o["kind"] == "make"}
    assert made == {m.id for m in cat.models.values() if m.open_weights}
    summary = report["summary"]
    excluded = [o for o in options if o["status"] == "excluded"]
    assert summary["options"] == len(options)
    assert summary["excluded"] == len(excluded) == sum(summary["by_code"].values())
    assert all(o["exclusions"] for o in excluded)
    assert summary["line"].startswith(f"{len(options)} options: ")


def test_list_csv_makes_formula_text_inert_as_the_portfolio_csv_does() -> None:
    from makebuy.catalog_query import ModelListing
    from makebuy.render.catalog import list_csv

    row = dict.fromkeys(LIST_COLUMNS) | {"id": "x/y", "name": "=HYPERLINK(1)", "providers": []}
    text = list_csv(ModelListing(rows=[row], total=1))
    (parsed,) = csv.DictReader(io.StringIO(text))
    assert parsed["name"] == "'=HYPERLINK(1)"


# ---------------------------------------------------------------- validate: source kinds


def test_a_price_resting_on_a_community_source_alone_is_an_error(cli, tmp_path: Path) -> None:
    text = OVERRIDE.replace(
        "url: https://example.com/prices}", "url: https://example.com/prices, kind: community}"
    )
    result = validate(cli, write(tmp_path, text))
    assert result.exit_code == ExitCode.DECISION_FAILED
    assert (
        "error[source.community]: offerings[test/llama-2-70b-chat].prices[0].source: rests on"
        " the community source 'test-price-page' alone" in result.stdout
    )
    # The same figure marked unverified is allowed: reports flag it instead.
    flagged = text.replace(
        "as_of: 2026-06-01}\n    regions", "as_of: 2026-06-01, status: unverified}\n    regions"
    )
    assert validate(cli, write(tmp_path, flagged)).exit_code == ExitCode.OK


def test_a_licence_resting_on_a_community_source_is_an_error(cli, tmp_path: Path) -> None:
    text = STANDALONE.replace(
        "url: https://example.com/one}", "url: https://example.com/one, kind: community}"
    )
    result = validate(cli, "--no-builtin-catalog", write(tmp_path, text))
    assert result.exit_code == ExitCode.DECISION_FAILED
    assert "error[source.community]: licences[apache-2.0].source" in result.stdout
    # The offering's and the GPU's prices cite it too.
    assert "offerings[acme/closed].prices[0].source" in result.stdout
    assert "gpus[test-gpu].prices[0].source" in result.stdout


def test_validate_reports_the_share_of_figures_per_source_kind(cli, tmp_path: Path) -> None:
    text = STANDALONE.replace(
        "url: https://example.com/one}", "url: https://example.com/one, kind: primary}"
    )
    result = validate(cli, "--no-builtin-catalog", write(tmp_path, text))
    assert result.exit_code == ExitCode.OK, result.stdout
    # licence, parameters, context, price, 3 GPU figures, GPU price: all primary.
    assert "Figures by source kind: 100% primary (8)" in result.stdout
    report = json.loads(
        validate(cli, "--no-builtin-catalog", "--format", "json", write(tmp_path, text)).stdout
    )
    assert report["source_kinds"] == {"primary": 8}
