"""Wearable signals: the cost of one 60 s window (in process), the signal ingest rate through
a real server (samples/s), and the bytes each stored sample takes in SQLite."""

from __future__ import annotations

import http.client
import json
import tempfile
import time
from pathlib import Path

import numpy as np

from bench._servers import LIMITS_OFF, ours, running
from bench._table import Result
from sensorhub.physio import Channel, WindowSignals, window_features
from sensorhub.physio.wearer import CALM, SimulatedWearer

BATCH_S = 10.0  # one POST: 10 s of BVP 64 Hz, temperature 4 Hz, acceleration 32 Hz
BATCHES = 120  # 20 minutes of one wearable


def _window() -> WindowSignals:
    signals = SimulatedWearer(seed=1).signals(0.0, 60.0, CALM)
    acc = np.column_stack([signals["acc"][axis] for axis in "xyz"])
    return WindowSignals(
        bvp=Channel(64.0, np.array(signals["bvp"]["values"])),
        temperature=Channel(4.0, np.array(signals["temperature"]["values"])),
        acc=Channel(32.0, acc),
    )


def window_cost_ms(repeats: int = 200) -> float:
    window = _window()
    window_features(window)  # warm
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        window_features(window)
        times.append(time.perf_counter() - start)
    return float(np.median(times)) * 1000


def _bodies() -> list[bytes]:
    wearer = SimulatedWearer(seed=2)
    bodies = []
    for seq in range(BATCHES):
        signals = wearer.signals(seq * BATCH_S, BATCH_S, CALM)
        body = {"device_id": "bench-wrist", "seq": seq, "t0": seq * BATCH_S * 1000, **signals}
        bodies.append(json.dumps(body).encode())
    return bodies


def measure() -> list[Result]:
    values_per_batch = int(BATCH_S * (64 + 4 + 3 * 32))
    bodies = _bodies()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        with running(ours(data), Path(tmp) / "server.log", LIMITS_OFF) as server:
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
            headers = {"Content-Type": "application/json"}
            start = time.perf_counter()
            for body in bodies:
                connection.request("POST", "/api/wearable/signals", body, headers)
                response = connection.getresponse()
                response.read()
                assert response.status == 200, response.status
            elapsed = time.perf_counter() - start
            rss = server.rss_mb()
        database = data / "sensorhub.db"
        stored_bytes = sum(p.stat().st_size for p in data.glob("sensorhub.db*"))
    values = BATCHES * values_per_batch
    return [
        Result("signals: features of one 60 s window, median", window_cost_ms(), "ms",
               note="BVP 64 Hz + temperature 4 Hz + acc 32 Hz, SciPy + NumPy"),
        Result("signals: ingest through the server", values / elapsed, "values/s",
               note=f"{BATCHES} POSTs of {BATCH_S:g} s, one client, windows computed meanwhile"),
        Result("signals: stored size per value", stored_bytes / values, "bytes",
               note=f"SQLite {database.name} with windows; float64 blobs"),
        Result("signals: server RSS after ingest", rss, "MB"),
    ]  # fmt: skip


if __name__ == "__main__":
    for result in measure():
        print(f"{result.name}: {result.ours:.2f} {result.unit}  {result.note}")
