"""The README's examples run, and its layout section lists the package as it is.

Every ```python block of README.md runs, in order, as one script from the repository root.
Blocks may build on earlier ones, so they run in one interpreter; a failure names the block and
its first line. The manual's examples live in ``docs/`` and run when the documentation is built.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"

# The two commands the README must open with, exactly (installation and the test suite).
FIRST_LINES = [
    "```sh",
    "python -m pip install . && python -m stats                    # install, label the bundled report",
    'python -m pip install ".[test]" && python -m pytest           # install test dependencies, run the whole suite',
    "```",
]


def python_blocks() -> list[tuple[int, str]]:
    text = README.read_text(encoding="utf-8")
    blocks = []
    for match in re.finditer(r"^```python\n(.*?)^```", text, flags=re.S | re.M):
        line = text.count("\n", 0, match.start()) + 1
        blocks.append((line, match.group(1)))
    return blocks


def test_readme_opens_with_the_two_commands():
    assert README.read_text(encoding="utf-8").splitlines()[:4] == FIRST_LINES


def test_readme_is_a_front_door():
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 150, f"README.md has {len(lines)} lines; the manual belongs in docs/"
    assert len(python_blocks()) >= 1


def test_readme_picture_exists():
    pictures = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", README.read_text(encoding="utf-8"))
    assert pictures and all((ROOT / p).is_file() for p in pictures)


def _package_entries() -> set[str]:
    """Top-level files (as module names) and folders (with a trailing /) of stats/ under version control."""
    try:
        files = subprocess.run(
            ["git", "ls-files", "stats"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.split()
    except (OSError, subprocess.CalledProcessError):  # not a git checkout (an sdist): the files on disk
        files = [
            p.relative_to(ROOT).as_posix()
            for p in (ROOT / "stats").rglob("*")
            if p.is_file() and "__pycache__" not in p.parts
        ]
    entries = set()
    for path in files:
        parts = path.split("/")
        if len(parts) == 2:
            entries.add(parts[1].removesuffix(".py"))
        else:
            entries.add(parts[1] + "/")
    return entries


def _layout_entries() -> set[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Layout\n", 1)[1].split("\n## ", 1)[0]
    items = [line for line in section.splitlines() if line.startswith("- ")]
    return {name for line in items for name in re.findall(r"`([^`]+)`", line)}


def test_readme_layout_lists_every_module():
    listed, present = _layout_entries(), _package_entries()
    assert not present - listed, f"in stats/ but not in the README's Layout: {sorted(present - listed)}"
    assert not listed - present, f"in the README's Layout but not in stats/: {sorted(listed - present)}"


@pytest.mark.slow  # starts an interpreter and loads the bundled report
def test_readme_python_blocks_run(tmp_path):
    driver = [
        "import matplotlib",
        "matplotlib.use('Agg')",
        "namespace = {'__name__': '__readme__'}",
    ]
    for line, code in python_blocks():
        driver.append(
            f"try:\n    exec(compile({code!r}, 'README.md:{line}', 'exec'), namespace)\n"
            f"except Exception as err:\n"
            f"    raise SystemExit(f'README.md block at line {line} failed: {{type(err).__name__}}: {{err}}')"
        )
    script = tmp_path / "readme_blocks.py"
    script.write_text("\n".join(driver) + "\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, str(script)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"},
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
