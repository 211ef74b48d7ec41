"""Content rules for every quiz bank, checked on the loaded, validated questions.

The schema (tests/test_quiz_bank.py) checks that a bank is well formed; these tests check
that its questions cannot be answered by position or length, that options fit the widgets,
that every question traces back to the knowledge base, and that learner-facing text and
hints do not give the answer away or point at material learners cannot open.

The lesson bar (>= 10 questions, >= 3 kinds, every objective checked by >= 2 questions,
>= 1/3 above 'remember') and "every question is shown exactly once in its notebook" are
tested in tests/test_lessons.py (test_quiz_bank_meets_the_bar and
test_every_question_is_shown_once_and_cells_hold_only_show_calls) and not repeated here.
"""
from __future__ import annotations

import math
import re
from collections import Counter

import pytest

from exolab import data, lessons
from exolab.quiz import list_banks, load_bank

BANKS = list_banks()
MANIFEST = {entry["id"]: entry for entry in lessons.load_manifest()}

MAX_SHARE_ONE_POSITION = 0.4     # of a lesson's single questions
MAX_SHARE_LONGEST = 0.5          # of a lesson's single questions
MAX_LENGTH_RATIO = 1.5           # longest correct option / longest wrong option
MAX_LABEL = 100                  # characters; widgets clip longer labels
INTERNAL = re.compile(r"KNOWN[_ ]ISSUES|instructor notes?\b|instructors' notes", re.I)


@pytest.fixture(scope="module", params=BANKS)
def bank(request):
    return request.param, load_bank(request.param)


def _singles(questions):
    return [q for q in questions if q.kind == "single"]


def _learner_texts(q):
    """Every text a learner can see for question ``q``."""
    yield q.prompt
    yield q.hint
    yield q.explanation
    yield from q.options
    yield from (q.lefts or ())
    yield from (f for f in (q.feedback or ()) if f)
    yield from (e["feedback"] for e in (q.common_errors or ()))


def test_every_bank_is_a_lesson_and_every_lesson_has_a_bank():
    assert sorted(BANKS) == sorted(MANIFEST), "data/quizzes/*.yaml and notebooks/lessons.yml must list the same lessons"


def test_single_answers_are_spread_over_positions(bank):
    name, questions = bank
    singles = _singles(questions)
    positions = Counter(q.options.index(q.answer) for q in singles)
    assert singles, f"{name}: no single-choice questions"
    worst, count = positions.most_common(1)[0]
    assert count <= MAX_SHARE_ONE_POSITION * len(singles), (
        f"{name}: option {chr(65 + worst)} is correct in {count} of {len(singles)} single questions "
        f"(positions {dict(sorted(positions.items()))}); move some answers to other positions")
    if len(singles) >= 5:
        assert len(positions) >= 3, f"{name}: answers use only positions {sorted(positions)}"


def test_answers_are_spread_across_the_course():
    positions = Counter(q.options.index(q.answer) for name in BANKS for q in _singles(load_bank(name)))
    total = sum(positions.values())
    assert max(positions.values()) <= MAX_SHARE_ONE_POSITION * total, f"course-wide answer positions {dict(positions)}"


def test_multiple_answers_are_not_a_block_at_either_end(bank):
    name, questions = bank
    for q in questions:
        if q.kind != "multiple":
            continue
        right = sorted(q.options.index(a) for a in q.answer)
        k, n = len(right), len(q.options)
        assert right != list(range(k)), f"{name}/{q.id}: the correct options are the first {k}"
        assert right != list(range(n - k, n)), f"{name}/{q.id}: the correct options are the last {k}"


def test_correct_option_is_not_a_length_giveaway(bank):
    name, questions = bank
    singles = _singles(questions)
    longest = []
    for q in singles:
        right = len(q.answer)
        wrong = max(len(o) for o in q.options if o != q.answer)
        if right > wrong:
            longest.append(q.id)
        assert right <= MAX_LENGTH_RATIO * wrong, (
            f"{name}/{q.id}: the correct option has {right} characters, the longest wrong one {wrong}")
    assert len(longest) <= MAX_SHARE_LONGEST * len(singles), (
        f"{name}: the correct option is the longest in {len(longest)} of {len(singles)} single questions: {longest}")
    for q in questions:
        if q.kind == "multiple":
            right = max(len(a) for a in q.answer)
            wrong = max(len(o) for o in q.options if o not in q.answer)
            assert right <= MAX_LENGTH_RATIO * wrong, (
                f"{name}/{q.id}: a correct option has {right} characters, the longest wrong one {wrong}")


def test_option_labels_fit_the_widgets(bank):
    name, questions = bank
    for q in questions:
        for label in (*q.options, *(q.lefts or ())):
            assert len(label) <= MAX_LABEL, f"{name}/{q.id}: label of {len(label)} characters: {label!r}"


def test_refs_name_findings_or_glossary_terms(bank):
    name, questions = bank
    findings = set(data.load("findings")["finding_id"])
    terms = set(data.load("glossary")["term_id"])
    subject_lesson = bool(MANIFEST[name].get("themes"))
    for q in questions:
        for ref in q.refs:
            assert ref in findings or ref in terms, f"{name}/{q.id}: ref {ref!r} is no finding id or glossary term"
        if subject_lesson:
            assert q.refs, f"{name}/{q.id}: cite the findings or glossary terms the question rests on"


def test_learner_text_points_at_nothing_learners_cannot_open(bank):
    name, questions = bank
    for q in questions:
        for text in _learner_texts(q):
            assert not INTERNAL.search(text), (
                f"{name}/{q.id}: learner-facing text points at internal notes; state the fact itself: {text!r}")


def _numbers(text: str) -> list[float]:
    return [float(x) for x in re.findall(r"(?<![\w.])\d+(?:\.\d+)?(?![\w])", text.replace(",", ""))]


def test_hints_and_prompts_do_not_give_the_answer_away(bank):
    name, questions = bank
    for q in questions:
        hint = q.hint.casefold()
        if q.kind == "single":
            assert q.answer.casefold() not in hint, f"{name}/{q.id}: the hint contains the answer"
        elif q.kind == "multiple":
            named = [a for a in q.answer if a.casefold() in hint]
            assert len(named) < len(q.answer), f"{name}/{q.id}: the hint lists every correct option"
        elif q.kind == "order":
            assert not any(step.casefold() in hint for step in q.answer), f"{name}/{q.id}: the hint quotes a step"
        elif q.kind == "match":
            assert not any(right.casefold() in hint for right in q.answer.values()), \
                f"{name}/{q.id}: the hint quotes a right-hand answer"
        elif q.kind == "numeric":
            for where, text in (("prompt", q.prompt), ("hint", q.hint)):
                assert not any(math.isclose(x, q.answer, rel_tol=1e-9, abs_tol=1e-9) for x in _numbers(text)), \
                    f"{name}/{q.id}: the {where} contains the answer {q.answer}"


def test_common_errors_are_outside_the_accepted_range(bank):
    name, questions = bank
    for q in questions:
        for err in q.common_errors or ():
            assert abs(err["value"] - q.answer) > q.tolerance, (
                f"{name}/{q.id}: common error {err['value']} would be accepted as correct")


# Numbers that come from a model but are typed in a bank (no single model call gives them):
# recompute them so that a change to a model default cannot leave the bank silently wrong.
def _fold_glucose():
    from exolab.models import warburg
    return warburg.glucose_uptake_for_demand(100, 0) / warburg.glucose_uptake_for_demand(100, 1)


def _halve_diameter():
    from exolab.models import sedimentation as sd
    return float(sd.sedimentation_coefficient_S(100) / sd.sedimentation_coefficient_S(50))


TYPED_MODEL_NUMBERS = {
    ("02_metabolic_reprogramming", "met-fold-numeric"): _fold_glucose,
    ("01_biogenesis", "bio-halve-diameter"): _halve_diameter,
}


@pytest.mark.parametrize("key", sorted(TYPED_MODEL_NUMBERS), ids=lambda k: k[1])
def test_typed_model_numbers_match_the_models(key):
    lesson, qid = key
    q = next(q for q in load_bank(lesson) if q.id == qid)
    assert q.answer_from is None, f"{qid} now has answer_from; drop it from TYPED_MODEL_NUMBERS"
    value = TYPED_MODEL_NUMBERS[key]()
    assert abs(value - q.answer) <= q.tolerance, f"{lesson}/{qid}: bank says {q.answer}, the model gives {value:.4g}"


def test_course_map_question_follows_the_manifest():
    """00 map-prereq names lesson 06's prerequisite by hand; keep it in step with the manifest."""
    q = next(q for q in load_bank("00_start_here") if q.id == "map-prereq")
    (prereq,) = MANIFEST["06_therapeutics_and_biomarkers"]["prerequisites"]
    number, title = prereq.split("_", 1)[0], MANIFEST[prereq]["title"]
    assert q.answer == f"{number} - {title}", f"map-prereq answer {q.answer!r}; the manifest says {prereq} ({title})"
