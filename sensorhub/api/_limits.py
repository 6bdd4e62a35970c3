"""Request middleware, pure ASGI, each doing no work where it has nothing to do: body size
(413), per-client rate (429), and gzip for large replies to reads."""

from __future__ import annotations

from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sensorhub.api._errors import sensorhub_error_response
from sensorhub.errors import PayloadTooLarge, RateLimited, SensorhubError
from sensorhub.ratelimit import TokenBuckets


async def _refuse(error: SensorhubError, scope: Scope, receive: Receive, send: Send) -> None:
    """Answer with ``error`` as every route does: its status, ``{"status", "message", "code"}``."""
    await sensorhub_error_response(error)(scope, receive, send)


class BodySizeLimit:
    """Bodies larger than ``max_bytes`` get 413 before the app sees them.

    A declared ``Content-Length`` is all it takes: the server reads exactly that many bytes,
    so a body within it passes untouched. A chunked body is read up to the limit first (as
    FastAPI does anyway for JSON), so an oversize one is refused cleanly instead of failing
    half-way through parsing.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared, chunked = _body_framing(scope)
        if declared is not None and declared > self.max_bytes:
            await _refuse(self._too_large(), scope, receive, send)
        elif chunked:
            await self._read_chunked(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _read_chunked(self, scope: Scope, receive: Receive, send: Send) -> None:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break  # the client went away; let the app see the disconnect
            size += len(message.get("body", b""))
            if size > self.max_bytes:
                await _refuse(self._too_large(), scope, receive, send)
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        await self.app(scope, _replay(b"".join(chunks), receive), send)

    def _too_large(self) -> PayloadTooLarge:
        return PayloadTooLarge(f"request body is larger than {self.max_bytes} bytes")


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
