"""The inspectorate's case sampler: long list -> eligible cases -> strata -> allocation -> draw.

A reproduction (not a copy) of HM Inspectorate of Probation's published case sampler,
``ministryofjustice/probation-case-sampler`` (Kotlin, files named below as ``Cases.kt``,
``SampleSizeCalculator.kt``, ``RoundingAdjuster.kt``, ``AllocationCalculator.kt``,
``RoAllocationAdjuster.kt``, ``SamplePicker.kt``). The allocation equals the sampler's case for
case, and the random draw equals the sampler's for the same seed (``SamplePicker(Random(seed))``:
the generator is Kotlin's ``Random(seed)``, reproduced in :class:`KotlinRandom`).

Rules, as the source implements them (where the source says more than its README, the source is
followed; every point is pinned by ``tests/test_sampling.py``):

1. Eligibility (``Cases.kt``): a case is excluded if its first or family name contains ``*``
   (redacted), its start date is after the run date (not yet started), or its gender is neither
   male nor female. A case is kept only if it is the earliest, by start date, of the cases on the
   **whole long list** (excluded ones included) that are the same offender as it: same PNC, or
   same first name, family name and date of birth (compared as text). Ties go to the earlier row.
   The CRN is not used, although the sampler's README lists it.
   **Departure from the source:** a blank identifier never matches another blank one. The
   source compares the PNC as text, so on a long list whose PNC column is blank every case is
   "the same offender" as every other and the list collapses to one eligible case; here a blank
   PNC (or a blank first name, family name or date of birth) is not a match, and a
   :class:`BlankIdentifierWarning` says how many rows had one.
2. Strata: FEMALE; men by sentence (community, post-custody) x risk of serious harm (LOW, other).
3. Allocation (``SampleSizeCalculator.kt``): each group gets ``round(size * share)`` (half up),
   capped at its case count, plus ``round(that / 100 * buffer)`` (capped again); the target is
   ``size + round(size / 100 * buffer)``. Then ``RoundingAdjuster.kt``: while the total is short,
   one case is added to each group in turn from the smallest to the largest (order fixed before
   the first change; full groups skipped); while over, one removed from the largest down. A case
   that fits nowhere is dropped: a shortfall.
4. Nesting (``AllocationCalculator.kt``): the same allocation, without buffer, splits each
   stratum's count over clusters, each cluster's over delivery units (LDUs), each LDU's over
   responsible officers. Groups are taken in order of first appearance on the long list.
5. Officer cap (``RoAllocationAdjuster.kt``): no responsible officer (by name, over the whole
   sample, strata in order) gets more than 6 cases. Cases cut by the cap are given back one at a
   time to officers **of the same LDU** with spare capacity and cases left, smallest allocation
   first (order fixed after the cut); what cannot be placed is a shortfall.
6. Draw (``SamplePicker.kt``): each officer's bucket (officers in alphabetical order within an
   LDU) is shuffled with the one generator and its first ``count`` cases taken; every bucket is
   shuffled, even one allocated nothing.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "BlankIdentifierWarning",
    "STRATA",
    "STEPS",
    "LONGLIST_COLUMNS",
    "Allocation",
    "KotlinRandom",
    "OfficerCap",
    "Bucket",
    "SampleAllocation",
    "SampleDraw",
    "round_half_up",
    "proportional_allocation",
    "adjust_for_rounding",
    "nested_allocation",
    "pick",
    "screen_longlist",
    "allocate_sample",
    "draw_sample",
    "synthetic_longlist",
]

#: The sampler's five strata (``Cases.kt``, ``enum class Stratum``), in its declaration order.
STRATA = (
    "MALE_COMMUNITY_NON_LOW",
    "MALE_COMMUNITY_LOW",
    "MALE_POST_CUSTODY_NON_LOW",
    "MALE_POST_CUSTODY_LOW",
    "FEMALE",
)


class BlankIdentifierWarning(UserWarning):
    """Rows of a long list with a blank PNC or name: never treated as duplicates of each other
    (the published sampler would; see the module docstring, rule 1).

    See Also
    --------
    screen_longlist : Issues it.

    Examples
    --------
    >>> import warnings
    >>> from stats.sampling import screen_longlist, synthetic_longlist
    >>> longlist = synthetic_longlist()
    >>> longlist["pnc"] = longlist["pnc"].where(longlist.index > 2, None)  # rows 1 and 2 lose their PNC
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     _ = screen_longlist(longlist)
    >>> print(caught[0].category.__name__, str(caught[0].message)[:60])
    BlankIdentifierWarning the long list has 2 row(s) with a blank PNC and 0 with a bla
    """


#: Kinds of allocation step (``SampleSize.kt``, ``enum class Type``).
STEPS = (
    "INITIAL",
    "WITH_BUFFER",
    "INCREASED_FOR_ROUNDING",
    "DECREASED_FOR_ROUNDING",
    "INCREASED_FOR_RO",
    "DECREASED_FOR_RO",
)

#: Long-list columns needed (``Cases.kt``'s fields in snake case; ``rosh`` is the RoSH level).
LONGLIST_COLUMNS = (
    "crn",
    "pnc",
    "first_name",
    "family_name",
    "dob",
    "gender",
    "sentence_type",
    "rosh",
    "start_date",
    "cluster",
    "ldu",
    "responsible_officer",
)

_GENDER = {"m": "M", "male": "M", "f": "F", "female": "F", "other": "OTHER", "": "OTHER"}
_SENTENCE = {  # Cases.kt SentenceType aliases, plus plain names
    "community_sentence": "COMMUNITY",
    "community": "COMMUNITY",
    "ora community order": "COMMUNITY",
    "ora suspended sentence order": "COMMUNITY",
    "cja - youth rehabilitation order": "COMMUNITY",
    "post_custody": "POST_CUSTODY",
    "post-custody": "POST_CUSTODY",
    "post custody": "POST_CUSTODY",
    "post-release": "POST_CUSTODY",
    "licence": "POST_CUSTODY",
    "adult licence": "POST_CUSTODY",
    "ora supervision default order": "POST_CUSTODY",
}
_ROSH = {
    "low": True,
    "rlrh": True,
    "medium": False,
    "rmrh": False,
    "high": False,
    "rhrh": False,
    "very_high": False,
    "very high": False,
    "rvrh": False,
}


def round_half_up(x: float) -> int:
    """Kotlin's ``Double.roundToInt()`` (Java ``Math.round``): nearest integer, halves up.

    Exact for every double (``math.floor(x + 0.5)`` is not: 0.49999999999999994 + 0.5 rounds to 1).

    See Also
    --------
    proportional_allocation : Rounds each group's share with it.
    numpy.round : Rounds halves to even, unlike the sampler.

    Examples
    --------
    >>> round_half_up(2.5), round_half_up(0.49999999999999994), round_half_up(3.4000000000000004)
    (3, 0, 3)
    """
    fl = math.floor(x)
    return int(fl) + (1 if x - fl >= 0.5 else 0)


def _percent_text(share: float) -> str:
    # Kotlin "%.2f".format(proportion * 100): Java rounds the shortest decimal form half up.
    return str(Decimal(repr(share * 100)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Allocation:
    """A group's allocation and how it got there (the sampler's ``SampleSize``).

    Attributes
    ----------
    count : int
        Cases allocated now.
    total : int
        Cases the group has (the cap on ``count``).
    share : float
        The group's share of its parent's cases (proportion); nan when not computed.
    step : str
        The last kind of change (one of :data:`STEPS`).
    history : tuple of (str, int)
        Earlier (step, count) pairs; consecutive changes of one kind are merged, as the sampler does.

    See Also
    --------
    proportional_allocation : Gives each group its first allocation.
    adjust_for_rounding : Records the changes that make the counts add up.
    OfficerCap : Records the changes made by the officer cap.

    Examples
    --------
    >>> from stats.sampling import Allocation
    >>> a = Allocation(28, 70, 0.28).update("WITH_BUFFER", 34)
    >>> a.count, a.step, a.initial, a.history
    (34, 'WITH_BUFFER', 28, (('INITIAL', 28),))
    """

    count: int
    total: int
    share: float = float("nan")
    step: str = "INITIAL"
    history: tuple = ()

    def update(self, step: str, count: int) -> Allocation:
        """A copy with ``count`` after a change of kind ``step`` (history entry only for a new kind)."""
        history = self.history if step == self.step else (*self.history, (self.step, self.count))
        return Allocation(count, self.total, self.share, step, history)

    def previous_change(self) -> int:
        """Change made by the last kind of step (``SampleSize.previousChange``)."""
        return self.count if not self.history else self.count - self.history[-1][1]

    @property
    def percent_text(self) -> str:
        """The share as the sampler prints it (``"33.33"``)."""
        return "" if math.isnan(self.share) else _percent_text(self.share)

    @property
    def initial(self) -> int:
        return self.history[0][1] if self.history else self.count

    def steps(self) -> list:
        """``[(step, before, after), ...]`` for every change after the initial value."""
        points = [*self.history, (self.step, self.count)]
        return [(points[i][0], points[i - 1][1], points[i][1]) for i in range(1, len(points))]


class KotlinRandom:
    """Kotlin's ``kotlin.random.Random(seed: Int)`` (XorWow, Marsaglia 2003), for a draw equal to the sampler's.

    Only what the sampler uses: ``next_int()``, ``next_int(until)`` and ``shuffle`` (``MutableList.shuffle``).

    See Also
    --------
    pick : Shuffles each officer's cases with it.
    draw_sample : Creates it from ``seed``.
    numpy.random.Generator : The generator to use when equality with the sampler does not matter.

    References
    ----------
    .. [1] Marsaglia, G. (2003). Xorshift RNGs. *Journal of Statistical Software*, 8(14), 1-6.
    .. [2] Kotlin standard library, ``kotlin.random.XorWowRandom`` (the algorithm and its seeding).

    Examples
    --------
    >>> from stats.sampling import KotlinRandom
    >>> KotlinRandom(1).next_int()  # kotlin.random.Random(1).nextInt()
    600123930
    >>> KotlinRandom(1).shuffled(list("abcd"))[:2] == KotlinRandom(1).shuffled(list("abcd"))[:2]
    True
    """

    def __init__(self, seed: int):
        given: object = seed  # checked as any object a caller may pass
        if not isinstance(given, (int, np.integer)) or not -(2**31) <= int(given) < 2**31:
            raise ValueError(f"seed ({seed!r}) must be a whole number from -2147483648 to 2147483647 (a Kotlin Int).")
        s1 = int(seed) & 0xFFFFFFFF
        s2 = 0xFFFFFFFF if int(seed) < 0 else 0  # seed.shr(31)
        self._x, self._y, self._z, self._w = s1, s2, 0, 0
        self._v = ~s1 & 0xFFFFFFFF
        self._addend = ((s1 << 10) ^ (s2 >> 4)) & 0xFFFFFFFF
        for _ in range(64):
            self._next()

    def _next(self) -> int:  # unsigned 32-bit result
        t = self._x
        t ^= t >> 2
        self._x, self._y, self._z = self._y, self._z, self._w
        v0 = self._v
        self._w = v0
        t = (t ^ (t << 1) ^ v0 ^ (v0 << 4)) & 0xFFFFFFFF
        self._v = t
        self._addend = (self._addend + 362437) & 0xFFFFFFFF
        return (t + self._addend) & 0xFFFFFFFF

    def next_int(self, until: int | None = None) -> int:
        """``nextInt()`` (a signed 32-bit integer) or ``nextInt(until)`` (0 <= result < until)."""
        if until is None:
            u = self._next()
            return u - 2**32 if u >= 2**31 else u
        if until <= 0:
            raise ValueError(f"until ({until!r}) must be positive.")
        if until & -until == until:  # power of two: upper bits
            bits = until.bit_length() - 1
            u = self._next()
            return 0 if bits == 0 else u >> (32 - bits)
        while True:
            r = self._next() >> 1
            value = r % until
            if r - value + (until - 1) < 2**31:
                return value

    def shuffle(self, items: list) -> None:
        """Shuffle in place as Kotlin's ``MutableList.shuffle(random)``."""
        for i in range(len(items) - 1, 0, -1):
            j = self.next_int(i + 1)
            items[i], items[j] = items[j], items[i]

    def shuffled(self, items: Iterable[Any]) -> list:
        out = list(items)
        self.shuffle(out)
        return out


def _buffer(n: int, buffer: float) -> int:
    return round_half_up((n / 100) * buffer)


def adjust_for_rounding(target: int, sizes: list) -> list:
    """Correct a list of ``(key, Allocation)`` so the counts add up to ``target`` (``RoundingAdjuster.kt``).

    Short: add one case to each group in turn, smallest count first (ties in list order; order
    fixed at the start), skipping full groups. Over: remove one from each in turn, largest first,
    skipping empty ones. A case that fits nowhere after one full round is dropped. Keys keep
    their order.

    See Also
    --------
    proportional_allocation : The rounded allocation this corrects.

    References
    ----------
    .. [1] HM Inspectorate of Probation, case sampler (Kotlin),
           https://github.com/ministryofjustice/probation-case-sampler, file ``RoundingAdjuster.kt``.

    Examples
    --------
    >>> sizes = [("k1", Allocation(9, 10)), ("k2", Allocation(9, 10))]
    >>> [(k, a.count) for k, a in adjust_for_rounding(19, sizes)]
    [('k1', 10), ('k2', 9)]
    """
    if not sizes:
        return list(sizes)
    total = sum(a.count for _, a in sizes)
    if total == target:
        return list(sizes)
    current = dict(sizes)
    adding = total < target
    order = [k for k, _ in sorted(sizes, key=lambda kv: kv[1].count, reverse=not adding)]
    step = "INCREASED_FOR_ROUNDING" if adding else "DECREASED_FOR_ROUNDING"
    pos = 0
    for _ in range(abs(target - total)):
        for _ in range(len(order)):
            key = order[pos % len(order)]
            pos += 1
            a = current[key]
            if (a.count < a.total) if adding else (a.count > 0):
                current[key] = a.update(step, a.count + (1 if adding else -1))
                break
    return list(current.items())


def proportional_allocation(size: int, counts: Mapping, buffer: float = 0.0) -> list:
    """Split ``size`` cases over groups in proportion to their case counts (``calculateSampleSize``).

    Parameters
    ----------
    size : int
        Cases wanted before the buffer.
    counts : mapping
        Group -> number of cases, in the order the groups first appear.
    buffer : float, default 0.0
        Percentage added for replacements, per group and to the total (the sampler's default for
        strata is 20; nested levels use 0).

    Returns
    -------
    list of (key, Allocation)
        In the order of ``counts``.

    See Also
    --------
    adjust_for_rounding : Makes the rounded counts add up to the target.
    stats.samplesize.allocate : Proportional allocation by largest remainders, for planning.

    Notes
    -----
    Group :math:`g` with :math:`N_g` of :math:`N` cases gets :math:`b_g=\\min(N_g,[n N_g/N])` and
    then :math:`\\min(N_g, b_g+[b_g p/100])`, :math:`[\\cdot]` rounding halves up, in the
    sampler's floating-point order; :func:`adjust_for_rounding` then brings the total to
    :math:`n+[n p/100]`. Contrast :func:`stats.allocate` (largest remainder, no buffer).

    Examples
    --------
    The example in the sampler's ``SampleSizeCalculatorTest`` ("example from doc"):

    >>> sizes = proportional_allocation(148, {"A": 454, "B": 138, "C": 327, "D": 129, "E": 169})
    >>> [(k, a.count, a.percent_text) for k, a in sizes]
    [('A', 54, '37.30'), ('B', 17, '11.34'), ('C', 40, '26.87'), ('D', 16, '10.60'), ('E', 21, '13.89')]
    """
    total_cases = sum(int(c) for c in counts.values())
    results = []
    for key, cases in counts.items():
        share = int(cases) / total_cases
        base = min(int(cases), round_half_up(size * share))
        adjusted = min(int(cases), base + _buffer(base, buffer))
        a = Allocation(base, int(cases), share)
        results.append((key, a.update("WITH_BUFFER", adjusted) if adjusted != base else a))
    return adjust_for_rounding(size + _buffer(size, buffer), results)


class OfficerCap:
    """At most ``max_cases`` sampled cases per responsible officer across the sample (``RoAllocationAdjuster.kt``).

    One instance serves a whole sample: ``counts`` holds each officer's cases so far.
    :meth:`adjust` is called once per LDU with its officers' allocations.

    See Also
    --------
    nested_allocation : Applies it within each LDU.
    allocate_sample : Uses it with ``max_per_officer``.

    References
    ----------
    .. [1] HM Inspectorate of Probation, case sampler (Kotlin),
           https://github.com/ministryofjustice/probation-case-sampler, file ``RoAllocationAdjuster.kt``.

    Examples
    --------
    >>> from stats.sampling import Allocation, OfficerCap
    >>> cap = OfficerCap(6)
    >>> [(ro, a.count, a.step) for ro, a in cap.adjust([("ro1", Allocation(8, 8)), ("ro2", Allocation(2, 4))])]
    [('ro1', 6, 'DECREASED_FOR_RO'), ('ro2', 4, 'INCREASED_FOR_RO')]
    >>> cap.counts, cap.unplaced
    ({'ro1': 6, 'ro2': 4}, 0)
    """

    def __init__(self, max_cases: int = 6):
        given: object = max_cases  # checked as any object a caller may pass
        if isinstance(given, bool) or not isinstance(given, (int, np.integer)) or given < 1:
            raise ValueError(f"max_cases ({max_cases!r}) must be a whole number of at least 1.")
        self.max_cases = int(max_cases)
        self.counts: dict = {}
        self.unplaced = 0

    def adjust(self, sizes: list) -> list:
        """Cap each officer, give the cut cases to others in the LDU; returns ``(officer, Allocation)`` by name."""
        reduced = []
        for ro, a in sizes:
            held = self.counts.get(ro, 0)
            cut = max(0, held + a.count - self.max_cases)
            self.counts[ro] = held + a.count - cut
            reduced.append((ro, a.update("DECREASED_FOR_RO", a.count - cut) if cut > 0 else a))
        removed = sum(abs(a.previous_change()) for _, a in reduced if a.step == "DECREASED_FOR_RO")
        current = dict(reduced)
        order = [ro for ro, _ in sorted(reduced, key=lambda kv: kv[1].count)]
        pos = 0
        for _ in range(removed):
            for _ in range(len(order)):
                ro = order[pos % len(order)]
                pos += 1
                a = current[ro]
                if self.counts[ro] < self.max_cases and a.count + 1 <= a.total:
                    self.counts[ro] += 1
                    current[ro] = a.update("INCREASED_FOR_RO", a.count + 1)
                    break
            else:
                self.unplaced += 1
        return sorted(current.items(), key=lambda kv: kv[0])


@dataclass(frozen=True)
class Bucket:
    """One responsible officer's cases within an LDU, cluster and stratum, and their allocations.

    See Also
    --------
    nested_allocation : Returns the buckets of a stratum.
    SampleAllocation : Holds the buckets of a whole sample.

    Examples
    --------
    >>> from stats.sampling import allocate_sample, synthetic_longlist
    >>> longlist = synthetic_longlist()
    >>> bucket = allocate_sample(longlist, 100).buckets[0]
    >>> bucket.stratum, bucket.ldu, bucket.officer, bucket.allocation.count, bucket.cases
    ('MALE_POST_CUSTODY_NON_LOW', 'Northfield East', 'Officer 01 (synthetic)', 0, (128,))
    """

    stratum: object
    cluster: str
    ldu: str
    officer: str
    cluster_allocation: Allocation
    ldu_allocation: Allocation
    allocation: Allocation
    cases: tuple  # long-list row labels, in long-list order


def _groups(labels: Iterable[Any]) -> dict:
    """label -> list of positions, in order of first appearance (Kotlin ``groupBy``)."""
    out: dict = {}
    for i, key in enumerate(labels):
        out.setdefault(key, []).append(i)
    return out


def nested_allocation(
    allocation: Allocation, cases: pd.DataFrame, cap: OfficerCap | None = None, stratum: object = None
) -> list[Bucket]:
    """Split a stratum's allocation over clusters, LDUs and officers (``AllocationCalculator.calculate``).

    ``cases`` has columns ``cluster``, ``ldu``, ``responsible_officer`` (long-list order); ``cap``
    None applies no officer cap (officers then stay in order of appearance).

    See Also
    --------
    OfficerCap : The cap applied within each LDU.
    pick : Draws the cases of each bucket.

    References
    ----------
    .. [1] HM Inspectorate of Probation, case sampler (Kotlin),
           https://github.com/ministryofjustice/probation-case-sampler, file ``AllocationCalculator.kt``.

    Examples
    --------
    >>> import pandas as pd
    >>> cases = pd.DataFrame({"cluster": "N01", "ldu": "L1", "responsible_officer": ["ro1"] * 8 + ["ro2"] * 4})
    >>> from stats.sampling import Allocation, OfficerCap, nested_allocation
    >>> [(b.officer, b.allocation.count) for b in nested_allocation(Allocation(10, 12), cases)]
    [('ro1', 7), ('ro2', 3)]
    >>> [(b.officer, b.allocation.count) for b in nested_allocation(Allocation(10, 12), cases, OfficerCap(6))]
    [('ro1', 6), ('ro2', 4)]
    """
    buckets: list[Bucket] = []
    if len(cases) == 0:
        return buckets
    index = list(cases.index)
    cl, ld, ro = (cases[c].tolist() for c in ("cluster", "ldu", "responsible_officer"))
    by_cluster = _groups(cl)
    for cluster, csize in proportional_allocation(allocation.count, {k: len(v) for k, v in by_cluster.items()}):
        rows = by_cluster[cluster]
        by_ldu = {k: [rows[i] for i in v] for k, v in _groups([ld[r] for r in rows]).items()}
        for ldu, lsize in proportional_allocation(csize.count, {k: len(v) for k, v in by_ldu.items()}):
            lrows = by_ldu[ldu]
            by_ro = {k: [lrows[i] for i in v] for k, v in _groups([ro[r] for r in lrows]).items()}
            sizes = proportional_allocation(lsize.count, {k: len(v) for k, v in by_ro.items()})
            if cap is not None:
                sizes = cap.adjust(sizes)
            for officer, osize in sizes:
                buckets.append(
                    Bucket(stratum, cluster, ldu, officer, csize, lsize, osize, tuple(index[r] for r in by_ro[officer]))
                )
    return buckets


def pick(
    stratum_sizes: list, cases_by_stratum: Mapping, rng: KotlinRandom, max_per_officer: int | None = 6
) -> tuple[list[Bucket], list, int]:
    """Allocate within strata and draw (``SamplePicker.pick``).

    Parameters
    ----------
    stratum_sizes : list of (stratum, Allocation)
        Each stratum's name and its allocation, in the order the sampler visits them.
    cases_by_stratum : Mapping
        Each stratum's eligible cases (a frame indexed by case label, with ``cluster``, ``ldu`` and
        ``responsible_officer`` columns).
    rng : KotlinRandom
        The generator that shuffles each bucket (Kotlin's ``Random(seed)``).
    max_per_officer : int or None, default 6
        The most cases drawn from one responsible officer; ``None`` for no cap.

    Returns
    -------
    buckets : list of Bucket
        Every stratum's nested buckets, in drawing order.
    drawn : list
        The labels of the drawn cases, bucket by bucket.
    unplaced : int
        Cases the officer cap kept out of a bucket that wanted them (0 without a cap).

    See Also
    --------
    nested_allocation : The buckets of each stratum.
    KotlinRandom : The generator that shuffles each bucket.
    draw_sample : The whole draw from a long list.

    References
    ----------
    .. [1] HM Inspectorate of Probation, case sampler (Kotlin),
           https://github.com/ministryofjustice/probation-case-sampler, file ``SamplePicker.kt``.

    Examples
    --------
    >>> import pandas as pd
    >>> from stats.sampling import Allocation, KotlinRandom, pick
    >>> cases = pd.DataFrame(
    ...     {"cluster": "N01", "ldu": "L1", "responsible_officer": "ro1"}, index=["01", "02", "03", "04", "05"]
    ... )
    >>> buckets, drawn, unplaced = pick([("FEMALE", Allocation(2, 5))], {"FEMALE": cases}, KotlinRandom(1))
    >>> drawn, unplaced
    (['05', '04'], 0)
    """
    cap = OfficerCap(max_per_officer) if max_per_officer is not None else None
    buckets, drawn = [], []
    for stratum, size in stratum_sizes:
        for b in nested_allocation(size, cases_by_stratum[stratum], cap, stratum):
            buckets.append(b)
            drawn.extend(rng.shuffled(b.cases)[: b.allocation.count])
    return buckets, drawn, (cap.unplaced if cap is not None else 0)


def _parse_date(text: str, row: object, column: str) -> date:
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    raise ValueError(f"row {row}, column {column!r}: {text!r} is not a date (expected dd/mm/yyyy or yyyy-mm-dd).")


def _coded(series: pd.Series, codes: Mapping, column: str, expected: str) -> list:
    out = []
    for row, value in series.items():
        key = " ".join(str(value).strip().lower().split())
        if key not in codes:
            raise ValueError(
                f"row {row}, column {column!r}: {value!r} is not a recognised value (expected {expected})."
            )
        out.append(codes[key])
    return out


def _earliest_of_offender(pnc: np.ndarray, names: np.ndarray, start: np.ndarray) -> np.ndarray:
    """True where a row is the earliest (start date, then row order) of the rows matching it.

    The sampler's ``isEarliestCaseForOffender``.

    A row matches another with the same ``pnc`` code or the same ``names`` code (not transitively, as the
    source). Linear time: the earliest rank within each PNC group and each name group.
    """
    n = len(pnc)
    rank = np.empty(n, dtype=np.int64)
    rank[np.lexsort((np.arange(n), start))] = np.arange(n)
    by_pnc = pd.Series(rank).groupby(np.asarray(pnc)).transform("min").to_numpy()
    by_names = pd.Series(rank).groupby(np.asarray(names)).transform("min").to_numpy()
    return rank == np.minimum(by_pnc, by_names)


def screen_longlist(longlist: pd.DataFrame, as_of: date | None = None) -> pd.DataFrame:
    """Each long-list case's eligibility and stratum (``Cases.kt``; ``CaseSamplingService.kt``).

    Parameters
    ----------
    longlist : pandas.DataFrame
        One row per case with :data:`LONGLIST_COLUMNS` (text, as :func:`stats.cases.read_cases`
        reads it). Gender M/F/male/female, OTHER or blank (excluded); sentence type as the
        sampler's aliases ("ORA Community Order", "Adult Licence", ...) or community /
        post-custody; RoSH LOW/MEDIUM/HIGH/VERY_HIGH or RLRH/RMRH/RHRH/RVRH; start date
        dd/mm/yyyy (the sampler's format) or yyyy-mm-dd.
    as_of : datetime.date, optional
        The run date for "not yet started" (the sampler uses today, the default).

    Returns
    -------
    pandas.DataFrame
        The long list plus ``excluded`` (reason: "redacted", "not started", "gender",
        "duplicate", or "" when eligible), ``eligible`` and ``stratum`` (blank when excluded).

    Raises
    ------
    ValueError
        Naming the row (from 1), column and value of the first unreadable cell, or the missing columns.

    See Also
    --------
    allocate_sample : Allocates the sample among the eligible cases.
    BlankIdentifierWarning : Issued for blank identifiers.

    References
    ----------
    .. [1] HM Inspectorate of Probation, case sampler (Kotlin),
           https://github.com/ministryofjustice/probation-case-sampler, file ``Cases.kt``.

    Examples
    --------
    >>> from stats.sampling import screen_longlist, synthetic_longlist
    >>> longlist = synthetic_longlist()
    >>> screened = screen_longlist(longlist)
    >>> int(screened["eligible"].sum()), screened["excluded"].value_counts().to_dict()
    (250, {'': 250, 'redacted': 6, 'duplicate': 4, 'gender': 3, 'not started': 3})
    """
    if not isinstance(longlist, pd.DataFrame):
        raise TypeError(f"longlist must be a pandas DataFrame (got {type(longlist).__name__}).")
    missing = [c for c in LONGLIST_COLUMNS if c not in longlist.columns]
    if missing:
        raise ValueError(f"the long list has no column {missing}; it needs {list(LONGLIST_COLUMNS)}.")
    as_of = date.today() if as_of is None else as_of
    text = longlist[list(LONGLIST_COLUMNS)].astype("string").fillna("")
    gender = _coded(text["gender"], _GENDER, "gender", "M, F, male, female, OTHER or blank")
    sentence = _coded(
        text["sentence_type"], _SENTENCE, "sentence_type", "community or post-custody, or a sampler alias"
    )
    low = _coded(text["rosh"], _ROSH, "rosh", "LOW, MEDIUM, HIGH, VERY_HIGH or RLRH, RMRH, RHRH, RVRH")
    start = [_parse_date(t, r, "start_date") for r, t in text["start_date"].items()]
    redacted = (
        text["first_name"].str.contains("*", regex=False) | text["family_name"].str.contains("*", regex=False)
    ).to_numpy()
    later = np.array([d > as_of for d in start], dtype=bool)
    other = np.array([g == "OTHER" for g in gender], dtype=bool)
    n = len(text)
    blank_pnc = (text["pnc"].str.strip() == "").to_numpy()
    blank_name = (
        (text["first_name"].str.strip() == "")
        | (text["family_name"].str.strip() == "")
        | (text["dob"].str.strip() == "")
    ).to_numpy()
    # A blank identifier matches nothing: each gets a code of its own (negative, distinct per row).
    pnc = np.where(blank_pnc, -1 - np.arange(n), pd.factorize(text["pnc"])[0])
    names = np.where(
        blank_name,
        -1 - np.arange(n),
        pd.factorize(text["first_name"] + "\x1f" + text["family_name"] + "\x1f" + text["dob"])[0],
    )
    if blank_pnc.sum() > 1 or blank_name.sum() > 1:
        warnings.warn(
            f"the long list has {int(blank_pnc.sum())} row(s) with a blank PNC and {int(blank_name.sum())} with a "
            "blank first name, family name or date of birth (first rows: "
            f"{', '.join(str(r) for r in text.index[blank_pnc | blank_name][:5])}); a blank identifier is never "
            "treated as the same offender as another blank one (the published sampler would treat them as one "
            "offender and keep only the earliest case)",
            BlankIdentifierWarning,
            stacklevel=2,
        )
    earliest = _earliest_of_offender(pnc, names, np.array([d.toordinal() for d in start]))
    reason = np.select([redacted, later, other, ~earliest], ["redacted", "not started", "gender", "duplicate"], "")
    stratum = np.where(
        np.array(gender) == "F",
        "FEMALE",
        np.char.add(
            np.char.add("MALE_", np.where(np.array(sentence) == "COMMUNITY", "COMMUNITY", "POST_CUSTODY")),
            np.where(np.array(low), "_LOW", "_NON_LOW"),
        ),
    )
    out = longlist.copy()
    out["excluded"] = reason
    out["eligible"] = reason == ""
    out["stratum"] = np.where(out["eligible"], stratum, "")
    return out


@dataclass(frozen=True)
class SampleAllocation:
    """The allocation of a sample, every level and step recorded (the sampler's ``/analyse``).

    Attributes
    ----------
    size, buffer, max_per_officer
        The inputs.
    target : int
        ``size`` plus the buffer, ``size + round(size / 100 * buffer)``.
    strata : list of (str, Allocation)
        Stratum allocations, in order of first appearance on the eligible list.
    buckets : list of Bucket
        Officer buckets in drawing order.
    unplaced : int
        Cases cut by the officer cap that could not be placed in the same LDU.
    screened : pandas.DataFrame
        :func:`screen_longlist` output.

    See Also
    --------
    allocate_sample : Returns it.
    SampleDraw : The cases drawn with it.

    Examples
    --------
    >>> from stats.sampling import allocate_sample, synthetic_longlist
    >>> longlist = synthetic_longlist()
    >>> allocation = allocate_sample(longlist, 100, buffer=20)
    >>> allocation.target, allocation.allocated, allocation.shortfall
    (120, 120, 0)
    >>> allocation.strata[0]
    ('MALE_POST_CUSTODY_NON_LOW', Allocation(count=34, total=70, share=0.28, step='WITH_BUFFER',
    history=(('INITIAL', 28),)))
    """

    size: int
    buffer: float
    max_per_officer: int | None
    target: int
    strata: list
    buckets: list
    unplaced: int
    screened: pd.DataFrame = field(repr=False)

    @property
    def allocated(self) -> int:
        return sum(b.allocation.count for b in self.buckets)

    @property
    def shortfall(self) -> int:
        """Cases short of ``target`` (stratum capacity, rounding drops and the officer cap)."""
        return self.target - self.allocated

    def groups(self) -> pd.DataFrame:
        """One row per group (stratum, cluster, LDU, officer): cases, share, initial and final allocation, steps."""
        rows = []

        def add(level, stratum, cluster, ldu, officer, a):
            rows.append(
                {
                    "level": level,
                    "stratum": stratum,
                    "cluster": cluster,
                    "ldu": ldu,
                    "officer": officer,
                    "cases": a.total,
                    "share": a.share,
                    "initial": a.initial,
                    "allocated": a.count,
                    "steps": "; ".join(f"{s} {b}->{c}" for s, b, c in a.steps()),
                }
            )

        seen: set[tuple[object, ...]] = set()
        for stratum, a in self.strata:
            add("stratum", stratum, "", "", "", a)
            for b in (b for b in self.buckets if b.stratum == stratum):
                if (stratum, b.cluster) not in seen:
                    seen.add((stratum, b.cluster))
                    add("cluster", stratum, b.cluster, "", "", b.cluster_allocation)
                if (stratum, b.cluster, b.ldu) not in seen:
                    seen.add((stratum, b.cluster, b.ldu))
                    add("ldu", stratum, b.cluster, b.ldu, "", b.ldu_allocation)
                add("officer", stratum, b.cluster, b.ldu, b.officer, b.allocation)
        return pd.DataFrame(
            rows,
            columns=[
                "level",
                "stratum",
                "cluster",
                "ldu",
                "officer",
                "cases",
                "share",
                "initial",
                "allocated",
                "steps",
            ],
        )

    def steps(self) -> pd.DataFrame:
        """Every adjustment step: level, group, step kind, count before and after."""
        g = self.groups()
        rows = []
        for _, r in g[g["steps"] != ""].iterrows():
            for part in r["steps"].split("; "):
                kind, change = part.split(" ")
                before, after = (int(x) for x in change.split("->"))
                rows.append(
                    {
                        **{k: r[k] for k in ("level", "stratum", "cluster", "ldu", "officer")},
                        "step": kind,
                        "before": before,
                        "after": after,
                        "change": after - before,
                    }
                )
        return pd.DataFrame(
            rows, columns=["level", "stratum", "cluster", "ldu", "officer", "step", "before", "after", "change"]
        )

    def officer_totals(self) -> pd.DataFrame:
        """Cases per responsible officer over the whole sample (never above ``max_per_officer``)."""
        g = self.groups()
        g = g[g["level"] == "officer"]
        return g.groupby("officer", sort=True)[["cases", "allocated"]].sum().reset_index()


def allocate_sample(
    longlist: pd.DataFrame,
    size: int,
    *,
    buffer: float = 20.0,
    max_per_officer: int | None = 6,
    as_of: date | None = None,
) -> SampleAllocation:
    """The sampler's allocation of ``size`` cases (plus ``buffer`` percent) from a long list.

    See the module docstring for the rules and :func:`draw_sample` for the parameters. The
    allocation does not depend on the random generator.

    See Also
    --------
    draw_sample : The allocation and the draw.
    screen_longlist : The eligibility and strata used.
    stats.samplesize.sample_size : The size of sample a population needs.

    References
    ----------
    .. [1] HM Inspectorate of Probation, case sampler (Kotlin),
           https://github.com/ministryofjustice/probation-case-sampler, file ``SampleSizeCalculator.kt``.

    Examples
    --------
    >>> from stats.sampling import allocate_sample
    >>> from stats.cases import read_cases
    >>> longlist = read_cases("data/synthetic-longlist/longlist.csv")
    >>> a = allocate_sample(longlist, 100, buffer=20)
    >>> a.target, a.allocated + a.shortfall
    (120, 120)
    """
    return _allocate_and_draw(longlist, size, buffer, max_per_officer, as_of, KotlinRandom(0))[0]


def _allocate_and_draw(longlist, size, buffer, max_per_officer, as_of, rng):
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 0:
        raise ValueError(f"size ({size!r}) must be a whole number of cases, 0 or more.")
    if not isinstance(buffer, (int, float, np.number)) or isinstance(buffer, bool) or not 0 <= buffer < 1000:
        raise ValueError(f"buffer ({buffer!r}) must be a percentage from 0 (e.g. 20 for 20%).")
    from . import limits

    if size > limits.MAX_SAMPLE_SIZE:
        raise ValueError(
            f"size ({size!r}) must be at most {limits.MAX_SAMPLE_SIZE:,} cases (stats.limits.MAX_SAMPLE_SIZE: "
            "an inspection sample is a few hundred cases at most)."
        )
    if isinstance(longlist, pd.DataFrame) and len(longlist) > limits.MAX_CASE_ROWS:
        raise ValueError(
            f"the long list has {len(longlist):,} rows, more than the limit of {limits.MAX_CASE_ROWS:,} "
            "(stats.limits.MAX_CASE_ROWS)."
        )
    screened = screen_longlist(longlist, as_of)
    eligible = screened[screened["eligible"]]
    if size > 0 and eligible.empty:
        reasons = screened["excluded"].value_counts()
        raise ValueError(
            f"no case on the long list is eligible ({len(screened)} cases: "
            + ", ".join(f"{int(c)} {r}" for r, c in reasons.items())
            + "); nothing can be drawn."
        )
    for column in ("cluster", "ldu", "responsible_officer"):
        blank = eligible[column].isna() | (eligible[column].astype("string").str.strip() == "")
        if blank.any():
            rows = ", ".join(str(r) for r in eligible.index[blank.to_numpy()][:10])
            raise ValueError(
                f"column {column!r} is blank in {int(blank.sum())} eligible case(s) (rows {rows}"
                f"{' ...' if blank.sum() > 10 else ''}); every case needs its {column.replace('_', ' ')}: "
                "the allocation is nested by cluster, delivery unit and officer."
            )
    by_stratum = {k: eligible.iloc[v] for k, v in _groups(eligible["stratum"].tolist()).items()}
    sizes = proportional_allocation(int(size), {k: len(v) for k, v in by_stratum.items()}, float(buffer))
    buckets, drawn, unplaced = pick(sizes, by_stratum, rng, max_per_officer)
    allocation = SampleAllocation(
        int(size),
        float(buffer),
        max_per_officer,
        int(size) + _buffer(int(size), float(buffer)),
        sizes,
        buckets,
        unplaced,
        screened,
    )
    return allocation, drawn


@dataclass(frozen=True)
class SampleDraw:
    """A drawn sample: the allocation and the cases (``row`` numbered "001"... as the sampler's rows).

    See Also
    --------
    draw_sample : Returns it.
    SampleAllocation : The allocation it was drawn with.

    Examples
    --------
    >>> from stats.sampling import draw_sample, synthetic_longlist
    >>> longlist = synthetic_longlist()
    >>> draw = draw_sample(longlist, 100, seed=1)
    >>> draw.seed, len(draw.sample), draw.allocation.target
    (1, 120, 120)
    >>> draw.sample[["row", "stratum", "crn"]].head(2)
       row                    stratum      crn
    0  001  MALE_POST_CUSTODY_NON_LOW  X100215
    1  002  MALE_POST_CUSTODY_NON_LOW  X100249
    """

    allocation: SampleAllocation
    sample: pd.DataFrame
    seed: int

    def to_frame(self) -> pd.DataFrame:
        return self.sample


def draw_sample(
    longlist: pd.DataFrame,
    size: int,
    *,
    buffer: float = 20.0,
    seed: int = 1,
    max_per_officer: int | None = 6,
    as_of: date | None = None,
) -> SampleDraw:
    """Draw the sample as the published sampler would with ``Random(seed)``.

    Parameters
    ----------
    longlist : pandas.DataFrame
        The long list (:func:`screen_longlist`).
    size : int
        Cases wanted (before the buffer).
    buffer : float, default 20.0
        Replacement buffer in percent (the sampler's default, ``SampleController.kt``).
    seed : int, default 1
        Seed of Kotlin's ``Random``: the same seed gives the same cases as the sampler.
    max_per_officer : int or None, default 6
        The officer cap (None: no cap).
    as_of : datetime.date, optional
        Run date for "not yet started" (default today).

    Returns
    -------
    SampleDraw
        ``sample`` holds the drawn long-list rows with ``row`` ("001"...), ``stratum`` and
        ``stratum_population`` (eligible cases in the stratum, :math:`N_h` for the finite
        population correction of :mod:`stats.design`) in front.

    See Also
    --------
    allocate_sample : The allocation alone.
    KotlinRandom : The generator, equal to the sampler's for the same seed.

    References
    ----------
    .. [1] HM Inspectorate of Probation, case sampler (Kotlin),
           https://github.com/ministryofjustice/probation-case-sampler, file ``SamplePicker.kt``.

    Examples
    --------
    >>> from stats.sampling import draw_sample, synthetic_longlist
    >>> longlist = synthetic_longlist()
    >>> draw = draw_sample(longlist, 100, seed=1)
    >>> draw.sample["stratum"].value_counts().to_dict()
    {'MALE_COMMUNITY_NON_LOW': 47, 'MALE_POST_CUSTODY_NON_LOW': 34, 'FEMALE': 19, 'MALE_COMMUNITY_LOW': 12,
    'MALE_POST_CUSTODY_LOW': 8}
    """
    added = [c for c in ("row", "stratum", "stratum_population") if c in longlist.columns]
    if added:
        raise ValueError(
            f"the long list already has the column(s) {added} that a drawn sample adds: is it a sample "
            "rather than the long list? Draw from the long list itself."
        )
    allocation, drawn = _allocate_and_draw(longlist, size, buffer, max_per_officer, as_of, KotlinRandom(seed))
    screened = allocation.screened
    population = screened.loc[screened["eligible"], "stratum"].value_counts()
    sample = longlist.loc[drawn].copy()
    sample.insert(0, "stratum_population", screened.loc[drawn, "stratum"].map(population).astype(int).to_numpy())
    sample.insert(0, "stratum", screened.loc[drawn, "stratum"].to_numpy())
    sample.insert(0, "row", [f"{i:03d}" for i in range(1, len(drawn) + 1)])
    return SampleDraw(allocation, sample.reset_index(drop=True), int(seed))


def synthetic_longlist(name: str = "longlist") -> pd.DataFrame:
    """The bundled SYNTHETIC long list (``"longlist"``) or its answers (``"answers-current"``, ``"answers-previous"``).

    No real person, officer or case is described (``data/synthetic-longlist/README.md``). Read as
    text, rows numbered from 1, as :func:`stats.cases.read_cases` reads a file.

    See Also
    --------
    screen_longlist : Screens the long list.
    draw_sample : Draws a sample from it.

    Examples
    --------
    >>> from stats.sampling import synthetic_longlist
    >>> longlist = synthetic_longlist()
    >>> longlist.shape
    (266, 13)
    >>> longlist.loc[1, ["crn", "gender", "sentence_type", "rosh"]].tolist()
    ['X100203', 'M', 'Adult Licence', 'MEDIUM']
    """
    from .cases import read_cases
    from .reports import data_roots

    choices = ("longlist", "answers-current", "answers-previous")
    if name not in choices:
        raise ValueError(f"name ({name!r}) must be one of {', '.join(map(repr, choices))}.")
    for root in data_roots():
        path = root / "synthetic-longlist" / f"{name}.csv"
        if path.exists():
            return read_cases(path)
    raise OSError("the synthetic long list is not installed (data/synthetic-longlist/ in the repository).")
