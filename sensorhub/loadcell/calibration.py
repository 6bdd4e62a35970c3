"""Per-channel calibration: newtons = (raw − offset) × scale, for whatever the firmware sends."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

from sensorhub.errors import PlateNotReady, ValidationError

Channel = Literal["l", "r"]
GRAVITY = 9.81  # the same g the IMTP analysis uses for mass = weight / g


@dataclass(frozen=True, slots=True)
class ChannelCalibration:
    offset: float = 0.0
    scale: float = 1.0

    def to_newtons(self, raw: float) -> float:
        return (raw - self.offset) * self.scale


@dataclass(frozen=True, slots=True)
class Calibration:
    """Identity by default: firmware that already sends newtons needs no calibration."""

    l: ChannelCalibration = ChannelCalibration()  # noqa: E741 - the wire name of the channel
    r: ChannelCalibration = ChannelCalibration()

    def channel(self, name: Channel) -> ChannelCalibration:
        return self.l if name == "l" else self.r

    def with_channel(self, name: Channel, value: ChannelCalibration) -> Calibration:
        return replace(self, **{name: value})

    def to_dict(self) -> dict[str, dict[str, float]]:
        return {
            name: {"offset": c.offset, "scale": c.scale}
            for name, c in (("l", self.l), ("r", self.r))
        }

    @classmethod
    def from_dict(cls, data: dict[str, dict[str, float]]) -> Calibration:
        return cls(ChannelCalibration(**data["l"]), ChannelCalibration(**data["r"]))


def tare(calibration: Calibration, quiet: Sequence[tuple[float, float, float]]) -> Calibration:
    """Zero both channels at the mean of ``quiet`` raw samples ``(t, l, r)``; scales stay."""
    if not quiet:
        raise PlateNotReady("no recent samples to tare from: is the plate streaming?")
    offsets = [math.fsum(s[i] for s in quiet) / len(quiet) for i in (1, 2)]
    return Calibration(
        replace(calibration.l, offset=offsets[0]), replace(calibration.r, offset=offsets[1])
    )


def calibrate_channel(
    calibration: Calibration,
    channel: Channel,
    mass_kg: float,
    loaded: Sequence[tuple[float, float, float]],
) -> Calibration:
    """Set ``channel``'s scale so the mean of ``loaded`` raw samples reads ``mass_kg`` × g."""
    if not mass_kg > 0:
        raise ValidationError("mass_kg: must be greater than 0")
    if not loaded:
        raise PlateNotReady("no recent samples to calibrate from: is the plate streaming?")
    index = 1 if channel == "l" else 2
    current = calibration.channel(channel)
    delta = math.fsum(s[index] for s in loaded) / len(loaded) - current.offset
    if abs(delta) < 1e-9:
        raise PlateNotReady(
            f"channel {channel!r} reads the same as its zero: put the mass on it, or tare first"
        )
    return calibration.with_channel(channel, replace(current, scale=mass_kg * GRAVITY / delta))
