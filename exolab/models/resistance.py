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

Every run is bounded so that no setting a learner can type hangs the kernel or returns
NaN: at least ``MIN_DAYS`` simulated, at most ``MAX_CELLS`` starting cells, growth without
a capacity limited to ``MAX_UNLIMITED_GROWTH`` e-folds, and a solver budget
(``MAX_RHS_CALLS`` evaluations, ``MAX_SOLVE_SECONDS``) after which a ``ValueError`` says
which settings to change.
"""
from __future__ import annotations

import math
import time
import warnings

import numpy as np
import pandas as pd
from scipy.integrate import solve_ivp

from ._checks import as_int, as_scalar, fmt_number

__all__ = ["DEFAULTS", "MIN_DAYS", "MAX_DAYS", "MAX_CELLS", "MAX_CAPACITY", "MAX_UNLIMITED_GROWTH",
           "SCENARIOS", "kill_rate", "simulate_resistance", "time_to_dominance", "explore",
           "scenario_table", "PARAMETERS", "parameter_table"]

DEFAULTS = dict(days=60.0, sensitive0=1e5, resistant0=1e3, growth_sensitive=0.30,
                growth_resistant=0.25, capacity=1e7, dose=1.0, kill_max=0.5, ec50=1.0,
                transfer_rate=0.10, inhibitor=0.0)
"""Illustrative defaults (per day; resistant cells grow a little slower: a fitness cost)."""

PARAMETERS = {
    "days": ("days", "how long the simulation runs"),
    "sensitive0": ("cells", "drug-sensitive cells at the start"),
    "resistant0": ("cells", "resistant cells at the start"),
    "growth_sensitive": ("per day", "growth rate g_S of sensitive cells"),
    "growth_resistant": ("per day", "growth rate g_R of resistant cells"),
    "capacity": ("cells", "carrying capacity K that both populations share"),
    "dose": ("dose units", "drug dose, in the same units as ec50"),
    "kill_max": ("per day", "highest rate at which the drug kills sensitive cells"),
    "ec50": ("dose units", "dose at which the kill rate is half of kill_max"),
    "transfer_rate": ("per day", "rate τ at which exosomes from resistant cells convert sensitive ones"),
    "inhibitor": ("0–1", "share of exosome release blocked; τ is multiplied by (1 − inhibitor)"),
}
"""Unit and meaning of every keyword in :data:`DEFAULTS` (what :func:`parameter_table` shows)."""

MIN_DAYS = 0.01
"""Shortest simulation (days, ~15 min). Intervals near 1e-300 days made the solver loop
forever on a degenerate step; nothing a tumour does is visible below minutes anyway."""
MAX_DAYS = 3650.0
"""Longest simulation (days): ten years."""
MAX_CELLS = 1e12
"""Most starting cells per population: ~1 kg of tumour. Beyond that the numbers mean nothing."""
MAX_CAPACITY = 1e15
"""Largest carrying capacity (cells): above the ~4e13 cells of a whole human body."""
MAX_UNLIMITED_GROWTH = 600.0
"""With no capacity, ``max(growth) * days`` must stay below this many e-folds: e**600 ~ 1e260
keeps every cell count a finite float (e**710 already overflows)."""
MAX_RHS_CALLS = 200_000
"""Solver budget in right-hand-side evaluations; a normal run needs a few hundred."""
MAX_SOLVE_SECONDS = 5.0
"""Wall-clock budget of one integration, so a pathological setting can never freeze a kernel."""
MAX_DOSE = 1e6
"""Largest dose or EC50, in the same arbitrary unit: keeps ``dose / (dose + ec50)`` finite."""

DEFAULT_TOTAL_CELLS0 = DEFAULTS["sensitive0"] + DEFAULTS["resistant0"]
"""Starting tumour size (cells) behind :func:`explore`'s ``resistant_fraction0``."""
DEFAULT_RESISTANT_FRACTION0 = DEFAULTS["resistant0"] / DEFAULT_TOTAL_CELLS0
"""Starting resistant fraction of the defaults (1,000 of 101,000 cells, ~1 %)."""

SCENARIOS = {
    "drug + transfer (default)": {},
    "drug, no transfer": {"transfer_rate": 0.0},
    "drug + complete release inhibitor": {"inhibitor": 1.0},
    "transfer, no drug": {"dose": 0.0},
    "no drug, no transfer": {"dose": 0.0, "transfer_rate": 0.0},
}
"""The scenarios lesson 04 compares: overrides of :data:`DEFAULTS`, in teaching order."""


class _SolverBudget(Exception):
    """Raised inside the right-hand side when an integration exceeds its budget."""


def _scalar(name, value, **bounds):
    return as_scalar(name, value, **bounds)


def _check(days, sensitive0, resistant0, growth_sensitive, growth_resistant, capacity, dose,
           kill_max, ec50, transfer_rate, inhibitor):
    p = dict(
        days=_scalar("days", days, low=MIN_DAYS, high=MAX_DAYS),
        sensitive0=_scalar("sensitive0", sensitive0, low=0, high=MAX_CELLS),
        resistant0=_scalar("resistant0", resistant0, low=0, high=MAX_CELLS),
        growth_sensitive=_scalar("growth_sensitive", growth_sensitive, low=0, high=10),
        growth_resistant=_scalar("growth_resistant", growth_resistant, low=0, high=10),
        capacity=math.inf if capacity is None or capacity == math.inf
        else _scalar("capacity", capacity, low=1, high=MAX_CAPACITY),
        dose=_scalar("dose", dose, low=0, high=MAX_DOSE),
        kill_max=_scalar("kill_max", kill_max, low=0, high=10),
        ec50=_scalar("ec50", ec50, low=0, low_open=True, high=MAX_DOSE),
        transfer_rate=_scalar("transfer_rate", transfer_rate, low=0, high=10),
        inhibitor=_scalar("inhibitor", inhibitor, low=0, high=1),
    )
    if p["sensitive0"] + p["resistant0"] < 1:
        raise ValueError("sensitive0 + resistant0 must be >= 1 cell; got "
                         f"{fmt_number(p['sensitive0'] + p['resistant0'])}")
    if p["sensitive0"] + p["resistant0"] > p["capacity"]:
        # A tumour far above its capacity collapses at a rate ~ growth * N0/K: so stiff that
        # the solver gives up, and not a situation the model is meant to teach.
        raise ValueError(f"capacity must be >= sensitive0 + resistant0 (the starting tumour); got "
                         f"capacity = {fmt_number(p['capacity'])} for "
                         f"{fmt_number(p['sensitive0'] + p['resistant0'])} starting cells")
    if p["capacity"] == math.inf:
        growth = max(p["growth_sensitive"], p["growth_resistant"])
        if growth * p["days"] > MAX_UNLIMITED_GROWTH:
            raise ValueError(
                f"days must be <= {fmt_number(round(MAX_UNLIMITED_GROWTH / growth, 2))} with unlimited "
                f"capacity at a growth rate of {fmt_number(growth)} per day (the cells would "
                f"multiply by e^{fmt_number(round(growth * p['days']))}, too many to compute); "
                f"got {fmt_number(p['days'])}. Set a capacity or simulate fewer days")
    return p


def kill_rate(dose, kill_max=DEFAULTS["kill_max"], ec50=DEFAULTS["ec50"]):
    """Per-day death rate of sensitive cells at ``dose``: ``kill_max * dose / (dose + ec50)``.

    Parameters
    ----------
    dose : float or array_like
        Drug dose in multiples of an arbitrary reference (0-1e6).
    kill_max : float
        Maximal kill rate per day (0-10).
    ec50 : float
        Dose giving half the maximal kill (> 0 and <= 1e6).
    """
    from ._checks import as_array

    d = as_array("dose", dose, low=0, high=MAX_DOSE)
    km = _scalar("kill_max", kill_max, low=0, high=10)
    e = _scalar("ec50", ec50, low=0, low_open=True, high=MAX_DOSE)
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


_CHANGE = "shorten days, lower the growth or transfer rates, or set a capacity"


def _solve(p, t_eval=None, events=None):
    """LSODA with a budget: it switches to a stiff method by itself near the capacity,
    and the budget turns any remaining pathological case into a ValueError, not a hang."""
    rhs = _rhs_factory(p)
    calls = [0]
    deadline = time.monotonic() + MAX_SOLVE_SECONDS

    def guarded(t, y):
        calls[0] += 1
        # The clock is read every 256 calls only: it costs more than the model itself.
        if calls[0] > MAX_RHS_CALLS or (calls[0] % 256 == 0 and time.monotonic() > deadline):
            raise _SolverBudget
        return rhs(t, y)

    try:
        # LSODA's UserWarnings ("repeated convergence failures") are recorded, not printed:
        # a failed run becomes the ValueError below, which says what to change.
        with warnings.catch_warnings(record=True):
            warnings.simplefilter("always")
            # first_step avoids LSODA's own initial-step search, which is what degenerated
            # on tiny intervals; max_step keeps it from striding over the whole run at once.
            sol = solve_ivp(guarded, (0.0, p["days"]), [p["sensitive0"], p["resistant0"]],
                            method="LSODA", t_eval=t_eval, events=events, rtol=1e-6,
                            atol=1e-6, first_step=min(1e-3, p["days"] / 100),
                            max_step=p["days"] / 10)
    except _SolverBudget:
        raise ValueError(f"the resistance model did not settle within its budget "
                         f"({MAX_RHS_CALLS:,} steps or {MAX_SOLVE_SECONDS:g} s) for days = "
                         f"{fmt_number(p['days'])}; {_CHANGE}") from None
    if not sol.success:
        raise ValueError(f"the resistance model could not be integrated ({sol.message}) for "
                         f"days = {fmt_number(p['days'])}; {_CHANGE}")
    if not np.all(np.isfinite(sol.y)):
        raise ValueError(f"the cell numbers overflowed for days = {fmt_number(p['days'])} and "
                         f"capacity = {fmt_number(p['capacity'])}; {_CHANGE}")
    return sol


def _crossing(_t, y):
    return y[1] - y[0]  # R/N >= 0.5  <=>  R >= S


_crossing.direction = 1


def _run(p, n_points, *, dominance):
    """One integration: the curves on ``n_points`` times and, if asked, the exact first
    day on which R >= S (an event, so no interpolation error between output points)."""
    t = np.linspace(0.0, p["days"], n_points)
    sol = _solve(p, t_eval=t, events=_crossing if dominance else None)
    s = np.clip(sol.y[0], 0.0, None)  # tiny negative overshoots are solver noise
    r = np.clip(sol.y[1], 0.0, None)
    n = s + r
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.where(n > 0, r / np.where(n > 0, n, 1.0), np.nan)
    df = pd.DataFrame({"time": sol.t, "sensitive": s, "resistant": r, "resistant_fraction": frac})
    day = None
    if dominance:
        if p["resistant0"] >= p["sensitive0"]:
            day = 0.0
        elif sol.t_events[0].size:
            day = float(sol.t_events[0][0])
    return df, day


def _n_points(n_points):
    return as_int("n_points", n_points, low=2, high=10_001)


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
        Length of the simulation (days, 0.01-3,650).
    sensitive0, resistant0 : float
        Starting cell numbers (0-1e12 each, together >= 1).
    growth_sensitive, growth_resistant : float
        Per-day growth rates (0-10).
    capacity : float or None
        Carrying capacity in cells (1-1e15); ``None`` or ``inf`` for unlimited growth,
        which needs ``max(growth) * days <= 600``.
    dose, kill_max, ec50 : float
        Drug dose, maximal per-day kill of S, and half-effect dose (see :func:`kill_rate`).
    transfer_rate : float
        Per-day rate of exosome-mediated conversion S -> R (0-10).
    inhibitor : float
        Efficacy (0-1) of an exosome-release inhibitor; transfer is scaled by ``1 - inhibitor``.
    n_points : int
        Number of output times (2-10,001).

    Returns
    -------
    pandas.DataFrame
        Columns ``time`` (days), ``sensitive``, ``resistant`` (cells), ``resistant_fraction``.

    Raises
    ------
    ValueError
        Any parameter out of range (the message names it), or a setting the solver
        cannot finish within its budget (never a hang, never NaN cell numbers).
    """
    p = _check(days, sensitive0, resistant0, growth_sensitive, growth_resistant, capacity, dose,
               kill_max, ec50, transfer_rate, inhibitor)
    df, _ = _run(p, _n_points(n_points), dominance=False)
    return df


def time_to_dominance(result=None, **params):
    """First time (days) at which resistant cells make up at least half of the tumour.

    Parameters
    ----------
    result : pandas.DataFrame, optional
        Output of :func:`simulate_resistance`; the crossing is interpolated linearly
        (off by up to half an output step: prefer the exact form below).
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
        time_ = result["time"].to_numpy()
        hit = np.flatnonzero(frac >= 0.5)
        if hit.size == 0:
            return None
        i = int(hit[0])
        if i == 0:
            return 0.0
        f0, f1 = frac[i - 1], frac[i]
        return float(time_[i - 1] + (0.5 - f0) / (f1 - f0) * (time_[i] - time_[i - 1]))
    params = {**DEFAULTS, **params}
    params.pop("n_points", None)
    p = _check(**params)
    if p["resistant0"] >= p["sensitive0"]:
        return 0.0

    def crossing(t, y):
        return _crossing(t, y)
    crossing.terminal = True
    crossing.direction = 1
    sol = _solve(p, events=crossing)
    times = sol.t_events[0]
    return float(times[0]) if times.size else None


def explore(dose=DEFAULTS["dose"], transfer_rate=DEFAULTS["transfer_rate"],
            inhibitor=DEFAULTS["inhibitor"], resistant_fraction0=DEFAULT_RESISTANT_FRACTION0,
            days=DEFAULTS["days"], *, total_cells0=DEFAULT_TOTAL_CELLS0, n_points=121,
            **params) -> dict:
    """Everything the resistance explorer shows for one setting, in one pure call.

    Parameters
    ----------
    dose : float
        Drug dose in multiples of EC50 when ``ec50`` is 1 (0-1e6).
    transfer_rate : float
        Per-day rate of exosome-mediated conversion (0-10).
    inhibitor : float
        Release-inhibitor efficacy (0-1); a toggle "on" is any value, e.g. 0.9.
    resistant_fraction0 : float
        Share (0-1) of the ``total_cells0`` starting cells that are resistant; the
        default is the model defaults' 1,000 of 101,000 (~1 %).
    days : float
        Length of the simulation (days, 0.01-3,650).
    total_cells0 : float
        Starting tumour size in cells (1-1e12).
    n_points : int
        Points of the returned curves (2-10,001).
    **params
        Other keyword arguments of :func:`simulate_resistance` (growth rates,
        ``capacity``, ``kill_max``, ``ec50``).

    Returns
    -------
    dict
        ``df`` (the :func:`simulate_resistance` curves); ``dominance_day`` (exact first
        day with R >= S, from an integration event; ``0.0`` at the start, ``None`` if
        not within ``days``); ``final_fraction`` (resistant share at the end, 0-1);
        ``effective_transfer_rate`` (``transfer_rate * (1 - inhibitor)``, per day);
        ``sensitive0`` and ``resistant0`` (the starting cells used).
    """
    f0 = as_scalar("resistant_fraction0", resistant_fraction0, low=0, high=1)
    n0 = as_scalar("total_cells0", total_cells0, low=1, high=MAX_CELLS)
    unknown = set(params) - set(DEFAULTS)
    if unknown or {"sensitive0", "resistant0"} & set(params):
        bad = sorted(unknown | ({"sensitive0", "resistant0"} & set(params)))
        raise ValueError(f"explore() does not take {', '.join(bad)}; starting cells come from "
                         "resistant_fraction0 and total_cells0")
    resistant0 = f0 * n0
    sensitive0 = n0 - resistant0  # not (1 - f0) * n0: this way S + R is exactly n0
    p = _check(**{**DEFAULTS, **params, "dose": dose, "transfer_rate": transfer_rate,
                  "inhibitor": inhibitor, "days": days, "sensitive0": sensitive0,
                  "resistant0": resistant0})
    df, day = _run(p, _n_points(n_points), dominance=True)
    return {"df": df, "dominance_day": day,
            "final_fraction": float(df["resistant_fraction"].iloc[-1]),
            "effective_transfer_rate": p["transfer_rate"] * (1.0 - p["inhibitor"]),
            "sensitive0": sensitive0, "resistant0": resistant0}


def scenario_table(scenarios=None, **base) -> pd.DataFrame:
    """Lesson 04's comparison: days until resistance dominates, per scenario.

    Parameters
    ----------
    scenarios : dict, optional
        Name -> overrides of :func:`simulate_resistance` keywords; default
        :data:`SCENARIOS` (drug and/or transfer, with and without the inhibitor).
    **base
        Settings shared by every scenario (e.g. ``days=120``), applied before the
        scenario's own overrides.

    Returns
    -------
    pandas.DataFrame
        Index ``scenario``; columns ``drug dose (× EC50)``, ``exosomal transfer (/day)``,
        ``release inhibitor``, ``days until resistant ≥ 50 %`` (exact, 1 decimal; NaN
        when it does not happen within the simulated days) and ``resistant share at
        the end (%)`` (1 decimal).
    """
    chosen = SCENARIOS if scenarios is None else scenarios
    rows = []
    for name, overrides in chosen.items():
        kw = {**DEFAULTS, **base, **overrides}
        kw.pop("n_points", None)
        p = _check(**kw)
        df, day = _run(p, 2, dominance=True)
        rows.append({"scenario": str(name), "drug dose (× EC50)": p["dose"],
                     "exosomal transfer (/day)": p["transfer_rate"],
                     "release inhibitor": p["inhibitor"],
                     "days until resistant ≥ 50 %": np.nan if day is None else round(day, 1),
                     "resistant share at the end (%)":
                         round(100 * float(df["resistant_fraction"].iloc[-1]), 1)})
    return pd.DataFrame(rows).set_index("scenario")


def parameter_table() -> pd.DataFrame:
    """The model's parameters with their defaults, units and meanings, one row each.

    Every row is a keyword of :func:`simulate_resistance` and :func:`time_to_dominance`,
    so a design exercise can read off which one an intervention changes.

    Returns
    -------
    pandas.DataFrame
        Columns ``parameter``, ``default`` (from :data:`DEFAULTS`), ``unit`` and
        ``meaning`` (from :data:`PARAMETERS`), in the order of :data:`DEFAULTS`.

    Examples
    --------
    >>> parameter_table().set_index("parameter").loc["transfer_rate", "default"]
    0.1
    """
    rows = [{"parameter": name, "default": float(value),
             "unit": PARAMETERS.get(name, ("", ""))[0], "meaning": PARAMETERS.get(name, ("", ""))[1]}
            for name, value in DEFAULTS.items()]
    return pd.DataFrame(rows, columns=["parameter", "default", "unit", "meaning"])
