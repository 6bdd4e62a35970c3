"""Wearable signals: BVP beats, HR/HRV, quality, sliding windows (plain NumPy + SciPy)."""

from sensorhub.physio.batch import ACC, BVP, CHANNELS, TEMPERATURE, Samples, SignalBatch, samples
from sensorhub.physio.bvp import FloatArray, bandpass, detect_beats, parabolic_offsets
from sensorhub.physio.features import (
    FEATURE_NAMES,
    GOOD,
    POOR,
    Channel,
    WindowFeatures,
    WindowSignals,
    window_features,
)
from sensorhub.physio.hrv import HrvStats, Intervals, hrv_stats, intervals
from sensorhub.physio.windows import DEFAULT_STEP_S, DEFAULT_WINDOW_S, DueWindow, SlidingWindows

__all__ = [
    "ACC",
    "BVP",
    "CHANNELS",
    "Channel",
    "DEFAULT_STEP_S",
    "DEFAULT_WINDOW_S",
    "DueWindow",
    "FEATURE_NAMES",
    "FloatArray",
    "GOOD",
    "HrvStats",
    "Intervals",
    "POOR",
    "Samples",
    "SignalBatch",
    "SlidingWindows",
    "TEMPERATURE",
    "WindowFeatures",
    "WindowSignals",
    "bandpass",
    "detect_beats",
    "hrv_stats",
    "intervals",
    "parabolic_offsets",
    "samples",
    "window_features",
]
