"""Speed of the vectorised exact tests against scipy, at equal results (ratios measured in one run).

    python benchmarks/exact_tests.py [--subset 24] [--skip-1000]

Three workloads, Barnard (pooled Wald) and Boschloo, two-sided:

1. the bundled report's 66 comparable rows x the counts their published percentages allow when the
   previous sample is any n within +-3 of the assumed one (synthetic range, for the benchmark only);
2. 100 random tables at n = 100 vs 100;
3. one table at n = 1000 vs 1000, computed cold (no cached design or grid).

scipy is timed on a seeded random subset of each workload (it takes 0.1 s to 20 s a table) and its
per-table time is multiplied by the number of tables; ours is timed on the whole workload in one
call, from a cold cache. Results are compared on the subset: max |ours - scipy|, and the number of
tables where scipy's optimiser stops below the supremum (ours higher by more than 1e-9).
"""

from __future__ import annotations

import os

# One BLAS thread: on a small shared machine, idle BLAS threads spinning on tiny matrix products
# make timings erratic (scipy's tests do not use BLAS, so this only steadies ours).
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from scipy import stats as sps  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from stats import exact_tests as E  # noqa: E402

ROOT = Path(__file__).resolve().parents[1] / "data" / "south-yorkshire-crc-2020"
SCIPY = {"barnard": sps.barnard_exact, "boschloo": sps.boschloo_exact}
OURS = {"barnard": E.barnard, "boschloo": E.boschloo}


def report_workload(spread=3):
    rows = pd.concat([pd.read_csv(ROOT / f"{n}.csv") for n in ("prompts", "key_questions")])
    rows = rows.dropna(subset=["previous", "current"])
    out = []
    for prev, cur, n1, n2 in rows[["previous", "current", "n_previous", "n_current"]].itertuples(index=False):
        k2 = int(np.floor(cur * n2 / 100 + 0.5))
        for m1 in range(max(1, int(n1) - spread), int(n1) + spread + 1):
            for k1 in range(m1 + 1):
                if np.floor(100 * k1 / m1 + 0.5) == prev:  # publishes as the previous percentage (half up)
                    out.append((k1, m1, k2, int(n2)))
    return np.array(out)


def cold():
    E._design.cache_clear()
    E._grid.cache_clear()


def run(name, tables, subset, rng):
    k1, n1, k2, n2 = tables.T
    pick = rng.choice(len(tables), size=min(subset, len(tables)), replace=False)
    lines = []
    for method in ("barnard", "boschloo"):
        cold()
        t = time.perf_counter()
        ours = OURS[method](k1, n1, k2, n2)
        t_ours = time.perf_counter() - t
        t = time.perf_counter()
        ref = np.array([SCIPY[method]([[k2[i], k1[i]], [n2[i] - k2[i], n1[i] - k1[i]]]).pvalue for i in pick])
        t_scipy = (time.perf_counter() - t) / len(pick) * len(tables)
        diff = np.atleast_1d(ours)[pick] - ref
        equal = np.abs(diff) <= 1e-9
        lines.append(
            f"{name:<34} {method:<9} tables {len(tables):>5}  ours {t_ours:8.3f} s  scipy {t_scipy:9.2f} s "
            f"(from {len(pick)})  ratio {t_scipy / t_ours:7.0f}x  max|diff| where equal "
            f"{np.abs(diff[equal]).max() if equal.any() else float('nan'):.1e}, scipy below sup: {int((~equal).sum())}"
        )
        print(lines[-1], flush=True)
        assert np.all(equal | (diff > 0)), "ours below scipy beyond 1e-9"
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subset", type=int, default=24)
    parser.add_argument("--skip-1000", action="store_true")
    args = parser.parse_args(argv)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"numpy {np.__version__}, scipy {sps.__name__ and __import__('scipy').__version__}")
    rng = np.random.default_rng(0)
    run("report rows x feasible counts", report_workload(), args.subset, rng)
    n = 100
    k1, k2 = rng.binomial(n, 0.6, 100), rng.binomial(n, 0.65, 100)
    run("100 random tables, n = 100", np.stack([k1, np.full(100, n), k2, np.full(100, n)], axis=1), args.subset, rng)
    if not args.skip_1000:
        run("one table, n = 1000 (cold)", np.array([[500, 1000, 540, 1000]]), 1, rng)


if __name__ == "__main__":
    main()
