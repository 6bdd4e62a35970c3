"""A simulated wearable streaming its signals in real time (``POST /api/wearable/signals``),
as the firmware (firmware/wearable_signals) does: a new boot id at each start, one batch a
second into a bounded buffer, sent oldest first and resent until the server acknowledges it;
when the buffer is full the oldest batch is dropped and counted. ``offline_for_s`` keeps the
Wi-Fi down for that long after the start: the batches wait in the buffer, then back-fill."""

from __future__ import annotations

import http.client
import secrets
import threading
import time
from collections import deque
from typing import Any

from sensorhub.devices._sim_poster import SimPoster
from sensorhub.devices.wearable_sim import readings_from
from sensorhub.physio.wearer import SimulatedWearer, state_at

BATCH_S = 1.0
# Batches the buffer keeps: ten minutes of signals (about 30 kB each as JSON, so 18 MB: the
# firmware keeps fewer, in its PSRAM; the bound matters, not the number).
BUFFERED_BATCHES = 600


class SignalSimulator(SimPoster):
    def __init__(
        self,
        url: str,
        device_id: str = "wearable-1",
        episodes: bool = False,
        token: str | None = None,
        seed: int | None = None,
        offline_for_s: float = 0.0,
        readings_hz: float = 0.0,
    ) -> None:
        """``readings_hz`` > 0: the same wrist also posts seed-style readings at that rate,
        taken from the very samples of each acknowledged batch (one wearer, two contracts)."""
        self.device_id = device_id
        self.episodes = episodes
        self.offline_for_s = offline_for_s
        self.boot = secrets.token_hex(4)  # as the firmware: picked at power-up
        self.dropped = 0  # batches the full buffer had to drop
        self._buffer: deque[dict[str, Any]] = deque()
        self._wearer = SimulatedWearer(seed)
        self.readings_hz = readings_hz
        self.readings = SimPoster(url, "/api/sensor-data/batch", token)
        super().__init__(url, "/api/wearable/signals", token)

    def run(self, stop: threading.Event, count: int | None = None) -> None:
        """Make a batch every ``BATCH_S`` and send the buffer oldest first, until ``stop`` or
        ``count`` batches are accepted."""
        connection = self.connect()
        readings = self.readings.connect()
        start = time.monotonic()
        seq = 1  # from 1 at each boot
        try:
            while not stop.is_set() and (count is None or self.sent < count):
                now = time.monotonic()
                while start + (seq - 1) * BATCH_S <= now:  # pacing: the signals' real time
                    self._keep(self.batch(seq, (seq - 1) * BATCH_S))
                    seq += 1
                online = now - start >= self.offline_for_s
                if online and self._buffer:
                    if self._post(connection, self._buffer[0]):
                        self._post_readings(readings, self._buffer.popleft())
                    else:
                        stop.wait(BATCH_S)  # the same batch again, later
                    continue
                stop.wait(max(0.0, start + (seq - 1) * BATCH_S - time.monotonic()))
        finally:
            connection.close()
            readings.close()

    def _post_readings(self, connection: http.client.HTTPConnection, body: dict[str, Any]) -> None:
        if self.readings_hz > 0:
            elapsed_s = body["t0"] / 1000
            taken = readings_from(body, elapsed_s, self.readings_hz, self.device_id)
            self.readings.post(connection, {"readings": taken})

    def _keep(self, body: dict[str, Any]) -> None:
        if len(self._buffer) >= BUFFERED_BATCHES:
            self._buffer.popleft()
            self.dropped += 1
        self._buffer.append(body)

    def batch(self, seq: int, elapsed_s: float) -> dict[str, Any]:
        state = state_at(elapsed_s, self.episodes)
        signals = self._wearer.signals(elapsed_s, BATCH_S, state)
        return {"device_id": self.device_id, "boot": self.boot, "seq": seq,
                "t0": elapsed_s * 1000, **signals}  # fmt: skip

    def _post(self, connection: http.client.HTTPConnection, body: dict[str, Any]) -> bool:
        """Done with this batch: accepted, or refused for good (429 and 503 say: again, later)."""
        status = self.post(connection, body)
        return status is not None and status not in (429, 503)
