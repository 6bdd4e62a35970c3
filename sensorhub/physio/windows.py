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
# A device holds up to a window of every channel (~1.8 MB at 1024 Hz BVP); any device id
# may send, so the devices held are bounded in number and forgotten when quiet.
MAX_DEVICES = 64
# A device silent this long (server time) is forgotten: its next batch starts its windows
# anew, as after a restart. Longer than any gap a window could bridge (a window's length)
# and than a wearable's offline back-fill is likely to take to begin.
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
    last_seen: float  # the server's monotonic clock at its latest batch
    covered_ms: float = -math.inf
    chunks: dict[str, list[_Chunk]] = field(default_factory=dict)


class SlidingWindows:
    """Per-device buffers, in memory, each following one stream. A device's windows begin
    again, once a full window of new samples has arrived, after a server restart, a device
    restart (a new boot id), its clock going back more than a window before the window being
    filled or leaping a window forwards, or ``idle_s`` of silence; the samples themselves are
    stored.

    At most ``max_devices`` devices are held: a new one pushes out the one heard from least
    recently, and a device silent for ``idle_s`` is forgotten (checked at every batch, and by
    ``forget_idle``).
    """

    def __init__(
        self,
        window_s: float = DEFAULT_WINDOW_S,
        step_s: float = DEFAULT_STEP_S,
        *,
        max_devices: int = MAX_DEVICES,
        idle_s: float = IDLE_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not 0 < step_s <= window_s:
            raise ValueError("the step must be positive and no longer than the window")
        if max_devices < 1 or idle_s <= 0:
            raise ValueError("at least one device must be held, for a positive time")
        self.window_ms = 1000.0 * window_s
        self.step_ms = 1000.0 * step_s
        self.max_devices = max_devices
        self.idle_s = idle_s
        self._clock = clock
        # Least recently heard from first: each batch moves its device to the end.
        self._devices: dict[str, _Device] = {}

    def __len__(self) -> int:
        """Devices whose windows are held."""
        return len(self._devices)

    def forget_idle(self) -> None:
        """Forget every device silent for ``idle_s`` or longer."""
        quiet_since = self._clock() - self.idle_s
        for device_id in [d for d, dev in self._devices.items() if dev.last_seen <= quiet_since]:
            del self._devices[device_id]

    def add(self, batch: SignalBatch) -> list[DueWindow]:
        """Take ``batch``; return the windows it completes, oldest first."""
        self.forget_idle()
        device = self._devices.pop(batch.device_id, None)
        if device is None:
            while len(self._devices) >= self.max_devices:
                del self._devices[next(iter(self._devices))]
        if device is None or self._new_stream(device, batch):
            device = _Device(batch.boot, batch.t0_ms + self.window_ms, 0.0)
        device.last_seen = self._clock()
        self._devices[batch.device_id] = device
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
