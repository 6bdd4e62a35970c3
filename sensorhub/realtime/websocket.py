"""The plain WebSocket at ``/ws``, for firmware without a Socket.IO client (DESIGN §4.1).

One JSON object per text frame, both ways. Server events arrive as ``{"event", "data"}``;
commands to an esp arrive as the bare command object, as the seed's esp expects them.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
from collections import deque
from collections.abc import Callable

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from starlette.status import WS_1008_POLICY_VIOLATION

from sensorhub import wire
from sensorhub.auth import presented_token
from sensorhub.errors import SensorhubError, Unauthorized
from sensorhub.logs import log_event
from sensorhub.realtime.messages import MessageHandler
from sensorhub.types import JSONDict

logger = logging.getLogger(__name__)

# A dashboard that cannot keep up loses its oldest live frames, never the server's memory.
MAX_QUEUED_FRAMES = 1000


class _Connection:
    def __init__(self, websocket: WebSocket) -> None:
        self.websocket = websocket
        self.rooms: set[str] = set()
        self.frames: deque[str] = deque(maxlen=MAX_QUEUED_FRAMES)
        self.ready = asyncio.Event()

    def push(self, frame: str) -> None:
        self.frames.append(frame)
        self.ready.set()

    async def pump(self) -> None:
        """Send queued frames in order; one sender per socket, so sends never interleave."""
        while True:
            await self.ready.wait()
            self.ready.clear()
            while self.frames:
                await self.websocket.send_text(self.frames.popleft())


class WebSocketClients:
    """Rooms and fan-out for ``/ws`` connections (ids ``ws-<n>``)."""

    def __init__(self) -> None:
        self._connections: dict[str, _Connection] = {}
        self._ids = itertools.count(1)

    def owns(self, conn: str) -> bool:
        return conn.startswith("ws-")

    def add(self, websocket: WebSocket) -> tuple[str, _Connection]:
        conn = f"ws-{next(self._ids)}"
        self._connections[conn] = connection = _Connection(websocket)
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
            if room is None or room in connection.rooms:
                connection.push(frame)


def websocket_router(clients: WebSocketClients, handler: Callable[[], MessageHandler]) -> APIRouter:
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
        pump = asyncio.ensure_future(connection.pump())
        try:
            await messages.admit(conn, _presented_token(websocket))
            connection.push(_frame(wire.STATUS, {"status": "connected"}))
            while True:
                text = await websocket.receive_text()
                try:
                    await messages.handle(conn, text)
                except SensorhubError as exc:
                    error = {"message": exc.message, "code": exc.code}
                    connection.push(_frame(wire.ERROR, error))
        except WebSocketDisconnect:
            pass
        except Unauthorized as exc:
            await websocket.close(WS_1008_POLICY_VIOLATION, exc.message)
        except Exception as exc:  # a broken socket must not take the server with it
            log_event(logger, "websocket_error", logging.WARNING, conn=conn, error=repr(exc))
        finally:
            pump.cancel()
            clients.remove(conn)
            messages.disconnected(conn)

    return router


def _presented_token(websocket: WebSocket) -> object:
    return presented_token(
        authorization=websocket.headers.get("authorization"),
        query_token=websocket.query_params.get("token"),
    )


def _frame(event: str, data: JSONDict) -> str:
    """Commands go to an esp as the bare object (as the seed's esp expects); the rest as
    ``{"event", "data"}``."""
    return json.dumps(data if event == wire.COMMAND else {"event": event, "data": data})
