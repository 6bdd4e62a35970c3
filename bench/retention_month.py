"""A simulated month of one wearable's signals, with and without raw retention
(``python -m bench.retention_month``; minutes, not part of ``make test``).

The clock is simulated: 30 days of 60 s batches (BVP 64 Hz, temperature 4 Hz, acceleration
32 Hz x 3: 164 values/s, 14.2 million a day) go through the real storage writer with the
arrival times they would have had. The retained database is thinned once a simulated day, as
the server's upkeep would with ``retain_raw_signals_days = 7``. Printed: each database's size
(file and free pages), the time taken, and what the API answers for a day older than 7 days.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np

from sensorhub.physio import ACC, BVP, TEMPERATURE, SignalBatch, samples
from sensorhub.storage import Storage

DAY_S = 86_400.0
BATCH_S = 60.0
T0 = 1_798_761_600.0  # 2027-01-01 00:00 UTC
DEVICE = "wrist-month"
GROUP = 200  # batches submitted together: the writer commits them as one group


def month_batches(days: int) -> list[tuple[SignalBatch, float]]:
    rng = np.random.default_rng(1)
    bvp = rng.normal(0, 50, int(64 * BATCH_S))
    temperature = 33 + rng.normal(0, 0.1, int(4 * BATCH_S))
    acc = rng.normal(0, 0.1, (int(32 * BATCH_S), 3))
    count = int(days * DAY_S / BATCH_S)
    out = []
    for seq in range(count):
        shift = seq * 1e-6  # every batch's values differ, as real ones would
        channels = {
            BVP: samples(64, bvp + shift),
            TEMPERATURE: samples(4, temperature + shift),
            ACC: samples(32, acc + shift),
        }
        batch = SignalBatch(DEVICE, seq, 1000.0 * seq * BATCH_S, channels)
        out.append((batch, T0 + (seq + 1) * BATCH_S))
    return out


async def fill(path: Path, days: int, raw_days: float | None) -> float:
    storage = Storage(f"sqlite:///{path}", timeout_s=60)
    await storage.open()
    started = time.perf_counter()
    try:
        batches = month_batches(days)
        next_thin = T0 + DAY_S
        for start in range(0, len(batches), GROUP):
            group = batches[start : start + GROUP]
            await asyncio.gather(*(storage.signals.add_batch(b, at) for b, at in group))
            now = group[-1][1]
            if raw_days is not None and now >= next_thin:
                await storage.retention.thin(now - raw_days * DAY_S)
                next_thin += DAY_S
    finally:
        await storage.close()
    return time.perf_counter() - started


def size(path: Path) -> dict[str, float]:
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page = conn.execute("PRAGMA page_size").fetchone()[0]
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        free = conn.execute("PRAGMA freelist_count").fetchone()[0]
        raw = conn.execute("SELECT count(*) FROM signal_batches").fetchone()[0]
        minutes = conn.execute("SELECT count(*) FROM signal_minutes").fetchone()[0]
    return {
        "file_mb": path.stat().st_size / 1e6,
        "free_mb": free * page / 1e6,
        "used_mb": (pages - free) * page / 1e6,
        "raw_batch_rows": raw,
        "minute_rows": minutes,
    }


@contextlib.contextmanager
def serving(data_dir: Path, port: int = 5987) -> Iterator[str]:
    """A real server on ``data_dir`` (its stored database) while the block runs; its URL."""
    command = [sys.executable, "-m", "sensorhub", "serve", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--data-dir", str(data_dir)]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{url}/api/health").status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def api_answer(data_dir: Path, day: int) -> dict[str, object]:
    """What a real server on the retained database answers for ``day`` (UTC) of the month."""
    with serving(data_dir) as url:
        since = T0 + day * DAY_S
        params: dict[str, str | float] = {
            "device_id": DEVICE,
            "since": since,
            "until": since + 120,
            "limit": 10,
        }
        minutes = httpx.get(f"{url}/api/wearable/signal-minutes", params=params).json()
        raw = httpx.get(f"{url}/api/wearable/signals.csv", params=params).text
        return {"signal_minutes": minutes, "signals_csv_lines": raw.count("\n")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--raw-days", type=float, default=7.0)
    parser.add_argument("--keep", type=Path, help="keep the databases in this directory")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        root = args.keep or Path(scratch)
        results = {}
        for name, raw_days in (("without_retention", None), ("raw_7_days", args.raw_days)):
            data_dir = root / name
            data_dir.mkdir(parents=True, exist_ok=True)
            database = data_dir / "sensorhub.db"
            seconds = asyncio.run(fill(database, args.days, raw_days))
            results[name] = {**size(database), "fill_s": round(seconds, 1)}
            print(name, json.dumps(results[name]), flush=True)
        answer = api_answer(root / "raw_7_days", day=3)
        print("API for day 3 (older than 7 days):", json.dumps(answer, indent=1))


if __name__ == "__main__":
    main()
