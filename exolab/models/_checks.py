"""Argument checks shared by the teaching models (clear ValueErrors, never silent NaNs).

Messages are read by learners in the explorers, so they name the parameter, show the
allowed range in plain numbers (``1,000,000``, not ``1e+06``) and quote only the first
offending element of an array, never the whole array.
"""
from __future__ import annotations

import math
import numbers
import reprlib

import numpy as np

_SHORT = reprlib.Repr()
_SHORT.maxstring = 40
_SHORT.maxother = 40
_SHORT.maxlist = _SHORT.maxtuple = 4


def fmt_number(x) -> str:
    """A number as a learner should read it: ``1,000,001``, ``0.25``, ``1e-300``, ``inf``.

    Whole numbers below 1e15 get thousands separators; other values get up to 10
    significant digits, so an offending value is never rounded onto the bound it
    breaks (``1000001`` used to print as ``1e+06``, the same as the limit).
    """
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x.is_integer() and abs(x) < 1e15:
        return f"{int(x):,}"
    if 1e-4 <= abs(x) < 1e15:
        return f"{x:,.10g}" if abs(x) >= 1e4 else f"{x:.10g}"
    return f"{x:.10g}"


def _where(arr: np.ndarray, bad: np.ndarray) -> str:
    """' (element 3 of 40)' for arrays, '' for scalars: where the first bad value sits."""
    if arr.ndim == 0:
        return ""
    index = int(np.flatnonzero(bad.ravel())[0])
    return f" (element {index} of {arr.size:,})"


def as_array(name: str, value, *, low=None, high=None, low_open=False, high_open=False):
    """Return ``value`` as a float array after checking every element lies in range.

    Parameters
    ----------
    name : str
        Parameter name used in the message.
    value : float or array_like
    low, high : float, optional
        Bounds; ``low_open`` / ``high_open`` make them strict.

    Raises
    ------
    ValueError
        Naming the parameter, the allowed range and the first offending value.
    """
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number (or an array of numbers); "
                         f"got {_SHORT.repr(value)}") from None
    finite = np.isfinite(arr)
    if not finite.all():
        shown = arr.ravel()[np.flatnonzero(~finite.ravel())[0]]
        raise ValueError(f"{name} must be a finite number; got {fmt_number(shown)}"
                         f"{_where(arr, ~finite)}")
    bad = np.zeros(arr.shape, dtype=bool)
    if low is not None:
        bad |= (arr <= low) if low_open else (arr < low)
    if high is not None:
        bad |= (arr >= high) if high_open else (arr > high)
    if np.any(bad):
        lo = "" if low is None else (f"> {fmt_number(low)}" if low_open else f">= {fmt_number(low)}")
        hi = "" if high is None else (f"< {fmt_number(high)}" if high_open else f"<= {fmt_number(high)}")
        allowed = " and ".join(s for s in (lo, hi) if s)
        shown = arr.ravel()[np.flatnonzero(bad.ravel())[0]]
        raise ValueError(f"{name} must be {allowed}; got {fmt_number(shown)}{_where(arr, bad)}")
    return arr


def as_scalar(name: str, value, **bounds) -> float:
    """One number (not an array) checked like :func:`as_array`; returns a Python float."""
    arr = as_array(name, value, **bounds)
    if arr.ndim != 0:
        raise ValueError(f"{name} must be a single number; got an array of {arr.size:,} values")
    return float(arr)


def as_int(name: str, value, *, low=None, high=None) -> int:
    """A whole number in ``[low, high]``; 1.5 or ``True`` are rejected, not truncated.

    Raises
    ------
    ValueError
        Naming the parameter, the allowed range and the value.
    """
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, numbers.Real, np.number)):
        raise ValueError(f"{name} must be a whole number; got {_SHORT.repr(value)}")
    x = float(value)
    if not math.isfinite(x) or not x.is_integer():
        raise ValueError(f"{name} must be a whole number; got {fmt_number(x)}")
    as_array(name, x, low=low, high=high)
    return int(value)


def require_finite(name: str, arr, cause: str):
    """Raise a ``ValueError`` naming ``name`` if a *result* overflowed to inf or NaN.

    ``cause`` says which inputs produced it, since the learner never typed ``name``.
    """
    arr = np.asarray(arr, dtype=float)
    finite = np.isfinite(arr)
    if not finite.all():
        raise ValueError(f"{cause}: {name} would be {fmt_number(arr.ravel()[np.flatnonzero(~finite.ravel())[0]])}"
                         f"{_where(arr, ~finite)}, too large to compute")
    return arr


def scalar_or_array(arr):
    """Return a Python float for 0-d results, otherwise the array unchanged."""
    arr = np.asarray(arr)
    return float(arr) if arr.ndim == 0 else arr
