"""Grading: turn any response into a :class:`Feedback`, never an exception."""
from __future__ import annotations

import math
import numbers
import re
from dataclasses import dataclass

from .schema import Question

__all__ = ["Feedback", "check", "expected_form"]

MAX_TEXT = 200  # longer strings cannot be a number or an option; do not even parse them


@dataclass(frozen=True)
class Feedback:
    """The result of grading one response.

    Attributes
    ----------
    correct : bool
    explanation : str
        The question's explanation ("" for a response that was not a valid answer).
    feedback : str
        Response-specific text: the chosen option's feedback, what was missed,
        or what a valid response looks like.
    misconception : str
        Tag of the misconception behind a wrong choice, "" if none.
    valid : bool
        False when the response had the wrong shape.
    saved : bool
        False when the attempt could not be written to the progress file.
    guarded : str
        ``feedback`` without the part that gives the answer away (for views that
        hold the explanation back until later); "" when ``feedback`` gives nothing
        away. Only ``multiple`` uses it today ("Also true: ..." names the answer).
    """

    correct: bool
    explanation: str
    feedback: str
    misconception: str = ""
    valid: bool = True
    saved: bool = True
    guarded: str = ""


class _Invalid(Exception):
    pass


def expected_form(q: Question) -> str:
    """Describe a valid response for ``q`` (shown when a response is malformed)."""
    n = len(q.options)
    return {
        "single": f"one option: its index 0-{n - 1} or its exact text",
        "multiple": f"a non-empty list of options (indices 0-{n - 1} or exact texts), each at most once",
        "numeric": "a finite number" + (f" (in {q.unit})" if q.unit else ""),
        "order": f"a list of all {n} steps (indices 0-{n - 1} of the options or their texts), each once",
        "match": f"a mapping from each of {', '.join(q.lefts)} to one of the choices",
    }[q.kind]


def _option(q: Question, item) -> int:
    # bool is an int subclass; True as "option 1" is a bug in the caller, not an answer
    if isinstance(item, numbers.Integral) and not isinstance(item, bool):
        if 0 <= int(item) < len(q.options):
            return int(item)
        raise _Invalid(f"option index {int(item)} is out of range")
    if isinstance(item, str) and len(item) <= 10 * MAX_TEXT:
        text = item.strip()
        if text in q.options:
            return q.options.index(text)
        raise _Invalid("that is not one of the options")
    raise _Invalid(f"a {type(item).__name__} is not an option")


def _items(response) -> list:
    if isinstance(response, (list, tuple, set, frozenset)) and len(response) <= 100:
        return list(response)
    raise _Invalid(f"expected a list, got {type(response).__name__}")


_SPACES = re.compile(r"[\s\u00a0\u2009\u202f]+")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d*,\d+$")


def _parse_number(text: str, unit: str) -> float:
    """Parse what a learner types: "98", "98 min", "1,6", "1.6", "100,000", "−3", "2e5".

    A comma followed by groups of exactly three digits separates thousands
    ("100,000"); any other single comma is a decimal comma ("1,6"). A trailing unit
    is accepted only if it is the question's own ``unit``.
    """
    s = _SPACES.sub("", text).replace("\u2212", "-")
    u = _SPACES.sub("", unit)
    if u and s.endswith(u) and len(s) > len(u):
        s = s[: -len(u)]
    if _THOUSANDS.match(s):
        s = s.replace(",", "")
    elif _DECIMAL_COMMA.match(s):
        s = s.replace(",", ".")
    return float(s)


def _number(response, unit: str = "") -> float:
    if isinstance(response, bool):
        raise _Invalid("True/False is not a number")
    if isinstance(response, numbers.Real):
        value = float(response)
    elif isinstance(response, str) and len(response) <= MAX_TEXT:
        try:
            value = _parse_number(response, unit)
        except ValueError:
            raise _Invalid(f"{response[:40]!r} is not a number") from None
    else:
        raise _Invalid(f"a {type(response).__name__} is not a number")
    if not math.isfinite(value):
        raise _Invalid("the number must be finite")
    return value


def _single(q: Question, r):
    i = _option(q, r)
    chosen = q.options[i]
    if chosen == q.answer:
        return True, q.feedback[i], q.misconceptions[i]
    return False, q.feedback[i], q.misconceptions[i]


def _multiple(q: Question, r):
    chosen = [_option(q, x) for x in _items(r)]
    picked = set(chosen)
    if not picked:
        raise _Invalid("no option selected")
    if len(picked) != len(chosen):
        raise _Invalid("an option is repeated; choose each option at most once")
    right = {q.options.index(a) for a in q.answer}
    if picked == right:
        return True, "Correct: you selected exactly the right options.", ""
    parts = [q.feedback[i] for i in sorted(picked - right)]
    missed = [q.options[i] for i in sorted(right - picked)]
    tags = [q.misconceptions[i] for i in sorted(picked - right) if q.misconceptions[i]]
    if not missed:
        return False, " ".join(parts), ",".join(tags)
    # naming the missed options gives the answer away; views that hold the
    # explanation back show only how many are missing (Feedback.guarded)
    count = (f"{len(missed)} more option{'s are' if len(missed) > 1 else ' is'} also true; "
             "which one" + ("s" if len(missed) > 1 else "") + "?")
    guarded = " ".join([*parts, count])
    return False, " ".join([*parts, "Also true: " + "; ".join(missed) + "."]), ",".join(tags), guarded


def _numeric(q: Question, r):
    value = _number(r, q.unit)
    unit = f" {q.unit}" if q.unit else ""
    if abs(value - q.answer) <= q.tolerance + 1e-9 * max(1.0, abs(q.answer)):
        return True, f"Correct: {_fmt(q.answer)}{unit}.", ""
    for err in q.common_errors:
        if abs(value - err["value"]) <= err["tolerance"] + 1e-9 * max(1.0, abs(err["value"])):
            return False, err["feedback"], err["misconception"]
    direction = "too high" if value > q.answer else "too low"
    return False, f"{_fmt(value)}{unit} is {direction}.", ""


def _order(q: Question, r):
    items = _items(r)
    steps = [q.options[_option(q, x)] for x in items]
    if sorted(steps) != sorted(q.answer):
        raise _Invalid("use every step exactly once")
    if tuple(steps) == q.answer:
        return True, "Correct order.", ""
    first = next(i for i, (a, b) in enumerate(zip(steps, q.answer)) if a != b)
    return False, f"Position {first + 1} is wrong: {steps[first]!r} does not come there.", ""


def _match(q: Question, r):
    if isinstance(r, (list, tuple)) and len(r) == len(q.lefts):
        r = dict(zip(q.lefts, r))
    if not isinstance(r, dict):
        raise _Invalid(f"expected a mapping, got {type(r).__name__}")
    if set(map(str, r)) != set(q.lefts) or len(r) != len(q.lefts):
        raise _Invalid("pair every left item exactly once")
    pairs = {str(k): q.options[_option(q, v)] for k, v in r.items()}
    wrong = [left for left in q.lefts if pairs[left] != q.answer[left]]
    if not wrong:
        return True, "All pairs are right.", ""
    return False, "Not matched correctly: " + "; ".join(f"{w} \u2192 {pairs[w]}" for w in wrong) + ".", ""


def _fmt(x: float) -> str:
    return f"{x:g}" if abs(x) < 1e15 else f"{x:.3e}"


_GRADERS = {"single": _single, "multiple": _multiple, "numeric": _numeric, "order": _order, "match": _match}


def check(q: Question, response) -> Feedback:
    """Grade ``response`` against ``q``.

    Never raises: a malformed response (None, wrong type, unknown option, NaN,
    out-of-range index...) gives ``correct=False`` and a description of a valid
    response.

    Parameters
    ----------
    q : Question
    response : object
        See :func:`expected_form`.

    Returns
    -------
    Feedback
    """
    try:
        correct, text, tag, *rest = _GRADERS[q.kind](q, response)
    except _Invalid as exc:
        return Feedback(False, "", f"Not a valid answer ({exc}). Expected {expected_form(q)}.", valid=False)
    except Exception as exc:  # exotic objects (bad __eq__, __len__ ...): still no traceback
        return Feedback(False, "", f"Not a valid answer ({type(exc).__name__}). Expected {expected_form(q)}.",
                        valid=False)
    return Feedback(bool(correct), q.explanation, text, misconception=tag, guarded=rest[0] if rest else "")
