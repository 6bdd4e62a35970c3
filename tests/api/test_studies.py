"""Study sessions against a real server: start, phases, labels, stop, live events, export."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from tests._errors import json_error
from tests._server import LiveServer, wait_for
from tests._services import require_module
from tests.forceplate._clients import sio_client
from tests.signals._batches import batch, new_device

SESSIONS = "/api/wearable/sessions"


def _start(http: httpx.Client, device: str, participant: str = "P01") -> dict[str, Any]:
    response = http.post(SESSIONS, json={"device_id": device, "participant": participant})
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def _recorded_session(http: httpx.Client, server: LiveServer) -> tuple[int, str, int]:
    """A stopped session with two phases, a label, 65 s of signals and their two windows;
    returns its id, device and the number of values uploaded."""
    device = new_device("study")
    with sio_client(server) as dashboard:
        dashboard.ping()
        session = _start(http, device)
        sid = session["id"]
        assert http.post(f"{SESSIONS}/{sid}/phases", json={"phase": "baseline"}).status_code == 200
        values = 0
        for seq, (start, seconds) in enumerate([(0.0, 60.0), (60.0, 5.0)]):
            body = batch(device, seq, start, seconds)
            values += http.post("/api/wearable/signals", json=body).json()["data"]["samples"]
        custom = {"phase": "custom", "name": "math task"}
        assert http.post(f"{SESSIONS}/{sid}/phases", json=custom).status_code == 200
        label = http.post(f"{SESSIONS}/{sid}/labels", json={"name": "stress (1-9)", "value": 7})
        assert label.status_code == 200 and label.json()["data"]["value"] == "7"
        text = http.post(f"{SESSIONS}/{sid}/labels", json={"name": "mood", "value": "tense"})
        assert text.status_code == 200 and text.json()["data"]["value"] == "tense"
        wait_for(
            lambda: len(http.get("/api/wearable/windows", params={"device_id": device})
                        .json()["data"]) == 2,
            timeout=30,
        )  # fmt: skip
        stopped = http.post(f"{SESSIONS}/{sid}/stop")
        assert stopped.status_code == 200 and stopped.json()["data"]["stopped_at"] is not None
        events = [dashboard.expect("study") for _ in range(6)]
        assert [e["event"] for e in events] == [
            "started", "phase", "phase", "label", "label", "stopped"
        ]  # fmt: skip
        # The event carries a mark as the HTTP reply does: same fields, same time format.
        assert events[3]["mark"] == label.json()["data"]
    return sid, device, values


@pytest.fixture(scope="module")
def recorded(server: LiveServer) -> tuple[int, str, int]:
    with httpx.Client(base_url=server.url, timeout=30.0) as client:
        return _recorded_session(client, server)


def test_a_session_lists_its_phases_and_labels(
    http: httpx.Client, recorded: tuple[int, str, int]
) -> None:
    sid, device, _ = recorded
    data = http.get(f"{SESSIONS}/{sid}").json()["data"]
    assert (data["device_id"], data["participant"]) == (device, "P01")
    baseline, custom = data["phases"]
    assert (baseline["phase"], custom["phase"], custom["name"]) == (
        "baseline",
        "custom",
        "math task",
    )
    assert baseline["end"] == custom["start"] and custom["end"] is not None
    labels = [(label["name"], label["value"]) for label in data["labels"]]
    assert labels == [("stress (1-9)", "7"), ("mood", "tense")]


def test_the_csv_zip_holds_signals_windows_phases_and_labels(
    http: httpx.Client, recorded: tuple[int, str, int]
) -> None:
    sid, _, values = recorded
    response = http.get(f"{SESSIONS}/{sid}.zip")
    assert response.status_code == 200 and response.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert int(response.headers["content-length"]) == len(response.content)

    def rows(name: str) -> list[dict[str, str]]:
        return list(csv.DictReader(io.StringIO(archive.read(name).decode())))

    signals = rows("signals.csv")
    assert len(signals) == values
    # Every sample has the device's clock and the wall clock (UTC, ISO 8601) side by side.
    assert all(r["time_utc"].endswith("+00:00") for r in signals)
    windows = rows("windows.csv")
    # A window's end on the wall clock is its end sample's: the same clock as the signals'.
    last_bvp = max((r for r in signals if r["channel"] == "bvp"), key=lambda r: float(r["t_ms"]))
    step = timedelta(seconds=1 / float(last_bvp["hz"]))
    assert datetime.fromisoformat(windows[-1]["at"]) - datetime.fromisoformat(
        last_bvp["time_utc"]
    ) <= step + timedelta(milliseconds=1)  # ISO times carry milliseconds
    assert "phase" in windows[0]  # the phase a window lies wholly inside, if one
    nn = rows("nn.csv")
    # The fixture's pulse beats every 800 ms; each interval says whether the correction
    # moved one of its beats.
    assert nn and all(abs(float(r["nn_ms"]) - 800.0) < 20.0 for r in nn)
    assert {r["corrected"] for r in nn} <= {"True", "False"}
    assert [r["end_ms"] for r in windows] == ["60000.0", "65000.0"]
    # The bundled window model is a demo: its predictions are marked and left out of studies.
    assert {(r["demo"], r["prediction"], r["stress_probability"]) for r in windows} == {
        ("True", "", "")
    }
    assert [r["phase"] for r in rows("phases.csv")] == ["baseline", "custom"]
    labels = [(r["name"], r["value"]) for r in rows("labels.csv")]
    assert labels == [("stress (1-9)", "7"), ("mood", "tense")]
    session = json.loads(archive.read("session.json"))
    assert session["participant"] == "P01" and session["started_at_utc"].endswith("+00:00")


def test_short_term_hrv_per_phase_in_the_api_and_the_zip(
    http: httpx.Client, recorded: tuple[int, str, int]
) -> None:
    sid, _, _ = recorded
    response = http.get(f"{SESSIONS}/{sid}/hrv")
    assert response.status_code == 200, response.text
    baseline, custom = response.json()["data"]  # 65 s of signals: no whole 5-minute block
    assert (baseline["span"], baseline["phase"]) == ("phase", "baseline")
    # Both batches arrived during the baseline: a pulse of 800 ms intervals (75 bpm).
    assert baseline["quality"] == "good" and abs(baseline["hr_bpm"] - 75.0) < 0.5
    assert baseline["lf_ms2"] is None  # 65 s is too short for LF (2 minutes)
    assert (custom["custom_name"], custom["quality"], custom["reason"]) == (
        "math task", "poor", "missing",
    )  # fmt: skip
    archive = zipfile.ZipFile(io.BytesIO(http.get(f"{SESSIONS}/{sid}.zip").content))
    rows = list(csv.DictReader(io.StringIO(archive.read("hrv.csv").decode())))
    assert [(r["span"], r["phase"], r["quality"]) for r in rows] == [
        ("phase", "baseline", "good"), ("phase", "custom", "poor"),
    ]  # fmt: skip
    assert float(rows[0]["hr_bpm"]) == pytest.approx(baseline["hr_bpm"])


def test_the_parquet_zip_holds_the_same_tables(
    http: httpx.Client, recorded: tuple[int, str, int]
) -> None:
    parquet = require_module("pyarrow.parquet", "pip install 'sensorhub[research]' (in dev)")
    sid, _, values = recorded
    response = http.get(f"{SESSIONS}/{sid}.zip", params={"format": "parquet"})
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.content))

    def table(name: str) -> Any:
        return parquet.read_table(io.BytesIO(archive.read(name)))

    assert table("signals.parquet").num_rows == values
    assert table("windows.parquet").column("end_ms").to_pylist() == [60_000.0, 65_000.0]
    assert table("phases.parquet").column("phase").to_pylist() == ["baseline", "custom"]
    assert table("labels.parquet").column("value").to_pylist() == ["7", "tense"]
    assert table("hrv.parquet").column("phase").to_pylist() == ["baseline", "custom"]


def test_one_session_at_a_time_per_wearable_a_stop_is_idempotent_and_final(
    http: httpx.Client,
) -> None:
    device = new_device("study-rules")
    sid = _start(http, device)["id"]
    json_error(http.post(SESSIONS, json={"device_id": device, "participant": "P02"}),
               409, "study_running", device)  # fmt: skip
    first = http.post(f"{SESSIONS}/{sid}/stop")
    again = http.post(f"{SESSIONS}/{sid}/stop")  # a retry after a lost reply: same answer
    assert first.status_code == again.status_code == 200
    assert again.json()["data"]["stopped_at"] == first.json()["data"]["stopped_at"]
    json_error(http.post(f"{SESSIONS}/{sid}/phases", json={"phase": "stress"}),
               409, "study_stopped", "no more phases")  # fmt: skip
    assert _start(http, device, "P02")["participant"] == "P02"  # the wearable is free again


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "field"),
    [
        ("POST", SESSIONS, {"device_id": "w", "participant": "Jane Doe"}, 422, "participant"),
        ("POST", f"{SESSIONS}/1/phases", {"phase": "panic"}, 422, "phase"),
        ("POST", f"{SESSIONS}/1/labels", {"name": "x", "value": None}, 422, "value"),
        ("POST", f"{SESSIONS}/1/labels", {"name": "stress (1-9)", "value": "high"}, 422, "1–9"),
        ("POST", f"{SESSIONS}/1/labels", {"name": "stress (1–9)", "value": 12}, 422, "scale"),
        ("POST", f"{SESSIONS}/999999/phases", {"phase": "stress"}, 404, "999999"),
        ("GET", f"{SESSIONS}/999999.zip", None, 404, "999999"),
        ("GET", f"{SESSIONS}/1.zip?format=xlsx", None, 422, "format"),
    ],
)  # fmt: skip
def test_bad_requests_name_the_problem(
    http: httpx.Client, method: str, path: str, body: Any, status: int, field: str
) -> None:
    response = http.request(method, path, json=body)
    assert response.status_code == status
    assert field in response.json()["message"]
