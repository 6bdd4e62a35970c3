"""Issue 19's eleven findings, measured: the exact requests against a real server, figures out.

    .venv/bin/python -m bench.hostile                    # this checkout
    .venv/bin/python -m bench.hostile --source ../main   # another checkout's code, same venv

Prints one line per figure (frames leaked, RSS, open fds, status codes). Not part of
`make test`: it floods on purpose (600 sockets, 200 dripping bodies, 200 device ids) and takes
a few minutes; the regression tests (tests/api/test_hostile_clients.py) ask the same questions
with floods bounded to seconds.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import os
import socket
import sqlite3
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from tests._readings import READING
from tests._server import LiveServer, start_server
from tests.realtime._rawws import RawWebSocket
from tests.signals._batches import batch

API_TOKEN = "round-two-api-token-0123456789"
EVIL = "evil.example:5402"
FORMULAS = ['=HYPERLINK("http://evil.example","x")', "+cmd|' /C calc'!A0", "@SUM(1)", "\t=1+1"]
Figures = dict[str, object]


@contextlib.contextmanager
def running(
    source: Path, env: dict[str, str], args: list[str] | None = None
) -> Iterator[LiveServer]:
    data = Path(tempfile.mkdtemp(prefix="hostile-")) / "data"
    env = {"PYTHONPATH": str(source), "SENSORHUB_DEVICE_RATE_LIMIT_PER_S": "0", **env}
    server = start_server(data, args=args or [], env=env)
    try:
        yield server
    finally:
        server.stop()


def fds(server: LiveServer) -> int:
    return len(os.listdir(f"/proc/{server.process.pid}/fd"))


def rss_mb(server: LiveServer) -> float:
    for line in Path(f"/proc/{server.process.pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    raise RuntimeError("no VmRSS")


def ws_url(server: LiveServer, path: str) -> str:
    return server.url.replace("http://", "ws://") + path


def raw(server: LiveServer, text: str) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    sock.sendall(text.encode())
    return sock


def status_line(sock: socket.socket, timeout: float = 5.0) -> str:
    sock.settimeout(timeout)
    try:
        return sock.recv(4096).split(b"\r\n", 1)[0].decode() or "closed"
    except TimeoutError:
        return "no answer"
    except ConnectionResetError:
        return "reset"


# -- the findings ------------------------------------------------------------------------------
def leaked_frames(source: Path) -> Figures:
    tries = 600
    with running(source, {"SENSORHUB_API_TOKEN": API_TOKEN}) as server:
        stop = threading.Event()

        def wearable() -> None:
            headers = {"Authorization": f"Bearer {API_TOKEN}"}
            with httpx.Client(base_url=server.url, headers=headers) as http:
                while not stop.wait(0.02):
                    http.post("/api/sensor-data", json=READING)

        poster = threading.Thread(target=wearable, daemon=True)
        poster.start()
        ws_frames = sio_frames = 0
        for _ in range(tries):
            url = ws_url(server, "/ws?token=" + "x" * 43)
            with connect(url, open_timeout=10) as ws, contextlib.suppress(ConnectionClosed):
                while True:
                    ws_frames += '"stream"' in str(ws.recv(timeout=10))
            with RawWebSocket(server.port, "/socket.io/?EIO=4&transport=websocket") as sio:
                sio.read_text()
                sio.send_text("40" + json.dumps({"token": "x" * 43}))
                while not (text := sio.read_text()).startswith("44"):
                    sio_frames += text.startswith('42["stream"')
        stop.set()
        poster.join()
    return {"tries": tries, "ws_stream_frames": ws_frames, "socketio_stream_frames": sio_frames}


def status(request: Callable[[], httpx.Response]) -> int | str:
    """The request's status, or what went wrong on the way."""
    try:
        return request().status_code
    except httpx.HTTPError as exc:
        return type(exc).__name__


def stored_500(source: Path) -> Figures:
    data = Path(tempfile.mkdtemp(prefix="hostile-")) / "data"
    db = data.parent / "hub.db"
    with running(source, {}, ["--db", f"sqlite:///{db}"]) as server:
        with httpx.Client(base_url=server.url, timeout=30) as http:
            athlete = http.post("/api/athletes", json={"name": "A"}).json()["data"]["id"]
            imported = status(
                lambda: http.post(
                    f"/api/athletes/{athlete}/imports",
                    params={"recorded_at": "9999-12-31T23:59:59Z"},
                    content=Path("tests/fixtures/imtp-processor/generic.csv").read_bytes(),
                    headers={"Content-Type": "text/csv"},
                )
            )
        with httpx.Client(base_url=server.url, timeout=30) as http:
            with sqlite3.connect(db) as conn:
                stored = [row[0] for row in conn.execute("SELECT id FROM tests")]
            return {
                "import": imported,
                "tests_stored": len(stored),
                "GET /api/tests": status(lambda: http.get("/api/tests")),
                "GET /api/tests?athlete_id": status(
                    lambda: http.get(f"/api/tests?athlete_id={athlete}")
                ),
                "GET /api/tests/{id}": status(lambda: http.get(f"/api/tests/{stored[0]}"))
                if stored
                else None,
            }


def memory_per_device(source: Path) -> Figures:
    ids = 200
    with running(source, {}) as server, httpx.Client(base_url=server.url, timeout=60) as http:

        def send(device: str) -> int:
            body = batch(device, 0, 0.0, 60.0)
            body["bvp"] = {"hz": 1024, "values": [round(0.1 * (i % 97), 1) for i in range(61_440)]}
            return http.post("/api/wearable/signals", json=body).status_code

        send("warm-up")
        before = rss_mb(server)
        statuses = {send(f"id-{i}") for i in range(ids)}
        after = rss_mb(server)
        time.sleep(60)
        return {"ids": ids, "statuses": sorted(statuses), "rss_mb": (before, after, rss_mb(server))}


def polling_over_limit(source: Path) -> Figures:
    with running(source, {"SENSORHUB_API_TOKEN": API_TOKEN}) as server:
        start = fds(server)
        handshake = httpx.get(server.url + "/socket.io/?EIO=4&transport=polling").text
        sid = json.loads(handshake[1:])["sid"]
        head = (
            f"POST /socket.io/?EIO=4&transport=polling&sid={sid} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Content-Type: text/plain\r\nContent-Length: {2 << 20}\r\n\r\n" + "4" * 65536
        )
        sockets = [raw(server, head) for _ in range(20)]
        answers = sorted({status_line(s) for s in sockets})
        during = fds(server)
        for sock in sockets:
            sock.close()
        time.sleep(5)
        return {"answers": answers, "fds": (start, during, fds(server))}


def rebinding(source: Path) -> Figures:
    with running(source, {}) as server, httpx.Client(base_url=server.url, timeout=30) as http:
        http.post("/api/start_test", json={"device_id": "plate-1"})
        http.post("/api/stop_test", json={"device_id": "plate-1"})
        athlete = http.post("/api/athletes", json={"name": "A"}).json()["data"]["id"]
        evil = {"Host": EVIL, "Origin": f"http://{EVIL}"}
        return {
            "PATCH /api/tests/1": http.patch(
                "/api/tests/1", json={"notes": "x"}, headers=evil
            ).status_code,
            "DELETE /api/athletes/{id}?with_tests=true": http.delete(
                f"/api/athletes/{athlete}?with_tests=true", headers=evil
            ).status_code,
            "PUT /api/devices/plate-1": http.put(
                "/api/devices/plate-1", json={"calibration": {"l": {"scale": 2.0}}}, headers=evil
            ).status_code,
        }


def bare_sockets(source: Path) -> Figures:
    with running(source, {}) as server:
        start, rss = fds(server), rss_mb(server)
        upgrade = (
            "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        sockets = [raw(server, upgrade) for _ in range(600)]
        answers = [status_line(s) for s in sockets]
        figures: Figures = {
            "accepted": sum("101" in a for a in answers),
            "refused": sum("429" in a for a in answers),
            "fds": (start, fds(server)),
            "rss_mb": (rss, rss_mb(server)),
        }
        for sock in sockets:
            sock.close()
        return figures


def csv_formulas(source: Path) -> Figures:
    with running(source, {}) as server, httpx.Client(base_url=server.url, timeout=30) as http:
        for formula in FORMULAS:
            http.post(
                "/api/sensor-data", json={**READING, "device_id": "-1-1", "timestamp": formula}
            )
            http.post("/api/athletes", json={"name": formula, "groups": ["squad"]})
        sid = http.post(
            "/api/wearable/sessions", json={"device_id": "-1-1", "participant": "P"}
        ).json()["data"]["id"]
        for formula in FORMULAS:
            http.post(
                f"/api/wearable/sessions/{sid}/phases", json={"phase": "custom", "name": formula}
            )
            http.post(
                f"/api/wearable/sessions/{sid}/labels", json={"name": formula, "value": formula}
            )
        http.post(f"/api/wearable/sessions/{sid}/stop")
        archive = zipfile.ZipFile(io.BytesIO(http.get(f"/api/wearable/sessions/{sid}.zip").content))
        texts = {
            "readings.csv": http.get("/api/readings.csv").text,
            "squad.csv": http.get("/api/groups/squad/squad.csv").text,
            "labels.csv": archive.read("labels.csv").decode(),
            "phases.csv": archive.read("phases.csv").decode(),
        }

        def formulas(text: str) -> int:
            cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
            return sum(c[:1] in ("=", "+", "@", "\t") or c.startswith("-1-") for c in cells)

        return {name: formulas(text) for name, text in texts.items()}


def other_sites(source: Path) -> Figures:
    with running(source, {}) as server, httpx.Client(base_url=server.url, timeout=30) as http:
        sid = http.post(
            "/api/wearable/sessions", json={"device_id": "w", "participant": "P"}
        ).json()["data"]["id"]
        stop = http.post(
            f"/api/wearable/sessions/{sid}/stop",
            content=b"",
            headers={"Origin": "http://evil.example", "Content-Type": "text/plain"},
        )
        stopped = http.get(f"/api/wearable/sessions/{sid}").json()["data"]["stopped_at"] is not None
        preflight = {"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"}
        try:
            with connect(
                ws_url(server, "/ws"),
                additional_headers={"Origin": "http://evil.example"},
                open_timeout=10,
            ) as ws:
                ws_answer = "accepted: " + json.loads(ws.recv(timeout=10))["event"]
        except InvalidStatus as refused:
            ws_answer = f"refused {refused.response.status_code}"
        return {
            "stop study (text/plain, evil origin)": stop.status_code,
            "study stopped": stopped,
            "preflight POST /api/athletes": http.options(
                "/api/athletes", headers=preflight
            ).status_code,
            "preflight POST /api/wearable/sessions": http.options(
                "/api/wearable/sessions", headers=preflight
            ).status_code,
            "/ws from evil origin": ws_answer,
        }


def tokens_in_logs(source: Path) -> Figures:
    with running(source, {"SENSORHUB_API_TOKEN": API_TOKEN}, ["--access-log"]) as server:
        query = f"%74oken={API_TOKEN}"
        status = httpx.get(f"{server.url}/api/status?{query}").status_code
        with connect(ws_url(server, f"/ws?{query}"), open_timeout=10) as ws:
            ws.recv(timeout=10)
        httpx.get(f"{server.url}/socket.io/?EIO=4&transport=polling&{query}")
        time.sleep(1)
        return {"GET /api/status?%74oken=": status, "token_in_log": server.log().count(API_TOKEN)}


def dripping_bodies(source: Path) -> Figures:
    with running(source, {"SENSORHUB_REQUEST_BODY_TIMEOUT_S": "5"}) as server:
        head = (
            "POST /api/sensor-data HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
        )
        sockets = [raw(server, head) for _ in range(200)]
        start = time.monotonic()
        while time.monotonic() - start < 20:
            for sock in sockets:
                with contextlib.suppress(OSError):
                    sock.sendall(b" ")
            time.sleep(1)
        open_after_20s = fds(server)
        answers = sorted({status_line(s, 0.5) for s in sockets})
        for sock in sockets:
            sock.close()
        return {"connections": 200, "server_fds_after_20s": open_after_20s, "answers": answers}


def tracebacks(source: Path) -> Figures:
    with running(source, {}) as server:
        with RawWebSocket(server.port, "/socket.io/?EIO=4&transport=websocket") as sio:
            sio.read_text()
            sio.send_text("40")
            for _ in range(100):
                sio.send_text('42{"not":"an event list"}')
        time.sleep(2)
        log = server.log()
        return {"packets": 100, "tracebacks": log.count("Traceback"), "lines": log.count("\n")}


def nested_json(source: Path) -> Figures:
    with running(source, {}) as server:
        response = httpx.post(
            server.url + "/api/sensor-data",
            content="[" * 100_000 + "]" * 100_000,
            headers={"Content-Type": "application/json"},
        )
        return {"status": response.status_code, "code": response.json().get("code")}


PROBES: dict[str, Callable[[Path], Figures]] = {
    "1 live frames before refusal": leaked_frames,
    "2 import dated 9999-12-31": stored_500,
    "3 memory per device id": memory_per_device,
    "4 long-polling POST over limit": polling_over_limit,
    "5 DNS rebinding": rebinding,
    "6 bare Socket.IO websockets": bare_sockets,
    "7 CSV formulas": csv_formulas,
    "8 other sites act": other_sites,
    "9 tokens in logs": tokens_in_logs,
    "10a dripping bodies": dripping_bodies,
    "10b tracebacks on demand": tracebacks,
    "11 nested JSON": nested_json,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=Path.cwd(), help="checkout to run")
    parser.add_argument("probes", nargs="*", help="numbers to run (default: all)")
    options = parser.parse_args()
    for name, probe in PROBES.items():
        if not options.probes or name.split()[0] in options.probes:
            try:
                figures: object = probe(options.source.resolve())
            except Exception as exc:  # one probe's failure must not hide the others
                figures = f"probe failed: {exc!r}"
            print(f"{name}: {figures}", flush=True)


if __name__ == "__main__":
    main()
