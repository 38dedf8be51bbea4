"""Wording audit: does the report's use of "significant" match the Z test?

The methodology says inspectors use the word "significant" only for changes
that pass the Z test at 0.1 (Annexe 2, "Comparative data"). This module finds
every sentence using "significant" or "significantly", decides whether it
speaks of a change in inspection data or is ordinary English, links data
sentences to the table rows they most plausibly describe (same section, word
overlap) and gives a verdict from the labelled tables. It is a tool for a
human reviewer: every sentence is listed with its evidence, none is hidden.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from .change import DECLINE, IMPROVEMENT

__all__ = ["sentences", "audit_wording", "significant_changes_in_text", "referent", "VERDICTS", "CANNOT_BE_TESTED"]

#: "cannot be tested": the row the sentence speaks of has no previous figure, so no test can support
#: or contradict the claim of a change.
VERDICTS = ("supported", "not supported", "cannot be tested", "not about inspection data")
CANNOT_BE_TESTED = "cannot be tested"

_SIGNIFICANT = re.compile(r"\bsignificant(?:ly)?\b", re.I)
# A change over time or against the previous inspection.
_CHANGE_CUE = re.compile(
    r"since (?:the|our) (?:last|previous) inspection|compared (?:with|to) (?:the|our) (?:last|previous)"
    r"|than (?:previously|before|at the last)|previous inspection|last inspection"
    r"|\b(?:improv|declin|increas|decreas|deteriorat|rose|fell|dropp|dip)\w*",
    re.I,
)
# "significant(ly)" used of a change or a difference rather than of importance.
_SIGNIFICANT_CHANGE = re.compile(
    r"\b(?:improv|declin|increas|decreas|deteriorat|rose|fell|chang|better|worse|higher|lower)\w*\s+significantly\b"
    r"|\bsignificant(?:ly)?\s+(?:improv|declin|increas|decreas|deteriorat|rise|fall|drop|dip|better|worse|higher|lower)\w*",
    re.I,
)
_MODAL = re.compile(r"\b(?:needs? to|should|must|will need|would need|expect to)\b[^.]*\bsignificant", re.I)
_NEGATION = re.compile(
    r"\b(?:not|no|never|nor)\b[^.,;]{0,40}\bsignificant|\bsignificant\w*[^.,;]{0,10}\b(?:not)\b", re.I
)
_DECLINE = re.compile(r"\b(?:declin|decreas|deteriorat|fell|worse|lower|dropp|dip)\w*", re.I)
_CHANGE_WORDS = re.compile(
    r"\b(?:significant(?:ly)?|improv\w*|declin\w*|increas\w*|decreas\w*|deteriorat\w*|better|worse|higher|lower"
    r"|noticeable|considerabl\w*|marked(?:ly)?|slight(?:ly)?|dip|progress|stronger|weaker|more|less|rose|fell)\b",
    re.I,
)

# The stop words read as prose: a list literal of them would be a hundred lines.
_STOP = set(
    "a an the and or of to in on for with by at as is are was were be been being this that these those it its "  # noqa: SIM905
    "their there they them he she his her we our us any all each more most much many some such not no do does did "
    "has have had how what which who whom whose where when why than then so very also into from about over under "
    "sufficiently appropriate appropriately where necessary possible wherever case cases service user users user’s "
    "user's".split()
)

# A sentence opening with an anaphor speaks of something named in the sentence before it.
_ANAPHOR = re.compile(r"^\W*(?:the\s+(?P<which>latter|former)\b|(?:this|these|that|those|it|they|both|such)\b)", re.I)
# Clause boundaries: a comma or semicolon before a conjunction, or a contrasting subordinator.
_CLAUSE = re.compile(
    r"\s*;\s*|,\s*(?:and|but|or|yet|so|while|whereas|although|though)\s+"
    r"|\s+(?:although|though|whereas|while|but)\s+",
    re.I,
)
_ITEM = re.compile(r",\s*|\s+(?:and|or|as well as)\s+", re.I)

_HEADING = re.compile(r"^\s*(\d\.\d)\.? ([A-Z][A-Za-z ]+?)\s*$", re.M)
# "Our rating26 for assessment is based on ...": opens a standard's section (the heading box can come later).
_RATING_LINE = re.compile(r"^\s*Our rating\d* for ([A-Za-z ]+?) is based", re.M)
# A question (a key question or prompt quoted as a heading or table row), possibly with a footnote number.
_QUESTION = re.compile(r"\?\s*\d*\s*$")
_FOOTER = re.compile(r"^.*Inspection of probation services:.*$", re.M)
_BODY_END = re.compile(r"^\s*Annexe 1\b", re.M)


def _stem(word: str) -> str:
    """Crude suffix stripping so that involved/involvement and assessment(s)/assess meet."""
    changed = True
    while changed:
        changed = False
        for suffix in ("ing", "ed", "ment", "s"):
            if word.endswith(suffix) and len(word) - len(suffix) >= 4:
                word, changed = word[: -len(suffix)], True
                break
    return word[:-1] if word.endswith("e") and len(word) > 4 else word


def _words(text: str) -> set[str]:
    tokens = re.findall(r"[a-z’']+", text.lower().replace("-", " "))
    return {_stem(t) for t in tokens if t not in _STOP and len(t) > 2}


@dataclass(frozen=True)
class Sentence:
    """A sentence of the report body with its section (standard) and the sentence before it."""

    text: str
    section: str
    previous: str
    offset: int


def sentences(text: str) -> list[Sentence]:
    """Split the report body (before Annexe 1) into sentences, each with its section.

    Page footers are removed, lines are joined (words hyphenated across lines
    rejoined) and the text is split after ``.``, ``!`` or ``?`` followed by a
    capital letter. The section is the last standard heading ("2.3.
    Implementation and delivery") before the sentence, or "" before the first.

    See Also
    --------
    audit_wording : Checks the sentences that use "significant".

    Examples
    --------
    >>> from stats.audit import sentences
    >>> for s in sentences("2.1. Assessment\\n\\nAssessment has improved. Planning has not.\\n")[2:]:
    ...     print(s.section, "|", s.text, "|", s.previous)
    2.1 Assessment | Assessment has improved. | Assessment
    2.1 Assessment | Planning has not. | Assessment has improved.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str (got {type(text).__name__}).")
    end = _BODY_END.search(text, pos=len(text) // 3)
    body = text[: end.start()] if end else text
    body = _FOOTER.sub("", body)
    headings = [
        (m.start(), f"{m.group(1)} {m.group(2).strip()}")
        for m in _HEADING.finditer(body)
        if m.group(0).strip().startswith(m.group(1) + ".")
    ]
    by_name = {name.split(" ", 1)[1].lower(): name for _, name in headings}
    headings += [
        (m.start(), by_name[m.group(1).strip().lower()])
        for m in _RATING_LINE.finditer(body)
        if m.group(1).strip().lower() in by_name
    ]
    headings.sort()
    out: list[Sentence] = []
    previous = ""
    for para_match in re.finditer(r"(?:[^\n]+\n?)+", body):
        para = para_match.group(0)
        joined = re.sub(r"-\s*\n\s*", "-", para)
        joined = " ".join(joined.split())
        if not joined:
            continue
        section = ""
        for pos, name in headings:
            if pos <= para_match.start():
                section = name
        for s in re.split(r"(?<=[.!?])\s+(?=[A-Z‘“'\"])", joined):
            out.append(Sentence(text=s, section=section, previous=previous, offset=para_match.start()))
            previous = s
    return out


def referent(sentence: str, previous: str) -> str:
    """What a sentence opening with an anaphor refers to, in the sentence before it ("" if none).

    "The latter" is the last of the things the previous sentence names, "the former" the
    first: its clauses (split at a semicolon, a comma before a conjunction, or a contrasting
    "although", "whereas", "while", "but"), or, when it has a single clause, the phrases it
    joins by "and"/"or"/commas. Other anaphors ("This", "These", "It", "They", "Both", ...)
    refer to the whole previous sentence.

    See Also
    --------
    sentences : Gives each sentence with the sentence before it.
    audit_wording : Matches a sentence's referent when the sentence itself names nothing.

    Examples
    --------
    >>> from stats.audit import referent
    >>> referent("The latter has improved.", "Officers did not coordinate services, although engagement was better.")
    'engagement was better.'
    >>> referent("The former fell.", "Planning and reviewing were assessed.")
    'Planning'
    >>> referent("Planning improved.", "Anything.")
    ''
    """
    m = _ANAPHOR.match(sentence)
    if not m or not previous:
        return ""
    which = (m.group("which") or "").lower()
    if not which:
        return previous
    parts = [p for p in _CLAUSE.split(previous) if p and p.strip()]
    if len(parts) < 2:
        parts = [p for p in _ITEM.split(previous) if p and p.strip()]
    return (parts[-1] if which == "latter" else parts[0]).strip()


def _candidates(labelled_tables: list[pd.DataFrame]) -> pd.DataFrame:
    frames = []
    for t in labelled_tables:
        if "prompt" in t.columns:
            ids, texts = t["prompt_id"], t["prompt"]
        else:
            ids, texts = t["key_question"], t["key_question_text"]
        frames.append(
            pd.DataFrame(
                {
                    "id": ids.astype(str).to_numpy(),
                    "standard": t["standard"].astype(str).to_numpy(),
                    "text": texts.astype(str).to_numpy(),
                    "label": t["label"].astype(str).to_numpy(),
                    "difference": t["difference"].to_numpy(),
                    "pvalue": t["pvalue"].to_numpy(),
                }
            )
        )
    cand = pd.concat(frames, ignore_index=True)
    cand["words"] = cand["text"].map(_words)
    return cand


def _match(sentence: Sentence, cand: pd.DataFrame, top: int) -> pd.DataFrame:
    standard = sentence.section.split(" ")[0]
    pool = cand[cand["standard"] == standard] if standard else cand.iloc[0:0]
    if pool.empty:
        return pool.assign(score=[])
    own, context = _words(sentence.text), _words(sentence.previous)
    ref = referent(sentence.text, sentence.previous)
    if ref:  # an anaphor: the sentence speaks of its referent, whose words count in full
        own = own | _words(ref)
    # Share of the row's words found in the sentence. Only when the sentence itself says too little
    # (best share below 0.25) does the sentence before it count, at half weight.
    scores = pool["words"].map(lambda w: len(w & own) / max(len(w), 1))
    if scores.max() < 0.25 and not ref:
        scores = pool["words"].map(lambda w: (len(w & own) + 0.5 * len(w & (context - own))) / max(len(w), 1))
    ranked = pool.assign(score=scores).sort_values("score", ascending=False, kind="stable")
    best = ranked["score"].iloc[0]
    return ranked[(ranked["score"] > 0) & (ranked["score"] >= 0.6 * best)].head(top)


def _verdict(sentence: str, matches: pd.DataFrame) -> str:
    if matches.empty:
        return "not supported"
    best = matches.iloc[0]
    negated = bool(_NEGATION.search(sentence))
    claimed = DECLINE if _DECLINE.search(sentence) else IMPROVEMENT
    if best["label"] == "no comparable data":
        return CANNOT_BE_TESTED
    significant = best["label"] in (IMPROVEMENT, DECLINE)
    if negated:
        return "supported" if not significant else "not supported"
    return "supported" if best["label"] == claimed else "not supported"


def audit_wording(
    text: str, labelled_prompts: pd.DataFrame, labelled_key_questions: pd.DataFrame | None = None, *, top: int = 3
) -> pd.DataFrame:
    """Check every use of "significant"/"significantly" in a report against the labelled tables.

    Parameters
    ----------
    text : str
        Report text (as extracted from the PDF).
    labelled_prompts : pandas.DataFrame
        :func:`stats.label_changes` of the prompt table (``prompt_id``,
        ``prompt``, ``standard``, ``label``, ``difference``, ``pvalue``).
    labelled_key_questions : pandas.DataFrame, optional
        Labelled key-question table (``key_question``, ``key_question_text``).
    top : int, default 3
        Most matched rows listed per sentence.

    Returns
    -------
    pandas.DataFrame
        One row per sentence using the word: ``sentence``, ``section``,
        ``about_data`` (bool), ``reason`` (why it was or was not taken as a
        statement about a change in inspection data), ``matched_ids``,
        ``matched_prompts`` (texts, best first), ``matched_labels``,
        ``match_scores``, ``referent`` (what a sentence opening with an anaphor refers
        to, :func:`referent`; "" otherwise) and ``verdict`` in :data:`VERDICTS`.

    See Also
    --------
    significant_changes_in_text : The converse: each significant change and the words used for it.
    sentences : The sentences examined, with their sections.
    stats.label_changes : The labelled tables the wording is checked against.

    Notes
    -----
    *About inspection data*: the sentence uses "significant(ly)" of a change
    ("improved significantly", "significant improvement", "significantly
    lower") and refers to a change over time or against the previous
    inspection; a sentence saying what needs to happen ("needs to improve
    significantly") and sentences outside the standards' chapters are
    ordinary English. *Matching*: rows of the same standard, scored by the
    share of each row's content words (lower case, stop words removed, crude
    suffix stripping) found in the sentence. A sentence that opens with an
    anaphor ("The latter has improved significantly ...") speaks of its
    referent in the sentence before (:func:`referent`: the last clause or item
    for "the latter", the first for "the former", the whole sentence for
    "this", "it", ...), whose words count in full. Otherwise, only when no row
    reaches 0.25 does the sentence before it count too, at half weight. Rows
    scoring at least 60 % of the best are listed. *Verdict* from the best
    match: "cannot be tested" when it has no previous figure (no test can
    support or contradict a claimed change); otherwise "supported" when
    its label is a significant change in the claimed direction (or, for a
    negated claim, no significant change), else "not supported".

    Examples
    --------
    >>> import stats
    >>> from stats.audit import audit_wording
    >>> report = stats.load_report()
    >>> prompts = stats.label_changes(report.prompts)
    >>> key_questions = stats.label_changes(report.key_questions)
    >>> text = (
    ...     "2.1. Assessment\\n\\nAssessments of motivation and readiness to engage and comply with the sentence "
    ...     "have improved significantly since the last inspection.\\n"
    ... )
    >>> audited = audit_wording(text, prompts, key_questions)
    >>> audited[["verdict", "matched_ids", "match_scores"]]
         verdict    matched_ids match_scores
    0  supported  [2.1.1.a, 2.1.1]  [0.86, 0.67]
    """
    if not isinstance(labelled_prompts, pd.DataFrame):
        raise TypeError(
            f"labelled_prompts must be a DataFrame from stats.label_changes (got {type(labelled_prompts).__name__})."
        )
    for col in ("prompt_id", "prompt", "standard", "label"):
        if col not in labelled_prompts.columns:
            raise ValueError(f"labelled_prompts has no column {col!r}; pass stats.label_changes(report.prompts).")
    tables = [labelled_prompts] + ([labelled_key_questions] if labelled_key_questions is not None else [])
    cand = _candidates(tables)
    rows = []
    for s in sentences(text):
        if not _SIGNIFICANT.search(s.text):
            continue
        if not s.section:
            about, reason = False, "outside the chapters on the standards"
        elif _MODAL.search(s.text):
            about, reason = False, "says what needs to happen, not what changed"
        elif not _SIGNIFICANT_CHANGE.search(s.text):
            about, reason = False, "'significant' does not qualify a change or difference"
        elif not _CHANGE_CUE.search(s.text):
            about, reason = False, "no comparison with the previous inspection"
        else:
            about, reason = True, "describes a change since the previous inspection as significant"
        matches = _match(s, cand, top) if about else cand.iloc[0:0].assign(score=[])
        rows.append(
            {
                "sentence": s.text,
                "section": s.section,
                "about_data": about,
                "reason": reason,
                "matched_ids": matches["id"].tolist(),
                "matched_prompts": matches["text"].tolist(),
                "matched_labels": matches["label"].tolist(),
                "match_scores": [round(x, 2) for x in matches["score"]],
                "referent": referent(s.text, s.previous) if about else "",
                "verdict": _verdict(s.text, matches) if about else "not about inspection data",
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "sentence",
            "section",
            "about_data",
            "reason",
            "matched_ids",
            "matched_prompts",
            "matched_labels",
            "match_scores",
            "referent",
            "verdict",
        ],
    )


def significant_changes_in_text(
    text: str, labelled_prompts: pd.DataFrame, labelled_key_questions: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The converse list: each significant change and the words the narrative uses for it.

    For every row labelled a significant improvement or decline, the
    narrative sentence (questions quoted as headings are skipped) of the same
    section that best matches the row (same scoring as
    :func:`audit_wording`, requiring at least a third of the row's words) and
    the change words in it ("improved", "better", "noticeable", "significant",
    ...). Using "significant" here is allowed by the methodology; other words
    are allowed too, and the list shows the reader which changes passed the test.

    Returns
    -------
    pandas.DataFrame
        ``id``, ``text``, ``label``, ``difference``, ``pvalue``, ``sentence``
        (blank if none matches), ``score``, ``words`` (change words found).

    See Also
    --------
    audit_wording : The converse: each use of "significant" and the change it matches.
    stats.label_changes : Labels the changes listed here.

    Examples
    --------
    >>> import stats
    >>> from stats.audit import significant_changes_in_text
    >>> report = stats.load_report()
    >>> prompts = stats.label_changes(report.prompts)
    >>> key_questions = stats.label_changes(report.key_questions)
    >>> text = (
    ...     "2.1. Assessment\\n\\nAssessments of motivation and readiness to engage and comply with the sentence "
    ...     "have improved significantly since the last inspection.\\n"
    ... )
    >>> changes = significant_changes_in_text(text, prompts, key_questions)
    >>> first = changes.iloc[0]
    >>> first["id"], first["label"], float(first["score"]), first["words"]
    ('2.1.1.a', 'significant improvement', 0.86, ['improved', 'significantly'])
    >>> (changes["sentence"] == "").sum()  # significant changes the text does not mention
    np.int64(25)
    """
    tables = [labelled_prompts] + ([labelled_key_questions] if labelled_key_questions is not None else [])
    cand = _candidates(tables)
    cand = cand[cand["label"].isin([IMPROVEMENT, DECLINE])]
    body = [s for s in sentences(text) if s.section and not _QUESTION.search(s.text)]
    rows = []
    for _, row in cand.iterrows():
        best, best_score = None, 0.0
        for s in body:
            if s.section.split(" ")[0] != row["standard"]:
                continue
            score = len(row["words"] & _words(s.text)) / max(len(row["words"]), 1)
            if score > best_score:
                best, best_score = s, score
        found = best is not None and best_score >= 1 / 3
        rows.append(
            {
                "id": row["id"],
                "text": row["text"],
                "label": row["label"],
                "difference": row["difference"],
                "pvalue": row["pvalue"],
                "sentence": best.text if best is not None and found else "",
                "score": round(best_score, 2),
                "words": sorted({w.lower() for w in _CHANGE_WORDS.findall(best.text)})
                if best is not None and found
                else [],
            }
        )
    return pd.DataFrame(rows, columns=["id", "text", "label", "difference", "pvalue", "sentence", "score", "words"])
