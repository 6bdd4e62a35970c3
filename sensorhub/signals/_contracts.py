"""The wire contract of a wearable's signal batch (``POST /api/wearable/signals`` and the
``signals`` event on Socket.IO and ``/ws``): shapes in, the acknowledgement out."""

from __future__ import annotations

from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, StrictInt, model_validator
from pydantic_core import PydanticCustomError

from sensorhub import physio, wire
from sensorhub.contracts import Acceleration, Bvp, Celsius, DeviceId
from sensorhub.types import JSONDict

# The device's clock in ms: since boot or since the epoch (≈1.8e12), never beyond 2^53.
DeviceMs = Annotated[float, Field(strict=True, allow_inf_nan=False, ge=0, le=2**53)]


class _In(BaseModel):
    # As every contract: unknown fields are ignored, so newer firmware can send more.
    model_config = ConfigDict(extra="ignore", frozen=True)


def _hz(bounds: tuple[float, float], e4_hz: float) -> Any:
    """The rate's field; the Empatica E4's rate is its example."""
    low, high = bounds
    return Field(
        strict=True,
        allow_inf_nan=False,
        ge=low,
        le=high,
        description="samples per second",
        examples=[e4_hz],
    )


def _check_duration(count: int, hz: float) -> None:
    if count / hz > wire.MAX_SIGNAL_SECONDS:
        limit = wire.MAX_SIGNAL_SECONDS
        message = f"at most {limit:g} s per batch ({count} samples at {hz:g} Hz is longer)"
        raise PydanticCustomError("too_long", message)


class BvpIn(_In):
    hz: float = _hz(wire.BVP_HZ, 64.0)
    values: list[Bvp] = Field(
        min_length=1, description="blood volume pulse, sensor units", examples=[[0.51, 0.55, 0.6]]
    )

    @model_validator(mode="after")
    def _short_enough(self) -> Self:
        _check_duration(len(self.values), self.hz)
        return self


class TemperatureIn(_In):
    hz: float = _hz(wire.TEMPERATURE_HZ, 4.0)
    values: list[Celsius] = Field(
        min_length=1, description="skin temperature, °C", examples=[[33.5, 33.5, 33.6, 33.6]]
    )

    @model_validator(mode="after")
    def _short_enough(self) -> Self:
        _check_duration(len(self.values), self.hz)
        return self


class AccIn(_In):
    hz: float = _hz(wire.ACC_HZ, 32.0)
    x: list[Acceleration] = Field(min_length=1, description="g", examples=[[0.02, 0.03]])
    y: list[Acceleration] = Field(min_length=1, description="g", examples=[[-0.01, -0.01]])
    z: list[Acceleration] = Field(min_length=1, description="g", examples=[[0.98, 0.99]])

    @model_validator(mode="after")
    def _aligned(self) -> Self:
        if not len(self.x) == len(self.y) == len(self.z):
            raise PydanticCustomError(
                "axes", "x, y and z must have as many samples ({x}, {y}, {z})",
                {"x": len(self.x), "y": len(self.y), "z": len(self.z)},
            )  # fmt: skip
        _check_duration(len(self.x), self.hz)
        return self


class SignalBatchIn(_In):
    """A batch of a wearable's signals; each channel optional, at its own rate."""

    device_id: DeviceId = Field("default", examples=["wrist-1"])
    boot: DeviceId | None = Field(
        None,
        description="picked at power-up (random): a restarted device is a new stream",
        examples=["a3f9c2"],
    )
    seq: StrictInt = Field(
        ge=0, le=2**53, description="grows by batch; a replay repeats it", examples=[0]
    )
    t0: DeviceMs = Field(
        description="the device's time of every channel's first sample, ms", examples=[10_000]
    )
    bvp: BvpIn | None = None
    temperature: TemperatureIn | None = None
    acc: AccIn | None = None

    @model_validator(mode="after")
    def _some_channel(self) -> Self:
        if self.bvp is None and self.temperature is None and self.acc is None:
            raise PydanticCustomError("no_channel", "send at least one of bvp, temperature, acc")
        return self

    def to_batch(self) -> physio.SignalBatch:
        channels: dict[str, physio.Samples] = {}
        if self.bvp is not None:
            channels[physio.BVP] = physio.samples(self.bvp.hz, self.bvp.values)
        if self.temperature is not None:
            channels[physio.TEMPERATURE] = physio.samples(
                self.temperature.hz, self.temperature.values
            )
        if self.acc is not None:
            axes = list(zip(self.acc.x, self.acc.y, self.acc.z, strict=True))
            channels[physio.ACC] = physio.samples(self.acc.hz, axes)
        boot = self.boot or ""
        return physio.SignalBatch(self.device_id, self.seq, self.t0, channels, boot)


class SignalAck(BaseModel):
    device_id: str
    boot: str | None
    seq: int
    duplicate: bool = Field(
        description="true: this very batch (same boot, seq and samples) was stored before"
    )
    samples: int = Field(description="values in the batch (acceleration counts 3 per sample)")


class SignalResponse(BaseModel):
    status: str = "success"
    data: SignalAck


def signals_payload(batch: physio.SignalBatch) -> JSONDict:
    """A batch as the device sent it: the ``signals`` event and the export's JSON shape."""
    payload: JSONDict = {"device_id": batch.device_id, "seq": batch.seq, "t0": batch.t0_ms}
    if batch.boot:
        payload["boot"] = batch.boot
    for name, samples in batch.channels.items():
        if name == physio.ACC:
            x, y, z = samples.values.T.tolist()
            payload[name] = {"hz": samples.hz, "x": x, "y": y, "z": z}
        else:
            payload[name] = {"hz": samples.hz, "values": samples.values.tolist()}
    return payload


def ack_payload(batch: physio.SignalBatch, stored: bool) -> JSONDict:
    ack = SignalAck(
        device_id=batch.device_id, boot=batch.boot or None, seq=batch.seq, duplicate=not stored,
        samples=batch.sample_count(),
    )  # fmt: skip
    return ack.model_dump()
