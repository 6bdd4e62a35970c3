"""The alert monitor: checks the rules every few seconds, stores each alert from its start to
its end, and tells the webhook once when it starts and once when it ends.

An alert is known by (rule, subject). While its condition lasts it stays open, so nothing is
sent again; alerts left open by a previous run are taken up at start, not sent twice. An
alert that cannot be stored (the storage alert itself, while the database refuses writes) is
kept here and stored once the database takes writes again.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sensorhub.alerts._rules import (
    DEVICE_SILENT,
    ActiveHours,
    Condition,
    LastSeen,
    WindowPoint,
    drifted_plates,
    silent_devices,
    storage_condition,
    window_conditions,
)
from sensorhub.alerts._webhook import Delivery, deliver
from sensorhub.errors import StorageError
from sensorhub.logs import log_event
from sensorhub.storage import AlertRecord, Storage, WindowQuery
from sensorhub.tasks import BackgroundTasks
from sensorhub.types import Clock, IdleReading

logger = logging.getLogger(__name__)
# The window rules read at most this many recent windows per check: an hour of 12 windows a
# minute for ~25 wearables.
MAX_WINDOWS_READ = 20_000


@dataclass(frozen=True, slots=True)
class AlertSettings:
    silent_s: float = 0.0  # 0: off
    hours: ActiveHours | None = None  # None: all day
    poor_s: float = 0.0
    stress_s: float = 0.0
    stress_probability: float = 0.5
    plate_drift_n: float = 0.0  # 0: off (the server's setting defaults to 20 N)
    webhook: str | None = None
    webhook_attempts: int = 5
    webhook_first_pause_s: float = 1.0


@dataclass(slots=True)
class _Open:
    condition: Condition
    started_at: float
    alert_id: int | None  # None: not stored yet


Deliver = Callable[..., Awaitable[Delivery]]
IdlePlates = Callable[[], Mapping[str, IdleReading]]


class AlertMonitor:
    def __init__(
        self,
        storage: Storage,
        last_seen: LastSeen,
        settings: AlertSettings,
        clock: Clock = time.time,
        send: Deliver = deliver,
        idle_plates: IdlePlates = dict,
    ) -> None:
        self._storage = storage
        self._last_seen = last_seen
        self._settings = settings
        self._clock = clock
        self._send = send
        self._idle_plates = idle_plates
        self._open: dict[tuple[str, str], _Open] = {}
        self._tasks = BackgroundTasks()

    @property
    def firing(self) -> int:
        return len(self._open)

    async def start(self) -> None:
        """Take up the alerts a previous run left open. A device silent then is taken as
        last heard of when its silence began, so its alert neither ends nor starts again
        until it sends."""
        for record in await self._storage.alerts.recent(1000, firing_only=True):
            condition = Condition(record.rule, record.subject, record.detail)
            self._open[(record.rule, record.subject)] = _Open(
                condition, record.started_at, record.id
            )
            if record.rule == DEVICE_SILENT:
                self._last_seen.saw(record.subject, record.started_at - self._settings.silent_s)

    async def run(self, every_s: float) -> None:
        """Check every ``every_s`` until cancelled; a failed check is logged, not fatal."""
        while True:
            try:
                await self.check()
            except Exception as exc:  # a bad check must not end the monitoring
                log_event(logger, "alert_check_failed", logging.ERROR, error=repr(exc))
            await asyncio.sleep(every_s)

    async def close(self) -> None:
        await self._tasks.wait(timeout_s=2)
        await self._tasks.cancel_all()

    async def check(self) -> None:
        now = self._clock()
        current = {(c.rule, c.subject): c for c in await self._conditions(now)}
        for key, condition in current.items():
            if key not in self._open:
                alert = self._open[key] = _Open(condition, now, None)
                await self._store_start(alert)  # first, so the webhook's payload has its id
                self._notify("firing", alert, None)
        for key in [key for key in self._open if key not in current]:
            ended = self._open.pop(key)
            await self._store_end(ended, now)
            self._notify("resolved", ended, now)
        for alert in list(self._open.values()):
            if alert.alert_id is None:  # not stored at its start: the database refused
                await self._store_start(alert)

    async def recent(self, limit: int) -> list[AlertRecord]:
        return await self._storage.alerts.recent(limit)

    async def test_webhook(self) -> Delivery:
        """One attempt with a test payload (the dashboard's button)."""
        if self._settings.webhook is None:
            return Delivery(False, None, "no webhook is set (alert_webhook)", 0)
        payload = {"test": True, "sent_at": self._clock(), "message": "sensorhub webhook test"}
        return await self._send(self._settings.webhook, payload, attempts=1, first_pause_s=0.0)

    async def _conditions(self, now: float) -> list[Condition]:
        settings = self._settings
        found = storage_condition(self._storage.writer.healthy)
        if settings.silent_s:
            found += silent_devices(
                self._last_seen.snapshot(), now, settings.silent_s, settings.hours
            )
        if settings.plate_drift_n:
            found += drifted_plates(self._idle_plates(), settings.plate_drift_n)
        if settings.poor_s or settings.stress_s:
            period = max(settings.poor_s, settings.stress_s)
            windows = await self._recent_windows(now, period)
            found += window_conditions(
                windows, now, settings.poor_s, settings.stress_s, settings.stress_probability
            )
        return found

    async def _recent_windows(self, now: float, period_s: float) -> list[WindowPoint]:
        # One window before the period too: ``sustained`` needs the one that starts it.
        since = now - period_s - 600
        records = await self._storage.signals.list_windows(
            WindowQuery(since=since, limit=MAX_WINDOWS_READ)
        )
        return [
            WindowPoint(r.device_id, r.at, r.features.quality, r.stress_probability)
            for r in records
        ]

    async def _store_start(self, alert: _Open) -> None:
        condition = alert.condition
        try:
            alert.alert_id = await self._storage.alerts.open(
                condition.rule, condition.subject, condition.detail, alert.started_at
            )
        except StorageError as exc:
            log_event(logger, "alert_not_stored", logging.WARNING, error=exc.message)

    async def _store_end(self, alert: _Open, ended_at: float) -> None:
        if alert.alert_id is None:
            await self._store_start(alert)
        if alert.alert_id is not None:
            try:
                await self._storage.alerts.close(alert.alert_id, ended_at)
            except StorageError as exc:
                log_event(logger, "alert_not_stored", logging.WARNING, error=exc.message)

    def _notify(self, state: str, alert: _Open, ended_at: float | None) -> None:
        condition = alert.condition
        log_event(
            logger,
            f"alert_{state}",
            logging.WARNING if state == "firing" else logging.INFO,
            rule=condition.rule,
            subject=condition.subject,
        )
        self._tasks.spawn(self._deliver(state, alert, ended_at), f"alert-{condition.rule}")

    async def _deliver(self, state: str, alert: _Open, ended_at: float | None) -> None:
        url = self._settings.webhook
        if url is None:
            return
        payload = _payload(state, alert, ended_at)
        delivery = await self._send(
            url,
            payload,
            attempts=self._settings.webhook_attempts,
            first_pause_s=self._settings.webhook_first_pause_s,
        )
        if delivery.delivered and alert.alert_id is not None and state == "firing":
            try:
                await self._storage.alerts.mark_notified(alert.alert_id, self._clock())
            except StorageError as exc:
                log_event(logger, "alert_not_stored", logging.WARNING, error=exc.message)


def _payload(state: str, alert: _Open, ended_at: float | None) -> dict[str, Any]:
    condition = alert.condition
    return {
        "state": state,
        "id": alert.alert_id,
        "rule": condition.rule,
        "subject": condition.subject,
        "detail": condition.detail,
        "started_at": alert.started_at,
        "ended_at": ended_at,
    }
