"""TurnBatch: calls of one event-loop turn handled by one call, each answered its own part."""

from __future__ import annotations

import asyncio

import pytest

from sensorhub.turnbatch import TurnBatch


class Doubler:
    """Doubles each item and records every batch it was handed."""

    def __init__(self) -> None:
        self.calls: list[list[int]] = []

    async def __call__(self, items: list[int]) -> list[int]:
        self.calls.append(items)
        return [2 * item for item in items]


async def test_calls_of_one_turn_share_one_handling_and_get_their_own_results() -> None:
    handle = Doubler()
    batch = TurnBatch(handle, "test")

    results = await asyncio.gather(batch.submit([1, 2]), batch.submit([3]), batch.submit([4, 5]))

    assert handle.calls == [[1, 2, 3, 4, 5]]
    assert list(results) == [[2, 4], [6], [8, 10]]


async def test_a_call_in_a_later_turn_is_handled_on_its_own() -> None:
    handle = Doubler()
    batch = TurnBatch(handle, "test")

    first = await batch.submit([1])
    second = await batch.submit([2])

    assert handle.calls == [[1], [2]]
    assert (first, second) == ([2], [4])


async def test_a_failure_reaches_every_call_of_its_turn() -> None:
    async def refuse(items: list[int]) -> list[int]:
        raise ValueError(f"refused {items}")

    batch = TurnBatch(refuse, "test")

    outcomes = await asyncio.gather(batch.submit([1]), batch.submit([2]), return_exceptions=True)

    assert [str(o) for o in outcomes] == ["refused [1, 2]"] * 2


async def test_a_cancelled_call_leaves_the_others_of_its_turn_answered() -> None:
    handle = Doubler()
    batch = TurnBatch(handle, "test")
    gone = asyncio.ensure_future(batch.submit([1]))
    kept = asyncio.ensure_future(batch.submit([2]))
    await asyncio.sleep(0)  # both are waiting for their turn's handling
    gone.cancel()

    assert await kept == [4]
    with pytest.raises(asyncio.CancelledError):
        await gone
    assert handle.calls == [[1, 2]]


async def test_a_handling_cancelled_at_shutdown_cancels_every_call_of_its_turn() -> None:
    async def cancelled(items: list[int]) -> list[int]:
        raise asyncio.CancelledError  # as the handling task is when the server stops

    batch = TurnBatch(cancelled, "test")

    outcomes = await asyncio.gather(batch.submit([1]), batch.submit([2]), return_exceptions=True)

    assert [type(outcome) for outcome in outcomes] == [asyncio.CancelledError] * 2
