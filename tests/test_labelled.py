"""One carrier for a labelled table: the checks read its specification and parsed arrays, never re-parse."""

import copy

import numpy as np
import pandas as pd
import pytest

from stats import ChangeTest, label_changes
from stats._labelled import ATTR, LabelledTable, carrier_of
from stats.consistency import robust_labels
from stats.exact import compare_methods


@pytest.fixture
def labelled():
    t = pd.DataFrame(
        {
            "previous": ["54%", "61%", "No comparable data available", "87"],
            "current": ["71%", "49%", "43%", "100"],
            "n_previous": [100, 100, 100, 24],
            "n_current": [100, 100, 100, 24],
        }
    )
    return label_changes(t, ChangeTest(alpha=0.05), rounding="half-even")


def test_the_labelled_frame_carries_its_test_rounding_and_parsed_arrays(labelled):
    carrier = carrier_of(labelled)
    assert isinstance(carrier, LabelledTable)
    assert carrier.test == ChangeTest(alpha=0.05) and carrier.rounding == "half-even"
    np.testing.assert_array_equal(carrier.parsed["current"], [0.71, 0.49, 0.43, 1.0])
    np.testing.assert_array_equal(carrier.counts["n_used_previous"], labelled["n_used_previous"])
    with pytest.raises(ValueError, match="read-only"):
        carrier.parsed["current"][0] = 0.0
    # pandas deep-copies attrs: the carrier copies as itself
    assert copy.deepcopy(labelled).attrs[ATTR] is carrier and labelled.copy().attrs[ATTR] is carrier
    assert "rows=4" in repr(carrier)


def test_checks_read_the_carrier_and_do_not_parse_again(labelled, monkeypatch):
    import stats.consistency
    import stats.tables

    def refuse(*args, **kwargs):
        raise AssertionError("the labelled table was parsed again")

    monkeypatch.setattr(stats.consistency, "parse_table", refuse)
    monkeypatch.setattr(stats.tables, "parse_arrays", refuse)
    robust = robust_labels(labelled)
    assert robust.attrs["rounding"] == "half-even" and robust.attrs["change_test"] == ChangeTest(alpha=0.05)
    compared = compare_methods(labelled, exact="fisher")
    assert compared.attrs["change_test"] == ChangeTest(alpha=0.05)
    # the exact tests run at the label's counts: 87 % of 24 is 20/23
    assert (compared.loc[3, "k_previous"], compared.loc[3, "n_previous"]) == (20, 23)


def test_a_frame_whose_rows_changed_is_not_carried(labelled):
    subset = labelled[labelled["pvalue"].notna()]
    assert carrier_of(subset) is None
    # the checks still work on it: they parse the subset itself
    robust = robust_labels(subset)
    assert list(robust.index) == list(subset.index)
    # another test stated by the caller is refused, as before
    with pytest.raises(ValueError, match="the table was labelled with"):
        robust_labels(labelled, ChangeTest())
