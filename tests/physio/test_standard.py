"""5-minute HRV (Task Force 1996): the time domain equals NeuroKit2's ``hrv_time`` on the same
NN series; LF and HF of an NN series made of two sinusoids are their known powers, from ours
and from NeuroKit2's ``hrv_frequency`` alike, within a bound derived from the interpolation."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from sensorhub.physio import GOOD, Channel, WindowSignals, standard_hrv, window_analysis
from sensorhub.physio.standard import band_powers
from sensorhub.physio.synth import beat_times, pulse_wave, sample_times
from tests._services import require_module

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    nk = require_module("neurokit2", "pip install -e '.[dev]' (a test-only dependency)")

LF_AMPLITUDE, LF_HZ = 30.0, 0.1  # ms, Hz: power A²/2 = 450 ms²
HF_AMPLITUDE, HF_HZ = 20.0, 0.25  # 200 ms²
MEAN_MS = 850.0
US = 1_000_000  # NeuroKit2 takes beats as sample indices: microseconds keep them exact enough


def _sinusoidal_beats(duration_s: float = 300.0) -> np.ndarray:
    """Beats whose interval ending at time t is NN(t) = 850 + A sin(2π·0.1t) + B sin(2π·0.25t)
    (each beat solved from its own time by fixed-point iteration: a contraction, as |NN′| ≪ 1)."""

    def nn_s(t: float) -> float:
        swing = LF_AMPLITUDE * math.sin(2 * math.pi * LF_HZ * t)
        return (MEAN_MS + swing + HF_AMPLITUDE * math.sin(2 * math.pi * HF_HZ * t)) / 1000

    beats = [0.5]
    while beats[-1] < duration_s:
        t = beats[-1] + MEAN_MS / 1000
        for _ in range(30):
            t = beats[-1] + nn_s(t)
        beats.append(t)
    return np.array(beats)


def _amplitude_bound(beats: np.ndarray) -> float:
    """How far √(band power) may be from A/√2: a cubic spline through samples h apart misses
    a smooth f by at most (5/384)·h⁴·max|f⁗| (ms), and √power of (s + e) over a band is within
    RMS(e) ≤ max|e| of √power of s (Minkowski). Welch's Hann windows leak < 10⁻³ of a power
    at ≥ 38 bins (the nearest other line or band edge): inside the margin of 1 µs rounding."""
    h = float(np.max(np.diff(beats)))
    fourth = sum(
        a * (2 * math.pi * f) ** 4 for a, f in ((LF_AMPLITUDE, LF_HZ), (HF_AMPLITUDE, HF_HZ))
    )
    return 5 / 384 * h**4 * fourth + 0.01


def test_lf_and_hf_of_two_sinusoids_are_their_powers_in_ours_and_neurokit2() -> None:
    beats = _sinusoidal_beats()
    bound = _amplitude_bound(beats)
    ours = band_powers(beats)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = nk.hrv_frequency(np.round(beats * US).astype(np.int64), sampling_rate=US,
                                  normalize=False).iloc[0]  # fmt: skip
    for lf, hf in ((ours.lf_ms2, ours.hf_ms2), (theirs["HRV_LF"], theirs["HRV_HF"])):
        assert math.sqrt(lf) == pytest.approx(LF_AMPLITUDE / math.sqrt(2), abs=bound)
        assert math.sqrt(hf) == pytest.approx(HF_AMPLITUDE / math.sqrt(2), abs=bound)
    assert ours.lf_hf == pytest.approx(ours.lf_ms2 / ours.hf_ms2)


def _five_minutes() -> WindowSignals:
    k = np.arange(400)
    rng = np.random.default_rng(3)
    ibis = 850 + 30 * np.sin(2 * np.pi * k / 4.3) + 25 * np.sin(2 * np.pi * k / 12)
    beats = beat_times(ibis + rng.normal(0, 20, len(k)), 0.5)
    return WindowSignals(bvp=Channel(64.0, pulse_wave(beats, sample_times(64.0, 300.0))))


def test_five_minute_time_domain_is_neurokit2s_on_the_same_nn_series() -> None:
    span = _five_minutes()
    result = standard_hrv(span)
    _, nn = window_analysis(span)
    assert nn is not None and len(nn.beat_runs) == 1
    f = result.features
    assert f.quality == GOOD
    peaks = np.round(nn.beat_runs[0] * US).astype(np.int64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = nk.hrv_time(peaks, sampling_rate=US).iloc[0]
    # Beats rounded to 1 µs move an interval by ≤ 2 µs, a successive difference by ≤ 4 µs.
    assert f.sdnn_ms == pytest.approx(reference["HRV_SDNN"], abs=2e-3)
    assert f.rmssd_ms == pytest.approx(reference["HRV_RMSSD"], abs=4e-3)
    successive = np.abs(np.diff(np.diff(nn.beat_runs[0]) * 1000))
    assert np.min(np.abs(successive - 50)) > 4e-3  # so rounding cannot move one across 50 ms
    assert f.pnn50 == pytest.approx(reference["HRV_pNN50"], abs=1e-9)
    assert result.lf_ms2 is not None and result.hf_ms2 is not None
    assert result.lf_hf == pytest.approx(result.lf_ms2 / result.hf_ms2)


def test_a_span_shorter_than_two_minutes_has_no_lf() -> None:
    short = _five_minutes()
    assert short.bvp is not None
    one_minute = WindowSignals(bvp=Channel(64.0, short.bvp.values[: 64 * 60]))
    result = standard_hrv(one_minute)
    assert result.features.rmssd_ms is not None
    assert result.lf_ms2 is None and result.hf_ms2 is None and result.lf_hf is None
