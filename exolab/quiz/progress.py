"""The progress store: every submission, in one JSON file.

The file (``~/.exolab/progress.json``, or ``$EXOLAB_PROGRESS``) holds
``{"version": 1, "attempts": [{lesson, question_id, response, correct, attempt, time}]}``.
Writes are read-modify-write inside a file lock and land with ``os.replace``, so two
kernels answering at once never lose an attempt and a crash never leaves half a file.
When the file cannot be written the attempt is kept in memory for this session.
"""
from __future__ import annotations

import json
import math
import os
import stat
import tempfile
import warnings
from datetime import datetime, timezone
from pathlib import Path

from filelock import FileLock, Timeout

__all__ = ["ProgressWarning", "progress_path", "append", "history", "LOCK_TIMEOUT"]

VERSION = 1
LOCK_TIMEOUT = 30.0           # seconds; a lock held longer means a stuck process
MAX_RESPONSE_CHARS = 500      # a pasted novel should not bloat the file

_MEMORY: dict[str, list[dict]] = {}   # path -> attempts that could not be written
_WARNED: set[str] = set()


class ProgressWarning(UserWarning):
    """The progress file was unreadable or unwritable (the message says what was done)."""


def progress_path() -> Path:
    """Return the progress file path: ``$EXOLAB_PROGRESS`` or ``~/.exolab/progress.json``."""
    override = os.environ.get("EXOLAB_PROGRESS")
    return Path(override).expanduser() if override else Path.home() / ".exolab" / "progress.json"


def _jsonable(response):
    """Return ``response`` as JSON-safe data (learner input can be anything)."""
    if response is None or isinstance(response, bool):
        return response
    if isinstance(response, (int, float)) and not isinstance(response, bool):
        return response if math.isfinite(float(response)) else str(response)
    if isinstance(response, str):
        return response[:MAX_RESPONSE_CHARS]
    if isinstance(response, (list, tuple, set, frozenset)) and len(response) <= 100:
        items = sorted(response, key=repr) if isinstance(response, (set, frozenset)) else response
        return [_jsonable(x) for x in items]
    if isinstance(response, dict) and len(response) <= 100:
        return {str(k)[:MAX_RESPONSE_CHARS]: _jsonable(v) for k, v in response.items()}
    try:
        text = repr(response)
    except Exception:
        text = f"<{type(response).__name__}>"
    return text[:MAX_RESPONSE_CHARS]


def _read(path: Path) -> list[dict]:
    """Return the attempts in ``path``; move a corrupt file aside and start fresh."""
    try:
        text = path.read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):  # nothing stored yet, or nowhere to store
        return []
    except (OSError, UnicodeDecodeError) as exc:
        return _set_aside(path, f"unreadable ({exc})")
    try:
        data = json.loads(text)
        attempts = data["attempts"]
        if not isinstance(attempts, list) or not all(isinstance(a, dict) for a in attempts):
            raise ValueError("'attempts' is not a list of records")
        return attempts
    except (ValueError, KeyError, TypeError) as exc:
        return _set_aside(path, f"corrupt ({type(exc).__name__}: {exc})")


def _set_aside(path: Path, why: str) -> list[dict]:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    aside = path.with_name(f"{path.name}.corrupt-{stamp}")
    try:
        os.replace(path, aside)
        where = f"moved to {aside}"
    except OSError as exc:
        where = f"could not be moved aside ({exc}); it will be overwritten"
    warnings.warn(f"exolab quiz progress file {path} was {why}; {where}. Starting a fresh progress file.",
                  ProgressWarning, stacklevel=3)
    return []


def _write(path: Path, attempts: list[dict]) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # one json.dumps call without indent runs in the C encoder; json.dump with
        # indent is pure Python and ~20x slower on a long history
        text = json.dumps({"version": VERSION, "attempts": attempts}, ensure_ascii=False)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _read_only(path: Path) -> bool:
    # Checked on the mode bits, not os.access: root may write anything, but a learner
    # (or instructor) who marked the file read-only meant it.
    try:
        return not path.stat().st_mode & stat.S_IWUSR
    except OSError:
        return False


def _keep_in_memory(path: Path, entry: dict, why: str) -> tuple[dict, str]:
    entry["attempt"] = 1 + sum(1 for a in history() if a.get("lesson") == entry["lesson"]
                               and a.get("question_id") == entry["question_id"])
    _MEMORY.setdefault(str(path), []).append(entry)
    note = f"Progress could not be saved to {path} ({why}); answers are kept in memory for this session only."
    if str(path) not in _WARNED:
        _WARNED.add(str(path))
        warnings.warn(note, ProgressWarning, stacklevel=3)
    return entry, note


def append(lesson: str, question_id: str, response, correct: bool) -> tuple[dict, str]:
    """Record one attempt.

    Parameters
    ----------
    lesson, question_id : str
    response : object
        Stored as JSON-safe data (long text truncated).
    correct : bool

    Returns
    -------
    entry : dict
        The stored record (with its ``attempt`` number).
    note : str
        "" when saved; otherwise why the attempt lives only in memory.
    """
    path = progress_path()
    entry = {"lesson": lesson, "question_id": question_id, "response": _jsonable(response),
             "correct": bool(correct), "attempt": 1,
             "time": datetime.now(timezone.utc).isoformat(timespec="milliseconds")}
    memory = _MEMORY.get(str(path), [])

    def number(attempts):
        return 1 + sum(1 for a in attempts + memory
                       if a.get("lesson") == lesson and a.get("question_id") == question_id)

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if _read_only(path):
            return _keep_in_memory(path, entry, "the file is read-only")
        with FileLock(str(path) + ".lock", timeout=LOCK_TIMEOUT):
            attempts = _read(path)
            entry["attempt"] = number(attempts)
            attempts.append(entry)
            _write(path, attempts)
        return entry, ""
    except Timeout:
        return _keep_in_memory(path, entry, f"the lock was busy for {LOCK_TIMEOUT:g} s")
    except OSError as exc:
        return _keep_in_memory(path, entry, exc.strerror or type(exc).__name__)


def history(lesson: str | None = None) -> list[dict]:
    """Return recorded attempts, oldest first.

    Parameters
    ----------
    lesson : str, optional
        Only this lesson's attempts.

    Returns
    -------
    list of dict
        Keys: lesson, question_id, response, correct, attempt, time. Attempts kept
        in memory (unwritable file) are included.
    """
    path = progress_path()
    attempts = _read(path) + _MEMORY.get(str(path), [])
    if lesson is not None:
        attempts = [a for a in attempts if a.get("lesson") == lesson]
    return sorted(attempts, key=lambda a: str(a.get("time", "")))
