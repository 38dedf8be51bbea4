import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import norm
from statsmodels.stats.proportion import samplesize_confint_proportion

from stats import (
    allocate,
    critical_value,
    implied_population,
    margin_of_error,
    sample_size,
    subsample_margin,
)
from stats.samplesize import sample_design

# ../shared/reference/other-tools.md, "Sample size for a proportion": N, OpenEpi (ceil),
# Epi Info (round, no -1), samplingbook (ceil, no -1).
REFERENCE_TABLE = [
    (50, 39, 38, 39),
    (100, 63, 62, 63),
    (250, 100, 99, 100),
    (500, 124, 124, 124),
    (1000, 142, 141, 142),
    (2500, 155, 154, 155),
    (None, 165, 164, 165),
]


@pytest.mark.parametrize("population, raosoft, epiinfo, samplingbook", REFERENCE_TABLE)
def test_sample_size_matches_other_tools_row_for_row(population, raosoft, epiinfo, samplingbook):
    assert sample_size(population) == raosoft
    assert sample_size(population, method="epiinfo") == epiinfo
    assert sample_size(population, method="samplingbook") == samplingbook


def test_sample_size_returns_python_int_and_int_array():
    assert type(sample_size(250)) is int
    arr = sample_size([50, 250, 2500])
    assert arr.dtype == np.int64 and arr.tolist() == [39, 100, 155]


def test_report_case_sample_is_reproduced():
    # Annexe 2: 100 cases, 80 % confidence, margin of error 5.
    assert sample_size(250, margin=0.05, confidence_level=0.80) == 100


def test_n0_equals_statsmodels():
    # statsmodels samplesize_confint_proportion(0.5, 0.05, alpha=0.2) = 164.2374 (other-tools.md)
    n0 = samplesize_confint_proportion(0.5, 0.05, alpha=0.2)
    assert n0 == pytest.approx(164.2374, abs=5e-5)
    assert sample_size(None) == math.ceil(n0)


def test_critical_value_equals_scipy_and_r():
    # qnorm(0.9) in R, options(digits=16): 1.281551565544601
    assert critical_value(0.80) == pytest.approx(1.281551565544601, rel=1e-14)
    levels = np.array([0.5, 0.8, 0.9, 0.95, 0.99])
    np.testing.assert_allclose(critical_value(levels), norm.ppf(1 - (1 - levels) / 2), rtol=1e-14)


def test_margin_of_error_reference_values():
    # other-tools.md: 100 cases from N = 250 give 4.97 points with (N-n)/(N-1); 6.41 without.
    assert margin_of_error(100, 250) == pytest.approx(0.0497, abs=5e-5)
    assert margin_of_error(100) == pytest.approx(0.0641, abs=5e-5)
    # Hand formula: z * sqrt(p(1-p)/n * (N-n)/(N-1))
    z = norm.ppf(0.9)
    assert margin_of_error(100, 250) == pytest.approx(z * math.sqrt(0.25 / 100 * 150 / 249), rel=1e-14)


def test_margin_census_and_single_case():
    assert margin_of_error(250, 250) == 0.0
    assert margin_of_error(1, 1) == 0.0
    assert margin_of_error(1) == pytest.approx(norm.ppf(0.9) * 0.5)
    assert margin_of_error(100, proportion=0.0) == 0.0


def test_margin_vectorised():
    out = margin_of_error(np.array([[100], [85]]), [250, 1000])
    assert out.shape == (2, 2)
    assert out[0, 0] == pytest.approx(margin_of_error(100, 250))


def test_implied_population_of_report_sample():
    r = implied_population(100)
    assert (r.low, r.high, r.consistent) == (248, 254, True)
    assert sample_size(r.low) == 100 and sample_size(r.high) == 100
    assert sample_size(r.low - 1) == 99 and sample_size(r.high + 1) == 101


def test_implied_population_large_and_impossible():
    r = implied_population(165)
    assert r.consistent and math.isinf(r.high)
    assert sample_size(r.low) == 165 and sample_size(r.low - 1) == 164
    r = implied_population(166)
    assert not r.consistent and r.low is None and r.high is None


@pytest.mark.parametrize("method", ["raosoft", "epiinfo", "samplingbook"])
def test_implied_population_agrees_with_sample_size_for_every_method(method):
    populations = np.arange(1, 2000)
    sizes = sample_size(populations, method=method)
    for n in (1, 10, 35, 100, 150):
        r = implied_population(n, method=method)
        expected = populations[sizes == n]
        if expected.size:
            assert r.low == expected.min()
            assert r.high == expected.max()


def test_allocate_largest_remainder():
    assert allocate({"community": 145, "post-release": 105}, 100).tolist() == [58, 42]
    # 3 equal strata, 10 cases: ties go to the earlier stratum.
    assert allocate({"a": 10, "b": 10, "c": 10}, 10).tolist() == [4, 3, 3]
    # Hamilton example: quotas 4.6, 3.3, 2.1 -> floors 4, 3, 2, one left goes to the largest remainder.
    s = allocate(pd.Series({"x": 46, "y": 33, "z": 21}), 10)
    assert s.tolist() == [5, 3, 2] and s.name == "n"


def test_allocate_multiindex_strata_sum_and_closeness():
    idx = pd.MultiIndex.from_product([["male", "female"], ["community", "custody"], ["high", "medium", "low"]])
    pop = pd.Series([40, 55, 30, 35, 45, 20, 6, 8, 4, 3, 3, 1], index=idx)
    out = allocate(pop, 100)
    assert out.sum() == 100
    assert out.index.equals(idx)
    exact = 100 * pop / pop.sum()
    assert (np.abs(out - exact) < 1).all()


def test_subsample_margin_issue_example():
    r = subsample_margin(85, n=100, population=250)
    assert r.margin == pytest.approx(0.0540, abs=5e-5)  # (N-n)/(N-1) on sub-population 212.5
    assert r.margin_full == pytest.approx(0.0497, abs=5e-5)
    assert r.subpopulation == pytest.approx(212.5)
    # The simpler correction 1 - n/N gives 5.38 points (stated in the docstring).
    z = norm.ppf(0.9)
    assert z * math.sqrt(0.25 / 85 * (1 - 85 / 212.5)) == pytest.approx(0.0538, abs=5e-5)
    r = subsample_margin(85, n=100)
    assert r.margin == pytest.approx(0.0695, abs=5e-5)
    assert r.margin_full == pytest.approx(0.0641, abs=5e-5)
    assert r.widening == pytest.approx(1.085, abs=5e-4)
    assert r.widening == pytest.approx(math.sqrt(100 / 85), rel=1e-12)


def test_subsample_margin_without_n_and_frame():
    r = subsample_margin([42, 58])
    assert r.widening is None and r.n is None
    frame = subsample_margin([42, 58, 85], n=100, population=250).to_frame()
    assert len(frame) == 3 and (frame["widening"] >= 1).all()


def test_sample_design_of_report(report):
    design = sample_design(report.samples).set_index("sample")
    assert design.loc["case supervision", "implied_population_low"] == 248
    assert design.loc["case supervision", "implied_population_high"] == 254
    assert design.loc["harm", "widening"] == pytest.approx(math.sqrt(100 / 85))
    assert design.loc["case supervision", "margin"] == pytest.approx(0.0641, abs=5e-5)
    assert design.loc["case supervision", "margin_fpc_low"] <= 0.05
    assert np.isnan(design.loc["through the gate", "implied_population_low"])


# ---- errors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(population=0), r"population must be a whole number >= 1, or None .*got 0"),
        (dict(population=10.5), r"population must be a whole number .*got 10.5"),
        (dict(population=float("nan")), r"population must not be nan"),
        (dict(margin=5), r"margin must be in \(0, 0.5\] \(got 5.0\); did you pass percentage points"),
        (dict(margin=0), r"margin must be in \(0, 0.5\] \(got 0"),
        (dict(confidence_level=80), r"confidence_level must be strictly between 0 and 1 \(got 80"),
        (dict(confidence_level=1.0), r"confidence_level must be strictly between 0 and 1"),
        (dict(proportion=50), r"proportion must be a proportion in \[0, 1\] \(got 50.0\); did you pass a percentage"),
        (dict(method="cochran"), r"method \('cochran'\) must be one of 'raosoft', 'epiinfo' or 'samplingbook'"),
        (dict(population=[10, 20], margin=[0.1, 0.2, 0.3]), r"must broadcast .*population \(2,\).*margin \(3,\)"),
    ],
)
def test_sample_size_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        sample_size(**kwargs)


def test_margin_errors():
    with pytest.raises(ValueError, match=r"n must not exceed population \(got n=300.0 > population=250.0\)"):
        margin_of_error(300, 250)
    with pytest.raises(ValueError, match=r"n must be a whole number >= 1 \(got 0.0\)"):
        margin_of_error(0)
    with pytest.raises(ValueError, match=r"n must be a whole number >= 1 \(got 2.5 at index 1\)"):
        margin_of_error([1, 2.5])
    with pytest.raises(TypeError, match=r"n must be a real number .*got 'ten'"):
        margin_of_error("ten")


def test_subsample_and_allocate_errors():
    with pytest.raises(ValueError, match=r"n_sub must not exceed n \(got n_sub=120.0 > n=100.0\)"):
        subsample_margin(120, n=100)
    with pytest.raises(ValueError, match=r"population needs n"):
        subsample_margin(85, population=250)
    with pytest.raises(ValueError, match=r"n must not exceed the total population of the strata \(got n=11 > 10\)"):
        allocate({"a": 5, "b": 5}, 11)
    with pytest.raises(ValueError, match=r"strata must be a whole number >= 0 \(got -1.0 at index 1\)"):
        allocate({"a": 5, "b": -1}, 2)
    with pytest.raises(TypeError, match=r"strata must be a mapping"):
        allocate([1, 2], 2)
    with pytest.raises(TypeError, match=r"n must be a single whole number"):
        implied_population([100, 35])


# ---- properties ---------------------------------------------------------------------------

margins = st.floats(min_value=0.01, max_value=0.5)
populations = st.integers(min_value=1, max_value=100_000)
levels = st.floats(min_value=0.5, max_value=0.99)


@settings(max_examples=200, deadline=None)
@given(populations, margins, margins, levels)
def test_sample_size_non_increasing_in_margin(population, e1, e2, c):
    lo, hi = sorted((e1, e2))
    assert sample_size(population, margin=lo, confidence_level=c) >= sample_size(
        population, margin=hi, confidence_level=c
    )


@settings(max_examples=200, deadline=None)
@given(populations, populations, margins)
def test_sample_size_non_decreasing_in_population_and_never_above(n1, n2, e):
    a, b = sorted((n1, n2))
    assert sample_size(a, margin=e) <= sample_size(b, margin=e)
    assert sample_size(a, margin=e) <= a


@settings(max_examples=200, deadline=None)
@given(populations, margins, levels, st.floats(min_value=0.0, max_value=1.0))
def test_sample_size_achieves_its_margin(population, e, c, p):
    n = sample_size(population, margin=e, confidence_level=c, proportion=p)
    assert margin_of_error(n, population, confidence_level=c, proportion=p) <= e * (1 + 1e-9)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 500), st.integers(1, 500))
def test_widening_at_least_one(a, b):
    n_sub, n = sorted((a, b))
    assert subsample_margin(n_sub, n=n).widening >= 1 - 1e-12
    assert subsample_margin(n_sub, n=n, population=n + 250).widening >= 1 - 1e-12


def test_population_of_one_with_tiny_proportion():
    # found by hypothesis: N + n0 - 1 rounds to 0 in floating point; the exact answer is 1 case.
    assert sample_size(1, margin=0.5, confidence_level=0.5, proportion=2.669971470996238e-39) == 1
