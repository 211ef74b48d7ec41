"""Figures for lessons_a (registered with exolab.figures.figure).

Lessons 01 (biogenesis), 02 (metabolic reprogramming) and 03 (immunity). Each builder
returns a matplotlib Figure drawn with ``exolab.plots`` helpers; the lessons call the
same helpers inline. Imports stay inside the builders so that registering the figures
never imports the knowledge base or pyplot.
"""
from __future__ import annotations

from ..figures import figure


@figure("01_size_distribution",
        alt="Stacked histogram of a simulated nanoparticle-tracking measurement of 2,000 vesicles: "
            "exosome-sized particles peak near 100 nm, larger vesicles spread to several hundred nm, "
            "and a dashed line marks the 200 nm MISEV boundary between small and medium/large EVs.")
def size_distribution_fig():
    from ..plots.models import plot_size_distribution

    return plot_size_distribution().figure


@figure("01_pelleting_times",
        alt="Log-log line plot of the time needed to pellet a vesicle against its diameter "
            "(20-1000 nm) in a Type 70 Ti rotor at 100,000 g and 4 °C; the exosome size range "
            "(30-150 nm) is shaded and a 100 nm vesicle is marked at about 25 minutes; a 50 nm one would need over an hour and a half.")
def pelleting_times_fig():
    from ..plots.models import plot_pelleting_times

    return plot_pelleting_times(highlight_nm=100).figure


@figure("02_warburg_budget",
        alt="Line plot of glucose taken up and lactate released to meet a demand of 100 ATP, "
            "against the share of glucose fully oxidised; both fall steeply as the share rises, "
            "and a vertical line marks a glycolytic tumour-like cell oxidising 20 %.")
def warburg_budget_fig():
    from ..plots.models import plot_warburg_budget

    return plot_warburg_budget(current_share=0.2).figure


@figure("02_metabolism_effects",
        alt="Bar chart of the curated metabolism findings counted by the effect the exosomal "
            "cargo has in the recipient cell, such as raised glycolysis or CAF activation.")
def metabolism_effects_fig():
    from ..plots.data import plot_findings_summary
    from ..query import filter_findings

    return plot_findings_summary(filter_findings(theme="metabolism"), by="effect").figure


@figure("03_immunity_effects",
        alt="Bar chart of the curated immunity findings counted by the effect the exosomal cargo "
            "has in the recipient cell, such as M2 polarisation or T-cell suppression.")
def immunity_effects_fig():
    from ..plots.data import plot_findings_summary
    from ..query import filter_findings

    return plot_findings_summary(filter_findings(theme="immunity"), by="effect").figure
