"""Monte Carlo checks of the methodology (vectorised numpy, seeded, chunked).

Each function simulates many inspections for one or more scenarios and
returns a DataFrame with one row per scenario, the estimate and its Monte
Carlo standard error :math:`\\sqrt{\\hat r (1 - \\hat r)/R}` for R replicates.
Replicates are drawn in chunks (default 10^6), so 10^7 replicates need only a
few tens of megabytes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import _validation as v
from .change import resolve_test
from .samplesize import normal_margin as _margin

__all__ = ["margin_coverage", "z_test_rejection", "subsample_deviation"]


def _check_run(replicates, seed, chunk):
    if isinstance(replicates, bool) or not isinstance(replicates, (int, np.integer)) or replicates < 1:
        raise ValueError(f"replicates must be a whole number >= 1 (got {replicates!r}).")
    if isinstance(chunk, bool) or not isinstance(chunk, (int, np.integer)) or chunk < 1:
        raise ValueError(f"chunk must be a whole number >= 1 (got {chunk!r}).")
    return np.random.default_rng(seed)


def _chunks(replicates, chunk):
    done = 0
    while done < replicates:
        size = min(chunk, replicates - done)
        yield size
        done += size


def _scenarios(**params) -> pd.DataFrame:
    arrays = v.broadcast(**{k: np.atleast_1d(np.asarray(val, dtype=float)) for k, val in params.items()})
    return pd.DataFrame({k: a.ravel() for k, a in zip(params, arrays)})


def margin_coverage(n, population, proportion, *, confidence_level=0.80, margin=None,
                    replicates=100_000, seed=None, chunk=1_000_000) -> pd.DataFrame:
    r"""Real coverage of the stated margin when n of N cases are drawn without replacement.

    For each scenario, a population of N cases with :math:`K = \mathrm{round}(pN)`
    "yes" cases is sampled without replacement (hypergeometric draws); the
    result is the share of samples whose estimate lies within the margin of
    the true :math:`K/N`.

    Parameters
    ----------
    n, population, proportion : array_like
        Scenarios (broadcast together).
    confidence_level : float, default 0.80
        Nominal level of the margin.
    margin : float or array_like, optional
        Margin to check (proportion scale). Default: the design margin
        :func:`stats.margin_of_error` at p = 0.5 with the population's
        correction, which is what the methodology states.
    replicates : int, default 100_000
    seed : int or None
        Seed of ``numpy.random.default_rng``.
    chunk : int, default 1_000_000
        Replicates drawn at once.

    Returns
    -------
    pandas.DataFrame
        ``n``, ``population``, ``proportion``, ``margin``, ``nominal``,
        ``coverage``, ``mc_se``.
    """
    rng = _check_run(replicates, seed, chunk)
    c = v.check_scalar_open_unit("confidence_level", confidence_level)
    nn = v.check_count("n", n)
    big = v.check_count("population", population)
    p = v.check_proportion("proportion", proportion)
    n_b, big_b = v.broadcast(n=nn, population=big)
    v.check_not_above("n", n_b, "population", big_b)
    sc = _scenarios(n=nn, population=big, proportion=p)
    sc["margin"] = (_margin(sc["n"].to_numpy(), sc["population"].to_numpy(), c, 0.5) if margin is None
                    else np.broadcast_to(np.asarray(margin, float), len(sc)))
    cover = []
    for row in sc.itertuples(index=False):
        total, good = int(row.population), int(round(row.proportion * row.population))
        truth = good / total
        hits = 0
        for size in _chunks(replicates, chunk):
            x = rng.hypergeometric(good, total - good, int(row.n), size=size)
            hits += int(np.count_nonzero(np.abs(x / row.n - truth) <= row.margin + 1e-12))
        cover.append(hits / replicates)
    sc["nominal"] = c
    sc["coverage"] = cover
    sc["mc_se"] = np.sqrt(sc["coverage"] * (1 - sc["coverage"]) / replicates)
    return sc


def z_test_rejection(n_previous, n_current, p_previous, p_current=None, test=None, *,
                     replicates=100_000, seed=None, chunk=1_000_000) -> pd.DataFrame:
    r"""Rejection rate of the change test: its real size (no change) or power (a true change).

    Counts are drawn as independent binomials :math:`X_i \sim B(n_i, p_i)`
    (the super-population view of :func:`stats.compare_proportions`) and the
    test specification is applied to every replicate with the same kernel
    (:meth:`stats.ChangeTest.pvalue`).

    Parameters
    ----------
    n_previous, n_current, p_previous : array_like
        Scenarios (broadcast together).
    p_current : array_like, optional
        True current proportion; default ``p_previous`` (so the rate is the
        test's real size, to compare with ``alpha``).
    test : ChangeTest, optional
        The test (default ``ChangeTest()``); its alpha, alternative and method apply.
    replicates, seed, chunk
        As in :func:`margin_coverage`.

    Returns
    -------
    pandas.DataFrame
        Scenario columns, ``alpha``, ``rejection_rate``, ``mc_se``;
        ``attrs['change_test']`` holds the test.
    """
    rng = _check_run(replicates, seed, chunk)
    spec = resolve_test(test)
    if spec.finite_population:
        raise ValueError(
            "z_test_rejection draws binomial counts (an infinite population), so the test cannot have a "
            "finite population correction; use test.replace(finite_population=False).")
    a = spec.alpha
    n1 = v.check_count("n_previous", n_previous)
    n2 = v.check_count("n_current", n_current)
    p1 = v.check_proportion("p_previous", p_previous)
    p2 = p1 if p_current is None else v.check_proportion("p_current", p_current)
    sc = _scenarios(n_previous=n1, n_current=n2, p_previous=p1, p_current=p2)
    rates = []
    for row in sc.itertuples(index=False):
        m1, m2 = int(row.n_previous), int(row.n_current)
        rejected = 0
        for size in _chunks(replicates, chunk):
            x1 = rng.binomial(m1, row.p_previous, size=size)
            x2 = rng.binomial(m2, row.p_current, size=size)
            pval = spec.pvalue(x1, m1, x2, m2)
            rejected += int(np.count_nonzero(pval <= a))
        rates.append(rejected / replicates)
    sc["alpha"] = a
    sc["rejection_rate"] = rates
    sc["mc_se"] = np.sqrt(sc["rejection_rate"] * (1 - sc["rejection_rate"]) / replicates)
    sc.attrs["change_test"] = spec
    return sc


def subsample_deviation(n_sub, proportion, *, threshold=0.05, population=None,
                        replicates=100_000, seed=None, chunk=1_000_000) -> pd.DataFrame:
    r"""How often a sub-sample estimate falls more than ``threshold`` from the truth.

    Binomial draws (or hypergeometric when ``population`` is given, with
    :math:`K = \mathrm{round}(pN)`).

    Returns
    -------
    pandas.DataFrame
        ``n_sub``, ``proportion``, ``population``, ``threshold``,
        ``probability`` (share of estimates with :math:`|\hat p - p| > t`),
        ``mc_se``.
    """
    rng = _check_run(replicates, seed, chunk)
    nn = v.check_count("n_sub", n_sub)
    p = v.check_proportion("proportion", proportion)
    t = v.as_float_array("threshold", threshold)
    if t.ndim or not 0 < t < 1:
        raise ValueError(f"threshold must be a single number in (0, 1) (got {threshold!r}).")
    big = np.inf if population is None else v.check_count("population", population)
    sc = _scenarios(n_sub=nn, proportion=p, population=big)
    out = []
    for row in sc.itertuples(index=False):
        m = int(row.n_sub)
        if np.isfinite(row.population):
            if m > row.population:
                raise ValueError(f"n_sub must not exceed population (got n_sub={m} > population={int(row.population)}).")
            good = int(round(row.proportion * row.population))
            truth = good / row.population
        else:
            truth = row.proportion
        far = 0
        for size in _chunks(replicates, chunk):
            if np.isfinite(row.population):
                x = rng.hypergeometric(good, int(row.population) - good, m, size=size)
            else:
                x = rng.binomial(m, truth, size=size)
            far += int(np.count_nonzero(np.abs(x / m - truth) > float(t) + 1e-12))
        out.append(far / replicates)
    sc["threshold"] = float(t)
    sc["probability"] = out
    sc["mc_se"] = np.sqrt(sc["probability"] * (1 - sc["probability"]) / replicates)
    return sc
