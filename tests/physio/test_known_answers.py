"""A pulse with inter-beat intervals alternating 780/860 ms gives HR 73.17 bpm, RMSSD 80 ms
and SDNN 40 ms (40.3 as the n − 1 sample SD), within bounds derived in ``_bounds``."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sensorhub.physio import GOOD, POOR, Channel, WindowSignals, window_features
from sensorhub.physio.bvp import EDGE_S
from sensorhub.physio.synth import beat_times, pulse_wave, sample_times
from tests.physio._bounds import Disturbance, beat_error_bound

HZ = 64.0
DURATION_S = 60.0
# Starts off the sample grid, and no true beat lies within a bound's reach of the edge span.
FIRST_BEAT_S = 0.37
BEATS = beat_times(np.tile([780.0, 860.0], 40), FIRST_BEAT_S)
BEATS = BEATS[BEATS < DURATION_S]


def _true_ibis() -> np.ndarray:
    inside = BEATS[(BEATS >= EDGE_S) & (BEATS <= DURATION_S - EDGE_S)]
    return np.diff(inside) * 1000.0


def _bvp(disturbance: Disturbance, seed: int = 7) -> np.ndarray:
    t = sample_times(HZ, DURATION_S)
    noise = np.random.default_rng(seed).normal(0.0, disturbance.noise, len(t))
    wander = disturbance.wander * np.sin(2 * np.pi * disturbance.wander_hz * t)
    return pulse_wave(BEATS, t) + noise + wander


CASES = {
    "clean": Disturbance(),
    # Noise of 0.5 % of the pulse height (SD); a baseline drifting by half the pulse height at
    # 0.1 Hz (breathing-slow).
    "noise_and_wander": Disturbance(noise=0.005, wander=0.5, wander_hz=0.1),
}


@pytest.mark.parametrize("case", CASES)
def test_alternating_intervals_give_the_known_hr_rmssd_and_sdnn(case: str) -> None:
    disturbance = CASES[case]
    features = window_features(WindowSignals(bvp=Channel(HZ, _bvp(disturbance))))
    ibis = _true_ibis()
    m = len(ibis)
    assert m % 2 == 0 and set(np.round(ibis, 6)) == {780.0, 860.0}
    error_ms = 1000.0 * beat_error_bound(BEATS, HZ, DURATION_S, disturbance)
    assert error_ms < 500.0 / HZ  # better than rounding to the nearest sample

    assert features.quality == GOOD
    assert features.beats == m + 1
    # Every interval usable: the mean telescopes to (last − first)/m, two beats' errors.
    mean_tolerance = 2 * error_ms / m
    assert features.mean_ibi_ms == pytest.approx(820.0, abs=mean_tolerance)
    hr_tolerance = 60_000 * mean_tolerance / (820.0 * (820.0 - mean_tolerance))
    assert features.hr_bpm == pytest.approx(60_000 / 820, abs=hr_tolerance)  # 73.17
    # A successive difference t[k+2] − 2t[k+1] + t[k] moves by at most 4 beat errors, and
    # the root mean square moves by at most the largest change (Minkowski).
    assert features.rmssd_ms == pytest.approx(80.0, abs=4 * error_ms)
    # SD(x + e) − SD(x) ≤ SD(e) ≤ max|e|·√(m/(m−1)), with |e| ≤ 2 beat errors per interval.
    sdnn = 40.0 * math.sqrt(m / (m - 1))
    assert features.sdnn_ms == pytest.approx(sdnn, abs=2 * error_ms * math.sqrt(m / (m - 1)))
    # Every difference is 80 ± 4·error ms, far above 50 ms.
    assert features.pnn50 == 100.0


def test_a_flat_signal_is_poor_quality_without_numbers() -> None:
    flat = np.full(round(HZ * DURATION_S), 512.0)
    features = window_features(WindowSignals(bvp=Channel(HZ, flat)))
    assert (features.quality, features.reason) == (POOR, "flat")
    assert features.hr_bpm is None and features.rmssd_ms is None and features.vector() is None


def test_a_missing_signal_is_poor_quality_without_numbers() -> None:
    bvp = _bvp(Disturbance())
    bvp[: len(bvp) // 4] = np.nan  # a quarter of the window never arrived
    for signals in (WindowSignals(bvp=Channel(HZ, bvp)), WindowSignals()):
        features = window_features(signals)
        assert (features.quality, features.reason) == (POOR, "missing")
        assert features.hr_bpm is None and features.sdnn_ms is None
