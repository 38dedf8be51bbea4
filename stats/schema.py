"""Schema of a report folder: every CSV checked against its columns, types, ranges, ids and references.

A report folder holds ``report.toml`` (which framework the report uses, and
whether its data are real or CONSTRUCTED) and five CSV files: ``prompts.csv``,
``key_questions.csv``, ``standards.csv``, ``overall.csv`` and ``samples.csv``.
:func:`validate_report` checks them all and returns every violation at once, one
row each: ``file``, ``row`` (numbered from 1 after the header; blank for a
file- or column-level problem), ``column``, ``value`` (as written in the file)
and ``rule``. :func:`read_report` returns the typed tables or raises
:class:`ReportValidationError` listing the violations.

The column rules are pandera checks (``pandera.pandas.DataFrameSchema``, run
with ``lazy=True`` so that every failure is collected, not only the first);
rules that depend on the framework (ids, names, domains, bases) or on another
table (a prompt's key question, a row's sample and its n) are built into the
schema from those. Rules about rows that must exist (every standard of the
framework, every rated key question, a "current" overall row) are checked after
the pandera pass, since no row exists for pandera to fail. :data:`COLUMNS`
documents every column (the ``new-report`` templates and README are written
from it).

Every file is read through :mod:`stats.io` (the rules of ``label``: UTF-8 or
UTF-16/32 with a byte-order mark, comma, semicolon or tab, shape checked), as
a regular file inside the folder (a symbolic link, a FIFO or a device, and a
framework path that leads outside the folder, are refused before a byte is
read), within :mod:`stats.limits` (file size, rows, columns, line length, n).
Figures are read as published, as ``label`` reads them: ``71%``, ``71`` and
"No comparable data available" (blank). A column name that is not in
:data:`COLUMNS` is a violation (a misspelt column is never ignored, and a header
such as ``=HYPERLINK(...)`` never travels on to a workbook).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, cast

import pandas as pd

from . import io as sio
from . import limits
from .framework import Framework, FrameworkError, FrameworkLike, load_framework
from .io import StrPath

__all__ = [
    "validate_report",
    "read_report",
    "ReportValidationError",
    "COLUMNS",
    "TABLES",
    "VIOLATION_COLUMNS",
    "KNOWN_COLUMNS",
    "PERCENT_COLUMNS",
    "COUNT_COLUMNS",
    "REPORT_FILES",
    "report_files",
    "write_templates",
]

TABLES = ("prompts", "key_questions", "standards", "overall", "samples")
#: Every file of a report folder that is read, in reading order.
REPORT_FILES = ("report.toml", *(f"{t}.csv" for t in TABLES))
VIOLATION_COLUMNS = ("file", "row", "column", "value", "rule")

#: Every column of every table: (name, required, meaning). Optional columns may be left out.
COLUMNS: dict[str, list[tuple[str, bool, str]]] = {
    "prompts": [
        ("standard", True, "standard id of the framework, rated from case data, e.g. 2.1"),
        ("standard_name", True, "the framework's name of that standard"),
        ("key_question", True, "key question id, the standard id and a number, e.g. 2.1.1; a row of key_questions.csv"),
        ("key_question_text", True, "key question as published"),
        ("prompt_id", True, "unique id: the key question id, a dot and a letter, e.g. 2.1.1.a"),
        ("prompt", True, "prompt text as published"),
        ("previous", True, "percent 0-100 at the previous inspection; blank for 'No comparable data available'"),
        ("current", True, "percent 0-100 at this inspection; never blank (every prompt has a current figure)"),
        ("n_previous", True, "cases behind the previous percentage (whole number from 1; blank if unknown)"),
        (
            "n_current",
            True,
            "cases behind the current percentage (whole number from 1, at most the n of its sample; blank if unknown)",
        ),
        ("sample", True, "the sample of the row: a sample name of samples.csv"),
        ("n_source", False, "where n_current comes from: stated, assumed, counted or unknown"),
        ("n_previous_source", False, "where n_previous comes from: stated, assumed, counted or unknown"),
        ("note", False, "free text: footnotes, assumptions"),
    ],
    "key_questions": [
        ("standard", True, "standard id of the framework, rated from case data"),
        ("standard_name", False, "the framework's name of that standard"),
        ("key_question", True, "key question id of the framework (not a qualitative one), unique"),
        ("key_question_text", True, "key question as published"),
        ("previous", True, "percent 0-100 at the previous inspection; blank for none"),
        ("current", True, "percent 0-100 at this inspection; never blank"),
        ("all_crcs", False, "comparison percent 0-100 published beside it (e.g. the all-CRC average); blank for none"),
        ("n_previous", True, "cases behind the previous percentage (blank if unknown)"),
        ("n_current", True, "cases behind the current percentage (at most the n of its sample; blank if unknown)"),
        ("sample", True, "a sample name of samples.csv"),
        ("n_source", False, "stated, assumed, counted or unknown"),
        ("n_previous_source", False, "stated, assumed, counted or unknown"),
        ("note", False, "free text"),
    ],
    "standards": [
        ("standard", True, "standard id; one row for every standard of the framework"),
        ("standard_name", True, "the framework's name of that standard"),
        ("domain", True, "the framework's domain id of that standard"),
        ("previous_rating", True, "rating at the previous inspection (one of the framework's ratings; blank for none)"),
        ("current_rating", True, "published rating at this inspection (one of the framework's ratings)"),
        (
            "basis",
            False,
            "the framework's basis: inspector judgement, case data, or case data and qualitative evidence",
        ),
        ("discretion_rating", False, "rating after professional discretion, where the panel used it; else blank"),
        (
            "qualitative_adjustment",
            False,
            "-1, 0 or 1 band from qualitative evidence; only for standards with a qualitative key question; else blank",
        ),
        ("note", False, "free text"),
    ],
    "overall": [
        ("inspection", True, "previous or current (one row each; current is required)"),
        ("score", True, "published total, whole number from 0 to the framework maximum (blank if not published)"),
        ("rating", True, "published overall rating (one of the framework's ratings)"),
        ("source", False, "where the report states it"),
    ],
    "samples": [
        ("sample", True, "sample name, unique"),
        ("n", True, "cases in the sample, whole number from 1"),
        ("parent", False, "the sample this one is a sub-sample of (a sample name; blank for none)"),
        ("applies_to", False, "which tables use it, in words"),
        ("sized_for_margin", False, "yes if the report says it was sized for the margin of error, else no"),
        ("source", False, "the sentence of the report that states it"),
        (
            "rounding",
            False,
            "how the report rounds its percentages: half-up (default) or half-even; one rule per report",
        ),
    ],
}

#: The columns of each table by name (from :data:`COLUMNS`); any other column is a violation.
KNOWN_COLUMNS: dict[str, frozenset] = {t: frozenset(c for c, _, _ in cols) for t, cols in COLUMNS.items()}
#: Columns that hold published percentages: read as ``label`` reads them ("71%", "No comparable data available").
PERCENT_COLUMNS = ("previous", "current", "all_crcs")
#: Columns that hold numbers of cases (at most :data:`stats.limits.MAX_REPORT_N`).
COUNT_COLUMNS = ("n", "n_previous", "n_current")

_METADATA_KEYS = {"name": str, "title": str, "framework": str, "constructed": bool, "source": str}
_N_SOURCES = ("stated", "assumed", "counted", "unknown")


class ReportValidationError(ValueError):
    """A report folder breaks its schema; ``violations`` is a DataFrame (file, row, column, value, rule).

    See Also
    --------
    read_report : Raises it.
    validate_report : The same violations as a table, without raising.

    Examples
    --------
    >>> import pathlib, shutil, tempfile
    >>> from stats.schema import ReportValidationError, read_report, write_templates
    >>> folder = pathlib.Path(tempfile.mkdtemp()) / "my-report"
    >>> _ = write_templates(folder, "adult-2018")
    >>> try:
    ...     read_report(folder)
    ... except ReportValidationError as err:
    ...     print(len(err.violations), list(err.violations.columns))
    29 ['file', 'row', 'column', 'value', 'rule']
    >>> shutil.rmtree(folder.parent)
    """

    def __init__(self, folder: StrPath, violations: pd.DataFrame) -> None:
        self.folder = str(folder)
        self.violations = violations
        lines = [f"  {_describe(r)}" for r in violations.itertuples(index=False)]
        super().__init__(
            f"report folder {self.folder} has {len(violations)} schema violation(s) "
            "(rows numbered from 1 after the header):\n" + "\n".join(lines)
        )


def _describe(r: Any) -> str:
    where = r.file + (f", row {int(r.row)}" if pd.notna(r.row) else "") + (f", column {r.column}" if r.column else "")
    value = "" if r.value is None or (isinstance(r.value, float) and pd.isna(r.value)) else f" (got {r.value!r})"
    return f"{where}: {r.rule}{value}"


# -- element rules on the text of a cell ---------------------------------------------------------


def _num(s: pd.Series) -> pd.Series:
    return pd.to_numeric(s, errors="coerce")


def _is_percent(s):
    x = _num(s)
    return x.between(0, 100)


def _is_count(s):
    x = _num(s)
    return x.notna() & (x >= 1) & (x == x.round())


def _within_n_limit(s):
    x = _num(s)
    return x.isna() | (x <= limits.MAX_REPORT_N)


def _is_whole(s):
    x = _num(s)
    return x.notna() & (x == x.round())


def _pa():
    import pandera.pandas as pa  # heavy (about 0.3 s); imported when a report is checked

    return pa


def _check(fn, error, *, ignore_na=True):
    return _pa().Check(fn, error=error, ignore_na=ignore_na)


def _present(error="must not be blank"):
    return _check(lambda s: s.notna() & (s.astype(str).str.strip() != ""), error, ignore_na=False)


def _unique():
    return _check(lambda s: ~s.duplicated(keep=False), "must be unique (the value appears more than once)")


def _one_of(values, what):
    values = list(values)
    shown = ", ".join(map(str, values[:12])) + (" ..." if len(values) > 12 else "")
    return _check(lambda s: s.isin(values), f"must be {what} ({shown})")


def _matches(pattern, what):
    return _check(lambda s: s.astype(str).str.fullmatch(pattern), f"must look like {what}")


def _under(child: pd.Series, parent: pd.Series) -> pd.Series:
    """True where ``child`` starts with ``parent`` and a dot (or either is blank)."""
    ok = [
        c is pd.NA or p is pd.NA or isinstance(c, float) or isinstance(p, float) or str(c).startswith(f"{p}.")
        for c, p in zip(child, parent, strict=True)
    ]
    return pd.Series(ok, index=child.index, dtype=bool)


def _wide(column, rule, fn):
    """A rule between columns: pandera reports every column of a failing row; we keep ``column``.
    (``ignore_na=False``: otherwise pandera skips every row with a blank cell anywhere.)"""
    return _pa().Check(fn, error=f"{column}|{rule}", ignore_na=False)


# -- the schema of each table ---------------------------------------------------------------------


def _schemas(fw: Framework, tables: dict[str, pd.DataFrame | None]) -> dict[str, tuple[dict[str, Any], list[Any]]]:
    pa = _pa()
    case_standards = [s.id for s in fw.standards if not s.judgement]
    names = {s.id: s.name for s in fw.standards}
    domains = {s.id: str(s.domain) for s in fw.standards}
    bases = {s.id: s.basis for s in fw.standards}
    adjustable = [s.id for s in fw.standards if s.adjustable]
    kq_all = fw.key_questions
    qualitative = set(fw.qualitative_key_questions)
    samples = tables.get("samples")
    sample_n, known_samples = {}, []
    if samples is not None and {"sample", "n"} <= set(samples.columns):
        known_samples = list(samples["sample"].dropna())
        # limits only from valid counts (a bad n is reported once, in samples.csv, not at every prompt)
        sample_n = {
            k: v for k, v, ok in zip(samples["sample"], _num(samples["n"]), _is_count(samples["n"]), strict=True) if ok
        }
    kq_table = tables.get("key_questions")
    kq_ids = list(kq_table["key_question"].dropna()) if kq_table is not None and "key_question" in kq_table else None
    pct = _check(_is_percent, "must be a percent from 0 to 100 (a number; blank for none)")
    count = _check(_is_count, "must be a whole number of cases from 1 (blank if unknown)")
    n_limit = _check(
        _within_n_limit,
        f"must be at most {limits.MAX_REPORT_N} cases (stats.limits.MAX_REPORT_N: the "
        "sample-size rule never asks for more than a few hundred cases)",
    )
    source = _check(lambda s: s.isin(_N_SOURCES), f"must be one of {', '.join(_N_SOURCES)}")
    current_rule = _present(
        "must not be blank: 'No comparable data available' only describes the previous "
        "inspection; every prompt and key question of the current framework has a current figure"
    )
    std_rule = [
        _present(),
        _matches(r"\d+\.\d+", "a standard id such as 2.1"),
        _one_of(case_standards, f"a standard of framework {fw.name} rated from case data"),
    ]
    sample_rule = [_present(), _one_of(known_samples, "a sample of samples.csv")] if known_samples else [_present()]

    def name_matches(df):
        return df["standard_name"].isna() | (df["standard_name"] == df["standard"].map(names))

    def n_within_sample(df):
        limit = df["sample"].map(sample_n)
        n = _num(df["n_current"])
        return n.isna() | limit.isna() | (n <= limit)

    def kq_under_standard(df):
        return _under(df["key_question"], df["standard"])

    def c(*checks, required=True):
        return pa.Column(checks=list(checks), nullable=True, required=required)

    def not_proportions(df):
        cols = [c for c in ("previous", "current") if c in df]
        x = pd.concat([_num(df[c]) for c in cols], axis=1)
        small = (x.isna() | (x <= 1)).all(axis=1) & x.notna().any(axis=1)
        fractional = (x.notna() & (x != x.round())).any(axis=1)
        return ~(small & fractional)

    common_wide = [
        (
            "current",
            (
                "looks like a proportion (every figure of the row at most 1, not whole): write percentages "
                "0-100 as published (0.4 -> 40)"
            ),
            not_proportions,
            ("previous", "current"),
        ),
        ("standard_name", "must be the framework's name of the standard", name_matches, ("standard", "standard_name")),
        ("key_question", "must start with its standard id and a dot", kq_under_standard, ("standard", "key_question")),
        ("n_current", "must not be above the n of its sample in samples.csv", n_within_sample, ("sample", "n_current")),
    ]

    prompts = {
        "standard": c(*std_rule),
        "standard_name": c(_present()),
        "key_question": c(
            _present(),
            _matches(r"\d+\.\d+\.\d+", "a key question id such as 2.1.1"),
            *([_one_of(kq_ids, "a key question of key_questions.csv")] if kq_ids is not None else []),
        ),
        "key_question_text": c(_present()),
        "prompt_id": c(_present(), _matches(r"\d+\.\d+\.\d+\.[a-z]+", "a prompt id such as 2.1.1.a"), _unique()),
        "prompt": c(_present()),
        "previous": c(pct),
        "current": c(current_rule, pct),
        "n_previous": c(count, n_limit),
        "n_current": c(count, n_limit),
        "sample": c(*sample_rule),
        "n_source": c(source, required=False),
        "n_previous_source": c(source, required=False),
        "note": c(required=False),
    }
    prompt_wide = [
        *common_wide,
        (
            "prompt_id",
            "must start with its key question id and a dot",
            lambda df: _under(df["prompt_id"], df["key_question"]),
            ("prompt_id", "key_question"),
        ),
    ]
    key_questions = {
        "standard": c(*std_rule),
        "standard_name": c(required=False),
        "key_question": c(
            _present(),
            _matches(r"\d+\.\d+\.\d+", "a key question id such as 2.1.1"),
            _unique(),
            _one_of(list(kq_all), f"a key question of framework {fw.name}"),
            _check(lambda s: ~s.isin(qualitative), "must not be a qualitative key question (it has no percentage)"),
        ),
        "key_question_text": c(_present()),
        "previous": c(pct),
        "current": c(current_rule, pct),
        "all_crcs": c(pct, required=False),
        "n_previous": c(count, n_limit),
        "n_current": c(count, n_limit),
        "sample": c(*sample_rule),
        "n_source": c(source, required=False),
        "n_previous_source": c(source, required=False),
        "note": c(required=False),
    }
    rating = _one_of(fw.ratings, f"a rating of framework {fw.name}")
    standards = {
        "standard": c(_present(), _unique(), _one_of(names, f"a standard of framework {fw.name}")),
        "standard_name": c(_present()),
        "domain": c(_present(), _check(_is_whole, "must be a whole number (a domain id)")),
        "previous_rating": c(rating),
        "current_rating": c(_present(), rating),
        "basis": c(required=False),
        "discretion_rating": c(rating, required=False),
        "qualitative_adjustment": c(
            _check(lambda s: s.isin(["-1", "0", "1", "+1"]), "must be -1, 0 or 1"), required=False
        ),
        "note": c(required=False),
    }
    standards_wide = [
        ("standard_name", "must be the framework's name of the standard", name_matches, ("standard", "standard_name")),
        (
            "domain",
            "must be the framework's domain of the standard",
            lambda df: (
                df["domain"].isna()
                | ~df["standard"].isin(domains)
                | (_num(df["domain"]).astype("Int64").astype(str) == df["standard"].map(domains))
            ),
            ("standard", "domain"),
        ),
        (
            "basis",
            "must be the framework's basis of the standard",
            lambda df: df["basis"].isna() | ~df["standard"].isin(bases) | (df["basis"] == df["standard"].map(bases)),
            ("standard", "basis"),
        ),
        (
            "qualitative_adjustment",
            "must be blank: the framework gives this standard no qualitative key question",
            lambda df: df["qualitative_adjustment"].isna() | df["standard"].isin(adjustable),
            ("standard", "qualitative_adjustment"),
        ),
    ]
    overall = {
        "inspection": c(_present(), _unique(), _one_of(["previous", "current"], "previous or current")),
        "score": c(
            _check(
                lambda s: _is_whole(s) & _num(s).between(0, fw.maximum),
                f"must be a whole number from 0 to {fw.maximum} (framework {fw.name})",
            )
        ),
        "rating": c(rating),
        "source": c(required=False),
    }
    overall_wide = [
        (
            "rating",
            "must not be blank for the current inspection",
            lambda df: (df["inspection"] != "current") | df["rating"].notna(),
            ("inspection", "rating"),
        ),
    ]
    sample_names = list(samples["sample"].dropna()) if samples is not None and "sample" in samples else []
    samples_schema = {
        "sample": c(_present(), _unique()),
        "n": c(_present(), count, n_limit),
        "parent": c(_one_of(sample_names, "a sample of samples.csv"), required=False),
        "applies_to": c(required=False),
        "sized_for_margin": c(_one_of(["yes", "no"], "yes or no"), required=False),
        "source": c(required=False),
        "rounding": c(_one_of(["half-up", "half-even"], "half-up or half-even"), required=False),
    }
    samples_wide = [
        (
            "n",
            "must not be above the n of its parent sample",
            lambda df: df["parent"].isna() | (_num(df["n"]) <= _num(df["parent"].map(sample_n))).fillna(True),
            ("parent", "n"),
        ),
    ]
    return {
        "prompts": (prompts, prompt_wide),
        "key_questions": (key_questions, common_wide),
        "standards": (standards, standards_wide),
        "overall": (overall, overall_wide),
        "samples": (samples_schema, samples_wide),
    }


def _run(file: str, frame: pd.DataFrame, columns: dict, wide: list) -> list[dict]:
    pa = _pa()
    checks = [_wide(col, rule, fn) for col, rule, fn, needs in wide if set(needs) <= set(frame.columns)]
    schema = pa.DataFrameSchema(columns, checks=checks, strict=False)
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as err:
        return _from_failure_cases(file, err.failure_cases)
    return []


def _from_failure_cases(file: str, fc: pd.DataFrame) -> list[dict]:
    out: list[dict] = []
    for record in fc.itertuples(index=False):
        r: Any = record  # its fields include "index", which the stubs read as tuple.index
        check = str(r.check)
        row = None if r.index is None or pd.isna(r.index) else int(r.index) + 1
        value = r.failure_case
        if check == "column_in_dataframe":
            out.append(dict(file=file, row=None, column=str(value), value=None, rule="required column is missing"))
            continue
        if "|" in check:  # a rule between columns: keep the column it is about
            column, rule = check.split("|", 1)
            if r.column != column:
                continue
        else:
            column, rule = r.column, check
        if value is pd.NA or (isinstance(value, float) and pd.isna(value)):
            value = None
        out.append(dict(file=file, row=row, column=column, value=value, rule=rule))
    return out


# -- rows that must exist --------------------------------------------------------------------------


def _completeness(fw: Framework, tables: dict) -> list[dict]:
    out: list[dict] = []
    std = tables.get("standards")
    if std is not None and "standard" in std:
        out.extend(
            dict(
                file="standards.csv",
                row=None,
                column="standard",
                value=s.id,
                rule=f"every standard of framework {fw.name} needs a row; this one is missing",
            )
            for s in fw.standards
            if s.id not in set(std["standard"])
        )
    kq = tables.get("key_questions")
    if kq is not None and "key_question" in kq:
        have = set(kq["key_question"])
        out.extend(
            dict(
                file="key_questions.csv",
                row=None,
                column="key_question",
                value=k,
                rule=f"every key question of framework {fw.name} that rates a standard needs a row; "
                "this one is missing",
            )
            for s in fw.standards
            if not s.judgement
            for k in s.rated_key_questions
            if k not in have
        )
    ov = tables.get("overall")
    if ov is not None and "inspection" in ov and "current" not in set(ov["inspection"]):
        out.append(
            dict(
                file="overall.csv",
                row=None,
                column="inspection",
                value=None,
                rule="needs a row for the current inspection",
            )
        )
    return out


# -- reading a folder ---------------------------------------------------------------------------------


def _problem(file: str, rule: str, column: str | None = None, value: object = None, row: int | None = None) -> dict:
    return dict(file=file, row=row, column=column, value=value, rule=rule)


def _exists(path: Path) -> bool:
    return os.path.lexists(path)


def _read_metadata(folder: Path, framework: FrameworkLike) -> tuple[dict, Framework | None, list[dict]]:
    problems: list[dict] = []
    meta: dict = {}
    path = folder / "report.toml"
    if _exists(path):
        try:
            meta = sio.read_toml(path, folder=folder, max_bytes=limits.MAX_TOML_BYTES)
        except (ValueError, OSError) as err:
            problems.append(_problem("report.toml", f"cannot be read as TOML: {err}"))
        for key, value in meta.items():
            if key not in _METADATA_KEYS:
                problems.append(
                    _problem("report.toml", f"is not a known key (known: {', '.join(_METADATA_KEYS)})", key, value)
                )
            elif not isinstance(value, _METADATA_KEYS[key]):
                problems.append(
                    _problem(
                        "report.toml",
                        f"must be {'true or false' if _METADATA_KEYS[key] is bool else 'a string'}",
                        key,
                        value,
                    )
                )
        if "constructed" not in meta and not problems:
            problems.append(
                _problem(
                    "report.toml",
                    "is required: true for constructed (not real) data, false for a published report",
                    "constructed",
                )
            )
    elif framework is None:
        problems.append(
            _problem("report.toml", "file is missing: it names the report's framework (see README, Adding a report)")
        )
    # A framework given by the caller (command line) may be anywhere; one named by report.toml must be a
    # bundled name or a file inside the folder (never read from elsewhere, never printed).
    named_by_folder = framework is None
    chosen = (
        framework
        if framework is not None
        else meta.get("framework")
        if isinstance(meta.get("framework"), str)
        else None
    )
    if chosen is None:
        if _exists(path) and not problems:
            problems.append(
                _problem(
                    "report.toml",
                    "is required: a bundled framework name or the path of a framework .toml file",
                    "framework",
                )
            )
        return meta, None, problems
    try:
        fw = load_framework(
            chosen, base=folder if named_by_folder else None, folder=folder if named_by_folder else None
        )
    except FrameworkError as err:
        problems += [_problem(_relative(err.path, folder), p) for p in err.problems]
        fw = None
    except (ValueError, OSError, TypeError) as err:
        problems.append(_problem("report.toml", str(err), "framework", str(chosen)))
        fw = None
    return meta, fw, problems


def _relative(path: str, folder: Path) -> str:
    try:
        return str(Path(path).relative_to(folder))
    except ValueError:
        return path


def _published_percentages(frame: pd.DataFrame) -> pd.DataFrame:
    """Percent columns read as ``label`` reads them (:func:`stats.parse.parse_percent`): "71%" -> "71",
    "No comparable data available" -> blank; a cell that is not a percentage is kept as written, for
    the schema to report with its row."""
    from .parse import parse_percent

    out = frame
    for column in PERCENT_COLUMNS:
        if column not in frame.columns:
            continue
        values: list[object] = []
        cell: Any  # a cell of an object column: text, None or nan
        for cell in frame[column]:
            if cell is None or (isinstance(cell, float) and pd.isna(cell)) or pd.isna(cell):  # type: ignore[redundant-expr]  # the stubs type pd.isna as a TypeIs that mypy misreads
                values.append(None)
                continue
            try:
                x = parse_percent(str(cell))
            except ValueError:
                values.append(cell)
                continue
            values.append(None if pd.isna(x) else repr(x))  # type: ignore[redundant-expr]  # the stubs type pd.isna(float) as never true; nan is
        if out is frame:
            out = frame.copy()
        out[column] = pd.Series(values, index=frame.index, dtype=object).astype("str")
    return out


def _read_csv(path: Path, folder: Path, table: str) -> tuple[pd.DataFrame | None, list[dict]]:
    name = path.name
    if not _exists(path):
        return None, [_problem(name, "file is missing")]
    try:
        frame = sio.read_table(
            path,
            folder=folder,
            max_bytes=limits.MAX_REPORT_FILE_BYTES,
            allow_no_rows=True,
            max_rows=limits.MAX_REPORT_ROWS,
        )
    except (ValueError, OSError) as err:
        # report folders have no --encoding option: the remedy is to re-save the file as UTF-8
        message = re.sub(r",? or pass (?:the|its) encoding \(--encoding [^)]*\)", "", str(err))
        return None, [_problem(name, f"cannot be read as CSV: {message}")]
    frame = frame.reset_index(drop=True)
    if len(frame):
        stripped = frame.apply(lambda col: col.str.strip())
        frame = stripped.mask(stripped == "")
    frame = _published_percentages(frame)
    problems: list[dict] = []
    for column in frame.columns:  # Excel holds at most 32,767 characters in a cell: never cut without a word
        long = frame[column].str.len() > limits.MAX_CELL_CHARS
        problems.extend(
            _problem(
                name,
                f"is {len(frame.loc[row, column]):,} characters long, more than a "
                f"spreadsheet cell holds ({limits.MAX_CELL_CHARS:,}, "
                "stats.limits.MAX_CELL_CHARS)",
                column,
                None,
                int(row) + 1,
            )
            for row in frame.index[long.fillna(False).to_numpy(dtype=bool)][:5]
        )
    problems += [
        _problem(
            name,
            f"is not a column of {name} (known: {', '.join(c for c, _, _ in COLUMNS[table])}); "
            "a misspelt or extra column is never silently ignored",
            column,
            column,
        )
        for column in frame.columns
        if column not in KNOWN_COLUMNS[table]
    ]
    return frame, problems


def report_files(folder: StrPath) -> tuple[Path, ...]:
    """The files of a report folder that :func:`validate_report` and :func:`stats.load_report` read.

    See Also
    --------
    validate_report : Checks these files.
    stats.io.atomic_writer : Refuses to overwrite them (``protected=``).

    Examples
    --------
    >>> from stats.reports import report_folder
    >>> from stats.schema import report_files
    >>> [p.name for p in report_files(report_folder("south-yorkshire-crc-2020"))]
    ['report.toml', 'prompts.csv', 'key_questions.csv', 'standards.csv', 'overall.csv', 'samples.csv']
    """
    return tuple(Path(folder) / f for f in REPORT_FILES)


def _check_folder(
    folder: Path, framework: FrameworkLike = None
) -> tuple[dict, Framework | None, dict[str, pd.DataFrame | None], pd.DataFrame]:
    folder = Path(folder)
    if not folder.is_dir():
        raise OSError(
            f"cannot read report folder {str(folder)!r}: "
            + ("it is not a folder" if os.path.lexists(folder) else "no such folder")
        )
    meta, fw, violations = _read_metadata(folder, framework)
    raw: dict[str, pd.DataFrame | None] = {}
    for t in TABLES:
        raw[t], problems = _read_csv(folder / f"{t}.csv", folder, t)
        violations += problems
    if fw is not None:
        for t, (columns, wide) in _schemas(fw, raw).items():
            table = raw[t]
            if table is not None:
                violations += _run(f"{t}.csv", table, columns, wide)
        violations += _completeness(fw, raw)
    table = pd.DataFrame(violations, columns=list(VIOLATION_COLUMNS))
    table["row"] = table["row"].astype("Int64")
    order = {f"{t}.csv": i for i, t in enumerate(TABLES)}
    table = table.assign(_o=table["file"].map(order).fillna(-1)).sort_values(
        ["_o", "row", "column"], kind="stable", na_position="first"
    )
    return meta, fw, raw, table.drop(columns="_o").reset_index(drop=True)


def validate_report(folder: StrPath, *, framework: FrameworkLike = None) -> pd.DataFrame:
    """Every schema violation of a report folder, as a DataFrame (empty when the folder is valid).

    Parameters
    ----------
    folder : path
        Folder with ``report.toml`` and the five CSV files.
    framework : str, path or Framework, optional
        Overrides the framework named in ``report.toml``.

    Returns
    -------
    pandas.DataFrame
        Columns ``file``, ``row`` (from 1 after the header; blank for a
        file or column problem), ``column``, ``value`` (as written) and
        ``rule``; one row per violation, in file and row order.

    See Also
    --------
    read_report : Raises on the first violation found, with all of them listed.
    write_templates : An empty folder that this then checks.

    Examples
    --------
    >>> from stats.schema import validate_report
    >>> from stats.reports import report_folder
    >>> validate_report(report_folder("south-yorkshire-crc-2020")).empty
    True
    """
    return _check_folder(Path(folder), framework)[3]


_INT = ("n", "n_previous", "n_current", "domain", "score", "qualitative_adjustment")
_FLOAT = ("previous", "current", "all_crcs")


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.astype("string")
    for c in out.columns:
        if c in _INT:
            out[c] = _num(frame[c]).astype("Int64")
        elif c in _FLOAT:
            out[c] = _num(frame[c]).astype(float)
    return out


def read_report(folder: StrPath, *, framework: FrameworkLike = None) -> tuple[dict, Framework, dict[str, pd.DataFrame]]:
    """Check a report folder and return ``(metadata, framework, tables)``; raise on any violation.

    Tables are typed as :func:`stats.load_report` documents: identifiers and
    text as pandas "string", percentages float (nan where blank), counts and
    scores ``Int64``.

    Raises
    ------
    ReportValidationError
        Listing every violation (its ``violations`` attribute holds the table).

    See Also
    --------
    validate_report : Every violation as a table, without raising.
    stats.load_report : The same folder as a :class:`~stats.reports.Report`.

    Examples
    --------
    >>> from stats.reports import report_folder
    >>> from stats.schema import read_report
    >>> metadata, framework, tables = read_report(report_folder("south-yorkshire-crc-2020"))
    >>> metadata["constructed"], framework.name, sorted(tables)
    (False, 'adult-2018', ['key_questions', 'overall', 'prompts', 'samples', 'standards'])
    """
    meta, fw, raw, violations = _check_folder(Path(folder), framework)
    if len(violations):
        raise ReportValidationError(folder, violations)
    # No violation: the framework was read and every table is present.
    return meta, cast(Framework, fw), {t: _typed(cast(pd.DataFrame, raw[t])) for t in TABLES}


# -- templates ---------------------------------------------------------------------------------------


def write_templates(folder: StrPath, framework: FrameworkLike, *, name: str | None = None) -> list[Path]:
    """Write an empty report folder for ``framework``: ``report.toml``, header-only CSVs and a README.

    ``standards.csv`` and ``key_questions.csv`` are pre-filled with the
    framework's ids, names and key-question texts (their figures blank, to be
    filled in); the other tables have their header only. Refuses to write into
    a folder that exists and is not empty.

    See Also
    --------
    validate_report : Lists what remains to fill in.
    stats.framework.load_framework : The framework whose ids the templates list.

    Examples
    --------
    >>> import pathlib, shutil, tempfile
    >>> from stats.schema import validate_report, write_templates
    >>> folder = pathlib.Path(tempfile.mkdtemp()) / "my-report"
    >>> [p.name for p in write_templates(folder, "adult-2018")]
    ['report.toml', 'prompts.csv', 'key_questions.csv', 'standards.csv', 'overall.csv', 'samples.csv', 'README.md']
    >>> validate_report(folder)[["file", "row", "column"]].head(2)
                    file  row   column
    0  key_questions.csv    1  current
    1  key_questions.csv    2  current
    >>> shutil.rmtree(folder.parent)
    """
    fw = load_framework(framework)
    folder = Path(folder)
    if folder.is_symlink():
        raise OSError(f"will not write into {str(folder)!r}: it is a symbolic link; give a new folder name")
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise OSError(f"will not overwrite {str(folder)!r}: it exists and is not empty; choose a new folder name")
    name = name or folder.name
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", name):
        raise ValueError(f"name ({name!r}) must be lower case letters, digits and hyphens, such as 'york-yos-2024'.")
    bundled = Path(fw.path).parent == Path(load_framework().path).parent
    # A framework of your own is copied into the folder (framework.toml), so the folder is complete and
    # report.toml names a file inside it (a report folder never reads a file outside itself).
    framework_ref = fw.name if bundled else "framework.toml"
    files = {}
    if not bundled:
        with sio.open_input(fw.path, max_bytes=limits.MAX_TOML_BYTES) as fh:
            files["framework.toml"] = fh.read(limits.MAX_TOML_BYTES + 1).decode("utf-8-sig")
    files["report.toml"] = (
        f'# Report metadata (see README "Adding a report").\n'
        f"name = {sio.toml_string(name)}\n"
        f'title = ""            # e.g. "An inspection of youth offending services in York"\n'
        f"framework = {sio.toml_string(framework_ref)}   # a bundled framework name, or the path of a .toml file\n"
        f"constructed = false   # true if the figures are made up (examples, training): say so\n"
        f'source = ""           # where the figures come from (report title, date, address)\n'
    )
    std_rows = [{"standard": s.id, "standard_name": s.name, "domain": s.domain, "basis": s.basis} for s in fw.standards]
    kq_rows = [
        {
            "standard": s.id,
            "standard_name": s.name,
            "key_question": k.id,
            "key_question_text": k.text,
            "sample": fw.sample_of(s.id, k.id),
        }
        for s in fw.standards
        if not s.judgement
        for k in s.key_questions
        if not k.qualitative
    ]
    for t in TABLES:
        cols = [c for c, _, _ in COLUMNS[t]]
        filled: dict[str, list[dict[str, Any]]] = {"standards": std_rows, "key_questions": kq_rows}
        rows = filled.get(t, [])
        files[f"{t}.csv"] = pd.DataFrame(rows, columns=cols).to_csv(index=False, lineterminator="\n")
    doc = [
        f"# {name}: report folder (framework {fw.name})",
        "",
        "Fill in the CSV files, then run `python -m stats validate " + str(folder) + "`, which lists every",
        "problem with its file, row, column and rule. Rows are numbered from 1 after the header. A blank cell",
        "means none/unknown. Percentages are 0-100 as published. `standards.csv` and `key_questions.csv`",
        f"already list the ids and names of framework {fw.name}; fill in their figures.",
        "",
    ]
    for t in TABLES:
        doc += [f"## {t}.csv", "", "| column | required | meaning |", "|---|---|---|"]
        doc += [f"| `{c}` | {'yes' if req else 'no'} | {what} |" for c, req, what in COLUMNS[t]]
        doc.append("")
    files["README.md"] = "\n".join(doc)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OSError(f"cannot create the report folder {str(folder)!r}: {err.strerror or err}") from None
    written = []
    for fname, text in files.items():
        path = folder / fname
        sio.write_atomic(path, text)
        written.append(path)
    return written
