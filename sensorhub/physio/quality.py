"""Whether a window's signals can carry numbers: the rules that say "poor quality" instead."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from sensorhub.physio.bvp import FloatArray

# Reasons a window is poor, as stored and sent.
MISSING = "missing"
FLAT = "flat"
CLIPPED = "clipped"
MOTION = "motion"
NOISY = "noisy"
TOO_FEW_BEATS = "too_few_beats"
ARTEFACTS = "artefacts"
REASONS = (MISSING, FLAT, CLIPPED, MOTION, NOISY, TOO_FEW_BEATS, ARTEFACTS)

# More than this share of a window's samples absent (gaps in the upload): too little to fill.
MAX_MISSING_SHARE = 0.1
# A stuck sensor repeats its value: more than half the steps of zero size is no pulse.
MAX_ZERO_STEP_SHARE = 0.5
# A healthy pulse touches its window's extremes at a sample or two; a saturated ADC or an
# optical sensor off the skin sits there. Share of samples at the minimum or maximum.
MAX_EXTREME_SHARE = 0.05
# SD of |acc| (g) above which the wrist moves too much for an optical pulse (walking ≈ 0.2 g;
# sitting at a desk < 0.05 g). Judged per beat, over the pulse wave around it (± this span:
# a wave rises about 0.3 of an interval before its peak and decays over 0.6 after it).
MAX_MOTION_SD_G = 0.15
MOTION_SPAN_S = 0.5
# More than half the window's beats under motion: too little pulse left for numbers.
MAX_MOTION_SHARE = 0.5
# The mean correlation of the motion-free beats with the mean beat (the signal-quality index)
# and the share of intervals left in the NN series below which HR/HRV would be guesses.
MIN_SQI = 0.7
MIN_USABLE_SHARE = 0.5
# More than 5 % of the NN series' beats corrected: the numbers rest on interpolation more than
# on the heart (the limit HRV studies commonly exclude recordings at; docs/signals.md).
MAX_CORRECTED_SHARE = 0.05


def missing_share(values: FloatArray) -> float:
    return float(np.mean(~np.isfinite(values))) if len(values) else 1.0


def raw_problem(values: FloatArray) -> str | None:
    """``missing``, ``flat`` or ``clipped`` for a channel's raw samples, else None."""
    if missing_share(values) > MAX_MISSING_SHARE:
        return MISSING
    present = values[np.isfinite(values)]
    steps = np.diff(present)
    if np.ptp(present) == 0 or np.mean(steps == 0) > MAX_ZERO_STEP_SHARE:
        return FLAT
    at_extremes = np.mean((present == present.max()) | (present == present.min()))
    return CLIPPED if at_extremes > MAX_EXTREME_SHARE else None


def fill_gaps(values: FloatArray) -> FloatArray:
    """Missing samples (NaN) linearly interpolated from their neighbours."""
    present = np.isfinite(values)
    if present.all():
        return values
    index = np.arange(len(values))
    return np.interp(index, index[present], values[present])


def beat_correlations(filtered: FloatArray, beat_times_s: FloatArray, hz: float) -> FloatArray:
    """Each beat's Pearson correlation with the window's mean beat (template matching,
    Orphanidou et al. 2015); the segment spans 0.3 of a typical interval before the peak and
    0.6 after it, so it holds one upstroke and one decay at any heart rate."""
    if len(beat_times_s) < 2:
        return np.zeros(len(beat_times_s))
    typical = float(np.median(np.diff(beat_times_s)))
    offsets = np.arange(round(-0.3 * typical * hz), round(0.6 * typical * hz) + 1)
    centres = np.round(beat_times_s * hz).astype(int)
    rows = np.clip(centres[:, None] + offsets[None, :], 0, len(filtered) - 1)
    segments = filtered[rows]
    centred = segments - segments.mean(axis=1, keepdims=True)
    template = centred.mean(axis=0)
    norms = np.linalg.norm(centred, axis=1) * np.linalg.norm(template)
    dots = centred @ template
    return np.asarray(np.where(norms > 0, dots / np.where(norms > 0, norms, 1.0), 0.0))


def beats_under_motion(
    acc: FloatArray | None, acc_hz: float, beat_times_s: FloatArray
) -> npt.NDArray[np.bool_]:
    """Per beat: whether the SD of |acc| over ± ``MOTION_SPAN_S`` around it exceeds
    ``MAX_MOTION_SD_G`` (acc: (n, 3) in g from the window's start; absent samples ignored)."""
    if acc is None or len(acc) == 0:
        return np.zeros(len(beat_times_s), dtype=bool)
    magnitude = np.linalg.norm(acc, axis=1)
    present = np.isfinite(magnitude)
    value = np.where(present, magnitude, 0.0)
    count, total, squares = (
        np.concatenate(([0.0], np.cumsum(x))) for x in (present, value, value**2)
    )
    lo = np.clip(np.round((beat_times_s - MOTION_SPAN_S) * acc_hz).astype(int), 0, len(value))
    hi = np.clip(np.round((beat_times_s + MOTION_SPAN_S) * acc_hz).astype(int) + 1, 0, len(value))
    n = count[hi] - count[lo]
    safe = np.maximum(n, 1.0)
    mean = (total[hi] - total[lo]) / safe
    variance = np.maximum((squares[hi] - squares[lo]) / safe - mean**2, 0.0)
    return np.asarray((n > 1) & (np.sqrt(variance) > MAX_MOTION_SD_G))
