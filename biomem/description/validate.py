"""Checks applied to every value when a description object is constructed."""

from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np

from biomem.errors import BiomemError


def real(name: str, value, *, low: float | None = None, high: float | None = None,
         low_open: bool = False, high_open: bool = False) -> float:
    """Return ``value`` as a finite float inside the stated range, else raise BiomemError."""
    accepted = _range_text(low, high, low_open, high_open)
    if isinstance(value, bool) or not isinstance(value, (Real, np.floating, np.integer)):
        raise BiomemError(name, f"expected a number, got {value!r}", accepted)
    value = float(value)
    if not math.isfinite(value):
        raise BiomemError(name, f"must be finite, got {value}", accepted)
    if low is not None and (value < low or (low_open and value == low)):
        raise BiomemError(name, f"out of range: {value:g}", accepted)
    if high is not None and (value > high or (high_open and value == high)):
        raise BiomemError(name, f"out of range: {value:g}", accepted)
    return value


def positive(name: str, value) -> float:
    """Return ``value`` as a finite float > 0, else raise BiomemError naming ``name``."""
    return real(name, value, low=0.0, low_open=True)


def non_negative(name: str, value) -> float:
    """Return ``value`` as a finite float >= 0, else raise BiomemError naming ``name``."""
    return real(name, value, low=0.0)


def integer(name: str, value, *, low: int | None = None, high: int | None = None) -> int:
    """Return ``value`` as an int in ``[low, high]`` (None: unbounded), else raise BiomemError.

    Booleans and non-integral numbers such as ``2.0`` are refused.
    """
    accepted = _range_text(low, high, False, False, kind="integer")
    if isinstance(value, bool) or not isinstance(value, (Integral, np.integer)):
        raise BiomemError(name, f"expected an integer, got {value!r}", accepted)
    value = int(value)
    if (low is not None and value < low) or (high is not None and value > high):
        raise BiomemError(name, f"out of range: {value}", accepted)
    return value


def choice(name: str, value, options) -> str:
    """Return ``value`` if it is one of ``options``, else raise BiomemError."""
    if value not in options:
        raise BiomemError(name, f"unknown value {value!r}", "one of " + ", ".join(map(str, options)))
    return value


def name_like(name: str, value) -> str:
    """Labels end up in generated code and file names, so only identifiers are allowed."""
    if not isinstance(value, str) or not value.isidentifier():
        raise BiomemError(name, f"not a valid label: {value!r}",
                          "letters, digits and '_', not starting with a digit")
    return value


def real_array(name: str, value, *, shape: tuple | None = None, low: float | None = None) -> np.ndarray:
    """Return ``value`` as a finite float array, of ``shape`` and all >= ``low`` when given, else raise BiomemError."""
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise BiomemError(name, "expected an array of numbers", None) from None
    if shape is not None and array.shape != shape:
        raise BiomemError(name, f"wrong shape {array.shape}", f"shape {shape}")
    if not np.all(np.isfinite(array)):
        raise BiomemError(name, "contains NaN or infinity", "finite numbers")
    if low is not None and array.size and array.min() < low:
        raise BiomemError(name, f"value {array.min():g} below {low:g}", f">= {low:g}")
    return array


def _range_text(low, high, low_open, high_open, kind="number") -> str:
    if low is None and high is None:
        return f"any finite {kind}"
    if high is None:
        return f"{kind} {'>' if low_open else '>='} {low:g}"
    if low is None:
        return f"{kind} {'<' if high_open else '<='} {high:g}"
    return f"{kind} in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
