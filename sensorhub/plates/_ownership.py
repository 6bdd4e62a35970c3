"""Which process runs a device's tests: with several processes, the one holding its lease
(``sensorhub/cluster``, docs/deploy.md); alone, this one, always."""

from __future__ import annotations

from typing import Protocol


class Ownership(Protocol):
    def holds(self, device_id: str) -> bool:
        """True while this process may record the device's test."""
        ...


class SoleOwner:
    """One process: it owns every device."""

    def holds(self, device_id: str) -> bool:
        return True
