"""Signal batches in storage: named by (device_id, boot, seq), held by the database."""

from __future__ import annotations

import numpy as np
import pytest

from sensorhub.errors import BatchReused
from sensorhub.physio import SignalBatch, samples
from sensorhub.storage import Storage


def temperature_batch(boot: str, seq: int, first: float) -> SignalBatch:
    return SignalBatch("wrist", seq, 0.0, {"temperature": samples(4, np.full(4, first))}, boot)


async def stored_keys(storage: Storage) -> list[tuple[str, int]]:
    return [
        (stored.batch.boot, stored.batch.seq)
        async for page in storage.signals.batch_pages("wrist", None, None)
        for stored in page
    ]


async def test_the_same_batch_is_a_duplicate_other_samples_are_refused(storage: Storage) -> None:
    assert await storage.signals.add_batch(temperature_batch("a", 1, 33.0), 1.0) is True
    assert await storage.signals.add_batch(temperature_batch("a", 1, 33.0), 2.0) is False
    with pytest.raises(BatchReused, match="new boot id"):
        await storage.signals.add_batch(temperature_batch("a", 1, 34.0), 3.0)
    assert await storage.signals.add_batch(temperature_batch("b", 1, 34.0), 4.0) is True
    assert await stored_keys(storage) == [("a", 1), ("b", 1)]
