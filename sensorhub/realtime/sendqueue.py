"""One client's outgoing frames, bounded where it matters: live frames.

A dashboard that stops reading (a sleeping tablet, a stalled tab) must cost the server neither
memory nor speed. Live frames (``sensor_data``, ``stream``) are a view of data that is stored
anyway, so when more than ``max_live`` of them wait for one client the oldest is dropped, and
in its place the client finds a notice saying how many it missed (``dropped``). Everything
else (commands to an esp, test status, a saved test, errors, the transport's own packets) is
never dropped. ``put`` never waits: ingestion does not slow down for a slow reader.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class LiveFrameQueue(asyncio.Queue[T], Generic[T]):
    """An ``asyncio.Queue`` that holds at most ``max_live`` live frames.

    ``is_live(item)`` tells a live frame; ``notice(count)`` makes the frame that says ``count``
    frames were dropped. One notice stands for every drop since the client last got one.
    Storage follows the stdlib's subclassing pattern (``PriorityQueue``): ``_init``, ``_put``
    and ``_get`` over ``self._queue``.
    """

    def __init__(
        self, max_live: int, is_live: Callable[[T], bool], notice: Callable[[int], T]
    ) -> None:
        self._max_live = max_live
        self._is_live = is_live
        self._notice = notice
        self._live = 0
        self._pending_notice: T | None = None
        self._missed = 0
        self._removed = 0
        self.dropped = 0  # every frame this queue dropped, for tests and logs
        super().__init__()

    def _init(self, maxsize: int) -> None:
        self._queue: deque[T] = deque()

    def put_nowait(self, item: T) -> None:
        removed_before = self._removed
        super().put_nowait(item)
        if self._removed != removed_before:
            self.task_done()  # a frame left the queue without being taken: join() must not wait

    def _put(self, item: T) -> None:
        self._queue.append(item)
        if not self._is_live(item):
            return
        self._live += 1
        if self._max_live > 0 and self._live > self._max_live:
            self._drop_oldest_live()

    def _get(self) -> T:
        item = self._queue.popleft()
        if item is self._pending_notice:
            self._pending_notice = None
            self._missed = 0
        elif self._is_live(item):
            self._live -= 1
        return item

    def _drop_oldest_live(self) -> None:
        index = next(i for i, queued in enumerate(self._queue) if self._is_live(queued))
        self._live -= 1
        self.dropped += 1
        self._missed += 1
        notice = self._notice(self._missed)
        if self._pending_notice is None:
            # The notice takes the dropped frame's place: the client learns where the gap is.
            self._queue[index] = notice
        else:
            del self._queue[index]
            self._removed += 1
            pending = self._pending_notice
            self._queue[next(i for i, q in enumerate(self._queue) if q is pending)] = notice
        self._pending_notice = notice
