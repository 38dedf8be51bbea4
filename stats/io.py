"""File-level input and output: read tables safely, write files whole, neutralise formulas.

Every file the toolkit reads (report folders, frameworks, tables, case files,
long lists, report text) is opened by :func:`open_input`: only a regular file
(a directory, FIFO, device or socket is refused before a byte is read), within
a size limit for files read whole (:mod:`stats.limits`), and, for a file that a
report folder names, not a symbolic link and not outside the folder. No
message quotes the contents of a file that was refused.

Every reader here checks the *shape* of a file before anything looks at its
meaning, so a malformed file is an error that names the file, the row, the
column and the value, never a silently shifted table:

- the encoding is detected from the byte-order mark (UTF-8, UTF-16) or must be
  UTF-8; anything else is an error with a hint (Latin-1 / Windows-1252 files
  are named as such), unless an ``encoding`` is given explicitly;
- binary input (NUL or other control bytes, Excel/zip or PDF signatures) is
  refused;
- the delimiter is sniffed from the header among comma, semicolon and tab;
- the header must have non-blank, distinct column names, at most
  :data:`stats.limits.MAX_COLUMNS` of them, and no line may be longer than
  :data:`stats.limits.MAX_LINE_CHARS` characters;
- every row must have as many fields as the header (a trailing delimiter, an
  unquoted delimiter inside a value and missing fields are named as causes);
- a file with a header and no data rows, and an empty file, are errors.

Rows are numbered from 1 (the first data row after the header); the line of
the file is given as well, since quoted values may span lines.

Writing (:func:`write_atomic`, :func:`atomic_writer`) goes through a temporary
file beside the target that is renamed over it only when complete; see
:func:`check_output_path` for the files that are refused.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import errno
import os
import re
import signal
import stat
import tempfile
import threading
from collections.abc import Generator, Iterable, Iterator
from pathlib import Path
from typing import IO, Any, TypeAlias, TypeVar, cast

import pandas as pd

from . import limits

__all__ = [
    "read_table",
    "iter_table",
    "read_text",
    "write_atomic",
    "atomic_writer",
    "check_output_path",
    "neutralise_formulas",
    "neutralise_formula",
    "neutralise_header",
    "open_input",
    "read_toml",
    "toml_string",
    "check_header",
    "DELIMITERS",
    "CHUNK_ROWS",
    "DISPLAY_ROW_LIMIT",
    "FORMULA_PREFIXES",
]

#: A file name as every reader and writer accepts it: a string or a path-like object.
StrPath: TypeAlias = "str | os.PathLike[str]"

_Cell = TypeVar("_Cell")

#: Delimiters recognised when sniffing a header (in order of preference on a tie).
DELIMITERS = (",", ";", "\t")

#: Rows per chunk when a table is streamed (:func:`iter_table`).
CHUNK_ROWS = 100_000

#: Largest number of rows the ``table`` and ``markdown`` formats render (they hold the whole
#: table in memory to align columns); larger inputs must use ``csv`` (streamed) or ``json``.
DISPLAY_ROW_LIMIT = 200_000

#: First characters that make a spreadsheet read a text cell as a formula (OWASP CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

_HEAD_BYTES = 1 << 16
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
# C0 control characters other than tab, newline, carriage return and form feed: not text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_SIGNATURES = {
    b"PK\x03\x04": (
        "a zip archive (an Excel .xlsx workbook?): save it as CSV, or use `tabulate` for case files in Excel"
    ),
    b"%PDF": "a PDF: extract the tables first (`read-report` parses a report's Annexe 4)",
    b"\xd0\xcf\x11\xe0": "an old Excel .xls (or other OLE) file: save it as CSV",
}


def _name(path: StrPath) -> str:
    return repr(str(path))


# ----------------------------------------------------------------------------------------- encodings


def _detect_encoding(path: StrPath, head: bytes, encoding: str | None) -> str:
    """The encoding to read ``path`` with, from its first bytes; raises ValueError with a hint."""
    where = _name(path)
    if not head:
        raise ValueError(f"{where}: the file is empty (expected a header row and data rows).")
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise ValueError(
                f"encoding ({encoding!r}) is not an encoding Python knows (try 'utf-8' or 'cp1252')."
            ) from None
        return encoding
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for signature, what in _SIGNATURES.items():
        if head.startswith(signature):
            raise ValueError(f"{where} is not a text table: it looks like {what}.")
    nul = head.find(b"\x00")
    if nul >= 0:
        hint = (
            "; it may be UTF-16 without a byte-order mark: re-save it as UTF-8"
            if head.count(b"\x00") * 3 > len(head)
            else ""
        )
        raise ValueError(f"{where} is not a text file: a NUL byte at byte {nul + 1}{hint}.")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=len(head) < _HEAD_BYTES)
    except UnicodeDecodeError as err:
        raise ValueError(_not_utf8_message(path, head, err.start)) from None
    return "utf-8"


def _not_utf8_message(path: StrPath, data: bytes, offset: int) -> str:
    line = data.count(b"\n", 0, offset) + 1
    byte = data[offset]
    try:
        guess = data[max(0, offset - 10) : offset + 10].decode("cp1252")
        hint = (
            f"it looks like Windows-1252 / Latin-1 (the text reads {guess!r} that way): re-save it as "
            "UTF-8, or pass the encoding (--encoding cp1252)"
        )
    except UnicodeDecodeError:
        hint = "re-save it as UTF-8, or pass its encoding (--encoding NAME)"
    return f"{_name(path)} is not UTF-8 (byte 0x{byte:02x} on line {line}); {hint}."


# ----------------------------------------------------------------------------------------- delimiters


def _sniff_delimiter(path: StrPath, text: str, delimiter: str | None) -> str:
    if delimiter is not None:
        if delimiter not in DELIMITERS:
            names = ", ".join(repr(d) for d in DELIMITERS)
            raise ValueError(f"delimiter ({delimiter!r}) must be one of {names}.")
        return delimiter
    lines = text.splitlines()[:50]
    header = lines[0] if lines else ""
    candidates = [d for d in DELIMITERS if d in header]
    if len(candidates) <= 1:
        return candidates[0] if candidates else ","
    # Several candidates in the header: the one that splits the sample into rows of the header's width.
    sample = "\n".join(lines[:-1] if len(lines) > 2 else lines)

    def score(d):
        rows = [r for r in csv.reader(sample.splitlines(), delimiter=d) if r]
        width = len(rows[0]) if rows else 0
        return (sum(len(r) == width for r in rows) if width > 1 else -1, width)

    return max(candidates, key=score)


# ----------------------------------------------------------------------------------------- reading


def _check_text(path: StrPath, chunk: str, line_offset: int) -> None:
    m = _CONTROL.search(chunk)
    if m:
        line = line_offset + chunk.count("\n", 0, m.start())
        raise ValueError(
            f"{_name(path)} is not a text table: control character {m.group()!r} on line {line} "
            "(a binary file, or a file in another encoding?)."
        )


def check_header(path: StrPath, row: list[str], delimiter: str = ",") -> list[str]:
    """Column names of a header row, stripped; ValueError for a blank or duplicate name, or too many columns.

    ``path`` only names the file (or sheet) in messages. Used by every reader (CSV and workbooks), so a
    header is held to one rule whatever the format. At most :data:`stats.limits.MAX_COLUMNS` columns.

    See Also
    --------
    read_table : Calls this on every table's header.
    neutralise_header : Makes column names inert for spreadsheets (output, not input).

    Examples
    --------
    >>> from stats.io import check_header
    >>> check_header("t.csv", [" previous ", "current"])
    ['previous', 'current']
    >>> check_header("t.csv", ["previous", "previous"])
    Traceback (most recent call last):
    ...
    ValueError: 't.csv': header, column 2: duplicate column name 'previous' (also column 1); column names must be
    distinct.
    """
    if len(row) > limits.MAX_COLUMNS:
        raise ValueError(
            f"{_name(path)}: the header has {len(row):,} columns, more than the limit of {limits.MAX_COLUMNS:,} "
            "(stats.limits.MAX_COLUMNS): a table of inspection data has one column per figure or prompt."
        )
    names = [c.strip() for c in row]
    seen: dict[str, int] = {}
    for i, name in enumerate(names, start=1):
        if not name:
            cause = " (a trailing delimiter at the end of the header?)" if i == len(names) and len(names) > 1 else ""
            raise ValueError(
                f"{_name(path)}: header, column {i}: the column name is blank{cause}; every column needs a name."
            )
        if name in seen:
            raise ValueError(
                f"{_name(path)}: header, column {i}: duplicate column name {name!r} (also column {seen[name]}); "
                "column names must be distinct."
            )
        seen[name] = i
    return names


def _ragged(path: StrPath, row: list[str], header: list[str], row_number: int, line: int, delimiter: str) -> ValueError:
    n, k = len(header), len(row)
    where = f"{_name(path)}: row {row_number} (line {line})"
    dname = _DELIMITER_NAMES[delimiter]
    if k > n:
        extra = row[n:]
        if all(x == "" for x in extra):
            cause = f"a trailing {dname} at the end of the row? remove it"
        else:
            cause = f"an unquoted {dname} inside a value? put values that contain a {dname} in double quotes"
        return ValueError(
            f"{where} has {k} fields but the header has {n}: column {n + 1} holds {row[n]!r}, "
            f"beyond the last named column {header[-1]!r} ({cause})."
        )
    return ValueError(
        f"{where} has {k} fields but the header has {n}: column {k + 1} ({header[k]!r}) and after are missing "
        f"(a row cut short, or a value with a line break that is not in double quotes?)."
    )


# ----------------------------------------------------------------------------------------- opening


def _kind(mode: int) -> str:
    return (
        "a directory"
        if stat.S_ISDIR(mode)
        else "a FIFO (named pipe)"
        if stat.S_ISFIFO(mode)
        else "a device"
        if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
        else "a socket"
        if stat.S_ISSOCK(mode)
        else "not a regular file"
    )


def _inside(path: Path, folder: Path) -> bool:
    try:
        Path(os.path.realpath(path)).relative_to(os.path.realpath(folder))
    except ValueError:
        return False
    return True


def open_input(
    path: StrPath, *, folder: StrPath | None = None, max_bytes: int | None = None, follow_symlinks: bool | None = None
) -> IO[bytes]:
    """Open a file for reading (binary), after the checks every reader makes; return the file object.

    Refused before a byte is read (the messages name the file, never its contents):

    - anything that is not a regular file: a directory, a FIFO (which would block), a device
      (``/dev/zero`` would never end), a socket; the check is made on the opened descriptor
      (opened non-blocking), so the file cannot be swapped between check and read;
    - with ``folder`` (a file that a report folder names, not the user): a symbolic link, and a
      path that resolves outside ``folder`` (``../../elsewhere``), so a folder from someone else
      cannot make the toolkit read, or print, a file outside it;
    - a symbolic link also without ``folder`` when ``follow_symlinks=False`` (the default is to
      follow a link the user named on the command line, and not to follow one inside a folder);
    - a file larger than ``max_bytes`` (the limit is named in the message).

    Raises
    ------
    ValueError
        For a refused file; OSError when it cannot be opened.

    See Also
    --------
    read_table : Reads a delimited table through this.
    read_text : Reads a whole text file through this.
    read_toml : Reads a TOML file through this.

    Examples
    --------
    >>> import pathlib, shutil, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> from stats.io import open_input
    >>> _ = (folder / "t.csv").write_text("previous,current\\n")
    >>> with open_input(folder / "t.csv") as fh:
    ...     fh.read()
    b'previous,current\\n'
    >>> open_input(folder)
    Traceback (most recent call last):
    ...
    OSError: cannot read '...': it is a directory, not a file
    >>> shutil.rmtree(folder)
    """
    p = Path(path)
    where = _name(path)
    if folder is not None and not _inside(p, Path(folder)):
        raise ValueError(
            f"cannot read {where}: it is outside the report folder {str(folder)!r}; a report folder may "
            "name only files inside it: copy the file into the folder, or name it yourself (validate "
            "--framework FILE, load_report(path=..., framework=FILE))."
        )
    follow = (folder is None) if follow_symlinks is None else follow_symlinks
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    if not follow:
        flags |= getattr(os, "O_NOFOLLOW", 0)
        try:
            if stat.S_ISLNK(os.lstat(p).st_mode):
                raise ValueError(
                    f"cannot read {where}: it is a symbolic link; files of a report folder must be "
                    "regular files in the folder (copy the file in instead of linking it)."
                )
        except FileNotFoundError:
            raise OSError(f"cannot read {where}: no such file") from None
    try:
        fd = os.open(p, flags)
    except FileNotFoundError:
        raise OSError(f"cannot read {where}: no such file") from None
    except IsADirectoryError:
        raise OSError(f"cannot read {where}: it is a directory, not a file") from None
    except OSError as err:
        if not follow and err.errno == errno.ELOOP:
            raise ValueError(
                f"cannot read {where}: it is a symbolic link; files of a report folder must be "
                "regular files in the folder."
            ) from None
        raise OSError(f"cannot read {where}: {err.strerror or err}") from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise OSError(f"cannot read {where}: it is a directory, not a file")
        if not stat.S_ISREG(st.st_mode):
            raise ValueError(f"cannot read {where}: it is {_kind(st.st_mode)}, not a regular file.")
        if max_bytes is not None and st.st_size > max_bytes:
            raise ValueError(
                f"cannot read {where}: it is {st.st_size:,} bytes, more than {limits.describe(max_bytes, 'bytes')}."
            )
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_toml(path: StrPath, *, folder: StrPath | None = None, max_bytes: int | None = None) -> dict[str, Any]:
    """A TOML file as a dict, read through :func:`open_input` (regular file, size limit, folder rule).

    TOML is UTF-8 by its specification; the limit defaults to :data:`stats.limits.MAX_TOML_BYTES`.
    A syntax error is a ValueError naming the file, line and column (from :mod:`tomllib`), never
    quoting the file's contents.

    See Also
    --------
    toml_string : Writes a string as TOML.
    tomllib.load : The parser used, once the file has passed the checks.
    stats.framework.load_framework : Reads a framework file through this.

    Examples
    --------
    >>> import pathlib, shutil, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> from stats.io import read_toml
    >>> _ = (folder / "report.toml").write_text('name = "my-report"\\nconstructed = true\\n')
    >>> read_toml(folder / "report.toml")
    {'name': 'my-report', 'constructed': True}
    >>> shutil.rmtree(folder)
    """
    import tomllib

    limit = limits.MAX_TOML_BYTES if max_bytes is None else max_bytes
    with open_input(path, folder=folder, max_bytes=limit) as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"cannot read {_name(path)}: larger than {limits.describe(limit, 'bytes')}.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ValueError(
            f"{_name(path)} is not UTF-8 (byte 0x{data[err.start]:02x} at byte {err.start + 1}); "
            "TOML files must be UTF-8."
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ValueError(f"{_name(path)} is not valid TOML: {err}") from None
    except RecursionError:
        raise ValueError(
            f"{_name(path)}: arrays or tables are nested too deeply to read (a report.toml or a "
            "framework nests at most two levels)."
        ) from None


_TOML_ESCAPES = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r", '"': '\\"', "\\": "\\\\"}


def toml_string(value: str) -> str:
    """``value`` as a TOML basic string, quotes included, escaped as the TOML 1.0 specification requires.

    Backslash and double quote are escaped, and so is every control character (U+0000 to U+001F and
    U+007F: the short forms ``\\b \\t \\n \\f \\r``, else ``\\uXXXX``); everything else is written
    as it is (TOML files are UTF-8). So any path or name round-trips through :mod:`tomllib`.

    See Also
    --------
    read_toml : Reads what this writes.

    Examples
    --------
    >>> from stats.io import toml_string
    >>> import tomllib
    >>> text = 'C:\\\\reports\\\\"odd"\\nname'
    >>> tomllib.loads("x = " + toml_string(text))["x"] == text
    True
    """
    if not isinstance(value, str):
        raise TypeError(f"value must be a string (got {type(value).__name__}).")
    out = []
    for ch in value:
        if ch in _TOML_ESCAPES:
            out.append(_TOML_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


# ----------------------------------------------------------------------------------------- tables


class _Reader:
    """Shape-checked CSV reader over a text file (see the module docstring).

    Internal, but used by :mod:`stats._fastcsv` (the pyarrow reader opens, sniffs and checks the
    header of a file through it): keep ``_Reader(path, encoding=, delimiter=, folder=, max_bytes=)``,
    ``.fh``, ``.encoding``, ``.delimiter``, ``.rows()`` and ``.header``.
    """

    def __init__(self, path, *, encoding=None, delimiter=None, folder=None, max_bytes=None, allow_no_rows=False):
        self.path = path
        self.allow_no_rows = allow_no_rows
        self.fh = open_input(path, folder=folder, max_bytes=max_bytes)
        try:
            head = self.fh.read(_HEAD_BYTES)
        except OSError as err:
            self.fh.close()
            raise OSError(f"cannot read {_name(path)}: {err.strerror or err}") from None
        try:
            self.encoding = _detect_encoding(path, head, encoding)
            text_head = head.decode(self.encoding, errors="replace")
            if self.encoding.startswith("utf-8") and text_head.startswith("\ufeff"):
                text_head = text_head[1:]
            if not text_head.strip():
                raise ValueError(f"{_name(path)}: the file is empty (expected a header row and data rows).")
            self.delimiter = _sniff_delimiter(path, text_head, delimiter)
        except BaseException:
            self.fh.close()
            raise

    def rows(self) -> Generator[tuple[int, int, list[str]], None, None]:
        """Yield ``(row_number, line, fields)`` for every data row; sets ``self.header`` first."""
        import io as _io

        path = self.path
        if csv.field_size_limit() < limits.MAX_LINE_CHARS:  # a field may be as long as a line may be
            csv.field_size_limit(int(limits.MAX_LINE_CHARS))
        self.fh.seek(0)
        fh = _io.TextIOWrapper(self.fh, encoding=self.encoding, newline="", errors="strict")
        with fh:
            checked = _CheckedLines(path, fh)
            reader = csv.reader(checked, delimiter=self.delimiter, strict=False)
            try:
                header_row = next((r for r in reader if any(c.strip() for c in r)), None)
                if header_row is None:
                    raise ValueError(f"{_name(path)}: the file is empty (expected a header row and data rows).")
                self.header = check_header(path, header_row, self.delimiter)
                n = len(self.header)
                number = 0
                for row in reader:
                    if not row or (len(row) == 1 and not row[0].strip() and n > 1):
                        continue  # blank line
                    number += 1
                    if len(row) != n:
                        raise _ragged(path, row, self.header, number, reader.line_num, self.delimiter)
                    yield number, reader.line_num, row
            except csv.Error as err:
                raise ValueError(f"{_name(path)}: line {reader.line_num}: cannot be read as CSV ({err}).") from None
            except UnicodeDecodeError as err:
                raise ValueError(
                    f"{_name(path)}: line {checked.line}: not valid {self.encoding} ({err.reason}); "
                    "re-save it as UTF-8, or pass its encoding (--encoding NAME)."
                ) from None
            if number == 0 and not self.allow_no_rows:
                raise ValueError(f"{_name(path)} has a header ({', '.join(self.header)}) but no data rows.")


class _CheckedLines:
    """Line iterator that refuses control characters and over-long lines, and counts lines (for messages)."""

    def __init__(self, path, fh):
        self.path, self.fh, self.line = path, fh, 0

    def __iter__(self):
        return self

    def __next__(self):
        text = self.fh.readline(limits.MAX_LINE_CHARS + 1)
        if not text:
            raise StopIteration
        self.line += 1
        if len(text) > limits.MAX_LINE_CHARS:
            raise ValueError(
                f"{_name(self.path)}: line {self.line} is longer than {limits.MAX_LINE_CHARS:,} "
                "characters (stats.limits.MAX_LINE_CHARS): not a table of inspection data."
            )
        if _CONTROL.search(text):
            _check_text(self.path, text, self.line)
        return text


def _frame(header: list[str], rows: list[list[str]], first: int) -> pd.DataFrame:
    columns = list(zip(*rows, strict=False)) if rows else [() for _ in header]
    data = {
        name: pd.Series([x if x.strip() else None for x in col], dtype=object)
        for name, col in zip(header, columns, strict=False)
    }
    frame = pd.DataFrame(data)
    frame = frame.astype("str") if len(frame.columns) else frame
    frame.index = pd.RangeIndex(first, first + len(rows))
    return frame


def iter_table(
    path: StrPath,
    *,
    chunk_rows: int | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    folder: StrPath | None = None,
    max_bytes: int | None = None,
    allow_no_rows: bool = False,
    max_rows: int | None = None,
) -> Iterator[pd.DataFrame]:
    """Read a delimited text table in chunks of ``chunk_rows`` rows, checking its shape first.

    Parameters
    ----------
    path : str or path-like
        The file.
    chunk_rows : int, optional
        Default :data:`CHUNK_ROWS` (100,000).
        Rows per chunk: memory use is proportional to it, not to the file.
    encoding : str, optional
        Default: UTF-8, or UTF-8/UTF-16 by byte-order mark; other encodings
        (Windows-1252, Latin-1) must be named.
    delimiter : {',', ';', '\\t'}, optional
        Default: sniffed from the header.
    folder : path, optional
        The report folder the file belongs to: then the file must be a regular file inside it,
        not a symbolic link (see :func:`open_input`).
    max_bytes : int, optional
        Largest file size accepted (default: no limit; the file is streamed).
    allow_no_rows : bool, default False
        Accept a file with a header and no data rows (one empty chunk) instead of refusing it.
    max_rows : int, optional
        Refuse the file as soon as it has more data rows than this (default: no limit).

    Yields
    ------
    pandas.DataFrame
        Cells as text (surrounding blanks kept; blank cells missing), column
        names stripped; the index numbers rows from 1 across chunks.

    Raises
    ------
    ValueError
        A malformed file (see the module docstring); the message names the
        file, row, line, column and value.
    OSError
        The file cannot be opened.

    See Also
    --------
    read_table : The whole table at once, with the same checks.
    pandas.read_csv : Its ``chunksize`` option, without the shape checks made here.

    Examples
    --------
    >>> import pathlib, shutil, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> from stats.io import iter_table
    >>> _ = (folder / "t.csv").write_text("previous,current\\n54%,71%\\n60%,65%\\n")
    >>> for chunk in iter_table(folder / "t.csv", chunk_rows=1):
    ...     print(chunk)
      previous current
    1      54%     71%
      previous current
    2      60%     65%
    >>> shutil.rmtree(folder)
    """
    given: object = CHUNK_ROWS if chunk_rows is None else chunk_rows  # checked as any object a caller may pass
    if isinstance(given, bool) or not isinstance(given, int) or given < 1:
        raise ValueError(f"chunk_rows must be a whole number >= 1 (got {given!r}).")
    chunk_rows = given
    reader = _Reader(
        path, encoding=encoding, delimiter=delimiter, folder=folder, max_bytes=max_bytes, allow_no_rows=allow_no_rows
    )
    batch: list[list[str]] = []
    first = 1
    rows = reader.rows()
    try:
        for number, _, row in rows:
            if max_rows is not None and number > max_rows:
                raise ValueError(f"{_name(path)} has more than {limits.describe(max_rows, 'rows')}.")
            batch.append(row)
            if len(batch) == chunk_rows:
                yield _frame(reader.header, batch, first)
                first, batch = number + 1, []
        if batch or first == 1:  # (no rows: only with allow_no_rows) one empty frame with the header's columns
            yield _frame(reader.header, batch, first)
    finally:
        rows.close()
        reader.fh.close()


def read_table(
    path: StrPath,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    folder: StrPath | None = None,
    max_bytes: int | None = None,
    allow_no_rows: bool = False,
    max_rows: int | None = None,
) -> pd.DataFrame:
    """Read a whole delimited text table (CSV, semicolon- or tab-separated), checking its shape first.

    The same rules as :func:`iter_table`, in one DataFrame.

    See Also
    --------
    iter_table : The same table in chunks of rows.
    read_text : A whole text file with the same encoding rules.
    pandas.read_csv : The general reader, without these checks.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from stats.io import read_table
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = path.write_text("previous;current\\n54%;71%\\n")
    >>> read_table(path)
      previous current
    1      54%     71%
    >>> _ = path.write_text("previous,current\\n54%,71%,\\n")
    >>> read_table(path)
    Traceback (most recent call last):
    ...
    ValueError: '...t.csv': row 1 (line 2) has 3 fields but the header has 2: column 3 holds '', beyond the last
    named column 'current' (a trailing comma at the end of the row? remove it).
    """
    chunks = list(
        iter_table(
            path,
            chunk_rows=1 << 62,
            encoding=encoding,
            delimiter=delimiter,
            folder=folder,
            max_bytes=max_bytes,
            allow_no_rows=allow_no_rows,
            max_rows=max_rows,
        )
    )
    return chunks[0]


def read_text(
    path: StrPath, *, encoding: str | None = None, folder: StrPath | None = None, max_bytes: int | None = None
) -> str:
    """Whole text of a file, with the encoding rules of :func:`read_table`; empty and binary files are errors.

    Read through :func:`open_input` (regular files only; ``folder`` as there); at most ``max_bytes``
    (default :data:`stats.limits.MAX_TEXT_BYTES`).

    See Also
    --------
    read_table : A delimited table with the same encoding rules.
    stats.annexe.read_report_text : A report's text, from a text file or a PDF.

    Examples
    --------
    >>> import pathlib, shutil, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> from stats.io import read_text
    >>> _ = (folder / "r.txt").write_bytes("Annexe 4: Inspection data\\n".encode("utf-16"))
    >>> read_text(folder / "r.txt")
    'Annexe 4: Inspection data\\n'
    >>> shutil.rmtree(folder)
    """
    limit = limits.MAX_TEXT_BYTES if max_bytes is None else max_bytes
    with open_input(path, folder=folder, max_bytes=limit) as fh:
        try:
            data = fh.read(limit + 1)
        except OSError as err:
            raise OSError(f"cannot read {_name(path)}: {err.strerror or err}") from None
    if len(data) > limit:
        raise ValueError(f"cannot read {_name(path)}: larger than {limits.describe(limit, 'bytes')}.")
    enc = _detect_encoding(path, data[:_HEAD_BYTES], encoding)
    try:
        text = data.decode(enc)
    except UnicodeDecodeError as err:
        raise ValueError(_not_utf8_message(path, data, err.start)) from None
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise ValueError(f"{_name(path)}: the file is empty.")
    _check_text(path, text, 1)
    return text


# ----------------------------------------------------------------------------------------- formulas

_NUMBER = r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?%?"


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix ``'`` to text cells (and column names) that a spreadsheet would run as a formula.

    OWASP's rule for CSV injection: a cell starting with ``=``, ``+``, ``-``,
    ``@``, tab or carriage return is prefixed with a single quote, so Excel,
    LibreOffice and Google Sheets show it as text. Numbers are unaffected:
    numeric columns are left alone, and so is text that is a plain number
    (``-5``, ``+3.2``, ``-1e3``, ``-5%``). The input is not modified.

    See Also
    --------
    neutralise_formula : The rule for one cell.
    neutralise_header : The rule for column names alone.

    Examples
    --------
    >>> import pandas as pd
    >>> from stats.io import neutralise_formulas
    >>> neutralise_formulas(pd.DataFrame({"prompt": ['=HYPERLINK("http://x")', "-5", "Is it?"], "n": [-1, 2, 3]}))
                        prompt  n
    0  '=HYPERLINK("http://x")  -1
    1                       -5   2
    2                   Is it?   3
    """
    out = frame.copy(deep=False)
    names: list[object] = list(frame.columns)  # any hashable, not only text
    out.columns = [_neutral_cell(c) if isinstance(c, str) else c for c in names]
    for i, (_, col) in enumerate(frame.items()):
        if pd.api.types.is_numeric_dtype(col.dtype) or pd.api.types.is_bool_dtype(col.dtype):
            continue
        if isinstance(col.dtype, pd.CategoricalDtype):
            cats = col.cat.categories
            if cats.dtype == object or pd.api.types.is_string_dtype(cats.dtype):
                # pandas-stubs omit Series from isetitem's values; pandas takes one (aligned on the index).
                out.isetitem(i, col.cat.rename_categories([_neutral_cell(c) for c in cats]))  # type: ignore[arg-type]
            continue
        text = col.astype("string")
        risky = text.str.match(r"[=+\-@\t\r]", na=False)
        if not risky.any():
            continue
        risky &= ~text.str.fullmatch(_NUMBER, na=False)
        if risky.any():
            fixed = col.astype(object).copy()
            fixed[risky.to_numpy()] = "'" + text[risky].astype(object)
            out.isetitem(i, fixed)  # type: ignore[arg-type]  # as above: the stubs omit Series
    return out


def neutralise_formula(value: _Cell) -> _Cell:
    """One cell made inert for spreadsheets (the rule of :func:`neutralise_formulas`).

    See Also
    --------
    neutralise_formulas : The rule applied to every text cell of a frame.
    neutralise_header : The rule applied to column names.

    Examples
    --------
    >>> from stats.io import neutralise_formula
    >>> neutralise_formula("=1+2"), neutralise_formula("-4 points"), neutralise_formula("-4"), neutralise_formula(-4)
    ("'=1+2", "'-4 points", '-4', -4)
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) and not re.fullmatch(_NUMBER, value):
        return cast(_Cell, "'" + value)  # text in, text out
    return value


_neutral_cell = neutralise_formula


def neutralise_header(columns: Iterable[object]) -> list[object]:
    """Column names made inert for spreadsheets: :func:`neutralise_formula` applied to each name.

    Header cells are data too: a column named ``=HYPERLINK("http://x")`` in a user's file would
    otherwise become a live formula in the header row of a CSV, workbook or Markdown table written
    from it. Non-text names (numbers) are returned as they are.

    See Also
    --------
    neutralise_formula : The rule for one cell.
    neutralise_formulas : The rule for a whole frame, names included.

    Examples
    --------
    >>> from stats.io import neutralise_header
    >>> neutralise_header(["prompt", '=HYPERLINK("http://x")', "-5", 3])
    ['prompt', '\\'=HYPERLINK("http://x")', '-5', 3]
    """
    return [neutralise_formula(c) for c in columns]


# ----------------------------------------------------------------------------------------- writing


def _umask() -> int:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # no other way to read it; restored at once
    os.umask(mask)
    return mask


def _same(a: StrPath, b: StrPath) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def check_output_path(
    path: StrPath, inputs: Iterable[StrPath | None] = (), protected: Iterable[StrPath | None] = ()
) -> Path:
    """Check that ``path`` may be written by :func:`atomic_writer`; return it as a Path.

    Refused (ValueError naming ``path``): a directory, anything that is not a
    regular file (a FIFO, a device, a socket), a symbolic link (the link is not
    followed: give the target's own path to replace it, so that a link planted
    in a shared folder cannot redirect the output), and a path whose folder
    does not exist.

    Inputs are never outputs: refused too is one of ``inputs`` (the same file,
    compared with :func:`os.path.samefile`, so hard links and other spellings
    of the path count). An input that is a folder (a report folder), and every
    folder in ``protected``, protects itself and every file in it: the output
    may be a new file there, never the folder itself or a file that exists in
    it (``report --path F -o F/prompts.csv`` is refused).

    See Also
    --------
    atomic_writer : Calls this before it opens the temporary file.
    write_atomic : Writes a whole text through :func:`atomic_writer`.

    Examples
    --------
    >>> import pathlib, shutil, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> from stats.io import check_output_path
    >>> _ = (folder / "in.csv").write_text("previous,current\\n54%,71%\\n")
    >>> check_output_path(folder / "out.csv", inputs=[folder / "in.csv"]).name
    'out.csv'
    >>> check_output_path(folder / "in.csv", inputs=[folder / "in.csv"])
    Traceback (most recent call last):
    ...
    ValueError: cannot write '...in.csv': it is the input file '...in.csv'; refusing to overwrite the input (write to
    another file).
    >>> shutil.rmtree(folder)
    """
    p = Path(path)
    where = _name(path)
    if not str(path):
        raise ValueError("the output path is empty.")
    folders: list[StrPath] = [Path(f) for f in protected if f is not None]
    files: list[StrPath] = []
    for source in inputs:
        if source is None:
            continue
        (folders if os.path.isdir(source) else files).append(source)
    try:
        st = os.lstat(p)
    except FileNotFoundError:
        st = None
    except OSError as err:
        raise OSError(f"cannot write {where}: {err.strerror or err}") from None
    for folder in folders:
        if _same(p, folder) or (st is None and os.path.realpath(p) == os.path.realpath(folder)):
            raise ValueError(
                f"cannot write {where}: it is the input folder {str(folder)!r}; give a file name outside it."
            )
    if st is not None:
        if stat.S_ISLNK(st.st_mode):
            raise ValueError(
                f"cannot write {where}: it is a symbolic link (to {os.readlink(p)!r}); output is written only "
                "to regular files: give the target's own path to replace it."
            )
        if stat.S_ISDIR(st.st_mode):
            raise ValueError(f"cannot write {where}: it is a directory; give a file name.")
        if not stat.S_ISREG(st.st_mode):
            raise ValueError(
                f"cannot write {where}: it is {_kind(st.st_mode)}; output is written only to regular files."
            )
        for source in files:
            if _same(p, source):
                raise ValueError(
                    f"cannot write {where}: it is the input file {str(source)!r}; refusing to overwrite the input "
                    "(write to another file)."
                )
        for folder in folders:
            if _same(p.parent if str(p.parent) else Path("."), folder):
                raise ValueError(
                    f"cannot write {where}: it is a file of the input folder {str(folder)!r}; refusing to "
                    "overwrite the input (write to a new file, or outside the folder)."
                )
    folder = p.parent if str(p.parent) else Path(".")
    if not folder.is_dir():
        raise OSError(f"cannot write {where}: the folder {str(folder)!r} does not exist")
    return p


@contextlib.contextmanager
def _cleanup_on_signals():
    """Turn SIGTERM (and SIGHUP) into SystemExit while writing, so that ``finally`` blocks run.

    SIGINT already raises KeyboardInterrupt. Only in the main thread (Python's rule for handlers),
    and only where the default action is in place (an ignored signal stays ignored).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {}

    def handler(signum, frame):
        raise SystemExit(128 + signum)

    for name in ("SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is not None and signal.getsignal(sig) is signal.SIG_DFL:
            previous[sig] = signal.signal(sig, handler)
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


@contextlib.contextmanager
def atomic_writer(
    path: StrPath,
    *,
    inputs: Iterable[StrPath | None] = (),
    protected: Iterable[StrPath | None] = (),
    encoding: str = "utf-8",
    binary: bool = False,
) -> Iterator[IO[Any]]:
    """Open a text (or, with ``binary``, a bytes) file for writing that appears at ``path`` only when complete.

    The text goes to a hidden temporary file beside ``path`` (same folder, so
    the final rename is atomic); on success it gets the permissions a new file
    would get under the umask (``0o666 & ~umask``; an existing file keeps its
    own) and replaces ``path`` whole. On any error, SIGINT or SIGTERM the
    temporary file is removed and ``path`` is untouched. SIGKILL cannot be
    caught: a ``.NAME.*.tmp`` file may then remain. Errors name ``path``, never
    the temporary file. See :func:`check_output_path` for refused paths.

    See Also
    --------
    write_atomic : The same for a whole text at once.
    check_output_path : The checks made on ``path`` before anything is written.
    stats.io.read_table : The reader whose files this never overwrites.

    Examples
    --------
    >>> import pathlib, shutil, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> from stats.io import atomic_writer
    >>> with atomic_writer(folder / "t.csv") as fh:
    ...     _ = fh.write("previous,current\\n54%,71%\\n")
    >>> (folder / "t.csv").read_text()
    'previous,current\\n54%,71%\\n'
    >>> sorted(p.name for p in folder.iterdir())  # no temporary file left behind
    ['t.csv']
    >>> shutil.rmtree(folder)
    """
    target = check_output_path(path, inputs, protected)
    where = _name(path)
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    folder = target.parent if str(target.parent) else Path(".")
    with _cleanup_on_signals():
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
        except OSError as err:
            raise OSError(f"cannot write {where}: {err.strerror or err}") from None
        try:
            with os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding=encoding, newline="") as fh:
                yield fh
            os.chmod(tmp, mode)
            os.replace(tmp, target)
        except OSError as err:
            _unlink(tmp)
            raise OSError(f"cannot write {where}: {err.strerror or err}") from None
        except BaseException:
            _unlink(tmp)
            raise


def _unlink(tmp: StrPath) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(tmp)


def write_atomic(
    path: StrPath, text: str, *, inputs: Iterable[StrPath | None] = (), protected: Iterable[StrPath | None] = ()
) -> None:
    """Write ``text`` to ``path`` whole or not at all (see :func:`atomic_writer`).

    ``inputs``: paths the output must not overwrite (the command's input files and folders);
    ``protected``: folders whose files must not be overwritten (see :func:`check_output_path`).

    See Also
    --------
    atomic_writer : The same for text written piece by piece.
    check_output_path : The checks made on ``path`` first.

    Examples
    --------
    >>> import pathlib, shutil, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> from stats.io import write_atomic
    >>> write_atomic(folder / "note.txt", "written whole\\n")
    >>> (folder / "note.txt").read_text()
    'written whole\\n'
    >>> shutil.rmtree(folder)
    """
    with atomic_writer(path, inputs=inputs, protected=protected) as fh:
        fh.write(text)
