"""Display plumbing shared by every exolab widget.

Every widget is shown through :class:`Panel`, whose output carries three views:
the live widget (JupyterLab), a static HTML view (GitHub, nbviewer, static
exports, untrusted notebooks) and readable plain text. A bare
``VBox(children=...)`` repr never reaches a stored output.

Output widgets are updated by replacing ``Output.outputs`` rather than with
``with out:``, because captured output leaks into the cell's own outputs when
no frontend is attached (strict nbval would then compare it).
"""
from __future__ import annotations

import base64
import html
from typing import Callable

import ipywidgets as W

__all__ = ["Panel", "show_png", "show_html", "show_error", "message_html"]

TextSource = Callable[[], str] | str


def _text(source: TextSource) -> str:
    return source() if callable(source) else source


class Panel(W.VBox):
    """A VBox that also carries a static HTML and a plain-text view.

    Parameters
    ----------
    children : sequence of ipywidgets.Widget
        The live controls and outputs.
    fallback_html : str or callable returning str
        HTML shown where widgets cannot render. Must be deterministic.
    fallback_text : str or callable returning str
        Plain-text view (terminals, text-only exports).
    """

    def __init__(self, children=(), *, fallback_html: TextSource, fallback_text: TextSource = "", **kwargs):
        super().__init__(children=list(children), **kwargs)
        self._fallback_html = fallback_html
        self._fallback_text = fallback_text
        self.add_class("exolab-panel")

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs) or {}
        bundle["text/html"] = _text(self._fallback_html)
        bundle["text/plain"] = _text(self._fallback_text) or "exolab widget: run this cell in JupyterLab to interact."
        return bundle

    def __repr__(self) -> str:  # a stored text/plain view must never be the widget repr
        return _text(self._fallback_text) or "exolab widget"


def show_png(out: W.Output, png: bytes | str, *, alt: str = "") -> None:
    """Replace ``out``'s content with an already-rendered PNG.

    Widgets render their figures themselves (redrawing only what changed, which
    keeps updates fast) and hand the result here.

    Parameters
    ----------
    out : ipywidgets.Output
        The output area to fill.
    png : bytes or str
        PNG bytes, or the same already base64-encoded.
    alt : str
        Text alternative, stored as the output's plain-text view.
    """
    encoded = base64.b64encode(png).decode("ascii") if isinstance(png, bytes) else png
    out.outputs = ({"output_type": "display_data",
                    "data": {"image/png": encoded, "text/plain": alt or "figure"},
                    "metadata": {}},)


def show_html(out: W.Output, markup: str, *, text: str = "") -> None:
    """Replace ``out``'s content with HTML (already escaped by the caller)."""
    out.outputs = ({"output_type": "display_data",
                    "data": {"text/html": markup, "text/plain": text or "(see the HTML view)"},
                    "metadata": {}},)


def message_html(message: str, *, kind: str = "info") -> str:
    """Return a small escaped HTML notice box (``kind``: info, warning, error)."""
    colours = {"info": "#0072B2", "warning": "#E69F00", "error": "#D55E00"}
    colour = colours.get(kind, colours["info"])
    return (f'<div class="exolab-message exolab-message-{kind}" '
            f'style="border-left:4px solid {colour};padding:0.4em 0.8em;margin:0.3em 0;line-height:1.4">'
            f"{html.escape(message)}</div>")


def show_error(out: W.Output, message: str, *, kind: str = "error") -> None:
    """Show a friendly, escaped message in ``out`` instead of a traceback (or a stale plot)."""
    show_html(out, message_html(message, kind=kind), text=message)
