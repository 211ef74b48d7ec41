"""Plots for the teaching models. Each helper takes ``data=`` and ``ax=None``, returns the Axes.

With ``data=None`` a helper runs its model with default parameters, so
``plot_pelleting_times()`` alone gives a sensible course figure. The helpers draw with
plain matplotlib (fast enough for widgets) in the fixed Okabe-Ito colours of
:mod:`exolab.plots.theme`, and use fixed axis limits so two settings can be compared by eye.

Artists that depend on the model result carry a ``gid`` (``"curve"``, ``"marker"`` ...);
the matching ``update_*`` function changes only those artists in place. The widgets use
this to redraw just the data layer on every slider move.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import ticker

from .theme import OKABE_ITO

__all__ = ["plot_pelleting_times", "plot_warburg_budget", "plot_resistance_spread",
           "plot_inhibitor_comparison", "FIGSIZE", "DPI",
           "plot_size_distribution", "update_pelleting_times", "update_warburg_budget",
           "update_resistance_spread", "update_size_distribution", "artist", "dynamic_artists",
           "new_axes", "MARGINS"]

BLUE, ORANGE, GREEN, PINK, SKY, VERMILION = OKABE_ITO[:6]
GREY = "#7F7F7F"
PELLET_TIME_LIMITS_H = (1e-3, 1e4)
DYNAMIC = ("curve", "curve2", "marker", "vline", "bars_small", "bars_large")

# Titles are set with an explicit y=1.0: without it matplotlib measures every tick label
# on each draw to keep the title clear of them (a third of a model figure's first draw),
# and no helper here puts tick labels above the axes.

# Plain "0.1, 1, 10" tick labels: clearer for learners than 10^x, and much faster to
# render than mathtext (which matters for widget latency).
_PLAIN = ticker.FuncFormatter(lambda x, _pos: f"{x:,g}")
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
_POWER = ticker.FuncFormatter(
    lambda x, _pos: "10" + str(int(round(np.log10(x)))).translate(_SUPERSCRIPT) if x > 0 else "")


#: Size and resolution of a model figure made by the helpers: large enough to read
#: on a projector (560 x 320 pixels inline).
FIGSIZE = (5.6, 3.2)
DPI = 100

#: Fixed margins (``subplots_adjust`` fractions of :data:`FIGSIZE`) per plot, wide
#: enough for its labels at the course theme's font sizes. The explorers use the same
#: ones. Fixed margins instead of a layout engine or ``bbox_inches="tight"``: each of
#: those draws the whole figure once more just to measure it.
MARGINS = {
    "pelleting": {"left": 0.2, "right": 0.95, "bottom": 0.17, "top": 0.9},
    "warburg": {"left": 0.16, "right": 0.95, "bottom": 0.17, "top": 0.9},
    "resistance": {"left": 0.16, "right": 0.95, "bottom": 0.17, "top": 0.8},
    "size": {"left": 0.16, "right": 0.95, "bottom": 0.17, "top": 0.8},
}


def new_axes(ax=None, figsize=FIGSIZE, margins=None):
    """Return ``ax``, or a new Axes on a fresh pyplot figure of ``figsize`` inches at :data:`DPI`.

    ``margins`` (``subplots_adjust`` arguments) are applied only to a new figure.
    """
    if ax is not None:
        return ax
    fig, ax = plt.subplots(figsize=figsize, dpi=DPI)
    if margins:
        fig.subplots_adjust(**margins)
    return ax


def artist(ax, gid):
    """Return the artist of ``ax`` with this ``gid`` (lines, patches, collections), or None."""
    for a in (*ax.lines, *ax.patches, *ax.collections):
        if a.get_gid() == gid:
            return a
    return None


def dynamic_artists(ax):
    """Artists that the ``update_*`` functions change (in drawing order)."""
    return [a for a in (*ax.patches, *ax.lines) if a.get_gid() in DYNAMIC]


def _legend_above(ax):
    """One-row legend between the title and the axes: the data can fill any corner."""
    ax.legend(fontsize=9, frameon=False, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3,
              borderaxespad=0.1, handlelength=1.6, columnspacing=1.2)


def _decades(a, formatter):
    """Log axis ticks: one labelled tick per power of ten, no minor ticks.

    The 8 unlabelled minor ticks per decade (72 on the pelleting plot) cost drawing time
    and carried no information a learner reads.
    """
    a.set_major_locator(ticker.LogLocator(base=10, numticks=12))
    a.set_minor_locator(ticker.NullLocator())
    a.set_major_formatter(formatter)
    a.set_minor_formatter(ticker.NullFormatter())


def _plain_log(ax, axis="both"):
    targets = {"x": [ax.xaxis], "y": [ax.yaxis], "both": [ax.xaxis, ax.yaxis]}[axis]
    for a in targets:
        _decades(a, _PLAIN)


# --------------------------------------------------------------------------- sedimentation
def _default_pelleting():
    """100,000 g at r_max and 4 C in the course's default rotor, read from the rotors table."""
    from .. import query
    from ..models import sedimentation as sd

    rotor = query.rotors().loc[query.default_rotor()]
    return sd.spin_plan(100, rotor, 100_000, 4.0,
                        curve_diameters_nm=np.geomspace(20, 1000, 60))["table"]


def plot_pelleting_times(data=None, ax=None, *, highlight_nm=None, label="time to pellet"):
    """Pelleting time against vesicle diameter (log-log), exosome size range shaded.

    Parameters
    ----------
    data : pandas.DataFrame, optional
        Output of :func:`exolab.models.sedimentation.pelleting_table` (``diameter_nm``,
        ``time_h``). Default: 20-1000 nm at 100,000 g (at ``r_max``) and 4 C in the
        course's default rotor from the ``rotors`` table (the Type 70 Ti, or the table's
        first rotor when an instructor's table lacks it).
    ax : matplotlib.axes.Axes, optional
    highlight_nm : float, optional
        Diameter to mark with a point.
    label : str
        Legend label of the curve.

    Returns
    -------
    matplotlib.axes.Axes
    """
    data = _default_pelleting() if data is None else data
    ax = new_axes(ax, margins=MARGINS["pelleting"])
    ax.axvspan(30, 150, color=SKY, alpha=0.2, lw=0, label="exosome sizes")
    ax.axhline(1.0, color=GREY, lw=0.8, ls="--")
    ax.plot([], [], color=BLUE, lw=2, label=label, gid="curve")
    ax.plot([], [], "o", color=VERMILION, ms=7, label="selected size", gid="marker")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(20, 1000)
    ax.set_ylim(*PELLET_TIME_LIMITS_H)
    _plain_log(ax)
    ax.xaxis.set_major_locator(ticker.FixedLocator([20, 50, 100, 200, 500, 1000]))
    ax.set_xlabel("vesicle diameter (nm)")
    ax.set_ylabel("time to pellet (h)")
    ax.set_title("Smaller vesicles need longer spins (t ∝ 1/d²)", y=1.0)
    ax.legend(loc="upper right", fontsize=9, frameon=False)
    update_pelleting_times(ax, data, highlight_nm=highlight_nm)
    return ax


def update_pelleting_times(ax, data, *, highlight_nm=None):
    """Put new pelleting times (and marker) on an Axes made by :func:`plot_pelleting_times`."""
    d = data["diameter_nm"].to_numpy(dtype=float)
    t = data["time_h"].to_numpy(dtype=float)
    finite = np.isfinite(t)
    artist(ax, "curve").set_data(d[finite], t[finite])
    marker = artist(ax, "marker")
    if highlight_nm is not None and finite.all():
        y = float(np.exp(np.interp(np.log(highlight_nm), np.log(d), np.log(t))))
        marker.set_data([highlight_nm], [y])
    else:
        marker.set_data([], [])
    return ax


# --------------------------------------------------------------------------- Warburg
def plot_warburg_budget(data=None, ax=None, *, current_share=None):
    """Glucose uptake and lactate output needed for a fixed ATP demand, against oxphos share.

    Parameters
    ----------
    data : pandas.DataFrame, optional
        Output of :func:`exolab.models.warburg.warburg_budget`. Default: demand 100 ATP.
    ax : matplotlib.axes.Axes, optional
    current_share : float, optional
        Mark this ``oxphos_share`` with a vertical line.

    Returns
    -------
    matplotlib.axes.Axes
    """
    from ..models.warburg import warburg_budget

    data = warburg_budget() if data is None else data
    ax = new_axes(ax, margins=MARGINS["warburg"])
    ax.plot([], [], color=BLUE, lw=2, label="glucose taken up", gid="curve")
    ax.plot([], [], color=VERMILION, lw=2, ls="--", label="lactate released", gid="curve2")
    ax.plot([], [], color=GREY, lw=1.2, label="this cell", gid="vline")
    demand = float((data["atp_from_glycolysis"] + data["atp_from_oxphos"]).max())
    ax.set_xlim(0, 1)
    # Glycolysis-only is the worst case: demand/2 glucose and demand lactate.
    ax.set_ylim(0, 1.05 * demand if demand > 0 else 1)
    ax.set_xlabel("share of glucose fully oxidised (OXPHOS)")
    ax.set_ylabel("amount (unit of ATP demand)")
    ax.set_title("Glycolysis-only cells need far more glucose", y=1.0)
    ax.legend(fontsize=9, frameon=False, loc="upper right")
    update_warburg_budget(ax, data, current_share=current_share)
    return ax


def update_warburg_budget(ax, data, *, current_share=None):
    """Put a new budget (and share marker) on an Axes made by :func:`plot_warburg_budget`."""
    share = data["oxphos_share"].to_numpy(dtype=float)
    artist(ax, "curve").set_data(share, data["glucose_uptake"].to_numpy(dtype=float))
    artist(ax, "curve2").set_data(share, data["lactate_output"].to_numpy(dtype=float))
    vline = artist(ax, "vline")
    if current_share is None:
        vline.set_data([], [])
    else:
        vline.set_data([current_share, current_share], [0, ax.get_ylim()[1]])
    return ax


# --------------------------------------------------------------------------- resistance
def plot_resistance_spread(data=None, ax=None, *, dominance_day=None, capacity=1e7):
    """Sensitive and resistant cell numbers over time (log scale).

    Parameters
    ----------
    data : pandas.DataFrame, optional
        Output of :func:`exolab.models.resistance.simulate_resistance` (default parameters
        if omitted).
    ax : matplotlib.axes.Axes, optional
    dominance_day : float, optional
        Draw a vertical line where resistant cells reach half the tumour.
    capacity : float
        Sets the top of the cell-number axis.

    Returns
    -------
    matplotlib.axes.Axes
    """
    from ..models.resistance import simulate_resistance

    data = simulate_resistance() if data is None else data
    ax = new_axes(ax, margins=MARGINS["resistance"])
    ax.plot([], [], color=BLUE, lw=2, label="sensitive", gid="curve")
    ax.plot([], [], color=VERMILION, lw=2, label="resistant", gid="curve2")
    ax.plot([], [], color=GREY, lw=1, ls="--", label="resistant ≥ 50 %", gid="vline")
    ax.set_yscale("log")
    top = max(float(capacity), float(data[["sensitive", "resistant"]].to_numpy().max()))
    ax.set_ylim(1, 2 * top)
    _decades(ax.yaxis, _POWER)
    ax.set_xlim(0, float(data["time"].iloc[-1]))
    ax.set_xlabel("time (days)")
    ax.set_ylabel("cells")
    ax.set_title("Resistance spreading through a tumour", pad=22, y=1.0)
    _legend_above(ax)
    update_resistance_spread(ax, data, dominance_day=dominance_day)
    return ax


def update_resistance_spread(ax, data, *, dominance_day=None):
    """Put a new simulation on an Axes made by :func:`plot_resistance_spread`."""
    t = data["time"].to_numpy(dtype=float)
    artist(ax, "curve").set_data(t, data["sensitive"].to_numpy(dtype=float))
    artist(ax, "curve2").set_data(t, data["resistant"].to_numpy(dtype=float))
    vline = artist(ax, "vline")
    if dominance_day is None:
        vline.set_data([], [])
    else:
        vline.set_data([dominance_day, dominance_day], list(ax.get_ylim()))
    return ax


def plot_inhibitor_comparison(data=None, ax=None, *, inhibitors=(0.0, 1.0), **params):
    """Resistance spread side by side without and with an exosome-release inhibitor.

    Parameters
    ----------
    data : sequence of pandas.DataFrame, optional
        One :func:`exolab.models.resistance.simulate_resistance` run per panel.
        Default: the model run at each of ``inhibitors`` (other settings from ``params``).
    ax : sequence of matplotlib.axes.Axes, optional
        One Axes per panel (default: a new row of panels sharing the cell axis).
    inhibitors : sequence of float
        Inhibitor strength of each panel (0 = none, 1 = complete), used for the runs
        and the panel titles.
    **params
        Passed to :func:`~exolab.models.resistance.simulate_resistance` (``dose``,
        ``transfer_rate`` ...).

    Returns
    -------
    numpy.ndarray of matplotlib.axes.Axes
        One Axes per panel, each drawn by :func:`plot_resistance_spread` with the day
        resistant cells reach half the tumour marked.
    """
    from ..models.resistance import simulate_resistance, time_to_dominance

    inhibitors = list(inhibitors)
    runs = (list(data) if data is not None
            else [simulate_resistance(inhibitor=i, **params) for i in inhibitors])
    own = ax is None
    if own:
        _fig, ax = plt.subplots(1, len(runs), figsize=(FIGSIZE[0] * len(runs) * 0.9, FIGSIZE[1] + 0.3),
                                dpi=DPI, sharey=True, squeeze=False)
        ax = ax[0]
    axes = np.asarray(ax, dtype=object).ravel()
    if len(axes) != len(runs):
        raise ValueError(f"plot_inhibitor_comparison: {len(runs)} runs but {len(axes)} axes")
    for a, run, inhibitor in zip(axes, runs, inhibitors + [None] * len(runs)):
        plot_resistance_spread(run, ax=a, dominance_day=time_to_dominance(run))
        if inhibitor is not None:
            a.set_title(f"release inhibitor = {inhibitor:.0%}", pad=22, y=1.0)
    if own:
        for a in axes[1:]:
            a.set_ylabel("")
        # Fixed margins, not tight_layout(): that measures by drawing the figure.
        m = MARGINS["resistance"]
        axes[0].figure.subplots_adjust(left=m["left"] / len(runs) * 0.95, right=0.98,
                                       bottom=m["bottom"], top=0.78, wspace=0.1)
    return axes


# --------------------------------------------------------------------------- sizing
def _size_counts(data, edges):
    out = []
    for population in ("exosome-sized", "larger vesicles"):
        d = data.loc[data["population"] == population, "diameter_nm"].to_numpy()
        out.append(np.histogram(d, bins=edges)[0].astype(float))
    return out


def size_axis_top(data, *, bin_nm=10.0, max_nm=800.0):
    """A rounded y-limit for :func:`plot_size_distribution` (so small changes keep the frame)."""
    edges = np.arange(0.0, max_nm + bin_nm, bin_nm)
    small, large = _size_counts(data, edges)
    n = float(max(len(data), 1))
    share = float((small + large).max()) / n * 1.1
    # Coarse steps (10 %, 20 % ... of the particles) keep the frame through most changes.
    for level in (0.1, 0.2, 0.3, 0.4, 0.6, 0.8, 1.0):
        if share <= level:
            return level * n
    return n


def plot_size_distribution(data=None, ax=None, *, cutoff_nm=200.0, bin_nm=10.0, max_nm=800.0,
                           ymax=None):
    """Histogram of a simulated NTA measurement, stacked by true population, cut-off marked.

    Parameters
    ----------
    data : pandas.DataFrame, optional
        Output of :func:`exolab.models.sizing.simulate_nta` (seed 0 if omitted).
    ax : matplotlib.axes.Axes, optional
    cutoff_nm : float
        Small/medium-large boundary to mark (MISEV: 200 nm).
    bin_nm, max_nm : float
        Bin width and upper edge of the histogram (nm).
    ymax : float, optional
        Top of the count axis (default: from the data).

    Returns
    -------
    matplotlib.axes.Axes
        The two stacked histograms are ``StepPatch`` artists with gids ``bars_small`` and
        ``bars_large`` (``get_data()`` gives counts and edges).
    """
    from ..models.sizing import simulate_nta

    data = simulate_nta() if data is None else data
    ax = new_axes(ax, margins=MARGINS["size"])
    edges = np.arange(0.0, max_nm + bin_nm, bin_nm)
    zeros = np.zeros(edges.size - 1)
    ax.stairs(zeros, edges, fill=True, color=BLUE, lw=0, label="exosome-sized", gid="bars_small")
    ax.stairs(zeros, edges, fill=True, color=ORANGE, lw=0, label="larger vesicles",
              gid="bars_large")
    ax.plot([], [], color="black", lw=1.2, ls="--", label="size cut-off", gid="vline")
    ax.set_xlim(0, max_nm)
    ax.set_ylim(0, ymax if ymax is not None else size_axis_top(data, bin_nm=bin_nm, max_nm=max_nm))
    ax.set_xlabel("diameter (nm)")
    ax.set_ylabel(f"particles per {bin_nm:g} nm")
    ax.set_title("Simulated NTA size distribution", pad=22, y=1.0)
    _legend_above(ax)
    update_size_distribution(ax, data, cutoff_nm=cutoff_nm)
    return ax


def update_size_distribution(ax, data, *, cutoff_nm=200.0):
    """Put a new measurement on an Axes made by :func:`plot_size_distribution`."""
    small_patch, large_patch = artist(ax, "bars_small"), artist(ax, "bars_large")
    edges = small_patch.get_data().edges
    small, large = _size_counts(data, edges)
    small_patch.set_data(small, edges, 0)
    large_patch.set_data(small + large, edges, small)
    artist(ax, "vline").set_data([cutoff_nm, cutoff_nm], [0, ax.get_ylim()[1]])
    return ax
