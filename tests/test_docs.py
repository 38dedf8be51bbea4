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
import stats.change
import stats.consistency
import stats.design
import stats.exact
import stats.exact_tests

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


def _structural_doc():
    return " ".join(stats.design.structural_deff_survival.__doc__.split())


def _barnard_points():
    from scipy.stats import barnard_exact

    return inspect.signature(barnard_exact).parameters["n"].default


def _benchmark(name):
    return (ROOT / "benchmarks" / name).read_text(encoding="utf-8")


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
    "64": lambda: abs(stats.exact_tests.barnard(3, 3, 1, 3, alternative="less") - 7 / 64) < 1e-12,  # a tie, by hand
    "2": lambda: _exit_status("label", "no-such-file.csv") == 2,  # exit status of a data error
    "70": "exit status of an internal error (tests/test_hardening.py pins it)",
    "130": "exit status after Ctrl-C (tests/test_hardening.py pins it)",
    "7": "benchmarks/run.py: best_of_interleaved(repeat=7)",
    # Sample-size ranges of the exact-test benchmark's mixed workloads (docs/performance.md).
    "300": lambda: "def mixed(rng, count=120, n_max=300):" in _benchmark("exact_tests.py"),
    "60": lambda: '("mixed-small", lambda: mixed(rng, n_max=60))' in _benchmark("exact_tests.py"),
    "1.2": lambda: 1.2 in stats.design.DEFF_LEVELS,  # the fixed design effects of the secondary view
    "1.5": lambda: 1.5 in stats.design.DEFF_LEVELS,
    "10": lambda: "(method 10)" in stats.change.INTERVALS["newcombe"],  # Newcombe's numbering
    "11": lambda: "(method 11)" in stats.change.INTERVALS["newcombe-cc"],
    # References as the docstrings cite them (author, year, section).
    "1965": lambda: "Kish, L. (1965). *Survey Sampling*. Wiley, section 5.4." in _structural_doc(),
    "5.4": lambda: "Kish, L. (1965). *Survey Sampling*. Wiley, section 5.4." in _structural_doc(),
    "2005": lambda: "Wampold, B. E., Brown, G. S. (2005)" in _structural_doc(),
    "2013": lambda: "Baldwin, S. A., Imel, Z. E. (2013)" in _structural_doc(),
    "2011": lambda: "Baldwin, S. A., Murray, D. M., Shadish, W. R., et al. (2011)" in _structural_doc(),
    "1998": lambda: "Newcombe, R. G. (1998)" in inspect.getsource(stats.change),  # Table II, method 11
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


#: The README's performance section quotes the recorded benchmark runs: its numbers are checked
#: against those logs (test_the_readme_quotes_the_recorded_runs), not against CHECKED.
PERFORMANCE = re.compile(r"^## Performance\n.*?(?=^## |\Z)", flags=re.S | re.M)


def prose(path: Path) -> str:
    """The text of a page outside front matter, code blocks, code spans and link targets."""
    text = path.read_text(encoding="utf-8")
    if path.name == "README.md":
        text = PERFORMANCE.sub("", text)
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


def _recorded(name: str, pattern: str) -> list[str]:
    """Every match of ``pattern``'s group in the recorded benchmark log ``docs/benchmarks/{name}``."""
    return re.findall(pattern, (DOCS / "benchmarks" / name).read_text(encoding="utf-8"))


def test_the_readme_quotes_the_recorded_runs():
    """The README's performance section states exactly the ratios of the recorded runs, and only them."""
    exact = sorted(int(r) for r in _recorded("exact_tests.txt", r"ratio\s+(\d+)x"))
    label = _recorded("label_memory.txt", r"(?m)^label\s+\S+ s\s+([\d.]+)x the floor")
    label_large = _recorded("label_memory_ten_million.txt", r"(?m)^label\s+\S+ s\s+([\d.]+)x the floor")
    main_job = _recorded("jobs.txt", r"main job / imports\s+([\d.]+)x")
    html = _recorded("jobs.txt", r"html / text report\s+([\d.]+)x")
    assert len(exact) >= 12 and len(label) == len(label_large) == len(main_job) == len(html) == 1
    target = _recorded("exact_tests.txt", r"target >= (\d+)x scipy: met on (\d+) of (\d+)")
    below_line = _recorded("exact_tests.txt", r"(?m)^target >= .*?; below it: (.*)$")
    below = sorted(int(r) for r in re.findall(r"(\d+)x", below_line[0])) if below_line else []
    assert len(target) == 1 and int(target[0][2]) == len(exact)
    expected = {str(exact[0]), str(exact[-1]), *target[0], label[0], label_large[0], main_job[0], html[0]}
    if below:  # the workloads short of the target, by their lowest and highest ratio
        expected |= {str(below[0]), str(below[-1])}
    section = PERFORMANCE.search((ROOT / "README.md").read_text(encoding="utf-8"))
    assert section, "README.md has no '## Performance' section"
    text = re.sub(r"`[^`\n]*`", "", section.group())
    ratios = set(re.findall(r"(?<![\w.])(\d+(?:\.\d+)?)x\b", text))  # "1.8x": not a number to numbers()
    assert numbers(text) | ratios == expected
