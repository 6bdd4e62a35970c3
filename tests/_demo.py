"""``python -m sensorhub demo`` as a user runs it: a real process on a free loopback port."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests._server import free_port, wait_for

DEMO_PLATE = "plate-1"  # sensorhub.devices.demo.PLATE_ID, as a user reads it in the banner
DEMO_WEARABLE = "wearable-1"
STARTUP_S = 60.0


@dataclass(frozen=True)
class Demo:
    url: str
    http: httpx.Client


@contextmanager
def running_demo(tmp_path: Path) -> Iterator[Demo]:
    """The demo, yielded once its simulated plate is connected; stopped with Ctrl-C after."""
    port = free_port()
    log_path = tmp_path / "demo.log"
    command = [sys.executable, "-m", "sensorhub", "demo", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--data-dir", str(tmp_path / "data")]
    url = f"http://127.0.0.1:{port}"
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path)
    try:
        with httpx.Client(base_url=url, timeout=10.0) as http:
            wait_for(lambda: _streaming(http, process, log_path), timeout=STARTUP_S)
            yield Demo(url, http)
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
