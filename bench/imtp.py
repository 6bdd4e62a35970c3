"""Timing of the IMTP analysis core: rows for the `make bench` table, nothing printed here.

Rows are `bench._table.Row` (name, value, unit, note), the shape the table runner unpacks.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bench._table import Row
from sensorhub.loadcell import AnalysisParams, analyze, read_force_file

FloatArray = npt.NDArray[np.float64]

_TARGET = "target < 5 ms"  # the brief's goal for a 10 s test at 1 kHz
_REPEATS = 300
_WARMUP = 20


def measure() -> list[Row]:
    """Median and p95 wall time (ms) of the analysis and of reading a force file."""
    t10, left10, right10 = _trial(seconds=10.0, rate_hz=1000.0)
    t60, left60, right60 = _trial(seconds=60.0, rate_hz=1000.0)
    manual = AnalysisParams(weigh_start_s=1.0, onset_method="manual", onset_time_s=3.0)
    rows: list[Row] = []
    rows += _timed(
        "imtp: analyse 10 s @ 1 kHz, automatic",
        lambda: analyze(t10, left10, right10),
        note=_TARGET,
    )
    rows += _timed(
        "imtp: analyse 10 s @ 1 kHz, manual",
        lambda: analyze(t10, left10, right10, params=manual),
        note=_TARGET,
    )
    rows += _timed(
        "imtp: analyse 60 s @ 1 kHz, automatic", lambda: analyze(t60, left60, right60), 50
    )
    with tempfile.TemporaryDirectory() as folder:
        path = _write_csv(Path(folder) / "trial.csv", t10, left10, right10)
        rows += _timed("imtp: read 10 s t,l,r CSV", lambda: read_force_file(path), 30)
    return rows


def _timed(
    name: str, call: Callable[[], object], repeats: int = _REPEATS, note: str = ""
) -> list[Row]:
    for _ in range(min(_WARMUP, repeats)):
        call()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000.0)
    p95 = float(np.percentile(times, 95))
    return [
        (f"{name}, median", statistics.median(times), "ms", note),
        (f"{name}, p95", p95, "ms", f"{repeats} runs"),
    ]


def _trial(seconds: float, rate_hz: float) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Quiet standing, a 0.4 s rise to 2.5× body weight at 2.5 s, held, with 2 N noise."""
    rng = np.random.default_rng(7)
    t_s = np.arange(int(seconds * rate_hz)) / rate_hz
    weight = 800.0
    rise = np.clip((t_s - 2.5) / 0.4, 0.0, 1.0)
    total = weight + 1.5 * weight * rise + rng.normal(0.0, 2.0, t_s.size)
    return t_s * 1000.0 + 123_456.0, 0.48 * total, 0.52 * total


def _write_csv(path: Path, t: FloatArray, left: FloatArray, right: FloatArray) -> Path:
    rows = np.column_stack([t, left, right])
    np.savetxt(path, rows, delimiter=",", header="t,l,r", comments="", fmt="%.3f")
    return path
