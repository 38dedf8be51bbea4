"""Limits on the size of inputs, checked before any work is done, each with its reason.

Every reader and every command checks its input against these limits *before*
parsing or computing, so a hostile or mistaken input (a FIFO, ``/dev/zero``, a
CSV of a million columns, a framework of a million standards, ``n = 10**20``)
is refused within a second with a message that names the limit, never after
minutes of work or gigabytes of memory. Each error message names the constant
(``stats.limits.MAX_REPORT_N`` and so on), so a user who has a genuine need
knows what to raise; the library functions that apply a limit take it as a
keyword where a genuine input could exceed it (``max_uncompressed=`` for
workbooks, for example).

The values are far above anything a real inspection produces (the numbers in
each comment say how far) and far below what the machine could not do.
"""

from __future__ import annotations

__all__ = [
    "Limit",
    "MAX_REPORT_N",
    "MAX_SAMPLE_SIZE",
    "MAX_COLUMNS",
    "MAX_LINE_CHARS",
    "MAX_REPORT_ROWS",
    "MAX_REPORT_FILE_BYTES",
    "MAX_TOML_BYTES",
    "MAX_TEXT_BYTES",
    "MAX_STANDARDS",
    "MAX_KEY_QUESTIONS",
    "MAX_DOMAINS",
    "MAX_RATINGS",
    "MAX_WORKBOOK_ROWS",
    "MAX_WORKBOOK_COLUMNS",
    "MAX_WORKBOOK_BYTES",
    "MAX_CASE_ROWS",
    "MAX_CELL_CHARS",
    "LIMITS",
    "describe",
]


class Limit(int):
    """A whole-number limit that knows its name (``stats.limits.MAX_...``), so every message can name it.

    See Also
    --------
    describe : The limit in words, with its name, for an error message.
    stats.limits.LIMITS : Every limit with its reason.

    Examples
    --------
    >>> from stats.limits import MAX_REPORT_ROWS, Limit
    >>> MAX_REPORT_ROWS, MAX_REPORT_ROWS.name
    (500, 'stats.limits.MAX_REPORT_ROWS')
    >>> Limit(10, "MAX_EXAMPLE") + 1
    11
    """

    name: str

    def __new__(cls, value: int, name: str) -> Limit:
        self = super().__new__(cls, value)
        self.name = f"stats.limits.{name}"
        return self

    def __repr__(self) -> str:
        return int.__repr__(self)


def describe(limit: int, unit: str = "") -> str:
    """``"the limit of 500 rows (stats.limits.MAX_REPORT_ROWS)"``; without the name for a plain int.

    See Also
    --------
    Limit : A whole number that carries its name.

    Examples
    --------
    >>> from stats.limits import MAX_REPORT_ROWS, describe
    >>> describe(MAX_REPORT_ROWS, "rows")
    'the limit of 500 rows (stats.limits.MAX_REPORT_ROWS)'
    >>> describe(2000, "rows")
    'the limit of 2,000 rows'
    """
    name = getattr(limit, "name", None)
    return f"the limit of {int(limit):,}" + (f" {unit}" if unit else "") + (f" ({name})" if name else "")


#: Largest number of cases (``n``, ``n_previous``, ``n_current``) in a row or a sample of a report
#: folder. Why: inspection samples are sized by the margin-of-error rule, which never asks for more
#: than a few hundred cases (165 at 80 % confidence and a 5-point margin, the Inspectorate's rule;
#: 385 at 95 % confidence, the strictest level in use; fewer still for a finite population). The
#: exact tests and feasible-count checks of the main job grow with the number of possible tables
#: (about n**2): measured on the bundled report with one prompt at n_previous = n_current = n, the
#: main job took 1.3 s and 0.2 GB at n = 300, 12 s and 0.5 GB at n = 600, and over 4 GB at
#: n = 1000 (n = 2000 took 19 GB). 500 allows every sample the rule can give, with room, and keeps
#: the main job within seconds and half a gigabyte.
MAX_REPORT_N = Limit(500, "MAX_REPORT_N")

#: Largest ``size`` the sampler (``draw_sample``, ``sample --size``) accepts. Why: the same rule:
#: a sample larger than a few hundred cases is never drawn for an inspection (the bundled design is
#: 100 cases plus a 20 % buffer); the allocation steps loop over strata, delivery units and officers
#: up to the size, so ``--size 1e9`` ran for minutes.
MAX_SAMPLE_SIZE = Limit(10_000, "MAX_SAMPLE_SIZE")

#: Largest number of columns in a CSV table (any reader of :mod:`stats.io`). Why: the widest input
#: is a case file, one column per prompt (about 60 in the bundled synthetic cases, about 120 for a
#: whole framework); a 10 MB CSV of a million columns took 19 minutes and 6.4 GB in ``label``.
MAX_COLUMNS = Limit(1_000, "MAX_COLUMNS")

#: Longest line (characters) of a CSV table or a report text. Why: a row of figures and a prompt's
#: text is a few hundred characters; a file with no line breaks would otherwise be read into memory
#: whole before any check.
MAX_LINE_CHARS = Limit(1 << 20, "MAX_LINE_CHARS")

#: Largest number of rows of each CSV file of a report folder. Why: a report has one row per prompt
#: (76 in the bundled report; a framework has about 100 prompts) or key question (18); every row is
#: labelled and tested exactly by the main job, so rows bound its work (measured at 1000 valid prompt
#: rows: 19 s for the main job, 59 s for the HTML report). 500 is five times a framework's prompts.
MAX_REPORT_ROWS = Limit(500, "MAX_REPORT_ROWS")

#: Largest size (bytes) of each CSV file of a report folder. Why: a report's tables are about 100
#: rows (the bundled prompts.csv is 30 KB); 10 MB is 300 times that.
MAX_REPORT_FILE_BYTES = Limit(10 * 2**20, "MAX_REPORT_FILE_BYTES")

#: Largest size (bytes) of a TOML file (``report.toml``, a framework). Why: the bundled frameworks are
#: about 10 KB; TOML is parsed whole in memory.
MAX_TOML_BYTES = Limit(1 * 2**20, "MAX_TOML_BYTES")

#: Largest size (bytes) of a report's text (``read-report``, ``audit``). Why: a whole inspection
#: report as text is about 300 KB (the bundled report.txt); the text is held whole in memory.
MAX_TEXT_BYTES = Limit(50 * 2**20, "MAX_TEXT_BYTES")

#: Largest number of standards in a framework. Why: the published frameworks have 10 (adult) and
#: 12 (youth).
MAX_STANDARDS = Limit(200, "MAX_STANDARDS")

#: Largest number of key questions in a framework (all standards together). Why: the published
#: frameworks have about 40; 2000 is 10 per standard at the standard limit.
MAX_KEY_QUESTIONS = Limit(2_000, "MAX_KEY_QUESTIONS")

#: Largest number of domains in a framework. Why: the published frameworks have 3 or 4.
MAX_DOMAINS = Limit(50, "MAX_DOMAINS")

#: Largest number of ratings in a framework. Why: the published frameworks have 4.
MAX_RATINGS = Limit(20, "MAX_RATINGS")

#: Largest number of rows of a worksheet (``read_cases``), read from the sheet's dimension before
#: any cell. Why: a case file holds one row per inspected case (about 100) and a long list one per
#: eligible case of a provider (a few thousand); a 1-million-row workbook took 7 minutes and 4.7 GB.
MAX_WORKBOOK_ROWS = Limit(100_000, "MAX_WORKBOOK_ROWS")

#: Largest number of columns of a worksheet (as :data:`MAX_COLUMNS`).
MAX_WORKBOOK_COLUMNS = Limit(MAX_COLUMNS, "MAX_WORKBOOK_COLUMNS")

#: Largest uncompressed size (bytes) of an Excel workbook, from its zip directory before it is opened
#: (``read_cases(max_uncompressed=)``, CLI ``--max-excel-mb``). Why: a workbook of a few thousand cases
#: is well under 10 MB; a zip bomb expands a few kilobytes to gigabytes.
MAX_WORKBOOK_BYTES = Limit(200 * 2**20, "MAX_WORKBOOK_BYTES")

#: Largest number of rows of a case file or a long list (``read_cases``: CSV or workbook; the
#: sampler), counted as the file is read. Why: as :data:`MAX_WORKBOOK_ROWS`.
MAX_CASE_ROWS = Limit(100_000, "MAX_CASE_ROWS")

#: Excel's limit on the characters of one cell: longer text is flagged (never cut without a word).
MAX_CELL_CHARS = Limit(32_767, "MAX_CELL_CHARS")

#: Every limit by name, for documentation and tests: ``{name: value}``.
LIMITS = {name: int(globals()[name]) for name in __all__ if name.startswith("MAX_")}
