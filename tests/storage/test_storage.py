"""The storage facade on SQLite and PostgreSQL: ids in order, queries, paging."""

from __future__ import annotations

import asyncio

from sqlalchemy import text

from sensorhub.biometrics.readings import ProcessedReading
from sensorhub.errors import StorageError
from sensorhub.storage import ReadingQuery, Storage


def processed(device_id: str, bvp: float, received_at: float = 1000.0) -> ProcessedReading:
    return ProcessedReading(
        device_id, received_at, None, bvp, 33.0, 0.0, 0.0, 1.0, 1.0, 0.25, "Calm", "demo"
    )


async def test_added_readings_get_increasing_ids_in_order(storage: Storage) -> None:
    stored = await storage.readings.add([processed("a", float(i)) for i in range(300)])
    ids = [r.id for r in stored if r.id is not None]
    assert len(ids) == 300
    assert ids == sorted(ids) and len(set(ids)) == 300
    assert [r.bvp for r in stored] == [float(i) for i in range(300)]


async def test_list_filters_by_device_and_time_newest_first(storage: Storage) -> None:
    await storage.readings.add([processed("a", 1.0, 10.0), processed("b", 2.0, 20.0)])
    await storage.readings.add([processed("a", 3.0, 30.0)])

    device_a = await storage.readings.find(ReadingQuery(device_id="a"))
    window = await storage.readings.find(ReadingQuery(since=15.0, until=30.0))

    assert [r.bvp for r in device_a] == [3.0, 1.0]
    assert [r.bvp for r in window] == [2.0]


async def test_iter_readings_pages_through_everything(storage: Storage) -> None:
    await storage.readings.add([processed("p", float(i)) for i in range(2500)])
    pages = [page async for page in storage.readings.pages(ReadingQuery(device_id="p"))]
    assert [len(page) for page in pages] == [1000, 1000, 500]
    assert sorted(r.bvp for page in pages for r in page) == [float(i) for i in range(2500)]


async def test_readings_committed_together_each_get_their_own_ids(storage: Storage) -> None:
    # Submitted at once, they queue behind one another's commit and share INSERT statements.
    batches = [
        [processed(f"d{n}", float(n * 100 + i)) for i in range(n % 3 + 1)] for n in range(30)
    ]
    results = await asyncio.gather(*(storage.readings.add(batch) for batch in batches))

    stored = {r.id: r for r in await storage.readings.find(ReadingQuery(limit=1000))}
    for batch, result in zip(batches, results, strict=True):
        assert [r.bvp for r in result] == [r.bvp for r in batch]
        assert all(r.id is not None and stored[r.id].bvp == r.bvp for r in result)
    assert len(stored) == sum(len(batch) for batch in batches)


async def test_a_refused_batch_fails_alone_among_batches_committed_together(
    storage: Storage,
) -> None:
    test_id = await storage.tests.create("plate", 1.0, {}, None, None)
    seqs = [0, 1, 2, 1, 3]  # the second seq 1 breaks the unique (test_id, seq) index
    outcomes = await asyncio.gather(
        *(storage.tests.append_samples(test_id, seq, [(seq, 1.0, 2.0)]) for seq in seqs),
        return_exceptions=True,
    )

    assert [isinstance(o, StorageError) for o in outcomes] == [False] * 3 + [True, False]
    assert await storage.tests.samples(test_id) == [
        (0, 1.0, 2.0),
        (1, 1.0, 2.0),
        (2, 1.0, 2.0),
        (3, 1.0, 2.0),
    ]


async def test_ids_are_the_stored_rows_after_the_newest_rows_were_deleted(
    storage: Storage,
) -> None:
    # SQLite hands the deleted ids out again, PostgreSQL's sequence does not: either way the
    # ids returned must be the ones the rows were stored under.
    await storage.readings.add([processed("a", float(i)) for i in range(5)])
    with storage.engine.begin() as conn:
        conn.execute(text("DELETE FROM readings WHERE bvp >= 3"))

    again = await storage.readings.add([processed("a", 10.0 + i) for i in range(3)])

    stored = {r.id: r.bvp for r in await storage.readings.find(ReadingQuery())}
    assert [stored[r.id] for r in again if r.id is not None] == [10.0, 11.0, 12.0]


async def test_two_storages_on_one_database_each_get_their_own_rows_ids(
    storage: Storage,
) -> None:
    # As two server processes would: each one's ids must name its own rows, never the other's.
    other = Storage(storage.url)
    await other.open()
    try:
        batches = [[processed(f"s{n}", float(n * 10 + i)) for i in range(4)] for n in range(20)]
        writers = [storage, other] * 10
        results = await asyncio.gather(
            *(writer.readings.add(batch) for writer, batch in zip(writers, batches, strict=True))
        )
    finally:
        await other.close()

    stored = {r.id: r.bvp for r in await storage.readings.find(ReadingQuery(limit=1000))}
    for batch, result in zip(batches, results, strict=True):
        assert [stored[r.id] for r in result if r.id is not None] == [r.bvp for r in batch]
    assert len(stored) == 80
