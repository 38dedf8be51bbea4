"""One unit rule: every value the Python API computes is a proportion; points are for display only.

The rule (README, "Units"): proportions in [0, 1] (differences and interval limits in
[-1, 1]) in every Python return value; percentages appear only where a table holds the
figures as published (input columns such as ``previous`` and ``current`` of a prompt
table, echoed unchanged); any column in points is a display column named ``*_points``
and only the formatting layer makes one. This test scans the results of the public
compute functions for violations.
"""

import numpy as np
import pandas as pd
import pytest

import stats
from stats.cases import compare_inspections, read_cases, tabulate
from stats.consistency import robust_labels
from stats.exact import compare_methods
from stats.samplesize import sample_design
from stats.summary import summarise

# Column names that hold proportions (or differences of proportions) wherever they appear.
PROPORTION_COLUMNS = {
    "difference",
    "ci_low",
    "ci_high",
    "margin",
    "margin_previous",
    "margin_current",
    "margin_fpc_low",
    "margin_fpc_high",
    "proportion",
    "standard_error",
    "pvalue",
    "pvalue_min",
    "pvalue_max",
    "qvalue",
    "pvalue_adjusted",
}


def _frames(report):
    labelled = stats.label_changes(report.prompts, intervals=True)
    summary = summarise(report)
    cases = read_cases("data/synthetic-cases/current.csv")
    previous = read_cases("data/synthetic-cases/previous.csv")
    yield "label_changes", labelled, set(report.prompts.columns)
    yield "compare_proportions.to_frame", stats.compare_proportions([0.54, 0.2], 100, [0.71, 0.3], 80).to_frame(), set()
    yield "summary.prompts", summary.prompts, set(report.prompts.columns)
    yield "summary.key_questions", summary.key_questions, set(report.key_questions.columns)
    yield "sample_design", sample_design(report.samples), set(report.samples.columns)
    yield "tabulate", tabulate(cases), set()
    yield "tabulate(by=)", tabulate(cases, by="gender"), set()
    yield "compare_inspections", compare_inspections(previous, cases), set()
    yield "robust_labels", robust_labels(labelled), set()
    yield "compare_methods", compare_methods(labelled, exact="none"), set()


def test_no_compute_result_has_a_points_column_or_a_percentage_in_a_proportion_column(report):
    violations = []
    for name, frame, echoed in _frames(report):
        for col in frame.columns:
            if col in echoed:
                continue
            if str(col).endswith("_points") or "percent" in str(col):
                violations.append(f"{name}: column {col!r} is in points or percent")
            if col in PROPORTION_COLUMNS:
                values = pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=float)
                values = values[np.isfinite(values)]
                if values.size and (values.min() < -1 or values.max() > 1):
                    violations.append(f"{name}: column {col!r} has values outside [-1, 1] (max {values.max()})")
    assert violations == []


def test_scalar_results_are_proportions():
    res = stats.compare_proportions(0.54, 100, 0.71, 100)
    assert res.difference == pytest.approx(0.17)
    assert -1 <= res.ci.low <= res.ci.high <= 1
    assert stats.margin_of_error(100) < 1


def test_display_layer_shows_points(report):
    from stats.render.text import display_labelled

    view = display_labelled(stats.label_changes(report.prompts))
    assert view.loc[0, "change"] == "+17"  # 54 % -> 71 %
