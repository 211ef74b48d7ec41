"""`make figures` builds every registered figure with alt text, and the committed
figures/ folder holds each of them (a lesson never points at a missing image)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from exolab import figures

ROOT = Path(__file__).resolve().parent.parent
REGISTERED = figures.registered()


def test_every_lesson_group_registers_figures():
    prefixes = {name[:2] for name in REGISTERED}
    assert prefixes >= {"00", "01", "02", "03", "04", "05", "06"}, sorted(prefixes)


@pytest.mark.parametrize("name", sorted(REGISTERED))
def test_committed_figure_exists_with_alt_text(name):
    for ext in ("png", "svg"):
        assert (ROOT / "figures" / f"{name}.{ext}").is_file(), f"figures/{name}.{ext} missing: run `make figures`"
    readme = (ROOT / "figures" / "README.md").read_text(encoding="utf-8")
    row = re.search(rf"^\| `{re.escape(name)}\.png` \| (.+) \|$", readme, re.M)
    assert row and len(row.group(1)) > 40, f"figures/README.md has no alt text for {name}"


def test_build_writes_png_svg_and_alt_text(tmp_path):
    name = sorted(REGISTERED)[0]
    written = figures.build([name], directory=tmp_path)
    assert {p.name for p in written} == {f"{name}.png", f"{name}.svg"}
    assert (tmp_path / f"{name}.png").read_bytes().startswith(b"\x89PNG")
    assert f"`{name}.png`" in (tmp_path / "README.md").read_text()


def test_unknown_figure_name_is_refused():
    with pytest.raises(KeyError, match="unknown figure"):
        figures.build(["no_such_figure"])


def test_save_figure_requires_alt_text(tmp_path):
    import matplotlib.pyplot as plt

    from exolab.plots import save_figure

    fig, _ = plt.subplots()
    with pytest.raises(ValueError, match="alt text is required"):
        save_figure(fig, "x", alt=" ", directory=tmp_path)


def test_make_figures_command_builds_every_registered_figure(tmp_path):
    import os
    import subprocess
    import sys

    env = dict(os.environ, EXOLAB_FIGURES_DIR=str(tmp_path), MPLCONFIGDIR=str(tmp_path / "mpl"))
    res = subprocess.run([sys.executable, "-m", "exolab.figures"], env=env, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert {p.stem for p in tmp_path.glob("*.png")} == set(REGISTERED)
