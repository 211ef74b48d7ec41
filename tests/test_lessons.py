"""Every lesson follows the course anatomy, checked against notebooks/lessons.yml,
and is committed executed (nbval checks nothing in a notebook without outputs)."""
from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from exolab import lessons

ROOT = Path(__file__).resolve().parent.parent
NB_DIR = ROOT / "notebooks"
MANIFEST = lessons.load_manifest()
IDS = [entry["id"] for entry in MANIFEST]
# The orientation lesson teaches the course, not the subject: it has no challenge.
ORIENTATION = {"00_start_here"}


def _nb(entry) -> dict:
    return json.loads((NB_DIR / entry["file"]).read_text(encoding="utf-8"))


def _src(cell) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def _markdown(nb) -> str:
    return "\n".join(_src(c) for c in nb["cells"] if c["cell_type"] == "markdown")


def _code_cells(nb):
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def _bank(lesson_id) -> list[dict]:
    path = ROOT / "data" / "quizzes" / f"{lesson_id}.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    return doc["questions"] if isinstance(doc, dict) else doc


@pytest.fixture(params=MANIFEST, ids=IDS)
def entry(request):
    return request.param


def test_manifest_lists_seven_lessons_in_order():
    assert IDS == ["00_start_here", "01_biogenesis", "02_metabolic_reprogramming", "03_immunity",
                   "04_drug_resistance", "05_metastasis_and_angiogenesis", "06_therapeutics_and_biomarkers"]
    on_disk = sorted(p.name for p in NB_DIR.glob("*.ipynb"))
    assert on_disk == sorted(e["file"] for e in MANIFEST), "every notebook must be in the manifest and vice versa"


def test_header_title_level_minutes_prerequisites(entry):
    nb = _nb(entry)
    first = _src(nb["cells"][0])
    assert first.startswith(f"# {entry['title']}"), f"{entry['file']}: first cell must be '# {entry['title']}'"
    head = "\n".join(_src(c) for c in nb["cells"][:3])
    assert re.search(rf"\b{entry['level']}\b", head, re.I), f"{entry['file']}: level missing from header"
    assert re.search(rf"\b{entry['minutes']}\s*min", head), f"{entry['file']}: minutes missing from header"
    for prereq in entry.get("prerequisites") or []:
        assert prereq in head or lessons.lesson(prereq)["title"] in head, f"{entry['file']}: prerequisite {prereq} not named"


def test_objectives_are_stated(entry):
    md = _markdown(_nb(entry))
    assert entry["objectives"], f"{entry['id']}: no learning objectives in the manifest"
    for obj in entry["objectives"]:
        assert obj["id"] in md, f"{entry['file']}: objective {obj['id']} is not stated in the lesson"


def test_sections_match_manifest(entry):
    headings = re.findall(r"^## (.+?)\s*$", _markdown(_nb(entry)), re.M)
    assert entry["sections"], f"{entry['id']}: manifest lists no sections"
    body = [h for h in headings if h not in ("Learning objectives", "Key points", "References", "For instructors")]
    assert body == entry["sections"], f"{entry['file']}: ## headings {body} differ from manifest {entry['sections']}"
    assert "Key points" in headings and "References" in headings


def test_key_points_and_instructor_notes_and_challenge(entry):
    md = _markdown(_nb(entry))
    assert entry["key_points"], f"{entry['id']}: no key points in the manifest"
    for point in entry["key_points"]:
        assert point in md, f"{entry['file']}: key point not in the lesson: {point!r}"
    assert re.search(r"<details>\s*<summary>[^<]*[Ff]or instructors", md), f"{entry['file']}: no collapsed instructor notes"
    if entry["id"] not in ORIENTATION:
        assert re.search(r"<details>\s*<summary>[^<]*[Ss]olution", md), f"{entry['file']}: no challenge with a collapsed solution"


def test_widgets_are_used(entry):
    code = "\n".join(_src(c) for c in _code_cells(_nb(entry)))
    assert len(entry.get("widgets") or []) >= 2, f"{entry['id']}: at least two widgets per lesson"
    import exolab.widgets as w
    for name in entry["widgets"]:
        assert name in w.__all__, f"{entry['id']}: unknown widget {name!r}"
        assert re.search(rf"\b{name}\(", code), f"{entry['file']}: widget {name} is listed but never shown"


def test_quiz_bank_meets_the_bar(entry):
    bank = _bank(entry["id"])
    kinds = Counter(q["kind"] for q in bank)
    objectives = Counter(q["objective"] for q in bank)
    assert len(bank) >= 10, f"{entry['id']}: {len(bank)} questions, need at least 10"
    assert len(kinds) >= 3, f"{entry['id']}: question kinds {dict(kinds)}, need at least 3"
    for obj in entry["objectives"]:
        assert objectives[obj["id"]] >= 2, f"{entry['id']}: objective {obj['id']} checked by {objectives[obj['id']]} question(s), need 2"
    above = sum(q["level"] != "remember" for q in bank)
    assert above * 3 >= len(bank), f"{entry['id']}: only {above}/{len(bank)} questions above 'remember'"


def test_every_question_is_shown_once_and_cells_hold_only_show_calls(entry):
    nb = _nb(entry)
    shown: list[str] = []
    for cell in _code_cells(nb):
        src = _src(cell)
        if "show(" in src and re.search(r"""show\(\s*["']""" + re.escape(entry["id"]), src):
            lines = [l for l in src.strip().splitlines() if l.strip() and not l.strip().startswith("#")]
            assert all(re.match(r"^\s*(quiz\.)?show\(", l) or re.match(r"""^\s*["'][\w.-]+["'],?\s*\)?\s*$""", l)
                       for l in lines), f"{entry['file']}: a quiz cell must hold only show(...): {src!r}"
            shown += re.findall(r"""["']([\w.-]+)["']""", src)[1:]
    bank_ids = [q["id"] for q in _bank(entry["id"])]
    assert sorted(shown) == sorted(bank_ids), f"{entry['file']}: shown {sorted(shown)} vs bank {sorted(bank_ids)}"


def test_committed_executed_without_errors(entry):
    nb = _nb(entry)
    cells = _code_cells(nb)
    assert cells, f"{entry['file']} has no code"
    unexecuted = [i for i, c in enumerate(cells) if c.get("execution_count") is None]
    assert not unexecuted, f"{entry['file']}: code cells {unexecuted} have no stored execution (run tools/execute_notebooks.py)"
    counts = [c["execution_count"] for c in cells]
    assert counts == list(range(1, len(cells) + 1)), f"{entry['file']}: not executed top to bottom in one fresh kernel"
    assert sum(len(c.get("outputs", [])) for c in cells) >= len(cells) // 2, f"{entry['file']}: too few stored outputs"
    errors = [o for c in cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, f"{entry['file']}: stored error output {errors[0].get('ename')}"
    text = json.dumps([c.get("outputs", []) for c in cells])
    assert "VBox(children=" not in text and "HBox(children=" not in text, f"{entry['file']}: a widget repr was stored"


def test_code_cells_are_short_and_offline(entry):
    for cell in _code_cells(_nb(entry)):
        src = _src(cell)
        assert len(src.strip().splitlines()) <= 15, f"{entry['file']}: code cell too long; move logic into exolab:\n{src}"
        assert "load_dataset" not in src and "urllib" not in src and "requests" not in src
        last = src.strip().splitlines()[-1] if src.strip() else ""
        if re.search(r"\bplot_\w+\(", src) and not re.search(r"(save_figure|return)", src):
            assert last.rstrip().endswith(";") or last.startswith(("fig", "ax")), \
                f"{entry['file']}: plot cells end with ';' so no Axes repr is stored:\n{src}"


def test_referenced_figures_exist(entry):
    for ref in re.findall(r"\(\.\./figures/([^)\s]+)\)", _markdown(_nb(entry))):
        assert (ROOT / "figures" / ref).is_file(), f"{entry['file']} shows figures/{ref}, which does not exist (make figures)"
