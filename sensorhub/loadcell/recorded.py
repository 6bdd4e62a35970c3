"""Analysing a recorded test: raw samples + their calibration → the IMTP or jump analysis."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, cast

import numpy as np
import numpy.typing as npt

from sensorhub.errors import ValidationError
from sensorhub.loadcell.calibration import Calibration
from sensorhub.loadcell.imtp import AnalysisParams, ImtpResult, Reference, analyze
from sensorhub.loadcell.jumps import (
    JUMP_METRICS,
    JUMP_TYPES,
    EventEdit,
    JumpParams,
    JumpResult,
    JumpType,
    analyze_jumps,
)
from sensorhub.loadcell.metrics import IMTP_METRICS, MetricSpec
from sensorhub.loadcell.session import Sample

FloatArray = npt.NDArray[np.float64]
#: What a test is of: the IMTP (the default) or one of the jump tests (docs/jumps.md).
TEST_TYPES: tuple[str, ...] = ("imtp", *JUMP_TYPES)
SUMMARY_WINDOW_MS = 200
SummaryMetric = Literal[
    "body_weight_n",
    "peak_force_n",
    "peak_net_force_n",
    "relative_peak_force_n_per_kg",
    "rfd_0_200_n_per_s",
    "asymmetry_pct",
    "peak_rfd_n_per_s",
    "peak_rfd_time_s",
    "best_1s_force_n",
]
#: A jump test's headline numbers (``JUMP_HEADLINES``): what its trends and squad view show.
JumpHeadline = Literal[
    "jump_height_impulse_m",
    "jump_height_flight_m",
    "take_off_velocity_m_s",
    "time_to_take_off_s",
    "rsi_modified_m_s",
    "countermovement_depth_m",
    "peak_landing_force_n",
    "rsi_m_s",
    "contact_time_s",
    "flight_time_s",
    "mean_rsi_best_hops_m_s",
    "best_rsi_m_s",
    "mean_contact_time_best_hops_s",
    "time_to_stabilisation_s",
]
#: A metric a trend can follow: an IMTP summary number, or a jump test's headline number.
TrendMetric = Literal[SummaryMetric, JumpHeadline]  # one flat Literal: one enum in the schema
#: The summary's numbers and their units: what trends, the squad view and reports can show.
SUMMARY_UNITS: dict[str, str] = {name: spec.unit for name, spec in IMTP_METRICS.items()}


@dataclass(frozen=True, slots=True)
class RecordedAs:
    """How a stored test's samples are read. Our plates record both sides against body
    weight; an import may hold one total force (in ``l``; ``r`` is 0) or a load cell in series
    with the bar (against its resting baseline). Kept under ``recording`` in the test's stored
    calibration, so a re-analysis reads the samples the same way."""

    channels: Literal["left_right", "total"] = "left_right"
    reference: Reference = "body_weight"
    test_type: str = "imtp"
    drop_height_m: float | None = None

    def __post_init__(self) -> None:
        if self.test_type not in TEST_TYPES:
            raise ValidationError(
                f"test_type must be one of {', '.join(TEST_TYPES)}, not {self.test_type!r}"
            )

    def to_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {"channels": self.channels, "reference": self.reference}
        if self.test_type != "imtp":  # IMTP rows stay as they were before jump tests
            found.update(test_type=self.test_type, drop_height_m=self.drop_height_m)
        return found

    @classmethod
    def of_calibration(cls, calibration: dict[str, Any]) -> RecordedAs:
        return cls(**calibration.get("recording", {}))


def analyze_samples(
    samples: Sequence[Sample],
    calibration: Calibration,
    params: AnalysisParams | None = None,
    recorded_as: RecordedAs = RecordedAs(),
    body_mass_kg: float | None = None,
) -> ImtpResult:
    """Convert raw ``(t, l, r)`` to newtons with ``calibration`` and analyse; ``body_mass_kg``
    is the athlete's stored mass (a cross-check, or the mass when the recording has none)."""
    if not samples:
        raise ValidationError("the test has no samples to analyse")
    t_ms, left, right = newtons(samples, calibration, recorded_as)
    if left is None or right is None:
        total = newtons_total(samples, calibration)
        return analyze(t_ms, total=total, params=params, body_mass_kg=body_mass_kg)
    return analyze(t_ms, left, right, params=params, body_mass_kg=body_mass_kg)


def newtons(
    samples: Sequence[Sample], calibration: Calibration, recorded_as: RecordedAs = RecordedAs()
) -> tuple[FloatArray, FloatArray | None, FloatArray | None]:
    """Raw ``(t, l, r)`` as device ms and newtons per side (sides None: one total force)."""
    raw = np.asarray(samples, dtype=np.float64).reshape(-1, 3)
    if recorded_as.channels == "total":
        return raw[:, 0], None, None
    left = (raw[:, 1] - calibration.l.offset) * calibration.l.scale
    right = (raw[:, 2] - calibration.r.offset) * calibration.r.scale
    return raw[:, 0], left, right


def newtons_total(samples: Sequence[Sample], calibration: Calibration) -> FloatArray:
    """The total force of a one-channel recording (held in ``l``)."""
    raw = np.asarray(samples, dtype=np.float64).reshape(-1, 3)
    return (raw[:, 1] - calibration.l.offset) * calibration.l.scale


def summarize(result: ImtpResult) -> dict[str, Any]:
    """The headline numbers a coach reads first (also sent in ``data_complete``)."""
    peak = result.peak
    window = result.window(SUMMARY_WINDOW_MS) if peak else None
    return {
        "body_weight_n": (
            result.weighing.body_weight_n if result.params.reference == "body_weight" else None
        ),
        "peak_force_n": peak.force_n if peak else None,
        "peak_net_force_n": peak.net_force_n if peak else None,
        "relative_peak_force_n_per_kg": peak.relative_force_n_per_kg if peak else None,
        "rfd_0_200_n_per_s": window.rfd_n_per_s if window else None,
        "asymmetry_pct": peak.asymmetry_pct if peak else None,
        "asymmetry_side": peak.stronger_side if peak else None,
        "peak_rfd_n_per_s": result.peak_rfd.rfd_n_per_s if result.peak_rfd else None,
        "peak_rfd_time_s": result.peak_rfd.time_s if result.peak_rfd else None,
        "best_1s_force_n": result.best_1s.force_n if result.best_1s else None,
        "flags": [flag.code.value for flag in result.flags],
    }


def analysis_record(
    samples: Sequence[Sample],
    calibration: Calibration,
    params: AnalysisParams | None = None,
    recorded_as: RecordedAs = RecordedAs(),
    body_mass_kg: float | None = None,
) -> dict[str, Any]:
    """What is stored with a test: the full result and its summary, or why there is none.

    The reference comes from how the test was recorded, whatever ``params`` say; a jump test
    is analysed as that jump (``params`` are the IMTP's and do not apply)."""
    if recorded_as.test_type != "imtp":
        return jump_record(samples, calibration, recorded_as)
    params = dataclasses.replace(params or AnalysisParams(), reference=recorded_as.reference)
    try:
        result = analyze_samples(samples, calibration, params, recorded_as, body_mass_kg)
    except ValidationError as exc:
        return {"params": params.to_dict(), "error": exc.message, "summary": None}
    return {"params": params.to_dict(), "summary": summarize(result), "result": result.to_dict()}


#: The numbers a jump test's summary shows first, per test type; the first one ranks the reps
#: in its documented "better" direction (the best rep's numbers are the summary): the highest
#: jump height or RSI, the lowest peak landing force of a drop landing.
JUMP_HEADLINES: dict[str, tuple[str, ...]] = {
    "cmj": (
        "jump_height_impulse_m",
        "jump_height_flight_m",
        "take_off_velocity_m_s",
        "time_to_take_off_s",
        "rsi_modified_m_s",
        "countermovement_depth_m",
        "peak_landing_force_n",
    ),
    "squat_jump": (
        "jump_height_impulse_m",
        "jump_height_flight_m",
        "take_off_velocity_m_s",
        "time_to_take_off_s",
        "peak_landing_force_n",
    ),
    "drop_jump": ("rsi_m_s", "jump_height_flight_m", "contact_time_s", "flight_time_s"),
    "rebound": ("mean_rsi_best_hops_m_s", "best_rsi_m_s", "mean_contact_time_best_hops_s"),
    "drop_landing": ("peak_landing_force_n", "time_to_stabilisation_s"),
}


def trend_metrics(method: str) -> dict[str, MetricSpec]:
    """The metrics a trend of ``method`` (a ``method_key``) can follow: a jump type's body
    weight and headline numbers (its tests' summaries hold those, of the best rep), else the
    IMTP summary's."""
    if method not in JUMP_HEADLINES:
        return IMTP_METRICS
    return {name: JUMP_METRICS[name] for name in ("body_weight_n", *JUMP_HEADLINES[method])}


def ranking_metric(method: str) -> str:
    """What picks a session's best test: peak force for an IMTP, the number that picks a jump
    test's best rep for a jump type (``summarize_jumps``)."""
    return JUMP_HEADLINES[method][0] if method in JUMP_HEADLINES else "peak_force_n"


def rank(method: str, value: float) -> float:
    """``value`` of ``ranking_metric(method)`` as a number that is larger the better (its
    documented direction): what picks the best rep of a test and the best trial of a session."""
    specs = JUMP_METRICS if method in JUMP_HEADLINES else IMTP_METRICS
    return specs[ranking_metric(method)].better.rank(value)


def jump_record(
    samples: Sequence[Sample],
    calibration: Calibration,
    recorded_as: RecordedAs,
    edits: tuple[EventEdit, ...] = (),
) -> dict[str, Any]:
    """``analysis_record`` of a jump test: every rep, and the best rep's numbers as summary;
    ``edits`` are events a person moved (kept in the stored params)."""
    params = JumpParams(
        test_type=cast("JumpType", recorded_as.test_type),
        drop_height_m=recorded_as.drop_height_m,
        edits=edits,
    )
    try:
        if not samples:
            raise ValidationError("the test has no samples to analyse")
        t_ms, left, right = newtons(samples, calibration, recorded_as)
        if left is None or right is None:
            total = newtons_total(samples, calibration)
            result = analyze_jumps(t_ms, total=total, params=params)
        else:
            result = analyze_jumps(t_ms, left, right, params=params)
    except ValidationError as exc:
        return {"params": params.to_dict(), "error": exc.message, "summary": None}
    return {
        "params": params.to_dict(),
        "summary": summarize_jumps(result),
        "result": result.to_dict(),
    }


def best_rep(test_type: str, reps: Sequence[dict[str, float | None]]) -> int | None:
    """The position in ``reps`` (each rep's metrics) of the best rep by ``rank``; the first of
    equals; None when no rep has the ranking number."""
    name = ranking_metric(test_type)
    ranked = [
        (rank(test_type, value), -i)
        for i, metrics in enumerate(reps)
        if (value := metrics.get(name)) is not None
    ]
    return -max(ranked)[1] if ranked else None


def summarize_jumps(result: JumpResult) -> dict[str, Any]:
    """The best rep's headline numbers (ranked by the type's first headline in its better
    direction, ``rank``), the rep count, and every check's code."""
    test_type = result.params.test_type
    headlines = JUMP_HEADLINES[test_type]
    found = best_rep(test_type, [rep.metrics for rep in result.reps])
    best = None if found is None else result.reps[found]
    checks = [check.code.value for check in result.checks]
    for rep in result.reps:
        checks += [check.code.value for check in rep.checks]
    summary: dict[str, Any] = {
        "test_type": result.params.test_type,
        "reps": len(result.reps),
        "best_rep": None if best is None else best.index,
        "body_weight_n": None if best is None else best.metrics.get("body_weight_n"),
    }
    summary.update({name: None if best is None else best.metrics.get(name) for name in headlines})
    summary["flags"] = sorted(set(checks))
    return summary
