"""Prepend the front matter and the hidden set-up cell to a MyST page body (used when writing pages).

Usage: ``python docs/tools/newpage.py BODY.md > docs/PAGE.md``.
"""

import sys
from pathlib import Path

FRONT = """---
file_format: mystnb
kernelspec:
  name: python3
  display_name: Python 3
---
"""

SETUP = (Path(__file__).with_name("setup_cell.md")).read_text(encoding="utf-8")

if __name__ == "__main__":
    body = Path(sys.argv[1]).read_text(encoding="utf-8")
    title, _, rest = body.partition("\n")
    sys.stdout.write(f"{FRONT}\n{title}\n\n{SETUP}{rest}")
