"""Athletes, their groups and trials (which test belongs to whom, and whether it counts)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Row, delete, func, insert, select, update

from sensorhub.storage._imports import ImportTest
from sensorhub.storage._reliability import (
    CreateReliabilityStudy,
    DeleteReliabilityStudy,
    ReliabilityStudyRecord,
    delete_studies_of,
    select_studies,
    select_study,
)
from sensorhub.storage._schema import athlete_groups, athletes, tests, trials
from sensorhub.storage._tests import TestRecord, contains_pattern, with_reps, with_trial
from sensorhub.storage._writer import WriteTask

if TYPE_CHECKING:
    from sensorhub.storage._storage import Storage


@dataclass(frozen=True, slots=True)
class AthleteRecord:
    """A stored athlete; ``test_count`` counts every linked test, excluded ones too."""

    id: int
    name: str
    birth_year: int | None
    sex: str | None
    sport: str | None
    body_mass_kg: float | None
    setup: dict[str, Any] | None
    notes: str | None
    created_at: float
    updated_at: float
    groups: tuple[str, ...] = ()
    test_count: int = 0


@dataclass(frozen=True, slots=True)
class AthleteQuery:
    """Which athletes to list, by name; ``search`` matches part of the name, any case."""

    group: str | None = None
    search: str | None = None
    limit: int = 500


@dataclass(frozen=True, slots=True)
class DeleteOutcome:
    """What ``DeleteAthlete`` did: not ``deleted`` but ``found``: these tests are theirs."""

    found: bool
    deleted: bool
    test_ids: tuple[int, ...] = ()


def _athlete_values(values: dict[str, Any]) -> dict[str, Any]:
    """Column values from API fields: ``setup`` is stored as JSON text."""
    if "setup" in values:
        values = {
            **values,
            "setup": None if values["setup"] is None else json.dumps(values["setup"]),
        }
    return values


def _replace_groups(conn: Connection, athlete_id: int, groups: Iterable[str]) -> None:
    conn.execute(delete(athlete_groups).where(athlete_groups.c.athlete_id == athlete_id))
    rows = [{"athlete_id": athlete_id, "name": name} for name in dict.fromkeys(groups)]
    if rows:
        conn.execute(insert(athlete_groups), rows)


@dataclass(frozen=True, slots=True)
class CreateAthlete(WriteTask):
    values: tuple[tuple[str, Any], ...]
    groups: tuple[str, ...]
    now: float

    def run(self, conn: Connection) -> int:
        values = {**_athlete_values(dict(self.values)), "created_at": self.now}
        statement = insert(athletes).returning(athletes.c.id)
        athlete_id = int(conn.execute(statement, {**values, "updated_at": self.now}).scalar_one())
        _replace_groups(conn, athlete_id, self.groups)
        return athlete_id


@dataclass(frozen=True, slots=True)
class UpdateAthlete(WriteTask):
    """Set fields (and replace the groups when given); resolves to whether the athlete exists."""

    athlete_id: int
    values: tuple[tuple[str, Any], ...]
    groups: tuple[str, ...] | None
    now: float

    def run(self, conn: Connection) -> bool:
        values = {**_athlete_values(dict(self.values)), "updated_at": self.now}
        statement = update(athletes).where(athletes.c.id == self.athlete_id).values(values)
        if conn.execute(statement).rowcount == 0:
            return False
        if self.groups is not None:
            _replace_groups(conn, self.athlete_id, self.groups)
        if "name" in values:  # the name on the tests follows, so lists by name stay right
            linked = select(trials.c.test_id).where(trials.c.athlete_id == self.athlete_id)
            conn.execute(update(tests).where(tests.c.id.in_(linked)).values(athlete=values["name"]))
        return True


@dataclass(frozen=True, slots=True)
class DeleteAthlete(WriteTask):
    """Delete an athlete who has no tests; resolves to what it did."""

    athlete_id: int

    def run(self, conn: Connection) -> DeleteOutcome:
        found = conn.execute(select(athletes.c.id).where(athletes.c.id == self.athlete_id))
        if found.first() is None:
            return DeleteOutcome(found=False, deleted=False)
        linked = select(trials.c.test_id).where(trials.c.athlete_id == self.athlete_id)
        test_ids = tuple(conn.execute(linked).scalars())
        if test_ids:
            return DeleteOutcome(found=True, deleted=False, test_ids=test_ids)
        conn.execute(delete(athlete_groups).where(athlete_groups.c.athlete_id == self.athlete_id))
        delete_studies_of(conn, self.athlete_id)
        conn.execute(delete(athletes).where(athletes.c.id == self.athlete_id))
        return DeleteOutcome(found=True, deleted=True)


@dataclass(frozen=True, slots=True)
class EnsureNamed(WriteTask):
    """The id of the (oldest) athlete called ``name``, else the one made for that name before
    (since renamed), else a new one: how a test started with a name, as before athletes
    existed, joins that athlete's history.

    The unique ``walk_in_name`` decides between processes: when another one made the athlete
    between the check and the insert, the insert fails, the writer runs this task again
    alone, and the check then finds the other's athlete."""

    name: str
    now: float

    def run(self, conn: Connection) -> int:
        c = athletes.c
        oldest = select(func.min(c.id)).where(c.name == self.name)
        found = conn.execute(oldest).scalar_one_or_none()
        if found is None:
            made_for = select(c.id).where(c.walk_in_name == self.name)
            found = conn.execute(made_for).scalar_one_or_none()
        if found is not None:
            return int(found)
        values = {"name": self.name, "walk_in_name": self.name,
                  "created_at": self.now, "updated_at": self.now}  # fmt: skip
        return int(conn.execute(insert(athletes).returning(c.id), values).scalar_one())


@dataclass(frozen=True, slots=True)
class SetExclusion(WriteTask):
    """Exclude a trial (``reason``) or count it (None: a person's decision, stored as '' so
    that it counts even when its numbers are implausible); resolves to whether it exists."""

    test_id: int
    reason: str | None

    def run(self, conn: Connection) -> bool:
        statement = (
            update(trials)
            .where(trials.c.test_id == self.test_id)
            .values(excluded_reason="" if self.reason is None else self.reason)
        )
        return conn.execute(statement).rowcount > 0


def _records(conn: Connection, rows: Sequence[Row[Any]]) -> list[AthleteRecord]:
    ids = [row.id for row in rows]
    groups: dict[int, list[str]] = {}
    in_groups = select(athlete_groups).where(athlete_groups.c.athlete_id.in_(ids))
    for athlete_id, name in conn.execute(in_groups.order_by(athlete_groups.c.name)):
        groups.setdefault(athlete_id, []).append(name)
    counted = (
        select(trials.c.athlete_id, func.count())
        .where(trials.c.athlete_id.in_(ids))
        .group_by(trials.c.athlete_id)
    )
    counts = {athlete_id: int(count) for athlete_id, count in conn.execute(counted)}
    return [_record(row, tuple(groups.get(row.id, ())), counts.get(row.id, 0)) for row in rows]


def _record(row: Row[Any], groups: tuple[str, ...], test_count: int) -> AthleteRecord:
    values = dict(row._mapping)
    del values["walk_in_name"]  # bookkeeping for EnsureNamed, not part of the athlete
    values["setup"] = json.loads(values["setup"]) if values["setup"] else None
    return AthleteRecord(**values, groups=groups, test_count=test_count)


def select_athletes(conn: Connection, query: AthleteQuery) -> list[AthleteRecord]:
    statement = select(athletes)
    if query.group is not None:
        members = select(athlete_groups.c.athlete_id).where(athlete_groups.c.name == query.group)
        statement = statement.where(athletes.c.id.in_(members))
    if query.search:
        statement = statement.where(
            func.lower(athletes.c.name).like(contains_pattern(query.search), escape="\\")
        )
    ordered = statement.order_by(func.lower(athletes.c.name), athletes.c.id).limit(query.limit)
    return _records(conn, list(conn.execute(ordered)))


def select_athlete(conn: Connection, athlete_id: int) -> AthleteRecord | None:
    rows = list(conn.execute(select(athletes).where(athletes.c.id == athlete_id)))
    return _records(conn, rows)[0] if rows else None


def select_trials(conn: Connection, athlete_ids: Sequence[int]) -> list[TestRecord]:
    """Every test of these athletes, oldest first."""
    statement = (
        with_trial()
        .where(trials.c.athlete_id.in_(list(athlete_ids)))
        .order_by(tests.c.started_at, tests.c.id)
    )
    return with_reps(conn, [TestRecord.from_row(row) for row in conn.execute(statement)])


def select_group_ids(conn: Connection, group: str) -> list[int]:
    statement = select(athlete_groups.c.athlete_id).where(athlete_groups.c.name == group)
    return list(conn.execute(statement.order_by(athlete_groups.c.athlete_id)).scalars())


def select_group_sizes(conn: Connection) -> list[tuple[str, int]]:
    """Every group with its number of athletes, by name."""
    statement = (
        select(athlete_groups.c.name, func.count())
        .group_by(athlete_groups.c.name)
        .order_by(func.lower(athlete_groups.c.name), athlete_groups.c.name)
    )
    return [(name, int(count)) for name, count in conn.execute(statement)]


class AthleteStore:
    """Athletes and trials through the storage's writer and read threads (``storage.athletes``)."""

    def __init__(self, storage: Storage) -> None:
        self._storage = storage

    async def create(self, values: dict[str, Any], groups: Sequence[str], now: float) -> int:
        task = CreateAthlete(tuple(values.items()), tuple(groups), now)
        athlete_id: int = await self._storage.writer.submit(task)
        return athlete_id

    async def update(
        self, athlete_id: int, values: dict[str, Any], groups: Sequence[str] | None, now: float
    ) -> bool:
        kept = None if groups is None else tuple(groups)
        task = UpdateAthlete(athlete_id, tuple(values.items()), kept, now)
        found: bool = await self._storage.writer.submit(task)
        return found

    async def delete(self, athlete_id: int) -> DeleteOutcome:
        """Delete the athlete unless they have tests (the outcome lists those)."""
        outcome: DeleteOutcome = await self._storage.writer.submit(DeleteAthlete(athlete_id))
        return outcome

    async def import_test(self, task: ImportTest) -> int:
        test_id: int = await self._storage.writer.submit(task)
        return test_id

    async def ensure_named(self, name: str, now: float) -> int:
        athlete_id: int = await self._storage.writer.submit(EnsureNamed(name, now))
        return athlete_id

    async def set_exclusion(self, test_id: int, reason: str | None) -> bool:
        found: bool = await self._storage.writer.submit(SetExclusion(test_id, reason))
        return found

    async def find(self, query: AthleteQuery) -> list[AthleteRecord]:
        return await self._storage.read(select_athletes, query)

    async def get(self, athlete_id: int) -> AthleteRecord | None:
        return await self._storage.read(select_athlete, athlete_id)

    async def trials(self, athlete_ids: Sequence[int]) -> list[TestRecord]:
        return await self._storage.read(select_trials, tuple(athlete_ids))

    async def group_ids(self, group: str) -> list[int]:
        return await self._storage.read(select_group_ids, group)

    async def group_sizes(self) -> list[tuple[str, int]]:
        return await self._storage.read(select_group_sizes)

    async def create_study(self, task: CreateReliabilityStudy) -> int:
        study_id: int = await self._storage.writer.submit(task)
        return study_id

    async def delete_study(self, study_id: int) -> bool:
        found: bool = await self._storage.writer.submit(DeleteReliabilityStudy(study_id))
        return found

    async def studies(
        self, athlete_id: int | None = None, groups: Sequence[str] | None = None
    ) -> list[ReliabilityStudyRecord]:
        """Studies of the athlete or of any of ``groups``; neither given: every study."""
        kept = None if groups is None else tuple(groups)
        return await self._storage.read(select_studies, athlete_id, kept)

    async def study(self, study_id: int) -> ReliabilityStudyRecord | None:
        return await self._storage.read(select_study, study_id)
