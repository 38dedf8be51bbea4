"""Where `python -m stats report --format html` spends its time: phases timed in-process (wall clock).

    python benchmarks/html_phases.py [report --format html -o FILE]

Wraps functions by name (load, summarise, exact tests, charts and each chart's SVG, jinja render,
table rows) and prints the time spent in each; a function that has moved is skipped. The last line
says whether the command imported matplotlib (the HTML report's charts are written without it,
by ``stats.render.svg``).
"""

import sys
import time

T0 = time.perf_counter()
phases = {}


def wrap(mod, name, label):
    f = getattr(mod, name, None)
    if f is None:
        return

    def g(*a, **k):
        t = time.perf_counter()
        try:
            return f(*a, **k)
        finally:
            phases[label] = phases.get(label, 0.0) + time.perf_counter() - t

    setattr(mod, name, g)


sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1]))
import stats  # noqa: E402, F401 - imported after the clock starts, to time the import

T_IMPORT = time.perf_counter() - T0
from stats import cli, exact  # noqa: E402 - after sys.path and the import timing
from stats.render import html, svg  # noqa: E402 - the presentation layer: HTML writer and its SVG charts

wrap(cli, "summarise", "summarise (total)")
wrap(exact, "_exact_pvalues", "  exact tests (in summarise)")
wrap(cli, "_load", "load report (schema)")
wrap(html, "chart_svgs", "charts (total)")
wrap(svg, "change_chart_svgs", "  prompt change charts, SVG (in charts)")
wrap(svg, "key_question_chart_svg", "  key-question chart, SVG (in charts)")
wrap(svg, "ratings_chart_svg", "  ratings chart, SVG (in charts)")
wrap(html, "_environment", "jinja environment")
import jinja2  # noqa: E402 - patched after the stats wrappers are in place

orig_render = jinja2.Template.render


def render(self, *a, **k):
    t = time.perf_counter()
    try:
        return orig_render(self, *a, **k)
    finally:
        phases["jinja render"] = phases.get("jinja render", 0.0) + time.perf_counter() - t


jinja2.Template.render = render
wrap(html, "table_rows", "table rows (context)")
import tempfile  # noqa: E402 - kept beside the phase that uses it

args = sys.argv[1:] or ["report", "--format", "html", "-o", f"{tempfile.mkdtemp()}/r.html"]
t = time.perf_counter()
cli.main(args)
total = time.perf_counter() - T0
print(f"import stats {T_IMPORT:.2f} s; command {time.perf_counter() - t:.2f} s; total {total:.2f} s")
for k, v in phases.items():
    print(f"  {k:<40} {v:6.2f} s")
print(f"matplotlib imported: {'matplotlib' in sys.modules}")
