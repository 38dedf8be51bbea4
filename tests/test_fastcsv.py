"""stats._fastcsv: the pyarrow reader yields stats.io.iter_table's chunks; the writer pandas' bytes."""

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from stats import ChangeTest
from stats import _fastcsv as F
from stats import io as sio
from stats.render.csv import frame_csv
from stats.tables import label_changes

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = sorted((ROOT / "data").rglob("*.csv"))

pytestmark = pytest.mark.skipif(not F.AVAILABLE, reason="pyarrow is not installed")


def same_chunks(path, **kw):
    """Both readers' chunks, checked equal (values, dtypes, index); returns how many chunks."""
    ref = list(sio.iter_table(path, **kw))
    got = list(F.iter_table(path, **kw))
    assert len(got) == len(ref)
    for a, b in zip(ref, got, strict=True):
        pd.testing.assert_frame_equal(b, a, check_exact=True)
        assert list(b.dtypes) == list(a.dtypes) and list(b.columns) == list(a.columns)
        assert b.index.equals(a.index)
        assert a.isna().equals(b.isna())
    return len(ref)


def fast_path_taken(path, **kw):
    """Whether the file is read by pyarrow (not handed to stats.io)."""
    try:
        fh, _, _ = F._probe(path, kw.get("encoding"), kw.get("delimiter"), kw.get("folder"), kw.get("max_bytes"))
    except F._Fallback:
        return False
    with fh:
        stream = F._CheckedStream(fh)
        try:
            while stream.read(1 << 12):
                pass
        except F._Fallback:
            return False
    return True


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: str(p.relative_to(ROOT / "data")))
def test_bundled_files_read_alike(path):
    same_chunks(path)
    same_chunks(path, chunk_rows=7)


CASES = {
    "quoted fields": 'prompt_id,previous,current\n"P1, with a comma",54%,71%\n"say ""yes""",1,2\n"two\nlines",3%,4%\n',
    "BOM": "\ufeffprompt_id,previous,current\nP1,54%,71%\n",
    "semicolon": "prompt_id;previous;current\nP1;54,5%;71%\nP2;;\n",
    "tab": "prompt_id\tprevious\tcurrent\nP1\t54%\t71%\n",
    "blank cells": "a,b,c\n,  ,x\n , \t,y\n,,\n",
    "percent strings": (
        "prompt_id,previous,current,n_previous,n_current\nP1, 71% ,71%,24,25\nP2,No comparable data available,,10,10\n"
    ),
    "blank lines": "a,b\n\n1,2\n\n\n3,4\n\n",
    "CRLF": "a,b\r\n1,2\r\n3,4\r\n",
    "non-ASCII": "a,b\nÉcole,\u00a0\nx\u2003,\u3000\n\u200b,é\n",
    "padded names": " a , b \n1,2\n",
    "numbers as text": "a,b\n007,1e3\n-0,+5\n",
}


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize("chunk_rows", [1, 2, 100_000])
def test_generated_files_read_alike_on_the_fast_path(tmp_path, name, chunk_rows):
    path = tmp_path / "t.csv"
    path.write_bytes(CASES[name].encode("utf-8"))
    assert fast_path_taken(path)
    same_chunks(path, chunk_rows=chunk_rows)


def test_a_large_file_reads_alike_across_pyarrow_blocks(tmp_path, monkeypatch):
    monkeypatch.setattr(F, "_BLOCK", 1 << 12)  # many small parsed batches, re-cut into chunks
    rng = np.random.default_rng(0)
    m = 5000
    frame = pd.DataFrame(
        {
            "prompt_id": [f'P{i}, "q"' if i % 97 == 0 else f"P{i}" for i in range(m)],
            "previous": [f"{x}%" for x in rng.integers(0, 101, m)],
            "current": np.where(rng.uniform(size=m) < 0.05, "", rng.integers(0, 101, m).astype(str)),
            "n_previous": rng.integers(1, 300, m),
            "n_current": rng.integers(1, 300, m),
        }
    )
    path = tmp_path / "big.csv"
    frame.to_csv(path, index=False)
    assert fast_path_taken(path)
    assert same_chunks(path, chunk_rows=1234) == 5


BAD = {
    "Latin-1": ("prompt_id,previous\nCaf\xe9,54%\n".encode("latin-1"), {}),
    "UTF-16": ("a,b\n1,2\n".encode("utf-16"), {}),
    "ragged": (b"a,b\n1,2\n3,4,5\n", {}),
    "ragged in a later chunk": (b"a,b\n" + b"1,2\n" * 10 + b"3\n", {"chunk_rows": 4}),
    "control character": (b"a,b\n1,2\n3,\x01\n", {}),
    "control character late": (b"a,b\n" + b"1,2\n" * 10 + b"3,\x7f\n", {"chunk_rows": 4}),
    "empty": (b"", {}),
    "header only": (b"a,b\n", {}),
    "duplicate names": (b"a,a\n1,2\n", {}),
    "blank name": (b"a,\n1,2\n", {}),
    "quoted header": (b'"a,b",c\n1,2\n', {}),
    "blank line before header": (b"\n,\na,b\n1,2\n", {}),
    "unterminated quote": (b'a,b\n"x,2\n', {}),
    "space before quote": (b'a,b\n "x,y",1\n', {}),
    "whitespace-only line": (b"a,b\n  \n1,2\n", {}),
    "invalid UTF-8 late": (b"a,b\n" + b"1,2\n" * 10 + b"3,\xff\n", {"chunk_rows": 4}),
}


def outcome(reader, path, **kw):
    """The chunks read before an error, and the error (type and message)."""
    chunks = []
    try:
        for chunk in reader(path, **kw):
            chunks.append(chunk)
    except (ValueError, OSError) as err:
        return chunks, (type(err), str(err))
    return chunks, None


@pytest.mark.parametrize("name", list(BAD))
def test_other_files_are_read_by_stats_io_with_the_same_chunks_and_error(tmp_path, name):
    data, kw = BAD[name]
    path = tmp_path / "t.csv"
    path.write_bytes(data)
    ref_chunks, ref_err = outcome(sio.iter_table, path, **kw)
    got_chunks, got_err = outcome(F.iter_table, path, **kw)
    assert got_err == ref_err
    assert len(got_chunks) == len(ref_chunks)
    for a, b in zip(ref_chunks, got_chunks, strict=True):
        pd.testing.assert_frame_equal(b, a, check_exact=True)


def test_a_named_encoding_goes_to_stats_io(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes("a,b\nCaf\xe9,1\n".encode("cp1252"))
    assert not fast_path_taken(path, encoding="cp1252")
    same_chunks(path, encoding="cp1252")


# ---- writer ------------------------------------------------------------------------------------


def label_csv_plain(part, sanitize=False, header=True):
    """What the CSV renderer writes for a chunk with pandas (stats.render.csv.frame_csv)."""
    buf = io.StringIO()
    frame_csv(part, buf, sanitize=sanitize, header=header)
    return buf.getvalue()


def no_pandas_writer(*args, **kwargs):
    raise AssertionError("the bulk writer handed the frame to pandas")


def label_csv_fast(part, sanitize=False, header=True):
    buf = io.StringIO()
    with pytest.MonkeyPatch.context() as mp:  # prove the bulk path wrote it
        mp.setattr(pd.DataFrame, "to_csv", no_pandas_writer)
        F.write_frame(part, buf, header=header, sanitize=sanitize)
    return buf.getvalue()


def labelled_synthetic(m=3000, seed=0):
    rng = np.random.default_rng(seed)
    n1, n2 = rng.integers(1, 400, m), rng.integers(1, 400, m)
    k1, k2 = rng.binomial(n1, rng.uniform(0, 1, m)), rng.binomial(n2, rng.uniform(0, 1, m))
    prev = np.char.add(np.floor(100 * k1 / n1 + 0.5).astype(int).astype(str), "%").astype(object)
    cur = np.char.add(np.floor(100 * k2 / n2 + 0.5).astype(int).astype(str), "%").astype(object)
    prev[::41] = "No comparable data available"  # not testable: NaN results, blank cells
    cur[::53] = None
    ids = [f"P{i}" for i in range(m)]
    ids[3], ids[5], ids[7] = '=HYPERLINK("x")', "a, b", 'say "hi"\nthere'
    ids[9] = "-5"
    table = pd.DataFrame(
        {"prompt_id": ids, "previous": prev, "current": cur, "n_previous": n1.astype(str), "n_current": n2.astype(str)}
    ).astype("str")
    return table


@pytest.mark.parametrize("alternative", ["two-sided", "greater"])
@pytest.mark.parametrize("sanitize", [False, True])
def test_writer_writes_the_label_commands_bytes(alternative, sanitize):
    table = labelled_synthetic()
    part = label_changes(table, ChangeTest(alternative=alternative), intervals=True)
    assert (part["pvalue"] < 1e-4).any() and part["pvalue"].isna().any()  # exponents and blanks
    for header in (True, False):
        assert label_csv_fast(part, sanitize, header) == label_csv_plain(part, sanitize, header)
    assert "'=HYPERLINK" in label_csv_fast(part, True) and "'=HYPERLINK" not in label_csv_fast(part, False)
    assert any(len(x) > 12 for x in label_csv_fast(part).split(",")), "full precision, not rounded"


def test_the_csv_renderers_stream_writes_the_same_bytes_with_and_without_pyarrow(monkeypatch):
    from stats.render import WRITERS

    table = labelled_synthetic(m=500, seed=3)
    parts = [label_changes(table.iloc[i : i + 150], ChangeTest(), intervals=True) for i in range(0, 500, 150)]
    fast = io.StringIO()
    WRITERS["csv"].stream(iter(parts), fast, sanitize=True)
    monkeypatch.setattr(F, "AVAILABLE", False)
    plain = io.StringIO()
    WRITERS["csv"].stream(iter(parts), plain, sanitize=True)
    whole = io.StringIO()
    frame_csv(pd.concat(parts), whole, sanitize=True)
    assert fast.getvalue() == plain.getvalue() == whole.getvalue()


@pytest.mark.parametrize("name", ["prompts", "key_questions"])
def test_writer_on_the_bundled_report(name):
    table = sio.read_table(ROOT / "data" / "south-yorkshire-crc-2020" / f"{name}.csv")
    part = label_changes(table, ChangeTest(), intervals=True)
    assert label_csv_fast(part) == label_csv_plain(part)


def test_writer_floats_as_numpy_writes_them():
    rng = np.random.default_rng(1)
    values = np.r_[
        rng.normal(0, 1, 2000),
        np.round(rng.uniform(-1, 1, 2000), 4),
        10.0 ** rng.integers(-30, 30, 500),
        rng.uniform(0, 1, 500) * 10.0 ** rng.integers(-12, 20, 500),
        0.0,
        -0.0,
        np.inf,
        -np.inf,
        np.nan,
        1e16,
        9999999999999998.0,
        1e-4,
        0.00009999,
        100.0,
        5e-324,
    ]
    frame = pd.DataFrame({"x": values, "n": pd.array(np.r_[np.arange(len(values) - 1), -1], dtype="Int64")})
    frame.loc[3, "n"] = pd.NA
    buf = io.StringIO()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pd.DataFrame, "to_csv", no_pandas_writer)
        F.write_csv(frame, buf)
    assert buf.getvalue() == frame.to_csv(index=False)


# ---- the plain reader's rules (stats.io.open_input, stats.limits) hold on the fast path ------------


def same_outcome(path, **kw):
    """Both readers give the same chunks and then the same error (type and message), or none."""
    ref_chunks, ref_err = outcome(sio.iter_table, path, **kw)
    got_chunks, got_err = outcome(F.iter_table, path, **kw)
    assert got_err == ref_err
    assert len(got_chunks) == len(ref_chunks)
    for a, b in zip(ref_chunks, got_chunks, strict=True):
        pd.testing.assert_frame_equal(b, a, check_exact=True)
    return ref_err


def test_a_fifo_is_refused_as_the_plain_reader_refuses_it(tmp_path):
    import os

    path = tmp_path / "pipe.csv"
    os.mkfifo(path)
    err = same_outcome(path)
    assert err[0] is ValueError and "a FIFO (named pipe), not a regular file" in err[1]


def test_a_directory_is_refused_alike(tmp_path):
    err = same_outcome(tmp_path)
    assert err[0] is OSError and "it is a directory" in err[1]


def test_a_symbolic_link_in_a_folder_is_refused_alike(tmp_path):
    target = tmp_path / "real.csv"
    target.write_text("a,b\n1,2\n")
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    err = same_outcome(link, folder=tmp_path)
    assert err[0] is ValueError and "it is a symbolic link" in err[1]
    assert same_outcome(link) is None  # a link the user names is followed, by both


def test_a_file_outside_its_folder_is_refused_alike(tmp_path):
    (tmp_path / "inner").mkdir()
    path = tmp_path / "t.csv"
    path.write_text("a,b\n1,2\n")
    err = same_outcome(path, folder=tmp_path / "inner")
    assert err[0] is ValueError and "outside the report folder" in err[1]


def test_too_many_columns_are_refused_alike(tmp_path):
    from stats import limits

    path = tmp_path / "wide.csv"
    k = limits.MAX_COLUMNS + 1
    path.write_text(",".join(f"c{i}" for i in range(k)) + "\n" + ",".join("1" * k) + "\n")
    err = same_outcome(path)
    assert err[0] is ValueError and "stats.limits.MAX_COLUMNS" in err[1]
    ok = tmp_path / "at-the-limit.csv"
    k = limits.MAX_COLUMNS
    ok.write_text(",".join(f"c{i}" for i in range(k)) + "\n" + ",".join("1" * k) + "\n")
    assert fast_path_taken(ok) and same_outcome(ok) is None


@pytest.mark.parametrize("where", ["header", "first row", "later chunk", "last line, unterminated"])
def test_an_over_long_line_is_refused_alike(tmp_path, where):
    from stats import limits

    long = "x" * limits.MAX_LINE_CHARS
    rows = ["1,2"] * 10
    if where == "header":
        text = f"a,{long}\n" + "\n".join(rows) + "\n"
    elif where == "first row":
        text = "a,b\n" + f"1,{long}\n" + "\n".join(rows) + "\n"
    elif where == "later chunk":
        text = "a,b\n" + "\n".join(rows) + f"\n1,{long}\n" + "\n".join(rows) + "\n"
    else:
        text = "a,b\n" + "\n".join(rows) + f"\n1,{long}"
    path = tmp_path / "long.csv"
    path.write_text(text)
    err = same_outcome(path, chunk_rows=4)
    assert err[0] is ValueError and "stats.limits.MAX_LINE_CHARS" in err[1]


def test_a_long_line_within_the_limit_reads_alike(tmp_path):
    from stats import limits

    path = tmp_path / "long-ok.csv"
    path.write_text("a,b\n" + "1,2\n" * 5 + "1," + "é" * (limits.MAX_LINE_CHARS // 2 - 10) + "\n" + "3,4\n")
    assert same_outcome(path, chunk_rows=2) is None


def test_size_and_row_limits_and_empty_tables_alike(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a,b\n" + "1,2\n" * 10)
    err = same_outcome(path, max_bytes=20)
    assert err[0] is ValueError and "bytes" in err[1]
    for max_rows in (3, 4, 9, 10):
        same_outcome(path, chunk_rows=4, max_rows=max_rows)
    assert same_outcome(path, chunk_rows=4, max_rows=10) is None
    header_only = tmp_path / "h.csv"
    header_only.write_text("a,b\n")
    assert same_outcome(header_only, allow_no_rows=True) is None
    assert same_outcome(header_only)[0] is ValueError


# ---- the label command ------------------------------------------------------------------------


@pytest.mark.parametrize("sanitize", [[], ["--no-sanitize"]])
def test_the_label_command_writes_the_same_bytes_with_and_without_pyarrow(tmp_path, monkeypatch, sanitize):
    from stats.cli import main

    src = tmp_path / "in.csv"
    labelled_synthetic(m=2500, seed=5).to_csv(src, index=False)
    outs = []
    for available in (True, False):
        monkeypatch.setattr(F, "AVAILABLE", available)
        monkeypatch.setattr(sio, "CHUNK_ROWS", 700)  # several chunks
        out = tmp_path / f"out-{available}.csv"
        assert main(["label", str(src), "--format", "csv", "-o", str(out), *sanitize]) == 0
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    assert outs[0].count(b"\n") == 2500 + 1 + 1  # header, rows, and one row with a line break in a quoted cell


@pytest.mark.parametrize("kind", ["repeated", "whole", "whole with nan and -0.0", "large whole"])
def test_writer_floats_repeated_and_whole_as_numpy_writes_them(kind):
    rng = np.random.default_rng(2)
    if kind == "repeated":  # formatted once per distinct value, then taken
        values = rng.choice(np.r_[np.arange(-100, 101) / 100, 0.1 + 0.2, -0.0, 0.0, 1e-5, np.nan, 1e17], 5000)
    elif kind == "whole":
        values = rng.integers(0, 400, 5000).astype(float)
    elif kind == "whole with nan and -0.0":
        values = rng.integers(-400, 400, 5000).astype(float)
        values[::7], values[::11] = np.nan, -0.0
    else:
        values = np.r_[rng.integers(0, 2**53, 3000).astype(float), 1e15 - 1, 1e15, 1e15 + 2, 9.99e15, 1e16, 2.0**53]
    frame = pd.DataFrame({"x": values, "y": values[::-1]})
    buf = io.StringIO()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pd.DataFrame, "to_csv", no_pandas_writer)
        F.write_csv(frame, buf)
    assert buf.getvalue() == frame.to_csv(index=False)


def test_the_formula_check_covers_every_prefix_and_nothing_else():
    for prefix in sio.FORMULA_PREFIXES:
        frame = pd.DataFrame({"a": ["x", f"{prefix}1+2"], "b": ["y", "z"]}).astype("str")
        assert F._may_run(frame), repr(prefix)
        assert F._may_run(pd.DataFrame({f"{prefix}a": ["x"], "b": ["y"]}).astype("str"))
        assert F._may_run(pd.DataFrame({"a": pd.Categorical(["x", f"{prefix}y"]), "b": [1, 2]}))
    safe = pd.DataFrame({"a": ["x", " =1", "a-b", "'=1", None], "n": [1.0, -2.0, 3.0, 4.0, 5.0]}).astype({"a": "str"})
    assert not F._may_run(safe)
    pd.testing.assert_frame_equal(sio.neutralise_formulas(safe), safe)


def test_the_streaming_writer_raises_an_error_from_either_side():
    table = labelled_synthetic(m=300, seed=4)
    part = label_changes(table, ChangeTest(), intervals=True)

    def chunks():
        yield part
        yield part
        raise ValueError("row 601: not a percentage")

    buf = io.StringIO()
    with pytest.raises(ValueError, match="row 601: not a percentage"):
        F.write_frames(chunks(), buf)
    whole = label_csv_plain(part, True) + label_csv_plain(part, True, header=False)
    assert whole.startswith(buf.getvalue())  # (the output file is discarded: stats.io.atomic_writer)

    class Full(io.StringIO):
        def write(self, text):
            raise OSError("No space left on device")

    with pytest.raises(OSError, match="No space left"):
        F.write_frames(iter([part, part, part]), Full())


# ---- the byte-level checks (quotes, formula prefixes, blanks, float layout) agree with a look at each cell ----


def string_arrays():
    """String arrays as the writer and reader meet them: plain, with missing cells, sliced (an offset into
    shared buffers), large_string, empty, and with a missing cell that holds bytes of its own."""
    import pyarrow as pa
    import pyarrow.compute as pc

    cells = ["a", "", "=1", "x,y", 'say "hi"', " ", "\t5", "-3", "ok", "line\nbreak", "é", "+", "@x", "\r"]
    base = pa.array(cells * 3, type=pa.string())
    with_null = pa.array([None, *cells, None], type=pa.string())
    hidden = pc.if_else(pa.array([i % 4 == 0 for i in range(len(cells))]), pa.scalar(None, pa.string()), base[:14])
    out = [base, with_null, hidden, pa.array([], type=pa.string()), pa.array(["", ""], type=pa.string())]
    for a in list(out):
        out += [a.slice(3), a.slice(1, max(len(a) - 4, 0)), a.cast(pa.large_string())]
    return out


@pytest.mark.parametrize("k", range(20))
def test_byte_level_checks_agree_with_each_cell(k):
    arrays = string_arrays()
    if k >= len(arrays):
        pytest.skip("fewer arrays")
    col = arrays[k]
    values = col.to_pylist()
    present = [v for v in values if v is not None]
    # every present cell's bytes lie within the bytes searched
    data = F._text_bytes(col)
    assert all(v.encode() in data for v in present)
    # a formula prefix: True wherever a present cell starts with one (a missing cell may only add a True)
    if any(v.startswith(sio.FORMULA_PREFIXES) for v in present):
        assert F._starts_with_prefix(col)
    if not any(v.startswith(sio.FORMULA_PREFIXES) for v in values if v):  # no cell at all, present or hidden
        hidden = bytes(F._cells(col)[1])
        if not any(c.encode() in hidden for c in sio.FORMULA_PREFIXES):
            assert not F._starts_with_prefix(col)
    # quoting: the same cells as Python's csv writer quotes
    quoted = F._quoted(F.pc.fill_null(col.cast(F.pa.string()), "")).to_pylist()
    assert quoted == [F._quote_text(v or "") for v in values]


@pytest.mark.parametrize("k", range(20))
def test_blank_cells_as_python_strip_sees_them(k):
    arrays = string_arrays()
    if k >= len(arrays):
        pytest.skip("fewer arrays")
    col = arrays[k].cast(F.pa.string())
    if col.null_count:  # the reader's arrays have no missing cells
        col = F.pc.fill_null(col, "")
    blank = F._blank(col)
    expected = [not v.strip() for v in col.to_pylist()]
    assert (blank.to_pylist() if blank is not None else [False] * len(col)) == expected


def test_writer_floats_from_random_bits_as_numpy_writes_them():
    rng = np.random.default_rng(7)
    bits = rng.integers(0, 2**63, 20_000, dtype=np.int64, endpoint=False)
    values = bits.view(np.float64)  # every magnitude, subnormals, nan payloads, both signs below
    values = np.r_[values, -values[:5000], np.floor(rng.uniform(-1e6, 1e6, 3000)), rng.uniform(0, 1, 3000)]
    values = values[np.isfinite(values) | np.isnan(values)]
    rng.shuffle(values)
    for part in (values, values[: len(values) // 2]):
        assert F._float_text_distinct(part).to_pylist() == part.astype(str).tolist()
