"""Reporting layer: turn raw results into text (tables, CSV, Markdown, JSON).

Compute functions return raw floats; everything about digits, units and
layout lives here, so the CLI and notebooks format results the same way.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd

from .io import neutralise_formulas, write_atomic  # write_atomic lives in stats.io; re-exported here

__all__ = ["FORMATS", "render", "write_atomic", "format_pvalue", "to_markdown", "shorten"]

FORMATS = ("table", "csv", "markdown", "json")


def format_pvalue(p) -> str:
    """p-value to 3 decimals, '<0.001' below that, blank when missing."""
    if p is None or (isinstance(p, float) and math.isnan(p)) or p is pd.NA:
        return ""
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def _fmt(value, spec: str) -> str:
    """Format a number; text (as read from a CSV) is shown as it is."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, str):
        return value
    return format(value, spec)


def shorten(text, width: int) -> str:
    """Cut ``text`` to ``width`` characters with an ellipsis."""
    text = "" if text is None or text is pd.NA else str(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def to_markdown(frame: pd.DataFrame) -> str:
    """GitHub-flavoured Markdown table (no extra dependency)."""
    def cell(x) -> str:
        if x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x)):
            return ""
        return str(x).replace("|", "\\|").replace("\n", " ")

    header = "| " + " | ".join(cell(c) for c in frame.columns) + " |"
    rule = "| " + " | ".join("---" for _ in frame.columns) + " |"
    body = ["| " + " | ".join(cell(x) for x in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([header, rule, *body]) + "\n"


def _json_default(x):
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (np.floating,)):
        return None if np.isnan(x) else float(x)
    if isinstance(x, (np.bool_,)):
        return bool(x)
    if x is pd.NA:
        return None
    raise TypeError(f"cannot serialise {type(x).__name__}")


def to_records(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts with missing values as None (JSON null)."""
    records = frame.astype(object).where(frame.notna(), None).to_dict(orient="records")
    return [{str(k): (None if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items()} for r in records]


def render(frame: pd.DataFrame, fmt: str, *, sanitize: bool = True) -> str:
    """Render a DataFrame as ``'table'``, ``'csv'``, ``'markdown'`` or ``'json'`` text.

    ``sanitize`` (default True): in ``csv`` and ``markdown``, text cells that a
    spreadsheet would run as a formula get a leading ``'``
    (:func:`stats.io.neutralise_formulas`, OWASP's rule); numbers are unaffected.
    """
    if fmt == "csv":
        return (neutralise_formulas(frame) if sanitize else frame).to_csv(index=False)
    if fmt == "markdown":
        return to_markdown(neutralise_formulas(frame) if sanitize else frame)
    if fmt == "json":
        return json.dumps(to_records(frame), indent=2, default=_json_default, ensure_ascii=False) + "\n"
    if fmt == "table":
        return frame.to_string(index=False, na_rep="") + "\n"
    raise ValueError(f"format ({fmt!r}) must be one of {', '.join(map(repr, FORMATS))}.")


def robust_short(label, significant_from_n) -> str:
    """Short text for :func:`stats.consistency.robust_labels` in a terminal table."""
    if label == "significant for all feasible n":
        return "holds for all n"
    if label == "significant for none":
        return "not sig. for any n"
    if label == "depends on n":
        return "depends on n" + ("" if significant_from_n is pd.NA or pd.isna(significant_from_n) else f" (sig. if n>={int(significant_from_n)})")
    return ""


def display_labelled(labelled: pd.DataFrame, *, prompt_width: int = 70) -> pd.DataFrame:
    """Compact, formatted view of a labelled table (strings), for terminal output."""
    cols = {
        "prev %": labelled["previous"].map(lambda x: _fmt(x, ".0f")) if "previous" in labelled else None,
        "cur %": labelled["current"].map(lambda x: _fmt(x, ".0f")) if "current" in labelled else None,
        "n": [f"{_fmt(a, '.0f')}/{_fmt(b, '.0f')}" for a, b in zip(labelled["n_previous"], labelled["n_current"])],
        "change": labelled["difference"].map(lambda x: _fmt(x, "+.0f")),
        "z": labelled["statistic"].map(lambda x: _fmt(x, ".2f")),
        "p": labelled["pvalue"].map(format_pvalue),
        "label": labelled["label"],
    }
    out = pd.DataFrame({k: val for k, val in cols.items() if val is not None}, index=labelled.index)
    if "robust_label" in labelled:
        out["if n unknown"] = [robust_short(lab, frm) for lab, frm in zip(labelled["robust_label"], labelled["significant_from_n"])]
    if "prompt" in labelled:
        out.insert(0, "prompt", labelled["prompt"].map(lambda t: shorten(t, prompt_width).ljust(prompt_width)))
    if "prompt_id" in labelled:
        out.insert(0, "id", labelled["prompt_id"])
    return out
