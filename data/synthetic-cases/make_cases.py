"""Make the synthetic case-level example (SYNTHETIC DATA: no real person or case is described).

    python data/synthetic-cases/make_cases.py [OUTPUT_FOLDER]

Writes ``current.csv`` (100 cases) and ``previous.csv`` (100 cases) whose prompt percentages
reproduce the South Yorkshire CRC 2020 case-supervision prompts (standards 2.1-2.4, Annexe 4), and
``reproduction.csv``, which records for every prompt the published percentage, the stated
denominator, the denominator used and whether the published figure is reproduced exactly.

Rules (all random choices use numpy's default_rng with the seed below, so the output is identical
on every run):
- current: 58 community and 42 post-release cases; 85 with harm factors. Harm key-question prompts
  (2.x.3) apply to the 85 harm cases, the "Post-custody cases only" prompt to the 42 post-release
  cases, every other prompt to all 100. The previous inspection is assumed to have the same design.
- Gender (88 male, 12 female), officer grade (60 PO, 40 PSO) and risk-of-harm level are illustrative
  assumptions: the report does not publish them.
- Where the published whole percentage cannot be k/n of the stated denominator n, the largest
  feasible smaller n is used (extra cases marked "Not applicable") so that it is reproduced exactly;
  reproduction.csv records every such prompt.
- Prompts with no comparable previous data are left out of previous.csv.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from stats import load_report
from stats.consistency import feasible_denominators, round_percent

SEED = 20200101
N_CASES = 100


def case_attributes(rng: np.random.Generator, prefix: str) -> pd.DataFrame:
    ids = [f"{prefix}{i:03d}" for i in range(1, N_CASES + 1)]
    sentence = np.array(["community"] * 58 + ["post-release"] * 42)
    harm = np.zeros(N_CASES, dtype=bool)
    harm[rng.choice(N_CASES, 85, replace=False)] = True
    gender = np.array(["male"] * 88 + ["female"] * 12)
    rng.shuffle(gender)
    grade = np.array(["PO"] * 60 + ["PSO"] * 40)
    rng.shuffle(grade)
    risk = np.where(harm, rng.choice(["high", "medium"], N_CASES, p=[0.3, 0.7]), "low")
    return pd.DataFrame(
        {
            "case_id": ids,
            "gender": gender,
            "sentence_type": sentence,
            "risk_of_harm": risk,
            "officer_grade": grade,
            "harm_factors": np.where(harm, "yes", "no"),
        }
    )


def answer_column(rng, applicable: np.ndarray, percent: float):
    """Yes/No/Not applicable answers reproducing ``percent`` exactly; returns (answers, n_used, k)."""
    n_stated = int(applicable.sum())
    n_used = int(feasible_denominators(int(percent), n_stated)[-1])
    chosen = np.flatnonzero(applicable)
    if n_used < n_stated:
        drop = rng.choice(chosen, n_stated - n_used, replace=False)
        applicable = applicable.copy()
        applicable[drop] = False
        chosen = np.flatnonzero(applicable)
    ks = [k for k in range(n_used + 1) if round_percent(k, n_used) == int(percent)]
    k = min(ks, key=lambda x: abs(x - percent * n_used / 100))
    answers = np.full(N_CASES, "Not applicable", dtype=object)
    answers[chosen] = "No"
    answers[rng.choice(chosen, k, replace=False)] = "Yes"
    return answers, n_used, k


def make(rng: np.random.Generator, prompts: pd.DataFrame, column: str, prefix: str):
    cases = case_attributes(rng, prefix)
    records = []
    for _, row in prompts.iterrows():
        if pd.isna(row[column]):
            continue
        if row["sample"] == "harm":
            applicable = (cases["harm_factors"] == "yes").to_numpy()
        elif row["sample"] == "post-release":
            applicable = (cases["sentence_type"] == "post-release").to_numpy()
        else:
            applicable = np.ones(N_CASES, dtype=bool)
        answers, n_used, k = answer_column(rng, applicable, row[column])
        cases[row["prompt_id"]] = answers
        records.append(
            {
                "inspection": column,
                "prompt_id": row["prompt_id"],
                "published": int(row[column]),
                "n_stated": int(applicable.sum()),
                "n_used": n_used,
                "yes": k,
                "reproduced": round_percent(k, n_used),
                "exact_with_stated_n": n_used == int(applicable.sum()),
            }
        )
    return cases, records


def main(out: Path) -> None:
    report = load_report("south-yorkshire-crc-2020")
    prompts = report.prompts[report.prompts["standard"].str.startswith("2.")]
    rng = np.random.default_rng(SEED)
    current, rec_cur = make(rng, prompts, "current", "C")
    previous, rec_prev = make(rng, prompts, "previous", "P")
    out.mkdir(parents=True, exist_ok=True)
    current.to_csv(out / "current.csv", index=False)
    previous.to_csv(out / "previous.csv", index=False)
    pd.DataFrame(rec_cur + rec_prev).to_csv(out / "reproduction.csv", index=False)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent)
