"""Every lesson, opened in real JupyterLab in headless Chromium, as a learner uses it.

Per lesson: clear outputs, Run All, then check that no cell failed, every widget
rendered as a live view (never as text or "Error displaying widget"), one
explorer reacts to its control and one quiz question marks a wrong and a right
answer and records both in the progress file. The harness itself is proven on
fixture notebooks in ``fixtures/``, including broken ones it must reject.
"""
from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from lab_harness import ROOT, WIDGET_VIEW

pytestmark = pytest.mark.browser

NOTEBOOKS = ROOT / "notebooks"
FIXTURES = Path(__file__).parent / "fixtures"
# `exolab.quiz.show("lesson", ...)`, `quiz.show(...)` or a bare `show("lesson", ...)` imported from it
QUIZ_CALL = re.compile(r"""(?:\bquiz\.|(?<![\w.]))show\(\s*["']""")


def manifest_lessons() -> list[dict]:
    """Return the manifest's lessons as dicts (``exolab.lessons`` if present, else the YAML)."""
    try:
        from exolab.lessons import load_manifest

        data = load_manifest()
    except ImportError:
        import yaml

        data = yaml.safe_load((NOTEBOOKS / "lessons.yml").read_text()) or {}
    lessons = data.get("lessons", []) if isinstance(data, dict) else list(data)
    return [dict(x) if isinstance(x, dict) else dict(vars(x)) for x in lessons or []]


def quiz_cells(path: Path) -> int:
    """Count code cells that show a quiz (call ``exolab.quiz.show``)."""
    nb = json.loads(path.read_text())
    return sum(1 for c in nb["cells"]
               if c["cell_type"] == "code" and QUIZ_CALL.search("".join(c["source"])))


# --------------------------------------------------------------------- drivers
_MARK_PANELS = """() => {
  const views = Array.from(document.querySelectorAll('%s'));
  const panels = [];
  views.forEach(v => v.querySelectorAll('.exolab-panel').forEach(p => {
    const quizzy = p.closest('.exolab-quiz, .exolab-quiz-set, .exolab-quiz-scoreboard');
    if (!quizzy && !p.parentElement.closest('.exolab-panel')) panels.push(p);
  }));
  panels.forEach((p, i) => p.setAttribute('data-exolab-test', 'panel-' + i));
  return panels.length;
}""" % WIDGET_VIEW


def _outputs_html(panel) -> str:
    return panel.evaluate(
        "p => Array.from(p.querySelectorAll('.widget-output, .widget-html-content, .widget-htmlmath-content, img')).map(o => o.outerHTML).join('\\n')")


def drive_explorer(page, name: str) -> str:
    """Change one control of the first explorer panel; return what changed.

    Tries the panel's dropdowns, sliders and toggle buttons (up to four) until its
    outputs (Output areas, HTML, images) change; fails with what was tried otherwise.
    """
    n = page.evaluate(_MARK_PANELS)
    assert n, f"{name}: no explorer panel (.exolab-panel outside quizzes) rendered"
    tried = []
    for i in range(n):
        panel = page.locator(f'[data-exolab-test="panel-{i}"]')
        controls = panel.locator("select, .noUi-handle, .widget-toggle-button")
        if controls.count() == 0:
            continue
        for k in range(min(controls.count(), 4)):
            ctrl = controls.nth(k)
            before = _outputs_html(panel)
            kind = ctrl.evaluate("e => e.tagName === 'SELECT' ? 'select' : e.className")
            if kind == "select":
                values = ctrl.evaluate("e => Array.from(e.options).map(o => o.value)")
                current = ctrl.input_value()
                others = [v for v in values if v != current]
                if not others:
                    continue
                ctrl.select_option(others[0])
                what = f"dropdown {current!r} -> {others[0]!r}"
            elif "noUi-handle" in kind:
                ctrl.focus()
                ctrl.press("ArrowRight")
                if _outputs_html(panel) == before:
                    ctrl.press("ArrowLeft")
                    ctrl.press("ArrowLeft")
                what = "slider moved by keyboard"
            else:
                if "mod-active" in kind:
                    continue
                ctrl.click()
                what = f"toggle {ctrl.inner_text()!r}"
            try:
                page.wait_for_function(
                    "([sel, before]) => Array.from(document.querySelector(sel).querySelectorAll('.widget-output, .widget-html-content, .widget-htmlmath-content, img'))"
                    ".map(o => o.outerHTML).join('\\n') !== before",
                    arg=[f'[data-exolab-test="panel-{i}"]', before], timeout=10_000)
                return f"panel {i}: {what}"
            except Exception:  # playwright TimeoutError
                tried.append(f"panel {i}: {what} (output unchanged)")
        break  # the first panel with controls must respond
    pytest.fail(f"{name}: no explorer output changed after driving its controls; tried: {tried or 'no controls found'}")


_MARK_QUIZ = """() => {
  const qs = Array.from(document.querySelectorAll('.exolab-quiz'))
    .filter(q => q.querySelectorAll('.exolab-quiz-feedback').length === 1);
  const single = qs.filter(q => q.querySelectorAll('input[type=radio]').length >= 2);
  const pick = single.length ? single[0] : qs[0];
  if (pick) pick.setAttribute('data-exolab-test', 'quiz');
  return qs.length;
}"""
_QUIZ_STATE = """q => {
  const has = c => q.classList.contains(c) || q.querySelector('.' + c) !== null;
  const fb = q.querySelector('.exolab-quiz-feedback');
  return {correct: has('exolab-quiz-correct'), incorrect: has('exolab-quiz-incorrect'),
          text: fb ? fb.innerText.trim() : ''};
}"""


def drive_quiz(page, lab, name: str) -> dict:
    """Answer the first quiz question wrongly, then rightly; check feedback and progress.

    Returns
    -------
    dict
        ``wrong`` and ``right`` feedback texts.
    """
    assert page.evaluate(_MARK_QUIZ), f"{name}: no quiz question (.exolab-quiz with one .exolab-quiz-feedback)"
    quiz = page.locator('[data-exolab-test="quiz"]')
    radios = quiz.locator("input[type=radio]")
    toggles = quiz.locator(".widget-toggle-button")
    options = radios if radios.count() else toggles
    assert options.count() >= 2, f"{name}: quiz question shows {options.count()} answer options"
    submit = quiz.locator(".exolab-quiz-submit")
    if submit.count() == 0:
        submit = quiz.locator("button", has_text=re.compile("Check|Submit"))
    retry = quiz.locator(".exolab-quiz-retry")
    state_js = f"() => ({_QUIZ_STATE})(document.querySelector('[data-exolab-test=\"quiz\"]'))"

    def unlock(k: int) -> None:
        """Wait until option ``k`` can be chosen, pressing "Try again" when a marked answer locks it.

        The kernel sends each widget's new state in its own message, so the feedback
        can arrive before the lock (or unlock) of the options and buttons: poll the
        live state instead of trusting one snapshot taken right after the feedback.
        """
        deadline = time.monotonic() + 15
        while not options.nth(k).is_enabled():
            if retry.count() and retry.first.is_enabled():
                retry.first.click()
                page.wait_for_function(
                    f"() => {{ const s = ({state_js})(); return !s.correct && !s.incorrect && !s.text; }}")
            elif time.monotonic() > deadline:
                pytest.fail(f"{name}: quiz option {k} stayed disabled for 15 s and 'Try again' never became enabled")
            page.wait_for_timeout(50)

    def answer(k: int) -> dict:
        unlock(k)
        before = quiz.evaluate(_QUIZ_STATE)
        progress_before = lab.read_progress()
        (options.nth(k).check() if options is radios else options.nth(k).click())
        if submit.count():
            submit.first.click()
        page.wait_for_function(
            f"([b]) => {{ const s = ({state_js})();"
            " return (s.correct || s.incorrect) && (s.text !== b.text || s.correct !== b.correct); }",
            arg=[before], timeout=10_000)
        if retry.count():  # a chosen option is a valid answer: wait until it is locked, then read the result
            retry.first.wait_for(state="visible")
            page.wait_for_function(
                "() => { const r = document.querySelector('[data-exolab-test=\"quiz\"] .exolab-quiz-retry');"
                " return r !== null && !r.disabled; }",
                timeout=10_000)
        state = quiz.evaluate(_QUIZ_STATE)
        # the progress store writes after grading; allow it a moment
        for _ in range(100):
            if lab.read_progress() != progress_before:
                break
            page.wait_for_timeout(100)
        state["progress_changed"] = lab.read_progress() != progress_before
        return state

    seen: dict[str, tuple[int, dict]] = {}
    for k in range(options.count()):
        s = answer(k)
        assert s["correct"] != s["incorrect"], f"{name}: option {k} marked {s} (need exactly one of correct/incorrect)"
        seen.setdefault("right" if s["correct"] else "wrong", (k, s))
        if "wrong" in seen and "right" in seen:
            break
    assert "wrong" in seen and "right" in seen, f"{name}: quiz never marked both a wrong and a right answer: {seen}"
    wrong, right = answer(seen["wrong"][0]), answer(seen["right"][0])  # wrong first, then right
    assert wrong["incorrect"] and wrong["text"], f"{name}: wrong answer gave no incorrect feedback: {wrong}"
    assert right["correct"] and right["text"], f"{name}: right answer gave no correct feedback: {right}"
    assert wrong["text"] != right["text"], f"{name}: feedback is not option-specific: {wrong['text']!r}"
    assert wrong["progress_changed"], (
        f"{name}: EXOLAB_PROGRESS not updated after the wrong answer {wrong}: {lab.read_progress()[-300:]!r}")
    assert right["progress_changed"], (
        f"{name}: EXOLAB_PROGRESS not updated after the right answer {right}: {lab.read_progress()[-300:]!r}")
    return {"wrong": wrong["text"], "right": right["text"]}


def run_notebook(lab, relpath: str, name: str, expected_widgets: int, **kwargs):
    """Open, clear, Run All and screenshot; return ``(page, report)``."""
    page = lab.open(relpath)
    report = lab.run_all(page, name, expected_widgets=expected_widgets, **kwargs)
    lab.screenshot(page, name)
    return page, report


# --------------------------------------------------------------------- lessons
LESSONS = manifest_lessons()


@pytest.mark.parametrize("lesson", LESSONS, ids=[x["id"] for x in LESSONS])
def test_lesson_runs_in_jupyterlab(lab, lesson):
    """A lesson runs cleanly, renders all widgets, and its explorer and quiz respond."""
    name, path = lesson["id"], NOTEBOOKS / lesson["file"]
    assert path.is_file(), f"{name}: manifest names {lesson['file']} but notebooks/{lesson['file']} is missing"
    expected = len(lesson.get("widgets") or []) + quiz_cells(path)
    page, report = run_notebook(lab, f"notebooks/{lesson['file']}", name, expected)
    try:
        report.assert_ok()
        if lesson.get("widgets"):
            drive_explorer(page, name)
        if quiz_cells(path):
            drive_quiz(page, lab, name)
        lab.screenshot(page, name)
    finally:
        lab.close(page)
    assert not lab.saved(f"notebooks/{lesson['file']}"), f"{name}: JupyterLab saved the notebook during the test"


# --------------------------------------------------------------------- harness
def test_harness_on_fixture(lab):
    """The harness passes a healthy notebook and drives its slider, button and quiz."""
    path = FIXTURES / "widget_demo.ipynb"
    page, report = run_notebook(lab, "tests/browser/fixtures/widget_demo.ipynb", "fixture-widget_demo", 3)
    try:
        report.assert_ok()
        assert report.widget_views == 3
        assert "3 squared is 9" in page.locator(".exolab-panel .widget-output").inner_text()
        assert "panel 0: slider" in drive_explorer(page, "fixture")
        assert "4 squared is 16" in page.locator(".exolab-panel .widget-output").inner_text()
        page.get_by_role("button", name="Count").click()
        page.get_by_role("button", name="Count").click()
        page.get_by_text("click 2").wait_for()
        texts = drive_quiz(page, lab, "fixture")
        assert "Golgi" in texts["wrong"] and "intraluminal" in texts["right"]
        attempts = [a for a in json.loads(lab.read_progress())["attempts"] if a.get("lesson") == "fixture"]
        assert [a["correct"] for a in attempts[-2:]] == [False, True]
        lab.screenshot(page, "fixture-widget_demo")
    finally:
        lab.close(page)
    assert not lab.saved("tests/browser/fixtures/widget_demo.ipynb"), "JupyterLab saved the fixture during the test"


@pytest.mark.parametrize("fixture, expected, message", [
    ("broken_raises", 1, r"ValueError: deliberately broken fixture"),
    ("broken_repr", 0, r"widget shown as text repr: 'VBox\(children="),
], ids=["raises", "widget-repr"])
def test_harness_rejects_broken_notebook(lab, fixture, expected, message):
    """A notebook that raises or prints a widget repr must fail, naming the notebook."""
    page, report = run_notebook(lab, f"tests/browser/fixtures/{fixture}.ipynb", f"fixture-{fixture}", expected)
    lab.close(page)
    with pytest.raises(AssertionError, match=rf"fixture-{fixture}: .*{message}"):
        report.assert_ok()


def test_harness_rejects_missing_widgets(lab):
    """Fewer rendered widgets than the manifest implies must fail."""
    page, report = run_notebook(lab, "tests/browser/fixtures/widget_demo.ipynb", "fixture-missing", 5, widget_grace=2)
    lab.close(page)
    with pytest.raises(AssertionError, match=r"only 3 rendered widget views, expected >= 5"):
        report.assert_ok()
