"""What transports ask of the plates, by device: the test commands, the views, and an esp's
batches. ``PlateDesk`` says what may be asked; ``LocalDesk`` answers it with this process's
plates. With several processes, ``sensorhub.cluster``'s desk routes each request to the
process that runs the device's tests, where a ``LocalDesk`` answers it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, Protocol

from sensorhub.contracts import iso_time
from sensorhub.loadcell.calibration import Channel, ChannelCalibration
from sensorhub.loadcell.session import Sample
from sensorhub.plates._assembly import Plates
from sensorhub.presence import Presence
from sensorhub.types import JSONDict

CHANNELS: tuple[Channel, ...] = ("l", "r")


class PlateDesk(Protocol):
    """What transports ask of the plates; every answer is a JSON object (it may travel)."""

    @property
    def plates(self) -> Plates: ...

    async def open(self) -> None:
        """Start what the desk runs in the background."""

    async def close(self) -> None:
        """Stop it; before the plates and storage close."""

    def message_queue_health(self) -> Literal["ok", "reconnecting"] | None:
        """None alone; with several processes whether requests from the others reach this
        one ("ok") or not now ("reconnecting")."""

    async def addressed(self, named: str | None) -> str:
        """The plate a request means (docs/plates.md)."""

    async def status(self, device_id: str) -> JSONDict: ...

    async def summary(self, device_id: str) -> JSONDict: ...

    async def latest(self, device_id: str) -> JSONDict: ...

    async def session_data(self, device_id: str) -> JSONDict: ...

    async def start(
        self,
        device_id: str,
        athlete: str | None,
        notes: str | None,
        athlete_id: int | None,
        test_type: str = "imtp",
        drop_height_m: float | None = None,
    ) -> JSONDict: ...

    async def stop(self, device_id: str) -> JSONDict: ...

    async def tare(self, device_id: str, confirmed: bool = False) -> JSONDict:
        """Zero both channels on the device's last second of samples; its summary after. A
        loaded plate needs ``confirmed`` (docs/plates.md#tare-under-load)."""

    async def calibrate(self, device_id: str, channel: Channel, mass_kg: float) -> JSONDict: ...

    async def set_calibration(self, device_id: str, channels: JSONDict) -> JSONDict:
        """Set channels given as ``{"l": {"offset", "scale"}, ...}``; the others keep theirs."""

    async def esp_connected(self, device_id: str) -> None:
        """An esp of ``device_id`` registered here: its batches will come to this process."""

    async def ingest(self, device_id: str, samples: Sequence[Sample]) -> None:
        """An esp's batch, recorded by the process that runs the device."""

    async def done(self, device_id: str) -> None:
        """The esp has sent everything: a flushing test completes."""


class LocalDesk:
    """The plates of this one process answer every request themselves."""

    def __init__(self, plates: Plates, presence: Presence) -> None:
        self.plates = plates
        self.presence = presence

    async def open(self) -> None:
        """Nothing runs in the background of one process alone."""

    async def close(self) -> None:
        """Nothing to stop."""

    def message_queue_health(self) -> Literal["ok", "reconnecting"] | None:
        return None

    async def addressed(self, named: str | None) -> str:
        return self.presence.addressed_device(named)

    async def status(self, device_id: str) -> JSONDict:
        return self.plates.views.status(device_id)

    async def summary(self, device_id: str) -> JSONDict:
        return self.plates.views.summary(device_id)

    async def latest(self, device_id: str) -> JSONDict:
        return self.plates.views.latest(device_id)

    async def session_data(self, device_id: str) -> JSONDict:
        return await self.plates.views.session_data(device_id)

    async def start(
        self,
        device_id: str,
        athlete: str | None,
        notes: str | None,
        athlete_id: int | None,
        test_type: str = "imtp",
        drop_height_m: float | None = None,
    ) -> JSONDict:
        session = await self.plates.recorder.start(
            device_id, athlete, notes, athlete_id, test_type, drop_height_m
        )
        return {
            "status": "started",
            "session_id": session.id,
            "device_id": session.device_id,
            "athlete": session.athlete,
            "athlete_id": session.athlete_id,
            "notes": session.notes,
            "test_type": session.test_type,
            "started_at": iso_time(session.started_at),
        }

    async def stop(self, device_id: str) -> JSONDict:
        session = await self.plates.recorder.stop(device_id)
        return {"status": "stopping", "session_id": session.id, "device_id": session.device_id}

    async def tare(self, device_id: str, confirmed: bool = False) -> JSONDict:
        """Zero both channels on the device's last second of samples; its summary after. A
        loaded plate needs ``confirmed`` (docs/plates.md#tare-under-load)."""
        await self.plates.calibration.tare(device_id, confirmed=confirmed)
        return self.plates.views.summary(device_id)

    async def calibrate(self, device_id: str, channel: Channel, mass_kg: float) -> JSONDict:
        await self.plates.calibration.calibrate(device_id, channel, mass_kg)
        return self.plates.views.summary(device_id)

    async def set_calibration(self, device_id: str, channels: JSONDict) -> JSONDict:
        updated = self.plates.calibration.current(device_id)
        for name in CHANNELS:
            if name in channels:
                updated = updated.with_channel(name, ChannelCalibration(**channels[name]))
        await self.plates.calibration.set(device_id, updated)
        return self.plates.views.summary(device_id)

    async def esp_connected(self, device_id: str) -> None:
        """Its batches come to this process, the only one."""

    async def ingest(self, device_id: str, samples: Sequence[Sample]) -> None:
        await self.plates.recorder.ingest(device_id, samples)

    async def done(self, device_id: str) -> None:
        await self.plates.recorder.done(device_id)
