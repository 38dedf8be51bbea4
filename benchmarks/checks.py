"""Speed of the per-label checks on the bundled report: ratios measured in one run.

    python benchmarks/checks.py

The checks beside every label of the main job (issue 11): the p-value range over every feasible
count (stats.consistency.robust_labels), Fisher, Barnard and Boschloo at the label's counts
(stats.exact.compare_methods) and BH q-values, for the prompts and the key questions. Target: the
bundled report's full analysis "well under a second". Compared with labelling alone, and with the
routes they replace: a Python loop of scalar tests over the same combinations, and scipy's exact
tests table by table.
"""

from __future__ import annotations

import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import stats
from stats.consistency import robust_labels
from stats.exact import _scipy_exact, compare_methods
from stats.multiplicity import qvalues


def best_of(fn, repeat=5):
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main():
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"numpy {np.__version__}"
    )
    report = stats.load_report()
    spec = stats.ChangeTest()
    tables = [stats.label_changes(t, spec) for t in (report.prompts, report.key_questions)]

    def label():
        for t in (report.prompts, report.key_questions):
            stats.label_changes(t, spec)

    def checks():
        for t in tables:
            robust_labels(t, spec)
            compare_methods(t, spec)
            qvalues(t)

    checks()  # warm caches of designs and imports
    t_label, t_checks = best_of(label), best_of(checks)
    robust = [robust_labels(t, spec) for t in tables]
    combos = int(sum(r["combinations_tried"].sum() for r in robust))

    # the loop route: one scalar compare_proportions call per combination, on a subset, scaled
    from stats.consistency import _feasible_kn

    subset = []
    t0 = tables[0].loc[tables[0]["pvalue"].notna()].iloc[0]
    k1, n1 = _feasible_kn(int(t0["previous"]), 50, 100, "half-up")
    k2, n2 = _feasible_kn(int(t0["current"]), 50, 100, "half-up")
    for a, b in zip(k1, n1, strict=True):
        for c, d in zip(k2, n2, strict=True):
            subset.append((a / b, b, c / d, d))
    start = time.perf_counter()
    for p1, m1, p2, m2 in subset:
        stats.compare_proportions(p1, m1, p2, m2, test=spec)
    t_loop = (time.perf_counter() - start) * combos / len(subset)

    # scipy's exact tests table by table (one-off: cached calls are not counted)
    methods = [compare_methods(t, spec) for t in tables]
    distinct = {
        tuple(int(x) for x in r)
        for m in methods
        for r in m[["k_previous", "n_previous", "k_current", "n_current"]].to_numpy()
    }
    _scipy_exact.cache_clear()
    start = time.perf_counter()
    for t in distinct:
        for name in ("fisher", "barnard", "boschloo"):
            _scipy_exact(name, *t, "two-sided")
    t_scipy = time.perf_counter() - start

    rows = sum(len(m) for m in methods)
    print(
        f"\nChecks beside every label: {rows} testable rows (prompts and key questions), "
        f"{combos:,} feasible-count combinations"
    )
    print(f"   label_changes only                  {t_label:8.3f} s")
    print(
        f"   robust labels + exact tests + BH     {t_checks:8.3f} s   {t_checks / t_label:6.1f}x labelling "
        "(target: well under a second)"
    )
    print(
        f"   loop of scalar tests over the combinations  {t_loop:8.2f} s (scaled from {len(subset):,} calls)"
        f"   {t_loop / t_checks:6.0f}x the checks"
    )
    print(
        f"   scipy exact tests, {len(distinct)} distinct tables  {t_scipy:8.2f} s   "
        f"{t_scipy / t_checks:6.0f}x the checks"
    )


if __name__ == "__main__":
    main()
