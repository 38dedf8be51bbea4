import json

import pandas as pd
import pytest

from stats import label_changes
from stats.audit import CANNOT_BE_TESTED, VERDICTS, audit_wording, referent, sentences, significant_changes_in_text
from stats.cli import main


@pytest.fixture(scope="module")
def labelled(report):
    return label_changes(report.prompts), label_changes(report.key_questions)


def test_every_use_of_the_word_is_listed(report_text, labelled):
    audited = audit_wording(report_text, *labelled)
    body = report_text[: report_text.index("Annexe 1: Background")]
    import re

    # every occurrence in the body is in exactly one listed sentence (none hidden)
    assert sum(len(re.findall(r"\bsignificant(?:ly)?\b", s, re.I)) for s in audited["sentence"]) == len(
        re.findall(r"\bsignificant(?:ly)?\b", body, re.I)
    )
    assert set(audited["verdict"]) <= set(VERDICTS)


def test_ordinary_english_and_the_data_sentence(report_text, labelled):
    audited = audit_wording(report_text, *labelled).set_index("sentence")
    ordinary = [
        "Two significant changes to the operating model have been implemented since our last inspection.",
        (
            "Planning to manage domestic abuse meaningfully and address safeguarding issues needs to improve "
            "significantly."
        ),
    ]
    for s in ordinary:
        assert audited.loc[s, "verdict"] == "not about inspection data"
    data = audited.loc["The latter has improved significantly since the last inspection."]
    assert bool(data["about_data"]) and data["section"].startswith("2.3")
    # "The latter" is the second of the two things the sentence before names: engagement with services
    # during and after the sentence (prompt 2.3.2.f), which has no previous figure, not the coordination
    # of other organisations (2.3.2.c, 63 % -> 60 %): the claim cannot be tested.
    assert (
        data["referent"] == "engagement with these services both during and post-sentence was better than previously."
    )
    assert data["matched_ids"][0] == "2.3.2.f" and "2.3.2.c" not in data["matched_ids"]
    assert data["verdict"] == "cannot be tested"


def test_verdicts_on_constructed_text(labelled):
    text = (
        "2.1. Assessment\n\n"
        "Assessments of motivation and readiness to engage and comply with the sentence have improved "
        "significantly since the last inspection.\n\n"
        "Involvement of the service user in their assessment has not changed significantly since the last "
        "inspection.\n\n"
        "Analysis of the service user's diversity and personal circumstances improved significantly since the last "
        "inspection.\n"
    )
    audited = audit_wording(text, *labelled)
    assert list(audited["verdict"]) == ["supported", "supported", "cannot be tested"]
    assert audited.loc[0, "matched_ids"][0] == "2.1.1.a"


def test_sentences_sections(report_text):
    sections = {s.section for s in sentences(report_text)}
    assert {"2.1 Assessment", "2.4 Reviewing", "4.2 Through the Gate"} <= sections


def test_converse_list(report_text, labelled):
    conv = significant_changes_in_text(report_text, *labelled)
    assert set(conv["label"]) == {"significant improvement", "significant decline"}
    assert len(conv) == 17 + 9
    row = conv.set_index("id").loc["2.3.2.b"]
    assert "improvement" in row["words"] and "marked" in row["words"]


def test_audit_cli_json(capsys, tmp_path):
    from tests.conftest import REPORT_DIR

    assert main(["audit", str(REPORT_DIR / "report.txt"), "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {"sentence", "section", "matched_prompts", "verdict"} <= set(rows[0])
    assert main(["audit", str(tmp_path / "missing.txt")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_audit_errors(report_text):
    with pytest.raises(TypeError, match=r"text must be a str"):
        sentences(b"bytes")
    with pytest.raises(ValueError, match=r"labelled_prompts has no column 'label'"):
        audit_wording(report_text, pd.DataFrame({"prompt_id": [], "prompt": [], "standard": []}))


def test_referents_of_anaphors():
    before = "Officers did not coordinate other services; engagement was better, and reviews were prompt."
    assert referent("The latter has improved significantly.", before) == "reviews were prompt."
    assert referent("The former has improved significantly.", before) == "Officers did not coordinate other services"
    assert referent("This has improved significantly.", before) == before
    assert referent("It rose significantly.", before) == before
    # a single clause: the items it joins
    assert referent("The latter fell.", "Planning and reviewing were assessed.") == "reviewing were assessed."
    # no anaphor, or nothing before: no referent
    assert referent("Planning improved significantly.", before) == ""
    assert referent("The latter improved.", "") == ""
    assert referent("Thesis writing improved.", before) == ""


def test_the_latter_and_the_former_pick_their_own_rows(labelled):
    # Constructed text (not from the report): the same claim about the second or the first of two
    # things gets the verdict of that thing's row, whichever row it is.
    before = (
        "Involvement of the service user in their assessment was limited, although analysis of "
        "offending-related factors was better."
    )
    text = (
        f"2.1. Assessment\n\n{before} The latter has improved significantly since the last inspection.\n\n"
        f"{before} The former has improved significantly since the last inspection.\n"
    )
    audited = audit_wording(text, *labelled)
    latter, former = audited.iloc[0], audited.iloc[1]
    # 2.1.2.a (offending-related factors, 44 % -> 64 %) is a significant improvement
    assert latter["matched_ids"][0] == "2.1.2.a" and latter["verdict"] == "supported"
    # 2.1.1.c (service user involved in their assessment, 71 % -> 67 %) is not
    assert former["matched_ids"][0] == "2.1.1.c" and former["verdict"] == "not supported"
    assert CANNOT_BE_TESTED in VERDICTS and "no comparable data" not in VERDICTS
