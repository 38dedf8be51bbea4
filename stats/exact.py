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
from .change import METHODS, compare_proportions, resolve_test
from .parse import parse_table

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


# The 2x2 table is [[k_current, k_previous], [n_current - k_current, n_previous - k_previous]]:
# scipy's 'greater' (first column's proportion, or odds ratio, larger) is current > previous,
# the same direction as ChangeTest(alternative='greater').
@lru_cache(maxsize=4096)
def _fisher(k1, n1, k2, n2, alternative="two-sided"):
    from scipy.stats import fisher_exact

    return float(fisher_exact([[k2, k1], [n2 - k2, n1 - k1]], alternative=alternative).pvalue)


@lru_cache(maxsize=4096)
def _barnard(k1, n1, k2, n2, alternative="two-sided"):
    from scipy.stats import barnard_exact

    return float(barnard_exact([[k2, k1], [n2 - k2, n1 - k1]], alternative=alternative).pvalue)


def compare_methods(labelled: pd.DataFrame, test=None, *, exact="auto", borderline=(0.02, 0.3),
                    small_n=50) -> pd.DataFrame:
    r"""Run the Z-test variants and exact tests on every testable row.

    Parameters
    ----------
    labelled : pandas.DataFrame
        A table with ``previous``, ``current`` (percent) and ``n_previous``,
        ``n_current`` (as for :func:`stats.label_changes`); optional
        ``previous_count`` / ``current_count`` are used where given. Parsed by
        :func:`stats.parse.parse_table`.
    test : ChangeTest, optional
        The chosen test: its alpha and alternative apply to every variant,
        and ``significant`` is its verdict. Default: the table's own
        specification (``attrs['change_test']``) if it was labelled, else
        ``ChangeTest()``.
    exact : {'auto', 'all', 'borderline', 'none'}, default 'auto'
        Rows on which Barnard's exact test is run: where it matters
        ('auto': borderline rows and rows with a sample of at most
        ``small_n`` cases), every testable row, only borderline rows, or
        none. Fisher's test is cheap and always run. Results are cached per
        2x2 table.
    borderline : (float, float), default (0.02, 0.3)
        p-value range of the chosen test treated as borderline.
    small_n : int, default 50
        For 'auto': rows with ``min(n_previous, n_current) <= small_n``, where
        the normal approximation is weakest, get the exact test too.

    Returns
    -------
    pandas.DataFrame
        One row per testable input row (same index) with the counts used
        (``k_previous``, ``k_current``), p-values of every Z variant named by
        its method (``pooled``, ``pooled-cc``, ``unpooled``, ``unpooled-cc``,
        with the test's alpha and alternative), ``fisher`` (scipy
        ``fisher_exact``), ``barnard`` (scipy ``barnard_exact``, Wald statistic
        with pooled variance; nan where not run), both with the test's
        alternative,
        ``significant`` (the chosen test's verdict, the same as the label's) and
        ``method_sensitive`` (True where the verdicts ``p <= alpha`` of the
        tests run differ). ``attrs['change_test']`` holds the test.

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
    if test is None and isinstance(labelled, pd.DataFrame) and "change_test" in labelled.attrs:
        from .change import spec_of

        test = spec_of(labelled)
    spec = resolve_test(test)
    a = spec.alpha
    v.check_choice("exact", exact, EXACT_CHOICES)
    lo, hi = borderline
    parsed = parse_table(labelled)
    n1, n2 = parsed["n_previous"], parsed["n_current"]

    def counts(prop, given, n):
        known = prop.notna() & n.notna()
        est = pd.Series(np.nan, index=labelled.index)
        if known.any():
            est[known] = counts_from_percent(100 * prop[known], n[known])
        return given.where(given.notna(), est)

    k1 = counts(parsed["previous"], parsed["previous_count"], n1)
    k2 = counts(parsed["current"], parsed["current_count"], n2)
    rows = parsed["testable"]
    idx = labelled.index[rows]
    K1, N1, K2, N2 = (s[rows].to_numpy(dtype=np.int64) for s in (k1, n1, k2, n2))
    P1, P2 = K1 / N1, K2 / N2
    out = pd.DataFrame(index=idx)
    out["k_previous"], out["n_previous"], out["k_current"], out["n_current"] = K1, N1, K2, N2
    for method in METHODS:
        variant = spec.replace(method=method)
        out[method] = np.asarray(compare_proportions(P1, N1, P2, N2, test=variant).pvalue, dtype=float).reshape(-1)
    alt = spec.alternative
    out["fisher"] = [_fisher(*t, alt) for t in zip(K1.tolist(), N1.tolist(), K2.tolist(), N2.tolist())]
    pooled_p = out[spec.method].to_numpy()
    near = (pooled_p >= lo) & (pooled_p <= hi)
    run = {
        "all": np.ones(len(out), bool),
        "borderline": near,
        "auto": near | (np.minimum(N1, N2) <= small_n),
        "none": np.zeros(len(out), bool),
    }[exact]
    out["barnard"] = [
        _barnard(*t, alt) if r else np.nan for t, r in zip(zip(K1.tolist(), N1.tolist(), K2.tolist(), N2.tolist()), run)
    ]
    tests = out[[*METHODS, "fisher", "barnard"]]
    verdicts = tests.le(a).where(tests.notna())
    out["significant"] = out[spec.method] <= a
    out["method_sensitive"] = verdicts.apply(lambda r: r.dropna().nunique() > 1, axis=1).astype(bool)
    out.attrs["change_test"] = spec
    return out
