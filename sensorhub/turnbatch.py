"""Calls made in one event-loop turn, handled together: one model call and one commit for every
reading that arrived at the same instant (bench/README.md has the measurement that asked for it).

A request adds its items and waits; the first one of a turn schedules the batch with
``call_soon``, which runs after every task already ready in this turn, so all the requests
that arrived together are in it. Nothing waits on a timer: an idle server handles a lone
request one loop turn later, and under load the batch grows by itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

from sensorhub.tasks import BackgroundTasks

_In = TypeVar("_In")
_Out = TypeVar("_Out")


class TurnBatch(Generic[_In, _Out]):
    """``await batch.submit(items)`` returns ``handle``'s results for ``items``, in order;
    ``handle`` is called once per loop turn with the items of every ``submit`` of that turn.

    ``handle`` returns one result per item; if it raises, every ``submit`` of its turn raises
    the same error (the turn's items are one unit, as one request's batch is).
    """

    def __init__(self, handle: Callable[[list[_In]], Awaitable[list[_Out]]], name: str) -> None:
        self._handle = handle
        self._name = name
        self._waiting: list[tuple[Sequence[_In], asyncio.Future[list[_Out]]]] = []
        self._tasks = BackgroundTasks()

    async def submit(self, items: Sequence[_In]) -> list[_Out]:
        loop = asyncio.get_running_loop()
        if not self._waiting:
            loop.call_soon(self._start_turn)
        future: asyncio.Future[list[_Out]] = loop.create_future()
        self._waiting.append((items, future))
        return await future

    def _start_turn(self) -> None:
        waiting, self._waiting = self._waiting, []
        self._tasks.spawn(self._run(waiting), self._name)

    async def _run(self, waiting: list[tuple[Sequence[_In], asyncio.Future[list[_Out]]]]) -> None:
        items = [item for batch, _ in waiting for item in batch]
        try:
            results = await self._handle(items)
        except Exception as exc:
            for _, future in waiting:
                if not future.done():  # its request may have been cancelled
                    future.set_exception(exc)
            return
        except BaseException:  # cancelled (shutdown): nobody is left waiting forever
            for _, future in waiting:
                future.cancel()
            raise
        end = 0
        for batch, future in waiting:
            start, end = end, end + len(batch)
            if not future.done():
                future.set_result(results[start:end])
