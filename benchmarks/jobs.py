"""The main job, the text report and the HTML report against their imports, in one run (wall clock).

    python benchmarks/jobs.py [--repeat 5]

Each command runs in a child process, in turn, ``--repeat`` times; medians are compared:
``python -m stats`` over ``python -c "import pandas, scipy.stats"`` (target <= 1.5x), and
``python -m stats report --format html -o FILE`` over both ``python -m stats report -o FILE`` (the
text report; target <= 1.5x) and ``python -m stats`` (target <= 1.5x). For where the HTML report's
time goes, see ``benchmarks/html_phases.py``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryDirectory() as tmp:
        cmds = {
            "imports": [sys.executable, "-c", "import pandas, scipy.stats"],
            "main job": [sys.executable, "-m", "stats"],
            "report text": [sys.executable, "-m", "stats", "report", "-o", f"{tmp}/r.txt"],
            "report html": [sys.executable, "-m", "stats", "report", "--format", "html", "-o", f"{tmp}/r.html"],
        }
        times = {k: [] for k in cmds}
        for _ in range(args.repeat):
            for k, c in cmds.items():
                t = time.perf_counter()
                subprocess.run(c, check=True, stdout=subprocess.DEVNULL, env=env)
                times[k].append(time.perf_counter() - t)
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    for k in cmds:
        print(f"{k:<12} median {med[k]:5.2f} s  runs {', '.join(f'{x:.2f}' for x in times[k])}")
    print(f"main job / imports   {med['main job'] / med['imports']:.2f}x (target <= 1.5x)")
    print(f"html / main job      {med['report html'] / med['main job']:.2f}x (target <= 1.5x)")
    print(f"html / text report   {med['report html'] / med['report text']:.2f}x (target <= 1.5x)")


if __name__ == "__main__":
    main()
