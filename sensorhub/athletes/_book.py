"""Athletes as the coach keeps them: create, change, find, and delete (their tests only when
asked). Storage does the writing; this is where the rules live."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sensorhub.athletes._history import (
    athlete_trend,
    counted_trials,
    latest_best,
    metric_spec,
    squad_rows,
    te_view,
    trend_view,
)
from sensorhub.athletes._imports import IMTP_KIND, Importer, TestKind
from sensorhub.athletes._pdf import Curve, athlete_report, test_report
from sensorhub.athletes._period import ALL_TIME, Period, ReliabilityStudy, report_metrics
from sensorhub.contracts import iso_time
from sensorhub.errors import (
    AthleteHasTests,
    AthleteNotFound,
    ReliabilityStudyNotFound,
    TestHasNoAthlete,
)
from sensorhub.loadcell import JUMP_TYPES, RecordedAs, newtons, newtons_total, trend_metrics
from sensorhub.loadcell.calibration import Calibration
from sensorhub.loadcell.session import Sample
from sensorhub.loadcell.trends import (
    BestRule,
    Swc,
    TypicalError,
    default_typical_error,
    sessions_of,
    smallest_worthwhile_change,
    study_typical_error,
)
from sensorhub.plates import TestArchive
from sensorhub.storage import (
    AthleteQuery,
    AthleteRecord,
    CreateReliabilityStudy,
    ReliabilityStudyRecord,
    Storage,
    TestFiles,
    TestRecord,
)
from sensorhub.types import Clock

#: How changes are judged: a reliability study (None: the metric's default CV) and the coach's
#: SWC (None: from the study's or the group's spread).
Judging = tuple[ReliabilityStudy | None, float | None]
NO_STUDY: Judging = (None, None)


@dataclass(frozen=True, slots=True)
class StudyFields:
    """A reliability study to record: one athlete's (``athlete_id``) or a group's sessions on
    days ``first_day`` … ``last_day``; ``swc``: the coach's SWC of some metrics."""

    name: str
    athlete_id: int | None
    group: str | None
    first_day: date
    last_day: date
    swc: dict[str, float]


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
        kind: TestKind = IMTP_KIND,
    ) -> TestRecord:
        """A recording from another tool, as a complete test of the athlete (of ``kind``'s
        test type)."""
        athlete = await self.require(athlete_id)
        return await self._importer.add(athlete, text, filename, recorded_at, notes, kind)

    async def exclude(self, test_id: int, reason: str | None) -> TestRecord:
        """Exclude a test from everything (``reason``), or count it again (None)."""
        if not await self._store.set_exclusion(test_id, reason):
            await self._storage.tests.require(test_id)  # 404 when there is no such test
            raise TestHasNoAthlete(f"test {test_id} belongs to no athlete: nothing to exclude from")
        return await self._storage.tests.require(test_id)

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
        SWC), else from the stored study covering the athlete (its SWC of ``metric`` when the
        coach set one), else the metric's default CV and ``group``'s spread (default: their
        first group); only tests of days within ``period`` count."""
        athlete = await self.require(athlete_id)
        group = group or (athlete.groups[0] if athlete.groups else None)
        study, coach_swc = judged_with
        study = study or await self.covering_study(athlete)
        if coach_swc is None and study is not None:
            coach_swc = study.swc_of(metric)
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
            "reliability_study_id": None if study is None or not study.stored else study.stored[0],
            "flags_note": _flags_note(swc),
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
        spec = metric_spec(metric, method)
        if study is None:
            return default_typical_error(spec), []
        members = await self._store.group_ids(study.group) if study.group else [athlete.id]
        return await self._study_of(members, study, metric, method, rule)

    async def _study_of(
        self,
        members: Sequence[int],
        study: ReliabilityStudy,
        metric: str,
        method: str,
        rule: BestRule,
    ) -> tuple[TypicalError, list[float]]:
        spec = metric_spec(metric, method)
        records = [r for r in await self._store.trials(members) if study.period.holds(r)]
        athletes = []
        for member in members:
            own = [r for r in records if r.athlete_id == member]
            sessions = sessions_of(counted_trials(own, metric, method).trials, rule)
            if sessions:
                athletes.append([s.best for s in sessions])
        count = sum(len(values) for values in athletes)
        described = f"{study.text()}: {len(athletes)} athlete(s), {count} session(s)"
        te = study_typical_error(athletes, spec, described)
        if te is None:
            fallback = default_typical_error(spec)
            te = dataclasses.replace(
                fallback,
                description=f"{described}, too few for a TE (two sessions of an athlete "
                f"needed); {fallback.description}",
            )
        return te, [sum(values) / len(values) for values in athletes]

    async def covering_study(self, athlete: AthleteRecord) -> ReliabilityStudy | None:
        """The stored study that judges the athlete: the newest of their own, else the newest
        of one of their groups; None without one."""
        records = await self._store.studies(athlete.id, athlete.groups)
        own = [r for r in records if r.athlete_id == athlete.id]
        chosen = own or records
        return _stored_study(chosen[0]) if chosen else None

    async def create_study(self, fields: StudyFields) -> dict[str, Any]:
        """Record a reliability study (``StudyFields``) and return its view; 404 for an
        unknown athlete. It may come before its sessions (a period planned ahead, a group
        still empty): its TEs say so until there are two sessions of one of its athletes."""
        if fields.athlete_id is not None:
            await self.require(fields.athlete_id)
        task = CreateReliabilityStudy(
            fields.name,
            fields.athlete_id,
            fields.group,
            fields.first_day,
            fields.last_day,
            tuple(fields.swc.items()),
            self._clock(),
        )
        return await self.study(await self._store.create_study(task))

    async def study(
        self, study_id: int, method: str = "sd:5", rule: BestRule = "best_trial"
    ) -> dict[str, Any]:
        """A stored study with each metric's TE (and 90 % interval) computed from it now."""
        record = await self._store.study(study_id)
        if record is None:
            raise ReliabilityStudyNotFound(f"no reliability study with id {study_id}")
        return await self._study_view(record, method, rule)

    async def studies(
        self, athlete_id: int | None, group: str | None, method: str, rule: BestRule
    ) -> list[dict[str, Any]]:
        """Stored studies, newest first: those judging ``athlete_id`` (theirs and their
        groups'), or ``group``'s, or all; each with its TEs."""
        if athlete_id is not None:
            athlete = await self.require(athlete_id)
            records = await self._store.studies(athlete.id, athlete.groups)
        else:
            records = await self._store.studies(None, None if group is None else [group])
        return [await self._study_view(r, method, rule) for r in records]

    async def delete_study(self, study_id: int) -> None:
        if not await self._store.delete_study(study_id):
            raise ReliabilityStudyNotFound(f"no reliability study with id {study_id}")

    async def _members(self, athlete_id: int | None, group: str | None) -> list[int]:
        return [athlete_id] if athlete_id is not None else await self._store.group_ids(group or "")

    async def _study_view(
        self, record: ReliabilityStudyRecord, method: str, rule: BestRule
    ) -> dict[str, Any]:
        study = _stored_study(record)
        members = await self._members(record.athlete_id, record.group)
        errors = {
            metric: te_view((await self._study_of(members, study, metric, method, rule))[0])
            for metric in trend_metrics(method)
        }
        return {
            "id": record.id,
            "name": record.name,
            "athlete_id": record.athlete_id,
            "group": record.group,
            "first_day": record.first_day.isoformat(),
            "last_day": record.last_day.isoformat(),
            "swc": record.swc,
            "created_at": iso_time(record.created_at),
            "description": study.text(),
            "method": method,
            "rule": rule,
            "typical_errors": errors,
        }

    async def test_report(self, test_id: int) -> bytes:
        """The test's one-page PDF (``_pdf.test_report``)."""
        record = await self._storage.tests.require(test_id)
        samples = await self._storage.tests.samples(test_id)
        return await asyncio.to_thread(_render_test, record, samples)

    async def athlete_report(
        self, athlete_id: int, method: str, period: Period, study: ReliabilityStudy | None = None
    ) -> bytes:
        """The athlete's one-page PDF over ``period``: a trend per report metric of ``method``
        (the IMTP's, or a jump type's headline numbers), judged with ``study`` (an SWC is per
        metric, so the report takes it from the study or group)."""
        athlete = await self.require(athlete_id)
        trends = [
            await self.trend(athlete_id, metric, method, "best_trial", None, period, (study, None))
            for metric in report_metrics(method)
        ]
        kind = method if method in JUMP_TYPES else "IMTP"
        view = {"name": athlete.name, "groups": list(athlete.groups), "kind": kind}
        return await asyncio.to_thread(athlete_report, view, trends, period.text())

    async def groups(self) -> list[tuple[str, int]]:
        """Every group (a name at least one athlete has) with its number of athletes."""
        return await self._store.group_sizes()

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


def _stored_study(record: ReliabilityStudyRecord) -> ReliabilityStudy:
    return ReliabilityStudy(
        Period(record.first_day, record.last_day),
        record.group,
        (record.id, record.name),
        tuple(record.swc.items()),
    )


def _in_study(athlete: AthleteRecord, study: ReliabilityStudy | None, record: TestRecord) -> bool:
    if study is None or not study.period.holds(record):
        return False
    return study.group is None or study.group in athlete.groups


def _flags_note(swc: Swc) -> str:
    """How stable the flags are: a change depends on its two sessions, the TE and the SWC."""
    note = "Each change is judged on its two sessions with the TE and SWC above"
    if swc.follows_group:
        return note + (
            "; the SWC follows the group's latest values, so flags are recomputed with it on "
            "every request (record a reliability study or set the SWC to fix them)."
        )
    return note + ": later sessions leave earlier flags as they were."


def _not_found(athlete_id: int) -> AthleteNotFound:
    return AthleteNotFound(f"no athlete with id {athlete_id}")
