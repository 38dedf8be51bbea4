"""The score interval's limits by Newton's method: equal to the bracketing search, and the roots of T - z.

``stats._intervals.score_bounds`` solves ``T(delta) = z`` by Newton's method with the derivative of
the score statistic in closed form, and keeps the bracketing search (``_boundary``, regula falsi
with bisection) for the rows Newton's method cannot confirm and for the finite-population rows.
These tests check the Newton limits against (1) the bracketing search run on every row, to 1e-12
(except at 0 % or 100 % in samples of at most 5, where T is noisy in double precision and both are
within 5e-11 of the root), and (2) the root of ``T - z`` computed in 50-digit decimal arithmetic
(the cubic of the restricted estimates solved in ``decimal``).
"""

from decimal import Decimal, localcontext

import numpy as np
import pytest
from scipy.stats import norm

from stats import _intervals as I


def bracketing_bounds(d, p1, n1, p2, n2, f1, f2, cc, z_low, z_high):
    """The limits as the bracketing search finds them on every row (the way they were computed before)."""
    args = [np.broadcast_to(np.asarray(x, dtype=float), d.shape).ravel() for x in (d, p1, n1, p2, n2, f1, f2, cc)]

    def stat(x, rows):
        return I.score_statistic(x, *(a[rows] for a in args))

    rows = np.arange(d.size)
    out = []
    for sign, z, end in ((1.0, z_low, -1.0), (-1.0, z_high, 1.0)):
        ends = np.full(d.size, end)
        if np.isinf(z):
            out.append(ends)
            continue
        margin = lambda x, r, sign=sign, z=z: sign * stat(x, r) - z
        limit = np.where(margin(ends, rows) >= 0, I._boundary(margin, ends, args[0]), end)
        zero_rejected = margin(np.zeros(d.size), rows) >= 0
        if sign > 0:
            limit = np.where(zero_rejected & (limit <= 0), np.nextafter(0.0, 1.0), limit)
            limit = np.where(~zero_rejected & (limit > 0), 0.0, limit)
        else:
            limit = np.where(zero_rejected & (limit >= 0), np.nextafter(0.0, -1.0), limit)
            limit = np.where(~zero_rejected & (limit < 0), 0.0, limit)
        out.append(limit)
    return out[0], out[1]


def tables(seed, m):
    rng = np.random.default_rng(seed)
    n1 = rng.integers(1, 300, m).astype(float)
    n2 = rng.integers(1, 300, m).astype(float)
    k1 = rng.binomial(n1.astype(int), rng.uniform(0, 1, m)).astype(float)
    k2 = rng.binomial(n2.astype(int), rng.uniform(0, 1, m)).astype(float)
    k1[::7] = 0  # 0 %
    k2[::11] = n2[::11]  # 100 %
    n1[::13] = 1  # n = 1
    k1 = np.minimum(k1, n1)
    p1, p2 = k1 / n1, k2 / n2
    p1[::5] = np.round(p1[::5] * 100) / 100  # published percentages: not whole counts
    return p1, n1, p2, n2


def high_precision_t(delta, p1, n1, p2, n2, cc):
    """T(delta) in 50-digit decimals: the restricted estimate as the root of the likelihood cubic
    (Newton's method from the double-precision root, in the admissible range), then T = gap / s."""
    with localcontext() as ctx:
        ctx.prec = 50
        delta, p1, n1, p2, n2, cc = (Decimal(float(x)) for x in (delta, p1, n1, p2, n2, cc))
        k1 = p1 * n1
        total = n1 + n2
        count = k1 + p2 * n2
        c3 = total
        c2 = (n2 + 2 * n1) * delta - total - count
        c1 = (n1 * delta - total - 2 * k1) * delta + count
        c0 = k1 * delta * (1 - delta)
        lo, hi = max(Decimal(0), -delta), min(Decimal(1), 1 - delta)
        x = Decimal(float(I.restricted_mle(float(delta), float(p1), float(n1), float(p2), float(n2))[0]))
        x = min(max(x, lo), hi)
        for _ in range(60):
            f = ((c3 * x + c2) * x + c1) * x + c0
            df = (3 * c3 * x + 2 * c2) * x + c1
            if df == 0:
                break
            step = f / df
            x = min(max(x - step, lo), hi)
            if abs(step) < Decimal("1e-45"):
                break
        pi1, pi2 = x, min(max(x + delta, Decimal(0)), Decimal(1))
        se = (pi1 * (1 - pi1) / n1 + pi2 * (1 - pi2) / n2).sqrt()
        gap = p2 - p1 - delta
        num = (abs(gap) - min(cc, abs(gap))) * (1 if gap > 0 else -1)
        return float(num / se) if se > 0 else 0.0


def root_distance(limit, z, sign, p1, n1, p2, n2, cc):
    """|T(limit) - z| over |T'(limit)|: how far ``limit`` is from the root, to first order, in decimals."""
    t = high_precision_t(limit, p1, n1, p2, n2, cc)
    slope = I._score_and_slope(np.array([limit]), np.array([p2 - p1]), p1, n1, p2, n2, 1.0, 1.0, cc)[1][0]
    return abs(sign * t - z) / abs(slope)


@pytest.mark.parametrize("continuity", [False, True])
@pytest.mark.parametrize("levels", [(0.90, 0.90), (0.80, None), (None, 0.80), (0.95, 0.95)])
def test_newton_limits_equal_the_bracketing_search(continuity, levels):
    p1, n1, p2, n2 = tables(1, 4000)
    d = p2 - p1
    one = np.ones_like(d)
    cc = 0.5 * (1 / n1 + 1 / n2) if continuity else 0.0
    z_low, z_high = (np.inf if lv is None else norm.ppf(lv) for lv in levels)
    new = I.score_bounds(d, p1, n1, p2, n2, one, one, cc, z_low, z_high)
    ref = bracketing_bounds(d, p1, n1, p2, n2, one, one, cc * one, z_low, z_high)
    ccs = np.broadcast_to(cc, d.shape)
    differ = 0
    for side, (a, b, z, sign) in enumerate(zip(new, ref, (z_low, z_high), (1.0, -1.0), strict=True)):
        far = np.flatnonzero(np.abs(a - b) > 1e-12)
        differ += far.size
        # Where they differ by more than 1e-12, the sample is tiny (n <= 5) and at 0 % or 100 %: T is
        # noisy there in double precision (the restricted estimate is within 1e-12 of 1) and both
        # searches stop at a crossing of the noise; both are within 5e-11 of the root of T - z
        # computed in 50-digit decimals (typically 1e-12).
        for i in far:
            assert min(n1[i], n2[i]) <= 5 and (min(p1[i], p2[i]) == 0 or max(p1[i], p2[i]) == 1)
            assert root_distance(a[i], z, sign, p1[i], n1[i], p2[i], n2[i], ccs[i]) < 5e-11, (side, i)
            assert root_distance(b[i], z, sign, p1[i], n1[i], p2[i], n2[i], ccs[i]) < 5e-11, (side, i)
    assert differ <= 16  # of 8000 limits


def test_newton_limits_are_roots_in_high_precision():
    p1, n1, p2, n2 = tables(2, 60)
    d = p2 - p1
    one = np.ones_like(d)
    z = norm.ppf(0.9)
    low, high = I.score_bounds(d, p1, n1, p2, n2, one, one, 0.0, z, z)
    for i in range(len(d)):
        for limit, sign, end in ((low[i], 1.0, -1.0), (high[i], -1.0, 1.0)):
            if limit in (end, 0.0) or abs(limit) < 1e-300:  # no root in range, or tied to the verdict at 0
                continue
            assert root_distance(limit, z, sign, p1[i], n1[i], p2[i], n2[i], 0.0) < 1e-12, i


def test_finite_population_rows_keep_the_bracketing_search_exactly():
    p1, n1, p2, n2 = tables(3, 2000)
    d = p2 - p1
    rng = np.random.default_rng(3)
    f1 = np.where(rng.uniform(size=d.size) < 0.5, rng.uniform(0, 1, d.size), 1.0)
    f1[::17] = 0.0  # a census of the previous inspection
    f2 = np.where(rng.uniform(size=d.size) < 0.5, rng.uniform(0, 1, d.size), 1.0)
    z = norm.ppf(0.9)
    fpc = (f1 != 1) | (f2 != 1)
    new = I.score_bounds(d, p1, n1, p2, n2, f1, f2, 0.0, z, z)
    ref = bracketing_bounds(d, p1, n1, p2, n2, f1, f2, np.zeros_like(d), z, z)
    for a, b in zip(new, ref, strict=True):
        assert np.array_equal(a[fpc], b[fpc])  # bit for bit: T is not monotone in some of these


def test_slope_in_closed_form_equals_a_central_difference():
    p1, n1, p2, n2 = tables(4, 300)
    d = p2 - p1
    one = np.ones_like(d)
    for cc in (0.0, 0.5 * (1 / n1 + 1 / n2)):
        x = np.clip(d - 0.05 * np.sign(d + 1e-9), -0.999, 0.999)
        _, slope = I._score_and_slope(x, d, p1, n1, p2, n2, one, one, cc)
        h = 1e-6
        fd = (
            I.score_statistic(x + h, d, p1, n1, p2, n2, one, one, cc)
            - I.score_statistic(x - h, d, p1, n1, p2, n2, one, one, cc)
        ) / (2 * h)
        smooth = np.isfinite(slope) & (np.abs(fd) < 1e4) & (np.abs(fd - slope) < 1e-2 * np.abs(slope) + 1e-6)
        assert smooth.mean() > 0.95  # kinks where an estimate is clipped to 0 or 1, or the gap reaches c
