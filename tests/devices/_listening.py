"""Running a listener in a test, and waiting with deadlines (never fixed sleeps)."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from sensorhub.devices import Backoff, SerialListener

TIMEOUT_S = 10.0


def quick_backoff() -> Backoff:
    """Reopen fast in tests; the default starts at 0.5 s."""
    return Backoff(initial=0.05, cap=0.2)


async def until(
    predicate: Callable[[], Any], *, timeout: float = TIMEOUT_S, what: str = "condition"
) -> Any:
    """Poll ``predicate`` (sync or async) until it returns something truthy; return that."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not met within {timeout}s")
        await asyncio.sleep(0.02)  # polling interval


@asynccontextmanager
async def running(listener: SerialListener) -> AsyncIterator[None]:
    """Run ``listener`` until its port is open; on exit ``stop()`` must end ``run()`` by itself.

    ``listener.running()`` would cancel a run that ignores ``stop()``, hiding the fault; here
    such a run never ends, and the deadline (a hang guard, not a timing) fails the test.
    """
    task = asyncio.create_task(listener.run())
    try:
        await until(lambda: listener.connected, what="port open")
        yield
    finally:
        listener.stop()
        await asyncio.wait_for(task, timeout=TIMEOUT_S)
    assert not listener.connected
