"""The robustness stage: weight sampling, method agreement and tipping points, in every
report, and consistent with the ranking they describe."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from makebuy import cost, pipeline, robustness
from makebuy.models.result import CRITERIA

from .conftest import EXAMPLES
from .helpers import assess_json

CLAIMS = EXAMPLES / "claims-summaries-regulated.yaml"


@pytest.mark.parametrize("fmt", ["table", "markdown", "html", "json"])
def test_every_report_carries_the_verdict_and_tipping_points(cli, fmt: str) -> None:
    # The ticket-routing example, where TOPSIS disagrees with the weighted sum.
    tickets = EXAMPLES / "ticket-routing-high-volume.yaml"
    out = cli("assess", tickets, "--format", fmt).stdout
    verdict = json.loads(cli("assess", tickets, "--format", "json").stdout)["robustness"]
    text = " ".join((out if fmt != "html" else out.replace("&#39;", "'")).split())
    assert verdict["verdict"] in text
    assert "TOPSIS disagrees" in text
    assert "Nearest priority tipping point" in text
    if fmt == "html":
        assert 'id="chart-acceptability"' in out and 'id="chart-tornado"' in out


def test_acceptability_sums_to_one_and_the_winner_is_named() -> None:
    r = assess_json(CLAIMS)["robustness"]
    shares = r["first_rank_acceptability"]
    assert sum(shares.values()) == pytest.approx(1.0, abs=1e-3)
    report = assess_json(CLAIMS)
    winner = report["recommendation"]["option"]
    title = next(o["title"] for o in report["options"] if o["id"] == winner)
    assert next(iter(shares)) == winner and r["verdict"].startswith(title)
    assert set(r["central_weights"]) == set(shares)
    for weights in r["central_weights"].values():
        assert sum(weights.values()) == pytest.approx(1.0, abs=1e-3)


def _with_volume(tmp_path: Path, factor: float) -> Path:
    doc = yaml.safe_load(CLAIMS.read_text())
    vol = doc["volume"]
    vol["requests_per_month"] = vol["requests_per_month"] * factor
    if vol.get("peak_requests_per_second") is not None:
        vol["peak_requests_per_second"] = vol["peak_requests_per_second"] * factor
    path = tmp_path / f"claims-{factor:.6f}.yaml"
    path.write_text(yaml.safe_dump(doc))
    return path


def test_a_volume_tipping_point_is_where_a_full_reassessment_changes_winner(tmp_path) -> None:
    # Each tip is located to one step of the fine grid (1000^(1/960), about 0.72%): just
    # below that step the old winner holds, at the tip the new one wins, when the whole
    # questionnaire is assessed again at that volume.
    tips = assess_json(CLAIMS)["robustness"]["volume_tipping"]
    assert tips
    for tip in tips:
        below = assess_json(_with_volume(tmp_path, tip["factor"] / 1.0078))
        above = assess_json(_with_volume(tmp_path, tip["factor"] * 1.0005))
        assert below["recommendation"]["option"] == tip["below"]
        assert above["recommendation"]["option"] == tip["above"]


def test_a_priority_tipping_point_is_where_the_winner_changes(tmp_path) -> None:
    report = assess_json(CLAIMS)
    doc = yaml.safe_load(CLAIMS.read_text())
    stated = report["robustness"]["priority_tipping"]
    checked = 0
    for t in stated:
        for new, expected in ((t["lower"], t["lower_winner"]), (t["higher"], t["higher_winner"])):
            if new is None:
                continue
            changed = {**doc, "priorities": {**doc.get("priorities", {}), t["criterion"]: new}}
            path = tmp_path / f"{t['criterion']}-{new}.yaml"
            path.write_text(yaml.safe_dump(changed))
            assert assess_json(path)["recommendation"]["option"] == expected
            checked += 1
    assert checked >= 2  # the claims example states tips on both sides of two criteria


def test_cost_curves_reproduce_every_cost_at_todays_volume() -> None:
    for example in sorted(EXAMPLES.glob("*.yaml")):
        run = pipeline.assess(example, with_robustness=False)
        totals, _ = cost.totals_at_volumes(
            run.usecase, run.catalog, run.costed, run.capacity, np.array([1.0])
        )
        for c in run.costed:
            if c.cost is not None and c.gate.eligible:
                # (hybrids add their legs' monthly figures, which are rounded to cents)
                assert totals[c.gate.option.id][0] == pytest.approx(c.cost.total, rel=1e-6, abs=0.5)


@st.composite
def problems(draw: st.DrawFn) -> tuple[pd.DataFrame, dict[str, int]]:
    n = draw(st.integers(2, 7))
    unit = st.sampled_from([0.1, 0.3, 0.5, 0.7, 1.0])
    rows = {
        "cost": draw(st.lists(st.floats(1e3, 1e7), min_size=n, max_size=n, unique=True)),
        "capability": draw(st.lists(st.floats(1, 100), min_size=n, max_size=n, unique=True)),
        **{c: draw(st.lists(unit, min_size=n, max_size=n)) for c in CRITERIA[2:]},
    }
    priorities = {c: draw(st.integers(0, 5)) for c in CRITERIA}
    priorities["cost"] = max(priorities["cost"], 1)
    return pd.DataFrame(rows, index=[f"o{i}" for i in range(n)])[list(CRITERIA)], priorities


@settings(max_examples=60, deadline=None)
@given(problems(), st.sampled_from(["weighted-sum", "topsis"]))
def test_the_vectorised_winner_is_the_reports_winner(problem, method) -> None:
    matrix, priorities = problem
    expected = robustness.winner(matrix, priorities, method)
    weights = np.array([[priorities[c] for c in CRITERIA]], dtype=float)
    ranking = list(matrix.index)
    index = robustness.sample_winners(matrix, ranking, weights / weights.sum(), method)[0]
    batch = robustness.batch_winners(matrix.to_numpy()[None], weights[0], method, ranking)[0]
    assert ranking[index] == expected
    assert ranking[batch] == expected


@settings(max_examples=40, deadline=None)
@given(problems(), st.sampled_from(["weighted-sum", "topsis"]))
def test_priority_tips_are_the_nearest_changes(problem, method) -> None:
    matrix, priorities = problem
    current = robustness.winner(matrix, priorities, method)
    ranking = [current, *[o for o in matrix.index if o != current]]
    for t in robustness.priority_tipping(matrix, ranking, priorities, method):
        for new, expected, between in (
            (t.lower, t.lower_winner, range(-1 if t.lower is None else t.lower, t.priority)),
            (t.higher, t.higher_winner, range(t.priority + 1, 6 if t.higher is None else t.higher)),
        ):
            for p in between:  # nothing nearer changes the winner
                if p < 0 or p == new:
                    continue
                changed = {**priorities, t.criterion: p}
                if any(changed.values()):
                    assert robustness.winner(matrix, changed, method) == current
            if new is not None:
                assert robustness.winner(matrix, {**priorities, t.criterion: new}, method) == (
                    expected
                )


def test_sampling_is_seeded() -> None:
    a = robustness.sample_weights(dict.fromkeys(CRITERIA, 3), 100, robustness.SEED)
    b = robustness.sample_weights(dict.fromkeys(CRITERIA, 3), 100, robustness.SEED)
    assert (a == b).all() and np.allclose(a.sum(axis=1), 1.0)
    zero = robustness.sample_weights({**dict.fromkeys(CRITERIA, 3), "cost": 0}, 100, 1)
    assert (zero[:, CRITERIA.index("cost")] == 0).all()  # "ignore" stays ignored


UNCERTAIN = Path(__file__).parent / "data" / "uncertain-support-bot.yaml"


def test_uncertain_inputs_give_cost_ranges_and_the_cheapest_share(cli) -> None:
    report = assess_json(UNCERTAIN)
    cu = report["robustness"]["cost_uncertainty"]
    assert cu["scenarios"] == robustness.SCENARIOS
    for o in cu["options"]:
        assert o["p10"] <= o["p50"] <= o["p90"]
    assert 0.99 <= sum(o["cheapest_share"] for o in cu["options"]) <= 1.0 + 1e-9
    trend = next(i for i in cu["inputs"] if i["input"] == "api_price_trend_per_year")
    assert trend["basis"].startswith("the catalog's price history")  # the sourced default
    assert "openai/gpt-3.5-turbo" in trend["basis"]
    text = " ".join(cli("assess", UNCERTAIN, "-f", "markdown").stdout.split())
    assert "Under the stated ranges (1,000 scenarios)" in text
    assert "| Option | P10 | P50 | P90 | Cheapest in |" in text


def test_a_range_without_spread_reproduces_the_assessed_cost(tmp_path: Path) -> None:
    doc = yaml.safe_load(UNCERTAIN.read_text())
    rpm = doc["volume"]["requests_per_month"]
    doc["uncertainty"] = {
        "requests_per_month": {"low": rpm, "likely": rpm, "high": rpm},
        "api_price_trend_per_year": {"low": 0, "likely": 0, "high": 0},
    }
    path = tmp_path / "flat.yaml"
    path.write_text(yaml.safe_dump(doc))
    report = assess_json(path)
    totals = {o["id"]: o["cost"]["total"] for o in report["options"] if o["cost"]}
    for o in report["robustness"]["cost_uncertainty"]["options"]:
        # (API costs add monthly figures rounded to cents)
        assert o["p10"] == o["p50"] == o["p90"] == pytest.approx(totals[o["option"]], abs=0.5)


def test_without_an_uncertainty_section_there_are_no_ranges_and_the_digest_holds() -> None:
    report = assess_json(CLAIMS)
    assert report["robustness"]["cost_uncertainty"] is None
    golden = json.loads(
        (Path(__file__).parent / "golden" / "claims-summaries-regulated.json").read_text()
    )
    assert report["usecase"]["digest"] == golden["usecase"]["digest"]


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"growth_per_year": {"low": 0.5, "likely": 0.2, "high": 1}}, "low <= likely <= high"),
        ({"gpu_price_factor": {"low": 0, "likely": 1, "high": 2}}, "must be above 0"),
    ],
)
def test_a_bad_range_names_its_field(cli, tmp_path: Path, section, message) -> None:
    doc = yaml.safe_load(UNCERTAIN.read_text())
    doc["uncertainty"] = section
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(doc))
    result = cli("assess", path)
    assert result.exit_code == 2
    assert "uncertainty" in result.stderr and message in result.stderr


def test_rank_acceptability_places_every_sample_once_per_place() -> None:
    r = assess_json(CLAIMS)["robustness"]
    ranks = r["rank_acceptability"]
    for place in range(robustness.RANK_PLACES):
        assert sum(shares[place] for shares in ranks.values()) == pytest.approx(1.0, abs=1e-3)
    assert {oid: shares[0] for oid, shares in ranks.items() if shares[0] > 0} == r[
        "first_rank_acceptability"
    ]


@settings(max_examples=30, deadline=None)
@given(problems(), st.sampled_from(["weighted-sum", "topsis"]))
def test_the_sampled_order_at_the_stated_weights_is_the_reports_order(problem, method) -> None:
    matrix, priorities = problem
    from makebuy.score import BENEFIT, LOG_SCALE, decision_scores, dominance_order

    table = decision_scores(
        matrix, priorities, BENEFIT, method=method, log_scale=LOG_SCALE,
        tie_breaker=matrix["cost"],
    )  # fmt: skip
    expected, _ = dominance_order(matrix, table.ranking, priorities)
    weights = np.array([[priorities[c] for c in CRITERIA]], dtype=float)
    ranking = list(matrix.index)
    places = min(3, len(ranking))
    order = robustness.sample_orders(matrix, ranking, weights / weights.sum(), method, places)
    assert [ranking[i] for i in order[0]] == expected[:places]
