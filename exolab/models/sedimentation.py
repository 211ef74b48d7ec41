"""How fast vesicles sink in a centrifuge: Stokes' law, k-factors and pelleting times.

A sphere of diameter ``d`` and density ``rho_p`` in a medium of density ``rho_m`` and
viscosity ``eta`` has the sedimentation coefficient

    s = d**2 * (rho_p - rho_m) / (18 * eta)

(in seconds; 1 Svedberg, S, is 1e-13 s). A rotor's clearing factor ``k`` (hours x S) turns
this into a pelleting time, ``t = k / s`` hours. Because ``s`` grows with ``d**2``, halving
the diameter makes the spin four times longer: that is why a 2,000 g spin clears cells
and debris within minutes while 30-50 nm exosomes need about 100,000 g for over an hour.

All functions accept scalars or numpy arrays and raise ``ValueError`` on invalid input.
Inputs are also held to physically plausible ranges (``DENSITY_RANGE_G_ML`` ...): a typed
``1e308`` is a typing slip, and answering it with a 300-digit pelleting time teaches nothing.

Forces are quoted at ``r_max`` (the tube bottom) unless a function takes ``radius="av"``;
many EV protocols quote g at ``r_av``, which needs a faster spin for the same number.
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ._checks import as_array, as_scalar, fmt_number, require_finite, scalar_or_array

__all__ = ["SVEDBERG_S", "RCF_CONSTANT", "K_FACTOR_CONSTANT", "sedimentation_coefficient_S",
           "pelleting_time_h", "adjusted_k_factor", "rcf_g", "rpm_for_rcf", "k_factor_from_radii",
           "water_viscosity_mPa_s", "pelleting_table", "rotor_pelleting_time_min",
           "DIAMETER_RANGE_NM", "DENSITY_RANGE_G_ML", "MEDIUM_DENSITY_RANGE_G_ML",
           "VISCOSITY_RANGE_MPA_S", "average_radius_mm", "rotor_spec", "spin_plan",
           "clearing_comparison", "CLEARING_PARTICLES", "format_duration", "DEFAULT_ROTOR",
           "default_rotor"]

SVEDBERG_S = 1e-13
"""One Svedberg unit, in seconds."""
RCF_CONSTANT = 1.118e-5
"""RCF = RCF_CONSTANT * r_cm * rpm**2 (omega**2 r / g with r in cm)."""
K_FACTOR_CONSTANT = 2.53e11
"""k = K_FACTOR_CONSTANT * ln(r_max / r_min) / rpm**2 (k in hours x S)."""

DIAMETER_RANGE_NM = (0.0, 1e6)
"""Diameters above 1 mm are no longer particles in a centrifuge tube (cells are ~10 um)."""
DENSITY_RANGE_G_ML = (0.5, 3.0)
"""Particle densities in g/mL: lipoproteins ~0.95, EVs 1.08-1.21, cells ~1.07, RNA in CsCl
~1.9, silica beads ~2; outside 0.5-3 the value is a typing slip, not a vesicle."""
MEDIUM_DENSITY_RANGE_G_ML = (0.7, 2.0)
"""Medium densities in g/mL: from ethanol (0.79) through water/PBS (1.0) to dense
gradient media (sucrose, iodixanol, CsCl up to ~1.9)."""
VISCOSITY_RANGE_MPA_S = (0.1, 1e4)
"""Liquids from hot water (0.28 mPa s) to glycerol (~1,400 mPa s), with room either side."""

DEFAULT_ROTOR = "type_70_ti"
"""The rotor the course's examples use when the ``rotors`` table holds it (the same rule
as :func:`exolab.query.default_rotor`, kept here because the models never import query)."""


def _rotor_table():
    from exolab.data import load  # late: the formulas here need no data tables

    return load("rotors").set_index("rotor_id")


def default_rotor(rotor=None) -> str:
    """The ``rotor_id`` a calculation uses when none is given.

    Parameters
    ----------
    rotor : str, optional
        A wanted ``rotor_id``; returned as it is if the ``rotors`` table holds it.
        ``None`` gives :data:`DEFAULT_ROTOR` when the table has it, else the table's
        first rotor (an instructor's table may hold other rotors).

    Returns
    -------
    str
        A ``rotor_id`` of the ``rotors`` table.

    Raises
    ------
    ValueError
        ``rotor`` is not in the table (the message lists the valid ids), or the table
        holds no rotor.

    Examples
    --------
    >>> default_rotor()            # doctest: +SKIP
    'type_70_ti'
    """
    ids = [str(i) for i in _rotor_table().index]
    if not ids:
        raise ValueError("the rotors table holds no rotor; add one to rotors.csv")
    if rotor is None:
        return DEFAULT_ROTOR if DEFAULT_ROTOR in ids else ids[0]
    if str(rotor) not in ids:
        raise ValueError(f"rotor must be a rotor_id of the rotors table ({', '.join(ids)}); "
                         f"got {rotor!r}")
    return str(rotor)


def sedimentation_coefficient_S(diameter_nm, particle_density_g_ml=1.15, medium_density_g_ml=1.0,
                                viscosity_mPa_s=1.0):
    """Sedimentation coefficient of a sphere by Stokes' law, in Svedberg units.

    Parameters
    ----------
    diameter_nm : float or array_like
        Particle diameter in nm (> 0 and <= 1,000,000, i.e. 1 mm).
    particle_density_g_ml : float or array_like
        Particle (buoyant) density in g/mL; small EVs are about 1.10-1.19 (0.5-3).
    medium_density_g_ml : float or array_like
        Medium density in g/mL; water/PBS is about 1.0 (0.7-2).
    viscosity_mPa_s : float or array_like
        Dynamic viscosity of the medium in mPa s (= cP); water at 20 C is 1.0 (0.1-10,000).

    Returns
    -------
    float or numpy.ndarray
        ``s`` in S. Zero when the densities are equal (the particle never pellets);
        negative when the particle is lighter than the medium (it floats).
    """
    d = as_array("diameter_nm", diameter_nm, low=DIAMETER_RANGE_NM[0], low_open=True,
                 high=DIAMETER_RANGE_NM[1]) * 1e-9                                    # m
    rho_p = as_array("particle_density_g_ml", particle_density_g_ml,
                     low=DENSITY_RANGE_G_ML[0], high=DENSITY_RANGE_G_ML[1]) * 1e3      # kg/m3
    rho_m = as_array("medium_density_g_ml", medium_density_g_ml,
                     low=MEDIUM_DENSITY_RANGE_G_ML[0], high=MEDIUM_DENSITY_RANGE_G_ML[1]) * 1e3
    eta = as_array("viscosity_mPa_s", viscosity_mPa_s, low=VISCOSITY_RANGE_MPA_S[0],
                   high=VISCOSITY_RANGE_MPA_S[1]) * 1e-3                               # Pa s
    # The bounds above keep s far from overflow; the guard stays so that a later change
    # of bounds can never turn into an inf (and a RuntimeWarning) shown to a learner.
    with np.errstate(over="ignore", invalid="ignore"):
        s_S = d ** 2 * (rho_p - rho_m) / (18.0 * eta) / SVEDBERG_S
    require_finite("the sedimentation coefficient", s_S,
                   "diameter_nm, the densities and viscosity_mPa_s")
    return scalar_or_array(s_S)


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
    # A vanishing positive s gives an overflowing k/s: that is "never" too, so inf
    # is the honest answer and the RuntimeWarning would only be noise in the log.
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
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


def pelleting_table(rotor=None, rcf_g=None, diameters_nm=None, *, k_factor=None, temp_C=None,
                    radius="max", particle_density_g_ml=1.15, medium_density_g_ml=1.0,
                    viscosity_mPa_s=None):
    """Tidy table of sedimentation coefficient and pelleting time for several diameters.

    Two ways to call it:

    - ``pelleting_table(rotor, rcf_g, diameters_nm, temp_C=4)``: the spin of a rotor
      (a row of the ``rotors`` table, a mapping with the same keys, or a ``rotor_id``)
      at ``rcf_g``, water at ``temp_C``. This is what a lesson's loop over a few
      diameters needs, in one call.
    - ``pelleting_table(diameters_nm, k_factor=k, viscosity_mPa_s=eta)``: the original
      form, for a k-factor you already have. It is recognised by ``k_factor``; its
      viscosity default stays 1.0 mPa s (water at 20 C), so old results do not change.

    Parameters
    ----------
    rotor : str, mapping or pandas.Series, optional
        See :func:`rotor_spec`; ``None`` means :func:`default_rotor`. (In the
        ``k_factor`` form: the diameters.)
    rcf_g : float
        Force in multiples of g at the radius chosen by ``radius`` (> 0, at most the
        rotor's maximum).
    diameters_nm : array_like, optional
        Diameters in nm; default 40 log-spaced values from 20 to 1,000 nm.
    k_factor : float, optional
        Clearing factor in hours x S at the speed used (the original form).
    temp_C : float, optional
        Water temperature in C (0-100) that sets the viscosity; default 4 C with a rotor.
    radius : {"max", "av"}
        Where ``rcf_g`` is quoted: ``r_max`` (default) or ``r_av``.
    particle_density_g_ml, medium_density_g_ml : float
        Densities in g/mL (see :func:`sedimentation_coefficient_S`).
    viscosity_mPa_s : float, optional
        Medium viscosity in mPa s; overrides ``temp_C``.

    Returns
    -------
    pandas.DataFrame
        Columns ``diameter_nm``, ``s_S``, ``time_h``, ``time_min``. With a rotor,
        ``df.attrs`` holds the spin: ``rotor_name``, ``radius``, ``rcf_g``, ``rpm``,
        ``k_factor``, ``viscosity_mPa_s``.

    Raises
    ------
    ValueError
        Unknown rotor, a force beyond the rotor's maximum, both forms mixed, or any
        invalid number.
    """
    import pandas as pd

    attrs = {}
    if k_factor is not None:
        if rcf_g is not None:
            raise ValueError("pelleting_table takes either k_factor= or a rotor and rcf_g, not both")
        if rotor is not None and diameters_nm is not None:
            raise ValueError("pelleting_table(diameters_nm, k_factor=...) got the diameters twice")
        diameters = diameters_nm if diameters_nm is not None else rotor
        if diameters is None:
            raise ValueError("pelleting_table(diameters_nm, k_factor=...) needs diameters_nm")
        eta = (viscosity_mPa_s if viscosity_mPa_s is not None
               else 1.0 if temp_C is None else water_viscosity_mPa_s(temp_C))
        k = k_factor
    else:
        if rcf_g is None:
            raise ValueError("pelleting_table needs a rotor and rcf_g (or diameters_nm with "
                             "k_factor=)")
        plan = _spin(rotor_spec(default_rotor() if rotor is None else rotor), rcf_g, radius)
        eta = (viscosity_mPa_s if viscosity_mPa_s is not None
               else water_viscosity_mPa_s(4.0 if temp_C is None else temp_C))
        k = plan["k_factor"]
        diameters = DEFAULT_CURVE_NM if diameters_nm is None else diameters_nm
        attrs = {key: plan[key] for key in ("rotor_name", "radius", "rcf_g", "rpm", "k_factor")}
        attrs["viscosity_mPa_s"] = float(as_scalar("viscosity_mPa_s", eta))
    d = np.atleast_1d(as_array("diameters_nm", diameters, low=0, low_open=True,
                               high=DIAMETER_RANGE_NM[1]))
    s = np.atleast_1d(sedimentation_coefficient_S(d, particle_density_g_ml, medium_density_g_ml, eta))
    t = np.atleast_1d(pelleting_time_h(k, s))
    df = pd.DataFrame({"diameter_nm": d, "s_S": s, "time_h": t, "time_min": t * 60.0})
    df.attrs.update(attrs)
    return df


def rotor_pelleting_time_min(diameter_nm, rotor=None, rcf_g=100_000.0, temp_C=4.0,
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
    rotor : str, optional
        A ``rotor_id`` of the ``rotors`` table (``exolab.data.load("rotors")``);
        default :func:`default_rotor` (the Type 70 Ti when the table has it).
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
    rotor = default_rotor(rotor)
    row = _rotor_table().loc[rotor]
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


# --------------------------------------------------------------------------- spin plans
DEFAULT_CURVE_NM = np.geomspace(20, 1000, 40)
"""Diameters (nm) of the pelleting-time curve that :func:`spin_plan` returns by default."""

_ROTOR_KEYS = ("max_rpm", "r_max_mm", "r_min_mm", "k_factor")
_RADII = {"max": "r_max", "r_max": "r_max", "av": "r_av", "r_av": "r_av"}


def average_radius_mm(r_max_mm, r_min_mm):
    """``r_av``, the radius half-way between ``r_min`` and ``r_max`` (mm), as rotor manuals define it."""
    r_max = as_array("r_max_mm", r_max_mm, low=0, low_open=True)
    r_min = as_array("r_min_mm", r_min_mm, low=0, low_open=True)
    return scalar_or_array((r_max + r_min) / 2.0)


def rotor_spec(rotor) -> dict:
    """The numbers of one rotor, checked: ``name``, ``max_rpm``, ``r_max_mm``, ``r_min_mm``, ``k_factor``.

    Parameters
    ----------
    rotor : str, mapping or pandas.Series
        A ``rotor_id`` of the ``rotors`` table (loaded on demand), a row of that table
        (``load("rotors").set_index("rotor_id").loc[...]``), or any mapping with the keys
        ``max_rpm`` (rpm), ``r_max_mm``, ``r_min_mm`` (mm), ``k_factor`` (hours x S at
        ``max_rpm``) and optionally ``name``. An instructor's own rotor works the same way.

    Returns
    -------
    dict

    Raises
    ------
    ValueError
        Unknown ``rotor_id`` (the message lists the valid ones), missing keys, or
        invalid geometry (``r_min_mm`` must be below ``r_max_mm``).
    """
    if isinstance(rotor, str):
        from exolab.data import load  # late: everything else here works without the tables

        table = load("rotors").set_index("rotor_id")
        if rotor not in table.index:
            raise ValueError(f"rotor must be a rotor_id of the rotors table "
                             f"({', '.join(map(str, table.index))}); got {rotor!r}")
        name = str(table.loc[rotor, "name"])
        row = table.loc[rotor]
    elif isinstance(rotor, Mapping) or hasattr(rotor, "keys"):
        row = rotor
        name = str(row["name"]) if "name" in row.keys() else str(getattr(rotor, "name", "rotor"))
    else:
        raise ValueError("rotor must be a rotor_id (str) or a mapping/row with the keys "
                         f"{', '.join(_ROTOR_KEYS)}; got {type(rotor).__name__}")
    missing = [key for key in _ROTOR_KEYS if key not in row.keys()]
    if missing:
        raise ValueError(f"rotor is missing {', '.join(missing)}; a rotor needs "
                         f"{', '.join(_ROTOR_KEYS)}")
    spec = {"name": name,
            "max_rpm": as_scalar("max_rpm", row["max_rpm"], low=0, low_open=True, high=200_000),
            "r_max_mm": as_scalar("r_max_mm", row["r_max_mm"], low=0, low_open=True, high=1_000),
            "k_factor": as_scalar("k_factor", row["k_factor"], low=0, low_open=True)}
    spec["r_min_mm"] = as_scalar("r_min_mm", row["r_min_mm"], low=0, low_open=True,
                                 high=spec["r_max_mm"], high_open=True)
    return spec


def _spin(spec: dict, rcf, radius) -> dict:
    """Speed and k-factor for ``rcf`` x g at ``radius`` ("max"/"av"), checked against the rotor."""
    where = _RADII.get(radius) if isinstance(radius, str) else None
    if where is None:
        raise ValueError(f"radius must be 'max' (force quoted at r_max) or 'av' (at r_av); "
                         f"got {radius!r}")
    r_av = (spec["r_max_mm"] + spec["r_min_mm"]) / 2.0
    r = spec["r_max_mm"] if where == "r_max" else r_av
    force = as_scalar("rcf_g", rcf, low=0, low_open=True)
    top = RCF_CONSTANT * (r / 10.0) * spec["max_rpm"] ** 2
    # A relative slack of 1e-9 lets "the rotor's maximum" itself pass despite rounding.
    if force > top * (1 + 1e-9):
        raise ValueError(f"rcf_g = {force:,.0f} x g (at {where}) is beyond the {spec['name']} "
                         f"rotor's maximum of {top:,.0f} x g at {spec['max_rpm']:,.0f} rpm; "
                         "lower the force or pick another rotor")
    rpm = min(float(np.sqrt(force / (RCF_CONSTANT * r / 10.0))), spec["max_rpm"])
    return {"rotor_name": spec["name"], "radius": where, "radius_mm": r, "rcf_g": force,
            "rcf_max_g": RCF_CONSTANT * spec["r_max_mm"] / 10.0 * rpm ** 2,
            "rcf_av_g": RCF_CONSTANT * r_av / 10.0 * rpm ** 2, "max_rcf_g": top, "rpm": rpm,
            "k_factor": spec["k_factor"] * (spec["max_rpm"] / rpm) ** 2}


def spin_plan(diameter_nm, rotor, rcf_g, temp_C=4.0, *, particle_density_g_ml=1.15,
              medium_density_g_ml=1.0, radius="max", curve_diameters_nm=None) -> dict:
    """Everything the sedimentation explorer shows for one setting, in one pure call.

    The chain: the speed that gives ``rcf_g`` at the chosen radius, the k-factor at that
    speed (``k_max * (max_rpm / rpm)**2``), the viscosity of water at ``temp_C``, Stokes'
    law for ``s`` and ``t = k / s``; plus the pelleting-time curve over diameters.

    Parameters
    ----------
    diameter_nm : float or array_like
        Vesicle diameter(s) in nm (> 0).
    rotor : str, mapping or pandas.Series
        See :func:`rotor_spec` (a ``rotor_id``, a table row, or an instructor's mapping).
    rcf_g : float
        Force in multiples of g (> 0, at most the rotor's maximum at that radius).
    temp_C : float
        Temperature in C (0-100); sets the water viscosity.
    particle_density_g_ml, medium_density_g_ml : float
        Densities in g/mL (0.5-3 and 0.7-2).
    radius : {"max", "av"}
        Where ``rcf_g`` is quoted. ``"max"`` (default, what the explorer uses) is the
        tube bottom; ``"av"`` is ``r_av = (r_min + r_max) / 2``, used by many EV
        protocols. The same number of g at ``r_av`` needs a faster spin, hence a smaller
        k-factor and a shorter run.
    curve_diameters_nm : array_like, optional
        Diameters of the returned curve; default :data:`DEFAULT_CURVE_NM` (20-1,000 nm).

    Returns
    -------
    dict
        ``rotor_name``; ``radius`` ("r_max" or "r_av") and ``radius_mm``; ``rcf_g`` (as
        asked, at that radius), ``rcf_max_g`` and ``rcf_av_g`` (the same spin quoted at
        each radius), ``max_rcf_g`` (the rotor's limit at that radius); ``rpm``;
        ``k_factor`` (hours x S at ``rpm``); ``viscosity_mPa_s``; ``s_S``; ``time_h`` and
        ``time_min`` (``inf`` when the vesicle is not denser than the medium); ``sinks``
        (bool); ``table`` (:func:`pelleting_table` columns over ``curve_diameters_nm``).

    Raises
    ------
    ValueError
        Unknown rotor, a force beyond the rotor's maximum, or any invalid number.

    Examples
    --------
    >>> plan = spin_plan(50, {"name": "Type 70 Ti", "max_rpm": 70_000, "r_max_mm": 91.9,
    ...                       "r_min_mm": 39.5, "k_factor": 44}, 100_000)
    >>> round(plan["rpm"]), round(plan["time_h"], 2)
    (31198, 1.64)
    """
    import pandas as pd

    spec = rotor_spec(rotor)
    plan = _spin(spec, rcf_g, radius)
    eta = water_viscosity_mPa_s(temp_C)
    s = sedimentation_coefficient_S(diameter_nm, particle_density_g_ml, medium_density_g_ml, eta)
    t = pelleting_time_h(plan["k_factor"], s)
    curve = DEFAULT_CURVE_NM if curve_diameters_nm is None else curve_diameters_nm
    d = np.atleast_1d(as_array("curve_diameters_nm", curve, low=0, low_open=True,
                               high=DIAMETER_RANGE_NM[1]))
    s_curve = np.atleast_1d(sedimentation_coefficient_S(d, particle_density_g_ml,
                                                        medium_density_g_ml, eta))
    t_curve = np.atleast_1d(pelleting_time_h(plan["k_factor"], s_curve))
    table = pd.DataFrame({"diameter_nm": d, "s_S": s_curve, "time_h": t_curve,
                          "time_min": t_curve * 60.0})
    return {**plan, "viscosity_mPa_s": eta, "s_S": s, "time_h": t,
            "time_min": scalar_or_array(np.asarray(t) * 60.0),
            "sinks": bool(np.all(np.asarray(s) > 0)), "table": table}


def format_duration(hours) -> str:
    """A pelleting time for people: ``"16 s"``, ``"26 min"``, ``"1.6 h"``, ``"3.4 days"``, ``"never"``.

    Parameters
    ----------
    hours : float
        Duration in hours (>= 0, or ``inf`` for a particle that never pellets).
    """
    h = float(hours)
    if h == float("inf"):
        return "never (does not sink)"
    h = as_scalar("hours", h, low=0)
    if h < 1 / 60:
        return f"{h * 3600:.2g} s"
    if h < 1:
        return f"{h * 60:.2g} min"
    if h < 48:
        return f"{h:.2g} h"
    return f"{h / 24:,.2g} days" if h / 24 < 1e4 else f"{fmt_number(round(h / 24))} days"


CLEARING_PARTICLES = (("cell", 10_000.0, 1.07), ("cell debris", 1_000.0, 1.07),
                      ("exosome (50 nm)", 50.0, 1.15), ("exosome (30 nm)", 30.0, 1.15))
"""(label, diameter in nm, density in g/mL) of the differential-centrifugation story:
a 10 um cell and 1 um fragments of it (cell density), and small EVs at the
upper and lower end of the exosome range (1.15 g/mL, mid-range for small EVs)."""


def clearing_comparison(rotor=None, forces_g=(2_000.0, 100_000.0), *, particles=None,
                        temp_C=4.0, radius="max", medium_density_g_ml=1.0, layout="long"):
    """Why differential centrifugation works: the same spins, very different particles.

    At 2,000 g a cell pellets in seconds and its debris in under half an hour, but a
    50 nm exosome would take days; at 100,000 g exosomes pellet in one to a few hours.

    Parameters
    ----------
    rotor : str, mapping or pandas.Series, optional
        See :func:`rotor_spec`; default :func:`default_rotor` (the Type 70 Ti when the
        ``rotors`` table has it, else its first rotor).
    forces_g : sequence of float
        Forces in multiples of g (each > 0, at most the rotor's maximum).
    particles : sequence of (label, diameter_nm, density_g_ml), optional
        Default :data:`CLEARING_PARTICLES`.
    temp_C : float
        Temperature in C (0-100).
    radius : {"max", "av"}
        Where the forces are quoted (see :func:`spin_plan`).
    medium_density_g_ml : float
        Medium density in g/mL.
    layout : {"long", "wide"}
        ``"long"``: one row per particle and force with the numbers. ``"wide"``: one
        row per particle, one column of readable times per force, for a lesson.

    Returns
    -------
    pandas.DataFrame
        Long: ``particle``, ``diameter_nm``, ``density_g_ml``, ``rcf_g``, ``rpm``,
        ``k_factor``, ``s_S``, ``time_h``, ``time`` (readable, :func:`format_duration`).
        Wide: index ``particle``; columns ``"<force> x g"``.
    """
    import pandas as pd

    if layout not in ("long", "wide"):
        raise ValueError(f"layout must be 'long' or 'wide'; got {layout!r}")
    spec = rotor_spec(default_rotor() if rotor is None else rotor)
    chosen = CLEARING_PARTICLES if particles is None else tuple(particles)
    if not chosen:
        raise ValueError("particles must name at least one (label, diameter_nm, density_g_ml)")
    forces = np.atleast_1d(as_array("forces_g", forces_g, low=0, low_open=True))
    eta = water_viscosity_mPa_s(temp_C)
    rows = []
    for label, d_nm, rho in chosen:
        s = sedimentation_coefficient_S(d_nm, rho, medium_density_g_ml, eta)
        for force in forces:
            plan = _spin(spec, force, radius)
            t = pelleting_time_h(plan["k_factor"], s)
            rows.append({"particle": str(label), "diameter_nm": float(d_nm),
                         "density_g_ml": float(rho), "rcf_g": float(force), "rpm": plan["rpm"],
                         "k_factor": plan["k_factor"], "s_S": s, "time_h": t,
                         "time": format_duration(t)})
    df = pd.DataFrame(rows)
    df.attrs.update(rotor_name=spec["name"], radius=_RADII[radius], temp_C=float(temp_C))
    if layout == "long":
        return df
    wide = df.assign(force=[f"{g:,.0f} x g" for g in df["rcf_g"]]).pivot(
        index="particle", columns="force", values="time")
    wide = wide.reindex(index=list(dict.fromkeys(df["particle"])),
                        columns=[f"{g:,.0f} x g" for g in forces])
    wide.columns.name = None
    wide.attrs.update(df.attrs)
    return wide
