"""Shared pytest fixtures: a non-interactive backend, closed figures, private state."""
from __future__ import annotations

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

# Notebooks under tests/ are fixtures the browser tests open on purpose (some are
# broken by design); only notebooks/ is run by nbval.
collect_ignore_glob = ["*.ipynb", "**/*.ipynb"]


@pytest.fixture(autouse=True)
def _close_figures():
    """Close every figure a test opened, so tests cannot see each other's plots."""
    yield
    plt.close("all")


@pytest.fixture(autouse=True)
def _private_progress(tmp_path, monkeypatch):
    """Give each test its own quiz-progress file; never touch the learner's ~/.exolab."""
    monkeypatch.setenv("EXOLAB_PROGRESS", str(tmp_path / "progress.json"))
    monkeypatch.delenv("EXOLAB_INSTRUCTOR", raising=False)
    yield


@pytest.fixture
def kb(monkeypatch):
    """Point exolab.data at the small synthetic knowledge base in tests/fixtures/kb."""
    import exolab.data as d

    monkeypatch.setenv("EXOLAB_DATA_DIR", str(Path(__file__).parent / "fixtures" / "kb"))
    d.clear_cache()
    yield
    d.clear_cache()
