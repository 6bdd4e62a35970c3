"""deploy/nginx.conf run as a test's own nginx: ports replaced, a temporary prefix, no daemon."""

from __future__ import annotations

import os
import pwd
import re
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

import httpx

from tests._server import REPO, LiveServer, free_port, wait_for
from tests._services import require_service

EXAMPLE = REPO / "deploy" / "nginx.conf"
UPSTREAM = re.compile(r"server 127\.0\.0\.1:\d+ ")
STICKY = "hash $binary_remote_addr consistent;"


def nginx_config(upstream_ports: Sequence[int], listen_port: int, *, sticky: bool = True) -> str:
    """The example with its upstream ports and its listening port replaced; ``sticky`` off
    (round robin) for load that comes from one address (bench/scale.py)."""
    text = EXAMPLE.read_text()
    assert STICKY in text
    if not sticky:
        text = text.replace(STICKY, "")
    lines = [line for line in text.splitlines() if UPSTREAM.search(line)]
    assert lines, "the example names no upstream"
    servers = "\n".join(
        UPSTREAM.sub(f"server 127.0.0.1:{port} ", lines[0]) for port in upstream_ports
    )
    text = text.replace("\n".join(lines), servers)
    assert "listen 80;" in text
    return text.replace("listen 80;", f"listen 127.0.0.1:{listen_port};")


def nginx_binary() -> str:
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    if found is None:
        require_service("nginx", "not installed (.ci/run installs Debian's nginx)")
    return found


def start_nginx(prefix: Path, upstream_ports: Sequence[int], *, sticky: bool = True) -> LiveServer:
    """nginx in the foreground on a free port, everything it writes under ``prefix``."""
    port = free_port()
    (prefix / "logs").mkdir(parents=True, exist_ok=True)
    config = prefix / "nginx.conf"
    config.write_text(nginx_config(upstream_ports, port, sticky=sticky))
    log_path = prefix / "logs" / "error.log"
    # As root, workers would switch to `nobody`, who cannot enter pytest's private temp dirs.
    user = pwd.getpwuid(os.geteuid()).pw_name
    directives = f"daemon off; pid {prefix / 'nginx.pid'}; user {user};"
    command = [nginx_binary(), "-p", str(prefix), "-c", str(config), "-e", str(log_path)]
    with log_path.open("ab") as log:
        process = subprocess.Popen([*command, "-g", directives], stdout=log, stderr=log)
    front = LiveServer(f"http://127.0.0.1:{port}", port, prefix, process, log_path)
    wait_for(lambda: _answers(front), timeout=30)
    return front


def _answers(front: LiveServer) -> bool:
    if front.process.poll() is not None:
        raise RuntimeError(f"nginx exited with {front.process.returncode}:\n{front.log()}")
    try:
        return httpx.get(front.url + "/api/health", timeout=2).status_code == 200
    except httpx.TransportError:
        return False
