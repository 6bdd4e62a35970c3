"""Who is connected to every process: each publishes its own snapshot, which lapses with it.

``<prefix>:process:<process id>`` = ``{"esp": [device ids], "clients": {role: count},
"devices": [the ``status`` entry of each device it runs]}``, rewritten on every heartbeat and
esp registration, expiring after the lease TTL: a process that dies drops out by itself.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING

from sensorhub.cluster._redis import translated
from sensorhub.presence import ROLES, Presence
from sensorhub.types import JSONDict

if TYPE_CHECKING:
    from redis.asyncio import Redis


class Registry:
    def __init__(
        self,
        redis: Redis,
        prefix: str,
        me: str,
        presence: Presence,
        ttl_s: float,
        running_here: Callable[[], list[JSONDict]],
    ) -> None:
        """``running_here()``: the ``status`` entries of the devices this process runs."""
        self._running_here = running_here
        self._redis = redis
        self._prefix = prefix
        self._me = me
        self._presence = presence
        self._ttl_ms = round(ttl_s * 1000)

    async def publish(self) -> None:
        """Write this process's snapshot (on every heartbeat and esp registration)."""
        snapshot = {
            "esp": self._presence.esp_devices(),
            "clients": self._presence.counts(),
            "devices": self._running_here(),
        }
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

    async def devices(self, known_here: list[JSONDict]) -> list[JSONDict]:
        """``status``'s device list over every process: each device as the process running it
        reports it (this one's live, the others' as of their last snapshot), then the devices
        ``known_here`` that no process runs (idle ones, e.g. known by their calibration)."""
        entries = {entry["device_id"]: entry for entry in known_here}
        for snapshot in await self._others():
            entries.update((entry["device_id"], entry) for entry in snapshot.get("devices", ()))
        entries.update((entry["device_id"], entry) for entry in self._running_here())
        return list(entries.values())

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
