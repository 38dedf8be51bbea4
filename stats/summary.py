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
from .consistency import report_rounding, robust_labels
from .exact import compare_methods
from .multiplicity import FDR_METHOD, multiplicity_summary, qvalues
from .design import breakdown_deff, deff_survival
from .ratings import OverallRating, overall, rate_report
from .reports import Report
from .samplesize import sample_design
from .tables import label_changes

__all__ = ["ReportSummary", "ReportRatings", "summarise", "rate", "label_totals", "method_table", "CHECK_COLUMNS"]

#: Columns :func:`summarise` adds to the prompt and key-question tables, beside each label: the
#: p-value range and verdict over every feasible count (:func:`stats.consistency.robust_labels`),
#: the exact tests at the label's counts (:func:`stats.exact.compare_methods`) and the BH q-value
#: (:func:`stats.multiplicity.qvalues`). nan / <NA> on rows without comparable data.
CHECK_COLUMNS = (
    "pvalue_min", "pvalue_max", "robust_label", "significant_from_n", "combinations_tried",
    "fisher", "barnard", "boschloo", "exact_agree", "method_sensitive", "qvalue", "significant_fdr",
)


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
        The labelled tables (:func:`stats.label_changes` with intervals), each joined with
        :data:`CHECK_COLUMNS`: ``pvalue_min``, ``pvalue_max``, ``robust_label``,
        ``significant_from_n``, ``combinations_tried`` (the test over every count the
        published percentages allow, :func:`stats.consistency.robust_labels`, with the
        report's rounding rule); ``fisher``, ``barnard``, ``boschloo``, ``exact_agree``,
        ``method_sensitive`` (:func:`stats.exact.compare_methods`); ``qvalue``,
        ``significant_fdr`` (Benjamini-Hochberg within the table: the prompts are one
        family, the key questions another). Each carries ``attrs['change_test']`` and
        ``attrs['rounding']``.
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
    multiplicity : pandas.Series
        The prompt family's :func:`stats.multiplicity.multiplicity_summary`: ``tests``,
        ``expected_false_positives``, ``significant``, ``survive_fdr``, ``fdr_method``,
        ``fdr_level``.
    design_effect_structure : pandas.DataFrame
        :func:`stats.design.structural_deff_survival`: the significant prompt labels that
        survive the design-effect range the report's own cluster structure implies (cases per
        officer, an ICC range); empty when the report states no officers. The primary
        design-effect view; ``design_effect`` (fixed levels) is secondary.
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
    multiplicity: pd.Series = field(default_factory=lambda: pd.Series(dtype=object))
    design_effect_structure: pd.DataFrame = field(default_factory=pd.DataFrame)


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
        ("robustness", "the chosen test over every count the published percentages allow ("
                       f"{report_rounding(report)} rounding), n from half the stated sample to the stated "
                       "sample at both inspections (stats.consistency.robust_labels)"),
        ("exact tests", "Fisher, Barnard and Boschloo with the test's alternative, at the stated sample's "
                        "counts, or the largest sub-sample's where the figure is impossible at the stated n "
                        "(stats.exact.compare_methods)"),
        ("multiplicity", f"Benjamini-Hochberg q-values at level alpha ({FDR_METHOD}); prompts and key "
                         "questions are separate families"),
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
    rounding = report_rounding(report)
    prompts = with_checks(label_changes(report.prompts, spec, intervals=True, rounding=rounding), spec, rounding)
    key_questions = with_checks(label_changes(report.key_questions, spec, intervals=True, rounding=rounding),
                                spec, rounding)
    prompts["deff_breakdown"] = breakdown_deff(prompts, test=spec)
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
        multiplicity=multiplicity_summary(prompts),
        design_effect_structure=_structural_deff(report, prompts, spec),  # counts: design effect from the structure
    )


def _structural_deff(report: Report, prompts: pd.DataFrame, spec: ChangeTest) -> pd.DataFrame:
    """:func:`stats.design.structural_deff_survival` of the report, empty when it states no officers."""
    from .design import report_cluster_structure, structural_deff_survival

    try:
        structure = report_cluster_structure(report)
    except ValueError:
        return pd.DataFrame()
    return structural_deff_survival(prompts, test=spec, **structure)


def with_checks(labelled: pd.DataFrame, test: ChangeTest, rounding: str) -> pd.DataFrame:
    """A labelled table joined with :data:`CHECK_COLUMNS` (robustness, exact tests, q-values)."""
    robust = robust_labels(labelled, test, rounding=rounding)
    exact = compare_methods(labelled, test, rounding=rounding).reindex(labelled.index)
    q = qvalues(labelled)
    out = labelled.join(robust[["pvalue_min", "pvalue_max", "robust_label", "significant_from_n",
                                "combinations_tried"]])
    out = out.join(exact[["fisher", "barnard", "boschloo"]])
    out["exact_agree"] = exact["exact_agree"].astype("boolean")
    out["method_sensitive"] = exact["method_sensitive"].astype("boolean")
    out = out.join(q)
    out.attrs = {"change_test": test, "rounding": rounding}
    return out
