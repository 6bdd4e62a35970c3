"""The wearable's numbers are bounded by their sensors' full range, and the
OpenAPI examples are a plausible reading (issue 23, item 5; docs/contracts.md#physical-ranges).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from sensorhub import wire
from tests._errors import json_error
from tests._server import LiveServer

REST: dict[str, Any] = {
    "bvp": 0.85,
    "temperature": 33.5,
    "acceleration": {"x": 0.02, "y": -0.01, "z": 0.98},
}


@pytest.fixture(scope="module")
def schema(server: LiveServer) -> dict[str, Any]:
    document: dict[str, Any] = httpx.get(f"{server.url}/openapi.json", timeout=30).json()
    return document


def example_of(schema: dict[str, Any], document: dict[str, Any]) -> Any:
    """The body Swagger's "Try it out" fills in: each field's first example, else its type's
    sample (which for a bounded number is its minimum: the issue's −1e9 °C)."""
    if "$ref" in schema:
        return example_of(
            document["components"]["schemas"][schema["$ref"].split("/")[-1]], document
        )
    if "examples" in schema:
        return schema["examples"][0]
    if "anyOf" in schema:
        return example_of(schema["anyOf"][0], document)
    if schema.get("type") == "object":
        return {name: example_of(s, document) for name, s in schema["properties"].items()}
    return schema.get("minimum", schema.get("default"))


def request_schema(document: dict[str, Any], path: str) -> dict[str, Any]:
    body = document["paths"][path]["post"]["requestBody"]["content"]["application/json"]
    found: dict[str, Any] = body["schema"]
    return found


def test_swaggers_example_reading_is_a_wrist_at_rest(
    schema: dict[str, Any], http: httpx.Client
) -> None:
    example = example_of(request_schema(schema, "/api/sensor-data"), schema)

    stored = http.post("/api/sensor-data", json=example)

    assert stored.status_code == 200, stored.text
    data = stored.json()["data"]
    assert (data["temperature"], data["bvp"]) == (33.5, 0.85)
    assert data["acceleration_magnitude"] == round((0.02**2 + 0.01**2 + 0.98**2) ** 0.5, 4)


def test_swaggers_example_signal_batch_is_stored(
    schema: dict[str, Any], http: httpx.Client
) -> None:
    example = example_of(request_schema(schema, "/api/wearable/signals"), schema)

    stored = http.post("/api/wearable/signals", json=example)

    assert stored.status_code == 200, stored.text
    assert example["temperature"]["values"] == [33.5, 33.5, 33.6, 33.6]
    assert example["acc"]["hz"] == 32.0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("temperature", wire.TEMPERATURE_C[1] + 0.5),
        ("temperature", wire.TEMPERATURE_C[0] - 0.5),
        ("temperature", -1e9),  # the reading
        ("acceleration.x", wire.MAX_ACCELERATION_G + 0.5),
        ("acceleration.z", -wire.MAX_ACCELERATION_G - 0.5),
        ("bvp", wire.MAX_BVP * 2),
    ],
)
def test_a_reading_outside_its_sensors_range_is_a_422_naming_the_field(
    http: httpx.Client, field: str, value: float
) -> None:
    body: dict[str, Any] = {**REST, "acceleration": dict(REST["acceleration"])}
    *parent, leaf = field.split(".")
    (body[parent[0]] if parent else body)[leaf] = value

    json_error(http.post("/api/sensor-data", json=body), 422, "validation_error", field)


@pytest.mark.parametrize("value", [wire.TEMPERATURE_C[0], 0.0, wire.TEMPERATURE_C[1]])
def test_a_temperature_at_its_sensors_limits_is_stored(http: httpx.Client, value: float) -> None:
    response = http.post("/api/sensor-data", json={**REST, "temperature": value})
    assert response.status_code == 200, response.text


def test_a_signal_value_outside_its_range_is_a_422_naming_the_channel(
    http: httpx.Client,
) -> None:
    batch = {"device_id": "wrist-range", "seq": 0, "t0": 0, "acc": {
        "hz": 32.0, "x": [0.0], "y": [0.0], "z": [wire.MAX_ACCELERATION_G * 2]}}  # fmt: skip

    json_error(http.post("/api/wearable/signals", json=batch), 422, "validation_error", "acc.z")


@pytest.fixture(scope="module")
def http(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30.0) as client:
        yield client
