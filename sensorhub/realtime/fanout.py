"""One fan-out path for every live client, in one process or across several.

Every emit goes through python-socketio's client manager (``AsyncServer.emit`` calls
``manager.emit``). ``LocalDelivery`` is the manager of a single process: it delivers to this
process's Socket.IO clients, as python-socketio's own manager does, and then to its other
endpoints (the ``/ws`` dashboards, a serial device). ``RedisDelivery`` is python-socketio's
Redis manager over the same local delivery: it publishes each emit on a Redis channel, and
every process, the sender included, delivers it locally. So a broadcast rule (docs/broadcast.md)
is written once, in the hub or the recorder, and no transport has a fan-out of its own.

How it hooks in: python-socketio's pub/sub manager delivers a message locally by calling
``super().emit``; placing ``LocalDelivery`` between it and ``AsyncManager`` in the class order
makes that call ours. tests/realtime/test_fanout.py fails if the order changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import socketio

from sensorhub.presence import ADMITTED
from sensorhub.types import JSONDict

DEFAULT_NAMESPACE = "/"


class Endpoints(Protocol):
    """Connections outside Socket.IO (the plain WebSocket, a serial port) with their rooms."""

    def owns(self, conn: str) -> bool: ...

    async def join(self, conn: str, room: str) -> None: ...

    async def leave(self, conn: str, room: str) -> None: ...

    async def emit(self, event: str, data: JSONDict, *, room: str | None = None) -> None: ...


class LocalDelivery(socketio.AsyncManager):  # type: ignore[misc]
    """Delivers an emit to this process's Socket.IO clients, then to its ``endpoints``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.endpoints: Sequence[Endpoints] = ()

    async def emit(
        self,
        event: str,
        data: Any,
        namespace: str | None = None,
        room: str | None = None,
        skip_sid: Any = None,
        callback: Any = None,
        to: str | None = None,
        **kwargs: Any,
    ) -> None:
        room = to or room
        # "Everyone" is every admitted client: python-socketio puts a socket in its namespace
        # before the connect handler has checked the token (presence.ADMITTED).
        await super().emit(
            event, data, namespace, room=room or ADMITTED, skip_sid=skip_sid, callback=callback,
            **kwargs,
        )  # fmt: skip
        if (namespace or DEFAULT_NAMESPACE) == DEFAULT_NAMESPACE and isinstance(data, dict):
            for endpoints in tuple(self.endpoints):
                await endpoints.emit(event, data, room=room)


class RedisDelivery(socketio.AsyncRedisManager, LocalDelivery):  # type: ignore[misc]
    """python-socketio's Redis manager, delivering locally through ``LocalDelivery``."""


def fanout_delivery(message_queue: str | None, channel: str) -> LocalDelivery:
    """The manager for ``--message-queue`` (None: this process only)."""
    if message_queue is None:
        return LocalDelivery()
    return RedisDelivery(message_queue, channel=channel)


def start_delivery(sio: socketio.AsyncServer) -> None:
    """Start listening to the queue now, not at the first Socket.IO connect as python-socketio
    would: a process with only ``/ws`` dashboards must receive too."""
    if not sio.manager_initialized:
        sio.manager_initialized = True
        sio.manager.initialize()


async def stop_delivery(sio: socketio.AsyncServer) -> None:
    listener = getattr(sio.manager, "thread", None)  # the pub/sub manager's listening task
    if listener is not None:
        listener.cancel()
    redis = getattr(sio.manager, "redis", None)
    if redis is not None:
        await redis.aclose()
