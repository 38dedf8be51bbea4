"""Monte Carlo checks of the methodology (vectorised numpy, seeded, chunked).

Each function simulates many inspections for one or more scenarios and
returns a DataFrame with one row per scenario, the estimate and its Monte
Carlo standard error :math:`\\sqrt{\\hat r (1 - \\hat r)/R}` for R replicates.
Replicates are drawn in chunks (default 10^6), so 10^7 replicates need only a
few tens of megabytes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from . import _validation as v
from .change import resolve_test
from .samplesize import normal_margin as _margin

if TYPE_CHECKING:
    from .change import ChangeTest

__all__ = ["margin_coverage", "z_test_rejection", "subsample_deviation"]


def _check_run(replicates: object, seed: int | None, chunk: object) -> np.random.Generator:
    if isinstance(replicates, bool) or not isinstance(replicates, (int, np.integer)) or replicates < 1:
        raise ValueError(f"replicates must be a whole number >= 1 (got {replicates!r}).")
    if isinstance(chunk, bool) or not isinstance(chunk, (int, np.integer)) or chunk < 1:
        raise ValueError(f"chunk must be a whole number >= 1 (got {chunk!r}).")
    return np.random.default_rng(seed)


def _chunks(replicates: int, chunk: int) -> Iterator[int]:
    done = 0
    while done < replicates:
        size = min(chunk, replicates - done)
        yield size
        done += size


def _scenarios(**params: ArrayLike) -> pd.DataFrame:
    arrays = v.broadcast(**{k: np.atleast_1d(np.asarray(val, dtype=float)) for k, val in params.items()})
    return pd.DataFrame({k: a.ravel() for k, a in zip(params, arrays, strict=True)})


def margin_coverage(
    n: ArrayLike,
    population: ArrayLike,
    proportion: ArrayLike,
    *,
    confidence_level: float = 0.80,
    margin: ArrayLike | None = None,
    replicates: int = 100_000,
    seed: int | None = None,
    chunk: int = 1_000_000,
) -> pd.DataFrame:
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

    See Also
    --------
    stats.samplesize.margin_of_error : the margin whose coverage it checks.
    subsample_deviation : how far sub-sample estimates stray.

    Examples
    --------
    >>> from stats.simulate import margin_coverage
    >>> r = margin_coverage(100, 250, 0.5, replicates=20_000, seed=1)
    >>> round(float(r.loc[0, "margin"]), 4), round(float(r.loc[0, "coverage"]), 2)  # nominal 0.80
    (0.0497, 0.75)
    """
    rng = _check_run(replicates, seed, chunk)
    c = v.check_scalar_open_unit("confidence_level", confidence_level)
    nn = v.check_count("n", n)
    big = v.check_count("population", population)
    p = v.check_proportion("proportion", proportion)
    n_b, big_b = v.broadcast(n=nn, population=big)
    v.check_not_above("n", n_b, "population", big_b)
    sc = _scenarios(n=nn, population=big, proportion=p)
    sc["margin"] = (
        _margin(sc["n"].to_numpy(), sc["population"].to_numpy(), c, 0.5)
        if margin is None
        else np.broadcast_to(np.asarray(margin, float), len(sc))
    )
    cover = []
    columns = (sc[name].to_numpy(dtype=float).tolist() for name in ("n", "population", "proportion", "margin"))
    for n_row, big_row, p_row, margin_row in zip(*columns, strict=True):
        total, good = int(big_row), round(p_row * big_row)
        truth = good / total
        hits = 0
        for size in _chunks(replicates, chunk):
            x = rng.hypergeometric(good, total - good, int(n_row), size=size)
            hits += int(np.count_nonzero(np.abs(x / n_row - truth) <= margin_row + 1e-12))
        cover.append(hits / replicates)
    sc["nominal"] = c
    sc["coverage"] = cover
    coverage = np.asarray(cover, dtype=float)
    sc["mc_se"] = np.sqrt(coverage * (1 - coverage) / replicates)
    return sc


def z_test_rejection(
    n_previous: ArrayLike,
    n_current: ArrayLike,
    p_previous: ArrayLike,
    p_current: ArrayLike | None = None,
    test: ChangeTest | None = None,
    *,
    replicates: int = 100_000,
    seed: int | None = None,
    chunk: int = 1_000_000,
) -> pd.DataFrame:
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

    See Also
    --------
    stats.operating.exact_size, stats.operating.exact_power : the exact rates by enumeration.
    stats.power.power_of_change : the normal approximation of the power.

    Examples
    --------
    >>> from stats.operating import exact_size
    >>> from stats.simulate import z_test_rejection
    >>> r = z_test_rejection(100, 100, 0.5, replicates=20_000, seed=1)
    >>> round(float(r.loc[0, "rejection_rate"]), 2), round(exact_size(100, 100, 0.5).rejection_rate, 2)
    (0.1, 0.1)
    """
    rng = _check_run(replicates, seed, chunk)
    spec = resolve_test(test)
    if spec.finite_population:
        raise ValueError(
            "z_test_rejection draws binomial counts (an infinite population), so the test cannot have a "
            "finite population correction; use test.replace(finite_population=False)."
        )
    a = spec.alpha
    n1 = v.check_count("n_previous", n_previous)
    n2 = v.check_count("n_current", n_current)
    p1 = v.check_proportion("p_previous", p_previous)
    p2 = p1 if p_current is None else v.check_proportion("p_current", p_current)
    sc = _scenarios(n_previous=n1, n_current=n2, p_previous=p1, p_current=p2)
    rates = []
    columns = (
        sc[name].to_numpy(dtype=float).tolist() for name in ("n_previous", "n_current", "p_previous", "p_current")
    )
    for n1_row, n2_row, p1_row, p2_row in zip(*columns, strict=True):
        m1, m2 = int(n1_row), int(n2_row)
        rejected = 0
        for size in _chunks(replicates, chunk):
            x1 = rng.binomial(m1, p1_row, size=size)
            x2 = rng.binomial(m2, p2_row, size=size)
            pval = spec.pvalue(x1, m1, x2, m2)
            rejected += int(np.count_nonzero(pval <= a))
        rates.append(rejected / replicates)
    sc["alpha"] = a
    sc["rejection_rate"] = rates
    rate = np.asarray(rates, dtype=float)
    sc["mc_se"] = np.sqrt(rate * (1 - rate) / replicates)
    sc.attrs["change_test"] = spec
    return sc


def subsample_deviation(
    n_sub: ArrayLike,
    proportion: ArrayLike,
    *,
    threshold: float = 0.05,
    population: ArrayLike | None = None,
    replicates: int = 100_000,
    seed: int | None = None,
    chunk: int = 1_000_000,
) -> pd.DataFrame:
    r"""How often a sub-sample estimate falls more than ``threshold`` from the truth.

    Binomial draws (or hypergeometric when ``population`` is given, with
    :math:`K = \mathrm{round}(pN)`).

    Returns
    -------
    pandas.DataFrame
        ``n_sub``, ``proportion``, ``population``, ``threshold``,
        ``probability`` (share of estimates with :math:`|\hat p - p| > t`),
        ``mc_se``.

    See Also
    --------
    margin_coverage : the coverage of the stated margin.
    stats.samplesize.subsample_margin : the margin of a sub-sample.

    Examples
    --------
    >>> from stats.simulate import subsample_deviation
    >>> r = subsample_deviation(30, 0.5, replicates=20_000, seed=1)
    >>> round(float(r.loc[0, "probability"]), 2)  # share of 30-case estimates more than 5 points out
    0.59
    """
    rng = _check_run(replicates, seed, chunk)
    nn = v.check_count("n_sub", n_sub)
    p = v.check_proportion("proportion", proportion)
    t = v.as_float_array("threshold", threshold)
    if t.ndim or not 0 < t < 1:
        raise ValueError(f"threshold must be a single number in (0, 1) (got {threshold!r}).")
    big: float | np.ndarray = np.inf if population is None else v.check_count("population", population)
    sc = _scenarios(n_sub=nn, proportion=p, population=big)
    out = []
    columns = (sc[name].to_numpy(dtype=float).tolist() for name in ("n_sub", "proportion", "population"))
    for n_row, p_row, big_row in zip(*columns, strict=True):
        m = int(n_row)
        good = 0
        if np.isfinite(big_row):
            if m > big_row:
                raise ValueError(f"n_sub must not exceed population (got n_sub={m} > population={int(big_row)}).")
            good = round(p_row * big_row)
            truth = good / big_row
        else:
            truth = p_row
        far = 0
        for size in _chunks(replicates, chunk):
            if np.isfinite(big_row):
                x = rng.hypergeometric(good, int(big_row) - good, m, size=size)
            else:
                x = rng.binomial(m, truth, size=size)
            far += int(np.count_nonzero(np.abs(x / m - truth) > float(t) + 1e-12))
        out.append(far / replicates)
    sc["threshold"] = float(t)
    sc["probability"] = out
    probability = np.asarray(out, dtype=float)
    sc["mc_se"] = np.sqrt(probability * (1 - probability) / replicates)
    return sc
