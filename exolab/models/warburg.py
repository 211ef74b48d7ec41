"""The Warburg effect as an energy budget: how much glucose a cell must take up.

Glycolysis alone nets 2 ATP per glucose and leaves 2 lactate. Oxidising the same glucose
completely (glycolysis + TCA cycle + oxidative phosphorylation) yields about 30-32 ATP by
current textbook accounting (older books, assuming whole-number P/O ratios, say 36-38).
A cell that sends most glucose to lactate must therefore take up many times more glucose
to meet the same ATP demand: the "less efficient but fast" trade-off of the Warburg effect.

``oxphos_share`` is the fraction of *glucose* that is fully oxidised; the rest is fermented
to lactate. It is not the fraction of *ATP* made by mitochondria, which is what the
Warburg literature usually quotes: with 20 % of glucose oxidised at 32 ATP each, 6 of
every 8 ATP (75 %) still come from mitochondria. :func:`explore` reports both.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ._checks import as_array, as_scalar, scalar_or_array

__all__ = ["ATP_GLYCOLYSIS", "ATP_FULL_OXIDATION", "ATP_FULL_OXIDATION_RANGE",
           "ATP_FULL_OXIDATION_OLDER_RANGE", "LACTATE_PER_GLUCOSE", "MAX_ATP_DEMAND",
           "atp_per_glucose", "glucose_uptake_for_demand", "lactate_output", "warburg_budget",
           "atp_share_from_mitochondria", "explore"]

ATP_GLYCOLYSIS = 2
"""Net ATP per glucose from glycolysis alone (to pyruvate/lactate)."""
ATP_FULL_OXIDATION = 32
"""ATP per glucose fully oxidised to CO2, upper end of the modern textbook estimate."""
ATP_FULL_OXIDATION_RANGE = (30, 32)
"""Modern estimate (non-integer P/O ratios: ~2.5 per NADH, ~1.5 per FADH2)."""
ATP_FULL_OXIDATION_OLDER_RANGE = (36, 38)
"""Older textbook figure (P/O ratios of 3 and 2)."""
LACTATE_PER_GLUCOSE = 2
"""Lactate molecules made per glucose fermented."""
MAX_ATP_DEMAND = 1e15
"""Upper bound on ``atp_demand`` (any unit): far above any cell culture in any unit the
course uses, and small enough that every derived amount prints as a readable number."""


def _share(oxphos_share):
    return as_array("oxphos_share", oxphos_share, low=0, high=1)


def _yield(atp_full_oxidation):
    return as_array("atp_full_oxidation", atp_full_oxidation, low=ATP_GLYCOLYSIS, low_open=True,
                    high=40)


def atp_per_glucose(oxphos_share, atp_full_oxidation=ATP_FULL_OXIDATION):
    """Average ATP per glucose when a fraction ``oxphos_share`` is fully oxidised.

    Parameters
    ----------
    oxphos_share : float or array_like
        Fraction (0-1) of glucose fully oxidised; the rest becomes lactate.
    atp_full_oxidation : float
        ATP per fully oxidised glucose (> 2 and <= 40; default 32).

    Returns
    -------
    float or numpy.ndarray
        ``(1 - f) * 2 + f * atp_full_oxidation``.
    """
    f = _share(oxphos_share)
    y = _yield(atp_full_oxidation)
    return scalar_or_array((1 - f) * ATP_GLYCOLYSIS + f * y)


def glucose_uptake_for_demand(atp_demand, oxphos_share, atp_full_oxidation=ATP_FULL_OXIDATION):
    """Glucose a cell must take up to make ``atp_demand`` ATP.

    Parameters
    ----------
    atp_demand : float or array_like
        ATP needed, in any amount unit (molecules, nmol/h per 10^6 cells ...; 0-1e15).
    oxphos_share : float or array_like
        Fraction (0-1) of glucose fully oxidised.
    atp_full_oxidation : float
        ATP per fully oxidised glucose (default 32).

    Returns
    -------
    float or numpy.ndarray
        Glucose in the same amount unit as ``atp_demand``.
    """
    demand = as_array("atp_demand", atp_demand, low=0, high=MAX_ATP_DEMAND)
    return scalar_or_array(demand / atp_per_glucose(oxphos_share, atp_full_oxidation))


def lactate_output(atp_demand, oxphos_share, atp_full_oxidation=ATP_FULL_OXIDATION):
    """Lactate released while meeting ``atp_demand``: 2 per fermented glucose (same unit)."""
    glucose = glucose_uptake_for_demand(atp_demand, oxphos_share, atp_full_oxidation)
    return scalar_or_array(LACTATE_PER_GLUCOSE * (1 - _share(oxphos_share)) * glucose)


def warburg_budget(atp_demand=100.0, shares=None, atp_full_oxidation=ATP_FULL_OXIDATION):
    """Tidy energy budget over a range of ``oxphos_share`` values, for plotting.

    Parameters
    ----------
    atp_demand : float
        ATP to be made (>= 0).
    shares : array_like, optional
        Values of ``oxphos_share`` (0-1); default 0, 0.01, ..., 1.
    atp_full_oxidation : float
        ATP per fully oxidised glucose (default 32).

    Returns
    -------
    pandas.DataFrame
        One row per share: ``oxphos_share``, ``atp_per_glucose``, ``glucose_uptake``,
        ``lactate_output``, ``atp_from_glycolysis``, ``atp_from_mitochondria`` (ATP
        amounts add up to ``atp_demand``), ``glucose_vs_full_oxidation`` (uptake relative
        to a cell that oxidises everything) and ``atp_share_from_mitochondria`` (0-1).
        ``atp_from_oxphos`` is the old name of ``atp_from_mitochondria``, kept (same
        values) for code written before the rename; it includes the 2 GTP/ATP per
        glucose of the TCA cycle, which are mitochondrial but not oxidative
        phosphorylation.
    """
    f = np.linspace(0, 1, 101) if shares is None else np.atleast_1d(_share(shares))
    glucose = np.atleast_1d(glucose_uptake_for_demand(atp_demand, f, atp_full_oxidation))
    y = float(_yield(atp_full_oxidation))
    # Every glucose, oxidised or not, passes through glycolysis (2 ATP); the rest of
    # the oxidative yield is credited to the mitochondria.
    atp_glycolysis = ATP_GLYCOLYSIS * glucose
    atp_mito = (y - ATP_GLYCOLYSIS) * f * glucose
    return pd.DataFrame({
        "oxphos_share": f,
        "atp_per_glucose": np.atleast_1d(atp_per_glucose(f, y)),
        "glucose_uptake": glucose,
        "lactate_output": LACTATE_PER_GLUCOSE * (1 - f) * glucose,
        "atp_from_glycolysis": atp_glycolysis,
        "atp_from_oxphos": atp_mito,  # backwards-compatible alias, see the docstring
        # Relative uptake does not depend on the demand: y / yield(f).
        "glucose_vs_full_oxidation": y / np.atleast_1d(atp_per_glucose(f, y)),
        "atp_from_mitochondria": atp_mito,
        "atp_share_from_mitochondria": np.atleast_1d(atp_share_from_mitochondria(f, y)),
    })


def atp_share_from_mitochondria(oxphos_share, atp_full_oxidation=ATP_FULL_OXIDATION):
    """Fraction of the ATP made in mitochondria when ``oxphos_share`` of glucose is oxidised.

    ``f * (y - 2) / ((1 - f) * 2 + f * y)``: each oxidised glucose gives ``y - 2`` ATP
    beyond glycolysis. This is the number the Warburg literature usually means by
    "the OXPHOS share"; it is much larger than the glucose share (0.2 of the glucose
    gives 0.75 of the ATP at 32 ATP per glucose).

    Parameters
    ----------
    oxphos_share : float or array_like
        Fraction (0-1) of glucose fully oxidised.
    atp_full_oxidation : float
        ATP per fully oxidised glucose (> 2 and <= 40; default 32).

    Returns
    -------
    float or numpy.ndarray
        Fraction between 0 and 1.
    """
    f = _share(oxphos_share)
    y = _yield(atp_full_oxidation)
    return scalar_or_array(f * (y - ATP_GLYCOLYSIS) / ((1 - f) * ATP_GLYCOLYSIS + f * y))


def explore(oxphos_share=0.2, atp_demand=100.0, atp_full_oxidation=ATP_FULL_OXIDATION,
            shares=None) -> dict:
    """Everything the Warburg explorer shows for one setting, in one pure call.

    Parameters
    ----------
    oxphos_share : float
        Fraction (0-1) of glucose fully oxidised.
    atp_demand : float
        ATP to be made, any amount unit (0-1e15).
    atp_full_oxidation : float
        ATP per fully oxidised glucose (> 2 and <= 40; 30-32 modern, 36-38 older books).
    shares : array_like, optional
        ``oxphos_share`` values of the budget curve; default 0, 0.01, ..., 1.

    Returns
    -------
    dict
        ``atp_per_glucose``; ``glucose_uptake`` and ``lactate_output`` (unit of
        ``atp_demand``); ``fold`` (glucose relative to a cell that oxidises all of it);
        ``glucose_share_oxidised`` (= ``oxphos_share``); ``atp_share_from_mitochondria``
        and ``atp_share_from_glycolysis`` (fractions of the ATP, adding up to 1);
        ``budget`` (:func:`warburg_budget` over ``shares``).

    Examples
    --------
    >>> r = explore(0.2, 100)
    >>> r["atp_per_glucose"], r["glucose_uptake"], r["fold"], r["atp_share_from_mitochondria"]
    (8.0, 12.5, 4.0, 0.75)
    """
    share = as_scalar("oxphos_share", oxphos_share, low=0, high=1)
    y = float(_yield(atp_full_oxidation))
    demand = as_scalar("atp_demand", atp_demand, low=0, high=MAX_ATP_DEMAND)
    per_glucose = atp_per_glucose(share, y)
    mito = atp_share_from_mitochondria(share, y)
    return {"atp_per_glucose": per_glucose,
            "glucose_uptake": glucose_uptake_for_demand(demand, share, y),
            "lactate_output": lactate_output(demand, share, y),
            "fold": y / per_glucose,
            "glucose_share_oxidised": share,
            "atp_share_from_mitochondria": mito,
            "atp_share_from_glycolysis": 1.0 - mito,
            "budget": warburg_budget(demand, np.linspace(0, 1, 101) if shares is None else shares,
                                     atp_full_oxidation=y)}
