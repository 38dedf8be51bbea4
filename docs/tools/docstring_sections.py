"""List every public callable whose docstring lacks a numpydoc "See Also" or "Examples" section.

Run ``python docs/tools/docstring_sections.py`` from the repository root: one line per callable
(functions and classes named in the ``__all__`` lists of ``stats`` and its public modules, each
counted once, under the module that defines it), then the count. Exit status 0 either way: it
reports progress; ``tests/test_docstrings.py`` turns it into an expected failure until the list
is empty.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import sys
from pathlib import Path

SECTIONS = ("See Also", "Examples")


def public_callables() -> dict[str, object]:
    """``{"module.name": object}`` for every function and class in a public ``__all__``, once each."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    import stats

    modules = [stats] + [
        importlib.import_module(info.name)
        for info in pkgutil.walk_packages(stats.__path__, prefix="stats.")
        if not info.name.rsplit(".", 1)[-1].startswith("_")
    ]
    found: dict[int, tuple[str, object]] = {}
    for module in modules:
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            if not (inspect.isfunction(obj) or inspect.isclass(obj)):
                continue  # constants and tables have no sections to hold
            home = getattr(obj, "__module__", module.__name__)
            qualified = f"{home}.{getattr(obj, '__qualname__', name)}"
            found.setdefault(id(obj), (qualified, obj))
    return dict(sorted(found.values(), key=lambda item: item[0]))


def missing_sections(obj: object) -> list[str]:
    """The sections of ``SECTIONS`` that the numpydoc docstring of ``obj`` lacks or leaves empty."""
    doc = inspect.getdoc(obj) or ""
    missing = []
    for section in SECTIONS:
        match = re.search(rf"^{re.escape(section)}\n-{{3,}}\n(.*?)(?=^\S[^\n]*\n-{{3,}}\n|\Z)", doc, flags=re.M | re.S)
        if match is None or not match.group(1).strip():
            missing.append(section)
    return missing


def report() -> dict[str, list[str]]:
    """``{"module.name": [missing sections]}`` for every public callable that lacks one."""
    return {name: gaps for name, obj in public_callables().items() if (gaps := missing_sections(obj))}


def main() -> int:
    gaps = report()
    total = len(public_callables())
    for name, sections in gaps.items():
        print(f"{name}: no {' and no '.join(sections)}")
    see_also = sum("See Also" in s for s in gaps.values())
    examples = sum("Examples" in s for s in gaps.values())
    print(
        f"\n{len(gaps)} of {total} public callables lack a section "
        f"({see_also} without See Also, {examples} without Examples)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
