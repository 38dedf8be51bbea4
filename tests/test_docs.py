"""Numbers in the documentation's prose are checked: none may drift from the code.

The manual (``docs/``) and the README print their results with executed code; what remains in
the prose (outside code blocks and code spans) is scanned here. Every number found must be listed
below, either with a check against the package or its data, or as part of a name or of an
example's input, with the reason. A number added to the prose without an entry fails this test:
add a check, or print the number with code (``{glue:text}`` in a docs page).
"""

import inspect
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import stats
import stats.consistency
import stats.exact

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
GENERATED = {"_build", "notebooks", "tools", "reference", "benchmarks"}


def _key_question(kq_id):
    kq = stats.load_report("south-yorkshire-crc-2020").key_questions
    return kq[kq["key_question"] == kq_id].iloc[0]


def _sample_size_default(name):
    return inspect.signature(stats.sample_size).parameters[name].default


def _exit_status(*args):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "stats", *args], capture_output=True, cwd=ROOT, env=env).returncode


def _barnard_points():
    from scipy.stats import barnard_exact

    return inspect.signature(barnard_exact).parameters["n"].default


# Each number the prose may state: a check (a callable returning True) or the reason it needs none.
CHECKED = {
    "0.1": lambda: stats.ChangeTest().alpha == 0.1,  # the methodology's level
    "80": lambda: _sample_size_default("confidence_level") == 0.8,  # the methodology's confidence
    "5": lambda: _sample_size_default("margin") == 0.05,  # its margin, in points
    "0.5": lambda: _sample_size_default("proportion") == 0.5,  # the design proportion
    "90": lambda: "90% score interval" in stats.ChangeTest().describe(),  # the dual interval at alpha 0.1
    "165": lambda: stats.sample_size(10**12) == 165,  # largest sample the rule gives
    "87": lambda: _key_question("4.2.1")["previous"] == 87,
    "100": lambda: _key_question("4.2.1")["current"] == 100,
    "24": lambda: _key_question("4.2.1")["n_current"] == 24,
    "20": lambda: stats.consistency.nearest_feasible(87, 24) == (20, 23),
    "23": lambda: stats.consistency.nearest_feasible(87, 24) == (20, 23),
    "21": lambda: round(100 * 21 / 24, 1) == 87.5,
    "87.5": lambda: round(100 * 21 / 24, 1) == 87.5,
    "88": lambda: stats.exact.counts_from_percent(88, 24) == 21,
    "32": lambda: _barnard_points() == 32,  # scipy's default sampling points
    "2": lambda: _exit_status("label", "no-such-file.csv") == 2,  # exit status of a data error
    "70": "exit status of an internal error (tests/test_hardening.py pins it)",
    "130": "exit status after Ctrl-C (tests/test_hardening.py pins it)",
    "7": "benchmarks/run.py: best_of_interleaved(repeat=7)",
    "0": "part of formulas and rules (excludes 0, 0 %)",
    "1": "part of formulas and row numbering (1 - n/N, row 1)",
    "3": "item number of a list",
    "6": "item number of a list",
    "4": "a name: Annexe 4",
    "2020": "a name: South Yorkshire CRC 2020",
    "4.1": "a name: R survey 4.1",
    "10269": "a name: statsmodels issue number",
    "0.54": "input of an example",
    "54": "input of an example",
    "17": "input of an example (0.17 is 17 points)",
    "9": "input of an example wording (+9 points)",
    "30": "input of an example sentence of a report",
    "12": "input of an example error message",
    "86": "input of an example error message",
    "50": "input of an example (a known previous 50 %)",
    "500": "input of an example table",
    "540": "input of an example table",
    "1000": "input of an example table",
}


def prose(path: Path) -> str:
    """The text of a page outside front matter, code blocks, code spans and link targets."""
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.S)
    text = re.sub(r"^(```+|~~~+).*?^\1[ \t]*$", "", text, flags=re.S | re.M)
    text = re.sub(r"`[^`\n]*`", "", text)
    return re.sub(r"\]\([^)]*\)", "]", text)


def pages() -> list[Path]:
    found = [p for p in DOCS.rglob("*.md") if not GENERATED & set(p.relative_to(DOCS).parts)]
    return [*sorted(found), ROOT / "README.md"]


def numbers(text: str) -> set[str]:
    """Numbers in running text; dotted identifiers (2.3.1.c, 4.2.1) and parts of words are not numbers."""
    out = set()
    for match in re.finditer(r"(?<![\w.\-/])\d+(?:\.\d+)*(?![\w/]|\.\w)", text):
        token = match.group()
        if token.count(".") <= 1:
            out.add(token)
    return out


def test_the_scanner_finds_numbers_and_skips_identifiers():
    assert numbers("at 80 % confidence, 0.1 and x.") == {"80", "0.1"}
    assert numbers("prompt 2.3.1.c and key question 4.2.1, n2, e1") == set()


@pytest.mark.parametrize("page", pages(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_number_in_the_prose_is_checked(page):
    unlisted = numbers(prose(page)) - set(CHECKED)
    assert not unlisted, (
        f"{page.relative_to(ROOT)} states {sorted(unlisted, key=float)} in its prose: print them "
        "with code or add a check to CHECKED in tests/test_docs.py"
    )


@pytest.mark.parametrize("number", [k for k, v in CHECKED.items() if callable(v)])
def test_the_checked_numbers_hold(number):
    assert CHECKED[number]()
