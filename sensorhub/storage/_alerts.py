"""Alerts as stored: opened when a rule's condition starts, closed when it ends."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import Connection, insert, select, update

from sensorhub.storage._schema import alerts
from sensorhub.storage._writer import WriteTask

if TYPE_CHECKING:
    from sensorhub.storage._storage import Storage


@dataclass(frozen=True, slots=True)
class AlertRecord:
    id: int
    rule: str
    subject: str
    detail: str
    started_at: float
    ended_at: float | None
    notified_at: float | None


@dataclass(frozen=True, slots=True)
class OpenAlert(WriteTask):
    rule: str
    subject: str
    detail: str
    started_at: float

    def run(self, conn: Connection) -> int:
        values = {
            "rule": self.rule,
            "subject": self.subject,
            "detail": self.detail,
            "started_at": self.started_at,
        }
        return int(conn.execute(insert(alerts).returning(alerts.c.id), values).scalar_one())


@dataclass(frozen=True, slots=True)
class CloseAlert(WriteTask):
    alert_id: int
    ended_at: float

    def run(self, conn: Connection) -> None:
        closing = update(alerts).where(alerts.c.id == self.alert_id, alerts.c.ended_at.is_(None))
        conn.execute(closing.values(ended_at=self.ended_at))


@dataclass(frozen=True, slots=True)
class MarkNotified(WriteTask):
    alert_id: int
    notified_at: float

    def run(self, conn: Connection) -> None:
        marking = update(alerts).where(alerts.c.id == self.alert_id)
        conn.execute(marking.values(notified_at=self.notified_at))


def select_alerts(conn: Connection, limit: int, firing_only: bool) -> list[AlertRecord]:
    """Newest first; ``firing_only``: those whose condition lasts."""
    query = select(alerts).order_by(alerts.c.started_at.desc(), alerts.c.id.desc()).limit(limit)
    if firing_only:
        query = query.where(alerts.c.ended_at.is_(None))
    return [AlertRecord(**row._mapping) for row in conn.execute(query)]


class AlertStore:
    """The alerts of one ``Storage``."""

    def __init__(self, storage: Storage) -> None:
        self._storage = storage

    async def open(self, rule: str, subject: str, detail: str, started_at: float) -> int:
        alert_id: int = await self._storage.writer.submit(
            OpenAlert(rule, subject, detail, started_at)
        )
        return alert_id

    async def close(self, alert_id: int, ended_at: float) -> None:
        await self._storage.writer.submit(CloseAlert(alert_id, ended_at))

    async def mark_notified(self, alert_id: int, notified_at: float) -> None:
        await self._storage.writer.submit(MarkNotified(alert_id, notified_at))

    async def recent(self, limit: int = 50, *, firing_only: bool = False) -> list[AlertRecord]:
        return await self._storage.read(select_alerts, limit, firing_only)
