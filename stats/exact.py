"""Per-row cross-checks of the change test: Z variants and exact tests.

Near the significance threshold the verdict can depend on the test variant
(61/100 vs 49/100: p = 0.088 pooled, 0.118 with continuity correction), and at
small n on the normal approximation itself (Through the Gate key question 4.2.1,
87 % -> 100 % of 24, counts 20/23 and 24/24: p = 0.067 by the Z test, 0.146 by Boschloo's exact test).
:func:`compare_methods` runs every Z variant and Fisher's, Barnard's and
Boschloo's exact tests on every testable row, at counts that publish as the
row's percentages, and flags the rows whose verdict depends on the test.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from . import _validation as v
from ._labelled import carrier_of
from .change import METHODS, ChangeTest, table_test
from .consistency import DEFAULT_ROUNDING, ROUNDINGS, count_bounds, implied_counts, table_rounding

__all__ = ["EXACT_CHOICES", "EXACT_TESTS", "compare_methods", "counts_from_percent"]

#: The exact tests run by :func:`compare_methods`, in column order.
EXACT_TESTS = ("fisher", "barnard", "boschloo")
#: ``exact=`` choices: every exact test, Fisher's only (cheap), or none.
EXACT_CHOICES = ("all", "fisher", "none")


def counts_from_percent(percent: ArrayLike, n: ArrayLike, *, rounding: str = DEFAULT_ROUNDING) -> int | np.ndarray:
    r"""Whole counts behind published percentages: the count of n nearest p n / 100 that rounds back to p.

    Parameters
    ----------
    percent : int or array_like
        Published whole percentages (0 to 100).
    n : int or array_like
        Numbers of cases (broadcast against ``percent``).
    rounding : {'half-up', 'half-even'}, default 'half-up'
        The rule the figures were published with.

    Returns
    -------
    ndarray of int
        ``k`` with ``round_percent(k, n, rounding) == percent``; when several counts
        publish as p (only possible above n = 100), the one nearest :math:`p n / 100`
        (the lower one on a tie).

    Raises
    ------
    ValueError
        When no count out of n publishes as p (43 % of 85: 36/85 = 42.4 % and 37/85 =
        43.5 %, published as 42 % and 44 %). Such a figure comes from another n; see
        :func:`stats.consistency.feasible_counts` and :func:`stats.consistency.nearest_feasible`.

    See Also
    --------
    stats.consistency.implied_counts : the counts with their n and source, vectorised.
    stats.consistency.nearest_feasible : one figure at a time.

    Notes
    -----
    Exact integer arithmetic (:func:`stats.consistency.count_bounds`): :math:`100k/n`
    rounds to p when :math:`n(2p-1) \le 200k \le n(2p+1)`, ties decided by the rule.

    Examples
    --------
    >>> from stats.exact import counts_from_percent
    >>> counts_from_percent([71, 44, 43], [100, 85, 86]).tolist()
    [71, 37, 37]
    >>> counts_from_percent(43, 85)
    Traceback (most recent call last):
    ...
    ValueError: no count out of n = 85 publishes as 43% (half-up rounding): 36/85 = 42.35%,
    37/85 = 43.53%; the figure comes from another n (stats.consistency.feasible_counts).
    """
    v.check_choice("rounding", rounding, ROUNDINGS)
    p = v.as_float_array("percent", percent)
    nn = v.check_count("n", n)
    p, nn = np.broadcast_arrays(p, nn)
    bad = ~((p >= 0) & (p <= 100) & (p == np.floor(p)))
    if bad.any():
        raise ValueError(f"percent must hold whole percentages from 0 to 100 ({v.first_bad(p, bad)}).")
    r = implied_counts(p, nn, rounding=rounding)
    lower = r.source != 1
    if lower.any():
        idx = tuple(int(i) for i in np.argwhere(lower)[0])
        m, q = int(nn[idx]), int(p[idx])
        lo, hi = count_bounds(q, m, rounding)
        below, above = int(hi), int(lo)  # the counts either side of the gap
        where = f" at index {idx[0] if len(idx) == 1 else idx}" if p.ndim else ""
        raise ValueError(
            f"no count out of n = {m} publishes as {q}% ({rounding} rounding){where}: "
            f"{below}/{m} = {100 * below / m:.2f}%, {above}/{m} = {100 * above / m:.2f}%; "
            "the figure comes from another n (stats.consistency.feasible_counts)."
        )
    k = r.count
    return k.item() if k.ndim == 0 else k


# ---- exact tests: the one place that computes them ------------------------------------------
# Orientation: current versus previous; 'greater' is current > previous, as in ChangeTest. In
# scipy's terms the table is [[k_current, k_previous], [n_current - k_current, n_previous - k_previous]].
# Barnard's test uses scipy's defaults (pooled Wald statistic); Boschloo's uses Fisher's one-sided
# p-value as statistic. stats.exact_tests computes them vectorised (equal to scipy to 1e-9);
# _scipy_exact is the reference route the tests compare with.


@lru_cache(maxsize=65536)
def _scipy_exact(name: str, k1: int, n1: int, k2: int, n2: int, alternative: str) -> float:
    from scipy import stats as ss

    table = [[k2, k1], [n2 - k2, n1 - k1]]
    if name == "fisher":
        return float(ss.fisher_exact(table, alternative=alternative).pvalue)
    if name == "barnard":
        return float(ss.barnard_exact(table, alternative=alternative).pvalue)
    return float(ss.boschloo_exact(table, alternative=alternative).pvalue)


def _exact_pvalues(
    k1: np.ndarray,
    n1: np.ndarray,
    k2: np.ndarray,
    n2: np.ndarray,
    alternative: str,
    names: tuple[str, ...] = EXACT_TESTS,
) -> dict[str, np.ndarray]:
    """p-values of the exact tests ``names`` for arrays of counts (previous k1/n1, current k2/n2)."""
    from . import exact_tests

    if len(np.atleast_1d(k1)) == 0:
        return {name: np.zeros(0) for name in names}
    return {
        name: np.atleast_1d(
            np.asarray(getattr(exact_tests, name)(k1, n1, k2, n2, alternative=alternative), dtype=float)
        )
        for name in names
    }


def _labelled(table: pd.DataFrame, spec: ChangeTest, rounding: str) -> pd.DataFrame:
    """``table`` itself when it is labelled with its counts, else :func:`stats.label_changes` of it."""
    from .tables import label_changes

    needed = {"significant", "pvalue", "count_previous", "n_used_previous", "count_current", "n_used_current"}
    carrier = carrier_of(table)
    if needed <= set(table.columns) and carrier is not None and carrier.rounding == rounding:
        return table
    plain = table.drop(columns=[c for c in table.columns if c in needed], errors="ignore")
    plain.attrs = {}
    return label_changes(plain, spec, rounding=rounding)


def compare_methods(
    labelled: pd.DataFrame, test: ChangeTest | None = None, *, exact: str = "all", rounding: str | None = None
) -> pd.DataFrame:
    r"""Run the Z-test variants and the exact tests on every testable row.

    Parameters
    ----------
    labelled : pandas.DataFrame
        A table with ``previous``, ``current`` (percent) and ``n_previous``,
        ``n_current`` (as for :func:`stats.label_changes`), read by
        :func:`stats.parse.parse_table`; optional ``previous_count`` / ``current_count``
        are used where given. When it is labelled (``significant``, ``pvalue``), the
        label's verdict is read from it; otherwise the chosen test is run.
    test : ChangeTest, optional
        The chosen test: its alpha and alternative apply to every variant and exact test.
        Default: the table's own specification (``attrs['change_test']``) if it was
        labelled, else ``ChangeTest()``.
    exact : {'all', 'fisher', 'none'}, default 'all'
        Exact tests run: Fisher's, Barnard's and Boschloo's; Fisher's only; none (their
        columns are then nan).
    rounding : {'half-up', 'half-even'}, optional
        How the percentages were published (for the counts); default the table's
        ``attrs['rounding']``, else 'half-up'.

    Returns
    -------
    pandas.DataFrame
        One row per testable input row (same index): the counts every test here uses
        (``k_previous``, ``n_previous``, ``k_current``, ``n_current``); the p-values of
        every Z variant at those counts, named by method (``pooled``, ``pooled-cc``,
        ``unpooled``, ``unpooled-cc``); ``fisher``, ``barnard``, ``boschloo`` (exact
        p-values, with the test's alternative); ``pvalue`` and ``significant`` (the
        label's: the chosen test at the same counts);
        ``exact_agree`` (every exact test run gives the label's verdict; <NA> when none
        is run) and ``method_sensitive`` (the label's verdict and the verdicts ``p <=
        alpha`` of the tests run are not all the same). ``attrs['change_test']`` holds
        the test.

    See Also
    --------
    stats.exact_tests.exact_test : one exact test on counts.
    stats.change.ChangeTest : the Z-test variants compared.
    scipy.stats.boschloo_exact, scipy.stats.barnard_exact, scipy.stats.fisher_exact : scipy's exact tests.

    Notes
    -----
    *Counts.* Exact tests need counts, and the report publishes percentages. Every test
    here runs at the counts the label uses (columns ``count_*`` and ``n_used_*`` of
    :func:`stats.label_changes`, which labels the table first if it is not labelled): the
    given count, else the count of the stated sample that publishes as the figure, or,
    where none does (87 % of 24: 21/24 = 87.5 % publishes as 88 %), of the largest
    sub-sample that can (20/23); :func:`stats.consistency.implied_counts`. The
    whole range of feasible counts is covered by :func:`stats.consistency.robust_labels`.

    *Tests.* Fisher's test conditions on both margins and is conservative; Barnard's
    (pooled Wald statistic, scipy's default 32-point nuisance grid) and Boschloo's
    (Fisher's p-value as statistic) are unconditional, maximising over the common
    proportion. p-values equal scipy's ``fisher_exact``, ``barnard_exact`` and
    ``boschloo_exact`` on the table ``[[k_current, k_previous], [n_current - k_current,
    n_previous - k_previous]]``, whose 'greater' is current > previous.

    References
    ----------
    .. [1] Barnard, G. A. (1945). A new test for 2x2 tables. *Nature* 156, 177.
    .. [2] Boschloo, R. D. (1970). Raised conditional level of significance for the
       2x2-table when testing the equality of two probabilities. *Statistica
       Neerlandica* 24, 1-35.
    .. [3] Mehrotra, D. V., Chan, I. S. F., Berger, R. L. (2003). A cautionary note on
       exact unconditional inference for a difference between two independent binomial
       proportions. *Biometrics* 59, 441-450.

    Examples
    --------
    >>> import pandas as pd
    >>> from stats.exact import compare_methods
    >>> t = pd.DataFrame({"previous": [87], "current": [100], "n_previous": [24], "n_current": [24]})
    >>> r = compare_methods(t).iloc[0]
    >>> int(r["k_previous"]), int(r["n_previous"]), bool(r["significant"]), round(float(r["boschloo"]), 3)
    (20, 23, True, 0.146)
    >>> bool(r["exact_agree"]), bool(r["method_sensitive"])
    (False, True)
    """
    spec = table_test(labelled, test)
    a = spec.alpha
    v.check_choice("exact", exact, EXACT_CHOICES)
    rounding = table_rounding(labelled, rounding)
    table = _labelled(labelled, spec, rounding)
    rows = np.flatnonzero(table["significant"].notna().to_numpy())
    idx = labelled.index[rows]
    sub = table.iloc[rows]
    K1, N1 = sub["count_previous"].to_numpy(dtype=float), sub["n_used_previous"].to_numpy(dtype=float)
    K2, N2 = sub["count_current"].to_numpy(dtype=float), sub["n_used_current"].to_numpy(dtype=float)
    whole = (np.floor(K1) == K1) & (np.floor(K2) == K2)
    if not whole.all():
        raise ValueError(
            f"row {idx[int(np.argmin(whole))]!r}: exact tests need whole counts; the table was "
            "labelled with ChangeTest(counts='fractional')."
        )
    K1, N1, K2, N2 = (x.astype(np.int64) for x in (K1, N1, K2, N2))
    out = pd.DataFrame(index=idx)
    out["k_previous"], out["n_previous"], out["k_current"], out["n_current"] = K1, N1, K2, N2
    pops = {}
    if spec.finite_population:
        labelled_carrier = carrier_of(table)
        assert labelled_carrier is not None  # label_changes attaches one to every table it labels
        parsed = labelled_carrier.parsed
        pops = {
            "population_previous": parsed["population_previous"][rows],
            "population_current": parsed["population_current"][rows],
        }
    for method in METHODS:
        out[method] = np.asarray(spec.replace(method=method).pvalue(K1, N1, K2, N2, **pops), dtype=float).reshape(-1)
    names = {"all": EXACT_TESTS, "fisher": ("fisher",), "none": ()}[exact]
    pvalues = _exact_pvalues(K1, N1, K2, N2, spec.alternative, names)
    for name in EXACT_TESTS:
        out[name] = pvalues.get(name, np.full(len(out), np.nan))
    significant = sub["significant"].to_numpy(dtype=bool)
    pvalue = sub["pvalue"].to_numpy(dtype=float)
    out["pvalue"] = pvalue
    out["significant"] = significant
    exact_sig = out[list(names)].le(a).to_numpy()
    agree = (exact_sig == significant[:, None]).all(axis=1)
    out["exact_agree"] = pd.array(agree if names else [pd.NA] * len(out), dtype="boolean")
    verdicts = np.column_stack([out[list(METHODS)].le(a).to_numpy(), exact_sig, significant])
    out["method_sensitive"] = verdicts.min(axis=1) != verdicts.max(axis=1)
    out.attrs["change_test"] = spec
    out.attrs["rounding"] = rounding
    return out
