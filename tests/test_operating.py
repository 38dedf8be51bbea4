"""Exact size and power by enumeration: hand cases, Monte Carlo, statsmodels asymptotics, exact tests."""

import numpy as np
import pytest
from statsmodels.stats.proportion import power_proportions_2indep

from stats import ChangeTest
from stats.exact_tests import ExactTest
from stats.operating import exact_power, exact_size, rejection_matrix
from stats.simulate import z_test_rejection


def test_hand_computed_n1_and_n2():
    # n = 1 each: the only discordant tables give z = +-1.414, p = 0.157 > 0.1: the test never rejects.
    assert exact_size(1, 1, 0.5).rejection_rate == 0.0
    assert exact_power(1, 1, 0.0, 1.0).rejection_rate == 0.0
    # n = 2 each: only 0/2 vs 2/2 (z = +-2, p = 0.0455) is rejected; 0/2 vs 1/2 has z = 1.155, p = 0.248.
    assert rejection_matrix(2, 2).tolist() == [[False, False, True], [False, False, False], [True, False, False]]
    for p in (0.1, 0.5, 0.7):
        assert exact_size(2, 2, p).rejection_rate == pytest.approx(2 * p**2 * (1 - p) ** 2, abs=1e-15)
    assert exact_power(2, 2, 0.2, 0.8).rejection_rate == pytest.approx(0.8**4 + 0.2**4, abs=1e-15)
    # one-sided 'greater' keeps only the improvement 0/2 -> 2/2
    assert exact_power(2, 2, 0.2, 0.8, test=ChangeTest(alternative="greater")).rejection_rate == pytest.approx(
        0.8**4, abs=1e-15
    )
    # Fisher and Barnard never reject at n = 2 (p = 1/3 and 1/8 for the most extreme table)
    for method in ("fisher", "barnard", "boschloo"):
        assert exact_size(2, 2, 0.5, test=ExactTest(method)).rejection_rate == 0.0


@pytest.mark.parametrize(
    "spec",
    [
        ChangeTest(),
        ChangeTest(method="unpooled"),
        ChangeTest(method="pooled-cc"),
        ChangeTest(alternative="less", alpha=0.05),
    ],
)
def test_enumeration_equals_monte_carlo_within_its_error(spec):
    scenarios = [(100, 100, 0.5, 0.5), (24, 35, 0.87, 0.87), (85, 100, 0.54, 0.71), (50, 60, 0.7, 0.55)]
    for n1, n2, p1, p2 in scenarios:
        exact = exact_power(n1, n2, p1, p2, test=spec).rejection_rate
        mc = z_test_rejection(n1, n2, p1, p2, test=spec, replicates=100_000, seed=7).iloc[0]
        assert abs(exact - mc["rejection_rate"]) <= 4.5 * mc["mc_se"] + 1e-4, (spec, n1, n2, p1, p2, exact, mc)


def test_large_n_power_matches_statsmodels_normal_approximation():
    # statsmodels power_proportions_2indep is the normal approximation; at n = 1000 the exact power
    # differs only by the discreteness of the test (tolerance 0.01, stated).
    for p1, p2 in ((0.5, 0.55), (0.3, 0.36), (0.8, 0.75)):
        exact = exact_power(1000, 1000, p1, p2).rejection_rate
        approx = power_proportions_2indep(p2 - p1, p1, 1000, ratio=1, alpha=0.1).power
        assert exact == pytest.approx(approx, abs=0.01)
    # and the real size at n = 1000 is within 0.005 of alpha
    assert exact_size(1000, 1000, 0.5).rejection_rate == pytest.approx(0.10, abs=0.005)


def test_vectorised_and_frame():
    res = exact_power([24, 100], 100, 0.6, [[0.6], [0.75]])
    assert np.shape(res.rejection_rate) == (2, 2)
    assert res.rejection_rate[1, 1] == pytest.approx(exact_power(100, 100, 0.6, 0.75).rejection_rate, abs=1e-14)
    frame = res.to_frame()
    assert list(frame.columns) == [
        "n_previous",
        "n_current",
        "p_previous",
        "p_current",
        "alpha",
        "rejection_rate",
        "excess",
    ]
    assert frame.attrs["test"] == ChangeTest()


def test_exact_tests_hold_their_level_and_z_test_does_not():
    # exact tests never exceed alpha (up to rounding); the pooled Z test exceeds it at n = 24 vs 35 near 87 %.
    ps = np.linspace(0.05, 0.95, 19)
    for method in ("fisher", "barnard", "boschloo"):
        size = exact_size(24, 35, ps, test=ExactTest(method)).rejection_rate
        assert size.max() <= 0.10 + 1e-9
    assert exact_size(24, 35, ps).rejection_rate.max() > 0.10
    # Boschloo is uniformly more powerful than Fisher (its rejection region contains Fisher's)
    fisher_r = rejection_matrix(24, 35, ExactTest("fisher"))
    boschloo_r = rejection_matrix(24, 35, ExactTest("boschloo"))
    assert np.all(boschloo_r >= fisher_r)


def test_exact_test_enumeration_equals_monte_carlo():
    spec = ExactTest("barnard")
    exact = exact_power(30, 40, 0.4, 0.65, test=spec).rejection_rate
    rng = np.random.default_rng(3)
    k1, k2 = rng.binomial(30, 0.4, 100_000), rng.binomial(40, 0.65, 100_000)
    mc = np.mean(spec.pvalue(k1, 30, k2, 40) <= 0.1)
    assert abs(exact - mc) <= 4.5 * np.sqrt(mc * (1 - mc) / 100_000)


def test_errors():
    with pytest.raises(ValueError, match=r"test.finite_population must be False"):
        exact_size(10, 10, 0.5, test=ChangeTest(finite_population=True))
    with pytest.raises(TypeError, match=r"test must be a stats.ChangeTest"):
        exact_size(10, 10, 0.5, test="pooled")
    with pytest.raises(ValueError, match=r"p_current must be a proportion in \[0, 1\]"):
        exact_power(10, 10, 0.5, 50)
