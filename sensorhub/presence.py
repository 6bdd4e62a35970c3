"""Who is connected, in which role, for which device: one registry for every transport."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Literal, get_args

Role = Literal["esp", "browser", "flutter", "other"]
ROLES: tuple[Role, ...] = get_args(Role)
DEFAULT_DEVICE = "default"

# Socket.IO rooms (and their raw-WebSocket equivalent): every client but the esp boards
# watches the live view; each device's esp boards take commands in a room of their own.
VIEWERS = "viewers"
# Every connection whose token has been checked. A broadcast "to everyone" goes to this room,
# never to every socket: a socket waiting for its token lookup receives nothing.
ADMITTED = "admitted"


def esp_room(device_id: str) -> str:
    return f"esp:{device_id}"


@dataclass(frozen=True, slots=True)
class Client:
    role: Role
    # The plate an esp streams for (always set), or the one a viewer named (None: none).
    device_id: str | None

    @property
    def streams_for(self) -> str | None:
        """The plate this client streams samples for: set for an esp only."""
        return self.device_id if self.role == "esp" else None


class Presence:
    """Connection id (a Socket.IO sid or a WebSocket id) → its role and device."""

    def __init__(self) -> None:
        self._clients: dict[str, Client] = {}

    def connect(self, conn: str) -> None:
        self._clients[conn] = Client("other", None)

    def register(self, conn: str, role: Role, device_id: str | None) -> Client | None:
        """Set ``conn``'s role; returns what it was before (None for an unknown connection)."""
        before = self._clients.get(conn)
        self._clients[conn] = Client(role, device_id)
        return before

    def disconnect(self, conn: str) -> Client | None:
        return self._clients.pop(conn, None)

    def get(self, conn: str) -> Client | None:
        return self._clients.get(conn)

    def counts(self) -> dict[str, int]:
        counted = Counter(client.role for client in self._clients.values())
        return {role: counted[role] for role in ROLES}

    def esp_devices(self) -> list[str]:
        """Every device with an esp connected here, sorted."""
        return sorted({c.streams_for for c in self._clients.values() if c.streams_for})

    def esp_connected(self, device_id: str) -> bool:
        return any(c.streams_for == device_id for c in self._clients.values())

    def addressed_device(self, device_id: str | None) -> str:
        """The plate a request or command means (docs/plates.md): the one it names; else the
        only plate with an esp connected, when exactly one has; else ``default``."""
        if device_id is not None:
            return device_id
        streaming = {c.streams_for for c in self._clients.values() if c.role == "esp"}
        only = streaming.pop() if len(streaming) == 1 else None
        return only or DEFAULT_DEVICE
