"""Owned hardware (`gpu_commitment: owned`): replicas on whole bought servers, costed as
depreciation plus power x PUE x electricity, and the months until the servers pay back.

The frozen fixture catalog lists no server; the tests add the shipped catalogs/servers.yaml
with --catalog (less the servers whose GPU the fixture lacks), so the figures are the
shipped ones (DGX H100: 10.2 kW; PUE 1.58; 6 years).
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from makebuy import cost, load, normalise, owned, pipeline
from makebuy.errors import ExitCode
from makebuy.units import HOURS_PER_MONTH

from .conftest import EXAMPLES, FIXTURE_CATALOG
from .helpers import assess_json, option, questionnaire

ROOT = Path(__file__).resolve().parents[1]
FIXTURE_GPUS = {
    g["id"] for g in yaml.safe_load((FIXTURE_CATALOG / "gpus.yaml").read_text())["gpus"]
}


def _servers_file(*, electricity: bool = True) -> Path:
    """The shipped catalogs/servers.yaml without the servers whose GPU the frozen fixture
    catalog lacks (its figures unchanged); `electricity=False` also drops the facility's
    default electricity price."""
    doc = yaml.safe_load((ROOT / "catalogs" / "servers.yaml").read_text())
    doc["servers"] = [s for s in doc["servers"] if s["gpu"] in FIXTURE_GPUS]
    if not electricity:
        doc["facility"].pop("electricity_usd_per_kwh", None)
    path = Path(tempfile.mkdtemp(prefix="makebuy-owned-")) / "servers.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


SERVERS = _servers_file()
SERVERS_WITHOUT_ELECTRICITY = _servers_file(electricity=False)
EXAMPLE = EXAMPLES / "owned-gpu-servers.yaml"
MAKE = "make:openai/gpt-oss-120b"

OWNED = {
    "mlops_team": True,
    "cloud": "on-prem",
    "gpu_commitment": "owned",
    "server_prices_usd": {"nvidia-dgx-h100": 300000},
    "electricity_usd_per_kwh": 0.09,
}
BUSY = {
    "requests_per_month": 3_000_000,
    "input_tokens_per_request": 2000,
    "output_tokens_per_request": 400,
    "peak_requests_per_second": 4,
    "horizon_months": 36,
}
CANDIDATES = {"include": ["openai/gpt-oss-120b", "anthropic/claude-haiku-4.5"]}


def owned_report(tmp_path: Path, servers: Path = SERVERS, **organisation: Any) -> dict[str, Any]:
    path = questionnaire(
        tmp_path,
        volume=BUSY,
        organisation={**OWNED, **organisation},
        candidates=CANDIDATES,
    )
    return assess_json(path, "--catalog", str(servers))


def test_the_example_runs_replicas_on_whole_dgx_servers_and_shows_payback() -> None:
    report = assess_json(EXAMPLE, "--catalog", str(SERVERS))
    make = option(report, MAKE)["cost"]
    assert make["instance"] == "NVIDIA DGX H100 (8 x nvidia-h100-80gb)"
    # $300,000 over 6 years of 730 hours, plus 10.2 kW x PUE 1.58 x $0.09/kWh, per GPU.
    hourly = 300000 / (6 * 12 * HOURS_PER_MONTH) + 10.2 * 1.58 * 0.09
    assert make["gpu_hour_usd"] == pytest.approx(hourly / 8)
    gpus = next(line for line in make["breakdown"] if line["item"] == "gpus")
    assert "of which depreciation" in gpus["detail"]
    assert "server price $300,000, questionnaire; 10.2 kW maximum" in gpus["detail"]
    payback = report["payback"]
    assert payback and {p["make"] for p in payback} == {MAKE}
    kinds = {o["id"]: o["kind"] for o in report["options"]}
    assert all(kinds[p["versus"]] in ("buy", "rent") for p in payback)
    horizon = len(make["monthly"])
    for p in payback:
        assert p["months"] is None or 1 <= p["months"] <= horizon
        assert ("does not recover" in p["statement"]) == (p["months"] is None)
    fields = {a["field"]: a for a in report["assumptions"]}
    assert fields["organisation.pue"]["value"] == "1.58"
    assert fields["organisation.depreciation_years"]["value"] == "6"
    assert "organisation.electricity_usd_per_kwh" not in fields  # the questionnaire gave it


def test_the_payback_month_is_the_first_whose_savings_cover_the_servers(tmp_path: Path) -> None:
    report = owned_report(tmp_path)
    make = option(report, MAKE)["cost"]
    depreciation = 300000 / (6 * 12) * make["replicas_peak"]
    running = np.array(make["monthly"]) - depreciation  # constant replicas: no growth
    for p in report["payback"]:
        api = np.array(option(report, p["versus"])["cost"]["monthly"])
        savings = np.cumsum(api - running)
        assert p["capital"] == pytest.approx(300000 * make["replicas_peak"])
        covered = np.nonzero(savings >= p["capital"] - 0.05)[0]
        expected = int(covered[0]) + 1 if covered.size else None
        assert p["months"] == expected


def test_a_dear_api_is_paid_back_and_a_cheap_one_is_not() -> None:
    report = assess_json(EXAMPLE, "--catalog", str(SERVERS))
    months = {p["versus"]: p["months"] for p in report["payback"]}
    claude = [m for oid, m in months.items() if oid.startswith("buy:anthropic/claude-haiku")]
    assert claude and all(m is not None for m in claude)
    assert months["rent:deepinfra/openai/gpt-oss-120b"] is None


def test_without_a_server_price_the_make_options_are_ruled_out_naming_the_field(
    tmp_path: Path,
) -> None:
    report = owned_report(tmp_path, server_prices_usd=None)
    make = option(report, MAKE)
    assert make["status"] == "excluded"
    message = next(e["message"] for e in make["exclusions"] if e["code"] == "price.missing")
    assert "organisation.server_prices_usd" in message
    assert "nvidia-dgx-h100" in message
    assert report["payback"] == []


def test_without_an_electricity_price_the_make_options_are_ruled_out_naming_the_field(
    tmp_path: Path,
) -> None:
    report = owned_report(
        tmp_path, servers=SERVERS_WITHOUT_ELECTRICITY, electricity_usd_per_kwh=None
    )
    message = next(e["message"] for e in option(report, MAKE)["exclusions"])
    assert "organisation.electricity_usd_per_kwh is not given" in message


def test_without_an_electricity_price_the_catalogs_eia_average_is_used_and_marked(
    tmp_path: Path,
) -> None:
    shipped = yaml.safe_load((ROOT / "catalogs" / "servers.yaml").read_text())["facility"]
    default = shipped["electricity_usd_per_kwh"]
    report = owned_report(tmp_path, electricity_usd_per_kwh=None)
    make = option(report, MAKE)["cost"]
    # $300,000 over 6 years of 730 hours, plus 10.2 kW x PUE 1.58 x the catalog's price.
    hourly = 300000 / (6 * 12 * HOURS_PER_MONTH) + 10.2 * 1.58 * default["value"]
    assert make["gpu_hour_usd"] == pytest.approx(hourly / 8)
    fields = {a["field"]: a for a in report["assumptions"]}
    assumed = fields["organisation.electricity_usd_per_kwh"]
    assert assumed["origin"] == "default"
    assert assumed["value"] == f"{default['value']:g}"
    assert default["source"] in assumed["reason"]


def test_without_servers_in_the_catalog_the_reason_says_so(tmp_path: Path) -> None:
    path = questionnaire(
        tmp_path,
        volume=BUSY,
        organisation={**OWNED, "server_prices_usd": None},
        candidates=CANDIDATES,
    )
    report = assess_json(path)  # the fixture catalog alone: no servers
    message = next(e["message"] for e in option(report, MAKE)["exclusions"])
    assert "The catalog lists no GPU server to buy" in message


def test_reports_without_owned_hardware_have_no_payback_key() -> None:
    report = assess_json(EXAMPLES / "support-assistant.yaml")
    assert "payback" not in report
    assert not any(a["field"].startswith("organisation.pue") for a in report["assumptions"])


def test_the_payback_table_is_in_markdown_and_html(cli, tmp_path: Path) -> None:
    path = questionnaire(tmp_path, volume=BUSY, organisation=OWNED, candidates=CANDIDATES)
    md = cli("assess", path, "--catalog", SERVERS, "--format", "markdown").stdout
    assert "## Payback of owned servers" in md
    assert "not within the horizon" in md
    html = cli("assess", path, "--catalog", SERVERS, "--format", "html").stdout
    assert "<h3>Payback of owned servers</h3>" in html


@pytest.mark.parametrize(
    ("answer", "field"),
    [
        ("pue: 0.5", "organisation.pue"),
        ("electricity_usd_per_kwh: -1", "organisation.electricity_usd_per_kwh"),
        ("depreciation_years: 0", "organisation.depreciation_years"),
        ("server_prices_usd: {nvidia-dgx-h100: 0}", "organisation.server_prices_usd"),
        ("server_prices_usd: {nvidia-dgx-h1000: 300000}", "organisation.server_prices_usd"),
    ],
)
def test_a_bad_owned_value_exits_2_naming_file_line_and_field(
    cli, tmp_path: Path, answer: str, field: str
) -> None:
    key = answer.split(":")[0]
    lines: list[str] = []
    nested = False
    for text_line in EXAMPLE.read_text().splitlines():  # drop the example's own answer
        if text_line.startswith(f"  {key}:") or (nested and text_line.startswith("    ")):
            nested = True
            continue
        nested = False
        lines.append(text_line)
    at = lines.index("  gpu_commitment: owned") + 1
    lines.insert(at, f"  {answer}")
    path = tmp_path / "owned.yaml"
    path.write_text("\n".join(lines) + "\n")
    line = at + 1
    result = cli("assess", path, "--catalog", SERVERS)
    assert result.exit_code == ExitCode.BAD_INPUT, result.stdout
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1, message
    assert f"{path}:{line}" in message
    assert field in message
    assert "Traceback" not in message


def test_robustness_at_factor_one_equals_the_cost_stage_when_owned() -> None:
    run = pipeline.assess(EXAMPLE, [SERVERS], with_robustness=False)
    totals, shapes = cost.totals_at_volumes(
        run.usecase, run.catalog, run.costed, run.capacity, np.array([1.0])
    )
    made = [c for c in run.costed if c.gate.option.kind == "make" and c.cost is not None]
    assert made
    for c in made:
        assert totals[c.gate.option.id][0] == pytest.approx(c.cost.total, rel=1e-9)
        assert shapes[c.gate.option.id][1][0] == c.cost.replicas_peak


@cache
def usecase_and_catalog() -> tuple[Any, Any]:
    """The example's questionnaire and the fixture catalog plus the shipped servers."""
    loaded = load.load_usecase(EXAMPLE)
    usecase, _ = normalise.normalise(loaded)
    catalog = load.load_catalog([SERVERS], today=dt.date(2026, 12, 1)).catalog
    return usecase, catalog


@settings(max_examples=40, deadline=None)
@given(
    low=st.floats(min_value=0.01, max_value=1.0),
    extra=st.floats(min_value=0.0, max_value=1.0),
    pue=st.floats(min_value=1.0, max_value=3.0),
)
def test_a_higher_electricity_price_never_lowers_a_servers_hourly_cost(
    low: float, extra: float, pue: float
) -> None:
    usecase, catalog = usecase_and_catalog()

    def hourly(price: float) -> np.ndarray:
        org = usecase.organisation.model_copy(update={"electricity_usd_per_kwh": price, "pue": pue})
        rows = owned.server_rows(usecase.model_copy(update={"organisation": org}), catalog)
        return rows["usd_per_gpu_hour"].to_numpy()

    cheap, dear = hourly(low), hourly(low + extra)
    assert len(cheap) == 1  # only the DGX H100 has a price (the questionnaire's)
    assert np.all(dear >= cheap)
    if extra > 1e-9:
        assert np.all(dear > cheap)


def test_a_higher_electricity_price_raises_the_make_total(tmp_path: Path) -> None:
    totals = []
    for price in (0.05, 0.30):
        report = owned_report(tmp_path, electricity_usd_per_kwh=price)
        totals.append(option(report, MAKE)["cost"]["total"])
    assert totals[1] > totals[0]
    assert json.dumps(totals)  # both priced
