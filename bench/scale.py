"""Several processes behind nginx (deploy/nginx.conf) against one PostgreSQL and one Redis:
the wearable and plate scenarios with 1, 2 and 3 processes, each as a ratio to 1 process.

All of it on one machine: nginx, the processes, PostgreSQL, Redis and the load generators
share its cores, so the ratios say what a second or third process buys *here*, not on a
server with a core per process. The load comes from one address, so nginx balances round
robin (the example's per-address hash would send it all to one process); the plates connect
over WebSocket, which needs no stickiness.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from bench import _servers, _wrk, forceplate
from bench._table import Result
from tests._postgres import postgres_database
from tests._redis import REDIS_URL, redis_prefix
from tests.cluster._nginx import start_nginx

PROCESSES = (1, 2, 3)
CONNECTIONS = 32
SECONDS = 5.0


def measure() -> list[Result]:
    load = os.getloadavg()[0]
    readings: dict[int, float] = {}
    samples: dict[int, float] = {}
    for count in PROCESSES:
        with _cluster(count) as url:
            readings[count] = _wrk.post(
                url + "/api/sensor-data", connections=CONNECTIONS, seconds=SECONDS
            ).per_s
            plates = forceplate.stream(url, forceplate.DEVICES, forceplate.BATCHES, None)
            assert plates["stored"] == plates["sent"], plates
            samples[count] = plates["per_s"]
    note = f"load average {load:.1f} at the start; same cores for all"
    return [
        row
        for count in PROCESSES
        for row in (
            Result(
                f"scale: POST /api/sensor-data via nginx, {count} process(es)",
                readings[count],
                "req/s",
                readings[1],
                note=note if count == 1 else "",
            ),
            Result(
                f"scale: plates {forceplate.DEVICES} esp, {forceplate.DASHBOARDS} dashboards, "
                f"via nginx, {count} process(es)",
                samples[count],
                "samples/s",
                samples[1],
                note=note if count == 1 else "",
            ),
        )
    ]


@contextlib.contextmanager
def _cluster(count: int) -> Iterator[str]:
    """``count`` processes on a fresh database and queue prefix, behind nginx: its URL."""
    with (
        tempfile.TemporaryDirectory() as tmp,
        contextlib.contextmanager(postgres_database)() as database,
        contextlib.contextmanager(redis_prefix)() as prefix,
        contextlib.ExitStack() as stack,
    ):
        settings = {
            **_servers.LIMITS_OFF,
            "SENSORHUB_DB": database,
            "SENSORHUB_MESSAGE_QUEUE": REDIS_URL,
            "SENSORHUB_MESSAGE_QUEUE_PREFIX": prefix,
            "SENSORHUB_TRUSTED_PROXIES": "127.0.0.1",
        }
        log = Path(tmp) / "servers.log"
        ports = [
            stack.enter_context(
                _servers.running(_servers.ours(Path(tmp) / f"data{i}"), log, settings)
            ).port
            for i in range(count)
        ]
        nginx = start_nginx(Path(tmp) / "nginx", ports, sticky=False)
        try:
            yield nginx.url
        finally:
            nginx.stop()
