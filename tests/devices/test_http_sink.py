"""HttpSink's network edges: the kept-alive POST connection and the persistent /ws link."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from websockets.asyncio.server import ServerConnection, serve

from sensorhub.devices import FakeSerialPorts, HttpSink, SerialListener
from sensorhub.devices._http_sink import ReadingPoster
from sensorhub.errors import ConfigError
from sensorhub.types import JSONDict
from tests.devices._listening import quick_backoff, running, until


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive unless we close
    requests: list[tuple[int, bytes]]  # (client port, body)
    status = 201

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        assert self.headers["Content-Type"] == "application/json"
        self.requests.append((self.client_address[1], body))
        reply = json.dumps({"status": "error", "message": "bvp: too hot"}).encode()
        self.send_response(self.status)
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)
        # Close after answering, without saying so: what an idle keep-alive timeout looks like.
        self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def http_server() -> Iterator[tuple[ThreadingHTTPServer, type[_Handler]]]:
    handler = type("Handler", (_Handler,), {"requests": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, handler
    server.shutdown()
    server.server_close()
    thread.join()


def test_a_kept_alive_connection_closed_by_the_server_is_reopened_once(
    http_server: tuple[ThreadingHTTPServer, type[_Handler]],
) -> None:
    server, handler = http_server
    poster = ReadingPoster(f"http://127.0.0.1:{server.server_address[1]}")
    try:
        assert poster.post(b'{"n": 1}')[0] == 201
        assert poster.post(b'{"n": 2}')[0] == 201  # the first connection is gone by now
    finally:
        poster.close()
    bodies = [body for _, body in handler.requests]
    assert bodies == [b'{"n": 1}', b'{"n": 2}']  # each sent once, no duplicate
    assert handler.requests[0][0] != handler.requests[1][0]  # on two connections


async def test_refusals_and_server_errors_are_told_apart(
    http_server: tuple[ThreadingHTTPServer, type[_Handler]],
) -> None:
    server, handler = http_server
    ports = FakeSerialPorts()
    device = ports.plug("fake0")
    sink = HttpSink(f"http://127.0.0.1:{server.server_address[1]}")
    listener = SerialListener("fake0", 115200, sink, open_port=ports)
    async with running(listener):
        handler.status = 422
        device.feed(b'{"bvp": 1}\n')
        await until(lambda: listener.stats.rejected == 1, what="422 counted as rejected")
        handler.status = 503
        device.feed(b'{"bvp": 2}\n')
        await until(lambda: listener.stats.failed == 1, what="503 counted as failed")
    assert listener.stats.forwarded == 0


def test_a_server_url_that_is_not_http_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="http://host:5000"):
        HttpSink("localhost:5000")


async def test_no_server_means_failed_forwards_not_a_crash() -> None:
    ports = FakeSerialPorts()
    device = ports.plug("fake0")
    listener = SerialListener("fake0", 115200, HttpSink("http://127.0.0.1:9"), open_port=ports)
    async with running(listener):
        device.feed(b'{"bvp": 1}\n')
        await until(lambda: listener.stats.failed == 1, what="failed forward")
        assert listener.connected  # the listener goes on reading


async def test_plate_socket_reconnects_and_registers_again() -> None:
    """The /ws link drops (server restart, Wi-Fi): it reconnects and replays the register."""
    connections: list[list[JSONDict]] = []

    async def handler(ws: ServerConnection) -> None:
        frames: list[JSONDict] = []
        connections.append(frames)
        async for text in ws:
            frames.append(json.loads(text))
            if len(connections) == 1 and len(frames) == 2:
                await ws.close()  # drop the first connection after two messages

    async with serve(handler, "127.0.0.1", 0) as server:
        port = server.sockets[0].getsockname()[1]
        sink = HttpSink(f"http://127.0.0.1:{port}", backoff=quick_backoff())
        fake = FakeSerialPorts()
        device = fake.plug("fake0")
        listener = SerialListener("fake0", 115200, sink, open_port=fake)
        async with running(listener):
            device.feed(b'{"type": "esp", "device_id": "p1"}\n{"samples": []}\n')
            await until(lambda: len(connections) == 2 and connections[1], what="reconnect")
            device.feed(b'{"done": true}\n')
            await until(lambda: len(connections[1]) == 2, what="message after reconnect")

    assert connections[0] == [{"type": "esp", "device_id": "p1"}, {"samples": []}]
    assert connections[1] == [{"type": "esp", "device_id": "p1"}, {"done": True}]
