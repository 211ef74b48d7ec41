"""Execute lesson notebooks in place so their stored outputs (and widget state) are current.

Usage::

    python tools/execute_notebooks.py [NOTEBOOK ...]

Without arguments every lesson in ``notebooks/lessons.yml`` is executed. Each
notebook runs in a fresh ``python3`` kernel with ``notebooks/`` as its working
directory and the same isolation as the tests: Jupyter, IPython and matplotlib
state and the quiz-progress file live in a temporary folder, outbound network
is blocked, and ``PYTHONHASHSEED=0``. Widget state is stored so GitHub and
nbviewer show the widgets, under seeded model ids (``tools/stable_widget_ids.py``), so
re-running a lesson whose outputs did not change leaves its file unchanged. Nothing is
sanitized.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
TIMEOUT = 600


def lesson_paths() -> list[Path]:
    """Return every lesson notebook named in the manifest, in manifest order.

    Returns
    -------
    list of pathlib.Path
    """
    try:
        from exolab.lessons import load_manifest

        data = load_manifest()
    except ImportError:
        import yaml

        data = yaml.safe_load((NOTEBOOKS / "lessons.yml").read_text()) or {}
    lessons = data.get("lessons", []) if isinstance(data, dict) else list(data)
    return [NOTEBOOKS / (x["file"] if isinstance(x, dict) else x.file) for x in lessons or []]


@contextmanager
def isolated_env():
    """Point Jupyter/IPython/matplotlib state and ``EXOLAB_PROGRESS`` at a temporary folder.

    Yields
    ------
    dict
        The environment for the kernel (``os.environ`` is patched while active).
    """
    saved = dict(os.environ)
    state = Path(tempfile.mkdtemp(prefix="exolab-exec-"))
    try:
        os.environ.update(
            JUPYTER_CONFIG_DIR=str(state / "jupyter-config"), JUPYTER_DATA_DIR=str(state / "jupyter-data"),
            JUPYTER_RUNTIME_DIR=str(state / "jupyter-runtime"), IPYTHONDIR=str(state / "ipython"),
            MPLCONFIGDIR=str(state / "mpl"), EXOLAB_PROGRESS=str(state / "progress.json"),
            PYTHONHASHSEED="0",
            # a fixed learner keeps the stored widget state (shuffled option order)
            # identical between executions, so re-running a lesson gives a clean diff
            EXOLAB_LEARNER="exolab-stored-outputs")
        os.environ.pop("EXOLAB_INSTRUCTOR", None)
        os.environ.pop("MPLBACKEND", None)
        startup = state / "ipython" / "profile_default" / "startup"
        startup.mkdir(parents=True)
        shutil.copy(ROOT / "tests" / "support" / "no_network.py", startup / "00-no-network.py")
        shutil.copy(ROOT / "tools" / "stable_widget_ids.py", startup / "02-stable-widget-ids.py")
        yield dict(os.environ)
    finally:
        os.environ.clear()
        os.environ.update(saved)
        shutil.rmtree(state, ignore_errors=True)


def execute(path: Path, *, timeout: int = TIMEOUT, cwd: Path = NOTEBOOKS, write: bool = True, quiet: bool = False):
    """Execute one notebook in a fresh kernel; optionally write it back in place.

    Parameters
    ----------
    path : pathlib.Path
        The notebook.
    timeout : int
        Seconds allowed per cell.
    cwd : pathlib.Path
        Kernel working directory (``notebooks/``, where lessons run).
    write : bool
        Write the executed notebook back to ``path``.
    quiet : bool
        Discard the kernel process's own stderr (its start-up warnings).

    Returns
    -------
    nbformat.NotebookNode
        The executed notebook.
    """
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:  # timestamps would change every line of a re-run's diff
        cell.get("metadata", {}).pop("execution", None)
    with isolated_env():
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3", store_widget_state=True,
                                record_timing=False, resources={"metadata": {"path": str(cwd)}})
        client.execute(**({"stderr": subprocess.DEVNULL} if quiet else {}))
    if write:
        nbformat.write(nb, path)
    return nb


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; return the exit status (1 if any notebook failed)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every lesson in notebooks/lessons.yml")
    parser.add_argument("--timeout", type=int, default=TIMEOUT, help="seconds per cell (default %(default)s)")
    args = parser.parse_args(argv)
    paths = [p.resolve() for p in args.notebooks] or lesson_paths()
    if not paths:
        print("No notebooks given and the manifest lists no lessons.", file=sys.stderr)
        return 1
    failed = 0
    for path in paths:
        if not path.is_file():
            print(f"MISSING {path}", file=sys.stderr)
            failed += 1
            continue
        start = time.perf_counter()
        try:
            execute(path, timeout=args.timeout)
        except Exception as exc:  # nbclient raises CellExecutionError, timeouts, kernel deaths
            failed += 1
            print(f"FAILED  {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: "
                  f"{type(exc).__name__}: {str(exc)[-2000:]}", file=sys.stderr)
            continue
        print(f"ok      {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}"
              f"  ({time.perf_counter() - start:.1f} s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
