"""Input validation shared by the public entry points.

Every check raises a ``ValueError`` or ``TypeError`` whose message names the
parameter, the rule and the value received, so that a bad argument is never
turned into a silent ``nan`` or a mislabelled row.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable
from typing import Any

import numpy as np

__all__: list[str] = []

#: Largest count (sample size, population) accepted: every whole number up to 2**53 is exact as a
#: float, and sums such as n1 + n2 stay far from overflow (n = 1e308 would make n1 + n2 infinite).
MAX_COUNT = 2.0**53


def first_bad(arr: np.ndarray, bad: np.ndarray) -> str:
    """Describe the first offending element of ``arr`` (value and index for arrays)."""
    if arr.ndim == 0:
        return f"got {arr.item()!r}"
    index = tuple(int(i) for i in np.argwhere(bad)[0])
    where = index[0] if len(index) == 1 else index
    return f"got {arr[index].item()!r} at index {where}"


def check_choice(name: str, value: object, choices: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``choices``; otherwise raise a ValueError."""
    choices = tuple(choices)
    if not isinstance(value, str) or value not in choices:
        listed = ", ".join(repr(c) for c in choices[:-1]) + f" or {choices[-1]!r}"
        raise ValueError(f"{name} ({value!r}) must be one of {listed}.")
    return value


def as_float_array(name: str, value: object) -> np.ndarray:
    """Convert ``value`` to a float array, raising a TypeError naming ``name``."""
    if value is None:
        raise TypeError(f"{name} must be a real number or an array of real numbers (got None).")
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be a real number or an array of real numbers (got {value!r}).")
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a real number or an array of real numbers (got {value!r}).") from None
    return arr


def check_not_nan(name: str, arr: np.ndarray) -> None:
    bad = np.isnan(arr)
    if bad.any():
        raise ValueError(
            f"{name} must not be nan ({first_bad(arr, bad)}); a missing value cannot be "
            "tested: leave the row out, or use stats.label_changes, which marks it untestable."
        )


def _within(arr: np.ndarray, low: float, high: float) -> bool:
    """Fast path: all values in [low, high] and none nan, by two reductions (nan propagates)."""
    if arr.size == 0:
        return True
    return bool(low <= arr.min() and arr.max() <= high)


def within_ignoring_nan(arr: np.ndarray, low: float, high: float) -> bool:
    """Like :func:`_within` but nan (a missing value) passes: ``fmin``/``fmax`` skip nan in one pass."""
    if arr.size == 0:
        return True
    mn, mx = np.fmin.reduce(arr, axis=None), np.fmax.reduce(arr, axis=None)
    return bool(np.isnan(mn) or (low <= mn and mx <= high))


def check_proportion(name: str, value: object) -> np.ndarray:
    """A proportion in [0, 1]; values above 1 get a hint about percentages."""
    arr = as_float_array(name, value)
    if _within(arr, 0.0, 1.0):
        return arr
    check_not_nan(name, arr)
    bad = (arr < 0) | (arr > 1)
    if bad.any():
        hint = ""
        if np.all(arr[bad] <= 100) and np.all(arr[bad] > 1):
            hint = "; did you pass a percentage? Divide by 100"
        raise ValueError(f"{name} must be a proportion in [0, 1] ({first_bad(arr, bad)}){hint}.")
    return arr


def _exact_too_big(value: object) -> object:
    """The first whole number of ``value`` above 2**53 read exactly (before a float rounds 2**53 + 1 down), or None."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        return int(value) if abs(int(value)) > 2**53 else None
    if isinstance(value, (list, tuple, np.ndarray)):
        raw = np.asarray(value)
        if raw.dtype.kind in "iu":  # whole numbers: one comparison of the array (uint64 has no abs)
            big = (raw > 2**53) if raw.dtype.kind == "u" else (raw > 2**53) | (raw < -(2**53))
            return int(raw.ravel()[np.argmax(big.ravel())]) if big.any() else None
        if raw.dtype == object:
            for x in raw.ravel():
                if isinstance(x, (int, np.integer)) and not isinstance(x, (bool, np.bool_)) and abs(int(x)) > 2**53:
                    return int(x)
    return None


def check_count(name: str, value: object, *, minimum: int = 1) -> np.ndarray:
    """A whole number >= ``minimum`` (a sample size or a population); at most 2**53, read exactly."""
    big = _exact_too_big(value)
    if big is not None:
        raise ValueError(
            f"{name} must be at most 2**53 = {int(MAX_COUNT)}, the largest whole number exact in floating "
            f"point (got {big})."
        )
    arr = as_float_array(name, value)
    if _within(arr, minimum, MAX_COUNT):
        integer_input = np.issubdtype(np.asarray(value).dtype, np.integer)
        if integer_input or np.array_equal(arr, np.floor(arr)):
            return arr
    check_not_nan(name, arr)
    bad = ~np.isfinite(arr) | (arr < minimum) | (arr != np.floor(arr))
    if bad.any():
        raise ValueError(f"{name} must be a whole number >= {minimum} ({first_bad(arr, bad)}).")
    _check_max_count(name, arr)
    return arr


def _check_max_count(name: str, arr: np.ndarray) -> None:
    bad = np.isfinite(arr) & (arr > MAX_COUNT)
    if bad.any():
        raise ValueError(
            f"{name} must be at most 2**53 = {int(MAX_COUNT)}, the largest whole number exact in floating "
            f"point ({first_bad(arr, bad)})."
        )


def check_population(name: str, value: object) -> np.ndarray:
    """A population size: a whole number >= 1, or ``None``/``inf`` for an infinite population."""
    if value is None:
        return np.asarray(np.inf)
    arr = as_float_array(name, value)
    check_not_nan(name, arr)
    finite = np.isfinite(arr)
    bad = (arr < 1) | (finite & (arr != np.floor(arr))) | (arr == -np.inf)
    if bad.any():
        raise ValueError(
            f"{name} must be a whole number >= 1, or None for an infinite population ({first_bad(arr, bad)})."
        )
    _check_max_count(name, arr)
    return arr


def check_open_unit(name: str, value: object) -> np.ndarray:
    """A probability strictly between 0 and 1 (confidence level, alpha, power)."""
    arr = as_float_array(name, value)
    check_not_nan(name, arr)
    bad = (arr <= 0) | (arr >= 1)
    if bad.any():
        raise ValueError(f"{name} must be strictly between 0 and 1 ({first_bad(arr, bad)}).")
    return arr


def check_scalar_open_unit(name: str, value: object) -> float:
    """Like :func:`check_open_unit` but for options that must be a single number."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a single real number (got {value!r}).")
    return float(check_open_unit(name, value))


def check_not_above(name: str, arr: np.ndarray, limit_name: str, limit: np.ndarray) -> None:
    """``arr <= limit`` elementwise (after broadcasting), e.g. a sample within its population."""
    a, lim = np.broadcast_arrays(arr, limit)
    bad = a > lim
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0]) if a.ndim else ()
        raise ValueError(
            f"{name} must not exceed {limit_name} (got {name}={a[index].item()!r} "
            f"> {limit_name}={lim[index].item()!r})."
        )


def broadcast(**arrays: np.ndarray) -> list[np.ndarray]:
    """``np.broadcast_arrays`` with an error that names every parameter and its shape."""
    try:
        return list(np.broadcast_arrays(*arrays.values()))
    except ValueError:
        shapes = ", ".join(f"{k} {np.shape(v)}" for k, v in arrays.items())
        raise ValueError(f"array arguments must broadcast to one shape (got shapes {shapes}).") from None


def unwrap(arr: np.ndarray) -> Any:
    """Return a Python scalar (float, int or bool) for 0-d arrays, the array otherwise."""
    arr = np.asarray(arr)
    return arr.item() if arr.ndim == 0 else arr
