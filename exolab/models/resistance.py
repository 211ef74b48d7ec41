"""Spread of drug resistance through a tumour when exosomes carry it between cells.

Two populations share one carrying capacity ``K``: drug-sensitive cells ``S`` and
resistant cells ``R``. With ``N = S + R``:

    dS/dt = g_S S (1 - N/K) - kill(dose) S - tau S R / N
    dR/dt = g_R R (1 - N/K)                 + tau S R / N

``kill(dose) = kill_max * dose / (dose + ec50)`` acts on S only. The last term is
horizontal transfer: resistant cells release exosomes (e.g. carrying efflux pumps or
miRNAs) that convert sensitive cells at a rate proportional to how often S meets R-derived
vesicles. An exosome-release inhibitor (GW4869-like) with efficacy ``inhibitor`` scales
``tau`` by ``(1 - inhibitor)``. Time is in days, cell numbers in cells.

This is a teaching caricature, not a fitted model: parameter values are illustrative.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy.integrate import solve_ivp

from ._checks import as_array

__all__ = ["DEFAULTS", "kill_rate", "simulate_resistance", "time_to_dominance"]

DEFAULTS = dict(days=60.0, sensitive0=1e5, resistant0=1e3, growth_sensitive=0.30,
                growth_resistant=0.25, capacity=1e7, dose=1.0, kill_max=0.5, ec50=1.0,
                transfer_rate=0.10, inhibitor=0.0)
"""Illustrative defaults (per day; resistant cells grow a little slower: a fitness cost)."""


def _scalar(name, value, **bounds):
    return float(as_array(name, value, **bounds))


def _check(days, sensitive0, resistant0, growth_sensitive, growth_resistant, capacity, dose,
           kill_max, ec50, transfer_rate, inhibitor):
    p = dict(
        days=_scalar("days", days, low=0, low_open=True, high=3650),
        sensitive0=_scalar("sensitive0", sensitive0, low=0),
        resistant0=_scalar("resistant0", resistant0, low=0),
        growth_sensitive=_scalar("growth_sensitive", growth_sensitive, low=0, high=10),
        growth_resistant=_scalar("growth_resistant", growth_resistant, low=0, high=10),
        capacity=math.inf if capacity is None or capacity == math.inf
        else _scalar("capacity", capacity, low=0, low_open=True),
        dose=_scalar("dose", dose, low=0),
        kill_max=_scalar("kill_max", kill_max, low=0, high=10),
        ec50=_scalar("ec50", ec50, low=0, low_open=True),
        transfer_rate=_scalar("transfer_rate", transfer_rate, low=0, high=10),
        inhibitor=_scalar("inhibitor", inhibitor, low=0, high=1),
    )
    if p["sensitive0"] + p["resistant0"] <= 0:
        raise ValueError("sensitive0 + resistant0 must be > 0; got no cells at all")
    return p


def kill_rate(dose, kill_max=DEFAULTS["kill_max"], ec50=DEFAULTS["ec50"]):
    """Per-day death rate of sensitive cells at ``dose``: ``kill_max * dose / (dose + ec50)``.

    Parameters
    ----------
    dose : float or array_like
        Drug dose in multiples of an arbitrary reference (>= 0).
    kill_max : float
        Maximal kill rate per day (0-10).
    ec50 : float
        Dose giving half the maximal kill (> 0).
    """
    d = as_array("dose", dose, low=0)
    km = _scalar("kill_max", kill_max, low=0, high=10)
    e = _scalar("ec50", ec50, low=0, low_open=True)
    out = km * d / (d + e)
    return float(out) if out.ndim == 0 else out


def _rhs_factory(p):
    gs, gr, cap = p["growth_sensitive"], p["growth_resistant"], p["capacity"]
    kill = p["kill_max"] * p["dose"] / (p["dose"] + p["ec50"])
    tau = p["transfer_rate"] * (1.0 - p["inhibitor"])

    def rhs(_t, y):
        s, r = y
        n = s + r
        crowd = 1.0 - n / cap if cap != math.inf else 1.0
        transfer = tau * s * r / n if n > 0 else 0.0
        return [gs * s * crowd - kill * s - transfer, gr * r * crowd + transfer]

    return rhs


def _solve(p, t_eval=None, events=None):
    return solve_ivp(_rhs_factory(p), (0.0, p["days"]), [p["sensitive0"], p["resistant0"]],
                     method="LSODA", t_eval=t_eval, events=events, rtol=1e-6, atol=1e-6)


def simulate_resistance(days=DEFAULTS["days"], sensitive0=DEFAULTS["sensitive0"],
                        resistant0=DEFAULTS["resistant0"],
                        growth_sensitive=DEFAULTS["growth_sensitive"],
                        growth_resistant=DEFAULTS["growth_resistant"], capacity=DEFAULTS["capacity"],
                        dose=DEFAULTS["dose"], kill_max=DEFAULTS["kill_max"], ec50=DEFAULTS["ec50"],
                        transfer_rate=DEFAULTS["transfer_rate"], inhibitor=DEFAULTS["inhibitor"],
                        n_points=201):
    """Integrate the sensitive/resistant model.

    Parameters
    ----------
    days : float
        Length of the simulation (days, 0-3650].
    sensitive0, resistant0 : float
        Starting cell numbers (>= 0, not both zero).
    growth_sensitive, growth_resistant : float
        Per-day growth rates (0-10).
    capacity : float or None
        Carrying capacity in cells (> 0); ``None`` or ``inf`` for unlimited growth.
    dose, kill_max, ec50 : float
        Drug dose, maximal per-day kill of S, and half-effect dose (see :func:`kill_rate`).
    transfer_rate : float
        Per-day rate of exosome-mediated conversion S -> R (0-10).
    inhibitor : float
        Efficacy (0-1) of an exosome-release inhibitor; transfer is scaled by ``1 - inhibitor``.
    n_points : int
        Number of output times (>= 2).

    Returns
    -------
    pandas.DataFrame
        Columns ``time`` (days), ``sensitive``, ``resistant`` (cells), ``resistant_fraction``.
    """
    p = _check(days, sensitive0, resistant0, growth_sensitive, growth_resistant, capacity, dose,
               kill_max, ec50, transfer_rate, inhibitor)
    if int(n_points) < 2:
        raise ValueError(f"n_points must be >= 2; got {n_points}")
    t = np.linspace(0.0, p["days"], int(n_points))
    sol = _solve(p, t_eval=t)
    if not sol.success:  # pragma: no cover - the system is smooth; kept for honesty
        raise RuntimeError(f"integration failed: {sol.message}")
    s = np.clip(sol.y[0], 0.0, None)  # tiny negative overshoots are solver noise
    r = np.clip(sol.y[1], 0.0, None)
    n = s + r
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.where(n > 0, r / np.where(n > 0, n, 1.0), np.nan)
    return pd.DataFrame({"time": sol.t, "sensitive": s, "resistant": r, "resistant_fraction": frac})


def time_to_dominance(result=None, **params):
    """First time (days) at which resistant cells make up at least half of the tumour.

    Parameters
    ----------
    result : pandas.DataFrame, optional
        Output of :func:`simulate_resistance`; the crossing is interpolated linearly.
        If omitted, the model is run with ``params`` and the crossing found exactly
        with an integration event.
    **params
        Keyword arguments of :func:`simulate_resistance`.

    Returns
    -------
    float or None
        Days until ``R / N >= 0.5``; ``0.0`` if that holds at the start; ``None`` if it
        never happens within the simulated time.
    """
    if result is not None:
        frac = result["resistant_fraction"].to_numpy()
        time = result["time"].to_numpy()
        hit = np.flatnonzero(frac >= 0.5)
        if hit.size == 0:
            return None
        i = int(hit[0])
        if i == 0:
            return 0.0
        f0, f1 = frac[i - 1], frac[i]
        return float(time[i - 1] + (0.5 - f0) / (f1 - f0) * (time[i] - time[i - 1]))
    params = {**DEFAULTS, **params}
    params.pop("n_points", None)
    p = _check(**params)
    if p["resistant0"] >= p["sensitive0"]:
        return 0.0

    def crossing(_t, y):
        return y[1] - y[0]  # R/N >= 0.5  <=>  R >= S
    crossing.terminal = True
    crossing.direction = 1
    sol = _solve(p, events=crossing)
    times = sol.t_events[0]
    return float(times[0]) if times.size else None
