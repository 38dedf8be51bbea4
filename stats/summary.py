"""The report model: report-level results as DataFrames, everything every report format shows.

:func:`summarise` runs the whole analysis of one report under one :class:`stats.ChangeTest`
and returns a :class:`ReportSummary` of raw DataFrames (proportions, not points), with the
report's :class:`stats.framework.Framework` and the method statements. Every view (the writers of
:mod:`stats.render`: text, Markdown, CSV, JSON, HTML, Excel, charts; notebooks) renders this
object; none of them re-runs a test, so every view shows the same verdict for a row. The
analyses the command line formats (:func:`rate`, :func:`audit_report`) are here too, so the
command line only parses arguments and hands results to a writer.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from .change import LABELS, ChangeTest, resolve_test
from .consistency import report_rounding, robust_labels
from .design import breakdown_deff, deff_survival
from .exact import compare_methods
from .framework import Framework
from .multiplicity import FDR_METHOD, multiplicity_summary, qvalues
from .ratings import OverallRating, overall, rate_report
from .reports import Report
from .samplesize import sample_design
from .tables import label_changes

if TYPE_CHECKING:
    from .findings import MainPoints

__all__ = [
    "ReportSummary",
    "ReportRatings",
    "AuditResult",
    "summarise",
    "rate",
    "audit_report",
    "label_totals",
    "method_table",
    "band_rule",
    "expected_false_positives_exact",
    "CHECK_COLUMNS",
]

#: Columns :func:`summarise` adds to the prompt and key-question tables, beside each label: the
#: p-value range and verdict over every feasible count (:func:`stats.consistency.robust_labels`),
#: the exact tests at the label's counts (:func:`stats.exact.compare_methods`) and the BH q-value
#: (:func:`stats.multiplicity.qvalues`). nan / <NA> on rows without comparable data.
CHECK_COLUMNS = (
    "pvalue_min",
    "pvalue_max",
    "robust_label",
    "significant_from_n",
    "combinations_tried",
    "fisher",
    "barnard",
    "boschloo",
    "exact_agree",
    "method_sensitive",
    "qvalue",
    "significant_fdr",
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
        ``fdr_level``; and ``expected_false_positives_exact`` (:func:`expected_false_positives_exact`,
        nan where it cannot be computed).
    framework : stats.framework.Framework or None
        The report's framework: band limits, rating names, points, maximum and discretion
        distance for every view.
    title : str
        The report's title (``report.toml``), else its name.
    design_effect_structure : pandas.DataFrame
        :func:`stats.design.structural_deff_survival`: the significant prompt labels that
        survive the design-effect range the report's own cluster structure implies (cases per
        officer, an ICC range); empty when the report states no officers. The primary
        design-effect view; ``design_effect`` (fixed levels) is secondary.
    main_points : stats.findings.MainPoints
        The main points (:func:`stats.findings.main_points`, computed on first use): significant
        changes with their firmness, ratings with the panel's decisions, untested rows. Every
        report format shows them first, worded by :mod:`stats.render.points`.

    See Also
    --------
    summarise : builds a ReportSummary.
    stats.findings.main_points : its main points.
    stats.render.text.report_text : the summary as terminal text.

    Examples
    --------
    >>> import stats
    >>> from stats.summary import summarise
    >>> summary = summarise(stats.load_report())
    >>> summary.name, summary.test.alpha
    ('south-yorkshire-crc-2020', 0.1)
    >>> summary.prompts.shape[0], summary.key_questions.shape[0], summary.overall.rating
    (76, 18, 'Good')
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
    framework: Framework | None = None
    title: str = ""
    design_effect_structure: pd.DataFrame = field(default_factory=pd.DataFrame)

    def __post_init__(self):
        if not self.title:
            object.__setattr__(self, "title", self.name)

    @functools.cached_property
    def main_points(self) -> MainPoints:
        """:func:`stats.findings.main_points` of this summary (computed once): what every report format shows first."""
        from .findings import main_points

        return main_points(self)

    def _repr_html_(self) -> str:
        """In Jupyter: the main points and the core tables through the HTML report's renderer."""
        from .render.html import summary_html

        return summary_html(self)


@dataclass(frozen=True, eq=False)
class ReportRatings:
    """A report's standard ratings (:func:`stats.ratings.rate_report`), their total and the published one.

    See Also
    --------
    rate : builds a ReportRatings.
    stats.ratings.rate_report : the standard ratings.
    stats.render.text.ratings_text : the ratings as terminal text.

    Examples
    --------
    >>> import stats
    >>> from stats.summary import rate
    >>> rated = rate(stats.load_report())
    >>> rated.overall.rating, rated.overall.score, int(rated.published_overall["score"])
    ('Good', 20, 20)
    """

    ratings: pd.DataFrame
    overall: OverallRating
    published_overall: pd.Series


def rate(report: Report) -> ReportRatings:
    """Rate a report's standards under its framework and total the scored ones.

    See Also
    --------
    ReportRatings : the result.
    stats.ratings.rate_report : rates each standard.
    stats.ratings.overall : totals the scored standards.

    Examples
    --------
    >>> import stats
    >>> from stats.summary import rate
    >>> rated = rate(stats.load_report())
    >>> rated.ratings[["standard", "rating"]].head(3)
      standard       rating
    0      1.1  Outstanding
    1      1.2  Outstanding
    2      1.3         Good
    """
    ratings = rate_report(report.key_questions, report.standards, framework=report.framework)
    total = overall(ratings.loc[ratings["score"].notna(), "rating"], framework=report.framework)
    published = cast(pd.Series, report.overall.set_index("inspection").loc["current"])
    return ReportRatings(ratings, total, published)


def label_totals(labelled: pd.DataFrame) -> pd.Series:
    """Number of rows per label, in :data:`stats.change.LABELS` order (zeros included).

    See Also
    --------
    summarise : stores these counts as ``totals``.
    stats.change.LABELS : the order of the labels.

    Examples
    --------
    >>> import stats
    >>> from stats.summary import label_totals
    >>> label_totals(stats.label_changes(stats.load_report().prompts))
    significant improvement    15
    significant decline         2
    no significant change      34
    no comparable data         25
    Name: rows, dtype: int64
    """
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
    """The method and assumptions of an analysis as ``item``/``value`` rows (plain text).

    See Also
    --------
    band_rule : the ratings rule stated in the table.
    stats.render.text.method_lines : the table as terminal lines.

    Examples
    --------
    >>> import stats
    >>> from stats.summary import method_table
    >>> table = method_table(stats.load_report(), stats.ChangeTest())
    >>> table["item"].tolist()[:4]
    ['change test', 'alpha', 'alternative', 'method']
    """
    prompts = report.prompts
    used = prompts.groupby("sample", sort=False)["n_current"].first()
    rows = [
        ("change test", test.describe()),
        ("alpha", f"{test.alpha:g}"),
        ("alternative", test.alternative),
        ("method", test.method),
        (
            "interval",
            f"{100 * (1 - test.alpha):g}% {test.interval}"
            + (
                " (dual to the test: excludes 0 exactly when significant)"
                if test.interval_is_dual
                else " (not dual to the test: it may disagree with the label near the threshold)"
            ),
        ),
        ("finite population correction", "yes" if test.finite_population else "no (super-population view)"),
        ("margins", "80% confidence at p = 0.5 (the methodology's design margin)"),
        (
            "current denominators",
            "the sample the report states for each prompt's table: "
            + ", ".join(f"{name} {int(n)}" for name, n in used.items()),
        ),
        ("previous denominators", _previous_source_text(prompts)),
        (
            "robustness",
            (
                "the chosen test over every count the published percentages allow ("
                f"{report_rounding(report)} rounding), n from half the stated sample to the stated "
                "sample at both inspections (stats.consistency.robust_labels)"
            ),
        ),
        (
            "exact tests",
            (
                "Fisher, Barnard and Boschloo with the test's alternative, at the stated sample's "
                "counts, or the largest sub-sample's where the figure is impossible at the stated n "
                "(stats.exact.compare_methods)"
            ),
        ),
        (
            "multiplicity",
            (
                f"Benjamini-Hochberg q-values at level alpha ({FDR_METHOD}); prompts and key "
                "questions are separate families"
            ),
        ),
        (
            "implied N",
            (
                "the eligible populations for which the stated rule (80% confidence, 5-point margin, "
                "N*n0/(N+n0-1) rounded up) gives exactly the stated n; sub-samples scale their parent's range"
            ),
        ),
        ("widening", "a sub-sample's margin divided by its parent sample's margin (no finite population correction)"),
    ]
    if report.framework is not None:
        rows.append(("ratings", band_rule(report.framework)))
    return pd.DataFrame(rows, columns=["item", "value"])


def band_rule(framework: Framework) -> str:
    """How a standard's mechanical rating follows from its key questions, in the framework's own bands and names.

    See Also
    --------
    stats.render.columns.band_limits_text : the band limits alone.
    stats.ratings.rate_standard : applies the rule.

    Examples
    --------
    >>> from stats.framework import load_framework
    >>> band_rule(load_framework("adult-2018"))  # doctest: +NORMALIZE_WHITESPACE
    "each standard's mechanical rating is the band of its lowest key question (below 50%: Inadequate;
    50-65%: Requires improvement; 65-80%: Good; 80% and above: Outstanding); within 5 points of a band
    limit the panel may use professional discretion; framework adult-2018, total 0-30"
    """
    limits = [f"{b:g}" for b in framework.key_question_bands]
    names = framework.ratings
    bands = [f"below {limits[0]}%: {names[0]}"]
    bands += [f"{lo}-{hi}%: {name}" for lo, hi, name in zip(limits[:-1], limits[1:], names[1:-1], strict=True)]
    bands.append(f"{limits[-1]}% and above: {names[-1]}")
    return (
        f"each standard's mechanical rating is the band of its lowest key question ({'; '.join(bands)}); "
        f"within {framework.discretion_points:g} points of a band limit the panel may use professional "
        f"discretion; framework {framework.name}, total 0-{framework.maximum}"
    )


def _binomial_pmf(n: int, p: float) -> np.ndarray:
    """b(k; n, p) for k = 0..n, in log space (scipy.special only: the main job does not import scipy.stats)."""
    from scipy.special import gammaln, xlog1py, xlogy

    k = np.arange(n + 1, dtype=float)
    return np.exp(gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1) + xlogy(k, p) + xlog1py(n - k, -p))


def expected_false_positives_exact(labelled: pd.DataFrame, test: ChangeTest) -> float:
    r"""Expected number of significant rows if nothing had changed, from each row's exact test size.

    .. math:: E = \sum_i \sum_{k_1, k_2} b(k_1; n_{1i}, \hat p_i)\, b(k_2; n_{2i}, \hat p_i)\,
              [\,p(k_1, n_{1i}, k_2, n_{2i}) \le \alpha\,]

    over the testable rows: the exact size of the table's test at the row's sample sizes
    (:func:`stats.operating.exact_size`, the same sum around :func:`stats.operating.rejection_matrix`)
    at its pooled proportion :math:`\hat p_i`, the estimate of the common proportion if nothing
    changed. ``alpha x tests`` (:func:`stats.multiplicity.expected_false_positives`) assumes every
    test has size alpha; the Z test's real size differs. nan where it cannot be computed (a
    finite population correction, n that are not whole numbers or above 2000).

    See Also
    --------
    stats.multiplicity.multiplicity_summary : the expected count from alpha alone.
    stats.exact_tests.exact_test : the exact tests it sizes.

    Examples
    --------
    >>> import stats
    >>> from stats.summary import expected_false_positives_exact
    >>> labelled = stats.label_changes(stats.load_report().key_questions)
    >>> expected = expected_false_positives_exact(labelled, stats.ChangeTest())
    >>> round(expected, 2), int(labelled["significant"].notna().sum())
    (1.52, 15)
    """
    from .operating import rejection_matrix
    from .parse import parse_table

    if test.finite_population:
        return float("nan")
    parsed = parse_table(labelled)
    rows = parsed[parsed["testable"].to_numpy(dtype=bool)]
    if rows.empty:
        return 0.0
    n1, n2 = rows["n_previous"].to_numpy(dtype=float), rows["n_current"].to_numpy(dtype=float)
    if not (np.all(n1 == np.round(n1)) and np.all(n2 == np.round(n2))) or max(n1.max(), n2.max()) > 2000:
        return float("nan")
    pooled = (rows["previous"].to_numpy(dtype=float) * n1 + rows["current"].to_numpy(dtype=float) * n2) / (n1 + n2)
    total = 0.0
    for a, b, p in zip(n1.astype(int), n2.astype(int), pooled, strict=True):
        reject = rejection_matrix(int(a), int(b), test)
        total += float(_binomial_pmf(int(a), p) @ reject @ _binomial_pmf(int(b), p))
    return total


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

    See Also
    --------
    ReportSummary : the result.
    stats.label_changes : the labelled tables inside it.
    stats.render.get_writer : writes it in any report format.

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
    key_questions = with_checks(
        label_changes(report.key_questions, spec, intervals=True, rounding=rounding), spec, rounding
    )
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
        multiplicity=_multiplicity(prompts, spec),
        framework=report.framework,
        title=str(report.metadata.get("title") or report.name),
        design_effect_structure=_structural_deff(report, prompts, spec),
    )


def _multiplicity(prompts: pd.DataFrame, spec: ChangeTest) -> pd.Series:
    m = multiplicity_summary(prompts)
    m["expected_false_positives_exact"] = expected_false_positives_exact(prompts, spec)
    return m


@dataclass(frozen=True, eq=False)
class AuditResult:
    """The wording audit of a report text (:func:`audit_report`).

    Attributes
    ----------
    audited : pandas.DataFrame
        :func:`stats.audit.audit_wording`: each sentence using 'significant' and its verdict.
    converse : pandas.DataFrame
        :func:`stats.audit.significant_changes_in_text`: each significant change and the words used for it.
    source : str
        Where the text came from (for the heading).
    converse_only : bool
        Show only ``converse`` (the command's ``--converse``).

    See Also
    --------
    audit_report : builds an AuditResult.
    stats.render.text.audit_text : the audit as terminal text.

    Examples
    --------
    >>> import stats
    >>> from stats.summary import audit_report
    >>> result = audit_report("Recording improved significantly.", stats.load_report(), source="note")
    >>> result.audited[["verdict"]].shape, result.source
    ((1, 1), 'note')
    """

    audited: pd.DataFrame
    converse: pd.DataFrame
    source: str = ""
    converse_only: bool = False

    @property
    def table(self) -> pd.DataFrame:
        """The table the machine formats write: ``converse`` with ``converse_only``, else ``audited``."""
        return self.converse if self.converse_only else self.audited


def audit_report(
    text: str, report: Report, test: ChangeTest | None = None, *, source: str = "", converse_only: bool = False
) -> AuditResult:
    """Check each use of 'significant' in ``text`` against ``report``'s tables labelled under ``test``.

    See Also
    --------
    AuditResult : the result.
    stats.audit.audit_wording : the check of each sentence.
    stats.audit.significant_changes_in_text : the converse check.

    Examples
    --------
    >>> import stats
    >>> from stats.summary import audit_report
    >>> result = audit_report("Recording improved significantly.", stats.load_report())
    >>> len(result.audited), list(result.converse.columns)[:3]
    (1, ['id', 'text', 'label'])
    """
    from .audit import audit_wording, significant_changes_in_text

    spec = resolve_test(test)
    rounding = report_rounding(report)
    prompts = label_changes(report.prompts, spec, rounding=rounding)
    kq = label_changes(report.key_questions, spec, rounding=rounding)
    return AuditResult(
        audit_wording(text, prompts, kq),
        significant_changes_in_text(text, prompts, kq),
        source=source,
        converse_only=converse_only,
    )


def _structural_deff(report: Report, prompts: pd.DataFrame, spec: ChangeTest) -> pd.DataFrame:
    """:func:`stats.design.structural_deff_survival` of the report.

    Empty, with the reason in ``attrs['unavailable']``, when the report states no officers or its
    stated cases and officers cannot form the sampler's clusters (the rest of the report stands).
    """
    from .design import report_cluster_structure, structural_deff_survival

    try:
        structure: dict[str, Any] = report_cluster_structure(report)
        return structural_deff_survival(prompts, test=spec, **structure)
    except ValueError as err:
        unavailable = pd.DataFrame()
        unavailable.attrs["unavailable"] = str(err)
        return unavailable


def with_checks(labelled: pd.DataFrame, test: ChangeTest, rounding: str) -> pd.DataFrame:
    """A labelled table joined with :data:`CHECK_COLUMNS` (robustness, exact tests, q-values)."""
    robust = robust_labels(labelled, test, rounding=rounding)
    exact = compare_methods(labelled, test, rounding=rounding).reindex(labelled.index)
    q = qvalues(labelled)
    out = labelled.join(
        robust[["pvalue_min", "pvalue_max", "robust_label", "significant_from_n", "combinations_tried"]]
    )
    out = out.join(exact[["fisher", "barnard", "boschloo"]])
    out["exact_agree"] = exact["exact_agree"].astype("boolean")
    out["method_sensitive"] = exact["method_sensitive"].astype("boolean")
    out = out.join(q)
    out.attrs = {"change_test": test, "rounding": rounding}
    return out
