"""Figures for start (registered with exolab.figures.figure)."""
from __future__ import annotations

from ..figures import figure  # noqa: F401


@figure("00_findings_per_theme",
        alt="Horizontal bar chart of how many findings in the course knowledge base belong to each "
            "theme, from biogenesis to therapy, with metabolism the largest; counts are computed "
            "from the findings table when the figure is made.")
def findings_per_theme_fig():
    from ..plots import plot_theme_counts

    return plot_theme_counts().figure
