"""HTML: the report as one self-contained file.

Renders a :class:`stats.summary.ReportSummary` and nothing else, so it shows exactly the
verdicts of the terminal text and the notebooks. Display names, units and digits come from the
column map :data:`stats.render.columns.COLUMNS` (one place for every view); band limits, rating
names and the maximum score come from the report's framework; columns added by other
analyses (robustness, exact tests, FDR, design effect) are shown when present.

- :func:`to_html` / :func:`write_html`: a jinja2 template (``stats/render/templates/report.html.j2``)
  fed with table rows built from the DataFrames; charts are inline SVG written by
  :mod:`stats.render.svg` (no matplotlib, no network, no external file); semantic tables with
  captions and scoped headers, symbols as well as colours, sortable columns (a few lines of
  inline script; the page reads the same without it) and print CSS.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from .. import __version__
from ..change import LABELS, NO_DATA
from ..io import write_atomic
from . import Writer
from .columns import LABEL_CODES, LABEL_SYMBOLS, band_limits_text, column_info, format_value
from .points import assumed_footnote, design_effect_sentences, lede, sections
from .text import multiplicity_line

if TYPE_CHECKING:
    from ..findings import MainPoints
    from ..summary import ReportSummary

__all__ = [
    "PROMPT_COLUMNS",
    "KEY_QUESTION_COLUMNS",
    "OPTIONAL_COLUMNS",
    "table_rows",
    "chart_svgs",
    "labelled_columns",
    "to_html",
    "write_html",
    "table_html",
    "main_points_html",
    "summary_html",
    "Fragment",
    "core_and_checks",
    "CHECK_TABLE_COLUMNS",
    "SPANNERS",
    "WRITER",
]

#: Core columns of the labelled tables (when present): what changed, by how much, how sure.
PROMPT_COLUMNS = (
    "prompt_id",
    "prompt",
    "previous",
    "current",
    "n_previous",
    "n_current",
    "difference",
    "ci_low",
    "ci_high",
    "pvalue",
    "label",
    "robust_label",
    "qvalue",
)
KEY_QUESTION_COLUMNS = (
    "key_question",
    "key_question_text",
    "previous",
    "current",
    "all_crcs",
    "n_previous",
    "n_current",
    "difference",
    "ci_low",
    "ci_high",
    "pvalue",
    "label",
    "robust_label",
    "qvalue",
)
#: Columns of the checks tables (when present), after the id: the statistic, the test over the feasible
#: counts (and the counts behind the label, where the analysis says which), the exact tests, the others.
CHECK_TABLE_COLUMNS = (
    "statistic",
    "pvalue_min",
    "pvalue_max",
    "significant_from_n",
    "combinations_tried",
    "count_previous",
    "count_current",
    "n_used_previous",
    "n_used_current",
    "count_source",
    "fisher",
    "barnard",
    "boschloo",
    "exact_agree",
    "method_sensitive",
    "significant_fdr",
    "deff",
    "n_effective",
    "deff_breakdown",
)
#: Every column of other analyses the HTML shows when present: the firmness columns of the core table, then
#: the checks table's (bar the statistic, which every labelled table has), in the checks table's order.
OPTIONAL_COLUMNS = ("robust_label", "qvalue", *(c for c in CHECK_TABLE_COLUMNS if c != "statistic"))
#: Column groups (spanning headings) of the core and checks tables: heading -> columns under it.
SPANNERS = {
    "percent": ("previous", "current", "all_crcs"),
    "cases (n)": ("n_previous", "n_current"),
    "change (percentage points)": ("difference", "ci_low", "ci_high"),
    "test": ("statistic", "pvalue", "label"),
    "firmness": ("robust_label", "qvalue"),
    "over the feasible counts": ("pvalue_min", "pvalue_max", "significant_from_n", "combinations_tried"),
    "counts behind the label": ("count_previous", "count_current", "n_used_previous", "n_used_current", "count_source"),
    "exact tests": ("fisher", "barnard", "boschloo", "exact_agree"),
    "other checks": ("method_sensitive", "significant_fdr", "deff", "n_effective", "deff_breakdown"),
}
#: Check columns left blank on rows without comparable data (nothing was tried there).
_BLANK_UNTESTED = frozenset(OPTIONAL_COLUMNS) | {"statistic"}
#: Denominator columns marked when the row's source says the n is assumed (column of the source).
_ASSUMED_SOURCE = {"n_previous": "n_previous_source", "n_current": "n_source"}
#: Columns of the labelled tables that the HTML tables leave to the workbook (sources, margins, wording).
_WORKBOOK_ONLY = {
    "standard",
    "standard_name",
    "key_question",
    "key_question_text",
    "sample",
    "n_source",
    "n_previous_source",
    "note",
    "significant",
    "margin_previous",
    "margin_current",
    "wording",
}
_DESIGN_COLUMNS = (
    "sample",
    "n",
    "parent",
    "margin",
    "implied_population_low",
    "implied_population_high",
    "margin_fpc_low",
    "margin_fpc_high",
    "widening",
    "applies_to",
)
_RATING_COLUMNS = (
    "standard",
    "standard_name",
    "basis",
    "lowest_key_question",
    "lowest_percent",
    "mechanical_rating",
    "discretion_candidate",
    "discretion_reason",
    "discretion_rating",
    "qualitative_adjustment",
    "rating",
    "published_rating",
    "matches_published",
    "score",
)
_NUMERIC_KINDS = {"percent", "points", "margin", "points_raw", "pvalue", "z", "count", "population", "ratio", "number"}


def labelled_columns(frame: pd.DataFrame, base: Sequence[str]) -> list[str]:
    """``base`` columns present, then the optional ones present, then any other new column.

    See Also
    --------
    core_and_checks : the same columns split into the core and checks tables.

    Examples
    --------
    >>> import pandas as pd
    >>> from stats.render.html import labelled_columns
    >>> frame = pd.DataFrame(columns=["prompt_id", "label", "pvalue", "qvalue", "extra"])
    >>> labelled_columns(frame, ["prompt_id", "pvalue", "label"])
    ['prompt_id', 'pvalue', 'label', 'qvalue', 'extra']
    """
    shown = [c for c in base if c in frame.columns]
    shown += [c for c in OPTIONAL_COLUMNS if c in frame.columns and c not in shown]
    known = set(base) | set(OPTIONAL_COLUMNS) | _WORKBOOK_ONLY | {"prompt", "prompt_id", "statistic"}
    shown += [c for c in frame.columns if c not in known and c not in shown]
    return shown


def core_and_checks(frame: pd.DataFrame, base: Sequence[str]) -> tuple[list[str], list[str]]:
    """Columns of the core table (``base`` present) and of the checks table (the id, then the checks
    present, then any column no table knows): together every column :func:`labelled_columns` shows.

    See Also
    --------
    labelled_columns : every column shown, in order.
    table_html : the tables built from the two lists.

    Examples
    --------
    >>> import pandas as pd
    >>> from stats.render.html import core_and_checks
    >>> frame = pd.DataFrame(columns=["prompt_id", "label", "pvalue", "qvalue", "robust_label"])
    >>> core_and_checks(frame, ["prompt_id", "pvalue", "label"])
    (['prompt_id', 'pvalue', 'label'], ['prompt_id', 'robust_label', 'qvalue'])
    """
    core = [c for c in base if c in frame.columns]
    rest = [c for c in labelled_columns(frame, base) if c not in core]
    rest = [c for c in CHECK_TABLE_COLUMNS if c in frame.columns and c not in core] + [
        c for c in rest if c not in CHECK_TABLE_COLUMNS
    ]
    return core, ([core[0], *rest] if rest and core else [])


def _sort_key(value, kind):
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "1" if value else "0"
    if kind in _NUMERIC_KINDS and isinstance(value, (int, float, np.integer, np.floating)):
        return repr(float(value))
    return str(value)


def _spans(columns: Sequence[str]) -> list[dict]:
    """The heading row above the columns: consecutive columns of one :data:`SPANNERS` group share a cell."""
    owner = {c: title for title, cs in SPANNERS.items() for c in cs}
    spans: list[dict] = []
    for j, c in enumerate(columns):
        title = owner.get(c)
        if title is not None and spans and spans[-1]["title"] == title:
            spans[-1]["colspan"] += 1
        else:
            spans.append({"title": title, "colspan": 1, "first": j})
    return spans


def table_rows(
    frame: pd.DataFrame,
    columns: Sequence[str],
    *,
    group: Callable[[pd.Series], str] | None = None,
    mark_assumed: bool = True,
) -> dict:
    """Header and rows of an HTML table, as plain data for the template.

    Parameters
    ----------
    frame : pandas.DataFrame
    columns : sequence of str
        Columns to show, in order (missing ones are skipped).
    group : callable, optional
        Row -> group heading; consecutive rows with the same heading share a ``<tbody>``.
    mark_assumed : bool, default True
        Mark ``n_previous`` / ``n_current`` with :data:`stats.render.points.ASSUMED_MARK` where
        ``n_previous_source`` / ``n_source`` says the denominator is assumed, and leave the check
        columns blank on rows without comparable data (nothing was tried there).

    Returns
    -------
    dict
        ``columns``: list of dicts (``name``, ``display``, ``description``, ``numeric``, ``index``);
        ``spans``: the heading row above them (``title`` None where a column stands alone);
        ``groups``: list of dicts (``title``, ``rows``), each row a list of cells with
        ``text`` (display text), ``sort`` (raw value for sorting and for tests), ``numeric``
        and ``css`` (a label class); ``assumed``: True when a denominator was marked.

    See Also
    --------
    table_html : the HTML built from these rows.
    stats.render.columns.format_value : the display text of each cell.

    Examples
    --------
    >>> import pandas as pd
    >>> from stats.render.html import table_rows
    >>> frame = pd.DataFrame({"prompt_id": ["P1"], "pvalue": [0.0123], "label": ["significant improvement"]})
    >>> rows = table_rows(frame, ["prompt_id", "pvalue", "label"])
    >>> [c["display"] for c in rows["columns"]]
    ['prompt', 'p', 'label']
    >>> [(c["text"], c["css"]) for c in rows["groups"][0]["rows"][0]]
    [('P1', ''), ('0.012', ''), ('▲ significant improvement', 'label improvement')]
    """
    from ..findings import ASSUMED_SOURCES
    from .points import ASSUMED_MARK

    columns = [c for c in columns if c in frame.columns]
    info = {c: column_info(c, frame[c]) for c in columns}
    header = [
        {
            "name": c,
            "display": info[c].display,
            "description": info[c].description,
            "numeric": info[c].kind in _NUMERIC_KINDS,
            "index": j,
        }
        for j, c in enumerate(columns)
    ]
    groups: list[dict] = []
    untestable = (
        frame["label"].astype(str).eq(NO_DATA).to_numpy()
        if mark_assumed and "label" in frame
        else np.zeros(len(frame), dtype=bool)
    )
    assumed_any = False
    for r, (_, row) in enumerate(frame.iterrows()):
        title = group(row) if group else None
        if not groups or groups[-1]["title"] != title:
            groups.append({"title": title, "rows": []})
        cells = []
        for c in columns:
            value = row[c]
            kind = info[c].kind
            text = format_value(value, info[c])
            if mark_assumed and untestable[r] and c in _BLANK_UNTESTED:
                text = ""
            source = _ASSUMED_SOURCE.get(c)
            if (
                mark_assumed
                and source is not None
                and source in frame.columns
                and text
                and str(row[source]) in ASSUMED_SOURCES
            ):
                text += ASSUMED_MARK
                assumed_any = True
            cells.append(
                {
                    "text": text,
                    "sort": _sort_key(value, kind),
                    "numeric": kind in _NUMERIC_KINDS,
                    "css": f"label {LABEL_CODES.get(str(value), '')}" if kind == "label" else "",
                    "column": c,
                }
            )
        groups[-1]["rows"].append(cells)
    spans = _spans(columns)
    return {
        "columns": header,
        "groups": groups,
        "assumed": assumed_any,
        "spans": spans if any(s["title"] for s in spans) else [],
    }


#: Rows per page of the report's prompt charts: a page fits an A4 landscape sheet at print scale.
CHART_ROWS_PER_PAGE = 13


def chart_svgs(summary: ReportSummary) -> list[dict]:
    """The report's charts as inline SVG with captions: prompt changes (paged), key questions, ratings.

    Every change chart shares one change axis (:func:`stats.render.charts.change_axis_limit` of
    both tables); a continued page repeats its group heading, legend and axis titles.

    See Also
    --------
    stats.render.charts.change_charts : the change charts it draws.
    to_html : the document that holds them.

    Examples
    --------
    >>> import stats
    >>> from stats.summary import summarise
    >>> summary = summarise(stats.load_report())
    >>> from stats.render.html import chart_svgs
    >>> charts = chart_svgs(summary)
    >>> len(charts), sorted(charts[0])
    (6, ['caption', 'id', 'svg'])
    >>> charts[0]["svg"].lstrip().startswith("<svg")
    True
    """
    from .charts import change_axis_limit
    from .svg import change_chart_svgs, key_question_chart_svg, ratings_chart_svg

    xmax = change_axis_limit(summary.prompts, summary.key_questions)
    charts = []
    pages = change_chart_svgs(summary.prompts, rows_per_page=CHART_ROWS_PER_PAGE, xmax=xmax)
    assumed = (
        "; n marked * is assumed, not published"
        if summary.main_points.denominators[["previous_assumed", "current_assumed"]].to_numpy().any()
        else ""
    )
    for k, svg in enumerate(pages):
        page = f" (page {k + 1} of {len(pages)})" if len(pages) > 1 else ""
        charts.append(
            {
                "id": f"chart-prompts-{k + 1}",
                "svg": svg,
                "caption": f"Prompts: previous and current percentages and each change with its interval{page}. "
                "Triangle up: significant improvement; triangle down: significant decline; "
                f"square: no significant change; open circle: previous{assumed}.",
            }
        )
    charts.append(
        {
            "id": "chart-key-questions",
            "svg": key_question_chart_svg(summary.key_questions, xmax=xmax),
            "caption": "Key questions: change since the previous inspection, with the test's interval, on the "
            f"same change axis as the prompts{assumed}.",
        }
    )
    ratings_svg = ratings_chart_svg(summary.key_questions, summary.ratings, framework=summary.framework)
    adjusted = [r for r in summary.main_points.ratings if r.adjusted]
    moved = (
        "; "
        + "; ".join(
            f"{r.standard} {r.standard_name}: {r.mechanical_rating} -> {r.rating} "
            f"({'panel discretion' if r.decision == 'discretion' else r.decision})"
            for r in adjusted
        )
        if adjusted
        else ""
    )
    charts.append(
        {
            "id": "chart-ratings",
            "svg": ratings_svg,
            "caption": "Key-question percentages against the rating band limits "
            f"({band_limits_text(summary.framework)}) with their margins; the lowest key question "  # type: ignore[arg-type]  # summarise always sets it
            f"of each standard sets its mechanical rating{moved}.",
        }
    )
    return charts


def _group_prompts(row: pd.Series) -> str:
    return f"{row['standard']} {row['standard_name']} · {row['key_question']} {row['key_question_text']}"


def _group_standard(row: pd.Series) -> str:
    return f"{row['standard']} {row['standard_name']}"


def _context(summary: ReportSummary, *, charts: bool) -> dict:
    spec = summary.test
    prompts, kq = summary.prompts, summary.key_questions
    totals = summary.totals
    p_core, p_checks = core_and_checks(prompts, PROMPT_COLUMNS)
    k_core, k_checks = core_and_checks(kq, KEY_QUESTION_COLUMNS)
    group_p = _group_prompts if {"standard", "key_question"} <= set(prompts.columns) else None
    group_k = _group_standard if "standard" in kq.columns else None
    tables = {
        "design": table_rows(summary.design, _DESIGN_COLUMNS),
        "prompts": table_rows(prompts, p_core, group=group_p),
        "prompts_checks": table_rows(prompts, p_checks, group=group_p) if p_checks else None,
        "key_questions": table_rows(kq, k_core, group=group_k),
        "key_questions_checks": table_rows(kq, k_checks, group=group_k) if k_checks else None,
        "ratings": table_rows(summary.ratings, _RATING_COLUMNS),
        "totals": [
            {
                "label": label,
                "symbol": LABEL_SYMBOLS[label],
                "css": LABEL_CODES[label],
                "prompts": int(cast(float, totals.loc[label, "prompts"])),
                "key_questions": int(cast(float, totals.loc[label, "key_questions"])),
            }
            for label in LABELS
            if label in totals.index
        ],
    }
    extra_tables = []
    structure = getattr(summary, "design_effect_structure", None)
    deff_words = design_effect_sentences(summary)
    if isinstance(structure, pd.DataFrame) and not structure.empty:
        extra_tables.append(
            {
                "id": "design-effect-structure",
                "title": "Design effect from the sample's structure",
                "notes": deff_words,
                "table": table_rows(structure, list(structure.columns)),
            }
        )
        deff_words = []
    design_effect = getattr(summary, "design_effect", None)
    if isinstance(design_effect, pd.DataFrame) and not design_effect.empty:
        extra_tables.append(
            {
                "id": "design-effect",
                "title": "Design effect at fixed levels",
                "notes": deff_words,
                "table": table_rows(design_effect, list(design_effect.columns)),
            }
        )
    multiplicity = summary.multiplicity
    multiplicity_items = [(str(k), _plain_value(v)) for k, v in multiplicity.items()] if len(multiplicity) else []
    published = summary.published_overall
    method = summary.method[["item", "value"]]
    statements: dict[str, str] = dict(method.itertuples(index=False))
    points = summary.main_points
    return {
        "main_points": sections(points),
        "lede": lede(points),
        "assumed_note": assumed_footnote(points),
        "title": f"{summary.title}: changes since the previous inspection",
        "name": summary.title,
        "test": spec.describe(),
        "alpha": f"{spec.alpha:g}",
        "level": f"{100 * (1 - spec.alpha):g}",
        "method": [(str(i), str(v)) for i, v in method.itertuples(index=False)],
        "statements": statements,
        "label_key": [(LABEL_SYMBOLS[label], label) for label in LABELS],
        "tables": tables,
        "extra_tables": extra_tables,
        "multiplicity": multiplicity_items,
        "multiplicity_line": multiplicity_line(multiplicity, width=10_000).strip() if len(multiplicity) else "",
        "overall": {
            "score": summary.overall.score,
            "rating": summary.overall.rating,
            "maximum": summary.overall.maximum,
            "published_score": "not published" if pd.isna(published["score"]) else int(published["score"]),
            "published_rating": str(published["rating"]),
        },
        "constructed": bool(summary.constructed),
        "counts": {
            "prompts": len(prompts),
            "key_questions": len(kq),
            "testable": int(prompts["label"].astype(str).ne(NO_DATA).sum()),
        },
        "charts": chart_svgs(summary) if charts else [],
        "version": __version__,
    }


def _plain_value(value: object) -> str:
    """A multiplicity value as text: counts as whole numbers, levels as given (never yes/no)."""
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.4g}"
    return str(value)


def _environment():
    try:
        import jinja2
    except ImportError:  # pragma: no cover - jinja2 comes with pandas' Styler users and the notebook extra
        raise ImportError('the HTML report needs jinja2: pip install "inspection-stats[report]"') from None
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("stats.render", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"], default_for_string=True, default=True),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["capitalize_first"] = lambda text: str(text)[:1].upper() + str(text)[1:]
    return env


def to_html(summary: ReportSummary, *, charts: bool = True) -> str:
    """The report as one self-contained HTML document.

    Parameters
    ----------
    summary : stats.summary.ReportSummary
    charts : bool, default True
        Embed the charts as inline SVG (:mod:`stats.render.svg`, written without matplotlib).

    Returns
    -------
    str
        HTML5 with its CSS, script and charts inline: it opens offline and prints on A4.

    See Also
    --------
    write_html : writes the document to a file.
    summary_html : the summary for a notebook.
    stats.render.markdown.report_markdown : the same report in Markdown.

    Examples
    --------
    >>> import stats
    >>> from stats.summary import summarise
    >>> from stats.render.html import to_html
    >>> html = to_html(summarise(stats.load_report()), charts=False)
    >>> html.startswith("<!DOCTYPE html>"), "http://" in html.replace("http://www.w3.org", "")
    (True, False)
    """
    from ..summary import ReportSummary

    if not isinstance(summary, ReportSummary):
        raise TypeError(f"summary must be a stats.summary.ReportSummary (got {type(summary).__name__}).")
    return _environment().get_template("report.html.j2").render(**_context(summary, charts=charts))


def write_html(summary: ReportSummary, path: str | os.PathLike[str], *, charts: bool = True) -> Path:
    """Write :func:`to_html` to ``path`` (whole or not at all); returns the path.

    See Also
    --------
    to_html : the document it writes.
    stats.io.write_atomic : how it writes (whole or not at all).

    Examples
    --------
    >>> import stats
    >>> from stats.summary import summarise
    >>> summary = summarise(stats.load_report())
    >>> import pathlib, tempfile
    >>> from stats.render.html import write_html
    >>> path = write_html(summary, pathlib.Path(tempfile.mkdtemp()) / "report.html", charts=False)
    >>> path.name, path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    ('report.html', True)
    """
    path = Path(path)
    write_atomic(path, to_html(summary, charts=charts))
    return path


def _report(summary: ReportSummary, *, sanitize: bool = True) -> str:
    return to_html(summary)


WRITER = Writer("html", "one self-contained HTML file with charts (needs the report extra)", report=_report)


# ---- notebooks: the same pieces of HTML, displayed by Jupyter ---------------------------------------

#: The report's label and table styles, scoped to the fragments shown in a notebook.
_FRAGMENT_CSS = """
.inspection-stats { font-family: inherit; }
.inspection-stats .label { display: inline-block; padding: 1px 6px; border-radius: 3px; white-space: nowrap; }
.inspection-stats .label.improvement { background: #dcebf7; color: #003f63; border-left: 4px solid #0072B2;
  font-weight: 600; }
.inspection-stats .label.decline { background: #fbe3d6; color: #6b2a00; border-left: 4px solid #B34700;
  font-weight: 600; }
.inspection-stats .label.nochange { background: #efefef; color: #4d4d4d; border-left: 4px solid #999; }
.inspection-stats .label.nodata { color: #555; border-left: 4px dotted #bbb; }
.inspection-stats .table-wrap { overflow: auto; max-height: 70vh; }
.inspection-stats table { border-collapse: collapse; font-size: 12px; }
.inspection-stats th, .inspection-stats td { padding: 3px 6px; border-bottom: 1px solid #d0d0d0; vertical-align: top; }
.inspection-stats thead { position: sticky; top: 0; background: #fff; z-index: 3; }
.inspection-stats th.span { text-align: center; color: #555; }
.inspection-stats td.num, .inspection-stats th.num { text-align: right; white-space: nowrap; }
.inspection-stats tr.group th { background: #f6f6f6; text-align: left; }
.inspection-stats button.sort { font: inherit; font-weight: 600; border: 0; background: none; padding: 0; }
.inspection-stats .footnote { color: #555; font-size: 12px; }
"""


class Fragment(str):
    """HTML text that Jupyter displays as HTML (``_repr_html_``); otherwise an ordinary ``str``.

    See Also
    --------
    summary_html : a report summary as a Fragment.
    table_html : a labelled table as a Fragment.

    Examples
    --------
    >>> from stats.render.html import Fragment
    >>> f = Fragment("<b>Main points</b>")
    >>> f._repr_html_(), f.upper()
    ('<b>Main points</b>', '<B>MAIN POINTS</B>')
    """

    def _repr_html_(self) -> str:
        return str(self)


def _fragment(body: str) -> Fragment:
    return Fragment(f'<div class="inspection-stats"><style>{_FRAGMENT_CSS}</style>{body}</div>')


def _macros(assumed_note: str = "") -> Any:
    return _environment().get_template("fragments.html.j2").make_module({"assumed_note": assumed_note})


def main_points_html(points: MainPoints) -> Fragment:
    """The main points (:class:`stats.findings.MainPoints`) as the report's HTML section, for a notebook.

    See Also
    --------
    stats.render.points.sections : the worded points.
    summary_html : the whole summary for a notebook.

    Examples
    --------
    >>> import stats
    >>> from stats.summary import summarise
    >>> summary = summarise(stats.load_report())
    >>> from stats.render.html import main_points_html
    >>> html = main_points_html(summary.main_points)
    >>> type(html).__name__, "Main points" in html
    ('Fragment', True)
    """
    return _fragment(str(_macros().points_block(sections(points), lede(points))))


def table_html(labelled: pd.DataFrame, *, checks: bool = True, caption: str | None = None) -> Fragment:
    """A labelled table as the report shows it: core table (and checks table), labels with their symbols,
    display names with units, assumed denominators marked, untestable rows' checks blank.

    For Jupyter: ``table_html(labelled)`` as the last expression of a cell displays the table (the
    result is a ``str`` with ``_repr_html_``); elsewhere ``IPython.display.HTML(table_html(labelled))``.
    pandas' own display of the DataFrame is left alone.

    Parameters
    ----------
    labelled : pandas.DataFrame
        :func:`stats.label_changes` output (prompts or key questions), with or without the checks of
        :func:`stats.summary.summarise`.
    checks : bool, default True
        Also the checks table, when the table has check columns.
    caption : str, optional

    See Also
    --------
    table_rows : the rows of each table.
    core_and_checks : which columns go in which table.

    Examples
    --------
    >>> import stats
    >>> from stats.render.html import table_html
    >>> html = table_html(stats.label_changes(stats.load_report().prompts, intervals=True))
    >>> "▲ significant improvement" in html, "n prev." in html, hasattr(html, "_repr_html_")
    (True, True, True)
    """
    if not isinstance(labelled, pd.DataFrame):
        raise TypeError(
            f"labelled must be a pandas DataFrame from stats.label_changes (got {type(labelled).__name__})."
        )
    if "label" not in labelled.columns:
        raise ValueError("labelled has no 'label' column: pass the output of stats.label_changes.")
    prompts = "prompt_id" in labelled.columns
    base = PROMPT_COLUMNS if prompts else KEY_QUESTION_COLUMNS
    group = (
        _group_prompts
        if prompts and {"standard", "standard_name", "key_question", "key_question_text"} <= set(labelled.columns)
        else _group_standard
        if {"standard", "standard_name"} <= set(labelled.columns)
        else None
    )
    core, rest = core_and_checks(labelled, base)
    from ..findings import ASSUMED_SOURCES
    from .points import ASSUMED_MARK

    note = ""
    if "n_previous_source" in labelled.columns and labelled["n_previous_source"].isin(ASSUMED_SOURCES).any():
        note = f"{ASSUMED_MARK} assumed, not published."
    macros = _macros(note)
    name = "prompts" if prompts else "key-questions"
    body = str(
        macros.data_table(
            f"nb-{name}",
            caption or ("Prompts" if prompts else "Key questions"),
            table_rows(labelled, core, group=group),
        )
    )
    if checks and rest:
        checks_rows = table_rows(labelled, rest, group=group)
        body += str(macros.data_table(f"nb-{name}-checks", "Checks of each label", checks_rows))
    return _fragment(body)


def summary_html(summary: ReportSummary) -> Fragment:
    """A report summary for a notebook: its title and test, the main points, then the core and checks tables.

    See Also
    --------
    main_points_html : the main points section alone.
    to_html : the whole report as a document.

    Examples
    --------
    >>> import stats
    >>> from stats.summary import summarise
    >>> summary = summarise(stats.load_report())
    >>> from stats.render.html import summary_html
    >>> html = summary_html(summary)
    >>> type(html).__name__, html.count("<table")
    ('Fragment', 4)
    """
    import html as _html

    head = (
        f"<h2>{_html.escape(summary.title)}</h2><p><strong>Test:</strong> {_html.escape(summary.test.describe())}.</p>"
    )
    points = summary.main_points
    body = str(_macros(assumed_footnote(points)).points_block(sections(points), lede(points)))
    tables = str(table_html(summary.key_questions, caption="Key questions")) + str(
        table_html(summary.prompts, caption="Prompts")
    )
    return Fragment(str(_fragment(head + body)) + tables)
