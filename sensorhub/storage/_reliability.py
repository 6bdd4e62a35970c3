"""Reliability studies the coach records: a stable period of an athlete or a group (issue 21)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, Row, delete, insert, or_, select

from sensorhub.storage._schema import reliability_studies
from sensorhub.storage._writer import WriteTask


@dataclass(frozen=True, slots=True)
class ReliabilityStudyRecord:
    """A stored study: ``athlete_id`` or ``group`` (exactly one) on days ``first_day`` …
    ``last_day``, both included; ``swc``: the coach's smallest worthwhile change per metric."""

    id: int
    name: str
    athlete_id: int | None
    group: str | None
    first_day: date
    last_day: date
    swc: dict[str, float]
    created_at: float


@dataclass(frozen=True, slots=True)
class CreateReliabilityStudy(WriteTask):
    name: str
    athlete_id: int | None
    group: str | None
    first_day: date
    last_day: date
    swc: tuple[tuple[str, float], ...]
    now: float

    def run(self, conn: Connection) -> int:
        values = {
            "name": self.name,
            "athlete_id": self.athlete_id,
            "group_name": self.group,
            "first_day": self.first_day.isoformat(),
            "last_day": self.last_day.isoformat(),
            "swc": json.dumps(dict(self.swc)) if self.swc else None,
            "created_at": self.now,
        }
        statement = insert(reliability_studies).returning(reliability_studies.c.id)
        return int(conn.execute(statement, values).scalar_one())


@dataclass(frozen=True, slots=True)
class DeleteReliabilityStudy(WriteTask):
    """Resolves to whether the study existed."""

    study_id: int

    def run(self, conn: Connection) -> bool:
        statement = delete(reliability_studies).where(reliability_studies.c.id == self.study_id)
        return conn.execute(statement).rowcount > 0


def delete_studies_of(conn: Connection, athlete_id: int) -> None:
    """An athlete's own studies go with the athlete (SQLite enforces no foreign keys here)."""
    conn.execute(delete(reliability_studies).where(reliability_studies.c.athlete_id == athlete_id))


def _record(row: Row[Any]) -> ReliabilityStudyRecord:
    return ReliabilityStudyRecord(
        id=row.id,
        name=row.name,
        athlete_id=row.athlete_id,
        group=row.group_name,
        first_day=date.fromisoformat(row.first_day),
        last_day=date.fromisoformat(row.last_day),
        swc=json.loads(row.swc) if row.swc else {},
        created_at=row.created_at,
    )


def select_studies(
    conn: Connection, athlete_id: int | None, groups: Sequence[str] | None
) -> list[ReliabilityStudyRecord]:
    """Studies of the athlete ``athlete_id`` or of any of ``groups`` (both None: every study),
    newest first."""
    statement = select(reliability_studies)
    whose = []
    if athlete_id is not None:
        whose.append(reliability_studies.c.athlete_id == athlete_id)
    if groups is not None:
        whose.append(reliability_studies.c.group_name.in_(list(groups)))
    if whose:
        statement = statement.where(or_(*whose))
    ordered = statement.order_by(reliability_studies.c.id.desc())
    return [_record(row) for row in conn.execute(ordered)]


def select_study(conn: Connection, study_id: int) -> ReliabilityStudyRecord | None:
    statement = select(reliability_studies).where(reliability_studies.c.id == study_id)
    row = conn.execute(statement).first()
    return None if row is None else _record(row)
