"""Per-row cross-checks of the change test: Z variants and exact tests.

Near the significance threshold the verdict can depend on the test variant
(61/100 vs 49/100: p = 0.088 pooled, 0.118 with continuity correction). This
module runs every variant on every testable row and flags the rows whose
verdict at ``alpha`` is method sensitive.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from . import _validation as v
from .change import compare_proportions
from .tables import _parse_count_series, _parse_percent_series

__all__ = ["compare_methods", "counts_from_percent", "EXACT_CHOICES"]

EXACT_CHOICES = ("auto", "all", "borderline", "none")


def counts_from_percent(percent, n):
    r"""Whole counts behind published percentages: :math:`k = \lfloor p n / 100 + 1/2 \rfloor`.

    Rounds half up (as the published whole percentages appear to be rounded).
    Several counts can give the same published percentage; this is the one
    nearest to ``p n / 100``.

    Examples
    --------
    >>> from stats.exact import counts_from_percent
    >>> counts_from_percent([71, 43], [100, 85]).tolist()
    [71, 37]
    """
    p = np.asarray(percent, dtype=float)
    nn = np.asarray(n, dtype=float)
    return np.floor(p * nn / 100 + 0.5).astype(np.int64)


@lru_cache(maxsize=4096)
def _fisher(k1, n1, k2, n2):
    from scipy.stats import fisher_exact

    return float(fisher_exact([[k2, k1], [n2 - k2, n1 - k1]]).pvalue)


@lru_cache(maxsize=4096)
def _barnard(k1, n1, k2, n2):
    from scipy.stats import barnard_exact

    return float(barnard_exact([[k2, k1], [n2 - k2, n1 - k1]]).pvalue)


def compare_methods(labelled: pd.DataFrame, *, alpha=0.10, exact="auto", borderline=(0.02, 0.3),
                    small_n=50) -> pd.DataFrame:
    r"""Run the Z-test variants and exact tests on every testable row.

    Parameters
    ----------
    labelled : pandas.DataFrame
        A table with ``previous``, ``current`` (percent) and ``n_previous``,
        ``n_current`` (as for :func:`stats.label_changes`); optional
        ``previous_count`` / ``current_count`` are used where given.
    alpha : float, default 0.10
    exact : {'auto', 'all', 'borderline', 'none'}, default 'auto'
        Rows on which Barnard's exact test is run: where it matters
        ('auto': borderline rows and rows with a sample of at most
        ``small_n`` cases), every testable row, only borderline rows, or
        none. Fisher's test is cheap and always run. Results are cached per
        2x2 table.
    borderline : (float, float), default (0.02, 0.3)
        Pooled p-value range treated as borderline.
    small_n : int, default 50
        For 'auto': rows with ``min(n_previous, n_current) <= small_n``, where
        the normal approximation is weakest, get the exact test too.

    Returns
    -------
    pandas.DataFrame
        One row per testable input row (same index) with the counts used
        (``k_previous``, ``k_current``), p-values ``pooled``, ``unpooled``,
        ``continuity`` (Z variants, :func:`stats.compare_proportions`),
        ``fisher`` (scipy ``fisher_exact``, two-sided), ``barnard`` (scipy
        ``barnard_exact``, two-sided, Wald statistic with pooled variance;
        nan where not run), ``significant_pooled`` and ``method_sensitive``
        (True where the verdicts ``p <= alpha`` of the tests run differ).

    Notes
    -----
    Counts come from the percentages by :func:`counts_from_percent` (half
    up), unless count columns are given. Fisher's test conditions on both
    margins and is conservative; Barnard's unconditional test is usually
    closer to the nominal level. Barnard's test costs tens of milliseconds at
    n = 100 and grows fast with n (Boschloo's, not run here, about 22 s at
    n = 1000), hence ``exact='borderline'`` for large tables.

    Examples
    --------
    >>> import pandas as pd
    >>> from stats.exact import compare_methods
    >>> t = pd.DataFrame({"previous": [49], "current": [61], "n_previous": [100], "n_current": [100]})
    >>> bool(compare_methods(t)["method_sensitive"].iloc[0])
    True
    """
    a = v.check_scalar_open_unit("alpha", alpha)
    v.check_choice("exact", exact, EXACT_CHOICES)
    lo, hi = borderline
    prev = _parse_percent_series(labelled["previous"], "previous") if "previous" in labelled else None
    cur = _parse_percent_series(labelled["current"], "current") if "current" in labelled else None
    n1 = _parse_count_series(labelled["n_previous"], "n_previous", minimum=1)
    n2 = _parse_count_series(labelled["n_current"], "n_current", minimum=1)

    def counts(pct, col, n):
        known = pd.Series(False, index=labelled.index) if pct is None else pct.notna() & n.notna()
        est = pd.Series(np.nan, index=labelled.index)
        if known.any():
            est[known] = counts_from_percent(pct[known], n[known])
        if col in labelled.columns:
            given = _parse_count_series(labelled[col], col, minimum=0)
            est = given.where(given.notna(), est)
        return est

    k1 = counts(prev, "previous_count", n1)
    k2 = counts(cur, "current_count", n2)
    rows = k1.notna() & k2.notna() & n1.notna() & n2.notna()
    idx = labelled.index[rows]
    K1, N1, K2, N2 = (s[rows].to_numpy(dtype=np.int64) for s in (k1, n1, k2, n2))
    if ((K1 > N1) | (K2 > N2)).any():
        raise ValueError("a count exceeds its n in labelled; check the count and n columns.")
    P1, P2 = K1 / N1, K2 / N2
    out = pd.DataFrame(index=idx)
    out["k_previous"], out["n_previous"], out["k_current"], out["n_current"] = K1, N1, K2, N2
    out["pooled"] = np.asarray(compare_proportions(P1, N1, P2, N2, alpha=a).pvalue, dtype=float).reshape(-1)
    out["unpooled"] = np.asarray(compare_proportions(P1, N1, P2, N2, alpha=a, pooled=False).pvalue, dtype=float).reshape(-1)
    out["continuity"] = np.asarray(compare_proportions(P1, N1, P2, N2, alpha=a, continuity=True).pvalue, dtype=float).reshape(-1)
    out["fisher"] = [_fisher(*t) for t in zip(K1.tolist(), N1.tolist(), K2.tolist(), N2.tolist())]
    pooled_p = out["pooled"].to_numpy()
    near = (pooled_p >= lo) & (pooled_p <= hi)
    run = {
        "all": np.ones(len(out), bool),
        "borderline": near,
        "auto": near | (np.minimum(N1, N2) <= small_n),
        "none": np.zeros(len(out), bool),
    }[exact]
    out["barnard"] = [
        _barnard(*t) if r else np.nan for t, r in zip(zip(K1.tolist(), N1.tolist(), K2.tolist(), N2.tolist()), run)
    ]
    tests = out[["pooled", "unpooled", "continuity", "fisher", "barnard"]]
    verdicts = tests.le(a).where(tests.notna())
    out["significant_pooled"] = out["pooled"] <= a
    out["method_sensitive"] = verdicts.apply(lambda r: r.dropna().nunique() > 1, axis=1).astype(bool)
    return out
