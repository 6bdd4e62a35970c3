"""Bad input on every wearable route: a JSON 4xx naming the problem, never a 5xx."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests._errors import json_error
from tests._server import LiveServer, start_server

GOOD = '{"bvp": 0.85, "temperature": 36.5, "acceleration": {"x": 0.02, "y": -0.01, "z": 0.98}}'


def body_with(field: str, raw_value: str) -> str:
    """GOOD with ``field`` (dotted) replaced by a raw JSON text such as ``NaN``."""
    data = json.loads(GOOD)
    *parents, leaf = field.split(".")
    target = data
    for name in parents:
        target = target[name]
    target[leaf] = "__RAW__"
    return json.dumps(data).replace('"__RAW__"', raw_value)


# (raw body, expected status, text the message must contain)
BAD_BODIES = [
    ("", 422, "body"),
    ("not json", 400, "not valid JSON"),
    ('{"bvp": 0.85, "temperature"', 400, "not valid JSON"),
    ("[1, 2, 3]", 422, "body"),
    ('"a string"', 422, "body"),
    ("{}", 422, "bvp: field required"),
    ('{"bvp": 0.85, "temperature": 36.5}', 422, "acceleration: field required"),
    (body_with("bvp", '"0.85"'), 422, "bvp: must be a number, not a string"),
    (body_with("temperature", "null"), 422, "temperature"),
    (body_with("bvp", "true"), 422, "bvp"),
    (body_with("bvp", "{}"), 422, "bvp"),
    (body_with("acceleration", "5"), 422, "acceleration"),
    (body_with("acceleration", "[0, 0, 1]"), 422, "acceleration"),
    (body_with("acceleration.x", '{"value": 1}'), 422, "acceleration.x"),
    (body_with("acceleration.z", '"1g"'), 422, "acceleration.z"),
    (body_with("bvp", "NaN"), 422, "bvp: must be a finite number"),
    (body_with("temperature", "Infinity"), 422, "temperature: must be a finite number"),
    (body_with("acceleration.y", "-Infinity"), 422, "acceleration.y: must be a finite number"),
    (body_with("bvp", "1e999"), 422, "bvp: must be a finite number"),
    (body_with("bvp", "1e300"), 422, "bvp: must be less than or equal to"),
    (body_with("device_id", '"' + "x" * 65 + '"'), 422, "device_id"),
    (body_with("device_id", '"bad id!"'), 422, "device_id"),
    (body_with("device_id", "7"), 422, "device_id"),
    (body_with("timestamp", "[1]"), 422, "timestamp"),
    # Its text would not fit the stored column: PostgreSQL would refuse it at the commit.
    (body_with("timestamp", str(10**20)), 422, "timestamp"),
    (body_with("timestamp", "9" * 100), 422, "timestamp"),
]


@pytest.mark.parametrize(("raw", "status", "mentions"), BAD_BODIES)
def test_bad_sensor_data_is_a_named_json_4xx(
    client: httpx.Client, raw: str, status: int, mentions: str
) -> None:
    response = client.post(
        "/api/sensor-data", content=raw, headers={"content-type": "application/json"}
    )
    assert response.status_code == status, response.text
    body = response.json()
    assert body["status"] == "error"
    assert mentions in body["message"]


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_body_not_declared_as_json_is_415_naming_the_header(
    client: httpx.Client, content_type: str | None
) -> None:
    # Strict like the seed: cross-site pages can send these without a CORS preflight.
    headers = {"content-type": content_type} if content_type else {}
    response = client.post("/api/sensor-data", content=GOOD, headers=headers)
    assert response.status_code == 415
    assert "Content-Type: application/json" in response.json()["message"]


def test_json_with_charset_parameter_is_accepted(client: httpx.Client) -> None:
    headers = {"content-type": "application/json; charset=utf-8"}
    assert client.post("/api/sensor-data", content=GOOD, headers=headers).status_code == 200


def test_body_over_one_mebibyte_is_413(client: httpx.Client) -> None:
    padding = " " * (1024 * 1024)
    response = client.post(
        "/api/sensor-data", content=GOOD + padding, headers={"content-type": "application/json"}
    )
    json_error(response, 413, "payload_too_large", "larger than 1048576 bytes")


def test_chunked_body_over_limit_is_413(client: httpx.Client) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(20):
            yield b" " * 65536 * 2

    response = client.post(
        "/api/sensor-data", content=chunks(), headers={"content-type": "application/json"}
    )
    json_error(response, 413, "payload_too_large", "larger than 1048576 bytes")


@pytest.mark.parametrize(
    "raw",
    ["", "{}", '{"readings": []}', '{"readings": {}}', '{"readings": [1]}', "[]", '{"readings"'],
)
def test_bad_batch_is_a_json_4xx(client: httpx.Client, raw: str) -> None:
    response = client.post(
        "/api/sensor-data/batch", content=raw, headers={"content-type": "application/json"}
    )
    assert 400 <= response.status_code < 500
    assert response.json()["status"] == "error"


@pytest.mark.parametrize(
    "params", [{"limit": "0"}, {"limit": "1001"}, {"limit": "ten"}, {"before_id": "-1"}]
)
def test_bad_readings_query_is_a_named_4xx(client: httpx.Client, params: dict[str, str]) -> None:
    response = client.get("/api/readings", params=params)
    assert response.status_code == 422
    assert next(iter(params)) in response.json()["message"]


def test_unknown_route_and_wrong_method_are_json(client: httpx.Client) -> None:
    missing = client.get("/api/nope")
    wrong_method = client.get("/api/sensor-data")
    assert (missing.status_code, missing.json()["status"]) == (404, "error")
    assert (wrong_method.status_code, wrong_method.json()["code"]) == (405, "method_not_allowed")


def test_bad_input_never_loses_accepted_readings(client: httpx.Client) -> None:
    good = json.loads(GOOD) | {"device_id": "survivor"}
    kept = client.post("/api/sensor-data", json=good).json()["data"]["id"]
    for raw, _, _ in BAD_BODIES:
        client.post("/api/sensor-data", content=raw, headers={"content-type": "application/json"})
    assert client.get("/api/health").json()["status"] == "healthy"
    listed = client.get("/api/readings", params={"device_id": "survivor"}).json()["data"]
    assert [r["id"] for r in listed] == [kept]


def test_rate_limit_answers_429_with_retry_after(tmp_path: Path) -> None:
    server: LiveServer = start_server(
        tmp_path / "data",
        env={"SENSORHUB_RATE_LIMIT_PER_S": "1", "SENSORHUB_RATE_LIMIT_BURST": "3"},
    )
    try:
        with httpx.Client(base_url=server.url) as http:
            responses = [http.get("/api/health") for _ in range(10)]
        statuses = [r.status_code for r in responses]
        # A burst of 3 (the start-up health poll may have spent one), refilled at 1/s.
        assert 1 <= statuses.count(200) <= 4
        assert set(statuses) == {200, 429}
        limited = next(r for r in responses if r.status_code == 429)
        json_error(limited, 429, "rate_limited", "too many requests")
        assert int(limited.headers["retry-after"]) >= 1
    finally:
        server.stop()


NUL = "a\x00b"  # PostgreSQL text cannot hold it; both databases must answer alike (422)


@pytest.mark.parametrize(
    ("method", "url", "options", "names"),
    [
        ("GET", "/api/tests", {"params": {"athlete": NUL}}, "athlete"),
        ("GET", "/api/athletes", {"params": {"search": NUL}}, "search"),
        ("POST", "/api/athletes", {"json": {"name": NUL}}, "name"),
        ("POST", "/api/athletes", {"json": {"name": "Jo", "notes": NUL}}, "notes"),
        ("POST", "/api/start_test", {"json": {"device_id": "nul", "athlete": NUL}}, "athlete"),
        ("POST", "/api/sensor-data", {"content": body_with("timestamp", '"\\u0000"')}, "timestamp"),
        ("POST", "/api/wearable/sessions", {"json": {"device_id": "w", "participant": "P1",
                                                      "notes": NUL}}, "notes"),
    ],
)  # fmt: skip
def test_a_nul_character_in_free_text_is_a_422_naming_the_field(
    client: httpx.Client, method: str, url: str, options: dict[str, object], names: str
) -> None:
    headers = {"content-type": "application/json"} if "content" in options else None
    response = client.request(method, url, headers=headers, **options)  # type: ignore[arg-type]
    json_error(response, 422, "validation_error", names)
