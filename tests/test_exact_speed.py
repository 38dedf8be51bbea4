"""The faster routes of stats.exact_tests against the simple ones they replace (same values).

Each vectorised piece is checked against the one-at-a-time computation it stands for: bitwise where
it performs the same floating-point operations, to rounding otherwise. The p-values themselves are
checked against scipy, brute force and between routes in test_exact_tests.py.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sps

import stats.exact_tests as E
from stats.exact_tests import barnard, boschloo


def test_bases_of_many_sizes_equal_the_rows_of_each_size_bitwise():
    # _bernstein_lower and _grid.prefetch: every size in one padded exponential, with the
    # operations of _binom_rows (one size, one grid); the upper half is the mirror image
    sizes = [1, 2, 3, 17, 44, 120, 121, 301]
    Gs, halves, low = E._bernstein_lower(np.array(sizes))
    E._grid.cache_clear()
    E._grid.prefetch(sizes)
    for i, N in enumerate(sizes):
        pis = E._product_grid(int(E._grid_size(N)))
        h = (len(pis) + 1) // 2
        assert Gs[i] == len(pis) and halves[i] == h
        rows = E._binom_rows(N, pis[:h])
        assert np.array_equal(low[i, :h, : N + 1], rows)
        assert not low[i, h:].any() and not low[i, :, N + 1 :].any()  # the padding is 0
        kept_pis, basis = E._grid(N)
        assert np.array_equal(kept_pis, pis)
        assert np.array_equal(basis[:h], rows)
        assert np.array_equal(basis[h:], basis[len(pis) - 1 - h :: -1, ::-1][: len(pis) - h])


def test_grid_kept_within_its_cell_bound_most_recent_last():
    grids = E._Grids(maxcells=3000)
    grids.prefetch([20, 30])
    assert list(grids.cache) == [20, 30]
    grids(20)  # used: now the most recent
    grids(60)  # 32 points x 61 cells: the least recently used (30) goes first
    assert list(grids.cache) == [20, 60]
    assert grids.cells == sum(b.size for _, b in grids.cache.values()) <= 3000


def test_product_grid_sizes_of_an_array_equal_the_rule_and_keep_the_bound():
    N = np.arange(2, 4001)
    sizes = E._product_grid_size(N)
    rule = np.array([max(E._PRODUCT_MIN_GRID, -(-int(E._grid_size(int(n))) // 16) * 16) for n in N])
    assert np.array_equal(sizes, rule)
    assert np.all(sizes >= E._grid_size(N))  # more points than the proved grid: the 10 % bound holds
    assert np.all(sizes[N <= 120] == 48) and np.all(sizes % 16 == 0)
    assert np.array_equal(E._grid_size(N), [max(24, int(np.ceil(3.9 * np.sqrt(n))) + 1) for n in N])


@pytest.mark.parametrize("alternative", ["two-sided", "less", "greater"])
def test_two_sided_regions_are_their_own_mirror_image(alternative):
    # the product form computes half the grid of a two-sided table (P(pi) = P(1 - pi)): its region,
    # with statistics compared exactly, is its mirror image (x_i, x_o) -> (n_i - x_i, n_o - x_o)
    rng = np.random.default_rng(11)
    n_c, n_p = rng.integers(1, 40, 60), rng.integers(1, 40, 60)
    n_c[:20] = n_p[:20]  # equal sample sizes: mirror-image ties are common
    k_c, k_p = rng.integers(0, n_c + 1), rng.integers(0, n_p + 1)
    _, swap, bounds = E._product_regions(k_c, n_c, k_p, n_p, alternative)
    n_i = np.where(swap, n_p, n_c)
    keep = [r for r, b in enumerate(bounds) if b is not None]
    mirror = [np.array_equal(bounds[r][0], n_i[r] + 1 - bounds[r][1][::-1]) for r in keep]
    if alternative == "two-sided":
        assert all(mirror)
        # the upper tail is built as the mirror image of the lower one: the same as counting the
        # cells at or above |z_obs| on each line directly
        n_o = np.where(swap, n_c, n_p)
        D, T, _ = E._wald_order(np.where(swap, k_p, k_c), np.where(swap, k_c, k_p), n_i, n_o)
        for r in keep:
            x_o = np.arange(n_o[r] + 1)
            same = [np.full(x_o.size, v) for v in (abs(D[r]), T[r], n_i[r], n_o[r])]
            direct = E._wald_line_counts(same[0], same[1], x_o, same[2], same[3], "left")
            assert np.array_equal(bounds[r][1], direct)
    else:
        assert not any(mirror)  # a one-sided region is one tail: its mirror is the other


def test_product_refiner_bounds_and_lone_column_equal_the_table_by_table_computation():
    rng = np.random.default_rng(5)
    n_c, n_p = rng.integers(1, 60, 12), rng.integers(1, 60, 12)
    n_c[0] = 1  # a sample of one: degree n - 2 is -1
    k_c, k_p = rng.integers(0, n_c + 1), rng.integers(0, n_p + 1)
    _, swap, bounds = E._product_regions(k_c, n_c, k_p, n_p, "two-sided")
    keep = np.array([b is not None for b in bounds])
    n_i, n_o = np.where(swap, n_p, n_c)[keep], np.where(swap, n_c, n_p)[keep]
    bounds = [b for b in bounds if b is not None]
    both = np.ones(len(n_i), dtype=bool)
    refiner = E._ProductRefiner(n_i, n_o, bounds, both, both)
    for k, i in enumerate(refiner.order.tolist()):  # the loop the scatter replaced
        A, B = bounds[i]
        assert np.array_equal(refiner.A[k, : A.size], A) and not refiner.A[k, A.size :].any()
        assert np.array_equal(refiner.B[k, : B.size], B) and np.all(refiner.B[k, B.size :] == n_i[i] + 1)
    x = rng.uniform(0.05, 0.95, len(n_i))
    together = np.array(refiner(np.arange(len(n_i)), x))
    for r in range(len(n_i)):
        alone = np.array(refiner(np.array([r]), x[r : r + 1]))[:, 0]
        assert np.array_equal(alone, together[:, r])  # a table's value does not depend on the others


@pytest.mark.parametrize("alternative", ["two-sided", "less", "greater"])
def test_product_refiner_equals_the_derivatives_of_the_grid_values(alternative):
    # P, P', P'' of the refiner (both samples' rows in one array; a region of the upper tail only,
    # 'greater', evaluated as its mirror image) against finite differences and the sum over the
    # region written out
    n_i, n_o = np.array([7, 1, 30]), np.array([9, 12, 41])
    k_c, k_p = np.array([3, 0, 20]), np.array([8, 10, 12])
    _, swap, bounds = E._product_regions(k_c, n_i, k_p, n_o, alternative)
    assert not swap.any()
    lower = np.full(3, alternative != "greater")
    upper = np.full(3, alternative != "less")
    refiner = E._ProductRefiner(n_i, n_o, bounds, lower, upper)
    assert refiner.flip.all() == (alternative == "greater")
    h = 1e-5
    for x0 in (0.2, 0.5, 0.73):
        x = np.full(3, x0)
        value, slope, curve = refiner(np.arange(3), x)
        at = [refiner(np.arange(3), x + d)[0] for d in (-h, h)]
        assert slope == pytest.approx((at[1] - at[0]) / (2 * h), rel=1e-6, abs=1e-9)
        assert curve == pytest.approx((at[1] - 2 * value + at[0]) / h**2, rel=1e-3, abs=1e-4)
        for r in range(3):  # the value as the sum over the region written out
            A, B = bounds[r]
            xi, xo = np.arange(n_i[r] + 1)[:, None], np.arange(n_o[r] + 1)[None, :]
            inside = (xi < A[None, :]) | (xi >= B[None, :])
            pmf_i = np.exp(
                E._log_comb(int(n_i[r]))
                + np.arange(n_i[r] + 1) * np.log(x0)
                + (n_i[r] - np.arange(n_i[r] + 1)) * np.log1p(-x0)
            )
            pmf_o = np.exp(E._log_comb(int(n_o[r])) + xo[0] * np.log(x0) + (n_o[r] - xo[0]) * np.log1p(-x0))
            assert value[r] == pytest.approx((pmf_i[:, None] * pmf_o[None, :] * inside).sum(), rel=1e-12)


def test_results_do_not_depend_on_the_scratch_arrays_left_by_other_calls():
    tables = (np.array([3, 40, 0, 17, 9]), np.array([30, 52, 9, 17, 61]), np.array([9, 12, 4, 2, 33]))
    k1, n1, k2 = tables
    n2 = np.array([41, 19, 20, 25, 70])
    first = (barnard(k1, n1, k2, n2), boschloo(k1, n1, k2, n2))
    barnard(np.arange(0, 300, 7), 300, 150, 280)  # large product-form chunks in the scratch arrays
    boschloo(np.arange(0, 60, 3), 60, 30, 55)  # stacked designs too
    again = (barnard(k1, n1, k2, n2), boschloo(k1, n1, k2, n2))
    assert np.array_equal(first[0], again[0]) and np.array_equal(first[1], again[1])


def test_scratch_arrays_are_views_of_one_kept_array_per_name():
    scratch = E._Scratch()
    a = scratch("x", (3, 4))
    b = scratch("x", (2, 5))
    assert np.shares_memory(a, b) and b.shape == (2, 5)
    c = scratch("x", (10, 10))  # larger: a new kept array
    assert c.shape == (10, 10) and scratch.arrays["x"].size == 100
    huge = scratch("y", (E._SCRATCH_CELLS + 1,))
    assert huge.size == E._SCRATCH_CELLS + 1 and "y" not in scratch.arrays  # too large to keep


# Tables of the benchmark's mixed workload whose P(pi) has the most local grid maxima (5 to 15
# refinement starts): k_previous, n_previous, k_current, n_current, alternative
RIPPLED = [
    (136, 251, 80, 141, "two-sided"),
    (90, 261, 66, 277, "less"),
    (49, 105, 70, 193, "two-sided"),
    (155, 211, 173, 204, "greater"),
    (27, 80, 68, 275, "two-sided"),
    (51, 110, 33, 99, "less"),
]


@pytest.mark.parametrize("k1, n1, k2, n2, alternative", RIPPLED)
def test_barnard_on_rippled_tables_is_the_maximum_of_a_dense_grid(k1, n1, k2, n2, alternative):
    # the refinement drops starts that share a bracket, or whose Newton model is below the best:
    # the supremum is still reached (at least the dense grid's maximum, and above it by no more
    # than the dense grid's own shortfall)
    ours = barnard(k1, n1, k2, n2, alternative=alternative)
    _, swap, bounds = E._product_regions(np.array([k2]), np.array([n2]), np.array([k1]), np.array([n1]), alternative)
    n_i, n_o = np.where(swap, n1, n2), np.where(swap, n2, n1)
    A, B = bounds[0]
    lower, upper = np.array([(A > 0).any()]), np.array([(n_i[0] >= B).any()])  # the tails the region holds
    dense = E._product_values(n_i, n_o, bounds, np.array([False]), 6000, lower, upper)[0].max()  # theta spacing 2.6e-4
    assert dense * (1 - 1e-12) <= ours <= dense * (1 + 1e-5)


@pytest.mark.parametrize("alternative", ["two-sided", "less", "greater"])
def test_stacked_boschloo_decides_near_ties_as_each_design(alternative, monkeypatch):
    # equal sample sizes: mirror-image tables tie exactly (Fisher's p-values equal in exact
    # arithmetic); the stacked route decides them with integers as the table's own design does
    rng = np.random.default_rng(8)
    n = rng.integers(2, 40, 80)
    k1, k2 = rng.integers(0, n + 1), rng.integers(0, n + 1)
    k1, k2 = np.r_[k1, 22, 2], np.r_[k2, 25, 23]  # two tables with near-ties beyond their own cell
    n = np.r_[n, 28, 30]
    stacked = boschloo(k1, n, k2, n, alternative=alternative)
    monkeypatch.setattr(E, "_STACK_MAX_N", 0)  # every table through its own design
    E._design.cache_clear()
    designs = boschloo(k1, n, k2, n, alternative=alternative)
    assert stacked == pytest.approx(designs, rel=1e-12, abs=1e-300)
    # the stacked route met near-ties beyond the observed cell (its integer decisions were exercised)
    calls = []
    original = E._resolve_ties
    monkeypatch.setattr(E, "_resolve_ties", lambda *a: calls.append(1) or original(*a))
    monkeypatch.setattr(E, "_STACK_MAX_N", 120)
    boschloo(k1, n, k2, n, alternative=alternative)
    assert calls


def test_threads_sharing_the_caches_and_their_own_scratch_arrays_get_the_same_values():
    from concurrent.futures import ThreadPoolExecutor

    rng = np.random.default_rng(1)
    n1, n2 = rng.integers(5, 80, 60), rng.integers(5, 80, 60)
    k1, k2 = rng.integers(0, n1 + 1), rng.integers(0, n2 + 1)
    want = (boschloo(k1, n1, k2, n2), barnard(k1, n1, k2, n2, alternative="less"))
    E._grid.cache_clear()
    E._design.cache_clear()
    with ThreadPoolExecutor(4) as pool:
        runs = list(
            pool.map(lambda _: (boschloo(k1, n1, k2, n2), barnard(k1, n1, k2, n2, alternative="less")), range(8))
        )
    assert all(np.array_equal(b, want[0]) and np.array_equal(c, want[1]) for b, c in runs)


def test_unique_rows_by_integer_codes_equal_numpy_unique_rows(monkeypatch):
    rng = np.random.default_rng(6)
    key = np.stack(
        [rng.integers(1, 9, 300), rng.integers(1, 9, 300), rng.integers(0, 9, 300), rng.integers(0, 9, 300)], 1
    )
    want, want_inverse = np.unique(key, axis=0, return_inverse=True)
    rows, inverse = E._unique_rows(key)
    assert np.array_equal(rows, want) and np.array_equal(inverse, want_inverse.ravel())
    monkeypatch.setattr(E, "_CODE_BASE", 5)  # counts too large for the codes: numpy's rows
    rows, inverse = E._unique_rows(key)
    assert np.array_equal(rows, want) and np.array_equal(inverse, want_inverse.ravel())


def test_one_sided_regions_holding_a_corner_table_have_p_one_at_that_corner():
    # a one-sided region that holds (0, 0) or (n_prev, n_cur) has all the mass of pi = 0 or pi = 1:
    # p = 1 there, without a grid (scipy's optimiser finds 1 too); a region without a corner has
    # p below 1
    rng = np.random.default_rng(8)
    n1, n2 = rng.integers(1, 80, 60), rng.integers(1, 80, 60)
    k1, k2 = rng.integers(0, n1 + 1), rng.integers(0, n2 + 1)
    for alternative in ("less", "greater"):
        p, _, nuisance = E._barnard_product(k2, n2, k1, n1, alternative)
        key = E._wald_order(k2, k1, n2, n1)[2]
        # the corners have statistic 0: in a 'less' region (z <= z_obs) when z_obs >= 0
        corner = key >= 0 if alternative == "less" else key <= 0
        assert np.all(p[corner] == 1.0) and np.all(np.isin(nuisance[corner], (0.0, 1.0)))
        assert np.all(p[~corner] < 1.0)
        for i in np.flatnonzero(corner)[:4]:
            table = [[k2[i], k1[i]], [n2[i] - k2[i], n1[i] - k1[i]]]
            assert sps.barnard_exact(table, alternative=alternative).pvalue == pytest.approx(1.0, abs=1e-9)
