"""The NN series (normal-to-normal intervals: beats corrected after Lipponen & Tarvainen 2019,
untrusted beats left out) and the time-domain HRV statistics (Task Force 1996 definitions)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from sensorhub.physio.bvp import FloatArray
from sensorhub.physio.correction import MEDIAN_BEATS, correct, rolling_median

# pNN50's threshold: successive intervals differing by more than 50 ms.
NN50_MS = 50.0
# A run of trusted beats shorter than this is too short to classify (the classification
# needs intervals on both sides of a beat) and is left out.
MIN_RUN_BEATS = 5
# After correction, an NN interval this far from its local median is an artefact the
# correction missed: the classification's thresholds come from the quartiles of the beats
# around, so when more than about a quarter of them are disturbed they rise with the
# artefacts (the method's breakdown point) and correct nothing. Such intervals count as
# corrections, so the window is rated poor instead of carrying RMSSD 200 ms.
MAX_LOCAL_DEVIATION = 0.3


@dataclass(frozen=True, slots=True)
class NnSeries:
    """The corrected beat times (s) per run of trusted beats (a left-out beat ends a run: no
    interval spans it), and how many beats were corrected."""

    beat_runs: list[FloatArray]
    corrected: int
    # Per run, per beat: inserted or moved by the correction.
    touched_runs: list[npt.NDArray[np.bool_]] = field(default_factory=list)

    @property
    def runs(self) -> list[FloatArray]:
        """NN intervals (ms) per run."""
        return [np.diff(r) * 1000.0 for r in self.beat_runs]

    @property
    def beats(self) -> int:
        return sum(len(r) for r in self.beat_runs)

    def intervals(self) -> FloatArray:
        return np.concatenate(self.runs) if self.runs else np.empty(0)

    def successive(self) -> FloatArray:
        """Differences of *adjacent* NN intervals, never across a left-out stretch."""
        return np.concatenate([np.diff(r) for r in self.runs]) if self.runs else np.empty(0)

    def corrected_share(self) -> float:
        return self.corrected / self.beats if self.beats else 0.0


@dataclass(frozen=True, slots=True)
class HrvStats:
    hr_bpm: float
    mean_ibi_ms: float
    sdnn_ms: float
    rmssd_ms: float
    pnn50: float  # percent
    usable_ibis: int


def nn_series(beat_times_s: FloatArray, trusted: np.ndarray) -> NnSeries:
    """Split the beats at untrusted ones (motion, a misshapen pulse), correct each run."""
    runs: list[FloatArray] = []
    touched: list[npt.NDArray[np.bool_]] = []
    corrected = 0
    for run in _runs(beat_times_s, trusted):
        fixed = correct(run)
        runs.append(fixed.beats_s)
        touched.append(fixed.touched)
        corrected += fixed.corrections + _uncorrected(np.diff(fixed.beats_s) * 1000.0)
    return NnSeries(runs, corrected, touched)


def _uncorrected(intervals: FloatArray) -> int:
    local = rolling_median(intervals, MEDIAN_BEATS)
    return int(np.count_nonzero(np.abs(intervals - local) > MAX_LOCAL_DEVIATION * local))


def _runs(beat_times_s: FloatArray, trusted: np.ndarray) -> list[FloatArray]:
    edges = np.flatnonzero(np.diff(np.concatenate(([0], trusted.astype(int), [0]))))
    starts, ends = edges[::2], edges[1::2]
    return [beat_times_s[a:b] for a, b in zip(starts, ends, strict=True) if b - a >= MIN_RUN_BEATS]


def hrv_stats(nn: NnSeries) -> HrvStats | None:
    """HR and HRV from the NN series; None with fewer than three intervals.

    HR is 60 000 / the mean NN interval: every interval of the analysed runs counts, so a
    trend is followed, not biased by the intervals a rule dropped. SDNN is the sample standard
    deviation (n − 1), as NeuroKit2 and Kubios compute it.
    """
    intervals = nn.intervals()
    successive = nn.successive()
    if len(intervals) < 3 or len(successive) == 0:
        return None
    mean_ibi = float(np.mean(intervals))
    return HrvStats(
        hr_bpm=60_000.0 / mean_ibi,
        mean_ibi_ms=mean_ibi,
        sdnn_ms=float(np.std(intervals, ddof=1)),
        rmssd_ms=float(np.sqrt(np.mean(successive**2))),
        # The Task Force's definition (as NeuroKit2): NN50 over the number of NN intervals.
        pnn50=float(100.0 * np.count_nonzero(np.abs(successive) > NN50_MS) / len(intervals)),
        usable_ibis=len(intervals),
    )
