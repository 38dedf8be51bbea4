"""Power of the change test and the smallest changes it can flag or detect.

Answers "is this methodology sound for samples this size?": with 100 cases at
each inspection and the 0.1 two-sided Z test, a change must be about 11.6
points to be called significant at all, and about 17.5 points to be detected
with 80 % power.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy import optimize, special

from . import _validation as v
from .change import (
    ALTERNATIVES,
    ChangeTest,
    critical_z,
    pooled_variance,
    resolve_test,
    wald_variance,
)

__all__ = ["power_of_change", "minimum_detectable_change", "critical_difference", "POWER_METHODS"]

POWER_METHODS = ("normal", "arcsine")


def _check_size(name, value):
    """A planned sample size: any finite number > 0 (planning may use non-integer n, as R power.prop.test)."""
    arr = v.as_float_array(name, value)
    v.check_not_nan(name, arr)
    bad = ~np.isfinite(arr) | (arr <= 0)
    if bad.any():
        raise ValueError(
            f"{name} must be a finite number > 0 ({v.first_bad(arr, bad)}); non-integer sizes are allowed for planning."
        )
    return arr


def _pair(baseline, previous):
    """Resolve how the two true proportions are placed: around a midpoint or from a known previous one."""
    if previous is not None and baseline is not None:
        raise ValueError(
            "give either baseline (midpoint of the two proportions) or previous (the known "
            f"previous proportion), not both (got baseline={baseline!r}, previous={previous!r})."
        )
    if previous is not None:
        return None, v.check_proportion("previous", previous)
    return v.check_proportion("baseline", 0.5 if baseline is None else baseline), None


def _level(test, alpha, alternative):
    """``(alpha, alternative, pooled)`` from a :class:`stats.ChangeTest`, or from the options.

    The normal-approximation formulas here are for the uncorrected Z tests (pooled or
    unpooled) without the finite population correction; for any other specification
    :func:`stats.operating.exact_power` enumerates the test's real power.
    """
    if test is None:
        return (0.10 if alpha is None else alpha), ("two-sided" if alternative is None else alternative), True
    spec = resolve_test(test, alpha=alpha, alternative=alternative)
    if spec.finite_population:
        raise ValueError(
            f"the power formulas model binomial counts (an infinite population), so they have no finite "
            f"population correction (got {spec.describe()!r}); use test.replace(finite_population=False)."
        )
    if spec.continuity:
        raise ValueError(
            f"the power formulas are for the Z tests without continuity correction (got {spec.describe()!r}); "
            "use stats.operating.exact_power(..., test=...), which enumerates this test's real power."
        )
    if spec.variance not in (pooled_variance, wald_variance):
        raise ValueError(
            f"the power formulas are for the pooled and unpooled variances (method {spec.method!r} uses "
            f"{spec.variance.__name__}); use stats.operating.exact_power(..., test=...)."
        )
    return spec.alpha, spec.alternative, spec.pooled


def _check_common(n_previous, n_current, alpha, alternative, method):
    v.check_choice("alternative", alternative, ALTERNATIVES)
    v.check_choice("method", method, POWER_METHODS)
    n1 = _check_size("n_previous", n_previous)
    n2 = _check_size("n_current", n_current)
    a = v.check_open_unit("alpha", alpha)
    return n1, n2, a


def _power(p1, p2, n1, n2, alpha, alternative, method, pooled=True):
    """Unchecked power; p1 previous, p2 current (arrays broadcast); ``pooled=False``: Wald test."""
    d = p2 - p1
    za = critical_z(alpha, alternative)
    if method == "arcsine":
        h = 2 * np.arcsin(np.sqrt(p2)) - 2 * np.arcsin(np.sqrt(p1))
        shift = h / np.sqrt(1 / n1 + 1 / n2)
        upper, lower = special.ndtr(shift - za), special.ndtr(-shift - za)
    else:
        pbar = (p1 * n1 + p2 * n2) / (n1 + n2)
        sd1 = np.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
        sd0 = np.sqrt(pbar * (1 - pbar) * (1 / n1 + 1 / n2)) if pooled else sd1
        with np.errstate(divide="ignore", invalid="ignore"):
            upper = special.ndtr((d - za * sd0) / sd1)
            lower = special.ndtr((-d - za * sd0) / sd1)
        # sd1 = 0 (both proportions at 0 or 1): the test rejects iff |d| > z sd0, with certainty.
        upper = np.where(sd1 > 0, upper, (d > za * sd0).astype(float))
        lower = np.where(sd1 > 0, lower, (-d > za * sd0).astype(float))
    if alternative == "two-sided":
        return upper + lower
    return upper if alternative == "greater" else lower


def power_of_change(
    change: ArrayLike,
    n_previous: ArrayLike,
    n_current: ArrayLike,
    *,
    baseline: ArrayLike | None = None,
    previous: ArrayLike | None = None,
    test: ChangeTest | None = None,
    alpha: ArrayLike | None = None,
    alternative: str | None = None,
    method: str = "normal",
) -> float | np.ndarray:
    r"""Probability that the Z test flags a true change as significant.

    Vectorised over ``change``, ``n_previous``, ``n_current``, ``baseline``
    and ``alpha``.

    Parameters
    ----------
    change : float or array_like
        True change ``current - previous`` on the proportion scale (0.17 is
        17 points), in [-1, 1].
    n_previous, n_current : float or array_like
        Cases at each inspection (> 0; non-integer values are allowed for
        planning, as in R ``power.prop.test``).
    baseline : float or array_like, optional
        Midpoint of the two true proportions: previous = baseline - change/2,
        current = baseline + change/2 (both must lie in [0, 1]). Default 0.5
        (when ``previous`` is not given): a centred baseline gives the largest
        variance, so the lowest power.
    previous : float or array_like, optional
        The known previous proportion (from the last inspection): previous =
        ``previous``, current = ``previous + change``. Give this or
        ``baseline``, not both. R ``power.prop.test(n, p1, p2)`` is this case
        with equal n.
    test : ChangeTest, optional
        The test whose power is computed: its alpha and alternative, and its
        variance ('pooled' or 'unpooled'; the continuity-corrected and finite
        population variants are refused: :func:`stats.operating.exact_power`
        enumerates their real power). Default: the pooled two-sided test at 0.1.
    alpha : float or array_like, optional
        Instead of ``test`` (not both): levels of the pooled test (default 0.10).
    alternative : {'two-sided', 'less', 'greater'}, optional
        Instead of ``test`` (not both); default 'two-sided'.
    method : {'normal', 'arcsine'}, default 'normal'
        ``'normal'``: power of the Z test by the normal approximation
        used by statsmodels ``power_proportions_2indep`` (variance under H0
        from the pooled proportion, under H1 unpooled), with both tails
        counted for the two-sided test:
        :math:`\Phi\big((d - z_{\alpha} \sigma_0)/\sigma_1\big) +
        \Phi\big((-d - z_{\alpha} \sigma_0)/\sigma_1\big)`,
        :math:`\sigma_0^2 = \bar p \bar q (1/n_1 + 1/n_2)` (pooled; :math:`\sigma_1` for the
        unpooled test),
        :math:`\sigma_1^2 = p_1 q_1/n_1 + p_2 q_2/n_2`.
        ``'arcsine'``: Cohen's effect size
        :math:`h = 2\arcsin\sqrt{p_2} - 2\arcsin\sqrt{p_1}`, power
        :math:`\Phi(h/\sqrt{1/n_1 + 1/n_2} - z_\alpha) + \Phi(-h/\sqrt{1/n_1 + 1/n_2} - z_\alpha)`,
        as R ``pwr::pwr.2p2n.test``.

    Returns
    -------
    power : float or ndarray

    See Also
    --------
    minimum_detectable_change : the inverse: the change detected with a given power.
    critical_difference : the smallest change the test flags.
    stats.operating.exact_power : the exact power by enumeration of counts.
    statsmodels.stats.power.NormalIndPower : statsmodels' normal power calculations.

    References
    ----------
    .. [1] Fleiss, J. L., Levin, B., Paik, M. C. (2003). *Statistical Methods
       for Rates and Proportions*, 3rd ed., section 4.2.
    .. [2] Cohen, J. (1988). *Statistical Power Analysis for the Behavioral
       Sciences*, 2nd ed., chapter 6.

    Examples
    --------
    >>> from stats.power import power_of_change
    >>> round(power_of_change(0.17, 100, 100, baseline=0.625), 4)
    0.8027
    >>> round(power_of_change(0.17, 100, 100, previous=0.54), 4)  # 54 % -> 71 %, the same pair
    0.8027
    """
    alpha, alternative, pooled = _level(test, alpha, alternative)
    n1, n2, a = _check_common(n_previous, n_current, alpha, alternative, method)
    d = v.as_float_array("change", change)
    v.check_not_nan("change", d)
    b, known = _pair(baseline, previous)
    if known is not None:
        d, p1, n1, n2, a = v.broadcast(change=d, previous=known, n_previous=n1, n_current=n2, alpha=a)
        p2 = p1 + d
        bad = (p2 < -1e-12) | (p2 > 1 + 1e-12)
        if bad.any():
            raise ValueError(f"previous + change must lie in [0, 1] (change {v.first_bad(d, bad)}).")
        return v.unwrap(_power(p1, np.clip(p2, 0, 1), n1, n2, a, alternative, method, pooled))
    d, b, n1, n2, a = v.broadcast(change=d, baseline=b, n_previous=n1, n_current=n2, alpha=a)
    p1, p2 = b - d / 2, b + d / 2
    bad = (p1 < -1e-12) | (p1 > 1 + 1e-12) | (p2 < -1e-12) | (p2 > 1 + 1e-12)
    if bad.any():
        raise ValueError(
            "change and baseline must keep both proportions in [0, 1] "
            f"(baseline - change/2 and baseline + change/2; {v.first_bad(d, bad)} with "
            f"baseline {b[np.unravel_index(np.argmax(bad), bad.shape)] if bad.ndim else b.item()!r})."
        )
    return v.unwrap(_power(np.clip(p1, 0, 1), np.clip(p2, 0, 1), n1, n2, a, alternative, method, pooled))


def critical_difference(
    n_previous: ArrayLike,
    n_current: ArrayLike,
    *,
    baseline: ArrayLike = 0.5,
    test: ChangeTest | None = None,
    alpha: ArrayLike | None = None,
    alternative: str | None = None,
) -> float | np.ndarray:
    r"""Smallest change the pooled Z test calls significant (the change that is just flagged).

    Parameters
    ----------
    n_previous, n_current : float or array_like
        Sample sizes (> 0; non-integer allowed for planning).
    baseline : float, default 0.5
        Pooled proportion :math:`\bar p` of the two inspections.
    test : ChangeTest, optional
        The test (its alpha and alternative); the formula is the pooled test's,
        so other methods are refused. Default: the pooled two-sided test at 0.1.
    alpha, alternative : optional
        Instead of ``test`` (not both).

    Returns
    -------
    float or ndarray
        :math:`z_{\alpha} \sqrt{\bar p (1 - \bar p)(1/n_1 + 1/n_2)}` on the
        proportion scale, with :math:`z_\alpha = \Phi^{-1}(1 - \alpha/2)`
        (two-sided) or :math:`\Phi^{-1}(1 - \alpha)` (one-sided). An observed
        change at least this large (with this pooled proportion) has
        ``pvalue <= alpha``. At n = 50, 100 and 120 per inspection and
        :math:`\bar p = 0.5`: 16.4, 11.6 and 10.6 points.

    See Also
    --------
    power_of_change : the probability of flagging a true change.
    stats.change.critical_z : the critical value it scales.

    References
    ----------
    .. [1] Fleiss, J. L., Levin, B., Paik, M. C. (2003). *Statistical Methods
       for Rates and Proportions*, 3rd ed., Wiley, sections 4.2-4.3.

    Examples
    --------
    >>> from stats.power import critical_difference
    >>> round(100 * critical_difference(100, 100), 1)
    11.6
    """
    alpha, alternative, pooled = _level(test, alpha, alternative)
    if not pooled:
        raise ValueError(
            "critical_difference is the pooled test's threshold (got the unpooled test); the Wald "
            "test's depends on both proportions: use power_of_change or stats.operating."
        )
    n1, n2, a = _check_common(n_previous, n_current, alpha, alternative, "normal")
    b = v.check_proportion("baseline", baseline)
    n1, n2, a, b = v.broadcast(n_previous=n1, n_current=n2, alpha=a, baseline=b)
    return v.unwrap(critical_z(a, alternative) * np.sqrt(b * (1 - b) * (1 / n1 + 1 / n2)))


def minimum_detectable_change(
    n_previous: ArrayLike,
    n_current: ArrayLike,
    *,
    test: ChangeTest | None = None,
    alpha: float | None = None,
    power: float = 0.80,
    baseline: float | None = None,
    previous: ArrayLike | None = None,
    alternative: str | None = None,
    method: str = "normal",
) -> float | np.ndarray:
    r"""Smallest true change detected with the given power, as a proportion (0.175 is 17.5 points).

    Vectorised over ``n_previous``, ``n_current`` and ``previous`` (element by element).

    Parameters
    ----------
    n_previous, n_current : float or array_like
        Sample sizes (> 0; non-integer allowed for planning).
    test : ChangeTest, optional
        The test (as in :func:`power_of_change`); default the pooled two-sided test at 0.1.
    alpha : float, optional
        Instead of ``test`` (not both); default 0.10.
    power : float, default 0.80
    baseline : float, optional
        Midpoint of the two true proportions (see :func:`power_of_change`);
        0.5 when neither ``baseline`` nor ``previous`` is given.
    previous : float or array_like, optional
        The known previous proportion: the result is the change from it
        (current = previous + change) detected with ``power``. This is R's
        ``power.prop.test(n = n, p1 = previous, power = power, sig.level =
        alpha, strict = TRUE)`` solving for ``p2`` (equal n; R returns
        ``p2``, this returns ``p2 - p1``).
    alternative : {'two-sided', 'less', 'greater'}, optional
        Instead of ``test`` (not both). For 'less' the change is a decline and
        the result is negative; for 'two-sided' and 'greater' it is an increase.
    method : {'normal', 'arcsine'}

    Returns
    -------
    float or ndarray
        The change d (a proportion) with ``power_of_change(d, ...) == power``,
        found by Brent's method on the exact power function. ``nan`` is never
        returned: if no change within the bounds that ``baseline`` (or
        ``previous``) allows reaches the power, a ValueError says so.

    See Also
    --------
    power_of_change : the power of a given change.
    stats.samplesize.sample_size : the sample for a margin of error.

    Notes
    -----
    The textbook shortcut :math:`(z_{\alpha} + z_{\beta})\sqrt{2 p q / n}`
    gives 17.6 points at n = 100, p = 0.5; solving the power function, whose
    variance under H1 is slightly smaller away from 0.5, gives 17.5. From a
    known previous 50 %, the change detectable with 80 % power is smaller,
    17.2 points (only the current proportion moves away from 0.5, so the variance under H1 is smaller).

    References
    ----------
    .. [1] Fleiss, J. L., Levin, B., Paik, M. C. (2003). *Statistical Methods
       for Rates and Proportions*, 3rd ed., Wiley, sections 4.2-4.3.
    .. [2] Cohen, J. (1988). *Statistical Power Analysis for the Behavioral
       Sciences*, 2nd ed., chapter 6.

    Examples
    --------
    >>> from stats.power import minimum_detectable_change
    >>> round(minimum_detectable_change(100, 100), 4)
    0.1749
    >>> round(minimum_detectable_change(100, 100, previous=0.54), 4)  # R power.prop.test p2 = 0.7094
    0.1694
    """
    alpha, alternative, pooled = _level(test, alpha, alternative)
    n1, n2, a = _check_common(n_previous, n_current, alpha, alternative, method)
    target = v.check_scalar_open_unit("power", power)
    a = float(v.check_scalar_open_unit("alpha", alpha))
    b, known = _pair(baseline, previous)
    sign = -1.0 if alternative == "less" else 1.0
    if known is None:
        b = float(b)
        n1, n2 = v.broadcast(n_previous=n1, n_current=n2)
        start = np.full(n1.shape, b)
        limit = np.full(n1.shape, 2 * min(b, 1 - b))
    else:
        n1, n2, start = v.broadcast(n_previous=n1, n_current=n2, previous=known)
        limit = (1 - start) if sign > 0 else start.copy()
    out = np.empty(n1.shape)
    for idx in np.ndindex(n1.shape):

        def gap(d, i=idx):
            if known is None:
                p1, p2 = start[i] - sign * d / 2, start[i] + sign * d / 2
            else:
                p1, p2 = start[i], start[i] + sign * d
            return _power(p1, p2, n1[i], n2[i], a, alternative, method, pooled) - target

        lim = float(limit[idx])
        if lim <= 0 or gap(lim) < 0:
            where = f"baseline {float(start[idx])}" if known is None else f"previous {float(start[idx])}"
            raise ValueError(
                f"power ({target}) cannot be reached at n_previous={float(n1[idx]):g}, n_current={float(n2[idx]):g} "
                f"with {where} (largest possible change {lim:.3f})."
            )
        out[idx] = sign * optimize.brentq(gap, 0.0, lim, xtol=1e-14)
    return v.unwrap(out)
