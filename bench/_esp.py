"""An esp load process: starts a test, streams batches as fast as it can, stops, sends done.

Run as ``python -m bench._esp URL SECONDS BATCH``; prints JSON with what it sent and how long
the server took until ``data_complete`` (every sample committed, saved and broadcast).
"""

from __future__ import annotations

import json
import sys
import time

import httpx
import socketio


def run(url: str, seconds: float, batch: int) -> dict[str, float]:
    with socketio.SimpleClient() as esp, httpx.Client(base_url=url) as http:
        esp.connect(url, transports=["websocket"])
        esp.emit("register", {"type": "esp", "device_id": "bench"})
        session_id = http.post("/api/start_test", json={"device_id": "bench"}).json()["session_id"]
        sent, t = 0, 0
        start = time.perf_counter()
        while time.perf_counter() - start < seconds:
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
    print(json.dumps(run(sys.argv[1], float(sys.argv[2]), int(sys.argv[3]))))
