import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import chi2_contingency
from statsmodels.stats import proportion as smp
from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest

from stats import ChangeResult, ChangeTest, compare_proportions

# R 4.x: prop.test(c(cur, prev), c(n_cur, n_prev), correct=FALSE); prop.test(...) (Yates);
# prop.test(..., alternative="greater") (Yates), options(digits=16).
# columns: cur, n_cur, prev, n_prev, X-squared (no corr.), p (no corr.), X-squared (Yates), p (Yates), p greater (Yates)
R_PROP_TEST = [
    (
        71,
        100,
        54,
        100,
        6.165333333333333,
        0.01302778226289893,
        5.461333333333334,
        0.01944180597563212,
        0.009720902987816036,
    ),
    (
        61,
        100,
        49,
        100,
        2.909090909090909,
        0.08808151166218992,
        2.444444444444445,
        0.1179416353876164,
        0.05897081769380767,
    ),
    (
        58,
        85,
        34,
        85,
        13.64548494983278,
        0.0002207715607370254,
        12.53205128205128,
        0.0004000304047704208,
        0.0002000152023852103,
    ),
    (
        22,
        24,
        17,
        24,
        3.418803418803419,
        0.06445771827067572,
        2.188034188034188,
        0.1390867297600127,
        0.06954336488000681,
    ),
    (
        5,
        100,
        0,
        100,
        5.128205128205128,
        0.02354005826117798,
        3.282051282051282,
        0.07004133687461589,
        0.03502066843730801,
    ),
    (
        43,
        100,
        53,
        100,
        2.003205128205128,
        0.1569669882535788,
        1.622596153846154,
        0.2027301706465225,
        0.8986349146767387,
    ),
]


@pytest.mark.parametrize("cur, n_cur, prev, n_prev, x2, p, x2_yates, p_yates, p_greater", R_PROP_TEST)
def test_matches_r_prop_test(cur, n_cur, prev, n_prev, x2, p, x2_yates, p_yates, p_greater):
    res = compare_proportions(prev / n_prev, n_prev, cur / n_cur, n_cur)
    assert res.statistic**2 == pytest.approx(x2, rel=1e-12)
    assert res.pvalue == pytest.approx(p, rel=1e-12)
    yates = compare_proportions(prev / n_prev, n_prev, cur / n_cur, n_cur, method="pooled-cc")
    assert yates.statistic**2 == pytest.approx(x2_yates, rel=1e-12)
    assert yates.pvalue == pytest.approx(p_yates, rel=1e-12)
    greater = compare_proportions(prev / n_prev, n_prev, cur / n_cur, n_cur, method="pooled-cc", alternative="greater")
    assert greater.pvalue == pytest.approx(p_greater, rel=1e-12)


@pytest.mark.parametrize("cur, n_cur, prev, n_prev", [r[:4] for r in R_PROP_TEST])
def test_pooled_equals_statsmodels_and_chi_square(cur, n_cur, prev, n_prev):
    res = compare_proportions(prev / n_prev, n_prev, cur / n_cur, n_cur)
    z, p = proportions_ztest([cur, prev], [n_cur, n_prev])
    assert res.statistic == pytest.approx(z, rel=1e-12)
    assert res.pvalue == pytest.approx(p, rel=1e-12)
    chi2, p_chi2, _, _ = chi2_contingency([[cur, n_cur - cur], [prev, n_prev - prev]], correction=False)
    assert res.statistic**2 == pytest.approx(chi2, rel=1e-12)
    assert res.pvalue == pytest.approx(p_chi2, rel=1e-12)
    for alt, sm_alt in (("greater", "larger"), ("less", "smaller")):
        one = compare_proportions(prev / n_prev, n_prev, cur / n_cur, n_cur, alternative=alt)
        assert one.pvalue == pytest.approx(
            proportions_ztest([cur, prev], [n_cur, n_prev], alternative=sm_alt)[1], rel=1e-12
        )


@pytest.mark.parametrize("cur, n_cur, prev, n_prev", [r[:4] for r in R_PROP_TEST])
def test_unpooled_equals_statsmodels_wald(cur, n_cur, prev, n_prev):
    res = compare_proportions(prev / n_prev, n_prev, cur / n_cur, n_cur, method="unpooled")
    with warnings.catch_warnings():
        # statsmodels computes the ratio p1/p2 too, which divides by zero for 0 %.
        warnings.filterwarnings("ignore", "divide by zero", RuntimeWarning)
        sm = smp.test_proportions_2indep(cur, n_cur, prev, n_prev, method="wald")
    assert res.statistic == pytest.approx(sm.statistic, rel=1e-12)
    assert res.pvalue == pytest.approx(sm.pvalue, rel=1e-12)


def test_reference_figures_from_other_tools():
    # other-tools.md: proportions_ztest([71, 54], [100, 100]) z = 2.483009, p = 0.013028;
    # wald z = 2.5222, p = 0.011663.
    res = compare_proportions(0.54, 100, 0.71, 100)
    assert res.statistic == pytest.approx(2.483009, abs=5e-7)
    assert res.pvalue == pytest.approx(0.013028, abs=5e-7)
    assert res.difference == pytest.approx(0.17)
    assert res.significant is True and res.label == "significant improvement"
    wald = compare_proportions(0.54, 100, 0.71, 100, method="unpooled")
    assert wald.statistic == pytest.approx(2.5222, abs=5e-5)
    assert wald.pvalue == pytest.approx(0.011663, abs=5e-7)
    # Method matters near alpha: 61/100 vs 49/100: p = 0.088 pooled, 0.118 with continuity correction.
    near = compare_proportions(0.49, 100, 0.61, 100)
    assert near.pvalue == pytest.approx(0.088, abs=5e-4) and near.significant
    cc = compare_proportions(0.49, 100, 0.61, 100, method="pooled-cc")
    assert cc.pvalue == pytest.approx(0.118, abs=5e-4) and not cc.significant


def test_confidence_interval_newcombe_and_wald():
    # other-tools.md: confint_proportions_2indep(71, 100, 54, 100, alpha=0.1):
    # newcomb (0.0574, 0.2767), wald (0.0591, 0.2809).
    res = compare_proportions(0.54, 100, 0.71, 100)
    newcombe = res.confidence_interval(method="newcombe")
    assert newcombe.low == pytest.approx(0.0574, abs=5e-5)
    assert newcombe.high == pytest.approx(0.2767, abs=5e-5)
    wald = res.confidence_interval(method="wald")
    assert (wald.low, wald.high) == pytest.approx((0.0591, 0.2809), abs=5e-5)
    for cur, n_cur, prev, n_prev in [r[:4] for r in R_PROP_TEST]:
        ours = compare_proportions(prev / n_prev, n_prev, cur / n_cur, n_cur).confidence_interval(
            0.9, method="newcombe"
        )
        sm = confint_proportions_2indep(cur, n_cur, prev, n_prev, method="newcomb", alpha=0.1)
        assert (ours.low, ours.high) == pytest.approx(sm, rel=1e-10, abs=1e-12)


def test_vectorised_equals_scalar_loop():
    rng = np.random.default_rng(1)
    n1 = rng.integers(1, 300, size=200)
    n2 = rng.integers(1, 300, size=200)
    p1 = rng.integers(0, n1 + 1) / n1
    p2 = rng.integers(0, n2 + 1) / n2
    res = compare_proportions(p1, n1, p2, n2)
    for i in range(0, 200, 17):
        one = compare_proportions(p1[i], n1[i], p2[i], n2[i])
        assert res.statistic[i] == pytest.approx(one.statistic, rel=1e-12, abs=1e-15)
        assert res.pvalue[i] == pytest.approx(one.pvalue, rel=1e-12)
        assert res.label[i] == one.label


def test_broadcasting_shapes():
    res = compare_proportions(np.array([[0.5], [0.6]]), 100, [0.5, 0.7, 0.9], 100)
    assert np.shape(res.statistic) == (2, 3)
    assert res.to_frame().shape[0] == 6


def test_both_zero_or_both_hundred_percent():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = compare_proportions([0.0, 1.0], [100, 40], [0.0, 1.0], [100, 60])
        np.testing.assert_array_equal(res.statistic, [0.0, 0.0])
        np.testing.assert_array_equal(res.pvalue, [1.0, 1.0])
        assert not res.significant.any()
        assert list(res.label) == ["no significant change"] * 2
        for flag in (dict(method="unpooled"), dict(method="pooled-cc")):
            other = compare_proportions([0.0, 1.0], 100, [0.0, 1.0], 100, **flag)
            np.testing.assert_array_equal(other.pvalue, [1.0, 1.0])
        ci = res.ci
        assert np.all(np.isfinite(ci.low)) and np.all(ci.low < 0) and np.all(ci.high > 0)


def test_zero_vs_five_percent_is_defined():
    # R: prop.test(c(5, 0), c(100, 100), correct=FALSE)$p.value = 0.02354005826117798
    res = compare_proportions(0.0, 100, 0.05, 100)
    assert res.pvalue == pytest.approx(0.02354005826117798, rel=1e-12)
    assert res.label == "significant improvement"


def test_unpooled_zero_vs_hundred_uses_pooled_variance_and_census_is_infinite():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # 0/1 vs 1/1: the Wald variance is 0; the pooled one, 0.5 * 0.5 * (1 + 1), is used:
        # z = 1 / sqrt(0.5) = 1.414, p = 0.157 (not "significant" from one case each).
        one = compare_proportions(0.0, 1, 1.0, 1, method="unpooled")
        assert one.statistic == pytest.approx(np.sqrt(2), rel=1e-12)
        assert one.pvalue == pytest.approx(0.15729920705028513, rel=1e-12) and not one.significant
        assert one.ci.low < 0 < one.ci.high
        res = compare_proportions(0.0, 20, 1.0, 20, method="unpooled")
        pooled = compare_proportions(0.0, 20, 1.0, 20)
        assert res.statistic == pytest.approx(pooled.statistic) and np.isfinite(res.statistic)
        spec = ChangeTest(finite_population=True)
        census = compare_proportions(0.50, 100, 0.52, 100, test=spec, population_previous=100, population_current=100)
        assert census.statistic == np.inf and census.pvalue == 0.0 and census.significant


def test_finite_population_correction():
    base = compare_proportions(0.54, 100, 0.71, 100)
    fpc = compare_proportions(
        0.54, 100, 0.71, 100, test=ChangeTest(finite_population=True), population_previous=250, population_current=250
    )
    # each variance term times (1 - n/N) = 0.6 -> z grows by 1/sqrt(0.6)
    assert fpc.statistic == pytest.approx(base.statistic / np.sqrt(0.6), rel=1e-12)
    assert fpc.ci.high - fpc.ci.low < base.ci.high - base.ci.low


def test_higher_is_better_flips_label():
    res = compare_proportions(0.54, 100, 0.71, 100, higher_is_better=False)
    assert res.label == "significant decline"
    arr = compare_proportions([0.54, 0.71], 100, [0.71, 0.54], 100, higher_is_better=[True, False])
    assert list(arr.label) == ["significant improvement", "significant improvement"]


def test_result_object_api():
    res = compare_proportions(0.54, 100, 0.71, 100)
    assert isinstance(res, ChangeResult)
    z, p = res
    assert (z, p) == (res.statistic, res.pvalue)
    frame = res.to_frame()
    assert list(frame.columns[:4]) == ["previous", "n_previous", "current", "n_current"]
    assert frame.loc[0, "label"] == "significant improvement"
    assert "statistic=2.48" in repr(res)
    with pytest.raises(AttributeError):
        res.pvalue = 0.5


# ---- errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, kwargs, exc, match",
    [
        (
            (54, 100, 0.71, 100),
            {},
            ValueError,
            r"previous must be a proportion in \[0, 1\] \(got 54.0\); did you pass a percentage\? Divide by 100",
        ),
        (
            (0.54, 100, [0.7, 1.2], 100),
            {},
            ValueError,
            r"current must be a proportion in \[0, 1\] \(got 1.2 at index 1\)",
        ),
        ((0.54, 0, 0.71, 100), {}, ValueError, r"n_previous must be a whole number >= 1 \(got 0.0\)"),
        ((0.54, 100, 0.71, 99.5), {}, ValueError, r"n_current must be a whole number >= 1 \(got 99.5\)"),
        ((0.54, 100, float("nan"), 100), {}, ValueError, r"current must not be nan \(got nan\)"),
        ((0.54, 100, 0.71, 100), dict(alpha=0), ValueError, r"alpha must be strictly between 0 and 1 \(got 0"),
        ((0.54, 100, 0.71, 100), dict(alpha=10), ValueError, r"alpha must be strictly between 0 and 1 \(got 10"),
        (
            (0.54, 100, 0.71, 100),
            dict(alternative="larger"),
            ValueError,
            r"alternative \('larger'\) must be one of 'two-sided', 'less' or 'greater'",
        ),
        (
            (0.54, 100, 0.71, 100),
            dict(population_current=50, test=ChangeTest(finite_population=True)),
            ValueError,
            r"n_current must not exceed population_current \(got n_current=100.0 > population_current=50.0\)",
        ),
        (
            (0.54, 100, 0.71, 100),
            dict(population_current=500),
            ValueError,
            r"populations were given but the test has no finite population correction",
        ),
        (
            (0.54, 100, 0.71, 100),
            dict(test=ChangeTest(finite_population=True)),
            ValueError,
            r"finite_population=True\) but no population_previous or population_current",
        ),
        (
            (0.54, 100, 0.71, 100),
            dict(test=ChangeTest(), alpha=0.05),
            ValueError,
            r"pass either test= or the options \['alpha'\], not both",
        ),
        (
            (0.54, 100, 0.71, 100),
            dict(test="pooled"),
            TypeError,
            r"test must be a stats.ChangeTest \(got str: 'pooled'\)",
        ),
        (
            (0.54, 100, 0.71, 100),
            dict(method="yates"),
            ValueError,
            r"method \('yates'\) must be one of 'pooled', 'pooled-cc', 'unpooled' or 'unpooled-cc'",
        ),
        (
            ([0.5, 0.6], 100, [0.5, 0.6, 0.7], 100),
            {},
            ValueError,
            r"must broadcast to one shape \(got shapes previous \(2,\), n_previous \(\), current \(3,\)",
        ),
        (
            ("54%", 100, 0.71, 100),
            {},
            TypeError,
            r"previous must be a real number or an array of real numbers \(got '54%'\)",
        ),
        (
            (0.54, 100, 0.71, 100),
            dict(higher_is_better=1),
            TypeError,
            r"higher_is_better must be True, False or an array of booleans",
        ),
    ],
)
def test_errors(args, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        compare_proportions(*args, **kwargs)


# ---- properties ---------------------------------------------------------------------------

counts = st.integers(min_value=1, max_value=1000)


@st.composite
def table_rows(draw):
    n1, n2 = draw(counts), draw(counts)
    return draw(st.integers(0, n1)) / n1, n1, draw(st.integers(0, n2)) / n2, n2


@settings(max_examples=300, deadline=None)
@given(table_rows(), st.sampled_from(["pooled", "pooled-cc", "unpooled", "unpooled-cc"]))
def test_swap_changes_sign_and_keeps_pvalue(row, method):
    p1, n1, p2, n2 = row
    a = compare_proportions(p1, n1, p2, n2, method=method)
    b = compare_proportions(p2, n2, p1, n1, method=method)
    assert a.statistic == pytest.approx(-b.statistic, rel=1e-12, abs=1e-12)
    assert a.pvalue == pytest.approx(b.pvalue, rel=1e-12)
    assert 0.0 <= a.pvalue <= 1.0
    assert not np.isnan(a.statistic)


@settings(max_examples=200, deadline=None)
@given(table_rows())
def test_one_sided_pvalues_add_to_one(row):
    p1, n1, p2, n2 = row
    g = compare_proportions(p1, n1, p2, n2, alternative="greater").pvalue
    le = compare_proportions(p1, n1, p2, n2, alternative="less").pvalue
    assert g + le == pytest.approx(1.0)


# ---- Newcombe's continuity-corrected hybrid score interval (method 11) ------------------------------


def test_newcombe_cc_reproduces_newcombe_1998_table_ii():
    # Newcombe (1998), Stat Med 17:873-890, Table II, example (a) 56/70 - 48/80, method 11:
    # 95 % limits 0.0428 and 0.3422 (method 10: 0.0524, 0.3339). Here current = 56/70, previous = 48/80.
    res = compare_proportions(48 / 80, 80, 56 / 70, 70)
    low, high = res.confidence_interval(0.95, method="newcombe-cc")
    assert (round(float(low), 4), round(float(high), 4)) == (0.0428, 0.3422)
    low10, high10 = res.confidence_interval(0.95, method="newcombe")
    assert (round(float(low10), 4), round(float(high10), 4)) == (0.0524, 0.3339)


@pytest.mark.parametrize(
    "k1, n1, k2, n2",
    [(3, 10, 9, 10), (2, 7, 6, 7), (0, 29, 5, 56), (0, 20, 0, 10), (0, 10, 10, 10), (48, 80, 56, 70), (17, 23, 22, 24)],
)
@pytest.mark.parametrize("level", [0.90, 0.95])
def test_newcombe_cc_equals_an_independent_build_from_scipy_wilsoncc(k1, n1, k2, n2, level):
    # Independent reference: Newcombe's method 11 assembled from scipy's continuity-corrected Wilson
    # intervals (binomtest(...).proportion_ci(method='wilsoncc')).
    from scipy.stats import binomtest

    c1 = binomtest(k1, n1).proportion_ci(level, method="wilsoncc")
    c2 = binomtest(k2, n2).proportion_ci(level, method="wilsoncc")
    p1, p2 = k1 / n1, k2 / n2
    d = p2 - p1
    ref_low = max(-1.0, d - np.sqrt((p2 - c2.low) ** 2 + (c1.high - p1) ** 2))
    ref_high = min(1.0, d + np.sqrt((c2.high - p2) ** 2 + (p1 - c1.low) ** 2))
    low, high = compare_proportions(p1, n1, p2, n2).confidence_interval(level, method="newcombe-cc")
    assert float(low) == pytest.approx(ref_low, abs=1e-12) and float(high) == pytest.approx(ref_high, abs=1e-12)
    # the correction widens method 10's interval
    low10, high10 = compare_proportions(p1, n1, p2, n2).confidence_interval(level, method="newcombe")
    assert low <= low10 + 1e-15 and high >= high10 - 1e-15


def test_newcombe_cc_is_an_interval_choice_of_the_specification():
    import pandas as pd

    from stats import label_changes

    spec = ChangeTest(interval="newcombe-cc")
    assert not spec.interval_is_dual and "newcombe-cc interval" in spec.describe()
    t = pd.DataFrame(
        {
            "previous": [48 / 80 * 100],
            "current": [80],
            "previous_count": [48],
            "current_count": [56],
            "n_previous": [80],
            "n_current": [70],
        }
    )
    out = label_changes(t, ChangeTest(alpha=0.05, interval="newcombe-cc"), intervals=True)
    assert (round(out.loc[0, "ci_low"], 4), round(out.loc[0, "ci_high"], 4)) == (0.0428, 0.3422)
