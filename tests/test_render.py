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
CUSTOM_NAMES = {"Requires improvement": "Needs work", "Inadequate": "Poor", "Outstanding": "Excellent", "Good": "Sound"}


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
    assert set(choices) == {
        "report",
        "sample-size",
        "margin",
        "compare",
        "design",
        "label",
        "tabulate",
        "read-report",
        "ratings",
        "audit",
        "validate",
    }
    tables = ("text", "markdown", "csv", "json", "xlsx")
    for command in ("design", "label", "tabulate", "read-report", "ratings", "audit", "validate"):
        assert choices[command] == tables, command
    assert choices["report"] == ("text", "markdown", "csv", "json", "html", "xlsx")
    for command in ("sample-size", "margin", "compare"):
        assert choices[command] == ("text", "markdown", "csv", "json"), command


def _toy():
    return Writer(
        "toy",
        "a toy format for the test",
        table=lambda t, sanitize=True: f"TOY table {len(t.frame)} rows, view {t.view}\n",
        record=lambda r: f"TOY record {','.join(sorted(r.values))}\n",
        report=lambda s, sanitize=True: f"TOY report {s.name} {s.overall.score}\n",
    )


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
    monkeypatch.setitem(
        render.WRITERS, "tsvish", Writer("tsvish", "streams", table=lambda t, sanitize=True: "", stream=stream)
    )
    code, out, _err = run(capsys, "label", prompts_csv, "--format", "tsvish")
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
    for argv in (
        ["report", "--path", folder, "-o", folder / "prompts.csv"],
        ["report", "--path", folder, "--format", "xlsx", "-o", folder / "report.toml"],
        ["ratings", "--path", folder, "--format", "csv", "-o", folder / "standards.csv"],
        ["design", "--path", folder, "-o", folder / "samples.csv"],
    ):
        code, _out, err = run(capsys, *argv)
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
    # a level whose critical value is infinite is refused, never written as Infinity
    code, out, err = run(capsys, "margin", "--n", "100", "--confidence-level", "0.9999999999999999", "--format", "json")
    assert code == 2 and out == "" and "confidence_level" in err
    from stats.render.json import strict

    assert json.dumps(strict({"x": float("inf"), "y": float("nan")}), allow_nan=False) == '{"x": null, "y": null}'
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
    (folder / "report.toml").write_text(
        toml.replace('framework = "adult-2018"', 'framework = "custom.toml"'), encoding="utf-8"
    )
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
DEFAULT_BAND_TEXT = re.compile(
    r"below 50|50\s*[-–]\s*65|65\s*[-–]\s*80|50, 65|65 and 80|80% and above|"
    r"within 5 points|\(50, 65, 80\)"
)


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
    code, outputs["brief"], err = run(capsys, "report", "--path", custom_folder, "--brief")
    assert code == 0, err
    from stats.render.charts import change_charts, key_question_chart, ratings_chart

    s = summarise(report)
    outputs["notebook"] = s._repr_html_() + s.main_points._repr_html_()
    # the main points lead every display format, in the framework's own words
    adjusted = [r for r in s.main_points.ratings if r.adjusted or r.decision == "qualitative adjustment"]
    assert adjusted  # the panel's decisions survive the renaming
    for fmt in ("text", "brief", "markdown", "html", "xlsx", "notebook"):
        flat = " ".join(outputs[fmt].split())
        assert "Main points" in flat, fmt
        for r in adjusted:
            assert f"{r.standard} {r.standard_name}: " in flat and r.rating in flat, (fmt, r)
    assert json.loads(outputs["json"])["main_points"]["sections"][0]["points"]
    figures = [
        *change_charts(s.prompts),
        key_question_chart(s.key_questions),
        ratings_chart(s.key_questions, s.ratings, framework=s.framework),
    ]
    outputs["charts"] = _chart_text(figures)
    import matplotlib.pyplot as plt

    for fig in figures:
        plt.close(fig)
    for fmt, text in outputs.items():
        for name in DEFAULT_NAMES:
            assert not re.search(rf"\b{name}\b", text), (fmt, name)
        assert not DEFAULT_BAND_TEXT.search(text), (fmt, DEFAULT_BAND_TEXT.search(text).group(0))
        for name in ("Needs work", "Sound", "Excellent"):
            assert name in text or fmt == "notebook", (fmt, name)  # the notebook view has no ratings table
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


# ------------------------------------------------------------------------------------------ defects


@pytest.fixture(scope="module")
def summary():
    return summarise(stats.load_report())


def test_html_multiplicity_block_gives_counts_not_yes(summary):
    from stats.render.html import to_html

    html = to_html(summary, charts=False)
    block = html[html.index('<section id="multiplicity"') :]
    labels = summary.prompts["label"]
    significant = int(labels.isin(["significant improvement", "significant decline"]).sum())
    survive = int(summary.prompts["significant_fdr"].fillna(False).astype(bool).sum())
    assert f"<dt>significant</dt><dd>{significant}</dd>" in block
    assert f"<dt>survive_fdr</dt><dd>{survive}</dd>" in block
    assert "<dd>yes</dd>" not in block
    assert f"{significant} are significant, {survive} survive Benjamini-Hochberg" in " ".join(block.split())


def test_label_css_is_keyed_on_label_codes(summary):
    from stats.change import LABELS
    from stats.render.columns import LABEL_CODES
    from stats.render.html import table_rows

    assert set(LABEL_CODES) == set(LABELS) and len(set(LABEL_CODES.values())) == len(LABELS)
    css = (ROOT / "stats" / "render" / "templates" / "report.css").read_text(encoding="utf-8")
    rows = table_rows(summary.prompts, ["prompt_id", "label"])
    cells = [row[1] for g in rows["groups"] for row in g["rows"]]
    for cell, label in zip(cells, summary.prompts["label"], strict=True):
        assert cell["css"] == f"label {LABEL_CODES[label]}"
    for code in LABEL_CODES.values():
        assert f".label.{code} " in css  # every code has its style
    # the codes, not the label text, drive the style: a label renamed in the text keeps its class
    renamed = summary.prompts.assign(label=summary.prompts["label"].astype(str))
    assert table_rows(renamed, ["label"])["groups"][0]["rows"][0][0]["css"] == "label improvement"


def test_method_prose_has_one_source(summary):
    import dataclasses

    from stats.render.html import to_html
    from stats.render.text import report_text

    text = " ".join(report_text(summary).split())
    robustness = summary.method.set_index("item").loc["robustness", "value"]
    assert text.count(" ".join(robustness.split())) == 1  # stated once, under the prompt table's legend
    method = summary.method.copy()
    for item in ("robustness", "exact tests", "multiplicity", "implied N", "widening", "ratings"):
        method.loc[method["item"] == item, "value"] = f"SENTINEL-{item}"
    changed = dataclasses.replace(summary, method=method)
    text, html = " ".join(report_text(changed).split()), " ".join(to_html(changed, charts=False).split())
    for item in ("robustness", "exact tests", "multiplicity", "implied N", "widening", "ratings"):
        assert f"SENTINEL-{item}" in text, item
        assert f"SENTINEL-{item}" in html or f"Sentinel-{item}" in html, item
    for phrase in ("Fisher, Barnard and Boschloo", "N*n0", "below 50%", "Benjamini-Hochberg q-values"):
        assert phrase not in text and phrase not in html, phrase  # nothing restates the method's prose


@pytest.mark.parametrize("typed", ["Costs of $5 and $10", r"$\foo{x}$", r"50% of $x^2$ \n"])
def test_chart_text_is_drawn_as_typed(typed, report, tmp_path):
    import matplotlib.pyplot as plt

    from stats.render.charts import change_chart, ratings_chart

    kq = stats.label_changes(report.key_questions, intervals=True)
    kq["key_question_text"] = kq["key_question_text"].astype(object)
    kq.loc[kq.index[0], "key_question_text"] = typed
    kq["standard_name"] = kq["standard_name"].astype(object)
    kq.loc[kq.index[0], "standard_name"] = typed
    figures = [
        change_chart(kq, label_column="key_question_text", id_column="key_question", title=typed),
        ratings_chart(kq, title=typed),
    ]
    try:
        for k, fig in enumerate(figures):
            for ext in ("png", "svg"):  # drawing parses text: no exception
                fig.savefig(tmp_path / f"f{k}.{ext}")
            drawn = [t for t in fig.findobj(matplotlib.text.Text) if typed in t.get_text()]
            assert any(t.get_text() == typed for t in drawn), k  # the title, exactly as typed
            assert all(not t.get_parse_math() and not t.get_usetex() for t in drawn)
    finally:
        for fig in figures:
            plt.close(fig)


def test_header_cells_are_neutralised_in_every_format(summary, tmp_path):
    import dataclasses

    from openpyxl import load_workbook

    from stats.render import get_writer

    hostile = '=HYPERLINK("http://example.invalid","x")'
    prompts = summary.prompts.assign(**{hostile: "cell", "@SUM(A1)": 1.5})
    prompts.attrs = dict(summary.prompts.attrs)
    changed = dataclasses.replace(summary, prompts=prompts)
    csv = get_writer("csv").write("report", changed)
    assert "'" + hostile.replace('"', '""') in csv and "'@SUM(A1)" in csv
    assert "\n" + hostile not in csv and "," + hostile not in csv
    md = get_writer("markdown").write("report", changed)
    assert "'=HYPERLINK" in md and "| =HYPERLINK" not in md
    table = get_writer("markdown").write("table", Table(prompts))
    assert "'=HYPERLINK" in table and "'@SUM(A1)" in table
    path = tmp_path / "r.xlsx"
    path.write_bytes(get_writer("xlsx").write("report", changed))
    header = [c.value for c in load_workbook(path)["prompts"][2]]
    assert "'" + hostile in header and "'@SUM(A1)" in header and hostile not in header


def test_workbook_flags_cells_over_excels_limit(summary, tmp_path):
    import dataclasses

    from openpyxl import load_workbook

    from stats.render.xlsx import EXCEL_CELL_LIMIT, write_xlsx

    long = "A prompt of many words. " * 10_000  # 240,000 characters
    prompts = summary.prompts.copy()
    prompts["prompt"] = prompts["prompt"].astype(object)
    prompts.loc[prompts.index[0], "prompt"] = long
    prompts.attrs = dict(summary.prompts.attrs)
    wb = load_workbook(write_xlsx(dataclasses.replace(summary, prompts=prompts), tmp_path / "r.xlsx"))
    ws = wb["prompts"]
    column = [c.value for c in ws[2]].index("prompt") + 1
    cell = ws.cell(row=3, column=column).value
    assert len(cell) == EXCEL_CELL_LIMIT == 32_767
    assert cell.endswith("[cut by Excel's limit: the full text has 240,000 characters; see the CSV or JSON output]")
    assert long.startswith(cell[: cell.index(" …")])
    notes = pd.read_excel(tmp_path / "r.xlsx", sheet_name="notes", header=1)
    # the prompt is significant: its main point (summary and main_points sheets) is flagged too
    assert {c.split("!")[0] for c in notes["cell"]} == {"summary", "main_points", "prompts"}
    assert all(len(c.value or "") <= EXCEL_CELL_LIMIT for c in wb["summary"]["A"])
    notes = notes[notes["cell"].str.startswith("prompts!")]
    assert notes.to_dict("records") == [
        {"cell": f"prompts!{ws.cell(row=3, column=column).coordinate}", "characters": 240_000, "kept": cell.index(" …")}
    ]
    assert ws.cell(row=4, column=column).value == summary.prompts["prompt"].iloc[1]  # others untouched


def test_robustness_words_say_what_significant_from_n_means():
    from stats.consistency import ROBUST_ALL, ROBUST_DEPENDS, ROBUST_INFEASIBLE, ROBUST_NONE, robust_labels
    from stats.render.text import robust_short

    assert robust_short(ROBUST_DEPENDS, 85) == "significant whenever both samples had at least 85 cases"
    assert robust_short(ROBUST_DEPENDS, pd.NA) == "significant for some feasible counts only"
    assert robust_short(ROBUST_ALL, 50) == "significant for every feasible count"
    assert robust_short(ROBUST_NONE, pd.NA) == "significant for no feasible count"
    assert robust_short(ROBUST_INFEASIBLE, pd.NA) == "no feasible count"
    # the words match the definition: every feasible count with both n >= significant_from_n is significant
    t = pd.DataFrame({"previous": [74], "current": [87], "n_previous": [100], "n_current": [100]})
    m = int(robust_labels(t)["significant_from_n"].iloc[0])
    at = robust_labels(t, previous_n=(m, 100), current_n=(m, 100))
    assert at["robust_label"].iloc[0] == ROBUST_ALL
    below = robust_labels(t, previous_n=(m - 1, 100), current_n=(m - 1, 100))
    assert below["robust_label"].iloc[0] == ROBUST_DEPENDS


@pytest.mark.parametrize(
    "significant, survive, words",
    [
        (17, 8, "17 are significant, 8 survive Benjamini-Hochberg"),
        (17, 1, "17 are significant, 1 survives Benjamini-Hochberg"),
        (1, 1, "1 is significant, 1 survives Benjamini-Hochberg"),
        (0, 0, "0 are significant, 0 survive Benjamini-Hochberg"),
    ],
)
def test_multiplicity_line_agrees_with_its_counts(significant, survive, words):
    from stats.render.text import multiplicity_line

    m = pd.Series(
        {
            "tests": 51,
            "expected_false_positives": 5.1,
            "significant": significant,
            "survive_fdr": survive,
            "fdr_method": "fdr_bh",
            "fdr_level": 0.1,
        }
    )
    assert words in " ".join(multiplicity_line(m).split())


@pytest.mark.slow  # scipy.stats for the reference
def test_expected_by_chance_uses_the_tests_exact_size(summary):
    from stats.operating import exact_size
    from stats.parse import parse_table
    from stats.render.text import multiplicity_line
    from stats.summary import expected_false_positives_exact

    parsed = parse_table(summary.prompts)
    rows = parsed[parsed["testable"].to_numpy(dtype=bool)]
    n1, n2 = rows["n_previous"].to_numpy(dtype=int), rows["n_current"].to_numpy(dtype=int)
    pooled = (rows["previous"] * n1 + rows["current"] * n2).to_numpy(dtype=float) / (n1 + n2)
    # reference: stats.operating.exact_size (scipy.stats.binom), row by row
    reference = sum(
        float(exact_size(a, b, p, test=summary.test).rejection_rate) for a, b, p in zip(n1, n2, pooled, strict=True)
    )
    assert summary.multiplicity["expected_false_positives_exact"] == pytest.approx(reference, rel=1e-12)
    assert expected_false_positives_exact(summary.prompts, summary.test) == pytest.approx(5.2007, abs=5e-5)
    line = " ".join(multiplicity_line(summary.multiplicity).split())
    assert "5.2 expected by chance if nothing had changed" in line and "alpha x tests gives 5.1" in line
    fpc = summary.test.replace(finite_population=True)
    assert np.isnan(
        expected_false_positives_exact(summary.prompts.assign(population_previous=300, population_current=300), fpc)
    )


def test_former_modules_re_export_the_documented_names():
    from stats import formatting, plots, reporting
    from stats.render import charts, columns, html, text, xlsx

    assert formatting.COLUMNS is columns.COLUMNS and formatting.display_labelled is text.display_labelled
    assert formatting.write_atomic is stats.io.write_atomic and formatting.FORMATS == (
        "table",
        "markdown",
        "csv",
        "json",
    )
    assert reporting.to_html is html.to_html and reporting.write_xlsx is xlsx.write_xlsx
    assert plots.change_charts is charts.change_charts and plots.ratings_chart is charts.ratings_chart
    frame = pd.DataFrame({"a": [0.123456789]})
    assert formatting.render(frame, "table") == formatting.render(frame, "text") == text.plain_text(frame)
    assert formatting.render(frame, "csv") == "a\n0.123456789\n"


def test_every_report_format_gives_the_structural_design_effect_first(summary):
    """Issue 20: the design effect from the sample's own structure is the primary view, with its model."""
    import html
    import io

    from stats.render import get_writer
    from stats.render.xlsx import read_workbook, to_xlsx

    structure = summary.design_effect_structure
    assert list(structure["end"]) == ["low", "high"]
    high = structure.set_index("end").loc["high"]
    model = structure.attrs["design_model"]
    for fmt in ("text", "markdown", "html"):
        out = get_writer(fmt).write("report", summary)
        flat = " ".join(html.unescape(out).split())
        first, fixed = flat.index("From the sample's own structure"), flat.index("At fixed design effects")
        assert first < fixed, fmt
        assert f"{high['deff']:.2f}" in flat and " ".join(model.split())[:60] in flat, fmt
    doc = json.loads(get_writer("json").write("report", summary))
    assert doc["design_effect_structure"]["model"] == model
    assert doc["design_effect_structure"]["rows"][1]["deff"] == pytest.approx(high["deff"], rel=1e-12)
    csv_text = get_writer("csv").write("report", summary)
    assert "design_effect_structure" in csv_text
    buffer = io.BytesIO()
    to_xlsx(summary).save(buffer)
    sheets = read_workbook(buffer)
    names = list(sheets)
    assert names.index("design_effect_structure") < names.index("design_effect")
    assert sheets["design_effect_structure"]["model"].iloc[0] == model
