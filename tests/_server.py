"""Start the real sensorhub server in a subprocess on a free 127.0.0.1 port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests._postgres import SERVER_DATABASES

STARTUP_TIMEOUT_S = 60.0
REPO = Path(__file__).resolve().parents[1]  # so ``python -m tests.…`` launchers import


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class LiveServer:
    url: str
    port: int
    data_dir: Path
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> int:
        """Graceful stop (SIGINT, like Ctrl-C); returns the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=30)

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as in a crash or power-off of the process."""
        self.process.kill()
        self.process.wait(timeout=30)


def start_server(
    data_dir: Path,
    *,
    args: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    port: int | None = None,
    module: str = "sensorhub",
) -> LiveServer:
    """``port`` given: restart on a stopped server's port (its log is appended to).

    ``module``: what ``python -m`` runs; tests' own launchers (e.g. ``tests._faulty_server``)
    take the same arguments as ``sensorhub``.
    """
    port = port or free_port()
    log_path = data_dir.parent / f"server-{port}.log"
    data_dir.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", module, "serve", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--data-dir", str(data_dir), *args]
    if "--db" not in args:  # `pytest --database postgresql`: see tests/_postgres.py
        command += SERVER_DATABASES.args_for(data_dir)
    full_env = {
        **os.environ,
        "SENSORHUB_RATE_LIMIT_PER_S": "0",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
        **(env or {}),
    }
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, env=full_env, cwd=cwd or data_dir.parent
        )
    server = LiveServer(f"http://127.0.0.1:{port}", port, data_dir, process, log_path)
    _wait_until_healthy(server)
    return server


def _wait_until_healthy(server: LiveServer) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"server exited with {server.process.returncode}:\n{server.log()}")
        try:
            if httpx.get(server.url + "/api/health", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)  # polling interval while waiting for the port to open
    server.kill()
    raise RuntimeError(f"server did not become healthy in {STARTUP_TIMEOUT_S}s:\n{server.log()}")


def wait_for(predicate: object, timeout: float = 10.0, interval: float = 0.02) -> None:
    """Poll ``predicate()`` until it is truthy; fail after ``timeout`` seconds."""
    assert callable(predicate)
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(interval)
