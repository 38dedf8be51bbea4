"""Report-level results as DataFrames: everything the main job, the HTML report and the workbook show.

:func:`summarise` runs the whole analysis of one report under one :class:`stats.ChangeTest`
and returns a :class:`ReportSummary` of raw DataFrames (proportions, not points). Every view
(terminal text, CSV, HTML, Excel, charts, notebooks) renders this object; none of them
re-runs a test, so every view shows the same verdict for a row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .change import LABELS, ChangeTest, resolve_test
from .consistency import robust_labels
from .design import breakdown_deff, deff_survival
from .ratings import OverallRating, overall, rate_report
from .reports import Report
from .samplesize import sample_design
from .tables import label_changes

__all__ = ["ReportSummary", "ReportRatings", "summarise", "rate", "label_totals", "method_table"]


@dataclass(frozen=True, eq=False)
class ReportSummary:
    """The analysis of one report under one test specification.

    Attributes
    ----------
    name : str
        The report's name.
    test : ChangeTest
        The specification every verdict below was computed with.
    design : pandas.DataFrame
        :func:`stats.samplesize.sample_design` of the stated samples.
    prompts, key_questions : pandas.DataFrame
        The labelled tables (:func:`stats.label_changes` with intervals), prompts joined
        with the robustness columns of :func:`stats.consistency.robust_labels`; each
        carries ``attrs['change_test']``.
    totals : pandas.DataFrame
        Rows per label, columns ``prompts`` and ``key_questions``.
    ratings : pandas.DataFrame
        :func:`stats.ratings.rate_report`.
    overall : OverallRating
        The total score and rating from ``ratings``.
    published_overall : pandas.Series
        The report's own overall score and rating (current inspection).
    method : pandas.DataFrame
        ``item``, ``value``: the test, its level and interval, the margins and the
        denominators assumed, stated once for every view.
    design_effect : pandas.DataFrame
        :func:`stats.design.deff_survival`: how many significant prompt labels survive
        design effects of 1.2, 1.5 and 2 (the real sample is stratified and clustered);
        each significant prompt's own limit is its ``deff_breakdown`` column.
    constructed : bool
        True when the report's ``report.toml`` marks its data as constructed (not a real inspection).
    """

    name: str
    test: ChangeTest
    design: pd.DataFrame
    prompts: pd.DataFrame
    key_questions: pd.DataFrame
    totals: pd.DataFrame
    ratings: pd.DataFrame
    overall: OverallRating
    published_overall: pd.Series
    method: pd.DataFrame
    design_effect: pd.DataFrame
    constructed: bool = False
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class ReportRatings:
    """A report's standard ratings (:func:`stats.ratings.rate_report`), their total and the published one."""

    ratings: pd.DataFrame
    overall: OverallRating
    published_overall: pd.Series


def rate(report: Report) -> ReportRatings:
    """Rate a report's standards under its framework and total the scored ones."""
    ratings = rate_report(report.key_questions, report.standards, framework=report.framework)
    total = overall(ratings.loc[ratings["score"].notna(), "rating"], framework=report.framework)
    published = report.overall.set_index("inspection").loc["current"]
    return ReportRatings(ratings, total, published)


def label_totals(labelled: pd.DataFrame) -> pd.Series:
    """Number of rows per label, in :data:`stats.change.LABELS` order (zeros included)."""
    counts = labelled["label"].value_counts()
    return pd.Series([int(counts.get(label, 0)) for label in LABELS], index=list(LABELS), name="rows")


def _previous_source_text(prompts: pd.DataFrame) -> str:
    """Where the previous inspection's n come from, counted by the data's ``n_previous_source``."""
    if "n_previous_source" not in prompts:
        return "as given in the table"
    counts = prompts["n_previous_source"].fillna("not given").value_counts()
    parts = [f"{source} for {int(k)} of {len(prompts)} prompts" for source, k in counts.items()]
    text = "; ".join(parts)
    if "assumed" in counts.index:
        text += " (assumed: equal to the current n, as the previous sample is not published)"
    return text


def method_table(report: Report, test: ChangeTest) -> pd.DataFrame:
    """The method and assumptions of an analysis as ``item``/``value`` rows (plain text)."""
    prompts = report.prompts
    used = prompts.groupby("sample", sort=False)["n_current"].first()
    rows = [
        ("change test", test.describe()),
        ("alpha", f"{test.alpha:g}"),
        ("alternative", test.alternative),
        ("method", test.method),
        ("interval", f"{100 * (1 - test.alpha):g}% {test.interval}"
                     + (" (dual to the test: excludes 0 exactly when significant)" if test.interval_is_dual else
                        " (not dual to the test: it may disagree with the label near the threshold)")),
        ("finite population correction", "yes" if test.finite_population else "no (super-population view)"),
        ("margins", "80% confidence at p = 0.5 (the methodology's design margin)"),
        ("current denominators", "the sample the report states for each prompt's table: "
         + ", ".join(f"{name} {int(n)}" for name, n in used.items())),
        ("previous denominators", _previous_source_text(prompts)),
        ("robustness", "the chosen test over every pair of denominators the published percentages allow "
                       "(current 0.5-1 x the stated sample, previous 0.5-1.5 x; stats.consistency.robust_labels)"),
    ]
    return pd.DataFrame(rows, columns=["item", "value"])


def summarise(report: Report, test: ChangeTest | None = None) -> ReportSummary:
    """Run the whole analysis of ``report`` under ``test``.

    Parameters
    ----------
    report : Report
        From :func:`stats.load_report`.
    test : ChangeTest, optional
        Default ``ChangeTest()``.

    Returns
    -------
    ReportSummary

    Examples
    --------
    >>> import stats
    >>> from stats.summary import summarise
    >>> s = summarise(stats.load_report("south-yorkshire-crc-2020"))
    >>> int(s.totals.loc["significant improvement", "prompts"]), s.overall.score
    (15, 20)
    """
    spec = resolve_test(test)
    if not isinstance(report, Report):
        raise TypeError(f"report must be a stats.Report from stats.load_report (got {type(report).__name__}).")
    prompts = label_changes(report.prompts, spec, intervals=True)
    robust = robust_labels(report.prompts, spec)
    prompts = prompts.join(robust[["robust_label", "significant_from_n"]])
    prompts["deff_breakdown"] = breakdown_deff(prompts, test=spec)
    prompts.attrs = {"change_test": spec}
    key_questions = label_changes(report.key_questions, spec, intervals=True)
    totals = pd.DataFrame({"prompts": label_totals(prompts), "key_questions": label_totals(key_questions)})
    rated = rate(report)
    return ReportSummary(
        name=report.name,
        test=spec,
        design=sample_design(report.samples),
        prompts=prompts,
        key_questions=key_questions,
        totals=totals,
        ratings=rated.ratings,
        overall=rated.overall,
        published_overall=rated.published_overall,
        method=method_table(report, spec),
        design_effect=deff_survival(prompts, test=spec),
        constructed=report.constructed,
    )
