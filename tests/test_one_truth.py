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
    always = robust["robust_label"].astype(str).str.startswith("significant for all") | \
        robust["robust_label"].astype(str).str.contains("every feasible")
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
    assert spec.describe() in text
    counts = labelled["label"].value_counts()
    assert (f"significant improvement: {counts['significant improvement']}; "
            f"significant decline: {counts['significant decline']}") in text


@pytest.mark.parametrize("spec", VARIANTS[:4:3] + VARIANTS[6:7], ids=_ids)
def test_chart_draws_the_labels_verdict(spec, report):
    from stats.plots import change_charts

    from matplotlib.collections import PathCollection

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
    from stats.reporting import to_html, write_xlsx

    labelled = label_changes(report.prompts, spec)
    summary = summarise(report, spec)
    import html as html_lib

    html = to_html(summary, charts=False)
    assert html_lib.escape(spec.describe(), quote=False) in html
    workbook = pd.read_excel(write_xlsx(summary, tmp_path / "r.xlsx"), sheet_name="prompts")
    assert workbook["label"].tolist() == labelled["label"].astype(str).tolist()
