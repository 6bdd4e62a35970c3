"""Force-plate tests, their sample batches and device calibrations: write tasks and queries."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Self

from sqlalchemy import Connection, Row, Select, delete, func, insert, select, update

from sensorhub.errors import TestNotFound
from sensorhub.loadcell.session import Sample, SessionState
from sensorhub.storage._bulk import insert_rows
from sensorhub.storage._schema import devices, sample_batches, tests, trial_reps, trials
from sensorhub.storage._trials import (
    OWN_SOURCE,
    RepTrial,
    link_trial,
    move_trial,
    replace_reps,
    select_reps,
)
from sensorhub.storage._writer import WriteTask

if TYPE_CHECKING:
    from sensorhub.storage._storage import Storage

UNFINISHED = (SessionState.RUNNING.value, SessionState.FLUSHING.value)
TIGHT = (",", ":")  # JSON separators: samples are stored as compact text


@dataclass(frozen=True, slots=True)
class TestRecord:
    """A stored test, as the API lists it."""

    __test__ = False  # not a pytest test class, despite the name

    id: int
    device_id: str
    state: str
    started_at: float
    stopped_at: float | None
    ended_at: float | None
    athlete: str | None
    notes: str | None
    sample_count: int
    csv_file: str | None
    calibration: dict[str, Any]
    analysis: dict[str, Any] | None
    # From the test's trial: None when it belongs to no athlete.
    athlete_id: int | None = None
    excluded_reason: str | None = None
    source: str | None = None
    # When retention removed its raw samples and CSV file (None: they are kept).
    samples_thinned_at: float | None = None
    # A person counted the trial (lifted an exclusion): its numbers count even if implausible.
    included: bool = False
    # A jump test's reps, each a trial (``trial_reps``); empty for an IMTP.
    reps: tuple[RepTrial, ...] = ()

    @property
    def recording(self) -> bool:
        """Running or flushing in the database, on whichever process records it."""
        return self.state in UNFINISHED

    @classmethod
    def from_row(cls, row: Row[Any]) -> TestRecord:
        values = dict(row._mapping)
        values["calibration"] = json.loads(values["calibration"])
        values["analysis"] = json.loads(values["analysis"]) if values["analysis"] else None
        # '' is a person's "it counts" (the trials.excluded_reason column), not a reason.
        values["included"] = values.get("excluded_reason") == ""
        values["excluded_reason"] = values.get("excluded_reason") or None
        return cls(**values)


@dataclass(frozen=True, slots=True)
class CreateTest(WriteTask):
    """A new running test; ``athlete`` is the name as given, ``athlete_id`` links it."""

    device_id: str
    started_at: float
    calibration: dict[str, Any]
    athlete: str | None
    notes: str | None
    athlete_id: int | None = None
    source: str = OWN_SOURCE

    def run(self, conn: Connection) -> int:
        values = {
            "device_id": self.device_id,
            "state": SessionState.RUNNING.value,
            "started_at": self.started_at,
            "calibration": json.dumps(self.calibration),
            "athlete": self.athlete,
            "notes": self.notes,
            "sample_count": 0,
        }
        test_id = int(conn.execute(insert(tests).returning(tests.c.id), values).scalar_one())
        link_trial(conn, test_id, self.athlete_id, self.source)
        return test_id


@dataclass(frozen=True, slots=True)
class AppendSamples(WriteTask):
    test_id: int
    seq: int
    samples: tuple[Sample, ...]

    def run(self, conn: Connection) -> None:
        self.run_many(conn, [self])

    @classmethod
    def run_many(cls, conn: Connection, tasks: Sequence[Self]) -> list[None]:
        """Every batch of the group at once (COPY on PostgreSQL, executemany elsewhere)."""
        rows = [
            {"test_id": t.test_id, "seq": t.seq, "samples": json.dumps(t.samples, separators=TIGHT)}
            for t in tasks
        ]
        insert_rows(conn, sample_batches, rows)
        return [None] * len(tasks)


@dataclass(frozen=True, slots=True)
class UpdateTest(WriteTask):
    """Set columns of one test; resolves to whether it exists."""

    test_id: int
    values: tuple[tuple[str, Any], ...]

    def run(self, conn: Connection) -> bool:
        values = dict(self.values)
        statement = update(tests).where(tests.c.id == self.test_id).values(values)
        found = conn.execute(statement).rowcount > 0
        if found and "analysis" in values:  # the reps follow every new analysis
            replace_reps(conn, self.test_id, values["analysis"])
        return found


@dataclass(frozen=True, slots=True)
class MoveTest(WriteTask):
    """Give a test (and its trial) to another athlete, whose name it takes; resolves to
    whether the test exists."""

    test_id: int
    athlete_id: int
    name: str

    def run(self, conn: Connection) -> bool:
        renamed = update(tests).where(tests.c.id == self.test_id).values(athlete=self.name)
        if conn.execute(renamed).rowcount == 0:
            return False
        move_trial(conn, self.test_id, self.athlete_id)
        return True


@dataclass(frozen=True, slots=True)
class DeleteTest(WriteTask):
    """Delete a finished test and its samples; resolves to whether it was deleted (False:
    it does not exist, or it is recording, on this process or another)."""

    test_id: int

    def run(self, conn: Connection) -> bool:
        finished = select(tests.c.id).where(
            tests.c.id == self.test_id, tests.c.state.not_in(UNFINISHED)
        )
        if conn.execute(finished).first() is None:
            return False
        conn.execute(delete(sample_batches).where(sample_batches.c.test_id == self.test_id))
        conn.execute(delete(trial_reps).where(trial_reps.c.test_id == self.test_id))
        conn.execute(delete(trials).where(trials.c.test_id == self.test_id))
        return conn.execute(delete(tests).where(tests.c.id == self.test_id)).rowcount > 0


@dataclass(frozen=True, slots=True)
class InterruptUnfinished(WriteTask):
    """Mark tests left running or flushing by a crash as interrupted; resolves to their ids."""

    def run(self, conn: Connection) -> list[int]:
        unfinished = select(tests.c.id).where(tests.c.state.in_(UNFINISHED))
        ids = list(conn.execute(unfinished).scalars())
        if ids:
            conn.execute(
                update(tests).where(tests.c.id.in_(ids)).values(state=SessionState.INTERRUPTED)
            )
        return ids


@dataclass(frozen=True, slots=True)
class SaveCalibration(WriteTask):
    device_id: str
    calibration: dict[str, Any]
    updated_at: float

    def run(self, conn: Connection) -> None:
        values = {"calibration": json.dumps(self.calibration), "updated_at": self.updated_at}
        found = conn.execute(
            update(devices).where(devices.c.device_id == self.device_id).values(values)
        ).rowcount
        if not found:
            conn.execute(insert(devices).values(device_id=self.device_id, **values))


@dataclass(frozen=True, slots=True)
class TestQuery:
    """Which tests to list: newest first, ``before_id`` pages backwards."""

    __test__ = False

    device_id: str | None = None
    athlete: str | None = None
    before_id: int | None = None
    limit: int = 100
    athlete_id: int | None = None
    # Part of the athlete's name, any case ("ben" finds "Benjamin").
    search: str | None = None


def contains_pattern(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere (lower case), its own % and _ literal."""
    escaped = text.lower()
    for special in "\\%_":
        escaped = escaped.replace(special, "\\" + special)
    return "%" + escaped + "%"


def with_trial() -> Select[Any]:
    """Tests with their trial's columns (None for a test of no athlete)."""
    linked = tests.outerjoin(trials, trials.c.test_id == tests.c.id)
    trial_columns = (trials.c.athlete_id, trials.c.excluded_reason, trials.c.source)
    return select(tests, *trial_columns).select_from(linked)


def select_tests(conn: Connection, query: TestQuery) -> list[TestRecord]:
    statement = with_trial()
    if query.device_id is not None:
        statement = statement.where(tests.c.device_id == query.device_id)
    if query.athlete is not None:
        statement = statement.where(tests.c.athlete == query.athlete)
    if query.athlete_id is not None:
        statement = statement.where(trials.c.athlete_id == query.athlete_id)
    if query.search:
        named = func.lower(tests.c.athlete).like(contains_pattern(query.search), escape="\\")
        statement = statement.where(named)
    if query.before_id is not None:
        statement = statement.where(tests.c.id < query.before_id)
    rows = conn.execute(statement.order_by(tests.c.id.desc()).limit(query.limit))
    return with_reps(conn, [TestRecord.from_row(row) for row in rows])


def select_test(conn: Connection, test_id: int) -> TestRecord | None:
    row = conn.execute(with_trial().where(tests.c.id == test_id)).first()
    return with_reps(conn, [TestRecord.from_row(row)])[0] if row else None


def with_reps(conn: Connection, records: list[TestRecord]) -> list[TestRecord]:
    """``records`` with their rep rows (one query for all of them)."""
    reps = select_reps(conn, [record.id for record in records])
    return [replace(record, reps=reps.get(record.id, ())) for record in records]


def select_samples(conn: Connection, test_id: int) -> list[Sample]:
    """Every sample of a test in arrival order, values as received."""
    statement = (
        select(sample_batches.c.samples)
        .where(sample_batches.c.test_id == test_id)
        .order_by(sample_batches.c.seq)
    )
    samples: list[Sample] = []
    for text in conn.execute(statement).scalars():
        samples.extend(tuple(s) for s in json.loads(text))
    return samples


def select_unfinished(conn: Connection, device_id: str) -> TestRecord | None:
    """The device's newest test still running or flushing, if any."""
    statement = (
        with_trial()
        .where(tests.c.device_id == device_id, tests.c.state.in_(UNFINISHED))
        .order_by(tests.c.id.desc())
    )
    row = conn.execute(statement).first()
    return TestRecord.from_row(row) if row else None


def select_unfinished_devices(conn: Connection) -> list[str]:
    """Every device with a test still running or flushing."""
    statement = select(tests.c.device_id).where(tests.c.state.in_(UNFINISHED)).distinct()
    return sorted(conn.execute(statement).scalars())


def select_batches(conn: Connection, test_id: int) -> list[tuple[int, list[Sample]]]:
    """A test's stored batches ``(seq, samples)`` in arrival order, values as received."""
    statement = (
        select(sample_batches.c.seq, sample_batches.c.samples)
        .where(sample_batches.c.test_id == test_id)
        .order_by(sample_batches.c.seq)
    )
    return [(seq, [tuple(s) for s in json.loads(text)]) for seq, text in conn.execute(statement)]


def select_calibrations(conn: Connection) -> dict[str, dict[str, Any]]:
    rows = conn.execute(select(devices.c.device_id, devices.c.calibration))
    return {device_id: json.loads(text) for device_id, text in rows}


def columns(**values: Any) -> tuple[tuple[str, Any], ...]:
    """Column values for ``UpdateTest``, hashable so the task stays frozen."""
    return tuple(values.items())


class TestStore:
    """Force-plate tests and their sample batches (``storage.tests``). Writes go through the
    writer; ids come back once committed."""

    __test__ = False  # not a pytest test class, despite the name

    def __init__(self, storage: Storage) -> None:
        self._storage = storage

    async def create(
        self,
        device_id: str,
        started_at: float,
        calibration: dict[str, Any],
        athlete: str | None,
        notes: str | None,
        athlete_id: int | None = None,
    ) -> int:
        """A running test, of the athlete ``athlete_id`` when given."""
        task = CreateTest(device_id, started_at, calibration, athlete, notes, athlete_id)
        test_id: int = await self._storage.writer.submit(task)
        return test_id

    async def append_samples(self, test_id: int, seq: int, samples: Sequence[Sample]) -> None:
        await self._storage.writer.submit(AppendSamples(test_id, seq, tuple(samples)))

    async def update(self, test_id: int, **values: Any) -> bool:
        found: bool = await self._storage.writer.submit(UpdateTest(test_id, columns(**values)))
        return found

    async def move(self, test_id: int, athlete_id: int, name: str) -> bool:
        """The test and its trial go to ``athlete_id`` (called ``name``); False: no test."""
        found: bool = await self._storage.writer.submit(MoveTest(test_id, athlete_id, name))
        return found

    async def complete(
        self,
        test_id: int,
        *,
        sample_count: int,
        csv_file: str,
        analysis: dict[str, Any],
        **values: Any,
    ) -> None:
        """Record how a test ended: its file, sample count, analysis and any other columns."""
        await self.update(
            test_id,
            sample_count=sample_count,
            csv_file=csv_file,
            analysis=json.dumps(analysis),
            **values,
        )

    async def save_analysis(self, test_id: int, analysis: dict[str, Any]) -> bool:
        return await self.update(test_id, analysis=json.dumps(analysis))

    async def delete(self, test_id: int) -> bool:
        found: bool = await self._storage.writer.submit(DeleteTest(test_id))
        return found

    async def interrupt_unfinished(self) -> list[int]:
        ids: list[int] = await self._storage.writer.submit(InterruptUnfinished())
        return ids

    async def find(self, query: TestQuery) -> list[TestRecord]:
        return await self._storage.read(select_tests, query)

    async def get(self, test_id: int) -> TestRecord | None:
        return await self._storage.read(select_test, test_id)

    async def require(self, test_id: int) -> TestRecord:
        """The stored test, or ``TestNotFound``."""
        record = await self.get(test_id)
        if record is None:
            raise TestNotFound(f"no test with id {test_id}")
        return record

    async def samples(self, test_id: int) -> list[Sample]:
        return await self._storage.read(select_samples, test_id)

    async def unfinished(self, device_id: str) -> TestRecord | None:
        return await self._storage.read(select_unfinished, device_id)

    async def unfinished_devices(self) -> list[str]:
        return await self._storage.read(select_unfinished_devices)

    async def batches(self, test_id: int) -> list[tuple[int, list[Sample]]]:
        return await self._storage.read(select_batches, test_id)


class CalibrationStore:
    """Each plate's calibration, by device (``storage.calibrations``)."""

    def __init__(self, storage: Storage) -> None:
        self._storage = storage

    async def save(self, device_id: str, calibration: dict[str, Any], updated_at: float) -> None:
        await self._storage.writer.submit(SaveCalibration(device_id, calibration, updated_at))

    async def all(self) -> dict[str, dict[str, Any]]:
        return await self._storage.read(select_calibrations)
