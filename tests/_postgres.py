"""Throwaway PostgreSQL databases for tests."""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

from tests._services import require_service

# .ci/run provides this server; another one can be named in SENSORHUB_TEST_POSTGRES_URL.
POSTGRES_ADMIN_URL = make_url(
    os.environ.get(
        "SENSORHUB_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
)


def postgres_database() -> Iterator[str]:
    """A throwaway PostgreSQL database; without a server, see ``require_service``."""
    name = f"sensorhub_test_{uuid.uuid4().hex[:12]}"
    url = create_database(name)
    try:
        yield url
    finally:
        drop_database(name)


def create_database(name: str) -> str:
    """Create database ``name`` and return its URL; without a server, see ``require_service``."""
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # no server, no driver, no permission: all mean "absent"
        first_line = (str(exc).splitlines() or [""])[0]
        where = POSTGRES_ADMIN_URL.render_as_string()
        require_service("PostgreSQL", f"{where}: {type(exc).__name__}: {first_line}")
    finally:
        admin.dispose()
    return POSTGRES_ADMIN_URL.set(database=name).render_as_string(hide_password=False)


def drop_database(name: str) -> None:
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


class ServerDatabases:
    """With ``pytest --database postgresql`` every server the tests start stores in PostgreSQL.

    One database per data dir, so a server restarted on the same data dir (after a SIGKILL,
    say) finds what it stored before, as it would in its SQLite file. All are dropped when
    the session ends.
    """

    def __init__(self) -> None:
        self.enabled = False
        self._names: dict[Path, str] = {}

    def args_for(self, data_dir: Path) -> list[str]:
        """The ``serve`` flags that point a server on ``data_dir`` at its database."""
        if not self.enabled:
            return []
        key = data_dir.resolve()
        if key not in self._names:
            # A hash of the path, not a random name: the name is stable while the dir lives.
            name = f"sensorhub_test_{hashlib.sha256(str(key).encode()).hexdigest()[:16]}"
            create_database(name)
            self._names[key] = name
        return ["--db", POSTGRES_ADMIN_URL.set(database=self._names[key]).render_as_string(False)]

    def drop_all(self) -> None:
        for name in self._names.values():
            drop_database(name)
        self._names.clear()


SERVER_DATABASES = ServerDatabases()
