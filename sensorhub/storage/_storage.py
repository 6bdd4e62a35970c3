"""The storage the hub and the API use: one writer for writes, threads for reads, and one
part per kind of data (``storage.readings``, ``storage.tests`` …) that callers use directly."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from sensorhub.errors import ConfigError, StorageError, StorageUnavailable
from sensorhub.logs import log_event
from sensorhub.storage._alerts import AlertStore
from sensorhub.storage._athletes import AthleteStore
from sensorhub.storage._engine import DEFAULT_LOCK_TIMEOUT_S, Database
from sensorhub.storage._readings import ReadingStore
from sensorhub.storage._retention import PlateRetention, SignalRetention
from sensorhub.storage._signals import SignalStore
from sensorhub.storage._studies import StudyStore
from sensorhub.storage._tests import CalibrationStore, TestStore
from sensorhub.storage._tokens import TokenStore
from sensorhub.storage._writer import Writer

_T = TypeVar("_T")
logger = logging.getLogger(__name__)

# A read that fails is retried by the client after this long: the writer's first pause.
READ_RETRY_AFTER_S = 1


class Storage:
    """Open with ``await storage.open()``, close with ``await storage.close()``.

    Every write is answered within ``timeout_s``: committed, or ``StorageUnavailable``
    (nothing stored). Reads that fail raise ``StorageUnavailable`` too. The parts below share
    the writer and the read threads.
    """

    def __init__(
        self,
        url: str,
        *,
        batch_max: int = 1000,
        backlog_max: int = 10_000,
        timeout_s: float = 3.0,
    ) -> None:
        self.url = url
        self._batch_max = batch_max
        self._backlog_max = backlog_max
        self._timeout_s = timeout_s
        # Room for queueing: one attempt takes at most a third of the answer bound.
        self._lock_timeout_s = min(DEFAULT_LOCK_TIMEOUT_S, timeout_s / 3)
        self._database: Database | None = None
        self._writer: Writer | None = None
        self.readings = ReadingStore(self)
        self.signals = SignalStore(self)
        self.studies = StudyStore(self)
        self.tests = TestStore(self)
        self.calibrations = CalibrationStore(self)
        self.tokens = TokenStore(self)
        self.athletes = AthleteStore(self)
        self.alerts = AlertStore(self)
        self.retention = SignalRetention(self)
        self.plate_retention = PlateRetention(self)

    @property
    def engine(self) -> Engine:
        if self._database is None:
            raise StorageError("storage is not open")
        return self._database.engine

    @property
    def writer(self) -> Writer:
        if self._writer is None:
            raise StorageError("storage is not open")
        return self._writer

    async def open(self) -> None:
        database = Database(self.url, lock_timeout_s=self._lock_timeout_s)
        try:
            await asyncio.to_thread(database.prepare)
        except (SQLAlchemyError, RuntimeError) as exc:
            database.dispose()
            safe_url = database.engine.url.render_as_string(hide_password=True)
            raise ConfigError(f"cannot open database {safe_url}: {exc}") from exc
        self._database = database
        self._writer = Writer(
            database,
            batch_max=self._batch_max,
            backlog_max=self._backlog_max,
            timeout_s=self._timeout_s,
        )
        self._writer.start()

    async def close(self) -> None:
        if self._writer is not None:
            await self._writer.stop()
        if self._database is not None:
            self._database.dispose()
        self._writer = self._database = None

    async def pages(self, pages: Iterator[Sequence[_T]]) -> AsyncIterator[Sequence[_T]]:
        """Each page of ``pages`` (a generator holding its own connection), read in a worker
        thread, until the first empty one."""
        while page := await self._read_translated(next, pages, None):
            yield page

    async def read(self, query: Callable[..., _T], *args: Any) -> _T:
        """Run ``query(conn, *args)`` on a pooled connection in a worker thread."""
        return await self._read_translated(self._run_query, query, *args)

    def _run_query(self, query: Callable[..., _T], *args: Any) -> _T:
        with self.engine.connect() as conn:
            return query(conn, *args)

    @staticmethod
    async def _read_translated(function: Callable[..., _T], *args: Any) -> _T:
        try:
            return await asyncio.to_thread(function, *args)
        except SQLAlchemyError as exc:
            log_event(logger, "read_failed", logging.WARNING, error=repr(exc)[:300])
            message = "the database cannot be read now; try again"
            raise StorageUnavailable(message, retry_after_s=READ_RETRY_AFTER_S) from exc
