"""Former home of the text formatting; kept so that documented imports keep working.

The presentation layer is :mod:`stats.render` (the column map in :mod:`stats.render.columns`,
terminal text in :mod:`stats.render.text`, the writers of every format in the registry
:data:`stats.render.WRITERS`). New code imports from there.
"""

from __future__ import annotations

from typing import cast

import pandas as pd

from .io import neutralise_formula, neutralise_formulas, write_atomic  # noqa: F401  (they live in stats.io)
from .render import formats_for, render_table
from .render.columns import (  # noqa: F401
    COLUMNS,
    LABEL_SYMBOLS,
    Column,
    column_info,
    display_frame,
    excel_format,
    format_column,
    format_pvalue,
    format_value,
    round_for_display,
    shorten,
)
from .render.markdown import to_markdown
from .render.text import (  # noqa: F401
    compare_text,
    design_view,
    display_labelled,
    ratings_text,
    ratings_view,
    report_text,
    text_table,
)

__all__ = [
    "FORMATS",
    "COLUMNS",
    "Column",
    "LABEL_SYMBOLS",
    "column_info",
    "format_value",
    "format_column",
    "display_frame",
    "round_for_output",
    "neutralise_formula",
    "text_table",
    "render",
    "write_atomic",
    "format_pvalue",
    "to_markdown",
    "shorten",
    "display_labelled",
    "design_view",
    "ratings_view",
    "report_text",
    "compare_text",
]

#: Formats of a table (the registry's, :func:`stats.render.formats_for`); ``table`` is the text format's old name.
FORMATS = tuple("table" if f == "text" else f for f in formats_for("table", text_only=True))

#: Display rounding (Markdown); CSV and JSON now carry every digit.
round_for_output = round_for_display


def render(frame: pd.DataFrame, fmt: str, *, sanitize: bool = True) -> str:
    """A DataFrame in format ``fmt`` (``'table'`` or ``'text'``, ``'csv'``, ``'markdown'``, ``'json'``...).

    See Also
    --------
    stats.render.render_table : the same for every registered format.
    stats.render.formats_for : the formats a table can be written in.

    Examples
    --------
    >>> import pandas as pd
    >>> from stats.formatting import render
    >>> print(render(pd.DataFrame({"prompt_id": ["P1"], "pvalue": [0.0123]}), "csv"), end="")
    prompt_id,pvalue
    P1,0.0123
    """
    return cast(str, render_table(frame, "text" if fmt == "table" else fmt, sanitize=sanitize))  # text formats only
