"""Peak memory of `python -m stats label` on a large CSV: streamed CSV output versus the file size.

    python benchmarks/label_memory.py [--rows 10000000] [--keep DIR]

Writes a SYNTHETIC table (seeded random percentages and denominators; not inspection data) of
``--rows`` rows to a temporary folder, labels it with ``--format csv -o`` in a child process and
reports the child's peak resident memory (getrusage ru_maxrss, the figure /usr/bin/time -v prints as
"Maximum resident set size"), the input size and the time. The table is made in another child
process so that this one stays small: a child's peak includes what it inherited before exec. Target: under 1 GB for 10 million rows.
Then checks that ``--format table`` refuses the file with the row limit's hint.
"""

from __future__ import annotations

import argparse
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
            frame = pd.DataFrame({
                "prompt_id": [f"SYNTHETIC-{i}" for i in range(start + 1, start + m + 1)],
                "previous": (100 * rng.binomial(n1, 0.6) / n1).round().astype(int).astype(str) + "%",
                "current": (100 * rng.binomial(n2, 0.65) / n2).round().astype(int).astype(str) + "%",
                "n_previous": n1,
                "n_current": n2,
            })
            frame.to_csv(fh, index=False, header=start == 0)


def run(argv: list[str]) -> tuple[int, float, str, float]:
    """Exit code, seconds, stderr and peak RSS in MiB of ``python -m stats ARGV`` (os.wait4: this child only)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    t = time.perf_counter()
    with tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen([sys.executable, "-m", "stats", *argv], stdout=subprocess.DEVNULL, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        return proc.returncode, time.perf_counter() - t, err.read(), usage.ru_maxrss / 1024  # KiB on Linux


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--keep", help="folder for the files (default: a temporary folder, removed)")
    parser.add_argument("--make", help=argparse.SUPPRESS)  # internal: write the table to this path and exit
    args = parser.parse_args(argv)
    if args.make:
        make_table(Path(args.make), args.rows)
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.keep or tmp)
        src, out = folder / "synthetic-large.csv", folder / "labelled.csv"
        t = time.perf_counter()
        subprocess.run([sys.executable, __file__, "--rows", str(args.rows), "--make", str(src)], check=True)
        print(f"input: {args.rows:,} rows, {src.stat().st_size / 2**20:,.0f} MiB (SYNTHETIC, made in "
              f"{time.perf_counter() - t:.0f} s)")
        code, seconds, err, peak = run(["label", str(src), "--format", "csv", "-o", str(out)])
        assert code == 0, err
        with open(out, encoding="utf-8") as fh:
            lines = sum(1 for _ in fh)
        print(f"label --format csv -o: exit {code}, {seconds:.0f} s, peak RSS {peak:,.0f} MiB "
              f"({peak / (src.stat().st_size / 2**20):.2f}x the input; target < 1024 MiB), "
              f"{lines - 1:,} rows written")
        code, seconds, err, peak = run(["label", str(src), "--format", "table"])
        print(f"label --format table: exit {code} after {seconds:.1f} s, peak RSS {peak:,.0f} MiB: "
              f"{err.strip().split(': error: ')[-1][:150]}")


if __name__ == "__main__":
    main()
