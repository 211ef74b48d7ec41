"""Quiz widgets: set values, click, and check feedback, classes and the progress file."""
from __future__ import annotations

import json
import os
from pathlib import Path

import ipywidgets as W
import pytest

from exolab import quiz
from exolab.quiz import bank
from exolab.widgets.quiz import QuestionWidget, scoreboard, show

FIXTURES = Path(__file__).parent / "fixtures" / "quiz"


@pytest.fixture(autouse=True)
def _fixture_manifest(monkeypatch):
    monkeypatch.setenv("EXOLAB_MANIFEST", str(FIXTURES / "lessons.yml"))
    monkeypatch.setenv("EXOLAB_DATA_DIR", str(FIXTURES / "data"))
    monkeypatch.setenv("EXOLAB_LEARNER", "test-learner")
    bank.clear_cache()
    yield
    quiz.instructor_mode(None)


def stored() -> list[dict]:
    path = Path(os.environ["EXOLAB_PROGRESS"])
    return json.loads(path.read_text(encoding="utf-8"))["attempts"] if path.exists() else []


def widget(qid: str) -> QuestionWidget:
    return show("01_fixture", qid).questions[0]


def position(w: QuestionWidget, text: str) -> int:
    """Bank index of the option with ``text`` (controls carry bank indices as values)."""
    return w.question.options.index(text)


def test_single_wrong_then_retry_then_right():
    w = widget("q1")
    assert "exolab-quiz" in w._dom_classes and "exolab-quiz-feedback" in w.feedback._dom_classes
    radio = w.controls[0]
    assert [v for _, v in radio.options] == w.order and radio.value is None
    radio.value = position(w, "At the plasma membrane")
    w.submit.click()
    assert "microvesicles" in w.feedback.value and "Not quite" in w.feedback.value
    assert "exolab-quiz-incorrect" in w.feedback._dom_classes
    assert 'href="#What-is-a-vesicle?"' in w.feedback.value
    assert w.question.explanation not in w.feedback.value  # held back after one wrong answer
    assert w.submit.disabled and radio.disabled and not w.retry.disabled
    # exactly one element per question carries the feedback class (browser tests count it)
    assert "exolab-quiz-feedback" not in w.feedback.value
    w.retry.click()
    assert w.feedback.value == "" and radio.value is None and not w.submit.disabled
    assert "exolab-quiz-incorrect" not in w.feedback._dom_classes
    radio.value = position(w, "Inside a late endosome")
    w.submit.click()
    assert "exolab-quiz-correct" in w.feedback._dom_classes and "Correct" in w.feedback.value
    assert w.question.explanation in w.feedback.value
    assert [(r["question_id"], r["correct"], r["attempt"]) for r in stored()] == [("q1", False, 1), ("q1", True, 2)]


def test_prompt_hint_and_feedback_typeset_math():
    w = widget("q1")
    assert all(isinstance(x, W.HTMLMath) for x in (w.prompt, w.hint_box, w.feedback))
    assert "$\\alpha$" in w.prompt.value
    # exactly one feedback element per question, for the browser tests
    assert sum("exolab-quiz-feedback" in c._dom_classes for c in w.children) == 1


def test_submit_without_choice_is_invalid_and_can_be_fixed():
    w = widget("q1")
    w.submit.click()
    assert "Choose an option before you submit" in w.feedback.value and not w.submit.disabled
    assert "Not a valid answer" not in w.feedback.value and "Expected" not in w.feedback.value
    assert stored()[0]["response"] is None and not stored()[0]["correct"] and not stored()[0]["valid"]
    assert not w.controls[0].disabled and w.retry.disabled
    w.controls[0].value = position(w, "Inside a late endosome")
    w.submit.click()
    assert "exolab-quiz-correct" in w.feedback._dom_classes and stored()[-1]["attempt"] == 1


@pytest.mark.parametrize("qid, setup, words", [
    ("q2", lambda w: None, "Tick at least one option"),
    ("q3", lambda w: setattr(w.controls[0], "value", "lots"), "Type a number in nm, e.g."),
    ("q4", lambda w: setattr(w.controls[0], "value", 0), "Choose a step for every position, each step once"),
    ("q5", lambda w: None, "Choose a partner for every item"),
])
def test_invalid_answers_get_plain_instructions(qid, setup, words):
    w = widget(qid)
    setup(w)
    w.submit.click()
    assert words in w.feedback.value and "Not a valid answer" not in w.feedback.value
    assert not w.submit.disabled and "exolab-quiz-incorrect" in w.feedback._dom_classes


def test_explanation_after_the_second_wrong_attempt():
    w = widget("q1")
    wrong = [position(w, t) for t in ("At the plasma membrane", "In a dying cell")]
    w.controls[0].value = wrong[0]
    w.submit.click()
    first = w.feedback.value
    assert w.question.explanation not in first and "Try again" in first
    w.retry.click()
    w.controls[0].value = wrong[1]
    w.submit.click()
    assert w.question.explanation in w.feedback.value and "apoptotic" in w.feedback.value
    assert w.feedback.value != first  # option-specific


def test_explanation_timing_counts_earlier_sessions():
    quiz.record("01_fixture", "q1", 1)
    quiz.record("01_fixture", "q1", None)  # invalid: does not count
    w = widget("q1")
    assert (w.wrong, w.solved) == (1, False)
    w.controls[0].value = position(w, "In a dying cell")
    w.submit.click()
    assert w.question.explanation in w.feedback.value


def test_multiple_missed_options_are_not_named_before_the_explanation():
    w = widget("q2")
    by_label = {c.description: c for c in w.controls}
    by_label["CD63"].value = True
    w.submit.click()
    assert "1 more option is also true" in w.feedback.value and "CD81" not in w.feedback.value


def test_long_labels_wrap_and_dropdowns_line_up():
    w = widget("q1")
    css = w.children[0]
    assert isinstance(css, W.HTML) and "<style>" in css.value and "white-space: normal" in css.value
    assert css.layout.display == "none" and "text-overflow: clip" in css.value
    assert w.controls[0].layout.width == "auto" and w.controls[0].layout.max_width == "100%"
    for qid in ("q4", "q5"):
        drops = widget(qid).controls
        assert len({d.style.description_width for d in drops}) == 1
        # the select takes the row (up to 60em), so a long choice can be read back after choosing
        assert {(d.layout.width, d.layout.max_width) for d in drops} == {("100%", "60em")}
    assert widget("q5").controls[0].style.description_width == "5.8em"  # "Calnexin": 8 characters
    from exolab.widgets.quiz import _label_width
    assert _label_width(["x" * 200]) == "18.0em" and _label_width(["ab"]) == "4.0em"


def test_long_match_labels_stand_above_their_dropdowns(monkeypatch):
    """A left-hand side too long for the label column is shown whole on its own line."""
    monkeypatch.delenv("EXOLAB_MANIFEST")
    monkeypatch.delenv("EXOLAB_DATA_DIR")
    bank.clear_cache()
    w = show("04_drug_resistance", "res-mechanism-match").questions[0]
    longest = max(w.question.lefts, key=len)
    assert len(longest) > 30
    rows = [c for c in w.children if isinstance(c, W.VBox) and c.children
            and isinstance(c.children[-1], W.Dropdown)]
    assert [r.children[-1] for r in rows] == w.controls         # one row per dropdown, in order
    labels = [r.children[0].value for r in rows]
    assert any(longest in text for text in labels)               # the whole label, not "…"
    assert all(d.description == "" for d in w.controls)          # no clipped description column
    assert {d.layout.width for d in w.controls} == {"100%"}
    # answering still grades: every left matched to its answer
    for dropdown, left in zip(w.controls, w.question.lefts):
        dropdown.value = w.question.options.index(w.question.answer[left])
    w.submit.click()
    assert "exolab-quiz-correct" in w.feedback._dom_classes


def test_dropdowns_start_on_choose_and_try_again_goes_back_to_it():
    from exolab.widgets.quiz import CHOOSE, CHOOSE_LABEL

    for qid in ("q4", "q5"):
        w = widget(qid)
        assert all(d.index == 0 and d.label == CHOOSE_LABEL and d.value == CHOOSE for d in w.controls)
        assert all(d.options[0] == (CHOOSE_LABEL, CHOOSE) for d in w.controls)
    w = widget("q5")
    answer = {left: position(w, w.question.answer[left]) for left in w.question.lefts}
    for dropdown, left in zip(w.controls, w.question.lefts):
        dropdown.value = answer[left]
    w.controls[-1].index = 0              # one item left on "(choose)": not a valid answer
    assert w.response()[w.question.lefts[-1]] is None
    w.submit.click()
    assert "Choose a partner for every item" in w.feedback.value and not w.submit.disabled
    assert not stored()[-1]["valid"]
    w.controls[-1].value = answer[w.question.lefts[-1]]
    w.submit.click()
    assert "exolab-quiz-correct" in w.feedback._dom_classes and w.retry.disabled is False
    w.retry.click()
    assert all(d.index == 0 and d.label == CHOOSE_LABEL for d in w.controls)
    assert all(v is None for v in w.response().values()) and not w.submit.disabled
    order = widget("q4")
    order.controls[0].value = 0
    assert order.response()[1:] == [None] * (len(order.controls) - 1)


def test_multiple_checkboxes():
    w = widget("q2")
    assert all(isinstance(c, W.Checkbox) for c in w.controls)
    by_label = {c.description: c for c in w.controls}
    by_label["CD63"].value = True
    by_label["Calnexin"].value = True
    w.submit.click()
    assert "endoplasmic reticulum" in w.feedback.value and "1 more option is also true" in w.feedback.value
    w.retry.click()
    assert not any(c.value for c in w.controls)
    by_label["CD63"].value = by_label["CD81"].value = True
    w.submit.click()
    assert "exolab-quiz-correct" in w.feedback._dom_classes
    assert sorted(stored()[-1]["response"]) == [0, 1]


@pytest.mark.parametrize("typed, verdict, words", [
    ("150", "exolab-quiz-correct", "150 nm"),
    ("1000", "exolab-quiz-incorrect", "micrometre"),
    ("lots", "exolab-quiz-incorrect", "Type a number in nm"),
    ("150 nm", "exolab-quiz-correct", "150 nm"),
    ("1,000", "exolab-quiz-incorrect", "micrometre"),
    ("<script>x</script>", "exolab-quiz-incorrect", "Type a number"),
])
def test_numeric_text_box(typed, verdict, words):
    w = widget("q3")
    w.controls[0].value = typed
    w.submit.click()
    assert verdict in w.feedback._dom_classes and words in w.feedback.value
    assert "<script>" not in w.feedback.value


def test_order_dropdowns():
    w = widget("q4")
    steps = w.question.answer
    for dropdown, step in zip(w.controls, reversed(steps)):
        dropdown.value = position(w, step)
    w.submit.click()
    assert "Position 1" in w.feedback.value
    w.retry.click()
    for dropdown, step in zip(w.controls, steps):
        dropdown.value = position(w, step)
    w.submit.click()
    assert "exolab-quiz-correct" in w.feedback._dom_classes


def test_match_dropdowns():
    w = widget("q5")
    for dropdown, left in zip(w.controls, w.question.lefts):
        dropdown.value = position(w, w.question.answer[left])
    w.submit.click()
    assert "exolab-quiz-correct" in w.feedback._dom_classes
    assert stored()[-1]["response"] == {k: position(w, v) for k, v in w.question.answer.items()}


def test_hint_button():
    w = widget("q3")
    assert w.hint_box.value == ""
    w.hint.click()
    assert "Well below a micrometre" in w.hint_box.value


def test_instructor_mode_shows_answers_in_place(monkeypatch):
    assert not hasattr(widget("q1"), "key")
    quiz.instructor_mode(True)
    assert "Inside a late endosome" in widget("q1").key.value
    quiz.instructor_mode(None)
    monkeypatch.setenv("EXOLAB_INSTRUCTOR", "1")
    assert quiz.is_instructor() and "150 ± 20 nm" in widget("q3").key.value


def test_options_shuffled_per_learner(monkeypatch):
    orders = set()
    for who in ("a", "b", "c", "d", "e", "f"):
        monkeypatch.setenv("EXOLAB_LEARNER", who)
        first = tuple(v for _, v in widget("q1").controls[0].options)
        again = tuple(v for _, v in widget("q1").controls[0].options)
        assert first == again
        orders.add(first)
    assert len(orders) > 1


def test_show_bundle_and_unknown_id():
    panel = show("01_fixture", "q1", "q2")
    bundle = panel._repr_mimebundle_()
    assert {"application/vnd.jupyter.widget-view+json", "text/html", "text/plain"} <= set(bundle)
    assert [q.question.id for q in panel.questions] == ["q1", "q2"]
    assert repr(panel).startswith("Quiz")
    assert len(show("01_fixture").questions) == 5
    with pytest.raises(quiz.QuizError, match="'q9' does not exist"):
        show("01_fixture", "q1", "q9")
    assert quiz.show("02_fixture", "c1").questions[0].question.id == "c1"


def test_scoreboard_refreshes_and_keeps_a_static_fallback():
    board = scoreboard("01_fixture")
    static = board._repr_mimebundle_()["text/html"]
    assert "0/5" in board.table.value
    quiz.record("01_fixture", "q1", 1)
    board.refresh.click()
    assert "<li>01_fixture: fx-1: Tell vesicle classes apart</li>" in board.table.value
    assert board._repr_mimebundle_()["text/html"] == static and "fx-1" not in static
    assert "01_fixture" in quiz.scoreboard().table.value


def test_empty_submit_does_not_flag_an_objective():
    w = widget("q3")
    w.submit.click()
    board = scoreboard("01_fixture")
    assert "0/5 questions answered correctly (0 attempted)" in board.table.value
    assert "none so far" in board.table.value
    assert "as of when this cell ran; press Refresh" in board.table.value
    board.refresh.click()
    assert "as of the last Refresh" in board.table.value


def test_scoreboard_reports_a_broken_bank_instead_of_crashing(tmp_path, monkeypatch):
    (tmp_path / "quizzes").mkdir()
    (tmp_path / "quizzes" / "01_fixture.yaml").write_text("questions: [", encoding="utf-8")
    monkeypatch.setenv("EXOLAB_DATA_DIR", str(tmp_path))
    board = scoreboard()
    assert "cannot be built" in board.table.value and "invalid YAML" in board.table.value


def test_feedback_and_hint_carry_their_own_line_height():
    w = widget("q1")
    w.controls[0].value = position(w, "At the plasma membrane")
    w.submit.click()
    assert w.feedback.value.startswith('<div style="line-height:1.45">')
    w.hint.click()
    assert "line-height:1.45" in w.hint_box.value
    w.retry.click()
    assert w.feedback.value == ""


def test_numeric_unit_follows_the_box():
    w = widget("q3")
    box = w.controls[0]
    assert isinstance(box, W.Text) and box.description == "" and box.placeholder == "a number"
    row = next(c for c in w.children if isinstance(c, W.HBox) and box in c.children)
    assert row.children[0] is box and isinstance(row.children[1], W.Label)
    assert row.children[1].value == "nm"


def test_a_panel_shares_its_layouts_and_styles():
    from ipywidgets.widgets.widget import _instances

    before = len(_instances)
    panel = show("01_fixture")
    made = len(_instances) - before
    questions = panel.questions
    layouts = {id(w.layout) for q in questions for w in (q, q.prompt, q.submit, q.retry, q.hint,
                                                          q.feedback, q.hint_box)}
    assert len(layouts) == 1                                  # one default Layout for all of them
    assert len({id(b.style) for q in questions for b in (q.submit, q.retry, q.hint)}) == 1
    checks = widget("q2").controls
    assert len({id(c.style) for c in checks}) == 1 and len({id(c.layout) for c in checks}) == 1
    drops = questions[3].controls
    assert len({id(d.style) for d in drops}) == 1 and len({id(d.layout) for d in drops}) == 1
    # 5 questions: about 10 widgets each (prompt, controls, buttons, boxes) plus shared ones;
    # a Layout and a Style per widget used to make it over 30 each.
    assert made <= 15 * len(questions), made                 # 71 here; it was 161
