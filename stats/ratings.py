"""Ratings engine: banding, standard ratings, the 0-30 score and discretion flags (Annexe 2).

"For each standard, the rating is aligned to the lowest banding at the key
question level" (Annexe 2, "Ratings explained"): Inadequate below 50 %,
Requires improvement 50-64 %, Good 65-79 %, Outstanding 80 % and above. Each
of the 10 standards scores 0-3 and the total (0-30) is banded again
("Overall provider rating").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import _validation as v

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
    "UNPAID_WORK_KEY_QUESTIONS",
    "QUALITATIVE_KEY_QUESTIONS",
]

#: Ratings from lowest to highest; the index is the score (0-3).
RATINGS = ("Inadequate", "Requires improvement", "Good", "Outstanding")
#: Lower limits (percent) of Requires improvement, Good and Outstanding at key-question level.
KEY_QUESTION_BOUNDARIES = (50.0, 65.0, 80.0)
#: Lower limits of the overall bands on the 0-30 scale (0-5, 6-15, 16-25, 26-30).
OVERALL_BOUNDARIES = (6, 16, 26)
#: Key questions whose case data give the indicative unpaid work rating (4.1.3 is qualitative).
UNPAID_WORK_KEY_QUESTIONS = ("4.1.1", "4.1.2", "4.1.4")
#: Key questions of the framework answered by qualitative evidence only (no prompts, no percentage).
QUALITATIVE_KEY_QUESTIONS = ("4.1.3",)
#: Distance (points) from a boundary within which the ratings panel may consider discretion.
DISCRETION_POINTS = 5.0


def _check_percent(name, value) -> np.ndarray:
    arr = v.as_float_array(name, value)
    v.check_not_nan(name, arr)
    bad = (arr < 0) | (arr > 100)
    if bad.any():
        raise ValueError(f"{name} must be a percentage from 0 to 100 ({v._first_bad(arr, bad)}).")
    return arr


def band(percent):
    r"""Rating band of a key-question percentage.

    Parameters
    ----------
    percent : float or array_like
        Percentage (0 to 100) of cases judged satisfactory.

    Returns
    -------
    str or ndarray of str
        "Inadequate" (< 50), "Requires improvement" (50 to < 65), "Good"
        (65 to < 80) or "Outstanding" (80 and above).

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
    idx = np.searchsorted(KEY_QUESTION_BOUNDARIES, arr, side="right")
    out = np.asarray(RATINGS, dtype=object)[idx]
    return str(out) if np.ndim(out) == 0 else out


def _check_rating(name, rating) -> str:
    if not isinstance(rating, str) or rating not in RATINGS:
        raise ValueError(f"{name} ({rating!r}) must be one of {', '.join(map(repr, RATINGS))}.")
    return rating


def score(rating) -> int:
    """Score of a standard rating: Inadequate 0, Requires improvement 1, Good 2, Outstanding 3.

    Examples
    --------
    >>> from stats.ratings import score
    >>> score("Good")
    2
    """
    return RATINGS.index(_check_rating("rating", rating))


@dataclass(frozen=True)
class OverallRating:
    """Overall provider rating: ``score`` (0-30 for 10 standards) and its ``rating`` band."""

    score: int
    rating: str
    n_standards: int


def overall(ratings) -> OverallRating:
    """Sum the standard scores and band the total (Annexe 2, "Overall provider rating").

    Parameters
    ----------
    ratings : sequence or mapping of str
        The rating of each standard (10 in the framework); no weights.

    Returns
    -------
    OverallRating
        Total score and band: 0-5 Inadequate, 6-15 Requires improvement,
        16-25 Good, 26-30 Outstanding.

    Examples
    --------
    >>> from stats.ratings import overall
    >>> overall(["Outstanding"] * 2 + ["Good"] * 4 + ["Requires improvement"] * 3 + ["Outstanding"])
    OverallRating(score=20, rating='Good', n_standards=10)
    """
    items = list(ratings.values()) if isinstance(ratings, Mapping) else list(ratings)
    if not items:
        raise ValueError("ratings must hold at least one standard rating (got none).")
    total = sum(score(_check_rating(f"ratings[{i}]", r)) for i, r in enumerate(items))
    if len(items) != 10:
        # The bands are defined for the 10-standard framework; say so rather than guess.
        raise ValueError(f"ratings must hold the 10 standards the overall bands are defined for (got {len(items)}).")
    return OverallRating(score=total, rating=RATINGS[int(np.searchsorted(OVERALL_BOUNDARIES, total, side="right"))],
                         n_standards=len(items))


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
    """

    rating: str
    lowest: float
    lowest_key_question: object
    discretion_candidate: bool
    reasons: tuple


def rate_standard(key_question_percents, *, n=None) -> StandardRating:
    r"""Rate a standard from its key-question percentages.

    Parameters
    ----------
    key_question_percents : sequence, mapping or pandas.Series of float
        Percentage of each key question (0 to 100). Keys (or the Series
        index) label the key questions.
    n : int, sequence, mapping or Series, optional
        Cases behind each percentage, for the one-case rule; a single number
        applies to all.

    Returns
    -------
    StandardRating

    Notes
    -----
    Rating: the band of the lowest key-question percentage (Annexe 2).
    Discretion (Annexe 2): "where the lowest percentage at the key question
    level is close to the rating boundary ... (specifically, within five
    percentage points of the boundary or where a differing judgement in one
    case would result in a change in rating)". Here: the lowest percentage
    :math:`p` is a candidate if :math:`|p - b| \le 5` for a boundary
    :math:`b \in \{50, 65, 80\}`, or, with ``n`` cases, if
    :math:`p \pm 100/n` falls in another band (one case moves a percentage by
    :math:`100/n` points). Whether discretion is exercised is the panel's
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
    elif isinstance(key_question_percents, Sequence) or isinstance(key_question_percents, np.ndarray):
        series = pd.Series(list(key_question_percents), dtype=float)
    else:
        raise TypeError(f"key_question_percents must be a sequence, mapping or Series (got {type(key_question_percents).__name__}).")
    if series.empty:
        raise ValueError("a standard must have at least one key question percentage (got none).")
    values = _check_percent("key_question_percents", series.to_numpy(dtype=float))
    i = int(np.argmin(values))
    lowest = float(values[i])
    rating = band(lowest)
    reasons = []
    for b in KEY_QUESTION_BOUNDARIES:
        if abs(lowest - b) <= DISCRETION_POINTS:
            reasons.append(f"lowest key question ({lowest:g}%) is within {DISCRETION_POINTS:g} points of the {b:g}% boundary")
    if n is not None:
        if isinstance(n, (pd.Series, Mapping)):
            n_i = pd.Series(dict(n) if isinstance(n, Mapping) else n)[series.index[i]]
        elif np.ndim(n) == 0:
            n_i = n
        else:
            n_i = list(n)[i]
        m = float(v.check_count("n", n_i))
        step = 100 / m
        for moved in (lowest - step, lowest + step):
            if 0 <= moved <= 100 and band(moved) != rating:
                reasons.append(f"one case of {int(m)} moves it to {moved:.1f}% ({band(moved)})")
    if not reasons:
        reasons.append(f"lowest key question ({lowest:g}%) is more than {DISCRETION_POINTS:g} points from every boundary"
                       + (" and one case would not change its band" if n is not None else ""))
        candidate = False
    else:
        candidate = True
    return StandardRating(rating=rating, lowest=lowest, lowest_key_question=series.index[i],
                          discretion_candidate=candidate, reasons=tuple(reasons))


def _shift(rating: str, steps: int) -> str:
    return RATINGS[min(max(RATINGS.index(rating) + steps, 0), len(RATINGS) - 1)]


def rate_report(key_questions: pd.DataFrame, standards: pd.DataFrame) -> pd.DataFrame:
    """Rate every standard of a report and compare with the published ratings.

    Parameters
    ----------
    key_questions : pandas.DataFrame
        Columns ``standard``, ``key_question``, ``current`` (percent) and
        optionally ``n_current`` (for the one-case rule), as the bundled
        ``key_questions.csv``.
    standards : pandas.DataFrame
        Columns ``standard``, ``standard_name``, ``current_rating``
        (published), ``basis`` ("inspector judgement" for domain one, whose
        published rating is taken as the input), and the recorded panel
        decisions: ``discretion_rating`` (the rating after professional
        discretion, blank where none) and ``qualitative_adjustment`` (unpaid
        work: -1, 0 or +1 band from qualitative evidence).

    Returns
    -------
    pandas.DataFrame
        One row per standard: ``mechanical_rating`` (lowest key-question
        band; for unpaid work the indicative rating from 4.1.1, 4.1.2 and
        4.1.4), ``lowest_key_question``, ``lowest_percent``,
        ``discretion_candidate`` and ``discretion_reason``,
        ``discretion_rating``, ``qualitative_adjustment``, ``rating`` (after
        the recorded decisions), ``published_rating``, ``matches_published``
        and ``score``.

    Notes
    -----
    Domain one standards (1.1 to 1.4) are inspector judgements: their rating
    is the input, and no mechanical rating is computed.
    """
    for col in ("standard", "current"):
        if col not in key_questions.columns:
            raise ValueError(f"key_questions has no column {col!r}.")
    for col in ("standard", "standard_name", "current_rating"):
        if col not in standards.columns:
            raise ValueError(f"standards has no column {col!r}.")
    rows = []
    for _, std in standards.iterrows():
        sid = str(std["standard"])
        published = _check_rating(f"standard {sid} current_rating", std["current_rating"])
        judgement = str(std.get("basis", "")) == "inspector judgement"
        kq = key_questions[key_questions["standard"].astype(str) == sid]
        if sid == "4.1" and "key_question" in kq.columns:
            kq = kq[kq["key_question"].astype(str).isin(UNPAID_WORK_KEY_QUESTIONS)]
        kq = kq[kq["current"].notna()]
        row = {"standard": sid, "standard_name": std["standard_name"], "basis": std.get("basis", pd.NA)}
        discretion = std.get("discretion_rating", pd.NA)
        adjustment = std.get("qualitative_adjustment", pd.NA)
        if judgement:
            row.update(mechanical_rating=pd.NA, lowest_key_question=pd.NA, lowest_percent=np.nan,
                       discretion_candidate=pd.NA, discretion_reason="inspector judgement (input)")
            final = published
        else:
            if kq.empty:
                raise ValueError(f"standard {sid} has no key question percentages to rate it from.")
            labels = kq["key_question"].astype(str).to_numpy() if "key_question" in kq.columns else kq.index
            percents = pd.Series(kq["current"].to_numpy(dtype=float), index=labels)
            n = pd.Series(kq["n_current"].to_numpy(dtype=float), index=labels) if "n_current" in kq.columns else None
            r = rate_standard(percents, n=n)
            row.update(mechanical_rating=r.rating, lowest_key_question=r.lowest_key_question, lowest_percent=r.lowest,
                       discretion_candidate=r.discretion_candidate, discretion_reason="; ".join(r.reasons))
            final = r.rating
            if pd.notna(adjustment):
                steps = int(adjustment)
                if steps not in (-1, 0, 1):
                    raise ValueError(f"standard {sid} qualitative_adjustment must be -1, 0 or 1 (got {adjustment!r}).")
                final = _shift(final, steps)
            if pd.notna(discretion):
                final = _check_rating(f"standard {sid} discretion_rating", discretion)
        row.update(discretion_rating=discretion, qualitative_adjustment=adjustment, rating=final,
                   published_rating=published, matches_published=final == published, score=score(final))
        rows.append(row)
    return pd.DataFrame(rows)
