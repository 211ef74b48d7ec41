"""Find, read and validate quiz banks (``data/quizzes/<lesson>.yaml``)."""
from __future__ import annotations

import os
import re
from pathlib import Path

import yaml

from exolab import _paths

from .schema import Question, QuizError, validate_bank

__all__ = ["bank_path", "list_banks", "load_bank", "get_question", "lesson_info", "clear_cache"]

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader is ~10x faster
_CACHE: dict = {}
_MERGE_TAG = "tag:yaml.org,2002:merge"


class _DuplicateKey(yaml.MarkedYAMLError):
    """A key appears twice in one YAML mapping (PyYAML would silently keep the last)."""


class _BankLoader(_Loader):
    """The fast safe loader, but a repeated key in a mapping is an error.

    A duplicated ``answer:`` or a repeated left item of a ``match`` answer would
    otherwise overwrite the first one without a word.
    """

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            first: dict = {}
            for key_node, _ in node.value:
                if key_node.tag == _MERGE_TAG:
                    continue  # '<<: *base' may be overridden on purpose
                try:
                    key = self.construct_object(key_node, deep=True)
                    hash(key)
                except Exception:
                    continue  # an unhashable key: the base class reports it
                if key in first:
                    raise _DuplicateKey(
                        "while reading a mapping", first[key],
                        f"duplicate key {key!r} (first given at line {first[key].line + 1})",
                        key_node.start_mark)
                first[key] = key_node.start_mark
        return super().construct_mapping(node, deep=deep)


def bank_path(lesson: str) -> Path:
    """Return the path of ``lesson``'s bank (it may not exist)."""
    return _paths.data_dir() / "quizzes" / f"{lesson}.yaml"


def list_banks() -> list[str]:
    """Return the lesson ids that have a bank, sorted."""
    folder = _paths.data_dir() / "quizzes"
    return sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []


def lesson_info(lesson: str) -> dict:
    """Return the manifest entry of ``lesson`` (objectives, sections, file).

    Raises
    ------
    QuizError
        If the lesson is not in the manifest.
    """
    try:
        from exolab import lessons
        entry = lessons.lesson(lesson)
    except ImportError:
        # exolab.lessons is optional for the quiz core: read the manifest directly
        entry = _manifest_entry(lesson)
    except Exception as exc:
        raise QuizError(f"{bank_path(lesson)}: manifest problem: {exc}. "
                        f"Fix: make sure lesson {lesson!r} is in {_paths.manifest_path()} and that it loads") from None
    if entry is None:
        raise QuizError(f"lesson {lesson!r} is not in the manifest {_paths.manifest_path()}. "
                        "Fix: add it to notebooks/lessons.yml or rename the bank")
    return dict(entry)


def _manifest_entry(lesson: str):
    with open(_paths.manifest_path(), encoding="utf-8") as fh:
        manifest = yaml.load(fh, Loader=_Loader) or {}
    return next((e for e in manifest.get("lessons") or [] if e.get("id") == lesson), None)


def _stamp(path: Path):
    try:
        st = path.stat()
        return (st.st_mtime_ns, st.st_size)
    except OSError:
        return None


_ID_LINE = re.compile(r"^\s*-\s*id:\s*['\"]?([A-Za-z][A-Za-z0-9_-]*)")


def _question_at(text: str | None, line: int) -> str | None:
    """The id of the question whose block contains 0-based ``line`` (for error messages)."""
    lines = (text or "").splitlines()
    for i in range(min(line, len(lines) - 1), -1, -1):
        match = _ID_LINE.match(lines[i])
        if match:
            return match.group(1)
    return None


def _data_stamps() -> tuple:
    # computed answers and the refs check read the tables: an edited CSV must
    # invalidate the cached bank, as an edited bank does
    folder = _paths.data_dir()
    try:
        files = sorted(folder.glob("*.csv"))
    except OSError:
        files = []
    return tuple((p.name, _stamp(p)) for p in [folder / "tables.yml", *files])


def load_bank(lesson: str) -> list[Question]:
    """Load and validate the bank of ``lesson``.

    Parameters
    ----------
    lesson : str
        Lesson id = notebook stem, e.g. ``"01_biogenesis"``.

    Returns
    -------
    list of Question
        In bank order.

    Raises
    ------
    QuizError
        Missing file, bad YAML or any schema problem (message names file, question, fix).
    """
    path = bank_path(lesson)
    manifest = _paths.manifest_path()
    # cached on file stamps so re-running a cell is instant but an edited bank is re-read
    key = (str(path), _stamp(path), str(manifest), _stamp(manifest), os.environ.get("EXOLAB_DATA_DIR"),
           _data_stamps())
    if key in _CACHE:
        return list(_CACHE[key])
    if not path.is_file():
        raise QuizError(f"{path}: no quiz bank for lesson {lesson!r}. Fix: create it (see data/quizzes/README.md)")
    text = None
    try:
        text = path.read_text(encoding="utf-8-sig")
        raw = yaml.load(text, Loader=_BankLoader)
    except _DuplicateKey as exc:
        line = exc.problem_mark.line
        qid = _question_at(text, line)
        where = f"{path}: question {qid!r}" if qid else str(path)
        raise QuizError(f"{where}: duplicate key at line {line + 1} ({exc.problem}). "
                        "Fix: keep one entry per key in each mapping; for a match answer every left "
                        "item must be unique") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark else ""
        raise QuizError(f"{path}: invalid YAML{line} ({getattr(exc, 'problem', exc)}). "
                        "Fix: check indentation and quote text containing ': ' or '#'") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise QuizError(f"{path}: cannot read the bank ({exc}). Fix: save it as UTF-8 text") from None
    info = lesson_info(lesson)
    objectives = {str(o["id"]): o.get("text", "") for o in info.get("objectives") or []}
    questions = validate_bank(raw, path, lesson, objectives, info.get("sections") or None)
    _CACHE[key] = tuple(questions)
    return questions


def get_question(lesson: str, question_id: str) -> Question:
    """Return one question of ``lesson``'s bank; QuizError if the id is unknown."""
    for q in load_bank(lesson):
        if q.id == question_id:
            return q
    ids = ", ".join(q.id for q in load_bank(lesson))
    raise QuizError(f"{bank_path(lesson)}: question {question_id!r} does not exist. Fix: use one of {ids}")


def clear_cache() -> None:
    """Forget loaded banks (the cache is keyed on file stamps; this is for tests)."""
    _CACHE.clear()
