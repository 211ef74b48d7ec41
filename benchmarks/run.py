"""exolab benchmarks: lesson execution, table loading, widget updates, quiz grading.

Run with ``make bench`` (or ``.venv/bin/python benchmarks/run.py``). Prints a
table marking every target met or missed and writes ``benchmarks/results.json``.
``--parts`` picks a subset: ``lessons,tables,widgets,quiz``; ``--lessons`` and
``--widgets`` pick some lessons or widgets (their ids); ``--readme`` records the run
in ``benchmarks/README.md`` with a summary sentence generated from the numbers.

Lessons: one warm-up run, then ``--repeats`` (default 3) runs of the lesson and of its
imports-only floor, interleaved and in alternating order; medians are reported.
Widgets: every control is moved through distinct states (all slider steps, random
dropdown/toggle combinations, typed text); first visits ("cold") and revisits of the
same states ("cached") are reported separately.
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
"""Random dropdown/toggle/text changes per widget (besides every slider step)."""
SLIDER_STEPS_MAX = 120
"""A slider with more steps than this is sampled evenly (its ends included)."""
WIDGET_SEED = 0
QUIZ_RESPONSES = 1000
LESSON_REPEATS = 3
README = ROOT / "benchmarks" / "README.md"
README_MARKER = "<!-- results -->"

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


def _timed_execute(path: Path) -> float:
    from execute_notebooks import NOTEBOOKS, execute

    t0 = time.perf_counter()
    execute(path, write=False, quiet=True, cwd=NOTEBOOKS)
    return time.perf_counter() - t0


def bench_lessons(lessons: list[dict], repeats: int = LESSON_REPEATS) -> dict:
    """Median nbclient execution time of each lesson and of its imports-only floor notebook.

    Every lesson is first run once with a probe cell (which records the ``exolab``
    modules it loaded, for the floor, and warms the disk cache and bytecode); that run
    is not counted. Then the lesson and its floor run ``repeats`` times each,
    interleaved, alternating which goes first, so that drift in machine load hits both
    alike. A single cold sample made lesson 00 look faster than its own floor (0.86x).
    """
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
            lesson_times, floor_times = [], []
            try:
                ran = execute(probed_path, write=False, quiet=True, cwd=NOTEBOOKS)  # warm-up
                probe = "".join(o.get("text", "") for o in ran.cells[-1].outputs)
                nbformat.write(floor_notebook(lesson_nb, probe.split()), floor_path)
                for i in range(repeats):
                    order = ((probed_path, lesson_times), (floor_path, floor_times))
                    for nb_path, bucket in (order if i % 2 == 0 else order[::-1]):
                        bucket.append(_timed_execute(nb_path))
            except Exception as exc:  # a broken lesson is reported, not benchmarked
                print(f"  lesson {lesson['id']} failed: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
                out[lesson["id"]] = {"error": f"{type(exc).__name__}"}
                continue
        seconds, floor = statistics.median(lesson_times), statistics.median(floor_times)
        out[lesson["id"]] = {"seconds": round(seconds, 2), "floor_seconds": round(floor, 2),
                             "ratio": round(seconds / floor, 2),
                             "samples": [round(x, 2) for x in lesson_times],
                             "floor_samples": [round(x, 2) for x in floor_times]}
        print(f"  {lesson['id']}: median {seconds:.1f} s (floor {floor:.1f} s, ratio {seconds / floor:.2f}; "
              f"runs {', '.join(f'{x:.1f}' for x in lesson_times)} / {', '.join(f'{x:.1f}' for x in floor_times)})")
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


_TEXT_DEFAULTS = ["PKM", "CD63", "miR-21", "TGF-β", "zzz-no-such-thing"]


def _controls(root) -> list:
    """Every enabled control a learner can change, in display order."""
    import ipywidgets as W

    kinds = (W.Dropdown, W.Select, W.ToggleButtons, W.RadioButtons, W.IntSlider, W.FloatSlider,
             W.FloatLogSlider, W.Text, W.Combobox, W.FloatText, W.IntText, W.BoundedFloatText,
             W.BoundedIntText, W.Checkbox, W.ToggleButton)
    seen, out = set(), []
    for w in _walk(root):
        if isinstance(w, kinds) and not w.disabled and id(w) not in seen:
            seen.add(id(w))
            out.append(w)
    return out


def _slider_steps(ctrl) -> list:
    """Every value the slider can take (evenly sampled down to SLIDER_STEPS_MAX)."""
    import ipywidgets as W

    n = int(round((ctrl.max - ctrl.min) / ctrl.step)) + 1 if ctrl.step else 2
    idx = sorted({round(i * (n - 1) / max(1, min(n, SLIDER_STEPS_MAX) - 1))
                  for i in range(min(n, SLIDER_STEPS_MAX))})
    steps = [ctrl.min + i * ctrl.step for i in idx]
    if isinstance(ctrl, W.FloatLogSlider):
        return [ctrl.base ** e for e in steps]
    return [type(ctrl.value)(v) for v in steps]


def _typed_values(name: str, ctrl, rng: random.Random) -> list:
    import ipywidgets as W

    if isinstance(ctrl, W.Combobox):  # typed names, then suggestions picked from its list
        suggestions = [o for o in ctrl.options if o]
        picked = rng.sample(suggestions, min(len(suggestions), WIDGET_CHANGES - len(WIDGET_TEXT_VALUES.get(name, []))))
        return list(WIDGET_TEXT_VALUES.get(name, _TEXT_DEFAULTS)) + picked
    if isinstance(ctrl, W.Text):
        return list(WIDGET_TEXT_VALUES.get(name, _TEXT_DEFAULTS))
    if isinstance(ctrl, (W.Checkbox, W.ToggleButton)):
        return [not ctrl.value]
    v = ctrl.value  # a number box: values a learner might type around the default
    cast = int if isinstance(ctrl, (W.IntText, W.BoundedIntText)) else float
    return [cast(v * f) for f in (0.5, 2, 1.5, 0.75)] if v else [cast(1), cast(2)]


_TYPED = ("Text", "Combobox", "FloatText", "IntText", "BoundedFloatText", "BoundedIntText", "Checkbox",
          "ToggleButton")
_SLIDERS = ("IntSlider", "FloatSlider", "FloatLogSlider")


def _plan(name: str, controls: list, rng: random.Random) -> list:
    """Changes that each lead to a new state: a list of steps ``[(control, value, timed)]``.

    Sliders: every step, one slider at a time. Typed boxes: a few typed values (names for
    a search box). Option controls (dropdowns, toggles): WIDGET_CHANGES random
    combinations of one or two of them away from their start values; the others are put
    back first (untimed), then the last control is changed and timed. A random walk
    instead piles up filters until every result is empty, which is cheap and unlike use.
    """
    plan = []
    for ctrl in controls:
        if type(ctrl).__name__ in _SLIDERS:
            plan += [[(ctrl, v, True)] for v in _slider_steps(ctrl) if v != ctrl.value]
        elif type(ctrl).__name__ in _TYPED:
            plan += [[(ctrl, v, True)] for v in _typed_values(name, ctrl, rng)]
    choosers = [c for c in controls if type(c).__name__ not in _TYPED + _SLIDERS and hasattr(c, "index")]
    start = {id(c): c.index for c in choosers}
    for _ in range(WIDGET_CHANGES if choosers else 0):
        moved = rng.sample(choosers, min(len(choosers), rng.choice((1, 2))))
        steps = [(c, ("index", start[id(c)]), False) for c in choosers if c not in moved]
        steps += [(c, ("index", rng.random()), False) for c in moved[:-1]]
        steps.append((moved[-1], ("index", rng.random()), True))
        plan.append(steps)
    return plan


def _apply(ctrl, value) -> bool:
    """Set a control; False if nothing changed or the value is not possible right now.

    ``("index", x)``: an option chosen when the change is made (options may depend on
    other controls): an int is that index, a float in [0, 1) a position in the list.
    """
    if isinstance(value, tuple) and value and value[0] == "index":
        options = list(getattr(ctrl, "options", ()))
        if not options:
            return False
        where = value[1]
        choice = where if isinstance(where, int) else int(where * len(options))
        choice = min(max(choice, 0), len(options) - 1)
        if ctrl.index == choice:
            return False
        ctrl.index = choice
        return True
    if ctrl.value == value:
        return False
    ctrl.value = value
    return True


def _state(controls) -> tuple:
    return tuple(repr(c.value) for c in controls)


def _stats(times: list) -> dict:
    if not times:
        return {"median_ms": None, "p95_ms": None, "n": 0}
    times = sorted(times)
    return {"median_ms": round(statistics.median(times), 2),
            "p95_ms": round(times[min(len(times) - 1, int(0.95 * len(times)))], 2), "n": len(times)}


def bench_widgets(names: list[str]) -> dict:
    """Move every control of each widget through distinct states; time each update.

    The first pass visits states never seen before by that widget instance ("cold":
    caches of rendered frames and query results cannot help). The widget is then put
    back to its start and the same changes are replayed ("cached": every state has been
    drawn once). The widget's callbacks run synchronously, so the time from setting
    ``.value`` to its return is the update time; the output is compared afterwards,
    outside the timing, to count changes that left it unchanged.
    """
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
        controls = _controls(root)
        if not controls:
            print(f"  skip widget {name}: no control to vary")
            continue
        rng = random.Random(f"{WIDGET_SEED}-{name}")
        start = {id(c): c.value for c in controls}
        plan = _plan(name, controls, rng)
        seen = {_state(controls)}
        cold, cached, unchanged, errors, replay = [], [], 0, 0, []

        def run(steps, record=None):
            """Apply the steps; return the timed step's milliseconds (None: no change).

            Controls the steps do not name go back to their start first (untimed), so a
            typed search or a moved slider does not linger into the next combination.
            """
            named = {id(ctrl) for ctrl, _value, _timed in steps}
            for ctrl in controls:
                if id(ctrl) not in named and ctrl.value != start[id(ctrl)]:
                    ctrl.value = start[id(ctrl)]
            elapsed = None
            for ctrl, value, timed in steps:
                if timed:
                    t0 = time.perf_counter()
                    changed = _apply(ctrl, value)
                    elapsed = (time.perf_counter() - t0) * 1000 if changed else None
                else:
                    _apply(ctrl, value)
                if record is not None:  # absolute values, so the replay visits the same states
                    record.append((ctrl, ("index", ctrl.index) if isinstance(value, tuple) else ctrl.value,
                                   timed))
            return elapsed

        for steps in plan:
            record: list = []
            try:
                before = _snapshot(root)
                elapsed = run(steps, record)
            except Exception:  # an invalid combination must not stop the benchmark
                errors += 1
                continue
            state = _state(controls)
            if elapsed is None or state in seen:
                continue  # only first visits of distinct states count as cold
            seen.add(state)
            cold.append(elapsed)
            replay.append(record)
            unchanged += _snapshot(root) == before
        for ctrl in controls:                                # back to the start, untimed
            try:
                ctrl.value = start[id(ctrl)]
            except Exception:
                pass
        for record in replay:                                # the same states again
            try:
                elapsed = run(record)
            except Exception:
                errors += 1
                continue
            if elapsed is not None:
                cached.append(elapsed)
        out[name] = {**_stats(cold), "cold": _stats(cold), "cached": _stats(cached),
                     "controls": [c.description or type(c).__name__ for c in controls]}
        if unchanged:
            out[name]["unchanged"] = unchanged
        if errors:
            out[name]["errors"] = errors
        print(f"  {name}: cold median {out[name]['median_ms']} ms, p95 {out[name]['p95_ms']} ms "
              f"(n={out[name]['n']}); cached median {out[name]['cached']['median_ms']} ms"
              + (f"; {unchanged} changes left the output unchanged" if unchanged else "")
              + (f"; {errors} changes raised" if errors else ""))
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
    """Seconds to load every quiz bank and grade QUIZ_RESPONSES responses (after importing exolab.models)."""
    try:
        from exolab.quiz.bank import clear_cache, list_banks, load_bank
        from exolab.quiz.grade import check
    except ImportError as exc:
        print(f"  skip quiz: {exc}")
        return None
    # Model-derived answers (answer_from: {model: ...}) call exolab.models, whose
    # scipy import (~0.7 s) every lesson with a model pays anyway; import it first so
    # this number is the quiz engine's own cost, as table loading is timed after pandas.
    import exolab.models  # noqa: F401

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
        if v.get("median_ms") is None:
            rows.append((f"widget {k}", "no distinct states", "-", "MISSED"))
            continue
        cold = "cold " if "cold" in v else ""
        rows.append((f"widget {k} {cold}median ms (n={v.get('n', '?')})", f"{v['median_ms']:.1f}",
                     f"< {TARGETS['widget_median_ms']:.0f}", _mark(v["median_ms"], TARGETS["widget_median_ms"])))
        rows.append((f"widget {k} {cold}p95 ms", f"{v['p95_ms']:.1f}", f"< {TARGETS['widget_p95_ms']:.0f}",
                     _mark(v["p95_ms"], TARGETS["widget_p95_ms"])))
        cached = v.get("cached") or {}
        if cached.get("median_ms") is not None:
            rows.append((f"widget {k} cached median / p95 ms", f"{cached['median_ms']:.1f} / {cached['p95_ms']:.1f}",
                         "-", ""))
    if results.get("quiz_check_1000_seconds") is not None:
        rows.append(("quiz: load banks + check 1000", f"{results['quiz_check_1000_seconds']:.3f}", "-", ""))
    for k, v in results.get("browser", {}).items():
        rows.append((f"browser {k} Run All -> widgets s", f"{v:.1f}", f"< {TARGETS['browser_seconds']:.0f}",
                     _mark(v, TARGETS["browser_seconds"])))
    widths = [max(len(str(r[i])) for r in rows) for i in range(4)]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _ids(keys) -> str:
    """'00, 03 and 05' from lesson ids such as '00_start_here'."""
    short = [k.split("_", 1)[0] for k in keys]
    return short[0] if len(short) == 1 else ", ".join(short[:-1]) + " and " + short[-1]


def _span(values, fmt="{:.2f}") -> str:
    lo, hi = min(values), max(values)
    return fmt.format(lo) if lo == hi else f"{fmt.format(lo)}-{fmt.format(hi)}"


def summary(results: dict) -> str:
    """One paragraph stating, from the numbers themselves, which targets were met.

    The README's sentence is generated here, so it cannot contradict the table again
    (it once said "00 and 01 meet the ratio" next to a table where 01 missed it).
    """
    parts = []
    lessons = {k: v for k, v in results.get("lessons", {}).items() if "seconds" in v}
    broken = [k for k, v in results.get("lessons", {}).items() if "seconds" not in v]
    if lessons:
        limit = TARGETS["lesson_ratio"]
        met = {k: v["ratio"] for k, v in lessons.items() if v["ratio"] <= limit}
        missed = {k: v["ratio"] for k, v in lessons.items() if v["ratio"] > limit}
        runs = {len(v.get("samples", [1])) for v in lessons.values()}
        how = f"median of {max(runs)} interleaved runs" if max(runs) > 1 else "one run each"
        if not missed:
            parts.append(f"Every lesson meets the {limit:g}x lesson/floor ratio "
                         f"({_span(list(met.values()))}x; {how}).")
        elif not met:
            parts.append(f"No lesson meets the {limit:g}x lesson/floor ratio "
                         f"({_span(list(missed.values()))}x; {how}).")
        else:
            parts.append(f"Lesson{'s' if len(met) > 1 else ''} {_ids(met)} meet{'' if len(met) > 1 else 's'} "
                         f"the {limit:g}x lesson/floor ratio ({_span(list(met.values()))}x); "
                         f"{_ids(missed)} miss{'' if len(missed) > 1 else 'es'} it "
                         f"({_span(list(missed.values()))}x; {how}).")
        slow = [k for k, v in lessons.items() if v["seconds"] > TARGETS["lesson_seconds"]]
        series = sum(v["seconds"] for v in lessons.values())
        longest = max(lessons.items(), key=lambda kv: kv[1]["seconds"])
        parts.append((f"Every lesson runs in under {TARGETS['lesson_seconds']:g} s" if not slow
                      else f"Lesson{'s' if len(slow) > 1 else ''} {_ids(slow)} take{'' if len(slow) > 1 else 's'} "
                           f"longer than {TARGETS['lesson_seconds']:g} s")
                     + f" (longest {_ids([longest[0]])}, {longest[1]['seconds']:.1f} s); the series takes "
                     f"{series:.1f} s ({'within' if series <= TARGETS['series_seconds'] else 'over'} the "
                     f"{TARGETS['series_seconds']:g} s target).")
    if broken:
        parts.append(f"Lesson{'s' if len(broken) > 1 else ''} {_ids(broken)} failed to run.")
    tables = results.get("load_all_tables_seconds")
    if tables is not None:
        ok = tables <= TARGETS["load_all_tables_seconds"]
        parts.append(f"Loading every table takes {tables:.3f} s ({'within' if ok else 'over'} the "
                     f"{TARGETS['load_all_tables_seconds']:g} s target).")
    widgets = {k: v for k, v in results.get("widgets", {}).items() if v.get("median_ms") is not None}
    if widgets:
        bad = [k for k, v in widgets.items()
               if v["median_ms"] > TARGETS["widget_median_ms"] or v["p95_ms"] > TARGETS["widget_p95_ms"]]
        worst_med = max(widgets.items(), key=lambda kv: kv[1]["median_ms"])
        worst_p95 = max(widgets.items(), key=lambda kv: kv[1]["p95_ms"])
        kind = "on first visits of distinct states" if all("cold" in v for v in widgets.values()) else ""
        head = (f"All {len(widgets)} widgets meet" if not bad
                else f"{len(widgets) - len(bad)} of {len(widgets)} widgets meet")
        text = (f"{head} the {TARGETS['widget_median_ms']:g} ms median / {TARGETS['widget_p95_ms']:g} ms "
                f"p95 update targets {kind}".rstrip()
                + f" (slowest median {worst_med[0]} {worst_med[1]['median_ms']:.1f} ms, "
                  f"highest p95 {worst_p95[0]} {worst_p95[1]['p95_ms']:.1f} ms)")
        if bad:
            text += f"; {', '.join(bad)} miss{'' if len(bad) > 1 else 'es'} them"
        cached = [v["cached"]["median_ms"] for v in widgets.values()
                  if (v.get("cached") or {}).get("median_ms") is not None]
        if cached:
            text += f"; revisiting a state takes a median of {_span(cached, '{:.1f}')} ms"
        parts.append(text + ".")
    quiz = results.get("quiz_check_1000_seconds")
    if quiz is not None:
        parts.append(f"Loading the quiz banks and grading 1,000 answers takes {quiz:.3f} s.")
    return " ".join(parts)


def record_in_readme(results: dict, note: str = "", readme: Path = README) -> None:
    """Insert this run (heading, generated summary, optional note, table) below the marker."""
    m = results["machine"]
    section = (f"### {m['date']} - {m['cpu']}, {m['cores']} cores, Python {m['python']}, {m['platform']}\n\n"
               + summary(results) + "\n" + (f"\n{note.strip()}\n" if note.strip() else "")
               + "\n```\n" + report(results) + "\n```\n")
    text = readme.read_text(encoding="utf-8")
    if README_MARKER not in text:
        raise SystemExit(f"{readme} has no {README_MARKER} marker to write below")
    readme.write_text(text.replace(README_MARKER, README_MARKER + "\n\n" + section.rstrip("\n"), 1),
                      encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Run the chosen benchmark parts, print the table and write ``results.json``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", default=",".join(PARTS), help="comma-separated subset of " + ",".join(PARTS))
    parser.add_argument("--lessons", default="", help="comma-separated lesson ids (default: all)")
    parser.add_argument("--widgets", default="", help="comma-separated widget names (default: all in the manifest)")
    parser.add_argument("--repeats", type=int, default=LESSON_REPEATS, help="timed runs per lesson and floor")
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--readme", action="store_true", help=f"record the run in {README.name}")
    parser.add_argument("--note", default="", help="a sentence added under the generated summary (with --readme)")
    args = parser.parse_args(argv)
    parts = set(args.parts.split(","))
    unknown = parts - set(PARTS)
    if unknown:
        parser.error(f"unknown part(s) {', '.join(sorted(unknown))}; choose from {','.join(PARTS)}")
    lessons = manifest()
    if args.lessons:
        wanted = set(args.lessons.split(","))
        lessons = [x for x in lessons if x["id"] in wanted or x["id"].split("_", 1)[0] in wanted]
    # A partial run updates its parts and keeps the others from the previous results, so
    # results.json always has the full shape; "measured" says when each part was run.
    full = parts == set(PARTS) and not args.lessons and not args.widgets
    previous = {}
    if not full and args.output.is_file():
        previous = json.loads(args.output.read_text())
    results: dict = {**previous, "machine": machine()}
    measured = dict(previous.get("measured", {}))
    now = results["machine"]["date"]
    if "lessons" in parts:
        print(f"lessons (nbclient, median of {args.repeats} runs interleaved with an imports-only floor):")
        fresh = bench_lessons(lessons, repeats=args.repeats)
        results["lessons"] = {**(results.get("lessons") or {}), **fresh} if not full else fresh
        measured["lessons"] = now
    if "tables" in parts:
        try:
            results["load_all_tables_seconds"] = bench_tables()
            measured["tables"] = now
        except Exception as exc:
            print(f"  skip tables: {exc}")
    if "widgets" in parts:
        names = list(dict.fromkeys(w for lesson in manifest() for w in lesson.get("widgets") or []))
        if args.widgets:
            names = [n for n in names if n in set(args.widgets.split(","))] or args.widgets.split(",")
        print("widgets (distinct states: cold first visits, then cached revisits):")
        fresh = bench_widgets(names)
        results["widgets"] = {**(results.get("widgets") or {}), **fresh} if not full else fresh
        measured["widgets"] = now
    if "quiz" in parts:
        results["quiz_check_1000_seconds"] = bench_quiz()
        measured["quiz"] = now
    results["measured"] = measured
    if BROWSER_TIMINGS.is_file():
        results["browser"] = {k: v for k, v in json.loads(BROWSER_TIMINGS.read_text()).items()
                              if not k.startswith("fixture-")}
    results["summary"] = summary(results)
    print()
    print(report(results))
    print()
    print(results["summary"])
    args.output.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"\nwrote {args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output}")
    if args.readme:
        if not full:
            print("note: --readme with a partial run records numbers from different runs; "
                  "the 'measured' dates in results.json say which")
        record_in_readme(results, args.note)
        print(f"recorded in {README.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
