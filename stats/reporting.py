"""Former home of the HTML report and the workbook; kept so that documented imports keep working.

They live in :mod:`stats.render.html` and :mod:`stats.render.xlsx`.
"""

from .render.html import (
    KEY_QUESTION_COLUMNS,
    OPTIONAL_COLUMNS,
    PROMPT_COLUMNS,
    chart_svgs,
    table_rows,
    to_html,
    write_html,
)
from .render.xlsx import to_xlsx, write_xlsx

__all__ = [
    "PROMPT_COLUMNS",
    "KEY_QUESTION_COLUMNS",
    "OPTIONAL_COLUMNS",
    "table_rows",
    "chart_svgs",
    "to_html",
    "write_html",
    "to_xlsx",
    "write_xlsx",
]
