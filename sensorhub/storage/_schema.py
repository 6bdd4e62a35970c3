"""Tables, as SQLAlchemy Core metadata. Changes go through a migration in ``_migrations.py``."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

# Row ids are signed 64-bit (the API accepts 1 … 2⁶³−1). SQLite's INTEGER already is, and an
# autoincrementing key there must be spelt INTEGER; PostgreSQL's INTEGER is 32-bit.
ROW_ID = BigInteger().with_variant(Integer(), "sqlite")

schema_info = Table(
    "schema_info",
    metadata,
    Column("version", Integer, nullable=False),
)

readings = Table(
    "readings",
    metadata,
    Column("id", ROW_ID, primary_key=True, autoincrement=True),
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
    Column("id", ROW_ID, primary_key=True, autoincrement=True),
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
    Column("id", ROW_ID, primary_key=True, autoincrement=True),
    Column("test_id", ROW_ID, ForeignKey("tests.id", ondelete="CASCADE"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("samples", Text, nullable=False),
    Index("ix_sample_batches_test_id_seq", "test_id", "seq", unique=True),
)

# Per-device tokens. Only a token's SHA-256 is kept (sensorhub.auth says why that suffices);
# a revoked token keeps its row, so `sensorhub token list` shows what was revoked when.
device_tokens = Table(
    "device_tokens",
    metadata,
    Column("id", ROW_ID, primary_key=True, autoincrement=True),
    Column("device_id", String(64), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", Float, nullable=False),
    Column("revoked_at", Float),
)
