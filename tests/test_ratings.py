import pytest

from stats.ratings import (
    RATINGS,
    band,
    overall,
    rate_report,
    rate_standard,
    score,
)


@pytest.mark.parametrize(
    "percent, expected",
    [
        (0, "Inadequate"),
        (49, "Inadequate"),
        (49.99, "Inadequate"),
        (50, "Requires improvement"),
        (64, "Requires improvement"),
        (64.5, "Requires improvement"),
        (65, "Good"),
        (79.9, "Good"),
        (80, "Outstanding"),
        (100, "Outstanding"),
    ],
)
def test_band_edges(percent, expected):
    assert band(percent) == expected


def test_band_vectorised():
    assert band([49, 50, 65, 80]).tolist() == list(RATINGS)


def test_score_and_overall_bands():
    assert [score(r) for r in RATINGS] == [0, 1, 2, 3]

    # Annexe 2: 0-5 Inadequate, 6-15 Requires improvement, 16-25 Good, 26-30 Outstanding
    def total_of(points):
        ratings = [RATINGS[3]] * (points // 3) + ([RATINGS[points % 3]] if points % 3 else [])
        return ratings + [RATINGS[0]] * (10 - len(ratings))

    for points, expected in [
        (0, "Inadequate"),
        (5, "Inadequate"),
        (6, "Requires improvement"),
        (15, "Requires improvement"),
        (16, "Good"),
        (25, "Good"),
        (26, "Outstanding"),
        (30, "Outstanding"),
    ]:
        result = overall(total_of(points))
        assert (result.score, result.rating) == (points, expected)


def test_rate_standard_lowest_band_and_discretion():
    r = rate_standard({"a": 83, "b": 74, "c": 91})
    assert (r.rating, r.lowest_key_question, r.lowest) == ("Good", "b", 74.0)
    assert not r.discretion_candidate
    # within five points of a boundary, either side
    assert rate_standard([66, 90]).discretion_candidate
    assert rate_standard([63, 90]).discretion_candidate
    # one case of 10 moves 72 % to 62 %: a different band, though 7 points from 65
    r = rate_standard([72, 90], n=10)
    assert r.discretion_candidate and "one case of 10" in r.reasons[0]
    assert not rate_standard([72, 90], n=100).discretion_candidate


def test_report_ratings_reproduce_published(report):
    rated = rate_report(report.key_questions, report.standards).set_index("standard")
    assert rated["matches_published"].all()
    assert rated.loc["2.1", "mechanical_rating"] == "Requires improvement"
    assert rated.loc["2.1", "rating"] == "Good"  # recorded discretion (footnote 29)
    assert bool(rated.loc["2.1", "discretion_candidate"]) is True
    assert rated["discretion_candidate"].dropna().astype(bool).sum() == 1
    assert rated.loc["4.1", "lowest_key_question"] == "4.1.2"  # 4.1.1, 4.1.2, 4.1.4 only
    total = overall(rated["rating"])
    published = report.overall.set_index("inspection").loc["current"]
    assert (total.score, total.rating) == (published["score"], published["rating"]) == (20, "Good")


def test_unpaid_work_adjustment_moves_one_band(report):
    standards = report.standards.copy()
    standards.loc[standards["standard"] == "4.1", "qualitative_adjustment"] = 1
    rated = rate_report(report.key_questions, standards).set_index("standard")
    assert rated.loc["4.1", "rating"] == "Outstanding" and not rated.loc["4.1", "matches_published"]
    standards.loc[standards["standard"] == "4.1", "qualitative_adjustment"] = 2
    with pytest.raises(ValueError, match=r"standard 4.1 qualitative_adjustment must be -1, 0 or 1 \(got 2\)"):
        rate_report(report.key_questions, standards)


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda: band(101), ValueError, r"percent must be a percentage from 0 to 100 \(got 101.0\)"),
        (lambda: band([50, -1]), ValueError, r"percent must be a percentage from 0 to 100 \(got -1.0 at index 1\)"),
        (
            lambda: score("Excellent"),
            ValueError,
            r"rating \('Excellent'\) must be one of 'Inadequate', 'Requires improvement', 'Good', 'Outstanding'",
        ),
        (
            lambda: rate_standard([]),
            ValueError,
            r"a standard must have at least one key question percentage \(got none\)",
        ),
        (
            lambda: rate_standard({"a": 120}),
            ValueError,
            r"key_question_percents must be a percentage from 0 to 100 \(got 120.0 at index 0\)",
        ),
        (lambda: overall(["Good"] * 9), ValueError, r"ratings must hold the 10 standards .* \(got 9\)"),
        (lambda: overall(["Good"] * 9 + ["good"]), ValueError, r"ratings\[9\] \('good'\) must be one of"),
    ],
)
def test_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_standard_without_key_questions(report):
    kq = report.key_questions[report.key_questions["standard"] != "2.2"]
    with pytest.raises(ValueError, match=r"standard 2.2 has no key question percentages"):
        rate_report(kq, report.standards)


# -- framework-driven ratings (youth offending services, 12 standards, 0-36) and check_overall -------------

import pandas as pd  # noqa: E402

from stats.ratings import check_overall  # noqa: E402
from tests.conftest import ROOT  # noqa: E402


def test_youth_overall_bands():
    # Issue text / HMIP consultation (2017): 0-6 Inadequate, 7-18 Requires improvement, 19-30 Good, 31-36 Outstanding
    def ratings_for(points):
        out = ["Outstanding"] * (points // 3) + ([RATINGS[points % 3]] if points % 3 else [])
        return out + ["Inadequate"] * (12 - len(out))

    for points, expected in [
        (0, "Inadequate"),
        (6, "Inadequate"),
        (7, "Requires improvement"),
        (18, "Requires improvement"),
        (19, "Good"),
        (30, "Good"),
        (31, "Outstanding"),
        (36, "Outstanding"),
    ]:
        result = overall(ratings_for(points), framework="youth-2018")
        assert (result.score, result.rating, result.maximum) == (points, expected, 36)
    with pytest.raises(ValueError, match=r"ratings must hold the 12 standards .* 'youth-2018' .* \(got 10\)"):
        overall(["Good"] * 10, framework="youth-2018")


def test_youth_report_ratings_reproduce_published():
    from stats import load_report

    report = load_report("constructed-youth-example")
    rated = rate_report(report.key_questions, report.standards, framework=report.framework).set_index("standard")
    assert rated["matches_published"].all() and len(rated) == 12
    assert rated.loc[["1.1", "1.2", "1.3", "1.4"], "mechanical_rating"].isna().all()  # inspector judgement
    # 3.4 has two key questions; its rating is the band of the lower
    kq = report.key_questions.set_index("key_question")
    assert rated.loc["3.4", "lowest_percent"] == min(kq.loc["3.4.1", "current"], kq.loc["3.4.2", "current"])
    assert (
        overall(rated["rating"], framework=report.framework).score
        == report.overall.set_index("inspection").loc["current", "score"]
    )


def test_adjustment_needs_a_qualitative_key_question(report):
    standards = report.standards.copy()
    standards.loc[standards["standard"] == "2.2", "qualitative_adjustment"] = 1
    with pytest.raises(ValueError, match=r"standard 2.2 qualitative_adjustment must be blank: framework 'adult-2018'"):
        rate_report(report.key_questions, standards)


def test_check_overall_on_a_constructed_table():
    table = pd.read_csv(ROOT / "data" / "constructed-overall-ratings" / "inspections.csv")
    assert table["inspection"].str.startswith("CONSTRUCTED").all()
    checked = check_overall(table)
    flagged = checked.loc[~checked["consistent"], "inspection"].str.split().str[2].tolist()
    # by hand from the bands: B 15/30 and D 5/30 and N 26/30 (adult); F 18/36, I 6/36, L 48 % (no k/36 rounds to it),
    # M 24/36 = 66.7 % published as 70 % (youth)
    assert flagged == ["B", "D", "F", "I", "L", "M", "N"]
    by = checked.set_index(checked["inspection"].str.split().str[2])
    assert by.loc["B", "reason"] == "15/30 is in the Requires improvement band (6-15), not Good"
    assert by.loc["F", "reason"] == "18/36 is in the Requires improvement band (7-18), not Good"
    assert by.loc["L", "reason"].startswith("no whole score out of 36 publishes as 48%")
    assert by.loc["M", "reason"] == "percent 70 does not match 24/36 (66.7%)"
    assert (by.loc["E", "score_low"], by.loc["K", "score_low"], by.loc["J", "score_low"]) == (16, 17, 18)
    assert list(checked.columns[: len(table.columns)]) == list(table.columns)  # input passes through


@pytest.mark.parametrize(
    "table, match",
    [
        (pd.DataFrame({"score": [20]}), r"table has no column 'rating'"),
        (pd.DataFrame({"rating": ["Good"]}), r"table needs a column 'score'"),
        (
            pd.DataFrame({"score": [31], "rating": ["Good"]}),
            r"row 1, column 'score': must be a whole number from 0 to 30",
        ),
        (pd.DataFrame({"score": [20.5], "rating": ["Good"]}), r"row 1, column 'score': must be a whole number"),
        (
            pd.DataFrame({"percent": [101], "rating": ["Good"]}),
            r"row 1, column 'percent': must be a percentage from 0 to 100",
        ),
        (pd.DataFrame({"score": [20], "rating": ["good"]}), r"row 1, column 'rating': 'good' must be one of"),
    ],
)
def test_check_overall_errors(table, match):
    with pytest.raises(ValueError, match=match):
        check_overall(table)
