"""Vectorised confidence intervals for the difference ``current - previous`` of two proportions.

Each interval is the inversion of one change test, so that "the interval excludes 0" and
"the test is significant" agree by construction (see :class:`stats.ChangeTest`). The public
entry point is :meth:`stats.ChangeResult.confidence_interval`; these kernels take validated,
broadcast float arrays and are tested against statsmodels ``confint_proportions_2indep``.
"""

from __future__ import annotations

import numpy as np

__all__: list[str] = []

_BISECTION_STEPS = 64  # the bracket [-1, 1] halves to 2**-63 < 1e-18: below float resolution


def restricted_mle(delta, p1, n1, p2, n2):
    r"""Maximum likelihood proportions under :math:`\pi_2 - \pi_1 = \delta` (Miettinen-Nurminen).

    Group 2 is the current inspection, group 1 the previous. Closed-form root of the
    likelihood cubic (Miettinen and Nurminen 1985, appendix; Farrington and Manning 1990),
    with the current sample as statsmodels' ``(count1, nobs1)``. The linear coefficient is
    :math:`(n_1 \delta - N - 2 k_1)\delta + k_1 + k_2`; statsmodels 0.14 writes ``count0``
    where ``nobs0`` (our :math:`n_1`) belongs (statsmodels issue #10269), so its score
    statistic and interval are wrong whenever :math:`\delta \ne 0`; this one maximises the
    restricted likelihood (a test checks the score equation). Returns ``(pi1, pi2)`` clipped
    to [0, 1].
    """
    k1 = p1 * n1
    total = n1 + n2
    count = k1 + p2 * n2
    t3 = total
    t2 = (n2 + 2 * n1) * delta - total - count
    t1 = (n1 * delta - total - 2 * k1) * delta + count
    t0 = k1 * delta * (1 - delta)
    b3 = t2 / (3 * t3)
    q = b3**3 - t1 * t2 / (6 * t3**2) + t0 / (2 * t3)
    r = np.where(q < 0, -1.0, 1.0) * np.sqrt(np.maximum(b3**2 - t1 / (3 * t3), 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(r == 0, 0.0, q / r**3)
    angle = (np.pi + np.arccos(np.clip(ratio, -1.0, 1.0))) / 3
    pi1 = np.clip(2 * r * np.cos(angle) - b3, 0.0, 1.0)
    pi2 = np.clip(pi1 + delta, 0.0, 1.0)
    return pi1, pi2


def score_statistic(delta, d, p1, n1, p2, n2, f1, f2, cc):
    r"""The score statistic for :math:`H_0: \pi_2 - \pi_1 = \delta` (no variance correction).

    :math:`T(\delta) = \operatorname{sign}(d - \delta)\,(|d - \delta| - \min(c, |d - \delta|)) / s(\delta)`
    with :math:`s(\delta)^2 = \tilde\pi_1 (1 - \tilde\pi_1) f_1/n_1 + \tilde\pi_2 (1 - \tilde\pi_2) f_2/n_2`
    at the restricted estimates and :math:`c` the continuity correction (0 for none). At
    :math:`\delta = 0` the restricted estimates are the pooled proportion, so ``T(0)`` is
    the pooled Z statistic.
    """
    pi1, pi2 = restricted_mle(delta, p1, n1, p2, n2)
    se = np.sqrt(pi1 * (1 - pi1) * f1 / n1 + pi2 * (1 - pi2) * f2 / n2)
    gap = d - delta
    num = np.sign(gap) * (np.abs(gap) - np.minimum(cc, np.abs(gap)))
    with np.errstate(divide="ignore", invalid="ignore"):
        t = num / se
    return np.where(num == 0, 0.0, t)


def _bisect(fn, low, high):
    """Vectorised bisection for the boundary of ``fn`` (True at ``low``, False at ``high``)."""
    for _ in range(_BISECTION_STEPS):
        mid = 0.5 * (low + high)
        left = fn(mid)
        low = np.where(left, mid, low)
        high = np.where(left, high, mid)
    return low, high


def score_bounds(d, p1, n1, p2, n2, f1, f2, cc, z_low, z_high):
    """Lower and upper limits ``{delta : -z_high < T(delta) < z_low}`` of the score interval.

    ``z_low`` is the critical value for the lower limit (``inf`` for none: the limit is -1),
    ``z_high`` for the upper limit. Each limit is found by bisection on ``T``, which is
    decreasing in ``delta``; the limit is the last point rejected, so ``0`` lies outside the
    interval exactly when ``T(0)`` reaches the critical value.
    """
    lower_rejects = lambda delta: score_statistic(delta, d, p1, n1, p2, n2, f1, f2, cc) >= z_low  # noqa: E731
    upper_rejects = lambda delta: score_statistic(delta, d, p1, n1, p2, n2, f1, f2, cc) <= -z_high  # noqa: E731
    minus_one = np.full(np.shape(d), -1.0)
    one = np.full(np.shape(d), 1.0)
    if np.all(np.isinf(z_low)):
        low = minus_one
    else:
        last_rejected, _ = _bisect(lower_rejects, minus_one, np.asarray(d, dtype=float) + 0.0)
        low = np.where(lower_rejects(minus_one), last_rejected, -1.0)
    if np.all(np.isinf(z_high)):
        high = one
    else:
        _, last_rejected = _bisect(lambda x: ~upper_rejects(x), np.asarray(d, dtype=float) + 0.0, one)
        high = np.where(upper_rejects(one), last_rejected, 1.0)
    return low, high


def wald_bounds(d, se, cc, z_low, z_high):
    """``d - (z se + min(c, |d|))`` to ``d + (z se + min(c, |d|))``, clipped to [-1, 1] (R ``prop.test``)."""
    extra = np.minimum(cc, np.abs(d))
    with np.errstate(invalid="ignore"):
        low = np.where(np.isinf(z_low), -1.0, d - (z_low * se + extra))
        high = np.where(np.isinf(z_high), 1.0, d + (z_high * se + extra))
    return np.clip(low, -1.0, 1.0), np.clip(high, -1.0, 1.0)


def wilson(p, n, z):
    """Wilson score interval for one proportion (vectorised; ``n`` may be inf)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        z2n = np.where(np.isinf(n), 0.0, z**2 / n)
        centre = p + z2n / 2
        half = z * np.sqrt(np.where(np.isinf(n), 0.0, p * (1 - p) / n + z**2 / (4 * n**2)))
    return (centre - half) / (1 + z2n), (centre + half) / (1 + z2n)


def newcombe_bounds(d, p1, n1, p2, n2, f1, f2, z_low, z_high):
    """Newcombe's hybrid score interval (his method 10) from Wilson intervals at ``n / f``.

    Lower limit :math:`d - \\sqrt{(p_2 - l_2)^2 + (u_1 - p_1)^2}` with Wilson limits at ``z_low``;
    upper limit :math:`d + \\sqrt{(u_2 - p_2)^2 + (p_1 - l_1)^2}` at ``z_high``.
    """
    with np.errstate(divide="ignore"):
        e1, e2 = n1 / f1, n2 / f2
    zl = np.where(np.isinf(z_low), 0.0, z_low)
    zh = np.where(np.isinf(z_high), 0.0, z_high)
    l2, _ = wilson(p2, e2, zl)
    _, u1 = wilson(p1, e1, zl)
    _, u2 = wilson(p2, e2, zh)
    l1, _ = wilson(p1, e1, zh)
    low = np.where(np.isinf(z_low), -1.0, d - np.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2))
    high = np.where(np.isinf(z_high), 1.0, d + np.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2))
    return low, high
