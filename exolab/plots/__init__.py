"""Course plots: one seaborn theme, fixed colour-blind-safe palettes, helpers.

Every helper takes ``data=`` and ``ax=None`` and returns the Axes.
"""
from __future__ import annotations

from .theme import (CARGO_COLOURS, NEUTRAL, OKABE_ITO, THEME_COLOURS, figures_dir, palette_for,
                    save_figure, set_theme)

__all__ = ["CARGO_COLOURS", "NEUTRAL", "OKABE_ITO", "THEME_COLOURS", "figures_dir", "palette_for",
           "save_figure", "set_theme"]
from .data import plot_communication_heatmap, plot_findings_summary, plot_resistance_matrix, plot_theme_counts  # noqa: E402,F401
