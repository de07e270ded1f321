"""The scoring engine on published and hand-worked examples, and its tie rule."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.pandas import column, data_frames

from makebuy.models.result import CRITERIA
from makebuy.score import (
    BENEFIT,
    LOG_SCALE,
    PREFERENCE_CRITERIA,
    decision_scores,
    dominance_order,
    neutral_criteria,
)

from .conftest import DATA
from .helpers import assess_json


def test_topsis_matches_the_published_facility_location_example() -> None:
    # Papathanasiou & Ploskas (2018), Multiple Criteria Decision Aid, Springer, ch. 2
    # (TOPSIS), first facility-location example: six sites, four benefit criteria. The
    # book reports closeness 0.387, 0.327, 0.391, 0.615, 0.868, 0.493 from intermediate
    # values rounded to three decimals, hence the tolerance.
    matrix = pd.DataFrame(
        [[8, 7, 2, 1], [5, 3, 7, 5], [7, 5, 6, 4], [9, 9, 7, 3], [11, 10, 3, 7], [6, 9, 5, 4]],
        columns=["c1", "c2", "c3", "c4"],
        index=[f"site{i}" for i in range(1, 7)],
    )
    result = decision_scores(
        matrix,
        weights={"c1": 0.4, "c2": 0.3, "c3": 0.1, "c4": 0.2},
        benefit=dict.fromkeys(matrix.columns, True),
        method="topsis",
    )
    published = [0.387, 0.327, 0.391, 0.615, 0.868, 0.493]
    assert result.scores.tolist() == pytest.approx(published, abs=1e-3)
    assert result.ranking == ["site5", "site4", "site6", "site3", "site1", "site2"]


def test_weighted_sum_min_max_worked_by_hand() -> None:
    # price (cost criterion) 100/200/300 -> 1, 0.5, 0; quality 10/30/20 -> 0, 1, 0.5.
    matrix = pd.DataFrame(
        {"price": [100.0, 200.0, 300.0], "quality": [10.0, 30.0, 20.0]}, index=["a", "b", "c"]
    )
    result = decision_scores(
        matrix, weights={"price": 3, "quality": 1}, benefit={"price": False, "quality": True}
    )
    assert result.weights.tolist() == [0.75, 0.25]
    assert result.normalised["price"].tolist() == [1.0, 0.5, 0.0]
    assert result.normalised["quality"].tolist() == [0.0, 1.0, 0.5]
    assert result.scores.tolist() == pytest.approx([0.75, 0.625, 0.125])
    assert result.ranking == ["a", "b", "c"]


def test_log_scale_is_anchored_at_the_cheapest_option() -> None:
    # 1 for the cheapest, a half less per tenfold, 0 from 100x on.
    matrix = pd.DataFrame(
        {"cost": [1_000.0, 10_000.0, 100_000.0, 5_000_000.0]}, index=["w", "x", "y", "z"]
    )
    result = decision_scores(
        matrix, weights={"cost": 1}, benefit={"cost": False}, log_scale=frozenset({"cost"})
    )
    assert result.normalised["cost"].tolist() == pytest.approx([1.0, 0.5, 0.0, 0.0])


def test_an_expensive_outlier_does_not_reorder_the_leaders() -> None:
    base = pd.DataFrame(
        {"cost": [33_791.0, 77_979.0], "control": [0.2, 0.8]}, index=["deepinfra", "bedrock"]
    )
    outlier = pd.concat([base, pd.DataFrame({"cost": [9.3e6], "control": [0.8]}, index=["falcon"])])
    args = {
        "weights": {"cost": 5, "control": 1},
        "benefit": {"cost": False, "control": True},
        "log_scale": frozenset({"cost"}),
    }
    without = decision_scores(base, **args).ranking
    with_outlier = [o for o in decision_scores(outlier, **args).ranking if o != "falcon"]
    assert with_outlier == without
    # and the outlier's cost leaves the leaders' normalised cost untouched
    assert decision_scores(outlier, **args).normalised.loc[
        ["deepinfra", "bedrock"], "cost"
    ].tolist() == pytest.approx(decision_scores(base, **args).normalised["cost"].tolist())


def test_ties_break_on_the_tie_breaker_then_the_name() -> None:
    matrix = pd.DataFrame({"q": [1.0, 1.0, 1.0]}, index=["b", "a", "c"])
    cost = pd.Series({"a": 5.0, "b": 5.0, "c": 1.0})
    result = decision_scores(matrix, {"q": 1}, {"q": True}, tie_breaker=cost)
    assert result.ranking == ["c", "a", "b"]


def test_a_criterion_where_all_are_equal_gives_everyone_full_marks() -> None:
    matrix = pd.DataFrame({"q": [2.0, 2.0], "p": [1.0, 3.0]}, index=["a", "b"])
    result = decision_scores(matrix, {"q": 1, "p": 1}, {"q": True, "p": False})
    assert result.normalised["q"].tolist() == [1.0, 1.0]


@given(
    data_frames(
        [
            column("cost", elements=st.floats(1, 1e7)),
            column("quality", elements=st.floats(0, 100)),
        ],
        index=st.just(pd.RangeIndex(4)),
    ),
    st.sampled_from(["weighted-sum", "topsis"]),
)
def test_scores_lie_in_zero_one_and_the_ranking_is_a_permutation(
    matrix: pd.DataFrame, method: str
) -> None:
    matrix.index = [f"o{i}" for i in range(len(matrix))]
    result = decision_scores(
        matrix,
        {"cost": 2, "quality": 1},
        {"cost": False, "quality": True},
        method=method,  # type: ignore[arg-type]
        log_scale=frozenset({"cost"}),
        tie_breaker=matrix["cost"],
    )
    assert np.all((result.scores >= -1e-9) & (result.scores <= 1 + 1e-9))
    assert sorted(result.ranking) == sorted(matrix.index)


@given(st.floats(1, 1e6), st.floats(1, 1e6))
def test_a_cheaper_option_that_is_otherwise_equal_never_ranks_lower(a: float, b: float) -> None:
    matrix = pd.DataFrame({"cost": [a, b], "quality": [50.0, 50.0]}, index=["a", "b"])
    result = decision_scores(matrix, {"cost": 1, "quality": 1}, {"cost": False, "quality": True})
    if a < b:
        assert result.ranking[0] == "a"
    elif b < a:
        assert result.ranking[0] == "b"


# ---------------------------------------------------------------- the ranking rule

PRIORITY = st.integers(0, 5)


@st.composite
def decision_problems(draw: st.DrawFn) -> tuple[pd.DataFrame, dict[str, int], str]:
    """A scored matrix of 2-8 options over makebuy's seven criteria, priorities and method."""
    n = draw(st.integers(2, 8))
    unit = st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.75, 1.0])
    rows = {
        "cost": draw(st.lists(st.floats(1e3, 1e7), min_size=n, max_size=n)),
        "capability": draw(st.lists(st.floats(0, 100), min_size=n, max_size=n)),
        **{c: draw(st.lists(unit, min_size=n, max_size=n)) for c in CRITERIA[2:]},
    }
    matrix = pd.DataFrame(rows, index=[f"o{i}" for i in range(n)])[list(CRITERIA)]
    priorities = {c: draw(PRIORITY) for c in CRITERIA}
    if not any(priorities.values()):
        priorities["cost"] = 3
    return matrix, priorities, draw(st.sampled_from(["weighted-sum", "topsis"]))


@given(decision_problems())
def test_a_dearer_weaker_option_outranks_only_on_a_priority_above_cost_and_capability(
    problem: tuple[pd.DataFrame, dict[str, int], str],
) -> None:
    matrix, priorities, method = problem
    table = decision_scores(
        matrix, priorities, BENEFIT, method=method, log_scale=LOG_SCALE,  # type: ignore[arg-type]
        tie_breaker=matrix["cost"],
    )  # fmt: skip
    ranking, notes = dominance_order(matrix, table.ranking, priorities)
    assert sorted(ranking) == sorted(matrix.index)
    position = {oid: i for i, oid in enumerate(ranking)}
    floor = max(priorities["cost"], priorities["capability"])
    for a in matrix.index:
        for b in matrix.index:
            dearer = matrix.at[b, "cost"] > matrix.at[a, "cost"] + 1e-9
            weaker = matrix.at[b, "capability"] < matrix.at[a, "capability"] - 1e-9
            if dearer and weaker and position[b] < position[a]:
                deciding = [
                    c
                    for c in PREFERENCE_CRITERIA
                    if priorities[c] > floor and matrix.at[b, c] > matrix.at[a, c] + 1e-9
                ]
                assert deciding, f"{b} outranks cheaper, stronger {a} with no priority for it"
                relation, _, criterion = notes[b]
                assert relation == "stands-above" and criterion in PREFERENCE_CRITERIA


@given(decision_problems())
def test_the_rule_leaves_a_ranking_without_dominated_pairs_alone(
    problem: tuple[pd.DataFrame, dict[str, int], str],
) -> None:
    matrix, priorities, method = problem
    matrix = matrix.assign(capability=matrix["cost"].rank().to_numpy() * 10.0)  # dearer = better
    table = decision_scores(matrix, priorities, BENEFIT, method=method)  # type: ignore[arg-type]
    ranking, notes = dominance_order(matrix, table.ranking, priorities)
    assert ranking == table.ranking and notes == {}


def test_a_criterion_on_which_every_option_ties_is_neutral() -> None:
    matrix = pd.DataFrame(
        {c: [1.0, 2.0, 3.0] if c in ("cost", "capability") else [0.5] * 3 for c in CRITERIA},
        index=["a", "b", "c"],
    )
    assert neutral_criteria(matrix) == list(CRITERIA[2:])
    assert neutral_criteria(matrix.iloc[:1]) == []


def test_the_seed_era_case_does_not_buy_a_dearer_weaker_model_at_default_priorities() -> None:
    # As of 2023-09-01, internal chat, 1M MAU, default priorities (all 3): the winner may not
    # be both dearer and less capable than another scored option (it was self-hosted
    # Llama 2 13B at 3.7x the cost of gpt-3.5-turbo before the rule).
    report = assess_json(DATA / "seed-era-internal-chat.yaml", "--as-of", "2023-09-01")
    scored = [o for o in report["options"] if o["rank"] is not None]
    winner = scored[0]
    for other in scored[1:]:
        assert not (
            winner["cost"]["total"] > other["cost"]["total"]
            and winner["criteria"]["capability"]["raw"] < other["criteria"]["capability"]["raw"]
        ), f"{winner['id']} is dearer and weaker than {other['id']}"
    assert winner["kind"] == "buy"


def test_a_preference_above_cost_and_capability_may_decide_and_is_named(tmp_path) -> None:
    doc = yaml.safe_load((DATA / "seed-era-internal-chat.yaml").read_text())
    doc["priorities"] = {
        "data_control": 5,
        "cost": 2,
        "capability": 2,
        "operational_simplicity": 1,
        "support_and_safety": 1,
    }
    path = tmp_path / "usecase.yaml"
    path.write_text(yaml.safe_dump(doc))
    report = assess_json(path, "--as-of", "2023-09-01")
    winner = next(o for o in report["options"] if o["rank"] == 1)
    assert winner["kind"] == "make"
    notes = [o["rank_note"] for o in report["options"] if o["rank_note"]]
    assert any("data control (priority 5) is above cost (2) and capability (2)" in n for n in notes)
