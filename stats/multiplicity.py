"""Multiple testing: how many of a table's significant changes survive adjustment?

The report tests about 50 comparable prompts at alpha = 0.1: if nothing had
changed, about 5 would still be called significant.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import _validation as v
from .change import ChangeTest, spec_of

__all__ = ["adjust", "expected_false_positives", "ADJUST_METHODS"]

#: Methods of statsmodels ``multipletests``.
ADJUST_METHODS = (
    "bonferroni", "sidak", "holm-sidak", "holm", "simes-hochberg", "hommel",
    "fdr_bh", "fdr_by", "fdr_tsbh", "fdr_tsbky",
)


def _level(labelled: pd.DataFrame, alpha) -> float:
    """``alpha`` if given, else the labelled table's test level (``ChangeTest().alpha`` for a bare table)."""
    if alpha is not None:
        return v.check_scalar_open_unit("alpha", alpha)
    if isinstance(labelled, pd.DataFrame) and "change_test" in labelled.attrs:
        return spec_of(labelled).alpha
    return ChangeTest().alpha


def adjust(labelled: pd.DataFrame, *, method="fdr_bh", alpha=None, pvalue="pvalue") -> pd.DataFrame:
    """Adjust a labelled table's p-values for multiple testing.

    Parameters
    ----------
    labelled : pandas.DataFrame
        Output of :func:`stats.label_changes` (or any table with a p-value column).
    method : str, default 'fdr_bh'
        Any method of statsmodels ``multipletests``: 'bonferroni', 'holm',
        'fdr_bh' (Benjamini-Hochberg false discovery rate), ...
    alpha : float, optional
        Family-wise error rate or false discovery rate to control; default the
        level of the table's test (``attrs['change_test']``), 0.1 for a bare table.
    pvalue : str, default 'pvalue'
        Column of raw p-values; missing values mark untestable rows.

    Returns
    -------
    pandas.DataFrame
        A copy with ``pvalue_adjusted`` (nan where untestable) and
        ``significant_adjusted`` (nullable boolean, <NA> where untestable).

    Notes
    -----
    statsmodels ``multipletests`` is applied to the testable rows only, so
    untestable rows stay untestable and never change the others (given a
    nan, statsmodels returns all-nan adjusted values; its issue #2899). The
    family is the set of testable rows in ``labelled``.

    Examples
    --------
    >>> import pandas as pd
    >>> from stats.multiplicity import adjust
    >>> t = pd.DataFrame({"pvalue": [0.01, 0.04, 0.03, 0.2, 0.5, float("nan")]})
    >>> adjust(t)["significant_adjusted"].tolist()
    [True, True, True, False, False, <NA>]
    """
    from statsmodels.stats.multitest import multipletests

    if not isinstance(labelled, pd.DataFrame):
        raise TypeError(f"labelled must be a pandas DataFrame (got {type(labelled).__name__}).")
    v.check_choice("method", method, ADJUST_METHODS)
    a = _level(labelled, alpha)
    if pvalue not in labelled.columns:
        raise ValueError(f"labelled has no column {pvalue!r}; pass the output of stats.label_changes.")
    p = pd.to_numeric(labelled[pvalue], errors="raise").to_numpy(dtype=float)
    ok = ~np.isnan(p)
    bad = ok & ((p < 0) | (p > 1))
    if bad.any():
        raise ValueError(f"column {pvalue!r} must hold p-values in [0, 1] ({v._first_bad(p, bad)}).")
    adjusted = np.full(len(p), np.nan)
    significant = pd.array([pd.NA] * len(p), dtype="boolean")
    if ok.any():
        reject, p_adj, _, _ = multipletests(p[ok], alpha=a, method=method)
        adjusted[ok] = p_adj
        significant[ok] = reject
    out = labelled.copy()
    out["pvalue_adjusted"] = adjusted
    out["significant_adjusted"] = pd.Series(significant, index=labelled.index)
    return out


def expected_false_positives(labelled: pd.DataFrame, *, alpha=None, pvalue="pvalue") -> float:
    """Expected number of rows called significant if nothing had changed.

    Each testable row is a test of size ``alpha``, so under the global null
    hypothesis the expected count is ``alpha * m`` for ``m`` testable rows
    (whatever the dependence between rows; the count's spread does depend on it).
    ``alpha`` defaults to the level of the table's test.

    Examples
    --------
    >>> import pandas as pd
    >>> from stats.multiplicity import expected_false_positives
    >>> expected_false_positives(pd.DataFrame({"pvalue": [0.2] * 51}))
    5.1
    """
    a = _level(labelled, alpha)
    if pvalue not in labelled.columns:
        raise ValueError(f"labelled has no column {pvalue!r}; pass the output of stats.label_changes.")
    return round(a * int(labelled[pvalue].notna().sum()), 12)
