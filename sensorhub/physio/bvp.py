"""Blood volume pulse: zero-phase band-pass filtering and beat detection to better than one
sample (a parabola through the highest sample and its neighbours)."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from sensorhub.lazy import lazy_module

signal = lazy_module("scipy.signal")  # loaded by the first window, not at start-up

FloatArray = npt.NDArray[np.float64]

# Elgendi et al. 2013, as NeuroKit2's ppg_clean: 0.5 Hz removes breathing and baseline
# wander, 8 Hz keeps the systolic upstroke; order 2, run forwards and backwards (zero phase),
# so a beat is not shifted in time.
BAND_HZ = (0.5, 8.0)
FILTER_ORDER = 2
# 200 bpm: no beat follows the last one sooner. Also keeps the dicrotic wave (≈0.25 s after
# the systolic peak) from counting as a beat of its own.
MIN_BEAT_GAP_S = 0.3
# A beat stands out of its neighbourhood by at least this share of the window's robust pulse
# amplitude (5th to 95th percentile); the dicrotic wave and noise stay below it.
MIN_PROMINENCE_SHARE = 0.3
# Beats this close to a window's edge are left out: the filter's start-up transient (the
# 0.5 Hz high-pass settles within about one period) would move them.
EDGE_S = 1.0


def bandpass(values: FloatArray, hz: float) -> FloatArray:
    """The pulse band of ``values`` sampled at ``hz`` (zero phase)."""
    return np.asarray(signal.sosfiltfilt(_sos(hz), values), dtype=np.float64)


def min_samples(hz: float) -> int:
    """The fewest samples ``bandpass`` accepts (its edge padding needs them)."""
    sections = int(_sos(hz).shape[0])
    return 3 * (2 * sections + 1) + 1


def _sos(hz: float) -> FloatArray:
    high = min(BAND_HZ[1], 0.45 * hz)  # below Nyquist for slow sensors
    return np.asarray(
        signal.butter(FILTER_ORDER, (BAND_HZ[0], high), btype="band", output="sos", fs=hz),
        dtype=np.float64,
    )


def detect_beats(filtered: FloatArray, hz: float) -> FloatArray:
    """Times (s from the first sample) of the systolic peaks of a band-passed pulse."""
    low, high = np.percentile(filtered, [5, 95])
    prominence = MIN_PROMINENCE_SHARE * float(high - low)
    if prominence <= 0:
        return np.empty(0)
    distance = max(1, math.ceil(MIN_BEAT_GAP_S * hz))
    peaks, _ = signal.find_peaks(filtered, distance=distance, prominence=prominence)
    times = (peaks + parabolic_offsets(filtered, peaks)) / hz
    edge = EDGE_S
    duration = (len(filtered) - 1) / hz
    return np.asarray(times[(times >= edge) & (times <= duration - edge)], dtype=np.float64)


def parabolic_offsets(values: FloatArray, peaks: npt.NDArray[np.intp]) -> FloatArray:
    """Where, in samples from each peak index, the parabola through the peak sample and its two
    neighbours has its vertex: within ±0.5 for a true local maximum."""
    inner = peaks[(peaks > 0) & (peaks < len(values) - 1)]
    before, at, after = values[inner - 1], values[inner], values[inner + 1]
    curvature = before - 2 * at + after
    offsets = np.zeros(len(peaks))
    safe = np.where(curvature < 0, curvature, -1.0)  # a flat top keeps the sample itself
    inner_offsets = np.where(curvature < 0, 0.5 * (before - after) / safe, 0.0)
    offsets[(peaks > 0) & (peaks < len(values) - 1)] = inner_offsets
    return offsets
