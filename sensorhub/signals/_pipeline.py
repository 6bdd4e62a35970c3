"""A wearable's signal batches: commit, push live, and feed the sliding windows, whose
features are computed off the event loop, stored and pushed as ``features``.

Transports reach it through ``Hub.ingest_signals``; the broadcast rules are in
docs/broadcast.md.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

import numpy as np

from sensorhub import wire
from sensorhub.biometrics import WindowScorer, classify, is_demo_model
from sensorhub.contracts import iso_time
from sensorhub.physio import DueWindow, SignalBatch, SlidingWindows, window_features
from sensorhub.presence import VIEWERS
from sensorhub.signals._contracts import ack_payload, signals_payload
from sensorhub.storage import Storage, WindowRecord
from sensorhub.tasks import BackgroundTasks, KeyedLocks
from sensorhub.types import Broadcaster, Clock, JSONDict


class SignalPipeline:
    def __init__(
        self,
        storage: Storage,
        broadcaster: Broadcaster,
        windows: SlidingWindows | None = None,
        model: WindowScorer | None = None,
        clock: Clock = time.time,
    ) -> None:
        """``model``: a window model (its inputs are ``physio.FEATURE_NAMES``), or None;
        ``self.model`` may be replaced while running: the next windows use the new one."""
        self._storage = storage
        self._broadcaster = broadcaster
        self._windows = windows if windows is not None else SlidingWindows()
        self.model = model
        self._clock = clock
        self._tasks = BackgroundTasks()
        self._in_order = KeyedLocks()

    async def ingest(self, batch: SignalBatch, received_at: float | None = None) -> JSONDict:
        """Commit ``batch`` (a replay is acknowledged, not stored again), push it to the
        dashboards, and start the windows it completes; returns the acknowledgement.

        ``received_at``: when its last sample was taken, for a recording imported later (an
        E4 export); live batches arrive as it is taken, now."""
        received_at = self._clock() if received_at is None else received_at
        stored = await self._storage.signals.add_batch(batch, received_at)
        if stored:
            await self._broadcaster.emit(wire.SIGNALS, signals_payload(batch), room=VIEWERS)
            due = self._windows.add(batch)
            if due:
                # In arrival order per device: each task takes the device's lock first thing.
                work = self._compute(batch.device_id, due, received_at, batch.end_ms())
                self._tasks.spawn(work, name=f"windows-{batch.device_id}")
        return ack_payload(batch, stored)

    async def settle(self, timeout_s: float) -> None:
        """Let the windows already started be computed and stored (at most ``timeout_s``)."""
        await self._tasks.wait(timeout_s)

    async def close(self) -> None:
        await self._tasks.cancel_all()

    async def _compute(
        self, device_id: str, due: Sequence[DueWindow], received_at: float, batch_end_ms: float
    ) -> None:
        async with self._in_order.hold(device_id):
            features = await asyncio.to_thread(lambda: [window_features(w.signals) for w in due])
            records = [
                # The window's end on the server clock: the batch arrived as its end did.
                WindowRecord(w.device_id, w.start_ms, w.end_ms,
                             received_at - (batch_end_ms - w.end_ms) / 1000.0, f)
                for w, f in zip(due, features, strict=True)
            ]  # fmt: skip
            stored = await self._storage.signals.add_windows(self._predict(records))
            for record in stored:
                await self._broadcaster.emit(wire.FEATURES, window_payload(record), room=VIEWERS)

    def _predict(self, records: list[WindowRecord]) -> list[WindowRecord]:
        """Each good window with the window model's probability; poor ones stay unrated."""
        if self.model is None:
            return records
        rated = [(i, v) for i, r in enumerate(records) if (v := r.features.vector()) is not None]
        if not rated:
            return records
        inputs = np.array([v for _, v in rated], dtype=np.float32)
        probabilities = self.model.predict_proba(inputs).astype(float).tolist()
        out = list(records)
        for (index, _), p in zip(rated, probabilities, strict=True):
            r = out[index]
            out[index] = WindowRecord(r.device_id, r.start_ms, r.end_ms, r.at, r.features,
                                      p, classify(p), self.model.name)  # fmt: skip
        return out


def window_payload(record: WindowRecord) -> JSONDict:
    """A window: the ``features`` event and each item of ``GET /api/wearable/windows``."""
    return {
        "id": record.id,
        "device_id": record.device_id,
        "start_ms": record.start_ms,
        "end_ms": record.end_ms,
        "at": iso_time(record.at),
        **record.features.as_dict(),
        "stress_probability": record.stress_probability,
        "prediction": record.prediction,
        "model": record.model,
        "demo": is_demo_model(record.model),  # the prediction is a demo model's
    }
