"""The README states the two commands and carries a course map that matches the manifest."""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import course_map  # noqa: E402


def test_course_map_is_up_to_date():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert course_map.render(readme) == readme, "README course map is stale: run `python tools/course_map.py`"


def test_readme_names_the_two_commands_and_binder_links():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make lab" in readme and "make test" in readme
    from exolab.lessons import load_manifest
    for entry in load_manifest():
        assert f"urlpath=lab/tree/notebooks/{entry['file']}" in readme
    assert "git-pull?repo=" in readme


def test_ci_runs_exactly_make_test():
    run = (ROOT / ".ci" / "run").read_text()
    commands = [l.strip() for l in run.splitlines() if l.strip() and not l.strip().startswith("#")]
    assert "make test" in commands and not any(c.startswith(("pytest", "python")) for c in commands)


NUMBER_WORDS = {w: n for n, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve".split())}


def test_counts_in_prose_match_the_project():
    """Numbers typed in the README and CONTRIBUTING are checked against what they count."""
    import re

    from exolab.lessons import load_manifest

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    lessons = re.search(r"^(\w+) Jupyter lessons", readme, re.M)
    assert lessons, "README should open with '<N> Jupyter lessons'"
    assert NUMBER_WORDS[lessons.group(1).lower()] == len(load_manifest()), (
        f"README says {lessons.group(1)!r} lessons; the manifest lists {len(load_manifest())}")

    budget = re.search(r"budget for loading \*every\* table, validated\s*\(([\d.]+) s", readme)
    sys.path.insert(0, str(ROOT / "tests"))
    import test_data_registry

    assert budget and float(budget.group(1)) == test_data_registry.LOAD_BUDGET_S, (
        "README's loading budget differs from tests/test_data_registry.py LOAD_BUDGET_S")

    contributing = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    startup = re.search(r"with (\w+) IPython startup files", contributing)
    copied = re.findall(r"cp tests/support/\S+ \S+/startup/", (ROOT / "Makefile").read_text())
    assert startup and NUMBER_WORDS[startup.group(1).lower()] == len(copied), (
        f"CONTRIBUTING names {startup and startup.group(1)!r} startup files; the Makefile installs {len(copied)}")


def test_every_make_command_the_docs_name_is_a_makefile_target():
    import re

    targets = set(re.findall(r"^([a-z][\w-]*):", (ROOT / "Makefile").read_text(), re.M))
    for doc in ("README.md", "CONTRIBUTING.md", "benchmarks/README.md"):
        named = set(re.findall(r"`make ([a-z][\w-]*)", (ROOT / doc).read_text(encoding="utf-8")))
        named |= set(re.findall(r"^make ([a-z][\w-]*)", (ROOT / doc).read_text(encoding="utf-8"), re.M))
        assert named, doc
        assert named <= targets, f"{doc} names make {sorted(named - targets)}, which the Makefile lacks"
