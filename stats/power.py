"""Power of the change test and the smallest changes it can flag or detect.

Answers "is this methodology sound for samples this size?": with 100 cases at
each inspection and the 0.1 two-sided Z test, a change must be about 11.6
points to be called significant at all, and about 17.5 points to be detected
with 80 % power.
"""

from __future__ import annotations

import numpy as np
from scipy import optimize, special

from . import _validation as v
from .change import ALTERNATIVES

__all__ = ["power_of_change", "minimum_detectable_change", "critical_difference", "POWER_METHODS"]

POWER_METHODS = ("normal", "arcsine")


def _z_alpha(alpha, alternative):
    return special.ndtri(1 - alpha / 2) if alternative == "two-sided" else special.ndtri(1 - alpha)


def _check_common(n_previous, n_current, alpha, alternative, method):
    v.check_choice("alternative", alternative, ALTERNATIVES)
    v.check_choice("method", method, POWER_METHODS)
    n1 = v.check_count("n_previous", n_previous)
    n2 = v.check_count("n_current", n_current)
    a = v.check_open_unit("alpha", alpha)
    return n1, n2, a


def _power(p1, p2, n1, n2, alpha, alternative, method):
    """Unchecked power; p1 previous, p2 current (arrays broadcast)."""
    d = p2 - p1
    za = _z_alpha(alpha, alternative)
    if method == "arcsine":
        h = 2 * np.arcsin(np.sqrt(p2)) - 2 * np.arcsin(np.sqrt(p1))
        shift = h / np.sqrt(1 / n1 + 1 / n2)
        upper, lower = special.ndtr(shift - za), special.ndtr(-shift - za)
    else:
        pbar = (p1 * n1 + p2 * n2) / (n1 + n2)
        sd0 = np.sqrt(pbar * (1 - pbar) * (1 / n1 + 1 / n2))
        sd1 = np.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
        with np.errstate(divide="ignore", invalid="ignore"):
            upper = special.ndtr((d - za * sd0) / sd1)
            lower = special.ndtr((-d - za * sd0) / sd1)
        # sd1 = 0 (both proportions at 0 or 1): the test rejects iff |d| > z sd0, with certainty.
        upper = np.where(sd1 > 0, upper, (d > za * sd0).astype(float))
        lower = np.where(sd1 > 0, lower, (-d > za * sd0).astype(float))
    if alternative == "two-sided":
        return upper + lower
    return upper if alternative == "greater" else lower


def power_of_change(change, n_previous, n_current, *, baseline=0.5, alpha=0.10,
                    alternative="two-sided", method="normal"):
    r"""Probability that the Z test flags a true change as significant.

    Vectorised over ``change``, ``n_previous``, ``n_current``, ``baseline``
    and ``alpha``.

    Parameters
    ----------
    change : float or array_like
        True change ``current - previous`` on the proportion scale (0.17 is
        17 points), in [-1, 1].
    n_previous, n_current : int or array_like
        Cases at each inspection.
    baseline : float or array_like, default 0.5
        Midpoint of the two true proportions: previous = baseline - change/2,
        current = baseline + change/2 (both must lie in [0, 1]). A centred
        baseline of 0.5 gives the largest variance, so the lowest power.
    alpha : float, default 0.10
    alternative : {'two-sided', 'less', 'greater'}, default 'two-sided'
    method : {'normal', 'arcsine'}, default 'normal'
        ``'normal'``: power of the pooled Z test by the normal approximation
        used by statsmodels ``power_proportions_2indep`` (variance under H0
        from the pooled proportion, under H1 unpooled), with both tails
        counted for the two-sided test:
        :math:`\Phi\big((d - z_{\alpha} \sigma_0)/\sigma_1\big) +
        \Phi\big((-d - z_{\alpha} \sigma_0)/\sigma_1\big)`,
        :math:`\sigma_0^2 = \bar p \bar q (1/n_1 + 1/n_2)`,
        :math:`\sigma_1^2 = p_1 q_1/n_1 + p_2 q_2/n_2`.
        ``'arcsine'``: Cohen's effect size
        :math:`h = 2\arcsin\sqrt{p_2} - 2\arcsin\sqrt{p_1}`, power
        :math:`\Phi(h/\sqrt{1/n_1 + 1/n_2} - z_\alpha) + \Phi(-h/\sqrt{1/n_1 + 1/n_2} - z_\alpha)`,
        as R ``pwr::pwr.2p2n.test``.

    Returns
    -------
    power : float or ndarray

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
    """
    n1, n2, a = _check_common(n_previous, n_current, alpha, alternative, method)
    d = v.as_float_array("change", change)
    v.check_not_nan("change", d)
    b = v.check_proportion("baseline", baseline)
    d, b, n1, n2, a = v.broadcast(change=d, baseline=b, n_previous=n1, n_current=n2, alpha=a)
    p1, p2 = b - d / 2, b + d / 2
    bad = (p1 < -1e-12) | (p1 > 1 + 1e-12) | (p2 < -1e-12) | (p2 > 1 + 1e-12)
    if bad.any():
        raise ValueError(
            "change and baseline must keep both proportions in [0, 1] "
            f"(baseline - change/2 and baseline + change/2; {v._first_bad(d, bad)} with "
            f"baseline {b[np.unravel_index(np.argmax(bad), bad.shape)] if bad.ndim else b.item()!r})."
        )
    return v.unwrap(_power(np.clip(p1, 0, 1), np.clip(p2, 0, 1), n1, n2, a, alternative, method))


def critical_difference(n_previous, n_current, *, baseline=0.5, alpha=0.10, alternative="two-sided"):
    r"""Smallest change the pooled Z test calls significant (the change that is just flagged).

    Parameters
    ----------
    n_previous, n_current : int or array_like
    baseline : float, default 0.5
        Pooled proportion :math:`\bar p` of the two inspections.
    alpha : float, default 0.10
    alternative : {'two-sided', 'less', 'greater'}

    Returns
    -------
    float or ndarray
        :math:`z_{\alpha} \sqrt{\bar p (1 - \bar p)(1/n_1 + 1/n_2)}` on the
        proportion scale, with :math:`z_\alpha = \Phi^{-1}(1 - \alpha/2)`
        (two-sided) or :math:`\Phi^{-1}(1 - \alpha)` (one-sided). An observed
        change at least this large (with this pooled proportion) has
        ``pvalue <= alpha``. At n = 50, 100 and 120 per inspection and
        :math:`\bar p = 0.5`: 16.4, 11.6 and 10.6 points.

    Examples
    --------
    >>> from stats.power import critical_difference
    >>> round(100 * critical_difference(100, 100), 1)
    11.6
    """
    n1, n2, a = _check_common(n_previous, n_current, alpha, alternative, "normal")
    b = v.check_proportion("baseline", baseline)
    n1, n2, a, b = v.broadcast(n_previous=n1, n_current=n2, alpha=a, baseline=b)
    return v.unwrap(_z_alpha(a, alternative) * np.sqrt(b * (1 - b) * (1 / n1 + 1 / n2)))


def minimum_detectable_change(n_previous, n_current, *, alpha=0.10, power=0.80, baseline=0.5,
                              alternative="two-sided", method="normal"):
    r"""Smallest true change detected with the given power, in percentage points.

    Vectorised over ``n_previous`` and ``n_current`` (element by element).

    Parameters
    ----------
    n_previous, n_current : int or array_like
    alpha : float, default 0.10
    power : float, default 0.80
    baseline : float, default 0.5
        Midpoint of the two true proportions (see :func:`power_of_change`).
    alternative : {'two-sided', 'less', 'greater'}
        For 'less' the change is a decline and the result is negative.
    method : {'normal', 'arcsine'}

    Returns
    -------
    float or ndarray
        The change d (points) with ``power_of_change(d/100, ...) == power``,
        found by Brent's method on the exact power function. ``nan`` is never
        returned: if no change within the bounds that ``baseline`` allows
        reaches the power, a ValueError says so.

    Notes
    -----
    The textbook shortcut :math:`(z_{\alpha} + z_{\beta})\sqrt{2 p q / n}`
    gives 17.6 points at n = 100, p = 0.5; solving the power function, whose
    variance under H1 is slightly smaller away from 0.5, gives 17.5.

    Examples
    --------
    >>> from stats.power import minimum_detectable_change
    >>> round(minimum_detectable_change(100, 100), 1)
    17.5
    """
    n1, n2, a = _check_common(n_previous, n_current, alpha, alternative, method)
    target = v.check_scalar_open_unit("power", power)
    a = float(v.check_scalar_open_unit("alpha", alpha))
    b = float(v.check_proportion("baseline", baseline))
    n1, n2 = v.broadcast(n_previous=n1, n_current=n2)
    sign = -1.0 if alternative == "less" else 1.0
    limit = 2 * min(b, 1 - b)
    out = np.empty(n1.shape)
    for idx in np.ndindex(n1.shape):
        def gap(d, i=idx):
            return _power(b - sign * d / 2, b + sign * d / 2, n1[i], n2[i], a, alternative, method) - target
        if limit <= 0 or gap(limit) < 0:
            raise ValueError(
                f"power ({target}) cannot be reached at n_previous={int(n1[idx])}, n_current={int(n2[idx])} "
                f"with baseline {b} (largest possible change {100 * limit:.1f} points)."
            )
        out[idx] = sign * 100 * optimize.brentq(gap, 0.0, limit, xtol=1e-12)
    return v.unwrap(out)
