"""The storage facade on SQLite and PostgreSQL: ids in order, queries, paging."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from sensorhub.biometrics.readings import ProcessedReading
from sensorhub.storage import ReadingQuery, Storage


@pytest.fixture
async def storage(database_url: str) -> AsyncIterator[Storage]:
    storage = Storage(database_url)
    await storage.open()
    yield storage
    await storage.close()


def processed(device_id: str, bvp: float, received_at: float = 1000.0) -> ProcessedReading:
    return ProcessedReading(
        device_id, received_at, None, bvp, 33.0, 0.0, 0.0, 1.0, 1.0, 0.25, "Calm", "demo"
    )


async def test_added_readings_get_increasing_ids_in_order(storage: Storage) -> None:
    stored = await storage.add_readings([processed("a", float(i)) for i in range(300)])
    ids = [r.id for r in stored if r.id is not None]
    assert len(ids) == 300
    assert ids == sorted(ids) and len(set(ids)) == 300
    assert [r.bvp for r in stored] == [float(i) for i in range(300)]


async def test_list_filters_by_device_and_time_newest_first(storage: Storage) -> None:
    await storage.add_readings([processed("a", 1.0, 10.0), processed("b", 2.0, 20.0)])
    await storage.add_readings([processed("a", 3.0, 30.0)])

    device_a = await storage.list_readings(ReadingQuery(device_id="a"))
    window = await storage.list_readings(ReadingQuery(since=15.0, until=30.0))

    assert [r.bvp for r in device_a] == [3.0, 1.0]
    assert [r.bvp for r in window] == [2.0]


async def test_iter_readings_pages_through_everything(storage: Storage) -> None:
    await storage.add_readings([processed("p", float(i)) for i in range(2500)])
    pages = [page async for page in storage.iter_readings(ReadingQuery(device_id="p"))]
    assert [len(page) for page in pages] == [1000, 1000, 500]
    assert sorted(r.bvp for page in pages for r in page) == [float(i) for i in range(2500)]
