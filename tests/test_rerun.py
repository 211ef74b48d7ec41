"""Running a lesson's cells a second time in the same kernel ("Run All" again) gives the
same outputs: no hidden state, no accumulating plots, no order-dependent results.

The lesson kernels always run offline here, however this file is invoked: the
``offline_kernel`` fixture gives every kernel a private IPython profile holding the same
startup files `make test` installs (``tests/support/no_network.py`` and ``semicolon.py``),
and the test checks inside the kernel that the network block is active before any
lesson cell runs. (Before, a direct ``pytest tests/test_rerun.py`` ran the lessons with
the network open, since only the Makefile set ``IPYTHONDIR``.)"""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from exolab.lessons import load_manifest

NB_DIR = Path(__file__).resolve().parent.parent / "notebooks"
SUPPORT = Path(__file__).resolve().parent / "support"
STARTUP = {"00-no-network.py": "no_network.py", "01-semicolon.py": "semicolon.py"}
# Runs in the kernel before the lesson: proves the startup file was loaded.
OFFLINE_CHECK = ("import socket\n"
                 "try:\n"
                 "    socket.getaddrinfo('example.invalid', 80)\n"
                 "except ConnectionRefusedError as exc:\n"
                 "    assert 'lessons must run offline' in str(exc), exc\n"
                 "else:\n"
                 "    raise AssertionError('the no-network startup file is not active')\n")
# Live widget ids differ between runs by design; everything a reader sees must not.
VOLATILE = {"application/vnd.jupyter.widget-view+json", "image/png", "image/svg+xml"}


def _visible(cell) -> list:
    out = []
    for o in cell.get("outputs", []):
        if o["output_type"] == "stream":
            out.append(("stream", o["name"], o["text"]))
        elif o["output_type"] in ("display_data", "execute_result"):
            out.append(("data", json.dumps({k: v for k, v in o["data"].items() if k not in VOLATILE}, sort_keys=True)))
        elif o["output_type"] == "error":
            out.append(("error", o["ename"], o["evalue"]))
    return [re.sub(r"0x[0-9a-f]+", "0x", json.dumps(x)) for x in out]


@pytest.fixture
def offline_kernel(tmp_path, monkeypatch):
    """A private IPYTHONDIR with `make test`'s startup files, inherited by the kernel."""
    startup = tmp_path / "ipython" / "profile_default" / "startup"
    startup.mkdir(parents=True)
    for target, source in STARTUP.items():
        shutil.copy(SUPPORT / source, startup / target)
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    monkeypatch.setenv("MPLCONFIGDIR", str(tmp_path / "mpl"))
    monkeypatch.setenv("EXOLAB_PROGRESS", str(tmp_path / "progress.json"))
    return startup


@pytest.mark.parametrize("entry", load_manifest(), ids=lambda e: e["id"])
def test_run_all_twice_in_one_kernel_gives_the_same_outputs(entry, offline_kernel):
    nb = nbformat.read(NB_DIR / entry["file"], as_version=4)
    client = NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(NB_DIR)}})
    runs = []
    with client.setup_kernel():
        check = nbformat.v4.new_code_cell(OFFLINE_CHECK)
        client.execute_cell(check, 0)   # raises CellExecutionError if the block is missing
        for _ in range(2):
            for index, cell in enumerate(nb.cells):
                if cell.cell_type == "code":
                    client.execute_cell(cell, index)
            runs.append([_visible(c) for c in nb.cells if c.cell_type == "code"])
    first, second = runs
    for i, (a, b) in enumerate(zip(first, second)):
        assert not any(x.startswith('["error"') for x in a), f"{entry['file']} code cell {i} raised: {a}"
        assert a == b, f"{entry['file']} code cell {i} differs on the second Run All:\nfirst:  {a}\nsecond: {b}"


def test_storing_a_lesson_again_reproduces_the_committed_file(tmp_path):
    """tools/execute_notebooks.py is deterministic (seeded widget ids, no timestamps), so the
    committed lesson equals a fresh execution of it: a re-run diff shows only real changes,
    and a committed lesson whose outputs went stale fails here with the cells that differ.
    Pictures are left out (their bytes may differ between font builds)."""
    import sys

    sys.path.insert(0, str(NB_DIR.parent / "tools"))
    import execute_notebooks

    entry = load_manifest()[0]
    committed = NB_DIR / entry["file"]
    copy = tmp_path / entry["file"]
    shutil.copy(committed, copy)
    execute_notebooks.execute(copy, cwd=NB_DIR, quiet=True)

    def comparable(path):
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            for o in cell.get("outputs", []):
                for kind in ("image/png", "image/svg+xml"):
                    o.get("data", {}).pop(kind, None)
        return nb

    old, new = comparable(committed), comparable(copy)
    changed = [i for i, (a, b) in enumerate(zip(old["cells"], new["cells"])) if a != b]
    assert not changed, (f"{entry['file']}: cells {changed} differ from a fresh execution; "
                         "run `make notebooks` and commit the result")
    assert old["metadata"] == new["metadata"], f"{entry['file']}: notebook metadata (widget state) differs"
