"""Two metrics over sliding windows of a force-time curve, from the onset on (pure NumPy):

- peak RFD: the steepest rise over any ``RFD_WINDOW_MS`` window, (F(j) − F(i)) / (t(j) − t(i))
  with j the first sample at least the window after i; its time is the window's centre, from
  onset. At low rates (``interpolate``) the window is exactly ``RFD_WINDOW_MS`` long on the
  straight lines between samples: at 80 Hz the first sample 20 ms on is 25 ms on. A 20 ms
  window is the usual compromise: short enough to find the steepest part of
  the rise, long enough that 1–2 N of noise over 1 ms steps does not pass for a slope.
- the highest 1-s mean force: the largest mean total force over the samples of any closed
  window [t, t + 1 s] (1001 samples at 1 kHz, as the weighing window), and when it starts.

Times are ms on the module's axis (``imtp``: from the earliest sample); results in seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

RFD_WINDOW_MS = 20.0
BEST_MEAN_WINDOW_MS = 1000.0
#: Clock rounding (seconds×1000 in floats) must not push a sample out of a window.
_TOLERANCE_MS = 1e-3


@dataclass(frozen=True, slots=True)
class PeakRfd:
    """The steepest ``window_ms`` rise after onset; ``time_s`` is the window's centre."""

    rfd_n_per_s: float
    time_s: float
    window_ms: float

    def to_dict(self) -> dict[str, Any]:
        return {"rfd_n_per_s": self.rfd_n_per_s, "time_s": self.time_s, "window_ms": self.window_ms}


@dataclass(frozen=True, slots=True)
class BestMean:
    """The highest mean force over a ``window_ms`` window after onset, starting at ``start_s``."""

    force_n: float
    start_s: float
    window_ms: float

    def to_dict(self) -> dict[str, Any]:
        return {"force_n": self.force_n, "start_s": self.start_s, "window_ms": self.window_ms}


def peak_rfd(
    t_ms: FloatArray,
    force: FloatArray,
    onset: int,
    window_ms: float = RFD_WINDOW_MS,
    *,
    interpolate: bool = False,
) -> PeakRfd | None:
    """Steepest rise over ``window_ms`` from sample ``onset`` on; None if no window fits."""
    t, f = t_ms[onset:], force[onset:]
    if interpolate:
        return _exact_peak_rfd(t, f, window_ms)
    ends = np.searchsorted(t, t + window_ms - _TOLERANCE_MS, side="left")
    fits = ends < t.size
    if not fits.any():
        return None
    starts = np.flatnonzero(fits)
    ends = ends[fits]
    slopes = (f[ends] - f[starts]) / ((t[ends] - t[starts]) / 1000.0)
    best = int(np.argmax(slopes))
    centre_ms = (t[starts[best]] + t[ends[best]]) / 2.0 - t[0]
    return PeakRfd(float(slopes[best]), float(centre_ms) / 1000.0, window_ms)


def _exact_peak_rfd(t: FloatArray, f: FloatArray, window_ms: float) -> PeakRfd | None:
    """The steepest rise over windows of exactly ``window_ms`` on the piecewise-linear curve.
    The rise is piecewise linear in the window's start, so its maximum is where the start or
    the end meets a sample: those starts are all that need checking."""
    last = float(t[-1]) - window_ms
    if last < float(t[0]):
        return None
    starts = np.concatenate((t, t - window_ms))
    starts = np.unique(starts[(starts >= t[0]) & (starts <= last)])
    slopes = (np.interp(starts + window_ms, t, f) - np.interp(starts, t, f)) / (window_ms / 1000.0)
    best = int(np.argmax(slopes))
    centre_ms = float(starts[best]) + window_ms / 2.0 - float(t[0])
    return PeakRfd(float(slopes[best]), centre_ms / 1000.0, window_ms)


def best_mean(
    t_ms: FloatArray, force: FloatArray, onset: int, window_ms: float = BEST_MEAN_WINDOW_MS
) -> BestMean | None:
    """Highest mean over closed windows [t, t + ``window_ms``] from ``onset``; None if the
    recording after onset is shorter than one window."""
    t, f = t_ms[onset:], force[onset:]
    count = int(np.searchsorted(t, t[-1] - window_ms + _TOLERANCE_MS, side="right"))
    if count == 0:
        return None
    starts = np.arange(count)
    stops = np.searchsorted(t, t[:count] + window_ms + _TOLERANCE_MS, side="right")
    # Centred sums keep the differences of cumulative sums accurate.
    offset = float(f.mean())
    sums = np.concatenate(([0.0], np.cumsum(f - offset)))
    means = (sums[stops] - sums[starts]) / (stops - starts) + offset
    best = int(np.argmax(means))
    return BestMean(float(means[best]), float(t[best] - t[0]) / 1000.0, window_ms)


def rolling_mean_sd(
    force: FloatArray, starts: npt.NDArray[np.intp], stops: npt.NDArray[np.intp]
) -> tuple[FloatArray, FloatArray]:
    """Mean and sample SD (ddof=1) of force[start:stop] for every pair, via cumulative sums."""
    # Centring first keeps the sums of squares small, so their differences stay accurate.
    offset = float(force.mean())
    centred = force - offset
    sums = np.concatenate(([0.0], np.cumsum(centred)))
    squares = np.concatenate(([0.0], np.cumsum(centred * centred)))
    n = (stops - starts).astype(np.float64)
    window_sum = sums[stops] - sums[starts]
    window_sq = squares[stops] - squares[starts]
    variance = (window_sq - window_sum * window_sum / n) / np.maximum(n - 1.0, 1.0)
    return window_sum / n + offset, np.sqrt(np.maximum(variance, 0.0))
