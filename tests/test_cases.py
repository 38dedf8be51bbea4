import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from stats import label_changes
from stats.cases import compare_inspections, parse_answers, read_cases, tabulate
from stats.cli import main
from stats.consistency import round_percent
from tests.conftest import ROOT

SYNTHETIC = ROOT / "data" / "synthetic-cases"


def small_cases():
    return pd.DataFrame(
        {
            "case_id": ["a", "b", "c", "d", "e"],
            "gender": ["male", "female", "male", "male", "female"],
            "q1": ["Yes", "no", "1", "0", ""],
            "q2": ["Not applicable", "N/A", "", "", ""],
            "q3": ["yes", "YES", " Yes ", "No", "not  applicable"],
        }
    )


def test_tabulate_counts_and_denominators():
    t = tabulate(small_cases()).set_index("prompt")
    assert t.loc["q1", ["count", "n"]].tolist() == [2, 4]
    assert t.loc["q1", "proportion"] == 0.5
    assert not t.loc["q2", "testable"] and np.isnan(t.loc["q2", "proportion"]) and np.isnan(t.loc["q2", "margin"])
    assert t.loc["q3", ["count", "n"]].tolist() == [3, 4]
    from stats import margin_of_error

    assert t.loc["q3", "margin"] == pytest.approx(margin_of_error(4))


def test_tabulate_by_attribute_widening():
    t = tabulate(small_cases(), by="gender")
    male = t[(t["gender"] == "male") & (t["prompt"] == "q3")].iloc[0]
    assert (male["count"], male["n"]) == (2, 3)
    assert male["widening"] == pytest.approx(np.sqrt(4 / 3))


def test_unknown_answers_listed_with_row_and_column():
    cases = small_cases()
    cases.index = pd.RangeIndex(1, 6)
    cases.loc[2, "q1"] = "maybe"
    cases.loc[5, "q3"] = "yes!"
    with pytest.raises(ValueError, match=r"unknown answers .*row 2, column 'q1': 'maybe'; row 5, column 'q3': 'yes!'"):
        tabulate(cases)


def test_duplicate_ids_are_an_error():
    cases = small_cases()
    cases.loc[3, "case_id"] = "a"
    with pytest.raises(
        ValueError, match=r"column 'case_id' must identify each case once; duplicated: 'a' \(rows 0, 3\)"
    ):
        parse_answers(cases)


def test_synthetic_example_reproduces_report(report):
    cases = read_cases(SYNTHETIC / "current.csv")
    assert len(cases) == 100 and cases["case_id"].is_unique
    t = tabulate(cases).set_index("prompt")
    published = report.prompts[report.prompts["standard"].str.startswith("2.")].set_index("prompt_id")["current"]
    for prompt_id, pct in published.items():
        row = t.loc[prompt_id]
        assert round_percent(int(row["count"]), int(row["n"])) == pct, prompt_id
    record = pd.read_csv(SYNTHETIC / "reproduction.csv")
    not_exact = record.loc[~record["exact_with_stated_n"], ["inspection", "prompt_id"]].values.tolist()
    assert ["current", "2.3.1.d"] in not_exact  # 51 % is not k/42
    # harm prompts apply to the 85 harm cases (or fewer where recorded), post-custody to post-release cases
    assert t.loc["2.1.3.a", "n"] == 85 and t.loc["2.3.1.d", "n"] == 41


def test_two_inspections_give_the_labelled_table(report):
    table = compare_inspections(read_cases(SYNTHETIC / "previous.csv"), read_cases(SYNTHETIC / "current.csv"))
    assert len(table) == 53
    labelled = label_changes(report.prompts[report.prompts["standard"].str.startswith("2.")])
    # with counts reproducing the published percentages (and n shrunk by at most 4 cases where a
    # percentage needed it), every label agrees with the label of the published table
    assert (table["label"].to_numpy() == labelled["label"].to_numpy()).all()
    assert (table.loc[labelled["label"].to_numpy() == "no comparable data", "label"] == "no comparable data").all()


def test_generator_is_seeded_and_documented(tmp_path):
    subprocess.run([sys.executable, str(SYNTHETIC / "make_cases.py"), str(tmp_path)], check=True)
    for name in ("current.csv", "previous.csv", "reproduction.csv"):
        assert (tmp_path / name).read_text() == (SYNTHETIC / name).read_text(), name
    assert "SYNTHETIC" in (SYNTHETIC / "make_cases.py").read_text()


def test_excel_input(tmp_path):
    pytest.importorskip("openpyxl")
    path = tmp_path / "cases.xlsx"
    small_cases().to_excel(path, index=False)
    t = tabulate(read_cases(path)).set_index("prompt")
    assert t.loc["q1", ["count", "n"]].tolist() == [2, 4]


def test_tabulate_cli(capsys, tmp_path):
    assert main(["tabulate", str(SYNTHETIC / "current.csv"), "--by", "gender", "--format", "csv"]) == 0
    out = pd.read_csv(__import__("io").StringIO(capsys.readouterr().out))
    assert set(out["gender"]) == {"male", "female"} and "widening" in out
    assert main(["tabulate", str(SYNTHETIC / "current.csv"), "--previous", str(SYNTHETIC / "previous.csv")]) == 0
    assert "significant improvement" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text("case_id,q1\n1,yes\n2,perhaps\n")
    assert main(["tabulate", str(bad)]) == 2
    assert "row 2, column 'q1': 'perhaps'" in capsys.readouterr().err
    assert main(["tabulate", str(tmp_path / "none.csv")]) == 2
