"""One parser for every view: unit, consistency and shape rules of a user's table."""

import numpy as np
import pandas as pd
import pytest

from stats import ChangeTest, label_changes
from stats.parse import CANONICAL_COLUMNS, parse_table


def table(**overrides):
    base = {"previous": ["54%", "61%"], "current": ["71%", "49%"], "n_previous": [100, 100], "n_current": [100, 100]}
    base.update(overrides)
    return pd.DataFrame(base)


def test_canonical_frame_columns_and_values():
    t = table(previous_count=[54, None], current_count=[None, 49])
    parsed = parse_table(t)
    assert tuple(parsed.columns) == CANONICAL_COLUMNS
    assert parsed["previous"].tolist() == [0.54, 0.61]
    assert parsed["current_count"].isna().tolist() == [True, False]
    assert parsed["testable"].all() and np.isinf(parsed["population_current"]).all()


def test_proportions_given_as_percentages_are_refused_with_a_hint():
    t = table(previous=[0.54, 0.61], current=[0.71, 0.49])
    with pytest.raises(
        ValueError, match=r"column 'previous': every value is at most 1 .*row 0: 0.54.*scale='proportion'"
    ):
        label_changes(t)
    out = label_changes(t, scale="proportion")
    assert out["label"].tolist() == ["significant improvement", "significant decline"]
    same = label_changes(table())
    np.testing.assert_allclose(out["pvalue"], same["pvalue"], rtol=1e-12)


def test_all_zero_percent_is_valid_data_not_a_unit_mistake():
    t = table(previous=["0%", "0%"], current=["0%", "5%"])
    out = label_changes(t)
    assert out["label"].tolist() == ["no significant change", "significant improvement"]


def test_proportion_scale_rejects_percentages():
    with pytest.raises(ValueError, match=r"row 0, column 'previous': '54%' is not a proportion from 0 to 1"):
        label_changes(table(), scale="proportion")


def test_counts_that_disagree_with_percentages_are_an_error_naming_the_row():
    t = table(previous_count=[54, 61], current_count=[80, 49])  # 80/100 is not 71 %
    with pytest.raises(
        ValueError,
        match=r"row 0: column 'current_count' \(80 of 100.0 = 80.00%\) disagrees with column 'current' \('71%'\)",
    ):
        label_changes(t)
    # within rounding is fine: 3/7 = 42.86 % published as 43 %
    ok = pd.DataFrame(
        {
            "previous": [43],
            "current": [57],
            "previous_count": [3],
            "current_count": [4],
            "n_previous": [7],
            "n_current": [7],
        }
    )
    assert label_changes(ok)["difference"].iloc[0] == pytest.approx(1 / 7)


def test_duplicate_and_blank_column_names_are_errors():
    t = pd.DataFrame(
        [["54%", "71%", 100, 100, "60%"]], columns=["previous", "current", "n_previous", "n_current", "previous"]
    )
    with pytest.raises(ValueError, match=r"duplicate column names \['previous'\]"):
        label_changes(t)
    t = pd.DataFrame(
        [["54%", "71%", 100, 100, 1]], columns=["previous", "current", "n_previous", "n_current", "Unnamed: 4"]
    )
    with pytest.raises(ValueError, match=r"blank column names \(column 5\)"):
        label_changes(t)


def test_labelled_frame_carries_its_test_and_intervals_are_dual():
    spec = ChangeTest(alpha=0.05, method="pooled-cc")
    out = label_changes(table(), spec, intervals=True)
    assert out.attrs["change_test"] is spec
    excludes = (out["ci_low"] > 0) | (out["ci_high"] < 0)
    assert excludes.tolist() == out["significant"].astype(bool).tolist()
    assert list(out.columns[-10:]) == [
        "ci_low",
        "ci_high",
        "margin_previous",
        "margin_current",
        "wording",
        "count_previous",
        "n_used_previous",
        "count_current",
        "n_used_current",
        "count_source",
    ]
