"""Charts: content checks on the bundled report and image comparisons on small fixed tables.

The fixed tables below are SYNTHETIC (constructed to cover every case a chart must draw:
an improvement, a decline, no change, 0 % and 100 %, an untestable row, FDR survivors).
Baselines live in tests/baseline/; they were generated once with
``python tests/test_plots.py --write-baselines`` and checked by eye. Tolerance: RMS 2 on the
0-255 scale (matplotlib.testing.compare.compare_images), enough for anti-aliasing differences
between FreeType builds, far below any change of a marker, line or text.
"""

import inspect
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection
from matplotlib.testing.compare import compare_images

import stats
from stats import ChangeTest, label_changes
from stats.render.charts import (
    LABEL_STYLE,
    change_chart,
    change_charts,
    key_question_chart,
    method_chart,
    ratings_chart,
)

BASELINE = Path(__file__).resolve().parent / "baseline"
TOLERANCE = 2.0  # RMS, 0-255 scale


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def synthetic_prompts() -> pd.DataFrame:
    """SYNTHETIC prompt table: one row per case the change chart must draw."""
    return pd.DataFrame(
        {
            "standard": ["9.1", "9.1", "9.1", "9.2", "9.2", "9.2"],
            "standard_name": ["Synthetic standard A"] * 3 + ["Synthetic standard B"] * 3,
            "prompt_id": ["9.1.1.a", "9.1.1.b", "9.1.1.c", "9.2.1.a", "9.2.1.b", "9.2.1.c"],
            "prompt": [
                (
                    "Synthetic prompt: improvement from 40% to 62% with a long text that has to be wrapped over "
                    "more than one line so that the layout is tested"
                ),
                "Synthetic prompt: decline from 80% to 58%",
                "Synthetic prompt: no significant change, 50% to 54%",
                "Synthetic prompt: 0% to 100% (markers at both edges must not be clipped)",
                "Synthetic prompt: no comparable previous figure",
                "Synthetic prompt: 100% to 96%, small sample",
            ],
            "previous": [40.0, 80.0, 50.0, 0.0, np.nan, 100.0],
            "current": [62.0, 58.0, 54.0, 100.0, 70.0, 96.0],
            "n_previous": [100, 100, 100, 20, 100, 25],
            "n_current": [100, 100, 100, 20, 100, 25],
        }
    )


def synthetic_key_questions() -> pd.DataFrame:
    """SYNTHETIC key-question table for the ratings chart: values near each band limit."""
    return pd.DataFrame(
        {
            "standard": ["9.1", "9.1", "9.2", "9.2", "9.3"],
            "standard_name": ["Synthetic A", "Synthetic A", "Synthetic B", "Synthetic B", "Synthetic C"],
            "key_question": ["9.1.1", "9.1.2", "9.2.1", "9.2.2", "9.3.1"],
            "key_question_text": [
                "Synthetic key question at 63%",
                "Synthetic key question at 81%",
                "Synthetic key question at 49%",
                "Synthetic key question at 70%",
                "Synthetic key question at 100%",
            ],
            "previous": [60.0, 70.0, 55.0, 72.0, 90.0],
            "current": [63.0, 81.0, 49.0, 70.0, 100.0],
            "n_previous": [100, 100, 85, 85, 24],
            "n_current": [100, 100, 85, 85, 24],
        }
    )


def _check_image(fig, name, tmp_path):
    actual = tmp_path / f"{name}.png"
    fig.savefig(actual, dpi=60)
    expected = BASELINE / f"{name}.png"
    assert expected.exists(), f"missing baseline {expected}; run python tests/test_plots.py --write-baselines"
    result = compare_images(str(expected), str(actual), tol=TOLERANCE)
    assert result is None, result


def _fdr_table():
    labelled = label_changes(synthetic_prompts(), intervals=True)
    labelled["significant_fdr"] = pd.array([True, False, False, True, pd.NA, False], dtype="boolean")
    return labelled


def _assumed_table():
    """SYNTHETIC: the FDR table with every previous n assumed and one current n assumed (marked *)."""
    labelled = _fdr_table()
    labelled["n_previous_source"] = "assumed"
    labelled["n_source"] = ["stated", "stated", "assumed", "stated", "stated", "stated"]
    return labelled


def _discretion_ratings():
    """SYNTHETIC ratings: 9.1 is 'Requires improvement' by its bands and rated 'Good' by panel discretion."""
    kq = label_changes(synthetic_key_questions(), intervals=True)
    rated = pd.DataFrame(
        {
            "standard": ["9.1", "9.2", "9.3"],
            "standard_name": ["Synthetic A", "Synthetic B", "Synthetic C"],
            "lowest_key_question": ["9.1.1", "9.2.1", "9.3.1"],
            "mechanical_rating": ["Requires improvement", "Inadequate", "Outstanding"],
            "discretion_rating": ["Good", None, None],
            "qualitative_adjustment": [None, None, None],
            "rating": ["Good", "Inadequate", "Outstanding"],
            "published_rating": ["Good", "Inadequate", "Outstanding"],
        }
    )
    return ratings_chart(kq, rated)


FIGURES = {
    "change_chart_synthetic": lambda: change_chart(_assumed_table()),
    "change_chart_pages_synthetic": lambda: change_charts(_assumed_table(), rows_per_page=2, xmax=120)[1],
    "ratings_chart_discretion_synthetic": _discretion_ratings,
    "key_question_chart_synthetic": lambda: key_question_chart(
        label_changes(synthetic_key_questions(), intervals=True)
    ),
    "ratings_chart_synthetic": lambda: ratings_chart(label_changes(synthetic_key_questions(), intervals=True)),
}


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_chart_matches_baseline(name, tmp_path):
    _check_image(FIGURES[name](), name, tmp_path)


def test_continued_page_repeats_group_heading_legend_and_axis_titles(report):
    labelled = stats.label_changes(report.prompts, intervals=True)
    standard = dict(zip(labelled["prompt_id"].astype(str), labelled["standard"].astype(str), strict=True))
    figs = change_charts(labelled, rows_per_page=13)
    assert len(figs) > 2
    previous_ids: list[str] = []
    continued = 0
    for k, fig in enumerate(figs):
        texts = [t.get_text() for t in fig.axes[0].texts]
        ids = [t for t in texts if t in standard]
        first = texts[0]  # the page opens with a group heading
        assert re.fullmatch(r"\d+\.\d+ .+", first), first
        inside = bool(previous_ids) and standard[ids[0]] == standard[previous_ids[-1]]
        assert first.endswith("(continued)") == inside, (k, first)
        continued += inside
        previous_ids = ids
        assert "previous" in [t.get_text() for t in fig.legends[0].get_texts()]
        assert fig.axes[2].get_xlabel().startswith("change in points")
        assert fig.axes[1].get_xlabel().startswith("percent")
    assert continued  # the bundled report has a page that starts inside a standard


def test_report_change_charts_share_one_axis(report):
    from stats.render.charts import change_axis_limit

    prompts = stats.label_changes(report.prompts, intervals=True)
    kq = stats.label_changes(report.key_questions, intervals=True)
    xmax = change_axis_limit(prompts, kq)
    widest = 100 * max(
        np.nanmax(np.abs(t[c].to_numpy(dtype=float))) for t in (prompts, kq) for c in ("ci_low", "ci_high")
    )
    assert widest < xmax <= widest + 22
    limits = {
        ax.get_xlim()
        for f in [*change_charts(prompts, xmax=xmax), key_question_chart(kq, xmax=xmax)]
        for ax in [f.axes[2]]
    }
    assert limits == {(-xmax, xmax)}
    with pytest.raises(ValueError, match=r"xmax must be a positive number of points \(got -1\)"):
        change_charts(prompts, xmax=-1)


def test_change_chart_content_on_report(report):
    labelled = stats.label_changes(report.prompts, intervals=True)
    figs = change_charts(labelled)
    testable = labelled["previous"].notna() & labelled["current"].notna()
    assert len(figs) == 2  # 51 testable rows + headings, pages of at most 30
    texts = [t.get_text() for f in figs for ax in f.axes for t in ax.texts]
    # every testable prompt's full text is on a page (wrapped: compare without line breaks)
    joined = " ".join(" ".join(t.split()) for t in texts)
    for text in labelled.loc[testable, "prompt"]:
        assert " ".join(text.split()) in joined
    # standard names as headings, n shown
    assert "2.3 Implementation and delivery" in texts and "4.2 Through the Gate" in texts
    # every previous n of the bundled report is assumed: marked * in the chart, with the footnote
    assumed = labelled["n_previous_source"].eq("assumed")
    assert texts.count("100* → 100") == int(((labelled["n_current"] == 100) & testable & assumed).sum()) > 0
    assert texts.count("100 → 100") == int(((labelled["n_current"] == 100) & testable & ~assumed).sum())
    assert any("* assumed, not published" in t for f in figs for t in (x.get_text() for x in f.texts))
    # change panel: one point per testable row, at the table's difference
    diffs = np.concatenate(
        [c.get_offsets()[:, 0] for f in figs for c in f.axes[2].collections if isinstance(c, PathCollection)]
    )
    np.testing.assert_allclose(np.sort(diffs), np.sort(100 * labelled.loc[testable, "difference"].to_numpy()))
    # the untestable rows are named in a note
    notes = [t.get_text() for t in figs[0].texts]
    assert any("Not shown: 25 prompts with no comparable previous figure" in t and "2.1.1.b" in t for t in notes)


def test_change_chart_takes_the_test_from_the_table():
    assert "alpha" not in inspect.signature(change_chart).parameters
    spec = ChangeTest(alpha=0.05, method="unpooled")
    fig = change_chart(label_changes(synthetic_prompts(), spec, intervals=True))
    assert fig.axes[2].get_xlabel() == "change in points, 95% wald interval"
    assert f"{spec.describe()} (method 'unpooled')" in [t.get_text() for t in fig.texts]


def test_change_chart_legend_matches_markers_and_colours():
    labelled = _fdr_table()
    fig = change_chart(labelled)
    legend = fig.legends[0]
    entries = {t.get_text(): h for t, h in zip(legend.get_texts(), legend.legend_handles, strict=True)}
    for colour, marker, text in LABEL_STYLE.values():
        handle = entries[f"current: {text}"]
        assert handle.get_marker() == marker
        assert matplotlib.colors.to_hex(handle.get_color()) == colour.lower()
    assert entries["previous"].get_marker() == "o" and entries["previous"].get_markerfacecolor() == "white"
    # each label's change markers have its colour and are as many as its rows; stars for FDR survivors
    points = {c.get_label(): c for c in fig.axes[2].collections if isinstance(c, PathCollection)}
    counts = labelled["label"].value_counts()
    for label, (colour, _marker, _) in LABEL_STYLE.items():
        assert matplotlib.colors.to_hex(points[label].get_facecolor()[0]) == colour.lower()
        assert len(points[label].get_offsets()) == counts[label]
    assert (
        len(points["significant after FDR"].get_offsets()) == 2 == int(labelled["significant_fdr"].fillna(False).sum())
    )
    assert "significant after FDR" in entries


def test_markers_at_0_and_100_percent_are_not_clipped():
    fig = change_chart(label_changes(synthetic_prompts(), intervals=True))
    level = fig.axes[1]
    lo, hi = level.get_xlim()
    assert lo < 0 and hi > 100
    markers = [c for c in level.collections if isinstance(c, PathCollection)]
    assert markers and all(c.get_clip_on() is False for c in markers)
    assert {0.0, 100.0} <= {float(x) for c in markers for x in c.get_offsets()[:, 0]}


def test_long_tables_are_paginated_not_stretched():
    # SYNTHETIC 608-row table (the size that once made a 10,443-pixel image)
    rng = np.random.default_rng(1)
    big = pd.DataFrame(
        {
            "standard": np.repeat([f"S{k}" for k in range(8)], 76),
            "prompt_id": [f"p{k}" for k in range(608)],
            "prompt": ["synthetic prompt"] * 608,
            "previous": rng.integers(20, 90, 608).astype(float),
            "current": rng.integers(20, 90, 608).astype(float),
            "n_previous": 100,
            "n_current": 100,
        }
    )
    labelled = label_changes(big, intervals=True)
    with pytest.raises(ValueError, match=r"608 testable rows in 21 pages of at most 30: pass page=0 to 20"):
        change_chart(labelled)
    fig = change_chart(labelled, page=20)
    assert fig.get_size_inches()[1] * fig.dpi < 2000
    assert any("(page 21 of 21)" in t.get_text() for t in fig.texts)
    with pytest.raises(ValueError, match=r"page must be a whole number from 0 to 20 \(got 21\)"):
        change_chart(labelled, page=21)


def test_errors_name_the_problem(report):
    with pytest.raises(ValueError, match=r"labelled has no column 'label'"):
        change_chart(report.prompts)
    stripped = label_changes(report.prompts, intervals=True)
    stripped.attrs = {}
    with pytest.raises(ValueError, match=r"carries no test specification"):
        change_charts(stripped)
    with pytest.raises(ValueError, match=r"no testable rows"):
        change_chart(label_changes(report.prompts[report.prompts["previous"].isna()], intervals=True))
    with pytest.raises(
        ValueError,
        match=r"no interval columns \(ci_low, ci_high\): label it with "
        r"stats.label_changes\(\.\.\., intervals=True\)",
    ):
        change_chart(label_changes(report.key_questions))  # a chart never computes an interval itself
    kq = label_changes(report.key_questions, intervals=True)
    with pytest.raises(ValueError, match=r"label_column \('prompt'\) is not a column of labelled"):
        change_chart(kq, label_column="prompt")
    with pytest.raises(ValueError, match=r"rows_per_page must be a whole number >= 1 \(got 0\)"):
        change_charts(kq, rows_per_page=0)


def test_key_question_and_ratings_charts_on_report(report):
    from stats.ratings import rate_report

    kq = label_changes(report.key_questions, intervals=True)
    fig = key_question_chart(kq)
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert "4.2.3" in texts and "Is there effective coordination of resettlement activity?" in texts
    assert any("Not shown: 3 rows" in t.get_text() for t in fig.texts)
    fig = ratings_chart(kq, rate_report(report.key_questions, report.standards))
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    # Assessment: lowest key question 63 %, 2 points below the Good boundary, inside its margin
    assert "63%  2 below 65  !" in texts
    assert "Good\n(published: Good)" in texts
    assert {"Inadequate", "Requires\nimprovement", "Good", "Outstanding"} <= set(texts)


@pytest.mark.slow  # imports scipy.stats for the exact tests
def test_method_chart_reads_alpha_from_the_comparison():
    from stats.exact import compare_methods

    table = pd.DataFrame(
        {
            "prompt_id": ["x", "y"],
            "prompt": ["SYNTHETIC borderline", "SYNTHETIC clear"],
            "previous": [49, 20],
            "current": [61, 80],
            "n_previous": [100, 100],
            "n_current": [100, 100],
        }
    )
    compared = compare_methods(table, ChangeTest(alpha=0.1), exact="none")
    fig = method_chart(compared, table)
    assert "alpha = 0.1" in [t.get_text() for t in fig.axes[1].texts]
    assert "x" in [t.get_text() for t in fig.axes[0].texts]  # the borderline row; the clear one is left out
    assert "y" not in [t.get_text() for t in fig.axes[0].texts]


if __name__ == "__main__":  # pragma: no cover - regenerate the baselines, then look at them
    import sys

    if "--write-baselines" in sys.argv:
        BASELINE.mkdir(exist_ok=True)
        for name, make in FIGURES.items():
            make().savefig(BASELINE / f"{name}.png", dpi=60)
            print("wrote", BASELINE / f"{name}.png")
