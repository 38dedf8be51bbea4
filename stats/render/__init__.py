"""The presentation layer: one registry of writers, one per output format, fed by the analysis' results.

Every command of :mod:`stats.cli` and every report goes through here. The analysis hands over one
of three kinds of result, and a writer formats it; no writer tests, labels, re-parses or
recomputes anything:

``table``
    :class:`Table`: a DataFrame of raw values (proportions, p-values...) and the name of its text
    view (``labelled``, ``ratings``, ...), with the analysis object that view reads.
``record``
    :class:`Record`: one result of scalars (``compare``, ``margin``, ``sample-size``).
``report``
    A :class:`stats.summary.ReportSummary`: the report model of the main job (labelled tables with
    their :class:`stats.ChangeTest`, checks, ratings, framework, sample design, method).

:data:`WRITERS` is the registry ``{format: writer}``. A command offers, as its ``--format``
choices, every registered format that writes its kind (:func:`formats_for`), so a format
registered once with :func:`register` is offered everywhere it applies; a command calls the
writer's method for its kind, so it can never fall through to another format.

Machine formats (``csv``, ``json``) carry every digit of the raw values; display formats
(``text``, ``markdown``, ``html``, the workbook's number formats) round. JSON is strict: NaN
and infinity are written as ``null`` (:func:`stats.render.json.strict`).

Modules: :mod:`~stats.render.columns` (the column map and value formatting, shared),
:mod:`~stats.render.text`, :mod:`~stats.render.markdown`, :mod:`~stats.render.csv`,
:mod:`~stats.render.json`, :mod:`~stats.render.html`, :mod:`~stats.render.xlsx`,
:mod:`~stats.render.charts` (matplotlib) and :mod:`~stats.render.svg` (the same charts written as SVG
for the HTML report, without matplotlib).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

__all__ = [
    "Table",
    "Record",
    "Writer",
    "WRITERS",
    "KINDS",
    "register",
    "get_writer",
    "formats_for",
    "render_table",
]

#: The kinds of result a writer may write.
KINDS = ("table", "record", "report")


@dataclass(frozen=True, eq=False)
class Table:
    """A table result: raw ``frame``, the name of its text ``view`` and what that view reads.

    Attributes
    ----------
    frame : pandas.DataFrame
        Raw values (the machine formats write exactly these).
    view : str
        Key of :data:`stats.render.text.VIEWS` for the text format (default ``plain``).
    source : object
        The analysis result the text view reads (a ChangeTest, ReportRatings, a sample draw...).
    title : str
        A line stated above the table in text and Markdown (for example the test).
    note : str or None
        View-specific text (for example where a sample was written).

    See Also
    --------
    Record : a result of scalars rather than a table.
    Writer : formats a Table in one output format (its ``write`` method).
    render_table : wraps a DataFrame in a Table and formats it.

    Examples
    --------
    >>> import pandas as pd
    >>> from stats.render import Table, get_writer
    >>> t = Table(pd.DataFrame({"prompt_id": ["P1"], "pvalue": [0.0123]}), title="One row")
    >>> print(get_writer("csv").write("table", t), end="")
    prompt_id,pvalue
    P1,0.0123
    """

    frame: pd.DataFrame
    view: str = "plain"
    source: Any = None
    title: str = ""
    note: str | None = None


@dataclass(frozen=True, eq=False)
class Record:
    """A result of scalars: ``values`` (raw, JSON-able after :func:`stats.render.json.strict`) and its text ``view``.

    See Also
    --------
    Table : a result that is a table.
    stats.render.json.record_json : a Record as one JSON object.
    stats.render.csv.record_csv : a Record as a header and one row.

    Examples
    --------
    >>> from stats.render import Record, get_writer
    >>> r = Record({"n": 165, "margin": 0.05}, view="plain")
    >>> print(get_writer("json").write("record", r), end="")
    {"n": 165, "margin": 0.05}
    """

    values: dict
    view: str
    source: Any = None


@dataclass(frozen=True)
class Writer:
    """One output format.

    Attributes
    ----------
    name : str
        The format's name, as given to ``--format``.
    description : str
        One line for the command line's help.
    table, record, report : callable or None
        ``table(Table, sanitize=bool) -> str | bytes``, ``record(Record) -> str``,
        ``report(ReportSummary, sanitize=bool) -> str | bytes``; None where the format does not apply.
    stream : callable or None
        ``stream(chunks, fh, sanitize=bool)``: writes labelled tables chunk by chunk to a text
        stream (memory independent of the input's length). Formats without it receive the whole table
        (commands cap its length).
    binary : bool
        The format writes bytes (a file is needed: ``-o``).

    See Also
    --------
    register : adds a Writer to the registry.
    get_writer : the registered Writer of a format.
    formats_for : the formats that write a kind of result.

    Examples
    --------
    >>> from stats.render import get_writer
    >>> w = get_writer("markdown")
    >>> w.name, w.kinds, w.binary
    ('markdown', ('table', 'record', 'report'), False)
    >>> get_writer("xlsx").binary
    True
    """

    name: str
    description: str
    table: Any = None
    record: Any = None
    report: Any = None
    stream: Any = None
    binary: bool = False
    kinds: tuple = field(init=False, default=())

    def __post_init__(self):
        object.__setattr__(self, "kinds", tuple(k for k in KINDS if getattr(self, k) is not None))

    def write(self, kind: str, result: Any, *, sanitize: bool = True, **options: Any) -> str | bytes:
        """Format ``result`` of ``kind``; a ValueError when this format does not write that kind.

        ``options`` go to the format's method (for example the text report's ``width`` and
        ``detail``); a format that takes none is called without them.
        """
        if kind not in KINDS:
            raise ValueError(f"kind ({kind!r}) must be one of {', '.join(map(repr, KINDS))}.")
        method = getattr(self, kind)
        if method is None:
            raise ValueError(
                f"format {self.name!r} does not write a {kind}; formats that do: {', '.join(formats_for(kind))}."
            )
        if kind == "record":
            return method(result, **options)
        return method(result, sanitize=sanitize, **options)


#: The registry: format name -> :class:`Writer`, in the order formats are offered.
WRITERS: dict[str, Writer] = {}


def register(writer: Writer, *, replace: bool = False) -> Writer:
    """Add ``writer`` to :data:`WRITERS` (every command that writes one of its kinds offers it).

    See Also
    --------
    get_writer : looks a registered format up by name.
    Writer : what a format provides.

    Examples
    --------
    >>> from stats.render import WRITERS, Writer, register
    >>> upper = Writer("upper", "CSV in capitals", table=lambda t, sanitize=True: t.frame.to_csv(index=False).upper())
    >>> register(upper) is upper, "upper" in WRITERS
    (True, True)
    >>> register(upper)
    Traceback (most recent call last):
    ...
    ValueError: format 'upper' is already registered; pass replace=True to replace it.
    >>> del WRITERS["upper"]
    """
    if not isinstance(writer, Writer):
        raise TypeError(f"writer must be a stats.render.Writer (got {type(writer).__name__}).")
    if writer.name in WRITERS and not replace:
        raise ValueError(f"format {writer.name!r} is already registered; pass replace=True to replace it.")
    WRITERS[writer.name] = writer
    return writer


def get_writer(name: str) -> Writer:
    """The writer of format ``name``.

    See Also
    --------
    formats_for : the names a kind of result can be written in.
    register : adds a format.

    Examples
    --------
    >>> from stats.render import get_writer
    >>> get_writer("text").description
    'text for the terminal (tables wrapped to the width)'
    >>> get_writer("docx")
    Traceback (most recent call last):
    ...
    ValueError: format ('docx') must be one of 'text', 'markdown', 'csv', 'json', 'html', 'xlsx'.
    """
    try:
        return WRITERS[name]
    except (KeyError, TypeError):
        raise ValueError(f"format ({name!r}) must be one of {', '.join(map(repr, WRITERS))}.") from None


def formats_for(kind: str, *, text_only: bool = False) -> tuple[str, ...]:
    """Registered formats that write ``kind`` (``text_only``: only those writing text, not bytes).

    See Also
    --------
    get_writer : the Writer of one of these names.
    stats.render.KINDS : the kinds of result.

    Examples
    --------
    >>> from stats.render import formats_for
    >>> formats_for("table")
    ('text', 'markdown', 'csv', 'json', 'xlsx')
    >>> formats_for("report", text_only=True)
    ('text', 'markdown', 'csv', 'json', 'html')
    """
    return tuple(name for name, w in WRITERS.items() if kind in w.kinds and not (text_only and w.binary))


def render_table(
    frame: pd.DataFrame, fmt: str, *, sanitize: bool = True, view: str = "plain", **table: Any
) -> str | bytes:
    """Shortcut: ``frame`` as a :class:`Table` in format ``fmt``.

    See Also
    --------
    Table : the result object this wraps ``frame`` in.
    stats.formatting.render : the same for the text formats, with ``'table'`` as an alias of ``'text'``.

    Examples
    --------
    >>> import pandas as pd
    >>> from stats.render import render_table
    >>> frame = pd.DataFrame({"prompt_id": ["P1", "P2"], "pvalue": [0.0123, 0.5]})
    >>> print(render_table(frame, "markdown"), end="")
    | prompt_id | pvalue |
    | --- | --- |
    | P1 | 0.0123 |
    | P2 | 0.5 |
    """
    return get_writer(fmt).write("table", Table(frame, view=view, **table), sanitize=sanitize)


def _register_builtin() -> None:
    from . import csv, html, json, markdown, text, xlsx

    for module in (text, markdown, csv, json, html, xlsx):
        register(module.WRITER)


_register_builtin()
