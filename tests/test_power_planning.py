"""Planning from a known previous proportion and non-integer n, against R power.prop.test."""

import numpy as np
import pytest

from stats.power import critical_difference, minimum_detectable_change, power_of_change

# R 4.x, options(digits=16); power.prop.test(..., tol = 1e-12)$p2 - p1 (R solves for p2 by uniroot in [p1, 1]).
# strict = TRUE counts both tails of the two-sided test, as power_of_change does.
R_MDC = [
    # (n, p1, power, alpha, alternative, R p2)
    (
        100,
        0.5,
        0.8,
        0.1,
        "two-sided",
        0.6722842265723747,
    ),  # power.prop.test(n=100, p1=0.5, power=0.8, sig.level=0.1, strict=TRUE)
    (
        100,
        0.54,
        0.8,
        0.1,
        "two-sided",
        0.7093738994618701,
    ),  # power.prop.test(n=100, p1=0.54, power=0.8, sig.level=0.1, strict=TRUE)
    (
        85.5,
        0.3,
        0.9,
        0.1,
        "two-sided",
        0.5176444108357163,
    ),  # power.prop.test(n=85.5, p1=0.3, power=0.9, sig.level=0.1, strict=TRUE)
    (
        100,
        0.6,
        0.8,
        0.1,
        "greater",
        0.7405297048548279,
    ),  # power.prop.test(n=100, p1=0.6, power=0.8, sig.level=0.1, alternative="one.sided")
]


@pytest.mark.parametrize("n, p1, power, alpha, alternative, p2", R_MDC)
def test_minimum_detectable_change_from_known_previous_equals_r(n, p1, power, alpha, alternative, p2):
    got = minimum_detectable_change(n, n, previous=p1, power=power, alpha=alpha, alternative=alternative)
    assert got == pytest.approx(p2 - p1, abs=1e-10)


def test_power_from_known_previous_equals_r():
    # power.prop.test(n=100, p1=0.54, p2=0.71, sig.level=0.1, strict=TRUE)$power = 0.8027347919930733
    assert power_of_change(0.17, 100, 100, previous=0.54) == pytest.approx(0.8027347919930733, abs=1e-12)
    # the same pair given by its midpoint
    assert power_of_change(0.17, 100, 100, baseline=0.625) == pytest.approx(0.8027347919930733, abs=1e-12)


def test_decline_from_known_previous_and_vectorised():
    out = minimum_detectable_change(100, 100, previous=[0.4, 0.6], alternative="less")
    assert np.all(out < 0)
    # symmetric: a decline from 0.6 mirrors an increase from 0.4
    assert -out[1] == pytest.approx(minimum_detectable_change(100, 100, previous=0.4, alternative="greater"), abs=1e-12)
    assert power_of_change(out[0], 100, 100, previous=0.4, alternative="less") == pytest.approx(0.8, abs=1e-10)


def test_non_integer_n_for_planning_is_continuous():
    lo, mid, hi = (minimum_detectable_change(n, n, previous=0.5) for n in (85, 85.5, 86))
    assert lo > mid > hi
    assert critical_difference(85.5, 85.5) == pytest.approx(critical_difference(85, 85) * np.sqrt(85 / 85.5), rel=1e-12)


def test_every_return_value_is_a_proportion():
    assert 0 < critical_difference(100, 100) < 1
    assert 0 < minimum_detectable_change(100, 100) < 1
    assert minimum_detectable_change(100, 100) == pytest.approx(0.1749, abs=5e-5)


def test_errors():
    with pytest.raises(ValueError, match=r"give either baseline .* or previous .*, not both"):
        power_of_change(0.1, 100, 100, baseline=0.5, previous=0.5)
    with pytest.raises(ValueError, match=r"previous \+ change must lie in \[0, 1\]"):
        power_of_change(0.3, 100, 100, previous=0.8)
    with pytest.raises(
        ValueError, match=r"power \(0.8\) cannot be reached at n_previous=10, n_current=10 with previous 0.9"
    ):
        minimum_detectable_change(10, 10, previous=0.9)
    with pytest.raises(ValueError, match=r"n_current must be a finite number > 0 \(got -5.0\)"):
        minimum_detectable_change(10, -5)


def test_power_functions_take_the_test_specification():
    from scipy.stats import norm

    from stats import ChangeTest
    from stats.power import critical_difference, minimum_detectable_change, power_of_change

    spec = ChangeTest(alpha=0.05, alternative="greater")
    assert power_of_change(0.17, 100, 100, test=spec) == pytest.approx(
        power_of_change(0.17, 100, 100, alpha=0.05, alternative="greater"), rel=1e-15
    )
    assert critical_difference(100, 100, test=spec) == pytest.approx(
        critical_difference(100, 100, alpha=0.05, alternative="greater"), rel=1e-15
    )
    assert minimum_detectable_change(100, 100, test=spec) == pytest.approx(
        minimum_detectable_change(100, 100, alpha=0.05, alternative="greater"), rel=1e-12
    )
    # the unpooled (Wald) test: the same standard error under H0 and H1, so the power is
    # Phi(d/s - z) + Phi(-d/s - z) with s^2 = p1 q1/n1 + p2 q2/n2 (hand formula)
    wald = power_of_change(0.17, 100, 100, previous=0.54, test=ChangeTest(method="unpooled"))
    s = np.sqrt(0.54 * 0.46 / 100 + 0.71 * 0.29 / 100)
    z = norm.ppf(0.95)
    assert wald == pytest.approx(norm.cdf(0.17 / s - z) + norm.cdf(-0.17 / s - z), rel=1e-12)
    with pytest.raises(ValueError, match=r"pass either test= or the options \['alpha'\]"):
        power_of_change(0.17, 100, 100, test=spec, alpha=0.1)
    with pytest.raises(ValueError, match=r"use stats.operating.exact_power"):
        power_of_change(0.17, 100, 100, test=ChangeTest(method="pooled-cc"))
