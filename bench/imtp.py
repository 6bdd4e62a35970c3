"""IMTP analysis: in-process timings of the core, and ``sensorhub analyze`` as a user runs it.

The command's baseline is the bare interpreter's start-up (``python -c pass``): the floor no
command line can go under.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bench._table import Result
from sensorhub.loadcell import AnalysisParams, analyze, read_force_file

FloatArray = npt.NDArray[np.float64]

_REPEATS = 100
_COMMAND_REPEATS = 5


def measure() -> list[Result]:
    t10, left10, right10 = _trial(seconds=10.0, rate_hz=1000.0)
    t60, left60, right60 = _trial(seconds=60.0, rate_hz=1000.0)
    manual = AnalysisParams(weigh_start_s=1.0, onset_method="manual", onset_time_s=3.0)
    automatic_ms = _median_ms(lambda: analyze(t10, left10, right10))
    manual_ms = _median_ms(lambda: analyze(t10, left10, right10, params=manual))
    long_ms = _median_ms(lambda: analyze(t60, left60, right60), 20)
    with tempfile.TemporaryDirectory() as folder:
        path = _write_csv(Path(folder) / "trial.csv", t10, left10, right10)
        read_ms = _median_ms(lambda: read_force_file(path), 30)
        command_s = _median_ms(lambda: _run(["-m", "sensorhub", "analyze", str(path)]), 5) / 1000
    python_s = _median_ms(lambda: _run(["-c", "pass"]), _COMMAND_REPEATS) / 1000
    return [
        Result("imtp: analyse 10 s @ 1 kHz, automatic", automatic_ms, "ms", None, "≤ 5 ms",
               automatic_ms <= 5),
        Result("imtp: analyse 10 s @ 1 kHz, manual onset", manual_ms, "ms", None, "≤ 5 ms",
               manual_ms <= 5),
        Result("imtp: analyse 60 s @ 1 kHz, automatic", long_ms, "ms"),
        Result("sensorhub analyze: read the 10 s t,l,r CSV", read_ms, "ms", None, "≤ 10 ms",
               read_ms <= 10),
        Result("sensorhub analyze of a 10 s CSV, whole command", command_s, "s", python_s,
               "≤ 0.5 s", command_s <= 0.5, "baseline: python -c pass"),
    ]  # fmt: skip


def _median_ms(call: Callable[[], object], repeats: int = _REPEATS) -> float:
    call()  # warm caches and lazy imports once
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000.0)
    return statistics.median(times)


def _run(arguments: list[str]) -> None:
    subprocess.run([sys.executable, *arguments], check=True, capture_output=True)


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
