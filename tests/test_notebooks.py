"""Execute every notebook so that none can rot (nbclient, kernel python3 of this interpreter)."""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_executes(path, tmp_path):
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert outputs, "the notebook produced no output"
    if path.name == "south-yorkshire-crc-2020.ipynb":  # its chart cell draws a figure
        assert any("image/png" in o.get("data", {}) for o in outputs)


def test_the_notebooks_are_there():
    assert {"south-yorkshire-crc-2020.ipynb", "methodology-verification.ipynb", "checking-published-figures.ipynb",
            "sample-design.ipynb"} <= {p.name for p in NOTEBOOKS}
