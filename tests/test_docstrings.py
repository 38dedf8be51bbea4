"""Every public function and class has numpydoc "See Also" and "Examples" sections.

The list comes from ``docs/tools/docstring_sections.py``, which also prints it
(``python docs/tools/docstring_sections.py``); a public callable added without both sections
fails this test.
"""

import importlib.util
from pathlib import Path

TOOL = Path(__file__).resolve().parents[1] / "docs" / "tools" / "docstring_sections.py"


def _tool():
    spec = importlib.util.spec_from_file_location("docstring_sections", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_section_finder_reads_numpydoc_sections():
    tool = _tool()

    def documented():
        """Do nothing.

        See Also
        --------
        print : a function.

        Examples
        --------
        >>> documented()
        """

    def examples_empty():
        """Do nothing.

        See Also
        --------
        print : a function.

        Examples
        --------
        """

    def undocumented():
        """Do nothing."""

    assert tool.missing_sections(documented) == []
    assert tool.missing_sections(examples_empty) == ["Examples"]
    assert tool.missing_sections(undocumented) == ["See Also", "Examples"]


def test_the_list_covers_the_public_api():
    names = _tool().public_callables()
    assert "stats.change.compare_proportions" in names
    assert "stats.change.ChangeTest" in names
    assert not any(name.rsplit(".", 1)[-1].startswith("_") for name in names)


def test_every_public_callable_has_see_also_and_examples():
    gaps = _tool().report()
    assert not gaps, f"{len(gaps)} public callables lack See Also or Examples: " + ", ".join(gaps)
