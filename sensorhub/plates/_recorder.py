"""Live samples and the test lifecycle: start, stop, flush, done, save (the seed's 000).

Stop semantics: after a stop the test is *flushing*: samples the esp still sends belong to
it until the esp sends ``done``, or ``flush_grace_s`` pass without samples, or at once when
no esp of that device is connected. Then the CSV is written, the test row completed and
``data_complete`` sent. Nothing received is ever dropped.

Each database write comes before the state change it records, so a write that fails
(``StorageError``) leaves the plate as it was and the same call can simply be retried. The one
exception is the final save: the plate is free at once, and a save the database refuses is
retried in the background (the samples stay in memory) until it is stored.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any

from sensorhub import wire
from sensorhub.errors import AthleteNotFound, DeviceMoved, StorageError
from sensorhub.loadcell.calibration import Calibration
from sensorhub.loadcell.recorded import RecordedAs
from sensorhub.loadcell.session import Plate, Sample, SessionState, TestSession
from sensorhub.logs import log_event
from sensorhub.plates._archive import TestArchive
from sensorhub.plates._ownership import Ownership, SoleOwner
from sensorhub.plates._payloads import sample_dicts, status_event
from sensorhub.plates._reps import RepAnnouncer
from sensorhub.plates._states import PlateStates
from sensorhub.plates._timing import MonotonicTimer, Timer
from sensorhub.presence import VIEWERS, Presence, esp_room
from sensorhub.storage import Storage
from sensorhub.tasks import BackgroundTasks, KeyedLocks
from sensorhub.types import Broadcaster, Clock, JSONDict

logger = logging.getLogger(__name__)

# Pauses between attempts to save a finished test while the database refuses it.
FIRST_SAVE_RETRY_S = 1.0
MAX_SAVE_RETRY_S = 30.0
# A plate with no test and no batch, stop or adoption for this long (server time) is forgotten
# (docs/plates.md "Memory per device"): any device id may stream live samples, and each plate
# keeps its last RECENT_SAMPLES samples.
PLATE_IDLE_S = 600.0


class TestRecorder:
    """Takes every plate's live samples and runs its tests; see the module docstring."""

    __test__ = False  # not a pytest test class, despite the name

    def __init__(
        self,
        storage: Storage,
        states: PlateStates,
        presence: Presence,
        broadcaster: Broadcaster,
        archive: TestArchive,
        *,
        flush_grace_s: float,
        timer: Timer | None = None,
        clock: Clock = time.time,
        ownership: Ownership | None = None,
        idle_s: float = PLATE_IDLE_S,
    ) -> None:
        self._storage = storage
        self._ownership = ownership or SoleOwner()
        self._states = states
        self._presence = presence
        self._broadcaster = broadcaster
        self._archive = archive
        self._flush_grace_s = flush_grace_s
        self._timer = timer or MonotonicTimer()
        self._clock = clock
        self._lifecycle_locks = KeyedLocks()
        self._idle_s = idle_s
        self.samples_stored = 0  # since start, for GET /metrics
        self._last_activity: dict[str, float] = {}
        self._tasks = BackgroundTasks()
        self._reps = RepAnnouncer(broadcaster, self._tasks)

    async def close(self) -> None:
        await self._tasks.cancel_all()

    def _lifecycle(self, device_id: str) -> AbstractAsyncContextManager[None]:
        """One start, stop, batch or hand-over of a device at a time: two must not both pass
        the state check, and a hand-over must not leave a batch half recorded."""
        return self._lifecycle_locks.hold(device_id)

    def forget_quiet(self) -> None:
        """Forget every device quiet for ``idle_s`` whose plate runs no test here: its
        activity time and its live plate state (``PlateStates.forget``)."""
        quiet_since = self._timer.now() - self._idle_s
        for device_id, last in list(self._last_activity.items()):
            if last <= quiet_since and not self.busy(device_id):
                del self._last_activity[device_id]
                self._states.forget(device_id)

    def busy(self, device_id: str) -> bool:
        """A test of the device is running or flushing here."""
        return self._states.view(device_id).session is not None

    def _check_owner(self, device_id: str) -> None:
        if not self._ownership.holds(device_id):
            raise DeviceMoved(f"device {device_id!r} is now run by another server process")

    async def adopt(self, device_id: str) -> None:
        """This process now runs the device's tests (docs/deploy.md): take over the test
        another process left running or flushing, with every batch it stored."""
        record = await self._storage.tests.unfinished(device_id)
        if record is None:
            return  # nothing to take over (and no state kept for a made-up device id)
        async with self._lifecycle(device_id):
            plate = self._states.plate(device_id)
            if plate.session is not None and plate.session.id == record.id:
                return
            session = TestSession(
                record.id,
                device_id,
                record.started_at,
                Calibration.from_dict(record.calibration),
                record.athlete,
                record.notes,
                record.athlete_id,
                state=SessionState(record.state),
                **_test_kind(record.calibration),
            )
            session.restore(await self._storage.tests.batches(record.id))
            plate.session = session
        self._last_activity[device_id] = self._timer.now()
        log_event(logger, "test_adopted", device=device_id, test=record.id, state=record.state)
        if session.state is SessionState.FLUSHING:
            self._tasks.spawn(self._finish_after_silence(plate, session), f"flush-{session.id}")

    async def hand_over(self, device_id: str, release: Callable[[], Awaitable[None]]) -> None:
        """Stop running the device's tests here: no batch is half recorded, every batch is
        committed, then ``release()`` lets another process adopt the test (it stays running
        in the database). Call it once ``holds(device_id)`` is false."""
        async with self._lifecycle(device_id):
            plate = self._states.view(device_id)
            if plate.session is not None:
                log_event(logger, "test_handed_over", device=device_id, test=plate.session.id)
                plate.session = None  # a flush timer sees the session gone and ends
            await self._storage.writer.flush()
        await release()

    async def start(
        self,
        device_id: str,
        athlete: str | None,
        notes: str | None,
        athlete_id: int | None = None,
        test_type: str = "imtp",
        drop_height_m: float | None = None,
    ) -> TestSession:
        """Start a test of ``athlete_id`` (whose name it takes), else of the athlete named
        ``athlete`` (made when new), else of nobody; ``test_type`` says what it is of (the
        IMTP by default, or a jump test: docs/jumps.md)."""
        kind = RecordedAs(test_type=test_type, drop_height_m=drop_height_m)  # checks both
        if athlete_id is not None:
            athlete = await self._athlete_name(athlete_id)
        plate = self._states.plate(device_id)
        async with self._lifecycle(device_id):
            self._check_owner(device_id)
            plate.check_idle()
            if athlete_id is None and athlete and athlete.strip():  # a refused start makes none
                athlete_id = await self._storage.athletes.ensure_named(
                    athlete.strip(), self._clock()
                )
            now = self._clock()
            calibration = plate.calibration.to_dict()
            if test_type != "imtp":  # kept with the test, so any re-analysis reads it alike
                calibration["recording"] = kind.to_dict()
            test_id = await self._storage.tests.create(
                device_id, now, calibration, athlete, notes, athlete_id
            )
            session = TestSession(
                test_id,
                device_id,
                now,
                plate.calibration,
                athlete,
                notes,
                athlete_id,
                test_type=test_type,
                drop_height_m=drop_height_m,
            )
            plate.begin(session)
        log_event(logger, "test_started", device=device_id, test=test_id)
        await self._command(device_id, "start", test_id)
        await self._broadcaster.emit(wire.TEST_STATUS, status_event(plate))
        return session

    async def _athlete_name(self, athlete_id: int) -> str:
        record = await self._storage.athletes.get(athlete_id)
        if record is None:
            raise AthleteNotFound(f"athlete_id: no athlete with id {athlete_id}")
        return record.name

    async def stop(self, device_id: str) -> TestSession:
        plate = self._states.view(device_id)
        async with self._lifecycle(device_id):
            self._check_owner(device_id)
            session = plate.check_running()
            await self._storage.tests.update(
                session.id, state=SessionState.FLUSHING.value, stopped_at=self._clock()
            )
            plate.stop()
        self._last_activity[device_id] = self._timer.now()
        await self._command(device_id, "stop", session.id)
        await self._broadcaster.emit(wire.TEST_STATUS, status_event(plate))
        if self._presence.esp_connected(device_id):
            self._tasks.spawn(self._finish_after_silence(plate, session), f"flush-{session.id}")
        else:
            await self._finish(plate, session)
        return session

    async def ingest(self, device_id: str, samples: Sequence[Sample]) -> TestSession | None:
        """Accept a batch: live view to every viewer, and into the test if one runs.

        The broadcast rule for plate samples (docs/broadcast.md): broadcast *before* the
        commit, because the live chart must not wait for the disk, and storage never drops a
        batch it was given. A batch the database refuses (``StorageError``) leaves the test
        too, so the test's file and count hold exactly what is stored.
        """
        self.forget_quiet()
        plate = self._states.plate(device_id)
        # Under the device's lock (one connection's batches are in turn anyway): a hand-over
        # waits until this batch is committed or withdrawn.
        async with self._lifecycle(device_id):
            self._check_owner(device_id)
            session, seq = plate.receive(samples)  # arrival order is kept
            self._last_activity[device_id] = self._timer.now()
            frame = {
                "device_id": device_id,
                "session_id": session.id if session else None,
                "samples": sample_dicts(samples),
            }
            await self._broadcaster.emit(wire.SENSOR_DATA, frame, room=VIEWERS)
            if session is not None:
                try:
                    await self._storage.tests.append_samples(session.id, seq, samples)
                except StorageError:
                    session.withdraw(seq)
                    raise
                self.samples_stored += len(samples)
                self._reps.observe(session, self._timer.now())
        return session

    async def done(self, device_id: str) -> None:
        """The esp has sent everything: a flushing test completes now."""
        plate = self._states.view(device_id)
        if plate.session is not None and plate.session.state is SessionState.FLUSHING:
            await self._finish(plate, plate.session)

    async def _finish_after_silence(self, plate: Plate, session: TestSession) -> None:
        while plate.session is session:
            last = self._last_activity.get(plate.device_id, 0.0)
            silent = self._timer.now() - last
            if silent >= self._flush_grace_s:
                await self._finish(plate, session)
                return
            await self._timer.sleep(self._flush_grace_s - silent)

    async def _finish(self, plate: Plate, session: TestSession) -> None:
        if plate.session is not session:
            return  # done, silence and a lost esp can race; the first one finishes
        plate.finish(SessionState.COMPLETE)
        try:
            await self._save(plate, session)
        except StorageError as error:
            # The plate is free for the next test; this one's samples wait in memory.
            log_event(
                logger, "test_save_deferred", logging.WARNING, test=session.id, error=str(error)
            )
            self._tasks.spawn(self._save_when_stored(plate, session), f"save-{session.id}")

    async def _save_when_stored(self, plate: Plate, session: TestSession) -> None:
        """Retry a save the database refused, with growing pauses, until it is stored."""
        pause_s = FIRST_SAVE_RETRY_S
        while True:
            await self._timer.sleep(pause_s)
            try:
                await self._save(plate, session)
                return
            except StorageError:
                pause_s = min(MAX_SAVE_RETRY_S, pause_s * 2)

    async def _save(self, plate: Plate, session: TestSession) -> None:
        """CSV, analysis and the completed row, then ``data_complete``; repeatable as a whole."""
        await self._storage.writer.flush()  # every batch submitted so far is committed
        saved = await self._archive.save(
            session.id,
            session.started_at,
            session.samples,
            session.calibration,
            RecordedAs(test_type=session.test_type, drop_height_m=session.drop_height_m),
            state=SessionState.COMPLETE.value,
            ended_at=self._clock(),
        )
        count = session.sample_count
        self._reps.forget(session.id)
        log_event(logger, "test_saved", test=session.id, samples=count, file=saved.file)
        complete: JSONDict = {
            "session_id": session.id,
            "file": saved.file,
            "samples": count,
            "device_id": plate.device_id,
            "analysis": saved.analysis["summary"],
        }
        if "error" in saved.analysis:
            complete["analysis_error"] = saved.analysis["error"]
        await self._broadcaster.emit(wire.DATA_COMPLETE, complete)
        await self._broadcaster.emit(wire.TEST_STATUS, status_event(plate))

    async def _command(self, device_id: str, cmd: str, test_id: int) -> None:
        message: JSONDict = {"cmd": cmd, "session_id": test_id}
        await self._broadcaster.emit(wire.COMMAND, message, room=esp_room(device_id))


def _test_kind(calibration: dict[str, Any]) -> dict[str, Any]:
    """A stored test's type and drop height, as `TestSession` fields."""
    kind = RecordedAs.of_calibration(calibration)
    return {"test_type": kind.test_type, "drop_height_m": kind.drop_height_m}
