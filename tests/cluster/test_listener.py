"""The cluster's request listener survives what Redis throws at it, and reads take no lease."""

from __future__ import annotations

from pathlib import Path

import httpx
import redis

from tests._redis import REDIS_URL, OwnRedis
from tests._server import LiveServer, start_server, wait_for
from tests.cluster.conftest import cluster_env
from tests.forceplate._clients import (
    is_cmd,
    new_device,
    sio_client,
    start_test_rest,
    status,
    stop_test_rest,
    wait_esp_connected,
)


def message_queue_health(server: LiveServer) -> str | None:
    health: str | None = httpx.get(server.url + "/api/health").json()["message_queue"]
    return health


def test_a_status_read_takes_no_lease(
    pair: tuple[LiveServer, LiveServer], queue_prefix: str
) -> None:
    a, b = pair
    device = new_device()
    assert status(a, device)["state"] == "idle"
    assert status(b, device)["state"] == "idle"
    client = redis.Redis.from_url(REDIS_URL)
    try:
        assert client.exists(f"{queue_prefix}:lease:{device}") == 0
    finally:
        client.close()


def test_malformed_requests_leave_the_process_answering_its_peers(
    pair: tuple[LiveServer, LiveServer], queue_prefix: str
) -> None:
    a, b = pair
    client = redis.Redis.from_url(REDIS_URL)
    try:
        channels = client.pubsub_channels(f"{queue_prefix}:calls:*")
        assert len(channels) == 2
        for channel in channels:
            for garbage in (b"not json", b"[]", b'{"op": "status"}', b'{"op": 1, "args": 2}'):
                assert client.publish(channel, garbage) == 1
    finally:
        client.close()
    wait_for(lambda: "event=call_malformed" in a.log() and "event=call_malformed" in b.log())
    device = new_device()
    with sio_client(a, "esp", device) as esp:
        wait_esp_connected(b, device)
        response, session_id = start_test_rest(b, device)  # B asks A, which runs the device
        assert response.status_code == 200, response.text
        assert esp.expect("message", is_cmd("start"))["session_id"] == session_id
        assert stop_test_rest(b, device).status_code == 200


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
