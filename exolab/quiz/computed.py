"""Numeric answers computed from the curated tables (``answer_from`` in a bank).

Form (documented in ``data/quizzes/README.md``)::

    answer_from: {count: findings, where: {cargo: hsa-miR-21-5p, theme: immunity}}
    answer_from: {nunique: findings, column: cargo, where: {theme: immunity}}
    answer_from: {mean: rotors, column: k_factor, round: 1}
"""
from __future__ import annotations

import pandas as pd

from .schema import QuizError

__all__ = ["OPERATIONS", "evaluate", "load_table"]

OPERATIONS = ("count", "nunique", "sum", "mean", "min", "max")
_KEYS = set(OPERATIONS) | {"column", "where", "round"}


def load_table(name: str):
    """Return table ``name`` from :mod:`exolab.data` (tests replace this function)."""
    from exolab import data  # imported late: exolab.data is heavier than the quiz core
    return data.load(name)


def _is_listlike(value) -> bool:
    return isinstance(value, (list, tuple, set, frozenset))


def _matches(cell, wanted) -> bool:
    wanted = wanted if isinstance(wanted, list) else [wanted]
    if _is_listlike(cell):
        return any(w in cell or str(w) in map(str, cell) for w in wanted)
    if pd.isna(cell):  # None, NaN and pd.NA never match (pd.NA == x is not a bool)
        return False
    return any(cell == w or str(cell) == str(w) for w in wanted)


def evaluate(spec: dict) -> float:
    """Compute the value described by an ``answer_from`` mapping.

    Parameters
    ----------
    spec : dict
        One operation key (table name as value), plus ``column``, ``where``, ``round``.

    Returns
    -------
    float

    Raises
    ------
    QuizError
        Unknown operation, table or column, or a statistic over no rows.
    """
    unknown = set(spec) - _KEYS
    if unknown:
        raise QuizError(f"unknown key(s) {sorted(unknown)}; allowed: {', '.join(sorted(_KEYS))}")
    ops = [op for op in OPERATIONS if op in spec]
    if len(ops) != 1:
        raise QuizError(f"give exactly one operation out of {', '.join(OPERATIONS)}")
    op, table = ops[0], spec[ops[0]]
    try:
        frame = load_table(str(table))
    except Exception as exc:  # DataError, KeyError...: report as a bank problem
        raise QuizError(f"cannot load table {table!r} ({exc})") from None
    where = spec.get("where") or {}
    if not isinstance(where, dict):
        raise QuizError("'where' must map column names to values")
    for col, wanted in where.items():
        if col not in frame.columns:
            raise QuizError(f"table {table!r} has no column {col!r} (columns: {', '.join(map(str, frame.columns))})")
        frame = frame[[_matches(c, wanted) for c in frame[col]]]
    if op == "count":
        value = float(len(frame))
    else:
        col = spec.get("column")
        if col not in frame.columns:
            raise QuizError(f"'{op}' needs 'column:' naming a column of {table!r} (got {col!r})")
        series = frame[col].dropna()
        if op == "nunique":
            value = float(series.astype(str).nunique())
        elif series.empty:
            raise QuizError(f"'where' leaves no values of {col!r} to take the {op} of")
        else:
            value = float(getattr(series.astype(float), op)())
    if spec.get("round") is not None:
        value = round(value, int(spec["round"]))
    return value
