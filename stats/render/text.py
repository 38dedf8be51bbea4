"""Terminal text: fixed-width tables and the text view of every command's result.

Each function takes a result of the analysis (a labelled table, a
:class:`stats.summary.ReportSummary`, a rating, a sample draw...) and returns text; none of them
tests, labels or re-parses. :data:`VIEWS` maps the name of a view (``Table.view`` or
``Record.view`` of :mod:`stats.render`) to its function; the ``text`` writer of the registry
looks views up there.
"""

from __future__ import annotations

import os
import re
import textwrap
from typing import TYPE_CHECKING, Any, cast

import pandas as pd

from . import Writer
from .columns import format_column, format_pvalue, is_missing, shorten
from .points import design_effect_sentences

if TYPE_CHECKING:
    from ..change import ChangeResult
    from ..findings import MainPoints
    from ..ratings import OverallRating
    from ..sampling import SampleDraw
    from ..summary import AuditResult, ReportRatings, ReportSummary
    from . import Table

__all__ = [
    "text_table",
    "plain_text",
    "display_labelled",
    "design_view",
    "ratings_view",
    "ratings_text",
    "robust_short",
    "multiplicity_line",
    "method_lines",
    "report_text",
    "main_points_lines",
    "terminal_width",
    "compare_text",
    "labelled_text",
    "tabulate_text",
    "audit_text",
    "sample_text",
    "validation_text",
    "VIEWS",
]


_NUMBER_TEXT = re.compile(r"^(?:[<>x+-]?\d[\d,.]*|\d+/\d+|\d+(?:-\d+)?)$")


def _right_aligned(frame: pd.DataFrame, c: str) -> bool:
    values = frame[c]
    if pd.api.types.is_bool_dtype(values.dtype):
        return False
    if pd.api.types.is_numeric_dtype(values.dtype):
        return True
    texts = [str(x) for x in values if not is_missing(x) and str(x) != ""]
    return bool(texts) and all(_NUMBER_TEXT.match(t) for t in texts)


def _table_lines(
    frame: pd.DataFrame, *, width: int, min_wrap: int, detail: str | None = None
) -> tuple[str, list[list[str]]]:
    """Header line and each row's lines (see :func:`text_table`)."""
    columns = [c for c in frame.columns if c != detail]
    cells = {c: ["" if is_missing(x) else str(x) for x in frame[c]] for c in frame.columns}
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

    # columns that still do not fit go on continuation lines (indented), never off the edge
    bands: list[list] = [[]]
    used = 0
    for c in columns:
        need = widths[c] + (2 if bands[-1] else 0)
        if bands[-1] and used + need > width:
            bands.append([])
            used, need = _BAND_INDENT, widths[c]
        bands[-1].append(c)
        used += need
    pad = [""] + [" " * _BAND_INDENT] * (len(bands) - 1)
    header = "\n".join(
        p + "  ".join(fit(c, str(c)[: widths[c]]) for c in band).rstrip() for p, band in zip(pad, bands, strict=True)
    )
    indent = " " * (widths[columns[0]] + 2) if columns else ""
    rows = []
    for i in range(len(frame)):
        parts = {
            c: wrap(cells[c][i], widths[c]) if c in wrapped and len(cells[c][i]) > widths[c] else [cells[c][i]]
            for c in columns
        }
        lines: list[str] = []
        for p, band in zip(pad, bands, strict=True):
            block = [
                p + "  ".join(fit(c, parts[c][k] if k < len(parts[c]) else "") for c in band).rstrip()
                for k in range(max(len(parts[c]) for c in band))
            ]
            lines.extend(line for line in block if line.strip() or p == "")
        if detail is not None and cells[detail][i]:
            lines.extend(indent + t for t in wrap(cells[detail][i], max(min_wrap, width - len(indent))))
        rows.append(lines)
    return header, rows


#: Indent of a table's continuation lines (the columns that do not fit the width).
_BAND_INDENT = 4


def text_table(
    frame: pd.DataFrame, *, width: int = 120, min_wrap: int = 24, header: bool = True, detail: str | None = None
) -> str:
    """Fixed-width text table with one header; long text is wrapped, never cut.

    Numbers (and text that reads as a number) are right-aligned, other text left-aligned.
    When the table would be wider than ``width``, the widest text columns are wrapped (down
    to ``min_wrap`` characters) and their rows take several lines. ``detail`` names a text
    column printed in full under each row (wrapped to ``width``) instead of as a column.

    See Also
    --------
    plain_text : any table with long prompt text under each row.
    stats.render.columns.shorten : cuts text where wrapping is not wanted.

    Examples
    --------
    >>> import pandas as pd
    >>> from stats.render.text import text_table
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


def robust_short(label: str, significant_from_n: Any) -> str:
    """Words for a :func:`stats.consistency.robust_labels` verdict in a terminal table.

    ``significant_from_n`` is the smallest m such that every feasible count with both samples of
    at least m cases is significant (see :func:`stats.consistency.robust_labels`).

    See Also
    --------
    stats.consistency.robust_labels : the verdicts it words.
    display_labelled : the table it fills.

    Examples
    --------
    >>> from stats.consistency import ROBUST_DEPENDS
    >>> robust_short(ROBUST_DEPENDS, 85)
    'significant whenever both samples had at least 85 cases'
    """
    from ..consistency import ROBUST_ALL, ROBUST_DEPENDS, ROBUST_INFEASIBLE, ROBUST_NONE

    if label == ROBUST_ALL:
        return "significant for every feasible count"
    if label == ROBUST_NONE:
        return "significant for no feasible count"
    if label == ROBUST_INFEASIBLE:
        return "no feasible count"
    if label == ROBUST_DEPENDS:
        if significant_from_n is pd.NA or pd.isna(significant_from_n):
            return "significant for some feasible counts only"
        return f"significant whenever both samples had at least {int(significant_from_n)} cases"
    return ""


def _ratio_text(x: Any) -> str:
    """'x1.234' for a ratio such as a design's widening; blank when missing."""
    return "" if pd.isna(x) else f"x{x:.3f}"


def _percent_text(x: Any) -> str:
    """A proportion as a percentage to one decimal; blank when missing."""
    return "" if pd.isna(x) else f"{100 * x:.1f}"


def _margin_text(x: Any) -> str:
    """A margin in points to two decimals; 'not testable' when missing."""
    return "not testable" if pd.isna(x) else f"{100 * x:.2f}"


def _pvalue_range(low: float, high: float) -> str:
    """'0.017-0.111': a p-value range over feasible counts (blank where untestable)."""
    if pd.isna(low):
        return ""
    a, b = format_pvalue(low), format_pvalue(high)
    return a if a == b else f"{a}-{b}"


def _exact_short(agree: Any, sensitive: Any) -> str:
    """'agree' when every exact test gives the label's verdict, 'DIFFER' when not; '*' marks method-sensitive rows."""
    if agree is None or agree is pd.NA or pd.isna(agree):
        return ""
    return ("agree" if agree else "DIFFER") + ("*" if sensitive is True or sensitive == True else "")  # noqa: E712


def _fmt_number(value: Any, spec: str) -> str:
    """Format a number; text (as read from a CSV) is shown as it is."""
    if is_missing(value):
        return ""
    if isinstance(value, str):
        return value
    return format(value, spec)


def display_labelled(labelled: pd.DataFrame, *, prompt_width: int | None = None) -> pd.DataFrame:
    """Formatted view of a labelled table (strings), for terminal output.

    The prompt text is kept whole (:func:`text_table` wraps it); ``prompt_width``, when given,
    cuts it. Percentages read as text (``'71%'``, as published) are shown as they were read.
    Optional columns of other analyses (p-value range over feasible denominators, method
    sensitivity, FDR) are shown when present.

    See Also
    --------
    labelled_text : the same view as terminal text.
    stats.render.columns.display_frame : display text for Markdown and HTML.

    Examples
    --------
    >>> from stats.render.text import display_labelled
    >>> import stats
    >>> labelled = stats.label_changes(stats.load_report().key_questions)
    >>> view = display_labelled(labelled)
    >>> list(view.columns)[:6]
    ['prev %', 'cur %', 'n', 'change', 'z', 'p']
    >>> view.iloc[0]["label"]
    '● no significant change'
    """

    def percents(name):
        if name not in labelled:
            if f"{name}_count" in labelled:  # a table of counts (stats.cases.compare_inspections)
                return (100 * labelled[f"{name}_count"] / labelled[f"n_{name}"]).map(lambda x: _fmt_number(x, ".0f"))
            return None
        values = labelled[name]
        if not pd.api.types.is_numeric_dtype(values.dtype):  # as read: shown as given
            return values.map(lambda x: "" if is_missing(x) else str(x))
        return format_column(values)

    cols = {
        "prev %": percents("previous"),
        "cur %": percents("current"),
        "n": [
            f"{_fmt_number(a, '.0f')}/{_fmt_number(b, '.0f')}"
            for a, b in zip(labelled["n_previous"], labelled["n_current"], strict=True)
        ],
        "change": format_column(labelled["difference"]),
        "z": format_column(labelled["statistic"]),
        "p": format_column(labelled["pvalue"]),
        "label": format_column(labelled["label"]),
    }
    out = pd.DataFrame({k: val for k, val in cols.items() if val is not None}, index=labelled.index)
    if "pvalue_min" in labelled:  # the checks of stats.summary.with_checks
        out["p over counts"] = [
            _pvalue_range(a, b) for a, b in zip(labelled["pvalue_min"], labelled["pvalue_max"], strict=True)
        ]
    if "robust_label" in labelled:
        out["sig. for"] = [
            robust_short(lab, frm)
            for lab, frm in zip(labelled["robust_label"], labelled["significant_from_n"], strict=True)
        ]
    if "exact_agree" in labelled:
        out["exact"] = [
            _exact_short(a, m) for a, m in zip(labelled["exact_agree"], labelled["method_sensitive"], strict=True)
        ]
    if "qvalue" in labelled:
        out["q"] = labelled["qvalue"].map(format_pvalue)
    if "prompt" in labelled:
        text = labelled["prompt"].astype(object)
        out.insert(0, "prompt", text.map(lambda t: shorten(t, prompt_width)) if prompt_width else text)
    if "prompt_id" in labelled:
        out.insert(0, "id", labelled["prompt_id"])
    return out


def design_view(design: pd.DataFrame) -> pd.DataFrame:
    """Sample design table for display: margins in points, ranges of implied populations.

    See Also
    --------
    stats.samplesize.sample_design : the table it shows.

    Examples
    --------
    >>> from stats.render.text import design_view
    >>> import stats
    >>> from stats.samplesize import sample_design
    >>> view = design_view(sample_design(stats.load_report().samples))
    >>> view[["sample", "n", "margin (inf. N)"]].head(2)
                 sample    n margin (inf. N)
    0  case supervision  100            6.41
    1         community   58            8.41
    """

    def rng(lo, hi, spec):
        if pd.isna(lo):
            return ""
        a, b = format(lo, spec), format(hi, spec)
        return a if a == b else f"{a}-{b}"

    return pd.DataFrame(
        {
            "sample": design["sample"],
            "n": design["n"],
            "sub-sample of": design.get("parent", pd.Series([""] * len(design))).fillna(""),
            "margin (inf. N)": design["margin"].map(lambda x: f"{100 * x:.2f}"),
            "implied N": [
                rng(a, b, ".0f")
                for a, b in zip(design["implied_population_low"], design["implied_population_high"], strict=True)
            ],
            "margin at implied N": [
                rng(100 * a, 100 * b, ".2f")
                for a, b in zip(design["margin_fpc_low"], design["margin_fpc_high"], strict=True)
            ],
            "widening": design["widening"].map(_ratio_text),
        }
    )


def ratings_view(rated: pd.DataFrame) -> pd.DataFrame:
    """Ratings table for display (:func:`stats.ratings.rate_report` output).

    See Also
    --------
    ratings_text : the view with its total and discretion candidates.
    stats.ratings.rate_report : the table it shows.

    Examples
    --------
    >>> from stats.render.text import ratings_view
    >>> import stats
    >>> from stats.summary import summarise
    >>> summary = summarise(stats.load_report())
    >>> view = ratings_view(summary.ratings)
    >>> view[["standard", "rating", "match"]].head(3)
             standard       rating match
    0  1.1 Leadership  Outstanding   yes
    1       1.2 Staff  Outstanding   yes
    2    1.3 Services         Good   yes
    """

    def cell(x, spec=""):
        return "" if is_missing(x) else format(x, spec)

    return pd.DataFrame(
        {
            "standard": rated["standard"] + " " + rated["standard_name"],
            "lowest KQ": [
                f"{cell(k)} {cell(p, '.0f')}%" if cell(k) else ""
                for k, p in zip(rated["lowest_key_question"], rated["lowest_percent"], strict=True)
            ],
            "mechanical": rated["mechanical_rating"].map(cell),
            "discretion?": rated["discretion_candidate"].map(
                lambda x: "" if is_missing(x) else ("candidate" if x else "no")
            ),
            "recorded": rated["discretion_rating"].map(cell),
            "rating": rated["rating"],
            "published": rated["published_rating"],
            "match": rated["matches_published"].map({True: "yes", False: "NO"}),
            "score": rated["score"],
        }
    )


def ratings_text(rated: pd.DataFrame, total: OverallRating, published: pd.Series, *, width: int = 140) -> str:
    """The ratings block: table, total against the published one, discretion candidates.

    See Also
    --------
    ratings_view : the table in this block.
    stats.summary.rate : the ratings of a report.

    Examples
    --------
    >>> from stats.render.text import ratings_text
    >>> import stats
    >>> from stats.summary import summarise
    >>> summary = summarise(stats.load_report())
    >>> text = ratings_text(summary.ratings, summary.overall, summary.published_overall)
    >>> print(text.splitlines()[-1])
       Discretion candidate 2.1 Assessment: lowest key question (63%) is within 5 points of the 65% boundary.
    """
    lines = [text_table(ratings_view(rated), width=width, min_wrap=20).rstrip()]
    shown = "not published" if pd.isna(published["score"]) else f"{int(published['score'])}/{total.maximum}"
    lines.append(f"   Total {total.score}/{total.maximum}, {total.rating} (published: {shown}, {published['rating']}).")
    for _, row in rated[rated["discretion_candidate"].fillna(False).astype(bool)].iterrows():
        lines.append(f"   Discretion candidate {row['standard']} {row['standard_name']}: {row['discretion_reason']}.")
    return "\n".join(lines) + "\n"


def _totals_line(totals: pd.Series) -> str:
    return "   Totals: " + "; ".join(f"{label}: {int(n)}" for label, n in totals.items())


def _count(n: int, one: str, many: str) -> str:
    """'1 survives', '8 survive': the verb agrees with the count."""
    return f"{n} {one if n == 1 else many}"


def multiplicity_line(m: pd.Series, *, width: int = 100) -> str:
    """The main job's multiplicity summary (:func:`stats.multiplicity.multiplicity_summary`), wrapped.

    With ``expected_false_positives_exact`` (:func:`stats.summary.summarise` adds it from the
    tests' exact size, :func:`stats.operating.exact_size`), the line gives both numbers.

    See Also
    --------
    stats.multiplicity.multiplicity_summary : the numbers it words.

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.Series(
    ...     {
    ...         "tests": 51,
    ...         "expected_false_positives": 5.1,
    ...         "significant": 17,
    ...         "survive_fdr": 1,
    ...         "fdr_method": "fdr_bh",
    ...         "fdr_level": 0.1,
    ...     }
    ... )
    >>> print(multiplicity_line(m, width=200))
       Multiplicity: 51 tests at alpha 0.1: 5.1 expected by chance if nothing had changed
       (alpha x tests); 17 are significant, 1 survives Benjamini-Hochberg FDR control at 0.1 (q <= 0.1).
    """
    tests, level = int(m["tests"]), m["fdr_level"]
    exact = m.get("expected_false_positives_exact")
    chance = f"{m['expected_false_positives']:.1f} expected by chance if nothing had changed (alpha x tests)"
    if exact is not None and not is_missing(exact):
        chance = (
            f"{exact:.1f} expected by chance if nothing had changed (the tests' exact size at each row's "
            f"sample sizes and pooled proportion; alpha x tests gives {m['expected_false_positives']:.1f})"
        )
    sig, survive = int(m["significant"]), int(m["survive_fdr"])
    text = (
        f"Multiplicity: {tests} tests at alpha {level:g}: {chance}; "
        f"{_count(sig, 'is', 'are')} significant, {_count(survive, 'survives', 'survive')} "
        f"Benjamini-Hochberg FDR control at {level:g} (q <= {level:g})."
    )
    return "\n".join(textwrap.wrap(text, width, initial_indent="   ", subsequent_indent="   "))


def method_lines(method: pd.DataFrame, *, indent: str = "   ", width: int = 100) -> list[str]:
    """The method table as wrapped ``item: value`` lines (stated once per report).

    See Also
    --------
    stats.summary.method_table : the table it words.
    report_text : where the lines are stated.

    Examples
    --------
    >>> from stats.render.text import method_lines
    >>> import stats
    >>> from stats.summary import summarise
    >>> summary = summarise(stats.load_report())
    >>> lines = method_lines(summary.method, width=100)
    >>> print(lines[0])
       change test: two-sided pooled two-proportion Z test, alpha = 0.1; significant when p <= alpha;
    """
    lines = []
    for item, value in method[["item", "value"]].itertuples(index=False):
        lines.extend(
            textwrap.wrap(
                f"{item}: {value}",
                width,
                initial_indent=indent,
                subsequent_indent=indent + "    ",
                break_on_hyphens=False,
            )
        )
    return lines


#: Columns of the terminal's prompt table and the method statement that explains each (one source).
_CHECK_LEGEND = (
    ("'p over counts', 'sig. for'", "robustness"),
    ("'exact' (DIFFER: an exact test disagrees; *: the verdict changes with the test)", "exact tests"),
    ("'q'", "multiplicity"),
)


def _checks_legend(summary: ReportSummary, *, width: int) -> list[str]:
    method: dict[str, str] = dict(summary.method[["item", "value"]].itertuples(index=False))
    lines: list[str] = []
    for columns, item in _CHECK_LEGEND:
        if item in method:
            lines.extend(
                textwrap.wrap(
                    f"{columns}: {method[item]}",
                    width,
                    initial_indent="   ",
                    subsequent_indent="   ",
                    break_on_hyphens=False,
                )
            )
    return lines


def _kq_view(kq: pd.DataFrame) -> pd.DataFrame:
    view = display_labelled(
        kq.drop(columns=["prompt", "prompt_id"], errors="ignore").rename(
            columns={"key_question_text": "prompt", "key_question": "prompt_id"}
        )
    )
    if "all_crcs" in kq:
        view.insert(cast(int, view.columns.get_loc("cur %")) + 1, "all CRCs %", format_column(kq["all_crcs"]))
    return view


def _grouped_table(view: pd.DataFrame, labelled: pd.DataFrame, *, width: int) -> list[str]:
    """A table with one header; standards and key questions as heading lines between rows."""
    head, rows = _table_lines(view, width=width, min_wrap=20, detail="prompt" if "prompt" in view else None)
    out = [*head.splitlines(), "-" * max(map(len, head.splitlines()))]
    previous_std = previous_kq = None
    for i, (_, row) in enumerate(labelled.iterrows()):
        std = (row.get("standard"), row.get("standard_name"))
        if "standard" in labelled and std != previous_std:
            out.extend(["", f"{std[0]} {std[1]}".upper()])
            previous_std, previous_kq = std, None
        if "key_question_text" in labelled and "prompt" in labelled:
            kq = (row.get("key_question"), row.get("key_question_text"))
            if kq != previous_kq:
                out.extend(
                    textwrap.wrap(
                        f"{kq[0]} {kq[1]}",
                        width,
                        initial_indent="  ",
                        subsequent_indent="  " + " " * (len(str(kq[0])) + 1),
                    )
                )
                previous_kq = kq
        out.extend(rows[i])
    return out


def _method_value(summary: ReportSummary, item: str) -> str:
    rows = summary.method.loc[summary.method["item"] == item, "value"]
    return str(rows.iloc[0]) if len(rows) else ""


#: Narrowest and widest text the terminal view lays out (characters).
MIN_WIDTH, MAX_WIDTH = 60, 140
#: How much the report command prints: ``brief`` (main points and ratings), ``full`` (every table).
DETAILS = ("brief", "full")


def terminal_width(default: int = MAX_WIDTH) -> int:
    """Columns of the terminal (``COLUMNS``, else the terminal of standard output, else ``default``),
    kept between :data:`MIN_WIDTH` and :data:`MAX_WIDTH`.

    See Also
    --------
    report_text : takes the width it returns.

    Examples
    --------
    >>> from stats.render.text import terminal_width
    >>> import os
    >>> os.environ["COLUMNS"] = "100"
    >>> terminal_width()
    100
    >>> del os.environ["COLUMNS"]
    """
    import shutil

    return max(MIN_WIDTH, min(MAX_WIDTH, shutil.get_terminal_size((default, 24)).columns))


def main_points_lines(points: MainPoints, *, width: int = 100) -> list[str]:
    """The main points as terminal lines (:mod:`stats.render.points`), wrapped to ``width``.

    See Also
    --------
    stats.render.points.sections : the worded points it lays out.
    stats.render.markdown.report_markdown : the same points in Markdown.

    Examples
    --------
    >>> from stats.render.text import main_points_lines
    >>> import stats
    >>> from stats.summary import summarise
    >>> summary = summarise(stats.load_report())
    >>> lines = main_points_lines(summary.main_points, width=100)
    >>> print(lines[0])
    Main points
    """
    from .points import lede, sections

    out = ["Main points", "-----------"]
    out += textwrap.wrap(lede(points), width)
    for sec in sections(points):
        out += ["", sec.heading.upper()]
        out += textwrap.wrap(sec.lead, width, initial_indent="  ", subsequent_indent="  ")
        for p in sec.points:
            mark = f"{p.symbol} " if p.symbol else "- "
            out += textwrap.wrap(
                p.text, width, initial_indent="  " + mark, subsequent_indent="    ", break_on_hyphens=False
            )
    return out


def _fit(lines: list[str], width: int) -> str:
    """Lines as text, each line of prose longer than ``width`` wrapped under its own indent (tables already fit)."""
    out = []
    for line in "\n".join(lines).splitlines():
        if len(line) <= width:
            out.append(line)
            continue
        indent = " " * (len(line) - len(line.lstrip()))
        out.extend(
            textwrap.wrap(
                line.strip(), width, initial_indent=indent, subsequent_indent=indent + "  ", break_on_hyphens=False
            )
        )
    return "\n".join(out) + "\n"


def report_text(summary: ReportSummary, *, width: int = MAX_WIDTH, detail: str = "full") -> str:
    """The main job's terminal text for a :class:`stats.summary.ReportSummary`.

    The main points first (what changed, how firmly, how the ratings follow, what could not be
    tested), then, with ``detail='full'``, one header per table, prompt and key-question text in
    full (wrapped), the method stated once (the test, then its assumptions).

    Parameters
    ----------
    summary : stats.summary.ReportSummary
    width : int, default 140
        Characters per line (the command line passes :func:`terminal_width`); long text is
        wrapped, never cut.
    detail : {'full', 'brief'}, default 'full'
        ``brief``: the main points and the ratings table only.

    See Also
    --------
    stats.summary.summarise : the report model it reads.
    stats.render.markdown.report_markdown : the same report in Markdown.
    stats.render.html.to_html : the same report as an HTML document.

    Examples
    --------
    >>> from stats.render.text import report_text
    >>> import stats
    >>> from stats.summary import summarise
    >>> summary = summarise(stats.load_report())
    >>> text = report_text(summary, width=100, detail="brief")
    >>> print(text.splitlines()[0])
    inspection-stats: south-yorkshire-crc-2020
    >>> report_text(summary, detail="short")
    Traceback (most recent call last):
    ...
    ValueError: detail ('short') must be one of 'brief' or 'full'.
    """
    if detail not in DETAILS:
        raise ValueError(f"detail ({detail!r}) must be one of 'brief' or 'full'.")
    if not isinstance(width, (int,)) or isinstance(width, bool) or width < MIN_WIDTH:  # type: ignore[redundant-expr]  # callers may pass anything
        raise ValueError(f"width must be a whole number of characters >= {MIN_WIDTH} (got {width!r}).")
    lines: list[str] = []
    w = lines.append
    narrow = min(width, 100)
    w(f"inspection-stats: {summary.name}")
    if summary.title != summary.name:
        lines.extend(textwrap.wrap(summary.title, narrow))
    w("=" * narrow)
    if summary.constructed:
        w("CONSTRUCTED example data: not a real inspection (report.toml: constructed = true).")
    lines.extend(textwrap.wrap(f"Test: {summary.test.describe()}.", width, break_on_hyphens=False))
    w("")
    lines.extend(main_points_lines(summary.main_points, width=narrow))
    w("")
    if detail == "brief":
        fw = summary.framework
        w(f"Ratings (score 0-{summary.overall.maximum}, framework {fw.name if fw else summary.overall.framework})")
        w(ratings_text(summary.ratings, summary.overall, summary.published_overall, width=width).rstrip())
        w("")
        lines.extend(
            textwrap.wrap(
                "Every table, the checks, the sample design and the method: run again with "
                "--full, or --format html -o report.html.",
                narrow,
            )
        )
        return _fit(lines, width)
    # stated where they apply: the checks under the prompt table, the design notes, the ratings rule
    covered = {
        "change test",
        "alpha",
        "alternative",
        "method",
        "implied N",
        "widening",
        "ratings",
        "robustness",
        "exact tests",
        "multiplicity",
    }
    w("")
    w("Method and assumptions")
    lines.extend(method_lines(summary.method[~summary.method["item"].isin(covered)], width=narrow))
    w("")
    w("1. Sample design (margins in percentage points, 80% confidence, p = 0.5)")
    w("")
    w(text_table(design_view(summary.design), width=width).rstrip())
    w("")
    for item in ("implied N", "widening"):
        lines.extend(
            textwrap.wrap(
                f"{item[0].upper()}{item[1:]}: {_method_value(summary, item)}",
                narrow,
                initial_indent="   ",
                subsequent_indent="   ",
            )
        )
    w("")
    shown = summary.prompts
    w(f"2. Prompt table (Annexe 4): {len(shown)} prompts, previous vs current inspection")
    w("   prev %, cur %: as published; n: previous/current cases; change: points; p: p-value of the test")
    w("")
    lines.extend(_grouped_table(display_labelled(shown), shown, width=width))
    w("")
    w(_totals_line(summary.totals["prompts"]))
    if len(getattr(summary, "multiplicity", ())):
        w(multiplicity_line(summary.multiplicity, width=narrow))
    w("")
    lines.extend(_checks_legend(summary, width=narrow))
    w("")
    kq = summary.key_questions
    w(f"3. Key questions (chapters 2 and 3): {len(kq)}")
    w("")
    lines.extend(_grouped_table(_kq_view(kq), kq, width=width))
    w("")
    w(_totals_line(summary.totals["key_questions"]))
    w("")
    lead = (
        "Robustness to the sample design: cases of one officer may go together, so variances may exceed the "
        "simple random sample's by a design effect (deff); a label is lost once deff exceeds (z / z_crit)^2."
    )
    lines.extend(textwrap.wrap(lead, narrow, initial_indent="   ", subsequent_indent="   "))
    for sentence in design_effect_sentences(summary):
        lines.extend(textwrap.wrap(sentence, narrow, initial_indent="   ", subsequent_indent="     "))
    for row in summary.design_effect.itertuples(index=False):
        if row.lost_ids:
            lines.extend(
                textwrap.wrap(
                    f"deff {row.deff:g} loses: {row.lost_ids!s}",
                    narrow,
                    initial_indent="     ",
                    subsequent_indent="       ",
                )
            )
    w("")
    fw = summary.framework
    w(f"4. Ratings (score 0-{summary.overall.maximum}, framework {fw.name if fw else summary.overall.framework})")
    lines.extend(
        textwrap.wrap(_method_value(summary, "ratings"), narrow, initial_indent="   ", subsequent_indent="   ")
    )
    w("")
    w(ratings_text(summary.ratings, summary.overall, summary.published_overall, width=width).rstrip())
    return _fit(lines, width)


def compare_text(res: ChangeResult) -> str:
    """Terminal text for one :class:`stats.ChangeResult`.

    See Also
    --------
    stats.compare_proportions : the comparison it shows.

    Examples
    --------
    >>> from stats.render.text import compare_text
    >>> import stats
    >>> print(compare_text(stats.compare_proportions(0.54, 100, 0.71, 100)), end="")
    difference  +17.0 points (54.0% -> 71.0%)
    z           2.4830
    p-value     0.01303
    90% CI +5.8 to +27.8 points (score)
    label       significant improvement
    (two-sided pooled two-proportion Z test, alpha = 0.1; significant when p <= alpha; 90% score interval;
    counts implied by the figures)
    """
    # a scalar comparison: its fields are numbers (the result type also holds arrays)
    low, high, difference = (cast(float, x) for x in (res.ci.low, res.ci.high, res.difference))
    spec = res.test
    sided = "" if spec.alternative == "two-sided" else " one-sided"
    return (
        f"difference  {100 * difference:+.1f} points ({res.previous:.1%} -> {res.current:.1%})\n"
        f"z           {res.statistic:.4f}\n"
        f"p-value     {res.pvalue:.4g}\n"
        f"{100 * (1 - spec.alpha):g}%{sided} CI {100 * low:+.1f} to {100 * high:+.1f} points ({spec.interval})\n"
        f"label       {res.label}\n"
        f"({spec.describe()})\n"
    )


# ---------------------------------------------------------------------------------------------
# The text views of the other commands (formerly in the command line module)
# ---------------------------------------------------------------------------------------------


def plain_text(frame: pd.DataFrame) -> str:
    """Any table as terminal text: long ``prompt`` text printed under each row.

    See Also
    --------
    text_table : the table layout it uses.

    Examples
    --------
    >>> from stats.render.text import plain_text
    >>> import pandas as pd
    >>> print(plain_text(pd.DataFrame({"sample": ["all", "sub"], "n": [100, 40]})), end="")
    sample   n
       all 100
       sub  40
    """
    if frame.empty:
        return "(none)\n"
    if "prompt" in frame.columns:
        return text_table(frame, detail="prompt")
    return frame.to_string(index=False, na_rep="") + "\n"


def labelled_text(labelled: pd.DataFrame) -> str:
    """A labelled table (the ``label`` and ``tabulate --previous`` commands).

    See Also
    --------
    display_labelled : the view it prints.
    stats.label_changes : the table it shows.

    Examples
    --------
    >>> from stats.render.text import labelled_text
    >>> import stats
    >>> text = labelled_text(stats.label_changes(stats.load_report().key_questions))
    >>> print(text.splitlines()[-1])
        39    86   24/24    +47  3.27 0.001 ▲ significant improvement
    """
    return plain_text(display_labelled(labelled))


def tabulate_text(table: pd.DataFrame) -> str:
    """:func:`stats.cases.tabulate` output: percentages and margins in points.

    See Also
    --------
    stats.cases.tabulate : the table it shows.

    Examples
    --------
    >>> from stats.render.text import tabulate_text
    >>> import pandas as pd
    >>> table = pd.DataFrame(
    ...     {
    ...         "question": ["Q1"],
    ...         "answer": ["Yes"],
    ...         "count": [30],
    ...         "n": [40],
    ...         "proportion": [0.75],
    ...         "margin": [0.0877],
    ...         "testable": [True],
    ...     }
    ... )
    >>> print(tabulate_text(table), end="")
    question answer  count  n percent margin (points)
          Q1    Yes     30 40    75.0            8.77
    """
    view = table.assign(
        proportion=table["proportion"].map(_percent_text),
        margin=table["margin"].map(_margin_text),
    )
    view = view.rename(columns={"proportion": "percent", "margin": "margin (points)"})
    if "widening" in view:
        view["widening"] = view["widening"].map(_ratio_text)
    return plain_text(view.drop(columns=["testable"]))


def audit_text(result: AuditResult) -> str:
    """:func:`stats.summary.audit_text_of_report` output: each use of 'significant' and the converse list.

    See Also
    --------
    stats.summary.audit_report : the audit it shows.
    stats.audit.audit_wording : the check behind it.

    Examples
    --------
    >>> from stats.render.text import audit_text
    >>> import stats
    >>> from stats.summary import summarise
    >>> from stats.summary import audit_report
    >>> report = stats.load_report()
    >>> result = audit_report("Recording improved significantly.", report, source="note")
    >>> print(audit_text(result).splitlines()[0])
    Uses of 'significant' in note: 1 sentences, 0 about inspection data
    """
    audited, converse = result.audited, result.converse
    if result.converse_only:
        return plain_text(converse)
    view = audited.assign(
        sentence=audited["sentence"].map(lambda t: shorten(t, 90)),
        matched_ids=audited["matched_ids"].map(", ".join),
    )[["section", "verdict", "matched_ids", "sentence"]]
    lines = [
        (
            f"Uses of 'significant' in {result.source}: {len(audited)} sentences, "
            f"{int(audited['about_data'].sum())} about inspection data"
        ),
        plain_text(view).rstrip(),
        "",
        "Significant changes by the test and the words the narrative uses for them:",
    ]
    cview = converse.assign(
        words=converse["words"].map(", ".join), sentence=converse["sentence"].map(lambda t: shorten(t, 70))
    )
    lines.append(plain_text(cview[["id", "label", "words", "sentence"]]).rstrip())
    return "\n".join(lines) + "\n"


def sample_text(draw: SampleDraw, source: str, *, written_to: str | None = None) -> str:
    """A sample draw (:func:`stats.sampling.draw_sample`): strata, adjustment steps, officer cap, the sample.

    See Also
    --------
    stats.sampling.draw_sample : the draw it shows.

    Examples
    --------
    >>> from stats.render.text import sample_text
    >>> from stats.sampling import draw_sample, synthetic_longlist
    >>> draw = draw_sample(synthetic_longlist(), size=40, seed=7)
    >>> print(sample_text(draw, "long list").splitlines()[0])
    Sample from long list: 266 cases on the long list, 250 eligible (excluded: redacted 6, duplicate 4, gender
    3, not started 3)
    """
    a = draw.allocation
    screened = a.screened
    reasons = screened["excluded"].value_counts()
    lines = [
        f"Sample from {source}: {len(screened)} cases on the long list, {int(screened['eligible'].sum())} eligible"
        + (
            ""
            if len(reasons) <= 1
            else " (excluded: " + ", ".join(f"{r} {int(c)}" for r, c in reasons.items() if bool(r)) + ")"
        ),
        (
            f"Requested {a.size} + buffer {a.buffer:g}% = {a.target} cases; "
            f"officer cap {a.max_per_officer}; seed {draw.seed}."
        ),
        "",
        "Strata (share of eligible cases; allocation = round-half-up(size x share) + buffer, then rounding steps)",
    ]
    g = a.groups()
    strata = g[g["level"] == "stratum"]
    lines.append(
        plain_text(
            pd.DataFrame(
                {
                    "stratum": strata["stratum"],
                    "cases": strata["cases"],
                    "share": strata["share"].map(lambda x: f"{100 * x:.2f}%"),
                    "initial": strata["initial"],
                    "allocated": strata["allocated"],
                    "steps": strata["steps"],
                }
            )
        ).rstrip()
    )
    steps = a.steps()
    lines += ["", f"Adjustment steps at every level ({len(steps)}): stratum, cluster, delivery unit (ldu), officer"]
    if len(steps):
        view = steps.assign(
            group=[
                " / ".join(str(x) for x in (r.stratum, r.cluster, r.ldu, r.officer) if x) for r in steps.itertuples()
            ]
        )
        lines.append(plain_text(view[["level", "group", "step", "before", "after"]]).rstrip())
    cut = steps[steps["step"] == "DECREASED_FOR_RO"]
    moved = steps[steps["step"] == "INCREASED_FOR_RO"]
    lines += [
        "",
        (
            f"Officer cap: {len(cut)} officer allocations cut by {int(-cut['change'].sum())} cases; "
            f"{int(moved['change'].sum())} re-allocated within the same delivery unit; "
            f"{a.unplaced} could not be placed."
        ),
        f"Allocated {a.allocated} of {a.target}: shortfall {a.shortfall}.",
    ]
    text = "\n".join(lines) + "\n"
    if written_to:
        return text + f"Sample of {len(draw.sample)} cases written to {written_to}.\n"
    return text + "\n" + plain_text(draw.sample)


def validation_text(violations: pd.DataFrame, folder: str | os.PathLike[str]) -> str:
    """The schema violations of a report folder (:func:`stats.schema.validate_report`).

    See Also
    --------
    stats.schema.validate_report : the violations it shows.

    Examples
    --------
    >>> from stats.render.text import validation_text
    >>> import pandas as pd
    >>> print(validation_text(pd.DataFrame(columns=["file", "row", "column", "rule", "value"]), "reports/x"), end="")
    reports/x: valid (no schema violations).
    """
    if violations.empty:
        return f"{folder}: valid (no schema violations).\n"
    view = violations.assign(
        row=violations["row"].astype("string").fillna(""),
        value=violations["value"].map(lambda x: "" if x is None else shorten(str(x), 30)),
    )
    return f"{folder}: {len(violations)} schema violation(s) (rows numbered from 1 after the header)\n" + plain_text(
        view
    )


def ratings_block(rated: ReportRatings) -> str:
    """A :class:`stats.summary.ReportRatings` (the ``ratings`` command)."""
    return ratings_text(rated.ratings, rated.overall, rated.published_overall)


def sample_size_text(values: dict) -> str:
    return f"{values['n']}\n"


def margin_text(values: dict) -> str:
    e = values["margin"]
    return f"{e:.4f} ({100 * e:.2f} percentage points at {100 * values['confidence_level']:g}% confidence)\n"


#: Text view of each kind of result: ``Table.view`` / ``Record.view`` -> function of the payload.
VIEWS = {
    "plain": lambda t: plain_text(t.frame),
    "labelled": lambda t: labelled_text(t.frame),
    "tabulate": lambda t: tabulate_text(t.frame),
    "design": lambda t: plain_text(design_view(t.frame)),
    "ratings": lambda t: ratings_block(t.source),
    "audit": lambda t: audit_text(t.source),
    "sample": lambda t: sample_text(t.source[0], t.source[1], written_to=t.note),
    "validation": lambda t: validation_text(t.frame, t.source),
    "compare": lambda r: compare_text(r.source),
    "sample-size": lambda r: sample_size_text(r.values),
    "margin": lambda r: margin_text(r.values),
}


def _table(t: Table, *, sanitize: bool = True) -> str:
    return (f"{t.title}\n" if t.title else "") + VIEWS[t.view](t)


def _report(summary: ReportSummary, *, sanitize: bool = True, width: int = MAX_WIDTH, detail: str = "full") -> str:
    return report_text(summary, width=width, detail=detail)


WRITER = Writer(
    "text",
    "text for the terminal (tables wrapped to the width)",
    table=_table,
    record=lambda r: VIEWS[r.view](r),
    report=_report,
)
