"""Inspection frameworks as data: domains, standards, key questions, bands and points.

A framework is one TOML file (the bundled ones are in ``stats/frameworks/``):
which standards exist, how each is rated (from case data or by inspector
judgement), its key questions (and which are qualitative only), the samples
they use, the key-question and overall band limits and the points per rating.
The ratings engine (:mod:`stats.ratings`), the report schema
(:mod:`stats.schema`), the Annexe parser (:mod:`stats.annexe`) and the main job
read these rules from a :class:`Framework`; nothing about a particular
framework is written in code.

File layout (every key is checked; an unknown key is an error, so a typo is
never silently ignored)::

    name = "youth-2018"                  # lower case, digits and hyphens
    title = "..."
    sources = ["..."]                    # optional: where the rules come from
    ratings = ["Inadequate", "Requires improvement", "Good", "Outstanding"]   # lowest first
    points = [0, 1, 2, 3]                # points of each rating, increasing
    key_question_bands = [50, 65, 80]    # percent: lower limit of ratings 2, 3, 4
    overall_bands = [7, 19, 31]          # points: lower limit of ratings 2, 3, 4 on the total
    discretion_points = 5                # optional (default 5)
    default_sample = "court disposals"   # optional: sample of a prompt when nothing else names one
    [prompt_samples]                     # optional: prompt text prefix -> sample
    "Post-custody cases only" = "post-release"
    [[domains]]
    id = 1
    name = "Organisational delivery"
    [[standards]]
    id = "2.1"                           # "N.N"
    name = "Assessment"
    domain = 2                           # a domain id
    basis = "case data"                  # or "inspector judgement", "case data and qualitative evidence"
    scored = true                        # optional (default true): counts towards the total
    sample = "court disposals"           # optional: overrides default_sample
    key_questions = [{ id = "2.1.1", text = "...", qualitative = false, sample = "..." }]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from . import limits

if TYPE_CHECKING:
    from .io import StrPath

__all__ = [
    "Framework",
    "Standard",
    "KeyQuestion",
    "Domain",
    "FrameworkError",
    "load_framework",
    "available_frameworks",
    "DEFAULT_FRAMEWORK",
    "BASES",
]

DEFAULT_FRAMEWORK = "adult-2018"
#: How a standard is rated: by inspectors' judgement (its published rating is the input), from the
#: key-question percentages of case data, or from case data with a qualitative key question that may
#: move the indicative rating one band.
BASES = ("inspector judgement", "case data", "case data and qualitative evidence")

_FRAMEWORK_DIR = Path(__file__).resolve().parent / "frameworks"
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_STANDARD_ID = re.compile(r"^\d+\.\d+$")


class FrameworkError(ValueError):
    """A framework file is malformed; ``problems`` lists every one as "file: key: rule (got value)".

    See Also
    --------
    load_framework : Raises it, listing every problem of the file at once.

    Examples
    --------
    >>> import pathlib, shutil, tempfile
    >>> from stats.framework import FrameworkError, load_framework
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "mine.toml").write_text('name = "mine"\\nratings = ["Bad"]\\n')
    >>> try:
    ...     load_framework(folder / "mine.toml")
    ... except FrameworkError as err:
    ...     print(err.problems[:2])
    ('title: is required (missing)', "ratings: must hold two or more distinct non-empty names (got ['Bad'])")
    >>> shutil.rmtree(folder)
    """

    def __init__(self, path: StrPath, problems: list[str]) -> None:
        self.path = str(path)
        self.problems = tuple(problems)
        listed = "\n".join(f"  {self.path}: {p}" for p in problems)
        super().__init__(f"framework {self.path} has {len(problems)} problem(s):\n{listed}")


@dataclass(frozen=True)
class Domain:
    """A domain of the framework: ``id`` (int) and ``name``.

    See Also
    --------
    Framework : Holds the domains, as ``framework.domains``.
    Standard : Names its domain by ``id``.

    Examples
    --------
    >>> from stats.framework import load_framework
    >>> framework = load_framework()
    >>> framework.domains[0]
    Domain(id=1, name='Organisational delivery')
    """

    id: int
    name: str


@dataclass(frozen=True)
class KeyQuestion:
    """A key question: ``id`` ("2.1.3"), ``text``, ``qualitative`` (no percentage) and ``sample``.

    See Also
    --------
    Standard : Holds its key questions.
    Framework.sample_of : The sample a key question's percentages are of.

    Examples
    --------
    >>> from stats.framework import load_framework
    >>> framework = load_framework()
    >>> framework.standard("2.1").key_questions[2]
    KeyQuestion(id='2.1.3', text='Does assessment focus sufficiently on keeping other people safe?', qualitative=False,
    sample='harm')
    """

    id: str
    text: str
    qualitative: bool
    sample: str | None


@dataclass(frozen=True)
class Standard:
    """A standard: its ``domain``, rating ``basis``, whether it is ``scored``, its ``key_questions``.

    See Also
    --------
    Framework.standard : Looks a standard up by its id.
    KeyQuestion : The questions that rate a standard from case data.
    stats.ratings.rate_standard : Rates a standard from its key-question percentages.

    Examples
    --------
    >>> from stats.framework import load_framework
    >>> framework = load_framework()
    >>> standard = framework.standard("2.1")
    >>> standard.name, standard.domain, standard.basis, standard.scored
    ('Assessment', 2, 'case data', True)
    >>> [k.id for k in standard.key_questions]
    ['2.1.1', '2.1.2', '2.1.3']
    """

    id: str
    name: str
    domain: int
    basis: str
    scored: bool
    sample: str | None
    key_questions: tuple[KeyQuestion, ...]

    @property
    def judgement(self) -> bool:
        """True when inspectors rate it by judgement (no key-question percentages)."""
        return self.basis == "inspector judgement"

    @property
    def rated_key_questions(self) -> tuple[str, ...]:
        """Ids of the key questions whose percentages rate the standard (the non-qualitative ones)."""
        return tuple(k.id for k in self.key_questions if not k.qualitative)

    @property
    def adjustable(self) -> bool:
        """True when a qualitative key question may move the indicative rating one band."""
        return any(k.qualitative for k in self.key_questions)


@dataclass(frozen=True)
class Framework:
    """The rules of one inspection framework, read from a TOML file by :func:`load_framework`.

    Attributes
    ----------
    name, title : str
        Identifier (``"adult-2018"``) and description.
    ratings : tuple of str
        Ratings from lowest to highest.
    points : tuple of int
        Points each rating earns towards the total.
    key_question_bands : tuple of float
        Lower limits (percent) of the second and higher ratings at key-question level.
    overall_bands : tuple of int
        Lower limits (points) of the second and higher overall ratings.
    discretion_points : float
        Distance (percentage points) from a boundary within which discretion may be considered.
    domains, standards : tuple
        :class:`Domain` and :class:`Standard` objects in file order.
    default_sample : str or None
        Sample of a prompt whose standard and key question name none.
    prompt_samples : tuple of (str, str)
        Prompt text prefixes and the sample they select.
    sources : tuple of str
    path : str
        File it was read from.

    See Also
    --------
    load_framework : Reads a framework from its TOML file.
    stats.ratings.rate_report : Applies a framework's bands and points to a report.
    stats.schema.validate_report : Checks a report folder against its framework.

    Examples
    --------
    >>> from stats.framework import load_framework
    >>> youth = load_framework("youth-2018")
    >>> len(youth.scored_standards), youth.maximum, youth.overall_rating(19)
    (12, 36, 'Good')
    """

    name: str
    title: str
    ratings: tuple[str, ...]
    points: tuple[int, ...]
    key_question_bands: tuple[float, ...]
    overall_bands: tuple[int, ...]
    discretion_points: float
    domains: tuple[Domain, ...]
    standards: tuple[Standard, ...]
    default_sample: str | None
    prompt_samples: tuple[tuple[str, str], ...]
    sources: tuple[str, ...]
    path: str

    # -- look-ups -------------------------------------------------------------------------------
    @property
    def scored_standards(self) -> tuple[Standard, ...]:
        return tuple(s for s in self.standards if s.scored)

    @property
    def maximum(self) -> int:
        """Highest possible total: the top rating's points times the number of scored standards."""
        return self.points[-1] * len(self.scored_standards)

    def standard(self, standard_id: str) -> Standard:
        """The :class:`Standard` with this id; a ValueError names the framework's ids otherwise."""
        for s in self.standards:
            if s.id == standard_id:
                return s
        raise ValueError(
            f"standard {standard_id!r} is not in framework {self.name!r} "
            f"(its standards: {', '.join(s.id for s in self.standards)})."
        )

    @property
    def key_questions(self) -> dict[str, KeyQuestion]:
        """Every key question by id."""
        return {k.id: k for s in self.standards for k in s.key_questions}

    @property
    def qualitative_key_questions(self) -> tuple[str, ...]:
        return tuple(k.id for s in self.standards for k in s.key_questions if k.qualitative)

    def sample_of(self, standard_id: str, key_question_id: str | None = None) -> str | None:
        """Sample a key question (or its standard) uses: its own, else its standard's, else the default."""
        std = self.standard(standard_id)
        kq = self.key_questions.get(key_question_id) if key_question_id else None
        return (kq.sample if kq and kq.sample else None) or std.sample or self.default_sample

    # -- rules ----------------------------------------------------------------------------------
    def score(self, rating: str) -> int:
        """Points of a rating."""
        given: object = rating  # checked as any object a caller may pass
        if not isinstance(given, str) or given not in self.ratings:
            raise ValueError(f"rating ({rating!r}) must be one of {', '.join(map(repr, self.ratings))}.")
        return self.points[self.ratings.index(rating)]

    def band(self, percent: ArrayLike) -> Any:
        """Rating of key-question percentages (array_like, 0-100): the band whose lower limit they reach."""
        idx = np.searchsorted(
            np.asarray(self.key_question_bands, dtype=float), np.asarray(percent, dtype=float), side="right"
        )
        out = np.asarray(self.ratings, dtype=object)[idx]
        return str(out) if np.ndim(out) == 0 else out

    def overall_rating(self, total: ArrayLike) -> Any:
        """Overall rating of total scores (array_like, 0 to :attr:`maximum`)."""
        idx = np.searchsorted(np.asarray(self.overall_bands, dtype=float), np.asarray(total, dtype=float), side="right")
        out = np.asarray(self.ratings, dtype=object)[idx]
        return str(out) if np.ndim(out) == 0 else out

    def overall_limits(self) -> list[tuple[int, int, str]]:
        """``(low, high, rating)`` of each overall band, e.g. ``(16, 25, 'Good')``."""
        lows = (0, *self.overall_bands)
        highs = (*(b - 1 for b in self.overall_bands), self.maximum)
        return list(zip(lows, highs, self.ratings, strict=False))

    def describe(self) -> str:
        """One line: name, standards, total and bands."""
        bands = ", ".join(f"{lo}-{hi} {r}" for lo, hi, r in self.overall_limits())
        return (
            f"{self.name}: {len(self.scored_standards)} scored standards in {len(self.domains)} domains, "
            f"total 0-{self.maximum} ({bands})"
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per standard and key question (standards without key questions get one row)."""
        domains = {d.id: d.name for d in self.domains}
        rows: list[dict[str, Any]] = []
        for s in self.standards:
            base = {
                "domain": s.domain,
                "domain_name": domains[s.domain],
                "standard": s.id,
                "standard_name": s.name,
                "basis": s.basis,
                "scored": s.scored,
            }
            rows.extend(
                {
                    **base,
                    "key_question": k.id if k else None,
                    "key_question_text": k.text if k else None,
                    "qualitative": k.qualitative if k else None,
                    "sample": self.sample_of(s.id, k.id if k else None),
                }
                for k in s.key_questions or (None,)
            )
        return pd.DataFrame(rows)


# -- reading and checking a file ---------------------------------------------------------------

_TOP_KEYS = {
    "name",
    "title",
    "sources",
    "ratings",
    "points",
    "key_question_bands",
    "overall_bands",
    "discretion_points",
    "default_sample",
    "prompt_samples",
    "domains",
    "standards",
}
_STANDARD_KEYS = {"id", "name", "domain", "basis", "scored", "sample", "key_questions"}
_KQ_KEYS = {"id", "text", "qualitative", "sample"}
#: Largest points a rating may earn (the published frameworks give 0 to 3).
_MAX_POINTS = 1000


#: What every ``framework=`` parameter accepts: a bundled name, the path of a TOML file, a loaded
#: framework, or None for the default.
FrameworkLike: TypeAlias = "StrPath | Framework | None"


class _Checker:
    def __init__(self):
        self.problems: list[str] = []

    def fail(self, key: str, rule: str, value: object) -> None:
        self.problems.append(f"{key}: {rule} (got {value!r})")

    def typed(
        self,
        table: dict[str, Any],
        key: str,
        where: str,
        kind: type | tuple[type, ...],
        rule: str,
        *,
        required: bool = True,
        default: Any = None,
    ) -> Any:
        if key not in table:
            if required:
                self.problems.append(f"{where}{key}: is required (missing)")
            return default
        value = table[key]
        ok = isinstance(value, kind) and not (kind in (int, (int, float)) and isinstance(value, bool))
        if not ok:
            self.fail(f"{where}{key}", rule, value)
            return default
        return value

    def unknown(self, table: dict, allowed: set, where: str) -> None:
        for key in table:
            if key not in allowed:
                self.fail(f"{where}{key}", f"is not a known key (known: {', '.join(sorted(allowed))})", table[key])


def _check_counts(data: dict, path: str) -> None:
    """Refuse a framework larger than :mod:`stats.limits` allows, before any of it is checked."""
    problems = []
    for key, limit, name in (
        ("standards", limits.MAX_STANDARDS, "MAX_STANDARDS"),
        ("domains", limits.MAX_DOMAINS, "MAX_DOMAINS"),
        ("ratings", limits.MAX_RATINGS, "MAX_RATINGS"),
        ("points", limits.MAX_RATINGS, "MAX_RATINGS"),
    ):
        value = data.get(key)
        if isinstance(value, list) and len(value) > limit:
            problems.append(
                f"{key}: has {len(value):,} entries, more than the limit of {limit:,} (stats.limits.{name})"
            )
    standards = data.get("standards")
    if isinstance(standards, list):
        kqs = sum(
            len(s["key_questions"])
            for s in standards
            if isinstance(s, dict) and isinstance(s.get("key_questions"), list)
        )
        if kqs > limits.MAX_KEY_QUESTIONS:
            problems.append(
                f"standards: key_questions: has {kqs:,} key questions in all, more than the limit of "
                f"{limits.MAX_KEY_QUESTIONS:,} (stats.limits.MAX_KEY_QUESTIONS)"
            )
    if problems:
        raise FrameworkError(path, problems)


def _increasing(values: list[Any]) -> bool:
    return all(a < b for a, b in pairwise(values))


def _parse(data: dict, path: str) -> Framework:
    c = _Checker()
    c.unknown(data, _TOP_KEYS, "")
    name = c.typed(data, "name", "", str, "must be a string")
    if name is not None and not _NAME.match(name):
        c.fail("name", "must be lower case letters, digits and hyphens", name)
    title = c.typed(data, "title", "", str, "must be a string", default="")
    sources = c.typed(data, "sources", "", list, "must be a list of strings", required=False, default=[])
    ratings = c.typed(data, "ratings", "", list, "must be a list of rating names, lowest first", default=[])
    if ratings and (
        len(ratings) < 2 or not all(isinstance(r, str) and r for r in ratings) or len(set(ratings)) != len(ratings)
    ):
        c.fail("ratings", "must hold two or more distinct non-empty names", ratings)
        ratings = []
    points = c.typed(data, "points", "", list, "must be a list of whole numbers", default=[])
    if points and (
        not all(isinstance(p, int) and not isinstance(p, bool) and 0 <= p <= _MAX_POINTS for p in points)
        or not _increasing(points)
    ):
        c.fail("points", f"must be whole numbers from 0 to {_MAX_POINTS}, increasing", points)
        points = []
    if ratings and points and len(points) != len(ratings):
        c.fail("points", f"must give one number per rating ({len(ratings)})", points)
    kq_bands = c.typed(data, "key_question_bands", "", list, "must be a list of percentages", default=[])
    if kq_bands and (
        not all(isinstance(b, (int, float)) and not isinstance(b, bool) and 0 < b <= 100 for b in kq_bands)
        or not _increasing(kq_bands)
    ):
        c.fail("key_question_bands", "must be increasing percentages above 0 and at most 100", kq_bands)
    if ratings and len(kq_bands) != len(ratings) - 1:
        c.fail(
            "key_question_bands",
            f"must give the lower limit of each rating above the lowest ({len(ratings) - 1})",
            kq_bands,
        )
    overall_bands = c.typed(data, "overall_bands", "", list, "must be a list of whole numbers", default=[])
    if overall_bands and (
        not all(
            isinstance(b, int) and not isinstance(b, bool) and 0 < b <= _MAX_POINTS * limits.MAX_STANDARDS
            for b in overall_bands
        )
        or not _increasing(overall_bands)
    ):
        c.fail("overall_bands", "must be increasing whole numbers above 0", overall_bands)
    if ratings and len(overall_bands) != len(ratings) - 1:
        c.fail(
            "overall_bands",
            f"must give the lower limit of each rating above the lowest ({len(ratings) - 1})",
            overall_bands,
        )
    discretion = c.typed(
        data, "discretion_points", "", (int, float), "must be a number of percentage points", required=False, default=5
    )
    if isinstance(discretion, (int, float)) and not 0 <= discretion <= 100:  # also nan and inf
        c.fail("discretion_points", "must be a number of percentage points from 0 to 100", discretion)
    default_sample = c.typed(data, "default_sample", "", str, "must be a sample name", required=False)
    prompt_samples = c.typed(
        data, "prompt_samples", "", dict, "must be a table of prefix = sample", required=False, default={}
    )
    for prefix, sample in prompt_samples.items():
        if not isinstance(sample, str):
            c.fail(f"prompt_samples.{prefix!r}", "must be a sample name", sample)

    _check_counts(data, path)
    domains = []
    seen_domains: set = set()
    for i, d in enumerate(c.typed(data, "domains", "", list, "must be an array of tables ([[domains]])", default=[])):
        where = f"domains[{i}]."
        if not isinstance(d, dict):
            c.fail(f"domains[{i}]", "must be a table", d)
            continue
        c.unknown(d, {"id", "name"}, where)
        did = c.typed(d, "id", where, int, "must be a whole number")
        dname = c.typed(d, "name", where, str, "must be a string", default="")
        if did is not None:
            if did in seen_domains:
                c.fail(f"{where}id", "must be unique", did)
            seen_domains.add(did)
            domains.append(Domain(did, dname))
    domain_ids = {d.id for d in domains}

    standards = []
    seen_kq: set = set()
    seen_standards: set = set()
    for i, s in enumerate(
        c.typed(data, "standards", "", list, "must be an array of tables ([[standards]])", default=[])
    ):
        where = f"standards[{i}]."
        if not isinstance(s, dict):
            c.fail(f"standards[{i}]", "must be a table", s)
            continue
        c.unknown(s, _STANDARD_KEYS, where)
        sid = c.typed(s, "id", where, str, 'must be a string such as "2.1"')
        if sid is not None and not _STANDARD_ID.match(sid):
            c.fail(f"{where}id", 'must look like "2.1" (digits, a dot, digits)', sid)
        if sid is not None and sid in seen_standards:
            c.fail(f"{where}id", "must be unique", sid)
        if isinstance(sid, str):
            seen_standards.add(sid)
        sname = c.typed(s, "name", where, str, "must be a string", default="")
        domain = c.typed(s, "domain", where, int, "must be a domain id (whole number)")
        if domain is not None and domain not in domain_ids:
            c.fail(f"{where}domain", f"must be one of the domain ids {sorted(domain_ids)}", domain)
        basis = c.typed(s, "basis", where, str, "must be a string")
        if basis is not None and basis not in BASES:
            c.fail(f"{where}basis", f"must be one of {', '.join(map(repr, BASES))}", basis)
        scored = c.typed(s, "scored", where, bool, "must be true or false", required=False, default=True)
        sample = c.typed(s, "sample", where, str, "must be a sample name", required=False)
        kqs = []
        for j, k in enumerate(
            c.typed(s, "key_questions", where, list, "must be a list of tables", required=False, default=[])
        ):
            kwhere = f"{where}key_questions[{j}]."
            if not isinstance(k, dict):
                c.fail(f"{where}key_questions[{j}]", "must be a table", k)
                continue
            c.unknown(k, _KQ_KEYS, kwhere)
            kid = c.typed(k, "id", kwhere, str, 'must be a string such as "2.1.1"')
            if kid is not None and sid is not None and not re.fullmatch(re.escape(sid) + r"\.\d+", kid):
                c.fail(f"{kwhere}id", f'must be the standard id, a dot and a number ("{sid}.1")', kid)
            if kid is not None and kid in seen_kq:
                c.fail(f"{kwhere}id", "must be unique", kid)
            seen_kq.add(kid)
            text = c.typed(k, "text", kwhere, str, "must be a string", default="")
            qualitative = c.typed(
                k, "qualitative", kwhere, bool, "must be true or false", required=False, default=False
            )
            ksample = c.typed(k, "sample", kwhere, str, "must be a sample name", required=False)
            if kid is not None:
                kqs.append(KeyQuestion(kid, text, qualitative, ksample))
        if basis in BASES and basis != "inspector judgement" and not any(not k.qualitative for k in kqs):
            c.fail(
                f"{where}key_questions",
                f"must list at least one non-qualitative key question for basis {basis!r}",
                [k.id for k in kqs],
            )
        if basis == "case data" and any(k.qualitative for k in kqs):
            c.fail(
                f"{where}basis",
                "must be 'case data and qualitative evidence' when a key question is qualitative",
                basis,
            )
        if sid is not None:
            standards.append(
                Standard(sid, sname, domain if domain is not None else -1, basis or "", scored, sample, tuple(kqs))
            )
    if not standards and "standards" in data:
        c.fail("standards", "must hold at least one standard", data["standards"])
    n_scored = sum(s.scored for s in standards)
    if (
        overall_bands
        and points
        and n_scored
        and all(isinstance(b, int) for b in overall_bands)
        and overall_bands[-1] > points[-1] * n_scored
    ):
        c.fail(
            "overall_bands",
            f"must not exceed the maximum total {points[-1] * n_scored} "
            f"({n_scored} scored standards x {points[-1]} points)",
            overall_bands,
        )
    if c.problems:
        raise FrameworkError(path, c.problems)
    return Framework(
        name=name,
        title=title,
        ratings=tuple(ratings),
        points=tuple(points),
        key_question_bands=tuple(float(b) for b in kq_bands),
        overall_bands=tuple(overall_bands),
        discretion_points=float(discretion),
        domains=tuple(domains),
        standards=tuple(standards),
        default_sample=default_sample,
        prompt_samples=tuple(prompt_samples.items()),
        sources=tuple(str(s) for s in sources),
        path=path,
    )


def available_frameworks() -> list[str]:
    """Names of the bundled frameworks, for :func:`load_framework`.

    See Also
    --------
    load_framework : Loads one of them by name.

    Examples
    --------
    >>> from stats.framework import available_frameworks
    >>> available_frameworks()
    ['adult-2018', 'youth-2018']
    """
    return sorted(p.stem for p in _FRAMEWORK_DIR.glob("*.toml"))


@lru_cache(maxsize=32)
def _load_file(path: str, mtime: float, size: int) -> Framework:
    from .io import read_toml

    try:
        data = read_toml(path, max_bytes=limits.MAX_TOML_BYTES)
    except ValueError as err:
        raise FrameworkError(path, [str(err).replace(f"{path!r} ", "", 1)]) from None
    except OSError as err:
        raise OSError(f"cannot read framework {path!r}: {err}") from None
    return _parse(data, path)


def load_framework(
    framework: FrameworkLike = None, *, base: StrPath | None = None, folder: StrPath | None = None
) -> Framework:
    """Load a framework: a bundled name, the path of a TOML file, or a :class:`Framework` (returned as is).

    Parameters
    ----------
    framework : str, path or Framework, optional
        ``"adult-2018"`` (default) or ``"youth-2018"`` (see :func:`available_frameworks`), or a
        path to a ``.toml`` file written as in the module docstring.
    base : path, optional
        Folder a relative path is resolved against (a report folder naming its framework file).
    folder : path, optional
        A report folder that named this framework: a path must then be a regular file inside
        ``folder`` (not a symbolic link, not ``../elsewhere``); it is refused before it is read.
        Bundled names are always allowed. A framework the user names (``--framework``) has no
        such restriction.

    Raises
    ------
    FrameworkError
        Listing every problem of the file at once, each naming the key, the rule and the value.
    OSError
        The file cannot be read.

    See Also
    --------
    available_frameworks : The bundled names.
    Framework : What is returned.
    stats.io.read_toml : The reader of the file.

    Examples
    --------
    >>> from stats.framework import load_framework
    >>> load_framework().describe()
    'adult-2018: 10 scored standards in 3 domains, total 0-30 (0-5 Inadequate, 6-15 Requires improvement, ...
    26-30 Outstanding)'
    """
    if isinstance(framework, Framework):
        return framework
    if framework is None:
        framework = DEFAULT_FRAMEWORK
    if not isinstance(framework, (str, Path)):
        raise TypeError(
            f"framework must be a framework name, a path to a .toml file or a Framework "
            f"(got {type(framework).__name__})."
        )
    text = str(framework)
    if isinstance(framework, str) and _NAME.match(text):
        path = _FRAMEWORK_DIR / f"{text}.toml"
        if not path.is_file():
            raise ValueError(
                f"framework ({text!r}) must be one of the bundled frameworks {available_frameworks()} "
                "or the path of a .toml file."
            )
    else:
        path = Path(framework)
        if base is not None and not path.is_absolute():
            path = Path(base) / path
        if folder is not None:
            from .io import open_input

            open_input(path, folder=folder, max_bytes=limits.MAX_TOML_BYTES).close()  # refused before reading
    try:
        st = path.stat()
    except OSError:
        raise OSError(f"cannot read framework {str(path)!r}: no such file") from None
    return _load_file(str(path), st.st_mtime, st.st_size)
