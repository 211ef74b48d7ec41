"""The ordered lesson manifest (``notebooks/lessons.yml``).

Each lesson names its file, title, level, minutes, prerequisites, learning
objectives (with ids that quiz questions point at), key points, widgets and
sections. Format: CONTRIBUTING.md.
"""
from __future__ import annotations

from functools import lru_cache

import yaml

from ._paths import manifest_path

__all__ = ["LessonError", "load_manifest", "list_lessons", "lesson", "lesson_number", "objectives",
           "course_map"]

LEVELS = ("introductory", "intermediate", "advanced")
_REQUIRED = ("id", "file", "title", "level", "minutes", "objectives", "key_points")


class LessonError(ValueError):
    """The manifest is malformed, or a lesson id is unknown."""


@lru_cache(maxsize=4)
def _load(path_str: str, mtime: float) -> tuple[dict, ...]:
    try:
        with open(path_str, encoding="utf-8") as fh:
            doc = yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise LessonError(f"{path_str}: cannot read the lesson manifest ({exc})") from exc
    lessons = doc.get("lessons")
    if not isinstance(lessons, list):
        raise LessonError(f"{path_str}: expected a top-level 'lessons:' list")
    seen: set[str] = set()
    objective_ids: set[str] = set()
    for i, entry in enumerate(lessons, start=1):
        where = f"{path_str}: lesson #{i}"
        if not isinstance(entry, dict):
            raise LessonError(f"{where}: expected a mapping with keys {', '.join(_REQUIRED)}")
        missing = [k for k in _REQUIRED if k not in entry]
        if missing:
            raise LessonError(f"{where} ({entry.get('id', '?')}): missing {', '.join(missing)}")
        lid = entry["id"]
        where = f"{path_str}: lesson {lid!r}"
        if lid in seen:
            raise LessonError(f"{where}: duplicate lesson id")
        seen.add(lid)
        if entry["file"] != f"{lid}.ipynb":
            raise LessonError(f"{where}: file must be '{lid}.ipynb' (the id is the notebook stem), got {entry['file']!r}")
        if entry["level"] not in LEVELS:
            raise LessonError(f"{where}: level {entry['level']!r} is not one of {', '.join(LEVELS)}")
        for prereq in entry.get("prerequisites", []) or []:
            if prereq not in seen:
                raise LessonError(f"{where}: prerequisite {prereq!r} must be an earlier lesson in the manifest")
        for obj in entry["objectives"]:
            if not isinstance(obj, dict) or not {"id", "text"} <= set(obj):
                raise LessonError(f"{where}: each objective needs 'id' and 'text', got {obj!r}")
            if obj["id"] in objective_ids:
                raise LessonError(f"{where}: objective id {obj['id']!r} is used twice in the manifest")
            objective_ids.add(obj["id"])
            if not isinstance(obj["text"], str):
                raise LessonError(f"{where}: objective {obj['id']!r} text is not plain text ({obj['text']!r}); "
                                  "put it in quotes (a ': ' inside unquoted text starts a YAML mapping)")
        points = entry["key_points"]
        if not isinstance(points, list):
            raise LessonError(f"{where}: key_points must be a list of sentences (one '- ' line each)")
        for k, point in enumerate(points, start=1):
            if not isinstance(point, str):
                raise LessonError(f"{where}: key point {k} is not plain text ({point!r}); put it in quotes "
                                  "(a ': ' inside unquoted text starts a YAML mapping)")
    return tuple(lessons)


def load_manifest() -> list[dict]:
    """Return the lessons in teaching order, validated.

    Returns
    -------
    list of dict
        One mapping per lesson (keys as in CONTRIBUTING.md).
    """
    path = manifest_path()
    try:
        mtime = path.stat().st_mtime
    except OSError as exc:
        raise LessonError(f"lesson manifest not found at {path}; set EXOLAB_MANIFEST or reinstall exolab") from exc
    return [dict(entry) for entry in _load(str(path), mtime)]


def list_lessons() -> list[str]:
    """Return lesson ids in teaching order."""
    return [entry["id"] for entry in load_manifest()]


def lesson(lesson_id: str) -> dict:
    """Return one lesson's manifest entry.

    Raises
    ------
    LessonError
        If ``lesson_id`` is unknown; the message lists the valid ids.
    """
    for entry in load_manifest():
        if entry["id"] == lesson_id:
            return entry
    raise LessonError(f"unknown lesson {lesson_id!r}; lessons are: {', '.join(list_lessons())}")


def objectives(lesson_id: str) -> dict[str, str]:
    """Return ``{objective id: text}`` for one lesson, in manifest order."""
    return {obj["id"]: obj["text"] for obj in lesson(lesson_id)["objectives"]}


def lesson_number(lesson_id: str) -> str:
    """The number a lesson id starts with (``"02_metabolic_reprogramming"`` -> ``"02"``);
    an id without one comes back whole."""
    head = str(lesson_id).split("_", 1)[0]
    return head if head.isdigit() else str(lesson_id)


def course_map():
    """Return the lessons as a table for students: number, title, level, minutes, themes, prerequisites.

    Returns
    -------
    exolab.query.Table
        One row per lesson in teaching order, shown in the course table style: ``lesson``
        (its number, "00"), ``title``, ``level``, ``minutes``, ``themes`` (in words,
        "drug resistance") and ``builds on`` (the numbers of its prerequisites).
    """
    import pandas as pd

    from .query import show_table, vocab_label

    rows = [{"lesson": lesson_number(e["id"]), "title": e["title"], "level": e["level"], "minutes": e["minutes"],
             "themes": ", ".join(vocab_label("theme", t) for t in e.get("themes") or []),
             "builds on": ", ".join(lesson_number(p) for p in e.get("prerequisites") or [])}
            for e in load_manifest()]
    return show_table(pd.DataFrame(rows, columns=["lesson", "title", "level", "minutes", "themes",
                                                  "builds on"]), humanise=False)
