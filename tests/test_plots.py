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
