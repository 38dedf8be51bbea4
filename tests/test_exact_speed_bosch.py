"""Boschloo on small designs (the stacked route): each vectorised piece against what it replaces.

The stacked route's pieces (the grid values of many degrees from shared powers, the counts of the
stacked designs by binary search, the running sums of the stacked designs) are checked here against
the definition or the one-at-a-time computation they stand for, on edge cases: n = 1, the
:math:`\\pi = 0` grid point, ties, 0 % and 100 % counts. The p-values themselves are checked
against scipy, brute force and the one-design route in test_exact_tests.py.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import stats.exact_tests as E
from stats.exact_tests import boschloo

# ---- grid values of many degrees from the powers of one ratio -----------------------------------


def test_bernstein_powers_give_the_binomial_rows_of_every_degree():
    # b(t; N, pi) = C(N, t) (1 - pi)^N r^t, r = pi / (1 - pi), against _binom_rows (the log route
    # of each degree) to rounding; pi = 0 (only t = 0), pi = 1/2 (r = 1), tiny powers set to 0
    G = 49
    pis = E._product_grid(G)[: (G + 1) // 2]
    assert pis[0] == 0.0 and pis[-1] == 0.5
    T = 121
    power, log_q = E._bernstein_powers(pis, T)
    assert power[0, 0] == 1.0 and not power[1:, 0].any()  # 0^0 = 1, 0^t = 0
    assert np.all(power[:, -1] == 1.0)  # r = 1 at pi = 1/2
    assert np.all((power == 0) | (power > 1e-271))  # no subnormal numbers
    Ns = np.array([1, 2, 7, 60, 119, 120])
    comb = E._comb_rows(Ns, T)
    for i, N in enumerate(Ns.tolist()):
        want = E._binom_rows(N, pis)  # (points, t)
        got = (comb[i, : N + 1, None] * power[: N + 1] * np.exp(N * log_q)[None, :]).T
        # both routes sum log-factorials up to log(120!) = 458 (ulp 5.7e-14): a few ulps relative;
        # powers below 1e-270 are dropped (terms below 2^120 1e-270 = 1.5e-234, see _bernstein_powers)
        assert got == pytest.approx(want, rel=5e-13, abs=1e-233)
        assert not comb[i, N + 1 :].any()


def test_comb_rows_are_the_binomial_coefficients():
    Ns = np.array([1, 5, 33, 120, 200])
    comb = E._comb_rows(Ns, 201)
    for i, N in enumerate(Ns.tolist()):
        want = [float(math.comb(N, t)) for t in range(N + 1)]  # correctly rounded
        # through log-factorials up to log(200!) = 863 (ulp 1.1e-13), three of them: about 3 ulps
        assert comb[i, : N + 1] == pytest.approx(want, rel=4e-13)
        assert comb[i, 0] == 1.0 and comb[i, N] == 1.0


def test_grid_values_of_many_degrees_are_the_bernstein_polynomials_on_one_odd_grid():
    # every row of degree <= _POWER_MAX_N on one grid (odd: 1/2 is a point) with at least the points
    # of its own grid (_grid_size), the values those of the definition sum_t w_t b(t; N, pi)
    rng = np.random.default_rng(3)
    Ns = np.array([20, 57, 20, 120, 33, 57, 2, 1, 1])
    w = rng.random((len(Ns), Ns.max() + 1))
    w[-2] = 0.0  # 0 % / 100 % extremes: a region of one end only
    w[-2, 1] = 1.0
    w[-1] = 1.0  # P = 1 everywhere
    w[np.arange(w.shape[1])[None, :] > Ns[:, None]] = 0.0  # zero past each row's degree
    values, grid, sizes = E._Suprema()._values_by_degree(w, Ns)
    G = values.shape[1]
    assert G % 2 == 1 and np.all(sizes == G) and np.all(E._grid_size(Ns) <= G)
    assert np.array_equal(grid, E._product_grid(G)) and grid[G // 2] == 0.5
    for r, N in enumerate(Ns.tolist()):
        want = E._binom_rows(N, grid) @ w[r, : N + 1]
        assert values[r] == pytest.approx(want, rel=1e-13, abs=1e-300)
    assert values[-2, 0] == 0.0 and values[-2, -1] == 1.0  # pi = 0 and 1 exactly: w_0 and w_N
    assert values[-1] == pytest.approx(1.0, rel=1e-14)


def test_grid_values_beyond_the_power_range_go_one_degree_at_a_time(monkeypatch):
    rng = np.random.default_rng(4)
    Ns = np.array([20, 57, 20, 33])
    w = rng.random((len(Ns), Ns.max() + 1))
    w[np.arange(w.shape[1])[None, :] > Ns[:, None]] = 0.0
    monkeypatch.setattr(E, "_POWER_MAX_N", 40)
    values, grid, sizes = E._Suprema()._values_by_degree(w, Ns)
    for r, N in enumerate(Ns.tolist()):
        pis, basis = E._grid(N)
        assert sizes[r] == len(pis) and np.array_equal(grid[r, : len(pis)], pis)
        assert np.array_equal(values[r, : len(pis)], E._Suprema._values(w[r : r + 1, : N + 1], basis)[0])
        assert np.all(values[r, len(pis) :] == -np.inf)


@pytest.mark.parametrize("k1, n1, k2, n2, alternative", [(14, 40, 35, 40, "greater"), (14, 40, 35, 40, "two-sided")])
def test_stacked_boschloo_reaches_a_maximum_at_one_half(k1, n1, k2, n2, alternative):
    # equal sample sizes: P(pi) = P(1 - pi), here largest at pi = 1/2; the stacked grid has 1/2 as a
    # point (a grid without it leaves two equal maxima either side, and Newton's steps from each
    # overshot the other: 4.39427e-7 instead of 4.39792e-7). Reference: a dense grid of the design's
    # region (pi = i / 200000), its maximum at pi = 1/2
    d = E._Design(n2, n1)
    t = np.array([k1 + k2])
    w, _ = E._boschloo_w(d, t, np.array([k2]) - d.lo[t], "greater")
    pis = np.linspace(0, 1, 200001)
    dense = max((E._binom_rows(d.N, pis[i : i + 20000]) @ w[0]).max() for i in range(0, len(pis), 20000))
    factor = 2 if alternative == "two-sided" else 1
    assert boschloo(k1, n1, k2, n2, alternative=alternative) == pytest.approx(factor * dense, rel=1e-12)
