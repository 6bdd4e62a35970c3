"""Retention: rows stored before a cut-off go, in chunks the writer commits one at a time.
Raw wearable signal batches and per-reading rows first become per-minute aggregates (mean,
min, max, count per channel); windows simply go (each is already a summary of 30 s). A
finished force-plate test loses its raw sample batches and CSV file; its row (analysis,
metrics, events) and trial stay, marked with when that happened.

Each sample is placed on the server's clock: the batch's arrival minus the time its later
samples took, ``received_at - (count - 1 - i) / hz``; a minute's aggregate is exact for the
values it holds (a mean as a float64 sum over the count). A minute split over two chunks is
merged: counts add, sums add, minima and maxima combine.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Column, Connection, Table, delete, insert, select, update

from sensorhub.physio import ACC
from sensorhub.storage._csvfiles import TestFiles
from sensorhub.storage._schema import (
    readings,
    sample_batches,
    signal_batches,
    signal_minutes,
    signal_windows,
    tests,
)
from sensorhub.storage._tests import UNFINISHED
from sensorhub.storage._writer import WriteTask

_BLOB = np.dtype("<f8")
# Batch rows thinned per commit: a few seconds of the writer at most, so live writes between
# chunks wait no longer than one ordinary group commit would.
CHUNK_ROWS = 300
# Tests thinned per commit: a 10 s test at 1 kHz in 50-sample batches is 200 batch rows.
CHUNK_TESTS = 20
AXES = ("acc_x", "acc_y", "acc_z")
# A reading's numeric columns and the channel its aggregates are stored under (prefixed, so
# they never merge with a raw signal's channel of the same name; at most 16 characters).
READING_CHANNELS = {
    "bvp": "reading_bvp",
    "temperature": "reading_temp",
    "acc_x": "reading_acc_x",
    "acc_y": "reading_acc_y",
    "acc_z": "reading_acc_z",
    "acceleration_magnitude": "reading_acc_mag",
    "stress_probability": "reading_stress",
}

Key = tuple[str, str, float]  # device, channel, minute


@dataclass(slots=True)
class _Aggregate:
    total: float
    low: float
    high: float
    count: int

    def merge(self, other: _Aggregate) -> None:
        self.total += other.total
        self.low = min(self.low, other.low)
        self.high = max(self.high, other.high)
        self.count += other.count


@dataclass(frozen=True, slots=True)
class MinuteRecord:
    device_id: str
    channel: str
    minute: float
    mean: float
    min: float
    max: float
    count: int


Aggregator = Callable[[Sequence[Any]], "dict[Key, _Aggregate]"]


@dataclass(frozen=True, slots=True)
class Kept:
    """A kind of row retention may thin: its table, the server-clock time it is judged by,
    and how its rows become minute aggregates (None: they go without)."""

    table: Table
    time: Column[float]
    aggregate: Aggregator | None


@dataclass(frozen=True, slots=True)
class ThinRows(WriteTask):
    """Aggregate (if the kind does) and delete up to ``CHUNK_ROWS`` rows of ``kind`` from
    before ``before``; resolves to how many rows went (0: nothing left)."""

    kind: Kept
    before: float

    def run(self, conn: Connection) -> int:
        table = self.kind.table
        old = (
            select(table)
            .where(self.kind.time < self.before)
            .order_by(self.kind.time, table.c.id)
            .limit(CHUNK_ROWS)
        )
        rows = list(conn.execute(old))
        if not rows:
            return 0
        if self.kind.aggregate is not None:
            _merge_into_table(conn, self.kind.aggregate(rows))
        conn.execute(delete(table).where(table.c.id.in_([row.id for row in rows])))
        return len(rows)


def aggregate_rows(rows: Sequence[Any]) -> dict[Key, _Aggregate]:
    found: dict[Key, _Aggregate] = {}
    for row in rows:
        values = np.frombuffer(row.data, dtype=_BLOB).astype(np.float64)
        count = int(row._mapping["count"])  # not row.count: a Row is a tuple, with .count()
        times = row.received_at - (count - 1 - np.arange(count)) / row.hz
        minutes = np.floor(times / 60.0) * 60.0
        if row.channel == ACC:
            columns = values.reshape(-1, 3)
            series = {axis: columns[:, i] for i, axis in enumerate(AXES)}
        else:
            series = {row.channel: values}
        for channel, channel_values in series.items():
            for minute in np.unique(minutes):
                part = channel_values[minutes == minute]
                key = (row.device_id, channel, float(minute))
                aggregate = _Aggregate(
                    float(part.sum()), float(part.min()), float(part.max()), int(part.size)
                )
                if key in found:
                    found[key].merge(aggregate)
                else:
                    found[key] = aggregate
    return found


def aggregate_readings(rows: Sequence[Any]) -> dict[Key, _Aggregate]:
    """Each reading's numeric values into the minute it was received in."""
    found: dict[Key, _Aggregate] = {}
    for row in rows:
        minute = float(np.floor(row.received_at / 60.0) * 60.0)
        for column, channel in READING_CHANNELS.items():
            value = float(row._mapping[column])
            aggregate = _Aggregate(value, value, value, 1)
            key = (row.device_id, channel, minute)
            if key in found:
                found[key].merge(aggregate)
            else:
                found[key] = aggregate
    return found


RAW_SIGNALS = Kept(signal_batches, signal_batches.c.received_at, aggregate_rows)
READINGS = Kept(readings, readings.c.received_at, aggregate_readings)
WINDOWS = Kept(signal_windows, signal_windows.c.at, None)


def _merge_into_table(conn: Connection, found: dict[Key, _Aggregate]) -> None:
    table = signal_minutes
    for device in {key[0] for key in found}:
        minutes = [key[2] for key in found if key[0] == device]
        stored = conn.execute(
            select(table).where(
                table.c.device_id == device,
                table.c.minute >= min(minutes),
                table.c.minute <= max(minutes),
            )
        )
        for row in stored:
            key = (row.device_id, row.channel, row.minute)
            if key in found:
                m = row._mapping
                found[key].merge(_Aggregate(m["mean"] * m["count"], m["min"], m["max"], m["count"]))
                conn.execute(
                    delete(table).where(
                        table.c.device_id == row.device_id,
                        table.c.channel == row.channel,
                        table.c.minute == row.minute,
                    )
                )
    conn.execute(
        insert(table),
        [
            {
                "device_id": device,
                "channel": channel,
                "minute": minute,
                "mean": aggregate.total / aggregate.count,
                "min": aggregate.low,
                "max": aggregate.high,
                "count": aggregate.count,
            }
            for (device, channel, minute), aggregate in found.items()
        ],
    )


def select_minutes(
    conn: Connection, device_id: str | None, since: float | None, until: float | None, limit: int
) -> list[MinuteRecord]:
    """Per-minute aggregates in [since, until), oldest first."""
    table = signal_minutes
    query = select(table).order_by(table.c.minute, table.c.device_id, table.c.channel)
    if device_id is not None:
        query = query.where(table.c.device_id == device_id)
    if since is not None:
        query = query.where(table.c.minute >= since)
    if until is not None:
        query = query.where(table.c.minute < until)
    return [MinuteRecord(**row._mapping) for row in conn.execute(query.limit(limit))]


def oldest_raw_signal(conn: Connection, device_id: str | None) -> float | None:
    """When the oldest raw batch still stored arrived (None: none)."""
    query = select(signal_batches.c.received_at).order_by(signal_batches.c.received_at)
    if device_id is not None:
        query = query.where(signal_batches.c.device_id == device_id)
    value: float | None = conn.execute(query.limit(1)).scalar_one_or_none()
    return value


class SignalRetention:
    """The retention of one ``Storage``'s wearable data."""

    def __init__(self, storage: Any) -> None:
        self._storage = storage

    async def thin(self, before: float, kind: Kept = RAW_SIGNALS) -> int:
        """Thin every row of ``kind`` from before ``before`` (raw batches and readings become
        per-minute aggregates), one chunk per commit; returns how many rows went."""
        thinned = 0
        while rows := await self._storage.writer.submit(ThinRows(kind, before)):
            thinned += rows
        return int(thinned)

    async def minutes(
        self, device_id: str | None, since: float | None, until: float | None, limit: int
    ) -> list[MinuteRecord]:
        records: list[MinuteRecord] = await self._storage.read(
            select_minutes, device_id, since, until, limit
        )
        return records

    async def oldest_raw(self, device_id: str | None) -> float | None:
        oldest: float | None = await self._storage.read(oldest_raw_signal, device_id)
        return oldest


@dataclass(frozen=True, slots=True)
class ThinnableTest:
    id: int
    csv_file: str | None


def _thinnable(before: float) -> Any:
    """Tests whose samples retention may remove: finished (never running or flushing),
    started before ``before``, not thinned yet."""
    return (
        tests.c.state.not_in(UNFINISHED),
        tests.c.started_at < before,
        tests.c.samples_thinned_at.is_(None),
    )


def select_thinnable_tests(conn: Connection, before: float, limit: int) -> list[ThinnableTest]:
    query = select(tests.c.id, tests.c.csv_file).where(*_thinnable(before)).order_by(tests.c.id)
    return [ThinnableTest(row.id, row.csv_file) for row in conn.execute(query.limit(limit))]


@dataclass(frozen=True, slots=True)
class ThinTestSamples(WriteTask):
    """Remove the sample batches of those of ``test_ids`` still thinnable (checked again
    here: the writer orders this after any write that changed them) and mark them thinned
    at ``at``; resolves to how many were thinned."""

    test_ids: tuple[int, ...]
    before: float
    at: float

    def run(self, conn: Connection) -> int:
        still = select(tests.c.id).where(tests.c.id.in_(self.test_ids), *_thinnable(self.before))
        ids = list(conn.execute(still).scalars())
        if not ids:
            return 0
        conn.execute(delete(sample_batches).where(sample_batches.c.test_id.in_(ids)))
        marked = update(tests).where(tests.c.id.in_(ids))
        conn.execute(marked.values(samples_thinned_at=self.at, csv_file=None))
        return len(ids)


class PlateRetention:
    """The retention of one ``Storage``'s force-plate test samples."""

    def __init__(self, storage: Any) -> None:
        self._storage = storage

    async def thin(self, before: float, at: float, files: TestFiles) -> int:
        """Remove the raw samples and CSV file of every finished test started before
        ``before``, ``CHUNK_TESTS`` tests per commit; returns how many tests were thinned.

        A chunk's files go before its rows: should the commit fail, those tests keep their
        samples and their CSV download is rebuilt from them (as for a running test), and the
        next run thins them again; the other order could leave files no row names."""
        thinned = 0
        while found := await self._storage.read(select_thinnable_tests, before, CHUNK_TESTS):
            for test in found:
                files.delete(test.csv_file)
            ids = tuple(test.id for test in found)
            done = int(await self._storage.writer.submit(ThinTestSamples(ids, before, at)))
            if not done:  # each changed meanwhile (no longer thinnable): nothing left to do
                break
            thinned += done
        return thinned
