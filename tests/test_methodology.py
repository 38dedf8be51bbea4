"""Power, multiplicity, exact cross-checks and Monte Carlo (issue: methodology verification)."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats as ss
from scipy.stats import barnard_exact, boschloo_exact, fisher_exact
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import power_proportions_2indep

from stats import ChangeTest, label_changes
from stats.change import METHODS
from stats.consistency import feasible_denominators, robust_labels, round_percent
from stats.exact import compare_methods
from stats.multiplicity import adjust, expected_false_positives, multiplicity_summary, qvalues
from stats.power import critical_difference, minimum_detectable_change, power_of_change
from stats.simulate import margin_coverage, subsample_deviation, z_test_rejection

# ---- power ------------------------------------------------------------------------------


def test_power_reference_values():
    # other-tools.md: power_proportions_2indep(0.17, 0.54, 100, alpha=0.1) -> 0.8027
    assert power_of_change(0.17, 100, 100, baseline=0.625) == pytest.approx(0.8027, abs=5e-5)
    # R: pwr.2p.test(h=ES.h(0.71,0.54), n=100, sig.level=0.1)$power, options(digits=16)
    assert power_of_change(0.17, 100, 100, baseline=0.625, method="arcsine") == pytest.approx(
        0.80340283887049, rel=1e-10
    )
    # R: pwr.2p2n.test(h=ES.h(0.71,0.54), n1=100, n2=85, sig.level=0.1)$power
    assert power_of_change(0.17, 85, 100, baseline=0.625, method="arcsine") == pytest.approx(
        0.7735018045070353, rel=1e-10
    )


@pytest.mark.parametrize(
    "n_prev, n_cur, p_prev, p_cur",
    [(100, 100, 0.54, 0.71), (85, 100, 0.54, 0.71), (24, 35, 0.3, 0.6), (100, 100, 0.8, 0.7)],
)
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
    mdc = minimum_detectable_change(100, 100)  # a proportion, like every Python value
    assert mdc == pytest.approx(0.176, abs=0.002)
    assert power_of_change(mdc, 100, 100) == pytest.approx(0.80, abs=1e-9)
    # R: pwr.2p.test(n=100, sig.level=0.1, power=0.8)$h = 0.3516305773225074; pwr solves with uniroot at
    # tol = .Machine$double.eps^0.25 (1.2e-4), so only about 5 digits are exact: tolerance 1e-4.
    h_mdc = minimum_detectable_change(100, 100, method="arcsine")
    h = 2 * np.arcsin(np.sqrt(0.5 + h_mdc / 2)) - 2 * np.arcsin(np.sqrt(0.5 - h_mdc / 2))
    assert h == pytest.approx(0.3516305773225074, rel=1e-4)
    out = minimum_detectable_change([100, 85, 35, 24], [100, 85, 35, 24])
    assert np.all(np.diff(out) > 0)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: minimum_detectable_change(100, 100, power=1.0), r"power must be strictly between 0 and 1 \(got 1.0\)"),
        (lambda: power_of_change(0.1, 100, 100, alpha=0), r"alpha must be strictly between 0 and 1"),
        (lambda: power_of_change(0.1, 0, 100), r"n_previous must be a finite number > 0 \(got 0.0\)"),
        (
            lambda: power_of_change(0.9, 100, 100, baseline=0.2),
            r"change and baseline must keep both proportions in \[0, 1\]",
        ),
        (lambda: minimum_detectable_change(5, 5, power=0.999, baseline=0.05), r"power \(0.999\) cannot be reached"),
        (
            lambda: power_of_change(0.1, 100, 100, method="exact"),
            r"method \('exact'\) must be one of 'normal' or 'arcsine'",
        ),
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


def _scipy(name, k1, n1, k2, n2, alternative="two-sided"):
    """scipy's exact test on the current-first table (its 'greater' is current > previous)."""
    fn = {"fisher": fisher_exact, "barnard": barnard_exact, "boschloo": boschloo_exact}[name]
    return fn([[k2, k1], [n2 - k2, n1 - k1]], alternative=alternative).pvalue


@pytest.fixture(scope="module")
def methods(report):
    return {name: compare_methods(label_changes(getattr(report, name))) for name in ("prompts", "key_questions")}


def test_counts_used_publish_as_the_published_percentages(report, methods):
    for name, out in methods.items():
        table = getattr(report, name)
        assert len(out) == int((table["previous"].notna() & table["current"].notna()).sum())
        for side in ("previous", "current"):
            k, n = out[f"k_{side}"], out[f"n_{side}"]
            published = table.loc[out.index, side]
            assert (round_percent(k.to_numpy(), n.to_numpy()) == published.to_numpy()).all()
            stated = table.loc[out.index, f"n_{side}"]
            assert (n <= stated).all()
            # the stated sample wherever the figure is possible with it
            feasible = [
                bool(feasible_denominators(int(p), int(m), n_min=int(m)).size)
                for p, m in zip(published, stated, strict=True)
            ]
            assert ((n == stated) == np.array(feasible)).all()
    assert len(methods["prompts"]) == 51


def test_key_question_4_2_1_is_significant_by_z_but_not_by_exact_tests(methods):
    # 87 % -> 100 % of 24 Through the Gate cases: 87 % of 24 is impossible (21/24 = 87.5 % publishes
    # as 88 %): the counts are 20/23 vs 24/24, and the label's Z test runs at them: p = 0.0675,
    # significant at 0.1. R, options(digits=16): prop.test(c(24, 20), c(24, 23), correct=FALSE)$p.value
    # = 0.06745563572226587 (statsmodels proportions_ztest([24, 20], [24, 23]) gives the same).
    r = methods["key_questions"].loc[15]
    assert (r["k_previous"], r["n_previous"], r["k_current"], r["n_current"]) == (20, 23, 24, 24)
    assert r["pvalue"] == pytest.approx(0.06745563572226587, rel=1e-9) and bool(r["significant"])
    # R, options(digits=16): fisher.test(matrix(c(24, 0, 20, 3), 2))$p.value = 0.1092198581560283
    assert r["fisher"] == pytest.approx(0.1092198581560283, rel=1e-9)
    assert (
        r["boschloo"] == pytest.approx(_scipy("boschloo", 20, 23, 24, 24), rel=1e-9) and 0.145 < r["boschloo"] < 0.147
    )
    assert r["barnard"] == pytest.approx(_scipy("barnard", 20, 23, 24, 24), rel=1e-9) and r["barnard"] < 0.1
    # R: prop.test(c(24, 20), c(24, 23))$p.value (Yates) = 0.218; not significant either
    assert r["pooled-cc"] == pytest.approx(0.2180302008154105, rel=1e-9)
    assert not bool(r["exact_agree"]) and bool(r["method_sensitive"])
    # The figures (Fisher 0.234, Boschloo 0.146, corrected 0.233) are those of 21/24, a count that
    # publishes as 88 %: R fisher.test(matrix(c(24, 0, 21, 3), 2))$p.value = 0.2340425531914893.
    assert _scipy("fisher", 21, 24, 24, 24) == pytest.approx(0.2340425531914893, rel=1e-9)
    assert _scipy("boschloo", 21, 24, 24, 24) == pytest.approx(0.146, abs=5e-4)
    assert ChangeTest(method="pooled-cc").pvalue(21, 24, 24, 24) == pytest.approx(0.233, abs=5e-4)
    assert round_percent(21, 24) == 88


def _barnard_by_grid(k1, n1, k2, n2, points=20001):
    """Barnard's two-sided p-value (pooled Wald statistic) by brute force: the region |T| >= |T_obs|
    enumerated, its probability on a fine grid of the common proportion, refined around the best point."""
    x1, x2 = np.arange(n1 + 1)[:, None], np.arange(n2 + 1)[None, :]
    pbar = (x1 + x2) / (n1 + n2)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (x2 / n2 - x1 / n1) / np.sqrt(pbar * (1 - pbar) * (1 / n1 + 1 / n2))
    t = np.nan_to_num(t)
    region = (np.abs(t) >= abs(t[k1, k2]) - 1e-12).astype(float)

    def prob(pis):
        b1 = ss.binom.pmf(np.arange(n1 + 1)[None, :], n1, pis[:, None])
        b2 = ss.binom.pmf(np.arange(n2 + 1)[None, :], n2, pis[:, None])
        return ((b1 @ region) * b2).sum(axis=1)

    grid = np.linspace(0, 1, points)
    values = prob(grid)
    g = int(np.argmax(values))
    fine = np.linspace(grid[max(g - 1, 0)], grid[min(g + 1, points - 1)], 2001)
    return max(values.max(), prob(fine).max())


@pytest.mark.slow
def test_exact_pvalues_equal_scipy_on_bundled_rows(methods):
    # Fisher on every row; Barnard and Boschloo on every distinct Through the Gate table and every fourth
    # other row, two-sided (scipy's take about 0.1 s a table at n = 100).
    seen = set()
    for out in methods.values():
        for _i, r in out.iterrows():
            t = (int(r["k_previous"]), int(r["n_previous"]), int(r["k_current"]), int(r["n_current"]))
            assert r["fisher"] == pytest.approx(_scipy("fisher", *t), rel=1e-9, abs=1e-12)
        rows = pd.concat([out[out["n_current"] <= 24], out[out["n_current"] > 24].iloc[::4]])
        for _i, r in rows.iterrows():
            t = (int(r["k_previous"]), int(r["n_previous"]), int(r["k_current"]), int(r["n_current"]))
            if t in seen or t == (72, 100, 75, 100):
                continue
            seen.add(t)
            for name in ("barnard", "boschloo"):
                assert r[name] == pytest.approx(_scipy(name, *t), rel=1e-9, abs=1e-12), (name, t)
    # 2.2.1.c, 72 % -> 75 % of 100: scipy's barnard_exact stops at a local maximum (0.6644); the supremum
    # over the common proportion is 0.6822, at about 0.013, as a brute-force grid shows. The package's
    # value is the supremum.
    r = methods["prompts"].loc[13]
    assert (r["k_previous"], r["k_current"]) == (72, 75)
    truth = _barnard_by_grid(72, 100, 75, 100)
    assert truth == pytest.approx(0.68224, abs=1e-5)
    assert r["barnard"] == pytest.approx(truth, rel=1e-7)
    assert _scipy("barnard", 72, 100, 75, 100) == pytest.approx(0.6644236493783122, rel=1e-9)
    # elsewhere the grid agrees with scipy and the package (a Through the Gate table)
    assert _barnard_by_grid(16, 23, 22, 24) == pytest.approx(methods["prompts"].loc[64, "barnard"], rel=1e-7)


def test_definitions_of_agreement_and_sensitivity(methods):
    for out in methods.values():
        exact = out[["fisher", "barnard", "boschloo"]].le(0.1)
        agree = exact.eq(out["significant"], axis=0).all(axis=1)
        assert (out["exact_agree"].astype(bool) == agree).all()
        verdicts = pd.concat([out[list(METHODS)].le(0.1), exact, out["significant"]], axis=1)
        assert (out["method_sensitive"] == (verdicts.nunique(axis=1) > 1)).all()
    # on the bundled report: the Through the Gate rows and 2.2.3 are the ones whose verdict depends on the test
    prompts = methods["prompts"]
    assert set(prompts.index[prompts["method_sensitive"]]) == {64, 66}
    assert set(methods["key_questions"].index[~methods["key_questions"]["exact_agree"].astype(bool)]) == {5, 15}


def test_compare_methods_against_scipy_and_reference():
    t = pd.DataFrame({"previous": [54, 49], "current": [71, 61], "n_previous": [100, 100], "n_current": [100, 100]})
    out = compare_methods(t)
    # other-tools.md: Fisher p = 0.01916 for 71/100 vs 54/100
    assert out.loc[0, "fisher"] == pytest.approx(0.01916, abs=5e-6)
    assert out.loc[0, "barnard"] == pytest.approx(barnard_exact([[71, 54], [29, 46]]).pvalue, rel=1e-9)
    assert out.loc[1, "boschloo"] == pytest.approx(boschloo_exact([[61, 49], [39, 51]]).pvalue, rel=1e-9)
    # 61/100 vs 49/100: pooled 0.088 (significant), continuity 0.118 (not): method sensitive
    assert out.loc[1, "pooled"] == pytest.approx(0.088, abs=5e-4)
    assert out.loc[1, "pooled-cc"] == pytest.approx(0.118, abs=5e-4)
    assert out["significant"].tolist() == [True, True]
    assert bool(out.loc[1, "method_sensitive"]) and not bool(out.loc[0, "method_sensitive"])
    fisher_only = compare_methods(t, exact="fisher")
    assert fisher_only["barnard"].isna().all() and fisher_only["fisher"].notna().all()
    none = compare_methods(t, exact="none")
    assert none["exact_agree"].isna().all() and none[["fisher", "barnard", "boschloo"]].isna().all().all()
    with pytest.raises(ValueError, match=r"exact \('auto'\) must be one of 'all', 'fisher' or 'none'"):
        compare_methods(t, exact="auto")


def test_compare_methods_uses_the_tables_test_and_one_sided_exact_tests():
    t = pd.DataFrame({"previous": [54, 49], "current": [71, 61], "n_previous": [100, 100], "n_current": [100, 100]})
    for spec in (ChangeTest(alpha=0.05, alternative="greater", method="pooled-cc"), ChangeTest(alternative="less")):
        labelled = label_changes(t, spec)
        out = compare_methods(labelled)
        assert out.attrs["change_test"] == spec
        assert out["significant"].tolist() == labelled["significant"].astype(bool).tolist()
        for i, (k1, k2) in enumerate(((54, 71), (49, 61))):
            for name in ("fisher", "barnard", "boschloo"):
                assert out.loc[i, name] == pytest.approx(_scipy(name, k1, 100, k2, 100, spec.alternative), rel=1e-9)


def test_compare_methods_errors():
    t = pd.DataFrame({"previous": [54.5], "current": [71], "n_previous": [100], "n_current": [100]})
    with pytest.raises(ValueError, match=r"row 0: exact tests need whole counts"):
        compare_methods(t, ChangeTest(counts="fractional"))
    with pytest.raises(ValueError, match=r"no count of 1 to n = 20 cases publishes as 1%"):
        compare_methods(
            pd.DataFrame({"previous": [1, 50], "current": [71, 60], "n_previous": [20, 20], "n_current": [20, 20]})
        )


# ---- multiplicity in the main job -----------------------------------------------------------------


def _bh(p):
    """Benjamini-Hochberg q-values written from the definition (step-up, running minimum)."""
    p = np.asarray(p, dtype=float)
    m = len(p)
    order = np.argsort(p)
    q = np.empty(m)
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, p[i] * m / rank)
        q[i] = running
    return q


def test_qvalues_and_the_multiplicity_summary(report):
    # R, options(digits=16): p.adjust(c(0.01, 0.04, 0.03, 0.2, 0.5), "BH")
    #   = 0.05 0.06666666666666667 0.06666666666666667 0.25 0.5
    q = qvalues(pd.DataFrame({"pvalue": [0.01, 0.04, 0.03, 0.2, 0.5, np.nan]}))
    np.testing.assert_allclose(q["qvalue"][:5], [0.05, 0.06666666666666667, 0.06666666666666667, 0.25, 0.5], rtol=1e-12)
    assert np.isnan(q.loc[5, "qvalue"]) and q.loc[5, "significant_fdr"] is pd.NA
    labelled = label_changes(report.prompts)
    q = qvalues(labelled)
    testable = labelled["pvalue"].notna()
    np.testing.assert_allclose(q.loc[testable, "qvalue"], _bh(labelled.loc[testable, "pvalue"]), rtol=1e-12)
    np.testing.assert_allclose(
        q.loc[testable, "qvalue"],
        multipletests(labelled.loc[testable, "pvalue"], alpha=0.1, method="fdr_bh")[1],
        rtol=1e-12,
    )
    m = multiplicity_summary(labelled)
    # the issue: 17 rows significant, 5.1 expected at alpha 0.1 over 51 tests, 9 survive BH (8 from
    # fractional counts: 2.3.3.b, 43 % -> 61 % of 85, is 36/84 vs 52/85, p = 0.0171, q = 0.097)
    assert m.to_dict() == {
        "tests": 51,
        "expected_false_positives": 5.1,
        "significant": 17,
        "survive_fdr": 9,
        "fdr_method": "fdr_bh",
        "fdr_level": 0.1,
    }
    assert int((_bh(labelled.loc[testable, "pvalue"]) <= 0.1).sum()) == 9
    # the level follows the table's test
    m05 = multiplicity_summary(label_changes(report.prompts, ChangeTest(alpha=0.05)))
    assert m05["fdr_level"] == 0.05 and m05["expected_false_positives"] == pytest.approx(2.55)


# ---- the summary and the main job --------------------------------------------------------------------


@pytest.mark.slow
def test_summary_carries_every_check(report):
    from stats.formatting import report_text
    from stats.summary import CHECK_COLUMNS, summarise

    s = summarise(report)
    expected = (
        "pvalue_min",
        "pvalue_max",
        "robust_label",
        "significant_from_n",
        "combinations_tried",
        "fisher",
        "barnard",
        "boschloo",
        "exact_agree",
        "method_sensitive",
        "qvalue",
        "significant_fdr",
    )
    assert expected == CHECK_COLUMNS
    for table, raw in ((s.prompts, report.prompts), (s.key_questions, report.key_questions)):
        assert set(expected) <= set(table.columns)
        testable = raw["previous"].notna() & raw["current"].notna()
        # every check on every testable row (significant_from_n is <NA> where no n makes it significant)
        assert table.loc[testable, [c for c in expected if c != "significant_from_n"]].notna().all().all()
        assert table.loc[~testable, ["pvalue_min", "fisher", "qvalue"]].isna().all().all()
        assert table.attrs["rounding"] == "half-up" and table.attrs["change_test"] == s.test
        # the same numbers as the functions run on their own
        robust = robust_labels(raw, s.test)
        pd.testing.assert_series_equal(table["pvalue_max"], robust["pvalue_max"])
        exact = compare_methods(label_changes(raw, s.test)).reindex(raw.index)
        np.testing.assert_allclose(table["boschloo"], exact["boschloo"], rtol=0, atol=0)
    assert s.multiplicity["survive_fdr"] == 9 and s.multiplicity["tests"] == 51
    kq = s.key_questions.set_index("key_question")
    assert kq.loc["4.2.1", "label"] == "significant improvement" and not kq.loc["4.2.1", "exact_agree"]
    text = report_text(s)
    flat = " ".join(text.split())
    assert (
        "Multiplicity: 51 tests at alpha 0.1: 5.2 expected by chance if nothing had changed (the tests' exact "
        "size at each row's sample sizes and pooled proportion; alpha x tests gives 5.1); 17 are significant, "
        "9 survive Benjamini-Hochberg FDR control at 0.1"
    ) in flat
    line = next(x for x in text.splitlines() if x.startswith("4.2.1 "))
    assert "0.066-0.191" in line and "significant whenever" in line and "DIFFER*" in line and "0.126" in line


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
        (
            lambda: z_test_rejection(100, 100, 0.5, test=ChangeTest(alpha=0.05), replicates=0),
            r"replicates must be a whole number >= 1",
        ),
        (lambda: margin_coverage(300, 250, 0.5, replicates=10), r"n must not exceed population"),
    ],
)
def test_simulation_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()
