"""A simulated wearable streaming its signals in real time (``POST /api/wearable/signals``):
one batch a second, resent until the server acknowledges it, as firmware that buffers does."""

from __future__ import annotations

import http.client
import threading
import time
from typing import Any

from sensorhub.devices._sim_poster import SimPoster
from sensorhub.devices.wearable_sim import readings_from
from sensorhub.physio.wearer import SimulatedWearer, state_at

BATCH_S = 1.0


class SignalSimulator(SimPoster):
    def __init__(
        self,
        url: str,
        device_id: str = "wearable-1",
        episodes: bool = False,
        token: str | None = None,
        seed: int | None = None,
        readings_hz: float = 0.0,
    ) -> None:
        """``readings_hz`` > 0: the same wrist also posts seed-style readings at that rate,
        taken from the very samples of each batch (one wearer, two contracts)."""
        self.device_id = device_id
        self.episodes = episodes
        self._wearer = SimulatedWearer(seed)
        self.readings_hz = readings_hz
        self.readings = SimPoster(url, "/api/sensor-data/batch", token)
        super().__init__(url, "/api/wearable/signals", token)

    def run(self, stop: threading.Event, count: int | None = None) -> None:
        """Post a batch every ``BATCH_S`` until ``stop`` or ``count`` batches are accepted."""
        connection = self.connect()
        readings = self.readings.connect()
        start = time.monotonic()
        seq = 0
        try:
            while not stop.is_set() and (count is None or self.sent < count):
                body = self.batch(seq, seq * BATCH_S)
                while not self._post(connection, body) and not stop.wait(BATCH_S):
                    pass  # the same batch again: the server stores it once
                if self.readings_hz > 0:
                    taken = readings_from(body, seq * BATCH_S, self.readings_hz, self.device_id)
                    self.readings.post(readings, {"readings": taken})
                seq += 1
                # Pacing: real time, the rate the signals describe.
                stop.wait(max(0.0, start + seq * BATCH_S - time.monotonic()))
        finally:
            connection.close()
            readings.close()

    def batch(self, seq: int, elapsed_s: float) -> dict[str, Any]:
        state = state_at(elapsed_s, self.episodes)
        signals = self._wearer.signals(elapsed_s, BATCH_S, state)
        return {"device_id": self.device_id, "seq": seq, "t0": elapsed_s * 1000, **signals}

    def _post(self, connection: http.client.HTTPConnection, body: dict[str, Any]) -> bool:
        """Done with this batch: accepted, or refused for good (429 and 503 say: again, later)."""
        status = self.post(connection, body)
        return status is not None and status not in (429, 503)
