"""Feasible counts and labels over every feasible count (stats.consistency).

Independent routes: brute-force enumeration of every (k, n) with a rounding written
separately from the package; p-values from the Pearson chi-square of the 2x2 table
(scipy.stats.chi2, z^2 = chi^2 for the pooled test) and statsmodels for the other variants.
"""

import numpy as np
import pandas as pd
import pytest
from scipy import stats as ss

import stats
from stats import ChangeTest
from stats.consistency import (
    ROBUST_ALL,
    ROBUST_DEPENDS,
    ROBUST_INFEASIBLE,
    ROBUST_LABELS,
    ROBUST_NO_DATA,
    ROBUST_NONE,
    check_percentages,
    count_bounds,
    feasible_counts,
    feasible_denominators,
    nearest_feasible,
    report_rounding,
    robust_labels,
    round_percent,
)
from stats.exact import counts_from_percent


def _reference_round(k, n, rounding):
    """Whole percentage of k/n by integer division, written independently of round_percent."""
    q, r = np.divmod(100 * k, n)
    if rounding == "half-up":
        return q + (2 * r >= n)
    return q + ((2 * r > n) | ((2 * r == n) & (q % 2 == 1)))


def brute_force_counts(percent, n_max, rounding, n_min=1):
    """Every (k, n) publishing as percent: all k of all n, filtered."""
    out = []
    for n in range(n_min, n_max + 1):
        k = np.arange(n + 1)
        out += [(int(x), n) for x in k[_reference_round(k, n, rounding) == percent]]
    return out


def brute_force(percent, n_max, rounding):
    return sorted({n for _, n in brute_force_counts(percent, n_max, rounding)})


@pytest.mark.parametrize("rounding", ["half-up", "half-even"])
@pytest.mark.parametrize("percent", [0, 1, 13, 50, 63, 85, 95, 99, 100])
def test_feasible_denominators_equal_brute_force(percent, rounding):
    assert feasible_denominators(percent, 120, rounding=rounding).tolist() == brute_force(percent, 120, rounding)


@pytest.mark.parametrize("rounding", ["half-up", "half-even"])
def test_feasible_counts_equal_brute_force_for_every_percentage(rounding):
    # every whole percentage, n from 1 to 300 (several counts per n above 100; ties at both ends)
    for percent in range(101):
        got = feasible_counts(percent, 300, rounding=rounding)
        assert list(zip(got["k"].tolist(), got["n"].tolist(), strict=True)) == brute_force_counts(
            percent, 300, rounding
        ), percent
    # the ties the rules disagree on: 1/8 = 12.5 %, 3/8 = 37.5 %; 43.5 % (87/200) and 42.5 % (85/200)
    assert (1, 8) in set(zip(*feasible_counts(13, 8).loc[:, ["k", "n"]].T.values, strict=True)) and (1, 8) not in set(
        zip(*feasible_counts(13, 8, rounding="half-even").loc[:, ["k", "n"]].T.values, strict=True)
    )
    assert count_bounds(43, 200, "half-up")[1] == 86 and count_bounds(43, 200, "half-even")[1] == 86
    assert count_bounds(42, 200, "half-even")[1] == 85 and count_bounds(42, 200, "half-up")[1] == 84


def test_round_percent_ties():
    assert round_percent(1, 8) == 13 and round_percent(1, 8, "half-even") == 12
    assert round_percent(5, 8) == 63 and round_percent(5, 8, "half-even") == 62
    assert round_percent(np.array([0, 24]), 24).tolist() == [0, 100]


def test_counts_from_percent_only_returns_counts_that_round_back():
    rng = np.random.default_rng(11)
    percent, n = rng.integers(0, 101, 3000), rng.integers(1, 301, 3000)
    for rounding in ("half-up", "half-even"):
        for p, m in zip(percent.tolist(), n.tolist(), strict=True):
            k = np.arange(m + 1)
            ok = k[_reference_round(k, m, rounding) == p]
            if ok.size == 0:
                with pytest.raises(ValueError, match=rf"no count out of n = {m} publishes as {p}%"):
                    counts_from_percent(p, m, rounding=rounding)
                continue
            got = counts_from_percent(p, m, rounding=rounding)
            best = ok[np.argmin(np.abs(ok - p * m / 100))]  # nearest p n / 100, lower on a tie
            assert got == best, (p, m)
    # the old docstring example: 37/85 = 43.5 % publishes as 44 %, so 43 % of 85 is impossible
    with pytest.raises(
        ValueError,
        match=r"no count out of n = 85 publishes as 43% \(half-up rounding\): "
        r"36/85 = 42.35%, 37/85 = 43.53%",
    ):
        counts_from_percent(43, 85)
    assert counts_from_percent(44, 85) == 37 and round_percent(37, 85) == 44
    assert counts_from_percent([71, 95, 50], [24, 20, 2]).tolist() == [17, 19, 1]
    with pytest.raises(ValueError, match=r"at index 1"):
        counts_from_percent([71, 95], [24, 24])
    with pytest.raises(ValueError, match=r"percent must hold whole percentages from 0 to 100 \(got 43.5 at index 0\)"):
        counts_from_percent([43.5], [100])


def test_nearest_feasible():
    # 87 % of 24 is impossible (21/24 = 87.5 % publishes as 88 %): the largest sub-sample is 23
    assert nearest_feasible(87, 24) == (20, 23) and round_percent(20, 23) == 87
    assert nearest_feasible(95, 24) == (21, 22) and nearest_feasible(74, 100) == (74, 100)
    with pytest.raises(ValueError, match=r"no count of 1 to n = 24 cases publishes as 1%"):
        nearest_feasible(1, 24)


def test_through_the_gate_percentages_need_sub_samples(report):
    checked = check_percentages(report.prompts)
    tg = report.prompts["standard"] == "4.2"
    bad = checked[tg & (checked["feasible"] == False)]  # noqa: E712 (nullable boolean)
    # 95 % cannot be k/24 (22/24 = 91.7, 23/24 = 95.8): it must come from a sub-sample of at most 22
    row = report.prompts.index[report.prompts["prompt_id"] == "4.2.1.d"][0]
    assert row in bad.index and checked.loc[row, "n_feasible_max"] == 22
    ok = checked[checked["feasible"] == True]  # noqa: E712
    for i in ok.index:
        n = int(checked.loc[i, "n_stated"])
        assert any(round_percent(k, n) == checked.loc[i, "percent"] for k in range(n + 1))
    assert checked.loc[report.prompts["current"].isna(), "feasible"].isna().all()


def test_both_roundings_explain_the_report_equally(report):
    counts = {
        r: int(check_percentages(report.prompts, rounding=r)["feasible"].eq(False).sum())
        for r in ("half-up", "half-even")
    }
    # 15 current figures: 4.2.2.a's current 47 % (read the right way round) cannot be k/24 either (11/24 = 45.8)
    assert counts["half-up"] == counts["half-even"] == 15


def test_the_report_states_its_rounding(report):
    assert report_rounding(report) == "half-up"
    assert set(report.samples["rounding"]) == {"half-up"}
    mixed = stats.Report(
        name="x",
        prompts=report.prompts,
        key_questions=report.key_questions,
        standards=report.standards,
        overall=report.overall,
        samples=report.samples.assign(rounding=["half-up", "half-even"] * 3 + ["half-up"]),
        path=report.path,
    )
    with pytest.raises(ValueError, match=r"samples.csv of report 'x', column 'rounding': one rule per report"):
        report_rounding(mixed)


# ---- robust labels --------------------------------------------------------------------------


def _chi2_pvalue(k1, n1, k2, n2):
    """Two-sided pooled Z p-value via the Pearson chi-square of the 2x2 table (z^2 = chi^2)."""
    a, b, c, d = (np.asarray(x, dtype=float) for x in (k2, k1, n2 - k2, n1 - k1))
    n = a + b + c + d
    num = n * (a * d - b * c) ** 2
    den = (a + b) * (c + d) * (a + c) * (b + d)
    return ss.chi2.sf(np.divide(num, den, out=np.zeros_like(num), where=den > 0), 1)


def _brute_force_row(p1, p2, lo1, hi1, lo2, hi2, rounding="half-up", pvalue=_chi2_pvalue):
    prev = brute_force_counts(p1, hi1, rounding, n_min=lo1)
    cur = brute_force_counts(p2, hi2, rounding, n_min=lo2)
    k1, n1, k2, n2 = (np.array(x) for x in zip(*[(a, b, c, d) for a, b in prev for c, d in cur], strict=True))
    return k1, n1, k2, n2, pvalue(k1, n1, k2, n2)


def test_the_issues_counterexample_2_3_1_c(report):
    # 2.3.1.c: 74 % -> 87 %, stated n = 100. 37/50 (74 %) vs 45/52 (86.5 % -> 87 %) gives p = 0.111,
    # so the label does not hold for every count the figures allow.
    assert round_percent(37, 50) == 74 and round_percent(45, 52) == 87
    assert _chi2_pvalue(37, 50, 45, 52) == pytest.approx(0.111, abs=5e-4)
    out = robust_labels(report.prompts)
    row = report.prompts.index[report.prompts["prompt_id"] == "2.3.1.c"][0]
    r = out.loc[row]
    assert (r["n_previous_low"], r["n_previous_high"], r["n_current_low"], r["n_current_high"]) == (50, 100, 50, 100)
    assert r["robust_label"] == ROBUST_DEPENDS and r["pvalue_max"] >= _chi2_pvalue(37, 50, 45, 52) - 1e-12
    _k1, n1, _k2, n2, p = _brute_force_row(74, 87, 50, 100, 50, 100)
    assert r["combinations_tried"] == p.size and r["combinations_significant"] == int((p <= 0.1).sum())
    assert r["pvalue_min"] == pytest.approx(p.min(), rel=1e-9) and r["pvalue_max"] == pytest.approx(p.max(), rel=1e-9)
    # significant_from_n: every combination with both n >= m is significant, and m is the smallest such
    m = int(r["significant_from_n"])
    both = np.minimum(n1, n2)
    assert (p[both >= m] <= 0.1).all() and not (p[both >= m - 1] <= 0.1).all()


def test_the_issues_counterexample_2_3_2_d(report):
    # 2.3.2.d: 53 % -> 43 %. 77/144 (53.5 %) vs 40/94 (42.6 %) gives p = 0.0995, but needs a previous
    # sample of 144 cases, more than the 100 assumed: outside the default range (same as the current one).
    assert round_percent(77, 144) == 53 and round_percent(40, 94) == 43
    assert _chi2_pvalue(77, 144, 40, 94) == pytest.approx(0.0995, abs=5e-5)
    row = report.prompts.index[report.prompts["prompt_id"] == "2.3.2.d"][0]
    default = robust_labels(report.prompts).loc[row]
    assert default["robust_label"] == ROBUST_NONE and default["pvalue_min"] > 0.1
    # The sample-size rule (80 % confidence, 5-point margin) gives at most 165 cases for any population:
    # allowing every previous sample it permits, the verdict depends on the counts.
    n_rule = int(stats.sample_size())
    assert n_rule == 165
    wide = robust_labels(report.prompts, previous_n=(50, n_rule)).loc[row]
    assert wide["robust_label"] == ROBUST_DEPENDS and wide["pvalue_min"] <= _chi2_pvalue(77, 144, 40, 94) + 1e-12
    _k1, _n1, _k2, _n2, p = _brute_force_row(53, 43, 50, 165, 50, 100)
    assert wide["pvalue_min"] == pytest.approx(p.min(), rel=1e-9) and wide["combinations_tried"] == p.size


def test_robust_labels_match_brute_force_on_every_bundled_row(report):
    for table in (report.prompts, report.key_questions):
        out = robust_labels(table)
        for i in table.index[table["previous"].notna() & table["current"].notna()]:
            n = int(table.loc[i, "n_current"])
            lo = -(-n // 2)
            *_, p = _brute_force_row(int(table.loc[i, "previous"]), int(table.loc[i, "current"]), lo, n, lo, n)
            r = out.loc[i]
            assert r["combinations_tried"] == p.size
            assert r["pvalue_min"] == pytest.approx(p.min(), rel=1e-9, abs=1e-14)
            assert r["pvalue_max"] == pytest.approx(p.max(), rel=1e-9)
            expected = ROBUST_ALL if (p <= 0.1).all() else ROBUST_NONE if (p > 0.1).all() else ROBUST_DEPENDS
            assert r["robust_label"] == expected
        assert (out.loc[table["previous"].isna(), "robust_label"] == ROBUST_NO_DATA).all()


def test_key_question_4_2_1_depends_on_the_counts(report):
    kq = report.key_questions.set_index("key_question")
    out = robust_labels(report.key_questions).set_index(report.key_questions["key_question"])
    r = out.loc["4.2.1"]
    assert kq.loc["4.2.1", "n_current"] == 24 and r["robust_label"] == ROBUST_DEPENDS
    # R, options(digits=16): prop.test(c(24, 20), c(24, 23), correct=FALSE)$p.value = 0.06745563572226589
    # (largest n, significant); at a current sub-sample of 12 it is not:
    # prop.test(c(12, 20), c(12, 23), correct=FALSE)$p.value = 0.190731718468505 (the largest p)
    assert _chi2_pvalue(20, 23, 24, 24) == pytest.approx(0.06745563572226589, rel=1e-9)
    assert r["pvalue_min"] <= 0.06745563572226589 + 1e-12
    assert r["pvalue_max"] == pytest.approx(0.190731718468505, rel=1e-9)


def _yates_pvalue(k1, n1, k2, n2, pooled, alternative):
    """Z test with Yates's correction, written from the textbook formula (R prop.test for pooled)."""
    p1, p2 = k1 / n1, k2 / n2
    d = p2 - p1
    if pooled:
        pbar = (k1 + k2) / (n1 + n2)
        se = np.sqrt(pbar * (1 - pbar) * (1 / n1 + 1 / n2))
    else:
        se = np.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    z = np.sign(d) * np.maximum(np.abs(d) - 0.5 * (1 / n1 + 1 / n2), 0) / se
    return {"two-sided": 2 * ss.norm.sf(np.abs(z)), "greater": ss.norm.sf(z), "less": ss.norm.cdf(z)}[alternative]


def _statsmodels_pvalue(spec):
    from statsmodels.stats.proportion import test_proportions_2indep

    alt = {"two-sided": "two-sided", "greater": "larger", "less": "smaller"}[spec.alternative]

    def pvalue(k1, n1, k2, n2):
        if spec.continuity:
            return _yates_pvalue(k1, n1, k2, n2, spec.pooled, spec.alternative)
        method = "score" if spec.pooled else "wald"
        return np.array(
            [
                test_proportions_2indep(
                    c, d, a, b, method=method, compare="diff", alternative=alt, correction=False
                ).pvalue
                for a, b, c, d in zip(k1, n1, k2, n2, strict=True)
            ]
        )

    return pvalue


@pytest.mark.parametrize(
    "spec",
    [
        ChangeTest(method="unpooled-cc", alternative="greater", alpha=0.05),
        ChangeTest(method="pooled-cc", alternative="less"),
        ChangeTest(method="pooled", alternative="greater"),
        ChangeTest(method="unpooled"),
    ],
    ids=str,
)
def test_robust_labels_use_the_chosen_test(spec):
    # R check of the Yates kernel, options(digits=16): prop.test(c(17, 22), c(24, 24))$p.value = 0.1390867297600127
    assert _yates_pvalue(17, 24, 22, 24, True, "two-sided") == pytest.approx(0.1390867297600127, rel=1e-9)
    t = pd.DataFrame({"previous": [70, 83], "current": [92, 60], "n_previous": [24, 30], "n_current": [24, 30]})
    out = robust_labels(t, spec)
    assert out.attrs["change_test"] == spec
    for i, row in t.iterrows():
        n = int(row["n_current"])
        lo = -(-n // 2)
        *_, p = _brute_force_row(
            int(row["previous"]), int(row["current"]), lo, n, lo, n, pvalue=_statsmodels_pvalue(spec)
        )
        assert out.loc[i, "combinations_tried"] == p.size
        assert out.loc[i, "pvalue_min"] == pytest.approx(p.min(), rel=1e-6)
        assert out.loc[i, "pvalue_max"] == pytest.approx(p.max(), rel=1e-6)
        assert out.loc[i, "combinations_significant"] == int((p <= spec.alpha).sum())


def test_robust_labels_ranges_counts_and_edge_rows():
    t = pd.DataFrame(
        {
            "previous": [54, 1, 55, 40],
            "current": [71, 50, 58, 60],
            "n_previous": [100, 24, 100, 50],
            "n_current": [100, 24, 100, 50],
            "previous_count": [None, None, 55, 20],
            "current_count": [None, None, 58, 30],
        }
    )
    out = robust_labels(t)
    # 1 % is impossible with 24 cases or fewer
    assert out.loc[1, "robust_label"] == ROBUST_INFEASIBLE and out.loc[1, "combinations_tried"] == 0
    # given counts: one combination
    assert out.loc[2, "combinations_tried"] == 1 and out.loc[3, "combinations_tried"] == 1
    assert out.loc[2, "pvalue_min"] == out.loc[2, "pvalue_max"] == pytest.approx(_chi2_pvalue(55, 100, 58, 100))
    assert out.loc[0, "robust_label"] == ROBUST_ALL and out.loc[0, "significant_from_n"] == 50
    assert set(out["robust_label"]) <= set(ROBUST_LABELS)
    # explicit ranges, per row
    narrow = robust_labels(t.iloc[:1], current_n=(90, 100), previous_n=(np.array([95]), 100))
    assert narrow.loc[0, "combinations_tried"] == len(feasible_denominators(54, 100, n_min=95)) * len(
        feasible_denominators(71, 100, n_min=90)
    )
    half_even = robust_labels(t.iloc[:1], rounding="half-even")
    assert half_even.attrs["rounding"] == "half-even"


def test_robust_labels_errors(report):
    with pytest.raises(ValueError, match=r"current_n must be a pair \(low, high\)"):
        robust_labels(report.prompts, current_n=(1.0,))
    with pytest.raises(ValueError, match=r"current_n: low must not exceed high \(got 100 > 50 at row 0\)"):
        robust_labels(report.prompts, current_n=(100, 50))
    with pytest.raises(ValueError, match=r"previous_n low must be whole numbers >= 1 \(got 0.0 at index 0\)"):
        robust_labels(report.prompts, previous_n=(0, 50))
    with pytest.raises(ValueError, match=r"min_share must be strictly between 0 and 1"):
        robust_labels(report.prompts, min_share=0)
    with pytest.raises(ValueError, match=r"rounding \('bankers'\) must be one of 'half-up' or 'half-even'"):
        robust_labels(report.prompts, rounding="bankers")
    with pytest.raises(
        ValueError, match=r"row 0, column 'previous': counts behind a percentage need a whole percentage"
    ):
        robust_labels(pd.DataFrame({"previous": [54.5], "current": [60], "n_previous": [100], "n_current": [100]}))
    with pytest.raises(ValueError, match=r"percent must be a single whole percentage from 0 to 100 \(got 63.5\)"):
        feasible_denominators(63.5, 100)
    with pytest.raises(ValueError, match=r"n_max must be a whole number >= 1 \(got 0.0\)"):
        feasible_denominators(50, 0)
    with pytest.raises(ValueError, match=r"n_min must not exceed n_max"):
        feasible_counts(50, 10, n_min=20)
    with pytest.raises(ValueError, match=r"rounding \('bankers'\) must be one of 'half-up' or 'half-even'"):
        feasible_denominators(50, 10, rounding="bankers")


def test_how_many_significant_prompts_hold_for_every_feasible_count(report):
    # README: of the 17 significant prompts, 9 hold for every feasible count and 8 depend on the counts;
    # no non-significant prompt is significant for every count.
    labelled = stats.label_changes(report.prompts)
    robust = robust_labels(labelled, rounding=report_rounding(report))
    sig = labelled["significant"].fillna(False).astype(bool)
    counts = robust.loc[sig, "robust_label"].value_counts().to_dict()
    assert counts == {ROBUST_ALL: 9, ROBUST_DEPENDS: 8}
    assert not (robust.loc[~sig, "robust_label"] == ROBUST_ALL).any()
