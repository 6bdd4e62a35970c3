"""The alert rules as pure functions: what holds now, given what the server has seen.

Each rule names a condition for one subject (a device, or "storage"); the monitor opens an
alert when a condition appears and closes it when it goes, so a lasting condition is one alert.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from sensorhub.types import IdleReading

DEVICE_SILENT = "device_silent"
WINDOWS_POOR = "windows_poor"
STRESS_SUSTAINED = "stress_sustained"
STORAGE_UNAVAILABLE = "storage_unavailable"
PLATE_DRIFT = "plate_drift"
# An idle plate reading more than this carries a load (a person, a bar), not drift: it is
# less than the weight of anyone who tests (20 kg × 9.81 ≈ 196 N). docs/operations.md
PLATE_LOADED_N = 200.0
STORAGE_SUBJECT = "storage"
# How many devices ``LastSeen`` remembers: far more than a club has, few enough that made-up
# device ids cannot grow memory without bound (the longest-silent are forgotten first).
MAX_DEVICES_SEEN = 10_000
_HOURS = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")


@dataclass(frozen=True, slots=True)
class Condition:
    rule: str
    subject: str
    detail: str


@dataclass(frozen=True, slots=True)
class WindowPoint:
    """What the window rules read of a stored window."""

    device_id: str
    at: float  # the window's end, server clock
    quality: str  # "good" or "poor"
    stress_probability: float | None


@dataclass(frozen=True, slots=True)
class ActiveHours:
    """Local times of day during which silence counts, e.g. 07:00-22:00 (may wrap midnight)."""

    start_min: int
    end_min: int

    @classmethod
    def parse(cls, text: str) -> ActiveHours:
        match = _HOURS.match(text.strip())
        if match is None:
            raise ValueError("must look like 07:00-22:00")
        h1, m1, h2, m2 = (int(part) for part in match.groups())
        if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59:
            raise ValueError("hours 0-24, minutes 0-59")
        return cls(h1 * 60 + m1, h2 * 60 + m2)

    def contains(self, epoch_s: float) -> bool:
        local = time.localtime(epoch_s)
        minute = local.tm_hour * 60 + local.tm_min
        if self.start_min <= self.end_min:
            return self.start_min <= minute < self.end_min
        return minute >= self.start_min or minute < self.end_min


class LastSeen:
    """When each device last sent anything, on any transport (``Hub.admit``)."""

    def __init__(self) -> None:
        self._at: dict[str, float] = {}

    def saw(self, device_id: str, at: float) -> None:
        self._at.pop(device_id, None)  # re-inserted last: the dict stays oldest-first
        self._at[device_id] = at
        if len(self._at) > MAX_DEVICES_SEEN:
            del self._at[next(iter(self._at))]

    def snapshot(self) -> dict[str, float]:
        return dict(self._at)


def silent_devices(
    last_seen: Mapping[str, float], now: float, silent_s: float, hours: ActiveHours | None
) -> list[Condition]:
    """Devices heard from before and silent for ``silent_s`` or more, during active hours."""
    if hours is not None and not hours.contains(now):
        return []
    return [
        Condition(DEVICE_SILENT, device, f"no data for {_duration(silent_s)} or more")
        for device, at in sorted(last_seen.items())
        if now - at >= silent_s
    ]


def sustained(
    windows: Sequence[WindowPoint],
    now: float,
    period_s: float,
    holds: Callable[[WindowPoint], bool],
) -> bool:
    """Whether ``holds`` is true of every window of the last ``period_s``, and windows reach
    back that far: the window ending at or just before the period's start is the first one
    that must hold (so a period is never judged on its last few windows alone)."""
    ordered = sorted(windows, key=lambda window: window.at)
    start = now - period_s
    anchors = [i for i, window in enumerate(ordered) if window.at <= start]
    if not anchors:
        return False
    return all(holds(window) for window in ordered[anchors[-1] :])


def window_conditions(
    windows: Sequence[WindowPoint],
    now: float,
    poor_s: float,
    stress_s: float,
    stress_probability: float,
) -> list[Condition]:
    """Wearables whose windows were all poor for ``poor_s``, or all predicted stressed (at
    least ``stress_probability``) for ``stress_s``; 0 turns a rule off."""
    by_device: dict[str, list[WindowPoint]] = {}
    for window in windows:
        by_device.setdefault(window.device_id, []).append(window)
    found = []
    for device, own in sorted(by_device.items()):
        if poor_s and sustained(own, now, poor_s, lambda w: w.quality == "poor"):
            found.append(Condition(WINDOWS_POOR, device, f"signal poor for {_duration(poor_s)}"))
        if stress_s and sustained(
            own,
            now,
            stress_s,
            lambda w: (
                w.stress_probability is not None and w.stress_probability >= stress_probability
            ),
        ):
            detail = f"stress predicted for {_duration(stress_s)} (p >= {stress_probability:g})"
            found.append(Condition(STRESS_SUSTAINED, device, detail))
    return found


def drifted_plates(idle: Mapping[str, IdleReading], threshold_n: float) -> list[Condition]:
    """Idle plates whose unloaded reading is ``threshold_n`` or more from zero: re-tare.

    Unloaded means steady (spread under the threshold: no one stepping on or off) and under
    ``PLATE_LOADED_N`` (no one standing on it)."""
    return [
        Condition(
            PLATE_DRIFT, device, f"reads {r.mean_n:+.1f} N unloaded (±{threshold_n:g} N): re-tare"
        )
        for device, r in sorted(idle.items())
        if threshold_n <= abs(r.mean_n) < PLATE_LOADED_N and r.spread_n < threshold_n
    ]


def storage_condition(healthy: bool) -> list[Condition]:
    if healthy:
        return []
    return [Condition(STORAGE_UNAVAILABLE, STORAGE_SUBJECT, "the database does not take writes")]


def _duration(seconds: float) -> str:
    return f"{seconds / 60:g} min" if seconds >= 60 else f"{seconds:g} s"
