"""Every ```python block of README.md runs, in order, as one script from the repository root.

Blocks may build on earlier ones (``report`` and ``labelled`` are defined once and used
later), so they run in one interpreter; a failure names the block and its first line.
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def python_blocks() -> list[tuple[int, str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = []
    for match in re.finditer(r"^```python\n(.*?)^```", text, flags=re.S | re.M):
        line = text.count("\n", 0, match.start()) + 1
        blocks.append((line, match.group(1)))
    return blocks


def test_readme_has_python_blocks():
    assert len(python_blocks()) >= 4


@pytest.mark.slow  # the verification block runs bounded simulations and exact tests
def test_readme_python_blocks_run(tmp_path):
    driver = [
        "import matplotlib",
        "matplotlib.use('Agg')",
        "namespace = {'__name__': '__readme__'}",
    ]
    for line, code in python_blocks():
        driver.append(f"try:\n    exec(compile({code!r}, 'README.md:{line}', 'exec'), namespace)\n"
                      f"except Exception as err:\n"
                      f"    raise SystemExit(f'README.md block at line {line} failed: {{type(err).__name__}}: {{err}}')")
    script = tmp_path / "readme_blocks.py"
    script.write_text("\n".join(driver) + "\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True, timeout=600,
                          env={**__import__("os").environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"})
    assert proc.returncode == 0, proc.stderr[-3000:]
