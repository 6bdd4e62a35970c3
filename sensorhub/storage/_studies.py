"""Study sessions and their marks: the write tasks and the queries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, insert, select, update

from sensorhub.physio.study import Mark, StudySession
from sensorhub.storage._schema import study_marks, study_sessions
from sensorhub.storage._writer import WriteTask

if TYPE_CHECKING:
    from sensorhub.storage._storage import Storage


@dataclass(frozen=True, slots=True)
class CreateStudy(WriteTask):
    """Resolves to the new session's id, or None when one is recording the wearable already
    (checked inside the one writer, so two starts cannot both win)."""

    session: StudySession

    def run(self, conn: Connection) -> int | None:
        s = self.session
        running = select(study_sessions.c.id).where(
            study_sessions.c.device_id == s.device_id, study_sessions.c.stopped_at.is_(None)
        )
        if conn.execute(running.limit(1)).first() is not None:
            return None
        values = {"device_id": s.device_id, "participant": s.participant,
                  "started_at": s.started_at, "notes": s.notes}  # fmt: skip
        statement = insert(study_sessions).values(**values).returning(study_sessions.c.id)
        return int(conn.execute(statement).scalar_one())


@dataclass(frozen=True, slots=True)
class StopStudy(WriteTask):
    """Resolves to whether a running session with that id was stopped."""

    session_id: int
    at: float

    def run(self, conn: Connection) -> bool:
        statement = (
            update(study_sessions)
            .where(study_sessions.c.id == self.session_id, study_sessions.c.stopped_at.is_(None))
            .values(stopped_at=self.at)
        )
        return conn.execute(statement).rowcount == 1


@dataclass(frozen=True, slots=True)
class AddMark(WriteTask):
    """Resolves to the mark's id, or None when the session is not running."""

    mark: Mark

    def run(self, conn: Connection) -> int | None:
        m = self.mark
        running = select(study_sessions.c.id).where(
            study_sessions.c.id == m.session_id, study_sessions.c.stopped_at.is_(None)
        )
        if conn.execute(running).first() is None:
            return None
        values = {"session_id": m.session_id, "kind": m.kind, "name": m.name,
                  "value": m.value, "at": m.at}  # fmt: skip
        statement = insert(study_marks).values(**values).returning(study_marks.c.id)
        return int(conn.execute(statement).scalar_one())


def _session(row: Any) -> StudySession:
    return StudySession(**row._mapping)


def select_study(conn: Connection, session_id: int) -> tuple[StudySession, list[Mark]] | None:
    row = conn.execute(select(study_sessions).where(study_sessions.c.id == session_id)).first()
    if row is None:
        return None
    marks = conn.execute(
        select(study_marks).where(study_marks.c.session_id == session_id).order_by(study_marks.c.id)
    )
    return _session(row), [Mark(**m._mapping) for m in marks]


def select_studies(conn: Connection, device_id: str | None, limit: int) -> list[StudySession]:
    statement = select(study_sessions).order_by(study_sessions.c.id.desc()).limit(limit)
    if device_id is not None:
        statement = statement.where(study_sessions.c.device_id == device_id)
    return [_session(row) for row in conn.execute(statement)]


class StudyStore:
    """Study sessions and their marks (``storage.studies``, docs/signals.md); a write answers
    None (or False) when the wearable or the session's state refuses it."""

    def __init__(self, storage: Storage) -> None:
        self._storage = storage

    async def create(self, session: StudySession) -> int | None:
        session_id: int | None = await self._storage.writer.submit(CreateStudy(session))
        return session_id

    async def stop(self, session_id: int, at: float) -> bool:
        stopped: bool = await self._storage.writer.submit(StopStudy(session_id, at))
        return stopped

    async def add_mark(self, mark: Mark) -> int | None:
        mark_id: int | None = await self._storage.writer.submit(AddMark(mark))
        return mark_id

    async def get(self, session_id: int) -> tuple[StudySession, list[Mark]] | None:
        return await self._storage.read(select_study, session_id)

    async def find(self, device_id: str | None, limit: int) -> list[StudySession]:
        return await self._storage.read(select_studies, device_id, limit)
