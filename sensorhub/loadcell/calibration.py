"""Per-channel calibration: newtons = (raw − offset) × scale, for whatever the firmware sends."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

from sensorhub.errors import PlateLoaded, PlateNotReady, ValidationError

Channel = Literal["l", "r"]
GRAVITY = 9.81  # the same g the IMTP analysis uses for mass = weight / g
#: Tare refuses, unless confirmed, a plate that reads more than this (10 kg): half the lightest
#: body weight the analysis accepts (``plausibility.BODY_MASS_KG``, 20 kg), so anyone standing
#: on the plate, even on one foot, is caught; yet 5 times the drift that asks for a re-tare
#: (``alert_plate_drift_n``, 20 N), so re-zeroing a drifting empty plate goes through.
TARE_MAX_LOAD_N = 10.0 * GRAVITY


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


def tare(
    calibration: Calibration,
    quiet: Sequence[tuple[float, float, float]],
    *,
    confirmed: bool = False,
) -> Calibration:
    """Zero both channels at the mean of ``quiet`` raw samples ``(t, l, r)``; scales stay.

    A plate that reads more than ``TARE_MAX_LOAD_N`` (someone on it) raises `PlateLoaded`
    unless ``confirmed``: zeroing under a person makes every later weighing light by their
    weight (issue 23: tared at 784 N, the next test weighed 79 N)."""
    if not quiet:
        raise PlateNotReady("no recent samples to tare from: is the plate streaming?")
    offsets = [math.fsum(s[i] for s in quiet) / len(quiet) for i in (1, 2)]
    load = calibration.l.to_newtons(offsets[0]) + calibration.r.to_newtons(offsets[1])
    if abs(load) > TARE_MAX_LOAD_N and not confirmed:
        # Never tared nor calibrated, it may be sending raw counts, which only look like load.
        first = (
            " (not yet tared: if the plate sends raw counts, they read as newtons)"
            if calibration == Calibration()
            else ""
        )
        raise PlateLoaded(
            f"the plate reads {load:.0f} N ({load / GRAVITY:.1f} kg){first}, more than "
            f"{TARE_MAX_LOAD_N:.0f} N: step off and tare again, or confirm to zero it with "
            "this load on"
        )
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
