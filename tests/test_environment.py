"""pyproject.toml, requirements.txt and environment.yml must pin the same packages
at the same versions (Binder must install exactly what is tested here)."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins(lines) -> dict[str, str]:
    pins = {}
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        name, sep, version = line.partition("==")
        assert sep, f"{line!r} is not an exact pin (name==version)"
        pins[_norm(name)] = version.strip()
    return pins


def requirements() -> dict[str, str]:
    return _pins((ROOT / "requirements.txt").read_text().splitlines())


def test_pyproject_pins_are_exact_and_match_requirements():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    direct = _pins(list(meta["dependencies"]) + list(meta["optional-dependencies"]["test"]))
    req = requirements()
    mismatched = {k: (v, req.get(k)) for k, v in direct.items() if req.get(k) != v}
    assert not mismatched, f"pyproject.toml vs requirements.txt (run `make lock`): {mismatched}"


def test_environment_yml_pins_python_and_the_same_packages():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    deps = env["dependencies"]
    assert "python=3.11" in deps, "environment.yml must pin the Python tested here"
    pip_section = next(d["pip"] for d in deps if isinstance(d, dict) and "pip" in d)
    assert _pins(pip_section) == requirements(), "environment.yml pip: section differs from requirements.txt (run `make lock`)"


def test_the_stack_named_by_the_course_is_pinned():
    req = requirements()
    for name in ("jupyterlab", "ipywidgets", "pandas", "seaborn", "nbval", "pytest", "playwright"):
        assert name in req, f"{name} is missing from requirements.txt"
    assert req["jupyterlab"].startswith("4.") and req["ipywidgets"].startswith("8.")


def test_binder_postbuild_is_strict_bash_and_installs_exolab():
    post = (ROOT / "postBuild").read_text()
    assert post.startswith("#!/bin/bash\n") and "set -euo pipefail" in post
    assert "pip install" in post and "--no-deps" in post
    assert not (ROOT / "binder").exists(), "Binder files live at the repository root, not in binder/"
