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


# ------------------------------------------------------------ manifest, prose and sources ---

def test_manifest_parses_with_the_pure_python_safe_loader():
    """exolab.lessons prefers libyaml's CSafeLoader; a PyYAML build without libyaml (an sdist
    install, a wasm kernel) falls back to SafeLoader, which is stricter (e.g. about '?')."""
    text = (NB_DIR / "lessons.yml").read_text(encoding="utf-8")
    doc = yaml.load(text, Loader=yaml.SafeLoader)
    assert [e["id"] for e in doc["lessons"]] == IDS
    assert doc["lessons"] == list(MANIFEST), "SafeLoader and the course's loader read the manifest differently"


def _cited_numbers(text: str) -> set[int]:
    """Reference numbers in square brackets: [16], [16, 20], [8-11], [134–138]."""
    out: set[int] = set()
    for group in re.findall(r"\[(\d[\d,\s–-]*)\]", text):
        for part in group.split(","):
            part = part.strip()
            span = re.fullmatch(r"(\d+)\s*[–-]+\s*(\d+)", part)
            if span:
                out.update(range(int(span[1]), int(span[2]) + 1))
            elif part.isdigit():
                out.add(int(part))
    return out


@pytest.mark.parametrize("entry", [e for e in MANIFEST if e["id"] not in ORIENTATION],
                         ids=[e["id"] for e in MANIFEST if e["id"] not in ORIENTATION])
def test_reference_list_covers_every_number_cited_in_the_prose(entry):
    from exolab import query

    nb = _nb(entry)
    calls = [_src(c) for c in _code_cells(nb) if "references_for(" in _src(c)]
    assert calls, f"{entry['file']}: the References section must call query.references_for(...)"
    refs = eval(calls[-1], {"query": query, "q": query})  # one call, as the lesson runs it
    listed = {int(n) for r in refs.to_dict("records") if r["ref_key"] == "mohammed_review"
              for n in re.findall(r"\d+", str(r["refs"]))}
    prose = re.sub(r"`[^`\n]*`", "", _markdown(nb))  # code such as [50, 100] is not a citation
    missing = sorted(_cited_numbers(prose) - listed)
    assert not missing, f"{entry['file']}: cited in the text but not in its References list: {missing}"


def test_no_pointers_to_files_outside_the_repository(entry):
    md = _markdown(_nb(entry))
    for bad in ("KNOWN_ISSUES", "../shared", "shared/sources"):
        assert bad not in md, f"{entry['file']}: points students at {bad!r}, which is not in the repository"


def test_one_instructor_block_before_key_points_with_a_live_demo(entry):
    cells = [_src(c) for c in _nb(entry)["cells"] if c["cell_type"] == "markdown"]
    blocks = [i for i, s in enumerate(cells) if re.search(r"<summary>[^<]*[Ff]or instructors", s)]
    assert len(blocks) == 1, f"{entry['file']}: expected one 'For instructors' <details> block, found {len(blocks)}"
    key = [i for i, s in enumerate(cells) if re.match(r"## Key points", s)]
    assert key and blocks[0] < key[0], f"{entry['file']}: the instructor notes go before Key points"
    notes = cells[blocks[0]]
    if entry["id"] not in ORIENTATION:  # 00 has nothing to demonstrate beyond its own cells
        assert "**Live demo:**" in notes, f"{entry['file']}: the instructor notes need a 'Live demo' tip"
    minutes = re.search(r"\*\*Timing(?: \((\d+) min\))?:\*\*([^\n]+)", notes)
    assert minutes, f"{entry['file']}: the instructor notes need a '**Timing:**' line"
    total = sum(int(n) for n in re.findall(r"(\d+) min", minutes[2]))
    assert total == entry["minutes"], f"{entry['file']}: section timings add up to {total}, not {entry['minutes']} min"
    assert "## For instructors" not in "\n".join(cells), f"{entry['file']}: no separate heading over the notes"


def test_objectives_and_prerequisites_share_one_style(entry):
    nb = _nb(entry)
    md = _markdown(nb)
    for obj in entry["objectives"]:
        assert f"- **{obj['id']}** - " in md, f"{entry['file']}: write objectives as '- **{obj['id']}** - text'"
    head = _src(nb["cells"][0])
    assert "**Prerequisites:**" in head and "`" not in head.split("**Prerequisites:**")[1].splitlines()[0], \
        f"{entry['file']}: prerequisites are plain lesson ids (no code font), as in 00-03"


def test_challenges_that_ask_for_code_have_a_working_cell(entry):
    cells = _nb(entry)["cells"]
    heads = [i for i, c in enumerate(cells) if c["cell_type"] == "markdown" and _src(c).startswith("## Challenge")]
    if entry["id"] in ORIENTATION:  # the orientation lesson teaches the tools; it sets no challenge
        assert not heads, f"{entry['file']}: the orientation lesson has a challenge; drop it from ORIENTATION"
        return
    assert heads, f"{entry['file']}: every lesson after the orientation ends with a '## Challenge' section"
    start = heads[0]
    end = next(i for i, c in enumerate(cells[start:], start) if c["cell_type"] == "markdown"
               and re.search(r"<summary>[^<]*[Ss]olution", _src(c)))
    working = [c for c in cells[start:end] if c["cell_type"] == "code" and _src(c).strip().startswith("# your working here")]
    assert working, f"{entry['file']}: the challenge needs a '# your working here' cell before its solution"
    assert not re.search(r"<summary>", _src(cells[start])), f"{entry['file']}: challenge and solution share one cell"


def test_model_statements_in_the_prose_still_hold():
    """The lessons word model results without typing their numbers; these checks keep the words true."""
    from exolab.models import resistance, sedimentation as sd, warburg

    # 01 challenge: "a little over two hours" in the Type 45 Ti; 70 min is "about half" of that.
    t45 = sd.rotor_pelleting_time_min(50, "type_45_ti")
    assert 120 < t45 < 150 and 0.4 < 70 / t45 < 0.6
    k45 = sd.pelleting_table("type_45_ti", 100_000, [50]).attrs["k_factor"]
    k70 = sd.pelleting_table("type_70_ti", 100_000, [50]).attrs["k_factor"]
    assert k45 > k70
    # 01 key point: the smallest exosomes (30 nm) need more than an hour at 100,000 g.
    assert sd.rotor_pelleting_time_min(30) > 60
    # 02 solution: 5.9 glucose/lactate at 0.5; 20 glucose and 36 lactate at 0.1 (3.4 and 6 times more).
    g5, g1 = warburg.glucose_uptake_for_demand(100, 0.5), warburg.glucose_uptake_for_demand(100, 0.1)
    l5, l1 = warburg.lactate_output(100, 0.5), warburg.lactate_output(100, 0.1)
    assert round(g5, 1) == 5.9 and round(l5, 1) == 5.9 and round(g1) == 20 and round(l1) == 36
    assert round(g1 / g5, 1) == 3.4 and round(l1 / l5) == 6
    # 04 key point and solution (b): drug selection alone wins; transfer speeds it up, even without drug;
    # halving or doubling transfer moves the takeover by "a few days", all before the no-transfer time.
    ttd = resistance.time_to_dominance
    default, no_transfer = ttd(), ttd(transfer_rate=0.0)
    assert default < no_transfer and ttd(dose=0.0) is not None and ttd(dose=0.0, transfer_rate=0.0) is None
    slow, fast = ttd(transfer_rate=0.05), ttd(transfer_rate=0.2)
    assert fast < default < slow < no_transfer and 1 < slow - default < 10 and 1 < default - fast < 10
    # 04 scenario prose and 06 solution: "within the 60 simulated days".
    assert resistance.DEFAULTS["days"] == 60
    # 06 solution: a blocker delays but only to the no-transfer time; half dose delays further;
    # a quarter dose with a complete blocker never reaches half the tumour.
    assert default < ttd(inhibitor=0.5) < ttd(inhibitor=1.0) and abs(ttd(inhibitor=1.0) - no_transfer) < 0.5
    assert ttd(dose=0.5, inhibitor=1.0) > ttd(inhibitor=1.0) and ttd(dose=0.25, inhibitor=1.0) is None


def test_resistance_mechanism_table_cites_what_the_data_files_under_each_mechanism():
    """Lesson 04's table of the six mechanisms: every reference it gives in a row belongs to a
    resistance finding filed under that row's mechanism (or under one the row names in code
    style), so the prose and ``q.summarise(..., by="resistance_mechanism")`` tell one story."""
    from exolab import data, query

    entry = next(e for e in MANIFEST if e["id"] == "04_drug_resistance")
    rows = re.findall(r"^\| `(\w+)` \|(.*)$", _markdown(_nb(entry)), re.M)
    mechanisms = data.vocabulary("resistance_mechanism")
    assert sorted(m for m, _ in rows) == sorted(mechanisms), "one table row per mechanism"
    findings = query.filter_findings(theme="drug_resistance")
    for mechanism, rest in rows:
        named = {mechanism} | (set(re.findall(r"`(\w+)`", rest)) & set(mechanisms))
        filed = {n for refs in findings.loc[findings["resistance_mechanism"].isin(named), "refs"]
                 for n in refs}
        stray = sorted(_cited_numbers(rest) - filed)
        assert not stray, (f"{entry['file']}: the `{mechanism}` row cites {stray}, but no resistance "
                           f"finding under {sorted(named)} has those references; move the example "
                           "or name the mechanism the data files it under")


def test_every_lesson_opens_with_the_same_import_names(entry):
    """One set of names across the series: a student who learnt ``query.filter_findings`` in
    lesson 01 meets the same call in lesson 06, and an instructor can paste cells between lessons."""
    first = _src(_code_cells(_nb(entry))[0])
    assert first.startswith("import exolab\nfrom exolab import data as kb, query, widgets\n"), (
        f"{entry['file']}: the first code cell should start with 'import exolab' and "
        "'from exolab import data as kb, query, widgets', as every lesson does")
    code = "\n".join(_src(c) for c in _code_cells(_nb(entry)))
    text = _markdown(_nb(entry))
    for alias in ("import query as q", "import exolab.data as kb"):
        assert alias not in code, f"{entry['file']}: '{alias}' - use the series' names (kb, query)"
    assert not re.search(r"\bq\.[a-z_]", code + text), f"{entry['file']}: write query.<name>, not q.<name>"


@pytest.mark.parametrize("broken, message", [
    ("- Exosomes carry cargo: miRNAs and proteins.", "key point 1 is not plain text"),
    ("Exosomes carry cargo.", "key_points must be a list of sentences"),
])
def test_manifest_with_a_key_point_yaml_misreads_names_the_lesson_and_the_fix(tmp_path, monkeypatch, broken, message):
    """An unquoted ': ' turns a key point into a mapping; the loader says where and how to fix it."""
    text = (ROOT / "notebooks" / "lessons.yml").read_text(encoding="utf-8")
    first = MANIFEST[0]
    manifest = yaml.safe_load(text)
    manifest["lessons"][0]["key_points"] = "@@KP@@"
    dumped = yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False)
    indent = re.search(r"^( *)key_points: '?@@KP@@'?$", dumped, re.M)
    replacement = (f"{indent[1]}key_points:\n" + "\n".join(f"{indent[1]}{broken}".splitlines())
                   if broken.startswith("-") else f"{indent[1]}key_points: {broken}")
    (tmp_path / "lessons.yml").write_text(dumped.replace(indent[0], replacement), encoding="utf-8")
    monkeypatch.setenv("EXOLAB_MANIFEST", str(tmp_path / "lessons.yml"))
    with pytest.raises(lessons.LessonError, match=message) as err:
        lessons.load_manifest()
    assert first["id"] in str(err.value) and str(tmp_path / "lessons.yml") in str(err.value)
    if broken.startswith("-"):
        assert "put it in quotes" in str(err.value)
