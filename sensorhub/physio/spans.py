"""A stretch of a wearable's signals cut from stored batches, on the device's clock: a study
phase holds the batches *received* while it ran (as a session holds those received between
its start and stop), a 5-minute block the samples of 5 minutes of device time."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sensorhub.physio.batch import ACC, SignalBatch
from sensorhub.physio.features import Channel, WindowSignals


def span_signals(
    batches: Sequence[SignalBatch], start_ms: float | None = None, end_ms: float | None = None
) -> WindowSignals:
    """Every channel's samples in [start_ms, end_ms) of device time (default: from the first
    batch's start to the last one's end) on a regular grid at the channel's latest rate, NaN
    where nothing arrived; samples sent at another rate are left out."""
    if not batches:
        return WindowSignals()
    start = min(b.t0_ms for b in batches) if start_ms is None else start_ms
    end = max(b.end_ms() for b in batches) if end_ms is None else end_ms
    channels: dict[str, Channel] = {}
    for name in sorted({name for batch in batches for name in batch.channels}):
        rate = [b.channels[name].hz for b in batches if name in b.channels][-1]
        count = max(0, round((end - start) * rate / 1000.0))
        grid = np.full((count, 3) if name == ACC else count, np.nan)
        for batch in batches:
            samples = batch.channels.get(name)
            if samples is None or samples.hz != rate:
                continue
            first = round((batch.t0_ms - start) * rate / 1000.0)
            lo, hi = max(first, 0), min(first + len(samples), count)
            if lo < hi:
                grid[lo:hi] = samples.values[lo - first : hi - first]
        channels[name] = Channel(rate, grid)
    return WindowSignals(**channels)
