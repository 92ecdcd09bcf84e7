"""Checking the arguments of the analytic functions, and shaping their results."""

from __future__ import annotations

from typing import Literal, TypeAlias

import numpy as np
import numpy.typing as npt

from risksim.errors import InputError

FloatArray: TypeAlias = npt.NDArray[np.float64]
FloatOrArray: TypeAlias = float | FloatArray
Interval: TypeAlias = Literal["[]", "[)", "(]", "()"]


def checked(name: str, value: npt.ArrayLike, low: float, high: float,
             interval: Interval) -> FloatArray:
    """``value`` as a float64 array, or an InputError naming ``name`` if any entry is outside.

    ``interval`` gives the brackets: ``"(]"`` means low < value ≤ high. NaN is always outside.
    """
    array = np.asarray(value, dtype=np.float64)
    above_low = array >= low if interval[0] == "[" else array > low
    below_high = array <= high if interval[1] == "]" else array < high
    outside = ~(above_low & below_high)
    if outside.any():
        count = int(np.count_nonzero(outside))
        where = f" ({count} of {array.size} values outside)" if array.size > 1 else ""
        raise InputError(f"{name} must be in {interval[0]}{low:g}, {high:g}{interval[1]}, "
                         f"got {float(array[outside][0])!r}{where}")
    return array


def result_value(array: FloatArray) -> FloatOrArray:
    """A 0-d result as a Python float; any other result as the array itself."""
    return float(array) if array.ndim == 0 else array
