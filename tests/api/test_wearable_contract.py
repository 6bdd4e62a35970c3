"""The wearable contract (seed 001, DESIGN §4.2) against a real server with real clients."""

from __future__ import annotations

import asyncio
import csv
import io
import math
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest
import socketio

from tests._server import LiveServer

SEED_READING = {
    "bvp": 0.85,
    "temperature": 36.5,
    "acceleration": {"x": 0.02, "y": -0.01, "z": 0.98},
}


def reading(device_id: str, bvp: float = 1.0) -> dict[str, Any]:
    return {**SEED_READING, "bvp": bvp, "device_id": device_id}


@pytest.fixture
def dashboard(live_server: LiveServer) -> Iterator[socketio.SimpleClient]:
    with socketio.SimpleClient() as sio:
        sio.connect(live_server.url, transports=["websocket"])
        yield sio


def receive_until(sio: socketio.SimpleClient, event: str, timeout: float = 5.0) -> Any:
    """The payload of the next ``event``, skipping others (the session server is shared)."""
    while True:
        name, *args = sio.receive(timeout=timeout)
        if name == event:
            return args[0] if args else None


def test_seed_curl_example_returns_documented_response(client: httpx.Client) -> None:
    response = client.post("/api/sensor-data", json=SEED_READING)

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "success"
    assert body["message"] == "Data processed and broadcasted"
    data = body["data"]
    assert data["bvp"] == 0.85
    assert data["temperature"] == 36.5
    assert data["acceleration_magnitude"] == 0.9803
    assert data["prediction"] in ("Calm", "Stressed")
    assert (data["prediction"] == "Stressed") == (data["stress_probability"] > 0.5)
    assert datetime.fromisoformat(data["timestamp"]).tzinfo is not None
    assert data["device_id"] == "default"
    assert data["demo"] is True  # the bundled model's prediction says it is a demo's


def test_magnitude_is_rounded_euclidean_norm(client: httpx.Client) -> None:
    body = {**SEED_READING, "acceleration": {"x": 3, "y": 4, "z": 12.00004}}
    data = client.post("/api/sensor-data", json=body).json()["data"]
    assert data["acceleration_magnitude"] == round(math.sqrt(9 + 16 + 12.00004**2), 4)


def test_health_names_the_model(client: httpx.Client) -> None:
    body = client.get("/api/health").json()
    assert body["status"] == "healthy"
    assert body["model_loaded"] is True
    assert datetime.fromisoformat(body["timestamp"])
    assert body["model"]["source"] == "bundled"
    assert body["model"]["demo"] is True


def test_status_on_connect_and_pong_on_ping(live_server: LiveServer) -> None:
    with socketio.SimpleClient() as sio:
        sio.connect(live_server.url, transports=["websocket"])
        assert receive_until(sio, "status")["status"] == "connected"
        sio.emit("ping")
        assert "timestamp" in receive_until(sio, "pong")


def test_stream_event_carries_each_posted_reading(
    client: httpx.Client, dashboard: socketio.SimpleClient
) -> None:
    posted = client.post("/api/sensor-data", json=reading("stream-test", 42.5)).json()["data"]
    while (event := receive_until(dashboard, "stream"))["id"] != posted["id"]:
        pass
    assert event == posted


def test_polling_transport_also_receives_stream(
    client: httpx.Client, live_server: LiveServer
) -> None:
    with socketio.SimpleClient() as sio:
        sio.connect(live_server.url, transports=["polling"])
        posted = client.post("/api/sensor-data", json=reading("poll-test")).json()["data"]
        while (event := receive_until(sio, "stream"))["id"] != posted["id"]:
            pass
        assert event["device_id"] == "poll-test"


def test_device_id_and_device_timestamp_are_kept(client: httpx.Client) -> None:
    body = {**SEED_READING, "device_id": "wrist-7", "timestamp": 123456}
    data = client.post("/api/sensor-data", json=body).json()["data"]
    assert data["device_id"] == "wrist-7"
    assert data["device_timestamp"] == "123456"


@pytest.mark.parametrize("stamp", [10**20 - 1, -(10**20) + 1, 1_733_600_000_123_456_789])
def test_the_widest_integer_device_timestamps_are_stored_verbatim(
    client: httpx.Client, stamp: int
) -> None:
    # 20 digits and a sign fit the 64-character column on both databases.
    body = {**SEED_READING, "device_id": "wide-clock", "timestamp": stamp}
    posted = client.post("/api/sensor-data", json=body)
    assert posted.status_code == 200, posted.text
    newest: dict[str, str | int] = {"device_id": "wide-clock", "limit": 1}
    stored = client.get("/api/readings", params=newest).json()["data"][0]
    assert (stored["id"], stored["device_timestamp"]) == (posted.json()["data"]["id"], str(stamp))


async def test_readings_posted_at_once_each_get_their_own_reading_and_id(
    live_server: LiveServer,
) -> None:
    # Requests arriving together are predicted and committed together (sensorhub/turnbatch.py):
    # each reply must still carry its own reading, under the id it is stored with.
    markers = [1000.0 + i for i in range(40)]
    async with httpx.AsyncClient(base_url=live_server.url) as http:
        replies = await asyncio.gather(
            *(http.post("/api/sensor-data", json=reading("at-once", m)) for m in markers)
        )
        listed = await http.get("/api/readings", params={"device_id": "at-once", "limit": 100})

    data = [reply.json()["data"] for reply in replies]
    assert [d["bvp"] for d in data] == markers
    stored = {d["id"]: d["bvp"] for d in listed.json()["data"]}
    assert {d["id"]: d["bvp"] for d in data} == stored


def test_batch_returns_one_result_per_reading_in_order(client: httpx.Client) -> None:
    readings = [reading("batch-order", float(i)) for i in range(25)]
    response = client.post("/api/sensor-data/batch", json={"readings": readings})
    assert response.status_code == 200
    data = response.json()["data"]
    assert [d["bvp"] for d in data] == [float(i) for i in range(25)]
    assert [d["id"] for d in data] == sorted(d["id"] for d in data)


def test_batch_of_1000_is_accepted_and_1001_refused(client: httpx.Client) -> None:
    readings = [reading("batch-size")] * 1000
    assert client.post("/api/sensor-data/batch", json={"readings": readings}).status_code == 200
    response = client.post("/api/sensor-data/batch", json={"readings": readings + readings[:1]})
    assert response.status_code == 422
    assert "readings" in response.json()["message"]


def test_batch_with_one_bad_reading_stores_nothing_and_names_index(client: httpx.Client) -> None:
    readings = [reading("batch-atomic", float(i)) for i in range(5)]
    readings[3] = {**readings[3], "bvp": "high"}
    response = client.post("/api/sensor-data/batch", json={"readings": readings})

    assert response.status_code == 422
    assert response.json()["message"].startswith("readings[3].bvp")
    listed = client.get("/api/readings", params={"device_id": "batch-atomic"}).json()["data"]
    assert listed == []


def test_readings_list_newest_first_with_pagination(client: httpx.Client) -> None:
    for i in range(5):
        client.post("/api/sensor-data", json=reading("paging", float(i)))
    first = client.get("/api/readings", params={"device_id": "paging", "limit": 3}).json()
    assert [r["bvp"] for r in first["data"]] == [4.0, 3.0, 2.0]
    params = {"device_id": "paging", "limit": 3, "before_id": first["next_before_id"]}
    second = client.get("/api/readings", params=params).json()
    assert [r["bvp"] for r in second["data"]] == [1.0, 0.0]
    assert second["next_before_id"] is None


def test_readings_filter_by_time_range(client: httpx.Client) -> None:
    stamp = client.post("/api/sensor-data", json=reading("timed")).json()["data"]["timestamp"]
    at = datetime.fromisoformat(stamp).timestamp()
    inside = client.get("/api/readings", params={"device_id": "timed", "since": stamp})
    after = client.get("/api/readings", params={"device_id": "timed", "since": str(at + 1)})
    before = client.get("/api/readings", params={"device_id": "timed", "until": stamp})
    assert len(inside.json()["data"]) == 1
    assert after.json()["data"] == []
    assert before.json()["data"] == []


def test_bad_time_filter_is_a_named_4xx(client: httpx.Client) -> None:
    response = client.get("/api/readings", params={"since": "yesterday"})
    assert response.status_code == 422
    assert response.json()["message"].startswith("since")


def test_csv_export_holds_every_reading_of_the_device(client: httpx.Client) -> None:
    readings = [reading("csv-export", float(i)) for i in range(1500)]
    for start in (0, 1000):
        batch = {"readings": readings[start : start + 1000]}
        assert client.post("/api/sensor-data/batch", json=batch).status_code == 200

    response = client.get("/api/readings.csv", params={"device_id": "csv-export"})

    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 1500
    assert sorted(float(row["bvp"]) for row in rows) == [float(i) for i in range(1500)]
    assert {row["prediction"] for row in rows} <= {"Calm", "Stressed"}
    assert {row["demo"] for row in rows} == {"True"}  # the bundled model is a demo


def test_openapi_documents_the_contract(client: httpx.Client) -> None:
    spec = client.get("/openapi.json").json()
    assert {"/api/sensor-data", "/api/sensor-data/batch", "/api/health"} <= set(spec["paths"])
    assert client.get("/docs").status_code == 200


def test_large_json_replies_are_gzipped_for_clients_that_accept_it(client: httpx.Client) -> None:
    client.post("/api/sensor-data/batch", json={"readings": [reading("gzip")] * 200})
    params: dict[str, str | int] = {"device_id": "gzip", "limit": 200}
    compressed = client.get("/api/readings", params=params, headers={"accept-encoding": "gzip"})
    plain = client.get("/api/readings", params=params, headers={"accept-encoding": "identity"})
    assert compressed.headers["content-encoding"] == "gzip"
    assert "content-encoding" not in plain.headers
    assert compressed.json() == plain.json()
