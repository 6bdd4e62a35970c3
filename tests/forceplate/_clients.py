"""Clients for the force-plate contract (DESIGN §4.1), written only from the documents.

Every wait here polls or receives with a timeout; nothing sleeps for a fixed time.
"""

from __future__ import annotations

import csv
import io
import json
import re
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import httpx
import socketio
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from tests._server import LiveServer, start_server, wait_for

TIMEOUT_S = 10.0
# DESIGN §4.1: "imtp_test_YYYYMMDD_HHMMSS.csv", unique names get a suffix "_2", "_3", …
CSV_NAME = re.compile(r"^imtp_test_(\d{8})_(\d{6})(?:_(\d+))?\.csv$")
# A grace much shorter than the documented 2 s keeps flush-by-silence tests quick.
QUICK_FLUSH_ENV = {"SENSORHUB_FLUSH_GRACE_S": "0.5"}

Sample = dict[str, float]
Match = Callable[[Any], bool]


def samples(start: int, count: int, *, l0: float = 100.0, r0: float = 200.0) -> list[Sample]:
    """Distinct samples with values that would show any rounding (``t`` in device ms)."""
    return [
        {"t": start + i, "l": l0 + i + 0.123456789, "r": r0 + i * 0.5 + 0.987654321}
        for i in range(count)
    ]


def tlr(rows: list[Any]) -> list[Sample]:
    """Only the documented sample fields (the server may add fields: additive contract)."""
    return [{"t": row["t"], "l": row["l"], "r": row["r"]} for row in rows]


def for_device(device_id: str, **fields: Any) -> Match:
    """Match an event payload of ``device_id`` whose given fields are equal."""

    def match(data: Any) -> bool:
        if not isinstance(data, dict) or data.get("device_id") != device_id:
            return False
        return all(data.get(key) == value for key, value in fields.items())

    return match


class SioClient:
    """A python-socketio client that keeps every event it receives.

    ``expect`` returns the first matching event not returned before, wherever it sits in
    the arrival order, so the order in which the server sends unrelated events is free.
    """

    def __init__(
        self, url: str, *, transports: list[str] | None = None, reconnection: bool = True
    ) -> None:
        self.sio = socketio.SimpleClient(reconnection=reconnection)
        self.sio.connect(url, transports=transports or ["websocket"])
        self.events: list[tuple[str, Any]] = []
        self._taken: set[int] = set()

    # -- sending -------------------------------------------------------------------------
    def send(self, obj: Any, *, event: str = "message") -> None:
        """Send a client object as the ``message`` event (or a named event, §4.1)."""
        self.sio.emit(event, obj)

    def send_text(self, text: str) -> None:
        """Send a JSON string (or a broken one) as the ``message`` payload."""
        self.sio.emit("message", text)

    def register(self, role: str, device_id: str | None = None, *, event: str = "message") -> None:
        body: dict[str, Any] = {"type": role}
        if device_id is not None:
            body["device_id"] = device_id
        self.send(body, event=event)
        self.ping()  # the server has handled the registration before it answers the ping

    def ping(self, timeout: float = TIMEOUT_S) -> None:
        """``ping`` → ``pong``: a barrier; events sent to us before the pong are in ``events``."""
        self.sio.emit("ping")
        self.expect("pong", timeout=timeout)

    # -- receiving -----------------------------------------------------------------------
    def _pull(self, timeout: float) -> bool:
        try:
            name, *args = self.sio.receive(timeout=timeout)
        except socketio.exceptions.TimeoutError:
            return False
        self.events.append((name, args[0] if args else None))
        return True

    def drain(self) -> None:
        while self._pull(0):
            pass

    def expect(self, name: str, match: Match | None = None, *, timeout: float = TIMEOUT_S) -> Any:
        """The payload of the first unreturned ``name`` event that matches; waits for it."""
        deadline = time.monotonic() + timeout
        checked = 0
        while True:
            for index in range(checked, len(self.events)):
                event, data = self.events[index]
                if index not in self._taken and event == name and (match is None or match(data)):
                    self._taken.add(index)
                    return data
            checked = len(self.events)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                seen = [event for event, _ in self.events]
                raise AssertionError(f"no matching {name!r} within {timeout}s; got {seen}")
            self._pull(min(remaining, 0.2))

    def received(self, name: str, match: Match | None = None) -> list[Any]:
        """Every ``name`` event received so far (after reading what is already buffered)."""
        self.drain()
        return [
            data for event, data in self.events if event == name and (match is None or match(data))
        ]

    def close(self) -> None:
        self.sio.disconnect()


@contextmanager
def sio_client(
    server: LiveServer,
    role: str | None = None,
    device_id: str | None = None,
    *,
    event: str = "message",
    reconnection: bool = True,
) -> Iterator[SioClient]:
    """A connected Socket.IO client, registered as ``role`` when given."""
    client = SioClient(server.url, reconnection=reconnection)
    try:
        if role is not None:
            client.register(role, device_id, event=event)
            if role == "esp":
                wait_esp_connected(server, device_id or "default")
        yield client
    finally:
        client.close()


class WsClient:
    """A plain WebSocket client at ``/ws``: one JSON object per text frame (§4.1)."""

    def __init__(self, url: str) -> None:
        ws_url = url.replace("http://", "ws://", 1) + "/ws"
        self.ws: ClientConnection = connect(ws_url, legacy=True, proxy=None, open_timeout=10)
        self.frames: list[Any] = []
        self._taken: set[int] = set()

    def send(self, obj: Any) -> None:
        self.ws.send(json.dumps(obj))

    def send_text(self, text: str) -> None:
        self.ws.send(text)

    def _pull(self, timeout: float) -> bool:
        try:
            text = self.ws.recv(timeout=timeout)
        except TimeoutError:
            return False
        self.frames.append(json.loads(text))
        return True

    def expect(self, match: Match, *, timeout: float = TIMEOUT_S) -> Any:
        deadline = time.monotonic() + timeout
        checked = 0
        while True:
            for index in range(checked, len(self.frames)):
                if index not in self._taken and match(self.frames[index]):
                    self._taken.add(index)
                    return self.frames[index]
            checked = len(self.frames)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no matching frame within {timeout}s; got {self.frames}")
            self._pull(min(remaining, 0.2))

    def expect_command(self, cmd: str, *, timeout: float = TIMEOUT_S) -> dict[str, Any]:
        """Commands to an esp arrive as the bare object ``{"cmd": …, "session_id": …}``."""
        frame: dict[str, Any] = self.expect(
            lambda f: isinstance(f, dict) and f.get("cmd") == cmd, timeout=timeout
        )
        return frame

    def expect_event(self, name: str, *, timeout: float = TIMEOUT_S) -> Any:
        """Other server events arrive as ``{"event": name, "data": …}``."""
        frame = self.expect(
            lambda f: isinstance(f, dict) and f.get("event") == name, timeout=timeout
        )
        return frame.get("data")

    def close(self) -> None:
        with suppress(ConnectionClosed):
            self.ws.close()


@contextmanager
def ws_esp(server: LiveServer, device_id: str | None = None) -> Iterator[WsClient]:
    """A plain-WebSocket esp, registered (and seen by ``/api/status``) before it is yielded."""
    client = WsClient(server.url)
    try:
        body: dict[str, Any] = {"type": "esp"}
        if device_id is not None:
            body["device_id"] = device_id
        client.send(body)
        wait_esp_connected(server, device_id or "default")
        yield client
    finally:
        client.close()


# -- REST --------------------------------------------------------------------------------
def status(server: LiveServer, device_id: str | None = None) -> dict[str, Any]:
    params = {"device_id": device_id} if device_id is not None else {}
    response = httpx.get(server.url + "/api/status", params=params, timeout=TIMEOUT_S)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def wait_esp_connected(server: LiveServer, device_id: str, connected: bool = True) -> None:
    wait_for(lambda: status(server, device_id)["esp_connected"] is connected, timeout=TIMEOUT_S)


def start_test_rest(
    server: LiveServer, device_id: str, **fields: Any
) -> tuple[httpx.Response, Any]:
    response = httpx.post(
        server.url + "/api/start_test", json={"device_id": device_id, **fields}, timeout=TIMEOUT_S
    )
    session_id = response.json().get("session_id") if response.status_code == 200 else None
    return response, session_id


def stop_test_rest(server: LiveServer, device_id: str) -> httpx.Response:
    return httpx.post(
        server.url + "/api/stop_test", params={"device_id": device_id}, timeout=TIMEOUT_S
    )


def unwrap(body: Any, *keys: str) -> Any:
    """The documents leave the envelope of the non-seed routes open: accept the object itself
    or the object under one of ``keys``, nested (e.g. ``{"data": {"samples": [...]}}``)."""
    while isinstance(body, dict):
        key = next((key for key in keys if key in body), None)
        if key is None:
            break
        body = body[key]
    return body


def get_test(server: LiveServer, session_id: Any) -> httpx.Response:
    # Assumption: the test id of /api/tests/{id} is the session_id of the events (the
    # documents name one identifier per test; DESIGN §4.1 calls it session_id).
    return httpx.get(f"{server.url}/api/tests/{session_id}", timeout=TIMEOUT_S)


def record_of(server: LiveServer, session_id: Any) -> dict[str, Any]:
    response = get_test(server, session_id)
    assert response.status_code == 200, response.text
    record: dict[str, Any] = unwrap(response.json(), "data", "test")
    return record


def samples_of(server: LiveServer, session_id: Any) -> list[Sample]:
    response = httpx.get(f"{server.url}/api/tests/{session_id}/samples", timeout=TIMEOUT_S)
    assert response.status_code == 200, response.text
    return tlr(unwrap(response.json(), "samples", "data"))


def list_tests(server: LiveServer) -> list[dict[str, Any]]:
    response = httpx.get(server.url + "/api/tests", timeout=TIMEOUT_S)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = unwrap(response.json(), "tests", "data")
    assert isinstance(items, list)
    return items


def listed(server: LiveServer, session_id: Any) -> dict[str, Any] | None:
    for item in list_tests(server):
        if session_id in (item.get("session_id"), item.get("id")):
            return item
    return None


# -- CSV ---------------------------------------------------------------------------------
def csv_dir(server: LiveServer) -> Path:
    return server.data_dir / "test_data"


def csv_path(server: LiveServer, file: str) -> Path:
    """The CSV named by ``data_complete``'s ``file`` (a name or a path: the docs allow either)."""
    name = Path(file).name
    assert CSV_NAME.match(name), name
    return csv_dir(server) / name


def read_csv(text: str) -> tuple[list[str], list[Sample]]:
    reader = csv.reader(io.StringIO(text))
    header = next(reader)
    rows = [{"t": float(row[0]), "l": float(row[1]), "r": float(row[2])} for row in reader if row]
    return header, rows


def numeric(rows: list[Sample]) -> list[Sample]:
    return [{key: float(value) for key, value in row.items()} for row in rows]


def assert_csv_holds(path: Path, sent: list[Sample]) -> None:
    """Header ``t,l,r`` and one row per sample in arrival order, values as sent."""
    header, rows = read_csv(path.read_text())
    assert header == ["t", "l", "r"]
    assert rows == numeric(sent)


@contextmanager
def running_server(data_dir: Path, env: Mapping[str, str] | None = None) -> Iterator[LiveServer]:
    server = start_server(data_dir, env={**QUICK_FLUSH_ENV, **(env or {})})
    try:
        yield server
    finally:
        server.stop()


def new_device(prefix: str = "plate") -> str:
    """A device id no other test uses, so tests can share one server."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def is_cmd(cmd: str) -> Match:
    return lambda data: isinstance(data, dict) and data.get("cmd") == cmd


def complete_run(
    server: LiveServer, device: str, batches: list[list[Sample]], **fields: Any
) -> tuple[Any, dict[str, Any]]:
    """A whole test over REST and a Socket.IO esp: start, batches, stop, done.

    Returns the session id and the ``data_complete`` payload.
    """
    with sio_client(server, "browser") as browser, sio_client(server, "esp", device) as esp:
        response, session_id = start_test_rest(server, device, **fields)
        assert response.status_code == 200, response.text
        assert session_id is not None
        assert esp.expect("message", is_cmd("start"))["session_id"] == session_id
        for batch in batches:
            esp.send({"samples": batch})
            browser.expect("sensor_data", for_device(device, session_id=session_id))
        assert stop_test_rest(server, device).status_code == 200
        esp.expect("message", is_cmd("stop"))
        esp.send({"done": True})
        complete: dict[str, Any] = browser.expect(
            "data_complete", for_device(device, session_id=session_id)
        )
    return session_id, complete
