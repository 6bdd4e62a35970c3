"""Throwaway PostgreSQL databases for tests."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

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
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # no server, no driver, no permission: all mean "absent"
        admin.dispose()
        first_line = (str(exc).splitlines() or [""])[0]
        where = POSTGRES_ADMIN_URL.render_as_string()
        require_service("PostgreSQL", f"{where}: {type(exc).__name__}: {first_line}")
    try:
        yield POSTGRES_ADMIN_URL.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()
