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
