import pandas as pd
import pytest

from stats.annexe import AnnexeParseError, read_annexe, read_report_text, stated_samples
from stats.cli import main


def test_read_annexe_equals_bundled_prompts(report, report_text):
    parsed = read_annexe(report_text)
    pd.testing.assert_frame_equal(parsed, report.prompts)


def test_stated_samples_equal_bundled(report, report_text):
    samples = stated_samples(report_text)
    bundled = dict(zip(report.samples["sample"], report.samples["n"].astype(int), strict=True))
    assert samples == {k: bundled[k] for k in samples} and len(samples) == 6


def test_layout_features(report_text):
    parsed = read_annexe(report_text).set_index("prompt_id")
    # footnote marker glued to the question, and its footnote text from the page foot
    assert parsed.loc["2.1.3.d", "prompt"] == "Were domestic abuse checks undertaken?"
    assert parsed.loc["2.1.3.d", "note"] == "Footnote 55: expected in all cases."
    # "47% No comparable data available": the phrase describes the previous inspection only
    assert pd.isna(parsed.loc["4.2.2.a", "previous"]) and parsed.loc["4.2.2.a", "current"] == 47
    # a question wrapped over a page header, and a word hyphenated across lines
    assert parsed.loc["2.3.3.c", "prompt"].endswith("sufficiently well-coordinated?")
    assert "multi-agency plans" in parsed.loc["2.2.3.c", "prompt"]
    # 4.1.3 is qualitative only: the third key question of unpaid work is 4.1.4
    assert sorted(parsed.loc[parsed["standard"] == "4.1", "key_question"].unique()) == ["4.1.1", "4.1.2", "4.1.4"]


MINI = """Annexe 4: Inspection data

2.1. Assessment

Does assessment focus sufficiently on engaging the
service user?

Previous
inspection

Current
inspection

Does assessment analyse the service user's motivation?
54% 71%

Is the service user meaningfully involved?  No
comparable

data
available

67%
"""


def test_small_table_and_unknown_samples():
    parsed = read_annexe(MINI)
    assert list(parsed["prompt_id"]) == ["2.1.1.a", "2.1.1.b"]
    assert parsed["previous"].tolist()[0] == 54 and pd.isna(parsed["previous"].tolist()[1])
    assert parsed["n_current"].isna().all() and set(parsed["n_source"]) == {"unknown"}
    with_n = read_annexe(MINI, samples={"case supervision": 100})
    assert with_n["n_current"].tolist() == [100, 100]


@pytest.mark.parametrize(
    "text, match",
    [
        ("Nothing here.\n", r"line 1: no 'Annexe 4' heading"),
        ("Annexe 4: Inspection data\n\nSome text only.\n", r"line 1: no standard heading"),
        (MINI.replace("54% 71%", "54%"), r"line 14: only one figure for \"Does assessment analyse"),
        (MINI + "\n71% 80%\n", r"line 2[0-9]: figures '71%' without a question"),
        (
            MINI + "\nIs this a dangling question?\n",
            r"line 2[0-9]: question 'Is this a dangling question\?' has no figures",
        ),
    ],
)
def test_parse_errors_name_the_line(text, match):
    with pytest.raises(AnnexeParseError, match=match):
        read_annexe(text)


def test_read_report_cli(capsys, tmp_path):
    from tests.conftest import REPORT_DIR

    out = tmp_path / "prompts.csv"
    assert main(["read-report", str(REPORT_DIR / "report.txt"), "-o", str(out)]) == 0
    assert pd.read_csv(out).shape == (76, 14)
    bad = tmp_path / "bad.txt"
    bad.write_text(MINI.replace("54% 71%", "54%"))
    assert main(["read-report", str(bad), "-o", str(tmp_path / "x.csv")]) == 2
    err = capsys.readouterr().err
    assert "line 14" in err and not (tmp_path / "x.csv").exists()


def test_pdf_is_extracted_and_parsed(tmp_path):
    matplotlib = pytest.importorskip("matplotlib")
    pytest.importorskip("pypdf")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(8.5, 11))
    lines = MINI.splitlines()
    for i, line in enumerate(lines):
        fig.text(0.05, 0.95 - i * 0.03, line, fontsize=9)
    path = tmp_path / "mini.pdf"
    fig.savefig(path)
    plt.close(fig)
    text = read_report_text(path)
    parsed = read_annexe(text)
    assert list(parsed["prompt_id"]) == ["2.1.1.a", "2.1.1.b"]
    assert parsed["current"].tolist() == [71.0, 67.0]


def test_read_report_text_errors(tmp_path):
    with pytest.raises(OSError, match=r"cannot read .*missing.txt"):
        read_report_text(tmp_path / "missing.txt")
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"not a pdf")
    with pytest.raises(OSError, match=r"cannot read .*broken.pdf.* as PDF"):
        read_report_text(broken)
