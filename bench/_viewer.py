"""A dashboard process: counts the live samples it receives until COMPLETES tests end.

Run as ``python -m bench._viewer URL COMPLETES``; prints "ready" once registered, then JSON:
samples received, the wall-clock time of the last ``data_complete``, and per batch the
latency of its first sample (meaningful when the esp is paced and ``t`` is its send time).
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

import socketio


def run(url: str, completes: int) -> dict[str, Any]:
    received = 0
    latencies: list[float] = []
    with socketio.SimpleClient() as viewer:
        viewer.connect(url, transports=["websocket"])
        viewer.emit("register", {"type": "browser"})
        print("ready", flush=True)
        while completes:
            event, *args = viewer.receive(timeout=120)
            if event == "sensor_data" and args[0]["session_id"] is not None:
                received += len(args[0]["samples"])
                latencies.append(time.time() * 1000 - args[0]["samples"][0]["t"])
            elif event == "data_complete":
                completes -= 1
    return {"received": received, "end": time.time(), "latencies_ms": latencies}


if __name__ == "__main__":
    print(json.dumps(run(sys.argv[1], int(sys.argv[2]))))
