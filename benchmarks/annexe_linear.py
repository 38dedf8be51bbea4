"""The Annexe 4 tokeniser is linear: time on adversarial text of growing size, new scanner versus the old regex.

    python benchmarks/annexe_linear.py [--max-kb 1024] [--old-max-kb 40]

For each adversarial shape (text with no "?", runs of "No", "?" artefacts, ...) prints the time of
``stats.annexe.read_annexe`` at sizes doubling up to ``--max-kb`` and the ratio between successive
sizes: about 2 for linear time, about 4 for quadratic. The old scan (``_TOKEN.finditer`` over the
whole stream, the code before this change) is timed on the smaller sizes only, since it is quadratic.
"""

from __future__ import annotations

import argparse
import contextlib
import time

from stats import annexe

SHAPES = {
    "words, no '?'": "word ",
    "'No' runs": "No ",
    "digits": "12 ",
    "artefacts user?s": "user?s ",
    "blank lines": "\n",
}


def text_of(unit: str, kb: int) -> str:
    return "Annexe 4: Inspection data\n2.1. Assessment\n" + unit * (kb * 1024 // len(unit))


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def parse(text: str) -> None:
    with contextlib.suppress(annexe.AnnexeParseError):
        annexe.read_annexe(text)


def old_scan(text: str) -> None:
    stream = " ".join(line.strip() for line in text.splitlines() if line.strip())
    for _ in annexe._TOKEN.finditer(stream):
        pass


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-kb", type=int, default=1024)
    parser.add_argument("--old-max-kb", type=int, default=40)
    args = parser.parse_args(argv)
    for name, unit in SHAPES.items():
        print(name)
        sizes = []
        kb = 16
        while kb <= args.max_kb:
            sizes.append(kb)
            kb *= 2
        previous = None
        for kb in sizes:
            t = timed(lambda unit=unit, kb=kb: parse(text_of(unit, kb)))
            ratio = f"  x{t / previous:.1f} for 2x the text" if previous else ""
            print(f"   read_annexe  {kb:5d} KB  {t:8.4f} s{ratio}")
            previous = t
        if unit in ("word ", "No "):
            previous = None
            kb = 10
            while kb <= args.old_max_kb:
                t = timed(lambda unit=unit, kb=kb: old_scan(text_of(unit, kb)))
                ratio = f"  x{t / previous:.1f} for 2x the text" if previous else ""
                print(f"   old regex    {kb:5d} KB  {t:8.4f} s{ratio}")
                previous = t
                kb *= 2


if __name__ == "__main__":
    main()
