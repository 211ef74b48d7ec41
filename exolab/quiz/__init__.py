"""exolab.quiz: question banks as data, graded in the notebook.

Load -> validate -> grade -> render are plain functions (no ipywidgets here);
:func:`show` and :func:`scoreboard` hand over to :mod:`exolab.widgets.quiz`.
Bank format: ``data/quizzes/README.md``.

Examples
--------
>>> from exolab.quiz import show
>>> show("01_biogenesis", "q1", "q2")  # doctest: +SKIP
"""
from __future__ import annotations

import dataclasses
import os

from . import progress
from .bank import bank_path, get_question, list_banks, load_bank
from .grade import Feedback
from .progress import ProgressWarning, history
from .schema import KINDS, LEVELS, Question, QuizError

__all__ = ["QuizError", "Question", "Feedback", "ProgressWarning", "KINDS", "LEVELS",
           "load_bank", "list_banks", "bank_path", "get_question", "record", "history",
           "summary", "show", "scoreboard", "instructor_mode", "is_instructor"]

_INSTRUCTOR: bool | None = None


def instructor_mode(on: bool | None = None) -> bool:
    """Switch answers-in-place on or off; with no argument, report the current state.

    Parameters
    ----------
    on : bool, optional
        True/False to set; None to return to ``$EXOLAB_INSTRUCTOR``.
    """
    global _INSTRUCTOR
    _INSTRUCTOR = None if on is None else bool(on)
    return is_instructor()


def is_instructor() -> bool:
    """Return True in instructor mode (:func:`instructor_mode` or ``EXOLAB_INSTRUCTOR=1``)."""
    if _INSTRUCTOR is not None:
        return _INSTRUCTOR
    return os.environ.get("EXOLAB_INSTRUCTOR", "").strip().lower() in {"1", "true", "yes", "on"}


def record(lesson: str, question_id: str, response) -> Feedback:
    """Grade ``response`` and store the attempt in the progress file.

    Parameters
    ----------
    lesson, question_id : str
    response : object
        Anything; malformed responses are graded incorrect (``valid=False``) and
        stored, never raised.

    Returns
    -------
    Feedback
        ``saved`` is False when the attempt is only in memory: the feedback says why
        when the file was unusable; with ``EXOLAB_PROGRESS=/dev/null`` (saving off)
        nothing is added.

    Raises
    ------
    QuizError
        Unknown lesson or question id (a notebook bug, not a learner error).
    """
    fb = get_question(lesson, question_id).check(response)
    # append() never raises: whatever the response or the state of the file, the
    # attempt is stored or kept in memory, and the note says which
    _, note = progress.append(lesson, question_id, response, fb.correct, valid=fb.valid)
    if note:
        fb = dataclasses.replace(fb, saved=False, feedback=f"{fb.feedback} ({note})",
                                 guarded=f"{fb.guarded} ({note})" if fb.guarded else "")
    elif progress.saving_off():
        fb = dataclasses.replace(fb, saved=False)  # EXOLAB_PROGRESS=/dev/null: not saved, by request
    return fb


def summary(lesson: str | None = None) -> list[dict]:
    """Progress per lesson and per objective.

    Returns
    -------
    list of dict
        One per lesson: ``lesson``, ``questions``, ``answered``, ``correct`` (questions
        answered correctly at least once) and ``objectives``: a list of dicts with
        ``id``, ``text``, ``questions``, ``correct``, ``revisit`` (True when an attempted
        question of that objective has not been answered correctly yet). Invalid
        attempts (e.g. Submit with nothing chosen) do not count.
    """
    from .bank import lesson_info
    lessons = [lesson] if lesson else list_banks()
    # an empty Submit is not an attempt: it must not flag an objective "to revisit"
    attempts = [a for a in history() if progress.is_valid(a)]
    out = []
    for name in lessons:
        questions = load_bank(name)
        mine = [a for a in attempts if a.get("lesson") == name]
        tried = {a.get("question_id") for a in mine}
        solved = {a.get("question_id") for a in mine if a.get("correct")}
        try:
            texts = {str(o["id"]): o.get("text", "") for o in lesson_info(name).get("objectives") or []}
        except QuizError:
            texts = {}
        objectives = []
        for oid in dict.fromkeys([*texts, *(q.objective for q in questions)]):
            ids = [q.id for q in questions if q.objective == oid]
            if not ids:
                continue
            objectives.append({"id": oid, "text": texts.get(oid, ""), "questions": len(ids),
                               "correct": sum(i in solved for i in ids),
                               "revisit": any(i in tried and i not in solved for i in ids)})
        out.append({"lesson": name, "questions": len(questions),
                    "answered": len(tried & {q.id for q in questions}),
                    "correct": len(solved & {q.id for q in questions}), "objectives": objectives})
    return out


def show(lesson: str, *ids: str):
    """Display questions of ``lesson`` as interactive widgets (all questions if no ids).

    Returns a :class:`~exolab.widgets._base.Panel`: live widgets in JupyterLab, a
    static HTML and text view elsewhere.
    """
    from exolab.widgets.quiz import show as _show
    return _show(lesson, *ids)


def scoreboard(lesson: str | None = None):
    """Display progress per lesson and objective, and the objectives to revisit."""
    from exolab.widgets.quiz import scoreboard as _scoreboard
    return _scoreboard(lesson)
