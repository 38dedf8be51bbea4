"""The bundled CSVs against the report text, so that a transcription slip fails the suite."""

import re

import numpy as np
import pytest

from stats import available_reports, load_report


def normalise(text: str) -> str:
    text = re.sub(r"-\s*\n\s*", "-", text)  # words hyphenated across lines: "multi-\nagency"
    return " ".join(text.split())


@pytest.fixture(scope="module")
def annexe4(report_text):
    start = report_text.index("Annexe 4: Inspection data")
    return report_text[start:]


def test_available_reports():
    assert "south-yorkshire-crc-2020" in available_reports()


def test_prompt_table_shape(report):
    p = report.prompts
    assert len(p) == 76
    assert p["key_question"].nunique() == 18
    assert p.groupby("standard").size().to_dict() == {"2.1": 11, "2.2": 12, "2.3": 18, "2.4": 12, "4.1": 10, "4.2": 13}
    assert p["prompt_id"].is_unique
    assert set(p["n_source"]) == {"stated"} and set(p["n_previous_source"]) == {"assumed"}
    assert (p["n_previous"] == p["n_current"]).all()


def test_every_prompt_text_is_in_annexe_4(report, annexe4):
    text = normalise(annexe4)
    for prompt in report.prompts["prompt"]:
        assert normalise(prompt) in text, prompt


def test_every_percentage_in_annexe_4_in_order(report, annexe4):
    published = [int(x) for x in re.findall(r"(\d+)%", annexe4)]
    ours = []
    for prev, cur in zip(report.prompts["previous"], report.prompts["current"], strict=True):
        ours += [int(x) for x in (prev, cur) if not np.isnan(x)]
    assert ours == published
    no_data = len(re.findall(r"No\s+comparable\s+data\s+available", annexe4))
    assert no_data == report.prompts["previous"].isna().sum() + report.prompts["current"].isna().sum() == 25


def test_denominators_follow_the_stated_samples(report):
    p = report.prompts.set_index("prompt_id")
    harm = p["key_question"].isin(["2.1.3", "2.2.3", "2.3.3", "2.4.3"])
    assert (p.loc[harm, "n_current"] == 85).all()
    assert p.loc["2.3.1.d", "n_current"] == 42 and p.loc["2.3.1.d", "prompt"].startswith("Post-custody cases only")
    assert (p.loc[p["standard"] == "4.1", "n_current"] == 35).all()
    assert (p.loc[p["standard"] == "4.2", "n_current"] == 24).all()
    other = ~harm & p["standard"].str.startswith("2.") & (p.index != "2.3.1.d")
    assert (p.loc[other, "n_current"] == 100).all()
    samples = report.samples.set_index("sample")["n"]
    assert set(p["sample"]) <= set(samples.index)
    np.testing.assert_array_equal(p["n_current"].to_numpy(int), samples[p["sample"]].to_numpy(int))


def test_key_questions_against_chapter_tables(report, report_text):
    kq = report.key_questions
    assert len(kq) == 18
    rows = re.findall(r"^(\d+)% (\d+)%(?:\d+)? (\d+)% *$", report_text, flags=re.M)
    comparable = kq.dropna(subset=["previous"])
    assert [tuple(int(x) for x in r) for r in rows] == [
        (int(a), int(b), int(c))
        for a, b, c in zip(comparable["previous"], comparable["current"], comparable["all_crcs"], strict=True)
    ]
    unpaid = normalise(report_text[report_text.index("Our rating45 for unpaid work") :][:900])
    for text, value in zip(
        kq.loc[kq["standard"] == "4.1", "key_question_text"], kq.loc[kq["standard"] == "4.1", "current"], strict=True
    ):
        assert re.search(re.escape(normalise(text)) + r"\s*(?:\d+\s*)?" + f"{int(value)}%", unpaid), text


def test_standards_and_overall(report, report_text):
    s = report.standards.set_index("standard")
    assert len(s) == 10
    ratings_block = normalise(report_text[report_text.index(" Ratings") : report_text.index("Executive summary")])
    for std, row in s.iterrows():
        assert f"{std} {row['standard_name']} {row['current_rating']}" in ratings_block
    o = report.overall.set_index("inspection")
    assert o.loc["current", "score"] == 20 and o.loc["current", "rating"] == "Good"
    assert "Score 20/30" in ratings_block and "Overall rating Good" in ratings_block
    assert o.loc["previous", "rating"] == "Requires improvement"


def test_samples_are_stated_in_the_report(report, report_text):
    text = normalise(report_text)
    for sample, n in zip(report.samples["sample"], report.samples["n"], strict=True):
        assert re.search(rf"\b{n}\b", text), sample
    for quote in report.samples["source"]:
        inner = re.findall(r"'([^']+)'", quote)
        for part in inner:
            for piece in part.split(" ... "):
                assert normalise(piece) in text, piece


def test_unknown_report_name():
    with pytest.raises(ValueError, match=r"name \('nowhere'\) must be one of the bundled reports"):
        load_report("nowhere")
