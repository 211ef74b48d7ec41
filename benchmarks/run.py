"""exolab benchmarks: lesson execution, table loading, widget updates, quiz grading.

Run with ``make bench`` (or ``.venv/bin/python benchmarks/run.py``). Prints a
table marking every target met or missed and writes ``benchmarks/results.json``.
``--parts`` picks a subset: ``lessons,tables,widgets,quiz``.
"""
from __future__ import annotations

import argparse
import ast
import datetime as dt
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
os.environ.setdefault("MPLBACKEND", "Agg")

RESULTS = ROOT / "benchmarks" / "results.json"
BROWSER_TIMINGS = ROOT / "test-artifacts" / "browser" / "timings.json"
PARTS = ("lessons", "tables", "widgets", "quiz")

# Targets: (limit, unit) - a result meets its target when it is <= the limit.
TARGETS = {
    "lesson_ratio": 1.5, "lesson_seconds": 15.0, "series_seconds": 60.0,
    "load_all_tables_seconds": 0.2, "widget_median_ms": 50.0, "widget_p95_ms": 100.0,
    "browser_seconds": 30.0,
}
# Values typed into a free-text control (widgets whose control is a Text box).
WIDGET_TEXT_VALUES = {"molecule_card": ["PKM", "CD63", "TSG101", "P-gp"]}
WIDGET_CHANGES = 50
QUIZ_RESPONSES = 1000

# Which control each widget's benchmark varies: the control's description (None: the
# widget's first dropdown, slider or toggle; widgets not listed use the same default).
WIDGET_CONTROLS = {
    "sedimentation_explorer": "vesicle diameter (nm)",
    "warburg_explorer": "share fully oxidised",
    "resistance_explorer": "drug dose (× EC50)",
    "size_explorer": "exosome-sized share",
    "cargo_explorer": None,
    "communication_map": "Theme",
    "resistance_matrix": "Drug",
    "molecule_card": "Molecule",
    "kb_tour": None,
    "widget_self_check": None,
}


def machine() -> dict:
    """Describe the machine the numbers come from."""
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": cpu or platform.machine(), "cores": os.cpu_count(), "python": platform.python_version(),
            "platform": platform.platform(), "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%MZ")}


def manifest() -> list[dict]:
    """Return the manifest's lessons as dicts."""
    try:
        from exolab.lessons import load_manifest

        data = load_manifest()
    except ImportError:
        import yaml

        data = yaml.safe_load((ROOT / "notebooks" / "lessons.yml").read_text()) or {}
    lessons = data.get("lessons", []) if isinstance(data, dict) else list(data)
    return [dict(x) for x in lessons or []]


# ------------------------------------------------------------------ lessons
_PROBE = "import sys as _s; print(' '.join(sorted(m for m in _s.modules if m.startswith('exolab'))))"


def floor_notebook(nb, modules=()):
    """Return a notebook holding one code cell with only ``nb``'s imports.

    ``modules`` are the ``exolab`` modules the lesson actually imported (recorded by a
    probe cell after the lesson ran). exolab imports its submodules on first use
    (``exolab.plots.set_theme()`` imports seaborn), so the literal import statements
    alone would leave that import cost inside the lesson's own share.
    """
    import nbformat

    imports = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        imports += [ast.unparse(n) for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    floor = nbformat.v4.new_notebook(metadata=nb.metadata)
    imports += [f"import {m}" for m in modules]
    floor.cells = [nbformat.v4.new_code_cell("\n".join(dict.fromkeys(imports)) or "pass")]
    return floor


def bench_lessons(lessons: list[dict]) -> dict:
    """Cold nbclient execution of each lesson and of its imports-only floor notebook."""
    import tempfile

    import nbformat
    from execute_notebooks import NOTEBOOKS, execute

    out = {}
    for lesson in lessons:
        path = NOTEBOOKS / lesson["file"]
        if not path.is_file():
            print(f"  skip lesson {lesson['id']}: {path.name} does not exist yet")
            continue
        with tempfile.TemporaryDirectory() as tmp:
            floor_path, probed_path = Path(tmp) / "floor.ipynb", Path(tmp) / "lesson.ipynb"
            lesson_nb = nbformat.read(path, as_version=4)
            lesson_nb.cells.append(nbformat.v4.new_code_cell(_PROBE))  # a print: negligible cost
            nbformat.write(lesson_nb, probed_path)
            try:
                t0 = time.perf_counter()
                ran = execute(probed_path, write=False, quiet=True, cwd=NOTEBOOKS)
                seconds = time.perf_counter() - t0
                probe = "".join(o.get("text", "") for o in ran.cells[-1].outputs)
                nbformat.write(floor_notebook(lesson_nb, probe.split()), floor_path)
                t0 = time.perf_counter()
                execute(floor_path, write=False, quiet=True, cwd=NOTEBOOKS)
                floor = time.perf_counter() - t0
            except Exception as exc:  # a broken lesson is reported, not benchmarked
                print(f"  lesson {lesson['id']} failed: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
                out[lesson["id"]] = {"error": f"{type(exc).__name__}"}
                continue
        out[lesson["id"]] = {"seconds": round(seconds, 2), "floor_seconds": round(floor, 2),
                             "ratio": round(seconds / floor, 2)}
        print(f"  {lesson['id']}: {seconds:.1f} s (floor {floor:.1f} s)")
    return out


# ------------------------------------------------------------------- tables
TABLES_SNIPPET = """
import time, pandas
t0 = time.perf_counter()
import exolab.data as d
for name in d.list_tables():
    d.load(name)
print(time.perf_counter() - t0)
"""


def bench_tables(runs: int = 3) -> float:
    """Median seconds, in fresh subprocesses, to import exolab and load every table."""
    times = []
    for _ in range(runs):
        r = subprocess.run([sys.executable, "-c", TABLES_SNIPPET], capture_output=True, text=True, cwd=ROOT)
        if r.returncode:
            raise RuntimeError(r.stderr.strip().splitlines()[-1] if r.stderr.strip() else "failed")
        times.append(float(r.stdout.strip().splitlines()[-1]))
    return round(statistics.median(times), 4)


# ------------------------------------------------------------------ widgets
def _walk(widget):
    yield widget
    for child in getattr(widget, "children", ()) or ():
        yield from _walk(child)


def _snapshot(root) -> str:
    import ipywidgets as W

    parts = []
    for w in _walk(root):
        if isinstance(w, W.Output):
            parts.append(repr(w.outputs))
        elif isinstance(w, (W.HTML, W.HTMLMath, W.Label, W.Image)):
            parts.append(repr(w.value))
    return "\n".join(parts)


def _pick_control(root, description, text: bool = False):
    import ipywidgets as W

    kinds = (W.Dropdown, W.Select, W.ToggleButtons, W.RadioButtons, W.IntSlider, W.FloatSlider, W.FloatLogSlider)
    kinds += (W.Text, W.Combobox) if text else ()
    controls = [w for w in _walk(root) if isinstance(w, kinds) and not w.disabled]
    if description is not None:
        controls = [w for w in controls if w.description == description] or controls
    return controls[0] if controls else None


def _values(ctrl) -> list:
    import ipywidgets as W

    if isinstance(ctrl, (W.IntSlider, W.FloatSlider, W.FloatLogSlider)):
        lo, hi = ctrl.min, ctrl.max
        fr = (0.2, 0.4, 0.6, 0.8)
        if isinstance(ctrl, W.FloatLogSlider):
            return [ctrl.base ** (lo + (hi - lo) * f) for f in fr]
        return [type(ctrl.value)(lo + (hi - lo) * f) for f in fr]
    return list(range(len(ctrl.options)))  # option indices


def bench_widgets(names: list[str]) -> dict:
    """Change one control of each widget WIDGET_CHANGES times; time until its output changed."""
    import matplotlib

    matplotlib.use("Agg")
    try:
        import exolab.widgets as widgets
    except ImportError as exc:
        print(f"  skip widgets: exolab.widgets does not import ({exc})")
        return {}
    out = {}
    for name in names:
        try:
            root = getattr(widgets, name)()
        except Exception as exc:  # not written yet, or broken: say so and go on
            print(f"  skip widget {name}: {type(exc).__name__}: {str(exc)[:120]}")
            continue
        ctrl = _pick_control(root, WIDGET_CONTROLS.get(name), text=name in WIDGET_TEXT_VALUES)
        if ctrl is None:
            print(f"  skip widget {name}: no dropdown, slider or toggle to vary (add it to WIDGET_CONTROLS)")
            continue
        text = type(ctrl).__name__ in ("Text", "Combobox")
        values = WIDGET_TEXT_VALUES.get(name) or list(getattr(ctrl, "options", ()))[:4] if text else _values(ctrl)
        use_index = not text and not hasattr(ctrl, "min")
        if len(values) < 2:
            print(f"  skip widget {name}: control {ctrl.description!r} has fewer than two values")
            continue
        times, unchanged = [], 0
        for i in range(WIDGET_CHANGES + 1):  # the first change warms caches and is not counted
            v = values[i % len(values)]
            if (ctrl.index if use_index else ctrl.value) == v:
                v = values[(i + 1) % len(values)]
            before = _snapshot(root)
            t0 = time.perf_counter()
            if use_index:
                ctrl.index = v
            else:
                ctrl.value = v
            changed = _snapshot(root) != before
            elapsed = (time.perf_counter() - t0) * 1000
            if i:
                times.append(elapsed)
                unchanged += not changed
        times.sort()
        out[name] = {"median_ms": round(statistics.median(times), 2),
                     "p95_ms": round(times[min(len(times) - 1, int(0.95 * len(times)))], 2),
                     "n": len(times), "control": ctrl.description or type(ctrl).__name__}
        if unchanged:
            out[name]["unchanged"] = unchanged
        print(f"  {name}: median {out[name]['median_ms']} ms via {out[name]['control']!r}"
              + (f" ({unchanged} changes left the output unchanged)" if unchanged else ""))
    return out


# --------------------------------------------------------------------- quiz
def _response(q, rng: random.Random):
    n = len(q.options)
    if q.kind == "single":
        return rng.randrange(n)
    if q.kind == "multiple":
        return rng.sample(range(n), rng.randint(1, n))
    if q.kind == "numeric":
        return rng.choice([q.answer, q.answer * 1.5, rng.uniform(0, 100), "not a number"])
    if q.kind == "order":
        return rng.sample(range(n), n)
    return {left: rng.randrange(n) for left in q.lefts}


def bench_quiz() -> float | None:
    """Seconds to load every quiz bank and grade QUIZ_RESPONSES responses."""
    try:
        from exolab.quiz.bank import clear_cache, list_banks, load_bank
        from exolab.quiz.grade import check
    except ImportError as exc:
        print(f"  skip quiz: {exc}")
        return None
    rng = random.Random(0)
    clear_cache()
    t0 = time.perf_counter()
    questions = []
    for bank in list_banks():
        try:
            questions += load_bank(bank)
        except Exception as exc:  # an invalid bank is reported and left out
            print(f"  quiz bank {bank} left out: {type(exc).__name__}: {str(exc)[:120]}")
    if not questions:
        print("  skip quiz: no questions in any bank")
        return None
    for i in range(QUIZ_RESPONSES):
        q = questions[i % len(questions)]
        check(q, _response(q, rng))
    return round(time.perf_counter() - t0, 4)


# -------------------------------------------------------------------- report
def _mark(value, limit) -> str:
    return "met" if value is not None and value <= limit else "MISSED"


def report(results: dict) -> str:
    """Return the results as a plain-text table with each target met or missed."""
    rows = [("measure", "value", "target", "")]
    lessons = {k: v for k, v in results.get("lessons", {}).items() if "seconds" in v}
    for k, v in results.get("lessons", {}).items():
        if "seconds" not in v:
            rows.append((f"lesson {k}", v.get("error", "?"), "runs", "MISSED"))
            continue
        rows.append((f"lesson {k} seconds", f"{v['seconds']:.1f}", f"< {TARGETS['lesson_seconds']:.0f}",
                     _mark(v["seconds"], TARGETS["lesson_seconds"])))
        rows.append((f"lesson {k} ratio to floor", f"{v['ratio']:.2f}", f"<= {TARGETS['lesson_ratio']}",
                     _mark(v["ratio"], TARGETS["lesson_ratio"])))
    if lessons:
        series = sum(v["seconds"] for v in lessons.values())
        rows.append(("lesson series seconds", f"{series:.1f}", f"< {TARGETS['series_seconds']:.0f}",
                     _mark(series, TARGETS["series_seconds"])))
    if results.get("load_all_tables_seconds") is not None:
        v = results["load_all_tables_seconds"]
        rows.append(("load all tables seconds", f"{v:.3f}", f"< {TARGETS['load_all_tables_seconds']}",
                     _mark(v, TARGETS["load_all_tables_seconds"])))
    for k, v in results.get("widgets", {}).items():
        rows.append((f"widget {k} median ms", f"{v['median_ms']:.1f}", f"< {TARGETS['widget_median_ms']:.0f}",
                     _mark(v["median_ms"], TARGETS["widget_median_ms"])))
        rows.append((f"widget {k} p95 ms", f"{v['p95_ms']:.1f}", f"< {TARGETS['widget_p95_ms']:.0f}",
                     _mark(v["p95_ms"], TARGETS["widget_p95_ms"])))
    if results.get("quiz_check_1000_seconds") is not None:
        rows.append(("quiz: load banks + check 1000", f"{results['quiz_check_1000_seconds']:.3f}", "-", ""))
    for k, v in results.get("browser", {}).items():
        rows.append((f"browser {k} Run All -> widgets s", f"{v:.1f}", f"< {TARGETS['browser_seconds']:.0f}",
                     _mark(v, TARGETS["browser_seconds"])))
    widths = [max(len(str(r[i])) for r in rows) for i in range(4)]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the chosen benchmark parts, print the table and write ``results.json``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", default=",".join(PARTS), help="comma-separated subset of " + ",".join(PARTS))
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    parts = set(args.parts.split(","))
    lessons = manifest()
    results: dict = {"machine": machine()}
    if "lessons" in parts:
        print("lessons (cold nbclient execution vs an imports-only floor):")
        results["lessons"] = bench_lessons(lessons)
    if "tables" in parts:
        try:
            results["load_all_tables_seconds"] = bench_tables()
        except Exception as exc:
            print(f"  skip tables: {exc}")
    if "widgets" in parts:
        names = list(dict.fromkeys(w for lesson in lessons for w in lesson.get("widgets") or []))
        print("widgets:")
        results["widgets"] = bench_widgets(names)
    if "quiz" in parts:
        results["quiz_check_1000_seconds"] = bench_quiz()
    if BROWSER_TIMINGS.is_file():
        results["browser"] = {k: v for k, v in json.loads(BROWSER_TIMINGS.read_text()).items()
                              if not k.startswith("fixture-")}
    print()
    print(report(results))
    args.output.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"\nwrote {args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
