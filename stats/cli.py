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
from .change import ALTERNATIVES, LABELS, compare_proportions
from .reports import DEFAULT_REPORT, Report, available_reports, load_report
from .samplesize import SAMPLE_SIZE_METHODS, margin_of_error, sample_design, sample_size
from .annexe import AnnexeParseError, read_annexe, read_report_text
from .audit import audit_wording, significant_changes_in_text
from .cases import compare_inspections, read_cases, tabulate
from .consistency import robust_labels
from .ratings import overall, rate_report
from .tables import OUTPUT_COLUMNS, label_changes

__all__ = ["main", "build_parser"]


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
    p.add_argument("--alpha", type=_probability, default=0.10, help="significance level (default 0.1, the methodology's)")
    p.add_argument("--alternative", choices=ALTERNATIVES, default="two-sided", help="alternative hypothesis (default two-sided)")
    p.add_argument("--unpooled", action="store_true", help="use the unpooled (Wald) variance instead of the pooled one")
    p.add_argument("--continuity", action="store_true", help="apply Yates's continuity correction (as R's prop.test)")


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
    _add_path_option(p)
    _add_test_options(p)

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
    _add_path_option(p)
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
    p.add_argument("--alpha", type=_probability, default=0.10, help="significance level for --previous (default 0.1)")
    p.add_argument("--format", choices=fmt.FORMATS, default="table")
    p.add_argument("-o", "--output", help="write to this file (written whole or not at all)")

    p = sub.add_parser("read-report", help="parse the Annexe 4 prompt tables of a report (text or PDF) into a CSV")
    p.add_argument("file", help="REPORT.txt, or REPORT.pdf with the pdf extra installed")
    p.add_argument("--format", choices=fmt.FORMATS, default="csv")
    p.add_argument("-o", "--output", help="write to this file (written whole or not at all)")

    p = sub.add_parser("ratings", help="standard ratings, discretion flags and the total score of a report")
    p.add_argument("--report", default=DEFAULT_REPORT, help=f"bundled report name (default {DEFAULT_REPORT})")
    _add_path_option(p)
    p.add_argument("--format", choices=fmt.FORMATS, default="table")

    p = sub.add_parser("audit", help="check each use of 'significant' in a report text against the Z test")
    p.add_argument("file", help="report text (as extracted from the PDF)")
    p.add_argument("--report", default=DEFAULT_REPORT, help=f"bundled tables to check against (default {DEFAULT_REPORT})")
    p.add_argument("--alpha", type=_probability, default=0.10, help="significance level (default 0.1)")
    p.add_argument("--converse", action="store_true", help="list the significant changes and the words used for them instead")
    p.add_argument("--format", choices=("table", "json"), default="table")

    # -- reports as validated data (frameworks, schema, templates) --
    p = sub.add_parser("validate", help="check a report folder against its schema; list every violation",
                       description="Check report.toml and the five CSV files of FOLDER. Prints every violation "
                                   "(file, row from 1 after the header, column, value, rule); exit code 0 when "
                                   "valid, 1 when there are violations, 2 when FOLDER cannot be read.")
    p.add_argument("folder", help="report folder")
    p.add_argument("--framework", help="framework name or .toml path (default: the one report.toml names)")
    p.add_argument("--format", choices=fmt.FORMATS, default="table")
    p = sub.add_parser("new-report", help="write an empty, documented report folder for a framework",
                       description="Create folder NAME with report.toml, a README documenting every column, "
                                   "and CSV templates (standards and key questions pre-filled from the framework). "
                                   "Refuses to write into a folder that exists and is not empty.")
    p.add_argument("name", help="folder to create (its last part is the report name: lower case, digits, hyphens)")
    p.add_argument("--framework", required=True, help="bundled framework name (adult-2018, youth-2018) or .toml path")
    return parser


def _add_path_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--path", metavar="FOLDER", help="a report folder of your own instead of a bundled --report")


def _load(args) -> Report:
    """The report of --path FOLDER, else of the bundled --report NAME."""
    if getattr(args, "path", None):
        return load_report(path=args.path)
    return load_report(args.report)


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
    res = compare_proportions(args.previous, args.n_previous, args.current, args.n_current, alpha=args.alpha,
                              alternative=args.alternative, pooled=not args.unpooled, continuity=args.continuity)
    ci = res.ci
    if args.json:
        _emit(json.dumps({"difference": res.difference, "statistic": res.statistic, "pvalue": res.pvalue,
                          "significant": res.significant, "label": res.label, "ci_low": ci.low, "ci_high": ci.high,
                          "alpha": res.alpha, "alternative": res.alternative, "pooled": res.pooled,
                          "continuity": res.continuity}) + "\n")
    else:
        _emit(
            f"difference  {100 * res.difference:+.1f} points ({res.previous:.1%} -> {res.current:.1%})\n"
            f"z           {res.statistic:.4f}\n"
            f"p-value     {res.pvalue:.4g}\n"
            f"{100 * (1 - res.alpha):g}% CI    {100 * ci.low:+.1f} to {100 * ci.high:+.1f} points (Newcombe)\n"
            f"label       {res.label}\n"
            f"({_method_text(res.alpha, res.alternative, res.pooled, res.continuity)})\n"
        )
    return 0


def _method_text(alpha, alternative, pooled, continuity) -> str:
    return (
        f"{alternative} {'pooled' if pooled else 'unpooled'} two-proportion Z test"
        f"{' with continuity correction' if continuity else ', no continuity correction'}, alpha = {alpha:g}"
    )


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
        labelled = label_changes(table, alpha=args.alpha, alternative=args.alternative,
                                 pooled=not args.unpooled, continuity=args.continuity)
    except ValueError as err:
        raise ValueError(f"{args.file}: {err} (rows are numbered from 1 after the header)") from None
    if args.format == "table":
        text = fmt.render(fmt.display_labelled(labelled), "table")
    else:
        text = fmt.render(labelled, args.format)
    _emit(text, args.output)
    return 0


def _design_view(design: pd.DataFrame) -> pd.DataFrame:
    def rng(lo, hi, spec):
        if pd.isna(lo):
            return ""
        a, b = format(lo, spec), format(hi, spec)
        return a if a == b else f"{a}-{b}"

    return pd.DataFrame({
        "sample": design["sample"],
        "n": design["n"],
        "sub-sample of": design.get("parent", pd.Series([""] * len(design))).fillna(""),
        "margin (inf. N)": design["margin"].map(lambda x: f"{x:.2f}"),
        "implied N": [rng(a, b, ".0f") for a, b in zip(design["implied_population_low"], design["implied_population_high"])],
        "margin at implied N": [rng(a, b, ".2f") for a, b in zip(design["margin_fpc_low"], design["margin_fpc_high"])],
        "widening": design["widening"].map(lambda x: "" if pd.isna(x) else f"x{x:.3f}"),
    })


def _report_text(report_name, alpha: float, alternative: str, pooled: bool, continuity: bool) -> str:
    report = report_name if isinstance(report_name, Report) else load_report(report_name)
    lines: list[str] = []
    w = lines.append
    w(f"inspection-stats: {report.name}")
    w("=" * 78)
    if report.constructed:
        w("CONSTRUCTED example data: not a real inspection (report.toml: constructed = true).")
    w("")
    w("1. Sample design (margins in percentage points, 80% confidence, p = 0.5)")
    w("")
    design = sample_design(report.samples)
    w(fmt.render(_design_view(design), "table").rstrip())
    w("")
    w("   Implied N: eligible populations for which the stated rule (80% confidence, 5-point margin,")
    w("   N*n0/(N+n0-1) rounded up) gives exactly this n; sub-samples scale their parent's range.")
    w("   Widening: sub-sample margin / full-sample margin (no finite population correction).")
    w("")
    options = dict(alpha=alpha, alternative=alternative, pooled=pooled, continuity=continuity)
    labelled = label_changes(report.prompts, **options)
    robust = robust_labels(report.prompts, alpha=alpha, alternative=alternative)
    shown = labelled.join(robust[["robust_label", "significant_from_n"]])
    w(f"2. Prompt table (Annexe 4): {len(labelled)} prompts, previous vs current inspection")
    for (std, std_name), part in shown.groupby(["standard", "standard_name"], sort=False):
        w("")
        w(f"== {std} {std_name} " + "=" * max(0, 70 - len(std) - len(std_name)))
        for (kq, kq_text), rows in part.groupby(["key_question", "key_question_text"], sort=False):
            w(f"-- {kq} {kq_text}")
            view = fmt.display_labelled(rows, prompt_width=58).drop(columns=["id"])
            w(fmt.render(view, "table").rstrip())
    counts = labelled["label"].value_counts()
    w("")
    w("   Totals: " + "; ".join(f"{label}: {int(counts.get(label, 0))}" for label in LABELS))
    w("")
    kq = label_changes(report.key_questions, **options)
    w("   Key questions (chapters 2 and 3)")
    view = fmt.display_labelled(kq.rename(columns={"key_question_text": "prompt", "key_question": "prompt_id"}), prompt_width=58)
    w(fmt.render(view, "table").rstrip())
    kq_counts = kq["label"].value_counts()
    w("   Totals: " + "; ".join(f"{label}: {int(kq_counts.get(label, 0))}" for label in LABELS))
    w("")
    w("   'if n unknown': the pooled test over every pair of denominators the published percentages allow")
    w("   (current 0.5-1 x the stated sample, previous 0.5-1.5 x; see stats.consistency.robust_labels).")
    w("")
    w(f"3. Ratings (Annexe 2: lowest key-question band; score 0-{report.framework.maximum}, framework {report.framework.name})")
    w("")
    w(_ratings_text(report).rstrip())
    w("")
    w("4. Method")
    n_assumed = int((report.prompts["n_previous_source"] == "assumed").sum())
    w(f"   {_method_text(alpha, alternative, pooled, continuity)}; significant when p <= alpha.")
    used = report.prompts.groupby("sample", sort=False)["n_current"].first()
    w("   Denominators: n_current is the sample the report states for each prompt's table ("
      + ", ".join(f"{name} {int(n)}" for name, n in used.items()) + ");")
    w(f"   n_previous is assumed equal to n_current for {n_assumed} of {len(report.prompts)} prompts (the previous")
    w("   sample is not published). Override the n columns and run `python -m stats label` to test other denominators.")
    return "\n".join(lines) + "\n"


def _ratings_view(rated: pd.DataFrame) -> pd.DataFrame:
    def cell(x, spec=""):
        return "" if x is None or x is pd.NA or (isinstance(x, float) and pd.isna(x)) else format(x, spec)

    return pd.DataFrame({
        "standard": rated["standard"] + " " + rated["standard_name"],
        "lowest KQ": [f"{cell(k)} {cell(p, '.0f')}%" if cell(k) else "" for k, p in zip(rated["lowest_key_question"], rated["lowest_percent"])],
        "mechanical": rated["mechanical_rating"].map(cell),
        "discretion?": rated["discretion_candidate"].map(lambda x: "" if x is pd.NA or pd.isna(x) else ("candidate" if x else "no")),
        "recorded": rated["discretion_rating"].map(cell),
        "rating": rated["rating"],
        "published": rated["published_rating"],
        "match": rated["matches_published"].map({True: "yes", False: "NO"}),
        "score": rated["score"],
    })


def _ratings_text(report) -> str:
    fw = report.framework
    rated = rate_report(report.key_questions, report.standards, framework=fw)
    total = overall(rated.loc[rated["score"].notna(), "rating"], framework=fw)
    published = report.overall.set_index("inspection").loc["current"]
    shown = "not published" if pd.isna(published["score"]) else f"{int(published['score'])}/{total.maximum}"
    lines = [fmt.render(_ratings_view(rated), "table").rstrip()]
    lines.append(f"   Total {total.score}/{total.maximum}, {total.rating} (published: {shown}, {published['rating']}).")
    for _, row in rated[rated["discretion_candidate"].fillna(False).astype(bool)].iterrows():
        lines.append(f"   Discretion candidate {row['standard']} {row['standard_name']}: {row['discretion_reason']}.")
    return "\n".join(lines) + "\n"


def _cmd_ratings(args) -> int:
    report = _load(args)
    if args.format == "table":
        _emit(_ratings_text(report))
    else:
        _emit(fmt.render(rate_report(report.key_questions, report.standards, framework=report.framework), args.format))
    return 0


def _cmd_audit(args) -> int:
    try:
        with open(args.file, encoding="utf-8") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError) as err:
        raise OSError(f"cannot read {args.file!r}: {err}") from None
    report = load_report(args.report)
    prompts = label_changes(report.prompts, alpha=args.alpha)
    kq = label_changes(report.key_questions, alpha=args.alpha)
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
            table = compare_inspections(previous, cases, id_column=args.id_column, alpha=args.alpha)
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
    _emit(_report_text(_load(args), args.alpha, args.alternative, not args.unpooled, args.continuity))
    return 0


def _cmd_design(args) -> int:
    design = sample_design(_load(args).samples)
    _emit(fmt.render(_design_view(design) if args.format == "table" else design, args.format))
    return 0


def _cmd_validate(args) -> int:
    from .schema import validate_report

    violations = validate_report(args.folder, framework=args.framework)
    if violations.empty:
        _emit(f"{args.folder}: valid (no schema violations).\n")
        return 0
    if args.format == "table":
        view = violations.assign(row=violations["row"].astype("string").fillna(""),
                                 value=violations["value"].map(lambda x: "" if x is None else fmt.shorten(str(x), 30)))
        _emit(f"{args.folder}: {len(violations)} schema violation(s) (rows numbered from 1 after the header)\n"
              + fmt.render(view, "table"))
    else:
        _emit(fmt.render(violations, args.format))
    return 1


def _cmd_new_report(args) -> int:
    from .schema import write_templates

    written = write_templates(args.name, args.framework)
    _emit(f"wrote {len(written)} files to {args.name}: " + ", ".join(p.name for p in written)
          + f"\nfill them in (see {args.name}/README.md), then run: python -m stats validate {args.name}\n")
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
    "validate": _cmd_validate,
    "new-report": _cmd_new_report,
}


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 success, 2 usage or data error)."""
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0].startswith("-") and argv[0] not in ("-h", "--help"):
        argv = ["report", *argv]  # options of the main job given without its name: python -m stats --report NAME
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args(["report", *(argv or [])])
    try:
        return _COMMANDS[args.command](args)
    except (ValueError, TypeError, OSError, ImportError) as err:
        print(f"{parser.prog} {args.command}: error: {err}", file=sys.stderr)
        return 2
