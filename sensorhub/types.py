"""Aliases and small interfaces shared across packages (the outside edges)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

JSONDict = dict[str, Any]

# Wall-clock seconds since the epoch; swapped for a fixed clock in tests.
Clock = Callable[[], float]


class Broadcaster(Protocol):
    """Pushes an event to live clients (Socket.IO, raw WebSocket, or a test fake)."""

    async def emit(self, event: str, data: JSONDict, *, room: str | None = None) -> None: ...


@dataclass(frozen=True, slots=True)
class IdleReading:
    """An idle plate's last second (no test running): what the plate-drift alert reads."""

    mean_n: float  # mean of left + right, in calibrated newtons
    spread_n: float  # max − min of left + right over that second
