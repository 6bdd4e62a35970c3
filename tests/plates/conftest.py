"""The plate units over a real SQLite storage, a recording broadcaster and a hand-driven timer."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from sensorhub.errors import StorageError
from sensorhub.plates import ManualTimer, Plates, open_plates
from sensorhub.presence import Presence
from sensorhub.storage import Storage, TestFiles, TestStore
from sensorhub.types import JSONDict

FLUSH_GRACE_S = 2.0


class FlakyTests(TestStore):
    """Real test writes that raise ``StorageError`` while their name is in ``failing``."""

    def __init__(self, storage: Storage, failing: set[str]) -> None:
        super().__init__(storage)
        self._failing = failing

    def _check(self, write: str) -> None:
        if write in self._failing:
            raise StorageError(f"{write}: the database did not accept the write")

    async def create(self, *args: Any, **kwargs: Any) -> int:
        self._check("create")
        return await super().create(*args, **kwargs)

    async def update(self, test_id: int, **values: Any) -> bool:
        self._check("update")
        return await super().update(test_id, **values)

    async def append_samples(self, *args: Any, **kwargs: Any) -> None:
        self._check("append_samples")
        await super().append_samples(*args, **kwargs)

    async def complete(self, *args: Any, **kwargs: Any) -> None:
        self._check("complete")
        await super().complete(*args, **kwargs)


class FlakyStorage(Storage):
    """A real storage whose test writes named in ``failing`` raise ``StorageError``."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.failing: set[str] = set()
        self.tests = FlakyTests(self, self.failing)


class RecordingBroadcaster:
    """Keeps every emitted event; ``wait`` returns once ``count`` of a name were emitted."""

    def __init__(self) -> None:
        self.events: list[tuple[str, JSONDict, str | None]] = []
        self._changed = asyncio.Event()

    async def emit(self, event: str, data: JSONDict, *, room: str | None = None) -> None:
        self.events.append((event, data, room))
        self._changed.set()

    def named(self, event: str) -> list[JSONDict]:
        return [data for name, data, _ in self.events if name == event]

    async def wait(self, event: str, count: int = 1, timeout: float = 5.0) -> list[JSONDict]:
        async def arrived() -> list[JSONDict]:
            while len(self.named(event)) < count:
                self._changed.clear()
                await self._changed.wait()
            return self.named(event)

        return await asyncio.wait_for(arrived(), timeout)


async def settle(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Let other tasks run until ``condition()`` holds (no fixed sleep: a yield per turn)."""

    async def turns() -> None:
        while not condition():
            await asyncio.sleep(0)

    await asyncio.wait_for(turns(), timeout)


@dataclass
class Rig:
    storage: FlakyStorage
    presence: Presence
    broadcaster: RecordingBroadcaster
    timer: ManualTimer
    plates: Plates
    files: TestFiles

    def connect_esp(self, device_id: str) -> None:
        self.presence.connect(f"esp-{device_id}")
        self.presence.register(f"esp-{device_id}", "esp", device_id)


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[Rig]:
    storage = FlakyStorage(f"sqlite:///{tmp_path / 'plates.db'}")
    await storage.open()
    presence, broadcaster, timer = Presence(), RecordingBroadcaster(), ManualTimer()
    files = TestFiles(tmp_path / "tests")
    plates = await open_plates(
        storage, presence, broadcaster, files, flush_grace_s=FLUSH_GRACE_S, timer=timer
    )
    yield Rig(storage, presence, broadcaster, timer, plates, files)
    await plates.close()
    await storage.close()
