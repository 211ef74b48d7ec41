"""Progress store: every attempt kept, safe across processes, robust to bad files."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

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


def test_wrong_shape_counts_as_corrupt():
    path = Path(os.environ["EXOLAB_PROGRESS"])
    path.write_text('{"attempts": {"q1": 1}}', encoding="utf-8")
    with pytest.warns(progress.ProgressWarning):
        assert quiz.history() == []
    assert list(path.parent.glob("progress.json.corrupt-*"))


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
