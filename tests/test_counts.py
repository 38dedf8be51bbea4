"""Labels from counts that can exist: the counts published percentages imply, checked by an oracle.

The oracle here is independent of the package: it enumerates every k = 0..n with exact fractions
(Python's ``fractions``, half-up or half-even rounding done by hand), takes the count nearest the
figure, goes down to a lower n where none publishes as the figure, and runs statsmodels' pooled
Z test on the counts it found.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats import proportion as smp

from stats import ChangeTest, compare_proportions, label_changes
from stats.consistency import COUNT_SOURCES, implied_counts, robust_labels

# ---- the oracle ------------------------------------------------------------------------------------


def _publish(k: int, n: int, decimals: int = 0, rounding: str = "half-up") -> Fraction:
    """100 k / n rounded to ``decimals`` decimals, exactly."""
    x = Fraction(100 * k, n) * 10**decimals
    if rounding == "half-up":
        r = math.floor(x + Fraction(1, 2))
    else:
        r = round(x)  # Fraction.__round__ rounds half to even
    return Fraction(r, 10**decimals)


def _oracle_counts(figure, n: int, decimals: int = 0, rounding: str = "half-up"):
    """(k, m, source) by brute force: the nearest publishing count at n, else at the largest lower m."""
    target = Fraction(str(figure))
    for m in range(n, 0, -1):
        ks = [k for k in range(m + 1) if _publish(k, m, decimals, rounding) == target]
        if ks:
            exact = target * m / 100
            k = min(ks, key=lambda k: (abs(k - exact), k))  # nearest, the lower on a tie
            return k, m, "implied" if m == n else "implied at a lower n"
    return None


def _oracle_pvalue(k1, n1, k2, n2):
    """statsmodels' pooled Z test (score, no correction) of current k2/n2 versus previous k1/n1."""
    if (k1 == 0 and k2 == 0) or (k1 == n1 and k2 == n2):
        return 1.0  # no variance, no difference (statsmodels gives nan)
    with np.errstate(divide="ignore", invalid="ignore"):  # statsmodels divides by 0 at 100 %, harmlessly
        return float(smp.test_proportions_2indep(k2, n2, k1, n1, method="score", correction=False).pvalue)


def _oracle_label(k1, n1, k2, n2, alpha):
    p = _oracle_pvalue(k1, n1, k2, n2)
    if p > alpha:
        return "no significant change", p
    return ("significant improvement" if k2 / n2 > k1 / n1 else "significant decline"), p


@pytest.mark.parametrize("alpha", [0.1, 0.05])
@pytest.mark.parametrize("table", ["prompts", "key_questions"])
def test_an_independent_oracle_reproduces_every_label_of_the_bundled_report(report, table, alpha):
    t = getattr(report, table)
    out = label_changes(t, ChangeTest(alpha=alpha))
    for i in t.index:
        r = t.loc[i]
        if pd.isna(r["previous"]) or pd.isna(r["current"]):
            assert out.loc[i, "label"] == "no comparable data"
            continue
        k1, m1, _ = _oracle_counts(int(r["previous"]), int(r["n_previous"]))
        k2, m2, _ = _oracle_counts(int(r["current"]), int(r["n_current"]))
        label, p = _oracle_label(k1, m1, k2, m2, alpha)
        assert (out.loc[i, "count_previous"], out.loc[i, "n_used_previous"]) == (k1, m1), i
        assert (out.loc[i, "count_current"], out.loc[i, "n_used_current"]) == (k2, m2), i
        assert out.loc[i, "label"] == label, i
        assert out.loc[i, "pvalue"] == pytest.approx(p, rel=1e-9), i


def test_the_oracle_counts_and_sources_of_every_figure_of_the_bundled_report(report):
    for table in (report.prompts, report.key_questions):
        out = label_changes(table)
        for i in table.index:
            for side in ("previous", "current"):
                fig = table.loc[i, side]
                if pd.isna(fig):
                    assert np.isnan(out.loc[i, f"count_{side}"])
                    continue
                k, m, source = _oracle_counts(int(fig), int(table.loc[i, f"n_{side}"]))
                assert (out.loc[i, f"count_{side}"], out.loc[i, f"n_used_{side}"]) == (k, m)
                if source == "implied at a lower n":
                    assert out.loc[i, "count_source"] == "implied at a lower n"


def test_the_current_figures_impossible_at_the_stated_n_are_those_implied_at_a_lower_n(report):
    from stats.consistency import check_percentages

    for t in (report.prompts, report.key_questions):
        lower = label_changes(t)["n_used_current"] < t["n_current"]
        impossible = check_percentages(t)["feasible"] == False  # noqa: E712
        assert lower.tolist() == impossible.fillna(False).astype(bool).tolist()


# ---- the cases ---------------------------------------------------------------------------


def _row(table, column, value):
    return table.index[table[column] == value][0]


@pytest.mark.parametrize(
    "prompt, low, high, pvalue",
    [
        # issue 20: printed 0.052, 0.572, 0.085 from fractional cases, outside these ranges
        ("4.2.1.b", 0.054, 0.151, 0.054),
        ("4.2.1.c", 0.601, 0.681, 0.601),
        ("4.2.1.d", 0.090, 0.132, 0.090),
    ],
)
def test_through_the_gate_prompts_print_p_values_inside_their_feasible_range(report, prompt, low, high, pvalue):
    out = label_changes(report.prompts)
    robust = robust_labels(out)
    i = _row(report.prompts, "prompt_id", prompt)
    assert round(float(robust.loc[i, "pvalue_min"]), 3) == low and round(float(robust.loc[i, "pvalue_max"]), 3) == high
    assert round(float(out.loc[i, "pvalue"]), 3) == pvalue
    assert robust.loc[i, "pvalue_min"] <= out.loc[i, "pvalue"] <= robust.loc[i, "pvalue_max"]
    assert out.loc[i, "count_source"] == "implied at a lower n"


@pytest.mark.parametrize("kq, pvalue", [("4.2.2", 0.023), ("4.2.3", 0.001)])
def test_through_the_gate_key_questions(report, kq, pvalue):
    out = label_changes(report.key_questions)
    i = _row(report.key_questions, "key_question", kq)
    assert round(float(out.loc[i, "pvalue"]), 3) == pvalue  # printed 0.020 and <0.001 from fractional cases


def test_key_question_2_3_3_at_alpha_005_is_significant_at_the_only_counts_that_exist(report):
    # 45 % -> 60 % of 85: 38/85 and 51/85 are the only counts that publish as these figures.
    # R, options(digits=16): prop.test(c(51, 38), c(85, 85), correct=FALSE)$p.value = 0.04589926...
    out = label_changes(report.key_questions, ChangeTest(alpha=0.05))
    i = _row(report.key_questions, "key_question", "2.3.3")
    r = out.loc[i]
    assert (r["count_previous"], r["n_used_previous"], r["count_current"], r["n_used_current"]) == (38, 85, 51, 85)
    assert r["pvalue"] == pytest.approx(_oracle_pvalue(38, 85, 51, 85), rel=1e-12)
    assert round(float(r["pvalue"]), 3) == 0.046 and r["label"] == "significant improvement"
    # the fractional option reproduces the old figure (38.25 cases): p = 0.050, not significant
    frac = label_changes(report.key_questions, ChangeTest(alpha=0.05, counts="fractional")).loc[i]
    assert round(float(frac["pvalue"]), 3) == 0.050 and frac["label"] == "no significant change"
    assert frac["count_previous"] == pytest.approx(38.25) and frac["count_source"] == "fractional"


def test_every_printed_p_value_of_the_bundled_report_lies_in_its_feasible_count_range(report):
    for table in (report.prompts, report.key_questions):
        out = label_changes(table)
        robust = robust_labels(out)
        testable = out["pvalue"].notna()
        p = out.loc[testable, "pvalue"]
        assert ((robust.loc[testable, "pvalue_min"] <= p) & (p <= robust.loc[testable, "pvalue_max"])).all()


# ---- random published tables ------------------------------------------------------------------------


@st.composite
def _published_rows(draw):
    n1 = draw(st.integers(1, 150))
    n2 = draw(st.integers(1, 150))
    # figures as published (any whole percentage; those no count of <= n cases can give are skipped)
    return draw(st.integers(0, 100)), n1, draw(st.integers(0, 100)), n2


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(_published_rows(), min_size=1, max_size=6), alpha=st.sampled_from([0.05, 0.1, 0.2]))
def test_random_published_tables_match_the_oracle_and_their_feasible_range(rows, alpha):
    keep = [r for r in rows if _oracle_counts(r[0], r[1]) and _oracle_counts(r[2], r[3])]
    if not keep:
        return
    t = pd.DataFrame(keep, columns=["previous", "n_previous", "current", "n_current"])
    spec = ChangeTest(alpha=alpha)
    out = label_changes(t, spec, check_scale=False)  # a column of 0 % and 1 % is data here
    robust = robust_labels(out, current_n=(1, t["n_current"]), previous_n=(1, t["n_previous"]))
    for i, (p1, n1, p2, n2) in enumerate(keep):
        k1, m1, s1 = _oracle_counts(p1, n1)
        k2, m2, s2 = _oracle_counts(p2, n2)
        label, p = _oracle_label(k1, m1, k2, m2, alpha)
        assert (out.loc[i, "count_previous"], out.loc[i, "n_used_previous"]) == (k1, m1)
        assert (out.loc[i, "count_current"], out.loc[i, "n_used_current"]) == (k2, m2)
        assert out.loc[i, "pvalue"] == pytest.approx(p, rel=1e-9, abs=1e-15)
        assert out.loc[i, "label"] == label
        expected = "implied at a lower n" if "implied at a lower n" in (s1, s2) else "implied"
        assert out.loc[i, "count_source"] == expected
        # the p-value is that of a feasible count: inside the range over every feasible count
        assert robust.loc[i, "pvalue_min"] - 1e-12 <= out.loc[i, "pvalue"] <= robust.loc[i, "pvalue_max"] + 1e-12


@settings(max_examples=80, deadline=None)
@given(
    figure=st.integers(0, 1000),
    decimals=st.sampled_from([0, 1]),
    n=st.integers(1, 120),
    rounding=st.sampled_from(["half-up", "half-even"]),
)
def test_implied_counts_equal_brute_force_with_exact_fractions(figure, decimals, n, rounding):
    value = Fraction(figure % (100 * 10**decimals + 1), 10**decimals)
    r = implied_counts(float(value), n, rounding=rounding)
    # a figure's precision is read from its value: 41.0 is a whole percentage
    ref = _oracle_counts(value, n, 0 if value.denominator == 1 else decimals, rounding)
    if ref is None:
        assert int(r.source) == -1
    else:
        k, m, source = ref
        assert (int(r.count), int(r.n_used), COUNT_SOURCES[int(r.source)]) == (k, m, source)


def test_given_counts_are_used_as_they_are():
    # 45 % of 200 is 89/200 or 90/200; the figure implies 90, the given count is used as it is
    t = pd.DataFrame(
        {
            "previous": [45, 45],
            "current": [60, 60],
            "previous_count": [89, None],
            "n_previous": [200, 200],
            "n_current": [85, 85],
        }
    )
    out = label_changes(t)
    assert out["count_previous"].tolist() == [89, 90]
    assert out["count_source"].tolist() == ["implied", "implied"]  # the current side is implied on both rows
    both = label_changes(
        pd.DataFrame({"previous_count": [37], "current_count": [51], "n_previous": [85], "n_current": [85]})
    )
    assert both.loc[0, "count_source"] == "given"
    assert both.loc[0, "pvalue"] == pytest.approx(_oracle_pvalue(37, 85, 51, 85), rel=1e-12)


def test_fractional_counts_are_an_explicit_option_stated_by_the_specification():
    t = pd.DataFrame({"previous": [45], "current": [60], "n_previous": [85], "n_current": [85]})
    spec = ChangeTest(counts="fractional")
    out = label_changes(t, spec)
    ref = compare_proportions(0.45, 85, 0.60, 85)
    assert out.loc[0, "pvalue"] == pytest.approx(ref.pvalue, rel=1e-12)
    assert "fractional counts" in spec.describe() and "counts implied" in ChangeTest().describe()
    assert out.attrs["change_test"].counts == "fractional"
    with pytest.raises(ValueError, match=r"counts \('spreadsheet'\) must be one of 'implied' or 'fractional'"):
        ChangeTest(counts="spreadsheet")


def test_a_figure_no_count_can_publish_as_is_an_error_naming_the_row():
    t = pd.DataFrame(
        {"previous": [50, 1], "current": [60, 60], "n_previous": [20, 20], "n_current": [20, 20]}, index=["a", "b"]
    )
    with pytest.raises(
        ValueError,
        match=r"row 'b', column 'previous': no count of 1 to n = 20 cases publishes "
        r"as 1% \(half-up rounding\)",
    ):
        label_changes(t)
    # under the fractional option the row is tested as 0.2 cases, as before
    assert label_changes(t, ChangeTest(counts="fractional")).loc["b", "count_previous"] == pytest.approx(0.2)


def test_the_rounding_rule_decides_the_counts():
    # 12.5 % (1/8) publishes as 13 % half up and as 12 % half even: under half even no count of 8 or
    # fewer cases publishes as 13 %
    t = pd.DataFrame({"previous": [13], "current": [50], "n_previous": [8], "n_current": [8]})
    assert label_changes(t).loc[0, "count_previous"] == 1
    with pytest.raises(ValueError, match=r"no count of 1 to n = 8 cases publishes as 13% \(half-even rounding\)"):
        label_changes(t, rounding="half-even")
    t.attrs["rounding"] = "half-even"  # a table can carry its rule
    with pytest.raises(ValueError, match="half-even"):
        label_changes(t)


def test_labelling_is_vectorised_over_many_rows():
    # figures published from a sub-sample m of the stated n (as prompts that apply only where needed)
    rng = np.random.default_rng(1)
    n = rng.integers(20, 200, size=200_000)
    m = rng.integers(n // 2, n + 1)
    pct = (200 * rng.binomial(m, 0.6) + m) // (2 * m)
    t = pd.DataFrame({"previous": 50, "current": pct, "n_previous": n, "n_current": n})
    out = label_changes(t)
    lower = out["count_source"] == "implied at a lower n"
    assert lower.any() and (out.loc[lower, "n_used_current"] <= t.loc[lower, "n_current"]).all()
    i = int(np.flatnonzero(lower)[0])
    ref = _oracle_counts(int(t.loc[i, "current"]), int(t.loc[i, "n_current"]))
    if ref[1] < t.loc[i, "n_current"]:
        assert (out.loc[i, "count_current"], out.loc[i, "n_used_current"]) == ref[:2]


def test_the_oracle_labels_hold_in_the_summary_and_the_command_line(report, tmp_path):
    from stats.cli import main
    from stats.summary import summarise

    expected = {}
    for i, r in report.prompts.iterrows():
        if pd.isna(r["previous"]) or pd.isna(r["current"]):
            expected[i] = "no comparable data"
            continue
        k1, m1, _ = _oracle_counts(int(r["previous"]), int(r["n_previous"]))
        k2, m2, _ = _oracle_counts(int(r["current"]), int(r["n_current"]))
        expected[i] = _oracle_label(k1, m1, k2, m2, 0.1)[0]
    summary = summarise(report)
    assert summary.prompts["label"].astype(str).to_dict() == expected
    source = tmp_path / "prompts.csv"
    report.prompts[["prompt_id", "previous", "current", "n_previous", "n_current"]].to_csv(source, index=False)
    out = tmp_path / "labelled.csv"
    assert main(["label", str(source), "--format", "csv", "-o", str(out)]) == 0
    assert pd.read_csv(out)["label"].to_dict() == expected


def test_implied_counts_at_huge_n_are_exact():
    # n (2 u + 1) overflows int64 here: the counts are computed in Python integers
    n = 2**52
    r = implied_counts([71.5, 43.0, 50.0], [n, n, 3])
    for k, figure in zip(r.count[:2], (Fraction(143, 2), Fraction(43)), strict=True):
        centre = figure * n / 100
        assert int(k) == math.ceil(centre - Fraction(1, 2))  # p n / 100 rounded, ties down
        assert _publish(int(k), n, 1) == figure
    assert (int(r.count[2]), int(r.n_used[2]), int(r.source[2])) == (1, 2, 2)
