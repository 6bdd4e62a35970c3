"""Wire contracts shared by every transport (HTTP, Socket.IO, serial): shapes in, shapes out.

Numbers are strict: a string, a boolean, ``null``, NaN, ±Infinity or 1e999 where a number
belongs is refused with the field named, never coerced.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints

from sensorhub.biometrics.readings import ProcessedReading, Reading
from sensorhub.types import JSONDict

# Bounded so float32 model inputs and squares stay finite; real sensors sit far inside.
FiniteNumber = Annotated[float, Field(strict=True, allow_inf_nan=False, ge=-1e9, le=1e9)]
DeviceId = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")
]
DeviceTimestamp = StrictInt | FiniteNumber | Annotated[str, StringConstraints(max_length=64)]
MAX_BATCH = 1000


class _In(BaseModel):
    # Unknown fields are ignored so newer firmware can send more without breaking.
    model_config = ConfigDict(extra="ignore", frozen=True)


class AccelerationIn(_In):
    x: FiniteNumber = Field(description="g")
    y: FiniteNumber = Field(description="g")
    z: FiniteNumber = Field(description="g")


class ReadingIn(_In):
    """A wearable reading, as the seed's ESP32 posts it."""

    bvp: FiniteNumber = Field(description="blood volume pulse, sensor units")
    temperature: FiniteNumber = Field(description="skin temperature, °C")
    acceleration: AccelerationIn
    device_id: DeviceId = "default"
    timestamp: DeviceTimestamp | None = Field(None, description="the device's own clock")

    def to_reading(self) -> Reading:
        acc = self.acceleration
        stamp = None if self.timestamp is None else str(self.timestamp)
        return Reading(self.bvp, self.temperature, acc.x, acc.y, acc.z, self.device_id, stamp)


class ReadingBatchIn(_In):
    readings: list[ReadingIn] = Field(min_length=1, max_length=MAX_BATCH)


class ReadingOut(BaseModel):
    """One processed reading: the seed's ``data`` object plus additive fields."""

    bvp: float
    temperature: float
    acceleration_magnitude: float
    prediction: Literal["Calm", "Stressed"]
    timestamp: str = Field(description="server receive time, ISO-8601 UTC")
    stress_probability: float
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


class ErrorResponse(BaseModel):
    status: Literal["error"]
    message: str
    code: str


def iso_time(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="milliseconds")


def reading_payload(reading: ProcessedReading) -> JSONDict:
    """The ``data`` object of the HTTP reply and of the ``stream`` event."""
    return {
        "bvp": reading.bvp,
        "temperature": reading.temperature,
        "acceleration_magnitude": reading.acceleration_magnitude,
        "prediction": reading.prediction,
        "timestamp": iso_time(reading.received_at),
        "stress_probability": round(reading.stress_probability, 6),
        "device_id": reading.device_id,
        "device_timestamp": reading.device_timestamp,
        "id": reading.id,
    }
