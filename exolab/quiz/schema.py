"""Bank schema: the :class:`Question` record and the checks run on every bank.

Checks are written by hand rather than with jsonschema so that each message can
name the file, the question id and the fix in the words a lesson author uses.
"""
from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass
from typing import Any

__all__ = ["QuizError", "Question", "KINDS", "LEVELS", "ANSWER_FIELD", "validate_bank", "format_number"]

ANSWER_FIELD = "{answer}"   # replaced by the answer in explanations and feedback

KINDS = ("single", "multiple", "numeric", "order", "match")
LEVELS = ("remember", "understand", "apply", "analyse")
MIN_ITEMS, MAX_ITEMS = 2, 8
_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
_COMMON = {"id", "kind", "prompt", "objective", "level", "hint", "explanation", "refs", "section"}
_EXTRA = {
    "single": {"options", "answer"},
    "multiple": {"options", "answer"},
    "numeric": {"answer", "answer_from", "tolerance", "unit", "common_errors"},
    "order": {"answer"},
    "match": {"answer", "distractors"},
}


class QuizError(ValueError):
    """A quiz bank or a quiz call is wrong; the message names the file, question and fix."""


@dataclass(frozen=True)
class Question:
    """One validated question.

    ``options`` holds what the learner chooses from, in bank order: option texts
    (single, multiple), the steps in a fixed non-answer order (order) or the
    right-hand choices (match); it is empty for numeric questions. ``answer`` is an
    option text (single), a tuple of texts (multiple), a float (numeric), a tuple of
    steps in order (order) or a dict left -> right (match).
    """

    lesson: str
    id: str
    kind: str
    prompt: str
    objective: str
    level: str
    hint: str
    explanation: str
    refs: tuple[str, ...]
    answer: Any
    options: tuple[str, ...] = ()
    feedback: tuple[str, ...] = ()          # per option, "" when none
    misconceptions: tuple[str, ...] = ()    # per option, "" when none
    section: str | None = None
    tolerance: float = 0.0
    unit: str = ""
    common_errors: tuple[dict, ...] = ()
    lefts: tuple[str, ...] = ()             # match: left items in bank order
    answer_from: dict | None = None
    file: str = ""

    def check(self, response) -> "Feedback":  # noqa: F821 - defined in grade
        """Grade ``response``; never raises (see :func:`exolab.quiz.grade.check`)."""
        from .grade import check
        return check(self, response)


def _fail(path, qid, problem: str, fix: str) -> QuizError:
    where = f"{path}: question {qid!r}" if qid is not None else f"{path}"
    return QuizError(f"{where}: {problem}. Fix: {fix}")


def _text(value, path, qid, what: str) -> str:
    # YAML turns bare yes/no/on/off into booleans and 12 into an int; numbers are
    # harmless as text, booleans almost always mean the author forgot quotes.
    if isinstance(value, bool) or value is None:
        raise _fail(path, qid, f"{what} is {value!r}, not text", f"write {what} as a quoted string")
    if isinstance(value, (int, float)):
        return str(value)
    if not isinstance(value, str) or not value.strip():
        raise _fail(path, qid, f"{what} must be non-empty text (got {value!r})", f"give {what} as a string")
    return value.strip()


def _number(value, path, qid, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise _fail(path, qid, f"{what} must be a finite number (got {value!r})", f"write {what} as a plain number")
    return float(value)


def _texts(values, path, qid, what: str, *, lo=MIN_ITEMS, hi=MAX_ITEMS) -> tuple[str, ...]:
    if not isinstance(values, list):
        raise _fail(path, qid, f"{what} must be a list", f"write {what} as a YAML list ('- item' lines)")
    out = tuple(_text(v, path, qid, f"an item of {what}") for v in values)
    if not lo <= len(out) <= hi:
        raise _fail(path, qid, f"{what} has {len(out)} items", f"give {lo} to {hi} items")
    dup = sorted({t for t in out if out.count(t) > 1})
    if dup:
        raise _fail(path, qid, f"{what} repeats {dup[0]!r}", "make every item unique")
    return out


def _choice(q: dict, kind: str, path, qid) -> dict:
    opts = q.get("options")
    if not isinstance(opts, list):
        raise _fail(path, qid, "'options' is missing or not a list", "add 'options:' with 2 to 8 '- text: ...' entries")
    texts, fbs, tags = [], [], []
    for i, opt in enumerate(opts, 1):
        if isinstance(opt, (str, int, float)) and not isinstance(opt, bool):
            opt = {"text": opt}
        if not isinstance(opt, dict):
            raise _fail(path, qid, f"option {i} is not a mapping", "write each option as '- text: ...' with 'feedback: ...'")
        unknown = set(opt) - {"text", "feedback", "misconception"}
        if unknown:
            raise _fail(path, qid, f"option {i} has unknown key(s) {sorted(unknown)}", "use only text, feedback, misconception")
        texts.append(_text(opt.get("text"), path, qid, f"option {i} 'text'"))
        fbs.append(_text(opt["feedback"], path, qid, f"option {i} 'feedback'") if opt.get("feedback") is not None else "")
        tags.append(_text(opt["misconception"], path, qid, f"option {i} 'misconception'") if opt.get("misconception") is not None else "")
    texts_t = _texts(texts, path, qid, "'options'")
    if "answer" not in q or q["answer"] is None:
        raise _fail(path, qid, "no 'answer'", "add 'answer:' with the exact text of the correct option"
                    + ("s (a list)" if kind == "multiple" else ""))
    raw = q["answer"]
    if kind == "single":
        if isinstance(raw, list):
            raise _fail(path, qid, "a 'single' question has a list as answer", "give one option text, or use kind: multiple")
        answers = (_text(raw, path, qid, "'answer'"),)
    else:
        raw = raw if isinstance(raw, list) else [raw]
        if not raw:
            raise _fail(path, qid, "'answer' is an empty list", "list at least one correct option text")
        answers = tuple(_text(a, path, qid, "an item of 'answer'") for a in raw)
    for a in answers:
        if a not in texts_t:
            raise _fail(path, qid, f"answer {a!r} is not among the options", "copy the option text exactly into 'answer'")
    for t, fb in zip(texts_t, fbs):
        if t not in answers and not fb:
            raise _fail(path, qid, f"wrong option {t!r} has no feedback",
                        "add 'feedback:' naming the misconception behind choosing it")
    return {"options": texts_t, "feedback": tuple(fbs), "misconceptions": tuple(tags),
            "answer": answers[0] if kind == "single" else tuple(sorted(set(answers), key=texts_t.index))}


def _numeric(q: dict, path, qid) -> dict:
    has_answer, has_from = q.get("answer") is not None, q.get("answer_from") is not None
    if has_answer == has_from:
        raise _fail(path, qid, "a numeric question needs exactly one of 'answer' and 'answer_from'",
                    "give 'answer: <number>' or 'answer_from: {count: <table>, where: {...}}'")
    tol = _number(q.get("tolerance", 0), path, qid, "'tolerance'")
    if tol < 0:
        raise _fail(path, qid, "'tolerance' is negative", "use 0 or a positive number")
    unit = q.get("unit")
    out = {"tolerance": tol, "unit": _text(unit, path, qid, "'unit'") if unit is not None else ""}
    if has_from:
        out["answer"] = _computed(q["answer_from"], path, qid, "answer_from")
        out["answer_from"] = dict(q["answer_from"])
    else:
        out["answer"] = _number(q["answer"], path, qid, "'answer'")
    errors = []
    for i, e in enumerate(q.get("common_errors") or [], 1):
        if not isinstance(e, dict) or ("value" in e) == ("value_from" in e) or "feedback" not in e:
            raise _fail(path, qid, f"common_errors item {i} needs 'feedback' and exactly one of 'value' "
                        "and 'value_from'", "write '- {value: <number>, feedback: <text>}'")
        unknown = set(e) - {"value", "value_from", "tolerance", "feedback", "misconception"}
        if unknown:
            raise _fail(path, qid, f"common_errors item {i} has unknown key(s) {sorted(unknown)}",
                        "use only value (or value_from), tolerance, feedback, misconception")
        value = (_computed(e["value_from"], path, qid, f"common_errors item {i} 'value_from'")
                 if "value_from" in e else _number(e["value"], path, qid, "common_errors 'value'"))
        # the answer is checked first, so a common error inside its tolerance is never shown
        if abs(value - out["answer"]) <= tol + 1e-9 * max(1.0, abs(out["answer"])):
            raise _fail(path, qid, f"common_errors item {i} ({format_number(value)}) is within the tolerance "
                        f"of the answer ({format_number(out['answer'])} \u00b1 {format_number(tol)}), so its "
                        "feedback can never be shown", "remove it, or make 'tolerance' smaller")
        errors.append({"value": value,
                       "tolerance": _number(e.get("tolerance", 0), path, qid, "common_errors 'tolerance'"),
                       "feedback": _text(e["feedback"], path, qid, "common_errors 'feedback'"),
                       "misconception": str(e.get("misconception") or "")})
    out["common_errors"] = tuple(errors)
    return out


def _computed(spec, path, qid, what: str) -> float:
    """Evaluate an ``answer_from``-style mapping; every failure is a QuizError naming file and question."""
    if not isinstance(spec, dict):
        raise _fail(path, qid, f"'{what}' must be a mapping", "see data/quizzes/README.md, 'answer_from'")
    from .computed import evaluate
    fix = ("correct the model name or its kwargs" if "model" in spec
           else "correct the table, column or where clause")
    try:
        return float(evaluate(spec))
    except QuizError as exc:
        raise _fail(path, qid, f"{what}: {exc}", fix) from None
    except (ValueError, TypeError, ArithmeticError) as exc:  # anything evaluate did not foresee
        raise _fail(path, qid, f"{what} could not be computed ({type(exc).__name__}: {exc})", fix) from None


def format_number(x: float, decimals: int | None = None) -> str:
    """Format a number for prose: ``98.7``, ``52``, ``100,000``, ``0.0123``, ``1.5e-07``.

    Parameters
    ----------
    x : float
    decimals : int, optional
        Show exactly this many decimals (an ``answer_from`` ``round``). Without it,
        whole numbers are shown whole and others with three significant digits.
    """
    x = float(x)
    if decimals is None or isinstance(decimals, bool) or not isinstance(decimals, int):
        if not math.isfinite(x) or (x and not 1e-3 <= abs(x) < 1e15):
            return f"{x:.3g}"
        decimals = 0 if x.is_integer() else max(0, 2 - math.floor(math.log10(abs(x))))
    text = f"{x:,.{max(decimals, 0)}f}"
    # thousands separators only where they help reading (1234 stays 1234)
    return text if abs(x) >= 10_000 else text.replace(",", "")


def _answer_for_text(fields: dict) -> str:
    """The answer as it replaces ``{answer}`` in explanations and feedback."""
    kind, answer = fields["kind"], fields["answer"]
    if kind == "numeric":
        spec = fields.get("answer_from") or {}
        return format_number(answer, spec.get("round"))
    if kind == "single":
        return answer
    if kind == "multiple":
        return "; ".join(answer)
    if kind == "order":
        return " \u2192 ".join(answer)
    return "; ".join(f"{k} \u2192 {v}" for k, v in answer.items())


def _fill_answer(fields: dict, path, qid) -> None:
    """Replace ``{answer}`` in the explanation and every feedback text (in place)."""
    for key in ("prompt", "hint"):
        if ANSWER_FIELD in fields[key]:
            raise _fail(path, qid, f"the {key} contains {ANSWER_FIELD}, which would show the answer",
                        f"use {ANSWER_FIELD} only in 'explanation' and feedback texts")
    text = _answer_for_text(fields)
    fields["explanation"] = fields["explanation"].replace(ANSWER_FIELD, text)
    if fields.get("feedback"):
        fields["feedback"] = tuple(f.replace(ANSWER_FIELD, text) for f in fields["feedback"])
    if fields.get("common_errors"):
        fields["common_errors"] = tuple(dict(e, feedback=e["feedback"].replace(ANSWER_FIELD, text))
                                        for e in fields["common_errors"])


def _check_refs(refs: tuple[str, ...], known, path, qid) -> None:
    findings, terms = known
    for ref in refs:
        if ref in findings or ref in terms:
            continue
        folded = {t.casefold(): t for t in terms}
        close = ([folded[ref.casefold()]] if ref.casefold() in folded
                 else difflib.get_close_matches(ref, sorted(findings | terms), n=2, cutoff=0.75))
        hint = f" (did you mean {' or '.join(map(repr, close))}?)" if close else ""
        raise _fail(path, qid, f"ref {ref!r} is neither a finding_id of the findings table nor a term_id "
                    f"of the glossary{hint}",
                    "cite a finding as F### (exolab.data.load('findings').finding_id) or a glossary "
                    "term by its term_id, e.g. escrt (exolab.data.load('glossary').term_id); for a "
                    "molecule, cite the findings about it (exolab.data.findings_for(name))")


def _static_order(steps: tuple[str, ...]) -> tuple[str, ...]:
    # The static view must not give the sequence away and must not change between
    # runs: alphabetical order, rotated if that happens to be the answer.
    shown = tuple(sorted(steps, key=str.casefold))
    return shown if shown != steps else steps[1:] + steps[:1]


def _order(q: dict, path, qid) -> dict:
    if q.get("answer") is None:
        raise _fail(path, qid, "no 'answer'", "list the steps in the correct order under 'answer:'")
    steps = _texts(q["answer"], path, qid, "'answer'")
    return {"answer": steps, "options": _static_order(steps)}


def _match(q: dict, path, qid) -> dict:
    raw = q.get("answer")
    if raw is None:
        raise _fail(path, qid, "no 'answer'", "give 'answer:' as a mapping 'left item: right item'")
    if not isinstance(raw, dict):
        raise _fail(path, qid, "a match 'answer' must be a mapping", "write 'left item: right item' lines under 'answer:'")
    lefts = _texts(list(raw), path, qid, "the left items of 'answer'")
    rights = _texts(list(raw.values()), path, qid, "the right items of 'answer'")
    extra = _texts(q.get("distractors") or [], path, qid, "'distractors'", lo=0, hi=MAX_ITEMS)
    clash = set(extra) & set(rights)
    if clash:
        raise _fail(path, qid, f"distractor {sorted(clash)[0]!r} is also a right item", "remove it from 'distractors'")
    return {"answer": dict(zip(lefts, rights)), "lefts": lefts,
            "options": tuple(sorted(rights + extra, key=str.casefold))}


def validate_bank(raw, path, lesson: str, objectives: dict, sections=None) -> list[Question]:
    """Check a parsed bank and return its questions.

    Parameters
    ----------
    raw : object
        The parsed YAML document.
    path : str or Path
        Shown in error messages.
    lesson : str
        Lesson id (the file stem).
    objectives : dict
        Objective id -> text for this lesson, from the manifest.
    sections : sequence of str, optional
        The lesson's section headings; ``section`` values must be among them.

    Raises
    ------
    QuizError
        On the first problem, naming ``path``, the question id and the fix.
    """
    if not isinstance(raw, dict) or not isinstance(raw.get("questions"), list):
        raise _fail(path, None, "the file must be a mapping with a 'questions:' list", "see data/quizzes/README.md")
    unknown = set(raw) - {"lesson", "questions"}
    if unknown:
        raise _fail(path, None, f"unknown top-level key(s) {sorted(unknown)}", "keep only 'lesson' and 'questions'")
    if raw.get("lesson") not in (None, lesson):
        raise _fail(path, None, f"'lesson: {raw['lesson']}' differs from the file name {lesson!r}",
                    "make 'lesson' equal the notebook stem or remove it")
    seen: set[str] = set()
    out = []
    known_refs = None  # loaded on first use: a bank without refs needs no knowledge base
    for n, q in enumerate(raw["questions"], 1):
        if not isinstance(q, dict):
            raise _fail(path, f"#{n}", "the question is not a mapping", "start each question with '- id: ...'")
        qid = q.get("id")
        if not isinstance(qid, str) or not _ID.match(qid):
            raise _fail(path, qid if qid is not None else f"#{n}", f"question {n} has a bad or missing 'id' ({qid!r})",
                        "give an id of letters, digits, '_' or '-', starting with a letter, e.g. q1")
        if qid in seen:
            raise _fail(path, qid, "duplicate id", "give every question in the file its own id")
        seen.add(qid)
        kind = q.get("kind")
        if kind not in KINDS:
            raise _fail(path, qid, f"unknown kind {kind!r}", f"use one of {', '.join(KINDS)}")
        unknown = set(q) - _COMMON - _EXTRA[kind]
        if unknown:
            raise _fail(path, qid, f"unknown key(s) {sorted(unknown)} for kind {kind!r}",
                        f"check the spelling; allowed: {', '.join(sorted(_COMMON | _EXTRA[kind]))}")
        objective = q.get("objective")
        if objective not in objectives:
            known = ", ".join(objectives) or "none: add objectives to notebooks/lessons.yml"
            raise _fail(path, qid, f"objective {objective!r} is not an objective of lesson {lesson!r}",
                        f"use one of: {known}")
        level = q.get("level")
        if level not in LEVELS:
            raise _fail(path, qid, f"unknown level {level!r}", f"use one of {', '.join(LEVELS)}")
        refs = q.get("refs")
        if not isinstance(refs, list):
            raise _fail(path, qid, "'refs' is missing or not a list", "add 'refs: [F012, ESCRT]' (or 'refs: []')")
        section = q.get("section")
        if section is not None:
            section = _text(section, path, qid, "'section'")
            if sections and section not in sections:
                raise _fail(path, qid, f"section {section!r} is not a section of lesson {lesson!r}",
                            f"use one of: {'; '.join(sections)}")
        fields = dict(
            lesson=lesson, id=qid, kind=kind, objective=objective, level=level, section=section,
            prompt=_text(q.get("prompt"), path, qid, "'prompt'"),
            hint=_text(q.get("hint"), path, qid, "'hint'"),
            explanation=_text(q.get("explanation"), path, qid, "'explanation'"),
            refs=tuple(_text(r, path, qid, "an item of 'refs'") for r in refs), file=str(path))
        if kind in ("single", "multiple"):
            fields.update(_choice(q, kind, path, qid))
        elif kind == "numeric":
            fields.update(_numeric(q, path, qid))
        elif kind == "order":
            fields.update(_order(q, path, qid))
        else:
            fields.update(_match(q, path, qid))
        if fields["refs"]:
            if known_refs is None:
                from .computed import known_refs as _known
                try:
                    known_refs = _known()
                except QuizError as exc:
                    raise _fail(path, qid, str(exc), "make exolab.data.load('findings') and load('glossary') work "
                                "(fix the table it names, or set EXOLAB_DATA_DIR to a folder with tables.yml)") from None
            _check_refs(fields["refs"], known_refs, path, qid)
        _fill_answer(fields, path, qid)
        out.append(Question(**fields))
    return out
