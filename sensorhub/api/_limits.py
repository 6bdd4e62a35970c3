"""Request limits as pure ASGI middleware: body size (413) and per-client rate (429)."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sensorhub.api._errors import sensorhub_error_response
from sensorhub.errors import PayloadTooLarge, RateLimited, SensorhubError
from sensorhub.ratelimit import TokenBuckets


async def _refuse(error: SensorhubError, scope: Scope, receive: Receive, send: Send) -> None:
    """Answer with ``error`` as every route does: its status, ``{"status", "message", "code"}``."""
    await sensorhub_error_response(error)(scope, receive, send)


class BodySizeLimit:
    """Reads the body up to ``max_bytes`` before the app sees it; larger bodies get 413.

    Buffering first (as FastAPI does anyway for JSON) means an oversize body is refused
    cleanly instead of failing half-way through parsing.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await _refuse(self._too_large(), scope, receive, send)
            return
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
