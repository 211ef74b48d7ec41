"""Bank loading and validation: every malformed bank names file, question and fix."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pandas as pd
import pytest
import yaml

from exolab import quiz
from exolab.quiz import bank, computed, render

FIXTURES = Path(__file__).parent / "fixtures" / "quiz"
REPO = Path(__file__).resolve().parents[1]
BASE = yaml.safe_load((FIXTURES / "data" / "quizzes" / "01_fixture.yaml").read_text(encoding="utf-8"))
KB_FILES = ("tables.yml", "findings.csv", "glossary.csv")  # what the refs check reads


def copy_kb(folder: Path) -> None:
    """Give a temporary data folder the fixture's tiny knowledge base."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in KB_FILES:
        shutil.copy(FIXTURES / "data" / name, folder / name)


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
    copy_kb(tmp_path / "data")
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
    assert q1.options[0] == "Inside a late endosome" and q1.refs == ("F001", "escrt")
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


# --- refs, duplicate keys, unreachable common errors ------------------------------------

@pytest.mark.parametrize("refs, hint", [
    (["PKM"], None),                 # a molecule id is not a finding or a glossary term
    (["ESCRT"], "did you mean 'escrt'"),
    (["F999"], None),
])
def test_unknown_ref_names_file_question_and_valid_forms(tmp_path, monkeypatch, refs, hint):
    path = write_bank(tmp_path, monkeypatch, mutated("q1", refs=refs))
    with pytest.raises(quiz.QuizError) as err:
        quiz.load_bank("01_fixture")
    msg = str(err.value)
    assert str(path) in msg and "question 'q1'" in msg and repr(refs[0]) in msg
    assert "finding_id" in msg and "term_id" in msg and "Fix:" in msg
    if hint:
        assert hint in msg


def test_known_refs_pass_and_a_missing_knowledge_base_is_reported(tmp_path, monkeypatch):
    path = write_bank(tmp_path, monkeypatch, mutated("q1", refs=["F001", "escrt", "mirna"]))
    assert quiz.load_bank("01_fixture")[0].refs == ("F001", "escrt", "mirna")
    (path.parent.parent / "glossary.csv").unlink()
    bank.clear_cache()
    with pytest.raises(quiz.QuizError, match="glossary") as err:
        quiz.load_bank("01_fixture")
    assert str(path) in str(err.value) and "'q1'" in str(err.value)


def test_bank_cache_follows_the_data_tables(tmp_path, monkeypatch):
    path = write_bank(tmp_path, monkeypatch, mutated("q1", refs=["F003"]))
    with pytest.raises(quiz.QuizError, match="F003"):
        quiz.load_bank("01_fixture")
    findings = path.parent.parent / "findings.csv"
    findings.write_text(findings.read_text(encoding="utf-8") + "F003,A third finding\n", encoding="utf-8")
    # no clear_cache(): the edited table alone must invalidate the cached bank
    assert quiz.load_bank("01_fixture")[0].refs == ("F003",)


@pytest.mark.parametrize("raw, line, words", [
    # a repeated left item of a match answer used to drop a pair silently
    ("""questions:
  - id: m1
    kind: match
    prompt: Match them.
    objective: fx-1
    level: remember
    hint: Think.
    explanation: Because.
    refs: []
    answer:
      CD9: tetraspanin
      CD9: ER protein
""", 12, "duplicate key 'CD9'"),
    ("""questions:
  - id: s1
    kind: single
    prompt: Pick one.
    objective: fx-1
    level: remember
    hint: Think.
    explanation: Because.
    refs: []
    options: [A, {text: B, feedback: Not B.}]
    answer: A
    answer: B
""", 12, "duplicate key 'answer'"),
])
def test_duplicate_yaml_keys_are_errors_with_file_line_and_question(tmp_path, monkeypatch, raw, line, words):
    path = write_bank(tmp_path, monkeypatch, None, raw=raw)
    with pytest.raises(quiz.QuizError) as err:
        quiz.load_bank("01_fixture")
    msg = str(err.value)
    qid = raw.split("- id: ")[1].split()[0]
    assert str(path) in msg and f"line {line}" in msg and words in msg and f"question {qid!r}" in msg
    assert "Fix:" in msg


def test_common_error_inside_the_tolerance_is_rejected(tmp_path, monkeypatch):
    errors = [{"value": 160, "feedback": "Never shown: 160 is already right."}]
    path = write_bank(tmp_path, monkeypatch, mutated("q3", common_errors=errors))
    with pytest.raises(quiz.QuizError) as err:
        quiz.load_bank("01_fixture")
    msg = str(err.value)
    assert str(path) in msg and "'q3'" in msg and "within the tolerance" in msg and "Fix:" in msg


def test_bad_round_and_statistic_over_text_name_file_and_question(tmp_path, monkeypatch, fake_data):
    for spec, words in (({"mean": "findings", "column": "size_nm", "round": 1.5}, "'round'"),
                        ({"mean": "findings", "column": "cargo"}, "does not hold numbers")):
        bank.clear_cache()
        path = write_bank(tmp_path, monkeypatch, computed_bank(spec), lesson="02_fixture")
        with pytest.raises(quiz.QuizError) as err:
            quiz.load_bank("02_fixture")
        assert str(path) in str(err.value) and "'n1'" in str(err.value) and words in str(err.value)


def test_value_error_inside_evaluate_becomes_a_quiz_error(tmp_path, monkeypatch):
    def broken(spec):
        raise ValueError("something the checks did not foresee")
    monkeypatch.setattr(computed, "evaluate", broken)
    path = write_bank(tmp_path, monkeypatch, computed_bank({"count": "findings"}), lesson="02_fixture")
    with pytest.raises(quiz.QuizError) as err:
        quiz.load_bank("02_fixture")
    assert str(path) in str(err.value) and "'n1'" in str(err.value) and "did not foresee" in str(err.value)


# --- answers computed by the teaching models --------------------------------------------

def model_bank(spec, **extra) -> dict:
    doc = computed_bank(spec)
    doc["questions"][0].update(extra)
    return doc


def test_model_answer_is_computed_at_load_time(tmp_path, monkeypatch):
    from exolab.models import resistance
    spec = {"model": "resistance.time_to_dominance", "kwargs": {"inhibitor": 0.5}, "round": 1}
    write_bank(tmp_path, monkeypatch, model_bank(spec, tolerance=0.5), lesson="02_fixture")
    q = quiz.load_bank("02_fixture")[0]
    expected = round(resistance.time_to_dominance(inhibitor=0.5), 1)
    assert q.answer == expected == 18.4 and q.answer_from == spec
    assert q.check(18.4).correct and not q.check(15.3).correct


def test_model_answer_without_kwargs(tmp_path, monkeypatch):
    from exolab.models import sedimentation
    spec = {"model": "sedimentation.rotor_pelleting_time_min", "kwargs": {"diameter_nm": 50}, "round": 0}
    write_bank(tmp_path, monkeypatch, model_bank(spec, tolerance=6, unit="min"), lesson="02_fixture")
    for table in [REPO / "data" / "tables.yml", *(REPO / "data").glob("*.csv")]:  # the model reads rotors.csv
        shutil.copy(table, tmp_path / "data" / table.name)
    assert quiz.load_bank("02_fixture")[0].answer == round(sedimentation.rotor_pelleting_time_min(50)) == 99
    bank.clear_cache()
    write_bank(tmp_path, monkeypatch, model_bank({"model": "resistance.time_to_dominance"}), lesson="02_fixture")
    assert quiz.load_bank("02_fixture")[0].answer == pytest.approx(15.307, abs=1e-3)


@pytest.mark.parametrize("spec, words", [
    ({"model": "resistance.no_such_function"}, "resistance.time_to_dominance"),   # lists the allowed ones
    ({"model": "resistance._check"}, "one of:"),                                  # private: not in __all__
    ({"model": "resistance.np"}, "one of:"),                                      # a module attribute
    ({"model": "os.system", "kwargs": {"command": "true"}}, "one of:"),
    ({"model": "sedimentation.SVEDBERG_S"}, "one of:"),                           # a constant, not a function
    ({"model": "resistance.time_to_dominance", "kwargs": {"colour": 1}}, "TypeError"),
    ({"model": "resistance.time_to_dominance", "kwargs": {"inhibitor": 2}}, "ValueError"),
    # no drug and no transfer: resistant cells never take over, the model returns None
    ({"model": "resistance.time_to_dominance", "kwargs": {"dose": 0, "transfer_rate": 0}}, "not a finite number"),
    ({"model": "resistance.simulate_resistance"}, "not a finite number"),
    ({"model": "resistance.time_to_dominance", "where": {}}, "unknown key"),
    ({"model": "resistance.time_to_dominance", "kwargs": [0.5]}, "'kwargs' must map"),
    ({"model": "resistance.time_to_dominance", "round": "one"}, "'round'"),
])
def test_bad_model_answer_names_file_question_and_fix(tmp_path, monkeypatch, spec, words):
    path = write_bank(tmp_path, monkeypatch, model_bank(spec), lesson="02_fixture")
    with pytest.raises(quiz.QuizError) as err:
        quiz.load_bank("02_fixture")
    msg = str(err.value)
    assert str(path) in msg and "'n1'" in msg and words in msg and "Fix:" in msg


def test_model_value_for_a_common_error(tmp_path, monkeypatch):
    spec = {"model": "resistance.time_to_dominance", "kwargs": {"inhibitor": 0.5}, "round": 1}
    errors = [{"value_from": {"model": "resistance.time_to_dominance", "round": 1},
               "tolerance": 0.2, "feedback": "That is the time without the inhibitor.", "misconception": "no-drug"}]
    write_bank(tmp_path, monkeypatch, model_bank(spec, tolerance=0.5, common_errors=errors), lesson="02_fixture")
    q = quiz.load_bank("02_fixture")[0]
    assert q.common_errors[0]["value"] == 15.3
    fb = q.check(15.3)
    assert not fb.correct and fb.misconception == "no-drug"


# --- {answer} in explanations and feedback -----------------------------------------------

def test_answer_placeholder_is_filled_in(tmp_path, monkeypatch):
    spec = {"model": "resistance.time_to_dominance", "kwargs": {"inhibitor": 0.5}, "round": 1}
    errors = [{"value": 0.5, "feedback": "0.5 is the inhibitor; the model says {answer} days."}]
    doc = model_bank(spec, tolerance=0.5, common_errors=errors,
                     explanation="With half the transfer, resistance takes over after {answer} days.")
    write_bank(tmp_path, monkeypatch, doc, lesson="02_fixture")
    q = quiz.load_bank("02_fixture")[0]
    assert q.explanation == "With half the transfer, resistance takes over after 18.4 days."
    assert q.common_errors[0]["feedback"].endswith("the model says 18.4 days.")
    assert q.check(18.4).explanation == q.explanation
    bank.clear_cache()
    doc = mutated("q1", explanation="The answer is: {answer}.")
    doc["questions"][0]["options"][0]["feedback"] = "Yes: {answer}."
    write_bank(tmp_path, monkeypatch, doc)
    q1 = quiz.load_bank("01_fixture")[0]
    assert q1.explanation == "The answer is: Inside a late endosome." and q1.feedback[0] == "Yes: Inside a late endosome."
    assert "{answer}" not in render.bank_html([q1])


@pytest.mark.parametrize("x, decimals, text", [
    (52.0, None, "52"), (98.69990207841212, None, "98.7"), (98.7, 1, "98.7"), (99.0, 0, "99"),
    (100000.0, None, "100,000"), (15.0, 1, "15.0"), (1.5e-7, None, "1.5e-07"), (0.01234, None, "0.0123"),
    (1234.5, None, "1234"), (12345.6, 1, "12,345.6"), (-3.25, None, "-3.25"), (0.0, None, "0"),
])
def test_answer_number_format(x, decimals, text):
    from exolab.quiz.schema import format_number
    assert format_number(x, decimals) == text


@pytest.mark.parametrize("field", ["prompt", "hint"])
def test_answer_placeholder_in_prompt_or_hint_is_an_error(tmp_path, monkeypatch, field):
    path = write_bank(tmp_path, monkeypatch, mutated("q3", **{field: "It is {answer} nm."}))
    with pytest.raises(quiz.QuizError) as err:
        quiz.load_bank("01_fixture")
    assert str(path) in str(err.value) and "'q3'" in str(err.value) and "{answer}" in str(err.value)
