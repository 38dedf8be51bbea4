"""Excel workbook (openpyxl): the main points first, then the report model's tables as typed cells.

Sheets, in reading order: ``summary`` (the main points in words, as every report format words
them: :mod:`stats.render.points`), ``main_points`` (the same as data, changes in points), the
tables of :func:`stats.render.csv.report_tables` (raw values: proportions, not points), then
``framework``, ``method`` and ``columns`` (display name, unit and meaning of every column).

Every table sheet has two header rows: row 1 the display name with its unit (``change (pts)``),
row 2 the column's code name (``difference``), which reporting code reads with
``pandas.read_excel(path, sheet_name=..., header=1)`` or :func:`read_workbook`. Panes are frozen
below the headers and right of the id column (labelled tables start with their id and text);
changes and margins carry a proportion format (``+0.170``: 0.17 is 17 points), never a
percent; each label column is coloured by its own values (change labels, robustness verdicts,
firmness); every sheet prints landscape on A4, one page wide, with its header rows (and id
column) repeated. Text cells and header cells that a spreadsheet would run as a formula are
neutralised (:func:`stats.io.neutralise_formula`). A text longer than Excel's limit of 32,767
characters per cell is *flagged*: the cell keeps the first characters and ends with a visible
note saying how long the full text is, and a ``notes`` sheet lists every such cell (the CSV and
JSON outputs carry the full text).
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .. import __version__
from ..io import atomic_writer, neutralise_formula
from . import Writer
from .columns import LABEL_CODES, column_info, excel_format

if TYPE_CHECKING:
    from ..findings import MainPoints
    from ..summary import ReportSummary
    from . import Table
    from .columns import Column

__all__ = [
    "EXCEL_CELL_LIMIT",
    "HEADER_ROWS",
    "LABEL_FILLS",
    "to_xlsx",
    "write_xlsx",
    "read_workbook",
    "main_points_frame",
    "table_xlsx",
    "WRITER",
]

#: Most characters Excel holds in one cell.
EXCEL_CELL_LIMIT = 32_767

#: Header rows of a table sheet: display name with unit, then the code name (data start on the next row).
HEADER_ROWS = 2

#: Fill of each label, keyed on the label's code (:data:`stats.render.columns.LABEL_CODES`).
_CODE_FILLS = {"improvement": "DCEBF7", "decline": "FBE3D6", "nochange": "EFEFEF", "nodata": "FFFFFF"}


def _label_fills() -> dict[str, dict[str, tuple[str, bool]]]:
    """Label column -> {value: (fill, bold)}: every column coloured by the values it can hold."""
    from ..consistency import ROBUST_ALL, ROBUST_DEPENDS, ROBUST_INFEASIBLE, ROBUST_NONE
    from ..findings import FRAGILE, ROBUST

    change = {label: (_CODE_FILLS[code], code in ("improvement", "decline")) for label, code in LABEL_CODES.items()}
    robust = {
        ROBUST_ALL: ("DCEBF7", True),
        ROBUST_DEPENDS: ("FFF2CC", False),
        ROBUST_NONE: ("EFEFEF", False),
        ROBUST_INFEASIBLE: ("FBE3D6", False),
    }
    firmness = {ROBUST: ("DCEBF7", True), FRAGILE: ("FFF2CC", False)}
    return {"label": change, "robust_label": robust, "firmness": firmness}


#: Label column -> {value: (fill colour, bold)} of its conditional formats.
LABEL_FILLS = _label_fills()
#: Columns that identify a row: a sheet starting with one freezes its panes right of it.
_ID_COLUMNS = ("prompt_id", "key_question", "standard", "sample", "section", "item", "column", "label", "deff")
#: Text shown beside its id (kept next to it when a labelled table is reordered id first).
_TEXT_OF = {"prompt_id": "prompt", "key_question": "key_question_text"}
#: Units added to a display header where its name does not state them.
_UNITS = {"points": "proportion; 0.17 = 17 points", "margin": "proportion; 0.064 = 6.4 points"}


def _flag_long(text: str, where: str, notes: list) -> str:
    if len(text) <= EXCEL_CELL_LIMIT:
        return text
    marker = f" … [cut by Excel's limit: the full text has {len(text):,} characters; see the CSV or JSON output]"
    notes.append({"cell": where, "characters": len(text), "kept": EXCEL_CELL_LIMIT - len(marker)})
    return text[: EXCEL_CELL_LIMIT - len(marker)] + marker


def _cell_value(value: object, where: str, notes: list) -> object:
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


def _id_first(frame: pd.DataFrame) -> pd.DataFrame:
    """A labelled table with its id and text first (the rest in order), so that panes freeze right of the id."""
    for ident in ("prompt_id", "key_question"):
        if ident in frame.columns:
            first = [ident, *([_TEXT_OF[ident]] if _TEXT_OF[ident] in frame.columns else [])]
            out = frame[first + [c for c in frame.columns if c not in first]]
            out.attrs = dict(frame.attrs)
            return out
    return frame


def _header_text(info: Column) -> str:
    """Row 1 of a table sheet: the display name, with the unit where the name does not give it."""
    unit = _UNITS.get(info.kind)
    return f"{info.display} ({unit})" if unit else info.display


def _print_setup(ws: Any, *, repeat_rows: str | None = f"1:{HEADER_ROWS}", repeat_columns: str | None = None) -> None:
    """Landscape A4, one page wide (as many pages high as needed), header rows repeated on every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if repeat_rows:
        ws.print_title_rows = repeat_rows
    if repeat_columns:
        ws.print_title_cols = repeat_columns


def _fill_sheet(ws: Any, frame: pd.DataFrame, notes: list) -> None:
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    infos = {name: column_info(name, frame[name]) for name in frame.columns}
    display = [
        _flag_long(neutralise_formula(_header_text(infos[c])), f"{ws.title}!display header {j}", notes)
        for j, c in enumerate(frame.columns, start=1)
    ]
    columns = [
        _flag_long(neutralise_formula(str(c)), f"{ws.title}!header {j}", notes)
        for j, c in enumerate(frame.columns, start=1)
    ]
    ws.append(display)
    ws.append(columns)
    first = HEADER_ROWS + 1
    for i, row in enumerate(frame.itertuples(index=False), start=first):
        ws.append([_cell_value(v, f"{ws.title}!{get_column_letter(j)}{i}", notes) for j, v in enumerate(row, start=1)])
    bold, code = Font(bold=True), Font(italic=True, color="666666", size=9)
    for cell in ws[1]:
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for cell in ws[2]:
        cell.font = code
    last = len(frame) + HEADER_ROWS
    for j, name in enumerate(frame.columns, start=1):
        letter = get_column_letter(j)
        info = infos[name]
        number_format = excel_format(info)
        if number_format and pd.api.types.is_numeric_dtype(frame[name].dtype):
            for (cell,) in ws.iter_rows(min_row=first, max_row=last, min_col=j, max_col=j):
                cell.number_format = number_format
        texts = [min(len(str(x)), 60) for x in frame[name].head(200) if not pd.isna(x)] if len(frame) else []
        head = min(24, len(display[j - 1]) + 2)
        ws.column_dimensions[letter].width = min(60, max(8, head, len(str(name)) + 2, *(t + 2 for t in texts)))
        for value, (colour, strong) in LABEL_FILLS.get(str(name), {}).items():
            ws.conditional_formatting.add(
                f"{letter}{first}:{letter}{max(last, first)}",
                FormulaRule(
                    formula=[f'{letter}{first}="{value}"'],
                    fill=PatternFill("solid", start_color=colour, end_color=colour),
                    font=Font(bold=strong),
                ),
            )
    ident = len(frame.columns) > 1 and str(frame.columns[0]) in _ID_COLUMNS
    ws.freeze_panes = f"{'B' if ident else 'A'}{first}"
    if len(columns):
        ws.auto_filter.ref = f"A{HEADER_ROWS}:{get_column_letter(len(columns))}{max(last, HEADER_ROWS)}"
    _print_setup(ws, repeat_columns="A:A" if ident else None)


def _summary_sheet(ws: Any, summary: ReportSummary, notes: list) -> None:
    """The main points in words, one per row (the words of every report format)."""
    from openpyxl.styles import Alignment, Font

    from .points import lede, sections

    points = summary.main_points
    wrap = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width = 150
    rows = [(summary.title, Font(bold=True, size=14)), (f"Test: {summary.test.describe()}.", Font(italic=True))]
    if summary.constructed:
        rows.append(("Constructed example data: not a real inspection.", Font(bold=True)))
    rows += [("", None), ("Main points", Font(bold=True, size=13)), (lede(points), Font(bold=True))]
    for sec in sections(points):
        rows += [("", None), (sec.heading, Font(bold=True, size=12)), (sec.lead, Font(italic=True))]
        rows += [(f"{p.symbol} {p.text}".strip(), Font(bold=p.firmness == "robust")) for p in sec.points]
    guide = (
        "Sheets that follow: main_points (these points as data, changes in points), the labelled tables with "
        "their checks (row 1: display names with units; row 2: code names, for reporting code), ratings, then "
        "the design and the method."
    )
    rows += [("", None), (guide, Font(italic=True, color="666666"))]
    for text, font in rows:
        ws.append([_flag_long(neutralise_formula(text), f"{ws.title}!A{ws.max_row + 1}", notes) if text else None])
        cell = ws.cell(row=ws.max_row, column=1)
        cell.alignment = wrap
        if font is not None:
            cell.font = font
    _print_setup(ws, repeat_rows=None)


def main_points_frame(points: MainPoints) -> pd.DataFrame:
    """:meth:`stats.findings.MainPoints.to_frame` in display units: changes in points, levels in percent.

    See Also
    --------
    stats.findings.MainPoints : the same rows in proportions (``to_frame``).
    write_xlsx : the workbook whose first sheet holds them.

    Examples
    --------
    >>> import stats
    >>> from stats.summary import summarise
    >>> summary = summarise(stats.load_report())
    >>> from stats.render.xlsx import main_points_frame
    >>> frame = main_points_frame(summary.main_points)
    >>> row = frame.iloc[0]
    >>> row["id"], float(row["change_points"]), float(row["previous_percent"]), float(row["current_percent"])
    ('4.2.3', 47.0, 39.0, 86.0)
    """
    out = points.to_frame().copy()
    for name in ("change", "ci_low", "ci_high"):
        if name in out:
            out[f"{name}_points"] = 100 * out.pop(name).astype(float)
    for name in ("previous", "current"):
        if name in out:
            out[f"{name}_percent"] = 100 * out.pop(name).astype(float)
    if "lowest_percent" in out:
        out["lowest_percent"] = 100 * out["lowest_percent"].astype(float)
    first = [
        c
        for c in (
            "section",
            "table",
            "id",
            "text",
            "label",
            "firmness",
            "change_points",
            "ci_low_points",
            "ci_high_points",
            "previous_percent",
            "current_percent",
        )
        if c in out
    ]
    return out[first + [c for c in out.columns if c not in first]]


def _workbook(sheets: dict[str, pd.DataFrame], title: str, summary: ReportSummary | None = None) -> Any:
    try:
        from openpyxl import Workbook
    except ImportError:  # pragma: no cover - exercised only without the extra
        raise ImportError('the workbook needs openpyxl: pip install "inspection-stats[report]"') from None
    wb = Workbook()
    wb.remove(wb.active)
    notes: list = []
    if summary is not None:
        _summary_sheet(wb.create_sheet("summary"), summary, notes)
        _fill_sheet(wb.create_sheet("main_points"), main_points_frame(summary.main_points), notes)
    for name, frame in sheets.items():
        _fill_sheet(wb.create_sheet(name), _id_first(frame), notes)
    described = sorted(
        {c for name, f in sheets.items() if name not in ("method", "framework") for c in map(str, f.columns)}
    )
    columns = pd.DataFrame(
        {
            "column": described,
            "display name": [column_info(c).display for c in described],
            "unit": [column_info(c).kind for c in described],
            "description": [column_info(c).description for c in described],
        }
    )
    _fill_sheet(wb.create_sheet("columns"), columns, notes)
    if notes:
        _fill_sheet(wb.create_sheet("notes"), pd.DataFrame(notes), [])
    wb.properties.title = title
    wb.properties.creator = f"inspection-stats {__version__}"
    return wb


#: Order of the report's table sheets: the labelled tables and ratings, then the design, then the method.
SHEET_ORDER = (
    "prompts",
    "key_questions",
    "ratings",
    "overall",
    "totals",
    "multiplicity",
    "design_effect_structure",
    "design_effect",
    "design",
    "framework",
    "method",
)


def _ordered(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    return {name: tables[name] for name in dict.fromkeys((*SHEET_ORDER, *tables)) if name in tables}


def to_xlsx(summary: ReportSummary) -> Any:
    """The report as an openpyxl Workbook (see :func:`write_xlsx`).

    See Also
    --------
    write_xlsx : writes the workbook to a file.
    read_workbook : reads its tables back.

    Examples
    --------
    >>> import stats
    >>> from stats.summary import summarise
    >>> summary = summarise(stats.load_report())
    >>> from stats.render.xlsx import to_xlsx
    >>> wb = to_xlsx(summary)
    >>> wb.sheetnames[:3]
    ['summary', 'main_points', 'prompts']
    """
    from ..summary import ReportSummary
    from .csv import report_tables

    if not isinstance(summary, ReportSummary):
        raise TypeError(f"summary must be a stats.summary.ReportSummary (got {type(summary).__name__}).")
    return _workbook(_ordered(report_tables(summary)), f"{summary.title}: inspection-stats report", summary)


def read_workbook(
    path: str | os.PathLike[str], sheet_name: str | int | list[str | int] | None = None
) -> pd.DataFrame | dict[Any, pd.DataFrame]:
    """Tables of a workbook written here, by their code names (row 2): ``pandas.read_excel(..., header=1)``.

    ``sheet_name`` as for :func:`pandas.read_excel`; default: every table sheet (all but ``summary``).

    See Also
    --------
    write_xlsx : writes the workbook it reads.
    pandas.read_excel : what it calls.

    Examples
    --------
    >>> import stats
    >>> from stats.summary import summarise
    >>> summary = summarise(stats.load_report())
    >>> import pathlib, tempfile
    >>> from stats.render.xlsx import read_workbook, write_xlsx
    >>> path = write_xlsx(summary, pathlib.Path(tempfile.mkdtemp()) / "report.xlsx")
    >>> tables = read_workbook(path)
    >>> tables["prompts"].shape[0], "summary" in tables
    (76, False)
    """
    if sheet_name is None:
        frames = pd.read_excel(path, sheet_name=None, header=HEADER_ROWS - 1)
        frames.pop("summary", None)
        return frames
    return pd.read_excel(path, sheet_name=sheet_name, header=HEADER_ROWS - 1)


def _bytes(wb: Any) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def write_xlsx(summary: ReportSummary, path: str | os.PathLike[str]) -> Path:
    """Write the workbook of ``summary`` to ``path`` (whole or not at all); returns the path.

    Sheets: ``summary`` (the main points in words), ``main_points`` (as data, in points),
    ``prompts``, ``key_questions`` (id and text first), ``ratings``, ``overall``, ``totals``,
    ``multiplicity``, ``design_effect_structure`` (the design effect from the sample's own
    structure, with its model and inputs), ``design_effect`` (fixed levels), ``design``,
    ``framework`` (ratings, points and band limits), ``method`` (the test and its assumptions),
    ``columns`` (display name, unit and meaning of every column) and ``notes`` when a text was
    longer than Excel's cell limit. Table cells hold the raw values of the DataFrames (proportions,
    not points) with number formats under two header rows (display name with unit; code name), so
    :func:`read_workbook` (or ``pandas.read_excel(..., header=1)``) returns the same tables.

    See Also
    --------
    to_xlsx : the workbook it writes.
    read_workbook : reads the tables back.

    Examples
    --------
    >>> import tempfile, os, stats
    >>> from stats.summary import summarise
    >>> from stats.render.xlsx import read_workbook, write_xlsx
    >>> path = write_xlsx(summarise(stats.load_report()), os.path.join(tempfile.mkdtemp(), "r.xlsx"))
    >>> int(read_workbook(path, "prompts")["label"].eq("significant improvement").sum())
    15
    """
    path = Path(path)
    wb = to_xlsx(summary)
    with atomic_writer(path, binary=True) as fh:
        wb.save(fh)
    return path


def table_xlsx(table: Table, *, sanitize: bool = True) -> bytes:
    """A :class:`stats.render.Table` as a one-sheet workbook (raw typed values, the same two header rows).

    See Also
    --------
    stats.render.csv.table_csv : the same table as CSV.
    write_xlsx : the workbook of a whole report.

    Examples
    --------
    >>> import io
    >>> import pandas as pd
    >>> from stats.render import Table
    >>> from stats.render.xlsx import table_xlsx
    >>> data = table_xlsx(Table(pd.DataFrame({"prompt_id": ["P1"], "pvalue": [0.0123]})))
    >>> pd.read_excel(io.BytesIO(data), header=1).to_dict("records")
    [{'prompt_id': 'P1', 'pvalue': 0.0123}]
    """
    return _bytes(_workbook({"table": _id_first(table.frame)}, table.title or "inspection-stats table"))


def _report(summary: ReportSummary, *, sanitize: bool = True) -> bytes:
    return _bytes(to_xlsx(summary))


WRITER = Writer(
    "xlsx", "Excel workbook (needs -o FILE and the report extra)", table=table_xlsx, report=_report, binary=True
)
