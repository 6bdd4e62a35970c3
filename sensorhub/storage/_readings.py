"""Wearable readings: the insert task and the queries."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Self

from sqlalchemy import Connection, Engine, Select, select

from sensorhub.biometrics.readings import ProcessedReading
from sensorhub.storage._bulk import insert_with_ids
from sensorhub.storage._schema import readings
from sensorhub.storage._writer import WriteTask

if TYPE_CHECKING:
    from sensorhub.storage._storage import Storage

# Every field but the key, which comes last: a row's values are ``row[:-1]``.
_COLUMNS = ProcessedReading._fields[:-1]


@dataclass(frozen=True, slots=True)
class InsertReadings(WriteTask):
    """Insert readings; resolves to their new ids, in order."""

    rows: tuple[ProcessedReading, ...]

    def run(self, conn: Connection) -> list[int]:
        [ids] = self.run_many(conn, [self])
        return ids

    @classmethod
    def run_many(cls, conn: Connection, tasks: Sequence[Self]) -> list[list[int]]:
        """Every row of ``tasks`` in one go through the driver's bulk path (``insert_with_ids``:
        COPY on PostgreSQL, executemany on SQLite); each task gets its own rows' ids back."""
        values = [row[:-1] for task in tasks for row in task.rows]
        ids = insert_with_ids(conn, readings, _COLUMNS, values)
        counts = itertools.accumulate(len(task.rows) for task in tasks)
        return [ids[end - len(task.rows) : end] for task, end in zip(tasks, counts, strict=True)]


@dataclass(frozen=True, slots=True)
class ReadingQuery:
    """Which readings to list: newest first, ``before_id`` pages backwards."""

    device_id: str | None = None
    since: float | None = None
    until: float | None = None
    before_id: int | None = None
    limit: int = 100


def _select(query: ReadingQuery) -> Select[Any]:
    statement = select(readings)
    if query.device_id is not None:
        statement = statement.where(readings.c.device_id == query.device_id)
    if query.since is not None:
        statement = statement.where(readings.c.received_at >= query.since)
    if query.until is not None:
        statement = statement.where(readings.c.received_at < query.until)
    if query.before_id is not None:
        statement = statement.where(readings.c.id < query.before_id)
    return statement.order_by(readings.c.id.desc()).limit(query.limit)


def select_readings(conn: Connection, query: ReadingQuery) -> list[ProcessedReading]:
    return [ProcessedReading(**row._mapping) for row in conn.execute(_select(query))]


def iter_reading_pages(
    engine: Engine, query: ReadingQuery, page_size: int = 1000
) -> Iterator[Sequence[ProcessedReading]]:
    """Every matching reading, newest first, one short-lived connection per page."""
    page_query = dataclasses.replace(query, limit=page_size)
    while True:
        with engine.connect() as conn:
            page = select_readings(conn, page_query)
        if not page:
            return
        yield page
        page_query = dataclasses.replace(page_query, before_id=page[-1].id)


class ReadingStore:
    """Wearable readings (``storage.readings``)."""

    def __init__(self, storage: Storage) -> None:
        self._storage = storage

    async def add(self, rows: Sequence[ProcessedReading]) -> list[ProcessedReading]:
        """Store ``rows`` in one transaction; returns them with their ids once committed."""
        ids: list[int] = await self._storage.writer.submit(InsertReadings(tuple(rows)))
        with_ids = zip(rows, ids, strict=True)
        return [ProcessedReading._make((*row[:-1], id_)) for row, id_ in with_ids]

    async def find(self, query: ReadingQuery) -> list[ProcessedReading]:
        return await self._storage.read(select_readings, query)

    def pages(self, query: ReadingQuery) -> AsyncIterator[Sequence[ProcessedReading]]:
        return self._storage.pages(iter_reading_pages(self._storage.engine, query))
