"""The one database writer: a thread that owns a connection and commits queued tasks in groups.

Producers ``await writer.submit(task)``; the coroutine resumes only after the commit that
contains the task, so an acknowledgement always means "on disk". While one commit runs, new
tasks queue up and go into the next commit together (group commit), which is what makes
durability cheap under load and adds no waiting when idle.

Failure is a state, not a hang (docs/storage-failures.md):

- Every ``submit`` ends within 2 × ``timeout_s``. Within ``timeout_s`` it is committed, or
  withdrawn (``StorageUnavailable``: not stored), or claimed by an attempt already under way.
  A claimed task gets one more ``timeout_s`` for that attempt (its lock waits are bounded by
  the lock timeout, but a statement on a stalled connection is not); past it ``StorageError``
  says the write *may* not be stored. Usually the attempt ends within the lock timeout, so
  the answer comes within ``timeout_s`` and a little.
- A task is either *claimed* by the writer as an attempt to commit it begins, or *withdrawn*
  by its submitter when its time is up; never both. So ``StorageUnavailable`` means "not
  stored", and a withdrawn task is never committed later behind the client's back. The writer
  claims a task only while enough of its time is left for one attempt (the lock timeout).
- A failed attempt rolls back, fails its group, drops the connection and tries again after a
  growing pause; a task that fails on its own (a bug, a constraint) fails alone.
- Consecutive tasks of one class in a group run together (``WriteTask.run_many``), so a group
  of readings is one multi-row INSERT, not one statement per request.
- If something escapes anyway (a bug), the attempt in progress fails, the error is logged
  and a new thread takes over the queue.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import math
import queue
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any, Self

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from sensorhub.errors import StorageError, StorageUnavailable
from sensorhub.logs import log_event
from sensorhub.storage._engine import Database

logger = logging.getLogger(__name__)

# Pauses between attempts while the database fails: quick to notice recovery, slow enough
# not to spin on a full disk. The pause also becomes the client's Retry-After.
FIRST_BACKOFF_S = 0.1
MAX_BACKOFF_S = 2.0


class WriteTask(ABC):
    """A unit of work the writer runs inside its transaction."""

    @abstractmethod
    def run(self, conn: Connection) -> Any:
        """Execute statements on ``conn``; the return value resolves the submitter's future."""

    @classmethod
    def run_many(cls, conn: Connection, tasks: Sequence[Self]) -> list[Any]:
        """Run ``tasks`` (all of this class, in order) and return each one's result.

        Override to turn a group into one statement (a multi-row INSERT): the writer hands
        every run of same-class tasks of a group to this at once.
        """
        return [task.run(conn) for task in tasks]


@dataclass(frozen=True, slots=True)
class Barrier(WriteTask):
    """Does nothing; awaiting it means every earlier task is committed."""

    def run(self, conn: Connection) -> None:
        return None


class _State(enum.Enum):
    QUEUED = "queued"
    CLAIMED = "claimed"  # an attempt to commit it has begun: its outcome will be reported
    WITHDRAWN = "withdrawn"  # answered "not stored": it must never be committed


@dataclass(slots=True, eq=False)
class _Item:
    task: WriteTask
    future: asyncio.Future[Any]
    deadline: float  # time.monotonic()
    state: _State = field(default=_State.QUEUED)


_STOP = object()


class Writer:
    """Owns the write connection; see the module docstring."""

    def __init__(
        self, database: Database, *, batch_max: int, backlog_max: int, timeout_s: float
    ) -> None:
        if timeout_s <= database.lock_timeout_s:
            raise ValueError("the write timeout must leave room for one attempt's lock wait")
        self._database = database
        self._batch_max = batch_max
        self._timeout_s = timeout_s
        self._queue: queue.SimpleQueue[_Item | object] = queue.SimpleQueue()
        self._slots = asyncio.Semaphore(backlog_max)
        self._claims = threading.Lock()  # guards every _Item.state transition
        self._pending = 0
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping = threading.Event()
        self._conn: Connection | None = None
        self._in_flight: list[_Item] = []
        self._backoff_s = 0.0  # 0 while healthy
        # For GET /metrics: commits made and the time they took (the tasks' statements too).
        self.commits = 0
        self.commit_seconds_total = 0.0

    @property
    def backlog(self) -> int:
        """Tasks submitted and not yet committed."""
        return self._pending

    @property
    def healthy(self) -> bool:
        """False from a failed attempt until the next commit succeeds."""
        return self._backoff_s == 0.0

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._start_thread()

    async def submit(self, task: WriteTask) -> Any:
        """Queue ``task`` and wait until it is committed; returns what ``task.run`` returned.

        Raises ``StorageUnavailable`` (not stored) when that takes longer than the timeout.
        """
        if self._loop is None or self._stopping.is_set():
            raise StorageError("the database writer is not running")
        deadline = time.monotonic() + self._timeout_s
        if self._slots.locked():  # bounded backlog: wait for room, but not past the deadline
            try:
                async with asyncio.timeout(self._timeout_s):
                    await self._slots.acquire()
            except TimeoutError:
                raise self._unavailable("the database is not keeping up") from None
        else:
            await self._slots.acquire()  # room now: takes a slot without waiting (or a timer)
        item = _Item(task, self._loop.create_future(), deadline)
        self._pending += 1
        self._queue.put(item)
        return await self._outcome(item)

    async def flush(self) -> None:
        """Return once everything submitted before this call is committed."""
        await self.submit(Barrier())

    async def stop(self) -> None:
        """Commit what is queued, then end the thread."""
        if self._thread is None:
            return
        self._queue.put(_STOP)
        await asyncio.to_thread(self._thread.join)
        self._stopping.set()  # after the join: the queue was drained, so no backoff was cut
        self._thread = None

    async def _outcome(self, item: _Item) -> Any:
        try:
            async with asyncio.timeout_at(self._loop_deadline(item)):
                return await asyncio.shield(item.future)
        except TimeoutError:
            if item.future.done():
                return item.future.result()
            if self._withdraw(item):
                raise self._unavailable("the database did not take the write in time") from None
        # Claimed just in time: the attempt itself is bounded by the lock timeout.
        try:
            async with asyncio.timeout(self._timeout_s):
                return await asyncio.shield(item.future)
        except TimeoutError:
            raise StorageError("the database did not answer; the write may not be stored") from None

    def _withdraw(self, item: _Item) -> bool:
        """Mark ``item`` as not stored unless the writer claimed it first."""
        with self._claims:
            if item.state is _State.QUEUED:
                item.state = _State.WITHDRAWN
            withdrawn = item.state is _State.WITHDRAWN
        if withdrawn:
            item.future.cancel()  # nobody waits for it any more
        return withdrawn

    def _loop_deadline(self, item: _Item) -> float:
        assert self._loop is not None
        return self._loop.time() + (item.deadline - time.monotonic())

    def _unavailable(self, reason: str) -> StorageUnavailable:
        retry = max(1, math.ceil(max(self._backoff_s, FIRST_BACKOFF_S)))
        return StorageUnavailable(f"{reason}; nothing was stored", retry_after_s=retry)

    # --- the writer thread -----------------------------------------------------------------

    def _start_thread(self) -> None:
        self._thread = threading.Thread(target=self._run, name="sensorhub-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            while (batch := self._next_batch()) is not None:
                self._attempt(batch)
        except BaseException as exc:  # escaped every handler (a bug): a new thread takes over
            log_event(
                logger, "writer_restarted", logging.ERROR, backlog=self._pending, error=repr(exc)
            )
            self._end_attempt()
            assert self._loop is not None
            self._loop.call_soon_threadsafe(self._start_thread)
        else:
            self._end_attempt()

    def _end_attempt(self) -> None:
        """Tell the tasks of an attempt cut short that they were not stored; let go of the
        connection."""
        if self._in_flight:
            self._fail(self._in_flight, self._unavailable("the database writer stopped"))
        self._in_flight = []
        self._close_connection()

    def _next_batch(self) -> list[_Item] | None:
        first = self._queue.get()
        if first is _STOP:
            return None
        batch = [first]
        while len(batch) < self._batch_max:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is _STOP:
                self._queue.put(_STOP)  # end after this batch
                break
            batch.append(item)
        return [item for item in batch if isinstance(item, _Item)]

    def _attempt(self, batch: list[_Item]) -> None:
        claimed = self._claim(batch)
        if not claimed:
            return
        self._in_flight = claimed
        try:
            results = self._commit_group(self._connection(), claimed)
        except Exception as exc:  # the database failed as a whole: locked, full, gone, lost
            results = [self._failed_attempt(exc)] * len(claimed)
        self._in_flight = []
        self._report(claimed, results)
        if not self.healthy:
            self._stopping.wait(self._backoff_s)  # tasks queued meanwhile wait or time out

    def _claim(self, batch: list[_Item]) -> list[_Item]:
        """Claim the tasks that still have time for one attempt; the rest are not stored."""
        cutoff = time.monotonic() + self._database.lock_timeout_s
        claimed: list[_Item] = []
        expired: list[_Item] = []
        with self._claims:
            for item in batch:
                if item.state is _State.QUEUED and item.deadline >= cutoff:
                    item.state = _State.CLAIMED
                    claimed.append(item)
                else:
                    item.state = _State.WITHDRAWN
                    expired.append(item)
        if expired:
            self._fail(expired, self._unavailable("the database did not take the write in time"))
        return claimed

    def _commit_group(self, conn: Connection, items: list[_Item]) -> list[Any]:
        try:
            return self._commit_tasks(conn, [item.task for item in items])
        except _TaskFailed:
            pass
        # Isolate the failure: one bad task must not cost the others their write.
        results = []
        for item in items:
            try:
                results.append(self._run_alone(conn, item.task))
            except Exception as exc:  # the database failed: this task and the rest not stored
                failure = self._failed_attempt(exc)
                return results + [failure] * (len(items) - len(results))
        return results

    def _run_alone(self, conn: Connection, task: WriteTask) -> Any:
        try:
            [result] = self._commit_tasks(conn, [task])
            return result
        except _TaskFailed as failed:
            error_text = repr(failed.__cause__)
            log_event(
                logger, "write_failed", logging.ERROR, task=repr(task)[:300], error=error_text
            )
            error = StorageError("the write was not stored (it was refused)")
            error.__cause__ = failed.__cause__
            return error

    def _commit_tasks(self, conn: Connection, tasks: list[WriteTask]) -> list[Any]:
        """Run ``tasks`` in one transaction and commit. A failure of the database itself
        propagates as it is; any other rolls back and becomes ``_TaskFailed``."""
        started = time.perf_counter()
        try:
            results = [
                result
                for kind, same_kind in groupby(tasks, key=_kind)
                for result in kind.run_many(conn, list(same_kind))
            ]
            self._commit(conn)
            self.commit_seconds_total += time.perf_counter() - started
            self.commits += 1
            return results
        except Exception as exc:
            conn.rollback()
            if _database_failed(exc):
                raise
            raise _TaskFailed from exc

    def _commit(self, conn: Connection) -> None:
        conn.commit()
        self._database.check_file()  # committed into a removed file is not stored
        if not self.healthy:
            log_event(logger, "storage_recovered")
            self._backoff_s = 0.0

    def _connection(self) -> Connection:
        if self._conn is None:
            if not self.healthy:
                self._database.reopen()  # the file may be new: schema first
            self._conn = self._database.engine.connect()
        return self._conn

    def _failed_attempt(self, exc: Exception) -> StorageUnavailable:
        if self.healthy:
            log_event(logger, "storage_unavailable", logging.ERROR, error=repr(exc)[:300])
        self._close_connection()
        self._backoff_s = min(MAX_BACKOFF_S, max(FIRST_BACKOFF_S, self._backoff_s * 2))
        reason = "the database cannot take writes now"
        if isinstance(exc, StorageUnavailable):  # we know better: e.g. the file was removed
            reason = exc.message
        error = self._unavailable(reason)
        error.__cause__ = exc
        return error

    def _close_connection(self) -> None:
        if self._conn is not None:
            try:
                self._conn.invalidate()  # never return a broken connection to the pool
                self._conn.close()
            except Exception as exc:  # already broken: nothing more to release
                log_event(logger, "connection_close_failed", logging.WARNING, error=repr(exc))
            self._conn = None

    def _fail(self, items: list[_Item], error: StorageError) -> None:
        self._report(items, [error] * len(items))

    def _report(self, items: list[_Item], results: list[Any]) -> None:
        assert self._loop is not None
        self._loop.call_soon_threadsafe(self._settle, items, results)

    def _settle(self, items: list[_Item], results: list[Any]) -> None:
        for item, result in zip(items, results, strict=True):
            self._slots.release()
            self._pending -= 1
            if item.future.done():  # withdrawn by its submitter, or it was cancelled
                continue
            if isinstance(result, StorageError):
                item.future.set_exception(result)
            else:
                item.future.set_result(result)


def _kind(task: WriteTask) -> type[WriteTask]:
    return type(task)


class _TaskFailed(Exception):
    """A task failed on its own (its cause is chained): the database itself is fine."""


def _database_failed(exc: Exception) -> bool:
    """True when the database itself failed (not this task): locked, full, I/O, connection."""
    if isinstance(exc, OperationalError | InterfaceError | StorageUnavailable | OSError):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated
