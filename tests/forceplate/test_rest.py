"""The force-plate REST routes: the seed's and the test history (DESIGN §4.1, issue 3)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests._errors import json_error
from tests._server import LiveServer, wait_for
from tests.forceplate._clients import (
    CSV_NAME,
    TIMEOUT_S,
    complete_run,
    csv_path,
    for_device,
    get_test,
    is_cmd,
    listed,
    new_device,
    numeric,
    read_csv,
    record_of,
    running_server,
    samples,
    samples_of,
    sio_client,
    start_test_rest,
    status,
    stop_test_rest,
    tlr,
)

STATUS_FIELDS = {
    "test_running",
    "state",
    "session_id",
    "device_id",
    "esp_connected",
    "clients",
    "sample_count",
    "devices",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with running_server(tmp_path_factory.mktemp("fp-rest") / "data") as live:
        yield live


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[LiveServer]:
    with running_server(tmp_path / "data") as live:
        yield live


@pytest.fixture
def http(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=TIMEOUT_S) as client:
        yield client


LATEST_FIELDS = ("t", "l", "r", "device_id")


def latest_matches(server: LiveServer, expected: dict[str, Any], device_id: str | None) -> bool:
    """The documented fields of the latest reading (the server may add fields)."""
    response = latest(server, device_id)
    if response.status_code != 200:
        return False
    body = response.json()
    return {key: body.get(key) for key in LATEST_FIELDS} == expected


def latest(server: LiveServer, device_id: str | None = None) -> httpx.Response:
    params = {"device_id": device_id} if device_id else {}
    return httpx.get(server.url + "/api/latest_reading", params=params, timeout=TIMEOUT_S)


# -- seed routes ---------------------------------------------------------------------------
def test_status_of_a_fresh_server_has_the_documented_fields(fresh: LiveServer) -> None:
    body = status(fresh)
    assert set(body) >= STATUS_FIELDS
    assert body["test_running"] is False
    assert body["state"] == "idle"
    assert body["session_id"] is None
    assert body["device_id"] == "default"
    assert body["esp_connected"] is False
    assert body["clients"] == {"esp": 0, "browser": 0, "flutter": 0, "other": 0}
    assert body["sample_count"] == 0
    assert isinstance(body["devices"], list)


def test_latest_reading_is_404_json_before_the_first_sample(fresh: LiveServer) -> None:
    json_error(latest(fresh), 404, "no_reading", "'default'")


def test_latest_reading_is_the_last_sample_of_its_device(fresh: LiveServer) -> None:
    other = new_device("latest")
    with sio_client(fresh, "esp", other) as esp_other:
        batch = samples(0, 3, l0=7.0)
        esp_other.send({"samples": batch})
        wait_for(lambda: latest_matches(fresh, {**batch[-1], "device_id": other}, other))
    # ?device_id= defaults to "default", which has sent nothing yet
    assert latest(fresh).status_code == 404
    with sio_client(fresh, "esp") as esp:
        esp.send({"samples": samples(0, 4)})
        second = samples(4, 2, l0=50.0)
        esp.send({"samples": second})
        last = {**second[-1], "device_id": "default"}
        wait_for(lambda: latest_matches(fresh, last, None))


def test_status_while_running_counts_samples(server: LiveServer) -> None:
    device = new_device("status")
    with sio_client(server, "browser") as browser, sio_client(server, "esp", device) as esp:
        response, session_id = start_test_rest(server, device)
        assert response.status_code == 200
        esp.expect("message", is_cmd("start"))
        esp.send({"samples": samples(0, 10)})
        esp.send({"samples": samples(10, 5)})
        wait_for(lambda: status(server, device)["sample_count"] == 15)
        body = status(server, device)
        assert set(body) >= STATUS_FIELDS
        assert body["test_running"] is True
        assert body["state"] == "running"
        assert body["session_id"] == session_id
        assert body["device_id"] == device
        assert body["esp_connected"] is True
        assert all(isinstance(body["clients"][role], int) for role in ("esp", "browser"))
        assert body["clients"]["esp"] >= 1 and body["clients"]["browser"] >= 1
        # Assumption: a device summary names its device as "device_id".
        assert device in [summary.get("device_id") for summary in body["devices"]]
        assert stop_test_rest(server, device).status_code == 200
        esp.send({"done": True})
        browser.expect("data_complete", for_device(device, session_id=session_id))
    after = status(server, device)
    assert after["test_running"] is False
    assert after["state"] == "idle"


def test_status_of_a_running_test_has_what_a_reloaded_page_needs(server: LiveServer) -> None:
    device = new_device("reload")
    assert status(server, device)["test"] is None
    with sio_client(server, "esp", device) as esp:
        response, session_id = start_test_rest(
            server, device, athlete="Reload Ada", notes="trial 2", test_type="cmj"
        )
        assert response.status_code == 200
        esp.expect("message", is_cmd("start"))
        sent = samples(0, 10) + samples(10, 5, l0=900.0)
        esp.send({"samples": sent[:10]})
        esp.send({"samples": sent[10:]})
        wait_for(lambda: status(server, device)["test"]["sample_count"] == 15)
        test = status(server, device)["test"]
        assert stop_test_rest(server, device).status_code == 200
    started = response.json()
    assert test["session_id"] == session_id
    assert (test["athlete"], test["athlete_id"]) == (started["athlete"], started["athlete_id"])
    assert (test["notes"], test["test_type"], test["drop_height_m"]) == ("trial 2", "cmj", None)
    assert test["started_at"] == started["started_at"]
    assert test["elapsed_s"] >= 0
    # No calibration set: newtons are the raw values, so the peak is the highest l + r sent.
    assert test["peak_force_n"] == max(s["l"] + s["r"] for s in sent)


def test_status_is_per_device(server: LiveServer) -> None:
    busy, quiet = new_device("busy"), new_device("quiet")
    response, session_id = start_test_rest(server, busy)
    assert response.status_code == 200
    try:
        assert status(server, busy)["test_running"] is True
        assert status(server, busy)["session_id"] == session_id
        assert status(server, quiet)["test_running"] is False
        assert status(server, quiet)["session_id"] is None
    finally:
        assert stop_test_rest(server, busy).status_code == 200


def test_start_test_json_fields_and_responses(server: LiveServer, http: httpx.Client) -> None:
    device = new_device("start")
    body = {"device_id": device, "athlete": "Cy", "notes": "left knee"}
    started = http.post("/api/start_test", json=body)
    assert started.status_code == 200
    assert started.json()["status"] == "started"
    session_id = started.json()["session_id"]
    assert session_id is not None

    refused = http.post("/api/start_test", json=body)
    json_error(refused, 409, "session_running", device)

    stopping = http.post("/api/stop_test", params={"device_id": device})
    assert stopping.status_code == 200
    assert stopping.json()["status"] == "stopping"
    assert stopping.json()["session_id"] == session_id
    # no esp connected: complete at once, so a second stop finds nothing running
    wait_for(lambda: status(server, device)["state"] == "idle")
    again = http.post("/api/stop_test", params={"device_id": device})
    json_error(again, 409, "no_session_running", device)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"test_type": "hop"}, "test_type"),
        ({"test_type": "drop_jump", "drop_height_m": -0.3}, "drop_height_m"),
    ],
)
def test_start_test_refuses_an_unknown_test_type_or_a_bad_drop_height(
    server: LiveServer, http: httpx.Client, body: dict[str, Any], field: str
) -> None:
    device = new_device("type")
    refused = http.post("/api/start_test", json={"device_id": device, **body})
    assert refused.status_code == 422
    assert field in refused.json()["message"]
    assert status(server, device)["test_running"] is False


def test_start_test_takes_device_id_as_query(server: LiveServer, http: httpx.Client) -> None:
    device = new_device("query")
    response = http.post("/api/start_test", params={"device_id": device})
    assert response.status_code == 200
    assert status(server, device)["session_id"] == response.json()["session_id"]
    assert http.post("/api/stop_test", params={"device_id": device}).status_code == 200


def test_start_test_without_body_uses_device_default(fresh: LiveServer) -> None:
    with httpx.Client(base_url=fresh.url, timeout=TIMEOUT_S) as http:
        response = http.post("/api/start_test")
        assert response.status_code == 200
        body = status(fresh)
        assert body["test_running"] is True
        assert body["device_id"] == "default"
        assert body["session_id"] == response.json()["session_id"]
        assert http.post("/api/stop_test").status_code == 200


def test_session_data_of_the_running_then_the_most_recent_session(server: LiveServer) -> None:
    device = new_device("session")
    params = {"device_id": device}

    def session_data() -> dict[str, Any]:
        response = httpx.get(server.url + "/api/session_data", params=params, timeout=TIMEOUT_S)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    with sio_client(server, "browser") as browser, sio_client(server, "esp", device) as esp:
        _, session_id = start_test_rest(server, device)
        esp.expect("message", is_cmd("start"))
        esp.send({"samples": samples(0, 6)})
        wait_for(lambda: len(session_data()["samples"]) == 6)
        running = session_data()
        assert running["session_id"] == session_id
        assert running["state"] == "running"
        assert tlr(running["samples"]) == samples(0, 6)

        assert stop_test_rest(server, device).status_code == 200
        esp.expect("message", is_cmd("stop"))
        esp.send({"samples": samples(6, 2)})
        esp.send({"done": True})
        browser.expect("data_complete", for_device(device, session_id=session_id))
    recent = session_data()
    assert recent["session_id"] == session_id
    assert recent["state"] == "complete"  # the session states of issue 3
    assert tlr(recent["samples"]) == samples(0, 6) + samples(6, 2)


# -- test history --------------------------------------------------------------------------
def test_completed_test_is_listed_with_its_metadata(server: LiveServer) -> None:
    device = new_device("list")
    session_id, _ = complete_run(server, device, [samples(0, 4)], athlete="Di", notes="n1")
    item = listed(server, session_id)
    assert item is not None
    record = record_of(server, session_id)
    assert record["athlete"] == "Di"
    assert record["notes"] == "n1"
    assert record["state"] == "complete"
    assert record["device_id"] == device


def test_test_samples_route_returns_every_sample_in_order(server: LiveServer) -> None:
    batches = [samples(0, 5), samples(5, 5), samples(10, 2)]
    session_id, _ = complete_run(server, new_device("samples"), batches)
    assert samples_of(server, session_id) == batches[0] + batches[1] + batches[2]


def test_test_csv_route_matches_the_csv_file(server: LiveServer) -> None:
    sent = samples(0, 12)
    session_id, complete = complete_run(server, new_device("csv"), [sent])
    response = httpx.get(f"{server.url}/api/tests/{session_id}.csv", timeout=TIMEOUT_S)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    header, rows = read_csv(response.text)
    assert header == ["t", "l", "r"]
    assert rows == numeric(sent)
    file = csv_path(server, complete["file"])
    assert CSV_NAME.match(file.name)
    assert read_csv(file.read_text()) == (header, rows)


def test_patch_changes_athlete_and_notes(server: LiveServer) -> None:
    session_id, _ = complete_run(server, new_device("patch"), [samples(0, 2)], athlete="Ed")
    response = httpx.patch(
        f"{server.url}/api/tests/{session_id}",
        json={"athlete": "Edna", "notes": "re-labelled"},
        timeout=TIMEOUT_S,
    )
    assert response.status_code == 200
    record = record_of(server, session_id)
    assert record["athlete"] == "Edna"
    assert record["notes"] == "re-labelled"
    assert samples_of(server, session_id) == samples(0, 2)


def test_delete_removes_rows_and_csv(server: LiveServer) -> None:
    session_id, complete = complete_run(server, new_device("delete"), [samples(0, 3)])
    file = csv_path(server, complete["file"])
    assert file.exists()

    response = httpx.delete(f"{server.url}/api/tests/{session_id}", timeout=TIMEOUT_S)
    assert response.status_code in (200, 204)

    assert not file.exists()
    assert listed(server, session_id) is None
    assert get_test(server, session_id).status_code == 404
    for suffix in ("/samples", ".csv"):
        gone = httpx.get(f"{server.url}/api/tests/{session_id}{suffix}", timeout=TIMEOUT_S)
        assert gone.status_code == 404
    again = httpx.delete(f"{server.url}/api/tests/{session_id}", timeout=TIMEOUT_S)
    assert again.status_code == 404


def test_unknown_test_is_404_json(server: LiveServer) -> None:
    # The id format is not documented: a number no test has is a valid id of either kind.
    json_error(get_test(server, "987654321"), 404, "test_not_found", "987654321")


def test_reading_unknown_devices_does_not_make_them_known(server: LiveServer) -> None:
    """Lookups of made-up ids (typos, scanners) must not grow the device list or memory."""
    for name in ("ghost-1", "ghost-2"):
        assert httpx.get(f"{server.url}/api/status", params={"device_id": name}).status_code == 200
        assert httpx.get(f"{server.url}/api/devices/{name}").status_code == 200
        assert (
            httpx.get(f"{server.url}/api/latest_reading", params={"device_id": name}).status_code
            == 404
        )
    listed = httpx.get(f"{server.url}/api/status").json()["devices"]
    assert not {"ghost-1", "ghost-2"} & {d["device_id"] for d in listed}
