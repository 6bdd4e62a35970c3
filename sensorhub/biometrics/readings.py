"""Wearable readings: from what a device sent to what we store and broadcast."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple, Protocol

import numpy as np
import numpy.typing as npt

# The seed's rule: the model's sigmoid output above 0.5 means "Stressed".
STRESS_THRESHOLD = 0.5


class Predictor(Protocol):
    """What processing needs from a stress model."""

    name: str

    def predict_proba(self, features: npt.NDArray[np.float32]) -> npt.NDArray[np.floating]: ...


# Readings are NamedTuples, not frozen dataclasses: a batch makes one of each per reading on
# the ingest path, and a frozen dataclass's __init__ costs ~3 times as much (bench/README.md).
class Reading(NamedTuple):
    """One reading as a device sent it (already validated by a transport)."""

    bvp: float
    temperature: float
    acc_x: float
    acc_y: float
    acc_z: float
    device_id: str = "default"
    device_timestamp: str | None = None


class ProcessedReading(NamedTuple):
    """A reading with its derived values; ``id`` is set once it is stored (the last field)."""

    device_id: str
    received_at: float
    device_timestamp: str | None
    bvp: float
    temperature: float
    acc_x: float
    acc_y: float
    acc_z: float
    acceleration_magnitude: float
    stress_probability: float
    prediction: str
    model: str
    id: int | None = None


def acceleration_magnitude(x: float, y: float, z: float) -> float:
    """√(x²+y²+z²) rounded to 4 decimals, as the seed returns it (hypot cannot overflow)."""
    return round(math.hypot(x, y, z), 4)


def classify(probability: float) -> str:
    return "Stressed" if probability > STRESS_THRESHOLD else "Calm"


def process_readings(
    readings: Sequence[Reading], model: Predictor, received_at: float
) -> list[ProcessedReading]:
    """Derive magnitude and prediction for a whole batch with one model call."""
    magnitudes = [acceleration_magnitude(r.acc_x, r.acc_y, r.acc_z) for r in readings]
    features = np.array(
        [(r.bvp, r.temperature, m) for r, m in zip(readings, magnitudes, strict=True)],
        dtype=np.float32,
    ).reshape(len(readings), 3)
    probabilities = model.predict_proba(features).astype(float).tolist()
    name = model.name
    return [
        ProcessedReading(
            r.device_id,
            received_at,
            r.device_timestamp,
            r.bvp,
            r.temperature,
            r.acc_x,
            r.acc_y,
            r.acc_z,
            m,
            p,
            classify(p),
            name,
        )  # fmt: skip
        for r, m, p in zip(readings, magnitudes, probabilities, strict=True)
    ]
