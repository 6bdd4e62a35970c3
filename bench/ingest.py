"""HTTP ingest against a real server: sequential and concurrent POSTs, batches."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from bench._table import Row
from tests._server import start_server

SECONDS = 5.0


def _load(url: str, path: str, batch: int, clients: int) -> list[dict[str, float]]:
    command = [sys.executable, "-m", "bench._load", url, path, str(SECONDS), str(batch)]
    processes = [subprocess.Popen(command, stdout=subprocess.PIPE) for _ in range(clients)]
    return [json.loads(p.communicate()[0]) for p in processes]


def _rows(label: str, results: list[dict[str, float]], per_request: int) -> list[Row]:
    requests = sum(r["requests"] for r in results)
    rate = sum(r["requests"] / r["elapsed"] for r in results)
    errors = sum(r["errors"] for r in results)
    note = f"{requests} requests, {errors} errors"
    rows = [(f"{label}: requests/s", rate, "req/s", note)]
    if per_request > 1:
        rows.append((f"{label}: readings/s", rate * per_request, "readings/s", ""))
    rows.append((f"{label}: latency p50", max(r["p50_ms"] for r in results), "ms", ""))
    rows.append((f"{label}: latency p99", max(r["p99_ms"] for r in results), "ms", ""))
    return rows


def measure() -> list[Row]:
    with tempfile.TemporaryDirectory() as tmp:
        server = start_server(Path(tmp) / "data", env={"SENSORHUB_LOG_LEVEL": "warning"})
        try:
            rows = _rows(
                "POST /api/sensor-data, 1 client", _load(server.url, "/api/sensor-data", 1, 1), 1
            )
            rows += _rows(
                "POST /api/sensor-data, 4 clients", _load(server.url, "/api/sensor-data", 1, 4), 1
            )
            rows += _rows(
                "POST /api/sensor-data/batch of 100, 1 client",
                _load(server.url, "/api/sensor-data/batch", 100, 1),
                100,
            )
        finally:
            server.stop()
    return rows
