"""One table, one truth: a row's verdict is computed once and every output path shows it.

For every test variant, the bundled prompt table is labelled once; the same verdicts must
come out of the summary, the robustness check, the exact-methods table, the interval, the
chart and the command line (CSV and the main job's text).
"""

import io
import json

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

import stats
from stats import ChangeTest, label_changes
from stats.change import LABELS, METHODS
from stats.cli import main
from stats.consistency import robust_labels
from stats.exact import compare_methods
from stats.summary import summarise

VARIANTS = [
    ChangeTest(method=method, alternative=alternative, alpha=alpha)
    for method in METHODS
    for alternative, alpha in (("two-sided", 0.1), ("greater", 0.05), ("less", 0.1))
]


def _ids(spec):
    return f"{spec.method}-{spec.alternative}-{spec.alpha:g}"


def _cli_options(spec):
    return ["--method", spec.method, "--alternative", spec.alternative, "--alpha", str(spec.alpha)]


@pytest.mark.parametrize("spec", VARIANTS, ids=_ids)
def test_every_view_shows_the_labels_verdict(spec, report, prompts_csv, capsys):
    labelled = label_changes(report.prompts, spec, intervals=True)
    verdict = labelled["significant"]  # <NA> where untestable
    testable = verdict.notna().to_numpy()
    sig = verdict.fillna(False).astype(bool).to_numpy()
    assert testable.sum() == 51

    # the interval agrees with the verdict (dual interval)
    excludes = ((labelled["ci_low"] > 0) | (labelled["ci_high"] < 0)).to_numpy()
    assert (excludes[testable] == sig[testable]).all()

    # the summary: the same labels
    summary = summarise(report, spec)
    pd.testing.assert_series_equal(summary.prompts["label"], labelled["label"])
    assert summary.prompts.attrs["change_test"] == spec

    # robustness over feasible denominators never contradicts the verdict at the stated n
    robust = robust_labels(labelled)
    assert robust.attrs["change_test"] == spec
    always = robust["robust_label"].astype(str).str.startswith("significant for all") | robust["robust_label"].astype(
        str
    ).str.contains("every feasible")
    never = robust["robust_label"].astype(str).str.contains("for none|no feasible count")
    assert not (always.to_numpy() & testable & ~sig).any()
    assert not (never.to_numpy() & sig).any()

    # the exact-methods table's verdict is the label's verdict
    methods = compare_methods(labelled, exact="none")
    assert methods.attrs["change_test"] == spec
    np.testing.assert_array_equal(methods["significant"].to_numpy(dtype=bool), sig[testable])

    # the command line's CSV output
    assert main(["label", str(prompts_csv), "--format", "csv", *_cli_options(spec)]) == 0
    cli = pd.read_csv(io.StringIO(capsys.readouterr().out), keep_default_na=False)
    assert cli["label"].tolist() == labelled["label"].astype(str).tolist()

    # the command line's JSON output of the main job's test options for one row
    row = labelled.index[testable][0]
    p1, n1 = report.prompts.loc[row, "previous"] / 100, int(report.prompts.loc[row, "n_previous"])
    p2, n2 = report.prompts.loc[row, "current"] / 100, int(report.prompts.loc[row, "n_current"])
    assert main(["compare", str(p1), str(n1), str(p2), str(n2), "--json", *_cli_options(spec)]) == 0
    one = json.loads(capsys.readouterr().out)
    assert one["label"] == labelled.loc[row, "label"] and one["test"] == spec.to_dict()

    # the main job's text states the test and prints the same totals
    assert main(["report", *_cli_options(spec)]) == 0
    text = capsys.readouterr().out
    assert spec.describe() in " ".join(text.split())  # the test line is wrapped to the terminal
    counts = labelled["label"].value_counts()
    assert (
        f"significant improvement: {counts['significant improvement']}; "
        f"significant decline: {counts['significant decline']}"
    ) in text


@pytest.mark.parametrize("spec", VARIANTS[:4:3] + VARIANTS[6:7], ids=_ids)
def test_chart_draws_the_labels_verdict(spec, report):
    from matplotlib.collections import PathCollection

    from stats.render.charts import change_charts

    labelled = label_changes(report.prompts, spec, intervals=True)
    figs = change_charts(labelled)  # the 76-prompt table is drawn in pages
    try:
        for fig in figs:
            text = " ".join(t.get_text() for t in fig.texts)
            assert f"alpha = {spec.alpha:g}" in text and spec.method in text
        # the change panel draws each row's marker in the collection of its label, at its difference
        drawn = {}
        for fig in figs:
            for c in fig.axes[2].collections:
                if isinstance(c, PathCollection) and c.get_label() in LABELS:
                    drawn.setdefault(c.get_label(), []).extend(c.get_offsets()[:, 0])
        for label in LABELS[:3]:
            rows = labelled["label"] == label
            expected = np.sort(100 * labelled.loc[rows, "difference"].to_numpy())
            np.testing.assert_allclose(np.sort(drawn.get(label, [])), expected, atol=1e-9)
    finally:
        import matplotlib.pyplot as plt

        for fig in figs:
            plt.close(fig)


def test_a_labelled_table_is_checked_only_with_its_own_test(report):
    spec = ChangeTest(alpha=0.05)
    labelled = label_changes(report.prompts, spec)
    assert compare_methods(labelled, spec, exact="none").attrs["change_test"] == spec  # repeating it is fine
    for check in (lambda t: compare_methods(labelled, t, exact="none"), lambda t: robust_labels(labelled, t)):
        with pytest.raises(ValueError, match=r"the table was labelled with .*alpha = 0.05.*label it again"):
            check(ChangeTest(alpha=0.1))


@pytest.mark.parametrize("spec", [VARIANTS[0], VARIANTS[4]], ids=_ids)
def test_html_and_workbook_show_the_labels_verdict(spec, report, tmp_path):
    from stats.render.html import to_html
    from stats.render.xlsx import write_xlsx

    labelled = label_changes(report.prompts, spec)
    summary = summarise(report, spec)
    import html as html_lib

    html = to_html(summary, charts=False)
    assert html_lib.escape(spec.describe(), quote=False) in html
    workbook = pd.read_excel(write_xlsx(summary, tmp_path / "r.xlsx"), sheet_name="prompts", header=1)
    assert workbook["label"].tolist() == labelled["label"].astype(str).tolist()


def _labels_from(fmt: str, data, n: int) -> list[str]:
    """The label column of one table as written by format ``fmt`` (text: the symbol and the label words)."""
    from stats.render.columns import LABEL_SYMBOLS

    if fmt == "csv":
        return pd.read_csv(io.StringIO(data), keep_default_na=False)["label"].tolist()
    if fmt == "json":
        return [row["label"] for row in json.loads(data)]
    if fmt == "markdown":
        lines = [line for line in data.splitlines() if line.startswith("| ")]
        header = [c.strip() for c in lines[0].strip("|").split(" | ")]
        k = header.index("label")
        return [[c.strip() for c in line.strip("|").split(" | ")][k] for line in lines[2:]]
    if fmt == "xlsx":
        return pd.read_excel(io.BytesIO(data), sheet_name=0, header=1)["label"].astype(str).tolist()
    if fmt == "text":  # one symbol per row, in row order
        by_symbol = {s: label for label, s in LABEL_SYMBOLS.items()}
        symbols = [ch for line in data.splitlines() for ch in line if ch in by_symbol]
        return [by_symbol[s] for s in symbols]
    raise AssertionError(f"no reader for {fmt!r}")


@pytest.mark.parametrize("spec", [VARIANTS[0], VARIANTS[4], VARIANTS[11]], ids=_ids)
def test_every_registry_format_writes_the_labels_verdict(spec, report, prompts_csv, tmp_path, capsys):
    from stats.render import formats_for

    labelled = label_changes(report.prompts, spec, intervals=True)
    expected = labelled["label"].astype(str).tolist()
    formats = formats_for("table")
    assert set(formats) >= {"text", "markdown", "csv", "json", "xlsx"}
    for fmt in formats:
        out = tmp_path / f"labelled.{fmt}"
        assert main(["label", str(prompts_csv), "--format", fmt, "-o", str(out), *_cli_options(spec)]) == 0, fmt
        data = out.read_bytes() if fmt == "xlsx" else out.read_text(encoding="utf-8")
        assert _labels_from(fmt, data, len(expected)) == expected, fmt
    capsys.readouterr()


@pytest.mark.slow  # the HTML draws every chart
@pytest.mark.parametrize("spec", [VARIANTS[0], VARIANTS[4]], ids=_ids)
def test_every_report_format_writes_the_labels_verdict(spec, report, tmp_path):
    from html.parser import HTMLParser

    from stats.render import formats_for, get_writer

    summary = summarise(report, spec)
    expected = label_changes(report.prompts, spec)["label"].astype(str).tolist()
    assert set(formats_for("report")) >= {"text", "markdown", "csv", "json", "html", "xlsx"}
    for fmt in formats_for("report"):
        data = get_writer(fmt).write("report", summary)
        if fmt == "csv":
            table = pd.read_csv(io.StringIO(data), keep_default_na=False, low_memory=False)
            got = table.loc[table["table"] == "prompts", "label"].tolist()
        elif fmt == "json":
            got = [row["label"] for row in json.loads(data)["prompts"]]
        elif fmt == "xlsx":
            got = pd.read_excel(io.BytesIO(data), sheet_name="prompts", header=1)["label"].astype(str).tolist()
        elif fmt == "markdown":
            section = data[data.index("## Prompts") : data.index("## Key questions")]
            got = _labels_from("markdown", section, len(expected))
            from stats.render.columns import LABEL_SYMBOLS

            got = [g.split(" ", 1)[1] if g[:1] in LABEL_SYMBOLS.values() else g for g in got]
        elif fmt == "text":
            section = data[data.index("2. Prompt table") : data.index("Totals:")]
            got = _labels_from("text", section, len(expected))
        elif fmt == "html":

            class Labels(HTMLParser):
                def __init__(self):
                    super().__init__()
                    self.labels, self.inside, self.in_label = [], False, False

                def handle_starttag(self, tag, attrs):
                    a = dict(attrs)
                    if tag == "table":
                        self.inside = a.get("id") == "prompts-table"
                    if self.inside and tag == "td" and "col-label" in (a.get("class") or ""):
                        self.in_label = True

                def handle_endtag(self, tag):
                    if tag == "td":
                        self.in_label = False
                    if tag == "table":
                        self.inside = False

                def handle_data(self, text):
                    if self.in_label and text.strip():
                        self.labels.append(text.strip().split(" ", 1)[1])

            parser = Labels()
            parser.feed(data)
            got = parser.labels
        else:
            continue  # a format registered by another test
        assert got == expected, fmt


def test_main_points_and_summary_sheet_show_the_tables_verdicts(tmp_path):
    """The main points (every format's words, the workbook's summary and main_points sheets) name exactly the
    significant rows of the tables, with their labels, changes and firmness as the checks columns say."""
    from openpyxl import load_workbook

    from stats.findings import ROBUST
    from stats.render.json import report_json
    from stats.render.points import change_sentence, sections
    from stats.render.xlsx import read_workbook, write_xlsx
    from stats.summary import summarise

    summary = summarise(stats.load_report())
    points = summary.main_points
    for table, frame, ident in (
        ("key question", summary.key_questions, "key_question"),
        ("prompt", summary.prompts, "prompt_id"),
    ):
        significant = frame[frame["significant"].fillna(False).astype(bool)]
        named = {c.id: c for c in points.changes if c.table == table}
        assert set(named) == set(significant[ident].astype(str))
        for _, row in significant.iterrows():
            c = named[str(row[ident])]
            assert c.label == row["label"] and c.change == row["difference"]
            robust = (
                row["robust_label"] == "significant for every feasible count"
                and bool(row["exact_agree"])
                and bool(row["significant_fdr"])
            )
            assert (c.firmness == ROBUST) == robust, c.id
    worded = [p for sec in sections(points) for p in sec.points if p.id]
    assert [p.id for p in worded] == [c.id for c in points.changes]
    assert all(
        p.text == change_sentence(c, 100 * points.confidence_level) for p, c in zip(worded, points.changes, strict=True)
    )
    path = write_xlsx(summary, tmp_path / "r.xlsx")
    lines = [r[0] for r in load_workbook(path)["summary"].iter_rows(values_only=True) if r[0]]
    for p in worded:
        assert any(line.endswith(p.text) for line in lines)
    sheet = read_workbook(path, "main_points")
    changes = sheet[sheet["section"] == "changes"]
    assert changes["id"].astype(str).tolist() == [c.id for c in points.changes]
    assert changes["label"].tolist() == [c.label for c in points.changes]
    np.testing.assert_allclose(changes["change_points"], [100 * c.change for c in points.changes])
    doc = json.loads(report_json(summary))
    assert [r["id"] for r in doc["main_points"]["changes"]] == [c.id for c in points.changes]
    assert [r["firmness"] for r in doc["main_points"]["changes"]] == [c.firmness for c in points.changes]
