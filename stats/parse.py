"""Parse a previous-versus-current table once, into the canonical frame every consumer uses.

A user's table holds published percentages ("71%", "71", 71.0, "No comparable data
available"), numbers of cases, optional counts of "yes" answers, optional eligible
populations and an optional direction column. :func:`parse_table` checks all of it, row
by row, and returns one frame of proportions and whole numbers; :func:`stats.label_changes`,
:mod:`stats.consistency`, :mod:`stats.exact` and :mod:`stats.plots` all start from it, so a
table is read the same way by every view.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import _validation as v

__all__ = [
    "CANONICAL_COLUMNS",
    "SCALES",
    "Columns",
    "parse_arrays",
    "parse_count_series",
    "parse_percent",
    "parse_percent_series",
    "parse_table",
    "row_name",
]

SCALES = ("percent", "proportion")

#: Columns of the canonical frame, in order (see :func:`parse_table`).
CANONICAL_COLUMNS = (
    "previous",
    "n_previous",
    "current",
    "n_current",
    "previous_count",
    "current_count",
    "population_previous",
    "population_current",
    "higher_is_better",
    "testable",
)

#: Tolerance, in points, between a published whole percentage and 100 k / n: half a point
#: (rounding) plus float slack.
_ROUNDING_TOLERANCE = 0.5 + 1e-9


@dataclass(frozen=True)
class Columns:
    """Names of the columns of a user's table (the defaults are the documented input contract).

    See Also
    --------
    parse_table : reads a table through these names.
    stats.tables.label_changes : takes ``columns=`` to label a table with other column names.

    Examples
    --------
    >>> import pandas as pd
    >>> from stats import label_changes
    >>> from stats.parse import Columns
    >>> t = pd.DataFrame({"2019": ["54%"], "2021": ["71%"], "n_previous": [100], "n_current": [100]})
    >>> label_changes(t, columns=Columns(previous="2019", current="2021"))[["difference", "label"]]
       difference                    label
    0        0.17  significant improvement
    """

    previous: str = "previous"
    current: str = "current"
    n_previous: str = "n_previous"
    n_current: str = "n_current"
    previous_count: str = "previous_count"
    current_count: str = "current_count"
    population_previous: str | None = None
    population_current: str | None = None


_NO_DATA_TEXTS = frozenset({"", "no comparable data available", "no comparable data", "n/a", "na"})


def _show(value: object) -> str:
    """repr of a cell value, with numpy scalars shown as plain Python numbers."""
    return repr(value.item() if isinstance(value, np.generic) else value)


def row_name(index_label: Hashable) -> str:
    """How an error message names a table row: ``row 3`` for a position, ``row 'a'`` for a label.

    See Also
    --------
    parse_table : whose error messages name rows this way.

    Examples
    --------
    >>> from stats.parse import row_name
    >>> row_name(3), row_name("4.1.a")
    ('row 3', "row '4.1.a'")
    """
    return f"row {index_label!r}" if not isinstance(index_label, (int, np.integer)) else f"row {int(index_label)}"


def parse_percent_series(series: pd.Series, column: str, scale: str = "percent") -> pd.Series:
    """Vectorised parse of a column of published percentages to floats (nan = no data).

    See Also
    --------
    parse_percent : one value at a time.
    parse_count_series : the same for columns of whole numbers.

    Examples
    --------
    >>> import pandas as pd
    >>> from stats.parse import parse_percent_series
    >>> s = pd.Series(["71%", "No comparable data available", 43.5, ""], dtype=object)
    >>> parse_percent_series(s, "current").tolist()
    [71.0, nan, 43.5, nan]
    >>> parse_percent_series(pd.Series(["71 percent"]), "current")
    Traceback (most recent call last):
    ...
    ValueError: row 0, column 'current': '71 percent' is not a percentage (expected a number from 0 to 100
    such as '71%', '71' or 71.0, a blank, or 'No comparable data available').
    """
    if pd.api.types.is_bool_dtype(series.dtype):
        raise TypeError(f"column {column!r} must hold percentages (got booleans).")
    if isinstance(series.dtype, pd.StringDtype) and series.dtype.storage == "pyarrow":  # plain text in bulk
        from ._fastcsv import parse_percent_text  # same values; None sends anything else down the route below

        if (fast := parse_percent_text(series, scale)) is not None:
            return fast
    if pd.api.types.is_numeric_dtype(series.dtype):
        values = series.astype(float)
        original = series
    else:
        # Fast path: numbers (71, 71.0, "71") parse in C; only the rest ("71%", blanks,
        # "No comparable data available", mistakes) goes through the text steps.
        values = pd.to_numeric(series.astype(object), errors="coerce").astype(float)
        missing = np.zeros(len(series), dtype=bool)
        rest = values.isna().to_numpy()
        if rest.any():
            text = series[rest].astype("string").str.strip()
            values[rest] = pd.to_numeric(text.str.removesuffix("%").str.strip(), errors="coerce").to_numpy(dtype=float)
            still = values[rest].isna().to_numpy()
            if still.any():
                other = text[still]
                normalised = other.str.lower().str.split().str.join(" ")
                flags = (other.isna() | normalised.isin(_NO_DATA_TEXTS)).to_numpy(dtype=bool)
                missing[np.flatnonzero(rest)[still]] = flags
        bad = values.isna() & ~missing
        if bad.any():
            where = bad.idxmax()
            raise ValueError(
                f"{row_name(where)}, column {column!r}: {_show(series.get(where))} is not a percentage "
                "(expected a number from 0 to 100 such as '71%', '71' or 71.0, a blank, "
                "or 'No comparable data available')."
            )
        original = series
    top = 100.0 if scale == "percent" else 1.0
    if v.within_ignoring_nan(values.to_numpy(), 0.0, top):
        return values
    out_of_range = (values < 0) | (values > top) | np.isinf(values)
    if out_of_range.any():
        where = out_of_range.idxmax()
        what = "percentage from 0 to 100" if scale == "percent" else "proportion from 0 to 1 (scale='proportion')"
        raise ValueError(f"{row_name(where)}, column {column!r}: {_show(original.get(where))} is not a {what}.")
    return values


def parse_percent(value: object) -> float:
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

    See Also
    --------
    parse_percent_series : the vectorised parse of a column.

    Examples
    --------
    >>> from stats import parse_percent
    >>> parse_percent("71%"), parse_percent("No comparable\\ndata available")
    (71.0, nan)
    """
    series = pd.Series([value], dtype=object if isinstance(value, str) or value is None else None)
    try:
        return float(parse_percent_series(series, "value").iloc[0])
    except ValueError as err:
        raise ValueError(str(err).replace("row 0, column 'value': ", "value ")) from None


def parse_count_series(series: pd.Series, column: str, *, minimum: int) -> pd.Series:
    """Parse whole numbers (blank = missing); errors name the row and column.

    See Also
    --------
    parse_percent_series : the same for columns of percentages.

    Examples
    --------
    >>> import pandas as pd
    >>> from stats.parse import parse_count_series
    >>> parse_count_series(pd.Series(["100", "", 24], dtype=object), "n_current", minimum=1).tolist()
    [100.0, nan, 24.0]
    >>> parse_count_series(pd.Series(["0"]), "n_current", minimum=1)
    Traceback (most recent call last):
    ...
    ValueError: row 0, column 'n_current': must be a whole number >= 1 (got '0').
    """
    if isinstance(series.dtype, pd.StringDtype) and series.dtype.storage == "pyarrow":  # plain text in bulk
        from ._fastcsv import parse_count_text  # same values; None sends anything else down the route below

        if (fast := parse_count_text(series, minimum)) is not None:
            return fast
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        values = series.astype(float)
    else:
        text = series.astype("string").str.strip()
        missing = text.isna() | (text == "")
        values = pd.to_numeric(text.where(~missing), errors="coerce").astype(float)
        bad = values.isna() & ~missing
        if bad.any():
            where = bad.idxmax()
            raise ValueError(f"{row_name(where)}, column {column!r}: {_show(series.get(where))} is not a whole number.")
        for where in values.index[(values >= 2.0**53).to_numpy()]:  # a float rounds 2**53 + 1 to 2**53: read exactly
            if str(text[where]).isdecimal() and int(str(text[where])) > 2**53:
                raise ValueError(
                    f"{row_name(where)}, column {column!r}: must be at most 2**53 = {2**53} (got "
                    f"{text[where]}): larger whole numbers are not exact in floating point."
                )
    arr = values.to_numpy()
    if v.within_ignoring_nan(arr, minimum, np.finfo(float).max) and np.array_equal(
        arr, np.floor(arr)
    ):  # nan: slow path below
        return values
    present = values.notna()
    bad = present & ((values < minimum) | (values != np.floor(values)) | np.isinf(values))
    if bad.any():
        where = bad.idxmax()
        raise ValueError(
            f"{row_name(where)}, column {column!r}: must be a whole number >= {minimum} "
            f"(got {_show(series.get(where))})."
        )
    return values


def _column(table: pd.DataFrame, name: str, role: str) -> pd.Series:
    if name not in table.columns:
        raise ValueError(f"table has no column {name!r} ({role}); columns are {list(map(str, table.columns))}.")
    return table[name]


def _check_unique_columns(table: pd.DataFrame) -> None:
    names = [str(c) for c in table.columns]
    seen, dups = set(), []
    for name in names:
        if name in seen and name not in dups:
            dups.append(name)
        seen.add(name)
    if dups:
        raise ValueError(f"table has duplicate column names {dups}; each column must have one name.")
    blank = [i + 1 for i, name in enumerate(names) if not name.strip() or name.startswith("Unnamed: ")]
    if blank:
        raise ValueError(f"table has blank column names (column {blank[0]}); every column needs a header.")


def _percent_column(table, name, scale, counts, check_scale=True):
    """Proportions from a column of percentages (or proportions), with the unit check."""
    pct = parse_percent_series(table[name], name, scale)
    if scale != "percent" or not check_scale:
        return pct / (100.0 if scale == "percent" else 1.0)
    arr = pct.to_numpy()
    top = np.fmax.reduce(arr) if arr.size else np.nan  # nan only when every value is missing
    # Every value at most 1 (and not all 0) looks like proportions given as percentages;
    # counts on every row would show the real scale, so the check is about the other rows.
    if top <= 1 and top > 0:
        present = pct.notna()
        uncovered = present if counts is None else present & counts.isna()
        if uncovered.any():
            where = pct[present & (pct > 0)].index[0]
            raise ValueError(
                f"column {name!r}: every value is at most 1 (e.g. {row_name(where)}: "
                f"{_show(table[name][where])}), which looks like proportions, not percentages; "
                "pass scale='proportion' (CLI: --scale proportion) if they are proportions, or give "
                "counts columns if they really are percentages of 1 % or less."
            )
    return pct / 100.0


def _counts_agree(table, pct_col, count_col, proportion, counts, n_values, scale):
    """Counts and published percentages must agree within rounding (half a point)."""
    both = proportion.notna() & counts.notna() & n_values.notna()
    if not both.any():
        return
    gap = (100 * (counts / n_values - proportion)).abs()
    bad = both & (gap > _ROUNDING_TOLERANCE)
    if bad.any():
        where = bad.idxmax()
        shown = f"{100 * counts[where] / n_values[where]:.2f}%"
        raise ValueError(
            f"{row_name(where)}: column {count_col!r} ({_show(table[count_col][where])} of "
            f"{_show(n_values[where])} = {shown}) disagrees with column {pct_col!r} "
            f"({_show(table[pct_col][where])}) by more than rounding (half a point)."
        )


def parse_arrays(
    table: pd.DataFrame,
    *,
    columns: Columns | None,
    scale: str,
    higher_is_better: bool | str,
    check_scale: bool = True,
) -> tuple[dict[str, np.ndarray], Columns]:
    """:func:`parse_table` as a dict of arrays and the column names used: ``(arrays, columns)``.

    The keys are :data:`CANONICAL_COLUMNS`; the labelling fast path (:func:`stats.label_changes`)
    uses it to skip building a frame. Same rules and errors as :func:`parse_table`.

    See Also
    --------
    parse_table : the same, as a DataFrame.
    stats.tables.label_changes : its user.

    Examples
    --------
    >>> import pandas as pd
    >>> from stats.parse import parse_arrays
    >>> t = pd.DataFrame({"previous": ["54%"], "current": ["71%"], "n_previous": [100], "n_current": [100]})
    >>> arrays, columns = parse_arrays(t, columns=None, scale="percent", higher_is_better=True)
    >>> arrays["previous"], arrays["current"], arrays["testable"]
    (array([0.54]), array([0.71]), array([ True]))
    >>> columns.previous
    'previous'
    """
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"table must be a pandas DataFrame (got {type(table).__name__}).")
    cols = Columns() if columns is None else columns
    if not isinstance(cols, Columns):
        raise TypeError(f"columns must be a stats.parse.Columns (got {type(cols).__name__}).")
    v.check_choice("scale", scale, SCALES)
    _check_unique_columns(table)

    n1 = parse_count_series(
        _column(table, cols.n_previous, "cases at the previous inspection"), cols.n_previous, minimum=1
    )
    n2 = parse_count_series(
        _column(table, cols.n_current, "cases at the current inspection"), cols.n_current, minimum=1
    )

    def side(pct_col, count_col, n_values, role):
        have_pct = pct_col in table.columns
        have_count = count_col in table.columns
        if not have_pct and not have_count:
            _column(table, pct_col, role)  # raises: neither percentages nor counts
        counts = None
        if have_count:
            counts = parse_count_series(table[count_col], count_col, minimum=0)
            over = counts.notna() & n_values.notna() & (counts > n_values)
            if over.any():
                where = over.idxmax()
                raise ValueError(
                    f"{row_name(where)}, column {count_col!r}: a count cannot exceed its n "
                    f"(got {_show(table[count_col][where])} > {_show(table[n_values.name][where])})."
                )
        pct = _percent_column(table, pct_col, scale, counts, check_scale) if have_pct else None
        if pct is not None and counts is not None:
            _counts_agree(table, pct_col, count_col, pct, counts, n_values, scale)
        if counts is None:
            return pct, pd.Series(np.nan, index=table.index)
        from_counts = counts / n_values
        prop = from_counts if pct is None else from_counts.where(counts.notna(), pct)
        return prop, counts

    p1, k1 = side(cols.previous, cols.previous_count, n1, "previous percentages")
    p2, k2 = side(cols.current, cols.current_count, n2, "current percentages")

    testable = p1.notna() & p2.notna()
    for n_col, n_values in ((cols.n_previous, n1), (cols.n_current, n2)):
        missing_n = testable & n_values.isna()
        if missing_n.any():
            where = missing_n.idxmax()
            raise ValueError(
                f"{row_name(where)}, column {n_col!r}: the number of cases is required "
                f"where both percentages are given (got {_show(table[n_col][where])})."
            )

    def population(col, n_values):
        if col is None:
            return np.full(len(table), np.inf)
        values = parse_count_series(_column(table, col, "eligible population"), col, minimum=1).fillna(np.inf)
        over = n_values.notna() & (n_values > values)
        if over.any():
            where = over.idxmax()
            raise ValueError(
                f"{row_name(where)}, column {col!r}: the population cannot be smaller than the "
                f"sample (got {_show(table[col][where])})."
            )
        return values.to_numpy(dtype=float)

    if isinstance(higher_is_better, str):
        hib_col = _column(table, higher_is_better, "direction")
        if not pd.api.types.is_bool_dtype(hib_col.dtype):
            raise TypeError(
                f"column {higher_is_better!r} (higher_is_better) must be boolean (got dtype {hib_col.dtype})."
            )
        hib = hib_col.to_numpy(dtype=bool)
    elif isinstance(higher_is_better, (bool, np.bool_)):
        hib = np.full(len(table), bool(higher_is_better))
    else:
        raise TypeError(f"higher_is_better must be True, False or a column name (got {higher_is_better!r}).")

    arrays = {
        "previous": p1.to_numpy(dtype=float),
        "n_previous": n1.to_numpy(dtype=float),
        "current": p2.to_numpy(dtype=float),
        "n_current": n2.to_numpy(dtype=float),
        "previous_count": k1.to_numpy(dtype=float),
        "current_count": k2.to_numpy(dtype=float),
        "population_previous": population(cols.population_previous, n1),
        "population_current": population(cols.population_current, n2),
        "higher_is_better": hib,
        "testable": testable.to_numpy(),
    }
    return arrays, cols


def parse_table(
    table: pd.DataFrame,
    *,
    columns: Columns | None = None,
    scale: str = "percent",
    higher_is_better: bool | str = True,
    check_scale: bool = True,
) -> pd.DataFrame:
    r"""Check a previous-versus-current table and return its canonical frame.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per prompt or key question. See :class:`Columns` for the column names
        and the README's input contract for the rules.
    columns : Columns, optional
        Column names, if they differ from the defaults.
    scale : {'percent', 'proportion'}, default 'percent'
        How the percentage columns are expressed. With 'percent', a column whose every
        value is at most 1 (and not all 0) is refused as probably proportions.
    higher_is_better : bool or str, default True
        Direction for labels, or the name of a boolean column.
    check_scale : bool, default True
        Apply the "every value at most 1" unit check. A reader that parses a large file
        in chunks checks the first chunk only (a later chunk may hold only small values).

    Returns
    -------
    pandas.DataFrame
        Same index as ``table``; columns :data:`CANONICAL_COLUMNS`:
        ``previous``, ``current`` (proportions; from counts where counts are given, nan
        where there is no figure), ``n_previous``, ``n_current`` (floats holding whole
        numbers, nan where absent), ``previous_count``, ``current_count`` (nan where not
        given), ``population_previous``, ``population_current`` (inf where not given),
        ``higher_is_better`` (bool) and ``testable`` (both proportions present).

    Raises
    ------
    ValueError
        Duplicate or blank column names, a missing column, a value that is not a
        percentage, count or size, a count above its n, counts that disagree with the
        percentages beyond rounding, a percentage column that looks like proportions, a
        missing n on a testable row, a population below its sample. The message names the
        row (the table's index label) and the column, the rule and the value.
    TypeError
        ``table`` is not a DataFrame, or a direction column is not boolean.

    See Also
    --------
    parse_arrays : the same as a dict of arrays (the fast path).
    Columns : the column names it reads.
    stats.tables.label_changes : parses with it, then tests and labels every row.

    Examples
    --------
    >>> import pandas as pd
    >>> from stats.parse import parse_table
    >>> t = pd.DataFrame(
    ...     {
    ...         "previous": ["54%", "No comparable data available"],
    ...         "current": ["71%", "43%"],
    ...         "n_previous": [100, 100],
    ...         "n_current": [100, 100],
    ...     }
    ... )
    >>> parse_table(t)[["previous", "current", "testable"]]
       previous  current  testable
    0      0.54     0.71      True
    1       NaN     0.43     False
    """
    arrays, cols = parse_arrays(
        table, columns=columns, scale=scale, higher_is_better=higher_is_better, check_scale=bool(check_scale)
    )
    frame = pd.DataFrame(arrays, index=table.index)
    frame.attrs["columns"] = cols
    frame.attrs["scale"] = scale
    return frame


# the names of release 0.1
_parse = parse_arrays
_parse_percent_series = parse_percent_series
_parse_count_series = parse_count_series
_row_name = row_name
