"""Tables, as SQLAlchemy Core metadata. Changes go through a migration in ``_migrations.py``."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

metadata = MetaData()

schema_info = Table(
    "schema_info",
    metadata,
    Column("version", Integer, nullable=False),
)

readings = Table(
    "readings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("device_id", String(64), nullable=False),
    # Server receive time, seconds since the epoch (UTC): cheap to index and compare anywhere.
    Column("received_at", Float, nullable=False),
    # Whatever clock the device sent (ms since boot, epoch, ISO text), kept verbatim.
    Column("device_timestamp", String(64)),
    Column("bvp", Float, nullable=False),
    Column("temperature", Float, nullable=False),
    Column("acc_x", Float, nullable=False),
    Column("acc_y", Float, nullable=False),
    Column("acc_z", Float, nullable=False),
    Column("acceleration_magnitude", Float, nullable=False),
    Column("stress_probability", Float, nullable=False),
    Column("prediction", String(16), nullable=False),
    Column("model", String(255), nullable=False),
    Index("ix_readings_device_id_id", "device_id", "id"),
    Index("ix_readings_received_at", "received_at"),
)

devices = Table(
    "devices",
    metadata,
    Column("device_id", String(64), primary_key=True),
    # JSON {"l": {"offset", "scale"}, "r": {...}}: newtons = (raw - offset) * scale.
    Column("calibration", Text, nullable=False),
    Column("updated_at", Float, nullable=False),
)

tests = Table(
    "tests",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("device_id", String(64), nullable=False),
    Column("state", String(16), nullable=False),
    Column("started_at", Float, nullable=False),
    Column("stopped_at", Float),
    Column("ended_at", Float),
    Column("athlete", String(200)),
    Column("notes", Text),
    Column("sample_count", Integer, nullable=False, default=0),
    Column("csv_file", String(255)),
    # The calibration the test was recorded with, JSON as in ``devices``.
    Column("calibration", Text, nullable=False),
    Column("analysis", Text),
    Index("ix_tests_device_id_id", "device_id", "id"),
    Index("ix_tests_state", "state"),
)

# One row per batch the device sent: 1000 Hz in batches of 50 is 20 rows/s, not 1000.
# Samples are the JSON text [[t, l, r], ...] exactly as received (ints stay ints).
sample_batches = Table(
    "sample_batches",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("test_id", Integer, ForeignKey("tests.id", ondelete="CASCADE"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("samples", Text, nullable=False),
    Index("ix_sample_batches_test_id_seq", "test_id", "seq", unique=True),
)

# Per-device tokens. Only a token's SHA-256 is kept (sensorhub.auth says why that suffices);
# a revoked token keeps its row, so `sensorhub token list` shows what was revoked when.
device_tokens = Table(
    "device_tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("device_id", String(64), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", Float, nullable=False),
    Column("revoked_at", Float),
)

# Athletes (issue 12). ``tests.athlete`` keeps the name as typed; ``trials`` links a test to its
# athlete, so the tests table and its migration stay as released.
athletes = Table(
    "athletes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False),
    Column("birth_year", Integer),
    Column("sex", String(16)),
    Column("sport", String(100)),
    Column("body_mass_kg", Float),
    # JSON {"bar_height_cm", "knee_angle_deg", "hip_angle_deg", "grip", "straps"}: the set-up
    # to reproduce at the next test.
    Column("setup", Text),
    Column("notes", Text),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Index("ix_athletes_name", "name"),
)

athlete_groups = Table(
    "athlete_groups",
    metadata,
    Column("athlete_id", Integer, ForeignKey("athletes.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(64), nullable=False),
    PrimaryKeyConstraint("athlete_id", "name"),
    Index("ix_athlete_groups_name", "name"),
)

# One row per test that belongs to an athlete: whether it counts, and where it came from.
trials = Table(
    "trials",
    metadata,
    Column("test_id", Integer, ForeignKey("tests.id", ondelete="CASCADE"), primary_key=True),
    Column("athlete_id", Integer, ForeignKey("athletes.id"), nullable=False),
    # Set: the trial counts nowhere (best trial, trends, squad), and this says why.
    Column("excluded_reason", Text),
    # "sensorhub" for our own plates, else the import format (e.g. "chronojump").
    Column("source", String(32), nullable=False),
    Index("ix_trials_athlete_id", "athlete_id"),
)
