"""Static views, safe Markdown, shuffling, answer key and jupyterquiz export."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from exolab import quiz
from exolab.quiz import bank, render
from exolab.quiz.__main__ import main

FIXTURES = Path(__file__).parent / "fixtures" / "quiz"
REPO = Path(__file__).resolve().parents[1]
JQ_SCHEMA = json.loads((FIXTURES / "jupyterquiz.schema.json").read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def _fixture_manifest(monkeypatch):
    monkeypatch.setenv("EXOLAB_MANIFEST", str(FIXTURES / "lessons.yml"))
    monkeypatch.setenv("EXOLAB_DATA_DIR", str(FIXTURES / "data"))
    bank.clear_cache()


@pytest.fixture
def hostile(tmp_path, monkeypatch):
    """A bank whose texts try to inject HTML."""
    doc = yaml.safe_load((FIXTURES / "data" / "quizzes" / "01_fixture.yaml").read_text(encoding="utf-8"))
    q = doc["questions"][0]
    q["prompt"] = "<script>alert('x')</script> Is **α** < β & `<b>code</b>`?"
    q["options"][1]["text"] = "<img src=x onerror=alert(1)>"
    q["options"][1]["feedback"] = "</details><script>bad()</script>"
    q["explanation"] = "<iframe src='evil'></iframe> *fine*"
    folder = tmp_path / "quizzes"
    folder.mkdir()
    copy_kb(tmp_path)
    (folder / "01_fixture.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("EXOLAB_DATA_DIR", str(tmp_path))
    return quiz.load_bank("01_fixture")


def copy_kb(folder: Path) -> None:
    """The fixture's tiny knowledge base, which the refs check reads."""
    for name in ("tables.yml", "findings.csv", "glossary.csv"):
        shutil.copy(FIXTURES / "data" / name, folder / name)


@pytest.mark.parametrize("text, expected", [
    ("**bold** and *it*", "<strong>bold</strong> and <em>it</em>"),
    ("`a*b*c` then $x * y * z$", "<code>a*b*c</code> then $x * y * z$"),
    ("<b>raw</b> & more", "&lt;b&gt;raw&lt;/b&gt; &amp; more"),
    ("2 * 3 * 4", "2 * 3 * 4"),
    ("Greek: α, β, κ; µm", "Greek: α, β, κ; µm"),
])
def test_safe_markdown(text, expected):
    assert render.md(text) == expected


def test_fallback_escapes_everything(hostile):
    page = render.bank_html(hostile)
    assert "<script" not in page and "<img" not in page and "<iframe" not in page
    assert "&lt;script&gt;" in page and "&lt;img src=x" in page
    assert "<strong>α</strong> &lt; β &amp;" in page and "<code>&lt;b&gt;code&lt;/b&gt;</code>" in page
    # an injected </details> cannot close the collapsed answer early
    assert page.count("<details>") == page.count("</details>") == len(hostile)
    assert "onerror" not in page.replace("onerror=alert(1)&gt;", "")


def test_fallback_lists_options_in_bank_order_and_hides_answer_in_details():
    qs = quiz.load_bank("01_fixture")
    q1 = render.question_html(qs[0])
    positions = [q1.index(o) for o in qs[0].options]
    assert positions == sorted(positions)
    before, details = q1.split("<details>", 1)
    assert "Answer:" not in before and "Answer:</strong> Inside a late endosome" in details
    # fragment-only: the quiz sits in its own lesson, and JupyterLab would resolve a
    # relative "<file>#..." against its own page URL
    assert "microvesicles" in details and 'href="#What-is-a-vesicle?"' in details and ".ipynb" not in q1
    assert "<script" not in render.bank_html(qs) and "javascript" not in render.bank_html(qs).lower()


def test_static_views_do_not_depend_on_learner_or_progress(monkeypatch):
    views = []
    for who in ("ada", "grace"):
        monkeypatch.setenv("EXOLAB_LEARNER", who)
        quiz.record("01_fixture", "q1", 1)
        panel = quiz.show("01_fixture", "q1", "q2", "q4", "q5")
        bundle = panel._repr_mimebundle_()
        views.append((bundle["text/html"], bundle["text/plain"]))
    assert views[0] == views[1]
    assert "VBox" not in views[0][1] and "4. Match each marker" in views[0][1]


def test_shuffle_is_reproducible_per_learner_and_differs_between_learners():
    q4 = quiz.get_question("01_fixture", "q4")
    assert render.display_order(q4, "ada") == render.display_order(q4, "ada")
    orders = {tuple(render.display_order(q, who)) for q in quiz.load_bank("01_fixture")[:2]
              for who in ("ada", "grace", "alan", "barbara", "edsger", "donald")}
    assert len(orders) > 2
    assert sorted(render.display_order(q4, "x")) == list(range(len(q4.options)))


def test_learner_from_environment(monkeypatch):
    monkeypatch.setenv("EXOLAB_LEARNER", "student-7")
    assert render.learner() == "student-7"
    monkeypatch.delenv("EXOLAB_LEARNER")
    assert render.learner()


def test_anchor_follows_jupyterlab_heading_ids():
    assert render.anchor("Sizes and numbers") == "Sizes-and-numbers"
    assert render.anchor("What is a vesicle?") == "What-is-a-vesicle?"
    q3 = quiz.get_question("01_fixture", "q3")
    assert render.section_link(q3) == "#Sizes-and-numbers"
    assert render.section_link(quiz.get_question("01_fixture", "q2")) is None


def run_cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "exolab.quiz", *args], cwd=REPO, env=dict(os.environ),
                          capture_output=True, text=True, timeout=120)


def test_cli_key_prints_markdown_answer_key():
    proc = run_cli("key", "01_fixture")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert out.startswith("# Answer key: 01_fixture")
    for q in quiz.load_bank("01_fixture"):
        assert f"## {q.id} (" in out and q.explanation in out
    assert "**Answer:** 150 ± 20 nm" in out and "Inside a late endosome (**correct**)" in out
    assert "**Answer:** CD9 → tetraspanin" in out


def test_cli_key_all_banks_and_check(capsys):
    assert main(["key"]) == 0
    out = capsys.readouterr().out
    assert "# Answer key: 01_fixture" in out and "# Answer key: 02_fixture" in out
    assert main(["check"]) == 0
    assert "01_fixture: 5 questions ok" in capsys.readouterr().out


def test_cli_reports_every_broken_bank(tmp_path, monkeypatch, capsys):
    (tmp_path / "quizzes").mkdir()
    (tmp_path / "quizzes" / "01_fixture.yaml").write_text("questions: [oops", encoding="utf-8")
    (tmp_path / "quizzes" / "02_fixture.yaml").write_text(
        (FIXTURES / "data" / "quizzes" / "02_fixture.yaml").read_text(encoding="utf-8").replace("im-1", "im-9"),
        encoding="utf-8")
    copy_kb(tmp_path)
    monkeypatch.setenv("EXOLAB_DATA_DIR", str(tmp_path))
    assert main(["check"]) == 1
    err = capsys.readouterr().err
    assert "invalid YAML" in err and "'im-9'" in err
    assert main(["key", "01_fixture"]) == 1


def test_cli_export_jupyterquiz_validates(tmp_path):
    target = tmp_path / "quiz.json"
    proc = run_cli("export", "--format", "jupyterquiz", "01_fixture", "-o", str(target))
    assert proc.returncode == 0, proc.stderr
    assert "order and match" in proc.stderr
    exported = json.loads(target.read_text(encoding="utf-8"))
    jsonschema.validate(exported, JQ_SCHEMA)
    assert [e["type"] for e in exported] == ["multiple_choice", "many_choice", "numeric",
                                             "multiple_choice", "multiple_choice"]
    single = exported[0]["answers"]
    assert [a["correct"] for a in single] == [True, False, False]
    assert "microvesicles" in single[1]["feedback"]
    # the right option teaches why, like the course (the explanation was dropped before)
    q1 = quiz.get_question("01_fixture", "q1")
    assert single[0]["feedback"] == "Correct. " + q1.explanation
    assert exported[1]["answers"][0]["feedback"].endswith(quiz.get_question("01_fixture", "q2").explanation)
    assert q1.explanation not in single[1]["feedback"]
    numeric = exported[2]["answers"]
    lo, hi = numeric[0]["range"]
    assert numeric[0]["type"] == "range" and numeric[0]["correct"]
    # jupyterquiz accepts lo <= x < hi; the course accepts 130 and 170 themselves
    assert lo <= 130 and 170 < hi and lo == pytest.approx(130) and hi == pytest.approx(170)
    lo_err, hi_err = numeric[1]["range"]
    assert lo_err <= 900 and 1100 < hi_err
    assert numeric[-1]["type"] == "default"
    order = exported[3]["answers"]
    assert sum(a["correct"] for a in order) == 1 and len(order) >= 3
    right = next(a["answer"] for a in order if a["correct"])
    assert right == " → ".join(quiz.get_question("01_fixture", "q4").answer)


def test_export_all_to_folder_and_stdout(tmp_path, capsys):
    assert main(["export", "--format", "jupyterquiz", "-o", str(tmp_path / "out")]) == 0
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert files == ["01_fixture.json", "02_fixture.json"]
    for f in files:
        jsonschema.validate(json.loads((tmp_path / "out" / f).read_text(encoding="utf-8")), JQ_SCHEMA)
    assert main(["export", "02_fixture"]) == 0
    jsonschema.validate(json.loads(capsys.readouterr().out), JQ_SCHEMA)


def test_export_several_lessons_to_one_file_or_stdout(tmp_path, capsys):
    target = tmp_path / "all.json"
    assert main(["export", "01_fixture", "02_fixture", "-o", str(target)]) == 0
    assert target.is_file()  # a file, not a folder called all.json
    merged = json.loads(target.read_text(encoding="utf-8"))
    jsonschema.validate(merged, JQ_SCHEMA)
    assert len(merged) == 6 and merged[-1]["question"].startswith("Which cargo class")
    capsys.readouterr()
    assert main(["export"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert isinstance(out, list) and len(out) == 6  # one jupyterquiz list, not {lesson: [...]}
    jsonschema.validate(out, JQ_SCHEMA)


def test_cli_note_about_order_and_match_is_current(capsys):
    assert main(["export", "01_fixture"]) == 0
    err = capsys.readouterr().err
    assert "no order kind" in err and "match kind is not used" in err and "no such kinds" not in err


# --- feedback views: learner wording, no repeated verdict, explanation timing -----------

def test_invalid_feedback_says_it_once_and_in_learner_words():
    qs = {q.id: q for q in quiz.load_bank("01_fixture")}
    api = render.feedback_html(qs["q1"], qs["q1"].check(None))
    assert api.count("Not a valid answer") == 1 and "Expected" in api
    words = {"q1": "Choose an option before you submit", "q2": "Tick at least one option",
             "q3": "Type a number in nm, e.g. 12", "q4": "Choose a step for every position, each step once",
             "q5": "Choose a partner for every item"}
    for qid, text in words.items():
        fb = qs[qid].check(None)
        shown = render.feedback_html(qs[qid], fb, learner=True)
        assert text in shown and "Not a valid answer" not in shown and "Expected" not in shown
        assert "Expected" in fb.feedback  # check() callers keep the API description


def test_numeric_example_is_never_the_answer():
    q3 = quiz.get_question("01_fixture", "q3")
    for answer in (12, 3.5, 250, 0.8, 98, 1e6):
        example = float(render._example_number(q3.__class__(**{**q3.__dict__, "answer": answer})))
        assert abs(example - answer) > 0.2 * abs(answer)


def test_correct_verdict_is_not_repeated():
    q3 = quiz.get_question("01_fixture", "q3")
    shown = render.feedback_html(q3, q3.check(150))
    assert "Correct: 150 nm." in render.plain(shown).replace("<strong>", "").replace("</strong>", "")
    assert shown.count("Correct") == 1


def test_explanation_waits_for_a_right_answer_or_the_second_wrong_one():
    q1, q2 = quiz.get_question("01_fixture", "q1"), quiz.get_question("01_fixture", "q2")
    wrong, right = q1.check(1), q1.check(0)
    assert wrong.explanation == q1.explanation  # the API is unchanged
    assert not render.explain_now(wrong, 1) and render.explain_now(wrong, 2)
    assert render.explain_now(right, 0) and render.explain_now(wrong, 1, solved=True)
    assert not render.explain_now(q1.check(None), 5)
    held = render.feedback_html(q1, wrong, reveal=False)
    assert q1.explanation not in held and "microvesicles" in held and "Try again" in held
    assert q1.explanation in render.feedback_html(q1, wrong, reveal=True)
    partial = q2.check([0])
    assert "CD81" not in render.feedback_html(q2, partial, reveal=False)
    assert "CD81" in render.feedback_html(q2, partial, reveal=True)


def test_math_is_kept_for_mathjax_in_static_html():
    page = render.bank_html(quiz.load_bank("01_fixture"))
    assert "$\\alpha$" in page


def test_schema_rejects_a_wrong_export():
    bad = [{"question": "x", "type": "multiple_choice", "answers": [{"answer": "a", "correct": "yes"}]}]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, JQ_SCHEMA)


def test_quiz_core_does_not_import_ipywidgets():
    code = ("import sys; from exolab import quiz; from exolab.quiz import render, __main__; "
            "qs = quiz.load_bank('01_fixture'); [q.check(0) for q in qs]; render.bank_html(qs); "
            "quiz.record('01_fixture', 'q1', 0); quiz.summary(); "
            "print('ipywidgets' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=dict(os.environ),
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "False"
