"""Isometric mid-thigh pull (IMTP) analysis of one force-time recording, in pure NumPy.

The definitions are DESIGN.md §6. In short: body weight is the mean total force over a 1 s quiet
window, the onset is where the pull starts, and every metric is measured from the onset sample.
There is no filtering.

Time axis. Samples carry the device clock in milliseconds (``t_ms``), which rarely starts at 0.
Every time this module takes or returns in seconds (``weigh_start_s``, ``onset_time_s``,
``Onset.time_s`` …) is measured from the earliest sample: ``(t_ms - t_ms.min()) / 1000``. That is
the axis a chart of the recording shows, and for files that start at 0 s (the reference
fixtures) it is the file's own time column. ``ImtpResult.start_t_ms`` maps it back to the clock.

Sample indices (``Onset.index``, ``Peak.index``) count samples in time order; they equal input
positions unless the ``non_monotonic_time`` flag says the input had to be sorted.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Literal, get_args

import numpy as np
import numpy.typing as npt

from sensorhub.errors import ValidationError
from sensorhub.loadcell.asymmetry import Asymmetry, Side, asymmetry
from sensorhub.loadcell.windows import BestMean, PeakRfd, best_mean, peak_rfd, rolling_mean_sd

if TYPE_CHECKING:
    from sensorhub.loadcell.forcefile import ForceRecording

FloatArray = npt.NDArray[np.float64]
OnsetMethod = Literal["sd", "fixed", "bw_pct", "manual"]
#: What forces are measured against: body weight (a plate under the athlete) or the resting
#: baseline (a load cell in series with the bar, which measures the pull alone).
Reference = Literal["body_weight", "baseline"]

#: Time points after onset (ms) for net force, RFD and impulse.
WINDOWS_MS: tuple[int, ...] = (50, 100, 150, 200, 250)
#: Standard gravity as the reference tools use it (mass = weight / 9.81).
GRAVITY = 9.81
#: DESIGN.md §6: a dip of more than 50 N below body weight before the peak is a countermovement.
COUNTERMOVEMENT_N = 50.0
#: Weighing SD above which the weighing is flagged unsteady. At 10 N the default ±5 SD onset band
#: is ±50 N wide, as coarse as the common fixed 50 N threshold, so the SD method has lost its edge
#: and onset (hence RFD and impulse) will be late. A still athlete on a plate reads 1–5 N.
UNSTEADY_SD_N = 10.0
#: Rates under this make the 50 ms time points coarse (DESIGN.md §6).
MIN_RATE_HZ = 1000.0
#: Clock rounding (a 1 kHz file written in seconds gives dt of 0.99999… ms) must not flag a rate.
RATE_TOLERANCE = 0.005
#: A step in t longer than this many median intervals is a gap (at least one lost sample).
GAP_FACTOR = 2.0
#: Automatic weighing ignores windows whose mean is under this fraction of the peak: an empty
#: plate before the athlete steps on is steady but is not body weight. IMTP peaks are 1.2–5×
#: body weight, so real weighing windows sit far above 5 %; a tared empty plate far below.
ON_PLATE_FRACTION = 0.05
#: A weighing window needs this many samples for a meaningful mean and SD (10 Hz over 1 s).
MIN_WINDOW_SAMPLES = 10
#: The ±k·SD band never shrinks below this, so rounding on noise-free data is not an onset.
ONSET_BAND_FLOOR_N = 1e-6
#: Times that differ by less than this (1 µs) are equal: seconds×1000 is rarely exact in floats.
TIME_TOLERANCE_MS = 1e-3
#: Comfort et al. 2019 (IMTP standardisation): weigh the athlete still in position *before*
#: pre-tension. A steady window more than this above an earlier steady one is pre-tension:
#: 20 N is the smallest fixed onset threshold in use, so such a rise would count as a pull.
PRETENSION_MIN_N = 20.0
#: The stored body mass cross-checks the weighing: a mismatch beyond 5 % is flagged. Body mass
#: varies about 1 % from day to day (hydration, food; Cheuvront et al. 2004, Int J Sport Nutr
#: Exerc Metab 14:532–540), so 5 % is outside a week's variation and the plate's calibration
#: error, yet catches a 40 N pre-tension on an 80 kg athlete.
BODY_MASS_TOLERANCE = 0.05
#: A series load cell's recording whose largest excursion from its resting level goes down by
#: more than this is inverted (wired or mounted the other way): 50 N is the usual fixed onset
#: threshold, so a smaller dip is no pull at all.
INVERTED_MIN_N = 50.0


class FlagCode(StrEnum):
    """Why a result deserves a second look; the reason text on `Flag` gives the numbers."""

    COUNTERMOVEMENT = "countermovement"
    UNSTEADY_WEIGHING = "unsteady_weighing"
    LOW_SAMPLE_RATE = "low_sample_rate"
    GAPS = "gaps"
    NON_MONOTONIC_TIME = "non_monotonic_time"
    NO_PULL = "no_pull"
    NO_BODY_WEIGHT = "no_body_weight"
    PRETENSION_IN_WEIGHING = "pretension_in_weighing"
    BODY_WEIGHT_MISMATCH = "body_weight_mismatch"
    INVERTED = "inverted"


@dataclass(frozen=True, slots=True)
class Flag:
    """One quality warning: a stable code and a sentence for people."""

    code: FlagCode
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code.value, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class AnalysisParams:
    """How to weigh and where the pull starts; all times in seconds from the earliest sample.

    ``weigh_start_s=None`` finds the steadiest window before the pull. ``onset_method`` is
    ``"sd"`` (total force leaves weight ± ``sd_multiplier``·SD; Dos'Santos et al. 2017),
    ``"fixed"`` (total force exceeds weight + ``threshold_n``; 50 N is the usual fixed
    threshold; 20, 40 and 75 N are also in use), ``"bw_pct"`` (total force exceeds weight by
    ``body_weight_pct`` % of it, e.g. 2.5 or 5) or ``"manual"`` (the sample nearest
    ``onset_time_s``).
    """

    weigh_start_s: float | None = None
    weigh_duration_s: float = 1.0
    onset_method: OnsetMethod = "sd"
    sd_multiplier: float = 5.0
    threshold_n: float = 50.0
    onset_time_s: float | None = None
    body_weight_pct: float = 5.0
    reference: Reference = "body_weight"

    def __post_init__(self) -> None:
        if self.onset_method not in get_args(OnsetMethod):
            raise ValidationError(
                f"onset_method must be one of {', '.join(get_args(OnsetMethod))}, "
                f"not {self.onset_method!r}"
            )
        if self.onset_method == "manual" and self.onset_time_s is None:
            raise ValidationError("onset_method 'manual' needs onset_time_s")
        if self.onset_method != "manual" and self.onset_time_s is not None:
            raise ValidationError("onset_time_s is only used with onset_method 'manual'")
        if self.reference not in get_args(Reference):
            raise ValidationError(
                f"reference must be body_weight or baseline, not {self.reference!r}"
            )
        if self.reference == "baseline" and self.onset_method == "bw_pct":
            raise ValidationError(
                "onset_method 'bw_pct' needs body weight; this recording has none (baseline)"
            )
        _require_positive("weigh_duration_s", self.weigh_duration_s)
        _require_positive("sd_multiplier", self.sd_multiplier)
        _require_positive("threshold_n", self.threshold_n)
        _require_positive("body_weight_pct", self.body_weight_pct)
        _require_time("weigh_start_s", self.weigh_start_s)
        _require_time("onset_time_s", self.onset_time_s)

    def to_dict(self) -> dict[str, Any]:
        return {
            "weigh_start_s": self.weigh_start_s,
            "weigh_duration_s": self.weigh_duration_s,
            "onset_method": self.onset_method,
            "sd_multiplier": self.sd_multiplier,
            "threshold_n": self.threshold_n,
            "onset_time_s": self.onset_time_s,
            "body_weight_pct": self.body_weight_pct,
            "reference": self.reference,
        }


def describe_method(params: AnalysisParams) -> str:
    """The onset method with its parameter, as people write it: ``5 SD``, ``fixed 50 N``."""
    return method_label(params.to_dict())


def method_label(params: dict[str, Any]) -> str:
    """``describe_method`` for stored params (the ``params`` of an analysis record)."""
    if params.get("test_type", "imtp") != "imtp":  # a jump test (docs/jumps.md)
        return f"{params['test_type']} analysis"
    method = params.get("onset_method", "sd")
    label = "manual"
    if method == "sd":
        label = f"{params.get('sd_multiplier', 5.0):g} SD"
    elif method == "fixed":
        label = f"fixed {params.get('threshold_n', 50.0):g} N"
    elif method == "bw_pct":
        label = f"{params.get('body_weight_pct', 5.0):g} % body weight"
    return label + (" from the resting baseline" if params.get("reference") == "baseline" else "")


def method_key(params: dict[str, Any]) -> str:
    """A short stable key of the onset method and its parameter: ``sd:5``, ``fixed:50``,
    ``bw_pct:2.5``, ``manual``; a jump test's type. Analyses with one key are comparable in a
    trend."""
    if params.get("test_type", "imtp") != "imtp":
        return str(params["test_type"])
    method = params.get("onset_method", "sd")
    parameter = {"sd": "sd_multiplier", "fixed": "threshold_n", "bw_pct": "body_weight_pct"}
    against = "@baseline" if params.get("reference") == "baseline" else ""
    if method not in parameter:
        return "manual" + against
    defaults = AnalysisParams()
    value = params.get(parameter[method], getattr(defaults, parameter[method]))
    return f"{method}:{float(value):g}{against}"


@dataclass(frozen=True, slots=True)
class Weighing:
    """The quiet window body weight came from (times of its first and last sample)."""

    start_s: float
    end_s: float
    sample_count: int
    automatic: bool
    body_weight_n: float  # with reference "baseline": the resting baseline, not body weight
    sd_n: float
    mass_kg: float | None  # with reference "baseline": the stored body mass, or None
    mass_source: Literal["weighing", "stored"] | None = "weighing"

    def to_dict(self) -> dict[str, Any]:
        return {
            "start_s": self.start_s,
            "end_s": self.end_s,
            "sample_count": self.sample_count,
            "automatic": self.automatic,
            "body_weight_n": self.body_weight_n,
            "sd_n": self.sd_n,
            "mass_kg": self.mass_kg,
            "mass_source": self.mass_source,
        }


@dataclass(frozen=True, slots=True)
class Onset:
    """The sample where the pull starts."""

    method: OnsetMethod
    index: int  # the first sample of the pull
    time_s: float
    force_n: float
    #: At low rates the onset is where force crosses the threshold, interpolated between the
    #: sample before and ``index``; time_s and force_n are that point's.
    interpolated: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "index": self.index,
            "time_s": self.time_s,
            "force_n": self.force_n,
            "interpolated": self.interpolated,
        }


@dataclass(frozen=True, slots=True)
class Peak:
    """Peak metrics from onset on; the side fields are None for total-only recordings.

    ``left_n``/``right_n`` are each side's own maximum, ``left_at_peak_n``/``right_at_peak_n``
    the sides at the total-force peak, and ``asymmetry_pct`` = |L − R| / max(L, R) × 100 there
    (`asymmetry`), signed + when the right side is stronger; ``stronger_side`` names it.
    """

    index: int
    time_s: float
    force_n: float
    net_force_n: float
    relative_force_n_per_kg: float | None
    time_to_peak_s: float
    impulse_n_s: float
    left_n: float | None
    right_n: float | None
    left_at_peak_n: float | None
    right_at_peak_n: float | None
    asymmetry_pct: float | None
    stronger_side: Side | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "time_s": self.time_s,
            "force_n": self.force_n,
            "net_force_n": self.net_force_n,
            "relative_force_n_per_kg": self.relative_force_n_per_kg,
            "time_to_peak_s": self.time_to_peak_s,
            "impulse_n_s": self.impulse_n_s,
            "left_n": self.left_n,
            "right_n": self.right_n,
            "left_at_peak_n": self.left_at_peak_n,
            "right_at_peak_n": self.right_at_peak_n,
            "asymmetry_pct": self.asymmetry_pct,
            "stronger_side": self.stronger_side,
        }


@dataclass(frozen=True, slots=True)
class WindowMetrics:
    """Metrics at the sample nearest ``window_ms`` after onset; None past the recording's end.

    RFD is (F(t) − F(onset)) / t and impulse the trapezoid integral of net force, both taken
    over the actual time between the onset sample and that sample (equal to ``window_ms`` when
    the clock is regular).
    """

    window_ms: int
    net_force_n: float | None
    rfd_n_per_s: float | None
    impulse_n_s: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "window_ms": self.window_ms,
            "net_force_n": self.net_force_n,
            "rfd_n_per_s": self.rfd_n_per_s,
            "impulse_n_s": self.impulse_n_s,
        }


@dataclass(frozen=True, slots=True)
class ImtpResult:
    """Everything one analysis found; ``to_dict()`` is JSON-ready (no NaN: missing is None)."""

    params: AnalysisParams
    sample_count: int
    sample_rate_hz: float
    duration_s: float
    start_t_ms: float
    weighing: Weighing
    onset: Onset | None
    peak: Peak | None
    windows: tuple[WindowMetrics, ...]
    flags: tuple[Flag, ...]
    peak_rfd: PeakRfd | None = None
    best_1s: BestMean | None = None

    def has_flag(self, code: FlagCode) -> bool:
        return any(flag.code == code for flag in self.flags)

    def window(self, window_ms: int) -> WindowMetrics:
        for metrics in self.windows:
            if metrics.window_ms == window_ms:
                return metrics
        raise KeyError(f"no {window_ms} ms window; windows are {WINDOWS_MS}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "params": self.params.to_dict(),
            "sample_count": self.sample_count,
            "sample_rate_hz": self.sample_rate_hz,
            "duration_s": self.duration_s,
            "start_t_ms": self.start_t_ms,
            "weighing": self.weighing.to_dict(),
            "onset": None if self.onset is None else self.onset.to_dict(),
            "peak": None if self.peak is None else self.peak.to_dict(),
            "windows": [metrics.to_dict() for metrics in self.windows],
            "flags": [flag.to_dict() for flag in self.flags],
            "peak_rfd": None if self.peak_rfd is None else self.peak_rfd.to_dict(),
            "best_1s": None if self.best_1s is None else self.best_1s.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class _Samples:
    """Validated input in time order, with time in ms from the earliest sample."""

    t: FloatArray
    total: FloatArray
    left: FloatArray | None
    right: FloatArray | None
    start_t_ms: float
    dt_ms: float
    flags: tuple[Flag, ...]

    @property
    def low_rate(self) -> bool:
        return _is_low_rate(self.dt_ms)


@dataclass(frozen=True, slots=True)
class _Window:
    first: int
    last: int  # inclusive
    automatic: bool


def analyze(
    t_ms: npt.ArrayLike,
    left: npt.ArrayLike | None = None,
    right: npt.ArrayLike | None = None,
    *,
    total: npt.ArrayLike | None = None,
    params: AnalysisParams | None = None,
    body_mass_kg: float | None = None,
) -> ImtpResult:
    """Analyse one IMTP recording: give ``left`` and ``right``, or ``total``, or all three.

    Without ``total`` it is left + right. ``body_mass_kg`` (the athlete's stored mass)
    cross-checks the weighing, and is the mass for relative force against a resting baseline.
    Raises `ValidationError` for unusable input; a recording without a pull still gives a
    result, flagged ``no_pull`` with empty metrics.
    """
    params = params or AnalysisParams()
    if body_mass_kg is not None:
        _require_positive("body_mass_kg", body_mass_kg)
    samples = _prepare(t_ms, left, right, total)
    flags = list(samples.flags)
    if params.reference == "baseline":
        samples = _upright(samples, flags)
    window = _weighing_window(samples, params, flags)
    weighing = _weigh(samples, window, params.reference, body_mass_kg)
    flags += _weighing_flags(weighing, params, body_mass_kg)
    onset = _find_onset(samples, window, weighing, params)
    peak: Peak | None = None
    windows = tuple(WindowMetrics(ms, None, None, None) for ms in WINDOWS_MS)
    steepest = strongest = None
    if onset is None:
        flags.append(_no_pull_flag(weighing, params))
    else:
        pull = _pull(samples, onset)
        impulse = _impulse(pull, weighing.body_weight_n)
        peak = _peak(samples, onset, weighing, pull, impulse)
        windows = _window_metrics(samples, pull, weighing, impulse)
        dip = _countermovement_flag(samples, window, peak, weighing)
        if dip is not None:
            flags.append(dip)
        steepest = peak_rfd(pull.t, pull.total, 0, interpolate=pull.exact)
        strongest = best_mean(samples.t, samples.total, onset.index)
    return ImtpResult(
        params=params,
        sample_count=int(samples.t.size),
        sample_rate_hz=1000.0 / samples.dt_ms,
        duration_s=float(samples.t[-1]) / 1000.0,
        start_t_ms=samples.start_t_ms,
        weighing=weighing,
        onset=onset,
        peak=peak,
        windows=windows,
        flags=tuple(sorted(flags, key=lambda flag: list(FlagCode).index(flag.code))),
        peak_rfd=steepest,
        best_1s=strongest,
    )


def _weighing_flags(
    weighing: Weighing, params: AnalysisParams, body_mass_kg: float | None
) -> list[Flag]:
    flags = []
    if weighing.sd_n > UNSTEADY_SD_N:
        flags.append(_unsteady_flag(weighing, params))
    if params.reference == "baseline":
        flags.append(_no_body_weight_flag(weighing))
    elif body_mass_kg is not None:
        mismatch = _body_mass_flag(weighing, body_mass_kg)
        if mismatch is not None:
            flags.append(mismatch)
    return flags


def analyze_recording(
    recording: ForceRecording,
    params: AnalysisParams | None = None,
    body_mass_kg: float | None = None,
) -> ImtpResult:
    """Analyse a recording read by `read_force_file`."""
    return analyze(
        recording.t_ms,
        recording.left,
        recording.right,
        total=recording.total,
        params=params,
        body_mass_kg=body_mass_kg,
    )


# --- input -------------------------------------------------------------------------------------


def _prepare(
    t_ms: npt.ArrayLike,
    left: npt.ArrayLike | None,
    right: npt.ArrayLike | None,
    total: npt.ArrayLike | None,
) -> _Samples:
    t = _as_series("t_ms", t_ms)
    if (left is None) != (right is None):
        raise ValidationError("give both left and right force, or neither (with total)")
    if left is None and total is None:
        raise ValidationError("no force: give left and right, or total")
    sides = {"left": left, "right": right, "total": total}
    forces = {name: _as_series(name, v) for name, v in sides.items() if v is not None}
    for name, values in forces.items():
        if values.size != t.size:
            raise ValidationError(f"{name} has {values.size} samples but t_ms has {t.size}")
    if t.size < 2:
        raise ValidationError(f"need at least 2 samples, got {t.size}")
    t, forces, flags = _in_time_order(t, forces)
    steps = np.diff(t)
    dt_ms = float(np.median(steps))
    if dt_ms <= 0:
        raise ValidationError("t_ms does not advance: most timestamps repeat the previous one")
    flags.extend(_clock_flags(steps, dt_ms))
    left_f, right_f = forces.get("left"), forces.get("right")
    if "total" in forces:
        total_f = forces["total"]
    else:
        assert left_f is not None and right_f is not None  # checked above
        total_f = left_f + right_f
    start = float(t[0])
    return _Samples(t - start, total_f, left_f, right_f, start, dt_ms, tuple(flags))


def _in_time_order(
    t: FloatArray, forces: dict[str, FloatArray]
) -> tuple[FloatArray, dict[str, FloatArray], list[Flag]]:
    steps = np.diff(t)
    if not (steps <= 0).any():
        return t, forces, []
    # Out-of-order batches are the likely cause; sorting restores them (stable keeps ties).
    order = np.argsort(t, kind="stable")
    ordered = {name: values[order] for name, values in forces.items()}
    return t[order], ordered, [_non_monotonic_flag(steps)]


def _as_series(name: str, values: npt.ArrayLike) -> FloatArray:
    try:
        series = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"{name} must hold numbers: {exc}") from exc
    if series.ndim != 1:
        raise ValidationError(f"{name} must be one-dimensional, got shape {series.shape}")
    if series.size == 0:
        raise ValidationError(f"{name} is empty")
    bad = ~np.isfinite(series)
    if bad.any():
        i = int(np.argmax(bad))
        raise ValidationError(f"{name}[{i}] is {series[i]}; values must be finite numbers")
    return series


def _is_number(value: object) -> bool:
    # Params may come straight from a CLI or JSON: refuse "1.0", True and NaN alike.
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return math.isfinite(value)


def _require_positive(name: str, value: float) -> None:
    if not _is_number(value) or value <= 0:
        raise ValidationError(f"{name} must be a positive number, not {value!r}")


def _require_time(name: str, value: float | None) -> None:
    if value is not None and (not _is_number(value) or value < 0):
        raise ValidationError(f"{name} must be seconds from the first sample (≥ 0), not {value!r}")


def _upright(samples: _Samples, flags: list[Flag]) -> _Samples:
    """A series load cell's recording with pulls upward: an inverted one (its largest
    excursion from the resting level goes down) is flipped and flagged ``inverted``."""
    resting = float(np.median(samples.total))
    up = float(samples.total.max()) - resting
    down = resting - float(samples.total.min())
    if down <= up or down <= INVERTED_MIN_N:
        return samples
    flags.append(
        Flag(
            FlagCode.INVERTED,
            f"force goes {down:.0f} N down from its resting level ({resting:.1f} N) and only "
            f"{up:.0f} N up: the load cell reads a pull as negative (wired or mounted the other "
            "way round); analysed with the sign flipped",
        )
    )
    left = None if samples.left is None else -samples.left
    right = None if samples.right is None else -samples.right
    return dataclasses.replace(samples, total=-samples.total, left=left, right=right)


# --- weighing ----------------------------------------------------------------------------------


def _weighing_window(samples: _Samples, params: AnalysisParams, flags: list[Flag]) -> _Window:
    duration_ms = params.weigh_duration_s * 1000.0
    span_ms = float(samples.t[-1])
    if span_ms <= duration_ms + TIME_TOLERANCE_MS:
        raise ValidationError(
            f"the recording is {span_ms / 1000:.3f} s long; it must be longer than the "
            f"{params.weigh_duration_s:g} s weighing window"
        )
    if params.weigh_start_s is None:
        return _steadiest_window(samples, duration_ms, params.reference, flags)
    return _given_window(samples, params.weigh_start_s, params.weigh_duration_s)


def _given_window(samples: _Samples, start_s: float, duration_s: float) -> _Window:
    start_ms, end_ms = start_s * 1000.0, (start_s + duration_s) * 1000.0
    span_ms = float(samples.t[-1])
    if end_ms > span_ms + TIME_TOLERANCE_MS:
        raise ValidationError(
            f"weigh_start_s={start_s:g} puts the {duration_s:g} s weighing window at "
            f"{start_s:g}–{start_s + duration_s:g} s, past the end of the recording "
            f"({span_ms / 1000:.3f} s)"
        )
    # Closed interval [start, start + duration], as the reference tool weighs (1001 samples
    # at 1 kHz).
    first = int(np.searchsorted(samples.t, start_ms - TIME_TOLERANCE_MS, side="left"))
    stop = int(np.searchsorted(samples.t, end_ms + TIME_TOLERANCE_MS, side="right"))
    if stop - first < MIN_WINDOW_SAMPLES:
        raise ValidationError(
            f"the weighing window at {start_s:g} s holds {stop - first} samples; "
            f"it needs at least {MIN_WINDOW_SAMPLES}"
        )
    return _Window(first, stop - 1, automatic=False)


def _steadiest_window(
    samples: _Samples, duration_ms: float, reference: Reference, flags: list[Flag]
) -> _Window:
    """The lowest-SD window that lies before the pull (see `_candidate_pools` for "before"),
    or the quiet stance before it when that window is pre-tension (`_stance_before`)."""
    t, force = samples.t, samples.total
    count = int(np.searchsorted(t, t[-1] - duration_ms + TIME_TOLERANCE_MS, side="right"))
    starts = np.arange(count)
    stops = np.searchsorted(t, t[:count] + duration_ms + TIME_TOLERANCE_MS, side="right")
    means, sds = rolling_mean_sd(force, starts, stops)
    usable = (stops - starts) >= MIN_WINDOW_SAMPLES
    if not usable.any():
        raise ValidationError(
            f"no {duration_ms / 1000:g} s weighing window holds {MIN_WINDOW_SAMPLES} samples"
        )
    on_plate = usable
    if reference == "body_weight":
        on_plate = usable & (means >= ON_PLATE_FRACTION * float(force.max()))
    for pool in _candidate_pools(force, stops, means, usable, on_plate):
        if pool.any():
            best = int(np.argmin(np.where(pool, sds, np.inf)))
            if reference == "body_weight":
                stance = _stance_before(best, on_plate & (stops <= best), means, sds)
                if stance is not None:
                    flags.append(_pretension_flag(t, stops, means, best, stance))
                    best = stance
            return _Window(best, int(stops[best]) - 1, automatic=True)
    raise AssertionError("unreachable: the last pool is every usable window")


def _stance_before(
    chosen: int, earlier: npt.NDArray[np.bool_], means: FloatArray, sds: FloatArray
) -> int | None:
    """The steadiest still window wholly before ``chosen`` that is lower than it by more than
    ``PRETENSION_MIN_N`` and 5 of its SDs (a rise the 5 SD onset would call a pull); None when
    there is none, i.e. ``chosen`` is not pre-tension."""
    rise = means[chosen] - means
    lower = earlier & (sds <= UNSTEADY_SD_N) & (rise > np.maximum(PRETENSION_MIN_N, 5.0 * sds))
    if not lower.any():
        return None
    return int(np.argmin(np.where(lower, sds, np.inf)))


def _candidate_pools(
    force: FloatArray,
    stops: npt.NDArray[np.intp],
    means: FloatArray,
    usable: npt.NDArray[np.bool_],
    on_plate: npt.NDArray[np.bool_],
) -> list[npt.NDArray[np.bool_]]:
    """Window sets to search in order, from the strictest "before the pull" to any window.

    The pull starts where force first climbs halfway from the lowest on-plate window mean to
    the peak. Cutting there, and not at the peak, keeps a held plateau before a late peak out:
    it can be as steady as quiet standing. Empty-plate windows are never body weight; against
    the resting baseline (a series load cell reads about 0 at rest) every window may be.
    """
    peak = int(np.argmax(force))
    before_peak = on_plate & (stops <= peak)
    pools = [before_peak, on_plate, usable]
    if before_peak.any():
        halfway = (float(means[before_peak].min()) + float(force[peak])) / 2.0
        above = force > halfway
        if above.any():
            pools.insert(0, before_peak & (stops <= int(np.argmax(above))))
    return pools


def _weigh(
    samples: _Samples, window: _Window, reference: Reference, body_mass_kg: float | None
) -> Weighing:
    quiet = samples.total[window.first : window.last + 1]
    weight = float(quiet.mean())
    if weight <= 0 and reference == "body_weight":
        raise ValidationError(
            f"body weight is {weight:.1f} N over the weighing window: nobody on the plate, "
            "or the calibration has the wrong sign"
        )
    return Weighing(
        start_s=float(samples.t[window.first]) / 1000.0,
        end_s=float(samples.t[window.last]) / 1000.0,
        sample_count=int(quiet.size),
        automatic=window.automatic,
        body_weight_n=weight,
        sd_n=float(quiet.std(ddof=1)),  # sample SD, as the reference tool (pandas) reports
        # Against a resting baseline the recording holds no body weight: the stored mass, if any.
        mass_kg=weight / GRAVITY if reference == "body_weight" else body_mass_kg,
        mass_source=_mass_source(reference, body_mass_kg),
    )


def _mass_source(
    reference: Reference, body_mass_kg: float | None
) -> Literal["weighing", "stored"] | None:
    if reference == "body_weight":
        return "weighing"
    return None if body_mass_kg is None else "stored"


# --- onset and metrics -------------------------------------------------------------------------


def _find_onset(
    samples: _Samples, window: _Window, weighing: Weighing, params: AnalysisParams
) -> Onset | None:
    index: int | None
    if params.onset_method == "manual":
        assert params.onset_time_s is not None  # AnalysisParams guarantees it
        index = _manual_onset(samples, params.onset_time_s)
    else:
        index = _detected_onset(samples, window, weighing, params)
    if index is None:
        return None
    if params.onset_method != "manual" and samples.low_rate and index > 0:
        level = _crossed_level(samples, index, weighing, params)
        return _interpolated_onset(samples, index, level, params.onset_method)
    return Onset(
        method=params.onset_method,
        index=index,
        time_s=float(samples.t[index]) / 1000.0,
        force_n=float(samples.total[index]),
    )


def _crossed_level(
    samples: _Samples, index: int, weighing: Weighing, params: AnalysisParams
) -> float:
    """The force level the onset sample passed: weight ± the band, or weight + the threshold."""
    if params.onset_method != "sd":
        return weighing.body_weight_n + _threshold_n(params, weighing)
    band = max(params.sd_multiplier * weighing.sd_n, ONSET_BAND_FLOOR_N)
    above = samples.total[index] > weighing.body_weight_n
    return weighing.body_weight_n + (band if above else -band)


def _interpolated_onset(samples: _Samples, index: int, level: float, method: OnsetMethod) -> Onset:
    """Where the straight line from the sample before ``index`` to it crosses ``level``: at
    80 Hz a sample is 12.5 ms, and the first one past the threshold is up to that late."""
    t0, t1 = float(samples.t[index - 1]), float(samples.t[index])
    f0, f1 = float(samples.total[index - 1]), float(samples.total[index])
    # f0 has not crossed the level and f1 has, so f1 != f0 and the share lies in [0, 1).
    share = (level - f0) / (f1 - f0)
    return Onset(
        method=method,
        index=index,
        time_s=(t0 + share * (t1 - t0)) / 1000.0,
        force_n=level,
        interpolated=True,
    )


def _manual_onset(samples: _Samples, onset_time_s: float) -> int:
    target_ms = onset_time_s * 1000.0
    if target_ms > float(samples.t[-1]) + samples.dt_ms / 2:
        raise ValidationError(
            f"onset_time_s={onset_time_s:g} is past the end of the recording "
            f"({float(samples.t[-1]) / 1000:.3f} s)"
        )
    return _nearest(samples.t, target_ms)


def _detected_onset(
    samples: _Samples, window: _Window, weighing: Weighing, params: AnalysisParams
) -> int | None:
    after = window.last + 1
    net = samples.total[after:] - weighing.body_weight_n
    if params.onset_method == "sd":
        band = max(params.sd_multiplier * weighing.sd_n, ONSET_BAND_FLOOR_N)
        outside = np.abs(net) > band
    else:
        outside = net > _threshold_n(params, weighing)
    if not outside.any():
        return None
    return after + int(np.argmax(outside))


def _threshold_n(params: AnalysisParams, weighing: Weighing) -> float:
    """The rise above body weight a threshold onset method waits for."""
    if params.onset_method == "bw_pct":
        return params.body_weight_pct / 100.0 * weighing.body_weight_n
    return params.threshold_n


def _nearest(t: FloatArray, target_ms: float) -> int:
    """Index of the sample nearest ``target_ms``; the earlier one on a tie (like argmin)."""
    i = int(np.searchsorted(t, target_ms, side="left"))
    if i == 0:
        return 0
    if i == t.size or target_ms - t[i - 1] <= t[i] - target_ms:
        return i - 1
    return i


@dataclass(frozen=True, slots=True)
class _Pull:
    """The curve from the onset on: ``t``/``total`` start at the onset point (an interpolated
    onset adds its point before the first sample). ``exact``: read values at exact times off
    straight lines between samples (low rates) instead of at the nearest sample."""

    t: FloatArray
    total: FloatArray
    exact: bool

    @property
    def offset(self) -> int:
        """Points before the onset sample: 1 when an interpolated onset point leads."""
        return 1 if self.exact else 0


def _pull(samples: _Samples, onset: Onset) -> _Pull:
    o = onset.index
    if not onset.interpolated:
        return _Pull(samples.t[o:], samples.total[o:], exact=False)
    t = np.concatenate(([onset.time_s * 1000.0], samples.t[o:]))
    return _Pull(t, np.concatenate(([onset.force_n], samples.total[o:])), exact=True)


def _impulse(pull: _Pull, weight: float) -> FloatArray:
    """Cumulative trapezoid impulse of net force (N·s) from the onset to each later point."""
    net = pull.total - weight
    seconds = np.diff(pull.t) / 1000.0
    return np.concatenate(([0.0], np.cumsum((net[1:] + net[:-1]) * 0.5 * seconds)))


def _peak(
    samples: _Samples, onset: Onset, weighing: Weighing, pull: _Pull, impulse: FloatArray
) -> Peak:
    at = pull.offset + int(np.argmax(pull.total[pull.offset :]))  # a sample, not the onset point
    p = onset.index + at - pull.offset
    force = float(samples.total[p])
    left_n, right_n, left_at_peak, right_at_peak, sides = _sides(samples, onset.index, p)
    return Peak(
        index=p,
        time_s=float(samples.t[p]) / 1000.0,
        force_n=force,
        net_force_n=force - weighing.body_weight_n,
        relative_force_n_per_kg=_relative(force, weighing),
        time_to_peak_s=float(pull.t[at] - pull.t[0]) / 1000.0,
        impulse_n_s=float(impulse[at]),
        left_n=left_n,
        right_n=right_n,
        left_at_peak_n=left_at_peak,
        right_at_peak_n=right_at_peak,
        asymmetry_pct=None if sides is None else sides.signed_percent,
        stronger_side=None if sides is None else sides.stronger,
    )


def _relative(force: float, weighing: Weighing) -> float | None:
    """Peak force per kg. Against a resting baseline with the stored mass, the ground
    reaction is body weight (m·g) plus the pull over the baseline."""
    if weighing.mass_kg is None:
        return None
    if weighing.mass_source == "stored":
        return (force - weighing.body_weight_n) / weighing.mass_kg + GRAVITY
    return force / weighing.mass_kg


_SideValues = tuple[float | None, float | None, float | None, float | None, Asymmetry | None]


def _sides(samples: _Samples, onset: int, peak: int) -> _SideValues:
    """Own peaks of left and right, both at the total peak, and the asymmetry there."""
    if samples.left is None or samples.right is None:
        return None, None, None, None, None
    left, right = float(samples.left[peak]), float(samples.right[peak])
    own_left, own_right = float(samples.left[onset:].max()), float(samples.right[onset:].max())
    return own_left, own_right, left, right, asymmetry(left, right)


def _window_metrics(
    samples: _Samples, pull: _Pull, weighing: Weighing, impulse: FloatArray
) -> tuple[WindowMetrics, ...]:
    metrics = []
    for ms in WINDOWS_MS:
        target = float(pull.t[0]) + ms
        if target > float(samples.t[-1]) + (0.0 if pull.exact else samples.dt_ms / 2):
            metrics.append(WindowMetrics(ms, None, None, None))  # the recording ended
            continue
        force, elapsed_ms, area = _at(pull, target, weighing.body_weight_n, impulse)
        rise = force - float(pull.total[0])
        metrics.append(
            WindowMetrics(
                window_ms=ms,
                net_force_n=force - weighing.body_weight_n,
                rfd_n_per_s=rise / (elapsed_ms / 1000.0) if elapsed_ms > 0 else None,
                impulse_n_s=area,
            )
        )
    return tuple(metrics)


def _at(
    pull: _Pull, target_ms: float, weight: float, impulse: FloatArray
) -> tuple[float, float, float]:
    """Force, time since onset (ms) and impulse at ``target_ms``: at the nearest sample, or
    at exactly that time on the straight line between samples (``pull.exact``)."""
    if not pull.exact:
        j = _nearest(pull.t, target_ms)
        return float(pull.total[j]), float(pull.t[j] - pull.t[0]), float(impulse[j])
    force = float(np.interp(target_ms, pull.t, pull.total))
    j = max(int(np.searchsorted(pull.t, target_ms, side="right")) - 1, 0)
    # The trapezoid from the last point before the target to the target itself.
    partial = ((pull.total[j] - weight) + (force - weight)) * 0.5 * (target_ms - pull.t[j])
    return force, target_ms - float(pull.t[0]), float(impulse[j]) + float(partial) / 1000.0


# --- flags -------------------------------------------------------------------------------------


def _non_monotonic_flag(steps: FloatArray) -> Flag:
    backwards, repeats = int((steps < 0).sum()), int((steps == 0).sum())
    return Flag(
        FlagCode.NON_MONOTONIC_TIME,
        f"time goes backwards at {backwards} and repeats at {repeats} places; "
        "samples were analysed in time order",
    )


def _is_low_rate(dt_ms: float) -> bool:
    return 1000.0 / dt_ms < MIN_RATE_HZ * (1.0 - RATE_TOLERANCE)


def _clock_flags(steps: FloatArray, dt_ms: float) -> list[Flag]:
    flags = []
    rate = 1000.0 / dt_ms
    if _is_low_rate(dt_ms):
        flags.append(
            Flag(
                FlagCode.LOW_SAMPLE_RATE,
                f"sample rate is {rate:.0f} Hz, under {MIN_RATE_HZ:.0f} Hz: onset is "
                "interpolated between samples and the 50–250 ms values and peak RFD are read "
                "off straight lines between samples, so they are less precise",
            )
        )
    gaps = steps > GAP_FACTOR * dt_ms
    if gaps.any():
        flags.append(
            Flag(
                FlagCode.GAPS,
                f"{int(gaps.sum())} gap(s) in t, the longest {float(steps.max()):.1f} ms "
                f"(median interval {dt_ms:.2f} ms): samples are missing",
            )
        )
    return flags


def _unsteady_flag(weighing: Weighing, params: AnalysisParams) -> Flag:
    return Flag(
        FlagCode.UNSTEADY_WEIGHING,
        f"body weight SD is {weighing.sd_n:.1f} N (limit {UNSTEADY_SD_N:g} N): the athlete was "
        f"not still, so body weight is uncertain and the ±{params.sd_multiplier:g} SD onset "
        "may come late",
    )


def _no_pull_flag(weighing: Weighing, params: AnalysisParams) -> Flag:
    if params.onset_method == "fixed":
        rule = f"exceeded body weight + {params.threshold_n:g} N"
    elif params.onset_method == "bw_pct":
        rise = _threshold_n(params, weighing)
        rule = f"exceeded body weight + {params.body_weight_pct:g} % of it ({rise:.1f} N)"
    else:
        band = max(params.sd_multiplier * weighing.sd_n, ONSET_BAND_FLOOR_N)
        rule = f"left body weight ± {params.sd_multiplier:g} SD (±{band:.1f} N)"
    return Flag(FlagCode.NO_PULL, f"total force never {rule} after weighing: no pull found")


def _no_body_weight_flag(weighing: Weighing) -> Flag:
    return Flag(
        FlagCode.NO_BODY_WEIGHT,
        f"a load cell in series with the bar measures the pull, not the ground reaction: "
        f"forces are against the resting baseline ({weighing.body_weight_n:.1f} N), and there "
        "is no body weight, mass or relative force",
    )


def _pretension_flag(
    t: FloatArray, stops: npt.NDArray[np.intp], means: FloatArray, steady: int, stance: int
) -> Flag:
    rise = float(means[steady] - means[stance])
    return Flag(
        FlagCode.PRETENSION_IN_WEIGHING,
        f"the steadiest window ({t[steady] / 1000:.2f}–{t[stops[steady] - 1] / 1000:.2f} s, "
        f"{means[steady]:.1f} N) is {rise:.1f} N above the still stance before it "
        f"({t[stance] / 1000:.2f}–{t[stops[stance] - 1] / 1000:.2f} s, {means[stance]:.1f} N): "
        "pre-tension; body weight is taken from the stance (Comfort et al. 2019)",
    )


def _body_mass_flag(weighing: Weighing, body_mass_kg: float) -> Flag | None:
    stored_n = body_mass_kg * GRAVITY
    off = weighing.body_weight_n / stored_n - 1.0
    if abs(off) <= BODY_MASS_TOLERANCE:
        return None
    return Flag(
        FlagCode.BODY_WEIGHT_MISMATCH,
        f"the weighing gives {weighing.body_weight_n:.1f} N, {off * 100:+.1f} % from the stored "
        f"body mass {body_mass_kg:g} kg ({stored_n:.1f} N; tolerance ±"
        f"{BODY_MASS_TOLERANCE * 100:g} %): pre-tension or a shift in the weighing window, or "
        "the stored mass is out of date",
    )


def _countermovement_flag(
    samples: _Samples, window: _Window, peak: Peak, weighing: Weighing
) -> Flag | None:
    between = samples.total[window.last + 1 : peak.index]
    if between.size == 0:
        return None
    lowest = int(np.argmin(between))
    dip = weighing.body_weight_n - float(between[lowest])
    if dip <= COUNTERMOVEMENT_N:
        return None
    when = float(samples.t[window.last + 1 + lowest]) / 1000.0
    return Flag(
        FlagCode.COUNTERMOVEMENT,
        f"force fell {dip:.1f} N below body weight at {when:.3f} s, before the peak "
        f"(limit {COUNTERMOVEMENT_N:g} N): the pull did not start from stillness",
    )
