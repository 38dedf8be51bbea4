"""Main points as data (stats.findings), checked against the summary's columns and the report's own data.

Expectations are read from the labelled tables' columns and from ``stats.load_report()``, not from
lists of ids: the labels may change with the counting rule, the relations below may not. The one
published fact pinned here is the Assessment discretion (footnote 29 of the report text).
"""

import dataclasses
import re
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import stats
from stats.change import DECLINE, IMPROVEMENT, NO_DATA
from stats.consistency import ROBUST_ALL, ROBUST_NONE
from stats.findings import (
    CAVEAT_PREVIOUS_ASSUMED,
    FRAGILE,
    REASON_COUNTS,
    REASON_EXACT,
    REASON_EXACT_NOT_RUN,
    REASON_FDR,
    REASON_NO_COUNT,
    REASONS,
    ROBUST,
    MainPoints,
    main_points,
)
from stats.summary import summarise

FOLDER = Path(__file__).resolve().parents[1] / "data" / "south-yorkshire-crc-2020"
KINDS = {"key question": ("key_questions", "key_question"), "prompt": ("prompts", "prompt_id")}


@pytest.fixture(scope="module")
def report():
    return stats.load_report()


@pytest.fixture(scope="module")
def summary(report):
    return summarise(report)


@pytest.fixture(scope="module")
def points(summary, report):
    return main_points(summary, report)


def _table(summary, kind):
    attr, key = KINDS[kind]
    table = getattr(summary, attr)
    return table.set_index(table[key].astype(str))


def test_the_changes_are_exactly_the_rows_labelled_significant(summary, points):
    for kind in KINDS:
        table = _table(summary, kind)
        labelled = set(table.index[table["label"].isin([IMPROVEMENT, DECLINE])])
        assert labelled == set(table.index[table["significant"].fillna(False).astype(bool)])
        assert {c.id for c in points.changes if c.table == kind} == labelled
    assert len(points.changes) == len({(c.table, c.id) for c in points.changes})


def test_each_change_is_the_published_figures_as_proportions(report, points):
    raw = {kind: getattr(report, KINDS[kind][0]).set_index(KINDS[kind][1]) for kind in KINDS}
    alpha = points.test.alpha
    for c in points.changes:
        row = raw[c.table].loc[c.id]
        assert c.previous == pytest.approx(row["previous"] / 100, abs=1e-12)
        assert c.current == pytest.approx(row["current"] / 100, abs=1e-12)
        assert c.change == pytest.approx((row["current"] - row["previous"]) / 100, abs=1e-12)
        assert (c.n_previous, c.n_current) == (int(row["n_previous"]), int(row["n_current"]))
        assert c.pvalue <= alpha
        assert c.ci_low <= c.change <= c.ci_high
        # the default interval is dual to the test: it excludes 0 on the label's side
        assert (c.ci_low > 0) if c.label == IMPROVEMENT else (c.ci_high < 0)
        assert (c.label == IMPROVEMENT) == (c.change > 0)
    assert points.confidence_level == pytest.approx(1 - alpha)


def test_robust_means_all_three_checks_hold_in_the_columns(summary, points):
    assert points.robust and points.fragile  # the bundled report has both
    for c in points.changes:
        row = _table(summary, c.table).loc[c.id]
        holds = {
            "counts": row["robust_label"] == ROBUST_ALL,
            "exact": pd.notna(row["exact_agree"]) and bool(row["exact_agree"]),
            "fdr": pd.notna(row["significant_fdr"]) and bool(row["significant_fdr"]),
        }
        assert pd.notna(row["exact_agree"])  # the exact tests ran on every significant row
        assert (c.firmness == ROBUST) == all(holds.values()), c.id
        assert (REASON_COUNTS in c.reasons) == (not holds["counts"])
        assert (REASON_EXACT in c.reasons) == (not holds["exact"])
        assert (REASON_FDR in c.reasons) == (not holds["fdr"])
        assert set(c.reasons) <= set(REASONS)
        assert (c.firmness == FRAGILE) == bool(c.reasons)


def test_fdr_reason_matches_statsmodels_benjamini_hochberg(summary, points):
    from statsmodels.stats.multitest import multipletests

    for kind in KINDS:
        table = _table(summary, kind)
        p = table["pvalue"].dropna()
        reject, _, _, _ = multipletests(p.to_numpy(), alpha=points.test.alpha, method="fdr_bh")
        survivors = set(p.index[reject])
        for c in points.changes:
            if c.table == kind:
                assert (REASON_FDR not in c.reasons) == (c.id in survivors), c.id
    prompt_survivors = [c for c in points.changes if c.table == "prompt" and REASON_FDR not in c.reasons]
    assert len(prompt_survivors) == summary.multiplicity["survive_fdr"]


def test_order_key_questions_then_prompts_robust_first_then_largest_change(points):
    kinds = [c.table for c in points.changes]
    assert kinds == sorted(kinds, key=["key question", "prompt"].index)
    for kind in KINDS:
        part = [c for c in points.changes if c.table == kind]
        firm = [c.firmness == ROBUST for c in part]
        assert firm == sorted(firm, reverse=True)
        for firmness in (ROBUST, FRAGILE):
            sizes = [abs(c.change) for c in part if c.firmness == firmness]
            assert sizes == sorted(sizes, reverse=True)


def test_assumed_denominators_are_caveats_read_from_the_data(report, points):
    raw = {kind: getattr(report, KINDS[kind][0]).set_index(KINDS[kind][1]) for kind in KINDS}
    for c in points.changes:
        source = raw[c.table].loc[c.id, "n_previous_source"]
        assert c.n_previous_source == source
        assert (CAVEAT_PREVIOUS_ASSUMED in c.caveats) == (source == "assumed") == c.previous_n_assumed
        assert not c.current_n_assumed  # every current n of the bundled report is stated
    for kind, (attr, _) in KINDS.items():
        table = getattr(report, attr)
        assert points.denominators.loc[kind, "rows"] == len(table)
        assert points.denominators.loc[kind, "previous_assumed"] == int((table["n_previous_source"] == "assumed").sum())
        assert points.denominators.loc[kind, "current_assumed"] == int((table["n_source"] == "assumed").sum())


def test_assumed_is_fragile_makes_every_change_with_an_assumed_denominator_fragile(summary, report, points):
    strict = main_points(summary, report, assumed_is_fragile=True)
    assert [c.id for c in strict.changes] != [] and {c.id for c in strict.changes} == {c.id for c in points.changes}
    for c in strict.changes:
        assert (CAVEAT_PREVIOUS_ASSUMED in c.reasons) == c.previous_n_assumed
        assert c.firmness == (FRAGILE if c.reasons else ROBUST)
    with pytest.raises(TypeError, match=r"assumed_is_fragile must be True or False \(got 'yes'\)"):
        main_points(summary, report, assumed_is_fragile="yes")


def test_assessment_discretion_is_the_published_one():
    # Footnote 29 of the report: discretion raised Assessment from Requires improvement to Good.
    text = " ".join((FOLDER / "report.txt").read_text(encoding="utf-8").split())
    assert re.search(
        r"Professional discretion was exercised to raise the ratings for assessment from "
        r".Requires improvement. to .Good.",
        text,
    )
    kq = pd.read_csv(FOLDER / "key_questions.csv", dtype={"standard": str, "key_question": str})
    assessment = kq[kq["standard"] == "2.1"]
    lowest = assessment.loc[assessment["current"].idxmin()]
    assert (lowest["key_question"], lowest["current"]) == ("2.1.1", 63)

    points = main_points(summarise(stats.load_report()))
    (adjusted,) = points.adjusted_ratings
    assert (adjusted.standard, adjusted.standard_name) == ("2.1", "Assessment")
    assert adjusted.mechanical_rating == "Requires improvement"  # 63 % is in the 50-64 band of adult-2018
    assert adjusted.lowest_key_question == "2.1.1"
    assert adjusted.lowest_percent == pytest.approx(0.63)
    assert (adjusted.rating, adjusted.published_rating, adjusted.decision) == ("Good", "Good", "discretion")
    assert adjusted.discretion_rating == "Good"
    assert adjusted.reason  # the rater's reason travels with it


def test_ratings_say_what_set_each_rating(summary, points):
    assert [r.standard for r in points.ratings] == summary.ratings["standard"].astype(str).tolist()
    for r, (_, row) in zip(points.ratings, summary.ratings.iterrows(), strict=True):
        assert r.rating == row["rating"] and r.published_rating == row["published_rating"]
        if pd.isna(row["mechanical_rating"]):
            assert r.decision == "judgement" and not r.adjusted
        elif pd.notna(row["discretion_rating"]):
            assert r.decision == "discretion"
        elif pd.notna(row["qualitative_adjustment"]):
            assert r.decision == "qualitative adjustment"
        else:
            assert r.decision == "mechanical" and r.rating == r.mechanical_rating
    unpaid = next(r for r in points.ratings if r.standard_name == "Unpaid work")
    # footnote 47: the panel decided to make no change to the provisional rating
    assert (unpaid.decision, unpaid.qualitative_adjustment, unpaid.adjusted) == ("qualitative adjustment", 0, False)
    assert points.overall["rating"] == points.overall["published_rating"] == summary.published_overall["rating"]
    assert points.overall["score"] == points.overall["published_score"] == int(summary.published_overall["score"])


def test_untested_rows_and_why(report, points):
    for kind, (attr, key) in KINDS.items():
        raw = getattr(report, attr).set_index(getattr(report, attr)[key].astype(str))
        missing = raw[raw["previous"].isna() | raw["current"].isna()]
        mine = {u.id: u for u in points.untested if u.table == kind}
        assert set(mine) == set(missing.index)
        for rid, u in mine.items():
            expected = "no previous figure" if pd.notna(raw.loc[rid, "current"]) else "no current figure"
            if raw.loc[rid, ["previous", "current"]].isna().all():
                expected = "no figure at either inspection"
            assert u.reason == expected
            note = raw.loc[rid, "note"]
            assert u.note == (None if pd.isna(note) else note)


def test_untested_is_the_no_comparable_data_label(summary, points):
    for kind in KINDS:
        table = _table(summary, kind)
        assert {u.id for u in points.untested if u.table == kind} == set(table.index[table["label"] == NO_DATA])


def test_title_is_report_toml_title_not_the_slug(summary, report, points):
    title = tomllib.loads((FOLDER / "report.toml").read_text(encoding="utf-8"))["title"]
    assert points.title == title != points.report == "south-yorkshire-crc-2020"
    assert main_points(summary).title == title  # found from the bundled report of the summary's name
    own = dataclasses.replace(summary, name="a-folder-of-my-own", title="")  # a folder without a title
    assert main_points(own).title == "a-folder-of-my-own"  # no title to be found: the name
    assert main_points(dataclasses.replace(own, extra={"title": "My title"})).title == "My title"


def test_to_frame_stacks_the_sections_in_order(points):
    frame = points.to_frame()
    sizes = [len(points.changes), len(points.ratings), len(points.untested)]
    assert len(frame) == sum(sizes)
    assert frame["section"].tolist() == ["changes"] * sizes[0] + ["ratings"] * sizes[1] + ["untested"] * sizes[2]
    changes = points.to_frame("changes")
    assert "section" not in changes.columns
    assert changes["id"].tolist() == [c.id for c in points.changes]
    assert changes["change"].to_numpy() == pytest.approx([c.change for c in points.changes])
    assert changes["reasons"].tolist() == ["; ".join(c.reasons) for c in points.changes]
    assert not [c for c in changes.columns if c.endswith("_points")]  # proportions, not points
    with pytest.raises(ValueError, match=r"part \('summary'\) must be one of 'all', 'changes'"):
        points.to_frame("summary")
    assert repr(points).startswith("MainPoints(report='south-yorkshire-crc-2020', changes=")


def test_each_fragility_reason_from_edited_columns(summary, report):
    prompts = summary.prompts.copy()
    sig = prompts.index[prompts["significant"].fillna(False).astype(bool)]
    a, b, c = sig[:3]
    prompts.loc[a, ["robust_label", "exact_agree", "significant_fdr"]] = [ROBUST_NONE, True, True]
    prompts.loc[b, ["robust_label", "exact_agree", "significant_fdr"]] = [ROBUST_ALL, pd.NA, True]
    prompts.loc[c, ["robust_label", "exact_agree", "significant_fdr"]] = [ROBUST_ALL, False, False]
    edited = main_points(dataclasses.replace(summary, prompts=prompts), report)
    by_id = {p.id: p for p in edited.changes if p.table == "prompt"}
    ids = prompts["prompt_id"]
    assert by_id[ids[a]].reasons == (REASON_NO_COUNT,)
    assert by_id[ids[b]].reasons == (REASON_EXACT_NOT_RUN,)
    assert by_id[ids[c]].reasons == (REASON_EXACT, REASON_FDR)


def test_bad_summary_is_a_type_error(report):
    with pytest.raises(TypeError, match=r"summary must be a stats.summary.ReportSummary .*\(got Report\)"):
        main_points(report)


def test_another_report_works():
    points = main_points(summarise(stats.load_report("constructed-youth-example")))
    assert isinstance(points, MainPoints) and points.constructed
    assert all(np.isfinite(c.change) for c in points.changes)
