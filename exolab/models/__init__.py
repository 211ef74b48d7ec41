"""Teaching models: small pure numpy/scipy functions (ValueError on invalid input).

- :mod:`~exolab.models.sedimentation` — Stokes' law, k-factors, pelleting times
- :mod:`~exolab.models.warburg` — ATP yield and glucose/lactate budget
- :mod:`~exolab.models.resistance` — sensitive/resistant cells with exosomal transfer
- :mod:`~exolab.models.sizing` — simulated NTA size measurement, MISEV classes
"""
from __future__ import annotations

from . import resistance, sedimentation, sizing, warburg
from .resistance import simulate_resistance, time_to_dominance
from .sedimentation import (adjusted_k_factor, pelleting_time_h, rcf_g,
                            sedimentation_coefficient_S, water_viscosity_mPa_s)
from .sizing import classify_sizes, simulate_nta
from .warburg import glucose_uptake_for_demand, lactate_output, warburg_budget

__all__ = ["resistance", "sedimentation", "sizing", "warburg", "adjusted_k_factor",
           "classify_sizes", "glucose_uptake_for_demand", "lactate_output", "pelleting_time_h",
           "rcf_g", "sedimentation_coefficient_S", "simulate_nta", "simulate_resistance",
           "time_to_dominance", "warburg_budget", "water_viscosity_mPa_s"]
