"""Reporting layer: turn raw results into text (tables, CSV, Markdown, JSON).

Compute functions return raw floats; everything about digits, units and
layout lives here, so the CLI and notebooks format results the same way.
"""

from __future__ import annotations

import json
import math
import re
import textwrap
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .io import neutralise_formula, neutralise_formulas, write_atomic  # noqa: F401  (they live in stats.io)

__all__ = [
    "FORMATS",
    "COLUMNS",
    "Column",
    "LABEL_SYMBOLS",
    "column_info",
    "format_value",
    "format_column",
    "display_frame",
    "round_for_output",
    "neutralise_formula",
    "text_table",
    "render",
    "write_atomic",
    "format_pvalue",
    "to_markdown",
    "shorten",
    "display_labelled",
    "design_view",
    "ratings_view",
    "report_text",
    "compare_text",
]

FORMATS = ("table", "csv", "markdown", "json")


# ---------------------------------------------------------------------------------------------
# The column map: display name, unit kind and digits of every column a report view may show.
# One place for the terminal, Markdown/CSV rounding, the HTML report and the Excel workbook.
# Columns added on other branches (robustness, exact tests, FDR, design effect) are listed here
# so they render with a name and a number format when present; views work without them.
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """How one column is shown.

    ``kind`` says what the raw value is and so how it is displayed:

    ========== ============================ ===================== ============
    kind       raw value                    display               Excel format
    ========== ============================ ===================== ============
    text       text                         as it is              text
    label      a change label               symbol + text         text
    percent    percent 0-100 (as published) ``71``                ``0``
    points     proportion, a signed change  ``+17`` points        ``+0.0%``
    margin     proportion, a half-width     ``6.4`` points        ``0.0%``
    points_raw already in points            ``6.41``              ``0.00``
    pvalue     probability                  ``0.013``, ``<0.001`` ``0.0000``
    z          statistic                    ``2.48``              ``0.00``
    count      whole number                 ``100``               ``0``
    population whole number, may be a range ``248`` (rounded)     ``0``
    ratio      ratio                        ``x1.313``            ``0.000``
    bool       True/False/missing           ``yes``/``no``        boolean
    number     anything else numeric        3 significant digits  ``General``
    ========== ============================ ===================== ============
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
    # robustness to unknown denominators (stats.consistency)
    "robust_label": Column("over feasible counts", description="the test at every count (k, n) that publishes as both percentages"),
    "significant_from_n": Column("holds from n", "count", description="smallest n from which every feasible count is significant"),
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
    "deff_breakdown": Column("deff that removes significance", "ratio", 2,
                             "design effect above which a significant label is lost, (z / z_crit)^2"),
    "n_effective": Column("effective n", "number", description="n / design effect"),
    "surviving": Column("surviving", "count", description="significant labels that survive this design effect"),
    "lost": Column("lost", "count"),
    "share_surviving": Column("share surviving", "number"),
    "lost_ids": Column("labels lost"),
    # sample design (stats.samplesize.sample_design)
    "n": Column("n", "count"),
    "parent": Column("sub-sample of"),
    "applies_to": Column("applies to"),
    "sized_for_margin": Column("sized for the margin"),
    "source": Column("source"),
    "margin": Column("margin (points, infinite N)", "margin", 2, "80% margin at p = 0.5, no population"),
    "implied_population_low": Column("implied N low", "population", description="smallest population the rule maps to n"),
    "implied_population_high": Column("implied N high", "population", description="largest population the rule maps to n"),
    "margin_fpc_low": Column("margin at implied N, low", "margin", 2),
    "margin_fpc_high": Column("margin at implied N, high", "margin", 2),
    "widening": Column("widening", "ratio", 3, "sub-sample margin / parent margin"),
    # ratings (stats.ratings.rate_report)
    "basis": Column("basis"),
    "mechanical_rating": Column("mechanical rating", description="lowest key-question band"),
    "lowest_key_question": Column("lowest key question"),
    "lowest_percent": Column("lowest %", "percent", 0),
    "discretion_candidate": Column("discretion candidate", "bool", description="within 5 points of a boundary"),
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
LABEL_SYMBOLS = {
    "significant improvement": "▲",
    "significant decline": "▼",
    "no significant change": "●",
    "no comparable data": "–",
}

_EXCEL_FORMATS = {
    "percent": "0", "points": "+0.0%;-0.0%;0.0%", "margin": "0.0%", "points_raw": "0.00", "pvalue": "0.0000",
    "z": "0.00", "count": "0", "population": "0", "ratio": "0.000", "number": "General",
}


def column_info(name, values=None) -> Column:
    """The :class:`Column` of ``name``; an unlisted column gets its name and a kind from its dtype."""
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
    """Excel number format of a column (None for text and booleans)."""
    return _EXCEL_FORMATS.get(column.kind)


def _missing(x) -> bool:
    return x is None or x is pd.NA or x is pd.NaT or (isinstance(x, (float, np.floating)) and math.isnan(x))


def format_value(value, column: Column) -> str:
    """One value as display text under ``column`` (blank when missing).

    Examples
    --------
    >>> from stats.formatting import COLUMNS, format_value
    >>> format_value(0.17, COLUMNS["difference"]), format_value(0.0577, COLUMNS["ci_low"])
    ('+17', '+5.8')
    >>> format_value(0.0004, COLUMNS["pvalue"]), format_value(143.8, COLUMNS["implied_population_low"])
    ('<0.001', '144')
    """
    if _missing(value):
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


def format_column(values: pd.Series, name=None) -> pd.Series:
    """A column as display text (:func:`format_value` with the column map)."""
    column = column_info(values.name if name is None else name, values)
    return pd.Series([format_value(x, column) for x in values], index=values.index, name=values.name, dtype=object)


def display_frame(frame: pd.DataFrame, columns=None) -> pd.DataFrame:
    """``frame`` as display text with display names (the column map), for Markdown and HTML."""
    columns = list(frame.columns if columns is None else [c for c in columns if c in frame.columns])
    return pd.DataFrame({column_info(c, frame[c]).display: format_column(frame[c], c) for c in columns},
                        index=frame.index)


def _round_significant(x: np.ndarray, digits: int) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        mag = np.where((x == 0) | ~np.isfinite(x), 0, np.floor(np.log10(np.abs(np.where(x == 0, 1, x)))))
        scale = 10.0 ** (digits - 1 - mag)
        return np.where(np.isfinite(x), np.round(x * scale) / scale, x)


def round_for_output(frame: pd.DataFrame) -> pd.DataFrame:
    """Round numbers for CSV and Markdown: the raw units, with only the digits that mean something.

    Proportions keep 4 decimals (0.01 points), p-values 4 significant digits, z 3 decimals,
    populations and counts are whole numbers, other floats 6 significant digits. Text and
    integers are untouched; the result has the same columns and units as ``frame``.

    Examples
    --------
    >>> import pandas as pd
    >>> from stats.formatting import round_for_output
    >>> round_for_output(pd.DataFrame({"margin": [0.06407757827723002], "implied_population_low": [143.8],
    ...                                "pvalue": [0.0130283]})).to_dict("records")
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


def format_pvalue(p) -> str:
    """p-value to 3 decimals, '<0.001' below that, blank when missing."""
    if p is None or (isinstance(p, float) and math.isnan(p)) or p is pd.NA:
        return ""
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def _fmt(value, spec: str) -> str:
    """Format a number; text (as read from a CSV) is shown as it is."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, str):
        return value
    return format(value, spec)


def shorten(text, width: int) -> str:
    """Cut ``text`` to ``width`` characters with an ellipsis."""
    text = "" if text is None or text is pd.NA else str(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def to_markdown(frame: pd.DataFrame) -> str:
    """GitHub-flavoured Markdown table (no extra dependency)."""
    def cell(x) -> str:
        if x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x)):
            return ""
        return str(x).replace("|", "\\|").replace("\n", " ")

    header = "| " + " | ".join(cell(c) for c in frame.columns) + " |"
    rule = "| " + " | ".join("---" for _ in frame.columns) + " |"
    body = ["| " + " | ".join(cell(x) for x in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([header, rule, *body]) + "\n"


_NUMBER_TEXT = re.compile(r"^(?:[<>x+-]?\d[\d,.]*|\d+/\d+|\d+(?:-\d+)?)$")


def _right_aligned(frame: pd.DataFrame, c) -> bool:
    values = frame[c]
    if pd.api.types.is_bool_dtype(values.dtype):
        return False
    if pd.api.types.is_numeric_dtype(values.dtype):
        return True
    texts = [str(x) for x in values if not _missing(x) and str(x) != ""]
    return bool(texts) and all(_NUMBER_TEXT.match(t) for t in texts)


def _table_lines(frame: pd.DataFrame, *, width: int, min_wrap: int, detail=None) -> tuple[str, list[list[str]]]:
    """Header line and each row's lines (see :func:`text_table`)."""
    columns = [c for c in frame.columns if c != detail]
    cells = {c: ["" if _missing(x) else str(x) for x in frame[c]] for c in frame.columns}
    right = {c: _right_aligned(frame, c) for c in columns}
    widths = {c: max([len(str(c)), *(len(x) for x in cells[c])]) for c in columns}
    total = sum(widths.values()) + 2 * (len(widths) - 1)
    wrapped = set()
    while total > width:
        candidates = [c for c in columns if not right[c] and widths[c] > min_wrap]
        if not candidates:
            break
        c = max(candidates, key=lambda k: widths[k])
        new = max(min_wrap, widths[c] - (total - width))
        total -= widths[c] - new
        widths[c] = new
        wrapped.add(c)

    def fit(c, text):
        return text.rjust(widths[c]) if right[c] else text.ljust(widths[c])

    def wrap(text, w):
        return textwrap.wrap(text, w, break_long_words=True, break_on_hyphens=False) or [""]

    header = "  ".join(fit(c, str(c)[: widths[c]]) for c in columns).rstrip()
    indent = " " * (widths[columns[0]] + 2) if columns else ""
    rows = []
    for i in range(len(frame)):
        parts = {c: wrap(cells[c][i], widths[c]) if c in wrapped and len(cells[c][i]) > widths[c] else [cells[c][i]]
                 for c in columns}
        lines = ["  ".join(fit(c, parts[c][k] if k < len(parts[c]) else "") for c in columns).rstrip()
                 for k in range(max(len(v) for v in parts.values()))]
        if detail is not None and cells[detail][i]:
            lines.extend(indent + t for t in wrap(cells[detail][i], max(min_wrap, width - len(indent))))
        rows.append(lines)
    return header, rows


def text_table(frame: pd.DataFrame, *, width: int = 120, min_wrap: int = 24, header: bool = True,
               detail=None) -> str:
    """Fixed-width text table with one header; long text is wrapped, never cut.

    Numbers (and text that reads as a number) are right-aligned, other text left-aligned.
    When the table would be wider than ``width``, the widest text columns are wrapped (down
    to ``min_wrap`` characters) and their rows take several lines. ``detail`` names a text
    column printed in full under each row (wrapped to ``width``) instead of as a column.

    Examples
    --------
    >>> import pandas as pd
    >>> from stats.formatting import text_table
    >>> t = pd.DataFrame({"id": ["a"], "text": ["one two three four five six"], "n": [7]})
    >>> print(text_table(t, width=20, min_wrap=8), end="")
    id  text           n
    a   one two three  7
        four five six
    >>> print(text_table(t, width=20, detail="text"), end="")
    id  n
    a   7
        one two three four
        five six
    """
    head, rows = _table_lines(frame, width=width, min_wrap=min_wrap, detail=detail)
    lines = ([head] if header else []) + [line for row in rows for line in row]
    return "\n".join(lines) + "\n"


def _json_default(x):
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (np.floating,)):
        return None if np.isnan(x) else float(x)
    if isinstance(x, (np.bool_,)):
        return bool(x)
    if x is pd.NA:
        return None
    raise TypeError(f"cannot serialise {type(x).__name__}")


def to_records(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts with missing values as None (JSON null)."""
    records = frame.astype(object).where(frame.notna(), None).to_dict(orient="records")
    return [{str(k): (None if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items()} for r in records]


def render(frame: pd.DataFrame, fmt: str, *, sanitize: bool = True) -> str:
    """Render a DataFrame as ``'table'``, ``'csv'``, ``'markdown'`` or ``'json'`` text.

    ``sanitize`` (default True): in ``csv`` and ``markdown``, text cells that a
    spreadsheet would run as a formula get a leading ``'``
    (:func:`stats.io.neutralise_formulas`, OWASP's rule); numbers are unaffected.
    """
    if fmt == "csv":
        out = round_for_output(frame)
        return (neutralise_formulas(out) if sanitize else out).to_csv(index=False)
    if fmt == "markdown":
        out = round_for_output(frame)
        return to_markdown(neutralise_formulas(out) if sanitize else out)
    if fmt == "json":
        return json.dumps(to_records(frame), indent=2, default=_json_default, ensure_ascii=False) + "\n"
    if fmt == "table":
        if frame.empty:
            return "(none)\n"
        if "prompt" in frame.columns:  # long text: printed in full under each row
            return text_table(frame, detail="prompt")
        return frame.to_string(index=False, na_rep="") + "\n"
    raise ValueError(f"format ({fmt!r}) must be one of {', '.join(map(repr, FORMATS))}.")


def robust_short(label, significant_from_n) -> str:
    """Short text for a :func:`stats.consistency.robust_labels` verdict in a terminal table."""
    from .consistency import ROBUST_ALL, ROBUST_DEPENDS, ROBUST_INFEASIBLE, ROBUST_NONE

    if label == ROBUST_ALL:
        return "all counts"
    if label == ROBUST_NONE:
        return "no count"
    if label == ROBUST_INFEASIBLE:
        return "no feasible count"
    if label == ROBUST_DEPENDS:
        frm = "" if significant_from_n is pd.NA or pd.isna(significant_from_n) else f" (n>={int(significant_from_n)})"
        return "depends" + frm
    return ""


def _pvalue_range(low, high) -> str:
    """'0.017-0.111': a p-value range over feasible counts (blank where untestable)."""
    if pd.isna(low):
        return ""
    a, b = format_pvalue(low), format_pvalue(high)
    return a if a == b else f"{a}-{b}"


def _exact_short(agree, sensitive) -> str:
    """'agree' when every exact test gives the label's verdict, 'DIFFER' when not; '*' marks method-sensitive rows."""
    if agree is None or agree is pd.NA or pd.isna(agree):
        return ""
    return ("agree" if agree else "DIFFER") + ("*" if sensitive is True or sensitive == True else "")  # noqa: E712


def display_labelled(labelled: pd.DataFrame, *, prompt_width: int | None = None) -> pd.DataFrame:
    """Formatted view of a labelled table (strings), for terminal output.

    The prompt text is kept whole (:func:`text_table` wraps it); ``prompt_width``, when given,
    cuts it as before. Optional columns of other analyses (p-value range over feasible
    denominators, method sensitivity, FDR) are shown when present.
    """
    def percents(name):
        if name not in labelled:
            if f"{name}_count" in labelled:  # a table of counts (stats.cases.compare_inspections)
                return (100 * labelled[f"{name}_count"] / labelled[f"n_{name}"]).map(lambda x: _fmt(x, ".0f"))
            return None
        values = labelled[name]
        if not pd.api.types.is_numeric_dtype(values.dtype):  # as read from a CSV: '71%', 'No comparable data'
            from .parse import parse_percent

            values = pd.Series([parse_percent(x) for x in values], index=values.index, name=name)
        return format_column(values)

    cols = {
        "prev %": percents("previous"),
        "cur %": percents("current"),
        "n": [f"{_fmt(a, '.0f')}/{_fmt(b, '.0f')}" for a, b in zip(labelled["n_previous"], labelled["n_current"])],
        "change": format_column(labelled["difference"]),
        "z": format_column(labelled["statistic"]),
        "p": format_column(labelled["pvalue"]),
        "label": format_column(labelled["label"]),
    }
    out = pd.DataFrame({k: val for k, val in cols.items() if val is not None}, index=labelled.index)
    if "pvalue_min" in labelled:  # the checks of stats.summary.with_checks
        out["p over counts"] = [_pvalue_range(a, b) for a, b in zip(labelled["pvalue_min"], labelled["pvalue_max"])]
    if "robust_label" in labelled:
        out["sig. for"] = [robust_short(lab, frm) for lab, frm in zip(labelled["robust_label"], labelled["significant_from_n"])]
    if "exact_agree" in labelled:
        out["exact"] = [_exact_short(a, m) for a, m in zip(labelled["exact_agree"], labelled["method_sensitive"])]
    if "qvalue" in labelled:
        out["q"] = labelled["qvalue"].map(format_pvalue)
    if "prompt" in labelled:
        text = labelled["prompt"].astype(object)
        out.insert(0, "prompt", text.map(lambda t: shorten(t, prompt_width)) if prompt_width else text)
    if "prompt_id" in labelled:
        out.insert(0, "id", labelled["prompt_id"])
    return out


def design_view(design: pd.DataFrame) -> pd.DataFrame:
    """Sample design table for display: margins in points, ranges of implied populations."""
    def rng(lo, hi, spec):
        if pd.isna(lo):
            return ""
        a, b = format(lo, spec), format(hi, spec)
        return a if a == b else f"{a}-{b}"

    return pd.DataFrame({
        "sample": design["sample"],
        "n": design["n"],
        "sub-sample of": design.get("parent", pd.Series([""] * len(design))).fillna(""),
        "margin (inf. N)": design["margin"].map(lambda x: f"{100 * x:.2f}"),
        "implied N": [rng(a, b, ".0f") for a, b in zip(design["implied_population_low"], design["implied_population_high"])],
        "margin at implied N": [rng(100 * a, 100 * b, ".2f") for a, b in zip(design["margin_fpc_low"], design["margin_fpc_high"])],
        "widening": design["widening"].map(lambda x: "" if pd.isna(x) else f"x{x:.3f}"),
    })


def ratings_view(rated: pd.DataFrame) -> pd.DataFrame:
    """Ratings table for display (:func:`stats.ratings.rate_report` output)."""
    def cell(x, spec=""):
        return "" if x is None or x is pd.NA or (isinstance(x, float) and pd.isna(x)) else format(x, spec)

    return pd.DataFrame({
        "standard": rated["standard"] + " " + rated["standard_name"],
        "lowest KQ": [f"{cell(k)} {cell(p, '.0f')}%" if cell(k) else "" for k, p in zip(rated["lowest_key_question"], rated["lowest_percent"])],
        "mechanical": rated["mechanical_rating"].map(cell),
        "discretion?": rated["discretion_candidate"].map(lambda x: "" if x is pd.NA or pd.isna(x) else ("candidate" if x else "no")),
        "recorded": rated["discretion_rating"].map(cell),
        "rating": rated["rating"],
        "published": rated["published_rating"],
        "match": rated["matches_published"].map({True: "yes", False: "NO"}),
        "score": rated["score"],
    })


def ratings_text(rated: pd.DataFrame, total, published, *, width: int = 140) -> str:
    """The ratings block: table, total against the published one, discretion candidates."""
    lines = [text_table(ratings_view(rated), width=width, min_wrap=20).rstrip()]
    shown = "not published" if pd.isna(published["score"]) else f"{int(published['score'])}/{total.maximum}"
    lines.append(f"   Total {total.score}/{total.maximum}, {total.rating} (published: {shown}, {published['rating']}).")
    for _, row in rated[rated["discretion_candidate"].fillna(False).astype(bool)].iterrows():
        lines.append(f"   Discretion candidate {row['standard']} {row['standard_name']}: {row['discretion_reason']}.")
    return "\n".join(lines) + "\n"


def _totals_line(totals: pd.Series) -> str:
    return "   Totals: " + "; ".join(f"{label}: {int(n)}" for label, n in totals.items())


def multiplicity_line(m, *, width: int = 100) -> str:
    """The main job's multiplicity summary (:func:`stats.multiplicity.multiplicity_summary`), wrapped."""
    text = (f"Multiplicity: {int(m['tests'])} tests at alpha {m['fdr_level']:g}: "
            f"{m['expected_false_positives']:.1f} would be significant by chance if nothing had changed; "
            f"{int(m['significant'])} are significant, {int(m['survive_fdr'])} survive Benjamini-Hochberg "
            f"FDR control at {m['fdr_level']:g} (q <= {m['fdr_level']:g}).")
    return "\n".join(textwrap.wrap(text, width, initial_indent="   ", subsequent_indent="   "))


def _checks_legend(summary) -> str:
    rounding = summary.prompts.attrs.get("rounding", "half-up")
    return (
        "   'p over counts': the test's p-value range over every count (k, n) that publishes as both\n"
        f"   percentages ({rounding} rounding; n from half the stated sample to the stated sample, at both\n"
        "   inspections); 'sig. for': significant for all such counts, none, or it depends (and from which n).\n"
        "   'exact': Fisher, Barnard and Boschloo give the label's verdict (agree) or not (DIFFER); * the\n"
        "   verdict changes with the test (Z variants and exact tests). 'q': Benjamini-Hochberg q-value\n"
        "   (prompts and key questions are separate families)."
    )


def method_lines(method: pd.DataFrame, *, indent: str = "   ", width: int = 100) -> list[str]:
    """The method table as wrapped ``item: value`` lines (stated once per report)."""
    lines = []
    for item, value in method[["item", "value"]].itertuples(index=False):
        lines.extend(textwrap.wrap(f"{item}: {value}", width, initial_indent=indent,
                                   subsequent_indent=indent + "    ", break_on_hyphens=False))
    return lines


def _kq_view(kq: pd.DataFrame) -> pd.DataFrame:
    view = display_labelled(kq.drop(columns=["prompt", "prompt_id"], errors="ignore")
                            .rename(columns={"key_question_text": "prompt", "key_question": "prompt_id"}))
    if "all_crcs" in kq:
        view.insert(view.columns.get_loc("cur %") + 1, "all CRCs %", format_column(kq["all_crcs"]))
    return view


def _grouped_table(view: pd.DataFrame, labelled: pd.DataFrame, *, width: int) -> list[str]:
    """A table with one header; standards and key questions as heading lines between rows."""
    head, rows = _table_lines(view, width=width, min_wrap=24, detail="prompt" if "prompt" in view else None)
    out = [head, "-" * len(head)]
    previous_std = previous_kq = None
    for i, (_, row) in enumerate(labelled.iterrows()):
        std = (row.get("standard"), row.get("standard_name"))
        if "standard" in labelled and std != previous_std:
            out.extend(["", f"{std[0]} {std[1]}".upper()])
            previous_std, previous_kq = std, None
        if "key_question_text" in labelled and "prompt" in labelled:
            kq = (row.get("key_question"), row.get("key_question_text"))
            if kq != previous_kq:
                out.extend(textwrap.wrap(f"{kq[0]} {kq[1]}", width, initial_indent="  ",
                                         subsequent_indent="  " + " " * (len(str(kq[0])) + 1)))
                previous_kq = kq
        out.extend(rows[i])
    return out


def report_text(summary, *, width: int = 140) -> str:
    """The main job's terminal text for a :class:`stats.summary.ReportSummary`.

    One header per table, prompt and key-question text in full (wrapped), the method stated
    once at the top (the test, then its assumptions).
    """
    lines: list[str] = []
    w = lines.append
    w(f"inspection-stats: {summary.name}")
    w("=" * min(width, 100))
    if summary.constructed:
        w("CONSTRUCTED example data: not a real inspection (report.toml: constructed = true).")
    w(f"Test: {summary.test.describe()}.")
    covered = {"change test", "alpha", "alternative", "method"}
    w("")
    w("Method and assumptions")
    lines.extend(method_lines(summary.method[~summary.method["item"].isin(covered)], width=min(width, 100)))
    w("")
    w("1. Sample design (margins in percentage points, 80% confidence, p = 0.5)")
    w("")
    w(text_table(design_view(summary.design), width=width).rstrip())
    w("")
    w("   Implied N: eligible populations for which the stated rule (80% confidence, 5-point margin,")
    w("   N*n0/(N+n0-1) rounded up) gives exactly this n; sub-samples scale their parent's range.")
    w("   Widening: sub-sample margin / full-sample margin (no finite population correction).")
    w("")
    shown = summary.prompts
    w(f"2. Prompt table (Annexe 4): {len(shown)} prompts, previous vs current inspection")
    w("   prev %, cur %: as published; n: previous/current cases; change: points; p: p-value of the test")
    w("")
    lines.extend(_grouped_table(display_labelled(shown), shown, width=width))
    w("")
    w(_totals_line(summary.totals["prompts"]))
    if len(getattr(summary, "multiplicity", ())):
        w(multiplicity_line(summary.multiplicity))
    w("")
    w(_checks_legend(summary))
    w("")
    kq = summary.key_questions
    w(f"3. Key questions (chapters 2 and 3): {len(kq)}")
    w("")
    lines.extend(_grouped_table(_kq_view(kq), kq, width=width))
    w("")
    w(_totals_line(summary.totals["key_questions"]))
    w("")
    w("   Robustness to the sample design: the sample is stratified and clustered by officer, so its")
    w("   variances may exceed the simple random sample's by a design effect (deff). Significant prompt")
    w("   labels that survive each deff (a label is lost once deff exceeds (z / z_crit)^2):")
    for row in summary.design_effect.itertuples(index=False):
        lost = f"; lost: {row.lost_ids}" if row.lost_ids else ""
        w(f"     deff {row.deff:g}: {row.surviving} of {row.significant}{lost}")
    w("")
    w(f"4. Ratings (Annexe 2: lowest key-question band; score 0-{summary.overall.maximum}, "
      f"framework {summary.overall.framework})")
    w("")
    w(ratings_text(summary.ratings, summary.overall, summary.published_overall, width=width).rstrip())
    return "\n".join(lines) + "\n"


def compare_text(res) -> str:
    """Terminal text for one :class:`stats.ChangeResult`."""
    ci = res.ci
    spec = res.test
    sided = "" if spec.alternative == "two-sided" else " one-sided"
    return (
        f"difference  {100 * res.difference:+.1f} points ({res.previous:.1%} -> {res.current:.1%})\n"
        f"z           {res.statistic:.4f}\n"
        f"p-value     {res.pvalue:.4g}\n"
        f"{100 * (1 - spec.alpha):g}%{sided} CI {100 * ci.low:+.1f} to {100 * ci.high:+.1f} points ({spec.interval})\n"
        f"label       {res.label}\n"
        f"({spec.describe()})\n"
    )
