"""A simulated month of force-plate tests, with and without ``retain_plate_samples_days``
(``python -m bench.retention_plates``; minutes, not part of ``make test``). The sibling of
``bench.retention_month`` (wearable signals), measured the same way.

The clock is simulated: 30 days of ``--tests-per-day`` IMTP pulls (the imtp-processor
fixture's 7.8 s Hawkin curve at 1 kHz, as a plate streams it: 50-sample batches of
``[t_ms, left_N, right_N]``) go through the real storage writer, each saved as the server
saves a finished test (CSV file in ``test_data/``, analysis on the row) at the time it would
have been recorded. The retained run is thinned once a simulated day, as the server's upkeep
would with ``retain_plate_samples_days = 7``. Printed: the cost of one test (sample rows,
CSV, analysis, and what a 1 000-bucket min/max curve for the page's chart would take), each
database's size (file and free pages) and test_data size, and what a real server on the
retained data dir answers for a thinned test.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import sqlite3
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np

from bench.retention_month import serving
from sensorhub.loadcell.calibration import Calibration
from sensorhub.loadcell.recorded import analysis_record
from sensorhub.loadcell.session import Sample
from sensorhub.storage import Storage, TestFiles

DAY_S = 86_400.0
T0 = 1_798_761_600.0  # 2027-01-01 00:00 UTC
DEVICE = "plate-month"
BATCH = 50  # samples per batch, as the plate firmware sends them
CURVE = Path(__file__).resolve().parents[1] / "tests/fixtures/imtp-processor/hawkin.csv"
CALIBRATION = {"l": {"offset": 0.0, "scale": 1.0}, "r": {"offset": 0.0, "scale": 1.0}}
CHART_BUCKETS = 1_000  # min/max pairs: ~2 points per pixel column of the test page's chart


def pull() -> list[Sample]:
    with CURVE.open() as file:
        rows = list(csv.reader(file))[1:]
    return [(round(float(t) * 1000), float(left), float(right)) for t, left, right, _ in rows]


def chart_curve_bytes(samples: list[Sample]) -> int:
    """The JSON size of a min/max decimated total-force curve (time, min, max per bucket)."""
    total = np.array([left + right for _, left, right in samples])
    times = np.array([t for t, _, _ in samples], dtype=float)
    buckets = [
        [float(times[part[0]]), float(total[part].min()), float(total[part].max())]
        for part in np.array_split(np.arange(total.size), CHART_BUCKETS)
    ]
    return len(json.dumps(buckets, separators=(",", ":")))


async def fill(data_dir: Path, days: int, per_day: int, keep_days: float | None) -> float:
    storage = Storage(f"sqlite:///{data_dir / 'sensorhub.db'}", timeout_s=60)
    files = TestFiles(data_dir / "test_data")
    samples = pull()
    analysis = analysis_record(samples, Calibration.from_dict(CALIBRATION))
    await storage.open()
    started = time.perf_counter()
    try:
        for day in range(days):
            for n in range(per_day):
                # Tests through the day from 08:00, one every 20 min.
                at = T0 + day * DAY_S + 8 * 3600 + n * 1200
                await save_test(storage, files, at, samples, analysis)
            now = T0 + (day + 1) * DAY_S
            if keep_days is not None:
                await storage.plate_retention.thin(now - keep_days * DAY_S, now, files)
    finally:
        await storage.close()
    return time.perf_counter() - started


async def save_test(
    storage: Storage,
    files: TestFiles,
    at: float,
    samples: list[Sample],
    analysis: dict[str, object],
) -> None:
    test_id = await storage.tests.create(DEVICE, at, CALIBRATION, "Month", None)
    batches = [samples[i : i + BATCH] for i in range(0, len(samples), BATCH)]
    await asyncio.gather(
        *(storage.tests.append_samples(test_id, seq, batch) for seq, batch in enumerate(batches))
    )
    name = await asyncio.to_thread(files.write, at, samples)
    await storage.tests.complete(
        test_id,
        sample_count=len(samples),
        csv_file=name,
        analysis=analysis,
        state="complete",
        stopped_at=at + 8,
        ended_at=at + 8,
    )


def size(data_dir: Path) -> dict[str, float]:
    path = data_dir / "sensorhub.db"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page = conn.execute("PRAGMA page_size").fetchone()[0]
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        free = conn.execute("PRAGMA freelist_count").fetchone()[0]
        batch_rows, sample_text = conn.execute(
            "SELECT count(*), coalesce(sum(length(samples)), 0) FROM sample_batches"
        ).fetchone()
        tests, thinned = conn.execute(
            "SELECT count(*), count(samples_thinned_at) FROM tests"
        ).fetchone()
    csvs = list((data_dir / "test_data").glob("*.csv"))
    return {
        "file_mb": path.stat().st_size / 1e6,
        "free_mb": free * page / 1e6,
        "used_mb": (pages - free) * page / 1e6,
        "sample_text_mb": sample_text / 1e6,
        "batch_rows": batch_rows,
        "tests": tests,
        "tests_thinned": thinned,
        "csv_files": len(csvs),
        "csv_mb": sum(f.stat().st_size for f in csvs) / 1e6,
    }


def per_test() -> dict[str, int]:
    samples = pull()
    analysis = analysis_record(samples, Calibration.from_dict(CALIBRATION))
    batches = [samples[i : i + BATCH] for i in range(0, len(samples), BATCH)]
    with tempfile.TemporaryDirectory() as scratch:
        files = TestFiles(Path(scratch))
        csv_bytes = (Path(scratch) / files.write(T0, samples)).stat().st_size
    return {
        "samples": len(samples),
        "sample_batch_json_bytes": sum(len(json.dumps(b, separators=(",", ":"))) for b in batches),
        "csv_bytes": csv_bytes,
        "analysis_json_bytes": len(json.dumps(analysis)),
        "chart_curve_json_bytes": chart_curve_bytes(samples),
    }


def api_answer(data_dir: Path) -> dict[str, object]:
    """What a real server on the retained data dir answers for the month's first test."""
    with serving(data_dir) as url:
        record = httpx.get(f"{url}/api/tests/1").json()["data"]
        samples = httpx.get(f"{url}/api/tests/1/samples")
        analysis = httpx.get(f"{url}/api/tests/1/analysis")
        return {
            "samples_thinned_at": record["samples_thinned_at"],
            "summary": record["summary"],
            "samples": [samples.status_code, samples.json()],
            "analysis_status": analysis.status_code,
            "csv_status": httpx.get(f"{url}/api/tests/1.csv").status_code,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--tests-per-day", type=int, default=24)
    parser.add_argument("--keep-days", type=float, default=7.0)
    parser.add_argument("--keep", type=Path, help="keep the data dirs in this directory")
    args = parser.parse_args()
    print("one test:", json.dumps(per_test()), flush=True)
    with tempfile.TemporaryDirectory() as scratch:
        root = args.keep or Path(scratch)
        for name, keep_days in (("without_retention", None), ("samples_7_days", args.keep_days)):
            data_dir = root / name
            data_dir.mkdir(parents=True, exist_ok=True)
            seconds = asyncio.run(fill(data_dir, args.days, args.tests_per_day, keep_days))
            print(name, json.dumps({**size(data_dir), "fill_s": round(seconds, 1)}), flush=True)
        answer = api_answer(root / "samples_7_days")
        print("API for the month's first test:", json.dumps(answer, indent=1))


if __name__ == "__main__":
    main()
