"""Fast exact tests for 2x2 tables: Fisher, Barnard and Boschloo, vectorised over many tables.

scipy's ``barnard_exact`` and ``boschloo_exact`` take about 0.1 s for a
100-vs-100 table and seconds to tens of seconds at n = 1000, too slow to run
over every row of a report and every count its rounded percentages allow.
This module computes the same p-values (to 1e-9, checked against scipy in
the tests) for whole arrays of tables at once:

* every table with the same ``(n_previous, n_current)`` shares one design:
  the conditional (hypergeometric) probability of each cell given its
  total, the test statistic of each cell, cumulative sums along each total;
* a table's rejection region is reduced, for each total :math:`t`, to the
  conditional probability :math:`w_t` of the region given :math:`t`, so its
  p-value at nuisance value :math:`\\pi` is the Bernstein polynomial
  :math:`P(\\pi) = \\sum_t w_t \\binom{N}{t} \\pi^t (1-\\pi)^{N-t}`;
* the supremum over :math:`\\pi` is found on a grid uniform in
  :math:`\\arcsin\\sqrt\\pi` of :math:`\\lceil 3.9\\sqrt N\\rceil + 1` points, fine
  enough that the maximiser's nearest grid point is within 10 % of the
  maximum (proved in :func:`_grid_size`), shared by every table of the same
  total size :math:`N` (one matrix product), and refined by Newton's method on
  :math:`P'` (safeguarded by bisection) from every local grid maximum within
  10 %, one vectorised refinement for every design of a call;
* Barnard's test on designs with few tables (one table per design when the
  sample sizes vary) skips the design: for each count of the larger sample
  the region is an interval (two-sided: two) of the smaller sample's count,
  found in closed form, so :math:`P(\\pi)` is a sum of binomial
  probabilities times binomial tail sums, whose grid rows depend on one
  sample size only (``_barnard_product``): about :math:`(n_1 + n_2)\\sqrt N`
  work per table instead of :math:`n_1 n_2`; when the two-sided region is its
  own mirror image (yes and no swapped), :math:`P(\\pi) = P(1 - \\pi)` and only
  the maxima at :math:`\\pi \\le 1/2` are refined. Its grids have at least 48
  points (every design with :math:`N \\le 120` shares one grid, so a call on
  small tables computes one set of binomial rows); the binomial rows of sample
  sizes up to 300 come from powers of :math:`\\pi/(1-\\pi)` shared by every
  size; the upper tail of a two-sided region is the mirror image of its lower
  tail; a one-sided region that holds the corner tables (the observed change
  goes the other way, or is 0) has p = 1 at :math:`\\pi = 0`, found without a
  region or a grid; the Newton refinement computes both samples' binomial rows
  in one exponential, one contiguous row per start, and evaluates a region of
  the upper tail only as its mirror image (one tail sum per start);
* Boschloo's test on small designs (:math:`N \\le 120`) with few tables builds
  the designs of all of them at once, stacked in padded arrays
  (``_stacked_designs``) from correctly rounded binomial coefficients (no
  exponential; one vector addition per position makes both running sums), and
  counts each total's cells below the observed statistic by a binary search of
  those monotone sums (``_stacked_counts``); near-ties other than a table's own
  cell are decided with integers there too. Their grid values share one grid
  (odd, so that 1/2 is a point): with :math:`r = \\pi / (1 - \\pi)`,
  :math:`b(t; N, \\pi) = \\binom{N}{t} (1 - \\pi)^N r^t`, so the powers
  :math:`r^t` serve every degree and the values of all rows are one matrix
  product (``_Suprema._values_by_degree``). Two-sided Boschloo (on any design)
  does not refine the side whose best grid value exceeds the other's divided
  by 0.9 (the grid bound makes it the larger supremum, and the p-value is
  twice the smaller);
* the large work arrays of the product form and of the stacked designs are
  kept from call to call (``_Scratch``): a fresh array of a few megabytes
  costs a page fault per 4 KiB page when first written, on a small virtual
  machine as long as the arithmetic done in it;
* Barnard's regions compare the pooled Wald statistic through the key :math:`D|D|/T`
  of integers (:func:`_wald_order`), exactly where it is within the tie band of the
  observed one, so tied tables (mirror images, with equal sample sizes) are never left
  out by a rounding, as they can be in scipy's floating-point statistic;
* one-sided Fisher p-values above 1/2 are compared through their complement
  (the opposite tail, exact in floating point), so tables far in either tail
  need no integer arithmetic; near-ties left are decided with integers.

Orientation: everything is ``current`` versus ``previous``. ``'greater'``
means the alternative :math:`\\pi_{cur} > \\pi_{prev}`, ``'less'``
:math:`\\pi_{cur} < \\pi_{prev}`, as in :func:`stats.compare_proportions`.
In scipy's terms the table is ``[[k_current, k_previous], [n_current -
k_current, n_previous - k_previous]]`` (columns are the two samples, current
first), and then scipy's ``alternative`` has the same meaning.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import asdict, dataclass
from fractions import Fraction
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import special

from . import _validation as v

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

__all__ = [
    "fisher",
    "barnard",
    "boschloo",
    "exact_test",
    "ExactTest",
    "ExactTestResult",
    "EXACT_METHODS",
    "ALTERNATIVES",
]

EXACT_METHODS = ("fisher", "barnard", "boschloo")
ALTERNATIVES = ("two-sided", "less", "greater")

# Relative band within which two statistics computed in floating point may be mathematically equal;
# cells inside it are compared exactly with integer arithmetic (Fisher and Boschloo: _Design.exact_*;
# Barnard: _key_compare).
_TIE_BAND = 1e-9
# Fisher two-sided p-values and Boschloo one-sided statistics are computed to about 1e-12 relative
# (log-gamma terms up to N = 2000); the band above is far wider than that and far narrower than any
# gap between mathematically different statistics that carries probability mass above 1e-9.


# --------------------------------------------------------------------------------------------
# Barnard's statistic: the pooled Wald statistic and its exact order
# --------------------------------------------------------------------------------------------

#: Largest :math:`|D|` (at most :math:`n_c n_p`) whose square is exact in float64 (:math:`D^2 < 2^{53}`):
#: below it the float key of :func:`_wald_order` is the correctly rounded quotient of exact integers.
_EXACT_KEY_D = 94_906_265


def _wald(x1, x2, n1, n2):
    """scipy's pooled Wald statistic of cells ``(x1, x2)`` (int64 arrays; sample sizes broadcast), with
    scipy's floating-point operations: the statistic a result reports (regions use :func:`_wald_order`)."""
    p1, p2 = x1 / n1, x2 / n2
    p = (x1 + x2) / (n1 + n2)
    var = p * (1 - p) * (1 / n1 + 1 / n2)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.divide(p1 - p2, np.sqrt(var))
    return np.where(p1 == p2, 0.0, s)


def _key_of(D, T):
    """The float order key :math:`D |D| / T` of integers ``D``, ``T > 0`` (:func:`_wald_order`)."""
    f = np.asarray(D, dtype=float)
    return f * np.abs(f) / T


def _wald_order(x1, x2, n1, n2):
    """Integers and float order key of the pooled Wald statistic of cells ``(x1, x2)``.

    With :math:`D = x_1 n_2 - x_2 n_1`, :math:`t = x_1 + x_2`, :math:`N = n_1 + n_2` and
    :math:`T = t(N - t)`, the statistic is :math:`z = D\\sqrt{N / (n_1 n_2 T)}` (0 where :math:`D = 0`,
    which includes :math:`T = 0`), so the key :math:`D|D|/T = z|z|\\,n_1 n_2 / N` orders the cells of a
    design as :math:`z` does, and so does its correctly rounded value. Returns int64 ``D`` and ``T``
    (``T`` set to 1 where it is 0, where ``D`` is 0) and the float64 key, within
    :math:`2.3 \\times 10^{-16}` relative of the exact one, and exactly its correctly rounded value
    while :math:`|D| \\le` ``_EXACT_KEY_D``: then equal statistics have equal keys.

    Why not scipy's statistic (:func:`_wald`): two tables whose statistics are equal in exact
    arithmetic (e.g. a table and its mirror image when the sample sizes are equal) can get floats
    an ulp apart from its divisions and square root, and a region compared in floating point then
    leaves one of them out (scipy's ``barnard_exact`` does: 1 of 3 against 3 of 3, 'less', gives
    0.0775 instead of 7/64).
    """
    D = x1 * n2 - x2 * n1
    t = x1 + x2
    T = np.maximum(t * (n1 + n2 - t), 1)
    return D, T, _key_of(D, T)


def _key_compare(D, T, D_o, T_o):
    """:math:`\\operatorname{sign}(D|D|/T - D_o|D_o|/T_o)` in exact integer arithmetic, elementwise.

    Cross-multiplied, :math:`\\operatorname{sign}(D|D|\\,T_o - D_o|D_o|\\,T)`: in int64 when every
    product is below :math:`2^{62}`, else in Python integers.
    """
    D, T, D_o, T_o = np.broadcast_arrays(*(np.asarray(a, dtype=np.int64) for a in (D, T, D_o, T_o)))
    if not D.size:
        return np.zeros(D.shape, dtype=np.int64)
    top = max(int(np.abs(D).max()), int(np.abs(D_o).max())) ** 2 * max(int(T.max()), int(T_o.max()))
    if top >= 1 << 62:
        D, T, D_o, T_o = (a.astype(object) for a in (D, T, D_o, T_o))
    a, b = D * abs(D) * T_o, D_o * abs(D_o) * T
    return (a > b).astype(np.int64) - (a < b).astype(np.int64)


def _key_below(x1, x2, n1, n2, D_o, T_o, key_o, strict):
    """Whether each cell's pooled Wald statistic is below a query's (``strict``: ``<``, else ``<=``), exactly.

    The float keys decide outside the tie band around the query's key (their error is far
    smaller than the band); inside it, :func:`_key_compare` decides in integers. ``D_o``,
    ``T_o``, ``key_o`` broadcast against the cells.
    """
    D, T, key = _wald_order(x1, x2, n1, n2)
    out = key < key_o if strict else key <= key_o
    near = (np.abs(key - key_o) <= _TIE_BAND * np.abs(key_o)) & (key_o != 0)  # key 0 is D = 0: exact
    near = np.flatnonzero(near)
    if len(near):
        D, T, D_o, T_o = (np.broadcast_to(a, out.shape).ravel()[near] for a in (D, T, D_o, T_o))
        sign = _key_compare(D, T, D_o, T_o)
        out.ravel()[near] = sign < 0 if strict else sign <= 0
    return out


# --------------------------------------------------------------------------------------------
# Design: everything that depends only on (n_current, n_previous)
# --------------------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _log_comb(n):
    k = np.arange(n + 1)
    out = special.gammaln(n + 1) - special.gammaln(k + 1) - special.gammaln(n - k + 1)
    out.flags.writeable = False
    return out


# Below this many tables per design, counts are taken by direct comparison (tables x cells);
# above it, by one sort of the design's statistic and a binary search per table and total.
_DIRECT_TABLES = 24


class _Design:
    """Cells of all 2x2 tables with column totals ``n_c`` (current) and ``n_p`` (previous).

    Cells are laid out by total ``t = x_c + x_p`` (rows, 0..N) and position
    ``j = x_c - lo_t`` along the total (columns, 0..L-1), padded on the
    right. Every statistic is stored ascending along each total, with
    ``+inf`` in the padding, so a region "statistic <= q" (or ">= q") is a
    prefix (or suffix) of each total, and its conditional probability a
    lookup in ``prefix`` (or ``suffix``).
    """

    def __init__(self, n_c: int, n_p: int):
        self.n_c, self.n_p = n_c, n_p
        self.N = N = n_c + n_p
        self.L = L = min(n_c, n_p) + 1
        t = np.arange(N + 1)
        self.lo = np.maximum(0, t - n_p)
        self.length = np.minimum(t, n_c) - self.lo + 1
        self.valid = np.arange(L)[None, :] < self.length[:, None]
        self._cache: dict[Any, Any] = {}

    def _cells(self, rows):
        """x_c, x_p (int64; 0 in the padding) and the validity mask of a block of totals."""
        t = np.arange(rows.start, rows.stop)[:, None]
        valid = self.valid[rows]
        x_c = np.where(valid, self.lo[rows, None] + np.arange(self.L)[None, :], 0)
        return x_c, np.where(valid, t - x_c, 0), valid

    @cached_property
    def h(self):
        """Hypergeometric P(x_c | t) of each cell (0 in the padding).

        Row ``t`` holds :math:`\\log\\binom{n_c}{x_c} + \\log\\binom{n_p}{t - x_c}` for
        :math:`x_c = lo_t, lo_t + 1, \\ldots`: a window of the first log-combinations starting at
        :math:`lo_t` and a reversed window of the second, both padded with :math:`-\\infty` (the
        padding is left at 0), less :math:`\\log\\binom{N}{t}`; each row is then divided
        by its sum (which removes the rounding of the three log-gamma terms common to the row).
        """
        L, N = self.L, self.N
        lc_c = np.concatenate([_log_comb(self.n_c), np.full(L, -np.inf)])
        lc_p = np.concatenate([np.full(L, -np.inf), _log_comb(self.n_p)])[::-1]  # x_p at len - 1 - (x_p + L)
        step = lc_c.strides[0]  # windows as strided views (sliding_window_view's checks cost more on small designs)
        windows_c = np.lib.stride_tricks.as_strided(lc_c, (len(lc_c) - L + 1, L), (step, step), writeable=False)
        lc_p = np.ascontiguousarray(lc_p)
        windows_p = np.lib.stride_tricks.as_strided(lc_p, (len(lc_p) - L + 1, L), (step, step), writeable=False)
        lc_n = _log_comb(N)
        t = np.arange(N + 1)
        out = np.zeros((N + 1, L))
        for rows in _blocks(N + 1, L):
            block = windows_c[self.lo[rows]] + windows_p[len(lc_p) - 1 - L - t[rows] + self.lo[rows]]
            block -= lc_n[rows, None]
            np.exp(block, where=self.valid[rows], out=out[rows])  # exp(-inf) is slow; the padding stays 0
        out /= out.sum(axis=1, keepdims=True)
        return out

    @cached_property
    def prefix(self):
        """prefix[t, c]: P(first c cells of total t | t)."""
        out = np.zeros((self.N + 1, self.L + 1))
        np.cumsum(self.h, axis=1, out=out[:, 1:])
        return out

    @cached_property
    def suffix(self):
        """suffix[t, c]: P(cells c, c+1, ... of total t | t)."""
        out = np.zeros((self.N + 1, self.L + 1))
        np.cumsum(self.h[:, ::-1], axis=1, out=out[:, -2::-1])
        return out

    @cached_property
    def order(self):
        """Exact order of each cell's pooled Wald statistic: its rank, centred and ``+inf`` in the padding.

        The cells' keys (:func:`_wald_order`) and their negatives are ranked together (equal
        statistics, equal ranks) and the rank of 0 is subtracted, so that the ranks compare and
        negate exactly as the statistics do (:math:`|z_a| \\ge |z_b|` iff
        :math:`|r_a| \\ge |r_b|`). Keys are then exact up to one rounding: distinct keys keep their
        order, and keys equal in floating point are checked in integers (:func:`_key_compare`) and
        sorted exactly where they differ.
        """
        if self.n_c * self.n_p > _EXACT_KEY_D:
            raise ValueError(
                f"the exact order of the pooled Wald statistic needs n_previous * n_current <= {_EXACT_KEY_D:,}; "
                f"got {self.n_p} * {self.n_c} = {self.n_p * self.n_c:,}"
            )
        x_c, x_p, valid = self._cells(slice(0, self.N + 1))
        D, T, key = _wald_order(x_c[valid], x_p[valid], self.n_c, self.n_p)
        D, T, key = np.r_[D, -D], np.r_[T, T], np.r_[key, -key]
        idx = np.argsort(key, kind="stable")
        D, T, key = D[idx], T[idx], key[idx]
        step = np.r_[0, np.diff(key) > 0].astype(np.int64)  # a new rank where the float key grows
        first = np.maximum.accumulate(np.where(step > 0, np.arange(len(key)), 0))  # start of each run
        later = np.flatnonzero(first != np.arange(len(key)))  # members of a run after its first
        differs = later[_key_compare(D[later], T[later], D[first[later]], T[first[later]]) != 0]
        for start in np.unique(first[differs]).tolist():  # distinct statistics whose keys round alike
            stop = int(np.searchsorted(first, start, side="right"))
            exact = [
                Fraction(int(d) * abs(int(d)), int(tt)) for d, tt in zip(D[start:stop], T[start:stop], strict=True)
            ]
            within = sorted(range(stop - start), key=exact.__getitem__)
            idx[start:stop] = idx[start:stop][within]
            step[start + 1 : stop] = [int(exact[b] > exact[a]) for a, b in itertools.pairwise(within)]
        rank = np.cumsum(step).astype(float)
        rank -= rank[np.flatnonzero(key == 0)[0]]  # the key is 0 exactly where D = 0
        ranks = np.empty(len(key))
        ranks[idx] = rank
        out = np.full((self.N + 1, self.L), np.inf)
        out[valid] = ranks[: len(key) // 2]
        return out

    def wald_at(self, t, j):
        """scipy's pooled Wald statistic of cells ``(t, j)`` (arrays): the statistic a result reports."""
        x1 = self.lo[t] + j
        return _wald(x1, t - x1, np.int64(self.n_c), np.int64(self.n_p))

    def wald_counts(self, D_o, T_o, side):
        """Per query (m,) and total (N+1,): how many cells have a pooled Wald statistic below the query's,
        ``<`` ('left') or ``<=`` ('right'), decided exactly (:func:`_key_below`).

        A query is the integers ``(D_o, T_o)`` of :func:`_wald_order` (of an observed cell, or its
        negative). Along total :math:`t`, :math:`D = x_c N - t n_c` increases with :math:`x_c` and
        :math:`T = t (N - t)` is fixed, so the statistic increases along each total and the cells
        below key :math:`q` are :math:`x_c < (\\operatorname{sign}(q)\\sqrt{|q| T} + t n_c) / N`.
        The count is solved so in closed form and then moved cell by cell until the exact
        comparison agrees: no matrix of the design's statistics is needed.
        """
        D_o, T_o = (np.asarray(a, dtype=np.int64)[:, None] for a in (D_o, T_o))
        q = _key_of(D_o, T_o)
        t = np.arange(self.N + 1)[None, :]
        length = self.length[None, :]
        guess = (np.sign(q) * np.sqrt(np.abs(q) * (t * (self.N - t))) + t * self.n_c) / self.N - self.lo[None, :]
        c = np.clip(np.ceil(guess), 0, length).astype(np.int64)
        t = np.broadcast_to(t, c.shape)
        strict = side == "left"

        def below(j):
            x_c = self.lo[t] + j
            return _key_below(x_c, t - x_c, self.n_c, self.n_p, D_o, T_o, q, strict)

        for _ in range(self.L + 1):  # at most a cell or two in practice
            down = (c > 0) & ~below(np.maximum(c - 1, 0))
            up = (c < length) & below(np.minimum(c, length - 1))
            if not (down.any() or up.any()):
                break
            c = c - down + up
        return c

    # The four one-sided Fisher statistics. Each is nondecreasing along a total, and its padding
    # (cells beyond a total's length) repeats the total's last value, so a count of cells below a
    # level, clipped to the total's length (see counts), never includes the padding.
    @property
    def lower(self):
        """P(X_c <= x_c | t) of each cell (Fisher's 'less' p-value)."""
        return self.prefix[:, 1:]

    @property
    def lower_excl(self):
        """P(X_c < x_c | t) of each cell: one minus Fisher's 'greater' p-value, exact near 1."""
        return self.prefix[:, :-1]

    @cached_property
    def neg_upper_excl(self):
        """-P(X_c > x_c | t) of each cell: minus one minus Fisher's 'less' p-value, exact near 1."""
        return -self.suffix[:, 1:]

    @cached_property
    def neg_upper(self):
        """-P(X_c >= x_c | t) of each cell (minus Fisher's 'greater' p-value)."""
        return -self.suffix[:, :-1]

    def _keys(self, name):
        """Global sort keys so that per-total counts of ``stat < q`` are one searchsorted call."""
        key = "keys-" + name
        if key not in self._cache:
            stat = getattr(self, name)
            uniq = np.unique(stat[self.valid])
            rank = np.searchsorted(uniq, stat)  # padding: its total's last rank (or len(uniq) for +inf)
            offset = np.arange(self.N + 1, dtype=np.int64)[:, None] * (len(uniq) + 1)
            self._cache[key] = (uniq, (offset + rank).ravel())
        return self._cache[key]

    def direct(self, m):
        """Whether ``m`` queries are cheaper by direct comparison than by sorting the design once."""
        return m < _DIRECT_TABLES and not any(isinstance(k, str) and k.startswith("keys-") for k in self._cache)

    def mass(self, name, q, side, tail):
        """P(region | t) per query and total, region = cells with stat below q (``tail='lower'``:
        ``stat <= q`` for side 'right', ``< q`` for 'left') or its complement (``tail='upper'``)."""
        q = np.asarray(q, dtype=float)
        if self.direct(len(q)):
            stat = getattr(self, name)
            out = np.empty((len(q), self.N + 1))
            op = np.less if side == "left" else np.less_equal
            for i, qi in enumerate(q):
                below = op(stat, qi)
                if tail == "upper":
                    below = ~below & self.valid
                out[i] = np.einsum("ij,ij->i", self.h, below)
            return out
        c = self.counts(name, q, side)
        T = np.arange(self.N + 1)[None, :]
        return self.prefix[T, c] if tail == "lower" else self.suffix[T, c]

    def counts(self, name, q, side):
        """Per query (m,) and total t (N+1,): how many cells have ``stat < q`` ('left') or ``<= q`` ('right')."""
        q = np.asarray(q, dtype=float)
        if len(q) < _DIRECT_TABLES and "keys-" + name not in self._cache:
            stat = getattr(self, name)
            op = np.less if side == "left" else np.less_equal
            return np.minimum(op(stat[None, :, :], q[:, None, None]).sum(axis=2), self.length)
        uniq, keys = self._keys(name)
        r = np.searchsorted(uniq, q, side=side)
        t = np.arange(self.N + 1, dtype=np.int64)
        query = t[None, :] * (len(uniq) + 1) + r[:, None]
        return np.minimum(np.searchsorted(keys, query, side="left") - t[None, :] * self.L, self.length)

    # exact integer arithmetic for near-ties ----------------------------------------------
    @cached_property
    def _combs(self):
        def row(n):
            out = [1]
            for i in range(n):
                out.append(out[-1] * (n - i) // (i + 1))
            return out

        return row(self.n_c), row(self.n_p)

    def exact_pmf_num(self, t, x_c):
        """:math:`\\binom{n_c}{x_c}\\binom{n_p}{t - x_c}`, the numerator of P(x_c | t)."""
        c_c, c_p = self._combs
        return c_c[x_c] * c_p[t - x_c]

    def _exact_cum(self, t):
        """Cumulative numerators along total ``t`` (Python integers, computed once per total)."""
        key = ("cum", t)
        if key not in self._cache:
            lo, hi = max(0, t - self.n_p), min(t, self.n_c)
            out, acc = [0], 0
            for i in range(lo, hi + 1):
                acc += self.exact_pmf_num(t, i)
                out.append(acc)
            self._cache[key] = out
        return self._cache[key]

    def exact_total(self, t):
        """:math:`\\binom{N}{t}`, the sum of the numerators along total ``t`` (Vandermonde)."""
        return self._exact_cum(t)[-1]

    def exact_lower_num(self, t, x_c):
        """Numerator of P(X_c <= x_c | t) over C(N, t)."""
        return self._exact_cum(t)[x_c - max(0, t - self.n_p) + 1]

    def exact_upper_num(self, t, x_c):
        """Numerator of P(X_c >= x_c | t) over C(N, t)."""
        cum = self._exact_cum(t)
        return cum[-1] - cum[x_c - max(0, t - self.n_p)]


def _blocks(rows, width, cells=1 << 16):
    """Row slices of about ``cells`` cells: temporaries stay small (and in cache)."""
    step = max(1, cells // max(width, 1))
    return [slice(i, min(i + step, rows)) for i in range(0, rows, step)]


@lru_cache(maxsize=16)
def _design(n_c: int, n_p: int) -> _Design:
    return _Design(n_c, n_p)


# --------------------------------------------------------------------------------------------
# Supremum over the nuisance parameter
# --------------------------------------------------------------------------------------------


def _grid_size(N):
    """Points of the nuisance grid, uniform in :math:`\\theta = \\arcsin\\sqrt\\pi` on :math:`[0, \\pi/2]`.

    Enough that the grid point nearest to the global maximiser of any
    :math:`P = \\sum_t w_t b(t; N, \\pi)` with :math:`w_t \\ge 0` is within 10 % of the
    maximum. In :math:`\\theta`, :math:`b_t = \\binom{N}{t} \\sin^{2t}\\theta \\cos^{2(N-t)}\\theta`
    has :math:`b_t''/b_t = (A^2 - A)/u + (B^2 - B)/(1 - u) - (A + B)^2`
    (:math:`A = 2t`, :math:`B = 2(N - t)`, :math:`u = \\sin^2\\theta`), at least
    :math:`(\\sqrt{A^2 - A} + \\sqrt{B^2 - B})^2 - (A + B)^2 \\ge (2N - 1.25)^2 - 4N^2 \\ge -5N`
    (as :math:`\\sqrt{A^2 - A} \\ge A - 1/2 - 1/(4A)` for :math:`A \\ge 2`), so :math:`P'' \\ge -5N P`.
    By Sturm comparison with :math:`M\\cos(\\sqrt{5N}(\\theta - \\theta^*))`,
    :math:`P \\ge M \\cos(\\sqrt{5N}\\,\\Delta/2)` within :math:`\\Delta/2` of the maximiser
    :math:`\\theta^*`. A spacing :math:`\\Delta \\le (\\pi/2)/(3.9\\sqrt N)` gives
    :math:`\\cos(0.4503) = 0.9003`; at least 24 points on small designs. ``N`` may be an array.
    """
    return np.maximum(24, np.ceil(3.9 * np.sqrt(N)).astype(np.int64) + 1)


def _binom_rows(n, pis):
    """Binomial pmf b(t; n, pi) for each pi (rows) and t = 0..n (columns), pi in [0, 1]: the formula of
    one size, which :func:`_bernstein_lower` evaluates for many sizes at once by the same operations
    (the tests check the two bitwise)."""
    pis = np.asarray(pis, dtype=float)
    lp = np.where(pis > 0, np.log(np.where(pis > 0, pis, 1.0)), -1e6)[:, None]  # pi = 0: only t = 0 survives
    lq = np.where(pis < 1, np.log1p(-np.where(pis < 1, pis, 0.0)), -1e6)[:, None]  # pi = 1: only t = n
    t = np.arange(n + 1)
    return np.exp(_log_comb(n) + t * lp + (n - t) * lq)


# Memory bound of the padded Bernstein bases of many degrees (cells of _bernstein_lower's array, for
# _Grids.prefetch): beyond it, one degree at a time.
_BERNSTEIN_CELLS = 1 << 22


def _bernstein_cells(Ns):
    """Cells of the padded array of :func:`_bernstein_lower` for the sizes ``Ns``."""
    return len(Ns) * int((_grid_size(max(Ns)) + 1) // 2) * (int(max(Ns)) + 1)


def _bernstein_lower(Ns):
    """The lower halves of the Bernstein bases of the distinct sizes ``Ns`` on their grids, padded:
    ``(Gs, halves, low)`` with ``Gs`` the grid sizes (:func:`_grid_size`), ``halves`` the points
    :math:`\\pi \\le 1/2` of each, and ``low[i, g, t] = b(t; N_i, \\pi_g)`` for ``g < halves[i]``,
    ``t <= N_i`` (0 elsewhere), by the operations of :func:`_binom_rows` (the same values)."""
    Ns = np.asarray(Ns, dtype=np.int64)
    Gs = _grid_size(Ns)
    halves = (Gs + 1) // 2
    grids = {G: _product_grid(G) for G in np.unique(Gs).tolist()}
    hmax, T = int(halves.max()), int(Ns.max()) + 1
    pis = np.full((len(Ns), hmax), 0.5)  # padding points: any value, their rows are set to 0
    for i, (G, h) in enumerate(zip(Gs.tolist(), halves.tolist(), strict=True)):
        pis[i, :h] = grids[G][:h]
    lp = np.where(pis > 0, np.log(np.where(pis > 0, pis, 1.0)), -1e6)[:, :, None]  # pi = 0: only t = 0 survives
    lq = np.log1p(-pis)[:, :, None]  # pi <= 1/2
    n = Ns[:, None, None]
    lf = _log_factorials(T - 1)
    low = np.zeros((len(Ns), hmax, T))
    # blocks of sizes in increasing order (np.unique sorts them), each only as wide as its largest
    # size; small temporaries (no page faults)
    order = np.argsort(Ns, kind="stable")
    for rows in _blocks(len(Ns), hmax * T, cells=1 << 15):
        rows = order[rows]
        width = int(Ns[rows].max()) + 1
        t, nr = np.arange(width), n[rows]
        # the terms of _binom_rows in its order: log C(n, t) + t log pi + (n - t) log(1 - pi)
        block = (lf[nr] - lf[t] - lf[np.maximum(nr - t, 0)]) + t * lp[rows] + (nr - t) * lq[rows]
        low[rows, :, :width] = np.exp(block)
    low[(np.arange(T) > n) | (np.arange(hmax)[None, :, None] >= halves[:, None, None])] = 0.0
    return Gs, halves, low


# Degrees up to this share one grid in _Suprema._values_by_degree, their Bernstein bases from the
# powers of one ratio (_bernstein_powers): there C(N, t) <= 2^N and (1 - pi)^N >= 2^-N stay far
# inside float64's range, and the powers dropped there are negligible.
_POWER_MAX_N = 200
_POWER_FLOOR = -621.0  # log of about 1.1e-270: smaller powers are set to 0 (no subnormal numbers)


def _bernstein_powers(pis, T):
    """``(power, log_q)`` for grid points ``pis`` in :math:`[0, 1/2]`: ``power[t, g]`` is
    :math:`r_g^t` with :math:`r_g = \\pi_g / (1 - \\pi_g) \\le 1` for ``t < T`` (:math:`0^0 = 1`),
    ``log_q`` is :math:`\\log(1 - \\pi_g)`, so that
    :math:`b(t; N, \\pi_g) = \\binom{N}{t} e^{N \\log q_g}` ``power[t, g]`` for every degree ``N < T``.

    Powers below :math:`e^{-621} \\approx 10^{-270}` are set to 0 (an exponential that would give
    a subnormal number is many times slower). The terms so dropped from a row
    :math:`P(\\pi) = \\sum_t w_t b(t; N, \\pi)` with :math:`0 \\le w_t \\le 1` add up to less than
    :math:`(N + 1)\\,2^N 10^{-270}`, while a Boschloo (or Barnard) p-value's supremum is at least
    the observed table's probability at :math:`\\pi = 1/2`, at least :math:`2^{-N}`: a relative
    error below :math:`(N + 1)\\,4^N 10^{-270} < 10^{-147}` for :math:`N \\le` ``_POWER_MAX_N``.
    """
    pis = np.asarray(pis, dtype=float)
    log_q = np.log1p(-pis)
    log_r = np.where(pis > 0, np.log(np.where(pis > 0, pis, 1.0)) - log_q, -1e6)  # pi = 0: only t = 0
    x = np.arange(T, dtype=float)[:, None] * log_r[None, :]
    power = np.zeros_like(x)
    np.exp(x, where=x > _POWER_FLOOR, out=power)
    return power, log_q


# Binomial coefficients as floats (correctly rounded), kept for every size up to the largest asked.
_BINOMIALS = [np.ones((1, 1))]


def _binomials(n):
    """``table[a, b]`` = :math:`\\binom{a}{b}` correctly rounded to float64 for ``a, b <= n`` (at
    least; 0 for ``b > a``): Pascal's rule in exact integers, computed once per process for every size
    up to ``max(n, _STACK_MAX_N)`` (a few milliseconds) and kept, as the log-factorials are."""
    table = _BINOMIALS[0]
    if len(table) <= n:
        size = max(n, _STACK_MAX_N) + 1
        table = np.zeros((size, size))
        row = [1]
        for a in range(size):
            table[a, : a + 1] = [float(c) for c in row]  # float(int) rounds correctly
            row = [x + y for x, y in zip([*row, 0], [0, *row], strict=True)]
        table.flags.writeable = False
        _BINOMIALS[0] = table  # threads computing it at once store equal tables
    return table


class _Grids:
    """The nuisance grid of each total size ``N`` (exactly symmetric about 1/2) and its Bernstein basis
    ``b(t; N, pi)`` (rows pi, columns t = 0..N), the most recently used kept within ``maxcells`` cells.

    ``_grid(N)`` returns ``(pis, basis)``; the upper half of the basis is the lower half reversed,
    :math:`b(t; N, 1 - \\pi) = b(N - t; N, \\pi)`. :meth:`prefetch` computes the bases of many sizes
    in one exponential (a call on small tables of many designs would otherwise pay a few dozen
    numpy calls per size), with the operations of :func:`_binom_rows`, so the values are the same.
    Safe to share between threads (one lock, as ``functools.lru_cache``).
    """

    def __init__(self, maxcells=1 << 23):
        self.maxcells, self.cells = maxcells, 0
        self.cache: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self.shared: dict[Any, Any] = {}  # the powers of the shared grids of _Suprema._values_by_degree
        self.lock = threading.RLock()

    def __call__(self, N):
        N = int(N)
        with self.lock:
            if N not in self.cache:
                self.prefetch([N])
            self.cache[N] = self.cache.pop(N)  # most recently used last
            return self.cache[N]

    def cache_clear(self):
        with self.lock:
            self.cache.clear()
            self.shared.clear()
            self.cells = 0

    def powers(self, G, T):
        """``(pis, power, log_q)``: the grid of ``G`` points (:func:`_product_grid`) and
        :func:`_bernstein_powers` of its points up to 1/2 for ``t < T`` (at least; computed once for
        every degree up to ``_POWER_MAX_N``)."""
        with self.lock:
            kept = self.shared.get(("powers", G))
            if kept is None or len(kept[1]) < T:
                pis = _product_grid(G)
                kept = (pis, *_bernstein_powers(pis[: (G + 1) // 2], max(T, _POWER_MAX_N + 1)))
                self.shared["powers", G] = kept
            return kept

    def prefetch(self, Ns):
        """Compute and keep the grids and bases of the sizes ``Ns`` not kept yet."""
        with self.lock:
            self._prefetch(Ns)

    def _prefetch(self, Ns):
        Ns = np.unique(np.asarray(Ns, dtype=np.int64))
        Ns = Ns[[N not in self.cache for N in Ns.tolist()]]
        if not len(Ns):
            return
        if len(Ns) > 1 and _bernstein_cells(Ns) > _BERNSTEIN_CELLS:
            for N in Ns.tolist():  # memory bound: large sizes one at a time
                self.prefetch([N])
            return
        Gs, halves, low = _bernstein_lower(Ns)
        grids = {G: _product_grid(G) for G in np.unique(Gs).tolist()}
        for i, (N, G, h) in enumerate(zip(Ns.tolist(), Gs.tolist(), halves.tolist(), strict=True)):
            basis = np.empty((G, N + 1))
            basis[:h] = low[i, :h, : N + 1]
            basis[h:] = basis[G - 1 - h :: -1, ::-1][: G - h]
            while self.cache and self.cells + basis.size > self.maxcells:
                self.cells -= self.cache.pop(next(iter(self.cache)))[1].size
            self.cache[N] = (grids[G], basis)
            self.cells += basis.size


_grid = _Grids()


def _refine_terms(w, N):
    """Coefficient rows that give P, P' and P'' from one basis of degree N - 2 (see _evaluate), zero
    past each row's degree ``N - 2`` (where that basis is 0). Each row of ``w`` is zero past its
    ``N``, so its terms are already zero past ``N``: only positions ``N - 1`` and ``N`` are cleared."""
    terms = np.empty((len(w), 6, w.shape[1] - 2))
    terms[:, 0], terms[:, 1], terms[:, 2] = w[:, :-2], w[:, 1:-1], w[:, 2:]
    np.subtract(terms[:, 1], terms[:, 0], out=terms[:, 3])  # first differences
    np.subtract(terms[:, 2], terms[:, 1], out=terms[:, 4])
    np.subtract(terms[:, 4], terms[:, 3], out=terms[:, 5])  # second differences
    rows = np.arange(len(w))
    for s in (N - 1, N):
        inside = s < terms.shape[2]
        terms[rows[inside], :, s[inside]] = 0.0
    return terms


@lru_cache(maxsize=4)
def _log_factorials(n):
    out = special.gammaln(np.arange(n + 1) + 1.0)
    out.flags.writeable = False
    return out


def _bernstein_log_comb(N, width):
    """:math:`\\log\\binom{N-2}{s}` for ``s = 0..width-1`` (rows: the degrees ``N``; finite past a
    row's degree, where the terms of :func:`_refine_terms` are 0), as :func:`_evaluate` computes it."""
    n = N - 2
    s = np.arange(width)[None, :]
    lf = _log_factorials(max(width, int(n.max()) + 1))
    nn = n[:, None]
    return lf[nn] - lf[s] - lf[np.clip(nn - s, 0, None)]


def _evaluate(terms, N, x, log_comb=None):
    """P, P' and P'' of the Bernstein polynomials at ``x`` (one point, one degree ``N`` per row of ``terms``).

    By degree elevation, with :math:`b_s = b(s; N-2, x)`:
    :math:`P = \\sum_s b_s [(1-x)^2 w_s + 2x(1-x) w_{s+1} + x^2 w_{s+2}]`,
    :math:`P' = N \\sum_s b_s [(1-x)\\Delta w_s + x \\Delta w_{s+1}]`,
    :math:`P'' = N(N-1) \\sum_s b_s \\Delta^2 w_s`.
    Rows of different degree share one call: ``terms`` (:func:`_refine_terms`) are 0 beyond each
    row's degree, where :math:`b_s = 0`, so the basis is computed there as anything finite (an
    exponential masked by ``where=`` is several times slower). ``log_comb``, the rows of
    :func:`_bernstein_log_comb` for ``N`` (computed once for repeated evaluations), gives the same
    values. :math:`\\log b_s = \\log\\binom{N-2}{s} + (N-2)\\log(1-x) + s\\log(x/(1-x))`.
    """
    width = terms.shape[2]
    if log_comb is None:
        log_comb = _bernstein_log_comb(N, width)
    log_q = np.log1p(-x)
    log_b = np.arange(width)[None, :] * (np.log(x) - log_q)[:, None]
    log_b += log_comb
    log_b += ((N - 2) * log_q)[:, None]
    np.minimum(log_b, 700.0, out=log_b)  # at most 0 within the degree; finite (no inf * 0) beyond it
    basis = np.exp(log_b, out=log_b)
    dots = np.matmul(terms, basis[:, :, None])[:, :, 0]
    y = 1 - x
    value = y * y * dots[:, 0] + 2 * x * y * dots[:, 1] + x * x * dots[:, 2]
    slope = N * (y * dots[:, 3] + x * dots[:, 4])
    curve = N * (N - 1) * dots[:, 5]
    return value, slope, curve


_BLAS_MIN = 1 << 22  # multiply-adds below which the grid values are summed without BLAS
_BLAS_ONE_THREAD = 1 << 18  # multiply-adds of a matrix product that OpenBLAS runs on one thread


def _small_product(a, b):
    """``a @ b`` in blocks of rows of at most ``_BLAS_ONE_THREAD`` multiply-adds each: BLAS runs
    each block on one thread (numpy's ``einsum`` is several times slower on these sizes, and a
    multi-threaded product on a busy machine can be slower still, see :meth:`_Suprema._values`)."""
    step = max(1, _BLAS_ONE_THREAD // max(1, b.size))
    if len(a) <= step:
        return a @ b
    return np.concatenate([a[i : i + step] @ b for i in range(0, len(a), step)])


def _grid_candidates(values, pis, sizes=None, symmetric=None):
    """Best grid value of each row of ``values`` ``(m, G)`` at ``pis``, and the local grid maxima worth
    refining: ``(best, argmax, (rows, a, b, x))`` with ``(a, b)`` the two grid neighbours and ``x``
    the grid point.

    ``pis`` is one grid ``(G,)`` or one per row ``(m, G)``; rows of smaller grids are padded with
    ``-inf`` values on the right, their grid sizes in ``sizes``. Rows flagged in ``symmetric``
    satisfy :math:`P(\\pi) = P(1 - \\pi)` on a grid symmetric about 1/2: only their maxima at
    :math:`\\pi \\le 1/2` are refined (the others are their mirror images).
    """
    m, G = values.shape
    grid = np.broadcast_to(pis, (m, G))
    sizes = np.full(m, G) if sizes is None else sizes
    best_g = values.argmax(axis=1)
    best = values[np.arange(m), best_g]
    arg = grid[np.arange(m), best_g]
    empty = (np.empty(0, dtype=np.int64),) + (np.empty(0),) * 3
    if G < 3:
        return best, arg, empty
    left = np.concatenate([np.full((m, 1), -np.inf), values[:, :-1]], axis=1)
    right = np.concatenate([values[:, 1:], np.full((m, 1), -np.inf)], axis=1)
    peak = (values >= left) & (values >= right)
    inside = (np.arange(G)[None, :] > 0) & (np.arange(G)[None, :] < sizes[:, None] - 1)
    if symmetric is not None:
        inside &= ~symmetric[:, None] | (grid <= 0.5)
    inside &= (best < 1 - 1e-13)[:, None]  # P <= 1: a grid value this close to 1 is the supremum to 1e-13
    # every local grid maximum within 10 % of the best value (the maximiser's nearest grid point is
    # within 10 %, see _grid_size; ripples of P can make several), and the best other points within
    # 1 %: a maximum between two grid points of a near-flat stretch, beside a slightly higher grid
    # maximum, has them as neighbours. Newton's model prunes most of them after one step (_refine).
    peak_rows, peak_g = np.nonzero(peak & (values >= 0.9 * best[:, None]) & inside)
    # a grid maximum whose parabola through its neighbours peaks more than 5 % below the best grid
    # value is not refined: sampled at this grid's spacing (0.9 of the narrowest bump's width, see
    # _grid_size), the parabola of a Gaussian bump peaks at most 3.4 % below the bump
    # (in units of the best value: a square of values below 1e-154 would underflow)
    with np.errstate(divide="ignore", invalid="ignore"):
        v0, v1, v2 = (values[peak_rows, peak_g + k] / best[peak_rows] for k in (-1, 0, 1))
        vertex = v1 + (v2 - v0) ** 2 / (8 * (2 * v1 - v0 - v2))
    keep = ~(vertex < 0.95)
    peak_rows, peak_g = peak_rows[keep], peak_g[keep]
    score = np.where(~peak & (values >= 0.99 * best[:, None]) & inside, values, -np.inf)
    k = min(2, G)
    top = np.argpartition(-score, k - 1, axis=1)[:, :k]
    near_rows, near_g = np.repeat(np.arange(m), k), top.ravel()
    keep = np.isfinite(score[near_rows, near_g])
    rows, g = np.r_[peak_rows, near_rows[keep]], np.r_[peak_g, near_g[keep]]
    # a maximum at pi = 0 or 1 is a grid point; so is a flat stretch (no refinement needed)
    a, b, x = grid[rows, g - 1], grid[rows, g + 1], grid[rows, g]
    fa, fb, fx = values[rows, g - 1], values[rows, g + 1], values[rows, g]
    flat = (fx - np.minimum(fa, fb)) <= 1e-15 * fx
    rows, a, b, x, fa, fb, fx = (arr[~flat] for arr in (rows, a, b, x, fa, fb, fx))
    # Newton starts at the grid point itself: the sign of P' there halves the bracket first (a start
    # at the vertex of the parabola through the three grid values can land past a local minimum
    # between two close maxima and climb the wrong one)
    return best, arg, (rows, a, b, x)


def _refine(evaluate, a, b, x, groups=None, iterations=60):
    """Newton's method on :math:`P'` from ``x``, safeguarded by bisection inside ``(a, b)``; the largest
    value met and where, per row. ``evaluate(rows, x)`` gives :math:`P, P', P''` of those rows at ``x``.

    Rows of the same ``groups`` value maximise the same function from different starts: a start
    whose Newton model in :math:`\\theta = \\arcsin\\sqrt\\pi`, :math:`P + P_\\theta'^2 / (2|P_\\theta''|)`
    (which overestimates the peak of a bump :math:`M e^{-d^2/2\\sigma^2}` from any
    :math:`d < \\sigma/\\sqrt2`), is more than 1 % below the group's best start is dropped after
    the first step; so is the lower of two starts left with the same bracket after it (a grid
    maximum and its neighbour whose slopes point at each other: the bracket, one grid spacing, is
    narrower than any bump of :math:`P` and holds one maximum); and so is, at any step, a start
    whose next point is within 1e-7 of another's (the same maximum).
    """
    found, where = np.full(len(x), -np.inf), x.copy()
    probed = np.zeros(len(x), dtype=bool)  # the last step probed an end of the bracket
    active = np.arange(len(x))
    with np.errstate(divide="ignore", invalid="ignore"):
        for it in range(iterations):
            xa = x[active]
            value, slope, curve = evaluate(active, xa)
            up = value > found[active]
            found[active[up]], where[active[up]] = value[up], xa[up]
            rising, concave = slope > 0, curve < 0
            aa = np.where(rising, xa, a[active])
            bb = np.where(rising, b[active], xa)
            a[active], b[active] = aa, bb
            newton = xa - slope / curve
            # Newton's predicted gain relative to the value, from the derivatives relative to it: the
            # square of a slope below 1e-154 (p-values that small) would underflow to 0 and stop
            # the search at its start
            rel_slope = slope / value
            gain = np.where(concave, rel_slope * slope / (-2 * curve), np.inf)  # relative to the value
            step_ok = concave & (newton >= aa) & (newton <= bb)
            # a Newton step beyond the bracket (concave, rising towards its end): probe the end itself;
            # the same slope sign there collapses the bracket (the maximum in it is at its end, a grid
            # point already counted), the other sign leaves a proper bracket (cheaper than ~40 bisections).
            # Right after a probe, a step beyond the bracket bisects it: probes from each end in turn
            # (as between two equal maxima either side of the middle of an even grid) would shrink it
            # by 5e-14 a step
            probe = ~step_ok & concave & ~probed[active]
            x_new = np.where(
                step_ok,
                newton,
                np.where(probe & rising, bb - 5e-14, np.where(probe & (slope < 0), aa + 5e-14, (aa + bb) / 2)),
            )
            probed[active] = probe & (rising | (slope < 0))
            x_new = np.minimum(np.maximum(x_new, aa), bb)  # np.clip, without its overhead
            x[active] = x_new
            # converged: Newton's model gains less than 1e-14 of the value, the step is below 1e-11,
            # the bracket has collapsed, or P is flat to 1e-14 of its value across the bracket (to
            # second order: a plateau at 1)
            width = bb - aa
            flat = np.abs(slope) * width + 0.5 * np.abs(curve) * width * width <= 1e-14 * value
            done = (gain <= 1e-14) | (np.abs(x_new - xa) <= 1e-11) | (width <= 1e-13) | flat
            if groups is not None:
                g = groups[active]
                if it == 0:
                    # Newton's model in theta = arcsin(sqrt(pi)), where P is a mixture of near-Gaussian
                    # bumps of one width (_grid_size): from the start, a bump's peak is overestimated
                    best = np.full(int(g.max()) + 1, -np.inf)
                    np.maximum.at(best, g, value)
                    s2, c2 = 2 * np.sqrt(xa * (1 - xa)), 1 - 2 * xa
                    d1, d2 = slope * s2, curve * s2 * s2 + 2 * slope * c2
                    peak = np.where(d2 < 0, value * (1 + (d1 / value) * d1 / (-2 * d2)), np.inf)
                    done |= peak < (1 - 1e-2) * best[g]
                    # two starts of one group left with the same bracket (a grid maximum and its
                    # neighbour, their slopes pointing at each other) climb the same maximum: the
                    # bracket is one grid spacing, narrower than any bump (_grid_size), so it holds
                    # one maximum; keep the higher start
                    order = np.lexsort((-value, bb, aa, g))
                    go, ao, bo = g[order], aa[order], bb[order]
                    same = (go[1:] == go[:-1]) & (ao[1:] == ao[:-1]) & (bo[1:] == bo[:-1])
                    done[order[1:][same]] = True
                # two starts of one group converging to the same point: keep one
                order = np.lexsort((x_new, g))
                go, xo = g[order], x_new[order]
                same = (go[1:] == go[:-1]) & (np.abs(xo[1:] - xo[:-1]) <= 1e-7) & ~done[order[:-1]]
                done[order[1:][same]] = True
            active = active[~done]
            if not len(active):
                break
    return found, where


class _Suprema:
    """Suprema over the nuisance parameter for many rows of ``w`` of any degrees, computed together.

    :meth:`add` computes the grid values of one block of rows (one degree ``N``, or one per row,
    see :meth:`_values_by_degree`) and returns the slice of the results that will hold them; the candidate
    search and the Newton refinements of every block are run together (grids and rows of
    different sizes padded), in batches of about
    ``budget`` cells, so that many small designs do not each pay for them. :meth:`result` returns
    ``(sup, argmax)`` for every row added.

    Rows added with ``partner`` (the slice of an earlier block, added with ``hold=True`` so that both
    are refined together) are the two sides of two-sided tests that keep the smaller supremum: a row
    whose best grid value exceeds its partner's divided by 0.9 is not refined (the partner's
    supremum is at most that, see :func:`_grid_size`), and its result is its best grid value, a lower
    bound that is still the larger of the two.
    """

    def __init__(self, budget=1 << 21):
        self.best, self.arg, self.blocks, self.size, self.count, self.budget = [], [], [], 0, 0, budget
        self.pairs: list = []

    def add(self, w, N, hold=False, partner=None):
        """Add the rows of ``w`` of degree ``N`` (an int), or of degrees ``N`` (one per row, each row
        zero past its own); returns the slice of the results that will hold them."""
        if np.ndim(N):
            values, pis, sizes = self._values_by_degree(w, N)
        else:
            pis, basis = _grid(N)
            values, sizes = self._values(w, basis), len(pis)
        out = slice(self.count, self.count + len(w))
        self.blocks.append((N, w, values, pis, sizes))
        self.count += len(w)
        self.size += w.size * 6
        if partner is not None:
            self.pairs.append((partner, out))
        if self.size > self.budget and not hold:
            self._flush()
        return out

    @staticmethod
    def _values(w, basis):
        # Small products avoid BLAS: a multi-threaded BLAS on a busy machine made the report's exact
        # tests 3 to 7 times slower (threads waiting for each other) than one thread or einsum.
        return np.einsum("ij,kj->ik", w, basis) if len(w) * basis.size <= _BLAS_MIN else w @ basis.T

    def _values_by_degree(self, w, Ns):
        """Grid values of rows of different degrees ``Ns`` (each row of ``w`` zero past its own):
        ``(values, grids, sizes)``, padded on the right (values -inf, grid points 1).

        Degrees up to ``_POWER_MAX_N`` share one grid, :func:`_product_grid` of one point more than
        :func:`_product_grid_size` of the largest (more points than :func:`_grid_size` of each, so
        its 10 % bound holds for every row; an odd number, so that :math:`\\pi = 1/2` is a grid
        point: with equal sample sizes a one-sided region is its own mirror image,
        :math:`P(\\pi) = P(1 - \\pi)`, often largest at 1/2, where a grid without that point has
        two equal maxima either side, from which Newton's steps overshoot each other), on which
        :math:`b(t; N, \\pi) = \\binom{N}{t} (1 - \\pi)^N r^t` with :math:`r = \\pi / (1 - \\pi)`:
        the powers :math:`r^t` of the points :math:`\\pi \\le 1/2` serve every degree, and the lower
        half of the values is one product of the rows :math:`w_t \\binom{N}{t}` with them, scaled by
        :math:`(1 - \\pi)^N`; the upper half is the same product of the rows reversed within their
        degree, through :math:`b(t; N, 1 - \\pi) = b(N - t; N, \\pi)` (:func:`_bernstein_powers`
        gives the range where this is exact to rounding). Larger degrees go one degree at a time,
        each on its own grid (:meth:`_values` with its basis).
        """
        T = int(Ns.max()) + 1
        if T - 1 > _POWER_MAX_N:
            uniq = np.unique(Ns)
            G = int(_grid_size(uniq).max())
            values, pis_rows = np.full((len(w), G), -np.inf), np.ones((len(w), G))
            for N in uniq.tolist():
                rows = np.flatnonzero(Ns == N)
                pis, basis = _grid(N)
                values[rows, : len(pis)] = self._values(w[rows, : N + 1], basis)
                pis_rows[rows, : len(pis)] = pis
            return values, pis_rows, _grid_size(Ns)
        G = int(_product_grid_size(T - 1)) + 1  # odd: 1/2 is a grid point (see the docstring)
        half = (G + 1) // 2
        pis, power, log_q = _grid.powers(G, T)
        m = len(w)
        coef = np.empty((2 * m, T))
        np.multiply(w[:, :T], _binomials(T - 1)[Ns, :T], out=coef[:m])  # w_t C(N, t), zero past N
        t = np.arange(T)[None, :]
        n = Ns[:, None]
        # reversed within the degree: w_{N-t} C(N, t), zero past N
        np.multiply(coef[np.arange(m)[:, None], np.maximum(n - t, 0)], t <= n, out=coef[m:])
        sums = _small_product(coef, power[:T])
        scale = np.exp(n * log_q[None, :])  # (1 - pi)^N >= 2^-N: pi <= 1/2
        values = np.empty((m, G))
        np.multiply(sums[:m], scale, out=values[:, :half])
        values[:, half:] = (sums[m:, : G - half] * scale[:, : G - half])[:, ::-1]  # at 1 - pi
        return values, pis, np.full(m, G)

    def _flush(self):
        if not self.blocks:
            return
        m = sum(len(blk[1]) for blk in self.blocks)
        G = max(blk[3].shape[-1] for blk in self.blocks)
        values = np.full((m, G), -np.inf)
        grid = np.ones((m, G))
        sizes = np.empty(m, dtype=np.int64)
        degree = np.empty(m, dtype=np.int64)
        w_all = np.zeros((m, max(blk[1].shape[1] for blk in self.blocks)))
        start = np.cumsum([0] + [len(blk[1]) for blk in self.blocks])
        for i, (N, w, block_values, pis, block_sizes) in enumerate(self.blocks):
            rows_i = slice(start[i], start[i + 1])
            values[rows_i, : block_values.shape[1]] = block_values
            grid[rows_i, : pis.shape[-1]] = pis
            sizes[rows_i], degree[rows_i] = block_sizes, N
            w_all[rows_i, : w.shape[1]] = w
        best, arg, (rows, a, b, x) = _grid_candidates(values, grid, sizes=sizes)
        if self.pairs and len(rows):
            offset, larger = self.count - m, np.zeros(m, dtype=bool)
            for one, two in self.pairs:
                r1, r2 = np.arange(one.start, one.stop) - offset, np.arange(two.start, two.stop) - offset
                larger[r1] |= 0.9 * best[r1] > best[r2]
                larger[r2] |= 0.9 * best[r2] > best[r1]
            keep = ~larger[rows]
            rows, a, b, x = rows[keep], a[keep], b[keep], x[keep]
        self.pairs = []
        if len(rows):
            N = degree[rows]
            terms = _refine_terms(w_all[rows], N)
            log_comb = _bernstein_log_comb(N, terms.shape[2])  # once for every Newton step

            def evaluate(r, xr):  # the active rows (all of them, in order, at the first step)
                if len(r) == len(terms):
                    return _evaluate(terms, N, xr, log_comb)
                return _evaluate(terms[r], N[r], xr, log_comb[r])

            found, where = _refine(evaluate, a, b, x, rows)
            # the largest refined value of each row: sort by (row, value) and keep each row's last
            order = np.lexsort((found, rows))
            last = np.r_[rows[order][1:] != rows[order][:-1], True]
            r_, f_, x_ = rows[order][last], found[order][last], where[order][last]
            up = f_ > best[r_]
            best[r_[up]], arg[r_[up]] = f_[up], x_[up]
        self.best.append(best)
        self.arg.append(arg)
        self.blocks, self.size = [], 0

    def result(self):
        self._flush()
        if not self.best:
            return np.empty(0), np.empty(0)
        return np.clip(np.concatenate(self.best), 0.0, 1.0), np.concatenate(self.arg)


def _sup_over_nuisance(w, N):
    """Maximise :math:`P(\\pi) = \\sum_t w_t b(t; N, \\pi)` over :math:`\\pi \\in [0, 1]` for each row of ``w``.

    Returns ``(sup, argmax)``. The best grid value is a lower bound of the
    supremum; each local grid maximum within 10 % of the best (and the best
    two other points within 1 %) is refined by Newton's method on :math:`P'`,
    started at the grid point and safeguarded by bisection inside its two grid
    neighbours, which only raises it (:func:`_grid_candidates`, :func:`_refine`).
    """
    sup = _Suprema()
    sup.add(w, N)
    return sup.result()


# --------------------------------------------------------------------------------------------
# Barnard without a design: the product form over one sample's counts
# --------------------------------------------------------------------------------------------

# Designs with fewer distinct tables than this in a call are computed by the product form (no
# design, binomial rows per sample size); others share a design and one grid basis per total size.
_PRODUCT_TABLES = 12
_PRODUCT_CELLS = 1 << 22  # memory bound of the product form: about 4x the cells of one chunk's stacked rows and terms
_PRODUCT_BATCH = 1 << 16  # sum of sample sizes of the tables of one product-form batch


def _wald_line_counts(D_o, T_o, x_o, n_i, n_o, side):
    """How many inner counts ``x_i = 0..n_i`` have a pooled Wald statistic (:func:`_wald_order` of
    ``(x_i, x_o)``) below the query's, ``<`` ('left') or ``<=`` ('right'), decided exactly.

    A query is the integers ``(D_o, T_o)`` of :func:`_wald_order` in the same orientation (inner
    count first). For a fixed outer count the statistic increases with the inner count (tested
    exhaustively), so the cells below the query are a prefix. Its end solves
    :math:`(u/n_i - x_o/n_o)^2 = q^2 k\\,(u + x_o)(N - u - x_o)/N^2`, :math:`k = 1/n_i + 1/n_o`, for the
    query's statistic :math:`q = \\operatorname{sign}(D_o)\\sqrt{|key_o|\\,N/(n_i n_o)}` (the larger root
    for :math:`q > 0`, the smaller for :math:`q < 0`), and is then moved cell by cell until the exact
    comparison (:func:`_key_below`) agrees.
    """
    D_o, T_o, x_o, n_i, n_o = (np.asarray(a, dtype=np.int64) for a in (D_o, T_o, x_o, n_i, n_o))
    key_o = _key_of(D_o, T_o)
    N = (n_i + n_o).astype(float)
    fi, fo, xo = n_i.astype(float), n_o.astype(float), x_o.astype(float)
    q = np.sign(key_o) * np.sqrt(np.abs(key_o) * N / (fi * fo))
    c = q * q * (1 / fi + 1 / fo) / (N * N)
    alpha = 1 / (fi * fi) + c
    beta = -2 * xo / (fi * fo) - c * (N - 2 * xo)
    gamma = xo * xo / (fo * fo) - c * xo * (N - xo)
    root = np.sqrt(np.maximum(beta * beta - 4 * alpha * gamma, 0.0))
    u = (-beta + np.where(q > 0, root, -root)) / (2 * alpha)
    u = np.where(q == 0, xo * fi / fo, u)
    count = np.clip(np.ceil(np.where(np.isnan(u), 0.0, u)), 0, n_i + 1).astype(np.int64)
    strict = side == "left"
    # the count is right when the cell before it is below the query and the cell at it is not; lines
    # that move are checked again (one or two cells in practice), the others are settled
    lines = np.arange(len(count))
    for _ in range(int(n_i.max(initial=0)) + 2):
        if not len(lines):
            break
        c, ni, pair = count[lines], n_i[lines], np.concatenate([lines, lines])
        x_i = np.concatenate([np.maximum(c - 1, 0), np.minimum(c, ni)])  # the cells before and at the count
        below = _key_below(x_i, x_o[pair], n_i[pair], n_o[pair], D_o[pair], T_o[pair], key_o[pair], strict)
        down = (c > 0) & ~below[: len(c)]
        up = (c <= ni) & below[len(c) :]
        count[lines] = c - down + up
        lines = lines[down | up]
    return count


def _product_regions(k_c, n_c, k_p, n_p, alternative):
    """Barnard regions as intervals of the inner sample's count for each count of the outer one.

    The outer sample is the larger one (the cumulative sums, the costly part, run over the smaller
    one). Returns ``(s, swap, bounds)``
    with ``s`` the observed statistic (current - previous, scipy's float), ``swap`` whether the
    outer sample is the current one, and per table ``(A, B)`` int arrays over the outer counts: the
    region holds the inner counts ``x_i < A`` and ``x_i >= B``; ``None`` where the region is every
    table (two-sided with ``s = 0``). Regions compare statistics exactly (:func:`_wald_line_counts`).
    """
    s = _wald(k_c, k_p, n_c, n_p)
    swap = n_c > n_p
    # in the inner-first orientation the statistic increases with the inner count
    n_i, n_o = np.where(swap, n_p, n_c), np.where(swap, n_c, n_p)
    D, T, _ = _wald_order(np.where(swap, k_p, k_c), np.where(swap, k_c, k_p), n_i, n_o)
    flip = {"greater": "less", "less": "greater", "two-sided": "two-sided"}
    sizes = n_o + 1
    at = np.repeat(np.arange(len(s)), sizes)
    x_o = np.arange(sizes.sum()) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    Dq, Tq, ni, no = D[at], T[at], n_i[at], n_o[at]
    alt = np.array([flip[alternative] if w else alternative for w in swap.tolist()])[at]
    A = np.zeros(len(at), dtype=np.int64)
    B = ni + 1
    two = alt == "two-sided"
    for sel, side, value, target in (
        (alt == "less", "right", Dq, "A"),
        (two, "right", -np.abs(Dq), "A"),
        (alt == "greater", "left", Dq, "B"),
    ):
        if sel.any():
            counts = _wald_line_counts(value[sel], Tq[sel], x_o[sel], ni[sel], no[sel], side)
            (A if target == "A" else B)[sel] = counts
    if two.any():
        # the upper tail of a two-sided region is the mirror image of its lower tail: (x_i, x_o) ->
        # (n_i - x_i, n_o - x_o) maps D to -D and keeps T (_wald_order), so key >= |key_o| at a
        # cell exactly where key <= -|key_o| at its mirror image: B(x_o) = n_i + 1 - A(n_o - x_o)
        line = np.flatnonzero(two)
        B[line] = ni[line] + 1 - A[line + no[line] - 2 * x_o[line]]
    bounds = np.split(np.stack([A, B]), np.cumsum(sizes)[:-1], axis=1)
    everything = (alternative == "two-sided") & (D == 0)
    return s, swap, [None if e else b for e, b in zip(everything.tolist(), bounds, strict=True)]


class _Scratch(threading.local):
    """Named scratch arrays of the product form and the stacked designs, kept from call to call (one
    set per thread).

    A new array of a few megabytes is mapped afresh by the C allocator and costs a page fault per
    4 KiB page when first written: on the benchmark's machine, as long as the arithmetic done in
    it. ``_scratch(name, shape)`` returns a view of the kept array ``name`` (grown when too small,
    kept up to ``_SCRATCH_CELLS`` cells); its contents are undefined, and no view of it may outlive
    the function that asked for it (results are new arrays).
    """

    def __init__(self):
        self.arrays: dict[str, np.ndarray] = {}

    def __call__(self, name, shape):
        cells = int(np.prod(shape))
        kept = self.arrays.get(name)
        if kept is None or kept.size < cells:
            kept = np.empty(cells)
            if cells <= _SCRATCH_CELLS:
                self.arrays[name] = kept
        return kept[:cells].reshape(shape)


# Largest sample size whose binomial rows _ProductRows.stack computes from shared powers (see there).
_PRODUCT_POWER_MAX_N = 300
_SCRATCH_CELLS = 1 << 21  # 16 MB per kept array at most (a product-form chunk needs at most about a third)
_scratch = _Scratch()


class _ProductRows:
    """Binomial pmf ``f`` of ``n`` at each grid point (rows x = 0..n, columns pi), with the lower sums
    ``F[k] = P(X < k)`` and upper sums ``S[k] = P(X >= k)``, k = 0..n+1, each computed when first
    needed and to full relative precision. The grid is symmetric (``pi[G-1-g] = 1 - pi[g]``) and
    :math:`b(x; n, 1 - \\pi) = b(n - x; n, \\pi)`: only the lower half is computed, the upper half
    is the lower one reversed (and its F the lower S reversed)."""

    def __init__(self, low, G):
        self.h = h = (G + 1) // 2
        self.mirror = slice(G - 1 - h, None, -1) if G - 1 - h >= 0 else slice(0, 0)
        self.low = low

    @classmethod
    def batch(cls, ns, pis):
        """Rows of every sample size in ``ns`` on the grid ``pis``: one exponential for all of them."""
        G = len(pis)
        f, off = cls.stack(ns, pis[: (G + 1) // 2])
        return {n: cls(f[o : o + n + 1], G) for n, o in off.items()}

    @staticmethod
    def stack(ns, low, scratch=None):
        """The pmf rows of every sample size in ``ns`` at the points ``low`` (pi < 1), stacked in one
        array, and the first row of each size: ``(f, {n: offset})``; ``f`` is written into the
        :class:`_Scratch` array ``scratch`` (a name) if given, else a new array."""
        lp = np.where(low > 0, np.log(np.where(low > 0, low, 1.0)), -1e6)  # pi = 0: only x = 0 survives
        lq = np.log1p(-low)
        ns = np.asarray(ns, dtype=np.int64)
        starts = np.concatenate([[0], np.cumsum(ns + 1)])
        x = np.arange(starts[-1]) - np.repeat(starts[:-1], ns + 1)
        n = np.repeat(ns, ns + 1)
        lf = _log_factorials(int(ns.max()) + 1)
        shape = (len(x), len(low))
        out = None if scratch is None else _scratch(scratch, shape)
        which = np.repeat(np.arange(len(ns)), ns + 1)
        size_rows = np.multiply.outer(ns.astype(float), lq)  # n log(1 - pi): one row per size, gathered
        if int(ns.max()) <= _PRODUCT_POWER_MAX_N and low.max(initial=0.0) <= 0.5:
            # b(x; n, pi) = C(n, x) (1 - pi)^n r^x with r = pi / (1 - pi) <= 1: the powers r^x are shared
            # by every size (one exponential per x and point instead of per row and point). Powers below
            # e^-700 are set to 0 (no subnormal arithmetic): with C(n, x) <= 2^n and n <= 300, a term
            # so dropped is below 2^300 e^-700 < 1e-213, negligible against any supremum of these
            # sizes (at least 2^-600 > 1e-181, the probability of a table at pi = 1/2).
            e = np.multiply.outer(np.arange(int(ns.max()) + 1.0), lp - lq)
            powers = np.exp(e)
            powers[e < -700] = 0.0
            f = powers.take(x, axis=0, out=out, mode="clip")
            f *= np.exp(lf[n] - lf[x] - lf[n - x])[:, None]
            f *= np.exp(size_rows).take(
                which, axis=0, out=None if scratch is None else _scratch(scratch + "-n", shape), mode="clip"
            )
        else:
            f = np.multiply.outer(x.astype(float), lp - lq, out=out)
            f += (lf[n] - lf[x] - lf[n - x])[:, None]
            f += size_rows.take(
                which, axis=0, out=None if scratch is None else _scratch(scratch + "-n", shape), mode="clip"
            )
            np.exp(f, out=f)
        return f, dict(zip(ns.tolist(), starts[:-1].tolist(), strict=True))

    def _join(self, low, high):
        return np.concatenate([low, high[::-1, self.mirror]], axis=1)

    @cached_property
    def f(self):
        return self._join(self.low, self.low)

    @cached_property
    def _F_low(self):
        out = np.zeros((self.low.shape[0] + 1, self.h))
        np.cumsum(self.low, axis=0, out=out[1:])
        return out

    @cached_property
    def _S_low(self):
        out = np.zeros((self.low.shape[0] + 1, self.h))
        np.cumsum(self.low[::-1], axis=0, out=out[-2::-1])
        return out

    @cached_property
    def F(self):
        return self._join(self._F_low, self._S_low)

    @cached_property
    def S(self):
        return self._join(self._S_low, self._F_low)


# Fewest points of a product-form grid: every design with N <= 120 (_grid_size(120) = 44) shares the
# grid of 48 points, so that a call on small tables of many designs computes one grid group (one set
# of binomial rows and tail sums) instead of one per grid size; more points than _grid_size only
# tighten its bound.
_PRODUCT_MIN_GRID = 48


def _product_grid_size(N):
    """Points of the product form's grid for total sizes ``N`` (an int array): those of
    :func:`_grid_size` rounded up to a multiple of 16, and at least
    ``_PRODUCT_MIN_GRID``, so that designs of similar size share a grid (and binomial rows by sample
    size)."""
    return np.maximum(_PRODUCT_MIN_GRID, -(-_grid_size(N) // 16) * 16)


class _ProductRefiner:
    """P, P' and P'' of the product form at a point, for candidate rows (one table and start each).

    With :math:`b_n' = n[b_{n-1}(k-1) - b_{n-1}(k)]`, :math:`dF_n(A)/d\\pi = -n b_{n-1}(A-1)` and
    :math:`dS_n(B)/d\\pi = n b_{n-1}(B-1)` (and their derivatives through :math:`b_{n-2}`), all from
    the pmf of degree :math:`n - 2` and two steps of :math:`b_{m+1}(k) = (1-\\pi) b_m(k) + \\pi b_m(k-1)`.
    The log-binomial coefficients of each row are computed once. Every row is as wide as the call's
    largest sample sizes (so that a table's value does not depend on which other starts are still
    active); large sets of rows are evaluated in up to three groups, sorted by sample size, to bound
    the work arrays.

    ``lower`` and ``upper`` (per row) say which tails of the inner count the region holds. A region
    with only the upper tail, :math:`x_i \\ge B(x_o)`, is evaluated as its mirror image, the lower
    tail :math:`y_i < A'(y_o) = n_i + 1 - B(n_o - y_o)` at :math:`1 - \\pi` (with
    :math:`y = n - x`, :math:`b(x; n, \\pi) = b(y; n, 1 - \\pi)`, so :math:`P(\\pi) = P'(1 - \\pi)`
    and :math:`P'` changes sign): one-sided rows then need one tail sum each, not two.
    """

    def __init__(self, n_i, n_o, bounds, lower, upper):
        order = np.lexsort((n_i, n_o))
        self.order, self.n_i, self.n_o = order, n_i[order], n_o[order]
        self.inverse = np.empty_like(order)
        self.inverse[order] = np.arange(len(order))
        self.flip = (upper & ~lower)[order]  # evaluated as their mirror images
        self.lower, self.upper = bool((lower | upper).any()), bool((lower & upper).any())
        wo, wi = int(self.n_o.max()) + 1, int(self.n_i.max()) + 1
        # the bounds of each start in a column (rows x_o); beyond n_o (where b(x_o) = 0) A = 0, B = n_i + 1
        sizes = self.n_o + 1
        column = np.repeat(np.arange(len(order)), sizes)
        start = np.repeat(np.cumsum(sizes) - sizes, sizes)
        row = np.arange(len(column)) - start
        A, B = np.concatenate([bounds[i] for i in order.tolist()], axis=1)
        flip, top = self.flip[column], self.n_i[column] + 1
        A = np.where(flip, top - B[start + self.n_o[column] - row], A)
        B = np.where(flip, top, B)
        self.A = np.zeros((len(order), wo), dtype=np.int64)
        self.B = np.repeat((self.n_i + 1)[:, None], wo, axis=1)
        self.A[column, row], self.B[column, row] = A, B
        # both samples' log-coefficients of degree n - 2 side by side in each start's row (inner
        # columns, two columns of -inf, outer columns), with each column's k and each row's degree:
        # one exponential and one pair of degree raisings per evaluation serve both samples (the two
        # columns between them stay 0, see _orders)
        log_c_i, d_i = self._log_comb(self.n_i, wi)
        log_c_o, d_o = self._log_comb(self.n_o, wo)
        self.wi, self.wo = wi, wo
        self.log_c = np.concatenate([log_c_i, np.full((len(order), 2), -np.inf), log_c_o], axis=1)
        self.k = np.r_[np.arange(wi), 0, 0, np.arange(wo)].astype(float)
        self.d_i, self.d_o = d_i.astype(float), d_o.astype(float)
        self.one = None  # columns whose degree n - 2 is -1 (n = 1), per block
        if (self.n_i == 1).any() or (self.n_o == 1).any():
            self.one = np.concatenate(
                [np.repeat((self.n_i == 1)[:, None], wi + 2, 1), np.repeat((self.n_o == 1)[:, None], wo + 2, 1)], axis=1
            )

    @staticmethod
    def _log_comb(n, width):
        d = np.maximum(n - 2, 0)
        k = np.arange(width)[None, :]
        lf = _log_factorials(max(width, int(n.max()) + 1))
        out = lf[d][:, None] - lf[k] - lf[np.clip(d[:, None] - k, 0, None)]
        out[k > d[:, None]] = -np.inf
        return out, d

    def _orders(self, r, x):
        """b(k; n-2), b(k; n-1), b(k; n) of both samples at ``x`` (rows: the starts ``r``), each with
        columns k = -2..wi-1 of the inner sample, then k = -2..wo-1 of the outer one (2 zero columns
        first in each block); degree -1 is zero. A start's values are one contiguous row: numpy's
        loops then run along rows of several hundred cells, not along a handful of starts.

        The two columns between the blocks (the outer block's zero columns) stay 0 through both
        raisings: a raising moves column ``k - 1`` into column ``k``, and the inner block's last
        column, ``k = wi - 1 >= n_i``, is 0 at the degrees ``n_i - 2`` and ``n_i - 1`` that are raised.
        """
        l0 = np.log1p(-x)
        base = np.empty((len(x), len(self.k) + 2))
        base[:, :2] = 0.0
        t = np.multiply(np.log(x)[:, None] - l0[:, None], self.k, out=base[:, 2:])
        t += self.log_c[r]
        wi = self.wi
        t[:, : wi + 2] += (self.d_i[r] * l0)[:, None]  # the inner columns and the two between the blocks (-inf)
        t[:, wi + 2 :] += (self.d_o[r] * l0)[:, None]
        np.exp(t, out=t)
        y, x = (1 - x)[:, None], x[:, None]

        def up(f):  # b(k; m + 1) = (1 - x) b(k; m) + x b(k - 1; m)
            out = np.empty_like(f)
            out[:, :2] = 0.0
            np.multiply(y, f[:, 2:], out=out[:, 2:])
            out[:, 2:] += x * f[:, 1:-1]
            return out

        if self.one is not None:
            one = self.one[r]
            minus2, minus1 = np.where(one, 0.0, base), np.where(one, base, up(base))
        else:
            minus2, minus1 = base, up(base)
        return minus2, minus1, up(minus1)

    def _evaluate(self, r, x):
        """P, P', P'' at ``x`` of the sorted rows ``r``: with :math:`T = F_i(A) + S_i(B)` per outer count,
        :math:`P = \\sum f_0 T`, :math:`P' = n_o \\sum \\Delta f_1 T + n_i \\sum f_0 T_1` and
        :math:`P'' = n_o(n_o - 1) \\sum \\Delta^2 f_2 T + 2 n_o n_i \\sum \\Delta f_1 T_1 + n_i(n_i - 1)
        \\sum f_0 T_2`, where :math:`T_1 = b_{n_i-1}(B-1) - b_{n_i-1}(A-1)` and :math:`T_2` the same
        with the differences of :math:`b_{n_i-2}` (each sum over the tails the region holds); the
        sample sizes multiply the sums, not the terms."""
        wi = self.wi
        minus2, minus1, zero = self._orders(r, x)
        R, W = minus2.shape
        row = np.arange(R)[:, None]
        i2 = minus2[:, : wi + 2]
        d2 = i2[:, :-1] - i2[:, 1:]  # b(k-2; n-2) - b(k-1; n-2) at column k
        # flat indices: column A of row c of a (R, w) array is c * w + A; b(A - 1; n - 1) is column
        # A + 1 of minus1's rows (W wide)
        parts = []  # (T, T1, T2) of each tail the regions hold: the lower, then the upper
        for use, bound, lower in ((self.lower, self.A, True), (self.upper, self.B, False)):
            if not use:
                continue
            at = bound[r] + row * (wi + 1)
            F = np.empty((R, wi + 1))
            if lower:
                F[:, 0] = 0.0
                np.cumsum(zero[:, 2 : wi + 2], axis=1, out=F[:, 1:])
            else:
                F[:, wi] = 0.0
                np.cumsum(zero[:, wi + 1 : 1 : -1], axis=1, out=F[:, -2::-1])
            parts.append((F.ravel().take(at), minus1.ravel().take(at + 1 + row * (W - wi - 1)), d2.ravel().take(at)))
        T, T1, T2 = parts[0]
        sign = -1.0 if self.lower else 1.0  # the lower tail's derivatives enter with a minus
        if len(parts) == 2:  # both tails: T1 = b(B - 1) - b(A - 1), and so T2
            T += parts[1][0]
            np.subtract(parts[1][1], T1, out=T1)
            np.subtract(parts[1][2], T2, out=T2)
            sign = 1.0
        o2, o1 = minus2[:, wi + 2 :], minus1[:, wi + 2 :]
        f0 = zero[:, wi + 4 :]
        f1 = o1[:, 1:-1] - o1[:, 2:]
        f2 = o2[:, :-2] + o2[:, 2:]
        f2 -= 2 * o2[:, 1:-1]
        ni, no = sign * self.n_i[r], self.n_o[r].astype(float)
        value = np.einsum("ij,ij->i", f0, T)
        f1T, f0T1 = np.einsum("ij,ij->i", f1, T), np.einsum("ij,ij->i", f0, T1)
        slope = no * f1T + ni * f0T1
        curve = (
            no * (no - 1) * np.einsum("ij,ij->i", f2, T)
            + 2 * no * ni * np.einsum("ij,ij->i", f1, T1)
            + ni * (self.n_i[r] - 1) * np.einsum("ij,ij->i", f0, T2)
        )
        return value, slope, curve

    def __call__(self, rows, x):
        """P, P', P'' of candidate ``rows`` (indices in the caller's order) at ``x``."""
        pos = self.inverse[rows]
        flip = self.flip[pos]
        if not flip.any():
            return self._call(pos, x)
        value, slope, curve = self._call(pos, np.where(flip, 1 - x, x))
        return value, np.where(flip, -slope, slope), curve

    def _call(self, pos, x):
        """:meth:`__call__` at positions ``pos`` of the sorted rows (mirror images already at 1 - x)."""
        if len(pos) * int(self.n_o[pos].max()) < 1 << 15:
            return self._evaluate(pos, x)  # small arrays: one group (a column's sums do not depend on the others)
        sort = np.argsort(pos, kind="stable")
        pos, xs = pos[sort], x[sort]
        out = np.empty((3, len(pos)))
        # up to three groups (rows sorted by the outer sample size) when the arrays are large: the
        # widths stay the call's, so each group's values are those of one call
        n_o = self.n_o[pos]
        cuts = np.unique(np.searchsorted(n_o, n_o[[len(pos) // 3, 2 * len(pos) // 3]]))
        for chunk in np.split(np.arange(len(pos)), cuts):
            if len(chunk):
                out[:, sort[chunk]] = self._evaluate(pos[chunk], xs[chunk])
        return out[0], out[1], out[2]


def _product_values(n_i, n_o, bounds, symmetric, G, lower, upper):
    """Grid values :math:`P(\\pi_g)` of the product form for tables sharing the grid of ``G`` points
    (``G`` even), all in a few vectorised calls.

    Only the lower half of the grid is computed: with :math:`\\pi' = 1 - \\pi`,
    :math:`b(x; n, \\pi') = b(n - x; n, \\pi)`, :math:`F_n(A; \\pi') = S_n(n + 1 - A; \\pi)` and
    :math:`S_n(B; \\pi') = F_n(n + 1 - B; \\pi)`, so :math:`P(\\pi') = \\sum_{x_o} b(n_o - x_o; n_o, \\pi)
    \\,[S_i(n_i + 1 - A_{x_o}; \\pi) + F_i(n_i + 1 - B_{x_o}; \\pi)]`
    (and :math:`P(\\pi') = P(\\pi)` for ``symmetric`` tables: their upper half is not computed).
    The pmf of every sample size is stacked in one array, both tail sums of every inner size in
    another; every table's terms are gathered at once and summed per table with one ``add.reduceat``.
    ``lower`` and ``upper`` (per table) say which tails the region holds; a region without its
    lower (upper) tail has :math:`A = 0` (:math:`B = n_i + 1`), a zero term that is not gathered.
    """
    h = G // 2
    ns = np.unique(np.concatenate([n_i, n_o]))
    f, f_off = _ProductRows.stack(ns, _product_grid(G)[:h], scratch="f")
    inner = np.unique(n_i)
    size = inner + 2
    off = dict(zip(inner.tolist(), (np.cumsum(size) - size).tolist(), strict=True))
    rows = int(size.sum())
    tails = _scratch("tails", (2 * rows, h))  # F of every inner size, then S (offset ``rows``)
    F, S = tails[:rows], tails[rows:]
    for n, o in off.items():
        low = f[f_off[n] : f_off[n] + n + 1]
        F[o] = 0.0
        np.cumsum(low, axis=0, out=F[o + 1 : o + n + 2])
        S[o + n + 1] = 0.0
        np.cumsum(low[::-1], axis=0, out=S[o + n :: -1] if o == 0 else S[o + n : o - 1 : -1])
    o_i = np.array([off[n] for n in n_i.tolist()])
    o_o = np.array([f_off[n] for n in n_o.tolist()])
    A = np.concatenate([ab[0] for ab in bounds])
    B = np.concatenate([ab[1] for ab in bounds])
    sizes = n_o + 1
    at = np.repeat(np.arange(len(n_o)), sizes)
    x = np.arange(len(at)) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    oi, oo, top = o_i[at], o_o[at], (n_i + 1)[at]
    # lower half for every table, then the upper half of the tables that are not symmetric; the
    # first gather is the lower tail where the region has one, else the upper tail, and the second
    # the upper tail of the regions that have both
    mirror = ~symmetric[at]
    low_tail, both = lower[at], (lower & upper)[at]
    i_f = np.concatenate([oo + x, (oo + n_o[at] - x)[mirror]])
    first = np.concatenate(
        [np.where(low_tail, oi + A, rows + oi + B), np.where(low_tail, rows + oi + top - A, oi + top - B)[mirror]]
    )
    terms = tails.take(first, axis=0, out=_scratch("terms", (len(first), h)), mode="clip")
    gathered = _scratch("gathered", (len(first), h))
    if both.any():
        second = np.concatenate([rows + oi + B, (oi + top - B)[mirror]])
        two = np.concatenate([both, both[mirror]])
        if two.all():
            terms += tails.take(second, axis=0, out=gathered, mode="clip")
        else:
            terms[two] += tails.take(second[two], axis=0)
    f.take(i_f, axis=0, out=gathered, mode="clip")
    terms *= gathered
    seg = np.concatenate([sizes, sizes[~symmetric]])
    sums = np.add.reduceat(terms, np.cumsum(seg) - seg, axis=0)
    values = np.empty((len(n_o), G))
    values[:, :h] = sums[: len(n_o)]
    values[:, h:] = sums[: len(n_o), ::-1]
    values[~symmetric, h:] = sums[len(n_o) :, ::-1]
    return values


def _barnard_product(k_c, n_c, k_p, n_p, alternative):
    """Barnard p-values, statistics and nuisance values of tables by the product form, without designs.

    Grouping the region by the outer (larger) sample's count :math:`x_o`, with the region an
    interval (two-sided: two) of the inner count :math:`x_i` for each :math:`x_o`,
    :math:`P(\\pi) = \\sum_{x_o} b(x_o; n_o, \\pi)\\,[F_i(A_{x_o}; \\pi) + S_i(B_{x_o}; \\pi)]` with
    :math:`F_i`, :math:`S_i` the inner binomial's lower and upper sums: on a grid, the binomial rows
    depend only on a sample size and the grid, so tables share them whatever their design. The
    tables sharing a grid size get their grid values together, from the lower half of the grid
    (:func:`_product_values`), in chunks within a memory bound; the best grid maxima are refined
    by Newton's method as in :func:`_refine`.
    """
    m = len(k_c)
    if alternative != "two-sided":
        # the corner tables (0, 0) and (n_c, n_p) have statistic 0 (D = 0, _wald_order); a one-sided
        # region that holds them, when the observed change goes the other way or is 0, has P = 1 at
        # pi = 0 (where (0, 0) has all the mass): the p-value is 1, found without a region or a grid
        D = k_c * n_p - k_p * n_c
        corner = D >= 0 if alternative == "less" else D <= 0
        if corner.any():
            best, s, arg = np.ones(m), _wald(k_c, k_p, n_c, n_p), np.zeros(m)
            if not corner.all():
                rest = ~corner
                best[rest], s[rest], arg[rest] = _barnard_product(
                    k_c[rest], n_c[rest], k_p[rest], n_p[rest], alternative
                )
            return best, s, arg
    s, swap, bounds = _product_regions(k_c, n_c, k_p, n_p, alternative)
    n_i, n_o = np.where(swap, n_p, n_c), np.where(swap, n_c, n_p)
    best, arg = np.ones(m), np.full(m, 0.5)  # two-sided at s = 0: every table, P = 1 for every pi
    todo = np.array([b is not None for b in bounds], dtype=bool)
    # which tails of the inner count the region holds ('less' in the inner sample's orientation: lower)
    lower = (alternative == "two-sided") | ((alternative == "less") != swap)
    upper = (alternative == "two-sided") | ((alternative == "less") == swap)
    grid_n = _product_grid_size(n_c + n_p)
    order = np.lexsort((n_o, n_i, grid_n))
    order = order[todo[order]]
    # a two-sided region is its own mirror image (x_i, x_o) -> (n_i - x_i, n_o - x_o), which maps D to
    # -D and keeps T (_wald_order), so |z| and the exact region with it: P(pi) = P(1 - pi), half the
    # grid and half the starts
    symmetric = np.full(m, alternative == "two-sided")
    Gmax = int(grid_n[order].max(initial=3))
    values = np.full((len(order), Gmax), -np.inf)
    grids = np.ones((len(order), Gmax))
    done = np.concatenate([order[grid_n[order] == G] for G in np.unique(grid_n[order]).tolist()] + [order[:0]])
    k = 0
    for G in np.unique(grid_n[order]).tolist():
        group = done[grid_n[done] == G]
        grids[k : k + len(group), :G] = _product_grid(G)
        # chunks of tables whose rows and gathered cells stay within the memory bound
        h = G // 2
        cost = np.cumsum((3 * (n_i[group] + n_o[group]) + 8) * h)
        for chunk in np.split(np.arange(len(group)), np.flatnonzero(np.diff(cost // (_PRODUCT_CELLS // 4))) + 1):
            tabs = group[chunk]
            values[k + chunk, :G] = _product_values(
                n_i[tabs], n_o[tabs], [bounds[r] for r in tabs.tolist()], symmetric[tabs], G, lower[tabs], upper[tabs]
            )
        k += len(group)
    b_, a_, (rows, a, b, x) = _grid_candidates(values, grids, sizes=grid_n[done], symmetric=symmetric[done])
    best[done], arg[done] = b_, a_
    rr = done[rows]
    if len(rr):
        refiner = _ProductRefiner(n_i[rr], n_o[rr], [bounds[r] for r in rr.tolist()], lower[rr], upper[rr])
        found, where = _refine(refiner, a, b, x, rr)
        order = np.lexsort((found, rr))
        last = np.r_[rr[order][1:] != rr[order][:-1], True]
        r_, f_, x_ = rr[order][last], found[order][last], where[order][last]
        up = f_ > best[r_]
        best[r_[up]], arg[r_[up]] = f_[up], x_[up]
    return np.clip(best, 0.0, 1.0), s, arg


@lru_cache(maxsize=32)
def _product_grid(G):
    """``G`` points uniform in :math:`\\arcsin\\sqrt\\pi`, exactly symmetric about 1/2."""
    theta = np.linspace(0.0, np.pi / 2, G)
    pis = np.sin(theta) ** 2
    pis[0] = 0.0
    pis[G - 1 - np.arange(G // 2)] = 1.0 - pis[: G // 2]
    if G % 2:
        pis[G // 2] = 0.5
    pis.flags.writeable = False
    return pis


# --------------------------------------------------------------------------------------------
# Rejection regions of one design, reduced to w[table, t] = P(region | t)
# --------------------------------------------------------------------------------------------


def _rows(d):
    return np.arange(d.N + 1)[None, :]


def _barnard_w(d, t, j, alternative):
    """Barnard regions of observed cells ``(t, j)``, as ``w[table, t]``, with the cells' statistics:
    :math:`z \\ge z_{obs}` ('greater'), :math:`z \\le z_{obs}` ('less'), :math:`|z| \\ge |z_{obs}|`,
    compared exactly (:meth:`_Design.wald_counts`)."""
    x_c = d.lo[t] + j
    D, T, _ = _wald_order(x_c, t - x_c, d.n_c, d.n_p)
    s = d.wald_at(t, j)
    rows = _rows(d)
    if alternative == "greater":
        return d.suffix[rows, d.wald_counts(D, T, "left")], s
    if alternative == "less":
        return d.prefix[rows, d.wald_counts(D, T, "right")], s
    a = np.abs(D)
    w = d.prefix[rows, d.wald_counts(-a, T, "right")] + d.suffix[rows, d.wald_counts(a, T, "left")]
    w[a == 0] = 1.0
    return np.minimum(w, 1.0), s


def _resolve_ties(d, t, j, lo_count, hi_count, exact_num, s_obs):
    """Exactly decide the cells whose float statistic is within the tie band of the observed one.

    ``lo_count``/``hi_count`` (m, N+1) bound the region's count on each total;
    cells ``lo_count..hi_count-1`` are ambiguous. Returns the exact count of
    ambiguous cells that belong to the region, per table and total.
    ``exact_num(t, x_c)`` is the statistic's numerator over ``C(N, t)``.
    """
    extra = np.zeros_like(lo_count)
    amb = hi_count > lo_count
    # the observed cell alone on its own total: in the region by definition (no integers needed)
    m = np.arange(len(t))
    alone = amb[m, t] & (lo_count[m, t] == j) & (hi_count[m, t] == j + 1)
    extra[m[alone], t[alone]] = 1
    amb[m[alone], t[alone]] = False
    amb_m, amb_t = np.nonzero(amb)
    if not len(amb_m):
        return extra
    for m_, t_ in zip(amb_m.tolist(), amb_t.tolist(), strict=True):
        t0, x0 = int(t[m_]), int(d.lo[t[m_]] + j[m_])
        if s_obs[m_] < 1e-250:  # the region's mass is below 1e-250: nothing to resolve
            extra[m_, t_] = hi_count[m_, t_] - lo_count[m_, t_]
            continue
        ref = exact_num(t0, x0) * d.exact_total(t_)
        for jj in range(lo_count[m_, t_], hi_count[m_, t_]):
            x = int(d.lo[t_] + jj)
            if (t_, x) == (t0, x0) or exact_num(t_, x) * d.exact_total(t0) <= ref:
                extra[m_, t_] += 1
    return extra


def _boschloo_w(d, t, j, side):
    """One-sided Boschloo region {Fisher one-sided p <= observed}, ties decided exactly.

    A one-sided Fisher p-value above 1/2 is computed as one minus the
    opposite tail excluding the cell (``lower_excl``/``neg_upper_excl``), which
    keeps full relative precision: near 1 the p-values of many cells round
    to the same float, and deciding each of them in integer arithmetic was
    where nearly all the time went on tables far in either tail.
    """
    T = _rows(d)
    L = d.length[t]
    if side == "less":
        s = d.lower[t, j]
        c = d.suffix[t, j + 1]  # P(X_c > x | t) = 1 - s, to full relative precision
    else:
        s = -d.neg_upper[t, j]
        c = d.prefix[t, j]  # P(X_c < x | t) = 1 - s
    edge = (j == L - 1) if side == "less" else (j == 0)
    flip = (s > 0.5) & ((c > 1e-250) | edge)  # complement exact or exactly 0 (the edge cell of a total)
    w = np.empty((len(t), d.N + 1))
    for use, sel in ((False, np.flatnonzero(~flip)), (True, np.flatnonzero(flip))):
        if not len(sel):
            continue
        ts, js, ss, cs = t[sel], j[sel], s[sel], c[sel]
        if side == "less":
            if not use:
                # region is a prefix of each total: cells with P(X_c <= x | t) <= s
                sure = d.counts("lower", ss * (1 - _TIE_BAND), "left")
                maybe = d.counts("lower", ss * (1 + _TIE_BAND), "right")
            else:
                # the same prefix: cells with P(X_c > x | t) >= c, i.e. -P(X_c > x | t) <= -c
                sure = d.counts("neg_upper_excl", -cs * (1 + _TIE_BAND), "right")
                maybe = d.counts("neg_upper_excl", -cs * (1 - _TIE_BAND), "right")
            extra = _resolve_ties(d, ts, js, sure, maybe, d.exact_lower_num, ss)
            w[sel] = d.prefix[T, sure + extra]
        else:
            if not use:
                # region is a suffix: cells with P(X_c >= x | t) <= s, i.e. -sf >= -s
                out_sure = d.counts("neg_upper", -ss * (1 + _TIE_BAND), "left")
                out_maybe = d.counts("neg_upper", -ss * (1 - _TIE_BAND), "left")
            else:
                # the same suffix: cells with P(X_c < x | t) >= c
                out_sure = d.counts("lower_excl", cs * (1 - _TIE_BAND), "left")
                out_maybe = d.counts("lower_excl", cs * (1 + _TIE_BAND), "left")
            extra = _resolve_ties(d, ts, js, out_sure, out_maybe, d.exact_upper_num, ss)
            w[sel] = d.suffix[T, out_maybe - extra]
    return w, s


# Boschloo on designs with few tables: the designs of many tables built together in padded arrays
# (tables x totals x positions); near-ties other than the observed cell are decided with integers
# table by table (_resolve_ties, with the table's design for its combinations only).
_STACK_CELLS = 1 << 19  # padded design cells of one stacked batch (memory bound)
_STACK_MAX_N = 120  # designs up to this total size (larger ones: the stack's padding costs more than it saves)
_STACK_SLACK = 1 << 15  # padding cells a batch may carry for the Python cost of a batch saved


def _stacked_designs(n_c, n_p):
    """The designs of tables ``(n_c, n_p)`` stacked in padded arrays: ``(lo, prefix, neg_suffix, length,
    sums)`` with ``lo`` and ``length`` (tables x totals), the conditional sums ``prefix`` and ``-suffix``
    of :class:`_Design` laid out (positions + 1) x tables x totals (zero past a table's ``N``), and the
    array ``sums`` of which they are views (:func:`_stacked_counts`): the region statistics of
    Boschloo's test compared there are ``prefix`` and ``-suffix``, nondecreasing along a total.

    A cell's conditional probability is :math:`\\binom{n_c}{x_c}\\binom{n_p}{t - x_c} / \\binom{N}{t}`
    with the coefficients correctly rounded (:func:`_binomials`): for each table and total, the
    coefficients of ``n_c`` from ``lo`` on and those of ``n_p`` downwards from
    :math:`\\min(t, n_p)` are windows of one padded row each (strided views, gathered in one
    indexing each), zero outside :math:`0..n`. Each cell is within a few roundings of the exact
    value (:class:`_Design` goes through log-gamma terms, within about :math:`10^{-13}`).
    Position-major, the running sums are one vector addition per position for both (numpy's
    ``cumsum`` along an axis is several times slower), adding in :class:`_Design`'s order: ``prefix``
    and ``neg_suffix`` are views of one :class:`_Scratch` array, valid until the next call."""
    m = len(n_c)
    N = n_c + n_p
    Tm, Lm = int(N.max()) + 1, int(np.minimum(n_c, n_p).max()) + 1
    Kp = int(n_p.max()) + 1
    C = _binomials(Tm - 1)
    t = np.arange(Tm)[None, :]
    lo = np.maximum(0, t - n_p[:, None])  # (m, Tm); past N: lo > n_c, every cell 0
    u = np.minimum(t, n_p[:, None])  # x_p of position j is u - j
    length = np.maximum(np.minimum(t, n_c[:, None]) - lo + 1, 0)
    # row i: C(n_c, k) at position k; C(n_p, Kp - 1 - p) at position p (counts decrease along a window)
    rows_c = np.zeros((m, Tm + Lm))
    rows_c[:, :Tm] = C[n_c, :Tm]
    rows_p = np.zeros((m, Kp + Lm))
    rows_p[:, :Kp] = C[n_p, Kp - 1 :: -1] if Kp > 1 else C[n_p, :1]
    stride = rows_c.strides
    win_c = np.lib.stride_tricks.as_strided(rows_c, (m, Tm + 1, Lm), (stride[0], stride[1], stride[1]))
    stride = rows_p.strides
    win_p = np.lib.stride_tricks.as_strided(rows_p, (m, Kp + 1, Lm), (stride[0], stride[1], stride[1]))
    rows = np.arange(m)[:, None]
    cells = win_c[rows, lo]  # (m, Tm, Lm): C(n_c, lo + j)
    cells *= win_p[rows, Kp - 1 - u]  # C(n_p, u - j)
    inverse = np.zeros((m, Tm))
    total = C[N[:, None], t]  # C(N, t), 0 past N
    np.divide(1.0, total, where=total > 0, out=inverse)
    # sums[k, 0] = prefix[k], sums[k, 1] = -suffix[Lm - k]; steps[k] = (h[k], -h[Lm - 1 - k])
    sums = _scratch("sums", (2 * Lm + 1, 2, m, Tm))
    steps, sums = sums[Lm + 1 :], sums[: Lm + 1]
    np.multiply(cells.transpose(2, 0, 1), inverse, out=steps[:, 0])
    np.negative(steps[::-1, 0], out=steps[:, 1])
    sums[0] = 0.0
    for j in range(Lm):
        np.add(sums[j], steps[j], out=sums[j + 1])
    return lo, sums[:, 0], sums[::-1, 1], length, sums


def _stacked_counts(stack, shift, use_suffix, q):
    """Per row of thresholds ``q`` (rows x tables) and total: how many cells ``j`` (0..length-1) of each
    table's stacked design have :math:`s_j \\le q`, with :math:`s_j` = ``prefix[j + shift]``, or
    ``neg_suffix[j + shift]`` (:math:`-` ``suffix``) for the tables ``use_suffix``.

    Both are nondecreasing in ``j`` (running sums of non-negative terms; past a total's length they
    repeat their last value), so each count is found by a binary search of its total: about
    :math:`\\log_2 L` steps over tables x totals values, instead of a comparison of every cell.
    """
    sums = stack[4]
    Lm = len(sums) - 1
    m, Tm = sums.shape[2], sums.shape[3]
    flat = sums.reshape(-1)  # sums[k, 0] = prefix[k], sums[k, 1] = -suffix[Lm - k] (_stacked_designs)
    block = 2 * m * Tm
    cell = np.arange(m * Tm).reshape(m, Tm)
    flip = use_suffix[:, None]
    move = np.where(flip, -block, block)
    # flat index of position j - 1 (so that a count c probes position c - 1 at at + move * c)
    at = np.where(flip, (Lm - shift) * block + m * Tm + cell, shift * block + cell) - move
    q = np.asarray(q)[:, :, None]
    count = np.zeros((len(q), m, Tm), dtype=np.int64)
    step = 1 << (Lm.bit_length() - 1) if Lm else 0
    while step:  # the positions before count are below q; is position count + step - 1 too?
        more = count + step
        # past the last position: probe the last (below q only if every position is)
        below = flat.take(at + move * np.minimum(more, Lm)) <= q
        count = np.where(below, more, count)
        step >>= 1
    return np.minimum(count, stack[3])  # at most the total's length (the search may pass Lm)


def _boschloo_stacked(n_c, n_p, k_c, k_p, side, stack):
    """One-sided Boschloo ``w`` (tables x totals, zero past each table's ``N``) and statistics of tables
    of different designs, their designs stacked (:func:`_stacked_designs`). The same computation as
    :func:`_boschloo_w` (the complement for one-sided p-values above 1/2, the tie band), along axis
    0 of the stack, the counts of cells below a level found by binary search
    (:func:`_stacked_counts`); near-ties beyond the observed cell are decided with integers by
    :func:`_resolve_ties`, as there.
    """
    lo, prefix, neg_suffix, length, _ = stack
    m = len(n_c)
    i = np.arange(m)
    t_o = k_c + k_p
    j_o = k_c - lo[i, t_o]
    if side == "less":
        s, c = prefix[j_o + 1, i, t_o], -neg_suffix[j_o + 1, i, t_o]
        edge = j_o == length[i, t_o] - 1
    else:
        s, c = -neg_suffix[j_o, i, t_o], prefix[j_o, i, t_o]
        edge = j_o == 0
    flip = (s > 0.5) & ((c > 1e-250) | edge)
    band = _TIE_BAND
    if side == "less":
        # region: a prefix of each total, cells with P(X_c <= x | t) <= s (or P(X_c > x | t) >= c)
        q_sure = np.where(flip, -c * (1 + band), s * (1 - band))
        q_maybe = np.where(flip, -c * (1 - band), s * (1 + band))
        # flipped: stat <= q; otherwise stat < q, the same as stat <= the float just below q
        q_sure = np.where(flip, q_sure, np.nextafter(q_sure, -np.inf))
        sure, maybe = _stacked_counts(stack, 1, flip, np.stack([q_sure, q_maybe]))
    else:
        # region: a suffix, cells with P(X_c >= x | t) <= s (or P(X_c < x | t) >= c); counted outside it
        q_sure = np.where(flip, c * (1 - band), -s * (1 + band))
        q_maybe = np.where(flip, c * (1 + band), -s * (1 - band))
        # stat < q: stat <= the float just below q
        sure, maybe = _stacked_counts(stack, 0, ~flip, np.nextafter(np.stack([q_sure, q_maybe]), -np.inf))
    amb = maybe > sure
    extra = np.zeros_like(sure)
    alone = amb[i, t_o] & (sure[i, t_o] == j_o) & (maybe[i, t_o] == j_o + 1)  # the observed cell itself
    extra[i[alone], t_o[alone]] = 1
    amb[i[alone], t_o[alone]] = False
    tiny = s < 1e-250  # the region's mass is below 1e-250: every near-tie counted (as _resolve_ties)
    extra = np.where(tiny[:, None] & amb, maybe - sure, extra)
    # near-ties beyond the observed cell: decided with integers, table by table, as _boschloo_w does
    # (its design's combinations only; the stacked counts bound the ambiguous cells)
    for r in np.flatnonzero(amb.any(axis=1) & ~tiny).tolist():
        d = _design(int(n_c[r]), int(n_p[r]))
        cols = slice(0, d.N + 1)
        exact_num = d.exact_lower_num if side == "less" else d.exact_upper_num
        rows = slice(r, r + 1)
        extra[r, cols] = _resolve_ties(
            d, t_o[rows], j_o[rows], sure[rows, cols], maybe[rows, cols], exact_num, s[rows]
        )[0]
    # prefix[k] (or suffix[k]) of each table and total, from the flat sums (zero past a table's N)
    sums = stack[4]
    Lm, block = len(sums) - 1, sums[0].size
    cell = np.arange(sums[0, 0].size).reshape(sums.shape[2:])
    if side == "less":
        w = sums.reshape(-1).take((sure + extra) * block + cell)
    else:
        w = 0.0 - sums.reshape(-1).take((Lm - maybe + extra) * block + sums[0, 0].size + cell)  # +0.0, not -0.0
    return w, s


def _fisher_group(d, t, j, alternative):
    if alternative == "less":
        return d.prefix[t, j + 1]
    if alternative == "greater":
        return d.suffix[t, j]
    row = d.h[t]  # (m, L)
    pexact = row[np.arange(len(t)), j][:, None]
    inside = row <= pexact * (1 + _TIE_BAND)
    amb = np.abs(row - pexact) <= _TIE_BAND * pexact
    amb[np.arange(len(t)), j] = False
    amb &= d.valid[t]
    for m_, jj in zip(*np.nonzero(amb), strict=True):
        t_ = int(t[m_])
        x, x0 = int(d.lo[t_] + jj), int(d.lo[t_] + j[m_])
        inside[m_, jj] = d.exact_pmf_num(t_, x) <= d.exact_pmf_num(t_, x0)
    return np.minimum((row * inside).sum(axis=1), 1.0)


# --------------------------------------------------------------------------------------------
# Driver: validate, group tables by design, deduplicate, chunk
# --------------------------------------------------------------------------------------------

_CHUNK = 2048


def _check_counts(k_previous, n_previous, k_current, n_current):
    n1 = v.check_count("n_previous", n_previous)
    n2 = v.check_count("n_current", n_current)
    k1 = v.check_count("k_previous", k_previous, minimum=0)
    k2 = v.check_count("k_current", k_current, minimum=0)
    k1, n1, k2, n2 = v.broadcast(k_previous=k1, n_previous=n1, k_current=k2, n_current=n2)
    v.check_not_above("k_previous", k1, "n_previous", n1)
    v.check_not_above("k_current", k2, "n_current", n2)
    return k1, n1, k2, n2


# Counts below this are the digits of one int64 code in _unique_rows (four digits: 60 bits).
_CODE_BASE = 1 << 15


def _unique_rows(key):
    """``np.unique(key, axis=0, return_inverse=True)`` for rows of non-negative counts: the rows in
    lexicographic order and the index of each input row among them (a flat array). Rows of counts
    below ``_CODE_BASE`` are read as the digits of one integer in base ``max + 1`` (the same order),
    so that one sort of integers replaces numpy's sort of rows (several times slower)."""
    base = int(key.max()) + 1
    if base >= _CODE_BASE:
        tables, inverse = np.unique(key, axis=0, return_inverse=True)
        return tables, inverse.ravel()
    code = np.zeros(len(key), dtype=np.int64)
    for column in key.T:
        code = code * base + column
    _, first, inverse = np.unique(code, return_index=True, return_inverse=True)
    return key[first], inverse.ravel()


def _compute(method, alternative, kp, np_, kc, nc):
    """Flat int64 arrays in, (pvalue, statistic, nuisance) flat float arrays out (no validation)."""
    size = len(kp)
    pval, stat, nuis = np.empty(size), np.empty(size), np.full(size, np.nan)
    if size == 0:
        return pval, stat, nuis
    tables, inverse = _unique_rows(np.stack([nc, np_, kc, kp], axis=1))
    tp, ts, tn = np.empty(len(tables)), np.empty(len(tables)), np.full(len(tables), np.nan)
    design_key = tables[:, :2]
    starts = np.r_[0, np.flatnonzero(np.any(design_key[1:] != design_key[:-1], axis=1)) + 1, len(tables)]
    sup = _Suprema()  # one refinement for all designs
    jobs: list = []
    groups = list(itertools.pairwise(starts))
    if method == "barnard":
        few = [(g0, g1) for g0, g1 in groups if g1 - g0 < _PRODUCT_TABLES]
        if few:
            sel = np.concatenate([np.arange(g0, g1) for g0, g1 in few])
            # memory bound: batches of tables whose sample sizes add up to _PRODUCT_BATCH (the
            # refinement holds a few rows of that many cells per start)
            running = np.cumsum(tables[sel, 0] + tables[sel, 1])
            for batch in np.split(sel, np.flatnonzero(np.diff(running // _PRODUCT_BATCH)) + 1):
                t_ = tables[batch]
                tp[batch], ts[batch], tn[batch] = _barnard_product(t_[:, 2], t_[:, 0], t_[:, 3], t_[:, 1], alternative)
            groups = [g for g in groups if g[1] - g[0] >= _PRODUCT_TABLES]
    if method == "boschloo":
        # designs with few tables and N <= _STACK_MAX_N: stacked (decided on the design arrays at once)
        g0, g1 = starts[:-1], starts[1:]
        stack = (g1 - g0 < _PRODUCT_TABLES) & (tables[g0, 0] + tables[g0, 1] <= _STACK_MAX_N)
        if stack.any():
            sel = np.flatnonzero(np.repeat(stack, g1 - g0))
            _boschloo_stacked_jobs(tables, sel, alternative, sup, jobs)
            groups = [g for g, stacked in zip(groups, stack.tolist(), strict=True) if not stacked]
    for g0, g1 in groups:
        d = _design(int(tables[g0, 0]), int(tables[g0, 1]))
        for c0 in range(g0, g1, _CHUNK):
            sl = slice(c0, min(c0 + _CHUNK, g1))
            kc_, kp_ = tables[sl, 2], tables[sl, 3]
            t = kc_ + kp_
            j = kc_ - d.lo[t]
            if method == "fisher":
                tp[sl], ts[sl] = _fisher_group(d, t, j, alternative), _odds_ratio(d, kc_, kp_)
                continue
            sides = ("less", "greater") if method == "boschloo" and alternative == "two-sided" else (alternative,)
            first = None
            for side in sides:
                w, s_ = _barnard_w(d, t, j, side) if method == "barnard" else _boschloo_w(d, t, j, side)
                first = sup.add(w, d.N, hold=len(sides) == 2 and first is None, partner=first)
                jobs.append((sl, s_, first))
    if jobs:
        p_all, x_all = sup.result()
        two = method == "boschloo" and alternative == "two-sided"
        for i in range(0, len(jobs), 2 if two else 1):
            sl, s_, at = jobs[i]
            p_, x_ = p_all[at], x_all[at]
            if two:  # twice the smaller one-sided p-value, capped at 1 (scipy's convention)
                _, s2, at2 = jobs[i + 1]
                p2, x2 = p_all[at2], x_all[at2]
                use_less = p_ < p2
                p_, s_, x_ = (
                    np.minimum(2 * np.where(use_less, p_, p2), 1.0),
                    np.where(use_less, s_, s2),
                    np.where(use_less, x_, x2),
                )
            tp[sl], ts[sl], tn[sl] = p_, s_, x_
    pval[:], stat[:], nuis[:] = tp[inverse], ts[inverse], tn[inverse]
    return pval, stat, nuis


def _boschloo_stacked_jobs(tables, sel, alternative, sup, jobs):
    """Boschloo on the tables ``sel`` (rows of ``tables``: n_c, n_p, k_c, k_p) through stacked designs
    (:func:`_boschloo_stacked`), in batches of at most ``_STACK_CELLS`` padded cells, their grid rows
    added to ``sup`` and their jobs to ``jobs`` (two-sided: the 'less' job then the 'greater' one)."""
    sides = ("less", "greater") if alternative == "two-sided" else (alternative,)
    sel = sel[np.argsort(tables[sel, 0] + tables[sel, 1], kind="stable")]
    N = tables[sel, 0] + tables[sel, 1]
    L = np.minimum(tables[sel, 0], tables[sel, 1]) + 1
    cells = (N + 1) * L
    start = 0
    while start < len(sel):
        # tables sorted by N: a batch grows while its padded cells (its last table's N, its largest L)
        # stay within the memory bound and within 4/3 of its tables' own cells (plus the equivalent
        # of a batch's fixed cost)
        stop, L_max, own = start + 1, L[start], cells[start]
        while stop < len(sel):
            padded = (stop + 1 - start) * (N[stop] + 1) * max(L_max, L[stop])
            if padded > _STACK_CELLS or 3 * padded > 4 * (own + cells[stop]) + 3 * _STACK_SLACK:
                break
            L_max, own = max(L_max, L[stop]), own + cells[stop]
            stop += 1
        batch = sel[start:stop]
        n_c, n_p, k_c, k_p = (tables[batch, c] for c in range(4))
        stack = _stacked_designs(n_c, n_p)
        out = [_boschloo_stacked(n_c, n_p, k_c, k_p, side, stack) for side in sides]
        Nb = n_c + n_p
        first = None
        for w, s_ in out:  # the batch's rows of every degree in one block per side
            first = sup.add(w[:, : int(Nb.max()) + 1], Nb, hold=len(out) == 2 and first is None, partner=first)
            jobs.append((batch, s_, first))
        start = stop


def _odds_ratio(d, kc, kp):
    a, b, c, e = kc, kp, d.n_c - kc, d.n_p - kp
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where((c > 0) & (b > 0), a * e / np.maximum(c * b, 1), np.inf)
    t = kc + kp
    return np.where((t == 0) | (t == d.N), np.nan, ratio)


def _run(method, k_previous, n_previous, k_current, n_current, alternative):
    v.check_choice("alternative", alternative, ALTERNATIVES)
    k1, n1, k2, n2 = _check_counts(k_previous, n_previous, k_current, n_current)
    shape = k1.shape
    flat = [np.asarray(a, dtype=np.int64).ravel() for a in (k1, n1, k2, n2)]
    p, s, x = _compute(method, alternative, *flat)
    return shape, p.reshape(shape), s.reshape(shape), x.reshape(shape), (k1, n1, k2, n2)


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------

_COMMON_DOC = """
    Parameters
    ----------
    k_previous, n_previous, k_current, n_current : int or array_like
        Counts ("yes" cases) and sample sizes at each inspection; whole
        numbers with ``0 <= k <= n`` and ``n >= 1``. Broadcast together.
    alternative : {'two-sided', 'less', 'greater'}, default 'two-sided'
        H1: :math:`\\pi_{cur} \\ne \\pi_{prev}`, :math:`\\pi_{cur} < \\pi_{prev}`
        ('less') or :math:`\\pi_{cur} > \\pi_{prev}` ('greater'), as in
        :func:`stats.compare_proportions`.

    Returns
    -------
    pvalue : float or ndarray
        Broadcast shape of the inputs (a float for scalar inputs).
"""


def fisher(
    k_previous: ArrayLike,
    n_previous: ArrayLike,
    k_current: ArrayLike,
    n_current: ArrayLike,
    *,
    alternative: str = "two-sided",
) -> float | np.ndarray:
    r"""Fisher's exact test of ``current`` versus ``previous``, vectorised over tables.

    {common}
    See Also
    --------
    barnard : the unconditional test with the Wald statistic.
    boschloo : the unconditional test with Fisher's p-value as statistic.
    scipy.stats.fisher_exact : scipy's test of one table.

    Notes
    -----
    Conditional on the total :math:`t = k_{prev} + k_{cur}`, the current
    count is hypergeometric:
    :math:`P(x \mid t) = \binom{n_{cur}}{x}\binom{n_{prev}}{t - x} / \binom{N}{t}`.
    'less' is :math:`P(X \le k_{cur} \mid t)`, 'greater'
    :math:`P(X \ge k_{cur} \mid t)`, 'two-sided' the total probability of
    the tables no more likely than the observed one (scipy's and R's
    convention). Probabilities that are equal in exact arithmetic are
    recognised as ties with integer arithmetic, not a float tolerance.
    Equals ``scipy.stats.fisher_exact([[k_cur, k_prev], [n_cur - k_cur,
    n_prev - k_prev]], alternative)`` (checked to 1e-9 in the tests).

    References
    ----------
    .. [1] Agresti, A. (2013). *Categorical Data Analysis*, 3rd ed., section 3.5.

    Examples
    --------
    >>> from stats.exact_tests import fisher
    >>> round(fisher(21, 24, 24, 24), 4)  # 87 % -> 100 % at n = 24
    0.2340
    >>> fisher([54, 71], 100, [71, 54], 100, alternative="greater").round(4).tolist()
    [0.0096, 0.9958]
    """
    return v.unwrap(_run("fisher", k_previous, n_previous, k_current, n_current, alternative)[1])


def barnard(
    k_previous: ArrayLike,
    n_previous: ArrayLike,
    k_current: ArrayLike,
    n_current: ArrayLike,
    *,
    alternative: str = "two-sided",
) -> float | np.ndarray:
    r"""Barnard's unconditional exact test (pooled Wald statistic), vectorised over tables.

    {common}
    See Also
    --------
    fisher : the conditional test.
    boschloo : uniformly more powerful than Fisher's test.
    scipy.stats.barnard_exact : scipy's test of one table.

    Notes
    -----
    The statistic of a table is the pooled Z (Wald) statistic
    :math:`z = (\hat p_{cur} - \hat p_{prev}) / \sqrt{\bar p (1 - \bar p)(1/n_{cur} + 1/n_{prev})}`
    (0 when the two proportions are equal). Under H0 both counts are
    binomial with a common nuisance proportion :math:`\pi`; the p-value is

    .. math:: p = \sup_{\pi \in [0, 1]} \sum_{(x_c, x_p) \in R}
              b(x_c; n_{cur}, \pi)\, b(x_p; n_{prev}, \pi)

    over the region :math:`R` of tables at least as extreme (:math:`z \ge z_{obs}`
    for 'greater', :math:`z \le z_{obs}` for 'less', :math:`|z| \ge |z_{obs}|`),
    statistics compared exactly: :math:`z|z|` is proportional to :math:`D|D|/T`
    with integers :math:`D = x_{cur} n_{prev} - x_{prev} n_{cur}` and
    :math:`T = t(N - t)`, compared in floating point and, within a relative
    1e-9 of the observed value, by integer cross-multiplication, so a table
    tied with the observed one is always in the region.
    Grouping the tables of :math:`R` by their total :math:`t` gives the
    Bernstein polynomial :math:`\sum_t w_t\, b(t; N, \pi)` with :math:`w_t`
    the hypergeometric probability of :math:`R` given :math:`t`. It is
    evaluated on a grid of :math:`\lceil 3.9\sqrt{N}\rceil + 1` points (at
    least 24) uniform in :math:`\arcsin\sqrt\pi`: since each basis function
    satisfies :math:`b'' \ge -5N b` in :math:`\theta = \arcsin\sqrt\pi`, the
    grid point nearest to the maximiser is within 10 % of the maximum. Every
    local grid maximum within 10 % of the best grid value is refined by
    Newton's method on :math:`P'` (safeguarded by bisection) until Newton's
    model gains less than 1e-14 of the value. When the sample sizes vary from
    table to table, the same polynomial is summed over the larger sample's
    count instead, :math:`P = \sum_{x} b(x; n_{large}, \pi)\,
    [F(A_x; \pi) + S(B_x; \pi)]` with :math:`F`, :math:`S` the smaller
    sample's binomial lower and upper tail sums and :math:`A_x`, :math:`B_x`
    the ends of the region (the statistic is monotone in each count, so the
    region is an interval, or two, of one count for each value of the other,
    found in closed form from a quadratic and settled by the exact comparison).

    Equals ``scipy.stats.barnard_exact(table, alternative, pooled=True)`` with
    the table of :func:`fisher` (to 1e-9 in the tests), with two exceptions
    where scipy's value is the lower one: scipy maximises with ``shgo`` from 32
    Sobol points and can miss the global maximum; and it compares the
    statistics in floating point, so a table tied with the observed one can
    be left out of its region by one rounding (current 1 of 3 against previous
    3 of 3, 'less': scipy 0.0775, the supremum 7/64 = 0.109375).

    References
    ----------
    .. [1] Barnard, G. A. (1945). A new test for 2x2 tables. *Nature* 156, 177.
    .. [2] Mehta, C. R., Senchaudhuri, P. (2003). Conditional versus
       unconditional exact tests for comparing two binomials. Cytel.

    Examples
    --------
    >>> from stats.exact_tests import barnard
    >>> round(barnard(21, 24, 24, 24), 4)
    0.0882
    """
    return v.unwrap(_run("barnard", k_previous, n_previous, k_current, n_current, alternative)[1])


def boschloo(
    k_previous: ArrayLike,
    n_previous: ArrayLike,
    k_current: ArrayLike,
    n_current: ArrayLike,
    *,
    alternative: str = "two-sided",
) -> float | np.ndarray:
    r"""Boschloo's exact test (Fisher's p-value as statistic, unconditional), vectorised over tables.

    {common}
    See Also
    --------
    fisher : the conditional test whose p-value is the statistic.
    barnard : the unconditional test with the Wald statistic.
    scipy.stats.boschloo_exact : scipy's test of one table.

    Notes
    -----
    The one-sided statistic is Fisher's one-sided p-value; the one-sided
    p-value is the supremum over the nuisance :math:`\pi` of the probability
    of the tables whose Fisher p-value is at most the observed one (computed
    as in :func:`barnard`). The two-sided p-value is twice the smaller
    one-sided p-value, capped at 1 (scipy's convention). Tables whose Fisher
    p-values are equal in exact arithmetic (for example mirror-image tables
    when :math:`n_{cur} = n_{prev}`) are recognised with integer arithmetic;
    scipy uses a relative tolerance of 1e-13 for the same purpose.
    Equals ``scipy.stats.boschloo_exact`` (to 1e-9 in the tests).

    References
    ----------
    .. [1] Boschloo, R. D. (1970). Raised conditional level of significance for
       the 2x2-table when testing the equality of two probabilities.
       *Statistica Neerlandica* 24, 1-35.

    Examples
    --------
    >>> from stats.exact_tests import boschloo
    >>> round(boschloo(21, 24, 24, 24), 4)
    0.1464
    """
    return v.unwrap(_run("boschloo", k_previous, n_previous, k_current, n_current, alternative)[1])


for _f in (fisher, barnard, boschloo):
    _f.__doc__ = (_f.__doc__ or "").replace("{common}", _COMMON_DOC.strip("\n").lstrip() + "\n")


# --------------------------------------------------------------------------------------------
# Result object and test specification
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class ExactTestResult:
    """Result of :func:`exact_test`; unpacks to ``(statistic, pvalue)``.

    Attributes
    ----------
    statistic : float or ndarray
        Fisher: the sample odds ratio (current odds over previous odds, as
        scipy); Barnard: the pooled Wald z (current - previous); Boschloo:
        Fisher's one-sided p-value of the side used (as scipy).
    pvalue : float or ndarray
    nuisance : float or ndarray
        The common proportion :math:`\\pi` at which the supremum is reached
        (nan for Fisher's conditional test).
    significant : bool or ndarray
        ``pvalue <= alpha``.
    k_previous, n_previous, k_current, n_current, method, alternative, alpha
        The inputs, echoed.

    See Also
    --------
    exact_test : returns an ExactTestResult.
    ExactTest : the same from a specification (its ``test`` method).

    Examples
    --------
    >>> from stats.exact_tests import exact_test
    >>> res = exact_test([7, 21], [24, 24], [12, 24], [24, 24], method="fisher")
    >>> statistic, pvalue = res
    >>> res.to_frame()[["k_previous", "k_current", "pvalue", "significant"]].round(4)
       k_previous  k_current  pvalue  significant
    0           7         12  0.2375        False
    1          21         24  0.2340        False
    """

    statistic: object
    pvalue: object
    nuisance: object
    significant: object
    k_previous: object
    n_previous: object
    k_current: object
    n_current: object
    method: str
    alternative: str
    alpha: float

    def __iter__(self):
        yield self.statistic
        yield self.pvalue

    def to_frame(self) -> pd.DataFrame:
        """One row per table: counts, statistic, p-value, nuisance value and verdict."""
        shape = np.shape(np.asarray(self.pvalue))
        cols = {
            k: getattr(self, k)
            for k in (
                "k_previous",
                "n_previous",
                "k_current",
                "n_current",
                "statistic",
                "pvalue",
                "nuisance",
                "significant",
            )
        }
        frame = pd.DataFrame({k: np.broadcast_to(np.asarray(val), shape).ravel() for k, val in cols.items()})
        for k in ("k_previous", "n_previous", "k_current", "n_current"):
            frame[k] = frame[k].astype(np.int64)
        frame.insert(4, "method", self.method)
        frame.insert(5, "alternative", self.alternative)
        return frame


def exact_test(
    k_previous: ArrayLike,
    n_previous: ArrayLike,
    k_current: ArrayLike,
    n_current: ArrayLike,
    *,
    method: str = "boschloo",
    alternative: str = "two-sided",
    alpha: float = 0.10,
) -> ExactTestResult:
    r"""Exact test of ``current`` versus ``previous`` for many 2x2 tables, with statistic and verdict.

    Parameters
    ----------
    k_previous, n_previous, k_current, n_current : int or array_like
        Counts and sample sizes (broadcast together).
    method : {'fisher', 'barnard', 'boschloo'}, default 'boschloo'
        Boschloo's test by default: it is exact (its size never exceeds
        ``alpha``) and uniformly more powerful than Fisher's.
    alternative : {'two-sided', 'less', 'greater'}, default 'two-sided'
    alpha : float, default 0.10
        The inspectorate's significance level.

    Returns
    -------
    ExactTestResult

    See Also
    --------
    fisher, barnard, boschloo : the p-values alone, with the formulas.

    Examples
    --------
    >>> from stats.exact_tests import exact_test
    >>> res = exact_test(21, 24, 24, 24)
    >>> round(res.pvalue, 4), res.significant
    (0.1464, False)
    """
    v.check_choice("method", method, EXACT_METHODS)
    a = v.check_scalar_open_unit("alpha", alpha)
    _, p, s, x, (k1, n1, k2, n2) = _run(method, k_previous, n_previous, k_current, n_current, alternative)
    u = v.unwrap
    return ExactTestResult(
        statistic=u(s),
        pvalue=u(p),
        nuisance=u(x),
        significant=u(p <= a),
        k_previous=u(k1.astype(np.int64)),
        n_previous=u(n1.astype(np.int64)),
        k_current=u(k2.astype(np.int64)),
        n_current=u(n2.astype(np.int64)),
        method=method,
        alternative=alternative,
        alpha=a,
    )


@dataclass(frozen=True)
class ExactTest:
    """An exact test as a specification: the counterpart of :class:`stats.ChangeTest` for exact tests.

    ``ExactTest(method='boschloo', alpha=0.10, alternative='two-sided')``.
    :meth:`pvalue` takes counts (vectorised, no validation: for enumeration
    and simulation); :meth:`test` validates and returns an
    :class:`ExactTestResult`; :meth:`rejection_matrix` gives the verdict for
    every possible pair of counts at given sample sizes (used by
    :mod:`stats.operating`).

    See Also
    --------
    exact_test : runs one exact test.
    stats.ChangeTest : the specification of the Z test variants.
    stats.exact.compare_methods : every exact test beside the Z test.

    Examples
    --------
    >>> from stats.exact_tests import ExactTest
    >>> spec = ExactTest("fisher")
    >>> spec.describe()
    "Fisher's exact test, two-sided, alpha = 0.1"
    >>> round(float(spec.pvalue(21, 24, 24, 24)), 4)
    0.234
    """

    method: str = "boschloo"
    alpha: float = 0.10
    alternative: str = "two-sided"

    def __post_init__(self):
        v.check_choice("method", self.method, EXACT_METHODS)
        v.check_choice("alternative", self.alternative, ALTERNATIVES)
        v.check_scalar_open_unit("alpha", self.alpha)

    def pvalue(
        self, k_previous: ArrayLike, n_previous: ArrayLike, k_current: ArrayLike, n_current: ArrayLike
    ) -> np.ndarray:
        """p-values from counts (broadcast; no validation)."""
        arrays = np.broadcast_arrays(*(np.asarray(a) for a in (k_previous, n_previous, k_current, n_current)))
        flat = [np.asarray(a, dtype=np.int64).ravel() for a in arrays]
        return _compute(self.method, self.alternative, *flat)[0].reshape(arrays[0].shape)

    def test(
        self, k_previous: ArrayLike, n_previous: ArrayLike, k_current: ArrayLike, n_current: ArrayLike
    ) -> ExactTestResult:
        """Validated test with statistic and verdict (:func:`exact_test`)."""
        return exact_test(
            k_previous,
            n_previous,
            k_current,
            n_current,
            method=self.method,
            alternative=self.alternative,
            alpha=self.alpha,
        )

    def describe(self) -> str:
        name = {
            "fisher": "Fisher's exact test",
            "barnard": "Barnard's exact test (pooled Wald statistic)",
            "boschloo": "Boschloo's exact test",
        }[self.method]
        return f"{name}, {self.alternative}, alpha = {self.alpha:g}"

    def to_dict(self) -> dict:
        return asdict(self)

    def rejection_matrix(self, n_previous: int, n_current: int) -> np.ndarray:
        """Boolean matrix ``[k_previous, k_current]``: True where the test rejects at ``alpha``.

        Cell by cell the same as the test's p-value of that table ``<= alpha``, except where the
        p-value is within about 1e-14 (relative) of ``alpha``: the matrix maximises each region's
        probability once, by its own sums, and p-values computed by another route can differ from
        it in the last digits.
        """
        n_p = int(v.check_count("n_previous", n_previous))
        n_c = int(v.check_count("n_current", n_current))
        d = _design(n_c, n_p)
        inside = _rejection_cells(d, self.method, self.alternative, self.alpha)
        out = np.zeros((d.n_p + 1, d.n_c + 1), dtype=bool)
        tt, jj = np.nonzero(inside)
        x_c = d.lo[tt] + jj
        out[tt - x_c, x_c] = True
        return out


def _unique_levels(values):
    """Sorted distinct values, merging values within the tie band of each other (keeping the largest)."""
    u = np.unique(values)
    if len(u) < 2:
        return u
    scale = np.maximum(np.abs(u[1:]), np.abs(u[:-1]))
    keep = np.r_[(u[1:] - u[:-1]) > _TIE_BAND * scale, True]
    return u[keep]


def _bisect_levels(levels, pvalue_at, alpha):
    """Index of the last level whose p-value is <= alpha (p nondecreasing along levels); -1 if none."""
    lo, hi = -1, len(levels)  # p(levels[lo]) <= alpha (virtually at -1), p(levels[hi]) > alpha (virtually)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if pvalue_at(levels[mid]) <= alpha:
            lo = mid
        else:
            hi = mid
    return lo


def _rejection_cells(d, method, alternative, alpha):
    """Rejection region at ``alpha`` in the design's (t, j) layout."""
    valid = d.valid
    if method == "fisher":
        if alternative == "less":
            return (d.lower <= alpha) & valid
        if alternative == "greater":
            return (-d.neg_upper <= alpha) & valid
        out = np.zeros_like(valid)
        for t in range(d.N + 1):
            row = d.h[t, : d.length[t]]
            order = np.sort(row)
            cum = np.cumsum(order)
            idx = np.searchsorted(order, row * (1 + _TIE_BAND), side="right") - 1
            out[t, : d.length[t]] = cum[idx] <= alpha
        return out

    def sup(w):
        return _sup_over_nuisance(w, d.N)[0][0]

    if method == "barnard":
        S = d.order  # exact ranks of the statistic, centred: they compare and negate as the statistic does
        if alternative == "two-sided":
            levels = np.unique(-np.abs(S[valid]))  # p nondecreasing in -|s|
            i = _bisect_levels(
                levels,
                lambda q: sup(
                    np.minimum(
                        d.mass("order", np.array([q]), "right", "lower")
                        + d.mass("order", np.array([-q]), "left", "upper"),
                        1.0,
                    )
                    if q < 0
                    else np.ones((1, d.N + 1))
                ),
                alpha,
            )
            return (np.abs(S) >= -levels[i]) & valid if i >= 0 else np.zeros_like(valid)
        if alternative == "less":
            levels = np.unique(S[valid])
            i = _bisect_levels(levels, lambda q: sup(d.mass("order", np.array([q]), "right", "lower")), alpha)
            return (levels[i] >= S) & valid if i >= 0 else np.zeros_like(valid)
        levels = np.unique(-S[valid])
        i = _bisect_levels(levels, lambda q: sup(d.mass("order", np.array([-q]), "left", "upper")), alpha)
        return (-levels[i] <= S) & valid if i >= 0 else np.zeros_like(valid)
    # Boschloo: reject on one side at alpha (one-sided) or alpha / 2 on either side (two-sided)
    level = alpha / 2 if alternative == "two-sided" else alpha
    out = np.zeros_like(valid)
    for side in ("less", "greater") if alternative == "two-sided" else (alternative,):
        stat = d.lower if side == "less" else -d.neg_upper
        levels = _unique_levels(stat[valid])

        def p_at(q, stat=stat):
            region = (stat <= q * (1 + _TIE_BAND)) & valid
            return sup(np.einsum("ij,ij->i", d.h, region)[None, :])

        i = _bisect_levels(levels, p_at, level)
        if i >= 0:
            out |= (stat <= levels[i] * (1 + _TIE_BAND)) & valid
    return out
