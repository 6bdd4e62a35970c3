"""A window's features: heart rate and HRV from the pulse, temperature level and trend,
movement; or "poor" with the reason when the pulse cannot carry numbers."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from sensorhub.physio import quality
from sensorhub.physio.bvp import FloatArray, bandpass, detect_beats, min_samples
from sensorhub.physio.hrv import HrvStats, NnSeries, hrv_stats, nn_series

GOOD = "good"
POOR = "poor"
# The model-ready features, in the order a window model takes them.
FEATURE_NAMES = (
    "hr_bpm", "mean_ibi_ms", "sdnn_ms", "rmssd_ms", "pnn50",
    "temp_mean", "temp_slope", "acc_mean", "acc_sd", "acc_energy",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Channel:
    """One channel over a window: samples on a regular grid at ``hz`` (NaN where missing);
    acceleration has three columns (x, y, z)."""

    hz: float
    values: FloatArray


@dataclass(frozen=True, slots=True)
class WindowSignals:
    bvp: Channel | None = None
    temperature: Channel | None = None
    acc: Channel | None = None


@dataclass(frozen=True, slots=True)
class WindowFeatures:
    """``quality`` is ``good`` or ``poor`` (then ``reason`` says why and the pulse features are
    None). Temperature and movement are given whenever their channel has enough samples."""

    quality: str
    reason: str | None = None
    beats: int = 0
    sqi: float | None = None
    usable_beats: float | None = None  # share of the found intervals in the NN series, 0–1
    corrected_beats: float | None = None  # share of the NN series' beats corrected, 0–1
    motion_beats: float | None = None  # share of the found beats left out for motion, 0–1
    hr_bpm: float | None = None
    mean_ibi_ms: float | None = None
    sdnn_ms: float | None = None
    rmssd_ms: float | None = None
    pnn50: float | None = None
    temp_mean: float | None = None  # °C
    temp_slope: float | None = None  # °C per minute
    acc_mean: float | None = None  # g
    acc_sd: float | None = None  # g
    acc_energy: float | None = None  # mean of |acc|², g²

    def as_dict(self) -> dict[str, float | int | str | None]:
        return asdict(self)

    def vector(self) -> list[float] | None:
        """``FEATURE_NAMES`` in order, or None when one is missing (a poor window)."""
        values = [getattr(self, name) for name in FEATURE_NAMES]
        return None if any(v is None for v in values) else [float(v) for v in values]


def window_features(window: WindowSignals) -> WindowFeatures:
    return window_analysis(window)[0]


def window_analysis(window: WindowSignals) -> tuple[WindowFeatures, NnSeries | None]:
    """The window's features and the NN series they rest on (None without beats)."""
    context = {**_temperature(window.temperature), **_movement(window.acc)}
    pulse = _pulse(window.bvp, window.acc)
    if isinstance(pulse, str):
        return WindowFeatures(POOR, pulse, **context), None
    common: dict[str, Any] = {
        "beats": pulse.beats,
        "sqi": pulse.sqi,
        "usable_beats": pulse.usable_share,
        "corrected_beats": pulse.corrected_share,
        "motion_beats": pulse.motion_share,
        **context,
    }
    reason = _poor_reason(pulse)
    if reason is not None or pulse.stats is None:
        return WindowFeatures(POOR, reason or quality.TOO_FEW_BEATS, **common), pulse.nn
    stats = pulse.stats
    features = WindowFeatures(
        GOOD,
        hr_bpm=stats.hr_bpm,
        mean_ibi_ms=stats.mean_ibi_ms,
        sdnn_ms=stats.sdnn_ms,
        rmssd_ms=stats.rmssd_ms,
        pnn50=stats.pnn50,
        **common,
    )
    return features, pulse.nn


@dataclass(frozen=True, slots=True)
class _Pulse:
    beats: int
    sqi: float
    usable_share: float
    corrected_share: float
    motion_share: float
    stats: HrvStats | None
    nn: NnSeries


def _poor_reason(pulse: _Pulse) -> str | None:
    """The rules of docs/signals.md ("Quality"), in order."""
    if pulse.motion_share > quality.MAX_MOTION_SHARE:
        return quality.MOTION
    if pulse.stats is None:
        return quality.TOO_FEW_BEATS
    if pulse.sqi < quality.MIN_SQI or pulse.usable_share < quality.MIN_USABLE_SHARE:
        return quality.NOISY
    if pulse.corrected_share > quality.MAX_CORRECTED_SHARE:
        return quality.ARTEFACTS
    return None


def _pulse(bvp: Channel | None, acc: Channel | None) -> str | _Pulse:
    """A reason the pulse is poor, or its beats: beats under motion left out, the rest
    corrected into the NN series (docs/signals.md, "Beats" and "Beat correction")."""
    if bvp is None or len(bvp.values) < min_samples(bvp.hz):
        return quality.MISSING
    problem = quality.raw_problem(bvp.values)
    if problem is not None:
        return problem
    filtered = bandpass(quality.fill_gaps(bvp.values), bvp.hz)
    beat_times = detect_beats(filtered, bvp.hz)
    if len(beat_times) < 4:
        return quality.TOO_FEW_BEATS
    moving = quality.beats_under_motion(
        None if acc is None else acc.values, acc.hz if acc else 1.0, beat_times
    )
    # Shape judges the window (SQI), not single beats: the pulse before an early beat is
    # misshapen by it, and dropping it would turn one ectopic beat into a gap.
    correlations = quality.beat_correlations(filtered, beat_times, bvp.hz)
    nn = nn_series(beat_times, ~moving)
    still = correlations[~moving]
    return _Pulse(
        beats=len(beat_times),
        sqi=float(np.clip(np.mean(still), 0.0, 1.0)) if len(still) else 0.0,
        usable_share=min(1.0, len(nn.intervals()) / (len(beat_times) - 1)),
        corrected_share=nn.corrected_share(),
        motion_share=float(np.mean(moving)),
        stats=hrv_stats(nn),
        nn=nn,
    )


def _temperature(channel: Channel | None) -> dict[str, Any]:
    if channel is None or quality.missing_share(channel.values) > quality.MAX_MISSING_SHARE:
        return {}
    present = np.isfinite(channel.values)
    minutes = np.arange(len(channel.values))[present] / channel.hz / 60.0
    values = channel.values[present]
    slope = float(np.polyfit(minutes, values, 1)[0]) if len(values) > 1 else 0.0
    return {"temp_mean": float(np.mean(values)), "temp_slope": slope}


def _movement(channel: Channel | None) -> dict[str, Any]:
    if channel is None:
        return {}
    magnitude = np.linalg.norm(channel.values, axis=1)
    magnitude = magnitude[np.isfinite(magnitude)]
    if len(magnitude) == 0 or 1 - len(magnitude) / len(channel.values) > quality.MAX_MISSING_SHARE:
        return {}
    return {
        "acc_mean": float(np.mean(magnitude)),
        "acc_sd": float(np.std(magnitude)),
        "acc_energy": float(np.mean(magnitude**2)),
    }
