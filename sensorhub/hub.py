"""The one place accepted data goes, from every transport: wearable readings, wearable
signal batches and force-plate batches. Each stream is counted against its device's rate
here, then handed to the one unit that stores and broadcasts it, in the order
docs/broadcast.md gives (readings: here; plate batches: ``TestRecorder.ingest``, on the
process that runs the device, which ``PlateDesk`` finds; signals: ``SignalPipeline``).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence

from sensorhub import wire
from sensorhub.alerts import LastSeen
from sensorhub.biometrics.readings import Predictor, Reading, process_readings
from sensorhub.contracts import reading_payload
from sensorhub.errors import RateLimited
from sensorhub.loadcell.session import Sample
from sensorhub.physio import SignalBatch
from sensorhub.plates import PlateDesk
from sensorhub.ratelimit import TokenBuckets
from sensorhub.signals import SignalPipeline
from sensorhub.storage import Storage
from sensorhub.studies import Studies
from sensorhub.turnbatch import TurnBatch
from sensorhub.types import Broadcaster, Clock, JSONDict


class Hub:
    """Transports call the hub; the hub calls domain code, storage and the broadcaster."""

    def __init__(
        self,
        storage: Storage,
        model: Predictor,
        broadcaster: Broadcaster,
        desk: PlateDesk,
        clock: Clock = time.time,
        device_rate: TokenBuckets | None = None,
        signals: SignalPipeline | None = None,
    ) -> None:
        self.storage = storage
        self.model = model
        self.desk = desk
        self._broadcaster = broadcaster
        self._clock = clock
        self._device_rate = device_rate or TokenBuckets(0, 1)
        self.signals = signals or SignalPipeline(storage, broadcaster, clock=clock)
        self.studies = Studies(storage, broadcaster, clock)
        # Stored since start, for GET /metrics: readings, and wearable signal batches.
        self.ingested: Counter[str] = Counter()
        self.last_seen = LastSeen()  # for the device-silent alert
        # Readings that arrive at the same instant share one model call and one commit.
        self._readings: TurnBatch[Reading, JSONDict] = TurnBatch(self._store_readings, "readings")

    def admit(self, *device_ids: str) -> None:
        """Count one message from each device, or raise ``RateLimited``: the per-device rate,
        applied here so HTTP, Socket.IO, /ws and serial share it."""
        for device_id in dict.fromkeys(device_ids):
            self.last_seen.saw(device_id, self._clock())
            if not self._device_rate.take(device_id):
                rate = self._device_rate.rate
                raise RateLimited(
                    f"device {device_id!r} sends more than {rate:g} messages/s; slow down",
                    retry_after_s=self._device_rate.retry_after_s,
                )

    async def ingest_readings(self, readings: Sequence[Reading]) -> list[JSONDict]:
        """Process and commit ``readings`` as one unit with every other call of this loop turn,
        then push each to live clients; returns, once committed, each one's ``data`` object
        as it was broadcast (with its id), for the transport's reply.

        The broadcast rule for readings (docs/broadcast.md): broadcast only *after* the
        commit, so a dashboard never shows data a crash could lose.
        """
        self.admit(*(reading.device_id for reading in readings))
        return await self._readings.submit(readings)

    async def _store_readings(self, readings: list[Reading]) -> list[JSONDict]:
        processed = process_readings(readings, self.model, self._clock())
        stored = await self.storage.readings.add(processed)
        self.ingested["readings"] += len(stored)
        payloads = [reading_payload(reading) for reading in stored]
        for payload in payloads:
            await self._broadcaster.emit(wire.STREAM, payload)
        return payloads

    async def ingest_signals(self, batch: SignalBatch) -> JSONDict:
        """A wearable's signal batch from any transport: counted against the device's rate,
        committed (a replay only acknowledged), then pushed; returns the acknowledgement."""
        self.admit(batch.device_id)
        acknowledgement = await self.signals.ingest(batch)
        self.ingested["signal_batches"] += 1
        return acknowledgement

    async def ingest_samples(self, device_id: str, samples: Sequence[Sample]) -> None:
        """A plate's batch from any transport: counted against the device's rate (a batch
        with no valid sample too), then recorded where the device's tests run."""
        self.admit(device_id)
        if samples:
            await self.desk.ingest(device_id, samples)

    async def samples_done(self, device_id: str) -> None:
        """The plate's esp has sent everything: a flushing test completes."""
        await self.desk.done(device_id)
