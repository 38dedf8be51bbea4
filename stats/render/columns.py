"""The column map and value formatting shared by every renderer (internal to :mod:`stats.render`).

Display name, unit kind and digits of every column a report view may show, in one place for the
terminal, Markdown, the HTML report, the workbook and the charts; :func:`format_value` turns one
raw value into display text. Machine formats (CSV, JSON) write the raw values at full precision
and use only the column names from here.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..change import DECLINE, IMPROVEMENT, NO_CHANGE, NO_DATA

if TYPE_CHECKING:
    from ..framework import Framework

__all__ = [
    "COLUMNS",
    "Column",
    "LABEL_SYMBOLS",
    "LABEL_CODES",
    "column_info",
    "excel_format",
    "is_missing",
    "format_value",
    "format_column",
    "display_frame",
    "round_for_display",
    "format_pvalue",
    "shorten",
    "framework_record",
    "framework_table",
    "band_limits_text",
]


@dataclass(frozen=True)
class Column:
    """How one column is shown.

    ``kind`` says what the raw value is and so how it is displayed:

    ========== ============================ ===================== =========================
    kind       raw value                    display               Excel format
    ========== ============================ ===================== =========================
    text       text                         as it is              text
    label      a change label               symbol + text         text
    percent    percent 0-100 (as published) ``71``                ``0``
    points     proportion, a signed change  ``+17`` points        ``+0.000`` (a proportion)
    margin     proportion, a half-width     ``6.4`` points        ``0.000`` (a proportion)
    points_raw already in points            ``6.41``              ``0.00``
    pvalue     probability                  ``0.013``, ``<0.001`` ``0.0000``
    z          statistic                    ``2.48``              ``0.00``
    count      whole number                 ``100``               ``0``
    population whole number, may be a range ``248`` (rounded)     ``0``
    ratio      ratio                        ``x1.313``            ``0.000``
    bool       True/False/missing           ``yes``/``no``        boolean
    number     anything else numeric        3 significant digits  ``General``
    ========== ============================ ===================== =========================

    See Also
    --------
    column_info : the Column of a column name.
    format_value : a value as display text under a Column.
    excel_format : the workbook's number format of a Column.

    Examples
    --------
    >>> from stats.render.columns import Column, format_value
    >>> points = Column("change (pts)", "points", 0)
    >>> format_value(0.123, points), format_value(-0.004, points)
    ('+12', '0')
    """

    display: str
    kind: str = "text"
    decimals: int = 0
    description: str = ""


COLUMNS: dict[str, Column] = {
    # identifiers and text
    "standard": Column("standard"),
    "standard_name": Column("standard name"),
    "key_question": Column("key question"),
    "key_question_text": Column("key question text"),
    "prompt_id": Column("prompt"),
    "prompt": Column("prompt text"),
    "sample": Column("sample"),
    "note": Column("note"),
    "wording": Column("wording", description="how an inspector may describe the change"),
    # the labelled table
    "previous": Column("prev. %", "percent", 0, "previous inspection, percent as published"),
    "current": Column("cur. %", "percent", 0, "current inspection, percent as published"),
    "all_crcs": Column("all CRCs %", "percent", 0, "all CRCs inspected that year, percent as published"),
    "n_previous": Column("n prev.", "count", description="cases behind the previous percentage"),
    "n_current": Column("n cur.", "count", description="cases behind the current percentage"),
    "difference": Column("change (pts)", "points", 0, "current minus previous, percentage points"),
    "ci_low": Column("CI low", "points", 1, "lower limit of the change's interval, percentage points"),
    "ci_high": Column("CI high", "points", 1, "upper limit of the change's interval, percentage points"),
    "statistic": Column("z", "z", 2, "the test statistic"),
    "pvalue": Column("p", "pvalue", 3, "p-value of the change test"),
    "significant": Column("significant", "bool", description="p <= alpha"),
    "label": Column("label", "label", description="the verdict of the change test"),
    "margin_previous": Column("margin previous (points)", "margin", 1, "80% margin of the previous percentage"),
    "margin_current": Column("margin current (points)", "margin", 1, "80% margin of the current percentage"),
    # the main points (stats.findings.MainPoints.to_frame) in display units
    "change_points": Column("change (points)", "points_raw", 1, "current minus previous, percentage points"),
    "ci_low_points": Column("interval low (points)", "points_raw", 1, "lower limit of the change's interval"),
    "ci_high_points": Column("interval high (points)", "points_raw", 1, "upper limit of the change's interval"),
    "previous_percent": Column("previous %", "percent", 0, "previous inspection, percent"),
    "current_percent": Column("current %", "percent", 0, "current inspection, percent"),
    "lowest_percent_points": Column("lowest key question %", "percent", 0),
    "firmness": Column(
        "firmness",
        description="robust: significant for every feasible count, the exact "
        "tests agree and it survives FDR control; fragile otherwise",
    ),
    "reasons": Column("why fragile"),
    "caveats": Column("caveats"),
    "decision": Column("what sets the rating"),
    # the counts behind a label (implied integer counts, where the analysis gives them)
    "count_previous": Column("count prev.", "count", description="cases with the outcome at the previous inspection"),
    "count_current": Column("count cur.", "count", description="cases with the outcome at the current inspection"),
    "n_used_previous": Column("n used prev.", "count", description="previous denominator the label used"),
    "n_used_current": Column("n used cur.", "count", description="current denominator the label used"),
    "count_source": Column("counts from", description="where the counts behind the label come from"),
    # robustness to unknown denominators (stats.consistency)
    "robust_label": Column(
        "over feasible counts", description="the test at every count (k, n) that publishes as both percentages"
    ),
    "significant_from_n": Column(
        "holds from n", "count", description="smallest n from which every feasible count is significant"
    ),
    "pvalue_min": Column("p min (feasible counts)", "pvalue", 3, "smallest p-value over the feasible counts"),
    "pvalue_max": Column("p max (feasible counts)", "pvalue", 3, "largest p-value over the feasible counts"),
    "combinations_tried": Column("counts tried", "count", description="feasible (k, n) combinations tested"),
    # exact tests and method sensitivity (stats.exact)
    "fisher": Column("p Fisher", "pvalue", 3, "Fisher's exact test"),
    "barnard": Column("p Barnard", "pvalue", 3, "Barnard's exact test"),
    "boschloo": Column("p Boschloo", "pvalue", 3, "Boschloo's exact test"),
    "exact_agree": Column("exact tests agree", "bool", description="the exact tests give the Z test's verdict"),
    "method_sensitive": Column("method-sensitive", "bool", description="the verdict changes with the test variant"),
    # multiplicity (stats.multiplicity)
    "qvalue": Column("q (FDR)", "pvalue", 3, "Benjamini-Hochberg adjusted p-value"),
    "significant_fdr": Column("significant after FDR", "bool", description="q <= alpha"),
    # design effect
    "deff": Column("design effect", "ratio", 3, "variance inflation from the sample design"),
    "deff_breakdown": Column(
        "deff that removes significance",
        "ratio",
        2,
        "design effect above which a significant label is lost, (z / z_crit)^2",
    ),
    "n_effective": Column("effective n", "number", description="n / design effect"),
    "surviving": Column("surviving", "count", description="significant labels that survive this design effect"),
    "lost": Column("lost", "count"),
    "share_surviving": Column("share surviving", "number"),
    "lost_ids": Column("labels lost"),
    "end": Column("end of the range"),
    "icc": Column("ICC", "number", description="intra-class correlation of one officer's cases"),
    "mean_cluster_size": Column("cases per officer", "number", description="mean cluster size"),
    "cv": Column("CV of cases per officer", "number", description="coefficient of variation of cluster sizes"),
    "effective_cluster_size": Column("effective cluster size", "number", description="m (1 + cv^2)"),
    "model": Column("model"),
    # sample design (stats.samplesize.sample_design)
    "n": Column("n", "count"),
    "parent": Column("sub-sample of"),
    "applies_to": Column("applies to"),
    "sized_for_margin": Column("sized for the margin"),
    "source": Column("source"),
    "margin": Column("margin (points, infinite N)", "margin", 2, "80% margin at p = 0.5, no population"),
    "implied_population_low": Column(
        "implied N low", "population", description="smallest population the rule maps to n"
    ),
    "implied_population_high": Column(
        "implied N high", "population", description="largest population the rule maps to n"
    ),
    "margin_fpc_low": Column("margin at implied N, low", "margin", 2),
    "margin_fpc_high": Column("margin at implied N, high", "margin", 2),
    "widening": Column("widening", "ratio", 3, "sub-sample margin / parent margin"),
    # ratings (stats.ratings.rate_report)
    "basis": Column("basis"),
    "mechanical_rating": Column("mechanical rating", description="lowest key-question band"),
    "lowest_key_question": Column("lowest key question"),
    "lowest_percent": Column("lowest %", "percent", 0),
    "discretion_candidate": Column(
        "discretion candidate", "bool", description="within the framework's discretion distance of a band limit"
    ),
    "discretion_reason": Column("why"),
    "discretion_rating": Column("recorded discretion"),
    "qualitative_adjustment": Column("qualitative adjustment", "count"),
    "rating": Column("rating"),
    "published_rating": Column("published rating"),
    "matches_published": Column("matches published", "bool"),
    "score": Column("score", "count"),
    # method comparison (stats.exact.compare_methods)
    "pooled": Column("p pooled", "pvalue", 3),
    "pooled-cc": Column("p pooled-cc", "pvalue", 3),
    "unpooled": Column("p unpooled", "pvalue", 3),
    "unpooled-cc": Column("p unpooled-cc", "pvalue", 3),
    # method table
    "item": Column("item"),
    "value": Column("value"),
}

#: Symbols shown with each label so that no view relies on colour alone.
LABEL_SYMBOLS = {IMPROVEMENT: "▲", DECLINE: "▼", NO_CHANGE: "●", NO_DATA: "–"}

#: A short code of each label: CSS classes and workbook styles are keyed on these, never on the label text.
LABEL_CODES = {IMPROVEMENT: "improvement", DECLINE: "decline", NO_CHANGE: "nochange", NO_DATA: "nodata"}

_EXCEL_FORMATS = {
    # a change is never formatted as a percent ("+17.0%" for 17 points): proportions keep a proportion format
    "percent": "0",
    "points": "+0.000;-0.000;0.000",
    "margin": "0.000",
    "points_raw": "0.00",
    "pvalue": "0.0000",
    "z": "0.00",
    "count": "0",
    "population": "0",
    "ratio": "0.000",
    "number": "General",
}


def column_info(name: Hashable, values: pd.Series | None = None) -> Column:
    """The :class:`Column` of ``name``; an unlisted column gets its name and a kind from its dtype.

    See Also
    --------
    Column : what the result describes.
    format_column : applies it to a whole column.

    Examples
    --------
    >>> import pandas as pd
    >>> from stats.render.columns import column_info
    >>> column_info("pvalue")
    Column(display='p', kind='pvalue', decimals=3, description='p-value of the change test')
    >>> column_info("my_count", pd.Series([1, 2])).kind
    'count'
    """
    if name in COLUMNS:
        column = COLUMNS[name]
        if column.kind == "bool" and values is not None and pd.api.types.is_integer_dtype(values.dtype):
            return Column(column.display, "count", description=column.description)  # e.g. a count of significant rows
        return column
    display = str(name).replace("_", " ")
    if values is not None and pd.api.types.is_bool_dtype(values.dtype):
        return Column(display, "bool")
    if values is not None and pd.api.types.is_integer_dtype(values.dtype):
        return Column(display, "count")
    if values is not None and pd.api.types.is_float_dtype(values.dtype):
        return Column(display, "number")
    return Column(display)


def excel_format(column: Column) -> str | None:
    """Excel number format of a column (None for text and booleans).

    See Also
    --------
    Column : the column description it reads.
    stats.render.xlsx.write_xlsx : the workbook that uses these formats.

    Examples
    --------
    >>> from stats.render.columns import column_info, excel_format
    >>> excel_format(column_info("pvalue")), excel_format(column_info("label"))
    ('0.0000', None)
    """
    return _EXCEL_FORMATS.get(column.kind)


def is_missing(x: object) -> bool:
    """True for None, ``pandas.NA``, ``pandas.NaT`` and NaN: the values every format shows blank.

    See Also
    --------
    format_value : shows a missing value as an empty string.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from stats.render.columns import is_missing
    >>> [is_missing(x) for x in (None, pd.NA, np.nan, 0, "")]
    [True, True, True, False, False]
    """
    return x is None or x is pd.NA or x is pd.NaT or (isinstance(x, (float, np.floating)) and math.isnan(x))


def format_value(value: Any, column: Column) -> str:
    """One value as display text under ``column`` (blank when missing).

    See Also
    --------
    format_column : the same for a whole column.
    format_pvalue : the p-value rule on its own.

    Examples
    --------
    >>> from stats.render.columns import COLUMNS, format_value
    >>> format_value(0.17, COLUMNS["difference"]), format_value(0.0577, COLUMNS["ci_low"])
    ('+17', '+5.8')
    >>> format_value(0.0004, COLUMNS["pvalue"]), format_value(143.8, COLUMNS["implied_population_low"])
    ('<0.001', '144')
    """
    if is_missing(value):
        return ""
    kind, d = column.kind, column.decimals
    if kind == "label":
        return f"{LABEL_SYMBOLS.get(str(value), '')} {value}".strip()
    if kind == "bool" or isinstance(value, (bool, np.bool_)):
        return "yes" if bool(value) else "no"
    if isinstance(value, str):
        return value
    if kind == "percent":
        return f"{value:.{d}f}" if float(value).is_integer() or d else f"{value:.1f}"
    if kind == "points":
        return f"{0:.{d}f}" if round(100 * value, d) == 0 else f"{100 * value:+.{d}f}"
    if kind == "margin":
        return f"{100 * value:.{d}f}"
    if kind in ("points_raw", "z"):
        return f"{value:.{d}f}"
    if kind == "pvalue":
        return format_pvalue(value)
    if kind in ("count", "population"):
        return f"{value:.0f}"
    if kind == "ratio":
        return f"x{value:.{d}f}"
    if isinstance(value, (int, np.integer)):
        return str(value)
    return f"{value:.3g}"


def format_column(values: pd.Series, name: str | None = None) -> pd.Series:
    """A column as display text (:func:`format_value` with the column map).

    See Also
    --------
    format_value : the rule for one value.
    display_frame : every column of a table, with display names.

    Examples
    --------
    >>> import pandas as pd
    >>> from stats.render.columns import format_column
    >>> format_column(pd.Series([54.0, None], name="current")).tolist()
    ['54', '']
    >>> format_column(pd.Series([0.1234, 0.0004], name="pvalue")).tolist()
    ['0.123', '<0.001']
    """
    column = column_info(values.name if name is None else name, values)
    return pd.Series([format_value(x, column) for x in values], index=values.index, name=values.name, dtype=object)


def display_frame(frame: pd.DataFrame, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """``frame`` as display text with display names (the column map), for Markdown and HTML.

    See Also
    --------
    format_column : the formatting of one column.
    round_for_display : rounds but keeps numbers (Markdown).

    Examples
    --------
    >>> import pandas as pd
    >>> from stats.render.columns import display_frame
    >>> frame = pd.DataFrame({"prompt_id": ["P1"], "difference": [0.17], "pvalue": [0.013]})
    >>> display_frame(frame)
      prompt change (pts)      p
    0     P1          +17  0.013
    """
    columns = list(frame.columns if columns is None else [c for c in columns if c in frame.columns])
    return pd.DataFrame(
        {column_info(c, frame[c]).display: format_column(frame[c], c) for c in columns}, index=frame.index
    )


def _round_significant(x: np.ndarray, digits: int) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        mag = np.where((x == 0) | ~np.isfinite(x), 0, np.floor(np.log10(np.abs(np.where(x == 0, 1, x)))))
        scale = 10.0 ** (digits - 1 - mag)
        return np.where(np.isfinite(x), np.round(x * scale) / scale, x)


def round_for_display(frame: pd.DataFrame) -> pd.DataFrame:
    """Round numbers for display formats (Markdown): the raw units, with only the digits that mean something.

    Machine formats (CSV, JSON) do not round: they carry every digit.

    Proportions keep 4 decimals (0.01 points), p-values 4 significant digits, z 3 decimals,
    populations and counts are whole numbers, other floats 6 significant digits. Text and
    integers are untouched; the result has the same columns and units as ``frame``.

    See Also
    --------
    display_frame : display text with display names (HTML).
    stats.render.markdown.table_markdown : the Markdown writer that uses it.

    Examples
    --------
    >>> import pandas as pd
    >>> from stats.render.columns import round_for_display
    >>> round_for_display(
    ...     pd.DataFrame({"margin": [0.06407757827723002], "implied_population_low": [143.8], "pvalue": [0.0130283]})
    ... ).to_dict("records")
    [{'margin': 0.0641, 'implied_population_low': 144, 'pvalue': 0.01303}]
    """
    out = frame.copy()
    for name in out.columns:
        values = out[name]
        if not pd.api.types.is_float_dtype(values.dtype):
            continue
        kind = column_info(name, values).kind
        x = values.to_numpy(dtype=float)
        if kind in ("population", "count"):
            out[name] = pd.array(np.where(np.isfinite(x), np.round(x), np.nan), dtype="Float64").astype("Int64")
            continue
        if kind in ("points", "margin"):
            x = np.round(x, 4)
        elif kind == "pvalue":
            x = _round_significant(x, 4)
        elif kind in ("z", "ratio"):
            x = np.round(x, 3)
        elif kind in ("points_raw", "percent"):
            x = np.round(x, 2)
        else:
            x = _round_significant(x, 6)
        out[name] = pd.Series(x, index=values.index, name=name)
    out.attrs = dict(frame.attrs)
    return out


def format_pvalue(p: Any) -> str:
    """p-value to 3 decimals, '<0.001' below that, blank when missing.

    See Also
    --------
    format_value : every other kind of value.

    Examples
    --------
    >>> from stats.render.columns import format_pvalue
    >>> format_pvalue(0.01303), format_pvalue(0.00004), format_pvalue(float("nan"))
    ('0.013', '<0.001', '')
    """
    if p is None or (isinstance(p, float) and math.isnan(p)) or p is pd.NA:
        return ""
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def shorten(text: object, width: int) -> str:
    """Cut ``text`` to ``width`` characters with an ellipsis.

    See Also
    --------
    stats.render.text.text_table : wraps long text instead of cutting it.

    Examples
    --------
    >>> from stats.render.columns import shorten
    >>> shorten("Was the case allocated to the right officer?", 20), shorten(None, 5)
    ('Was the case alloca…', '')
    """
    text = "" if text is None or text is pd.NA else str(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def framework_record(framework: Framework | None) -> dict:
    """The presentation rules of a :class:`stats.framework.Framework`: ratings, points, bands, discretion.

    See Also
    --------
    framework_table : the same as item/value rows.
    stats.framework.load_framework : reads a framework.

    Examples
    --------
    >>> from stats.framework import load_framework
    >>> from stats.render.columns import framework_record
    >>> record = framework_record(load_framework())
    >>> record["name"], record["ratings"]
    ('adult-2018', ['Inadequate', 'Requires improvement', 'Good', 'Outstanding'])
    """
    if framework is None:
        return {}
    return {
        "name": framework.name,
        "title": framework.title,
        "ratings": list(framework.ratings),
        "points": list(framework.points),
        "key_question_bands": list(framework.key_question_bands),
        "overall_bands": list(framework.overall_bands),
        "discretion_points": framework.discretion_points,
        "maximum": framework.maximum,
    }


def framework_table(framework: Framework | None) -> pd.DataFrame:
    """:func:`framework_record` as ``item``/``value`` rows (lists joined with '; ').

    See Also
    --------
    framework_record : the same as a dict.

    Examples
    --------
    >>> from stats.framework import load_framework
    >>> from stats.render.columns import framework_table
    >>> framework_table(load_framework())["item"].tolist()[:3]
    ['name', 'title', 'ratings']
    """
    rows = [
        (k, "; ".join(f"{x:g}" if isinstance(x, float) else str(x) for x in v) if isinstance(v, list) else v)
        for k, v in framework_record(framework).items()
    ]
    return pd.DataFrame(rows, columns=["item", "value"])


def band_limits_text(framework: Framework) -> str:
    """'40, 60 and 75': the key-question band limits of a framework, for captions and axis titles.

    See Also
    --------
    stats.summary.band_rule : the whole rating rule in words.
    stats.render.charts.ratings_chart : draws the bands.

    Examples
    --------
    >>> from stats.framework import load_framework
    >>> from stats.render.columns import band_limits_text
    >>> band_limits_text(load_framework())
    '50, 65 and 80'
    """
    limits = [f"{b:g}" for b in framework.key_question_bands]
    return limits[0] if len(limits) == 1 else ", ".join(limits[:-1]) + " and " + limits[-1]
