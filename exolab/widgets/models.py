"""Explorers over the teaching models: sliders in, a readout and a small plot out.

Each factory returns a :class:`~exolab.widgets._base.Panel` with extra attributes for
tests and notebooks: ``controls`` (name -> widget), ``readout`` (HTML widget),
``output`` (plot Output), ``figure`` (the reused matplotlib Figure), ``result`` (the last
model result) and ``error`` (the last friendly message, or ``None``).

Callbacks stay thin: read the values, call the pure model, update readout and plot. All
model logic lives in :mod:`exolab.models` and all drawing in :mod:`exolab.plots.models`.
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

from ..models import resistance as rs
from ..models import sedimentation as sd
from ..models import sizing as sz
from ..models import warburg as wb
from ..plots import models as pm
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


def _fmt(x, digits=3):
    """Human number: 3 significant digits, thousands separated, 'never' for infinity."""
    if x is None:
        return "never"
    if isinstance(x, float) and math.isinf(x):
        return "never (does not pellet)"
    x = float(x)
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.{digits}g}"


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

    def __init__(self, figsize, dpi=_DPI, left=0.16, top=0.9):
        self.figure = Figure(figsize=figsize, dpi=dpi)
        # Fixed margins instead of tight/constrained layout: layout passes cost more
        # than the whole blitted update.
        self.figure.subplots_adjust(left=left, right=0.95, bottom=0.17, top=top)
        self.canvas = FigureCanvasAgg(self.figure)
        self.ax = self.figure.add_subplot()
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
            self.ax.clear()
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


class _Explorer:
    """Wire controls -> compute -> (readout, plot) and build the Panel with its fallback."""

    def __init__(self, title: str, controls: dict, compute: Callable[[dict], dict],
                 summary: Callable[[dict, dict], list], draw_full: Callable,
                 draw_update: Callable, frame_key: Callable = lambda v, r: None, *,
                 figsize=_FIGSIZE, left: float = 0.16, top: float = 0.9, intro: str = ""):
        self.title, self.controls, self.compute, self.summary = title, controls, compute, summary
        self.draw_full, self.draw_update, self.frame_key = draw_full, draw_update, frame_key
        self.intro = intro
        self.readout = W.HTML()
        self.output = W.Output()
        self._fig = _FastFigure(figsize, left=left, top=top)
        self.figure = self._fig.figure
        self.values: dict = {}
        self.result: dict | None = None
        self.error: str | None = None
        for control in controls.values():
            control.observe(self.update, names="value")
        # Widget HTML inherits a 28 px line height; a wrapped intro would be double-spaced.
        header = W.HTML(f"<div style='line-height:1.4;margin-bottom:0.3em'><b>{html.escape(title)}</b>"
                        + (f"<br><span>{html.escape(intro)}</span>" if intro else "") + "</div>")
        self.panel = Panel([header, *controls.values(), self.readout, self.output],
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
        except ValueError as exc:
            self._set_state(None, f"Cannot compute with these settings: {exc}")
            self.readout.value = message_html(self.error, kind="warning")
            show_error(self.output, self.error)
            return
        self._set_state(result, None)
        self.readout.value = _table(self.summary(v, result))
        png = self._fig.render(self.frame_key(v, result),
                               lambda ax: self.draw_full(ax, v, result),
                               lambda ax: self.draw_update(ax, v, result))
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
            rows.append((c.description or name, value if not isinstance(value, float)
                         else _fmt(value, 4)))
        return rows

    def fallback_html(self) -> str:
        body = (message_html(self.error, kind="warning") if self.error
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
def _rotor_table():
    from ..data import load

    return load("rotors").set_index("rotor_id")


def sedimentation_explorer(diameter_nm: float = 100.0, rotor: str = "type_70_ti",
                           rcf_g: float = 100_000.0, temp_C: float = 4.0):
    """Explore how vesicle size, density, temperature and rotor set the pelleting time.

    Parameters
    ----------
    diameter_nm, rotor, rcf_g, temp_C
        Starting values: vesicle diameter (nm), rotor id from the ``rotors`` table,
        average force (x g at ``r_max``), temperature (C).

    Returns
    -------
    Panel
    """
    rotors = _rotor_table()
    controls = {
        "diameter_nm": _slider(W.FloatSlider, "vesicle diameter (nm)", min=20, max=1000, step=5,
                               value=diameter_nm, readout_format=".0f"),
        "particle_density_g_ml": _text(W.FloatText, "vesicle density (g/mL)", value=1.15, step=0.01),
        "medium_density_g_ml": _text(W.FloatText, "medium density (g/mL)", value=1.0, step=0.01),
        "temp_C": _slider(W.FloatSlider, "temperature (°C)", min=0, max=40, step=1, value=temp_C,
                          readout_format=".0f"),
        "rotor": W.Dropdown(description="rotor", options=[(row["name"], rid)
                                                          for rid, row in rotors.iterrows()],
                            value=rotor, style=_STYLE, layout=W.Layout(width="30em")),
        "rcf_g": _slider(W.FloatLogSlider, "force (× g)", base=10, min=3, max=5.75, step=0.05,
                         value=rcf_g, readout_format=",.0f"),
    }

    def compute(v):
        row = rotors.loc[v["rotor"]]
        r_max, max_rpm, k_max = float(row["r_max_mm"]), int(row["max_rpm"]), float(row["k_factor"])
        top_g = sd.rcf_g(max_rpm, r_max)
        if v["rcf_g"] > top_g:
            raise ValueError(f"rcf_g = {v['rcf_g']:,.0f} x g is beyond the {row['name']} rotor's "
                             f"maximum of {top_g:,.0f} x g at {max_rpm:,} rpm; lower the force "
                             "or pick another rotor")
        rpm = sd.rpm_for_rcf(v["rcf_g"], r_max)
        k = sd.adjusted_k_factor(k_max, max_rpm, rpm)
        eta = sd.water_viscosity_mPa_s(v["temp_C"])
        s = sd.sedimentation_coefficient_S(v["diameter_nm"], v["particle_density_g_ml"],
                                           v["medium_density_g_ml"], eta)
        table = sd.pelleting_table(np.geomspace(20, 1000, 40), k_factor=k,
                                   particle_density_g_ml=v["particle_density_g_ml"],
                                   medium_density_g_ml=v["medium_density_g_ml"], viscosity_mPa_s=eta)
        return {"rotor_name": row["name"], "rpm": rpm, "k": k, "viscosity": eta, "s_S": s,
                "time_h": sd.pelleting_time_h(k, s), "table": table}

    def summary(v, r):
        t = r["time_h"]
        rows = [("sedimentation coefficient", f"{_fmt(r['s_S'])} S"),
                ("water viscosity", f"{r['viscosity']:.2f} mPa·s"),
                (f"{r['rotor_name']} speed for {v['rcf_g']:,.0f} × g", f"{r['rpm']:,.0f} rpm"),
                ("k-factor at that speed", _fmt(r["k"])),
                ("time to pellet", _fmt(t) if math.isinf(t)
                 else f"{_fmt(t)} h ({_fmt(t * 60)} min)")]
        if r["s_S"] <= 0:
            rows.append(("why", "the vesicle is not denser than the medium, so it never sinks"))
        return rows

    def draw_full(ax, v, r):
        pm.plot_pelleting_times(r["table"], ax=ax, highlight_nm=v["diameter_nm"])

    def draw_update(ax, v, r):
        pm.update_pelleting_times(ax, r["table"], highlight_nm=v["diameter_nm"])

    # Fixed axes: every setting is drawn on the same frame, so only the data layer changes.
    ex = _Explorer("Sedimentation explorer", controls, compute, summary, draw_full, draw_update,
                   left=0.2,
                   intro="Stokes' law: halving the diameter makes the spin four times longer.")
    return ex.panel


# --------------------------------------------------------------------------- Warburg
def warburg_explorer(oxphos_share: float = 0.2, atp_demand: float = 100.0):
    """Explore the glucose and lactate cost of meeting an ATP demand by glycolysis vs OXPHOS.

    Returns
    -------
    Panel
    """
    controls = {
        "oxphos_share": _slider(W.FloatSlider, "share fully oxidised", min=0, max=1, step=0.05,
                                value=oxphos_share, readout_format=".2f"),
        "atp_full_oxidation": W.ToggleButtons(description="ATP per oxidised glucose",
                                              options=[30, 32, 36, 38], value=32, style=_STYLE),
        "atp_demand": _text(W.FloatText, "ATP demand", value=atp_demand),
    }

    def compute(v):
        share, y = v["oxphos_share"], v["atp_full_oxidation"]
        budget = wb.warburg_budget(v["atp_demand"], np.linspace(0, 1, 101), atp_full_oxidation=y)
        return {"atp_per_glucose": wb.atp_per_glucose(share, y),
                "glucose": wb.glucose_uptake_for_demand(v["atp_demand"], share, y),
                "lactate": wb.lactate_output(v["atp_demand"], share, y),
                "fold": y / wb.atp_per_glucose(share, y), "budget": budget}

    def summary(v, r):
        return [("ATP per glucose", _fmt(r["atp_per_glucose"])),
                ("glucose taken up", _fmt(r["glucose"])),
                ("lactate released", _fmt(r["lactate"])),
                ("glucose vs a fully oxidising cell", f"{r['fold']:.1f}×")]

    def draw_full(ax, v, r):
        pm.plot_warburg_budget(r["budget"], ax=ax, current_share=v["oxphos_share"])

    def draw_update(ax, v, r):
        pm.update_warburg_budget(ax, r["budget"], current_share=v["oxphos_share"])

    ex = _Explorer("Warburg budget explorer", controls, compute, summary, draw_full, draw_update,
                   lambda v, r: v["atp_demand"],
                   intro="Glycolysis alone nets 2 ATP per glucose; full oxidation about 30-32.")
    return ex.panel


# --------------------------------------------------------------------------- resistance
def resistance_explorer(dose: float = 1.0, transfer_rate: float = 0.1, inhibitor: float = 0.0):
    """Explore how drug dose, exosomal transfer and a release inhibitor shape resistance.

    Returns
    -------
    Panel
    """
    controls = {
        "dose": _slider(W.FloatSlider, "drug dose (× EC50)", min=0, max=5, step=0.1, value=dose,
                        readout_format=".1f"),
        "transfer_rate": _slider(W.FloatSlider, "exosomal transfer (/day)", min=0, max=0.5,
                                 step=0.01, value=transfer_rate, readout_format=".2f"),
        "inhibitor": _slider(W.FloatSlider, "release inhibitor", min=0, max=1, step=0.05,
                             value=inhibitor, readout_format=".2f",
                             tooltip="GW4869-like: 0 = none, 1 = release fully blocked"),
        "days": _text(W.FloatText, "days simulated", value=60.0),
    }

    def compute(v):
        df = rs.simulate_resistance(days=v["days"], dose=v["dose"], transfer_rate=v["transfer_rate"],
                                    inhibitor=v["inhibitor"], n_points=121)
        return {"df": df, "dominance": rs.time_to_dominance(df),
                "final_fraction": float(df["resistant_fraction"].iloc[-1])}

    def summary(v, r):
        dom = r["dominance"]
        return [("resistant cells reach 50 %", "not within the simulated time" if dom is None
                 else f"after {dom:.1f} days"),
                ("resistant share at the end", f"{100 * r['final_fraction']:.1f} %"),
                ("effective transfer rate", f"{v['transfer_rate'] * (1 - v['inhibitor']):.3f} /day")]

    def draw_full(ax, v, r):
        pm.plot_resistance_spread(r["df"], ax=ax, dominance_day=r["dominance"])

    def draw_update(ax, v, r):
        pm.update_resistance_spread(ax, r["df"], dominance_day=r["dominance"])

    ex = _Explorer("Drug-resistance transfer explorer", controls, compute, summary, draw_full,
                   draw_update, lambda v, r: v["days"], top=0.8,
                   intro="Resistant cells pass resistance to sensitive ones through exosomes; "
                         "the release inhibitor (GW4869-like) runs from 0 = none to 1 = complete.")
    return ex.panel


# --------------------------------------------------------------------------- sizing
def size_explorer(small_fraction: float = 0.7, seed: int = 0):
    """Explore a simulated NTA measurement and the MISEV small vs medium/large split.

    Returns
    -------
    Panel
    """
    controls = {
        "small_fraction": _slider(W.FloatSlider, "exosome-sized share", min=0, max=1, step=0.05,
                                  value=small_fraction, readout_format=".2f"),
        "small_median_nm": _slider(W.FloatSlider, "exosome median (nm)", min=40, max=180, step=5,
                                   value=100, readout_format=".0f"),
        "large_median_nm": _slider(W.FloatSlider, "larger-EV median (nm)", min=150, max=600,
                                   step=10, value=300, readout_format=".0f"),
        "n_particles": _text(W.IntText, "particles tracked", value=2000),
        "cutoff_nm": _text(W.FloatText, "size cut-off (nm)", value=200.0),
        "seed": _text(W.IntText, "random seed", value=seed),
    }

    def compute(v):
        df = sz.simulate_nta(v["n_particles"], v["small_fraction"], v["small_median_nm"],
                             large_median_nm=v["large_median_nm"], seed=v["seed"])
        classes = sz.classify_sizes(df, v["cutoff_nm"])
        true_small = float((df["population"] == "exosome-sized").mean())
        return {"df": df, "classes": classes, "true_small": true_small,
                "summary": sz.size_summary(df), "ymax": pm.size_axis_top(df)}

    def summary(v, r):
        c, s = r["classes"], r["summary"]
        return [(f"small EVs (< {v['cutoff_nm']:g} nm)", f"{c['small']:,} ({100 * c['small_fraction']:.1f} %)"),
                ("medium/large EVs", f"{c['medium_large']:,} ({100 * c['medium_large_fraction']:.1f} %)"),
                ("truly from the exosome population (known only to the simulation)",
                 f"{100 * r['true_small']:.1f} %"),
                ("median size D50", f"{s['d50_nm']:.0f} nm")]

    def draw_full(ax, v, r):
        pm.plot_size_distribution(r["df"], ax=ax, cutoff_nm=v["cutoff_nm"], ymax=r["ymax"])

    def draw_update(ax, v, r):
        pm.update_size_distribution(ax, r["df"], cutoff_nm=v["cutoff_nm"])

    # The count axis is rounded, so most slider moves keep the same frame.
    ex = _Explorer("NTA size explorer", controls, compute, summary, draw_full, draw_update,
                   lambda v, r: r["ymax"], top=0.8,
                   intro="MISEV calls EVs under 200 nm 'small'; size alone cannot prove origin.")
    return ex.panel
