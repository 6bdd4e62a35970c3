"""An esp load process: starts a test, streams batches, stops, sends done.

Run as ``python -m bench._esp URL SECONDS BATCH [RATE]``: as fast as it can, or paced at RATE
samples/s like a real plate, with ``t`` = wall-clock ms of sending so a viewer on the same
machine can measure latency. Prints JSON with what it sent and how long the server took until
``data_complete`` (every sample committed, saved and broadcast).
"""

from __future__ import annotations

import json
import sys
import time

import httpx
import socketio


def run(url: str, seconds: float, batch: int, rate: float | None) -> dict[str, float]:
    with socketio.SimpleClient() as esp, httpx.Client(base_url=url) as http:
        esp.connect(url, transports=["websocket"])
        esp.emit("register", {"type": "esp", "device_id": "bench"})
        session_id = http.post("/api/start_test", json={"device_id": "bench"}).json()["session_id"]
        sent, t = 0, 0
        start = time.perf_counter()
        while (elapsed := time.perf_counter() - start) < seconds:
            if rate is not None:
                time.sleep(max(0.0, sent / rate - elapsed))  # pacing like the firmware's timer
                t = int(time.time() * 1000)
            samples = [{"t": t + i, "l": 400.0 + i % 7, "r": 410.0 - i % 5} for i in range(batch)]
            esp.emit("samples", {"samples": samples})
            sent += batch
            t += batch
        http.post("/api/stop_test", json={"device_id": "bench"})
        esp.emit("done", {"done": True})
        while True:
            event, *args = esp.receive(timeout=120)
            if event == "data_complete" and args[0]["session_id"] == session_id:
                break
        elapsed = time.perf_counter() - start
        stored = http.get(f"/api/tests/{session_id}").json()["data"]["sample_count"]
    return {"sent": sent, "stored": stored, "elapsed": elapsed}


if __name__ == "__main__":
    rate = float(sys.argv[4]) if len(sys.argv) > 4 else None
    print(json.dumps(run(sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), rate)))
