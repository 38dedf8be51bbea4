"""The bulk parsers (stats._fastcsv.parse_percent_text, parse_count_text) give stats.parse's values and errors.

The reference is the parser's own route (stats.parse.parse_percent_series with the bulk path
switched off); hypothesis draws columns of published percentages, no-data texts, blanks and
mistakes, and every outcome (the values, or the exception's type and message) must be the same.
"""

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stats import _fastcsv as F
from stats import parse

pytestmark = pytest.mark.skipif(not F.AVAILABLE, reason="pyarrow is not installed")

blank = st.sampled_from(["", " ", "\t", "  \t "])
digits = st.text("0123456789", min_size=1, max_size=4)
plain_number = st.one_of(
    st.integers(0, 100).map(str),
    st.builds(lambda a, b: f"{a}.{b}", st.integers(0, 100), st.text("0123456789", min_size=1, max_size=6)),
    st.builds(lambda b: f".{b}", st.text("0123456789", min_size=1, max_size=6)),
    st.builds(lambda z, a: "0" * z + str(a), st.integers(1, 3), st.integers(0, 100)),  # leading zeros
    st.floats(0, 100).map(repr).filter(lambda s: "e" not in s and len(s) <= 16),  # shortest round-trip text
)
plain_percent = st.builds(
    lambda a, n, b, pct, c: f"{a}{n}{b}{pct}{c}", blank, plain_number, blank, st.sampled_from(["", "%"]), blank
)
no_data_words = ["No comparable data available", "no comparable data", "N/A", "na", "NA", "n/a"]
plain_no_data = st.builds(lambda a, w, b: f"{a}{w}{b}", blank, st.sampled_from(no_data_words), blank)
plain_cell = st.one_of(plain_percent, plain_no_data, st.none(), st.just(""))
# cells the bulk path must hand back: signs, exponents, doubled '%', other spellings, out of range,
# Unicode digits and blanks, nan/inf, long numbers, words
other_cell = st.one_of(
    st.sampled_from(
        [
            "-5",
            "+5",
            "-0",
            "1e2",
            "1E1%",
            "62%%",
            "%62",
            "62 %%",
            "nan",
            "NaN%",
            "inf",
            "-inf",
            "101",
            "100.0001%",
            "1000",
            "62.",
            "62.%",
            ". 5",
            "6 2",
            "No  comparable data",
            "no comparable\ndata available",
            "No comparable data available.",
            "\u00a062%",
            "62%\u00a0",
            "\u0666\u0662",
            "６２",
            "62\u2009%",
            "0x10",
            "1_000",
            "12345678901234567",
            "0.00000000000000001",
            "1" * 40,
            "n / a",
            "none",
            "-",
            "62\n",
            "\n62%",
            "yes",
        ]
    ),
    st.text(max_size=6),
    st.builds(lambda a, b: f"{a}{b}", plain_number, st.sampled_from(["e1", "e-2", "%x", " x", "d"])),
    st.floats(0, 100).map(repr),  # up to 17 digits: longer than the bulk path takes
)


def reference(series, scale):
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(F, "AVAILABLE", False)
        return outcome(series, scale)


def outcome(series, scale):
    try:
        return parse.parse_percent_series(series, "previous", scale)
    except (ValueError, TypeError) as err:
        return type(err), str(err)


def check_same(cells, scale, start):
    series = pd.Series(cells, dtype="str", name="previous", index=pd.RangeIndex(start, start + len(cells)))
    ref = reference(series, scale)
    got = outcome(series, scale)
    if isinstance(ref, tuple):
        assert got == ref
    else:
        pd.testing.assert_series_equal(got, ref, check_exact=True)
    return series, ref


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cells=st.lists(plain_cell, min_size=1, max_size=30),
    scale=st.sampled_from(["percent", "proportion"]),
    start=st.integers(0, 5),
)
def test_plain_columns_take_the_bulk_path_with_the_parsers_values(cells, scale, start):
    series, ref = check_same(cells, scale, start)
    fast = F.parse_percent_text(series, scale)
    if isinstance(ref, tuple):  # only a value out of range (proportions above 1) is refused: by the parser
        assert fast is None and "is not a" in ref[1]
    else:
        assert fast is not None  # the bulk path was taken, and gave the values above


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cells=st.lists(st.one_of(plain_cell, other_cell), min_size=1, max_size=12),
    scale=st.sampled_from(["percent", "proportion"]),
    start=st.integers(0, 5),
)
def test_any_column_gives_the_parsers_values_or_its_error(cells, scale, start):
    check_same(cells, scale, start)


@pytest.mark.parametrize(
    "cell", ["-5", "1e2", "62%%", "nan", "101", "No  comparable data", "６２", "yes", "62.", "12345678901234567", "-0"]
)
def test_each_unusual_cell_is_left_to_the_parser_with_its_message(cell):
    series, ref = check_same(["62%", cell, "No comparable data available"], "percent", 1)
    assert F.parse_percent_text(series) is None
    if isinstance(ref, tuple):
        assert ref[0] is ValueError and "row 2, column 'previous'" in ref[1]


def test_the_bulk_values_on_a_large_column():
    rng = np.random.default_rng(0)
    cells = np.char.add(rng.integers(0, 101, 200_000).astype(str), rng.choice(["%", "", " %"], 200_000)).astype(object)
    cells[::97] = "No comparable data available"
    cells[::89] = None
    series, ref = check_same(list(cells), "percent", 1)
    assert F.parse_percent_text(series) is not None
    assert ref.isna().sum() == sum(c is None or c.startswith("No") for c in cells)


# ---- whole numbers (stats._fastcsv.parse_count_text for stats.parse.parse_count_series) ------------

plain_count = st.one_of(
    st.builds(lambda a, n, b: f"{a}{n}{b}", blank, st.integers(0, 10**15 - 1).map(str), blank),
    st.builds(lambda z, n: "0" * z + str(n), st.integers(1, 3), st.integers(0, 500)),
    blank,
    st.none(),
    st.just(""),
)
other_count = st.one_of(
    st.sampled_from(
        [
            "-1",
            "+3",
            "1.0",
            "1.5",
            "1e3",
            "nan",
            "inf",
            "10%",
            "1 000",
            "1,000",
            "\u00a05",
            "٣",
            "9007199254740993",
            "1234567890123456",
            "12345678901234567890",
            "x",
            "\n5",
            "5\n",
        ]
    ),
    st.text(max_size=5),
)


def count_outcome(series, minimum):
    try:
        return parse.parse_count_series(series, "n_previous", minimum=minimum)
    except (ValueError, TypeError) as err:
        return type(err), str(err)


def check_same_counts(cells, minimum, start):
    series = pd.Series(cells, dtype="str", name="n_previous", index=pd.RangeIndex(start, start + len(cells)))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(F, "AVAILABLE", False)
        ref = count_outcome(series, minimum)
    got = count_outcome(series, minimum)
    if isinstance(ref, tuple):
        assert got == ref
    else:
        pd.testing.assert_series_equal(got, ref, check_exact=True)
    return series, ref


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cells=st.lists(plain_count, min_size=1, max_size=20), minimum=st.sampled_from([0, 1]), start=st.integers(0, 5))
def test_plain_counts_take_the_bulk_path_with_the_parsers_values(cells, minimum, start):
    series, ref = check_same_counts(cells, minimum, start)
    fast = F.parse_count_text(series, minimum)
    if isinstance(ref, tuple):  # only a 0 where the minimum is 1 is refused: by the parser
        assert fast is None and "must be a whole number >= 1" in ref[1]
    else:
        assert fast is not None


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cells=st.lists(st.one_of(plain_count, other_count), min_size=1, max_size=10),
    minimum=st.sampled_from([0, 1]),
    start=st.integers(0, 5),
)
def test_any_count_column_gives_the_parsers_values_or_its_error(cells, minimum, start):
    check_same_counts(cells, minimum, start)


# ---- columns with repeated cells: checked and converted once per distinct text, the same outcome ----


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cells=st.lists(st.one_of(plain_cell, other_cell), min_size=1, max_size=8),
    repeat=st.integers(2, 4),
    scale=st.sampled_from(["percent", "proportion"]),
    seed=st.integers(0, 2**32 - 1),
)
def test_repeated_percentages_take_the_distinct_route_with_the_parsers_values_or_error(cells, repeat, scale, seed):
    column = list(np.random.default_rng(seed).permutation(np.array(cells * repeat, dtype=object)))
    series = pd.Series(column, dtype="str")
    assert F._distinct(series)[1] is not None  # at most half the cells distinct: the dictionary route
    check_same(column, scale, 0)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cells=st.lists(st.one_of(plain_count, other_count), min_size=1, max_size=8),
    repeat=st.integers(2, 4),
    minimum=st.sampled_from([0, 1]),
    seed=st.integers(0, 2**32 - 1),
)
def test_repeated_counts_take_the_distinct_route_with_the_parsers_values_or_error(cells, repeat, minimum, seed):
    column = list(np.random.default_rng(seed).permutation(np.array(cells * repeat, dtype=object)))
    assert F._distinct(pd.Series(column, dtype="str"))[1] is not None
    check_same_counts(column, minimum, 0)


def test_a_column_of_distinct_cells_is_checked_cell_by_cell():
    series = pd.Series([f"{i / 10:.1f}%" for i in range(1000)], dtype="str")
    assert F._distinct(series)[1] is None
    check_same(list(series), "percent", 0)
