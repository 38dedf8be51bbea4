import numpy as np
import pandas as pd
import pytest

from stats import compare_proportions
from stats.consistency import (
    check_percentages,
    feasible_denominators,
    robust_labels,
    round_percent,
)


def brute_force(percent, n_max, rounding):
    out = []
    for n in range(1, n_max + 1):
        for k in range(n + 1):
            # reference rounding of 100k/n by integer arithmetic, written independently of round_percent
            q, r = divmod(100 * k, n)
            if rounding == "half-up":
                value = q + (2 * r >= n)
            else:
                value = q + ((2 * r > n) or (2 * r == n and q % 2 == 1))
            if value == percent:
                out.append(n)
                break
    return out


@pytest.mark.parametrize("rounding", ["half-up", "half-even"])
@pytest.mark.parametrize("percent", [0, 1, 13, 50, 63, 85, 95, 99, 100])
def test_feasible_denominators_equal_brute_force(percent, rounding):
    assert feasible_denominators(percent, 120, rounding=rounding).tolist() == brute_force(percent, 120, rounding)


def test_round_percent_ties():
    assert round_percent(1, 8) == 13 and round_percent(1, 8, "half-even") == 12
    assert round_percent(5, 8) == 63 and round_percent(5, 8, "half-even") == 62
    assert round_percent(np.array([0, 24]), 24).tolist() == [0, 100]


def test_through_the_gate_percentages_need_sub_samples(report):
    checked = check_percentages(report.prompts)
    tg = report.prompts["standard"] == "4.2"
    bad = checked[tg & (checked["feasible"] == False)]  # noqa: E712 (nullable boolean)
    # 95 % cannot be k/24 (22/24 = 91.7, 23/24 = 95.8): it must come from a sub-sample of at most 22
    row = report.prompts.index[report.prompts["prompt_id"] == "4.2.1.d"][0]
    assert row in bad.index and checked.loc[row, "n_feasible_max"] == 22
    # every stated-sample row that is feasible really has a k with round(100k/n) = percent
    ok = checked[checked["feasible"] == True]  # noqa: E712
    for i in ok.index:
        n = int(checked.loc[i, "n_stated"])
        assert any(round_percent(k, n) == checked.loc[i, "percent"] for k in range(n + 1))
    assert checked.loc[report.prompts["current"].isna(), "feasible"].isna().all()


def test_both_roundings_explain_the_report_equally(report):
    counts = {r: int((check_percentages(report.prompts, rounding=r)["feasible"] == False).sum()) for r in ("half-up", "half-even")}  # noqa: E712
    # 15 current figures: 4.2.2.a's current 47 % (read the right way round) cannot be k/24 either (11/24 = 45.8)
    assert counts["half-up"] == counts["half-even"] == 15


def test_robust_labels_against_direct_tests():
    t = pd.DataFrame({"previous": [54, 55, 61], "current": [71, 58, 75], "n_previous": [100, 100, 100], "n_current": [100, 100, 100]})
    out = robust_labels(t)
    assert list(out["robust_label"]) == ["significant for all feasible n", "significant for none", "depends on n"]
    # row 2: check the threshold by direct tests over the same grid
    n1 = feasible_denominators(61, 150, n_min=50)
    n2 = feasible_denominators(75, 100, n_min=50)
    g1, g2 = np.meshgrid(n1, n2, indexing="ij")
    sig = compare_proportions(0.61, g1, 0.75, g2).significant
    assert out.loc[2, "pairs_tested"] == sig.size and out.loc[2, "pairs_significant"] == sig.sum()
    m = out.loc[2, "significant_from_n"]
    assert sig[np.minimum(g1, g2) >= m].all() and not sig[np.minimum(g1, g2) >= m - 1].all()


def test_robust_labels_untestable_and_errors(report):
    out = robust_labels(report.prompts)
    assert (out.loc[report.prompts["previous"].isna(), "robust_label"] == "no comparable data").all()
    with pytest.raises(ValueError, match=r"current_range must be \(low, high\) multiples"):
        robust_labels(report.prompts, current_range=(1.0, 0.5))
    with pytest.raises(ValueError, match=r"percent must be a single whole percentage from 0 to 100 \(got 63.5\)"):
        feasible_denominators(63.5, 100)
    with pytest.raises(ValueError, match=r"n_max must be a whole number >= 1 \(got 0.0\)"):
        feasible_denominators(50, 0)
    with pytest.raises(ValueError, match=r"n_min must not exceed n_max"):
        feasible_denominators(50, 10, n_min=20)
    with pytest.raises(ValueError, match=r"rounding \('bankers'\) must be one of 'half-up' or 'half-even'"):
        feasible_denominators(50, 10, rounding="bankers")
