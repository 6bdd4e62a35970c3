"""LiveFrameQueue: a client's outgoing frames, live ones bounded (realtime/sendqueue.py)."""

from __future__ import annotations

import asyncio

from sensorhub.realtime import LiveFrameQueue


def is_live(frame: str) -> bool:
    return frame.startswith("live")


def notice(count: int) -> str:
    return f"dropped {count}"


def drain(queue: LiveFrameQueue[str]) -> list[str]:
    frames = []
    while not queue.empty():
        frames.append(queue.get_nowait())
        queue.task_done()
    return frames


def test_below_the_bound_nothing_is_dropped() -> None:
    queue = LiveFrameQueue(3, is_live, notice)
    for frame in ("live 1", "cmd", "live 2", "live 3"):
        queue.put_nowait(frame)
    assert drain(queue) == ["live 1", "cmd", "live 2", "live 3"]
    assert queue.dropped == 0


def test_the_oldest_live_frames_give_way_to_one_notice_in_their_place() -> None:
    queue = LiveFrameQueue(2, is_live, notice)
    for frame in ("status", "live 1", "live 2", "cmd stop", "live 3", "live 4", "live 5"):
        queue.put_nowait(frame)
    assert drain(queue) == ["status", "dropped 3", "cmd stop", "live 4", "live 5"]
    assert queue.dropped == 3


def test_a_notice_once_taken_starts_a_new_count() -> None:
    queue = LiveFrameQueue(1, is_live, notice)
    for frame in ("live 1", "live 2"):
        queue.put_nowait(frame)
    assert drain(queue) == ["dropped 1", "live 2"]
    for frame in ("live 3", "live 4", "live 5"):
        queue.put_nowait(frame)
    assert drain(queue) == ["dropped 2", "live 5"]


def test_other_frames_are_never_dropped() -> None:
    queue = LiveFrameQueue(1, is_live, notice)
    commands = [f"cmd {i}" for i in range(50)]
    for frame in commands:
        queue.put_nowait(frame)
    assert drain(queue) == commands


def test_zero_means_no_bound() -> None:
    queue = LiveFrameQueue(0, is_live, notice)
    frames = [f"live {i}" for i in range(100)]
    for frame in frames:
        queue.put_nowait(frame)
    assert drain(queue) == frames


async def test_join_returns_once_every_frame_left_is_done() -> None:
    # engine.io waits on join() when it closes a socket: dropped frames must not count.
    queue = LiveFrameQueue(2, is_live, notice)
    for i in range(10):
        await queue.put(f"live {i}")
    assert queue.qsize() == 3  # the notice and the two newest
    drain(queue)
    await asyncio.wait_for(queue.join(), timeout=1)
