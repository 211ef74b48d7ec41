"""The progress store: every submission, in one JSON file.

The file (``~/.exolab/progress.json``, or ``$EXOLAB_PROGRESS``) holds::

    {"version": 1, "learner": "<random id>",
     "attempts": [{lesson, question_id, response, correct, valid, attempt, time}]}

Writes are read-modify-write inside a file lock and land with ``os.replace``, so two
kernels answering at once never lose an attempt and a crash never leaves half a file.

Nothing a learner answers is ever lost or raised:

* the response is stored as JSON-safe data, whatever it is (see :func:`jsonable`);
* only a regular file is read, replaced or set aside. A directory, FIFO, device or
  socket at the path, a read-only file, a file owned by someone else, a file written by
  a newer exolab or an unwritable folder keeps the attempts in memory for this session,
  with one :class:`ProgressWarning` that names the path and the fix;
  ``EXOLAB_PROGRESS=/dev/null`` means "do not save" and keeps them in memory silently;
* attempts kept in memory are written into the file at the next successful write;
* a corrupt file is moved aside (never deleted) by :func:`append` only, inside the lock.

Invalid responses (e.g. Submit with nothing chosen) are stored with ``"valid": false``
and ``"attempt": null``: they are kept, but they do not count as attempts.
"""
from __future__ import annotations

import json
import math
import numbers
import os
import secrets
import stat
import tempfile
import time
import warnings
from datetime import datetime, timezone
from pathlib import Path

from filelock import FileLock, Timeout

__all__ = ["ProgressWarning", "progress_path", "append", "history", "is_valid", "learner_id", "standing",
           "saving_off", "jsonable", "LOCK_TIMEOUT"]

VERSION = 1
LOCK_TIMEOUT = 30.0           # seconds; a lock held longer means a stuck process
MAX_RESPONSE_CHARS = 500      # a pasted novel should not bloat the file
MAX_DEPTH = 5                 # deeper nesting is never a real answer
MAX_ITEMS = 100               # nor is a container with more items than this
STALE_TMP_SECONDS = 3600      # temp files older than this were left by a crash

_MEMORY: dict[str, list[dict]] = {}   # path -> attempts not (yet) written to the file
_WARNED: set[tuple[str, str]] = set()  # (path, topic): one warning each, not one per click
_LEARNER: dict[str, str] = {}         # path -> learner id used in this session


class ProgressWarning(UserWarning):
    """The progress file was unreadable or unwritable (the message says what was done)."""


class _Unusable(Exception):
    """Something is at the progress path, but it must not be read or replaced."""

    def __init__(self, why: str, fix: str):
        super().__init__(why)
        self.why, self.fix = why, fix


class _Corrupt(Exception):
    """The progress file is a regular file whose content is not a progress record."""


def progress_path() -> Path:
    """Return the progress file path.

    Returns
    -------
    pathlib.Path
        ``$EXOLAB_PROGRESS`` if set, else ``~/.exolab/progress.json``. A relative
        ``$EXOLAB_PROGRESS`` is taken relative to the home directory, not to the
        kernel's working directory (which is the notebook's folder and changes
        from lesson to lesson).
    """
    override = os.environ.get("EXOLAB_PROGRESS")
    if not override:
        return Path.home() / ".exolab" / "progress.json"
    path = Path(override).expanduser()
    return path if path.is_absolute() else Path.home() / path


def saving_off(path: Path | None = None) -> bool:
    """Return True when the progress path is ``os.devnull``: answers are not saved, by request."""
    path = progress_path() if path is None else path
    if str(path) == os.devnull:
        return True
    try:
        return os.path.samefile(path, os.devnull)
    except (OSError, ValueError):
        return False


# ------------------------------------------------------------ safe responses ---

def _safe_text(text: str) -> str:
    text = str.__str__(text)[:MAX_RESPONSE_CHARS]
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:  # lone surrogates (pasted text can carry them) cannot be UTF-8
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _safe_repr(value) -> str:
    try:
        text = repr(value)
        if not isinstance(text, str):
            raise TypeError("__repr__ returned a non-string")
    except Exception:  # a raising __repr__, a too-deep structure, a 10**5000-digit int...
        try:
            text = f"<{type(value).__name__}>"
        except Exception:
            text = "<object>"
    return _safe_text(text)


def _size(value) -> int | None:
    try:
        return len(value)
    except Exception:
        return None


def _jsonable(value, depth: int, seen: frozenset):
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, numbers.Integral):
        n = int(value)
        if abs(n) < 2 ** 63:
            return n
        try:
            return f"{float(n):.6g}"
        except OverflowError:  # float() gives up above ~1e308; str() above 4300 digits
            return f"<integer of about {int(n.bit_length() * 0.30103) + 1} digits>"
    if isinstance(value, numbers.Real):
        x = float(value)
        return x if math.isfinite(x) else str(x)
    if isinstance(value, str):
        return _safe_text(value)
    containers = (list, tuple, set, frozenset, dict)
    if not isinstance(value, containers) and hasattr(value, "tolist"):  # numpy arrays and scalars
        n = getattr(value, "size", None)
        if isinstance(n, int) and n <= MAX_ITEMS:
            return _jsonable(value.tolist(), depth, seen)
        return _safe_repr(value)
    if not isinstance(value, containers):
        return _safe_repr(value)
    n = _size(value)
    if id(value) in seen:
        return "<cycle>"
    if depth >= MAX_DEPTH:
        return f"<{type(value).__name__} nested too deeply>"
    if n is None or n > MAX_ITEMS:
        return f"<{type(value).__name__} of {n if n is not None else 'unknown'} items>"
    seen = seen | {id(value)}
    if isinstance(value, dict):
        return {(_safe_text(k) if isinstance(k, str) else _safe_repr(k)): _jsonable(v, depth + 1, seen)
                for k, v in value.items()}
    items = list(value)
    if isinstance(value, (set, frozenset)):
        try:  # a stable order, so the same set is stored the same way
            items = sorted(items, key=_safe_repr)
        except Exception:
            pass
    return [_jsonable(x, depth + 1, seen) for x in items]


def jsonable(response):
    """Return ``response`` as JSON-safe data; never raises.

    Parameters
    ----------
    response : object
        Anything a learner or a notebook passed.

    Returns
    -------
    None, bool, int, float, str, list or dict
        Numbers stay numbers (non-finite ones and huge integers become text), text is
        cut to ``MAX_RESPONSE_CHARS`` and made UTF-8-safe, containers are kept up to
        ``MAX_DEPTH`` levels and ``MAX_ITEMS`` items (cycles marked), anything else is
        stored as its (truncated) ``repr``.
    """
    try:
        return _jsonable(response, 0, frozenset())
    except Exception:  # RecursionError, a raising __iter__ or __index__...
        return _safe_repr(response)


def is_valid(record: dict) -> bool:
    """Return True if a stored attempt counts (records before ``valid`` existed: not an empty submit)."""
    if "valid" in record:
        return bool(record["valid"])
    return record.get("response") is not None or bool(record.get("correct"))


# ------------------------------------------------------------------ the file ---

def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a regular file"


_FIX_PATH = ("set EXOLAB_PROGRESS to the path of a file (it is created if missing), e.g. "
             "~/.exolab/progress.json, or unset it; EXOLAB_PROGRESS=/dev/null turns saving off")


def _status(path: Path):
    """Return ``os.stat(path)`` for a regular file, None if nothing is there; else raise _Unusable."""
    try:
        st = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise _Unusable(f"it cannot be inspected ({exc.strerror or exc})",
                        f"check the permissions of {path.parent}, or {_FIX_PATH}") from None
    if not stat.S_ISREG(st.st_mode):
        raise _Unusable(f"it is {_kind(st.st_mode)}, not a file", _FIX_PATH)
    return st


def _load(path: Path) -> dict:
    """Return the parsed progress file ({} when there is none).

    Raises
    ------
    _Unusable
        Not a regular file, or not readable.
    _Corrupt
        A regular file whose content is not a progress record.
    """
    if _status(path) is None:
        return {}
    # O_NONBLOCK: if a FIFO replaced the file since the stat, opening must not hang
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise _Unusable(f"it cannot be read ({exc.strerror or exc})",
                        f"make it readable and writable (chmod u+rw {path}), or {_FIX_PATH}") from None
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            raise _Unusable("it is not a regular file", _FIX_PATH)
        data = fh.read()
    try:
        text = data.decode("utf-8-sig")  # a BOM from a Windows editor is not corruption
    except UnicodeDecodeError as exc:
        raise _Corrupt(f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    if not text.strip():
        return {}  # an empty file (e.g. made with touch) holds no attempts
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise _Corrupt(f"not valid JSON ({exc})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("attempts"), list) \
            or not all(isinstance(a, dict) for a in doc["attempts"]):
        raise _Corrupt("not a progress record ({'version': 1, 'attempts': [...]} expected)")
    return doc


def _version(doc: dict) -> int:
    v = doc.get("version", VERSION)
    return v if isinstance(v, int) and not isinstance(v, bool) else VERSION


def _not_writable(path: Path, st) -> tuple[str, str] | None:
    """Why an existing regular file must not be replaced, or None."""
    geteuid = getattr(os, "geteuid", None)
    if geteuid is not None and st.st_uid != geteuid():
        # os.replace would hand the file to us; the learner who owns it would lose it
        return (f"the file belongs to another user (uid {st.st_uid})",
                f"point EXOLAB_PROGRESS at a file of your own, or ask the owner to hand over {path}")
    # mode bits, not os.access: root may read and write anything, but whoever took
    # the permissions away meant it. Readability first: a mode-000 file is not "read-only".
    if not st.st_mode & stat.S_IRUSR:
        return ("the file is not readable", f"make it readable and writable (chmod u+rw {path}) "
                                            "or point EXOLAB_PROGRESS elsewhere")
    if not st.st_mode & stat.S_IWUSR:
        return ("the file is read-only", f"make it writable (chmod u+w {path}) or point EXOLAB_PROGRESS elsewhere")
    return None


def _fsync_dir(folder: Path) -> None:
    # the rename itself lives in the directory: without this a power cut can undo it
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write(path: Path, doc: dict) -> None:
    # one json.dumps call without indent runs in the C encoder; json.dump with
    # indent is pure Python and ~20x slower on a long history
    text = json.dumps(doc, ensure_ascii=False) + "\n"
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate read back from an old file: escape it
        data = (json.dumps(doc, ensure_ascii=True) + "\n").encode("ascii")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _fsync_dir(path.parent)


def _clean_stale_tmp(path: Path) -> None:
    # called inside the lock: temp files this old were left by a crashed kernel
    cutoff = time.time() - STALE_TMP_SECONDS
    try:
        for tmp in path.parent.glob(f".{path.name}.*.tmp"):
            try:
                if tmp.is_file() and tmp.stat().st_mtime < cutoff:
                    tmp.unlink()
            except OSError:
                pass
    except OSError:
        pass


def _set_aside(path: Path, why: str) -> Path | None:
    """Rename a corrupt regular file aside; return the new path, or None if that failed."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    aside = path.with_name(f"{path.name}.corrupt-{stamp}")
    try:
        os.replace(path, aside)
    except OSError as exc:
        _warn(path, "corrupt",
              f"exolab quiz progress file {path} is {why} and could not be moved aside "
              f"({exc.strerror or exc}); it was left untouched and answers are kept in memory for "
              f"this session only. Fix: move or delete {path}")
        return None
    _warn(path, "moved",
          f"exolab quiz progress file {path} was {why}; it was moved to {aside} (nothing was "
          "deleted) and a fresh progress file was started.", once=False)
    return aside


def _warn(path: Path, topic: str, message: str, *, once: bool = True) -> None:
    key = (str(path), topic)
    if once and key in _WARNED:
        return
    _WARNED.add(key)
    warnings.warn(message, ProgressWarning, stacklevel=4)


def _forget_warnings(path: Path) -> None:
    # the file works again: a later problem deserves a new warning
    for key in [k for k in _WARNED if k[0] == str(path)]:
        _WARNED.discard(key)


def _same_question(a: dict, b: dict) -> bool:
    return a.get("lesson") == b.get("lesson") and a.get("question_id") == b.get("question_id")


def _number(rows: list[dict], entry: dict) -> None:
    """Give ``entry`` its attempt number: 1 + the valid attempts at that question in ``rows``."""
    entry["attempt"] = (1 + sum(1 for r in rows if _same_question(r, entry) and is_valid(r))
                        if entry.get("valid", True) else None)


def _peek(path: Path) -> list[dict]:
    """The attempts in the file, or [] on any problem (no warning, no side effects)."""
    try:
        return list(_load(path).get("attempts") or [])
    except Exception:
        return []


def _keep_in_memory(path: Path, entry: dict, why: str, fix: str) -> tuple[dict, str]:
    memory = _MEMORY.setdefault(str(path), [])
    try:
        _number(_peek(path) + memory, entry)
    except Exception:
        entry["attempt"] = None
    memory.append(entry)
    note = f"Progress could not be saved to {path} ({why}); answers are kept in memory for this session only."
    _warn(path, "unusable", f"{note} They are written to the file at the next answer once it can be "
                          f"saved again. Fix: {fix}")
    return entry, note


def _append(path: Path, entry: dict) -> tuple[dict, str]:
    if saving_off(path):
        memory = _MEMORY.setdefault(str(path), [])
        _number(memory, entry)
        memory.append(entry)
        return entry, ""
    try:
        st = _status(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        if st is not None:
            problem = _not_writable(path, st)
            if problem:
                return _keep_in_memory(path, entry, *problem)
        with FileLock(str(path) + ".lock", timeout=LOCK_TIMEOUT):
            try:
                doc = _load(path)
            except _Corrupt as exc:
                if _set_aside(path, f"corrupt ({exc})") is None:
                    return _keep_in_memory(path, entry, "the file is corrupt and could not be moved aside",
                                           f"move or delete {path}")
                doc = {}
            if _version(doc) > VERSION:
                return _keep_in_memory(path, entry, f"it was written by a newer exolab (format version "
                                                    f"{doc.get('version')})", "upgrade exolab")
            attempts = list(doc.get("attempts") or [])
            pending = _MEMORY.get(str(path), [])
            # renumber what was kept in memory after the file's attempts, so the file
            # has no gaps and a number never repeats, even if another kernel wrote meanwhile
            for row in [*pending, entry]:
                _number(attempts, row)
                attempts.append(row)
            doc = {**doc, "version": VERSION, "attempts": attempts}
            if not isinstance(doc.get("learner"), str) and str(path) in _LEARNER:
                doc["learner"] = _LEARNER[str(path)]
            _write(path, doc)
            _clean_stale_tmp(path)
        _MEMORY.pop(str(path), None)
        _forget_warnings(path)
        return entry, ""
    except _Unusable as exc:
        return _keep_in_memory(path, entry, exc.why, exc.fix)
    except Timeout:
        return _keep_in_memory(path, entry, f"the lock was busy for {LOCK_TIMEOUT:g} s",
                               f"close other kernels that are stuck, or delete {path}.lock if none is running")
    except OSError as exc:
        return _keep_in_memory(path, entry, exc.strerror or type(exc).__name__,
                               f"make {path.parent} writable, or point EXOLAB_PROGRESS at a writable location")


def append(lesson: str, question_id: str, response, correct: bool, valid: bool = True) -> tuple[dict, str]:
    """Record one attempt; never raises.

    Parameters
    ----------
    lesson, question_id : str
    response : object
        Stored as JSON-safe data (see :func:`jsonable`).
    correct : bool
    valid : bool
        False for a response of the wrong shape (e.g. nothing chosen): it is kept,
        but gets ``"attempt": null`` and does not count as an attempt.

    Returns
    -------
    entry : dict
        The stored record (with its ``attempt`` number).
    note : str
        "" when saved (or when saving is off: ``EXOLAB_PROGRESS=/dev/null``);
        otherwise why the attempt lives only in memory for now.
    """
    path = Path(os.devnull)
    entry = {"lesson": str(lesson), "question_id": str(question_id), "response": None,
             "correct": bool(correct), "valid": bool(valid), "attempt": None,
             "time": datetime.now(timezone.utc).isoformat(timespec="milliseconds")}
    try:
        path = progress_path()
        entry["response"] = jsonable(response)
        return _append(path, entry)
    except Exception as exc:  # last resort: a bug here must not cost the learner an answer
        try:
            return _keep_in_memory(path, entry, f"unexpected {type(exc).__name__}", "report this as a bug")
        except Exception:
            _MEMORY.setdefault(str(path), []).append(entry)
            return entry, "Progress could not be saved; the answer is kept in memory for this session only."


def history(lesson: str | None = None) -> list[dict]:
    """Return recorded attempts, oldest first; never moves or changes the file.

    Parameters
    ----------
    lesson : str, optional
        Only this lesson's attempts.

    Returns
    -------
    list of dict
        Keys: lesson, question_id, response, correct, valid, attempt, time. Attempts
        kept in memory (unwritable file) are included. If the file cannot be read, a
        :class:`ProgressWarning` says so and only the attempts in memory are returned.
    """
    path = progress_path()
    rows: list[dict] = []
    if not saving_off(path):
        try:
            rows = list(_load(path).get("attempts") or [])
        except _Unusable as exc:
            _warn(path, "unusable", f"exolab quiz progress file {path} cannot be used ({exc.why}); showing only "
                                f"the answers of this session. Fix: {exc.fix}")
        except _Corrupt as exc:
            _warn(path, "read", f"exolab quiz progress file {path} is corrupt ({exc}); showing only the "
                                "answers of this session. It will be moved aside (not deleted) when the "
                                "next answer is saved.")
    rows += _MEMORY.get(str(path), [])
    if lesson is not None:
        rows = [a for a in rows if a.get("lesson") == lesson]
    return sorted(rows, key=lambda a: str(a.get("time", "")))


def learner_id() -> str:
    """Return this learner's stable random id (seeds the option shuffle).

    Read from the progress file's ``learner`` key; a new random id is made when the
    file has none and stored with the next saved answer, so every learner (even on
    Binder, where all logins are ``jovyan``) keeps one order across sessions.

    Returns
    -------
    str
    """
    path = progress_path()
    key = str(path)
    if key not in _LEARNER:
        stored = None
        if not saving_off(path):
            try:
                stored = _load(path).get("learner")
            except Exception:
                stored = None
        _LEARNER[key] = stored if isinstance(stored, str) and stored else secrets.token_hex(8)
    return _LEARNER[key]


def standing(rows: list[dict]) -> dict[tuple[str, str], dict]:
    """Per question, the valid wrong attempts so far and whether it was ever answered right.

    Parameters
    ----------
    rows : list of dict
        Attempts, e.g. :func:`history`.

    Returns
    -------
    dict
        ``(lesson, question_id) -> {"wrong": int, "solved": bool}``; invalid attempts
        do not count.
    """
    out: dict[tuple[str, str], dict] = {}
    for r in rows:
        if not is_valid(r):
            continue
        s = out.setdefault((str(r.get("lesson")), str(r.get("question_id"))), {"wrong": 0, "solved": False})
        if r.get("correct"):
            s["solved"] = True
        else:
            s["wrong"] += 1
    return out
