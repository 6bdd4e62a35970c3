"""The one writer: group commits, failure isolation, bounded backlog, barriers, shutdown."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, event, func, select, text

from sensorhub.errors import StorageError
from sensorhub.storage import Writer, WriteTask
from sensorhub.storage._engine import create_database_engine


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


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    engine = create_database_engine(f"sqlite:///{tmp_path / 'w.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (v INTEGER NOT NULL)"))
    return engine


@pytest.fixture
async def writer(engine: Engine) -> AsyncIterator[Writer]:
    writer = Writer(engine, batch_max=1000, backlog_max=100)
    writer.start()
    yield writer
    await writer.stop()


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
    started, release = threading.Event(), threading.Event()
    blocker = asyncio.ensure_future(writer.submit(BlockUntil(started, release)))
    await asyncio.to_thread(started.wait, 10)
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
    started, release = threading.Event(), threading.Event()
    blocker = asyncio.ensure_future(writer.submit(BlockUntil(started, release)))
    await asyncio.to_thread(started.wait, 10)
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


async def test_full_backlog_makes_producers_wait_not_drop(engine: Engine) -> None:
    writer = Writer(engine, batch_max=1000, backlog_max=5)
    writer.start()
    started, release = threading.Event(), threading.Event()
    blocker = asyncio.ensure_future(writer.submit(BlockUntil(started, release)))
    await asyncio.to_thread(started.wait, 10)
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


async def test_stop_commits_what_was_queued(engine: Engine) -> None:
    writer = Writer(engine, batch_max=1000, backlog_max=100)
    writer.start()
    pending = [asyncio.ensure_future(writer.submit(InsertValue(i))) for i in range(10)]
    await asyncio.sleep(0)
    await writer.stop()
    assert count_rows(engine) == 10
    assert [task.result() for task in pending] == list(range(10))


async def test_submit_before_start_is_a_storage_error(engine: Engine) -> None:
    with pytest.raises(StorageError, match="not running"):
        await Writer(engine, batch_max=10, backlog_max=10).submit(InsertValue(1))
