"""Wire contracts shared by every transport (HTTP, Socket.IO, serial): shapes in, shapes out.

Numbers are strict: a string, a boolean, ``null``, NaN, ±Infinity or 1e999 where a number
belongs is refused with the field named, never coerced.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints
from pydantic import ValidationError as PydanticError

from sensorhub import wire
from sensorhub.biometrics import is_demo_model
from sensorhub.biometrics.readings import ProcessedReading, Reading
from sensorhub.errors import ValidationError
from sensorhub.types import JSONDict

# Bounded so float32 model inputs and squares stay finite; real sensors sit far inside.
FiniteNumber = Annotated[float, Field(strict=True, allow_inf_nan=False, ge=-1e9, le=1e9)]
# A wearable's channels within their sensors' full range (wire.py, docs/contracts.md).
Celsius = Annotated[FiniteNumber, Field(ge=wire.TEMPERATURE_C[0], le=wire.TEMPERATURE_C[1])]
Acceleration = Annotated[
    FiniteNumber, Field(ge=-wire.MAX_ACCELERATION_G, le=wire.MAX_ACCELERATION_G)
]
Bvp = Annotated[FiniteNumber, Field(ge=-wire.MAX_BVP, le=wire.MAX_BVP)]
DeviceId = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")
]
# A device's clock kept verbatim as text in a 64-character column (storage/_schema.py): an
# integer clock (ms since boot; epoch s, ms, µs or ns: 19 digits) has at most 20 digits. The
# bound 10²⁰ is exact as a float64, so the OpenAPI document's bound means the same to clients
# that read JSON numbers as doubles (2⁶³−1 would not).
DeviceClock = Annotated[StrictInt, Field(gt=-(10**20), lt=10**20)]
DeviceTimestamp = (
    DeviceClock
    | FiniteNumber
    | Annotated[str, StringConstraints(max_length=64, pattern=wire.TEXT_PATTERN)]
)
_M = TypeVar("_M", bound=BaseModel)


class _In(BaseModel):
    # Unknown fields are ignored so newer firmware can send more without breaking.
    model_config = ConfigDict(extra="ignore", frozen=True)


class AccelerationIn(_In):
    # A wrist at rest: gravity mostly on z.
    x: Acceleration = Field(description="g", examples=[0.02])
    y: Acceleration = Field(description="g", examples=[-0.01])
    z: Acceleration = Field(description="g", examples=[0.98])


class ReadingIn(_In):
    """A wearable reading, as the seed's ESP32 posts it."""

    bvp: Bvp = Field(description="blood volume pulse, sensor units", examples=[0.85])
    temperature: Celsius = Field(description="skin temperature, °C", examples=[33.5])
    acceleration: AccelerationIn
    device_id: DeviceId = Field("default", examples=["wrist-1"])
    timestamp: DeviceTimestamp | None = Field(
        None, description="the device's own clock", examples=[1767268800123]
    )

    def to_reading(self) -> Reading:
        acc = self.acceleration
        stamp = None if self.timestamp is None else str(self.timestamp)
        return Reading(self.bvp, self.temperature, acc.x, acc.y, acc.z, self.device_id, stamp)


class ReadingBatchIn(_In):
    readings: list[ReadingIn] = Field(min_length=1, max_length=wire.MAX_READINGS_PER_BATCH)


class ReadingOut(BaseModel):
    """One processed reading: the seed's ``data`` object plus additive fields."""

    bvp: float
    temperature: float
    acceleration_magnitude: float
    prediction: Literal["Calm", "Stressed"]
    timestamp: str = Field(description="server receive time, ISO-8601 UTC")
    stress_probability: float
    demo: bool = Field(description="the prediction is a bundled demo model's (synthetic data)")
    device_id: str
    device_timestamp: str | None
    id: int


class SensorDataResponse(BaseModel):
    status: Literal["success"]
    message: str
    data: ReadingOut


class BatchResponse(BaseModel):
    status: Literal["success"]
    data: list[ReadingOut]


class ReadingPage(BaseModel):
    status: Literal["success"]
    data: list[ReadingOut]
    next_before_id: int | None = Field(description="pass as before_id for the next page")


class ModelInfo(BaseModel):
    name: str
    source: str
    backend: str
    demo: bool


class HealthResponse(BaseModel):
    status: Literal["healthy"]
    model_loaded: bool
    timestamp: str
    model: ModelInfo
    version: str
    writer_backlog: int
    storage: Literal["ok", "unavailable"] = Field(
        description="unavailable from a failed commit until the next one succeeds"
    )
    auth: Literal["on", "off"] = Field(description="on: routes need a token (docs/security.md)")
    window_model: ModelInfo | None = Field(
        None, description="the model over window features (docs/signals.md), if any"
    )
    message_queue: Literal["ok", "reconnecting"] | None = Field(
        None,
        description="several processes only: whether the others' requests reach this one "
        "(reconnecting: Redis was lost, subscribing again)",
    )


class ErrorResponse(BaseModel):
    status: Literal["error"]
    message: str
    code: str


@functools.lru_cache(maxsize=256)  # a batch's readings share one time, and each is sent twice
def iso_time(seconds: float) -> str:
    """``seconds`` since the epoch as ISO-8601 UTC. A time outside years 1–9999 (a row
    stored before its range was checked) is written with an expanded year, ``+010000-…``
    (ISO 8601 §4.1.2.4, as JavaScript's ``Date`` reads it), so one bad row never breaks a read."""
    try:
        return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="milliseconds")
    except (OverflowError, ValueError, OSError):
        if not math.isfinite(seconds):
            raise
    cycles = math.floor(seconds / _GREGORIAN_CYCLE_S)  # whole cycles since 1970
    inside = datetime.fromtimestamp(seconds - cycles * _GREGORIAN_CYCLE_S, UTC)
    year = inside.year + 400 * cycles
    return f"{year:+07d}" + inside.isoformat(timespec="milliseconds")[4:]


# The Gregorian calendar repeats every 400 years (146 097 days): shifting a time by whole
# cycles into datetime's range leaves its month, day and clock time as they are.
_GREGORIAN_CYCLE_S = 146_097 * 86_400


def reading_payload(reading: ProcessedReading) -> JSONDict:
    """The ``data`` object of the HTTP reply and of the ``stream`` event."""
    return {
        "bvp": reading.bvp,
        "temperature": reading.temperature,
        "acceleration_magnitude": reading.acceleration_magnitude,
        "prediction": reading.prediction,
        "timestamp": iso_time(reading.received_at),
        "stress_probability": round(reading.stress_probability, 6),
        "demo": is_demo_model(reading.model),  # the prediction is a demo model's
        "device_id": reading.device_id,
        "device_timestamp": reading.device_timestamp,
        "id": reading.id,
    }


def validate(model: type[_M], data: Any) -> _M:
    """``model`` from ``data``, or our ``ValidationError`` naming the first bad field."""
    try:
        return model.model_validate(data)
    except PydanticError as exc:
        raise ValidationError(describe_errors(exc.errors())) from exc


def describe_errors(errors: Sequence[Any]) -> str:
    """``readings[3].bvp: must be a number, not a string (and 1 more problem)``."""
    first = errors[0]
    field = field_path(first["loc"])
    message = f"{field}: {_readable(first)}" if field else _readable(first)
    if len(errors) > 1:
        message += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    return message


def field_path(loc: Sequence[str | int]) -> str:
    """``("body", "readings", 3, "bvp")`` → ``readings[3].bvp``; the whole body is ``body``."""
    parts = loc[1:] if loc and loc[0] in ("body", "query", "path") else loc
    if not parts:
        return str(loc[0]) if loc else ""
    path = ""
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else f".{part}" if path else str(part)
    return path


def _readable(error: Any) -> str:
    if error["type"] == "missing":
        return "field required"
    if error["type"] == "finite_number":
        return "must be a finite number (not NaN or Infinity)"
    if error["type"] == "string_pattern_mismatch":
        pattern = error.get("ctx", {}).get("pattern")
        return wire.PATTERN_MEANINGS.get(pattern, f"must match {pattern}")
    if error["type"] in ("float_type", "int_type") and isinstance(error.get("input"), str):
        return "must be a number, not a string"
    if error["type"] == "string_too_short" and error.get("ctx", {}).get("min_length") == 1:
        return "must not be empty"
    message = str(error["msg"])
    for subject in ("Input should", "input should", "String should", "List should"):
        message = message.replace(subject, "must")
    return message
