"""Force-plate tests (seed 000): start, stop, flush, save; the hub's half for samples.

Stop semantics (DESIGN §4.1): after a stop the test is *flushing*: samples the esp still
sends belong to it until the esp sends ``done``, or ``flush_grace_s`` pass without samples,
or at once when no esp of that device is connected. Then the CSV is written, the test row
completed and ``data_complete`` sent. Nothing received is ever dropped.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sensorhub.errors import NoReading, SessionRunning, TestNotFound
from sensorhub.loadcell.calibration import Calibration, Channel, calibrate_channel, tare
from sensorhub.loadcell.imtp import AnalysisParams
from sensorhub.loadcell.recorded import analysis_record
from sensorhub.loadcell.session import Plate, Sample, SessionState, TestSession
from sensorhub.logs import log_event
from sensorhub.presence import VIEWERS, Presence, esp_room
from sensorhub.storage import Storage, TestQuery, write_test_csv
from sensorhub.tasks import BackgroundTasks
from sensorhub.types import Broadcaster, Clock, JSONDict

logger = logging.getLogger(__name__)


def sample_dicts(samples: Sequence[Sample]) -> list[JSONDict]:
    return [{"t": t, "l": left, "r": right} for t, left, right in samples]


class PlateHub:
    """Every device's plate state, driven by transports and REST; see the module docstring."""

    def __init__(
        self,
        storage: Storage,
        presence: Presence,
        broadcaster: Broadcaster,
        *,
        test_data_dir: Path,
        flush_grace_s: float,
        clock: Clock = time.time,
    ) -> None:
        self._storage = storage
        self._presence = presence
        self._broadcaster = broadcaster
        self._test_data_dir = test_data_dir
        self._flush_grace_s = flush_grace_s
        self._clock = clock
        self._plates: dict[str, Plate] = {}
        self._start_locks: dict[str, asyncio.Lock] = {}
        self._last_activity: dict[str, float] = {}
        self._tasks = BackgroundTasks()

    async def open(self) -> None:
        """Load calibrations and recover tests a crash left running."""
        for device_id, calibration in (await self._storage.calibrations()).items():
            self.plate(device_id).calibration = Calibration.from_dict(calibration)
        for test_id in await self._storage.interrupt_unfinished_tests():
            await self._save_interrupted(test_id)

    async def close(self) -> None:
        await self._tasks.cancel_all()

    def plate(self, device_id: str) -> Plate:
        """The device's state, created on first use: only for paths that change it."""
        if device_id not in self._plates:
            self._plates[device_id] = Plate(device_id)
        return self._plates[device_id]

    def view(self, device_id: str) -> Plate:
        """The device's state for reading; an unknown id is not remembered, so lookups of
        made-up ids cannot grow the device list (or memory)."""
        return self._plates.get(device_id) or Plate(device_id)

    # --- tests ---------------------------------------------------------------------------

    async def start(self, device_id: str, athlete: str | None, notes: str | None) -> TestSession:
        plate = self.plate(device_id)
        lock = self._start_locks.setdefault(device_id, asyncio.Lock())
        async with lock:  # two starts at once must not both pass the idle check
            plate.check_idle()
            now = self._clock()
            calibration = plate.calibration.to_dict()
            test_id = await self._storage.create_test(device_id, now, calibration, athlete, notes)
            session = TestSession(test_id, device_id, now, plate.calibration, athlete, notes)
            plate.begin(session)
        log_event(logger, "test_started", device=device_id, test=test_id)
        await self._command(device_id, "start", test_id)
        await self._emit_status(plate)
        return session

    async def stop(self, device_id: str) -> TestSession:
        plate = self.view(device_id)
        session = plate.stop()
        self._last_activity[device_id] = time.monotonic()
        await self._storage.update_test(
            session.id, state=SessionState.FLUSHING.value, stopped_at=self._clock()
        )
        await self._command(device_id, "stop", session.id)
        await self._emit_status(plate)
        if self._presence.esp_connected(device_id):
            self._tasks.spawn(self._finish_after_silence(plate, session), f"flush-{session.id}")
        else:
            await self._finish(plate, session)
        return session

    async def ingest(self, device_id: str, samples: Sequence[Sample]) -> TestSession | None:
        """Accept a batch: live view to every viewer, and into the test if one runs."""
        plate = self.plate(device_id)
        session, seq = plate.receive(samples)  # synchronous: arrival order is kept
        self._last_activity[device_id] = time.monotonic()
        frame = {
            "device_id": device_id,
            "session_id": session.id if session else None,
            "samples": sample_dicts(samples),
        }
        # Live first: the commit below must not delay the chart; storage never drops.
        await self._broadcaster.emit("sensor_data", frame, room=VIEWERS)
        if session is not None:
            await self._storage.append_samples(session.id, seq, samples)
        return session

    async def done(self, device_id: str) -> None:
        """The esp has sent everything: a flushing test completes now."""
        plate = self.view(device_id)
        if plate.session is not None and plate.session.state is SessionState.FLUSHING:
            await self._finish(plate, plate.session)

    async def _finish_after_silence(self, plate: Plate, session: TestSession) -> None:
        while plate.session is session:
            silent = time.monotonic() - self._last_activity.get(plate.device_id, 0.0)
            if silent >= self._flush_grace_s:
                await self._finish(plate, session)
                return
            await asyncio.sleep(self._flush_grace_s - silent)

    async def _finish(self, plate: Plate, session: TestSession) -> None:
        if plate.session is not session:
            return  # done, silence and a lost esp can race; the first one finishes
        plate.finish(SessionState.COMPLETE)
        await self._storage.writer.flush()  # every batch of the test is committed
        file, analysis = await self._save_files(
            session.started_at, session.samples, session.calibration
        )
        await self._storage.complete_test(
            session.id,
            sample_count=len(session.samples),
            csv_file=file,
            analysis=analysis,
            state=SessionState.COMPLETE.value,
            ended_at=self._clock(),
        )
        log_event(logger, "test_saved", test=session.id, samples=len(session.samples), file=file)
        complete = {
            "session_id": session.id,
            "file": file,
            "samples": len(session.samples),
            "device_id": plate.device_id,
            "analysis": analysis["summary"],
        }
        if "error" in analysis:
            complete["analysis_error"] = analysis["error"]
        await self._broadcaster.emit("data_complete", complete)
        await self._emit_status(plate)

    async def _save_files(
        self, started_at: float, samples: Sequence[Sample], calibration: Calibration
    ) -> tuple[str, dict[str, Any]]:
        """Write the CSV and analyse, off the event loop: both take milliseconds."""
        file = await asyncio.to_thread(write_test_csv, self._test_data_dir, started_at, samples)
        analysis = await asyncio.to_thread(analysis_record, samples, calibration)
        return file, analysis

    async def _save_interrupted(self, test_id: int) -> None:
        record = await self._storage.get_test(test_id)
        if record is None:
            return
        samples = await self._storage.test_samples(test_id)
        calibration = Calibration.from_dict(record.calibration)
        file, analysis = await self._save_files(record.started_at, samples, calibration)
        await self._storage.complete_test(
            test_id, sample_count=len(samples), csv_file=file, analysis=analysis
        )
        self.plate(record.device_id).last_session_id = test_id
        log_event(logger, "test_interrupted", test=test_id, samples=len(samples), file=file)

    async def reanalyze(self, test_id: int, params: AnalysisParams) -> dict[str, Any]:
        """Analyse a stored test again with ``params``; the result becomes its analysis."""
        self._refuse_if_recording(test_id)
        record = await self._storage.require_test(test_id)
        samples = await self._storage.test_samples(test_id)
        calibration = Calibration.from_dict(record.calibration)
        analysis = await asyncio.to_thread(analysis_record, samples, calibration, params)
        await self._storage.save_analysis(test_id, analysis)
        return analysis

    def _refuse_if_recording(self, test_id: int) -> None:
        for plate in self._plates.values():
            if plate.session is not None and plate.session.id == test_id:
                raise SessionRunning(f"test {test_id} is still {plate.state}; stop it first")

    async def delete(self, test_id: int) -> None:
        self._refuse_if_recording(test_id)
        record = await self._storage.require_test(test_id)
        if not await self._storage.delete_test(test_id):  # deleted meanwhile by someone else
            raise TestNotFound(f"no test with id {test_id}")
        if record.csv_file:
            (self._test_data_dir / record.csv_file).unlink(missing_ok=True)

    # --- views ---------------------------------------------------------------------------

    def status(self, device_id: str) -> JSONDict:
        plate = self.view(device_id)
        session = plate.session
        return {
            "test_running": plate.state is SessionState.RUNNING,
            "state": plate.state.value,
            "session_id": session.id if session else None,
            "device_id": device_id,
            "esp_connected": self._presence.esp_connected(device_id),
            "clients": self._presence.counts(),
            "sample_count": len(session.samples) if session else 0,
            "devices": [self._summary(p) for p in self._plates.values()],
        }

    def latest(self, device_id: str) -> JSONDict:
        sample = self.view(device_id).latest
        if sample is None:
            raise NoReading(f"no sample received from device {device_id!r} yet")
        t, left, right = sample
        return {"t": t, "l": left, "r": right, "device_id": device_id}

    async def session_data(self, device_id: str) -> JSONDict:
        """The running test's samples, else those of the device's most recent test."""
        plate = self.view(device_id)
        if plate.session is not None:
            session = plate.session
            return self._session_view(session.id, session.state.value, session.samples)
        test_id = plate.last_session_id
        if test_id is None:
            latest = await self._storage.list_tests(TestQuery(device_id=device_id, limit=1))
            test_id = latest[0].id if latest else None
        record = await self._storage.get_test(test_id) if test_id is not None else None
        if record is None:
            return self._session_view(None, SessionState.IDLE.value, [])
        samples = await self._storage.test_samples(record.id)
        return self._session_view(record.id, record.state, samples)

    @staticmethod
    def _session_view(test_id: int | None, state: str, samples: Sequence[Sample]) -> JSONDict:
        return {"session_id": test_id, "state": state, "samples": sample_dicts(samples)}

    def summary(self, device_id: str) -> JSONDict:
        """One device: state, test, esp connection, latest sample, calibration."""
        plate = self.view(device_id)
        return {**self._summary(plate), "calibration": plate.calibration.to_dict()}

    def _summary(self, plate: Plate) -> JSONDict:
        session = plate.session
        latest = plate.latest
        return {
            "device_id": plate.device_id,
            "state": plate.state.value,
            "session_id": session.id if session else None,
            "esp_connected": self._presence.esp_connected(plate.device_id),
            "sample_count": len(session.samples) if session else 0,
            "latest": sample_dicts([latest])[0] if latest else None,
        }

    # --- calibration ---------------------------------------------------------------------

    async def tare(self, device_id: str) -> Calibration:
        plate = self.view(device_id)
        return await self.set_calibration(device_id, tare(plate.calibration, plate.last_second()))

    async def calibrate(self, device_id: str, channel: Channel, mass_kg: float) -> Calibration:
        plate = self.view(device_id)
        loaded = plate.last_second()
        updated = calibrate_channel(plate.calibration, channel, mass_kg, loaded)
        return await self.set_calibration(device_id, updated)

    async def set_calibration(self, device_id: str, calibration: Calibration) -> Calibration:
        await self._storage.save_calibration(device_id, calibration.to_dict(), self._clock())
        self.plate(device_id).calibration = calibration
        return calibration

    # --- events --------------------------------------------------------------------------

    async def _command(self, device_id: str, cmd: str, test_id: int) -> None:
        message: dict[str, Any] = {"cmd": cmd, "session_id": test_id}
        await self._broadcaster.emit("message", message, room=esp_room(device_id))

    async def _emit_status(self, plate: Plate) -> None:
        session = plate.session
        status = {
            "running": plate.state is SessionState.RUNNING,
            "state": plate.state.value,
            "session_id": session.id if session else None,
            "device_id": plate.device_id,
            "sample_count": len(session.samples) if session else 0,
        }
        await self._broadcaster.emit("test_status", status)
