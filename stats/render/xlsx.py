"""Excel workbook (openpyxl): the report model's tables as typed cells with number formats.

One sheet per table of :func:`stats.render.csv.report_tables` (raw values: proportions, not
points, so ``pandas.read_excel`` returns the same tables), a ``columns`` sheet (display name,
unit and meaning of every column), frozen header, autofilter and label colours. Text cells and
header cells that a spreadsheet would run as a formula are neutralised
(:func:`stats.io.neutralise_formula`). A text longer than Excel's limit of 32,767 characters
per cell is *flagged*: the cell keeps the first characters and ends with a visible note saying
how long the full text is, and a ``notes`` sheet lists every such cell (the CSV and JSON
outputs carry the full text).
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd

from .. import __version__
from ..io import atomic_writer, neutralise_formula
from . import Writer
from .columns import LABEL_CODES, column_info, excel_format

__all__ = ["EXCEL_CELL_LIMIT", "to_xlsx", "write_xlsx", "table_xlsx", "WRITER"]

#: Most characters Excel holds in one cell.
EXCEL_CELL_LIMIT = 32_767

#: Fill of each label, keyed on the label's code (:data:`stats.render.columns.LABEL_CODES`).
_CODE_FILLS = {"improvement": "DCEBF7", "decline": "FBE3D6", "nochange": "EFEFEF", "nodata": "FFFFFF"}


def _flag_long(text: str, where: str, notes: list) -> str:
    if len(text) <= EXCEL_CELL_LIMIT:
        return text
    marker = f" … [cut by Excel's limit: the full text has {len(text):,} characters; see the CSV or JSON output]"
    notes.append({"cell": where, "characters": len(text), "kept": EXCEL_CELL_LIMIT - len(marker)})
    return text[: EXCEL_CELL_LIMIT - len(marker)] + marker


def _cell_value(value, where: str, notes: list):
    """A DataFrame value as an openpyxl cell value: numbers typed, text neutralised and flagged, missing empty."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if not np.isfinite(value) else float(value)
    if isinstance(value, int):
        return value
    return _flag_long(neutralise_formula(str(value)), where, notes)


def _fill_sheet(ws, frame: pd.DataFrame, notes: list) -> None:
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    columns = [_flag_long(neutralise_formula(str(c)), f"{ws.title}!header {j}", notes)
               for j, c in enumerate(frame.columns, start=1)]
    ws.append(columns)
    for i, row in enumerate(frame.itertuples(index=False), start=2):
        ws.append([_cell_value(v, f"{ws.title}!{get_column_letter(j)}{i}", notes) for j, v in enumerate(row, start=1)])
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
        texts = [min(len(str(x)), 60) for x in frame[name].head(200) if not pd.isna(x)] if len(frame) else []
        ws.column_dimensions[letter].width = min(60, max(8, len(str(name)) + 2, *(t + 2 for t in texts)))
        if info.kind == "label":
            for label, code in LABEL_CODES.items():
                colour = _CODE_FILLS[code]
                ws.conditional_formatting.add(
                    f"{letter}2:{letter}{max(last, 2)}",
                    FormulaRule(formula=[f'{letter}2="{label}"'], fill=PatternFill("solid", start_color=colour,
                                                                                  end_color=colour),
                                font=Font(bold=code in ("improvement", "decline"))))
    ws.freeze_panes = "A2"
    if len(columns):
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(last, 1)}"


def _workbook(sheets: dict[str, pd.DataFrame], title: str):
    try:
        from openpyxl import Workbook
    except ImportError:  # pragma: no cover - exercised only without the extra
        raise ImportError("the workbook needs openpyxl: pip install \"inspection-stats[report]\"") from None
    wb = Workbook()
    wb.remove(wb.active)
    notes: list = []
    for name, frame in sheets.items():
        _fill_sheet(wb.create_sheet(name), frame, notes)
    described = sorted({c for name, f in sheets.items() if name not in ("method", "framework")
                        for c in map(str, f.columns)})
    columns = pd.DataFrame({
        "column": described,
        "display name": [column_info(c).display for c in described],
        "unit": [column_info(c).kind for c in described],
        "description": [column_info(c).description for c in described],
    })
    _fill_sheet(wb.create_sheet("columns"), columns, notes)
    if notes:
        _fill_sheet(wb.create_sheet("notes"), pd.DataFrame(notes), [])
    wb.properties.title = title
    wb.properties.creator = f"inspection-stats {__version__}"
    return wb


def to_xlsx(summary):
    """The report as an openpyxl Workbook (see :func:`write_xlsx`)."""
    from ..summary import ReportSummary
    from .csv import report_tables

    if not isinstance(summary, ReportSummary):
        raise TypeError(f"summary must be a stats.summary.ReportSummary (got {type(summary).__name__}).")
    return _workbook(report_tables(summary), f"{summary.title}: inspection-stats report")


def _bytes(wb) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def write_xlsx(summary, path) -> Path:
    """Write the workbook of ``summary`` to ``path`` (whole or not at all); returns the path.

    Sheets: ``design``, ``prompts``, ``key_questions``, ``totals``, ``ratings``, ``overall``,
    ``design_effect``, ``multiplicity``, ``framework`` (ratings, points and band limits),
    ``method`` (the test and its assumptions), ``columns`` (display name, unit and meaning of
    every column) and ``notes`` when a text was longer than Excel's cell limit. Cells hold the
    raw values of the DataFrames (proportions, not points) with number formats, so
    ``pandas.read_excel`` returns the same tables.

    Examples
    --------
    >>> import tempfile, os, pandas as pd, stats
    >>> from stats.summary import summarise
    >>> from stats.render.xlsx import write_xlsx
    >>> path = write_xlsx(summarise(stats.load_report()), os.path.join(tempfile.mkdtemp(), "r.xlsx"))
    >>> int(pd.read_excel(path, sheet_name="prompts")["label"].eq("significant improvement").sum())
    15
    """
    path = Path(path)
    wb = to_xlsx(summary)
    with atomic_writer(path, binary=True) as fh:
        wb.save(fh)
    return path


def table_xlsx(table, *, sanitize: bool = True) -> bytes:
    """A :class:`stats.render.Table` as a one-sheet workbook (raw typed values)."""
    return _bytes(_workbook({"table": table.frame}, table.title or "inspection-stats table"))


def _report(summary, *, sanitize: bool = True) -> bytes:
    return _bytes(to_xlsx(summary))


WRITER = Writer("xlsx", "Excel workbook (needs -o FILE and the report extra)", table=table_xlsx, report=_report,
                binary=True)
