"""Sliding windows over each device's signals: every ``step_s`` of device time, the last
``window_s`` of every channel on a regular grid, ready for ``window_features``."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from sensorhub.physio.batch import ACC, SignalBatch
from sensorhub.physio.features import Channel, WindowSignals

# WESAD's window and a step that keeps a live chart moving (Schmidt et al. 2018).
DEFAULT_WINDOW_S = 60.0
DEFAULT_STEP_S = 5.0
# A device silent this long (server time) is forgotten: its next batch starts its windows
# anew, as after a restart. Longer than any gap a window could bridge (a window's length)
# and than a wearable's offline back-fill is likely to take to begin. Memory is then bounded
# by the devices heard in the last IDLE_S, each holding at most one window of samples.
IDLE_S = 600.0


@dataclass(frozen=True, slots=True)
class DueWindow:
    """A window ready to compute: [start_ms, end_ms) of device time."""

    device_id: str
    start_ms: float
    end_ms: float
    signals: WindowSignals


@dataclass(slots=True)
class _Chunk:
    t0_ms: float
    hz: float
    values: np.ndarray


@dataclass(slots=True)
class _Device:
    boot: str
    next_end_ms: float
    seen_at: float
    covered_ms: float = -math.inf
    chunks: dict[str, list[_Chunk]] = field(default_factory=dict)


class SlidingWindows:
    """Per-device buffers, in memory, each following one stream. A device's windows begin
    again, once a full window of new samples has arrived, after a server restart, a device
    restart (a new boot id), its clock going back more than a window before the window being
    filled or leaping a window forwards, or ``IDLE_S`` of silence (forgotten within
    2 × ``IDLE_S``); the samples themselves are stored."""

    def __init__(
        self,
        window_s: float = DEFAULT_WINDOW_S,
        step_s: float = DEFAULT_STEP_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not 0 < step_s <= window_s:
            raise ValueError("the step must be positive and no longer than the window")
        self.window_ms = 1000.0 * window_s
        self.step_ms = 1000.0 * step_s
        self._clock = clock
        self._devices: dict[str, _Device] = {}
        self._swept_at = clock()

    def __len__(self) -> int:
        """Devices whose windows are held."""
        return len(self._devices)

    def add(self, batch: SignalBatch) -> list[DueWindow]:
        """Take ``batch``; return the windows it completes, oldest first."""
        now = self._clock()
        self._forget_idle(now)
        device = self._devices.get(batch.device_id)
        if device is None or self._new_stream(device, batch):
            device = _Device(batch.boot, batch.t0_ms + self.window_ms, now)
            self._devices[batch.device_id] = device
        device.seen_at = now
        for name, samples in batch.channels.items():
            chunk = _Chunk(batch.t0_ms, samples.hz, samples.values)
            device.chunks.setdefault(name, []).append(chunk)
        device.covered_ms = max(device.covered_ms, batch.end_ms())
        self._skip_gap(device)
        due: list[DueWindow] = []
        while device.next_end_ms <= device.covered_ms:
            end = device.next_end_ms
            start = end - self.window_ms
            due.append(DueWindow(batch.device_id, start, end, self._cut(device, start)))
            device.next_end_ms += self.step_ms
        self._prune(device)
        return due

    def _new_stream(self, device: _Device, batch: SignalBatch) -> bool:
        """A new boot; a clock gone back a window before the window being filled (a batch
        merely late stays in its stream); or leapt a window past the last sample (nothing
        held could reach a window with the new samples)."""
        went_back = batch.t0_ms < device.next_end_ms - 2 * self.window_ms
        leapt = batch.t0_ms > device.covered_ms + self.window_ms
        return batch.boot != device.boot or went_back or leapt

    def _forget_idle(self, now: float) -> None:
        """At most once per ``IDLE_S``: drop the devices silent for longer than that."""
        if now - self._swept_at < IDLE_S:
            return
        self._swept_at = now
        idle = [key for key, device in self._devices.items() if now - device.seen_at > IDLE_S]
        for key in idle:
            del self._devices[key]

    def _skip_gap(self, device: _Device) -> None:
        """After a long silence only the windows that can still hold new samples are due."""
        behind = device.covered_ms - self.window_ms - device.next_end_ms
        if behind > 0:
            device.next_end_ms += self.step_ms * math.floor(behind / self.step_ms)

    def _cut(self, device: _Device, start_ms: float) -> WindowSignals:
        channels = {name: _on_grid(chunks, start_ms, self.window_ms, name == ACC)
                    for name, chunks in device.chunks.items()}  # fmt: skip
        return WindowSignals(**{name: c for name, c in channels.items() if c is not None})

    def _prune(self, device: _Device) -> None:
        keep_from = device.next_end_ms - self.window_ms
        for name, chunks in device.chunks.items():
            device.chunks[name] = [
                c for c in chunks if c.t0_ms + 1000.0 * len(c.values) / c.hz > keep_from
            ]


def _on_grid(
    chunks: list[_Chunk], start_ms: float, window_ms: float, three_axes: bool
) -> Channel | None:
    """The chunks' samples inside the window on the grid of the latest chunk's rate (NaN
    where nothing arrived); samples sent at another rate are left out."""
    if not chunks:
        return None
    hz = chunks[-1].hz
    count = round(window_ms * hz / 1000.0)
    grid = np.full((count, 3) if three_axes else count, np.nan)
    for chunk in chunks:
        if chunk.hz != hz:
            continue
        first = round((chunk.t0_ms - start_ms) * hz / 1000.0)
        lo, hi = max(first, 0), min(first + len(chunk.values), count)
        if lo < hi:
            grid[lo:hi] = chunk.values[lo - first : hi - first]
    return Channel(hz, grid)
