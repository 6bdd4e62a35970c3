"""Builds the plate units over one storage and hands them out together."""

from __future__ import annotations

import time
from dataclasses import dataclass

from sensorhub.plates._archive import TestArchive
from sensorhub.plates._calibration import PlateCalibration
from sensorhub.plates._ownership import Ownership
from sensorhub.plates._recorder import PLATE_IDLE_S, TestRecorder
from sensorhub.plates._states import PlateStates
from sensorhub.plates._timing import Timer
from sensorhub.plates._views import PlateViews
from sensorhub.presence import Presence
from sensorhub.storage import Storage, TestFiles
from sensorhub.types import Broadcaster, Clock


@dataclass(frozen=True, slots=True)
class Plates:
    recorder: TestRecorder
    archive: TestArchive
    views: PlateViews
    calibration: PlateCalibration

    async def close(self) -> None:
        await self.recorder.close()


async def open_plates(
    storage: Storage,
    presence: Presence,
    broadcaster: Broadcaster,
    files: TestFiles,
    *,
    flush_grace_s: float,
    timer: Timer | None = None,
    clock: Clock = time.time,
    ownership: Ownership | None = None,
    idle_s: float = PLATE_IDLE_S,
) -> Plates:
    """The plate units over one open ``storage``, ready for traffic.

    Alone (no ``ownership``), tests a crash left unfinished are saved as interrupted now;
    with several processes, the one that takes a device over adopts its test instead.
    """
    states = PlateStates()
    archive = TestArchive(storage, states, files)
    recorder = TestRecorder(
        storage,
        states,
        presence,
        broadcaster,
        archive,
        flush_grace_s=flush_grace_s,
        timer=timer,
        clock=clock,
        ownership=ownership,
        idle_s=idle_s,
    )
    calibration = PlateCalibration(storage, states, clock)
    await calibration.load()
    if ownership is None:
        await archive.recover_interrupted()
    return Plates(recorder, archive, PlateViews(states, presence, archive, clock), calibration)
