"""MQTT devices as a live-clients endpoint: commands go out on their ``cmd`` topic."""

from __future__ import annotations

from collections.abc import Callable

from sensorhub import wire
from sensorhub.auth import Principal
from sensorhub.mqtt._topics import CMD, STATUS, device_topic
from sensorhub.realtime import MessageHandler
from sensorhub.types import JSONDict

CONN_PREFIX = "mqtt:"
# publish(topic, payload, retain)
Publish = Callable[[str, JSONDict, bool], None]


class MqttEndpoints:
    """One connection id, ``mqtt:<device_id>``, per plate that streamed over MQTT.

    The broker, not sensorhub, sees a device come and go, so a plate counts as connected
    from its first message until the server stops. Only commands go down: with each one the
    retained status changes, so a plate that reboots learns at once whether a test runs.
    """

    def __init__(self, publish: Publish) -> None:
        self._publish = publish
        self._rooms: dict[str, set[str]] = {}

    def owns(self, conn: str) -> bool:
        return conn.startswith(CONN_PREFIX)

    async def join(self, conn: str, room: str) -> None:
        self._rooms.setdefault(conn, set()).add(room)

    async def leave(self, conn: str, room: str) -> None:
        self._rooms.get(conn, set()).discard(room)

    async def emit(self, event: str, data: JSONDict, *, room: str | None = None) -> None:
        if event != wire.COMMAND:
            return  # live frames are for dashboards, not for a plate's MQTT link
        for conn, rooms in self._rooms.items():
            if room is None or room in rooms:
                device_id = conn.removeprefix(CONN_PREFIX)
                self._publish(device_topic(device_id, CMD), data, False)
                status = {"test_running": data.get("cmd") == "start", **data}
                self._publish(device_topic(device_id, STATUS), status, True)

    async def plate(self, device_id: str, messages: MessageHandler, principal: Principal) -> str:
        """The connection of ``device_id``'s plate, registered as its esp on first use."""
        conn = CONN_PREFIX + device_id
        if conn not in self._rooms:
            self._rooms[conn] = {conn}
            await messages.connected(conn, principal)
            await messages.register(conn, {"type": "esp", "device_id": device_id})
        return conn

    def disconnect_all(self, messages: MessageHandler) -> None:
        for conn in self._rooms:
            messages.disconnected(conn)
        self._rooms.clear()
