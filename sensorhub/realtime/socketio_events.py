"""Socket.IO: the broadcaster the hub pushes through, and the wearable events (§4.2)."""

from __future__ import annotations

import time
from typing import Any

import socketio

from sensorhub.contracts import iso_time
from sensorhub.types import JSONDict


class SocketIOBroadcaster:
    """Emits hub events to every connected Socket.IO client (or one room)."""

    def __init__(self, sio: socketio.AsyncServer) -> None:
        self._sio = sio

    async def emit(self, event: str, data: JSONDict, *, room: str | None = None) -> None:
        await self._sio.emit(event, data, to=room)


def register_wearable_events(sio: socketio.AsyncServer) -> None:
    """``status`` on connect and ``ping`` → ``pong``, as the seed's dashboards expect."""

    @sio.event  # type: ignore[untyped-decorator]
    async def connect(sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        await sio.emit("status", {"status": "connected", "sid": sid}, to=sid)

    @sio.event  # type: ignore[untyped-decorator]
    async def ping(sid: str, data: Any = None) -> None:
        await sio.emit("pong", {"timestamp": iso_time(time.time())}, to=sid)
