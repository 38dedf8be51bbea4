"""inspection-stats: statistical significance toolkit for inspection data.

Data flows one way: ingest (:mod:`stats.cases`, :mod:`stats.annexe`, :mod:`stats.reports`)
-> tables (:mod:`stats.parse`, :mod:`stats.tables`) -> tests (:mod:`stats.change`,
:mod:`stats.exact_tests`, :mod:`stats.exact`, :mod:`stats.design`, :mod:`stats.samplesize`,
:mod:`stats.power`, :mod:`stats.multiplicity`) and their operating characteristics
(:mod:`stats.operating`, :mod:`stats.simulate`)
-> labels and checks (:mod:`stats.ratings`, :mod:`stats.consistency`, :mod:`stats.audit`)
-> the report model (:mod:`stats.summary`) -> presentation (:mod:`stats.render`: one writer per
format, and charts) driven by :mod:`stats.cli`.
The most used functions are re-exported here; the others are imported from their module.
statsmodels, matplotlib and ``scipy.stats`` are imported only by the functions that need them.

Examples
--------
>>> import stats
>>> res = stats.compare_proportions(0.54, 100, 0.71, 100)  # 54 % of 100 cases, then 71 % of 100
>>> round(res.pvalue, 4), res.label
(0.013, 'significant improvement')
>>> labelled = stats.label_changes(stats.load_report().prompts)  # the bundled report's 76 prompts
>>> labelled["label"].value_counts().to_dict()
{'no significant change': 34, 'no comparable data': 25, 'significant improvement': 15, 'significant decline': 2}
"""

from .change import (
    ChangeResult,
    ChangeTest,
    ConfidenceInterval,
    compare_proportions,
    spec_of,
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
    "ChangeTest",
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
    "spec_of",
]
