"""How far a located beat can be from the true one, derived from the pulse model, the filter
and the sampling rate (docs/signals.md, "Known answers", states the derivation).

The pipeline filters samples ``s(kT)`` with a linear, time-invariant filter: its output is
``g(kT)`` for the continuous ``g = Σ h[m] s(t − mT)``. Filtering the model sampled at a
shifted grid ``kT + φ`` gives ``g(kT + φ)``, so ``FINE`` shifts per sample lay ``g`` and its
derivatives out on a grid ``FINE`` times finer, exactly (the model's derivatives are exact).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import signal

from sensorhub.physio import FloatArray, bandpass
from sensorhub.physio.bvp import BAND_HZ, EDGE_S, FILTER_ORDER
from sensorhub.physio.synth import pulse_wave, sample_times

FINE = 32


# Gaussian noise: the located beat's shift, linear in the noise, is bounded at this many of
# its standard deviations (a 1-in-1.7-million event per beat; the test's noise is seeded).
SIGMAS = 5.0


@dataclass(frozen=True)
class Disturbance:
    """Gaussian noise of SD ``noise`` and a baseline wander ``wander``·sin(2π f t)."""

    noise: float = 0.0
    wander: float = 0.0
    wander_hz: float = 0.1


def fine_filtered(beats: FloatArray, hz: float, duration_s: float, order: int) -> FloatArray:
    """``g`` (or its ``order``-th derivative) at ``FINE`` points per sample."""
    base = sample_times(hz, duration_s)
    rows = [bandpass(pulse_wave(beats, base + p / (hz * FINE), order), hz) for p in range(FINE)]
    return np.stack(rows, axis=1).reshape(-1)


def noise_covariance(hz: float, sd: float) -> FloatArray:
    """Covariance of three adjacent filtered noise samples: σ² Σ h[m] h[m + j]."""
    impulse = np.zeros(4096)
    impulse[2048] = 1.0
    h = bandpass(impulse, hz)
    r = [sd**2 * float(np.dot(h[: len(h) - j], h[j:])) for j in range(3)]
    return np.array([[r[abs(i - j)] for j in range(3)] for i in range(3)])


def wander_gain(hz: float, wander_hz: float) -> float:
    """|H(f)|², the filter's gain at ``wander_hz`` forwards and backwards."""
    sos = signal.butter(FILTER_ORDER, BAND_HZ, btype="band", output="sos", fs=hz)
    _, response = signal.sosfreqz(sos, worN=[wander_hz], fs=hz)
    return float(np.abs(response[0]) ** 2)


def beat_error_bound(
    beats: FloatArray, hz: float, duration_s: float, disturbance: Disturbance = Disturbance()
) -> float:
    """The largest error (s) of any located beat inside the analysed span, up to one shift
    common to all beats (it cancels in every interval): half the spread of (peak of g − beat)
    + the parabolic interpolation error + the shift noise and wander can cause.

    The vertex sits ``T·N/(2D)`` from the middle sample, N = y₋ − y₊, D = y₋ − 2y₀ + y₊.
    Wander, filtered, is ``w`` with |w′| ≤ 2πf·W·|H|² and |w″| ≤ (2πf)²·W·|H|²: across three
    samples its slope changes N by ≤ 2|w′|T and its curvature D by ≤ |w″|T². Noise moves the
    vertex by ``T(n·D − N·d)/(2D²)`` to first order (n, d: the noise's N and D), a Gaussian
    whose variance follows from the filtered noise's covariance.
    """
    T = 1.0 / hz
    g, g2, g3 = (fine_filtered(beats, hz, duration_s, order) for order in (0, 2, 3))
    covariance = noise_covariance(hz, disturbance.noise)
    w = 2 * np.pi * disturbance.wander_hz
    gain = disturbance.wander * wander_gain(hz, disturbance.wander_hz)
    slope_n, curvature_d = 2 * w * gain * T, w**2 * gain * T**2
    step = T / FINE
    biases: list[float] = []
    worst = 0.0
    for beat in beats[(beats >= EDGE_S) & (beats <= duration_s - EDGE_S)]:
        lo, hi = round((beat - 0.15) / step), round((beat + 0.15) / step)
        k = lo + int(np.argmax(g[lo:hi]))
        biases.append(k * step - beat)
        interpolation = T**2 * abs(g3[k]) / (6 * abs(g2[k]))
        # With noise the highest sample may be either neighbour: every middle within T.
        centres = np.arange(k - FINE, k + FINE + 1)
        n = g[centres - FINE] - g[centres + FINE]
        d = np.abs(g[centres - FINE] - 2 * g[centres] + g[centres + FINE])
        assert np.all(d > 2 * curvature_d), "the wander could flatten a peak: no bound"
        vertex = T * np.abs(n) / (2 * d)
        wandered = T * (np.abs(n) + slope_n) / (2 * (d - curvature_d)) - vertex
        a = np.stack([d + n, -2 * n, n - d], axis=1) * T / (2 * d[:, None] ** 2)
        noise_sd = np.sqrt(np.einsum("ci,ij,cj->c", a, covariance, a))
        shift = float(np.max(wandered + SIGMAS * noise_sd))
        worst = max(worst, interpolation + shift)
    # The fine grid finds g's peak to within half its step.
    return (max(biases) - min(biases)) / 2 + step / 2 + worst
