"""Schema versions: each step upgrades a database by one version, keeping users' data."""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import Connection, Engine, func, insert, inspect, select, text, update

from sensorhub.storage._schema import (
    athlete_groups,
    athletes,
    device_tokens,
    devices,
    readings,
    reliability_studies,
    sample_batches,
    schema_info,
    signal_batches,
    signal_windows,
    study_marks,
    study_sessions,
    tests,
    trials,
)

Step = Callable[[Connection], None]


def _v1_wearable_readings(conn: Connection) -> None:
    readings.create(conn)


def _v2_force_plate_tests(conn: Connection) -> None:
    for table in (devices, tests, sample_batches):
        table.create(conn)


def _v3_device_tokens(conn: Connection) -> None:
    device_tokens.create(conn)


def _v4_64_bit_ids_on_postgresql(conn: Connection) -> None:
    """PostgreSQL databases made before this step have 32-bit ids and id sequences."""
    if conn.dialect.name != "postgresql":
        return  # SQLite's INTEGER keys were 64-bit all along
    for table in (readings, tests, sample_batches, device_tokens):
        conn.execute(text(f"ALTER TABLE {table.name} ALTER COLUMN id TYPE BIGINT"))
        sequence = conn.execute(
            text("SELECT pg_get_serial_sequence(:table, 'id')"), {"table": table.name}
        ).scalar_one()
        conn.execute(text(f"ALTER SEQUENCE {sequence} AS BIGINT"))
    conn.execute(text("ALTER TABLE sample_batches ALTER COLUMN test_id TYPE BIGINT"))


def _v5_wearable_signals(conn: Connection) -> None:
    for table in (signal_batches, signal_windows, study_sessions, study_marks):
        table.create(conn)


def _v6_athletes(conn: Connection) -> None:
    """Athletes and trials; each distinct free-text name on a test becomes an athlete."""
    for table in (athletes, athlete_groups, trials):
        table.create(conn)
    now = time.time()
    name = func.trim(tests.c.athlete)
    names = conn.execute(select(name).where(name != "").distinct().order_by(name)).scalars()
    for athlete in list(names):
        values = {"name": athlete, "created_at": now, "updated_at": now}
        athlete_id = conn.execute(insert(athletes).returning(athletes.c.id), values).scalar_one()
        test_ids = conn.execute(select(tests.c.id).where(name == athlete)).scalars()
        rows = [
            {"test_id": test_id, "athlete_id": athlete_id, "source": "sensorhub"}
            for test_id in test_ids
        ]
        conn.execute(insert(trials), rows)


def _v7_reliability_studies(conn: Connection) -> None:
    reliability_studies.create(conn)


# Append only: a released step never changes, a new version adds a step.
STEPS: tuple[Step, ...] = (
    _v1_wearable_readings,
    _v2_force_plate_tests,
    _v3_device_tokens,
    _v4_64_bit_ids_on_postgresql,
    _v5_wearable_signals,
    _v6_athletes,
    _v7_reliability_studies,
)
SCHEMA_VERSION = len(STEPS)


def migrate(engine: Engine) -> int:
    """Bring the database to ``SCHEMA_VERSION``; returns the version it was at before."""
    with engine.begin() as conn:
        if not inspect(conn).has_table(schema_info.name):
            schema_info.create(conn)
            conn.execute(insert(schema_info).values(version=0))
        before = int(conn.execute(select(schema_info.c.version)).scalar_one())
        if before > SCHEMA_VERSION:
            raise RuntimeError(
                f"database schema version {before} is newer than this sensorhub "
                f"({SCHEMA_VERSION}); upgrade sensorhub"
            )
        for version in range(before + 1, SCHEMA_VERSION + 1):
            STEPS[version - 1](conn)
            conn.execute(update(schema_info).values(version=version))
    return before
