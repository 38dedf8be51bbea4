"""The main points of a report as data: what changed, how firmly, how the ratings follow, what was not tested.

Statistical releases (ONS, NHS) open with "main points": each finding in plain words with its size
and how firm it is, before any table. :func:`main_points` reads them off the report model
(:class:`stats.summary.ReportSummary`) without re-running a test and returns a :class:`MainPoints`
result; every renderer (text, HTML, workbook, notebook) words the same object. Values are
proportions (a change of 0.17 is 17 points); wording and rounding belong to the presentation layer.

A significant change is *robust* when three checks agree with its label, each read from the
summary's columns:

- significant for every feasible count: ``robust_label`` is
  :data:`stats.consistency.ROBUST_ALL` (the test over every count the published whole
  percentages allow, :func:`stats.consistency.robust_labels`);
- the exact tests agree: ``exact_agree`` is True (Fisher, Barnard and Boschloo give the label's
  verdict, :func:`stats.exact.compare_methods`);
- it survives false discovery rate control: ``significant_fdr`` is True (Benjamini-Hochberg
  within its table, :func:`stats.multiplicity.qvalues`).

Otherwise it is *fragile*, and ``reasons`` lists the checks it fails in the words of
:data:`REASONS`. A denominator that is assumed rather than published is a *caveat*
(:data:`CAVEAT_PREVIOUS_ASSUMED`, :data:`CAVEAT_CURRENT_ASSUMED`): in the bundled report every
previous denominator is assumed, so it qualifies every finding equally; pass
``assumed_is_fragile=True`` to count it as a reason as well.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .change import NO_DATA, ChangeTest
from .consistency import ROBUST_ALL, ROBUST_DEPENDS, ROBUST_INFEASIBLE, ROBUST_NONE

if TYPE_CHECKING:
    from .reports import Report
    from .summary import ReportSummary

__all__ = [
    "ASSUMED_SOURCES",
    "CAVEAT_CURRENT_ASSUMED",
    "CAVEAT_PREVIOUS_ASSUMED",
    "FRAGILE",
    "REASONS",
    "REASON_COUNTS",
    "REASON_EXACT",
    "REASON_EXACT_NOT_RUN",
    "REASON_FDR",
    "REASON_INFEASIBLE",
    "REASON_NO_COUNT",
    "ROBUST",
    "ChangePoint",
    "MainPoints",
    "RatingPoint",
    "UntestedPoint",
    "main_points",
]

ROBUST = "robust"
FRAGILE = "fragile"

#: The label depends on which counts lie behind the published percentages.
REASON_COUNTS = "depends on the unknown counts"
#: No count the published percentages allow gives a significant result (only the stated n does).
REASON_NO_COUNT = "significant for no feasible count"
#: A published figure that no count in the denominator range can produce.
REASON_INFEASIBLE = "no feasible count in the range"
#: At least one exact test (Fisher, Barnard, Boschloo) gives the other verdict.
REASON_EXACT = "exact tests disagree"
#: No exact test was run, so their agreement is not established.
REASON_EXACT_NOT_RUN = "exact tests not run"
#: The row's Benjamini-Hochberg q-value exceeds the level.
REASON_FDR = "does not survive FDR control"
#: The previous inspection's denominator is not published (``n_previous_source`` assumed or unknown).
CAVEAT_PREVIOUS_ASSUMED = "previous denominator assumed"
#: The current denominator is not published (``n_source`` assumed or unknown).
CAVEAT_CURRENT_ASSUMED = "current denominator assumed"
#: Every reason a change can be fragile, in the order they are listed.
REASONS = (
    REASON_COUNTS,
    REASON_NO_COUNT,
    REASON_INFEASIBLE,
    REASON_EXACT,
    REASON_EXACT_NOT_RUN,
    REASON_FDR,
    CAVEAT_PREVIOUS_ASSUMED,
    CAVEAT_CURRENT_ASSUMED,
)
#: ``n_source`` / ``n_previous_source`` values (schema: stated, assumed, counted, unknown) that mean
#: the denominator is not a published fact.
ASSUMED_SOURCES = ("assumed", "unknown")

_ROBUST_REASON = {ROBUST_DEPENDS: REASON_COUNTS, ROBUST_NONE: REASON_NO_COUNT, ROBUST_INFEASIBLE: REASON_INFEASIBLE}
_TABLES = ("key question", "prompt")


@dataclass(frozen=True)
class ChangePoint:
    """One significant change and how firm it is.

    Attributes
    ----------
    table : {'key question', 'prompt'}
    id : str
        Key question or prompt id (``2.1.1``, ``2.1.1.a``).
    text : str
        The key question or prompt as published.
    standard, standard_name : str
    label : str
        :data:`stats.change.IMPROVEMENT` or :data:`stats.change.DECLINE`.
    previous, current : float
        Published proportions (0.54, not 54).
    change : float
        ``current - previous``, a proportion (0.17 is 17 points).
    ci_low, ci_high : float
        Confidence interval of the change at ``MainPoints.confidence_level``.
    pvalue, qvalue : float
        The test's p-value and the Benjamini-Hochberg q-value within its table.
    pvalue_max : float
        Largest p-value over the feasible counts.
    n_previous, n_current : int
        Denominators used by the label.
    n_previous_source, n_current_source : str or None
        Where they come from (``stated``, ``assumed``, ``counted``, ``unknown``; None when the
        table does not say).
    firmness : {'robust', 'fragile'}
    reasons : tuple of str
        The checks it fails (empty when robust), from :data:`REASONS`.
    caveats : tuple of str
        Assumed denominators (:data:`CAVEAT_PREVIOUS_ASSUMED`, :data:`CAVEAT_CURRENT_ASSUMED`).

    See Also
    --------
    MainPoints : holds the change points of a report.
    stats.render.points.change_sentence : words a change point.

    Examples
    --------
    >>> import stats
    >>> from stats.summary import summarise
    >>> summary = summarise(stats.load_report())
    >>> c = summary.main_points.changes[0]
    >>> c.id, c.label, c.change, c.firmness
    ('4.2.3', 'significant improvement', 0.47, 'robust')
    >>> c.previous_n_assumed, c.caveats
    (True, ('previous denominator assumed',))
    """

    table: str
    id: str
    text: str
    standard: str
    standard_name: str
    label: str
    previous: float
    current: float
    change: float
    ci_low: float
    ci_high: float
    pvalue: float
    qvalue: float
    pvalue_max: float
    n_previous: int
    n_current: int
    n_previous_source: str | None
    n_current_source: str | None
    firmness: str
    reasons: tuple[str, ...] = ()
    caveats: tuple[str, ...] = ()

    @property
    def previous_n_assumed(self) -> bool:
        """True when the previous denominator is not published."""
        return self.n_previous_source in ASSUMED_SOURCES

    @property
    def current_n_assumed(self) -> bool:
        """True when the current denominator is not published."""
        return self.n_current_source in ASSUMED_SOURCES


@dataclass(frozen=True)
class RatingPoint:
    """One standard's rating: the mechanical one, the panel's decisions and the published one.

    Attributes
    ----------
    standard, standard_name, basis : str
    mechanical_rating : str or None
        The band of the lowest key question (None for standards rated by inspector judgement).
    lowest_key_question : str or None
    lowest_percent : float
        The lowest key question's proportion (0.63, not 63; nan for judgement standards).
    discretion_rating : str or None
        The rating after professional discretion, where the panel used it.
    qualitative_adjustment : int or None
        Bands moved on qualitative evidence (-1, 0, +1), where the panel decided one.
    rating : str
        The rating after the recorded decisions.
    published_rating : str
    matches_published : bool
    decision : {'mechanical', 'discretion', 'qualitative adjustment', 'judgement'}
        What sets ``rating``: the bands alone, professional discretion, a qualitative
        adjustment (0 included: the panel decided to make no change) or inspector judgement.
    reason : str
        The rater's reason (:func:`stats.ratings.rate_report` ``discretion_reason``).

    See Also
    --------
    MainPoints : holds the rating points of a report.
    stats.render.points.rating_sentence : words a rating point.
    stats.ratings.rate_report : the ratings it reads.

    Examples
    --------
    >>> import stats
    >>> from stats.summary import summarise
    >>> summary = summarise(stats.load_report())
    >>> r = summary.main_points.ratings[0]
    >>> r.standard, r.rating, r.published_rating, r.matches_published, r.adjusted
    ('1.1', 'Outstanding', 'Outstanding', True, False)
    """

    standard: str
    standard_name: str
    basis: str
    mechanical_rating: str | None
    lowest_key_question: str | None
    lowest_percent: float
    discretion_rating: str | None
    qualitative_adjustment: int | None
    rating: str
    published_rating: str
    matches_published: bool
    decision: str
    reason: str

    @property
    def adjusted(self) -> bool:
        """True when the panel's discretion or a qualitative adjustment moved the rating off the bands."""
        return self.decision in ("discretion", "qualitative adjustment") and self.rating != self.mechanical_rating


@dataclass(frozen=True)
class UntestedPoint:
    """A row that could not be tested, and why.

    Attributes
    ----------
    table : {'key question', 'prompt'}
    id, text : str
    reason : str
        ``no previous figure``, ``no current figure``, ``no figure at either inspection`` or
        ``no sample size``.
    note : str or None
        The report's own note on the row, where it has one.

    See Also
    --------
    MainPoints : holds the untested rows of a report.

    Examples
    --------
    >>> import stats
    >>> from stats.summary import summarise
    >>> summary = summarise(stats.load_report())
    >>> u = summary.main_points.untested[0]
    >>> u.table, u.id, u.reason
    ('key question', '4.1.1', 'no previous figure')
    """

    table: str
    id: str
    text: str
    reason: str
    note: str | None = None


@dataclass(frozen=True, eq=False)
class MainPoints:
    """The main points of one report, in the order a reader needs them.

    Attributes
    ----------
    report : str
        The report's name (its folder).
    title : str
        Its full title (``report.toml`` ``title``; the name where there is none).
    constructed : bool
        True for constructed (example) data.
    test : ChangeTest
        The specification every verdict was computed with.
    confidence_level : float
        Level of the intervals (``1 - test.alpha``).
    changes : tuple of ChangePoint
        Every significant key question, then every significant prompt; within each, robust
        before fragile, then by the size of the change (largest first).
    ratings : tuple of RatingPoint
        Every standard, in the report's order.
    overall : dict
        ``score``, ``maximum``, ``rating`` (computed) and ``published_score``,
        ``published_rating``.
    untested : tuple of UntestedPoint
        Key questions, then prompts.
    denominators : pandas.DataFrame
        Per table (rows ``key question``, ``prompt``): ``rows``, ``previous_assumed``,
        ``current_assumed`` (counts of rows whose denominator is not published).
    multiplicity : dict
        The prompt family's tests, expected false positives, significant rows and survivors of
        FDR control (:func:`stats.multiplicity.multiplicity_summary`).

    See Also
    --------
    main_points : builds the main points of a report summary.
    stats.render.points.sections : words them.
    stats.render.html.main_points_html : shows them in a notebook.

    Examples
    --------
    >>> import stats
    >>> from stats.summary import summarise
    >>> summary = summarise(stats.load_report())
    >>> mp = summary.main_points
    >>> mp
    MainPoints(report='south-yorkshire-crc-2020', changes=26 (14 robust), adjusted_ratings=1, overall='Good',
    untested=28)
    >>> len(mp.robust), len(mp.fragile), mp.to_frame("changes").shape[0]
    (14, 12, 26)
    """

    report: str
    title: str
    constructed: bool
    test: ChangeTest
    confidence_level: float
    changes: tuple[ChangePoint, ...]
    ratings: tuple[RatingPoint, ...]
    overall: dict
    untested: tuple[UntestedPoint, ...]
    denominators: pd.DataFrame
    multiplicity: dict = field(default_factory=dict)

    @property
    def robust(self) -> tuple[ChangePoint, ...]:
        """The robust changes."""
        return tuple(c for c in self.changes if c.firmness == ROBUST)

    @property
    def fragile(self) -> tuple[ChangePoint, ...]:
        """The fragile changes."""
        return tuple(c for c in self.changes if c.firmness == FRAGILE)

    @property
    def adjusted_ratings(self) -> tuple[RatingPoint, ...]:
        """Standards whose rating the panel moved off the bands (discretion or qualitative evidence)."""
        return tuple(r for r in self.ratings if r.adjusted)

    def to_frame(self, part: str = "all") -> pd.DataFrame:
        """The main points as a DataFrame (for notebooks and workbooks).

        Parameters
        ----------
        part : {'all', 'changes', 'ratings', 'untested'}, default 'all'
            One section, or all three stacked in order with a ``section`` column; ``reasons``
            and ``caveats`` are joined with "; ".

        Returns
        -------
        pandas.DataFrame
        """
        parts = {"changes": self.changes, "ratings": self.ratings, "untested": self.untested}
        if part not in ("all", *parts):
            raise ValueError(f"part ({part!r}) must be one of 'all', 'changes', 'ratings' or 'untested'.")
        frames = {name: _frame(items, name) for name, items in parts.items()}
        if part != "all":
            return frames[part].drop(columns="section")
        return pd.concat([f for f in frames.values() if len(f)], ignore_index=True)

    def _repr_html_(self) -> str:
        """In Jupyter: the main points as the HTML report words them (:func:`stats.render.html.main_points_html`)."""
        from .render.html import main_points_html

        return main_points_html(self)

    def __repr__(self) -> str:
        return (
            f"MainPoints(report={self.report!r}, changes={len(self.changes)} ({len(self.robust)} robust), "
            f"adjusted_ratings={len(self.adjusted_ratings)}, overall={self.overall.get('rating')!r}, "
            f"untested={len(self.untested)})"
        )


def _frame(items: Iterable[Any], section: str) -> pd.DataFrame:
    from dataclasses import asdict

    rows = []
    for item in items:
        row = asdict(item)
        for key in ("reasons", "caveats"):
            if key in row:
                row[key] = "; ".join(row[key])
        rows.append(row)
    out = pd.DataFrame(rows)
    out.insert(0, "section", section)
    return out


def _source(row: pd.Series, column: str) -> str | None:
    value = row.get(column, None)
    return None if value is None or pd.isna(value) else str(value)


def _firmness(row: pd.Series, *, assumed_is_fragile: bool) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """(firmness, reasons, caveats) of a significant row, from its check columns."""
    reasons = []
    robust_label = str(row.get("robust_label"))
    if robust_label != ROBUST_ALL:
        reasons.append(_ROBUST_REASON.get(robust_label, REASON_COUNTS))
    agree = row.get("exact_agree", pd.NA)
    if pd.isna(agree):
        reasons.append(REASON_EXACT_NOT_RUN)
    elif not bool(agree):
        reasons.append(REASON_EXACT)
    fdr = row.get("significant_fdr", pd.NA)
    if pd.isna(fdr) or not bool(fdr):
        reasons.append(REASON_FDR)
    caveats = []
    if _source(row, "n_previous_source") in ASSUMED_SOURCES:
        caveats.append(CAVEAT_PREVIOUS_ASSUMED)
    if _source(row, "n_source") in ASSUMED_SOURCES:
        caveats.append(CAVEAT_CURRENT_ASSUMED)
    if assumed_is_fragile:
        reasons.extend(caveats)
    return (FRAGILE if reasons else ROBUST), tuple(reasons), tuple(caveats)


def _ids(table: pd.DataFrame, kind: str) -> tuple[pd.Series, pd.Series]:
    if kind == "prompt":
        return table["prompt_id"].astype(str), table["prompt"].astype(str)
    return table["key_question"].astype(str), table["key_question_text"].astype(str)


def _changes(table: pd.DataFrame, kind: str, *, assumed_is_fragile: bool) -> list[ChangePoint]:
    significant = table["significant"].fillna(False).astype(bool)
    ids, texts = _ids(table, kind)
    out = []
    for i in table.index[significant.to_numpy()]:
        row = table.loc[i]
        firmness, reasons, caveats = _firmness(row, assumed_is_fragile=assumed_is_fragile)
        out.append(
            ChangePoint(
                table=kind,
                id=ids[i],
                text=texts[i],
                standard=str(row["standard"]),
                standard_name=str(row["standard_name"]),
                label=str(row["label"]),
                previous=float(row["previous"]) / 100,
                current=float(row["current"]) / 100,
                change=float(row["difference"]),
                ci_low=float(row["ci_low"]),
                ci_high=float(row["ci_high"]),
                pvalue=float(row["pvalue"]),
                qvalue=float(row.get("qvalue", np.nan)),
                pvalue_max=float(row.get("pvalue_max", np.nan)),
                n_previous=int(row["n_previous"]),
                n_current=int(row["n_current"]),
                n_previous_source=_source(row, "n_previous_source"),
                n_current_source=_source(row, "n_source"),
                firmness=firmness,
                reasons=reasons,
                caveats=caveats,
            )
        )
    out.sort(key=lambda c: (c.firmness != ROBUST, -abs(c.change)))
    return out


def _untested(table: pd.DataFrame, kind: str) -> list[UntestedPoint]:
    ids, texts = _ids(table, kind)
    out = []
    for i in table.index[table["label"].eq(NO_DATA).to_numpy()]:
        row = table.loc[i]
        prev, cur = pd.isna(row["previous"]), pd.isna(row["current"])
        if prev and cur:
            reason = "no figure at either inspection"
        elif prev:
            reason = "no previous figure"
        elif cur:
            reason = "no current figure"
        else:
            reason = "no sample size"
        note = row.get("note", None)
        out.append(UntestedPoint(kind, ids[i], texts[i], reason, None if note is None or pd.isna(note) else str(note)))
    return out


def _optional(value, cast):
    return None if value is None or pd.isna(value) else cast(value)


def _ratings(ratings: pd.DataFrame) -> list[RatingPoint]:
    out = []
    for _, r in ratings.iterrows():
        discretion = _optional(r.get("discretion_rating"), str)
        adjustment = _optional(r.get("qualitative_adjustment"), int)
        mechanical = _optional(r.get("mechanical_rating"), str)
        if mechanical is None:
            decision = "judgement"
        elif discretion is not None:
            decision = "discretion"
        elif adjustment is not None:
            decision = "qualitative adjustment"
        else:
            decision = "mechanical"
        lowest = r.get("lowest_percent")
        out.append(
            RatingPoint(
                standard=str(r["standard"]),
                standard_name=str(r["standard_name"]),
                basis=str(r["basis"]),
                mechanical_rating=mechanical,
                lowest_key_question=_optional(r.get("lowest_key_question"), str),
                lowest_percent=np.nan if pd.isna(lowest) else float(lowest) / 100,
                discretion_rating=discretion,
                qualitative_adjustment=adjustment,
                rating=str(r["rating"]),
                published_rating=str(r["published_rating"]),
                matches_published=bool(r["matches_published"]),
                decision=decision,
                reason=str(r.get("discretion_reason", "")),
            )
        )
    return out


def _denominators(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    rows = {}
    for kind, table in tables.items():
        prev = table["n_previous_source"] if "n_previous_source" in table else pd.Series(dtype=object)
        cur = table["n_source"] if "n_source" in table else pd.Series(dtype=object)
        rows[kind] = {
            "rows": len(table),
            "previous_assumed": int(prev.isin(ASSUMED_SOURCES).sum()),
            "current_assumed": int(cur.isin(ASSUMED_SOURCES).sum()),
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def _title(summary: ReportSummary, report: Report | None) -> str:
    if report is None and summary.title and summary.title != summary.name:
        return summary.title  # summarise read it from report.toml
    if report is not None:
        title = report.metadata.get("title")
    else:
        title = summary.extra.get("title") or summary.extra.get("metadata", {}).get("title")
        if not title:
            from .reports import available_reports, load_report

            if summary.name in available_reports():
                title = load_report(summary.name).metadata.get("title")
    return str(title) if title else summary.name


def main_points(
    summary: ReportSummary, report: Report | None = None, *, assumed_is_fragile: bool = False
) -> MainPoints:
    """The main points of a report: significant changes with their firmness, ratings, what was not tested.

    Reads only the columns of the report model; nothing is re-tested, so the main points always
    agree with the tables and charts of the same summary.

    Parameters
    ----------
    summary : stats.summary.ReportSummary
        From :func:`stats.summary.summarise`.
    report : stats.Report, optional
        The report the summary was made from, for its title (``report.toml``). Default: the
        summary's ``extra['title']`` if set, else the bundled report of that name; a folder of
        your own without ``report`` falls back to the name.
    assumed_is_fragile : bool, default False
        Count an assumed denominator as a reason for fragility, not only as a caveat. Off by
        default: when every previous denominator is assumed (the bundled report) it would make
        every change fragile and hide the differences the other checks show.

    Returns
    -------
    MainPoints

    See Also
    --------
    MainPoints : the result.
    stats.summary.summarise : the report model it reads (``summary.main_points`` calls this).
    stats.render.points.sections : the main points in words.

    Notes
    -----
    A significant row (``significant`` True; its ``label`` is an improvement or a decline) is
    *robust* when ``robust_label == ROBUST_ALL``, ``exact_agree`` is True and
    ``significant_fdr`` is True; otherwise *fragile* with the failing checks as reasons (see
    the module docstring). Rows labelled "no comparable data" are listed as untested, with
    which figure is missing. Ratings come from the ``ratings`` table: ``decision`` says
    whether the bands, professional discretion, a qualitative adjustment or inspector
    judgement set each rating.

    Examples
    --------
    >>> import stats
    >>> from stats.summary import summarise
    >>> from stats.findings import main_points
    >>> points = main_points(summarise(stats.load_report()))
    >>> points.title
    'An inspection of probation services: South Yorkshire Community Rehabilitation Company'
    >>> [(r.standard_name, r.mechanical_rating, r.rating) for r in points.adjusted_ratings]
    [('Assessment', 'Requires improvement', 'Good')]
    """
    from .summary import ReportSummary

    if not isinstance(summary, ReportSummary):
        raise TypeError(
            "summary must be a stats.summary.ReportSummary from stats.summary.summarise "
            f"(got {type(summary).__name__})."
        )
    if not isinstance(assumed_is_fragile, (bool, np.bool_)):
        raise TypeError(f"assumed_is_fragile must be True or False (got {assumed_is_fragile!r}).")
    tables = {"key question": summary.key_questions, "prompt": summary.prompts}
    changes, untested = [], []
    for kind in _TABLES:
        changes += _changes(tables[kind], kind, assumed_is_fragile=bool(assumed_is_fragile))
        untested += _untested(tables[kind], kind)
    published = summary.published_overall
    overall = {
        "score": summary.overall.score,
        "maximum": summary.overall.maximum,
        "rating": summary.overall.rating,
        "published_score": _optional(published.get("score"), int),
        "published_rating": _optional(published.get("rating"), str),
    }
    return MainPoints(
        report=summary.name,
        title=_title(summary, report),
        constructed=bool(summary.constructed),
        test=summary.test,
        confidence_level=1 - summary.test.alpha,
        changes=tuple(changes),
        ratings=tuple(_ratings(summary.ratings)),
        overall=overall,
        untested=tuple(untested),
        denominators=_denominators(tables),
        multiplicity=dict(summary.multiplicity),
    )
