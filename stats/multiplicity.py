"""Multiple testing: how many of a table's significant changes survive adjustment?

The report tests about 50 comparable prompts at alpha = 0.1: if nothing had
changed, about 5 would still be called significant.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import _validation as v
from .change import ChangeTest, spec_of

__all__ = ["adjust", "expected_false_positives", "qvalues", "multiplicity_summary", "ADJUST_METHODS", "FDR_METHOD"]

#: Methods of statsmodels ``multipletests``.
ADJUST_METHODS = (
    "bonferroni",
    "sidak",
    "holm-sidak",
    "holm",
    "simes-hochberg",
    "hommel",
    "fdr_bh",
    "fdr_by",
    "fdr_tsbh",
    "fdr_tsbky",
)
#: The false discovery rate method of the main job: Benjamini-Hochberg.
FDR_METHOD = "fdr_bh"


def _level(labelled: object, alpha: float | None) -> float:
    """``alpha`` if given, else the labelled table's test level (``ChangeTest().alpha`` for a bare table)."""
    if alpha is not None:
        return v.check_scalar_open_unit("alpha", alpha)
    if isinstance(labelled, pd.DataFrame) and "change_test" in labelled.attrs:
        return spec_of(labelled).alpha
    return ChangeTest().alpha


def adjust(
    labelled: pd.DataFrame, *, method: str = "fdr_bh", alpha: float | None = None, pvalue: str = "pvalue"
) -> pd.DataFrame:
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

    See Also
    --------
    qvalues : each row's q-value and whether it survives the false discovery rate.
    multiplicity_summary : the report-level line.
    statsmodels.stats.multitest.multipletests : the adjustment used.

    Notes
    -----
    statsmodels ``multipletests`` is applied to the testable rows only, so
    untestable rows stay untestable and never change the others (given a
    nan, statsmodels returns all-nan adjusted values; its issue #2899). The
    family is the set of testable rows in ``labelled``.

    References
    ----------
    .. [1] Benjamini, Y., Hochberg, Y. (1995). Controlling the false discovery rate: a
       practical and powerful approach to multiple testing. *Journal of the Royal
       Statistical Society B* 57, 289-300.
    .. [2] Holm, S. (1979). A simple sequentially rejective multiple test procedure.
       *Scandinavian Journal of Statistics* 6, 65-70.

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
        raise ValueError(f"column {pvalue!r} must hold p-values in [0, 1] ({v.first_bad(p, bad)}).")
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


def expected_false_positives(labelled: pd.DataFrame, *, alpha: float | None = None, pvalue: str = "pvalue") -> float:
    """Expected number of rows called significant if nothing had changed.

    Each testable row is a test of size ``alpha``, so under the global null
    hypothesis the expected count is ``alpha * m`` for ``m`` testable rows
    (whatever the dependence between rows; the count's spread does depend on it).
    ``alpha`` defaults to the level of the table's test.

    See Also
    --------
    multiplicity_summary : this number beside the count of significant rows.

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


def qvalues(
    labelled: pd.DataFrame, *, method: str = FDR_METHOD, alpha: float | None = None, pvalue: str = "pvalue"
) -> pd.DataFrame:
    r"""Each row's q-value and whether it survives false discovery rate control.

    The q-value of a row is its Benjamini-Hochberg adjusted p-value over the testable
    rows of ``labelled`` (the family): the smallest false discovery rate at which the
    row would be called significant. Thin wrapper of :func:`adjust`.

    Returns
    -------
    pandas.DataFrame
        Same index: ``qvalue`` (nan where untestable) and ``significant_fdr``
        (``qvalue <= alpha``; nullable boolean, <NA> where untestable).

    See Also
    --------
    adjust : adjusted p-values under any ``multipletests`` method.
    statsmodels.stats.multitest.fdrcorrection : Benjamini-Hochberg, which ``method='fdr_bh'`` uses.

    Notes
    -----
    BH: with the m testable p-values sorted, :math:`p_{(1)} \le \dots \le p_{(m)}`,
    :math:`q_{(i)} = \min_{j \ge i} \min(1, m\,p_{(j)}/j)`; rows with
    :math:`q \le \alpha` are rejected, which keeps the expected share of false
    discoveries among them at most :math:`\alpha` for independent or positively
    dependent tests (Benjamini and Hochberg 1995; Benjamini and Yekutieli 2001).
    Equal to statsmodels ``multipletests(method='fdr_bh')`` and R ``p.adjust(method='BH')``.

    References
    ----------
    .. [1] Benjamini, Y., Hochberg, Y. (1995). Controlling the false discovery rate: a
       practical and powerful approach to multiple testing. *JRSS B* 57, 289-300.
    .. [2] Benjamini, Y., Yekutieli, D. (2001). The control of the false discovery rate
       in multiple testing under dependency. *Annals of Statistics* 29, 1165-1188.

    Examples
    --------
    >>> import pandas as pd
    >>> from stats.multiplicity import qvalues
    >>> qvalues(pd.DataFrame({"pvalue": [0.01, 0.04, 0.03, 0.2, 0.5]}))["qvalue"].round(4).tolist()
    [0.05, 0.0667, 0.0667, 0.25, 0.5]
    """
    if method != FDR_METHOD:
        out = adjust(labelled, method=method, alpha=alpha, pvalue=pvalue)
        return pd.DataFrame(
            {"qvalue": out["pvalue_adjusted"], "significant_fdr": out["significant_adjusted"]}, index=labelled.index
        )
    # BH in numpy (the main job does not import statsmodels); the tests compare it with statsmodels and R.
    if not isinstance(labelled, pd.DataFrame):
        raise TypeError(f"labelled must be a pandas DataFrame (got {type(labelled).__name__}).")
    if pvalue not in labelled.columns:
        raise ValueError(f"labelled has no column {pvalue!r}; pass the output of stats.label_changes.")
    a = _level(labelled, alpha)
    p = pd.to_numeric(labelled[pvalue], errors="raise").to_numpy(dtype=float)
    ok = ~np.isnan(p)
    bad = ok & ((p < 0) | (p > 1))
    if bad.any():
        raise ValueError(f"column {pvalue!r} must hold p-values in [0, 1] ({v.first_bad(p, bad)}).")
    q = np.full(len(p), np.nan)
    if ok.any():
        x = p[ok]
        order = np.argsort(x, kind="stable")
        m = x.size
        stepped = np.minimum.accumulate((x[order] * m / np.arange(1, m + 1))[::-1])[::-1]
        q_ok = np.empty(m)
        q_ok[order] = np.minimum(stepped, 1.0)
        q[ok] = q_ok
    significant = pd.array(np.where(ok, q <= a, False), dtype="boolean")
    significant[~ok] = pd.NA
    return pd.DataFrame({"qvalue": q, "significant_fdr": significant}, index=labelled.index)


def multiplicity_summary(
    labelled: pd.DataFrame,
    *,
    method: str = FDR_METHOD,
    alpha: float | None = None,
    pvalue: str = "pvalue",
    significant: str = "significant",
) -> pd.Series:
    """The main job's multiplicity line: tests, expected false positives, significant rows, survivors.

    Returns
    -------
    pandas.Series
        ``tests`` (testable rows: the family), ``expected_false_positives`` (alpha x tests,
        :func:`expected_false_positives`), ``significant`` (rows significant at alpha),
        ``survive_fdr`` (of those, rows with q-value at most the level), ``fdr_method``
        and ``fdr_level`` (the level: the test's alpha unless given).

    See Also
    --------
    expected_false_positives : the expected count under no change.
    qvalues : the rows that survive false discovery rate control.

    Examples
    --------
    >>> import stats
    >>> from stats.multiplicity import multiplicity_summary
    >>> s = multiplicity_summary(stats.label_changes(stats.load_report().prompts))
    >>> s.to_dict()
    {'tests': 51, 'expected_false_positives': 5.1, 'significant': 17, 'survive_fdr': 9,
     'fdr_method': 'fdr_bh', 'fdr_level': 0.1}
    """
    q = qvalues(labelled, method=method, alpha=alpha, pvalue=pvalue)
    level = _level(labelled, alpha)
    if significant in labelled.columns:
        sig = labelled[significant].fillna(False).astype(bool)
    else:
        sig = labelled[pvalue].le(level)
    return pd.Series(
        {
            "tests": int(labelled[pvalue].notna().sum()),
            "expected_false_positives": expected_false_positives(labelled, alpha=alpha, pvalue=pvalue),
            "significant": int(sig.sum()),
            "survive_fdr": int((sig & q["significant_fdr"].fillna(False).astype(bool)).sum()),
            "fdr_method": method,
            "fdr_level": level,
        },
        name="multiplicity",
        dtype=object,
    )
