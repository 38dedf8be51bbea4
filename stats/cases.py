"""Case-level records: one row per inspected case, one column per prompt.

Analysts start from case records; this module turns them into the prompt table
(counts, denominators, percentages, margins), split by any case attribute, and
turns two inspections' case files into the labelled change table.

Answers are "Yes" / "No" / "Not applicable" (or 1 / 0 / blank). Not-applicable
cases are excluded from a prompt's denominator: that is how sub-samples arise
(the harm prompts apply only to cases with harm factors, for example).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from . import limits as _limits
from .samplesize import normal_margin as _margin
from .tables import label_changes

if TYPE_CHECKING:
    from .io import StrPath

__all__ = [
    "read_cases",
    "parse_answers",
    "tabulate",
    "compare_inspections",
    "ATTRIBUTES",
    "ANSWERS",
    "MAX_UNCOMPRESSED",
]

#: Largest uncompressed size of an Excel workbook :func:`read_cases` opens (200 MB; a workbook of a
#: few thousand cases is well under 10 MB). Override with ``max_uncompressed=`` (CLI ``--max-excel-mb``).
MAX_UNCOMPRESSED = _limits.MAX_WORKBOOK_BYTES

# Prompt ids as the framework numbers them: 2.1.1.a (standard.key question.prompt letter).
_PROMPT_ID = re.compile(r"^\d+(?:\.\d+)+\.?[a-z]{0,2}$")

#: Case attributes recognised by default (every other column except the id is a prompt).
ATTRIBUTES = ("gender", "sentence_type", "risk_of_harm", "officer_grade", "harm_factors")

#: Accepted answers (case and spacing ignored) and their values: 1 yes, 0 no, missing: not applicable.
ANSWERS = {
    "yes": 1.0,
    "y": 1.0,
    "1": 1.0,
    "1.0": 1.0,
    "true": 1.0,
    "no": 0.0,
    "n": 0.0,
    "0": 0.0,
    "0.0": 0.0,
    "false": 0.0,
    "not applicable": np.nan,
    "n/a": np.nan,
    "na": np.nan,
    "": np.nan,
}


def read_cases(
    path: StrPath,
    *,
    sheet_name: str | int | None = None,
    encoding: str | None = None,
    max_uncompressed: int | None = None,
) -> pd.DataFrame:
    """Read a case file: CSV, or Excel (``.xlsx``; needs ``pip install "inspection-stats[excel]"``).

    Every cell is read as text, so answers and identifiers are kept as written.
    Rows are numbered from 1 (the first case) in the index, as error messages do.

    A CSV goes through :func:`stats.io.read_table` (encoding, delimiter and
    shape checks; at most :data:`stats.limits.MAX_CASE_ROWS` rows). A workbook is opened through
    :func:`stats.io.open_input`
    (regular files only) and checked before its cells are read: its
    uncompressed size (at most ``max_uncompressed`` bytes, default
    :data:`MAX_UNCOMPRESSED`, 200 MB: a zip bomb is refused), the sheet's
    dimension and rows (at most :data:`stats.limits.MAX_WORKBOOK_ROWS` rows and
    :data:`stats.limits.MAX_WORKBOOK_COLUMNS` columns). Merged cells and
    formulas without a cached value are errors naming the cell (a merged block
    would count as one case; an uncached formula would read as blank, "not
    applicable").

    Parameters
    ----------
    sheet_name : str or int, optional
        The sheet to read (name, or index from 0). Default: the first sheet,
        which must be visible: a workbook whose first sheet is hidden is refused
        with the list of its sheets (a hidden sheet is never read unless named).

    See Also
    --------
    tabulate : The prompt table of the cases read.
    stats.io.read_table : The CSV reader used (encoding, delimiter and shape rules).

    Examples
    --------
    >>> import pathlib, shutil, tempfile
    >>> from stats.cases import read_cases
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "cases.csv").write_text("case_id,gender,2.1.1.a\\nC1,male,Yes\\nC2,female,Not applicable\\n")
    >>> read_cases(folder / "cases.csv")
      case_id  gender         2.1.1.a
    1      C1    male             Yes
    2      C2  female  Not applicable
    >>> shutil.rmtree(folder)
    """
    path = Path(path)
    if path.suffix.lower() not in (".xlsx", ".xlsm", ".xls"):
        if sheet_name is not None:
            raise ValueError(
                f"sheet_name ({sheet_name!r}) applies to Excel workbooks; {str(path)!r} is read as a "
                "delimited text table (it has no sheets)."
            )
        from . import limits
        from .io import read_table

        return read_table(path, encoding=encoding, max_rows=limits.MAX_CASE_ROWS)
    from .io import open_input

    if path.suffix.lower() == ".xls":
        open_input(path).close()  # no such file / not a regular file first
        raise ValueError(f"{str(path)!r}: the old Excel .xls format is not supported; save it as .xlsx or CSV.")
    try:
        import openpyxl
    except ImportError:
        raise ImportError('reading Excel needs openpyxl: pip install "inspection-stats[excel]"') from None
    limit = MAX_UNCOMPRESSED if max_uncompressed is None else max_uncompressed
    with open_input(path) as fh:  # regular file only (a FIFO or a device is refused before reading)
        _check_workbook_size(path, fh, limit)
        sheet_name = _choose_sheet(path, fh, sheet_name)
        fh.seek(0)
        try:
            formulas = openpyxl.load_workbook(fh, data_only=False)
            fh.seek(0)
            values = openpyxl.load_workbook(fh, data_only=True)
        except Exception as err:  # openpyxl raises many types for damaged files
            raise OSError(f"cannot read {str(path)!r} as an Excel workbook: {err}") from None
    try:
        return _sheet_frame(path, formulas[sheet_name], values[sheet_name])
    finally:
        formulas.close()
        values.close()


def _choose_sheet(path: Path, fh: IO[bytes], sheet_name: str | int | None) -> str:
    """The sheet to read, after checking visibility and size from the sheet's own records (read-only,
    streamed: nothing is held in memory), so a huge sheet is refused before it is loaded."""
    import openpyxl

    from . import limits

    try:
        book = openpyxl.load_workbook(fh, read_only=True, data_only=False)
    except Exception as err:  # openpyxl raises many types for damaged files
        raise OSError(f"cannot read {str(path)!r} as an Excel workbook: {err}") from None
    try:
        names = book.sheetnames
        states = {n: getattr(book[n], "sheet_state", "visible") for n in names}
        listed = ", ".join(f"{n!r}" + ("" if states[n] == "visible" else f" ({states[n]})") for n in names)
        if sheet_name is None:
            sheet_name = names[0]
            if states[sheet_name] != "visible":
                raise ValueError(
                    f"{str(path)!r}: the first sheet {sheet_name!r} is {states[sheet_name]}; a hidden sheet is never "
                    f"read unless named: give the sheet to read (--sheet NAME; sheets: {listed})."
                )
        elif isinstance(sheet_name, int) and not isinstance(sheet_name, bool):
            if not 0 <= sheet_name < len(names):
                raise ValueError(f"sheet_name ({sheet_name!r}) must index one of the sheets {names}.")
            sheet_name = names[sheet_name]
        if sheet_name not in names:
            raise ValueError(f"sheet_name ({sheet_name!r}) must be one of the sheets of {str(path)!r}: {listed}.")
        sheet = book[sheet_name]
        where = f"{str(path)!r}, sheet {sheet_name!r}"
        rows, cols = sheet.max_row or 0, sheet.max_column or 0  # from the sheet's <dimension>, not its cells
        for count, limit, name, what in (
            (rows, limits.MAX_WORKBOOK_ROWS, "MAX_WORKBOOK_ROWS", "rows"),
            (cols, limits.MAX_WORKBOOK_COLUMNS, "MAX_WORKBOOK_COLUMNS", "columns"),
        ):
            if count > limit:
                raise ValueError(
                    f"{where} has {count:,} {what} (its stated dimension), more than the limit of "
                    f"{limit:,} (stats.limits.{name})."
                )
        # The dimension can be missing or wrong: count the rows as they stream, stopping at the limit.
        for i, _ in enumerate(sheet.iter_rows(values_only=True), start=1):
            if i > limits.MAX_WORKBOOK_ROWS:
                raise ValueError(
                    f"{where} has more than {limits.MAX_WORKBOOK_ROWS:,} rows, the limit "
                    "(stats.limits.MAX_WORKBOOK_ROWS)."
                )
        return str(sheet_name)  # one of the sheet names, checked above
    finally:
        book.close()


def _check_workbook_size(path: Path, fh: IO[bytes], limit: int) -> None:
    import zipfile

    try:
        with zipfile.ZipFile(fh) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError) as err:
        raise OSError(
            f"cannot read {str(path)!r} as an Excel workbook (not a valid .xlsx zip archive: {err})"
        ) from None
    if total > limit:
        raise ValueError(
            f"{str(path)!r}: the workbook expands to {total / 2**20:,.0f} MB uncompressed, above the limit of "
            f"{limit / 2**20:,.0f} MB (a zip bomb?; stats.limits.MAX_WORKBOOK_BYTES); raise it with "
            "max_uncompressed= (CLI --max-excel-mb) if the "
            "workbook is genuine."
        )


def _sheet_frame(path: Path, with_formulas: Any, with_values: Any) -> pd.DataFrame:
    where = f"{str(path)!r}, sheet {with_formulas.title!r}"
    merged = sorted(str(r) for r in with_formulas.merged_cells.ranges)
    if merged:
        raise ValueError(
            f"{where}: cells {merged[0]} are merged"
            f"{f' (and {len(merged) - 1} more ranges)' if len(merged) > 1 else ''}; "
            "a merged block holds one value for several rows: unmerge it and fill every cell."
        )
    rows = []
    for frow, vrow in zip(with_formulas.iter_rows(), with_values.iter_rows(), strict=False):
        out = []
        for fcell, vcell in zip(frow, vrow, strict=False):
            value = vcell.value
            if fcell.data_type == "f" and value is None:
                formula = getattr(fcell.value, "text", fcell.value)
                raise ValueError(
                    f"{where}, cell {fcell.coordinate}: formula {str(formula)!r} has no cached value (the workbook "
                    "was written by a program that does not calculate); open and save it in Excel or LibreOffice, "
                    "or replace formulas by values."
                )
            out.append(
                ""
                if value is None
                else str(value).strip()
                if isinstance(value, str)
                else str(int(value))
                if isinstance(value, float) and value.is_integer()
                else str(value)
            )
        rows.append(out)
    rows = [r for r in rows if any(r)]
    if not rows:
        raise ValueError(f"{where} is empty (expected a header row and one row per case).")
    width = max(len(r) for r in rows)
    used = [j for j in range(width) if any(j < len(r) and r[j] for r in rows)]
    rows = [[r[j] if j < len(r) else "" for j in used] for r in rows]
    from .io import check_header

    header = check_header(where, rows[0], ",")
    if len(rows) == 1:
        raise ValueError(f"{where} has a header ({', '.join(header)}) but no case rows.")
    frame = pd.DataFrame(rows[1:], columns=header, dtype=object).replace("", None).astype("str")
    frame.index = pd.RangeIndex(1, len(frame) + 1)
    return frame


def _prompt_columns(
    cases: pd.DataFrame, prompts: Sequence[str] | None, id_column: str | None, attributes: Iterable[str]
) -> list:
    if prompts is not None:
        missing = [p for p in prompts if p not in cases.columns]
        if missing:
            raise ValueError(f"cases has no column for prompts {missing}; columns are {list(cases.columns)}.")
        return list(prompts)
    candidates = [c for c in cases.columns if c != id_column and c not in attributes]
    named = [c for c in candidates if _PROMPT_ID.match(str(c))]
    others = [c for c in candidates if c not in named]
    if named and others:
        raise ValueError(
            f"columns {others} are neither prompts (prompt columns are named by prompt id, such as {named[0]!r}) "
            f"nor case attributes {list(attributes)}; declare case attributes with attributes= "
            f"(CLI: --attributes {','.join(map(str, [*attributes, *others]))})."
        )
    return candidates


def parse_answers(
    cases: pd.DataFrame,
    prompts: Sequence[str] | None = None,
    *,
    id_column: str | None = "case_id",
    attributes: Iterable[str] = ATTRIBUTES,
) -> pd.DataFrame:
    """Answers as floats: 1 yes, 0 no, nan not applicable.

    Raises
    ------
    ValueError
        Listing every unknown answer with its row and column (up to 20), or
        naming duplicate case ids.

    See Also
    --------
    tabulate : Counts the parsed answers per prompt.
    read_cases : Reads the case records parsed here.

    Examples
    --------
    >>> import pandas as pd
    >>> cases = pd.DataFrame(
    ...     {
    ...         "case_id": ["C1", "C2", "C3", "C4"],
    ...         "gender": ["male", "female", "male", "male"],
    ...         "2.1.1.a": ["Yes", "No", "Yes", "Not applicable"],
    ...         "2.1.1.b": ["No", "No", "Yes", "Yes"],
    ...     }
    ... )
    >>> from stats.cases import parse_answers
    >>> parse_answers(cases)
       2.1.1.a  2.1.1.b
    0      1.0      0.0
    1      0.0      0.0
    2      1.0      1.0
    3      NaN      1.0
    """
    if not isinstance(cases, pd.DataFrame):
        raise TypeError(f"cases must be a pandas DataFrame (got {type(cases).__name__}).")
    if id_column is not None and id_column in cases.columns:
        ids = cases[id_column].astype("string").str.strip()
        blank = ids.isna() | (ids == "")
        if blank.any():
            rows = ", ".join(str(r) for r in cases.index[blank.to_numpy()][:10])
            raise ValueError(
                f"column {id_column!r} is blank in {int(blank.sum())} row(s) (rows {rows}"
                f"{' ...' if blank.sum() > 10 else ''}); every case needs its identifier."
            )
        dup = ids[ids.duplicated(keep=False) & ids.notna()]
        if not dup.empty:
            listed = ", ".join(
                f"{v!r} (rows {', '.join(str(i) for i in dup.index[dup == v])})" for v in dict.fromkeys(dup)
            )
            raise ValueError(f"column {id_column!r} must identify each case once; duplicated: {listed}.")
    columns = _prompt_columns(cases, prompts, id_column, attributes)
    if not columns:
        raise ValueError("cases has no prompt columns (every column is the id or a case attribute).")
    text = cases[columns].astype("string").apply(lambda s: s.str.strip().str.lower().str.split().str.join(" "))
    text = text.fillna("")
    known = text.isin(ANSWERS.keys())
    if not known.to_numpy().all():
        bad = [(row, col, cases.loc[row, col]) for col in columns for row in known.index[~known[col]]]
        listed = "; ".join(f"row {r}, column {c!r}: {v!r}" for r, c, v in bad[:20])
        more = f" (and {len(bad) - 20} more)" if len(bad) > 20 else ""
        hint = ""
        described = [c for c in columns if not known[c].any()]
        if described:
            hint = (
                f" Columns {described} hold no answer at all: if they describe cases, declare them as attributes "
                f"(attributes=, CLI --attributes)."
            )
        raise ValueError(f"unknown answers (expected Yes, No, Not applicable, 1, 0 or blank): {listed}{more}.{hint}")
    return text.apply(lambda s: s.map(ANSWERS)).astype(float)


def _table(answers: pd.DataFrame, confidence_level: float) -> pd.DataFrame:
    count = answers.sum(axis=0, min_count=0)
    n = answers.notna().sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        prop = np.where(n > 0, count / n.where(n > 0, 1), np.nan)
    margin = np.full(len(n), np.nan)
    ok = (n > 0).to_numpy()
    if ok.any():
        margin[ok] = _margin(n.to_numpy(dtype=float)[ok], np.inf, confidence_level, 0.5)
    return pd.DataFrame(
        {
            "prompt": answers.columns,
            "count": count.to_numpy().astype(int),
            "n": n.to_numpy().astype(int),
            "proportion": prop,
            "margin": margin,
            "testable": ok,
        }
    )


def tabulate(
    cases: pd.DataFrame,
    prompts: Sequence[str] | None = None,
    by: str | None = None,
    *,
    id_column: str | None = "case_id",
    attributes: Iterable[str] = ATTRIBUTES,
    confidence_level: float = 0.80,
) -> pd.DataFrame:
    """The prompt table of an inspection's case records.

    Parameters
    ----------
    cases : pandas.DataFrame
        One row per case (:func:`read_cases`).
    prompts : list of str, optional
        Prompt columns; default every column except ``id_column`` and
        ``attributes``.
    by : str, optional
        A case attribute (any column): one table per value, stacked, with
        each sub-sample's margin and its ``widening`` over the whole sample.
    id_column : str, default "case_id"
        Case identifier; duplicates are an error.
    attributes : tuple of str
        Columns that describe cases rather than answer prompts.
    confidence_level : float, default 0.80

    Returns
    -------
    pandas.DataFrame
        ``prompt``, ``count`` (yes answers), ``n`` (applicable cases:
        not-applicable answers are excluded), ``proportion``, ``margin``
        (proportion, p = 0.5, :func:`stats.margin_of_error`), ``testable``
        (False where no case applies: such a prompt is "not testable", not an
        error). With ``by``: a first column named after it, and ``widening``
        (sub-sample margin / whole-sample margin, see
        :func:`stats.subsample_margin`).

    See Also
    --------
    compare_inspections : Two inspections' tables, labelled.
    parse_answers : The answers counted here.
    stats.samplesize.margin_of_error : The margin reported for each prompt.

    Examples
    --------
    >>> import pandas as pd
    >>> cases = pd.DataFrame(
    ...     {
    ...         "case_id": ["C1", "C2", "C3", "C4"],
    ...         "gender": ["male", "female", "male", "male"],
    ...         "2.1.1.a": ["Yes", "No", "Yes", "Not applicable"],
    ...         "2.1.1.b": ["No", "No", "Yes", "Yes"],
    ...     }
    ... )
    >>> from stats.cases import tabulate
    >>> tabulate(cases)
        prompt  count  n  proportion    margin  testable
    0  2.1.1.a      2  3    0.666667  0.369952      True
    1  2.1.1.b      2  4    0.500000  0.320388      True
    """
    answers = parse_answers(cases, prompts, id_column=id_column, attributes=attributes)
    whole = _table(answers, confidence_level)
    if by is None:
        return whole
    if by not in cases.columns:
        raise ValueError(f"by ({by!r}) must be a column of cases; columns are {list(cases.columns)}.")
    groups = cases[by].astype("string").fillna("(blank)")
    parts = []
    for value in pd.unique(groups):
        part = _table(answers[groups == value], confidence_level)
        part.insert(0, by, value)
        with np.errstate(invalid="ignore", divide="ignore"):
            part["widening"] = part["margin"].to_numpy() / whole["margin"].to_numpy()
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def compare_inspections(
    previous_cases: pd.DataFrame,
    current_cases: pd.DataFrame,
    prompts: Sequence[str] | None = None,
    *,
    id_column: str | None = "case_id",
    attributes: Iterable[str] = ATTRIBUTES,
    **label_options: Any,
) -> pd.DataFrame:
    """Labelled change table straight from two inspections' case records.

    Prompts are the union of both files' prompt columns (or ``prompts``); a
    prompt missing from one file, or with no applicable case, has no
    comparable data. Only counts are passed to :func:`stats.label_changes`
    (``previous_count``, ``n_previous``, ``current_count``, ``n_current``), so no
    rounding enters the test. ``label_options`` go to :func:`stats.label_changes`
    (for example ``test=``).

    See Also
    --------
    tabulate : One inspection's table.
    stats.label_changes : The labelling applied to the two tables.

    Examples
    --------
    >>> import pandas as pd
    >>> cases = pd.DataFrame(
    ...     {
    ...         "case_id": ["C1", "C2", "C3", "C4"],
    ...         "gender": ["male", "female", "male", "male"],
    ...         "2.1.1.a": ["Yes", "No", "Yes", "Not applicable"],
    ...         "2.1.1.b": ["No", "No", "Yes", "Yes"],
    ...     }
    ... )
    >>> from stats.cases import compare_inspections
    >>> previous = cases.assign(**{"2.1.1.a": ["No", "No", "No", "Yes"]})
    >>> compare_inspections(previous, cases)[["prompt_id", "previous_count", "current_count", "n_current", "label"]]
      prompt_id  previous_count  current_count  n_current                  label
    0   2.1.1.a               1              2          3  no significant change
    1   2.1.1.b               2              2          4  no significant change
    """
    prev = tabulate(previous_cases, None, id_column=id_column, attributes=attributes).set_index("prompt")
    cur = tabulate(current_cases, None, id_column=id_column, attributes=attributes).set_index("prompt")
    if prompts is None and not set(prev.index) & set(cur.index):
        raise ValueError(
            f"the previous and current case files share no prompt column (previous: {list(prev.index)[:5]}..., "
            f"current: {list(cur.index)[:5]}...); are they from the same framework, with the same column names?"
        )
    order = list(prompts) if prompts is not None else list(dict.fromkeys([*cur.index, *prev.index]))
    table = pd.DataFrame({"prompt_id": order})

    def column(frame, key):
        return [frame.loc[p, key] if p in frame.index and frame.loc[p, "testable"] else np.nan for p in order]

    table["previous_count"] = column(prev, "count")
    table["n_previous"] = column(prev, "n")
    table["current_count"] = column(cur, "count")
    table["n_current"] = column(cur, "n")
    return label_changes(table, **label_options)
