"""Tables, as SQLAlchemy Core metadata. Changes go through a migration in ``_migrations.py``."""

from __future__ import annotations

from sqlalchemy import Column, Float, Index, Integer, MetaData, String, Table

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
