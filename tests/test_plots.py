"""Model plots (exolab.plots.models): colours, legends, sizes and the inhibitor comparison.

Checked on artists and their drawn positions, never on pixels.
"""
from __future__ import annotations

import numpy as np
import pytest
from matplotlib.colors import to_rgba

from exolab.models import resistance as rs
from exolab.models import sizing as sz
from exolab.plots import models as pm


def _drawn(ax):
    ax.figure.canvas.draw()
    return ax.figure.canvas.get_renderer()


def _points_inside(ax, bbox):
    """How many plotted line points fall inside a display-space box."""
    inside = 0
    for line in ax.lines:
        xy = np.column_stack(line.get_data())
        if xy.size == 0:
            continue
        for x, y in ax.transData.transform(xy.astype(float)):
            inside += bbox.contains(x, y)
    return inside


def test_warburg_glucose_and_lactate_use_distinct_palette_colours():
    ax = pm.plot_warburg_budget(current_share=0.2)
    glucose, lactate = pm.artist(ax, "curve"), pm.artist(ax, "curve2")
    assert to_rgba(glucose.get_color()) == to_rgba(pm.BLUE)
    assert to_rgba(lactate.get_color()) == to_rgba(pm.VERMILION)


@pytest.mark.parametrize("make", [
    lambda: pm.plot_resistance_spread(rs.simulate_resistance()),
    lambda: pm.plot_resistance_spread(rs.simulate_resistance(inhibitor=1.0)),
    lambda: pm.plot_resistance_spread(rs.simulate_resistance(dose=0.0)),
    lambda: pm.plot_size_distribution(),
    lambda: pm.plot_size_distribution(sz.simulate_nta(small_fraction=0.1, large_median_nm=600)),
])
def test_legends_sit_above_the_data(make):
    ax = make()
    renderer = _drawn(ax)
    legend = ax.get_legend().get_window_extent(renderer)
    assert legend.y0 >= ax.get_window_extent(renderer).y1 - 1       # above the plotting area
    assert legend.y1 <= ax.title.get_window_extent(renderer).y0 + 1  # below the title


def test_warburg_legend_covers_no_curve_point():
    ax = pm.plot_warburg_budget(current_share=0.2)
    renderer = _drawn(ax)
    assert _points_inside(ax, ax.get_legend().get_window_extent(renderer)) == 0


def test_model_figures_are_large_enough_to_project():
    ax = pm.plot_pelleting_times()
    w, h = ax.figure.get_size_inches() * ax.figure.dpi
    assert w >= 560 and h >= 320


def test_inhibitor_comparison_draws_one_panel_per_inhibitor():
    axes = pm.plot_inhibitor_comparison()
    assert len(axes) == 2 and axes[0].figure is axes[1].figure
    assert [a.get_title() for a in axes] == ["release inhibitor = 0%", "release inhibitor = 100%"]
    days = [pm.artist(a, "vline").get_xdata()[0] for a in axes]
    expected = [rs.time_to_dominance(rs.simulate_resistance(inhibitor=i)) for i in (0.0, 1.0)]
    assert days == pytest.approx(expected)
    assert days[1] > days[0]                                    # the inhibitor buys time
    assert axes[0].get_shared_y_axes().joined(axes[0], axes[1])


def test_inhibitor_comparison_takes_runs_axes_and_model_settings():
    import matplotlib.pyplot as plt

    _fig, given = plt.subplots(1, 3)
    axes = pm.plot_inhibitor_comparison(ax=given, inhibitors=(0.0, 0.5, 1.0), dose=2.0)
    assert list(axes) == list(given)
    run = rs.simulate_resistance(inhibitor=0.5, dose=2.0)
    assert pm.artist(axes[1], "curve2").get_ydata() == pytest.approx(run["resistant"].to_numpy())
    with pytest.raises(ValueError, match="2 runs but 3 axes"):
        pm.plot_inhibitor_comparison(ax=given)


def test_figure_builder_uses_the_plot_helper():
    from exolab._figs.lessons_b import inhibitor_comparison_fig

    fig = inhibitor_comparison_fig()
    assert [a.get_title() for a in fig.axes] == ["release inhibitor = 0%", "release inhibitor = 100%"]


# ------------------------------------------------------------------ palettes ---

def test_fixed_palettes_have_no_duplicate_colours():
    from exolab.plots import theme

    for palette in (theme.THEME_COLOURS, theme.CARGO_COLOURS):
        colours = [to_rgba(c) for c in palette.values()]
        assert len(set(colours)) == len(colours), palette
        assert not {to_rgba(c) for c in theme.EXTRA_COLOURS} & set(colours)


def test_unknown_levels_get_their_own_colours_not_grey():
    from exolab.plots import palette_for

    colours = palette_for("cargo_class", ["protein", "mixed", "exosomal_dna", "peptide"])
    assert colours["protein"] == "#0072B2" and colours["mixed"] == "#7F7F7F"
    assert len({colours["exosomal_dna"], colours["peptide"], colours["mixed"]}) == 3
    themes = palette_for("theme", ["therapy", "ageing"])
    assert themes["ageing"] != themes["therapy"]


def test_yellow_bars_get_a_dark_edge(kb):
    import exolab.data as d
    from exolab.plots import data as pdata

    findings = d.load("findings")
    findings.loc[findings["finding_id"] == "F008", "cargo_class"] = "metabolite"
    ax = pdata.plot_findings_summary(findings, by="cargo_class")
    bars = {t.get_text(): p for t, p in zip(ax.get_yticklabels(),
                                             [p for p in ax.patches if p.get_gid() == "bar"])}
    yellow = bars["metabolite"]
    assert to_rgba(yellow.get_facecolor()) == to_rgba("#F0E442")
    assert yellow.get_edgecolor()[3] == 1 and sum(yellow.get_edgecolor()[:3]) < 1.6   # dark outline
    assert bars["protein"].get_edgecolor()[3] == 0                                   # dark fills: none


# ------------------------------------------------------------- speed helpers ---

@pytest.mark.parametrize("make", [pm.plot_pelleting_times, pm.plot_resistance_spread])
def test_log_axes_have_no_minor_ticks(make):
    ax = make()
    for axis in (ax.xaxis, ax.yaxis):
        if axis.get_scale() == "log":
            assert axis.get_minorticklocs().size == 0


def _own_figures():
    from exolab import query as q
    from exolab.plots import data as pdata

    return [
        lambda: pm.plot_pelleting_times(highlight_nm=100), lambda: pm.plot_warburg_budget(current_share=0.2),
        lambda: pm.plot_resistance_spread(), lambda: pm.plot_size_distribution(),
        lambda: pm.plot_inhibitor_comparison()[0],
        lambda: pdata.plot_theme_counts(), lambda: pdata.plot_findings_summary(q.filter_findings(), by="effect"),
        lambda: pdata.plot_findings_summary(q.filter_findings(), by="donor_cell"),
        lambda: pdata.plot_resistance_matrix(), lambda: pdata.plot_communication_heatmap(),
    ]


@pytest.mark.parametrize("index", range(10))
@pytest.mark.parametrize("themed", [False, True])
def test_fixed_margins_keep_every_label_inside_the_figure(index, themed):
    """Inline figures are saved without bbox_inches="tight", so nothing may stick out."""
    from exolab.plots import set_theme

    if themed:
        set_theme()
    ax = _own_figures()[index]()
    fig = ax.figure
    assert fig.get_layout_engine() is None
    renderer = _drawn(ax)
    box = fig.bbox
    for a in fig.axes:
        lo, hi = sorted(a.get_xlim())
        texts = [t for t in a.get_xticklabels() if lo <= t.get_position()[0] <= hi]
        lo, hi = sorted(a.get_ylim())
        texts += [t for t in a.get_yticklabels() if lo <= t.get_position()[1] <= hi]
        texts += [a.title, a.xaxis.label, a.yaxis.label, *([a.get_legend()] if a.get_legend() else [])]
        for t in texts:
            if not t.get_visible() or (hasattr(t, "get_text") and not t.get_text()):
                continue
            e = t.get_window_extent(renderer)
            assert box.x0 - 1 <= e.x0 and e.x1 <= box.x1 + 1 and box.y0 - 1 <= e.y0 and e.y1 <= box.y1 + 1, (
                getattr(t, "get_text", lambda: t)(), e, box)


def test_save_figure_accepts_axes_arrays_and_figures(tmp_path):
    from exolab.plots import save_figure

    ax = pm.plot_warburg_budget()
    for i, obj in enumerate((ax, ax.figure, pm.plot_inhibitor_comparison())):
        written = save_figure(obj, f"fig{i}", alt="A test figure of the model.", directory=tmp_path)
        assert [p.suffix for p in written] == [".png", ".svg"] and written[0].stat().st_size > 1000
    with pytest.raises(ValueError, match="Figure or Axes"):
        save_figure("not a figure", "x", alt="alt text", directory=tmp_path)


def test_set_theme_stops_the_inline_backend_drawing_twice():
    import subprocess
    import sys

    code = """
from IPython.core.interactiveshell import InteractiveShell
shell = InteractiveShell.instance()
import matplotlib
matplotlib.use("module://matplotlib_inline.backend_inline")   # what %matplotlib inline sets up
from matplotlib_inline.backend_inline import configure_inline_support
configure_inline_support(shell, "inline")
from matplotlib_inline.config import InlineBackend
assert InlineBackend.instance().print_figure_kwargs["bbox_inches"] == "tight"
import exolab.plots
exolab.plots.set_theme()
assert InlineBackend.instance().print_figure_kwargs["bbox_inches"] is None
png = shell.display_formatter.formatters["image/png"]
from exolab.plots.models import plot_warburg_budget
fig = plot_warburg_budget().figure
assert png.lookup(fig).keywords["bbox_inches"] is None   # the formatter itself was re-registered
data = png(fig)
if isinstance(data, str):
    import base64
    data = base64.b64decode(data)
from PIL import Image
import io
w, h = Image.open(io.BytesIO(data)).size
print(w, h, fig.get_size_inches() * fig.dpi)
assert (w, h) == tuple(int(round(x)) for x in fig.get_size_inches() * fig.dpi)   # not cropped
exolab.plots.set_theme()   # idempotent
print("ok")
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip().endswith("ok"), out.stderr[-2000:]
