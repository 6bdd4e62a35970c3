"""The storage facade the hub and the API use: one writer for writes, threads for reads."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from sensorhub.biometrics.readings import ProcessedReading
from sensorhub.errors import (
    BatchReused,
    ConfigError,
    StorageError,
    StorageUnavailable,
    TestNotFound,
)
from sensorhub.loadcell.session import Sample
from sensorhub.logs import log_event
from sensorhub.physio import SignalBatch
from sensorhub.physio.study import Mark, StudySession
from sensorhub.storage._alerts import AlertStore
from sensorhub.storage._athletes import AthleteStore
from sensorhub.storage._engine import DEFAULT_LOCK_TIMEOUT_S, Database
from sensorhub.storage._readings import (
    InsertReadings,
    ReadingQuery,
    iter_reading_pages,
    select_readings,
)
from sensorhub.storage._retention import PlateRetention, SignalRetention
from sensorhub.storage._signals import (
    BatchOutcome,
    InsertSignalBatch,
    InsertWindows,
    StoredBatch,
    WindowQuery,
    WindowRecord,
    iter_signal_batches,
    select_windows,
)
from sensorhub.storage._studies import (
    AddMark,
    CreateStudy,
    StopStudy,
    select_studies,
    select_study,
)
from sensorhub.storage._tests import (
    AppendSamples,
    CreateTest,
    DeleteTest,
    InterruptUnfinished,
    MoveTest,
    SaveCalibration,
    TestQuery,
    TestRecord,
    UpdateTest,
    columns,
    select_batches,
    select_calibrations,
    select_samples,
    select_test,
    select_tests,
    select_unfinished,
    select_unfinished_devices,
)
from sensorhub.storage._tokens import (
    CreateToken,
    RevokeToken,
    TokenRecord,
    select_token_device,
    select_tokens,
)
from sensorhub.storage._writer import Writer

_T = TypeVar("_T")
logger = logging.getLogger(__name__)

# A read that fails is retried by the client after this long: the writer's first pause.
READ_RETRY_AFTER_S = 1


class Storage:
    """Open with ``await storage.open()``, close with ``await storage.close()``.

    Every write is answered within ``timeout_s``: committed, or ``StorageUnavailable``
    (nothing stored). Reads that fail raise ``StorageUnavailable`` too.
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

    async def add_readings(self, rows: Sequence[ProcessedReading]) -> list[ProcessedReading]:
        """Store ``rows`` in one transaction; returns them with their ids once committed."""
        ids: list[int] = await self.writer.submit(InsertReadings(tuple(rows)))
        return [dataclasses.replace(row, id=id_) for row, id_ in zip(rows, ids, strict=True)]

    async def list_readings(self, query: ReadingQuery) -> list[ProcessedReading]:
        return await self._read(select_readings, query)

    async def iter_readings(self, query: ReadingQuery) -> AsyncIterator[Sequence[ProcessedReading]]:
        pages = iter_reading_pages(self.engine, query)
        while page := await self._read_translated(next, pages, None):
            yield page

    # Wearable signals and their windows (docs/signals.md).

    async def add_signal_batch(self, batch: SignalBatch, received_at: float) -> bool:
        """Store ``batch``; False when this very batch was stored before (nothing stored).
        ``BatchReused`` when its (device_id, boot, seq) was stored with other samples."""
        outcome = await self.writer.submit(InsertSignalBatch(batch, received_at))
        if outcome is BatchOutcome.CONFLICT:
            boot = f" (boot {batch.boot})" if batch.boot else ""
            raise BatchReused(
                f"seq {batch.seq} of {batch.device_id}{boot} was stored with other samples: "
                "a device that restarts sends a new boot id"
            )
        return outcome is BatchOutcome.STORED

    async def add_windows(self, records: Sequence[WindowRecord]) -> list[WindowRecord]:
        ids: list[int] = await self.writer.submit(InsertWindows(tuple(records)))
        return [dataclasses.replace(r, id=id_) for r, id_ in zip(records, ids, strict=True)]

    async def list_windows(self, query: WindowQuery) -> list[WindowRecord]:
        return await self._read(select_windows, query)

    async def iter_signal_batches(
        self, device_id: str | None, since: float | None, until: float | None
    ) -> AsyncIterator[Sequence[StoredBatch]]:
        pages = iter_signal_batches(self.engine, device_id, since, until)
        while page := await self._read_translated(next, pages, None):
            yield page

    # Study sessions (docs/signals.md): None when the wearable or session state refuses.

    async def create_study(self, session: StudySession) -> int | None:
        session_id: int | None = await self.writer.submit(CreateStudy(session))
        return session_id

    async def stop_study(self, session_id: int, at: float) -> bool:
        stopped: bool = await self.writer.submit(StopStudy(session_id, at))
        return stopped

    async def add_mark(self, mark: Mark) -> int | None:
        mark_id: int | None = await self.writer.submit(AddMark(mark))
        return mark_id

    async def get_study(self, session_id: int) -> tuple[StudySession, list[Mark]] | None:
        return await self._read(select_study, session_id)

    async def list_studies(self, device_id: str | None, limit: int) -> list[StudySession]:
        return await self._read(select_studies, device_id, limit)

    # Force-plate tests. Writes go through the writer; ids come back once committed.

    async def create_test(
        self,
        device_id: str,
        started_at: float,
        calibration: dict[str, Any],
        athlete: str | None,
        notes: str | None,
        athlete_id: int | None = None,
    ) -> int:
        """A running test, of the athlete ``athlete_id`` when given."""
        task = CreateTest(device_id, started_at, calibration, athlete, notes, athlete_id)
        test_id: int = await self.writer.submit(task)
        return test_id

    async def append_samples(self, test_id: int, seq: int, samples: Sequence[Sample]) -> None:
        await self.writer.submit(AppendSamples(test_id, seq, tuple(samples)))

    async def update_test(self, test_id: int, **values: Any) -> bool:
        found: bool = await self.writer.submit(UpdateTest(test_id, columns(**values)))
        return found

    async def move_test(self, test_id: int, athlete_id: int, name: str) -> bool:
        """The test and its trial go to ``athlete_id`` (called ``name``); False: no test."""
        found: bool = await self.writer.submit(MoveTest(test_id, athlete_id, name))
        return found

    async def complete_test(
        self,
        test_id: int,
        *,
        sample_count: int,
        csv_file: str,
        analysis: dict[str, Any],
        **values: Any,
    ) -> None:
        """Record how a test ended: its file, sample count, analysis and any other columns."""
        await self.update_test(
            test_id,
            sample_count=sample_count,
            csv_file=csv_file,
            analysis=json.dumps(analysis),
            **values,
        )

    async def save_analysis(self, test_id: int, analysis: dict[str, Any]) -> bool:
        return await self.update_test(test_id, analysis=json.dumps(analysis))

    async def delete_test(self, test_id: int) -> bool:
        found: bool = await self.writer.submit(DeleteTest(test_id))
        return found

    async def interrupt_unfinished_tests(self) -> list[int]:
        ids: list[int] = await self.writer.submit(InterruptUnfinished())
        return ids

    async def save_calibration(
        self, device_id: str, calibration: dict[str, Any], updated_at: float
    ) -> None:
        await self.writer.submit(SaveCalibration(device_id, calibration, updated_at))

    async def list_tests(self, query: TestQuery) -> list[TestRecord]:
        return await self._read(select_tests, query)

    async def get_test(self, test_id: int) -> TestRecord | None:
        return await self._read(select_test, test_id)

    async def require_test(self, test_id: int) -> TestRecord:
        """The stored test, or ``TestNotFound``."""
        record = await self.get_test(test_id)
        if record is None:
            raise TestNotFound(f"no test with id {test_id}")
        return record

    async def test_samples(self, test_id: int) -> list[Sample]:
        return await self._read(select_samples, test_id)

    async def unfinished_test(self, device_id: str) -> TestRecord | None:
        return await self._read(select_unfinished, device_id)

    async def unfinished_devices(self) -> list[str]:
        return await self._read(select_unfinished_devices)

    async def test_batches(self, test_id: int) -> list[tuple[int, list[Sample]]]:
        return await self._read(select_batches, test_id)

    async def calibrations(self) -> dict[str, dict[str, Any]]:
        return await self._read(select_calibrations)

    # Device tokens, by hash (sensorhub.auth makes and checks them).

    async def create_device_token(self, device_id: str, token_hash: str, created_at: float) -> int:
        token_id: int = await self.writer.submit(CreateToken(device_id, token_hash, created_at))
        return token_id

    async def revoke_device_token(self, token_id: int, revoked_at: float) -> bool:
        """Whether an active token had ``token_id``."""
        revoked: bool = await self.writer.submit(RevokeToken(token_id, revoked_at))
        return revoked

    async def device_tokens(self) -> list[TokenRecord]:
        return await self._read(select_tokens)

    async def device_for_token(self, token_hash: str) -> str | None:
        """The device of the active token with this hash, or None."""
        return await self._read(select_token_device, token_hash)

    async def read(self, query: Callable[..., _T], *args: Any) -> _T:
        """Run ``query(conn, *args)`` on a pooled connection in a worker thread."""
        return await self._read(query, *args)

    async def _read(self, query: Callable[..., _T], *args: Any) -> _T:
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
