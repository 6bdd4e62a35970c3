"""Jobs a server runs for a season (docs/operations.md): thinning raw signals, readings,
windows and force-plate test samples past their retention, and scheduled backups. Each is off
unless its setting is set."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from pathlib import Path

from sensorhub.backup import backup_data_dir, prune_backups, scheduled_name, sqlite_file
from sensorhub.config import Settings
from sensorhub.errors import SensorhubError
from sensorhub.logs import log_event
from sensorhub.storage import RAW_SIGNALS, READINGS, WINDOWS, Kept, Storage, TestFiles
from sensorhub.tasks import BackgroundTasks
from sensorhub.types import Clock

logger = logging.getLogger(__name__)
DAY_S = 86_400.0


class Upkeep:
    def __init__(self, settings: Settings, storage: Storage, clock: Clock = time.time) -> None:
        self._settings = settings
        self._storage = storage
        self._clock = clock
        self._last_backup: float | None = None

    async def run_once(self) -> None:
        """Whatever is due now; a failure is logged and retried at the next look."""
        for job in (self._thin, self._thin_plate_samples, self._backup):
            try:
                await job()
            except (SensorhubError, OSError) as exc:
                log_event(logger, "upkeep_failed", logging.ERROR, job=job.__name__, error=str(exc))

    async def _thin(self) -> None:
        for kind, days in _retained(self._settings):
            before = self._clock() - days * DAY_S
            rows = await self._storage.retention.thin(before, kind)
            if rows:
                log_event(logger, "rows_thinned", table=kind.table.name, rows=rows, before=before)

    async def _thin_plate_samples(self) -> None:
        days = self._settings.retain_plate_samples_days
        if not days:
            return
        now = self._clock()
        before = now - days * DAY_S
        files = TestFiles(self._settings.test_data_dir)
        tests = await self._storage.plate_retention.thin(before, now, files)
        if tests:
            log_event(logger, "test_samples_thinned", tests=tests, before=before)

    async def _backup(self) -> None:
        every_s = self._settings.backup_every_h * 3600
        now = self._clock()
        if not every_s or (self._last_backup is not None and now - self._last_backup < every_s):
            return
        self._last_backup = now
        directory = self._backup_dir()
        archive = directory / scheduled_name(now)
        database = sqlite_file(self._settings.database_url)
        await asyncio.to_thread(backup_data_dir, database, self._settings.test_data_dir, archive)
        pruned = prune_backups(directory, self._settings.backup_keep)
        log_event(logger, "backup_made", archive=archive.name, pruned=len(pruned))

    def _backup_dir(self) -> Path:
        return self._settings.backup_dir or self._settings.data_dir / "backups"


def _retained(settings: Settings) -> list[tuple[Kept, float]]:
    """Each kind of row with a retention set, and its days."""
    days = (
        (RAW_SIGNALS, settings.retain_raw_signals_days),
        (READINGS, settings.retain_readings_days),
        (WINDOWS, settings.retain_windows_days),
    )
    return [(kind, kept_days) for kind, kept_days in days if kept_days]


@contextlib.asynccontextmanager
async def upkeep_running(settings: Settings, storage: Storage) -> AsyncIterator[None]:
    """Look at the jobs every ``upkeep_check_s`` while the server runs (none when all are off)."""
    if not (_retained(settings) or settings.retain_plate_samples_days or settings.backup_every_h):
        yield
        return
    upkeep = Upkeep(settings, storage)

    async def loop() -> None:
        while True:
            await upkeep.run_once()
            await asyncio.sleep(settings.upkeep_check_s)

    tasks = BackgroundTasks()
    tasks.spawn(loop(), "upkeep")
    try:
        yield
    finally:
        await tasks.cancel_all()
