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


def _cubic(delta, p1, n1, p2, n2):
    """Coefficients ``(t3, t2, t1, t0)`` of the likelihood cubic in :math:`\\tilde\\pi_1`, and :math:`k_1`."""
    k1 = p1 * n1
    total = n1 + n2
    count = k1 + p2 * n2
    t3 = total
    t2 = (n2 + 2 * n1) * delta - total - count
    t1 = (n1 * delta - total - 2 * k1) * delta + count
    t0 = k1 * delta * (1 - delta)
    return t3, t2, t1, t0, k1


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
    t3, t2, t1, t0, _ = _cubic(delta, p1, n1, p2, n2)
    b3 = t2 / (3 * t3)
    q = b3**3 - t1 * t2 / (6 * t3**2) + t0 / (2 * t3)
    r = np.where(q < 0, -1.0, 1.0) * np.sqrt(np.maximum(b3**2 - t1 / (3 * t3), 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(r == 0, 0.0, q / r**3)
    angle = (np.pi + np.arccos(np.clip(ratio, -1.0, 1.0))) / 3
    pi1 = np.clip(2 * r * np.cos(angle) - b3, 0.0, 1.0)
    pi2 = np.clip(pi1 + delta, 0.0, 1.0)
    return pi1, pi2


def _restricted_mle(cubic, delta):
    """:func:`restricted_mle` from the cubic's coefficients, with products where it raises to powers.

    numpy's ``x ** 3`` calls ``pow`` (about 200 times slower than ``x * x * x`` on a 2020s CPU);
    the two agree to a few units in the last place, so the limits agree to 1e-12 except
    where the score statistic is itself ill-conditioned (see :func:`score_bounds`).
    :func:`restricted_mle` keeps the powers, so :func:`score_statistic` is unchanged.
    """
    t3, t2, t1, t0, _ = cubic
    b3 = t2 / (3 * t3)
    b3_2 = b3 * b3
    q = b3_2 * b3 - t1 * t2 / (6 * t3 * t3) + t0 / (2 * t3)  # products, not ** 3: numpy's pow is 200x slower
    r = np.copysign(np.sqrt(np.maximum(b3_2 - t1 / (3 * t3), 0.0)), q)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(r == 0, 0.0, q / (r * r * r))
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


def _score_and_slope(delta, d, p1, n1, p2, n2, f1, f2, cc, slope=True):
    r""":math:`T(\delta)` of :func:`score_statistic` and its derivative :math:`T'(\delta)`.

    :math:`T = g/s` with :math:`g` the (corrected) gap, so
    :math:`T' = (g' s - g s') / s^2`, :math:`g' = -1` where :math:`g \ne 0`,
    :math:`s' = [(1 - 2\tilde\pi_1)\tilde\pi_1' f_1/n_1 + (1 - 2\tilde\pi_2)\tilde\pi_2' f_2/n_2] / (2s)`,
    and :math:`\tilde\pi_1' = -(\partial F/\partial\delta)/(\partial F/\partial\pi)` by implicit
    differentiation of the likelihood cubic :math:`F` (0 where the estimate is clipped to 0 or 1),
    :math:`\tilde\pi_2' = \tilde\pi_1' + 1`. The slope only steers Newton's method; the limits
    are confirmed by the sign of :math:`T` itself.
    """
    cubic = _cubic(delta, p1, n1, p2, n2)
    pi1, pi2 = _restricted_mle(cubic, delta)
    se = np.sqrt(pi1 * (1 - pi1) * f1 / n1 + pi2 * (1 - pi2) * f2 / n2)
    gap = d - delta
    num = np.sign(gap) * (np.abs(gap) - np.minimum(cc, np.abs(gap)))
    if not slope:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(num == 0, 0.0, num / se), None
    t3, t2, t1, _, k1 = cubic
    dF_dpi = (3 * t3 * pi1 + 2 * t2) * pi1 + t1
    dF_ddelta = ((n2 + 2 * n1) * pi1 + 2 * n1 * delta - (n1 + n2) - 2 * k1) * pi1 + k1 * (1 - 2 * delta)
    with np.errstate(divide="ignore", invalid="ignore"):
        dpi1 = np.where((pi1 > 0) & (pi1 < 1), -dF_ddelta / dF_dpi, 0.0)
        dpi2 = np.where((pi2 > 0) & (pi2 < 1), dpi1 + 1, 0.0)
        dse = ((1 - 2 * pi1) * dpi1 * f1 / n1 + (1 - 2 * pi2) * dpi2 * f2 / n2) / (2 * se)
        t = num / se
        dt = (np.where(num == 0, 0.0, -1.0) * se - num * dse) / (se * se)
    return np.where(num == 0, 0.0, t), dt


def _row_constants(p1, n1, p2, n2):
    """Per-row terms of :func:`_cubic` and its derivatives that do not depend on ``delta``, computed once.

    Each is the very expression :func:`_cubic`, :func:`_restricted_mle` and :func:`_score_and_slope`
    evaluate (same operations, same order), so :func:`_score_and_slope_simple` gives their results
    bit for bit.
    """
    k1 = p1 * n1
    total = n1 + n2
    return {
        "n1": n1,
        "n2": n2,
        "k1": k1,
        "total": total,
        "count": k1 + p2 * n2,
        "a": n2 + 2 * n1,
        "two_k1": 2 * k1,
        "two_n1": 2 * n1,
        "three_t3": 3 * total,
        "six_t3_t3": 6 * total * total,
        "two_t3": 2 * total,
    }


def _score_and_slope_simple(delta, d, cc, c, slope=True):
    """:func:`_score_and_slope` for rows without the finite population correction (``f1 = f2 = 1``),
    from :func:`_row_constants` ``c``: the same operations less those on constants (and the
    multiplications by 1), so the same values bit for bit, in about half the time.

    Each operation is the one :func:`_score_and_slope` performs, on the same operands in the same
    order (a product or a sum with its operands swapped is the same in IEEE arithmetic); results
    are written into arrays already made (``out=``) wherever an intermediate is not needed again,
    which saves most of the allocations (and the page faults of memory handed back and taken
    again), the larger part of the time on arrays of a few thousand rows. ``cc`` None stands for no
    continuity correction on any row (``cc = 0``), where the corrected gap is the gap itself.
    """
    n1, n2, k1, total, count = c["n1"], c["n2"], c["k1"], c["total"], c["count"]
    three_t3 = c["three_t3"]
    t2 = np.multiply(c["a"], delta)  # a delta - N - (k1 + k2)
    t2 -= total
    t2 -= count
    t1 = np.multiply(n1, delta)  # (n1 delta - N - 2 k1) delta + (k1 + k2)
    t1 -= total
    t1 -= c["two_k1"]
    t1 *= delta
    t1 += count
    work = np.subtract(1, delta)
    t0 = np.multiply(k1, delta)  # k1 delta (1 - delta)
    t0 *= work
    b3 = np.divide(t2, three_t3)
    b3_2 = np.multiply(b3, b3)
    q = np.multiply(b3_2, b3)  # b3^3 - t1 t2 / (6 t3^2) + t0 / (2 t3)
    np.multiply(t1, t2, out=work)
    work /= c["six_t3_t3"]
    q -= work
    t0 /= c["two_t3"]
    q += t0
    r = np.divide(t1, three_t3, out=t0)  # copysign(sqrt(max(b3^2 - t1 / (3 t3), 0)), q)
    np.subtract(b3_2, r, out=r)
    np.maximum(r, 0.0, out=r)
    np.sqrt(r, out=r)
    np.copysign(r, q, out=r)
    angle = np.multiply(r, r, out=b3_2)  # q / r^3 (0 where r = 0), clipped to [-1, 1]
    angle *= r
    with np.errstate(divide="ignore", invalid="ignore"):
        np.divide(q, angle, out=angle)
    np.copyto(angle, 0.0, where=r == 0)
    np.maximum(angle, -1.0, out=angle)  # np.clip(x, -1, 1), as its two halves
    np.minimum(angle, 1.0, out=angle)
    np.arccos(angle, out=angle)  # (pi + arccos(ratio)) / 3
    angle += np.pi
    angle /= 3
    np.cos(angle, out=angle)
    pi1 = np.multiply(r, 2, out=r)  # clip(2 r cos(angle) - b3, 0, 1)
    pi1 *= angle
    pi1 -= b3
    np.maximum(pi1, 0.0, out=pi1)
    np.minimum(pi1, 1.0, out=pi1)
    pi2 = np.add(pi1, delta, out=q)
    np.maximum(pi2, 0.0, out=pi2)
    np.minimum(pi2, 1.0, out=pi2)
    se = np.subtract(1, pi1, out=b3)  # sqrt(pi1 (1 - pi1) / n1 + pi2 (1 - pi2) / n2)
    se *= pi1
    se /= n1
    np.subtract(1, pi2, out=work)
    work *= pi2
    work /= n2
    se += work
    np.sqrt(se, out=se)
    gap = np.subtract(d, delta)  # sign(gap) (|gap| - min(c, |gap|))
    if cc is None:  # no correction: sign(gap) |gap| is gap itself, but for -0.0, which becomes 0.0
        num = np.add(gap, 0.0, out=angle)
    else:
        num = np.abs(gap, out=angle)
        np.subtract(num, np.minimum(cc, num), out=num)
        num *= np.sign(gap, out=gap)
    zero = num == 0
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.divide(num, se, out=gap)
    np.copyto(t, 0.0, where=zero)
    if not slope:
        return t, None
    t2 *= 2  # dF/dpi = (3 t3 pi1 + 2 t2) pi1 + t1
    dF_dpi = np.multiply(three_t3, pi1, out=work)
    dF_dpi += t2
    dF_dpi *= pi1
    dF_dpi += t1
    dF_ddelta = np.multiply(c["a"], pi1, out=t1)  # (a pi1 + 2 n1 delta - N - 2 k1) pi1 + k1 (1 - 2 delta)
    dF_ddelta += np.multiply(c["two_n1"], delta, out=t2)
    dF_ddelta -= total
    dF_ddelta -= c["two_k1"]
    dF_ddelta *= pi1
    tail = np.multiply(2, delta, out=t2)
    np.subtract(1, tail, out=tail)
    tail *= k1
    dF_ddelta += tail
    with np.errstate(divide="ignore", invalid="ignore"):
        dpi1 = np.negative(dF_ddelta, out=dF_ddelta)  # -dF/ddelta / dF/dpi where 0 < pi1 < 1, else 0
        dpi1 /= dF_dpi
        np.copyto(dpi1, 0.0, where=~((pi1 > 0) & (pi1 < 1)))
        dpi2 = np.add(dpi1, 1, out=dF_dpi)  # dpi1 + 1 where 0 < pi2 < 1, else 0
        np.copyto(dpi2, 0.0, where=~((pi2 > 0) & (pi2 < 1)))
        dse = np.multiply(2, pi1, out=pi1)  # ((1 - 2 pi1) dpi1 / n1 + (1 - 2 pi2) dpi2 / n2) / (2 se)
        np.subtract(1, dse, out=dse)
        dse *= dpi1
        dse /= n1
        part = np.multiply(2, pi2, out=pi2)
        np.subtract(1, part, out=part)
        part *= dpi2
        part /= n2
        dse += part
        dse /= np.multiply(2, se, out=part)
        dt = np.where(zero, 0.0, -1.0)  # (-[num != 0] se - num dse) / se^2
        dt *= se
        dt -= np.multiply(num, dse, out=dse)
        dt /= np.multiply(se, se, out=part)
    return t, dt


def _newton_boundary(margin, reject, accept, start, iterations=40):
    """Root of a monotone ``margin`` between ``reject`` (margin >= 0) and ``accept`` (< 0) by Newton's method.

    ``margin(x, rows)`` returns ``(value, slope)``. Newton steps from ``start`` inside the bracket,
    bisection where a step leaves it, until the step is below 1e-14; then the root is
    confirmed by the sign of ``margin`` at ``_NUDGE`` on either side, and the end on the
    rejected side is returned, as :func:`_boundary` does. Returns ``(limit, confirmed)``; rows
    not confirmed (a margin that is flat, not monotone or not finite) are left to
    :func:`_boundary`.
    """
    reject = np.array(reject, dtype=float)
    accept = np.array(accept, dtype=float)
    x = np.clip(np.asarray(start, dtype=float), np.minimum(reject, accept), np.maximum(reject, accept))
    x = np.where(np.isfinite(x), x, 0.5 * (reject + accept))
    rows = np.arange(x.size)
    active = rows
    for _ in range(iterations):
        value, slope = margin(x[active], active)
        rejected = value >= 0
        reject[active] = np.where(rejected, x[active], reject[active])
        accept[active] = np.where(rejected, accept[active], x[active])
        r, a, xa = reject[active], accept[active], x[active]
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            newton = xa - value / slope
        inside = np.isfinite(newton) & (np.minimum(r, a) < newton) & (newton < np.maximum(r, a))
        x_new = np.where(inside, newton, 0.5 * (r + a))
        # done: Newton's step is below 1e-14 (it may point just outside the bracket: rounding), or the
        # bracket is narrower than the confirmation below
        done = (np.abs(newton - xa) <= 1e-14) | (np.abs(a - r) <= _NUDGE)
        x[active] = np.where(done, xa, x_new)
        active = active[~done]
        if active.size == 0:
            break
    return _confirm(lambda at, idx: margin(at, idx)[0], x, reject, accept)


def _confirm(value, x, reject, accept):
    """The root ``x`` of a margin confirmed by its sign ``_NUDGE`` on either side, within the bracket
    ``reject``-``accept``: returns ``(near_rej, confirmed)``, the point on the rejected side and
    whether the margin is ``>= 0`` there and ``< 0`` on the accepted side. ``value(points, rows)``
    returns the margin at ``points`` for the rows ``rows`` (an index array); a side that is a bracket
    end needs no second look (the ends are rejected and accepted by construction), and a row whose
    first side fails is not looked at again. The one confirmation of :func:`_newton_boundary` and
    :func:`_newton_compact`.
    """
    rows = np.arange(x.size)
    direction = np.sign(accept - reject)
    lo, hi = np.minimum(reject, accept), np.maximum(reject, accept)
    near_rej = np.clip(x - _NUDGE * direction, lo, hi)
    near_acc = np.clip(x + _NUDGE * direction, lo, hi)
    check_rej, check_acc = near_rej != reject, near_acc != accept
    confirmed = direction != 0
    for near, check, want in ((near_rej, check_rej, True), (near_acc, check_acc, False)):
        idx = rows[check & confirmed]
        if idx.size:
            confirmed[idx] = (value(near[idx], idx) >= 0) == want
    return near_rej, confirmed


def _newton_compact(gather, evaluate, reject, accept, start, iterations=40):
    """:func:`_newton_boundary` with the rows' data gathered once, not at every step (the same values).

    ``gather(rows)`` returns the data of those rows (an index array) and ``evaluate(x, data, slope)``
    returns ``(value, slope)`` of the margin (``slope`` False: the value alone, for the confirmation,
    which needs no slope); each row's arithmetic is that of
    :func:`_newton_boundary`. The working set is re-gathered only when a third of it is done: rows
    already done are evaluated with the others until then, and their state is left as it was, so
    every row takes the same steps and stops at the same point as it would alone.
    """
    reject = np.array(reject, dtype=float)
    accept = np.array(accept, dtype=float)
    x = np.clip(np.asarray(start, dtype=float), np.minimum(reject, accept), np.maximum(reject, accept))
    x = np.where(np.isfinite(x), x, 0.5 * (reject + accept))
    rows = np.arange(x.size)
    cur, data = rows, gather(rows)
    xc, rc, ac = x.copy(), reject.copy(), accept.copy()
    live = np.ones(x.size, dtype=bool)
    for _ in range(iterations):  # (in place where a value is not needed again: the same values, fewer arrays)
        value, slope = evaluate(xc, data, True)
        rejected = value >= 0
        rejected &= live
        np.copyto(rc, xc, where=rejected)  # live rows: the new point becomes the end on its side
        np.copyto(ac, xc, where=live ^ rejected)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            newton = np.subtract(xc, np.divide(value, slope, out=value), out=value)  # x - value / slope
        lo, hi = np.minimum(rc, ac), np.maximum(rc, ac)
        inside = np.isfinite(newton)
        inside &= lo < newton
        inside &= newton < hi
        x_new = np.add(rc, ac, out=hi)  # Newton's point inside the bracket, else its middle
        x_new *= 0.5
        np.copyto(x_new, newton, where=inside)
        step = np.abs(np.subtract(newton, xc, out=newton), out=newton)
        width = np.abs(np.subtract(ac, rc, out=lo), out=lo)
        done = step <= 1e-14
        done |= width <= _NUDGE
        live &= ~done
        np.copyto(xc, x_new, where=live)
        if not live.any():
            break
        if 3 * np.count_nonzero(live) < 2 * live.size:  # a third done: gather the rest
            x[cur], reject[cur], accept[cur] = xc, rc, ac
            cur = cur[live]
            data = gather(cur)
            xc, rc, ac = x[cur], reject[cur], accept[cur]
            live = np.ones(cur.size, dtype=bool)
    x[cur], reject[cur], accept[cur] = xc, rc, ac
    return _confirm(lambda at, idx: evaluate(at, gather(idx), False)[0], x, reject, accept)


def _end_rejected(sign, end, d, n1, n2, cc, z):
    r"""Rows where the margin ``sign * T(end) - z`` of :func:`_score_and_slope_simple` is surely ``>= 0``
    (the null value ``end``, -1 or 1, is rejected, so the limit lies inside the range), decided
    without evaluating ``T``; False where it is not sure (the margin is then evaluated).

    :math:`T = g/s` with the gap :math:`g` computed as the kernel computes it, and
    :math:`s^2 = 	ilde\pi_1(1-	ilde\pi_1)/n_1 + 	ilde\pi_2(1-	ilde\pi_2)/n_2 \le 1/(4n_1) + 1/(4n_2)`
    whatever the restricted estimates (each is clipped to [0, 1]; ``s = 0`` gives an infinite ``T``
    of the gap's sign). So :math:`\mathrm{sign}\cdot g \ge z\,\sqrt{1/(4n_1) + 1/(4n_2)}\,(1 + 10^{-9})`
    makes :math:`\mathrm{sign}\cdot T \ge z` (the factor covers the rounding of ``s``, ``T`` and the
    bound, all a few units in the last place). Only for ``z > 0`` (finite); nan anywhere is not sure.
    A test checks the claim against the evaluated margin on every row.
    """
    gap = np.subtract(d, end)
    num = gap + 0.0 if cc is None else np.sign(gap) * (np.abs(gap) - np.minimum(cc, np.abs(gap)))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        bound = np.sqrt(0.25 / n1 + 0.25 / n2)
        return (sign * num >= z * bound * (1 + 1e-9)) & (z > 0) & np.isfinite(z)


#: Rows solved together by :func:`score_bounds`: blocks of this size keep the temporaries of each step in
#: the CPU's cache (measured: 100,000 rows in blocks of 16,384 took about half the time of one block).
_BLOCK_ROWS = 16_384


def score_bounds(d, p1, n1, p2, n2, f1, f2, cc, z_low, z_high, *, newton=True):
    """:func:`_score_bounds` in blocks of :data:`_BLOCK_ROWS` rows (every row's arithmetic is its own, so
    the limits are the same bit for bit)."""
    d = np.asarray(d, dtype=float)
    if d.size <= _BLOCK_ROWS:
        return _score_bounds(d, p1, n1, p2, n2, f1, f2, cc, z_low, z_high, newton=newton)
    shape = d.shape
    flat = [
        np.broadcast_to(np.asarray(x, dtype=float), shape).ravel()
        for x in (d, p1, n1, p2, n2, f1, f2, cc, z_low, z_high)
    ]
    low, high = np.empty(d.size), np.empty(d.size)
    for start in range(0, d.size, _BLOCK_ROWS):
        block = slice(start, start + _BLOCK_ROWS)
        low[block], high[block] = _score_bounds(*(x[block] for x in flat), newton=newton)
    return low.reshape(shape), high.reshape(shape)


def _score_bounds(d, p1, n1, p2, n2, f1, f2, cc, z_low, z_high, *, newton=True):
    """Lower and upper limits ``{delta : -z_high < T(delta) < z_low}`` of the score interval.

    ``z_low`` is the critical value for the lower limit (``inf`` for none: the limit is -1),
    ``z_high`` for the upper limit. ``T`` is decreasing in ``delta``; each limit is the
    root of ``T - z`` between -1 (or 1) and ``d``, found by Newton's method with the
    derivative of ``T`` in closed form (:func:`_score_and_slope`, from the Wald-like start
    ``d -+ z s(d) -+ c``; about five evaluations of the closed-form restricted estimates
    per limit), confirmed by the sign of ``T - z`` within ``_NUDGE`` on either side and
    returned on its rejected side, so ``0`` lies outside the interval exactly when ``T(0)``
    reaches the critical value. Rows where Newton's method cannot confirm a root are
    solved by the bracketing :func:`_boundary` (equal results to 1e-12 either way: both
    return the rejected end of a bracket narrower than ``_TOLERANCE``).

    Rows without the finite population correction are evaluated by :func:`_score_and_slope_simple`
    (per-row constants computed once) and stepped by :func:`_newton_compact` (data gathered once
    per working set): the same operations on every row, so the same limits bit for bit. Whether a
    limit lies inside (-1, 1) at all (``T`` at the end reaches ``z``) is decided without evaluating
    ``T`` where the gap alone makes it certain (:func:`_end_rejected`), and by ``T`` elsewhere.

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

    def pick(values, rows):
        """``values[rows]``, not copied where ``rows`` is every row (each index array here is sorted and
        without repeats, so one of every row's size is every row, in order)."""
        return values if rows.size == d.size else values[rows]

    def data_of(rows):  # the kernel's per-row data for rows of F
        at_const = const if rows.size == d.size else {k: v[rows] for k, v in const.items()}
        return pick(flat_d, rows), None if no_cc else pick(cc_, rows), at_const

    def stat_slope(delta, rows, slope=True):  # rows of F only (f1 = f2 = 1)
        at_d, at_cc, at_const = data_of(rows)
        return _score_and_slope_simple(delta, at_d, at_cc, at_const, slope)

    everything = np.arange(d.size)
    minus_one = np.full(d.size, -1.0)
    one = np.full(d.size, 1.0)
    flat_d, _, n1_, _, n2_, f1_, f2_, cc_ = args
    # With the finite population correction T can fail to be monotone (see below): those rows keep the
    # bracketing search and the statistic exactly as they always had, so they land on the same crossing.
    simple = (f1_ == 1) & (f2_ == 1) & newton  # newton=False: the bracketing search alone (benchmarks)
    newton_rows, bracket_rows = everything[simple], everything[~simple]
    F = newton_rows
    no_cc = not np.any(cc_[F])  # no continuity correction on these rows: the kernel's shorter route
    const = _row_constants(args[1], n1_, args[3], n2_)
    if F.size:  # shared by both limits: T(0) (the verdict at 0) and s(d) (the scale of Newton's start)
        t_zero = stat_slope(np.zeros(F.size), F, False)[0]
        pi1, pi2 = _restricted_mle(_cubic(flat_d[F], args[1][F], n1_[F], args[3][F], n2_[F]), flat_d[F])
        s_at_d = np.sqrt(pi1 * (1 - pi1) / n1_[F] + pi2 * (1 - pi2) / n2_[F])

    def solve(sign, z, end):
        """Limits on one side: sign +1 for the lower limit (T - z >= 0 rejects), -1 for the upper."""
        limit, zero_rejected = end.copy(), np.zeros(d.size, dtype=bool)
        S = bracket_rows
        if S.size:

            def margin(x, rows):
                return sign * stat(x, S[rows]) - z[S[rows]]

            has_root = margin(end[S], np.arange(S.size)) >= 0  # elsewhere no root: the limit is the end
            rows = np.flatnonzero(has_root)
            limit[S[rows]] = _boundary(lambda x, r: margin(x, rows[r]), end[S[rows]], flat_d[S[rows]])
            zero_rejected[S] = margin(np.zeros(S.size), np.arange(S.size)) >= 0
        if F.size:

            def margin_slope(x, rows, slope=True):
                t, dt = stat_slope(x, F[rows], slope)
                return sign * t - z[F[rows]], (None if dt is None else sign * dt)

            def margin(x, rows):
                return margin_slope(x, rows, False)[0]

            all_f = np.arange(F.size)
            # a limit inside (-1, 1) where T at the end reaches z: certain for most rows without evaluating T
            has_root = _end_rejected(sign, end[F], flat_d[F], n1_[F], n2_[F], None if no_cc else cc_[F], z[F])
            unsure = all_f[~has_root]
            if unsure.size:
                has_root[unsure] = margin(end[F[unsure]], unsure) >= 0
            rows = all_f[has_root]
            if rows.size:
                Fr = F[rows]
                start = flat_d[Fr] - sign * (z[Fr] * s_at_d[rows] + cc_[Fr])

                def gather(r):
                    at = pick(Fr, r)
                    return (*data_of(at), pick(z, at))

                def evaluate(x, data, slope):
                    at_d, at_cc, at_const, at_z = data  # as gathered above
                    t, dt = _score_and_slope_simple(x, at_d, at_cc, at_const, slope)
                    return sign * t - at_z, (sign * dt if slope else None)

                found, ok = _newton_compact(gather, evaluate, end[Fr], flat_d[Fr], start)
                limit[Fr] = found
                rest = rows[~ok]
                if rest.size:
                    limit[F[rest]] = _boundary(lambda x, r: margin(x, rest[r]), end[F[rest]], flat_d[F[rest]])
            zero_rejected[F] = sign * t_zero - z[F] >= 0
        return limit, zero_rejected

    if np.all(np.isinf(z_low)):
        low = minus_one
    else:
        zl = np.broadcast_to(np.asarray(z_low, dtype=float), shape).ravel()
        low, zero_rejected = solve(1.0, zl, minus_one)  # zero rejected only where d > 0
        low = np.where(zero_rejected & (low <= 0), np.nextafter(0.0, 1.0), low)
        low = np.where(~zero_rejected & (low > 0), 0.0, low)
    if np.all(np.isinf(z_high)):
        high = one
    else:
        zh = np.broadcast_to(np.asarray(z_high, dtype=float), shape).ravel()
        high, zero_rejected = solve(-1.0, zh, one)  # zero rejected only where d < 0
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
