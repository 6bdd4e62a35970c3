"""The database: an engine tuned once in a connect hook, its schema, and (for a SQLite file) a
check that the file the writer commits to is still the one users read.
"""

from __future__ import annotations

import logging
import math
import os
import sqlite3
import time
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Engine, create_engine, event, make_url

from sensorhub.errors import StorageUnavailable
from sensorhub.logs import log_event
from sensorhub.storage._migrations import migrate

logger = logging.getLogger(__name__)

# How long one statement may wait for a lock held by someone else (another process, a backup
# tool, `sqlite3` in a shell) before the attempt fails; the writer keeps every attempt within
# the answer bound with it. Half a second: long enough for ordinary contention in WAL mode.
DEFAULT_LOCK_TIMEOUT_S = 0.5


def create_database_engine(url: str, lock_timeout_s: float = DEFAULT_LOCK_TIMEOUT_S) -> Engine:
    """An engine for ``url`` whose lock waits end after ``lock_timeout_s``."""
    lock_ms = max(1, round(lock_timeout_s * 1000))
    if not url.startswith("sqlite"):
        connect_args = {
            "options": f"-c lock_timeout={lock_ms}",
            "connect_timeout": max(1, math.ceil(lock_timeout_s)),
        }
        return create_engine(url, pool_pre_ping=True, connect_args=connect_args)
    engine = create_engine(url, connect_args={"check_same_thread": False})

    def tune(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        _tune_sqlite(dbapi_connection, lock_ms)

    event.listen(engine, "connect", tune)
    return engine


def _tune_sqlite(dbapi_connection: sqlite3.Connection, busy_timeout_ms: int) -> None:
    cursor = dbapi_connection.cursor()
    # WAL: readers never block the writer. NORMAL: a commit survives a process crash
    # (kill -9), only an OS crash or power cut may lose the last commits.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
    cursor.close()


class Database:
    """The engine plus what it takes to (re)open it: the schema and the SQLite file's identity.

    Someone may delete or replace the SQLite file while the server runs. The writer's open
    connection would go on committing into the deleted file, and every acknowledgement would
    be a lie; ``check_file`` after each commit turns that into a storage failure instead.
    """

    def __init__(self, url: str, *, lock_timeout_s: float = DEFAULT_LOCK_TIMEOUT_S) -> None:
        self.engine = create_database_engine(url, lock_timeout_s)
        self.lock_timeout_s = lock_timeout_s
        self._file = _sqlite_file(self.engine.url)
        self._identity: tuple[int, int] | None = None

    def prepare(self) -> None:
        """Create or upgrade the schema, and remember which file that was."""
        migrate(self.engine)
        self._identity = self._stat()

    def check_file(self) -> None:
        """Raise ``StorageUnavailable`` if the SQLite file was removed or replaced."""
        if self._file is not None and self._stat() != self._identity:
            raise StorageUnavailable(f"the database file {self._file.name} was removed or replaced")

    def reopen(self) -> None:
        """Forget every pooled connection (they may point at a removed file) and prepare anew."""
        self.engine.dispose()
        if self._file is not None and not self._file.exists():
            self._set_journal_aside(self._file)
        self.prepare()

    @staticmethod
    def _set_journal_aside(file: Path) -> None:
        """The removed file's last commits may still be in its WAL journal: keep it under
        another name (with a copy of the removed file it restores them), never replay it
        into the new database."""
        wal = Path(f"{file}-wal")
        if wal.exists():
            aside = wal.with_name(f"{wal.name}.orphan-{time.strftime('%Y%m%d-%H%M%S')}")
            wal.rename(aside)
            log_event(logger, "database_journal_set_aside", logging.WARNING, file=aside.name)
        Path(f"{file}-shm").unlink(missing_ok=True)  # only an index of the WAL

    def dispose(self) -> None:
        self.engine.dispose()

    def _stat(self) -> tuple[int, int] | None:
        if self._file is None:
            return None
        try:
            info = os.stat(self._file)
        except FileNotFoundError:
            return None
        return info.st_dev, info.st_ino


def _sqlite_file(url: URL) -> Path | None:
    database = make_url(url).database
    if url.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    return Path(database)
