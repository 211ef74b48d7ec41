"""A simulated nanoparticle-tracking (NTA) size measurement of an EV preparation.

Diameters are drawn from a seeded mixture of two lognormal populations: exosome-sized
vesicles (median ~100 nm) and larger vesicles such as microvesicles (median ~300 nm).
The particles are then sorted with the MISEV convention: small EVs below 200 nm,
medium/large EVs at or above it. Size alone cannot say where a vesicle came from, which
is why MISEV recommends these size words over "exosome".
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ._checks import as_array, as_int

__all__ = ["MISEV_SMALL_CUTOFF_NM", "MAX_PARTICLES", "MAX_MEDIAN_NM", "SUMMARY_MAX_NM",
           "simulate_nta", "classify_sizes", "size_summary", "explore"]

MISEV_SMALL_CUTOFF_NM = 200.0
"""MISEV boundary between small EVs (< 200 nm) and medium/large EVs."""
MAX_PARTICLES = 100_000
"""Most particles one simulated measurement may track. A real NTA run tracks a few
thousand; 100,000 already gives percent-level shares and keeps an explorer update well
under a second (a million took ~2 s per slider move)."""
MAX_MEDIAN_NM = 5_000.0
"""Largest population median (nm): apoptotic bodies reach ~5 um; NTA sees far less."""
SUMMARY_MAX_NM = 10_000.0
"""The size histogram behind the mode stops at 10 um, so its memory stays bounded
(1,000 bins) whatever diameters it is given."""


def _num(name, value, **bounds):
    return float(as_array(name, value, **bounds))


def simulate_nta(n_particles=2000, small_fraction=0.7, small_median_nm=100.0, small_gsd=1.35,
                 large_median_nm=300.0, large_gsd=1.5, seed=0):
    """Draw particle diameters from a two-population lognormal mixture.

    Parameters
    ----------
    n_particles : int
        Number of tracked particles (1-100,000, see :data:`MAX_PARTICLES`).
    small_fraction : float
        Expected share (0-1) of particles from the exosome-sized population.
    small_median_nm, large_median_nm : float
        Median diameters of the two populations in nm (> 0 and <= 5,000).
    small_gsd, large_gsd : float
        Geometric standard deviations (>= 1; 1 means every particle the same size).
    seed : int
        Random seed (a whole number 0 to 2**32 - 1); the same seed gives the same measurement.

    Returns
    -------
    pandas.DataFrame
        One row per particle: ``diameter_nm`` and ``population`` ("exosome-sized" or
        "larger vesicles", the true source, which a real instrument cannot see).
    """
    n = as_int("n_particles", n_particles, low=1, high=MAX_PARTICLES)
    frac = _num("small_fraction", small_fraction, low=0, high=1)
    m1 = _num("small_median_nm", small_median_nm, low=0, low_open=True, high=MAX_MEDIAN_NM)
    m2 = _num("large_median_nm", large_median_nm, low=0, low_open=True, high=MAX_MEDIAN_NM)
    g1 = _num("small_gsd", small_gsd, low=1, high=5)
    g2 = _num("large_gsd", large_gsd, low=1, high=5)
    rng = np.random.default_rng(as_int("seed", seed, low=0, high=2**32 - 1))
    small = rng.random(n) < frac
    mu = np.where(small, np.log(m1), np.log(m2))
    sigma = np.where(small, np.log(g1), np.log(g2))
    d = np.exp(mu + sigma * rng.standard_normal(n))
    return pd.DataFrame({"diameter_nm": d,
                         "population": np.where(small, "exosome-sized", "larger vesicles")})


def classify_sizes(diameters_nm, cutoff_nm=MISEV_SMALL_CUTOFF_NM):
    """Count particles below (small EVs) and at/above (medium/large EVs) ``cutoff_nm``.

    Parameters
    ----------
    diameters_nm : array_like or pandas.DataFrame
        Diameters in nm (> 0), or the output of :func:`simulate_nta`.
    cutoff_nm : float
        Boundary in nm (> 0); MISEV uses 200.

    Returns
    -------
    dict
        ``n``, ``small``, ``medium_large`` (counts) and ``small_fraction``,
        ``medium_large_fraction``.
    """
    if isinstance(diameters_nm, pd.DataFrame):
        diameters_nm = diameters_nm["diameter_nm"].to_numpy()
    d = np.atleast_1d(as_array("diameters_nm", diameters_nm, low=0, low_open=True))
    cut = _num("cutoff_nm", cutoff_nm, low=0, low_open=True)
    n = int(d.size)
    if n == 0:
        raise ValueError("diameters_nm must contain at least one particle; got none")
    small = int(np.count_nonzero(d < cut))
    return {"n": n, "small": small, "medium_large": n - small,
            "small_fraction": small / n, "medium_large_fraction": (n - small) / n}


def size_summary(diameters_nm):
    """Mean, mode-ish peak and D10/D50/D90 of a size measurement (nm), as NTA software reports.

    Parameters
    ----------
    diameters_nm : array_like or pandas.DataFrame
        Diameters in nm (> 0), or the output of :func:`simulate_nta`.

    Returns
    -------
    dict
        ``mean_nm``, ``mode_nm`` (centre of the fullest 10 nm bin up to 10 um; if no
        particle is that small, of the fullest of 1,000 bins over the measured range),
        ``d10_nm``, ``d50_nm``, ``d90_nm``.
    """
    if isinstance(diameters_nm, pd.DataFrame):
        diameters_nm = diameters_nm["diameter_nm"].to_numpy()
    d = np.atleast_1d(as_array("diameters_nm", diameters_nm, low=0, low_open=True))
    if d.size == 0:
        raise ValueError("diameters_nm must contain at least one particle; got none")
    # At most 1,000 bins of 10 nm: a stray 1e9 nm value used to ask for 1e8 bins (~800 MB).
    top = min(max(1000.0, float(d.max())), SUMMARY_MAX_NM)
    counts, edges = np.histogram(d, bins=np.arange(0, top + 10, 10))
    if counts.sum() == 0:
        counts, edges = np.histogram(d, bins=1000)
    peak = int(np.argmax(counts))
    d10, d50, d90 = np.percentile(d, [10, 50, 90])
    return {"mean_nm": float(d.mean()), "mode_nm": float((edges[peak] + edges[peak + 1]) / 2),
            "d10_nm": float(d10), "d50_nm": float(d50), "d90_nm": float(d90)}


def explore(n_particles=2000, small_fraction=0.7, small_median_nm=100.0, large_median_nm=300.0,
            cutoff_nm=MISEV_SMALL_CUTOFF_NM, seed=0, *, small_gsd=1.35, large_gsd=1.5) -> dict:
    """Everything the NTA size explorer shows for one setting, in one pure call.

    Parameters
    ----------
    n_particles, small_fraction, small_median_nm, large_median_nm, seed, small_gsd, large_gsd
        As in :func:`simulate_nta`.
    cutoff_nm : float
        Size boundary in nm (> 0); MISEV uses 200.

    Returns
    -------
    dict
        ``df`` (the particles), ``classes`` (:func:`classify_sizes`), ``summary``
        (:func:`size_summary`), ``true_small_fraction`` (share truly drawn from the
        exosome-sized population, which the instrument cannot see) and
        ``misclassified_fraction`` (share whose size puts them on the other side of the
        cut-off from their true population: the size-is-not-origin lesson in one number).
    """
    df = simulate_nta(n_particles, small_fraction, small_median_nm, small_gsd, large_median_nm,
                      large_gsd, seed)
    classes = classify_sizes(df, cutoff_nm)
    truly_small = (df["population"] == "exosome-sized").to_numpy()
    measured_small = df["diameter_nm"].to_numpy() < float(cutoff_nm)
    return {"df": df, "classes": classes, "summary": size_summary(df),
            "true_small_fraction": float(truly_small.mean()),
            "misclassified_fraction": float((truly_small != measured_small).mean())}
