"""JSON: strict (RFC 8259) documents of full-precision raw values.

NaN and infinity are not JSON: :func:`strict` writes them as ``null``, and a record names the
field and the reason in ``notes``; ``json.dumps(..., allow_nan=False)`` guarantees that no
``NaN`` or ``Infinity`` is ever written.
"""

from __future__ import annotations

import json as _json
import math
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TextIO

import numpy as np
import pandas as pd

from . import Writer

if TYPE_CHECKING:
    from ..summary import ReportSummary
    from . import Record, Table

__all__ = ["strict", "dumps", "records", "table_json", "record_json", "report_json", "WRITER"]


def strict(value: Any) -> Any:
    """``value`` with numpy scalars as Python ones, and NaN, infinities and missing values as None.

    See Also
    --------
    dumps : strict JSON text.
    records : rows of a table as strict dicts.

    Examples
    --------
    >>> strict({"a": float("inf"), "b": [np.float64(0.5), pd.NA], "c": np.int64(3)})
    {'a': None, 'b': [0.5, None], 'c': 3}
    """
    if isinstance(value, dict):
        return {str(k): strict(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [strict(v) for v in value]
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        x = float(value)
        return x if math.isfinite(x) else None
    if isinstance(value, (int, str)):
        return value
    if hasattr(value, "to_dict"):
        return strict(value.to_dict())
    return str(value)


def _not_finite(values: dict) -> dict:
    """``{field: reason}`` for every float field that is NaN or infinite (written as null)."""
    notes = {}
    for k, v in values.items():
        if isinstance(v, (float, np.floating)) and not math.isfinite(float(v)):
            notes[str(k)] = (
                "infinite: not representable in JSON (written as null)"
                if math.isinf(float(v))
                else "not a number: undefined for these inputs (written as null)"
            )
    return notes


def dumps(value: object, *, indent: int | None = 2) -> str:
    """Strict JSON text of ``value`` (after :func:`strict`), with a final newline.

    See Also
    --------
    strict : the conversion it applies first.

    Examples
    --------
    >>> from stats.render.json import dumps
    >>> import numpy as np
    >>> print(dumps({"p": np.float64(0.5), "ci": [np.nan, 1.0]}, indent=None), end="")
    {"p": 0.5, "ci": [null, 1.0]}
    """
    return _json.dumps(strict(value), indent=indent, ensure_ascii=False, allow_nan=False) + "\n"


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts of strict values (missing -> None).

    See Also
    --------
    table_json : a Table as a JSON array of these rows.

    Examples
    --------
    >>> from stats.render.json import records
    >>> import pandas as pd
    >>> records(pd.DataFrame({"id": ["P1", "P2"], "p": [0.5, None]}))
    [{'id': 'P1', 'p': 0.5}, {'id': 'P2', 'p': None}]
    """
    return strict(frame.astype(object).to_dict(orient="records"))


def table_json(table: Table, *, sanitize: bool = True) -> str:
    """A :class:`stats.render.Table` as a JSON array of row objects (full precision).

    See Also
    --------
    records : the rows it writes.
    stats.render.csv.table_csv : the same table as CSV.

    Examples
    --------
    >>> from stats.render.json import table_json
    >>> import pandas as pd
    >>> from stats.render import Table
    >>> print(table_json(Table(pd.DataFrame({"prompt_id": ["P1"], "difference": [0.17]}))), end="")
    [
      {
        "prompt_id": "P1",
        "difference": 0.17
      }
    ]
    """
    return dumps(records(table.frame))


def stream_json(chunks: Iterable[pd.DataFrame], fh: TextIO, *, sanitize: bool = True) -> None:
    """Labelled chunks as one JSON array, written chunk by chunk (the same text as :func:`table_json`)."""
    first = True
    for part in chunks:
        if part.empty:
            continue
        body = dumps(records(part)).rstrip("\n")[1:-1].strip("\n")
        fh.write(("[\n" if first else ",\n") + body)
        first = False
    fh.write("[]\n" if first else "\n]\n")


def record_json(record: Record) -> str:
    """A :class:`stats.render.Record` as one JSON object; non-finite fields are null, with ``notes``.

    See Also
    --------
    stats.render.csv.record_csv : the same record as CSV.

    Examples
    --------
    >>> from stats.render.json import record_json
    >>> from stats.render import Record
    >>> print(record_json(Record({"n": 100, "margin": float("inf")}, view="plain")), end="")
    {"n": 100, "margin": null, "notes": {"margin": "infinite: not representable in JSON (written as null)"}}
    """
    values = dict(record.values)
    notes = _not_finite(values)
    if notes:
        values["notes"] = notes
    return dumps(values, indent=None)


def report_json(summary: ReportSummary, *, sanitize: bool = True) -> str:
    """The report model as one JSON object: the main points (words and data, proportions), every table as
    arrays of rows, the framework, the test.

    See Also
    --------
    stats.render.csv.report_csv : the report model as CSV.
    stats.summary.summarise : the report model.

    Examples
    --------
    >>> from stats.render.json import report_json
    >>> import stats
    >>> from stats.summary import summarise
    >>> summary = summarise(stats.load_report())
    >>> import json
    >>> data = json.loads(report_json(summary))
    >>> list(data)[:4]
    ['name', 'title', 'constructed', 'main_points']
    """
    from .columns import framework_record
    from .points import lede, sections

    points = summary.main_points
    doc = {
        "name": summary.name,
        "title": summary.title,
        "constructed": summary.constructed,
        "main_points": {
            "lede": lede(points),
            "sections": [
                {
                    "key": sec.key,
                    "heading": sec.heading,
                    "lead": sec.lead,
                    "points": [
                        {"text": p.text, "id": p.id or None, "firmness": p.firmness or None} for p in sec.points
                    ],
                }
                for sec in sections(points)
            ],
            "changes": records(points.to_frame("changes")),
            "ratings": records(points.to_frame("ratings")),
            "untested": records(points.to_frame("untested")),
        },
        "test": summary.test.to_dict(),
        "framework": framework_record(summary.framework),
        "method": records(summary.method[["item", "value"]]),
        "design": records(summary.design),
        "prompts": records(summary.prompts),
        "key_questions": records(summary.key_questions),
        "totals": records(summary.totals.rename_axis("label").reset_index()),
        "ratings": records(summary.ratings),
        "overall": {
            "score": summary.overall.score,
            "maximum": summary.overall.maximum,
            "rating": summary.overall.rating,
        },
        "published_overall": {
            "score": summary.published_overall["score"],
            "rating": summary.published_overall["rating"],
        },
        "design_effect_structure": {
            "model": summary.design_effect_structure.attrs.get("design_model"),
            "source": summary.design_effect_structure.attrs.get("source"),
            "unavailable": summary.design_effect_structure.attrs.get("unavailable"),
            "rows": records(summary.design_effect_structure),
        },
        "design_effect": records(summary.design_effect),
        "multiplicity": summary.multiplicity.to_dict(),
    }
    return dumps(doc)


WRITER = Writer(
    "json",
    "JSON (full precision; NaN and infinity as null)",
    table=table_json,
    record=record_json,
    report=report_json,
    stream=stream_json,
)
