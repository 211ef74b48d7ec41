"""Knowledge-base explorers: thin widget shells over :mod:`exolab.query` and :mod:`exolab.plots.data`.

Each factory returns a :class:`~exolab.widgets._base.Panel` whose static HTML
view is the initial result table, so GitHub and nbviewer show real content.
Panels expose their parts for tests and notebooks: ``controls`` (name ->
widget), ``count`` (HTML), ``table`` (HTML), ``plot`` (Output with a PNG; the
communication map's is an HTML heatmap), ``result`` (the last DataFrame) and
``reset`` (the "Reset filters" button) where relevant.

Callbacks only read values, call a query, and write HTML or a PNG; a query
that finds nothing shows a friendly message instead of empty axes. A table that
cannot be read (an instructor's CSV edited mid-class) or a lookup that fails shows
an error message in place of the count, table and plot, never the previous result;
``error`` holds it (``None`` when all is well). Tables go through
:func:`exolab.query.render_html`, the same renderer lessons see, with their own
line-height (widget HTML inherits a 28 px one).
"""
from __future__ import annotations

import base64
import functools
import html
import io
import math
from collections import OrderedDict

import ipywidgets as W
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from .. import data as kb
from .. import query as q
from ..plots import data as pdata
from ..plots.theme import set_theme
from ._base import Panel, message_html, show_error, show_png

__all__ = ["cargo_explorer", "communication_map", "resistance_matrix", "molecule_card", "kb_tour",
           "widget_self_check"]

ANY = q.ANY
MAX_ROWS = 40          # rows shown in a table; the count label gives the full number
BOX_ROWS = 10          # tables with more rows than this may scroll inside a box
_DPI = 80              # the inline figure resolution (exolab.plots.set_theme), so widget and
                       # static plots show squares and labels at the same size
_STYLE = {"description_width": "8em"}
_DROPDOWN_WIDTH = "31em"   # room for "human umbilical vein endothelial cell"
_BOX_HEIGHT_EM = 32
_NO_ROWS = ("No findings match this combination of filters. Loosen one of them, or press "
            "'Reset filters' to start again.")
_FILTER_LABELS = {"theme": "Theme", "cargo_class": "Cargo class", "cancer_type": "Cancer",
                  "donor_cell": "Donor cell", "recipient_cell": "Recipient cell", "pathway": "Pathway",
                  "effect": "Effect"}
# Inside a widget, HTML inherits a 28 px line height; every block we write sets its own.
_TEXT = "line-height:1.4"
_STICKY = "position:sticky;top:0;z-index:1;background:var(--jp-layout-color1,white)"


# ----------------------------------------------------------------- helpers ---

def _esc(text) -> str:
    return html.escape(str(text), quote=True)


def _intro(markup: str) -> W.HTML:
    """A header line for a panel (already-escaped ``markup``), single-spaced when it wraps."""
    return W.HTML(f"<div style='{_TEXT};margin:0.2em 0 0.4em 0'>{markup}</div>")


def _estimated_height_em(df: pd.DataFrame) -> float:
    """Rough rendered height of a table in em (wrapping estimated from cell lengths)."""
    lines = 1.6  # header
    cols = list(df.columns)
    longest = {c: max((len(str(v)) for v in df[c]), default=0) for c in cols}
    for row in df.itertuples(index=False):
        wraps = [math.ceil(len(str(v)) / (46 if longest[c] > 60 else 18)) for c, v in zip(cols, row)]
        lines += max([1] + wraps) * 1.35 * 0.9 + 0.5
    return lines


def table_html(df: pd.DataFrame, *, total: int | None = None, max_rows: int = MAX_ROWS,
               empty: str = _NO_ROWS, box: bool | None = None) -> str:
    """Escaped, deterministic HTML for a result table, drawn by :func:`exolab.query.render_html`.

    Parameters
    ----------
    df : pandas.DataFrame
        Rows to show (only the first ``max_rows``); a :class:`exolab.query.Table`
        keeps its own display settings, other frames show ids by name.
    total : int, optional
        How many rows the full result has, when ``df`` is already cut short.
    empty : str
        Friendly message shown instead of an empty table.
    box : bool, optional
        Put the table in a bordered scroll box with a "scroll for more" line. Default:
        only when it has more than ``BOX_ROWS`` rows and would be taller than the box.
    """
    if df is None or len(df) == 0:
        return message_html(empty, kind="info")
    total = len(df) if total is None else total
    shown = df.head(max_rows)
    if box is None:
        box = len(shown) > BOX_ROWS and _estimated_height_em(shown) > _BOX_HEIGHT_EM
    more = (f"<p style='{_TEXT};margin:0.2em 0'><i>… and {total - len(shown)} more; narrow the "
            f"filters to see them.</i></p>" if total > len(shown) else "")
    inner = q.render_html(shown, humanise=getattr(shown, "_exolab_humanise", True),
                          header_style=_STICKY if box else "")
    if not box:
        return inner + more
    # A bordered scrolling box keeps long results from pushing the rest of the lesson off
    # screen (a class follows along on one projector); the header stays in view.
    return (f"<div class='exolab-table-box' style='max-height:{_BOX_HEIGHT_EM}em;overflow-y:auto;"
            "border:1px solid rgba(127,127,127,0.5);border-radius:4px;padding:0 6px'>"
            f"{inner}</div><p class='exolab-scroll-cue' style='{_TEXT};margin:0.2em 0;"
            f"font-size:0.9em;color:#666'>↕ {len(shown)} rows: scroll inside the box to see "
            f"them all.</p>{more}")


def _dropdown(column: str, options: list, value=ANY, description: str | None = None) -> W.Dropdown:
    choices = [(ANY, ANY)] + [(str(label), str(v)) for label, v in options]
    values = [v for _, v in choices]
    if isinstance(value, (list, tuple, set)):
        # Several starting values: kept together as one choice (a tuple filters on all).
        items = tuple(str(v) for v in value)
        value = items[0] if len(items) == 1 else (items or ANY)
        if isinstance(value, tuple):
            choices.append((" + ".join(items), value))
            values.append(value)
    if value is None or value == "":
        value = ANY
    if value not in values:
        # Accept a display name, or keep an unknown value so the user sees "no findings".
        by_label = {label.casefold(): v for label, v in choices}
        value = by_label.get(str(value).casefold(), str(value))
        if value not in values:
            choices.append((str(value), str(value)))
    return W.Dropdown(options=choices, value=value, description=description or column,
                      style=_STYLE, layout=W.Layout(width=_DROPDOWN_WIDTH))


class _Canvas:
    """One reusable figure per explorer, rendered straight to PNG bytes.

    Full redraws lay text out again (slow); :meth:`blit` repaints only the
    artists that change over a stored bitmap of everything else, and PNGs are
    kept per state so revisiting a choice costs nothing.
    """

    def __init__(self, size=(5.0, 2.8), dpi=_DPI, margins=None):
        # Not registered with pyplot: reused on every update and never piles up.
        self.figure = Figure(figsize=size, dpi=dpi)
        self.canvas = FigureCanvasAgg(self.figure)
        self.ax = self.figure.add_subplot()
        if margins:
            self.figure.subplots_adjust(**margins)
        self._background = None
        self._pngs: OrderedDict = OrderedDict()

    def fresh(self, size, margins=None):
        """Clear the figure, resize it to ``size`` inches and return a new Axes."""
        self.figure.clear()
        self.figure.set_size_inches(size, forward=False)
        self.ax = self.figure.add_subplot()
        if margins:
            self.figure.subplots_adjust(**margins)
        self._background = None
        return self.ax

    def draw(self, *, layout: str | None = None, dynamic=()) -> None:
        """Render everything once; ``dynamic`` artists are left out of the stored bitmap.

        No layout engine by default: the explorers set margins that fit their labels
        beforehand (:func:`exolab.plots.data.fit_margins`), because a constrained-layout
        pass costs about as much as the draw itself.
        """
        for a in dynamic:  # animated artists stay out of the bitmap; one pass draws the rest
            a.set_animated(True)
        self.figure.set_layout_engine(layout)
        self.canvas.draw()
        self.figure.set_layout_engine("none")  # freeze positions: later updates skip layout
        self._background = self.canvas.copy_from_bbox(self.figure.bbox)
        for a in dynamic:
            self.ax.draw_artist(a)

    def blit(self, artists) -> None:
        self.canvas.restore_region(self._background)
        for a in artists:
            self.ax.draw_artist(a)

    def png(self, key=None) -> str:
        if key is not None and key in self._pngs:
            self._pngs.move_to_end(key)
            return self._pngs[key]
        rgba = np.asarray(self.canvas.buffer_rgba())
        buf = io.BytesIO()
        Image.fromarray(rgba[..., :3]).save(buf, format="png", compress_level=1)
        out = base64.b64encode(buf.getvalue()).decode("ascii")
        if key is not None:
            self._pngs[key] = out
            if len(self._pngs) > 64:
                self._pngs.popitem(last=False)
        return out

    def cached(self, key) -> str | None:
        return self._pngs.get(key)


def _fallback(title: str, intro: str, body: str) -> str:
    return (f"<div class='exolab-static' style='{_TEXT}'><p><b>{_esc(title)}</b> "
            f"<i>(static view: run the notebook in JupyterLab to explore)</i></p>"
            f"<p>{_esc(intro)}</p>{body}</div>")


def _count_text(n: int, total: int) -> str:
    noun = "finding" if total == 1 else "findings"
    return f"{n} of {total} {noun} match"


def _count_findings(n: int) -> str:
    """ "1 finding", "6 findings"."""
    return f"{n} finding" if n == 1 else f"{n} findings"


def _reset_button() -> W.Button:
    return W.Button(description="Reset filters", icon="undo", tooltip="Set every filter back to (any)")


_PROBLEMS = (kb.DataError, LookupError, ValueError, RuntimeError)


def _problem_text(exc: Exception, way_back: str) -> str:
    if isinstance(exc, kb.DataError):
        return (f"The knowledge base could not be read: {exc}. Fix or undo the change to that "
                f"file, then {way_back} to try again.")
    return f"This view could not be updated ({type(exc).__name__}: {exc}). {way_back.capitalize()} to try again."


def _guarded(method):
    """Run a callback; on a data or lookup failure show a message instead of a stale view.

    ipywidgets swallows exceptions raised in observers (the traceback goes to the log),
    which would leave the previous count and table on screen as if they answered.
    """
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        if not self._hold:
            self.error = None   # cleared first, so a failing inner step (redraw -> refresh) sticks
        try:
            return method(self, *args, **kwargs)
        except _PROBLEMS as exc:
            self._hold = False
            self.show_problem(_problem_text(exc, self.way_back))
            return None
    return wrapper


class _Explorer(Panel):
    """A Panel whose static view is fixed when it is built (so it is deterministic)."""

    title = ""
    way_back = "change a filter or press 'Reset filters'"   # said after an error message

    def __init__(self):
        self._static_html, self._static_text = "", ""
        super().__init__((), fallback_html=lambda: self._static_html,
                         fallback_text=lambda: self._static_text)
        self._hold = False
        self.error: str | None = None

    def show_problem(self, message: str) -> None:
        """Replace count, table and plot with ``message`` (an error box)."""
        self.error = message
        box = message_html(message, kind="error")
        for name in ("count", "card"):
            if isinstance(getattr(self, name, None), W.HTML):
                getattr(self, name).value = ""
        for name in ("table", "map", "card"):
            widget = getattr(self, name, None)
            if isinstance(widget, W.HTML):
                widget.value = box
        plot = getattr(self, "plot", None)
        if isinstance(plot, W.Output):
            show_error(plot, message)
        if isinstance(getattr(self, "reset", None), W.Button):
            self.reset.button_style = "warning"
        if isinstance(getattr(self, "result", None), pd.DataFrame):
            self.result = self.result.iloc[0:0]

    def _freeze(self, html_body: str, intro: str, text: str) -> None:
        self._static_html = _fallback(self.title, intro, html_body)
        self._static_text = f"{self.title}: {text}"

    def _set_quietly(self, values: dict) -> None:
        """Set several controls and update once, not once per control."""
        self._hold = True
        try:
            for key, value in values.items():
                self.controls[key].value = value
        finally:
            self._hold = False
        self._after_set(values)

    def _after_set(self, values: dict) -> None:
        """What :meth:`_set_quietly` runs once the controls are set."""
        self.refresh()

    def refresh(self, _change=None) -> None:  # pragma: no cover - overridden
        raise NotImplementedError


# ----------------------------------------------------------- cargo explorer ---

class CargoExplorer(_Explorer):
    """Live state of :func:`cargo_explorer`; see the module docstring for attributes."""

    title = "Cargo explorer"
    filters = ("theme", "cargo_class", "cancer_type", "donor_cell", "recipient_cell", "pathway", "effect")

    def __init__(self, initial: dict):
        unknown = set(initial) - set(self.filters) - {"text"}
        if unknown:
            raise TypeError(f"cargo_explorer() got unknown filter(s) {', '.join(sorted(unknown))}; "
                            f"filters are: {', '.join(self.filters)}, text")
        super().__init__()
        self.all = q.filter_findings()
        options = q.filter_options(self.filters, self.all)   # all seven in one pass
        self.controls: dict[str, W.Widget] = {
            f: _dropdown(f, options[f], initial.get(f), _FILTER_LABELS[f]) for f in self.filters}
        self.controls["text"] = W.Text(value=str(initial.get("text") or ""), description="Search",
                                       placeholder="e.g. PKM2, PD-L1",
                                       style=_STYLE, layout=W.Layout(width=_DROPDOWN_WIDTH))
        self.count, self.table, self.plot = W.HTML(), W.HTML(), W.Output()
        self.reset = _reset_button()
        self.canvas = _Canvas((5.6, 3.0))
        self.figure, self.ax = self.canvas.figure, self.canvas.ax
        # Grey bars = every finding, drawn once; coloured bars = the current filter.
        pdata.plot_findings_summary(self.all, by="cargo_class", ax=self.ax, context=self.all)
        pdata.fit_margins(self.ax)
        self.canvas.draw(dynamic=pdata.update_findings_summary(self.ax, self.all))
        self.result = self.all.iloc[0:0]
        for c in self.controls.values():
            c.observe(self.refresh, names="value")
        self.reset.on_click(lambda _b: self.reset_filters())
        grid = W.GridBox([self.controls[f] for f in self.filters] + [self.controls["text"]],
                         layout=W.Layout(grid_template_columns=f"repeat(2, {_DROPDOWN_WIDTH})",
                                         grid_gap="2px 1em"))
        self.children = [_intro("<b>Cargo explorer</b>: what do exosomes carry, between which "
                                "cells, and with what effect?"),
                         grid, W.HBox([self.count, self.reset]), self.plot, self.table]
        self.refresh()
        active = ", ".join(f"{_FILTER_LABELS.get(k, 'Search')} = "
                           + (" or ".join(v) if isinstance(v, tuple) else str(v))
                           for k, v in self.values().items() if v not in (ANY, ""))
        self._freeze(f"<p><b>{_esc(self._count())}</b></p>{self.table.value}",
                     f"Filters: {active or 'none'}.", self._count() + ".")

    def values(self) -> dict:
        return {k: c.value for k, c in self.controls.items()}

    def _count(self) -> str:
        return _count_text(len(self.result), len(self.all))

    @_guarded
    def refresh(self, _change=None) -> None:
        if self._hold:
            return
        self.result = q.filter_findings(self.all, **self.values())
        n = len(self.result)
        self.count.value = f"<b>{_esc(self._count())}</b>"
        self.reset.button_style = "warning" if n == 0 else ""
        self.table.value = table_html(q.citation_table(self.result.head(MAX_ROWS)), total=n)
        changed = pdata.update_findings_summary(self.ax, self.result, by="cargo_class")
        key = tuple(int(p.get_width()) for p in self.ax.patches if p.get_gid() == "bar")
        png = self.canvas.cached(key)
        if png is None:
            self.canvas.blit(changed)
            png = self.canvas.png(key)
        show_png(self.plot, png, alt=f"Bar chart of {n} findings by cargo class")

    def reset_filters(self) -> None:
        self._set_quietly({k: ("" if k == "text" else ANY) for k in self.controls})


def cargo_explorer(**initial_filters) -> CargoExplorer:
    """Filter the findings by theme, cargo class, cells, cancer, pathway, effect or free text.

    Parameters
    ----------
    **initial_filters
        Starting values for ``theme``, ``cargo_class``, ``cancer_type``,
        ``donor_cell``, ``recipient_cell``, ``pathway``, ``effect`` (ids or
        display names) and ``text`` (aliases such as ``"PKM2"`` work).

    Returns
    -------
    Panel
        With ``controls`` (dict), ``count``, ``table``, ``plot``, ``reset`` and
        ``result`` (the current findings).
    """
    set_theme()
    return CargoExplorer(initial_filters)


# -------------------------------------------------------- communication map ---

class CommunicationMap(_Explorer):
    """Live state of :func:`communication_map`."""

    title = "Communication map"
    intro = ("<b>Communication map</b>: each square counts findings in which one cell type (row) "
             "sends exosomes to another (column); only cell types with findings are shown. Hover "
             "over a square to see its pair. To list the findings behind it, pick a donor and a "
             "recipient in the menus below the map.")

    def __init__(self, theme=None, effect=None):
        super().__init__()
        self.all = q.filter_findings()
        self.controls = {
            "theme": _dropdown("theme", q.filter_options("theme", self.all), theme, "Theme"),
            "effect": _dropdown("effect", q.filter_options("effect", self.all), effect, "Effect"),
            "donor": _dropdown("donor", [], ANY, "Donor cell"),
            "recipient": _dropdown("recipient", [], ANY, "Recipient cell"),
        }
        self.count, self.table = W.HTML(), W.HTML()
        # The map is an HTML heatmap redrawn for each theme/effect with only the donors and
        # recipients that have findings: the browser draws its text, so a redraw takes a
        # millisecond (a PNG of it took over 100 ms) and it stays sharp when zoomed.
        self.map = self.plot = W.HTML()
        self.reset = _reset_button()
        self.drawn = pd.DataFrame()
        self.matrix = pd.DataFrame()
        self.result = self.all.iloc[0:0]
        for key in ("theme", "effect"):
            self.controls[key].observe(self.redraw, names="value")
        for key in ("donor", "recipient"):
            self.controls[key].observe(self.refresh, names="value")
        self.reset.on_click(lambda _b: self.reset_filters())
        self.children = [
            _intro(self.intro),
            W.HBox([self.controls["theme"], self.controls["effect"]]), self.plot,
            W.HBox([self.controls["donor"], self.controls["recipient"]]),
            W.HBox([self.count, self.reset]), self.table]
        self.redraw()
        self._freeze(self._matrix_html() + f"<p><b>{_esc(self.count_text)}</b></p>" + self.table.value,
                     f"Theme: {self.controls['theme'].label}; effect: {self.controls['effect'].label}.",
                     self.count_text + ".")

    def _filters(self) -> dict:
        return {"theme": self.controls["theme"].value, "effect": self.controls["effect"].value}

    def _matrix_html(self) -> str:
        return pdata.communication_heatmap_html(self.matrix)

    def _after_set(self, values: dict) -> None:
        # A theme or effect change needs a new map, not just a new list of findings.
        self.redraw() if {"theme", "effect"} & set(values) else self.refresh()

    @_guarded
    def redraw(self, _change=None) -> None:
        """Theme or effect changed: new matrix, new heatmap, new donor/recipient choices."""
        if self._hold:
            return
        self.matrix = q.communication_matrix(data=self.all, **self._filters())
        self.drawn = pdata.communication_frame(self.matrix)
        self.map.value = pdata.communication_heatmap_html(self.drawn)
        self._hold = True
        try:
            for key, names in (("donor", self.matrix.index), ("recipient", self.matrix.columns)):
                old = self.controls[key].value
                opts = [(ANY, ANY)] + [(str(n), str(n)) for n in names]
                self.controls[key].options = opts
                self.controls[key].value = old if old in [v for _, v in opts] else ANY
        finally:
            self._hold = False
        self.refresh()

    @_guarded
    def refresh(self, _change=None) -> None:
        """Donor or recipient changed: list the findings behind that square."""
        if self._hold:
            return
        c = self.controls
        self.result = q.findings_between(c["donor"].value, c["recipient"].value, data=self.all,
                                         **self._filters())
        n = len(self.result)
        self.count_text = (f"{n} finding{'s' if n != 1 else ''} from {c['donor'].value} "
                           f"to {c['recipient'].value}").replace(ANY, "any cell")
        self.count.value = f"<b>{_esc(self.count_text)}</b>"
        self.reset.button_style = "warning" if n == 0 else ""
        self.table.value = table_html(q.citation_table(self.result.head(MAX_ROWS)), total=n)

    def reset_filters(self) -> None:
        self._set_quietly({k: ANY for k in self.controls})


def communication_map(theme=None, effect=None) -> CommunicationMap:
    """Heatmap of donor × recipient cell types, with a drill-down to the findings behind a square.

    The map shows only the donors and recipients with findings under the current theme
    and effect; a donor and a recipient picked from the menus below it list the findings.

    Parameters
    ----------
    theme, effect : str, optional
        Starting filters (``None`` = any).

    Returns
    -------
    Panel
        With ``controls`` (theme, effect, donor, recipient), ``matrix`` (all counts),
        ``drawn`` (the rows and columns on the map), ``map`` (HTML heatmap, also
        ``plot``), ``count``, ``table``, ``reset`` and ``result``.
    """
    set_theme()
    return CommunicationMap(theme=theme, effect=effect)


# -------------------------------------------------------- resistance matrix ---

class ResistanceMatrix(_Explorer):
    """Live state of :func:`resistance_matrix`."""

    title = "Drug-resistance matrix"

    def __init__(self):
        super().__init__()
        self.matrix = q.resistance_matrix_table()
        self.controls = {
            "drug": _dropdown("drug", [(d, d) for d in self.matrix.index], ANY, "Drug"),
            "mechanism": _dropdown("mechanism", [(q.vocab_label("resistance_mechanism", m), m)
                                                 for m in self.matrix.columns], ANY, "Mechanism"),
        }
        self.count, self.table = W.HTML(), W.HTML()
        # The counts, colour scale and "(no specific drug)" line of plot_resistance_matrix(),
        # as an HTML heatmap: the browser draws the text (sharp when zoomed, a tooltip per
        # square) and building it takes a millisecond where the PNG took over 100 ms.
        self.map = self.plot = W.HTML(pdata.resistance_heatmap_html(self.matrix))
        self.reset = _reset_button()
        for c in self.controls.values():
            c.observe(self.refresh, names="value")
        self.reset.on_click(lambda _b: self._set_quietly({"drug": ANY, "mechanism": ANY}))
        self.children = [
            _intro("<b>Drug-resistance matrix</b>: how exosomal cargo helps tumours survive each "
                   "drug. The last row counts findings that name a mechanism but no particular "
                   "drug. Hover over a square to see its pair; to see the cargo and cancers "
                   "behind a count, pick a drug and a mechanism in the menus below the map."),
            self.plot, W.HBox([self.controls["drug"], self.controls["mechanism"]]),
            W.HBox([self.count, self.reset]), self.table]
        self.refresh()
        matrix_html = (self.map.value if not self.matrix.empty
                       else message_html("No drug-resistance findings yet."))
        self._freeze(matrix_html + f"<p><b>{_esc(self.count_text)}</b></p>" + self.table.value,
                     "Counts of findings per drug and resistance mechanism.", self.count_text + ".")

    @_guarded
    def refresh(self, _change=None) -> None:
        if self._hold:
            return
        drug, mech = self.controls["drug"].value, self.controls["mechanism"].value
        self.result = q.resistance_cell(drug, mech)
        n = len(self.result)
        mech_label = ANY if mech == ANY else q.vocab_label("resistance_mechanism", mech)
        self.count_text = f"{n} finding{'s' if n != 1 else ''}: {drug} × {mech_label}".replace(ANY, "any")
        self.count.value = f"<b>{_esc(self.count_text)}</b>"
        self.reset.button_style = "warning" if n == 0 else ""
        self.table.value = table_html(self.result, total=n, empty=(
            "No finding links this drug to this mechanism. Pick another drug or mechanism, or "
            "press 'Reset filters'."))
        if drug == q.NO_DRUG and n:
            self.table.value = (f"<p style='{_TEXT};margin:0.2em 0'><i>These findings name a "
                                "mechanism but no particular drug.</i></p>" + self.table.value)


def resistance_matrix() -> ResistanceMatrix:
    """Drug × resistance-mechanism heatmap with a drill-down to cargo and cancers.

    Returns
    -------
    Panel
        With ``controls`` (drug, mechanism), ``matrix``, ``map`` (HTML heatmap, also
        ``plot``), ``count``, ``table``, ``reset`` and ``result``.
    """
    set_theme()
    return ResistanceMatrix()


# ------------------------------------------------------------ molecule card ---

def molecule_card_html(name: str) -> tuple[str, dict | None]:
    """Return the card HTML for ``name`` and its profile (None when unknown)."""
    name = str(name or "").strip()
    if not name:
        return message_html("Type or pick a molecule, e.g. PKM2, ALIX or miR-21."), None
    if len(name) > 100:  # no name is this long; don't echo a pasted paragraph back
        return message_html("That is too long to be a molecule name; try a symbol such as PKM2.",
                            kind="warning"), None
    try:
        p = q.molecule_profile(name)
    except LookupError as exc:
        return message_html(str(exc), kind="warning"), None
    ids = "".join(f"<li>{_esc(i['namespace'])}: <code>{_esc(i['id'])}</code></li>" for i in p["identifiers"])
    aliases = ", ".join(_esc(a) for a in p["aliases"]) or "<i>none recorded</i>"
    found = p["findings"]
    rows = {r["finding_id"]: r for r in found.to_dict("records")} if "finding_id" in found.columns else {}

    def line(fid: str) -> str:
        r = rows.get(fid, {})
        # who sends the cargo to whom is what tells two claims about one molecule apart
        donor = q.display_name("donor_cell", r.get("donor_cell"))
        recipient = q.display_name("recipient_cell", r.get("recipient_cell"))
        cells = f" <span style='color:#555'>({_esc(donor or '?')} → {_esc(recipient or '?')})</span>" \
            if (donor or recipient) else ""
        return (f"<li>{_esc(fid)} ({_esc(r.get('role', ''))}): {_esc(r.get('claim', ''))}{cells}</li>")

    lessons = "".join(
        f"<li><b>{_esc(q.lesson_label(lesson))}</b><ul>" + "".join(line(f) for f in fids) + "</ul></li>"
        for lesson, fids in p["by_lesson"].items())
    terms = "".join(f"<li><b>{_esc(t['term'])}</b> ({_esc(q.lesson_label(t['lesson']))}): "
                    f"{_esc(t['definition'])}</li>" for t in p["glossary"])
    n = len(p["findings"])
    card = (f"<div class='exolab-card' style='line-height:1.45'><h4 style='margin:0.3em 0'>{_esc(p['name'])} <code>{_esc(p['molecule_id'])}</code>"
            f"{' · ' + _esc(p['kind']) if p['kind'] else ''}</h4>"
            f"<p><b>Identifiers</b></p><ul>{ids or '<li><i>none recorded</i></li>'}</ul>"
            f"<p><b>Also called</b>: {aliases}</p>"
            f"<p><b>{n} finding{'s' if n != 1 else ''} across the lessons</b></p>"
            f"{'<ul>' + lessons + '</ul>' if lessons else '<p><i>No findings mention it yet.</i></p>'}"
            f"<p><b>Glossary</b></p>"
            f"{'<ul>' + terms + '</ul>' if terms else '<p><i>No glossary term links to it.</i></p>'}"
            f"</div>")
    return card, p


class MoleculeCard(_Explorer):
    """Live state of :func:`molecule_card`."""

    title = "Molecule card"
    way_back = "type or pick the name again"

    def __init__(self, name="PKM"):
        super().__init__()
        mols = kb.load("molecules") if "molecules" in kb.list_tables() else pd.DataFrame()
        names = set()
        for col in ("molecule_id", "name", "aliases"):
            if col in mols.columns:
                for cell in mols[col].dropna():
                    names.update(cell if isinstance(cell, tuple) else (cell,))
        self.controls = {"name": W.Combobox(value=str(name or ""), options=sorted(names, key=str.casefold),
                                            description="Molecule", ensure_option=False,
                                            continuous_update=False, style=_STYLE,
                                            placeholder="PKM2, ALIX, PD-L1, miR-21 …",
                                            layout=W.Layout(width="26em"))}
        self.card = W.HTML()
        self.table = self.card  # the card is this widget's result view
        self.profile = None
        self.controls["name"].observe(self.refresh, names="value")
        self.children = [_intro("<b>Molecule card</b>: identifiers, other names, findings per lesson "
                                "and glossary terms for one molecule."), self.controls["name"], self.card]
        self.refresh()
        self._freeze(self.card.value, f"Molecule: {name}.",
                     f"{name}: " + (_count_findings(len(self.profile["findings"])) if self.profile
                                    else "not found"))

    @_guarded
    def refresh(self, _change=None) -> None:
        self.profile = None
        self.card.value, self.profile = molecule_card_html(self.controls["name"].value)


def molecule_card(name: str = "PKM") -> MoleculeCard:
    """A card for one molecule: identifiers, aliases, findings per lesson, glossary terms.

    Parameters
    ----------
    name : str
        Any name or alias (``"PKM2"``, ``"ALIX"``, ``"PD-L1"``).

    Returns
    -------
    Panel
        With ``controls`` (``name``: a Combobox), ``card`` (HTML) and ``profile``.
    """
    return MoleculeCard(name)


# ------------------------------------------------------------------ kb tour ---

class KbTour(_Explorer):
    """Live state of :func:`kb_tour`."""

    title = "Knowledge-base tour"
    way_back = "pick a theme again"
    examples = 5

    def __init__(self, theme=None, *, tables=True, plot=True):
        super().__init__()
        self.overview = q.kb_overview()
        self.themes = q.counts_by_theme()
        self.all = q.filter_findings()
        first = theme or next((t for t, n in zip(self.themes["theme"], self.themes["findings"]) if n),
                              self.themes["theme"].iloc[0])
        self.controls = {"theme": W.Dropdown(
            options=[(f"{q.vocab_label('theme', t)} ({n})", t)
                     for t, n in zip(self.themes["theme"], self.themes["findings"])],
            value=first, description="Theme", style=_STYLE, layout=W.Layout(width="26em"))}
        self.count, self.table, self.plot = W.HTML(), W.HTML(), W.Output()
        self.canvas = _Canvas((5.6, 3.0))
        self.figure, self.ax = self.canvas.figure, self.canvas.ax
        pdata.plot_theme_counts(self.all, ax=self.ax)
        pdata.fit_margins(self.ax)
        self.canvas.draw()
        show_png(self.plot, self.canvas.png(), alt="Bar chart of findings per theme")
        # Shown in full: a short list reads better than a box that has to be scrolled.
        self.tables_html = table_html(self.overview, max_rows=len(self.overview), box=False)
        self.controls["theme"].observe(self.refresh, names="value")
        intro = ("<b>Knowledge-base tour</b>: " + ("every table the course draws on, counted live; "
                                                  if tables else "")
                 + "pick a theme to see how many findings it has and the first few of them.")
        self.children = ([_intro(intro)] + ([W.HTML(self.tables_html)] if tables else [])
                         + ([self.plot] if plot else [])
                         + [self.controls["theme"], self.count, self.table])
        self.refresh()
        self._freeze((self.tables_html if tables else "")
                     + table_html(self.themes, max_rows=len(self.themes), box=False)
                     + f"<p><b>{_esc(self.count_text)}</b></p>" + self.table.value,
                     "Tables, rows and findings per theme.", f"{len(self.overview)} tables.")

    @_guarded
    def refresh(self, _change=None) -> None:
        theme = self.controls["theme"].value
        self.result = q.filter_findings(self.all, theme=theme)
        n = len(self.result)
        lesson = q.THEME_LESSONS.get(theme, "")
        self.count_text = (f"{n} finding{'s' if n != 1 else ''} on {q.vocab_label('theme', theme)}"
                           + (f" ({q.lesson_label(lesson)})" if lesson else "")
                           + (f"; the first {self.examples}:" if n > self.examples else ""))
        self.count.value = f"<div style='{_TEXT}'><b>{_esc(self.count_text)}</b></div>"
        self.table.value = table_html(q.citation_table(self.result.head(self.examples)),
                                      max_rows=self.examples, box=False,
                                      empty="No findings on this theme yet.")


def kb_tour(theme: str | None = None, *, tables: bool = True, plot: bool = True) -> KbTour:
    """Tour of the knowledge base: rows per table, findings per theme, example findings.

    Parameters
    ----------
    theme : str, optional
        Theme to start on (default: the first theme with findings).
    tables : bool
        Show the list of tables (leave it out where the lesson already shows
        :func:`exolab.query.kb_overview`).
    plot : bool
        Show the findings-per-theme bar chart (leave it out where the lesson already
        shows :func:`exolab.plots.plot_theme_counts`).

    Returns
    -------
    Panel
        With ``controls`` (``theme``), ``overview``, ``themes``, ``count``,
        ``table`` and ``plot``.
    """
    set_theme()
    return KbTour(theme, tables=tables, plot=plot)


# --------------------------------------------------------------- self check ---

SELF_CHECK_FALLBACK = (
    "If you can read this, interactive widgets are not rendering. "
    "What to do: (1) run this cell (Shift+Enter); (2) if the notebook is untrusted, trust it "
    "(JupyterLab: File > Trust Notebook, or the command palette); (3) restart the kernel "
    "(Kernel > Restart Kernel and Run All Cells); (4) from a terminal in the course folder, start "
    "JupyterLab with `make lab` so the widget extension is installed.")
SELF_CHECK_OK = "✓ The kernel answered: interactive widgets are working."


class SelfCheck(Panel):
    """A button whose click proves the browser ↔ kernel round trip."""

    def __init__(self):
        self.button = W.Button(description="Click me", button_style="primary", icon="check")
        self.label = W.Label("Widgets are showing. Click the button to check that the kernel answers.")
        self.clicks = 0
        super().__init__([self.button, self.label],
                         fallback_html=message_html(SELF_CHECK_FALLBACK, kind="warning"),
                         fallback_text=SELF_CHECK_FALLBACK)
        self.button.on_click(self._clicked)

    def _clicked(self, _button=None) -> None:
        self.clicks += 1
        self.label.value = f"{SELF_CHECK_OK} (clicks: {self.clicks})"
        self.button.button_style = "success"


def widget_self_check() -> SelfCheck:
    """Check that widgets render and talk to the kernel.

    Returns
    -------
    Panel
        A button and a label (``button``, ``label``); clicking flips the label
        to a confirmation. Where widgets cannot render, the static view says so
        and lists what to do.
    """
    return SelfCheck()
