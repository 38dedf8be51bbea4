"""Fast CSV reading and writing with pyarrow, equal to :mod:`stats.io`'s reader and pandas' writer.

:func:`iter_table` yields the same chunks as :func:`stats.io.iter_table` (same columns, dtypes,
strings, missing cells and row numbers) for a valid UTF-8 file, parsed by ``pyarrow.csv``'s
streaming reader instead of Python's ``csv`` module. The file is opened and its header read by
:class:`stats.io._Reader` itself, so the rules of :func:`stats.io.open_input` (regular files only,
symbolic links and report folders, ``max_bytes``) and of the header (:func:`stats.io.check_header`,
:data:`stats.limits.MAX_COLUMNS`) are applied by the same code, and pyarrow reads the very
descriptor that was checked; every block pyarrow reads is checked for control characters and for
lines over :data:`stats.limits.MAX_LINE_CHARS`. Any file that is not plainly valid (a refused file,
another encoding, a byte-order mark other than UTF-8's, control characters, an over-long line,
ragged rows, blank or duplicate column names, a header that is not the first line, a quoted
header, unreadable quoting, no data rows, more rows than ``max_rows``) is handed to
:func:`stats.io.iter_table`, so every refusal keeps its exact type and message. An error met in
the middle of a file (a ragged row in a later chunk) hands over at the chunk where it happens: the
chunks already yielded are the same, and the reader raises where it always did.

:func:`write_csv` writes a frame as ``DataFrame.to_csv(fh, index=False, header=header)`` does,
byte for byte, with the formatting done in bulk by pyarrow (numbers converted to text in C,
quoting decided per column, rows joined without a Python loop); :func:`write_frame` writes a
frame as the CSV renderer does (:func:`stats.render.csv.frame_csv`: full precision, formulas
neutralised with ``sanitize``). The ``label`` command reads with :func:`iter_table` and its CSV
writer (:func:`stats.render.csv.stream_csv`) writes with :func:`write_frames` (:func:`write_frame`
for each chunk, in a worker thread while the next chunk is labelled).

:func:`parse_percent_text` and :func:`parse_count_text` parse a column of plain text (``"62%"``,
``"120"``, blanks, "No comparable data available") in bulk for :func:`stats.parse.parse_percent_series`
and :func:`stats.parse.parse_count_series`, which call them first and take their own route for
any column they return None for (anything unusual: every error comes from that route).

pyarrow is optional (the ``fast`` extra): without it (or with an older version) :data:`AVAILABLE`
is False, the readers and parsers take the plain routes (:func:`stats.io.iter_table`, the
parser's own) and the writers pandas' writer, with the same results.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io as _io
import os
import re
from collections.abc import Generator, Iterable, Iterator
from typing import IO, BinaryIO

import numpy as np
import pandas as pd

from . import io as sio
from . import limits

__all__ = [
    "AVAILABLE",
    "iter_table",
    "write_csv",
    "write_frame",
    "write_frames",
    "parse_percent_text",
    "parse_count_text",
]

try:  # pyarrow >= 14: pyarrow.csv.open_csv, compute.binary_join_element_wise, utf8 kernels
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    AVAILABLE = int(pa.__version__.split(".")[0]) >= 14
except ImportError:  # pragma: no cover - exercised where pyarrow is absent
    pa = pc = pacsv = None
    AVAILABLE = False

# The bytes stats.io refuses as "not a text table" (C0 controls but tab, newline, form feed, CR; DEL).
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_BLOCK = 1 << 22  # pyarrow's block size: about 4 MB of text per parsed batch


class _Fallback(Exception):
    """The file is not plainly valid: let stats.io.iter_table read it (and raise its own error)."""


# ----------------------------------------------------------------------------------------- reading


def _probe(path, encoding, delimiter, folder, max_bytes):
    """``(file, header, delimiter)`` for the fast path, or raise :class:`_Fallback`.

    The file is opened, and the encoding, delimiter and header found, by :class:`stats.io._Reader`
    itself, so every rule of :func:`stats.io.open_input` (regular files only, the folder and symbolic
    link rules, ``max_bytes``) and of the header (:func:`stats.io.check_header`: names, at most
    :data:`stats.limits.MAX_COLUMNS` columns; :data:`stats.limits.MAX_LINE_CHARS`) is applied by the
    same code; any refusal hands the file to :func:`stats.io.iter_table`, which refuses it with its
    own message. The returned file is a duplicate of the descriptor the reader checked (so the file
    read is the file checked), positioned at the start. The fast path also needs the header to be
    the file's first line, unquoted, so that pyarrow can be told to skip exactly one line.
    """
    if not AVAILABLE or encoding not in (None, "utf-8", "utf8", "UTF-8"):
        raise _Fallback
    try:
        reader = sio._Reader(path, encoding=encoding, delimiter=delimiter, folder=folder, max_bytes=max_bytes)
    except Exception:
        raise _Fallback from None
    fh = os.fdopen(os.dup(reader.fh.fileno()), "rb")
    try:
        rows = reader.rows()
        try:
            next(rows)  # sets reader.header; raises on a bad header, an over-long line or no data rows
        finally:
            rows.close()
            reader.fh.close()
        if reader.encoding not in ("utf-8", "utf-8-sig"):
            raise _Fallback
        fh.seek(0)
        head = fh.read(1 << 16).removeprefix(codecs.BOM_UTF8)
        end = min((i for i in (head.find(b"\n"), head.find(b"\r")) if i >= 0), default=-1)
        if end < 0:
            raise _Fallback
        first = head[:end].decode("utf-8", errors="strict")
        if '"' in first or [f.strip() for f in next(csv.reader([first], delimiter=reader.delimiter))] != reader.header:
            raise _Fallback
        fh.seek(0)
    except Exception:
        fh.close()
        raise _Fallback from None
    return fh, reader.header, reader.delimiter


class _CheckedStream:
    """The bytes of a file as pyarrow reads them, refusing what :func:`stats.io.iter_table` refuses
    line by line: control characters, and lines longer than :data:`stats.limits.MAX_LINE_CHARS`.

    Such a file raises :class:`_Fallback` (the plain reader then raises its own error at the same
    row). Lines are measured in bytes, which are never fewer than characters, with two bytes for the
    line end: a file the plain reader refuses is always handed over (a file with a line just under
    the limit in characters may be handed over too, and is then read by the plain reader).
    """

    def __init__(self, fh):
        self.fh, self.run, self.closed = fh, 0, False

    def read(self, n=-1):
        block = self.fh.read(n)
        if not block:
            return block
        if _CONTROL.search(block):
            raise _Fallback
        codes = np.frombuffer(block, dtype=np.uint8)
        ends = np.flatnonzero((codes == 10) | (codes == 13))
        if ends.size:
            longest = max(self.run + int(ends[0]), int(np.diff(ends).max(initial=1)) - 1)
            self.run = len(block) - int(ends[-1]) - 1
        else:
            longest = self.run = self.run + len(block)
        if max(longest, self.run) + 2 > limits.MAX_LINE_CHARS:
            raise _Fallback
        return block

    def close(self):
        self.closed = True
        self.fh.close()


def _to_frame(batch, header, first):
    """One pandas chunk from a record batch of strings: blank cells missing, dtype ``str``."""
    data = {}
    for name, col in zip(header, batch.columns, strict=True):
        blank = _blank(col)
        if blank is not None:
            col = pc.if_else(blank, pa.scalar(None, pa.string()), col)
        data[name] = pd.Series(pd.array(col, dtype="str"), copy=False)
    frame = pd.DataFrame(data)
    frame.index = pd.RangeIndex(first, first + batch.num_rows)
    return frame


# ASCII bytes that Arrow's utf8_trim_whitespace or Python's str.strip may take for blank (a superset)
_SPACE_BYTE = np.zeros(256, dtype=bool)
_SPACE_BYTE[[9, 10, 11, 12, 13, 28, 29, 30, 31, 32]] = True


def _blank(col: pa.Array) -> pa.Array | None:
    """Which cells of a string array are blank (empty, or white space alone, as Python's ``str.strip``
    sees it), or None when none is. Plain ASCII text without a white-space byte is judged from the
    cells' lengths alone (a blank cell is then an empty one); other ASCII text by Arrow's trim, and
    text that is not ASCII cell by cell in Python."""
    offsets, codes = _cells(col)
    if codes.size == 0 or codes.max() < 128:
        if codes.size == 0 or not _SPACE_BYTE[codes].any():
            empty = offsets[1:] == offsets[:-1]
            return pa.array(empty) if empty.any() else None
        return pc.equal(pc.utf8_trim_whitespace(col), "")
    values = col.to_pylist()  # non-ASCII text: Python's str.strip decides what is blank
    return pa.array(np.array([v is None or not v.strip() for v in values], dtype=bool))


def _fast_chunks(
    fh: BinaryIO, header: list[str], delimiter: str, chunk_rows: int, max_rows: int | None
) -> Generator[pd.DataFrame, None, None]:
    n = len(header)
    names = [f"c{i}" for i in range(n)]
    reader = pacsv.open_csv(
        _CheckedStream(fh),
        read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=_BLOCK, encoding="utf8"),
        parse_options=pacsv.ParseOptions(
            delimiter=delimiter, quote_char='"', double_quote=True, newlines_in_values=True, ignore_empty_lines=True
        ),
        convert_options=pacsv.ConvertOptions(
            column_types={c: pa.string() for c in names},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
            check_utf8=True,
        ),
    )
    pending, count, first = [], 0, 1

    def chunk(batches):
        if max_rows is not None and first - 1 + batches[0].num_rows > max_rows:
            raise _Fallback  # the plain reader refuses the row after max_rows, in this chunk
        return _to_frame(batches[0], header, first)

    for batch in reader:
        pending.append(batch)
        count += batch.num_rows
        while count >= chunk_rows:
            table = pa.Table.from_batches(pending)
            head = table.slice(0, chunk_rows).combine_chunks().to_batches()
            rest = table.slice(chunk_rows)
            yield chunk(_one_batch(head, names))
            first += chunk_rows
            pending, count = rest.to_batches(), rest.num_rows
    if count:
        yield chunk(_one_batch(pa.Table.from_batches(pending).combine_chunks().to_batches(), names))
    elif first == 1:
        raise _Fallback  # no data rows: the reader's message (or its empty chunk, with allow_no_rows)


def _one_batch(batches, names):
    if len(batches) == 1:
        return batches
    return (
        pa.Table.from_batches(batches).combine_chunks().to_batches()[:1]
        if batches
        else [pa.RecordBatch.from_pydict({c: pa.array([], pa.string()) for c in names})]
    )


def iter_table(
    path: sio.StrPath,
    *,
    chunk_rows: int | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    folder: sio.StrPath | None = None,
    max_bytes: int | None = None,
    allow_no_rows: bool = False,
    max_rows: int | None = None,
) -> Iterator[pd.DataFrame]:
    """:func:`stats.io.iter_table`, parsed by pyarrow where the file is plainly valid UTF-8 text.

    Same parameters, chunks and errors as :func:`stats.io.iter_table`, whose rules (the file checks
    of :func:`stats.io.open_input`, the header, column and line limits) are applied by its own code;
    see the module docstring for when the file is handed to it instead.
    """

    def plain() -> Iterator[pd.DataFrame]:
        return sio.iter_table(
            path,
            chunk_rows=chunk_rows,
            encoding=encoding,
            delimiter=delimiter,
            folder=folder,
            max_bytes=max_bytes,
            allow_no_rows=allow_no_rows,
            max_rows=max_rows,
        )

    # checked as any value (callers are not always type-checked): a bad one gets the plain reader's error
    size: object = sio.CHUNK_ROWS if chunk_rows is None else chunk_rows
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        yield from plain()
        return
    try:
        fh, header, delim = _probe(path, encoding, delimiter, folder, max_bytes)
    except _Fallback:
        yield from plain()
        return
    done = 0
    with fh:
        chunks = _fast_chunks(fh, header, delim, size, max_rows)
        while True:
            try:
                chunk = next(chunks)
            except StopIteration:
                return
            except Exception:
                # hand over where it happened: the reader yields the same chunks up to here, then its own error
                chunks.close()
                for i, part in enumerate(plain()):
                    if i >= done:
                        yield part
                return
            done += 1
            yield chunk


# ----------------------------------------------------------------------------------------- writing


def _quote_chars(delimiter=",", lineterminator="\n"):
    """The characters that make Python's csv writer (QUOTE_MINIMAL) quote a field, found by asking it."""
    out = []
    for c in sorted({delimiter, '"', "\n", "\r", *lineterminator}):
        buf = _io.StringIO()
        csv.writer(buf, lineterminator=lineterminator, delimiter=delimiter).writerow([f"a{c}b", "x"])
        if buf.getvalue().startswith('"'):
            out.append(c)
    return out


_QUOTE = None
_QUOTE_BYTES: list[bytes] = []


def _cells(col: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """``(offsets, codes)`` of a string array: its bytes end to end (a view, no copy) and where each cell
    starts in them (``len(col) + 1`` offsets, the first 0). Arrow's offsets never decrease, so every cell
    lies between the first cell's start and the last cell's end; a missing cell may hold bytes of its
    own, so a search of these bytes can only find more than the cells hold, never less."""
    width = 8 if pa.types.is_large_string(col.type) else 4
    offsets = np.frombuffer(
        col.buffers()[1], dtype=np.int64 if width == 8 else np.int32, count=len(col) + 1, offset=col.offset * width
    )
    data = col.buffers()[2]
    if data is None or len(col) == 0:
        return offsets - offsets[0], np.zeros(0, dtype=np.uint8)
    return offsets - offsets[0], np.frombuffer(data, dtype=np.uint8)[offsets[0] : offsets[-1]]


def _text_bytes(col: pa.Array) -> bytes:
    """The bytes of every cell of a string array, end to end, as :func:`_cells` finds them."""
    if isinstance(col, pa.ChunkedArray):
        return b"".join(_text_bytes(chunk) for chunk in col.chunks)
    if len(col) == 0:
        return b""
    return _cells(col)[1].tobytes()


def _quoted(col: pa.Array) -> pa.Array:
    """Quote the cells that need it (a delimiter, a quote, a line break): ``"..."`` with ``""`` inside."""
    global _QUOTE, _QUOTE_BYTES
    if _QUOTE is None:
        _QUOTE_BYTES = [c.encode() for c in _quote_chars()]
        _QUOTE = "[" + "".join(re.escape(c) for c in _quote_chars()) + "]"
    data = _text_bytes(col)
    if not any(c in data for c in _QUOTE_BYTES):  # no cell can need quotes: no look at each cell
        return col
    need = pc.match_substring_regex(col, _QUOTE)
    if not pc.any(need).as_py():
        return col
    escaped = pc.binary_join_element_wise('"', pc.replace_substring(col, '"', '""'), '"', "")
    return pc.if_else(need, escaped, col)


def _float_text(values: np.ndarray) -> pa.Array:
    """Float64 values as numpy's ``str`` writes them (what pandas' CSV writer uses), in bulk.

    A column with many repeated values (differences of whole percentages, margins, counts; judged
    from its first 2048 values) is formatted once per distinct value (found by hashing the values'
    bits, so ``0.0`` and ``-0.0`` stay apart) and the texts taken back; see
    :func:`_float_text_distinct` for the text itself.
    """
    values = np.ascontiguousarray(values, dtype=np.float64)
    sample = values[:2048].view(np.int64)
    if 10 * np.unique(sample).size >= 9 * sample.size:  # nearly all distinct (a statistic): no hashing
        return _float_text_distinct(values)
    encoded = pc.dictionary_encode(pa.array(values.view(np.int64)))
    if 2 * len(encoded.dictionary) <= len(values):
        distinct = encoded.dictionary.to_numpy().view(np.float64)
        return pc.take(_float_text_distinct(distinct), encoded.indices)
    return _float_text_distinct(values)


def _float_text_distinct(values: np.ndarray) -> pa.Array:
    """Float64 values as numpy's ``str`` writes them.

    Whole numbers below 1e15 (not ``-0.0``) are integers with ``.0`` added. For the others,
    pyarrow and numpy both write the shortest text that reads back as the same double, so their
    digits agree; they differ in layout only: numpy writes ``100.0`` where pyarrow writes ``100``, and
    uses exponents below 1e-4 and from 1e16 where pyarrow does not. Cells in numpy's positional
    range take pyarrow's text (with ``.0`` added where it has no point); the rest (and nan, inf)
    take numpy's own.
    """
    mag = np.abs(values)
    with np.errstate(invalid="ignore"):
        whole = (values == np.floor(values)) & (mag < 1e15) & ~((values == 0) & np.signbit(values))
    nan = np.isnan(values)
    if np.all(whole | nan):  # counts and sample sizes: integers, nan cells left to the caller
        text = pc.cast(pa.array(np.where(whole, values, 0.0).astype(np.int64)), pa.string())
        return pc.binary_join_element_wise(text, ".0", "")
    arr = pa.array(values, type=pa.float64())
    text = pc.cast(arr, pa.string())
    # numpy's own text outside its positional range (nan, inf too) and wherever pyarrow wrote an exponent
    slow = ~(((mag >= 1e-4) & (mag < 1e16)) | (values == 0))
    offsets, codes = _cells(text)  # the text's bytes, searched in bulk
    exponent = np.flatnonzero(codes == ord("e"))
    if exponent.size:
        slow[np.searchsorted(offsets, exponent, side="right") - 1] = True
    # pyarrow's "100" is numpy's "100.0"; a cell holds at most one point: as many points as cells means
    # every cell has one
    whole = None
    if np.count_nonzero(codes == ord(".")) != len(text):
        whole = ~np.asarray(pc.match_substring(text, ".")) & ~slow
    fix = slow if whole is None else slow | whole
    if not fix.any():
        return text
    # the cells to change, changed apart and put back in one pass
    rows = np.flatnonzero(fix)
    new = pc.take(text, pa.array(rows))
    if whole is not None and whole.any():
        new = pc.if_else(pa.array(whole[rows]), pc.binary_join_element_wise(new, ".0", ""), new)
    if slow.any():
        own = pa.array(values[slow].astype(str).tolist(), pa.string())  # numpy's own text
        new = pc.replace_with_mask(new, pa.array(slow[rows]), own)
    return pc.replace_with_mask(text, pa.array(fix), new)


def _quote_text(text: str) -> str:
    buf = _io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow([text, "x"])
    return buf.getvalue()[: -len(",x\n")]


def _column_text(series: pd.Series) -> pa.Array:
    """One column as CSV cells (pyarrow strings, missing cells empty, quoted where needed), as pandas'
    writer formats it."""
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):  # format and quote each category once, then take
        cats = [_quote_text(str(c)) for c in dtype.categories] + [""]
        codes = series.cat.codes.to_numpy()
        return pc.take(pa.array(cats, type=pa.string()), pa.array(np.where(codes < 0, len(cats) - 1, codes)))
    if pd.api.types.is_bool_dtype(dtype):
        mask = pd.isna(series).to_numpy()
        truth = series.fillna(False).to_numpy(dtype=bool) if mask.any() else series.to_numpy(dtype=bool)
        return pc.take(pa.array(["False", "True", ""]), pa.array(np.where(mask, 2, truth.astype(np.int8))))
    if pd.api.types.is_float_dtype(dtype) and not isinstance(dtype, pd.api.extensions.ExtensionDtype):
        values = series.to_numpy()
        text = _float_text(values)
        nan = np.isnan(values)
        return pc.if_else(pa.array(nan), pa.scalar("", pa.string()), text) if nan.any() else text
    if pd.api.types.is_integer_dtype(dtype):
        mask = pd.isna(series).to_numpy()
        values = series.to_numpy(dtype=np.int64, na_value=0)
        text = pc.cast(pa.array(values), pa.string())
        return pc.if_else(pa.array(mask), pa.scalar("", pa.string()), text) if mask.any() else text
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        text = pa.array(series.array)  # the Arrow data itself, no copy
        if isinstance(text, pa.ChunkedArray):
            text = text.combine_chunks()
        return _quoted(pc.fill_null(pc.cast(text, pa.string()), ""))
    if pd.api.types.is_string_dtype(dtype) or pd.api.types.is_object_dtype(dtype):
        # pandas accepts na_value=None (missing cells as None); pandas-stubs does not list it
        values = series.to_numpy(dtype=object, na_value=None)  # type: ignore[call-overload]
        if any(v is not None and not isinstance(v, str) for v in values):
            raise _Fallback
        return _quoted(pc.fill_null(pa.array(values, type=pa.string()), ""))
    raise _Fallback


def write_csv(frame: pd.DataFrame, fh: IO[str], *, header: bool = True) -> None:
    """Write ``frame`` to the text stream ``fh`` exactly as ``frame.to_csv(fh, index=False, header=header)``.

    Columns of float64, integer (numpy or nullable), nullable boolean, categorical and text dtypes
    are formatted in bulk; a frame with any other column (or without pyarrow) is written by pandas.
    """
    # (one column: pandas writes a missing cell as "" there, so that the line is not blank)
    if not AVAILABLE or len(frame.columns) < 2 or len(frame) == 0 or not all(isinstance(c, str) for c in frame.columns):
        frame.to_csv(fh, index=False, header=header)
        return
    try:
        columns = [frame.iloc[:, i] for i in range(frame.shape[1])]
        cells = [_column_text(col) for col in columns]
    except _Fallback:
        frame.to_csv(fh, index=False, header=header)
        return
    if header:
        buf = _io.StringIO()
        csv.writer(buf, lineterminator="\n").writerow(list(frame.columns))
        fh.write(buf.getvalue())
    numbers = (pd.api.types.is_numeric_dtype, pd.api.types.is_bool_dtype)
    data = _lines(cells, [not any(kind(col.dtype) for kind in numbers) for col in columns])
    raw = getattr(fh, "buffer", None)
    utf8 = codecs.lookup(getattr(fh, "encoding", None) or "ascii").name == "utf-8"
    if raw is not None and os.linesep == "\n" and utf8:
        fh.flush()  # a UTF-8 text file: its bytes go straight to the binary file below it
        raw.write(data)
    else:
        fh.write(data.tobytes().decode("utf-8"))


def _lines(cells: list[pa.Array], texts: list[bool]) -> memoryview:
    """The CSV text of rows of formatted cells (each already quoted where it needs it): the cells of a
    row joined by commas, each row ended by a line feed. ``texts`` tells which columns are text (the
    others, numbers and booleans, never hold a quote).

    Where no cell was quoted (no cell holds a quote, so none holds a comma or a line break either: each
    of those would have been quoted), pyarrow's CSV writer lays the cells out as they are
    (``quoting_style='none'``, which refuses any cell that would need quotes); otherwise the cells are
    joined element-wise.
    """
    cells = [c.combine_chunks() if isinstance(c, pa.ChunkedArray) else c for c in cells]
    if not any((_cells(c)[1] == ord('"')).any() for c, text in zip(cells, texts, strict=True) if text):
        # the text's exact length: every cell's bytes, and a comma or the line end after each
        size = sum(_cells(c)[1].size for c in cells) + len(cells) * len(cells[0])
        buffer = pa.allocate_buffer(size)
        sink = pa.FixedSizeBufferWriter(buffer)
        options = pacsv.WriteOptions(
            include_header=False, delimiter=",", eol="\n", quoting_style="none", batch_size=8192
        )  # (batches of 8192 rows: measured the quickest, 1024 to 32768)
        with contextlib.suppress(pa.ArrowException):  # (a cell pyarrow would not write as it is: joined below)
            pacsv.write_csv(pa.table({f"c{i}": c for i, c in enumerate(cells)}), sink, options)
            return memoryview(buffer)[: sink.tell()]
    # the line end joined to the last cell (a short text, often a category), then the cells to each other
    rows = pc.binary_join_element_wise(*cells[:-1], pc.binary_join_element_wise(cells[-1], "\n", ""), ",")
    rows = rows.combine_chunks() if isinstance(rows, pa.ChunkedArray) else rows
    # the rows' text lies end to end in the array's data buffer: written in one piece
    return _cells(rows)[1].data


def write_frame(frame: pd.DataFrame, fh: IO[str], *, sanitize: bool = True, header: bool = True) -> None:
    """Write ``frame`` as :func:`stats.render.csv.frame_csv` writes it to ``fh``, byte for byte: every
    digit kept, with ``sanitize`` cells and column names a spreadsheet would run made inert
    (:func:`stats.io.neutralise_formulas`), then :func:`write_csv`. The ``label`` command's CSV
    writer (:func:`stats.render.csv.stream_csv`) writes each chunk with it."""
    write_csv(sio.neutralise_formulas(frame) if sanitize and _may_run(frame) else frame, fh, header=header)


def write_frames(frames: Iterable[pd.DataFrame], fh: IO[str], *, sanitize: bool = True) -> None:
    """Write a stream of frames as one CSV, as :func:`write_frame` would one by one (header once).

    With pyarrow, each frame is formatted and written by one worker thread while the next is
    produced (read and labelled) by the caller's thread: pyarrow's kernels release the GIL, so the
    two overlap on two cores. Frames are written in order, at most one write is pending (memory
    stays bounded by two chunks), and an error on either side stops the stream and is raised here.
    """
    if not AVAILABLE:
        for i, frame in enumerate(frames):
            write_frame(frame, fh, sanitize=sanitize, header=i == 0)
        return
    from concurrent.futures import ThreadPoolExecutor

    pending = None
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="stats-csv") as pool:
        try:
            for i, frame in enumerate(frames):
                if pending is not None:
                    pending.result()  # in order, and raise a writing error at once
                pending = pool.submit(write_frame, frame, fh, sanitize=sanitize, header=i == 0)
            if pending is not None:
                pending.result()
        except BaseException:
            if pending is not None:
                pending.cancel()
                with contextlib.suppress(BaseException):  # the first error is the one raised
                    pending.result()
            raise


_FORMULA_START = r"^[=+\-@\t\r]"  # stats.io.FORMULA_PREFIXES, as an RE2 class (a test checks they agree)


def _formula_like(name: object) -> bool:
    """Whether ``name`` (a column name or category: any value) is text starting with a formula prefix."""
    return isinstance(name, str) and name.startswith(sio.FORMULA_PREFIXES)


def _may_run(frame: pd.DataFrame) -> bool:
    """Whether :func:`stats.io.neutralise_formulas` could change ``frame``: False only when no column name,
    no category and no cell of a text column starts with one of :data:`stats.io.FORMULA_PREFIXES`
    (then it returns the frame as it is); checked in bulk for pyarrow text, else it is asked."""
    if not AVAILABLE or any(_formula_like(c) for c in frame.columns):
        return True
    for i in range(frame.shape[1]):
        dtype = (col := frame.iloc[:, i]).dtype
        if pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
            continue
        if isinstance(dtype, pd.CategoricalDtype):
            if any(_formula_like(c) for c in dtype.categories):
                return True
            continue
        if not (isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"):
            return True
        if _starts_with_prefix(pa.array(col.array)):
            return True
    return False


_PREFIX_BYTE = np.zeros(256, dtype=bool)  # the first bytes of stats.io.FORMULA_PREFIXES (all ASCII: a test checks)
_PREFIX_BYTE[[ord(c) for c in sio.FORMULA_PREFIXES]] = True


def _starts_with_prefix(col: pa.Array | pa.ChunkedArray) -> bool:
    """Whether any cell of a string array starts with one of :data:`stats.io.FORMULA_PREFIXES`, from the
    first byte of every non-empty cell (an ASCII byte in UTF-8 is always that character; a missing cell
    that holds bytes can only make the answer True, when :func:`stats.io.neutralise_formulas` decides)."""
    if isinstance(col, pa.ChunkedArray):
        return any(_starts_with_prefix(chunk) for chunk in col.chunks)
    if len(col) == 0:
        return False
    if not pa.types.is_string(col.type) and not pa.types.is_large_string(col.type):
        return bool(pc.any(pc.match_substring_regex(col, _FORMULA_START)).as_py())
    offsets, codes = _cells(col)
    starts = offsets[:-1][offsets[1:] > offsets[:-1]]
    return bool(_PREFIX_BYTE[codes[starts]].any())


# ----------------------------------------------------------------------------------------- percentages

# A plain published percentage: digits with an optional fraction, optional blanks and '%' (the number
# at most 16 characters, checked apart: within 0 to 100 that is at most 15 significant digits, where
# pyarrow's and pandas' conversions are both the correctly rounded double).
_PLAIN_PERCENT = r"^[ \t]*(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)[ \t]*%?[ \t]*$"
# The texts stats.parse reads as "no figure", in the one spelling this path accepts (single spaces).
_PLAIN_NO_DATA = r"^[ \t]*(?:no comparable data available|no comparable data|n/a|na)?[ \t]*$"


def parse_percent_text(series: pd.Series, scale: str = "percent") -> pd.Series | None:
    """:func:`stats.parse.parse_percent_series` for a column of plain text, in bulk; else None.

    Returns the same float Series (same index and name; nan where there is no figure) when every
    cell is missing, a plain percentage (``"62%"``, ``" 62 % "``, ``"62"``, ``"62.5"``: ASCII digits
    and at most one point, at most 16 characters, spaces or tabs around, one trailing ``%``) or a
    no-data text in its plain spelling (``"No comparable data available"``, ``"n/a"``, blank; any
    case, single spaces), and every
    value lies within 0 to 100 (``scale='percent'``) or 0 to 1 (``'proportion'``). Any other column
    (not pyarrow text, non-ASCII text, signs, exponents, other spellings, a mistake, a value out of
    range) returns None: the parser's own route then gives its value or its error.
    """
    if not AVAILABLE or not isinstance(series.dtype, pd.StringDtype) or series.dtype.storage != "pyarrow":
        return None
    distinct, codes = _distinct(series)
    values = _percent_values(distinct, scale)
    return None if values is None else _series(values, codes, series)


def _distinct(series: pd.Series) -> tuple[pa.Array, pa.Array | None]:
    """A pyarrow-text column as ``(distinct, codes)``: its distinct values (nulls apart) and each cell's
    index among them (null where the cell is missing), when at most half its cells are distinct
    (percentages, sample sizes: each text is then checked and converted once); else the cells
    themselves and None."""
    arr = pa.array(series.array)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    arr = pc.cast(arr, pa.string())
    encoded = pc.dictionary_encode(arr)
    if 2 * len(encoded.dictionary) > len(arr):
        return arr, None
    return encoded.dictionary, encoded.indices


def _series(values: np.ndarray, codes: pa.Array | None, series: pd.Series) -> pd.Series:
    """The float values of :func:`_distinct`'s ``distinct`` back in the cells' order (nan where missing)."""
    if codes is not None:
        values = np.append(values, np.nan)[pc.fill_null(codes, len(values)).to_numpy()]
    return pd.Series(values, index=series.index, name=series.name, dtype=float)


def _percent_values(arr: pa.Array, scale: str) -> np.ndarray | None:
    """:func:`parse_percent_text` on a string array: float values, or None."""
    if not pc.all(pc.string_is_ascii(arr), min_count=0).as_py():  # nulls skipped
        return None
    number = pc.match_substring_regex(arr, _PLAIN_PERCENT)
    if not pc.all(number, min_count=0).as_py():  # some cell is not a number: it must be a no-data text
        no_data = pc.match_substring_regex(arr, _PLAIN_NO_DATA, ignore_case=True)
        if not pc.all(pc.or_(number, no_data), min_count=0).as_py():
            return None
    text = pc.utf8_trim(
        pc.utf8_rtrim(pc.utf8_trim(pc.if_else(number, arr, pa.scalar(None, pa.string())), " \t"), "%"), " \t"
    )
    if (pc.max(pc.utf8_length(text)).as_py() or 0) > 16:
        return None
    values = pc.cast(text, pa.float64()).to_numpy(zero_copy_only=False)
    top = 100.0 if scale == "percent" else 1.0
    if np.nanmax(values, initial=0.0) > top:
        return None
    return values


_PLAIN_COUNT = r"^[ \t]*(?:[0-9]{1,15})?[ \t]*$"  # a whole number of at most 15 digits (exact in a double), or blank


def parse_count_text(series: pd.Series, minimum: int) -> pd.Series | None:
    """:func:`stats.parse.parse_count_series` for a column of plain text, in bulk; else None.

    Returns the same float Series (same index and name; nan where the cell is missing or blank)
    when every cell is missing, blank (spaces or tabs) or a whole number of ASCII digits (at most
    15, with spaces or tabs around) of at least ``minimum``; any other column returns None, and the
    parser's own route gives its value or its error.
    """
    if not AVAILABLE or not isinstance(series.dtype, pd.StringDtype) or series.dtype.storage != "pyarrow":
        return None
    arr, codes = _distinct(series)
    if not pc.all(pc.string_is_ascii(arr), min_count=0).as_py():
        return None
    if not pc.all(pc.match_substring_regex(arr, _PLAIN_COUNT), min_count=0).as_py():
        return None
    text = pc.utf8_trim(arr, " \t")
    text = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
    values = pc.cast(pc.cast(text, pa.int64()), pa.float64()).to_numpy(zero_copy_only=False)
    if np.nanmin(values, initial=float(minimum)) < minimum:
        return None
    return _series(values, codes, series)
