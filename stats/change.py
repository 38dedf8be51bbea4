"""The change test: is a prompt's percentage significantly different from the previous inspection?

The inspectorate tests changes "using the Z-score test, with a significance
level of 0.1" (Annexe 2, "Comparative data"). :class:`ChangeTest` states which
Z test exactly (level, tail, variance, continuity correction, finite
population) and which confidence interval goes with it. Every function of the
package that draws a verdict takes one, and every labelled result carries it,
so that all views of a table show the same verdict. :func:`compare_proportions`
runs the test, vectorised.

Adding a test variant means adding one row to :data:`METHODS` (and, if it needs
a new interval, one kernel in :mod:`stats._intervals`); nothing else in the
package names the variants.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import special

from . import _intervals
from . import _validation as v

__all__ = [
    "ALTERNATIVES",
    "COUNT_RULES",
    "DECLINE",
    "IMPROVEMENT",
    "INTERVALS",
    "LABELS",
    "LABEL_BY_CODE",
    "METHODS",
    "NO_CHANGE",
    "NO_DATA",
    "ChangeResult",
    "ChangeTest",
    "ConfidenceInterval",
    "Method",
    "compare_proportions",
    "critical_z",
    "label_codes",
    "methods_table",
    "pooled_variance",
    "pvalue_from_z",
    "register_method",
    "resolve_test",
    "spec_of",
    "table_test",
    "wald_variance",
    "z_test",
]

IMPROVEMENT = "significant improvement"
DECLINE = "significant decline"
NO_CHANGE = "no significant change"
NO_DATA = "no comparable data"
#: Every label a row can receive, in display order.
LABELS = (IMPROVEMENT, DECLINE, NO_CHANGE, NO_DATA)
ALTERNATIVES = ("two-sided", "less", "greater")
#: What a table's published percentages are tested as: the whole counts they imply (default), or
#: percent / 100 times n (fractional cases; an explicit option, for comparison with other tools).
COUNT_RULES = ("implied", "fractional")

#: A float or an array of floats: the inputs and outputs of the vectorised kernels.
FloatArray = float | np.ndarray


def pooled_variance(
    p1: FloatArray, n1: FloatArray, p2: FloatArray, n2: FloatArray, w1: FloatArray, w2: FloatArray
) -> FloatArray:
    r"""Pooled variance :math:`\bar p(1-\bar p)(w_1+w_2)`: the variance under H0.

    :math:`\bar p=(n_1\hat p_1+n_2\hat p_2)/(n_1+n_2)`, the proportion of both samples together.

    ``w_i`` is :math:`f_i/n_i` (:math:`f_i = 1 - n_i/N_i` with the finite population correction, else 1).

    See Also
    --------
    wald_variance : the unpooled (Wald) kernel, the variance under H1.
    z_test : the kernel that divides the difference by the square root of this variance.
    stats.change.METHODS : the registry that names the variants using each kernel.

    Examples
    --------
    >>> from stats.change import pooled_variance
    >>> import math
    >>> var = pooled_variance(0.54, 100, 0.71, 100, 1 / 100, 1 / 100)
    >>> round(var, 7), round(math.sqrt(var), 6)
    (0.0046875, 0.068465)
    """
    pbar = (p1 * n1 + p2 * n2) / (n1 + n2)
    return pbar * (1 - pbar) * (w1 + w2)


def wald_variance(
    p1: FloatArray, n1: FloatArray, p2: FloatArray, n2: FloatArray, w1: FloatArray, w2: FloatArray
) -> np.ndarray:
    r"""Unpooled (Wald) variance :math:`\hat p_1\hat q_1 w_1 + \hat p_2\hat q_2 w_2`.

    Where it vanishes although the proportions differ (0 % vs 100 %), the pooled variance, so that
    no row gets an infinite z from a handful of cases.

    See Also
    --------
    pooled_variance : the pooled kernel, the variance under H0.
    z_test : the kernel that divides the difference by the square root of this variance.

    Examples
    --------
    >>> from stats.change import wald_variance
    >>> round(float(wald_variance(0.54, 100, 0.71, 100, 1 / 100, 1 / 100)), 6)
    0.004543
    >>> float(wald_variance(0.0, 1, 1.0, 1, 1.0, 1.0))  # 0/1 vs 1/1: the pooled variance instead of 0
    0.5
    """
    var = p1 * (1 - p1) * w1 + p2 * (1 - p2) * w2
    return np.where((var == 0) & (p2 != p1), pooled_variance(p1, n1, p2, n2, w1, w2), var)


@dataclass(frozen=True)
class Method:
    r"""One test variant of the registry :data:`METHODS`.

    Attributes
    ----------
    variance : callable
        ``variance(p1, n1, p2, n2, w1, w2)``: the variance of :math:`\hat p_2 - \hat p_1`,
        vectorised, with ``w_i = f_i / n_i`` (:func:`pooled_variance`, :func:`wald_variance`, or
        any other kernel, e.g. Agresti-Caffo's).
    continuity : bool
        Yates's continuity correction of the numerator (as R ``prop.test``).
    interval : str
        The interval of :data:`INTERVALS` that inverts the test (its dual).
    description : str
        The test in words, for :meth:`ChangeTest.describe`.
    display : str
        Short name for tables and legends.
    style : dict
        matplotlib keyword arguments (``color``, ``marker``, ``linestyle``) for charts.

    See Also
    --------
    register_method : add a row of this kind to the registry.
    ChangeTest : the specification that selects a row by its name (``method=``).
    methods_table : the registry as the reST table in the Notes of :class:`ChangeTest`.

    Examples
    --------
    >>> from stats.change import METHODS
    >>> m = METHODS["unpooled-cc"]
    >>> m.variance.__name__, m.continuity, m.interval, m.pooled
    ('wald_variance', True, 'wald-cc', False)
    """

    variance: Callable
    continuity: bool
    interval: str
    description: str
    display: str
    style: dict = field(default_factory=dict, compare=False)

    @property
    def pooled(self) -> bool:
        """True for the pooled variance (the variance under H0)."""
        return self.variance is pooled_variance


#: The test variants: the one place that defines them, a registry. Each row names its variance
#: kernel, its continuity correction, the interval that inverts it (its dual), its display name
#: and its chart style; the CLI choices, the docstring table of :class:`ChangeTest`, the exact-methods
#: comparison and the tests read it. :func:`register_method` adds a row.
METHODS: dict[str, Method] = {
    "pooled": Method(
        pooled_variance,
        False,
        "score",
        "pooled two-proportion Z test",
        "Z pooled",
        {"color": "#0072B2", "marker": "o", "linestyle": "-"},
    ),
    "pooled-cc": Method(
        pooled_variance,
        True,
        "score-cc",
        "pooled two-proportion Z test with Yates continuity correction",
        "Z pooled, Yates",
        {"color": "#56B4E9", "marker": "s", "linestyle": "--"},
    ),
    "unpooled": Method(
        wald_variance,
        False,
        "wald",
        "unpooled (Wald) two-proportion Z test",
        "Z unpooled",
        {"color": "#009E73", "marker": "^", "linestyle": "-"},
    ),
    "unpooled-cc": Method(
        wald_variance,
        True,
        "wald-cc",
        "unpooled (Wald) two-proportion Z test with Yates continuity correction",
        "Z unpooled, Yates",
        {"color": "#E69F00", "marker": "v", "linestyle": "--"},
    ),
}
_Method = Method  # the name of release 0.1


def register_method(name: str, method: Method) -> Method:
    """Add a test variant to :data:`METHODS` (a new variance kernel, say); returns it.

    The name must be new and the interval one of :data:`INTERVALS`. Every consumer of the
    registry (the CLI choices, :func:`stats.exact.compare_methods`, :class:`ChangeTest`) then
    offers it; a parser built before the registration does not.

    See Also
    --------
    Method : the row it adds.
    ChangeTest : selects the new row by its name.

    Examples
    --------
    >>> import numpy as np
    >>> from stats import ChangeTest, compare_proportions
    >>> from stats.change import METHODS, Method, pooled_variance, register_method
    >>> def doubled(p1, n1, p2, n2, w1, w2):  # a design effect of 2 on the pooled variance
    ...     return 2 * pooled_variance(p1, n1, p2, n2, w1, w2)
    >>> m = register_method("pooled-deff2", Method(doubled, False, "wald", "pooled Z test at deff 2", "Z x2"))
    >>> res = compare_proportions(0.54, 100, 0.71, 100, test=ChangeTest(method="pooled-deff2"))
    >>> round(res.statistic, 6)  # 2.483009 / sqrt(2)
    1.755752
    >>> del METHODS["pooled-deff2"]
    """
    given_name: object = name  # checked as objects: callers need not be type-checked
    given_method: object = method
    if not isinstance(given_name, str) or not given_name or given_name in METHODS:
        raise ValueError(f"name must be a new method name (got {name!r}; taken: {sorted(METHODS)}).")
    if not isinstance(given_method, Method):
        raise TypeError(f"method must be a stats.change.Method (got {type(given_method).__name__}).")
    if not callable(method.variance):
        raise TypeError(f"method.variance must be a function (got {method.variance!r}).")
    v.check_choice("method.interval", method.interval, tuple(INTERVALS))
    METHODS[name] = method
    return method


def methods_table() -> str:
    """The registry as a reST table (the Notes of :class:`ChangeTest`).

    See Also
    --------
    stats.change.METHODS : the registry it lays out.
    register_method : add a row to the registry.

    Examples
    --------
    >>> from stats.change import methods_table
    >>> print(methods_table())
    =========== =============== ========== =============
        method      variance kernel correction dual interval
        =========== =============== ========== =============
        pooled      pooled_variance none       score
        pooled-cc   pooled_variance Yates      score-cc
        unpooled    wald_variance   none       wald
        unpooled-cc wald_variance   Yates      wald-cc
        =========== =============== ========== =============
    """
    rows = [(name, m.variance.__name__, "Yates" if m.continuity else "none", m.interval) for name, m in METHODS.items()]
    head = ("method", "variance kernel", "correction", "dual interval")
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(4)]
    rule = " ".join("=" * w for w in widths)

    def line(r: tuple[str, ...]) -> str:
        return " ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()

    return "\n    ".join([rule, line(head), rule, *(line(r) for r in rows), rule])


#: Interval methods: the duals of the tests, and Newcombe's hybrid score interval.
INTERVALS = {
    "score": "score interval inverting the pooled Z test (Farrington-Manning, no variance correction)",
    "score-cc": "score interval inverting the continuity-corrected pooled Z test",
    "wald": "Wald interval (inverts the unpooled Z test)",
    "wald-cc": "Wald interval with Yates continuity correction (R prop.test)",
    "newcombe": "Newcombe hybrid score interval (method 10)",
    "newcombe-cc": "Newcombe hybrid score interval with continuity correction (method 11)",
}


@dataclass(frozen=True)
class ChangeTest:
    r"""A complete specification of the change test: one object, passed everywhere.

    Parameters
    ----------
    alpha : float, default 0.10
        Significance level; a change is significant when ``pvalue <= alpha``.
        The inspectorate's is 0.1.
    alternative : {'two-sided', 'less', 'greater'}, default 'two-sided'
        H0: :math:`\pi_{cur} = \pi_{prev}`. H1: :math:`\pi_{cur} \ne \pi_{prev}`
        ('two-sided'), :math:`\pi_{cur} < \pi_{prev}` ('less') or
        :math:`\pi_{cur} > \pi_{prev}` ('greater').
    method : {'pooled', 'pooled-cc', 'unpooled', 'unpooled-cc'}, default 'pooled'
        The variance and continuity correction (see the table in Notes).
    interval : {'score', 'score-cc', 'wald', 'wald-cc', 'newcombe', 'newcombe-cc'} or None
        Confidence interval for the difference. ``None`` (default) takes the
        interval that inverts ``method``, so that the interval excludes 0
        exactly when the change is significant. Newcombe's intervals (method
        10, and 11 with continuity correction) are available but are not dual
        to any of the tests.
    finite_population : bool, default False
        Multiply each sample's variance by :math:`1 - n/N`; the populations
        :math:`N` are data, passed with the proportions.
    counts : {'implied', 'fractional'}, default 'implied'
        What a table of published percentages is tested as (:func:`stats.label_changes`
        and every check of a labelled table). 'implied': the whole counts the figures
        imply under the report's rounding (:func:`stats.consistency.implied_counts`: at
        the row's n the feasible count nearest the figure, or at the largest lower n
        where the figure is impossible at n), so that every p-value is that of a count
        that can exist. 'fractional': percent / 100 times n, as a spreadsheet would
        (fractional cases; available for comparison, never the default). Counts given in
        the table are used as they are under either rule. :func:`compare_proportions`
        itself takes proportions and ignores this field.

    See Also
    --------
    compare_proportions : run the test on proportions (``ChangeTest.test`` is a shortcut).
    stats.tables.label_changes : run it on every row of a table; the result carries the specification.
    resolve_test : build a specification from ``test=`` or the keyword shortcuts.
    stats.exact_tests.exact_test : the exact (Boschloo, Barnard, Fisher) alternatives.
    statsmodels.stats.proportion.test_proportions_2indep : statsmodels' equivalents of the variants.

    Notes
    -----
    {methods_table}

    (The table is built from the registry :data:`METHODS`.) The pooled variance is
    :math:`\bar p \bar q (f_1/n_1 + f_2/n_2)`, the unpooled (Wald) one
    :math:`\hat p_1 \hat q_1 f_1/n_1 + \hat p_2 \hat q_2 f_2/n_2`;
    :math:`\bar p = (n_1 \hat p_1 + n_2 \hat p_2)/(n_1 + n_2)`, :math:`f_i = 1 - n_i/N_i` with
    ``finite_population`` and 1 otherwise. Yates's correction reduces :math:`|d|` by
    :math:`\min(\tfrac12(1/n_1 + 1/n_2), |d|)`, as R's ``prop.test`` does. A one-sided
    test gets a one-sided interval at :math:`1 - \alpha` (upper limit 1 for 'greater',
    lower limit -1 for 'less'); a two-sided test a two-sided interval at :math:`1 - \alpha`.

    statsmodels equivalents: 'pooled' is ``proportions_ztest`` and
    ``test_proportions_2indep(method='score', correction=False)``; 'unpooled' is
    ``test_proportions_2indep(method='wald')``; the 'score' and 'wald' intervals are
    ``confint_proportions_2indep(method='score', correction=False)`` (after the fix of
    statsmodels issue #10269) and ``(method='wald')``; R: 'pooled' and 'pooled-cc' are ``prop.test(correct=FALSE)`` and
    ``prop.test()``.

    References
    ----------
    .. [1] Fleiss, J. L., Levin, B., Paik, M. C. (2003). *Statistical Methods
       for Rates and Proportions*, 3rd ed., Wiley, sections 2.6 and 3.
    .. [2] Yates, F. (1934). Contingency tables involving small numbers and the
       chi-square test. *Supplement to the Journal of the Royal Statistical
       Society* 1, 217-235.
    .. [3] Farrington, C. P., Manning, G. (1990). Test statistics and sample size
       formulae for comparative binomial trials with null hypothesis of non-zero
       risk difference or non-unity relative risk. *Statistics in Medicine* 9,
       1447-1454.
    .. [4] Newcombe, R. G. (1998). Interval estimation for the difference between
       independent proportions: comparison of eleven methods. *Statistics in
       Medicine* 17, 873-890.

    Examples
    --------
    >>> from stats import ChangeTest
    >>> spec = ChangeTest()
    >>> spec.interval
    'score'
    >>> spec.describe()
    'two-sided pooled two-proportion Z test, alpha = 0.1; significant when p <= alpha;
    90% score interval; counts implied by the figures'
    >>> ChangeTest(method="unpooled-cc", alternative="greater").interval
    'wald-cc'
    """

    alpha: float = 0.10
    alternative: str = "two-sided"
    method: str = "pooled"
    interval: str | None = None
    finite_population: bool = False
    counts: str = "implied"
    _spec: _Method = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "alpha", v.check_scalar_open_unit("alpha", self.alpha))
        v.check_choice("alternative", self.alternative, ALTERNATIVES)
        v.check_choice("method", self.method, tuple(METHODS))
        spec = METHODS[self.method]
        if self.interval is None:
            object.__setattr__(self, "interval", spec.interval)
        v.check_choice("interval", self.interval, tuple(INTERVALS))
        if not isinstance(self.finite_population, (bool, np.bool_)):
            raise TypeError(f"finite_population must be True or False (got {self.finite_population!r}).")
        object.__setattr__(self, "finite_population", bool(self.finite_population))
        v.check_choice("counts", self.counts, COUNT_RULES)
        object.__setattr__(self, "_spec", spec)

    @property
    def pooled(self) -> bool:
        """True for the pooled variance (the variance under H0)."""
        return self._spec.variance is pooled_variance

    @property
    def variance(self) -> Callable:
        """The variance kernel of ``method`` (a row of :data:`METHODS`)."""
        return self._spec.variance

    @property
    def continuity(self) -> bool:
        """True when Yates's continuity correction is applied."""
        return self._spec.continuity

    @property
    def interval_is_dual(self) -> bool:
        """True when the interval inverts this test (interval excludes 0 iff significant)."""
        return self.interval == self._spec.interval

    def replace(self, **changes: Any) -> ChangeTest:
        """A copy with some fields changed (``interval`` follows ``method`` unless given)."""
        fields = self.to_dict()
        if "method" in changes and "interval" not in changes and self.interval_is_dual:
            fields["interval"] = None
        fields.update(changes)
        return ChangeTest(**fields)

    def to_dict(self) -> dict:
        """The specification as plain values (for JSON, ``DataFrame.attrs`` and files)."""
        d = asdict(self)
        d.pop("_spec", None)
        return d

    def describe(self) -> str:
        """One line stating the test, its level and its interval."""
        fpc = ", finite population correction" if self.finite_population else ""
        level = f"{100 * (1 - self.alpha):g}%"
        sided = "" if self.alternative == "two-sided" else " one-sided"
        counts = "counts implied by the figures" if self.counts == "implied" else "fractional counts (percent x n)"
        return (
            f"{self.alternative} {self._spec.description}{fpc}, alpha = {self.alpha:g}; "
            f"significant when p <= alpha; {level}{sided} {self.interval} interval; {counts}"
        )

    def test(
        self, previous: ArrayLike, n_previous: ArrayLike, current: ArrayLike, n_current: ArrayLike, **kwargs: Any
    ) -> ChangeResult:
        """Run this test: :func:`compare_proportions` with ``test=self``."""
        return compare_proportions(previous, n_previous, current, n_current, test=self, **kwargs)

    def pvalue(
        self,
        k_previous: ArrayLike,
        n_previous: ArrayLike,
        k_current: ArrayLike,
        n_current: ArrayLike,
        population_previous: ArrayLike | None = None,
        population_current: ArrayLike | None = None,
    ) -> FloatArray:
        """Vectorised p-values from counts, with no input checks (for enumeration and simulation).

        Arguments broadcast; counts and sizes as float or integer arrays. Used by the exact
        enumeration and Monte Carlo functions, which generate valid counts themselves.
        """
        n1 = np.asarray(n_previous, dtype=float)
        n2 = np.asarray(n_current, dtype=float)
        p1 = np.asarray(k_previous, dtype=float) / n1
        p2 = np.asarray(k_current, dtype=float) / n2
        f1, f2 = self._factors(n1, n2, population_previous, population_current)
        return z_test(p1, n1, p2, n2, f1, f2, self.variance, self.continuity, self.alternative)[2]

    def _factors(
        self,
        n1: np.ndarray,
        n2: np.ndarray,
        population_previous: ArrayLike | None,
        population_current: ArrayLike | None,
    ) -> tuple[np.ndarray | None, np.ndarray | None]:
        if not self.finite_population:
            return None, None
        big1 = np.inf if population_previous is None else np.asarray(population_previous, dtype=float)
        big2 = np.inf if population_current is None else np.asarray(population_current, dtype=float)
        return 1 - n1 / big1, 1 - n2 / big2


def spec_of(result: object) -> ChangeTest:
    """The :class:`ChangeTest` a labelled table or a result was computed with.

    Reads ``DataFrame.attrs['change_test']`` (set by :func:`stats.label_changes`) or a
    result's ``test`` attribute. Raises a ValueError for a table that was not labelled
    by the package, so that no view re-derives the test on its own.

    See Also
    --------
    table_test : the test to check a table with, refusing a different one.
    resolve_test : a specification from ``test=`` or keyword shortcuts.

    Examples
    --------
    >>> import pandas as pd
    >>> from stats import ChangeTest, label_changes
    >>> from stats.change import spec_of
    >>> t = pd.DataFrame({"previous": [54], "current": [71], "n_previous": [100], "n_current": [100]})
    >>> spec_of(label_changes(t, ChangeTest(method="unpooled"))).method
    'unpooled'
    >>> spec_of(t)
    Traceback (most recent call last):
    ...
    ValueError: the table carries no test specification (attrs['change_test']); label it with
    stats.label_changes(table, test=...) first.
    """
    if isinstance(result, ChangeTest):
        return result
    if isinstance(result, pd.DataFrame):
        spec = result.attrs.get("change_test")
        if isinstance(spec, ChangeTest):
            return spec
        if isinstance(spec, dict):
            return ChangeTest(**spec)
        raise ValueError(
            "the table carries no test specification (attrs['change_test']); label it with "
            "stats.label_changes(table, test=...) first."
        )
    spec = getattr(result, "test", None)
    if isinstance(spec, ChangeTest):
        return spec
    raise TypeError(f"expected a labelled DataFrame, a ChangeResult or a ChangeTest (got {type(result).__name__}).")


def table_test(table: object, test: ChangeTest | None = None) -> ChangeTest:
    """The test to apply to ``table``: its own specification, which ``test`` may repeat but not change.

    A labelled table (``attrs['change_test']``) is checked with the test it was labelled with;
    passing another one is an error, because the check would then contradict the label. A
    table with no specification gets ``test`` (default ``ChangeTest()``).

    See Also
    --------
    spec_of : the specification a labelled table carries.
    resolve_test : the specification for a table that carries none.

    Examples
    --------
    >>> import pandas as pd
    >>> from stats import ChangeTest, label_changes
    >>> from stats.change import table_test
    >>> t = pd.DataFrame({"previous": [54], "current": [71], "n_previous": [100], "n_current": [100]})
    >>> table_test(t).method  # not labelled: the default test
    'pooled'
    >>> labelled = label_changes(t, ChangeTest(method="unpooled"))
    >>> table_test(labelled).method
    'unpooled'
    >>> table_test(labelled, ChangeTest())
    Traceback (most recent call last):
    ...
    ValueError: the table was labelled with '... unpooled (Wald) ...', not '... pooled two-proportion ...';
    label it again with stats.label_changes(table, test) to check it under another test.
    """
    own = None
    if isinstance(table, pd.DataFrame) and table.attrs.get("change_test") is not None:
        own = spec_of(table)
    if own is None:
        return resolve_test(test)
    if test is not None and resolve_test(test) != own:
        raise ValueError(
            f"the table was labelled with {own.describe()!r}, not {resolve_test(test).describe()!r}; "
            "label it again with stats.label_changes(table, test) to check it under another test."
        )
    return own


def resolve_test(test: object = None, **options: Any) -> ChangeTest:
    """The single place where a test is built from a ``test=`` argument and keyword shortcuts.

    ``test`` (a ChangeTest or None) and the shortcuts ``alpha``, ``alternative``, ``method``,
    ``interval``, ``finite_population``, ``counts`` may not both be given; shortcuts left as None are
    ignored.

    See Also
    --------
    ChangeTest : the specification it builds.
    table_test : the same for a table that may carry its own specification.

    Examples
    --------
    >>> from stats import ChangeTest
    >>> from stats.change import resolve_test
    >>> resolve_test(alpha=0.05, alternative=None).alpha  # shortcuts left as None are ignored
    0.05
    >>> resolve_test(ChangeTest(method="pooled-cc")).method
    'pooled-cc'
    >>> resolve_test(ChangeTest(), alpha=0.05)
    Traceback (most recent call last):
    ...
    ValueError: pass either test= or the options ['alpha'], not both (got test=ChangeTest(...)); use
    test.replace(...) to change a specification.
    """
    given = {k: val for k, val in options.items() if val is not None}
    if test is None:
        return ChangeTest(**given)
    if not isinstance(test, ChangeTest):
        raise TypeError(f"test must be a stats.ChangeTest (got {type(test).__name__}: {test!r}).")
    if given:
        raise ValueError(
            f"pass either test= or the options {sorted(given)}, not both (got test={test!r}); "
            "use test.replace(...) to change a specification."
        )
    return test


class ConfidenceInterval(NamedTuple):
    """Confidence interval of the difference ``current - previous`` (proportion scale).

    See Also
    --------
    ChangeResult.confidence_interval : the method that returns it.
    scipy.stats.binomtest : its result's ``proportion_ci`` returns an interval of the same shape.

    Examples
    --------
    >>> from stats import compare_proportions
    >>> ci = compare_proportions(0.54, 100, 0.71, 100).confidence_interval(0.9)
    >>> round(ci.low, 6), round(ci.high, 6)
    (0.057691, 0.278353)
    """

    low: object
    high: object


def z_test(
    p1: FloatArray,
    n1: FloatArray,
    p2: FloatArray,
    n2: FloatArray,
    f1: FloatArray | None,
    f2: FloatArray | None,
    pooled: Callable[..., FloatArray] | bool,
    continuity: bool,
    alternative: str,
) -> tuple[FloatArray, np.ndarray, np.ndarray, np.ndarray]:
    """Unchecked vectorised kernel of every Z variant: returns ``(difference, z, pvalue, standard_error)``.

    The one kernel behind :func:`compare_proportions`, :meth:`ChangeTest.pvalue`, the tables,
    the design-based test and the simulations; public for those modules and for users who
    validate their own inputs (``compare_proportions`` is the checked entry point).

    ``f1``, ``f2`` are the finite population factors ``1 - n/N``, or ``None``
    for an infinite population (factor 1, skipped). ``pooled`` is a variance kernel of
    :data:`METHODS` (``ChangeTest.variance``), or True/False for :func:`pooled_variance` /
    :func:`wald_variance`. Inputs must already be validated and broadcastable.

    Degenerate rows: where the variance is 0 and so is the difference (0 % vs 0 %, or
    100 % vs 100 %) z = 0 and p = 1. The unpooled variance is also 0 at 0 % vs 100 %
    (one case each, say) although the data are not; there the pooled variance is used, so
    that no row gets an infinite z from a handful of cases. An infinite z remains only
    where there is truly no sampling variance: a census (``n = N`` with the finite
    population correction) with a non-zero difference.

    See Also
    --------
    compare_proportions : the checked entry point.
    ChangeTest.pvalue : p-values from counts through this kernel.
    pooled_variance, wald_variance : the variance kernels.
    pvalue_from_z : the p-value of the statistic.

    Examples
    --------
    >>> from stats.change import z_test
    >>> d, z, p, se = z_test(0.54, 100, 0.71, 100, None, None, True, False, "two-sided")
    >>> round(d, 2), round(float(z), 6), round(float(p), 6), round(float(se), 6)
    (0.17, 2.483009, 0.013028, 0.068465)
    """
    d = p2 - p1
    w1 = 1 / n1 if f1 is None else f1 / n1
    w2 = 1 / n2 if f2 is None else f2 / n2
    kernel = pooled if callable(pooled) else (pooled_variance if pooled else wald_variance)
    se = np.sqrt(kernel(p1, n1, p2, n2, w1, w2))
    if continuity:
        # R prop.test: YATES = min(0.5, |d| / (1/n1 + 1/n2)) on the count scale,
        # i.e. |d| is reduced by min(0.5 (1/n1 + 1/n2), |d|) on the proportion scale.
        num = np.sign(d) * (np.abs(d) - np.minimum(0.5 * (1 / n1 + 1 / n2), np.abs(d)))
    else:
        num = d
    if np.all(se):
        z = num / se
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            z = num / se
        z = np.where(np.isnan(z), 0.0, z)
    return d, z, pvalue_from_z(z, alternative), se


def pvalue_from_z(z: FloatArray, alternative: str) -> np.ndarray:
    r"""Normal p-value of a z statistic: :math:`2\Phi(-|z|)`, :math:`\Phi(-z)` ('greater') or :math:`\Phi(z)` ('less').

    See Also
    --------
    critical_z : the inverse: the :math:`|z|` at which a level is reached.
    scipy.stats.norm.sf : the normal tail probability used.

    Examples
    --------
    >>> from stats.change import pvalue_from_z
    >>> round(float(pvalue_from_z(2.483009, "two-sided")), 6), round(float(pvalue_from_z(2.483009, "greater")), 6)
    (0.013028, 0.006514)
    """
    if alternative == "two-sided":
        return 2 * special.ndtr(-np.abs(z))
    if alternative == "greater":
        return special.ndtr(-z)
    return special.ndtr(z)


#: The labels by integer code (0 improvement, 1 decline, 2 no change, 3 no data): :func:`label_codes`
#: indexes it, and labelled tables store their labels as these codes (a categorical).
LABEL_BY_CODE = np.array([IMPROVEMENT, DECLINE, NO_CHANGE, NO_DATA], dtype=object)


def _better(difference: np.ndarray, higher_is_better: ArrayLike) -> np.ndarray:
    """True where the change is in the good direction (strictly)."""
    hib = np.asarray(higher_is_better)
    if hib.all():
        return difference > 0
    if not hib.any():
        return difference < 0
    return np.where(hib, difference > 0, difference < 0)


def label_codes(significant: ArrayLike, difference: np.ndarray, higher_is_better: ArrayLike) -> np.ndarray:
    """Integer label codes (indices into :data:`LABEL_BY_CODE`): cheap to compute and to store.

    0 where significant in the good direction (``higher_is_better``), 1 where significant in the
    other, 2 where not significant. Vectorised.

    See Also
    --------
    stats.change.LABEL_BY_CODE : the labels the codes index.
    stats.tables.label_changes : labels a table with these codes.

    Examples
    --------
    >>> import numpy as np
    >>> from stats.change import LABEL_BY_CODE, label_codes
    >>> codes = label_codes(np.array([True, True, False]), np.array([0.17, -0.17, 0.02]), True)
    >>> codes
    array([0, 1, 2], dtype=int8)
    >>> LABEL_BY_CODE[codes].tolist()
    ['significant improvement', 'significant decline', 'no significant change']
    """
    better = _better(difference, higher_is_better)
    return np.where(significant, np.where(better, 0, 1), 2).astype(np.int8)


def _check_higher_is_better(value: object) -> np.ndarray:
    arr = np.asarray(value)
    if arr.dtype != bool:
        raise TypeError(f"higher_is_better must be True, False or an array of booleans (got {value!r}).")
    return arr


def critical_z(alpha: FloatArray, alternative: str) -> FloatArray:
    r"""The :math:`|z|` at which the Z test rejects.

    :math:`\Phi^{-1}(1 - \alpha/2)` two-sided, else :math:`\Phi^{-1}(1 - \alpha)`.

    Vectorised over ``alpha``; shared by the intervals, the power functions and the design effects.

    See Also
    --------
    pvalue_from_z : the inverse: the p-value of a statistic.
    scipy.special.ndtri : the normal quantile function used.
    stats.power.critical_difference : the smallest significant change, from this value.

    Examples
    --------
    >>> from stats.change import critical_z
    >>> round(float(critical_z(0.1, "two-sided")), 6), round(float(critical_z(0.1, "greater")), 6)
    (1.644854, 1.281552)
    """
    return special.ndtri(1 - alpha / 2) if alternative == "two-sided" else special.ndtri(1 - alpha)


def _critical_values(alternative: str, level: float) -> tuple[FloatArray, FloatArray]:
    """Critical values ``(z_low, z_high)`` for the lower and upper limits (inf: no limit)."""
    z = critical_z(1 - level, alternative)
    if alternative == "two-sided":
        return z, z
    return (z, np.inf) if alternative == "greater" else (np.inf, z)


@dataclass(frozen=True, eq=False)
class ChangeResult:
    r"""Result of :func:`compare_proportions`.

    Unpacks to ``(statistic, pvalue)``; other attributes are read by name so
    that fields can be added without breaking callers. Array inputs give
    array attributes (broadcast shape); scalar inputs give scalars. Every
    value is on the proportion scale.

    Attributes
    ----------
    statistic : float or ndarray
        The z statistic; positive when ``current > previous``.
    pvalue : float or ndarray
        p-value for ``test.alternative``.
    difference : float or ndarray
        ``current - previous`` (proportion).
    significant : bool or ndarray of bool
        ``pvalue <= test.alpha``.
    standard_error : float or ndarray
        Standard error used as the denominator of ``statistic``.
    test : ChangeTest
        The specification the result was computed with.
    previous, n_previous, current, n_current, population_previous, population_current, higher_is_better
        The inputs, echoed (populations ``None`` when not used).
    label : str or ndarray of str
        "significant improvement", "significant decline" or "no significant change"
        (direction from ``higher_is_better``); computed on first access.
    ci : ConfidenceInterval
        The interval of ``test`` (dual to the test by default) at level
        ``1 - alpha``; computed on first access.

    See Also
    --------
    compare_proportions : the function that returns it.
    ChangeTest : the specification in its ``test`` attribute.
    scipy.stats.binomtest : scipy's result object of the same design (unpacks, attributes by name).

    Examples
    --------
    >>> from stats import compare_proportions
    >>> res = compare_proportions(0.54, 100, 0.71, 100)
    >>> z, p = res  # unpacks to (statistic, pvalue) only
    >>> round(z, 6), round(p, 6), round(res.difference, 2), res.significant, res.label
    (2.483009, 0.013028, 0.17, True, 'significant improvement')
    """

    statistic: float | np.ndarray
    pvalue: float | np.ndarray
    difference: float | np.ndarray
    significant: bool | np.ndarray
    standard_error: float | np.ndarray
    previous: float | np.ndarray
    n_previous: float | np.ndarray
    current: float | np.ndarray
    n_current: float | np.ndarray
    test: ChangeTest
    population_previous: float | np.ndarray | None = None
    population_current: float | np.ndarray | None = None
    higher_is_better: bool | np.ndarray = True

    def __iter__(self) -> Iterator[float | np.ndarray]:
        yield self.statistic
        yield self.pvalue

    @property
    def alpha(self) -> float:
        return self.test.alpha

    @property
    def alternative(self) -> str:
        return self.test.alternative

    @cached_property
    def label(self) -> str | np.ndarray:
        codes = label_codes(
            np.asarray(self.significant), np.asarray(self.difference), np.asarray(self.higher_is_better)
        )
        return str(LABEL_BY_CODE[codes.item()]) if codes.ndim == 0 else LABEL_BY_CODE[codes]

    @cached_property
    def ci(self) -> ConfidenceInterval:
        return self.confidence_interval()

    def confidence_interval(
        self, confidence_level: float | None = None, method: str | None = None, alternative: str | None = None
    ) -> ConfidenceInterval:
        r"""Confidence interval for ``current - previous`` (proportion scale).

        Parameters
        ----------
        confidence_level : float, optional
            Defaults to ``1 - test.alpha``, the level that matches the test.
        method : {'score', 'score-cc', 'wald', 'wald-cc', 'newcombe', 'newcombe-cc'}, optional
            Defaults to ``test.interval``, the interval that inverts the test.
        alternative : {'two-sided', 'less', 'greater'}, optional
            Defaults to ``test.alternative``: a one-sided test gets a one-sided
            interval (upper limit 1 for 'greater', lower limit -1 for 'less').

        Returns
        -------
        ConfidenceInterval
            ``(low, high)``, within [-1, 1].

        Notes
        -----
        *score*: :math:`\{\delta : |T(\delta)| < z\}` where :math:`T(\delta)` is the score
        statistic for :math:`H_0: \pi_2 - \pi_1 = \delta` with the variance at the
        restricted maximum likelihood estimates (Miettinen and Nurminen 1985;
        Farrington and Manning 1990), without the :math:`n/(n-1)` factor. At
        :math:`\delta = 0` the restricted estimate is the pooled proportion, so the
        interval excludes 0 exactly when the pooled Z test is significant. This is
        statsmodels ``confint_proportions_2indep(method='score', correction=False)`` with
        its restricted estimate corrected (statsmodels issue #10269: a wrong coefficient
        in its cubic makes its limits wrong by up to 0.02); the tests check it against
        an independent numerical inversion.
        The limits are found by vectorised bisection to float resolution.
        *score-cc*: the same with :math:`|d - \delta|` reduced by the Yates term.
        *wald*: :math:`d \pm z\,s` with the test's standard error :math:`s`;
        *wald-cc*: :math:`d \pm (z\,s + \min(\tfrac12(1/n_1 + 1/n_2), |d|))`, R's
        ``prop.test`` interval. *newcombe*: Newcombe's hybrid score interval (method 10),
        statsmodels ``method='newcomb'``. *newcombe-cc*: the same from continuity-corrected
        Wilson intervals (Newcombe's method 11; 95 % for 56/70 vs 48/80 is (0.0428, 0.3422),
        his Table II); neither is dual to a test.
        Finite population: each variance term is multiplied by :math:`f_i = 1 - n_i/N_i`
        (for Newcombe, Wilson intervals at the effective size :math:`n_i/f_i`).

        References
        ----------
        .. [1] Miettinen, O., Nurminen, M. (1985). Comparative analysis of two rates.
           *Statistics in Medicine* 4, 213-226.
        .. [2] Farrington, C. P., Manning, G. (1990). Test statistics and sample size
           formulae for comparative binomial trials with null hypothesis of non-zero
           risk difference or non-unity relative risk. *Statistics in Medicine* 9, 1447-1454.
        .. [3] Newcombe, R. G. (1998). Interval estimation for the difference between
           independent proportions: comparison of eleven methods. *Statistics in
           Medicine* 17, 873-890.
        """
        level = (
            1 - self.test.alpha
            if confidence_level is None
            else v.check_scalar_open_unit("confidence_level", confidence_level)
        )
        method = self.test.interval if method is None else v.check_choice("method", method, tuple(INTERVALS))
        alt = self.test.alternative if alternative is None else v.check_choice("alternative", alternative, ALTERNATIVES)
        z_low, z_high = _critical_values(alt, level)
        p1, n1, p2, n2 = (
            np.asarray(a, dtype=float) for a in (self.previous, self.n_previous, self.current, self.n_current)
        )
        f1 = _fpc(n1, self.population_previous)
        f2 = _fpc(n2, self.population_current)
        d = p2 - p1
        cc = 0.5 * (1 / n1 + 1 / n2)
        if method in ("wald", "wald-cc"):
            se = np.asarray(self.standard_error, dtype=float)
            if self.test.pooled:  # the Wald interval needs the unpooled standard error
                se = z_test(p1, n1, p2, n2, f1, f2, False, False, "two-sided")[3]
            low, high = _intervals.wald_bounds(d, se, cc if method == "wald-cc" else 0.0, z_low, z_high)
        elif method == "newcombe":
            low, high = _intervals.newcombe_bounds(d, p1, n1, p2, n2, f1, f2, z_low, z_high)
        elif method == "newcombe-cc":
            low, high = _intervals.newcombe_cc_bounds(d, p1, n1, p2, n2, f1, f2, z_low, z_high)
        else:
            low, high = _intervals.score_bounds(
                d, p1, n1, p2, n2, f1, f2, cc if method == "score-cc" else 0.0, z_low, z_high
            )
        return ConfidenceInterval(v.unwrap(low), v.unwrap(high))

    def to_frame(self) -> pd.DataFrame:
        """One row per comparison: inputs, statistic, p-value, label and the interval (proportions)."""
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
        shape = np.asarray(self.statistic).shape
        frame = pd.DataFrame({k: np.broadcast_to(np.asarray(val), shape).ravel() for k, val in cols.items()})
        frame.attrs["change_test"] = self.test
        return frame


def _fpc(n: ArrayLike, population: Any) -> np.ndarray:
    if population is None:
        return np.ones_like(np.asarray(n, dtype=float))
    return 1 - np.asarray(n, dtype=float) / np.asarray(population, dtype=float)


def _align(**values: object) -> tuple[dict[str, object], pd.Index | None]:
    """Align pandas Series arguments on their index; refuse indexes that do not match.

    Series with the same labels in another order are reordered to the first one's order;
    different label sets are an error (a silent positional match would compare the wrong
    rows). Returns the values (as arrays where they were Series) and the common index.
    """
    series = {k: s for k, s in values.items() if isinstance(s, (pd.Series, pd.Index, pd.DataFrame))}
    for name, s in series.items():
        if isinstance(s, pd.DataFrame):
            raise TypeError(f"{name} must be a number, an array or a Series (got a DataFrame); pick its column.")
    if not series:
        return values, None
    first_name, first = next(iter(series.items()))
    index = first.index if isinstance(first, pd.Series) else None
    out = dict(values)
    for name, s in series.items():
        if isinstance(s, pd.Index):
            out[name] = s.to_numpy()
            continue
        if index is not None and not s.index.equals(index):
            if (
                not s.index.is_unique
                or len(s.index) != len(index)
                or not s.index.sort_values().equals(index.sort_values())
            ):
                raise ValueError(
                    f"{name} and {first_name} are pandas Series with different indexes "
                    f"({list(s.index[:5])}... vs {list(index[:5])}...); align them first "
                    "(rows would otherwise be compared by position)."
                )
            s = s.reindex(index)
        out[name] = s.to_numpy()
    return out, index


def compare_proportions(
    previous: ArrayLike,
    n_previous: ArrayLike,
    current: ArrayLike,
    n_current: ArrayLike,
    *,
    test: ChangeTest | None = None,
    alpha: float | None = None,
    alternative: str | None = None,
    method: str | None = None,
    population_previous: ArrayLike | None = None,
    population_current: ArrayLike | None = None,
    higher_is_better: bool | ArrayLike = True,
) -> ChangeResult:
    r"""Z test for the change between two independent sample proportions.

    Written for scalars and vectorised by broadcasting: every array argument
    broadcasts against the others. pandas Series are aligned on their index.

    Parameters
    ----------
    previous, current : float or array_like
        Proportions (in [0, 1], not percentages) at the previous and current
        inspection.
    n_previous, n_current : int or array_like
        Cases behind each proportion (whole numbers >= 1).
    test : ChangeTest, optional
        The test specification; default ``ChangeTest()``: two-sided pooled Z
        test at alpha = 0.1 with its score interval.
    alpha, alternative, method : optional
        Shortcuts for ``test=ChangeTest(alpha=..., ...)``; not allowed together
        with ``test``.
    population_previous, population_current : int, array_like or None
        Eligible populations; required when ``test.finite_population`` and
        refused otherwise (a finite population correction must be stated in
        the specification, not implied by the data).
    higher_is_better : bool or array_like of bool, default True
        Direction used for the label: with True an increase is an improvement.

    Returns
    -------
    ChangeResult
        Unpacks to ``(statistic, pvalue)``; see :class:`ChangeResult`.

    See Also
    --------
    ChangeTest : the specification of the test (level, tail, variance, correction, interval).
    stats.tables.label_changes : the same test on every row of a table of published percentages.
    stats.exact_tests.exact_test : exact tests (Boschloo, Barnard, Fisher) of the same hypothesis.
    statsmodels.stats.proportion.test_proportions_2indep : statsmodels' pooled and unpooled Z tests.
    scipy.stats.barnard_exact : scipy's exact unconditional test.

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
    ``test_proportions_2indep(method='wald')``. With a '-cc' method,
    :math:`|d|` is reduced by :math:`\min(\tfrac12(1/n_1 + 1/n_2), |d|)` before
    dividing by the standard error, which reproduces R's default ``prop.test``.
    See :class:`ChangeTest` for the table of variants and their intervals.

    *Which test does the inspectorate use?* The report says only "the Z-score
    test, with a significance level of 0.1"; the pooled, uncorrected,
    two-sided test is the default here because it is the standard reading of
    that phrase. Near the threshold the variants disagree (61 % vs 49 % at
    n = 100: p = 0.088 pooled, 0.118 with continuity correction).

    *Finite- or super-population?* By default each inspection is treated as
    a sample from a process that could have produced other cases (a
    super-population), so no correction is made. ``ChangeTest(finite_population=True)``
    with the populations asks only about the finite set of eligible cases at
    each inspection: each variance shrinks by :math:`1 - n/N`, making changes
    easier to call significant. The report does not say which it uses.

    *Edge cases.* When both proportions are 0 % (or both 100 %) the variance
    is 0 and there is no evidence of change: the statistic is 0 and the
    p-value 1 (statsmodels returns nan with a RuntimeWarning). The unpooled
    variance is also 0 at 0 % vs 100 % (for example one case each); such rows
    use the pooled variance (0/1 vs 1/1: z = 1.41, p = 0.157), never an
    infinite z. Only a census (``n = N`` under the finite population
    correction) with a non-zero difference gives :math:`\pm\infty` and p = 0.

    References
    ----------
    .. [1] Fleiss, J. L., Levin, B., Paik, M. C. (2003). *Statistical Methods
       for Rates and Proportions*, 3rd ed., Wiley, sections 2.6 and 3.
    .. [2] HM Inspectorate of Probation (2020). *An inspection of South
       Yorkshire CRC*, Annexe 2, "Comparative data".

    Examples
    --------
    >>> from stats import ChangeTest, compare_proportions
    >>> res = compare_proportions(0.54, 100, 0.71, 100)
    >>> round(res.statistic, 6), round(res.pvalue, 6), res.label
    (2.483009, 0.013028, 'significant improvement')
    >>> z, p = res
    >>> compare_proportions(0.54, 100, 0.71, 100, test=ChangeTest(method="pooled-cc")).label
    'significant improvement'
    """
    spec = resolve_test(test, alpha=alpha, alternative=alternative, method=method)
    hib = _check_higher_is_better(higher_is_better)
    given, _ = _align(
        previous=previous,
        n_previous=n_previous,
        current=current,
        n_current=n_current,
        population_previous=population_previous,
        population_current=population_current,
    )
    p1 = v.check_proportion("previous", given["previous"])
    n1 = v.check_count("n_previous", given["n_previous"])
    p2 = v.check_proportion("current", given["current"])
    n2 = v.check_count("n_current", given["n_current"])
    have_pop = population_previous is not None or population_current is not None
    if have_pop and not spec.finite_population:
        raise ValueError(
            "populations were given but the test has no finite population correction; "
            "pass test=ChangeTest(finite_population=True, ...) to use them."
        )
    if spec.finite_population and not have_pop:
        raise ValueError(
            "the test has a finite population correction (finite_population=True) but no "
            "population_previous or population_current was given."
        )
    big1 = v.check_population("population_previous", given["population_previous"])
    big2 = v.check_population("population_current", given["population_current"])
    p1, n1, p2, n2, big1, big2, hib = v.broadcast(
        previous=p1,
        n_previous=n1,
        current=p2,
        n_current=n2,
        population_previous=big1,
        population_current=big2,
        higher_is_better=hib,
    )
    if spec.finite_population:
        v.check_not_above("n_previous", n1, "population_previous", big1)
        v.check_not_above("n_current", n2, "population_current", big2)
        f1, f2 = 1 - n1 / big1, 1 - n2 / big2
    else:
        f1 = f2 = None
    d, z, pval, se = z_test(p1, n1, p2, n2, f1, f2, spec.variance, spec.continuity, spec.alternative)
    significant = pval <= spec.alpha
    u = v.unwrap
    return ChangeResult(
        statistic=u(z),
        pvalue=u(pval),
        difference=u(np.asarray(d)),
        significant=u(significant),
        standard_error=u(se),
        previous=u(p1),
        n_previous=u(n1),
        current=u(p2),
        n_current=u(n2),
        test=spec,
        population_previous=u(big1) if spec.finite_population else None,
        population_current=u(big2) if spec.finite_population else None,
        higher_is_better=u(hib),
    )


# Names of release 0.1, kept for code that imported them (use the public names above).
_z_test = z_test
_pvalue_from_z = pvalue_from_z
_label_codes = label_codes
_LABEL_BY_CODE = LABEL_BY_CODE

ChangeTest.__doc__ = (ChangeTest.__doc__ or "").replace("{methods_table}", methods_table())
