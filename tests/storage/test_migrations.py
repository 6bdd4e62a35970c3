"""Schema versions on SQLite and PostgreSQL: recorded from day one, upgrades keep data."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import (
    BigInteger,
    Column,
    Engine,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError

from sensorhub.storage import SCHEMA_VERSION
from sensorhub.storage._engine import create_database_engine
from sensorhub.storage._migrations import (
    STEPS,
    _v9_reliability_studies,
    _v11_jump_reps_as_trials,
    migrate,
)
from sensorhub.storage._schema import schema_info

INSERT_READING = (
    "INSERT INTO readings (device_id, received_at, bvp, temperature, acc_x, acc_y,"
    " acc_z, acceleration_magnitude, stress_probability, prediction, model)"
    " VALUES ('d', 1.0, 1, 33, 0, 0, 1, 1, 0.2, 'Calm', 'm')"
)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_database_engine(database_url)
    yield engine
    engine.dispose()


def version(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(schema_info.c.version)).scalar_one())


def test_fresh_database_gets_current_version(engine: Engine) -> None:
    assert migrate(engine) == 0
    assert version(engine) == SCHEMA_VERSION
    assert "readings" in inspect(engine).get_table_names()


def test_migrating_again_changes_nothing_and_keeps_rows(engine: Engine) -> None:
    migrate(engine)
    with engine.begin() as conn:
        conn.execute(text(INSERT_READING))
    assert migrate(engine) == SCHEMA_VERSION
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM readings")).scalar_one() == 1


def test_database_from_a_newer_sensorhub_is_refused(engine: Engine) -> None:
    migrate(engine)
    with engine.begin() as conn:
        conn.execute(update(schema_info).values(version=SCHEMA_VERSION + 1))
    with pytest.raises(RuntimeError, match="newer than this sensorhub"):
        migrate(engine)


def test_sqlite_runs_in_wal_mode(tmp_path: Path) -> None:
    engine = create_database_engine(f"sqlite:///{tmp_path / 'wal.db'}")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
        assert conn.execute(text("PRAGMA synchronous")).scalar_one() == 1  # NORMAL
    engine.dispose()


def test_version_1_database_upgrades_keeping_its_readings(engine: Engine) -> None:
    with engine.begin() as conn:  # a database as the first release left it
        schema_info.create(conn)
        conn.execute(schema_info.insert().values(version=1))
        STEPS[0](conn)
        conn.execute(text(INSERT_READING))

    assert migrate(engine) == 1

    assert version(engine) == SCHEMA_VERSION
    assert {"tests", "sample_batches", "devices"} <= set(inspect(engine).get_table_names())
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM readings")).scalar_one() == 1


def test_version_2_database_upgrades_to_device_tokens_keeping_its_readings(
    engine: Engine,
) -> None:
    with engine.begin() as conn:  # a database as the second release left it
        schema_info.create(conn)
        conn.execute(schema_info.insert().values(version=2))
        for step in STEPS[:2]:
            step(conn)
        conn.execute(text(INSERT_READING))

    assert migrate(engine) == 2

    assert "device_tokens" in inspect(engine).get_table_names()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM readings")).scalar_one() == 1


ID_COLUMNS = [("readings", "id"), ("tests", "id"), ("sample_batches", "id")]
ID_COLUMNS += [("sample_batches", "test_id"), ("device_tokens", "id")]


def test_a_postgresql_database_with_32_bit_ids_upgrades_to_64_bit(
    engine: Engine, database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite's INTEGER keys are 64-bit in every version")
    with engine.begin() as conn:  # as versions 1-3 made them: SERIAL, 32-bit
        schema_info.create(conn)
        conn.execute(schema_info.insert().values(version=3))
        for step in STEPS[:3]:
            step(conn)
        for table, column in ID_COLUMNS:
            conn.execute(text(f"ALTER TABLE {table} ALTER COLUMN {column} TYPE INTEGER"))
        conn.execute(text("ALTER SEQUENCE readings_id_seq AS INTEGER"))
        conn.execute(text(INSERT_READING))

    assert migrate(engine) == 3

    with engine.begin() as conn:
        conn.execute(text("SELECT setval('readings_id_seq', :last)"), {"last": 2**63 - 2})
        conn.execute(text(INSERT_READING))
        ids = conn.execute(text("SELECT id FROM readings ORDER BY id")).scalars().all()
    assert ids == [1, 2**63 - 1]
    columns = {
        (t, c["name"]): c["type"] for t, _ in ID_COLUMNS for c in inspect(engine).get_columns(t)
    }
    assert {str(columns[key]) for key in ID_COLUMNS} == {"BIGINT"}


def insert_test(athlete: str | None) -> Any:
    return text(
        "INSERT INTO tests (device_id, state, started_at, athlete, sample_count, calibration)"
        " VALUES ('plate', 'complete', 1.0, :athlete, 0, '{}')"
    ).bindparams(athlete=athlete)


def test_version_3_database_turns_free_text_athlete_names_into_athletes(engine: Engine) -> None:
    with engine.begin() as conn:  # a database as the third release left it
        schema_info.create(conn)
        conn.execute(schema_info.insert().values(version=3))
        for step in STEPS[:3]:
            step(conn)
        for name in ("Ann", " Ann ", "Bob", None, "  "):
            conn.execute(insert_test(name))

    assert migrate(engine) == 3

    with engine.connect() as conn:
        athletes: dict[str, int] = dict(conn.execute(text("SELECT name, id FROM athletes")).all())
        links = conn.execute(
            text("SELECT test_id, athlete_id, source FROM trials ORDER BY test_id")
        )
        assert set(athletes) == {"Ann", "Bob"}  # names are trimmed; blank is nobody
        assert links.all() == [
            (1, athletes["Ann"], "sensorhub"),
            (2, athletes["Ann"], "sensorhub"),
            (3, athletes["Bob"], "sensorhub"),
        ]


def _released_signal_batches() -> Table:
    """``signal_batches`` as versions 5 and 6 made it: no boot, (device_id, seq) unique."""
    return Table(
        "signal_batches",
        MetaData(),
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("device_id", String(64), nullable=False),
        Column("seq", BigInteger, nullable=False),
        Column("channel", String(16), nullable=False),
        Column("t0_ms", Float, nullable=False),
        Column("hz", Float, nullable=False),
        Column("count", Integer, nullable=False),
        Column("received_at", Float, nullable=False),
        Column("data", LargeBinary, nullable=False),
        Index("ix_signal_batches_device_seq_channel", "device_id", "seq", "channel", unique=True),
    )


INSERT_STUDY = text(
    "INSERT INTO study_sessions (device_id, participant, started_at) VALUES ('w', :p, :at)"
)


def test_version_6_database_gets_boot_ids_and_one_running_study_per_wearable(
    engine: Engine,
) -> None:
    with engine.begin() as conn:  # a database as the sixth release left it
        schema_info.create(conn)
        conn.execute(schema_info.insert().values(version=6))
        for step in STEPS[:6]:
            step(conn)
        conn.execute(text("DROP TABLE signal_batches"))
        conn.execute(text("DROP INDEX ux_study_sessions_running_device"))
        conn.execute(text("DROP INDEX ux_athletes_walk_in_name"))
        conn.execute(text("ALTER TABLE athletes DROP COLUMN walk_in_name"))
        old = _released_signal_batches()
        old.create(conn)
        row = {"device_id": "w", "seq": 1, "channel": "bvp", "t0_ms": 0.0, "hz": 64.0,
               "count": 1, "received_at": 1.0, "data": b"\0" * 8}  # fmt: skip
        conn.execute(old.insert().values(**row))
        for participant, at in (("p1", 10.0), ("p2", 20.0)):  # two processes both won
            conn.execute(INSERT_STUDY.bindparams(p=participant, at=at))

    assert migrate(engine) == 6

    with engine.begin() as conn:
        assert conn.execute(text("SELECT boot, seq FROM signal_batches")).all() == [("", 1)]
        studies = text("SELECT participant, stopped_at FROM study_sessions ORDER BY id")
        assert conn.execute(studies).all() == [("p1", 20.0), ("p2", None)]
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(INSERT_STUDY.bindparams(p="p3", at=30.0))
    assert "walk_in_name" in {c["name"] for c in inspect(engine).get_columns("athletes")}
    with engine.begin() as conn:  # the same seq of another boot is another batch
        conn.execute(text(
            "INSERT INTO signal_batches (device_id, boot, seq, channel, t0_ms, hz, count,"
            " received_at, data) SELECT device_id, 'b2', seq, channel, t0_ms, hz, count,"
            " received_at, data FROM signal_batches"
        ))  # fmt: skip
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO signal_batches (device_id, boot, seq, channel, t0_ms, hz, count,"
            " received_at, data) SELECT device_id, boot, seq, channel, t0_ms, hz, count,"
            " received_at, data FROM signal_batches WHERE boot = 'b2'"
        ))  # fmt: skip


def test_a_database_before_reliability_studies_gains_their_table_keeping_athletes(
    engine: Engine,
) -> None:
    before = STEPS.index(_v9_reliability_studies)
    with engine.begin() as conn:  # a database as the release before the studies left it
        schema_info.create(conn)
        conn.execute(schema_info.insert().values(version=before))
        for step in STEPS[:before]:
            step(conn)
        conn.execute(
            text("INSERT INTO athletes (name, created_at, updated_at) VALUES ('Ann', 1, 1)")
        )

    assert migrate(engine) == before

    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO reliability_studies (name, athlete_id, first_day, last_day,"
                " created_at) VALUES ('Pre-season', 1, '2026-01-05', '2026-01-19', 2)"
            )
        )
        rows = conn.execute(
            text(
                "SELECT a.name, s.name FROM reliability_studies s"
                " JOIN athletes a ON a.id = s.athlete_id"
            )
        )
        assert rows.all() == [("Ann", "Pre-season")]
    assert version(engine) == SCHEMA_VERSION


def test_a_database_before_rep_rows_gets_one_row_per_rep_of_each_jump_test(
    engine: Engine,
) -> None:
    before = STEPS.index(_v11_jump_reps_as_trials)
    reps = [
        {"index": i, "metrics": {"jump_height_impulse_m": height}, "checks": [{"code": code}]}
        for i, (height, code) in enumerate([(0.31, "short_weighing"), (0.33, "clipped")])
    ]
    jump = {"summary": {"best_rep": 1}, "result": {"reps": reps}}
    imtp = {"summary": {"peak_force_n": 2000.0}, "result": {"peak": {}}}
    with engine.begin() as conn:  # a database as the release before rep rows left it
        schema_info.create(conn)
        conn.execute(schema_info.insert().values(version=before))
        for step in STEPS[:before]:
            step(conn)
        for analysis in (jump, imtp, None):
            conn.execute(
                text(
                    "INSERT INTO tests (device_id, state, started_at, calibration, sample_count,"
                    " analysis) VALUES ('p', 'complete', 1, '{}', 0, :analysis)"
                ),
                {"analysis": None if analysis is None else json.dumps(analysis)},
            )

    assert migrate(engine) == before

    with engine.connect() as conn:
        rows = conn.execute(text("SELECT test_id, rep, metrics, flags FROM trial_reps"))
        assert [(r[0], r[1], json.loads(r[2]), json.loads(r[3])) for r in rows] == [
            (1, 0, {"jump_height_impulse_m": 0.31}, ["short_weighing"]),
            (1, 1, {"jump_height_impulse_m": 0.33}, ["clipped"]),
        ]
    assert version(engine) == SCHEMA_VERSION
