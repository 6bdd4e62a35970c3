"""The flush grace's clock: monotonic seconds and a sleep, with a hand-driven fake for tests."""

from __future__ import annotations

import asyncio
import time
from typing import Protocol


class Timer(Protocol):
    """Elapsed time for timeouts: never jumps with the wall clock."""

    def now(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class MonotonicTimer:
    """The real one: ``time.monotonic`` and ``asyncio.sleep``."""

    def now(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class ManualTimer:
    """Time moves only when a test calls ``advance``; sleepers wake once their time has come."""

    def __init__(self, start: float = 1000.0) -> None:
        self._now = start
        self._sleepers: list[tuple[float, asyncio.Future[None]]] = []

    def now(self) -> float:
        return self._now

    async def sleep(self, seconds: float) -> None:
        wake = asyncio.get_running_loop().create_future()
        self._sleepers.append((self._now + seconds, wake))
        await wake

    @property
    def sleeping(self) -> int:
        """How many sleeps are waiting, so a test can tell a timer is armed."""
        return sum(not wake.done() for _, wake in self._sleepers)

    def advance(self, seconds: float) -> None:
        self._now += seconds
        due = [wake for at, wake in self._sleepers if at <= self._now]
        self._sleepers = [(at, wake) for at, wake in self._sleepers if at > self._now]
        for wake in due:
            if not wake.done():
                wake.set_result(None)
