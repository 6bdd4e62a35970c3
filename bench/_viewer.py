"""A dashboard process: counts the samples it receives live until ``data_complete``.

Run as ``python -m bench._viewer URL``; prints "ready" once registered, then JSON.
"""

from __future__ import annotations

import json
import sys

import socketio


def run(url: str) -> dict[str, int]:
    received = 0
    with socketio.SimpleClient() as viewer:
        viewer.connect(url, transports=["websocket"])
        viewer.emit("register", {"type": "browser"})
        print("ready", flush=True)
        while True:
            event, *args = viewer.receive(timeout=120)
            if event == "sensor_data" and args[0]["session_id"] is not None:
                received += len(args[0]["samples"])
            elif event == "data_complete":
                return {"received": received}


if __name__ == "__main__":
    print(json.dumps(run(sys.argv[1])))
