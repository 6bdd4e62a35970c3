"""Tables, as SQLAlchemy Core metadata. Changes go through a migration in ``_migrations.py``."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    text,
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
    # When retention removed the raw samples and CSV file (docs/operations.md#retention):
    # the analysis stays, and readers of the samples say so instead of serving none.
    Column("samples_thinned_at", Float),
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

# Wearable signals: one row per batch per channel, the samples a float64 little-endian blob
# (acceleration x, y, z interleaved): exact, and 8 bytes a value instead of a row each
# (docs/signals.md measures it). (device_id, boot, seq) names a batch: a replay is not stored
# twice, and the unique index holds that across processes. ``boot`` is "" from devices that
# send none.
signal_batches = Table(
    "signal_batches",
    metadata,
    Column("id", ROW_ID, primary_key=True, autoincrement=True),
    Column("device_id", String(64), nullable=False),
    Column("boot", String(64), nullable=False, server_default=""),
    Column("seq", BigInteger, nullable=False),
    Column("channel", String(16), nullable=False),
    Column("t0_ms", Float, nullable=False),  # the device's clock
    Column("hz", Float, nullable=False),
    Column("count", Integer, nullable=False),  # samples (an acceleration sample is 3 values)
    Column("received_at", Float, nullable=False),
    Column("data", LargeBinary, nullable=False),
    Index(
        "ix_signal_batches_device_boot_seq_channel",
        "device_id",
        "boot",
        "seq",
        "channel",
        unique=True,
    ),  # fmt: skip
    Index("ix_signal_batches_received_at", "received_at"),
)

# Windowed features; ``at`` is the window's end on the server's clock (docs/signals.md).
signal_windows = Table(
    "signal_windows",
    metadata,
    Column("id", ROW_ID, primary_key=True, autoincrement=True),
    Column("device_id", String(64), nullable=False),
    Column("start_ms", Float, nullable=False),
    Column("end_ms", Float, nullable=False),
    Column("at", Float, nullable=False),
    Column("quality", String(8), nullable=False),
    Column("reason", String(16)),
    Column("features", Text, nullable=False),  # JSON, physio.WindowFeatures
    Column("stress_probability", Float),
    Column("prediction", String(16)),
    Column("model", String(255)),
    Index("ix_signal_windows_device_id_at", "device_id", "at"),
    Index("ix_signal_windows_at", "at"),
)

# Study sessions: a participant (a pseudonym) recorded on one wearable from start to stop.
study_sessions = Table(
    "study_sessions",
    metadata,
    Column("id", ROW_ID, primary_key=True, autoincrement=True),
    Column("device_id", String(64), nullable=False),
    Column("participant", String(64), nullable=False),
    Column("started_at", Float, nullable=False),
    Column("stopped_at", Float),
    Column("notes", Text),
    Index("ix_study_sessions_device_id", "device_id", "id"),
    # One running session per wearable, held by the database, so two processes cannot both
    # start one.
    Index(
        "ux_study_sessions_running_device",
        "device_id",
        unique=True,
        sqlite_where=text("stopped_at IS NULL"),
        postgresql_where=text("stopped_at IS NULL"),
    ),
)

# What happened during a session: protocol phases as they begin, self-report labels.
study_marks = Table(
    "study_marks",
    metadata,
    Column("id", ROW_ID, primary_key=True, autoincrement=True),
    Column(
        "session_id", ROW_ID, ForeignKey("study_sessions.id", ondelete="CASCADE"), nullable=False
    ),
    Column("kind", String(8), nullable=False),  # phase or label
    Column("name", String(64), nullable=False),
    Column("value", String(200)),
    Column("at", Float, nullable=False),
    Index("ix_study_marks_session_id", "session_id", "id"),
)

# Athletes (issue 12). ``tests.athlete`` keeps the name as typed; ``trials`` links a test to its
# athlete, so the tests table and its migration stay as released.
athletes = Table(
    "athletes",
    metadata,
    Column("id", ROW_ID, primary_key=True, autoincrement=True),
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
    # Set on an athlete made for a test started with a new name: unique, so two processes
    # given the same new name at once make one athlete (many may share a name otherwise).
    Column("walk_in_name", String(200)),
    Index("ix_athletes_name", "name"),
    Index("ux_athletes_walk_in_name", "walk_in_name", unique=True),
)

athlete_groups = Table(
    "athlete_groups",
    metadata,
    Column("athlete_id", ROW_ID, ForeignKey("athletes.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(64), nullable=False),
    PrimaryKeyConstraint("athlete_id", "name"),
    Index("ix_athlete_groups_name", "name"),
)

# One row per test that belongs to an athlete: whether it counts, and where it came from.
trials = Table(
    "trials",
    metadata,
    Column("test_id", ROW_ID, ForeignKey("tests.id", ondelete="CASCADE"), primary_key=True),
    Column("athlete_id", ROW_ID, ForeignKey("athletes.id"), nullable=False),
    # Set: the trial counts nowhere (best trial, trends, squad), and this says why. '' (empty):
    # a person counted it, so numbers no person gives (loadcell.plausibility) count too. NULL:
    # nobody decided; it counts unless its numbers are implausible.
    Column("excluded_reason", Text),
    # "sensorhub" for our own plates, else the import format (e.g. "chronojump").
    Column("source", String(32), nullable=False),
    Index("ix_trials_athlete_id", "athlete_id"),
)

# One row per rep of a jump test (docs/jumps.md): each rep is a trial of the test, with its own
# metrics, and belongs to the test's athlete through the test's ``trials`` row (so moving or
# excluding the test moves or excludes its reps). Rewritten whenever the analysis is saved.
trial_reps = Table(
    "trial_reps",
    metadata,
    Column("test_id", ROW_ID, ForeignKey("tests.id", ondelete="CASCADE"), nullable=False),
    Column("rep", Integer, nullable=False),  # 0-based, as in the analysis
    Column("metrics", Text, nullable=False),  # JSON {name: number or null}
    Column("flags", Text, nullable=False),  # JSON [check code, ...]
    PrimaryKeyConstraint("test_id", "rep"),
)

# Alerts (docs/operations.md#alerts): one row per time a rule's condition held for a subject (a
# device, or "storage"), from its start to its end (NULL while it lasts). ``notified_at``: when
# the webhook took it, NULL if there is none or it never answered.
alerts = Table(
    "alerts",
    metadata,
    Column("id", ROW_ID, primary_key=True, autoincrement=True),
    Column("rule", String(32), nullable=False),
    Column("subject", String(64), nullable=False),
    Column("detail", Text, nullable=False),
    Column("started_at", Float, nullable=False),
    Column("ended_at", Float),
    Column("notified_at", Float),
    Index("ix_alerts_started_at", "started_at"),
    Index("ix_alerts_open", "rule", "subject", "ended_at"),
)

# Wearable signals past their raw retention (docs/operations.md#retention): per device, channel
# (acceleration as acc_x, acc_y, acc_z) and minute of the server's clock, the mean, min, max and
# count of the raw values they replace. Only there when retention is set.
signal_minutes = Table(
    "signal_minutes",
    metadata,
    Column("device_id", String(64), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("minute", Float, nullable=False),  # its start, seconds since the epoch (UTC)
    Column("mean", Float, nullable=False),
    Column("min", Float, nullable=False),
    Column("max", Float, nullable=False),
    Column("count", Integer, nullable=False),
    PrimaryKeyConstraint("device_id", "minute", "channel"),
)

# A stable period whose sessions measure the noise of a session value (issue 21): of one
# athlete (``athlete_id``) or of a group's athletes (``group_name``), exactly one of them.
reliability_studies = Table(
    "reliability_studies",
    metadata,
    Column("id", ROW_ID, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False),
    Column("athlete_id", ROW_ID, ForeignKey("athletes.id", ondelete="CASCADE")),
    Column("group_name", String(64)),
    # Calendar days YYYY-MM-DD, both included (a test's day is the server's local day).
    Column("first_day", String(10), nullable=False),
    Column("last_day", String(10), nullable=False),
    # JSON {metric: value}: the smallest worthwhile change the coach sets, in the metric's unit.
    Column("swc", Text),
    Column("created_at", Float, nullable=False),
    Index("ix_reliability_studies_athlete_id", "athlete_id"),
    Index("ix_reliability_studies_group_name", "group_name"),
)
