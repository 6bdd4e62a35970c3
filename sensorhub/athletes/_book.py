"""Athletes as the coach keeps them: create, change, find, and delete (their tests only when
asked). Storage does the writing; this is where the rules live."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from sensorhub.errors import AthleteHasTests, AthleteNotFound
from sensorhub.plates import TestArchive
from sensorhub.storage import AthleteQuery, AthleteRecord, Storage
from sensorhub.types import Clock


class AthleteBook:
    """The athletes of one storage; ``archive`` deletes their tests when that is asked for."""

    def __init__(self, storage: Storage, archive: TestArchive, clock: Clock = time.time) -> None:
        self._store = storage.athletes
        self._archive = archive
        self._clock = clock

    async def create(self, values: dict[str, Any], groups: Sequence[str]) -> AthleteRecord:
        athlete_id = await self._store.create(values, groups, self._clock())
        return await self.require(athlete_id)

    async def update(
        self, athlete_id: int, values: dict[str, Any], groups: Sequence[str] | None
    ) -> AthleteRecord:
        if not await self._store.update(athlete_id, values, groups, self._clock()):
            raise _not_found(athlete_id)
        return await self.require(athlete_id)

    async def find(self, query: AthleteQuery) -> list[AthleteRecord]:
        return await self._store.find(query)

    async def require(self, athlete_id: int) -> AthleteRecord:
        record = await self._store.get(athlete_id)
        if record is None:
            raise _not_found(athlete_id)
        return record

    async def delete(self, athlete_id: int, *, with_tests: bool) -> int:
        """Delete the athlete; one with tests only ``with_tests``, and then the tests too
        (a test still recording refuses, as deleting it alone would). Returns how many tests
        went."""
        outcome = await self._store.delete(athlete_id)
        if not outcome.found:
            raise _not_found(athlete_id)
        if outcome.deleted:
            return 0
        if not with_tests:
            raise AthleteHasTests(
                f"athlete {athlete_id} has {len(outcome.test_ids)} test(s); delete with "
                "with_tests=true to delete them too"
            )
        for test_id in outcome.test_ids:
            await self._archive.delete(test_id)
        # A test started for them meanwhile is not deleted unseen: that refuses again.
        return len(outcome.test_ids) + await self.delete(athlete_id, with_tests=False)


def _not_found(athlete_id: int) -> AthleteNotFound:
    return AthleteNotFound(f"no athlete with id {athlete_id}")
