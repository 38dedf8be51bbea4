import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportions_ztest

from stats import ChangeTest, compare_proportions, label_changes, margin_of_error, parse_percent
from stats.parse import Columns
from stats.tables import OUTPUT_COLUMNS


def small_table():
    return pd.DataFrame(
        {
            "id": ["a", "b", "c", "d", "e"],
            "previous": ["54%", "No comparable\ndata available", 71.0, "", "44"],
            "current": ["71%", "43%", "67", "60", " 25 % "],
            "n_previous": [100, 100, 100, None, 85],
            "n_current": [100, 100, 100, 100, 85],
        }
    )


def test_adds_exactly_the_output_columns_and_leaves_input_untouched():
    table = small_table()
    before = table.copy(deep=True)
    out = label_changes(table)
    pd.testing.assert_frame_equal(table, before)
    assert list(out.columns) == list(table.columns) + list(OUTPUT_COLUMNS)
    assert out["significant"].dtype == "boolean"
    # labelling a labelled table replaces the output columns and leaves its input untouched too
    out_before = out.copy(deep=True)
    again = label_changes(out, alpha=0.01)
    pd.testing.assert_frame_equal(out, out_before)
    assert list(again.columns) == list(out.columns)
    assert again.loc[0, "label"] == "no significant change" and out.loc[0, "label"] == "significant improvement"


def test_labels_hand_computed_and_statsmodels():
    out = label_changes(small_table()).set_index("id")
    # a: 54 -> 71 of 100: proportions_ztest([71, 54], [100, 100]) = (2.483009, 0.013028)
    z, p = proportions_ztest([71, 54], [100, 100])
    assert out.loc["a", "statistic"] == pytest.approx(z, rel=1e-12)
    assert out.loc["a", "pvalue"] == pytest.approx(p, rel=1e-12)
    assert out.loc["a", "difference"] == pytest.approx(0.17)
    assert out.loc["a", "label"] == "significant improvement"
    assert out.loc["a", "wording"] == "improved significantly"
    # c: 71 -> 67: z = -0.0400 / sqrt(0.69 * 0.31 * 0.02) = -0.611561 (hand)
    assert out.loc["c", "statistic"] == pytest.approx(-0.04 / np.sqrt(0.69 * 0.31 * 0.02), rel=1e-12)
    assert out.loc["c", "label"] == "no significant change"
    assert out.loc["c", "wording"] == "no significant change (-4 points)"
    # e: 44 -> 25 of 85: significant decline
    assert out.loc["e", "label"] == "significant decline"
    assert out.loc["e", "wording"] == "declined significantly"
    for row in ("b", "d"):
        assert out.loc[row, "label"] == "no comparable data"
        assert out.loc[row, "significant"] is pd.NA
        assert np.isnan(out.loc[row, "pvalue"]) and np.isnan(out.loc[row, "statistic"])
    assert out.loc["a", "margin_current"] == pytest.approx(margin_of_error(100))
    assert np.isnan(out.loc["b", "margin_previous"]) and out.loc["b", "margin_current"] > 0


def test_wording_states_non_significant_changes_with_their_size():
    # 51 % is impossible with 20 cases or fewer (an error); 46 % is 6/13
    t = pd.DataFrame(
        {"previous": [50, 50, 50, 50, 45], "current": [54, 59, 41, 50, 46], "n_previous": 20, "n_current": 20}
    )
    out = label_changes(t)
    assert list(out["label"]) == ["no significant change"] * 5
    assert list(out["wording"]) == [
        "no significant change (+4 points)",
        "no significant change (+9 points)",
        "no significant change (-9 points)",
        "no significant change (0 points)",
        "no significant change (+1 point)",
    ]
    # direction does not change the words of a non-significant change, only of a significant one
    assert list(label_changes(t, higher_is_better=False)["wording"]) == list(out["wording"])
    big = pd.DataFrame({"previous": [50, 50], "current": [80, 20], "n_previous": 100, "n_current": 100})
    assert list(label_changes(big, higher_is_better=False)["wording"]) == [
        "declined significantly",
        "improved significantly",
    ]


def test_counts_are_used_instead_of_percentages():
    t = pd.DataFrame(
        {"previous_count": [54, 3], "current_count": [71, 1], "n_previous": [100, 7], "n_current": [100, 9]}
    )
    out = label_changes(t)
    res = compare_proportions(np.array([54 / 100, 3 / 7]), [100, 7], np.array([71 / 100, 1 / 9]), [100, 9])
    np.testing.assert_allclose(out["pvalue"], res.pvalue, rtol=1e-12)
    np.testing.assert_allclose(out["difference"], np.asarray(res.difference), rtol=1e-12)


def test_counts_take_precedence_where_given():
    t = pd.DataFrame(
        {
            "previous": [43, 43],
            "current": [57, 57],
            "previous_count": [3, None],
            "current_count": [4, None],
            "n_previous": [7, 7],
            "n_current": [7, 7],
        }
    )
    out = label_changes(t)
    assert out.loc[0, "difference"] == pytest.approx(1 / 7)
    assert out.loc[1, "difference"] == pytest.approx(0.14)


def test_alpha_and_variants_are_passed_through():
    t = pd.DataFrame({"previous": [49], "current": [61], "n_previous": [100], "n_current": [100]})
    assert bool(label_changes(t)["significant"].iloc[0]) is True
    assert bool(label_changes(t, method="pooled-cc")["significant"].iloc[0]) is False
    assert bool(label_changes(t, ChangeTest(method="pooled-cc"))["significant"].iloc[0]) is False
    assert bool(label_changes(t, alpha=0.05)["significant"].iloc[0]) is False


def test_population_columns():
    t = pd.DataFrame(
        {"previous": [54], "current": [71], "n_previous": [100], "n_current": [100], "N_prev": [250], "N_cur": [250]}
    )
    spec = ChangeTest(finite_population=True)
    out = label_changes(t, spec, columns=Columns(population_previous="N_prev", population_current="N_cur"))
    ref = compare_proportions(0.54, 100, 0.71, 100, test=spec, population_previous=250, population_current=250)
    assert out.loc[0, "statistic"] == pytest.approx(ref.statistic)
    assert out.loc[0, "margin_current"] == pytest.approx(margin_of_error(100, 250))
    with pytest.raises(ValueError, match=r"population columns were named but the test has no finite population"):
        label_changes(t, columns=Columns(population_previous="N_prev", population_current="N_cur"))
    with pytest.raises(ValueError, match=r"finite_population=True\) but no population columns were named"):
        label_changes(t, spec)


def test_zero_and_hundred_percent_are_data():
    t = pd.DataFrame(
        {"previous": ["0%", "100%", "0%"], "current": ["0%", "100%", "5%"], "n_previous": 100, "n_current": 100}
    )
    out = label_changes(t)
    assert list(out["pvalue"][:2]) == [1.0, 1.0]
    assert list(out["label"]) == ["no significant change", "no significant change", "significant improvement"]


def test_whole_report_matches_compare_proportions(report):
    out = label_changes(report.prompts)
    assert len(out) == 76
    testable = out["previous"].notna() & out["current"].notna()
    assert testable.sum() == 51
    # the test runs at the counts the figures imply (columns count_* and n_used_*; the counts
    # themselves are checked against a brute-force oracle in test_counts.py)
    t = out.loc[testable]
    k1, m1, k2, m2 = (
        t[c].to_numpy(float) for c in ("count_previous", "n_used_previous", "count_current", "n_used_current")
    )
    assert (k1 == np.floor(k1)).all() and (k2 == np.floor(k2)).all()
    ref = compare_proportions(k1 / m1, m1, k2 / m2, m2)
    np.testing.assert_allclose(t["pvalue"], ref.pvalue, rtol=1e-12)
    # every n used is the stated one except where the figure is impossible at the stated n
    assert ((m2 == t["n_current"]) | (t["count_source"] == "implied at a lower n")).all()
    assert (out.loc[~testable, "label"] == "no comparable data").all()
    counts = out["label"].value_counts()
    assert counts["significant improvement"] == 15 and counts["significant decline"] == 2


@pytest.mark.parametrize(
    "value, expected",
    [("71%", 71.0), ("71", 71.0), (71, 71.0), (71.0, 71.0), (" 0 %", 0.0), ("100%", 100.0), ("12.5%", 12.5)],
)
def test_parse_percent_values(value, expected):
    assert parse_percent(value) == expected


@pytest.mark.parametrize(
    "value", ["", None, float("nan"), "No comparable data available", "no  comparable\ndata\navailable"]
)
def test_parse_percent_missing(value):
    assert np.isnan(parse_percent(value))


@pytest.mark.parametrize(
    "value, match",
    [
        ("71 percent", r"value '71 percent' is not a percentage"),
        (171, r"value 171 is not a percentage from 0 to 100"),
        ("-3%", r"value '-3%' is not a percentage from 0 to 100"),
    ],
)
def test_parse_percent_errors(value, match):
    with pytest.raises(ValueError, match=match):
        parse_percent(value)


@pytest.mark.parametrize(
    "column, value, match",
    [
        ("current", "seventy", r"row 2, column 'current': 'seventy' is not a percentage"),
        ("previous", "171%", r"row 2, column 'previous': '171%' is not a percentage from 0 to 100"),
        ("n_current", "ten", r"row 2, column 'n_current': 'ten' is not a whole number"),
        ("n_previous", "0", r"row 2, column 'n_previous': must be a whole number >= 1 \(got '0'\)"),
        (
            "n_previous",
            "",
            r"row 2, column 'n_previous': the number of cases is required where both percentages are given",
        ),
    ],
)
def test_bad_values_name_row_and_column(column, value, match):
    t = pd.DataFrame(
        {"previous": ["54%"] * 3, "current": ["71%"] * 3, "n_previous": ["100"] * 3, "n_current": ["100"] * 3}
    )
    t.loc[2, column] = value
    with pytest.raises(ValueError, match=match):
        label_changes(t)


def test_missing_column_and_bad_options():
    t = pd.DataFrame({"previous": [54], "current": [71], "n_current": [100]})
    with pytest.raises(ValueError, match=r"table has no column 'n_previous'"):
        label_changes(t)
    t["n_previous"] = 100
    with pytest.raises(ValueError, match=r"alpha must be strictly between 0 and 1 \(got 0.0\)"):
        label_changes(t, alpha=0.0)
    with pytest.raises(TypeError, match=r"table must be a pandas DataFrame \(got list\)"):
        label_changes([1, 2])
    t2 = pd.DataFrame({"previous_count": [120], "current_count": [50], "n_previous": [100], "n_current": [100]})
    with pytest.raises(ValueError, match=r"row 0, column 'previous_count': a count cannot exceed its n"):
        label_changes(t2)
