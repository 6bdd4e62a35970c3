"""Tokens against a real server: HTTP, Socket.IO, /ws, the ``token`` commands and the logs.

One server with an API token for the module; device tokens are made with ``sensorhub token``
while it runs, as an operator would.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import socketio
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from sensorhub.devices import HttpSink
from sensorhub.devices.esp_link import open_link
from sensorhub.errors import ValidationError
from tests._errors import json_error
from tests._postgres import SERVER_DATABASES
from tests._readings import READING
from tests._server import LiveServer, start_server, wait_for
from tests.signals._batches import batch as signal_batch

API_TOKEN = "test-api-token-0123456789"
AUTH = {"Authorization": f"Bearer {API_TOKEN}"}
TIMEOUT_S = 10.0
# Short, so the revocation test waits half a second rather than the default five.
CACHE_S = 0.5


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    env = {"SENSORHUB_API_TOKEN": API_TOKEN, "SENSORHUB_TOKEN_CACHE_S": str(CACHE_S)}
    live = start_server(tmp_path_factory.mktemp("tokens") / "data", args=["--access-log"], env=env)
    yield live
    live.stop()


def token_command(server: LiveServer, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "sensorhub", "token", *args]
    command += ["--data-dir", str(server.data_dir), *SERVER_DATABASES.args_for(server.data_dir)]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


def create_token(server: LiveServer, device_id: str) -> tuple[int, str]:
    """The new token's id (named on the first line) and the token (the last line)."""
    result = token_command(server, "create", "--device", device_id)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    found = re.match(rf"token (\d+) for device '{device_id}'", lines[0])
    assert found is not None, lines
    return int(found.group(1)), lines[-1]


@pytest.fixture(scope="module")
def wrist(server: LiveServer) -> str:
    return create_token(server, "wrist-1")[1]


def reading(device_id: str) -> dict[str, Any]:
    return {**READING, "device_id": device_id}


# -- HTTP -------------------------------------------------------------------------------------


def test_health_and_pages_are_open_and_say_auth_is_on(server: LiveServer) -> None:
    health = httpx.get(server.url + "/api/health")
    assert health.status_code == 200 and health.json()["auth"] == "on"
    for path in ("/", "/tests", "/wearable", "/docs", "/static/js/net.js", "/openapi.json"):
        assert httpx.get(server.url + path).status_code == 200, path


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/api/tests"), ("GET", "/api/status"), ("GET", "/api/readings"),
     ("POST", "/api/start_test"), ("DELETE", "/api/tests/1"), ("POST", "/api/sensor-data"),
     ("GET", "/api/devices/plate-1")],
)  # fmt: skip
@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer not-a-token"}])
def test_routes_without_a_valid_token_are_401(
    server: LiveServer, method: str, path: str, headers: dict[str, str]
) -> None:
    response = httpx.request(method, server.url + path, headers=headers)
    json_error(response, 401, "unauthorized", "token")
    assert response.headers["www-authenticate"] == "Bearer"


def test_api_token_has_full_access(server: LiveServer) -> None:
    with httpx.Client(base_url=server.url, headers=AUTH) as http:
        assert http.get("/api/tests").status_code == 200
        assert http.post("/api/sensor-data", json=reading("any-wrist")).status_code == 200
        started = http.post("/api/start_test", json={"device_id": "plate-api"})
        assert started.status_code == 200
        assert http.post("/api/stop_test", json={"device_id": "plate-api"}).status_code == 200


def test_openapi_document_shows_the_security_schemes(server: LiveServer) -> None:
    schemes = httpx.get(server.url + "/openapi.json").json()["components"]["securitySchemes"]
    assert {scheme["type"] for scheme in schemes.values()} == {"http", "apiKey"}


def test_device_token_created_while_running_works_at_once(server: LiveServer) -> None:
    _, token = create_token(server, "wrist-new")
    response = httpx.post(
        server.url + "/api/sensor-data", params={"token": token}, json=reading("wrist-new")
    )
    assert response.status_code == 200, response.text
    assert response.json()["data"]["device_id"] == "wrist-new"


def test_device_token_sends_as_its_own_device_by_header_or_query(
    server: LiveServer, wrist: str
) -> None:
    by_header = httpx.post(
        server.url + "/api/sensor-data",
        headers={"Authorization": f"Bearer {wrist}"},
        json=reading("wrist-1"),
    )
    assert by_header.status_code == 200, by_header.text
    batch = {"readings": [reading("wrist-1"), reading("wrist-1")]}
    by_query = httpx.post(
        server.url + "/api/sensor-data/batch", params={"token": wrist}, json=batch
    )
    assert by_query.status_code == 200, by_query.text


def test_device_token_cannot_send_as_another_device(server: LiveServer, wrist: str) -> None:
    url = server.url + "/api/sensor-data"
    one = httpx.post(url, params={"token": wrist}, json=reading("wrist-2"))
    json_error(one, 403, "forbidden", "device_id")
    batch = {"readings": [reading("wrist-1"), reading("wrist-2")]}
    mixed = httpx.post(url + "/batch", params={"token": wrist}, json=batch)
    json_error(mixed, 403, "forbidden", "readings[1].device_id")
    # Nothing of the refused batch was stored.
    stored = httpx.get(server.url + "/api/readings", params={"device_id": "wrist-2"}, headers=AUTH)
    assert stored.json()["data"] == []


def test_device_token_sends_its_own_signals_only(server: LiveServer, wrist: str) -> None:
    url = server.url + "/api/wearable/signals"
    own = httpx.post(url, params={"token": wrist}, json=signal_batch("wrist-1", 1, 0.0, 1.0))
    assert own.status_code == 200, own.text
    other = httpx.post(url, params={"token": wrist}, json=signal_batch("wrist-2", 1, 0.0, 1.0))
    json_error(other, 403, "forbidden", "device_id")
    no_token = httpx.post(url, json=signal_batch("wrist-1", 2, 1.0, 1.0))
    json_error(no_token, 401, "unauthorized", "token")


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [("GET", "/api/tests", None), ("GET", "/api/readings", None),
     ("GET", "/api/wearable/windows", None), ("GET", "/api/wearable/signals.csv", None),
     ("GET", "/api/readings.csv", None), ("GET", "/api/status", None),
     ("POST", "/api/start_test", {"device_id": "wrist-1"}),
     ("POST", "/api/stop_test", {"device_id": "wrist-1"}), ("DELETE", "/api/tests/1", None),
     ("PATCH", "/api/tests/1", {"notes": "x"}), ("POST", "/api/devices/wrist-1/tare", None),
     ("PUT", "/api/devices/wrist-1", {"calibration": {}}),
     ("POST", "/api/devices/wrist-1/calibrate", {"channel": "l", "mass_kg": 20})],
)  # fmt: skip
def test_device_token_may_do_nothing_else(
    server: LiveServer, wrist: str, method: str, path: str, body: Any
) -> None:
    response = httpx.request(method, server.url + path, params={"token": wrist}, json=body)
    json_error(response, 403, "forbidden", "may only send that device's data")


def test_device_token_passes_exactly_the_posts_the_openapi_document_marks(
    server: LiveServer, wrist: str
) -> None:
    """The layer reads the marks from the routes; the document shows them: the two agree."""
    document = httpx.get(server.url + "/openapi.json").json()
    posts = {path: ops["post"] for path, ops in document["paths"].items() if "post" in ops}
    marked = {path for path, post in posts.items() if post.get("x-device-token") is True}
    assert marked == {"/api/sensor-data", "/api/sensor-data/batch", "/api/wearable/signals"}
    for path in sorted(posts):
        concrete = re.sub(r"\{[^}]+\}", "1", path)
        response = httpx.post(server.url + concrete, params={"token": wrist}, json={})
        # A marked route takes the token, then finds the empty body wanting; any other refuses.
        assert (response.status_code == 403) == (path not in marked), (path, response.text)


def test_revoked_token_is_refused_within_the_cache_time(server: LiveServer) -> None:
    token_id, token = create_token(server, "wrist-revoked")
    url = server.url + "/api/sensor-data"

    def status() -> int:
        return httpx.post(url, params={"token": token}, json=reading("wrist-revoked")).status_code

    assert status() == 200
    revoked = token_command(server, "revoke", str(token_id))
    assert revoked.returncode == 0 and f"token {token_id} revoked" in revoked.stdout
    wait_for(lambda: status() == 401, timeout=CACHE_S + 5)
    listed = token_command(server, "list").stdout
    [row] = [
        line for line in listed.splitlines() if line.split()[:2] == [str(token_id), "wrist-revoked"]
    ]
    assert row.split()[-1] != "-"  # the revocation time
    assert token not in listed  # only ever printed once, by create
    again = token_command(server, "revoke", str(token_id))
    assert again.returncode == 1 and f"no active token with id {token_id}" in again.stderr


def test_token_create_refuses_a_bad_device_id(server: LiveServer) -> None:
    result = token_command(server, "create", "--device", "no spaces")
    assert result.returncode == 1 and "--device" in result.stderr


# -- Socket.IO and /ws ---------------------------------------------------------------------------


class Refused(Exception):
    """The server refused the Socket.IO connection; ``args[0]`` is what connect_error carried."""


def sio_connect(server: LiveServer, **options: Any) -> socketio.SimpleClient:
    client = socketio.SimpleClient(reconnection=False)
    client.connect(server.url, transports=["websocket"], wait_timeout=TIMEOUT_S, **options)
    return client


def sio_refusal(server: LiveServer, **options: Any) -> Any:
    """What ``connect_error`` carried when the server refused the connection."""
    refusals: list[Any] = []
    client = socketio.Client(reconnection=False)
    client.on("connect_error", refusals.append)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(server.url, transports=["websocket"], wait_timeout=TIMEOUT_S, **options)
    wait_for(lambda: refusals)
    return refusals[0]


def events_until_pong(client: socketio.SimpleClient) -> list[tuple[str, Any]]:
    """Every event the server sent before answering a ``ping``: all it did for what came before."""
    client.emit("ping")
    events: list[tuple[str, Any]] = []
    while True:
        name, *args = client.receive(timeout=TIMEOUT_S)
        if name == "pong":
            return events
        events.append((name, args[0] if args else None))


@pytest.mark.parametrize("options", [{}, {"auth": {"token": "not-a-token"}}])
def test_socketio_without_a_valid_token_is_refused_with_a_reason(
    server: LiveServer, options: dict[str, Any]
) -> None:
    refusal = sio_refusal(server, **options)
    assert "token" in refusal["message"] and refusal["data"]["code"] == "unauthorized"


@pytest.mark.parametrize("where", ["auth", "query"])
def test_socketio_accepts_the_api_token_in_auth_or_query(server: LiveServer, where: str) -> None:
    if where == "auth":
        client = sio_connect(server, auth={"token": API_TOKEN})
    else:
        client = socketio.SimpleClient(reconnection=False)
        client.connect(f"{server.url}?token={API_TOKEN}", transports=["websocket"])
    try:
        assert client.receive(timeout=TIMEOUT_S)[0] == "status"
        client.emit("cmd", {"cmd": "start", "device_id": f"plate-sio-{where}"})
        events = events_until_pong(client)
        assert "error" not in [name for name, _ in events], events
    finally:
        client.disconnect()


def test_socketio_device_token_streams_only_as_its_device(server: LiveServer, wrist: str) -> None:
    client = sio_connect(server, auth={"token": wrist})
    try:
        client.emit("register", {"type": "esp", "device_id": "wrist-1"})
        client.emit("samples", {"samples": [{"t": 1, "l": 1.0, "r": 2.0}]})
        assert [n for n, _ in events_until_pong(client) if n == "error"] == []
        latest = httpx.get(
            server.url + "/api/latest_reading", params={"device_id": "wrist-1"}, headers=AUTH
        )
        assert latest.json()["t"] == 1
        for event, data in [
            ("register", {"type": "esp", "device_id": "wrist-2"}),
            ("register", {"type": "browser"}),
            ("cmd", {"cmd": "start", "device_id": "wrist-1"}),
        ]:
            client.emit(event, data)
            errors = [d for n, d in events_until_pong(client) if n == "error"]
            assert [e["code"] for e in errors] == ["forbidden"], (event, data, errors)
    finally:
        client.disconnect()


def ws_url(server: LiveServer, query: str = "") -> str:
    return server.url.replace("http://", "ws://", 1) + "/ws" + query


def test_ws_without_a_valid_token_closes_with_1008(server: LiveServer) -> None:
    for query in ("", "?token=not-a-token"):
        url = ws_url(server, query)
        with (
            connect(url, proxy=None, open_timeout=TIMEOUT_S) as ws,
            pytest.raises(ConnectionClosed) as closed,
        ):
            ws.recv(timeout=TIMEOUT_S)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008
        assert "token" in closed.value.rcvd.reason


def test_ws_device_token_in_query_streams_as_its_device(server: LiveServer, wrist: str) -> None:
    with connect(ws_url(server, f"?token={wrist}"), proxy=None, open_timeout=TIMEOUT_S) as ws:
        assert json.loads(ws.recv(timeout=TIMEOUT_S))["event"] == "status"
        ws.send(json.dumps({"type": "esp", "device_id": "wrist-1"}))
        ws.send(json.dumps({"samples": [{"t": 7, "l": 1.0, "r": 2.0}]}))
        ws.send(json.dumps({"type": "esp", "device_id": "plate-other"}))
        frames = iter(lambda: json.loads(ws.recv(timeout=TIMEOUT_S)), None)
        error = next(frame for frame in frames if frame.get("event") == "error")
        assert error["data"]["code"] == "forbidden"
    latest = httpx.get(
        server.url + "/api/latest_reading", params={"device_id": "wrist-1"}, headers=AUTH
    )
    assert latest.json()["t"] == 7


# -- our own device clients --------------------------------------------------------------------


@pytest.mark.parametrize("transport", ["socketio", "ws"])
def test_a_simulated_plate_with_a_device_token_connects_as_its_device(
    server: LiveServer, transport: str
) -> None:
    device_id = f"sim-plate-{transport}"
    _, token = create_token(server, device_id)
    link = open_link(transport, server.url, device_id, lambda _command: None, token)
    try:

        def connected() -> bool:
            status = httpx.get(
                server.url + "/api/status", params={"device_id": device_id}, headers=AUTH
            )
            return bool(status.json()["esp_connected"])

        wait_for(connected, timeout=TIMEOUT_S)
    finally:
        link.close()


def test_the_simulated_wearable_sends_the_token_from_the_environment(server: LiveServer) -> None:
    _, token = create_token(server, "sim-wrist")
    command = [sys.executable, "-m", "sensorhub", "simulate", "wearable", "--url", server.url]
    command += ["--device-id", "sim-wrist", "--rate", "50", "--count", "3"]
    env = {**os.environ, "SENSORHUB_DEVICE_TOKEN": token}
    result = subprocess.run(command, capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 0, result.stderr
    assert "3 readings accepted, 0 failed" in result.stdout


async def test_the_serial_forwarder_posts_with_its_token(server: LiveServer) -> None:
    _, token = create_token(server, "usb-wrist")
    with_token, without = HttpSink(server.url, token=token), HttpSink(server.url)
    try:
        await with_token.reading(reading("usb-wrist"))  # raises unless accepted
        with pytest.raises(ValidationError, match="HTTP 401"):
            await without.reading(reading("usb-wrist"))
    finally:
        await with_token.close()
        await without.close()


# -- logs ---------------------------------------------------------------------------------------


def test_tokens_never_reach_the_log(server: LiveServer, wrist: str) -> None:
    marker = "/api/sensor-data?token=<redacted>"
    httpx.post(server.url + "/api/sensor-data", params={"token": wrist}, json=reading("wrist-1"))
    with connect(ws_url(server, f"?token={wrist}"), proxy=None, open_timeout=TIMEOUT_S) as ws:
        ws.recv(timeout=TIMEOUT_S)
    wait_for(lambda: marker in server.log() and "/ws?token=<redacted>" in server.log())
    log = server.log()
    assert wrist not in log and API_TOKEN not in log


# -- auth off -----------------------------------------------------------------------------------


def test_without_a_token_auth_is_off_and_loopback_logs_no_warning(
    live_server: LiveServer,
) -> None:
    assert httpx.get(live_server.url + "/api/health").json()["auth"] == "off"
    assert httpx.get(live_server.url + "/api/tests").status_code == 200
    assert "auth_off" not in live_server.log()


def test_without_a_token_listening_beyond_loopback_warns_once(tmp_path: Path) -> None:
    live = start_server(tmp_path / "data", args=["--host", "0.0.0.0"])
    try:
        warnings = [line for line in live.log().splitlines() if "event=auth_off" in line]
        assert len(warnings) == 1 and "level=warning" in warnings[0]
    finally:
        live.stop()
