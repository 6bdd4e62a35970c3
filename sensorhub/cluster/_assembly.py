"""Connects to Redis and builds this process's leases; the desk comes once the plates exist."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from sensorhub.cluster._calls import Calls
from sensorhub.cluster._desk import RoutedDesk
from sensorhub.cluster._leases import Leases
from sensorhub.cluster._redis import connect
from sensorhub.cluster._registry import Registry
from sensorhub.plates import LocalDesk, Plates
from sensorhub.presence import Presence
from sensorhub.types import JSONDict


@dataclass(frozen=True, slots=True)
class ClusterMember:
    leases: Leases
    desk: Callable[[Plates, Presence], RoutedDesk]


async def open_cluster(url: str, prefix: str, ttl_s: float, call_timeout_s: float) -> ClusterMember:
    """Join the processes sharing ``url`` and ``prefix``; ``ConfigError`` if Redis is away."""
    redis = await connect(url)
    # Unique per process start: a restarted process never mistakes an old lease for its own.
    me = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    leases = Leases(redis, prefix, me, ttl_s)

    def desk(plates: Plates, presence: Presence) -> RoutedDesk:
        calls = Calls(redis, prefix, me, call_timeout_s)

        def running_here() -> list[JSONDict]:
            return [plates.views.device_entry(device_id) for device_id in leases.held()]

        registry = Registry(redis, prefix, me, presence, ttl_s, running_here)
        return RoutedDesk(LocalDesk(plates, presence), leases, calls, registry, redis.aclose)

    return ClusterMember(leases, desk)
