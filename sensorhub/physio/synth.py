"""Synthetic signals with a known beat sequence: for the simulator, the demo and tests.

A pulse is a systolic wave and a smaller, later diastolic wave, each a Gaussian (the
two-Gaussian PPG model of Couceiro et al. 2012, simplified); the waves' derivatives are
exact, so tests can bound the error of locating a peak from samples.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sensorhub.physio.bvp import FloatArray


@dataclass(frozen=True, slots=True)
class Wave:
    delay_s: float
    amplitude: float
    width_s: float


# Systolic peak, then the diastolic wave 0.25 s later at about a third of its height.
PULSE = (Wave(0.0, 1.0, 0.08), Wave(0.25, 0.35, 0.1))
# Beyond this many widths a Gaussian wave is below 1e-9 of its height: no need to add it.
_REACH_WIDTHS = 6.5


def pulse_wave(
    beat_times_s: FloatArray, times_s: FloatArray, order: int = 0, pulse: tuple[Wave, ...] = PULSE
) -> FloatArray:
    """The pulse train with a systolic peak at each beat time, sampled at ``times_s``, or its
    ``order``-th derivative (order ≤ 3)."""
    out = np.zeros(len(times_s))
    for wave in pulse:
        reach = _REACH_WIDTHS * wave.width_s
        for beat in beat_times_s:
            centre = beat + wave.delay_s
            lo, hi = np.searchsorted(times_s, (centre - reach, centre + reach))
            x = (times_s[lo:hi] - centre) / wave.width_s
            out[lo:hi] += wave.amplitude * _gaussian_derivative(x, order) / wave.width_s**order
    return out


def _gaussian_derivative(x: FloatArray, order: int) -> FloatArray:
    """dⁿ/dxⁿ exp(−x²/2) = (−1)ⁿ Heₙ(x) exp(−x²/2), with the probabilists' Hermite Heₙ."""
    hermite = (np.ones_like(x), x, x**2 - 1, x**3 - 3 * x)[order]
    return np.asarray((-1) ** order * hermite * np.exp(-(x**2) / 2))


def beat_times(ibis_ms: FloatArray, first_s: float = 0.0) -> FloatArray:
    """Beat times (s) starting at ``first_s`` and separated by ``ibis_ms``."""
    return np.asarray(first_s + np.concatenate(([0.0], np.cumsum(ibis_ms) / 1000.0)))


def sample_times(hz: float, duration_s: float) -> FloatArray:
    return np.arange(round(duration_s * hz)) / hz
