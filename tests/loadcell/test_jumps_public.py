"""A real countermovement jump (2000 Hz, two plates) against JumpMetrics' published results;
tests/fixtures/jumpmetrics/README.md says where the data comes from and why numbers differ."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from scipy import signal

from sensorhub.loadcell import read_force_file
from sensorhub.loadcell.jumps import Rep, analyze_jumps
from sensorhub.loadcell.jumps.kinematics import GRAVITY
from tests.conftest import FIXTURES

FOLDER = FIXTURES / "jumpmetrics"
#: JumpMetrics' take-off comes this long after the force falls under 10 N (see the README).
THEIR_TAKE_OFF_LATE_S = 0.0115
#: JumpMetrics' low-pass filter (process_jump_trial): 4th-order Butterworth, both directions.
CUTOFF_HZ, ORDER, RATE_HZ, PAD = 26.64, 4, 2000.0, 2000


def published() -> dict[str, float]:
    with (FOLDER / "example_process_jump_trial_output.csv").open() as handle:
        row = next(csv.DictReader(handle))
    return {name: float(value) for name, value in row.items() if name != "PID"}


def one_rep(total: np.ndarray) -> Rep:
    recording = read_force_file(FOLDER / "F02_CTRL1_cmj.csv")
    [rep] = analyze_jumps(recording.t_ms, total=total).reps
    return rep


def recorded_total() -> np.ndarray:
    return read_force_file(FOLDER / "F02_CTRL1_cmj.csv").total


def test_filtered_like_jumpmetrics_the_peak_forces_are_its_own() -> None:
    b, a = signal.butter(ORDER, CUTOFF_HZ / (RATE_HZ / 2), "low")
    filtered = signal.filtfilt(b, a, recorded_total(), padlen=PAD, method="pad")
    rep = one_rep(filtered)
    theirs = published()
    assert rep.metrics["propulsion_peak_force_n"] == pytest.approx(theirs["peak_force"], abs=1e-6)
    assert rep.metrics["peak_landing_force_n"] == pytest.approx(
        theirs["max_landing_force"], abs=1e-6
    )


def test_phases_defined_alike_agree_with_jumpmetrics() -> None:
    rep = one_rep(recorded_total())
    theirs = published()
    # braking: peak downward velocity to velocity 0 in both, theirs on filtered force: each end
    # may move a sample (+ float rounding of the times)
    two_samples = 2 / RATE_HZ + 1e-9
    assert rep.metrics["braking_duration_s"] == pytest.approx(
        theirs["braking_time"], abs=two_samples
    )
    assert rep.metrics["countermovement_depth_m"] == pytest.approx(
        -theirs["lowering_displacement"], abs=0.001
    )
    assert rep.metrics["braking_net_impulse_n_s"] == pytest.approx(
        theirs["braking_net_vertical_impulse"], rel=0.01
    )
    assert rep.checks == ()


def test_take_off_velocity_differs_by_jumpmetrics_later_take_off() -> None:
    rep = one_rep(recorded_total())
    theirs = published()
    ours = rep.metrics["take_off_velocity_m_s"]
    assert ours is not None
    # g × 11.5 ms of flight, plus ≈ 0.01 m/s from its 0.6 N heavier body weight
    expected = GRAVITY * THEIR_TAKE_OFF_LATE_S + 0.01
    assert ours - theirs["takeoff_velocity"] == pytest.approx(expected, abs=0.01)
    flight = rep.metrics["flight_time_s"]
    assert flight is not None and flight > theirs["flight_time"]  # theirs starts later
