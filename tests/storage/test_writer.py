"""The one writer: group commits, failure isolation, bounded backlog, barriers, shutdown."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, event, func, select, text

from sensorhub.errors import StorageError, StorageUnavailable
from sensorhub.storage import Writer, WriteTask
from sensorhub.storage._engine import Database


@dataclass(frozen=True)
class InsertValue(WriteTask):
    value: int

    def run(self, conn: Connection) -> int:
        conn.execute(text("INSERT INTO t (v) VALUES (:v)"), {"v": self.value})
        return self.value


@dataclass(frozen=True)
class Explode(WriteTask):
    def run(self, conn: Connection) -> None:
        conn.execute(text("INSERT INTO t (v) VALUES (-1)"))
        raise ValueError("boom")


@dataclass(frozen=True)
class BlockUntil(WriteTask):
    """Holds the writer thread until ``release`` is set, so work piles up behind it."""

    started: threading.Event
    release: threading.Event

    def run(self, conn: Connection) -> None:
        self.started.set()
        assert self.release.wait(timeout=10)


# Long enough that no healthy commit on a loaded CI machine comes near it.
TIMEOUT_S = 5.0


@pytest.fixture
def database(tmp_path: Path) -> Database:
    # A short lock wait keeps the failure tests quick; WAL readers never make the writer wait.
    database = Database(f"sqlite:///{tmp_path / 'w.db'}", lock_timeout_s=0.1)
    database.prepare()
    with database.engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (v INTEGER NOT NULL)"))
    return database


@pytest.fixture
def engine(database: Database) -> Engine:
    return database.engine


def make_writer(database: Database, backlog_max: int = 100, timeout_s: float = TIMEOUT_S) -> Writer:
    return Writer(database, batch_max=1000, backlog_max=backlog_max, timeout_s=timeout_s)


@pytest.fixture
async def writer(database: Database) -> AsyncIterator[Writer]:
    writer = make_writer(database)
    writer.start()
    yield writer
    await writer.stop()


async def hold(writer: Writer) -> tuple[asyncio.Future[None], threading.Event]:
    """Occupy the writer thread until the returned event is set, so work piles up behind it."""
    started, release = threading.Event(), threading.Event()
    blocker = asyncio.ensure_future(writer.submit(BlockUntil(started, release)))
    await asyncio.to_thread(started.wait, 10)
    return blocker, release


def count_rows(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(text("t"))).scalar_one())


def count_commits(engine: Engine) -> list[int]:
    commits = [0]

    @event.listens_for(engine, "commit")
    def _on_commit(_conn: Any) -> None:
        commits[0] += 1

    return commits


async def test_submit_returns_after_commit_with_task_result(writer: Writer, engine: Engine) -> None:
    assert await writer.submit(InsertValue(7)) == 7
    assert count_rows(engine) == 1  # visible to another connection: committed


async def test_queued_tasks_are_committed_in_groups(writer: Writer, engine: Engine) -> None:
    commits = count_commits(engine)
    blocker, release = await hold(writer)
    pending = [asyncio.ensure_future(writer.submit(InsertValue(i))) for i in range(50)]
    await asyncio.sleep(0)  # let every submit enqueue while the writer is held
    release.set()

    assert await asyncio.gather(*pending) == list(range(50))
    await blocker
    assert count_rows(engine) == 50
    assert commits[0] <= 2  # the blocker's commit, then one for all fifty


async def test_a_failing_task_does_not_cost_others_their_write(
    writer: Writer, engine: Engine
) -> None:
    blocker, release = await hold(writer)
    good = [asyncio.ensure_future(writer.submit(InsertValue(i))) for i in range(3)]
    bad = asyncio.ensure_future(writer.submit(Explode()))
    await asyncio.sleep(0)
    release.set()

    assert await asyncio.gather(*good) == [0, 1, 2]
    with pytest.raises(StorageError):
        await bad
    await blocker
    assert count_rows(engine) == 3  # the failed task's own insert was rolled back
    assert await writer.submit(InsertValue(9)) == 9  # and the writer lives on


async def test_full_backlog_makes_producers_wait_not_drop(
    database: Database, engine: Engine
) -> None:
    writer = make_writer(database, backlog_max=5)
    writer.start()
    blocker, release = await hold(writer)
    pending = [asyncio.ensure_future(writer.submit(InsertValue(i))) for i in range(20)]
    for _ in range(5):
        await asyncio.sleep(0)

    assert writer.backlog == 5  # the blocker + four inserts; sixteen producers wait
    release.set()
    assert len(await asyncio.gather(*pending)) == 20
    await blocker
    assert writer.backlog == 0
    assert count_rows(engine) == 20
    await writer.stop()


async def test_flush_waits_for_everything_before_it(writer: Writer, engine: Engine) -> None:
    pending = [asyncio.ensure_future(writer.submit(InsertValue(i))) for i in range(30)]
    await asyncio.sleep(0)
    await writer.flush()
    assert all(task.done() for task in pending)
    assert count_rows(engine) == 30


async def test_stop_commits_what_was_queued(database: Database, engine: Engine) -> None:
    writer = make_writer(database)
    writer.start()
    pending = [asyncio.ensure_future(writer.submit(InsertValue(i))) for i in range(10)]
    await asyncio.sleep(0)
    await writer.stop()
    assert count_rows(engine) == 10
    assert await asyncio.gather(*pending) == list(range(10))


async def test_submit_before_start_is_a_storage_error(database: Database) -> None:
    with pytest.raises(StorageError, match="not running"):
        await make_writer(database).submit(InsertValue(1))


# --- failure is a state, not a hang ---------------------------------------------------------


class Killed(BaseException):
    """Escapes every ``except Exception``, as a bug in the writer itself would."""


@dataclass(frozen=True)
class KillThread(WriteTask):
    def run(self, conn: Connection) -> None:
        conn.execute(text("INSERT INTO t (v) VALUES (-2)"))
        raise Killed


@dataclass(frozen=True)
class FillDisk(WriteTask):
    """Caps the writer's own connection at its current size, as a full disk would."""

    def run(self, conn: Connection) -> None:
        conn.exec_driver_sql("PRAGMA max_page_count = 1")


@dataclass(frozen=True)
class InsertBlob(WriteTask):
    def run(self, conn: Connection) -> None:
        conn.execute(text("INSERT INTO t (v) VALUES (randomblob(100000))"))


def hold_exclusive_lock(path: str) -> sqlite3.Connection:
    """Another connection holds the write lock, as a second process or a backup tool might."""
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN EXCLUSIVE")
    return other


def database_path(database: Database) -> str:
    path = database.engine.url.database
    assert path is not None
    return path


async def test_a_locked_database_answers_unavailable_in_time_and_recovers(
    database: Database, engine: Engine
) -> None:
    timeout_s = 1.0
    writer = make_writer(database, timeout_s=timeout_s)
    writer.start()
    locker = hold_exclusive_lock(database_path(database))
    try:
        # The bound under test is the timeout; the outer limit only keeps a hang from hanging CI.
        with pytest.raises(StorageUnavailable) as refused:
            await asyncio.wait_for(writer.submit(InsertValue(1)), timeout_s * 10)
        assert refused.value.retry_after_s is not None and refused.value.retry_after_s >= 1
        assert not writer.healthy
    finally:
        locker.execute("COMMIT")
        locker.close()
    assert await writer.submit(InsertValue(2)) == 2
    assert writer.healthy
    with engine.connect() as conn:
        assert conn.execute(text("SELECT v FROM t")).scalars().all() == [2]
    await writer.stop()


async def test_a_task_withdrawn_at_its_deadline_is_never_committed_later(
    database: Database, engine: Engine
) -> None:
    writer = make_writer(database, timeout_s=0.5)
    writer.start()
    blocker, release = await hold(writer)
    waiting = [asyncio.ensure_future(writer.submit(InsertValue(i))) for i in range(5)]

    results = await asyncio.gather(*waiting, return_exceptions=True)
    assert all(isinstance(r, StorageUnavailable) for r in results), results
    release.set()
    await asyncio.gather(blocker, return_exceptions=True)
    await writer.flush()
    assert count_rows(engine) == 0  # answered "not stored", and indeed never stored
    assert writer.backlog == 0
    await writer.stop()


async def test_a_dead_writer_thread_fails_its_tasks_and_is_restarted(
    writer: Writer, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    with pytest.raises(StorageUnavailable, match="writer stopped"):
        await writer.submit(KillThread())
    assert "writer_restarted" in caplog.messages
    assert await writer.submit(InsertValue(3)) == 3
    assert count_rows(engine) == 1  # the killed task's insert was not committed


async def test_a_full_disk_fails_the_write_then_a_new_connection_recovers(
    writer: Writer, engine: Engine
) -> None:
    await writer.submit(FillDisk())
    with pytest.raises(StorageUnavailable, match="cannot take writes"):
        await writer.submit(InsertBlob())
    assert count_rows(engine) == 0
    await writer.submit(InsertBlob())  # reconnected: the cap was on the old connection
    assert count_rows(engine) == 1


async def test_a_removed_database_file_is_recreated_and_not_written_behind_its_back(
    database: Database, writer: Writer, tmp_path: Path
) -> None:
    path = Path(database_path(database))
    await writer.submit(InsertValue(1))
    kept = tmp_path / "kept.db"
    os.link(path, kept)  # keeps the removed file readable for the test
    path.unlink()

    with pytest.raises(StorageUnavailable, match="removed or replaced"):
        await writer.submit(InsertValue(2))
    await writer.flush()  # the writer reopened: a new file with the schema
    assert path.exists()
    with database.engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (v INTEGER NOT NULL)"))
    assert await writer.submit(InsertValue(3)) == 3
    with database.engine.connect() as conn:
        assert conn.execute(text("SELECT v FROM t")).scalars().all() == [3]
