"""Jump analysis against prescribed centre-of-mass motions whose answers are known exactly.

The motions (sensorhub/devices/jump_curve.py) put every event on a 1 kHz sample, so:
- event times are within one sample (DT): a threshold crossing is found at the first sample past
  it, and a velocity crossing may round to either neighbour;
- integrated numbers carry only the trapezoid rule's error, bounded per segment by
  T·DT²/12·max|a''| (max|a''| = (π/T)²·√(c1² + d²) for our cosine segments), which
  `velocity_bound` adds up; heights follow from it through h = v²/2g.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from sensorhub.devices.jump_curve import (
    GRAVITY,
    JumpMotion,
    Segment,
    countermovement_jump,
    drop_jump,
    flight_velocity,
    jump_motion,
    rebound_hops,
    sample_motion,
    squat_jump,
)
from sensorhub.errors import ValidationError
from sensorhub.loadcell.jumps import (
    JUMP_METRICS,
    CheckCode,
    EventEdit,
    JumpParams,
    JumpResult,
    JumpType,
    Rep,
    analyze_jumps,
)

DT = 0.001
ONSET_BACKTRACK = 0.030
NOISE_N = 2.0  # per channel, as a decent amplifier gives


def analyse(
    motion: JumpMotion,
    test: JumpType = "cmj",
    *,
    noise_n: float = 0.0,
    seed: int = 0,
    rate_hz: float = 1000.0,
    drop_height_m: float | None = None,
    edits: tuple[EventEdit, ...] = (),
) -> JumpResult:
    t, left, right = sample_motion(motion, rate_hz, noise_n, seed)
    params = JumpParams(test_type=test, drop_height_m=drop_height_m, edits=edits)
    return analyze_jumps(t, left, right, params=params)


def metric(rep: Rep, name: str) -> float:
    value = rep.metrics[name]
    assert value is not None, name
    return value


def side(rep: Rep, which: str, name: str) -> float:
    value = rep.sides[which][name]
    assert value is not None, name
    return value


def only_rep(result: JumpResult) -> Rep:
    assert len(result.reps) == 1
    return result.reps[0]


def velocity_bound(motion: JumpMotion, until_s: float) -> float:
    """The trapezoid rule's worst velocity error integrating the motion up to ``until_s``."""
    bound = 0.0
    for segment, start in zip(motion.segments, motion.boundaries, strict=False):
        if start >= until_s or segment.airborne or segment.off_plate:
            continue
        c1 = (segment.start_a - segment.end_a) / 2
        c0 = (segment.start_a + segment.end_a) / 2
        d = (segment.delta_v - c0 * segment.duration_s) * math.pi / (2 * segment.duration_s)
        curvature = (math.pi / segment.duration_s) ** 2 * math.hypot(c1, d)
        bound += segment.duration_s * DT**2 / 12 * curvature
    return bound


def height_bound(v: float, dv: float) -> float:
    return (v * dv + dv * dv / 2) / GRAVITY


def assert_within_a_sample(found: float, truth: float) -> None:
    assert abs(found - truth) <= DT + 1e-9, (found, truth)


# --- countermovement jump ----------------------------------------------------------------------


def test_cmj_height_velocity_and_depth_match_the_prescribed_motion() -> None:
    motion = countermovement_jump()
    rep = only_rep(analyse(motion))
    v_to = flight_velocity(500)
    dv = velocity_bound(motion, motion.start_of("flight"))
    assert dv < 1e-3  # the bound itself is small: the sampling is fine enough
    assert abs(metric(rep, "take_off_velocity_m_s") - v_to) <= dv
    truth_height = v_to**2 / (2 * GRAVITY)
    assert abs(metric(rep, "jump_height_impulse_m") - truth_height) <= height_bound(v_to, dv)
    assert abs(metric(rep, "jump_height_impulse_m") - truth_height) <= 0.001
    depth = -motion.displacement_at(motion.start_of("propulsion"))
    # displacement error: at most the velocity bound over the integration time
    assert abs(metric(rep, "countermovement_depth_m") - depth) <= dv * 1.0


def test_cmj_events_fall_within_one_sample_of_the_prescribed_ones() -> None:
    motion = countermovement_jump()
    rep = only_rep(analyse(motion))
    # Noise-free: the 5 SD band is the 1e-6 N floor, crossed one sample into the unweighting.
    assert_within_a_sample(
        rep.events["onset"], motion.start_of("unweighting") + DT - ONSET_BACKTRACK
    )
    assert_within_a_sample(rep.events["unweighting_end"], motion.start_of("braking"))
    assert_within_a_sample(rep.events["braking_end"], motion.start_of("propulsion"))
    assert_within_a_sample(rep.events["take_off"], motion.start_of("flight"))
    assert_within_a_sample(rep.events["landing"], motion.start_of("landing"))
    assert_within_a_sample(rep.events["landing_end"], motion.start_of("settle"))
    assert_within_a_sample(metric(rep, "flight_time_s"), 0.5)
    assert_within_a_sample(metric(rep, "braking_duration_s"), 0.150)
    assert_within_a_sample(metric(rep, "propulsion_duration_s"), 0.250)
    names = [phase.name for phase in rep.phases]
    assert names == ["weighing", "unweighting", "braking", "propulsion", "flight", "landing"]


def test_cmj_flight_height_is_within_its_one_sample_bound() -> None:
    rep = only_rep(analyse(countermovement_jump()))
    truth = GRAVITY * 0.5**2 / 8
    # one sample more or less of flight: Δh = g·(2T·DT + DT²)/8
    assert abs(metric(rep, "jump_height_flight_m") - truth) <= GRAVITY * (2 * 0.5 * DT + DT**2) / 8


def test_cmj_impulses_forces_and_rsi_modified_follow_the_motion() -> None:
    motion = countermovement_jump(mass_kg=80.0)
    rep = only_rep(analyse(motion))
    dv = velocity_bound(motion, motion.start_of("flight"))
    # Braking net impulse brings the CoM from its peak downward velocity (−1 m/s) to rest.
    assert abs(metric(rep, "braking_net_impulse_n_s") - 80.0 * 1.0) <= 80.0 * (dv + 1e-3)
    # Propulsive net impulse = m·v_to (from rest at the lowest point), within a sample of −W.
    v_to = flight_velocity(500)
    assert abs(metric(rep, "propulsion_net_impulse_n_s") - 80.0 * v_to) <= 80.0 * (
        dv + GRAVITY * DT
    )
    assert abs(metric(rep, "propulsion_peak_force_n") - motion.peak_force("propulsion")) <= 1.0
    assert abs(metric(rep, "peak_landing_force_n") - motion.peak_force("landing")) <= 1.0
    rsi = metric(rep, "jump_height_impulse_m") / metric(rep, "time_to_take_off_s")
    assert metric(rep, "rsi_modified_m_s") == pytest.approx(rsi)
    assert_within_a_sample(
        metric(rep, "time_to_take_off_s"),
        motion.start_of("flight") - (motion.start_of("unweighting") + DT - ONSET_BACKTRACK),
    )


def test_noise_moves_the_cmj_height_only_as_much_as_the_integration_of_noise_allows() -> None:
    motion = countermovement_jump()
    v_to = flight_velocity(500)
    sd_total = NOISE_N * math.sqrt(2)
    integration_s = 0.71  # onset to take-off, generously
    # velocity noise: the running sum of sample noise, and the weighing mean's error, over m
    sd_v = (
        sd_total * DT * math.sqrt(integration_s / DT) + sd_total / math.sqrt(1001) * integration_s
    ) / 80.0
    # The force falls 14 N per sample into take-off and the threshold is ~13 N with this noise:
    # take-off may be found one sample early, where the CoM is still g·DT faster.
    early = GRAVITY * DT
    for seed in range(3):
        rep = only_rep(analyse(motion, noise_n=NOISE_N, seed=seed))
        error = abs(metric(rep, "jump_height_impulse_m") - v_to**2 / 2 / GRAVITY)
        assert error <= height_bound(v_to, 4 * sd_v + early)
        assert rep.checks == ()


def test_left_and_right_take_their_share_of_each_phase() -> None:
    rep = only_rep(analyse(countermovement_jump(right_share=0.55)))
    for phase in ("braking", "propulsion", "landing"):
        left = side(rep, "left", f"{phase}_net_impulse_n_s")
        right = side(rep, "right", f"{phase}_net_impulse_n_s")
        total = metric(rep, f"{phase}_net_impulse_n_s")
        assert right == pytest.approx(0.55 * total, rel=1e-9)
        assert left == pytest.approx(0.45 * total, rel=1e-9)
        assert side(rep, "right", f"{phase}_peak_force_n") > side(
            rep, "left", f"{phase}_peak_force_n"
        )


def test_side_asymmetry_follows_the_project_convention() -> None:
    rep = only_rep(analyse(countermovement_jump(right_share=0.55)))
    # |L − R| / max(L, R) = (0.55 − 0.45) / 0.55 for every phase's net impulse and peak force
    for name in ("braking_net_impulse_n_s", "propulsion_peak_force_n", "landing_net_impulse_n_s"):
        assert rep.asymmetry[name].percent == pytest.approx(0.10 / 0.55 * 100, rel=1e-9)
        assert rep.asymmetry[name].stronger == "right"
    assert "unweighting_net_impulse_n_s" not in rep.asymmetry  # both sides negative: no push


def test_every_metric_a_jump_gives_has_a_unit_and_a_direction() -> None:
    tests: tuple[JumpType, ...] = ("cmj", "squat_jump", "drop_jump", "rebound", "drop_landing")
    for test in tests:
        result = analyse(jump_motion(test), test, drop_height_m=0.3)
        for rep in result.reps:
            assert set(rep.metrics) <= set(JUMP_METRICS), test


def test_every_rep_of_one_recording_is_found_and_analysed() -> None:
    flights = (400, 500, 450)

    def cmj(flight: int) -> JumpMotion:
        return countermovement_jump(flight_ms=flight)

    segments = sum((cmj(f).segments for f in flights), ())
    result = analyse(JumpMotion(segments, 80.0))
    assert [rep.index for rep in result.reps] == [0, 1, 2]
    for rep, flight, motion in zip(result.reps, flights, (cmj(f) for f in flights), strict=True):
        # each rep's landing is its own: the next rep's propulsion is not a landing force
        assert abs(metric(rep, "peak_landing_force_n") - motion.peak_force("landing")) <= 1.0
        assert (
            abs(metric(rep, "jump_height_impulse_m") - flight_velocity(flight) ** 2 / 2 / GRAVITY)
            <= 0.001
        )
        assert rep.checks == ()


def test_moved_events_are_used_by_the_analysis() -> None:
    motion = countermovement_jump()
    edits = (
        EventEdit(0, "take_off", 2.655),
        EventEdit(0, "landing", 3.140),
        EventEdit(0, "onset", 1.9),
    )
    rep = only_rep(analyse(motion, edits=edits))
    assert rep.events["take_off"] == pytest.approx(2.655)
    assert rep.events["landing"] == pytest.approx(3.140)
    assert rep.events["onset"] == pytest.approx(1.9)
    assert metric(rep, "flight_time_s") == pytest.approx(0.485)
    assert metric(rep, "time_to_take_off_s") == pytest.approx(0.755)


def test_a_moved_weighing_window_sets_body_weight() -> None:
    motion = countermovement_jump()
    # A window reaching into the movement: body weight is that window's mean, whatever it is.
    rep = only_rep(analyse(motion, edits=(EventEdit(0, "weigh_start", 1.5),)))
    assert rep.events["weigh_start"] == pytest.approx(1.5)
    window = [motion.force(k * DT) for k in range(1500, 2501)]
    assert metric(rep, "body_weight_n") == pytest.approx(sum(window) / len(window), rel=1e-12)


def test_an_edit_that_puts_landing_before_take_off_is_refused() -> None:
    with pytest.raises(ValidationError, match="take-off must come before landing"):
        analyse(countermovement_jump(), edits=(EventEdit(0, "landing", 2.0),))


# --- squat, drop and rebound jumps -------------------------------------------------------------


def test_squat_jump_is_propulsion_only_and_its_height_matches() -> None:
    motion = squat_jump()
    rep = only_rep(analyse(motion, "squat_jump"))
    v_to = flight_velocity(450)
    assert [p.name for p in rep.phases] == ["weighing", "propulsion", "flight", "landing"]
    assert abs(metric(rep, "jump_height_impulse_m") - v_to**2 / 2 / GRAVITY) <= 0.001
    assert_within_a_sample(rep.events["take_off"], motion.start_of("flight"))
    assert rep.checks == ()


def test_drop_jump_contact_flight_and_rsi() -> None:
    motion = drop_jump(drop_height_m=0.30, braking_ms=110, propulsion_ms=120, flight_ms=450)
    rep = only_rep(analyse(motion, "drop_jump", drop_height_m=0.30))
    assert_within_a_sample(metric(rep, "contact_time_s"), 0.230)
    assert_within_a_sample(metric(rep, "flight_time_s"), 0.450)
    truth_height = GRAVITY * 0.45**2 / 8
    assert metric(rep, "rsi_m_s") == pytest.approx(
        metric(rep, "jump_height_flight_m") / metric(rep, "contact_time_s")
    )
    # RSI with both times a sample off at worst
    worst = GRAVITY * (0.45 + DT) ** 2 / 8 / (0.230 - DT) - truth_height / 0.230
    assert abs(metric(rep, "rsi_m_s") - truth_height / 0.230) <= worst
    # From the entered drop height the take-off velocity follows by impulse-momentum
    dv = velocity_bound(motion, motion.start_of("flight"))
    assert abs(metric(rep, "take_off_velocity_m_s") - flight_velocity(450)) <= dv + GRAVITY * DT
    assert rep.checks == ()


def test_rebound_hops_are_each_measured_and_the_best_five_averaged() -> None:
    flights = (400, 420, 440, 460, 480, 480, 460, 440, 420, 400)
    contacts = (200, 190, 180, 170, 160, 160, 170, 180, 190)
    rep = only_rep(analyse(rebound_hops(flight_ms=flights, contact_ms=contacts), "rebound"))
    assert len(rep.hops) == 9
    for hop, flight, contact in zip(rep.hops, flights[1:], contacts, strict=True):
        assert_within_a_sample(hop["contact_time_s"], contact / 1000)
        assert_within_a_sample(hop["flight_time_s"], flight / 1000)
    truth = sorted(
        GRAVITY * (f / 1000) ** 2 / 8 / (c / 1000)
        for f, c in zip(flights[1:], contacts, strict=True)
    )
    best_five = sum(truth[-5:]) / 5
    assert metric(rep, "mean_rsi_best_hops_m_s") == pytest.approx(
        best_five, rel=0.02
    )  # 1 ms in 160 ms + 1 ms in 400
    assert rep.checks == ()


def test_drop_landing_peak_force_and_stabilisation() -> None:
    motion = drop_jump(rebound=False)
    rep = only_rep(analyse(motion, "drop_landing", drop_height_m=0.30))
    assert abs(metric(rep, "peak_landing_force_n") - motion.peak_force("landing")) <= 1.0
    assert_within_a_sample(rep.events["landing_end"], motion.start_of("settle"))
    settle = rep.events["stabilised"]
    weight = 80 * GRAVITY
    band = 0.05 * weight
    assert abs(motion.force(settle) - weight) <= band < abs(motion.force(settle - DT) - weight)
    assert rep.checks == ()


# --- quality checks: each fires on its own case and on no clean one ----------------------------


@pytest.mark.parametrize("test", ["cmj", "squat_jump", "drop_jump", "rebound", "drop_landing"])
def test_clean_simulated_jumps_raise_no_check(test: JumpType) -> None:
    result = analyse(jump_motion(test), test, noise_n=NOISE_N, drop_height_m=0.3)
    assert result.checks == ()
    assert [rep.checks for rep in result.reps] == [()]


def codes(result: JumpResult) -> set[CheckCode]:
    found = {check.code for check in result.checks}
    for rep in result.reps:
        found |= {check.code for check in rep.checks}
    return found


def test_an_unsteady_quiet_phase_is_flagged() -> None:
    assert CheckCode.UNSTEADY_WEIGHING in codes(analyse(countermovement_jump(), noise_n=10.0))


def test_a_countermovement_in_a_squat_jump_is_flagged() -> None:
    result = analyse(squat_jump(dip_velocity=-0.3), "squat_jump")
    assert codes(result) == {CheckCode.COUNTERMOVEMENT_IN_SQUAT_JUMP}


def test_a_double_bounce_before_take_off_is_flagged() -> None:
    cmj = countermovement_jump()
    bounce = (
        Segment("quiet", 2.0),
        Segment("dip", 0.2, 0.0, 0.0, -0.4),
        Segment("up", 0.2, 0.0, 0.0, 0.7),
        Segment("back", 0.2, 0.0, 0.0, -0.3),
    )
    result = analyse(JumpMotion(bounce + cmj.segments[1:], 80.0))
    assert codes(result) == {CheckCode.DOUBLE_BOUNCE}


def test_a_landing_off_the_plate_is_flagged() -> None:
    cmj = countermovement_jump()
    off = (*cmj.segments[:4], Segment("off", 2.0, off_plate=True), Segment("quiet", 2.0))
    result = analyse(JumpMotion(off, 80.0))
    assert codes(result) == {CheckCode.OFF_PLATE}


def test_a_landing_in_another_posture_makes_the_heights_disagree() -> None:
    cmj = countermovement_jump(flight_ms=500)
    v_to = flight_velocity(500)
    # Knees bent on landing: 100 ms more flight, touching down faster than take-off.
    v_land = v_to - GRAVITY * 0.6
    late = (
        *cmj.segments[:4],
        Segment("flight", 0.6, airborne=True),
        Segment("landing", 0.3, -GRAVITY, 0.5 * GRAVITY, -v_land),
        *cmj.segments[6:],
    )
    assert codes(analyse(JumpMotion(late, 80.0))) == {CheckCode.HEIGHTS_DISAGREE}


def test_clipped_samples_are_flagged() -> None:
    t, left, right = sample_motion(countermovement_jump())
    clip = 1100.0  # each side peaks at 1134 N late in the propulsion: a few samples clip
    result = analyze_jumps(t, np.minimum(left, clip), np.minimum(right, clip))
    assert codes(result) == {CheckCode.CLIPPED}
    capacity = analyze_jumps(t, left, right, params=JumpParams(capacity_n=1000.0))
    assert codes(capacity) == {CheckCode.CLIPPED}


def test_a_low_sample_rate_is_flagged() -> None:
    assert codes(analyse(countermovement_jump(), rate_hz=500.0)) == {CheckCode.LOW_SAMPLE_RATE}


def test_a_recording_that_ends_in_the_air_is_flagged() -> None:
    t, left, right = sample_motion(countermovement_jump())
    end = int(2.8 / DT)
    assert codes(analyze_jumps(t[:end], left[:end], right[:end])) == {CheckCode.NO_LANDING}


def test_bad_parameters_name_the_field() -> None:
    with pytest.raises(ValidationError, match="test_type"):
        JumpParams(test_type="hop")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="drop_height_m"):
        JumpParams(test_type="drop_jump", drop_height_m=-0.3)
    with pytest.raises(ValidationError, match="no 1 s of standing"):
        analyse(countermovement_jump(quiet_s=0.2))
