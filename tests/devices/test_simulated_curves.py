"""The simulated plate's pulls analyse to the athlete they were given (DESIGN §6 metrics)."""

from __future__ import annotations

import random

import numpy as np
import pytest

from sensorhub.devices.forceplate_sim import ForcePlateSimulator, PlateSettings
from sensorhub.devices.imtp_curve import PULL_S, AdcOutput, Athlete
from sensorhub.devices.wearable_sim import readings_from
from sensorhub.loadcell import AnalysisParams, ImtpResult, analyze
from sensorhub.loadcell.calibration import Calibration, ChannelCalibration
from sensorhub.loadcell.recorded import analyze_samples
from sensorhub.physio.wearer import STRESSED, SimulatedWearer


def simulated_pull(athlete: Athlete, adc: AdcOutput | None = None) -> list[dict[str, float]]:
    """0.5 s of standing, then a start command, then the whole pull, at 1 kHz."""
    plate = ForcePlateSimulator(athlete, PlateSettings(adc=adc), random.Random(7))
    samples = plate.next_samples(500)
    plate.on_command({"cmd": "start", "session_id": 1})
    return samples + plate.next_samples(int(PULL_S * 1000) + 500)


def analyse(samples: list[dict[str, float]]) -> ImtpResult:
    columns = np.array([[s["t"], s["l"], s["r"]] for s in samples], dtype=np.float64)
    return analyze(columns[:, 0], columns[:, 1], columns[:, 2], params=AnalysisParams())


@pytest.mark.parametrize(
    ("mass", "asymmetry", "peak_net"),
    [(80.0, 0.0, None), (62.5, 5.0, 1400.0), (105.0, -8.0, 3000.0)],
)
def test_pull_analyses_to_the_athlete_given(
    mass: float, asymmetry: float, peak_net: float | None
) -> None:
    athlete = Athlete(mass_kg=mass, asymmetry_pct=asymmetry, peak_net_n=peak_net)
    result = analyse(simulated_pull(athlete))

    assert result.weighing.body_weight_n == pytest.approx(athlete.weight_n, rel=0.005)
    assert result.peak is not None
    assert result.peak.net_force_n == pytest.approx(athlete.peak_net, rel=0.02)
    assert result.peak.asymmetry_pct == pytest.approx(asymmetry, abs=0.5)
    assert result.flags == ()  # a clean pull: no countermovement, steady, 1 kHz, no gaps
    rfd = result.window(200).rfd_n_per_s
    assert rfd is not None and 2000 < rfd < 20000  # N/s, the range IMTP literature reports


def test_raw_adc_output_analyses_the_same_after_calibration() -> None:
    athlete = Athlete(mass_kg=75.0, asymmetry_pct=4.0)
    adc = AdcOutput()
    samples = simulated_pull(athlete, adc)
    assert all(isinstance(s["l"], int) and s["l"] > adc.offset for s in samples)

    channel = ChannelCalibration(offset=adc.offset, scale=adc.scale)
    raw = [(s["t"], s["l"], s["r"]) for s in samples]
    result = analyze_samples(raw, Calibration(channel, channel))

    assert result.weighing.body_weight_n == pytest.approx(athlete.weight_n, rel=0.005)
    assert result.peak is not None
    assert result.peak.net_force_n == pytest.approx(athlete.peak_net, rel=0.02)


def test_device_clock_runs_in_milliseconds_at_the_chosen_rate() -> None:
    plate = ForcePlateSimulator(Athlete(), PlateSettings(rate_hz=500), random.Random(1))
    times = [s["t"] for s in plate.next_samples(5)]
    assert times == [0, 2, 4, 6, 8]


def test_stop_asks_for_one_flush() -> None:
    plate = ForcePlateSimulator(Athlete(), PlateSettings(), random.Random(1))
    plate.on_command({"cmd": "start", "session_id": 3})
    plate.on_command({"cmd": "stop", "session_id": 3})
    assert plate.take_flush_request() is True
    assert plate.take_flush_request() is False


def test_readings_are_moments_of_the_wearers_signals() -> None:
    signals = SimulatedWearer(seed=3).signals(10.0, 1.0, STRESSED)
    readings = readings_from(signals, 10.0, 4.0, "wrist-2")
    assert [r["timestamp"] for r in readings] == [10_000, 10_250, 10_500, 10_750]
    body = readings[1]
    assert set(body) == {"bvp", "temperature", "acceleration", "device_id", "timestamp"}
    assert body["bvp"] == signals["bvp"]["values"][16]  # 0.25 s at 64 Hz
    assert body["temperature"] == signals["temperature"]["values"][1]
    assert body["acceleration"] == {axis: signals["acc"][axis][8] for axis in "xyz"}
