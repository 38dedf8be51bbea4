"""Speed of the score interval's limits: Newton's method versus the bracketing search (one run).

    python benchmarks/score_interval.py [--rows 1000000] [--repeat 3]

SYNTHETIC label-like rows (seeded; denominators 20-200, percentages rounded to whole numbers as
published), two-sided 90 % score interval with and without continuity correction. Both paths are
timed in turn, ``--repeat`` times; the ratio is of the medians. The limits are compared: the
largest difference, and the number of limits that differ by more than 1e-12.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from scipy.stats import norm  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from stats import _intervals as I  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(1)
    m = args.rows
    n1, n2 = rng.integers(20, 200, m).astype(float), rng.integers(20, 200, m).astype(float)
    p1 = np.round(100 * rng.binomial(n1.astype(int), 0.6) / n1) / 100
    p2 = np.round(100 * rng.binomial(n2.astype(int), 0.65) / n2) / 100
    d, one, z = p2 - p1, np.ones(m), norm.ppf(0.95)
    for name, cc in (("score", 0.0), ("score-cc", 0.5 * (1 / n1 + 1 / n2))):
        times = {True: [], False: []}
        out = {}
        for _ in range(args.repeat):
            for newton in (False, True):
                t = time.perf_counter()
                out[newton] = I.score_bounds(d, p1, n1, p2, n2, one, one, cc, z, z, newton=newton)
                times[newton].append(time.perf_counter() - t)
        diff = np.maximum(np.abs(out[True][0] - out[False][0]), np.abs(out[True][1] - out[False][1]))
        old, new = np.median(times[False]), np.median(times[True])
        print(
            f"{name:<9} {m:,} rows: bracketing {old:6.2f} s, Newton {new:6.2f} s (medians of {args.repeat}): "
            f"{old / new:4.1f}x faster; max |difference| {diff.max():.1e}, limits differing by > 1e-12: "
            f"{int((diff > 1e-12).sum())}",
            flush=True,
        )


if __name__ == "__main__":
    main()
