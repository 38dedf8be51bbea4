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
from ._labelled import ATTR, LabelledTable
from .change import LABEL_BY_CODE, ChangeTest, compare_proportions, label_codes, resolve_test
from .consistency import COUNT_SOURCES, DEFAULT_ROUNDING, ROUNDINGS, implied_counts
from .parse import (  # noqa: F401  (re-exported: the parsers lived here in 0.1)
    Columns,
    _parse_count_series,
    _parse_percent_series,
    parse_arrays,
    parse_percent,
    parse_table,
    row_name,
)
from .samplesize import normal_margin as _margin

__all__ = ["INTERVAL_COLUMNS", "OUTPUT_COLUMNS", "WORDINGS", "label_changes", "parse_percent"]

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
    "count_previous",
    "n_used_previous",
    "count_current",
    "n_used_current",
    "count_source",
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


def _wording_categories() -> list[str]:
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
    test: ChangeTest | None = None,
    *,
    alpha: float | None = None,
    alternative: str | None = None,
    method: str | None = None,
    columns: Columns | None = None,
    scale: str = "percent",
    higher_is_better: bool | str = True,
    intervals: bool = False,
    margin_confidence_level: float = 0.80,
    check_scale: bool = True,
    rounding: str | None = None,
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
    rounding : {'half-up', 'half-even'}, optional
        How the percentages were rounded for publication, which decides the counts they
        imply; default the table's ``attrs['rounding']``, else 'half-up'
        (:data:`stats.consistency.DEFAULT_ROUNDING`). For a bundled report pass
        :func:`stats.consistency.report_rounding`.

    Returns
    -------
    pandas.DataFrame
        A copy of ``table`` with these columns added (replaced if present);
        every value is a proportion or a plain number (display code shows
        points):

        ``difference``
            current - previous (proportion).
        ``statistic``, ``pvalue``
            z and its p-value (nan where untestable), from the counts in
            ``count_*`` / ``n_used_*``.
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
        ``count_previous``, ``n_used_previous``, ``count_current``, ``n_used_current``
            the counts the test, the interval and every check of the table use
            (floats; nan where the side has no figure): the given count where the
            table gives one, else the count the published figure implies
            (:func:`stats.consistency.implied_counts`), or ``percentage x n`` under
            ``ChangeTest(counts='fractional')``.
        ``count_source`` (categorical)
            "given" (both sides' counts given), "implied" (a count implied at the
            stated n), "implied at a lower n" (on at least one side no count of the
            stated n publishes as the figure: the largest n below it at which one
            does), "fractional"; <NA> where the row has no figure.

    Raises
    ------
    ValueError, TypeError
        As :func:`stats.parse.parse_table`; the message names the row and column.

    See Also
    --------
    stats.change.ChangeTest : the test specification the result carries in ``attrs['change_test']``.
    stats.change.compare_proportions : the same test on proportions, without a table.
    stats.consistency.robust_labels : whether each label holds for every count the figures allow.
    stats.exact.compare_methods : the verdict under the other Z variants and the exact tests.
    stats.multiplicity.adjust : the labelled table's p-values adjusted for multiple testing.

    Notes
    -----
    The test on each testable row is :func:`stats.compare_proportions` under
    ``test`` (see :class:`stats.ChangeTest` for the variants), applied to all
    rows at once, at the counts of ``count_*`` / ``n_used_*``: a published 45 % of
    85 cases is tested as 38/85 (the only count of 85 that publishes as 45 %), not
    as 38.25 cases, and 87 % of 24 (impossible: 21/24 publishes as 88 %) as 20/23.
    ``difference`` and ``wording`` state the published figures.

    Examples
    --------
    >>> import pandas as pd
    >>> from stats import ChangeTest, label_changes
    >>> t = pd.DataFrame(
    ...     {
    ...         "previous": ["54%", "61%", "No comparable data available"],
    ...         "current": ["71%", "49%", "43%"],
    ...         "n_previous": 100,
    ...         "n_current": 100,
    ...     }
    ... )
    >>> out = label_changes(t, ChangeTest(method="pooled-cc"))
    >>> out[["difference", "label", "wording"]]
       difference                    label                              wording
    0        0.17  significant improvement               improved significantly
    1       -0.12     no significant change  no significant change (-12 points)
    2         NaN       no comparable data                   no comparable data
    >>> out.attrs["change_test"].method
    'pooled-cc'
    >>> out[["count_previous", "n_used_previous", "count_current", "count_source"]]
       count_previous  n_used_previous  count_current count_source
    0            54.0            100.0           71.0      implied
    1            61.0            100.0           49.0      implied
    2             NaN              NaN           43.0      implied
    """
    spec = resolve_test(test, alpha=alpha, alternative=alternative, method=method)
    given: object = table  # parse_arrays refuses anything but a DataFrame, with a message
    if rounding is None:
        rounding = (
            given.attrs.get("rounding", DEFAULT_ROUNDING) if isinstance(given, pd.DataFrame) else DEFAULT_ROUNDING
        )
    v.check_choice("rounding", rounding, ROUNDINGS)
    v.check_scalar_open_unit("margin_confidence_level", margin_confidence_level)
    if not isinstance(intervals, (bool, np.bool_)):
        raise TypeError(f"intervals must be True or False (got {intervals!r}).")
    parsed, cols = parse_arrays(
        table, columns=columns, scale=scale, higher_is_better=higher_is_better, check_scale=bool(check_scale)
    )
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
    counts = row_counts(parsed, spec, rounding, table.index, cols)
    added = _label_parsed(
        parsed, counts, spec, intervals=bool(intervals), margin_confidence_level=float(margin_confidence_level)
    )
    # A shallow copy is enough: pandas copy-on-write keeps the caller's table untouched.
    out = table.copy(deep=False)
    for name in (*OUTPUT_COLUMNS, *INTERVAL_COLUMNS):
        if name in out.columns and name not in added:
            out = out.drop(columns=name)
    for name, values in added.items():
        out[name] = pd.Series(values, index=table.index, copy=False)
    carrier = LabelledTable(
        spec,
        rounding,
        cols,
        table.index,
        parsed,
        {name: np.array(values, copy=True) for name, values in counts.items()},
    )
    out.attrs = {"change_test": spec, "rounding": rounding, "columns": cols, ATTR: carrier}
    return out


def row_counts(parsed: dict, spec: ChangeTest, rounding: str, index: pd.Index, cols: Columns | None = None) -> dict:
    """The counts each side of each row is tested at: given, implied by the figure, or fractional.

    ``parsed`` is the dict of :func:`stats.parse.parse_table` arrays. Returns float arrays
    ``count_previous``, ``n_used_previous``, ``count_current``, ``n_used_current`` (nan where
    the side has no figure) and ``source`` (int8 codes into
    :data:`stats.consistency.COUNT_SOURCES`, -1 where the row has no figure). Vectorised.
    A figure that no count of 1 to n cases publishes as is a ValueError naming the row.
    """
    cols = Columns() if cols is None else cols
    out = {}
    codes = []
    for side, column in (("previous", cols.previous), ("current", cols.current)):
        prop, n, given = parsed[side], parsed[f"n_{side}"], parsed[f"{side}_count"]
        present = ~np.isnan(prop) & ~np.isnan(n)
        has_count = present & ~np.isnan(given)
        k = np.where(has_count, given, np.nan)
        m = np.where(present, n, np.nan)
        code = np.where(has_count, 0, np.where(present, 3, -1)).astype(np.int8)
        infer = present & ~has_count
        if spec.counts == "fractional":
            k = np.where(infer, prop * n, k)
        elif infer.any():
            rows = np.flatnonzero(infer)
            r = implied_counts(100 * prop[rows], n[rows], rounding=rounding)
            if (r.source < 0).any():
                i = int(rows[int(np.argmax(r.source < 0))])
                raise ValueError(
                    f"{row_name(index[i])}, column {column!r}: no count of 1 to n = {int(n[i])} cases "
                    f"publishes as {_show_percent(100 * prop[i])}% ({rounding} rounding); correct the "
                    f"figure or n, give the count ({side}_count), or test fractional cases with "
                    "ChangeTest(counts='fractional')."
                )
            k[rows] = r.count
            m[rows] = r.n_used
            code[rows] = r.source
        out[f"count_{side}"] = k
        out[f"n_used_{side}"] = m
        codes.append(code)
    out["source"] = np.maximum(codes[0], codes[1])
    return out


def _show_percent(x: float) -> str:
    return f"{x:.6f}".rstrip("0").rstrip(".")


def _label_parsed(
    parsed: dict, counts: dict, spec: ChangeTest, *, intervals: bool, margin_confidence_level: float
) -> dict:
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
            pops = {
                "population_previous": take("population_previous"),
                "population_current": take("population_current"),
            }
        k1, m1 = counts["count_previous"], counts["n_used_previous"]
        k2, m2 = counts["count_current"], counts["n_used_current"]
        if not all_rows:
            k1, m1, k2, m2 = k1[rows], m1[rows], k2[rows], m2[rows]
        res = compare_proportions(
            k1 / m1, m1, k2 / m2, m2, test=spec, higher_is_better=take("higher_is_better"), **pops
        )
    nan = np.nan
    # the published figures' difference (the count difference has the same sign and is in the test)
    difference = np.where(rows, parsed["current"] - parsed["previous"], nan)
    statistic = scatter(res.statistic, nan, float) if res else np.full(n, nan)
    pvalue = scatter(res.pvalue, nan, float) if res else np.full(n, nan)
    significant = scatter(res.significant, False, bool) if res else np.zeros(n, dtype=bool)
    # label codes index stats.change.LABEL_BY_CODE; 3 is "no comparable data"
    code = (
        scatter(
            label_codes(np.asarray(res.significant), np.asarray(res.difference), take("higher_is_better")), 3, np.int8
        )
        if res
        else np.full(n, 3, dtype=np.int8)
    )

    populations_used = spec.finite_population
    margin_prev = _margins(
        parsed["n_previous"],
        parsed["population_previous"] if populations_used else None,
        ~np.isnan(parsed["previous"]),
        margin_confidence_level,
    )
    margin_cur = _margins(
        parsed["n_current"],
        parsed["population_current"] if populations_used else None,
        ~np.isnan(parsed["current"]),
        margin_confidence_level,
    )

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
        "label": pd.Categorical.from_codes(code, categories=pd.Index(list(LABEL_BY_CODE))),
    }
    if intervals:
        low, high = res.ci if res else (np.empty(0), np.empty(0))
        added["ci_low"] = scatter(low, nan, float) if res else np.full(n, nan)
        added["ci_high"] = scatter(high, nan, float) if res else np.full(n, nan)
    added["margin_previous"] = margin_prev
    added["margin_current"] = margin_cur
    added["wording"] = pd.Categorical.from_codes(wording_code, categories=pd.Index(_WORDING_CATEGORIES))
    for name in ("count_previous", "n_used_previous", "count_current", "n_used_current"):
        added[name] = counts[name]
    added["count_source"] = pd.Categorical.from_codes(counts["source"], categories=pd.Index(list(COUNT_SOURCES)))
    return added


def _margins(
    n_values: np.ndarray, populations: np.ndarray | None, present: np.ndarray, confidence_level: float
) -> np.ndarray:
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
        out[ok] = _margin(n[ok], np.inf if populations is None else populations[ok], confidence_level, 0.5)
    return out
