"""Esp load: DEVICES plates in one process, each starts a test, streams, stops, sends done.

Run as ``python -m bench._esp URL DEVICES BATCH BATCHES [RATE]``: every device (a thread with
its own Socket.IO connection) sends BATCHES batches of BATCH samples, as fast as it can or
paced at RATE samples/s like a real plate; then ``t`` is the wall-clock ms of sending, so a
viewer on this machine measures latency. Prints JSON: samples sent and stored, and the
wall-clock time the devices began sending.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import socketio

_TIMEOUT_S = 120.0


class Device:
    def __init__(self, url: str, name: str) -> None:
        self.name = name
        self.http = httpx.Client(base_url=url, timeout=_TIMEOUT_S)
        self.client = socketio.Client()
        self.session_id: int | None = None
        self.complete = threading.Event()
        self.client.on("data_complete", self._on_complete)
        self.client.connect(url, transports=["websocket"])
        self.client.emit("register", {"type": "esp", "device_id": name})
        reply = self.http.post("/api/start_test", json={"device_id": name})
        self.session_id = reply.raise_for_status().json()["session_id"]

    def _on_complete(self, data: dict[str, object]) -> None:
        if data.get("session_id") == self.session_id:
            self.complete.set()

    def stream(self, batch: int, batches: int, rate: float | None) -> int:
        samples = [{"t": i, "l": 400.0 + i % 7, "r": 410.0 - i % 5} for i in range(batch)]
        begin = time.perf_counter()
        for index in range(batches):
            if rate is not None:  # pacing like the firmware's timer
                time.sleep(max(0.0, index * batch / rate - (time.perf_counter() - begin)))
                now_ms = time.time() * 1000
                samples = [{**s, "t": now_ms + i} for i, s in enumerate(samples)]
            self.client.emit("samples", {"samples": samples})
        return batch * batches

    def finish(self) -> int:
        self.http.post("/api/stop_test", json={"device_id": self.name})
        self.client.emit("done", {"done": True})
        if not self.complete.wait(_TIMEOUT_S):
            raise TimeoutError(f"{self.name}: no data_complete")
        reply = self.http.get(f"/api/tests/{self.session_id}")
        stored: int = reply.raise_for_status().json()["data"]["sample_count"]
        self.client.disconnect()
        self.http.close()
        return stored


def run(url: str, devices: int, batch: int, batches: int, rate: float | None) -> dict[str, float]:
    with ThreadPoolExecutor(devices) as pool:
        plates = list(pool.map(lambda n: Device(url, f"bench-{n}"), range(devices)))
        start = time.time()
        sent = sum(pool.map(lambda plate: plate.stream(batch, batches, rate), plates))
        stored = sum(pool.map(Device.finish, plates))
    return {"sent": sent, "stored": stored, "start": start}


if __name__ == "__main__":
    rate = float(sys.argv[5]) if len(sys.argv) > 5 else None
    args = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    print(json.dumps(run(sys.argv[1], *args, rate)))
