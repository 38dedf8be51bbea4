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
    [(0, "Inadequate"), (49, "Inadequate"), (49.99, "Inadequate"), (50, "Requires improvement"),
     (64, "Requires improvement"), (64.5, "Requires improvement"), (65, "Good"), (79.9, "Good"),
     (80, "Outstanding"), (100, "Outstanding")],
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

    for points, expected in [(0, "Inadequate"), (5, "Inadequate"), (6, "Requires improvement"), (15, "Requires improvement"),
                             (16, "Good"), (25, "Good"), (26, "Outstanding"), (30, "Outstanding")]:
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
        (lambda: score("Excellent"), ValueError, r"rating \('Excellent'\) must be one of 'Inadequate', 'Requires improvement', 'Good', 'Outstanding'"),
        (lambda: rate_standard([]), ValueError, r"a standard must have at least one key question percentage \(got none\)"),
        (lambda: rate_standard({"a": 120}), ValueError, r"key_question_percents must be a percentage from 0 to 100 \(got 120.0 at index 0\)"),
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
