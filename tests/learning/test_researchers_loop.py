"""The researcher's loop end to end, against a real server: six simulated participants'
E4 recordings imported through the API, a window model trained on their phases and evaluated
leave-one-participant-out, activated without a restart, and a later live window scored by it
and stored with its version."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from sensorhub.physio.e4 import e4_texts
from sensorhub.physio.wearer import SimulatedWearer
from tests._postgres import SERVER_DATABASES
from tests._server import LiveServer, start_server, wait_for
from tests.learning._participants import (
    PARTICIPANTS,
    PHASE_S,
    PHASES,
    participant,
    recording,
    states,
)

# Fewer windows, same maths: a window every 10 s of device time instead of 5.
SERVER_ENV = {"SENSORHUB_SIGNAL_STEP_S": "10"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = start_server(tmp_path_factory.mktemp("loop") / "data", env=SERVER_ENV)
    yield live
    live.stop()


@pytest.fixture(scope="module")
def http(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=120.0) as client:
        yield client


@pytest.fixture(scope="module")
def sessions(http: httpx.Client) -> list[int]:
    ids = []
    for index in range(PARTICIPANTS):
        body = {"participant": participant(index), "files": e4_texts(recording(index)),
                "phases": list(PHASES)}  # fmt: skip
        reply = http.post("/api/wearable/sessions/import-e4", json=body)
        assert reply.status_code == 200, reply.text
        ids.append(reply.json()["data"]["id"])
    return ids


def _train(http: httpx.Client, sessions: list[int], relative: bool) -> dict[str, Any]:
    body = {"sessions": sessions, "target": "phase", "relative_to_baseline": relative}
    reply = http.post("/api/models/train", json=body)
    assert reply.status_code == 200, reply.text
    data: dict[str, Any] = reply.json()["data"]
    return data


@pytest.fixture(scope="module")
def absolute(http: httpx.Client, sessions: list[int]) -> dict[str, Any]:
    """A model of the window features as measured."""
    return _train(http, sessions, relative=False)


@pytest.fixture(scope="module")
def relative(http: httpx.Client, sessions: list[int]) -> dict[str, Any]:
    """A model of the features minus each participant's baseline."""
    return _train(http, sessions, relative=True)


def _stored_windows(http: httpx.Client, session_id: int) -> bytes:
    archive = zipfile.ZipFile(
        io.BytesIO(http.get(f"/api/wearable/sessions/{session_id}.zip").content)
    )
    return archive.read("windows.csv")


def test_imported_sessions_have_their_phases_and_windows(
    http: httpx.Client, sessions: list[int]
) -> None:
    session = http.get(f"/api/wearable/sessions/{sessions[0]}").json()["data"]
    assert [p["phase"] for p in session["phases"]] == list(PHASES)
    windows = http.get("/api/wearable/windows", params={"device_id": session["device_id"],
                                                        "limit": 1000}).json()["data"]  # fmt: skip
    # 3 phases of PHASE_S, a 60 s window every 10 s: windows ending at 60, 70, … s.
    assert len(windows) == (3 * PHASE_S - 60) // 10 + 1
    # The simulated wearer's independent beat-to-beat noise now and then reads as an ectopic
    # beat pattern; most windows stay good.
    assert sum(w["quality"] == "good" for w in windows) >= 0.8 * len(windows)


def test_trained_model_is_evaluated_leaving_each_participant_out(
    http: httpx.Client, absolute: dict[str, Any]
) -> None:
    model = absolute
    evaluation = model["evaluation"]
    assert isinstance(evaluation, dict)
    assert sorted(evaluation["per_participant"]) == [participant(i) for i in range(PARTICIPANTS)]
    assert evaluation["too_few_participants"] is True  # 6 < the documented 10
    pooled, mixed = evaluation["pooled"], evaluation["not_held_out"]
    print("LOPO (absolute):", pooled, "not held out:", mixed)
    # Heart rate +12–22 bpm, RMSSD −45 %: a linear model separates held-out people well.
    assert pooled["balanced_accuracy"] >= 0.8
    assert pooled["roc_auc"] >= 0.85
    assert sum(map(sum, pooled["confusion"])) == model["windows"]
    report = http.get(f"/api/models/{model['version']}/report")
    assert report.status_code == 200 and "fewer than 10" in report.text
    assert report.text.count("<svg") == 3


def test_activated_model_scores_a_later_live_window_and_stores_its_version(
    http: httpx.Client, absolute: dict[str, Any]
) -> None:
    model = absolute
    name = model["name"]
    reply = http.post(f"/api/models/{model['version']}/activate")
    assert reply.status_code == 200, reply.text
    assert http.get("/api/health").json()["window_model"]["name"] == name
    listed = http.get("/api/models").json()
    assert listed["active"] == name
    assert [m["name"] for m in listed["data"] if m["active"]] == [name]
    _, stressed = states(0)
    wearer = SimulatedWearer(seed=7, temperature_c=stressed.temperature_c)
    for seq in range(14):  # 70 s: a window
        channels = wearer.signals(5.0 * seq, 5.0, stressed)
        batch = {"device_id": "live-wrist", "seq": seq, "t0": 5_000.0 * seq, **channels}
        assert http.post("/api/wearable/signals", json=batch).status_code == 200

    def scored() -> list[dict[str, object]]:
        found = http.get("/api/wearable/windows", params={"device_id": "live-wrist"})
        return [w for w in found.json()["data"] if w["stress_probability"] is not None]

    wait_for(scored, timeout=30.0)
    window = scored()[0]
    assert window["model"] == name and window["demo"] is False


def test_rescoring_a_past_session_is_stored_apart(
    http: httpx.Client, sessions: list[int], relative: dict[str, Any]
) -> None:
    model = relative
    version = model["version"]
    assert http.post(f"/api/models/{version}/activate").status_code == 409  # needs a baseline
    before = _stored_windows(http, sessions[1])
    reply = http.post(f"/api/models/{version}/sessions/{sessions[1]}/score")
    assert reply.status_code == 200, reply.text
    device = http.get(f"/api/wearable/sessions/{sessions[1]}").json()["data"]["device_id"]
    windows = http.get("/api/wearable/windows", params={"device_id": device}).json()["data"]
    assert reply.json()["data"]["windows"] == sum(w["quality"] == "good" for w in windows)
    rows = http.get(f"/api/models/{version}/sessions/{sessions[1]}.csv").text.splitlines()
    name = str(model["name"])
    assert rows[0].startswith("window_id,") and all(r.endswith(name) for r in rows[1:])
    assert _stored_windows(http, sessions[1]) == before  # the live predictions stay as they were


def test_the_command_line_trains_the_same_model(
    server: LiveServer, sessions: list[int], relative: dict[str, Any]
) -> None:
    through_api = relative["evaluation"]
    command = [sys.executable, "-m", "sensorhub", "model", "train", "--relative",
               *(f"--session={i}" for i in sessions), "--data-dir", str(server.data_dir),
               *SERVER_DATABASES.args_for(server.data_dir)]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    pooled = through_api["pooled"]
    # The same windows, a deterministic fit and seeded folds: the same figures.
    assert (
        f"leave one participant out: balanced accuracy {pooled['balanced_accuracy']:.3f}, "
        f"F1 {pooled['f1']:.3f}, ROC AUC {pooled['roc_auc']:.3f}"
    ) in done.stdout
    assert "warning: fewer than 10 participants" in done.stdout
    print(done.stdout)
