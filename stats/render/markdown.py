"""Markdown: GitHub-flavoured tables of a result (display rounding) and the report as a document."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from ..io import neutralise_formula, neutralise_formulas
from . import Writer
from .columns import display_frame, is_missing, round_for_display
from .points import design_effect_sentences

if TYPE_CHECKING:
    from ..findings import MainPoints
    from ..summary import ReportSummary
    from . import Record, Table

__all__ = ["to_markdown", "table_markdown", "report_markdown", "WRITER"]


def to_markdown(frame: pd.DataFrame) -> str:
    """GitHub-flavoured Markdown table (no extra dependency); ``|`` escaped, newlines flattened.

    See Also
    --------
    table_markdown : a Table, rounded for display.

    Examples
    --------
    >>> from stats.render.markdown import to_markdown
    >>> import pandas as pd
    >>> print(to_markdown(pd.DataFrame({"id": ["P1", "P2"], "n": [100, 58]})), end="")
    | id | n |
    | --- | --- |
    | P1 | 100 |
    | P2 | 58 |
    """

    def cell(x: object) -> str:
        if is_missing(x):
            return ""
        return str(x).replace("|", "\\|").replace("\n", " ")

    header = "| " + " | ".join(cell(c) for c in frame.columns) + " |"
    rule = "| " + " | ".join("---" for _ in frame.columns) + " |"
    body = ["| " + " | ".join(cell(x) for x in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([header, rule, *body]) + "\n"


def _safe(frame: pd.DataFrame, sanitize: bool) -> pd.DataFrame:
    """Cells and column names that a spreadsheet would run as a formula get a leading ``'``."""
    return neutralise_formulas(frame) if sanitize else frame


def table_markdown(table: Table, *, sanitize: bool = True) -> str:
    """A :class:`stats.render.Table`: its title line, then its raw columns rounded for display.

    See Also
    --------
    to_markdown : the table layout.
    stats.render.columns.round_for_display : the rounding it applies.

    Examples
    --------
    >>> from stats.render.markdown import table_markdown
    >>> import pandas as pd
    >>> from stats.render import Table
    >>> print(table_markdown(Table(pd.DataFrame({"pvalue": [0.0130283]}), title="Test")), end="")
    Test
    <BLANKLINE>
    | pvalue |
    | --- |
    | 0.01303 |
    """
    body = to_markdown(_safe(round_for_display(table.frame), sanitize))
    return (f"{table.title}\n\n" if table.title else "") + body


def record_markdown(record: Record) -> str:
    """A :class:`stats.render.Record` as an ``item | value`` table."""
    rows = [(k, v) for k, v in record.values.items() if not isinstance(v, dict)]
    rows += [(f"{k}.{kk}", vv) for k, v in record.values.items() if isinstance(v, dict) for kk, vv in v.items()]
    shown = [(k, f"{v:.4g}" if isinstance(v, float) else v) for k, v in rows]
    return to_markdown(pd.DataFrame(shown, columns=["item", "value"]))


def _line(text: str, sanitize: bool) -> str:
    return neutralise_formula(str(text)) if sanitize else str(text)


def main_points_markdown(points: MainPoints, *, sanitize: bool = True) -> list[str]:
    """The main points as Markdown lines: a heading, the lede, each section's lead and its points."""
    from .points import lede, sections

    out = ["## Main points", "", f"**{_line(lede(points), sanitize)}**", ""]
    for sec in sections(points):
        out += [f"### {sec.heading}", "", _line(sec.lead, sanitize), ""]
        out += [f"- {p.symbol + ' ' if p.symbol else ''}{_line(p.text, sanitize)}" for p in sec.points]
        out += [""] if sec.points else []
    return out


def report_markdown(summary: ReportSummary, *, sanitize: bool = True) -> str:
    """The report model as one Markdown document: method, design, tables, ratings (display values).

    See Also
    --------
    stats.render.text.report_text : the same report for the terminal.
    stats.render.html.to_html : the same report as HTML.

    Examples
    --------
    >>> from stats.render.markdown import report_markdown
    >>> import stats
    >>> from stats.summary import summarise
    >>> summary = summarise(stats.load_report())
    >>> md = report_markdown(summary)
    >>> [line for line in md.splitlines() if line.startswith("## ")][:3]
    ['## Main points', '## Method and assumptions', '## Sample design']
    """
    from .html import KEY_QUESTION_COLUMNS, PROMPT_COLUMNS, labelled_columns
    from .text import multiplicity_line

    def table(frame, columns=None):
        return to_markdown(_safe(display_frame(frame, columns), sanitize))

    method = summary.method[["item", "value"]]
    out = [f"# {_line(summary.title, sanitize)}", "", f"Test: {summary.test.describe()}.", ""]
    if summary.constructed:
        out += ["**Constructed example data:** not a real inspection.", ""]
    out += main_points_markdown(summary.main_points, sanitize=sanitize)
    out += ["## Method and assumptions", ""]
    out += [f"- **{_line(i, sanitize)}**: {_line(v, sanitize)}" for i, v in method.itertuples(index=False)]
    out += ["", "## Sample design", "", table(summary.design)]
    out += ["## Prompts", "", table(summary.prompts, labelled_columns(summary.prompts, PROMPT_COLUMNS))]
    out += [
        "## Key questions",
        "",
        table(summary.key_questions, labelled_columns(summary.key_questions, KEY_QUESTION_COLUMNS)),
    ]
    out += ["## Rows per label", "", table(summary.totals.rename_axis("label").reset_index())]
    if len(summary.multiplicity):
        out += [multiplicity_line(summary.multiplicity, width=10_000).strip(), ""]
    out += ["## Design effect", ""]
    out += [f"- {_line(sentence, sanitize)}" for sentence in design_effect_sentences(summary)]
    out += [""]
    published = summary.published_overall
    shown = "not published" if pd.isna(published["score"]) else f"{int(published['score'])}/{summary.overall.maximum}"
    statements: dict[str, str] = dict(method.itertuples(index=False))
    rule = statements.get("ratings", "")
    out += [
        "## Ratings",
        "",
        rule,
        "",
        (
            f"Total {summary.overall.score}/{summary.overall.maximum}, {summary.overall.rating} "
            f"(published: {shown}, {published['rating']})."
        ),
        "",
        table(summary.ratings),
    ]
    return "\n".join(out)


WRITER = Writer(
    "markdown",
    "GitHub-flavoured Markdown (values rounded for display)",
    table=table_markdown,
    record=record_markdown,
    report=report_markdown,
)
