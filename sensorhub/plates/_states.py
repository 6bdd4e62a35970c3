"""Every device's live plate state (``loadcell.session.Plate``), shared by the plate units."""

from __future__ import annotations

from collections.abc import Iterator

from sensorhub.loadcell.calibration import Calibration
from sensorhub.loadcell.session import Plate


class PlateStates:
    """device id → its ``Plate``; the only place plates are created."""

    def __init__(self) -> None:
        self._plates: dict[str, Plate] = {}

    def plate(self, device_id: str) -> Plate:
        """The device's state, created on first use: only for paths that change it."""
        if device_id not in self._plates:
            self._plates[device_id] = Plate(device_id)
        return self._plates[device_id]

    def view(self, device_id: str) -> Plate:
        """The device's state for reading; an unknown id is not remembered, so lookups of
        made-up ids cannot grow the device list (or memory)."""
        return self._plates.get(device_id) or Plate(device_id)

    def forget(self, device_id: str) -> None:
        """Drop a quiet device's live state; a plate with a test is kept. A stored
        calibration stays (the next test needs it), without the plate's recent samples."""
        plate = self._plates.get(device_id)
        if plate is None or plate.session is not None:
            return
        if plate.calibration == Calibration():
            del self._plates[device_id]
        else:
            self._plates[device_id] = Plate(device_id, plate.calibration)

    def __len__(self) -> int:
        return len(self._plates)

    def __iter__(self) -> Iterator[Plate]:
        return iter(tuple(self._plates.values()))
