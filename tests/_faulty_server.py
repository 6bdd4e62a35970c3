"""The real server with storage faults a test switches on by creating files.

Run as ``python -m tests._faulty_server serve …`` with ``SENSORHUB_TEST_FAULTS=<dir>``. Only
the writer thread's statements are touched, so reads and the rest of the server run as usual:

- ``<dir>/disk-full``: while it exists, the writer's connection may not grow the database
  file (SQLite's ``max_page_count``), which fails like a full disk (SQLITE_FULL);
- ``<dir>/kill-writer``: the next writer statement raises an exception that no ``except
  Exception`` catches, so the writer thread dies mid-transaction (the file is consumed).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, event

from sensorhub.cli import main

WRITER_THREAD = "sensorhub-writer"
SQLITE_MAX_PAGES = 1_073_741_823  # SQLite's default cap: "no limit" for our purposes


class WriterKilled(BaseException):
    """Escapes the writer's error handling, as a bug in a C extension or a MemoryError might."""


def install(faults: Path) -> None:
    def inject(conn: Connection, *_args: Any) -> None:
        if threading.current_thread().name != WRITER_THREAD:
            return
        kill = faults / "kill-writer"
        if kill.exists():
            kill.unlink()
            raise WriterKilled("injected by the test")
        if conn.dialect.name != "sqlite":  # a full disk is only simulated on SQLite
            return
        # At most the current size while the disk is "full"; SQLite rounds 1 up to it.
        cap = 1 if (faults / "disk-full").exists() else SQLITE_MAX_PAGES
        sqlite = conn.connection.driver_connection
        assert sqlite is not None
        sqlite.execute(f"PRAGMA max_page_count = {cap}")

    event.listen(Engine, "before_cursor_execute", inject)


if __name__ == "__main__":
    install(Path(os.environ["SENSORHUB_TEST_FAULTS"]))
    main()
