"""Charts of labelled tables, key questions, ratings and test variants.

Needs matplotlib: ``pip install "inspection-stats[plot]"``.

Every chart takes its test (alpha, method, alternative, interval) from the table it draws
(``attrs['change_test']``, see :func:`stats.spec_of`) and its intervals from the table's
``ci_low``/``ci_high`` columns: there is no ``alpha`` argument and nothing is recomputed, so a
chart cannot disagree with the labels. Every text taken from the data or the caller (prompt text,
standard names, titles) is drawn literally (``parse_math=False``, ``usetex=False``): "$5" is a
dollar, never mathtext. Band limits and rating names come from the framework. Colours are the
Okabe-Ito colour-blind-safe palette and every colour has its own marker shape, so the charts read
in greyscale too. Long tables are split into pages of at most ``rows_per_page`` rows
(:func:`change_charts`), so a figure never grows beyond a printable height.

The layout of the change and ratings charts (rows, heights, texts, notes, legends, ticks) is
computed once, by private helpers that :mod:`stats.render.svg` shares: the HTML report writes the
same charts as SVG without importing matplotlib.
"""

from __future__ import annotations

import itertools
import math
import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..change import DECLINE, IMPROVEMENT, NO_CHANGE, spec_of
from ..parse import parse_table
from .columns import band_limits_text

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ..framework import Framework

__all__ = [
    "LABEL_STYLE",
    "change_chart",
    "change_charts",
    "change_axis_limit",
    "key_question_chart",
    "ratings_chart",
    "method_chart",
    "EXACT_STYLE",
    "method_style",
    "LITERAL",
]

#: Colour (Okabe-Ito), marker and legend text of each label; the previous value is an open circle.
LABEL_STYLE = {
    IMPROVEMENT: ("#0072B2", "^", "significant improvement"),
    DECLINE: ("#D55E00", "v", "significant decline"),
    NO_CHANGE: ("#5F5F5F", "s", "no significant change"),
}
_PREVIOUS = dict(marker="o", facecolor="white", edgecolor="#222222")
_FDR_MARK = dict(marker="*", color="#000000", size=70)
_BAND_COLOURS = ("#F0F0F0", "#D9D9D9", "#C6DBEF", "#9ECAE1")  # light greys then light blues: print-safe

# Layout in inches: fixed so that nothing overlaps whatever the text.
#: Every text of a chart is drawn as typed: no mathtext, no LaTeX (user text may hold "$").
LITERAL: dict[str, Any] = dict(parse_math=False, usetex=False)

_WIDTH = 12.0
_LINE = 0.135  # height of one line of 7.5 pt text
_FONT = 7.5
#: Columns of the change chart (left and right edge, inches) and where a row's text and n start in
#: theirs (fraction of the column).
_CHANGE_COLUMNS = {"text": (0.15, 4.95), "level": (5.15, 7.65), "change": (8.0, 10.95), "n": (11.05, 11.85)}
_CHANGE_TEXT_AT, _CHANGE_N_AT = 0.15, 0.05
#: Columns of the ratings chart (inches) and where a row's text and note start in theirs (fraction).
_RATINGS_COLUMNS = {"text": (0.15, 4.75), "bands": (5.0, 9.6), "note": (9.7, 11.9)}
_RATINGS_TEXT_AT, _RATINGS_NOTE_AT = 0.13, 0.02


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError:  # pragma: no cover - exercised only without the extra
        raise ImportError(
            'stats.render.charts needs matplotlib; install it with: pip install "inspection-stats[plot]"'
        ) from None
    return plt


def _title(fig: Figure, height: float, text: str) -> None:
    """Draw a chart's headline at the top left of ``fig`` (``height`` inches tall)."""
    fig.text(0.15 / _WIDTH, (height - 0.30) / height, text, fontsize=12, weight="bold", va="center", **LITERAL)


def _footnotes(fig: Figure, notes: list[str], height: float) -> None:
    """Draw ``notes`` at the foot of ``fig`` (``height`` inches tall), wrapped, the last at the bottom."""
    y = 0.12
    for note in reversed(notes):
        for line in reversed(textwrap.wrap(note, 170)):
            fig.text(0.15 / _WIDTH, y / height, line, fontsize=7.5, color="#333333", **LITERAL)
            y += 0.16


def _check_columns(labelled, columns, what="labelled"):
    if not isinstance(labelled, pd.DataFrame):
        raise TypeError(f"{what} must be a pandas DataFrame (got {type(labelled).__name__}).")
    for col in columns:
        if col not in labelled.columns:
            raise ValueError(f"{what} has no column {col!r}; pass the output of stats.label_changes.")


def _pick_column(labelled, given, candidates, parameter):
    """``given`` if it is a column (an error if it is not), else the first candidate present."""
    if given is not None:
        if given not in labelled.columns:
            raise ValueError(
                f"{parameter} ({given!r}) is not a column of labelled; columns are {list(labelled.columns)}."
            )
        return given
    return next((c for c in candidates if c in labelled.columns), None)


def _row_label(ident, text, wrap):
    ident = "" if ident is None or pd.isna(ident) else str(ident)
    text = "" if text is None or pd.isna(text) else str(text)
    lines = textwrap.wrap(text, wrap, break_on_hyphens=False) or [""]
    return ident, lines


def _pages(items, heights, capacity):
    """Split a list of ('group'|'row', ...) items into pages of at most ``capacity`` rows.

    A page break never leaves a group heading alone at the bottom of a page.
    """
    total = sum(item[0] == "row" for item in items)
    capacity = math.ceil(total / math.ceil(total / capacity)) if total else capacity  # pages of even length
    pages: list[list[Any]] = []
    page: list[Any] = []
    rows = 0
    for item in items:
        if item[0] == "row" and rows >= capacity:
            heading = [page.pop()] if page and page[-1][0] == "group" else []
            pages.append(page)
            page, rows = heading, 0
        page.append(item)
        rows += item[0] == "row"
    if page:
        pages.append(page)
    # a heading carried over with no row after it would be an empty page
    return [p for p in pages if any(i[0] == "row" for i in p)]


def _interval(labelled, testable):
    """The intervals the table was labelled with (``ci_low``, ``ci_high``): a chart never computes one."""
    if not {"ci_low", "ci_high"} <= set(labelled.columns):
        raise ValueError(
            "labelled has no interval columns (ci_low, ci_high): label it with "
            "stats.label_changes(..., intervals=True) so that the chart draws the test's intervals."
        )
    low = labelled.loc[testable, "ci_low"].to_numpy(dtype=float)
    high = labelled.loc[testable, "ci_high"].to_numpy(dtype=float)
    return low, high


def _subtitle(spec):
    return f"{spec.describe()} (method '{spec.method}')"


def change_axis_limit(*tables: pd.DataFrame) -> float:
    """The half-width (points) of a change axis that holds every change and interval of ``tables``.

    Pass every labelled table a report charts, and give the result to :func:`change_charts`
    (``xmax``) so that all its change charts share one axis: the same distance means the same
    change on every chart.

    See Also
    --------
    change_charts : draws every page on this axis.

    Examples
    --------
    >>> import pandas as pd
    >>> from stats.render.charts import change_axis_limit
    >>> change_axis_limit(pd.DataFrame({"difference": [0.17], "ci_low": [0.058], "ci_high": [0.278]}))
    30.0
    >>> change_axis_limit(pd.DataFrame({"difference": [0.5], "ci_low": [0.3], "ci_high": [0.7]}))
    80.0
    """
    values: list[np.ndarray] = []
    for t in tables:
        values.extend(
            100 * np.abs(t[c].to_numpy(dtype=float)) for c in ("ci_low", "ci_high", "difference") if c in t.columns
        )
    x = np.concatenate(values) if values else np.array([])
    span = float(np.nanmax(x)) if x.size and np.isfinite(x).any() else 10.0
    step = 10 if span <= 40 else 20
    return float(step * math.ceil((span + 2) / step))


def _assumed(rows, column):
    from ..findings import ASSUMED_SOURCES

    if column not in rows.columns:
        return np.zeros(len(rows), dtype=bool)
    return rows[column].astype(str).isin(ASSUMED_SOURCES).to_numpy(dtype=bool)


def _prepare(labelled, *, group, label_column, id_column, wrap, xmax=None):
    """Everything the pages share: rows, values, intervals, labels, notes."""
    _check_columns(labelled, ("previous", "current", "n_previous", "n_current", "label"))
    spec = spec_of(labelled)
    label_column = _pick_column(labelled, label_column, ("prompt", "key_question_text"), "label_column")
    id_column = _pick_column(labelled, id_column, ("prompt_id", "key_question"), "id_column")
    if group is not None and group not in labelled.columns:
        raise ValueError(f"group ({group!r}) is not a column of labelled; pass group=None for no grouping.")
    parsed = parse_table(labelled)
    testable = parsed["testable"].to_numpy(dtype=bool)
    rows = labelled[testable]
    if rows.empty:
        raise ValueError("labelled has no testable rows to plot (every row lacks a previous or current percentage).")
    low, high = _interval(labelled, testable)
    omitted = labelled[~testable]
    ids = rows[id_column].astype(str).tolist() if id_column else [str(i) for i in rows.index]
    texts = rows[label_column].tolist() if label_column else [""] * len(rows)
    fdr = None
    if "significant_fdr" in rows.columns:
        fdr = rows["significant_fdr"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    groups = None
    if group is not None:
        names = rows[group].astype(str)
        if group == "standard" and "standard_name" in rows.columns:
            names = names + " " + rows["standard_name"].astype(str)
        groups = names.tolist()
    data = dict(
        spec=spec,
        p1=100 * parsed.loc[testable, "previous"].to_numpy(dtype=float),
        p2=100 * parsed.loc[testable, "current"].to_numpy(dtype=float),
        n1=parsed.loc[testable, "n_previous"].to_numpy(dtype=float),
        n2=parsed.loc[testable, "n_current"].to_numpy(dtype=float),
        diff=100 * (parsed.loc[testable, "current"] - parsed.loc[testable, "previous"]).to_numpy(dtype=float),
        low=100 * low,
        high=100 * high,
        labels=rows["label"].astype(str).to_numpy(),
        labels_text=[_row_label(i, t, wrap) for i, t in zip(ids, texts, strict=True)],
        fdr=fdr,
        groups=groups,
        n1_assumed=_assumed(rows, "n_previous_source"),
        n2_assumed=_assumed(rows, "n_source"),
        omitted_ids=(omitted[id_column].astype(str).tolist() if id_column else [str(i) for i in omitted.index]),
    )
    items = []
    for i in range(len(rows)):
        if groups is not None and (i == 0 or groups[i] != groups[i - 1]):
            items.append(("group", groups[i]))
        items.append(("row", i))
    data["items"] = items
    if xmax is None:
        span = np.nanmax(np.abs(np.concatenate([data["low"], data["high"], data["diff"]])))
        step = 10 if span <= 40 else 20
        xmax = step * math.ceil((span + 2) / step)
    elif not (isinstance(xmax, (int, float, np.integer, np.floating)) and np.isfinite(xmax) and xmax > 0):
        raise ValueError(f"xmax must be a positive number of points (got {xmax!r}).")
    data["xmax"] = float(xmax)
    return data


def _continued(data, pages):
    """Each page that starts inside a group opens with that group's heading, marked '(continued)'."""
    if data["groups"] is None:
        return pages
    out = []
    for k, page in enumerate(pages):
        if k and page and page[0][0] == "row":
            page = [("group", f"{data['groups'][page[0][1]]} (continued)"), *page]
        out.append(page)
    return out


def _omitted_note(ids, noun):
    if not ids:
        return None
    shown = ", ".join(ids[:12]) + (f" and {len(ids) - 12} more" if len(ids) > 12 else "")
    return f"Not shown: {len(ids)} {noun} with no comparable previous figure, which cannot be tested ({shown})."


def _change_layout(data, page_items, noun):
    """Geometry and notes of one change page (inches), shared by the matplotlib and SVG drawings.

    Returns a dict: ``heights`` and ``ys`` (centre of each item, from the top of the body), ``body``,
    ``top``, ``bottom``, ``height`` and ``notes``.
    """
    spec = data["spec"]
    heights = []
    for kind, payload in page_items:
        if kind == "group":
            heights.append(0.32)
        else:
            heights.append(max(0.30, _LINE * len(data["labels_text"][payload][1]) + 0.10))
    body = sum(heights)
    assumed = data["n1_assumed"].any() or data["n2_assumed"].any()
    duality = (
        "dual to the test: it excludes 0 exactly when the change is significant"
        if spec.interval_is_dual
        else "not dual to the test"
    )
    notes = [
        (
            f"n: cases at the previous and current inspection{' (* assumed, not published)' if assumed else ''}. "
            f"Interval: {spec.interval}, {100 * (1 - spec.alpha):g}% ({duality})."
        )
    ]
    if data["fdr"] is not None:
        notes.append("★ significant after false discovery rate adjustment (q <= alpha, column significant_fdr).")
    omitted = _omitted_note(data["omitted_ids"], noun)
    if omitted:
        notes.append(omitted)
    note_lines = sum(len(textwrap.wrap(n, 170)) for n in notes)
    top, bottom = 1.30, 0.55 + 0.16 * note_lines
    y_top, ys = 0.0, []
    for h in heights:
        ys.append(y_top + h / 2)
        y_top += h
    return dict(heights=heights, ys=ys, body=body, top=top, bottom=bottom, height=top + body + bottom, notes=notes)


def _change_texts(data, page_number, page_count, title):
    """Headline, axis titles and legend entries of a change page, shared by both drawings.

    Legend entries are ``(marker, face colour, edge colour, marker size in points, text)``.
    """
    spec = data["spec"]
    sided = "" if spec.alternative == "two-sided" else " one-sided"
    page = f" (page {page_number} of {page_count})" if page_count > 1 else ""
    legend = [("o", "white", "#222222", 6, "previous")]
    legend += [(m, c, c, 7, f"current: {text}") for c, m, text in LABEL_STYLE.values()]
    if data["fdr"] is not None:
        legend.append(("*", "#000000", "#000000", 9, "significant after FDR"))
    return dict(
        title=(title or "Change since the previous inspection") + page,
        subtitle=_subtitle(spec),
        level_label="percent: previous (open circle) and current",
        change_label=f"change in points, {100 * (1 - spec.alpha):g}%{sided} {spec.interval} interval",
        legend=legend,
    )


def _change_ticks(xmax: float) -> list[float]:
    """Ticks of a change axis of half-width ``xmax`` points: every 10, 20, 25 or 50 points, at most 9."""
    step = next((s for s in (10, 20, 25) if 2 * xmax / s <= 8), 50)
    k = int(xmax // step)
    return [float(step * j) for j in range(-k, k + 1)]


def _n_text(data, i):
    n1 = f"{data['n1'][i]:.0f}{'*' if data['n1_assumed'][i] else ''}"
    n2 = f"{data['n2'][i]:.0f}{'*' if data['n2_assumed'][i] else ''}"
    return f"{n1} → {n2}"


def _draw_change_page(data, page_items, *, title, page_number, page_count, noun):
    plt = _pyplot()
    from matplotlib.lines import Line2D

    layout = _change_layout(data, page_items, noun)
    texts = _change_texts(data, page_number, page_count, title)
    heights, body, notes = layout["heights"], layout["body"], layout["notes"]
    bottom, height = layout["bottom"], layout["height"]
    fig = plt.figure(figsize=(_WIDTH, height))

    def axes(left, right):
        return fig.add_axes([left / _WIDTH, bottom / height, (right - left) / _WIDTH, body / height])

    ax_text, ax_level, ax_change, ax_n = (axes(*_CHANGE_COLUMNS[k]) for k in ("text", "level", "change", "n"))
    for ax in (ax_text, ax_level, ax_change, ax_n):
        ax.set_ylim(body, 0)
        ax.tick_params(axis="y", left=False, labelleft=False)
        for side in ("left", "right", "top"):
            ax.spines[side].set_visible(False)
    for ax in (ax_text, ax_n):
        ax.set_xlim(0, 1)
        ax.axis("off")

    # rows: text per row; markers and lines drawn in one call per label (fast, and one legend entry each)
    from matplotlib.collections import LineCollection

    drawn = []
    for (kind, payload), h, y in zip(page_items, heights, layout["ys"], strict=True):
        if kind == "group":
            ax_text.text(0, y + 0.04, payload, fontsize=9, weight="bold", va="center", ha="left", **LITERAL)
            for ax in (ax_level, ax_change):
                ax.axhline(y - h / 2, color="#BBBBBB", lw=0.6)
            continue
        i = payload
        drawn.append((i, y))
        ident, lines = data["labels_text"][i]
        ax_text.text(0, y, ident, fontsize=_FONT, weight="bold", va="center", ha="left", **LITERAL)
        ax_text.text(
            _CHANGE_TEXT_AT, y, "\n".join(lines), fontsize=_FONT, va="center", ha="left", linespacing=1.15, **LITERAL
        )
        ax_n.text(_CHANGE_N_AT, y, _n_text(data, i), fontsize=_FONT, va="center", ha="left", **LITERAL)
    idx = np.array([i for i, _ in drawn], dtype=int)
    yy = np.array([y for _, y in drawn], dtype=float)
    for ax in (ax_level, ax_change):
        ax.add_collection(LineCollection([[(-1e3, y), (1e3, y)] for y in yy], colors="#EEEEEE", lw=0.5, zorder=0))
    ax_level.scatter(data["p1"][idx], yy, s=30, zorder=3, clip_on=False, linewidths=1.0, **_PREVIOUS)
    for label, (colour, marker, _) in LABEL_STYLE.items():
        mask = data["labels"][idx] == label
        if not mask.any():
            continue
        rows, y = idx[mask], yy[mask]
        ax_level.add_collection(
            LineCollection(
                [[(a, b), (c, b)] for a, c, b in zip(data["p1"][rows], data["p2"][rows], y, strict=True)],
                colors=colour,
                lw=1.4,
                alpha=0.7,
                zorder=2,
            )
        )
        ax_change.add_collection(
            LineCollection(
                [[(a, b), (c, b)] for a, c, b in zip(data["low"][rows], data["high"][rows], y, strict=True)],
                colors=colour,
                lw=2.0,
                zorder=2,
                capstyle="butt",
            )
        )
        ax_level.scatter(data["p2"][rows], y, s=40, marker=marker, color=colour, zorder=4, clip_on=False, label=label)
        ax_change.scatter(
            data["diff"][rows], y, s=40, marker=marker, color=colour, zorder=3, clip_on=False, label=label
        )
    if data["fdr"] is not None and data["fdr"][idx].any():
        star = data["fdr"][idx]
        ax_change.scatter(
            np.full(star.sum(), data["xmax"]),
            yy[star],
            s=_FDR_MARK["size"],
            marker=_FDR_MARK["marker"],
            color=_FDR_MARK["color"],
            zorder=3,
            clip_on=False,
            label="significant after FDR",
        )

    ax_level.set_xlim(-3, 103)
    ax_level.set_xticks([0, 25, 50, 75, 100])
    ax_level.grid(axis="x", color="#DDDDDD", lw=0.6)
    ax_level.set_xlabel(texts["level_label"], fontsize=8)
    xmax = data["xmax"]
    ax_change.set_xlim(-xmax, xmax)
    ax_change.set_xticks(_change_ticks(xmax))
    ax_change.axvline(0, color="#000000", lw=0.9, zorder=1)
    ax_change.grid(axis="x", color="#DDDDDD", lw=0.6)
    ax_change.set_xlabel(texts["change_label"], fontsize=8)
    for ax in (ax_level, ax_change):
        ax.tick_params(axis="x", labelsize=7.5, top=True, labeltop=True)
        ax.set_axisbelow(True)
    head = bottom + body + 0.28
    fig.text(0.15 / _WIDTH, head / height, "row", fontsize=8, weight="bold", **LITERAL)
    fig.text(11.1 / _WIDTH, head / height, "n", fontsize=8, weight="bold", **LITERAL)

    _title(fig, height, texts["title"])
    fig.text(0.15 / _WIDTH, (height - 0.55) / height, texts["subtitle"], fontsize=8.5, va="center", **LITERAL)
    handles = [
        Line2D([], [], ls="none", ms=ms, marker=m, color=edge, mfc=face, mec=edge, label=text)
        for m, face, edge, ms, text in texts["legend"]
    ]
    fig.legend(
        handles=handles,
        loc="center left",
        bbox_to_anchor=(0.15 / _WIDTH, (height - 0.82) / height),
        ncol=len(handles),
        fontsize=8,
        frameon=False,
        handletextpad=0.3,
        columnspacing=1.4,
    )
    _footnotes(fig, notes, height)
    return fig


def change_charts(
    labelled: pd.DataFrame,
    *,
    group: str = "standard",
    label_column: str | None = None,
    id_column: str | None = None,
    title: str | None = None,
    rows_per_page: int = 30,
    wrap: int = 78,
    xmax: float | None = None,
) -> list:
    """The change chart of a labelled table, one figure per page of at most ``rows_per_page`` rows.

    Each testable row shows its previous (open circle) and current percentage, and its change
    with the interval of the table's test specification (``attrs['change_test']``), so the
    chart's verdicts are the labels' verdicts. The current value and the change take the
    label's colour and marker (improvement: blue triangle up; decline: vermilion triangle
    down; no significant change: grey square). Rows are grouped by ``group`` (standard
    headings); each row shows its id, its wrapped text and its n. Rows that survive false
    discovery rate adjustment (column ``significant_fdr``, when present) get a star; rows
    that cannot be tested are listed in a note at the foot.

    Parameters
    ----------
    labelled : pandas.DataFrame
        Output of :func:`stats.label_changes` (``previous``, ``current``, ``n_previous``,
        ``n_current``, ``label`` and the specification it carries, labelled with
        ``intervals=True``: the chart draws the table's ``ci_low``/``ci_high``).
    group : str or None, default "standard"
        Column to group rows by (None: no grouping). For ``standard`` the heading adds
        ``standard_name``.
    label_column, id_column : str, optional
        Columns of each row's text and id. Default: ``prompt``/``prompt_id``, else
        ``key_question_text``/``key_question``. A column named but missing is an error.
    title : str, optional
    rows_per_page : int, default 30
        Pages of at most this many rows (about 14 inches high at 3 lines per row). A page that
        starts inside a group repeats the group's heading, marked "(continued)"; every page has
        its own legend and axis titles.
    wrap : int, default 78
        Characters per line of the row text (the text is wrapped, never cut).
    xmax : float, optional
        Half-width of the change axis in points (default: the table's widest interval, rounded
        up). Give every chart of a report :func:`change_axis_limit` of all its tables so that
        they share one axis.

    Returns
    -------
    list of matplotlib.figure.Figure
        The x axes are the same on every page.

    See Also
    --------
    change_chart : one page as a single figure.
    key_question_chart : the key-question table's chart.
    change_axis_limit : the shared axis of the pages.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import stats
    >>> from stats.render.charts import change_charts
    >>> labelled = stats.label_changes(stats.load_report().prompts, intervals=True)
    >>> figs = change_charts(labelled)
    >>> len(figs), bool(max(f.get_size_inches()[1] for f in figs) < 20)
    (2, True)
    >>> [len(f.axes) for f in figs], figs[0].axes[2].get_xlabel()
    ([4, 4], 'change in points, 90% score interval')
    >>> import matplotlib.pyplot as plt
    >>> for f in figs:
    ...     plt.close(f)
    """
    if not isinstance(rows_per_page, (int, np.integer)) or rows_per_page < 1:  # type: ignore[redundant-expr]  # callers may pass anything
        raise ValueError(f"rows_per_page must be a whole number >= 1 (got {rows_per_page!r}).")
    data = _prepare(labelled, group=group, label_column=label_column, id_column=id_column, wrap=wrap, xmax=xmax)
    pages = _continued(data, _pages(data["items"], None, rows_per_page))
    noun = "prompts" if "prompt_id" in labelled.columns else "rows"
    return [
        _draw_change_page(data, page, title=title, page_number=k + 1, page_count=len(pages), noun=noun)
        for k, page in enumerate(pages)
    ]


def change_chart(
    labelled: pd.DataFrame,
    *,
    group: str = "standard",
    label_column: str | None = None,
    id_column: str | None = None,
    title: str | None = None,
    rows_per_page: int = 30,
    wrap: int = 78,
    page: int | None = None,
    xmax: float | None = None,
) -> Figure:
    """One page of :func:`change_charts` as a single figure.

    ``page`` (0-based) picks the page; it may be left out only when the table fits on one
    page, so that a chart never silently shows part of a table.

    Returns
    -------
    matplotlib.figure.Figure

    See Also
    --------
    change_charts : every page of a long table.
    key_question_chart : the key-question table's chart.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import stats
    >>> from stats.render.charts import change_chart
    >>> kq = stats.label_changes(stats.load_report().key_questions, intervals=True)
    >>> fig = change_chart(kq)
    >>> len(fig.axes), fig.axes[2].get_xlabel()
    (4, 'change in points, 90% score interval')
    >>> import matplotlib.pyplot as plt
    >>> plt.close(fig)
    >>> change_chart(stats.label_changes(stats.load_report().prompts, intervals=True))
    Traceback (most recent call last):
    ...
    ValueError: labelled has 51 testable rows in 2 pages of at most 30: pass page=0 to 1,
    or use change_charts for every page.
    """
    data = _prepare(labelled, group=group, label_column=label_column, id_column=id_column, wrap=wrap, xmax=xmax)
    pages = _continued(data, _pages(data["items"], None, rows_per_page))
    if page is None and len(pages) > 1:
        raise ValueError(
            f"labelled has {len(data['labels'])} testable rows in {len(pages)} pages of at most "
            f"{rows_per_page}: pass page=0 to {len(pages) - 1}, or use change_charts for every page."
        )
    page = 0 if page is None else page
    if not isinstance(page, (int, np.integer)) or isinstance(page, bool) or not 0 <= page < len(pages):  # type: ignore[redundant-expr]  # callers may pass anything
        raise ValueError(f"page must be a whole number from 0 to {len(pages) - 1} (got {page!r}).")
    noun = "prompts" if "prompt_id" in labelled.columns else "rows"
    return _draw_change_page(data, pages[page], title=title, page_number=page + 1, page_count=len(pages), noun=noun)


def key_question_chart(key_questions: pd.DataFrame, *, title: str | None = None, **options: Any) -> Figure:
    """The change chart of the labelled key-question table (one figure).

    :func:`change_chart` with the key-question text and number as row labels; options
    are passed on (``rows_per_page``, ``wrap``, ``page``).

    See Also
    --------
    change_charts : the same chart for prompts, paged.
    ratings_chart : the key questions against the rating bands.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import stats
    >>> from stats.render.charts import key_question_chart
    >>> fig = key_question_chart(stats.label_changes(stats.load_report().key_questions, intervals=True))
    >>> len(fig.axes), fig.axes[1].get_xlabel()
    (4, 'percent: previous (open circle) and current')
    >>> import matplotlib.pyplot as plt
    >>> plt.close(fig)
    """
    _check_columns(key_questions, ("key_question", "key_question_text"), "key_questions")
    return change_chart(
        key_questions,
        label_column="key_question_text",
        id_column="key_question",
        title=title or "Key questions: change since the previous inspection",
        **options,
    )


def _band_ticks(boundaries: Sequence[float]) -> list[float]:
    """Ticks of the bands axis: the framework's band limits, and every 10 % more than 5 points from a limit."""
    limits = [float(b) for b in boundaries]
    return sorted({*limits, *(float(t) for t in range(0, 101, 10) if all(abs(t - b) > 5 for b in limits))})


def _nearest_boundary(percent, boundaries):
    b = np.asarray(boundaries, dtype=float)
    k = int(np.argmin(np.abs(b - percent)))
    return b[k], percent - b[k]


def _ratings_layout(key_questions, ratings, *, framework, title, wrap):
    """Rows, geometry (inches), texts and notes of the ratings chart, shared by both drawings."""
    from ..framework import load_framework

    if framework is None and ratings is not None and "framework" in ratings.attrs:
        framework = ratings.attrs["framework"]  # the bands rate_report used
    fw = load_framework(framework)
    RATINGS, KEY_QUESTION_BOUNDARIES = fw.ratings, fw.key_question_bands

    _check_columns(key_questions, ("standard", "key_question", "current", "n_current"), "key_questions")
    kq = key_questions[key_questions["current"].notna()]
    if kq.empty:
        raise ValueError("key_questions has no current percentages to place in the bands.")
    rated = None
    if ratings is not None:
        _check_columns(ratings, ("standard", "rating", "lowest_key_question"), "ratings")
        rated = ratings.set_index(ratings["standard"].astype(str))
    current = kq["current"].to_numpy(dtype=float)
    if "margin_current" not in kq.columns or kq["margin_current"].isna().any():
        raise ValueError(
            "key_questions has no margin_current for every row with a current percentage: pass the "
            "labelled table (stats.label_changes), whose margins the chart draws."
        )
    margin = 100 * kq["margin_current"].to_numpy(dtype=float)
    boundaries = KEY_QUESTION_BOUNDARIES
    text_col = "key_question_text" if "key_question_text" in kq.columns else None

    items: list[tuple[Any, ...]] = []
    for std, part in kq.groupby(kq["standard"].astype(str), sort=False):
        name = f"{std} {part['standard_name'].iloc[0]}" if "standard_name" in part.columns else std
        lowest = part["key_question"].astype(str).iloc[int(np.argmin(part["current"].to_numpy(dtype=float)))]
        verdict = ""
        if rated is not None and std in rated.index:
            r = rated.loc[std]
            lowest = str(r["lowest_key_question"]) if pd.notna(r["lowest_key_question"]) else lowest
            verdict = str(r["rating"])
            mechanical = r.get("mechanical_rating")
            if pd.notna(mechanical) and str(mechanical) != verdict:
                how = (
                    "panel discretion"
                    if pd.notna(r.get("discretion_rating"))
                    else "qualitative adjustment"
                    if pd.notna(r.get("qualitative_adjustment"))
                    else "panel decision"
                )
                verdict = f"{mechanical} -> {verdict}\n({how})"
            if "published_rating" in r and pd.notna(r["published_rating"]):
                verdict += f"\n(published: {r['published_rating']})"
        items.append(("group", name, verdict))
        items.extend(("row", kq.index.get_loc(idx), str(kq.loc[idx, "key_question"]) == lowest) for idx in part.index)

    heights = []
    labels = {}
    for item in items:
        if item[0] == "group":
            heights.append(max(0.40, _LINE * (item[2].count("\n") + 1) + 0.08))
            continue
        i = item[1]
        text = kq[text_col].iloc[i] if text_col else ""
        labels[i] = _row_label(kq["key_question"].iloc[i], text, wrap)
        heights.append(max(0.30, _LINE * len(labels[i][1]) + 0.10))
    body = sum(heights)
    notes = [
        (
            "Bars: the margin of error of each percentage (80% confidence at p = 0.5, the methodology's design "
            "margin). Filled: the lowest key question of the standard, which sets its mechanical rating; the text "
            "gives its distance to the nearest band limit, '!' when the margin crosses that limit. A heading "
            "'A -> B' names a rating the panel moved off the bands (discretion or qualitative evidence)."
        )
    ]
    top, bottom = 1.35, 0.55 + 0.16 * sum(len(textwrap.wrap(n, 170)) for n in notes)
    row_notes = {}
    for item in items:
        if item[0] == "row":
            _, i, is_lowest = item
            p, m = current[i], margin[i]
            text = f"{p:.0f}%"
            if is_lowest:
                b, d = _nearest_boundary(p, boundaries)
                crosses = abs(d) <= m
                text += f"  {abs(d):.0f} {'above' if d >= 0 else 'below'} {b:.0f}" + ("  !" if crosses else "")
            row_notes[i] = text
    y_top, ys = 0.0, []
    for h in heights:
        ys.append(y_top + h / 2)
        y_top += h
    return dict(
        framework=fw,
        items=items,
        heights=heights,
        ys=ys,
        labels=labels,
        row_notes=row_notes,
        current=current,
        margin=margin,
        boundaries=boundaries,
        ratings=RATINGS,
        notes=notes,
        body=body,
        top=top,
        bottom=bottom,
        height=top + body + bottom,
        title=title or "Key questions against the rating bands",
        xlabel=f"current percentage of the key question (band limits {band_limits_text(fw)})",
    )


def _band_names(layout: dict[str, Any]) -> list[tuple[float, float, str]]:
    """``(low, high, name)`` of each rating band; a narrow band's name on two lines."""
    edges = (0, *layout["boundaries"], 100)
    return [
        (lo, hi, layout["ratings"][k].replace(" ", "\n", 1) if hi - lo < 20 else layout["ratings"][k])
        for k, (lo, hi) in enumerate(itertools.pairwise(edges))
    ]


#: Legend of the ratings chart: ``(marker, face colour, text)``; marker None is the margin's bar.
_RATINGS_LEGEND = (
    ("D", "#000000", "lowest key question (sets the mechanical rating)"),
    ("D", "white", "other key question"),
    (None, "#000000", "margin of error (80%)"),
)


def ratings_chart(
    key_questions: pd.DataFrame,
    ratings: pd.DataFrame | None = None,
    *,
    framework: Framework | None = None,
    title: str | None = None,
    wrap: int = 60,
) -> Figure:
    """Key-question percentages against the rating band limits, with their margins.

    One row per key question with a current percentage, grouped by standard, on the
    key-question bands of the framework (its ``key_question_bands`` and ``ratings``): ``framework``,
    else the one ``ratings`` was computed with (its ``attrs['framework']``), else the default.
    Each percentage carries its margin of error (``margin_current`` of the labelled table:
    80 % confidence at p = 0.5, the methodology's design margin); the lowest key question of
    each standard, which sets the mechanical rating, is drawn filled and its distance to the
    nearest boundary is written beside it ("2 below 65"), marked when the margin crosses
    the boundary. With ``ratings`` (:func:`stats.ratings.rate_report`), each standard's
    heading gives its rating and the published one.

    Parameters
    ----------
    key_questions : pandas.DataFrame
        The labelled key-question table (``standard``, ``key_question``, ``current``,
        ``n_current`` and ``margin_current``, as :func:`stats.label_changes` writes them).
    ratings : pandas.DataFrame, optional
        :func:`stats.ratings.rate_report` output: each standard's rating and the published one.
    framework : str, Framework or None
        The framework whose bands are drawn (see above).
    title : str, optional
    wrap : int, default 60

    Returns
    -------
    matplotlib.figure.Figure

    See Also
    --------
    key_question_chart : the key questions' changes.
    stats.summary.band_rule : the rule the bands draw.
    stats.ratings.rate_report : the ratings it marks.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import stats
    >>> from stats.render.charts import ratings_chart
    >>> from stats.ratings import rate_report
    >>> report = stats.load_report()
    >>> fig = ratings_chart(
    ...     stats.label_changes(report.key_questions), rate_report(report.key_questions, report.standards)
    ... )
    >>> len(fig.axes), fig.axes[1].get_xlabel()
    (3, 'current percentage of the key question (band limits 50, 65 and 80)')
    >>> import matplotlib.pyplot as plt
    >>> plt.close(fig)
    """
    plt = _pyplot()
    from matplotlib.lines import Line2D

    layout = _ratings_layout(key_questions, ratings, framework=framework, title=title, wrap=wrap)
    items, heights, labels = layout["items"], layout["heights"], layout["labels"]
    current, margin, boundaries, notes = layout["current"], layout["margin"], layout["boundaries"], layout["notes"]
    body, bottom, height = layout["body"], layout["bottom"], layout["height"]
    fig = plt.figure(figsize=(_WIDTH, height))
    ax_text, ax, ax_note = (
        fig.add_axes([left / _WIDTH, bottom / height, (right - left) / _WIDTH, body / height])
        for left, right in (_RATINGS_COLUMNS[k] for k in ("text", "bands", "note"))
    )
    for a in (ax_text, ax, ax_note):
        a.set_ylim(body, 0)
    for a in (ax_text, ax_note):
        a.set_xlim(0, 1)
        a.axis("off")
    for k, (lo, hi, name) in enumerate(_band_names(layout)):
        ax.axvspan(lo, hi, color=_BAND_COLOURS[k % len(_BAND_COLOURS)], zorder=0, lw=0)
        ax.text(
            (lo + hi) / 2,
            1.004,
            name,
            ha="center",
            va="bottom",
            fontsize=7,
            weight="bold",
            linespacing=1.0,
            transform=ax.get_xaxis_transform(),
            clip_on=False,
            **LITERAL,
        )
    for b in boundaries:
        ax.axvline(b, color="#333333", lw=0.9, ls="--", zorder=1)
    for item, h, y in zip(items, heights, layout["ys"], strict=True):
        if item[0] == "group":
            ax_text.text(0, y + 0.04, item[1], fontsize=9, weight="bold", va="center", **LITERAL)
            ax_note.text(
                _RATINGS_NOTE_AT,
                y + 0.04,
                item[2],
                fontsize=7.5,
                weight="bold",
                va="center",
                linespacing=1.1,
                **LITERAL,
            )
            ax.axhline(y - h / 2, color="#888888", lw=0.5)
            continue
        _, i, is_lowest = item
        ident, lines = labels[i]
        ax_text.text(0, y, ident, fontsize=_FONT, weight="bold", va="center", **LITERAL)
        ax_text.text(_RATINGS_TEXT_AT, y, "\n".join(lines), fontsize=_FONT, va="center", linespacing=1.15, **LITERAL)
        p, m = current[i], margin[i]
        ax.plot([max(0, p - m), min(100, p + m)], [y, y], color="#000000", lw=1.6, zorder=2, solid_capstyle="butt")
        ax.scatter(
            [p],
            [y],
            s=46 if is_lowest else 36,
            marker="D",
            zorder=3,
            clip_on=False,
            facecolor="#000000" if is_lowest else "white",
            edgecolor="#000000",
            linewidths=1.1,
        )
        weight = "bold" if is_lowest else "normal"
        ax_note.text(_RATINGS_NOTE_AT, y, layout["row_notes"][i], fontsize=_FONT, va="center", weight=weight, **LITERAL)
    ax.set_xlim(0, 100)
    ax.set_xticks(_band_ticks(boundaries))
    ax.tick_params(axis="y", left=False, labelleft=False)
    ax.tick_params(axis="x", labelsize=7.5)
    ax.set_xlabel(layout["xlabel"], fontsize=8)
    _title(fig, height, layout["title"])
    handles = [
        Line2D([], [], ls="none", marker=m, ms=6, mfc=face, mec="#000000", label=text)
        if m
        else Line2D([], [], color=face, lw=1.6, label=text)
        for m, face, text in _RATINGS_LEGEND
    ]
    fig.legend(
        handles=handles,
        loc="center left",
        bbox_to_anchor=(0.15 / _WIDTH, (height - 0.62) / height),
        ncol=len(handles),
        fontsize=7.5,
        frameon=False,
        handletextpad=0.4,
        columnspacing=1.0,
    )
    _footnotes(fig, notes, height)
    return fig


#: Colour and marker of the exact tests in :func:`method_chart`; the Z variants take theirs from
#: the registry :data:`stats.change.METHODS` (``Method.style``), so a registered variant is drawn too.
EXACT_STYLE = {"fisher": ("#D55E00", "D"), "barnard": ("#CC79A7", "P"), "boschloo": ("#000000", "X")}


def method_style(name: str) -> tuple[str, str]:
    """``(colour, marker)`` of test variant or exact test ``name`` in :func:`method_chart`.

    See Also
    --------
    method_chart : where the styles are drawn.
    stats.change.METHODS : the registry that holds each variant's style.

    Examples
    --------
    >>> from stats.render.charts import method_style
    >>> method_style("pooled"), method_style("fisher")
    (('#0072B2', 'o'), ('#D55E00', 'D'))
    """
    from ..change import METHODS

    if name in METHODS:
        style = METHODS[name].style
        return str(style.get("color", "#555555")), str(style.get("marker", "o"))
    return EXACT_STYLE[name]


def _method_names() -> list[str]:
    from ..change import METHODS

    return [*METHODS, *EXACT_STYLE]


def method_chart(
    compared: pd.DataFrame,
    labelled: pd.DataFrame | None = None,
    *,
    window: float = 3.0,
    title: str | None = None,
    wrap: int = 60,
) -> Figure:
    """p-values of every test variant on the rows where the choice could matter.

    Shows the rows of :func:`stats.exact.compare_methods` whose p-values reach within a
    factor ``window`` of alpha (either side) or that are method-sensitive, on a log scale
    with the test's alpha marked (from ``attrs['change_test']``). Each variant has its own
    colour and marker. Rows not shown are counted in a note.

    Parameters
    ----------
    compared : pandas.DataFrame
        Output of :func:`stats.exact.compare_methods`.
    labelled : pandas.DataFrame, optional
        The labelled table (same index) for the row ids and text.
    window : float, default 3
    title : str, optional
    wrap : int, default 60

    Returns
    -------
    matplotlib.figure.Figure

    See Also
    --------
    stats.exact.compare_methods : the table it draws.
    method_style : the colour and marker of each variant.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import stats
    >>> from stats.exact import compare_methods
    >>> from stats.render.charts import method_chart
    >>> labelled = stats.label_changes(stats.load_report().key_questions)
    >>> fig = method_chart(compare_methods(labelled, exact="none"), labelled, window=10)
    >>> len(fig.axes), [ax.get_xlabel() for ax in fig.axes if ax.get_xlabel()]
    (2, ['p-value (two-sided; significant left of the dashed line)'])
    >>> plt.close(fig)
    """
    plt = _pyplot()
    from matplotlib.lines import Line2D

    spec = spec_of(compared)
    methods = [m for m in _method_names() if m in compared.columns and compared[m].notna().any()]
    if not methods:
        raise ValueError("compared has none of the p-value columns of stats.exact.compare_methods.")
    p = compared[methods].to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        near = np.nanmin(np.abs(np.log(np.where(p > 0, p, 1e-300) / spec.alpha)), axis=1) <= math.log(window)
    if "method_sensitive" in compared.columns:
        near |= compared["method_sensitive"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    rows = compared[near]
    if rows.empty:
        raise ValueError(f"no row has a p-value within a factor {window:g} of alpha = {spec.alpha:g}.")
    ids, texts = [str(i) for i in rows.index], [""] * len(rows)
    if labelled is not None:
        id_col = _pick_column(labelled, None, ("prompt_id", "key_question"), "id_column")
        text_col = _pick_column(labelled, None, ("prompt", "key_question_text"), "label_column")
        if id_col:
            ids = labelled.loc[rows.index, id_col].astype(str).tolist()
        if text_col:
            texts = labelled.loc[rows.index, text_col].tolist()
    labels = [_row_label(i, t, wrap) for i, t in zip(ids, texts, strict=True)]
    heights = [max(0.30, _LINE * len(lines) + 0.10) for _, lines in labels]
    body = sum(heights)
    note = (
        f"Rows shown: p-values within a factor {window:g} of alpha or a verdict that depends on the variant "
        f"({len(rows)} of {len(compared)} testable rows). Exact tests are blank where not run."
    )
    top, bottom = 1.2, 0.75
    height = top + body + bottom
    fig = plt.figure(figsize=(_WIDTH, height))
    ax_text = fig.add_axes([0.15 / _WIDTH, bottom / height, 4.9 / _WIDTH, body / height])
    ax = fig.add_axes([5.3 / _WIDTH, bottom / height, 6.4 / _WIDTH, body / height])
    for a in (ax_text, ax):
        a.set_ylim(body, 0)
    ax_text.set_xlim(0, 1)
    ax_text.axis("off")
    y_top = 0.0
    lo = max(1e-4, np.nanmin(p[near]) / 1.5)
    for k, ((ident, lines), h) in enumerate(zip(labels, heights, strict=True)):
        y = y_top + h / 2
        y_top += h
        ax_text.text(0, y, ident, fontsize=_FONT, weight="bold", va="center", **LITERAL)
        ax_text.text(0.13, y, "\n".join(lines), fontsize=_FONT, va="center", linespacing=1.15, **LITERAL)
        ax.axhline(y, color="#EEEEEE", lw=0.5, zorder=0)
        for m in methods:
            value = rows[m].iloc[k]
            if pd.notna(value):
                c, mk = method_style(m)
                ax.scatter([max(value, lo)], [y], marker=mk, color=c, s=34, zorder=3, alpha=0.9, clip_on=False)
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter

    ax.set_xscale("log")
    ax.set_xlim(lo, 1)
    ax.xaxis.set_major_locator(FixedLocator([t for t in (1e-4, 1e-3, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1) if t >= lo]))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))  # 0.01, never 10^-2
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.axvline(spec.alpha, color="#000000", lw=1.0, ls="--")
    # above the axes: clear of the tick labels and the axis title below
    ax.annotate(
        f"alpha = {spec.alpha:g}",
        xy=(spec.alpha, 1),
        xycoords=("data", "axes fraction"),
        xytext=(0, 3),
        textcoords="offset points",
        ha="center",
        va="bottom",
        fontsize=8,
        annotation_clip=False,
        **LITERAL,
    )
    ax.tick_params(axis="y", left=False, labelleft=False)
    ax.tick_params(axis="x", labelsize=7.5)
    ax.set_xlabel(f"p-value ({spec.alternative}; significant left of the dashed line)", fontsize=8)
    _title(fig, height, title or "Does the verdict depend on the test variant?")
    handles = [
        Line2D([], [], ls="none", marker=method_style(m)[1], color=method_style(m)[0], ms=6, label=m) for m in methods
    ]
    fig.legend(
        handles=handles,
        loc="center left",
        bbox_to_anchor=(0.15 / _WIDTH, (height - 0.62) / height),
        ncol=len(handles),
        fontsize=8,
        frameon=False,
    )
    fig.text(0.15 / _WIDTH, 0.12 / height, note, fontsize=7.5, color="#333333", **LITERAL)
    return fig
