"""Forwarding over the network (``sensorhub serial``, ``python serial_listener.py``).

Readings go to ``POST {url}/api/sensor-data``, exactly as the wearable firmware posts them,
over one keep-alive connection (stdlib ``http.client`` in a worker thread: no extra
dependency). Force-plate messages go over one persistent plain WebSocket to ``{url}/ws``
(DESIGN §4.1), so the server sees the device as one esp client; the commands it sends back
are written to the device.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import logging
from contextlib import suppress
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from websockets.exceptions import ConnectionClosed, WebSocketException

from sensorhub.devices._backoff import Backoff
from sensorhub.devices._credentials import bearer_headers
from sensorhub.devices._sinks import DeviceLink, Sink
from sensorhub.errors import ConfigError, ForwardError, ValidationError
from sensorhub.lazy import lazy_module
from sensorhub.logs import log_event
from sensorhub.tasks import BackgroundTasks
from sensorhub.types import JSONDict

if TYPE_CHECKING:
    from websockets.asyncio.client import ClientConnection

# Loaded by the forwarder's first connection: the server imports this package for its serial
# listener but never opens a WebSocket of its own (~0.9 MB; bench/README.md).
ws_client = lazy_module("websockets.asyncio.client")

logger = logging.getLogger(__name__)

READINGS_PATH = "/api/sensor-data"
WEBSOCKET_PATH = "/ws"
HTTP_TIMEOUT_S = 5.0
# The first force-plate message waits this long for the socket; later, while it is down,
# messages fail at once so readings on the same line keep flowing.
FIRST_CONNECT_WAIT_S = 5.0


class HttpSink(Sink):
    """Forwards to a sensorhub server at ``url`` (e.g. ``http://192.168.1.20:5000``)."""

    def __init__(
        self, url: str, *, token: str | None = None, backoff: Backoff | None = None
    ) -> None:
        self.url = url.rstrip("/")
        self._poster = ReadingPoster(self.url, token)
        self._socket = PlateSocket(websocket_url(self.url), backoff or Backoff(), token)

    async def open(self, link: DeviceLink) -> None:
        self._socket.link = link

    async def reading(self, message: JSONDict) -> None:
        status, body = await asyncio.to_thread(self._poster.post, json.dumps(message).encode())
        _raise_for_refusal(status, body)

    async def plate_message(self, message: JSONDict) -> None:
        await self._socket.send(message)

    async def close(self) -> None:
        await self._socket.close()
        self._poster.close()


def websocket_url(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    ws_scheme = {"http": "ws", "https": "wss"}.get(scheme, scheme)
    return f"{ws_scheme}{sep}{rest}{WEBSOCKET_PATH}"


def _raise_for_refusal(status: int, body: bytes) -> None:
    if 200 <= status < 300:
        return
    message = f"HTTP {status}: {_error_message(body)}"
    # 429 and 5xx are the server's trouble, not the message's.
    if status == 429 or status >= 500:
        raise ForwardError(message)
    raise ValidationError(message)


def _error_message(body: bytes) -> str:
    try:
        parsed = json.loads(body)
    except ValueError:
        return body[:200].decode(errors="replace")
    return str(parsed.get("message", parsed)) if isinstance(parsed, dict) else str(parsed)


# How a kept-alive connection that the server has closed fails on its next use.
_DROPPED = (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError)


class ReadingPoster:
    """Blocking POSTs of JSON bodies to ``{url}/api/sensor-data`` over one kept-alive
    connection; one call at a time (the listener forwards line by line)."""

    def __init__(self, url: str, token: str | None = None) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(f"server URL must look like http://host:5000, not {url!r}")
        self._https = parts.scheme == "https"
        self._host, self._port = parts.hostname, parts.port
        self._path = parts.path.rstrip("/") + READINGS_PATH
        # The server requires the content type (415 without).
        self._headers = {"Content-Type": "application/json", **bearer_headers(token)}
        self._connection: http.client.HTTPConnection | None = None
        self._used = False  # has the open connection served a request already?

    def post(self, body: bytes) -> tuple[int, bytes]:
        """(status, body) of the reply; raises ForwardError when there is none."""
        reused = self._connection is not None and self._used
        try:
            return self._post_once(body)
        except _DROPPED as exc:
            if not reused:
                raise ForwardError(f"POST {self._path}: connection dropped: {exc!r}") from exc
        # A kept-alive connection the server closed while idle (uvicorn closes them after
        # 5 s) fails on its next use: try once more on a fresh connection.
        try:
            return self._post_once(body)
        except _DROPPED as exc:
            raise ForwardError(f"POST {self._path}: connection dropped: {exc!r}") from exc

    def _post_once(self, body: bytes) -> tuple[int, bytes]:
        connection = self._connect()
        try:
            connection.request("POST", self._path, body, self._headers)
            response = connection.getresponse()
            reply = response.read()
        except _DROPPED:
            self.close()
            raise
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            raise ForwardError(f"POST {self._path} failed: {exc!r}") from exc
        self._used = True
        return response.status, reply

    def _connect(self) -> http.client.HTTPConnection:
        if self._connection is None:
            kind = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
            self._connection = kind(self._host, self._port, timeout=HTTP_TIMEOUT_S)
            self._used = False
        return self._connection

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


class PlateSocket:
    """One WebSocket to ``/ws`` for force-plate messages: opened on the first message, kept
    open, reopened with backoff when it drops. After each (re)connect the device's last
    registration is sent again, because the server forgets a connection's role with it.
    """

    def __init__(self, url: str, backoff: Backoff, token: str | None = None) -> None:
        self.url = url
        self._headers = bearer_headers(token)
        self.link: DeviceLink | None = None
        self._backoff = backoff
        self._ws: ClientConnection | None = None
        self._connected_once = asyncio.Event()
        self._registration: JSONDict | None = None
        self._replayed: JSONDict | None = None
        self._tasks = BackgroundTasks()
        self._started = False
        self._closing = False

    @property
    def connected(self) -> bool:
        return self._ws is not None

    async def send(self, message: JSONDict) -> None:
        if "type" in message:
            self._registration = message
        ws = await self._ready()
        if message is self._replayed:
            return  # the connect that just happened sent it already
        try:
            await ws.send(json.dumps(message))
        except ConnectionClosed as exc:
            raise ForwardError(f"{self.url} closed: {exc}") from exc

    async def close(self) -> None:
        self._closing = True
        await self._tasks.cancel_all()

    async def _ready(self) -> ClientConnection:
        if not self._started:
            self._started = True
            self._tasks.spawn(self._maintain(), name=f"plate-socket {self.url}")
        if self._ws is None and not self._connected_once.is_set():
            with suppress(TimeoutError):
                await asyncio.wait_for(self._connected_once.wait(), FIRST_CONNECT_WAIT_S)
        if self._ws is None:
            raise ForwardError(f"{self.url} is not connected; reconnecting")
        return self._ws

    async def _maintain(self) -> None:
        while True:
            ws = await self._connect()
            if ws is not None:
                await self._serve(ws)
            await asyncio.sleep(self._backoff.next_delay())

    async def _connect(self) -> ClientConnection | None:
        try:
            # proxy=None: the server is on the LAN; a system proxy would only get in the way.
            ws: ClientConnection = await ws_client.connect(
                self.url,
                open_timeout=HTTP_TIMEOUT_S,
                proxy=None,
                additional_headers=self._headers,
            )
        except (OSError, TimeoutError, WebSocketException) as exc:
            log_event(
                logger,
                "plate_socket_connect_failed",
                logging.WARNING,
                url=self.url,
                error=repr(exc),
            )
            return None
        self._backoff.reset()
        return ws

    async def _serve(self, ws: ClientConnection) -> None:
        try:
            if self._registration is not None:
                await ws.send(json.dumps(self._registration))
                self._replayed = self._registration
            self._ws = ws
            self._connected_once.set()
            log_event(logger, "plate_socket_connected", url=self.url)
            async for frame in ws:
                await self._on_frame(frame)
        except ConnectionClosed:
            pass
        finally:
            self._ws = None
            with suppress(Exception):
                await ws.close()
            level = logging.INFO if self._closing else logging.WARNING
            log_event(logger, "plate_socket_closed", level, url=self.url)

    async def _on_frame(self, frame: str | bytes) -> None:
        try:
            data = json.loads(frame)
        except ValueError:
            return
        if not isinstance(data, dict) or self.link is None:
            return
        if "cmd" in data:  # commands to an esp arrive as the bare object (DESIGN §4.1)
            await self.link.send(data)
        elif data.get("event") == "error":
            error = data.get("data")
            self.link.rejected(str(error.get("message") if isinstance(error, dict) else error))
