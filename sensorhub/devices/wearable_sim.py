"""A simulated wrist wearable posting readings shaped like the seed's, calm or stressed.

The phases follow the rule the demo model was trained on (see ``sensorhub/models``): a calm
wearer has a small, slow pulse wave, warm skin and little movement; a stressed one a large,
fast pulse wave, cooler skin and fidgeting. With a real model the labels mean what it learnt.
"""

from __future__ import annotations

import math
import random
import threading
import time
from dataclasses import dataclass
from typing import Any

from sensorhub.devices._sim_poster import SimPoster

CALM_S = 30.0  # with episodes: this long calm, then STRESSED_S stressed, repeating
STRESSED_S = 15.0


@dataclass(frozen=True, slots=True)
class Phase:
    heart_bpm: float
    bvp_amplitude: float
    temperature_c: float
    movement_g: float


CALM = Phase(heart_bpm=68, bvp_amplitude=25, temperature_c=34.6, movement_g=0.03)
STRESSED = Phase(heart_bpm=112, bvp_amplitude=95, temperature_c=31.6, movement_g=0.45)


def phase_at(elapsed_s: float, episodes: bool) -> Phase:
    if not episodes:
        return CALM
    return STRESSED if elapsed_s % (CALM_S + STRESSED_S) >= CALM_S else CALM


def reading(elapsed_s: float, phase: Phase, device_id: str, rng: random.Random) -> dict[str, Any]:
    """One reading at ``elapsed_s`` seconds into the run."""
    beat = 2 * math.pi * phase.heart_bpm / 60 * elapsed_s
    bvp = phase.bvp_amplitude * (math.sin(beat) + 0.35 * math.sin(2 * beat + 0.8))
    jitter = phase.movement_g
    return {
        "bvp": round(bvp + rng.gauss(0, 2), 3),
        "temperature": round(phase.temperature_c + rng.gauss(0, 0.05), 2),
        "acceleration": {
            "x": round(rng.gauss(0, jitter), 4),
            "y": round(rng.gauss(0, jitter), 4),
            "z": round(1.0 + rng.gauss(0, jitter), 4),
        },
        "device_id": device_id,
        "timestamp": round(elapsed_s * 1000),
    }


class WearableSimulator(SimPoster):
    """Posts one reading every ``1 / rate_hz`` seconds over a keep-alive connection."""

    def __init__(
        self,
        url: str,
        device_id: str = "wearable-1",
        rate_hz: float = 4.0,
        episodes: bool = False,
        rng: random.Random | None = None,
        token: str | None = None,
    ) -> None:
        self.device_id = device_id
        self.rate_hz = rate_hz
        self.episodes = episodes
        self._rng = rng or random.Random()
        super().__init__(url, "/api/sensor-data", token)

    def run(self, stop: threading.Event, count: int | None = None) -> None:
        """Post until ``stop`` is set or ``count`` readings were accepted."""
        connection = self.connect()
        start = time.monotonic()
        try:
            while not stop.is_set() and (count is None or self.sent < count):
                elapsed = time.monotonic() - start
                phase = phase_at(elapsed, self.episodes)
                self.post(connection, reading(elapsed, phase, self.device_id, self._rng))
                stop.wait(1.0 / self.rate_hz)  # pacing: the wearable's own sample rate
        finally:
            connection.close()
