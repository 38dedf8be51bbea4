"""Sample design: sample size, margin of error, implied population and allocation.

The inspectorate sizes case samples "to achieve a confidence level of 80 per
cent (with a margin of error of 5)" (Annexe 2 of the South Yorkshire CRC 2020
report). This module turns that rule into numbers a statistician can check.

All functions work on proportions (0.05 is a margin of 5 percentage points).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from . import _validation as v
from .change import critical_z

__all__ = [
    "critical_value",
    "sample_size",
    "margin_of_error",
    "implied_population",
    "ImpliedPopulation",
    "allocate",
    "subsample_margin",
    "SubsampleMargin",
    "normal_margin",
    "check_confidence_level",
    "sample_design",
    "SAMPLE_SIZE_METHODS",
]

#: The finite-population sample-size formulas in use by other tools (see ``sample_size``).
SAMPLE_SIZE_METHODS = ("raosoft", "epiinfo", "samplingbook")

# Values within this distance of a whole number are treated as that whole number
# before rounding up, so that floating-point noise (100.00000000001) cannot add a case.
_INTEGER_TOLERANCE = 1e-9


def critical_value(confidence_level: ArrayLike = 0.80) -> Any:
    r"""Two-sided standard normal critical value for a confidence level.

    Parameters
    ----------
    confidence_level : float or array_like, default 0.80
        Confidence level in (0, 1). The default is the inspectorate's 80 %.

    Returns
    -------
    z : float or ndarray
        :math:`z = \Phi^{-1}(1 - (1 - c)/2)`, the same as
        ``scipy.stats.norm.ppf(1 - (1 - c) / 2)``.

    See Also
    --------
    margin_of_error : Uses it for the half-width of the interval.
    sample_size : Uses it for the number of cases.
    scipy.stats.norm.ppf : The normal quantile it is computed from.

    Examples
    --------
    >>> from stats import critical_value
    >>> round(critical_value(0.80), 7)
    1.2815516
    """
    c = check_confidence_level(confidence_level)
    return v.unwrap(np.asarray(critical_z(1 - c, "two-sided")))


def check_confidence_level(confidence_level: ArrayLike) -> np.ndarray:
    """``confidence_level`` as an array, checked: in (0, 1) and with a finite critical value.

    A level so close to 1 that :math:`1 - (1 - c)/2` rounds to 1 in floating point (for example
    0.9999999999999999) has an infinite critical value, so every margin would be infinite and every
    sample size meaningless: it is refused, naming the rule and the value.

    See Also
    --------
    critical_value : The critical value of a checked level.

    Examples
    --------
    >>> from stats.samplesize import check_confidence_level
    >>> check_confidence_level([0.8, 0.95])
    array([0.8 , 0.95])
    >>> check_confidence_level(80)
    Traceback (most recent call last):
    ...
    ValueError: confidence_level must be strictly between 0 and 1 (got 80.0).
    """
    c = v.check_open_unit("confidence_level", confidence_level)
    z = critical_z(1 - c, "two-sided")
    bad = ~np.isfinite(z)
    if np.any(bad):
        raise ValueError(
            f"confidence_level ({v.first_bad(c, bad)}) is too close to 1: its critical value "
            "z = Phi^-1(1 - (1 - c)/2) is infinite in floating point (1 - (1 - c)/2 rounds to 1); "
            "use a level of at most 1 - 1e-15."
        )
    return c


def _n0(margin, confidence_level, proportion):
    z = critical_z(1 - confidence_level, "two-sided")
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        return z**2 * proportion * (1 - proportion) / margin**2


def _check_margin(margin: ArrayLike) -> np.ndarray:
    e = v.as_float_array("margin", margin)
    v.check_not_nan("margin", e)
    bad = (e <= 0) | (e > 0.5)
    if bad.any():
        hint = "; did you pass percentage points? 5 points is 0.05" if np.all(e[bad] >= 1) else ""
        raise ValueError(f"margin must be in (0, 0.5] ({v.first_bad(e, bad)}){hint}.")
    return e


def sample_size(
    population: ArrayLike | None = None,
    *,
    margin: ArrayLike = 0.05,
    confidence_level: ArrayLike = 0.80,
    proportion: ArrayLike = 0.5,
    method: str = "raosoft",
) -> Any:
    r"""Number of cases needed to estimate a proportion within a margin of error.

    Vectorised: every argument broadcasts against the others.

    Parameters
    ----------
    population : int, array_like or None, default None
        Size N of the eligible population. ``None`` (or ``inf``) means an
        infinite population, where every method gives the unrounded ``n0``
        rounded by that method.
    margin : float or array_like, default 0.05
        Half-width E of the confidence interval on the proportion scale, in
        (0, 0.5]. The inspectorate's "margin of error of 5" is 0.05.
    confidence_level : float or array_like, default 0.80
        Confidence level c in (0, 1); the inspectorate uses 80 %.
    proportion : float or array_like, default 0.5
        Anticipated proportion p in [0, 1]. 0.5 maximises p(1 - p) and so
        gives the largest (most conservative) sample.
    method : {'raosoft', 'epiinfo', 'samplingbook'}, default 'raosoft'
        Finite population formula, see Notes.

    Returns
    -------
    n : int or ndarray of int
        Sample size, never above N.

    See Also
    --------
    margin_of_error : The inverse: the margin a sample size gives.
    implied_population : The populations for which a rule gives a stated sample size.
    stats.sampling.allocate_sample : Allocates the sample over strata as the inspectorate's sampler does.

    Notes
    -----
    With :math:`z = \Phi^{-1}(1 - (1 - c)/2)` and
    :math:`n_0 = z^2 p (1 - p) / E^2` (the infinite-population size) [1]_:

    - ``'raosoft'`` (default; Raosoft, Creative Research Systems, OpenEpi [2]_):
      :math:`n = \lceil N n_0 / (N + n_0 - 1) \rceil`. This is the exact
      inversion of the margin with the finite population correction
      :math:`(N - n)/(N - 1)` used by :func:`margin_of_error`, so
      ``margin_of_error(sample_size(N), N) <= margin`` always holds.
    - ``'epiinfo'`` (Epi Info StatCalc): :math:`n = n_0 / (1 + n_0/N)`
      rounded to the nearest integer (halves up, as JavaScript's
      ``Math.round``). Rounding to nearest can undershoot the margin slightly.
    - ``'samplingbook'`` (R package samplingbook, ``sample.size.prop``):
      :math:`n = \lceil N n_0 / (N + n_0) \rceil`. Unlike that package, no
      silent switch to an infinite population is made when p < 0.1 or p > 0.9.

    Before rounding, values within 1e-9 of a whole number are taken as that
    number, so floating-point noise never adds a case. At 80 % confidence,
    E = 0.05 and p = 0.5, :math:`n_0 = 164.24` and N = 250 gives 100 cases:
    the report's case-supervision sample.

    References
    ----------
    .. [1] Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed., Wiley,
       section 4.4.
    .. [2] Dean, A. G., Sullivan, K. M., Soe, M. M. OpenEpi: Open Source
       Epidemiologic Statistics for Public Health, "Sample size for a
       proportion or descriptive study".

    Examples
    --------
    >>> from stats import sample_size
    >>> sample_size(250)
    100
    >>> sample_size()
    165
    >>> sample_size([50, 500], method="epiinfo").tolist()
    [38, 124]
    """
    v.check_choice("method", method, SAMPLE_SIZE_METHODS)
    big_n = v.check_population("population", population)
    e = _check_margin(margin)
    c = check_confidence_level(confidence_level)
    p = v.check_proportion("proportion", proportion)
    big_n, e, c, p = v.broadcast(population=big_n, margin=e, confidence_level=c, proportion=p)

    n0 = _n0(e, c, p)
    finite = np.isfinite(big_n)
    safe_n = np.where(finite, big_n, 1.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        if method == "raosoft":
            raw = np.where(finite, safe_n * n0 / (safe_n + n0 - 1), n0)
        elif method == "samplingbook":
            raw = np.where(finite, safe_n * n0 / (safe_n + n0), n0)
        else:  # epiinfo
            raw = np.where(finite, n0 / (1 + n0 / safe_n), n0)
    # p = 0 or 1 gives n0 = 0 (and 0/0 when N = 1): one case is still needed to observe anything.
    raw = np.where(n0 == 0, 0.0, raw)
    # N = 1 with a tiny n0: N + n0 - 1 rounds to 0 and the quotient to inf; the exact value is 1 (= N).
    # A finite population with an n0 that overflows (a tiny margin): the whole population, N. An
    # infinite population keeps its inf, refused below as too large (never a sample of 1).
    raw = np.where(np.isfinite(raw) | ~finite, raw, safe_n)
    with np.errstate(invalid="ignore"):  # inf - inf for an overflowing n0: refused below
        snapped = np.where(np.abs(raw - np.round(raw)) < _INTEGER_TOLERANCE, np.round(raw), raw)
    if method == "epiinfo":
        n = np.floor(snapped + 0.5)
    else:
        n = np.ceil(snapped)
    n = np.maximum(n, 1)
    n = np.where(finite, np.minimum(n, safe_n), n)
    too_big = ~(n <= v.MAX_COUNT)  # also inf: a margin so small that n0 overflows
    if too_big.any():
        index = tuple(int(i) for i in np.argwhere(too_big)[0]) if n.ndim else ()
        raise ValueError(
            f"margin ({e[index].item()!r}) is too small: the sample size would be {raw[index].item():.3g}, above "
            f"2**53 = {int(v.MAX_COUNT)} (the largest whole number exact in floating point)."
        )
    return v.unwrap(n.astype(np.int64))


def margin_of_error(
    n: ArrayLike,
    population: ArrayLike | None = None,
    *,
    confidence_level: ArrayLike = 0.80,
    proportion: ArrayLike = 0.5,
) -> Any:
    r"""Margin of error (half-width of the confidence interval) of a sample proportion.

    Vectorised: every argument broadcasts against the others.

    Parameters
    ----------
    n : int or array_like
        Number of cases in the sample (whole number >= 1).
    population : int, array_like or None, default None
        Size N of the population sampled without replacement; ``None`` means
        infinite (no finite population correction).
    confidence_level : float or array_like, default 0.80
        Confidence level c in (0, 1).
    proportion : float or array_like, default 0.5
        Proportion p at which the margin is evaluated; 0.5 gives the widest.

    Returns
    -------
    margin : float or ndarray
        Half-width E on the proportion scale (0.05 is 5 percentage points).

    See Also
    --------
    sample_size : The inverse: the sample size a margin needs.
    subsample_margin : The margin of a sub-sample, and its widening.
    normal_margin : The same formula without validation, for callers with checked arrays.

    Notes
    -----
    .. math:: E = z \sqrt{\frac{p(1-p)}{n} \cdot \frac{N - n}{N - 1}},
              \qquad z = \Phi^{-1}(1 - (1 - c)/2)

    The factor :math:`(N - n)/(N - 1)` is the finite population correction
    for sampling without replacement (Cochran 1977, eq. 3.4; the Raosoft
    margin formula); it is 1 when N is infinite and 0 when the whole
    population is inspected (n = N, including N = 1). This is the normal
    (Wald) approximation used to size samples; it is not an interval for an
    observed proportion near 0 % or 100 %.

    References
    ----------
    .. [1] Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed., Wiley,
       sections 3.4 and 4.4.

    Examples
    --------
    >>> from stats import margin_of_error
    >>> round(margin_of_error(100, 250), 4)
    0.0497
    >>> round(margin_of_error(100), 4)
    0.0641
    """
    nn = v.check_count("n", n)
    big_n = v.check_population("population", population)
    c = check_confidence_level(confidence_level)
    p = v.check_proportion("proportion", proportion)
    nn, big_n, c, p = v.broadcast(n=nn, population=big_n, confidence_level=c, proportion=p)
    v.check_not_above("n", nn, "population", big_n)
    return v.unwrap(normal_margin(nn, big_n, c, p))


def normal_margin(n, big_n, c, p):
    """The margin of error of :func:`margin_of_error`, for arrays already checked by the caller.

    ``n`` cases, population ``big_n`` (may be inf, or non-integer for estimated sub-populations),
    confidence level ``c`` and proportion ``p``, broadcast together; no validation (the callers,
    :mod:`stats.tables`, :mod:`stats.cases`, :mod:`stats.simulate`, pass checked arrays).

    See Also
    --------
    margin_of_error : The checked public form of this formula.

    Examples
    --------
    >>> import numpy as np
    >>> from stats.samplesize import normal_margin
    >>> normal_margin(np.array([100.0, 100.0]), np.array([np.inf, 250.0]), np.array(0.8), np.array(0.5)).round(4)
    array([0.0641, 0.0497])
    """
    z = critical_z(1 - c, "two-sided")
    finite = np.isfinite(big_n)
    if not np.any(finite):
        return z * np.sqrt(p * (1 - p) / n)
    with np.errstate(invalid="ignore", divide="ignore"):
        fpc = np.where(finite, (big_n - n) / (big_n - 1), 1.0)
    fpc = np.where(finite & (n >= big_n), 0.0, fpc)
    return z * np.sqrt(p * (1 - p) / n * fpc)


_margin = normal_margin  # former private name, kept for callers not yet updated


@dataclass(frozen=True)
class ImpliedPopulation:
    """Range of eligible-population sizes for which a sample-size rule gives ``n``.

    Attributes
    ----------
    n : int
        The stated sample size.
    low, high : int or float
        Smallest and largest population N with ``sample_size(N) == n``;
        ``high`` is ``inf`` when every larger population gives ``n`` too.
        Both are ``None`` when no population gives exactly ``n``.
    consistent : bool
        Whether any population gives exactly ``n`` under the rule.
    margin, confidence_level, proportion, method
        The rule, echoed.

    See Also
    --------
    implied_population : Returns it.

    Examples
    --------
    >>> from stats.samplesize import implied_population
    >>> result = implied_population(100)
    >>> result.low, result.high, result.consistent
    (248, 254, True)
    """

    n: int
    low: int | None
    high: int | float | None
    consistent: bool
    margin: float
    confidence_level: float
    proportion: float
    method: str

    def to_frame(self) -> pd.DataFrame:
        """One-row DataFrame of the attributes."""
        return pd.DataFrame([self.__dict__])


def implied_population(
    n: int,
    *,
    margin: float = 0.05,
    confidence_level: float = 0.80,
    proportion: float = 0.5,
    method: str = "raosoft",
) -> ImpliedPopulation:
    r"""Eligible-population sizes N for which :func:`sample_size` gives exactly ``n``.

    Lets a statistician check a stated sample against the stated rule: the
    report's 100 cases at 80 % confidence and a 5-point margin imply an
    eligible population of 248 to 254 cases.

    Parameters
    ----------
    n : int
        Stated sample size (whole number >= 1). Scalar only.
    margin, confidence_level, proportion, method
        The sample-size rule, as in :func:`sample_size`.

    Returns
    -------
    ImpliedPopulation
        ``low`` and ``high`` bound the populations that give ``n``;
        ``consistent`` is False (and the bounds ``None``) when none does,
        for example a sample larger than the infinite-population size
        (165 at the defaults).

    See Also
    --------
    sample_size : The rule inverted.
    sample_design : Applies this to each of a report's stated samples.

    Notes
    -----
    :func:`sample_size` is non-decreasing in N, so the set of N giving ``n`` is
    an interval of integers. Its ends are found by integer bisection on the
    exact rounded formula, so the answer matches :func:`sample_size` exactly
    whatever the method's rounding.

    References
    ----------
    .. [1] Raosoft, Inc. (2004). Sample size calculator, http://www.raosoft.com/samplesize.html.
    .. [2] Centers for Disease Control and Prevention. Epi Info StatCalc, "Population survey or
           descriptive study".
    .. [3] Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed., Wiley, section 4.4.

    Examples
    --------
    >>> from stats import implied_population
    >>> r = implied_population(100)
    >>> (r.low, r.high)
    (248, 254)
    """
    nn = v.check_count("n", n)
    if nn.ndim != 0:
        raise TypeError(f"n must be a single whole number (got an array of shape {nn.shape}).")
    target = int(nn)
    rule: dict[str, Any] = dict(margin=margin, confidence_level=confidence_level, proportion=proportion, method=method)
    for name in ("margin", "confidence_level", "proportion"):
        if np.ndim(rule[name]) != 0:
            raise TypeError(f"{name} must be a single number for implied_population (got {rule[name]!r}).")
    limit = int(sample_size(None, **rule))

    def first_population_reaching(k: int) -> int | float:
        """Smallest N with sample_size(N) >= k (inf if none)."""
        if k > limit:
            return np.inf
        lo, hi = 1, max(k, 2)
        while sample_size(hi, **rule) < k:
            lo, hi = hi, hi * 2
        while lo < hi:
            mid = (lo + hi) // 2
            if sample_size(mid, **rule) >= k:
                hi = mid
            else:
                lo = mid + 1
        return lo

    low = first_population_reaching(target)
    next_low = first_population_reaching(target + 1)
    high = next_low - 1 if np.isfinite(next_low) else np.inf
    consistent = bool(np.isfinite(low) and low <= high)
    return ImpliedPopulation(
        n=target,
        low=int(low) if consistent else None,
        high=(high if not np.isfinite(high) else int(high)) if consistent else None,
        consistent=consistent,
        margin=float(margin),
        confidence_level=float(confidence_level),
        proportion=float(proportion),
        method=method,
    )


def allocate(strata: Mapping[Any, int] | pd.Series, n: int) -> pd.Series:
    r"""Allocate ``n`` cases across strata in proportion to their population counts.

    Parameters
    ----------
    strata : mapping or pandas.Series
        Population count of each stratum (for example gender x disposal x
        risk-of-harm level), whole numbers >= 0 with a positive total. A
        Series with a MultiIndex keeps it.
    n : int
        Total sample size, a whole number >= 0 and not above the total population.

    Returns
    -------
    pandas.Series
        Integer allocation named ``"n"``, in the order of ``strata``; it sums
        to ``n``.

    See Also
    --------
    stats.sampling.proportional_allocation : The sampler's rule (half-up rounding, then adjustment).
    sample_size : The total to allocate.

    Notes
    -----
    Largest-remainder (Hamilton) rounding: stratum h gets
    :math:`\lfloor n N_h / N \rfloor` cases, then the cases left over go one
    each to the strata with the largest fractional parts
    :math:`n N_h / N - \lfloor n N_h / N \rfloor` (ties to the larger stratum,
    then to the earlier one). Each part differs from its exact proportional
    share by less than one case, which is as close to the population ratios
    as whole cases allow; no stratum is given more cases than it holds.

    References
    ----------
    .. [1] Balinski, M. L. and Young, H. P. (2001). *Fair Representation*, 2nd ed., Brookings
           Institution Press (Hamilton's method of largest remainders).

    Examples
    --------
    >>> from stats import allocate
    >>> allocate({"community": 145, "post-release": 105}, 100).tolist()
    [58, 42]
    """
    if isinstance(strata, Mapping):
        counts = pd.Series(dict(strata), dtype=float)
    elif isinstance(strata, pd.Series):
        counts = strata.astype(float)
    else:
        raise TypeError(
            f"strata must be a mapping or a pandas Series of population counts (got {type(strata).__name__})."
        )
    if counts.empty:
        raise ValueError("strata must contain at least one stratum (got none).")
    values = v.check_count("strata", counts.to_numpy(), minimum=0)
    total = values.sum()
    if total <= 0:
        raise ValueError(f"strata must have a positive total population (got {total:g}).")
    nn = v.check_count("n", n, minimum=0)
    if nn.ndim != 0:
        raise TypeError(f"n must be a single whole number (got an array of shape {nn.shape}).")
    if nn > total:
        raise ValueError(f"n must not exceed the total population of the strata (got n={int(nn)} > {int(total)}).")

    quota = nn * values / total
    base = np.floor(quota)
    left = int(nn - base.sum())
    frac = quota - base
    # Sort by fractional part (desc), then population (desc), then position (asc).
    order = np.lexsort((np.arange(len(values)), -values, -frac))
    base[order[:left]] += 1
    return pd.Series(base.astype(np.int64), index=counts.index, name="n")


@dataclass(frozen=True)
class SubsampleMargin:
    """Margin of error of a sub-sample, and how much wider it is than the full sample's.

    Attributes
    ----------
    n_sub : int or ndarray
        Cases in the sub-sample.
    n : int, ndarray or None
        Cases in the full sample.
    population : int, float, ndarray or None
        Eligible population of the full sample (None: infinite).
    subpopulation : float, ndarray or None
        Estimated sub-population ``population * n_sub / n`` used for the
        finite population correction (None: infinite).
    margin : float or ndarray
        Margin of error of the sub-sample (proportion scale).
    margin_full : float, ndarray or None
        Margin of error of the full sample (needs ``n``).
    widening : float, ndarray or None
        ``margin / margin_full`` (needs ``n``).
    confidence_level, proportion : float
        Echoed.

    See Also
    --------
    subsample_margin : Returns it.

    Examples
    --------
    >>> from stats.samplesize import subsample_margin
    >>> result = subsample_margin(85, n=100)
    >>> round(result.margin, 4), round(result.margin_full, 4), round(result.widening, 3)
    (0.0695, 0.0641, 1.085)
    """

    n_sub: object
    n: object
    population: object
    subpopulation: object
    margin: object
    margin_full: object
    widening: object
    confidence_level: float
    proportion: float

    def to_frame(self) -> pd.DataFrame:
        """DataFrame with one row per sub-sample."""
        cols = {k: np.atleast_1d(val) if val is not None else None for k, val in self.__dict__.items()}
        length = max(len(c) for c in cols.values() if c is not None)
        return pd.DataFrame(
            {k: (np.broadcast_to(c, length) if c is not None else [None] * length) for k, c in cols.items()}
        )


def subsample_margin(
    n_sub: ArrayLike,
    *,
    n: ArrayLike | None = None,
    population: ArrayLike | None = None,
    confidence_level: float = 0.80,
    proportion: float = 0.5,
) -> SubsampleMargin:
    r"""Margin of error of a sub-sample (e.g. the 85 harm cases within 100).

    Vectorised over ``n_sub``, ``n`` and ``population``.

    Parameters
    ----------
    n_sub : int or array_like
        Cases in the sub-sample (whole number >= 1).
    n : int, array_like or None, default None
        Cases in the full sample; needed for ``widening`` and for a population.
    population : int, array_like or None, default None
        Eligible population N of the full sample. ``None``: infinite.
    confidence_level : float, default 0.80
    proportion : float, default 0.5

    Returns
    -------
    SubsampleMargin

    See Also
    --------
    margin_of_error : The margin of the full sample.
    SubsampleMargin : The result's attributes.

    Notes
    -----
    The sub-sample margin is :func:`margin_of_error` at ``n_sub``. With a
    population, the sub-population is estimated as
    :math:`N_{sub} = N \, n_{sub} / n` (the sub-sample is assumed to be
    proportionate, as the report says the sample's ratios match the eligible
    population), and the correction :math:`(N_{sub} - n_{sub})/(N_{sub} - 1)`
    is applied to it. ``widening`` is ``margin(n_sub) / margin(n)``; it is at
    least 1 whenever ``n_sub <= n``. For 85 of 100 cases from N = 250 the
    margin goes from 4.97 to 5.40 points (5.38 with the simpler correction
    :math:`1 - n/N`); with no population, 6.41 to 6.95 points (widening 1.085,
    which is :math:`\sqrt{100/85}`).

    References
    ----------
    .. [1] Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed., Wiley, sections 2.13 and 3.4
           (estimates for subpopulations; the finite population correction).

    Examples
    --------
    >>> from stats import subsample_margin
    >>> r = subsample_margin(85, n=100, population=250)
    >>> round(r.margin, 4), round(r.widening, 3)
    (0.054, 1.085)
    """
    ns = v.check_count("n_sub", n_sub)
    c = float(check_confidence_level(v.check_scalar_open_unit("confidence_level", confidence_level)))
    p_arr = v.check_proportion("proportion", proportion)
    if p_arr.ndim != 0:
        raise TypeError(f"proportion must be a single number (got an array of shape {p_arr.shape}).")
    p = float(p_arr)
    if population is not None and n is None:
        raise ValueError("population needs n (the full sample size) to estimate the sub-population (got n=None).")
    if n is None:
        margin = normal_margin(ns, np.inf, c, p)
        return SubsampleMargin(v.unwrap(ns.astype(np.int64)), None, None, None, v.unwrap(margin), None, None, c, p)
    nn = v.check_count("n", n)
    big_n = v.check_population("population", population)
    ns, nn, big_n = v.broadcast(n_sub=ns, n=nn, population=big_n)
    v.check_not_above("n_sub", ns, "n", nn)
    v.check_not_above("n", nn, "population", big_n)
    sub_pop = np.where(np.isfinite(big_n), big_n * ns / np.where(nn > 0, nn, 1), np.inf)
    margin = normal_margin(ns, sub_pop, c, p)
    margin_full = normal_margin(nn, big_n, c, p)
    with np.errstate(invalid="ignore", divide="ignore"):
        widening = np.where(margin_full > 0, margin / margin_full, np.where(margin > 0, np.inf, 1.0))
    return SubsampleMargin(
        n_sub=v.unwrap(ns.astype(np.int64)),
        n=v.unwrap(nn.astype(np.int64)),
        population=None if population is None else v.unwrap(big_n),
        subpopulation=None if population is None else v.unwrap(sub_pop),
        margin=v.unwrap(margin),
        margin_full=v.unwrap(margin_full),
        widening=v.unwrap(widening),
        confidence_level=c,
        proportion=p,
    )


def sample_design(
    samples: pd.DataFrame,
    *,
    margin: float = 0.05,
    confidence_level: float = 0.80,
    proportion: float = 0.5,
    method: str = "raosoft",
) -> pd.DataFrame:
    r"""Check a report's stated samples against its sample-size rule.

    Parameters
    ----------
    samples : pandas.DataFrame
        One row per stated sample with columns ``sample`` (name) and ``n``;
        optional ``parent`` (name of the sample it is a sub-sample of) and
        ``sized_for_margin`` ("yes" where the report says the sample was sized
        by the rule), as in the bundled ``samples.csv``.
    margin, confidence_level, proportion, method
        The rule, as in :func:`sample_size` (defaults: the report's 80 %
        confidence and 5-point margin, p = 0.5).

    Returns
    -------
    pandas.DataFrame
        One row per sample with the input columns and, as proportions:
        ``margin`` (infinite population, i.e. no correction);
        ``implied_population_low`` / ``_high`` (the eligible populations for
        which the rule gives ``n``: for samples sized by the rule, and for a
        sub-sample its parent's range scaled by ``n / n_parent``);
        ``margin_fpc_low`` / ``_high`` (the margin with the finite population
        correction at those populations); ``widening`` (sub-samples only:
        the margin relative to the parent's, without population, which is
        :math:`\sqrt{n_{parent}/n}`).

    See Also
    --------
    implied_population : The population range of one sample.
    subsample_margin : The widening of a sub-sample's margin.
    stats.load_report : The report whose ``samples`` table this takes.

    Notes
    -----
    Uses :func:`implied_population`, :func:`margin_of_error` and
    :func:`subsample_margin`; see their Notes for the formulas.

    References
    ----------
    .. [1] Raosoft, Inc. (2004). Sample size calculator, http://www.raosoft.com/samplesize.html.
    .. [2] Centers for Disease Control and Prevention. Epi Info StatCalc, "Population survey or
           descriptive study".
    .. [3] Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed., Wiley, section 4.4.

    Examples
    --------
    >>> import pandas as pd
    >>> from stats.samplesize import sample_design
    >>> d = sample_design(
    ...     pd.DataFrame(
    ...         {
    ...             "sample": ["cases", "harm"],
    ...             "n": [100, 85],
    ...             "parent": [None, "cases"],
    ...             "sized_for_margin": ["yes", "no"],
    ...         }
    ...     )
    ... )
    >>> d[["sample", "implied_population_low", "implied_population_high"]]
      sample  implied_population_low  implied_population_high
    0  cases                   248.0                    254.0
    1   harm                   210.8                    215.9
    """
    if not isinstance(samples, pd.DataFrame):
        raise TypeError(f"samples must be a pandas DataFrame (got {type(samples).__name__}).")
    for col in ("sample", "n"):
        if col not in samples.columns:
            raise ValueError(f"samples has no column {col!r}; columns are {list(samples.columns)}.")
    out = samples.copy().reset_index(drop=True)
    n = v.check_count("samples['n']", out["n"].to_numpy(dtype=float))
    parent = out["parent"] if "parent" in out.columns else pd.Series([None] * len(out))
    sized = (
        out["sized_for_margin"].astype("string").str.lower().eq("yes").fillna(False).to_numpy(dtype=bool)
        if "sized_for_margin" in out.columns
        else np.zeros(len(out), dtype=bool)
    )
    by_name = dict(zip(out["sample"], range(len(out)), strict=True))
    rule: dict[str, Any] = dict(margin=margin, confidence_level=confidence_level, proportion=proportion, method=method)
    low = np.full(len(out), np.nan)
    high = np.full(len(out), np.nan)
    for k in np.flatnonzero(sized):
        implied = implied_population(int(n[k]), **rule)
        if implied.consistent:
            low[k], high[k] = implied.low, implied.high
    widening = np.full(len(out), np.nan)
    for i, par in enumerate(parent):
        if isinstance(par, str) and par:
            if par not in by_name:
                raise ValueError(f"samples row {i}: parent {par!r} is not a sample in the table.")
            j = by_name[par]
            if n[i] > n[j]:
                raise ValueError(f"samples row {i}: n ({int(n[i])}) exceeds its parent's n ({int(n[j])}).")
            widening[i] = subsample_margin(
                int(n[i]), n=int(n[j]), confidence_level=confidence_level, proportion=proportion
            ).widening
            low[i], high[i] = low[j] * n[i] / n[j], high[j] * n[i] / n[j]
    c = float(check_confidence_level(v.check_scalar_open_unit("confidence_level", confidence_level)))
    p = float(proportion)
    out["margin"] = normal_margin(n, np.inf, c, p)
    out["implied_population_low"] = np.round(low, 1)
    out["implied_population_high"] = np.round(high, 1)
    out["margin_fpc_low"] = normal_margin(n, np.where(np.isnan(low), np.inf, low), c, p)
    out["margin_fpc_high"] = normal_margin(n, np.where(np.isnan(high), np.inf, high), c, p)
    out.loc[np.isnan(low), ["margin_fpc_low", "margin_fpc_high"]] = np.nan
    out["widening"] = widening
    return out
