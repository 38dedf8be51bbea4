"""Command line: ``python -m stats [COMMAND] ...``.

With no command, runs the main job on the bundled report: sample design, the
labelled prompt and key-question tables, and the method used. Every error is a
message on stderr and exit code 2; output files are written whole or not at all.
"""

from __future__ import annotations

import argparse
import json
import sys

import pandas as pd

from . import formatting as fmt
from .change import ALTERNATIVES, INTERVALS, METHODS, ChangeTest, compare_proportions
from .reports import DEFAULT_REPORT, available_reports, load_report
from .samplesize import SAMPLE_SIZE_METHODS, margin_of_error, sample_design, sample_size
from .annexe import AnnexeParseError, read_annexe, read_report_text
from .audit import audit_wording, significant_changes_in_text
from .cases import compare_inspections, read_cases, tabulate
from .ratings import overall, rate_report
from .summary import summarise
from .tables import OUTPUT_COLUMNS, label_changes

__all__ = ["main", "build_parser"]

#: Output formats of the report command (the main job).
REPORT_FORMATS = ("text", "html", "xlsx")


class _Parser(argparse.ArgumentParser):
    """ArgumentParser whose errors say how to get help (exit code 2, as argparse)."""

    def error(self, message):
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\nTry '{self.prog} --help'.\n")


def _probability(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None


def _whole(text: str) -> int:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value != int(value):
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}")
    return int(value)


def _add_test_options(p: argparse.ArgumentParser) -> None:
    """The test specification's options (stats.ChangeTest), the same for every command."""
    p.add_argument("--alpha", type=_probability, default=0.10, help="significance level (default 0.1, the methodology's)")
    p.add_argument("--alternative", choices=ALTERNATIVES, default="two-sided", help="alternative hypothesis (default two-sided)")
    p.add_argument("--method", choices=tuple(METHODS), default="pooled",
                   help="Z test variant: pooled (default), pooled-cc (Yates, as R's prop.test), unpooled (Wald), unpooled-cc")
    p.add_argument("--interval", choices=tuple(INTERVALS), default=None,
                   help="confidence interval (default: the one dual to --method; newcombe is not dual)")


def _test_from(args) -> ChangeTest:
    """The one place the CLI turns its options into a test specification."""
    return ChangeTest(alpha=args.alpha, alternative=args.alternative, method=args.method, interval=args.interval)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m stats",
        description=(
            "inspection-stats: sample design and the Z change test for inspection data. "
            "With no command, labels the bundled South Yorkshire CRC 2020 report."
        ),
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("report", help="the main job: sample design and labelled tables of a bundled report (default)")
    p.add_argument("--report", default=DEFAULT_REPORT, help=f"bundled report name (default {DEFAULT_REPORT}; see --list)")
    p.add_argument("--list", action="store_true", help="list the bundled reports and exit")
    _add_test_options(p)
    p.add_argument("--format", choices=REPORT_FORMATS, default="text",
                   help="text (default), html (one self-contained file with charts) or xlsx (workbook; needs -o)")
    p.add_argument("-o", "--output", help="write to this file (written whole or not at all)")

    p = sub.add_parser("sample-size", help="cases needed for a margin of error at a confidence level")
    p.add_argument("--population", type=_whole, default=None, help="eligible population N (default: infinite)")
    p.add_argument("--margin", type=_probability, default=0.05, help="margin of error as a proportion (default 0.05 = 5 points)")
    p.add_argument("--confidence-level", type=_probability, default=0.80, help="confidence level (default 0.80)")
    p.add_argument("--proportion", type=_probability, default=0.5, help="anticipated proportion (default 0.5)")
    p.add_argument("--method", choices=SAMPLE_SIZE_METHODS, default="raosoft", help="finite population formula (default raosoft)")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = sub.add_parser("margin", help="margin of error achieved by n cases")
    p.add_argument("--n", type=_whole, required=True, help="number of cases")
    p.add_argument("--population", type=_whole, default=None, help="eligible population N (default: infinite)")
    p.add_argument("--confidence-level", type=_probability, default=0.80, help="confidence level (default 0.80)")
    p.add_argument("--proportion", type=_probability, default=0.5, help="proportion (default 0.5)")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = sub.add_parser("compare", help="Z test of one change: PREVIOUS N_PREVIOUS CURRENT N_CURRENT (proportions)")
    p.add_argument("previous", type=_probability, help="previous proportion, e.g. 0.54")
    p.add_argument("n_previous", type=_whole, help="cases at the previous inspection")
    p.add_argument("current", type=_probability, help="current proportion, e.g. 0.71")
    p.add_argument("n_current", type=_whole, help="cases at the current inspection")
    _add_test_options(p)
    p.add_argument("--json", action="store_true", help="print JSON")

    p = sub.add_parser("design", help="sample design of a bundled report's stated samples")
    p.add_argument("--report", default=DEFAULT_REPORT, help=f"bundled report name (default {DEFAULT_REPORT})")
    p.add_argument("--format", choices=fmt.FORMATS, default="table")

    p = sub.add_parser(
        "label",
        help="label a CSV table of previous/current percentages",
        description=(
            "Label every row of a CSV with columns previous, current (percent 0-100 as published, "
            "e.g. '71%%' or 71; blank or 'No comparable data available' for none), n_previous, n_current, "
            "and optionally previous_count, current_count. Other columns pass through in order; the output "
            f"adds {', '.join(OUTPUT_COLUMNS)}."
        ),
    )
    p.add_argument("file", help="input CSV file")
    _add_test_options(p)
    p.add_argument("--format", choices=fmt.FORMATS, default="table", help="output format (default table)")
    p.add_argument("-o", "--output", help="write to this file instead of standard output (written whole or not at all)")

    p = sub.add_parser("tabulate", help="prompt table from case-level records (CSV or Excel)")
    p.add_argument("file", help="case file: one row per case, one column per prompt (Yes/No/Not applicable or 1/0/blank)")
    p.add_argument("--by", help="split by this case attribute (e.g. gender), with each sub-sample's margin and widening")
    p.add_argument("--previous", help="the previous inspection's case file: print the labelled change table instead")
    p.add_argument("--id-column", default="case_id", help="case identifier column (default case_id)")
    _add_test_options(p)
    p.add_argument("--format", choices=fmt.FORMATS, default="table")
    p.add_argument("-o", "--output", help="write to this file (written whole or not at all)")

    p = sub.add_parser("read-report", help="parse the Annexe 4 prompt tables of a report (text or PDF) into a CSV")
    p.add_argument("file", help="REPORT.txt, or REPORT.pdf with the pdf extra installed")
    p.add_argument("--format", choices=fmt.FORMATS, default="csv")
    p.add_argument("-o", "--output", help="write to this file (written whole or not at all)")

    p = sub.add_parser("ratings", help="standard ratings, discretion flags and the 0-30 score of a bundled report")
    p.add_argument("--report", default=DEFAULT_REPORT, help=f"bundled report name (default {DEFAULT_REPORT})")
    p.add_argument("--format", choices=fmt.FORMATS, default="table")

    p = sub.add_parser("audit", help="check each use of 'significant' in a report text against the Z test")
    p.add_argument("file", help="report text (as extracted from the PDF)")
    p.add_argument("--report", default=DEFAULT_REPORT, help=f"bundled tables to check against (default {DEFAULT_REPORT})")
    _add_test_options(p)
    p.add_argument("--converse", action="store_true", help="list the significant changes and the words used for them instead")
    p.add_argument("--format", choices=("table", "json"), default="table")
    return parser


def _emit(text: str, output: str | None = None) -> None:
    if output:
        fmt.write_atomic(output, text)
    else:
        sys.stdout.write(text)


def _cmd_sample_size(args) -> int:
    n = sample_size(args.population, margin=args.margin, confidence_level=args.confidence_level,
                    proportion=args.proportion, method=args.method)
    if args.json:
        _emit(json.dumps({"n": n, "population": args.population, "margin": args.margin,
                          "confidence_level": args.confidence_level, "proportion": args.proportion,
                          "method": args.method}) + "\n")
    else:
        _emit(f"{n}\n")
    return 0


def _cmd_margin(args) -> int:
    e = margin_of_error(args.n, args.population, confidence_level=args.confidence_level, proportion=args.proportion)
    if args.json:
        _emit(json.dumps({"margin": e, "n": args.n, "population": args.population,
                          "confidence_level": args.confidence_level, "proportion": args.proportion}) + "\n")
    else:
        _emit(f"{e:.4f} ({100 * e:.2f} percentage points at {100 * args.confidence_level:g}% confidence)\n")
    return 0


def _cmd_compare(args) -> int:
    res = compare_proportions(args.previous, args.n_previous, args.current, args.n_current, test=_test_from(args))
    ci = res.ci
    if args.json:
        _emit(json.dumps({"difference": res.difference, "statistic": res.statistic, "pvalue": res.pvalue,
                          "significant": res.significant, "label": res.label, "ci_low": ci.low, "ci_high": ci.high,
                          "test": res.test.to_dict()}) + "\n")
    else:
        _emit(fmt.compare_text(res))
    return 0


def _read_csv(path: str) -> pd.DataFrame:
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    except FileNotFoundError:
        raise OSError(f"cannot read {path!r}: no such file") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, IsADirectoryError, PermissionError) as err:
        raise OSError(f"cannot read {path!r} as CSV: {err}") from None
    table.index = pd.RangeIndex(1, len(table) + 1)
    return table


def _cmd_label(args) -> int:
    table = _read_csv(args.file)
    try:
        labelled = label_changes(table, _test_from(args), intervals=True)
    except ValueError as err:
        raise ValueError(f"{args.file}: {err} (rows are numbered from 1 after the header)") from None
    if args.format == "table":
        text = fmt.render(fmt.display_labelled(labelled), "table")
    else:
        text = fmt.render(labelled, args.format)
    _emit(text, args.output)
    return 0


def _cmd_ratings(args) -> int:
    report = load_report(args.report)
    if args.format == "table":
        rated = rate_report(report.key_questions, report.standards)
        published = report.overall.set_index("inspection").loc["current"]
        _emit(fmt.ratings_text(rated, overall(rated["rating"]), published))
    else:
        _emit(fmt.render(rate_report(report.key_questions, report.standards), args.format))
    return 0


def _cmd_audit(args) -> int:
    try:
        with open(args.file, encoding="utf-8") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError) as err:
        raise OSError(f"cannot read {args.file!r}: {err}") from None
    report = load_report(args.report)
    spec = _test_from(args)
    prompts = label_changes(report.prompts, spec)
    kq = label_changes(report.key_questions, spec)
    audited = audit_wording(text, prompts, kq)
    converse = significant_changes_in_text(text, prompts, kq)
    if args.format == "json":
        _emit(fmt.render(converse if args.converse else audited, "json"))
        return 0
    if args.converse:
        _emit(fmt.render(converse, args.format))
        return 0
    view = audited.assign(
        sentence=audited["sentence"].map(lambda t: fmt.shorten(t, 90)),
        matched_ids=audited["matched_ids"].map(", ".join),
    )[["section", "verdict", "matched_ids", "sentence"]]
    lines = [f"Uses of 'significant' in {args.file}: {len(audited)} sentences, "
             f"{int(audited['about_data'].sum())} about inspection data", fmt.render(view, "table").rstrip(), "",
             "Significant changes by the test and the words the narrative uses for them:"]
    cview = converse.assign(words=converse["words"].map(", ".join),
                            sentence=converse["sentence"].map(lambda t: fmt.shorten(t, 70)))
    lines.append(fmt.render(cview[["id", "label", "words", "sentence"]], "table").rstrip())
    _emit("\n".join(lines) + "\n")
    return 0


def _cmd_tabulate(args) -> int:
    cases = read_cases(args.file)
    if args.previous:
        previous = read_cases(args.previous)
        try:
            table = compare_inspections(previous, cases, id_column=args.id_column, test=_test_from(args))
        except ValueError as err:
            raise ValueError(f"{args.previous} / {args.file}: {err}") from None
        _emit(fmt.render(fmt.display_labelled(table) if args.format == "table" else table, args.format), args.output)
        return 0
    try:
        table = tabulate(cases, by=args.by, id_column=args.id_column)
    except ValueError as err:
        raise ValueError(f"{args.file}: {err} (rows are numbered from 1 after the header)") from None
    if args.format == "table":
        view = table.assign(percent=table["percent"].map(lambda x: "" if pd.isna(x) else f"{x:.1f}"),
                            margin=table["margin"].map(lambda x: "not testable" if pd.isna(x) else f"{x:.2f}"))
        if "widening" in view:
            view["widening"] = view["widening"].map(lambda x: "" if pd.isna(x) else f"x{x:.3f}")
        _emit(fmt.render(view.drop(columns=["testable"]), "table"), args.output)
    else:
        _emit(fmt.render(table, args.format), args.output)
    return 0


def _cmd_read_report(args) -> int:
    text = read_report_text(args.file)
    try:
        prompts = read_annexe(text)
    except AnnexeParseError as err:
        raise ValueError(f"{args.file}: {err}") from None
    _emit(fmt.render(prompts, args.format), args.output)
    return 0


def _cmd_report(args) -> int:
    if getattr(args, "list", False):
        _emit("\n".join(available_reports()) + "\n")
        return 0
    summary = summarise(load_report(args.report), _test_from(args))
    report_format = getattr(args, "format", "text")
    output = getattr(args, "output", None)
    if report_format == "html":
        from .reporting import to_html

        _emit(to_html(summary), output)
    elif report_format == "xlsx":
        if not output:
            raise ValueError("--format xlsx writes a binary workbook: give the file with -o REPORT.xlsx")
        from .reporting import write_xlsx

        write_xlsx(summary, output)
    else:
        _emit(fmt.report_text(summary), output)
    return 0


def _cmd_design(args) -> int:
    design = sample_design(load_report(args.report).samples)
    _emit(fmt.render(fmt.design_view(design) if args.format == "table" else design, args.format))
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
}


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 success, 2 usage or data error)."""
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0].startswith("-") and argv[0] not in ("-h", "--help"):
        argv = ["report", *argv]  # `python -m stats --alpha 0.05`: options of the main job
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args(["report", *argv])
    try:
        return _COMMANDS[args.command](args)
    except (ValueError, TypeError, OSError, ImportError) as err:
        print(f"{parser.prog} {args.command}: error: {err}", file=sys.stderr)
        return 2
