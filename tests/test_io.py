"""stats.io: shape checks of the table reader, safe output files, formula neutralisation, streaming."""

import json
import os
import signal
import stat
import subprocess
import sys
import time

import pandas as pd
import pytest

from stats import compare_proportions
from stats import io as sio
from stats.cli import main
from tests.conftest import ROOT

HEADER = "prompt,previous,current,n_previous,n_current\n"
GOOD = HEADER + "Was it done?,54%,71%,100,100\nWas it done well?,60%,62%,100,100\n"


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def write(tmp_path, name, content, encoding="utf-8"):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding=encoding, newline="")
    return path


# ----------------------------------------------------------------------------------------- shape


def test_ragged_rows_are_an_error_not_a_column_shift(capsys, tmp_path):
    # every row one field longer than the header: pandas took the first column as the index and
    # labelled "100 -> 100, n 20/30, no significant change"
    path = write(tmp_path, "ragged.csv", "previous,current,n_previous,n_current\n54,71,100,100,20\n40,70,100,100,30\n")
    code, out, err = run(capsys, "label", path, "--format", "csv")
    assert code == 2 and out == ""
    assert "row 1 (line 2) has 5 fields but the header has 4: column 5 holds '20'" in err
    assert "unquoted comma inside a value" in err


def test_trailing_comma_on_every_row_names_the_cause(capsys, tmp_path):
    path = write(tmp_path, "trailing.csv", "previous,current,n_previous,n_current\n54,71,100,100,\n")
    code, _, err = run(capsys, "label", path)
    assert code == 2 and "row 1 (line 2) has 5 fields but the header has 4" in err and "trailing comma" in err
    header_too = write(tmp_path, "trailing2.csv", "previous,current,n_previous,n_current,\n54,71,100,100,\n")
    code, _, err = run(capsys, "label", header_too)
    assert code == 2 and "header, column 5: the column name is blank (a trailing delimiter" in err


def test_short_row_names_the_missing_column(tmp_path):
    path = write(tmp_path, "short.csv", HEADER + "Was it done?,54%,71%,100\n")
    with pytest.raises(
        ValueError, match=r"row 1 \(line 2\) has 4 fields but the header has 5: column 5 \('n_current'\)"
    ):
        sio.read_table(path)


@pytest.mark.parametrize(
    "header, message",
    [
        (
            "previous,current,previous,n_current",
            r"header, column 3: duplicate column name 'previous' \(also column 1\)",
        ),
        ("previous,current, previous ,n_current", r"duplicate column name 'previous'"),
        ("previous,,n_previous,n_current", r"header, column 2: the column name is blank"),
    ],
)
def test_duplicate_and_blank_column_names(capsys, tmp_path, header, message):
    path = write(tmp_path, "t.csv", header + "\n54,71,100,100\n")
    with pytest.raises(ValueError, match=message):
        sio.read_table(path)
    code, out, err = run(capsys, "label", path)
    assert code == 2 and out == "" and "column" in err


@pytest.mark.parametrize(
    "content, message",
    [
        (HEADER, r"has a header \(prompt, previous, current, n_previous, n_current\) but no data rows"),
        (HEADER + "\n\n", r"but no data rows"),
        ("", r"the file is empty"),
        ("\n \n", r"the file is empty"),
        (b"\x00\x01\x02binary\x00data", r"is not a text file: a NUL byte at byte 1"),
        (b"PK\x03\x04\x14\x00\x06\x00", r"a zip archive \(an Excel .xlsx workbook\?\)"),
        (b"%PDF-1.7\n", r"looks like a PDF"),
        (HEADER.encode() + b"a\x07b,1,2,3,4\n", r"control character '\\x07' on line 2"),
    ],
)
def test_header_only_empty_and_binary_inputs(capsys, tmp_path, content, message):
    path = write(tmp_path, "in.csv", content)
    with pytest.raises(ValueError, match=message):
        sio.read_table(path)
    commands = (["label", path], ["tabulate", path]) + (() if "no data rows" in message else (["audit", path],))
    for argv in commands:
        code, out, err = run(capsys, *argv)
        assert code == 2 and out == "" and "error" in err, argv


def test_directory_and_missing_file(tmp_path):
    with pytest.raises(OSError, match="it is a directory"):
        sio.read_table(tmp_path)
    with pytest.raises(OSError, match="no such file"):
        sio.read_table(tmp_path / "nope.csv")


# ----------------------------------------------------------------------------------------- encodings, delimiters


def labels_of(capsys, path, *extra):
    code, out, err = run(capsys, "label", path, "--format", "json", *extra)
    assert code == 0, err
    return [row["label"] for row in json.loads(out)], json.loads(out)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le-bom", "utf-16-be-bom"])
def test_encodings_detected_by_byte_order_mark(capsys, tmp_path, encoding):
    text = GOOD.replace("Was it done?", "Était-ce fait ?")
    data = {
        "utf-16-le-bom": b"\xff\xfe" + text.encode("utf-16-le"),
        "utf-16-be-bom": b"\xfe\xff" + text.encode("utf-16-be"),
    }.get(encoding) or text.encode(encoding)
    path = write(tmp_path, "in.csv", data)
    labels, rows = labels_of(capsys, path)
    assert labels == ["significant improvement", "no significant change"]
    assert rows[0]["prompt"] == "Était-ce fait ?" and next(iter(rows[0])) == "prompt"


def test_latin1_is_an_error_with_a_hint_unless_named(capsys, tmp_path):
    path = write(tmp_path, "in.csv", GOOD.replace("Was it done?", "Était-ce fait ?").encode("cp1252"))
    code, out, err = run(capsys, "label", path)
    assert code == 2 and out == ""
    assert (
        "is not UTF-8 (byte 0xc9 on line 2); it looks like Windows-1252 / Latin-1" in err and "--encoding cp1252" in err
    )
    labels, rows = labels_of(capsys, path, "--encoding", "cp1252")
    assert rows[0]["prompt"] == "Était-ce fait ?" and labels[0] == "significant improvement"


def test_utf16_without_bom_is_named(tmp_path):
    path = write(tmp_path, "in.csv", GOOD.encode("utf-16-le"))
    with pytest.raises(ValueError, match="UTF-16 without a byte-order mark"):
        sio.read_table(path)


@pytest.mark.parametrize("delimiter", [";", "\t", ","])
def test_delimiter_is_sniffed(capsys, tmp_path, delimiter):
    # semicolon and tab files gave "table has no column 'n_previous'"
    path = write(tmp_path, "in.csv", GOOD.replace(",", delimiter))
    labels, rows = labels_of(capsys, path)
    assert labels == ["significant improvement", "no significant change"]
    assert rows[0]["difference"] == pytest.approx(0.17)


def test_quoted_delimiters_and_line_breaks_are_values(tmp_path):
    path = write(tmp_path, "in.csv", 'prompt;previous\n"a; b\nc";54\n')
    table = sio.read_table(path)
    assert table.loc[1, "prompt"] == "a; b\nc" and table.loc[1, "previous"] == "54"


# ----------------------------------------------------------------------------------------- output files


@pytest.fixture
def good(tmp_path):
    return write(tmp_path, "good.csv", GOOD)


def test_output_refuses_fifo_device_directory(capsys, tmp_path, good):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    code, _, err = run(capsys, "label", good, "--format", "csv", "-o", fifo)
    assert code == 2 and f"cannot write {str(fifo)!r}: it is a FIFO (named pipe)" in err
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    code, _, err = run(capsys, "label", good, "-o", "/dev/null")
    assert code == 2 and "cannot write '/dev/null': it is a device" in err
    code, _, err = run(capsys, "label", good, "-o", tmp_path)
    assert code == 2 and "it is a directory" in err


def test_output_refuses_symlink_and_leaves_target(capsys, tmp_path, good):
    target = write(tmp_path, "precious.txt", "keep me\n")
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    code, _, err = run(capsys, "label", good, "--format", "csv", "-o", link)
    assert code == 2 and "it is a symbolic link" in err and str(link) in err
    assert target.read_text() == "keep me\n" and link.is_symlink()


def test_output_refuses_to_overwrite_its_input(capsys, tmp_path, good):
    for fmt in ("table", "csv"):
        code, _, err = run(capsys, "label", good, "--format", fmt, "-o", good)
        assert code == 2 and "it is the input file" in err
        assert good.read_text() == GOOD
    hard = tmp_path / "hard.csv"
    os.link(good, hard)  # another name for the same file
    code, _, err = run(capsys, "label", good, "--format", "csv", "-o", hard)
    assert code == 2 and "it is the input file" in err and good.read_text() == GOOD
    cases = ROOT / "data" / "synthetic-cases" / "current.csv"
    copy = write(tmp_path, "cases.csv", cases.read_text())
    code, _, err = run(capsys, "tabulate", copy, "--format", "csv", "-o", copy)
    assert code == 2 and "it is the input file" in err and copy.read_text() == cases.read_text()


def test_output_honours_umask_and_keeps_an_existing_mode(capsys, tmp_path, good):
    old = os.umask(0o027)
    try:
        out = tmp_path / "out.csv"
        assert run(capsys, "label", good, "--format", "csv", "-o", out)[0] == 0
        assert stat.S_IMODE(out.stat().st_mode) == 0o640  # was 0600 whatever the umask
        os.chmod(out, 0o604)
        assert run(capsys, "label", good, "--format", "csv", "-o", out)[0] == 0
        assert stat.S_IMODE(out.stat().st_mode) == 0o604
    finally:
        os.umask(old)


def test_errors_name_the_users_path_not_the_temporary_file(monkeypatch, tmp_path):
    out = tmp_path / "out.csv"

    def fail(src, dst):
        raise OSError(18, "Invalid cross-device link", src)

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError) as exc:
        sio.write_atomic(out, "text")
    assert str(exc.value) == f"cannot write {str(out)!r}: Invalid cross-device link"
    assert ".tmp" not in str(exc.value) and list(tmp_path.iterdir()) == []
    with pytest.raises(OSError, match=r"cannot write '.*nowhere/out.csv': the folder '.*nowhere' does not exist"):
        sio.write_atomic(tmp_path / "nowhere" / "out.csv", "text")


def test_existing_file_replaced_only_whole(tmp_path):
    out = write(tmp_path, "out.csv", "old\n")

    def rows():
        yield "new 1\n"
        raise ValueError("row 2 is bad")

    with pytest.raises(ValueError, match="row 2 is bad"), sio.atomic_writer(out) as fh:
        fh.writelines(rows())
    assert out.read_text() == "old\n" and sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


_WRITER = """
import sys, time
from stats.io import atomic_writer
with atomic_writer(sys.argv[1]) as fh:
    fh.write("x" * 100000)
    fh.flush()
    print("ready", flush=True)
    time.sleep(60)
"""


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_signal_during_write_removes_the_temporary_file(tmp_path, signum):
    out = tmp_path / "out.csv"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    try:
        assert proc.stdout.readline() == "ready\n"
        assert [p.name.endswith(".tmp") for p in tmp_path.iterdir()] == [True]  # the temporary file, beside
        proc.send_signal(signum)
        proc.wait(timeout=20)
    finally:
        proc.kill() if proc.poll() is None else None
        proc.stdout.close()
        proc.stderr.close()
    assert list(tmp_path.iterdir()) == []
    if signum == signal.SIGTERM:
        assert proc.returncode == 128 + signal.SIGTERM


# ----------------------------------------------------------------------------------------- formula injection

INJECT = (
    "prompt,=cmd|calc,previous,current,n_previous,n_current\n"
    '"=HYPERLINK(""http://evil.example"",""click"")",-5,54%,71%,100,100\n'
    "@SUM(A1),+3,60%,50%,100,100\n"
    '"\tTabbed",text,60%,62%,100,100\n'
)


@pytest.mark.parametrize("fmt", ["csv", "markdown"])
def test_formula_cells_neutralised_numbers_untouched(capsys, tmp_path, fmt):
    path = write(tmp_path, "in.csv", INJECT)
    code, out, err = run(capsys, "label", path, "--format", fmt)
    assert code == 0, err
    assert "'=HYPERLINK" in out and "'@SUM(A1)" in out and "'=cmd|calc" in out.replace("\\|", "|")
    assert "'\tTabbed" in out
    assert "'-5" not in out and "'+3" not in out and "'-0.1" not in out  # numbers and the negative difference
    if fmt == "csv":
        table = pd.read_csv(__import__("io").StringIO(out), dtype=str, keep_default_na=False)
        assert table["'=cmd|calc"].tolist() == ["-5", "+3", "text"]
        assert table["difference"].astype(float).round(9).tolist() == [0.17, -0.1, 0.02]
    code, raw, _ = run(capsys, "label", path, "--format", fmt, "--no-sanitize")
    assert code == 0 and "'=HYPERLINK" not in raw and "=HYPERLINK" in raw


def test_neutralise_formulas_api():
    frame = pd.DataFrame(
        {
            "a": ["=1+1", "-", "-1.5e3", "-5%", None, "ok"],
            "n": [-1.0, 2, 3, 4, 5, 6],
            "c": pd.Categorical(["@x", "y", "y", "y", "y", "y"]),
        }
    )
    out = sio.neutralise_formulas(frame)
    assert out["a"].tolist()[:4] == ["'=1+1", "'-", "-1.5e3", "-5%"] and pd.isna(out["a"][4])
    assert out["n"].tolist() == frame["n"].tolist() and out["c"].tolist()[0] == "'@x"
    assert frame["a"][0] == "=1+1"  # input untouched


# ----------------------------------------------------------------------------------------- streaming


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_streamed_label_output_is_independent_of_chunk_size(capsys, monkeypatch, prompts_csv, fmt):
    outputs = {}
    for chunk in (13, 75, 76, 10_000):  # several chunks, a last chunk of one row, one chunk
        monkeypatch.setattr(sio, "CHUNK_ROWS", chunk)
        code, out, err = run(capsys, "label", prompts_csv, "--format", fmt)
        assert code == 0, err
        outputs[chunk] = out
    assert len(set(outputs.values())) == 1
    if fmt == "json":
        assert len(json.loads(outputs[13])) == 76


def test_streamed_error_in_a_later_chunk_names_the_row_and_leaves_nothing(capsys, monkeypatch, tmp_path):
    monkeypatch.setattr(sio, "CHUNK_ROWS", 2)
    path = write(tmp_path, "in.csv", HEADER + "a,54%,71%,100,100\n" * 4 + "b,54%,lots,100,100\n")
    out = tmp_path / "out.csv"
    code, stdout, err = run(capsys, "label", path, "--format", "csv", "-o", out)
    assert code == 2 and "row 5, column 'current': 'lots' is not a percentage" in err and not out.exists()
    code, stdout, err = run(capsys, "label", path, "--format", "csv")
    assert code == 2 and stdout == ""  # stdout is spooled: no half table


def test_table_and_markdown_refuse_above_the_row_limit(capsys, monkeypatch, prompts_csv):
    monkeypatch.setattr(sio, "DISPLAY_ROW_LIMIT", 50)
    for fmt in ("table", "markdown"):
        code, out, err = run(capsys, "label", prompts_csv, "--format", fmt)
        assert code == 2 and out == "" and "more than 50 rows" in err and "use --format csv" in err
    assert run(capsys, "label", prompts_csv, "--format", "csv")[0] == 0


def test_labels_equal_compare_proportions(capsys, tmp_path):
    path = write(tmp_path, "in.csv", HEADER + "a,54%,71%,100,100\nb,80,70,60,50\n")
    _, rows = labels_of(capsys, path)
    for row, (p1, n1, p2, n2) in zip(rows, [(0.54, 100, 0.71, 100), (0.8, 60, 0.7, 50)], strict=True):
        res = compare_proportions(p1, n1, p2, n2)
        assert row["label"] == res.label and row["pvalue"] == pytest.approx(res.pvalue)


def test_write_atomic_reexported_from_formatting(tmp_path):
    from stats import formatting

    assert formatting.write_atomic is sio.write_atomic
    formatting.write_atomic(tmp_path / "x.txt", "é\n")
    assert (tmp_path / "x.txt").read_text(encoding="utf-8") == "é\n"
    time.sleep(0)  # nothing else left behind
    assert [p.name for p in tmp_path.iterdir()] == ["x.txt"]


def test_streamed_unit_check_looks_at_the_first_chunk_only(capsys, monkeypatch, tmp_path):
    # a later chunk holding only small percentages (1 % or less) is data, not a unit mistake
    monkeypatch.setattr(sio, "CHUNK_ROWS", 2)
    path = write(tmp_path, "in.csv", HEADER + "a,54%,71%,100,100\n" * 2 + "b,1%,0%,100,100\n" * 2)
    code, out, err = run(capsys, "label", path, "--format", "csv")
    assert code == 0, err
    assert "no significant change" in out
    # the same small values in the first chunk are refused as probably proportions
    path = write(tmp_path, "small.csv", HEADER + "b,1,0.5,100,100\n" * 2 + "a,54%,71%,100,100\n" * 2)
    code, out, err = run(capsys, "label", path, "--format", "csv")
    assert code == 2 and "looks like proportions" in err


def test_streamed_csv_equals_the_rendered_csv(capsys, monkeypatch, prompts_csv):
    import pandas as pd

    from stats import label_changes
    from stats.formatting import render

    monkeypatch.setattr(sio, "CHUNK_ROWS", 10)
    code, out, err = run(capsys, "label", prompts_csv, "--format", "csv")
    assert code == 0, err
    table = sio.read_table(prompts_csv)
    assert out == render(label_changes(table, intervals=True), "csv")
    assert isinstance(pd.read_csv(prompts_csv), pd.DataFrame)
