"""The teaching models against hand-worked values, limiting cases and bad input; their plots."""
from __future__ import annotations

import math
import statistics
import time

import numpy as np
import pytest

from exolab.models import resistance as rs
from exolab.models import sedimentation as sd
from exolab.models import sizing as sz
from exolab.models import warburg as wb
from exolab.plots import models as pm


# --------------------------------------------------------------------------- sedimentation
def test_stokes_hand_value():
    # d = 100 nm = 1e-7 m, drho = 150 kg/m3, eta = 1e-3 Pa s:
    # s = 1e-14 * 150 / 0.018 = 8.333e-11 s = 833.3 S
    assert sd.sedimentation_coefficient_S(100) == pytest.approx(833.333, rel=1e-6)
    # Double the density excess (1.30 vs 1.0) -> double s; double viscosity -> half s.
    assert sd.sedimentation_coefficient_S(100, 1.30) == pytest.approx(1666.667, rel=1e-6)
    assert sd.sedimentation_coefficient_S(100, viscosity_mPa_s=2.0) == pytest.approx(416.667, rel=1e-6)


def test_time_scales_with_inverse_square_of_diameter():
    d = np.array([25.0, 50.0, 100.0, 200.0])
    t = sd.pelleting_time_h(100.0, sd.sedimentation_coefficient_S(d))
    assert t[1] / t[2] == pytest.approx(4.0)       # halve d -> 4x longer
    assert t[0] / t[3] == pytest.approx(64.0)      # 8x smaller -> 64x longer
    assert np.allclose(t * d ** 2, t[0] * d[0] ** 2)


def test_equal_densities_never_pellet():
    s = sd.sedimentation_coefficient_S(100, particle_density_g_ml=1.0, medium_density_g_ml=1.0)
    assert s == 0.0
    assert math.isinf(sd.pelleting_time_h(44, s))
    # Lighter than the medium: s < 0, the particle floats: still "never pellets".
    floating = sd.sedimentation_coefficient_S(100, 0.95, 1.0)
    assert floating < 0 and math.isinf(sd.pelleting_time_h(44, floating))


def test_rcf_and_k_factor_hand_values():
    # 1.118e-5 * 10 cm * 10,000**2 = 11,180 g
    assert sd.rcf_g(10_000, 100) == pytest.approx(11_180)
    assert sd.rpm_for_rcf(11_180, 100) == pytest.approx(10_000)
    # Half the speed -> four times the k-factor: 44 * (70,000 / 35,000)**2 = 176
    assert sd.adjusted_k_factor(44, 70_000, 35_000) == pytest.approx(176)
    # t = k / s = 176 / 833.33 = 0.2112 h
    assert sd.pelleting_time_h(176, 833.333) == pytest.approx(0.2112, rel=1e-3)


def test_arrays_are_accepted():
    s = sd.sedimentation_coefficient_S([50, 100])
    assert isinstance(s, np.ndarray) and s.shape == (2,)
    assert isinstance(sd.rcf_g(1000, 100), float)


@pytest.mark.parametrize("temp, reference", [(0, 1.792), (4, 1.567), (20, 1.002), (37, 0.692),
                                             (100, 0.282)])
def test_water_viscosity_close_to_reference(temp, reference):
    # Reference values: IAPWS water viscosity at 1 atm (mPa s); the fit is good to ~2.5 %.
    assert sd.water_viscosity_mPa_s(temp) == pytest.approx(reference, rel=0.025)


def test_low_speed_clears_cells_but_exosomes_need_ultracentrifugation():
    # Type 70 Ti (k 44 at 70,000 rpm, r_max 91.9 mm), 4 C.
    eta = sd.water_viscosity_mPa_s(4)

    def hours(d_nm, g, density=1.15):
        rpm = sd.rpm_for_rcf(g, 91.9)
        k = sd.adjusted_k_factor(44, 70_000, rpm)
        return sd.pelleting_time_h(k, sd.sedimentation_coefficient_S(d_nm, density, 1.0, eta))

    assert hours(10_000, 2_000, density=1.07) < 1 / 60       # a cell: seconds at 2,000 g
    assert hours(1_000, 2_000) < 0.5                         # 1 um debris: minutes
    assert hours(50, 2_000) > 24                             # an exosome: days at 2,000 g
    assert 1.0 < hours(50, 100_000) < 3.0                    # ... an hour or two at 100,000 g
    assert hours(30, 100_000) > hours(50, 100_000) > 1.0


@pytest.mark.parametrize("call, name", [
    (lambda: sd.sedimentation_coefficient_S(-5), "diameter_nm"),
    (lambda: sd.sedimentation_coefficient_S(0), "diameter_nm"),
    (lambda: sd.sedimentation_coefficient_S(100, viscosity_mPa_s=0), "viscosity_mPa_s"),
    (lambda: sd.sedimentation_coefficient_S(100, medium_density_g_ml=-1), "medium_density_g_ml"),
    (lambda: sd.sedimentation_coefficient_S(float("nan")), "diameter_nm"),
    (lambda: sd.pelleting_time_h(0, 100), "k_factor"),
    (lambda: sd.adjusted_k_factor(44, 70_000, 80_000), "rpm"),
    (lambda: sd.rcf_g(1000, 0), "radius_mm"),
    (lambda: sd.water_viscosity_mPa_s(150), "temp_C"),
    (lambda: sd.k_factor_from_radii(40, 90, 70_000), "r_min_mm"),
])
def test_sedimentation_rejects_bad_input(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_rotor_table_k_factors_agree_with_their_geometry():
    from exolab.data import load

    rotors = load("rotors")
    assert len(rotors) >= 3
    for _, row in rotors.iterrows():
        k = sd.k_factor_from_radii(row["r_max_mm"], row["r_min_mm"], row["max_rpm"])
        assert k == pytest.approx(row["k_factor"], rel=0.03), row["rotor_id"]
        assert "manufacturer's specification" in row["note"]
    by_id = rotors.set_index("rotor_id")
    assert by_id.loc["type_70_ti", "k_factor"] == 44 and by_id.loc["type_70_ti", "max_rpm"] == 70_000
    assert by_id.loc["sw_41_ti", "k_factor"] == 124 and by_id.loc["sw_41_ti", "max_rpm"] == 41_000
    assert by_id.loc["type_45_ti", "k_factor"] == 133 and by_id.loc["type_45_ti", "max_rpm"] == 45_000


def test_rotor_pelleting_time_is_the_explorer_chain_in_one_call():
    # the explorer's steps by hand: Type 70 Ti (44 hours x S at 70,000 rpm, r_max 91.9 mm),
    # 100,000 g, water at 4 C, a 50 nm vesicle of density 1.15 g/mL
    rpm = sd.rpm_for_rcf(100_000, 91.9)
    k = sd.adjusted_k_factor(44, 70_000, rpm)
    s = sd.sedimentation_coefficient_S(50, 1.15, 1.0, sd.water_viscosity_mPa_s(4))
    by_hand = sd.pelleting_time_h(k, s) * 60
    assert sd.rotor_pelleting_time_min(50) == pytest.approx(by_hand, rel=1e-12)
    assert sd.rotor_pelleting_time_min(50) == pytest.approx(98.7, abs=0.05)
    assert sd.rotor_pelleting_time_min(100) == pytest.approx(98.7 / 4, abs=0.05)  # d**2 scaling
    assert np.allclose(sd.rotor_pelleting_time_min([50, 100]), [sd.rotor_pelleting_time_min(50),
                                                                 sd.rotor_pelleting_time_min(100)])
    assert math.isinf(sd.rotor_pelleting_time_min(50, particle_density_g_ml=1.0))
    assert sd.rotor_pelleting_time_min(50, rotor="sw_41_ti", rcf_g=50_000) > 0


@pytest.mark.parametrize("kwargs, words", [
    ({"rotor": "no_such_rotor"}, "rotor_id"),
    ({"rcf_g": 10_000_000}, "beyond"),
    ({"rcf_g": -5}, "rcf_g"),
    ({"temp_C": 150}, "temp_C"),
])
def test_rotor_pelleting_time_rejects_bad_input(kwargs, words):
    with pytest.raises(ValueError, match=words):
        sd.rotor_pelleting_time_min(50, **kwargs)


# --------------------------------------------------------------------------- Warburg
def test_textbook_atp_yields():
    assert wb.ATP_GLYCOLYSIS == 2
    assert wb.ATP_FULL_OXIDATION_RANGE == (30, 32)
    assert wb.ATP_FULL_OXIDATION_OLDER_RANGE == (36, 38)
    assert wb.ATP_FULL_OXIDATION in range(30, 33)
    assert wb.atp_per_glucose(0) == 2
    assert wb.atp_per_glucose(1) == 32
    assert wb.atp_per_glucose(1, 38) == 38


def test_glucose_and_lactate_hand_values():
    # 100 ATP by glycolysis alone: 100 / 2 = 50 glucose, 2 lactate each = 100 lactate.
    assert wb.glucose_uptake_for_demand(100, 0) == pytest.approx(50)
    assert wb.lactate_output(100, 0) == pytest.approx(100)
    # Full oxidation: 100 / 32 = 3.125 glucose and no lactate: 16x less glucose.
    assert wb.glucose_uptake_for_demand(100, 1) == pytest.approx(3.125)
    assert wb.lactate_output(100, 1) == 0
    # Half and half: 0.5*2 + 0.5*32 = 17 ATP per glucose -> 5.882 glucose, 5.882 lactate.
    assert wb.glucose_uptake_for_demand(100, 0.5) == pytest.approx(100 / 17)
    assert wb.lactate_output(100, 0.5) == pytest.approx(100 / 17)


def test_budget_table_adds_up():
    df = wb.warburg_budget(250)
    assert list(df.columns[:4]) == ["oxphos_share", "atp_per_glucose", "glucose_uptake", "lactate_output"]
    assert np.allclose(df["atp_from_glycolysis"] + df["atp_from_oxphos"], 250)
    assert df["glucose_uptake"].is_monotonic_decreasing
    assert df["glucose_vs_full_oxidation"].iloc[0] == pytest.approx(16)
    assert df["glucose_vs_full_oxidation"].iloc[-1] == pytest.approx(1)


@pytest.mark.parametrize("call, name", [
    (lambda: wb.glucose_uptake_for_demand(100, 1.5), "oxphos_share"),
    (lambda: wb.glucose_uptake_for_demand(-1, 0.5), "atp_demand"),
    (lambda: wb.atp_per_glucose(0.5, 1), "atp_full_oxidation"),
])
def test_warburg_rejects_bad_input(call, name):
    with pytest.raises(ValueError, match=name):
        call()


# --------------------------------------------------------------------------- resistance
PLAIN = dict(capacity=None, dose=0.0, transfer_rate=0.0)


def test_unlimited_growth_is_exponential():
    # S(10) = 1e5 * exp(0.3 * 10) = 2.0086e6
    df = rs.simulate_resistance(days=10, growth_sensitive=0.3, resistant0=0, **PLAIN)
    assert list(df.columns) == ["time", "sensitive", "resistant", "resistant_fraction"]
    assert df["sensitive"].iloc[-1] == pytest.approx(1e5 * math.exp(3.0), rel=1e-4)
    assert (df["resistant"] == 0).all()


def test_drug_kills_sensitive_cells_at_the_hill_rate():
    # At dose = EC50 the kill rate is kill_max / 2 = 0.25/day; no growth -> S = s0 e^(-0.25 t).
    assert rs.kill_rate(1.0, kill_max=0.5, ec50=1.0) == pytest.approx(0.25)
    df = rs.simulate_resistance(days=8, growth_sensitive=0, growth_resistant=0, capacity=None,
                                dose=1.0, kill_max=0.5, ec50=1.0, transfer_rate=0)
    assert df["sensitive"].iloc[-1] == pytest.approx(1e5 * math.exp(-2.0), rel=1e-4)
    assert df["resistant"].iloc[-1] == pytest.approx(1e3, rel=1e-6)


def test_transfer_alone_follows_the_logistic_fraction():
    # No growth, no drug: f' = tau f (1 - f), so f(t) = 1 / (1 + 99 e^(-tau t)) for f0 = 0.01
    # and R/N reaches 0.5 at t = ln(99) / tau = 9.19 days for tau = 0.5.
    params = dict(days=30, sensitive0=99, resistant0=1, growth_sensitive=0, growth_resistant=0,
                  capacity=None, dose=0, transfer_rate=0.5)
    df = rs.simulate_resistance(**params)
    expected = 1 / (1 + 99 * np.exp(-0.5 * df["time"]))
    assert np.allclose(df["resistant_fraction"], expected, atol=1e-4)
    assert rs.time_to_dominance(**params) == pytest.approx(math.log(99) / 0.5, rel=1e-4)
    assert rs.time_to_dominance(df) == pytest.approx(math.log(99) / 0.5, abs=0.05)


def test_zero_transfer_means_no_horizontal_spread():
    df = rs.simulate_resistance(growth_resistant=0.3, growth_sensitive=0.3, dose=0, transfer_rate=0)
    assert np.allclose(df["resistant_fraction"], df["resistant_fraction"].iloc[0])
    # No resistant cells to start with: nothing can be transferred, whatever the rate.
    none = rs.simulate_resistance(resistant0=0, transfer_rate=0.5)
    assert (none["resistant"] == 0).all()
    assert rs.time_to_dominance(resistant0=0, transfer_rate=0.5, dose=0) is None


def test_full_inhibitor_equals_no_transfer_and_inhibition_delays_dominance():
    blocked = rs.simulate_resistance(transfer_rate=0.2, inhibitor=1.0)
    none = rs.simulate_resistance(transfer_rate=0.0)
    assert np.allclose(blocked["resistant"], none["resistant"])
    days = [rs.time_to_dominance(dose=0.5, transfer_rate=0.2, inhibitor=i) for i in (0, 0.5, 0.9)]
    assert days[0] < days[1] < days[2]


def test_time_to_dominance_edge_cases():
    assert rs.time_to_dominance(sensitive0=10, resistant0=10) == 0.0
    assert rs.time_to_dominance(days=5, transfer_rate=0, dose=0) is None
    df = rs.simulate_resistance()
    assert rs.time_to_dominance(df) == pytest.approx(rs.time_to_dominance(), abs=0.3)


def test_one_run_is_fast():
    rs.simulate_resistance()                      # warm-up (imports, caches)
    times = []
    for _ in range(11):
        start = time.perf_counter()
        rs.simulate_resistance()
        times.append(time.perf_counter() - start)
    # Target is < 20 ms; the bound leaves room for a busy shared CI core.
    assert statistics.median(times) < 0.04


@pytest.mark.parametrize("kwargs, name", [
    (dict(inhibitor=1.5), "inhibitor"), (dict(dose=-1), "dose"), (dict(capacity=0), "capacity"),
    (dict(days=0), "days"), (dict(transfer_rate=-0.1), "transfer_rate"),
    (dict(sensitive0=0, resistant0=0), "sensitive0"), (dict(ec50=0), "ec50"),
])
def test_resistance_rejects_bad_input(kwargs, name):
    with pytest.raises(ValueError, match=name):
        rs.simulate_resistance(**kwargs)


# --------------------------------------------------------------------------- sizing
def test_nta_is_seeded():
    a, b = sz.simulate_nta(seed=3), sz.simulate_nta(seed=3)
    assert a.equals(b)
    assert not a.equals(sz.simulate_nta(seed=4))
    assert len(a) == 2000 and set(a["population"]) <= {"exosome-sized", "larger vesicles"}


def test_classify_hand_example():
    # MISEV: small means strictly below 200 nm; 200 itself is medium/large.
    out = sz.classify_sizes([50, 199.9, 200, 350])
    assert out == {"n": 4, "small": 2, "medium_large": 2, "small_fraction": 0.5,
                   "medium_large_fraction": 0.5}


def test_single_size_populations_classify_cleanly():
    only_small = sz.simulate_nta(500, small_fraction=1, small_median_nm=100, small_gsd=1)
    assert sz.classify_sizes(only_small)["small"] == 500
    only_large = sz.simulate_nta(500, small_fraction=0, large_median_nm=300, large_gsd=1)
    assert sz.classify_sizes(only_large)["medium_large"] == 500


def test_measured_small_share_matches_the_mixture():
    # P(small pop >= 200) = P(z >= ln 2 / ln 1.35) = P(z >= 2.31) = 0.0104
    # P(large pop < 200) = P(z < ln(2/3) / ln 1.5) = P(z < -1.0) = 0.159
    # expected small share = 0.7 * 0.9896 + 0.3 * 0.159 = 0.740 (not the true 0.70)
    out = sz.classify_sizes(sz.simulate_nta(20_000, seed=1))
    assert out["small_fraction"] == pytest.approx(0.740, abs=0.015)
    assert out["small_fraction"] + out["medium_large_fraction"] == pytest.approx(1)


def test_size_summary_percentiles_are_ordered():
    s = sz.size_summary(sz.simulate_nta())
    assert s["d10_nm"] < s["d50_nm"] < s["d90_nm"]
    assert 80 < s["mode_nm"] < 120


@pytest.mark.parametrize("call, name", [
    (lambda: sz.classify_sizes([100, -3]), "diameters_nm"),
    (lambda: sz.classify_sizes([]), "diameters_nm"),
    (lambda: sz.classify_sizes([100], cutoff_nm=0), "cutoff_nm"),
    (lambda: sz.simulate_nta(small_fraction=1.2), "small_fraction"),
    (lambda: sz.simulate_nta(small_gsd=0.5), "small_gsd"),
    (lambda: sz.simulate_nta(n_particles=0), "n_particles"),
])
def test_sizing_rejects_bad_input(call, name):
    with pytest.raises(ValueError, match=name):
        call()


# --------------------------------------------------------------------------- plots
def test_plot_pelleting_times_draws_the_inverse_square_curve():
    ax = pm.plot_pelleting_times(highlight_nm=50)
    x, y = pm.artist(ax, "curve").get_data()
    assert len(x) == 60
    assert y[0] / y[-1] == pytest.approx((x[-1] / x[0]) ** 2)
    mx, _my = pm.artist(ax, "marker").get_data()
    assert list(mx) == [50]
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"


def test_plot_warburg_budget_lines_match_the_table():
    df = wb.warburg_budget(100)
    ax = pm.plot_warburg_budget(df, current_share=0.3)
    _x, glucose = pm.artist(ax, "curve").get_data()
    _x, lactate = pm.artist(ax, "curve2").get_data()
    assert np.allclose(glucose, df["glucose_uptake"]) and np.allclose(lactate, df["lactate_output"])
    assert list(pm.artist(ax, "vline").get_xdata()) == [0.3, 0.3]


def test_plot_resistance_spread_marks_dominance():
    df = rs.simulate_resistance()
    day = rs.time_to_dominance(df)
    ax = pm.plot_resistance_spread(df, dominance_day=day)
    assert np.allclose(pm.artist(ax, "curve2").get_ydata(), df["resistant"])
    assert pm.artist(ax, "vline").get_xdata()[0] == pytest.approx(day)
    ax2 = pm.plot_resistance_spread(rs.simulate_resistance(transfer_rate=0, dose=0, days=5))
    assert len(pm.artist(ax2, "vline").get_xdata()) == 0


def test_plot_size_distribution_counts_every_particle_in_range():
    df = sz.simulate_nta(seed=2)
    ax = pm.plot_size_distribution(df)
    small = pm.artist(ax, "bars_small").get_data()
    stacked = pm.artist(ax, "bars_large").get_data()
    in_range = int((df["diameter_nm"] < 800).sum())
    assert stacked.values.sum() == in_range
    assert small.values.sum() == int(((df["population"] == "exosome-sized") & (df["diameter_nm"] < 800)).sum())
    assert pm.artist(ax, "vline").get_xdata()[0] == 200
