"""Explorers over the teaching models: sliders in, a readout and a small plot out.

Each factory returns a :class:`~exolab.widgets._base.Panel` with extra attributes for
tests and notebooks: ``controls`` (name -> widget), ``readout`` (HTML widget),
``output`` (plot Output), ``figure`` (the reused matplotlib Figure), ``result`` (the last
model result) and ``error`` (the last friendly message, or ``None``).

Callbacks stay thin: read the values, call one pure function per explorer
(:func:`exolab.models.sedimentation.spin_plan`, :func:`exolab.models.warburg.explore`,
:func:`exolab.models.resistance.explore`, :func:`exolab.models.sizing.explore`), format
the readout and draw. All model logic lives in :mod:`exolab.models` and all drawing in
:mod:`exolab.plots.models`. A setting the model refuses, or a data table that cannot be
read, shows a message in place of the readout and the plot (never a stale view); the
next valid setting brings them back.
"""
from __future__ import annotations

import html
import io
import math
from typing import Callable

import ipywidgets as W
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from .. import query as q
from ..data import DataError
from ..models import resistance as rs
from ..models import sedimentation as sd
from ..models import sizing as sz
from ..models import warburg as wb
from ..plots import models as pm
from ..plots.theme import set_theme
from ._base import Panel, message_html, show_error, show_png

__all__ = ["sedimentation_explorer", "warburg_explorer", "resistance_explorer", "size_explorer"]

# Wide enough for the longest description ("exosomal transfer (/day)") without an ellipsis.
_STYLE = {"description_width": "14em"}
_SLIDER_WIDTH = "40em"
_TEXT_WIDTH = "22em"
_DPI = 96                # model figures: readable when projected, still quick to encode
_FIGSIZE = (5.6, 3.2)


def _slider(cls, description, **kw):
    return cls(description=description, style=_STYLE, layout=W.Layout(width=_SLIDER_WIDTH),
               continuous_update=False, **kw)


def _text(cls, description, **kw):
    return cls(description=description, style=_STYLE, layout=W.Layout(width=_TEXT_WIDTH), **kw)


def _label(text: str) -> W.HTML:
    """A right-aligned label as wide as the controls' descriptions, for a control without one."""
    return W.HTML(f"<div style='text-align:right;line-height:28px;white-space:nowrap;overflow:hidden;"
                  f"text-overflow:ellipsis' title='{html.escape(text, quote=True)}'>{html.escape(text)}</div>",
                  layout=W.Layout(width=_STYLE["description_width"], flex="0 0 auto",
                                  margin="0 8px 0 0"))


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _fmt(x, digits=3):
    """Human number: 3 significant digits, thousands separated below a million,
    ``4.2 × 10¹⁴`` above (a 300-digit integer helps nobody), ``∞`` for infinity.

    What an infinite value *means* ("never pellets") is for the caller to say.
    """
    if x is None:
        return "–"
    x = float(x)
    if math.isnan(x):
        return "–"
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    if abs(x) >= 1e6:
        mantissa, exponent = f"{x:.{digits}e}".split("e")
        mantissa = f"{float(mantissa):.{digits}g}"
        return f"{mantissa} × 10{str(int(exponent)).translate(_SUPERSCRIPT)}"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.{digits}g}"


def _problem(exc: Exception) -> str:
    """The message a learner sees instead of the readout and the plot."""
    if isinstance(exc, DataError):
        return (f"The course data could not be read: {exc}. Fix or undo the change to that "
                "file, then move any control to try again.")
    if isinstance(exc, ValueError):
        return f"Cannot compute with these settings: {exc}"
    if isinstance(exc, LookupError):
        return f"Not found: {exc.args[0] if exc.args else exc}"
    return f"Something went wrong while computing ({exc}); change a setting to try again."


def _table(rows) -> str:
    cell = "text-align:left;vertical-align:top;line-height:1.35;padding:2px 8px 2px 0"
    cells = "".join(f"<tr><th style='{cell};padding-right:1.2em'>{html.escape(k)}</th>"
                    f"<td style='{cell}'>{html.escape(str(v))}</td></tr>" for k, v in rows)
    return (f"<table class='exolab-readout' style='border-collapse:collapse;margin:0.3em 0;"
            f"line-height:1.35'>{cells}</table>")


class _FastFigure:
    """A reused Agg figure that redraws only its data layer between frame changes.

    The static frame (axes, ticks, labels, legend) is rendered once and kept as a
    bitmap; each update restores it and draws only the artists that
    :func:`exolab.plots.models.dynamic_artists` reports. Rendering the whole figure
    took 10x longer, mostly in text layout.
    """

    def __init__(self, figsize, dpi=_DPI, margins=None):
        self.figure = Figure(figsize=figsize, dpi=dpi)
        # Fixed margins (the inline plots' own) instead of tight/constrained layout:
        # layout passes cost more than the whole blitted update.
        self.figure.subplots_adjust(**(margins or pm.MARGINS["warburg"]))
        self.canvas = FigureCanvasAgg(self.figure)
        self.ax = self.figure.add_subplot()
        self._blank = True          # a fresh Axes needs no clear() before its first frame
        self.frame_key = object()
        self._background = None
        self._dynamic: list = []
        self._frames: dict = {}

    def render(self, frame_key, draw_full, draw_update) -> bytes:
        cached = self._frames.get(frame_key)
        if frame_key == self.frame_key and self._background is not None:
            draw_update(self.ax)
            self.canvas.restore_region(self._background)
        elif cached is not None:
            # A frame seen before: its bitmap and limits are kept, so only the data
            # layer is drawn (the static artists are identical across frames).
            self._background, xlim, ylim = cached
            self.ax.set_xlim(xlim)
            self.ax.set_ylim(ylim)
            self.frame_key = frame_key
            draw_update(self.ax)
            self.canvas.restore_region(self._background)
        else:
            if not self._blank:
                self.ax.clear()
            self._blank = False
            draw_full(self.ax)
            self._dynamic = pm.dynamic_artists(self.ax)
            for a in self._dynamic:
                a.set_animated(True)
            self.canvas.draw()
            self._background = self.canvas.copy_from_bbox(self.figure.bbox)
            self.frame_key = frame_key
            if len(self._frames) >= 16:
                self._frames.pop(next(iter(self._frames)))
            self._frames[frame_key] = (self._background, self.ax.get_xlim(), self.ax.get_ylim())
        for a in self._dynamic:
            self.ax.draw_artist(a)
        rgba = np.asarray(self.canvas.buffer_rgba())
        buf = io.BytesIO()
        Image.fromarray(rgba[..., :3]).save(buf, format="png", compress_level=3)
        return buf.getvalue()


def _same_frame(_values, _result):
    return None


class _Explorer:
    """Wire controls -> compute -> (readout, plot) and build the Panel with its fallback."""

    def __init__(self, title: str, controls: dict, compute: Callable[[dict], dict],
                 summary: Callable[[dict, dict], list], draw_full: Callable,
                 draw_update: Callable, frame_key: Callable | None = None, *,
                 figsize=_FIGSIZE, margins: dict | None = None, intro: str = "",
                 rows: list | None = None, labels: dict | None = None):
        self.title, self.controls, self.compute, self.summary = title, controls, compute, summary
        self.draw_full, self.draw_update = draw_full, draw_update
        self.frame_key = frame_key or _same_frame
        self.intro = intro
        self.labels = dict(labels or {})   # names of controls shown with a separate label
        self.readout = W.HTML()
        self.output = W.Output()
        self._fig = _FastFigure(figsize, margins=margins)
        self.figure = self._fig.figure
        self.values: dict = {}
        self.result: dict | None = None
        self.error: str | None = None
        for control in controls.values():
            control.observe(self.update, names="value")
        # Widget HTML inherits a 28 px line height; a wrapped intro would be double-spaced.
        header = W.HTML(f"<div style='line-height:1.4;margin-bottom:0.3em'><b>{html.escape(title)}</b>"
                        + (f"<br><span>{html.escape(intro)}</span>" if intro else "") + "</div>")
        self.panel = Panel([header, *(rows or controls.values()), self.readout, self.output],
                           fallback_html=self.fallback_html, fallback_text=self.fallback_text)
        for attr in ("controls", "readout", "output", "figure", "update"):
            setattr(self.panel, attr, getattr(self, attr))
        self.panel.explorer = self
        self.update()

    @property
    def ax(self):
        return self._fig.ax

    # -- callback -------------------------------------------------------------
    def update(self, _change=None) -> None:
        self.values = v = {name: c.value for name, c in self.controls.items()}
        try:
            result = self.compute(v)
            rows = self.summary(v, result)
            png = self._fig.render(self.frame_key(v, result),
                                   lambda ax: self.draw_full(ax, v, result),
                                   lambda ax: self.draw_update(ax, v, result))
        except (DataError, LookupError, ValueError, RuntimeError) as exc:
            # ipywidgets would swallow the traceback into the log and leave the old
            # readout and plot on screen, as if they answered the new setting.
            self._fig.frame_key = object()   # the next good setting redraws in full
            self._set_state(None, _problem(exc))
            self.readout.value = message_html(self.error, kind="error")
            show_error(self.output, self.error)
            return
        self._set_state(result, None)
        self.readout.value = _table(rows)
        show_png(self.output, png, alt=self.fallback_text())

    def _set_state(self, result, error):
        self.result, self.error = result, error
        self.panel.result, self.panel.error = result, error

    # -- static views ---------------------------------------------------------
    def _param_rows(self):
        rows = []
        for name, c in self.controls.items():
            value = c.value
            if isinstance(c, W.Dropdown):
                value = c.label
            elif isinstance(value, bool):
                value = "on" if value else "off"
            elif isinstance(value, float) and getattr(c, "readout_format", None):
                value = format(value, c.readout_format)   # as the slider shows it: "1.0%", not 0.009901
            rows.append((self.labels.get(name) or c.description or name, value if not isinstance(value, float)
                         else _fmt(value, 4)))
        return rows

    def fallback_html(self) -> str:
        body = (message_html(self.error, kind="error") if self.error
                else _table(self.summary(self.values, self.result)))
        return (f"<div class='exolab-static'><p><b>{html.escape(self.title)}</b> "
                "(static view: run the notebook in JupyterLab to move the sliders)</p>"
                f"<p>Settings:</p>{_table(self._param_rows())}<p>Result:</p>{body}</div>")

    def fallback_text(self) -> str:
        params = "; ".join(f"{k} = {v}" for k, v in self._param_rows())
        if self.error:
            return f"{self.title}: {params}. {self.error}"
        results = "; ".join(f"{k}: {v}" for k, v in self.summary(self.values, self.result))
        return f"{self.title} ({params}): {results}"


# --------------------------------------------------------------------------- sedimentation
def _pellet_frame(_values, _result):
    return "pelleting"  # fixed axes: every setting is drawn on the same frame


def sedimentation_explorer(diameter_nm: float = 100.0, rotor: str | None = None,
                           rcf_g: float = 100_000.0, temp_C: float = 4.0):
    """Explore how vesicle size, density, temperature and rotor set the pelleting time.

    Parameters
    ----------
    diameter_nm : float
        Starting vesicle diameter (nm).
    rotor : str, optional
        Starting ``rotor_id`` of the ``rotors`` table. Default: the Type 70 Ti, or the
        table's first rotor when an instructor's table does not have it.
    rcf_g : float
        Starting force in multiples of g, quoted at the rotor's ``r_max`` (the tube bottom).
    temp_C : float
        Starting temperature (C).

    Returns
    -------
    Panel

    Raises
    ------
    ValueError
        ``rotor`` is not a ``rotor_id`` of the table (the message lists the valid ones).
    """
    set_theme()
    rotors = q.rotors()
    start = q.default_rotor(rotor)
    controls = {
        "diameter_nm": _slider(W.FloatSlider, "vesicle diameter (nm)", min=20, max=1000, step=5,
                               value=diameter_nm, readout_format=".0f"),
        "particle_density_g_ml": _text(W.FloatText, "vesicle density (g/mL)", value=1.15, step=0.01),
        "medium_density_g_ml": _text(W.FloatText, "medium density (g/mL)", value=1.0, step=0.01),
        "temp_C": _slider(W.FloatSlider, "temperature (°C)", min=0, max=40, step=1, value=temp_C,
                          readout_format=".0f"),
        "rotor": W.Dropdown(description="rotor", options=[(str(row["name"]), str(rid))
                                                          for rid, row in rotors.iterrows()],
                            value=start, style=_STYLE, layout=W.Layout(width="30em")),
        "rcf_g": _slider(W.FloatLogSlider, "force (× g at r_max)", base=10, min=3, max=5.75,
                         step=0.05, value=rcf_g, readout_format=",.0f"),
    }

    def compute(v):
        table = q.rotors()  # read again: an edited rotors.csv is noticed (or reported)
        if v["rotor"] not in table.index:
            raise LookupError(f"rotor {v['rotor']!r} is no longer in the rotors table; pick "
                              "another one or run the cell again")
        return sd.spin_plan(v["diameter_nm"], table.loc[v["rotor"]], v["rcf_g"], v["temp_C"],
                            particle_density_g_ml=v["particle_density_g_ml"],
                            medium_density_g_ml=v["medium_density_g_ml"])

    def summary(v, r):
        t = r["time_h"]
        rows = [("sedimentation coefficient", f"{_fmt(r['s_S'])} S"),
                ("water viscosity", f"{r['viscosity_mPa_s']:.2f} mPa·s"),
                (f"{r['rotor_name']} speed for {v['rcf_g']:,.0f} × g at r_max", f"{r['rpm']:,.0f} rpm"),
                ("k-factor at that speed", _fmt(r["k_factor"])),
                ("time to pellet", "never: the vesicle does not sink" if math.isinf(t)
                 else f"{_fmt(t)} h ({_fmt(t * 60)} min)")]
        if not r["sinks"]:
            rows.append(("why", "the vesicle is not denser than the medium, so it never sinks"))
        return rows

    def draw_full(ax, v, r):
        pm.plot_pelleting_times(r["table"], ax=ax, highlight_nm=v["diameter_nm"])

    def draw_update(ax, v, r):
        pm.update_pelleting_times(ax, r["table"], highlight_nm=v["diameter_nm"])

    ex = _Explorer("Sedimentation explorer", controls, compute, summary, draw_full, draw_update,
                   _pellet_frame, margins=pm.MARGINS["pelleting"],
                   intro="Stokes' law: halving the diameter makes the spin four times longer. "
                         "Forces are quoted at r_max, the bottom of the tube.")
    return ex.panel


# --------------------------------------------------------------------------- Warburg
def _demand_frame(values, _result):
    return values["atp_demand"]  # the y-axis is scaled to the demand


def warburg_explorer(oxphos_share: float = 0.2, atp_demand: float = 100.0):
    """Explore the glucose and lactate cost of meeting an ATP demand by glycolysis vs OXPHOS.

    Returns
    -------
    Panel
    """
    set_theme()
    controls = {
        "oxphos_share": _slider(W.FloatSlider, "share fully oxidised", min=0, max=1, step=0.05,
                                value=oxphos_share, readout_format=".2f"),
        "atp_full_oxidation": W.ToggleButtons(options=[30, 32, 36, 38], value=32,
                                              style={"button_width": "4em"},
                                              tooltips=["ATP per fully oxidised glucose"] * 4),
        "atp_demand": _text(W.FloatText, "ATP demand", value=atp_demand),
    }
    # ToggleButtons lay their own description out above the buttons and stretch them over
    # the panel; a label of the sliders' width keeps the row in the label column.
    atp_label = "ATP per oxidised glucose"
    rows = [controls["oxphos_share"],
            W.HBox([_label(atp_label), controls["atp_full_oxidation"]]),
            controls["atp_demand"]]

    def compute(v):
        return wb.explore(v["oxphos_share"], v["atp_demand"], v["atp_full_oxidation"])

    def summary(v, r):
        return [("ATP per glucose", _fmt(r["atp_per_glucose"])),
                ("glucose taken up", _fmt(r["glucose_uptake"])),
                ("lactate released", _fmt(r["lactate_output"])),
                ("glucose vs a fully oxidising cell", f"{r['fold']:.1f}×"),
                ("share of the ATP made in mitochondria",
                 f"{100 * r['atp_share_from_mitochondria']:.0f} %")]

    def draw_full(ax, v, r):
        pm.plot_warburg_budget(r["budget"], ax=ax, current_share=v["oxphos_share"])

    def draw_update(ax, v, r):
        pm.update_warburg_budget(ax, r["budget"], current_share=v["oxphos_share"])

    ex = _Explorer("Warburg budget explorer", controls, compute, summary, draw_full, draw_update,
                   _demand_frame, margins=pm.MARGINS["warburg"], rows=rows,
                   labels={"atp_full_oxidation": atp_label},
                   intro="Glycolysis alone nets 2 ATP per glucose; full oxidation about 30-32. "
                         "The slider sets the share of glucose oxidised, not of ATP.")
    return ex.panel


# --------------------------------------------------------------------------- resistance
#: Strength the inhibitor toggle switches on when the explorer starts without one.
INHIBITOR_ON = 0.9


def _days_frame(values, _result):
    return values["days"]  # the time axis ends at the simulated day


def resistance_explorer(dose: float = 1.0, transfer_rate: float = 0.1, inhibitor: float = 0.0,
                        resistant_fraction0: float = rs.DEFAULT_RESISTANT_FRACTION0):
    """Explore how drug dose, exosomal transfer, a release inhibitor and the starting share
    of resistant cells shape resistance.

    Parameters
    ----------
    dose, transfer_rate : float
        Starting drug dose (× EC50) and exosomal transfer rate (per day).
    inhibitor : float
        Starting strength of the exosome-release inhibitor (0-1). Above 0 the inhibitor
        starts switched on; at 0 it starts off, with its strength slider at 0.9.
    resistant_fraction0 : float
        Starting share of resistant cells (0.001-0.5; default about 1 %).

    Returns
    -------
    Panel
    """
    set_theme()
    on = float(inhibitor) > 0
    controls = {
        "dose": _slider(W.FloatSlider, "drug dose (× EC50)", min=0, max=5, step=0.1, value=dose,
                        readout_format=".1f"),
        "transfer_rate": _slider(W.FloatSlider, "exosomal transfer (/day)", min=0, max=0.5,
                                 step=0.01, value=transfer_rate, readout_format=".2f"),
        "resistant_fraction0": _slider(W.FloatLogSlider, "starting resistant share", base=10,
                                       min=-3, max=math.log10(0.5), step=0.1,
                                       value=resistant_fraction0, readout_format=".1%"),
        "inhibitor_on": W.ToggleButton(value=on, description="release inhibitor", icon="ban",
                                       tooltip="GW4869-like: blocks exosome release; press to "
                                               "switch it on or off",
                                       # in line with the slider tracks: past the 14em label and its gap
                                       layout=W.Layout(width="14em",
                                                       margin="2px 0 2px calc(14em + 8px)")),
        "inhibitor": _slider(W.FloatSlider, "inhibitor strength", min=0, max=1, step=0.05,
                             value=float(inhibitor) if on else INHIBITOR_ON, readout_format=".2f",
                             disabled=not on,
                             tooltip="GW4869-like: 0 = none, 1 = release fully blocked"),
        "days": _text(W.FloatText, "days simulated", value=60.0),
    }

    def toggled(change):  # the strength only matters while the inhibitor is on
        controls["inhibitor"].disabled = not change["new"]

    controls["inhibitor_on"].observe(toggled, names="value")

    def compute(v):
        return rs.explore(dose=v["dose"], transfer_rate=v["transfer_rate"],
                          inhibitor=v["inhibitor"] if v["inhibitor_on"] else 0.0,
                          resistant_fraction0=v["resistant_fraction0"], days=v["days"])

    def summary(v, r):
        day = r["dominance_day"]
        start = r["resistant0"] / (r["resistant0"] + r["sensitive0"])
        return [("resistant cells reach 50 %",
                 "not within the simulated time" if day is None
                 else "from the start" if day == 0 else f"after {day:.1f} days"),
                ("resistant share at the start", f"{100 * start:.1f} %"),
                ("resistant share at the end", f"{100 * r['final_fraction']:.1f} %"),
                ("release inhibitor", f"on, {100 * v['inhibitor']:.0f} % of release blocked"
                 if v["inhibitor_on"] else "off"),
                ("effective transfer rate", f"{r['effective_transfer_rate']:.3f} /day")]

    def draw_full(ax, v, r):
        pm.plot_resistance_spread(r["df"], ax=ax, dominance_day=r["dominance_day"])

    def draw_update(ax, v, r):
        pm.update_resistance_spread(ax, r["df"], dominance_day=r["dominance_day"])

    ex = _Explorer("Drug-resistance transfer explorer", controls, compute, summary, draw_full,
                   draw_update, _days_frame, margins=pm.MARGINS["resistance"],
                   intro="Resistant cells pass resistance to sensitive ones through exosomes. "
                         "Press 'release inhibitor' to block exosome release (GW4869-like); its "
                         "strength runs from 0 = none to 1 = complete.")
    return ex.panel


# --------------------------------------------------------------------------- sizing
def _count_frame(_values, result):
    return pm.size_axis_top(result["df"])  # the count axis is rounded: most moves keep it


def size_explorer(small_fraction: float = 0.7, seed: int = 0):
    """Explore a simulated NTA measurement and the MISEV small vs medium/large split.

    Returns
    -------
    Panel
    """
    set_theme()
    controls = {
        "small_fraction": _slider(W.FloatSlider, "exosome-sized share", min=0, max=1, step=0.05,
                                  value=small_fraction, readout_format=".2f"),
        "small_median_nm": _slider(W.FloatSlider, "exosome median (nm)", min=40, max=180, step=5,
                                   value=100, readout_format=".0f"),
        "large_median_nm": _slider(W.FloatSlider, "larger-EV median (nm)", min=150, max=600,
                                   step=10, value=300, readout_format=".0f"),
        "n_particles": _text(W.IntText, "particles tracked", value=2000,
                             tooltip=f"1 to {sz.MAX_PARTICLES:,}; large runs take longer"),
        "cutoff_nm": _text(W.FloatText, "size cut-off (nm)", value=200.0),
        "seed": _text(W.IntText, "random seed", value=seed),
    }

    def compute(v):
        return sz.explore(v["n_particles"], v["small_fraction"], v["small_median_nm"],
                          v["large_median_nm"], v["cutoff_nm"], v["seed"])

    def summary(v, r):
        c, s = r["classes"], r["summary"]
        return [(f"small EVs (< {v['cutoff_nm']:g} nm)", f"{c['small']:,} ({100 * c['small_fraction']:.1f} %)"),
                ("medium/large EVs", f"{c['medium_large']:,} ({100 * c['medium_large_fraction']:.1f} %)"),
                ("share of all particles that came from the exosome population "
                 "(known only to the simulation)",
                 f"{100 * r['true_small_fraction']:.1f} %"),
                ("on the wrong side of the cut-off for their origin",
                 f"{100 * r['misclassified_fraction']:.1f} %"),
                ("median size D50", f"{s['d50_nm']:.0f} nm")]

    def draw_full(ax, v, r):
        pm.plot_size_distribution(r["df"], ax=ax, cutoff_nm=v["cutoff_nm"],
                                  ymax=pm.size_axis_top(r["df"]))

    def draw_update(ax, v, r):
        pm.update_size_distribution(ax, r["df"], cutoff_nm=v["cutoff_nm"])

    ex = _Explorer("NTA size explorer", controls, compute, summary, draw_full, draw_update,
                   _count_frame, margins=pm.MARGINS["size"],
                   intro="MISEV calls EVs under 200 nm 'small'; size alone cannot prove origin.")
    return ex.panel
