"""Command line: ``python -m stats [COMMAND] ...``.

With no command, runs the main job on the bundled report: sample design, the
labelled prompt and key-question tables, and the method used. Every error is a
message on stderr and exit code 2; output files are written whole or not at all.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import shutil
import sys
import tempfile
from collections.abc import Iterable, Iterator
from typing import Any, TextIO, cast

import pandas as pd

from . import io as sio
from .annexe import AnnexeParseError, read_annexe, read_report_text
from .cases import compare_inspections, read_cases, tabulate
from .change import ALTERNATIVES, COUNT_RULES, INTERVALS, METHODS, ChangeTest, compare_proportions
from .render import WRITERS, Record, Table, formats_for, get_writer
from .reports import DEFAULT_REPORT, Report, available_reports, load_report
from .samplesize import SAMPLE_SIZE_METHODS, margin_of_error, sample_design, sample_size
from .summary import audit_report, rate, summarise
from .tables import OUTPUT_COLUMNS, label_changes

__all__ = ["main", "build_parser"]

#: Former name of the text format, still accepted by --format.
_FORMAT_ALIASES = {"table": "text"}


class _Parser(argparse.ArgumentParser):
    """ArgumentParser whose errors say how to get help (exit code 2, as argparse)."""

    def error(self, message):
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\nTry '{self.prog} --help'.\n")


#: Largest whole number a numeric argument accepts: every integer up to 2**53 is exact as a float.
_MAX_WHOLE = 2**53


def _probability(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r} (inf and nan are not numbers here)")
    return value


def _whole(text: str) -> int:
    if text.strip().lstrip("+-").isdecimal() and abs(int(text)) > _MAX_WHOLE:  # exactly: float() rounds 2**53 + 1 down
        raise argparse.ArgumentTypeError(f"expected a whole number of at most 2**53 = {_MAX_WHOLE}, got {text!r}")
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r} (inf and nan are not allowed)")
    if abs(value) > _MAX_WHOLE:
        raise argparse.ArgumentTypeError(f"expected a whole number of at most 2**53 = {_MAX_WHOLE}, got {text!r}")
    if value != int(value):
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}")
    return int(value)


def _population(text: str) -> int:
    try:
        return _whole(text)
    except argparse.ArgumentTypeError as err:
        if text.strip().lower().lstrip("+") in ("inf", "infinity"):
            raise argparse.ArgumentTypeError(f"{err}; for an infinite population leave --population out") from None
        raise


def _names(text: str) -> tuple[str, ...]:
    names = tuple(n.strip() for n in text.split(","))
    if not all(names):
        raise argparse.ArgumentTypeError(f"expected column names separated by commas, got {text!r}")
    return names


def _megabytes(text: str) -> int:
    value = _probability(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a size in MB > 0, got {text!r}")
    return int(value * 2**20)


def _add_io_options(p: argparse.ArgumentParser) -> None:
    """Options of commands that read a file and write CSV/markdown (see stats.io)."""
    p.add_argument(
        "--encoding",
        help="input encoding when it is not UTF-8 or UTF-16 with a byte-order mark "
        "(e.g. cp1252 for Windows-1252 / Latin-1)",
    )
    p.add_argument(
        "--no-sanitize",
        dest="sanitize",
        action="store_false",
        help="write text cells starting with = + - @ tab or CR verbatim (default: prefix ' so "
        "spreadsheets do not run them as formulas)",
    )


def _format_name(text: str) -> str:
    return _FORMAT_ALIASES.get(text, text)


def _add_format_option(
    p: argparse.ArgumentParser, kind: str, *, json_alias: bool = False, default: str = "text"
) -> None:
    """--format with every registered format that writes ``kind`` (stats.render.formats_for), and -o.

    A format registered once in stats.render.WRITERS is offered by every command that writes its kind.
    """
    choices = formats_for(kind)
    listed = "; ".join(f"{name}: {WRITERS[name].description}" for name in choices)
    p.add_argument(
        "--format",
        type=_format_name,
        choices=choices,
        default=default,
        dest="format",
        help=f"output format (default {default}; 'table' is accepted for text). {listed}",
    )
    if json_alias:
        p.add_argument(
            "--json", action="store_const", const="json", dest="format", help="deprecated: the same as --format json"
        )
    p.add_argument(
        "-o",
        "--output",
        help="write to this file instead of standard output (written whole or not "
        "at all; never one of the command's input files)",
    )
    p.set_defaults(kind=kind)


def _add_test_options(p: argparse.ArgumentParser) -> None:
    """The test specification's options (stats.ChangeTest), the same for every command."""
    p.add_argument(
        "--alpha", type=_probability, default=0.10, help="significance level (default 0.1, the methodology's)"
    )
    p.add_argument(
        "--alternative", choices=ALTERNATIVES, default="two-sided", help="alternative hypothesis (default two-sided)"
    )
    p.add_argument(
        "--method",
        choices=tuple(METHODS),
        default="pooled",
        help="Z test variant (default pooled): " + "; ".join(f"{name}: {m.display}" for name, m in METHODS.items()),
    )
    p.add_argument(
        "--interval",
        choices=tuple(INTERVALS),
        default=None,
        help="confidence interval (default: the one dual to --method; newcombe is not dual)",
    )
    p.add_argument(
        "--counts",
        choices=COUNT_RULES,
        default="implied",
        help="test published percentages at the whole counts they imply (default) or at fractional counts, percent x n",
    )


def _test_from(args: argparse.Namespace) -> ChangeTest:
    """The one place the CLI turns its options into a test specification."""
    return ChangeTest(
        alpha=args.alpha, alternative=args.alternative, method=args.method, interval=args.interval, counts=args.counts
    )


def build_parser() -> argparse.ArgumentParser:
    """The command line's argument parser: the main job (``report``) and one sub-command per task.

    See Also
    --------
    main : parses the arguments and runs the command.
    stats.render.formats_for : the ``--format`` choices of each command.

    Examples
    --------
    >>> from stats.cli import build_parser
    >>> args = build_parser().parse_args(["compare", "0.54", "100", "0.71", "100", "--format", "json"])
    >>> args.command, args.format
    ('compare', 'json')
    """
    parser = _Parser(
        prog="python -m stats",
        description=(
            "inspection-stats: sample design and the Z change test for inspection data. "
            "With no command, labels the bundled South Yorkshire CRC 2020 report."
        ),
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("report", help="the main job: sample design and labelled tables of a bundled report (default)")
    p.add_argument(
        "--report", default=DEFAULT_REPORT, help=f"bundled report name (default {DEFAULT_REPORT}; see --list)"
    )
    p.add_argument("--list", action="store_true", help="list the bundled reports and exit")
    _add_path_option(p)
    _add_test_options(p)
    _add_format_option(p, "report")
    detail = p.add_mutually_exclusive_group()
    detail.add_argument(
        "--full",
        dest="detail",
        action="store_const",
        const="full",
        help="text: the main points, then every table, the checks, the design and the method (default)",
    )
    detail.add_argument(
        "--brief", dest="detail", action="store_const", const="brief", help="text: the main points and the ratings only"
    )
    p.set_defaults(detail="full")

    p = sub.add_parser("sample-size", help="cases needed for a margin of error at a confidence level")
    p.add_argument("--population", type=_population, default=None, help="eligible population N (default: infinite)")
    p.add_argument(
        "--margin", type=_probability, default=0.05, help="margin of error as a proportion (default 0.05 = 5 points)"
    )
    p.add_argument("--confidence-level", type=_probability, default=0.80, help="confidence level (default 0.80)")
    p.add_argument("--proportion", type=_probability, default=0.5, help="anticipated proportion (default 0.5)")
    p.add_argument(
        "--method", choices=SAMPLE_SIZE_METHODS, default="raosoft", help="finite population formula (default raosoft)"
    )
    _add_format_option(p, "record", json_alias=True)

    p = sub.add_parser("margin", help="margin of error achieved by n cases")
    p.add_argument("--n", type=_whole, required=True, help="number of cases")
    p.add_argument("--population", type=_population, default=None, help="eligible population N (default: infinite)")
    p.add_argument("--confidence-level", type=_probability, default=0.80, help="confidence level (default 0.80)")
    p.add_argument("--proportion", type=_probability, default=0.5, help="proportion (default 0.5)")
    _add_format_option(p, "record", json_alias=True)

    p = sub.add_parser("compare", help="Z test of one change: PREVIOUS N_PREVIOUS CURRENT N_CURRENT (proportions)")
    p.add_argument("previous", type=_probability, help="previous proportion, e.g. 0.54")
    p.add_argument("n_previous", type=_whole, help="cases at the previous inspection")
    p.add_argument("current", type=_probability, help="current proportion, e.g. 0.71")
    p.add_argument("n_current", type=_whole, help="cases at the current inspection")
    _add_test_options(p)
    _add_format_option(p, "record", json_alias=True)

    p = sub.add_parser("design", help="sample design of a bundled report's stated samples")
    p.add_argument("--report", default=DEFAULT_REPORT, help=f"bundled report name (default {DEFAULT_REPORT})")
    _add_path_option(p)
    _add_format_option(p, "table")

    p = sub.add_parser(
        "label",
        help="label a CSV table of previous/current percentages",
        description=(
            "Label every row of a CSV with columns previous, current (percent 0-100 as published, "
            "e.g. '71%' or 71; blank or 'No comparable data available' for none), n_previous, n_current, "
            "and optionally previous_count, current_count. Other columns pass through in order; the output "
            f"adds {', '.join(OUTPUT_COLUMNS)}."
        ),
    )
    p.add_argument("file", help="input CSV file")
    p.add_argument(
        "--scale",
        choices=("percent", "proportion"),
        default="percent",
        help="unit of the previous/current columns (default percent, as published)",
    )
    _add_test_options(p)
    _add_format_option(p, "table")
    _add_io_options(p)

    p = sub.add_parser("tabulate", help="prompt table from case-level records (CSV or Excel)")
    p.add_argument(
        "file", help="case file: one row per case, one column per prompt (Yes/No/Not applicable or 1/0/blank)"
    )
    p.add_argument(
        "--by", help="split by this case attribute (e.g. gender), with each sub-sample's margin and widening"
    )
    p.add_argument("--previous", help="the previous inspection's case file: print the labelled change table instead")
    p.add_argument("--id-column", default="case_id", help="case identifier column (default case_id)")
    _add_test_options(p)
    _add_format_option(p, "table")
    p.add_argument(
        "--attributes",
        type=_names,
        default=None,
        help="comma-separated case attribute columns (default: gender, sentence_type, risk_of_harm, "
        "officer_grade, harm_factors); every other column except the id must be a prompt",
    )
    p.add_argument(
        "--max-excel-mb",
        type=_megabytes,
        default=None,
        help="largest uncompressed size of an Excel workbook to read, in MB (default 200)",
    )
    p.add_argument("--sheet", default=None, help="workbook sheet to read (default: the first, which must be visible)")
    _add_io_options(p)

    p = sub.add_parser("read-report", help="parse the Annexe 4 prompt tables of a report (text or PDF) into a CSV")
    p.add_argument("file", help="REPORT.txt, or REPORT.pdf with the pdf extra installed")
    _add_format_option(p, "table", default="csv")
    _add_io_options(p)

    p = sub.add_parser("ratings", help="standard ratings, discretion flags and the total score of a report")
    p.add_argument("--report", default=DEFAULT_REPORT, help=f"bundled report name (default {DEFAULT_REPORT})")
    _add_path_option(p)
    _add_format_option(p, "table")

    p = sub.add_parser("audit", help="check each use of 'significant' in a report text against the Z test")
    p.add_argument("file", help="report text (as extracted from the PDF)")
    p.add_argument(
        "--encoding",
        help="text encoding when it is not UTF-8 or UTF-16 with a byte-order mark "
        "(e.g. cp1252 for Windows-1252 / Latin-1)",
    )
    p.add_argument(
        "--report", default=DEFAULT_REPORT, help=f"bundled tables to check against (default {DEFAULT_REPORT})"
    )
    _add_path_option(p)
    _add_test_options(p)
    p.add_argument(
        "--converse", action="store_true", help="list the significant changes and the words used for them instead"
    )
    _add_format_option(p, "table")

    p = sub.add_parser("sample", help="draw a case sample from a long list with the inspectorate's sampler rules")
    p.add_argument("file", help="long list (CSV or Excel) with the columns of stats.sampling.LONGLIST_COLUMNS")
    p.add_argument("--size", type=_whole, required=True, help="cases wanted before the buffer")
    p.add_argument(
        "--buffer", type=_probability, default=20.0, help="replacement buffer in percent (default 20, the sampler's)"
    )
    p.add_argument(
        "--seed", type=_whole, default=1, help="seed of the sampler's random generator, Kotlin Random(seed) (default 1)"
    )
    p.add_argument("--max-per-officer", type=_whole, default=6, help="most cases per responsible officer (default 6)")
    p.add_argument("--as-of", help="run date yyyy-mm-dd for 'not yet started' (default today)")
    p.add_argument("-o", "--output", help="write the drawn sample to this CSV (written whole or not at all)")
    p.add_argument("--sheet", default=None, help="workbook sheet to read (default: the first, which must be visible)")

    # -- reports as validated data (frameworks, schema, templates) --
    p = sub.add_parser(
        "validate",
        help="check a report folder against its schema; list every violation",
        description="Check report.toml and the five CSV files of FOLDER. Prints every violation "
        "(file, row from 1 after the header, column, value, rule); exit code 0 when "
        "valid, 1 when there are violations, 2 when FOLDER cannot be read.",
    )
    p.add_argument("folder", help="report folder")
    p.add_argument("--framework", help="framework name or .toml path (default: the one report.toml names)")
    _add_format_option(p, "table")
    p = sub.add_parser(
        "new-report",
        help="write an empty, documented report folder for a framework",
        description="Create folder NAME with report.toml, a README documenting every column, "
        "and CSV templates (standards and key questions pre-filled from the framework). "
        "Refuses to write into a folder that exists and is not empty.",
    )
    p.add_argument("name", help="folder to create (its last part is the report name: lower case, digits, hyphens)")
    p.add_argument("--framework", required=True, help="bundled framework name (adult-2018, youth-2018) or .toml path")
    return parser


def _add_path_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--path", metavar="FOLDER", help="a report folder of your own instead of a bundled --report")


def _load(args: argparse.Namespace) -> Report:
    """The report of --path FOLDER, else of the bundled --report NAME."""
    if getattr(args, "path", None):
        return load_report(path=args.path)
    return load_report(args.report)


def _folder_inputs(folder: str | os.PathLike[str]) -> tuple:
    """A folder and every file in it: an output may be none of them."""
    from pathlib import Path

    folder = Path(folder)
    try:
        files = sorted(p for p in folder.iterdir() if p.is_file())
    except OSError:
        files = []
    return (folder, *files)


def _report_inputs(report: Report) -> tuple:
    """A report's folder, every file in it and its framework file: an output may be none of them."""
    framework = getattr(report.framework, "path", None)
    return (*_folder_inputs(report.path), *((framework,) if framework else ()))


def _check_output(args: argparse.Namespace, inputs: Iterable[str | os.PathLike[str]]) -> None:
    """Refuse a bad -o before any work (a large input is not read for nothing)."""
    output = getattr(args, "output", None)
    if output:
        sio.check_output_path(output, inputs)
    elif get_writer(getattr(args, "format", "text")).binary:
        raise ValueError(f"--format {args.format} writes a binary file: give the file with -o FILE.")


def _deliver(
    data: str | bytes, output: str | None, inputs: Iterable[str | os.PathLike[str]] = (), *, what: str = "this format"
) -> None:
    """The one way out for every command: ``data`` to the file ``output`` (whole or not at all, never one of
    ``inputs``: every file and folder the command read, stats.io.check_output_path) or to standard output."""
    if isinstance(data, bytes):
        if not output:
            raise ValueError(f"{what} writes a binary file: give the file with -o FILE.")
        with sio.atomic_writer(output, inputs=inputs, binary=True) as fh:
            fh.write(data)
    elif output:
        sio.write_atomic(output, data, inputs=inputs)
    else:
        sys.stdout.write(data)


def _write(
    args: argparse.Namespace, kind: str, result: Any, inputs: Iterable[str | os.PathLike[str]] = (), **options: Any
) -> None:
    """``result`` of ``kind`` through the writer of --format, then :func:`_deliver` to -o or standard output."""
    writer = get_writer(getattr(args, "format", "text"))
    data = writer.write(kind, result, sanitize=getattr(args, "sanitize", True), **options)
    _deliver(data, getattr(args, "output", None), inputs, what=f"--format {writer.name}")


@contextlib.contextmanager
def _output_stream(output: str | None, inputs: Iterable[str | os.PathLike[str]] = ()) -> Iterator[TextIO]:
    """A text stream for streamed output: -o through stats.io.atomic_writer, else spooled to a temporary
    file and copied to stdout only on success (so an error never leaves half a table on stdout)."""
    if output:
        with sio.atomic_writer(output, inputs=inputs) as fh:
            yield cast(TextIO, fh)  # a text-mode writer (binary=False)
        return
    with tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as spool:
        yield spool
        spool.seek(0)
        shutil.copyfileobj(spool, sys.stdout)


def _cmd_sample_size(args: argparse.Namespace) -> int:
    _check_output(args, ())
    n = sample_size(
        args.population,
        margin=args.margin,
        confidence_level=args.confidence_level,
        proportion=args.proportion,
        method=args.method,
    )
    _write(
        args,
        "record",
        Record(
            {
                "n": n,
                "population": args.population,
                "margin": args.margin,
                "confidence_level": args.confidence_level,
                "proportion": args.proportion,
                "method": args.method,
            },
            view="sample-size",
        ),
    )
    return 0


def _cmd_margin(args: argparse.Namespace) -> int:
    _check_output(args, ())
    e = margin_of_error(args.n, args.population, confidence_level=args.confidence_level, proportion=args.proportion)
    _write(
        args,
        "record",
        Record(
            {
                "margin": e,
                "n": args.n,
                "population": args.population,
                "confidence_level": args.confidence_level,
                "proportion": args.proportion,
            },
            view="margin",
        ),
    )
    return 0


def _cmd_compare(args: argparse.Namespace) -> int:
    _check_output(args, ())
    res = compare_proportions(args.previous, args.n_previous, args.current, args.n_current, test=_test_from(args))
    ci = res.ci
    values = {
        "difference": res.difference,
        "statistic": res.statistic,
        "pvalue": res.pvalue,
        "significant": res.significant,
        "label": res.label,
        "ci_low": ci.low,
        "ci_high": ci.high,
        "test": res.test.to_dict(),
    }
    _write(args, "record", Record(values, view="compare", source=res))
    return 0


def _cmd_label(args: argparse.Namespace) -> int:
    """Label a table. Formats with a streaming writer (csv, json) get it chunk by chunk (memory independent
    of the file's length); the others get the whole table, at most stats.io.DISPLAY_ROW_LIMIT rows."""
    spec = _test_from(args)
    writer = get_writer(args.format)

    def labelled_chunks():
        from ._fastcsv import iter_table  # stats.io.iter_table's chunks and errors, parsed by pyarrow if installed

        for i, chunk in enumerate(iter_table(args.file, encoding=args.encoding)):
            try:  # the unit check ("every value at most 1") looks at the first chunk only
                yield label_changes(chunk, spec, intervals=True, scale=args.scale, check_scale=i == 0)
            except ValueError as err:
                raise ValueError(f"{args.file}: {err} (rows are numbered from 1 after the header)") from None

    inputs = (args.file,)
    _check_output(args, inputs)  # before reading a large input
    if writer.stream is not None and not writer.binary:
        with _output_stream(args.output, inputs) as fh:
            writer.stream(labelled_chunks(), fh, sanitize=args.sanitize)
        return 0
    parts, rows = [], 0
    for part in labelled_chunks():
        rows += len(part)
        if rows > sio.DISPLAY_ROW_LIMIT:
            raise ValueError(
                f"{args.file}: more than {sio.DISPLAY_ROW_LIMIT:,} rows; the {args.format} format holds the "
                "whole table in memory to lay it out: use --format csv (streamed, any size) with -o FILE."
            )
        parts.append(part)
    labelled = pd.concat(parts) if len(parts) > 1 else parts[0]
    _write(args, "table", Table(labelled, view="labelled", source=spec, title=f"Test: {spec.describe()}."), inputs)
    return 0


def _cmd_ratings(args: argparse.Namespace) -> int:
    report = _load(args)
    inputs = _report_inputs(report)
    _check_output(args, inputs)
    rated = rate(report)
    _write(args, "table", Table(rated.ratings, view="ratings", source=rated), inputs)
    return 0


def _cmd_audit(args: argparse.Namespace) -> int:
    report = _load(args)  # --path FOLDER: the report's own tables, else the bundled --report
    inputs = (args.file, *_report_inputs(report))
    _check_output(args, inputs)
    text = sio.read_text(args.file, encoding=args.encoding)
    result = audit_report(text, report, _test_from(args), source=args.file, converse_only=args.converse)
    _write(args, "table", Table(result.table, view="audit", source=result), inputs)
    return 0


def _cmd_tabulate(args: argparse.Namespace) -> int:
    read_options = dict(encoding=args.encoding, max_uncompressed=args.max_excel_mb, sheet_name=args.sheet)
    attributes = {} if args.attributes is None else {"attributes": args.attributes}
    inputs = (args.file, args.previous)
    _check_output(args, inputs)
    cases = read_cases(args.file, **read_options)
    if args.previous:
        previous = read_cases(args.previous, **read_options)
        spec = _test_from(args)
        try:
            table = compare_inspections(previous, cases, id_column=args.id_column, test=spec, **attributes)
        except ValueError as err:
            raise ValueError(f"{args.previous} / {args.file}: {err}") from None
        _write(args, "table", Table(table, view="labelled", source=spec), inputs)
        return 0
    try:
        table = tabulate(cases, by=args.by, id_column=args.id_column, **attributes)
    except ValueError as err:
        raise ValueError(f"{args.file}: {err} (rows are numbered from 1 after the header)") from None
    _write(args, "table", Table(table, view="tabulate"), inputs)
    return 0


def _cmd_read_report(args: argparse.Namespace) -> int:
    inputs = (args.file,)
    _check_output(args, inputs)
    text = read_report_text(args.file, encoding=args.encoding)
    try:
        prompts = read_annexe(text)
    except AnnexeParseError as err:
        raise ValueError(f"{args.file}: {err}") from None
    _write(args, "table", Table(prompts), inputs)
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    if getattr(args, "list", False):
        sys.stdout.write("\n".join(available_reports()) + "\n")
        return 0
    report = _load(args)
    inputs = _report_inputs(report)
    _check_output(args, inputs)
    options = {}
    if args.format == "text":  # laid out for the terminal it is printed on (COLUMNS, else the terminal)
        from .render.text import terminal_width

        options = {"width": terminal_width(), "detail": args.detail}
    elif args.detail == "brief":
        raise ValueError(f"--brief applies to --format text only (got --format {args.format}).")
    _write(args, "report", summarise(report, _test_from(args)), inputs, **options)
    return 0


def _cmd_design(args: argparse.Namespace) -> int:
    report = _load(args)
    inputs = _report_inputs(report)
    _check_output(args, inputs)
    _write(args, "table", Table(sample_design(report.samples), view="design"), inputs)
    return 0


def _cmd_sample(args: argparse.Namespace) -> int:
    from datetime import date

    from .render.csv import frame_csv
    from .sampling import draw_sample

    inputs = (args.file,)
    if args.output:
        sio.check_output_path(args.output, inputs)
    longlist = read_cases(args.file, sheet_name=args.sheet)
    as_of = None
    if args.as_of:
        try:
            as_of = date.fromisoformat(args.as_of)
        except ValueError:
            raise ValueError(f"--as-of ({args.as_of!r}) must be a date yyyy-mm-dd") from None
    try:
        draw = draw_sample(
            longlist, args.size, buffer=args.buffer, seed=args.seed, max_per_officer=args.max_per_officer, as_of=as_of
        )
    except ValueError as err:
        raise ValueError(f"{args.file}: {err} (rows are numbered from 1 after the header)") from None
    if args.output:
        _deliver(frame_csv(draw.sample), args.output, inputs)
    _deliver(
        get_writer("text").write(
            "table", Table(draw.sample, view="sample", source=(draw, args.file), note=args.output)
        ),
        None,
    )
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from .schema import validate_report

    inputs = (*_folder_inputs(args.folder), *((args.framework,) if args.framework else ()))
    _check_output(args, inputs)
    violations = validate_report(args.folder, framework=args.framework)
    _write(args, "table", Table(violations, view="validation", source=args.folder), inputs)
    return 0 if violations.empty else 1


def _cmd_new_report(args: argparse.Namespace) -> int:
    from .schema import write_templates

    written = write_templates(args.name, args.framework)
    sys.stdout.write(
        f"wrote {len(written)} files to {args.name}: "
        + ", ".join(p.name for p in written)
        + f"\nfill them in (see {args.name}/README.md), then run: python -m stats validate {args.name}\n"
    )
    return 0


_COMMANDS = {
    "report": _cmd_report,
    "sample-size": _cmd_sample_size,
    "margin": _cmd_margin,
    "compare": _cmd_compare,
    "design": _cmd_design,
    "label": _cmd_label,
    "ratings": _cmd_ratings,
    "tabulate": _cmd_tabulate,
    "read-report": _cmd_read_report,
    "audit": _cmd_audit,
    "sample": _cmd_sample,
    "validate": _cmd_validate,
    "new-report": _cmd_new_report,
}


#: Exit code for an internal error (a bug), distinct from 2 (usage or data error); BSD's EX_SOFTWARE.
_EXIT_BUG = 70


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 success, 2 usage or data error).

    See Also
    --------
    build_parser : the commands and their options.
    stats.summary.summarise : the analysis behind the main job.

    Examples
    --------
    >>> from stats.cli import main
    >>> main(["sample-size", "--population", "250"])
    100
    0
    >>> main(["compare", "0.54", "100", "1.71", "100"])  # 171 % is not a proportion: the message goes to stderr
    2
    """
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0].startswith("-") and argv[0] not in ("-h", "--help"):
        argv = ["report", *argv]  # `python -m stats --alpha 0.05`: options of the main job
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args(["report", *argv])
    try:
        return _COMMANDS[args.command](args)
    except (ValueError, TypeError, OSError, ImportError, OverflowError) as err:
        print(f"{parser.prog} {args.command}: error: {err}", file=sys.stderr)
        return 2
    except MemoryError:
        print(
            f"{parser.prog} {args.command}: error: not enough memory for this input "
            "(`label --format csv` streams inputs of any length).",
            file=sys.stderr,
        )
        return 2
    except KeyboardInterrupt:
        print(f"{parser.prog} {args.command}: interrupted; no output file was written.", file=sys.stderr)
        return 130
    except Exception as err:  # a bug, not a data error: say so, without a traceback unless asked
        if os.environ.get("STATS_DEBUG"):
            raise
        print(
            f"{parser.prog} {args.command}: internal error: {type(err).__name__}: {err}\n"
            "This is a bug in inspection-stats, not a problem with your input; please report it with the "
            "command line. Set STATS_DEBUG=1 to see the traceback.",
            file=sys.stderr,
        )
        return _EXIT_BUG
