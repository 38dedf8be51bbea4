r"""Design-based inference for the inspectorate's stratified, clustered sample.

The methodology's margins and Z test treat the sample as a simple random sample (SRS). The sample
the inspectorate's sampler draws (:mod:`stats.sampling`) is stratified (five strata) and clustered
(several cases per responsible officer). This module measures how much that matters:

- :func:`design_proportions`: from case records, each prompt's design-based proportion, standard
  error (Taylor linearisation, officers as primary sampling units within strata, with or without
  the finite population correction), design effect (deff) and effective sample size, vectorised
  across prompts, for the whole sample or a sub-sample; equal to R ``survey`` (tests to 1e-8).
- :func:`design_change_test`: the change test with design-based variances for both inspections,
  labelled like the simple test, with a column saying whether the design changes the verdict; and
  the Rao-Scott first-order correction (statistic divided by the square root of a deff) when only
  published tables are available.
- :func:`breakdown_deff`: for published tables, the design effect at which each significant row
  would stop being significant (at the counts the figures imply).
- :func:`kish_deff` and :func:`structural_deff_survival`: the design effect the sample's own
  structure implies (cases per officer, the sampler's cap, an intra-class correlation range from
  studies of practitioner effects) and the labels that survive it; :func:`deff_survival` at the
  fixed levels 1.2, 1.5 and 2 is a secondary view.

Design: case :math:`k` of stratum :math:`h` has weight :math:`w_k = N_h/n_h` (:math:`N_h` eligible
cases on the long list, :math:`n_h` drawn); officers are treated as primary sampling units (PSUs)
nested in strata (an officer with cases in two strata is two PSUs). The test specification
(:class:`stats.ChangeTest`) decides the variance, as for the simple test: ``finite_population=False``
(the default, the super-population view) is the with-replacement variance, R
``svydesign(ids=~officer, strata=~stratum, weights=~w, nest=TRUE)``; ``finite_population=True``
takes the stratum sampling fraction as finite population correction, R ``svydesign(ids=~officer,
strata=~stratum, fpc=~f_h, nest=TRUE)`` with :math:`f_h = n_h/N_h`.

*Officers as clusters are a model.* The sampler draws cases within strata; it does not draw
officers at random (it caps the cases per officer). Treating each officer's cases as one cluster
drawn with replacement (ultimate clusters) is a model of how answers of one officer's cases go
together, not the sampler's design (:data:`DESIGN_MODEL`, stated in every output's ``attrs``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import special

from .change import (
    DECLINE,
    IMPROVEMENT,
    LABEL_BY_CODE,
    ChangeTest,
    critical_z,
    label_codes,
    pooled_variance,
    pvalue_from_z,
    resolve_test,
    table_test,
    wald_variance,
    z_test,
)

if TYPE_CHECKING:
    from .reports import Report

__all__ = [
    "DEFF_LEVELS",
    "DESIGN_MODEL",
    "ICC_RANGE",
    "DesignProportions",
    "breakdown_deff",
    "cluster_size_bounds",
    "deff_survival",
    "design_change_test",
    "design_proportions",
    "design_table",
    "kish_deff",
    "rao_scott_change_test",
    "report_cluster_structure",
    "structural_deff_survival",
]

#: Design effects at which :func:`deff_survival` counts surviving significant labels (a secondary
#: view: :func:`stats.design.kish_deff` derives a range from the sample's own structure).
DEFF_LEVELS = (1.2, 1.5, 2.0)

#: Intra-class correlation of answers within an officer's cases assumed by :func:`structural_deff_survival`:
#: 0.05, the share of outcome variance due to practitioners in practice-based studies of therapist
#: effects (Wampold and Brown 2005; Baldwin and Imel 2013), to 0.20, four times that, because the
#: inspection's prompts rate the officer's own work rather than a client outcome (a judgment; the
#: published ICCs vary widely by measure, Baldwin et al. 2011). Pass ``icc=`` to use another range.
ICC_RANGE = (0.05, 0.20)

#: What the design-based variances assume, stated in the ``attrs`` of every design output.
DESIGN_MODEL = (
    "officers as ultimate clusters within the sampler's strata (a model of how one officer's "
    "cases go together; the sampler draws cases, not officers), weights N_h / n_h"
)


def _variance_name(finite_population: bool) -> str:
    return (
        "without replacement, stratum sampling fraction n_h / N_h as finite population correction"
        if finite_population
        else "with replacement (no finite population correction)"
    )


def _finite_population(test: ChangeTest | None, fpc: bool | None) -> bool:
    """The ``fpc`` choice of a design function: the specification's, which ``fpc`` may repeat."""
    if fpc is not None and not isinstance(fpc, (bool, np.bool_)):
        raise TypeError(f"fpc must be True, False or None (got {fpc!r}).")
    if test is None:
        return bool(fpc) if fpc is not None else False
    spec = resolve_test(test)
    if fpc is not None and bool(fpc) != spec.finite_population:
        raise ValueError(
            f"fpc={fpc!r} contradicts the test (finite_population={spec.finite_population}); pass one of them."
        )
    return spec.finite_population


@dataclass(frozen=True)
class DesignProportions:
    """Design-based estimates of many prompts' proportions (arrays, one entry per prompt).

    Attributes
    ----------
    prompt : ndarray of str
    n : ndarray of int
        Cases answering the prompt (in the sub-sample, if any).
    count : ndarray of int
        Yes answers (unweighted).
    proportion : ndarray
        Design-weighted proportion :math:`\\hat p`.
    standard_error : ndarray
        Design-based standard error (Taylor linearisation).
    srs_standard_error : ndarray
        The SRS standard error R's ``deff`` compares with.
    deff : ndarray
        Design effect, variance over SRS variance (nan where :math:`\\hat p` is 0 or 1).
    n_effective : ndarray
        ``n / deff``: the SRS size with the same precision.
    ci_low, ci_high : ndarray
        Confidence interval (R ``svyciprop`` method "logit", t with ``df`` degrees of freedom).
    df : ndarray of int
        Design degrees of freedom: PSUs minus strata among the cases answering.
    fpc : bool
        True for the finite population correction (``ChangeTest.finite_population``).
    confidence_level : float
    population : ndarray
        :math:`\\hat N = \\sum w_k z_k`, the estimated eligible cases answering the prompt (the
        population of the simple test with the finite population correction).

    See Also
    --------
    design_proportions : the function that returns it.
    design_change_test : the change test between two of them.

    Examples
    --------
    >>> import numpy as np
    >>> from stats.design import design_proportions
    >>> y = np.array([1, 1, 0, 0, 1, 0, 1, 1.0])
    >>> r = design_proportions(y, list("aaaabbbb"), list("11221122"), {"a": 40, "b": 40}, fpc=True)
    >>> r.n.tolist(), r.count.tolist(), round(float(r.deff[0]), 4), round(float(r.n_effective[0]), 4)
    ([8], [5], 2.3333, 3.4286)
    """

    prompt: np.ndarray
    n: np.ndarray
    count: np.ndarray
    proportion: np.ndarray
    standard_error: np.ndarray
    srs_standard_error: np.ndarray
    deff: np.ndarray
    n_effective: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    df: np.ndarray
    fpc: bool
    confidence_level: float
    population: np.ndarray | None = None

    def to_frame(self) -> pd.DataFrame:
        """One row per prompt, proportions (not percent); ``attrs`` state the variance and the model."""
        frame = pd.DataFrame(
            {
                "prompt": self.prompt,
                "n": self.n,
                "count": self.count,
                "proportion": self.proportion,
                "standard_error": self.standard_error,
                "srs_standard_error": self.srs_standard_error,
                "deff": self.deff,
                "n_effective": self.n_effective,
                "ci_low": self.ci_low,
                "ci_high": self.ci_high,
                "df": self.df,
            }
        )
        frame.attrs = {"design_model": DESIGN_MODEL, "variance": _variance_name(self.fpc)}
        return frame


def _labels(name: str, values: ArrayLike, n: int) -> np.ndarray:
    arr = np.asarray(values, dtype=object)
    if arr.shape != (n,):
        raise ValueError(f"{name} must give one value per case ({n}); got shape {arr.shape}.")
    if pd.isna(pd.Series(arr)).any():
        where = int(np.flatnonzero(pd.isna(pd.Series(arr)).to_numpy())[0])
        raise ValueError(f"{name} must not be missing (case {where + 1}).")
    return arr


def _answers(answers):
    if isinstance(answers, pd.DataFrame):
        names = np.asarray([str(c) for c in answers.columns], dtype=object)
        y = answers.to_numpy(dtype=float)
    else:
        y = np.asarray(answers, dtype=float)
        if y.ndim == 1:
            y = y[:, None]
        names = np.asarray([str(i) for i in range(y.shape[1])], dtype=object)
    if y.ndim != 2:
        raise ValueError(f"answers must be a table of cases x prompts (got {y.ndim} dimensions).")
    ok = np.isnan(y) | (y == 0) | (y == 1)
    if not ok.all():
        i, j = np.argwhere(~ok)[0]
        raise ValueError(
            f"answers must be 1 (yes), 0 (no) or nan (not applicable); case {i + 1}, prompt "
            f"{names[j]!r} is {float(y[i, j])!r}."
        )
    return names, y


def _structure(strata, clusters, stratum_population, n):
    strata = _labels("strata", strata, n)
    clusters = _labels("clusters", clusters, n)
    s_code, s_names = pd.factorize(pd.Series(strata).astype(str))
    psu_code, psu_keys = pd.factorize(pd.Series(s_code).astype(str) + "\x1f" + pd.Series(clusters).astype(str))
    n_h = np.bincount(s_code, minlength=len(s_names))
    if isinstance(stratum_population, Mapping):
        missing = [s for s in s_names if s not in stratum_population]
        if missing:
            raise ValueError(f"stratum_population has no size for strata {missing}.")
        big_n = np.array([float(stratum_population[s]) for s in s_names])
    else:
        per_case = np.asarray(stratum_population, dtype=float)
        if per_case.shape != (n,):
            raise ValueError(f"stratum_population must be a mapping stratum -> N_h or one value per case ({n}).")
        big_n = np.array([per_case[s_code == h][0] for h in range(len(s_names))])
        if any(np.unique(per_case[s_code == h]).size > 1 for h in range(len(s_names))):
            raise ValueError("stratum_population must be the same for every case of a stratum.")
    bad = big_n < n_h
    if bad.any():
        h = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"stratum_population of stratum {s_names[h]!r} ({big_n[h]:g}) is smaller than the "
            f"{n_h[h]} cases drawn from it."
        )
    psu_stratum = np.zeros(len(psu_keys), dtype=np.int64)
    psu_stratum[psu_code] = s_code
    m_h = np.bincount(psu_stratum, minlength=len(s_names))
    if (m_h < 2).any():
        h = int(np.flatnonzero(m_h < 2)[0])
        raise ValueError(
            f"stratum {s_names[h]!r} has a single officer (PSU): its variance cannot be estimated "
            "(R survey: lonely PSU). Merge it with a similar stratum."
        )
    return s_code, s_names, psu_code, psu_stratum, n_h, big_n, m_h


def design_proportions(
    answers: pd.DataFrame | ArrayLike,
    strata: ArrayLike,
    clusters: ArrayLike,
    stratum_population: Mapping[object, float] | ArrayLike,
    *,
    test: ChangeTest | None = None,
    fpc: bool | None = None,
    domain: ArrayLike | None = None,
    confidence_level: float = 0.95,
) -> DesignProportions:
    r"""Design-based proportion, standard error, design effect and effective n of every prompt.

    Parameters
    ----------
    answers : pandas.DataFrame or array, cases x prompts
        1 (yes), 0 (no), nan (not applicable: the case is outside that prompt's sub-sample);
        :func:`stats.cases.parse_answers` gives this.
    strata, clusters : array-like, one label per case
        Stratum (the sampler's five) and cluster (responsible officer) of each case.
    stratum_population : mapping or array-like
        :math:`N_h`, eligible cases of each stratum on the long list (``stratum_population``
        column of :func:`stats.sampling.draw_sample`): stratum -> N, or one value per case.
    test : ChangeTest, optional
        The specification: ``finite_population=True`` multiplies each stratum's variance by
        :math:`1 - n_h/N_h` (R ``fpc=~f_h``); False (the default of ``ChangeTest()``) gives the
        with-replacement variance (R ``weights=~w``, no fpc), compared with the
        SRS-with-replacement variance in ``deff``.
    fpc : bool, optional
        The same choice without a specification (may repeat the test's, not contradict it);
        default the test's, else False.
    domain : array of bool, optional
        A sub-sample (e.g. women only): the estimate for those cases, with the whole design kept
        (officers without such cases still count), as R's ``subset(design, ...)``.
    confidence_level : float, default 0.95

    Returns
    -------
    DesignProportions

    See Also
    --------
    design_table : the same from a drawn sample's case records, by sub-sample.
    design_change_test : the change test with these variances.
    kish_deff : the design effect a cluster structure implies, without the answers.

    Notes
    -----
    With weights :math:`w_k=N_h/n_h` and, for prompt :math:`j`, :math:`z_k=1` if case :math:`k`
    answers it (and is in the domain): :math:`\hat p=\sum w_k z_k y_k/\sum w_k z_k`. Linearised
    values :math:`u_k=w_k z_k (y_k-\hat p)/\sum w z` are summed per officer-in-stratum,
    :math:`U_{hi}`, and

    .. math:: \hat V(\hat p)=\sum_h (1-f_h)\frac{m_h}{m_h-1}\sum_{i=1}^{m_h}(U_{hi}-\bar U_h)^2,

    :math:`m_h` officers in stratum :math:`h`, :math:`f_h=n_h/N_h` (0 without the correction).
    Officers are ultimate clusters: a model (:data:`DESIGN_MODEL`), not the sampler's design. The design
    effect divides by the SRS variance R ``survey`` uses, :math:`\hat p(1-\hat p)/(n-1)` times
    :math:`1-n/\hat N` with ``fpc`` (:math:`\hat N=\sum w z`); ``n_effective = n/deff``. The
    interval is R's ``svyciprop(method = "logit")``: :math:`\mathrm{expit}(\mathrm{logit}\,\hat p
    \pm t_{df}\, SE/(\hat p(1-\hat p)))`, df = officers minus strata among the answering cases.

    Equal to R ``survey`` 4.1 to 1e-8 (``tests/test_design.py``, R calls in comments):
    ``d <- svydesign(ids=~officer, strata=~stratum, fpc=~f_h, nest=TRUE, data=...)`` (with
    ``fpc``; without: ``weights=~w`` and no fpc), ``svymean(~y, subset(d, !is.na(y)), deff=TRUE)``
    (``deff="replace"`` without fpc), ``svyciprop(~y, subset(d, !is.na(y)), method="logit")``.
    R reads an ``fpc`` count as the number of PSUs (officers) in the stratum population, so the
    population is passed to R as the sampling fraction :math:`n_h/N_h`; that fraction also gives
    R the weights :math:`N_h/n_h`.

    References
    ----------
    .. [1] Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley, ch. 2-3.
    .. [2] Wolter, K. (2007). *Introduction to Variance Estimation*, 2nd ed. Springer, ch. 6.

    Examples
    --------
    Two strata of four cases, two officers each; officer 1 of stratum "a" answers Yes twice, its
    officer 2 No twice (R ``svymean`` gives mean 0.625, SE 0.26517, DEff 2.3333):

    >>> import numpy as np
    >>> from stats.design import design_proportions
    >>> y = np.array([1, 1, 0, 0, 1, 0, 1, 1.0])
    >>> r = design_proportions(y, list("aaaabbbb"), list("11221122"), {"a": 40, "b": 40}, fpc=True)
    >>> float(r.proportion[0]), round(float(r.standard_error[0]), 5), round(float(r.deff[0]), 4)
    (0.625, 0.26517, 2.3333)
    """
    fpc = _finite_population(test, fpc)
    names, y = _answers(answers)
    n_cases = y.shape[0]
    s_code, s_names, psu_code, psu_stratum, n_h, big_n, m_h = _structure(strata, clusters, stratum_population, n_cases)
    if not 0 < confidence_level < 1:
        raise ValueError(f"confidence_level ({confidence_level!r}) must be between 0 and 1.")
    w = (big_n / n_h)[s_code]
    f = n_h / big_n if fpc else np.zeros(len(s_names))
    z = ~np.isnan(y)
    if domain is not None:
        dom = np.asarray(domain, dtype=bool)
        if dom.shape != (n_cases,):
            raise ValueError(f"domain must be one True/False per case ({n_cases}); got shape {dom.shape}.")
        z &= dom[:, None]
    y0 = np.where(z, y, 0.0)
    wz = w[:, None] * z
    total_w = wz.sum(axis=0)
    n = z.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = (wz * y0).sum(axis=0) / total_w
        u = wz * (y0 - p) / total_w
    u = np.where(z, u, 0.0)
    psu_totals = np.zeros((len(psu_stratum), y.shape[1]))
    np.add.at(psu_totals, psu_code, u)
    stratum_sums = np.zeros((len(s_names), y.shape[1]))
    np.add.at(stratum_sums, psu_stratum, psu_totals)
    centred = psu_totals - (stratum_sums / m_h[:, None])[psu_stratum]
    scale = ((1 - f) * m_h / (m_h - 1))[psu_stratum]
    var = (scale[:, None] * centred**2).sum(axis=0)
    se = np.sqrt(var)
    with np.errstate(invalid="ignore", divide="ignore"):
        var_srs = p * (1 - p) / (n - 1) * (np.maximum(1 - n / total_w, 0) if fpc else 1.0)
        deff = np.where(var_srs > 0, var / np.where(var_srs > 0, var_srs, 1), np.nan)
        n_eff = n / deff
    # degrees of freedom among the answering cases (R degf of the subset design)
    df = np.array([np.unique(psu_code[z[:, j]]).size - np.unique(s_code[z[:, j]]).size for j in range(y.shape[1])])
    from scipy import stats as st

    t = st.t.ppf(0.5 + confidence_level / 2, np.maximum(df, 1))
    inner = (p > 0) & (p < 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        logit = np.log(p / (1 - p))
        half = t * se / (p * (1 - p))
        low = np.where(inner, special.expit(logit - half), np.nan)
        high = np.where(inner, special.expit(logit + half), np.nan)
    count = np.where(z, y0, 0).sum(axis=0).astype(int)
    return DesignProportions(
        names,
        n.astype(int),
        count,
        p,
        se,
        np.sqrt(var_srs),
        deff,
        n_eff,
        low,
        high,
        df.astype(int),
        bool(fpc),
        float(confidence_level),
        total_w,
    )


def design_table(
    cases: pd.DataFrame,
    prompts: list[str],
    *,
    stratum: str = "stratum",
    cluster: str = "responsible_officer",
    population: str = "stratum_population",
    by: str | None = None,
    test: ChangeTest | None = None,
    fpc: bool | None = None,
    confidence_level: float = 0.95,
) -> pd.DataFrame:
    """:func:`design_proportions` of a drawn sample's case records, for the sample and each sub-sample.

    ``cases`` holds the answers (as :func:`stats.cases.parse_answers` reads them) and the columns
    ``stratum``, ``cluster`` and ``population`` (:func:`stats.sampling.draw_sample` writes them).
    With ``by`` (a column), one block per value after the whole sample, labelled in column ``group``.
    Adds ``srs_margin`` and ``design_margin``: normal half-widths (proportions) at ``confidence_level``
    from the SRS and the design standard errors, both with or both without the finite population
    correction, so that ``design_margin / srs_margin = sqrt(deff)``. ``test`` (or ``fpc``) chooses
    the variance as in :func:`design_proportions`; ``attrs`` state it and the officer model.

    See Also
    --------
    design_proportions : the estimates for one set of answers.
    stats.sampling.draw_sample : writes the stratum, officer and population columns it reads.

    Examples
    --------
    >>> import pandas as pd
    >>> from stats.design import design_table
    >>> cases = pd.DataFrame(
    ...     {
    ...         "stratum": list("aaaabbbb"),
    ...         "responsible_officer": list("11223344"),
    ...         "stratum_population": 40,
    ...         "rosh": ["LOW", "HIGH"] * 4,
    ...         "q1": [1, 1, 0, 0, 1, 0, 1, 1],
    ...     }
    ... )
    >>> t = design_table(cases, ["q1"], by="rosh")
    >>> t[["group", "prompt", "n", "proportion", "deff", "srs_margin", "design_margin"]].round(3)
      group prompt  n  proportion   deff  srs_margin  design_margin
    0   all     q1  8       0.625  2.333       0.359          0.548
    1   LOW     q1  4       0.750  1.000       0.490          0.490
    2  HIGH     q1  4       0.500  1.500       0.566          0.693
    """
    fpc = _finite_population(test, fpc)
    from .cases import parse_answers

    for col in (stratum, cluster, population):
        if col not in cases.columns:
            raise ValueError(f"cases has no column {col!r} (needed for the design); columns are {list(cases.columns)}.")
    answers = parse_answers(cases, list(prompts), id_column=None)
    pop = pd.to_numeric(cases[population], errors="raise").to_numpy(dtype=float)
    groups = [("all", None)]
    if by is not None:
        values = cases[by].astype(str).to_numpy()
        groups += [(v, values == v) for v in pd.unique(values)]
    parts = []
    zq = critical_z(1 - confidence_level, "two-sided")
    for name, mask in groups:
        r = design_proportions(
            answers,
            cases[stratum].to_numpy(),
            cases[cluster].to_numpy(),
            pop,
            fpc=fpc,
            domain=mask,
            confidence_level=confidence_level,
        ).to_frame()
        r["srs_margin"] = zq * r["srs_standard_error"]
        r["design_margin"] = zq * r["standard_error"]
        r.insert(0, "group", name)
        parts.append(r)
    out = pd.concat(parts, ignore_index=True)
    out.attrs = {"design_model": DESIGN_MODEL, "variance": _variance_name(fpc)}
    return out


def _verdict(z, d, spec, higher_is_better=True):
    p = pvalue_from_z(z, spec.alternative)
    sig = p <= spec.alpha
    return p, sig, LABEL_BY_CODE[label_codes(sig, d, higher_is_better)]


def design_change_test(
    previous: DesignProportions,
    current: DesignProportions,
    *,
    test: ChangeTest | None = None,
    higher_is_better: bool = True,
) -> pd.DataFrame:
    r"""The change test with design-based variances for both inspections, beside the simple test.

    Parameters
    ----------
    previous, current : DesignProportions
        :func:`design_proportions` of each inspection's sample (prompts matched by name), computed
        under the same specification (``finite_population``) as ``test``.
    test : ChangeTest, optional
        The test specification (``alpha``, ``alternative``, ``method``, ``finite_population``);
        default ``ChangeTest()``, the methodology's (alpha 0.10, two-sided, pooled, no finite
        population correction). Stored in ``attrs["change_test"]``.
    higher_is_better : bool, default True
        Direction for the labels (as in :func:`stats.label_changes`).

    Returns
    -------
    pandas.DataFrame
        Per prompt in both: ``previous``, ``current`` (design-based proportions), ``difference``,
        the simple test on the unweighted counts (``simple_statistic``, ``simple_pvalue``,
        ``simple_label``) and the design test (``statistic``, ``pvalue``, ``significant``,
        ``label``), ``deff_previous``, ``deff_current`` (the variance factor the design test applies:
        design variance over the simple test's SRS variance), ``verdict_changed``. ``attrs`` hold
        the test, the variance (``variance``) and the officer model (``design_model``).

    Raises
    ------
    ValueError
        When an estimate's ``fpc`` differs from ``test.finite_population`` (the variance would not be
        the one the specification states).

    See Also
    --------
    design_proportions : the estimates it compares.
    rao_scott_change_test : the design-adjusted test from a published table alone.
    stats.change.compare_proportions : the simple test in the ``simple_`` columns.

    Notes
    -----
    With :math:`f_i = 1 - n_i/\hat N_i` under ``finite_population`` (:math:`\hat N_i` the estimated
    eligible cases answering, ``DesignProportions.population``) and 1 otherwise, the simple test's
    SRS variance of inspection :math:`i` is :math:`\hat p_i(1-\hat p_i) f_i/n_i` and the design
    effect it applies is :math:`d_i=\hat V_i/(\hat p_i(1-\hat p_i) f_i/n_i)` (1 where that is 0):
    the ``deff_*`` columns, exactly. The design test's variance is, pooled,
    :math:`\bar p(1-\bar p)(d_1 f_1/n_1+d_2 f_2/n_2)`; unpooled, :math:`\hat V_1+\hat V_2`
    (the pooled form where that vanishes but the change does not, as in
    :func:`stats.compare_proportions`). The continuity correction, if the method has one, is
    applied to the numerator as in the simple test. :math:`d_i` differs from R's ``deff``
    (``DesignProportions.deff``) by :math:`(n_i-1)/n_i`: R's SRS variance divides by :math:`n-1`.
    The unpooled statistic equals :math:`(\hat p_2-\hat p_1)/\sqrt{SE_1^2+SE_2^2}` with R
    ``survey``'s standard errors under the matching design (tests, R call in
    ``tests/data/r-survey-reference.R``). Officers are ultimate clusters: a model
    (:data:`DESIGN_MODEL`).

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from stats.design import design_change_test, design_proportions
    >>> y1 = pd.DataFrame({"q1": [1, 1, 0, 0, 1, 0, 1, 1], "q2": [0, 1, 1, 0, 1, 1, 0, 1]})
    >>> y2 = pd.DataFrame({"q1": [1, 1, 1, 0, 1, 0, 1, 1], "q2": [1, 1, 1, 1, 1, 1, 1, 1]})
    >>> prev = design_proportions(y1, list("aaaabbbb"), list("11221122"), {"a": 40, "b": 40})
    >>> cur = design_proportions(y2, list("aaaabbbb"), list("11223344"), {"a": 40, "b": 40})
    >>> t = design_change_test(prev, cur)
    >>> t[["prompt", "difference", "simple_pvalue", "pvalue", "label"]].round(4)
      prompt  difference  simple_pvalue  pvalue                    label
    0     q1       0.125         0.5896  0.7029    no significant change
    1     q2       0.375         0.0547  0.0282  significant improvement
    """
    spec = resolve_test(test)
    if spec.variance not in (pooled_variance, wald_variance):
        raise ValueError(
            f"method {spec.method!r} has no design-based form here (its variance kernel is "
            f"{spec.variance.__name__}); the design test scales the pooled or the unpooled variance."
        )
    for name, est in (("previous", previous), ("current", current)):
        if est.fpc != spec.finite_population:
            raise ValueError(
                f"{name} was estimated with fpc={est.fpc} but the test has finite_population="
                f"{spec.finite_population}; estimate both with design_proportions(..., test=test)."
            )
    a, b = previous.to_frame().set_index("prompt"), current.to_frame().set_index("prompt")
    common = [p for p in b.index if p in a.index]
    a, b = a.loc[common], b.loc[common]
    pop_a = pd.Series(previous.population, index=previous.prompt).loc[common].to_numpy(float)
    pop_b = pd.Series(current.population, index=current.prompt).loc[common].to_numpy(float)
    n1, n2 = a["n"].to_numpy(float), b["n"].to_numpy(float)
    k1, k2 = a["count"].to_numpy(float), b["count"].to_numpy(float)
    if spec.finite_population:
        f1, f2 = np.maximum(1 - n1 / pop_a, 0.0), np.maximum(1 - n2 / pop_b, 0.0)
    else:
        f1 = f2 = np.ones(len(common))
    _, z_simple, p_simple, _ = z_test(k1 / n1, n1, k2 / n2, n2, f1, f2, spec.pooled, spec.continuity, spec.alternative)
    sig_simple = p_simple <= spec.alpha
    p1, p2 = a["proportion"].to_numpy(), b["proportion"].to_numpy()
    v1, v2 = a["standard_error"].to_numpy() ** 2, b["standard_error"].to_numpy() ** 2
    srs1, srs2 = p1 * (1 - p1) * f1 / n1, p2 * (1 - p2) * f2 / n2
    with np.errstate(invalid="ignore", divide="ignore"):
        d1 = np.where(srs1 > 0, v1 / np.where(srs1 > 0, srs1, 1), 1.0)
        d2 = np.where(srs2 > 0, v2 / np.where(srs2 > 0, srs2, 1), 1.0)
    pbar = (p1 * n1 + p2 * n2) / (n1 + n2)
    pooled_var = pbar * (1 - pbar) * (d1 * f1 / n1 + d2 * f2 / n2)
    diff = p2 - p1
    if spec.pooled:
        var = pooled_var
    else:  # as the simple test: where the unpooled variance vanishes but the change does not, the pooled one
        var = v1 + v2
        var = np.where((var == 0) & (diff != 0), pooled_var, var)
    num = (
        np.sign(diff) * (np.abs(diff) - np.minimum(0.5 * (1 / n1 + 1 / n2), np.abs(diff))) if spec.continuity else diff
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(var > 0, num / np.sqrt(np.where(var > 0, var, 1)), np.where(num == 0, 0.0, np.sign(num) * np.inf))
    if not isinstance(higher_is_better, (bool, np.bool_)):
        raise TypeError(f"higher_is_better must be True or False (got {higher_is_better!r}).")
    pval, sig, label = _verdict(z, p2 - p1, spec, bool(higher_is_better))
    out = pd.DataFrame(
        {
            "prompt": common,
            "previous": p1,
            "current": p2,
            "difference": p2 - p1,
            "simple_statistic": z_simple,
            "simple_pvalue": p_simple,
            "simple_label": LABEL_BY_CODE[label_codes(sig_simple, k2 / n2 - k1 / n1, bool(higher_is_better))],
            "statistic": z,
            "pvalue": pval,
            "significant": sig,
            "label": label,
            "deff_previous": d1,
            "deff_current": d2,
            "verdict_changed": sig != sig_simple,
        }
    )
    out.attrs = {"change_test": spec, "design_model": DESIGN_MODEL, "variance": _variance_name(spec.finite_population)}
    return out


def _z_from_labelled(labelled: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    if "statistic" not in labelled.columns or "significant" not in labelled.columns:
        raise ValueError("labelled must be the output of stats.label_changes (columns 'statistic' and 'significant').")
    return labelled["statistic"].to_numpy(dtype=float), labelled["significant"].fillna(False).to_numpy(dtype=bool)


def rao_scott_change_test(
    labelled: pd.DataFrame,
    deff: ArrayLike,
    *,
    test: ChangeTest | None = None,
    higher_is_better: bool | str = True,
) -> pd.DataFrame:
    r"""Design-adjusted labels from a published table: the statistic divided by :math:`\sqrt{\mathrm{deff}}`.

    The first-order Rao-Scott correction (Rao and Scott 1981): with only tables, a design effect
    (one for the report, or one per row) deflates the SRS chi-square :math:`z^2` to
    :math:`z^2/\mathrm{deff}`. Returns ``labelled`` plus ``design_statistic``, ``design_pvalue``,
    ``design_label`` and ``verdict_changed``. The direction of each significant row is read from
    its label; ``higher_is_better`` (bool or a boolean column, as in :func:`stats.label_changes`)
    gives it for the others.

    See Also
    --------
    breakdown_deff : the design effect at which each significant row stops being significant.
    deff_survival : how many labels survive each design effect.
    design_change_test : the design-based test when the case records are available.

    References
    ----------
    .. [1] Rao, J.N.K. and Scott, A.J. (1981). The analysis of categorical data from complex
       sample surveys. *JASA* 76, 221-230.

    Examples
    --------
    >>> import stats
    >>> from stats.design import rao_scott_change_test
    >>> labelled = stats.label_changes(stats.load_report().prompts)
    >>> out = rao_scott_change_test(labelled, 1.5)
    >>> int(out["verdict_changed"].sum())
    5
    >>> out.loc[out["verdict_changed"], "prompt_id"].tolist()
    ['2.3.2.b', '2.3.2.e', '2.4.2.a', '4.2.1.b', '4.2.1.d']
    """
    spec = table_test(labelled, test)
    z, sig = _z_from_labelled(labelled)
    d = np.broadcast_to(np.asarray(deff, dtype=float), z.shape)
    if (d <= 0).any() or np.isnan(d).any():
        raise ValueError(f"deff must be positive (got {deff!r}).")
    zd = z / np.sqrt(d)
    diff = labelled["difference"].to_numpy(dtype=float) if "difference" in labelled else zd
    if isinstance(higher_is_better, str):
        hib = labelled[higher_is_better].to_numpy(dtype=bool)
    elif isinstance(higher_is_better, (bool, np.bool_)):
        hib = np.full(z.shape, bool(higher_is_better))
    else:
        raise TypeError(f"higher_is_better must be True, False or a column name (got {higher_is_better!r}).")
    if "label" in labelled:  # a significant row's label says which way is better
        lab = labelled["label"].astype(object).to_numpy()
        hib = np.where(sig & (lab == IMPROVEMENT), diff > 0, np.where(sig & (lab == DECLINE), diff < 0, hib))
    pval, sig_d, label = _verdict(zd, diff, spec, hib)
    testable = ~np.isnan(z)
    out = labelled.copy()
    out["design_statistic"] = zd
    out["design_pvalue"] = np.where(testable, pval, np.nan)
    out["design_label"] = np.where(
        testable, label, labelled["label"].astype(object).to_numpy() if "label" in labelled else ""
    )
    out["verdict_changed"] = testable & (sig_d != sig)
    return out


def breakdown_deff(labelled: pd.DataFrame, *, test: ChangeTest | None = None) -> pd.Series:
    r"""For each significant row, the design effect above which it would stop being significant.

    :math:`d^* = (z/z_{crit})^2`, :math:`z_{crit}=\Phi^{-1}(1-\alpha/2)` (two-sided) or
    :math:`\Phi^{-1}(1-\alpha)`: the row stays significant for every deff up to :math:`d^*` (Rao-Scott:
    :math:`z/\sqrt{d}`). nan for rows that are not significant. Alpha and alternative come from
    ``test``, else ``labelled.attrs["change_test"]``, else the methodology's (0.10, two-sided).

    See Also
    --------
    rao_scott_change_test : the labels at a given design effect.
    deff_survival : the count of rows whose breakdown effect exceeds each level.

    Examples
    --------
    >>> import pandas as pd
    >>> from stats.design import breakdown_deff
    >>> t = pd.DataFrame({"statistic": [3.29, 1.0], "significant": [True, False]})
    >>> breakdown_deff(t).round(2).tolist()
    [4.0, nan]
    """
    spec = table_test(labelled, test)
    z, sig = _z_from_labelled(labelled)
    crit = critical_z(spec.alpha, spec.alternative)
    return pd.Series(np.where(sig, (z / crit) ** 2, np.nan), index=labelled.index, name="breakdown_deff")


def deff_survival(
    labelled: pd.DataFrame, deffs: Iterable[float] = DEFF_LEVELS, *, test: ChangeTest | None = None
) -> pd.DataFrame:
    """How many significant labels survive each design effect (the report-level picture).

    Returns one row per deff: ``deff``, ``significant`` (under SRS), ``surviving``, ``lost``,
    ``share_surviving`` (proportion), and ``lost_ids`` (the ``prompt_id`` or index of rows lost).

    See Also
    --------
    breakdown_deff : each row's breakdown design effect.
    structural_deff_survival : the same at the design effects the sample's structure implies.

    Examples
    --------
    >>> import stats
    >>> from stats.design import deff_survival
    >>> s = deff_survival(stats.label_changes(stats.load_report().prompts))
    >>> s[["deff", "significant", "surviving"]]
       deff  significant  surviving
    0   1.2           17         16
    1   1.5           17         12
    2   2.0           17          9
    >>> s.loc[0, "lost_ids"]
    '4.2.1.d'
    """
    d_star = breakdown_deff(labelled, test=test)
    ids = labelled["prompt_id"] if "prompt_id" in labelled.columns else pd.Series(labelled.index, index=labelled.index)
    n_sig = int(d_star.notna().sum())
    rows = []
    for d in deffs:
        if not d > 0:
            raise ValueError(f"deffs must be positive (got {d!r}).")
        survive = d_star >= d
        lost = d_star.notna() & ~survive
        rows.append(
            {
                "deff": float(d),
                "significant": n_sig,
                "surviving": int(survive.sum()),
                "lost": int(lost.sum()),
                "share_surviving": survive.sum() / n_sig if n_sig else np.nan,
                "lost_ids": ", ".join(str(i) for i in ids[lost]),
            }
        )
    return pd.DataFrame(rows)


# ---- design effects from the sample's own structure ------------------------------------------------


def kish_deff(
    icc: ArrayLike, *, cluster_sizes: ArrayLike | None = None, mean_size: float | None = None, cv: float = 0.0
) -> float | np.ndarray:
    r"""Kish's design effect of a clustered sample: :math:`1 + (\bar m(1 + cv^2) - 1)\rho`.

    Vectorised: ``icc``, ``mean_size`` and ``cv`` broadcast.

    Parameters
    ----------
    icc : float or array_like
        Intra-class correlation :math:`\rho` of the answers within a cluster (officer), in [0, 1].
    cluster_sizes : array_like of int, optional
        The cases of each cluster; gives :math:`\bar m` and :math:`cv` (population standard
        deviation over mean), so that :math:`\bar m(1+cv^2) = \sum m_i^2 / \sum m_i`.
    mean_size, cv : float or array_like, optional
        :math:`\bar m` and the coefficient of variation of the cluster sizes, when the sizes
        themselves are not known (``cv`` default 0: equal clusters).

    Returns
    -------
    float or ndarray

    See Also
    --------
    cluster_size_bounds : the extreme cluster sizes for a number of cases and clusters.
    structural_deff_survival : the labels that survive the design effects from this formula.

    Notes
    -----
    Kish (1965, section 5.4; 1987): with clusters of unequal size the effective cluster size is
    :math:`\bar m(1 + cv^2)`. With officers as clusters this is a model of the sample (officers
    as ultimate clusters, :data:`DESIGN_MODEL`), not the sampler's design, which draws cases.

    References
    ----------
    .. [1] Kish, L. (1965). *Survey Sampling*. Wiley, section 5.4.
    .. [2] Kish, L. (1987). Weighting in Deft². *The Survey Statistician*, June 1987.

    Examples
    --------
    >>> from stats.design import kish_deff
    >>> round(float(kish_deff(0.05, mean_size=100 / 49)), 4)
    1.052
    >>> float(kish_deff(0.1, cluster_sizes=[6, 6, 1, 1]))  # sum m^2 / sum m = 74 / 14
    1.4285714285714286
    """
    rho = np.asarray(icc, dtype=float)
    if np.any((rho < 0) | (rho > 1)) or np.any(np.isnan(rho)):
        raise ValueError(f"icc must lie in [0, 1] (got {icc!r}).")
    if cluster_sizes is not None:
        if mean_size is not None or np.any(np.asarray(cv) != 0):
            raise ValueError("pass cluster_sizes or mean_size (with cv), not both.")
        m = np.asarray(cluster_sizes, dtype=float)
        if m.ndim != 1 or m.size == 0 or np.any(m < 1) or np.any(m != np.floor(m)):
            raise ValueError(f"cluster_sizes must be whole numbers >= 1, one per cluster (got {cluster_sizes!r}).")
        effective = (m**2).sum() / m.sum()
    else:
        if mean_size is None:
            raise TypeError("pass cluster_sizes or mean_size.")
        mbar = np.asarray(mean_size, dtype=float)
        c = np.asarray(cv, dtype=float)
        if np.any(mbar < 1) or np.any(c < 0):
            raise ValueError(f"mean_size must be >= 1 and cv >= 0 (got {mean_size!r}, {cv!r}).")
        effective = mbar * (1 + c**2)
    out = 1 + (effective - 1) * rho
    return out.item() if np.ndim(out) == 0 else out


def cluster_size_bounds(cases: int, clusters: int, max_per_cluster: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    r"""The most even and the most uneven cluster sizes for ``cases`` in ``clusters`` (each >= 1, <= the cap).

    Returns ``(even, uneven)``: two int arrays of sizes, whose :math:`\sum m^2/\sum m` (the
    effective cluster size :math:`\bar m(1+cv^2)` of :func:`kish_deff`) are the smallest and the
    largest any allocation can have.

    See Also
    --------
    kish_deff : the design effect of the sizes.
    stats.sampling.pick : the sampler's cap per officer.

    Examples
    --------
    >>> from stats.design import cluster_size_bounds
    >>> even, uneven = cluster_size_bounds(100, 49, 6)
    >>> int((even**2).sum()), int((uneven**2).sum())  # 47 x 2 + 2 x 3; 10 x 6 + 1 x 2 + 38 x 1
    (206, 402)
    """
    cases, clusters = int(cases), int(clusters)
    cap = cases if max_per_cluster is None else int(max_per_cluster)
    if clusters < 1 or cases < clusters or cap < 1 or cases > clusters * cap:
        raise ValueError(f"{cases} cases cannot fill {clusters} clusters of 1 to {cap} cases each.")
    q, r = divmod(cases, clusters)
    even = np.array([q + 1] * r + [q] * (clusters - r), dtype=np.int64)
    spare = cases - clusters  # one case each, then fill clusters to the cap one by one
    full, rest = divmod(spare, cap - 1) if cap > 1 else (0, 0)
    uneven = np.ones(clusters, dtype=np.int64)
    uneven[:full] = cap
    if full < clusters:
        uneven[full] += rest
    return even, uneven


def report_cluster_structure(report: Report) -> dict[str, int]:
    """Cases, officers and the cap per officer a report states.

    From ``samples.csv``: the rows 'case supervision' and 'officers interviewed'; the cap is the
    sampler's, 6 (:func:`stats.sampling.pick`).

    See Also
    --------
    structural_deff_survival : takes these values as keyword arguments.

    Examples
    --------
    >>> import stats
    >>> from stats.design import report_cluster_structure
    >>> report_cluster_structure(stats.load_report())
    {'cases': 100, 'officers': 49, 'max_per_officer': 6}
    """
    samples = report.samples.set_index("sample")
    missing = [name for name in ("case supervision", "officers interviewed") if name not in samples.index]
    if missing:
        raise ValueError(
            f"samples.csv of report {report.name!r} has no rows {missing} (needed for the cluster "
            "structure); pass cases= and officers= to structural_deff_survival instead."
        )
    return {
        "cases": int(samples["n"].loc["case supervision"]),
        "officers": int(samples["n"].loc["officers interviewed"]),
        "max_per_officer": 6,
    }


def structural_deff_survival(
    labelled: pd.DataFrame,
    *,
    cases: int,
    officers: int,
    max_per_officer: int | None = 6,
    icc: Iterable[float] = ICC_RANGE,
    test: ChangeTest | None = None,
) -> pd.DataFrame:
    r"""Significant labels that survive the design effects the sample's own structure implies.

    Kish's :func:`kish_deff` at the two ends of the plausible range: the lower end with the most
    even spread of ``cases`` over ``officers`` and the lower ICC, the upper end with the most
    uneven spread the cap allows (:func:`cluster_size_bounds`) and the upper ICC. Each significant
    row survives a deff up to its :func:`breakdown_deff` (Rao-Scott first-order correction).

    Parameters
    ----------
    labelled : pandas.DataFrame
        :func:`stats.label_changes` output (its test in ``attrs``).
    cases, officers : int
        Cases in the sample and officers holding them (bundled report: 100 and 49,
        :func:`report_cluster_structure`).
    max_per_officer : int or None, default 6
        The sampler's cap on cases per officer.
    icc : (low, high), default :data:`ICC_RANGE`
        Range of the intra-class correlation within an officer's cases.
    test : ChangeTest, optional
        As :func:`breakdown_deff`.

    Returns
    -------
    pandas.DataFrame
        Two rows, ``end`` 'low' and 'high': ``icc``, ``effective_cluster_size``
        (:math:`\bar m(1+cv^2)`), ``mean_cluster_size``, ``cv``, ``deff``, ``significant``,
        ``surviving``, ``lost``, ``lost_ids``. ``attrs['design_model']`` states the model and
        ``attrs['source']`` where the inputs come from.

    See Also
    --------
    kish_deff : the design effect formula.
    deff_survival : the same at fixed design effects.
    report_cluster_structure : the cases, officers and cap a report states.

    Notes
    -----
    *Model.* Officers as ultimate clusters is a model of how one officer's cases go together
    (:data:`DESIGN_MODEL`); the sampler draws cases within strata. A prompt answered by a sub-sample
    (85 harm cases, 24 Through the Gate cases) has smaller clusters than the whole sample, so the
    whole sample's structure gives the larger deff: the upper end is conservative for them. The
    previous inspection's structure is not published; the same deff is applied to the whole test.

    *ICC.* Therapist-effect studies find about 5 % of client-outcome variance between practitioners
    (Wampold and Brown 2005, 6,146 patients of 581 therapists; the review of Baldwin and Imel 2013);
    the published ICCs vary widely by measure (Baldwin et al. 2011). Inspection prompts rate the
    officer's own work, so a larger correlation is plausible: the default range is 0.05 to 0.20.

    References
    ----------
    .. [1] Kish, L. (1965). *Survey Sampling*. Wiley, section 5.4.
    .. [2] Wampold, B. E., Brown, G. S. (2005). Estimating variability in outcomes attributable to
       therapists: a naturalistic study of outcomes in managed care. *Journal of Consulting and
       Clinical Psychology* 73(5), 914-923.
    .. [3] Baldwin, S. A., Imel, Z. E. (2013). Therapist effects: findings and methods. In M. J.
       Lambert (Ed.), *Bergin and Garfield's Handbook of Psychotherapy and Behavior Change*, 6th ed.
       Wiley, 258-297.
    .. [4] Baldwin, S. A., Murray, D. M., Shadish, W. R., et al. (2011). Intraclass correlation
       associated with therapists: estimates and applications in planning psychotherapy research.
       *Cognitive Behaviour Therapy* 40(1), 15-33.

    Examples
    --------
    >>> import stats
    >>> from stats.design import report_cluster_structure, structural_deff_survival
    >>> report = stats.load_report()
    >>> s = structural_deff_survival(stats.label_changes(report.prompts), **report_cluster_structure(report))
    >>> s[["end", "deff", "significant", "surviving"]].round(3).values.tolist()
    [['low', 1.053, 17, 17], ['high', 1.604, 17, 12]]
    """
    lo_icc, hi_icc = (float(x) for x in icc)
    if not 0 <= lo_icc <= hi_icc <= 1:
        raise ValueError(f"icc must be a range (low, high) within [0, 1] (got {icc!r}).")
    even, uneven = cluster_size_bounds(cases, officers, max_per_officer)
    spec = table_test(labelled, test)
    d_star = breakdown_deff(labelled, test=spec)
    ids = labelled["prompt_id"] if "prompt_id" in labelled.columns else pd.Series(labelled.index, index=labelled.index)
    n_sig = int(d_star.notna().sum())
    rows = []
    for end, sizes, rho in (("low", even, lo_icc), ("high", uneven, hi_icc)):
        deff = kish_deff(rho, cluster_sizes=sizes)
        survive = d_star >= deff
        lost = d_star.notna() & ~survive
        rows.append(
            {
                "end": end,
                "icc": rho,
                "effective_cluster_size": float((sizes**2).sum() / sizes.sum()),
                "mean_cluster_size": float(sizes.mean()),
                "cv": float(sizes.std() / sizes.mean()),
                "deff": deff,
                "significant": n_sig,
                "surviving": int(survive.sum()),
                "lost": int(lost.sum()),
                "lost_ids": ", ".join(str(i) for i in ids[lost]),
            }
        )
    out = pd.DataFrame(rows)
    out.attrs = {
        "design_model": DESIGN_MODEL,
        "source": (
            f"{cases} cases over {officers} officers, at most {max_per_officer} per officer "
            f"(most even and most uneven spreads); ICC {lo_icc:g} to {hi_icc:g}"
        ),
        "change_test": spec,
    }
    return out
