"""Case-level records: one row per inspected case, one column per prompt.

Analysts start from case records; this module turns them into the prompt table
(counts, denominators, percentages, margins), split by any case attribute, and
turns two inspections' case files into the labelled change table.

Answers are "Yes" / "No" / "Not applicable" (or 1 / 0 / blank). Not-applicable
cases are excluded from a prompt's denominator: that is how sub-samples arise
(the harm prompts apply only to cases with harm factors, for example).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .samplesize import _margin
from .tables import label_changes

__all__ = ["read_cases", "parse_answers", "tabulate", "compare_inspections", "ATTRIBUTES", "ANSWERS"]

#: Case attributes recognised by default (every other column except the id is a prompt).
ATTRIBUTES = ("gender", "sentence_type", "risk_of_harm", "officer_grade", "harm_factors")

#: Accepted answers (case and spacing ignored) and their values: 1 yes, 0 no, missing: not applicable.
ANSWERS = {
    "yes": 1.0, "y": 1.0, "1": 1.0, "1.0": 1.0, "true": 1.0,
    "no": 0.0, "n": 0.0, "0": 0.0, "0.0": 0.0, "false": 0.0,
    "not applicable": np.nan, "n/a": np.nan, "na": np.nan, "": np.nan,
}


def read_cases(path, *, sheet_name=0) -> pd.DataFrame:
    """Read a case file: CSV, or Excel (``.xlsx``; needs ``pip install "inspection-stats[excel]"``).

    Every cell is read as text, so answers and identifiers are kept as written.
    Rows are numbered from 1 (the first case) in the index, as error messages do.
    """
    path = Path(path)
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
            try:
                import openpyxl  # noqa: F401  (pandas' engine for .xlsx)
            except ImportError:
                raise ImportError("reading Excel needs openpyxl: pip install \"inspection-stats[excel]\"") from None
            frame = pd.read_excel(path, sheet_name=sheet_name, dtype=str, keep_default_na=False)
        else:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise OSError(f"cannot read {str(path)!r}: no such file") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, IsADirectoryError,
            PermissionError, ValueError) as err:
        raise OSError(f"cannot read {str(path)!r} as a case file: {err}") from None
    frame.index = pd.RangeIndex(1, len(frame) + 1)
    return frame


def _prompt_columns(cases: pd.DataFrame, prompts, id_column, attributes) -> list:
    if prompts is not None:
        missing = [p for p in prompts if p not in cases.columns]
        if missing:
            raise ValueError(f"cases has no column for prompts {missing}; columns are {list(cases.columns)}.")
        return list(prompts)
    return [c for c in cases.columns if c != id_column and c not in attributes]


def parse_answers(cases: pd.DataFrame, prompts=None, *, id_column="case_id", attributes=ATTRIBUTES) -> pd.DataFrame:
    """Answers as floats: 1 yes, 0 no, nan not applicable.

    Raises
    ------
    ValueError
        Listing every unknown answer with its row and column (up to 20), or
        naming duplicate case ids.
    """
    if not isinstance(cases, pd.DataFrame):
        raise TypeError(f"cases must be a pandas DataFrame (got {type(cases).__name__}).")
    if id_column is not None and id_column in cases.columns:
        ids = cases[id_column].astype("string").str.strip()
        dup = ids[ids.duplicated(keep=False) & ids.notna()]
        if not dup.empty:
            listed = ", ".join(f"{v!r} (rows {', '.join(str(i) for i in dup.index[dup == v])})" for v in dict.fromkeys(dup))
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
        raise ValueError(
            f"unknown answers (expected Yes, No, Not applicable, 1, 0 or blank): {listed}{more}.")
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
    return pd.DataFrame({
        "prompt": answers.columns,
        "count": count.to_numpy().astype(int),
        "n": n.to_numpy().astype(int),
        "proportion": prop,
        "margin": margin,
        "testable": ok,
    })


def tabulate(cases: pd.DataFrame, prompts=None, by=None, *, id_column="case_id", attributes=ATTRIBUTES,
             confidence_level=0.80) -> pd.DataFrame:
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


def compare_inspections(previous_cases: pd.DataFrame, current_cases: pd.DataFrame, prompts=None, *,
                        id_column="case_id", attributes=ATTRIBUTES, **label_options) -> pd.DataFrame:
    """Labelled change table straight from two inspections' case records.

    Prompts are the union of both files' prompt columns (or ``prompts``); a
    prompt missing from one file, or with no applicable case, has no
    comparable data. Only counts are passed to :func:`stats.label_changes`
    (``previous_count``, ``n_previous``, ``current_count``, ``n_current``), so no
    rounding enters the test. ``label_options`` go to :func:`stats.label_changes`
    (for example ``test=``).
    """
    prev = tabulate(previous_cases, None, id_column=id_column, attributes=attributes).set_index("prompt")
    cur = tabulate(current_cases, None, id_column=id_column, attributes=attributes).set_index("prompt")
    order = list(prompts) if prompts is not None else list(dict.fromkeys([*cur.index, *prev.index]))
    table = pd.DataFrame({"prompt_id": order})

    def column(frame, key):
        return [frame.loc[p, key] if p in frame.index and frame.loc[p, "testable"] else np.nan for p in order]

    table["previous_count"] = column(prev, "count")
    table["n_previous"] = column(prev, "n")
    table["current_count"] = column(cur, "count")
    table["n_current"] = column(cur, "n")
    return label_changes(table, **label_options)
