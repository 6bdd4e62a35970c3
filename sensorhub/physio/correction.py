"""Beat classification and correction after Lipponen & Tarvainen 2019 ("A robust algorithm for
heart rate variability time series artefact correction using novel beat classification",
J Med Eng Technol 43(3):173–181), the method of Kubios HRV, systole and NeuroKit2's
``signal_fixpeaks(method="kubios")``.

Each interval is judged against robust, time-varying thresholds: its difference from the
previous one (dRR) and its deviation from the local median (mRR), each divided by a threshold
of α × the quartile deviation of their absolute values over the surrounding 91 beats. A
beat is *ectopic* (an early beat followed by a compensating late one: a short–long pattern in
dRR), *missed* (an interval about twice the median), *extra* (two intervals adding up to one)
or *long/short*. Missed beats are inserted halfway, extra beats removed, ectopic and long/short
beats moved halfway between their neighbours; the classification is repeated on the corrected
series while it keeps finding fewer artefacts (NeuroKit2's ``iterative=True``).

docs/signals.md ("Beat correction") compares this implementation with NeuroKit2's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import sliding_window_view

from sensorhub.physio.bvp import FloatArray

# The constants of Lipponen & Tarvainen 2019 (their Table 1, as NeuroKit2 and systole use).
ALPHA = 5.2  # thresholds are α × the quartile deviation (half the IQR)
THRESHOLD_BEATS = 91  # the thresholds' window, centred on the beat
MEDIAN_BEATS = 11  # the local median interval's window
C1, C2 = 0.13, 0.17  # the ectopic decision boundary in the (dRR, S12) plane
# A correction can uncover another; the paper's iteration ends when the count stops falling.
# Each pass removes at least one artefact, so a window's beats bound it; this only caps cost.
MAX_PASSES = 10

EXTRA, MISSED, ECTOPIC, LONG_SHORT = "extra", "missed", "ectopic", "long_short"
KINDS = (EXTRA, MISSED, ECTOPIC, LONG_SHORT)


@dataclass(frozen=True, slots=True)
class Artefact:
    """The beat at ``index`` (the one ending interval ``index``) is of ``kind``."""

    index: int
    kind: str


@dataclass(frozen=True, slots=True)
class Corrected:
    """The corrected beat times (s), how many beats each kind of correction touched, and per
    beat whether it was inserted or moved (the NN series export marks them)."""

    beats_s: FloatArray
    counts: dict[str, int]
    touched: npt.NDArray[np.bool_]

    @property
    def corrections(self) -> int:
        return sum(self.counts.values())


def classify(beats_s: FloatArray) -> list[Artefact]:
    """The artefacts of a beat series, in order (the flow of Lipponen & Tarvainen's Fig. 1)."""
    rr = np.diff(beats_s, prepend=beats_s[0])
    if len(rr) < 4:
        return []
    rr[0] = np.mean(rr[1:])
    drr = np.diff(rr, prepend=rr[0])
    drr[0] = np.mean(drr[1:])
    drr = _normalised(drr)
    median_rr = rolling_median(rr, MEDIAN_BEATS)
    deviation = rr - median_rr
    deviation[deviation < 0] *= 2  # short intervals weigh double, as in the paper
    th2 = _threshold(deviation)
    mrr = _normalised(deviation, th2)
    s12, s22 = _subspaces(drr)
    found: list[Artefact] = []
    # rr[0] and dRR[0], dRR[1] stand in for intervals before the first beat: no evidence.
    i = 2
    while i < len(rr) - 2:
        kind: str | None = None
        at = _ectopic_pattern(drr, s12, i)
        if at is not None:
            kind = ECTOPIC
        else:
            kind, at = _long_short_kind(i, rr, drr, mrr, s22, median_rr, th2), i
        if kind is None:
            i += 1
            continue
        found.append(Artefact(at, kind))
        i = _next_independent(Artefact(at, kind))
    return found


def _ectopic_pattern(drr: FloatArray, s12: FloatArray, i: int) -> int | None:
    """Where an ectopic pattern is first found, at ``i`` or ``i + 1``, moved on by one when
    the next dRR qualifies too and is larger. An early beat makes dRR −δ, +2δ, −δ: the middle,
    largest one names it, though its first may qualify already. (Alternating beats remain
    ambiguous: early even beats or late odd ones.)"""

    def qualifies(k: int) -> bool:
        return k < len(drr) - 2 and _is_ectopic(drr[k], s12[k])

    at = i if qualifies(i) else i + 1 if qualifies(i + 1) else None
    if at is not None and qualifies(at + 1) and abs(drr[at + 1]) > abs(drr[at]):
        at += 1
    return at


def _next_independent(artefact: Artefact) -> int:
    """The first dRR its correction leaves alone: moving beat k changes dRR k … k + 2,
    removing beat k merges intervals k and k + 1 (dRR k … k + 2), inserting one splits
    interval k (dRR k, k + 1). Those dRR are no evidence of their own."""
    beat = _misplaced_beat(artefact)
    return beat + (2 if artefact.kind == MISSED else 3)


def correct(beats_s: FloatArray) -> Corrected:
    """``beats_s`` corrected until a pass finds no fewer artefacts than the one before."""
    beats = np.asarray(beats_s, dtype=np.float64)
    touched = np.zeros(len(beats), dtype=bool)  # per current beat: inserted or moved
    counts = dict.fromkeys(KINDS, 0)
    found = classify(beats)
    previous = len(found) + 1
    for _ in range(MAX_PASSES):
        if not found or len(found) >= previous:
            break
        beats, touched = _apply(found, beats, touched, counts)
        previous, found = len(found), classify(beats)
    return Corrected(beats, counts, touched)


def _apply(
    found: list[Artefact], beats: FloatArray, touched: np.ndarray, counts: dict[str, int]
) -> tuple[FloatArray, np.ndarray]:
    """Extra beats out, missed beats in, then the others moved between their (corrected)
    neighbours, one after another in time."""
    times, marks = list(beats), list(touched)
    for artefact in sorted(found, key=lambda a: -a.index):  # from the end: indices stay valid
        k = artefact.index
        if artefact.kind == EXTRA and 0 < k < len(times) - 1:
            del times[k], marks[k]
        elif artefact.kind == MISSED and 0 < k < len(times):
            times.insert(k, (times[k - 1] + times[k]) / 2)
            marks.insert(k, True)
        else:
            continue
        counts[artefact.kind] += 1
    shift = _index_shift(found, len(beats))
    for artefact in sorted(found, key=lambda a: a.kind != ECTOPIC):  # ectopic names a beat first
        if artefact.kind not in (ECTOPIC, LONG_SHORT):
            continue
        k = _misplaced_beat(artefact)
        k += shift[k]
        if 0 < k < len(times) - 1:
            times[k] = (times[k - 1] + times[k + 1]) / 2
            counts[artefact.kind] += not marks[k]
            marks[k] = True
    return np.asarray(times), np.asarray(marks, dtype=bool)


def _misplaced_beat(artefact: Artefact) -> int:
    """The beat to move. An ectopic pattern is found at the second interval of the short–long
    (or long–short) pair, so the early (or late) beat is the one *before* it: moving that beat
    mends both intervals. NeuroKit2 moves the beat at the index itself, a sinus beat, which
    is why its RMSSD stays too high after one ectopic beat (docs/signals.md)."""
    return artefact.index - 1 if artefact.kind == ECTOPIC else artefact.index


def _index_shift(found: list[Artefact], n: int) -> np.ndarray:
    """How far each original index moved once extra beats left and missed ones came in."""
    step = np.zeros(n + 1, dtype=int)
    for artefact in found:
        if artefact.kind == EXTRA:
            step[artefact.index + 1 :] -= 1
        elif artefact.kind == MISSED:
            step[artefact.index :] += 1
    return step


def _is_ectopic(drr: float, s12: float) -> bool:
    """The short–long (or long–short) pattern: the paper's equations 1 and 2."""
    # NaN (a threshold of zero: no variation at all) is neither.
    return bool((drr > 1 and s12 < -C1 * drr - C2) or (drr < -1 and s12 > -C1 * drr + C2))


def _long_short_kind(
    j: int,
    rr: FloatArray,
    drr: FloatArray,
    mrr: FloatArray,
    s22: FloatArray,
    median_rr: FloatArray,
    th2: FloatArray,
) -> str | None:
    """Missed, extra, long/short or (None) normal: the paper's equations 3 to 7."""
    if not abs(drr[j]) > 1:
        return None  # the paper's first test: a steady interval is normal
    long = drr[j] > 1 and s22[j] < -1
    short = drr[j] < -1 and s22[j] > 1
    if not (long or short or abs(mrr[j]) > 3):
        return None
    if short and abs(rr[j] + rr[j + 1] - median_rr[j]) < th2[j]:
        return EXTRA
    if long and abs(rr[j] / 2 - median_rr[j]) < th2[j]:
        return MISSED
    return LONG_SHORT


def _subspaces(drr: FloatArray) -> tuple[FloatArray, FloatArray]:
    """S12: the larger (dRR > 0) or smaller neighbour of each dRR; S22: the smaller (dRR ≥ 0)
    or larger of the next two. Edges mirrored, as NeuroKit2 does."""
    padded = np.pad(drr, 2, mode="reflect")
    before, after, after2 = padded[1:-3], padded[3:-1], padded[4:]
    s12 = np.where(
        drr > 0, np.maximum(before, after), np.where(drr < 0, np.minimum(before, after), 0.0)
    )
    s22 = np.where(drr >= 0, np.minimum(after, after2), np.maximum(after, after2))
    return np.asarray(s12), np.asarray(s22)


def _threshold(values: FloatArray) -> FloatArray:
    """α × half the interquartile range of |values| over the surrounding beats."""
    q1, q3 = _rolling_quantiles(np.abs(values), THRESHOLD_BEATS, (0.25, 0.75))
    return np.asarray(ALPHA * (q3 - q1) / 2)


def _normalised(values: FloatArray, threshold: FloatArray | None = None) -> FloatArray:
    """``values`` over their threshold; NaN where the threshold is zero (no variation)."""
    th = _threshold(values) if threshold is None else threshold
    out = np.full(len(values), np.nan)
    np.divide(values, th, out=out, where=th != 0)
    return out


def rolling_median(values: FloatArray, width: int) -> FloatArray:
    """The median of a centred window of ``width`` values, shorter at the edges."""
    return _rolling_quantiles(values, width, (0.5,))[0]


def _rolling_quantiles(
    values: FloatArray, width: int, quantiles: tuple[float, ...]
) -> list[FloatArray]:
    """Quantiles (linear interpolation, as NumPy's and pandas' default) over a centred window
    of ``width`` values, shorter at the edges (pandas' ``rolling(width, center=True,
    min_periods=1)``): each window sorted once, the padding sorted past its end."""
    half = width // 2
    padded = np.pad(np.asarray(values, dtype=np.float64), half, constant_values=np.inf)
    windows = np.sort(sliding_window_view(padded, width), axis=1)
    index = np.arange(len(values))
    count = np.minimum(index + half, len(values) - 1) - np.maximum(index - half, 0) + 1
    rows = np.arange(len(values))
    out = []
    for q in quantiles:
        position = q * (count - 1)
        below = np.floor(position).astype(int)
        above = np.minimum(below + 1, count - 1)
        low, high = windows[rows, below], windows[rows, above]
        out.append(np.asarray(low + (position - below) * (high - low)))
    return out
