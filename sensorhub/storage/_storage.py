"""The storage facade the hub and the API use: one writer for writes, threads for reads."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Sequence

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from sensorhub.biometrics.readings import ProcessedReading
from sensorhub.errors import ConfigError, StorageError
from sensorhub.storage._engine import create_database_engine
from sensorhub.storage._migrations import migrate
from sensorhub.storage._readings import (
    InsertReadings,
    ReadingQuery,
    iter_reading_pages,
    select_readings,
)
from sensorhub.storage._writer import Writer


class Storage:
    """Open with ``await storage.open()``, close with ``await storage.close()``."""

    def __init__(self, url: str, *, batch_max: int = 1000, backlog_max: int = 10_000) -> None:
        self.url = url
        self._batch_max = batch_max
        self._backlog_max = backlog_max
        self._engine: Engine | None = None
        self._writer: Writer | None = None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            raise StorageError("storage is not open")
        return self._engine

    @property
    def writer(self) -> Writer:
        if self._writer is None:
            raise StorageError("storage is not open")
        return self._writer

    async def open(self) -> None:
        self._engine = create_database_engine(self.url)
        try:
            await asyncio.to_thread(migrate, self._engine)
        except (SQLAlchemyError, RuntimeError) as exc:
            self._engine.dispose()
            raise ConfigError(f"cannot open database {self._safe_url()}: {exc}") from exc
        self._writer = Writer(
            self._engine, batch_max=self._batch_max, backlog_max=self._backlog_max
        )
        self._writer.start()

    async def close(self) -> None:
        if self._writer is not None:
            await self._writer.stop()
        if self._engine is not None:
            self._engine.dispose()
        self._writer = self._engine = None

    async def add_readings(self, rows: Sequence[ProcessedReading]) -> list[ProcessedReading]:
        """Store ``rows`` in one transaction; returns them with their ids once committed."""
        ids: list[int] = await self.writer.submit(InsertReadings(tuple(rows)))
        return [dataclasses.replace(row, id=id_) for row, id_ in zip(rows, ids, strict=True)]

    async def list_readings(self, query: ReadingQuery) -> list[ProcessedReading]:
        return await asyncio.to_thread(self._read_readings, query)

    async def iter_readings(self, query: ReadingQuery) -> AsyncIterator[Sequence[ProcessedReading]]:
        pages = iter_reading_pages(self.engine, query)
        while page := await asyncio.to_thread(next, pages, None):
            yield page

    def _read_readings(self, query: ReadingQuery) -> list[ProcessedReading]:
        with self.engine.connect() as conn:
            return select_readings(conn, query)

    def _safe_url(self) -> str:
        # Never log a password that may be in a PostgreSQL URL.
        return self.engine.url.render_as_string(hide_password=True) if self._engine else "?"
