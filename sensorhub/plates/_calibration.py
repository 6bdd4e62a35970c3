"""Plate calibration: tare, calibrate against a known mass, or set directly; stored per device."""

from __future__ import annotations

import time

from sensorhub.loadcell.calibration import Calibration, Channel, calibrate_channel, tare
from sensorhub.plates._states import PlateStates
from sensorhub.storage import Storage
from sensorhub.types import Clock


class PlateCalibration:
    """Each device's calibration: stored first, then used for the next test."""

    def __init__(self, storage: Storage, states: PlateStates, clock: Clock = time.time) -> None:
        self._storage = storage
        self._states = states
        self._clock = clock

    async def load(self) -> None:
        """Give every plate its stored calibration (at start-up)."""
        for device_id, calibration in (await self._storage.calibrations.all()).items():
            self._states.plate(device_id).calibration = Calibration.from_dict(calibration)

    def current(self, device_id: str) -> Calibration:
        return self._states.view(device_id).calibration

    async def tare(self, device_id: str, *, confirmed: bool = False) -> Calibration:
        plate = self._states.view(device_id)
        zeroed = tare(plate.calibration, plate.last_second(), confirmed=confirmed)
        return await self.set(device_id, zeroed)

    async def calibrate(self, device_id: str, channel: Channel, mass_kg: float) -> Calibration:
        plate = self._states.view(device_id)
        loaded = plate.last_second()
        return await self.set(
            device_id, calibrate_channel(plate.calibration, channel, mass_kg, loaded)
        )

    async def set(self, device_id: str, calibration: Calibration) -> Calibration:
        await self._storage.calibrations.save(device_id, calibration.to_dict(), self._clock())
        self._states.plate(device_id).calibration = calibration
        return calibration
