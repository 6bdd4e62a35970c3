"""Forwarding inside the server process (``sensorhub serve --serial PORT``): straight to the
hub and the force-plate message handler, as the HTTP and WebSocket transports do."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sensorhub import wire
from sensorhub.contracts import ReadingIn, validate
from sensorhub.devices._sinks import DeviceLink, Sink
from sensorhub.types import JSONDict

if TYPE_CHECKING:
    from sensorhub.services import Services


class HubSink(Sink):
    """The serial device becomes one connection, ``serial-<port>``, for its whole run."""

    def __init__(self, services: Services, conn: str | None = None) -> None:
        self._services = services
        self._conn = conn
        self._endpoint: SerialEndpoint | None = None

    @property
    def conn(self) -> str:
        if self._endpoint is None:
            raise RuntimeError("HubSink.conn is set when the listener opens the sink")
        return self._endpoint.conn

    async def open(self, link: DeviceLink) -> None:
        self._endpoint = SerialEndpoint(self._conn or f"serial-{link.port}", link)
        self._services.live.attach(self._endpoint)
        await self._services.messages.connected(self._endpoint.conn)

    async def reading(self, message: JSONDict) -> None:
        reading = validate(ReadingIn, message).to_reading()
        await self._services.hub.ingest_readings([reading])

    async def plate_message(self, message: JSONDict) -> None:
        await self._services.messages.handle(self.conn, message)

    async def close(self) -> None:
        if self._endpoint is not None:
            self._services.messages.disconnected(self._endpoint.conn)
            self._services.live.detach(self._endpoint)


class SerialEndpoint:
    """The device as a live-clients endpoint (``LiveClients.attach``), with its rooms.

    Only commands go down the wire: a serial line is too slow for the live view, and an esp
    needs nothing else. As on ``/ws``, a command is written as the bare object.
    """

    def __init__(self, conn: str, link: DeviceLink) -> None:
        self.conn = conn
        self._link = link
        self._rooms = {conn}

    def owns(self, conn: str) -> bool:
        return conn == self.conn

    async def join(self, conn: str, room: str) -> None:
        self._rooms.add(room)

    async def leave(self, conn: str, room: str) -> None:
        self._rooms.discard(room)

    async def emit(self, event: str, data: JSONDict, *, room: str | None = None) -> None:
        if event == wire.COMMAND and (room is None or room in self._rooms):
            await self._link.send(data)  # never raises: an unplugged device just misses it
