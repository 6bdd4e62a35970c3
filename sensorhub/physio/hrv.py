"""Inter-beat intervals and the time-domain HRV statistics (Task Force 1996 definitions)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sensorhub.physio.bvp import FloatArray

# 30–200 bpm: outside it an interval is a missed or an extra beat, not a heartbeat.
MIN_IBI_MS = 300.0
MAX_IBI_MS = 2000.0
# An interval this far from the window's median is a missed or an extra beat (ectopy or a
# motion peak); real beat-to-beat change stays well inside it (RMSSD is rarely > 100 ms).
MAX_MEDIAN_DEVIATION = 0.3
# pNN50's threshold: successive intervals differing by more than 50 ms.
NN50_MS = 50.0


@dataclass(frozen=True, slots=True)
class Intervals:
    """Intervals between consecutive beats, ms, and which of them are usable."""

    ibi_ms: FloatArray
    usable: np.ndarray  # bool per interval


@dataclass(frozen=True, slots=True)
class HrvStats:
    hr_bpm: float
    mean_ibi_ms: float
    sdnn_ms: float
    rmssd_ms: float
    pnn50: float  # percent
    usable_ibis: int


def intervals(beat_times_s: FloatArray) -> Intervals:
    """Beat-to-beat intervals with the implausible ones marked unusable."""
    ibi = np.diff(beat_times_s) * 1000.0
    plausible = (ibi >= MIN_IBI_MS) & (ibi <= MAX_IBI_MS)
    if not plausible.any():
        return Intervals(ibi, plausible)
    median = float(np.median(ibi[plausible]))
    near_median = np.abs(ibi - median) <= MAX_MEDIAN_DEVIATION * median
    return Intervals(ibi, plausible & near_median)


def hrv_stats(found: Intervals) -> HrvStats | None:
    """HR and HRV from the usable intervals; None with fewer than three of them.

    SDNN is the sample standard deviation (n − 1), as NeuroKit2 and Kubios compute it.
    RMSSD and pNN50 use only differences between two *adjacent* usable intervals, so a
    dropped beat never makes one long false difference.
    """
    usable = found.ibi_ms[found.usable]
    if len(usable) < 3:
        return None
    both = found.usable[:-1] & found.usable[1:]
    successive = np.diff(found.ibi_ms)[both]
    if len(successive) == 0:
        return None
    mean_ibi = float(np.mean(usable))
    return HrvStats(
        hr_bpm=60_000.0 / mean_ibi,
        mean_ibi_ms=mean_ibi,
        sdnn_ms=float(np.std(usable, ddof=1)),
        rmssd_ms=float(np.sqrt(np.mean(successive**2))),
        pnn50=float(100.0 * np.mean(np.abs(successive) > NN50_MS)),
        usable_ibis=len(usable),
    )
