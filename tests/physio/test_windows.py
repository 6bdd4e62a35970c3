"""``SlidingWindows`` holds a bounded number of devices, and forgets quiet ones (issue 19)."""

from __future__ import annotations

import numpy as np
import pytest

from sensorhub.physio import SignalBatch, SlidingWindows
from sensorhub.physio.batch import Samples

WINDOW_S, STEP_S = 10.0, 5.0


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def second_of_bvp(device_id: str, second: int) -> SignalBatch:
    return SignalBatch(device_id, second, 1000.0 * second, {"bvp": Samples(64.0, np.zeros(64))})


def windows(max_devices: int = 3, idle_s: float = 60.0) -> tuple[SlidingWindows, FakeClock]:
    clock = FakeClock()
    held = SlidingWindows(WINDOW_S, STEP_S, max_devices=max_devices, idle_s=idle_s, clock=clock)
    return held, clock


def test_a_new_device_past_the_limit_pushes_out_the_least_recently_heard() -> None:
    held, clock = windows(max_devices=3)
    for second, device in enumerate(["a", "b", "c", "a", "d"]):
        clock.now = second
        held.add(second_of_bvp(device, second))
    assert held.devices_held == 3
    # "b" was heard from least recently: it starts again, needing a whole window once more.
    due = [held.add(second_of_bvp("b", s)) for s in range(5, 5 + int(WINDOW_S))]
    assert [len(d) for d in due] == [0] * (int(WINDOW_S) - 1) + [1]
    assert held.devices_held == 3


def test_a_device_quiet_for_the_idle_time_is_forgotten() -> None:
    held, clock = windows(max_devices=10, idle_s=60.0)
    held.add(second_of_bvp("quiet", 0))
    clock.now = 59.0
    held.add(second_of_bvp("busy", 0))
    assert held.devices_held == 2
    clock.now = 60.0
    held.forget_idle()
    assert held.devices_held == 1  # "quiet" went, "busy" was heard 1 s ago


def test_a_device_keeps_its_windows_while_within_both_bounds() -> None:
    held, clock = windows(max_devices=2, idle_s=60.0)
    due = []
    for second in range(int(WINDOW_S) + int(STEP_S)):
        clock.now = second
        due += held.add(second_of_bvp("steady", second))
        held.add(second_of_bvp("other", second))
    assert [(w.start_ms, w.end_ms) for w in due] == [(0.0, 10_000.0), (5_000.0, 15_000.0)]


@pytest.mark.parametrize(("max_devices", "idle_s"), [(0, 60.0), (1, 0.0)])
def test_the_bounds_must_hold_something(max_devices: int, idle_s: float) -> None:
    with pytest.raises(ValueError):
        SlidingWindows(max_devices=max_devices, idle_s=idle_s)
