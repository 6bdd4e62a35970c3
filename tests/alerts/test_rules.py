"""The alert rules on known inputs: silence with and without active hours, sustained window
conditions that must reach back over the whole period."""

from __future__ import annotations

import time

import pytest

from sensorhub.alerts import (
    DEVICE_SILENT,
    PLATE_DRIFT,
    PLATE_LOADED_N,
    STRESS_SUSTAINED,
    WINDOWS_POOR,
    ActiveHours,
    LastSeen,
    WindowPoint,
    drifted_plates,
    silent_devices,
    sustained,
    window_conditions,
)
from sensorhub.types import IdleReading

NOW = 1_800_000_000.0


def local_epoch(hour: int, minute: int) -> float:
    return time.mktime((2026, 12, 7, hour, minute, 0, 0, 0, -1))


def windows(device: str, qualities: str, step_s: float = 5.0) -> list[WindowPoint]:
    """One window per character, the last ending at NOW: g good, p poor, s stressed (good)."""
    return [
        WindowPoint(
            device,
            NOW - step_s * (len(qualities) - 1 - i),
            "poor" if q == "p" else "good",
            0.9 if q == "s" else 0.1,
        )
        for i, q in enumerate(qualities)
    ]


def test_a_device_is_silent_from_exactly_the_set_time() -> None:
    seen = {"a": NOW - 60.0, "b": NOW - 59.9}
    assert [c.subject for c in silent_devices(seen, NOW, 60.0, None)] == ["a"]
    assert silent_devices(seen, NOW, 60.0, None)[0].rule == DEVICE_SILENT


@pytest.mark.parametrize(
    ("hours", "at", "counts"),
    [
        ("07:00-22:00", (6, 59), False),
        ("07:00-22:00", (7, 0), True),
        ("07:00-22:00", (21, 59), True),
        ("07:00-22:00", (22, 0), False),
        ("22:00-06:00", (23, 30), True),  # wraps midnight
        ("22:00-06:00", (5, 59), True),
        ("22:00-06:00", (12, 0), False),
    ],
)
def test_silence_counts_only_during_active_hours(
    hours: str, at: tuple[int, int], counts: bool
) -> None:
    now = local_epoch(*at)
    found = silent_devices({"a": now - 3600}, now, 60.0, ActiveHours.parse(hours))
    assert bool(found) is counts


@pytest.mark.parametrize("text", ["7-22", "25:00-06:00", "07:60-08:00", ""])
def test_malformed_hours_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        ActiveHours.parse(text)


def test_last_seen_forgets_the_longest_silent_past_its_bound() -> None:
    from sensorhub.alerts._rules import MAX_DEVICES_SEEN

    seen = LastSeen()
    for i in range(MAX_DEVICES_SEEN + 1):
        seen.saw(f"d{i}", float(i))
    seen.saw("d1", 1e9)  # heard again: now the newest
    snapshot = seen.snapshot()
    assert len(snapshot) == MAX_DEVICES_SEEN
    assert "d0" not in snapshot and snapshot["d1"] == 1e9


def test_sustained_needs_windows_reaching_back_over_the_whole_period() -> None:
    def poor(w: WindowPoint) -> bool:
        return w.quality == "poor"

    # 13 windows 5 s apart span exactly 60 s: the first ends at the period's start.
    assert sustained(windows("w", "p" * 13), NOW, 60.0, poor)
    assert not sustained(windows("w", "p" * 12), NOW, 60.0, poor)  # only 55 s of data
    assert not sustained(windows("w", "g" + "p" * 12), NOW, 60.0, poor)  # good at the start
    assert sustained(windows("w", "g" + "p" * 13), NOW, 60.0, poor)  # the good one is older


def test_window_rules_name_each_wearable_and_rule() -> None:
    points = windows("poor-wrist", "p" * 13) + windows("tense-wrist", "s" * 13)
    points += windows("fine-wrist", "g" * 13)
    found = window_conditions(points, NOW, 60.0, 60.0, 0.5)
    assert {(c.rule, c.subject) for c in found} == {
        (WINDOWS_POOR, "poor-wrist"),
        (STRESS_SUSTAINED, "tense-wrist"),
    }
    assert window_conditions(points, NOW, 0.0, 0.0, 0.5) == []  # both rules off


def test_a_steady_idle_plate_past_the_threshold_needs_a_re_tare_and_a_loaded_one_does_not() -> None:
    idle = {
        "zeroed": IdleReading(mean_n=19.9, spread_n=2.0),  # just inside ±20 N
        "drifted-up": IdleReading(mean_n=20.0, spread_n=2.0),
        "drifted-down": IdleReading(mean_n=-35.0, spread_n=2.0),
        "stepping-on": IdleReading(mean_n=90.0, spread_n=400.0),  # not steady
        "loaded": IdleReading(mean_n=PLATE_LOADED_N, spread_n=2.0),  # someone on it
    }
    found = drifted_plates(idle, threshold_n=20.0)
    assert [(c.rule, c.subject) for c in found] == [
        (PLATE_DRIFT, "drifted-down"),
        (PLATE_DRIFT, "drifted-up"),
    ]
    assert "-35.0 N" in found[0].detail
