"""The HTML report in a real browser: layout on a phone, a laptop and paper (headless system Chromium).

These tests measure the rendered page (sizes, positions, the printed PDF's text), not pixels. They
need Playwright and a Chromium already installed on the machine (never downloaded): the module is
skipped where either is missing. Each test names the defect of issue 19 it guards against.
"""

import re
import unicodedata

import pytest

from tests._browser import (
    CSS_PHONE,
    CSS_STICKY_TABLE,
    JS_COLUMN_HEADERS,
    JS_HEADINGS,
    JS_SVG_TEXT_SIZES,
    JS_TABLE_AT_MIDDLE,
    find_chromium,
    launch,
    render_html_report,
)

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (pip install playwright)")
CHROMIUM = find_chromium()
if CHROMIUM is None:
    pytest.skip(
        "no Chromium on this machine (apt-get install chromium, or set INSPECTION_STATS_CHROMIUM)",
        allow_module_level=True,
    )

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1400, "height": 900}
#: Smallest readable chart text, CSS px as rendered (about 7 pt).
MIN_TEXT_PX = 9


@pytest.fixture(scope="module")
def report_html(tmp_path_factory):
    return render_html_report(tmp_path_factory.mktemp("browser") / "report.html")


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        chromium = launch(playwright, CHROMIUM)
        yield chromium
        chromium.close()


def _open(browser, report_html, viewport):
    page = browser.new_page(viewport=viewport)
    page.goto(report_html.as_uri())
    page.wait_for_load_state("load")
    return page


@pytest.fixture(scope="module")
def printed(browser, report_html):
    """The report printed to PDF as the page's print CSS asks (page size from @page), and its headings."""
    from io import BytesIO

    from pypdf import PdfReader

    page = _open(browser, report_html, LAPTOP)
    page.emulate_media(media="print")
    headers = page.evaluate(JS_COLUMN_HEADERS)
    pdf = PdfReader(BytesIO(page.pdf(prefer_css_page_size=True, print_background=True)))
    page.close()
    return pdf, headers


def _flat(text: str) -> str:
    """Text without whitespace, ligatures unfolded: PDF text extraction breaks lines anywhere."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


# ---- phone ---------------------------------------------------------------------------------------


def test_no_horizontal_overflow_on_a_phone(browser, report_html):
    page = _open(browser, report_html, PHONE)
    width, inner = page.evaluate("[document.scrollingElement.scrollWidth, innerWidth]")
    page.close()
    assert width <= inner, f"the page is {width} px wide in a {inner} px screen"


def test_chart_text_stays_readable_on_a_phone(browser, report_html):
    page = _open(browser, report_html, PHONE)
    sizes = page.evaluate(JS_SVG_TEXT_SIZES)
    page.close()
    assert sizes, "the charts have no SVG text to measure"
    small = [s for s in sizes if s["px"] < MIN_TEXT_PX]
    assert not small, f"{len(small)} of {len(sizes)} chart texts below {MIN_TEXT_PX} px, e.g. {small[:3]}"


def test_phone_measurements_pass_on_a_phone_layout(browser, report_html):
    """The two measurements above pass once charts keep their size and scroll inside their frame."""
    page = _open(browser, report_html, PHONE)
    page.add_style_tag(content=CSS_PHONE)
    width, inner = page.evaluate("[document.scrollingElement.scrollWidth, innerWidth]")
    sizes = page.evaluate(JS_SVG_TEXT_SIZES)
    page.close()
    assert width <= inner
    assert sizes and min(s["px"] for s in sizes) >= MIN_TEXT_PX


# ---- laptop --------------------------------------------------------------------------------------


def test_no_horizontal_overflow_on_a_laptop(browser, report_html):
    page = _open(browser, report_html, LAPTOP)
    width, inner = page.evaluate("[document.scrollingElement.scrollWidth, innerWidth]")
    page.close()
    assert width <= inner


def test_prompt_table_header_stays_visible_mid_table(browser, report_html):
    page = _open(browser, report_html, LAPTOP)
    at = page.evaluate(JS_TABLE_AT_MIDDLE, False)
    page.close()
    assert at["tableHeight"] > 2 * at["innerHeight"]  # the table is long enough for the test to mean something
    header = at["header"]
    assert header["top"] >= 0 and header["bottom"] <= at["innerHeight"] and header["onTop"], header


def test_prompt_table_id_column_stays_visible_scrolled_sideways(browser, report_html):
    page = _open(browser, report_html, LAPTOP)
    at = page.evaluate(JS_TABLE_AT_MIDDLE, True)
    page.close()
    cell = at["id"]
    assert re.fullmatch(r"\d+(\.\d+)+(\.[a-z])?", cell["text"]), cell  # the cell is an id
    assert cell["viewLeft"] - 1 <= cell["left"] and cell["right"] <= cell["viewRight"] + 1 and cell["onTop"], at


def test_id_column_stays_visible_when_a_narrow_window_scrolls_the_table_sideways(browser, report_html):
    """In a window narrower than the prompt table the table scrolls inside its box; its ids stay in sight."""
    page = _open(browser, report_html, {"width": 700, "height": 900})
    across = page.evaluate(JS_TABLE_AT_MIDDLE, True)
    width, inner = page.evaluate("[document.scrollingElement.scrollWidth, innerWidth]")
    page.close()
    assert across["scrolled"] > 0, "the table did not scroll sideways: the test means nothing"
    assert across["id"]["onTop"] and across["header"]["onTop"], across
    assert width <= inner  # the table scrolls, not the page


def test_sticky_control_css_changes_nothing(browser, report_html):
    """The tested sticky layout of tests/_browser.py is already the report's own: adding it moves nothing."""
    page = _open(browser, report_html, LAPTOP)
    before = page.evaluate(JS_TABLE_AT_MIDDLE, False)
    page.add_style_tag(content=CSS_STICKY_TABLE)
    after = page.evaluate(JS_TABLE_AT_MIDDLE, False)
    page.close()
    assert before["header"]["onTop"] and after["header"]["onTop"]
    assert abs(before["header"]["top"] - after["header"]["top"]) < 2


#: Text of every cell of a table by column name (data-column of the header; data-index gives the order).
JS_TABLE_CELLS = """
(id) => {
  const table = document.getElementById(id);
  const heads = Array.from(table.querySelectorAll('thead th[data-index]'))
    .sort((a, b) => Number(a.dataset.index) - Number(b.dataset.index)).map(th => th.dataset.column);
  return Array.from(table.querySelectorAll('tbody tr.row')).map(tr =>
    Object.fromEntries(Array.from(tr.cells).map((c, j) => [heads[j], c.innerText.trim()])));
}
"""


def test_assumed_denominators_are_marked_in_tables_and_charts(browser, report_html):
    import pandas as pd

    from tests.conftest import REPORT_DIR

    prompts = pd.read_csv(REPORT_DIR / "prompts.csv")
    assumed = prompts["n_previous_source"].eq("assumed").tolist()
    page = _open(browser, report_html, LAPTOP)
    rows = page.evaluate(JS_TABLE_CELLS, "prompts-table")
    svg_text = page.evaluate("Array.from(document.querySelectorAll('#charts svg text')).map(t => t.textContent)")
    notes = page.evaluate("Array.from(document.querySelectorAll('p.footnote')).map(p => p.innerText)")
    page.close()
    assert len(rows) == len(prompts) and any(assumed)
    for row, is_assumed, n in zip(rows, assumed, prompts["n_previous"], strict=True):
        assert row["n_previous"] == f"{n}{'*' if is_assumed else ''}", row
        assert not row["n_current"].endswith("*")
    assert any(re.fullmatch(r"\d+\* → \d+", t.strip()) for t in svg_text)
    assert not any(re.fullmatch(r"\d+ → \d+", t.strip()) for t in svg_text)  # every previous n is assumed
    assert notes and all(note.startswith("* assumed, not published") for note in notes)


def test_untestable_rows_have_blank_checks(browser, report_html):
    page = _open(browser, report_html, LAPTOP)
    core = page.evaluate(JS_TABLE_CELLS, "prompts-table")
    checks = page.evaluate(JS_TABLE_CELLS, "prompts-checks-table")
    page.close()
    assert len(core) == len(checks)
    untestable = [c for r, c in zip(core, checks, strict=True) if r["label"].endswith("no comparable data")]
    testable = [c for r, c in zip(core, checks, strict=True) if not r["label"].endswith("no comparable data")]
    assert untestable and testable
    for row in untestable:
        assert all(v == "" for k, v in row.items() if k != "prompt_id"), row
    assert all(row["combinations_tried"] not in ("", "0") for row in testable)


def test_continued_chart_pages_repeat_heading_legend_and_axis_title(browser, report_html):
    page = _open(browser, report_html, LAPTOP)
    pages = page.evaluate("""() => Array.from(document.querySelectorAll('figure[id^=chart-prompts] svg')).map(svg =>
        Array.from(svg.querySelectorAll('text')).map(t => t.textContent.trim()).filter(t => t))""")
    page.close()
    assert len(pages) > 1
    assert any("(continued)" in t for texts in pages[1:] for t in texts)
    for texts in pages:
        assert "previous" in texts and "current: significant improvement" in texts  # the legend
        assert any(t.startswith("change in points") for t in texts)  # the axis title
        assert any(t.startswith("percent: previous") for t in texts)
        assert any(re.fullmatch(r"\d+\.\d+ \D.*", t) for t in texts)  # a group heading


def test_ratings_chart_shows_the_panels_discretion(browser, report_html):
    page = _open(browser, report_html, LAPTOP)
    texts = page.evaluate("Array.from(document.querySelectorAll('#chart-ratings svg text')).map(t => t.textContent)")
    page.close()
    assert any("-> " in t for t in texts) and any("panel discretion" in t for t in texts), texts


# ---- paper ---------------------------------------------------------------------------------------


def test_printed_pages_are_a4_landscape(printed):
    pdf, _ = printed
    for page in pdf.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert width == pytest.approx(841.89, abs=1) and height == pytest.approx(595.28, abs=1)


def test_every_column_header_is_in_the_printed_pdf(printed):
    pdf, tables = printed
    text = _flat("".join(page.extract_text() for page in pdf.pages))
    assert sum(len(t["headers"]) for t in tables) > 20
    missing = {t["table"]: [h for h in t["headers"] if _flat(h) not in text] for t in tables}
    missing = {table: headers for table, headers in missing.items() if headers}
    assert not missing, f"column headings missing from the PDF: {missing}"


# ---- order ---------------------------------------------------------------------------------------


def test_main_points_come_first(browser, report_html):
    page = _open(browser, report_html, LAPTOP)
    headings = page.evaluate(JS_HEADINGS)
    page.close()
    first = next(h for h in headings if h["level"] > 1)
    assert re.search(r"main points", first["text"], re.IGNORECASE), headings[:4]


def test_title_is_the_reports_full_title(browser, report_html):
    import tomllib

    from tests.conftest import REPORT_DIR

    title = tomllib.loads((REPORT_DIR / "report.toml").read_text(encoding="utf-8"))["title"]
    page = _open(browser, report_html, LAPTOP)
    headings = page.evaluate(JS_HEADINGS)
    page.close()
    assert headings[0]["level"] == 1 and headings[0]["text"] == title
