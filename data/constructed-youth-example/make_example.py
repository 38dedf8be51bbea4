"""Make the CONSTRUCTED youth example report (CONSTRUCTED DATA: not a real inspection, service or child).

    python data/constructed-youth-example/make_example.py [OUTPUT_FOLDER]

Writes the five CSV files of a report under the youth offending services framework (youth-2018: 12
scored standards, total 0-36) from simulated case answers, so that every figure is internally
consistent. Its purpose is to prove that the toolkit runs end to end on a second framework; none of
its numbers describes a real youth offending service.

Rules (numpy default_rng with the seed below, so the output is identical on every run):
- Samples: 30 court-disposal cases (24 with safety and wellbeing factors, 20 with risk-of-harm
  factors) and 24 out-of-court cases (15 and 12); the previous inspection has the same design.
- Each key question of a case-data standard has three prompts (two for 3.4 Joint working), with
  CONSTRUCTED wording. Each case answers each prompt yes with a probability drawn per key question
  (0.45-0.92 now; the previous inspection 0.15 lower to 0.10 higher). A case is "yes" on the key
  question when it is yes on at least two of its prompts. Percentages are 100 k / n rounded half up.
- Standard 3.4 has no previous figures ("No comparable data available": the previous column only).
- Case-data ratings are the lowest key-question band (<50, 50-64, 65-79, 80+); domain one ratings
  are constructed judgements; the overall score is the sum of points, banded 0-6, 7-18, 19-30, 31-36.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from stats.framework import load_framework  # noqa: E402

SEED = 20180601
SAMPLES = [  # name, n, parent
    ("court disposals", 30, None),
    ("court disposals: safety and wellbeing", 24, "court disposals"),
    ("court disposals: harm", 20, "court disposals"),
    ("out-of-court disposals", 24, None),
    ("out-of-court disposals: safety and wellbeing", 15, "out-of-court disposals"),
    ("out-of-court disposals: harm", 12, "out-of-court disposals"),
]
JUDGEMENT = {
    "1.1": ("Good", "Good"),
    "1.2": ("Requires improvement", "Good"),
    "1.3": ("Good", "Good"),
    "1.4": ("Requires improvement", "Requires improvement"),
}
NO_PREVIOUS = {"3.4"}


def percent(k: np.ndarray, n: int) -> np.ndarray:
    return np.floor(100 * k / n + 0.5)


def make(out: Path) -> None:
    fw = load_framework("youth-2018")
    rng = np.random.default_rng(SEED)
    sizes = {name: n for name, n, _ in SAMPLES}
    prompts, kqs, standards = [], [], []
    scores = {"previous": 0, "current": 0}
    for std in fw.standards:
        if std.judgement:
            prev, cur = JUDGEMENT[std.id]
            standards.append(
                dict(
                    standard=std.id,
                    standard_name=std.name,
                    domain=std.domain,
                    previous_rating=prev,
                    current_rating=cur,
                    basis=std.basis,
                    note="CONSTRUCTED judgement rating (not a real inspection).",
                )
            )
            scores["previous"] += fw.score(prev)
            scores["current"] += fw.score(cur)
            continue
        lowest = {"previous": 100.0, "current": 100.0}
        for kq in std.key_questions:
            sample = fw.sample_of(std.id, kq.id)
            n = sizes[sample]
            p_cur = rng.uniform(0.45, 0.92)
            p_prev = float(np.clip(p_cur + rng.uniform(-0.15, 0.10), 0.05, 0.98))
            n_prompts = 2 if std.id == "3.4" else 3
            answers = {"current": rng.random((n, n_prompts)) < p_cur, "previous": rng.random((n, n_prompts)) < p_prev}
            figures = {when: percent(a.sum(axis=0), n) for when, a in answers.items()}
            kq_figure = {when: float(percent(np.array((a.sum(axis=1) >= 2).sum()), n)) for when, a in answers.items()}
            has_previous = std.id not in NO_PREVIOUS
            for j in range(n_prompts):
                prompts.append(  # noqa: PERF401 (a dict per prompt reads better than a comprehension)
                    dict(
                        standard=std.id,
                        standard_name=std.name,
                        key_question=kq.id,
                        key_question_text=kq.text,
                        prompt_id=f"{kq.id}.{chr(97 + j)}",
                        prompt=(
                            f"CONSTRUCTED prompt {chr(97 + j)} of key question {kq.id} "
                            "(illustrative wording, not published)"
                        ),
                        previous=figures["previous"][j] if has_previous else np.nan,
                        current=figures["current"][j],
                        n_previous=n,
                        n_current=n,
                        sample=sample,
                        n_source="counted",
                        n_previous_source="counted",
                        note=None if has_previous else "No comparable data available (previous inspection).",
                    )
                )
            kqs.append(
                dict(
                    standard=std.id,
                    standard_name=std.name,
                    key_question=kq.id,
                    key_question_text=kq.text,
                    previous=kq_figure["previous"] if has_previous else np.nan,
                    current=kq_figure["current"],
                    n_previous=n,
                    n_current=n,
                    sample=sample,
                    n_source="counted",
                    n_previous_source="counted",
                    note="CONSTRUCTED: cases yes on at least two of the key question's prompts.",
                )
            )
            for when in lowest:
                lowest[when] = min(lowest[when], kq_figure[when])
        prev = fw.band(lowest["previous"]) if std.id not in NO_PREVIOUS else None
        cur = fw.band(lowest["current"])
        standards.append(
            dict(
                standard=std.id,
                standard_name=std.name,
                domain=std.domain,
                previous_rating=prev,
                current_rating=cur,
                basis=std.basis,
                note="CONSTRUCTED: lowest key-question band."
                + (" No previous rating (no comparable data)." if prev is None else ""),
            )
        )
        scores["current"] += fw.score(cur)
        if prev is not None:
            scores["previous"] += fw.score(prev)
    overall = [
        dict(
            inspection="previous",
            score=None,
            rating=None,
            source="CONSTRUCTED: no previous overall rating (standard 3.4 had no previous rating).",
        ),
        dict(
            inspection="current",
            score=scores["current"],
            rating=fw.overall_rating(scores["current"]),
            source=f"CONSTRUCTED: sum of the 12 standard scores out of {fw.maximum}.",
        ),
    ]
    samples = [
        dict(sample=name, n=n, parent=parent, applies_to=None, sized_for_margin="no", source="CONSTRUCTED sample size")
        for name, n, parent in SAMPLES
    ]
    out.mkdir(parents=True, exist_ok=True)
    for name, rows in [
        ("prompts", prompts),
        ("key_questions", kqs),
        ("standards", standards),
        ("overall", overall),
        ("samples", samples),
    ]:
        frame = pd.DataFrame(rows)
        for c in ("previous", "current", "score"):
            if c in frame:
                frame[c] = frame[c].astype("Int64")
        frame.to_csv(out / f"{name}.csv", index=False, lineterminator="\n")


if __name__ == "__main__":
    make(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent)
