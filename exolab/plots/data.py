"""Knowledge-base plots: counts of findings, cell-to-cell traffic, resistance grid.

Every helper takes ``data`` (findings rows or a precomputed table from
:mod:`exolab.query`) and ``ax=None``, and returns the Axes. Colours are fixed
per theme and cargo class (see :mod:`exolab.plots.theme`); bars of any other
grouping share one neutral colour, because a colour that changes from plot to
plot would suggest a meaning it does not have. Labels are the student-facing
names from :mod:`exolab.query` ("raises glycolysis", not ``glycolysis_up``). An
empty selection gives an Axes that says so instead of raising or drawing empty axes.
"""
from __future__ import annotations

import functools

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .. import query
from .theme import NEUTRAL, edge_colours, palette_for

__all__ = ["NO_MATCH", "plot_findings_summary", "update_findings_summary", "update_heatmap",
           "plot_theme_counts", "plot_communication_heatmap", "plot_resistance_matrix",
           "heatmap_layout", "communication_frame", "resistance_frame", "HEATMAP_FONTSIZE",
           "COMMUNICATION_TITLE", "RESISTANCE_TITLE", "heatmap_html", "communication_heatmap_html",
           "resistance_heatmap_html",
           "fit_margins"]

#: Text drawn on an Axes when nothing matches.
NO_MATCH = "No findings match these filters"
#: Point size of heatmap counts and tick labels (readable when projected).
HEATMAP_FONTSIZE = 9.5
_CHAR = 0.55 / 72      # average glyph width per point of font size, inches
_COMMUNICATION_CELL = (0.5, 0.36)   # inches per square: donor x recipient
_RESISTANCE_CELL = (0.95, 0.36)     # inches per square: drug x mechanism (longer headers)


def _axes(ax, size=(5.0, 3.0)):
    if ax is None:
        _, ax = plt.subplots(figsize=size)
        ax._exolab_own = True  # this helper made the figure, so it may set its margins
    return ax


# ----------------------------------------------------------------- margins ---
# Fixed margins that fit the labels, computed from font metrics without drawing: a
# layout engine (constrained/tight) or the inline backend's bbox_inches="tight" each
# cost a whole extra draw of the figure.

def _points(key: str) -> float:
    from matplotlib.font_manager import FontProperties

    return float(FontProperties(size=mpl.rcParams[key]).get_size_in_points())


@functools.lru_cache(maxsize=4096)
def _text_width_in(text: str, size: float, weight: str = "normal") -> float:
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    if not text:
        return 0.0
    prop = FontProperties(size=size, weight=weight)
    width, _h, _d = text_to_path.get_text_width_height_descent(text, prop, ismath=False)
    return width / 72.0


def fit_margins(ax, *, right: float = 0.25, top_extra: float = 0.0) -> dict:
    """Set ``ax``'s figure margins so its tick labels, axis labels and title fit, without drawing.

    For single-Axes figures with upright x tick labels (the bar charts). Returns the
    ``subplots_adjust`` arguments it applied.
    """
    fig = ax.figure
    w, h = fig.get_size_inches()
    ytick, xtick = _points("ytick.labelsize"), _points("xtick.labelsize")
    label, title = _points("axes.labelsize"), _points("axes.titlesize")
    pad = (mpl.rcParams["ytick.major.size"] + mpl.rcParams["ytick.major.pad"]) / 72
    ylabels = [t.get_text() for t in ax.get_yticklabels()]
    left = max((_text_width_in(t, ytick) for t in ylabels), default=0.0) + pad + 0.12
    if ax.get_ylabel():
        left += label * 1.4 / 72
    bottom = 0.1 + (xtick * 1.3 + mpl.rcParams["xtick.major.size"] + mpl.rcParams["xtick.major.pad"]) / 72
    if ax.get_xlabel():
        bottom += (label * 1.3 + mpl.rcParams["axes.labelpad"]) / 72
    top = 0.1 + top_extra
    if ax.get_title():
        top += (title * 1.3 + mpl.rcParams["axes.titlepad"]) / 72
        # a centred bold title wider than the axes needs room on both sides
        spill = (_text_width_in(ax.get_title(), title, "bold") - w * 0.6) / 2
        right = max(right, spill)
    margins = {"left": min(left / w, 0.7), "right": 1 - right / w,
               "bottom": min(bottom / h, 0.45), "top": 1 - min(top / h, 0.45)}
    fig.subplots_adjust(**margins)
    return margins


def _bar_size(n: int) -> tuple[float, float]:
    """Figure size for a horizontal bar chart of ``n`` bars."""
    return (5.6, max(2.4, 0.9 + 0.3 * n))


def _empty(ax, what: str = NO_MATCH):
    ax.set_axis_off()
    ax.text(0.5, 0.5, what, ha="center", va="center", fontsize=11, transform=ax.transAxes,
            color="#444444")
    return ax


# Titles get an explicit y=1.0 so matplotlib does not measure every tick label on each
# draw to keep the title clear of them (no helper puts tick labels above its axes).

def _bars(ax, labels, counts, colours, *, title: str, xlabel: str = "findings"):
    # Horizontal bars: long labels (cell types, cancers) stay readable.
    y = list(range(len(labels)))
    ax.barh(y, counts, color=colours, edgecolor=edge_colours(colours), linewidth=0.8)
    ax.set_yticks(y, labels)
    ax.invert_yaxis()  # first level on top, like a table
    ax.set_xlabel(xlabel)
    ax.set_title(title, y=1.0)
    ax.xaxis.get_major_locator().set_params(integer=True)
    for yi, n in zip(y, counts):
        ax.text(n, yi, f" {n}", va="center", fontsize=9)
    ax.margins(x=0.12)
    if getattr(ax, "_exolab_own", False):
        fit_margins(ax)
    return ax


def _colours(by: str, levels: list) -> list:
    if by in ("theme", "cargo_class"):
        return list(palette_for(by, levels).values())
    return [NEUTRAL] * len(levels)


def plot_findings_summary(data: pd.DataFrame, by: str = "cargo_class", ax=None, *, context=None):
    """Bar chart of how many findings fall in each value of ``by``.

    Parameters
    ----------
    data : pandas.DataFrame
        Findings rows (e.g. from :func:`exolab.query.filter_findings`).
    by : str
        Column to count, e.g. ``"cargo_class"``, ``"theme"``, ``"effect"``.
    ax : matplotlib.axes.Axes, optional
    context : pandas.DataFrame, optional
        A larger set (usually every finding). Each of its values gets a row,
        its counts are drawn as grey bars behind, and the x-axis is scaled to
        it, so :func:`update_findings_summary` can later change only the bars.

    Returns
    -------
    matplotlib.axes.Axes
        Coloured bars (``gid="bar"``), one per value, labelled with display names
        ("raises glycolysis"); themes and cargo classes keep their fixed colours,
        other groupings use one neutral colour. With ``context``, also grey bars
        (``gid="context"``).
    """
    base = data if context is None else context
    if base is None or len(base) == 0 or by not in base.columns:
        return _empty(_axes(ax))
    summary = query.summarise(base, by=by, missing=False)
    levels = summary[by].tolist()
    labels = (summary["label"] if "label" in summary.columns else summary[by]).tolist()
    ax = _axes(ax, _bar_size(len(levels)))
    y = list(range(len(levels)))
    if context is not None:
        ax.barh(y, summary["findings"], color="#DDDDDD", edgecolor="none", gid="context",
                label="all findings")
    colours = _colours(by, levels)
    bars = ax.barh(y, [0] * len(levels), color=colours, edgecolor=edge_colours(colours),
                   linewidth=0.8, gid="bar")
    for b in bars:
        b.set_gid("bar")
    for yi in y:
        ax.text(0, yi, "", va="center", fontsize=9, gid="count")
    ax.text(0.5, 0.5, NO_MATCH, ha="center", va="center", fontsize=11, transform=ax.transAxes,
            color="#444444", gid="nomatch", visible=False,
            bbox={"facecolor": "white", "edgecolor": "#BBBBBB", "boxstyle": "round"})
    ax.set_yticks(y, labels)
    ax.invert_yaxis()  # first level on top, like a table
    ax.set_xlabel("findings" if context is None else "findings (grey: all)")
    ax.set_title(f"Findings by {by.replace('_', ' ')}", y=1.0)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_xlim(0, max(1, int(summary["findings"].max())) * 1.15)
    ax._exolab_levels = (by, levels)  # which value each bar stands for, for updates
    update_findings_summary(ax, data, by=by)
    if getattr(ax, "_exolab_own", False):
        fit_margins(ax)
    return ax


def update_findings_summary(ax, data: pd.DataFrame, by: str = "cargo_class") -> list:
    """Set the bars of a :func:`plot_findings_summary` Axes to the counts of ``data``.

    Returns
    -------
    list
        The artists that changed (bars, count labels, the no-match note), for blitting.
    """
    _, levels = getattr(ax, "_exolab_levels", (by, []))
    counts = {}
    if data is not None and len(data) and by in data.columns:
        s = query.summarise(data, by=by)
        counts = dict(zip(s[by], s["findings"]))
    bars = [p for p in ax.patches if p.get_gid() == "bar"]
    labels = [t for t in ax.texts if t.get_gid() == "count"]
    note = [t for t in ax.texts if t.get_gid() == "nomatch"]
    for level, bar, label in zip(levels, bars, labels):
        n = int(counts.get(level, 0))
        bar.set_width(n)
        label.set_position((n, label.get_position()[1]))
        label.set_text(f" {n}" if n else "")
    for t in note:
        t.set_visible(not counts)
    return [*bars, *labels, *note]


def plot_theme_counts(data: pd.DataFrame | None = None, ax=None):
    """Bar chart of findings per theme (every theme shown, zeros included).

    Parameters
    ----------
    data : pandas.DataFrame, optional
        Findings rows (default: the whole ``findings`` table).
    ax : matplotlib.axes.Axes, optional
    """
    counts = query.counts_by_theme(data=data)
    ax = _axes(ax, _bar_size(len(counts)))
    if counts["findings"].sum() == 0:
        return _empty(ax)
    colours = list(palette_for("theme", counts["theme"]).values())
    labels = [query.vocab_label("theme", t) for t in counts["theme"]]
    return _bars(ax, labels, counts["findings"].tolist(), colours, title="Findings per theme")


# ----------------------------------------------------------------- heatmaps ---

def _rotated(ncols: int) -> bool:
    return ncols > 6  # many columns: upright labels would collide, so they stand vertical


def heatmap_layout(matrix: pd.DataFrame, *, cell=_COMMUNICATION_CELL, fontsize=HEATMAP_FONTSIZE,
                   title: str = "", min_width: float = 0.0):
    """Figure size and margins that give every square ``cell`` inches and room for its labels.

    Used by the heatmap helpers when they make their own figure and by the widgets,
    so a heatmap is the same size inline and in an explorer.

    Returns
    -------
    (tuple, dict)
        ``(width, height)`` in inches and ``subplots_adjust`` keyword arguments.
    """
    nrow, ncol = max(len(matrix.index), 1), max(len(matrix.columns), 1)
    char = _CHAR * fontsize
    rows = max((len(str(i)) for i in matrix.index), default=4)
    cols = max((len(str(c)) for c in matrix.columns), default=4)
    left = rows * char + 0.45                      # tick labels + axis label
    label_h = cols * char if _rotated(ncol) else cols * char * 0.6 + 0.15
    bottom = label_h + 0.5
    top = 0.45 if title else 0.15
    axw, axh = ncol * cell[0], nrow * cell[1]
    title_w = len(title) * _CHAR * 12 * 1.1        # bold 12 pt title, centred on the axes
    right = max(0.2, title_w / 2 - axw / 2 + 0.1)
    if not _rotated(ncol):  # slanted labels reach left of their square, never right
        right = max(right, 0.2)
    width = max(left + axw + right, min_width)
    right = width - left - axw
    height = top + axh + bottom
    return (width, height), {"left": left / width, "right": 1 - right / width,
                             "bottom": bottom / height, "top": 1 - top / height}


def _figure_for(matrix, ax, *, cell, title):
    if ax is not None:
        return ax
    size, margins = heatmap_layout(matrix, cell=cell, title=title)
    fig, ax = plt.subplots(figsize=size)
    fig.subplots_adjust(**margins)
    return ax


def _ink(n: int, top: float) -> str:
    return "white" if n / top > 0.55 else "#222222"


def _annotate(ax, i: int, j: int, n: int, top: float, fontsize: float):
    return ax.text(j + 0.5, i + 0.5, str(n), ha="center", va="center", fontsize=fontsize + 0.5,
                   color=_ink(n, top), gid="count")


def _scale_top(values: np.ndarray, scale_rows) -> float:
    """Top of the colour scale: the largest count among ``scale_rows`` (all rows if None)."""
    rows = values if scale_rows is None else values[np.asarray(scale_rows, dtype=bool)]
    return max(float(rows.max()) if rows.size else 0.0, 1.0)


def _heatmap(matrix: pd.DataFrame, ax, *, title: str, cmap: str, fontsize=HEATMAP_FONTSIZE,
             scale_rows=None):
    if matrix is None or matrix.empty or int(matrix.values.sum()) == 0:
        return _empty(ax)
    values = matrix.to_numpy(dtype=float)
    nrow, ncol = values.shape
    # ``scale_rows``: the rows that set the colour scale (the others are clipped to its
    # darkest colour but keep their numbers), so one large row cannot wash out the rest.
    top = _scale_top(values, scale_rows)
    ax.grid(False)
    ax.pcolormesh(np.arange(ncol + 1), np.arange(nrow + 1), values, cmap=cmap, vmin=0, vmax=top,
                  edgecolors="white", linewidth=0.5)
    ax.set_xlim(0, ncol)
    ax.set_ylim(nrow, 0)  # first row on top, like a table
    ax.set_xticks(np.arange(ncol) + 0.5, [str(c) for c in matrix.columns])
    ax.set_yticks(np.arange(nrow) + 0.5, [str(i) for i in matrix.index])
    ax.tick_params(length=0, labelsize=fontsize)
    for spine in ax.spines.values():
        spine.set_visible(False)
    # Zeros stay blank (a wall of zeros hides the pattern), and get no Text at all: a
    # 14 x 22 map has ~40 non-zero squares, and every Text costs layout time.
    cells = {}
    for i, j in zip(*np.nonzero(values)):
        cells[(int(i), int(j))] = _annotate(ax, int(i), int(j), int(values[i, j]), top, fontsize)
    ax._exolab_cells = cells
    ax._exolab_heat = {"fontsize": fontsize, "scale_rows": scale_rows}
    ax._exolab_grid = (list(matrix.index), list(matrix.columns))  # for update_heatmap
    ax.text(0.5, 0.5, NO_MATCH, ha="center", va="center", fontsize=11, transform=ax.transAxes,
            color="#444444", gid="nomatch", visible=False,
            bbox={"facecolor": "white", "edgecolor": "#BBBBBB", "boxstyle": "round"})
    ax.set_title(title, y=1.0)
    if _rotated(ncol):
        ax.tick_params(axis="x", labelrotation=90)
    else:
        ax.tick_params(axis="x", labelrotation=35)
        for label in ax.get_xticklabels():
            label.set_horizontalalignment("right")
            label.set_rotation_mode("anchor")
    return ax


def update_heatmap(ax, matrix: pd.DataFrame) -> list:
    """Put new counts into a heatmap drawn by this module, keeping its rows and columns.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        From :func:`plot_communication_heatmap` or :func:`plot_resistance_matrix`
        drawn on a non-empty matrix.
    matrix : pandas.DataFrame
        New counts; reindexed to the drawn rows and columns (missing -> 0).

    Returns
    -------
    list
        The artists that changed (the mesh, the count labels now shown, the no-match
        note), for blitting. Zero squares have no label: labels of squares that became
        zero are removed from the Axes.
    """
    mesh = ax.collections[0]
    rows, cols = ax._exolab_grid
    values = (matrix.reindex(index=rows, columns=cols, fill_value=0).fillna(0).astype(int)
              if matrix is not None and not matrix.empty
              else pd.DataFrame(0, index=rows, columns=cols)).to_numpy()
    mesh.set_array(values.ravel())
    settings = getattr(ax, "_exolab_heat", {"fontsize": HEATMAP_FONTSIZE, "scale_rows": None})
    top = _scale_top(values.astype(float), settings["scale_rows"])
    mesh.set_clim(0, top)
    cells = ax._exolab_cells
    for key in [k for k in cells if not values[k]]:
        cells.pop(key).remove()
    for i, j in zip(*np.nonzero(values)):
        key, n = (int(i), int(j)), int(values[i, j])
        if key in cells:
            cells[key].set_text(str(n))
            cells[key].set_color(_ink(n, top))
        else:
            cells[key] = _annotate(ax, key[0], key[1], n, top, settings["fontsize"])
    note = [t for t in ax.texts if t.get_gid() == "nomatch"]
    for t in note:
        t.set_visible(int(values.sum()) == 0)
    return [mesh, *cells.values(), *note]


def _is_findings(data) -> bool:
    return isinstance(data, pd.DataFrame) and "finding_id" in data.columns


COMMUNICATION_TITLE = "Who sends exosomes to whom"
RESISTANCE_TITLE = "Exosomal routes to drug resistance"


def communication_frame(data=None) -> pd.DataFrame:
    """The matrix :func:`plot_communication_heatmap` draws: only donors and recipients with findings."""
    matrix = query.communication_matrix(data=data) if data is None or _is_findings(data) else data
    if matrix.empty:
        return matrix
    return matrix.loc[matrix.sum(axis=1) > 0, matrix.sum(axis=0) > 0]


def resistance_frame(data=None) -> pd.DataFrame:
    """The matrix :func:`plot_resistance_matrix` draws, with mechanism names as column labels."""
    matrix = query.resistance_matrix_table(data=data) if data is None or _is_findings(data) else data
    if matrix.empty:
        return matrix
    return matrix.rename(columns=lambda c: query.vocab_label("resistance_mechanism", c))


def plot_communication_heatmap(data: pd.DataFrame | None = None, ax=None):
    """Heatmap of findings per donor (rows) × recipient (columns) cell type, counts annotated.

    Only donors and recipients with at least one finding get a row or column.

    Parameters
    ----------
    data : pandas.DataFrame, optional
        A matrix from :func:`exolab.query.communication_matrix`, or findings
        rows (counted here), or None for the whole table.
    ax : matplotlib.axes.Axes, optional
        Default: a new figure sized so each square is about 0.5 × 0.36 inches.
    """
    matrix = communication_frame(data)
    ax = _figure_for(matrix, ax, cell=_COMMUNICATION_CELL, title=COMMUNICATION_TITLE)
    ax = _heatmap(matrix, ax, title=COMMUNICATION_TITLE, cmap="Blues")
    if ax.axison:
        ax.set_xlabel("recipient cell")
        ax.set_ylabel("donor cell")
    return ax


def plot_resistance_matrix(data: pd.DataFrame | None = None, ax=None):
    """Heatmap of findings per drug (rows) × resistance mechanism (columns).

    Every mechanism is a column. Findings that name a mechanism but no drug form the
    last row, "(no specific drug)", set apart by a line; the colour scale is set by the
    drug rows, so that larger row shows its numbers on the darkest colour instead of
    washing out the drugs.

    Parameters
    ----------
    data : pandas.DataFrame, optional
        A matrix from :func:`exolab.query.resistance_matrix_table`, or findings
        rows, or None for the whole table.
    ax : matplotlib.axes.Axes, optional
        Default: a new figure sized so each square is about 0.95 × 0.36 inches.
    """
    matrix = resistance_frame(data)
    ax = _figure_for(matrix, ax, cell=_RESISTANCE_CELL, title=RESISTANCE_TITLE)
    named = [d != query.NO_DRUG for d in matrix.index]
    ax = _heatmap(matrix, ax, title=RESISTANCE_TITLE, cmap="Oranges",
                  scale_rows=named if any(named) and not all(named) else None)
    if ax.axison:
        ax.set_xlabel("resistance mechanism")
        ax.set_ylabel("drug")
        if not named[-1] and any(named):  # set the "(no specific drug)" row apart
            ax.axhline(len(named) - 1, color="#555555", lw=1.2)
    return ax


# ------------------------------------------------------------ HTML heatmaps ---

def heatmap_html(matrix: pd.DataFrame, *, cmap: str = "Blues", title: str = "",
                 row_label: str = "", col_label: str = "", unit: str = "finding",
                 scale_rows=None, joiner: str = "→", split_last: bool = False) -> str:
    """The same heatmap as an HTML table: coloured squares, counts, names; no image.

    The browser draws the text, so it stays sharp at any zoom and a redraw costs a
    millisecond (widgets use it for maps that change with every filter). Each square
    carries a tooltip ("donor → recipient: 3 findings"). Inline styles only; where
    styles are stripped (GitHub) it is still a readable table of counts.

    Parameters
    ----------
    matrix : pandas.DataFrame
        Counts; rows and columns are drawn in order (use :func:`communication_frame`
        to drop empty ones).
    cmap : str
        Matplotlib colour map, as in the PNG heatmaps.
    title, row_label, col_label : str
        Heading, and what rows and columns are ("donor cell", "recipient cell").
    unit : str
        Singular noun for the tooltip counts.
    scale_rows : sequence of bool, optional
        The rows that set the colour scale, as in the PNG heatmaps (others are clipped
        to its darkest colour and keep their numbers).
    joiner : str
        Between row and column name in the tooltips ("→" for donor → recipient).
    split_last : bool
        Set the last row apart with a line (the resistance matrix's "(no specific drug)").
    """
    import html as _html

    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    esc = _html.escape
    if matrix is None or matrix.empty or int(matrix.to_numpy().sum()) == 0:
        return (f"<div class='exolab-heatmap' style='line-height:1.4;padding:0.6em;color:#444;"
                f"border:1px solid #BBBBBB;border-radius:4px;display:inline-block'>{esc(NO_MATCH)}</div>")
    values = matrix.to_numpy(dtype=int)
    top = _scale_top(values, scale_rows)
    colours = colormaps[cmap](np.minimum(values / top, 1.0))
    corner = " / ".join(x for x in (f"{row_label} ↓" if row_label else "",
                                     f"{col_label} →" if col_label else "") if x)
    th = "font-weight:normal;color:#333;padding:1px 3px"
    head = "".join(
        f"<th style='{th};vertical-align:bottom;text-align:center'><div style='display:inline-block;"
        f"writing-mode:vertical-rl;transform:rotate(180deg);white-space:nowrap;text-align:left'>"
        f"{esc(str(c))}</div></th>" for c in matrix.columns)
    body = []
    for i, donor in enumerate(matrix.index):
        cells = []
        for j, recipient in enumerate(matrix.columns):
            n = int(values[i, j])
            tip = f"{donor} {joiner} {recipient}: {n} {unit}{'' if n == 1 else 's'}"
            ink = "white" if n / top > 0.55 else "#222222"
            cells.append(f"<td title='{esc(tip)}' style='background:{to_hex(colours[i, j])};color:{ink};"
                         f"min-width:2.3em;height:1.8em;padding:0;text-align:center;"
                         f"vertical-align:middle;border-radius:2px'>{n if n else ''}</td>")
        # a line above the last row: border-collapse is separate, so an extra spacer row
        rule = (f"<tr><td colspan='{len(matrix.columns) + 1}' style='padding:0;height:0;"
                f"border-top:2px solid #555555'></td></tr>"
                if split_last and i == len(matrix.index) - 1 and i > 0 else "")
        body.append(rule + f"<tr><th style='{th};text-align:right;white-space:nowrap'>{esc(str(donor))}</th>"
                    + "".join(cells) + "</tr>")
    heading = (f"<div style='font-weight:bold;margin:0 0 0.2em 0'>{esc(title)}</div>" if title else "")
    return (f"<div class='exolab-heatmap' style='line-height:1.25;margin:0.3em 0;overflow-x:auto'>"
            f"{heading}<table style='border-collapse:separate;border-spacing:2px;font-size:12px;"
            f"margin:0'><thead><tr><th style='{th};text-align:right;vertical-align:bottom;"
            f"font-size:11px;color:#666'>{esc(corner)}</th>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table></div>")


def communication_heatmap_html(data: pd.DataFrame | None = None) -> str:
    """:func:`plot_communication_heatmap` as HTML (see :func:`heatmap_html`)."""
    return heatmap_html(communication_frame(data), cmap="Blues", title=COMMUNICATION_TITLE,
                        row_label="donor", col_label="recipient")


def resistance_heatmap_html(data: pd.DataFrame | None = None) -> str:
    """:func:`plot_resistance_matrix` as HTML (see :func:`heatmap_html`): the same counts,
    colour scale (set by the drug rows) and line above "(no specific drug)"."""
    matrix = resistance_frame(data)
    named = [d != query.NO_DRUG for d in matrix.index]
    return heatmap_html(matrix, cmap="Oranges", title=RESISTANCE_TITLE, row_label="drug",
                        col_label="mechanism", joiner="×",
                        scale_rows=named if any(named) and not all(named) else None,
                        split_last=bool(named) and not named[-1] and any(named))
