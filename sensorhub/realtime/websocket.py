"""The plain WebSocket at ``/ws``, for firmware without a Socket.IO client (DESIGN §4.1).

One JSON object per text frame, both ways. Server events arrive as ``{"event", "data"}``;
commands to an esp arrive as the bare command object, as the seed's esp expects them.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Callable

from fastapi import APIRouter, WebSocket
from starlette.status import WS_1008_POLICY_VIOLATION

from sensorhub import jsonwire, wire
from sensorhub.auth import presented_token
from sensorhub.errors import SensorhubError, Unauthorized
from sensorhub.logs import log_event
from sensorhub.presence import ADMITTED
from sensorhub.realtime.limits import ClientLimits
from sensorhub.realtime.messages import MessageHandler, error_payload
from sensorhub.realtime.sendqueue import LiveFrameQueue
from sensorhub.types import JSONDict

logger = logging.getLogger(__name__)

# RFC 6455 "Try Again Later": the connection limit (per address or overall) is reached.
CLOSE_TRY_AGAIN_LATER = 1013


class _Connection:
    def __init__(self, websocket: WebSocket, max_live_frames: int) -> None:
        self.websocket = websocket
        self.rooms: set[str] = set()
        # A client that cannot keep up loses its oldest live frames, never the server's memory.
        self.frames = LiveFrameQueue[str](max_live_frames, _is_live, _dropped_frame)

    def push(self, frame: str) -> None:
        self.frames.put_nowait(frame)

    async def pump(self) -> None:
        """Send queued frames in order; one sender per socket, so sends never interleave."""
        while True:
            frame = await self.frames.get()
            await self.websocket.send_text(frame)
            self.frames.task_done()


class WebSocketClients:
    """Rooms and fan-out for ``/ws`` connections (ids ``ws-<n>``); each client queues at most
    ``max_live_frames`` live frames (0: no bound)."""

    def __init__(self, max_live_frames: int = 0) -> None:
        self._connections: dict[str, _Connection] = {}
        self._ids = itertools.count(1)
        self._max_live_frames = max_live_frames

    def owns(self, conn: str) -> bool:
        return conn.startswith("ws-")

    def add(self, websocket: WebSocket) -> tuple[str, _Connection]:
        conn = f"ws-{next(self._ids)}"
        connection = _Connection(websocket, self._max_live_frames)
        self._connections[conn] = connection
        connection.rooms.add(conn)
        return conn, connection

    def remove(self, conn: str) -> None:
        self._connections.pop(conn, None)

    async def join(self, conn: str, room: str) -> None:
        if conn in self._connections:
            self._connections[conn].rooms.add(room)

    async def leave(self, conn: str, room: str) -> None:
        if conn in self._connections:
            self._connections[conn].rooms.discard(room)

    async def emit(self, event: str, data: JSONDict, *, room: str | None = None) -> None:
        if not self._connections:
            return
        frame = _frame(event, data)
        for connection in self._connections.values():
            if (room or ADMITTED) in connection.rooms:
                connection.push(frame)


def websocket_router(
    clients: WebSocketClients, handler: Callable[[], MessageHandler], limits: ClientLimits
) -> APIRouter:
    """The ``/ws`` route over ``clients``; ``handler()`` returns the running server's handler.

    Each connection's messages are handled one at a time, in arrival order: the next frame
    is read only after the last one is handled.
    """
    router = APIRouter()

    @router.websocket(wire.WEBSOCKET_PATH)
    async def plain_websocket(websocket: WebSocket) -> None:
        """Force-plate messages over a plain WebSocket: same objects as Socket.IO."""
        messages = handler()
        await websocket.accept()
        conn, connection = clients.add(websocket)
        try:
            limits.open(conn, websocket.client.host if websocket.client else "unknown")
        except SensorhubError as exc:
            clients.remove(conn)
            await websocket.close(CLOSE_TRY_AGAIN_LATER, exc.message)
            return
        pump = asyncio.ensure_future(connection.pump())
        try:
            await messages.admit(conn, _presented_token(websocket))
            connection.push(_frame(wire.STATUS, {"status": "connected"}))
            while (message := await websocket.receive())["type"] == "websocket.receive":
                # A binary frame is read as UTF-8 JSON, like a text frame; anything else is
                # an `error` naming the problem, and the connection stays open.
                payload = message.get("text") or message.get("bytes") or ""
                try:
                    limits.admit(conn)
                    await messages.handle(conn, payload)
                except SensorhubError as exc:
                    connection.push(_frame(wire.ERROR, error_payload(exc)))
        except Unauthorized as exc:
            await websocket.close(WS_1008_POLICY_VIOLATION, exc.message)
        except Exception as exc:  # a broken socket must not take the server with it
            log_event(logger, "websocket_error", logging.WARNING, conn=conn, error=repr(exc))
        finally:
            pump.cancel()
            clients.remove(conn)
            limits.close(conn)
            messages.disconnected(conn)

    return router


def _presented_token(websocket: WebSocket) -> object:
    return presented_token(
        authorization=websocket.headers.get("authorization"),
        query_token=websocket.query_params.get("token"),
    )


def _dropped_frame(count: int) -> str:
    return _frame(wire.DROPPED, {"count": count})


def _frame(event: str, data: JSONDict) -> str:
    """Commands go to an esp as the bare object (as the seed's esp expects); the rest as
    ``{"event", "data"}``."""
    return jsonwire.dumps(data if event == wire.COMMAND else {"event": event, "data": data})


# How a live frame starts, e.g. '{"event":"sensor_data",'.
_LIVE_PREFIXES = tuple(_frame(event, {}).split('"data"')[0] for event in wire.LIVE_EVENTS)


def _is_live(frame: str) -> bool:
    return frame.startswith(_LIVE_PREFIXES)
