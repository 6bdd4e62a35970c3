"""Device leases: which process runs a device's tests (docs/deploy.md).

A lease is one Redis key, ``<prefix>:lease:<device_id>`` = the holder's process id, set with
``SET NX PX``: at most one holder, and it lapses ``ttl_s`` after its last renewal, so a process
that dies loses it without anyone's help. The holder trusts its lease only until
``ttl_s * VALID_SHARE`` after the moment it *sent* the set or renewal: Redis counts the expiry
from a later moment, so the process stops recording before anyone else can take over.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from sensorhub.cluster._redis import translated

if TYPE_CHECKING:
    from redis.asyncio import Redis

# What share of the TTL the holder trusts its lease for: the rest covers clock-rate
# differences and the round trip.
VALID_SHARE = 0.8

# Delete or extend the key only while this process holds it.
_RELEASE = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"
)
_RENEW = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then "
    "return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0"
)


class Leases:
    """This process's leases; ``holds`` is the recorder's ``Ownership``."""

    def __init__(self, redis: Redis, prefix: str, me: str, ttl_s: float) -> None:
        self._redis = redis
        self._prefix = prefix
        self.me = me
        self.ttl_s = ttl_s
        self._valid_until: dict[str, float] = {}

    def _key(self, device_id: str) -> str:
        return f"{self._prefix}:lease:{device_id}"

    def holds(self, device_id: str) -> bool:
        return time.monotonic() < self._valid_until.get(device_id, 0.0)

    def held(self) -> list[str]:
        return list(self._valid_until)

    def forget(self, device_id: str) -> None:
        """Stop trusting the lease here at once (before handing the device over)."""
        self._valid_until.pop(device_id, None)

    async def take(self, device_id: str) -> str | None:
        """Take the lease if it is free; returns its holder (``me`` when taken), or None
        when it lapsed just now (ask again)."""
        sent = time.monotonic()
        key = self._key(device_id)
        with translated():
            taken = await self._redis.set(key, self.me, nx=True, px=self._ttl_ms)
            found = None if taken else await self._redis.get(key)
        if taken:
            self._trust(device_id, sent)
            return self.me
        holder = found.decode() if isinstance(found, bytes) else found
        if holder == self.me and await self.renew(device_id):
            return self.me
        return holder

    async def holder(self, device_id: str) -> str | None:
        """Who holds the lease now (None: nobody), without taking it."""
        with translated():
            found = await self._redis.get(self._key(device_id))
        return found.decode() if isinstance(found, bytes) else found

    async def renew(self, device_id: str) -> bool:
        sent = time.monotonic()
        with translated():
            renewed = await self._redis.eval(_RENEW, 1, self._key(device_id), self.me, self._ttl_ms)
        if renewed:
            self._trust(device_id, sent)
        else:
            self.forget(device_id)
        return bool(renewed)

    async def release(self, device_id: str) -> None:
        self.forget(device_id)
        with translated():
            await self._redis.eval(_RELEASE, 1, self._key(device_id), self.me)

    @property
    def _ttl_ms(self) -> int:
        return round(self.ttl_s * 1000)

    def _trust(self, device_id: str, sent: float) -> None:
        self._valid_until[device_id] = sent + self.ttl_s * VALID_SHARE
