"""Numeric answers computed at load time (``answer_from`` in a bank), and the refs check.

Forms (documented in ``data/quizzes/README.md``)::

    answer_from: {count: findings, where: {cargo: hsa-miR-21-5p, theme: immunity}}
    answer_from: {nunique: findings, column: cargo, where: {theme: immunity}}
    answer_from: {mean: rotors, column: k_factor, round: 1}
    answer_from: {model: resistance.time_to_dominance, kwargs: {inhibitor: 0.5}, round: 1}
"""
from __future__ import annotations

import importlib
import math
import numbers
import pkgutil

import pandas as pd

from .schema import QuizError

__all__ = ["OPERATIONS", "evaluate", "load_table", "model_functions", "known_refs"]

OPERATIONS = ("count", "nunique", "sum", "mean", "min", "max")
_KEYS = set(OPERATIONS) | {"column", "where", "round"}
_MODEL_KEYS = {"model", "kwargs", "round"}


def load_table(name: str):
    """Return table ``name`` from :mod:`exolab.data` (tests replace this function)."""
    from exolab import data  # imported late: exolab.data is heavier than the quiz core
    return data.load(name)


def known_refs() -> tuple[frozenset, frozenset]:
    """Return the ids a question's ``refs`` may use: (finding ids, glossary term ids).

    Raises
    ------
    QuizError
        If the findings or glossary table cannot be loaded.
    """
    out = []
    for table, column in (("findings", "finding_id"), ("glossary", "term_id")):
        try:
            frame = load_table(table)
            out.append(frozenset(str(v) for v in frame[column].dropna()))
        except Exception as exc:  # DataError, KeyError...: the refs cannot be checked
            raise QuizError(f"cannot check 'refs' because table {table!r} does not load ({exc})") from None
    return out[0], out[1]


def model_functions() -> dict[str, object]:
    """Return the functions an ``answer_from: {model: ...}`` may call, by ``<module>.<name>``.

    Every public submodule of :mod:`exolab.models` contributes the callables in its
    ``__all__`` (constants such as ``SVEDBERG_S`` are not functions and are left out).
    """
    import exolab.models as models
    out = {}
    for info in pkgutil.iter_modules(models.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"exolab.models.{info.name}")
        for name in getattr(module, "__all__", ()):
            fn = getattr(module, name, None)
            if callable(fn) and not isinstance(fn, type):
                out[f"{info.name}.{name}"] = fn
    return out


def _round(value: float, spec: dict) -> float:
    digits = spec.get("round")
    if digits is None:
        return value
    if isinstance(digits, bool) or not isinstance(digits, int) or not 0 <= digits <= 12:
        raise QuizError(f"'round' must be a whole number of decimals from 0 to 12 (got {digits!r})")
    return round(value, digits)


def _model(spec: dict) -> float:
    unknown = set(spec) - _MODEL_KEYS
    if unknown:
        raise QuizError(f"unknown key(s) {sorted(unknown)} next to 'model'; allowed: model, kwargs, round")
    name = spec["model"]
    allowed = model_functions()
    if not isinstance(name, str) or name not in allowed:
        raise QuizError(f"model {name!r} is not a function exolab.models offers; write "
                        f"'<module>.<function>', one of: {', '.join(sorted(allowed))}")
    kwargs = spec.get("kwargs") or {}
    if not isinstance(kwargs, dict) or not all(isinstance(k, str) for k in kwargs):
        raise QuizError("'kwargs' must map argument names to values, e.g. {inhibitor: 0.5}")
    try:
        result = allowed[name](**kwargs)
    except (TypeError, ValueError, ArithmeticError) as exc:  # a bad argument name or value
        raise QuizError(f"{name}(**{kwargs}) failed: {type(exc).__name__}: {exc}") from None
    if hasattr(result, "ndim") and getattr(result, "ndim") == 0:
        result = result.item()  # a 0-d numpy array is one number
    if isinstance(result, bool) or not isinstance(result, numbers.Real) or not math.isfinite(float(result)):
        raise QuizError(f"{name}(**{kwargs}) returned {result!r}, not a finite number; "
                        "choose arguments for which the model gives a number")
    return _round(float(result), spec)


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
        One operation key (table name as value), plus ``column``, ``where``, ``round``;
        or ``model`` (``<module>.<function>`` of :mod:`exolab.models`), optional
        ``kwargs`` and ``round``.

    Returns
    -------
    float

    Raises
    ------
    QuizError
        Unknown operation, table, column or model, a statistic over no rows or over
        text, a model that fails or does not return a finite number, a bad ``round``.
    """
    if not isinstance(spec, dict):
        raise QuizError("'answer_from' must be a mapping")
    if "model" in spec:
        return _model(spec)
    unknown = set(spec) - _KEYS
    if unknown:
        raise QuizError(f"unknown key(s) {sorted(unknown)}; allowed: {', '.join(sorted(_KEYS))} "
                        "(or model, kwargs, round for a model answer)")
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
            try:
                value = float(getattr(series.astype(float), op)())
            except (TypeError, ValueError) as exc:  # e.g. the mean of a text column
                raise QuizError(f"cannot take the {op} of column {col!r}: it does not hold numbers ({exc})") from None
    return _round(value, spec)
