"""Execute every notebook so that none can rot (nbclient, kernel python3 of this interpreter)."""

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
#: A code cell that draws: a stats.plots chart or a pyplot figure.
DRAWS = re.compile(r"\b\w*_charts?\(|\bplt\.(subplots|figure|plot)\(")
IMAGES = ("image/png", "image/svg+xml")


def _code(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_executes_and_shows_its_charts(path, tmp_path):
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    errors = [o for c in _code(nb) for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
    outputs = [o for c in _code(nb) for o in c.get("outputs", [])]
    assert outputs, "the notebook produced no output"
    drawing = [c for c in _code(nb) if DRAWS.search(c.source)]
    blank = [
        c.source.splitlines()[0]
        for c in drawing
        if not any(kind in o.get("data", {}) for o in c.get("outputs", []) for kind in IMAGES)
    ]
    assert not blank, f"cells that draw a chart but show no image: {blank}"


def test_the_chart_cells_are_found():
    """The check above has something to check: each notebook below draws at least one chart."""
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        if path.name in {
            "south-yorkshire-crc-2020.ipynb",
            "sample-design.ipynb",
            "methodology-verification.ipynb",
            "checking-published-figures.ipynb",
        }:
            assert any(DRAWS.search(c.source) for c in _code(nb)), path.name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_no_notebook_hides_its_charts_or_shows_points_as_percent(path):
    nb = nbformat.read(path, as_version=4)
    for cell in _code(nb):
        # a non-interactive backend (Agg) draws figures that are never shown
        assert not re.search(r"matplotlib\.use\(|%matplotlib\s+agg|MPLBACKEND", cell.source, re.IGNORECASE), cell.source
        # a change is a proportion; formatted "{:+.0%}" it reads "+17%", but it is 17 points
        assert not re.search(r"\{:[+ ]?\.?\d*%\}", cell.source), cell.source


def test_the_notebooks_are_there():
    assert {
        "south-yorkshire-crc-2020.ipynb",
        "methodology-verification.ipynb",
        "checking-published-figures.ipynb",
        "sample-design.ipynb",
    } <= {p.name for p in NOTEBOOKS}
