"""A simulated wrist wearable posting readings shaped like the seed's (``POST
/api/sensor-data``), calm or with stress episodes.

Each reading is a moment of the simulated wearer (``sensorhub.physio.wearer``): its BVP sample,
skin temperature and acceleration then, so the readings follow the same physiology and the
same episodes as the signal simulator — under stress a faster heart and a *smaller* pulse,
skin cooling over minutes, no fidgeting. (The bundled per-reading model is a demo trained on a
toy rule, not on this wearer: its Calm/Stressed means nothing physiological.)
"""

from __future__ import annotations

import threading
import time
from typing import Any

from sensorhub.devices._sim_poster import SimPoster
from sensorhub.physio.wearer import SimulatedWearer, state_at

# The wearer's signals are made this many seconds at a time; readings are taken from them.
STRETCH_S = 1.0


def readings_from(
    signals: dict[str, Any], start_s: float, rate_hz: float, device_id: str
) -> list[dict[str, Any]]:
    """The readings a wearable posting ``rate_hz`` times a second takes from ``signals``
    (a ``signals`` batch's channels starting at ``start_s``): each channel's sample at the
    reading's moment; the device timestamp in ms of the run."""
    bvp, temperature, acc = signals["bvp"], signals["temperature"], signals["acc"]
    seconds = len(bvp["values"]) / bvp["hz"]
    out = []
    for k in range(round(seconds * rate_hz)):
        offset = k / rate_hz
        out.append({
            "bvp": _sample(bvp, "values", offset),
            "temperature": _sample(temperature, "values", offset),
            "acceleration": {axis: _sample(acc, axis, offset) for axis in "xyz"},
            "device_id": device_id,
            "timestamp": round((start_s + offset) * 1000),
        })  # fmt: skip
    return out


def _sample(channel: dict[str, Any], key: str, offset_s: float) -> float:
    values = channel[key]
    return float(values[min(int(offset_s * channel["hz"]), len(values) - 1)])


class WearableSimulator(SimPoster):
    """Posts one reading every ``1 / rate_hz`` seconds over a keep-alive connection."""

    def __init__(
        self,
        url: str,
        device_id: str = "wearable-1",
        rate_hz: float = 4.0,
        episodes: bool = False,
        seed: int | None = None,
        token: str | None = None,
    ) -> None:
        self.device_id = device_id
        self.rate_hz = rate_hz
        self.episodes = episodes
        self._wearer = SimulatedWearer(seed)
        super().__init__(url, "/api/sensor-data", token)

    def run(self, stop: threading.Event, count: int | None = None) -> None:
        """Post until ``stop`` is set or ``count`` readings were accepted."""
        connection = self.connect()
        start = time.monotonic()
        elapsed = 0.0
        try:
            while not stop.is_set() and (count is None or self.sent < count):
                stretch = self._wearer.signals(elapsed, STRETCH_S, state_at(elapsed, self.episodes))
                for body in readings_from(stretch, elapsed, self.rate_hz, self.device_id):
                    if stop.is_set() or (count is not None and self.sent >= count):
                        return
                    self.post(connection, body)
                    # Pacing: the reading's own moment of the run, in real time.
                    stop.wait(max(0.0, start + body["timestamp"] / 1000 + 1 / self.rate_hz
                                  - time.monotonic()))  # fmt: skip
                elapsed += STRETCH_S
        finally:
            connection.close()
