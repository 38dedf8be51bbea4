"""Fast CSV reading and writing with pyarrow, equal to :mod:`stats.io`'s reader and pandas' writer.

:func:`iter_table` yields the same chunks as :func:`stats.io.iter_table` (same columns, dtypes,
strings, missing cells and row numbers) for a valid UTF-8 file, parsed by ``pyarrow.csv``'s
streaming reader instead of Python's ``csv`` module; any file that is not plainly valid (another
encoding, a byte-order mark other than UTF-8's, control characters, ragged rows, blank or
duplicate column names, a header that is not the first line, a quoted header, unreadable quoting,
no data rows) is handed to :func:`stats.io.iter_table`, so every error keeps its exact message.
An error met in the middle of a file (a ragged row in a later chunk) hands over at the chunk where
it happens: the chunks already yielded are the same, and the reader raises where it always did.

:func:`write_csv` writes a frame as ``DataFrame.to_csv(fh, index=False, header=header)`` does,
byte for byte, with the formatting done in bulk by pyarrow (numbers converted to text in C,
quoting decided per column, rows joined without a Python loop); :func:`write_labelled_csv` writes
a labelled chunk as the ``label`` command writes it (:func:`stats.formatting.round_for_output`,
then :func:`stats.io.neutralise_formulas` with ``sanitize``).

pyarrow is optional: without it (or with an older version) :data:`AVAILABLE` is False and both
functions fall back to :func:`stats.io.iter_table` and pandas' writer.
"""

from __future__ import annotations

import codecs
import csv
import io as _io
import re
from collections.abc import Iterator

import numpy as np
import pandas as pd

from . import io as sio

__all__ = ["AVAILABLE", "iter_table", "write_csv", "write_labelled_csv"]

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
_SCAN = 1 << 24  # bytes per block when scanning a file for control characters
_BLOCK = 1 << 22  # pyarrow's block size: about 4 MB of text per parsed batch


class _Fallback(Exception):
    """The file is not plainly valid: let stats.io.iter_table read it (and raise its own error)."""


# ----------------------------------------------------------------------------------------- reading


def _probe(path, encoding, delimiter):
    """``(header, delimiter, skip)`` for the fast path, or raise :class:`_Fallback`.

    The encoding, delimiter and header come from :class:`stats.io._Reader` itself (the same
    sniffing and header rules); the fast path also needs the header to be the file's first line,
    unquoted, so that pyarrow can be told to skip exactly one line.
    """
    if not AVAILABLE or encoding not in (None, "utf-8", "utf8", "UTF-8"):
        raise _Fallback
    make_reader = getattr(sio, "_Reader", None)
    if make_reader is None:
        raise _Fallback
    try:
        reader = make_reader(path, encoding=encoding, delimiter=delimiter)
        rows = reader.rows()
        next(rows)  # sets reader.header; raises on a bad header or no data rows
        rows.close()
    except Exception:  # noqa: BLE001 - any problem at all: the reader raises it again, with its message
        raise _Fallback from None
    if reader.encoding not in ("utf-8", "utf-8-sig"):
        raise _Fallback
    with open(path, "rb") as fh:
        head = fh.read(1 << 16)
    head = head.removeprefix(codecs.BOM_UTF8)
    end = min((i for i in (head.find(b"\n"), head.find(b"\r")) if i >= 0), default=-1)
    if end < 0:
        raise _Fallback
    first = head[:end].decode("utf-8", errors="strict")
    if '"' in first:
        raise _Fallback
    fields = next(csv.reader([first], delimiter=reader.delimiter))
    if [f.strip() for f in fields] != reader.header:
        raise _Fallback
    return reader.header, reader.delimiter


def _has_control(path) -> bool:
    with open(path, "rb") as fh:
        while block := fh.read(_SCAN):
            if _CONTROL.search(block):
                return True
    return False


def _to_frame(batch, header, first):
    """One pandas chunk from a record batch of strings: blank cells missing, dtype ``str``."""
    data = {}
    for name, col in zip(header, batch.columns):
        blank = pc.equal(pc.utf8_trim_whitespace(col), "")
        other = pc.invert(pc.string_is_ascii(col))
        if pc.any(other).as_py():  # non-ASCII text: Python's str.strip decides what is blank
            values = col.to_pylist()
            mask = np.array([v is None or not v.strip() for v in values])
            blank = pa.array(mask)
        col = pc.if_else(blank, pa.scalar(None, pa.string()), col)
        data[name] = pd.Series(pd.array(col, dtype="str"), copy=False)
    frame = pd.DataFrame(data)
    frame.index = pd.RangeIndex(first, first + batch.num_rows)
    return frame


def _fast_chunks(path, header, delimiter, chunk_rows) -> Iterator[pd.DataFrame]:
    n = len(header)
    names = [f"c{i}" for i in range(n)]
    reader = pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=_BLOCK, encoding="utf8"),
        parse_options=pacsv.ParseOptions(delimiter=delimiter, quote_char='"', double_quote=True,
                                         newlines_in_values=True, ignore_empty_lines=True),
        convert_options=pacsv.ConvertOptions(column_types={c: pa.string() for c in names}, strings_can_be_null=False,
                                             quoted_strings_can_be_null=False, check_utf8=True),
    )
    pending, count, first = [], 0, 1
    for batch in reader:
        pending.append(batch)
        count += batch.num_rows
        while count >= chunk_rows:
            table = pa.Table.from_batches(pending)
            head = table.slice(0, chunk_rows).combine_chunks().to_batches()
            rest = table.slice(chunk_rows)
            yield _to_frame(_one_batch(head, names), header, first)
            first += chunk_rows
            pending, count = rest.to_batches(), rest.num_rows
    if count:
        yield _to_frame(_one_batch(pa.Table.from_batches(pending).combine_chunks().to_batches(), names), header, first)
    elif first == 1:
        raise _Fallback  # no data rows: the reader's message


def _one_batch(batches, names):
    if len(batches) == 1:
        return batches[0]
    return pa.Table.from_batches(batches).combine_chunks().to_batches()[0] if batches else \
        pa.RecordBatch.from_pydict({c: pa.array([], pa.string()) for c in names})


def iter_table(path, *, chunk_rows: int | None = None, encoding: str | None = None,
               delimiter: str | None = None) -> Iterator[pd.DataFrame]:
    """:func:`stats.io.iter_table`, parsed by pyarrow where the file is plainly valid UTF-8 text.

    Same parameters, chunks and errors as :func:`stats.io.iter_table` (see the module docstring
    for when it is used instead).
    """
    chunk_rows = sio.CHUNK_ROWS if chunk_rows is None else chunk_rows
    if isinstance(chunk_rows, bool) or not isinstance(chunk_rows, int) or chunk_rows < 1:
        yield from sio.iter_table(path, chunk_rows=chunk_rows, encoding=encoding, delimiter=delimiter)
        return
    try:
        header, delim = _probe(path, encoding, delimiter)
        if _has_control(path):
            raise _Fallback
    except _Fallback:
        yield from sio.iter_table(path, chunk_rows=chunk_rows, encoding=encoding, delimiter=delimiter)
        return
    done = 0
    chunks = _fast_chunks(path, header, delim, chunk_rows)
    while True:
        try:
            chunk = next(chunks)
        except StopIteration:
            return
        except (_Fallback, pa.ArrowException, ValueError, OSError):
            # hand over where it happened: the reader yields the same chunks up to here, then its own error
            rest = sio.iter_table(path, chunk_rows=chunk_rows, encoding=encoding, delimiter=delimiter)
            for i, part in enumerate(rest):
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


def _quoted(col):
    """Quote the cells that need it (a delimiter, a quote, a line break): ``"..."`` with ``""`` inside."""
    global _QUOTE
    if _QUOTE is None:
        _QUOTE = "[" + "".join(re.escape(c) for c in _quote_chars()) + "]"
    need = pc.match_substring_regex(col, _QUOTE)
    if not pc.any(need).as_py():
        return col
    escaped = pc.binary_join_element_wise('"', pc.replace_substring(col, '"', '""'), '"', "")
    return pc.if_else(need, escaped, col)


def _float_text(values: np.ndarray):
    """Float64 values as numpy's ``str`` writes them (what pandas' CSV writer uses), in bulk.

    pyarrow and numpy both write the shortest text that reads back as the same double, so their
    digits agree; they differ in layout only: numpy writes ``100.0`` where pyarrow writes ``100``, and
    uses exponents below 1e-4 and from 1e16 where pyarrow does not. Cells in numpy's positional
    range take pyarrow's text (with ``.0`` added where it has no point); the rest (and nan, inf)
    take numpy's own.
    """
    arr = pa.array(values, type=pa.float64())
    text = pc.cast(arr, pa.string())
    mag = np.abs(values)
    positional = ((mag >= 1e-4) & (mag < 1e16)) | (values == 0)
    whole = pc.invert(pc.match_substring(text, "."))
    if pc.any(whole).as_py():
        text = pc.if_else(whole, pc.binary_join_element_wise(text, ".0", ""), text)
    slow = ~positional | np.asarray(pc.match_substring(text, "e"))
    if slow.any():  # nan, inf, exponents: numpy's own text for these few
        text = pc.replace_with_mask(text, pa.array(slow), pa.array(values[slow].astype(str).tolist(), pa.string()))
    return text


def _quote_text(text: str) -> str:
    buf = _io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow([text, "x"])
    return buf.getvalue()[: -len(',x\n')]


def _column_text(series: pd.Series):
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
    if pd.api.types.is_string_dtype(dtype) or dtype == object:
        values = series.to_numpy(dtype=object, na_value=None)
        if any(v is not None and not isinstance(v, str) for v in values):
            raise _Fallback
        return _quoted(pc.fill_null(pa.array(values, type=pa.string()), ""))
    raise _Fallback


def write_csv(frame: pd.DataFrame, fh, *, header: bool = True) -> None:
    """Write ``frame`` to the text stream ``fh`` exactly as ``frame.to_csv(fh, index=False, header=header)``.

    Columns of float64, integer (numpy or nullable), nullable boolean, categorical and text dtypes
    are formatted in bulk; a frame with any other column (or without pyarrow) is written by pandas.
    """
    if not AVAILABLE or len(frame.columns) == 0 or len(frame) == 0 or not all(isinstance(c, str) for c in frame.columns):
        frame.to_csv(fh, index=False, header=header)
        return
    try:
        cells = [_column_text(frame.iloc[:, i]) for i in range(frame.shape[1])]
    except _Fallback:
        frame.to_csv(fh, index=False, header=header)
        return
    if header:
        buf = _io.StringIO()
        csv.writer(buf, lineterminator="\n").writerow(list(frame.columns))
        fh.write(buf.getvalue())
    rows = pc.binary_join_element_wise(*cells, pa.scalar("\n"), "")  # the last cell: the line end
    if len(cells) > 1:
        rows = pc.binary_join_element_wise(*cells, ",")
        rows = pc.binary_join_element_wise(rows, pa.scalar("\n"), "")
    rows = rows.combine_chunks() if isinstance(rows, pa.ChunkedArray) else rows
    # the rows' text lies end to end in the array's data buffer: write it in one piece
    offsets = np.frombuffer(rows.buffers()[1], dtype=np.int32, count=len(rows) + 1, offset=rows.offset * 4)
    fh.write(memoryview(rows.buffers()[2])[offsets[0]:offsets[-1]].tobytes().decode("utf-8"))


def write_labelled_csv(part: pd.DataFrame, fh, *, header: bool = True, sanitize: bool = False) -> None:
    """Write one labelled chunk as the ``label`` command's CSV output does today, byte for byte:
    :func:`stats.formatting.round_for_output`, :func:`stats.io.neutralise_formulas` with
    ``sanitize``, then :func:`write_csv`."""
    from .formatting import round_for_output

    rounded = round_for_output(part)
    write_csv(sio.neutralise_formulas(rounded) if sanitize else rounded, fh, header=header)
