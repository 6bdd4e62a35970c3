"""A real server with ``retain_plate_samples_days`` set: a finished test past it keeps its
analysis and says its raw samples and CSV were removed (410 with the date, never an empty
list), refuses to be analysed again (409), still makes its PDF; a test still running when the
retention ran keeps every sample."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import socketio

from tests._server import LiveServer, start_server, wait_for
from tests.api.test_analysis import hawkin_samples, next_event

RETAIN_DAYS = 1e-5  # 0.864 s: a finished test is past it almost at once
# A server that thins a finished test's samples within about a second (tests/web too).
THINS_AT_ONCE = {
    "SENSORHUB_RETAIN_PLATE_SAMPLES_DAYS": str(RETAIN_DAYS),
    "SENSORHUB_UPKEEP_CHECK_S": "0.1",
}
RUNNING_SAMPLES = 200


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = start_server(tmp_path_factory.mktemp("plate-retention") / "data", env=THINS_AT_ONCE)
    yield live
    live.stop()


def record_test(url: str, http: httpx.Client, device: str) -> tuple[int, dict[str, Any]]:
    """One hawkin pull streamed, stopped and flushed; (its id, data_complete)."""
    with socketio.SimpleClient() as esp:
        esp.connect(url, transports=["websocket"])
        esp.emit("register", {"type": "esp", "device_id": device})
        started = http.post("/api/start_test", json={"device_id": device}).json()
        samples = hawkin_samples()
        for start in range(0, len(samples), 100):
            esp.emit("samples", {"samples": samples[start : start + 100]})
        http.post("/api/stop_test", json={"device_id": device})
        esp.emit("done", {"done": True})
        complete = next_event(esp, "data_complete")
    return int(started["session_id"]), complete


@pytest.fixture(scope="module")
def thinned(server: LiveServer) -> Iterator[dict[str, Any]]:
    """A test recorded while another runs on a second plate, waited for until retention
    removed its samples; the running one is left running."""
    with socketio.SimpleClient() as running_esp, httpx.Client(base_url=server.url) as http:
        running_esp.connect(server.url, transports=["websocket"])
        running_esp.emit("register", {"type": "esp", "device_id": "still-running"})
        running = http.post("/api/start_test", json={"device_id": "still-running"}).json()
        running_id = running["session_id"]
        samples = hawkin_samples()[:RUNNING_SAMPLES]
        running_esp.emit("samples", {"samples": samples})
        wait_for(lambda: stored_samples(http, running_id) == RUNNING_SAMPLES, timeout=30)
        test_id, complete = record_test(server.url, http, "retained-plate")
        wait_for(lambda: http.get(f"/api/tests/{test_id}/samples").status_code == 410, timeout=30)
        yield {"id": test_id, "complete": complete, "running": running_id}


def stored_samples(http: httpx.Client, test_id: int) -> int:
    return len(http.get(f"/api/tests/{test_id}/samples").json()["data"]["samples"])


def removed_on(record: dict[str, Any]) -> str:
    return datetime.fromisoformat(record["samples_thinned_at"]).astimezone(UTC).date().isoformat()


def test_samples_answer_410_naming_the_retention_and_its_date(
    server: LiveServer, thinned: dict[str, Any]
) -> None:
    with httpx.Client(base_url=server.url) as http:
        record = http.get(f"/api/tests/{thinned['id']}").json()["data"]
        answer = http.get(f"/api/tests/{thinned['id']}/samples")
    assert answer.status_code == 410
    body = answer.json()
    assert body["code"] == "samples_removed"
    assert f"removed by retention on {removed_on(record)}" in body["message"]
    assert record["sample_count"] == thinned["complete"]["samples"]  # still says what it had


def test_the_analysis_and_record_stay(server: LiveServer, thinned: dict[str, Any]) -> None:
    with httpx.Client(base_url=server.url) as http:
        record = http.get(f"/api/tests/{thinned['id']}").json()["data"]
        analysis = http.get(f"/api/tests/{thinned['id']}/analysis")
        report = http.get(f"/api/tests/{thinned['id']}/report.pdf")
    assert analysis.status_code == 200
    assert analysis.json()["data"]["summary"] == thinned["complete"]["analysis"]
    assert record["summary"] == thinned["complete"]["analysis"]
    assert record["file"] is None
    assert report.status_code == 200
    assert report.content.startswith(b"%PDF")


def test_the_csv_download_and_file_are_gone(server: LiveServer, thinned: dict[str, Any]) -> None:
    with httpx.Client(base_url=server.url) as http:
        answer = http.get(f"/api/tests/{thinned['id']}.csv")
    assert answer.status_code == 410
    assert answer.json()["code"] == "samples_removed"
    saved_as = thinned["complete"]["file"]  # its name when the test was saved
    assert saved_as
    assert not (server.data_dir / "test_data" / saved_as).exists()


def test_the_plates_latest_test_answers_410_not_an_empty_list(
    server: LiveServer, thinned: dict[str, Any]
) -> None:
    with httpx.Client(base_url=server.url) as http:
        answer = http.get("/api/session_data", params={"device_id": "retained-plate"})
    assert answer.status_code == 410
    assert answer.json()["code"] == "samples_removed"
    assert f"test {thinned['id']} were removed by retention" in answer.json()["message"]


@pytest.mark.parametrize(
    ("route", "body"),
    [
        ("analysis", {"onset_method": "fixed"}),
        ("events", {"edits": [{"rep": 0, "event": "onset", "time_s": 1.0}]}),
    ],
)
def test_analysing_again_is_refused_with_409(
    server: LiveServer, thinned: dict[str, Any], route: str, body: dict[str, Any]
) -> None:
    with httpx.Client(base_url=server.url) as http:
        before = http.get(f"/api/tests/{thinned['id']}/analysis").json()["data"]
        answer = http.post(f"/api/tests/{thinned['id']}/{route}", json=body)
        after = http.get(f"/api/tests/{thinned['id']}/analysis").json()["data"]
    assert answer.status_code == 409
    assert answer.json()["code"] == "analysis_frozen"
    assert "removed by retention" in answer.json()["message"]
    assert after == before


def test_a_test_running_while_retention_ran_keeps_every_sample(
    server: LiveServer, thinned: dict[str, Any]
) -> None:
    with httpx.Client(base_url=server.url) as http:
        record = http.get(f"/api/tests/{thinned['running']}").json()["data"]
        assert record["state"] == "running"
        assert record["samples_thinned_at"] is None
        assert stored_samples(http, thinned["running"]) == RUNNING_SAMPLES


def test_410_is_documented_on_the_sample_routes(server: LiveServer) -> None:
    with httpx.Client(base_url=server.url) as http:
        paths = http.get("/openapi.json").json()["paths"]
    for path in ("/api/tests/{test_id}/samples", "/api/tests/{test_id}.csv", "/api/session_data"):
        assert "410" in paths[path]["get"]["responses"], path
    for path in ("/api/tests/{test_id}/analysis", "/api/tests/{test_id}/events"):
        assert "409" in paths[path]["post"]["responses"], path
