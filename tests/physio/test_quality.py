"""Windows the pulse cannot carry say why, instead of giving numbers."""

from __future__ import annotations

import numpy as np

from sensorhub.physio import GOOD, POOR, Channel, WindowSignals, window_features
from sensorhub.physio.synth import beat_times, pulse_wave, sample_times

HZ = 64.0
T = sample_times(HZ, 60)
PULSE = pulse_wave(beat_times(np.full(80, 800.0), 0.2), T)


def _features(bvp: np.ndarray, acc: np.ndarray | None = None) -> tuple[str, str | None]:
    channels = WindowSignals(bvp=Channel(HZ, bvp), acc=None if acc is None else Channel(32.0, acc))
    features = window_features(channels)
    assert (features.hr_bpm is None) == (features.quality == POOR)
    return features.quality, features.reason


def test_a_clean_pulse_is_good() -> None:
    assert _features(PULSE) == (GOOD, None)


def test_a_saturated_sensor_is_clipped() -> None:
    assert _features(np.clip(PULSE, None, 0.8)) == (POOR, "clipped")


def test_a_moving_wrist_is_motion() -> None:
    still = np.tile([0.0, 0.0, 1.0], (32 * 60, 1))
    shaking = still + np.random.default_rng(3).normal(0, 0.4, still.shape)
    assert _features(PULSE, still)[0] == GOOD
    assert _features(PULSE, shaking) == (POOR, "motion")


def test_noise_without_a_pulse_is_noisy_or_has_too_few_beats() -> None:
    noise = np.random.default_rng(4).normal(0, 1, len(T))
    quality, reason = _features(noise)
    assert quality == POOR and reason in ("noisy", "too_few_beats")


def test_temperature_mean_and_slope() -> None:
    minutes = sample_times(4.0, 60) / 60
    warming = 33.0 + 0.2 * minutes  # 0.2 °C per minute
    features = window_features(WindowSignals(temperature=Channel(4.0, warming)))
    assert features.temp_slope is not None and abs(features.temp_slope - 0.2) < 1e-9
    assert features.temp_mean is not None and abs(features.temp_mean - np.mean(warming)) < 1e-9
