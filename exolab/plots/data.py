"""Knowledge-base plots: counts of findings, cell-to-cell traffic, resistance grid.

Every helper takes ``data`` (findings rows or a precomputed table from
:mod:`exolab.query`) and ``ax=None``, and returns the Axes. Colours are fixed
per theme and cargo class (see :mod:`exolab.plots.theme`). An empty selection
gives an Axes that says so instead of raising or drawing empty axes.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from .. import query
from .theme import OKABE_ITO, palette_for

__all__ = ["NO_MATCH", "plot_findings_summary", "update_findings_summary", "update_heatmap", "plot_theme_counts", "plot_communication_heatmap",
           "plot_resistance_matrix"]

#: Text drawn on an Axes when nothing matches.
NO_MATCH = "No findings match these filters"


def _axes(ax, size=(5.0, 3.0)):
    if ax is None:
        _, ax = plt.subplots(figsize=size)
    return ax


def _empty(ax, what: str = NO_MATCH):
    ax.set_axis_off()
    ax.text(0.5, 0.5, what, ha="center", va="center", fontsize=11, transform=ax.transAxes,
            color="#444444")
    return ax


def _bars(ax, labels, counts, colours, *, title: str, xlabel: str = "findings"):
    # Horizontal bars: long labels (cell types, cancers) stay readable.
    y = list(range(len(labels)))
    ax.barh(y, counts, color=colours, edgecolor="none")
    ax.set_yticks(y, labels)
    ax.invert_yaxis()  # first level on top, like a table
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    ax.xaxis.get_major_locator().set_params(integer=True)
    for yi, n in zip(y, counts):
        ax.text(n, yi, f" {n}", va="center", fontsize=9)
    ax.margins(x=0.12)
    return ax


def plot_findings_summary(data: pd.DataFrame, by: str = "cargo_class", ax=None, *, context=None):
    """Bar chart of how many findings fall in each value of ``by``.

    Parameters
    ----------
    data : pandas.DataFrame
        Findings rows (e.g. from :func:`exolab.query.filter_findings`).
    by : str
        Column to count, e.g. ``"cargo_class"``, ``"theme"``, ``"cancer_type"``.
    ax : matplotlib.axes.Axes, optional
    context : pandas.DataFrame, optional
        A larger set (usually every finding). Each of its values gets a row,
        its counts are drawn as grey bars behind, and the x-axis is scaled to
        it, so :func:`update_findings_summary` can later change only the bars.

    Returns
    -------
    matplotlib.axes.Axes
        Coloured bars (``gid="bar"``), one per value; with ``context``, also
        grey bars (``gid="context"``).
    """
    ax = _axes(ax)
    base = data if context is None else context
    if base is None or len(base) == 0 or by not in base.columns:
        return _empty(ax)
    summary = query.summarise(base, by=by)
    levels = summary[by].tolist()
    colours = (list(palette_for(by, levels).values()) if by in ("theme", "cargo_class")
               else [OKABE_ITO[i % len(OKABE_ITO)] for i in range(len(levels))])
    y = list(range(len(levels)))
    if context is not None:
        ax.barh(y, summary["findings"], color="#DDDDDD", edgecolor="none", gid="context",
                label="all findings")
    bars = ax.barh(y, [0] * len(levels), color=colours, edgecolor="none", gid="bar")
    for b in bars:
        b.set_gid("bar")
    for yi in y:
        ax.text(0, yi, "", va="center", fontsize=9, gid="count")
    ax.text(0.5, 0.5, NO_MATCH, ha="center", va="center", fontsize=11, transform=ax.transAxes,
            color="#444444", gid="nomatch", visible=False,
            bbox={"facecolor": "white", "edgecolor": "#BBBBBB", "boxstyle": "round"})
    ax.set_yticks(y, summary["label"].tolist())
    ax.invert_yaxis()  # first level on top, like a table
    ax.set_xlabel("findings" if context is None else "findings (grey: all)")
    ax.set_title(f"Findings by {by.replace('_', ' ')}")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_xlim(0, max(1, int(summary["findings"].max())) * 1.15)
    ax._exolab_levels = (by, levels)  # which value each bar stands for, for updates
    update_findings_summary(ax, data, by=by)
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
    ax = _axes(ax)
    counts = query.counts_by_theme(data=data)
    if counts["findings"].sum() == 0:
        return _empty(ax)
    colours = list(palette_for("theme", counts["theme"]).values())
    labels = [t.replace("_", " ") for t in counts["theme"]]
    return _bars(ax, labels, counts["findings"].tolist(), colours, title="Findings per theme")


def _heatmap(matrix: pd.DataFrame, ax, *, title: str, cmap: str):
    if matrix is None or matrix.empty or int(matrix.values.sum()) == 0:
        return _empty(ax)
    # Only non-zero squares are labelled: a wall of zeros hides the pattern and
    # hundreds of text labels dominate drawing time.
    labels = matrix.map(lambda n: str(n) if n else "")
    sns.heatmap(matrix, annot=labels, fmt="", cmap=cmap, cbar=False, linewidths=0.5,
                linecolor="white", square=False, ax=ax, annot_kws={"fontsize": 9},
                vmin=0)
    ax._exolab_grid = (list(matrix.index), list(matrix.columns))  # for update_heatmap
    ax.text(0.5, 0.5, NO_MATCH, ha="center", va="center", fontsize=11, transform=ax.transAxes,
            color="#444444", gid="nomatch", visible=False,
            bbox={"facecolor": "white", "edgecolor": "#BBBBBB", "boxstyle": "round"})
    ax.set_title(title)
    if len(matrix.columns) > 8:  # many columns: upright labels would collide
        ax.tick_params(axis="x", labelrotation=90)
    else:
        ax.tick_params(axis="x", labelrotation=35)
        for label in ax.get_xticklabels():
            label.set_horizontalalignment("right")
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
        The artists that changed (the mesh, its labels, the no-match note), for blitting.
    """
    mesh = ax.collections[0]
    rows, cols = ax._exolab_grid
    values = (matrix.reindex(index=rows, columns=cols, fill_value=0).fillna(0).astype(int)
              if matrix is not None and not matrix.empty
              else pd.DataFrame(0, index=rows, columns=cols))
    flat = values.to_numpy().ravel()
    mesh.set_array(flat)
    top = max(int(flat.max()), 1)
    mesh.set_clim(0, top)
    labels = [t for t in ax.texts if t.get_gid() != "nomatch"]
    for text, n in zip(labels, flat):
        text.set_text(str(n) if n else "")
        text.set_color("white" if n / top > 0.6 else "#222222")
    note = [t for t in ax.texts if t.get_gid() == "nomatch"]
    for t in note:
        t.set_visible(int(flat.sum()) == 0)
    return [mesh, *labels, *note]


def _is_findings(data) -> bool:
    return isinstance(data, pd.DataFrame) and "finding_id" in data.columns


def plot_communication_heatmap(data: pd.DataFrame | None = None, ax=None):
    """Heatmap of findings per donor (rows) × recipient (columns) cell type, counts annotated.

    Parameters
    ----------
    data : pandas.DataFrame, optional
        A matrix from :func:`exolab.query.communication_matrix`, or findings
        rows (counted here), or None for the whole table.
    ax : matplotlib.axes.Axes, optional
    """
    matrix = query.communication_matrix(data=data) if data is None or _is_findings(data) else data
    ax = _axes(ax, size=(1.6 + 0.55 * max(len(matrix.columns), 1), 1.2 + 0.4 * max(len(matrix), 1)))
    ax = _heatmap(matrix, ax, title="Who sends exosomes to whom", cmap="Blues")
    if ax.axison:
        ax.set_xlabel("recipient cell")
        ax.set_ylabel("donor cell")
    return ax


def plot_resistance_matrix(data: pd.DataFrame | None = None, ax=None):
    """Heatmap of findings per drug (rows) × resistance mechanism (columns).

    Parameters
    ----------
    data : pandas.DataFrame, optional
        A matrix from :func:`exolab.query.resistance_matrix_table`, or findings
        rows, or None for the whole table.
    ax : matplotlib.axes.Axes, optional
    """
    matrix = query.resistance_matrix_table(data=data) if data is None or _is_findings(data) else data
    if not matrix.empty:
        matrix = matrix.rename(columns=lambda c: str(c).replace("_", " "))
    ax = _axes(ax, size=(1.6 + 0.7 * max(len(matrix.columns), 1), 1.2 + 0.35 * max(len(matrix), 1)))
    ax = _heatmap(matrix, ax, title="Exosomal routes to drug resistance", cmap="Oranges")
    if ax.axison:
        ax.set_xlabel("resistance mechanism")
        ax.set_ylabel("drug")
    return ax
