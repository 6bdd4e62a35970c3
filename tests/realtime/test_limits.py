"""Limits (issue 10, part 3), against a real server: messages per device whatever the
transport, sockets per address and overall, socket messages per address."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import socketio
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from sensorhub import wire
from tests._errors import json_error
from tests._server import LiveServer, start_server, wait_for
from tests.forceplate._clients import samples

DEVICE_BURST = 6
LIMITS_ENV = {
    "SENSORHUB_DEVICE_RATE_LIMIT_PER_S": "0.5",
    "SENSORHUB_DEVICE_RATE_LIMIT_BURST": str(DEVICE_BURST),
    "SENSORHUB_MAX_CONNECTIONS": "4",
    "SENSORHUB_MAX_CONNECTIONS_PER_ADDRESS": "3",
    # Per address: roomy for this module's HTTP calls from 127.0.0.1, tight for a flood.
    "SENSORHUB_RATE_LIMIT_PER_S": "5",
    "SENSORHUB_RATE_LIMIT_BURST": "40",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = start_server(tmp_path_factory.mktemp("limits") / "data", env=LIMITS_ENV)
    yield live
    live.stop()


@pytest.fixture(autouse=True)
def no_sockets_left(server: LiveServer) -> Iterator[None]:
    """Each test starts and ends with no live socket, so connection counts are its own."""
    yield
    wait_for(lambda: sum(_status(server)["clients"].values()) == 0, timeout=10)


def _status(server: LiveServer) -> dict[str, Any]:
    body: dict[str, Any] = httpx.get(server.url + "/api/status", timeout=10).json()
    return body


def ws_from(server: LiveServer, address: str = "127.0.0.1") -> ClientConnection:
    """A /ws client whose connection comes from ``address`` (any 127.x.y.z is loopback)."""
    sock = socket.create_connection(("127.0.0.1", server.port), source_address=(address, 0))
    url = server.url.replace("http://", "ws://") + "/ws"
    # max_queue=None: frames this test leaves unread must not stall the closing handshake.
    return connect(url, sock=sock, open_timeout=10, legacy=True, max_queue=None)


def next_event(ws: ClientConnection, name: str, timeout: float = 10) -> Any:
    while True:
        frame = json.loads(ws.recv(timeout=timeout))
        if frame.get("event") == name:
            return frame["data"]


def reading(device_id: str) -> dict[str, Any]:
    acceleration = {"x": 0.0, "y": 0.0, "z": 1.0}
    return {"bvp": 0.5, "temperature": 36.0, "acceleration": acceleration, "device_id": device_id}


def test_a_device_over_its_rate_gets_429_with_retry_after(server: LiveServer) -> None:
    with httpx.Client(base_url=server.url, timeout=10) as http:
        for _ in range(DEVICE_BURST):
            assert http.post("/api/sensor-data", json=reading("rl-wrist")).status_code == 200
        refused = http.post("/api/sensor-data", json=reading("rl-wrist"))
        json_error(refused, 429, "rate_limited", "rl-wrist")
        assert int(refused.headers["Retry-After"]) >= 1
        # Another device is not slowed by this one.
        assert http.post("/api/sensor-data", json=reading("rl-other")).status_code == 200


def test_one_device_rate_whatever_the_transport(server: LiveServer) -> None:
    with httpx.Client(base_url=server.url, timeout=10) as http:
        for _ in range(DEVICE_BURST):
            assert http.post("/api/sensor-data", json=reading("rl-shared")).status_code == 200
    # The same device id streaming plate samples over /ws finds its bucket already empty…
    with ws_from(server) as esp:
        esp.send(json.dumps({"type": "esp", "device_id": "rl-shared"}))
        esp.send(json.dumps({"samples": samples(0, 5)}))
        error = next_event(esp, wire.ERROR)
    assert error["code"] == "rate_limited" and error["retry_after_s"] >= 1
    # …and over Socket.IO.
    with socketio.SimpleClient() as sio:
        sio.connect(server.url, transports=["websocket"])
        sio.emit("register", {"type": "esp", "device_id": "rl-shared"})
        sio.emit("samples", {"samples": samples(5, 5)})
        while (received := sio.receive(timeout=10))[0] != wire.ERROR:
            pass
    assert received[1]["code"] == "rate_limited"


def test_sockets_per_address_and_overall_are_refused_with_a_reason(server: LiveServer) -> None:
    opened = [ws_from(server) for _ in range(3)]
    try:
        for ws in opened:
            assert next_event(ws, wire.STATUS)["status"] == "connected"
        with ws_from(server) as fourth, pytest.raises(ConnectionClosed) as closed:
            fourth.recv(timeout=10)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1013
        assert "per address" in closed.value.rcvd.reason
        refusal = socketio_refusal(server)
        assert "per address" in refusal["message"]
        assert refusal["data"]["code"] == "too_many_connections"
        # Another address may still connect, up to the overall limit of 4.
        with ws_from(server, "127.0.0.2") as other:
            assert next_event(other, wire.STATUS)["status"] == "connected"
            with ws_from(server, "127.0.0.2") as fifth, pytest.raises(ConnectionClosed) as over:
                fifth.recv(timeout=10)
            assert over.value.rcvd is not None and over.value.rcvd.code == 1013
            assert "connections, its limit" in over.value.rcvd.reason
    finally:
        for ws in opened:
            ws.close()


def socketio_refusal(server: LiveServer) -> Any:
    """The ``connect_error`` a refused Socket.IO client gets."""
    client = socketio.Client(reconnection=False)
    refusals: list[Any] = []
    client.on("connect_error", refusals.append)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(server.url, transports=["websocket"], wait_timeout=10)
    client.disconnect()
    return refusals[0]


def test_socket_messages_per_address_follow_the_http_rule(server: LiveServer) -> None:
    with ws_from(server, "127.0.0.5") as flood:
        for _ in range(60):  # burst 40, then 5/s: some of these are refused
            flood.send(json.dumps({"type": "browser"}))
        error = next_event(flood, wire.ERROR)
    assert error["code"] == "rate_limited"
    # Other addresses are unaffected.
    with ws_from(server) as calm:
        calm.send(json.dumps({"type": "browser"}))
        assert next_event(calm, wire.STATUS)["status"] == "connected"
