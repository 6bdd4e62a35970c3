"""Socket.IO events: the wearable's (§4.2) and the force plate's (§4.1), each a thin adapter."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import socketio

from sensorhub.contracts import iso_time
from sensorhub.errors import SensorhubError
from sensorhub.realtime.messages import MessageHandler

FORCE_PLATE_EVENTS = ("message", "register", "samples", "done", "cmd")


def register_events(sio: socketio.AsyncServer, handler: Callable[[], MessageHandler]) -> None:
    """Attach every event; ``handler()`` returns the running server's message handler."""

    @sio.event  # type: ignore[untyped-decorator]
    async def connect(sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        await handler().connected(sid)
        await sio.emit("status", {"status": "connected", "sid": sid}, to=sid)

    @sio.event  # type: ignore[untyped-decorator]
    async def disconnect(sid: str, reason: Any = None) -> None:
        handler().disconnected(sid)

    @sio.event  # type: ignore[untyped-decorator]
    async def ping(sid: str, data: Any = None) -> None:
        await sio.emit("pong", {"timestamp": iso_time(time.time())}, to=sid)

    for event in FORCE_PLATE_EVENTS:
        sio.on(event, _forward(sio, handler, None if event == "message" else event))


def _forward(
    sio: socketio.AsyncServer, handler: Callable[[], MessageHandler], kind: str | None
) -> Callable[..., Any]:
    async def on_event(sid: str, data: Any = None) -> None:
        try:
            await handler().handle(sid, data, kind)
        except SensorhubError as exc:
            await sio.emit("error", {"message": exc.message, "code": exc.code}, to=sid)

    return on_event
