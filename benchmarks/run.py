"""Speed benchmarks: ratios measured in one run (no timed assertions live in the test suite).

    python benchmarks/run.py [--rows 1000000] [--replicates 10000000]

Prints, for each target of the project, the measured times and their ratio.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
import tracemalloc
import warnings

import numpy as np
import pandas as pd
from scipy import special


def best_of(fn, repeat=5):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def best_of_interleaved(fns, repeat=7):
    """Best time of each function, timing them in turn each round so that load changes hit all alike."""
    best = [float("inf")] * len(fns)
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            t = time.perf_counter()
            fn()
            best[i] = min(best[i], time.perf_counter() - t)
    return best


def bare_numpy(p1, n1, p2, n2, alpha=0.10):
    """The arithmetic limit: pooled z, two-sided p-value and the verdict, nothing else."""
    pbar = (p1 * n1 + p2 * n2) / (n1 + n2)
    z = (p2 - p1) / np.sqrt(pbar * (1 - pbar) * (1 / n1 + 1 / n2))
    p = 2 * special.ndtr(-np.abs(z))
    return z, p, p <= alpha


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--replicates", type=int, default=10_000_000)
    parser.add_argument("--loop-subset", type=int, default=2_000)
    args = parser.parse_args(argv)

    from statsmodels.stats.proportion import proportions_ztest

    from stats import compare_proportions, label_changes
    from stats.simulate import z_test_rejection

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"numpy {np.__version__}, pandas {pd.__version__}"
    )
    rng = np.random.default_rng(0)
    rows = args.rows
    n1 = rng.integers(20, 200, rows).astype(float)
    n2 = rng.integers(20, 200, rows).astype(float)
    k1 = rng.binomial(n1.astype(int), 0.6)
    k2 = rng.binomial(n2.astype(int), 0.65)
    p1, p2 = k1 / n1, k2 / n2

    table = pd.DataFrame({"previous": 100 * p1, "current": 100 * p2, "n_previous": n1, "n_current": n2})
    t_bare, t_ours, t_label = best_of_interleaved(
        [
            lambda: bare_numpy(p1, n1, p2, n2),
            lambda: compare_proportions(p1, n1, p2, n2),
            lambda: label_changes(table),
        ]
    )
    m = args.loop_subset

    def loop():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for i in range(m):
                proportions_ztest([k2[i], k1[i]], [n2[i], n1[i]])

    t_loop = best_of(loop, repeat=1) * rows / m

    print(f"\n1. Labelling {rows:,} rows")
    print(f"   bare numpy formula           {t_bare:8.3f} s")
    print(f"   compare_proportions          {t_ours:8.3f} s   {t_ours / t_bare:5.2f}x bare numpy (target <= 1.5x)")
    print(f"   label_changes (DataFrame)    {t_label:8.3f} s   {t_label / t_bare:5.2f}x bare numpy (target <= 3x)")
    print(
        f"   loop of proportions_ztest    {t_loop:8.1f} s   (timed on {m:,} rows, scaled) "
        f"-> compare_proportions {t_loop / t_ours:,.0f}x faster (target >= 200x)"
    )

    reps = args.replicates
    chunk = 1_000_000

    def draws_only():
        g = np.random.default_rng(1)
        for start in range(0, reps, chunk):
            size = min(chunk, reps - start)
            g.binomial(100, 0.5, size)
            g.binomial(100, 0.5, size)

    t_draws = best_of(draws_only, repeat=1)
    tracemalloc.start()
    t_mc = best_of(lambda: z_test_rejection(100, 100, 0.5, replicates=reps, seed=1, chunk=chunk), repeat=1)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"\n2. Monte Carlo: {reps:,} replicate inspection pairs through the Z test")
    print(f"   binomial draws only          {t_draws:8.3f} s")
    print(
        f"   z_test_rejection             {t_mc:8.3f} s   {t_mc / t_draws:5.2f}x draws (target <= 3x); "
        f"peak traced memory {peak / 2**20:.0f} MiB (chunks of {chunk:,})"
    )

    def run(cmd):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        return time.perf_counter() - t

    t_job = min(run([sys.executable, "-m", "stats"]) for _ in range(3))
    t_imp = min(run([sys.executable, "-c", "import pandas, scipy.stats"]) for _ in range(3))
    print("\n3. Main job")
    print(f"   python -c 'import pandas, scipy.stats'  {t_imp:6.2f} s")
    print(f"   python -m stats                         {t_job:6.2f} s   {t_job / t_imp:5.2f}x (target <= 2x)")


if __name__ == "__main__":
    main()
