"""Driving a system Chromium from the tests (Playwright, never a downloaded browser).

:func:`find_chromium` looks for a Chromium already installed on the machine (``INSPECTION_STATS_CHROMIUM``,
then ``chromium``, ``chromium-browser``, ``google-chrome`` on the PATH); :func:`launch` starts it
headless with the network, updates and sync off; :func:`render_html_report` writes the bundled
report's HTML with the command line, as a user would.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: Headless, offline, no sandbox (containers), no GPU; nothing is fetched or updated.
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str | None:
    """Path of an installed Chromium, or None."""
    given = os.environ.get("INSPECTION_STATS_CHROMIUM")
    if given:
        return given if Path(given).is_file() else None
    for name in _NAMES:
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").is_file() else None


def launch(playwright, executable: str):
    """A headless Chromium browser from ``executable`` (Playwright's ``chromium.launch``)."""
    return playwright.chromium.launch(executable_path=executable, args=list(CHROMIUM_ARGS), headless=True)


def render_html_report(path: Path, *extra: str) -> Path:
    """Write the bundled report as HTML to ``path`` with ``python -m stats report --format html -o path``."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    cmd = [sys.executable, "-m", "stats", "report", "--format", "html", "-o", str(path), *extra]
    done = subprocess.run(cmd, check=False, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr}")
    return path


# ---- measurements run in the page (JavaScript), one function each ----------------------------

#: The prompt table: id ``prompts-table`` if there is one, else the table with most body rows.
JS_PROMPT_TABLE = """
() => document.querySelector('#prompts-table')
   || Array.from(document.querySelectorAll('table')).sort((a, b) => b.rows.length - a.rows.length)[0]
"""

#: Smallest rendered font size (CSS px on screen) of the text of every SVG chart: the computed
#: font size times the scale of the text's transform to the screen.
JS_SVG_TEXT_SIZES = """
() => Array.from(document.querySelectorAll('svg')).flatMap(svg =>
  Array.from(svg.querySelectorAll('text')).filter(t => t.textContent.trim()).map(t => {
    const m = t.getScreenCTM();
    const scale = m ? Math.sqrt(Math.abs(m.a * m.d - m.b * m.c)) : 1;
    return {text: t.textContent.trim(), px: parseFloat(getComputedStyle(t).fontSize) * scale};
  }))
"""

#: Scroll the prompt table's middle data row (group heading rows skipped) to the centre of the window
#: (and its scroller fully to the right when ``right``), then report where its header row and id cell
#: are and whether they are on top (``document.elementFromPoint`` at their centre).
JS_TABLE_AT_MIDDLE = """
(right) => {
  const table = (__PROMPT_TABLE__)();
  const rows = Array.from(table.tBodies).flatMap(b => Array.from(b.rows)).filter(r => r.cells.length > 2);
  const mid = rows[Math.floor(rows.length / 2)];
  mid.scrollIntoView({block: 'center', inline: 'nearest'});
  let scroller = document.scrollingElement;
  for (let e = table.parentElement; e && e !== document.body; e = e.parentElement) {
    const o = getComputedStyle(e).overflowX;
    if ((o === 'auto' || o === 'scroll') && e.scrollWidth > e.clientWidth) { scroller = e; break; }
  }
  const before = scroller.scrollLeft;
  if (right) { scroller.scrollLeft = scroller.scrollWidth; }
  const view = scroller === document.scrollingElement
    ? {left: 0, right: innerWidth}
    : (() => { const r = scroller.getBoundingClientRect();
               return {left: Math.max(r.left, 0), right: Math.min(r.right, innerWidth)}; })();
  const onTop = (cell) => {
    const r = cell.getBoundingClientRect();
    const x = r.left + r.width / 2, y = r.top + r.height / 2;
    if (x < view.left || x > view.right || y < 0 || y > innerHeight) return false;
    const hit = document.elementFromPoint(x, y);
    return !!hit && cell.contains(hit);
  };
  const head = table.tHead ? table.tHead.rows[table.tHead.rows.length - 1] : table.rows[0];
  const headCell = head.cells[0];
  const idCell = mid.cells[0];
  const h = headCell.getBoundingClientRect(), c = idCell.getBoundingClientRect();
  return {
    tableHeight: table.getBoundingClientRect().height, innerHeight: innerHeight,
    scrolled: scroller.scrollLeft - before,
    header: {top: h.top, bottom: h.bottom, onTop: onTop(headCell), text: headCell.textContent.trim()},
    id: {left: c.left, right: c.right, onTop: onTop(idCell), text: idCell.textContent.trim(),
         viewLeft: view.left, viewRight: view.right},
  };
}
""".replace("__PROMPT_TABLE__", JS_PROMPT_TABLE.strip())

#: Every table's column headings (the text of each ``thead th``), by table.
JS_COLUMN_HEADERS = """
() => Array.from(document.querySelectorAll('table')).map((t, i) => ({
  table: t.id || (t.caption ? t.caption.textContent.trim() : 'table ' + (i + 1)),
  headers: Array.from(t.querySelectorAll('thead th')).map(th => th.textContent.replace(/\\s+/g, ' ').trim())
                .filter(s => s),
}))
"""

#: The document's headings in order (level and text).
JS_HEADINGS = """
() => Array.from(document.querySelectorAll('h1, h2, h3')).map(h => ({
  level: Number(h.tagName[1]), text: h.textContent.replace(/\\s+/g, ' ').trim()}))
"""

#: A minimal fix of the table layout (the table scrolls inside a box of at most 85 % of the window,
#: header row and first column sticky), used to prove the table measurements can pass.
CSS_STICKY_TABLE = """
.table-wrap { overflow: auto; max-height: 85vh; }
tbody tr > :first-child, thead th:first-child { position: sticky; left: 0; background: #fff; z-index: 2; }
thead th:first-child { z-index: 3; }
"""

#: A minimal phone layout (charts at their own size, scrolling sideways inside their frame; the
#: method list in one column), used to prove the phone measurements can pass.
CSS_PHONE = """
figure.chart { overflow-x: auto; }
figure.chart svg { width: auto; max-width: none; }
dl.method { grid-template-columns: 1fr; }
dl.method dd { overflow-wrap: anywhere; }
"""
