"""Checks of published figures: which counts a whole percentage could come from, and
whether a label holds for every count the published figures allow.

The report publishes whole percentages, not counts, and not the number of cases
behind each prompt (some prompts apply only "in cases where it is needed"), nor
the previous inspection's sample. A published 74 % of "100 cases" may be 37/50,
39/53, ... or 74/100. :func:`feasible_counts` lists every count (k, n) that
publishes as a given figure under a stated rounding rule, in exact integer
arithmetic; :func:`robust_labels` runs the chosen test over every combination of
feasible counts at both inspections and says whether the label holds for all of
them, none, or depends on the counts.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from . import _validation as v
from ._labelled import carrier_of
from .change import ChangeTest, table_test
from .parse import parse_count_series, parse_percent_series, parse_table

if TYPE_CHECKING:
    from .reports import Report

__all__ = [
    "COUNT_SOURCES",
    "DEFAULT_MIN_SHARE",
    "DEFAULT_ROUNDING",
    "ROBUST_ALL",
    "ROBUST_DEPENDS",
    "ROBUST_INFEASIBLE",
    "ROBUST_LABELS",
    "ROBUST_NONE",
    "ROBUST_NO_DATA",
    "ROUNDINGS",
    "ImpliedCounts",
    "check_percentages",
    "count_bounds",
    "feasible_counts",
    "feasible_denominators",
    "implied_counts",
    "nearest_feasible",
    "report_rounding",
    "robust_labels",
    "round_percent",
    "table_rounding",
]

ROUNDINGS = ("half-up", "half-even")
#: Rounding assumed when a table does not state one: half up (Excel's ROUND, the usual rule for
#: published statistics). No published figure of the bundled report tells the two rules apart.
DEFAULT_ROUNDING = "half-up"
#: Default lower bound of the denominators tried, as a share of the stated sample (see robust_labels).
DEFAULT_MIN_SHARE = 0.5

# Verdicts of robust_labels: defined here once, shown by every view.
ROBUST_ALL = "significant for every feasible count"
ROBUST_NONE = "significant for no feasible count"
ROBUST_DEPENDS = "depends on the counts"
ROBUST_NO_DATA = "no comparable data"
#: A published figure that no count in the denominator range can produce (a data or range error).
ROBUST_INFEASIBLE = "no feasible count in the range"
ROBUST_LABELS = (ROBUST_ALL, ROBUST_NONE, ROBUST_DEPENDS, ROBUST_NO_DATA, ROBUST_INFEASIBLE)


def round_percent(k: ArrayLike, n: ArrayLike, rounding: str = DEFAULT_ROUNDING) -> int | np.ndarray:
    r"""Whole percentage of ``k`` out of ``n``, in exact integer arithmetic.

    ``'half-up'``: :math:`\lfloor (200k + n) / 2n \rfloor`, i.e. 12.5 -> 13.
    ``'half-even'``: ties go to the even whole number, 12.5 -> 12 (Python's and
    numpy's ``round``). No floating point is involved, so ties are exact.

    See Also
    --------
    count_bounds : the inverse: the counts that publish as a given percentage.
    report_rounding : the rule a report was published with.

    Examples
    --------
    >>> from stats.consistency import round_percent
    >>> round_percent(1, 8), round_percent(1, 8, "half-even"), round_percent(3, 8, "half-even")
    (13, 12, 38)
    """
    v.check_choice("rounding", rounding, ROUNDINGS)
    k = np.asarray(k, dtype=np.int64)
    n = np.asarray(n, dtype=np.int64)
    if rounding == "half-up":
        out = (200 * k + n) // (2 * n)
    else:
        q, r = np.divmod(100 * k, n)
        out = q + ((2 * r > n) | ((2 * r == n) & (q % 2 == 1)))
    return out.item() if out.ndim == 0 else out


def _bounds_units(units, scale, n, rounding, dtype=np.int64):
    r"""Unchecked, vectorised: (low, high) counts of n publishing as ``units / scale`` percent.

    ``units`` and ``scale`` are int64 arrays (a figure with d decimals is ``units``
    :math:`10^{-d}`-ths of a percent, ``scale`` :math:`= 10^d`); ``n`` broadcasts. :math:`100 k/n` rounds to the figure
    when :math:`n(2u - 1) \le 200 s k \le n(2u + 1)`, ties decided by the rule (the last digit's
    parity for half even). ``dtype=object`` computes in Python integers (no overflow).
    """
    units, scale, n = np.broadcast_arrays(
        np.asarray(units, dtype=dtype), np.asarray(scale, dtype=dtype), np.asarray(n, dtype=dtype)
    )
    a, b = n * (2 * units - 1), n * (2 * units + 1)
    den = 200 * scale
    low = -((-a) // den)
    high = b // den
    if rounding == "half-up":
        high = high - (den * high == b)
    else:
        odd = units % 2 == 1
        low = low + (odd & (den * low == a))
        high = high - (odd & (den * high == b))
    return np.maximum(low, 0), np.minimum(high, n)


def _check_percent(name: str, percent: object) -> int:
    p = v.as_float_array(name, percent)
    if p.ndim != 0 or not (0 <= p <= 100) or p != math.floor(p):
        raise ValueError(f"{name} must be a single whole percentage from 0 to 100 (got {percent!r}).")
    return int(p)


def count_bounds(percent: float, n: ArrayLike, rounding: str = DEFAULT_ROUNDING) -> tuple[np.ndarray, np.ndarray]:
    r"""Smallest and largest count k out of n that publish as ``percent`` (vectorised over n).

    Parameters
    ----------
    percent : int
        Published whole percentage p (0 to 100).
    n : int or array_like of int
        Numbers of cases.
    rounding : {'half-up', 'half-even'}, default 'half-up'

    Returns
    -------
    (low, high) : tuple of int ndarrays
        Every k with ``low <= k <= high`` publishes as p and no other does; ``low > high``
        where no count of n does.

    See Also
    --------
    round_percent : the forward rule, a count to its published percentage.
    feasible_counts : every (k, n) pair that publishes as the figure.
    implied_counts : the count chosen for a figure (the nearest feasible one).

    Notes
    -----
    :math:`100k/n` rounds to p when :math:`p - \tfrac12 \le 100k/n \le p + \tfrac12`, that is
    :math:`n(2p-1) \le 200k \le n(2p+1)`, with the ties (equalities) decided by the rule:
    half up keeps the lower tie and drops the upper one; half even keeps both ties when p
    is even and neither when p is odd. Integer arithmetic throughout.

    Examples
    --------
    >>> from stats.consistency import count_bounds
    >>> [b.tolist() for b in count_bounds(43, [85, 86, 300])]
    [[37, 37, 128], [36, 37, 130]]
    """
    v.check_choice("rounding", rounding, ROUNDINGS)
    p = _check_percent("percent", percent)
    n = np.asarray(n, dtype=np.int64)
    low, high = _bounds_units(p, 1, n, rounding)
    return (low, high) if n.ndim else (low.reshape(()), high.reshape(()))


def _check_range(n_min, n_max):
    hi = v.check_count("n_max", n_max)
    lo = v.check_count("n_min", n_min)
    if hi.ndim or lo.ndim:
        raise TypeError("n_min and n_max must be single whole numbers.")
    if lo > hi:
        raise ValueError(f"n_min must not exceed n_max (got n_min={int(lo)} > n_max={int(hi)}).")
    return int(lo), int(hi)


def _feasible_kn(p: int, lo: int, hi: int, rounding: str) -> tuple[np.ndarray, np.ndarray]:
    """Unchecked: every (k, n) with lo <= n <= hi publishing as p, ascending n then k."""
    n = np.arange(lo, hi + 1, dtype=np.int64)
    low, high = count_bounds(p, n, rounding)
    width = np.maximum(high - low + 1, 0)
    nn = np.repeat(n, width)
    start = np.repeat(low - np.cumsum(width) + width, width)
    k = start + np.arange(int(width.sum()), dtype=np.int64)
    return k, nn


def feasible_counts(percent: float, n_max: int, *, n_min: int = 1, rounding: str = DEFAULT_ROUNDING) -> pd.DataFrame:
    """Every count (k, n) with ``n_min <= n <= n_max`` that publishes as the whole percentage.

    Parameters
    ----------
    percent : int
        Published whole percentage (0 to 100).
    n_max : int
        Largest number of cases (for example the stated sample).
    n_min : int, default 1
        Smallest number of cases.
    rounding : {'half-up', 'half-even'}, default 'half-up'
        How the percentage was rounded (see :func:`round_percent`).

    Returns
    -------
    pandas.DataFrame
        Columns ``k``, ``n`` (ascending n, then k) and ``proportion`` (k/n); above n = 100
        several counts of one n can publish as the same figure.

    See Also
    --------
    feasible_denominators : the n alone.
    count_bounds : the counts of one n.
    check_percentages : the same question for a table's column.

    Notes
    -----
    Bounds from :func:`count_bounds`, in integer arithmetic; the tests check them
    against a brute-force enumeration of every k of every n.

    Examples
    --------
    >>> from stats.consistency import feasible_counts
    >>> feasible_counts(74, 54, n_min=49)[["k", "n"]].values.tolist()
    [[37, 50], [39, 53], [40, 54]]
    """
    p = _check_percent("percent", percent)
    v.check_choice("rounding", rounding, ROUNDINGS)
    lo, hi = _check_range(n_min, n_max)
    k, n = _feasible_kn(p, lo, hi, rounding)
    return pd.DataFrame({"k": k, "n": n, "proportion": k / n})


def feasible_denominators(
    percent: float, n_max: int, *, n_min: int = 1, rounding: str = DEFAULT_ROUNDING
) -> np.ndarray:
    """Every number of cases n for which some count k gives the published whole percentage.

    Parameters
    ----------
    percent : int
        Published whole percentage (0 to 100).
    n_max : int
        Largest n to consider (for example the stated sample).
    n_min : int, default 1
    rounding : {'half-up', 'half-even'}, default 'half-up'
        How the percentage was rounded (see :func:`round_percent`).

    Returns
    -------
    ndarray of int
        The n in ``[n_min, n_max]`` with some ``k`` in ``0..n`` such that
        ``round_percent(k, n) == percent``, ascending.

    See Also
    --------
    feasible_counts : the (k, n) pairs, not only the n.
    nearest_feasible : the largest feasible n up to the stated one, with its count.

    Examples
    --------
    >>> from stats.consistency import feasible_denominators
    >>> 24 in feasible_denominators(95, 24)
    False
    >>> feasible_denominators(95, 24).tolist()
    [19, 20, 21, 22]
    """
    p = _check_percent("percent", percent)
    lo, hi = _check_range(n_min, n_max)
    v.check_choice("rounding", rounding, ROUNDINGS)
    n = np.arange(lo, hi + 1, dtype=np.int64)
    low, high = count_bounds(p, n, rounding)
    return n[low <= high]


def nearest_feasible(percent: float, n: int, *, rounding: str = DEFAULT_ROUNDING) -> tuple[int, int]:
    """The count closest to the stated sample that publishes as ``percent``: ``(k, m)``.

    ``m`` is the largest number of cases not above ``n`` for which some count gives the
    published figure (``n`` itself when it can), and ``k`` the count of ``m`` nearest to
    ``percent * m / 100`` (the lower one on a tie): :func:`implied_counts` of one figure. These are
    the counts the exact tests of :func:`stats.exact.compare_methods` use: the stated sample where
    the figure is possible with it, otherwise the largest sub-sample that can produce it. Raises a ValueError when
    no n from 1 to ``n`` can.

    See Also
    --------
    implied_counts : the vectorised version, for many figures.
    stats.exact.counts_from_percent : the counts the exact tests use.

    Examples
    --------
    >>> from stats.consistency import nearest_feasible
    >>> nearest_feasible(87, 24), nearest_feasible(100, 24), nearest_feasible(74, 100)
    ((20, 23), (24, 24), (74, 100))
    """
    p = _check_percent("percent", percent)
    top = int(v.check_count("n", n))
    r = implied_counts(p, top, rounding=rounding)
    if r.source < 0:
        raise ValueError(f"no count of 1 to n = {top} cases publishes as {p}% ({rounding} rounding).")
    return int(r.count), int(r.n_used)


#: Where the counts behind a labelled row come from (column ``count_source`` of :func:`stats.label_changes`).
COUNT_GIVEN = "given"
COUNT_IMPLIED = "implied"
COUNT_LOWER_N = "implied at a lower n"
COUNT_FRACTIONAL = "fractional"
#: Every value of ``count_source`` (codes 0-3, in this order); rows without figures hold <NA>.
COUNT_SOURCES = (COUNT_GIVEN, COUNT_IMPLIED, COUNT_LOWER_N, COUNT_FRACTIONAL)

#: Most decimals of a published percentage read as its precision (71.25 % has two).
_MAX_DECIMALS = 6
#: Candidate smaller denominators tried per step of the vectorised search: few at first (most
#: figures impossible at n are possible a step or two below), then more.
_BLOCKS = (4, 64)


class ImpliedCounts(NamedTuple):
    """Counts behind published figures (arrays): ``count`` out of ``n_used``, and ``source`` codes.

    ``source`` indexes :data:`COUNT_SOURCES` (1 implied at the stated n, 2 at a lower n); -1 marks a
    figure no count of 1 to n cases can publish as (``count`` and ``n_used`` are then 0).

    See Also
    --------
    implied_counts : the function that returns it.
    stats.consistency.COUNT_SOURCES : the meaning of the ``source`` codes.

    Examples
    --------
    >>> from stats.consistency import implied_counts
    >>> r = implied_counts([45, 87], [85, 24])
    >>> r.count.tolist(), r.n_used.tolist(), r.source.tolist()
    ([38, 20], [85, 23], [1, 2])
    """

    # The field's public name shadows tuple.count (a method); mypy sees an override, callers a field.
    count: np.ndarray  # type: ignore[assignment]
    n_used: np.ndarray
    source: np.ndarray


def _figure_units(percent: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each figure as ``units / scale`` percent with ``scale = 10**d``, d its decimals (at most 6)."""
    rounded = np.rint(percent)
    whole = np.abs(percent - rounded) <= 1e-6
    units, scale = rounded.astype(np.int64), np.ones(percent.shape, dtype=np.int64)
    if not whole.all():  # the rest: the fewest decimals that represent the figure
        rest = np.flatnonzero(~whole)
        powers = 10.0 ** np.arange(1, _MAX_DECIMALS + 1)
        scaled = percent[rest, None] * powers
        exact = np.abs(scaled - np.rint(scaled)) <= 1e-6
        d = np.where(exact.any(axis=-1), exact.argmax(axis=-1) + 1, _MAX_DECIMALS)
        scale[rest] = 10**d
        units[rest] = np.rint(percent[rest] * scale[rest]).astype(np.int64)
    return units, scale


def _nearest_count(units, scale, n, low, high):
    """The count of n nearest ``units / scale`` percent of n (the lower on a tie), clipped to [low, high]."""
    den = 100 * scale
    k = -((den - 2 * units * n) // (2 * den))  # ceil(u n / den - 1/2): u n / den rounded, ties down
    return np.minimum(np.maximum(k, low), high)


def implied_counts(percent: ArrayLike, n: ArrayLike, *, rounding: str = DEFAULT_ROUNDING) -> ImpliedCounts:
    r"""The counts published figures imply: at n, the feasible count nearest the figure; else at a lower n.

    Vectorised (integer arithmetic, no loop over rows): ``percent`` and ``n`` broadcast.

    Parameters
    ----------
    percent : float or array_like
        Published percentages (0 to 100). A figure's precision is read from its decimals
        (71 is a whole percentage, 71.5 one decimal; at most six).
    n : int or array_like
        Stated numbers of cases (whole numbers >= 1).
    rounding : {'half-up', 'half-even'}, default 'half-up'
        The rule the figures were published with (:func:`round_percent`).

    Returns
    -------
    ImpliedCounts
        ``count``, ``n_used`` (int64 arrays) and ``source`` (1: at the stated n; 2: at the
        largest n below it at which some count publishes as the figure; -1: no count of 1 to n
        cases does, ``count`` and ``n_used`` 0).

    See Also
    --------
    nearest_feasible : one figure at a time.
    stats.tables.label_changes : tests these counts under ``ChangeTest(counts='implied')``.
    robust_labels : the verdict over every count the figures allow, not only the implied one.

    Notes
    -----
    At n the feasible counts are those k with ``round(100 k / n) == figure`` under the rule
    (:func:`count_bounds`, exact integer arithmetic); of them, the one nearest
    :math:`p n / 100` (the lower on a tie; only above n = 100 can there be several). Where no
    count of n publishes as the figure (43 % of 85: 36/85 publishes as 42 %, 37/85 as 44 %),
    the figure cannot come from n cases: the count is taken at the largest m < n at which one
    does (the prompt's unstated sub-sample, as :func:`check_percentages` reports). The tests
    check every count against a brute-force enumeration with exact fractions.

    Examples
    --------
    >>> from stats.consistency import implied_counts
    >>> r = implied_counts([45, 60, 87, 43], [85, 85, 24, 85])
    >>> r.count.tolist(), r.n_used.tolist(), r.source.tolist()
    ([38, 51, 20, 36], [85, 85, 23, 84], [1, 1, 2, 2])
    """
    v.check_choice("rounding", rounding, ROUNDINGS)
    pct = v.as_float_array("percent", percent)
    size = v.check_count("n", n)
    pct, size = np.broadcast_arrays(pct, size)
    bad = ~((pct >= 0) & (pct <= 100))
    if bad.any():
        raise ValueError(f"percent must hold percentages from 0 to 100 ({v.first_bad(pct, bad)}).")
    shape = pct.shape
    pct, size = pct.ravel(), size.ravel().astype(np.int64)
    units, scale = _figure_units(pct)
    # n (2 u + 1) must fit in int64; beyond (n above ~4e16 / 10**d), Python integers, row by row
    risky = size.astype(float) * (2 * units + 1).astype(float) > 2.0**62
    if risky.any():
        return _implied_counts_big(units, scale, size, rounding, risky, shape)
    low, high = _bounds_units(units, scale, size, rounding)
    m = size.copy()
    source = np.where(low <= high, 1, 2).astype(np.int8)
    todo = np.flatnonzero(low > high)
    top = size[todo] - 1  # largest denominator still to try, per row
    step = 0
    while todo.size:
        block = _BLOCKS[min(step, len(_BLOCKS) - 1)]
        step += 1
        cand = top[:, None] - np.arange(block, dtype=np.int64)  # descending candidates
        lo_c, hi_c = _bounds_units(units[todo, None], scale[todo, None], np.maximum(cand, 1), rounding)
        ok = (lo_c <= hi_c) & (cand >= 1)
        found = ok.any(axis=1)
        first = ok.argmax(axis=1)
        hit = todo[found]
        m[hit] = cand[found, first[found]]
        exhausted = ~found & (top - block < 1)
        source[todo[exhausted]] = -1
        m[todo[exhausted]] = 0
        keep = ~found & ~exhausted
        todo, top = todo[keep], top[keep] - block
    good = source > 0
    low, high = _bounds_units(units, scale, np.maximum(m, 1), rounding)
    k = np.where(good, _nearest_count(units, scale, np.maximum(m, 1), low, high), 0)
    return ImpliedCounts(k.reshape(shape), m.reshape(shape), source.reshape(shape))


def _implied_counts_big(
    units: np.ndarray,
    scale: np.ndarray,
    size: np.ndarray,
    rounding: str,
    risky: np.ndarray,
    shape: tuple[int, ...],
) -> ImpliedCounts:
    """:func:`implied_counts` with the huge-n rows in Python integers (every figure is possible at
    n > 100 * scale, so no smaller n is searched for them)."""
    ok = ~risky
    count = np.zeros(size.shape, dtype=np.int64)
    used = size.copy()
    source = np.ones(size.shape, dtype=np.int8)
    if ok.any():
        r = implied_counts(units[ok] / scale[ok], size[ok], rounding=rounding)
        count[ok], used[ok], source[ok] = r.count, r.n_used, r.source
    u, s, n = (x[risky].astype(object) for x in (units, scale, size))
    low, high = _bounds_units(u, s, n, rounding, dtype=object)
    den = 100 * s
    k = -((den - 2 * u * n) // (2 * den))
    k = np.minimum(np.maximum(k, low), high)
    count[risky] = k.astype(np.int64)
    return ImpliedCounts(count.reshape(shape), used.reshape(shape), source.reshape(shape))


def table_rounding(table: object, rounding: str | None = None) -> str:
    """The rounding rule to read a table's percentages with: ``rounding`` if given, else the table's own.

    A table's own rule is its carrier's (a table labelled by :func:`stats.label_changes`), else
    ``table.attrs['rounding']`` (set by the report loader), else :data:`DEFAULT_ROUNDING`. The
    result is checked against :data:`ROUNDINGS` (ValueError naming ``rounding`` otherwise).

    See Also
    --------
    report_rounding : the rule a report folder states.
    round_percent : the rule applied to a count.

    Examples
    --------
    >>> import pandas as pd
    >>> from stats.consistency import table_rounding
    >>> t = pd.DataFrame({"previous": [54], "current": [71]})
    >>> table_rounding(t), table_rounding(t, "half-even")
    ('half-up', 'half-even')
    """
    if rounding is None:
        carrier = carrier_of(table)
        if carrier is not None:
            rounding = carrier.rounding
        elif isinstance(table, pd.DataFrame):
            rounding = table.attrs.get("rounding", DEFAULT_ROUNDING)
        else:
            rounding = DEFAULT_ROUNDING
    return v.check_choice("rounding", rounding, ROUNDINGS)


def report_rounding(report: Report) -> str:
    """The rounding rule a report's percentages were published with (``samples.csv`` column ``rounding``).

    The bundled report states its rule in the ``rounding`` column of ``samples.csv`` (one value
    for the whole report); a report without the column gets :data:`DEFAULT_ROUNDING`.

    See Also
    --------
    round_percent : the rule applied to a count.
    stats.reports.load_report : the report whose ``samples.csv`` states the rule.

    Examples
    --------
    >>> import stats
    >>> from stats.consistency import report_rounding
    >>> report_rounding(stats.load_report())
    'half-up'
    """
    samples = report.samples
    if "rounding" not in samples.columns:
        return DEFAULT_ROUNDING
    values = sorted({str(x) for x in samples["rounding"].dropna()})
    if not values:
        return DEFAULT_ROUNDING
    if len(values) > 1:
        raise ValueError(
            f"samples.csv of report {report.name!r}, column 'rounding': one rule per report "
            f"is supported (got {values})."
        )
    return v.check_choice("samples.csv column 'rounding'", values[0], ROUNDINGS)


def check_percentages(
    table: pd.DataFrame,
    *,
    percent: str = "current",
    n: str = "n_current",
    rounding: str = DEFAULT_ROUNDING,
    n_min: int = 1,
) -> pd.DataFrame:
    """Is each published percentage possible with the stated sample? If not, which sub-samples?

    Parameters
    ----------
    table : pandas.DataFrame
        Rows with a percentage column and a stated-sample column.
    percent, n : str
        Column names (defaults: the current inspection).
    rounding : {'half-up', 'half-even'}
    n_min : int, default 1
        Smallest sub-sample considered.

    Returns
    -------
    pandas.DataFrame
        Same index, with ``percent``, ``n_stated``, ``feasible`` (the
        percentage can be k/n of the stated sample; <NA> where no percentage),
        ``n_feasible_max`` (the largest feasible n up to the stated sample) and
        ``n_feasible`` (every feasible n up to the stated sample, as a list).
        Rows that are not feasible must come from a sub-sample, whose margin
        of error is wider than the stated sample's.

    See Also
    --------
    feasible_denominators : the feasible n of one figure.
    implied_counts : the counts the labels are computed from.
    stats.audit.audit_wording : checks a report's words against its numbers.

    Examples
    --------
    >>> import pandas as pd
    >>> from stats.consistency import check_percentages
    >>> t = pd.DataFrame({"current": [87, 43, 44], "n_current": [24, 85, 85]})
    >>> check_percentages(t)[["n_stated", "feasible", "n_feasible_max"]]
       n_stated  feasible  n_feasible_max
    0        24     False              23
    1        85     False              84
    2        85      True              85
    """
    pct = parse_percent_series(table[percent], percent)
    stated = parse_count_series(table[n], n, minimum=1)
    whole = pct.notna() & (pct != np.floor(pct))
    if whole.any():
        where = whole.idxmax()
        raise ValueError(f"row {where}, column {percent!r}: feasibility needs a whole percentage (got {pct[where]!r}).")
    feasible: list[bool | None] = []
    n_max: list[int | None] = []
    lists: list[list[int]] = []
    for p, m in zip(pct, stated, strict=True):
        if np.isnan(p) or np.isnan(m):
            feasible.append(None)  # <NA> in the nullable arrays below
            n_max.append(None)
            lists.append([])
            continue
        ns = feasible_denominators(int(p), int(m), n_min=min(n_min, int(m)), rounding=rounding)
        feasible.append(bool(ns.size and ns[-1] == m))
        n_max.append(int(ns[-1]) if ns.size else None)
        lists.append(ns.tolist())
    return pd.DataFrame(
        {
            "percent": pct,
            "n_stated": stated.astype("Int64"),
            "feasible": pd.array(feasible, dtype="boolean"),
            "n_feasible_max": pd.array(n_max, dtype="Int64"),
            "n_feasible": lists,
        },
        index=table.index,
    )


def _bounds(
    name: str, given: object, stated: pd.Series, min_share: float, index: pd.Index
) -> tuple[np.ndarray, np.ndarray]:
    """Per-row (low, high) denominators: given (scalars, arrays or Series) or the default share rule."""
    if given is None:
        high = stated.to_numpy(dtype=float)
        low = np.ceil(min_share * high - 1e-9)
        return np.maximum(low, 1), high
    if not isinstance(given, (tuple, list)) or len(given) != 2:
        raise ValueError(f"{name} must be a pair (low, high) of whole numbers or per-row arrays (got {given!r}).")
    out = []
    for part, value in zip(("low", "high"), given, strict=True):
        if isinstance(value, pd.Series):
            if not value.index.equals(index):
                raise ValueError(f"{name} {part}: a Series must have the table's index.")
            value = value.to_numpy()
        arr = np.broadcast_to(np.asarray(value, dtype=float), (len(index),))
        bad = ~np.isnan(arr) & ((arr < 1) | (arr != np.floor(arr)))
        if bad.any():
            raise ValueError(f"{name} {part} must be whole numbers >= 1 ({v.first_bad(arr, bad)}).")
        out.append(arr)
    bad = out[0] > out[1]
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(f"{name}: low must not exceed high (got {out[0][i]:g} > {out[1][i]:g} at row {index[i]!r}).")
    return out[0], out[1]


def _side(p, count, n_stated, lo, hi, rounding, row, column):
    """Feasible (k, n) of one side of one row: the given count, or every count in [lo, hi]."""
    if not np.isnan(count):
        return np.array([int(count)]), np.array([int(n_stated)])
    pct = 100 * p
    whole = round(pct)
    if abs(pct - whole) > 1e-9:
        raise ValueError(
            f"row {row!r}, column {column!r}: counts behind a percentage need a whole "
            f"percentage (got {pct!r}); give the counts as {column}_count."
        )
    return _feasible_kn(int(whole), int(lo), int(hi), rounding)


def robust_labels(
    table: pd.DataFrame,
    test: ChangeTest | None = None,
    *,
    rounding: str | None = None,
    current_n: object = None,
    previous_n: object = None,
    min_share: float = DEFAULT_MIN_SHARE,
) -> pd.DataFrame:
    r"""Does a row's verdict hold for every count the published percentages allow?

    For each testable row, every combination ``(k_previous, n_previous, k_current,
    n_current)`` is tried in which both counts publish as the row's percentages under
    ``rounding`` and each n lies in its range; the chosen test's p-value is computed
    for all of them at once (:meth:`stats.ChangeTest.pvalue`, vectorised over every
    combination of every row).

    Parameters
    ----------
    table : pandas.DataFrame
        ``previous``, ``current`` (whole percent), ``n_previous``, ``n_current`` (the
        stated samples), read by :func:`stats.parse.parse_table`; where a row gives
        ``previous_count`` / ``current_count``, that side uses its count only.
    test : ChangeTest, optional
        Default: the table's ``attrs['change_test']`` if it was labelled, else ``ChangeTest()``.
    rounding : {'half-up', 'half-even'}, optional
        The rule the figures were published with; default the table's
        ``attrs['rounding']``, else :data:`DEFAULT_ROUNDING` ('half-up'). For a bundled
        report pass :func:`report_rounding`.
    current_n, previous_n : (low, high), optional
        Denominator ranges: whole numbers or per-row arrays/Series. Default, for each
        side: from ``ceil(min_share * n)`` to ``n``, n being the side's stated sample
        (``n_current``, ``n_previous``).
    min_share : float, default 0.5
        Smallest share of the stated sample a row's denominator may be, for the defaults.

    Returns
    -------
    pandas.DataFrame
        Same index: ``pvalue_min``, ``pvalue_max`` (over the combinations),
        ``robust_label`` (:data:`ROBUST_ALL`, :data:`ROBUST_NONE`,
        :data:`ROBUST_DEPENDS`, :data:`ROBUST_NO_DATA` or :data:`ROBUST_INFEASIBLE`),
        ``significant_from_n`` (the smallest m such that every combination with both n
        at least m is significant; <NA> where none is), ``combinations_tried``,
        ``combinations_significant`` and the ranges ``n_previous_low``, ``n_previous_high``,
        ``n_current_low``, ``n_current_high``. ``attrs`` hold the test and the rounding.

    See Also
    --------
    implied_counts : the one count per figure the labels use.
    stats.tables.label_changes : the labels whose robustness this checks.
    stats.exact.compare_methods : the verdict under other tests at the implied counts.

    Notes
    -----
    *Why these ranges.* The report states the sample behind each table (100
    case-supervision cases, 85 harm cases, ...), but a prompt that applies "in cases
    where it is needed" counts only those cases: 15 current prompt percentages of the bundled
    report cannot be any count of the stated sample. The true n is therefore at most
    the stated sample; the report names every sub-sample it uses for a whole table
    (post-release 42 of 100, harm 85 of 100), so a prompt's unstated sub-sample is taken
    to hold at least half the stated sample (``min_share``); ``significant_from_n`` shows
    how far down a verdict holds, so the bound is visible, and both ranges can be passed
    explicitly. The previous inspection used the same framework and the same
    sample-size rule, and its sample is not published: its n is assumed equal to the
    current one (``n_previous_source = 'assumed'``), so by default it gets the same range.
    The sample-size rule (80 % confidence, 5-point margin) gives at most 165 cases
    whatever the population; pass ``previous_n=(50, 165)`` to allow any previous sample
    the rule permits.

    *Direction.* Distinct whole percentages keep their order for every feasible count
    (the rounding intervals do not overlap), so a significant combination is always a
    change in the published direction.

    Examples
    --------
    >>> import pandas as pd
    >>> from stats.consistency import robust_labels
    >>> t = pd.DataFrame({"previous": [74], "current": [87], "n_previous": [100], "n_current": [100]})
    >>> r = robust_labels(t).iloc[0]
    >>> r["robust_label"], round(float(r["pvalue_max"]), 3), int(r["significant_from_n"])
    ('depends on the counts', 0.111, 53)
    """
    carrier = carrier_of(table)
    spec = table_test(table, test)  # the carrier's own test (attrs['change_test']), which test may repeat
    rounding = table_rounding(table, rounding)
    share = v.check_scalar_open_unit("min_share", min_share) if min_share != 1 else 1.0
    parsed = carrier.parsed_frame() if carrier else parse_table(table)
    index = table.index
    lo1, hi1 = _bounds("previous_n", previous_n, parsed["n_previous"], share, index)
    lo2, hi2 = _bounds("current_n", current_n, parsed["n_current"], share, index)

    rows = np.flatnonzero(parsed["testable"].to_numpy())
    parts: dict[str, list[np.ndarray]] = {name: [] for name in ("row", "k1", "n1", "k2", "n2")}
    infeasible = []
    for i in rows.tolist():
        r = parsed.iloc[i]
        k1, n1 = _side(
            r["previous"], r["previous_count"], r["n_previous"], lo1[i], hi1[i], rounding, index[i], "previous"
        )
        k2, n2 = _side(r["current"], r["current_count"], r["n_current"], lo2[i], hi2[i], rounding, index[i], "current")
        if k1.size == 0 or k2.size == 0:
            infeasible.append(i)
            continue
        a, b = k1.size, k2.size
        parts["row"].append(np.full(a * b, i))
        parts["k1"].append(np.repeat(k1, b))
        parts["n1"].append(np.repeat(n1, b))
        parts["k2"].append(np.tile(k2, a))
        parts["n2"].append(np.tile(n2, a))

    m = len(index)
    pvalue_min = np.full(m, np.nan)
    pvalue_max = np.full(m, np.nan)
    robust = np.full(m, ROBUST_NO_DATA, dtype=object)
    robust[infeasible] = ROBUST_INFEASIBLE
    from_n: pd.api.extensions.ExtensionArray = pd.array([pd.NA] * m, dtype="Int64")
    tried_rows = np.zeros(m, dtype=np.int64)
    significant_rows = np.zeros(m, dtype=np.int64)
    if parts["row"]:
        row, k1, n1, k2, n2 = (np.concatenate(parts[name]) for name in ("row", "k1", "n1", "k2", "n2"))
        pops = {}
        if spec.finite_population:
            pops = {
                "population_previous": parsed["population_previous"].to_numpy()[row],
                "population_current": parsed["population_current"].to_numpy()[row],
            }
        p = np.asarray(spec.pvalue(k1, n1, k2, n2, **pops), dtype=float)
        sig = p <= spec.alpha
        starts = np.flatnonzero(np.r_[True, row[1:] != row[:-1]])
        which = row[starts]
        tried = np.diff(np.r_[starts, row.size])
        n_sig = np.add.reduceat(sig.astype(np.int64), starts)
        both = np.minimum(n1, n2)
        # significant_from_n: one above the largest min(n) of a non-significant combination
        worst = np.maximum.reduceat(np.where(sig, 0, both), starts)
        top = np.maximum.reduceat(both, starts)
        first = np.minimum.reduceat(both, starts)
        frm = np.where(n_sig == tried, first, np.where(worst < top, worst + 1, -1))
        label = np.where(n_sig == tried, ROBUST_ALL, np.where(n_sig == 0, ROBUST_NONE, ROBUST_DEPENDS))
        pvalue_min[which] = np.minimum.reduceat(p, starts)
        pvalue_max[which] = np.maximum.reduceat(p, starts)
        robust[which] = label
        tried_rows[which] = tried
        significant_rows[which] = n_sig
        from_n = pd.Series(frm, index=index[which]).reindex(index).where(lambda s: s > 0).astype("Int64").array
    testable = parsed["testable"].to_numpy(dtype=bool)
    out = pd.DataFrame(
        {
            "pvalue_min": pvalue_min,
            "pvalue_max": pvalue_max,
            "robust_label": robust,
            "significant_from_n": from_n,
            "combinations_tried": tried_rows,
            "combinations_significant": significant_rows,
            **{
                name: pd.array(np.where(testable, bound, np.nan), dtype="Float64").astype("Int64")
                for name, bound in (
                    ("n_previous_low", lo1),
                    ("n_previous_high", hi1),
                    ("n_current_low", lo2),
                    ("n_current_high", hi2),
                )
            },
        },
        index=index,
    )
    out.attrs["change_test"] = spec
    out.attrs["rounding"] = rounding
    return out
