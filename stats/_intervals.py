"""Vectorised confidence intervals for the difference ``current - previous`` of two proportions.

Each interval is the inversion of one change test, so that "the interval excludes 0" and
"the test is significant" agree by construction (see :class:`stats.ChangeTest`). The public
entry point is :meth:`stats.ChangeResult.confidence_interval`; these kernels take validated,
broadcast float arrays and are tested against statsmodels ``confint_proportions_2indep``.
"""

from __future__ import annotations

import numpy as np

__all__: list[str] = []

_TOLERANCE = 1e-13  # width of the final bracket around an interval limit
_SECANT_STEPS = 40  # Illinois steps before the bracket is narrowed around the best point
_NUDGE = 4e-14  # half-width of that bracket (narrower than _TOLERANCE: a confirmed row is done)
_CLOSE = 1e-13  # |T - z| below which the Illinois stage stops for a row


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


def _boundary(margin, reject, accept):
    """Vectorised root bracketing: the point where ``margin`` changes sign between two ends.

    ``margin(x, rows)`` is evaluated for the rows ``rows`` (an index array); ``>= 0`` means
    the null value ``x`` is rejected. It is monotone between ``reject`` (where it is >= 0)
    and ``accept`` (where it is < 0). Three stages, every one keeping a valid bracket:
    regula falsi with the Illinois modification (bisection where a value is not finite or
    two steps did not halve the bracket) for ``_SECANT_STEPS`` steps; a bracket of half-width ``_NUDGE`` around the best
    point, kept where the signs confirm it; then bisection of the rows still wider than
    ``_TOLERANCE`` (at most 70 halvings: float resolution on [-1, 1]). Returns the bracket
    end on the rejected side, so a value is outside the interval exactly when it is
    rejected, up to the tolerance.
    """
    reject = np.array(reject, dtype=float).ravel()
    accept = np.array(accept, dtype=float).ravel()
    rows = np.arange(reject.size)
    m_rej, m_acc = margin(reject, rows), margin(accept, rows)
    last = np.zeros(reject.size, dtype=np.int8)

    def keep(rows, x, m):
        rejected = m >= 0
        reject[rows] = np.where(rejected, x, reject[rows])
        m_rej[rows] = np.where(rejected, m, m_rej[rows])
        accept[rows] = np.where(rejected, accept[rows], x)
        m_acc[rows] = np.where(rejected, m_acc[rows], m)
        return rejected

    width_before = np.abs(accept - reject)  # the bracket two steps ago, per row
    width_last = width_before.copy()
    active = rows
    for _ in range(_SECANT_STEPS):
        done = (np.minimum(np.abs(m_rej[active]), np.abs(m_acc[active])) < _CLOSE) | (
            np.abs(accept[active] - reject[active]) <= _NUDGE
        )
        active = active[~done]
        if active.size == 0:
            break
        r, a, mr, ma = reject[active], accept[active], m_rej[active], m_acc[active]
        finite = np.isfinite(mr) & np.isfinite(ma) & (mr != ma)
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            secant = a - ma * (a - r) / (ma - mr)
        inside = finite & (np.minimum(r, a) < secant) & (secant < np.maximum(r, a))
        # safeguard: bisect where two steps did not halve the bracket (a far, steep end)
        slow = np.abs(a - r) > 0.5 * width_before[active]
        x = np.where(inside & ~slow, secant, 0.5 * (r + a))
        width_before[active], width_last[active] = width_last[active], np.abs(a - r)
        previous = last[active]
        rejected = keep(active, x, margin(x, active))
        # Illinois: when the same end survives twice, halve its margin so the secant moves.
        m_acc[active] = np.where(rejected & (previous == 1), 0.5 * m_acc[active], m_acc[active])
        m_rej[active] = np.where(~rejected & (previous == -1), 0.5 * m_rej[active], m_rej[active])
        last[active] = np.where(rejected, 1, -1)

    best = np.where(np.abs(m_rej) <= np.abs(m_acc), reject, accept)
    direction = np.sign(accept - reject)  # from the rejected side towards the accepted side
    near_rej = np.clip(best - _NUDGE * direction, np.minimum(reject, accept), np.maximum(reject, accept))
    near_acc = np.clip(best + _NUDGE * direction, np.minimum(reject, accept), np.maximum(reject, accept))
    wide = np.abs(accept - reject) > _TOLERANCE
    if wide.any():
        idx = rows[wide]
        m_near_rej, m_near_acc = margin(near_rej[idx], idx), margin(near_acc[idx], idx)
        confirmed = (m_near_rej >= 0) & (m_near_acc < 0)
        idx = idx[confirmed]
        reject[idx], accept[idx] = near_rej[idx], near_acc[idx]

    active = rows
    for _ in range(70):
        active = active[np.abs(accept[active] - reject[active]) > _TOLERANCE]
        if active.size == 0:
            break
        x = 0.5 * (reject[active] + accept[active])
        keep(active, x, margin(x, active))
    return reject


def score_bounds(d, p1, n1, p2, n2, f1, f2, cc, z_low, z_high):
    """Lower and upper limits ``{delta : -z_high < T(delta) < z_low}`` of the score interval.

    ``z_low`` is the critical value for the lower limit (``inf`` for none: the limit is -1),
    ``z_high`` for the upper limit. ``T`` is decreasing in ``delta``; each limit is the
    root of ``T - z`` found by :func:`_boundary` between -1 (or 1) and ``d``, returned on
    its rejected side, so ``0`` lies outside the interval exactly when ``T(0)`` reaches the
    critical value.

    ``T`` can fail to be monotone in one degenerate case: with the finite population
    correction, a census of one inspection (``f = 0``) and 0 % or 100 % in the other, the
    variance at the restricted estimates vanishes near ``d``. The limits are then tied to
    the verdict at 0 (which is the test's own): a limit on the far side of 0 is moved to 0
    when 0 is not rejected, and just past 0 when it is, so the interval never contradicts
    the test.
    """
    d = np.asarray(d, dtype=float)
    shape = d.shape
    args = [np.broadcast_to(np.asarray(x, dtype=float), shape).ravel() for x in (d, p1, n1, p2, n2, f1, f2, cc)]

    def stat(delta, rows):
        return score_statistic(delta, *(x[rows] for x in args))

    everything = np.arange(d.size)
    minus_one = np.full(d.size, -1.0)
    one = np.full(d.size, 1.0)
    zeros = np.zeros(d.size)
    flat_d = args[0]
    if np.all(np.isinf(z_low)):
        low = minus_one
    else:
        zl = np.broadcast_to(np.asarray(z_low, dtype=float), shape).ravel()
        margin = lambda x, rows: stat(x, rows) - zl[rows]
        low = np.where(margin(minus_one, everything) >= 0, _boundary(margin, minus_one, flat_d), -1.0)
        zero_rejected = margin(zeros, everything) >= 0  # only where d > 0
        low = np.where(zero_rejected & (low <= 0), np.nextafter(0.0, 1.0), low)
        low = np.where(~zero_rejected & (low > 0), 0.0, low)
    if np.all(np.isinf(z_high)):
        high = one
    else:
        zh = np.broadcast_to(np.asarray(z_high, dtype=float), shape).ravel()
        margin = lambda x, rows: -stat(x, rows) - zh[rows]
        high = np.where(margin(one, everything) >= 0, _boundary(margin, one, flat_d), 1.0)
        zero_rejected = margin(zeros, everything) >= 0  # only where d < 0
        high = np.where(zero_rejected & (high >= 0), np.nextafter(0.0, -1.0), high)
        high = np.where(~zero_rejected & (high < 0), 0.0, high)
    return low.reshape(shape), high.reshape(shape)


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


def wilson_cc(p, n, z):
    r"""Continuity-corrected Wilson interval for one proportion (Newcombe 1998, method 4 of his 1998a).

    .. math::
        L = \frac{2np + z^2 - 1 - z\sqrt{z^2 - 2 - 1/n + 4p(n(1-p) + 1)}}{2(n + z^2)},\quad
        U = \frac{2np + z^2 + 1 + z\sqrt{z^2 + 2 - 1/n + 4p(n(1-p) - 1)}}{2(n + z^2)}

    with :math:`L = 0` at :math:`p = 0` and :math:`U = 1` at :math:`p = 1`; clipped to [0, 1]
    (scipy ``binomtest(k, n).proportion_ci(method='wilsoncc')``). ``n`` may be inf (limits p).
    """
    p = np.asarray(p, dtype=float)
    n = np.asarray(n, dtype=float)
    z = np.asarray(z, dtype=float)
    finite = ~np.isinf(n)
    nn = np.where(finite, n, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        den = 2 * (nn + z**2)
        low = (2 * nn * p + z**2 - 1 - z * np.sqrt(np.maximum(z**2 - 2 - 1 / nn + 4 * p * (nn * (1 - p) + 1), 0))) / den
        high = (
            2 * nn * p + z**2 + 1 + z * np.sqrt(np.maximum(z**2 + 2 - 1 / nn + 4 * p * (nn * (1 - p) - 1), 0))
        ) / den
    low = np.where(p <= 0, 0.0, np.clip(low, 0.0, 1.0))
    high = np.where(p >= 1, 1.0, np.clip(high, 0.0, 1.0))
    return np.where(finite, low, p), np.where(finite, high, p)


def newcombe_cc_bounds(d, p1, n1, p2, n2, f1, f2, z_low, z_high):
    """Newcombe's continuity-corrected hybrid score interval (his method 11): method 10 with
    :func:`wilson_cc` limits in place of Wilson's, at the effective sizes ``n / f``.
    """
    with np.errstate(divide="ignore"):
        e1, e2 = n1 / f1, n2 / f2
    zl = np.where(np.isinf(z_low), 0.0, z_low)
    zh = np.where(np.isinf(z_high), 0.0, z_high)
    l2, _ = wilson_cc(p2, e2, zl)
    _, u1 = wilson_cc(p1, e1, zl)
    _, u2 = wilson_cc(p2, e2, zh)
    l1, _ = wilson_cc(p1, e1, zh)
    low = np.where(np.isinf(z_low), -1.0, d - np.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2))
    high = np.where(np.isinf(z_high), 1.0, d + np.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2))
    return np.maximum(low, -1.0), np.minimum(high, 1.0)
