"""Signal batches in storage: named by (device_id, boot, seq), held by the database."""

from __future__ import annotations

import asyncio

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
        async for page in storage.iter_signal_batches("wrist", None, None)
        for stored in page
    ]


async def test_the_same_batch_is_a_duplicate_other_samples_are_refused(storage: Storage) -> None:
    assert await storage.add_signal_batch(temperature_batch("a", 1, 33.0), 1.0) is True
    assert await storage.add_signal_batch(temperature_batch("a", 1, 33.0), 2.0) is False
    with pytest.raises(BatchReused, match="new boot id"):
        await storage.add_signal_batch(temperature_batch("a", 1, 34.0), 3.0)
    assert await storage.add_signal_batch(temperature_batch("b", 1, 34.0), 4.0) is True
    assert await stored_keys(storage) == [("a", 1), ("b", 1)]


async def test_two_processes_given_one_batch_store_it_once(database_url: str) -> None:
    """Two storages (two processes' writers) on one database, the same batches at once:
    the unique index lets one win each time; the other acknowledges a duplicate."""
    first, second = Storage(database_url), Storage(database_url)
    await first.open()
    await second.open()
    try:
        for seq in range(1, 11):
            batch = temperature_batch("race", seq, 33.0)
            outcomes = await asyncio.gather(
                first.add_signal_batch(batch, 1.0), second.add_signal_batch(batch, 1.0)
            )
            assert sorted(outcomes) == [False, True]
        assert await stored_keys(first) == [("race", seq) for seq in range(1, 11)]
    finally:
        await first.close()
        await second.close()
