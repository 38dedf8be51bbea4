"""HTML report, Excel workbook and terminal text of a report summary.

The HTML is parsed with the standard library's html.parser: every prompt is present in full
and every number in the tables equals the summary's DataFrame (the cells carry the raw value
in ``data-sort``; the text equals the column map's formatting of it). The workbook is read
back with pandas.read_excel and openpyxl.
"""

import dataclasses
import os
import re
import shutil
import subprocess
import sys
import tempfile
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import stats
from stats import ChangeTest
from stats.cli import main
from stats.io import neutralise_formula
from stats.render import render_table as render
from stats.render.columns import COLUMNS, column_info, format_value
from stats.render.text import design_view, report_text
from stats.summary import summarise


@pytest.fixture(scope="module")
def summary():
    return summarise(stats.load_report())


@pytest.fixture(scope="module")
def html(summary):
    from stats.render.html import to_html

    return to_html(summary)


class Tables(HTMLParser):
    """Collects every <table>: caption, header cells (data-column) and rows of (text, data-sort)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables, self.stack, self.cell, self.links, self.svgs, self.scripts = {}, [], None, [], 0, []
        self.in_caption = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for key in ("src", "href"):
            if key in a and tag not in ("a",):
                self.links.append((tag, a[key]))
        if tag == "a" and not a.get("href", "#").startswith("#"):
            self.links.append((tag, a["href"]))
        if tag == "svg":
            self.svgs += 1
        if tag == "script":
            self.scripts.append(a)
        if tag == "table":
            t = {"id": a.get("id"), "caption": "", "columns": [], "rows": [], "scoped": []}
            self.tables[a.get("id") or f"table{len(self.tables)}"] = t
            self.stack.append(t)
        elif tag == "caption":
            self.in_caption = True
        elif tag == "tr" and self.stack and "row" in a.get("class", ""):
            self.stack[-1]["rows"].append([])
        elif tag in ("td", "th") and self.stack:
            if "data-column" in a:  # in column order (a spanning heading row puts some columns first)
                t = self.stack[-1]
                t.setdefault("_order", []).append((int(a.get("data-index", len(t["_order"]))), a["data-column"]))
                t["columns"] = [c for _, c in sorted(t["_order"])]
            if "scope" in a:
                self.stack[-1]["scoped"].append(a["scope"])
            if "data-sort" in a:
                self.cell = {"sort": a["data-sort"], "text": ""}
                self.stack[-1]["rows"][-1].append(self.cell)

    def handle_endtag(self, tag):
        if tag == "table" and self.stack:
            self.stack.pop()
        elif tag == "caption":
            self.in_caption = False
        elif tag in ("td", "th"):
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell["text"] += data
        if self.in_caption and self.stack:
            self.stack[-1]["caption"] += data


def parse(html):
    p = Tables()
    p.feed(html)
    return p


def _merged(doc, name):
    """A labelled table's core and checks tables as one (the checks table repeats the id column)."""
    core = doc.tables[f"{name}-table"]
    checks = doc.tables.get(f"{name}-checks-table")
    if checks is None:
        return core
    assert checks["columns"][0] == core["columns"][0] and len(checks["rows"]) == len(core["rows"])
    return {
        "columns": core["columns"] + checks["columns"][1:],
        "rows": [a + b[1:] for a, b in zip(core["rows"], checks["rows"], strict=True)],
    }


def _check_table_equals_frame(table, frame):
    """Every cell as the column map formats it, except what the report marks on purpose: an assumed
    denominator ends with '*', and the checks of a row without comparable data are blank."""
    from stats.change import NO_DATA
    from stats.render.html import _BLANK_UNTESTED

    assert len(table["rows"]) == len(frame)
    for cells, (_, row) in zip(table["rows"], frame.iterrows(), strict=True):
        assert len(cells) == len(table["columns"])
        untestable = "label" in frame.columns and row["label"] == NO_DATA
        for name, cell in zip(table["columns"], cells, strict=True):
            value = row[name]
            info = column_info(name, frame[name])
            want = format_value(value, info)
            if untestable and name in _BLANK_UNTESTED:
                want = ""
            source = {"n_previous": "n_previous_source", "n_current": "n_source"}.get(name)
            if source in frame.columns and want and row[source] in ("assumed", "unknown"):
                want += "*"
            assert cell["text"].strip() == want, (name, value)
            if pd.isna(value) if not isinstance(value, str) else False:
                assert cell["sort"] == ""
            elif info.kind not in ("text", "label", "bool") and not isinstance(value, str):
                assert float(cell["sort"]) == float(value), (name, value)  # exact: repr round-trips
            elif not isinstance(value, (bool, np.bool_)):
                assert cell["sort"] == str(value)


def test_html_tables_equal_the_summary(summary, html):
    doc = parse(html)
    prompts = _merged(doc, "prompts")
    # every prompt present, in full, in order
    texts = [
        c["text"]
        for row in prompts["rows"]
        for name, c in zip(prompts["columns"], row, strict=True)
        if name == "prompt"
    ]
    assert texts == summary.prompts["prompt"].tolist()
    _check_table_equals_frame(prompts, summary.prompts)
    _check_table_equals_frame(_merged(doc, "key-questions"), summary.key_questions)
    _check_table_equals_frame(doc.tables["ratings-table"], summary.ratings)
    _check_table_equals_frame(doc.tables["design-table"], summary.design)
    assert {"robust_label", "significant_from_n", "ci_low", "ci_high", "pvalue"} <= set(prompts["columns"])
    # the summary's totals and the method, each stated
    text = unescape(html)
    assert summary.test.describe() in text
    for value in summary.method["value"]:
        assert value in text


def _figure_texts(fig) -> set[str]:
    """Every line of visible text a matplotlib figure draws (tick labels as drawn)."""
    import matplotlib.text

    fig.canvas.draw()
    texts = set()
    for t in fig.findobj(matplotlib.text.Text):
        if t.get_visible() and t.get_text().strip() and (t.axes is None or t.axes.get_visible()):
            texts.update(line for line in t.get_text().split("\n") if line.strip())
    return texts


def _svg_texts(svg: str) -> set[str]:
    return {unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg) if t.strip()}


@pytest.mark.slow  # draws every chart with matplotlib too
def test_html_charts_say_what_the_matplotlib_charts_say(summary):
    """The report's SVG charts (stats.render.svg) and the figures of stats.render.charts share one layout:
    the same words and numbers, line for line (headings, rows, n, ticks, legend, axis titles, notes)."""
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from stats.render.charts import change_axis_limit, change_charts, key_question_chart, ratings_chart
    from stats.render.html import CHART_ROWS_PER_PAGE, chart_svgs

    xmax = change_axis_limit(summary.prompts, summary.key_questions)
    figures = [
        *change_charts(summary.prompts, rows_per_page=CHART_ROWS_PER_PAGE, xmax=xmax),
        key_question_chart(summary.key_questions, xmax=xmax),
        ratings_chart(summary.key_questions, summary.ratings, framework=summary.framework),
    ]
    svgs = [c["svg"] for c in chart_svgs(summary)]
    assert len(svgs) == len(figures) == 6
    for fig, svg in zip(figures, svgs, strict=True):
        drawn = _figure_texts(fig)
        assert len(drawn) > 40
        assert _svg_texts(svg) == drawn
        width, height = fig.get_size_inches()
        assert f'viewBox="0 0 {72 * width:g} ' in svg and f"{72 * height:.2f}".rstrip("0").rstrip(".") in svg
        plt.close(fig)
    assert all("<image" not in svg and "url(" not in svg and "clip-path" not in svg for svg in svgs)


def test_html_charts_are_well_formed_svg_with_text_drawn_as_typed(summary):
    import xml.etree.ElementTree as ET

    from stats.render.svg import key_question_chart_svg, ratings_chart_svg

    typed = '<b>$5 & "co"</b> $x^2$ \\alpha'
    kq = summary.key_questions.copy()
    kq.loc[kq.index[0], "key_question_text"] = typed
    svgs = [
        key_question_chart_svg(kq, title=typed, xmax=80),
        ratings_chart_svg(kq, summary.ratings, framework=summary.framework, title=typed),
    ]
    for svg in svgs:
        root = ET.fromstring(svg)  # well-formed XML: every text escaped
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        texts = ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]
        assert texts.count(typed) == 2  # the title and the first row, literally (no markup, no mathtext)


def test_html_report_does_not_import_matplotlib(tmp_path):
    """The report's charts are written as SVG directly: the HTML job never pays matplotlib's import."""
    code = (
        "import sys; from stats.cli import main; "
        f"main(['report', '--format', 'html', '-o', {str(tmp_path / 'r.html')!r}]); "
        "print('matplotlib' in sys.modules)"
    )
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert done.stdout.strip().splitlines()[-1] == "False"
    assert (tmp_path / "r.html").read_text(encoding="utf-8").count("<svg") == 6


def test_html_is_self_contained_accessible_and_has_charts(html):
    doc = parse(html)
    assert doc.links == []  # no external stylesheet, script, image or link
    assert all("src" not in s for s in doc.scripts)
    from stats.render.html import CHART_ROWS_PER_PAGE

    pages = -(-51 // CHART_ROWS_PER_PAGE)  # 51 testable prompts
    assert doc.svgs == pages + 2  # prompt changes (pages), key questions, ratings
    assert "<link" not in html and "@import" not in html
    assert re.findall(r"url\((?!#)", html) == []  # only the SVGs' own clip paths
    for table in doc.tables.values():
        assert table["caption"].strip()
        assert "col" in table["scoped"]
    assert "row" in doc.tables["prompts-table"]["scoped"] and "rowgroup" in doc.tables["prompts-table"]["scoped"]
    assert '<html lang="en-GB">' in html and "@media print" in html
    # colour is never the only signal: each label has a symbol
    assert "▲ significant improvement" in html and "▼ significant decline" in html


def test_html_renders_columns_of_other_analyses_when_present(summary):
    from stats.render.html import to_html

    prompts = summary.prompts.copy()
    testable = prompts["pvalue"].notna()
    prompts["qvalue"] = np.where(testable, np.minimum(1, prompts["pvalue"] * 3), np.nan)  # stand-in values
    prompts["significant_fdr"] = pd.array(np.where(testable, prompts["qvalue"] <= 0.1, pd.NA), dtype="boolean")
    prompts["method_sensitive"] = pd.array(np.where(testable, False, pd.NA), dtype="boolean")
    prompts["some_new_measure"] = 0.5  # an unlisted column still shows, with its own name
    prompts.attrs = dict(summary.prompts.attrs)
    extended = dataclasses.replace(summary, prompts=prompts)
    doc = parse(to_html(extended, charts=False))
    table = _merged(doc, "prompts")
    assert {"qvalue", "significant_fdr", "method_sensitive", "some_new_measure"} <= set(table["columns"])
    _check_table_equals_frame(table, prompts)
    assert COLUMNS["qvalue"].display in to_html(extended, charts=False)


def _chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name) or (f"/usr/bin/{name}" if os.path.exists(f"/usr/bin/{name}") else None)
        if path:
            return path
    return None


@pytest.mark.slow
@pytest.mark.skipif(_chromium() is None, reason="no headless Chromium (Debian package 'chromium') on this machine")
def test_html_renders_in_headless_chromium(html, tmp_path):
    from PIL import Image

    page = tmp_path / "report.html"
    page.write_text(html, encoding="utf-8")
    shot = tmp_path / "report.png"
    profile = tempfile.mkdtemp(dir=tmp_path)
    subprocess.run(
        [
            _chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={profile}",
            f"--screenshot={shot}",
            "--window-size=1400,3000",
            page.as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert shot.exists(), "Chromium wrote no screenshot"
    image = np.asarray(Image.open(shot).convert("RGB"), dtype=float)
    assert image.shape[:2] == (3000, 1400)
    # not a blank or error page: dark text on white, and the label colours of the summary table
    assert (image.mean(axis=2) < 100).mean() > 0.005
    blue = (np.abs(image - [0xDC, 0xEB, 0xF7]).sum(axis=2) < 12).sum()
    assert blue > 200  # the 'significant improvement' label background


def test_xlsx_round_trips_and_is_typed(summary, tmp_path):
    from openpyxl import load_workbook

    from stats.render.xlsx import read_workbook, write_xlsx

    path = write_xlsx(summary, tmp_path / "report.xlsx")
    sheets = read_workbook(path)
    # the main points first, then the tables, then the method
    assert list(load_workbook(path, read_only=True).sheetnames) == ["summary", *sheets]
    expected = [
        "main_points",
        "prompts",
        "key_questions",
        "ratings",
        "overall",
        "totals",
        "multiplicity",
        "design_effect_structure",
        "design_effect",
        "design",
        "framework",
        "method",
        "columns",
    ]
    assert list(sheets) == expected
    for name in ("design", "prompts", "key_questions", "ratings", "design_effect"):
        frame, back = getattr(summary, name), sheets[name]
        assert sorted(back.columns) == sorted(str(c) for c in frame.columns)
        assert back.columns[0] in ("prompt_id", "key_question", "sample", "standard", "deff")  # the id first
        for col in frame.columns:
            if pd.api.types.is_numeric_dtype(frame[col].dtype) and not pd.api.types.is_bool_dtype(frame[col].dtype):
                np.testing.assert_allclose(
                    back[col].to_numpy(dtype=float),
                    frame[col].to_numpy(dtype=float),
                    rtol=1e-15,
                    equal_nan=True,
                    err_msg=f"{name}.{col}",
                )
            elif pd.api.types.is_bool_dtype(frame[col].dtype):  # TRUE/FALSE cells, blank where missing
                assert (
                    back[col].map(lambda x: None if pd.isna(x) else bool(x)).tolist()
                    == frame[col].astype(object).map(lambda x: None if pd.isna(x) else bool(x)).tolist()
                ), f"{name}.{col}"
            else:  # text, or an object column of True/False/missing
                for want, got in zip(frame[col].astype(object), back[col].astype(object), strict=True):
                    if pd.isna(want):
                        assert pd.isna(got), f"{name}.{col}"
                    elif isinstance(want, (bool, np.bool_)):
                        assert bool(got) == bool(want), f"{name}.{col}"
                    elif isinstance(want, (int, float, np.number)):
                        assert float(got) == float(want), f"{name}.{col}"
                    else:
                        assert str(got) == str(want), f"{name}.{col}"
    assert summary.test.describe() in sheets["method"]["value"].tolist()
    wb = load_workbook(path)
    ws = wb["prompts"]
    display, header = [c.value for c in ws[1]], [c.value for c in ws[2]]
    col = header.index("difference") + 1
    cell = ws.cell(row=3, column=col)
    # a change is a proportion (0.17 shows +0.170), never "+17.0%"; its header says so
    assert cell.data_type == "n" and cell.number_format == "+0.000;-0.000;0.000"
    assert "0.17 = 17 points" in display[col - 1]
    assert ws.cell(row=3, column=header.index("n_current") + 1).data_type == "n"
    assert display[header.index("n_current")] == "n cur." and display[header.index("pvalue")] == "p"
    assert ws.freeze_panes == "B3" and header[0] == "prompt_id" and ws.auto_filter.ref.startswith("A2:")
    assert ws.print_title_rows == "$1:$2" and ws.print_title_cols == "$A:$A"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    assert ws.page_setup.fitToHeight == 0 and ws.sheet_properties.pageSetUpPr.fitToPage
    for sheet in wb:  # nowhere a percent format on a change or a margin
        for row in sheet.iter_rows(min_row=3, max_row=4):
            for c in row:
                assert "%" not in c.number_format or False, (sheet.title, c.coordinate, c.number_format)
    assert oct(os.stat(path).st_mode & 0o777) != "0o600"


def test_xlsx_colours_each_label_column_by_its_own_values(summary, tmp_path):
    import re as _re

    from openpyxl import load_workbook

    from stats.render.xlsx import LABEL_FILLS, write_xlsx

    wb = load_workbook(write_xlsx(summary, tmp_path / "report.xlsx"))
    checked = 0
    for sheet in ("prompts", "key_questions", "main_points"):
        ws = wb[sheet]
        header = [c.value for c in ws[2]]
        for name in LABEL_FILLS:
            if name not in header:
                continue
            from openpyxl.utils import get_column_letter

            letter = get_column_letter(header.index(name) + 1)
            values = {str(ws[f"{letter}{r}"].value) for r in range(3, ws.max_row + 1) if ws[f"{letter}{r}"].value}
            tested = {
                _re.fullmatch(rf'{letter}3="(.*)"', rule.formula[0]).group(1)
                for rng in ws.conditional_formatting
                if str(rng.sqref).startswith(f"{letter}3:")
                for rule in rng.rules
            }
            assert tested == set(LABEL_FILLS[name]), (sheet, name)
            assert values <= tested | {"no comparable data"}, (sheet, name, values - tested)
            assert values & tested, (sheet, name)  # a rule that matches something
            checked += 1
    assert checked >= 5  # label and robust_label on both tables, firmness on main_points


def test_xlsx_summary_sheet_states_the_main_points_first(summary, tmp_path):
    from openpyxl import load_workbook

    from stats.render.points import lede, sections
    from stats.render.xlsx import write_xlsx

    wb = load_workbook(write_xlsx(summary, tmp_path / "report.xlsx"))
    assert wb.sheetnames[0] == "summary"
    lines = [r[0] for r in wb["summary"].iter_rows(values_only=True) if r[0]]
    assert lines[0] == summary.title and lines[2] == "Main points" and lines[3] == lede(summary.main_points)
    for sec in sections(summary.main_points):
        for point in sec.points:
            assert any(line.endswith(point.text) for line in lines), point.text


def test_xlsx_neutralises_formula_injection(summary, tmp_path):
    from openpyxl import load_workbook

    from stats.render.xlsx import write_xlsx

    prompts = summary.prompts.copy()
    prompts["prompt"] = prompts["prompt"].astype(object)
    hostile = ['=HYPERLINK("http://example.invalid","x")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]
    prompts.loc[prompts.index[: len(hostile)], "prompt"] = hostile
    prompts.attrs = dict(summary.prompts.attrs)
    path = write_xlsx(dataclasses.replace(summary, prompts=prompts), tmp_path / "hostile.xlsx")
    ws = load_workbook(path)["prompts"]
    header = [c.value for c in ws[2]]
    cells = [ws.cell(row=3 + i, column=header.index("prompt") + 1) for i in range(len(hostile))]
    # (an XML reader turns a stored carriage return into a line feed)
    assert [c.value for c in cells] == ["'" + h.replace("\r", "\n") for h in hostile]
    assert all(c.data_type == "s" for c in cells)
    # numbers, negative ones included, stay numbers
    diff = ws.cell(row=5, column=header.index("difference") + 1)
    assert diff.data_type == "n" and diff.value == pytest.approx(-0.04)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("=1+2", "'=1+2"),
        ("+44 20", "'+44 20"),
        ("-4 points", "'-4 points"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("71%", "71%"),
        ("", ""),
        (-4, -4),
        (0.5, 0.5),
        (None, None),
    ],
)
def test_neutralise_formula(value, expected):
    assert neutralise_formula(value) == expected


@pytest.mark.slow  # draws the charts again
def test_cli_report_html_and_xlsx(tmp_path, capsys):
    out = tmp_path / "report.html"
    assert main(["report", "--format", "html", "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    book = tmp_path / "report.xlsx"
    assert main(["--alpha", "0.05", "--format", "xlsx", "-o", str(book)]) == 0
    method = pd.read_excel(book, sheet_name="method", header=1).set_index("item")["value"]
    assert str(method["test.alpha"]) == "0.05"
    capsys.readouterr()
    assert main(["--format", "xlsx"]) == 2
    assert "--format xlsx writes a binary file: give the file with -o FILE" in capsys.readouterr().err


def test_bare_main_job_takes_the_test_options(capsys):
    assert main(["--alpha", "0.05", "--method", "pooled-cc"]) == 0
    out = capsys.readouterr().out
    assert (
        "Test: two-sided pooled two-proportion Z test with Yates's continuity correction" in out
        or "alpha = 0.05" in out
    )
    strict = summarise(stats.load_report(), ChangeTest(alpha=0.05, method="pooled-cc"))
    n = int(strict.totals.loc["significant improvement", "prompts"])
    assert f"significant improvement: {n};" in out and n < 15


def test_terminal_text_one_header_full_prompts_method_once(summary):
    text = report_text(summary)
    flat = " ".join(text.split())
    for prompt in summary.prompts["prompt"]:
        assert " ".join(prompt.split()) in flat  # in full, wrapped
    assert text.count("prev %  cur %") == 2  # one header for prompts, one for key questions
    assert text.count(summary.test.describe()) == 1
    assert max(len(line) for line in text.splitlines()) <= 140


def test_markdown_rounds_and_csv_json_carry_full_precision(summary):
    md = render(summary.design, "markdown")
    assert "0.06407757827723002" not in md and "| 0.0641 |" in md
    assert "143.8" not in md and "| 144 |" in md
    for fmt in ("csv", "json"):  # machine formats: every digit, so reporting code loses nothing
        text = render(summary.prompts, fmt)
        back = (
            pd.read_csv(__import__("io").StringIO(text))
            if fmt == "csv"
            else pd.DataFrame(__import__("json").loads(text))
        )
        for col in ("pvalue", "ci_low", "difference", "statistic", "pvalue_max", "qvalue"):
            np.testing.assert_array_equal(back[col].to_numpy(dtype=float), summary.prompts[col].to_numpy(dtype=float))
    view = design_view(summary.design)
    assert view.loc[1, "implied N"] == "144-147"


def test_packaging_templates_and_notebook_extra():
    import importlib.resources
    import tomllib

    root = Path(__file__).resolve().parents[1]
    for name in ("report.html.j2", "report.css", "sort.js"):
        assert (importlib.resources.files("stats.render") / "templates" / name).is_file()
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    # hatchling puts every file under the package folder into the wheel: the templates ship with it
    assert project["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"] == ["stats"]
    assert "templates" not in (root / ".gitignore").read_text()
    extras = project["project"]["optional-dependencies"]
    assert any(d.startswith("jupyterlab") for d in extras["notebook"])
    assert not any(d.startswith("jupyterlab") for d in extras["test"])


def test_jupyter_displays_go_through_the_report_renderer(summary):
    from stats.render.html import Fragment, table_html
    from stats.render.points import lede

    html = summary._repr_html_()
    assert "Main points" in html and lede(summary.main_points) in unescape(html)
    assert html.index("Main points") < html.index("nb-key-questions-table") < html.index("nb-prompts-table")
    points = summary.main_points._repr_html_()
    assert "Main points" in points and "▲" in points
    labelled = stats.label_changes(stats.load_report().prompts, intervals=True)
    table = table_html(labelled)
    assert isinstance(table, Fragment) and table._repr_html_() == str(table)
    doc = parse(table)
    shown = doc.tables["nb-prompts-table"]
    assert "n_previous" in shown["columns"] and "label" in shown["columns"]
    assert COLUMNS["difference"].display in table and "▲ significant improvement" in table
    n_prev = [
        c["text"]
        for row in shown["rows"]
        for name, c in zip(shown["columns"], row, strict=True)
        if name == "n_previous"
    ]
    assert n_prev == [f"{n}*" for n in labelled["n_previous"]]  # every previous n is assumed
    assert "colgroup" in table  # grouped headings
    with pytest.raises(ValueError, match="labelled has no 'label' column"):
        table_html(labelled.drop(columns="label"))
    with pytest.raises(TypeError, match="labelled must be a pandas DataFrame"):
        table_html([1, 2])
