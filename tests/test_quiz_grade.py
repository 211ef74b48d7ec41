"""Grading: right answers pass, each wrong option gets its own feedback, junk never raises."""
from __future__ import annotations

import math
import shutil
import time
from pathlib import Path

import numpy as np
import pytest
import yaml

from exolab import quiz
from exolab.quiz import bank

FIXTURES = Path(__file__).parent / "fixtures" / "quiz"


@pytest.fixture(autouse=True)
def _fixture_manifest(monkeypatch):
    monkeypatch.setenv("EXOLAB_MANIFEST", str(FIXTURES / "lessons.yml"))
    monkeypatch.setenv("EXOLAB_DATA_DIR", str(FIXTURES / "data"))
    bank.clear_cache()


@pytest.fixture
def qs():
    return {q.id: q for q in quiz.load_bank("01_fixture")}


def test_single_right_by_index_and_text(qs):
    q = qs["q1"]
    for response in (0, "Inside a late endosome", "  Inside a late endosome ", np.int64(0)):
        fb = q.check(response)
        assert fb.correct and fb.valid and "late endosome" in fb.explanation


def test_single_each_wrong_option_has_its_own_feedback(qs):
    q = qs["q1"]
    got = {i: q.check(i) for i in (1, 2)}
    assert not got[1].correct and "microvesicles" in got[1].feedback and got[1].misconception == "mv-vs-exo"
    assert not got[2].correct and "apoptotic" in got[2].feedback and got[2].misconception == "apoptotic-confusion"
    assert got[1].feedback != got[2].feedback
    assert got[1].explanation == q.explanation  # a wrong but valid answer still teaches


def test_multiple(qs):
    q = qs["q2"]
    assert q.check([0, 1]).correct and q.check(("CD81", "CD63")).correct and q.check({0, 1}).correct
    partial = q.check([0])
    assert not partial.correct and "CD81" in partial.feedback
    wrong = q.check([0, 1, 2])
    assert not wrong.correct and "endoplasmic reticulum" in wrong.feedback and wrong.misconception == "er-marker"
    assert wrong.guarded == ""  # nothing left out: the feedback gives no answer away


def test_multiple_missed_options_are_guarded(qs):
    fb = qs["q2"].check([0, 2])
    assert "Also true: CD81." in fb.feedback  # the API says it all
    # views that hold the explanation back show only how many are missing
    assert "CD81" not in fb.guarded and "1 more option is also true" in fb.guarded
    assert "endoplasmic reticulum" in fb.guarded


def test_multiple_with_repeats_is_invalid(qs):
    for repeated in (["CD63", "CD81", "CD63", "CD81"], [0, 0, 1], [0, "CD63", 1]):
        fb = qs["q2"].check(repeated)
        assert not fb.correct and not fb.valid and "at most once" in fb.feedback


def test_numeric(qs):
    q = qs["q3"]
    for good in (150, 130, 170, 150.0, "150", " 165 ", np.float32(140), "150 nm", "150nm",
                 "149,5", "150.0 nm", "150\u00a0nm"):
        assert q.check(good).correct, good
    assert not q.check(171).correct and "too high" in q.check(171).feedback
    assert "too low" in q.check(10).feedback
    slip = q.check(1050)
    assert not slip.correct and "micrometre" in slip.feedback and slip.misconception == "unit-slip"
    # a comma before exactly three digits groups thousands: 1,000 nm is the unit slip, not 1.0
    assert q.check("1,000").misconception == "unit-slip" and q.check("1,000 nm").valid


@pytest.mark.parametrize("typed", ["150 µm", "150 m", "nm", "150 nm nm", "1.5.0", "150 x"])
def test_numeric_accepts_only_the_question_unit(qs, typed):
    fb = qs["q3"].check(typed)
    assert not fb.correct and not fb.valid


def test_numeric_decimal_comma():
    from exolab.quiz.grade import _parse_number
    assert _parse_number("1,6", "") == 1.6 and _parse_number("0,25", "h") == 0.25
    assert _parse_number("98 min", "min") == 98 and _parse_number("100,000 × g", "× g") == 100000
    assert _parse_number("\u22123,5", "") == -3.5 and _parse_number("12,345,678", "") == 12345678

def test_order(qs):
    q = qs["q4"]
    assert q.check(list(q.answer)).correct
    assert q.check([q.options.index(s) for s in q.answer]).correct
    wrong = q.check(list(reversed(q.answer)))
    assert not wrong.correct and wrong.valid and "Position 1" in wrong.feedback


def test_match(qs):
    q = qs["q5"]
    assert q.check(dict(q.answer)).correct
    assert q.check([q.answer[left] for left in q.lefts]).correct
    wrong = q.check({"CD9": "tetraspanin", "TSG101": "ER protein", "Calnexin": "Golgi enzyme"})
    assert not wrong.correct and wrong.valid
    assert "TSG101" in wrong.feedback and "Calnexin" in wrong.feedback and "CD9 " not in wrong.feedback


class Nasty:
    def __eq__(self, other):
        raise RuntimeError("boom")

    __hash__ = object.__hash__

    def __len__(self):
        raise RuntimeError("boom")


JUNK = [None, True, False, -1, 3, 99, 10**30, 1.5, math.nan, math.inf, -math.inf, "", "   ",
        "not an option", "x" * 1_000_000, [], [None], [0, 99], ["nope"], {}, {"a": 1}, object(),
        Nasty(), b"bytes", 2j, [[0]], {0, "x"}, ("CD9",) * 3, np.nan, np.array([0, 1])]


@pytest.mark.parametrize("qid", ["q1", "q2", "q3", "q4", "q5"])
def test_malformed_responses_never_raise(qs, qid):
    q = qs[qid]
    for junk in JUNK:
        fb = q.check(junk)
        assert isinstance(fb, quiz.Feedback)
        if fb.correct:  # the only junk allowed to pass is junk that happens to be right
            pytest.fail(f"{qid}: {junk!r:.60} graded correct")
        if not fb.valid:
            assert "Expected" in fb.feedback and fb.explanation == ""


def test_invalid_feedback_says_what_a_valid_response_is(qs):
    assert "index 0-2" in qs["q1"].check(7).feedback
    assert "non-empty list" in qs["q2"].check([]).feedback and "at most once" in qs["q2"].check([]).feedback
    assert "finite number (in nm)" in qs["q3"].check(math.nan).feedback
    assert "each once" in qs["q4"].check([0, 0, 1]).feedback
    assert "CD9, TSG101, Calnexin" in qs["q5"].check({"CD9": "tetraspanin"}).feedback


def test_ten_banks_and_a_thousand_checks_under_a_second(tmp_path, monkeypatch):
    base = (FIXTURES / "data" / "quizzes" / "01_fixture.yaml").read_text(encoding="utf-8")
    manifest = yaml.safe_load((FIXTURES / "lessons.yml").read_text(encoding="utf-8"))
    template = manifest["lessons"][0]
    lessons, folder = [], tmp_path / "quizzes"
    folder.mkdir()
    for name in ("tables.yml", "findings.csv", "glossary.csv"):  # the refs check reads them
        shutil.copy(FIXTURES / "data" / name, tmp_path / name)
    for n in range(10):
        lid = f"{n:02d}_perf"
        lessons.append(dict(template, id=lid, file=f"{lid}.ipynb", prerequisites=[],
                            objectives=[dict(o, id=f"{o['id']}-{n}") for o in template["objectives"]]))
        text = base.replace("lesson: 01_fixture", f"lesson: {lid}")
        for oid in ("fx-1", "fx-2", "fx-3"):
            text = text.replace(f"objective: {oid}", f"objective: {oid}-{n}")
        (folder / f"{lid}.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "lessons.yml").write_text(yaml.safe_dump({"lessons": lessons}), encoding="utf-8")
    monkeypatch.setenv("EXOLAB_MANIFEST", str(tmp_path / "lessons.yml"))
    monkeypatch.setenv("EXOLAB_DATA_DIR", str(tmp_path))
    bank.clear_cache()
    responses = [0, 1, [0, 1], 150, "abc", None, [2, 0, 1], {"CD9": "tetraspanin"}, math.nan, "x" * 10_000]
    start = time.perf_counter()
    questions = [q for n in range(10) for q in quiz.load_bank(f"{n:02d}_perf")]
    results = [questions[i % len(questions)].check(responses[i % len(responses)]) for i in range(1000)]
    elapsed = time.perf_counter() - start
    assert len(questions) == 50 and len(results) == 1000
    assert elapsed < 1.0, f"took {elapsed:.3f} s"
