"""Athletes as the coach keeps them: create, change, find, and delete (their tests only when
asked). Storage does the writing; this is where the rules live."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Sequence
from typing import Any

from sensorhub.athletes._history import (
    athlete_trend,
    counted_trials,
    latest_best,
    squad_rows,
    trend_view,
)
from sensorhub.athletes._imports import Importer
from sensorhub.athletes._pdf import Curve, athlete_report, test_report
from sensorhub.athletes._period import ALL_TIME, REPORT_METRICS, Period, ReliabilityStudy
from sensorhub.contracts import iso_time
from sensorhub.errors import AthleteHasTests, AthleteNotFound, TestHasNoAthlete
from sensorhub.loadcell import IMTP_METRICS, RecordedAs, newtons, newtons_total
from sensorhub.loadcell.calibration import Calibration
from sensorhub.loadcell.session import Sample
from sensorhub.loadcell.trends import (
    BestRule,
    TypicalError,
    default_typical_error,
    sessions_of,
    smallest_worthwhile_change,
    study_typical_error,
)
from sensorhub.plates import TestArchive
from sensorhub.storage import AthleteQuery, AthleteRecord, Storage, TestFiles, TestRecord
from sensorhub.types import Clock

#: How changes are judged: a reliability study (None: the metric's default CV) and the coach's
#: SWC (None: from the study's or the group's spread).
Judging = tuple[ReliabilityStudy | None, float | None]
NO_STUDY: Judging = (None, None)


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
        judged_with: Judging = NO_STUDY,
    ) -> dict[str, Any]:
        """The athlete's sessions of ``metric`` analysed with ``method``, each change with its
        interval and flag; TE and SWC from ``judged_with`` (a reliability study, the coach's
        SWC), else the metric's default CV and ``group``'s spread (default: their first group);
        only tests of days within ``period`` count."""
        athlete = await self.require(athlete_id)
        group = group or (athlete.groups[0] if athlete.groups else None)
        study, coach_swc = judged_with
        te, study_means = await self._study(athlete, study, metric, method, rule)
        group_latest = await self._group_latest(group, metric, method, rule) if group else []
        swc = smallest_worthwhile_change(coach_swc, study_means, group_latest)
        records = [r for r in await self._store.trials([athlete_id]) if period.holds(r)]
        # The study's own trials are not judged; the rest of its days are left out as usual.
        in_period = [r for r in records if _in_study(athlete, study, r)]
        study_ids = {t.test_id for t in counted_trials(in_period, metric, method).trials}
        in_study = [r for r in records if r.id in study_ids]
        judged = [r for r in records if r.id not in study_ids]
        found, counted = athlete_trend(judged, metric, method, rule, (te, swc))
        view = trend_view(found, counted, method, rule)
        view["left_out"] += [
            {"test_id": r.id, "reason": "part of the reliability study (its stable period)"}
            for r in in_study
        ]
        return {
            "athlete_id": athlete_id,
            "group": group,
            "reliability_study": None if study is None else study.text(),
            "flags_note": _flags_note(swc.description),
            **view,
        }

    async def _study(
        self,
        athlete: AthleteRecord,
        study: ReliabilityStudy | None,
        metric: str,
        method: str,
        rule: BestRule,
    ) -> tuple[TypicalError, list[float]]:
        """The study's TE (else the metric's default) and each study athlete's mean value."""
        spec = IMTP_METRICS[metric]
        if study is None:
            return default_typical_error(spec), []
        members = await self._store.group_ids(study.group) if study.group else [athlete.id]
        records = [r for r in await self._store.trials(members) if study.period.holds(r)]
        athletes = []
        for member in members:
            own = [r for r in records if r.athlete_id == member]
            sessions = sessions_of(counted_trials(own, metric, method).trials, rule)
            if sessions:
                athletes.append([s.best for s in sessions])
        pairs = sum(len(values) - 1 for values in athletes)
        described = f"{study.text()}: {len(athletes)} athlete(s), {pairs} session difference(s)"
        te = study_typical_error(athletes, spec, described)
        if te is None:
            fallback = default_typical_error(spec)
            te = dataclasses.replace(
                fallback,
                description=f"{described}, too few for a TE (2 needed); {fallback.description}",
            )
        return te, [sum(values) / len(values) for values in athletes]

    async def test_report(self, test_id: int) -> bytes:
        """The test's one-page PDF (``_pdf.test_report``)."""
        record = await self._storage.require_test(test_id)
        samples = await self._storage.test_samples(test_id)
        return await asyncio.to_thread(_render_test, record, samples)

    async def athlete_report(
        self, athlete_id: int, method: str, period: Period, study: ReliabilityStudy | None = None
    ) -> bytes:
        """The athlete's one-page PDF over ``period``: a trend per report metric, judged with
        ``study`` (an SWC is per metric, so the report takes it from the study or group)."""
        athlete = await self.require(athlete_id)
        trends = [
            await self.trend(athlete_id, metric, method, "best_trial", None, period, (study, None))
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


def _in_study(athlete: AthleteRecord, study: ReliabilityStudy | None, record: TestRecord) -> bool:
    if study is None or not study.period.holds(record):
        return False
    return study.group is None or study.group in athlete.groups


def _flags_note(swc_source: str) -> str:
    """How stable the flags are: a change depends on its two sessions, the TE and the SWC."""
    note = "Each change is judged on its two sessions with the TE and SWC above"
    if "group's latest" in swc_source:
        return note + (
            "; the SWC follows the group's latest values, so flags are recomputed with it on "
            "every request (record a reliability study or set the SWC to fix them)."
        )
    return note + ": later sessions leave earlier flags as they were."


def _not_found(athlete_id: int) -> AthleteNotFound:
    return AthleteNotFound(f"no athlete with id {athlete_id}")
