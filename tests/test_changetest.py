"""The test specification and the intervals that go with it.

References: R prop.test (Wald and Wald-cc intervals), statsmodels confint_proportions_2indep
(Wald, Newcombe), and for the score interval an independent numerical inversion (restricted
likelihood maximised by scipy, limits by brentq): statsmodels' own score interval has a wrong
coefficient in its restricted estimate (statsmodels issue #10269), which a test below shows.
"""

import warnings
import zlib

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize, special
from statsmodels.stats.proportion import confint_proportions_2indep, score_test_proportions_2indep

from stats import ChangeTest, compare_proportions
from stats._intervals import restricted_mle
from stats.change import INTERVALS, METHODS, spec_of

VARIANTS = list(METHODS)


# ---- the specification ---------------------------------------------------------------------


def test_defaults_and_dual_intervals():
    spec = ChangeTest()
    assert (spec.alpha, spec.alternative, spec.method, spec.interval, spec.finite_population) == (
        0.1,
        "two-sided",
        "pooled",
        "score",
        False,
    )
    assert [ChangeTest(method=m).interval for m in VARIANTS] == ["score", "score-cc", "wald", "wald-cc"]
    assert all(ChangeTest(method=m).interval_is_dual for m in VARIANTS)
    assert not ChangeTest(interval="newcombe").interval_is_dual
    assert set(INTERVALS) == {"score", "score-cc", "wald", "wald-cc", "newcombe", "newcombe-cc"}


def test_specification_is_frozen_hashable_and_round_trips():
    spec = ChangeTest(alpha=0.05, alternative="greater", method="unpooled-cc")
    with pytest.raises(AttributeError):
        spec.alpha = 0.1
    assert ChangeTest(**spec.to_dict()) == spec
    assert len({spec, ChangeTest(**spec.to_dict())}) == 1
    assert spec.replace(method="pooled").interval == "score"  # interval follows the method
    assert spec.replace(alpha=0.2).alpha == 0.2
    assert "alpha = 0.05" in spec.describe() and "one-sided" in spec.describe()


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        (dict(alpha=1.5), ValueError, r"alpha must be strictly between 0 and 1 \(got 1.5\)"),
        (dict(alpha="0.1"), TypeError, r"alpha must be a single real number \(got '0.1'\)"),
        (
            dict(method="wald"),
            ValueError,
            r"method \('wald'\) must be one of 'pooled', 'pooled-cc', 'unpooled' or 'unpooled-cc'",
        ),
        (dict(interval="exact"), ValueError, r"interval \('exact'\) must be one of 'score', "),
        (dict(alternative="larger"), ValueError, r"alternative \('larger'\) must be one of"),
        (dict(finite_population="yes"), TypeError, r"finite_population must be True or False \(got 'yes'\)"),
    ],
)
def test_specification_errors(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        ChangeTest(**kwargs)


def test_result_carries_its_test_and_test_of_reads_it():
    spec = ChangeTest(alpha=0.05, method="unpooled")
    res = spec.test(0.54, 100, 0.71, 100)
    assert res.test is spec and res.alpha == 0.05
    assert spec_of(res) is spec
    assert spec_of(res.to_frame()) is spec
    with pytest.raises(ValueError, match=r"carries no test specification"):
        spec_of(pd.DataFrame({"a": [1]}))


@pytest.mark.parametrize("method", VARIANTS)
@pytest.mark.parametrize("alternative", ["two-sided", "less", "greater"])
def test_pvalue_kernel_from_counts_equals_the_checked_test(method, alternative):
    rng = np.random.default_rng(3)
    n1, n2 = rng.integers(1, 300, 500), rng.integers(1, 300, 500)
    k1, k2 = rng.integers(0, n1 + 1), rng.integers(0, n2 + 1)
    spec = ChangeTest(method=method, alternative=alternative)
    np.testing.assert_allclose(
        spec.pvalue(k1, n1, k2, n2), spec.test(k1 / n1, n1, k2 / n2, n2).pvalue, rtol=1e-13, atol=0
    )


# ---- intervals against references ------------------------------------------------------------

# R 4.2: prop.test(c(cur, prev), c(n_cur, n_prev), conf.level = 0.9)$conf.int, options(digits = 16)
R_WALD_CC = [
    (71, 100, 54, 100, 0.0491339370593712, 0.2908660629406287),
    (22, 24, 17, 24, -0.01194268598558854, 0.4286093526522551),
    (5, 100, 0, 100, 0.00415124631601093, 0.09584875368398907),
    (43, 100, 53, 100, -0.2256321570763926, 0.02563215707639252),
]


@pytest.mark.parametrize("cur, n_cur, prev, n_prev, low, high", R_WALD_CC)
def test_wald_cc_interval_equals_r_prop_test(cur, n_cur, prev, n_prev, low, high):
    res = compare_proportions(prev / n_prev, n_prev, cur / n_cur, n_cur, method="unpooled-cc")
    assert (res.ci.low, res.ci.high) == pytest.approx((low, high), abs=1e-14)


def test_one_sided_intervals_equal_r():
    # prop.test(c(71, 54), c(100, 100), conf.level = 0.9, alternative = "greater")$conf.int
    res = compare_proportions(0.54, 100, 0.71, 100, method="unpooled-cc", alternative="greater")
    assert (res.ci.low, res.ci.high) == pytest.approx((0.07362114281824729, 1.0), abs=1e-14)
    # prop.test(c(71, 54), c(100, 100), conf.level = 0.9, correct = FALSE)$conf.int
    wald = compare_proportions(0.54, 100, 0.71, 100, method="unpooled")
    assert (wald.ci.low, wald.ci.high) == pytest.approx((0.0591339370593712, 0.2808660629406287), abs=1e-14)


def _random_tables(seed, size, n_max=200):
    rng = np.random.default_rng(seed)
    n1, n2 = rng.integers(1, n_max, size), rng.integers(1, n_max, size)
    k1, k2 = rng.integers(0, n1 + 1), rng.integers(0, n2 + 1)
    k1[::5] = 0  # boundaries
    k2[1::7] = n2[1::7]
    return k1, n1, k2, n2


def test_wald_and_newcombe_equal_statsmodels_on_random_tables():
    k1, n1, k2, n2 = _random_tables(4, 300)
    for alpha in (0.1, 0.05):
        wald = compare_proportions(k1 / n1, n1, k2 / n2, n2, method="unpooled", alpha=alpha)
        newc = wald.confidence_interval(method="newcombe")
        for i in range(len(n1)):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # statsmodels' ratio at 0 %
                sm_w = confint_proportions_2indep(k2[i], n2[i], k1[i], n1[i], method="wald", alpha=alpha)
                sm_n = confint_proportions_2indep(k2[i], n2[i], k1[i], n1[i], method="newcomb", alpha=alpha)
            degenerate = k1[i] in (0, n1[i]) and k2[i] in (0, n2[i])  # our documented pooled fallback
            if not degenerate:
                assert (wald.ci.low[i], wald.ci.high[i]) == pytest.approx(np.clip(sm_w, -1, 1), abs=1e-12)
            assert (newc.low[i], newc.high[i]) == pytest.approx(sm_n, abs=1e-12)


def _numerical_restricted_mle(k1, n1, k2, n2, delta):
    """Independent route: maximise the restricted log-likelihood numerically (previous = a, current = a + delta)."""
    lo, hi = max(0.0, -delta), min(1.0, 1.0 - delta)

    def nll(a):
        total = 0.0
        for k, n, p in ((k1, n1, a), (k2, n2, a + delta)):
            p = min(max(p, 1e-300), 1 - 1e-16)
            total -= k * np.log(p) + (n - k) * np.log1p(-p)
        return total

    best = optimize.minimize_scalar(nll, bounds=(lo, hi), method="bounded", options={"xatol": 1e-14}).x
    a = min((lo, hi, best), key=nll)
    return a, a + delta


def _numerical_score_interval(k1, n1, k2, n2, alpha, cc):
    z = special.ndtri(1 - alpha / 2)
    d = k2 / n2 - k1 / n1

    def stat(delta):
        a, b = _numerical_restricted_mle(k1, n1, k2, n2, delta)
        gap = d - delta
        num = np.sign(gap) * (abs(gap) - min(cc, abs(gap)))
        return 0.0 if num == 0 else num / np.sqrt(a * (1 - a) / n1 + b * (1 - b) / n2)

    eps = 1e-12
    low = -1.0 if stat(-1 + eps) < z else optimize.brentq(lambda x: stat(x) - z, -1 + eps, d, xtol=1e-15)
    high = 1.0 if stat(1 - eps) > -z else optimize.brentq(lambda x: stat(x) + z, d, 1 - eps, xtol=1e-15)
    return low, high


@pytest.mark.slow
@pytest.mark.parametrize("method", ["pooled", "pooled-cc"])
def test_score_interval_equals_independent_numerical_inversion(method):
    k1, n1, k2, n2 = _random_tables(5, 25, n_max=150)
    res = compare_proportions(k1 / n1, n1, k2 / n2, n2, method=method)
    for i in range(len(n1)):
        cc = 0.5 * (1 / n1[i] + 1 / n2[i]) if method == "pooled-cc" else 0.0
        ref = _numerical_score_interval(int(k1[i]), int(n1[i]), int(k2[i]), int(n2[i]), 0.1, cc)
        # the reference's optimiser is good to about 1e-9
        assert (res.ci.low[i], res.ci.high[i]) == pytest.approx(ref, abs=1e-8)


def test_restricted_mle_solves_the_score_equation_where_statsmodels_does_not():
    k1, n1, k2, n2 = 25, 30, 7, 109  # previous 25/30, current 7/109
    delta = -0.85
    ours = restricted_mle(delta, k1 / n1, n1, k2 / n2, n2)
    ref = _numerical_restricted_mle(k1, n1, k2, n2, delta)
    assert ours == pytest.approx(ref, abs=1e-8)
    assert ours[1] - ours[0] == pytest.approx(delta, abs=1e-15)
    # statsmodels 0.14 (issue #10269): its restricted estimate is off by about 0.15 here
    sm = score_test_proportions_2indep(k2, n2, k1, n1, value=delta, compare="diff", correction=False)
    assert abs(sm.prop2_null - ref[0]) > 0.1
    # at delta = 0 both are the pooled proportion
    pooled = (k1 + k2) / (n1 + n2)
    assert restricted_mle(0.0, k1 / n1, n1, k2 / n2, n2) == pytest.approx((pooled, pooled), abs=1e-12)


def test_one_sided_limit_equals_two_sided_limit_at_twice_alpha():
    k1, n1, k2, n2 = _random_tables(6, 200)
    for method in VARIANTS:
        two = compare_proportions(k1 / n1, n1, k2 / n2, n2, method=method, alpha=0.2).ci
        greater = compare_proportions(k1 / n1, n1, k2 / n2, n2, method=method, alpha=0.1, alternative="greater").ci
        less = compare_proportions(k1 / n1, n1, k2 / n2, n2, method=method, alpha=0.1, alternative="less").ci
        np.testing.assert_allclose(greater.low, two.low, atol=1e-12)
        np.testing.assert_array_equal(greater.high, 1.0)
        np.testing.assert_allclose(less.high, two.high, atol=1e-12)
        np.testing.assert_array_equal(less.low, -1.0)


def test_finite_population_scales_the_wald_interval():
    base = compare_proportions(0.54, 100, 0.71, 100, method="unpooled")
    spec = ChangeTest(method="unpooled", finite_population=True)
    fpc = compare_proportions(0.54, 100, 0.71, 100, test=spec, population_previous=250, population_current=250)
    half = (base.ci.high - base.ci.low) / 2
    assert (fpc.ci.high - fpc.ci.low) / 2 == pytest.approx(half * np.sqrt(0.6), rel=1e-12)


# ---- duality: interval excludes 0 exactly when significant --------------------------------------

counts = st.integers(min_value=1, max_value=400)


@st.composite
def tables(draw):
    n1, n2 = draw(counts), draw(counts)
    return draw(st.integers(0, n1)), n1, draw(st.integers(0, n2)), n2


def _disagreements(k1, n1, k2, n2, spec, **populations):
    res = compare_proportions(k1 / n1, n1, k2 / n2, n2, test=spec, **populations)
    low, high = res.ci
    excludes_zero = (np.asarray(low) > 0) | (np.asarray(high) < 0)
    sig = np.asarray(res.significant)
    # an exact tie (p == alpha to the last bit) puts 0 on the limit: count it as agreement
    tie = np.isclose(np.asarray(res.pvalue), spec.alpha, rtol=1e-9, atol=0)
    return int(((excludes_zero != sig) & ~tie).sum())


@pytest.mark.parametrize("method", VARIANTS)
@pytest.mark.parametrize("alternative", ["two-sided", "less", "greater"])
@pytest.mark.parametrize("alpha", [0.1, 0.05])
def test_interval_agrees_with_verdict_on_thousands_of_tables(method, alternative, alpha):
    k1, n1, k2, n2 = _random_tables(zlib.crc32(f"{method}/{alternative}/{alpha}".encode()), 2000, n_max=300)
    spec = ChangeTest(alpha=alpha, alternative=alternative, method=method)
    assert _disagreements(k1, n1, k2, n2, spec) == 0
    fpc = spec.replace(finite_population=True)
    rng = np.random.default_rng(7)
    big1, big2 = n1 + rng.integers(0, 500, len(n1)), n2 + rng.integers(0, 500, len(n2))
    assert _disagreements(k1, n1, k2, n2, fpc, population_previous=big1, population_current=big2) == 0
    # many censuses (n = N) next to 0 % or 100 %: the score statistic is not monotone there
    big1, big2 = n1 + rng.integers(0, 3, len(n1)), n2 + rng.integers(0, 3, len(n2))
    assert _disagreements(k1, n1, k2, n2, fpc, population_previous=big1, population_current=big2) == 0


@settings(max_examples=300, deadline=None)
@given(tables(), st.sampled_from(VARIANTS), st.sampled_from(["two-sided", "less", "greater"]))
def test_duality_property(table, method, alternative):
    k1, n1, k2, n2 = (np.asarray([x]) for x in table)
    assert _disagreements(k1, n1, k2, n2, ChangeTest(method=method, alternative=alternative)) == 0


def test_newcombe_can_disagree_with_the_pooled_test_which_is_why_it_is_not_the_default():
    k1, n1, k2, n2 = _random_tables(8, 5000, n_max=60)
    spec = ChangeTest(interval="newcombe")
    assert _disagreements(k1, n1, k2, n2, spec) > 0


# ---- index alignment -------------------------------------------------------------------------


def test_series_are_aligned_on_their_index():
    prev = pd.Series([0.54, 0.20], index=["a", "b"])
    cur = pd.Series([0.21, 0.71], index=["b", "a"])  # other order
    res = compare_proportions(prev, 100, cur, 100)
    expected = compare_proportions(np.array([0.54, 0.20]), 100, np.array([0.71, 0.21]), 100)
    np.testing.assert_allclose(res.pvalue, expected.pvalue, rtol=1e-15)
    with pytest.raises(ValueError, match=r"current and previous are pandas Series with different indexes"):
        compare_proportions(prev, 100, pd.Series([0.2, 0.7], index=["b", "c"]), 100)
