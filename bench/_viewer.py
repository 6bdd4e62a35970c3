"""A dashboard process: counts the samples it receives live until ``data_complete``.

Run as ``python -m bench._viewer URL``; prints "ready" once registered, then JSON. When the
esp is paced (``t`` is its wall-clock ms), the latency of each batch's first sample is kept.
"""

from __future__ import annotations

import json
import sys
import time

import socketio


def run(url: str) -> dict[str, float]:
    received = 0
    latencies: list[float] = []
    with socketio.SimpleClient() as viewer:
        viewer.connect(url, transports=["websocket"])
        viewer.emit("register", {"type": "browser"})
        print("ready", flush=True)
        while True:
            event, *args = viewer.receive(timeout=120)
            if event == "sensor_data" and args[0]["session_id"] is not None:
                received += len(args[0]["samples"])
                latencies.append(time.time() * 1000 - args[0]["samples"][0]["t"])
            elif event == "data_complete":
                latencies.sort()
                return {
                    "received": received,
                    "p50_ms": latencies[len(latencies) // 2] if latencies else 0.0,
                    "p99_ms": latencies[int(len(latencies) * 0.99)] if latencies else 0.0,
                }


if __name__ == "__main__":
    print(json.dumps(run(sys.argv[1])))
