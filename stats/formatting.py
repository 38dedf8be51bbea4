"""Reporting layer: turn raw results into text (tables, CSV, Markdown, JSON).

Compute functions return raw floats; everything about digits, units and
layout lives here, so the CLI and notebooks format results the same way.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd

from .io import neutralise_formulas, write_atomic  # write_atomic lives in stats.io; re-exported here

__all__ = [
    "FORMATS",
    "render",
    "write_atomic",
    "format_pvalue",
    "to_markdown",
    "shorten",
    "display_labelled",
    "design_view",
    "ratings_view",
    "report_text",
    "compare_text",
]

FORMATS = ("table", "csv", "markdown", "json")


def format_pvalue(p) -> str:
    """p-value to 3 decimals, '<0.001' below that, blank when missing."""
    if p is None or (isinstance(p, float) and math.isnan(p)) or p is pd.NA:
        return ""
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def _fmt(value, spec: str) -> str:
    """Format a number; text (as read from a CSV) is shown as it is."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, str):
        return value
    return format(value, spec)


def shorten(text, width: int) -> str:
    """Cut ``text`` to ``width`` characters with an ellipsis."""
    text = "" if text is None or text is pd.NA else str(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def to_markdown(frame: pd.DataFrame) -> str:
    """GitHub-flavoured Markdown table (no extra dependency)."""
    def cell(x) -> str:
        if x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x)):
            return ""
        return str(x).replace("|", "\\|").replace("\n", " ")

    header = "| " + " | ".join(cell(c) for c in frame.columns) + " |"
    rule = "| " + " | ".join("---" for _ in frame.columns) + " |"
    body = ["| " + " | ".join(cell(x) for x in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([header, rule, *body]) + "\n"


def _json_default(x):
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (np.floating,)):
        return None if np.isnan(x) else float(x)
    if isinstance(x, (np.bool_,)):
        return bool(x)
    if x is pd.NA:
        return None
    raise TypeError(f"cannot serialise {type(x).__name__}")


def to_records(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts with missing values as None (JSON null)."""
    records = frame.astype(object).where(frame.notna(), None).to_dict(orient="records")
    return [{str(k): (None if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items()} for r in records]


def render(frame: pd.DataFrame, fmt: str, *, sanitize: bool = True) -> str:
    """Render a DataFrame as ``'table'``, ``'csv'``, ``'markdown'`` or ``'json'`` text.

    ``sanitize`` (default True): in ``csv`` and ``markdown``, text cells that a
    spreadsheet would run as a formula get a leading ``'``
    (:func:`stats.io.neutralise_formulas`, OWASP's rule); numbers are unaffected.
    """
    if fmt == "csv":
        return (neutralise_formulas(frame) if sanitize else frame).to_csv(index=False)
    if fmt == "markdown":
        return to_markdown(neutralise_formulas(frame) if sanitize else frame)
    if fmt == "json":
        return json.dumps(to_records(frame), indent=2, default=_json_default, ensure_ascii=False) + "\n"
    if fmt == "table":
        return frame.to_string(index=False, na_rep="") + "\n"
    raise ValueError(f"format ({fmt!r}) must be one of {', '.join(map(repr, FORMATS))}.")


def robust_short(label, significant_from_n) -> str:
    """Short text for a :func:`stats.consistency.robust_labels` verdict in a terminal table."""
    from .consistency import ROBUST_ALL, ROBUST_DEPENDS, ROBUST_INFEASIBLE, ROBUST_NONE

    if label == ROBUST_ALL:
        return "all counts"
    if label == ROBUST_NONE:
        return "no count"
    if label == ROBUST_INFEASIBLE:
        return "no feasible count"
    if label == ROBUST_DEPENDS:
        frm = "" if significant_from_n is pd.NA or pd.isna(significant_from_n) else f", sig. if n>={int(significant_from_n)}"
        return "depends" + frm
    return ""


def _pvalue_range(low, high) -> str:
    """'0.017-0.111': a p-value range over feasible counts (blank where untestable)."""
    if pd.isna(low):
        return ""
    a, b = format_pvalue(low), format_pvalue(high)
    return a if a == b else f"{a}-{b}"


def _exact_short(agree, sensitive) -> str:
    """'agree' when every exact test gives the label's verdict, 'DIFFER' when not; '*' marks method-sensitive rows."""
    if agree is None or agree is pd.NA or pd.isna(agree):
        return ""
    return ("agree" if agree else "DIFFER") + ("*" if sensitive is True or sensitive == True else "")  # noqa: E712


def display_labelled(labelled: pd.DataFrame, *, prompt_width: int = 70) -> pd.DataFrame:
    """Compact, formatted view of a labelled table (strings), for terminal output."""
    def percent(side):
        if side in labelled:
            return labelled[side].map(lambda x: _fmt(x, ".0f"))
        if f"{side}_count" in labelled:  # a table of counts (stats.cases.compare_inspections)
            return (100 * labelled[f"{side}_count"] / labelled[f"n_{side}"]).map(lambda x: _fmt(x, ".0f"))
        return None

    cols = {
        "prev %": percent("previous"),
        "cur %": percent("current"),
        "n": [f"{_fmt(a, '.0f')}/{_fmt(b, '.0f')}" for a, b in zip(labelled["n_previous"], labelled["n_current"])],
        "change": labelled["difference"].map(lambda x: "" if pd.isna(x) else f"{100 * x:+.0f}"),
        "z": labelled["statistic"].map(lambda x: _fmt(x, ".2f")),
        "p": labelled["pvalue"].map(format_pvalue),
        "label": labelled["label"],
    }
    out = pd.DataFrame({k: val for k, val in cols.items() if val is not None}, index=labelled.index)
    if "pvalue_min" in labelled:  # the checks of stats.summary.with_checks
        out["p over counts"] = [_pvalue_range(a, b) for a, b in zip(labelled["pvalue_min"], labelled["pvalue_max"])]
    if "robust_label" in labelled:
        out["sig. for"] = [robust_short(lab, frm) for lab, frm in zip(labelled["robust_label"], labelled["significant_from_n"])]
    if "exact_agree" in labelled:
        out["exact"] = [_exact_short(a, m) for a, m in zip(labelled["exact_agree"], labelled["method_sensitive"])]
    if "qvalue" in labelled:
        out["q"] = labelled["qvalue"].map(format_pvalue)
    if "prompt" in labelled:
        out.insert(0, "prompt", labelled["prompt"].map(lambda t: shorten(t, prompt_width).ljust(prompt_width)))
    if "prompt_id" in labelled:
        out.insert(0, "id", labelled["prompt_id"])
    return out


def design_view(design: pd.DataFrame) -> pd.DataFrame:
    """Sample design table for display: margins in points, ranges of implied populations."""
    def rng(lo, hi, spec):
        if pd.isna(lo):
            return ""
        a, b = format(lo, spec), format(hi, spec)
        return a if a == b else f"{a}-{b}"

    return pd.DataFrame({
        "sample": design["sample"],
        "n": design["n"],
        "sub-sample of": design.get("parent", pd.Series([""] * len(design))).fillna(""),
        "margin (inf. N)": design["margin"].map(lambda x: f"{100 * x:.2f}"),
        "implied N": [rng(a, b, ".0f") for a, b in zip(design["implied_population_low"], design["implied_population_high"])],
        "margin at implied N": [rng(100 * a, 100 * b, ".2f") for a, b in zip(design["margin_fpc_low"], design["margin_fpc_high"])],
        "widening": design["widening"].map(lambda x: "" if pd.isna(x) else f"x{x:.3f}"),
    })


def ratings_view(rated: pd.DataFrame) -> pd.DataFrame:
    """Ratings table for display (:func:`stats.ratings.rate_report` output)."""
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


def ratings_text(rated: pd.DataFrame, total, published) -> str:
    """The ratings block: table, total against the published one, discretion candidates."""
    lines = [render(ratings_view(rated), "table").rstrip()]
    shown = "not published" if pd.isna(published["score"]) else f"{int(published['score'])}/{total.maximum}"
    lines.append(f"   Total {total.score}/{total.maximum}, {total.rating} (published: {shown}, {published['rating']}).")
    for _, row in rated[rated["discretion_candidate"].fillna(False).astype(bool)].iterrows():
        lines.append(f"   Discretion candidate {row['standard']} {row['standard_name']}: {row['discretion_reason']}.")
    return "\n".join(lines) + "\n"


def _totals_line(totals: pd.Series) -> str:
    return "   Totals: " + "; ".join(f"{label}: {int(n)}" for label, n in totals.items())


def multiplicity_line(m) -> str:
    """The main job's multiplicity summary (:func:`stats.multiplicity.multiplicity_summary`)."""
    return (f"   Multiplicity: {int(m['tests'])} tests at alpha {m['fdr_level']:g}: "
            f"{m['expected_false_positives']:.1f} would be significant by chance if nothing had changed; "
            f"{int(m['significant'])} are significant, {int(m['survive_fdr'])} survive Benjamini-Hochberg "
            f"FDR control at {m['fdr_level']:g} (q <= {m['fdr_level']:g}).")


def _checks_legend(summary) -> str:
    rounding = summary.prompts.attrs.get("rounding", "half-up")
    return (
        "   'p over counts': the test's p-value range over every count (k, n) that publishes as both\n"
        f"   percentages ({rounding} rounding; n from half the stated sample to the stated sample, at both\n"
        "   inspections); 'sig. for': significant for all such counts, none, or it depends (and from which n).\n"
        "   'exact': Fisher, Barnard and Boschloo give the label's verdict (agree) or not (DIFFER); * the\n"
        "   verdict changes with the test (Z variants and exact tests). 'q': Benjamini-Hochberg q-value\n"
        "   (prompts and key questions are separate families)."
    )


def report_text(summary) -> str:
    """The main job's terminal text for a :class:`stats.summary.ReportSummary`."""
    lines: list[str] = []
    w = lines.append
    w(f"inspection-stats: {summary.name}")
    w("=" * 78)
    if summary.constructed:
        w("CONSTRUCTED example data: not a real inspection (report.toml: constructed = true).")
    w(f"Test: {summary.test.describe()}.")
    w("")
    w("1. Sample design (margins in percentage points, 80% confidence, p = 0.5)")
    w("")
    w(render(design_view(summary.design), "table").rstrip())
    w("")
    w("   Implied N: eligible populations for which the stated rule (80% confidence, 5-point margin,")
    w("   N*n0/(N+n0-1) rounded up) gives exactly this n; sub-samples scale their parent's range.")
    w("   Widening: sub-sample margin / full-sample margin (no finite population correction).")
    w("")
    shown = summary.prompts
    w(f"2. Prompt table (Annexe 4): {len(shown)} prompts, previous vs current inspection")
    for (std, std_name), part in shown.groupby(["standard", "standard_name"], sort=False):
        w("")
        w(f"== {std} {std_name} " + "=" * max(0, 70 - len(std) - len(std_name)))
        for (kq, kq_text), rows in part.groupby(["key_question", "key_question_text"], sort=False):
            w(f"-- {kq} {kq_text}")
            view = display_labelled(rows, prompt_width=58).drop(columns=["id"])
            w(render(view, "table").rstrip())
    w("")
    w(_totals_line(summary.totals["prompts"]))
    if len(getattr(summary, "multiplicity", ())):
        w(multiplicity_line(summary.multiplicity))
    w("")
    kq = summary.key_questions
    w("   Key questions (chapters 2 and 3)")
    view = display_labelled(kq.rename(columns={"key_question_text": "prompt", "key_question": "prompt_id"}), prompt_width=58)
    w(render(view, "table").rstrip())
    w(_totals_line(summary.totals["key_questions"]))
    w("")
    w(_checks_legend(summary))
    w("")
    w("   Robustness to the sample design: the sample is stratified and clustered by officer, so its")
    w("   variances may exceed the simple random sample's by a design effect (deff). Significant prompt")
    w("   labels that survive each deff (a label is lost once deff exceeds (z / z_crit)^2):")
    for row in summary.design_effect.itertuples(index=False):
        lost = f"; lost: {row.lost_ids}" if row.lost_ids else ""
        w(f"     deff {row.deff:g}: {row.surviving} of {row.significant}{lost}")
    w("")
    w(f"3. Ratings (Annexe 2: lowest key-question band; score 0-{summary.overall.maximum}, "
      f"framework {summary.overall.framework})")
    w("")
    w(ratings_text(summary.ratings, summary.overall, summary.published_overall).rstrip())
    w("")
    w("4. Method")
    for item, value in summary.method.itertuples(index=False):
        w(f"   {item}: {value}")
    return "\n".join(lines) + "\n"


def compare_text(res) -> str:
    """Terminal text for one :class:`stats.ChangeResult`."""
    ci = res.ci
    spec = res.test
    sided = "" if spec.alternative == "two-sided" else " one-sided"
    return (
        f"difference  {100 * res.difference:+.1f} points ({res.previous:.1%} -> {res.current:.1%})\n"
        f"z           {res.statistic:.4f}\n"
        f"p-value     {res.pvalue:.4g}\n"
        f"{100 * (1 - spec.alpha):g}%{sided} CI {100 * ci.low:+.1f} to {100 * ci.high:+.1f} points ({spec.interval})\n"
        f"label       {res.label}\n"
        f"({spec.describe()})\n"
    )
