"""Read-only plate views for REST: status, one device's summary, latest sample, session data."""

from __future__ import annotations

import math
import time

from sensorhub.contracts import iso_time
from sensorhub.errors import NoReading
from sensorhub.loadcell.session import Plate, SessionState, TestSession
from sensorhub.plates._archive import StoredSession, TestArchive
from sensorhub.plates._payloads import sample_dicts
from sensorhub.plates._states import PlateStates
from sensorhub.presence import Presence
from sensorhub.types import Clock, IdleReading, JSONDict


class PlateViews:
    """Builds the payloads; changes nothing, and remembers no device it is asked about."""

    def __init__(
        self,
        states: PlateStates,
        presence: Presence,
        archive: TestArchive,
        clock: Clock = time.time,
    ) -> None:
        self._states = states
        self._presence = presence
        self._archive = archive
        self._clock = clock

    def status(self, device_id: str) -> JSONDict:
        plate = self._states.view(device_id)
        session = plate.session
        return {
            "test_running": plate.state is SessionState.RUNNING,
            "state": plate.state.value,
            "session_id": session.id if session else None,
            "device_id": device_id,
            "esp_connected": self._presence.esp_connected(device_id),
            "clients": self._presence.counts(),
            "sample_count": session.sample_count if session else 0,
            "test": self._running_test(session) if session else None,
            "devices": [self._summary(p) for p in self._states],
        }

    def _running_test(self, session: TestSession) -> JSONDict:
        """What a page opened mid-test needs to show the test as it is (docs/plates.md)."""
        return {
            "session_id": session.id,
            "athlete": session.athlete,
            "athlete_id": session.athlete_id,
            "notes": session.notes,
            "test_type": session.test_type,
            "drop_height_m": session.drop_height_m,
            "started_at": iso_time(session.started_at),
            # On the server's clock, so a tablet whose clock is off still shows the truth.
            "elapsed_s": round(self._clock() - session.started_at, 3),
            "sample_count": session.sample_count,
            "peak_force_n": session.peak_total_n(),
        }

    def latest(self, device_id: str) -> JSONDict:
        sample = self._states.view(device_id).latest
        if sample is None:
            raise NoReading(f"no sample received from device {device_id!r} yet")
        t, left, right = sample
        return {"t": t, "l": left, "r": right, "device_id": device_id}

    async def session_data(self, device_id: str) -> JSONDict:
        """The running test's samples, else those of the device's most recent test."""
        session = self._states.view(device_id).session
        if session is not None:
            shown = StoredSession(session.id, session.state.value, session.samples)
        else:
            shown = await self._archive.latest(device_id)
        return {
            "session_id": shown.test_id,
            "state": shown.state,
            "samples": sample_dicts(shown.samples),
        }

    def idle_readings(self) -> dict[str, IdleReading]:
        """Each plate running no test here, by device: its last second in newtons."""
        readings = {}
        for plate in self._states:
            quiet = plate.last_second()
            if plate.session is None and quiet:
                cal = plate.calibration
                totals = [cal.l.to_newtons(s[1]) + cal.r.to_newtons(s[2]) for s in quiet]
                readings[plate.device_id] = IdleReading(
                    math.fsum(totals) / len(totals), max(totals) - min(totals)
                )
        return readings

    def summary(self, device_id: str) -> JSONDict:
        """One device: state, test, esp connection, latest sample, calibration."""
        plate = self._states.view(device_id)
        return {**self._summary(plate), "calibration": plate.calibration.to_dict()}

    def device_entry(self, device_id: str) -> JSONDict:
        """The device as ``status`` lists it under ``devices``."""
        return self._summary(self._states.view(device_id))

    def _summary(self, plate: Plate) -> JSONDict:
        session = plate.session
        latest = plate.latest
        return {
            "device_id": plate.device_id,
            "state": plate.state.value,
            "session_id": session.id if session else None,
            "esp_connected": self._presence.esp_connected(plate.device_id),
            "sample_count": session.sample_count if session else 0,
            "latest": sample_dicts([latest])[0] if latest else None,
        }
