"""Argument checks shared by the teaching models (clear ValueErrors, never silent NaNs)."""
from __future__ import annotations

import numpy as np


def as_array(name: str, value, *, low=None, high=None, low_open=False, high_open=False):
    """Return ``value`` as a float array after checking every element lies in range.

    Raises ``ValueError`` naming the parameter, the offending value and the allowed range.
    """
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number (or an array of numbers); got {value!r}") from None
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite; got {value!r}")
    bad = np.zeros(arr.shape, dtype=bool)
    if low is not None:
        bad |= (arr <= low) if low_open else (arr < low)
    if high is not None:
        bad |= (arr >= high) if high_open else (arr > high)
    if np.any(bad):
        lo = "" if low is None else (f"> {low:g}" if low_open else f">= {low:g}")
        hi = "" if high is None else (f"< {high:g}" if high_open else f"<= {high:g}")
        allowed = " and ".join(s for s in (lo, hi) if s)
        shown = arr[bad].flat[0]
        raise ValueError(f"{name} must be {allowed}; got {shown:g}")
    return arr


def scalar_or_array(arr):
    """Return a Python float for 0-d results, otherwise the array unchanged."""
    arr = np.asarray(arr)
    return float(arr) if arr.ndim == 0 else arr
