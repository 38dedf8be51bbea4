"""Label previous-versus-current tables row by row.

:func:`label_changes` is the table-level front end of
:func:`stats.compare_proportions`: it parses percentages as published, keeps
untestable rows (no comparable data) visible and untested, and adds the
columns a report needs. Formatting is left to the caller (CLI, notebook).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import _validation as v
from .change import _LABEL_BY_CODE, _better, _label_codes, compare_proportions
from .samplesize import _margin

__all__ = ["label_changes", "parse_percent", "OUTPUT_COLUMNS", "WORDINGS"]

#: Columns added by :func:`label_changes`, in order.
OUTPUT_COLUMNS = (
    "difference",
    "statistic",
    "pvalue",
    "significant",
    "label",
    "margin_previous",
    "margin_current",
    "wording",
)

#: Words an inspector may use for each outcome (see :func:`label_changes`).
WORDINGS = {
    "significant improvement": "improved significantly",
    "significant decline": "declined significantly",
    "improved": "improved",
    "declined": "declined",
    "similar": "similar",
    "no comparable data": "no comparable data",
}

# Indexed by wording code (see label_changes).
_WORDING_BY_CODE = np.array(
    [WORDINGS[k] for k in ("significant improvement", "significant decline", "no comparable data",
                           "similar", "improved", "declined")],
    dtype=object,
)

_NO_DATA_TEXTS = frozenset({"", "no comparable data available", "no comparable data", "n/a", "na"})


def _show(value) -> str:
    """repr of a cell value, with numpy scalars shown as plain Python numbers."""
    return repr(value.item() if isinstance(value, np.generic) else value)


def _row_name(index_label) -> str:
    return f"row {index_label!r}" if not isinstance(index_label, (int, np.integer)) else f"row {int(index_label)}"


def _parse_percent_series(series: pd.Series, column: str) -> pd.Series:
    """Vectorised parse of a column of published percentages to floats (nan = no data)."""
    if pd.api.types.is_bool_dtype(series.dtype):
        raise TypeError(f"column {column!r} must hold percentages (got booleans).")
    if pd.api.types.is_numeric_dtype(series.dtype):
        values = series.astype(float)
        original = series
    else:
        text = series.astype("string").str.strip()
        normalised = text.str.lower().str.split().str.join(" ")
        missing = text.isna() | normalised.isin(_NO_DATA_TEXTS)
        numeric_text = text.str.removesuffix("%").str.strip()
        values = pd.to_numeric(numeric_text.where(~missing), errors="coerce").astype(float)
        bad = values.isna() & ~missing
        if bad.any():
            where = bad.idxmax()
            raise ValueError(
                f"{_row_name(where)}, column {column!r}: {_show(series[where])} is not a percentage "
                "(expected a number from 0 to 100 such as '71%', '71' or 71.0, a blank, "
                "or 'No comparable data available')."
            )
        original = series
    if v.within_ignoring_nan(values.to_numpy(), 0.0, 100.0):
        return values
    out_of_range = (values < 0) | (values > 100) | np.isinf(values)
    if out_of_range.any():
        where = out_of_range.idxmax()
        raise ValueError(
            f"{_row_name(where)}, column {column!r}: {_show(original[where])} is not a "
            "percentage from 0 to 100."
        )
    return values


def parse_percent(value) -> float:
    """Parse one published percentage.

    Parameters
    ----------
    value : str, float, int or None
        ``"71%"``, ``"71"``, ``71``, ``71.0``; a blank, ``None``, ``nan`` or
        "No comparable data available" (any case and spacing) mean no data.

    Returns
    -------
    float
        The percentage (0 to 100), or ``nan`` for no data.

    Raises
    ------
    ValueError
        For text that is not a percentage or a value outside 0 to 100.

    Examples
    --------
    >>> from stats import parse_percent
    >>> parse_percent("71%"), parse_percent("No comparable\\ndata available")
    (71.0, nan)
    """
    series = pd.Series([value], dtype=object if isinstance(value, str) or value is None else None)
    try:
        return float(_parse_percent_series(series, "value").iloc[0])
    except ValueError as err:
        raise ValueError(str(err).replace("row 0, column 'value': ", "value ")) from None


def _parse_count_series(series: pd.Series, column: str, *, minimum: int) -> pd.Series:
    """Parse whole numbers (blank = missing); errors name the row and column."""
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        values = series.astype(float)
    else:
        text = series.astype("string").str.strip()
        missing = text.isna() | (text == "")
        values = pd.to_numeric(text.where(~missing), errors="coerce").astype(float)
        bad = values.isna() & ~missing
        if bad.any():
            where = bad.idxmax()
            raise ValueError(f"{_row_name(where)}, column {column!r}: {_show(series[where])} is not a whole number.")
    arr = values.to_numpy()
    if v.within_ignoring_nan(arr, minimum, np.finfo(float).max) and np.array_equal(arr, np.floor(arr)):  # nan: slow path below
        return values
    present = values.notna()
    bad = present & ((values < minimum) | (values != np.floor(values)) | np.isinf(values))
    if bad.any():
        where = bad.idxmax()
        raise ValueError(
            f"{_row_name(where)}, column {column!r}: must be a whole number >= {minimum} "
            f"(got {_show(series[where])})."
        )
    return values


def _column(table: pd.DataFrame, name: str, role: str) -> pd.Series:
    if name not in table.columns:
        raise ValueError(
            f"table has no column {name!r} ({role}); columns are {list(map(str, table.columns))}."
        )
    return table[name]


def label_changes(
    table: pd.DataFrame,
    *,
    alpha=0.10,
    previous="previous",
    current="current",
    n_previous="n_previous",
    n_current="n_current",
    previous_count="previous_count",
    current_count="current_count",
    alternative="two-sided",
    pooled=True,
    continuity=False,
    population_previous=None,
    population_current=None,
    higher_is_better=True,
    margin_confidence_level=0.80,
    similar_within=5.0,
) -> pd.DataFrame:
    r"""Test and label every row of a previous-versus-current table.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per prompt (or key question). Percentages are as published
        (0 to 100): ``"71%"``, ``"71"``, ``71.0``; a blank or "No comparable
        data available" means the row cannot be tested. The input is not
        modified.
    alpha : float, default 0.10
        Significance level of the Z test (the inspectorate's 0.1).
    previous, current : str
        Columns holding the percentages.
    n_previous, n_current : str
        Columns holding the number of cases behind each percentage (needed
        on every testable row).
    previous_count, current_count : str
        Optional columns of counts of "yes" answers. Where a count is given
        it is used instead of the percentage (proportion = count / n), which
        avoids the rounding of published percentages; the percentage columns
        may then be absent.
    alternative, pooled, continuity
        Test variant, as in :func:`stats.compare_proportions` (defaults: the
        two-sided pooled Z test without continuity correction).
    population_previous, population_current : str or None
        Optional columns of eligible populations for the finite population
        correction (blank: infinite).
    higher_is_better : bool or str, default True
        Direction for labels and wording, or the name of a boolean column.
    margin_confidence_level : float, default 0.80
        Confidence level of the reported margins (the methodology's 80 %).
    similar_within : float, default 5.0
        Non-significant changes smaller than this many points are worded
        "similar" (5 points is the methodology's stated margin of error).

    Returns
    -------
    pandas.DataFrame
        A copy of ``table`` with these columns added (replaced if present):

        ``difference``
            current - previous, in percentage points.
        ``statistic``, ``pvalue``
            z and its p-value (nan where untestable).
        ``significant``
            nullable boolean: ``pvalue <= alpha``; <NA> where untestable.
        ``label`` (categorical)
            "significant improvement", "significant decline",
            "no significant change" or "no comparable data".
        ``margin_previous``, ``margin_current``
            margin of error of each percentage, in points, at
            ``margin_confidence_level`` and p = 0.5 (the design margin,
            :func:`stats.margin_of_error`; with a population column the
            finite population correction is applied).
        ``wording`` (categorical)
            how an inspector may describe the change under the methodology,
            which reserves "significant" for changes that pass the test:
            "improved significantly" / "declined significantly" where
            significant; otherwise "similar" when the change is smaller than
            ``similar_within`` points, else "improved" / "declined"; and
            "no comparable data" where untestable.

    Raises
    ------
    ValueError
        A missing column, or a value that is not a percentage, count or
        sample size; the message names the row and the column.

    Notes
    -----
    The test on each testable row is :func:`stats.compare_proportions` (see
    its Notes for the formula), applied to all rows at once.

    Examples
    --------
    >>> import pandas as pd
    >>> from stats import label_changes
    >>> t = pd.DataFrame({"previous": ["54%", "No comparable data available"],
    ...                   "current": ["71%", "43%"], "n_previous": [100, 100],
    ...                   "n_current": [100, 100]})
    >>> label_changes(t)[["difference", "label", "wording"]]
       difference                    label                 wording
    0        17.0  significant improvement  improved significantly
    1         NaN       no comparable data      no comparable data
    """
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"table must be a pandas DataFrame (got {type(table).__name__}).")
    a = v.check_scalar_open_unit("alpha", alpha)
    v.check_scalar_open_unit("margin_confidence_level", margin_confidence_level)
    if isinstance(similar_within, bool) or not isinstance(similar_within, (int, float)) or not similar_within >= 0:
        raise ValueError(f"similar_within must be a number of points >= 0 (got {similar_within!r}).")

    have_prev_count = previous_count in table.columns
    have_cur_count = current_count in table.columns

    def proportion(pct_col, count_col, have_count, n_values, role):
        pct = (
            _parse_percent_series(table[pct_col], pct_col) / 100
            if pct_col in table.columns
            else None
        )
        if pct is None and not have_count:
            _column(table, pct_col, role)  # raises: neither percentages nor counts
        if not have_count:
            return pct
        counts = _parse_count_series(table[count_col], count_col, minimum=0)
        over = counts.notna() & n_values.notna() & (counts > n_values)
        if over.any():
            where = over.idxmax()
            raise ValueError(
                f"{_row_name(where)}, column {count_col!r}: a count cannot exceed its n "
                f"(got {_show(table[count_col][where])} > {_show(table[n_values.name][where])})."
            )
        from_counts = counts / n_values
        return from_counts if pct is None else from_counts.where(counts.notna(), pct)

    n1_all = _parse_count_series(_column(table, n_previous, "cases at the previous inspection"), n_previous, minimum=1)
    n2_all = _parse_count_series(_column(table, n_current, "cases at the current inspection"), n_current, minimum=1)
    p1_all = proportion(previous, previous_count, have_prev_count, n1_all, "previous percentages")
    p2_all = proportion(current, current_count, have_cur_count, n2_all, "current percentages")

    testable = p1_all.notna() & p2_all.notna()
    for n_col, n_values in ((n_previous, n1_all), (n_current, n2_all)):
        missing_n = testable & n_values.isna()
        if missing_n.any():
            where = missing_n.idxmax()
            raise ValueError(
                f"{_row_name(where)}, column {n_col!r}: the number of cases is required "
                f"where both percentages are given (got {_show(table[n_col][where])})."
            )

    def population(col, n_values):
        """Eligible populations as an array (blank: infinite), or None when no column is given."""
        if col is None:
            return None
        values = _parse_count_series(_column(table, col, "eligible population"), col, minimum=1)
        values = values.fillna(np.inf)
        over = n_values.notna() & (n_values > values)
        if over.any():
            where = over.idxmax()
            raise ValueError(
                f"{_row_name(where)}, column {col!r}: the population cannot be smaller than the "
                f"sample (got {_show(table[col][where])})."
            )
        return values.to_numpy(dtype=float)

    big1 = population(population_previous, n1_all)
    big2 = population(population_current, n2_all)

    if isinstance(higher_is_better, str):
        hib_col = _column(table, higher_is_better, "direction")
        if not pd.api.types.is_bool_dtype(hib_col.dtype):
            raise TypeError(f"column {higher_is_better!r} (higher_is_better) must be boolean (got dtype {hib_col.dtype}).")
        hib_all = hib_col.to_numpy(dtype=bool)
    elif isinstance(higher_is_better, (bool, np.bool_)):
        hib_all = np.full(len(table), bool(higher_is_better))
    else:
        raise TypeError(f"higher_is_better must be True, False or a column name (got {higher_is_better!r}).")

    rows = testable.to_numpy()
    n = len(table)
    all_rows = bool(rows.all())

    def take(values):
        return values if all_rows else values[rows]

    def scatter(values, fill, dtype):
        if all_rows:
            return np.asarray(values, dtype=dtype)
        full = np.full(n, fill, dtype=dtype)
        full[rows] = values
        return full

    res = None
    if rows.any():
        res = compare_proportions(
            take(p1_all.to_numpy()),
            take(n1_all.to_numpy()),
            take(p2_all.to_numpy()),
            take(n2_all.to_numpy()),
            alpha=a,
            alternative=alternative,
            pooled=pooled,
            continuity=continuity,
            population_previous=None if big1 is None else take(big1),
            population_current=None if big2 is None else take(big2),
            higher_is_better=take(hib_all),
        )
    nan = np.nan
    difference = scatter(100 * np.asarray(res.difference), nan, float) if res else np.full(n, nan)
    statistic = scatter(res.statistic, nan, float) if res else np.full(n, nan)
    pvalue = scatter(res.pvalue, nan, float) if res else np.full(n, nan)
    significant = scatter(res.significant, False, bool) if res else np.zeros(n, dtype=bool)
    # label codes index stats.change._LABEL_BY_CODE; 3 is "no comparable data"
    code = (scatter(_label_codes(np.asarray(res.significant), np.asarray(res.difference), take(hib_all)), 3, np.int8)
            if res else np.full(n, 3, dtype=np.int8))

    c = float(margin_confidence_level)
    margin_prev = _margins(n1_all, big1, p1_all.notna(), c)
    margin_cur = _margins(n2_all, big2, p2_all.notna(), c)

    # Wording codes: 0/1 significant improvement/decline (as the label codes), 2 no comparable data,
    # 3 similar (|change| < similar_within), 4 improved, 5 declined.
    better = _better(difference, hib_all)
    small = np.abs(difference) < similar_within  # False for nan; those rows are code 3 anyway
    wording_code = np.where(code < 2, code, np.where(code == 3, 2, np.where(small, 3, np.where(better, 4, 5))))

    # A shallow copy is enough: pandas copy-on-write keeps the caller's table untouched.
    out = table.copy(deep=False)
    added = {
        "difference": difference,
        "statistic": statistic,
        "pvalue": pvalue,
        "significant": pd.arrays.BooleanArray(significant, ~rows),
        "label": pd.Categorical.from_codes(code, categories=list(_LABEL_BY_CODE)),
        "margin_previous": margin_prev,
        "margin_current": margin_cur,
        "wording": pd.Categorical.from_codes(wording_code, categories=list(_WORDING_BY_CODE)),
    }
    for name, values in added.items():
        out[name] = pd.Series(values, index=table.index, copy=False)
    return out


def _margins(n_values: pd.Series, populations, present: pd.Series, confidence_level: float) -> np.ndarray:
    """Design margin (p = 0.5) in points where the percentage and n are present, nan elsewhere.

    ``populations`` is an array of eligible populations, or None for infinite ones.
    """
    n = n_values.to_numpy(dtype=float)
    ok = present.to_numpy() & ~np.isnan(n)
    big = np.inf if populations is None else populations
    if ok.all():
        return 100 * _margin(n, big, confidence_level, 0.5)
    out = np.full(len(n), np.nan)
    if ok.any():
        out[ok] = 100 * _margin(n[ok], big if populations is None else big[ok], confidence_level, 0.5)
    return out
