"""Hardening: numeric limits, no tracebacks, Excel and case-file checks, the Annexe tokeniser."""

import re
import zipfile

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import stats
from stats import annexe
from stats.cases import MAX_UNCOMPRESSED, compare_inspections, read_cases, tabulate
from stats.cli import main
from tests.conftest import ROOT

SYNTHETIC = ROOT / "data" / "synthetic-cases"


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


# ----------------------------------------------------------------------------------------- numbers


@pytest.mark.parametrize("argv, message", [
    (["sample-size", "--margin", "1e-10"], "margin (1e-10) is too small: the sample size would be 4.11e+19, above 2**53"),
    (["compare", "0.54", "inf", "0.71", "100"], "argument n_previous: expected a whole number, got 'inf' (inf and nan"),
    (["compare", "0.54", "100", "nan", "100"], "argument current: expected a finite number, got 'nan'"),
    (["compare", "0.54", "1e308", "0.71", "1e308"], "expected a whole number of at most 2**53"),
    (["sample-size", "--population", "inf"], "for an infinite population leave --population out"),
    (["margin", "--n", "10", "--population=-inf"], "argument --population: expected a whole number, got '-inf'"),
    (["compare", "0.54", "100", "0.71", "100", "--alpha", "inf"], "argument --alpha: expected a finite number"),
    (["sample-size", "--confidence-level", "nan"], "expected a finite number, got 'nan'"),
])
def test_cli_numbers_reject_inf_nan_and_overflow(capsys, argv, message):
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's usage error: exit 2 too
        code = exc.code
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and message in err and "Traceback" not in err


def test_sample_size_never_returns_a_wrapped_negative():
    with pytest.raises(ValueError, match=r"margin \(1e-10\) is too small"):
        stats.sample_size(margin=1e-10)
    with pytest.raises(ValueError, match=r"margin \(1e-12\) is too small"):
        stats.sample_size(margin=[0.05, 1e-12])
    assert stats.sample_size(10**6, margin=1e-12) == 10**6  # capped by the population: no overflow
    assert stats.sample_size(margin=1e-6) == 410593603788  # ceil(1.2815515655446004**2 / 4e-12)


def test_huge_counts_are_refused_instead_of_overflowing():
    # n = 1e308: n1 + n2 overflowed to inf, z = inf, "significant"
    with pytest.raises(ValueError, match=r"n_previous must be at most 2\*\*53 = 9007199254740992.*\(got 1e\+308\)"):
        stats.compare_proportions(0.54, 1e308, 0.71, 1e308)
    with pytest.raises(ValueError, match=r"population must be at most 2\*\*53"):
        stats.margin_of_error(10, 1e300)
    assert stats.margin_of_error(10, np.inf) == stats.margin_of_error(10)  # infinite population still allowed
    res = stats.compare_proportions(0.54, 2**53, 0.71, 2**53)
    assert np.isfinite(res.statistic) and res.significant


def test_internal_errors_are_reported_as_bugs_without_traceback(capsys, monkeypatch):
    from stats import cli

    def broken(args):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setitem(cli._COMMANDS, "ratings", broken)
    code, _out, err = run(capsys, "ratings")
    assert code == 70 and "internal error: ZeroDivisionError: division by zero" in err
    assert "This is a bug in inspection-stats" in err and "Traceback" not in err
    monkeypatch.setenv("STATS_DEBUG", "1")
    with pytest.raises(ZeroDivisionError):
        main(["ratings"])


# ----------------------------------------------------------------------------------------- Excel


def small_cases():
    return pd.DataFrame({"case_id": ["a", "b", "c", "d"], "gender": ["m", "f", "m", "f"],
                         "q1": ["Yes", "No", "Yes", "Not applicable"], "q2": ["No", "No", "Yes", "Yes"]})


@pytest.fixture
def workbook(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "cases"
    rows = [list(small_cases().columns), *small_cases().values.tolist()]
    for row in rows:
        ws.append(row)
    return wb, ws, tmp_path / "cases.xlsx"


def test_excel_reads_values(workbook):
    wb, _ws, path = workbook
    wb.save(path)
    t = tabulate(read_cases(path)).set_index("prompt")
    assert t.loc["q1", ["count", "n"]].tolist() == [2, 3] and t.loc["q2", ["count", "n"]].tolist() == [2, 4]


def test_excel_merged_cells_are_an_error_naming_the_cells(capsys, workbook):
    # ten "Yes" merged into one cell were read as n = 1, 100 %
    wb, ws, path = workbook
    for r in range(6, 16):
        ws.append([f"x{r}", "m", "Yes", "No"])
    ws.merge_cells("C6:C15")
    wb.save(path)
    with pytest.raises(ValueError, match=r"sheet 'cases': cells C6:C15 are merged"):
        read_cases(path)
    code, _, err = run(capsys, "tabulate", path)
    assert code == 2 and "C6:C15 are merged" in err


def test_excel_formula_without_cached_value_is_an_error(workbook):
    # openpyxl, like many generators, writes formulas without cached values: they read as blank,
    # which is "not applicable", so the denominator shrank silently
    wb, ws, path = workbook
    ws["D3"] = '=IF(1=1,"Yes","No")'
    wb.save(path)
    with pytest.raises(ValueError, match=r"cell D3: formula '=IF\(1=1,\"Yes\",\"No\"\)' has no cached value"):
        read_cases(path)


def test_excel_uncompressed_size_limit(capsys, workbook, tmp_path):
    wb, _ws, path = workbook
    wb.save(path)
    with pytest.raises(ValueError, match=r"expands to 0 MB uncompressed, above the limit of 0 MB.*max_uncompressed"):
        read_cases(path, max_uncompressed=1000)
    code, _, err = run(capsys, "tabulate", path, "--max-excel-mb", "0.001")
    assert code == 2 and "--max-excel-mb" in err
    assert MAX_UNCOMPRESSED == 200 * 2**20
    # a small archive that declares a large expansion (a zip bomb) is refused before parsing
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        with dst.open("xl/padding.bin", "w", force_zip64=True) as fh:
            block = bytes(1 << 20)
            for _ in range(MAX_UNCOMPRESSED // len(block) + 1):
                fh.write(block)
    assert bomb.stat().st_size < 2 * 2**20
    with pytest.raises(ValueError, match=r"expands to 201 MB uncompressed, above the limit of 200 MB \(a zip bomb\?"):
        read_cases(bomb)


# ----------------------------------------------------------------------------------------- case files


def test_undeclared_extra_column_is_an_error_and_attributes_declare_it(capsys, tmp_path):
    current = pd.read_csv(SYNTHETIC / "current.csv", dtype=str, keep_default_na=False)
    current.insert(6, "female", np.where(current["gender"] == "female", "Yes", "No"))
    path = tmp_path / "cases.csv"
    current.to_csv(path, index=False)
    code, _, err = run(capsys, "tabulate", path)
    assert code == 2 and "columns ['female'] are neither prompts" in err and "--attributes" in err
    code, out, err = run(capsys, "tabulate", path, "--attributes",
                         "gender,sentence_type,risk_of_harm,officer_grade,harm_factors,female", "--format", "csv")
    assert code == 0, err
    assert "female" not in out and "2.1.1.a" in out
    code, out, err = run(capsys, "tabulate", path, "--by", "female", "--format", "csv", "--attributes",
                         "gender,sentence_type,risk_of_harm,officer_grade,harm_factors,female")
    assert code == 0 and out.splitlines()[0].startswith("female,prompt")


def test_non_answer_column_hints_at_attributes():
    cases = small_cases().assign(region=["north", "south", "east", "west"])
    cases.index = pd.RangeIndex(1, 5)
    with pytest.raises(ValueError, match=r"Columns \['region'\] hold no answer at all: if they describe cases"):
        tabulate(cases)
    assert len(tabulate(cases, attributes=("gender", "region"))) == 2


def test_previous_file_sharing_no_prompt_is_an_error(capsys, tmp_path):
    previous = small_cases().rename(columns={"q1": "r1", "q2": "r2"})
    with pytest.raises(ValueError, match=r"share no prompt column"):
        compare_inspections(previous, small_cases())
    prev_path = tmp_path / "prev.csv"
    previous.to_csv(prev_path, index=False)
    cur_path = tmp_path / "cur.csv"
    small_cases().to_csv(cur_path, index=False)
    code, out, err = run(capsys, "tabulate", cur_path, "--previous", prev_path)
    assert code == 2 and out == "" and "share no prompt column" in err


# ----------------------------------------------------------------------------------------- Annexe 4 text

ADVERSARIAL = {
    "words without a question mark": "word " * 200_000,
    "blank lines": "\n" * 1_000_000,
    "spaces": " " * 1_000_000,
    "'No' runs": "No " * 333_333,
    "digits": "12 " * 333_333,
    "percent signs": "a%" * 500_000,
    "artefacts": "user?s " * 142_857,
    "markers": "⟦2.1|x " * 142_857,
}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(ADVERSARIAL))
def test_annexe_parser_completes_on_a_megabyte_of_adversarial_text(name):
    # The old prompt regex was quadratic: 80 KB took 81 s and 1 MB over 5 minutes. There is no timed
    # assertion here: a quadratic parser would take minutes on this input, the linear one well under
    # a second (benchmarks/annexe_linear.py measures the ratio).
    body = ADVERSARIAL[name]
    assert len(body) >= 990_000
    text = "Annexe 4: Inspection data\n2.1. Assessment\n" + body
    try:
        annexe.read_annexe(text)
    except annexe.AnnexeParseError:
        pass


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", " ", "?", "%", "1", "55", "No comparable data available",
                                 "Previous inspection Current inspection", "⟦2.1|Assessment⟧", "x?s", "\n"]),
                max_size=30))
def test_tokens_equal_the_regex_scan(pieces):
    stream = "".join(pieces)
    expected = [(m.start(), m.end(), m.lastgroup) for m in annexe._TOKEN.finditer(stream)]
    assert [(m.start(), m.end(), m.lastgroup) for m in annexe._tokens(stream)] == expected


MINI = """Annexe 4: Inspection data

2.1. Assessment

Does assessment focus sufficiently on engaging the
service user?
Previous inspection Current inspection
Does assessment analyse the service user?s motivation?
54%
71%
Does it take account of the service user?s diversity?
60%
62%
Does assessment focus sufficiently on keeping other people safe?
Previous inspection Current inspection
Were domestic abuse checks undertaken?
40%
70%
"""


def test_question_mark_artefact_is_read_as_an_apostrophe_and_reported():
    # "user?s" ended the question at "user?": the ids shifted silently
    parsed = annexe.read_annexe(MINI, samples={"case supervision": 100}).set_index("prompt_id")
    assert list(parsed.index) == ["2.1.1.a", "2.1.1.b", "2.1.2.a"]
    assert parsed.loc["2.1.1.a", "prompt"] == "Does assessment analyse the service user's motivation?"
    assert parsed.loc["2.1.1.b", "previous"] == 60 and parsed.loc["2.1.2.a", "current"] == 70
    assert "'?' between letters read as an apostrophe" in parsed.loc["2.1.1.a", "note"]
    assert pd.isna(parsed.loc["2.1.2.a", "note"])


def test_marker_characters_in_the_text_cannot_fake_a_standard():
    fake = MINI.replace("Were domestic abuse checks undertaken?", "Were ⟦9.9|Fake⟧ checks undertaken?")
    parsed = annexe.read_annexe(fake, samples={"case supervision": 100})
    assert set(parsed["standard"]) == {"2.1"} and "[9.9|Fake]" in parsed["prompt"].iloc[-1]


def test_read_report_output_neutralises_formulas(capsys, tmp_path):
    path = tmp_path / "report.txt"
    path.write_text(MINI.replace("Were domestic abuse", "=HYPERLINK(1) Were domestic abuse"))
    code, out, err = run(capsys, "read-report", path)
    assert code == 0, err
    assert "'=HYPERLINK(1) Were" in out
    assert re.search(r"^2\.1,", out, re.M)  # ordinary cells unchanged
