"""Live clients on every transport: one broadcaster and one room registry for the hub."""

from __future__ import annotations

import socketio

from sensorhub.realtime.websocket import WebSocketClients
from sensorhub.types import JSONDict


class LiveClients:
    """Emits to Socket.IO and plain-WebSocket clients alike; rooms follow the connection id."""

    def __init__(self, sio: socketio.AsyncServer, websockets: WebSocketClients) -> None:
        self.sio = sio
        self.websockets = websockets

    async def emit(self, event: str, data: JSONDict, *, room: str | None = None) -> None:
        await self.sio.emit(event, data, to=room)
        await self.websockets.emit(event, data, room=room)

    async def join(self, conn: str, room: str) -> None:
        if self.websockets.owns(conn):
            await self.websockets.join(conn, room)
        else:
            await self.sio.enter_room(conn, room)

    async def leave(self, conn: str, room: str) -> None:
        if self.websockets.owns(conn):
            await self.websockets.leave(conn, room)
        else:
            await self.sio.leave_room(conn, room)
