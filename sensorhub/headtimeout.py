"""A deadline for each request head: slowloris protection uvicorn does not have.

uvicorn times out a connection only while it sits idle *between* requests
(``timeout_keep_alive``); a client that opens a connection and dribbles its headers a byte at
a time holds it, and a file descriptor, for ever. Here each request head (request line and
headers) must arrive within ``seconds`` of its first byte (or of the connection, for the
first); otherwise the client gets ``408`` and the connection is closed. Bodies are bounded by
``api.RequestBodies`` (size and deadline); WebSocket connections, once upgraded, are not affected.

uvicorn takes the protocol class as its documented ``http`` option. The class reads three
attributes both its HTTP protocols have (``loop``, ``transport``, ``cycle``);
tests/test_headtimeout.py fails if they change.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from uvicorn.protocols.http.auto import AutoHTTPProtocol


def _request_timeout() -> bytes:
    body = json.dumps(
        {"status": "error", "message": "request headers took too long", "code": "request_timeout"}
    ).encode()
    head = "HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\n"
    head += f"connection: close\r\ncontent-length: {len(body)}\r\n\r\n"
    return head.encode() + body


_REQUEST_TIMEOUT = _request_timeout()


def head_timeout_protocol(seconds: float) -> type[asyncio.Protocol]:
    """uvicorn's HTTP protocol, with each request head due within ``seconds``."""

    class HeadTimeoutProtocol(AutoHTTPProtocol):  # type: ignore[misc, valid-type]
        _head_deadline: asyncio.TimerHandle | None = None

        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            self._arm()

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if self._awaiting_head():
                self._arm()
            else:
                self._disarm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def _awaiting_head(self) -> bool:
            if self.transport.is_closing() or self.transport.get_protocol() is not self:
                return False  # closed, or upgraded to a WebSocket
            return self.cycle is None or bool(self.cycle.response_complete)

        def _arm(self) -> None:
            if self._head_deadline is None:
                self._head_deadline = self.loop.call_later(seconds, self._expire)

        def _disarm(self) -> None:
            if self._head_deadline is not None:
                self._head_deadline.cancel()
                self._head_deadline = None

        def _expire(self) -> None:
            self._head_deadline = None
            if self._awaiting_head():
                self.transport.write(_REQUEST_TIMEOUT)
                self.transport.close()

    return HeadTimeoutProtocol
