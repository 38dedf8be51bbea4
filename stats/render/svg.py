"""The HTML report's charts written as SVG markup directly, without matplotlib.

The change charts (prompts, paged, and key questions) and the ratings chart of
:mod:`stats.render.charts`, drawn from the same layout, texts, notes, styles and ticks
(``_prepare``, ``_change_layout``, ``_change_texts``, ``_ratings_layout``, ...): only the pen differs.
matplotlib takes about 0.3 s to import and about 0.15 s to draw and save each chart; written here
the six charts of the bundled report take a few milliseconds, so the HTML report costs little more
than the text report. The figures of :mod:`stats.render.charts` (notebooks, PNG, PDF) are unchanged.

Coordinates are points (1/72 inch) from the top left, the figure 12 inches wide as in
:mod:`stats.render.charts`. Text stays text (the browser's font, as matplotlib's ``svg.fonttype``
"none"), drawn literally (escaped; no mathtext). Nothing is clipped and nothing is fetched.
"""

from __future__ import annotations

import math
from html import escape
from typing import Any

import pandas as pd

from . import charts as _c

__all__ = ["change_chart_svgs", "key_question_chart_svg", "ratings_chart_svg"]

_PT = 72.0
#: The font matplotlib names in its SVG (DejaVu Sans, then the same fallbacks).
_FONT_FAMILY = "'DejaVu Sans', 'Bitstream Vera Sans', 'Lucida Grande', Verdana, Geneva, Arial, Helvetica, sans-serif"
#: Advance widths of DejaVu Sans (printable ASCII, 1/1000 em), to lay out legend entries side by side.
_ADVANCE = (
    318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337, 636, 636, 636, 636,
    636, 636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 531, 1000, 684, 686, 698, 770, 632, 575, 775,
    752, 295, 295, 656, 557, 863, 748, 787, 603, 787, 695, 635, 611, 732, 684, 989, 685, 611, 685, 390,
    337, 390, 838, 500, 500, 613, 635, 550, 635, 615, 352, 635, 634, 278, 278, 579, 278, 974, 634, 612,
    635, 635, 411, 521, 392, 634, 592, 818, 592, 592, 525, 636, 337, 636, 838,
)  # fmt: skip
_TICK, _PAD = 3.5, 3.5  # matplotlib's default tick length and label pad (points)
_TICK_LABEL = 3.6  # half the height of a 7.5 pt tick label: its centre is this far past the pad
_AXIS_TITLE = 24.0  # centre of an axis title below the axis line (ticks, labels, matplotlib's labelpad)


def _at(column: tuple[float, float], fraction: float) -> float:
    """The point ``fraction`` of the way across ``column`` (left, right inches), in points."""
    left, right = column
    return (left + fraction * (right - left)) * _PT


def _width(text: str, size: float) -> float:
    """Width of ``text`` in points at ``size`` (DejaVu Sans; 0.6 em for a character outside ASCII)."""
    return size * sum(_ADVANCE[ord(ch) - 32] if 32 <= ord(ch) < 127 else 600 for ch in text) / 1000


def _n(v: float) -> str:
    """A coordinate with at most two decimals."""
    return f"{v:.2f}".rstrip("0").rstrip(".")


class _Canvas:
    """SVG elements in points, y down; ``render`` wraps them in the ``<svg>`` element."""

    def __init__(self, height_in: float) -> None:
        self.width, self.height = _c._WIDTH * _PT, height_in * _PT
        self.parts: list[str] = []

    def text(
        self,
        x: float,
        y: float,
        text: str,
        size: float,
        *,
        bold: bool = False,
        anchor: str = "start",
        baseline: str = "central",
        fill: str | None = None,
    ) -> None:
        attrs = f'x="{_n(x)}" y="{_n(y)}" font-size="{_n(size)}"'
        if bold:
            attrs += ' font-weight="bold"'
        if anchor != "start":
            attrs += f' text-anchor="{anchor}"'
        if baseline != "alphabetic":
            attrs += f' dominant-baseline="{baseline}"'
        if fill:
            attrs += f' fill="{fill}"'
        self.parts.append(f"<text {attrs}>{escape(text, quote=False)}</text>")

    def lines(self, x: float, y: float, lines: list[str], size: float, spacing: float, **options: Any) -> None:
        """Lines of text centred as a block on ``y`` (``spacing`` times the size between baselines)."""
        pitch = spacing * size
        for k, line in enumerate(lines):
            self.text(x, y + (k - (len(lines) - 1) / 2) * pitch, line, size, **options)

    def line(
        self, x1: float, y1: float, x2: float, y2: float, colour: str, width: float, *, dash: str = "", alpha: float = 1
    ) -> None:
        if not all(math.isfinite(v) for v in (x1, y1, x2, y2)):
            return  # nothing to draw (a row without an interval), as matplotlib draws nothing
        extra = f' stroke-dasharray="{dash}"' if dash else ""
        extra += f' stroke-opacity="{alpha:g}"' if alpha < 1 else ""
        self.parts.append(
            f'<path d="M{_n(x1)} {_n(y1)}H{_n(x2)}" stroke="{colour}" stroke-width="{_n(width)}"{extra}/>'
            if y1 == y2
            else f'<path d="M{_n(x1)} {_n(y1)}V{_n(y2)}" stroke="{colour}" stroke-width="{_n(width)}"{extra}/>'
            if x1 == x2
            else f'<path d="M{_n(x1)} {_n(y1)}L{_n(x2)} {_n(y2)}" stroke="{colour}" stroke-width="{_n(width)}"{extra}/>'
        )

    def rect(self, x: float, y: float, w: float, h: float, fill: str) -> None:
        self.parts.append(f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}" fill="{fill}"/>')

    def marker(self, kind: str, x: float, y: float, size: float, fill: str, edge: str, width: float = 0.0) -> None:
        """A matplotlib marker (``o s ^ v D *``) of ``size`` points (its ``markersize``, sqrt of a scatter's s)."""
        if not (math.isfinite(x) and math.isfinite(y)):
            return  # a missing value: no marker, as in matplotlib
        r = size / 2
        stroke = f' stroke="{edge}" stroke-width="{_n(width)}"' if width else ""
        if kind == "o":
            self.parts.append(f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(r)}" fill="{fill}"{stroke}/>')
            return
        if kind == "s":
            points = [(-r, -r), (r, -r), (r, r), (-r, r)]
        elif kind == "^":
            points = [(0, -r), (r, r), (-r, r)]
        elif kind == "v":
            points = [(0, r), (r, -r), (-r, -r)]
        elif kind == "D":
            d = r * math.sqrt(2)
            points = [(0, -d), (d, 0), (0, d), (-d, 0)]
        elif kind == "*":
            points = [
                (rr * math.sin(math.pi * k / 5), -rr * math.cos(math.pi * k / 5))
                for k, rr in zip(range(10), [r, 0.381966 * r] * 5, strict=True)
            ]
        else:  # pragma: no cover - every marker the charts use is above
            raise ValueError(f"marker {kind!r} has no SVG drawing")
        path = "M" + "L".join(f"{_n(x + a)} {_n(y + b)}" for a, b in points) + "Z"
        self.parts.append(f'<path d="{path}" fill="{fill}"{stroke}/>')

    def legend(self, y: float, entries: list[tuple[Any, ...]], size: float, gap: float, space: float) -> None:
        """A one-row legend from x = 0.15 inch at ``y``: ``(marker, face, edge, marker size, text)`` per entry,
        ``gap`` (handle to text) and ``space`` (between entries) in font sizes, as matplotlib's legend."""
        x = 0.15 * _PT + 0.9 * size  # the legend's border padding
        for marker, face, edge, ms, text in entries:
            if marker is None:
                self.line(x, y, x + 2 * size, y, face, 1.6)
            else:
                self.marker(marker, x + size, y, ms, face, edge, 1.0)
            x += (2 + gap) * size
            self.text(x, y, text, size)
            x += _width(text, size) + space * size

    def footnotes(self, notes: list[str]) -> None:
        """The notes at the foot, wrapped as :func:`stats.render.charts._footnotes` wraps them."""
        import textwrap

        y = 0.12
        for note in reversed(notes):
            for line in reversed(textwrap.wrap(note, 170)):
                self.text(0.15 * _PT, self.height - y * _PT, line, 7.5, baseline="alphabetic", fill="#333333")
                y += 0.16

    def render(self) -> str:
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{_n(self.width)}pt" height="{_n(self.height)}pt" '
            f'viewBox="0 0 {_n(self.width)} {_n(self.height)}" font-family="{_FONT_FAMILY}" '
            f'stroke-linecap="butt" stroke-linejoin="round">'
            f'<rect width="100%" height="100%" fill="#ffffff"/>' + "".join(self.parts) + "</svg>\n"
        )


class _Axis:
    """An x axis from ``left`` to ``right`` inches over the values ``lo`` to ``hi``; the body from y0 to y1 points."""

    def __init__(self, left: float, right: float, lo: float, hi: float, y0: float, y1: float) -> None:
        self.left, self.right, self.lo, self.hi, self.y0, self.y1 = left * _PT, right * _PT, lo, hi, y0, y1

    def x(self, value: float) -> float:
        return self.left + (value - self.lo) / (self.hi - self.lo) * (self.right - self.left)

    def ticks(self, svg: _Canvas, ticks: list[float], *, top: bool, grid: bool, label: str) -> None:
        for t in ticks:
            x, text = self.x(t), f"{t:g}".replace("-", "\u2212")  # matplotlib's minus sign
            if grid:
                svg.line(x, self.y0, x, self.y1, "#DDDDDD", 0.6)
            svg.line(x, self.y1, x, self.y1 + _TICK, "#000000", 0.8)
            svg.text(x, self.y1 + _TICK + _PAD + _TICK_LABEL, text, 7.5, anchor="middle")
            if top:
                svg.line(x, self.y0, x, self.y0 - _TICK, "#000000", 0.8)
                svg.text(x, self.y0 - _TICK - _PAD - _TICK_LABEL, text, 7.5, anchor="middle")
        svg.line(self.left, self.y1, self.right, self.y1, "#000000", 0.8)
        svg.text((self.left + self.right) / 2, self.y1 + _AXIS_TITLE, label, 8, anchor="middle")


def _change_page_svg(
    data: dict[str, Any], page_items: list[Any], *, title: str | None, page_number: int, page_count: int, noun: str
) -> str:
    """One page of the change chart: :func:`stats.render.charts._draw_change_page` drawn as SVG."""
    layout = _c._change_layout(data, page_items, noun)
    texts = _c._change_texts(data, page_number, page_count, title)
    svg = _Canvas(layout["height"])
    y0 = layout["top"] * _PT
    y1 = y0 + layout["body"] * _PT
    columns = _c._CHANGE_COLUMNS
    level = _Axis(*columns["level"], -3, 103, y0, y1)
    xmax = data["xmax"]
    change = _Axis(*columns["change"], -xmax, xmax, y0, y1)
    rows = [
        (payload, y0 + y * _PT) for (kind, payload), y in zip(page_items, layout["ys"], strict=True) if kind == "row"
    ]
    for axis in (level, change):  # under everything: the row lines
        for _, y in rows:
            svg.line(axis.left, y, axis.right, y, "#EEEEEE", 0.5)
    level.ticks(svg, [0, 25, 50, 75, 100], top=True, grid=True, label=texts["level_label"])
    change.ticks(svg, _c._change_ticks(xmax), top=True, grid=True, label=texts["change_label"])
    svg.line(change.x(0), y0, change.x(0), y1, "#000000", 0.9)
    for (kind, payload), h, y in zip(page_items, layout["heights"], layout["ys"], strict=True):
        if kind == "group":
            svg.text(_at(columns["text"], 0), y0 + (y + 0.04) * _PT, payload, 9, bold=True)
            for axis in (level, change):
                svg.line(axis.left, y0 + (y - h / 2) * _PT, axis.right, y0 + (y - h / 2) * _PT, "#BBBBBB", 0.6)
            continue
        ident, lines = data["labels_text"][payload]
        svg.text(_at(columns["text"], 0), y0 + y * _PT, ident, _c._FONT, bold=True)
        svg.lines(_at(columns["text"], _c._CHANGE_TEXT_AT), y0 + y * _PT, lines, _c._FONT, 1.15)
        svg.text(_at(columns["n"], _c._CHANGE_N_AT), y0 + y * _PT, _c._n_text(data, payload), _c._FONT)
    styles = {label: (colour, marker) for label, (colour, marker, _) in _c.LABEL_STYLE.items()}
    for i, y in rows:  # previous to current, then the interval
        colour, _ = styles.get(data["labels"][i], ("#5F5F5F", "s"))
        svg.line(level.x(data["p1"][i]), y, level.x(data["p2"][i]), y, colour, 1.4, alpha=0.7)
        svg.line(change.x(data["low"][i]), y, change.x(data["high"][i]), y, colour, 2.0)
    previous = _c._PREVIOUS
    for i, y in rows:
        svg.marker("o", level.x(data["p1"][i]), y, math.sqrt(30), previous["facecolor"], previous["edgecolor"], 1.0)
    for i, y in rows:
        colour, marker = styles.get(data["labels"][i], ("#5F5F5F", "s"))
        svg.marker(marker, level.x(data["p2"][i]), y, math.sqrt(40), colour, colour, 1.0)
        svg.marker(marker, change.x(data["diff"][i]), y, math.sqrt(40), colour, colour, 1.0)
        if data["fdr"] is not None and data["fdr"][i]:
            star: dict[str, Any] = _c._FDR_MARK
            svg.marker(star["marker"], change.x(xmax), y, math.sqrt(star["size"]), star["color"], star["color"], 1.0)
    head = y0 - 0.28 * _PT
    svg.text(0.15 * _PT, head, "row", 8, bold=True, baseline="alphabetic")
    svg.text(11.1 * _PT, head, "n", 8, bold=True, baseline="alphabetic")
    svg.text(0.15 * _PT, 0.30 * _PT, texts["title"], 12, bold=True)
    svg.text(0.15 * _PT, 0.55 * _PT, texts["subtitle"], 8.5)
    svg.legend(0.82 * _PT, texts["legend"], 8, 0.3, 1.4)
    svg.footnotes(layout["notes"])
    return svg.render()


def change_chart_svgs(
    labelled: pd.DataFrame,
    *,
    group: str = "standard",
    label_column: str | None = None,
    id_column: str | None = None,
    title: str | None = None,
    rows_per_page: int = 30,
    wrap: int = 78,
    xmax: float | None = None,
) -> list[str]:
    """:func:`stats.render.charts.change_charts` as SVG markup, one ``<svg>`` per page (same options).

    See Also
    --------
    stats.render.charts.change_charts : the same pages as matplotlib figures.

    Examples
    --------
    >>> import stats
    >>> from stats.render.svg import change_chart_svgs
    >>> pages = change_chart_svgs(stats.label_changes(stats.load_report().prompts, intervals=True))
    >>> len(pages), pages[0].startswith("<svg"), "current: significant improvement" in pages[0]
    (2, True, True)
    """
    if not isinstance(rows_per_page, int) or rows_per_page < 1:  # type: ignore[redundant-expr]  # callers may pass anything
        raise ValueError(f"rows_per_page must be a whole number >= 1 (got {rows_per_page!r}).")
    data = _c._prepare(labelled, group=group, label_column=label_column, id_column=id_column, wrap=wrap, xmax=xmax)
    pages = _c._continued(data, _c._pages(data["items"], None, rows_per_page))
    noun = "prompts" if "prompt_id" in labelled.columns else "rows"
    return [
        _change_page_svg(data, page, title=title, page_number=k + 1, page_count=len(pages), noun=noun)
        for k, page in enumerate(pages)
    ]


def key_question_chart_svg(key_questions: pd.DataFrame, *, title: str | None = None, **options: Any) -> str:
    """:func:`stats.render.charts.key_question_chart` as SVG markup (one page; same options).

    See Also
    --------
    stats.render.charts.key_question_chart : the same chart as a matplotlib figure.

    Examples
    --------
    >>> import stats
    >>> from stats.render.svg import key_question_chart_svg
    >>> svg = key_question_chart_svg(stats.label_changes(stats.load_report().key_questions, intervals=True))
    >>> "Key questions: change since the previous inspection" in svg
    True
    """
    _c._check_columns(key_questions, ("key_question", "key_question_text"), "key_questions")
    pages = change_chart_svgs(
        key_questions,
        label_column="key_question_text",
        id_column="key_question",
        title=title or "Key questions: change since the previous inspection",
        **options,
    )
    if len(pages) > 1:
        raise ValueError(
            f"key_questions fills {len(pages)} pages of at most {options.get('rows_per_page', 30)} rows: "
            "pass a larger rows_per_page, or use change_chart_svgs for every page."
        )
    return pages[0]


def ratings_chart_svg(
    key_questions: pd.DataFrame,
    ratings: pd.DataFrame | None = None,
    *,
    framework: Any = None,
    title: str | None = None,
    wrap: int = 60,
) -> str:
    """:func:`stats.render.charts.ratings_chart` as SVG markup (same arguments).

    See Also
    --------
    stats.render.charts.ratings_chart : the same chart as a matplotlib figure.

    Examples
    --------
    >>> import stats
    >>> from stats.ratings import rate_report
    >>> from stats.render.svg import ratings_chart_svg
    >>> report = stats.load_report()
    >>> ratings = rate_report(report.key_questions, report.standards)
    >>> svg = ratings_chart_svg(stats.label_changes(report.key_questions), ratings)
    >>> "band limits 50, 65 and 80" in svg
    True
    """
    layout = _c._ratings_layout(key_questions, ratings, framework=framework, title=title, wrap=wrap)
    svg = _Canvas(layout["height"])
    y0 = layout["top"] * _PT
    y1 = y0 + layout["body"] * _PT
    columns = _c._RATINGS_COLUMNS
    axis = _Axis(*columns["bands"], 0, 100, y0, y1)
    for k, (lo, hi, name) in enumerate(_c._band_names(layout)):
        svg.rect(axis.x(lo), y0, axis.x(hi) - axis.x(lo), y1 - y0, _c._BAND_COLOURS[k % len(_c._BAND_COLOURS)])
        lines = name.split("\n")
        bottom = y0 - 0.004 * (y1 - y0) - 0.24 * 7  # the last line's descent above the axes
        for j, line in enumerate(lines):
            svg.text(
                axis.x((lo + hi) / 2), bottom - (len(lines) - 1 - j) * 7.0, line, 7, bold=True,
                anchor="middle", baseline="alphabetic",
            )  # fmt: skip
    for b in layout["boundaries"]:
        svg.line(axis.x(b), y0, axis.x(b), y1, "#333333", 0.9, dash="3.33 1.44")
    note_x, text_x = _at(columns["note"], _c._RATINGS_NOTE_AT), _at(columns["text"], 0)
    for item, h, y in zip(layout["items"], layout["heights"], layout["ys"], strict=True):
        y_pt = y0 + y * _PT
        if item[0] == "group":
            svg.text(text_x, y_pt + 0.04 * _PT, item[1], 9, bold=True)
            svg.lines(note_x, y_pt + 0.04 * _PT, item[2].split("\n"), 7.5, 1.1, bold=True)
            svg.line(axis.left, y0 + (y - h / 2) * _PT, axis.right, y0 + (y - h / 2) * _PT, "#888888", 0.5)
            continue
        _, i, is_lowest = item
        ident, lines = layout["labels"][i]
        svg.text(text_x, y_pt, ident, _c._FONT, bold=True)
        svg.lines(_at(columns["text"], _c._RATINGS_TEXT_AT), y_pt, lines, _c._FONT, 1.15)
        p, m = layout["current"][i], layout["margin"][i]
        svg.line(axis.x(max(0, p - m)), y_pt, axis.x(min(100, p + m)), y_pt, "#000000", 1.6)
        size = math.sqrt(46 if is_lowest else 36)
        svg.marker("D", axis.x(p), y_pt, size, "#000000" if is_lowest else "white", "#000000", 1.1)
        svg.text(note_x, y_pt, layout["row_notes"][i], _c._FONT, bold=is_lowest)
    for x in (axis.left, axis.right):  # the frame: left and right sides, then the bottom with its ticks
        svg.line(x, y0, x, y1, "#000000", 0.8)
    svg.line(axis.left, y0, axis.right, y0, "#000000", 0.8)
    axis.ticks(svg, _c._band_ticks(layout["boundaries"]), top=False, grid=False, label=layout["xlabel"])
    svg.text(0.15 * _PT, 0.30 * _PT, layout["title"], 12, bold=True)
    legend = [(m, face, "#000000", 6.0, text) for m, face, text in _c._RATINGS_LEGEND]
    svg.legend(0.62 * _PT, legend, 7.5, 0.4, 1.0)
    svg.footnotes(layout["notes"])
    return svg.render()
