"""Low sample rates and inverted series load cells, on closed-form curves.

80 Hz (12.5 ms between samples), as Chronojump's HX711-class boards record.
"""

from __future__ import annotations

import numpy as np
import pytest

from sensorhub.loadcell import AnalysisParams, FlagCode, analyze
from sensorhub.loadcell.windows import peak_rfd

DT_MS = 12.5
# A handful of float64 roundings of numbers near 1e3: derived bound, not tuned.
ABS_N = 1e-9


def step_over_one_interval() -> tuple[np.ndarray, np.ndarray]:
    """800 N, then +250 N between two samples 12.5 ms apart, then flat."""
    t = np.arange(40) * DT_MS
    return t, np.where(np.arange(40) > 20, 1050.0, 800.0)


def test_peak_rfd_window_is_twenty_ms_on_the_lines_between_samples() -> None:
    t, force = step_over_one_interval()
    exact = peak_rfd(t, force, 0, interpolate=True)
    # Any 20 ms window holding the whole 12.5 ms rise rises 250 N: 250 / 0.020 = 12 500 N/s.
    assert exact is not None and exact.rfd_n_per_s == pytest.approx(12_500.0, rel=1e-12)
    assert exact.window_ms == 20.0
    # The first sample 20 ms on is 25 ms on: the old window read 250 / 0.025 = 10 000 N/s.
    nearest = peak_rfd(t, force, 0)
    assert nearest is not None and nearest.rfd_n_per_s == pytest.approx(10_000.0, rel=1e-12)


def ramp_at_80_hz() -> tuple[np.ndarray, np.ndarray]:
    """800 N still (alternating ±1 N), then from 2.005 s a rise of 2000 N/s, held from 3 s."""
    t = np.arange(320) * DT_MS
    still = 800.0 + np.where(np.arange(320) % 2 == 0, -1.0, 1.0)
    rise = 2.0 * np.clip(t - 2005.0, 0.0, 995.0)  # N: 2000 N/s × ms / 1000
    return t, np.where(t < 2005.0, still, 800.0 + rise)


def test_onset_at_80_hz_is_interpolated_between_samples() -> None:
    t, total = ramp_at_80_hz()
    params = AnalysisParams(onset_method="fixed", threshold_n=50.0, weigh_start_s=0.5)
    result = analyze(t, total=total, params=params)
    weight = result.weighing.body_weight_n  # 800 ± 1/81: 81 samples in the 1 s window
    onset = result.onset
    assert onset is not None and onset.interpolated and result.has_flag(FlagCode.LOW_SAMPLE_RATE)
    # The line crosses weight + 50 N at 2005 + (weight + 50 − 800) / 2 ms.
    crossing_ms = 2005.0 + (weight + 50.0 - 800.0) / 2.0
    assert onset.time_s * 1000.0 == pytest.approx(crossing_ms, abs=1e-9)
    assert onset.force_n == weight + 50.0
    # The first sample past it is up to 12.5 ms later; the interpolated onset is not.
    assert float(t[onset.index]) - crossing_ms > 0.0
    # RFD 0–200 ms on the straight rise is its slope exactly, 2000 N/s, at 200 ms from onset.
    window = result.window(200)
    assert window.rfd_n_per_s == pytest.approx(2000.0, rel=1e-9)
    assert window.net_force_n == pytest.approx(50.0 + 400.0, abs=ABS_N + 1.0 / 81.0)
    assert result.peak_rfd is not None and result.peak_rfd.window_ms == 20.0
    assert result.peak_rfd.rfd_n_per_s == pytest.approx(2000.0, rel=1e-9)


def test_an_inverted_series_load_cell_is_flipped_and_flagged() -> None:
    t = np.arange(320) * DT_MS
    pull = 0.5 + 1200.0 * np.clip((t - 2000.0) / 1000.0, 0.0, 1.0)
    result = analyze(t, total=-pull, params=AnalysisParams(reference="baseline"))
    assert result.has_flag(FlagCode.INVERTED)
    assert result.peak is not None and result.peak.force_n == pytest.approx(1200.5, abs=ABS_N)
    upright = analyze(t, total=pull, params=AnalysisParams(reference="baseline"))
    assert not upright.has_flag(FlagCode.INVERTED)
    assert upright.peak is not None and upright.peak.force_n == result.peak.force_n
