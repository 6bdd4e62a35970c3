"""A simulated wearable streaming its signals in real time (``POST /api/wearable/signals``):
one batch a second, resent until the server acknowledges it, as firmware that buffers does."""

from __future__ import annotations

import http.client
import threading
import time
from typing import Any

from sensorhub.devices._sim_poster import SimPoster
from sensorhub.physio.wearer import CALM, STRESSED, SimulatedWearer, State, blend

# With episodes: this long calm, then this long stressed, repeating. A 60 s window needs a
# minute to fill with one state, so an episode lasts longer than that.
CALM_S = 120.0
STRESSED_S = 90.0
BATCH_S = 1.0
# Heart rate rises and falls over this long at an episode's start and end.
RAMP_S = 20.0


def state_at(elapsed_s: float, episodes: bool) -> State:
    if not episodes:
        return CALM
    into = elapsed_s % (CALM_S + STRESSED_S)
    rising = (into - CALM_S) / RAMP_S if into >= CALM_S else 1.0 - into / RAMP_S
    share = min(max(rising, 0.0), 1.0) if elapsed_s >= CALM_S else 0.0
    return blend(CALM, STRESSED, share)


class SignalSimulator(SimPoster):
    def __init__(
        self,
        url: str,
        device_id: str = "wearable-1",
        episodes: bool = False,
        token: str | None = None,
        seed: int | None = None,
    ) -> None:
        self.device_id = device_id
        self.episodes = episodes
        self._wearer = SimulatedWearer(seed)
        super().__init__(url, "/api/wearable/signals", token)

    def run(self, stop: threading.Event, count: int | None = None) -> None:
        """Post a batch every ``BATCH_S`` until ``stop`` or ``count`` batches are accepted."""
        connection = self.connect()
        start = time.monotonic()
        seq = 0
        try:
            while not stop.is_set() and (count is None or self.sent < count):
                body = self.batch(seq, seq * BATCH_S)
                while not self._post(connection, body) and not stop.wait(BATCH_S):
                    pass  # the same batch again: the server stores it once
                seq += 1
                # Pacing: real time, the rate the signals describe.
                stop.wait(max(0.0, start + seq * BATCH_S - time.monotonic()))
        finally:
            connection.close()

    def batch(self, seq: int, elapsed_s: float) -> dict[str, Any]:
        state = state_at(elapsed_s, self.episodes)
        signals = self._wearer.signals(elapsed_s, BATCH_S, state)
        return {"device_id": self.device_id, "seq": seq, "t0": elapsed_s * 1000, **signals}

    def _post(self, connection: http.client.HTTPConnection, body: dict[str, Any]) -> bool:
        """Done with this batch: accepted, or refused for good (429 and 503 say: again, later)."""
        status = self.post(connection, body)
        return status is not None and status not in (429, 503)
