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

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from sensorhub.errors import SensorhubError
from sensorhub.logs import log_event
from sensorhub.types import JSONDict

logger = logging.getLogger(__name__)
router = APIRouter()

# A dashboard that cannot keep up loses its oldest live frames, never the server's memory.
MAX_QUEUED_FRAMES = 1000
COMMAND_EVENT = "message"


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
        frame = json.dumps(data if event == COMMAND_EVENT else {"event": event, "data": data})
        for connection in self._connections.values():
            if room is None or room in connection.rooms:
                connection.push(frame)


@router.websocket("/ws")
async def plain_websocket(websocket: WebSocket) -> None:
    """Force-plate messages over a plain WebSocket: same objects as Socket.IO."""
    services = websocket.app.state.services
    clients: WebSocketClients = services.live.websockets
    await websocket.accept()
    conn, connection = clients.add(websocket)
    pump = asyncio.ensure_future(connection.pump())
    try:
        await services.messages.connected(conn)
        connection.push(json.dumps({"event": "status", "data": {"status": "connected"}}))
        while True:
            text = await websocket.receive_text()
            try:
                await services.messages.handle(conn, text)
            except SensorhubError as exc:
                error = {"message": exc.message, "code": exc.code}
                connection.push(json.dumps({"event": "error", "data": error}))
    except WebSocketDisconnect:
        pass
    except Exception as exc:  # a broken socket must not take the server with it
        log_event(logger, "websocket_error", logging.WARNING, conn=conn, error=repr(exc))
    finally:
        pump.cancel()
        clients.remove(conn)
        services.messages.disconnected(conn)
