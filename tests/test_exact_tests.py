"""Vectorised Fisher, Barnard and Boschloo tests against scipy, a brute-force supremum and hand cases."""

import math
from fractions import Fraction
from math import comb

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize, stats
from scipy.stats import _hypotests

from stats.exact_tests import ExactTest, barnard, boschloo, exact_test, fisher

from .conftest import REPORT_DIR

ALTS = ("two-sided", "less", "greater")
OURS = {"fisher": fisher, "barnard": barnard, "boschloo": boschloo}


def scipy_pvalue(method, k_prev, n_prev, k_cur, n_cur, alternative):
    # scipy's orientation: columns are the samples, current first; then 'less' means current < previous.
    table = [[k_cur, k_prev], [n_cur - k_cur, n_prev - k_prev]]
    fn = {"fisher": stats.fisher_exact, "barnard": stats.barnard_exact, "boschloo": stats.boschloo_exact}[method]
    return float(fn(table, alternative=alternative).pvalue)


def brute_force_sup(method, k_prev, n_prev, k_cur, n_cur, alternative):
    """Supremum over the nuisance parameter of scipy's own objective, by a dense grid (2001 points)
    and a bounded scalar refinement around the best grid point: an independent route to the p-value."""
    if method == "boschloo" and alternative == "two-sided":
        return min(1.0, 2 * min(brute_force_sup(method, k_prev, n_prev, k_cur, n_cur, a) for a in ("less", "greater")))
    c1, c2 = n_cur, n_prev
    if method == "boschloo":
        x1, x2 = np.arange(c1 + 1).reshape(1, -1), np.arange(c2 + 1).reshape(-1, 1)
        if alternative == "less":
            pv = stats.hypergeom.cdf(x1, c1 + c2, x1 + x2, c1).T
        else:
            pv = stats.hypergeom.cdf(x2, c1 + c2, x1 + x2, c2).T
        region = pv <= pv[k_cur, k_prev] * (1 + 1e-13)
        x1, x2 = x1.T, x2.T
    else:
        x1, x2 = np.arange(c1 + 1).reshape(-1, 1), np.arange(c2 + 1).reshape(1, -1)
        region = barnard_region_exact(k_prev, n_prev, k_cur, n_cur, alternative)
    logc = _hypotests._compute_log_combinations(c1)[x1] + _hypotests._compute_log_combinations(c2)[x2]

    def logp(q):
        return -_hypotests._get_binomial_log_p_value_with_nuisance_param(np.array(q, float), x1 + x2, logc, region)

    grid = np.linspace(0, 1, 2001)
    vals = np.array([logp(q) for q in grid])
    i = int(vals.argmax())
    res = optimize.minimize_scalar(
        lambda q: -logp(q),
        bounds=(grid[max(i - 1, 0)], grid[min(i + 1, 2000)]),
        method="bounded",
        options={"xatol": 1e-13},
    )
    return float(np.exp(max(vals[i], -res.fun)))


def wald_exact(n_c, n_p):
    """z|z| of every table (rows x_current, columns x_previous) as exact fractions, from the definition
    z = (p_c - p_p) / sqrt(pbar (1 - pbar) (1/n_c + 1/n_p)), 0 where p_c = p_p: z|z| = d|d| / v."""

    def zz(a, b):
        d = Fraction(a, n_c) - Fraction(b, n_p)
        pbar = Fraction(a + b, n_c + n_p)
        return d * abs(d) / (pbar * (1 - pbar) * (Fraction(1, n_c) + Fraction(1, n_p))) if d else Fraction(0)

    return np.array([[zz(a, b) for b in range(n_p + 1)] for a in range(n_c + 1)], dtype=object)


def barnard_region_exact(k_prev, n_prev, k_cur, n_cur, alternative):
    """The tables at least as extreme as the observed one, statistics compared exactly (rows x_current)."""
    z = wald_exact(n_cur, n_prev)
    obs = z[k_cur, k_prev]
    return {"two-sided": np.abs(z) >= abs(obs), "less": z <= obs, "greater": z >= obs}[alternative].astype(bool)


def barnard_region_scipy(k_prev, n_prev, k_cur, n_cur, alternative):
    """The same region with scipy's floating-point statistic (``wald_brute``), as scipy's barnard_exact forms it."""
    z = wald_brute(n_cur, n_prev)
    obs = z[k_cur, k_prev]
    return {"two-sided": np.abs(z) >= abs(obs), "less": z <= obs, "greater": z >= obs}[alternative]


def check_against_scipy(method, k_prev, n_prev, k_cur, n_cur, alternative, ours):
    ref = scipy_pvalue(method, k_prev, n_prev, k_cur, n_cur, alternative)
    if abs(ours - ref) <= 1e-9:
        return "equal"
    # scipy's shgo search can stop at a local maximum, and its Barnard region, compared in floating
    # point, can leave out a table tied with the observed one: its value is then below the supremum.
    assert ours >= ref - 1e-12, (method, k_prev, n_prev, k_cur, n_cur, alternative, ours, ref)
    assert ours == pytest.approx(brute_force_sup(method, k_prev, n_prev, k_cur, n_cur, alternative), abs=1e-10)
    if method == "barnard" and not np.array_equal(
        barnard_region_exact(k_prev, n_prev, k_cur, n_cur, alternative),
        barnard_region_scipy(k_prev, n_prev, k_cur, n_cur, alternative),
    ):
        return "scipy leaves out a tie"
    return "scipy below the supremum"


def random_tables(seed, count, n_max):
    rng = np.random.default_rng(seed)
    out = []
    for i in range(count):
        n_prev = int(rng.integers(1, n_max + 1))
        n_cur = n_prev if i % 4 == 0 else int(rng.integers(1, n_max + 1))  # equal n: mirror-image ties
        k_prev, k_cur = int(rng.integers(0, n_prev + 1)), int(rng.integers(0, n_cur + 1))
        if i % 5 == 1:
            k_prev = n_prev  # 100 %
        if i % 5 == 2:
            k_cur = 0  # a zero cell
        out.append((k_prev, n_prev, k_cur, n_cur))
    return out


# ---- agreement with scipy -----------------------------------------------------------------------


@pytest.mark.parametrize("alternative", ALTS)
@pytest.mark.parametrize("method", ["fisher", "barnard", "boschloo"])
def test_equals_scipy_on_small_random_tables(method, alternative):
    tables = [*random_tables(11, 40, 12), (0, 1, 0, 1), (1, 1, 0, 1), (0, 1, 1, 2), (3, 3, 5, 5), (0, 4, 0, 7)]
    k1, n1, k2, n2 = (np.array(col) for col in zip(*tables, strict=True))
    ours = OURS[method](k1, n1, k2, n2, alternative=alternative)  # all tables in one vectorised call
    assert ours.shape == (len(tables),)
    for table, p in zip(tables, ours, strict=True):
        check_against_scipy(method, *table, alternative, p)


@pytest.mark.slow
@pytest.mark.parametrize("method", ["fisher", "barnard", "boschloo"])
def test_equals_scipy_on_random_tables_up_to_300(method):
    tables = [*random_tables(12, 6, 300), (300, 300, 290, 300), (0, 250, 3, 40)]
    outcomes = []
    for i, table in enumerate(tables):
        alternative = ALTS[i % 3]
        outcomes.append(check_against_scipy(method, *table, alternative, OURS[method](*table, alternative=alternative)))
    assert outcomes.count("equal") >= len(tables) - 2


@pytest.mark.slow
def test_scipy_misses_the_supremum_where_ours_finds_it():
    # 81/178 previous vs 78/193 current, 'less': scipy's shgo stops at a local maximum (0.1722);
    # the supremum is 0.2487 at pi = 0.0044, found by ours and by the brute-force grid.
    ours = barnard(81, 178, 78, 193, alternative="less")
    assert scipy_pvalue("barnard", 81, 178, 78, 193, "less") == pytest.approx(0.17216, abs=1e-5)
    assert ours == pytest.approx(brute_force_sup("barnard", 81, 178, 78, 193, "less"), abs=1e-10)
    assert ours == pytest.approx(0.248668396778, abs=1e-11)


def report_tables():
    frames = [pd.read_csv(REPORT_DIR / f"{name}.csv") for name in ("prompts", "key_questions")]
    rows = pd.concat(frames).dropna(subset=["previous", "current"])
    k_prev = np.floor(rows["previous"].to_numpy() * rows["n_previous"].to_numpy() / 100 + 0.5).astype(int)
    k_cur = np.floor(rows["current"].to_numpy() * rows["n_current"].to_numpy() / 100 + 0.5).astype(int)
    return k_prev, rows["n_previous"].to_numpy(), k_cur, rows["n_current"].to_numpy()


@pytest.mark.slow
def test_equals_scipy_on_the_bundled_report_rows():
    k1, n1, k2, n2 = report_tables()
    assert len(k1) == 66  # 51 prompts and 15 key questions with both figures
    tables = sorted(set(zip(k1.tolist(), n1.tolist(), k2.tolist(), n2.tolist(), strict=True)))  # distinct 2x2 tables
    K1, N1, K2, N2 = (np.array(c) for c in zip(*tables, strict=True))
    for method in ("fisher", "barnard", "boschloo"):
        for table, p in zip(tables, OURS[method](K1, N1, K2, N2), strict=True):
            check_against_scipy(method, *table, "two-sided", p)
    # one-sided, in the direction of the observed change, on the rows with the smallest samples
    for i, table in enumerate(t for t in tables if min(t[1], t[3]) <= 42):
        alternative = "greater" if table[2] / table[3] >= table[0] / table[1] else "less"
        method = ("fisher", "barnard", "boschloo")[i % 3]
        check_against_scipy(method, *table, alternative, OURS[method](*table, alternative=alternative))


def test_key_question_421_values_from_the_issue():
    # 87 % -> 100 % at n = 24 (21/24 -> 24/24): Fisher 0.234, Boschloo 0.146 (issue 11).
    assert fisher(21, 24, 24, 24) == pytest.approx(0.234, abs=5e-4)
    assert boschloo(21, 24, 24, 24) == pytest.approx(0.146, abs=1e-3)


# ---- hand-computable cases and identities ------------------------------------------------------


def test_hand_computed_tiny_tables():
    # 0/1 previous vs 1/1 current: the only other table with the same total is 1/1 vs 0/1, equally likely.
    assert fisher(0, 1, 1, 1) == pytest.approx(1.0)
    assert fisher(0, 1, 1, 1, alternative="greater") == pytest.approx(0.5)
    # Barnard, 'greater': only the observed table has z >= z_obs; P = pi (1 - pi), sup 1/4 at pi = 1/2.
    res = exact_test(0, 1, 1, 1, method="barnard", alternative="greater")
    assert res.pvalue == pytest.approx(0.25, abs=1e-14) and res.nuisance == pytest.approx(0.5, abs=1e-9)
    # two-sided: both discordant tables, 2 pi (1 - pi), sup 1/2.
    assert barnard(0, 1, 1, 1) == pytest.approx(0.5, abs=1e-14)
    # 0/2 vs 2/2, 'greater': P = pi^2 (1 - pi)^2 -> 1/16 at 1/2.
    assert barnard(0, 2, 2, 2, alternative="greater") == pytest.approx(1 / 16, abs=1e-14)


@pytest.mark.slow
@settings(max_examples=40, deadline=None)
@given(st.integers(1, 15), st.integers(1, 15), st.data())
def test_swapping_inspections_swaps_less_and_greater(n1, n2, data):
    k1 = data.draw(st.integers(0, n1))
    k2 = data.draw(st.integers(0, n2))
    for fn in (fisher, barnard, boschloo):
        assert fn(k1, n1, k2, n2, alternative="less") == pytest.approx(
            fn(k2, n2, k1, n1, alternative="greater"), abs=1e-12
        )
        assert fn(k1, n1, k2, n2) == pytest.approx(fn(k2, n2, k1, n1), abs=1e-12)


def test_boschloo_one_sided_is_never_above_fisher():
    # Boschloo's region is Fisher's at least-as-extreme set; its sup over pi is at most Fisher's p (Boschloo 1970).
    tables = random_tables(5, 60, 40)
    k1, n1, k2, n2 = (np.array(c) for c in zip(*tables, strict=True))
    for alt in ("less", "greater"):
        assert np.all(boschloo(k1, n1, k2, n2, alternative=alt) <= fisher(k1, n1, k2, n2, alternative=alt) + 1e-12)


def test_vectorised_broadcasting_and_scalars():
    out = barnard([[3], [5]], 10, [4, 6, 8], 12)
    assert out.shape == (2, 3)
    assert out[1, 2] == pytest.approx(barnard(5, 10, 8, 12), abs=0)
    assert isinstance(fisher(3, 10, 4, 12), float)
    # duplicated tables in one call give identical values
    assert np.all(boschloo([7, 7, 7], 20, 12, 20) == boschloo(7, 20, 12, 20))


def test_result_object_and_frame():
    res = exact_test([21, 54], [24, 100], [24, 71], [24, 100], method="fisher", alpha=0.1)
    stat, p = res
    assert p.tolist() == pytest.approx([fisher(21, 24, 24, 24), fisher(54, 100, 71, 100)])
    assert np.isinf(stat[0])  # a zero cell: odds ratio infinite, as scipy
    frame = res.to_frame()
    assert list(frame.columns) == [
        "k_previous",
        "n_previous",
        "k_current",
        "n_current",
        "method",
        "alternative",
        "statistic",
        "pvalue",
        "nuisance",
        "significant",
    ]
    assert frame["significant"].tolist() == [False, True]


@pytest.mark.parametrize("method, alternative", [(m, a) for m in ("fisher", "barnard", "boschloo") for a in ALTS])
def test_rejection_matrix_equals_elementwise_pvalues(method, alternative):
    spec = ExactTest(method, alpha=0.1, alternative=alternative)
    n1, n2 = 11, 16
    k1, k2 = np.meshgrid(np.arange(n1 + 1), np.arange(n2 + 1), indexing="ij")
    assert np.array_equal(spec.rejection_matrix(n1, n2), spec.pvalue(k1, n1, k2, n2) <= 0.1)


def test_spec_describe_and_dict():
    spec = ExactTest("barnard", alpha=0.05, alternative="greater")
    assert spec.describe() == "Barnard's exact test (pooled Wald statistic), greater, alpha = 0.05"
    assert spec.to_dict() == {"method": "barnard", "alpha": 0.05, "alternative": "greater"}


def test_errors_name_parameter_rule_and_value():
    with pytest.raises(ValueError, match=r"k_current must not exceed n_current \(got k_current=5.0 > n_current=4.0\)"):
        fisher(1, 4, 5, 4)
    with pytest.raises(ValueError, match=r"n_previous must be a whole number >= 1 \(got 0.0\)"):
        barnard(0, 0, 1, 4)
    with pytest.raises(ValueError, match=r"k_previous must be a whole number >= 0 \(got 1.5\)"):
        boschloo(1.5, 4, 1, 4)
    with pytest.raises(ValueError, match=r"alternative \('bigger'\) must be one of"):
        fisher(1, 4, 1, 4, alternative="bigger")
    with pytest.raises(ValueError, match=r"method \('pearson'\) must be one of"):
        ExactTest("pearson")


# ---- tables far in the tails, one-sided, many designs in one call ------------------------------


# 100 vs 100 and 60 vs 45 tables far in either tail: one-sided Fisher p-values near 1 on one side
# (decided by their complement) and below 1e-20 on the other.
EXTREME = [
    (0, 100, 100, 100),
    (100, 100, 0, 100),
    (3, 100, 97, 100),
    (96, 100, 5, 100),
    (2, 60, 44, 45),
    (58, 60, 1, 45),
]


@pytest.mark.parametrize("alternative", ALTS)
def test_boschloo_equals_scipy_far_in_the_tails(alternative):
    k1, n1, k2, n2 = (np.array(c) for c in zip(*EXTREME, strict=True))
    ours = boschloo(k1, n1, k2, n2, alternative=alternative)
    for table, p in zip(EXTREME, ours, strict=True):
        ref = scipy_pvalue("boschloo", *table, alternative)
        assert p == pytest.approx(ref, rel=1e-9, abs=1e-300), (table, alternative)  # relative: p down to 1e-59


@pytest.mark.parametrize("method", ["barnard", "boschloo"])
def test_many_designs_in_one_call_equal_one_call_each(method):
    # the grid stage is per design, the refinement shared by all designs (zero-padded degrees)
    tables = random_tables(21, 30, 60)
    k1, n1, k2, n2 = (np.array(c) for c in zip(*tables, strict=True))
    for alternative in ALTS:
        together = OURS[method](k1, n1, k2, n2, alternative=alternative)
        alone = [OURS[method](*table, alternative=alternative) for table in tables]
        assert together == pytest.approx(alone, rel=1e-13, abs=1e-15)


def test_wald_counts_in_closed_form_equal_exact_counts_over_the_design():
    # per total, the cells whose statistic is below the query's, against exact fractions
    from stats.exact_tests import _Design, _wald_order

    rng = np.random.default_rng(4)
    for n_c, n_p in [(1, 1), (1, 7), (13, 13), (40, 17), (90, 31), (24, 24)]:
        d = _Design(n_c, n_p)
        zz = wald_exact(n_c, n_p)
        x_c = rng.integers(0, n_c + 1, 30)
        x_p = rng.integers(0, n_p + 1, 30)
        D, T, _ = _wald_order(x_c, x_p, n_c, n_p)
        D, T = np.r_[D, -D, 0], np.r_[T, T, 1]  # observed cells, their negatives, and 0
        obs = np.r_[zz[x_c, x_p], -zz[x_c, x_p], Fraction(0)]
        total = np.add.outer(np.arange(n_c + 1), np.arange(n_p + 1))
        for side, op in (("left", np.less), ("right", np.less_equal)):
            got = d.wald_counts(D, T, side)
            for i, o in enumerate(obs):
                brute = np.bincount(total.ravel(), weights=op(zz, o).ravel().astype(float), minlength=d.N + 1)
                assert np.array_equal(got[i], brute.astype(int)), (n_c, n_p, side, i)


def test_design_order_is_the_exact_rank_of_the_statistic(monkeypatch):
    # the centred ranks compare and negate as the exact statistics do, also where float keys collide
    import stats.exact_tests as E

    def exact_ranks(n_c, n_p):
        zz = wald_exact(n_c, n_p)
        values = sorted(set(zz.ravel()) | {-v for v in zz.ravel()})
        zero = values.index(Fraction(0))
        return np.vectorize(lambda v: values.index(v) - zero, otypes=[float])(zz)

    def as_cells(d, ranks):
        out = np.full((d.N + 1, d.L), np.inf)
        x_c = np.arange(d.n_c + 1)[:, None]
        x_p = np.arange(d.n_p + 1)[None, :]
        out[x_c + x_p, x_c - d.lo[x_c + x_p]] = ranks
        return out

    for n_c, n_p in [(1, 1), (6, 6), (13, 5), (24, 24)]:
        d = E._Design(n_c, n_p)
        assert np.array_equal(d.order, as_cells(d, exact_ranks(n_c, n_p)))
    # keys rounded to one decimal place: distinct statistics collide and are sorted exactly (no nonzero
    # key of this design is below 1, so zero stays the key of D = 0 alone)
    wald_order = E._wald_order
    keys = wald_order(np.arange(25)[:, None], np.arange(25)[None, :], 24, 24)[2]
    assert np.abs(keys[keys != 0]).min() >= 1
    monkeypatch.setattr(E, "_wald_order", lambda *a: (*wald_order(*a)[:2], np.round(wald_order(*a)[2], 1)))
    d = E._Design(24, 24)
    assert np.array_equal(d.order, as_cells(d, exact_ranks(24, 24)))
    with pytest.raises(ValueError, match=r"n_previous \* n_current <= 94,906,265; got 10000 \* 10000"):
        _ = E._Design(10_000, 10_000).order


def test_key_compare_in_int64_and_in_python_integers():
    from stats.exact_tests import _key_compare

    # in int64: 3|3|/4 vs 6|6|/16 (equal), 5|5|/3 vs -2|2|/1 (above), 1|1|/9 vs 1|1|/4 (below)
    assert _key_compare(np.array([3, 5, 1]), np.array([4, 3, 9]), np.array([6, -2, 1]), [16, 1, 4]).tolist() == [
        0,
        1,
        -1,
    ]
    # beyond int64 (products near 2^81), in Python integers: 2^40 |2^40| / 3 against itself (equal),
    # against (2^40 - 1)|2^40 - 1| / 3 (above) and against -(2^40)|2^40| / 3 (above)
    big = 1 << 40
    got = _key_compare(np.array([big, big, big]), np.array([3, 3, 3]), np.array([big, big - 1, -big]), [3, 3, 3])
    assert got.tolist() == [0, 1, 1]


def wald_brute(n_c, n_p):
    """scipy's pooled Wald statistic of every table (rows x_current, columns x_previous), as scipy computes it."""
    x1, x2 = np.arange(n_c + 1).reshape(-1, 1), np.arange(n_p + 1).reshape(1, -1)
    p = (x1 + x2) / (n_c + n_p)
    with np.errstate(all="ignore"):
        z = np.divide(x1 / n_c - x2 / n_p, np.sqrt(p * (1 - p) * (1 / n_c + 1 / n_p)))
    z[x1 / n_c == x2 / n_p] = 0
    return z


# ---- Barnard by the product form (designs with few tables) and the nuisance grid --------------


DESIGNS = [(1, 1), (1, 2), (2, 1), (1, 9), (9, 1), (5, 5), (13, 13), (7, 30), (30, 7), (40, 17), (64, 64), (90, 31)]


@pytest.mark.parametrize("n_c, n_p", DESIGNS)
def test_wald_is_monotone_in_each_count(n_c, n_p):
    # the regions are intervals of one count for each value of the other (exact fractions)
    zz = wald_exact(n_c, n_p)
    assert np.all(np.diff(zz, axis=0) >= 0) and np.all(np.diff(zz, axis=1) <= 0)


@pytest.mark.parametrize("n_c, n_p", DESIGNS)
def test_wald_line_counts_in_closed_form_equal_exact_counts(n_c, n_p):
    from stats.exact_tests import _wald_line_counts, _wald_order

    zz = wald_exact(n_c, n_p)  # the inner count is x_current here
    # queries: the statistics of up to 150 cells (each tied at least with itself), their negatives and 0
    cells = np.random.default_rng(n_c * 1000 + n_p).permutation(zz.size)[:150]
    x1, x2 = np.unravel_index(cells, zz.shape)
    D, T, _ = _wald_order(x1, x2, n_c, n_p)
    levels = np.r_[D, -D, 0], np.r_[T, T, 1]
    values = np.r_[zz[x1, x2], -zz[x1, x2], Fraction(0)]
    x_o = np.repeat(np.arange(n_p + 1), len(values))
    Dq, Tq = np.tile(levels[0], n_p + 1), np.tile(levels[1], n_p + 1)
    for side, op in (("left", np.less), ("right", np.less_equal)):
        got = _wald_line_counts(Dq, Tq, x_o, np.full(len(x_o), n_c), np.full(len(x_o), n_p), side)
        brute = op(zz[:, x_o], np.tile(values, n_p + 1)[None, :]).astype(bool).sum(axis=0)
        assert np.array_equal(got, brute), (n_c, n_p, side)


def tables_of_designs(designs, rng):
    out = []
    for n_c, n_p in designs:
        out += [(0, n_p, 0, n_c), (n_p, n_p, n_c, n_c), (0, n_p, n_c, n_c), (n_p, n_p, 0, n_c)]  # 0 % and 100 %
        out += [(int(rng.integers(0, n_p + 1)), n_p, int(rng.integers(0, n_c + 1)), n_c) for _ in range(4)]
    return out


@pytest.mark.parametrize("alternative", ALTS)
def test_product_regions_equal_the_exact_regions(alternative):
    from stats.exact_tests import _product_regions

    rng = np.random.default_rng(8)
    tables = tables_of_designs(DESIGNS, rng)
    k_p, n_p, k_c, n_c = (np.array(c) for c in zip(*tables, strict=True))
    s, swap, bounds = _product_regions(k_c, n_c, k_p, n_p, alternative)
    for i, (kp, np_, kc, nc) in enumerate(tables):
        assert s[i] == wald_brute(nc, np_)[kc, kp]  # the reported statistic is scipy's
        exact = barnard_region_exact(kp, np_, kc, nc, alternative)
        if bounds[i] is None:  # two-sided at z = 0: every table
            assert alternative == "two-sided" and s[i] == 0 and exact.all()
            continue
        A, B = bounds[i]
        inner = np.arange((np_ if swap[i] else nc) + 1)[:, None]
        region = (inner < A[None, :]) | (inner >= B[None, :])  # rows: inner count, columns: outer count
        assert np.array_equal(region.T if swap[i] else region, exact), (kp, np_, kc, nc)


@pytest.mark.parametrize("alternative", ALTS)
def test_product_form_equals_the_design_route(alternative, monkeypatch):
    import stats.exact_tests as E

    rng = np.random.default_rng(9)
    tables = tables_of_designs([*DESIGNS, (150, 151), (299, 12)], rng) + random_tables(10, 40, 120)
    k1, n1, k2, n2 = (np.array(c) for c in zip(*tables, strict=True))
    product = barnard(k1, n1, k2, n2, alternative=alternative)  # one table per design: the product form
    monkeypatch.setattr(E, "_PRODUCT_TABLES", 0)  # every design through its design and Bernstein basis
    E._design.cache_clear()
    designs = barnard(k1, n1, k2, n2, alternative=alternative)
    assert product == pytest.approx(designs, rel=1e-11, abs=1e-13)


def test_product_rows_equal_scipy_binomial_pmf_and_tails():
    from stats.exact_tests import _product_grid, _ProductRows

    for G in (24, 25, 72):
        pis = _product_grid(G)
        assert np.all(pis[G - 1 - np.arange(G // 2)] == 1 - pis[: G // 2])  # exactly symmetric
        # sizes up to 300 from shared powers (terms below 1e-213 dropped), larger ones term by term
        for n, rows in (_ProductRows.batch([1, 2, 37, 160], pis) | _ProductRows.batch([301], pis)).items():
            x = np.arange(n + 1)[:, None]
            # log-space terms up to ~700 in size: about 1e-12 relative (scipy: boost's direct products)
            tiny = 1e-213 if n <= 300 else 1e-300
            assert rows.f == pytest.approx(stats.binom.pmf(x, n, pis), rel=1e-11, abs=tiny)
            k = np.arange(n + 2)[:, None]
            lower, upper = rows.F, rows.S
            # scipy's tails (incomplete beta) lose their digits below about 1e-290 (1e-270 at n = 301,
            # where ours is checked against exact fractions below)
            tiny = max(tiny, 1e-280 if n <= 300 else 1e-265)
            assert lower == pytest.approx(stats.binom.cdf(k - 1, n, pis), rel=1e-11, abs=tiny)
            assert upper == pytest.approx(stats.binom.sf(k - 1, n, pis), rel=1e-11, abs=tiny)
    # a lower tail of 2.4e-274 (n = 301, 25 points, pi_20) against exact rational arithmetic
    p = Fraction(float(_product_grid(25)[20]))
    exact = sum(comb(301, x) * p**x * (1 - p) ** (301 - x) for x in range(33))
    assert _ProductRows.batch([301], _product_grid(25))[301].F[33, 20] == pytest.approx(float(exact), rel=1e-12)


def test_product_values_half_grid_equal_scipy_sums():
    # the product form's grid values (lower half computed, upper half through the mirror identities,
    # symmetric two-sided tables mirrored outright) against the sum written out with scipy's pmf and
    # tails on the whole grid
    from stats.exact_tests import _product_grid, _product_regions, _product_values

    G = 48
    pis = _product_grid(G)
    k_c, n_c, k_p, n_p = (np.array(c) for c in ([3, 40, 0, 17], [30, 52, 9, 17], [9, 12, 4, 2], [41, 19, 20, 25]))
    for alternative in ("two-sided", "less", "greater"):
        _, swap, bounds = _product_regions(k_c, n_c, k_p, n_p, alternative)
        n_i, n_o = np.where(swap, n_p, n_c), np.where(swap, n_c, n_p)
        symmetric = np.array(
            [
                alternative == "two-sided" and np.array_equal(A, ni + 1 - B[::-1])
                for (A, B), ni in zip(bounds, n_i, strict=True)
            ]
        )
        lower = np.array([(A > 0).any() for A, _ in bounds])  # the tails each region holds
        upper = np.array([(ni >= B).any() for (_, B), ni in zip(bounds, n_i, strict=True)])
        got = _product_values(n_i, n_o, bounds, symmetric, G, lower, upper)
        for r, (A, B) in enumerate(bounds):
            x = np.arange(n_o[r] + 1)[:, None]
            inner = stats.binom.cdf(A[:, None] - 1, n_i[r], pis) + stats.binom.sf(B[:, None] - 1, n_i[r], pis)
            want = (stats.binom.pmf(x, n_o[r], pis) * inner).sum(axis=0)
            assert got[r] == pytest.approx(want, rel=1e-11, abs=1e-300)


@pytest.mark.parametrize("N", [1, 2, 7, 40, 300])
def test_basis_curvature_bound_behind_the_grid_size(N):
    # b_t''/b_t >= -5N in theta = arcsin(sqrt(pi)) (the bound that sizes the grid, see _grid_size):
    # second differences of scipy's binomial pmf in theta, on a fine grid, against the bound
    from stats.exact_tests import _grid_size

    theta = np.linspace(1e-3, np.pi / 2 - 1e-3, 4001)
    h = 1e-4
    for t in range(N + 1):

        def pmf(th, t=t):
            return stats.binom.pmf(t, N, np.sin(th) ** 2)

        second = (pmf(theta + h) - 2 * pmf(theta) + pmf(theta - h)) / h**2
        ok = pmf(theta) > 1e-250
        assert np.all(second[ok] / pmf(theta)[ok] >= -5 * N - 1e-3 * N)
    # the grid spacing keeps the nearest grid point within 10 % of a maximum: cos(sqrt(5N) * spacing / 2) >= 0.9
    spacing = (np.pi / 2) / (_grid_size(N) - 1)
    assert np.cos(np.sqrt(5 * N) * spacing / 2) >= 0.9


# P(pi) with many ripples: the supremum is at a local maximum that is neither the best grid value nor
# among the three best grid maxima (found by comparing against the previous, four times finer, grid).
RIPPLED = [
    ("boschloo", (0, 7, 39, 162), "greater", 0.0913359989580),
    ("barnard", (152, 247, 124, 187), "two-sided", 0.361843723490),
    ("barnard", (95, 160, 158, 235), "greater", 0.0701112066133),
    ("barnard", (236, 237, 1, 215), "two-sided", 1.76681128e-131),
    ("barnard", (230, 236, 34, 58), "less", 9.27530506e-15),
]


@pytest.mark.slow
@pytest.mark.parametrize("method, table, alternative, value", RIPPLED)
def test_supremum_found_among_ripples(method, table, alternative, value):
    ours = OURS[method](*table, alternative=alternative)
    assert ours == pytest.approx(value, rel=1e-8)
    if value > 1e-6:
        assert ours == pytest.approx(brute_force_sup(method, *table, alternative), abs=1e-10)


@pytest.mark.parametrize("route", ["product form", "design"])
@pytest.mark.parametrize("n_prev, n_cur", [(293, 398), (394, 208), (193, 494), (40, 300)])
def test_p_values_below_1e_154_reach_the_supremum(n_prev, n_cur, route, monkeypatch):
    # 0 of n_prev against n_cur of n_cur, 'greater': Barnard's region is the observed table alone
    # (the largest Wald statistic), so the p-value is the supremum of (1 - pi)^n_prev pi^n_cur,
    # at pi = n_cur / N: (n_prev / N)^n_prev (n_cur / N)^n_cur. Boschloo's region holds that table
    # too, so its p-value is at least as large. (Newton's search once stopped at its grid start
    # below about 1e-154, where the square of the slope underflowed: up to 10 % low.)
    import stats.exact_tests as E

    N = n_prev + n_cur
    sup = math.exp(n_prev * math.log(n_prev / N) + n_cur * math.log(n_cur / N))
    if route == "design":
        monkeypatch.setattr(E, "_PRODUCT_TABLES", 0)
        E._design.cache_clear()
    got = barnard(0, n_prev, n_cur, n_cur, alternative="greater")
    assert got == pytest.approx(sup, rel=1e-9)
    assert barnard(0, n_prev, n_cur, n_cur) == pytest.approx(sup, rel=1e-9)  # two-sided: the same table
    assert boschloo(0, n_prev, n_cur, n_cur, alternative="greater") >= sup * (1 - 1e-9)


def test_product_form_batches_equal_one_batch(monkeypatch):
    # the memory bound splits the tables of a call into batches; results do not depend on it (but for
    # the order of floating-point sums over rows padded to a batch's widths)
    import stats.exact_tests as E

    tables = random_tables(13, 30, 80)
    k1, n1, k2, n2 = (np.array(c) for c in zip(*tables, strict=True))
    whole = barnard(k1, n1, k2, n2)
    monkeypatch.setattr(E, "_PRODUCT_BATCH", 100)
    assert barnard(k1, n1, k2, n2) == pytest.approx(whole, rel=1e-12, abs=1e-15)


# ---- Boschloo on stacked designs (designs with few tables) --------------------------------------


@pytest.mark.parametrize("alternative", ALTS)
def test_stacked_designs_equal_one_design_each(alternative, monkeypatch):
    # small designs with few tables are stacked in padded arrays; every one through its own design
    # gives the same p-values (equal n: mirror-image ties, decided by the design's integers)
    import stats.exact_tests as E

    rng = np.random.default_rng(17)
    tables = random_tables(23, 60, 60) + tables_of_designs([(1, 1), (1, 9), (12, 12), (60, 60), (3, 57)], rng)
    k1, n1, k2, n2 = (np.array(c) for c in zip(*tables, strict=True))
    stacked = boschloo(k1, n1, k2, n2, alternative=alternative)
    monkeypatch.setattr(E, "_STACK_MAX_N", 0)
    E._design.cache_clear()
    designs = boschloo(k1, n1, k2, n2, alternative=alternative)
    assert stacked == pytest.approx(designs, rel=1e-12, abs=1e-300)


def test_stacked_designs_equal_the_design_arrays():
    from stats.exact_tests import _Design, _stacked_designs

    sizes = [(1, 1), (1, 7), (7, 1), (13, 13), (40, 17), (5, 60)]
    n_c, n_p = (np.array(c) for c in zip(*sizes, strict=True))
    lo, prefix, neg_suffix, length, _ = _stacked_designs(n_c, n_p)
    suffix = -neg_suffix
    for i, (a, b) in enumerate(sizes):
        d = _Design(a, b)
        assert np.array_equal(lo[i, : d.N + 1], d.lo)
        assert np.array_equal(length[i, : d.N + 1], d.length)
        assert np.all(length[i, d.N + 1 :] == 0)
        stacked_prefix, stacked_suffix = prefix[: d.L + 1, i, : d.N + 1].T, suffix[: d.L + 1, i, : d.N + 1].T
        # the design's log-gamma route is within about 1e-13 of exact (the stacked one within 1e-15:
        # test_exact_speed_bosch.py checks it against fractions)
        assert stacked_prefix == pytest.approx(d.prefix, rel=2e-13, abs=1e-300)
        assert stacked_suffix == pytest.approx(d.suffix, rel=2e-13, abs=1e-300)


def test_stacked_batches_equal_one_batch(monkeypatch):
    import stats.exact_tests as E

    tables = random_tables(29, 40, 50)
    k1, n1, k2, n2 = (np.array(c) for c in zip(*tables, strict=True))
    whole = boschloo(k1, n1, k2, n2)
    monkeypatch.setattr(E, "_STACK_CELLS", 2000)  # a batch of one or two tables
    assert boschloo(k1, n1, k2, n2) == pytest.approx(whole, rel=1e-13, abs=1e-300)


@pytest.mark.parametrize("alternative", ["two-sided", "less"])
def test_symmetric_two_sided_regions_refine_half_the_maxima(alternative, monkeypatch):
    # two-sided Barnard regions equal to their mirror image give P(pi) = P(1 - pi): refining the
    # maxima at pi <= 1/2 only gives the same supremum as refining all of them
    import stats.exact_tests as E

    tables = random_tables(31, 60, 150)
    k1, n1, k2, n2 = (np.array(c) for c in zip(*tables, strict=True))
    half = barnard(k1, n1, k2, n2, alternative=alternative)
    original = E._grid_candidates
    monkeypatch.setattr(E, "_grid_candidates", lambda *a, symmetric=None, **k: original(*a, **k))
    full = barnard(k1, n1, k2, n2, alternative=alternative)
    assert half == pytest.approx(full, rel=1e-12, abs=1e-300)


def test_two_sided_boschloo_is_twice_the_smaller_one_sided_pvalue():
    # two-sided, the side whose grid values are clearly the larger is not refined (_Suprema pairs);
    # the one-sided calls refine every side: the identity p = min(1, 2 min(p_less, p_greater)) holds
    tables = random_tables(37, 80, 150) + [(t[0], t[1], t[2], t[3]) for t in EXTREME]
    k1, n1, k2, n2 = (np.array(c) for c in zip(*tables, strict=True))
    two = boschloo(k1, n1, k2, n2)
    less, greater = (boschloo(k1, n1, k2, n2, alternative=a) for a in ("less", "greater"))
    assert two == pytest.approx(np.minimum(1.0, 2 * np.minimum(less, greater)), rel=1e-13, abs=1e-300)


def test_barnard_counts_tables_tied_with_the_observed_one():
    # Current 1 of 3 against previous 3 of 3, 'less'. The region is {(0, 3), (1, 3), (0, 2)}
    # (current, previous counts): (0, 2) has z = -sqrt(3) exactly, as the observed table. Its
    # probability (1-p)^3 p^3 + 3 p (1-p)^2 p^3 + (1-p)^3 3 p^2 (1-p) is largest at p = 1/2:
    # 1/64 + 3/64 + 3/64 = 7/64 = 0.109375 (by hand; a dense grid agrees). scipy gives 0.0774605.
    assert barnard(3, 3, 1, 3, alternative="less") == pytest.approx(7 / 64, abs=1e-12)


# Tables where a table tied with the observed one (statistics equal in exact arithmetic) has a
# floating-point statistic an ulp on the wrong side, so scipy's region leaves it out. Each supremum
# is at pi = 1/2, where P = (weighted count of the region) / 2^N: the stored values are those
# fractions (the brute-force grid over the exact region agrees), and scipy's lower values are listed.
TIED = [
    # (k_prev, n_prev, k_cur, n_cur, alternative, p-value, scipy's)
    (4, 6, 1, 6, "less", 299 / 2**12, 0.0572145),
    (2, 6, 5, 5, "two-sided", 27 / 2**10, 0.0210551),
    (5, 7, 3, 7, "two-sided", 6946 / 2**14, 0.3747543),
    (10, 10, 6, 10, "less", 22120 / 2**20, 0.0209321),
    (3, 3, 1, 3, "less", 7 / 2**6, 0.0774605),
]


@pytest.mark.parametrize("k_prev, n_prev, k_cur, n_cur, alternative, value, scipy_value", TIED)
def test_barnard_counts_every_tied_table(k_prev, n_prev, k_cur, n_cur, alternative, value, scipy_value, monkeypatch):
    import stats.exact_tests as E

    region = barnard_region_exact(k_prev, n_prev, k_cur, n_cur, alternative)
    weights = np.outer([comb(n_cur, a) for a in range(n_cur + 1)], [comb(n_prev, b) for b in range(n_prev + 1)])
    assert Fraction(int((weights * region).sum()), 2 ** (n_prev + n_cur)) == Fraction(value)  # P(1/2), exactly
    assert not np.array_equal(region, barnard_region_scipy(k_prev, n_prev, k_cur, n_cur, alternative))
    assert scipy_pvalue("barnard", k_prev, n_prev, k_cur, n_cur, alternative) == pytest.approx(scipy_value, abs=1e-7)
    assert brute_force_sup("barnard", k_prev, n_prev, k_cur, n_cur, alternative) == pytest.approx(value, abs=1e-12)
    assert barnard(k_prev, n_prev, k_cur, n_cur, alternative=alternative) == pytest.approx(value, abs=1e-13)
    monkeypatch.setattr(E, "_PRODUCT_TABLES", 0)  # through the design and its Bernstein basis
    assert barnard(k_prev, n_prev, k_cur, n_cur, alternative=alternative) == pytest.approx(value, abs=1e-13)
    for alpha, rejects in ((value * (1 + 1e-9), True), (value * (1 - 1e-9), False)):
        spec = ExactTest(method="barnard", alternative=alternative, alpha=alpha)
        assert spec.rejection_matrix(n_prev, n_cur)[k_prev, k_cur] == rejects


def test_rejection_matrix_after_ties_decided_on_the_same_design():
    # Boschloo's exact tie decisions cache integer sums in the shared design; Barnard's rejection
    # matrix on that design afterwards must not mistake them for its sort keys
    import stats.exact_tests as E

    E._design.cache_clear()
    boschloo(4, 10, 7, 10)
    assert any(isinstance(k, tuple) for k in E._design(10, 10)._cache)
    matrix = ExactTest(method="barnard").rejection_matrix(10, 10)
    k_prev, k_cur = np.nonzero(np.ones((11, 11)))
    assert np.array_equal(matrix.ravel(), barnard(k_prev, 10, k_cur, 10) <= 0.1)


def test_rejection_matrix_refuses_an_empty_sample():
    with pytest.raises(ValueError, match=r"n_previous must be a whole number >= 1 \(got 0"):
        ExactTest(method="barnard").rejection_matrix(0, 3)
