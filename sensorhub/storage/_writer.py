"""The one database writer: a thread that owns a connection and commits queued tasks in groups.

Producers ``await writer.submit(task)``; the coroutine resumes only after the commit that
contains the task, so an acknowledgement always means "on disk". While one commit runs, new
tasks queue up and go into the next commit together (group commit), which is what makes
durability cheap under load and adds no waiting when idle.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from sensorhub.errors import StorageError
from sensorhub.logs import log_event

logger = logging.getLogger(__name__)

# "database is locked" from another process is transient; a few tries ride it out.
LOCKED_RETRIES = 3


class WriteTask(ABC):
    """A unit of work the writer runs inside its transaction."""

    @abstractmethod
    def run(self, conn: Connection) -> Any:
        """Execute statements on ``conn``; the return value resolves the submitter's future."""


@dataclass(frozen=True, slots=True)
class Barrier(WriteTask):
    """Does nothing; awaiting it means every earlier task is committed."""

    def run(self, conn: Connection) -> None:
        return None


@dataclass(slots=True)
class _Item:
    task: WriteTask
    future: asyncio.Future[Any]


_STOP = object()


class Writer:
    """Owns the write connection; see the module docstring."""

    def __init__(self, engine: Engine, *, batch_max: int, backlog_max: int) -> None:
        self._engine = engine
        self._batch_max = batch_max
        self._queue: queue.SimpleQueue[_Item | object] = queue.SimpleQueue()
        self._slots = asyncio.Semaphore(backlog_max)
        self._pending = 0
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def backlog(self) -> int:
        """Tasks submitted and not yet committed."""
        return self._pending

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._thread = threading.Thread(target=self._run, name="sensorhub-writer", daemon=True)
        self._thread.start()

    async def submit(self, task: WriteTask) -> Any:
        """Queue ``task`` and wait until it is committed; returns what ``task.run`` returned."""
        if self._loop is None:
            raise StorageError("the database writer is not running")
        await self._slots.acquire()  # bounded backlog: wait, never drop
        future: asyncio.Future[Any] = self._loop.create_future()
        self._pending += 1
        self._queue.put(_Item(task, future))
        return await future

    async def flush(self) -> None:
        """Return once everything submitted before this call is committed."""
        await self.submit(Barrier())

    async def stop(self) -> None:
        """Commit what is queued, then end the thread."""
        if self._thread is None:
            return
        self._queue.put(_STOP)
        await asyncio.to_thread(self._thread.join)
        self._thread = None

    def _run(self) -> None:
        with self._engine.connect() as conn:
            running = True
            while running:
                batch, running = self._next_batch()
                if batch:
                    self._commit(conn, batch)

    def _next_batch(self) -> tuple[list[_Item], bool]:
        first = self._queue.get()
        if first is _STOP:
            return [], False
        batch = [first]
        while len(batch) < self._batch_max:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is _STOP:
                return _items(batch), False
            batch.append(item)
        return _items(batch), True

    def _commit(self, conn: Connection, batch: list[_Item]) -> None:
        try:
            results: list[Any] = [item.task.run(conn) for item in batch]
            conn.commit()
        except Exception:
            conn.rollback()
            # Isolate the failure: one bad task must not cost the others their write.
            results = [self._run_alone(conn, item.task) for item in batch]
        assert self._loop is not None
        self._loop.call_soon_threadsafe(self._settle, batch, results)

    def _run_alone(self, conn: Connection, task: WriteTask) -> Any:
        for attempt in range(1, LOCKED_RETRIES + 1):
            try:
                result = task.run(conn)
                conn.commit()
                return result
            except OperationalError as exc:
                conn.rollback()
                if attempt == LOCKED_RETRIES:
                    return self._failure(task, exc)
            except Exception as exc:  # a bad task is logged and reported, never kills the writer
                conn.rollback()
                return self._failure(task, exc)
        raise AssertionError("unreachable")

    def _failure(self, task: WriteTask, exc: Exception) -> StorageError:
        log_event(logger, "write_failed", logging.ERROR, task=repr(task)[:300], error=repr(exc))
        reason = "database error" if isinstance(exc, SQLAlchemyError) else "internal error"
        error = StorageError(f"the write was not stored ({reason})")
        error.__cause__ = exc
        return error

    def _settle(self, batch: list[_Item], results: list[Any]) -> None:
        for item, result in zip(batch, results, strict=True):
            self._slots.release()
            self._pending -= 1
            if item.future.done():  # the submitter was cancelled; the write still happened
                continue
            if isinstance(result, StorageError):
                item.future.set_exception(result)
            else:
                item.future.set_result(result)


def _items(batch: list[Any]) -> list[_Item]:
    return [item for item in batch if isinstance(item, _Item)]
