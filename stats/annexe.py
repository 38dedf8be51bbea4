"""Read the Annexe 4 prompt tables from a report's text, without hand-copying.

The text is what a PDF-to-text tool produces for HM Inspectorate of Probation
reports (the layout of the bundled ``report.txt``): questions wrapped over
lines, "No comparable data available" broken over lines, footnote markers
glued to questions ("undertaken?55"), page headers and footers, footnote
blocks at page ends, and rows whose previous figure is "No comparable data available".

The framework (:mod:`stats.framework`) supplies the structure: which standards
exist, how key questions are numbered (qualitative-only key questions, such as
adult unpaid work 4.1.3, have no table and are skipped), and which sample each
table uses. "No comparable data available" only ever describes the previous
inspection: every prompt of the current framework has a current figure.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from .framework import Framework, FrameworkLike, load_framework
from .io import StrPath

__all__ = ["read_annexe", "stated_samples", "read_report_text", "AnnexeParseError", "PROMPT_COLUMNS"]

#: Columns of the prompt table, as the bundled ``prompts.csv``.
PROMPT_COLUMNS = (
    "standard",
    "standard_name",
    "key_question",
    "key_question_text",
    "prompt_id",
    "prompt",
    "previous",
    "current",
    "n_previous",
    "n_current",
    "sample",
    "n_source",
    "n_previous_source",
    "note",
)


class AnnexeParseError(ValueError):
    """The text could not be parsed; the message names the line (1-based) where parsing failed.

    See Also
    --------
    read_annexe : Raises it, naming the line.

    Examples
    --------
    >>> from stats.annexe import AnnexeParseError, read_annexe
    >>> read_annexe("no annexe here")
    Traceback (most recent call last):
    ...
    stats.annexe.AnnexeParseError: line 1: no 'Annexe 4' heading found; is this the text of an inspection report?
    >>> issubclass(AnnexeParseError, ValueError)
    True
    """


# [^\S\n]: blanks within the line; "^\s*" would run across blank lines from every line start (quadratic).
_START = re.compile(r"^[^\S\n]*Annexe 4\b.*$", re.M)
_END = re.compile(r"^[^\S\n]*Annexe 5\b.*$", re.M)
_STANDARD = re.compile(r"^\s*(\d\.\d)\.?\s+([A-Z][A-Za-z ]*[a-z])\s*$")
_PAGE_HEADER = re.compile(r"^\s*Inspection of probation services:.*$")
_SEPARATOR = re.compile(r"^ {20,}$")
_FOOTNOTE = re.compile(r"^(\d{1,3}) (\S.*)$")
_TOKEN = re.compile(
    r"(?P<na>No\s+comparable\s+data\s+available)"
    # A percentage: any run of digits (with a sign or decimals) before "%", so that "171%", "-54%" and
    # "54.5%" are read whole and refused, never read in part as 71 or 54.
    r"|(?P<pct>(?<![\w.])[-+\u2212]?\d+(?:[.,]\d+)?%)"
    r"|(?P<hdr>Previous\s+inspection\s+Current\s+inspection)"
    r"|(?P<std>⟦(?P<std_id>\d\.\d)\|(?P<std_name>[^⟧]+)⟧)"
    # A question runs to the first "?" that is not followed by a letter: "user?s" (an apostrophe lost in PDF
    # text extraction) stays inside the question, see _APOSTROPHE.
    r"|(?P<q>[^\s?⟦%](?:[^?⟦%]|\?(?=[A-Za-z]))*?\?(?![A-Za-z]))(?P<fn>\d{1,3})?"
)
# The other alternatives of _TOKEN, and what ends a question (or rules it out): for _tokens.
_OTHER = re.compile(
    r"No\s+comparable\s+data\s+available|(?<![\w.])[-+\u2212]?\d+(?:[.,]\d+)?%|Previous\s+inspection\s+Current\s+inspection"
    r"|⟦\d\.\d\|[^⟧]+⟧"
)
_QUESTION_STOP = re.compile(r"[⟦%]|\?(?![A-Za-z])")
_QUESTION_BEGIN = re.compile(r"[^\s?]")
# "?" between letters: an apostrophe (or other character) that text extraction turned into "?".
_APOSTROPHE = re.compile(r"(?<=[A-Za-z])\?(?=[A-Za-z])")
_MARKERS = str.maketrans("⟦⟧", "[]")


def _percent(text: str, line: int) -> float:
    """A published figure of Annexe 4: a whole percentage from 0 to 100; anything else is an error."""
    if not re.fullmatch(r"\d{1,3}%", text) or int(text[:-1]) > 100:
        raise AnnexeParseError(
            f"line {line}: {text!r} is not a percentage of the Annexe (a whole number from 0 to 100 "
            "followed by %); check the text extraction around it."
        )
    return float(text[:-1])


def _tokens(stream: str) -> Iterator[re.Match[str]]:
    """The matches of ``_TOKEN.finditer(stream)``, found in time linear in ``len(stream)``.

    ``finditer`` tries the question alternative at every position, and where no "?" follows, each try
    scans to the next "%" or the end: quadratic (80 KB of text without "?" took 81 s). Here the next
    question start and the next other token are found by two forward searches, each reused until the
    scan passes it, and ``_TOKEN.match`` is called only where a token is known to start.
    """
    n, pos = len(stream), 0
    other = question = -1  # cached start positions (n: none left), valid while >= pos
    while pos < n:
        if other < pos:
            m = _OTHER.search(stream, pos)
            other = m.start() if m else n
        if question < pos:
            question, at = n, pos
            while at < n:
                stop = _QUESTION_STOP.search(stream, at)
                if stop is None:
                    break
                if stop.group() == "?":
                    begin = _QUESTION_BEGIN.search(stream, at, stop.start())
                    if begin:
                        question = begin.start()
                        break
                at = stop.end()
        start = min(other, question)
        if start >= n:
            return
        token = _TOKEN.match(stream, start)
        assert token is not None  # a token is known to start at ``start`` (the two searches above)
        yield token
        pos = token.end()


# Stated samples, as the inspectorate words them (first match wins).
_SAMPLE_PATTERNS = {
    "case supervision": r"We (?:examined|inspected) (\d+) cases from across",
    "community": r"We inspected (\d+) community sentence cases",
    "post-release": r"community sentence cases and (\d+) post-release",
    "harm": r"In the (\d+) cases where there\s+were factors related to harm",
    "unpaid work": r"We examined (\d+) cases with unpaid work requirements",
    "through the gate": r"We examined (\d+) custodial cases",
}


def stated_samples(text: str) -> dict[str, int]:
    """Sample sizes stated in the report text (case supervision, harm, post-release, ...).

    Returns a mapping from sample name (as in the bundled ``samples.csv``) to
    n for every sample whose sentence is found.

    See Also
    --------
    read_annexe : Uses these as the denominators of the prompts.

    Examples
    --------
    >>> from stats.annexe import stated_samples
    >>> stated_samples("We examined 100 cases from across all local delivery units.")
    {'case supervision': 100}
    """
    flat = " ".join(text.split())
    out = {}
    for name, pattern in _SAMPLE_PATTERNS.items():
        m = re.search(pattern, flat)
        if m:
            out[name] = int(m.group(1))
    return out


def _clean_lines(lines: list[tuple[int, str]]) -> tuple[list[tuple[int, str]], dict[int, str]]:
    """Drop page headers and footnote blocks; return kept (line number, text) and the footnotes."""
    kept: list[tuple[int, str]] = []
    footnotes: dict[int, str] = {}
    in_footnotes = False
    last = None
    for number, line in lines:
        if _PAGE_HEADER.match(line):
            continue
        if _SEPARATOR.match(line):
            in_footnotes = True
            last = None
            continue
        if in_footnotes:
            # A footnote block runs to the next page, whose first line starts with one space.
            if line.startswith(" ") and not line.startswith("  ") and line.strip():
                in_footnotes = False
            else:
                m = _FOOTNOTE.match(line.strip())
                if m:
                    last = int(m.group(1))
                    footnotes[last] = m.group(2).strip()
                elif last is not None and line.strip():
                    footnotes[last] += " " + line.strip()
                continue
        kept.append((number, line))
    return kept, footnotes


def read_annexe(text: str, *, samples: dict[str, int] | None = None, framework: FrameworkLike = None) -> pd.DataFrame:
    """Parse the Annexe 4 prompt tables of a report's text.

    Parameters
    ----------
    text : str
        The report text (the whole report, or the annexe alone).
    samples : dict, optional
        Stated sample sizes by name (keys as :func:`stated_samples`); by
        default they are read from ``text``.
    framework : str, path or Framework, optional
        The inspection framework (default ``"adult-2018"``, that of the
        bundled report): standard and key-question ids, qualitative key
        questions and the sample of each table.

    Returns
    -------
    pandas.DataFrame
        The columns of the bundled ``prompts.csv`` (:data:`PROMPT_COLUMNS`):
        standard, key question (numbered in order within the standard,
        skipping the framework's qualitative-only key questions such as
        4.1.3), prompt text as published, previous and current percentages
        (previous nan for "No comparable data available"), footnotes in
        ``note``, and denominators from the stated samples by the framework's
        rules (see ``data/README.md``): the sample of the key question, else
        of its standard, else the framework's default (adult: "harm" for the
        keeping-other-people-safe key questions 2.x.3, "unpaid work" for 4.1,
        "through the gate" for 4.2, "case supervision" otherwise); the sample
        of a prompt-text prefix (adult: "Post-custody cases only" ->
        "post-release"); ``n_previous`` assumed equal.

        The phrase "No comparable data available" belongs in the previous
        column. Text extraction can put a row's figure before the phrase
        (4.2.2.a of the bundled report reads "47% No comparable data
        available"); such a row is read as previous: none, current: the
        figure, and ``note`` says so.

    Raises
    ------
    AnnexeParseError
        With the line number where parsing failed: no "Annexe 4" heading, no
        standard heading, a standard or key question the framework does not
        have, a question without its figures, figures without a question, or
        a prompt with no current figure ("No comparable data available"
        twice).

    See Also
    --------
    read_report_text : The text of a report, from a text file or a PDF.
    stated_samples : The sample sizes the report states, used for ``n`` by default.
    stats.load_report : The bundled report, whose ``prompts.csv`` this reproduces.

    Examples
    --------
    >>> from stats.annexe import read_report_text
    >>> from stats.reports import report_folder
    >>> text = read_report_text(report_folder("south-yorkshire-crc-2020") / "report.txt")
    >>> from stats.annexe import read_annexe
    >>> prompts = read_annexe(text)
    >>> prompts[["prompt_id", "previous", "current", "sample", "n_current"]].head(3)
      prompt_id  previous  current            sample  n_current
    0   2.1.1.a      54.0     71.0  case supervision        100
    1   2.1.1.b       NaN     43.0  case supervision        100
    2   2.1.1.c      71.0     67.0  case supervision        100
    >>> len(prompts)
    76
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str (got {type(text).__name__}).")
    start = _START.search(text)
    if not start:
        raise AnnexeParseError("line 1: no 'Annexe 4' heading found; is this the text of an inspection report?")
    end = _END.search(text, start.end())
    first_line = text.count("\n", 0, start.start()) + 1
    raw = text[start.end() : end.start() if end else len(text)].split("\n")[1:]
    numbered = list(enumerate(raw, start=first_line + 1))
    kept, footnotes = _clean_lines(numbered)

    # Join the lines into one stream, remembering where each line starts; mark standard headings.
    parts: list[str] = []
    offsets: list[int] = []
    line_numbers: list[int] = []
    pos = 0
    seen_standard = False
    for number, line in kept:
        m = _STANDARD.match(line)
        if m:
            piece = f"⟦{m.group(1)}|{m.group(2).strip()}⟧"
            seen_standard = True
        elif not seen_standard:
            continue  # the annexe's introduction
        else:
            piece = line.strip().translate(_MARKERS)  # the markers are ours: text may not contain them
        if not piece:
            continue
        joiner = "" if parts and parts[-1].endswith("-") and piece[:1].islower() else " "
        offsets.append(pos + (len(joiner) if parts else 0))
        line_numbers.append(number)
        parts.append((joiner if parts else "") + piece)
        pos += len(parts[-1])
    stream = "".join(parts)
    if not seen_standard:
        raise AnnexeParseError(f"line {first_line}: no standard heading (such as '2.1. Assessment') after 'Annexe 4'.")

    def line_at(offset: int) -> int:
        return line_numbers[max(0, bisect.bisect_right(offsets, offset) - 1)]

    samples = stated_samples(text) if samples is None else dict(samples)
    fw = load_framework(framework)
    known_standards = {st.id for st in fw.standards}
    known_key_questions = fw.key_questions
    rows = []
    standard: str | None = None
    standard_name: str | None = None
    key_question = key_question_text = None
    kq_count = 0
    pending = None  # (question text, footnote, offset) waiting for its two figures
    values: list[float] = []
    prompt_count = 0

    def flush_question_as_key_question(q, offset):
        nonlocal key_question, key_question_text, kq_count, prompt_count
        assert standard is not None  # a question before any standard heading is refused before this
        kq_count += 1
        number = f"{standard}.{kq_count}"
        while number in known_key_questions and known_key_questions[number].qualitative:
            kq_count += 1
            number = f"{standard}.{kq_count}"
        if number not in known_key_questions:
            raise AnnexeParseError(
                f"line {line_at(offset)}: key question {number} ({q!r}) is not in framework "
                f"{fw.name!r}; its key questions of standard {standard}: "
                f"{', '.join(fw.standard(standard).rated_key_questions) or 'none'}."
            )
        key_question, key_question_text, prompt_count = number, q, 0

    for m in _tokens(stream):
        if m.group("std"):
            if pending or values:
                raise AnnexeParseError(
                    f"line {line_at(m.start())}: a question or figures are left unfinished before standard "
                    f"{m.group('std_id')}."
                )
            standard, standard_name, kq_count, key_question = m.group("std_id"), m.group("std_name"), 0, None
            if standard not in known_standards:
                raise AnnexeParseError(
                    f"line {line_at(m.start())}: standard {standard} ({standard_name}) is not in "
                    f"framework {fw.name!r} (its standards: {', '.join(sorted(known_standards))})."
                )
            continue
        if m.group("hdr"):
            if pending is not None:
                flush_question_as_key_question(pending[0], pending[2])
                pending = None
            continue
        if m.group("q") is not None:
            question = " ".join(m.group("q").split())
            question, artefacts = _APOSTROPHE.subn("'", question)
            if standard is None:
                raise AnnexeParseError(
                    f"line {line_at(m.start())}: question before any standard heading: {question!r}."
                )
            if pending is not None:
                if values:
                    raise AnnexeParseError(f"line {line_at(pending[2])}: only one figure for {pending[0]!r}.")
                # the previous question had no figures: it was a key question
                flush_question_as_key_question(pending[0], pending[2])
            pending = (question, m.group("fn"), m.start(), artefacts)
            continue
        # a figure
        if pending is None:
            raise AnnexeParseError(f"line {line_at(m.start())}: figures {m.group(0)!r} without a question.")
        values.append(float("nan") if m.group("na") else _percent(m.group("pct"), line_at(m.start())))
        if len(values) == 2:
            if key_question is None:
                raise AnnexeParseError(
                    f"line {line_at(pending[2])}: prompt {pending[0]!r} has no key question above it."
                )
            question, footnote, offset, artefacts = pending
            notes = []
            if footnote:
                body = footnotes.get(int(footnote))
                notes.append(f"Footnote {footnote}: {body[:1].lower() + body[1:]}" if body else f"Footnote {footnote}.")
            values = _previous_may_be_missing(values, question, line_at(offset), notes)
            if artefacts:
                notes.append("Text extraction: '?' between letters read as an apostrophe (as in \"user's\").")
            note = " ".join(notes)
            rows.append(
                {
                    "standard": standard,
                    "standard_name": standard_name,
                    "key_question": key_question,
                    "key_question_text": key_question_text,
                    "prompt_id": f"{key_question}.{chr(97 + prompt_count)}",
                    "prompt": question,
                    "previous": values[0],
                    "current": values[1],
                    "note": note,
                }
            )
            prompt_count += 1
            pending, values = None, []
    if pending is not None:
        raise AnnexeParseError(f"line {line_at(pending[2])}: question {pending[0]!r} has no figures.")
    if not rows:
        raise AnnexeParseError(f"line {first_line}: no prompt rows found in Annexe 4.")
    frame = _assign_denominators(pd.DataFrame(rows), samples, fw)[list(PROMPT_COLUMNS)]
    # The dtypes of stats.load_report: text as "string" (no note: <NA>), percentages float, n Int64.
    text_columns = [c for c in PROMPT_COLUMNS if c not in ("previous", "current", "n_previous", "n_current")]
    frame[text_columns] = frame[text_columns].astype("string")
    frame["note"] = frame["note"].replace("", pd.NA)
    return frame


def _previous_may_be_missing(values: list[float], question: str, line: int, notes: list[str]) -> list[float]:
    """Put "No comparable data available" (nan) in the previous column, where it belongs; a prompt must
    have a current figure."""
    previous, current = values
    if current != current and previous != previous:
        raise AnnexeParseError(
            f"line {line}: prompt {question!r} has no current figure ('No comparable data available' twice); "
            "that phrase only describes the previous inspection: every prompt of the current framework has a "
            "current figure."
        )
    if current != current:
        notes.append(
            f"The extracted text gives {previous:g}% before 'No comparable data available'; read as "
            f"previous: none, current: {previous:g}% (the phrase only describes the previous inspection)."
        )
        return [float("nan"), previous]
    return values


def _assign_denominators(frame: pd.DataFrame, samples: dict[str, int], fw: Framework) -> pd.DataFrame:
    sample = pd.Series(
        [fw.sample_of(s, k) for s, k in zip(frame["standard"], frame["key_question"], strict=True)],
        index=frame.index,
        dtype=object,
    )
    for prefix, name in fw.prompt_samples:
        sample = sample.where(~frame["prompt"].str.startswith(prefix), name)
    n = sample.map(samples).astype("Int64")
    frame = frame.assign(
        sample=sample,
        n_current=n,
        n_previous=n,
        n_source=n.isna().map({True: "unknown", False: "stated"}),
        n_previous_source=n.isna().map({True: "unknown", False: "assumed"}),
    )
    return frame


def read_report_text(path: StrPath, *, encoding: str | None = None) -> str:
    """Text of a report: a text file (:func:`stats.io.read_text`: UTF-8, or UTF-16/32 with a byte
    order mark; empty and binary files are errors), or a ``.pdf`` through pypdf.

    PDF extraction needs the optional extra: ``pip install "inspection-stats[pdf]"``.

    See Also
    --------
    read_annexe : Parses the Annexe 4 tables of the text.
    stats.io.read_text : The reader of text files (encoding and size rules).

    Examples
    --------
    >>> from stats.annexe import read_report_text
    >>> from stats.reports import report_folder
    >>> text = read_report_text(report_folder("south-yorkshire-crc-2020") / "report.txt")
    >>> text.split()[:3]
    ['Foreword', 'This', 'is']
    >>> "Annexe 4: Inspection data" in text
    True
    """
    path = Path(path)
    if path.suffix.lower() == ".pdf":
        try:
            from pypdf import PdfReader
        except ImportError:
            raise ImportError('reading a PDF needs pypdf: pip install "inspection-stats[pdf]"') from None
        from . import limits
        from .io import (
            open_input,  # regular files only, size limit, before a byte is parsed
        )

        with open_input(path, max_bytes=limits.MAX_TEXT_BYTES) as fh:
            try:
                reader = PdfReader(fh)
                return "\n".join(page.extract_text() or "" for page in reader.pages)
            except Exception as err:  # pypdf raises many types for damaged files
                raise OSError(f"cannot read {str(path)!r} as PDF: {err}") from None
    from .io import (
        read_text,  # encodings, empty and binary files: the rules of every reader
    )

    return read_text(path, encoding=encoding)
