"""Schema versions: each step upgrades a database by one version, keeping users' data."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from sqlalchemy import (
    Connection,
    Engine,
    Index,
    Table,
    func,
    insert,
    inspect,
    select,
    text,
    update,
)

from sensorhub.storage._schema import (
    alerts,
    athlete_groups,
    athletes,
    device_tokens,
    devices,
    readings,
    reliability_studies,
    sample_batches,
    schema_info,
    signal_batches,
    signal_minutes,
    signal_windows,
    study_marks,
    study_sessions,
    tests,
    trial_reps,
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


def _v7_boot_ids_and_unique_running_studies(conn: Connection) -> None:
    """Signal batches are named by (device_id, boot, seq): a rebooted device is a new stream.
    One running study per wearable becomes a unique index; should two have slipped in
    (two processes), the older ones stop when the newer one started. An athlete made for a
    test started with a new name keeps that name in a unique column.

    Step 5 creates its tables from today's metadata, so a database new since then has this
    shape already: only what is missing is added."""
    inspector = inspect(conn)
    if "boot" not in {column["name"] for column in inspector.get_columns("signal_batches")}:
        add = "ALTER TABLE signal_batches ADD COLUMN boot VARCHAR(64) NOT NULL DEFAULT ''"
        conn.execute(text(add))
        conn.execute(text("DROP INDEX ix_signal_batches_device_seq_channel"))
        _index(signal_batches, "ix_signal_batches_device_boot_seq_channel").create(conn)
    running_index = "ux_study_sessions_running_device"
    if running_index not in {index["name"] for index in inspector.get_indexes("study_sessions")}:
        _stop_all_but_the_newest_running_study(conn)
        _index(study_sessions, running_index).create(conn)
    if "walk_in_name" not in {column["name"] for column in inspector.get_columns("athletes")}:
        conn.execute(text("ALTER TABLE athletes ADD COLUMN walk_in_name VARCHAR(200)"))
        _index(athletes, "ux_athletes_walk_in_name").create(conn)


def _stop_all_but_the_newest_running_study(conn: Connection) -> None:
    running = study_sessions.c.stopped_at.is_(None)
    rows = conn.execute(
        select(study_sessions.c.id, study_sessions.c.device_id, study_sessions.c.started_at)
        .where(running)
        .order_by(study_sessions.c.device_id, study_sessions.c.started_at.desc())
    ).all()
    newest_start: dict[str, float] = {}
    for session_id, device_id, started_at in rows:
        if device_id in newest_start:
            stop = update(study_sessions).where(study_sessions.c.id == session_id)
            conn.execute(stop.values(stopped_at=newest_start[device_id]))
        else:
            newest_start[device_id] = started_at


def _index(table: Table, name: str) -> Index:
    return next(index for index in table.indexes if index.name == name)


# Numbered 8: issue 20's step 7 (boot ids) is merged before it.
def _v8_alerts_and_signal_minutes(conn: Connection) -> None:
    alerts.create(conn)
    signal_minutes.create(conn)


def _v9_reliability_studies(conn: Connection) -> None:
    reliability_studies.create(conn)


def _v10_test_samples_thinned_at(conn: Connection) -> None:
    """When retention removed a test's raw samples. Step 2 creates ``tests`` from today's
    metadata, so a database new since then has the column already."""
    if "samples_thinned_at" not in {
        column["name"] for column in inspect(conn).get_columns("tests")
    }:
        conn.execute(text("ALTER TABLE tests ADD COLUMN samples_thinned_at FLOAT"))


def _v11_jump_reps_as_trials(conn: Connection) -> None:
    """Each rep of a jump test becomes a row, taken from the analysis stored with the test.
    The rows are read here as the analysis JSON was when this step was released (not through
    ``_trials``, whose writing may change in later versions without changing this step)."""
    trial_reps.create(conn)
    stored = select(tests.c.id, tests.c.analysis).where(tests.c.analysis.is_not(None))
    for test_id, analysis in conn.execute(stored):
        rows = _v11_rep_rows(test_id, analysis)
        if rows:
            conn.execute(insert(trial_reps), rows)


def _v11_rep_rows(test_id: int, analysis: str) -> list[dict[str, object]]:
    reps = (json.loads(analysis).get("result") or {}).get("reps") or []
    return [
        {
            "test_id": test_id,
            "rep": rep["index"],
            "metrics": json.dumps(rep["metrics"]),
            "flags": json.dumps([check["code"] for check in rep["checks"]]),
        }
        for rep in reps
    ]


# Append only: a released step never changes, a new version adds a step.
STEPS: tuple[Step, ...] = (
    _v1_wearable_readings,
    _v2_force_plate_tests,
    _v3_device_tokens,
    _v4_64_bit_ids_on_postgresql,
    _v5_wearable_signals,
    _v6_athletes,
    _v7_boot_ids_and_unique_running_studies,
    _v8_alerts_and_signal_minutes,
    _v9_reliability_studies,
    _v10_test_samples_thinned_at,
    _v11_jump_reps_as_trials,
)
SCHEMA_VERSION = len(STEPS)


def migrate(engine: Engine, steps: tuple[Step, ...] = STEPS) -> int:
    """Bring the database to the version of ``steps`` (``SCHEMA_VERSION``); returns the version
    it was at before. All steps run in one transaction: a step that fails leaves the database
    as it was, at its old version, for the previous sensorhub to go on using."""
    target = len(steps)
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            # Python's sqlite3 opens a transaction only before INSERT/UPDATE/DELETE, so each
            # CREATE or ALTER would commit alone and a failed step leave half a schema behind.
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        if not inspect(conn).has_table(schema_info.name):
            schema_info.create(conn)
            conn.execute(insert(schema_info).values(version=0))
        before = int(conn.execute(select(schema_info.c.version)).scalar_one())
        if before > target:
            raise RuntimeError(
                f"database schema version {before} is newer than this sensorhub "
                f"({target}); upgrade sensorhub"
            )
        for version in range(before + 1, target + 1):
            steps[version - 1](conn)
            conn.execute(update(schema_info).values(version=version))
    return before
