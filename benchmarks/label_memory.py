"""Streaming `python -m stats label` at scale: time and peak memory against the Arrow floor, in one run.

    python benchmarks/label_memory.py [--rows 1000000] [--ten-million] [--repeat 1] [--keep DIR]

Writes a SYNTHETIC table (seeded random percentages and denominators; not inspection data) of
``--rows`` rows (10^7 with ``--ten-million``) to a temporary folder, then runs three pipelines on it,
each in a child process (imports included), in turn ``--repeat`` times (medians reported):

* ``label``: ``python -m stats label FILE --format csv -o OUT`` (with pyarrow installed: the
  pyarrow reader ``stats._fastcsv.iter_table``, the bulk percent and count parsers, and the bulk
  CSV writer ``stats._fastcsv.write_frame``);
* ``floor``: the Arrow floor: pyarrow reads the CSV, numpy computes the pooled Z test (z, two-sided
  p-value) and the label, pyarrow writes the CSV (no interval, no margins, no wording);
* ``plain`` (once, not repeated; skipped with ``--no-plain``, and by default above 2 million rows):
  the same command with the fast path switched off (``stats._fastcsv.AVAILABLE = False``: the
  plain reader of ``stats.io``, the parser's own route, pandas' writer), as it runs without
  pyarrow. Its output is checked byte for byte against the command's.

Reports each pipeline's wall time, CPU time (user + system of that child and its threads: the
steadier measure on a shared machine, where other work stretches wall times unevenly) and peak
resident memory (getrusage ru_maxrss of that child only; the figure /usr/bin/time -v prints as
"Maximum resident set size"), and the ratios label/floor of both times. Above
200,000 rows, then checks that ``--format table`` refuses the file with the row limit's hint.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def make_table(path: Path, rows: int, seed: int = 1) -> None:
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    block = 1_000_000
    with open(path, "w", encoding="utf-8", newline="") as fh:
        for start in range(0, rows, block):
            m = min(block, rows - start)
            n1 = rng.integers(20, 200, m)
            n2 = rng.integers(20, 200, m)
            frame = pd.DataFrame(
                {
                    "prompt_id": [f"SYNTHETIC-{i}" for i in range(start + 1, start + m + 1)],
                    "previous": (100 * rng.binomial(n1, 0.6) / n1).round().astype(int).astype(str) + "%",
                    "current": (100 * rng.binomial(n2, 0.65) / n2).round().astype(int).astype(str) + "%",
                    "n_previous": n1,
                    "n_current": n2,
                }
            )
            frame.to_csv(fh, index=False, header=start == 0)


def floor(src: str, out: str) -> None:
    """pyarrow read, pooled Z test and label in numpy, pyarrow write: the least any labeller can do."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv
    from scipy import special

    table = pacsv.read_csv(
        src,
        convert_options=pacsv.ConvertOptions(
            column_types={
                "prompt_id": pa.string(),
                "previous": pa.string(),
                "current": pa.string(),
                "n_previous": pa.float64(),
                "n_current": pa.float64(),
            }
        ),
    )

    def percent(name):
        return pc.cast(pc.utf8_rtrim(table[name], characters="%"), pa.float64()).to_numpy() / 100

    p1, p2 = percent("previous"), percent("current")
    n1, n2 = table["n_previous"].to_numpy(), table["n_current"].to_numpy()
    pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (p2 - p1) / np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    pvalue = 2 * special.ndtr(-np.abs(z))
    significant = pvalue <= 0.10
    label = np.where(
        significant, np.where(z > 0, "significant improvement", "significant decline"), "no significant change"
    )
    out_table = (
        table.append_column("difference", pa.array(p2 - p1))
        .append_column("statistic", pa.array(z))
        .append_column("pvalue", pa.array(pvalue))
        .append_column("significant", pa.array(significant))
        .append_column("label", pa.array(label))
    )
    pacsv.write_csv(out_table, out)


def plain(src: str, out: str) -> None:
    """The label command with the fast path switched off (as without pyarrow)."""
    sys.path.insert(0, str(ROOT))
    from stats import _fastcsv
    from stats.cli import main

    _fastcsv.AVAILABLE = False
    sys.exit(main(["label", src, "--format", "csv", "-o", out]))


def child(argv: list[str]) -> tuple[int, float, str, float, float]:
    """Exit code, seconds, stderr, peak RSS in MiB and CPU seconds (user + system, all its threads) of a
    child ``python ARGV`` (os.wait4: this child only)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    t = time.perf_counter()
    with tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen([sys.executable, *argv], stdout=subprocess.DEVNULL, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        code = os.waitstatus_to_exitcode(status)
        err.seek(0)
        cpu = usage.ru_utime + usage.ru_stime
        return code, time.perf_counter() - t, err.read(), usage.ru_maxrss / 1024, cpu  # ru_maxrss: KiB on Linux


def median(values):
    values = sorted(values)
    half = len(values) // 2
    return values[half] if len(values) % 2 else 0.5 * (values[half - 1] + values[half])


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--ten-million", action="store_true", help="10^7 rows (about 7 minutes for the label command)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each pipeline, in turn (medians)")
    parser.add_argument("--keep", help="folder for the files (default: a temporary folder, removed)")
    parser.add_argument("--make", help=argparse.SUPPRESS)  # internal: write the table to this path and exit
    parser.add_argument("--floor", nargs=2, help=argparse.SUPPRESS)  # internal: run the floor SRC OUT
    parser.add_argument("--plain", nargs=2, help=argparse.SUPPRESS)  # internal: run the plain path SRC OUT
    parser.add_argument("--no-plain", action="store_true", help="skip the plain (no pyarrow) run")
    args = parser.parse_args(argv)
    rows = 10_000_000 if args.ten_million else args.rows
    if args.make:
        make_table(Path(args.make), rows)
        return
    if args.floor:
        floor(*args.floor)
        return
    if args.plain:
        plain(*args.plain)
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.keep or tmp)
        folder.mkdir(parents=True, exist_ok=True)
        src = folder / "synthetic-large.csv"
        outs = {name: folder / f"out-{name}.csv" for name in ("label", "floor", "plain")}
        t = time.perf_counter()
        subprocess.run([sys.executable, __file__, "--rows", str(rows), "--make", str(src)], check=True)
        size = src.stat().st_size / 2**20
        print(
            f"input: {rows:,} rows, {size:,.0f} MiB (SYNTHETIC, made in {time.perf_counter() - t:.0f} s); "
            f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}"
        )
        commands = {
            "label": ["-m", "stats", "label", str(src), "--format", "csv", "-o", str(outs["label"])],
            "floor": [__file__, "--floor", str(src), str(outs["floor"])],
        }
        times = {name: [] for name in commands}
        peaks = {name: [] for name in commands}
        cpus = {name: [] for name in commands}
        for _ in range(args.repeat):
            for name, cmd in commands.items():
                code, seconds, err, peak, cpu = child(cmd)
                assert code == 0, f"{name}: {err}"
                times[name].append(seconds)
                peaks[name].append(peak)
                cpus[name].append(cpu)
        t_floor, c_floor = median(times["floor"]), median(cpus["floor"])
        for name in commands:
            t_name, c_name = median(times[name]), median(cpus[name])
            print(
                f"{name:<7} {t_name:8.1f} s  {t_name / t_floor:5.1f}x the floor; CPU {c_name:6.1f} s  "
                f"{c_name / c_floor:5.1f}x the floor's CPU; peak RSS {max(peaks[name]):,.0f} MiB "
                f"({max(peaks[name]) / size:.2f}x the input)  runs: {', '.join(f'{x:.1f}' for x in times[name])} s"
            )
        same = None
        if not args.no_plain and rows <= 2_000_000:
            code, seconds, err, peak, cpu = child([__file__, "--plain", str(src), str(outs["plain"])])
            assert code == 0, f"plain: {err}"
            print(
                f"plain   {seconds:8.1f} s  {seconds / t_floor:5.1f}x the floor; CPU {cpu:6.1f} s  "
                f"{cpu / c_floor:5.1f}x the floor's CPU; peak RSS {peak:,.0f} MiB "
                f"(the fast path switched off, as without pyarrow; run once)"
            )
            same = filecmp.cmp(outs["label"], outs["plain"], shallow=False)
            print(f"label's output identical, byte for byte, to the plain path's: {same}")
        with open(outs["label"], encoding="utf-8") as fh:
            lines = sum(1 for _ in fh)
        print(f"label wrote {lines - 1:,} rows")
        if rows > 200_000:  # stats.io.DISPLAY_ROW_LIMIT: beyond it the table format must refuse at once
            code, seconds, err, peak, _ = child(["-m", "stats", "label", str(src), "--format", "table"])
            print(
                f"label --format table: exit {code} after {seconds:.1f} s, peak RSS {peak:,.0f} MiB: "
                f"{err.strip().split(': error: ')[-1][:150]}"
            )
        assert same is not False, "the label command's output differs from the plain path's"


if __name__ == "__main__":
    main()
