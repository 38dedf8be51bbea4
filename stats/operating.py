"""Exact operating characteristics of a change test: its real size and power, by full enumeration.

With independent binomial counts :math:`X_1 \\sim B(n_1, p_1)` (previous) and
:math:`X_2 \\sim B(n_2, p_2)` (current), the probability that a test rejects is

.. math:: \\Pr(\\text{reject}) = \\sum_{k_1=0}^{n_1} \\sum_{k_2=0}^{n_2}
          b(k_1; n_1, p_1)\\, b(k_2; n_2, p_2)\\, [\\,p(k_1, n_1, k_2, n_2) \\le \\alpha\\,],

a bilinear form in the two binomial pmf vectors around the test's
:math:`(n_1+1) \\times (n_2+1)` rejection matrix. It is exact (no Monte
Carlo error) and cheap for n up to 1000; the Monte Carlo functions of
:mod:`stats.simulate` remain for designs that enumeration cannot cover
(finite populations, clustered samples).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from . import _validation as v
from .change import ChangeTest

if TYPE_CHECKING:
    from .exact_tests import ExactTest

__all__ = ["exact_size", "exact_power", "rejection_matrix", "OperatingCharacteristics"]


def _check_test(test: object) -> Any:
    if test is None:
        return ChangeTest()
    if isinstance(test, ChangeTest) and test.finite_population:
        raise ValueError(
            "test.finite_population must be False for exact enumeration: the counts are modelled as "
            "binomial (an infinite population); the operating characteristics of the same test without "
            "the correction are the super-population ones (test.replace(finite_population=False))."
        )
    if not (hasattr(test, "pvalue") and hasattr(test, "alpha")):
        raise TypeError(f"test must be a stats.ChangeTest or a stats.exact_tests.ExactTest (got {test!r}).")
    return test


@lru_cache(maxsize=64)
def _rejection(test: Any, n_previous: int, n_current: int) -> np.ndarray:
    if hasattr(test, "rejection_matrix"):
        out = test.rejection_matrix(n_previous, n_current)
    else:
        k1 = np.arange(n_previous + 1, dtype=float)[:, None]
        k2 = np.arange(n_current + 1, dtype=float)[None, :]
        out = np.asarray(test.pvalue(k1, float(n_previous), k2, float(n_current))) <= test.alpha
    out = np.ascontiguousarray(out, dtype=bool)
    out.flags.writeable = False
    return out


def rejection_matrix(n_previous: int, n_current: int, test: ChangeTest | ExactTest | None = None) -> np.ndarray:
    """Boolean matrix ``[k_previous, k_current]``: where ``test`` rejects at its ``alpha``.

    See Also
    --------
    exact_size, exact_power : the probabilities of the region it marks.
    stats.change.ChangeTest.pvalue : the p-values it thresholds.

    Examples
    --------
    >>> from stats.operating import rejection_matrix
    >>> rejection_matrix(2, 2).astype(int).tolist()  # pooled Z test, alpha 0.1: only 0/2 vs 2/2 and back
    [[0, 0, 1], [0, 0, 0], [1, 0, 0]]
    """
    spec = _check_test(test)
    n1 = int(v.check_count("n_previous", n_previous))
    n2 = int(v.check_count("n_current", n_current))
    return _rejection(spec, n1, n2).copy()


@dataclass(frozen=True, eq=False)
class OperatingCharacteristics:
    """Result of :func:`exact_size` and :func:`exact_power`.

    Attributes
    ----------
    rejection_rate : float or ndarray
        Probability that the test rejects (its size when ``p_previous ==
        p_current``, its power otherwise).
    n_previous, n_current, p_previous, p_current
        The scenarios, echoed (broadcast shape).
    alpha : float
        The test's nominal level.
    test : ChangeTest or ExactTest
        The test specification.

    See Also
    --------
    exact_size, exact_power : the functions that return it.
    stats.simulate.z_test_rejection : the Monte Carlo estimate of the same rate.

    Examples
    --------
    >>> from stats.operating import exact_size
    >>> exact_size([2, 100], 100, 0.5).to_frame().round(4)
       n_previous  n_current  p_previous  p_current  alpha  rejection_rate  excess
    0           2        100         0.5        0.5    0.1          0.0222 -0.0778
    1         100        100         0.5        0.5    0.1          0.1036  0.0036
    """

    rejection_rate: object
    n_previous: object
    n_current: object
    p_previous: object
    p_current: object
    alpha: float
    test: object

    def to_frame(self) -> pd.DataFrame:
        """One row per scenario, as a DataFrame.

        Columns ``n_previous``, ``n_current``, ``p_previous``, ``p_current``, ``alpha``,
        ``rejection_rate``, ``excess`` (rate minus alpha); ``attrs['test']`` holds the spec.
        """
        shape = np.asarray(self.rejection_rate).shape
        cols = {k: getattr(self, k) for k in ("n_previous", "n_current", "p_previous", "p_current")}
        frame = pd.DataFrame({k: np.broadcast_to(np.asarray(val), shape).ravel() for k, val in cols.items()})
        frame["n_previous"] = frame["n_previous"].astype(np.int64)
        frame["n_current"] = frame["n_current"].astype(np.int64)
        frame["alpha"] = self.alpha
        frame["rejection_rate"] = np.asarray(self.rejection_rate, dtype=float).ravel()
        frame["excess"] = frame["rejection_rate"] - self.alpha
        frame.attrs["test"] = self.test
        return frame


def _enumerate(
    n_previous: ArrayLike, n_current: ArrayLike, p_previous: ArrayLike, p_current: ArrayLike, test: object
) -> OperatingCharacteristics:
    from scipy.stats import binom

    spec = _check_test(test)
    n1 = v.check_count("n_previous", n_previous)
    n2 = v.check_count("n_current", n_current)
    p1 = v.check_proportion("p_previous", p_previous)
    p2 = v.check_proportion("p_current", p_current)
    n1, n2, p1, p2 = v.broadcast(n_previous=n1, n_current=n2, p_previous=p1, p_current=p2)
    rate = np.empty(n1.shape)
    f1, f2, q1, q2 = (a.ravel() for a in (n1, n2, p1, p2))
    flat = rate.reshape(-1)
    designs = np.stack([f1, f2], axis=1)
    for a, b in np.unique(designs, axis=0):
        idx = np.flatnonzero((f1 == a) & (f2 == b))
        m1, m2 = int(a), int(b)
        pmf1 = binom.pmf(np.arange(m1 + 1)[None, :], m1, q1[idx, None])
        pmf2 = binom.pmf(np.arange(m2 + 1)[None, :], m2, q2[idx, None])
        flat[idx] = np.einsum("sj,sj->s", pmf1 @ _rejection(spec, m1, m2), pmf2)
    u = v.unwrap
    return OperatingCharacteristics(
        rejection_rate=u(rate),
        n_previous=u(n1),
        n_current=u(n2),
        p_previous=u(p1),
        p_current=u(p2),
        alpha=float(spec.alpha),
        test=spec,
    )


def exact_size(
    n_previous: ArrayLike, n_current: ArrayLike, p: ArrayLike, *, test: ChangeTest | ExactTest | None = None
) -> OperatingCharacteristics:
    r"""Real size of a test: its probability of rejecting when nothing has changed.

    Vectorised over ``n_previous``, ``n_current`` and ``p`` (broadcast).

    Parameters
    ----------
    n_previous, n_current : int or array_like
        Sample sizes (whole numbers >= 1; about 1000 at most for speed).
    p : float or array_like
        The common true proportion :math:`p_1 = p_2 = p`.
    test : ChangeTest or ExactTest, optional
        The test (default ``ChangeTest()``, the inspectorate's pooled Z test
        at alpha 0.1). Anything with ``alpha`` and
        ``pvalue(k_previous, n_previous, k_current, n_current)`` works.

    Returns
    -------
    OperatingCharacteristics

    See Also
    --------
    exact_power : the rejection rate when the proportions differ.
    rejection_matrix : the rejection region summed here.
    stats.simulate.z_test_rejection : the Monte Carlo estimate (a check of this one).

    Notes
    -----
    See the module docstring for the sum. The size depends on :math:`p`;
    an exact test (:class:`stats.exact_tests.ExactTest`) has size at most
    ``alpha`` at every :math:`p` (up to its numerical precision), the Z test
    does not.

    Examples
    --------
    >>> from stats.operating import exact_size
    >>> round(exact_size(2, 2, 0.5).rejection_rate, 6)  # rejects only 0/2 vs 2/2 and back: 2/16
    0.125
    >>> round(exact_size(100, 100, 0.5).rejection_rate, 4)
    0.1036
    """
    return _enumerate(n_previous, n_current, p, p, test)


def exact_power(
    n_previous: ArrayLike,
    n_current: ArrayLike,
    p_previous: ArrayLike,
    p_current: ArrayLike,
    *,
    test: ChangeTest | ExactTest | None = None,
) -> OperatingCharacteristics:
    r"""Real power of a test at true proportions ``p_previous`` and ``p_current``, by enumeration.

    Parameters and result as :func:`exact_size`; ``p_previous`` and
    ``p_current`` broadcast with the sample sizes.

    See Also
    --------
    exact_size : the rejection rate under no change.
    stats.power.power_of_change : the normal approximation of the same power.

    Examples
    --------
    >>> from stats.operating import exact_power
    >>> round(exact_power(2, 2, 0.2, 0.8).rejection_rate, 4)  # 0.8^4 + 0.2^4
    0.4112
    """
    return _enumerate(n_previous, n_current, p_previous, p_current, test)
