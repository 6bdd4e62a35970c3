"""Analysing a recorded test: raw samples + the calibration they were recorded with → IMTP."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from sensorhub.errors import ValidationError
from sensorhub.loadcell.calibration import Calibration
from sensorhub.loadcell.imtp import AnalysisParams, ImtpResult, Reference, analyze
from sensorhub.loadcell.metrics import IMTP_METRICS
from sensorhub.loadcell.session import Sample

FloatArray = npt.NDArray[np.float64]
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

    def to_dict(self) -> dict[str, str]:
        return {"channels": self.channels, "reference": self.reference}

    @classmethod
    def of_calibration(cls, calibration: dict[str, Any]) -> RecordedAs:
        return cls(**calibration.get("recording", {}))


def analyze_samples(
    samples: Sequence[Sample],
    calibration: Calibration,
    params: AnalysisParams | None = None,
    recorded_as: RecordedAs = RecordedAs(),
) -> ImtpResult:
    """Convert raw ``(t, l, r)`` to newtons with ``calibration`` and analyse."""
    if not samples:
        raise ValidationError("the test has no samples to analyse")
    t_ms, left, right = newtons(samples, calibration, recorded_as)
    if left is None or right is None:
        return analyze(t_ms, total=newtons_total(samples, calibration), params=params)
    return analyze(t_ms, left, right, params=params)


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
) -> dict[str, Any]:
    """What is stored with a test: the full result and its summary, or why there is none.

    The reference comes from how the test was recorded, whatever ``params`` say."""
    params = dataclasses.replace(params or AnalysisParams(), reference=recorded_as.reference)
    try:
        result = analyze_samples(samples, calibration, params, recorded_as)
    except ValidationError as exc:
        return {"params": params.to_dict(), "error": exc.message, "summary": None}
    return {"params": params.to_dict(), "summary": summarize(result), "result": result.to_dict()}
