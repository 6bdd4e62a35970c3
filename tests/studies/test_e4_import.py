"""An Empatica E4 export round trip: E4 files written from a simulated session, imported with
`sensorhub import-e4`, and every sample read back from the session export as it was written
(acceleration at the E4's 1/64 g); bad files answered 422 naming the file. The same session
handed on: BIDS physio files checked against the specification's required fields, EDF+ read
back by an independent reader (pyEDFlib, the EDFlib C library)."""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
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
from tests._postgres import SERVER_DATABASES
from tests._server import LiveServer, start_server
from tests.learning._participants import PHASES, recording

PHASE_S = 30.0  # samples are what is compared here, not windows


LABEL_AT_S = 75.0  # a fourth press of the E4's button, during recovery: a label


@pytest.fixture(scope="module")
def original() -> E4Recording:
    simulated = recording(2, phase_s=PHASE_S)
    return E4Recording(simulated.channels, [*simulated.tags, simulated.start_s() + LABEL_AT_S])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, original: E4Recording) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("e4")
    write_e4_dir(original, root / "P03")
    command = [sys.executable, "-m", "sensorhub", "import-e4", str(root / "P03"),
               "--participant", "P03", "--phases", ",".join(PHASES),
               "--data-dir", str(root / "data"),
               *SERVER_DATABASES.args_for(root / "data")]  # fmt: skip
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
    too_many = {"participant": "P09", "files": e4_texts(original), "phases": ["baseline"] * 5}
    reply = http.post("/api/wearable/sessions/import-e4", json=too_many)
    assert reply.status_code == 422 and "phases" in reply.json()["message"]
    too_fast = e4_texts(original)
    too_fast["BVP.csv"] = too_fast["BVP.csv"].replace("64.000000", "5000.000000", 1)
    reply = http.post(
        "/api/wearable/sessions/import-e4", json={"participant": "P09", "files": too_fast}
    )
    assert reply.status_code == 422 and "bvp.hz" in reply.json()["message"]
    # Nothing was stored for the refused imports.
    assert len(http.get("/api/wearable/sessions").json()["data"]) == 1


BIDS_PHYSIO = re.compile(
    r"^sub-[A-Za-z0-9]+/ses-[A-Za-z0-9]+/beh/sub-[A-Za-z0-9]+_ses-[A-Za-z0-9]+"
    r"_task-[A-Za-z0-9]+_recording-[A-Za-z0-9]+_physio\.tsv\.gz$"
)


def test_bids_physio_files_have_the_required_fields(
    http: httpx.Client, original: E4Recording
) -> None:
    archive = zipfile.ZipFile(io.BytesIO(http.get("/api/wearable/sessions/1/bids.zip").content))
    names = archive.namelist()
    description = json.loads(archive.read("dataset_description.json"))
    assert {"Name", "BIDSVersion"} <= set(description)  # required (BIDS "Dataset description")
    physio = sorted(n for n in names if n.endswith("_physio.tsv.gz"))
    assert len(physio) == 3 and all(BIDS_PHYSIO.match(n) for n in physio)
    for name in physio:
        sidecar = json.loads(archive.read(name.replace(".tsv.gz", ".json")))
        assert {"SamplingFrequency", "StartTime", "Columns"} <= set(sidecar)  # required
        rows = [r.split("\t") for r in gzip.decompress(archive.read(name)).decode().splitlines()]
        assert {len(r) for r in rows} == {len(sidecar["Columns"])}  # no header row: Columns
        channel = name.rpartition("recording-")[2].split("_")[0]
        truth = original.channels[channel]
        assert sidecar["SamplingFrequency"] == truth.hz and len(rows) == len(truth.values)
        if channel == BVP:
            assert [float(r[0]) for r in rows] == truth.values.tolist()
    events = archive.read(next(n for n in names if n.endswith("_events.tsv"))).decode()
    lines = [line.split("\t") for line in events.splitlines()]
    assert lines[0] == ["onset", "duration", "trial_type", "value"]
    onsets = [(float(r[0]), r[2], r[3]) for r in lines[1:]]
    assert onsets == [(0.0, "phase", "baseline"), (30.0, "phase", "stress"),
                      (60.0, "phase", "recovery"), (75.0, "label", "tag=4")]  # fmt: skip


def test_edf_plus_reads_back_with_an_independent_reader(
    http: httpx.Client, original: E4Recording, tmp_path: Path
) -> None:
    import pyedflib

    path = tmp_path / "session.edf"
    path.write_bytes(http.get("/api/wearable/sessions/1.edf").content)
    with pyedflib.EdfReader(str(path)) as edf:
        labels = edf.getSignalLabels()
        assert labels == ["bvp", "skin_temperature", "acc_x", "acc_y", "acc_z"]
        assert edf.getFileDuration() == 3 * PHASE_S
        bvp = original.channels[BVP].values
        read = edf.readSignal(0)
        # 16-bit samples over the signal's own range: within half a step of what was sent.
        step = (bvp.max() - bvp.min()) / 65535
        assert edf.getSampleFrequency(0) == 64.0
        assert np.max(np.abs(read - bvp[: len(read)])) <= step / 2 + 1e-9 * np.ptp(bvp)
        onsets, durations, texts = edf.readAnnotations()
        assert list(texts) == ["phase: baseline", "phase: stress", "phase: recovery",
                               "label: tag=4"]  # fmt: skip
        assert list(onsets) == [0.0, 30.0, 60.0, 75.0]
        # The last phase lasts until the stop, 1 ms after the last sample (STOP_AFTER_S).
        assert list(durations[:3]) == pytest.approx([30.0, 30.0, 30.001], abs=1e-9)
