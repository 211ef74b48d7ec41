"""Bank loading and validation: every malformed bank names file, question and fix."""
from __future__ import annotations

from pathlib import Path

import json

import jsonschema
import pandas as pd
import pytest
import yaml

from exolab import quiz
from exolab.quiz import bank, computed, render

FIXTURES = Path(__file__).parent / "fixtures" / "quiz"
REPO = Path(__file__).resolve().parents[1]
BASE = yaml.safe_load((FIXTURES / "data" / "quizzes" / "01_fixture.yaml").read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def _fixture_manifest(monkeypatch):
    monkeypatch.setenv("EXOLAB_MANIFEST", str(FIXTURES / "lessons.yml"))
    monkeypatch.setenv("EXOLAB_DATA_DIR", str(FIXTURES / "data"))
    bank.clear_cache()
    yield
    bank.clear_cache()


def write_bank(tmp_path, monkeypatch, doc, lesson="01_fixture", raw=None) -> Path:
    folder = tmp_path / "data" / "quizzes"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{lesson}.yaml"
    path.write_text(raw if raw is not None else yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    monkeypatch.setenv("EXOLAB_DATA_DIR", str(tmp_path / "data"))
    return path


def mutated(qid: str, **changes) -> dict:
    doc = yaml.safe_load(yaml.safe_dump(BASE))
    q = next(q for q in doc["questions"] if q["id"] == qid)
    for key, value in changes.items():
        if value is ...:
            q.pop(key)
        else:
            q[key] = value
    return doc


def test_fixture_bank_loads_every_kind():
    qs = quiz.load_bank("01_fixture")
    assert [q.kind for q in qs] == ["single", "multiple", "numeric", "order", "match"]
    q1 = qs[0]
    assert (q1.id, q1.objective, q1.level, q1.answer) == ("q1", "fx-1", "remember", "Inside a late endosome")
    assert q1.options[0] == "Inside a late endosome" and q1.refs == ("F001", "ESCRT")
    assert qs[2].answer == 150 and qs[2].tolerance == 20 and qs[2].unit == "nm"
    # the static order of an order question never equals the answer
    assert qs[3].options != qs[3].answer and sorted(qs[3].options) == sorted(qs[3].answer)
    assert set(qs[4].options) == {"tetraspanin", "ESCRT partner", "ER protein", "Golgi enzyme"}


@pytest.mark.parametrize("qid, changes, words", [
    ("q1", {"answer": ...}, ["no 'answer'"]),
    ("q1", {"answer": "Somewhere else"}, ["not among the options"]),
    ("q2", {"answer": ["CD63", "CD9"]}, ["'CD9' is not among the options"]),
    ("q3", {"answer": ...}, ["exactly one of 'answer' and 'answer_from'"]),
    ("q4", {"answer": ...}, ["no 'answer'"]),
    ("q5", {"answer": ...}, ["no 'answer'"]),
    ("q2", {"id": "q1"}, ["duplicate id"]),
    ("q1", {"objective": "bio-9"}, ["objective 'bio-9'", "fx-1"]),
    ("q1", {"kind": "essay"}, ["unknown kind 'essay'"]),
    ("q1", {"level": "evaluate"}, ["unknown level"]),
    ("q1", {"section": "No such heading"}, ["not a section"]),
    ("q1", {"explaination": "typo"}, ["unknown key"]),
    ("q1", {"refs": ...}, ["'refs'"]),
    ("q1", {"options": [{"text": "Inside a late endosome"}, {"text": "At the plasma membrane"}]},
     ["has no feedback", "misconception"]),
    ("q3", {"tolerance": -1}, ["negative"]),
    ("q4", {"answer": ["same", "same"]}, ["repeats"]),
    ("q1", {"prompt": True}, ["quoted string"]),
])
def test_malformed_question_names_file_question_and_fix(tmp_path, monkeypatch, qid, changes, words):
    path = write_bank(tmp_path, monkeypatch, mutated(qid, **changes))
    with pytest.raises(quiz.QuizError) as err:
        quiz.load_bank("01_fixture")
    msg = str(err.value)
    shown_id = changes.get("id", qid)
    assert str(path) in msg and f"question {shown_id!r}" in msg and "Fix:" in msg
    for word in words:
        assert word in msg


def test_bad_yaml_names_file_and_line(tmp_path, monkeypatch):
    path = write_bank(tmp_path, monkeypatch, None, raw="questions:\n  - id: q1\n    prompt: [unclosed\n")
    with pytest.raises(quiz.QuizError, match="invalid YAML at line") as err:
        quiz.load_bank("01_fixture")
    assert str(path) in str(err.value)


def test_missing_bank_and_unknown_lesson(tmp_path, monkeypatch):
    with pytest.raises(quiz.QuizError, match="no quiz bank"):
        quiz.load_bank("99_nothing")
    path = write_bank(tmp_path, monkeypatch, BASE, lesson="07_not_in_manifest")
    with pytest.raises(quiz.QuizError, match="manifest") as err:
        quiz.load_bank("07_not_in_manifest")
    assert str(path) in str(err.value)


def test_lesson_key_must_match_file_name(tmp_path, monkeypatch):
    doc = dict(BASE, lesson="02_fixture")
    write_bank(tmp_path, monkeypatch, doc)
    with pytest.raises(quiz.QuizError, match="differs from the file name"):
        quiz.load_bank("01_fixture")


def test_get_question_unknown_id_lists_known_ids():
    with pytest.raises(quiz.QuizError, match="q1, q2, q3, q4, q5"):
        quiz.get_question("01_fixture", "q42")


def test_edited_bank_is_reloaded(tmp_path, monkeypatch):
    path = write_bank(tmp_path, monkeypatch, BASE)
    assert quiz.load_bank("01_fixture")[0].prompt.startswith("Where")
    path.write_text(yaml.safe_dump(mutated("q1", prompt="A new prompt, longer than before")), encoding="utf-8")
    assert quiz.load_bank("01_fixture")[0].prompt == "A new prompt, longer than before"


# --- answers computed from the data ----------------------------------------------------

FINDINGS = pd.DataFrame({
    "finding_id": ["F001", "F002", "F003", "F004", "F005"],
    "cargo": ["hsa-miR-21-5p", "hsa-miR-21-5p", "PD-L1", "hsa-miR-21-5p", "PD-L1"],
    # categorical and nullable string columns, as exolab.data returns them
    "theme": pd.Categorical(["immunity", "immunity", "immunity", "metastasis", "therapy"]),
    "target": pd.array(["PTEN", None, "PTEN", None, "CD274"], dtype="string"),
    "refs": [[1, 2], [3], [2], [], [4]],
    "size_nm": [50.0, 70.0, None, 120.0, 90.0],
})


@pytest.fixture
def fake_data(monkeypatch):
    tables = {"findings": FINDINGS}

    def load_table(name):
        if name not in tables:
            raise KeyError(f"unknown table {name!r}")
        return tables[name].copy()

    monkeypatch.setattr(computed, "load_table", load_table)


def computed_bank(spec) -> dict:
    return {"questions": [{
        "id": "n1", "kind": "numeric", "prompt": "How many?", "objective": "im-1", "level": "apply",
        "hint": "Count them.", "explanation": "Counted from the findings table.", "refs": [],
        "answer_from": spec}]}


@pytest.mark.parametrize("spec, expected", [
    ({"count": "findings", "where": {"cargo": "hsa-miR-21-5p", "theme": "immunity"}}, 2),
    ({"count": "findings", "where": {"theme": ["immunity", "therapy"]}}, 4),
    ({"count": "findings", "where": {"refs": 2}}, 2),
    ({"count": "findings", "where": {"cargo": "nothing"}}, 0),
    ({"count": "findings", "where": {"target": "PTEN", "theme": "immunity"}}, 2),
    ({"nunique": "findings", "column": "cargo", "where": {"theme": "immunity"}}, 2),
    ({"mean": "findings", "column": "size_nm", "round": 1}, 82.5),
    ({"max": "findings", "column": "size_nm", "where": {"cargo": "PD-L1"}}, 90),
])
def test_answer_from_is_computed_at_load_time(tmp_path, monkeypatch, fake_data, spec, expected):
    write_bank(tmp_path, monkeypatch, computed_bank(spec), lesson="02_fixture")
    q = quiz.load_bank("02_fixture")[0]
    assert q.answer == expected and q.answer_from == spec
    assert q.check(expected).correct and not q.check(expected + 1).correct


@pytest.mark.parametrize("spec, words", [
    ({"count": "nosuchtable"}, "cannot load table"),
    ({"count": "findings", "where": {"colour": "red"}}, "no column 'colour'"),
    ({"mean": "findings"}, "needs 'column:'"),
    ({"mean": "findings", "column": "size_nm", "where": {"cargo": "nothing"}}, "no values"),
    ({"count": "findings", "sum": "findings"}, "exactly one operation"),
    ({"count": "findings", "filter": {}}, "unknown key"),
])
def test_bad_answer_from_names_question(tmp_path, monkeypatch, fake_data, spec, words):
    path = write_bank(tmp_path, monkeypatch, computed_bank(spec), lesson="02_fixture")
    with pytest.raises(quiz.QuizError) as err:
        quiz.load_bank("02_fixture")
    assert str(path) in str(err.value) and "'n1'" in str(err.value) and words in str(err.value)


# --- registry-driven: every real bank against the real manifest -------------------------

REAL_BANKS = sorted((REPO / "data" / "quizzes").glob("*.yaml"))


def check_bank_file(path: Path) -> list:
    """Load one real bank the way a notebook would; raise on any problem."""
    bank.clear_cache()
    questions = quiz.load_bank(path.stem)
    assert questions, f"{path}: the bank has no questions"
    for q in questions:
        # a bank that cannot grade its own answer is broken even if it validates
        assert q.check(q.answer if q.kind != "match" else dict(q.answer)).correct, f"{path}: {q.id}"
        assert not q.check(None).correct
        if q.kind in ("single", "multiple"):
            wrong = [i for i, o in enumerate(q.options) if o not in ({q.answer} if q.kind == "single" else q.answer)]
            for i in wrong:
                assert q.check(i if q.kind == "single" else [i]).feedback, f"{path}: {q.id} option {i}"
    schema = json.loads((FIXTURES / "jupyterquiz.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate([render.to_jupyterquiz(q) for q in questions], schema)
    page = render.bank_html(questions)
    assert "<script" not in page and page.count("<details>") == len(questions)
    return questions


@pytest.mark.parametrize("path", REAL_BANKS, ids=[p.stem for p in REAL_BANKS])
def test_every_real_bank_loads_against_real_manifest(monkeypatch, path):
    monkeypatch.delenv("EXOLAB_MANIFEST", raising=False)
    monkeypatch.delenv("EXOLAB_DATA_DIR", raising=False)
    check_bank_file(path)


def test_registry_check_fails_loudly_on_a_broken_bank(tmp_path, monkeypatch):
    path = write_bank(tmp_path, monkeypatch, mutated("q2", answer=["CD63", "nope"]))
    with pytest.raises(quiz.QuizError, match="nope"):
        check_bank_file(path)
