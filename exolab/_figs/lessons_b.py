"""Figures for lessons_b (registered with exolab.figures.figure).

Lessons 04 (drug resistance), 05 (metastasis and angiogenesis) and 06 (therapeutics
and biomarkers). Each builder returns a matplotlib Figure drawn with ``exolab.plots``
helpers; the lessons call the same helpers inline. Imports stay inside the builders so
that registering the figures never imports the knowledge base or pyplot.
"""
from __future__ import annotations

from ..figures import figure  # noqa: F401


@figure("04_resistance_matrix",
        alt="Heatmap of drugs (rows) against the six exosomal resistance mechanisms (columns); "
            "each cell counts the curated findings linking that drug to that mechanism, and a "
            "last row, set apart by a line, counts the findings that name a mechanism but no "
            "specific drug.")
def resistance_matrix_fig():
    from ..plots.data import plot_resistance_matrix
    from ..query import resistance_matrix_table

    ax = plot_resistance_matrix(resistance_matrix_table())
    return ax.figure


@figure("04_resistance_spread",
        alt="Sensitive and resistant cell numbers over 60 days in the exosomal resistance-transfer "
            "model at default settings; a dashed line marks the day resistant cells reach half the tumour.")
def resistance_spread_fig():
    from ..models.resistance import simulate_resistance, time_to_dominance
    from ..plots.models import plot_resistance_spread

    run = simulate_resistance()
    ax = plot_resistance_spread(run, dominance_day=time_to_dominance(run))
    return ax.figure


@figure("05_metastasis_angiogenesis_findings",
        alt="Bar chart of curated findings on metastasis and angiogenesis, counted by the effect "
            "the exosomal cargo has in the recipient cell.")
def metastasis_findings_fig():
    from ..plots.data import plot_findings_summary
    from ..query import filter_findings

    ax = plot_findings_summary(filter_findings(theme=["metastasis", "angiogenesis"]), by="effect")
    return ax.figure


@figure("06_inhibitor_comparison",
        alt="Two panels of the resistance-transfer model at the default drug dose: without an "
            "exosome-release inhibitor (left) and with a complete inhibitor (right); resistant "
            "cells take over about a week later on the right.")
def inhibitor_comparison_fig():
    from ..plots.models import plot_inhibitor_comparison

    return plot_inhibitor_comparison()[0].figure
