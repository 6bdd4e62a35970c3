"""Sliding windows follow one stream per device (reboots, clock jumps, silence) and hold a
bounded number of devices."""

from __future__ import annotations

import numpy as np
import pytest

from sensorhub.physio import SignalBatch, SlidingWindows, samples
from sensorhub.physio.windows import IDLE_S


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def second(device: str, t0_s: float, boot: str = "") -> SignalBatch:
    """One second of a 4 Hz temperature channel starting at ``t0_s`` of device time."""
    return SignalBatch(device, 0, 1000.0 * t0_s, {"temperature": samples(4, np.full(4, 33.0))},
                       boot)  # fmt: skip


def feed(
    windows: SlidingWindows, device: str, start_s: int, seconds: int, boot: str = ""
) -> list[tuple[float, float]]:
    due = []
    for t in range(start_s, start_s + seconds):
        due += windows.add(second(device, t, boot))
    return [(w.start_ms, w.end_ms) for w in due]


def test_a_new_boot_starts_the_windows_from_its_own_clock() -> None:
    windows = SlidingWindows(window_s=10, step_s=5)
    assert feed(windows, "w", 1000, 10, boot="a") == [(1_000_000.0, 1_010_000.0)]
    # Rebooted: its clock counts from 0 again; the first 10 s are a window at once.
    assert feed(windows, "w", 0, 10, boot="b") == [(0.0, 10_000.0)]


def test_a_clock_gone_back_without_a_new_boot_also_starts_a_new_stream() -> None:
    windows = SlidingWindows(window_s=10, step_s=5)
    feed(windows, "w", 1000, 10)
    assert feed(windows, "w", 0, 10) == [(0.0, 10_000.0)]


def test_a_batch_merely_late_stays_in_its_stream() -> None:
    windows = SlidingWindows(window_s=10, step_s=5)
    feed(windows, "w", 0, 12)  # next window ends at 15 s
    assert feed(windows, "w", 4, 1) == []  # late, inside the window being filled
    assert feed(windows, "w", 12, 3) == [(5_000.0, 15_000.0)]


def test_a_clock_leaping_forwards_skips_the_windows_no_sample_reaches() -> None:
    windows = SlidingWindows(window_s=10, step_s=5)
    feed(windows, "w", 0, 10)
    due = feed(windows, "w", 10_000, 10)  # NTP set the clock: now epoch-like
    assert due == [(10_000_000.0, 10_010_000.0)]


def test_a_device_silent_for_idle_s_is_forgotten() -> None:
    clock = Clock()
    windows = SlidingWindows(window_s=10, step_s=5, clock=clock)
    feed(windows, "quiet", 0, 3)
    feed(windows, "busy", 0, 3)
    clock.now = IDLE_S / 2
    feed(windows, "busy", 3, 1)
    clock.now = IDLE_S + 1
    feed(windows, "busy", 4, 1)  # the sweep: "quiet" has been silent for longer than IDLE_S
    assert len(windows) == 1
    clock.now = 2 * IDLE_S + 2
    feed(windows, "other", 0, 1)
    assert len(windows) == 1  # "busy", silent since IDLE_S + 1, gave way; "other" is new


# Bounded in number and idleness (issue 19: any device id may send).
WINDOW_S, STEP_S = 10.0, 5.0


def bvp_second(device_id: str, second: int) -> SignalBatch:
    return SignalBatch(device_id, second, 1000.0 * second, {"bvp": samples(64.0, np.zeros(64))})


def bounded(max_devices: int = 3, idle_s: float = 60.0) -> tuple[SlidingWindows, Clock]:
    clock = Clock()
    held = SlidingWindows(WINDOW_S, STEP_S, max_devices=max_devices, idle_s=idle_s, clock=clock)
    return held, clock


def test_a_new_device_past_the_limit_pushes_out_the_least_recently_heard() -> None:
    held, clock = bounded(max_devices=3)
    for second, device in enumerate(["a", "b", "c", "a", "d"]):
        clock.now = second
        held.add(bvp_second(device, second))
    assert len(held) == 3
    # "b" was heard from least recently: it starts again, needing a whole window once more.
    due = [held.add(bvp_second("b", s)) for s in range(5, 5 + int(WINDOW_S))]
    assert [len(d) for d in due] == [0] * (int(WINDOW_S) - 1) + [1]
    assert len(held) == 3


def test_a_device_quiet_for_the_idle_time_is_forgotten() -> None:
    held, clock = bounded(max_devices=10, idle_s=60.0)
    held.add(bvp_second("quiet", 0))
    clock.now = 59.0
    held.add(bvp_second("busy", 0))
    assert len(held) == 2
    clock.now = 60.0
    held.forget_idle()
    assert len(held) == 1  # "quiet" went, "busy" was heard 1 s ago


def test_a_device_keeps_its_windows_while_within_both_bounds() -> None:
    held, clock = bounded(max_devices=2, idle_s=60.0)
    due = []
    for second in range(int(WINDOW_S) + int(STEP_S)):
        clock.now = second
        due += held.add(bvp_second("steady", second))
        held.add(bvp_second("other", second))
    assert [(w.start_ms, w.end_ms) for w in due] == [(0.0, 10_000.0), (5_000.0, 15_000.0)]


@pytest.mark.parametrize(("max_devices", "idle_s"), [(0, 60.0), (1, 0.0)])
def test_the_bounds_must_hold_something(max_devices: int, idle_s: float) -> None:
    with pytest.raises(ValueError):
        SlidingWindows(max_devices=max_devices, idle_s=idle_s)
