"""Uniqueness the database holds, not one writer: two storages (two processes' writers) on
one database given the same thing at once."""

from __future__ import annotations

import asyncio

from sensorhub.storage import Storage
from tests.storage.test_signals import stored_keys, temperature_batch


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
                first.signals.add_batch(batch, 1.0), second.signals.add_batch(batch, 1.0)
            )
            assert sorted(outcomes) == [False, True]
        assert await stored_keys(first) == [("race", seq) for seq in range(1, 11)]
    finally:
        await first.close()
        await second.close()


async def test_two_processes_given_one_new_athlete_name_make_one_athlete(
    database_url: str,
) -> None:
    """A test started with the same new name on two processes at once: one athlete."""
    first, second = Storage(database_url), Storage(database_url)
    await first.open()
    await second.open()
    try:
        for attempt in range(5):
            name = f"Walk-in {attempt}"
            ids = await asyncio.gather(
                first.athletes.ensure_named(name, 1.0), second.athletes.ensure_named(name, 1.0)
            )
            assert ids[0] == ids[1]
    finally:
        await first.close()
        await second.close()
