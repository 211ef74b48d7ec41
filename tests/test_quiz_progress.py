"""Progress store: every attempt kept, safe across processes, robust to bad files."""
from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import numpy as np
import pytest

from exolab import quiz
from exolab.quiz import bank, progress

FIXTURES = Path(__file__).parent / "fixtures" / "quiz"
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _fixture_manifest(monkeypatch):
    monkeypatch.setenv("EXOLAB_MANIFEST", str(FIXTURES / "lessons.yml"))
    monkeypatch.setenv("EXOLAB_DATA_DIR", str(FIXTURES / "data"))
    bank.clear_cache()


def stored(path=None) -> list[dict]:
    path = Path(path or os.environ["EXOLAB_PROGRESS"])
    return json.loads(path.read_text(encoding="utf-8"))["attempts"]


def run_python(code: str, **env) -> subprocess.CompletedProcess:
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], cwd=REPO,
                            env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_record_grades_and_stores_with_attempt_numbers():
    first = quiz.record("01_fixture", "q1", 1)
    second = quiz.record("01_fixture", "q1", "Inside a late endosome")
    quiz.record("01_fixture", "q3", 150)
    assert not first.correct and second.correct and first.saved and second.saved
    rows = stored()
    assert [(r["question_id"], r["response"], r["correct"], r["attempt"]) for r in rows] == [
        ("q1", 1, False, 1), ("q1", "Inside a late endosome", True, 2), ("q3", 150, True, 1)]
    assert all(r["lesson"] == "01_fixture" and r["time"].endswith("+00:00") for r in rows)
    assert quiz.history() == rows and quiz.history("02_fixture") == []


def test_junk_responses_are_stored_as_json():
    quiz.record("01_fixture", "q1", object())
    quiz.record("01_fixture", "q3", float("nan"))
    quiz.record("01_fixture", "q1", "y" * 100_000)
    rows = stored()
    assert len(rows) == 3 and not any(r["correct"] for r in rows)
    assert rows[1]["response"] == "nan" and len(rows[2]["response"]) == progress.MAX_RESPONSE_CHARS


def test_unknown_question_is_a_quiz_error_not_a_record():
    with pytest.raises(quiz.QuizError, match="q99"):
        quiz.record("01_fixture", "q99", 0)
    assert not Path(os.environ["EXOLAB_PROGRESS"]).exists()


def test_history_survives_a_new_process():
    quiz.record("01_fixture", "q2", [0, 1])
    proc = run_python("""
        import json
        from exolab import quiz
        print(json.dumps(quiz.history()))
        quiz.record("01_fixture", "q2", [0])
    """)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    seen = json.loads(out)
    assert [(r["question_id"], r["response"], r["correct"]) for r in seen] == [("q2", [0, 1], True)]
    assert [r["attempt"] for r in quiz.history()] == [1, 2]


def test_two_processes_writing_concurrently_lose_nothing():
    code = """
        from exolab import quiz
        for i in range(500):
            fb = quiz.record("01_fixture", "q3", i)
            assert fb.saved, fb.feedback
    """
    procs = [run_python(code) for _ in range(2)]
    for p in procs:
        out, err = p.communicate(timeout=240)
        assert p.returncode == 0, err
    rows = stored()
    assert len(rows) == 1000
    # read-modify-write happened under the lock: attempt numbers are exactly 1..1000
    assert sorted(r["attempt"] for r in rows) == list(range(1, 1001))
    assert sorted(r["response"] for r in rows) == sorted(list(range(500)) * 2)


def test_corrupt_file_is_moved_aside_with_a_warning():
    path = Path(os.environ["EXOLAB_PROGRESS"])
    path.write_text('{"attempts": [ truncated', encoding="utf-8")
    with pytest.warns(progress.ProgressWarning, match="corrupt") as caught:
        fb = quiz.record("01_fixture", "q1", 0)
    aside = list(path.parent.glob("progress.json.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_text(encoding="utf-8") == '{"attempts": [ truncated'
    assert str(aside[0]) in str(caught[0].message)
    assert fb.correct and fb.saved and len(stored()) == 1


def test_wrong_shape_counts_as_corrupt_and_only_append_moves_it():
    path = Path(os.environ["EXOLAB_PROGRESS"])
    path.write_text('{"attempts": {"q1": 1}}', encoding="utf-8")
    with pytest.warns(progress.ProgressWarning, match="corrupt.*moved aside .not deleted. when the next answer"):
        assert quiz.history() == []
        quiz.summary("01_fixture")
    # reading never renames: another kernel may be writing a good file right now
    assert not list(path.parent.glob("progress.json.corrupt-*"))
    assert path.read_text(encoding="utf-8") == '{"attempts": {"q1": 1}}'
    with pytest.warns(progress.ProgressWarning, match="moved to"):
        assert quiz.record("01_fixture", "q1", 0).saved
    assert len(list(path.parent.glob("progress.json.corrupt-*"))) == 1 and len(stored()) == 1


def test_corrupt_file_that_cannot_be_moved_is_left_alone(monkeypatch):
    path = Path(os.environ["EXOLAB_PROGRESS"])
    path.write_text("not json", encoding="utf-8")
    real_replace = os.replace

    def no_aside(src, dst):
        if ".corrupt-" in str(dst):
            raise PermissionError(13, "Permission denied")
        return real_replace(src, dst)
    monkeypatch.setattr(progress.os, "replace", no_aside)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fb = quiz.record("01_fixture", "q1", 0)
    messages = " ".join(str(w.message) for w in caught if issubclass(w.category, progress.ProgressWarning))
    # the message says what really happened: not moved, not overwritten
    assert "could not be moved aside" in messages and "left untouched" in messages
    assert "overwritten" not in messages and "fresh" not in messages
    assert fb.correct and not fb.saved and path.read_text(encoding="utf-8") == "not json"
    with pytest.warns(progress.ProgressWarning, match="corrupt"):
        assert [r["attempt"] for r in quiz.history()] == [1]


def test_missing_directory_is_created(tmp_path, monkeypatch):
    path = tmp_path / "new" / "deeper" / "progress.json"
    monkeypatch.setenv("EXOLAB_PROGRESS", str(path))
    assert quiz.record("01_fixture", "q1", 0).saved
    assert len(stored(path)) == 1


def test_read_only_file_keeps_answers_in_memory(tmp_path):
    quiz.record("01_fixture", "q1", 1)
    path = Path(os.environ["EXOLAB_PROGRESS"])
    before = path.read_text(encoding="utf-8")
    path.chmod(0o444)
    try:
        with pytest.warns(progress.ProgressWarning, match="read-only"):
            fb = quiz.record("01_fixture", "q1", 0)
        assert fb.correct and not fb.saved and "memory" in fb.feedback and str(path) in fb.feedback
        assert path.read_text(encoding="utf-8") == before
        rows = quiz.history("01_fixture")
        assert [(r["attempt"], r["correct"]) for r in rows] == [(1, False), (2, True)]
    finally:
        path.chmod(0o644)


def test_unwritable_location_warns_and_does_not_crash(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory", encoding="utf-8")
    monkeypatch.setenv("EXOLAB_PROGRESS", str(blocker / "sub" / "progress.json"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fb1 = quiz.record("01_fixture", "q3", 150)
        fb2 = quiz.record("01_fixture", "q3", 10)
    assert fb1.correct and not fb1.saved and "kept in memory" in fb1.feedback
    assert not fb2.correct and not fb2.saved
    # one clear warning per location, not one per click
    assert sum(issubclass(w.category, progress.ProgressWarning) for w in caught) == 1
    assert [r["attempt"] for r in quiz.history()] == [1, 2]


def test_default_location_is_home(monkeypatch, tmp_path):
    monkeypatch.delenv("EXOLAB_PROGRESS")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert progress.progress_path() == tmp_path / ".exolab" / "progress.json"


def test_summary_tracks_objectives_to_revisit():
    quiz.record("01_fixture", "q1", 1)          # fx-1 wrong
    quiz.record("01_fixture", "q3", 150)        # fx-2 right
    row = quiz.summary("01_fixture")[0]
    assert (row["questions"], row["answered"], row["correct"]) == (5, 2, 1)
    objectives = {o["id"]: o for o in row["objectives"]}
    assert objectives["fx-1"]["revisit"] and objectives["fx-1"]["questions"] == 3
    assert not objectives["fx-2"]["revisit"] and objectives["fx-2"]["correct"] == 1
    assert not objectives["fx-3"]["revisit"]
    quiz.record("01_fixture", "q1", 0)
    assert not {o["id"]: o for o in quiz.summary("01_fixture")[0]["objectives"]}["fx-1"]["revisit"]


# --- record() never raises (H2) ----------------------------------------------------------

class RaisingRepr:
    def __repr__(self):
        raise RuntimeError("no repr for you")

    def __str__(self):
        raise RuntimeError("no str either")


class RaisingIter(list):
    def __iter__(self):
        raise RuntimeError("no iteration")


def nasty_responses() -> list:
    looped = [1, 2]
    looped.append(looped)
    cyclic = {"a": 1}
    cyclic["self"] = cyclic
    deep = []
    for _ in range(100_000):  # far deeper than the recursion limit
        deep = [deep]
    deep_dict: dict = {}
    for _ in range(5_000):
        deep_dict = {"x": deep_dict}
    return [looped, cyclic, deep, deep_dict, 10 ** 400, -(10 ** 5000), 10 ** 30, "\ud800", "ok \udfff end",
            {"\ud800": "\udc00"}, RaisingRepr(), [RaisingRepr()], {RaisingRepr(): 1}, RaisingIter([1]),
            {1, "a", None, 2.5}, np.array([0, 1]), np.arange(10_000), np.int64(2), np.float32(1.5),
            float("inf"), b"\xff\xfe", 2j, set(range(1000)), list(range(1000)), object]


def test_record_never_raises_and_stores_a_safe_representation():
    junk = nasty_responses()
    for response in junk:
        for qid in ("q1", "q2", "q3", "q4", "q5"):
            fb = quiz.record("01_fixture", qid, response)
            assert isinstance(fb, quiz.Feedback) and fb.saved, (qid, type(response))
    raw = Path(os.environ["EXOLAB_PROGRESS"]).read_bytes()
    raw.decode("utf-8")  # the file stays UTF-8 even with lone surrogates in the input
    rows = json.loads(raw)["attempts"]
    assert len(rows) == 5 * len(junk)
    by_type = {type(r).__name__: row["response"] for r, row in zip(junk, rows[::5])}
    assert rows[5 * 4]["response"] == "<integer of about 401 digits>"  # text, not an OverflowError
    assert rows[5 * 6]["response"] == "1e+30"
    assert by_type["RaisingRepr"] == "<RaisingRepr>"
    assert rows[5 * 7]["response"] == "\\ud800"  # the lone surrogate, escaped as text
    assert rows[5 * 15]["response"] == [0, 1]  # a small numpy array stays a list
    assert "<cycle>" in json.dumps(rows[0]["response"]) and "nested too deeply" in json.dumps(rows[5 * 2])


def test_jsonable_output_is_always_json():
    for response in nasty_responses():
        value = progress.jsonable(response)
        json.dumps(value, ensure_ascii=False).encode("utf-8")


def test_unexpected_error_keeps_the_attempt_in_memory_then_writes_it(monkeypatch):
    quiz.record("01_fixture", "q1", 1)

    def broken(*args, **kwargs):
        raise RuntimeError("a bug in the writer")
    with monkeypatch.context() as m:
        m.setattr(progress, "_write", broken)
        with pytest.warns(progress.ProgressWarning, match="RuntimeError"):
            fb = quiz.record("01_fixture", "q1", 2)
    assert not fb.correct and fb.valid and not fb.saved and "memory" in fb.feedback
    assert quiz.record("01_fixture", "q1", 0).saved
    assert [(r["response"], r["attempt"]) for r in stored()] == [(1, 1), (2, 2), (0, 3)]


# --- only regular files are read or replaced (H3) ----------------------------------------

def test_directory_at_the_path_is_left_alone(tmp_path, monkeypatch):
    folder = tmp_path / "progress.json"
    folder.mkdir()
    (folder / "keep.txt").write_text("precious", encoding="utf-8")
    monkeypatch.setenv("EXOLAB_PROGRESS", str(folder))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fb1 = quiz.record("01_fixture", "q1", 0)
        fb2 = quiz.record("01_fixture", "q1", 1)
        seen = quiz.history()
    ours = [w for w in caught if issubclass(w.category, progress.ProgressWarning)]
    assert len(ours) == 1 and str(folder) in str(ours[0].message)
    assert "a directory" in str(ours[0].message) and "Fix:" in str(ours[0].message)
    assert fb1.correct and not fb1.saved and not fb2.saved
    assert folder.is_dir() and (folder / "keep.txt").read_text(encoding="utf-8") == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["progress.json"]  # nothing renamed or added
    assert [r["attempt"] for r in seen] == [1, 2]


def test_fifo_at_the_path_does_not_hang(tmp_path):
    fifo = tmp_path / "progress.json"
    os.mkfifo(fifo)
    proc = run_python("""
        import warnings
        from exolab import quiz
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fb = quiz.record("01_fixture", "q1", 0)
            rows = quiz.history()
            quiz.summary("01_fixture")
        print(fb.saved, len(rows), "|".join(str(w.message) for w in caught))
    """, EXOLAB_PROGRESS=str(fifo))
    try:
        out, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail("record() hung on a FIFO")
    assert proc.returncode == 0, err
    saved, n, messages = out.strip().split(" ", 2)
    assert saved == "False" and n == "1" and "FIFO" in messages and str(fifo) in messages
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_dev_null_means_do_not_save(monkeypatch):
    monkeypatch.setenv("EXOLAB_PROGRESS", os.devnull)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning at all
        fb = quiz.record("01_fixture", "q1", 0)
        fb2 = quiz.record("01_fixture", "q1", 1)
        rows = quiz.history()
    assert fb.correct and not fb.saved and "(" not in fb.feedback  # no note: saving is off on purpose
    assert [r["attempt"] for r in rows] == [1, 2]
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode) and not os.path.exists(os.devnull + ".lock")
    assert not fb2.saved


def test_device_node_is_not_replaced(tmp_path, monkeypatch):
    node = tmp_path / "null-copy"
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except (PermissionError, OSError):
        pytest.skip("cannot create a device node here")
    monkeypatch.setenv("EXOLAB_PROGRESS", str(node))
    with pytest.warns(progress.ProgressWarning, match="character device"):
        assert not quiz.record("01_fixture", "q1", 0).saved
    assert stat.S_ISCHR(os.stat(node).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["null-copy"]


# --- memory is written back (M1), invalid attempts (M3) ---------------------------------

def test_attempts_kept_in_memory_are_written_at_the_next_successful_write():
    quiz.record("01_fixture", "q1", 1)
    path = Path(os.environ["EXOLAB_PROGRESS"])
    path.chmod(0o444)
    try:
        with pytest.warns(progress.ProgressWarning):
            quiz.record("01_fixture", "q1", 2)
            quiz.record("01_fixture", "q3", 10)
    finally:
        path.chmod(0o644)
    assert [r["attempt"] for r in stored()] == [1]
    assert quiz.record("01_fixture", "q1", 0).saved
    rows = stored()
    assert [(r["question_id"], r["response"], r["attempt"]) for r in rows] == [
        ("q1", 1, 1), ("q1", 2, 2), ("q3", 10, 1), ("q1", 0, 3)]
    assert progress._MEMORY.get(str(path)) is None
    assert quiz.history() == rows  # nothing twice


def test_invalid_attempts_are_kept_but_do_not_count():
    quiz.record("01_fixture", "q1", None)     # Submit with nothing chosen
    quiz.record("01_fixture", "q4", [0, 0, 0])
    row = quiz.summary("01_fixture")[0]
    assert row["answered"] == 0 and not any(o["revisit"] for o in row["objectives"])
    first = quiz.record("01_fixture", "q1", 1)
    assert first.valid
    rows = stored()
    assert [(r["question_id"], r["valid"], r["attempt"]) for r in rows] == [
        ("q1", False, None), ("q4", False, None), ("q1", True, 1)]
    assert quiz.summary("01_fixture")[0]["answered"] == 1


def test_old_records_without_valid_flag():
    assert not progress.is_valid({"response": None, "correct": False})
    assert progress.is_valid({"response": 1, "correct": False}) and progress.is_valid({"valid": True})


# --- file-format and ownership nits (L3), learner id (L5) --------------------------------

def test_bom_and_empty_files_are_not_corrupt():
    path = Path(os.environ["EXOLAB_PROGRESS"])
    quiz.record("01_fixture", "q1", 1)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(quiz.history()) == 1
        assert quiz.record("01_fixture", "q1", 0).saved
    assert [r["attempt"] for r in stored()] == [1, 2]
    path.write_text("", encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert quiz.history() == [] and quiz.record("01_fixture", "q1", 0).saved


def test_unknown_keys_are_kept_and_a_newer_version_is_not_overwritten():
    path = Path(os.environ["EXOLAB_PROGRESS"])
    path.write_text(json.dumps({"version": 1, "attempts": [], "notes": "mine"}), encoding="utf-8")
    quiz.record("01_fixture", "q1", 0)
    assert json.loads(path.read_text(encoding="utf-8"))["notes"] == "mine"
    newer = json.dumps({"version": 99, "attempts": []})
    path.write_text(newer, encoding="utf-8")
    with pytest.warns(progress.ProgressWarning, match="newer exolab"):
        assert not quiz.record("01_fixture", "q1", 0).saved
    assert path.read_text(encoding="utf-8") == newer


def test_relative_path_is_under_home(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("EXOLAB_PROGRESS", "course/progress.json")
    monkeypatch.chdir(REPO)
    assert progress.progress_path() == tmp_path / "course" / "progress.json"
    assert quiz.record("01_fixture", "q1", 0).saved and (tmp_path / "course" / "progress.json").is_file()


def test_file_of_another_user_is_not_replaced():
    path = Path(os.environ["EXOLAB_PROGRESS"])
    quiz.record("01_fixture", "q1", 1)
    before = path.read_text(encoding="utf-8")
    try:
        os.chown(path, os.geteuid() + 4242, -1)
    except (PermissionError, AttributeError, OSError):
        pytest.skip("cannot hand a file to another user here")
    with pytest.warns(progress.ProgressWarning, match="another user"):
        fb = quiz.record("01_fixture", "q1", 0)
    assert not fb.saved and path.read_text(encoding="utf-8") == before


def test_stale_temp_files_are_cleaned_up():
    path = Path(os.environ["EXOLAB_PROGRESS"])
    stale = path.with_name(f".{path.name}.abc123.tmp")
    stale.write_text("{", encoding="utf-8")
    old = os.stat(stale).st_mtime - 2 * progress.STALE_TMP_SECONDS
    os.utime(stale, (old, old))
    fresh = path.with_name(f".{path.name}.def456.tmp")
    fresh.write_text("{", encoding="utf-8")
    quiz.record("01_fixture", "q1", 0)
    assert not stale.exists() and fresh.exists()


def test_learner_id_is_random_stable_and_stored(monkeypatch, tmp_path):
    from exolab.quiz import render
    monkeypatch.delenv("EXOLAB_LEARNER", raising=False)
    monkeypatch.setattr(progress, "_LEARNER", {})
    first = render.learner()
    assert first == render.learner() and len(first) >= 12
    quiz.record("01_fixture", "q1", 0)
    assert json.loads(Path(os.environ["EXOLAB_PROGRESS"]).read_text(encoding="utf-8"))["learner"] == first
    monkeypatch.setattr(progress, "_LEARNER", {})  # a new session reads it back
    assert render.learner() == first
    monkeypatch.setenv("EXOLAB_PROGRESS", str(tmp_path / "someone-else.json"))
    assert render.learner() != first
    monkeypatch.setenv("EXOLAB_LEARNER", "named")
    assert render.learner() == "named"


def test_unreadable_file_is_reported_as_unreadable_and_left_alone():
    path = Path(os.environ["EXOLAB_PROGRESS"])
    quiz.record("01_fixture", "q1", 1)
    before = path.read_bytes()
    path.chmod(0o000)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fb = quiz.record("01_fixture", "q1", 0)
        messages = " ".join(str(w.message) for w in caught)
        assert "not readable" in messages and "read-only" not in messages and "fresh" not in messages
        assert "chmod u+rw" in messages and not fb.saved
    finally:
        path.chmod(0o644)
    assert path.read_bytes() == before and not list(path.parent.glob("*.corrupt-*"))
    assert quiz.record("01_fixture", "q1", 0).saved
    assert [r["attempt"] for r in stored()] == [1, 2, 3]
