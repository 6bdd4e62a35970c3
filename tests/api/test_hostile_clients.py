"""Hostile clients, round two (issue 19): each finding's request against a real server.

One server with the defaults (auth off) and one with an API token and the access log; both
with short body and connection limits so each flood is bounded to seconds.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import select
import socket
import sqlite3
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from tests._errors import json_error
from tests._readings import READING
from tests._server import LiveServer, start_server, wait_for
from tests.realtime._rawws import RawWebSocket
from tests.signals._batches import batch

API_TOKEN = "round-two-api-token-0123456789"
UNKNOWN_TOKEN = "x" * 43  # as long as a real one (secrets.token_urlsafe(32))
BODY_TIMEOUT_S = 1.0
PER_ADDRESS = 10
SIGNAL_DEVICES_MAX = 4
ENV = {
    "SENSORHUB_REQUEST_BODY_TIMEOUT_S": str(BODY_TIMEOUT_S),
    "SENSORHUB_MAX_CONNECTIONS_PER_ADDRESS": str(PER_ADDRESS),
    "SENSORHUB_SIGNAL_DEVICES_MAX": str(SIGNAL_DEVICES_MAX),
    "SENSORHUB_DEVICE_RATE_LIMIT_PER_S": "0",
}
EVIL = "evil.example:5402"
MAX_BODY_BYTES = 1024 * 1024  # the default


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    data = tmp_path_factory.mktemp("hostile2") / "data"
    # SQLite of its own on either pass: a test writes a bad row into it behind the server.
    db = ["--db", f"sqlite:///{data.parent / 'hub.db'}"]
    live = start_server(data, args=db, env=ENV)
    yield live
    live.stop()
    assert "Exception in ASGI application" not in live.log(), live.log()


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    env = {**ENV, "SENSORHUB_API_TOKEN": API_TOKEN}
    live = start_server(
        tmp_path_factory.mktemp("hostile2-auth") / "data", args=["--access-log"], env=env
    )
    yield live
    live.stop()


@pytest.fixture
def http(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30.0) as client:
        yield client


def open_fds(server: LiveServer) -> int:
    return len(list(Path(f"/proc/{server.process.pid}/fd").iterdir()))


def rss_bytes(server: LiveServer) -> int:
    for line in Path(f"/proc/{server.process.pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def ws_url(server: LiveServer, path: str) -> str:
    return server.url.replace("http://", "ws://") + path


# -- 1. live data before the token lookup ----------------------------------------------------
@pytest.fixture
def streaming_wearable(guarded: LiveServer) -> Iterator[None]:
    """A wearable posting 50 readings/s, each broadcast as `stream`, until the test ends."""
    stop = threading.Event()

    def post() -> None:
        headers = {"Authorization": f"Bearer {API_TOKEN}"}
        with httpx.Client(base_url=guarded.url, headers=headers, timeout=10) as http:
            while not stop.wait(0.02):
                assert http.post("/api/sensor-data", json=READING).status_code == 200

    poster = threading.Thread(target=post, daemon=True)
    poster.start()
    yield
    stop.set()
    poster.join(timeout=10)


def frames_before_refusal_ws(server: LiveServer) -> list[str]:
    frames: list[str] = []
    with connect(ws_url(server, f"/ws?token={UNKNOWN_TOKEN}"), open_timeout=10) as ws:
        try:
            while True:
                frames.append(str(ws.recv(timeout=10)))
        except ConnectionClosed as closed:
            assert closed.rcvd is not None and closed.rcvd.code == 1008
    return frames


def frames_before_refusal_socketio(server: LiveServer) -> list[str]:
    frames: list[str] = []
    with RawWebSocket(server.port, "/socket.io/?EIO=4&transport=websocket") as raw:
        assert raw.read_text().startswith("0")  # engine.io open
        raw.send_text("40" + json.dumps({"token": UNKNOWN_TOKEN}))
        while not (text := raw.read_text()).startswith("44"):  # connect_error
            frames.append(text)
    return frames


@pytest.mark.usefixtures("streaming_wearable")
def test_a_socket_with_a_wrong_token_receives_no_live_frame_before_its_refusal(
    guarded: LiveServer,
) -> None:
    tries = 100  # at 50 readings/s the old server leaked a frame in ~1 of 8 tries
    leaked = [f for _ in range(tries) for f in frames_before_refusal_ws(guarded)]
    leaked += [f for _ in range(tries) for f in frames_before_refusal_socketio(guarded)]
    assert leaked == []


# -- 2. a time out of range, and a bad row already stored ------------------------------------
def test_an_import_dated_beyond_the_api_range_is_a_422_and_stores_nothing(
    http: httpx.Client,
) -> None:
    athlete = http.post("/api/athletes", json={"name": "Importer"}).json()["data"]["id"]
    before = http.get("/api/tests").json()
    recording = Path("tests/fixtures/imtp-processor/generic.csv").read_bytes()
    response = http.post(
        f"/api/athletes/{athlete}/imports",
        params={"filename": "x.csv", "recorded_at": "9999-12-31T23:59:59Z"},
        content=recording,
        headers={"Content-Type": "text/csv"},
    )
    json_error(response, 422, "validation_error", "recorded_at")
    assert http.get("/api/tests").json() == before


def test_reads_survive_a_stored_time_beyond_year_9999(
    server: LiveServer, http: httpx.Client
) -> None:
    http.post("/api/start_test", json={"device_id": "plate-bad-row"}).raise_for_status()
    http.post("/api/stop_test", json={"device_id": "plate-bad-row"}).raise_for_status()
    wait_for(lambda: http.get("/api/tests", params={"device_id": "plate-bad-row"}).json()["data"])
    [test] = http.get("/api/tests", params={"device_id": "plate-bad-row"}).json()["data"]
    # As an import dated 9999-12-31 stored it before the range was checked.
    with sqlite3.connect(server.data_dir.parent / "hub.db") as db:
        db.execute("UPDATE tests SET stopped_at = ? WHERE id = ?", (253402300800.0, test["id"]))
    listing = http.get("/api/tests")
    assert listing.status_code == 200, listing.text
    one = http.get(f"/api/tests/{test['id']}")
    assert one.status_code == 200, one.text
    assert one.json()["data"]["stopped_at"].startswith("+010000-01-01T00:00:00")


# -- 3. memory per new device id ---------------------------------------------------------------
def signal_batch(device_id: str, seq: int, start_s: float) -> dict[str, Any]:
    """A minute of BVP at 1024 Hz: a whole window (60 s), ~0.5 MB held per device."""
    body = batch(device_id, seq, start_s, 60.0)
    body["bvp"] = {"hz": 1024, "values": [round(0.1 * (i % 97), 1) for i in range(61_440)]}
    return body


def windows_of(http: httpx.Client, device_id: str) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = http.get(
        "/api/wearable/windows", params={"device_id": device_id}
    ).json()["data"]
    return data


def test_signal_state_is_held_for_a_bounded_number_of_device_ids(http: httpx.Client) -> None:
    """A device pushed out by SIGNAL_DEVICES_MAX newer ids begins its windows again: its next
    minute completes one window (60-120 s), where a device still held completes twelve
    (every 5 s step). Every batch is a 200 all the same."""
    first = signal_batch("wearable-first", 0, 0.0)
    assert http.post("/api/wearable/signals", json=first).status_code == 200
    wait_for(lambda: len(windows_of(http, "wearable-first")) == 1)
    for index in range(SIGNAL_DEVICES_MAX):
        body = signal_batch(f"wearable-new-{index}", 0, 0.0)
        assert http.post("/api/wearable/signals", json=body).status_code == 200
    second = signal_batch("wearable-first", 1, 60.0)
    assert http.post("/api/wearable/signals", json=second).status_code == 200
    # A batch's windows are stored together: one count change, 1 (pushed out) or 12 (held).
    wait_for(lambda: len(windows_of(http, "wearable-first")) > 1)
    assert len(windows_of(http, "wearable-first")) == 2


# -- 4 and 10. one body limit and one body deadline in front of every app ---------------------
def polling_sid(server: LiveServer) -> str:
    text = httpx.get(server.url + "/socket.io/?EIO=4&transport=polling", timeout=10).text
    sid: str = json.loads(text[1:])["sid"]
    return sid


def raw_request(server: LiveServer, head: str) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    sock.sendall(head.encode())
    return sock


def answer(sock: socket.socket) -> bytes:
    """All the server sends until it closes the connection."""
    received = b""
    try:
        while chunk := sock.recv(65536):
            received += chunk
    except ConnectionResetError:
        pass  # bytes sent as the server closed reset the connection; the answer came before
    return received


def test_engineio_posts_over_the_body_limit_get_413_and_their_sockets_close(
    server: LiveServer,
) -> None:
    baseline = open_fds(server)
    path = f"/socket.io/?EIO=4&transport=polling&sid={polling_sid(server)}"
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n"
        f"Content-Length: {2 * MAX_BODY_BYTES}\r\n\r\n"
    )
    sockets = [raw_request(server, head + "4" * 65536) for _ in range(20)]
    for sock in sockets:
        assert answer(sock).startswith(b"HTTP/1.1 413 "), "no 413"
        sock.close()
    wait_for(lambda: open_fds(server) <= baseline)


@pytest.mark.parametrize(
    "path", ["/api/sensor-data", "/socket.io/?EIO=4&transport=polling&sid={sid}"]
)
def test_bodies_dripping_a_byte_at_a_time_get_408_within_the_deadline(
    server: LiveServer, path: str
) -> None:
    path = path.format(sid=polling_sid(server) if "{sid}" in path else "")
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        "Content-Length: 100\r\n\r\n"
    )
    dripping = {raw_request(server, head) for _ in range(50)}
    answers: list[bytes] = []
    deadline = time.monotonic() + 10 * BODY_TIMEOUT_S + 10  # a loaded machine answers late
    while dripping and time.monotonic() < deadline:
        readable, _, _ = select.select(list(dripping), [], [], 0.2)
        for sock in readable:
            answers.append(answer(sock))
            sock.close()
            dripping.discard(sock)
        for sock in dripping:
            # Closed by the server just now: its answer is read above, next round.
            with contextlib.suppress(OSError):
                sock.sendall(b" ")
    for sock in dripping:
        sock.close()
    assert not dripping, f"{len(dripping)} connections still dripping"
    assert all(a.startswith(b"HTTP/1.1 408 ") for a in answers), answers[:1]


# -- 5 and 8. other sites, by name (DNS rebinding) or by origin ------------------------------
def test_a_rebound_host_name_may_not_change_anything(http: httpx.Client) -> None:
    athlete = http.post("/api/athletes", json={"name": "Rebound"}).json()["data"]["id"]
    rebound = {"Host": EVIL, "Origin": f"http://{EVIL}"}
    for method, path, body in [
        ("PATCH", "/api/tests/2", {"athlete": "x"}),
        ("DELETE", f"/api/athletes/{athlete}?with_tests=true", None),
        ("PUT", "/api/devices/plate-1", {"calibration": {"l": {"scale": 2.0}}}),
    ]:
        response = http.request(method, path, json=body, headers=rebound)
        json_error(response, 403, "host_not_allowed", "evil.example")
    assert http.get(f"/api/athletes/{athlete}").status_code == 200
    # The server's own names pass, with or without a port.
    for host in ("localhost", "127.0.0.1:5402", "[::1]"):
        assert http.post("/api/sensor-data", json=READING, headers={"Host": host}).is_success


def test_a_page_on_another_origin_may_not_stop_a_study_or_create_athletes(
    http: httpx.Client,
) -> None:
    study = http.post("/api/wearable/sessions", json={"device_id": "w-evil", "participant": "P"})
    sid = study.json()["data"]["id"]
    evil = {"Origin": "http://evil.example", "Content-Type": "text/plain"}
    stop = http.post(f"/api/wearable/sessions/{sid}/stop", content=b"", headers=evil)
    json_error(stop, 403, "origin_not_allowed", "evil.example")
    assert http.get(f"/api/wearable/sessions/{sid}").json()["data"]["stopped_at"] is None
    preflight = {"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"}
    for path in ("/api/athletes", "/api/wearable/sessions", f"/api/wearable/sessions/{sid}/labels"):
        json_error(http.options(path, headers=preflight), 403, "origin_not_allowed", "evil")


@pytest.mark.parametrize("path", ["/ws", "/socket.io/?EIO=4&transport=websocket"])
def test_sockets_refuse_a_foreign_origin_and_a_foreign_host(server: LiveServer, path: str) -> None:
    for headers in ({"Origin": "http://evil.example"}, {"Host": EVIL}):
        with pytest.raises(InvalidStatus) as refused:
            connect(ws_url(server, path), additional_headers=headers, open_timeout=10)
        assert refused.value.response.status_code == 403
    own = {"Origin": server.url}  # the server's own pages
    with connect(ws_url(server, path), additional_headers=own, open_timeout=10) as ws:
        assert ws.recv(timeout=10)


# -- 6. sockets counted as they open -----------------------------------------------------------
def bare_websocket(server: LiveServer) -> tuple[socket.socket, bytes]:
    """A Socket.IO WebSocket that never sends the namespace connect: its handshake answer."""
    sock = raw_request(
        server,
        "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Upgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
    )
    head = b""
    while b"\r\n\r\n" not in head:
        head += sock.recv(4096)
    return sock, head


def test_bare_sockets_are_counted_per_address_when_they_open(server: LiveServer) -> None:
    baseline = open_fds(server)
    opened = [bare_websocket(server) for _ in range(3 * PER_ADDRESS)]
    try:
        accepted = [s for s, head in opened if head.startswith(b"HTTP/1.1 101")]
        refused = [head for _, head in opened if head.startswith(b"HTTP/1.1 429")]
        assert (len(accepted), len(refused)) == (PER_ADDRESS, 2 * PER_ADDRESS)
        assert open_fds(server) <= baseline + PER_ADDRESS + 2  # + a refusal closing late
    finally:
        for sock, _ in opened:
            sock.close()
    wait_for(lambda: open_fds(server) <= baseline)
    with connect(ws_url(server, "/ws"), open_timeout=10) as ws:  # the count came back
        assert json.loads(ws.recv(timeout=10))["event"] == "status"


# -- 7. spreadsheet formulas in CSV cells ------------------------------------------------------
FORMULAS = ['=HYPERLINK("http://evil.example","x")', "+cmd|' /C calc'!A0", "@SUM(1)", "\t=1+1"]


def csv_cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def assert_no_formula(cells: list[str]) -> None:
    formulas = [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r") or c.startswith("-1-")]
    assert formulas == []


def test_formulas_in_every_csv_we_write_are_text(http: httpx.Client) -> None:
    for stamp in FORMULAS:
        reading = {**READING, "device_id": "-1-1", "timestamp": stamp}
        assert http.post("/api/sensor-data", json=reading).status_code == 200
    readings = http.get("/api/readings.csv", params={"device_id": "-1-1"}).text
    cells = csv_cells(readings)
    assert {f"'{stamp}" for stamp in FORMULAS} <= set(cells) and "'-1-1" in cells
    assert_no_formula(cells)

    for name in FORMULAS:
        response = http.post("/api/athletes", json={"name": name, "groups": ["formula-squad"]})
        assert response.status_code == 201, response.text
    squad = csv_cells(http.get("/api/groups/formula-squad/squad.csv").text)
    assert {f"'{name}" for name in FORMULAS} <= set(squad)
    assert_no_formula(squad)

    study = http.post("/api/wearable/sessions", json={"device_id": "-1-1", "participant": "P"})
    sid = study.json()["data"]["id"]
    for formula in FORMULAS:
        custom = {"phase": "custom", "name": formula}
        assert http.post(f"/api/wearable/sessions/{sid}/phases", json=custom).status_code == 200
        label = {"name": formula, "value": formula}
        assert http.post(f"/api/wearable/sessions/{sid}/labels", json=label).status_code == 200
    http.post(f"/api/wearable/sessions/{sid}/stop").raise_for_status()
    archive = zipfile.ZipFile(io.BytesIO(http.get(f"/api/wearable/sessions/{sid}.zip").content))
    for name in ("labels.csv", "phases.csv"):
        cells = csv_cells(archive.read(name).decode())
        assert f"'{FORMULAS[0]}" in cells
        assert_no_formula(cells)


# -- 9. tokens in the logs, by any spelling the server reads -----------------------------------
def test_a_percent_encoded_token_parameter_is_redacted_in_every_log(guarded: LiveServer) -> None:
    query = f"%74oken={API_TOKEN}"
    assert httpx.get(f"{guarded.url}/api/status?{query}", timeout=10).status_code == 200
    with connect(ws_url(guarded, f"/ws?{query}"), open_timeout=10) as ws:
        assert json.loads(ws.recv(timeout=10))["event"] == "status"
    httpx.get(f"{guarded.url}/socket.io/?EIO=4&transport=polling&{query}", timeout=10)
    wait_for(lambda: guarded.log().count("%74oken=<redacted>") >= 3)
    assert API_TOKEN not in guarded.log()


# -- 10. a client error is one warning line, not a traceback each time -------------------------
def test_malformed_engineio_packets_log_one_line_not_a_traceback_each(
    server: LiveServer,
) -> None:
    before = server.log()
    with RawWebSocket(server.port, "/socket.io/?EIO=4&transport=websocket") as raw:
        raw.read_text()
        raw.send_text("40")
        for _ in range(30):
            raw.send_text('42{"not":"an event list"}')
        raw.send_text("3probe")  # answered after the 30 are handled
        raw.send_text('42["ping"]')
        while not raw.read_text().startswith('42["pong"'):
            pass
    new = server.log()[len(before) :]
    assert "Traceback" not in new, new
    assert new.count("event=socket_client_error") == 1, new


# -- 11. deeply nested JSON is invalid JSON, as docs/contracts.md says -----------------------
def test_deeply_nested_json_is_invalid_json(http: httpx.Client) -> None:
    nested = "[" * 100_000 + "]" * 100_000
    response = http.post(
        "/api/sensor-data", content=nested, headers={"Content-Type": "application/json"}
    )
    json_error(response, 400, "invalid_json", "nested too deeply")
