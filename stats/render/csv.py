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
    ``= + - @`` tab or CR get a leading ``'`` (:func:`stats.io.neutralise_formulas`)."""
    out = neutralise_formulas(frame) if sanitize else frame
    return out.to_csv(fh, index=False, header=header)


def table_csv(table: Table, *, sanitize: bool = True) -> str:
    """A :class:`stats.render.Table` as CSV."""
    return frame_csv(table.frame, sanitize=sanitize)


def stream_csv(chunks: Iterable[pd.DataFrame], fh: TextIO, *, sanitize: bool = True) -> None:
    """Labelled chunks as one CSV (the same text as :func:`table_csv` of the whole table)."""
    first = True
    for part in chunks:
        frame_csv(part, fh, sanitize=sanitize, header=first)
        first = False


def record_csv(record: Record) -> str:
    """A :class:`stats.render.Record` as a header and one row (nested fields as ``test.alpha``)."""
    flat = {}
    for k, v in record.values.items():
        if isinstance(v, dict):
            flat.update({f"{k}.{kk}": vv for kk, vv in v.items()})
        else:
            flat[k] = v
    return frame_csv(pd.DataFrame([flat]))


def report_tables(summary: ReportSummary) -> dict[str, pd.DataFrame]:
    """The report model's tables by name (raw values), as the CSV and the workbook write them."""
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
        "design_effect": summary.design_effect,
    }
    if len(summary.multiplicity):
        tables["multiplicity"] = summary.multiplicity.rename("value").rename_axis("item").reset_index()
    tables["overall"] = overall
    tables["framework"] = framework_table(summary.framework)
    tables["method"] = pd.concat([summary.method[["item", "value"]], spec], ignore_index=True)
    return tables


def report_csv(summary: ReportSummary, *, sanitize: bool = True) -> str:
    """The report model as one CSV: the main points first (:meth:`stats.findings.MainPoints.to_frame`,
    raw proportions), then every table stacked, its name in the first column ``table``."""
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
