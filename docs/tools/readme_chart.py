"""Draw the README's picture: the key-question chart of the bundled report (docs/_static/key-questions.png).

Run ``python docs/tools/readme_chart.py`` from the repository root.

Uses only the package (``stats.summary.summarise`` and ``stats.plots.key_question_chart``), so the
picture shows what the package draws; re-run it when the chart or the bundled report changes.
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import stats
from stats.plots import key_question_chart
from stats.summary import summarise

OUT = Path(__file__).resolve().parents[1] / "_static" / "key-questions.png"


def main() -> None:
    summary = summarise(stats.load_report("south-yorkshire-crc-2020"), stats.ChangeTest())
    figure = key_question_chart(summary.key_questions)
    figure.savefig(OUT, dpi=80, bbox_inches="tight", metadata={"Software": None})
    print(f"wrote {OUT} ({OUT.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
