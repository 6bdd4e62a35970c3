"""Stress model inference time, in process (no HTTP): one reading and a batch of 1000."""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from bench._table import Result
from sensorhub.biometrics import BUNDLED_MODEL_PATH, load_stress_model


def _median_seconds(call: Callable[[], object], repeats: int) -> float:
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return float(np.median(samples))


def measure() -> list[Result]:
    start = time.perf_counter()
    model = load_stress_model(BUNDLED_MODEL_PATH, "bundled")
    load_ms = (time.perf_counter() - start) * 1000
    one = np.array([[0.85, 36.5, 0.9803]], dtype=np.float32)
    batch = np.random.default_rng(0).normal(size=(1000, 3)).astype(np.float32)
    single_us = _median_seconds(lambda: model.predict_proba(one), 5000) * 1e6
    batch_us = _median_seconds(lambda: model.predict_proba(batch), 500) * 1e6
    return [
        Result("stress model: load bundled .h5", load_ms, "ms", note="h5py + NumPy"),
        Result("stress model: predict 1 reading, median", single_us, "µs"),
        Result("stress model: predict 1000 readings, median", batch_us, "µs"),
    ]
