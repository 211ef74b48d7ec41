"""The teaching models against hand-worked values, limiting cases and bad input; their plots."""
from __future__ import annotations

import json
import math
import statistics
import subprocess
import sys
import textwrap
import time
import warnings

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


# Type 70 Ti as a plain mapping: the numbers a rotor manual gives (an instructor's own
# rotor would be passed the same way, without touching the rotors table).
TYPE_70_TI = {"name": "Type 70 Ti", "max_rpm": 70_000, "r_max_mm": 91.9, "r_min_mm": 39.5, "k_factor": 44}


def _stokes_S(d_nm, rho_p, eta_mPa_s, rho_m=1.0):
    """Stokes' law written out independently of the module: s = d^2 drho / (18 eta), in S."""
    return (d_nm * 1e-9) ** 2 * (rho_p - rho_m) * 1e3 / (18 * eta_mPa_s * 1e-3) / 1e-13


def _rpm(g, r_mm):
    return math.sqrt(g / (1.118e-5 * r_mm / 10))


def test_spin_plan_hand_values_at_r_max():
    eta = sd.water_viscosity_mPa_s(4)
    plan = sd.spin_plan(50, TYPE_70_TI, 100_000, 4)
    # rpm = sqrt(100,000 / (1.118e-5 * 9.19 cm)) = 31,198; k = 44 (70,000 / 31,198)^2 = 221.5
    assert plan["rpm"] == pytest.approx(31_198, abs=1)
    assert plan["k_factor"] == pytest.approx(44 * (70_000 / _rpm(100_000, 91.9)) ** 2, rel=1e-9)
    assert plan["k_factor"] == pytest.approx(221.5, abs=0.1)
    assert plan["s_S"] == pytest.approx(_stokes_S(50, 1.15, eta), rel=1e-9)
    assert plan["time_h"] == pytest.approx(plan["k_factor"] / _stokes_S(50, 1.15, eta), rel=1e-9)
    assert plan["time_h"] == pytest.approx(1.645, abs=0.005)        # "an hour or two"
    assert plan["time_min"] == pytest.approx(60 * plan["time_h"])
    assert plan["radius"] == "r_max" and plan["radius_mm"] == 91.9 and plan["sinks"]
    # the same spin quoted at r_av = (91.9 + 39.5) / 2 = 65.7 mm is only 71,491 g
    assert plan["rcf_av_g"] == pytest.approx(100_000 * 65.7 / 91.9)
    assert plan["max_rcf_g"] == pytest.approx(1.118e-5 * 9.19 * 70_000 ** 2)   # 503,447 g
    # the table of the rotors agrees with the mapping, and the quiz helper with both
    assert sd.spin_plan(50, "type_70_ti", 100_000)["time_h"] == pytest.approx(plan["time_h"])
    assert sd.rotor_pelleting_time_min(50) == pytest.approx(plan["time_min"])


def test_spin_plan_at_r_av_needs_a_faster_shorter_spin():
    at_max = sd.spin_plan(50, TYPE_70_TI, 100_000)
    at_av = sd.spin_plan(50, TYPE_70_TI, 100_000, radius="av")
    assert at_av["radius"] == "r_av" and at_av["radius_mm"] == pytest.approx(65.7)
    assert at_av["rpm"] == pytest.approx(_rpm(100_000, 65.7))       # 36,897 rpm
    assert at_av["rcf_av_g"] == pytest.approx(100_000)
    # k ~ 1/rpm^2 ~ r, so the time shrinks by r_av / r_max = 65.7 / 91.9 = 0.715
    assert at_av["time_h"] / at_max["time_h"] == pytest.approx(65.7 / 91.9, rel=1e-9)
    assert at_av["time_h"] == pytest.approx(1.176, abs=0.005)


def test_spin_plan_curve_follows_inverse_square_and_matches_the_table():
    plan = sd.spin_plan(100, TYPE_70_TI, 100_000, 20)
    table = plan["table"]
    assert list(table.columns) == ["diameter_nm", "s_S", "time_h", "time_min"]
    assert len(table) == 40 and table["diameter_nm"].iloc[0] == pytest.approx(20)
    d, t = table["diameter_nm"].to_numpy(), table["time_h"].to_numpy()
    assert np.allclose(t * d ** 2, t[0] * d[0] ** 2)
    legacy = sd.pelleting_table(d, k_factor=plan["k_factor"],
                                viscosity_mPa_s=sd.water_viscosity_mPa_s(20))
    assert np.allclose(legacy["time_h"], t)
    custom = sd.spin_plan(100, TYPE_70_TI, 100_000, curve_diameters_nm=[50, 100])["table"]
    assert custom["time_h"].iloc[0] == pytest.approx(4 * custom["time_h"].iloc[1])


def test_spin_plan_for_a_vesicle_that_does_not_sink():
    plan = sd.spin_plan(100, TYPE_70_TI, 100_000, particle_density_g_ml=1.0)
    assert plan["s_S"] == 0 and math.isinf(plan["time_h"]) and not plan["sinks"]
    assert np.isinf(plan["table"]["time_h"]).all()


def test_spin_plan_accepts_the_rotors_maximum_but_not_more():
    top = sd.spin_plan(50, TYPE_70_TI, 1)["max_rcf_g"]
    assert sd.spin_plan(50, TYPE_70_TI, top)["rpm"] == pytest.approx(70_000)
    with pytest.raises(ValueError, match=r"rcf_g = 600,000 x g .*Type 70 Ti.*maximum of 503,447 x g"):
        sd.spin_plan(50, TYPE_70_TI, 600_000)
    # at r_av the limit is lower: 359,918 g
    with pytest.raises(ValueError, match=r"at r_av.*maximum of 359,918 x g"):
        sd.spin_plan(50, TYPE_70_TI, 400_000, radius="av")


@pytest.mark.parametrize("rotor, words", [
    ("no_such_rotor", r"rotor_id of the rotors table \(type_70_ti, "),
    ({"name": "X", "max_rpm": 1000, "r_max_mm": 50, "r_min_mm": 20}, "missing k_factor"),
    ({**TYPE_70_TI, "r_min_mm": 95}, "r_min_mm must be > 0 and < 91.9; got 95"),
    ({**TYPE_70_TI, "max_rpm": -1}, "max_rpm"),
    (42, "rotor must be a rotor_id"),
])
def test_spin_plan_rejects_a_bad_rotor(rotor, words):
    with pytest.raises(ValueError, match=words):
        sd.spin_plan(50, rotor, 10_000)


def test_spin_plan_rejects_bad_settings():
    with pytest.raises(ValueError, match="radius must be 'max'"):
        sd.spin_plan(50, TYPE_70_TI, 10_000, radius="min")
    with pytest.raises(ValueError, match="rcf_g must be > 0"):
        sd.spin_plan(50, TYPE_70_TI, 0)
    with pytest.raises(ValueError, match="temp_C"):
        sd.spin_plan(50, TYPE_70_TI, 10_000, temp_C=-5)


def test_pelleting_table_with_a_rotor_is_the_lessons_loop_in_one_call():
    # lesson 01's cell, by hand: Type 70 Ti at 100,000 g, water at 4 C
    rotor = TYPE_70_TI
    rpm = sd.rpm_for_rcf(100_000, rotor["r_max_mm"])
    k = sd.adjusted_k_factor(rotor["k_factor"], rotor["max_rpm"], rpm)
    eta = sd.water_viscosity_mPa_s(4)
    by_hand = [sd.pelleting_time_h(k, sd.sedimentation_coefficient_S(d, viscosity_mPa_s=eta)) * 60
               for d in (50, 100, 1000)]
    table = sd.pelleting_table(rotor, 100_000, (50, 100, 1000))
    assert np.allclose(table["time_min"], by_hand)
    assert table.attrs["rotor_name"] == "Type 70 Ti" and table.attrs["rpm"] == pytest.approx(rpm)
    assert table.attrs["viscosity_mPa_s"] == pytest.approx(eta)
    # the original form is unchanged: its default viscosity is still 1.0 mPa s (20 C)
    legacy = sd.pelleting_table([100], k_factor=44)
    assert legacy["time_h"].iloc[0] == pytest.approx(44 / 833.333, rel=1e-6)
    assert sd.pelleting_table(diameters_nm=[100], k_factor=44).equals(legacy)


@pytest.mark.parametrize("call, words", [
    (lambda: sd.pelleting_table(TYPE_70_TI), "needs a rotor and rcf_g"),
    (lambda: sd.pelleting_table([50], 100_000, k_factor=44), "not both"),
    (lambda: sd.pelleting_table([50, 100], 100_000), "rotor must be a rotor_id"),
    (lambda: sd.pelleting_table(TYPE_70_TI, 100_000, [50, -1]), "diameters_nm must be > 0"),
])
def test_pelleting_table_rejects_mixed_or_bad_calls(call, words):
    with pytest.raises(ValueError, match=words):
        call()


def test_clearing_comparison_tells_the_differential_centrifugation_story():
    # Hand values (Type 70 Ti, 4 C, forces at r_max): k at 2,000 g = 44 (70,000 / 4,412)^2
    # = 11,075; at 100,000 g 221.5. Cell 10 um / 1.07: s = 2.51e6 S -> 16 s; debris 1 um /
    # 1.07: 25,100 S -> 26 min; 50 nm / 1.15: 134.7 S -> 3.4 days, and 1.64 h at 100,000 g;
    # 30 nm: 48.5 S -> 4.6 h at 100,000 g.
    eta = sd.water_viscosity_mPa_s(4)
    df = sd.clearing_comparison(TYPE_70_TI)
    assert list(df["particle"].unique()) == ["cell", "cell debris", "exosome (50 nm)", "exosome (30 nm)"]
    assert set(df["rcf_g"]) == {2_000, 100_000}
    got = df.set_index(["particle", "rcf_g"])["time_h"]
    k_low = 44 * (70_000 / _rpm(2_000, 91.9)) ** 2
    k_high = 44 * (70_000 / _rpm(100_000, 91.9)) ** 2
    assert got["cell", 2_000] == pytest.approx(k_low / _stokes_S(10_000, 1.07, eta))
    assert got["cell", 2_000] * 3600 == pytest.approx(16, abs=0.5)
    assert got["cell debris", 2_000] * 60 == pytest.approx(26.4, abs=0.5)
    assert got["exosome (50 nm)", 2_000] / 24 == pytest.approx(3.43, abs=0.02)
    assert got["exosome (50 nm)", 100_000] == pytest.approx(k_high / _stokes_S(50, 1.15, eta))
    assert got["exosome (30 nm)", 100_000] == pytest.approx(4.57, abs=0.02)
    wide = sd.clearing_comparison(TYPE_70_TI, layout="wide")
    assert list(wide.columns) == ["2,000 x g", "100,000 x g"]
    assert wide.loc["cell", "2,000 x g"] == "16 s"
    assert wide.loc["cell debris", "2,000 x g"] == "26 min"
    assert wide.loc["exosome (50 nm)", "2,000 x g"] == "3.4 days"
    assert wide.loc["exosome (50 nm)", "100,000 x g"] == "1.6 h"


def test_clearing_comparison_takes_own_particles_and_rejects_bad_ones():
    df = sd.clearing_comparison(TYPE_70_TI, [10_000], particles=[("lipoprotein", 30, 1.0)])
    assert len(df) == 1 and math.isinf(df["time_h"].iloc[0])
    assert df["time"].iloc[0].startswith("never")
    with pytest.raises(ValueError, match="beyond"):
        sd.clearing_comparison(TYPE_70_TI, [600_000])
    with pytest.raises(ValueError, match="layout"):
        sd.clearing_comparison(TYPE_70_TI, layout="tall")
    with pytest.raises(ValueError, match="particles"):
        sd.clearing_comparison(TYPE_70_TI, particles=[])


def test_default_rotor_is_the_type_70_ti_of_the_course_table():
    from exolab import query

    assert sd.DEFAULT_ROTOR == query.DEFAULT_ROTOR          # one rule, two copies (models never import query)
    assert sd.default_rotor() == query.default_rotor() == "type_70_ti"
    assert sd.default_rotor("sw_41_ti") == "sw_41_ti"
    with pytest.raises(ValueError, match=r"rotor_id of the rotors table \(.*type_70_ti.*\); got 'typo'"):
        sd.default_rotor("typo")


def test_rotor_defaults_compute_what_the_type_70_ti_gives():
    # bio-pellet-time's answer calls rotor_pelleting_time_min without a rotor: still the Type 70 Ti
    assert sd.rotor_pelleting_time_min(70) == sd.rotor_pelleting_time_min(70, "type_70_ti")
    assert sd.rotor_pelleting_time_min(70) == pytest.approx(
        sd.spin_plan(70, "type_70_ti", 100_000, 4.0)["time_min"], rel=1e-9)
    pd_testing = __import__("pandas").testing
    pd_testing.assert_frame_equal(sd.clearing_comparison(), sd.clearing_comparison("type_70_ti"))
    assert sd.clearing_comparison().attrs["rotor_name"] == "Type 70 Ti"
    by_default = sd.pelleting_table(rcf_g=100_000, diameters_nm=[50, 100], temp_C=4)
    pd_testing.assert_frame_equal(by_default, sd.pelleting_table("type_70_ti", 100_000, [50, 100], temp_C=4))
    assert by_default.attrs["rotor_name"] == "Type 70 Ti"


@pytest.mark.parametrize("hours, text", [(16 / 3600, "16 s"), (26 / 60, "26 min"), (1.645, "1.6 h"),
                                         (82.25, "3.4 days"), (math.inf, "never (does not sink)")])
def test_format_duration(hours, text):
    assert sd.format_duration(hours) == text


@pytest.mark.parametrize("kwargs, name", [
    (dict(particle_density_g_ml=1e308), "particle_density_g_ml"),
    (dict(particle_density_g_ml=1e12), "particle_density_g_ml"),
    (dict(medium_density_g_ml=50), "medium_density_g_ml"),
    (dict(diameter_nm=1e308), "diameter_nm"),
    (dict(viscosity_mPa_s=1e-320), "viscosity_mPa_s"),
])
def test_implausible_or_overflowing_input_names_the_parameter_without_warnings(kwargs, name):
    args = {"diameter_nm": 100, **kwargs}
    with warnings.catch_warnings():
        warnings.simplefilter("error")              # no overflow RuntimeWarning on the way
        with pytest.raises(ValueError, match=name) as info:
            sd.sedimentation_coefficient_S(**args)
    assert "array" not in str(info.value) and "inf" not in str(info.value)


def test_a_vanishing_coefficient_means_never_and_warns_nothing():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert math.isinf(sd.pelleting_time_h(44, 1e-320))


def test_messages_show_the_first_bad_element_not_the_array():
    values = [100.0] * 40
    values[3] = math.inf
    with pytest.raises(ValueError) as info:
        sd.sedimentation_coefficient_S(values)
    assert str(info.value) == "diameter_nm must be a finite number; got inf (element 3 of 40)"
    values[3], values[7] = 100.0, -2.0
    with pytest.raises(ValueError) as info:
        sd.sedimentation_coefficient_S(values)
    assert str(info.value) == "diameter_nm must be > 0 and <= 1,000,000; got -2 (element 7 of 40)"


# --------------------------------------------------------------------------- Warburg
def _atp_per_glucose_from_the_mechanism(p_o_nadh, p_o_fadh2, cytosolic_nadh_p_o):
    """ATP per glucose counted step by step (textbook stoichiometry, per glucose):

    glycolysis: 4 ATP made (2 PGK + 2 PK) - 2 spent (hexokinase, PFK-1) = 2 net, 2 NADH
    in the cytosol (worth ``cytosolic_nadh_p_o`` each: 2.5 via the malate-aspartate
    shuttle, 1.5 via the glycerol-3-phosphate shuttle); pyruvate dehydrogenase 2 NADH;
    TCA cycle (two turns) 6 NADH, 2 FADH2 and 2 GTP (= ATP).
    """
    glycolysis = 4 - 2
    substrate_level = glycolysis + 2
    return (substrate_level + 2 * cytosolic_nadh_p_o + (2 + 6) * p_o_nadh + 2 * p_o_fadh2)


def test_atp_yields_follow_from_the_mechanism():
    modern = sorted({_atp_per_glucose_from_the_mechanism(2.5, 1.5, c) for c in (1.5, 2.5)})
    older = sorted({_atp_per_glucose_from_the_mechanism(3, 2, c) for c in (2, 3)})
    assert tuple(modern) == wb.ATP_FULL_OXIDATION_RANGE == (30, 32)
    assert tuple(older) == wb.ATP_FULL_OXIDATION_OLDER_RANGE == (36, 38)
    assert wb.ATP_FULL_OXIDATION == max(modern)
    assert wb.ATP_GLYCOLYSIS == 4 - 2
    assert wb.LACTATE_PER_GLUCOSE == 2                 # pyruvate -> lactate, 2 per glucose
    assert wb.atp_per_glucose(0) == wb.ATP_GLYCOLYSIS
    assert wb.atp_per_glucose(1) == max(modern)
    assert wb.atp_per_glucose(1, max(older)) == max(older)


def test_warburg_explore_hand_values():
    # 20 % of glucose oxidised at 32 ATP: 0.8 * 2 + 0.2 * 32 = 8 ATP per glucose;
    # 100 ATP -> 12.5 glucose, 2 * 0.8 * 12.5 = 20 lactate, 32 / 8 = 4x the glucose of a
    # fully oxidising cell, and 0.2 * 30 / 8 = 75 % of the ATP from mitochondria.
    r = wb.explore(0.2, 100)
    assert r["atp_per_glucose"] == pytest.approx(8)
    assert r["glucose_uptake"] == pytest.approx(12.5)
    assert r["lactate_output"] == pytest.approx(20)
    assert r["fold"] == pytest.approx(4)
    assert r["glucose_share_oxidised"] == 0.2
    assert r["atp_share_from_mitochondria"] == pytest.approx(0.75)
    assert r["atp_share_from_glycolysis"] == pytest.approx(0.25)
    assert len(r["budget"]) == 101
    # glycolysis only: no mitochondrial ATP; full oxidation: all but 2 of 32 ATP
    assert wb.explore(0.0)["atp_share_from_mitochondria"] == 0
    assert wb.explore(1.0)["atp_share_from_mitochondria"] == pytest.approx(30 / 32)
    assert wb.explore(0.2, 100, 38)["fold"] == pytest.approx(38 / (0.8 * 2 + 0.2 * 38))


def test_budget_keeps_the_old_column_and_adds_the_mitochondrial_share():
    df = wb.warburg_budget(100)
    assert np.array_equal(df["atp_from_oxphos"], df["atp_from_mitochondria"])
    assert np.allclose(df["atp_from_mitochondria"] / 100, df["atp_share_from_mitochondria"])
    assert df["atp_share_from_mitochondria"].is_monotonic_increasing


@pytest.mark.parametrize("call, words", [
    (lambda: wb.explore(atp_demand=1e16), "atp_demand must be >= 0 and <= 1e[+]15; got 1e[+]16"),
    (lambda: wb.explore(oxphos_share=[0.1, 0.2]), "oxphos_share must be a single number"),
    (lambda: wb.glucose_uptake_for_demand(1e308, 0.5), "atp_demand"),
])
def test_warburg_explore_rejects_bad_input(call, words):
    with pytest.raises(ValueError, match=words):
        call()


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


HOSTILE = {
    "tiny days 1e-300": dict(days=1e-300),
    "denormal days": dict(days=5e-324),
    "unlimited capacity, ten years": dict(capacity=None, days=3650),
    "unlimited capacity, fast growth": dict(capacity=None, growth_sensitive=10, days=3650, dose=0),
    "huge starting numbers": dict(sensitive0=1e300, resistant0=1e300),
    "start far above capacity": dict(sensitive0=1e12, resistant0=1e12, capacity=1),
}


def _in_subprocess(code: str, timeout: float = 60) -> dict:
    """Run model code in a fresh interpreter with a timeout: a regression that hangs the
    solver fails this test instead of freezing the test run."""
    prog = "import json\nfrom exolab.models import resistance as rs\n" + textwrap.dedent(code)
    try:
        res = subprocess.run([sys.executable, "-c", prog], capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the model did not return within {timeout} s (it hangs):\n{code}")
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("kwargs", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_settings_fail_fast_with_a_named_parameter(kwargs):
    out = _in_subprocess(f"""
        import time
        t0 = time.perf_counter()
        for fn in (rs.simulate_resistance, rs.time_to_dominance):
            try:
                fn(**{kwargs!r})
                print(json.dumps({{"error": None}}))
            except ValueError as exc:
                msg = str(exc)
        print(json.dumps({{"error": msg, "seconds": time.perf_counter() - t0}}))
        """)
    assert out["error"], "a hostile setting must be refused with a ValueError"
    assert out["seconds"] < 5
    named = [k for k in kwargs if k in out["error"]]
    assert named, f"the message must name one of {list(kwargs)}: {out['error']}"
    assert "array" not in out["error"] and "nan" not in out["error"].lower()


def test_long_unlimited_growth_within_the_bound_is_finite():
    out = _in_subprocess("""
        import numpy as np
        df = rs.simulate_resistance(capacity=None, days=2000)      # 0.3 * 2000 = 600 e-folds
        print(json.dumps({"finite": bool(np.isfinite(df.drop(columns='time').to_numpy()).all()),
                          "n": float(df['sensitive'].iloc[-1] + df['resistant'].iloc[-1])}))
        """)
    assert out["finite"] and out["n"] > 1e200


def test_the_unlimited_growth_bound_says_how_far_one_can_go():
    with pytest.raises(ValueError, match=r"days must be <= 2,000 with unlimited capacity.*got 3,650"):
        rs.simulate_resistance(capacity=None, days=3650)
    assert rs.MAX_UNLIMITED_GROWTH <= 700               # e**709 is the largest finite float


def test_solver_budget_turns_a_runaway_into_a_value_error(monkeypatch):
    monkeypatch.setattr(rs, "MAX_RHS_CALLS", 50)
    with pytest.raises(ValueError, match=r"did not settle within its budget \(50 steps"):
        rs.simulate_resistance()


def test_without_transfer_each_population_follows_its_own_selection():
    # tau = 0: no flux between S and R, so along the model's own N(t)
    #   R(t) = R0 exp(int gR (1 - N/K) dt)   and   S(t) = S0 exp(int (gS (1 - N/K) - kill) dt)
    p = dict(days=60, dose=1.0, transfer_rate=0.0, n_points=3001)
    df = rs.simulate_resistance(**p)
    t = df["time"].to_numpy()
    crowd = 1 - (df["sensitive"] + df["resistant"]).to_numpy() / rs.DEFAULTS["capacity"]
    integral = np.concatenate([[0], np.cumsum(np.diff(t) * (crowd[1:] + crowd[:-1]) / 2)])
    kill = rs.kill_rate(1.0)
    r_selection = rs.DEFAULTS["resistant0"] * np.exp(rs.DEFAULTS["growth_resistant"] * integral)
    s_selection = rs.DEFAULTS["sensitive0"] * np.exp(rs.DEFAULTS["growth_sensitive"] * integral - kill * t)
    assert np.allclose(df["resistant"], r_selection, rtol=1e-3)
    assert np.allclose(df["sensitive"], s_selection, rtol=1e-3, atol=1e-3)
    # and the drug is what makes R win: without it S (the faster grower) stays ahead
    assert rs.time_to_dominance(**{**p, "dose": 0.0}) is None


def test_transfer_converts_cells_but_does_not_create_them():
    # gS = gR and no drug: S + R follows the same logistic with or without transfer,
    # N(t) = K / (1 + (K / N0 - 1) e^(-g t))
    common = dict(growth_sensitive=0.3, growth_resistant=0.3, dose=0.0, days=60)
    moved = rs.simulate_resistance(transfer_rate=0.5, **common)
    still = rs.simulate_resistance(transfer_rate=0.0, **common)
    total = lambda df: (df["sensitive"] + df["resistant"]).to_numpy()  # noqa: E731
    k, n0 = rs.DEFAULTS["capacity"], rs.DEFAULTS["sensitive0"] + rs.DEFAULTS["resistant0"]
    logistic = k / (1 + (k / n0 - 1) * np.exp(-0.3 * moved["time"].to_numpy()))
    assert np.allclose(total(moved), total(still), rtol=1e-4)
    assert np.allclose(total(moved), logistic, rtol=1e-4)
    assert moved["resistant"].iloc[-1] > 10 * still["resistant"].iloc[-1]


def test_explore_gives_curves_and_the_exact_dominance_day():
    r = rs.explore()
    assert r["sensitive0"] == pytest.approx(1e5) and r["resistant0"] == pytest.approx(1e3)
    assert list(r["df"].columns) == ["time", "sensitive", "resistant", "resistant_fraction"]
    assert len(r["df"]) == 121
    assert r["dominance_day"] == pytest.approx(rs.time_to_dominance(), rel=1e-9)
    assert r["dominance_day"] == pytest.approx(math.log(99) / 0.3, abs=0.2)   # early-phase estimate
    assert r["final_fraction"] == pytest.approx(float(r["df"]["resistant_fraction"].iloc[-1]))
    assert rs.explore(transfer_rate=0.2, inhibitor=0.75)["effective_transfer_rate"] == pytest.approx(0.05)


def test_explore_dominance_does_not_depend_on_the_output_grid():
    # Interpolating 121 points over ten years misses the day by up to half a 30-day step
    # (52.0 instead of 54.2 days); the event-based day does not move with n_points.
    exact = rs.time_to_dominance(dose=0.3, transfer_rate=0, days=3650)
    coarse = rs.explore(dose=0.3, transfer_rate=0, days=3650, n_points=121)
    assert coarse["dominance_day"] == pytest.approx(exact, rel=1e-6)
    assert rs.explore(dose=0.3, transfer_rate=0, days=3650, n_points=2)["dominance_day"] == pytest.approx(exact, rel=1e-6)
    assert abs(rs.time_to_dominance(coarse["df"]) - exact) > 1    # the old way is visibly off


def test_explore_starting_fraction():
    # transfer only: f(t) = 1 / (1 + (1/f0 - 1) e^(-tau t)) -> dominance at ln(1/f0 - 1) / tau
    pure = dict(dose=0, transfer_rate=0.5, days=40, growth_sensitive=0, growth_resistant=0, capacity=None)
    for f0 in (0.01, 0.1, 0.3):
        day = rs.explore(resistant_fraction0=f0, **pure)["dominance_day"]
        assert day == pytest.approx(math.log(1 / f0 - 1) / 0.5, rel=1e-4)
    r = rs.explore(resistant_fraction0=0.25, total_cells0=4e4)
    assert (r["sensitive0"], r["resistant0"]) == (3e4, 1e4)
    assert r["df"]["resistant_fraction"].iloc[0] == pytest.approx(0.25)
    assert rs.explore(resistant_fraction0=0.5)["dominance_day"] == 0.0
    assert rs.explore(resistant_fraction0=0.0)["dominance_day"] is None


@pytest.mark.parametrize("kwargs, words", [
    (dict(resistant_fraction0=1.5), "resistant_fraction0 must be >= 0 and <= 1; got 1.5"),
    (dict(total_cells0=0), "total_cells0"),
    (dict(sensitive0=5), "does not take sensitive0"),
    (dict(days=1e-300), "days must be >= 0.01"),
    (dict(n_points=1.5), "n_points must be a whole number"),
])
def test_explore_rejects_bad_input(kwargs, words):
    with pytest.raises(ValueError, match=words):
        rs.explore(**kwargs)


def test_parameter_table_lists_every_default_with_its_unit_and_meaning():
    import inspect

    table = rs.parameter_table()
    assert table.columns.tolist() == ["parameter", "default", "unit", "meaning"]
    assert table["parameter"].tolist() == list(rs.DEFAULTS)
    assert table["default"].tolist() == [float(v) for v in rs.DEFAULTS.values()]
    assert set(rs.PARAMETERS) == set(rs.DEFAULTS)             # a new default needs its unit and meaning
    assert all(table["unit"].str.len() > 0) and all(table["meaning"].str.len() > 10)
    keywords = set(inspect.signature(rs.simulate_resistance).parameters)
    assert set(table["parameter"]) <= keywords                # each row is a keyword learners can pass
    assert table.set_index("parameter").loc["inhibitor", "meaning"].count("inhibitor") == 1


def test_scenario_table_is_lesson_04s_comparison():
    table = rs.scenario_table()
    assert list(table.index) == list(rs.SCENARIOS)
    assert table.index.name == "scenario"
    assert list(table.columns) == ["drug dose (× EC50)", "exosomal transfer (/day)", "release inhibitor",
                                   "days until resistant ≥ 50 %", "resistant share at the end (%)"]
    days = table["days until resistant ≥ 50 %"]
    for name, overrides in rs.SCENARIOS.items():
        expected = rs.time_to_dominance(**overrides)
        if expected is None:
            assert math.isnan(days[name])
        else:
            assert days[name] == round(expected, 1)
    # the story: transfer speeds resistance up; a complete inhibitor is the same as no transfer
    assert days["drug + transfer (default)"] < days["drug, no transfer"]
    assert days["drug + complete release inhibitor"] == days["drug, no transfer"]
    assert math.isnan(days["no drug, no transfer"])
    assert table.round(1).equals(table)                          # rounded for display
    longer = rs.scenario_table({"no drug, no transfer": {"dose": 0, "transfer_rate": 0}}, days=3650)
    assert longer["days until resistant ≥ 50 %"].isna().all()     # S grows faster: R never wins


@pytest.mark.parametrize("kwargs, words", [
    (dict(days=0.005), "days must be >= 0.01 and <= 3,650; got 0.005"),
    (dict(sensitive0=2e12), "sensitive0 must be >= 0 and <= 1,000,000,000,000; got 2,000,000,000,000"),
    (dict(capacity=1e4), "capacity must be >= sensitive0 \\+ resistant0"),
    (dict(capacity=1e16), "capacity"),
    (dict(dose=1e300), "dose"),
    (dict(n_points=1), "n_points"),
    (dict(sensitive0=0.4, resistant0=0.4), "sensitive0 \\+ resistant0 must be >= 1"),
])
def test_resistance_bounds_are_readable(kwargs, words):
    with pytest.raises(ValueError, match=words):
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


@pytest.mark.parametrize("kwargs, words", [
    (dict(seed=-1), "seed must be >= 0 and <= 4,294,967,295; got -1"),
    (dict(seed=1.5), "seed must be a whole number; got 1.5"),
    (dict(seed="abc"), "seed must be a whole number"),
    (dict(n_particles=1.5), "n_particles must be a whole number; got 1.5"),
    (dict(n_particles=100_001), "n_particles must be >= 1 and <= 100,000; got 100,001"),
    (dict(n_particles=True), "n_particles must be a whole number"),
    (dict(large_median_nm=1e9), "large_median_nm"),
])
def test_sizing_validates_counts_and_seeds_readably(kwargs, words):
    with pytest.raises(ValueError, match=words):
        sz.simulate_nta(**kwargs)


def test_documented_particle_cap_is_usable():
    assert sz.MAX_PARTICLES == 100_000
    assert len(sz.simulate_nta(sz.MAX_PARTICLES)) == sz.MAX_PARTICLES
    assert len(sz.simulate_nta(2000.0)) == 2000               # a whole float is fine


def test_size_summary_memory_is_bounded_for_stray_huge_diameters():
    start = time.perf_counter()
    s = sz.size_summary([1e9, 100, 101, 102])                   # used to ask for 1e8 bins
    assert time.perf_counter() - start < 1
    assert s["mode_nm"] == 105 and s["d50_nm"] == pytest.approx(101.5)
    only_huge = sz.size_summary([2e6, 3e6, 3e6])               # nothing below 10 um
    assert 2e6 <= only_huge["mode_nm"] <= 3e6
    with pytest.raises(ValueError, match="at least one particle"):
        sz.size_summary([])


def test_sizing_explore_separates_truth_from_measurement():
    # single-size populations (gsd 1): 100 nm and 300 nm particles sort perfectly
    r = sz.explore(1000, small_fraction=0.6, small_median_nm=100, large_median_nm=300, seed=5,
                   small_gsd=1, large_gsd=1)
    assert r["classes"]["small_fraction"] == r["true_small_fraction"]
    assert r["misclassified_fraction"] == 0
    # the default mixture: P(small >= 200) = 0.0104, P(large < 200) = 0.159 ->
    # misclassified = 0.7 * 0.0104 + 0.3 * 0.159 = 0.055
    big = sz.explore(50_000, seed=1)
    assert big["misclassified_fraction"] == pytest.approx(0.055, abs=0.005)
    assert big["true_small_fraction"] == pytest.approx(0.70, abs=0.01)
    assert big["classes"]["small_fraction"] == pytest.approx(0.740, abs=0.01)
    assert set(big["summary"]) == {"mean_nm", "mode_nm", "d10_nm", "d50_nm", "d90_nm"}
    with pytest.raises(ValueError, match="cutoff_nm"):
        sz.explore(cutoff_nm=0)


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
