"""The one place accepted data goes: readings are derived, committed, then broadcast;
force-plate samples go to the plate hub (``hub.plates``), which stores and streams them.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from sensorhub.biometrics.readings import Predictor, ProcessedReading, Reading, process_readings
from sensorhub.contracts import reading_payload
from sensorhub.plates import PlateHub
from sensorhub.storage import Storage
from sensorhub.types import Broadcaster, Clock

STREAM_EVENT = "stream"


class Hub:
    """Transports call the hub; the hub calls domain code, storage and the broadcaster."""

    def __init__(
        self,
        storage: Storage,
        model: Predictor,
        broadcaster: Broadcaster,
        plates: PlateHub,
        clock: Clock = time.time,
    ) -> None:
        self.storage = storage
        self.model = model
        self.plates = plates
        self._broadcaster = broadcaster
        self._clock = clock

    async def ingest_readings(self, readings: Sequence[Reading]) -> list[ProcessedReading]:
        """Process and commit ``readings`` as one unit, then push each to live clients."""
        processed = process_readings(readings, self.model, self._clock())
        stored = await self.storage.add_readings(processed)
        # Broadcast only what is committed: a dashboard never shows data a crash could lose.
        for reading in stored:
            await self._broadcaster.emit(STREAM_EVENT, reading_payload(reading))
        return stored
