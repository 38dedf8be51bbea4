"""Power, multiplicity, exact cross-checks and Monte Carlo (issue: methodology verification)."""

import numpy as np
import pandas as pd
import pytest
from scipy.stats import barnard_exact, fisher_exact
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import power_proportions_2indep

from stats import ChangeTest, label_changes
from stats.exact import compare_methods, counts_from_percent
from stats.multiplicity import adjust, expected_false_positives
from stats.power import critical_difference, minimum_detectable_change, power_of_change
from stats.simulate import margin_coverage, subsample_deviation, z_test_rejection

# ---- power ------------------------------------------------------------------------------


def test_power_reference_values():
    # other-tools.md: power_proportions_2indep(0.17, 0.54, 100, alpha=0.1) -> 0.8027
    assert power_of_change(0.17, 100, 100, baseline=0.625) == pytest.approx(0.8027, abs=5e-5)
    # R: pwr.2p.test(h=ES.h(0.71,0.54), n=100, sig.level=0.1)$power, options(digits=16)
    assert power_of_change(0.17, 100, 100, baseline=0.625, method="arcsine") == pytest.approx(0.80340283887049, rel=1e-10)
    # R: pwr.2p2n.test(h=ES.h(0.71,0.54), n1=100, n2=85, sig.level=0.1)$power
    assert power_of_change(0.17, 85, 100, baseline=0.625, method="arcsine") == pytest.approx(0.7735018045070353, rel=1e-10)


@pytest.mark.parametrize("n_prev, n_cur, p_prev, p_cur", [(100, 100, 0.54, 0.71), (85, 100, 0.54, 0.71), (24, 35, 0.3, 0.6), (100, 100, 0.8, 0.7)])
def test_power_equals_statsmodels(n_prev, n_cur, p_prev, p_cur):
    ours = power_of_change(p_cur - p_prev, n_prev, n_cur, baseline=(p_prev + p_cur) / 2)
    sm = power_proportions_2indep(p_cur - p_prev, p_prev, n_cur, ratio=n_prev / n_cur, alpha=0.1).power
    assert ours == pytest.approx(sm, rel=1e-10)


def test_power_at_zero_change_is_alpha_and_vectorised():
    assert power_of_change(0.0, 100, 100) == pytest.approx(0.10, rel=1e-12)
    out = power_of_change([0.05, 0.1, 0.2], [[50], [100]], [[50], [100]])
    assert out.shape == (2, 3) and np.all(np.diff(out, axis=1) > 0) and np.all(out[1] > out[0])


def test_critical_difference_reference_values():
    # other-tools.md: change needed to be flagged: n = 50 -> 16.4 points; 100 -> 11.6; 120 -> 10.6.
    np.testing.assert_allclose(100 * critical_difference([50, 100, 120], [50, 100, 120]), [16.4, 11.6, 10.6], atol=0.05)
    # an observed change of exactly the critical difference at pbar = 0.5 has p = alpha
    from stats import compare_proportions

    d = critical_difference(100, 100)
    assert compare_proportions(0.5 - d / 2, 100, 0.5 + d / 2, 100).pvalue == pytest.approx(0.10, rel=1e-9)


def test_minimum_detectable_change():
    # other-tools.md: about 17.6 points with 80 % power at n = 100 (textbook shortcut); exact solution 17.5.
    mdc = minimum_detectable_change(100, 100)
    assert mdc == pytest.approx(17.6, abs=0.2)
    assert power_of_change(mdc / 100, 100, 100) == pytest.approx(0.80, abs=1e-9)
    # R: pwr.2p.test(n=100, sig.level=0.1, power=0.8)$h = 0.3516305773225074; pwr solves with uniroot at
    # tol = .Machine$double.eps^0.25 (1.2e-4), so only about 5 digits are exact: tolerance 1e-4.
    h_mdc = minimum_detectable_change(100, 100, method="arcsine") / 100
    h = 2 * np.arcsin(np.sqrt(0.5 + h_mdc / 2)) - 2 * np.arcsin(np.sqrt(0.5 - h_mdc / 2))
    assert h == pytest.approx(0.3516305773225074, rel=1e-4)
    out = minimum_detectable_change([100, 85, 35, 24], [100, 85, 35, 24])
    assert np.all(np.diff(out) > 0)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: minimum_detectable_change(100, 100, power=1.0), r"power must be strictly between 0 and 1 \(got 1.0\)"),
        (lambda: power_of_change(0.1, 100, 100, alpha=0), r"alpha must be strictly between 0 and 1"),
        (lambda: power_of_change(0.1, 0, 100), r"n_previous must be a whole number >= 1"),
        (lambda: power_of_change(0.9, 100, 100, baseline=0.2), r"change and baseline must keep both proportions in \[0, 1\]"),
        (lambda: minimum_detectable_change(5, 5, power=0.999, baseline=0.05), r"power \(0.999\) cannot be reached"),
        (lambda: power_of_change(0.1, 100, 100, method="exact"), r"method \('exact'\) must be one of 'normal' or 'arcsine'"),
    ],
)
def test_power_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# ---- multiplicity -------------------------------------------------------------------------


def test_adjust_reference_and_nan_isolation():
    # other-tools.md: multipletests([.01, .04, .03, .2, .5], alpha=.1): bonferroni and holm reject 1, fdr_bh 3.
    t = pd.DataFrame({"pvalue": [0.01, 0.04, np.nan, 0.03, 0.2, 0.5]})
    for method, rejected in (("bonferroni", 1), ("holm", 1), ("fdr_bh", 3)):
        out = adjust(t, method=method)
        assert int(out["significant_adjusted"].sum()) == rejected
        assert out.loc[2, "significant_adjusted"] is pd.NA and np.isnan(out.loc[2, "pvalue_adjusted"])
        ref = multipletests([0.01, 0.04, 0.03, 0.2, 0.5], alpha=0.1, method=method)[1]
        np.testing.assert_allclose(out["pvalue_adjusted"].dropna(), ref, rtol=1e-12)


def test_adjust_report(report):
    labelled = label_changes(report.prompts)
    out = adjust(labelled)
    raw = int(labelled["significant"].sum())
    kept = int(out["significant_adjusted"].sum())
    assert raw == 17 and 0 < kept <= raw
    assert out.loc[labelled["significant"].isna(), "significant_adjusted"].isna().all()
    assert expected_false_positives(labelled) == pytest.approx(5.1)


def test_adjust_errors():
    with pytest.raises(ValueError, match=r"method \('fdr'\) must be one of"):
        adjust(pd.DataFrame({"pvalue": [0.1]}), method="fdr")
    with pytest.raises(ValueError, match=r"column 'pvalue' must hold p-values in \[0, 1\] \(got 1.5 at index 1\)"):
        adjust(pd.DataFrame({"pvalue": [0.1, 1.5]}))
    with pytest.raises(ValueError, match=r"labelled has no column 'pvalue'"):
        adjust(pd.DataFrame({"p": [0.1]}))


# ---- exact cross-checks -------------------------------------------------------------------


def test_counts_from_percent_half_up():
    assert counts_from_percent([70, 95, 50], [24, 24, 3]).tolist() == [17, 23, 2]


def test_compare_methods_against_scipy_and_reference():
    t = pd.DataFrame({"previous": [54, 49], "current": [71, 61], "n_previous": [100, 100], "n_current": [100, 100]})
    out = compare_methods(t, exact="all")
    # other-tools.md: Fisher p = 0.01916 for 71/100 vs 54/100
    assert out.loc[0, "fisher"] == pytest.approx(0.01916, abs=5e-6)
    assert out.loc[0, "barnard"] == pytest.approx(barnard_exact([[71, 54], [29, 46]]).pvalue, rel=1e-12)
    assert out.loc[1, "fisher"] == pytest.approx(fisher_exact([[61, 49], [39, 51]]).pvalue, rel=1e-12)
    # 61/100 vs 49/100: pooled 0.088 (significant), continuity 0.118 (not): method sensitive
    assert out.loc[1, "pooled"] == pytest.approx(0.088, abs=5e-4)
    assert out.loc[1, "pooled-cc"] == pytest.approx(0.118, abs=5e-4)
    assert out["significant"].tolist() == [True, True]
    assert bool(out.loc[1, "method_sensitive"]) and not bool(out.loc[0, "method_sensitive"])


def test_compare_methods_report(report):
    out = compare_methods(report.prompts, exact="borderline")
    assert len(out) == 51
    assert set(out.index[out["method_sensitive"]]) >= {64, 66}  # Through the Gate rows at n = 24
    assert out["barnard"].notna().sum() < 51
    auto = compare_methods(report.prompts)  # default 'auto': borderline rows and small samples
    small = auto[["n_previous", "n_current"]].min(axis=1) <= 50
    assert auto.loc[small, "barnard"].notna().all()
    far = ~small & ((auto["pooled"] < 0.02) | (auto["pooled"] > 0.3))
    assert auto.loc[far, "barnard"].isna().all() and far.any()


def test_compare_methods_uses_the_tables_test_and_one_sided_exact_tests():
    t = pd.DataFrame({"previous": [54, 49], "current": [71, 61], "n_previous": [100, 100], "n_current": [100, 100]})
    spec = ChangeTest(alpha=0.05, alternative="greater", method="pooled-cc")
    labelled = label_changes(t, spec)
    out = compare_methods(labelled, exact="all")
    assert out.attrs["change_test"] == spec
    assert out["significant"].tolist() == labelled["significant"].astype(bool).tolist()
    # scipy's 'greater' on [[current, previous], ...] is current > previous
    assert out.loc[0, "fisher"] == pytest.approx(fisher_exact([[71, 54], [29, 46]], alternative="greater").pvalue, rel=1e-12)
    assert out.loc[1, "barnard"] == pytest.approx(barnard_exact([[61, 49], [39, 51]], alternative="greater").pvalue, rel=1e-12)


# ---- Monte Carlo --------------------------------------------------------------------------


def test_z_test_size_close_to_alpha_and_power_matches_formula():
    size = z_test_rejection(100, 100, 0.5, replicates=200_000, seed=1, chunk=50_000)
    assert abs(size.loc[0, "rejection_rate"] - 0.10) < 4 * size.loc[0, "mc_se"] + 0.01
    pw = z_test_rejection(100, 100, 0.54, 0.71, replicates=200_000, seed=2)
    assert pw.loc[0, "rejection_rate"] == pytest.approx(power_of_change(0.17, 100, 100, baseline=0.625), abs=0.015)


def test_simulation_is_reproducible_and_chunk_independent():
    a = margin_coverage(100, 250, 0.5, replicates=30_000, seed=7, chunk=30_000)
    b = margin_coverage(100, 250, 0.5, replicates=30_000, seed=7, chunk=30_000)
    pd.testing.assert_frame_equal(a, b)
    c = subsample_deviation(85, 0.5, replicates=20_000, seed=3, chunk=7_000)
    assert 0 < c.loc[0, "probability"] < 1 and c.loc[0, "mc_se"] > 0


def test_margin_coverage_matches_exact_hypergeometric():
    from scipy.stats import hypergeom

    out = margin_coverage(100, 250, 0.5, replicates=200_000, seed=11)
    e = out.loc[0, "margin"]
    ks = np.arange(0, 101)
    exact = hypergeom(250, 125, 100).pmf(ks)[np.abs(ks / 100 - 0.5) <= e + 1e-12].sum()
    assert out.loc[0, "coverage"] == pytest.approx(exact, abs=4 * out.loc[0, "mc_se"])


@pytest.mark.slow
def test_ten_million_replicates_in_bounded_chunks():
    out = z_test_rejection(100, 100, 0.5, replicates=10_000_000, seed=5, chunk=1_000_000)
    assert out.loc[0, "mc_se"] < 1e-4
    assert 0.09 < out.loc[0, "rejection_rate"] < 0.115


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: margin_coverage(100, 250, 0.5, replicates=0), r"replicates must be a whole number >= 1 \(got 0\)"),
        (lambda: z_test_rejection(0, 100, 0.5), r"n_previous must be a whole number >= 1"),
        (lambda: z_test_rejection(100, 100, 0.5, test=ChangeTest(alpha=0.05), replicates=0), r"replicates must be a whole number >= 1"),
        (lambda: margin_coverage(300, 250, 0.5, replicates=10), r"n must not exceed population"),
    ],
)
def test_simulation_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()
