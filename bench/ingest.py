"""HTTP ingest of wearable readings, ours beside the bare FastAPI app (``bench.bare_app``).

Both servers run at once and take turns under the same ``wrk`` load, so noise from the
shared machine falls on both alike.
"""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

from bench import _servers, _wrk
from bench._table import Result

SECONDS = 5.0
TURNS = 3  # short alternating runs, so a burst of noise falls on both servers alike
TURN_SECONDS = 2
CONNECTIONS = 32
BATCH = 100
BATCH_CONNECTIONS = 4


def measure() -> list[Result]:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        log = Path(tmp) / "servers.log"
        with (
            _servers.running(["-m", "bench.bare_app"], log) as bare,
            _servers.running(_servers.ours(data), log, _servers.LIMITS_OFF) as server,
        ):
            bare_url, url = bare.url + "/api/sensor-data", server.url + "/api/sensor-data"
            bare_many, many = _in_turns(bare_url, url, CONNECTIONS)
            bare_one, one = _in_turns(bare_url, url, 1)
            batch = _wrk.post(
                url + "/batch", connections=BATCH_CONNECTIONS, seconds=SECONDS, batch=BATCH
            )
        stored = _count_readings(data / "sensorhub.db")
    refused = many.non_2xx + one.non_2xx + batch.non_2xx
    answered = many.requests + one.requests + batch.requests * BATCH - refused
    errors = refused + many.socket_errors + one.socket_errors + batch.socket_errors
    all_stored = errors == 0 and stored >= answered  # in-flight ones at wrk's end count too
    storage = f"{answered} answered 200, {stored} committed, {refused} refused, {errors} errors"
    return [
        Result(
            f"POST /api/sensor-data, {CONNECTIONS} connections",
            many.per_s,
            "req/s",
            bare_many.per_s,
            "≥ 0.67× bare",
            all_stored and many.per_s >= 0.67 * bare_many.per_s,
            storage,
        ),
        Result(
            f"  same, latency p99 (p50 {many.p50_ms:.1f} vs {bare_many.p50_ms:.1f} ms)",
            many.p99_ms,
            "ms",
            bare_many.p99_ms,
            "≤ 2× bare",
            many.p99_ms <= 2 * bare_many.p99_ms,
        ),
        Result(
            "POST /api/sensor-data, 1 sequential client, p50",
            one.p50_ms,
            "ms",
            bare_one.p50_ms,
            "≤ bare + 0.5 ms",
            one.p50_ms <= bare_one.p50_ms + 0.5,
            f"{one.per_s:.0f} vs bare {bare_one.per_s:.0f} req/s",
        ),
        Result(
            f"POST /api/sensor-data/batch of {BATCH}, {BATCH_CONNECTIONS} connections",
            batch.per_s * BATCH,
            "readings/s",
            bare_many.per_s,
            "≥ 20× bare req/s",
            batch.per_s * BATCH >= 20 * bare_many.per_s,
            f"baseline: the bare app's single-reading req/s at {CONNECTIONS} connections",
        ),
    ]


def _in_turns(bare_url: str, url: str, connections: int) -> tuple[_wrk.Load, _wrk.Load]:
    """The bare app and ours under the same load, taking turns; the runs of each combined."""
    runs: tuple[list[_wrk.Load], list[_wrk.Load]] = ([], [])
    for _ in range(TURNS):
        for target, results in zip((bare_url, url), runs, strict=True):
            results.append(_wrk.post(target, connections=connections, seconds=TURN_SECONDS))
    bare, ours = (_wrk.combine(results) for results in runs)
    return bare, ours


def _count_readings(database: Path) -> int:
    with sqlite3.connect(database) as conn:
        count: int = conn.execute("SELECT count(*) FROM readings").fetchone()[0]
    return count
