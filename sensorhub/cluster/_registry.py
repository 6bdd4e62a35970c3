"""Who is connected to every process: each publishes its own snapshot, which lapses with it.

``<prefix>:process:<process id>`` = ``{"esp": [device ids], "clients": {role: count}}``,
rewritten on every heartbeat and esp registration, expiring after the lease TTL: a process
that dies drops out of the counts by itself.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import TYPE_CHECKING

from sensorhub.cluster._redis import translated
from sensorhub.presence import ROLES, Presence
from sensorhub.types import JSONDict

if TYPE_CHECKING:
    from redis.asyncio import Redis


class Registry:
    def __init__(
        self, redis: Redis, prefix: str, me: str, presence: Presence, ttl_s: float
    ) -> None:
        self._redis = redis
        self._prefix = prefix
        self._me = me
        self._presence = presence
        self._ttl_ms = round(ttl_s * 1000)

    async def publish(self) -> None:
        """Write this process's snapshot (on every heartbeat and esp registration)."""
        snapshot = {"esp": self._presence.esp_devices(), "clients": self._presence.counts()}
        key = f"{self._prefix}:process:{self._me}"
        with translated():
            await self._redis.set(key, json.dumps(snapshot), px=self._ttl_ms)

    async def esp_devices(self) -> set[str]:
        """Devices with an esp connected to any process."""
        found = set(self._presence.esp_devices())
        for snapshot in await self._others():
            found.update(snapshot["esp"])
        return found

    async def counts(self) -> dict[str, int]:
        """Connected clients by role, over every process (this one's counted live)."""
        total = Counter(self._presence.counts())
        for snapshot in await self._others():
            total.update(snapshot["clients"])
        return {role: total[role] for role in ROLES}

    async def _others(self) -> list[JSONDict]:
        mine = f"{self._prefix}:process:{self._me}"
        with translated():
            keys = [
                key
                async for key in self._redis.scan_iter(match=f"{self._prefix}:process:*")
                if key != mine
            ]
            values = await self._redis.mget(keys) if keys else []
        return [json.loads(value) for value in values if value is not None]
