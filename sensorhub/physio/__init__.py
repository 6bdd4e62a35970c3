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
    window_analysis,
    window_features,
)
from sensorhub.physio.hrv import HrvStats, NnSeries, hrv_stats, nn_series
from sensorhub.physio.standard import BLOCK_S, StandardHrv, standard_hrv
from sensorhub.physio.windows import DEFAULT_STEP_S, DEFAULT_WINDOW_S, DueWindow, SlidingWindows

__all__ = [
    "ACC",
    "BLOCK_S",
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
    "NnSeries",
    "POOR",
    "Samples",
    "SignalBatch",
    "SlidingWindows",
    "StandardHrv",
    "TEMPERATURE",
    "WindowFeatures",
    "WindowSignals",
    "bandpass",
    "detect_beats",
    "hrv_stats",
    "nn_series",
    "parabolic_offsets",
    "samples",
    "standard_hrv",
    "window_analysis",
    "window_features",
]
