"""Wearable signals and their windows: the write tasks and the queries."""

from __future__ import annotations

import dataclasses
import enum
import json
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import Connection, Engine, Row, insert, select, tuple_

from sensorhub.errors import BatchReused
from sensorhub.physio import ACC, Samples, SignalBatch, WindowFeatures
from sensorhub.storage._schema import signal_batches, signal_windows
from sensorhub.storage._writer import WriteTask

if TYPE_CHECKING:
    from sensorhub.storage._storage import Storage

# Little-endian float64: exactly the JSON numbers a device sent, on any machine.
_BLOB = np.dtype("<f8")


@dataclass(frozen=True, slots=True)
class StoredBatch:
    """A stored signal batch, as the export reads it back."""

    batch: SignalBatch
    received_at: float


@dataclass(frozen=True, slots=True)
class WindowRecord:
    """A window's features and prediction; ``at``: its end on the server's clock."""

    device_id: str
    start_ms: float
    end_ms: float
    at: float
    features: WindowFeatures
    stress_probability: float | None = None
    prediction: str | None = None
    model: str | None = None
    id: int | None = None


@dataclass(frozen=True, slots=True)
class WindowQuery:
    """Windows to list, newest first."""

    device_id: str | None = None
    since: float | None = None
    until: float | None = None
    limit: int = 100


class BatchOutcome(enum.Enum):
    """What storing a signal batch did."""

    STORED = "stored"
    DUPLICATE = "duplicate"  # this very batch was stored before: nothing new
    CONFLICT = "conflict"  # (device_id, boot, seq) was stored with other samples


@dataclass(frozen=True, slots=True)
class InsertSignalBatch(WriteTask):
    """Store a batch unless (device_id, boot, seq) is stored already; resolves to a
    ``BatchOutcome``. A stored key is a duplicate only when its samples are the same.

    The unique index decides between processes: when another one stored the key between
    the check and the insert, the insert fails, the writer runs this task again alone, and
    the check then finds the other's batch.
    """

    batch: SignalBatch
    received_at: float

    def run(self, conn: Connection) -> BatchOutcome:
        b = self.batch
        stored = conn.execute(
            select(signal_batches).where(
                signal_batches.c.device_id == b.device_id,
                signal_batches.c.boot == b.boot,
                signal_batches.c.seq == b.seq,
            )
        ).all()
        rows = [_batch_row(b, name, s, self.received_at) for name, s in b.channels.items()]
        if stored:
            return BatchOutcome.DUPLICATE if _same(stored, rows) else BatchOutcome.CONFLICT
        conn.execute(insert(signal_batches), rows)
        return BatchOutcome.STORED


def _same(stored: Sequence[Row[Any]], rows: list[dict[str, Any]]) -> bool:
    """Same channels with the same start, rate and values (bit for bit)."""
    ours = {_content(r["channel"], r["t0_ms"], r["hz"], r["data"]) for r in rows}
    return ours == {_content(r.channel, r.t0_ms, r.hz, r.data) for r in stored}


def _content(channel: str, t0_ms: float, hz: float, data: bytes) -> tuple[object, ...]:
    return channel, t0_ms, hz, bytes(data)


def _batch_row(batch: SignalBatch, channel: str, samples: Samples, received_at: float) -> Any:
    return {
        "device_id": batch.device_id,
        "boot": batch.boot,
        "seq": batch.seq,
        "channel": channel,
        "t0_ms": batch.t0_ms,
        "hz": samples.hz,
        "count": len(samples),
        "received_at": received_at,
        "data": np.ascontiguousarray(samples.values, dtype=_BLOB).tobytes(),
    }


@dataclass(frozen=True, slots=True)
class InsertWindows(WriteTask):
    """Insert window records; resolves to their ids, in order."""

    records: tuple[WindowRecord, ...]

    def run(self, conn: Connection) -> list[int]:
        statement = insert(signal_windows).returning(
            signal_windows.c.id, sort_by_parameter_order=True
        )
        return list(conn.execute(statement, [_window_row(r) for r in self.records]).scalars())


def _window_row(record: WindowRecord) -> dict[str, Any]:
    return {
        "device_id": record.device_id,
        "start_ms": record.start_ms,
        "end_ms": record.end_ms,
        "at": record.at,
        "quality": record.features.quality,
        "reason": record.features.reason,
        "features": json.dumps(record.features.as_dict()),
        "stress_probability": record.stress_probability,
        "prediction": record.prediction,
        "model": record.model,
    }


def select_windows(conn: Connection, query: WindowQuery) -> list[WindowRecord]:
    statement = select(signal_windows)
    if query.device_id is not None:
        statement = statement.where(signal_windows.c.device_id == query.device_id)
    if query.since is not None:
        statement = statement.where(signal_windows.c.at >= query.since)
    if query.until is not None:
        statement = statement.where(signal_windows.c.at < query.until)
    statement = statement.order_by(signal_windows.c.at.desc(), signal_windows.c.id.desc())
    return [_window(row) for row in conn.execute(statement.limit(query.limit))]


def _window(row: Row[Any]) -> WindowRecord:
    m = row._mapping
    return WindowRecord(
        device_id=m["device_id"],
        start_ms=m["start_ms"],
        end_ms=m["end_ms"],
        at=m["at"],
        features=WindowFeatures(**json.loads(m["features"])),
        stress_probability=m["stress_probability"],
        prediction=m["prediction"],
        model=m["model"],
        id=m["id"],
    )


def iter_signal_batches(
    engine: Engine, device_id: str | None, since: float | None, until: float | None
) -> Iterator[Sequence[StoredBatch]]:
    """Stored batches received in [since, until), by device and arrival (a device's boots
    follow each other), a page per connection."""
    c = signal_batches.c
    order = (c.device_id, c.received_at, c.boot, c.seq)
    last: tuple[str, float, str, int] | None = None
    while True:
        statement = select(signal_batches).order_by(*order, c.channel)
        if device_id is not None:
            statement = statement.where(c.device_id == device_id)
        if since is not None:
            statement = statement.where(c.received_at >= since)
        if until is not None:
            statement = statement.where(c.received_at < until)
        if last is not None:
            statement = statement.where(tuple_(*order) > tuple_(*last))
        with engine.connect() as conn:
            rows = list(conn.execute(statement.limit(_PAGE_ROWS)))
        if not rows:
            return
        page = _batches(rows, complete=len(rows) < _PAGE_ROWS)
        if not page:  # one batch has more channel rows than a page: cannot happen (3 < page)
            return
        yield page
        b = page[-1]
        last = (b.batch.device_id, b.received_at, b.batch.boot, b.batch.seq)


_PAGE_ROWS = 300


def _batches(rows: list[Row[Any]], complete: bool) -> list[StoredBatch]:
    """Group channel rows into batches; the last group may be cut by the page unless
    ``complete``, so it waits for the next page."""
    groups: dict[tuple[str, str, int], list[Row[Any]]] = {}
    for row in rows:
        groups.setdefault((row.device_id, row.boot, row.seq), []).append(row)
    keys = list(groups)
    if not complete:
        keys = keys[:-1]
    return [_stored(groups[key]) for key in keys]


def _stored(rows: list[Row[Any]]) -> StoredBatch:
    first = rows[0]
    channels = {}
    for row in rows:
        values = np.frombuffer(row.data, dtype=_BLOB).astype(np.float64)
        channels[row.channel] = Samples(
            row.hz, values.reshape(-1, 3) if row.channel == ACC else values
        )
    batch = SignalBatch(first.device_id, first.seq, first.t0_ms, channels, first.boot)
    return StoredBatch(batch, first.received_at)


class SignalStore:
    """Wearable signal batches and their windows (``storage.signals``, docs/signals.md)."""

    def __init__(self, storage: Storage) -> None:
        self._storage = storage

    async def add_batch(self, batch: SignalBatch, received_at: float) -> bool:
        """Store ``batch``; False when this very batch was stored before (nothing stored).
        ``BatchReused`` when its (device_id, boot, seq) was stored with other samples."""
        outcome = await self._storage.writer.submit(InsertSignalBatch(batch, received_at))
        if outcome is BatchOutcome.CONFLICT:
            boot = f" (boot {batch.boot})" if batch.boot else ""
            raise BatchReused(
                f"seq {batch.seq} of {batch.device_id}{boot} was stored with other samples: "
                "a device that restarts sends a new boot id"
            )
        return outcome is BatchOutcome.STORED

    async def add_windows(self, records: Sequence[WindowRecord]) -> list[WindowRecord]:
        ids: list[int] = await self._storage.writer.submit(InsertWindows(tuple(records)))
        return [dataclasses.replace(r, id=id_) for r, id_ in zip(records, ids, strict=True)]

    async def list_windows(self, query: WindowQuery) -> list[WindowRecord]:
        return await self._storage.read(select_windows, query)

    def batch_pages(
        self, device_id: str | None, since: float | None, until: float | None
    ) -> AsyncIterator[Sequence[StoredBatch]]:
        engine = self._storage.engine
        return self._storage.pages(iter_signal_batches(engine, device_id, since, until))
