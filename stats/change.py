"""The change test: is a prompt's percentage significantly different from the previous inspection?

The inspectorate tests changes "using the Z-score test, with a significance
level of 0.1" (Annexe 2, "Comparative data"). :func:`compare_proportions` is
that test, vectorised, with the variants a statistician may want to compare.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import special

from . import _validation as v

__all__ = [
    "compare_proportions",
    "ChangeResult",
    "ConfidenceInterval",
    "LABELS",
    "IMPROVEMENT",
    "DECLINE",
    "NO_CHANGE",
    "NO_DATA",
    "ALTERNATIVES",
    "CI_METHODS",
]

IMPROVEMENT = "significant improvement"
DECLINE = "significant decline"
NO_CHANGE = "no significant change"
NO_DATA = "no comparable data"
#: Every label a row can receive, in display order.
LABELS = (IMPROVEMENT, DECLINE, NO_CHANGE, NO_DATA)
ALTERNATIVES = ("two-sided", "less", "greater")
CI_METHODS = ("newcombe", "wald")


class ConfidenceInterval(NamedTuple):
    """Confidence interval of the difference ``current - previous`` (proportion scale)."""

    low: object
    high: object


def _z_test(p1, n1, p2, n2, f1, f2, pooled, continuity, alternative):
    """Unchecked vectorised kernel: returns ``(difference, z, pvalue, standard_error)``.

    ``f1``, ``f2`` are the finite population factors ``1 - n/N``, or ``None``
    for an infinite population (factor 1, skipped). Inputs must already be
    validated and broadcastable.
    """
    d = p2 - p1
    w1 = 1 / n1 if f1 is None else f1 / n1
    w2 = 1 / n2 if f2 is None else f2 / n2
    if pooled:
        pbar = (p1 * n1 + p2 * n2) / (n1 + n2)
        var = pbar * (1 - pbar) * (w1 + w2)
    else:
        var = p1 * (1 - p1) * w1 + p2 * (1 - p2) * w2
    se = np.sqrt(var)
    if continuity:
        # R prop.test: YATES = min(0.5, |d| / (1/n1 + 1/n2)) on the count scale,
        # i.e. |d| is reduced by min(0.5 (1/n1 + 1/n2), |d|) on the proportion scale.
        num = np.sign(d) * (np.abs(d) - np.minimum(0.5 * (1 / n1 + 1 / n2), np.abs(d)))
    else:
        num = d
    # se = 0 only when there is no sampling variability: 0/0 (no difference) is z = 0,
    # a non-zero difference gives +-inf (p = 0), as IEEE division already does.
    if np.all(se):
        z = num / se
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            z = num / se
        z = np.where(np.isnan(z), 0.0, z)
    if alternative == "two-sided":
        pval = 2 * special.ndtr(-np.abs(z))
    elif alternative == "greater":
        pval = special.ndtr(-z)
    else:
        pval = special.ndtr(z)
    return d, z, pval, se


_LABEL_BY_CODE = np.array([IMPROVEMENT, DECLINE, NO_CHANGE, NO_DATA], dtype=object)


def _better(difference, higher_is_better):
    """True where the change is in the good direction (strictly)."""
    hib = np.asarray(higher_is_better)
    if hib.all():
        return difference > 0
    if not hib.any():
        return difference < 0
    return np.where(hib, difference > 0, difference < 0)


def _label_codes(significant, difference, higher_is_better):
    """Integer label codes (indices into ``_LABEL_BY_CODE``): cheap to compute and to store."""
    better = _better(difference, higher_is_better)
    return np.where(significant, np.where(better, 0, 1), 2).astype(np.int8)


def _wilson(p, n, z):
    """Wilson score interval for a proportion (vectorised; n may be inf)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        z2n = np.where(np.isinf(n), 0.0, z**2 / n)
        centre = p + z2n / 2
        half = z * np.sqrt(np.where(np.isinf(n), 0.0, p * (1 - p) / n + z**2 / (4 * n**2)))
    return (centre - half) / (1 + z2n), (centre + half) / (1 + z2n)


def _check_higher_is_better(value):
    arr = np.asarray(value)
    if arr.dtype != bool:
        raise TypeError(f"higher_is_better must be True, False or an array of booleans (got {value!r}).")
    return arr


@dataclass(frozen=True, eq=False)
class ChangeResult:
    r"""Result of :func:`compare_proportions`.

    Unpacks to ``(statistic, pvalue)``; other attributes are read by name so
    that fields can be added without breaking callers. Array inputs give
    array attributes (broadcast shape); scalar inputs give scalars.

    Attributes
    ----------
    statistic : float or ndarray
        The z statistic; positive when ``current > previous``.
    pvalue : float or ndarray
        p-value for ``alternative``.
    difference : float or ndarray
        ``current - previous`` on the proportion scale.
    significant : bool or ndarray of bool
        ``pvalue <= alpha``.
    label : str or ndarray of str
        "significant improvement", "significant decline" or
        "no significant change" (direction from ``higher_is_better``).
    standard_error : float or ndarray
        Standard error used as the denominator of ``statistic``.
    previous, n_previous, current, n_current, alpha, alternative, pooled,
    continuity, population_previous, population_current, higher_is_better
        The inputs, echoed (populations ``None`` when infinite).
    label, ci
        Computed on first access (the hot path computes only the numbers).
    ci : ConfidenceInterval
        Two-sided ``1 - alpha`` interval for the difference, by Newcombe's
        hybrid score method (see :meth:`confidence_interval`); computed on
        first access.
    """

    statistic: object
    pvalue: object
    difference: object
    significant: object
    standard_error: object
    previous: object
    n_previous: object
    current: object
    n_current: object
    alpha: float
    alternative: str
    pooled: bool
    continuity: bool
    population_previous: object = None
    population_current: object = None
    higher_is_better: object = True

    def __iter__(self):
        yield self.statistic
        yield self.pvalue

    @cached_property
    def label(self):
        codes = _label_codes(np.asarray(self.significant), np.asarray(self.difference), np.asarray(self.higher_is_better))
        return str(_LABEL_BY_CODE[codes.item()]) if codes.ndim == 0 else _LABEL_BY_CODE[codes]

    @cached_property
    def ci(self) -> ConfidenceInterval:
        return self.confidence_interval()

    def confidence_interval(self, confidence_level=None, method="newcombe") -> ConfidenceInterval:
        r"""Two-sided confidence interval for ``current - previous``.

        Parameters
        ----------
        confidence_level : float, optional
            Defaults to ``1 - alpha``, the level that matches the test.
        method : {'newcombe', 'wald'}, default 'newcombe'
            ``'newcombe'``: Newcombe's hybrid score interval (his method 10),
            built from Wilson intervals :math:`(l_i, u_i)` of each proportion:
            :math:`d - \sqrt{(p_2 - l_2)^2 + (u_1 - p_1)^2}` to
            :math:`d + \sqrt{(u_2 - p_2)^2 + (p_1 - l_1)^2}`. It stays inside
            [-1, 1] and has sensible width at 0 % and 100 %; it equals
            statsmodels ``confint_proportions_2indep(method='newcomb')``.
            ``'wald'``: :math:`d \pm z \sqrt{p_1 q_1 f_1/n_1 + p_2 q_2 f_2/n_2}`.

        Returns
        -------
        ConfidenceInterval

        Notes
        -----
        With a finite population, each sample's variance is multiplied by
        :math:`f = 1 - n/N`: directly for ``'wald'``, and for ``'newcombe'`` by
        computing each Wilson interval at the effective sample size
        :math:`n / f` (Kish's design-effect device). The interval need not
        agree exactly with the pooled test at the boundary: the test uses the
        pooled variance under H0, the interval does not.

        References
        ----------
        .. [1] Newcombe, R. G. (1998). Interval estimation for the difference
           between independent proportions: comparison of eleven methods.
           *Statistics in Medicine* 17, 873-890.
        """
        level = 1 - self.alpha if confidence_level is None else v.check_scalar_open_unit("confidence_level", confidence_level)
        v.check_choice("method", method, CI_METHODS)
        z = special.ndtri(1 - (1 - level) / 2)
        p1, n1, p2, n2 = (np.asarray(a, dtype=float) for a in (self.previous, self.n_previous, self.current, self.n_current))
        f1 = _fpc(n1, self.population_previous)
        f2 = _fpc(n2, self.population_current)
        d = p2 - p1
        if method == "wald":
            half = z * np.sqrt(p1 * (1 - p1) * f1 / n1 + p2 * (1 - p2) * f2 / n2)
            return ConfidenceInterval(v.unwrap(d - half), v.unwrap(d + half))
        with np.errstate(divide="ignore"):
            l1, u1 = _wilson(p1, n1 / f1, z)
            l2, u2 = _wilson(p2, n2 / f2, z)
        low = d - np.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2)
        high = d + np.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2)
        return ConfidenceInterval(v.unwrap(low), v.unwrap(high))

    def to_frame(self) -> pd.DataFrame:
        """One row per comparison: inputs, statistic, p-value, label and the CI."""
        ci = self.ci
        cols = {
            "previous": self.previous,
            "n_previous": self.n_previous,
            "current": self.current,
            "n_current": self.n_current,
            "difference": self.difference,
            "statistic": self.statistic,
            "pvalue": self.pvalue,
            "significant": self.significant,
            "label": self.label,
            "ci_low": ci.low,
            "ci_high": ci.high,
        }
        shape = np.shape(self.statistic)
        return pd.DataFrame({k: np.broadcast_to(np.asarray(val), shape).ravel() for k, val in cols.items()})


def _fpc(n, population):
    if population is None:
        return np.ones_like(np.asarray(n, dtype=float))
    return 1 - np.asarray(n, dtype=float) / np.asarray(population, dtype=float)


def compare_proportions(
    previous,
    n_previous,
    current,
    n_current,
    *,
    alpha=0.10,
    alternative="two-sided",
    pooled=True,
    continuity=False,
    population_previous=None,
    population_current=None,
    higher_is_better=True,
) -> ChangeResult:
    r"""Z test for the change between two independent sample proportions.

    Written for scalars and vectorised by broadcasting: every array argument
    broadcasts against the others.

    Parameters
    ----------
    previous, current : float or array_like
        Proportions (in [0, 1], not percentages) at the previous and current
        inspection.
    n_previous, n_current : int or array_like
        Cases behind each proportion (whole numbers >= 1).
    alpha : float, default 0.10
        Significance level; the inspectorate's is 0.1.
    alternative : {'two-sided', 'less', 'greater'}, default 'two-sided'
        H0: :math:`\pi_{cur} = \pi_{prev}`. H1: :math:`\pi_{cur} \ne \pi_{prev}`
        ('two-sided'), :math:`\pi_{cur} < \pi_{prev}` ('less') or
        :math:`\pi_{cur} > \pi_{prev}` ('greater').
    pooled : bool, default True
        Use the pooled variance under H0 (the classical two-proportion Z
        test); ``False`` uses the unpooled (Wald) variance.
    continuity : bool, default False
        Apply Yates's continuity correction as R's ``prop.test`` does.
    population_previous, population_current : int, array_like or None
        Eligible populations for a finite population correction; ``None``
        (default) treats each sample as drawn from an infinite population.
    higher_is_better : bool or array_like of bool, default True
        Direction used for the label: with True an increase is an improvement.

    Returns
    -------
    ChangeResult
        Unpacks to ``(statistic, pvalue)``; see :class:`ChangeResult`.

    Notes
    -----
    With :math:`d = \hat p_2 - \hat p_1` (current minus previous) and
    :math:`\bar p = (n_1 \hat p_1 + n_2 \hat p_2)/(n_1 + n_2)`:

    .. math::

        z = \frac{d}{\sqrt{\bar p (1 - \bar p)\,(f_1/n_1 + f_2/n_2)}}
        \quad\text{(pooled)}, \qquad
        z = \frac{d}{\sqrt{\hat p_1 \hat q_1 f_1/n_1 + \hat p_2 \hat q_2 f_2/n_2}}
        \quad\text{(unpooled)}

    with :math:`f_i = 1 - n_i/N_i` (1 for an infinite population). The
    p-value is :math:`2\Phi(-|z|)` (two-sided), :math:`\Phi(-z)` ('greater')
    or :math:`\Phi(z)` ('less'); the change is significant when
    ``pvalue <= alpha``. The pooled test is the one in most textbooks
    (Fleiss et al. 2003, section 2.6) and equals statsmodels
    ``proportions_ztest`` and R ``prop.test(correct=FALSE)``, whose chi-square
    is :math:`z^2`. The unpooled form equals statsmodels
    ``test_proportions_2indep(method='wald')``. With ``continuity=True``,
    :math:`|d|` is reduced by :math:`\min(\tfrac12(1/n_1 + 1/n_2), |d|)` before
    dividing by the pooled (or unpooled) standard error, which reproduces the
    p-value of R's default ``prop.test``.

    *Which test does the inspectorate use?* The report says only "the Z-score
    test, with a significance level of 0.1"; the pooled, uncorrected,
    two-sided test is the default here because it is the standard reading of
    that phrase. Near the threshold the variants disagree (61 % vs 49 % at
    n = 100: p = 0.088 pooled, 0.118 with continuity correction).

    *Finite- or super-population?* By default each inspection is treated as
    a sample from a process that could have produced other cases (a
    super-population), so no correction is made. If the question is only
    about the finite set of eligible cases at each inspection, pass the
    populations: the variance of each sample proportion shrinks by
    :math:`1 - n/N`, making changes easier to call significant. The report
    does not say which it uses.

    *Edge cases.* When both proportions are 0 % (or both 100 %) the pooled
    variance is 0 and there is no evidence of change: the statistic is 0 and
    the p-value 1 (statsmodels returns nan with a RuntimeWarning). Whenever
    the standard error is 0 but the difference is not (unpooled 0 % vs
    100 %, or a census with ``n = N``) the statistic is :math:`\pm\infty` and
    the p-value 0. 0 % vs 5 % at n = 100 each is an ordinary pooled test
    (:math:`\bar p = 0.025`, z = 2.26, p = 0.024); the normal approximation is
    poor with so few events, so check such rows with an exact test.

    References
    ----------
    .. [1] Fleiss, J. L., Levin, B., Paik, M. C. (2003). *Statistical Methods
       for Rates and Proportions*, 3rd ed., Wiley, sections 2.6 and 3.
    .. [2] HM Inspectorate of Probation (2020). *An inspection of South
       Yorkshire CRC*, Annexe 2, "Comparative data".

    Examples
    --------
    >>> from stats import compare_proportions
    >>> res = compare_proportions(0.54, 100, 0.71, 100)
    >>> round(res.statistic, 6), round(res.pvalue, 6), res.label
    (2.483009, 0.013028, 'significant improvement')
    >>> z, p = res
    """
    alt = v.check_choice("alternative", alternative, ALTERNATIVES)
    a = v.check_scalar_open_unit("alpha", alpha)
    for name, flag in (("pooled", pooled), ("continuity", continuity)):
        if not isinstance(flag, (bool, np.bool_)):
            raise TypeError(f"{name} must be True or False (got {flag!r}).")
    hib = _check_higher_is_better(higher_is_better)
    p1 = v.check_proportion("previous", previous)
    n1 = v.check_count("n_previous", n_previous)
    p2 = v.check_proportion("current", current)
    n2 = v.check_count("n_current", n_current)
    big1 = v.check_population("population_previous", population_previous)
    big2 = v.check_population("population_current", population_current)
    p1, n1, p2, n2, big1, big2, hib = v.broadcast(
        previous=p1, n_previous=n1, current=p2, n_current=n2,
        population_previous=big1, population_current=big2, higher_is_better=hib,
    )
    if population_previous is not None:
        v.check_not_above("n_previous", n1, "population_previous", big1)
    if population_current is not None:
        v.check_not_above("n_current", n2, "population_current", big2)
    f1 = None if population_previous is None else 1 - n1 / big1
    f2 = None if population_current is None else 1 - n2 / big2
    d, z, pval, se = _z_test(p1, n1, p2, n2, f1, f2, bool(pooled), bool(continuity), alt)
    significant = pval <= a
    u = v.unwrap
    return ChangeResult(
        statistic=u(z),
        pvalue=u(pval),
        difference=u(d),
        significant=u(significant),
        standard_error=u(se),
        previous=u(p1),
        n_previous=u(n1),
        current=u(p2),
        n_current=u(n2),
        alpha=a,
        alternative=alt,
        pooled=bool(pooled),
        continuity=bool(continuity),
        population_previous=None if population_previous is None else u(big1),
        population_current=None if population_current is None else u(big2),
        higher_is_better=u(hib),
    )

