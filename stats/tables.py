"""Label previous-versus-current tables row by row.

:func:`label_changes` is the table-level front end of the change test: it parses the
table once (:func:`stats.parse.parse_table`), runs one :class:`stats.ChangeTest` on every
testable row, keeps untestable rows (no comparable data) visible and untested, and adds
the columns a report needs. The labelled frame carries its test specification in
``attrs['change_test']``; formatting is left to the reporting layer.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import _validation as v
from .change import _LABEL_BY_CODE, _label_codes, compare_proportions, resolve_test
from .parse import (  # noqa: F401  (re-exported: the parsers lived here in 0.1)
    Columns,
    _parse,
    _parse_count_series,
    _parse_percent_series,
    parse_percent,
    parse_table,
)
from .samplesize import normal_margin as _margin

__all__ = ["label_changes", "parse_percent", "OUTPUT_COLUMNS", "INTERVAL_COLUMNS", "WORDINGS"]

#: Columns added by :func:`label_changes`, in order (all values proportions or plain numbers).
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
#: Columns added after ``label`` with ``intervals=True``.
INTERVAL_COLUMNS = ("ci_low", "ci_high")

#: How an inspector may describe each outcome: "significant" only where the test says so.
WORDINGS = {
    "significant improvement": "improved significantly",
    "significant decline": "declined significantly",
    "no significant change": "no significant change ({points} points)",
    "no comparable data": "no comparable data",
}


def _wording_categories():
    """Wording categories: codes 0-2 fixed, then one per whole-point change -100..+100."""
    def points(k):
        unit = "point" if abs(k) == 1 else "points"
        return f"no significant change ({k:+d} {unit})" if k else "no significant change (0 points)"

    return [WORDINGS["significant improvement"], WORDINGS["significant decline"], WORDINGS["no comparable data"]] + [
        points(k) for k in range(-100, 101)
    ]


_WORDING_CATEGORIES = _wording_categories()


def label_changes(
    table: pd.DataFrame,
    test=None,
    *,
    alpha=None,
    alternative=None,
    method=None,
    columns: Columns | None = None,
    scale="percent",
    higher_is_better=True,
    intervals=False,
    margin_confidence_level=0.80,
    check_scale=True,
) -> pd.DataFrame:
    r"""Test and label every row of a previous-versus-current table.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per prompt (or key question). Percentages are as published
        (0 to 100): ``"71%"``, ``"71"``, ``71.0``; a blank or "No comparable
        data available" means the row cannot be tested. Optional count columns
        (``previous_count``, ``current_count``) are used instead of the
        percentages where given. The input is not modified. See
        :func:`stats.parse.parse_table` for every rule.
    test : ChangeTest, optional
        The test specification (default ``ChangeTest()``: two-sided pooled Z
        test, alpha = 0.1, score interval). Stored in the result's
        ``attrs['change_test']``.
    alpha, alternative, method : optional
        Shortcuts for ``test=ChangeTest(...)``; not allowed together with ``test``.
    columns : stats.parse.Columns, optional
        Column names if they differ from the defaults (including population
        columns, needed with ``ChangeTest(finite_population=True)``).
    scale : {'percent', 'proportion'}, default 'percent'
        Unit of the percentage columns.
    higher_is_better : bool or str, default True
        Direction for labels and wording, or the name of a boolean column.
    intervals : bool, default False
        Add ``ci_low`` and ``ci_high``: the specification's interval (dual to
        the test by default) for each testable row.
    margin_confidence_level : float, default 0.80
        Confidence level of the reported margins (the methodology's 80 %).
    check_scale : bool, default True
        Refuse a percentage column whose every value is at most 1 (probably
        proportions). The command line's chunked reader checks its first chunk only.

    Returns
    -------
    pandas.DataFrame
        A copy of ``table`` with these columns added (replaced if present);
        every value is a proportion or a plain number (display code shows
        points):

        ``difference``
            current - previous (proportion).
        ``statistic``, ``pvalue``
            z and its p-value (nan where untestable).
        ``significant``
            nullable boolean: ``pvalue <= alpha``; <NA> where untestable.
        ``label`` (categorical)
            "significant improvement", "significant decline",
            "no significant change" or "no comparable data".
        ``ci_low``, ``ci_high`` (with ``intervals=True``)
            the interval of the change, which excludes 0 exactly when the row is
            significant under a dual interval.
        ``margin_previous``, ``margin_current``
            margin of error of each percentage (proportion) at
            ``margin_confidence_level`` and p = 0.5 (the design margin,
            :func:`stats.margin_of_error`; with ``finite_population`` the
            populations are used).
        ``wording`` (categorical)
            how an inspector may describe the change under the methodology,
            which reserves "significant" for changes that pass the test:
            "improved significantly" / "declined significantly" where
            significant; otherwise "no significant change (+9 points)" with the
            change in whole points; "no comparable data" where untestable.
            No "similar" threshold is invented: the methodology's 5-point margin
            is that of one percentage, not of a difference.

    Raises
    ------
    ValueError, TypeError
        As :func:`stats.parse.parse_table`; the message names the row and column.

    Notes
    -----
    The test on each testable row is :func:`stats.compare_proportions` under
    ``test`` (see :class:`stats.ChangeTest` for the variants), applied to all
    rows at once.

    Examples
    --------
    >>> import pandas as pd
    >>> from stats import ChangeTest, label_changes
    >>> t = pd.DataFrame({"previous": ["54%", "61%", "No comparable data available"],
    ...                   "current": ["71%", "49%", "43%"], "n_previous": 100, "n_current": 100})
    >>> out = label_changes(t, ChangeTest(method="pooled-cc"))
    >>> out[["difference", "label", "wording"]]
       difference                    label                              wording
    0        0.17  significant improvement               improved significantly
    1       -0.12     no significant change  no significant change (-12 points)
    2         NaN       no comparable data                   no comparable data
    >>> out.attrs["change_test"].method
    'pooled-cc'
    """
    spec = resolve_test(test, alpha=alpha, alternative=alternative, method=method)
    v.check_scalar_open_unit("margin_confidence_level", margin_confidence_level)
    if not isinstance(intervals, (bool, np.bool_)):
        raise TypeError(f"intervals must be True or False (got {intervals!r}).")
    parsed, cols = _parse(table, columns=columns, scale=scale, higher_is_better=higher_is_better,
                          check_scale=bool(check_scale))
    if spec.finite_population and cols.population_previous is None and cols.population_current is None:
        raise ValueError(
            "the test has a finite population correction (finite_population=True) but no population "
            "columns were named: pass columns=Columns(population_previous=..., population_current=...)."
        )
    if not spec.finite_population and (cols.population_previous is not None or cols.population_current is not None):
        raise ValueError(
            "population columns were named but the test has no finite population correction; "
            "pass test=ChangeTest(finite_population=True, ...) to use them."
        )
    added = _label_parsed(parsed, spec, intervals=bool(intervals), margin_confidence_level=float(margin_confidence_level))
    # A shallow copy is enough: pandas copy-on-write keeps the caller's table untouched.
    out = table.copy(deep=False)
    for name in (*OUTPUT_COLUMNS, *INTERVAL_COLUMNS):
        if name in out.columns and name not in added:
            out = out.drop(columns=name)
    for name, values in added.items():
        out[name] = pd.Series(values, index=table.index, copy=False)
    out.attrs = {"change_test": spec}
    return out


def _label_parsed(parsed: dict, spec, *, intervals: bool, margin_confidence_level: float) -> dict:
    """The added columns for the canonical arrays of :func:`stats.parse.parse_table`."""
    rows = parsed["testable"]
    n = len(rows)
    all_rows = bool(rows.all())

    def take(name):
        values = parsed[name]
        return values if all_rows else values[rows]

    def scatter(values, fill, dtype):
        if all_rows:
            return np.asarray(values, dtype=dtype)
        full = np.full(n, fill, dtype=dtype)
        full[rows] = values
        return full

    res = None
    if rows.any():
        pops = {}
        if spec.finite_population:
            pops = dict(population_previous=take("population_previous"), population_current=take("population_current"))
        res = compare_proportions(take("previous"), take("n_previous"), take("current"), take("n_current"),
                                  test=spec, higher_is_better=take("higher_is_better"), **pops)
    nan = np.nan
    difference = scatter(res.difference, nan, float) if res else np.full(n, nan)
    statistic = scatter(res.statistic, nan, float) if res else np.full(n, nan)
    pvalue = scatter(res.pvalue, nan, float) if res else np.full(n, nan)
    significant = scatter(res.significant, False, bool) if res else np.zeros(n, dtype=bool)
    # label codes index stats.change._LABEL_BY_CODE; 3 is "no comparable data"
    code = (scatter(_label_codes(np.asarray(res.significant), np.asarray(res.difference), take("higher_is_better")), 3, np.int8)
            if res else np.full(n, 3, dtype=np.int8))

    populations_used = spec.finite_population
    margin_prev = _margins(parsed["n_previous"], parsed["population_previous"] if populations_used else None,
                           ~np.isnan(parsed["previous"]), margin_confidence_level)
    margin_cur = _margins(parsed["n_current"], parsed["population_current"] if populations_used else None,
                          ~np.isnan(parsed["current"]), margin_confidence_level)

    # Wording codes: 0/1 significant improvement/decline, 2 no comparable data,
    # 3 + (points + 100) no significant change of that many whole points.
    with np.errstate(invalid="ignore"):
        points = np.where(np.isnan(difference), 0, np.floor(100 * difference + 0.5 + 1e-9)).astype(np.int16)
    wording_code = np.where(code < 2, code, np.where(code == 3, 2, 3 + points + 100)).astype(np.int16)

    added = {
        "difference": difference,
        "statistic": statistic,
        "pvalue": pvalue,
        "significant": pd.arrays.BooleanArray(significant, ~rows),
        "label": pd.Categorical.from_codes(code, categories=list(_LABEL_BY_CODE)),
    }
    if intervals:
        low, high = res.ci if res else (np.empty(0), np.empty(0))
        added["ci_low"] = scatter(low, nan, float) if res else np.full(n, nan)
        added["ci_high"] = scatter(high, nan, float) if res else np.full(n, nan)
    added["margin_previous"] = margin_prev
    added["margin_current"] = margin_cur
    added["wording"] = pd.Categorical.from_codes(wording_code, categories=_WORDING_CATEGORIES)
    return added


def _margins(n_values: np.ndarray, populations, present: np.ndarray, confidence_level: float) -> np.ndarray:
    """Design margin (p = 0.5, proportion) where the percentage and n are present, nan elsewhere.

    ``populations`` is an array of eligible populations, or None for infinite ones.
    """
    n = n_values
    ok = present & ~np.isnan(n)
    big = np.inf if populations is None else populations
    if ok.all():
        return _margin(n, big, confidence_level, 0.5)
    out = np.full(len(n), np.nan)
    if ok.any():
        out[ok] = _margin(n[ok], big if populations is None else big[ok], confidence_level, 0.5)
    return out
