"""Start ours or a baseline in its own process, time it until the first 200, read its RSS."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests._server import REPO, free_port

_STARTUP_TIMEOUT_S = 60.0


@dataclass
class Running:
    url: str
    port: int
    process: subprocess.Popen[bytes]
    startup_s: float  # from spawning the process to the first 200 on /api/health

    def rss_mb(self) -> float:
        """Resident memory of the server process, MB."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmRSS in /proc status")


# Throughput rows measure the path a request takes, not the limits: the load comes from one
# address and one device_id, which the default per-address and per-device limits would refuse
# (they are tested in tests/; the soak, `make soak`, runs with them on).
LIMITS_OFF = {"SENSORHUB_RATE_LIMIT_PER_S": "0", "SENSORHUB_DEVICE_RATE_LIMIT_PER_S": "0"}


def ours(data_dir: Path) -> list[str]:
    """The command line of sensorhub as ``sensorhub serve`` runs it, with default settings."""
    return ["-m", "sensorhub", "serve", "--host", "127.0.0.1", "--data-dir", str(data_dir)]


@contextmanager
def running(
    arguments: Sequence[str], log: Path, settings: Mapping[str, str] | None = None
) -> Iterator[Running]:
    """``python ARGUMENTS --port P`` on a free port until the block ends; ``settings`` are
    ``SENSORHUB_…`` variables (none from the caller's environment are passed on)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SENSORHUB_")}
    env.update(SENSORHUB_LOG_LEVEL="warning", PYTHONPATH=str(REPO), **(settings or {}))
    with log.open("ab") as out:
        start = time.perf_counter()
        command = [sys.executable, *arguments, "--port", str(port)]
        process = subprocess.Popen(command, stdout=out, stderr=out, env=env, cwd=REPO)
    try:
        _wait_healthy(process, port, log)
        yield Running(f"http://127.0.0.1:{port}", port, process, time.perf_counter() - start)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
        process.wait(timeout=30)


def _wait_healthy(process: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.perf_counter() + _STARTUP_TIMEOUT_S
    while time.perf_counter() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{log.read_text()}")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
        try:
            conn.request("GET", "/api/health")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            conn.close()
        time.sleep(0.005)  # fine-grained: start-up is itself a measured row
    process.kill()
    raise RuntimeError(f"server did not answer /api/health in {_STARTUP_TIMEOUT_S} s")
