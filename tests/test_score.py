"""The scoring engine on published and hand-worked examples, and its tie rule."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.pandas import column, data_frames

from makebuy.score import decision_scores


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
