"""Every schema rule against a corrupted copy of the bundled data (one corruption per test)."""

import shutil

import pandas as pd
import pytest

from stats import load_report
from stats.cli import main
from stats.reports import report_folder
from stats.schema import ReportValidationError, validate_report
from tests.conftest import REPORT_DIR

FILES = ("report.toml", "prompts.csv", "key_questions.csv", "standards.csv", "overall.csv", "samples.csv")


@pytest.fixture
def folder(tmp_path):
    out = tmp_path / "copy"
    out.mkdir()
    for name in FILES:
        shutil.copy(REPORT_DIR / name, out / name)
    return out


def _edit(folder, file, fn):
    path = folder / file
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    table = fn(table)
    table.to_csv(path, index=False)


def _set(row, column, value):
    def fn(t):
        t.loc[row, column] = value
        return t

    return fn


def _where(column, equals, target, value):
    def fn(t):
        t.loc[t[column] == equals, target] = value
        return t

    return fn


def _drop_rows(column, equals):
    return lambda t: t[t[column] != equals]


def _drop_column(column):
    return lambda t: t.drop(columns=[column])


def _duplicate_row(i):
    return lambda t: pd.concat([t, t.iloc[[i]]], ignore_index=True)


# (file, corruption, expected row (1-based, None for file/column level), column, words of the rule, value)
CASES = {
    # prompts.csv
    "prompt standard blank": ("prompts.csv", _set(0, "standard", ""), 1, "standard", "must not be blank", None),
    "prompt standard format": (
        "prompts.csv",
        _set(0, "standard", "2-1"),
        1,
        "standard",
        "must look like a standard id",
        "2-1",
    ),
    "prompt standard judgement": (
        "prompts.csv",
        _set(0, "standard", "1.1"),
        1,
        "standard",
        "rated from case data",
        "1.1",
    ),
    "prompt standard name": (
        "prompts.csv",
        _set(0, "standard_name", "Assesment"),
        1,
        "standard_name",
        "framework's name",
        "Assesment",
    ),
    "prompt kq format": (
        "prompts.csv",
        _set(2, "key_question", "2.1"),
        3,
        "key_question",
        "must look like a key question id",
        "2.1",
    ),
    "prompt kq not in key_questions.csv": (
        "prompts.csv",
        _set(2, "key_question", "2.1.7"),
        3,
        "key_question",
        "a key question of key_questions.csv",
        "2.1.7",
    ),
    "prompt kq under its standard": (
        "prompts.csv",
        _set(2, "key_question", "2.2.1"),
        3,
        "key_question",
        "must start with its standard id",
        "2.2.1",
    ),
    "prompt kq text blank": (
        "prompts.csv",
        _set(4, "key_question_text", ""),
        5,
        "key_question_text",
        "must not be blank",
        None,
    ),
    "prompt id format": (
        "prompts.csv",
        _set(5, "prompt_id", "2.1.2-c"),
        6,
        "prompt_id",
        "must look like a prompt id",
        "2.1.2-c",
    ),
    "prompt id unique": ("prompts.csv", _set(5, "prompt_id", "2.1.2.a"), 6, "prompt_id", "must be unique", "2.1.2.a"),
    "prompt id under its kq": (
        "prompts.csv",
        _set(5, "prompt_id", "2.1.3.z"),
        6,
        "prompt_id",
        "must start with its key question id",
        "2.1.3.z",
    ),
    "prompt text blank": ("prompts.csv", _set(6, "prompt", ""), 7, "prompt", "must not be blank", None),
    "prompt previous above 100": (
        "prompts.csv",
        _set(7, "previous", "134"),
        8,
        "previous",
        "percent from 0 to 100",
        "134",
    ),
    "prompt previous not a number": (
        "prompts.csv",
        _set(7, "previous", "34 per cent"),
        8,
        "previous",
        "percent from 0 to 100",
        "34 per cent",
    ),
    "prompt current blank (no comparable data is previous only)": (
        "prompts.csv",
        _set(70, "current", ""),
        71,
        "current",
        "only describes the previous inspection",
        None,
    ),
    "prompt current negative": ("prompts.csv", _set(8, "current", "-1"), 9, "current", "percent from 0 to 100", "-1"),
    "prompt n_previous zero": (
        "prompts.csv",
        _set(9, "n_previous", "0"),
        10,
        "n_previous",
        "whole number of cases from 1",
        "0",
    ),
    "prompt n_current fraction": (
        "prompts.csv",
        _set(9, "n_current", "84.5"),
        10,
        "n_current",
        "whole number of cases from 1",
        "84.5",
    ),
    "prompt n_current above its sample": (
        "prompts.csv",
        _set(9, "n_current", "86"),
        10,
        "n_current",
        "not be above the n of its sample",
        "86",
    ),
    "prompt sample unknown": (
        "prompts.csv",
        _set(10, "sample", "harms"),
        11,
        "sample",
        "a sample of samples.csv",
        "harms",
    ),
    "prompt n_source value": (
        "prompts.csv",
        _set(11, "n_source", "guessed"),
        12,
        "n_source",
        "stated, assumed, counted, unknown",
        "guessed",
    ),
    "prompt column missing": (
        "prompts.csv",
        _drop_column("current"),
        None,
        "current",
        "required column is missing",
        None,
    ),
    # key_questions.csv
    "kq qualitative": (
        "key_questions.csv",
        _set(14, "key_question", "4.1.3"),
        15,
        "key_question",
        "must not be a qualitative key question",
        "4.1.3",
    ),
    "kq not in framework": (
        "key_questions.csv",
        _set(0, "key_question", "2.1.9"),
        1,
        "key_question",
        "a key question of framework adult-2018",
        "2.1.9",
    ),
    "kq unique": ("key_questions.csv", _set(1, "key_question", "2.1.1"), 2, "key_question", "must be unique", "2.1.1"),
    "kq row missing": (
        "key_questions.csv",
        _drop_rows("key_question", "2.4.2"),
        None,
        "key_question",
        "needs a row; this one is missing",
        "2.4.2",
    ),
    "kq comparison percent": (
        "key_questions.csv",
        _set(3, "all_crcs", "163"),
        4,
        "all_crcs",
        "percent from 0 to 100",
        "163",
    ),
    "kq current blank": (
        "key_questions.csv",
        _set(3, "current", ""),
        4,
        "current",
        "only describes the previous inspection",
        None,
    ),
    # standards.csv
    "standard unique": ("standards.csv", _duplicate_row(5), 6, "standard", "must be unique", "2.2"),
    "standard not in framework": (
        "standards.csv",
        _set(9, "standard", "4.3"),
        10,
        "standard",
        "a standard of framework adult-2018",
        "4.3",
    ),
    "standard row missing": (
        "standards.csv",
        _drop_rows("standard", "1.3"),
        None,
        "standard",
        "needs a row; this one is missing",
        "1.3",
    ),
    "standard domain": (
        "standards.csv",
        _set(9, "domain", "4"),
        10,
        "domain",
        "framework's domain of the standard",
        "4",
    ),
    "standard domain whole": ("standards.csv", _set(0, "domain", "one"), 1, "domain", "must be a whole number", "one"),
    "standard previous rating": (
        "standards.csv",
        _set(1, "previous_rating", "Very good"),
        2,
        "previous_rating",
        "a rating of framework adult-2018",
        "Very good",
    ),
    "standard current rating blank": (
        "standards.csv",
        _set(1, "current_rating", ""),
        2,
        "current_rating",
        "must not be blank",
        None,
    ),
    "standard basis": (
        "standards.csv",
        _set(4, "basis", "inspector judgement"),
        5,
        "basis",
        "framework's basis",
        "inspector judgement",
    ),
    "standard discretion rating": (
        "standards.csv",
        _set(4, "discretion_rating", "Great"),
        5,
        "discretion_rating",
        "a rating of framework",
        "Great",
    ),
    "standard adjustment value": (
        "standards.csv",
        _set(8, "qualitative_adjustment", "2"),
        9,
        "qualitative_adjustment",
        "must be -1, 0 or 1",
        "2",
    ),
    "standard adjustment only with a qualitative kq": (
        "standards.csv",
        _set(5, "qualitative_adjustment", "1"),
        6,
        "qualitative_adjustment",
        "no qualitative key question",
        "1",
    ),
    # overall.csv
    "overall inspection value": (
        "overall.csv",
        _set(0, "inspection", "earlier"),
        1,
        "inspection",
        "previous or current",
        "earlier",
    ),
    "overall inspection unique": (
        "overall.csv",
        _set(0, "inspection", "current"),
        1,
        "inspection",
        "must be unique",
        "current",
    ),
    "overall current row missing": (
        "overall.csv",
        _drop_rows("inspection", "current"),
        None,
        "inspection",
        "needs a row for the current inspection",
        None,
    ),
    "overall score range": ("overall.csv", _set(1, "score", "31"), 2, "score", "whole number from 0 to 30", "31"),
    "overall rating value": ("overall.csv", _set(1, "rating", "good"), 2, "rating", "a rating of framework", "good"),
    "overall current rating blank": (
        "overall.csv",
        _set(1, "rating", ""),
        2,
        "rating",
        "must not be blank for the current inspection",
        None,
    ),
    # samples.csv
    "sample unique": (
        "samples.csv",
        _set(1, "sample", "case supervision"),
        2,
        "sample",
        "must be unique",
        "case supervision",
    ),
    "sample n from 1": ("samples.csv", _set(6, "n", "0"), 7, "n", "whole number of cases from 1", "0"),
    "sample parent unknown": (
        "samples.csv",
        _set(2, "parent", "supervision"),
        3,
        "parent",
        "a sample of samples.csv",
        "supervision",
    ),
    "sample not above its parent": (
        "samples.csv",
        _set(3, "n", "101"),
        4,
        "n",
        "not be above the n of its parent",
        "101",
    ),
    "sample sized_for_margin": (
        "samples.csv",
        _set(0, "sized_for_margin", "maybe"),
        1,
        "sized_for_margin",
        "yes or no",
        "maybe",
    ),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_each_rule_catches_its_corruption(folder, case):
    file, corrupt, row, column, words, value = CASES[case]
    _edit(folder, file, corrupt)  # the copy is valid before (test_bundled_reports_are_valid)
    v = validate_report(folder)
    hit = v[(v["file"] == file) & (v["column"] == column) & v["rule"].str.contains(words, regex=False)]
    hit = hit[hit["row"].isna() if row is None else hit["row"] == row]
    assert len(hit) >= 1, v.to_string()
    assert [x for x in hit["value"] if (pd.isna(x) if value is None else x == value)], hit.to_string()


def test_bundled_reports_are_valid():
    for name in ("south-yorkshire-crc-2020", "constructed-youth-example"):
        assert validate_report(report_folder(name)).empty, name


def test_every_violation_listed_at_once(folder):
    _edit(folder, "prompts.csv", _set(0, "current", "101"))
    _edit(folder, "prompts.csv", _set(3, "sample", "nobody"))
    _edit(folder, "standards.csv", _set(2, "current_rating", "Superb"))
    _edit(folder, "samples.csv", _set(0, "n", "-5"))
    v = validate_report(folder)
    got = set(zip(v["file"], v["row"].astype(int), v["column"], strict=True))
    assert got >= {
        ("prompts.csv", 1, "current"),
        ("prompts.csv", 4, "sample"),
        ("standards.csv", 3, "current_rating"),
        ("samples.csv", 1, "n"),
    }
    with pytest.raises(ReportValidationError) as info:
        load_report(path=folder)
    message = str(info.value)
    assert (
        "prompts.csv, row 1, column current: must be a percent from 0 to 100 (a number; blank for none) (got '101')"
        in message
    )
    assert "standards.csv, row 3, column current_rating" in message and "samples.csv, row 1, column n" in message
    assert len(info.value.violations) == len(v)


@pytest.mark.parametrize(
    "setup, words",
    [
        (lambda f: (f / "samples.csv").unlink(), "samples.csv: file is missing"),
        (lambda f: (f / "overall.csv").write_text(""), "overall.csv: cannot be read as CSV"),
        (lambda f: (f / "report.toml").unlink(), "report.toml: file is missing: it names the report's framework"),
        (
            lambda f: (f / "report.toml").write_text('framework = "adult-2018"\nconstructed = false\ncolour = "red"\n'),
            "report.toml, column colour: is not a known key",
        ),
        (
            lambda f: (f / "report.toml").write_text('framework = "adult-2018"\n'),
            "report.toml, column constructed: is required",
        ),
        (
            lambda f: (f / "report.toml").write_text('framework = "adult-2099"\nconstructed = false\n'),
            "report.toml, column framework: framework ('adult-2099') must be one of the bundled frameworks",
        ),
        (
            lambda f: (
                (f / "report.toml").write_text('framework = "bad.toml"\nconstructed = false\n'),
                (f / "bad.toml").write_text('name = "Bad Name"\n'),
            ),
            "bad.toml: name: must be lower case",
        ),
    ],
)
def test_folder_and_metadata_rules(folder, setup, words):
    setup(folder)
    with pytest.raises(ReportValidationError) as info:
        load_report(path=folder)
    assert words in str(info.value), str(info.value)


def test_validate_cli(folder, capsys):
    assert main(["validate", str(folder)]) == 0
    assert "valid (no schema violations)" in capsys.readouterr().out
    _edit(folder, "prompts.csv", _set(70, "current", ""))
    _edit(folder, "overall.csv", _set(1, "score", "45"))
    assert main(["validate", str(folder), "--format", "csv"]) == 1
    out = pd.read_csv(pd.io.common.StringIO(capsys.readouterr().out))
    assert list(out.columns) == ["file", "row", "column", "value", "rule"]
    assert set(zip(out["file"], out["row"], out["column"], strict=True)) == {
        ("prompts.csv", 71, "current"),
        ("overall.csv", 2, "score"),
    }
    assert main(["validate", str(folder / "nowhere")]) == 2
    assert "no such folder" in capsys.readouterr().err
