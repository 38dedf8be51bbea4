"""Reports for people: one self-contained HTML file and an Excel workbook of a report summary.

Both render a :class:`stats.summary.ReportSummary` and nothing else, so they show exactly the
verdicts of the terminal text and the notebooks. Display names, units and digits come from the
column map :data:`stats.formatting.COLUMNS` (one place for every view); columns added by other
analyses (robustness, exact tests, FDR, design effect) are shown when present.

- :func:`to_html` / :func:`write_html`: a jinja2 template (``stats/templates/report.html.j2``)
  fed with table rows built from the DataFrames; charts are inline SVG (no network, no
  external file); semantic tables with captions and scoped headers, symbols as well as
  colours, sortable columns (a few lines of inline script; the page reads the same without
  it) and print CSS.
- :func:`to_xlsx` / :func:`write_xlsx`: openpyxl workbook with one sheet per table, raw typed
  numbers with number formats, frozen header, autofilter, conditional formatting of the
  labels, a ``method`` and a ``columns`` sheet; text cells that a spreadsheet would run as a
  formula are neutralised (:func:`stats.io.neutralise_formula`, the rule of the CSV output).
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd

from . import __version__
from .change import LABELS
from .formatting import LABEL_SYMBOLS, column_info, format_value
from .io import atomic_writer, neutralise_formula, write_atomic

__all__ = [
    "PROMPT_COLUMNS",
    "KEY_QUESTION_COLUMNS",
    "OPTIONAL_COLUMNS",
    "table_rows",
    "chart_svgs",
    "to_html",
    "write_html",
    "to_xlsx",
    "write_xlsx",
]

#: Columns of the labelled tables shown in the HTML report, in order (when present).
PROMPT_COLUMNS = ("prompt_id", "prompt", "previous", "current", "n_previous", "n_current", "difference",
                  "ci_low", "ci_high", "statistic", "pvalue", "label")
KEY_QUESTION_COLUMNS = ("key_question", "key_question_text", "previous", "current", "all_crcs", "n_previous",
                        "n_current", "difference", "ci_low", "ci_high", "statistic", "pvalue", "label")
#: Columns of other analyses shown after those when present (robustness, exact tests, FDR, design effect).
OPTIONAL_COLUMNS = ("robust_label", "significant_from_n", "pvalue_min", "pvalue_max", "combinations_tried",
                    "fisher", "barnard", "boschloo", "exact_agree", "method_sensitive", "qvalue",
                    "significant_fdr", "deff", "n_effective", "deff_breakdown")
#: Columns of the labelled tables that the HTML tables leave to the workbook (sources, margins, wording).
_WORKBOOK_ONLY = {"standard", "standard_name", "key_question", "key_question_text", "sample", "n_source",
                  "n_previous_source", "note", "significant", "margin_previous", "margin_current", "wording"}
_DESIGN_COLUMNS = ("sample", "n", "parent", "margin", "implied_population_low", "implied_population_high",
                   "margin_fpc_low", "margin_fpc_high", "widening", "applies_to")
_RATING_COLUMNS = ("standard", "standard_name", "basis", "lowest_key_question", "lowest_percent",
                   "mechanical_rating", "discretion_candidate", "discretion_reason", "discretion_rating",
                   "qualitative_adjustment", "rating", "published_rating", "matches_published", "score")
_LABEL_CLASS = {
    "significant improvement": "improvement", "significant decline": "decline",
    "no significant change": "nochange", "no comparable data": "nodata",
}
_NUMERIC_KINDS = {"percent", "points", "margin", "points_raw", "pvalue", "z", "count", "population", "ratio", "number"}


def _labelled_columns(frame: pd.DataFrame, base) -> list[str]:
    """``base`` columns present, then the optional ones present, then any other new column."""
    shown = [c for c in base if c in frame.columns]
    shown += [c for c in OPTIONAL_COLUMNS if c in frame.columns and c not in shown]
    known = set(base) | set(OPTIONAL_COLUMNS) | _WORKBOOK_ONLY | {"prompt", "prompt_id"}
    shown += [c for c in frame.columns if c not in known and c not in shown]
    return shown


def _sort_key(value, kind):
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "1" if value else "0"
    if kind in _NUMERIC_KINDS and isinstance(value, (int, float, np.integer, np.floating)):
        return repr(float(value))
    return str(value)


def table_rows(frame: pd.DataFrame, columns, *, group=None) -> dict:
    """Header and rows of an HTML table, as plain data for the template.

    Parameters
    ----------
    frame : pandas.DataFrame
    columns : sequence of str
        Columns to show, in order (missing ones are skipped).
    group : callable, optional
        Row -> group heading; consecutive rows with the same heading share a ``<tbody>``.

    Returns
    -------
    dict
        ``columns``: list of dicts (``name``, ``display``, ``description``, ``numeric``);
        ``groups``: list of dicts (``title``, ``rows``), each row a list of cells with
        ``text`` (display text), ``sort`` (raw value for sorting and for tests), ``numeric``
        and ``css`` (a label class).
    """
    columns = [c for c in columns if c in frame.columns]
    info = {c: column_info(c, frame[c]) for c in columns}
    header = [{"name": c, "display": info[c].display, "description": info[c].description,
               "numeric": info[c].kind in _NUMERIC_KINDS} for c in columns]
    groups: list[dict] = []
    for _, row in frame.iterrows():
        title = group(row) if group else None
        if not groups or groups[-1]["title"] != title:
            groups.append({"title": title, "rows": []})
        cells = []
        for c in columns:
            value = row[c]
            kind = info[c].kind
            cells.append({
                "text": format_value(value, info[c]),
                "sort": _sort_key(value, kind),
                "numeric": kind in _NUMERIC_KINDS,
                "css": f"label {_LABEL_CLASS.get(str(value), '')}" if kind == "label" else "",
                "column": c,
            })
        groups[-1]["rows"].append(cells)
    return {"columns": header, "groups": groups}


def _svg(fig, salt: str) -> str:
    """A figure as inline SVG markup (text kept as text, ids unique to the figure)."""
    import matplotlib
    import matplotlib.pyplot as plt

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": salt}):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    plt.close(fig)
    text = buffer.getvalue()
    return text[text.index("<svg"):]


def chart_svgs(summary) -> list[dict]:
    """The report's charts as inline SVG with captions: prompt changes (paged), key questions, ratings."""
    import matplotlib

    from .plots import change_charts, key_question_chart, ratings_chart

    matplotlib.use("Agg", force=False)
    charts = []
    pages = change_charts(summary.prompts)
    for k, fig in enumerate(pages):
        page = f" (page {k + 1} of {len(pages)})" if len(pages) > 1 else ""
        charts.append({"id": f"chart-prompts-{k + 1}", "svg": _svg(fig, f"prompts{k}"),
                       "caption": f"Prompts: previous and current percentages and each change with its interval{page}. "
                                  "Triangle up: significant improvement; triangle down: significant decline; "
                                  "square: no significant change; open circle: previous."})
    charts.append({"id": "chart-key-questions", "svg": _svg(key_question_chart(summary.key_questions), "kq"),
                   "caption": "Key questions: change since the previous inspection, with the test's interval."})
    charts.append({"id": "chart-ratings", "svg": _svg(ratings_chart(summary.key_questions, summary.ratings), "ratings"),
                   "caption": "Key-question percentages against the rating band limits (50, 65, 80) with their "
                              "margins; the lowest key question of each standard sets its mechanical rating."})
    return charts


def _group_prompts(row) -> str:
    return f"{row['standard']} {row['standard_name']} · {row['key_question']} {row['key_question_text']}"


def _group_standard(row) -> str:
    return f"{row['standard']} {row['standard_name']}"


def _context(summary, *, charts: bool) -> dict:
    spec = summary.test
    prompts, kq = summary.prompts, summary.key_questions
    totals = summary.totals
    tables = {
        "design": table_rows(summary.design, _DESIGN_COLUMNS),
        "prompts": table_rows(prompts, _labelled_columns(prompts, PROMPT_COLUMNS),
                              group=_group_prompts if {"standard", "key_question"} <= set(prompts.columns) else None),
        "key_questions": table_rows(kq, _labelled_columns(kq, KEY_QUESTION_COLUMNS),
                                    group=_group_standard if "standard" in kq.columns else None),
        "ratings": table_rows(summary.ratings, _RATING_COLUMNS),
        "totals": [{"label": label, "symbol": LABEL_SYMBOLS[label], "css": _LABEL_CLASS[label],
                    "prompts": int(totals.loc[label, "prompts"]), "key_questions": int(totals.loc[label, "key_questions"])}
                   for label in LABELS if label in totals.index],
    }
    extra_tables = []
    design_effect = getattr(summary, "design_effect", None)
    if isinstance(design_effect, pd.DataFrame) and not design_effect.empty:
        extra_tables.append({"id": "design-effect", "title": "Design effect",
                             "table": table_rows(design_effect, list(design_effect.columns))})
    multiplicity = getattr(summary, "multiplicity", None)
    multiplicity_items = []
    if isinstance(multiplicity, pd.Series):
        multiplicity_items = [(str(k), format_value(v, column_info(str(k)))) for k, v in multiplicity.items()]
    published = summary.published_overall
    return {
        "title": f"{summary.name}: changes since the previous inspection",
        "name": summary.name,
        "test": spec.describe(),
        "alpha": f"{spec.alpha:g}",
        "level": f"{100 * (1 - spec.alpha):g}",
        "method": [(str(i), str(v)) for i, v in summary.method[["item", "value"]].itertuples(index=False)],
        "tables": tables,
        "extra_tables": extra_tables,
        "multiplicity": multiplicity_items,
        "overall": {"score": summary.overall.score, "rating": summary.overall.rating,
                    "maximum": getattr(summary.overall, "maximum", 30),
                    "published_score": "not published" if pd.isna(published["score"]) else int(published["score"]),
                    "published_rating": str(published["rating"])},
        "constructed": bool(getattr(summary, "constructed", False)),
        "counts": {"prompts": len(prompts), "key_questions": len(kq),
                   "testable": int(prompts["label"].astype(str).ne("no comparable data").sum())},
        "charts": chart_svgs(summary) if charts else [],
        "version": __version__,
    }


def _environment():
    try:
        import jinja2
    except ImportError:  # pragma: no cover - jinja2 comes with pandas' Styler users and the notebook extra
        raise ImportError("the HTML report needs jinja2 and matplotlib: pip install \"inspection-stats[report]\"") from None
    return jinja2.Environment(
        loader=jinja2.PackageLoader("stats", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"], default_for_string=True, default=True),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


def to_html(summary, *, charts: bool = True) -> str:
    """The report as one self-contained HTML document.

    Parameters
    ----------
    summary : stats.summary.ReportSummary
    charts : bool, default True
        Embed the charts as inline SVG (needs matplotlib).

    Returns
    -------
    str
        HTML5 with its CSS, script and charts inline: it opens offline and prints on A4.

    Examples
    --------
    >>> import stats
    >>> from stats.summary import summarise
    >>> from stats.reporting import to_html
    >>> html = to_html(summarise(stats.load_report()), charts=False)
    >>> html.startswith("<!DOCTYPE html>"), "http://" in html.replace("http://www.w3.org", "")
    (True, False)
    """
    from .summary import ReportSummary

    if not isinstance(summary, ReportSummary):
        raise TypeError(f"summary must be a stats.summary.ReportSummary (got {type(summary).__name__}).")
    return _environment().get_template("report.html.j2").render(**_context(summary, charts=charts))


def write_html(summary, path, *, charts: bool = True) -> Path:
    """Write :func:`to_html` to ``path`` (whole or not at all); returns the path."""
    path = Path(path)
    write_atomic(path, to_html(summary, charts=charts))
    return path


# --------------------------------------------------------------------------------------------
# Excel
# --------------------------------------------------------------------------------------------

_LABEL_FILLS = {"significant improvement": "DCEBF7", "significant decline": "FBE3D6",
                "no significant change": "EFEFEF", "no comparable data": "FFFFFF"}


def _sheets(summary) -> dict[str, pd.DataFrame]:
    sheets = {
        "design": summary.design,
        "prompts": summary.prompts,
        "key_questions": summary.key_questions,
        "totals": summary.totals.rename_axis("label").reset_index(),
        "ratings": summary.ratings,
    }
    design_effect = getattr(summary, "design_effect", None)
    if isinstance(design_effect, pd.DataFrame):
        sheets["design_effect"] = design_effect
    multiplicity = getattr(summary, "multiplicity", None)
    if isinstance(multiplicity, pd.Series):
        sheets["multiplicity"] = multiplicity.rename("value").rename_axis("item").reset_index()
    published = summary.published_overall
    overall = pd.DataFrame({"item": ["score", "maximum", "rating", "published score", "published rating"],
                            "value": [summary.overall.score, getattr(summary.overall, "maximum", 30),
                                      summary.overall.rating,
                                      None if pd.isna(published["score"]) else int(published["score"]),
                                      str(published["rating"])]})
    sheets["overall"] = overall
    method = summary.method[["item", "value"]].copy()
    spec = pd.DataFrame({"item": [f"test.{k}" for k in summary.test.to_dict()],
                         "value": [str(v) for v in summary.test.to_dict().values()]})
    sheets["method"] = pd.concat([method, spec], ignore_index=True)
    return sheets


def _cell_value(value):
    """A DataFrame value as an openpyxl cell value: numbers typed, text neutralised, missing empty."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if np.isnan(value) else float(value)
    if isinstance(value, int):
        return value
    return neutralise_formula(str(value))


def _fill_sheet(ws, frame: pd.DataFrame) -> None:
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    from .formatting import excel_format

    columns = [str(c) for c in frame.columns]
    ws.append(columns)
    for row in frame.itertuples(index=False):
        ws.append([_cell_value(v) for v in row])
    bold = Font(bold=True)
    for cell in ws[1]:
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    last = len(frame) + 1
    for j, name in enumerate(frame.columns, start=1):
        letter = get_column_letter(j)
        info = column_info(name, frame[name])
        number_format = excel_format(info)
        if number_format and pd.api.types.is_numeric_dtype(frame[name].dtype):
            for (cell,) in ws.iter_rows(min_row=2, max_row=last, min_col=j, max_col=j):
                cell.number_format = number_format
        texts = [len(str(x)) for x in frame[name].head(200) if not pd.isna(x)] if len(frame) else []
        ws.column_dimensions[letter].width = min(60, max(8, len(str(name)) + 2, *(t + 2 for t in texts)))
        if name in ("label", "robust_label") or info.kind == "label":
            for label, colour in _LABEL_FILLS.items():
                ws.conditional_formatting.add(
                    f"{letter}2:{letter}{max(last, 2)}",
                    FormulaRule(formula=[f'{letter}2="{label}"'], fill=PatternFill("solid", start_color=colour,
                                                                                  end_color=colour),
                                font=Font(bold=label.startswith("significant"))))
    ws.freeze_panes = "A2"
    if len(columns):
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(last, 1)}"


def to_xlsx(summary):
    """The report as an openpyxl Workbook (see :func:`write_xlsx`)."""
    try:
        from openpyxl import Workbook
    except ImportError:  # pragma: no cover - exercised only without the extra
        raise ImportError("the workbook needs openpyxl: pip install \"inspection-stats[report]\"") from None
    from .summary import ReportSummary

    if not isinstance(summary, ReportSummary):
        raise TypeError(f"summary must be a stats.summary.ReportSummary (got {type(summary).__name__}).")
    wb = Workbook()
    wb.remove(wb.active)
    sheets = _sheets(summary)
    for name, frame in sheets.items():
        _fill_sheet(wb.create_sheet(name), frame)
    described = sorted({c for name, f in sheets.items() if name != "method" for c in map(str, f.columns)})
    columns = pd.DataFrame({
        "column": described,
        "display name": [column_info(c).display for c in described],
        "unit": [column_info(c).kind for c in described],
        "description": [column_info(c).description for c in described],
    })
    _fill_sheet(wb.create_sheet("columns"), columns)
    wb.properties.title = f"{summary.name}: inspection-stats report"
    wb.properties.creator = f"inspection-stats {__version__}"
    return wb


def write_xlsx(summary, path) -> Path:
    """Write the workbook of ``summary`` to ``path`` (whole or not at all); returns the path.

    Sheets: ``design``, ``prompts``, ``key_questions``, ``totals``, ``ratings``, ``overall``,
    ``method`` (the test and its assumptions), ``columns`` (display name, unit and meaning of
    every column), and ``design_effect`` / ``multiplicity`` when the summary has them. Cells
    hold the raw values of the DataFrames (proportions, not points) with number formats, so
    ``pandas.read_excel`` returns the same tables.

    Examples
    --------
    >>> import tempfile, os, pandas as pd, stats
    >>> from stats.summary import summarise
    >>> from stats.reporting import write_xlsx
    >>> path = write_xlsx(summarise(stats.load_report()), os.path.join(tempfile.mkdtemp(), "r.xlsx"))
    >>> int(pd.read_excel(path, sheet_name="prompts")["label"].eq("significant improvement").sum())
    15
    """
    path = Path(path)
    wb = to_xlsx(summary)
    with atomic_writer(path, binary=True) as fh:
        wb.save(fh)
    return path
