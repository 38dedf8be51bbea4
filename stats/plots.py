"""Former home of the charts; kept so that documented imports keep working. They live in :mod:`stats.render.charts`."""

from .render.charts import (  # noqa: F401
    EXACT_STYLE,
    LABEL_STYLE,
    LITERAL,
    change_chart,
    change_charts,
    key_question_chart,
    method_chart,
    method_style,
    ratings_chart,
)

__all__ = ["LABEL_STYLE", "change_chart", "change_charts", "key_question_chart", "ratings_chart", "method_chart"]
