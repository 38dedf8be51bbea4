"""Every count data/README.md states is computed here from the data (numbers in prose drift)."""

import re
from pathlib import Path

import pandas as pd
import pytest

from stats import load_report
from stats.consistency import check_percentages

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
TEXT = " ".join(README.split())  # one line: phrases may wrap


def stated(pattern: str) -> tuple:
    """The numbers the README states in ``pattern`` (regex groups), as ints."""
    m = re.search(pattern, TEXT)
    assert m, f"data/README.md no longer says {pattern!r}"
    return tuple(int(g) for g in m.groups())


@pytest.fixture(scope="module")
def report():
    return load_report("south-yorkshire-crc-2020")


def test_table_sizes(report):
    assert stated(r"all (\d+) prompt rows of standards 2\.1-2\.4, 4\.1 and 4\.2, under (\d+) key questions") == (
        len(report.prompts),
        report.prompts["key_question"].nunique(),
    )
    assert stated(r"the (\d+) key-question rows") == (len(report.key_questions),)
    assert stated(r"the (\d+) standards with previous and current rating") == (len(report.standards),)
    assert stated(r"so `key_questions.csv` has (\d+) rows, not (\d+)") == (
        len(report.key_questions),
        len(report.key_questions) + 1,
    )
    overall = pd.read_csv(ROOT / "data" / "south-yorkshire-crc-2020" / "overall.csv")
    score, maximum = stated(r"\((\d+)/(\d+), Good\)")
    current = overall.set_index("inspection").loc["current"]
    assert (int(current["score"]), current["rating"]) == (score, "Good")
    assert maximum == 3 * len(report.standards)  # each standard scores 0-3


def test_stated_samples(report):
    nums = stated(
        r"(\d+) case-supervision cases \(standards 2\.1-2\.4\); (\d+) \"cases where there were factors "
        r"related to harm\" .*?; (\d+) post-release cases .*?; (\d+) unpaid work cases \(4\.1\); (\d+) Through "
        r"the Gate cases \(4\.2\)"
    )
    by_sample = report.prompts.groupby("sample")["n_current"].first()
    assert nums == tuple(int(by_sample[s]) for s in ("case supervision", "harm", "post-release"))[:3] + nums[3:]
    assert set(nums) == {int(x) for x in report.prompts["n_current"].unique()}


def test_impossible_current_percentages_under_both_roundings(report):
    prompts, kqs = stated(
        r"both leave the same (\d+) current prompt percentages, and (\d+) current "
        r"key-question percentages, impossible"
    )
    for rounding in ("half-up", "half-even"):
        assert int((check_percentages(report.prompts, rounding=rounding)["feasible"] == False).sum()) == prompts  # noqa: E712
        assert int((check_percentages(report.key_questions, rounding=rounding)["feasible"] == False).sum()) == kqs  # noqa: E712


def test_constructed_overall_ratings():
    from stats.ratings import check_overall

    rows, wrong = stated(r"A hand-written table of (\d+) made-up inspections"), None
    words = {"seven": 7}
    m = re.search(r"; (\w+) rows are deliberately inconsistent", TEXT)
    wrong = words[m.group(1)]
    table = pd.read_csv(ROOT / "data" / "constructed-overall-ratings" / "inspections.csv")
    assert len(table) == rows[0]
    assert int((~check_overall(table)["consistent"].astype(bool)).sum()) == wrong


def test_synthetic_longlist():
    cases, clusters, units, officers = stated(
        r"\((\d+) eligible cases, (\d+) clusters, (\d+) delivery units, (\d+) officers\)"
    )
    from datetime import date

    from stats.sampling import screen_longlist, synthetic_longlist

    screened = screen_longlist(synthetic_longlist(), as_of=date(2024, 6, 1))
    eligible = screened[screened["eligible"].astype(bool)]
    assert (
        len(eligible),
        eligible["cluster"].nunique(),
        eligible["ldu"].nunique(),
        eligible["responsible_officer"].nunique(),
    ) == (cases, clusters, units, officers)
