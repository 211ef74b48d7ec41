"""The curated data travels inside the wheel: a plain `pip install .` used outside
the repository finds it (never relative to the current directory)."""
from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # --no-build-isolation: build with the hatchling pinned in the venv, offline and fast.
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(out), str(ROOT)], check=True)
    (whl,) = out.glob("exolab-*.whl")
    return whl


def test_wheel_contains_registry_tables_and_manifest(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "exolab/_bundled/data/tables.yml" in names
    assert "exolab/_bundled/lessons.yml" in names
    import exolab.data as d
    for table in d.list_tables():
        spec = d.registry()["tables"][table]
        assert f"exolab/_bundled/data/{spec['file']}" in names, f"{table} data missing from the wheel"
        assert f"exolab/_bundled/data/{spec['description']}" in names


def test_installed_wheel_finds_its_data_from_another_directory(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("EXOLAB_")}
    env["PYTHONPATH"] = str(site)
    code = ("import exolab, exolab.data as d, exolab._paths as p; "
            "assert str(p.data_dir()).startswith(%r), p.data_dir(); "
            "print(len(d.list_tables()), len(d.load(d.list_tables()[0])) > 0)") % str(site)
    res = subprocess.run([sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(site)!r}); {code}"],
                         cwd=elsewhere, env=env, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    n_tables, has_rows = res.stdout.split()
    assert int(n_tables) >= 1 and has_rows == "True"
