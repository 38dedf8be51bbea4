"""The main points in words: what every report format shows first (internal to :mod:`stats.render`).

:func:`stats.findings.main_points` gives the main points as data (proportions, firmness,
reasons); this module words them once, in the plain style of an ONS "main points" list, for
every renderer: the terminal text, Markdown, the HTML report, the workbook's ``summary``
sheet and the notebooks' ``_repr_html_``. Each point is a :class:`Point` (its sentence, and the
label code and symbol where it is a change) in a :class:`Section`; a renderer lays the sections
out and never words a point itself, so every view says the same thing.

Order (:func:`sections`): the significant changes (key questions, then prompts; robust before
fragile, larger first), each with its change in points, interval and firmness; how firm the
evidence is overall (assumed denominators, multiplicity); the ratings, with every panel
decision that moved a rating off the bands; what could not be tested. Rating names and band
limits are never written here: they come from the report's ratings table and framework.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..change import DECLINE, IMPROVEMENT
from .columns import LABEL_CODES, LABEL_SYMBOLS

if TYPE_CHECKING:
    from ..findings import ChangePoint, MainPoints, RatingPoint
    from ..summary import ReportSummary

__all__ = [
    "ASSUMED_MARK",
    "Point",
    "Section",
    "sections",
    "change_sentence",
    "rating_sentence",
    "assumed_footnote",
    "mark_assumed",
    "lede",
    "design_effect_sentences",
]

#: The mark beside a denominator that is assumed rather than published ("100* -> 100").
ASSUMED_MARK = "*"


@dataclass(frozen=True)
class Point:
    """One main point: its ``text`` (a plain sentence), the label ``code`` and ``symbol`` of a change
    (empty otherwise), its ``firmness`` (robust/fragile, empty otherwise) and the row ``id``.

    See Also
    --------
    Section : a heading and its points.
    sections : words every point of a report.

    Examples
    --------
    >>> import stats
    >>> from stats.summary import summarise
    >>> summary = summarise(stats.load_report())
    >>> from stats.render.points import sections
    >>> first = sections(summary.main_points)[0].points[0]
    >>> first.code, first.symbol, first.firmness, first.id
    ('improvement', '▲', 'robust', '4.2.3')
    """

    text: str
    code: str = ""
    symbol: str = ""
    firmness: str = ""
    id: str = ""


@dataclass(frozen=True)
class Section:
    """A heading, an optional lead sentence and its points.

    See Also
    --------
    Point : one point of a section.
    sections : every section of a report, in reading order.

    Examples
    --------
    >>> import stats
    >>> from stats.summary import summarise
    >>> summary = summarise(stats.load_report())
    >>> from stats.render.points import sections
    >>> [s.key for s in sections(summary.main_points)]
    ['key-questions', 'prompts', 'evidence', 'ratings', 'untested']
    """

    key: str
    heading: str
    lead: str
    points: tuple[Point, ...]


def _pts(x: float) -> str:
    """An interval limit in points with one decimal, so that a limit near 0 keeps its side (+0.4, not 0)."""
    v = round(100 * x, 1)
    return "0.0" if v == 0 else f"{v:+.1f}"


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def mark_assumed(n: float, assumed: bool) -> str:
    """``'100*'`` for an assumed denominator, ``'100'`` for a published one (blank when missing).

    See Also
    --------
    assumed_footnote : the footnote that explains the mark.

    Examples
    --------
    >>> from stats.render.points import mark_assumed
    >>> mark_assumed(100, True), mark_assumed(100.0, False), mark_assumed(float("nan"), True)
    ('100*', '100', '')
    """
    try:
        text = f"{float(n):.0f}"
    except (TypeError, ValueError):
        return ""
    if text == "nan":
        return ""
    return text + (ASSUMED_MARK if assumed else "")


def assumed_footnote(points: MainPoints) -> str:
    """The footnote of the assumed-denominator mark, with the counts of this report ('' when none).

    See Also
    --------
    mark_assumed : the mark beside an assumed denominator.

    Examples
    --------
    >>> import stats
    >>> from stats.summary import summarise
    >>> summary = summarise(stats.load_report())
    >>> from stats.render.points import assumed_footnote
    >>> print(assumed_footnote(summary.main_points))
    * assumed, not published: previous n of 18 of 18 key questions; previous n of 76 of 76 prompts (taken equal
    to the stated sample, as the report does not publish them).
    """
    d = points.denominators
    parts = []
    for table, row in d.iterrows():
        for which in ("previous", "current"):
            k = int(row[f"{which}_assumed"])
            if k:
                parts.append(f"{which} n of {k} of {int(row['rows'])} {table}s")
    if not parts:
        return ""
    return (
        f"{ASSUMED_MARK} assumed, not published: "
        + "; ".join(parts)
        + " (taken equal to the stated sample, as the report does not publish them)."
    )


def change_sentence(c: ChangePoint, level: float) -> str:
    """One significant change in words: what, its size, levels, interval, denominators and firmness.

    See Also
    --------
    rating_sentence : the sentence of a rating.
    sections : where the sentences are used.

    Examples
    --------
    "Key question 4.2.3 (Through the Gate): Is there effective coordination of resettlement
    activity? Up 47 points, from 39% to 86% (90% interval +25 to +65 points; n 24* -> 24). Robust."
    """
    direction = "Up" if c.label == IMPROVEMENT else "Down" if c.label == DECLINE else "Changed"
    kind = "Key question" if c.table == "key question" else "Prompt"
    text = c.text.strip()
    text = text if text.endswith(("?", ".", "!")) else text + "."
    n = f"n {mark_assumed(c.n_previous, c.previous_n_assumed)} -> {mark_assumed(c.n_current, c.current_n_assumed)}"
    firm = "Robust." if c.firmness == "robust" else f"Fragile: {'; '.join(c.reasons)}."
    return (
        f"{kind} {c.id} ({c.standard_name}): {text} {direction} {abs(round(100 * c.change))} points, from "
        f"{_pct(c.previous)} to {_pct(c.current)} ({level:g}% interval {_pts(c.ci_low)} to {_pts(c.ci_high)} "
        f"points; {n}). {firm}"
    )


def rating_sentence(r: RatingPoint) -> str:
    """One standard's rating in words, naming the panel's decision where it moved the rating.

    See Also
    --------
    change_sentence : the sentence of a change.
    stats.findings.RatingPoint : the data it words.

    Examples
    --------
    >>> import stats
    >>> from stats.summary import summarise
    >>> summary = summarise(stats.load_report())
    >>> from stats.render.points import rating_sentence
    >>> print(rating_sentence(summary.main_points.ratings[0]))
    1.1 Leadership: Outstanding by inspector judgement.
    """
    name = f"{r.standard} {r.standard_name}"
    published = "" if r.matches_published else f" (published: {r.published_rating})"
    if r.decision == "discretion" and r.discretion_rating and r.discretion_rating != r.mechanical_rating:
        return (
            f"{name}: {r.mechanical_rating} -> {r.rating} by panel discretion{published}. The bands give "
            f"{r.mechanical_rating} (lowest key question {r.lowest_key_question} at {_pct(r.lowest_percent)}); "
            f"{r.reason}."
        )
    if r.decision == "qualitative adjustment":
        moved = r.qualitative_adjustment or 0
        what = "no change" if moved == 0 else f"{_count(abs(moved), 'band')} {'up' if moved > 0 else 'down'}"
        arrow = f"{r.mechanical_rating} -> {r.rating}" if r.rating != r.mechanical_rating else r.rating
        return (
            f"{name}: {arrow} after a qualitative adjustment ({what}) of the bands' "
            f"{r.mechanical_rating} (lowest key question {r.lowest_key_question} at {_pct(r.lowest_percent)})"
            f"{published}."
        )
    if r.decision == "judgement":
        return f"{name}: {r.rating} by inspector judgement{published}."
    return (
        f"{name}: {r.rating} by the bands (lowest key question {r.lowest_key_question} at "
        f"{_pct(r.lowest_percent)}){published}."
    )


def lede(points: MainPoints) -> str:
    """One sentence: how many changes are significant and how many are robust.

    See Also
    --------
    sections : the points the sentence introduces.

    Examples
    --------
    >>> import stats
    >>> from stats.summary import summarise
    >>> summary = summarise(stats.load_report())
    >>> from stats.render.points import lede
    >>> print(lede(summary.main_points))
    26 significant changes since the previous inspection (9 key questions, 17 prompts); 14 robust, 12 fragile.
    """
    kq = sum(c.table == "key question" for c in points.changes)
    pr = len(points.changes) - kq
    if not points.changes:
        return "No change since the previous inspection is statistically significant."
    return (
        f"{_count(len(points.changes), 'significant change')} since the previous inspection "
        f"({_count(kq, 'key question')}, {_count(pr, 'prompt')}); {len(points.robust)} robust, "
        f"{len(points.fragile)} fragile."
    )


def sections(points: MainPoints) -> tuple[Section, ...]:
    """The main points of a :class:`stats.findings.MainPoints` as worded sections, in reading order.

    See Also
    --------
    stats.findings.main_points : the main points as data.
    lede : the one sentence above the sections.
    stats.render.text.main_points_lines : the sections as terminal lines.

    Examples
    --------
    >>> import stats
    >>> from stats.summary import summarise
    >>> summary = summarise(stats.load_report())
    >>> from stats.render.points import sections
    >>> [(s.heading, len(s.points)) for s in sections(summary.main_points)]
    [('Significant changes: key questions', 9), ('Significant changes: prompts', 17), ('How firm the evidence
    is', 2), ('Ratings', 4), ('What could not be tested', 7)]
    """
    level = 100 * points.confidence_level
    changes = []
    for table, heading in (
        ("key question", "Significant changes: key questions"),
        ("prompt", "Significant changes: prompts"),
    ):
        rows = [c for c in points.changes if c.table == table]
        robust = sum(c.firmness == "robust" for c in rows)
        lead = (
            f"{_count(len(rows), table)}: {robust} robust, {len(rows) - robust} fragile. Robust: significant "
            "for every count the published percentages allow, the exact tests agree and it survives false "
            "discovery rate control."
            if rows
            else f"No {table} changed significantly."
        )
        changes.append(
            Section(
                table.replace(" ", "-") + "s",
                heading,
                lead,
                tuple(
                    Point(
                        change_sentence(c, level),
                        LABEL_CODES.get(c.label, ""),
                        LABEL_SYMBOLS.get(c.label, ""),
                        c.firmness,
                        c.id,
                    )
                    for c in rows
                ),
            )
        )

    evidence = []
    footnote = assumed_footnote(points)
    if footnote:
        evidence.append(Point(footnote))
    m = points.multiplicity
    if m and m.get("tests"):
        exact = m.get("expected_false_positives_exact")
        expected = (
            float(exact) if exact is not None and math.isfinite(float(exact)) else float(m["expected_false_positives"])
        )
        evidence.append(
            Point(
                f"Of {m['tests']} testable prompts, {m['significant']} are significant; about {expected:.1f} would be "
                f"by chance alone if nothing had changed, and {m['survive_fdr']} survive false discovery rate control "
                f"at {m['fdr_level']:g}."
            )
        )
    firmness = Section(
        "evidence",
        "How firm the evidence is",
        "Every verdict above comes from the test stated at the top; these qualify all of them.",
        tuple(evidence),
    )

    o = points.overall
    published = (
        "not published"
        if o.get("published_score") is None
        else f"{o['published_score']}/{o['maximum']}, {o.get('published_rating')}"
    )
    rating_points = [
        Point(f"Overall: {o['rating']}, {o['score']}/{o['maximum']} by the methodology (published: {published}).")
    ]
    adjusted = [r for r in points.ratings if r.adjusted or r.decision == "qualitative adjustment"]
    rating_points += [Point(rating_sentence(r)) for r in adjusted]
    rest = [r for r in points.ratings if r not in adjusted]
    by = Counter(r.decision for r in rest)
    if rest:
        words = {
            "mechanical": "by the bands of their lowest key question",
            "judgement": "by inspector judgement",
            "discretion": "with discretion recorded but no change",
        }
        parts = [f"{_count(k, 'standard')} {words.get(d, d)}" for d, k in by.items()]
        mismatched = [r for r in rest if not r.matches_published]
        differing = ", ".join(f"{r.standard} {r.standard_name}" for r in mismatched)
        tail = "all as published" if not mismatched else f"differing from the published rating: {differing}"
        rating_points.append(Point(f"Other standards: {', '.join(parts)}; {tail}."))
    ratings = Section(
        "ratings",
        "Ratings",
        f"{_count(len(adjusted), 'standard')} rated off the bands or after a recorded panel decision.",
        tuple(rating_points),
    )

    untested = []
    groups: dict[tuple[str, str], list[str]] = {}
    notes: dict[str, list[str]] = {}
    for u in points.untested:
        groups.setdefault((u.table, u.reason), []).append(u.id)
        if u.note:
            notes.setdefault(u.note, []).append(u.id)
    for (table, reason), ids in groups.items():
        shown = ", ".join(ids[:10]) + (f" and {len(ids) - 10} more" if len(ids) > 10 else "")
        untested.append(Point(f"{_count(len(ids), table)} ({reason}): {shown}."))
    untested.extend(Point(f"The report says: {note}") for note in notes)
    untested_section = Section(
        "untested",
        "What could not be tested",
        f"{_count(len(points.untested), 'row')} have no comparable figure at one of the "
        "inspections, so no change can be tested."
        if points.untested
        else "Every row could be tested.",
        tuple(untested),
    )
    return (*changes, firmness, ratings, untested_section)


def design_effect_sentences(summary: ReportSummary) -> list[str]:
    """The design-effect views in words, the sample's own structure first (every format says these).

    The primary view is :attr:`stats.summary.ReportSummary.design_effect_structure` (Kish's design
    effect from the report's cases per officer over an ICC range, with the model it rests on and
    where its inputs come from); the fixed levels of ``design_effect`` follow as a secondary view.

    See Also
    --------
    stats.design.structural_deff_survival : the structural view these sentences state.
    stats.design.deff_survival : the fixed levels.
    stats.design.kish_deff : Kish's design effect from cluster sizes and an ICC.

    Examples
    --------
    >>> import stats
    >>> from stats.summary import summarise
    >>> words = design_effect_sentences(summarise(stats.load_report()))
    >>> words[0].startswith("From the sample's own structure")
    True
    """
    out = []
    structure = getattr(summary, "design_effect_structure", None)
    if structure is not None and len(structure):
        rows = {row["end"]: row for row in structure.to_dict("records")}
        low, high = rows.get("low"), rows.get("high")
        if low is not None and high is not None:
            lost = f" (lost: {high['lost_ids']})" if high["lost_ids"] else ""
            out.append(
                f"From the sample's own structure: a design effect of {low['deff']:.2f} to {high['deff']:.2f} "
                f"(Kish, ICC {low['icc']:g} to {high['icc']:g}); {low['surviving']} of {low['significant']} "
                f"significant prompt labels survive at the low end and {high['surviving']} at the high end{lost}."
            )
        for key, lead in (("source", "Inputs"), ("design_model", "Model")):
            if structure.attrs.get(key):
                out.append(f"{lead}: {structure.attrs[key]}.")
    elif structure is not None and structure.attrs.get("unavailable"):
        out.append(f"No design effect from the sample's structure: {structure.attrs['unavailable']}")
    fixed = getattr(summary, "design_effect", None)
    if fixed is not None and len(fixed):
        levels = "; ".join(
            f"{row.deff:g}: {row.surviving} of {row.significant}" for row in fixed.itertuples(index=False)
        )
        out.append(f"At fixed design effects, for comparison (significant prompt labels surviving): {levels}.")
    return out
