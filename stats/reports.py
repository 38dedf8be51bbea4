"""Bundled report data: the published tables of inspection reports, as DataFrames.

The CSV files live in ``data/<report>/`` at the top of the repository (see
``data/README.md`` for sources and assumptions); a wheel carries a copy in
``stats/_data/`` so that :func:`load_report` works after a normal install.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

__all__ = ["Report", "load_report", "available_reports", "DEFAULT_REPORT"]

DEFAULT_REPORT = "south-yorkshire-crc-2020"

_TABLES = ("prompts", "key_questions", "standards", "overall", "samples")

# Columns that look numeric but are identifiers ("2.1", "2.1.1") or text.
_TEXT_COLUMNS = {
    "standard": "string",
    "standard_name": "string",
    "key_question": "string",
    "key_question_text": "string",
    "prompt_id": "string",
    "prompt": "string",
    "sample": "string",
    "n_source": "string",
    "n_previous_source": "string",
    "note": "string",
    "parent": "string",
    "applies_to": "string",
    "sized_for_margin": "string",
    "source": "string",
    "previous_rating": "string",
    "current_rating": "string",
    "basis": "string",
    "discretion_rating": "string",
    "inspection": "string",
    "rating": "string",
}
_INT_COLUMNS = ("n", "n_previous", "n_current", "domain", "score", "qualitative_adjustment")


def _data_roots() -> list[Path]:
    here = Path(__file__).resolve().parent
    return [here / "_data", here.parent / "data"]


def available_reports() -> list[str]:
    """Names of the bundled reports, for :func:`load_report`."""
    names = set()
    for root in _data_roots():
        if root.is_dir():
            names.update(p.name for p in root.iterdir() if (p / "prompts.csv").is_file())
    return sorted(names)


@dataclass(frozen=True, eq=False)
class Report:
    """The published tables of one inspection report.

    Attributes
    ----------
    name : str
        Report identifier, e.g. ``"south-yorkshire-crc-2020"``.
    prompts : pandas.DataFrame
        Annexe 4 prompt rows: percentages (``previous``, ``current``; nan
        where no comparable data), assumed denominators and their source.
    key_questions : pandas.DataFrame
        Key-question percentages of the chapter tables (with all-CRC figures).
    standards : pandas.DataFrame
        Previous and current rating of each standard.
    overall : pandas.DataFrame
        Published overall score and rating.
    samples : pandas.DataFrame
        Sample sizes stated in the report and the tables they apply to.
    path : pathlib.Path
        Folder the CSV files were read from.
    """

    name: str
    prompts: pd.DataFrame
    key_questions: pd.DataFrame
    standards: pd.DataFrame
    overall: pd.DataFrame
    samples: pd.DataFrame
    path: Path


def _read(path: Path) -> pd.DataFrame:
    header = pd.read_csv(path, nrows=0).columns
    dtypes = {c: _TEXT_COLUMNS[c] for c in header if c in _TEXT_COLUMNS}
    dtypes.update({c: "Int64" for c in header if c in _INT_COLUMNS})
    frame = pd.read_csv(path, dtype=dtypes, keep_default_na=False, na_values=[""])
    for c in ("previous", "current", "all_crcs"):
        if c in frame.columns:
            frame[c] = frame[c].astype(float)
    return frame


def load_report(name: str = DEFAULT_REPORT) -> Report:
    """Load a bundled report's tables.

    Parameters
    ----------
    name : str, default "south-yorkshire-crc-2020"
        One of :func:`available_reports`.

    Returns
    -------
    Report

    Examples
    --------
    >>> from stats import load_report
    >>> report = load_report()
    >>> len(report.prompts), len(report.key_questions), len(report.standards)
    (76, 18, 10)
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a report name string (got {name!r}).")
    for root in _data_roots():
        folder = root / name
        if (folder / "prompts.csv").is_file():
            tables = {t: _read(folder / f"{t}.csv") for t in _TABLES}
            return Report(name=name, path=folder, **tables)
    raise ValueError(f"name ({name!r}) must be one of the bundled reports: {available_reports()}.")
