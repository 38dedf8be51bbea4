"""Boschloo on small designs (the stacked route): each vectorised piece against what it replaces.

The stacked route's pieces (the grid values of many degrees from shared powers, the counts of the
stacked designs by binary search, the running sums of the stacked designs) are checked here against
the definition or the one-at-a-time computation they stand for, on edge cases: n = 1, the
:math:`\\pi = 0` grid point, ties, 0 % and 100 % counts. The p-values themselves are checked
against scipy, brute force and the one-design route in test_exact_tests.py.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

import stats.exact_tests as E
from stats.exact_tests import boschloo

# ---- grid values of many degrees from the powers of one ratio -----------------------------------


def test_binomials_are_the_exact_coefficients_correctly_rounded():
    table = E._binomials(E._POWER_MAX_N)
    assert len(table) > E._POWER_MAX_N and E._binomials(5) is table  # kept, computed once
    for n in (0, 1, 2, 17, 60, 119, 120, E._POWER_MAX_N):
        assert table[n, : n + 1].tolist() == [float(math.comb(n, k)) for k in range(n + 1)]
        assert not table[n, n + 1 :].any()
    assert E._binomials(E._POWER_MAX_N + 3)[E._POWER_MAX_N + 3, 2] == math.comb(E._POWER_MAX_N + 3, 2)  # grows


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
    for N in (1, 2, 7, 60, 119, 120):
        want = E._binom_rows(N, pis)  # (points, t)
        got = (E._binomials(N)[N, : N + 1, None] * power[: N + 1] * np.exp(N * log_q)[None, :]).T
        # _binom_rows sums log-factorials up to log(120!) = 458 (ulp 5.7e-14): a few ulps relative;
        # powers below 1e-270 are dropped (terms below 2^120 1e-270 = 1.5e-234, see _bernstein_powers)
        assert got == pytest.approx(want, rel=5e-13, abs=1e-233)


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


# ---- stacked designs -----------------------------------------------------------------------------


def _exact_sums(n_c, n_p):
    """prefix[t][c], suffix[t][c] of the design (n_c, n_p) in exact fractions."""
    N = n_c + n_p
    prefix, suffix = [], []
    for t in range(N + 1):
        lo, hi = max(0, t - n_p), min(t, n_c)
        cells = [Fraction(math.comb(n_c, x) * math.comb(n_p, t - x), math.comb(N, t)) for x in range(lo, hi + 1)]
        run = [Fraction(0)]
        for c in cells:
            run.append(run[-1] + c)
        prefix.append(run)
        suffix.append([run[-1] - r for r in run])
    return prefix, suffix


def test_stacked_designs_are_the_exact_conditional_sums():
    # n = 1, a one-cell total (t = 0, t = N), equal sizes, the largest stacked size; cells within a
    # few roundings of the exact fractions (the design's log-gamma route: within about 1e-13)
    sizes = [(1, 1), (1, 7), (7, 1), (13, 13), (40, 17), (5, 60), (60, 60), (119, 1), (59, 61)]
    n_c, n_p = (np.array(c) for c in zip(*sizes, strict=True))
    lo, prefix, neg_suffix, length, _ = E._stacked_designs(n_c, n_p)
    suffix = -neg_suffix
    for i, (a, b) in enumerate(sizes):
        d = E._Design(a, b)
        assert np.array_equal(lo[i, : d.N + 1], d.lo) and np.array_equal(length[i, : d.N + 1], d.length)
        assert not length[i, d.N + 1 :].any() and not prefix[:, i, d.N + 1 :].any()
        exact_prefix, exact_suffix = _exact_sums(a, b)
        for t in range(d.N + 1):
            L = d.length[t]
            want_p = [float(f) for f in exact_prefix[t]]
            want_s = [float(f) for f in exact_suffix[t]]
            assert prefix[: L + 1, i, t] == pytest.approx(want_p, rel=1e-15, abs=0)
            assert suffix[: L + 1, i, t] == pytest.approx(want_s, rel=1e-15, abs=0)
            assert np.all(prefix[L:, i, t] == prefix[L, i, t]) and not suffix[L:, i, t].any()  # padding


@pytest.mark.parametrize("shift", [0, 1])
def test_stacked_counts_by_binary_search_equal_the_comparison_of_every_cell(shift):
    # _boschloo_stacked's counts of cells below a level: binary search of each total against the
    # comparison of every position (what it replaces), at levels equal to cell values (ties), at 0,
    # 1, -1 and the float next to them, for tables that compare prefix sums and tables that compare
    # minus suffix sums
    sizes = [(1, 1), (1, 9), (9, 1), (12, 12), (30, 7), (3, 57), (60, 60)]
    n_c, n_p = (np.array(c) for c in zip(*sizes, strict=True))
    stack = E._stacked_designs(n_c, n_p)
    _, prefix, neg_suffix, length, sums = stack
    Lm = len(prefix) - 1
    rng = np.random.default_rng(9)
    use_suffix = np.array([False, True, False, True, True, False, True])
    stat = np.where(use_suffix[None, :, None], neg_suffix[shift : shift + Lm], prefix[shift : shift + Lm])
    levels = [np.full(len(sizes), v) for v in (0.0, 1.0, -1.0, 0.5, -0.5, -0.0)]
    levels += [np.nextafter(v, -np.inf) for v in levels] + [np.nextafter(v, np.inf) for v in levels]
    for _ in range(20):  # levels equal to cell values of each table, and just beside them
        j, t = rng.integers(0, Lm), rng.integers(0, prefix.shape[2])
        cell = stat[j, np.arange(len(sizes)), t]
        levels += [cell, np.nextafter(cell, -np.inf), np.nextafter(cell, np.inf)]
    q = np.array(levels)
    got = E._stacked_counts(stack, shift, use_suffix, q)
    want = np.minimum((stat[None] <= q[:, None, :, None]).sum(axis=1), length)  # cells of each total
    assert np.array_equal(got, want)
    assert np.shares_memory(prefix, sums) and np.shares_memory(neg_suffix, sums)


@pytest.mark.parametrize("side", ["less", "greater"])
def test_stacked_regions_equal_each_designs_region(side):
    # the regions w[t] of _boschloo_stacked (counts by binary search, w gathered from the flat sums)
    # against _boschloo_w on each table's own design: n = 1, equal sizes (mirror-image ties decided
    # in integers), 0 % and 100 % counts, tables far in either tail
    rng = np.random.default_rng(12)
    n_c, n_p = rng.integers(1, 60, 60), rng.integers(1, 60, 60)
    n_p[:25] = n_c[:25]
    k_c, k_p = rng.integers(0, n_c + 1), rng.integers(0, n_p + 1)
    n_c[:3], n_p[:3], k_c[:3], k_p[:3] = [1, 1, 1], [1, 1, 1], [0, 1, 0], [1, 1, 0]
    k_c[3:8], k_p[3:8] = 0, n_p[3:8]
    k_c[8:13], k_p[8:13] = n_c[8:13], 0
    stack = E._stacked_designs(n_c, n_p)
    w, s = E._boschloo_stacked(n_c, n_p, k_c, k_p, side, stack)
    for r in range(len(n_c)):
        d = E._Design(int(n_c[r]), int(n_p[r]))
        t = np.array([k_c[r] + k_p[r]])
        want_w, want_s = E._boschloo_w(d, t, np.array([k_c[r]]) - d.lo[t], side)
        # the design's conditional sums are within about 1e-13 of exact, the stacked ones 1e-15
        assert w[r, : d.N + 1] == pytest.approx(want_w[0], rel=2e-13, abs=1e-300)
        assert s[r] == pytest.approx(want_s[0], rel=2e-13, abs=1e-300)
        assert not w[r, d.N + 1 :].any()


# ---- the Newton refinement's evaluations ---------------------------------------------------------


def test_refinement_evaluations_are_the_polynomial_and_its_derivatives():
    # _evaluate (log b_s from one ratio, an unmasked exponential, terms zero past each degree) against
    # the definition P = sum_t w_t b(t; N, x) and its derivatives term by term, for rows of different
    # degrees in one call (N = 2: a basis of degree 0), x near 0, at 1/2 and near 1, w with 0 and 1
    rng = np.random.default_rng(21)
    Ns = np.array([2, 3, 17, 60, 120, 120, 41, 2, 120])
    x = np.array([0.3, 1e-9, 0.5, 0.999999, 0.25, 1 - 1e-12, 0.7, 0.5, 1e-6])
    w = rng.random((len(Ns), Ns.max() + 1))
    w[3, :30], w[3, 30:] = 0.0, 1.0
    w[np.arange(w.shape[1])[None, :] > Ns[:, None]] = 0.0
    terms = E._refine_terms(w, Ns)
    # the rows w, their first and second differences (as np.diff), zero past each degree N - 2 (two
    # positions cleared: w is zero past N)
    d1 = np.diff(w, axis=1)
    full = np.stack([w[:, :-2], w[:, 1:-1], w[:, 2:], d1[:, :-1], d1[:, 1:], np.diff(d1, axis=1)], axis=1)
    assert np.array_equal(terms, full * (np.arange(terms.shape[2]) <= (Ns - 2)[:, None])[:, None, :])
    for log_comb in (None, E._bernstein_log_comb(Ns, terms.shape[2])):
        value, slope, curve = E._evaluate(terms, Ns, x, log_comb)
        for r, (N, xr) in enumerate(zip(Ns.tolist(), x.tolist(), strict=True)):
            t = np.arange(N + 1)
            b = E._binom_rows(N, [xr])[0]
            d = t / xr - (N - t) / (1 - xr)  # b' = b d, b'' = b (d^2 - t / x^2 - (N - t) / (1 - x)^2)
            want = (w[r, t] @ b, w[r, t] @ (b * d), w[r, t] @ (b * (d * d - t / xr**2 - (N - t) / (1 - xr) ** 2)))
            scale = (w[r, t] @ b, np.abs(w[r, t]) @ np.abs(b * d), np.abs(w[r, t]) @ np.abs(b * d * d) + 1)
            for got, ref, size in zip((value[r], slope[r], curve[r]), want, scale, strict=True):
                assert abs(got - ref) <= 1e-12 * size


def test_newton_does_not_stall_between_two_equal_maxima_on_an_even_grid():
    # 40 against 40 (one design for all 41 x 41 tables, an even grid), 'less': P(pi) = P(1 - pi) with
    # its largest values either side of 1/2; Newton's steps from each end of the bracket overshot the
    # other end, and probes from alternate ends left the grid value (4.39427e-7). Reference: a dense
    # grid of the design's region, as above (the mirror image of 14/40 against 35/40 'greater')
    k_prev, k_cur = np.meshgrid(np.arange(41), np.arange(41), indexing="ij")
    p = boschloo(k_prev.ravel(), 40, k_cur.ravel(), 40, alternative="less").reshape(41, 41)
    d = E._Design(40, 40)
    t = np.array([26 + 5])
    w, _ = E._boschloo_w(d, t, np.array([5]) - d.lo[t], "less")
    pis = np.linspace(0, 1, 200001)
    dense = max((E._binom_rows(d.N, pis[i : i + 20000]) @ w[0]).max() for i in range(0, len(pis), 20000))
    assert p[26, 5] == pytest.approx(dense, rel=1e-12)
