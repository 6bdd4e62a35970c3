"""``InOrder``: one connection's events finish in arrival order even when the first one is
slow; other connections are not held up by it. (Without the lock, ``done`` would finish first.)"""

from __future__ import annotations

import asyncio

from sensorhub.realtime import InOrder


async def _event(
    order: InOrder, sid: str, name: str, done: list[str], hold: asyncio.Event | None = None
) -> None:
    async with order.turn(sid):
        if hold is not None:
            await hold.wait()  # a batch still on its way to storage
        done.append(name)


async def test_a_later_event_waits_for_the_slow_one_before_it() -> None:
    order, done, hold = InOrder(), list[str](), asyncio.Event()
    # Each event is a task of its own, as python-socketio runs them.
    samples = asyncio.create_task(_event(order, "esp", "samples", done, hold))
    finish = asyncio.create_task(_event(order, "esp", "done", done))
    other = asyncio.create_task(_event(order, "viewer", "register", done))
    await asyncio.wait_for(other, 5)
    assert done == ["register"]  # another connection went ahead; "done" did not
    hold.set()
    await asyncio.wait_for(asyncio.gather(samples, finish), 5)
    assert done == ["register", "samples", "done"]


async def test_many_events_finish_in_the_order_they_arrived() -> None:
    order, done = InOrder(), list[str]()
    holds = [asyncio.Event() for _ in range(20)]
    tasks = [
        asyncio.create_task(_event(order, "esp", str(n), done, hold))
        for n, hold in enumerate(holds)
    ]
    for hold in reversed(holds):  # release the last first: order must not depend on it
        hold.set()
    await asyncio.wait_for(asyncio.gather(*tasks), 5)
    assert done == [str(n) for n in range(20)]
