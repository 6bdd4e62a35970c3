"""A PostgreSQL cluster of the run's own, on a free port in a temporary directory: the chaos
run restarts it, which it must never do to the machine's shared server (its Redis is
``tests._redis.OwnRedis``)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from tests._server import free_port

_PG_BIN = Path("/usr/lib/postgresql")
_STARTUP_TIMEOUT_S = 30.0


class ThrowawayPostgres:
    """``initdb`` + ``pg_ctl`` in a directory of its own, run as the ``postgres`` user when
    this is root (PostgreSQL refuses to run as root)."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        self._directory = directory
        self._data = directory / "data"

    def start(self) -> None:
        if not self._data.exists():
            self._directory.mkdir(parents=True, exist_ok=True)
            if os.getuid() == 0:  # the postgres user must reach its directory
                self._directory.parent.chmod(0o755)
                shutil.chown(self._directory, "postgres", "postgres")
            self._run("initdb", "-D", str(self._data), "-U", "postgres", "--auth=trust", "-N")
        options = (f"-p {self.port} -k {self._directory} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c max_connections=100")  # fmt: skip
        log = self._directory / "postgres.log"
        self._run("pg_ctl", "-D", str(self._data), "-l", str(log), "-o", options, "-w", "start")

    def restart(self) -> None:
        """Immediate: as a crash, with recovery from the WAL at the start."""
        self._run("pg_ctl", "-D", str(self._data), "-m", "immediate", "-w", "stop")
        self.start()

    def stop(self) -> None:
        if self._data.exists():
            self._run("pg_ctl", "-D", str(self._data), "-m", "fast", "-w", "stop", check=False)

    def _run(self, tool: str, *arguments: str, check: bool = True) -> None:
        command = [str(_binary(tool)), *arguments]
        if os.getuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if check and done.returncode != 0:
            raise RuntimeError(f"{tool} failed ({done.returncode}): {done.stderr.strip()}")


def _binary(tool: str) -> Path:
    found = sorted(_PG_BIN.glob(f"*/bin/{tool}"))
    if not found:
        raise RuntimeError(f"{tool} not found under {_PG_BIN}: install PostgreSQL's server")
    return found[-1]
