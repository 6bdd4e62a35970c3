"""A batch of signal samples as a wearable sent it: channels at their own rates from ``t0``."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sensorhub.physio.bvp import FloatArray

BVP = "bvp"
TEMPERATURE = "temperature"
ACC = "acc"
CHANNELS = (BVP, TEMPERATURE, ACC)


@dataclass(frozen=True, slots=True, eq=False)
class Samples:
    """Samples at ``hz``; acceleration is (n, 3): x, y, z in g."""

    hz: float
    values: FloatArray

    def __len__(self) -> int:
        return len(self.values)

    def duration_ms(self) -> float:
        return 1000.0 * len(self.values) / self.hz


@dataclass(frozen=True, slots=True, eq=False)
class SignalBatch:
    """``t0_ms``: the device's time of every channel's first sample. ``boot``: the id the
    device picked at power-up ("" from firmware that sends none); ``seq`` grows per boot, so
    (device_id, boot, seq) names a batch and a replay is recognised."""

    device_id: str
    seq: int
    t0_ms: float
    channels: dict[str, Samples]
    boot: str = ""

    def end_ms(self) -> float:
        """Just after the last sample of the longest channel."""
        return self.t0_ms + max((s.duration_ms() for s in self.channels.values()), default=0.0)

    def sample_count(self) -> int:
        return sum(len(s) * (3 if name == ACC else 1) for name, s in self.channels.items())


def samples(hz: float, values: object) -> Samples:
    return Samples(hz, np.asarray(values, dtype=np.float64))
