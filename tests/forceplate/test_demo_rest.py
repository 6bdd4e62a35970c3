"""The seed's REST flow, without any ``device_id``, drives ``sensorhub demo``'s plate
(docs/plates.md: a request without one addresses the only plate with an esp connected)."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests._server import free_port, wait_for

DEMO_PLATE = "plate-1"  # sensorhub.devices.demo.PLATE_ID, as a user reads it in the banner
STARTUP_S = 60.0


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[httpx.Client]:
    port = free_port()
    log_path = tmp_path / "demo.log"
    command = [sys.executable, "-m", "sensorhub", "demo", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--data-dir", str(tmp_path / "data")]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10.0) as http:
            wait_for(lambda: _streaming(http, process, log_path), timeout=STARTUP_S)
            yield http
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)


def _streaming(http: httpx.Client, process: subprocess.Popen[bytes], log: Path) -> bool:
    """True once the demo's plate is connected; fails at once if the demo exited."""
    assert process.poll() is None, log.read_text(errors="replace")
    try:
        return bool(http.get("/api/status").json()["esp_connected"])
    except httpx.TransportError:
        return False


def _json(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _recorded(http: httpx.Client) -> int:
    return len(_json(http.get("/api/session_data"))["samples"])


def test_the_seeds_rest_flow_records_a_test_on_the_demo_plate(demo: httpx.Client) -> None:
    status = _json(demo.get("/api/status"))
    assert status["esp_connected"] is True and status["device_id"] == DEMO_PLATE

    started = _json(demo.post("/api/start_test"))
    assert started["device_id"] == DEMO_PLATE
    wait_for(lambda: _recorded(demo) > 0)
    first = _recorded(demo)
    wait_for(lambda: _recorded(demo) > first)  # session_data grows while the test runs

    stopped = _json(demo.post("/api/stop_test"))
    assert stopped["session_id"] == started["session_id"]

    def saved() -> dict[str, Any] | None:
        tests = _json(demo.get("/api/tests", params={"device_id": DEMO_PLATE}))["data"]
        found = [t for t in tests if t["id"] == started["session_id"]]
        return found[0] if found and found[0]["state"] == "complete" else None

    wait_for(saved)
    record = saved()
    assert record is not None and record["sample_count"] > first
    assert record["file"] is not None
