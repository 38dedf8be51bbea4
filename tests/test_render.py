"""The presentation layer (stats.render): one registry of formats, driven by the framework on the report model.

- A format registered once is offered by every command's --format and used (never a fall-through).
- A report rendered under a custom framework (other band limits, other rating names, another
  discretion distance) shows only that framework's bands and names, in every format and chart.
- Defects pinned: the multiplicity count, label CSS keyed on codes, one source for the method's
  prose, literal chart text, neutralised headers, Excel's cell limit, robustness and count wording,
  the exact-size expected count, strict JSON.
"""

import io
import json
import re
import shutil
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

import stats
from stats import render
from stats.cli import build_parser, main
from stats.render import Table, Writer
from stats.summary import summarise

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_NAMES = ("Inadequate", "Requires improvement", "Good", "Outstanding")
CUSTOM_NAMES = {"Requires improvement": "Needs work", "Inadequate": "Poor", "Outstanding": "Excellent",
                "Good": "Sound"}


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _format_choices():
    """Every command's --format choices, read from the parser."""
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    found = {}
    for name, p in sub.choices.items():
        for action in p._actions:
            if "--format" in action.option_strings:
                found[name] = tuple(action.choices)
    return found


# ------------------------------------------------------------------------------------------ registry


def test_every_command_offers_the_registry_formats_for_its_kind():
    choices = _format_choices()
    assert set(choices) == {"report", "sample-size", "margin", "compare", "design", "label", "tabulate",
                            "read-report", "ratings", "audit", "validate"}
    tables = ("text", "markdown", "csv", "json", "xlsx")
    for command in ("design", "label", "tabulate", "read-report", "ratings", "audit", "validate"):
        assert choices[command] == tables, command
    assert choices["report"] == ("text", "markdown", "csv", "json", "html", "xlsx")
    for command in ("sample-size", "margin", "compare"):
        assert choices[command] == ("text", "markdown", "csv", "json"), command


def _toy():
    return Writer("toy", "a toy format for the test",
                  table=lambda t, sanitize=True: f"TOY table {len(t.frame)} rows, view {t.view}\n",
                  record=lambda r: f"TOY record {','.join(sorted(r.values))}\n",
                  report=lambda s, sanitize=True: f"TOY report {s.name} {s.overall.score}\n")


def test_a_format_added_once_is_offered_and_used_everywhere(monkeypatch, capsys, prompts_csv, tmp_path):
    monkeypatch.setitem(render.WRITERS, "toy", _toy())
    choices = _format_choices()
    assert all("toy" in c for c in choices.values()), choices
    assert run(capsys, "label", prompts_csv, "--format", "toy")[1] == "TOY table 76 rows, view labelled\n"
    assert run(capsys, "report", "--format", "toy")[1] == "TOY report south-yorkshire-crc-2020 20\n"
    assert run(capsys, "ratings", "--format", "toy")[1] == "TOY table 10 rows, view ratings\n"
    assert run(capsys, "design", "--format", "toy")[1] == "TOY table 7 rows, view design\n"
    assert run(capsys, "compare", "0.54", "100", "0.71", "100", "--format", "toy")[1].startswith("TOY record ci_high")
    assert run(capsys, "margin", "--n", "100", "--format", "toy")[1].startswith("TOY record confidence_level")
    assert run(capsys, "sample-size", "--format", "toy")[1].startswith("TOY record confidence_level")
    out = tmp_path / "toy.txt"
    assert run(capsys, "label", prompts_csv, "--format", "toy", "-o", out)[0] == 0
    assert out.read_text() == "TOY table 76 rows, view labelled\n"


def test_a_streaming_format_receives_the_chunks(monkeypatch, capsys, prompts_csv):
    from stats import io as sio

    seen = []

    def stream(chunks, fh, sanitize=True):
        for part in chunks:
            seen.append(len(part))
            fh.write(f"chunk {len(part)}\n")

    monkeypatch.setattr(sio, "CHUNK_ROWS", 30)
    monkeypatch.setitem(render.WRITERS, "tsvish", Writer("tsvish", "streams", table=lambda t, sanitize=True: "",
                                                         stream=stream))
    code, out, err = run(capsys, "label", prompts_csv, "--format", "tsvish")
    assert code == 0 and out == "chunk 30\nchunk 30\nchunk 16\n" and seen == [30, 30, 16]


def test_a_writer_refuses_a_kind_it_does_not_write():
    with pytest.raises(ValueError, match=r"format 'html' does not write a table; formats that do: text, markdown"):
        render.get_writer("html").write("table", Table(pd.DataFrame()))
    with pytest.raises(ValueError, match=r"format \('tsv'\) must be one of 'text', 'markdown'"):
        render.get_writer("tsv")


def test_binary_formats_need_an_output_file(capsys):
    code, out, err = run(capsys, "ratings", "--format", "xlsx")
    assert code == 2 and out == "" and "--format xlsx writes a binary file: give the file with -o FILE" in err


def test_deprecated_json_flag_is_format_json(capsys):
    a = run(capsys, "compare", "0.54", "100", "0.71", "100", "--json")[1]
    b = run(capsys, "compare", "0.54", "100", "0.71", "100", "--format", "json")[1]
    assert a == b and json.loads(a)["label"] == "significant improvement"


def test_output_files_never_overwrite_a_report_folder_file(capsys, tmp_path):
    folder = tmp_path / "r"
    shutil.copytree(ROOT / "data" / "south-yorkshire-crc-2020", folder)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    for argv in (["report", "--path", folder, "-o", folder / "prompts.csv"],
                 ["report", "--path", folder, "--format", "xlsx", "-o", folder / "report.toml"],
                 ["ratings", "--path", folder, "--format", "csv", "-o", folder / "standards.csv"],
                 ["design", "--path", folder, "-o", folder / "samples.csv"]):
        code, out, err = run(capsys, *argv)
        assert code == 2 and "refusing to overwrite the input" in err, argv
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


# ------------------------------------------------------------------------------------------ precision, JSON


def test_machine_formats_carry_every_digit_and_display_formats_round(capsys, prompts_csv):
    labelled = stats.label_changes(stats.io.read_table(prompts_csv), intervals=True)
    csv = pd.read_csv(io.StringIO(run(capsys, "label", prompts_csv, "--format", "csv")[1]))
    rows = pd.DataFrame(json.loads(run(capsys, "label", prompts_csv, "--format", "json")[1]))
    for back in (csv, rows):
        for col in ("pvalue", "statistic", "ci_low", "difference"):
            np.testing.assert_array_equal(back[col].to_numpy(dtype=float), labelled[col].to_numpy(dtype=float))
    md = run(capsys, "label", prompts_csv, "--format", "markdown")[1]
    assert repr(float(labelled["pvalue"].iloc[0])) not in md and "| 0.01303 |" in md


def test_json_is_strict_everywhere(capsys):
    code, out, _ = run(capsys, "margin", "--n", "100", "--confidence-level", "0.9999999999999999", "--format", "json")
    assert code == 0 and "Infinity" not in out and "NaN" not in out
    data = json.loads(out, parse_constant=lambda c: pytest.fail(f"non-standard JSON constant {c}"))
    assert data["margin"] is None and "infinite" in data["notes"]["margin"]
    report = run(capsys, "report", "--format", "json")[1]
    doc = json.loads(report, parse_constant=lambda c: pytest.fail(f"non-standard JSON constant {c}"))
    assert doc["prompts"][1]["pvalue"] is None and doc["framework"]["key_question_bands"] == [50, 65, 80]


# ------------------------------------------------------------------------------------------ framework


@pytest.fixture(scope="module")
def custom_folder(tmp_path_factory):
    """The bundled report under a framework with bands 40/60/75, renamed ratings and discretion 3 points."""
    folder = tmp_path_factory.mktemp("custom") / "r"
    shutil.copytree(ROOT / "data" / "south-yorkshire-crc-2020", folder)

    def rename(text):
        for old, new in CUSTOM_NAMES.items():
            text = re.sub(rf"\b{old}\b", new, text)
        return text

    for path in folder.glob("*.csv"):
        path.write_text(rename(path.read_text(encoding="utf-8")), encoding="utf-8")
    (folder / "report.txt").unlink()
    fw = rename((ROOT / "stats" / "frameworks" / "adult-2018.toml").read_text(encoding="utf-8"))
    fw = fw.replace('name = "adult-2018"', 'name = "custom-2026"')
    fw = fw.replace("key_question_bands = [50, 65, 80]", "key_question_bands = [40, 60, 75]")
    fw = fw.replace("discretion_points = 5", "discretion_points = 3")
    assert "[40, 60, 75]" in fw and "discretion_points = 3" in fw
    (folder / "custom.toml").write_text(fw, encoding="utf-8")
    toml = (folder / "report.toml").read_text(encoding="utf-8")
    (folder / "report.toml").write_text(toml.replace('framework = "adult-2018"', 'framework = "custom.toml"'),
                                        encoding="utf-8")
    return folder


def _xlsx_text(path) -> str:
    from openpyxl import load_workbook

    wb = load_workbook(path)
    return "\n".join(str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value is not None)


def _chart_text(figures) -> str:
    texts = []
    for fig in figures:
        texts += [t.get_text() for t in fig.findobj(matplotlib.text.Text)]
    return "\n".join(texts)


#: Band limits written as the default framework's (50, 65, 80), in any of the ways a view could write them.
DEFAULT_BAND_TEXT = re.compile(r"below 50|50\s*[-–]\s*65|65\s*[-–]\s*80|50, 65|65 and 80|80% and above|"
                               r"within 5 points|\(50, 65, 80\)")


@pytest.mark.slow  # draws every chart
def test_a_custom_framework_drives_every_format(custom_folder, capsys, tmp_path):
    report = stats.load_report(path=custom_folder)
    assert report.framework.ratings == ("Poor", "Needs work", "Sound", "Excellent")
    outputs = {}
    for fmt in ("text", "markdown", "csv", "json", "html", "xlsx"):
        out = tmp_path / f"report.{fmt}"
        code, _, err = run(capsys, "report", "--path", custom_folder, "--format", fmt, "-o", out)
        assert code == 0, err
        outputs[fmt] = _xlsx_text(out) if fmt == "xlsx" else out.read_text(encoding="utf-8")
    from stats.render.charts import change_charts, key_question_chart, ratings_chart

    s = summarise(report)
    figures = [*change_charts(s.prompts), key_question_chart(s.key_questions),
               ratings_chart(s.key_questions, s.ratings, framework=s.framework)]
    outputs["charts"] = _chart_text(figures)
    import matplotlib.pyplot as plt

    for fig in figures:
        plt.close(fig)
    for fmt, text in outputs.items():
        for name in DEFAULT_NAMES:
            assert not re.search(rf"\b{name}\b", text), (fmt, name)
        assert not DEFAULT_BAND_TEXT.search(text), (fmt, DEFAULT_BAND_TEXT.search(text).group(0))
        for name in ("Needs work", "Sound", "Excellent"):
            assert name in text, (fmt, name)
    rule = "below 40%: Poor; 40-60%: Needs work; 60-75%: Sound; 75% and above: Excellent"
    for fmt in ("text", "markdown", "csv", "json", "html", "xlsx"):
        assert rule in " ".join(outputs[fmt].split()), fmt
    assert "within 3 points of a band limit" in " ".join(outputs["html"].split())
    assert "band limits 40, 60 and 75" in outputs["charts"] and "band limits 40, 60 and 75" in outputs["html"]
    assert "framework custom-2026" in outputs["text"]


def test_ratings_chart_ticks_follow_the_framework(custom_folder):
    from stats.render.charts import ratings_chart

    s = summarise(stats.load_report(path=custom_folder))
    fig = ratings_chart(s.key_questions, s.ratings, framework=s.framework)
    ticks = [float(t) for t in fig.axes[1].get_xticks()]
    assert ticks == [0, 10, 20, 30, 40, 50, 60, 75, 90, 100]  # the limits, and every 10 more than 5 from one
    default = summarise(stats.load_report())
    fig2 = ratings_chart(default.key_questions, default.ratings, framework=default.framework)
    assert [float(t) for t in fig2.axes[1].get_xticks()] == [0, 10, 20, 30, 40, 50, 65, 80, 90, 100]
    import matplotlib.pyplot as plt

    plt.close(fig)
    plt.close(fig2)
