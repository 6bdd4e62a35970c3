"""A pulse whose inter-beat intervals swing as with breathing (820 ± 60 ms, a cycle every 4.7
beats) gives its known HR, RMSSD and SDNN within bounds derived in ``_bounds``.

(A perfect 780/860 ms alternation, the first version of this test, has no spread in |ΔIBI|:
beat correction reads it, rightly, as bigeminy, an ectopic beat every other beat.)"""

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
IBIS_MS = 820.0 + 60.0 * np.sin(2 * np.pi * np.arange(80) / 4.7)
BEATS = beat_times(IBIS_MS, FIRST_BEAT_S)
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
def test_breathing_intervals_give_the_known_hr_rmssd_and_sdnn(case: str) -> None:
    disturbance = CASES[case]
    features = window_features(WindowSignals(bvp=Channel(HZ, _bvp(disturbance))))
    ibis = _true_ibis()
    m = len(ibis)
    successive = np.diff(ibis)
    error_ms = 1000.0 * beat_error_bound(BEATS, HZ, DURATION_S, disturbance)
    assert error_ms < 500.0 / HZ  # better than rounding to the nearest sample

    assert features.quality == GOOD
    assert features.beats == m + 1
    assert features.corrected_beats == 0.0  # nothing to correct in a clean rhythm
    # Every interval usable: the mean telescopes to (last − first)/m, two beats' errors.
    mean_tolerance = 2 * error_ms / m
    mean = float(np.mean(ibis))
    assert features.mean_ibi_ms == pytest.approx(mean, abs=mean_tolerance)
    hr_tolerance = 60_000 * mean_tolerance / (mean * (mean - mean_tolerance))
    assert features.hr_bpm == pytest.approx(60_000 / mean, abs=hr_tolerance)
    # A successive difference t[k+2] − 2t[k+1] + t[k] moves by at most 4 beat errors, and
    # the root mean square moves by at most the largest change (Minkowski).
    rmssd = float(np.sqrt(np.mean(successive**2)))
    assert features.rmssd_ms == pytest.approx(rmssd, abs=4 * error_ms)
    # SD(x + e) − SD(x) ≤ SD(e) ≤ max|e|·√(m/(m−1)), with |e| ≤ 2 beat errors per interval.
    sdnn = float(np.std(ibis, ddof=1))
    assert features.sdnn_ms == pytest.approx(sdnn, abs=2 * error_ms * math.sqrt(m / (m - 1)))
    # pNN50 may differ only by the differences within 4 beat errors of 50 ms.
    pnn50 = 100 * float(np.mean(np.abs(successive) > 50))
    borderline = np.count_nonzero(np.abs(np.abs(successive) - 50) <= 4 * error_ms)
    assert features.pnn50 == pytest.approx(pnn50, abs=100 * borderline / len(successive))


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
