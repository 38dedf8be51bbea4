"""Charts for labelled tables (needs matplotlib: ``pip install "inspection-stats[plot]"``)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .change import compare_proportions, spec_of
from .parse import parse_table

__all__ = ["change_chart"]


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError:  # pragma: no cover - exercised only without the extra
        raise ImportError(
            "stats.plots needs matplotlib; install it with: pip install \"inspection-stats[plot]\""
        ) from None
    return plt


def change_chart(labelled: pd.DataFrame, *, group="standard", label_column="prompt_id", title=None):
    """Dumbbell and forest plot of a labelled table.

    Left panel: previous and current percentage of each testable row, joined
    by a line. Right panel: the change in points with the interval of the
    table's test specification (``attrs['change_test']``, dual to the test
    by default, see :meth:`stats.ChangeResult.confidence_interval`), so the
    chart's verdicts are the labels' verdicts. Significant rows are
    drawn in colour (improvement green, decline red) and filled; others grey
    and hollow. Rows are grouped by ``group`` with a separator between groups.
    Rows with no comparable data are left out.

    Parameters
    ----------
    labelled : pandas.DataFrame
        Output of :func:`stats.label_changes` (needs ``previous``,
        ``current``, ``n_previous``, ``n_current``, ``label`` and the test
        specification it carries).
    group : str or None, default "standard"
        Column to group rows by (None: no grouping).
    label_column : str, default "prompt_id"
        Column used for the row labels (the index if absent).
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    plt = _pyplot()
    for col in ("previous", "current", "n_previous", "n_current", "label"):
        if col not in labelled.columns:
            raise ValueError(f"labelled has no column {col!r}; pass the output of stats.label_changes.")
    spec = spec_of(labelled)
    parsed = parse_table(labelled)
    testable = parsed["testable"]
    rows = labelled[testable.to_numpy()]
    if rows.empty:
        raise ValueError("labelled has no testable rows to plot (every row lacks a previous or current percentage).")
    p1, p2 = parsed.loc[testable, "previous"].to_numpy(), parsed.loc[testable, "current"].to_numpy()
    n1, n2 = parsed.loc[testable, "n_previous"].to_numpy(), parsed.loc[testable, "n_current"].to_numpy()
    ci = compare_proportions(p1, n1, p2, n2, test=spec).ci
    low, high = 100 * np.asarray(ci.low), 100 * np.asarray(ci.high)
    diff = 100 * (p2 - p1)

    colours = {"significant improvement": "#1b7837", "significant decline": "#b2182b"}
    labels = rows["label"].to_numpy()
    colour = [colours.get(lab, "#888888") for lab in labels]
    filled = [lab in colours for lab in labels]

    # y positions, leaving a gap between groups
    y, pos = [], 0.0
    groups = rows[group].astype(str).to_numpy() if group and group in rows.columns else np.array([""] * len(rows))
    boundaries = []
    for i, g in enumerate(groups):
        if i and g != groups[i - 1]:
            boundaries.append(pos + 0.25)
            pos += 0.5
        y.append(pos)
        pos += 1
    y = np.asarray(y)
    names = rows[label_column].astype(str).to_numpy() if label_column in rows.columns else rows.index.astype(str).to_numpy()

    fig, (ax1, ax2) = plt.subplots(1, 2, sharey=True, figsize=(11, 0.28 * len(rows) + 1.8),
                                   gridspec_kw={"width_ratios": [1, 1.2]})
    for i in range(len(rows)):
        ax1.plot([100 * p1[i], 100 * p2[i]], [y[i], y[i]], color=colour[i], lw=1.5, alpha=0.8)
        ax2.plot([low[i], high[i]], [y[i], y[i]], color=colour[i], lw=1.5)
    ax1.scatter(100 * p1, y, marker="o", facecolors="white", edgecolors="#444444", zorder=3, label="previous")
    ax1.scatter(100 * p2, y, marker="o", c=colour, zorder=3, label="current")
    ax2.scatter(diff, y, marker="D", c=[c if f else "white" for c, f in zip(colour, filled)], edgecolors=colour, zorder=3)
    ax2.axvline(0, color="black", lw=0.8)
    for b in boundaries:
        ax1.axhline(b, color="#cccccc", lw=0.8)
        ax2.axhline(b, color="#cccccc", lw=0.8)
    if group and group in rows.columns:
        starts = {}
        for g, yy in zip(groups, y):
            starts.setdefault(g, []).append(yy)
        for g, ys in starts.items():
            ax2.text(1.01, np.mean(ys), g, transform=ax2.get_yaxis_transform(), va="center", fontsize=9, weight="bold")
    ax1.set_yticks(y, names, fontsize=7)
    ax1.invert_yaxis()
    ax1.set_xlim(0, 100)
    ax1.set_xlabel("percent (open: previous, filled: current)")
    ax2.set_xlabel(f"change in points with {100 * (1 - spec.alpha):g}% {spec.interval} interval")
    ax1.legend(loc="lower left", fontsize=8)
    fig.suptitle(title or f"Change since the previous inspection ({spec.alternative} {spec.method} Z test, "
                 f"alpha = {spec.alpha:g}; filled = significant)", fontsize=10)
    fig.tight_layout()
    return fig
