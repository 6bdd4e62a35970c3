"""Request middleware, pure ASGI, each doing no work where it has nothing to do: request
bodies (413, 408), open sockets per address (429), per-client rate (429), and gzip for large
replies to reads."""

from __future__ import annotations

import asyncio

from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sensorhub import wire
from sensorhub.api._errors import sensorhub_error_response
from sensorhub.errors import (
    PayloadTooLarge,
    RateLimited,
    RequestTimeout,
    SensorhubError,
    TooManyConnections,
)
from sensorhub.ratelimit import TokenBuckets
from sensorhub.realtime import ConnectionCounts


async def _refuse(error: SensorhubError, scope: Scope, receive: Receive, send: Send) -> None:
    """Answer with ``error`` as every route does: its status, ``{"status", "message", "code"}``."""
    await sensorhub_error_response(error)(scope, receive, send)


class RequestBodies:
    """One size limit and one deadline for every request body, in front of every app (the
    API and Engine.IO's long-polling POSTs alike): 413 over ``max_bytes``, 408 when the body
    has not arrived ``timeout_s`` after the request did. Both answers close the connection.

    A declared ``Content-Length`` over the limit is refused before a byte is read. Any other
    body is read here, whole, before the app runs (every app reads it whole anyway), so no
    app waits on a client that sends a byte a second and none sees half a body.
    WebSocket messages are bounded by uvicorn's ``ws_max_size``, set to the same limit.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, timeout_s: float) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout_s = timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared, chunked = _body_framing(scope)
        if not declared and not chunked:
            await self.app(scope, receive, send)
            return
        try:
            if declared is not None and declared > self.max_bytes:
                raise self._too_large()
            async with asyncio.timeout(self.timeout_s):
                body = await self._read(receive)
        except TimeoutError:
            error = RequestTimeout(f"the request body did not arrive within {self.timeout_s:g} s")
            await _refuse_and_close(error, scope, receive, send)
        except PayloadTooLarge as exc:
            await _refuse_and_close(exc, scope, receive, send)
        else:
            await self.app(scope, _replay(body, receive), send)

    async def _read(self, receive: Receive) -> bytes:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break  # the client went away; the app sees the disconnect after the body
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                raise self._too_large()
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)

    def _too_large(self) -> PayloadTooLarge:
        return PayloadTooLarge(f"request body is larger than {self.max_bytes} bytes")


async def _refuse_and_close(
    error: SensorhubError, scope: Scope, receive: Receive, send: Send
) -> None:
    """``error`` as every route answers it, and the connection closed after it: the rest of
    the body would otherwise be read as the next request."""
    response = sensorhub_error_response(error)
    response.headers["Connection"] = "close"
    await response(scope, receive, send)


class OpenSockets:
    """Counts each Socket.IO WebSocket per client address the moment it opens, before the
    upgrade is accepted and before any Socket.IO handshake, for as long as it stays open; one
    over the limit is refused with 429 (``too_many_connections``) and never upgraded.

    Socket.IO itself counts a client only at its namespace connect, which a bare WebSocket
    never sends. ``/ws`` counts its connections itself as it accepts them, before reading a
    message (``realtime/websocket.py``), and refuses with a WebSocket close and a reason.
    """

    def __init__(self, app: ASGIApp, counts: ConnectionCounts) -> None:
        self.app = app
        self._counts = counts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket" or not scope["path"].startswith(wire.SOCKETIO_PATH):
            await self.app(scope, receive, send)
            return
        key = object()  # this socket, before engine.io gives it an id
        try:
            self._counts.open(key, _client(scope))
        except TooManyConnections as exc:
            await _refuse(exc, scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self._counts.close(key)


def _body_framing(scope: Scope) -> tuple[int | None, bool]:
    """The declared Content-Length (None when absent or not a number), and whether the body
    comes chunked."""
    declared: int | None = None
    chunked = False
    for name, value in scope["headers"]:
        if name == b"content-length":
            declared = int(value) if value.isdigit() else None
        elif name == b"transfer-encoding":
            chunked = True
    return declared, chunked


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


class RateLimit:
    """A token bucket per client address: ``rate`` requests/s, bursts up to ``burst``."""

    def __init__(self, app: ASGIApp, rate: float, burst: int) -> None:
        self.app = app
        self._buckets = TokenBuckets(rate, burst)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self._buckets.take(_client(scope)):
            await self.app(scope, receive, send)
            return
        retry_after_s = self._buckets.retry_after_s
        error = RateLimited("too many requests; slow down", retry_after_s=retry_after_s)
        await _refuse(error, scope, receive, send)


def _client(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


class GzipReads:
    """Gzip for replies of at least ``minimum_size`` bytes to GET requests of clients that
    accept it (lists and exports, where it pays); every other request passes untouched."""

    def __init__(self, app: ASGIApp, minimum_size: int) -> None:
        self.app = app
        self._gzip = GZipMiddleware(app, minimum_size=minimum_size)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and _accepts_gzip(scope):
            await self._gzip(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def _accepts_gzip(scope: Scope) -> bool:
    return any(name == b"accept-encoding" and b"gzip" in value for name, value in scope["headers"])
