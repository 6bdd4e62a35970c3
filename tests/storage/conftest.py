"""Storage tests run on SQLite and, where a server is running, on PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from sensorhub.storage import Storage
from tests._postgres import postgres_database


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
    else:
        yield from postgres_database()


@pytest.fixture
async def storage(database_url: str) -> AsyncIterator[Storage]:
    storage = Storage(database_url)
    await storage.open()
    yield storage
    await storage.close()
