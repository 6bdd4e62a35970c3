"""Athletes as the coach keeps them: create, change, find, and delete (their tests only when
asked). Storage does the writing; this is where the rules live."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import Any

from sensorhub.athletes._history import athlete_trend, latest_best, squad_rows, trend_view
from sensorhub.athletes._imports import Importer
from sensorhub.athletes._pdf import Curve, athlete_report, test_report
from sensorhub.athletes._period import ALL_TIME, REPORT_METRICS, Period
from sensorhub.contracts import iso_time
from sensorhub.errors import AthleteHasTests, AthleteNotFound, TestHasNoAthlete
from sensorhub.loadcell import RecordedAs, newtons, newtons_total
from sensorhub.loadcell.calibration import Calibration
from sensorhub.loadcell.session import Sample
from sensorhub.loadcell.trends import BestRule
from sensorhub.plates import TestArchive
from sensorhub.storage import AthleteQuery, AthleteRecord, Storage, TestFiles, TestRecord
from sensorhub.types import Clock


class AthleteBook:
    """The athletes of one storage; ``archive`` deletes their tests when that is asked for."""

    def __init__(
        self,
        storage: Storage,
        archive: TestArchive,
        files: TestFiles,
        clock: Clock = time.time,
    ) -> None:
        self._importer = Importer(storage, files, clock)
        self._storage = storage
        self._store = storage.athletes
        self._archive = archive
        self._clock = clock

    async def create(self, values: dict[str, Any], groups: Sequence[str]) -> AthleteRecord:
        athlete_id = await self._store.create(values, groups, self._clock())
        return await self.require(athlete_id)

    async def update(
        self, athlete_id: int, values: dict[str, Any], groups: Sequence[str] | None
    ) -> AthleteRecord:
        if not await self._store.update(athlete_id, values, groups, self._clock()):
            raise _not_found(athlete_id)
        return await self.require(athlete_id)

    async def find(self, query: AthleteQuery) -> list[AthleteRecord]:
        return await self._store.find(query)

    async def require(self, athlete_id: int) -> AthleteRecord:
        record = await self._store.get(athlete_id)
        if record is None:
            raise _not_found(athlete_id)
        return record

    async def delete(self, athlete_id: int, *, with_tests: bool) -> int:
        """Delete the athlete; one with tests only ``with_tests``, and then the tests too
        (a test still recording refuses, as deleting it alone would). Returns how many tests
        went."""
        outcome = await self._store.delete(athlete_id)
        if not outcome.found:
            raise _not_found(athlete_id)
        if outcome.deleted:
            return 0
        if not with_tests:
            raise AthleteHasTests(
                f"athlete {athlete_id} has {len(outcome.test_ids)} test(s); delete with "
                "with_tests=true to delete them too"
            )
        await self._archive.refuse_if_recording(outcome.test_ids)  # none deleted, then
        for test_id in outcome.test_ids:
            await self._archive.delete(test_id)
        # A test started for them meanwhile is not deleted unseen: that refuses again.
        return len(outcome.test_ids) + await self.delete(athlete_id, with_tests=False)

    async def import_recording(
        self,
        athlete_id: int,
        text: str,
        filename: str,
        recorded_at: float | None,
        notes: str | None,
    ) -> TestRecord:
        """A recording from another tool, as a complete test of the athlete."""
        athlete = await self.require(athlete_id)
        return await self._importer.add(athlete, text, filename, recorded_at, notes)

    async def exclude(self, test_id: int, reason: str | None) -> TestRecord:
        """Exclude a test from everything (``reason``), or count it again (None)."""
        if not await self._store.set_exclusion(test_id, reason):
            await self._storage.require_test(test_id)  # 404 when there is no such test
            raise TestHasNoAthlete(f"test {test_id} belongs to no athlete: nothing to exclude from")
        return await self._storage.require_test(test_id)

    async def trend(
        self,
        athlete_id: int,
        metric: str,
        method: str,
        rule: BestRule,
        group: str | None,
        period: Period = ALL_TIME,
    ) -> dict[str, Any]:
        """The athlete's sessions of ``metric`` analysed with ``method``, with TE, SWC and the
        change of each session; ``group`` (default: their first) sets the between-athlete SD;
        only tests of days within ``period`` count."""
        athlete = await self.require(athlete_id)
        group = group or (athlete.groups[0] if athlete.groups else None)
        group_latest = await self._group_latest(group, metric, method, rule) if group else []
        records = [r for r in await self._store.trials([athlete_id]) if period.holds(r)]
        found, counted = athlete_trend(records, metric, method, rule, group_latest)
        return {"athlete_id": athlete_id, **trend_view(found, counted, method, rule, group)}

    async def test_report(self, test_id: int) -> bytes:
        """The test's one-page PDF (``_pdf.test_report``)."""
        record = await self._storage.require_test(test_id)
        samples = await self._storage.test_samples(test_id)
        return await asyncio.to_thread(_render_test, record, samples)

    async def athlete_report(self, athlete_id: int, method: str, period: Period) -> bytes:
        """The athlete's one-page PDF over ``period``: a trend per report metric."""
        athlete = await self.require(athlete_id)
        trends = [
            await self.trend(athlete_id, metric, method, "best_trial", None, period)
            for metric in REPORT_METRICS
        ]
        view = {"name": athlete.name, "groups": list(athlete.groups)}
        return await asyncio.to_thread(athlete_report, view, trends, period.text())

    async def squad(self, group: str, method: str, rule: BestRule) -> list[dict[str, Any]]:
        """The group's latest values side by side, with z-scores (``squad_rows``)."""
        athletes = await self._store.find(AthleteQuery(group=group))
        records = await self._store.trials([athlete.id for athlete in athletes])
        return squad_rows(athletes, records, method, rule)

    async def _group_latest(
        self, group: str, metric: str, method: str, rule: BestRule
    ) -> list[float]:
        members = await self._store.group_ids(group)
        records = await self._store.trials(members)
        values = [
            latest_best([r for r in records if r.athlete_id == member], metric, method, rule)
            for member in members
        ]
        return [value for value in values if value is not None]


def _render_test(record: TestRecord, samples: Sequence[Sample]) -> bytes:
    calibration = Calibration.from_dict(record.calibration)
    recorded_as = RecordedAs.of_calibration(record.calibration)
    curve = Curve([], [], None)
    if samples:
        t_ms, left, right = newtons(samples, calibration, recorded_as)
        t_s = ((t_ms - t_ms.min()) / 1000.0).tolist()
        if left is None or right is None:
            curve = Curve(t_s, newtons_total(samples, calibration).tolist(), None)
        else:
            curve = Curve(t_s, (left + right).tolist(), (left.tolist(), right.tolist()))
    test = {
        "id": record.id,
        "athlete": record.athlete,
        "started_at": iso_time(record.started_at),
        "device_id": record.device_id,
        "source": record.source,
    }
    return test_report(test, record.analysis or {}, curve)


def _not_found(athlete_id: int) -> AthleteNotFound:
    return AthleteNotFound(f"no athlete with id {athlete_id}")
