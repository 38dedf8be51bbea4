"""Reports as validated data: the published tables of inspection reports, as DataFrames.

A report is a folder: ``report.toml`` (its framework, and whether it is real or
CONSTRUCTED) and five CSV files checked against the schema of
:mod:`stats.schema` on load. Bundled reports live in ``data/<report>/`` at the
top of the repository (see ``data/README.md`` for sources and assumptions); a
wheel carries a copy in ``stats/_data/`` so that :func:`load_report` works after
a normal install. A folder of your own is loaded with ``load_report(path=...)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .framework import Framework, FrameworkLike
from .io import StrPath

__all__ = ["Report", "load_report", "available_reports", "report_folder", "data_roots", "DEFAULT_REPORT"]

DEFAULT_REPORT = "south-yorkshire-crc-2020"

_BUNDLED_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def data_roots() -> list[Path]:
    """Folders the bundled data are looked up in, in order: ``stats/_data`` (an installed wheel),
    then ``data/`` at the top of a source checkout.

    See Also
    --------
    available_reports : The reports found in these folders.
    report_folder : The folder of one of them.

    Examples
    --------
    >>> from stats.reports import data_roots
    >>> any((root / "south-yorkshire-crc-2020").is_dir() for root in data_roots())
    True
    """
    here = Path(__file__).resolve().parent
    return [here / "_data", here.parent / "data"]


def available_reports() -> list[str]:
    """Names of the bundled reports, for :func:`load_report`.

    See Also
    --------
    load_report : Loads one of them by name.
    stats.framework.available_frameworks : The bundled frameworks.

    Examples
    --------
    >>> from stats.reports import available_reports
    >>> available_reports()
    ['constructed-youth-example', 'south-yorkshire-crc-2020']
    """
    names: set[str] = set()
    for root in data_roots():
        if root.is_dir():
            names.update(p.name for p in root.iterdir() if (p / "prompts.csv").is_file())
    return sorted(names)


@dataclass(frozen=True, eq=False)
class Report:
    """The published tables of one inspection report.

    Attributes
    ----------
    name : str
        Report identifier, e.g. ``"south-yorkshire-crc-2020"``.
    prompts : pandas.DataFrame
        Annexe 4 prompt rows: percentages (``previous``, ``current``; nan
        where no comparable data), assumed denominators and their source.
    key_questions : pandas.DataFrame
        Key-question percentages of the chapter tables (with all-CRC figures).
    standards : pandas.DataFrame
        Previous and current rating of each standard.
    overall : pandas.DataFrame
        Published overall score and rating.
    samples : pandas.DataFrame
        Sample sizes stated in the report and the tables they apply to.
    path : pathlib.Path
        Folder the CSV files were read from.
    framework : stats.framework.Framework
        The inspection framework the report names in ``report.toml``.
    metadata : dict
        The contents of ``report.toml`` (name, title, framework, constructed, source).

    See Also
    --------
    load_report : Returns it.
    stats.schema.read_report : The checks and the tables behind it.

    Examples
    --------
    >>> import stats
    >>> report = stats.load_report()
    >>> report.name, report.framework.name, report.constructed
    ('south-yorkshire-crc-2020', 'adult-2018', False)
    >>> report.prompts[["prompt_id", "previous", "current", "n_current"]].head(2)
      prompt_id  previous  current  n_current
    0   2.1.1.a      54.0     71.0        100
    1   2.1.1.b       NaN     43.0        100
    """

    name: str
    prompts: pd.DataFrame
    key_questions: pd.DataFrame
    standards: pd.DataFrame
    overall: pd.DataFrame
    samples: pd.DataFrame
    path: Path
    framework: Framework | None = None
    metadata: dict = field(default_factory=dict)

    @property
    def folder(self) -> Path:
        """The report folder (an input: ``-o`` may never be it, nor any file in it)."""
        return self.path

    @property
    def files(self) -> tuple[Path, ...]:
        """Every file read to load the report (``report.toml`` and the five CSV files), for
        :func:`stats.io.check_output_path` (``inputs=report.files, protected=(report.folder,)``)."""
        from .schema import report_files

        files = report_files(self.path)
        if self.framework is not None and Path(self.framework.path).parent.resolve() == Path(self.path).resolve():
            files += (Path(self.framework.path),)
        return files

    @property
    def constructed(self) -> bool:
        """True when the report's figures are constructed (an example), not a published inspection."""
        return bool(self.metadata.get("constructed", False))


def report_folder(name: str) -> Path:
    """Folder of a bundled report; ``name`` must be one of :func:`available_reports` (no paths).

    See Also
    --------
    available_reports : The names accepted.
    load_report : Loads a report by name, or from a folder of your own with ``path=``.

    Examples
    --------
    >>> from stats.reports import report_folder
    >>> report_folder("south-yorkshire-crc-2020").name
    'south-yorkshire-crc-2020'
    >>> report_folder("../elsewhere")
    Traceback (most recent call last):
    ...
    ValueError: name ('../elsewhere') must be the name of a bundled report (lower case letters, digits and hyphens; no
    paths, no '..'); ...
    """
    if not isinstance(name, str):
        raise TypeError(
            f"name must be a bundled report name string (got {name!r}); "
            "for a folder of your own use load_report(path=FOLDER) (command line: --path FOLDER)."
        )
    if not _BUNDLED_NAME.match(name):
        raise ValueError(
            f"name ({name!r}) must be the name of a bundled report (lower case letters, digits and "
            "hyphens; no paths, no '..'); for a folder of your own use load_report(path=FOLDER) "
            "(command line: --path FOLDER). "
            f"Bundled reports: {available_reports()}."
        )
    for root in data_roots():
        folder = root / name
        if (folder / "prompts.csv").is_file():
            return folder
    raise ValueError(f"name ({name!r}) must be one of the bundled reports: {available_reports()}.")


def load_report(name: str | None = None, *, path: StrPath | None = None, framework: FrameworkLike = None) -> Report:
    """Load a report's tables, checked against the schema.

    Parameters
    ----------
    name : str, default "south-yorkshire-crc-2020"
        One of :func:`available_reports`. Only bundled names are accepted
        (no paths, no ``..``), so that a name can never reach a folder
        elsewhere on the disk.
    path : path, optional
        A report folder of your own (``report.toml`` and the five CSV
        files; ``python -m stats new-report`` writes an empty one). Give
        ``name`` or ``path``, not both.
    framework : str, path or Framework, optional
        Overrides the framework named in ``report.toml`` (needed only for a
        folder without one).

    Returns
    -------
    Report

    Raises
    ------
    stats.schema.ReportValidationError
        Listing every violation of the folder (file, row, column, value, rule).

    See Also
    --------
    available_reports : The bundled names.
    stats.schema.validate_report : Every problem of a folder, as a table, without raising.
    stats.schema.write_templates : An empty folder to fill in for a new report.

    Examples
    --------
    >>> from stats import load_report
    >>> report = load_report()
    >>> len(report.prompts), len(report.key_questions), len(report.standards), report.framework.name
    (76, 18, 10, 'adult-2018')
    >>> load_report("constructed-youth-example").constructed
    True
    """
    from .schema import read_report

    if name is not None and path is not None:
        raise TypeError("give a bundled report name or path=FOLDER, not both.")
    if path is None:
        name = DEFAULT_REPORT if name is None else name
        folder = report_folder(name)
    else:
        folder = Path(path)
    metadata, fw, tables = read_report(folder, framework=framework)
    # name is set (the default report's at least) exactly when no path is given
    label = name if name is not None and path is None else str(metadata.get("name") or folder.name)
    return Report(name=label, path=folder, framework=fw, metadata=dict(metadata), **tables)
