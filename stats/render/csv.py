"""CSV: the raw values at full precision (machine format), text cells and headers made inert for spreadsheets."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import TYPE_CHECKING, TextIO, overload

import pandas as pd

from ..io import neutralise_formulas
from . import Writer

if TYPE_CHECKING:
    from ..summary import ReportSummary
    from . import Record, Table

__all__ = ["frame_csv", "table_csv", "record_csv", "report_csv", "report_tables", "WRITER"]


@overload
def frame_csv(frame: pd.DataFrame, fh: None = None, *, sanitize: bool = True, header: bool = True) -> str: ...
@overload
def frame_csv(frame: pd.DataFrame, fh: TextIO, *, sanitize: bool = True, header: bool = True) -> None: ...
def frame_csv(
    frame: pd.DataFrame, fh: TextIO | None = None, *, sanitize: bool = True, header: bool = True
) -> str | None:
    """``frame`` as CSV, every digit kept; with ``sanitize`` cells and column names starting with
    ``= + - @`` tab or CR get a leading ``'`` (:func:`stats.io.neutralise_formulas`).

    See Also
    --------
    table_csv : a Table as CSV.
    stats.io.neutralise_formulas : what ``sanitize`` applies.

    Examples
    --------
    >>> from stats.render.csv import frame_csv
    >>> import pandas as pd
    >>> print(frame_csv(pd.DataFrame({"note": ["=1+1"], "pvalue": [0.0130283]})), end="")
    note,pvalue
    '=1+1,0.0130283
    """
    out = neutralise_formulas(frame) if sanitize else frame
    return out.to_csv(fh, index=False, header=header)


def table_csv(table: Table, *, sanitize: bool = True) -> str:
    """A :class:`stats.render.Table` as CSV.

    See Also
    --------
    frame_csv : the CSV of a DataFrame.
    stats.render.json.table_json : the same table as JSON.

    Examples
    --------
    >>> from stats.render.csv import table_csv
    >>> import pandas as pd
    >>> from stats.render import Table
    >>> print(table_csv(Table(pd.DataFrame({"prompt_id": ["P1"], "difference": [0.17]}))), end="")
    prompt_id,difference
    P1,0.17
    """
    return frame_csv(table.frame, sanitize=sanitize)


def stream_csv(chunks: Iterable[pd.DataFrame], fh: TextIO, *, sanitize: bool = True) -> None:
    """Labelled chunks as one CSV (the same text as :func:`table_csv` of the whole table); formatted in
    bulk by pyarrow where it is installed (:func:`stats._fastcsv.write_frames`: the same bytes)."""
    from .._fastcsv import write_frames

    write_frames(chunks, fh, sanitize=sanitize)


def record_csv(record: Record) -> str:
    """A :class:`stats.render.Record` as a header and one row (nested fields as ``test.alpha``).

    See Also
    --------
    stats.render.json.record_json : the same record as JSON.

    Examples
    --------
    >>> from stats.render.csv import record_csv
    >>> from stats.render import Record
    >>> print(record_csv(Record({"n": 100, "test": {"alpha": 0.1}}, view="plain")), end="")
    n,test.alpha
    100,0.1
    """
    flat = {}
    for k, v in record.values.items():
        if isinstance(v, dict):
            flat.update({f"{k}.{kk}": vv for kk, vv in v.items()})
        else:
            flat[k] = v
    return frame_csv(pd.DataFrame([flat]))


def report_tables(summary: ReportSummary) -> dict[str, pd.DataFrame]:
    """The report model's tables by name (raw values), as the CSV and the workbook write them.

    See Also
    --------
    report_csv : the tables as one CSV.
    stats.render.xlsx.write_xlsx : the tables as workbook sheets.

    Examples
    --------
    >>> from stats.render.csv import report_tables
    >>> import stats
    >>> from stats.summary import summarise
    >>> summary = summarise(stats.load_report())
    >>> list(report_tables(summary))
    ['design', 'prompts', 'key_questions', 'totals', 'ratings', 'design_effect_structure', 'design_effect',
    'multiplicity', 'overall', 'framework', 'method']
    """
    from .columns import framework_table

    published = summary.published_overall
    overall = pd.DataFrame(
        {
            "item": ["score", "maximum", "rating", "published score", "published rating"],
            "value": [
                summary.overall.score,
                summary.overall.maximum,
                summary.overall.rating,
                None if pd.isna(published["score"]) else int(published["score"]),
                str(published["rating"]),
            ],
        }
    )
    spec = pd.DataFrame(
        {
            "item": [f"test.{k}" for k in summary.test.to_dict()],
            "value": [str(v) for v in summary.test.to_dict().values()],
        }
    )
    tables = {
        "design": summary.design,
        "prompts": summary.prompts,
        "key_questions": summary.key_questions,
        "totals": summary.totals.rename_axis("label").reset_index(),
        "ratings": summary.ratings,
    }
    structure = summary.design_effect_structure
    if len(structure):  # the primary design-effect view, with the model and inputs it rests on
        tables["design_effect_structure"] = structure.assign(
            model=structure.attrs.get("design_model", ""), source=structure.attrs.get("source", "")
        )
    tables["design_effect"] = summary.design_effect  # fixed levels, for comparison
    if len(summary.multiplicity):
        tables["multiplicity"] = summary.multiplicity.rename("value").rename_axis("item").reset_index()
    tables["overall"] = overall
    tables["framework"] = framework_table(summary.framework)
    tables["method"] = pd.concat([summary.method[["item", "value"]], spec], ignore_index=True)
    return tables


def report_csv(summary: ReportSummary, *, sanitize: bool = True) -> str:
    """The report model as one CSV: the main points first (:meth:`stats.findings.MainPoints.to_frame`,
    raw proportions), then every table stacked, its name in the first column ``table``.

    See Also
    --------
    report_tables : the tables it stacks.
    stats.render.json.report_json : the report model as JSON.

    Examples
    --------
    >>> from stats.render.csv import report_csv
    >>> import stats
    >>> from stats.summary import summarise
    >>> summary = summarise(stats.load_report())
    >>> report_csv(summary).splitlines()[0].split(",")[:6]
    ['table', 'section', 'row_table', 'id', 'text', 'standard']
    """
    points = summary.main_points.to_frame().rename(columns={"table": "row_table"})
    tables = {"main_points": points, **report_tables(summary)}
    parts = [
        frame.astype(object).assign(table=name)[["table", *map(str, frame.columns)]]
        if "table" not in frame.columns
        else frame
        for name, frame in tables.items()
    ]
    buffer = io.StringIO()
    frame_csv(pd.concat(parts, ignore_index=True, sort=False), buffer, sanitize=sanitize)
    return buffer.getvalue()


WRITER = Writer(
    "csv",
    "CSV (full precision; cells and headers that a spreadsheet would run are made inert)",
    table=table_csv,
    record=record_csv,
    report=report_csv,
    stream=stream_csv,
)
