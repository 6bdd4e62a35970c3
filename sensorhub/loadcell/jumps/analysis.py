"""Jump analysis of one recording: reps found, phases and events, metrics, sides and checks.

Phases and events follow McMahon et al. 2018 ("Understanding the key phases of the
countermovement jump force-time curve"); weighing, onset and integration follow Owen et al. 2014.
docs/jumps.md defines every event and metric. Times in parameters and results are seconds from
the recording's first sample, as for the IMTP.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

import numpy as np
import numpy.typing as npt

from sensorhub.errors import ValidationError
from sensorhub.loadcell.asymmetry import Asymmetry, asymmetry
from sensorhub.loadcell.jumps import quality
from sensorhub.loadcell.jumps.contacts import (
    MAX_FLIGHT_S,
    Run,
    contact_runs,
    contact_threshold,
)
from sensorhub.loadcell.jumps.kinematics import (
    GRAVITY,
    Motion,
    cumulative_trapezoid,
    flight_height,
    integrate_motion,
    take_off_height,
)
from sensorhub.loadcell.jumps.quality import Check, CheckCode
from sensorhub.loadcell.windows import rolling_mean_sd

FloatArray = npt.NDArray[np.float64]
JumpType = Literal["cmj", "squat_jump", "drop_jump", "rebound", "drop_landing"]
JUMP_TYPES: tuple[str, ...] = get_args(JumpType)
#: Events a person may move on the tests page, per test type; the analysis then follows the
#: edit. A drop jump's ``contact`` is its first contact (off the box); a rebound's events are
#: per hop (``EventEdit.hop``): the hop's contact and its take-off.
EDITABLE_BY_TYPE: dict[str, tuple[str, ...]] = {
    "cmj": ("weigh_start", "onset", "take_off", "landing"),
    "squat_jump": ("weigh_start", "onset", "take_off", "landing"),
    "drop_jump": ("contact", "take_off", "landing"),
    "drop_landing": ("contact",),
    "rebound": ("contact", "take_off"),
}
#: Every event some test type lets a person move, in first-seen order.
EDITABLE_EVENTS = tuple(dict.fromkeys(e for events in EDITABLE_BY_TYPE.values() for e in events))
#: Where a drop rep's editable events are, as runs after its arrival on the plate.
_DROP_RUN_OFFSET = {"contact": 0, "take_off": 1, "landing": 2}
#: Owen et al. 2014 / McMahon et al. 2018: movement starts 30 ms before force leaves body
#: weight ± 5 SD (the first part of a slow unweighting hides inside the band).
ONSET_BACKTRACK_S = 0.030
#: The landing is stable when total force stays within this fraction of body weight.
STABLE_BAND = 0.05
#: ...for this long (or until the athlete leaves the plate).
STABLE_FOR_S = 1.0
#: The landing phase when the velocity is unknown: landings take 0.2–0.5 s to their lowest point.
UNKNOWN_LANDING_S = 0.5
#: A take-off velocity under this before a long airborne stretch is stepping off, not a jump.
MIN_JUMP_VELOCITY_M_S = 0.5
#: 10/5 repeated-jump test (Harper et al. 2011): the mean of the five best hops.
BEST_HOPS = 5
#: The ±k·SD band never shrinks below this, so rounding on noise-free data is not an onset.
ONSET_BAND_FLOOR_N = 1e-6


@dataclass(frozen=True, slots=True)
class EventEdit:
    """A person moved an event of one rep (0-based) to ``time_s``; of a rebound set, the
    event of hop ``hop`` (0-based) of rep 0."""

    rep: int
    event: str
    time_s: float
    hop: int | None = None

    def to_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {"rep": self.rep, "event": self.event, "time_s": self.time_s}
        if self.hop is not None:
            found["hop"] = self.hop
        return found


@dataclass(frozen=True, slots=True)
class JumpParams:
    """What was jumped and how to read it; defaults are the cited methods."""

    test_type: JumpType = "cmj"
    weigh_duration_s: float = 1.0
    sd_multiplier: float = 5.0
    drop_height_m: float | None = None
    capacity_n: float | None = None
    edits: tuple[EventEdit, ...] = ()

    def __post_init__(self) -> None:
        if self.test_type not in JUMP_TYPES:
            raise ValidationError(
                f"test_type must be one of {', '.join(JUMP_TYPES)}, not {self.test_type!r}"
            )
        _require_positive("weigh_duration_s", self.weigh_duration_s)
        _require_positive("sd_multiplier", self.sd_multiplier)
        if self.drop_height_m is not None:
            _require_positive("drop_height_m", self.drop_height_m)
        if self.capacity_n is not None:
            _require_positive("capacity_n", self.capacity_n)
        editable = EDITABLE_BY_TYPE[self.test_type]
        for edit in self.edits:
            if edit.event not in editable:
                raise ValidationError(
                    f"edits: event of a {self.test_type} test must be one of "
                    f"{', '.join(editable)}, not {edit.event!r}"
                )
            if (edit.hop is None) == (self.test_type == "rebound"):
                raise ValidationError(
                    "edits: hop is required for a rebound test's events, and only there"
                )
            _require_positive("edits: time_s", edit.time_s)

    def to_dict(self) -> dict[str, Any]:
        return {
            "test_type": self.test_type,
            "weigh_duration_s": self.weigh_duration_s,
            "sd_multiplier": self.sd_multiplier,
            "drop_height_m": self.drop_height_m,
            "capacity_n": self.capacity_n,
            "edits": [edit.to_dict() for edit in self.edits],
        }


@dataclass(frozen=True, slots=True)
class Phase:
    name: str
    start_s: float
    end_s: float

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "start_s": self.start_s, "end_s": self.end_s}


@dataclass(frozen=True, slots=True)
class Rep:
    """One analysed jump (or one set of rebound hops): a trial of the test."""

    index: int
    events: dict[str, float]
    phases: tuple[Phase, ...]
    metrics: dict[str, float | None]
    sides: dict[str, dict[str, float | None]]
    hops: tuple[dict[str, Any], ...]  # rebound: per hop numbers, with ``sides`` and ``asymmetry``
    checks: tuple[Check, ...]

    def has_check(self, code: CheckCode) -> bool:
        return any(check.code == code for check in self.checks)

    @property
    def asymmetry(self) -> dict[str, Asymmetry]:
        """Left vs right of every side metric (``side_asymmetry``)."""
        return side_asymmetry(self.sides)

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "events": self.events,
            "phases": [phase.to_dict() for phase in self.phases],
            "metrics": self.metrics,
            "sides": self.sides,
            "asymmetry": _asymmetry_dict(self.sides),
            "hops": list(self.hops),
            "checks": [check.to_dict() for check in self.checks],
        }


def side_asymmetry(sides: dict[str, dict[str, float | None]]) -> dict[str, Asymmetry]:
    """Left vs right of every side metric, by the project's convention (|L − R| / max × 100
    and the stronger side, `loadcell.asymmetry`); metrics where neither side pushes (e.g. the
    unweighting's negative net impulse) have none."""
    left, right = sides.get("left", {}), sides.get("right", {})
    found = {}
    for name, value in left.items():
        other = right.get(name)
        if value is not None and other is not None:
            between = asymmetry(value, other)
            if between is not None:
                found[name] = between
    return found


def _asymmetry_dict(sides: dict[str, dict[str, float | None]]) -> dict[str, Any]:
    return {
        name: {"percent": a.percent, "stronger": a.stronger, "signed_percent": a.signed_percent}
        for name, a in side_asymmetry(sides).items()
    }


@dataclass(frozen=True, slots=True)
class JumpResult:
    """Every rep found in the recording; ``to_dict()`` is JSON-ready."""

    params: JumpParams
    sample_count: int
    sample_rate_hz: float
    start_t_ms: float
    contact_threshold_n: float
    reps: tuple[Rep, ...]
    checks: tuple[Check, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "params": self.params.to_dict(),
            "sample_count": self.sample_count,
            "sample_rate_hz": self.sample_rate_hz,
            "start_t_ms": self.start_t_ms,
            "contact_threshold_n": self.contact_threshold_n,
            "reps": [rep.to_dict() for rep in self.reps],
            "checks": [check.to_dict() for check in self.checks],
        }


@dataclass(frozen=True, slots=True)
class _Recording:
    t: FloatArray  # seconds from the first sample
    total: FloatArray
    sides: dict[str, FloatArray]  # "left"/"right", empty for total-only recordings
    runs: list[Run]
    params: JumpParams


@dataclass(frozen=True, slots=True)
class _Weighing:
    first: int
    last: int
    weight_n: float
    sd_n: float
    side_weights: dict[str, float] = field(default_factory=dict)


def analyze_jumps(
    t_ms: npt.ArrayLike,
    left: npt.ArrayLike | None = None,
    right: npt.ArrayLike | None = None,
    *,
    total: npt.ArrayLike | None = None,
    params: JumpParams | None = None,
) -> JumpResult:
    """Analyse every rep of a jump recording: give ``left`` and ``right``, or ``total``."""
    params = params or JumpParams()
    t, force, sides, start_t_ms = _prepare(t_ms, left, right, total)
    rate = 1.0 / float(np.median(np.diff(t)))
    threshold = contact_threshold(t, force)
    recording = _Recording(t, force, sides, contact_runs(t, force, threshold), params)
    checks = [
        check
        for check in (
            quality.sample_rate_check(rate),
            quality.clipped_check(sides or {"total": force}, params.capacity_n),
        )
        if check is not None
    ]
    if params.test_type in _MOVED_RUNS:
        recording = _moved(recording, _MOVED_RUNS[params.test_type](recording))
    reps = tuple(_REPS_BY_TYPE[params.test_type](recording))
    return JumpResult(params, int(t.size), rate, start_t_ms, threshold, reps, tuple(checks))


# --- input -------------------------------------------------------------------------------------


def _prepare(
    t_ms: npt.ArrayLike,
    left: npt.ArrayLike | None,
    right: npt.ArrayLike | None,
    total: npt.ArrayLike | None,
) -> tuple[FloatArray, FloatArray, dict[str, FloatArray], float]:
    t = _series("t_ms", t_ms)
    sides: dict[str, FloatArray] = {}
    if (left is None) != (right is None):
        raise ValidationError("give both left and right force, or neither")
    if left is not None and right is not None:
        sides = {"left": _series("left", left), "right": _series("right", right)}
    if total is None and not sides:
        raise ValidationError("give left and right force, or total force")
    force = _series("total", total) if total is not None else sides["left"] + sides["right"]
    for name, series in {"total": force, **sides}.items():
        if series.size != t.size:
            raise ValidationError(f"{name} has {series.size} samples but t_ms has {t.size}")
    if t.size < 3:
        raise ValidationError("a jump recording needs more than 2 samples")
    if not (np.diff(t) > 0).all():
        raise ValidationError("t_ms must increase from sample to sample")
    return (t - t[0]) / 1000.0, force, sides, float(t[0])


def _series(name: str, values: npt.ArrayLike) -> FloatArray:
    try:
        series = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"{name} must hold numbers: {exc}") from exc
    if series.ndim != 1 or series.size == 0:
        raise ValidationError(f"{name} must be a non-empty list of numbers")
    if not np.isfinite(series).all():
        raise ValidationError(f"{name} holds a value that is not a finite number")
    return series


def _require_positive(name: str, value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ValidationError(f"{name} must be a positive number, not {value!r}")
    if not math.isfinite(value):
        raise ValidationError(f"{name} must be a finite number, not {value!r}")


# --- weighing and onset ------------------------------------------------------------------------


def _weigh(rec: _Recording, candidates: list[tuple[int, int]]) -> tuple[_Weighing, list[Check]]:
    """The steadiest full window inside the first stretch that holds one, else anywhere on the
    plate (flagged ``short_weighing``)."""
    for first, last in candidates:
        window = _steadiest(rec, first, last)
        if window is not None:
            return window, _checked(quality.weighing_check(window.sd_n))
    anywhere = [(run.first, run.last) for run in rec.runs if not run.airborne]
    for first, last in sorted(anywhere, key=lambda span: span[0] - span[1]):
        window = _steadiest(rec, first, last)
        if window is not None:
            short = Check(
                CheckCode.SHORT_WEIGHING,
                f"no {rec.params.weigh_duration_s:g} s of quiet standing next to this rep: body "
                f"weight comes from {rec.t[window.first]:.3f}–{rec.t[window.last]:.3f} s",
            )
            return window, [short, *_checked(quality.weighing_check(window.sd_n))]
    raise ValidationError(
        f"the recording holds no {rec.params.weigh_duration_s:g} s of standing on the plate "
        "to weigh the athlete"
    )


def _given_weighing(rec: _Recording, rep: int, first: int) -> tuple[_Weighing, list[Check]]:
    """The window a person chose (an edited ``weigh_start``)."""
    window = _steadiest(rec, first, first + _window_width(rec) - 1)
    if window is None:
        raise ValidationError(
            f"edits: rep {rep}'s weighing at {rec.t[first]:.3f} s needs "
            f"{rec.params.weigh_duration_s:g} s of samples on the plate after it"
        )
    return window, _checked(quality.weighing_check(window.sd_n))


def _window_width(rec: _Recording) -> int:
    """Samples in a closed weighing window: 1001 for 1 s at 1 kHz."""
    dt = float(np.median(np.diff(rec.t)))
    return round(rec.params.weigh_duration_s / dt) + 1


def _steadiest(rec: _Recording, first: int, last: int) -> _Weighing | None:
    width = _window_width(rec)
    if last >= rec.t.size or last - first + 1 < width:
        return None
    starts = np.arange(first, last - width + 2)
    means, sds = rolling_mean_sd(rec.total, starts, starts + width)
    best = int(np.argmin(sds))
    a, b = int(starts[best]), int(starts[best]) + width - 1
    side_weights = {name: float(force[a : b + 1].mean()) for name, force in rec.sides.items()}
    if means[best] <= 0:
        return None
    return _Weighing(a, b, float(means[best]), float(sds[best]), side_weights)


def _onset(rec: _Recording, weighing: _Weighing, before: int) -> int:
    """30 ms before total force first leaves body weight ± k·SD after the weighing starts."""
    band = max(rec.params.sd_multiplier * weighing.sd_n, ONSET_BAND_FLOOR_N)
    span = rec.total[weighing.first : before]
    outside = np.abs(span - weighing.weight_n) > band
    crossing = weighing.first + int(np.argmax(outside)) if outside.any() else before
    return max(_nearest(rec.t, float(rec.t[crossing]) - ONSET_BACKTRACK_S), 0)


def _nearest(t: FloatArray, time_s: float) -> int:
    i = int(np.searchsorted(t, time_s))
    if i == 0:
        return 0
    if i == t.size or time_s - t[i - 1] <= t[i] - time_s:
        return i - 1
    return i


def _checked(check: Check | None) -> list[Check]:
    return [] if check is None else [check]


# --- reps of each test type --------------------------------------------------------------------


def _countermovement_reps(rec: _Recording) -> list[Rep]:
    """CMJ and squat jump: every flight after a stretch of standing is a rep."""
    reps: list[Rep] = []
    for i, run in enumerate(rec.runs):
        if not run.airborne or i == 0:
            continue
        index = len(reps)
        flight, landing = _edited_flight(rec, index, run, _next(rec, i))
        rep = _standing_jump(rec, index, rec.runs[i - 1], flight, landing)
        if rep is not None:
            reps.append(rep)
    return reps


def _edit(rec: _Recording, rep: int, event: str) -> int | None:
    """The sample a person moved ``event`` of ``rep`` to, if they did (the last edit wins)."""
    moved = [e.time_s for e in rec.params.edits if e.rep == rep and e.event == event]
    return _nearest(rec.t, moved[-1]) if moved else None


def _edited_flight(
    rec: _Recording, rep: int, flight: Run, landing: Run | None
) -> tuple[Run, Run | None]:
    take_off = _edit(rec, rep, "take_off")
    touch_down = _edit(rec, rep, "landing")
    first = flight.first if take_off is None else take_off
    if landing is None:
        return Run(first, flight.last, True), None
    land = landing.first if touch_down is None else touch_down
    if not 0 < first < land <= landing.last:
        raise ValidationError(
            f"edits: rep {rep} would take off at {rec.t[first]:.3f} s and land at "
            f"{rec.t[land]:.3f} s; take-off must come before landing, inside the contact"
        )
    return Run(first, land - 1, True), Run(land, landing.last, False)


def _standing_jump(
    rec: _Recording,
    index: int,
    contact: Run,
    flight: Run,
    landing: Run | None,
) -> Rep | None:
    take_off = flight.first
    weigh_start, edited_onset = _edit(rec, index, "weigh_start"), _edit(rec, index, "onset")
    if weigh_start is None:
        weighing, checks = _weigh(rec, [(contact.first, take_off - 1)])
    else:
        weighing, checks = _given_weighing(rec, index, weigh_start)
    onset = _onset(rec, weighing, take_off) if edited_onset is None else edited_onset
    if not onset < take_off:
        raise ValidationError(f"edits: rep {index}'s onset must come before its take-off")
    motion = integrate_motion(rec.t, rec.total, weighing.weight_n, onset)
    take_off_velocity, _ = motion.at(take_off)
    flight_s = flight.duration_s(rec.t)
    off_plate = flight_s > MAX_FLIGHT_S or landing is None
    if flight_s > MAX_FLIGHT_S and take_off_velocity < MIN_JUMP_VELOCITY_M_S:
        return None  # the athlete stepped off the plate
    events = {
        "weigh_start": float(rec.t[weighing.first]),
        "weigh_end": float(rec.t[weighing.last]),
        "onset": float(rec.t[onset]),
        "take_off": float(rec.t[take_off]),
    }
    metrics: dict[str, float | None] = {
        "body_weight_n": weighing.weight_n,
        "mass_kg": weighing.weight_n / GRAVITY,
        "take_off_velocity_m_s": take_off_velocity,
        "jump_height_impulse_m": take_off_height(take_off_velocity),
        "time_to_take_off_s": float(rec.t[take_off] - rec.t[onset]),
    }
    metrics["rsi_modified_m_s"] = _ratio(
        metrics["jump_height_impulse_m"], metrics["time_to_take_off_s"]
    )
    phases, phase_metrics, sides = _take_off_phases(rec, weighing, motion, onset, take_off)
    metrics.update(phase_metrics)
    events.update(
        {p.name + "_end": p.end_s for p in phases if p.name in ("unweighting", "braking")}
    )
    checks += _take_off_checks(rec, motion, onset, take_off)
    if off_plate:
        checks.append(_off_plate_check(flight_s, landing is None))
    else:
        assert landing is not None
        metrics["flight_time_s"] = flight_s
        metrics["jump_height_flight_m"] = flight_height(flight_s)
        events["landing"] = float(rec.t[landing.first])
        landing_phase, landing_metrics, landing_sides = _landing(rec, weighing, motion, landing)
        phases += landing_phase
        metrics.update(landing_metrics)
        _merge_sides(sides, landing_sides)
        events.update(_landing_events(rec, landing_phase, landing_metrics))
        checks += _heights_check(metrics)
    phases.append(Phase("weighing", events["weigh_start"], events["weigh_end"]))
    if "landing" in events:
        phases.append(Phase("flight", events["take_off"], events["landing"]))
    return Rep(
        index,
        events,
        tuple(sorted(phases, key=lambda p: p.start_s)),
        metrics,
        sides,
        (),
        tuple(checks),
    )


def _take_off_phases(
    rec: _Recording, weighing: _Weighing, motion: Motion, onset: int, take_off: int
) -> tuple[list[Phase], dict[str, float | None], dict[str, dict[str, float | None]]]:
    """Unweighting (onset → peak downward velocity), braking (→ velocity 0, the lowest point)
    and propulsion (→ take-off); a squat jump without a countermovement is propulsion only."""
    velocity = motion.velocity[: take_off - onset + 1]
    displacement = motion.displacement[: take_off - onset + 1]
    lowest_v = int(np.argmin(velocity))
    metrics: dict[str, float | None] = {
        "countermovement_depth_m": max(0.0, -float(displacement.min())),
    }
    bounds: list[tuple[str, int, int]] = []
    if velocity[lowest_v] < -quality.BOUNCE_VELOCITY_M_S:
        unweighting_end = onset + lowest_v
        rising = np.flatnonzero(velocity[lowest_v:] >= 0)
        braking_end = unweighting_end + int(rising[0]) if rising.size else take_off
        bounds = [
            ("unweighting", onset, unweighting_end),
            ("braking", unweighting_end, braking_end),
        ]
        bounds.append(("propulsion", braking_end, take_off))
        duration = float(rec.t[braking_end] - rec.t[unweighting_end])
        rise = float(rec.total[braking_end] - rec.total[unweighting_end])
        metrics["braking_rfd_n_per_s"] = rise / duration if duration > 0 else None
    else:
        bounds = [("propulsion", onset, take_off)]
    phases: list[Phase] = []
    sides: dict[str, dict[str, float | None]] = {name: {} for name in rec.sides}
    for name, first, last in bounds:
        phases.append(Phase(name, float(rec.t[first]), float(rec.t[last])))
        metrics.update(_phase_metrics(rec, weighing, motion, name, first, last))
        _merge_sides(sides, _side_metrics(rec, weighing, name, first, last))
    return phases, metrics, sides


def _phase_metrics(
    rec: _Recording, weighing: _Weighing, motion: Motion, name: str, first: int, last: int
) -> dict[str, float | None]:
    t = rec.t[first : last + 1]
    force = rec.total[first : last + 1]
    velocity = motion.velocity[first - motion.start : last - motion.start + 1]
    power = motion.power[first - motion.start : last - motion.start + 1]
    duration = float(t[-1] - t[0])
    return {
        f"{name}_duration_s": duration,
        f"{name}_net_impulse_n_s": float(cumulative_trapezoid(t, force - weighing.weight_n)[-1]),
        f"{name}_mean_force_n": _mean(t, force),
        f"{name}_peak_force_n": float(force.max()),
        f"{name}_mean_velocity_m_s": _mean(t, velocity),
        f"{name}_peak_velocity_m_s": float(velocity[int(np.argmax(np.abs(velocity)))]),
        f"{name}_mean_power_w": _mean(t, power),
        f"{name}_peak_power_w": float(power[int(np.argmax(np.abs(power)))]),
    }


def _side_metrics(
    rec: _Recording, weighing: _Weighing, name: str, first: int, last: int
) -> dict[str, dict[str, float | None]]:
    t = rec.t[first : last + 1]
    return {
        side: {
            f"{name}_net_impulse_n_s": float(
                cumulative_trapezoid(t, force[first : last + 1] - weighing.side_weights[side])[-1]
            ),
            f"{name}_peak_force_n": float(force[first : last + 1].max()),
        }
        for side, force in rec.sides.items()
    }


def _merge_sides(
    into: dict[str, dict[str, float | None]], more: dict[str, dict[str, float | None]]
) -> None:
    for side, values in more.items():
        into.setdefault(side, {}).update(values)


def _mean(t: FloatArray, values: FloatArray) -> float | None:
    """Time-weighted mean (trapezoid integral / duration); None for a single sample."""
    duration = float(t[-1] - t[0])
    return float(cumulative_trapezoid(t, values)[-1]) / duration if duration > 0 else None


def _ratio(top: float | None, bottom: float | None) -> float | None:
    return None if top is None or not bottom else top / bottom


def _landing(
    rec: _Recording, weighing: _Weighing, motion: Motion | None, landing: Run
) -> tuple[list[Phase], dict[str, float | None], dict[str, dict[str, float | None]]]:
    """Landing: first contact → the CoM's lowest point (velocity back to 0), and stabilisation.

    Without a velocity (a drop landing with no drop height) the landing phase is the first
    ``UNKNOWN_LANDING_S`` of the contact, so a later jump's forces never count as landing."""
    first, last = landing.first, landing.last
    end = min(last, _nearest(rec.t, float(rec.t[first]) + UNKNOWN_LANDING_S))
    if motion is not None:
        velocity = motion.velocity[first - motion.start : last - motion.start + 1]
        rising = np.flatnonzero(velocity >= 0)
        end = first + int(rising[0]) if rising.size else last
    metrics: dict[str, float | None] = {
        "peak_landing_force_n": float(rec.total[first : end + 1].max()),
        "landing_duration_s": float(rec.t[end] - rec.t[first]),
        "landing_net_impulse_n_s": float(
            cumulative_trapezoid(
                rec.t[first : end + 1], rec.total[first : end + 1] - weighing.weight_n
            )[-1]
        ),
        "time_to_stabilisation_s": _time_to_stabilisation(rec, weighing, first, last),
    }
    sides = _side_metrics(rec, weighing, "landing", first, end)
    return [Phase("landing", float(rec.t[first]), float(rec.t[end]))], metrics, sides


def _time_to_stabilisation(
    rec: _Recording, weighing: _Weighing, first: int, last: int
) -> float | None:
    """From first contact to the first sample after which force stays within ±5 % of body
    weight for ``STABLE_FOR_S`` (or to the end of the contact)."""
    outside = (
        np.abs(rec.total[first : last + 1] - weighing.weight_n) > STABLE_BAND * weighing.weight_n
    )
    t = rec.t[first : last + 1]
    breaks = np.flatnonzero(outside)
    starts = np.concatenate(([0], breaks + 1))  # candidate stable starts
    for start in starts:
        if start >= t.size:
            return None
        nxt = breaks[breaks >= start]
        stable_until = (
            t[nxt[0]] if nxt.size else t[-1] + (STABLE_FOR_S if last == rec.t.size - 1 else 0)
        )
        if nxt.size == 0 or stable_until - t[start] >= STABLE_FOR_S:
            return float(t[start] - t[0])
    return None


def _landing_events(
    rec: _Recording, landing_phase: list[Phase], metrics: dict[str, float | None]
) -> dict[str, float]:
    events = {"landing_end": landing_phase[0].end_s}
    settle = metrics.get("time_to_stabilisation_s")
    if settle is not None:
        events["stabilised"] = landing_phase[0].start_s + settle
    return events


# --- checks ------------------------------------------------------------------------------------


def _take_off_checks(rec: _Recording, motion: Motion, onset: int, take_off: int) -> list[Check]:
    checks: list[Check] = []
    velocity = motion.velocity[: take_off - onset + 1]
    depth = -float(motion.displacement[: take_off - onset + 1].min())
    if rec.params.test_type == "squat_jump" and depth > quality.SQUAT_DIP_M:
        checks.append(
            Check(
                CheckCode.COUNTERMOVEMENT_IN_SQUAT_JUMP,
                f"the centre of mass dipped {depth * 1000:.0f} mm before take-off (limit "
                f"{quality.SQUAT_DIP_M * 1000:.0f} mm): a countermovement, not a squat jump",
            )
        )
    downs = quality.bounce_count(velocity)
    if downs > 1:
        checks.append(
            Check(
                CheckCode.DOUBLE_BOUNCE,
                f"the centre of mass moved down {downs} separate times before take-off: a double "
                "bounce or a step; phase numbers describe the last dip only",
            )
        )
    return checks


def _off_plate_check(flight_s: float, unfinished: bool) -> Check:
    if unfinished:
        return Check(CheckCode.NO_LANDING, "the recording ends in the air: no landing to analyse")
    return Check(
        CheckCode.OFF_PLATE,
        f"the plate was unloaded for {flight_s:.2f} s (a jump's flight is under "
        f"{MAX_FLIGHT_S:g} s): the landing was off the plate; flight time and landing "
        "numbers are left out",
    )


def _heights_check(metrics: dict[str, float | None]) -> list[Check]:
    impulse, flight = metrics.get("jump_height_impulse_m"), metrics.get("jump_height_flight_m")
    if impulse is None or flight is None or abs(impulse - flight) <= quality.HEIGHT_AGREEMENT_M:
        return []
    return [
        Check(
            CheckCode.HEIGHTS_DISAGREE,
            f"jump height is {impulse * 100:.1f} cm by impulse but {flight * 100:.1f} cm by flight "
            f"time (limit {quality.HEIGHT_AGREEMENT_M * 100:.0f} cm): part of the take-off or "
            "landing was off the plate, or the athlete landed in another posture",
        )
    ]


# --- drop jumps, landings and rebound hops ----------------------------------------------------


def _arrivals(rec: _Recording) -> list[int]:
    """Runs where the athlete arrives on the plate from off it (a drop)."""
    return [
        i
        for i, run in enumerate(rec.runs)
        if not run.airborne
        and i > 0
        and (i == 1 or rec.runs[i - 1].duration_s(rec.t) > MAX_FLIGHT_S)
        and rec.runs[i - 1].airborne
    ]


def _drop_reps(rec: _Recording) -> list[Rep]:
    reps: list[Rep] = []
    for i in _arrivals(rec):
        reps.append(_drop(rec, len(reps), i))
    return reps


def _drop(rec: _Recording, index: int, arrival: int) -> Rep:
    contact = rec.runs[arrival]
    flight = _next(rec, arrival)
    jumped = (
        rec.params.test_type == "drop_jump"
        and flight is not None
        and flight.duration_s(rec.t) <= MAX_FLIGHT_S
    )
    landing = _next(rec, arrival + 1) if jumped else contact
    stance = landing if landing is not None else contact
    weighing, checks = _weigh(rec, [(stance.first, stance.last)])
    drop_v = (
        -math.sqrt(2.0 * GRAVITY * rec.params.drop_height_m) if rec.params.drop_height_m else None
    )
    motion = (
        integrate_motion(rec.t, rec.total, weighing.weight_n, contact.first, drop_v)
        if drop_v is not None
        else None
    )
    events = {
        "weigh_start": float(rec.t[weighing.first]),
        "weigh_end": float(rec.t[weighing.last]),
        "contact": float(rec.t[contact.first]),
    }
    metrics: dict[str, float | None] = {
        "body_weight_n": weighing.weight_n,
        "mass_kg": weighing.weight_n / GRAVITY,
    }
    phases = [Phase("weighing", events["weigh_start"], events["weigh_end"])]
    sides: dict[str, dict[str, float | None]] = {}
    if jumped:
        assert flight is not None
        contact_s = float(rec.t[flight.first] - rec.t[contact.first])
        flight_s = flight.duration_s(rec.t)
        height = flight_height(flight_s)
        events["take_off"] = float(rec.t[flight.first])
        metrics.update(
            {
                "contact_time_s": contact_s,
                "flight_time_s": flight_s,
                "jump_height_flight_m": height,
                "rsi_m_s": height / contact_s,
                "peak_impact_force_n": float(rec.total[contact.first : flight.first].max()),
            }
        )
        phases.append(Phase("contact", events["contact"], events["take_off"]))
        _merge_sides(sides, _side_metrics(rec, weighing, "contact", contact.first, flight.first))
        if motion is not None:
            v, _ = motion.at(flight.first)
            metrics["take_off_velocity_m_s"] = v
            metrics["jump_height_impulse_m"] = take_off_height(v)
        if landing is None:
            checks.append(_off_plate_check(flight_s, True))
        else:
            events["landing"] = float(rec.t[landing.first])
            phases.append(Phase("flight", events["take_off"], events["landing"]))
    if landing is not None:
        if motion is None and jumped:  # touch-down velocity from the flight (same posture)
            touch_down = -GRAVITY * float(metrics["flight_time_s"] or 0.0) / 2.0
            motion = integrate_motion(
                rec.t, rec.total, weighing.weight_n, landing.first, touch_down
            )
        landing_phase, landing_metrics, landing_sides = _landing(rec, weighing, motion, landing)
        phases += landing_phase
        metrics.update(landing_metrics)
        _merge_sides(sides, landing_sides)
        events.update(_landing_events(rec, landing_phase, landing_metrics))
        events.setdefault("landing", float(rec.t[landing.first]))
    return Rep(
        index,
        events,
        tuple(sorted(phases, key=lambda p: p.start_s)),
        metrics,
        sides,
        (),
        tuple(checks),
    )


def _rebound_reps(rec: _Recording) -> list[Rep]:
    """Rebound hops: each contact between two flights is a hop; one set per recording."""
    flights = _rebound_flights(rec)
    if not flights:
        return []
    before = rec.runs[flights[0] - 1]
    weighing, checks = _weigh(
        rec, [(before.first, before.last), (rec.runs[-1].first, rec.runs[-1].last)]
    )
    hops = [_hop(rec, weighing, rec.runs[a + 1], rec.runs[a + 2]) for a in _hop_starts(rec)]
    best = sorted(hops, key=lambda hop: hop["rsi_m_s"], reverse=True)[:BEST_HOPS]
    metrics: dict[str, float | None] = {
        "body_weight_n": weighing.weight_n,
        "mass_kg": weighing.weight_n / GRAVITY,
        "hop_count": float(len(hops)),
        "best_rsi_m_s": best[0]["rsi_m_s"] if best else None,
        "mean_rsi_best_hops_m_s": float(np.mean([hop["rsi_m_s"] for hop in best]))
        if best
        else None,
        "mean_contact_time_best_hops_s": float(np.mean([hop["contact_time_s"] for hop in best]))
        if best
        else None,
        "mean_jump_height_best_hops_m": float(
            np.mean([hop["jump_height_flight_m"] for hop in best])
        )
        if best
        else None,
    }
    events = {
        "weigh_start": float(rec.t[weighing.first]),
        "weigh_end": float(rec.t[weighing.last]),
        "take_off": float(rec.t[rec.runs[flights[0]].first]),
    }
    phases = [Phase("weighing", events["weigh_start"], events["weigh_end"])]
    phases += [Phase("contact", hop["contact_s"], hop["take_off_s"]) for hop in hops]
    return [Rep(0, events, tuple(phases), metrics, {}, tuple(hops), tuple(checks))]


def _rebound_flights(rec: _Recording) -> list[int]:
    """The runs that are a hop's flight (not the first stance, nor a step off)."""
    return [
        i
        for i, run in enumerate(rec.runs)
        if run.airborne and run.duration_s(rec.t) <= MAX_FLIGHT_S and 0 < i < len(rec.runs) - 1
    ]


def _hop_starts(rec: _Recording) -> list[int]:
    """The flight before each hop: a hop is the contact after it and the flight after that."""
    flights = _rebound_flights(rec)
    return [a for a, b in zip(flights, flights[1:], strict=False) if b == a + 2]


def _hop(rec: _Recording, weighing: _Weighing, contact: Run, flight: Run) -> dict[str, Any]:
    """One rebound hop: contact and flight numbers, and each side's contact net impulse and
    peak force with their asymmetry (as a drop jump's contact)."""
    contact_s = float(rec.t[flight.first] - rec.t[contact.first])
    flight_s = flight.duration_s(rec.t)
    height = flight_height(flight_s)
    sides = _side_metrics(rec, weighing, "contact", contact.first, flight.first)
    return {
        "contact_s": float(rec.t[contact.first]),
        "take_off_s": float(rec.t[flight.first]),
        "contact_time_s": contact_s,
        "flight_time_s": flight_s,
        "jump_height_flight_m": height,
        "rsi_m_s": height / contact_s,
        "peak_force_n": float(rec.total[contact.first : flight.first].max()),
        "sides": sides,
        "asymmetry": _asymmetry_dict(sides),
    }


# --- events moved by hand on drop jumps, drop landings and rebound hops -----------------------


def _drop_moves(rec: _Recording) -> dict[int, int]:
    """Run index → its new first sample, for each edit of a drop rep (the last edit wins)."""
    arrivals = _arrivals(rec)
    moves: dict[int, int] = {}
    for edit in rec.params.edits:
        if edit.rep >= len(arrivals):
            raise ValidationError(
                f"edits: rep {edit.rep} does not exist (the test has {len(arrivals)} reps)"
            )
        run = arrivals[edit.rep] + _DROP_RUN_OFFSET[edit.event]
        if run >= len(rec.runs):
            raise ValidationError(f"edits: rep {edit.rep} has no {edit.event} to move")
        moves[run] = _nearest(rec.t, edit.time_s)
    return moves


def _hop_moves(rec: _Recording) -> dict[int, int]:
    """Run index → its new first sample, for each edit of a rebound hop."""
    starts = _hop_starts(rec)
    moves: dict[int, int] = {}
    for edit in rec.params.edits:
        hop = edit.hop if edit.hop is not None else -1
        if edit.rep != 0 or not 0 <= hop < len(starts):
            raise ValidationError(
                f"edits: rep {edit.rep} hop {edit.hop} does not exist (a rebound test is rep "
                f"0 with {len(starts)} hops)"
            )
        moves[starts[hop] + (1 if edit.event == "contact" else 2)] = _nearest(rec.t, edit.time_s)
    return moves


def _moved(rec: _Recording, moves: dict[int, int]) -> _Recording:
    """The recording with each moved run starting at its new sample (the run before it ends
    one sample earlier); a move must keep every run at least one sample long."""
    runs = list(rec.runs)
    for i, first in sorted(moves.items()):
        before, run = runs[i - 1], runs[i]
        if not before.first < first <= run.last:
            what = "take-off" if run.airborne else "contact"
            raise ValidationError(
                f"edits: a {what} moved to {rec.t[first]:.3f} s leaves its stretch "
                f"({rec.t[before.first]:.3f}–{rec.t[run.last]:.3f} s)"
            )
        runs[i - 1] = Run(before.first, first - 1, before.airborne)
        runs[i] = Run(first, run.last, run.airborne)
    return dataclasses.replace(rec, runs=runs)


def _next(rec: _Recording, i: int) -> Run | None:
    return rec.runs[i + 1] if i + 1 < len(rec.runs) else None


#: Test types whose edits move the start of a contact or airborne run (CMJ and squat jump
#: edits are applied per rep: their weighing and onset are not run boundaries).
_MOVED_RUNS = {"drop_jump": _drop_moves, "drop_landing": _drop_moves, "rebound": _hop_moves}

_REPS_BY_TYPE = {
    "cmj": _countermovement_reps,
    "squat_jump": _countermovement_reps,
    "drop_jump": _drop_reps,
    "drop_landing": _drop_reps,
    "rebound": _rebound_reps,
}
