"""Fuzz the `label` command with generated CSV files, well-formed and malformed (hypothesis, bounded).

Every run must end in exit 0 with the labels compare_proportions gives at the counts the values as
written imply (brute force below), or in exit 2 with a message on stderr and no output file; never a traceback, never exit 70 (a bug).
"""

import csv
import io
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stats import compare_proportions
from stats.cli import main

COLUMNS = ["prompt", "previous", "current", "n_previous", "n_current"]
NO_DATA = {"", "no comparable data available", "no comparable data", "n/a", "na"}

percent = st.one_of(st.integers(0, 100).map(str), st.integers(0, 100).map(lambda x: f"{x}%"),
                    st.sampled_from(["", "No comparable data available", "12.5", " 40 % "]))
count = st.integers(1, 500).map(str)
text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=8)
messy = st.one_of(text, st.sampled_from(["inf", "-inf", "nan", "1e308", "-1", "0", "1.5", "101", "=1+1", "@x",
                                         "-5", "0.5", "1,5", '"', "No comparable", "\x00", ";", "\t"]))

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                         HealthCheck.too_slow])


@st.composite
def valid_tables(draw):
    rows = [["Anchor row?", "54%", "71%", "100", "100"]]  # keeps each percentage column above 1
    for _ in range(draw(st.integers(0, 6))):
        prev, cur = draw(percent), draw(percent)
        rows.append([draw(st.sampled_from(["=HYPERLINK(1)", "plain", "-x", "a, b"])), prev, cur,
                     draw(count), draw(count)])
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
    return rows, delimiter, encoding


@st.composite
def malformed_tables(draw):
    header = draw(st.one_of(st.just(COLUMNS), st.just([*COLUMNS, "extra"]),
                            st.lists(st.sampled_from([*COLUMNS, "", "extra", "previous"]), min_size=1, max_size=7)))
    rows = []
    for _ in range(draw(st.integers(0, 5))):
        width = draw(st.sampled_from([len(header)] * 4 + [len(header) + 1, max(0, len(header) - 1)]))
        rows.append([draw(st.one_of(percent, count, messy) if draw(st.booleans()) else
                          (percent if header[j % len(header)] in ("previous", "current") else count))
                     for j in range(width)])
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-16", "cp1252"]))
    trailing = draw(st.booleans())
    return [header, *rows], delimiter, encoding, trailing


def encode(rows, delimiter, encoding, trailing=False):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    for row in rows:
        writer.writerow([*row, ""] if trailing else row)
    return buffer.getvalue().encode(encoding, errors="replace")


def parse_percent(cell):
    cell = cell.strip()
    if " ".join(cell.lower().split()) in NO_DATA:
        return None
    return float(cell.removesuffix("%").strip()) / 100


def run_label(tmp_path, data, name):
    path = tmp_path / f"{name}.csv"
    path.write_bytes(data)
    out = tmp_path / f"{name}.out.csv"
    stderr = io.StringIO()
    import contextlib

    with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
        try:
            code = main(["label", str(path), "--format", "csv", "-o", str(out)])
        except SystemExit as exc:  # argparse: never expected here
            code = exc.code
    return code, out, stderr.getvalue()


def implied(prop, n):
    """(k, m): the count nearest the figure among those of m cases that publish as it (half up, the
    figure's own decimals), m the largest number of cases up to n with one; None if none has."""
    from fractions import Fraction

    figure = Fraction(round(100 * prop, 6)).limit_denominator(10**6)
    scale = 10 ** next(d for d in range(7) if (figure * 10**d).denominator == 1)
    for m in range(n, 0, -1):
        centre = figure * m / 100
        ks = [k for k in range(max(0, int(centre) - 1), min(m, int(centre) + 2) + 1)
              if math.floor(Fraction(100 * k, m) * scale + Fraction(1, 2)) == figure * scale]
        if ks:
            return min(ks, key=lambda k: (abs(k - centre), k)), m
    return None


def feasible(rows):
    return all(parse_percent(p) is None or implied(parse_percent(p), int(n)) is not None
               for _, prev, cur, n1, n2 in rows for p, n in ((prev, n1), (cur, n2)))


def check_labels(out, rows):
    with open(out, encoding="utf-8", newline="") as fh:
        labelled = list(csv.DictReader(fh))
    assert len(labelled) == len(rows)
    for got, (_, prev, cur, n1, n2) in zip(labelled, rows):
        p1, p2 = parse_percent(prev), parse_percent(cur)
        if p1 is None or p2 is None:
            expected = "no comparable data"
        else:
            assert implied(p1, int(n1)) and implied(p2, int(n2)), ("labelled an impossible figure", prev, cur, n1, n2)
            (k1, m1), (k2, m2) = implied(p1, int(n1)), implied(p2, int(n2))
            expected = compare_proportions(k1 / m1, m1, k2 / m2, m2).label
        assert got["label"] == expected, (got, prev, cur, n1, n2)


_counter = iter(range(10**9))


@pytest.mark.slow
@SETTINGS
@given(valid_tables())
def test_well_formed_files_are_labelled_correctly(tmp_path, table):
    rows, delimiter, encoding = table
    code, out, err = run_label(tmp_path, encode([COLUMNS, *rows], delimiter, encoding), f"v{next(_counter)}")
    if not feasible(rows):  # a figure no count of 1 to n cases publishes as (1 % of 20) is an error
        assert code == 2 and "publishes as" in err, err
        return
    assert code == 0, err
    check_labels(out, rows)


@pytest.mark.slow
@SETTINGS
@given(malformed_tables())
def test_malformed_files_exit_0_with_correct_labels_or_2_with_a_message(tmp_path, table):
    rows, delimiter, encoding, trailing = table
    code, out, err = run_label(tmp_path, encode(rows, delimiter, encoding, trailing), f"m{next(_counter)}")
    assert "Traceback" not in err and "internal error" not in err
    assert code in (0, 2), err
    if code == 2:
        assert err.strip() and not out.exists()
        return
    header, body = rows[0], rows[1:]
    assert not trailing and len(set(header)) == len(header) and set(COLUMNS[1:]) <= set(header)
    index = [header.index(c) for c in COLUMNS[1:]]
    check_labels(out, [[None, *(r[i] for i in index)] for r in body])
    assert all(math.isfinite(float(r[i])) for r in body for i in index[2:] if r[i].strip())
