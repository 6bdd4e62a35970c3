"""The cluster's request listener comes back after Redis restarts, and says so in health
(a Redis of the test's own: the shared one is never restarted). Malformed requests and
lease-free reads are in test_shared_state.py, which has a pair of processes running."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests._redis import OwnRedis
from tests._server import LiveServer, start_server, wait_for
from tests.cluster.conftest import cluster_env


def message_queue_health(server: LiveServer) -> str | None:
    health: str | None = httpx.get(server.url + "/api/health").json()["message_queue"]
    return health


def test_a_redis_restart_is_seen_in_health_and_the_listener_comes_back(tmp_path: Path) -> None:
    own = OwnRedis(tmp_path / "redis")
    own.start()
    env = cluster_env("", "listener", SENSORHUB_MESSAGE_QUEUE=own.url)
    del env["SENSORHUB_DB"]  # each its own SQLite: only the queue matters here
    server = start_server(tmp_path / "data", env=env)
    try:
        assert message_queue_health(server) == "ok"
        own.stop()
        wait_for(lambda: message_queue_health(server) == "reconnecting")
        own.start()
        wait_for(lambda: message_queue_health(server) == "ok")
        assert "event=calls_listener_lost" in server.log()
    finally:
        server.stop()
        own.stop()
