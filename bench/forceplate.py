"""One esp streaming over Socket.IO: samples/s with every sample committed and broadcast."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from bench._table import Row
from tests._server import start_server

SECONDS = 5.0


def _stream(
    url: str, batch: int, rate: float | None = None
) -> tuple[dict[str, float], dict[str, float]]:
    viewer = subprocess.Popen(
        [sys.executable, "-m", "bench._viewer", url], stdout=subprocess.PIPE, text=True
    )
    assert viewer.stdout is not None
    assert viewer.stdout.readline().strip() == "ready"
    pacing = [str(rate)] if rate else []
    esp = subprocess.run(
        [sys.executable, "-m", "bench._esp", url, str(SECONDS), str(batch), *pacing],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(esp.stdout), json.loads(viewer.communicate(timeout=120)[0])


def measure() -> list[Row]:
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        server = start_server(Path(tmp) / "data", env={"SENSORHUB_LOG_LEVEL": "warning"})
        try:
            for batch in (50, 200):
                esp, viewer = _stream(server.url, batch)
                rate = esp["stored"] / esp["elapsed"]
                note = (
                    f"sent {esp['sent']}, stored {esp['stored']}, viewer got {viewer['received']}"
                )
                rows.append(
                    (f"esp → Socket.IO, batches of {batch}: samples/s", rate, "samples/s", note)
                )
            esp, viewer = _stream(server.url, 50, rate=1000.0)
            note = (
                f"p99 {viewer['p99_ms']:.1f} ms; viewer got {viewer['received']} of {esp['sent']}"
            )
            rows.append(
                ("esp at 1 kHz, batches of 50: send → viewer p50", viewer["p50_ms"], "ms", note)
            )
        finally:
            server.stop()
    return rows
