"""Checks of published figures: which denominators a percentage could come from, and
whether a label holds for every denominator the published figures allow.

The report publishes whole percentages but not the number of cases behind each
one. A percentage that no count out of the stated sample can produce must come
from a smaller sub-sample (with a wider margin); a change label computed with an
assumed n may or may not hold for the n that was really used.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from . import _validation as v
from .change import compare_proportions, resolve_test
from .parse import _parse_count_series, _parse_percent_series, parse_table

__all__ = [
    "ROUNDINGS",
    "round_percent",
    "feasible_denominators",
    "check_percentages",
    "robust_labels",
]

ROUNDINGS = ("half-up", "half-even")


def round_percent(k, n, rounding="half-up"):
    r"""Whole percentage of ``k`` out of ``n``, in exact integer arithmetic.

    ``'half-up'``: :math:`\lfloor (200k + n) / 2n \rfloor`, i.e. 12.5 -> 13.
    ``'half-even'``: ties go to the even whole number, 12.5 -> 12 (Python's and
    numpy's ``round``). No floating point is involved, so ties are exact.

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


def feasible_denominators(percent, n_max, *, n_min=1, rounding="half-up") -> np.ndarray:
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

    Examples
    --------
    >>> from stats.consistency import feasible_denominators
    >>> 24 in feasible_denominators(95, 24)
    False
    >>> feasible_denominators(95, 24).tolist()
    [19, 20, 21, 22]
    """
    p = v.as_float_array("percent", percent)
    if p.ndim != 0 or not (0 <= p <= 100) or p != math.floor(p):
        raise ValueError(f"percent must be a single whole percentage from 0 to 100 (got {percent!r}).")
    hi = v.check_count("n_max", n_max)
    lo = v.check_count("n_min", n_min)
    if hi.ndim or lo.ndim:
        raise TypeError("n_min and n_max must be single whole numbers.")
    if lo > hi:
        raise ValueError(f"n_min must not exceed n_max (got n_min={int(lo)} > n_max={int(hi)}).")
    v.check_choice("rounding", rounding, ROUNDINGS)
    n = np.arange(int(lo), int(hi) + 1, dtype=np.int64)
    # The only candidates are the counts nearest to p n / 100.
    centre = np.floor(p * n / 100).astype(np.int64)
    ok = np.zeros(len(n), dtype=bool)
    for offset in (-1, 0, 1, 2):
        k = centre + offset
        valid = (k >= 0) & (k <= n)
        ok |= valid & (round_percent(np.clip(k, 0, n), n, rounding) == int(p))
    return n[ok]


def check_percentages(table: pd.DataFrame, *, percent="current", n="n_current", rounding="half-up",
                      n_min=1) -> pd.DataFrame:
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
    """
    pct = _parse_percent_series(table[percent], percent)
    stated = _parse_count_series(table[n], n, minimum=1)
    whole = pct.notna() & (pct != np.floor(pct))
    if whole.any():
        where = whole.idxmax()
        raise ValueError(f"row {where}, column {percent!r}: feasibility needs a whole percentage (got {pct[where]!r}).")
    feasible, n_max, lists = [], [], []
    for p, m in zip(pct, stated):
        if np.isnan(p) or np.isnan(m):
            feasible.append(pd.NA)
            n_max.append(pd.NA)
            lists.append([])
            continue
        ns = feasible_denominators(int(p), int(m), n_min=min(n_min, int(m)), rounding=rounding)
        feasible.append(bool(ns.size and ns[-1] == m))
        n_max.append(int(ns[-1]) if ns.size else pd.NA)
        lists.append(ns.tolist())
    return pd.DataFrame(
        {"percent": pct, "n_stated": stated.astype("Int64"), "feasible": pd.array(feasible, dtype="boolean"),
         "n_feasible_max": pd.array(n_max, dtype="Int64"), "n_feasible": lists},
        index=table.index,
    )


def robust_labels(table: pd.DataFrame, test=None, *, rounding="half-up",
                  current_range=(0.5, 1.0), previous_range=(0.5, 1.5)) -> pd.DataFrame:
    r"""Does a row's significance hold for every denominator the published figures allow?

    For each testable row, every pair ``(n_previous, n_current)`` is tried
    where both published percentages are feasible (:func:`feasible_denominators`)
    and each n lies in its stated range, relative to the row's assumed n:
    ``current_range`` (default 0.5 to 1: the current n is the stated sample or
    a sub-sample of it) and ``previous_range`` (default 0.5 to 1.5: the
    previous sample is unknown). The chosen test is applied to the published
    proportions for every pair (vectorised).

    Parameters
    ----------
    table : pandas.DataFrame
        ``previous``, ``current`` (percent), ``n_previous``, ``n_current``.
    test : ChangeTest, optional
        The test; default the table's ``attrs['change_test']`` if it was
        labelled, else ``ChangeTest()``.
    rounding : {'half-up', 'half-even'}
    current_range, previous_range : (float, float)
        Multiples of the row's n bounding the denominators tried.

    Returns
    -------
    pandas.DataFrame
        Same index: ``robust_label`` is "significant for all feasible n",
        "significant for none", "depends on n" or "no comparable data";
        ``pairs_tested``, ``pairs_significant``; ``significant_from_n``: for
        "depends on n", the smallest m such that every tried pair with both
        n at least m is significant (<NA> if none); ``n_previous_range``,
        ``n_current_range``: the ranges tried, as text.
    """
    if test is None and "change_test" in table.attrs:
        from .change import spec_of

        test = spec_of(table)
    spec = resolve_test(test)
    for name, rng in (("current_range", current_range), ("previous_range", previous_range)):
        if len(rng) != 2 or not 0 < rng[0] <= rng[1]:
            raise ValueError(f"{name} must be (low, high) multiples with 0 < low <= high (got {rng!r}).")
    parsed = parse_table(table)
    prev, cur = 100 * parsed["previous"], 100 * parsed["current"]
    n1, n2 = parsed["n_previous"], parsed["n_current"]
    out = []
    for p1, p2, m1, m2 in zip(prev, cur, n1, n2):
        if np.isnan(p1) or np.isnan(p2) or np.isnan(m1) or np.isnan(m2):
            out.append(("no comparable data", 0, 0, pd.NA, "", ""))
            continue
        lo1, hi1 = max(1, math.ceil(previous_range[0] * m1)), max(1, math.floor(previous_range[1] * m1))
        lo2, hi2 = max(1, math.ceil(current_range[0] * m2)), max(1, math.floor(current_range[1] * m2))
        ns1 = feasible_denominators(int(round(p1)), hi1, n_min=min(lo1, hi1), rounding=rounding)
        ns2 = feasible_denominators(int(round(p2)), hi2, n_min=min(lo2, hi2), rounding=rounding)
        if ns1.size == 0 or ns2.size == 0:
            out.append(("no feasible n", 0, 0, pd.NA, f"{lo1}-{hi1}", f"{lo2}-{hi2}"))
            continue
        g1, g2 = np.meshgrid(ns1, ns2, indexing="ij")
        sig = np.asarray(compare_proportions(p1 / 100, g1, p2 / 100, g2, test=spec).significant)
        count = int(sig.sum())
        frm = pd.NA
        if count == sig.size:
            label = "significant for all feasible n"
        elif count == 0:
            label = "significant for none"
        else:
            label = "depends on n"
            both = np.minimum(g1, g2)
            for m in np.unique(both):
                if sig[both >= m].all():
                    frm = int(m)
                    break
        out.append((label, int(sig.size), count, frm, f"{lo1}-{hi1}", f"{lo2}-{hi2}"))
    frame = pd.DataFrame(out, columns=["robust_label", "pairs_tested", "pairs_significant", "significant_from_n",
                                       "n_previous_range", "n_current_range"], index=table.index)
    frame["significant_from_n"] = frame["significant_from_n"].astype("Int64")
    frame.attrs["change_test"] = spec
    return frame
