"""A window's features: heart rate and HRV from the pulse, temperature level and trend,
movement; or "poor" with the reason when the pulse cannot carry numbers."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from sensorhub.physio import quality
from sensorhub.physio.bvp import FloatArray, bandpass, detect_beats, min_samples
from sensorhub.physio.hrv import HrvStats, Intervals, hrv_stats, intervals

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
    usable_beats: float | None = None  # share of intervals usable, 0–1
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
    movement = _movement(window.acc)
    context = {**_temperature(window.temperature), **movement}
    pulse = _pulse(window.bvp)
    if isinstance(pulse, str):
        return WindowFeatures(POOR, pulse, **context)
    beats, sqi, usable_share, stats = pulse
    common: dict[str, Any] = {"beats": beats, "sqi": sqi, "usable_beats": usable_share, **context}
    if (movement.get("acc_sd") or 0.0) > quality.MAX_MOTION_SD_G:
        return WindowFeatures(POOR, quality.MOTION, **common)
    if stats is None:
        return WindowFeatures(POOR, quality.TOO_FEW_BEATS, **common)
    if sqi < quality.MIN_SQI or usable_share < quality.MIN_USABLE_SHARE:
        return WindowFeatures(POOR, quality.NOISY, **common)
    return WindowFeatures(
        GOOD,
        hr_bpm=stats.hr_bpm,
        mean_ibi_ms=stats.mean_ibi_ms,
        sdnn_ms=stats.sdnn_ms,
        rmssd_ms=stats.rmssd_ms,
        pnn50=stats.pnn50,
        **common,
    )


def _pulse(bvp: Channel | None) -> str | tuple[int, float, float, HrvStats | None]:
    """A reason the pulse is poor, or (beats, SQI, usable share, stats)."""
    if bvp is None or len(bvp.values) < min_samples(bvp.hz):
        return quality.MISSING
    problem = quality.raw_problem(bvp.values)
    if problem is not None:
        return problem
    filtered = bandpass(quality.fill_gaps(bvp.values), bvp.hz)
    beat_times = detect_beats(filtered, bvp.hz)
    if len(beat_times) < 4:
        return quality.TOO_FEW_BEATS
    correlations = quality.beat_correlations(filtered, beat_times, bvp.hz)
    good_beats = correlations >= quality.MIN_BEAT_CORRELATION
    found = intervals(beat_times)
    usable = Intervals(found.ibi_ms, found.usable & good_beats[:-1] & good_beats[1:])
    share = float(np.mean(usable.usable))
    sqi = float(np.clip(np.mean(correlations), 0.0, 1.0))
    return len(beat_times), sqi, share, hrv_stats(usable)


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
