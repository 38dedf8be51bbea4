"""Ratings engine: banding, standard ratings, the total score and discretion flags (Annexe 2).

"For each standard, the rating is aligned to the lowest banding at the key
question level" (Annexe 2, "Ratings explained"): Inadequate below 50 %,
Requires improvement 50-64 %, Good 65-79 %, Outstanding 80 % and above. Each
scored standard earns points (0-3) and the total is banded again ("Overall
provider rating"). Every rule (ratings, points, band limits, which standards
are rated by judgement, which key questions are qualitative) is read from a
:class:`~stats.framework.Framework`: pass ``framework=`` (a bundled name such as
``"youth-2018"``, a TOML path or a Framework); the default is the adult
probation framework of the bundled report (10 standards, 0-30).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from . import _validation as v
from .framework import Framework, FrameworkLike, load_framework

__all__ = [
    "RATINGS",
    "KEY_QUESTION_BOUNDARIES",
    "OVERALL_BOUNDARIES",
    "band",
    "score",
    "overall",
    "OverallRating",
    "rate_standard",
    "StandardRating",
    "rate_report",
    "check_overall",
]

# Read from the default framework file (stats/frameworks/adult-2018.toml), kept for convenience.
_DEFAULT = load_framework()
#: Ratings from lowest to highest (default framework).
RATINGS = _DEFAULT.ratings
#: Lower limits (percent) of Requires improvement, Good and Outstanding at key-question level (default framework).
KEY_QUESTION_BOUNDARIES = _DEFAULT.key_question_bands
#: Lower limits of the overall bands of the default framework (0-5, 6-15, 16-25, 26-30).
OVERALL_BOUNDARIES = _DEFAULT.overall_bands


def _check_percent(name: str, value: object) -> np.ndarray:
    arr = v.as_float_array(name, value)
    v.check_not_nan(name, arr)
    bad = (arr < 0) | (arr > 100)
    if bad.any():
        raise ValueError(f"{name} must be a percentage from 0 to 100 ({v.first_bad(arr, bad)}).")
    return arr


def band(percent: ArrayLike, *, framework: FrameworkLike = None) -> Any:
    r"""Rating band of a key-question percentage.

    Parameters
    ----------
    percent : float or array_like
        Percentage (0 to 100) of cases judged satisfactory.
    framework : str, path or Framework, optional
        Whose key-question band limits to use (default: the adult probation framework).

    Returns
    -------
    str or ndarray of str
        "Inadequate" (< 50), "Requires improvement" (50 to < 65), "Good"
        (65 to < 80) or "Outstanding" (80 and above).

    See Also
    --------
    rate_standard : The band of a standard's lowest key question, with discretion.
    stats.framework.Framework.band : The framework method applied here.

    Notes
    -----
    The report publishes whole percentages and bands them as "<50%",
    "50-64%", "65-79%" and "80%+". A value between bands, such as 64.5, is
    compared with the lower limits 50, 65 and 80 as it is: 64.5 is below 65,
    so "Requires improvement". Round first (``band(round(x))``) to band a
    percentage as it would be published.

    Examples
    --------
    >>> from stats.ratings import band
    >>> band(63), band(64.5), band(65)
    ('Requires improvement', 'Requires improvement', 'Good')
    """
    arr = _check_percent("percent", percent)
    return load_framework(framework).band(arr)


def _check_rating(name: str, rating: object, fw: Framework = _DEFAULT) -> str:
    if not isinstance(rating, str) or rating not in fw.ratings:
        raise ValueError(f"{name} ({rating!r}) must be one of {', '.join(map(repr, fw.ratings))}.")
    return rating


def score(rating: str, *, framework: FrameworkLike = None) -> int:
    """Points of a standard rating in the framework.

    Default framework: Inadequate 0, Requires improvement 1, Good 2, Outstanding 3.

    See Also
    --------
    overall : Sums the scores of the scored standards.
    band : The rating of a key-question percentage.

    Examples
    --------
    >>> from stats.ratings import score
    >>> score("Good")
    2
    """
    fw = load_framework(framework)
    return fw.score(_check_rating("rating", rating, fw))


@dataclass(frozen=True)
class OverallRating:
    """Overall provider rating: ``score`` out of ``maximum`` and its ``rating`` band.

    See Also
    --------
    overall : Returns it.
    check_overall : Checks published overall ratings against their scores.

    Examples
    --------
    >>> from stats.ratings import overall
    >>> result = overall(["Good"] * 10)
    >>> result.score, result.rating, result.maximum
    (20, 'Good', 30)
    """

    score: int
    rating: str
    n_standards: int
    maximum: int
    framework: str


def overall(
    ratings: Sequence[str] | Mapping[str, str] | pd.Series, *, framework: FrameworkLike = None
) -> OverallRating:
    """Sum the standard scores and band the total (Annexe 2, "Overall provider rating").

    Parameters
    ----------
    ratings : sequence or mapping of str
        The rating of each scored standard of the framework (10 for adult
        probation, 12 for youth offending services); no weights.
    framework : str, path or Framework, optional
        Points and overall bands (default: adult probation, 0-30).

    Returns
    -------
    OverallRating
        Total score, its band (adult: 0-5 Inadequate, 6-15 Requires
        improvement, 16-25 Good, 26-30 Outstanding; youth: 0-6, 7-18, 19-30,
        31-36), the number of standards and the maximum.

    See Also
    --------
    score : The points of one rating.
    check_overall : The same rule applied to a table of published inspections.

    References
    ----------
    .. [1] HM Inspectorate of Probation, "Rating framework", Annexe 2 of each inspection report
           ("Overall provider rating": the sum of the standards' scores, banded).

    Examples
    --------
    >>> from stats.ratings import overall
    >>> overall(["Outstanding"] * 2 + ["Good"] * 4 + ["Requires improvement"] * 3 + ["Outstanding"])
    OverallRating(score=20, rating='Good', n_standards=10, maximum=30, framework='adult-2018')
    >>> overall(["Good"] * 12, framework="youth-2018").rating
    'Good'
    """
    fw = load_framework(framework)
    items = list(ratings.values()) if isinstance(ratings, Mapping) else list(ratings)
    if not items:
        raise ValueError("ratings must hold at least one standard rating (got none).")
    total = sum(fw.score(_check_rating(f"ratings[{i}]", r, fw)) for i, r in enumerate(items))
    n = len(fw.scored_standards)
    if len(items) != n:
        # The bands are defined for the framework's scored standards; say so rather than guess.
        raise ValueError(
            f"ratings must hold the {n} standards the overall bands of framework {fw.name!r} "
            f"are defined for (got {len(items)})."
        )
    return OverallRating(
        score=int(total), rating=fw.overall_rating(total), n_standards=len(items), maximum=fw.maximum, framework=fw.name
    )


@dataclass(frozen=True)
class StandardRating:
    """Mechanical rating of one standard and whether discretion may be considered.

    Attributes
    ----------
    rating : str
        Band of the lowest key-question percentage.
    lowest : float
        That percentage.
    lowest_key_question : object
        Its label (position or the key given in a mapping/Series).
    discretion_candidate : bool
        True when the lowest percentage is within 5 points of a band
        boundary, or one case judged differently would change its band.
    reasons : tuple of str
        Why it is (or is not) a candidate, in words.

    See Also
    --------
    rate_standard : Returns it.
    rate_report : One rating per standard of a report, as a table.

    Examples
    --------
    >>> from stats.ratings import rate_standard
    >>> result = rate_standard([72, 58, 81])
    >>> result.rating, result.lowest, result.discretion_candidate
    ('Requires improvement', 58.0, False)
    """

    rating: str
    lowest: float
    lowest_key_question: object
    discretion_candidate: bool
    reasons: tuple


def rate_standard(
    key_question_percents: Sequence[float] | Mapping[str, float] | np.ndarray | pd.Series,
    *,
    n: int | Sequence[int] | Mapping[str, int] | pd.Series | None = None,
    framework: FrameworkLike = None,
) -> StandardRating:
    r"""Rate a standard from its key-question percentages.

    Parameters
    ----------
    key_question_percents : sequence, mapping or pandas.Series of float
        Percentage of each key question (0 to 100). Keys (or the Series
        index) label the key questions.
    n : int, sequence, mapping or Series, optional
        Cases behind each percentage, for the one-case rule; a single number
        applies to all.
    framework : str, path or Framework, optional
        Band limits and discretion distance (default: adult probation).

    Returns
    -------
    StandardRating

    See Also
    --------
    band : The band of one percentage.
    rate_report : Every standard of a report, compared with the published ratings.

    Notes
    -----
    Rating: the band of the lowest key-question percentage (Annexe 2).
    Discretion (Annexe 2): "where the lowest percentage at the key question
    level is close to the rating boundary ... (specifically, within five
    percentage points of the boundary or where a differing judgement in one
    case would result in a change in rating)". Here: the lowest percentage
    :math:`p` is a candidate if :math:`|p - b| \le 5` for a boundary
    :math:`b \in \{50, 65, 80\}` (the framework's ``key_question_bands``), or, with ``n`` cases, if
    one case more or fewer, :math:`100 (k \pm 1)/m`, falls in another band, where :math:`k/m` is the count
    that publishes as :math:`p` (:func:`stats.consistency.nearest_feasible`: 67 % of 43 is 29/43, so one
    case fewer is 28/43 = 65.1 %, not 67 - 100/43 = 64.7 %). Whether discretion is exercised is the panel's
    decision: record it as an input (see :func:`rate_report`).

    Examples
    --------
    >>> from stats.ratings import rate_standard
    >>> r = rate_standard({"2.1.1": 63, "2.1.2": 74, "2.1.3": 67})
    >>> r.rating, r.lowest_key_question, r.discretion_candidate
    ('Requires improvement', '2.1.1', True)
    """
    if isinstance(key_question_percents, pd.Series):
        series = key_question_percents
    elif isinstance(key_question_percents, Mapping):
        series = pd.Series(dict(key_question_percents), dtype=float)
    elif isinstance(key_question_percents, (Sequence, np.ndarray)):
        series = pd.Series(list(key_question_percents), dtype=float)
    else:
        raise TypeError(
            f"key_question_percents must be a sequence, mapping or Series (got {type(key_question_percents).__name__})."
        )
    if series.empty:
        raise ValueError("a standard must have at least one key question percentage (got none).")
    fw = load_framework(framework)
    values = _check_percent("key_question_percents", series.to_numpy(dtype=float))
    i = int(np.argmin(values))
    lowest = float(values[i])
    rating = fw.band(lowest)
    near = fw.discretion_points
    reasons = [
        f"lowest key question ({lowest:g}%) is within {near:g} points of the {b:g}% boundary"
        for b in fw.key_question_bands
        if abs(lowest - b) <= near
    ]
    if n is not None:
        if isinstance(n, (pd.Series, Mapping)):
            n_i = pd.Series(dict(n) if isinstance(n, Mapping) else n)[series.index[i]]
        elif np.ndim(n) == 0 or isinstance(n, int):
            n_i = n
        else:
            n_i = list(n)[i]
        k, m = _published_count(lowest, int(v.check_count("n", n_i)))
        for other in (k - 1, k + 1):
            moved = 100 * other / m
            if 0 <= other <= m and fw.band(moved) != rating:
                reasons.append(
                    f"one case of {m} moves it from {k}/{m} to {other}/{m} = {moved:.1f}% ({fw.band(moved)})"
                )
    if not reasons:
        reasons.append(
            f"lowest key question ({lowest:g}%) is more than {near:g} points from every boundary"
            + (" and one case would not change its band" if n is not None else "")
        )
        candidate = False
    else:
        candidate = True
    return StandardRating(
        rating=rating,
        lowest=lowest,
        lowest_key_question=series.index[i],
        discretion_candidate=candidate,
        reasons=tuple(reasons),
    )


def _published_count(percent: float, n: int) -> tuple[int, int]:
    """The count ``(k, m)`` behind a published percentage: for a whole percentage, the count that
    publishes as it (:func:`stats.consistency.nearest_feasible`: at ``n`` when possible, else the largest
    sub-sample that can give it); otherwise the nearest count at ``n``."""
    from .consistency import nearest_feasible

    if float(percent).is_integer():
        try:
            return nearest_feasible(int(percent), n)
        except ValueError:
            pass
    return int(np.floor(percent * n / 100 + 0.5)), n


def _shift(rating: str, steps: int, fw: Framework) -> str:
    return fw.ratings[min(max(fw.ratings.index(rating) + steps, 0), len(fw.ratings) - 1)]


def rate_report(
    key_questions: pd.DataFrame, standards: pd.DataFrame, *, framework: FrameworkLike = None
) -> pd.DataFrame:
    """Rate every standard of a report and compare with the published ratings.

    Parameters
    ----------
    key_questions : pandas.DataFrame
        Columns ``standard``, ``key_question``, ``current`` (percent) and
        optionally ``n_current`` (for the one-case rule), as the bundled
        ``key_questions.csv``.
    standards : pandas.DataFrame
        Columns ``standard``, ``standard_name``, ``current_rating``
        (published), and the recorded panel decisions: ``discretion_rating``
        (the rating after professional discretion, blank where none) and
        ``qualitative_adjustment`` (-1, 0 or +1 band from qualitative
        evidence, for standards with a qualitative key question).
    framework : str, path or Framework, optional
        Which standards are rated by judgement, which key questions rate each
        standard, bands and points (default: adult probation; a loaded
        :class:`~stats.reports.Report` carries its own as ``report.framework``).

    Returns
    -------
    pandas.DataFrame
        One row per standard: ``basis`` (from the framework),
        ``mechanical_rating`` (lowest band of the standard's non-qualitative
        key questions; for adult unpaid work the indicative rating from
        4.1.1, 4.1.2 and 4.1.4), ``lowest_key_question``, ``lowest_percent``,
        ``discretion_candidate`` and ``discretion_reason``,
        ``discretion_rating``, ``qualitative_adjustment``, ``rating`` (after
        the recorded decisions), ``published_rating``, ``matches_published``
        and ``score`` (points; missing for a standard the framework does not score).

    See Also
    --------
    rate_standard : The rule for one standard.
    overall : The overall rating from the standards' ratings.
    stats.load_report : A report whose tables this takes.

    Notes
    -----
    Standards whose framework basis is "inspector judgement" (domain one of
    both bundled frameworks) take their published rating as the input; no
    mechanical rating is computed.

    Examples
    --------
    >>> import stats
    >>> report = stats.load_report()
    >>> from stats.ratings import rate_report
    >>> rated = rate_report(report.key_questions, report.standards, framework=report.framework)
    >>> rated.loc[rated["basis"] == "case data", ["standard", "lowest_percent", "mechanical_rating", "rating"]]
      standard  lowest_percent     mechanical_rating                rating
    4      2.1            63.0  Requires improvement                  Good
    5      2.2            59.0  Requires improvement  Requires improvement
    6      2.3            59.0  Requires improvement  Requires improvement
    7      2.4            59.0  Requires improvement  Requires improvement
    9      4.2            86.0           Outstanding           Outstanding
    >>> bool(rated["matches_published"].all()), int(rated["score"].sum())
    (True, 20)
    """
    fw = load_framework(framework)
    for col in ("standard", "current"):
        if col not in key_questions.columns:
            raise ValueError(f"key_questions has no column {col!r}.")
    for col in ("standard", "standard_name", "current_rating"):
        if col not in standards.columns:
            raise ValueError(f"standards has no column {col!r}.")
    rows = []
    for _, std in standards.iterrows():
        sid = str(std["standard"])
        rule = fw.standard(sid)
        published = _check_rating(f"standard {sid} current_rating", std["current_rating"], fw)
        kq = key_questions[key_questions["standard"].astype(str) == sid]
        if "key_question" in kq.columns:
            kq = kq[kq["key_question"].astype(str).isin(rule.rated_key_questions)]
        kq = kq[kq["current"].notna()]
        row = {"standard": sid, "standard_name": std["standard_name"], "basis": rule.basis}
        discretion = std.get("discretion_rating", pd.NA)
        adjustment = std.get("qualitative_adjustment", pd.NA)
        if rule.judgement:
            row.update(
                mechanical_rating=pd.NA,
                lowest_key_question=pd.NA,
                lowest_percent=np.nan,
                discretion_candidate=pd.NA,
                discretion_reason="inspector judgement (input)",
            )
            final = published
        else:
            if kq.empty:
                raise ValueError(f"standard {sid} has no key question percentages to rate it from.")
            labels = kq["key_question"].astype(str).to_numpy() if "key_question" in kq.columns else kq.index
            percents = pd.Series(kq["current"].to_numpy(dtype=float), index=labels)
            n = pd.Series(kq["n_current"].to_numpy(dtype=float), index=labels) if "n_current" in kq.columns else None
            r = rate_standard(percents, n=n, framework=fw)
            row.update(
                mechanical_rating=r.rating,
                lowest_key_question=r.lowest_key_question,
                lowest_percent=r.lowest,
                discretion_candidate=r.discretion_candidate,
                discretion_reason="; ".join(r.reasons),
            )
            final = r.rating
            if pd.notna(adjustment):
                steps = int(adjustment)
                if steps not in (-1, 0, 1):
                    raise ValueError(f"standard {sid} qualitative_adjustment must be -1, 0 or 1 (got {adjustment!r}).")
                if steps and not rule.adjustable:
                    raise ValueError(
                        f"standard {sid} qualitative_adjustment must be blank: framework {fw.name!r} "
                        f"gives it no qualitative key question (got {adjustment!r})."
                    )
                final = _shift(final, steps, fw)
            if pd.notna(discretion):
                final = _check_rating(f"standard {sid} discretion_rating", discretion, fw)
        row.update(
            discretion_rating=discretion,
            qualitative_adjustment=adjustment,
            rating=final,
            published_rating=published,
            matches_published=final == published,
            score=fw.score(final) if rule.scored else pd.NA,
        )
        rows.append(row)
    rated = pd.DataFrame(rows)
    rated.attrs["framework"] = fw  # the bands the ratings were read against (charts draw the same)
    return rated


def _limits_text(fw: Framework, rating: str) -> str:
    lo, hi, _ = next(x for x in fw.overall_limits() if x[2] == rating)
    return f"{lo}-{hi}"


def check_overall(table: pd.DataFrame, *, framework: FrameworkLike = None) -> pd.DataFrame:
    r"""Flag inspections whose published overall rating does not follow from their score.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per inspection with the published overall ``rating`` and
        ``score`` (total points) or ``percent`` (the total as a percentage of
        the framework's maximum, 0-100 as published) or both. An optional
        ``framework`` column names each row's framework (bundled name or TOML
        path); other columns pass through.
    framework : str, path or Framework, optional
        Framework of rows without a ``framework`` column (default: adult
        probation).

    Returns
    -------
    pandas.DataFrame
        The input columns and ``maximum``, ``score_low``, ``score_high``
        (the whole scores the row's figures allow), ``expected_rating`` (the
        band of those scores; two bands joined by " or " when a rounded
        percentage allows both), ``consistent`` (False flags the row) and
        ``reason`` (in words, e.g. "18/36 is in the Requires improvement band
        (7-18), not Good").

    Raises
    ------
    ValueError
        Naming the row (numbered from 1) and column: a missing column, a
        score that is not a whole number from 0 to the maximum, a percentage
        outside 0-100, a rating the framework does not have.

    See Also
    --------
    overall : The rule checked, for one inspection.

    Notes
    -----
    A score :math:`s` out of :math:`M` is banded with the framework's
    overall limits. A percentage :math:`q` is published rounded to a whole
    number, so the scores it allows are the whole :math:`s` with
    :math:`|100 s / M - q| \le 0.5`; none means the percentage cannot come
    from any total. Where both are given, they must agree in the same sense.

    Examples
    --------
    >>> import pandas as pd
    >>> from stats.ratings import check_overall
    >>> t = pd.DataFrame({"score": [20, 18], "rating": ["Good", "Good"]})
    >>> check_overall(t, framework="youth-2018")[["expected_rating", "consistent"]]
            expected_rating  consistent
    0                  Good        True
    1  Requires improvement       False
    >>> check_overall(t)["consistent"].tolist()
    [True, True]
    """
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"table must be a pandas DataFrame (got {type(table).__name__}).")
    if "rating" not in table.columns:
        raise ValueError(
            f"table has no column 'rating' (the published overall rating); columns are {list(table.columns)}."
        )
    if "score" not in table.columns and "percent" not in table.columns:
        raise ValueError(
            "table needs a column 'score' (total points) or 'percent' (percentage of the maximum); "
            f"columns are {list(table.columns)}."
        )
    default = load_framework(framework)
    out = []
    for i, (_, row) in enumerate(table.iterrows(), start=1):
        fw = (
            load_framework(row["framework"]) if "framework" in table.columns and pd.notna(row["framework"]) else default
        )
        published = row["rating"]
        if not isinstance(published, str) or published not in fw.ratings:
            raise ValueError(
                f"row {i}, column 'rating': {published!r} must be one of "
                f"{', '.join(map(repr, fw.ratings))} (framework {fw.name!r})."
            )
        m = fw.maximum
        given_score = row["score"] if "score" in table.columns and pd.notna(row["score"]) else None
        given_pct: Any = row["percent"] if "percent" in table.columns and pd.notna(row["percent"]) else None
        if given_score is None and given_pct is None:
            raise ValueError(f"row {i}: needs a 'score' or a 'percent' (both are blank).")
        problems = []
        q = float("nan")  # the percentage, where no score is given
        reason_ok = ""  # the reason of a consistent row
        if given_score is not None:
            s = float(given_score)
            if s != int(s) or not 0 <= s <= m:
                raise ValueError(
                    f"row {i}, column 'score': must be a whole number from 0 to {m} "
                    f"(framework {fw.name!r}) (got {given_score!r})."
                )
            scores = [int(s)]
            if given_pct is not None and abs(100 * s / m - float(given_pct)) > 0.5:
                problems.append(f"percent {float(given_pct):g} does not match {int(s)}/{m} ({100 * s / m:.1f}%)")
        else:
            q = float(given_pct)
            if not 0 <= q <= 100:
                raise ValueError(f"row {i}, column 'percent': must be a percentage from 0 to 100 (got {given_pct!r}).")
            scores = [k for k in range(m + 1) if abs(100 * k / m - q) <= 0.5 + 1e-9]
        if not scores:
            nearest = min(range(m + 1), key=lambda k: abs(100 * k / m - q))
            expected, lo, hi = "", np.nan, np.nan
            problems.append(
                f"no whole score out of {m} publishes as {q:g}% (nearest {nearest}/{m} = {100 * nearest / m:.1f}%)"
            )
            consistent = False
        else:
            bands = list(dict.fromkeys(fw.overall_rating(k) for k in scores))
            expected, lo, hi = " or ".join(bands), min(scores), max(scores)
            shown = f"{lo}/{m}" if lo == hi else f"{lo}-{hi}/{m}"
            if given_score is None:
                shown = f"{q:g}% ({shown})"
            consistent = published in bands and not problems
            if published not in bands:
                problems.append(
                    f"{shown} is in the {expected} band ({', '.join(_limits_text(fw, b) for b in bands)}), "
                    f"not {published}"
                )
            elif not problems:
                reason_ok = f"{shown} is in the {published} band ({_limits_text(fw, published)})"
        reason = "; ".join(problems) if problems else reason_ok
        out.append(
            {
                "maximum": m,
                "score_low": lo,
                "score_high": hi,
                "expected_rating": expected,
                "consistent": bool(consistent),
                "reason": reason,
            }
        )
    added = pd.DataFrame(
        out,
        index=table.index,
        columns=["maximum", "score_low", "score_high", "expected_rating", "consistent", "reason"],
    )
    added[["score_low", "score_high"]] = added[["score_low", "score_high"]].astype("Int64")
    return pd.concat([table, added], axis=1)
