import json

import pandas as pd
import pytest

from stats import label_changes
from stats.audit import VERDICTS, audit_wording, sentences, significant_changes_in_text
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
        re.findall(r"\bsignificant(?:ly)?\b", body, re.I))
    assert set(audited["verdict"]) <= set(VERDICTS)


def test_ordinary_english_and_the_data_sentence(report_text, labelled):
    audited = audit_wording(report_text, *labelled).set_index("sentence")
    ordinary = [
        "Two significant changes to the operating model have been implemented since our last inspection.",
        "Planning to manage domestic abuse meaningfully and address safeguarding issues needs to improve significantly.",
    ]
    for s in ordinary:
        assert audited.loc[s, "verdict"] == "not about inspection data"
    data = audited.loc["The latter has improved significantly since the last inspection."]
    assert bool(data["about_data"]) and data["section"].startswith("2.3")
    # the sentence before it speaks of the involvement of other organisations in the delivery of services
    assert data["matched_ids"][0] == "2.3.2.c" and data["verdict"] == "not supported"


def test_verdicts_on_constructed_text(labelled):
    text = (
        "2.1. Assessment\n\n"
        "Assessments of motivation and readiness to engage and comply with the sentence have improved "
        "significantly since the last inspection.\n\n"
        "Involvement of the service user in their assessment has not changed significantly since the last inspection.\n\n"
        "Analysis of the service user's diversity and personal circumstances improved significantly since the last inspection.\n"
    )
    audited = audit_wording(text, *labelled)
    assert list(audited["verdict"]) == ["supported", "supported", "no comparable data"]
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
