"""Former home of the charts; kept so that documented imports keep working. They live in :mod:`stats.render.charts`."""

from .render.charts import (  # noqa: F401
    LABEL_STYLE,
    LITERAL,
    EXACT_STYLE,
    method_style,
    change_chart,
    change_charts,
    key_question_chart,
    method_chart,
    ratings_chart,
)

__all__ = ["LABEL_STYLE", "change_chart", "change_charts", "key_question_chart", "ratings_chart", "method_chart"]
