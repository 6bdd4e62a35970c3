"""The real server with storage faults a test switches on by creating files.

Run as ``python -m tests._faulty_server serve …`` with ``SENSORHUB_TEST_FAULTS=<dir>``. Only
the writer thread's transactions are touched, so reads and the rest of the server run as usual:

- ``<dir>/disk-full``: a writer transaction begun while it exists may not grow the database
  file (SQLite's ``max_page_count``), which fails like a full disk (SQLITE_FULL);
- ``<dir>/kill-writer``: the next writer commit raises an exception that no ``except
  Exception`` catches, so the writer thread dies mid-transaction, its statements run and not
  committed (the file is consumed).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from sqlalchemy import Connection, Engine, event

from sensorhub.cli import main

WRITER_THREAD = "sensorhub-writer"
SQLITE_MAX_PAGES = 1_073_741_823  # SQLite's default cap: "no limit" for our purposes


class WriterKilled(BaseException):
    """Escapes the writer's error handling, as a bug in a C extension or a MemoryError might."""


def install(faults: Path) -> None:
    # Transaction events, not statement events: the readings' bulk insert goes to the driver
    # directly (storage/_bulk.py), past SQLAlchemy's statement events.
    def on_commit(_conn: Connection) -> None:
        """The transaction's statements ran; it dies before the commit."""
        kill = faults / "kill-writer"
        if _in_writer() and kill.exists():
            kill.unlink()
            raise WriterKilled("injected by the test")

    def on_begin(conn: Connection) -> None:
        if not _in_writer() or conn.dialect.name != "sqlite":  # a full disk: SQLite only
            return
        # At most the current size while the disk is "full"; SQLite rounds 1 up to it.
        cap = 1 if (faults / "disk-full").exists() else SQLITE_MAX_PAGES
        sqlite = conn.connection.driver_connection
        assert sqlite is not None
        sqlite.execute(f"PRAGMA max_page_count = {cap}")

    event.listen(Engine, "begin", on_begin)
    event.listen(Engine, "commit", on_commit)


def _in_writer() -> bool:
    return threading.current_thread().name == WRITER_THREAD


if __name__ == "__main__":
    install(Path(os.environ["SENSORHUB_TEST_FAULTS"]))
    main()
