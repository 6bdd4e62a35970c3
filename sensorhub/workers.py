"""``sensorhub serve --workers N``: N server processes on one port (docs/deploy.md).

The parent binds the port once and starts N children of the same command, each serving on
the inherited socket (the kernel hands each new connection to one of them); it restarts a
child that dies and stops them all on Ctrl-C or SIGTERM. The children share state through
the message queue (``--message-queue``), which ``Settings`` requires for N > 1.

Connections are spread without regard to the client: a Socket.IO client that falls back to
long-polling needs every request on one process, so such clients need sticky sessions in a
proxy in front (deploy/nginx.conf); WebSocket clients, /ws and REST are fine.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from sensorhub.logs import log_event

logger = logging.getLogger("sensorhub")

# A child that exits on its own is started again after this pause (not in a tight loop).
RESTART_PAUSE_S = 1.0
# How long the children get to shut down gracefully before they are killed.
STOP_TIMEOUT_S = 30.0
CHILD_FD_OPTION = "--fd"


def listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.create_server((host, port), family=family, backlog=2048)
    sock.set_inheritable(True)
    return sock


def child_environment(index: int) -> dict[str, str]:
    """What child ``index`` (from 0) is told: only the first takes the MQTT broker's
    messages (``Settings.mqtt_subscriber``); a restarted child keeps its index."""
    return {"SENSORHUB_MQTT_SUBSCRIBER": "true" if index == 0 else "false"}


def run_workers(count: int, host: str, port: int, command: Sequence[str]) -> None:
    """Serve ``host:port`` with ``count`` children running ``sensorhub <command>`` (the
    parent's own arguments) on the parent's socket, until told to stop."""
    sock = listening_socket(host, port)
    stopping = threading.Event()

    def stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    argv = [sys.executable, "-m", "sensorhub", *command, "--workers", "1"]
    argv += [CHILD_FD_OPTION, str(sock.fileno())]

    def spawn(index: int) -> subprocess.Popen[bytes]:
        # A session of its own: Ctrl-C reaches the parent only, which passes it on once (a
        # second SIGINT would make uvicorn skip the graceful shutdown).
        env = {**os.environ, **child_environment(index)}
        child = subprocess.Popen(argv, pass_fds=(sock.fileno(),), start_new_session=True, env=env)
        log_event(logger, "worker_started", pid=child.pid, index=index)
        return child

    children = [spawn(index) for index in range(count)]
    log_event(logger, "workers_running", workers=count, host=host, port=port)
    while not stopping.wait(RESTART_PAUSE_S):
        for index, child in enumerate(children):
            if child.poll() is not None:
                log_event(
                    logger, "worker_exited", logging.WARNING, pid=child.pid, code=child.returncode
                )
                children[index] = spawn(index)
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGINT)
    for child in children:
        try:
            child.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            child.kill()
    sock.close()
    log_event(logger, "workers_stopped")
