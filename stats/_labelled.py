"""The carrier of a labelled table: its specification and its parsed arrays, travelling together.

:func:`stats.label_changes` parses a table once and labels it under one :class:`stats.ChangeTest`.
The checks of a labelled table (:func:`stats.consistency.robust_labels`,
:func:`stats.exact.compare_methods`, :mod:`stats.design`) need the same specification, the same
rounding rule and the same parsed figures. They get them from one :class:`LabelledTable`, which the
labelled DataFrame carries in ``attrs['labelled_table']`` (``attrs`` only at the public DataFrame
boundary), instead of re-deriving the test or re-parsing the table.

The carrier is immutable (its arrays are read-only) and copies as itself, so pandas' deep copy of
``attrs`` on every operation costs nothing. A frame whose rows no longer match the carrier (filtered,
reordered) is not carried: :func:`carrier_of` returns None and the checks fall back to parsing it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["ATTR", "LabelledTable", "carrier_of"]

#: Key of the carrier in a labelled DataFrame's ``attrs``.
ATTR = "labelled_table"


@dataclass(frozen=True, eq=False)
class LabelledTable:
    """A labelled table's specification, rounding rule, column names and parsed arrays.

    Attributes
    ----------
    test : stats.ChangeTest
        The specification the table was labelled with.
    rounding : str
        The rule its percentages were published with.
    columns : stats.parse.Columns
        The column names read.
    index : pandas.Index
        The table's rows (a frame with other rows is not carried).
    parsed : dict of ndarray
        :func:`stats.parse.parse_arrays` of the table (read-only).
    counts : dict of ndarray
        The counts every test of the table uses (``count_previous``, ``n_used_previous``,
        ``count_current``, ``n_used_current``, ``source``; read-only).
    """

    test: object
    rounding: str
    columns: object
    index: pd.Index
    parsed: dict
    counts: dict

    def __post_init__(self):
        for arrays in (self.parsed, self.counts):
            for value in arrays.values():
                if isinstance(value, np.ndarray):
                    value.flags.writeable = False

    def __repr__(self) -> str:
        return (
            f"LabelledTable({self.test!r}, rounding={self.rounding!r}, rows={len(self.index)}, "
            f"testable={int(np.count_nonzero(self.parsed['testable']))})"
        )

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def matches(self, frame: pd.DataFrame) -> bool:
        """True when ``frame`` has exactly the carrier's rows, in order."""
        return len(frame.index) == len(self.index) and frame.index.equals(self.index)

    def parsed_frame(self) -> pd.DataFrame:
        """The parsed arrays as the canonical frame of :func:`stats.parse.parse_table`."""
        frame = pd.DataFrame(dict(self.parsed), index=self.index)
        frame.attrs["columns"] = self.columns
        return frame


def carrier_of(frame: object) -> LabelledTable | None:
    """The :class:`LabelledTable` a DataFrame carries, if its rows still match; else None.

    Its test must also be the one in ``attrs['change_test']`` (a caller who replaced that
    relabels the table in effect, and the carrier no longer describes it).
    """
    if not isinstance(frame, pd.DataFrame):
        return None
    carrier = frame.attrs.get(ATTR)
    if (
        isinstance(carrier, LabelledTable)
        and carrier.matches(frame)
        and frame.attrs.get("change_test") in (carrier.test, None)
    ):
        return carrier
    return None
