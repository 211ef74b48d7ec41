"""How fast vesicles sink in a centrifuge: Stokes' law, k-factors and pelleting times.

A sphere of diameter ``d`` and density ``rho_p`` in a medium of density ``rho_m`` and
viscosity ``eta`` has the sedimentation coefficient

    s = d**2 * (rho_p - rho_m) / (18 * eta)

(in seconds; 1 Svedberg, S, is 1e-13 s). A rotor's clearing factor ``k`` (hours x S) turns
this into a pelleting time, ``t = k / s`` hours. Because ``s`` grows with ``d**2``, halving
the diameter makes the spin four times longer: that is why a 2,000 g spin clears cells
and debris within minutes while 30-50 nm exosomes need about 100,000 g for over an hour.

All functions accept scalars or numpy arrays and raise ``ValueError`` on invalid input.
"""
from __future__ import annotations

import numpy as np

from ._checks import as_array, scalar_or_array

__all__ = ["SVEDBERG_S", "RCF_CONSTANT", "K_FACTOR_CONSTANT", "sedimentation_coefficient_S",
           "pelleting_time_h", "adjusted_k_factor", "rcf_g", "rpm_for_rcf", "k_factor_from_radii",
           "water_viscosity_mPa_s", "pelleting_table", "rotor_pelleting_time_min"]

SVEDBERG_S = 1e-13
"""One Svedberg unit, in seconds."""
RCF_CONSTANT = 1.118e-5
"""RCF = RCF_CONSTANT * r_cm * rpm**2 (omega**2 r / g with r in cm)."""
K_FACTOR_CONSTANT = 2.53e11
"""k = K_FACTOR_CONSTANT * ln(r_max / r_min) / rpm**2 (k in hours x S)."""


def sedimentation_coefficient_S(diameter_nm, particle_density_g_ml=1.15, medium_density_g_ml=1.0,
                                viscosity_mPa_s=1.0):
    """Sedimentation coefficient of a sphere by Stokes' law, in Svedberg units.

    Parameters
    ----------
    diameter_nm : float or array_like
        Particle diameter in nm (> 0).
    particle_density_g_ml : float or array_like
        Particle (buoyant) density in g/mL; small EVs are about 1.10-1.19 (> 0).
    medium_density_g_ml : float or array_like
        Medium density in g/mL; water/PBS is about 1.0 (> 0).
    viscosity_mPa_s : float or array_like
        Dynamic viscosity of the medium in mPa s (= cP); water at 20 C is 1.0 (> 0).

    Returns
    -------
    float or numpy.ndarray
        ``s`` in S. Zero when the densities are equal (the particle never pellets);
        negative when the particle is lighter than the medium (it floats).
    """
    d = as_array("diameter_nm", diameter_nm, low=0, low_open=True) * 1e-9          # m
    rho_p = as_array("particle_density_g_ml", particle_density_g_ml, low=0, low_open=True) * 1e3
    rho_m = as_array("medium_density_g_ml", medium_density_g_ml, low=0, low_open=True) * 1e3
    eta = as_array("viscosity_mPa_s", viscosity_mPa_s, low=0, low_open=True) * 1e-3  # Pa s
    s_seconds = d ** 2 * (rho_p - rho_m) / (18.0 * eta)
    return scalar_or_array(s_seconds / SVEDBERG_S)


def pelleting_time_h(k_factor, s_S):
    """Hours needed to pellet particles with coefficient ``s_S`` in a rotor of clearing factor ``k``.

    Parameters
    ----------
    k_factor : float or array_like
        Rotor clearing factor in hours x S at the speed used (> 0).
    s_S : float or array_like
        Sedimentation coefficient in S.

    Returns
    -------
    float or numpy.ndarray
        ``k / s`` in hours; ``inf`` where ``s <= 0`` (neutrally buoyant or floating
        particles never reach the pellet).
    """
    k = as_array("k_factor", k_factor, low=0, low_open=True)
    s = as_array("s_S", s_S)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(s > 0, k / np.where(s > 0, s, 1.0), np.inf)
    return scalar_or_array(t)


def adjusted_k_factor(k_max, rpm_max, rpm):
    """Clearing factor at a lower speed: ``k = k_max * (rpm_max / rpm)**2``.

    Parameters
    ----------
    k_max : float
        k-factor at the rotor's rated speed (hours x S, > 0).
    rpm_max : float
        Rated speed (rpm, > 0).
    rpm : float or array_like
        Speed actually used (rpm, > 0 and <= ``rpm_max``).

    Returns
    -------
    float or numpy.ndarray
        The k-factor at ``rpm``.
    """
    k = as_array("k_max", k_max, low=0, low_open=True)
    top = as_array("rpm_max", rpm_max, low=0, low_open=True)
    speed = as_array("rpm", rpm, low=0, low_open=True, high=float(np.max(top)))
    return scalar_or_array(k * (top / speed) ** 2)


def rcf_g(rpm, radius_mm):
    """Relative centrifugal force (multiples of g) at ``radius_mm`` and ``rpm``.

    ``RCF = 1.118e-5 * r_cm * rpm**2``.
    """
    speed = as_array("rpm", rpm, low=0)
    r_cm = as_array("radius_mm", radius_mm, low=0, low_open=True) / 10.0
    return scalar_or_array(RCF_CONSTANT * r_cm * speed ** 2)


def rpm_for_rcf(rcf, radius_mm):
    """Speed (rpm) that gives ``rcf`` (x g) at ``radius_mm``; the inverse of :func:`rcf_g`."""
    g = as_array("rcf", rcf, low=0, low_open=True)
    r_cm = as_array("radius_mm", radius_mm, low=0, low_open=True) / 10.0
    return scalar_or_array(np.sqrt(g / (RCF_CONSTANT * r_cm)))


def k_factor_from_radii(r_max_mm, r_min_mm, rpm):
    """Clearing factor from rotor geometry: ``2.53e11 * ln(r_max / r_min) / rpm**2`` (hours x S)."""
    r_max = as_array("r_max_mm", r_max_mm, low=0, low_open=True)
    r_min = as_array("r_min_mm", r_min_mm, low=0, low_open=True, high=float(np.min(r_max)),
                     high_open=True)
    speed = as_array("rpm", rpm, low=0, low_open=True)
    return scalar_or_array(K_FACTOR_CONSTANT * np.log(r_max / r_min) / speed ** 2)


def water_viscosity_mPa_s(temp_C):
    """Dynamic viscosity of liquid water, in mPa s, from an empirical Vogel fit.

    Uses ``eta = A * 10**(B / (T - C))`` with ``A = 0.02414 mPa s``, ``B = 247.8 K``,
    ``C = 140 K`` and ``T`` in kelvin: the widely tabulated Vogel-equation fit (as quoted,
    e.g., in the Wikipedia article "Viscosity", table for water). It stays within about
    2.5 % of reference data over 0-100 C: 1.00 at 20 C, about 1.55 at 4 C.

    Parameters
    ----------
    temp_C : float or array_like
        Temperature in degrees Celsius, 0-100 (liquid water at 1 atm).

    Returns
    -------
    float or numpy.ndarray
        Viscosity in mPa s.
    """
    t = as_array("temp_C", temp_C, low=0, high=100)
    kelvin = t + 273.15
    return scalar_or_array(0.02414 * 10 ** (247.8 / (kelvin - 140.0)))


def pelleting_table(diameters_nm, *, k_factor, particle_density_g_ml=1.15, medium_density_g_ml=1.0,
                    viscosity_mPa_s=1.0):
    """Tidy table of sedimentation coefficient and pelleting time for several diameters.

    Returns
    -------
    pandas.DataFrame
        Columns ``diameter_nm``, ``s_S``, ``time_h``, ``time_min``.
    """
    import pandas as pd

    d = np.atleast_1d(as_array("diameters_nm", diameters_nm, low=0, low_open=True))
    s = np.atleast_1d(sedimentation_coefficient_S(d, particle_density_g_ml, medium_density_g_ml,
                                                  viscosity_mPa_s))
    t = np.atleast_1d(pelleting_time_h(k_factor, s))
    return pd.DataFrame({"diameter_nm": d, "s_S": s, "time_h": t, "time_min": t * 60.0})


def rotor_pelleting_time_min(diameter_nm, rotor="type_70_ti", rcf_g=100_000.0, temp_C=4.0,
                             particle_density_g_ml=1.15, medium_density_g_ml=1.0):
    """Minutes to pellet vesicles of ``diameter_nm`` in a rotor of the ``rotors`` table.

    The same chain as the sedimentation explorer, in one call (so a quiz answer can be
    computed rather than typed): the speed that gives ``rcf_g`` at the rotor's
    ``r_max``, the k-factor at that speed, the viscosity of water at ``temp_C`` and
    Stokes' law.

    Parameters
    ----------
    diameter_nm : float or array_like
        Vesicle diameter in nm (> 0).
    rotor : str
        A ``rotor_id`` of the ``rotors`` table (``exolab.data.load("rotors")``).
    rcf_g : float
        Force at ``r_max`` in multiples of g (> 0, at most the rotor's maximum).
    temp_C : float
        Temperature in degrees Celsius (0-100), which sets the water viscosity.
    particle_density_g_ml, medium_density_g_ml : float
        Densities in g/mL (> 0).

    Returns
    -------
    float or numpy.ndarray
        Minutes; ``inf`` where the vesicle is not denser than the medium.

    Raises
    ------
    ValueError
        Unknown rotor, a force beyond the rotor's maximum, or any invalid number.
    """
    from exolab.data import load  # late: the other functions here need no data tables

    rotors = load("rotors").set_index("rotor_id")
    if rotor not in rotors.index:
        raise ValueError(f"rotor must be a rotor_id of the rotors table ({', '.join(rotors.index)}); "
                         f"got {rotor!r}")
    row = rotors.loc[rotor]
    r_max, max_rpm, k_max = float(row["r_max_mm"]), float(row["max_rpm"]), float(row["k_factor"])
    force = float(as_array("rcf_g", rcf_g, low=0, low_open=True))
    top = RCF_CONSTANT * (r_max / 10.0) * max_rpm ** 2  # rcf_g() at full speed (the name is taken here)
    if force > top:
        raise ValueError(f"rcf_g = {force:,.0f} x g is beyond the {row['name']} rotor's maximum of "
                         f"{top:,.0f} x g at {max_rpm:,.0f} rpm")
    rpm = rpm_for_rcf(force, r_max)
    k = adjusted_k_factor(k_max, max_rpm, rpm)
    s = sedimentation_coefficient_S(diameter_nm, particle_density_g_ml, medium_density_g_ml,
                                    water_viscosity_mPa_s(temp_C))
    return scalar_or_array(np.asarray(pelleting_time_h(k, s)) * 60.0)
