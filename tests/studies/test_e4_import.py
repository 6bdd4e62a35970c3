"""An Empatica E4 export round trip: E4 files written from a simulated session, imported with
`sensorhub import-e4`, and every sample read back from the session export as it was written
(acceleration at the E4's 1/64 g); bad files answered 422 naming the file."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import zipfile
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest

from sensorhub.physio import ACC, BVP, TEMPERATURE
from sensorhub.physio.e4 import ACC_UNITS_PER_G, E4Recording, e4_texts, write_e4_dir
from tests._server import LiveServer, start_server
from tests.learning._participants import PHASES, recording

PHASE_S = 30.0  # samples are what is compared here, not windows


@pytest.fixture(scope="module")
def original() -> E4Recording:
    return recording(2, phase_s=PHASE_S)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, original: E4Recording) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("e4")
    write_e4_dir(original, root / "P03")
    command = [sys.executable, "-m", "sensorhub", "import-e4", str(root / "P03"),
               "--participant", "P03", "--phases", ",".join(PHASES),
               "--data-dir", str(root / "data")]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "study session 1: participant P03" in done.stdout
    live = start_server(root / "data")
    yield live
    live.stop()


@pytest.fixture
def http(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30.0) as client:
        yield client


def _exported(http: httpx.Client, session_id: int) -> dict[str, list[tuple[float, float]]]:
    archive = zipfile.ZipFile(
        io.BytesIO(http.get(f"/api/wearable/sessions/{session_id}.zip").content)
    )
    by_channel: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for row in csv.DictReader(io.StringIO(archive.read("signals.csv").decode())):
        by_channel[row["channel"]].append((float(row["t_ms"]), float(row["value"])))
    return {name: sorted(rows) for name, rows in by_channel.items()}


def test_every_sample_comes_back_at_its_time(http: httpx.Client, original: E4Recording) -> None:
    exported = _exported(http, 1)
    for name, columns in ((BVP, [BVP]), (TEMPERATURE, [TEMPERATURE]),
                          (ACC, ["acc_x", "acc_y", "acc_z"])):  # fmt: skip
        channel = original.channels[name]
        expected = (
            channel.values
            if name != ACC
            else np.rint(channel.values * ACC_UNITS_PER_G) / ACC_UNITS_PER_G
        )
        for axis, column in enumerate(columns):
            rows = exported[column]
            values = np.array([v for _, v in rows])
            truth = expected if name != ACC else expected[:, axis]
            assert np.array_equal(values, truth), column  # exact: repr text, 1/64 g steps
            times = np.array([t for t, _ in rows])
            grid = 1000.0 * channel.start_s + 1000.0 * np.arange(len(truth)) / channel.hz
            # Unix ms near 1.7e12 in float64: spacing 2.4e-4 ms; a batch's t0 is rounded to
            # 1 µs, so each time is within 1e-3 ms of the E4 grid.
            assert np.max(np.abs(times - grid)) <= 1e-3


def test_tags_become_the_phases_at_their_times(http: httpx.Client, original: E4Recording) -> None:
    session = http.get("/api/wearable/sessions/1").json()["data"]
    assert session["participant"] == "P03"
    assert [p["phase"] for p in session["phases"]] == list(PHASES)
    assert session["started_at"] == original.start_s()


def test_bad_files_are_refused_naming_the_file(http: httpx.Client, original: E4Recording) -> None:
    files = e4_texts(original)
    files["TEMP.csv"] = files["TEMP.csv"].replace("\n", "\nwarm\n", 3)
    reply = http.post(
        "/api/wearable/sessions/import-e4", json={"participant": "P09", "files": files}
    )
    assert reply.status_code == 422
    assert "TEMP.csv" in reply.json()["message"] and "'warm'" in reply.json()["message"]
    too_many = {"participant": "P09", "files": e4_texts(original), "phases": ["baseline"] * 4}
    reply = http.post("/api/wearable/sessions/import-e4", json=too_many)
    assert reply.status_code == 422 and "phases" in reply.json()["message"]
    # Nothing was stored for the refused imports.
    assert len(http.get("/api/wearable/sessions").json()["data"]) == 1
