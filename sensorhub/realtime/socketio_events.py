"""Socket.IO events: the wearable's (§4.2) and the force plate's (§4.1), each a thin adapter."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import parse_qs

import socketio

from sensorhub import wire
from sensorhub.auth import presented_token
from sensorhub.contracts import iso_time
from sensorhub.errors import SensorhubError
from sensorhub.realtime.limits import ClientLimits
from sensorhub.realtime.messages import MessageHandler, error_payload


class InOrder:
    """Runs each connection's events one after another, in the order they arrived.

    python-socketio runs every event as a task of its own, so without this a ``done`` could
    finish a test while the ``samples`` batch sent just before it is still on its way to
    storage. Each event task reaches ``turn`` before it first suspends, so the tasks queue
    on the lock in arrival order, and ``asyncio.Lock`` wakes waiters first come, first served.
    """

    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}

    @asynccontextmanager
    async def turn(self, sid: str) -> AsyncIterator[None]:
        async with self._locks.setdefault(sid, asyncio.Lock()):
            yield

    def forget(self, sid: str) -> None:
        """After the disconnect: nothing of ``sid`` can arrive any more."""
        self._locks.pop(sid, None)


def register_events(
    sio: socketio.AsyncServer, handler: Callable[[], MessageHandler], limits: ClientLimits
) -> None:
    """Attach every event; ``handler()`` returns the running server's message handler."""
    order = InOrder()

    @sio.event  # type: ignore[untyped-decorator]
    async def connect(sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        try:
            limits.open(sid, _address(environ))
        except SensorhubError as exc:
            raise _refusal(exc) from exc
        try:
            await handler().admit(sid, _presented_token(environ, auth))
        except SensorhubError as exc:
            limits.close(sid)  # a refused connect gets no disconnect event
            raise _refusal(exc) from exc
        await sio.emit(wire.STATUS, {"status": "connected", "sid": sid}, to=sid)

    @sio.event  # type: ignore[untyped-decorator]
    async def disconnect(sid: str, reason: Any = None) -> None:
        async with order.turn(sid):  # after the events that came before it
            handler().disconnected(sid)
        order.forget(sid)
        limits.close(sid)

    @sio.on(wire.PING)  # type: ignore[untyped-decorator]
    async def ping(sid: str, data: Any = None) -> None:
        # In turn like the rest: a pong tells the client all it sent before is handled.
        async with order.turn(sid):
            await sio.emit(wire.PONG, {"timestamp": iso_time(time.time())}, to=sid)

    for event in (*wire.FORCE_PLATE_EVENTS, wire.SIGNALS):
        kind = None if event == wire.MESSAGE else event
        sio.on(event, _forward(sio, handler, order, limits, kind))


def _presented_token(environ: dict[str, Any], auth: Any) -> Any:
    query = parse_qs(environ.get("QUERY_STRING", "")).get("token")
    return presented_token(
        authorization=environ.get("HTTP_AUTHORIZATION"),
        query_token=query[0] if query else None,
        auth=auth,
    )


def _forward(
    sio: socketio.AsyncServer,
    handler: Callable[[], MessageHandler],
    order: InOrder,
    limits: ClientLimits,
    kind: str | None,
) -> Callable[..., Any]:
    async def on_event(sid: str, data: Any = None) -> None:
        async with order.turn(sid):
            try:
                limits.admit(sid)
                await handler().handle(sid, data, kind)
            except SensorhubError as exc:
                await sio.emit(wire.ERROR, error_payload(exc), to=sid)

    return on_event


def _refusal(error: SensorhubError) -> socketio.exceptions.ConnectionRefusedError:
    """What the client's ``connect_error`` carries: the reason and our error payload."""
    return socketio.exceptions.ConnectionRefusedError(error.message, error_payload(error))


def _address(environ: dict[str, Any]) -> str:
    # engine.io's ASGI driver fills REMOTE_ADDR with a constant; the ASGI scope has the peer.
    client = environ.get("asgi.scope", {}).get("client")
    return str(client[0]) if client else "unknown"
