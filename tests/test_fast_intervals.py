"""The score limits' faster evaluation (per-row constants, compact Newton steps) gives the same bits."""

import numpy as np
import pytest

from stats import _intervals as I


def problem(m, seed):
    rng = np.random.default_rng(seed)
    n1 = rng.integers(1, 400, m).astype(float)
    n2 = rng.integers(1, 400, m).astype(float)
    k1 = rng.binomial(n1.astype(int), rng.uniform(0, 1, m)).astype(float)
    k2 = rng.binomial(n2.astype(int), rng.uniform(0, 1, m)).astype(float)
    k1[::17], k2[::19], k1[::23] = 0, n2[::19], n1[::23]  # 0 % and 100 %
    return k1 / n1, n1, k2 / n2, n2


@pytest.mark.parametrize("cc", [0.0, 0.005])
def test_simple_evaluation_equals_the_general_one_bit_for_bit(cc):
    p1, n1, p2, n2 = problem(20_000, 1)
    d = p2 - p1
    const = I._row_constants(p1, n1, p2, n2)
    for delta in (np.zeros_like(d), d - 0.1, np.clip(d + 0.07, -1, 1), np.full_like(d, -0.999)):
        ref = I._score_and_slope(delta, d, p1, n1, p2, n2, 1.0, 1.0, cc)
        got = I._score_and_slope_simple(delta, d, np.full_like(d, cc), const)
        for a, b in zip(ref, got, strict=True):
            np.testing.assert_array_equal(a, b)
            assert np.array_equal(np.signbit(a), np.signbit(b))
        if cc == 0:  # the route without a correction (cc None) gives the same bits, signs of zeros included
            for a, b in zip(ref, I._score_and_slope_simple(delta, d, None, const), strict=True):
                np.testing.assert_array_equal(a, b)
                assert np.array_equal(np.signbit(a), np.signbit(b))
            value = I._score_and_slope_simple(delta, d, None, const, False)[0]
            np.testing.assert_array_equal(value, ref[0])
            assert np.array_equal(np.signbit(value), np.signbit(ref[0]))


@pytest.mark.parametrize("sign, z", [(1.0, 1.6448536269514722), (-1.0, 1.959963984540054), (1.0, 3.5)])
def test_compact_newton_equals_newton_bit_for_bit(sign, z):
    p1, n1, p2, n2 = problem(20_000, 2)
    d = p2 - p1
    cc = np.zeros_like(d)
    const = I._row_constants(p1, n1, p2, n2)
    zz = np.full_like(d, z)
    end = np.full_like(d, -1.0 if sign > 0 else 1.0)
    rows = np.flatnonzero(sign * I._score_and_slope_simple(end, d, cc, const, False)[0] - z >= 0)
    start = d[rows] - sign * z * 0.05

    def margin(x, r):
        t, dt = I._score_and_slope_simple(x, d[rows[r]], cc[rows[r]], {k: v[rows[r]] for k, v in const.items()})
        return sign * t - zz[rows[r]], sign * dt

    def gather(r):
        return rows[r]

    def evaluate(x, at, slope):
        t, dt = I._score_and_slope_simple(x, d[at], cc[at], {k: v[at] for k, v in const.items()}, slope)
        return sign * t - zz[at], (sign * dt if slope else None)

    ref = I._newton_boundary(margin, end[rows], d[rows], start)
    got = I._newton_compact(gather, evaluate, end[rows], d[rows], start)
    np.testing.assert_array_equal(ref[0], got[0])
    np.testing.assert_array_equal(ref[1], got[1])
    assert got[1].mean() > 0.99


@pytest.mark.parametrize("z_low, z_high", [(1.6448536269514722, 1.6448536269514722), (np.inf, 1.959963984540054)])
def test_limits_in_blocks_equal_one_block_bit_for_bit(z_low, z_high):
    p1, n1, p2, n2 = problem(3 * I._BLOCK_ROWS + 123, 3)
    m = p1.size
    f1 = np.where(np.arange(m) % 11 == 0, 0.6, 1.0)  # finite population rows: the bracketing search
    cc = np.where(np.arange(m) % 5 == 0, 0.01, 0.0)
    args = (p2 - p1, p1, n1, p2, n2, f1, 1.0, cc, z_low, z_high)
    ref = I._score_bounds(*args)
    got = I.score_bounds(*args)
    for a, b in zip(ref, got, strict=True):
        np.testing.assert_array_equal(a, b)
        assert np.array_equal(np.signbit(a), np.signbit(b))


@pytest.mark.parametrize("z", [0.2533471031357997, 1.2815515655446004, 1.6448536269514722, 2.5758293035489004, 6.0])
@pytest.mark.parametrize("cc", [0.0, 0.005, 0.05])
def test_an_end_judged_rejected_without_evaluation_is_rejected_when_evaluated(z, cc):
    p1, n1, p2, n2 = problem(40_000, 5)
    n1[::29], n2[::31] = 1.0, 2.0  # tiny samples: wide limits, ends near the root
    p1[::37], p2[::37] = 1.0, 0.0  # d = -1
    p1[::41], p2[::41] = 0.0, 1.0  # d = 1
    p1[::43] = np.nan  # untestable rows
    d = p2 - p1
    const = I._row_constants(p1, n1, p2, n2)
    cc_arr = np.full_like(d, cc)
    zz = np.full_like(d, z)
    for sign, end in ((1.0, -1.0), (-1.0, 1.0)):
        ends = np.full_like(d, end)
        margin = sign * I._score_and_slope_simple(ends, d, cc_arr, const, False)[0] - zz
        for c in (cc_arr, None) if cc == 0 else (cc_arr,):
            sure = I._end_rejected(sign, ends, d, n1, n2, c, zz)
            assert np.all(margin[sure] >= 0)
            assert sure.mean() > 0.5  # it spares most evaluations
