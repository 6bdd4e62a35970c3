"""Live clients on every transport: one broadcaster and one room registry for the hub."""

from __future__ import annotations

import socketio

from sensorhub.realtime.fanout import Endpoints, LocalDelivery
from sensorhub.realtime.websocket import WebSocketClients
from sensorhub.types import JSONDict


class LiveClients:
    """Emits to Socket.IO clients and every attached endpoint alike, through the Socket.IO
    server's manager (``realtime/fanout.py``: one process, or all of them over a message
    queue); rooms follow the connection id (a Socket.IO sid unless an endpoint owns it)."""

    def __init__(
        self, sio: socketio.AsyncServer, delivery: LocalDelivery, websockets: WebSocketClients
    ) -> None:
        """``delivery``: ``sio``'s client manager (``fanout.delivery``)."""
        self.sio = sio
        self.websockets = websockets
        self._endpoints: list[Endpoints] = [websockets]
        delivery.endpoints = self._endpoints

    def attach(self, endpoints: Endpoints) -> None:
        """Add connections of another kind (e.g. the in-process serial listener's device)."""
        self._endpoints.append(endpoints)

    def detach(self, endpoints: Endpoints) -> None:
        if endpoints in self._endpoints:
            self._endpoints.remove(endpoints)

    async def emit(self, event: str, data: JSONDict, *, room: str | None = None) -> None:
        await self.sio.emit(event, data, to=room)

    async def join(self, conn: str, room: str) -> None:
        owner = self._owner(conn)
        if owner is not None:
            await owner.join(conn, room)
        else:
            await self.sio.enter_room(conn, room)

    async def leave(self, conn: str, room: str) -> None:
        owner = self._owner(conn)
        if owner is not None:
            await owner.leave(conn, room)
        else:
            await self.sio.leave_room(conn, room)

    def _owner(self, conn: str) -> Endpoints | None:
        return next((e for e in self._endpoints if e.owns(conn)), None)
