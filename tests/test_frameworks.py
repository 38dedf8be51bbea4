"""Frameworks as data; a user-written framework and a user folder end to end; the Annexe parser's framework rules."""

import re
import shutil
import subprocess
import sys
import tomllib

import pandas as pd
import pytest

from stats import available_reports, load_report
from stats.annexe import AnnexeParseError, read_annexe
from stats.cli import main
from stats.framework import FrameworkError, available_frameworks, load_framework
from stats.reports import report_folder
from tests.conftest import REPORT_DIR, ROOT

YOUTH_DIR = ROOT / "data" / "constructed-youth-example"


def test_bundled_frameworks():
    assert available_frameworks() == ["adult-2018", "youth-2018"]
    adult, youth = load_framework("adult-2018"), load_framework("youth-2018")
    # Adult (Annexe 2 of the bundled report): 10 standards, 0-30 banded 0-5, 6-15, 16-25, 26-30
    assert (len(adult.scored_standards), adult.maximum) == (10, 30)
    assert adult.overall_limits() == [
        (0, 5, "Inadequate"),
        (6, 15, "Requires improvement"),
        (16, 25, "Good"),
        (26, 30, "Outstanding"),
    ]
    # Youth (issue text and HMIP consultation 2017): 12 standards, 3 domains of 4, 0-36 banded 0-6, 7-18, 19-30, 31-36
    assert (len(youth.scored_standards), youth.maximum) == (12, 36)
    assert [sum(s.domain == d.id for s in youth.standards) for d in youth.domains] == [4, 4, 4]
    assert [d.name for d in youth.domains] == ["Organisational delivery", "Court disposals", "Out-of-court disposals"]
    assert youth.overall_limits() == [
        (0, 6, "Inadequate"),
        (7, 18, "Requires improvement"),
        (19, 30, "Good"),
        (31, 36, "Outstanding"),
    ]
    assert [s.name for s in youth.standards][:4] == [
        "Governance and leadership",
        "Staff",
        "Partnerships and services",
        "Information and facilities",
    ]
    for fw in (adult, youth):  # shared key-question bands: <50, 50-64, 65-79, 80+
        assert fw.key_question_bands == (50.0, 65.0, 80.0) and fw.points == (0, 1, 2, 3)
    assert adult.qualitative_key_questions == ("4.1.3",) and youth.qualitative_key_questions == ()


def test_adult_framework_against_the_report_text(report_text):
    adult = load_framework("adult-2018")
    for lo, hi, rating in adult.overall_limits():
        assert re.search(rf"^{lo}-{hi} {rating}", report_text, flags=re.M), (lo, hi, rating)
    flat = " ".join(report_text.split())
    for s in adult.standards:
        assert f"{s.id} {s.name}" in flat, s.id
        for k in s.key_questions:
            assert " ".join(k.text.split()) in flat, k.id
    standards = load_report().standards.set_index("standard")
    for s in adult.standards:
        assert (standards.loc[s.id, "standard_name"], standards.loc[s.id, "domain"], standards.loc[s.id, "basis"]) == (
            s.name,
            s.domain,
            s.basis,
        )


def _write(tmp_path, text, name="fw.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


YOUTH_TEXT = (ROOT / "stats" / "frameworks" / "youth-2018.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "old, new, message",
    [
        (
            'name = "youth-2018"',
            'name = "Youth 2018"',
            "name: must be lower case letters, digits and hyphens (got 'Youth 2018')",
        ),
        (
            "overall_bands = [7, 19, 31]",
            "overall_bands = [7, 31, 19]",
            "overall_bands: must be increasing whole numbers above 0 (got [7, 31, 19])",
        ),
        (
            "overall_bands = [7, 19, 31]",
            "overall_bands = [7, 19, 40]",
            "overall_bands: must not exceed the maximum total 36",
        ),
        (
            "key_question_bands = [50, 65, 80]",
            "key_question_bands = [50, 65]",
            "key_question_bands: must give the lower limit of each rating above the lowest (3) (got [50, 65])",
        ),
        ("points = [0, 1, 2, 3]", "points = [0, 1, 2]", "points: must give one number per rating (4) (got [0, 1, 2])"),
        (
            'id = "2.2"\nname = "Planning"\ndomain = 2',
            'id = "2.2"\nname = "Planning"\ndomain = 7',
            "standards[5].domain: must be one of the domain ids [1, 2, 3] (got 7)",
        ),
        (
            'id = "3.4"\nname = "Joint working"\ndomain = 3\nbasis = "case data"',
            'id = "3.4"\nname = "Joint working"\ndomain = 3\nbasis = "data"',
            "standards[11].basis: must be one of",
        ),
        (
            '{ id = "2.1.1",',
            '{ id = "2.2.1",',
            "standards[4].key_questions[0].id: must be the standard id, a dot and a number (\"2.1.1\") (got '2.2.1')",
        ),
        ('id = "1.2"', 'id = "1.1"', "standards[1].id: must be unique (got '1.1')"),
        ("discretion_points = 5", "discretion_point = 5", "discretion_point: is not a known key"),
    ],
)
def test_malformed_framework_names_file_key_and_value(tmp_path, old, new, message):
    assert old in YOUTH_TEXT
    path = _write(tmp_path, YOUTH_TEXT.replace(old, new, 1))
    with pytest.raises(FrameworkError) as info:
        load_framework(path)
    assert f"{path}: {message}" in str(info.value), str(info.value)


def test_every_framework_problem_listed_at_once(tmp_path):
    text = YOUTH_TEXT.replace('name = "youth-2018"', 'name = "Y!"').replace(
        "points = [0, 1, 2, 3]", "points = [3, 2, 1, 0]"
    )
    with pytest.raises(FrameworkError) as info:
        load_framework(_write(tmp_path, text))
    assert len(info.value.problems) == 2
    with pytest.raises(FrameworkError, match=r"is not valid TOML"):
        load_framework(_write(tmp_path, "name = ", "broken.toml"))
    with pytest.raises(ValueError, match=r"framework \('youth-2099'\) must be one of the bundled frameworks"):
        load_framework("youth-2099")
    with pytest.raises(OSError, match=r"cannot read framework .*missing.toml"):
        load_framework(tmp_path / "missing.toml")


@pytest.mark.slow
def test_constructed_youth_example_is_marked_and_reproducible(tmp_path):
    report = load_report("constructed-youth-example")
    assert report.constructed and report.metadata["constructed"] is True and report.framework.name == "youth-2018"
    assert "CONSTRUCTED" in (YOUTH_DIR / "README.md").read_text() and "CONSTRUCTED" in report.metadata["title"]
    assert report.prompts["prompt"].str.startswith("CONSTRUCTED").all()
    assert not load_report().constructed
    subprocess.run([sys.executable, str(YOUTH_DIR / "make_example.py"), str(tmp_path)], check=True)
    for name in ("prompts", "key_questions", "standards", "overall", "samples"):
        assert (tmp_path / f"{name}.csv").read_text() == (YOUTH_DIR / f"{name}.csv").read_text(), name


def test_wheel_force_includes_every_bundled_report():
    # `python -m pip wheel . --no-deps` then `unzip -l` lists stats/_data/<report>/ for each (checked by hand);
    # here: the build configuration names every bundled report folder.
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    included = config["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    assert set(available_reports()) == {"south-yorkshire-crc-2020", "constructed-youth-example"}
    for name in available_reports():
        assert included[f"data/{name}"] == f"stats/_data/{name}"
    assert "pandera>=0.20" in config["project"]["dependencies"]


@pytest.mark.parametrize("name", ["../south-yorkshire-crc-2020", "/tmp/x", "data/south-yorkshire-crc-2020", "A", ".."])
def test_load_report_takes_only_bundled_names(name):
    with pytest.raises(
        ValueError, match=r"must be the name of a bundled report .*no paths.*load_report\(path=FOLDER\)"
    ):
        load_report(name)


def test_load_report_name_or_path():
    with pytest.raises(TypeError, match=r"not both"):
        load_report("south-yorkshire-crc-2020", path=REPORT_DIR)
    assert load_report(path=REPORT_DIR).name == "south-yorkshire-crc-2020"


def _user_folder(tmp_path):
    """A user's folder and framework: the youth example under a variant framework with other overall bands."""
    folder = tmp_path / "my-yos-2025"
    shutil.copytree(report_folder("constructed-youth-example"), folder)
    (folder / "report.toml").write_text(
        'name = "my-yos-2025"\ntitle = "CONSTRUCTED user example"\n'
        'framework = "my-framework.toml"\nconstructed = true\n'
    )
    text = YOUTH_TEXT.replace('name = "youth-2018"', 'name = "my-youth-variant"').replace(
        "overall_bands = [7, 19, 31]", "overall_bands = [7, 17, 31]"
    )
    (folder / "my-framework.toml").write_text(text, encoding="utf-8")
    return folder


@pytest.mark.slow
def test_user_framework_and_folder_end_to_end(tmp_path, capsys):
    folder = _user_folder(tmp_path)
    assert main(["validate", str(folder)]) == 0
    report = load_report(path=folder)
    assert report.framework.name == "my-youth-variant" and report.name == "my-yos-2025"
    assert main(["ratings", "--path", str(folder)]) == 0
    out = capsys.readouterr().out
    # 18/36 is Good under the user's bands (17-30), Requires improvement under youth-2018's (7-18)
    assert "Total 18/36, Good (published: 18/36, Requires improvement)." in out
    assert main(["--path", str(folder)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("inspection-stats: my-yos-2025") and "CONSTRUCTED example data" in out
    assert "score 0-36, framework my-youth-variant" in out
    assert main(["design", "--path", str(folder), "--format", "csv"]) == 0
    assert "court disposals: harm,20" in capsys.readouterr().out


@pytest.mark.slow
def test_main_job_on_the_bundled_youth_report(capsys):
    assert main(["--report", "constructed-youth-example"]) == 0
    out = capsys.readouterr().out
    assert "2. Prompt table (Annexe 4): 67 prompts" in out
    assert "Total 18/36, Requires improvement (published: 18/36, Requires improvement)." in out
    assert main(["--report", "../data/constructed-youth-example"]) == 2
    assert "load_report(path=FOLDER)" in capsys.readouterr().err


def test_new_report_templates(tmp_path, capsys):
    target = tmp_path / "york-yos-2026"
    assert main(["new-report", str(target), "--framework", "youth-2018"]) == 0
    assert sorted(p.name for p in target.iterdir()) == [
        "README.md",
        "key_questions.csv",
        "overall.csv",
        "prompts.csv",
        "report.toml",
        "samples.csv",
        "standards.csv",
    ]
    standards = pd.read_csv(target / "standards.csv", dtype=str)
    assert list(standards["standard"]) == [s.id for s in load_framework("youth-2018").standards]
    assert standards["current_rating"].isna().all()
    assert pd.read_csv(target / "prompts.csv").empty and "| `current` | yes |" in (target / "README.md").read_text()
    assert 'framework = "youth-2018"' in (target / "report.toml").read_text()
    capsys.readouterr()
    # the empty templates are not a valid report yet: validate says what to fill in
    assert main(["validate", str(target), "--format", "csv"]) == 1
    v = pd.read_csv(pd.io.common.StringIO(capsys.readouterr().out))
    assert ((v["file"] == "standards.csv") & (v["column"] == "current_rating")).sum() == 12
    assert ((v["file"] == "key_questions.csv") & (v["column"] == "current")).sum() == 23
    # refuses to overwrite
    assert main(["new-report", str(target), "--framework", "youth-2018"]) == 2
    assert "will not overwrite" in capsys.readouterr().err


MINI_YOUTH = """Annexe 4: Inspection data

3.4. Joint working

Are the recommendations well-informed?

Previous
inspection

Current
inspection

Is there a written recommendation?
54% 71%

Was it shared with the police? No
comparable

data
available

67%
"""


def test_annexe_parser_reads_the_framework():
    parsed = read_annexe(MINI_YOUTH, framework="youth-2018", samples={"out-of-court disposals": 24})
    assert list(parsed["key_question"]) == ["3.4.1", "3.4.1"] and set(parsed["sample"]) == {"out-of-court disposals"}
    assert parsed["n_current"].tolist() == [24, 24]
    # standard 3.4 is not in the adult framework
    with pytest.raises(
        AnnexeParseError, match=r"line 3: standard 3.4 \(Joint working\) is not in framework 'adult-2018'"
    ):
        read_annexe(MINI_YOUTH)


def test_annexe_no_comparable_data_is_previous_only():
    # figure first, phrase second (as 4.2.2.a of the bundled text): read as previous none, current the figure
    swapped = MINI_YOUTH.replace("54% 71%", "54% No comparable data available")
    row = read_annexe(swapped, framework="youth-2018").iloc[0]
    assert pd.isna(row["previous"]) and row["current"] == 54 and "read as previous: none, current: 54%" in row["note"]
    both = MINI_YOUTH.replace("54% 71%", "No comparable data available No comparable data available")
    with pytest.raises(
        AnnexeParseError,
        match=r"line 1[0-9]: prompt 'Is there a written recommendation\?' has no current "
        r"figure .*only describes the previous inspection",
    ):
        read_annexe(both, framework="youth-2018")


def test_bundled_prompts_have_a_current_figure_everywhere(report):
    assert report.prompts["current"].notna().all() and report.key_questions["current"].notna().all()
    row = report.prompts.set_index("prompt_id").loc["4.2.2.a"]
    assert pd.isna(row["previous"]) and row["current"] == 47
