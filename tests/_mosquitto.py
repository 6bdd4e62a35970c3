"""A Mosquitto broker of a test's own, on a free loopback port (never the system's 1883).

It persists its sessions and queued messages in its directory, so ``restart`` is what an
operator's ``systemctl restart mosquitto`` does.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

from tests._server import LiveServer, free_port, start_server
from tests._services import require_service

STARTUP_TIMEOUT_S = 10.0
CONFIG = """\
listener {port} 127.0.0.1
allow_anonymous true
persistence true
persistence_location {directory}/
# As root (CI), stay root: the default "mosquitto" user may not write the test's directory.
user root
log_dest file {directory}/mosquitto.log
"""


class Broker:
    def __init__(self, directory: Path) -> None:
        executable = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
        if not Path(executable).exists():
            require_service("Mosquitto", "install the Debian package mosquitto (.ci/run does)")
        self.executable = executable
        self.directory = directory
        self.port = free_port()
        self.config = directory / "mosquitto.conf"
        directory.mkdir(parents=True, exist_ok=True)
        self.config.write_text(CONFIG.format(port=self.port, directory=directory))
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._process = subprocess.Popen(
            [self.executable, "-c", str(self.config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not self._accepts():
            if self._process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"mosquitto did not start:\n{self.log()}")
            time.sleep(0.02)  # polling interval while the port opens

    def stop(self) -> None:
        """SIGTERM: Mosquitto writes its persistence file, then exits."""
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            self._process.wait(timeout=30)

    def restart(self) -> None:
        self.stop()
        self.start()

    def log(self) -> str:
        path = self.directory / "mosquitto.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def _accepts(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return True
        except OSError:
            return False


def serve(
    broker: Broker, data_dir: Path, env: Mapping[str, str] | None = None
) -> Iterator[LiveServer]:
    """A fixture's body: a real server taking MQTT from ``broker``, stopped at the end."""
    live = start_server(data_dir, args=["--mqtt", broker.url], env=env)
    yield live
    live.stop()
