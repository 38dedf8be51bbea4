"""inspection-stats: statistical significance toolkit for inspection data.

Sample design (:mod:`stats.samplesize`), the Z change test (:mod:`stats.change`),
labelling of previous-versus-current tables (:mod:`stats.tables`) and the bundled
report data (:mod:`stats.reports`). Heavy optional modules (charts) are imported
only when used.
"""

from .change import (
    ChangeResult,
    ConfidenceInterval,
    compare_proportions,
)
from .reports import Report, available_reports, load_report
from .samplesize import (
    ImpliedPopulation,
    SubsampleMargin,
    allocate,
    critical_value,
    implied_population,
    margin_of_error,
    sample_size,
    subsample_margin,
)
from .tables import label_changes, parse_percent

__version__ = "0.1.0"

__all__ = [
    "ChangeResult",
    "ConfidenceInterval",
    "ImpliedPopulation",
    "Report",
    "SubsampleMargin",
    "allocate",
    "available_reports",
    "compare_proportions",
    "critical_value",
    "implied_population",
    "label_changes",
    "load_report",
    "margin_of_error",
    "parse_percent",
    "sample_size",
    "subsample_margin",
]
