"""``sensorhub db migrate-to``: a populated SQLite database into PostgreSQL and back to a server.

The source is filled by a real server (readings, a whole force-plate test, a calibration, a
device token, an athlete in two groups, a wearable's signal batch and a study session with a
phase); the copy is then served by a second server on PostgreSQL, which must answer
every list exactly as the first did and hand out new ids after the copied ones.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

from tests._postgres import postgres_database
from tests._readings import READING, stored_readings
from tests._server import LiveServer, start_server
from tests.forceplate._clients import complete_run, new_device, samples
from tests.signals._batches import batch as signal_batch

# More than one page of the API's listing; the copy's own paging is 5000 rows a page.
READINGS = 1250


@pytest.fixture
def target_url() -> Iterator[str]:
    yield from postgres_database()


def migrate_command(data_dir: Path, target_url: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "sensorhub", "db", "migrate-to", target_url]
    command += ["--data-dir", str(data_dir), "--db", f"sqlite:///{data_dir / 'sensorhub.db'}"]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def populate(server: LiveServer) -> None:
    with httpx.Client(base_url=server.url, timeout=10.0) as http:
        readings = [{**READING, "bvp": i + 0.1, "device_id": f"w{i % 3}"} for i in range(READINGS)]
        for start in range(0, READINGS, 1000):  # the most one batch may hold
            batch = {"readings": readings[start : start + 1000]}
            http.post("/api/sensor-data/batch", json=batch).raise_for_status()
        device = new_device()
        complete_run(server, device, [samples(0, 50), samples(50, 50)], athlete="Ana")
        calibration = {"l": {"offset": 1.5, "scale": 0.01}, "r": {"offset": -2.0, "scale": 0.02}}
        http.put(f"/api/devices/{device}", json={"calibration": calibration}).raise_for_status()
        athlete = {"name": "Bo", "groups": ["u18", "sprint"], "setup": {"bar_height_cm": 82.5}}
        http.post("/api/athletes", json=athlete).raise_for_status()
        http.post("/api/wearable/signals", json=signal_batch("w0", 1, 0.0, 2.0)).raise_for_status()
        study = http.post("/api/wearable/sessions", json={"device_id": "w0", "participant": "P1"})
        study_id = study.raise_for_status().json()["data"]["id"]
        phase = {"phase": "baseline"}
        http.post(f"/api/wearable/sessions/{study_id}/phases", json=phase).raise_for_status()
    token = [sys.executable, "-m", "sensorhub", "token", "create", "--device", "w1"]
    token += ["--data-dir", str(server.data_dir)]
    subprocess.run(token, capture_output=True, text=True, timeout=60, check=True)


def everything(server: LiveServer) -> dict[str, Any]:
    with httpx.Client(base_url=server.url, timeout=10.0) as http:
        tests = http.get("/api/tests").json()
        ids = [test["id"] for test in tests["data"]]
        return {
            "readings": stored_readings(server.url),
            "tests": tests,
            "samples": [http.get(f"/api/tests/{i}/samples").json() for i in ids],
            "calibrations": [
                http.get(f"/api/devices/{test['device_id']}").json()["data"]["calibration"]
                for test in tests["data"]
            ],
            "athletes": http.get("/api/athletes").json(),
            "signals": http.get("/api/wearable/signals.csv").text,
            "studies": http.get("/api/wearable/sessions").json(),
        }


def test_a_populated_database_is_served_the_same_from_postgresql(
    tmp_path: Path, target_url: str
) -> None:
    source = start_server(
        tmp_path / "sqlite", args=["--db", f"sqlite:///{tmp_path / 'sqlite' / 'sensorhub.db'}"]
    )
    try:
        populate(source)
        before = everything(source)
    finally:
        source.stop()

    done = migrate_command(source.data_dir, target_url)
    assert done.returncode == 0, done.stderr
    tables = done.stdout.splitlines()[1:-1]  # between the heading and "every table…"
    assert len(tables) > 5 and all(line.endswith(" ok") for line in tables), done.stdout
    assert {"readings", "athlete_groups", "signal_batches"} <= {t.split()[0] for t in tables}
    assert f" {READINGS} " in done.stdout

    copy = start_server(tmp_path / "postgresql", args=["--db", target_url])
    try:
        assert everything(copy) == before
        new = httpx.post(f"{copy.url}/api/sensor-data", json=READING).json()["data"]["id"]
        assert new == max(r["id"] for r in before["readings"]) + 1
    finally:
        copy.stop()


def test_a_target_that_holds_rows_is_refused_and_left_alone(
    tmp_path: Path, target_url: str
) -> None:
    source = tmp_path / "data"
    source.mkdir()
    assert migrate_command(source, target_url).returncode == 0  # empty into empty: fine
    target = create_engine(target_url)
    try:
        with target.begin() as conn:
            conn.execute(text("INSERT INTO devices VALUES ('plate-1', '{}', 1.0)"))

        again = migrate_command(source, target_url)

        assert again.returncode == 1
        [line] = again.stderr.strip().splitlines()
        assert "already holds rows (devices)" in line and "empty or schema-only" in line
        with target.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM devices")).scalar_one() == 1
    finally:
        target.dispose()
