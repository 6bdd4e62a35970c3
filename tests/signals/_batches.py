"""Signal batches as a wearable posts them: a synthetic pulse with a known heart rate."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from sensorhub.physio.synth import beat_times, pulse_wave, sample_times

IBI_MS = 800.0  # 75 bpm
_devices = itertools.count(1)


def new_device(prefix: str) -> str:
    return f"{prefix}-{next(_devices)}"


def batch(device_id: str, seq: int, start_s: float, seconds: float) -> dict[str, Any]:
    """``seconds`` of BVP 64 Hz, temperature 4 Hz and acceleration 32 Hz from ``start_s``."""
    beats = beat_times(np.full(int((start_s + seconds) * 1000 / IBI_MS) + 2, IBI_MS), 0.3)
    t = start_s + sample_times(64, seconds)
    t_acc = sample_times(32, seconds)
    rng = np.random.default_rng(seq)
    return {
        "device_id": device_id,
        "seq": seq,
        "t0": 1000.0 * start_s,
        "bvp": {"hz": 64, "values": (100 * pulse_wave(beats, t)).tolist()},
        "temperature": {"hz": 4, "values": (33.0 + rng.normal(0, 0.01, int(4 * seconds))).tolist()},
        "acc": {
            "hz": 32,
            "x": rng.normal(0, 0.01, len(t_acc)).tolist(),
            "y": rng.normal(0, 0.01, len(t_acc)).tolist(),
            "z": (1 + rng.normal(0, 0.01, len(t_acc))).tolist(),
        },
    }
