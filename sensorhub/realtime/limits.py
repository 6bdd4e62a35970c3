"""Limits on live connections, the same for Socket.IO and ``/ws``: sockets per address and
overall, and messages per address (the rule HTTP requests follow, ``ratelimit.TokenBuckets``).
The same counts bound bare WebSockets from the moment they open (``api.OpenSockets``).

Messages per *device* are counted by the hub (``Hub.admit``), where every transport meets.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable

from sensorhub.errors import RateLimited, TooManyConnections
from sensorhub.ratelimit import TokenBuckets


class ConnectionCounts:
    """Open connections, at most ``max_connections`` in all and ``max_per_address`` from one
    address (0: no limit); a connection is any hashable key its owner picks."""

    def __init__(self, max_connections: int, max_per_address: int) -> None:
        self._max_connections = max_connections
        self._max_per_address = max_per_address
        self._address_of: dict[Hashable, str] = {}
        self._open = Counter[str]()

    def open(self, conn: Hashable, address: str) -> None:
        """Count ``conn`` from ``address`` in, or raise ``TooManyConnections`` saying why."""
        if self._max_connections and len(self._address_of) >= self._max_connections:
            raise TooManyConnections(
                f"the server holds {self._max_connections} connections, its limit; retry later",
                retry_after_s=1,
            )
        if self._max_per_address and self._open[address] >= self._max_per_address:
            raise TooManyConnections(
                f"{address} holds {self._max_per_address} connections, the limit per address",
                retry_after_s=1,
            )
        self._address_of[conn] = address
        self._open[address] += 1

    @property
    def count(self) -> int:
        """Connections open now."""
        return len(self._address_of)

    def close(self, conn: Hashable) -> None:
        address = self._address_of.pop(conn, None)
        if address is not None:
            self._open[address] -= 1
            if not self._open[address]:
                del self._open[address]

    def address_of(self, conn: Hashable) -> str:
        return self._address_of.get(conn, "unknown")


class ClientLimits:
    """Sockets counted by ``connections`` (per Socket.IO session and ``/ws`` connection);
    each address's messages through ``messages``."""

    def __init__(self, connections: ConnectionCounts, messages: TokenBuckets) -> None:
        self._connections = connections
        self._messages = messages

    @property
    def connections(self) -> int:
        """Live sockets now, on both transports."""
        return self._connections.count

    def open(self, conn: str, address: str) -> None:
        """Count ``conn`` from ``address`` in, or raise ``TooManyConnections`` saying why."""
        self._connections.open(conn, address)

    def close(self, conn: str) -> None:
        self._connections.close(conn)

    def admit(self, conn: str) -> None:
        """Count one message of ``conn``'s address, or raise ``RateLimited``."""
        if not self._messages.take(self._connections.address_of(conn)):
            raise RateLimited(
                "too many messages from this address; slow down",
                retry_after_s=self._messages.retry_after_s,
            )
