"""Stored tests: saving a finished one (CSV file + analysis), recovering those a crash left
unfinished, analysing again, deleting, and reading back a device's latest test."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sensorhub.errors import (
    AnalysisFrozen,
    ConflictError,
    SamplesRemoved,
    SessionRunning,
    TestNotFound,
    ValidationError,
)
from sensorhub.loadcell.calibration import Calibration
from sensorhub.loadcell.imtp import AnalysisParams
from sensorhub.loadcell.jumps import EventEdit
from sensorhub.loadcell.recorded import RecordedAs, analysis_record, jump_record
from sensorhub.loadcell.session import Sample, SessionState
from sensorhub.logs import log_event
from sensorhub.plates._states import PlateStates
from sensorhub.storage import Storage, TestFiles, TestQuery, TestRecord

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SavedTest:
    file: str
    analysis: dict[str, Any]


@dataclass(frozen=True, slots=True)
class StoredSession:
    """A test's samples as the session-data view shows them (``test_id`` None: no test)."""

    test_id: int | None
    state: str
    samples: Sequence[Sample]


class TestArchive:
    """Tests once they are stored; the recorder hands a finished test over with ``save``."""

    __test__ = False  # not a pytest test class, despite the name

    def __init__(self, storage: Storage, states: PlateStates, files: TestFiles) -> None:
        self._storage = storage
        self._states = states
        self._files = files

    async def save(
        self,
        test_id: int,
        started_at: float,
        samples: Sequence[Sample],
        calibration: Calibration,
        recorded_as: RecordedAs,
        **columns: Any,
    ) -> SavedTest:
        """Write the CSV, analyse, and record both (plus ``columns``) on the test row."""
        # Off the event loop: both take milliseconds.
        file = await asyncio.to_thread(self._files.write, started_at, samples)
        mass = await self._body_mass(await self._storage.tests.get(test_id))
        analysis = await asyncio.to_thread(
            analysis_record, samples, calibration, None, recorded_as, mass
        )
        await self._storage.tests.complete(
            test_id, sample_count=len(samples), csv_file=file, analysis=analysis, **columns
        )
        return SavedTest(file, analysis)

    async def recover_interrupted(self) -> None:
        """Save, as interrupted, every test a crash or stop left running or flushing."""
        for test_id in await self._storage.tests.interrupt_unfinished():
            record = await self._storage.tests.get(test_id)
            if record is None:
                continue
            samples = await self._storage.tests.samples(test_id)
            calibration = Calibration.from_dict(record.calibration)
            recorded_as = RecordedAs.of_calibration(record.calibration)
            saved = await self.save(test_id, record.started_at, samples, calibration, recorded_as)
            self._states.plate(record.device_id).last_session_id = test_id
            log_event(
                logger, "test_interrupted", test=test_id, samples=len(samples), file=saved.file
            )

    async def unfinished_devices(self) -> list[str]:
        """Devices whose test is still running or flushing in the database."""
        return await self._storage.tests.unfinished_devices()

    async def reanalyze(self, test_id: int, params: AnalysisParams) -> dict[str, Any]:
        """Analyse a stored test again with ``params``; the result becomes its analysis."""
        record = await self._analysable(test_id)
        recorded_as = RecordedAs.of_calibration(record.calibration)
        if recorded_as.test_type != "imtp":
            raise ConflictError(
                f"test {test_id} is a {recorded_as.test_type} test: IMTP parameters do not "
                f"apply; move its events with POST /api/tests/{test_id}/events"
            )
        samples = await self._raw_samples(record)
        calibration = Calibration.from_dict(record.calibration)
        mass = await self._body_mass(record)
        analysis = await asyncio.to_thread(
            analysis_record, samples, calibration, params, recorded_as, mass
        )
        await self._storage.tests.save_analysis(test_id, analysis)
        return analysis

    async def move_events(self, test_id: int, edits: tuple[EventEdit, ...]) -> dict[str, Any]:
        """Analyse a jump test again with its events moved; the result becomes its analysis
        (the edits are kept in its params, so they show and apply next time)."""
        record = await self._analysable(test_id)
        recorded_as = RecordedAs.of_calibration(record.calibration)
        if recorded_as.test_type == "imtp":
            raise ConflictError(
                f"test {test_id} is an IMTP test: set its onset with POST "
                f"/api/tests/{test_id}/analysis"
            )
        samples = await self._raw_samples(record)
        calibration = Calibration.from_dict(record.calibration)
        analysis = await asyncio.to_thread(jump_record, samples, calibration, recorded_as, edits)
        if "error" in analysis:  # the edits do not fit: the stored analysis stays as it was
            raise ValidationError(analysis["error"])
        await self._storage.tests.save_analysis(test_id, analysis)
        return analysis

    async def _body_mass(self, record: TestRecord | None) -> float | None:
        """The stored body mass of the test's athlete: it cross-checks the weighing."""
        if record is None or record.athlete_id is None:
            return None
        athlete = await self._storage.athletes.get(record.athlete_id)
        return None if athlete is None else athlete.body_mass_kg

    async def delete(self, test_id: int) -> None:
        """Delete the test, its samples and its CSV file."""
        record = await self._recorded(test_id)
        if not await self._storage.tests.delete(test_id):  # deleted meanwhile by someone else
            raise TestNotFound(f"no test with id {test_id}")
        self._files.delete(record.csv_file)

    async def refuse_if_recording(self, test_ids: Sequence[int]) -> None:
        """``SessionRunning`` when one of ``test_ids`` is recording, on any process."""
        for test_id in test_ids:
            record = await self._storage.tests.get(test_id)
            if record is not None:
                _refuse_if_recording(record)

    async def with_samples(self, test_id: int) -> TestRecord:
        """The stored test, or ``SamplesRemoved`` when retention removed its raw samples (a
        reader then says so rather than serve none, which would read as a test of none)."""
        record = await self._storage.tests.require(test_id)
        if record.samples_thinned_at is not None:
            raise SamplesRemoved(
                f"{_removed(record)}; its analysis is kept: GET /api/tests/{test_id}/analysis"
            )
        return record

    async def samples(self, test_id: int) -> list[Sample]:
        """Every stored sample of the test, or ``SamplesRemoved`` (also when retention removed
        them between the two reads: a finished test with none read is looked at again)."""
        record = await self.with_samples(test_id)
        samples = await self._storage.tests.samples(test_id)
        if not samples and record.sample_count:
            await self.with_samples(test_id)
        return samples

    async def _analysable(self, test_id: int) -> TestRecord:
        """A finished test that still has its raw samples: the analysis is made from them."""
        record = await self._recorded(test_id)
        if record.samples_thinned_at is not None:
            raise AnalysisFrozen(f"{_removed(record)}: its saved analysis cannot be redone")
        return record

    async def _raw_samples(self, record: TestRecord) -> list[Sample]:
        """The samples of a test found analysable; ``AnalysisFrozen`` if retention removed
        them since (all of a test's batches go in one commit: all are read, or none)."""
        samples = await self._storage.tests.samples(record.id)
        if not samples and record.sample_count:
            await self._analysable(record.id)
        return samples

    async def _recorded(self, test_id: int) -> TestRecord:
        """The stored test, unless it is still recording: the database decides, so a test
        recorded by another process is refused alike."""
        record = await self._storage.tests.require(test_id)
        _refuse_if_recording(record)
        return record

    async def latest(self, device_id: str) -> StoredSession:
        """The device's most recent stored test, or an empty idle one; ``SamplesRemoved``
        when retention removed that test's samples (not an empty list: a test of none)."""
        test_id = self._states.view(device_id).last_session_id
        if test_id is None:
            found = await self._storage.tests.find(TestQuery(device_id=device_id, limit=1))
            test_id = found[0].id if found else None
        record = await self._storage.tests.get(test_id) if test_id is not None else None
        if record is None:
            return StoredSession(None, SessionState.IDLE.value, [])
        return StoredSession(record.id, record.state, await self.samples(record.id))


def _removed(record: TestRecord) -> str:
    day = datetime.fromtimestamp(record.samples_thinned_at or 0.0, UTC).date().isoformat()
    return (
        f"the raw samples and CSV file of test {record.id} were removed by retention on {day} "
        "(retain_plate_samples_days)"
    )


def _refuse_if_recording(record: TestRecord) -> None:
    if record.recording:
        raise SessionRunning(
            f"test {record.id} is still {record.state} (on this or another server process); "
            "stop it first"
        )
