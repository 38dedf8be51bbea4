"""stats.design against R survey, identities, and the design effect of published tables.

Reference values: R 4.2 with survey 4.1-1 (Debian r-cran-survey), script tests/data/r-survey-reference.R,
on the SYNTHETIC samples tests/data/synthetic-design-cases-{current,previous}.csv (120 cases each,
drawn by stats.sampling from the synthetic long list with seeds 1 and 2). For each prompt v:

    d0$f_h <- n_h / d0$stratum_population; d0$w <- d0$stratum_population / n_h
    dfpc <- svydesign(ids=~officer, strata=~stratum, fpc=~f_h, nest=TRUE, data=d0)   # design "fpc"
    dwr  <- svydesign(ids=~officer, strata=~stratum, weights=~w, nest=TRUE, data=d0)  # design "wr"
    D <- subset(D, rosh == "LOW")                                                      # domain "low"
    S <- subset(D, !is.na(v))
    svymean(~v, S, deff=TRUE)            # deff="replace" for "wr"
    svyciprop(~v, S, method="logit"); degf(S)
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from stats import load_report
from stats.cases import parse_answers
from stats.change import ChangeTest
from stats.design import (
    breakdown_deff,
    deff_survival,
    design_change_test,
    design_proportions,
    design_table,
    rao_scott_change_test,
)
from stats.tables import label_changes

DATA = Path(__file__).resolve().parent / "data"


def cases(inspection):
    return pd.read_csv(DATA / f"synthetic-design-cases-{inspection}.csv", dtype=str, keep_default_na=False)


def estimate(inspection, domain="all", design="fpc"):
    c = cases(inspection)
    answers = parse_answers(c, list(c.columns[5:]), id_column=None)
    return design_proportions(
        answers,
        c["stratum"],
        c["officer"],
        c["stratum_population"].astype(float),
        fpc=design == "fpc",
        domain=(c["rosh"] == "LOW").to_numpy() if domain == "low" else None,
    )


# A few rows written out (R, options(digits=17)); the whole file is checked below.
@pytest.mark.parametrize(
    "inspection, domain, design, prompt, p, se, deff, lo, hi, df",
    [
        # svymean(~p2_1_1_a, subset(dfpc, !is.na(p2_1_1_a)), deff=TRUE); svyciprop(..., method="logit")
        (
            "current",
            "all",
            "fpc",
            "2.1.1.a",
            0.76667998375161939,
            0.028737451844258608,
            1.056510962790925,
            0.70496332240426585,
            0.81880481683798645,
            103,
        ),
        # harm prompt (not applicable to low-RoSH cases), with-replacement: svymean(..., deff="replace")
        (
            "current",
            "all",
            "wr",
            "2.2.3.a",
            0.54134453404308125,
            0.052135900657412707,
            1.0400088539958843,
            0.43732233705302814,
            0.64188376408214298,
            81,
        ),
        # domain across strata: subset(subset(dfpc, rosh == "LOW"), !is.na(p2_4_1_a))
        (
            "current",
            "low",
            "fpc",
            "2.4.1.a",
            0.62439109255393188,
            0.074193452151876588,
            1.0302157946589341,
            0.46265338832999775,
            0.76244335456423096,
            21,
        ),
        (
            "current",
            "low",
            "wr",
            "2.2.1.a",
            0.66527487821851083,
            0.095723206111700918,
            0.94639595662977449,
            0.44842070381650445,
            0.82932274667682393,
            21,
        ),
        (
            "previous",
            "all",
            "wr",
            "2.3.3.a",
            0.57980424624597382,
            0.049769224276299609,
            0.95568890914188009,
            0.47887205253026266,
            0.67447642962403953,
            80,
        ),
        (
            "previous",
            "low",
            "fpc",
            "2.1.1.c",
            0.64061456245824988,
            0.071846219052156227,
            1.0268113206346432,
            0.4827186290897838,
            0.7729805268847646,
            22,
        ),
    ],
)
def test_matches_r_survey(inspection, domain, design, prompt, p, se, deff, lo, hi, df):
    r = estimate(inspection, domain, design).to_frame().set_index("prompt").loc[prompt]
    assert r["proportion"] == pytest.approx(p, abs=1e-12)
    assert r["standard_error"] == pytest.approx(se, abs=1e-12)
    assert r["deff"] == pytest.approx(deff, abs=1e-10)
    # svyciprop fits svyglm by IRLS: its limits carry the fit's tolerance (~4e-10 here)
    assert r["ci_low"] == pytest.approx(lo, abs=1e-8) and r["ci_high"] == pytest.approx(hi, abs=1e-8)
    assert r["df"] == df
    assert r["n_effective"] == pytest.approx(r["n"] / deff, rel=1e-10)


def test_matches_r_survey_for_every_prompt_domain_and_design():
    ref = pd.read_csv(DATA / "r-survey-reference.csv", dtype={"prompt": str})
    assert len(ref) == 80
    for (inspection, domain, design), rows in ref.groupby(["inspection", "domain", "design"]):
        ours = estimate(inspection, domain, design).to_frame().set_index("prompt").loc[rows["prompt"]]
        for column in ("proportion", "standard_error", "deff", "ci_low", "ci_high"):
            np.testing.assert_allclose(
                ours[column].to_numpy(),
                rows[column].to_numpy(),
                rtol=0,
                atol=1e-8,
                err_msg=f"{inspection} {domain} {design} {column}",
            )
        assert (ours["df"].to_numpy() == rows["df"].to_numpy()).all()


def test_an_empty_domain_gives_nan_not_an_error():
    r = estimate("current", "low").to_frame().set_index("prompt")
    assert r.loc["2.1.3.a", "n"] == 0 and np.isnan(r.loc["2.1.3.a", "proportion"])


def test_one_case_per_officer_without_strata_is_srs():
    # Identity: every case its own PSU, one stratum, with replacement -> variance p(1-p)/(n-1), deff 1.
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, (40, 5)).astype(float)
    r = design_proportions(y, ["s"] * 40, np.arange(40), {"s": 400}, fpc=False)
    np.testing.assert_allclose(r.deff, 1.0, rtol=1e-12)
    np.testing.assert_allclose(r.standard_error**2, y.mean(0) * (1 - y.mean(0)) / 39, rtol=1e-12)
    # with fpc: the SRS without replacement variance, times (1 - n/N)
    r = design_proportions(y, ["s"] * 40, np.arange(40), {"s": 400}, fpc=True)
    np.testing.assert_allclose(r.deff, 1.0, rtol=1e-12)


def test_vectorised_across_prompts_equals_one_at_a_time():
    c = cases("current")
    answers = parse_answers(c, list(c.columns[5:]), id_column=None)
    allp = design_proportions(answers, c["stratum"], c["officer"], c["stratum_population"].astype(float)).to_frame()
    for j, prompt in enumerate(answers.columns[:4]):
        one = design_proportions(answers[[prompt]], c["stratum"], c["officer"], c["stratum_population"].astype(float))
        pd.testing.assert_series_equal(one.to_frame().iloc[0], allp.iloc[j], check_names=False)


def test_clustering_raises_the_design_effect():
    # Officers who answer alike: each officer's cases all Yes or all No -> deff well above 1.
    officers = np.repeat(np.arange(20), 4)
    y = (officers % 2).astype(float)
    r = design_proportions(y, ["s"] * 80, officers, {"s": 800}, fpc=False)
    assert r.deff[0] > 3


@pytest.mark.parametrize(
    "kw, message",
    [
        (dict(strata=["a"] * 7 + [None]), r"strata must not be missing \(case 8\)"),
        (dict(stratum_population={"a": 3}), r"stratum_population of stratum 'a' \(3\) is smaller than the 8 cases"),
        (dict(clusters=["1"] * 8), r"stratum 'a' has a single officer"),
        (dict(answers=np.array([1, 0, 2, 1, 0, 1, 1, 0.0])), r"case 3, prompt '0' is 2.0"),
    ],
)
def test_errors_name_the_problem(kw, message):
    args = dict(answers=np.ones(8), strata=["a"] * 8, clusters=list("11223344"), stratum_population={"a": 80})
    args.update(kw)
    with pytest.raises(ValueError, match=message):
        design_proportions(**args)


def test_design_table_by_group():
    c = cases("current")
    t = design_table(c, list(c.columns[5:]), cluster="officer", by="rosh")
    assert next(iter(t["group"].unique())) == "all" and set(t["group"]) == {"all", "LOW", "MEDIUM", "HIGH", "VERY_HIGH"}
    whole = t[t["group"] == "all"]
    np.testing.assert_allclose(whole["design_margin"] / whole["srs_margin"], np.sqrt(whole["deff"]), rtol=1e-12)


# --- change test -------------------------------------------------------------------------------


def test_design_change_test_unpooled_uses_the_design_variances():
    spec = ChangeTest(method="unpooled")
    prev, cur = estimate("previous", design="wr"), estimate("current", design="wr")
    t = design_change_test(prev, cur, test=spec)
    assert t.attrs["change_test"] is spec
    z = (cur.proportion - prev.proportion) / np.sqrt(cur.standard_error**2 + prev.standard_error**2)
    np.testing.assert_allclose(t["statistic"], z, rtol=1e-12)
    assert (t["verdict_changed"] == (t["significant"] != (t["simple_pvalue"] <= 0.10))).all()
    assert set(t["label"]) <= {"significant improvement", "significant decline", "no significant change"}


def test_design_change_test_pooled_reduces_to_the_simple_test_for_an_srs_design():
    rng = np.random.default_rng(5)
    y1, y2 = rng.integers(0, 2, (60, 3)).astype(float), rng.integers(0, 2, (80, 3)).astype(float)
    a = design_proportions(y1, ["s"] * 60, np.arange(60), {"s": 6000}, fpc=False)
    b = design_proportions(y2, ["s"] * 80, np.arange(80), {"s": 8000}, fpc=False)
    t = design_change_test(a, b)
    # deff relative to p(1-p)/n is n/(n-1) here, so the design statistic is the simple one / sqrt(n/(n-1))-ish
    assert np.all(np.abs(t["statistic"]) <= np.abs(t["simple_statistic"]) + 1e-12)
    np.testing.assert_allclose(t["statistic"], t["simple_statistic"], rtol=0.02)


@pytest.fixture(scope="module")
def labelled():
    return label_changes(load_report("south-yorkshire-crc-2020").prompts)


def test_rao_scott_with_deff_one_keeps_every_label(labelled):
    out = rao_scott_change_test(labelled, 1.0)
    assert not out["verdict_changed"].any()
    assert (out["design_label"] == out["label"]).all()


def test_breakdown_deff_is_where_significance_stops(labelled):
    d_star = breakdown_deff(labelled)
    sig = labelled["significant"].fillna(False).astype(bool)
    assert d_star[sig].notna().all() and d_star[~sig].isna().all()
    below = rao_scott_change_test(labelled, np.where(sig, d_star * (1 - 1e-9), 1.0))
    above = rao_scott_change_test(labelled, np.where(sig, d_star * (1 + 1e-9), 1.0))
    assert below.loc[sig, "design_pvalue"].le(0.10).all()
    assert above.loc[sig, "design_pvalue"].gt(0.10).all() and above.loc[sig, "verdict_changed"].all()


def test_deff_survival_of_the_bundled_report(labelled):
    s = deff_survival(labelled)
    assert s["deff"].tolist() == [1.2, 1.5, 2.0]
    assert s["significant"].tolist() == [17, 17, 17]
    # breakdown deffs computed above: 4.2.1.d (1.063 at its counts 18/23 vs 21/22) goes first;
    # 2.3.1.b (6.24) is the most robust
    assert s["surviving"].tolist() == [16, 12, 9]
    assert s.loc[0, "lost_ids"] == "4.2.1.d"
    assert s["surviving"].is_monotonic_decreasing


def test_simple_columns_equal_the_shared_change_test():
    # the simple columns are the ChangeTest on the unweighted counts, for every method
    prev, cur = estimate("previous", design="wr"), estimate("current", design="wr")
    for method in ("pooled", "pooled-cc", "unpooled", "unpooled-cc"):
        spec = ChangeTest(method=method)
        t = design_change_test(prev, cur, test=spec)
        np.testing.assert_allclose(t["simple_pvalue"], spec.pvalue(prev.count, prev.n, cur.count, cur.n), rtol=1e-12)
    # with the finite population correction the simple test uses the estimated eligible cases
    prev, cur = estimate("previous"), estimate("current")
    spec = ChangeTest(finite_population=True)
    t = design_change_test(prev, cur, test=spec)
    common = t["prompt"].to_numpy()
    a, b = prev.to_frame().set_index("prompt").loc[common], cur.to_frame().set_index("prompt").loc[common]
    pa = pd.Series(prev.population, index=prev.prompt).loc[common]
    pb = pd.Series(cur.population, index=cur.prompt).loc[common]
    np.testing.assert_allclose(
        t["simple_pvalue"], spec.pvalue(a["count"], a["n"], b["count"], b["n"], pa, pb), rtol=1e-12
    )


@pytest.mark.parametrize("design", ["wr", "fpc"])
def test_design_change_test_matches_r_survey_under_the_specification(design):
    # R values: tests/data/r-survey-change-reference.R (R 4.2.2, survey 4.1-1):
    #   svydesign(ids=~officer, strata=~stratum, weights=~w, nest=TRUE)   for finite_population=False ("wr")
    #   svydesign(ids=~officer, strata=~stratum, fpc=~f_h, nest=TRUE)     for finite_population=True ("fpc")
    #   z = (coef(m2) - coef(m1)) / sqrt(SE(m1)^2 + SE(m2)^2); deff_used = SE^2 / (p (1 - p) f / n)
    ref = pd.read_csv(DATA / "r-survey-change-reference.csv", dtype={"prompt": str})
    ref = ref[ref["design"] == design].set_index("prompt")
    spec = ChangeTest(method="unpooled", finite_population=design == "fpc")
    t = design_change_test(estimate("previous", design=design), estimate("current", design=design), test=spec)
    t = t.set_index("prompt").loc[ref.index]
    assert len(t) == 12
    np.testing.assert_allclose(t["statistic"], ref["z"], rtol=0, atol=1e-10)
    # the deff columns are exactly the factor applied to the simple test's SRS variance
    np.testing.assert_allclose(t["deff_previous"], ref["deff_used_previous"], rtol=1e-10)
    np.testing.assert_allclose(t["deff_current"], ref["deff_used_current"], rtol=1e-10)
    assert t.attrs["change_test"] == spec and "ultimate clusters" in t.attrs["design_model"]
    assert t.attrs["variance"].startswith("with replacement" if design == "wr" else "without replacement")


def test_design_change_test_refuses_estimates_of_another_variance():
    prev, cur = estimate("previous", design="fpc"), estimate("current", design="fpc")
    with pytest.raises(
        ValueError, match=r"previous was estimated with fpc=True but the test has finite_population=False"
    ):
        design_change_test(prev, cur)  # ChangeTest(): no finite population correction
    c = cases("current")
    answers = parse_answers(c, list(c.columns[5:]), id_column=None)
    with pytest.raises(ValueError, match=r"fpc=True contradicts the test \(finite_population=False\)"):
        design_proportions(
            answers, c["stratum"], c["officer"], c["stratum_population"].astype(float), test=ChangeTest(), fpc=True
        )
    # the specification chooses the variance; the default is the with-replacement one
    by_spec = design_proportions(
        answers,
        c["stratum"],
        c["officer"],
        c["stratum_population"].astype(float),
        test=ChangeTest(finite_population=True),
    )
    np.testing.assert_array_equal(by_spec.standard_error, estimate("current", design="fpc").standard_error)
    default = design_proportions(answers, c["stratum"], c["officer"], c["stratum_population"].astype(float))
    np.testing.assert_array_equal(default.standard_error, estimate("current", design="wr").standard_error)


def test_deff_survival_uses_the_test_level(labelled):
    spec = ChangeTest(alpha=0.05)
    relabelled = label_changes(load_report("south-yorkshire-crc-2020").prompts, test=spec)
    s = deff_survival(relabelled)  # the spec travels in relabelled.attrs["change_test"]
    assert s.loc[0, "significant"] == int(relabelled["significant"].fillna(False).sum())
    assert (s["surviving"] <= s["significant"]).all()


def test_rao_scott_keeps_each_rows_direction():
    import pandas as pd

    from stats import label_changes
    from stats.design import rao_scott_change_test

    t = pd.DataFrame(
        {"previous": [50, 50], "current": [70, 30], "n_previous": 100, "n_current": 100, "hib": [False, False]}
    )
    labelled = label_changes(t, higher_is_better="hib")
    assert labelled["label"].tolist() == ["significant decline", "significant improvement"]
    same = rao_scott_change_test(labelled, 1.0)
    assert same["design_label"].tolist() == labelled["label"].astype(str).tolist()
    assert not same["verdict_changed"].any()


# --- design effects from the sample's own structure --------------------------------------------------


def test_kish_deff_equals_the_variance_of_the_mean_under_a_random_officer_effect():
    # Independent check by matrix algebra: y = u_officer + e, Var(u) = rho, Var(e) = 1 - rho. The
    # variance of the mean of all cases is 1' S 1 / n^2; over the SRS variance 1/n it is Kish's deff.
    from scipy.linalg import block_diag

    from stats.design import kish_deff

    for sizes, rho in (([6, 6, 1, 1, 3], 0.2), ([2] * 47 + [3] * 2, 0.05), ([4] * 5, 0.3)):
        cov = block_diag(*[np.full((m, m), rho) + np.eye(m) * (1 - rho) for m in sizes])
        n = sum(sizes)
        exact = cov.sum() / n**2 / (1 / n)
        assert kish_deff(rho, cluster_sizes=sizes) == pytest.approx(exact, rel=1e-12)
        m = np.array(sizes, dtype=float)
        assert kish_deff(rho, mean_size=m.mean(), cv=m.std() / m.mean()) == pytest.approx(exact, rel=1e-12)
    # equal clusters: the textbook 1 + (m - 1) rho
    assert kish_deff(0.1, mean_size=5) == pytest.approx(1.4)
    np.testing.assert_allclose(kish_deff(np.array([0.0, 0.5, 1.0]), mean_size=3), [1.0, 2.0, 3.0])


def test_cluster_size_bounds_are_the_extremes_of_every_allocation():
    from itertools import product

    from stats.design import cluster_size_bounds

    for cases, clusters, cap in ((10, 4, 4), (9, 3, 5), (7, 7, 2), (12, 5, 3)):
        sums = [
            sum(m * m for m in sizes) for sizes in product(range(1, cap + 1), repeat=clusters) if sum(sizes) == cases
        ]
        even, uneven = cluster_size_bounds(cases, clusters, cap)
        assert even.sum() == uneven.sum() == cases and uneven.max() <= cap and even.min() >= 1
        assert (int((even**2).sum()), int((uneven**2).sum())) == (min(sums), max(sums))
    with pytest.raises(ValueError, match=r"100 cases cannot fill 10 clusters of 1 to 6 cases"):
        cluster_size_bounds(100, 10, 6)


def test_structural_deff_survival_of_the_bundled_report(labelled):
    from stats.design import report_cluster_structure, structural_deff_survival

    report = load_report("south-yorkshire-crc-2020")
    structure = report_cluster_structure(report)
    assert structure == {"cases": 100, "officers": 49, "max_per_officer": 6}
    s = structural_deff_survival(labelled, **structure).set_index("end")
    # 100 cases over 49 officers: 47 x 2 + 2 x 3 (sum m^2 = 206) to 10 x 6 + 2 + 38 x 1 (402)
    assert s.loc["low", "effective_cluster_size"] == pytest.approx(2.06)
    assert s.loc["high", "effective_cluster_size"] == pytest.approx(4.02)
    assert s.loc["low", "deff"] == pytest.approx(1 + 1.06 * 0.05) and s.loc["high", "deff"] == pytest.approx(
        1 + 3.02 * 0.2
    )
    assert s["significant"].tolist() == [17, 17] and s["surviving"].tolist() == [17, 12]
    assert s.loc["high", "lost_ids"] == "2.3.2.b, 2.3.2.e, 2.4.2.a, 4.2.1.b, 4.2.1.d"
    assert "ultimate clusters" in s.attrs["design_model"] and "49 officers" in s.attrs["source"]
